/**
 * Double-double arithmetic (about 106-bit significands), a port of the parts of the qd package that scipy's special
 * functions use: xsf/include/xsf/cephes/dd_real.h (scipy/xsf, derived from qd 2.3.18 by Hida, Li & Bailey).
 *
 * JavaScript has no fused multiply-add, so `twoProd` uses Dekker's exact splitting instead of `fma(a, b, -p)`; both
 * return the exact rounding error of a*b whenever the product neither overflows nor underflows, so the results agree.
 *
 * Values are immutable `{ hi, lo }` pairs. Functions named `dd*` take double-doubles; a `D` suffix marks a plain
 * double operand on that side (`ddMulD(a, b)` is dd × double, `dMulDd(a, b)` is double × dd).
 */

export interface DD {
  readonly hi: number;
  readonly lo: number;
}

export const dd = (hi: number, lo = 0): DD => ({ hi, lo });

const SPLITTER = 134217729.0; // 2^27 + 1
const SPLIT_THRESH = 6.69692879491417e299; // 2^996

/** Error term of the last twoSum / quickTwoSum / twoProd call (the C code's `double *err` out-parameter). */
let ERR = 0;

/** fl(a+b) and err(a+b), assuming |a| >= |b| (dd_real.h quick_two_sum). */
function quickTwoSum(a: number, b: number): number {
  const s = a + b;
  ERR = b - (s - a);
  return s;
}

/** fl(a+b) and err(a+b) (dd_real.h two_sum). */
function twoSum(a: number, b: number): number {
  const s = a + b;
  const c = s - a;
  const d = b - c;
  const e = s - c;
  ERR = a - e + d;
  return s;
}

function split(a: number): [number, number] {
  if (a > SPLIT_THRESH || a < -SPLIT_THRESH) {
    const as = a * 3.7252902984619140625e-9; // 2^-28
    const t = SPLITTER * as;
    const hi = t - (t - as);
    const lo = as - hi;
    return [hi * 268435456.0, lo * 268435456.0];
  }
  const t = SPLITTER * a;
  const hi = t - (t - a);
  return [hi, a - hi];
}

/** fl(a*b) and err(a*b) (dd_real.h two_prod; Dekker's product in place of fma). */
function twoProd(a: number, b: number): number {
  const p = a * b;
  const [ah, al] = split(a);
  const [bh, bl] = split(b);
  ERR = ah * bh - p + ah * bl + al * bh + al * bl;
  return p;
}

export const ddNeg = (a: DD): DD => dd(-a.hi, -a.lo);

export function ddAdd(a: DD, b: DD): DD {
  let s1 = twoSum(a.hi, b.hi);
  let s2 = ERR;
  const t1 = twoSum(a.lo, b.lo);
  const t2 = ERR;
  s2 += t1;
  s1 = quickTwoSum(s1, s2);
  s2 = ERR;
  s2 += t2;
  s1 = quickTwoSum(s1, s2);
  return dd(s1, ERR);
}

export function ddAddD(a: DD, b: number): DD {
  let s1 = twoSum(a.hi, b);
  let s2 = ERR;
  s2 += a.lo;
  s1 = quickTwoSum(s1, s2);
  return dd(s1, ERR);
}

export const dAddDd = (a: number, b: DD): DD => ddAddD(b, a);

export const ddSub = (a: DD, b: DD): DD => ddAdd(a, ddNeg(b));

export function ddSubD(a: DD, b: number): DD {
  let s1 = twoSum(a.hi, -b);
  let s2 = ERR;
  s2 += a.lo;
  s1 = quickTwoSum(s1, s2);
  return dd(s1, ERR);
}

export function dSubDd(a: number, b: DD): DD {
  let s1 = twoSum(a, -b.hi);
  let s2 = ERR;
  s2 -= b.lo;
  s1 = quickTwoSum(s1, s2);
  return dd(s1, ERR);
}

export function ddMul(a: DD, b: DD): DD {
  let p1 = twoProd(a.hi, b.hi);
  let p2 = ERR;
  p2 += a.hi * b.lo + a.lo * b.hi;
  p1 = quickTwoSum(p1, p2);
  return dd(p1, ERR);
}

export function ddMulD(a: DD, b: number): DD {
  let p1 = twoProd(a.hi, b);
  const e1 = ERR;
  const p2 = twoProd(a.lo, b);
  const e2 = ERR;
  p1 = quickTwoSum(p1, e2 + p2 + e1);
  return dd(p1, ERR);
}

export const dMulDd = (a: number, b: DD): DD => ddMulD(b, a);

export function ddDiv(a: DD, b: DD): DD {
  let q1 = a.hi / b.hi; // approximate quotient
  let r = ddSub(a, ddMulD(b, q1));
  let q2 = r.hi / b.hi;
  r = ddSub(r, ddMulD(b, q2));
  const q3 = r.hi / b.hi;
  q1 = quickTwoSum(q1, q2);
  q2 = ERR;
  return ddAddD(dd(q1, q2), q3);
}

export const ddDivD = (a: DD, b: number): DD => ddDiv(a, dd(b));
export const dDivDd = (a: number, b: DD): DD => ddDiv(dd(a), b);

export const ddIsZero = (a: DD): boolean => a.hi === 0 && a.lo === 0;

export function ddFloor(a: DD): DD {
  let hi = Math.floor(a.hi);
  let lo = 0;
  if (hi === a.hi) {
    lo = Math.floor(a.lo);
    hi = quickTwoSum(hi, lo);
    lo = ERR;
  }
  return dd(hi, lo);
}

// ---------------------------------------------------------------------------------------------------------------
// frexp / ldexp on doubles (C's <math.h>), exact.

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const HI = 1; // little-endian: the high word is U32[1]

/** C frexp: x = m · 2^e with 0.5 <= |m| < 1 (m = x, e = 0 for 0, ±Infinity and NaN). */
export function frexp(x: number): [number, number] {
  if (x === 0 || !Number.isFinite(x)) return [x, 0];
  F64[0] = x;
  let biased = (U32[HI]! >>> 20) & 0x7ff;
  let extra = 0;
  if (biased === 0) {
    // subnormal: scale into the normal range first (exact)
    F64[0] = x * 18014398509481984; // 2^54
    biased = (U32[HI]! >>> 20) & 0x7ff;
    extra = -54;
  }
  const e = biased - 1022;
  U32[HI] = (U32[HI]! & 0x800fffff) | (1022 << 20);
  return [F64[0]!, e + extra];
}

const pow2 = (e: number): number => {
  // exact 2^e for -1022 <= e <= 1023
  F64[0] = 0;
  U32[0] = 0;
  U32[HI] = (e + 1023) << 20;
  return F64[0]!;
};

/** C ldexp: x · 2^e, rounded once. */
export function ldexp(x: number, e: number): number {
  if (x === 0 || !Number.isFinite(x) || e === 0) return x;
  let y = x;
  let k = e;
  while (k > 1023) {
    y *= pow2(1023);
    k -= 1023;
    if (!Number.isFinite(y)) return y;
  }
  if (k >= -1022) return y * pow2(k);
  // Scale exactly down to the smallest normal binade at most, then take the one (possibly rounding) step.
  const [, ey] = frexp(y);
  const s1 = Math.max(k, -1021 - ey, -1022);
  if (s1 < 0) {
    y *= pow2(s1);
    k -= s1;
  }
  if (k === 0) return y;
  if (k >= -1022) return y * pow2(k);
  return 0 * y; // underflows to a signed zero
}

/** dd_real.h frexp: b, l with 0.5 <= |b.hi| < 1 and a = b · 2^l. */
export function ddFrexp(a: DD): [DD, number] {
  let [man, exponent] = frexp(a.hi);
  let b1 = ldexp(a.lo, -exponent);
  if (Math.abs(man) === 0.5 && man * b1 < 0) {
    man *= 2;
    b1 *= 2;
    exponent -= 1;
  }
  return [dd(man, b1), exponent];
}

export const ddLdexp = (a: DD, e: number): DD => dd(ldexp(a.hi, e), ldexp(a.lo, e));
