/* eslint-disable no-loss-of-precision -- scipy/cephes coefficients are kept verbatim; the extra digits round to the nearest double */
/**
 * The two-sided one-sample Kolmogorov–Smirnov distribution, a faithful port of scipy (1.17):
 *
 * - `kolmogn(n, x, cdf)`   ← scipy/stats/_ksstats.py `_kolmogn` (Simard & L'Ecuyer 2011 selection of methods), with
 *   `kolmognDMTW` ← `_kolmogn_DMTW` (Durbin matrix, Marsaglia–Tsang–Wang), `kolmognPomeranz` ← `_kolmogn_Pomeranz`,
 *   `kolmognPelzGood` ← `_kolmogn_PelzGood`;
 * - `kstwoSf(d, n)`        ← scipy.stats.kstwo.sf (support (0.5/n, 1), then `kolmogn(n, d, cdf=False)`);
 * - `smirnov(n, d)`        ← scipy.special.smirnov, the C++ of xsf/include/xsf/cephes/kolmogorov.h `_smirnov` (the
 *   one-sided Smirnov survival function, Birnbaum–Tingey sum in double-double arithmetic).
 *
 * numpy's longdouble rescaling steps (`_EP128`) only multiply by powers of two; this port does them in doubles.
 * One deliberate departure, for speed: `_smirnov`'s lower sum has O(n) terms (~20 µs each in double-double here, so
 * seconds for n = 10^6). Sums of more than SM_FAST_MIN_TERMS terms are evaluated in log space
 * (`smirnovLowerSumLog`), and, when the terms form a band many terms wide, by strided summation
 * (`smirnovLowerSumStrided`): ~1 ms instead of seconds, relative error ~1e-9 against scipy (tests hold 1e-6).
 * Matrix products and convolutions sum in a plain order (BLAS may differ): results agree with scipy to ~1e-15
 * relative, not bit for bit.
 */
import {
  type DD,
  dd,
  ddAdd,
  ddAddD,
  ddDiv,
  ddDivD,
  ddFloor,
  ddFrexp,
  ddIsZero,
  ddLdexp,
  ddMul,
  ddSub,
  ddSubD,
  dDivDd,
  dMulDd,
  ldexp,
} from './doubleDouble.js';
import { cephesExpm1 } from './cephes.js';
import { lgam } from './gamma.js';

// ---------------------------------------------------------------------------------------------------------------
// xsf cephes helpers

const MINLOG = -7.451332191019412076235245305675398106812e2; // log(2**(-1075))
const DBL_EPSILON = 2.220446049250313e-16;
const M_LN2 = 0.6931471805599453;

// ---------------------------------------------------------------------------------------------------------------
// smirnov — xsf/include/xsf/cephes/kolmogorov.h

const SMIRNOV_MAX_COMPUTE_N = 1000000;
const SM_UPPER_MAX_TERMS = 3;
const SM_UPPERSUM_MIN_N = 10;
const SM_MAX_EXPONENT = 960;

/** kolmogorov.h nextPowerOf2 (sic: as in scipy). */
function nextPowerOf2(x: number): number {
  const q = ldexp(x, 1 - 53);
  let L = Math.abs(q + x);
  if (L === 0) {
    L = Math.abs(x);
  } else {
    const Lint = Math.trunc(L);
    if (Lint === L) L = Lint;
  }
  return L;
}

/** kolmogorov.h modNX: floor(n·x) and the remainder, exactly. */
function modNX(n: number, x: number): { alpha: number; nxfloor: number; nx: number } {
  const nxD = dMulDd(n, dd(x));
  const nxfloorD = ddFloor(nxD);
  const alphaD = ddSub(nxD, nxfloorD);
  let alpha = alphaD.hi;
  let nxfloor = Math.trunc(nxfloorD.hi);
  if (alpha === 1) {
    nxfloor += 1;
    alpha = 0;
  }
  return { alpha, nxfloor, nx: nxD.hi };
}

/** kolmogorov.h pow_D: a^m for a double-double a (std::pow on the high word plus a correction). */
function powD(a: DD, m: number): DD {
  if (m <= 0) {
    if (m === 0) return dd(1.0);
    return dDivDd(1.0, powD(a, -m));
  }
  if (ddIsZero(a)) return dd(0.0);
  const ans = Math.pow(a.hi, m);
  const r = a.lo / a.hi;
  let adj = m * r;
  if (Math.abs(adj) > 1e-8) {
    if (Math.abs(adj) < 1e-4) {
      // first two terms of the Taylor series of (1+r)^m
      adj += m * r * (((m - 1) / 2.0) * r);
    } else {
      adj = cephesExpm1(m * Math.log1p(r));
    }
  }
  return ddAddD(dd(ans), ans * adj);
}

/** kolmogorov.h pow2: (a+b)^m. */
const pow2 = (a: number, b: number, m: number): number => powD(ddAddD(dd(a), b), m).hi;

/** kolmogorov.h pow2Scaled_D: a^m = significand · 2^exponent. */
function pow2ScaledD(a: DD, m: number): [DD, number] {
  if (m <= 0) {
    if (m === 0) return [dd(1.0), 0];
    const [ans, aE1] = pow2ScaledD(a, -m);
    const [inv, aE2] = ddFrexp(dDivDd(1.0, ans));
    return [inv, -aE1 + aE2];
  }
  const [y, yE] = ddFrexp(a);
  if (m === 1) return [y, yE];
  let maxExpt = SM_MAX_EXPONENT;
  // Quick check whether the exponentiation must be broken up
  if ((m * (y.hi - 1)) / y.hi < -SM_MAX_EXPONENT * M_LN2) {
    const lg2y = Math.log(y.hi) / M_LN2;
    const lgAns = m * lg2y;
    if (lgAns <= -SM_MAX_EXPONENT) {
      maxExpt = Math.trunc(nextPowerOf2(-SM_MAX_EXPONENT / lg2y + 1) / 2);
    }
  }
  if (m <= maxExpt) {
    const ans1 = powD(y, m);
    const [ans, ansE] = ddFrexp(ans1);
    return [ans, ansE + m * yE];
  }
  const q = Math.trunc(m / maxExpt);
  const r = m % maxExpt;
  // y^m = (y^maxExpt)^q * y^r
  const [y2r, y2rE] = pow2ScaledD(y, r);
  const [y2m, y2mE] = pow2ScaledD(y, maxExpt);
  const [y2mq, y2mqE0] = pow2ScaledD(y2m, q);
  const [ans, ansE0] = ddFrexp(ddMul(y2r, y2mq));
  const y2mqE = y2mqE0 + y2mE * q;
  return [ans, ansE0 + y2mqE + y2rE + m * yE];
}

/** kolmogorov.h pow4_D: ((a+b)/(c+d))^m. */
function pow4D(a: number, b: number, c: number, d: number, m: number): DD {
  if (m <= 0) {
    if (m === 0) return dd(1.0);
    return pow4D(c, d, a, b, -m);
  }
  const A = ddAddD(dd(a), b);
  const C = ddAddD(dd(c), d);
  if (ddIsZero(A)) return ddIsZero(C) ? dd(NaN, NaN) : dd(0.0);
  if (ddIsZero(C)) return A.hi < 0 ? dd(-Infinity, -Infinity) : dd(Infinity, Infinity);
  return powD(ddDiv(A, C), m);
}

/** kolmogorov.h updateBinomial: C(n, j+1) from C(n, j), as (mantissa, exponent). */
function updateBinomial(cman: DD, cexpt: number, n: number, j: number): [DD, number] {
  const rat = ddDivD(dd(n - j), j + 1.0);
  const [man2, expt] = ddFrexp(ddMul(cman, rat));
  return [man2, cexpt + expt];
}

/** kolmogorov.h computeAv: A_v(n, x) = Binomial(n,v) · (1-x-v/n)^(n-v) · (x+v/n)^(v-1). */
function computeAv(n: number, x: number, v: number, cman: DD, cexpt: number): DD {
  const t2x = ddSubD(ddDivD(dd(n - v), n), x); // 1 - x - v/n
  const [t2, t2E] = pow2ScaledD(t2x, n - v);
  const t1x = ddAddD(ddDivD(dd(v), n), x); // x + v/n
  const [t1, t1E] = pow2ScaledD(t1x, v - 1);
  const ans = ddMul(ddMul(t1, t2), cman);
  return ddLdexp(ans, cexpt + t1E + t2E);
}

/**
 * scipy.special.smirnov(n, d): the one-sided Kolmogorov–Smirnov survival function Pr(D_n^+ >= d)
 * (xsf kolmogorov.h `_smirnov(n, x).sf`).
 */
export function smirnov(n: number, x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (!(n > 0 && x >= 0.0 && x <= 1.0)) return NaN;
  if (n === 1) return 1 - x;
  if (x === 0.0) return 1.0;
  if (x === 1.0) return 0.0;

  const { alpha, nxfloor: nxfl } = modNX(n, x);
  let n1mxfl = n - nxfl - (alpha === 0 ? 0 : 1);
  let n1mxceil = n - nxfl;
  // If alpha is 0, don't include the last term in either the lower or upper summation.
  if (alpha === 0) {
    n1mxfl -= 1;
    n1mxceil += 1;
  }

  // Special case: x <= 1/n
  if (nxfl === 0 || (nxfl === 1 && alpha === 0)) {
    const t = pow2(1, x, n - 1);
    const cdf = x * t;
    return 1 - cdf;
  }
  // Special case: x is so big, the sf underflows double64
  if (-2 * n * x * x < MINLOG) return 0;
  // Special case: x >= 1 - 1/n
  if (nxfl >= n - 1) return pow2(1, -x, n);
  // Special case: n is so big, take too long to compute
  if (n > SMIRNOV_MAX_COMPUTE_N) {
    // p ~ e^(-(6nx+1)^2 / 18n)
    const logp = -Math.pow(6.0 * n * x + 1, 2) / 18.0 / n;
    let sf: number;
    if (logp < -M_LN2) {
      sf = Math.exp(logp);
    } else {
      const cdf = -cephesExpm1(logp);
      sf = 1 - cdf;
    }
    return sf;
  }

  const nUpperTerms = n - n1mxceil + 1;
  const bUseUpperSum =
    (nUpperTerms <= 1 && x < 0.5) || (n >= SM_UPPERSUM_MIN_N && nUpperTerms <= SM_UPPER_MAX_TERMS && x <= 0.5 / Math.sqrt(n));

  if (!bUseUpperSum && n1mxfl + 1 > SM_FAST_MIN_TERMS) {
    // Long lower sums (large n): the same terms and stopping rule, evaluated in log space in doubles (see below).
    const prob = smirnovLowerSumStrided(n, x, nxfl, alpha, n1mxfl + 1) ?? smirnovLowerSumLog(n, x, nxfl, alpha, n1mxfl + 1);
    return Math.min(Math.max(prob, 0.0), 1.0);
  }

  let start = 0;
  let step = 1;
  let nTerms = n1mxfl + 1;
  let firstJ = 0;
  const vmid = Math.trunc(n / 2);
  let cman = dd(1.0);
  let cexpt = 0;
  let aj: DD;
  if (bUseUpperSum) {
    start = n;
    step = -1;
    nTerms = n - n1mxceil + 1;
    aj = pow4D(1, x, 1, 0, n - 1);
  } else {
    const t2 = pow4D(1, -x, 1, 0, n);
    aj = ddDivD(t2, x);
  }
  let ajSum = ddAdd(dd(0.0), aj);
  [cman, cexpt] = updateBinomial(cman, cexpt, n, 0);
  firstJ++;

  for (let j = firstJ; j < nTerms; j += 1) {
    const v = start + j * step;
    aj = computeAv(n, x, v, cman, cexpt);
    if (Number.isFinite(aj.hi) && !ddIsZero(aj)) {
      ajSum = ddAdd(ajSum, aj);
    }
    // Safe to terminate early?
    if (!ddIsZero(aj)) {
      if (4 * (nTerms - j) * Math.abs(aj.hi) < DBL_EPSILON * ajSum.hi && j !== nTerms - 1) break;
    } else if (j > vmid) {
      break;
    }
    [cman, cexpt] = updateBinomial(cman, cexpt, n, j);
  }
  const prob = dMulDd(x, ajSum).hi;
  const sf = step < 0 ? 1 - prob : prob;
  return Math.min(Math.max(sf, 0.0), 1.0);
}

/**
 * Lower sums longer than this many terms leave the double-double loop (~20 µs a term in JavaScript; the sum has O(n)
 * terms, n = 5·10^5 for two samples of 10^6) for `smirnovLowerSumStrided`, else `smirnovLowerSumLog`.
 */
const SM_FAST_MIN_TERMS = 2000;

/**
 * The same lower sum by strided summation: log A_v is a smooth concave function of v whose significant band is
 * σ ≈ (−d² log A/dv²)^(−1/2) ≫ 1 terms wide for large n, so (Poisson summation) h · Σ_j A_{v*+jh} equals Σ_v A_v up to
 * a relative error of order exp(−2π²σ²/h²), e^−316 for h = σ/4. log C(n, v) comes from cephes lgam (absolute error
 * ~1e-16·log n!, i.e. ~1e-9 relative for n = 10^6). Returns null (use the term-by-term sum) when σ is too small for a
 * stride of 4 or when the band reaches v = 0.
 */
function smirnovLowerSumStrided(n: number, x: number, nxfl: number, alpha: number, nTerms: number): number | null {
  const lgN = lgam(n + 1);
  const logA = (v: number): number => {
    const b = (nxfl + v + alpha) / n; // x + v/n
    const a = (n - nxfl - v - alpha) / n; // 1 − x − v/n
    return lgN - lgam(v + 1) - lgam(n - v + 1) + (n - v) * Math.log(a) + (v - 1) * Math.log(b);
  };
  // the peak, by ternary search over the integers (log A_v is unimodal in v)
  let lo = 0;
  let hi = nTerms - 1;
  while (hi - lo > 2) {
    const m1 = lo + Math.floor((hi - lo) / 3);
    const m2 = hi - Math.floor((hi - lo) / 3);
    if (logA(m1) < logA(m2)) lo = m1 + 1;
    else hi = m2 - 1;
  }
  let peak = lo;
  for (let v = lo + 1; v <= hi; v++) if (logA(v) > logA(peak)) peak = v;
  const top = logA(peak);
  const k = Math.max(1, Math.round(Math.sqrt(n)));
  if (peak - k < 0 || peak + k > nTerms - 1) return null;
  const curvature = -(logA(peak + k) - 2 * top + logA(peak - k)) / (k * k);
  if (!(curvature > 0)) return null;
  const sigma = 1 / Math.sqrt(curvature);
  const cutoff = top - 60;
  if (logA(0) > cutoff) return null;
  // The band [vLow, vHigh] where A_v >= e^-60 · max: a coarse walk, then bisection on each (monotone) side.
  const coarse = Math.max(1, Math.floor(sigma / 4));
  let vLow = peak;
  while (vLow - coarse >= 0 && logA(vLow - coarse) >= cutoff) vLow -= coarse;
  for (let out = Math.max(0, vLow - coarse); vLow - out > 1; ) {
    const mid = Math.floor((out + vLow) / 2);
    if (logA(mid) >= cutoff) vLow = mid;
    else out = mid;
  }
  let vHigh = peak;
  while (vHigh + coarse <= nTerms - 1 && logA(vHigh + coarse) >= cutoff) vHigh += coarse;
  for (let out = Math.min(nTerms - 1, vHigh + coarse); out - vHigh > 1; ) {
    const mid = Math.floor((out + vHigh) / 2);
    if (logA(mid) >= cutoff) vHigh = mid;
    else out = mid;
  }
  // The stride must also be small against the distance from the band to the singularities of log A at
  // x + v/n = 0 and 1 − x − v/n = 0 (the Fourier decay is e^(−2π·distance/h)).
  const nx = nxfl + alpha;
  const h = Math.floor(Math.min(sigma / 4, (vLow + nx) / 8, (n - nx - vHigh) / 8));
  if (h < 4) return null;
  let sum = 1;
  for (let v = peak + h; v <= nTerms - 1; v += h) {
    const la = logA(v);
    if (la < cutoff) break;
    sum += Math.exp(la - top);
  }
  for (let v = peak - h; v >= 0; v -= h) {
    const la = logA(v);
    if (la < cutoff) break;
    sum += Math.exp(la - top);
  }
  return Math.exp(top + Math.log(x * h * sum));
}

/**
 * x · Σ_{v=0}^{nTerms−1} A_v(n, x), the lower Birnbaum–Tingey sum of `_smirnov`, with every term positive:
 * log A_v = log C(n, v) + (n − v)·log(1 − x − v/n) + (v − 1)·log(x + v/n), where 1 − x − v/n and x + v/n are formed
 * from the exact split n·x = nxfl + alpha (as `_smirnov`'s derivative coefficients are), log C(n, v) is accumulated
 * from C(n, v)/C(n, v−1) = (n − v + 1)/v, and the terms are summed relative to a running maximum (log-sum-exp).
 * The early stop is `_smirnov`'s: 4·(nTerms − j)·|A_j| < ε·ΣA, and a zero (underflowed) term past n/2 ends the sum.
 * Relative error about 1e-11 for n <= 10^6, against ~1e-16 for the double-double loop.
 */
function smirnovLowerSumLog(n: number, x: number, nxfl: number, alpha: number, nTerms: number): number {
  const vmid = Math.trunc(n / 2);
  let logC = 0;
  let ref = -Infinity;
  let sum = 0;
  for (let v = 0; v < nTerms; v++) {
    if (v > 0) logC += Math.log((n - v + 1) / v);
    const b = (nxfl + v + alpha) / n; // x + v/n
    const logOneMinusB = b < 0.5 ? Math.log1p(-b) : Math.log((n - nxfl - v - alpha) / n);
    const logA = logC + (n - v) * logOneMinusB + (v - 1) * Math.log(b);
    if (logA > ref) {
      sum = sum * Math.exp(ref - logA) + 1;
      ref = logA;
    } else {
      const t = Math.exp(logA - ref);
      if (t === 0 || logA < MINLOG) {
        if (v > vmid) break;
        continue;
      }
      sum += t;
      if (4 * (nTerms - v) * t < DBL_EPSILON * sum && v !== nTerms - 1) break;
    }
  }
  return Math.exp(ref + Math.log(x * sum));
}

// ---------------------------------------------------------------------------------------------------------------
// kolmogn — scipy/stats/_ksstats.py

const E128 = 128;
const EP128 = 2 ** 128;
const EM128 = 2 ** -128;
const SQRT2PI = Math.sqrt(2 * Math.PI);
const LOG_2PI = Math.log(2 * Math.PI);
const MIN_LOG = -708;
const SQRT3 = Math.sqrt(3);
const PI_SQUARED = Math.PI ** 2;
const PI_FOUR = Math.PI ** 4;
const PI_SIX = Math.PI ** 6;
const STIRLING_COEFFS = [
  -2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3, 8.4175084175084175084e-4,
  -5.952380952380952381e-4, 7.9365079365079365079e-4, -2.7777777777777777778e-3, 8.3333333333333333333e-2,
];

const clipProb = (p: number): number => (p < 0 ? 0 : p > 1 ? 1 : p);
const selectAndClip = (cdfprob: number, sfprob: number, cdf: boolean): number => clipProb(cdf ? cdfprob : sfprob);

/** numpy.polyval (Horner from the highest power). */
function polyval(p: readonly number[], x: number): number {
  let y = 0;
  for (const c of p) y = y * x + c;
  return y;
}

/** _ksstats.py _log_nfactorial_div_n_pow_n: log(n!/n^n) by Stirling. */
function logNfactorialDivNPowN(n: number): number {
  const rn = 1.0 / n;
  return Math.log(n) / 2 - n + LOG_2PI / 2 + rn * polyval(STIRLING_COEFFS, rn / n);
}

function matmul(a: Float64Array, b: Float64Array, m: number): Float64Array<ArrayBuffer> {
  const c = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let k = 0; k < m; k++) {
      const aik = a[i * m + k]!;
      if (aik === 0) continue;
      for (let j = 0; j < m; j++) c[i * m + j]! += aik * b[k * m + j]!;
    }
  }
  return c;
}

/** _ksstats.py _kolmogn_DMTW: Pr(D_n <= d) by the Durbin matrix algorithm (Marsaglia, Tsang & Wang 2003). */
export function kolmognDMTW(n: number, d: number, cdf = true): number {
  if (d >= 1.0) return selectAndClip(1.0, 0.0, cdf);
  const nd = n * d;
  if (nd <= 0.5) return selectAndClip(0.0, 1.0, cdf);
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;

  let H = new Float64Array(m * m);
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let fac = 1.0;
  for (let j = 1; j <= m; j++) {
    v[j - 1] = 1.0 - h ** j;
    w[j - 1] = fac;
    fac /= j;
    v[j - 1]! *= fac;
  }
  const tt = Math.max(2 * h - 1.0, 0) ** m - 2 * h ** m;
  v[m - 1] = (1.0 + tt) * fac;

  for (let i = 1; i < m; i++) {
    for (let r = i - 1; r < m; r++) H[r * m + i] = w[r - (i - 1)]!;
  }
  for (let r = 0; r < m; r++) H[r * m] = v[r]!;
  for (let c = 0; c < m; c++) H[(m - 1) * m + c] = v[m - 1 - c]!;

  let Hpwr = new Float64Array(m * m);
  for (let i = 0; i < m; i++) Hpwr[i * m + i] = 1;
  let nn = n;
  let expnt = 0;
  let Hexpnt = 0;
  while (nn > 0) {
    if (nn % 2) {
      Hpwr = matmul(Hpwr, H, m);
      expnt += Hexpnt;
    }
    H = matmul(H, H, m);
    Hexpnt *= 2;
    if (Math.abs(H[(k - 1) * m + (k - 1)]!) > EP128) {
      for (let i = 0; i < m * m; i++) H[i]! /= EP128;
      Hexpnt += E128;
    }
    nn = Math.trunc(nn / 2);
  }

  let p = Hpwr[(k - 1) * m + (k - 1)]!;
  // Multiply by n!/n^n
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < EM128) {
      p *= EP128;
      expnt -= E128;
    }
  }
  if (expnt !== 0) p = ldexp(p, expnt);
  return selectAndClip(p, 1.0 - p, cdf);
}

/** _ksstats.py _pomeranz_compute_j1j2. */
function pomeranzJ1J2(i: number, n: number, ll: number, ceilf: number, roundf: number): [number, number] {
  let j1: number;
  let j2: number;
  if (i === 0) {
    j1 = -ll - ceilf - 1;
    j2 = ll + ceilf - 1;
  } else {
    const ip1div2 = Math.trunc((i + 1) / 2);
    const ip1mod2 = (i + 1) % 2;
    if (ip1mod2 === 0) {
      if (ip1div2 === n + 1) {
        j1 = n - ll - ceilf - 1;
        j2 = n + ll + ceilf - 1;
      } else {
        j1 = ip1div2 - 1 - ll - roundf - 1;
        j2 = ip1div2 + ll - 1 + ceilf - 1;
      }
    } else {
      j1 = ip1div2 - 1 - ll - 1;
      j2 = ip1div2 + ll + roundf - 1;
    }
  }
  return [Math.max(j1 + 2, 0), Math.min(j2, n)];
}

/** _ksstats.py _kolmogn_Pomeranz: Pr(D_n <= x) by the Pomeranz (1974) recursion. */
export function kolmognPomeranz(n: number, x: number, cdf = true): number {
  const t = n * x;
  const ll = Math.floor(t);
  const f = 1.0 * (t - ll);
  const g = Math.min(f, 1.0 - f);
  const ceilf = f > 0 ? 1 : 0;
  const roundf = f > 0.5 ? 1 : 0;
  const npwrs = 2 * (ll + 1);
  const gpower = new Float64Array(npwrs);
  const twogpower = new Float64Array(npwrs);
  const onem2gpower = new Float64Array(npwrs);
  gpower[0] = 1.0;
  twogpower[0] = 1.0;
  onem2gpower[0] = 1.0;
  let expnt = 0;
  const gOverN = g / n;
  const twoGOverN = (2 * g) / n;
  const oneMinusTwoGOverN = (1 - 2 * g) / n;
  for (let m = 1; m < npwrs; m++) {
    gpower[m] = (gpower[m - 1]! * gOverN) / m;
    twogpower[m] = (twogpower[m - 1]! * twoGOverN) / m;
    onem2gpower[m] = (onem2gpower[m - 1]! * oneMinusTwoGOverN) / m;
  }

  let V0 = new Float64Array(npwrs);
  let V1 = new Float64Array(npwrs);
  V1[0] = 1;
  let V0s = 0;
  let V1s = 0;
  let [j1, j2] = pomeranzJ1J2(0, n, ll, ceilf, roundf);
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1;
    [V0, V1] = [V1, V0];
    [V0s, V1s] = [V1s, V0s];
    V1.fill(0.0);
    [j1, j2] = pomeranzJ1J2(i, n, ll, ceilf, roundf);
    const pwrs = i === 1 || i === 2 * n + 1 ? gpower : i % 2 ? twogpower : onem2gpower;
    const ln2 = j2 - k1 + 1;
    if (ln2 > 0) {
      // conv = np.convolve(V0[k1 - V0s : k1 - V0s + ln2], pwrs[:ln2]) (full mode)
      const aStart = k1 - V0s;
      const aLen = Math.max(0, Math.min(aStart + ln2, npwrs) - aStart);
      const bLen = Math.min(ln2, npwrs);
      const convStart = j1 - k1;
      const convLen = j2 - j1 + 1;
      let maxV1 = -Infinity;
      for (let c = 0; c < convLen; c++) {
        const kk = convStart + c;
        let s = 0;
        const lo = Math.max(0, kk - bLen + 1);
        const hi = Math.min(kk, aLen - 1);
        for (let ia = lo; ia <= hi; ia++) s += V0[aStart + ia]! * pwrs[kk - ia]!;
        V1[c] = s;
        if (s > maxV1) maxV1 = s;
      }
      if (convLen < npwrs && maxV1 < 0) maxV1 = 0; // np.max over the whole row, zeros included
      // Scale to avoid underflow.
      if (0 < maxV1 && maxV1 < EM128) {
        for (let c = 0; c < npwrs; c++) V1[c]! *= EP128;
        expnt -= E128;
      }
      V1s = V0s + j1 - k1;
    }
  }

  // multiply by n!
  let ans = V1[n - V1s]!;
  for (let m = 1; m <= n; m++) {
    if (Math.abs(ans) > EP128) {
      ans *= EM128;
      expnt += E128;
    }
    ans *= m;
  }
  if (expnt !== 0) ans = ldexp(ans, expnt);
  return selectAndClip(ans, 1.0 - ans, cdf);
}

/** _ksstats.py _kolmogn_PelzGood: the Pelz–Good (1976) approximation to Pr(D_n <= x). */
export function kolmognPelzGood(n: number, x: number, cdf = true): number {
  if (x <= 0.0) return selectAndClip(0.0, 1.0, cdf);
  if (x >= 1.0) return selectAndClip(1.0, 0.0, cdf);
  const z = Math.sqrt(n) * x;
  const zsquared = z ** 2;
  const zthree = z ** 3;
  const zfour = z ** 4;
  const zsix = z ** 6;

  const qlog = -PI_SQUARED / 8 / zsquared;
  if (qlog < MIN_LOG) return selectAndClip(0.0, 1.0, cdf);
  let q = Math.exp(qlog);

  const k1a = -zsquared;
  const k1b = PI_SQUARED / 4;
  const k2a = 6 * zsix + 2 * zfour;
  const k2b = ((2 * zfour - 5 * zsquared) * PI_SQUARED) / 4;
  const k2c = (PI_FOUR * (1 - 2 * zsquared)) / 16;
  const k3d = (PI_SIX * (5 - 30 * zsquared)) / 64;
  const k3c = (PI_FOUR * (-60 * zsquared + 212 * zfour)) / 16;
  const k3b = (PI_SQUARED * (135 * zfour - 96 * zsix)) / 4;
  const k3a = -30 * zsix - 90 * z ** 8;

  const K = [0, 0, 0, 0];
  // Horner scheme for sum c_i q^(i^2), over odd integers
  const maxk = Math.ceil((16 * z) / Math.PI);
  for (let k = maxk; k > 0; k--) {
    const m = 2 * k - 1;
    const msquared = m ** 2;
    const mfour = m ** 4;
    const msix = m ** 6;
    const qpower = Math.pow(q, 8 * k);
    const coeffs = [
      1.0,
      k1a + k1b * msquared,
      k2a + k2b * msquared + k2c * mfour,
      k3a + k3b * msquared + k3c * mfour + k3d * msix,
    ];
    for (let i = 0; i < 4; i++) K[i] = K[i]! * qpower + coeffs[i]!;
  }
  const denoms = [z, 6 * zfour, 72 * z ** 7, 6480 * z ** 10];
  for (let i = 0; i < 4; i++) K[i] = (K[i]! * q * SQRT2PI) / denoms[i]!;

  // The other sum, over all integers k
  q = Math.exp(-PI_SQUARED / 2 / zsquared);
  const sqrt3z = SQRT3 * z;
  let k2sum = 0;
  let k3sum = 0;
  for (let k = maxk; k > 0; k--) {
    const ksq = k ** 2;
    const qp = q ** ksq;
    k2sum += ksq * qp;
    const kspi = Math.PI * k;
    k3sum += (sqrt3z + kspi) * (sqrt3z - kspi) * ksq * qp;
  }
  K[2]! += (k2sum * (PI_SQUARED * SQRT2PI)) / (-36 * zthree);
  K[3]! += (k3sum * (PI_SQUARED * SQRT2PI)) / (216 * zsix);
  for (let i = 1; i < 4; i++) K[i] = K[i]! / Math.pow(n * 1.0, i / 2.0);

  if (!cdf) {
    for (let i = 0; i < 4; i++) K[i] = -K[i]!;
    K[0]! += 1;
  }
  return 0 + K[0]! + K[1]! + K[2]! + K[3]!;
}

/**
 * _ksstats.py _kolmogn: CDF (or SF when `cdf` is false) of the two-sided one-sample KS statistic D_n at x
 * (Simard & L'Ecuyer 2011).
 */
export function kolmogn(n: number, x: number, cdf = true): number {
  if (Number.isNaN(n)) return n;
  if (!Number.isInteger(n) || n <= 0) return NaN;
  if (x >= 1.0) return selectAndClip(1.0, 0.0, cdf);
  if (x <= 0.0) return selectAndClip(0.0, 1.0, cdf);
  const t = n * x;
  if (t <= 1.0) {
    // Ruben-Gambino: 1/2n <= x <= 1/n
    if (t <= 0.5) return selectAndClip(0.0, 1.0, cdf);
    let prob: number;
    if (n <= 140) {
      prob = 1;
      for (let i = 1; i <= n; i++) prob *= i * (1.0 / n) * (2 * t - 1);
    } else {
      prob = Math.exp(logNfactorialDivNPowN(n) + n * Math.log(2 * t - 1));
    }
    return selectAndClip(prob, 1.0 - prob, cdf);
  }
  if (t >= n - 1) {
    // Ruben-Gambino
    const prob = 2 * (1.0 - x) ** n;
    return selectAndClip(1 - prob, prob, cdf);
  }
  if (x >= 0.5) {
    // Exact: 2 * smirnov
    const prob = 2 * smirnov(n, x);
    return selectAndClip(1.0 - prob, prob, cdf);
  }

  const nxsquared = t * x;
  if (n <= 140) {
    if (nxsquared <= 0.754693) {
      const prob = kolmognDMTW(n, x, true);
      return selectAndClip(prob, 1.0 - prob, cdf);
    }
    if (nxsquared <= 4) {
      const prob = kolmognPomeranz(n, x, true);
      return selectAndClip(prob, 1.0 - prob, cdf);
    }
    // Miller approximation of 2*smirnov
    const prob = 2 * smirnov(n, x);
    return selectAndClip(1.0 - prob, prob, cdf);
  }

  // Split CDF and SF as they have different cutoffs on nxsquared.
  if (!cdf) {
    if (nxsquared >= 370.0) return 0.0;
    if (nxsquared >= 2.2) return clipProb(2 * smirnov(n, x));
    // Fall through and compute the SF as 1.0-CDF
  }
  let cdfprob: number;
  if (nxsquared >= 18.0) {
    cdfprob = 1.0;
  } else if (n <= 100000 && n * x ** 1.5 <= 1.4) {
    cdfprob = kolmognDMTW(n, x, true);
  } else {
    cdfprob = kolmognPelzGood(n, x, true);
  }
  return selectAndClip(cdfprob, 1.0 - cdfprob, cdf);
}

/**
 * scipy.stats.kstwo.sf(d, n): Pr(D_n >= d) for the two-sided one-sample KS statistic; n must be a positive integer.
 * rv_continuous.sf returns 1 at or below the support's lower end 0.5/n and 0 at or above its upper end 1.
 */
export function kstwoSf(d: number, n: number): number {
  if (!(n >= 1 && Number.isInteger(n)) || Number.isNaN(d)) return NaN;
  if (d <= 0.5 / n) return 1.0;
  if (d >= 1.0) return 0.0;
  return kolmogn(n, d, false);
}
