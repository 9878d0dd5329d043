#!/usr/bin/env python3
"""Reference values of the drift policy (src/stats/drift.ts) computed with numpy/scipy.

    python3 scripts/scipy-fixtures/drift.py            # writes test/fixtures/scipy/drift.json (the committed cases)
    python3 scripts/scipy-fixtures/drift.py --live     # cases as JSON on stdin, results as JSON on stdout

Run with the PATH python3 (numpy 2.4, scipy 1.17). The samples are not stored: each case names a generator
that test/stats/drift.test.ts reproduces bit for bit (mulberry32 uniforms combined with + - * only, which
IEEE-754 rounds identically in numpy and JavaScript), so the fixture stays small while the samples are large.
"""
import json
import os
import sys

import numpy as np
import scipy
from scipy import stats
from scipy.spatial.distance import jensenshannon

MASK = 0xFFFFFFFF
B = 10
EPS = 1e-6


def uniforms(seed, count):
    """mulberry32, vectorised: the same stream as the JavaScript generator."""
    k = np.arange(1, count + 1, dtype=np.uint64)
    a = (np.uint64(seed) + k * np.uint64(0x6D2B79F5)) & np.uint64(MASK)
    t = ((a ^ (a >> np.uint64(15))) * (a | np.uint64(1))) & np.uint64(MASK)
    t2 = ((t ^ (t >> np.uint64(7))) * (t | np.uint64(61))) & np.uint64(MASK)
    t = ((t + t2) & np.uint64(MASK)) ^ t
    r = t ^ (t >> np.uint64(14))
    return r.astype(np.float64) / 4294967296.0


def sample(gen):
    kind = gen["kind"]
    if kind == "values":
        return np.array(gen["values"], dtype=np.float64) if gen.get("numeric", True) else list(gen["values"])
    if kind == "irwin":  # mu + sigma * ((u0 + u1) + (u2 + u3) - 2): bell-shaped, sd = sigma / sqrt(3)
        u = uniforms(gen["seed"], 4 * gen["n"]).reshape(gen["n"], 4)
        return gen["mu"] + gen["sigma"] * (((u[:, 0] + u[:, 1]) + (u[:, 2] + u[:, 3])) - 2.0)
    if kind == "int":  # offset + scale * floor(u * k): many ties
        u = uniforms(gen["seed"], gen["n"])
        return gen["offset"] + gen["scale"] * np.floor(u * gen["k"])
    if kind == "cat":  # pool[floor(u * len(pool))]: weights by repetition
        u = uniforms(gen["seed"], gen["n"])
        pool = gen["pool"]
        return [pool[int(i)] for i in np.floor(u * len(pool))]
    raise ValueError(kind)


def numeric(ref, cur):
    res = stats.ks_2samp(ref, cur)  # method='auto'
    out = {
        "ks": {
            "statistic": float(res.statistic),
            "p_value": float(res.pvalue),
            "method": "exact" if max(len(ref), len(cur)) <= 10000 else "asymp",
        }
    }
    edges = np.unique(np.quantile(ref, [i / B for i in range(1, B)]))
    rc = np.bincount(np.searchsorted(edges, ref, side="right"), minlength=len(edges) + 1)
    cc = np.bincount(np.searchsorted(edges, cur, side="right"), minlength=len(edges) + 1)
    p = np.maximum(cc / len(cur), EPS)
    q = np.maximum(rc / len(ref), EPS)
    w = stats.wasserstein_distance(ref, cur)
    sd = float(np.std(ref, ddof=1)) if len(ref) > 1 else float("nan")
    out.update(
        edges=[float(e) for e in edges],
        reference_counts=[int(c) for c in rc],
        current_counts=[int(c) for c in cc],
        psi=float(np.sum((p - q) * np.log(p / q))),
        jensen_shannon=float(jensenshannon(rc, cc, base=2)),
        wasserstein=float(w),
        wasserstein_normalised=float(w / sd) if sd > 0 else float(w),
    )
    return out


def categorical(ref, cur):
    cats = sorted(set(ref), key=lambda s: s.encode("utf-16-be"))  # JavaScript's default string order
    index = {c: i for i, c in enumerate(cats)}
    rc = np.zeros(len(cats) + 1, dtype=np.int64)
    cc = np.zeros(len(cats) + 1, dtype=np.int64)
    for v in ref:
        rc[index[v]] += 1
    for v in cur:
        cc[index.get(v, len(cats))] += 1
    keep = (rc + cc) > 0
    table = np.array([rc[keep], cc[keep]])
    res = stats.chi2_contingency(table)
    uncorrected = stats.chi2_contingency(table, correction=False).statistic
    p = np.maximum(cc / len(cur), EPS)
    q = np.maximum(rc / len(ref), EPS)
    return {
        "categories": cats + ["__other__"],
        "reference_counts": [int(c) for c in rc],
        "current_counts": [int(c) for c in cc],
        "chi2": {
            "statistic": float(res.statistic),
            "p_value": float(res.pvalue),
            "dof": int(res.dof),
            "cramers_v": float(np.sqrt(uncorrected / (len(ref) + len(cur)))),
            "cochran_ok": bool(np.all(res.expected_freq >= 5)),
        },
        "psi": float(np.sum((p - q) * np.log(p / q))),
        "jensen_shannon": float(jensenshannon(rc, cc, base=2)),
    }


def compute(case):
    ref, cur = sample(case["reference"]), sample(case["current"])
    if case["kind"] == "numeric":
        return numeric(np.asarray(ref, dtype=np.float64), np.asarray(cur, dtype=np.float64))
    return categorical(list(ref), list(cur))


def irwin(seed, n, mu=0.0, sigma=1.0):
    return {"kind": "irwin", "seed": seed, "n": n, "mu": mu, "sigma": sigma}


def ints(seed, n, k, offset=0.0, scale=1.0):
    return {"kind": "int", "seed": seed, "n": n, "k": k, "offset": offset, "scale": scale}


def cat(seed, n, pool):
    return {"kind": "cat", "seed": seed, "n": n, "pool": pool}


CASES = [
    # numeric, KS decides (n < 1000), exact p-values
    {"name": "small, same distribution", "kind": "numeric", "reference": irwin(1, 200), "current": irwin(2, 150)},
    {"name": "small, shifted by 0.3", "kind": "numeric", "reference": irwin(3, 500), "current": irwin(4, 400, mu=0.3)},
    {"name": "ties: 20 integer levels, shifted", "kind": "numeric", "reference": ints(5, 800, 20), "current": ints(6, 900, 20, offset=2.0)},
    {"name": "ties: 3 levels both sides", "kind": "numeric", "reference": ints(7, 600, 3), "current": ints(8, 700, 3, offset=0.5, scale=0.5)},
    # numeric, PSI decides (n >= 1000), exact up to 10000 then asymptotic
    {"name": "large, scale doubled", "kind": "numeric", "reference": irwin(9, 5000, mu=10.0), "current": irwin(10, 3000, mu=10.0, sigma=2.0)},
    {"name": "large, shifted, asymptotic KS", "kind": "numeric", "reference": irwin(11, 20000, mu=-3.0, sigma=0.5), "current": irwin(12, 15000, mu=-2.9, sigma=0.5)},
    {"name": "large, same distribution, asymptotic KS", "kind": "numeric", "reference": irwin(13, 50000, sigma=100.0), "current": irwin(14, 50000, sigma=100.0)},
    # edge cases
    {"name": "constant reference (one edge after unique)", "kind": "numeric", "reference": {"kind": "values", "values": [3.0] * 100}, "current": irwin(15, 120, mu=3.0)},
    {"name": "n = 1 on both sides", "kind": "numeric", "reference": {"kind": "values", "values": [1.5]}, "current": {"kind": "values", "values": [2.5]}},
    {"name": "negatives, signed zeros and duplicates", "kind": "numeric",
     "reference": {"kind": "values", "values": [-0.0, 0.0, -1.5, 2.0, -1.5, 7.25, -0.0, 3.0, -8.0, 0.5] * 5},
     "current": {"kind": "values", "values": [0.0, -2.0, 2.0, 2.0, -0.0, 9.0, -1.5, 0.25, 4.0, 1.0] * 4}},
    {"name": "extreme outlier in the current sample", "kind": "numeric", "reference": irwin(16, 300), "current": {"kind": "values", "values": [1e12] + [0.0] * 99}},
    # categorical
    {"name": "categorical, Cochran holds, shifted mix", "kind": "categorical", "reference": cat(20, 2000, ["a", "a", "b", "c"]), "current": cat(21, 1500, ["a", "b", "b", "c"])},
    {"name": "categorical, Cochran holds, same mix", "kind": "categorical", "reference": cat(22, 3000, ["x", "y", "z", "z"]), "current": cat(23, 2500, ["x", "y", "z", "z"])},
    {"name": "categorical, sparse (Cochran fails)", "kind": "categorical", "reference": cat(24, 60, list("abcdefghijklmnop")), "current": cat(25, 50, list("abcdefghij"))},
    {"name": "categorical, values only in current", "kind": "categorical", "reference": cat(26, 400, ["red", "green"]), "current": cat(27, 300, ["red", "green", "blue", "Blue", "é"])},
    {"name": "booleans, 2 categories (Yates)", "kind": "categorical", "reference": cat(28, 1000, ["true", "false", "false"]), "current": cat(29, 800, ["true", "false"])},
    {"name": "one category on both sides (dof 0)", "kind": "categorical", "reference": {"kind": "values", "numeric": False, "values": ["k"] * 40}, "current": {"kind": "values", "numeric": False, "values": ["k"] * 35}},
]


def main():
    if "--live" in sys.argv:
        cases = json.load(sys.stdin)
        json.dump([compute(c) for c in cases], sys.stdout)
        return
    fixture = {
        "generated_by": "scripts/scipy-fixtures/drift.py",
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "cases": [{**c, "expected": compute(c)} for c in CASES],
    }
    path = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "scipy", "drift.json")
    with open(path, "w") as f:
        json.dump(fixture, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
