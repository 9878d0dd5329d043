import { normalQuantile } from './normal.js';

export interface SampleSizeInput {
  /** Conversion (success) rate of the control group, 0 < p < 1. */
  baseline_rate: number;
  /** Smallest difference worth detecting; relative to the baseline unless effect_type is 'absolute'. */
  minimum_detectable_effect: number;
  effect_type: 'relative' | 'absolute';
  alpha: number;
  power: number;
  two_sided: boolean;
  /** Share of traffic in the treatment group (0.5 = equal groups). */
  treatment_share: number;
}

export interface SampleSizeResult {
  control_rate: number;
  treatment_rate: number;
  absolute_effect: number;
  z_alpha: number;
  z_beta: number;
  control_n: number;
  treatment_n: number;
  total_n: number;
  formula: string;
}

export const SAMPLE_SIZE_FORMULA =
  'n_c = (z_a * sqrt(pbar*(1-pbar)*(1+1/k)) + z_b * sqrt(p1*(1-p1) + p2*(1-p2)/k))^2 / (p2-p1)^2, n_t = k*n_c, ' +
  'pbar = (p1 + k*p2)/(1+k), k = treatment/control; two-proportion z-test without continuity correction (Fleiss, Levin & Paik 2003, eq. 4.14)';

/**
 * Sample size per group for comparing two proportions (pooled variance under H0, unpooled under H1). With
 * k = 1 this is the textbook n = (z_a*sqrt(2*pbar*(1-pbar)) + z_b*sqrt(p1(1-p1)+p2(1-p2)))^2 / delta^2.
 */
export function twoProportionSampleSize(input: SampleSizeInput): SampleSizeResult {
  const p1 = input.baseline_rate;
  const delta = input.effect_type === 'absolute' ? input.minimum_detectable_effect : p1 * input.minimum_detectable_effect;
  const p2 = p1 + delta;
  if (!(p1 > 0 && p1 < 1)) throw new RangeError('baseline_rate must be between 0 and 1 (exclusive)');
  if (!(delta > 0)) throw new RangeError('minimum_detectable_effect must be positive');
  if (!(p2 < 1)) {
    throw new RangeError(`baseline_rate + effect = ${p2.toFixed(4)} must stay below 1; use a smaller minimum_detectable_effect`);
  }
  if (!(input.alpha > 0 && input.alpha < 1)) throw new RangeError('alpha must be between 0 and 1');
  if (!(input.power > 0 && input.power < 1)) throw new RangeError('power must be between 0 and 1');
  if (!(input.treatment_share > 0 && input.treatment_share < 1)) throw new RangeError('treatment_share must be between 0 and 1');
  const k = input.treatment_share / (1 - input.treatment_share);
  const zAlpha = normalQuantile(1 - (input.two_sided ? input.alpha / 2 : input.alpha));
  const zBeta = normalQuantile(input.power);
  const pbar = (p1 + k * p2) / (1 + k);
  const numerator = zAlpha * Math.sqrt(pbar * (1 - pbar) * (1 + 1 / k)) + zBeta * Math.sqrt(p1 * (1 - p1) + (p2 * (1 - p2)) / k);
  const controlN = Math.ceil((numerator * numerator) / (delta * delta) - 1e-9);
  const treatmentN = Math.ceil(k * controlN - 1e-9);
  return {
    control_rate: p1,
    treatment_rate: p2,
    absolute_effect: delta,
    z_alpha: zAlpha,
    z_beta: zBeta,
    control_n: controlN,
    treatment_n: treatmentN,
    total_n: controlN + treatmentN,
    formula: SAMPLE_SIZE_FORMULA,
  };
}
