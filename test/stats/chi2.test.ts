import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chi2Contingency, chi2Sf, numpySum } from '../../src/stats/chi2.js';
import { erfc, igam, igamc, lgam } from '../../src/stats/gamma.js';
import { expectRelative } from '../helpers/expect.js';

interface Fixture {
  chi2_sf: { x: number; dof: number; sf: number }[];
  chi2_contingency: {
    table: number[][];
    statistic: number;
    pvalue: number;
    dof: number;
    expected: number[][];
    statistic_uncorrected: number;
  }[];
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/scipy/ks_chi2.json', import.meta.url), 'utf8')) as Fixture;


describe('chi2Sf: the chi-square upper tail Q(dof/2, x/2)', () => {
  it('has the closed forms for 1 and 2 degrees of freedom', () => {
    for (const x of [0.01, 0.5, 1, 3.84, 10, 50, 300]) {
      expect(chi2Sf(x, 2)).toBeCloseTo(Math.exp(-x / 2), 15);
      expectRelative(chi2Sf(x, 2), Math.exp(-x / 2), 1e-14, `dof 2 at ${x}`);
      expectRelative(chi2Sf(x, 1), erfc(Math.sqrt(x / 2)), 1e-13, `dof 1 at ${x}`);
    }
  });

  it('gives the textbook critical values', () => {
    expect(chi2Sf(3.841458820694124, 1)).toBeCloseTo(0.05, 14);
    expect(chi2Sf(6.634896601021214, 1)).toBeCloseTo(0.01, 14);
    expect(chi2Sf(18.307038053275146, 10)).toBeCloseTo(0.05, 14);
  });

  it('keeps its relative accuracy far into the tail (no 1 − CDF cancellation)', () => {
    // Q(1, x/2) = e^(−x/2) exactly: 1e-200 and below
    expectRelative(chi2Sf(1000, 2), Math.exp(-500), 1e-13, 'dof 2 at 1000');
    expectRelative(chi2Sf(1400, 2), Math.exp(-700), 1e-13, 'dof 2 at 1400');
    // like cephes, 0 once x^a e^-x / Γ(a) < e^-709.78 (the smallest normal double): scipy gives 0 here too
    expect(chi2Sf(1480, 2)).toBe(0);
  });

  it('P + Q = 1 and the edges: Q(a, 0) = 1, Q(a, ∞) = 0, NaN for x < 0', () => {
    for (const [a, x] of [[0.5, 0.2], [3, 2.5], [30, 28], [250, 260], [1000, 900]] as const) {
      expect(igam(a, x) + igamc(a, x)).toBeCloseTo(1, 14);
    }
    expect(chi2Sf(0, 3)).toBe(1);
    expect(chi2Sf(Infinity, 3)).toBe(0);
    expect(chi2Sf(-1, 3)).toBeNaN();
  });

  it('lgam matches log Γ at known points', () => {
    expect(lgam(1)).toBe(0);
    expect(lgam(2)).toBe(0);
    expect(lgam(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 15);
    expect(lgam(10)).toBeCloseTo(Math.log(362880), 13);
    expectRelative(lgam(1e6), 12815504.569147611, 1e-15, 'lgam(1e6)');
  });

  it('agrees with scipy.stats.chi2.sf on the fixture grid (relative 1e-12; the spec asks 1e-6)', () => {
    expect(fixture.chi2_sf.length).toBeGreaterThan(200);
    for (const g of fixture.chi2_sf) expectRelative(chi2Sf(g.x, g.dof), g.sf, 1e-12, `chi2.sf(${g.x}, ${g.dof})`);
  });
});

describe('chi2Contingency: scipy.stats.chi2_contingency(correction=True)', () => {
  it('computes expected counts as rowSum · colSum / total and dof = (r − 1)(c − 1)', () => {
    const r = chi2Contingency([
      [10, 20, 30],
      [15, 25, 5],
    ]);
    expect(r.dof).toBe(2);
    expect(r.expected[0]![2]).toBe((60 * 35) / 105);
    expect(r.yatesCorrected).toBe(false);
    expect(r.statistic).toBe(r.statisticUncorrected);
    expect(r.minExpected).toBe((45 * 25) / 105);
  });

  it('applies Yates only when dof = 1, moving each cell by at most |O − E| (gh-13875)', () => {
    const r = chi2Contingency([
      [10, 20],
      [15, 3],
    ]);
    expect(r.yatesCorrected).toBe(true);
    expect(r.statistic).toBeLessThan(r.statisticUncorrected);
    // |O − E| = 0.25 < 0.5 in every cell: the correction stops at E, so the statistic is 0 and p = 1
    const near = chi2Contingency([
      [5, 5],
      [5, 6],
    ]);
    expect(near.statistic).toBe(0);
    expect(near.pValue).toBe(1);
    expect(near.statisticUncorrected).toBeGreaterThan(0);
  });

  it('returns statistic 0 and p 1 when dof = 0 (one row or one column)', () => {
    expect(chi2Contingency([[7], [9]])).toMatchObject({ statistic: 0, pValue: 1, dof: 0 });
    expect(chi2Contingency([[3, 4, 5]])).toMatchObject({ statistic: 0, pValue: 1, dof: 0 });
  });

  it('throws on a zero expected count, as scipy raises ValueError', () => {
    expect(() =>
      chi2Contingency([
        [1, 0, 3],
        [2, 0, 1],
      ]),
    ).toThrow(/zero element at \(0, 1\)/);
  });

  it('throws on negative, non-finite, ragged or empty tables', () => {
    expect(() => chi2Contingency([[1, -1], [2, 3]])).toThrow(/nonnegative/);
    expect(() => chi2Contingency([[1, NaN], [2, 3]])).toThrow(/finite/);
    expect(() => chi2Contingency([[1, 2], [3]])).toThrow(/cells/);
    expect(() => chi2Contingency([])).toThrow(/size 0/);
  });

  it("sums the cells in numpy's pairwise order", () => {
    const values = Array.from({ length: 300 }, (_, i) => 1 / (i + 1));
    let naive = 0;
    for (const v of values) naive += v;
    // pairwise: blocks of 8 accumulators, halves above 128 elements — not the naive left-to-right sum
    expect(numpySum(values)).not.toBe(naive);
    expect(numpySum(values)).toBeCloseTo(naive, 12);
    expect(numpySum([1, 2, 3])).toBe(6);
  });

  it.each(fixture.chi2_contingency.map((c) => [JSON.stringify(c.table).slice(0, 60), c] as const))(
    'agrees with scipy on %s',
    (_name, c) => {
      const r = chi2Contingency(c.table);
      expect(r.dof).toBe(c.dof);
      expect(r.expected).toEqual(c.expected);
      expectRelative(r.statistic, c.statistic, 1e-9, 'statistic');
      expectRelative(r.statisticUncorrected, c.statistic_uncorrected, 1e-9, 'uncorrected statistic');
      expectRelative(r.pValue, c.pvalue, 1e-6, 'p-value');
    },
  );
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
  const tables = [
    [[12, 30], [25, 14]],
    [[300, 200, 100, 40], [280, 230, 90, 60]],
    [[9000, 1000, 5], [8000, 2000, 9]],
  ];
  const points: [number, number][] = [[0.5, 1], [7.3, 3], [45, 40], [420, 400], [160, 12]];
  it.skipIf(!python)(`matches scipy.stats.chi2_contingency and chi2.sf run now (${python ?? 'no python with scipy: skipped'})`, () => {
    const script = [
      'import json, sys',
      'from scipy import stats',
      'tables, points = json.load(sys.stdin)',
      'out = [[float(r.statistic), float(r.pvalue)] for r in map(stats.chi2_contingency, tables)]',
      'print(json.dumps([out, [float(stats.chi2.sf(x, d)) for x, d in points]]))',
    ].join('\n');
    const [ref, sf] = JSON.parse(execFileSync(python!, ['-c', script], { input: JSON.stringify([tables, points]) }).toString()) as [
      [number, number][],
      number[],
    ];
    tables.forEach((t, i) => {
      const r = chi2Contingency(t);
      expectRelative(r.statistic, ref[i]![0], 1e-9, `statistic of table ${i}`);
      expectRelative(r.pValue, ref[i]![1], 1e-6, `p of table ${i}`);
    });
    points.forEach(([x, d], i) => expectRelative(chi2Sf(x, d), sf[i]!, 1e-6, `chi2.sf(${x}, ${d})`));
  });
});
