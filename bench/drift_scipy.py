#!/usr/bin/env python3
"""The check_drift benchmark's numpy/scipy side (bench/drift.ts writes the data, then runs this with the PATH python3).

    python3 bench/drift_scipy.py DIR COLUMNS

DIR holds ref_<i>.f64 and cur_<i>.f64 (raw little-endian float64). Computes, per column, exactly the numeric
statistics of the drift policy (KS, PSI and Jensen–Shannon over 10 reference-quantile bins, Wasserstein and its
normalised form) with numpy/scipy, single-threaded as the generated drift monitor runs them. Prints one JSON
object: the seconds spent computing (loading excluded) and the statistics, which the TypeScript side compares
with its own.
"""
import json
import os
import sys
import time

import numpy as np
from scipy import stats
from scipy.spatial.distance import jensenshannon

B = 10
EPS = 1e-6


def drift(ref, cur):
    ks = stats.ks_2samp(ref, cur)
    edges = np.unique(np.quantile(ref, [i / B for i in range(1, B)]))
    rc = np.bincount(np.searchsorted(edges, ref, side="right"), minlength=len(edges) + 1)
    cc = np.bincount(np.searchsorted(edges, cur, side="right"), minlength=len(edges) + 1)
    p = np.maximum(cc / len(cur), EPS)
    q = np.maximum(rc / len(ref), EPS)
    w = stats.wasserstein_distance(ref, cur)
    sd = np.std(ref, ddof=1)
    return {
        "ks": float(ks.statistic),
        "ks_p": float(ks.pvalue),
        "psi": float(np.sum((p - q) * np.log(p / q))),
        "jensen_shannon": float(jensenshannon(rc, cc, base=2)),
        "wasserstein": float(w),
        "wasserstein_normalised": float(w / sd) if sd > 0 else float(w),
    }


def main():
    folder, columns = sys.argv[1], int(sys.argv[2])
    data = [
        (np.fromfile(os.path.join(folder, f"ref_{i}.f64"), dtype="<f8"), np.fromfile(os.path.join(folder, f"cur_{i}.f64"), dtype="<f8"))
        for i in range(columns)
    ]
    start = time.perf_counter()
    results = [drift(ref, cur) for ref, cur in data]
    seconds = time.perf_counter() - start
    json.dump({"seconds": seconds, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
