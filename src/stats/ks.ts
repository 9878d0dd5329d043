/**
 * Two-sample Kolmogorov–Smirnov test, replicating scipy.stats.ks_2samp(a, b, alternative='two-sided', method='auto')
 * of scipy 1.17 (scipy/stats/_stats_py.py):
 *
 * - statistic: the largest |ECDF_a − ECDF_b| over the pooled data, ECDFs evaluated with searchsorted(side='right')
 *   semantics (ties count fully), each difference computed as i/n1 − j/n2 in doubles exactly as numpy does, so the
 *   unrounded statistic is bit-identical;
 * - method 'auto': exact when max(n1, n2) <= MAX_AUTO_N (10000), otherwise asymptotic;
 * - exact (`_attempt_exact_2kssamp`): the statistic becomes h/lcm(n1, n2) with h = round(d·lcm); n1 == n2 uses
 *   `_compute_prob_outside_square`, otherwise `_compute_outer_prob_inside_method`; a p-value outside [0, 1] (or NaN)
 *   falls back to the asymptotic method, as scipy does (with its RuntimeWarning);
 * - asymptotic: kstwo.sf(d, round(n1·n2/(n1+n2))) (src/stats/kolmogorov.ts).
 *
 * Cost once sorted: the statistic is one merge pass (O(n1 + n2), ~10 ms for 10^6 + 10^6 values). The asymptotic
 * p-value is O(1) or close: when scipy evaluates 2·smirnov(n, d) (2.2 <= n·d² < 370, n = round(n1·n2/(n1+n2)) > 140),
 * the O(n)-term Birnbaum–Tingey sum is evaluated by strided summation (src/stats/kolmogorov.ts), ~1 ms for n = 5·10^5.
 * Exact p-values (max(n1, n2) <= 10000) cost up to O(n1·n2) ≈ 10^8 steps for 10^4 vs 10^4 − 1.
 */
import { kstwoSf } from './kolmogorov.js';

export interface KsResult {
  /** The KS statistic D (rounded to h/lcm(n1, n2) in exact mode, as scipy returns it). */
  statistic: number;
  /** Two-sided p-value. */
  pValue: number;
  /** 'exact' when the exact distribution was used, else 'asymp' (scipy's `method` after its auto switch). */
  method: 'exact' | 'asymp';
}

/** scipy's ks_2samp threshold: method 'auto' tries the exact p-value when max(n1, n2) <= MAX_AUTO_N. */
export const MAX_AUTO_N = 10000;

/** numpy.round / Python round: round half to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  // Math.round rounds .5 up; move ties to the even neighbour.
  if (Math.abs(x - Math.trunc(x)) === 0.5) return 2 * Math.round(x / 2);
  return r;
}

function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

/**
 * The two-sided KS statistic of two sorted samples: max over the pooled values v of |#{a <= v}/n1 − #{b <= v}/n2|,
 * the value scipy computes from np.searchsorted(..., side='right') (numpy's clip of −min to [0, 1] and the
 * `minS > maxS` choice included).
 */
export function ksStatisticSorted(a: Float64Array, b: Float64Array): number {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0;
  let j = 0;
  let maxS = -Infinity;
  let minDiff = Infinity;
  while (i < n1 || j < n2) {
    const v = j >= n2 || (i < n1 && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    while (i < n1 && a[i]! <= v) i++;
    while (j < n2 && b[j]! <= v) j++;
    const diff = i / n1 - j / n2;
    if (diff > maxS) maxS = diff;
    if (diff < minDiff) minDiff = diff;
  }
  const minS = Math.min(Math.max(-minDiff, 0), 1);
  return minS > maxS ? minS : maxS;
}

/** _stats_py.py _compute_prob_outside_square: Pr(D_{n,n} >= h/n), Horner-like to avoid cancellation. */
export function computeProbOutsideSquare(n: number, h: number): number {
  let P = 0.0;
  let k = Math.floor(n / h);
  while (k >= 0) {
    let p1 = 1.0;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1.0 - P);
    k -= 1;
  }
  return 2 * P;
}

/**
 * _stats_pythran.py _compute_outer_prob_inside_method: the proportion of lattice paths from (0, 0) to (m, n) that do
 * not stay strictly inside |x/m − y/n| < h/lcm(m, n) (Hodges 1958; the 1 − p recursion of Viehmann 2021).
 */
export function computeOuterProbInsideMethod(m0: number, n0: number, g: number, h: number): number {
  const m = Math.max(m0, n0);
  const n = Math.min(m0, n0);
  const mg = Math.trunc(m / g);
  const ng = Math.trunc(n / g);
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  A.fill(0.0, minj, maxj);
  for (let i = 1; i < m + 1; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.max(Math.floor((ng * i - h) / mg) + 1, 0);
    minj = Math.min(minj, n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1.0;
    let val = minj === 0 ? 0.0 : 1.0;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (A[jj + minj - lastminj]! * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) {
      // Set some carried-over elements to 1
      A.fill(1, maxj - minj, Math.min(maxj - minj + (lastlen - curlen), lenA));
    }
  }
  return A[maxj - minj - 1]!;
}

/** _stats_py.py _attempt_exact_2kssamp (two-sided): [success, rounded d, p]. */
function attemptExact2kssamp(n1: number, n2: number, g: number, d: number): [boolean, number, number] {
  const lcm = Math.trunc(n1 / g) * n2;
  const h = roundHalfEven(d * lcm);
  const dRounded = (h * 1.0) / lcm;
  if (h === 0) return [true, dRounded, 1.0];
  const prob = n1 === n2 ? computeProbOutsideSquare(n1, h) : computeOuterProbInsideMethod(n1, n2, g, h);
  if (!(prob >= 0 && prob <= 1)) return [false, dRounded, prob];
  return [true, dRounded, prob];
}

function checkSorted(x: Float64Array, name: string): void {
  if (x.length === 0) throw new Error(`ks2samp: sample ${name} is empty (scipy: Data passed to ks_2samp must not be empty)`);
  let prev = -Infinity;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (!Number.isFinite(v)) throw new Error(`ks2samp: sample ${name} has a non-finite value (${v}) at index ${i}`);
    if (v < prev) throw new Error(`ks2sampSorted: sample ${name} is not sorted ascending at index ${i}`);
    prev = v;
  }
}

/**
 * scipy.stats.ks_2samp(a, b) (two-sided, method='auto') for samples already sorted ascending, finite and non-empty
 * (checked in one linear pass; throws otherwise).
 */
export function ks2sampSorted(a: Float64Array, b: Float64Array): KsResult {
  checkSorted(a, 'a');
  checkSorted(b, 'b');
  const n1 = a.length;
  const n2 = b.length;
  let d = ksStatisticSorted(a, b);
  const g = gcd(n1, n2);
  let method: 'exact' | 'asymp' = Math.max(n1, n2) <= MAX_AUTO_N ? 'exact' : 'asymp';
  let prob = -Infinity;
  if (method === 'exact') {
    const [success, dRounded, p] = attemptExact2kssamp(n1, n2, g, d);
    d = dRounded;
    prob = p;
    if (!success) method = 'asymp';
  }
  if (method === 'asymp') {
    const m = Math.max(n1, n2);
    const n = Math.min(n1, n2);
    const en = (m * n) / (m + n);
    prob = kstwoSf(d, roundHalfEven(en));
  }
  const pValue = Math.min(Math.max(prob, 0), 1);
  return { statistic: d, pValue, method };
}

/** scipy.stats.ks_2samp(a, b) (two-sided, method='auto'): copies and sorts the samples; values must be finite. */
export function ks2samp(a: ArrayLike<number>, b: ArrayLike<number>): KsResult {
  const sa = Float64Array.from(a).sort();
  const sb = Float64Array.from(b).sort();
  return ks2sampSorted(sa, sb);
}
