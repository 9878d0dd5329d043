/**
 * Chi-square survival function and the chi-square test of independence, replicating scipy 1.17:
 *
 * - `chi2Sf(x, dof)` = scipy.stats.chi2.sf(x, dof) = scipy.special.chdtrc(dof, x) = igamc(dof/2, x/2) (src/stats/gamma.ts,
 *   a port of xsf's cephes igamc; relative accuracy ~1e-14 down to the smallest doubles);
 * - `chi2Contingency(rows)` = scipy.stats.chi2_contingency(rows, correction=True, lambda_=None)
 *   (scipy/stats/contingency.py): expected[i][j] = rowSum[i]·colSum[j]/total, dof = (r−1)(c−1), Yates' continuity
 *   correction only when dof == 1 and never by more than |O − E| (gh-13875: O' = O + sign(E − O)·min(0.5, |E − O|)),
 *   statistic = Σ (O' − E)²/E summed in numpy's pairwise order, p = chdtrc(dof, statistic); dof == 0 gives
 *   statistic 0 and p 1. A zero expected count (an all-zero row or column) throws, as scipy raises ValueError.
 */
import { igamc } from './gamma.js';

/** scipy.stats.chi2.sf(x, dof): the upper tail Q(dof/2, x/2). NaN for x < 0 (scipy's chdtrc domain error). */
export function chi2Sf(x: number, dof: number): number {
  if (x < 0.0) return NaN;
  return igamc(dof / 2.0, x / 2.0);
}

/** numpy's float64 add.reduce over a contiguous array: 0 + pairwise_sum (blocks of 8, split above 128). */
export function numpySum(a: ArrayLike<number>, start = 0, n = a.length): number {
  return 0 + pairwiseSum(a, start, n);
}

function pairwiseSum(a: ArrayLike<number>, start: number, n: number): number {
  if (n < 8) {
    let res = -0.0;
    for (let i = 0; i < n; i++) res += a[start + i]!;
    return res;
  }
  if (n <= 128) {
    const r = new Float64Array(8);
    for (let j = 0; j < 8; j++) r[j] = a[start + j]!;
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j]! += a[start + i + j]!;
    let res = r[0]! + r[1]! + (r[2]! + r[3]!) + (r[4]! + r[5]! + (r[6]! + r[7]!));
    for (; i < n; i++) res += a[start + i]!;
    return res;
  }
  let n2 = Math.trunc(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2);
}

export interface Chi2ContingencyResult {
  /** Pearson's statistic, Yates-corrected when dof == 1 (scipy's default `correction=True`). */
  statistic: number;
  /** chi2.sf(statistic, dof). */
  pValue: number;
  /** (rows − 1)·(columns − 1). */
  dof: number;
  /** Expected frequencies under independence, rowSum·colSum/total. */
  expected: number[][];
  /** Pearson's statistic without any continuity correction (for Cramér's V = sqrt(χ²/(n·(min(r, c) − 1)))). */
  statisticUncorrected: number;
  /** Whether Yates' correction was applied (dof == 1). */
  yatesCorrected: boolean;
  /** The smallest expected frequency (Cochran's rule asks for >= 5 in every cell). */
  minExpected: number;
}

/**
 * scipy.stats.chi2_contingency(rows) (correction=True, lambda_=None) for an r × c table of counts, typically the
 * 2 × k table [referenceCounts, currentCounts]. Throws on a ragged or empty table, negative or non-finite counts,
 * and on a zero expected frequency (drop categories whose total is 0 first).
 */
export function chi2Contingency(rows: readonly (readonly number[])[]): Chi2ContingencyResult {
  const r = rows.length;
  const c = r === 0 ? 0 : rows[0]!.length;
  if (r === 0 || c === 0) throw new Error('chi2Contingency: no data; the table has size 0');
  const observed = new Float64Array(r * c);
  for (let i = 0; i < r; i++) {
    const row = rows[i]!;
    if (row.length !== c) throw new Error(`chi2Contingency: row ${i} has ${row.length} cells, row 0 has ${c}`);
    for (let j = 0; j < c; j++) {
      const v = row[j]!;
      if (!Number.isFinite(v)) throw new Error(`chi2Contingency: cell (${i}, ${j}) is not a finite number: ${v}`);
      if (v < 0) throw new Error(`chi2Contingency: all values must be nonnegative; cell (${i}, ${j}) is ${v}`);
      observed[i * c + j] = v;
    }
  }
  // margins: np.apply_over_axes(np.sum, ...) — row sums and column sums, then the total
  const rowSums = new Float64Array(r);
  for (let i = 0; i < r; i++) rowSums[i] = numpySum(observed, i * c, c);
  const colSums = new Float64Array(c);
  const column = new Float64Array(r);
  for (let j = 0; j < c; j++) {
    for (let i = 0; i < r; i++) column[i] = observed[i * c + j]!;
    colSums[j] = numpySum(column);
  }
  const total = numpySum(observed);
  const expected = new Float64Array(r * c);
  let minExpected = Infinity;
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < c; j++) {
      const e = (rowSums[i]! * colSums[j]!) / total;
      if (e === 0) {
        throw new Error(
          `chi2Contingency: the internally computed table of expected frequencies has a zero element at (${i}, ${j}) ` +
            '(a row or column whose total is 0; drop it first)',
        );
      }
      expected[i * c + j] = e;
      if (e < minExpected) minExpected = e;
    }
  }
  const expectedRows = Array.from({ length: r }, (_, i) => Array.from(expected.subarray(i * c, (i + 1) * c)));
  const dof = r * c - (r + c) + 2 - 1;
  const pearson = (obs: Float64Array): number => {
    const terms = new Float64Array(r * c);
    for (let k = 0; k < r * c; k++) {
      const d = obs[k]! - expected[k]!;
      terms[k] = (d * d) / expected[k]!;
    }
    return numpySum(terms);
  };
  if (dof === 0) {
    return { statistic: 0.0, pValue: 1.0, dof, expected: expectedRows, statisticUncorrected: 0.0, yatesCorrected: false, minExpected };
  }
  const statisticUncorrected = pearson(observed);
  let statistic = statisticUncorrected;
  const yatesCorrected = dof === 1;
  if (yatesCorrected) {
    // Yates' correction for continuity; its magnitude is no bigger than the difference (gh-13875).
    const adjusted = new Float64Array(r * c);
    for (let k = 0; k < r * c; k++) {
      const diff = expected[k]! - observed[k]!;
      const direction = Math.sign(diff);
      const magnitude = Math.min(0.5, Math.abs(diff));
      adjusted[k] = observed[k]! + magnitude * direction;
    }
    statistic = pearson(adjusted);
  }
  return { statistic, pValue: chi2Sf(statistic, dof), dof, expected: expectedRows, statisticUncorrected, yatesCorrected, minExpected };
}
