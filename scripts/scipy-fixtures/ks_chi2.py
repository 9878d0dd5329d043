#!/usr/bin/env python3
"""Reference values for src/stats/ks.ts, kolmogorov.ts, gamma.ts and chi2.ts, computed with scipy.

Run with the interpreter whose scipy is the reference (scipy 1.17.1 here):

    python3 scripts/scipy-fixtures/ks_chi2.py > test/fixtures/scipy/ks_chi2.json

Deterministic: small samples are stored literally; large ones as generator specs that test/stats/ks.test.ts
regenerates bit for bit (mulberry32 uniforms, then only + - * / and floor, which IEEE 754 rounds identically in
Python and JavaScript).
"""
import json
import math
import sys
import warnings

import numpy as np
import scipy
from scipy import special, stats

MASK = 0xFFFFFFFF


def mulberry32(seed):
    state = seed & MASK

    def nxt():
        nonlocal state
        state = (state + 0x6D2B79F5) & MASK
        t = state
        t = ((t ^ (t >> 15)) * (t | 1)) & MASK
        t = (((t + (((t ^ (t >> 7)) * (t | 61)) & MASK)) & MASK) ^ t) & MASK
        return (t ^ (t >> 14)) & MASK

    return nxt


def uniforms(seed, n):
    """n doubles in [0, 1) with 53 random bits: (a >> 5) * 2^26 + (b >> 6), over 2^53."""
    nxt = mulberry32(seed)
    out = []
    for _ in range(n):
        a = nxt() >> 5
        b = nxt() >> 6
        out.append((a * 67108864.0 + b) / 9007199254740992.0)
    return out


def generate(spec):
    """The sample a generator spec describes (mirrored by generate() in test/stats/ks.test.ts)."""
    kind, n, seed = spec["kind"], spec["n"], spec["seed"]
    if kind == "normal":  # Irwin-Hall: sum of 12 uniforms - 6, then loc + scale * z
        u = uniforms(seed, 12 * n)
        out = []
        for i in range(n):
            s = 0.0
            for k in range(12):
                s += u[12 * i + k]
            out.append(spec["loc"] + spec["scale"] * (s - 6.0))
        return out
    if kind == "int":  # floor(u * k) + offset: many ties
        return [math.floor(v * spec["k"]) + spec["offset"] for v in uniforms(seed, n)]
    if kind == "uniform":
        return [spec["lo"] + (spec["hi"] - spec["lo"]) * v for v in uniforms(seed, n)]
    if kind == "rounded":  # normal rounded down to a grid of 1/10: ties across the two samples
        return [math.floor(v * 10.0) / 10.0 for v in generate({**spec, "kind": "normal"})]
    raise ValueError(kind)


def sample(x):
    return np.asarray(generate(x) if isinstance(x, dict) else x, dtype=np.float64)


def ks_case(name, a, b):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = stats.ks_2samp(sample(a), sample(b))
    fallback = any("Exact calculation unsuccessful" in str(w.message) for w in caught)
    n1, n2 = len(sample(a)), len(sample(b))
    method = "exact" if max(n1, n2) <= 10000 and not fallback else "asymp"
    return {"name": name, "a": a, "b": b, "statistic": float(res.statistic), "pvalue": float(res.pvalue), "method": method}


def N(n, seed, loc=0.0, scale=1.0):
    return {"kind": "normal", "n": n, "seed": seed, "loc": loc, "scale": scale}


def I(n, seed, k, offset=0):
    return {"kind": "int", "n": n, "seed": seed, "k": k, "offset": offset}


def main():
    ks = [
        ks_case("n=1 vs n=1, different", [0.5], [1.5]),
        ks_case("n=1 vs n=1, equal", [2.0], [2.0]),
        ks_case("n=1 vs n=3", [0.0], [-1.0, 0.5, 2.0]),
        ks_case("n=2 vs n=3 interleaved", [1.0, 3.0], [0.0, 2.0, 4.0]),
        ks_case("n=3 vs n=3 disjoint", [1.0, 2.0, 3.0], [4.0, 5.0, 6.0]),
        ks_case("ties inside and across samples", [1, 1, 2, 2, 2, 3, 5], [1, 2, 2, 4, 4, 4, 4, 5, 6]),
        ks_case("identical small samples", [0.1, 0.4, 0.4, 0.9, 1.3], [0.1, 0.4, 0.4, 0.9, 1.3]),
        # 2*P rounds to 1.0000000000000002 for n=5, h=1: scipy falls back to kstwo.sf(0.2, round(2.5) = 2)
        ks_case("exact p > 1 by rounding: asymp fallback, n=5", [1.0, 2.0, 3.0, 4.0, 5.0], [1.0, 2.0, 3.0, 4.0, 6.0]),
        ks_case("exact p > 1 by rounding: asymp fallback, n=30", list(range(30)), list(range(29)) + [40]),
        ks_case("negative zero equals zero", [-0.0, 1.0, 2.0], [0.0, 1.5]),
        ks_case("shifted normals 20 vs 30", N(20, 1), N(30, 2, 0.8)),
        ks_case("equal sizes 50 vs 50 shifted", N(50, 3), N(50, 4, 0.5)),
        ks_case("equal sizes 100 vs 100 same law", N(100, 5), N(100, 6)),
        ks_case("unequal 100 vs 250 scaled", N(100, 7), N(250, 8, 0.0, 1.5)),
        ks_case("integers with many ties 300 vs 500", I(300, 9, 6), I(500, 10, 6)),
        ks_case("integers shifted 400 vs 400", I(400, 11, 10), I(400, 12, 10, 1)),
        ks_case("rounded normals 1000 vs 1500", {"kind": "rounded", "n": 1000, "seed": 13, "loc": 0.0, "scale": 1.0},
                {"kind": "rounded", "n": 1500, "seed": 14, "loc": 0.1, "scale": 1.0}),
        ks_case("disjoint 200 vs 300 (p tiny)", {"kind": "uniform", "n": 200, "seed": 15, "lo": 0.0, "hi": 1.0},
                {"kind": "uniform", "n": 300, "seed": 16, "lo": 2.0, "hi": 3.0}),
        ks_case("disjoint 5000 vs 5000 (p underflows)", {"kind": "uniform", "n": 5000, "seed": 17, "lo": 0.0, "hi": 1.0},
                {"kind": "uniform", "n": 5000, "seed": 18, "lo": 2.0, "hi": 3.0}),
        ks_case("exact 3000 vs 7000 small shift", N(3000, 19), N(7000, 20, 0.05)),
        ks_case("exact 3000 vs 7000 same law", N(3000, 21), N(7000, 22)),
        ks_case("exact 10000 vs 10000 (square formula)", N(10000, 23), N(10000, 24, 0.03)),
        ks_case("exact 10000 vs 9999", N(10000, 25), N(9999, 26, 0.02)),
        ks_case("exact 7 vs 10000", N(7, 27), N(10000, 28)),
        ks_case("asymp 20000 vs 20000 same law", N(20000, 29), N(20000, 30)),
        ks_case("asymp 20000 vs 20000 shifted", N(20000, 31), N(20000, 32, 0.05)),
        ks_case("asymp 10001 vs 10001", N(10001, 33), N(10001, 34, 0.02)),
        ks_case("asymp 50 vs 20000", N(50, 35), N(20000, 36, 0.3)),
        ks_case("asymp 15000 vs 12000 integers", I(15000, 37, 20), I(12000, 38, 20, 0)),
        ks_case("asymp 20000 vs 30000 large shift", N(20000, 39), N(30000, 40, 0.2)),
    ]
    # kstwo.sf directly on a grid covering every branch of _kolmogn (Ruben-Gambino, smirnov for x >= 0.5,
    # DMTW / Pomeranz / smirnov for n <= 140, and for n > 140: 1 - DMTW, 1 - Pelz-Good, 2*smirnov, 0).
    grid = []
    for n in [1, 2, 3, 5, 10, 37, 100, 140, 141, 500, 2000, 5000, 20000, 100000, 100001, 500000]:
        ds = {0.5 / n, 0.75 / n, 1.0 / n, 1.5 / n}
        for z in [0.2, 0.4, 0.6, 0.8, 0.87, 1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 6.0, 10.0, 19.0]:
            ds.add(z / math.sqrt(n))
        for d in [0.3, 0.5, 0.7, 0.95, 1.0 - 1.0 / n, 1.0 - 0.5 / n]:
            ds.add(d)
        for d in sorted(ds):
            if 0 < d <= 1:
                grid.append({"n": n, "d": d, "sf": float(stats.kstwo.sf(d, n))})
    smirnov_grid = []
    for n in [2, 5, 10, 50, 200, 1999, 2001, 10000, 100000]:
        for d in [0.5 / n, 1.0 / n, 0.01, 0.05, 0.1, 0.3, 0.5, 0.9]:
            if d < 1:
                smirnov_grid.append({"n": n, "d": d, "sf": float(special.smirnov(n, d))})
    chi2_grid = []
    for dof in [1, 2, 3, 4, 5, 9, 19, 40, 41, 60, 99, 399, 401, 1000]:
        for f in [0.001, 0.1, 0.5, 0.8, 0.95, 1.0, 1.1, 1.3, 2.0, 5.0, 20.0]:
            chi2_grid.append({"x": dof * f, "dof": dof, "sf": float(stats.chi2.sf(dof * f, dof))})
        for x in [1e-6, 0.3, 0.8, 1.05, 600.0, 1400.0]:
            chi2_grid.append({"x": x, "dof": dof, "sf": float(stats.chi2.sf(x, dof))})
    tables = [
        [[10, 20], [15, 3]],  # dof 1: Yates
        [[10, 20], [10, 20]],  # identical rows: |O-E| = 0 < 0.5, no correction moves
        [[5, 5], [5, 6]],  # |O-E| < 0.5 everywhere: the clip (gh-13875)
        [[1000, 2000], [1100, 1900]],
        [[10, 20, 30], [15, 25, 5]],
        [[120, 80, 40, 10, 3], [100, 90, 60, 5, 1]],
        [[500, 400, 300, 200, 100, 50, 25, 12, 6, 3], [480, 420, 290, 230, 90, 60, 20, 10, 3, 7]],
        [[1, 0, 3], [0, 2, 1]],
        [[3, 0], [0, 3]],
        [[5000, 5000], [4000, 6000]],  # p tiny
        [[50000, 1], [1, 50000]],  # p underflows
        [[7], [9]],  # dof 0
        [[3, 4, 5]],  # one row: dof 0
    ]
    tables.append([[int(v) for v in row] for row in np.array(generate(I(120, 41, 900, 5))).reshape(2, 60)])
    contingency = []
    for t in tables:
        res = stats.chi2_contingency(t)
        unc = stats.chi2_contingency(t, correction=False)
        contingency.append({
            "table": t, "statistic": float(res.statistic), "pvalue": float(res.pvalue), "dof": int(res.dof),
            "expected": res.expected_freq.tolist(), "statistic_uncorrected": float(unc.statistic),
        })
    out = {
        "generated_by": "scripts/scipy-fixtures/ks_chi2.py",
        "scipy": scipy.__version__,
        "numpy": np.__version__,
        "python": sys.version.split()[0],
        "uniforms_check": {"seed": 12345, "values": uniforms(12345, 5)},
        "ks_2samp": ks,
        "kstwo_sf": grid,
        "smirnov": smirnov_grid,
        "chi2_sf": chi2_grid,
        "chi2_contingency": contingency,
    }
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
