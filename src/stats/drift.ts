/**
 * The drift statistics engine behind the `check_drift` tool. It implements exactly the policy the generated
 * Python drift monitor implements (docs: DRIFT_POLICY below), with scipy/numpy semantics:
 * - KS: scipy.stats.ks_2samp(method='auto'): ks2sampSorted (exact p-values), or above 10,000 values the
 *   asymptotic p-value, with D computed on a grid (gridDrift.ts) or by one merge walk shared with Wasserstein
 *   (ksWassersteinSorted),
 * - bins: numpy.unique(numpy.quantile(ref, [1/10 … 9/10])) ('linear'), numpy.searchsorted(side='right'),
 * - PSI (eps 1e-6), scipy.spatial.distance.jensenshannon(base=2), scipy.stats.wasserstein_distance (exact:
 *   the integral of |F_ref − F_cur| over the merged sorted values),
 * - categorical: scipy.stats.chi2_contingency (Yates when dof = 1), Cramér's V, Cochran's rule.
 *
 * Speed: above 10,000 values the numeric statistics come from a few linear passes over the unsorted samples
 * (gridDrift.ts: a counting grid, exact work only where the answer can be); below that, or when the data
 * defeat the grid, from the two sorted samples (one sort per sample, src/stats/sort.ts). driftAll spreads numeric columns over worker threads (shared memory, no copies
 * of the samples beyond the one into shared memory when the caller's arrays are not shared already).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { chi2Contingency } from './chi2.js';
import { kstwoSf } from './kolmogorov.js';
import { MAX_AUTO_N, ks2sampSorted, roundHalfEven, type KsResult } from './ks.js';
import { GridScratch, gridStatistics, type GridStatistics } from './gridDrift.js';
import { linearQuantile, uniqueQuantileEdges } from './quantile.js';
import { SortScratch, sortedCopy } from './sort.js';

export type ColumnData =
  | { kind: 'numeric'; values: Float64Array; missing: number } // missing already removed, finite only
  | { kind: 'categorical'; values: string[]; missing: number };

export interface DriftThresholds {
  psi: { warn: number; critical: number };
  jensen_shannon: { warn: number; critical: number };
  ks: { p_value_max: number; min_effect: number };
  chi2: { p_value_max: number; min_effect: number };
  min_samples: number;
  large_sample: number;
}

export const DEFAULT_DRIFT_THRESHOLDS: DriftThresholds = Object.freeze({
  psi: Object.freeze({ warn: 0.1, critical: 0.25 }),
  jensen_shannon: Object.freeze({ warn: 0.1, critical: 0.2 }),
  ks: Object.freeze({ p_value_max: 0.01, min_effect: 0.1 }),
  chi2: Object.freeze({ p_value_max: 0.01, min_effect: 0.1 }),
  min_samples: 30,
  large_sample: 1000,
});

export type DriftTest = 'ks' | 'psi' | 'chi2' | 'jensen_shannon';
export type DriftLevel = 'ok' | 'warn' | 'critical' | 'insufficient';

export interface FeatureDrift {
  feature: string;
  kind: 'numeric' | 'categorical';
  test: DriftTest;
  statistic: number;
  p_value: number | null;
  level: DriftLevel;
  /** One sentence: which rule chose the test and what crossed (or did not). */
  reason: string;
  samples: { reference: number; current: number };
  missing: { reference: number; current: number };
  statistics: {
    ks?: { statistic: number; p_value: number; method: 'exact' | 'asymp' };
    psi?: number;
    jensen_shannon?: number;
    wasserstein?: number;
    wasserstein_normalised?: number;
    chi2?: { statistic: number; p_value: number; dof: number; cramers_v: number; cochran_ok: boolean };
  };
}

/** Number of quantile bins for numeric PSI / Jensen–Shannon (B in the policy). */
export const DRIFT_BINS = 10;
/** Floor of a bin's proportion in PSI. */
export const PSI_EPSILON = 1e-6;
/** The category current values outside the reference's categories are counted under. */
export const OTHER_CATEGORY = '__other__';

export const DRIFT_POLICY: { summary: string; sources: string[] } = Object.freeze({
  summary:
    'Missing values (null, empty, NaN) are excluded from every statistic and counted. With n = the smaller non-missing sample: ' +
    'n < 30 gives no verdict (insufficient). Numeric features always get KS (scipy ks_2samp, exact p-value up to 10,000 values per sample), ' +
    'PSI and Jensen–Shannon (base 2) over 10 reference-quantile bins, and the Wasserstein distance (also divided by the reference standard deviation); ' +
    'below 1,000 values KS decides (critical when p < 0.01 and D >= 0.1, warn when p < 0.01 and D >= 0.05), ' +
    'from 1,000 values PSI decides because every p-value is tiny at that size (critical >= 0.25, warn >= 0.1). ' +
    'Categorical features (booleans as "true"/"false") are counted over the reference categories plus "__other__"; when every expected count is >= 5 (Cochran) ' +
    'the chi-square test of the 2-row table decides (critical when p < 0.01 and Cramér\'s V >= 0.1, warn when p < 0.01 and V >= 0.05), ' +
    'otherwise Jensen–Shannon decides (critical >= 0.2, warn >= 0.1). All thresholds are parameters (per feature in drift_config.yaml).',
  sources: [
    'scipy.stats.ks_2samp documentation (method="auto": exact p-value when max(n1, n2) <= 10000, asymptotic otherwise)',
    'Cochran, W. G. (1954). Some methods for strengthening the common χ² tests. Biometrics 10(4), 417–451 (expected counts >= 5)',
    'Siddiqi, N. (2006). Credit Risk Scorecards. Wiley (PSI: < 0.1 stable, 0.1–0.25 shift, >= 0.25 major shift)',
    'Rabanser, S., Günnemann, S. & Lipton, Z. C. (2019). Failing Loudly: An Empirical Study of Methods for Detecting Dataset Shift. NeurIPS (univariate KS per feature)',
  ],
}) as { summary: string; sources: string[] };

// ---------------------------------------------------------------------------------------------------------------
// Statistics on sorted samples

/** numpy.quantile(sorted, q) with the default 'linear' method, on an already sorted sample. */
export function quantileSorted(sorted: Float64Array, q: number): number {
  return linearQuantile(sorted.length, q, (r) => sorted[r]!);
}

/** numpy.unique(numpy.quantile(ref, [1/B, …, (B-1)/B])): the inner bin edges. */
export function quantileEdges(sortedRef: Float64Array, bins: number = DRIFT_BINS): number[] {
  return uniqueQuantileEdges(sortedRef.length, bins, (r) => sortedRef[r]!);
}

/** Number of values < x in a sorted sample. */
function countBelow(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Counts per bin where bin(x) = numpy.searchsorted(edges, x, side='right') (edges.length + 1 bins). On a sorted
 * sample the bins are contiguous runs, so the boundaries are found by bisection: O(edges · log n), no pass over
 * the values at all.
 */
export function binCountsSorted(sorted: Float64Array, edges: readonly number[]): number[] {
  const counts: number[] = [];
  let previous = 0;
  for (const e of edges) {
    const below = countBelow(sorted, e);
    counts.push(below - previous);
    previous = below;
  }
  counts.push(sorted.length - previous);
  return counts;
}

/** PSI = Σ (p − q)·ln(p/q), p = max(cur share, 1e-6), q = max(ref share, 1e-6). */
export function populationStabilityIndex(refCounts: readonly number[], curCounts: readonly number[]): number {
  const nRef = sum(refCounts);
  const nCur = sum(curCounts);
  let psi = 0;
  for (let k = 0; k < refCounts.length; k++) {
    const p = Math.max(curCounts[k]! / nCur, PSI_EPSILON);
    const q = Math.max(refCounts[k]! / nRef, PSI_EPSILON);
    psi += (p - q) * Math.log(p / q);
  }
  return psi;
}

function relEntr(x: number, y: number): number {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Infinity;
}

/**
 * scipy.spatial.distance.jensenshannon(refCounts, curCounts, base=2). Where rounding makes the divergence a
 * hair below zero (identical distributions up to rounding) scipy returns NaN; this returns 0.
 */
export function jensenShannon(refCounts: readonly number[], curCounts: readonly number[]): number {
  const sp = sum(refCounts);
  const sq = sum(curCounts);
  let left = 0;
  let right = 0;
  for (let k = 0; k < refCounts.length; k++) {
    const p = refCounts[k]! / sp;
    const q = curCounts[k]! / sq;
    const m = (p + q) / 2;
    left += relEntr(p, m);
    right += relEntr(q, m);
  }
  const js = (left + right) / Math.LN2;
  return Math.sqrt(Math.max(0, js / 2));
}

/**
 * scipy.stats.wasserstein_distance(u, v) on sorted samples: Σ |U(x_k) − V(x_k)|·(x_{k+1} − x_k) over the merged
 * distinct values, U and V the empirical CDFs (searchsorted side='right' / size). One merge walk, each term as
 * scipy computes it (i / n_u − j / n_v, times the step); only the order of the sum differs.
 */
export function wassersteinSorted(u: Float64Array, v: Float64Array): number {
  const nu = u.length;
  const nv = v.length;
  if (nu === 0 || nv === 0) throw new RangeError('wasserstein distance of an empty sample');
  // One element at a time: after consuming x_k, i and j count the values <= x_k except inside a run of ties,
  // where the step to the next value is 0 and the term vanishes; the last of the run has the right counts.
  let i = 0;
  let j = 0;
  let previous: number;
  if (u[0]! <= v[0]!) previous = u[i++]!;
  else previous = v[j++]!;
  let total = 0;
  while (i < nu && j < nv) {
    const a = u[i]!;
    const b = v[j]!;
    const next = a <= b ? a : b;
    total += Math.abs(i / nu - j / nv) * (next - previous);
    if (a <= b) i++;
    else j++;
    previous = next;
  }
  while (i < nu) {
    const next = u[i]!;
    total += Math.abs(i / nu - 1) * (next - previous);
    i++;
    previous = next;
  }
  while (j < nv) {
    const next = v[j]!;
    total += Math.abs(1 - j / nv) * (next - previous);
    j++;
    previous = next;
  }
  return total;
}

/**
 * KS and Wasserstein of two sorted samples. Above MAX_AUTO_N values (where ks_2samp's p-value is the asymptotic
 * one) both come from ONE merge walk over the distinct pooled values: D exactly as ksStatisticSorted computes it
 * (max of i/n1 − j/n2 and of its clipped negative minimum) and p = kstwoSf(D, round(n1·n2/(n1+n2))) exactly as
 * ks2sampSorted's asymptotic branch does (test/stats/drift.test.ts checks both are bit-identical). Smaller samples
 * go through ks2sampSorted (exact p-values) and wassersteinSorted.
 */
export function ksWassersteinSorted(u: Float64Array, v: Float64Array): { ks: KsResult; wasserstein: number } {
  const nu = u.length;
  const nv = v.length;
  if (Math.max(nu, nv) <= MAX_AUTO_N || nu === 0 || nv === 0) return { ks: ks2sampSorted(u, v), wasserstein: wassersteinSorted(u, v) };
  let i = 0;
  let j = 0;
  let x = u[0]! < v[0]! ? u[0]! : v[0]!;
  let total = 0;
  let maxS = -Infinity;
  let minDiff = Infinity;
  for (;;) {
    while (i < nu && u[i]! <= x) i++;
    while (j < nv && v[j]! <= x) j++;
    const diff = i / nu - j / nv;
    if (diff > maxS) maxS = diff;
    if (diff < minDiff) minDiff = diff;
    let next: number;
    if (i < nu) next = j < nv && v[j]! < u[i]! ? v[j]! : u[i]!;
    else if (j < nv) next = v[j]!;
    else break;
    if (!(next >= x)) throw new RangeError('ksWassersteinSorted needs finite samples sorted ascending');
    total += Math.abs(diff) * (next - x);
    x = next;
  }
  const minS = Math.min(Math.max(-minDiff, 0), 1);
  const d = minS > maxS ? minS : maxS;
  const m = Math.max(nu, nv);
  const n = Math.min(nu, nv);
  const prob = kstwoSf(d, roundHalfEven((m * n) / (m + n)));
  return { ks: { statistic: d, pValue: Math.min(Math.max(prob, 0), 1), method: 'asymp' }, wasserstein: total };
}

/** numpy.std(values, ddof=1) (two passes); NaN when there are fewer than two values. */
export function sampleStd(values: Float64Array): number {
  const n = values.length;
  if (n < 2) return NaN;
  let s = 0;
  for (let k = 0; k < n; k++) s += values[k]!;
  const mean = s / n;
  let ss = 0;
  for (let k = 0; k < n; k++) {
    const d = values[k]! - mean;
    ss += d * d;
  }
  return Math.sqrt(ss / (n - 1));
}

function sum(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}

// ---------------------------------------------------------------------------------------------------------------
// Verdicts

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e6 ? String(Number(x.toPrecision(3))) : x.toExponential(2);
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function pickLevel(critical: boolean, warn: boolean): DriftLevel {
  return critical ? 'critical' : warn ? 'warn' : 'ok';
}

/** Reusable memory for the numeric path (one per thread). */
export class DriftScratch {
  readonly sort = new SortScratch();
  readonly grid = new GridScratch();
  private ref = new Float64Array(0);
  private cur = new Float64Array(0);

  outputs(nRef: number, nCur: number): [Float64Array, Float64Array] {
    if (this.ref.length < nRef) this.ref = new Float64Array(nRef);
    if (this.cur.length < nCur) this.cur = new Float64Array(nCur);
    return [this.ref.subarray(0, nRef), this.cur.subarray(0, nCur)];
  }
}

/**
 * KS, Wasserstein and the bin counts of two non-empty samples. Above ks_2samp's exact-p-value size the grid
 * (gridDrift.ts) computes them without sorting; otherwise, or when the data defeat the grid, both samples are
 * sorted and walked. Both ways give the same KS result and counts bit for bit (test/stats/gridDrift.test.ts).
 */
export function numericStatistics(reference: Float64Array, current: Float64Array, scratch: DriftScratch = new DriftScratch()): GridStatistics {
  if (Math.max(reference.length, current.length) > MAX_AUTO_N) {
    const grid = gridStatistics(reference, current, DRIFT_BINS, scratch.grid);
    if (grid) return grid;
  }
  return sortedStatistics(reference, current, scratch);
}

/** numericStatistics by sorting both samples and walking them (the reference the grid path is tested against). */
export function sortedStatistics(reference: Float64Array, current: Float64Array, scratch: DriftScratch = new DriftScratch()): GridStatistics {
  const [ref, cur] = scratch.outputs(reference.length, current.length);
  sortedCopy(reference, ref, scratch.sort);
  sortedCopy(current, cur, scratch.sort);
  const { ks, wasserstein } = ksWassersteinSorted(ref, cur);
  const edges = quantileEdges(ref);
  return { ks, wasserstein, refCounts: binCountsSorted(ref, edges), curCounts: binCountsSorted(cur, edges) };
}

function insufficient(
  base: Omit<FeatureDrift, 'test' | 'statistic' | 'p_value' | 'level' | 'reason' | 'statistics'>,
  test: DriftTest,
  min: number,
): FeatureDrift {
  const side = base.samples.reference <= base.samples.current ? 'reference' : 'current';
  const n = Math.min(base.samples.reference, base.samples.current);
  return {
    ...base,
    test,
    statistic: 0,
    p_value: null,
    level: 'insufficient',
    reason: `Only ${count(n)} non-missing ${side} value${n === 1 ? '' : 's'} (fewer than ${count(min)}): no verdict.`,
    statistics: {},
  };
}

/** The numeric path (also what a worker runs). Reads `reference` and `current` without modifying them. */
export function numericFeatureDrift(
  name: string,
  reference: Float64Array,
  current: Float64Array,
  missing: { reference: number; current: number },
  thresholds: DriftThresholds = DEFAULT_DRIFT_THRESHOLDS,
  scratch: DriftScratch = new DriftScratch(),
): FeatureDrift {
  const base = { feature: name, kind: 'numeric' as const, samples: { reference: reference.length, current: current.length }, missing: { ...missing } };
  const n = Math.min(reference.length, current.length);
  if (n === 0) return insufficient(base, 'ks', thresholds.min_samples);
  const { ks, wasserstein: w, refCounts, curCounts } = numericStatistics(reference, current, scratch);
  const psi = populationStabilityIndex(refCounts, curCounts);
  const js = jensenShannon(refCounts, curCounts);
  const std = sampleStd(reference);
  const statistics: FeatureDrift['statistics'] = {
    ks: { statistic: ks.statistic, p_value: ks.pValue, method: ks.method },
    psi,
    jensen_shannon: js,
    wasserstein: w,
    wasserstein_normalised: std > 0 ? w / std : w,
  };
  if (n < thresholds.min_samples) return { ...insufficient(base, 'ks', thresholds.min_samples), statistic: ks.statistic, p_value: ks.pValue, statistics };

  if (n < thresholds.large_sample) {
    const { p_value_max: pMax, min_effect: effect } = thresholds.ks;
    const significant = ks.pValue < pMax;
    const level = pickLevel(significant && ks.statistic >= effect, significant && ks.statistic >= effect / 2);
    const why = !significant
      ? `p = ${fmt(ks.pValue)} ≥ ${fmt(pMax)}`
      : level === 'critical'
        ? `p = ${fmt(ks.pValue)} < ${fmt(pMax)} and D = ${fmt(ks.statistic)} ≥ ${fmt(effect)}`
        : level === 'warn'
          ? `p = ${fmt(ks.pValue)} < ${fmt(pMax)} and D = ${fmt(ks.statistic)} ≥ ${fmt(effect / 2)} (critical from ${fmt(effect)})`
          : `p = ${fmt(ks.pValue)} < ${fmt(pMax)} but D = ${fmt(ks.statistic)} < ${fmt(effect / 2)}`;
    return {
      ...base,
      test: 'ks',
      statistic: ks.statistic,
      p_value: ks.pValue,
      level,
      reason: `Numeric with n = ${count(n)} < ${count(thresholds.large_sample)}, so KS decides: ${why} → ${level}.`,
      statistics,
    };
  }
  const { warn, critical } = thresholds.psi;
  const level = pickLevel(psi >= critical, psi >= warn);
  const why = level === 'critical' ? `PSI = ${fmt(psi)} ≥ ${fmt(critical)}` : level === 'warn' ? `PSI = ${fmt(psi)} ≥ ${fmt(warn)} (critical from ${fmt(critical)})` : `PSI = ${fmt(psi)} < ${fmt(warn)}`;
  return {
    ...base,
    test: 'psi',
    statistic: psi,
    p_value: null,
    level,
    reason: `Numeric with n = ${count(n)} ≥ ${count(thresholds.large_sample)}, so PSI decides (every p-value is tiny at this size): ${why} → ${level}.`,
    statistics,
  };
}

/** Category counts: sorted distinct reference values (JS default order) + "__other__" for unseen current values. */
export function categoryCounts(reference: readonly string[], current: readonly string[]): { categories: string[]; reference: number[]; current: number[] } {
  const refMap = new Map<string, number>();
  for (const v of reference) refMap.set(v, (refMap.get(v) ?? 0) + 1);
  const categories = [...refMap.keys()].sort();
  const index = new Map(categories.map((c, i) => [c, i]));
  const refCounts = categories.map((c) => refMap.get(c)!);
  const curCounts = categories.map(() => 0);
  let other = 0;
  for (const v of current) {
    const i = index.get(v);
    if (i === undefined) other++;
    else curCounts[i]!++;
  }
  return { categories: [...categories, OTHER_CATEGORY], reference: [...refCounts, 0], current: [...curCounts, other] };
}

export function categoricalFeatureDrift(
  name: string,
  reference: readonly string[],
  current: readonly string[],
  missing: { reference: number; current: number },
  thresholds: DriftThresholds = DEFAULT_DRIFT_THRESHOLDS,
): FeatureDrift {
  const base = { feature: name, kind: 'categorical' as const, samples: { reference: reference.length, current: current.length }, missing: { ...missing } };
  const n = Math.min(reference.length, current.length);
  if (n === 0) return insufficient(base, 'chi2', thresholds.min_samples);
  const counts = categoryCounts(reference, current);
  const psi = populationStabilityIndex(counts.reference, counts.current);
  const js = jensenShannon(counts.reference, counts.current);
  const keep = counts.reference.map((r, k) => r + counts.current[k]! > 0);
  const table = [counts.reference.filter((_, k) => keep[k]), counts.current.filter((_, k) => keep[k])];
  const chi = chi2Contingency(table);
  const total = reference.length + current.length;
  const cramersV = Math.sqrt(chi.statisticUncorrected / total);
  const cochranOk = chi.minExpected >= 5;
  const statistics: FeatureDrift['statistics'] = {
    psi,
    jensen_shannon: js,
    chi2: { statistic: chi.statistic, p_value: chi.pValue, dof: chi.dof, cramers_v: cramersV, cochran_ok: cochranOk },
  };
  const test: DriftTest = cochranOk ? 'chi2' : 'jensen_shannon';
  if (n < thresholds.min_samples) {
    return { ...insufficient(base, test, thresholds.min_samples), statistic: cochranOk ? chi.statistic : js, p_value: cochranOk ? chi.pValue : null, statistics };
  }
  if (cochranOk) {
    const { p_value_max: pMax, min_effect: effect } = thresholds.chi2;
    const significant = chi.pValue < pMax;
    const level = pickLevel(significant && cramersV >= effect, significant && cramersV >= effect / 2);
    const why = !significant
      ? `p = ${fmt(chi.pValue)} ≥ ${fmt(pMax)}`
      : level === 'critical'
        ? `p = ${fmt(chi.pValue)} < ${fmt(pMax)} and Cramér's V = ${fmt(cramersV)} ≥ ${fmt(effect)}`
        : level === 'warn'
          ? `p = ${fmt(chi.pValue)} < ${fmt(pMax)} and Cramér's V = ${fmt(cramersV)} ≥ ${fmt(effect / 2)} (critical from ${fmt(effect)})`
          : `p = ${fmt(chi.pValue)} < ${fmt(pMax)} but Cramér's V = ${fmt(cramersV)} < ${fmt(effect / 2)}`;
    return {
      ...base,
      test: 'chi2',
      statistic: chi.statistic,
      p_value: chi.pValue,
      level,
      reason: `Categorical with every expected count ≥ 5 (Cochran's rule holds), so chi-square decides: ${why} → ${level}.`,
      statistics,
    };
  }
  const { warn, critical } = thresholds.jensen_shannon;
  const level = pickLevel(js >= critical, js >= warn);
  const why = level === 'critical' ? `JS = ${fmt(js)} ≥ ${fmt(critical)}` : level === 'warn' ? `JS = ${fmt(js)} ≥ ${fmt(warn)} (critical from ${fmt(critical)})` : `JS = ${fmt(js)} < ${fmt(warn)}`;
  return {
    ...base,
    test: 'jensen_shannon',
    statistic: js,
    p_value: null,
    level,
    reason: `Categorical with an expected count < 5 (Cochran's rule fails), so Jensen–Shannon decides: ${why} → ${level}.`,
    statistics,
  };
}

/** Drift of one feature between a reference and a current sample, by the policy (DRIFT_POLICY). */
export function featureDrift(name: string, reference: ColumnData, current: ColumnData, thresholds: DriftThresholds = DEFAULT_DRIFT_THRESHOLDS): FeatureDrift {
  const missing = { reference: reference.missing, current: current.missing };
  if (reference.kind === 'numeric' && current.kind === 'numeric') return numericFeatureDrift(name, reference.values, current.values, missing, thresholds);
  if (reference.kind === 'categorical' && current.kind === 'categorical') return categoricalFeatureDrift(name, reference.values, current.values, missing, thresholds);
  throw new TypeError(`feature ${JSON.stringify(name)}: reference is ${reference.kind} but current is ${current.kind}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Column preparation helpers

/** A Float64Array over shared memory: columns parsed straight into one go to the workers without a copy. */
export function sharedFloat64Array(length: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(length * Float64Array.BYTES_PER_ELEMENT));
}

function isMissing(v: unknown): boolean {
  return v === null || v === undefined || v === '' || (typeof v === 'number' && Number.isNaN(v));
}

/**
 * Raw values → ColumnData. Missing = null, undefined, '' and NaN. Numeric: numbers and numeric strings
 * (±Infinity counts as missing: no statistic is defined on it); anything else is a TypeError.
 * Categorical: strings as they are, booleans as "true"/"false", numbers as String(n).
 */
export function toColumnData(values: readonly unknown[], kind: 'numeric' | 'categorical'): ColumnData {
  let missing = 0;
  if (kind === 'numeric') {
    const out = new Float64Array(values.length);
    let k = 0;
    for (const v of values) {
      if (isMissing(v)) {
        missing++;
        continue;
      }
      const x = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
      if (typeof v !== 'number' && Number.isNaN(x)) throw new TypeError(`not a number: ${JSON.stringify(v)}`);
      if (!Number.isFinite(x)) {
        missing++;
        continue;
      }
      out[k++] = x;
    }
    return { kind, values: out.slice(0, k), missing };
  }
  const out: string[] = [];
  for (const v of values) {
    if (isMissing(v)) missing++;
    else out.push(typeof v === 'string' ? v : typeof v === 'boolean' || typeof v === 'number' ? String(v) : JSON.stringify(v));
  }
  return { kind, values: out, missing };
}

// ---------------------------------------------------------------------------------------------------------------
// Many columns, in parallel

export interface DriftColumn {
  name: string;
  reference: ColumnData;
  current: ColumnData;
  /** Per-feature thresholds (drift_config.yaml); options.thresholds otherwise. */
  thresholds?: DriftThresholds;
}

export interface DriftAllOptions {
  thresholds?: DriftThresholds;
  /** Worker threads; default os.availableParallelism(). 1 = everything in this thread. */
  workers?: number;
  /** Below this many numeric values in total, workers cost more than they save: stay in this thread. */
  inThreadBelow?: number;
}

/** A task as posted to a worker (the arrays live in shared memory). */
export interface DriftWorkerTask {
  id: number;
  name: string;
  reference: Float64Array;
  current: Float64Array;
  missing: { reference: number; current: number };
  thresholds: DriftThresholds;
}
export type DriftWorkerReply = { id: number; result: FeatureDrift } | { id: number; error: string };

type WorkerEntry = { kind: 'compiled'; url: URL } | { kind: 'typescript'; source: string };

let cachedEntry: WorkerEntry | null | undefined;

/**
 * How workers start: the compiled driftWorker.js next to this file (dist/), or — when running from the
 * TypeScript sources (vitest, tsx) — driftWorker.ts through tsx's loader; null when neither is possible
 * (everything then runs in this thread).
 */
function workerEntry(): WorkerEntry | null {
  if (cachedEntry !== undefined) return cachedEntry;
  cachedEntry = null;
  const compiled = new URL('./driftWorker.js', import.meta.url);
  if (compiled.protocol === 'file:' && existsSync(fileURLToPath(compiled))) {
    cachedEntry = { kind: 'compiled', url: compiled };
  } else {
    const source = new URL('./driftWorker.ts', import.meta.url);
    if (source.protocol === 'file:' && existsSync(fileURLToPath(source))) {
      try {
        const api = tsxEsmApi();
        cachedEntry = {
          kind: 'typescript',
          source: `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(source.href)}); });`,
        };
      } catch {
        cachedEntry = null;
      }
    }
  }
  return cachedEntry;
}

/** tsx's ESM loader API (a dev dependency: only needed to run workers from the TypeScript sources). */
function tsxEsmApi(): string {
  const resolve = (import.meta as { resolve?: (specifier: string) => string }).resolve;
  if (typeof resolve === 'function') {
    try {
      return resolve('tsx/esm/api');
    } catch {
      // fall through to require.resolve
    }
  }
  // require.resolve picks the CommonJS build (index.cjs); its ESM twin sits next to it.
  const cjs = createRequire(import.meta.url).resolve('tsx/esm/api');
  const mjs = cjs.replace(/\.cjs$/, '.mjs');
  if (!existsSync(mjs)) throw new Error('tsx ESM API not found');
  return pathToFileURL(mjs).href;
}

/** 'compiled' (dist), 'typescript' (sources + tsx) or 'none' (in-thread only). */
export function driftWorkerMode(): 'compiled' | 'typescript' | 'none' {
  return workerEntry()?.kind ?? 'none';
}

function startWorker(entry: WorkerEntry): Worker {
  return entry.kind === 'compiled' ? new Worker(entry.url) : new Worker(entry.source, { eval: true });
}

function shared(values: Float64Array): Float64Array {
  if (values.buffer instanceof SharedArrayBuffer) return values;
  const copy = sharedFloat64Array(values.length);
  copy.set(values);
  return copy;
}

/**
 * Drift of every column, results in input order. Numeric columns go to a pool of worker threads when the
 * numeric data is large enough; categorical columns are computed in this thread meanwhile. The worker and
 * in-thread paths run the same function on the same values: identical results.
 */
export async function driftAll(columns: DriftColumn[], options: DriftAllOptions = {}): Promise<FeatureDrift[]> {
  const defaults = options.thresholds ?? DEFAULT_DRIFT_THRESHOLDS;
  const workers = Math.max(1, Math.floor(options.workers ?? os.availableParallelism()));
  const results: (FeatureDrift | undefined)[] = new Array(columns.length);
  const numeric: number[] = [];
  let numericValues = 0;
  columns.forEach((c, i) => {
    if (c.reference.kind === 'numeric' && c.current.kind === 'numeric' && Math.min(c.reference.values.length, c.current.values.length) > 0) {
      numeric.push(i);
      numericValues += c.reference.values.length + c.current.values.length;
    }
  });
  const entry = workers > 1 && numeric.length > 1 && numericValues >= (options.inThreadBelow ?? 200_000) ? workerEntry() : null;
  if (!entry) {
    const scratch = new DriftScratch();
    columns.forEach((c, i) => {
      const t = c.thresholds ?? defaults;
      const missing = { reference: c.reference.missing, current: c.current.missing };
      results[i] =
        c.reference.kind === 'numeric' && c.current.kind === 'numeric'
          ? numericFeatureDrift(c.name, c.reference.values, c.current.values, missing, t, scratch)
          : featureDrift(c.name, c.reference, c.current, t);
    });
    return results as FeatureDrift[];
  }

  // Largest columns first: better balance across the pool.
  const inWorkers = new Set(numeric);
  const queue = [...numeric].sort((a, b) => size(columns[b]!) - size(columns[a]!) || a - b);
  const pool = Array.from({ length: Math.min(workers, queue.length) }, () => startWorker(entry));
  try {
    const done = Promise.all(
      pool.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            let current = -1;
            const next = () => {
              const i = queue.shift();
              if (i === undefined) return resolve();
              current = i;
              const c = columns[i]!;
              if (c.reference.kind !== 'numeric' || c.current.kind !== 'numeric') throw new Error('unreachable');
              const task: DriftWorkerTask = {
                id: i,
                name: c.name,
                reference: shared(c.reference.values),
                current: shared(c.current.values),
                missing: { reference: c.reference.missing, current: c.current.missing },
                thresholds: c.thresholds ?? defaults,
              };
              worker.postMessage(task);
            };
            worker.on('message', (reply: DriftWorkerReply) => {
              if ('error' in reply) return reject(new Error(`drift worker, feature ${JSON.stringify(columns[reply.id]?.name)}: ${reply.error}`));
              results[reply.id] = reply.result;
              next();
            });
            worker.on('error', (e) => reject(e));
            worker.on('exit', (code) => {
              if (queue.length > 0 || (current >= 0 && results[current] === undefined)) reject(new Error(`drift worker exited with code ${code}`));
            });
            next();
          }),
      ),
    );
    // Meanwhile: the categorical (and empty) columns here.
    columns.forEach((c, i) => {
      if (!inWorkers.has(i)) results[i] = featureDrift(c.name, c.reference, c.current, c.thresholds ?? defaults);
    });
    await done;
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return results as FeatureDrift[];
}

function size(c: DriftColumn): number {
  return c.reference.values.length + c.current.values.length;
}
