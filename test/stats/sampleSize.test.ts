import { describe, expect, it } from 'vitest';
import { normalQuantile } from '../../src/stats/normal.js';
import { twoProportionSampleSize } from '../../src/stats/sampleSize.js';

describe('normalQuantile (AS 241)', () => {
  it('matches reference quantiles to 1e-12', () => {
    // Reference values: scipy.stats.norm.ppf
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 12);
    expect(normalQuantile(0.8)).toBeCloseTo(0.8416212335729143, 12);
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 10);
    expect(normalQuantile(0.999)).toBeCloseTo(3.090232306167813, 12);
  });
  it('refuses p outside (0, 1)', () => {
    expect(() => normalQuantile(0)).toThrow(RangeError);
    expect(() => normalQuantile(1)).toThrow(RangeError);
  });
});

describe('two-proportion sample size', () => {
  const base = { alpha: 0.05, power: 0.8, two_sided: true, treatment_share: 0.5, effect_type: 'absolute' as const };

  it('gives the textbook figure for 10 % → 11 % (alpha 0.05, power 0.8)', () => {
    // (1.95996*sqrt(2*0.105*0.895) + 0.84162*sqrt(0.09+0.0979))^2 / 0.01^2 = 14,750.8 → 14,751 per group
    const r = twoProportionSampleSize({ ...base, baseline_rate: 0.1, minimum_detectable_effect: 0.01 });
    expect(r.control_n).toBe(14751);
    expect(r.treatment_n).toBe(14751);
    expect(r.total_n).toBe(29502);
  });

  it('treats a relative effect as a share of the baseline', () => {
    const rel = twoProportionSampleSize({ ...base, effect_type: 'relative', baseline_rate: 0.1, minimum_detectable_effect: 0.1 });
    const abs = twoProportionSampleSize({ ...base, baseline_rate: 0.1, minimum_detectable_effect: 0.01 });
    expect(rel.control_n).toBe(abs.control_n);
  });

  it('needs more units for smaller effects, more power and one-sided tests need fewer', () => {
    const n = (o: Partial<Parameters<typeof twoProportionSampleSize>[0]>) =>
      twoProportionSampleSize({ ...base, baseline_rate: 0.2, minimum_detectable_effect: 0.02, ...o }).control_n;
    expect(n({ minimum_detectable_effect: 0.01 })).toBeGreaterThan(n({}));
    expect(n({ power: 0.9 })).toBeGreaterThan(n({}));
    expect(n({ two_sided: false })).toBeLessThan(n({}));
  });

  it('sizes unequal groups by the treatment share', () => {
    const r = twoProportionSampleSize({ ...base, baseline_rate: 0.1, minimum_detectable_effect: 0.01, treatment_share: 0.2 });
    expect(r.treatment_n / r.control_n).toBeCloseTo(0.25, 3);
    expect(r.total_n).toBeGreaterThan(29502);
  });

  it('refuses effects that push the rate past 1', () => {
    expect(() => twoProportionSampleSize({ ...base, baseline_rate: 0.95, minimum_detectable_effect: 0.1 })).toThrow(/must stay below 1/);
  });
});
