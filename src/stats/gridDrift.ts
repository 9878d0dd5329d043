/**
 * KS (statistic and asymptotic p-value), Wasserstein and the quantile-bin counts of two large samples, without
 * sorting them: the same numbers as the sorted path in drift.ts (KS and the counts bit for bit, Wasserstein to
 * rounding), in a few linear passes instead of two full sorts and a merge walk.
 *
 * Why it is exact. Both samples are counted on one grid of B buckets (equal width over the bulk of the data,
 * the end buckets open); bucket(x) never decreases with x, so the values before bucket k are exactly the values below it. With I, J the counts of reference and
 * current values before bucket k, every point x in the bucket has i(x)·n_v − j(x)·n_u (the KS difference scaled
 * to an integer, exact in a double while n_u·n_v ≤ 2^51) between
 *   lower = I·n_v − (J + c_v)·n_u   and   upper = (I + c_u)·n_v − J·n_u,
 * and the bucket's last value reaches end = (I + c_u)·n_v − (J + c_v)·n_u. The largest `end` is a lower bound
 * of the maximum, so only buckets whose `upper` reaches it can hold the maximum (and the same for the minimum).
 * Where the difference cannot change sign inside a bucket, ∫|F − G| over it is |∫(F − G)|, which needs only the
 * bucket's counts and the sum of its values' offsets from the bucket's left edge. The remaining buckets (those
 * that can hold the KS extremes, where F − G may cross zero, and those holding the order statistics the bin
 * edges need) are gathered, sorted (a few dozen values each) and walked exactly like the sorted path.
 *
 * Floats: D is the largest fl(i/n_u) − fl(j/n_v) over the points whose integer difference is the largest (two
 * different integer differences are ≥ 1/(n_u·n_v) apart, far more than the rounding), so it is the value scipy
 * computes. When the data defeat the grid (heavy ties, extreme outliers: too many values to gather), the caller
 * falls back to sorting; so does a range the grid cannot divide.
 */
import { kstwoSf } from './kolmogorov.js';
import { roundHalfEven, type KsResult } from './ks.js';
import { binLevels, quantileRanks, uniqueQuantileEdges } from './quantile.js';

/** Values of both samples per bucket, on average. Fewer buckets keep the counters in cache; more shrink what is gathered. */
const VALUES_PER_BUCKET = 32;
/** Above this share of all values to gather, sorting is cheaper. */
const MAX_GATHERED_SHARE = 0.25;
/** i·n_v − j·n_u is exact, and distinct differences stay far apart after rounding, below this product. */
const MAX_EXACT_PRODUCT = 2 ** 51;

export interface GridStatistics {
  ks: KsResult;
  wasserstein: number;
  /** Bin counts of the reference and current samples over the quantile edges (searchsorted side='right'). */
  refCounts: number[];
  curCounts: number[];
}

/** Reusable memory, grown on demand (one per thread). */
export class GridScratch {
  private u32 = new Map<string, Uint32Array>();
  private f64 = new Map<string, Float64Array>();
  private u8 = new Uint8Array(0);

  uint32(name: string, n: number): Uint32Array {
    let a = this.u32.get(name);
    if (!a || a.length < n) this.u32.set(name, (a = new Uint32Array(n)));
    return a.subarray(0, n);
  }

  float64(name: string, n: number): Float64Array {
    let a = this.f64.get(name);
    if (!a || a.length < n) this.f64.set(name, (a = new Float64Array(n)));
    return a.subarray(0, n);
  }

  marks(n: number): Uint8Array {
    if (this.u8.length < n) this.u8 = new Uint8Array(n);
    const m = this.u8.subarray(0, n);
    m.fill(0);
    return m;
  }
}

/**
 * Buckets of equal width over [lo, hi], the bulk of the data; the first bucket also takes everything below lo
 * and the last everything above hi, so a few outliers do not stretch the grid. Both end buckets are always
 * handled exactly.
 */
interface Grid {
  min: number;
  max: number;
  lo: number;
  buckets: number;
  scale: number;
  width: number;
}

/** Non-decreasing in x; the same expression is inlined in countOnGrid and gather. */
function bucketOf(g: Grid, x: number): number {
  const f = (x - g.lo) * g.scale;
  const last = g.buckets - 1;
  return f >= last ? last : f > 0 ? f | 0 : 0;
}

/** Left edge of bucket k (k = buckets: the right edge of the last bucket, max). */
function edgeOf(g: Grid, k: number): number {
  return k <= 0 ? g.min : k >= g.buckets ? g.max : g.lo + k * g.width;
}

/** Counts per bucket, and per bucket the sum of the values' offsets from its left edge. */
function countOnGrid(values: Float64Array, g: Grid, counts: Uint32Array, offsets: Float64Array): void {
  counts.fill(0);
  offsets.fill(0);
  const { lo, scale, width, buckets } = g;
  const last = buckets - 1;
  const n = values.length;
  for (let i = 0; i < n; i++) {
    const x = values[i]!;
    const f = (x - lo) * scale;
    const b = f >= last ? last : f > 0 ? f | 0 : 0;
    counts[b]!++;
    // Meaningless in the two end buckets, which are never integrated in closed form.
    offsets[b]! += x - (lo + b * width);
  }
}

/** Copies the values of marked buckets into `out`, bucket after bucket (`cursor[k]` starts at the bucket's slot and ends past it). */
function gather(values: Float64Array, g: Grid, marked: Uint8Array, cursor: Uint32Array, out: Float64Array): void {
  const { lo, scale, buckets } = g;
  const last = buckets - 1;
  const n = values.length;
  for (let i = 0; i < n; i++) {
    const x = values[i]!;
    const f = (x - lo) * scale;
    const b = f >= last ? last : f > 0 ? f | 0 : 0;
    if (marked[b] === 1) out[cursor[b]!++] = x;
  }
}

function sortSmall(a: Float64Array): void {
  if (a.length > 48) {
    a.sort();
    return;
  }
  for (let i = 1; i < a.length; i++) {
    const x = a[i]!;
    let j = i - 1;
    while (j >= 0 && a[j]! > x) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = x;
  }
}

/** Smallest k with prefix[k + 1] > rank (the bucket holding the rank-th smallest value). */
function bucketOfRank(prefix: Float64Array, buckets: number, rank: number): number {
  let lo = 0;
  let hi = buckets - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (prefix[mid + 1]! > rank) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** [min, max] of both samples (NaN when a value is NaN). */
function extent(u: Float64Array, v: Float64Array): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < u.length; i++) {
    min = Math.min(min, u[i]!);
    max = Math.max(max, u[i]!);
  }
  for (let i = 0; i < v.length; i++) {
    min = Math.min(min, v[i]!);
    max = Math.max(max, v[i]!);
  }
  return [min, max];
}

/** Values sampled from each side to place the grid. */
const GRID_SAMPLE = 2048;
/** Sampled values left outside [lo, hi] at each end (about the 0.1 % and 99.9 % quantiles of the sample). */
const GRID_SAMPLE_TAIL = 4;

/** [lo, hi] of the grid: an evenly strided sample of both sides, sorted, without its few extremes. */
function bulk(u: Float64Array, v: Float64Array): [number, number] {
  const sample = new Float64Array(2 * GRID_SAMPLE);
  for (let k = 0; k < GRID_SAMPLE; k++) {
    sample[k] = u[Math.floor((k * u.length) / GRID_SAMPLE)]!;
    sample[GRID_SAMPLE + k] = v[Math.floor((k * v.length) / GRID_SAMPLE)]!;
  }
  sample.sort();
  return [sample[GRID_SAMPLE_TAIL]!, sample[sample.length - 1 - GRID_SAMPLE_TAIL]!];
}

/** The counts before each bucket, and the largest and smallest difference reached at a bucket's last value. */
function prefixes(countU: Uint32Array, countV: Uint32Array, nu: number, nv: number, preU: Float64Array, preV: Float64Array): [endMax: number, endMin: number] {
  const buckets = countU.length;
  let endMax = -Infinity;
  let endMin = Infinity;
  let I = 0;
  let J = 0;
  for (let k = 0; k < buckets; k++) {
    preU[k] = I;
    preV[k] = J;
    const cu = countU[k]!;
    const cv = countV[k]!;
    I += cu;
    J += cv;
    if (cu + cv > 0) {
      const end = I * nv - J * nu;
      if (end > endMax) endMax = end;
      if (end < endMin) endMin = end;
    }
  }
  preU[buckets] = I;
  preV[buckets] = J;
  return [endMax, endMin];
}

/** Per-sample arrays of the grid pass. */
interface Side {
  n: number;
  counts: Uint32Array;
  offsets: Float64Array;
  prefix: Float64Array;
  /** After classify: slot of each marked bucket in `values`; after gather: the end of that slot. */
  cursor: Uint32Array;
  values: Float64Array;
}

/**
 * Marks the buckets that need exact work (may hold a KS extreme, or F − G may change sign there) and returns the
 * closed-form ∫|F − G| (scaled by n_u·n_v) over all the others, and how many values of each side to gather.
 */
function classify(g: Grid, u: Side, v: Side, ends: [number, number], marked: Uint8Array): [area: number, gatherU: number, gatherV: number] {
  const [endMax, endMin] = ends;
  const nu = u.n;
  const nv = v.n;
  let area = 0;
  let gatherU = 0;
  let gatherV = 0;
  for (let k = 0; k < g.buckets; k++) {
    const cu = u.counts[k]!;
    const cv = v.counts[k]!;
    const start = u.prefix[k]! * nv - v.prefix[k]! * nu;
    const upper = start + cu * nv;
    const lower = start - cv * nu;
    if (marked[k] === 0 && ((cu + cv > 0 && (upper >= endMax || lower <= endMin)) || (lower < 0 && upper > 0))) marked[k] = 1;
    if (marked[k] === 1) {
      u.cursor[k] = gatherU;
      v.cursor[k] = gatherV;
      gatherU += cu;
      gatherV += cv;
    } else {
      const w = edgeOf(g, k + 1) - edgeOf(g, k);
      area += Math.abs(start * w + nv * (cu * w - u.offsets[k]!) - nu * (cv * w - v.offsets[k]!));
    }
  }
  return [area, gatherU, gatherV];
}

/** Extremes of the KS difference: the integer difference and, among the points reaching it, the float one. */
interface Extremes {
  maxDiff: number;
  maxS: number;
  minDiff: number;
  minS: number;
}

/**
 * Sorts one gathered bucket and walks its distinct values as the sorted path walks whole samples: updates the
 * KS extremes and returns ∫|F − G| over the bucket (scaled by n_u·n_v).
 */
function walkBucket(g: Grid, k: number, u: Side, v: Side, ex: Extremes): number {
  const nu = u.n;
  const nv = v.n;
  const cu = u.counts[k]!;
  const cv = v.counts[k]!;
  const su = u.values.subarray(u.cursor[k]! - cu, u.cursor[k]!);
  const sv = v.values.subarray(v.cursor[k]! - cv, v.cursor[k]!);
  sortSmall(su);
  sortSmall(sv);
  let i = u.prefix[k]!;
  let j = v.prefix[k]!;
  let diff = i * nv - j * nu;
  let x = edgeOf(g, k);
  let area = 0;
  let p = 0;
  let q = 0;
  while (p < cu || q < cv) {
    const y = p < cu ? (q < cv && sv[q]! < su[p]! ? sv[q]! : su[p]!) : sv[q]!;
    area += Math.abs(diff) * (y - x);
    while (p < cu && su[p] === y) {
      p++;
      i++;
    }
    while (q < cv && sv[q] === y) {
      q++;
      j++;
    }
    diff = i * nv - j * nu;
    if (diff >= ex.maxDiff) {
      const s = i / nu - j / nv;
      if (diff > ex.maxDiff || s > ex.maxS) ex.maxS = s;
      ex.maxDiff = diff;
    }
    if (diff <= ex.minDiff) {
      const s = i / nu - j / nv;
      if (diff < ex.minDiff || s < ex.minS) ex.minS = s;
      ex.minDiff = diff;
    }
    x = y;
  }
  return area + Math.abs(diff) * (edgeOf(g, k + 1) - x);
}

/** Number of values of one side's bucket k below e. */
function countBelowIn(side: Side, k: number, e: number): number {
  let below = side.prefix[k]!;
  for (let t = side.cursor[k]! - side.counts[k]!; t < side.cursor[k]!; t++) if (side.values[t]! < e) below++;
  return below;
}

/**
 * The statistics of reference `u` and current `v` (finite values, any order, only read), or null when the
 * grid does not pay off and the caller should sort instead. Meant for samples above ks_2samp's exact-p-value
 * size (the p-value here is always the asymptotic one).
 */
export function gridStatistics(u: Float64Array, v: Float64Array, bins: number, scratch: GridScratch = new GridScratch()): GridStatistics | null {
  const nu = u.length;
  const nv = v.length;
  if (nu < 2 || nv < 1 || nu * nv > MAX_EXACT_PRODUCT) return null;
  const [min, max] = extent(u, v);
  // The area is accumulated scaled by n_u·n_v: it must not overflow where the sorted path's would not.
  if (!Number.isFinite((max - min) * nu * nv)) return null;
  const [lo, hi] = bulk(u, v);
  const range = hi - lo;
  const buckets = Math.max(3, Math.floor((nu + nv) / VALUES_PER_BUCKET));
  const scale = buckets / range;
  if (!(range > 0) || !Number.isFinite(range) || !Number.isFinite(scale) || buckets >= 2 ** 30) return null;
  const g: Grid = { min, max, lo, buckets, scale, width: range / buckets };

  const side = (name: string, n: number): Side => ({
    n,
    counts: scratch.uint32(`${name}.counts`, buckets),
    offsets: scratch.float64(`${name}.offsets`, buckets),
    prefix: scratch.float64(`${name}.prefix`, buckets + 1),
    cursor: scratch.uint32(`${name}.cursor`, buckets),
    values: new Float64Array(0),
  });
  const U = side('u', nu);
  const V = side('v', nv);
  countOnGrid(u, g, U.counts, U.offsets);
  countOnGrid(v, g, V.counts, V.offsets);
  const ends = prefixes(U.counts, V.counts, nu, nv, U.prefix, V.prefix);

  // The buckets holding the order statistics the quantile edges read, and everything between them (a bin edge
  // interpolated between two reference values may fall in a bucket with current values only).
  const marked = scratch.marks(buckets);
  marked[0] = 1;
  marked[buckets - 1] = 1;
  for (const q of binLevels(bins)) {
    const r = quantileRanks(nu, q);
    const to = bucketOfRank(U.prefix, buckets, r[r.length - 1]!);
    for (let k = bucketOfRank(U.prefix, buckets, r[0]!); k <= to; k++) marked[k] = 1;
  }
  const [closedFormArea, gatherU, gatherV] = classify(g, U, V, ends, marked);
  if (gatherU + gatherV > MAX_GATHERED_SHARE * (nu + nv)) return null;

  U.values = scratch.float64('u.values', gatherU);
  V.values = scratch.float64('v.values', gatherV);
  gather(u, g, marked, U.cursor, U.values);
  gather(v, g, marked, V.cursor, V.values);
  const ex: Extremes = { maxDiff: -Infinity, maxS: -Infinity, minDiff: Infinity, minS: Infinity };
  let area = closedFormArea;
  for (let k = 0; k < buckets; k++) if (marked[k] === 1) area += walkBucket(g, k, U, V, ex);

  // Order statistics of the reference (their buckets are gathered and now sorted), then the bin counts.
  const edges = uniqueQuantileEdges(nu, bins, (r) => {
    const k = bucketOfRank(U.prefix, buckets, r);
    return U.values[U.cursor[k]! - U.counts[k]! + (r - U.prefix[k]!)]!;
  });
  const refCounts: number[] = [];
  const curCounts: number[] = [];
  let previous: [number, number] = [0, 0];
  for (const e of edges) {
    const k = bucketOf(g, e);
    if (marked[k] === 0) return null; // not reached: e lies between two gathered order statistics
    const below: [number, number] = [countBelowIn(U, k, e), countBelowIn(V, k, e)];
    refCounts.push(below[0] - previous[0]);
    curCounts.push(below[1] - previous[1]);
    previous = below;
  }
  refCounts.push(nu - previous[0]);
  curCounts.push(nv - previous[1]);

  // As ks2sampSorted's asymptotic branch (scipy's ks_2samp).
  const clippedMin = Math.min(Math.max(-ex.minS, 0), 1);
  const d = clippedMin > ex.maxS ? clippedMin : ex.maxS;
  const m = Math.max(nu, nv);
  const n = Math.min(nu, nv);
  const prob = kstwoSf(d, roundHalfEven((m * n) / (m + n)));
  return {
    ks: { statistic: d, pValue: Math.min(Math.max(prob, 0), 1), method: 'asymp' },
    wasserstein: area / nu / nv,
    refCounts,
    curCounts,
  };
}
