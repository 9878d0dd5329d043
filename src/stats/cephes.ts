/* eslint-disable no-loss-of-precision -- cephes coefficients are kept verbatim; the extra digits round to the nearest double */
/**
 * Small Cephes helpers shared by the ports of scipy's special functions (scipy/xsf, include/xsf/cephes/polevl.h and
 * unity.h).
 */

const UNITY_EP = [1.2617719307481059087798e-4, 3.0299440770744196129956e-2, 9.9999999999999999991025e-1];
const UNITY_EQ = [3.0019850513866445504159e-6, 2.5244834034968410419224e-3, 2.2726554820815502876593e-1, 2.0000000000000000000897e0];

/** cephes polevl: Horner with coef[0] the highest power. */
export function polevl(x: number, coef: readonly number[], n: number): number {
  let ans = coef[0]!;
  for (let i = 1; i <= n; i++) ans = ans * x + coef[i]!;
  return ans;
}

/** cephes p1evl: as polevl with an implicit leading coefficient 1. */
export function p1evl(x: number, coef: readonly number[], n: number): number {
  let ans = x + coef[0]!;
  for (let i = 1; i < n; i++) ans = ans * x + coef[i]!;
  return ans;
}

/** xsf::cephes::expm1 (unity.h). */
export function cephesExpm1(x: number): number {
  if (!Number.isFinite(x)) {
    if (Number.isNaN(x)) return x;
    return x > 0 ? x : -1.0;
  }
  if (x < -0.5 || x > 0.5) return Math.exp(x) - 1.0;
  const xx = x * x;
  let r = x * polevl(xx, UNITY_EP, 2);
  r = r / (polevl(xx, UNITY_EQ, 3) - r);
  return r + r;
}
