import { describe, expect, it } from 'vitest';
import { DRIFT_BINS, numericStatistics, sortedStatistics } from '../../src/stats/drift.js';
import { GridScratch, gridStatistics } from '../../src/stats/gridDrift.js';
import { normals, uniforms } from '../helpers/random.js';

/**
 * The grid path (no sorting) must give what the sorted path gives: the KS statistic and p-value and the bin
 * counts bit for bit, Wasserstein to rounding. The sorted path itself is checked against scipy in drift.test.ts.
 */
const map = (values: Float64Array, f: (x: number, i: number) => number) => Float64Array.from(values, f);

const onGrid: [string, Float64Array, Float64Array][] = [
  ['no drift', normals(1, 60_000), normals(2, 50_000)],
  ['mean shift of 0.3 sd', normals(3, 60_000), normals(4, 60_000, 0.3)],
  ['scale change, unequal sizes', normals(5, 10_001, 5, 2), normals(6, 150_000, 5, 2.6)],
  ['current entirely above the reference', normals(7, 30_000), normals(8, 30_000, 100)],
  ['current inside a narrow part of the reference', normals(9, 40_000, 0, 10), normals(10, 40_000, 1, 0.1)],
  ['large offset (1e9 + normal)', normals(11, 40_000, 1e9), normals(12, 40_000, 1e9 + 0.2)],
  ['tiny scale (1e-300)', map(normals(13, 30_000), (x) => x * 1e-300), map(normals(14, 30_000, 0.1), (x) => x * 1e-300)],
  ['zeros of both signs mixed in', map(normals(17, 30_000), (x, i) => (i % 7 === 0 ? (i % 2 ? -0 : 0) : x)), map(normals(18, 30_000, 0.1), (x, i) => (i % 5 === 0 ? -0 : x))],
  ['uniform against triangular', uniforms(19, 50_000), map(uniforms(20, 50_000), (x, i) => Math.sqrt(x) * (i % 2 ? 1 : 1))],
  ['one outlier 1e6 sd away', map(normals(21, 50_000), (x, i) => (i === 17 ? 1e6 : x)), normals(22, 50_000, 0.2)],
];

const sortedInstead: [string, Float64Array, Float64Array][] = [
  ['values rounded to 0.01 (a few hundred distinct values)', map(normals(15, 50_000), (x) => Math.round(x * 100) / 100), map(normals(16, 50_000, 0.05), (x) => Math.round(x * 100) / 100)],
  ['ten distinct values', map(uniforms(23, 40_000), (x) => Math.floor(x * 10)), map(uniforms(24, 40_000), (x) => Math.floor(x * 10.5))],
  ['heavy tails (Cauchy)', map(uniforms(25, 40_000), (x) => Math.tan(Math.PI * (x - 0.5))), map(uniforms(26, 40_000), (x) => 2 * Math.tan(Math.PI * (x - 0.5)))],
  ['constant reference', new Float64Array(20_000).fill(3), normals(27, 20_000, 3)],
];

function expectSameStatistics(name: string, u: Float64Array, v: Float64Array): void {
  const expected = sortedStatistics(u, v);
  const actual = numericStatistics(u, v);
  expect(actual.ks, name).toEqual(expected.ks);
  expect(actual.refCounts, name).toEqual(expected.refCounts);
  expect(actual.curCounts, name).toEqual(expected.curCounts);
  const tolerance = 1e-12 * Math.max(expected.wasserstein, Number.MIN_VALUE);
  expect(Math.abs(actual.wasserstein - expected.wasserstein), `${name}: wasserstein ${actual.wasserstein} vs ${expected.wasserstein}`).toBeLessThanOrEqual(tolerance);
}

describe('drift statistics on a grid (src/stats/gridDrift.ts)', () => {
  const scratch = new GridScratch();

  it.each(onGrid)('%s: computed on the grid, equal to the sorted path', (name, u, v) => {
    expect(gridStatistics(u, v, DRIFT_BINS, scratch), 'the grid declined these data').not.toBeNull();
    expectSameStatistics(name, u, v);
  });

  it.each(sortedInstead)('%s: the grid declines, the sorted path answers', (name, u, v) => {
    expect(gridStatistics(u, v, DRIFT_BINS, scratch)).toBeNull();
    expectSameStatistics(name, u, v);
  });

  it('reuses its scratch memory across sizes without stale values leaking in', () => {
    const big = [normals(31, 80_000), normals(32, 70_000, 0.1)] as const;
    const small = [normals(33, 12_000), normals(34, 11_000, -0.2)] as const;
    const first = gridStatistics(big[0], big[1], DRIFT_BINS, scratch);
    const second = gridStatistics(small[0], small[1], DRIFT_BINS, scratch);
    expect(second).toEqual(gridStatistics(small[0], small[1], DRIFT_BINS, new GridScratch()));
    expect(gridStatistics(big[0], big[1], DRIFT_BINS, scratch)).toEqual(first);
  });

  it('leaves its inputs untouched', () => {
    const u = normals(35, 20_000);
    const v = normals(36, 20_000, 0.5);
    const before = [u.slice(), v.slice()];
    gridStatistics(u, v, DRIFT_BINS, scratch);
    expect([u, v]).toEqual(before);
  });

  it('declines what it cannot compute exactly: a one-value reference, NaN, an area that would overflow', () => {
    const u = normals(37, 60_000);
    const v = normals(38, 60_000, 0.3);
    expect(gridStatistics(u, v, DRIFT_BINS, scratch), 'these data alone are fine').not.toBeNull();
    expect(gridStatistics(Float64Array.of(1), v, DRIFT_BINS, scratch)).toBeNull();
    expect(gridStatistics(map(u, (x, i) => (i === 3 ? NaN : x)), v, DRIFT_BINS, scratch)).toBeNull();
    const extremes = map(u, (x, i) => (i === 0 ? Number.MAX_VALUE / 2 : i === 1 ? -Number.MAX_VALUE / 2 : x));
    expect(gridStatistics(extremes, v, DRIFT_BINS, scratch)).toBeNull();
    expectSameStatistics('extremes', extremes, v);
  });
});
