import { z } from 'zod';
import { UserError } from '../errors.js';
import { twoProportionSampleSize } from '../stats/sampleSize.js';
import { READ_ONLY, defineTool } from './tool.js';

export const CalculateSampleSizeInput = z.strictObject({
  baseline_rate: z.number().gt(0).lt(1).describe('Control conversion rate, e.g. 0.1'),
  minimum_detectable_effect: z.number().positive().describe('Smallest effect worth detecting (relative to the baseline unless effect_type is absolute)'),
  effect_type: z.enum(['relative', 'absolute']).default('relative'),
  alpha: z.number().gt(0).lt(0.5).default(0.05).describe('Significance level'),
  power: z.number().gt(0.5).lt(1).default(0.8).describe('1 - beta'),
  two_sided: z.boolean().default(true),
  treatment_share: z.number().gt(0).lt(1).default(0.5).describe('Share of traffic in the treatment group'),
  daily_traffic: z.number().positive().optional().describe('Eligible units (users, requests) per day, for the duration'),
});

export const CalculateSampleSizeOutput = z.object({
  control_rate: z.number(),
  treatment_rate: z.number(),
  absolute_effect: z.number(),
  z_alpha: z.number(),
  z_beta: z.number(),
  control_n: z.number(),
  treatment_n: z.number(),
  total_n: z.number(),
  duration_days: z.number().nullable(),
  formula: z.string(),
});

export const calculateSampleSize = defineTool({
  name: 'calculate_sample_size',
  title: 'A/B test sample size',
  description:
    'Sample size per group for an A/B test on a conversion-type metric (two-proportion z-test, pooled variance under H0), and the test duration when the daily eligible traffic is given.',
  input: CalculateSampleSizeInput,
  output: CalculateSampleSizeOutput,
  annotations: READ_ONLY,
  async handler(args) {
    let result;
    try {
      result = twoProportionSampleSize(args);
    } catch (error) {
      throw new UserError((error as Error).message);
    }
    const duration = args.daily_traffic ? Math.ceil(result.total_n / args.daily_traffic) : null;
    return {
      structured: { ...result, duration_days: duration },
      text: [
        `Control ${(result.control_rate * 100).toFixed(2)} % vs treatment ${(result.treatment_rate * 100).toFixed(2)} % (absolute effect ${result.absolute_effect.toPrecision(3)}), alpha ${args.alpha}${args.two_sided ? ' two-sided' : ' one-sided'}, power ${args.power}:`,
        `${result.control_n.toLocaleString('en-US')} in control + ${result.treatment_n.toLocaleString('en-US')} in treatment = ${result.total_n.toLocaleString('en-US')} units.`,
        duration !== null ? `At ${args.daily_traffic!.toLocaleString('en-US')} eligible units per day: ${duration} day${duration === 1 ? '' : 's'} (run whole weeks to average out weekly cycles).` : '',
        `Formula: ${result.formula}.`,
      ]
        .filter(Boolean)
        .join('\n'),
    };
  },
});
