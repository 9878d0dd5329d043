import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { kolmogn, kstwoSf, smirnov } from '../../src/stats/kolmogorov.js';
import {
  computeOuterProbInsideMethod,
  computeProbOutsideSquare,
  ks2samp,
  ks2sampSorted,
  ksStatisticSorted,
  MAX_AUTO_N,
  roundHalfEven,
} from '../../src/stats/ks.js';
import { expectRelative } from '../helpers/expect.js';

// ---------------------------------------------------------------------------------------------------------------
// The data generator of scripts/scipy-fixtures/ks_chi2.py, bit for bit: mulberry32 uniforms with 53 random bits,
// then only + - * / and floor (correctly rounded by IEEE 754 in both languages).

type Spec =
  | { kind: 'normal' | 'rounded'; n: number; seed: number; loc: number; scale: number }
  | { kind: 'int'; n: number; seed: number; k: number; offset: number }
  | { kind: 'uniform'; n: number; seed: number; lo: number; hi: number };

function mulberry32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t = (t + Math.imul(t ^ (t >>> 7), t | 61)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

function uniforms(seed: number, n: number): number[] {
  const next = mulberry32(seed);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = next() >>> 5;
    const b = next() >>> 6;
    out.push((a * 67108864.0 + b) / 9007199254740992.0);
  }
  return out;
}

function generate(spec: Spec): number[] {
  switch (spec.kind) {
    case 'normal': {
      const u = uniforms(spec.seed, 12 * spec.n);
      return Array.from({ length: spec.n }, (_, i) => {
        let s = 0.0;
        for (let k = 0; k < 12; k++) s += u[12 * i + k]!;
        return spec.loc + spec.scale * (s - 6.0);
      });
    }
    case 'rounded':
      return generate({ ...spec, kind: 'normal' }).map((v) => Math.floor(v * 10.0) / 10.0);
    case 'int':
      return uniforms(spec.seed, spec.n).map((v) => Math.floor(v * spec.k) + spec.offset);
    case 'uniform':
      return uniforms(spec.seed, spec.n).map((v) => spec.lo + (spec.hi - spec.lo) * v);
  }
}

const sample = (x: number[] | Spec): number[] => (Array.isArray(x) ? x : generate(x));

interface KsCase {
  name: string;
  a: number[] | Spec;
  b: number[] | Spec;
  statistic: number;
  pvalue: number;
  method: 'exact' | 'asymp';
}
interface Fixture {
  scipy: string;
  uniforms_check: { seed: number; values: number[] };
  ks_2samp: KsCase[];
  kstwo_sf: { n: number; d: number; sf: number }[];
  smirnov: { n: number; d: number; sf: number }[];
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/scipy/ks_chi2.json', import.meta.url), 'utf8')) as Fixture;

describe('ks2samp: the statistic is max |ECDF_a − ECDF_b| with ties counted fully', () => {
  it('n = 1 against n = 1: D = 1 when the values differ, 0 when equal', () => {
    expect(ks2samp([0.5], [1.5])).toEqual({ statistic: 1, pValue: 1, method: 'exact' });
    expect(ks2samp([2], [2])).toEqual({ statistic: 0, pValue: 1, method: 'exact' });
  });

  it('identical samples give D = 0 and p = 1', () => {
    const x = [0.1, 0.4, 0.4, 0.9, 1.3];
    expect(ks2samp(x, [...x].reverse())).toEqual({ statistic: 0, pValue: 1, method: 'exact' });
  });

  it('disjoint samples give D = 1 and a tiny p (exactly 2/C(6,3) for 3 vs 3)', () => {
    const r = ks2samp([1, 2, 3], [4, 5, 6]);
    expect(r.statistic).toBe(1);
    expect(r.pValue).toBeCloseTo(2 / 20, 15);
  });

  it('ties: the ECDFs are evaluated after every copy of a value (searchsorted side="right")', () => {
    // at 2: a has 2/2 below-or-equal, b has 1/3 → 2/3, the largest gap
    expect(ks2samp([1, 2], [2, 3, 3]).statistic).toBe(2 / 3);
    // a tie across the samples does not open a gap: both ECDFs jump together at 1
    expect(ks2samp([1, 1], [1, 1, 1]).statistic).toBe(0);
  });

  it('is symmetric in its arguments and ignores input order', () => {
    const a = [3, 1, 4, 1, 5, 9, 2, 6];
    const b = [2, 7, 1, 8, 2, 8];
    expect(ks2samp(a, b)).toEqual(ks2samp(b, a));
  });

  it('rejects empty, unsorted (sorted entry point) and non-finite samples with a clear message', () => {
    expect(() => ks2samp([], [1])).toThrow(/empty/);
    expect(() => ks2samp([1, NaN], [1])).toThrow(/non-finite/);
    expect(() => ks2sampSorted(Float64Array.of(2, 1), Float64Array.of(1))).toThrow(/not sorted/);
    expect(() => ks2sampSorted(Float64Array.of(1, Infinity), Float64Array.of(1))).toThrow(/non-finite/);
  });
});

describe('ks2samp: method auto = exact up to MAX_AUTO_N, asymptotic above (scipy 1.17)', () => {
  it('switches at max(n1, n2) > 10000', () => {
    expect(MAX_AUTO_N).toBe(10000);
    const a = generate({ kind: 'normal', n: 10000, seed: 1, loc: 0, scale: 1 });
    expect(ks2samp(a, a.slice(0, 50)).method).toBe('exact');
    expect(ks2samp([...a, 0.5], a.slice(0, 50)).method).toBe('asymp');
  });

  it('rounds the statistic to h/lcm(n1, n2) in exact mode', () => {
    // 2 vs 3, tie at 1: the largest gap is 1/2 − 1/3, which is 0.16666666666666669 in doubles; scipy reports
    // round(d·6)/6 = 0.16666666666666666
    const a = Float64Array.of(1, 3);
    const b = Float64Array.of(1, 2, 3);
    expect(ksStatisticSorted(a, b)).toBe(1 / 2 - 1 / 3);
    expect(1 / 2 - 1 / 3).not.toBe(1 / 6);
    expect(ks2sampSorted(a, b).statistic).toBe(1 / 6);
  });

  it('falls back to the asymptotic p-value when the exact one rounds above 1, with round(n·m/(n+m)) half to even', () => {
    // n1 = n2 = 5, D = 1/5: 2·P evaluates to 1.0000000000000002, so scipy uses kstwo.sf(0.2, round(2.5) = 2)
    expect(computeProbOutsideSquare(5, 1)).toBeGreaterThan(1);
    const r = ks2samp([1, 2, 3, 4, 5], [1, 2, 3, 4, 6]);
    expect(r.method).toBe('asymp');
    expect(r.pValue).toBe(kstwoSf(0.2, 2));
    expect(roundHalfEven(2.5)).toBe(2);
    expect(roundHalfEven(3.5)).toBe(4);
    expect(roundHalfEven(2.4)).toBe(2);
  });

  it('counts lattice paths exactly for unequal sizes (1 vs 2 by hand: p = 1 when D = 1/2, 2/3 when D = 1)', () => {
    expect(computeOuterProbInsideMethod(1, 2, 1, 1)).toBe(1);
    expect(computeOuterProbInsideMethod(1, 2, 1, 2)).toBeCloseTo(2 / 3, 15);
  });

  // Speed is measured by the benchmark (npm run bench), not here.
  it('handles two samples of 10^6 (asymptotic branch)', () => {
    const a = Float64Array.from(generate({ kind: 'uniform', n: 1_000_000, seed: 2, lo: 0, hi: 1 })).sort();
    const b = Float64Array.from(generate({ kind: 'uniform', n: 1_000_000, seed: 3, lo: 0.2, hi: 1.2 })).sort();
    const r = ks2sampSorted(a, b);
    expect(r.method).toBe('asymp');
    expect(r.statistic).toBeCloseTo(0.2, 2);
    expect(r.pValue).toBe(0);
  });

  it('computes the asymptotic p-value where scipy sums O(n) Smirnov terms (n·d² from 2.2 to 370), monotone in d', () => {
    // two samples of 10^6: n = 5·10^5 and D ≈ 0.0021 — the case a drift monitor with mild drift hits
    const p = kstwoSf(0.0021, 500_000);
    for (const d of [0.003, 0.005, 0.01, 0.02, 0.027]) expect(kstwoSf(d, 500_000)).toBeLessThan(p);
    expectRelative(p, 0.024276288597831493, 1e-6, 'kstwo.sf(0.0021, 500000)'); // scipy 1.17.1
  });
});

describe('agreement with scipy (committed fixtures, scripts/scipy-fixtures/ks_chi2.py)', () => {
  it('regenerates the fixture data bit for bit', () => {
    expect(uniforms(fixture.uniforms_check.seed, 5)).toEqual(fixture.uniforms_check.values);
  });

  it.each(fixture.ks_2samp.map((c) => [c.name, c] as const))('ks_2samp: %s', (_name, c) => {
    const r = ks2samp(sample(c.a), sample(c.b));
    expect(r.method).toBe(c.method);
    expect(r.statistic).toBe(c.statistic); // identical, not close
    if (c.method === 'exact') {
      expect(Math.abs(r.pValue - c.pvalue), `p ${r.pValue} vs scipy ${c.pvalue}`).toBeLessThanOrEqual(1e-9);
    } else {
      expectRelative(r.pValue, c.pvalue, 1e-6, 'asymptotic p');
    }
  });

  it('kstwo.sf on a grid covering every branch of _kolmogn (relative 1e-6)', () => {
    expect(fixture.kstwo_sf.length).toBeGreaterThan(200);
    for (const g of fixture.kstwo_sf) expectRelative(kstwoSf(g.d, g.n), g.sf, 1e-6, `kstwo.sf(${g.d}, ${g.n})`);
  });

  it('scipy.special.smirnov on a grid (relative 1e-6; the double-double path to 1e-12)', () => {
    for (const g of fixture.smirnov) {
      expectRelative(smirnov(g.n, g.d), g.sf, g.n < 2000 ? 1e-12 : 1e-6, `smirnov(${g.n}, ${g.d})`);
    }
  });
});

describe('kolmogn: the two-sided one-sample KS distribution', () => {
  it('CDF and SF add up to 1 and are monotone in x', () => {
    // n <= 140: both come from one exact computation; above, scipy computes the SF by 2·smirnov once n·x² >= 2.2 and
    // the CDF by Pelz–Good or Durbin, which agree to ~1e-6
    for (const n of [3, 50, 140, 141, 5000]) {
      let last = -1;
      for (let x = 0.01; x < 1; x += 0.01) {
        const cdf = kolmogn(n, x, true);
        expect(Math.abs(cdf + kolmogn(n, x, false) - 1)).toBeLessThan(n <= 140 ? 1e-12 : 1e-6);
        expect(cdf).toBeGreaterThanOrEqual(last - 1e-12);
        last = cdf;
      }
    }
  });

  it('has the closed forms of Ruben & Gambino at both ends', () => {
    const n = 10;
    // 1/(2n) < x <= 1/n: CDF = n!/n^n (2nx − 1)^n
    let f = 1;
    for (let i = 1; i <= n; i++) f *= i / n;
    expect(kolmogn(n, 0.08, true)).toBeCloseTo(f * (2 * n * 0.08 - 1) ** n, 15);
    // x >= 1 − 1/n: SF = 2(1 − x)^n
    expect(kolmogn(n, 0.95, false)).toBeCloseTo(2 * 0.05 ** n, 20);
  });
});

describe('live agreement with scipy (one batched python run)', () => {
  const python = [process.env.PYTHON, 'python3', '/usr/bin/python3'].find((exe) => {
    if (!exe) return false;
    try {
      execFileSync(exe, ['-c', 'import scipy'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  });
  const cases: [string, number[], number[]][] = [
    ['ties', [1, 1, 2, 2, 2, 3, 5], [1, 2, 2, 4, 4, 4, 4, 5, 6]],
    ['exact unequal', generate({ kind: 'normal', n: 400, seed: 50, loc: 0, scale: 1 }), generate({ kind: 'normal', n: 700, seed: 51, loc: 0.2, scale: 1 })],
    ['exact equal', generate({ kind: 'int', n: 900, seed: 52, k: 7, offset: 0 }), generate({ kind: 'int', n: 900, seed: 53, k: 7, offset: 0 })],
    ['asymptotic', generate({ kind: 'normal', n: 12000, seed: 54, loc: 0, scale: 1 }), generate({ kind: 'normal', n: 11000, seed: 55, loc: 0.04, scale: 1 })],
  ];
  it.skipIf(!python)(`matches scipy.stats.ks_2samp run now (${python ?? 'no python with scipy: skipped'})`, () => {
    const script = [
      'import json, sys',
      'from scipy import stats',
      'out = []',
      'for a, b in json.load(sys.stdin):',
      '    r = stats.ks_2samp(a, b)',
      '    out.append([float(r.statistic), float(r.pvalue)])',
      'print(json.dumps(out))',
    ].join('\n');
    const input = JSON.stringify(cases.map(([, a, b]) => [a, b]));
    const ref = JSON.parse(execFileSync(python!, ['-c', script], { input, maxBuffer: 1 << 26 }).toString()) as [number, number][];
    cases.forEach(([name, a, b], i) => {
      const r = ks2samp(a, b);
      const [statistic, pvalue] = ref[i]!;
      expect(r.statistic, name).toBe(statistic);
      if (r.method === 'exact') expect(Math.abs(r.pValue - pvalue), name).toBeLessThanOrEqual(1e-9);
      else expectRelative(r.pValue, pvalue, 1e-6, name);
    });
  });
});
