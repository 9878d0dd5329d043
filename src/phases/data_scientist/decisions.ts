import { z } from 'zod';

// Hand-off contract of the data_scientist phase: later phases rely on these fields. Add fields freely; remove none.
export const DataScientistDecisions = z.object({
  features: z.array(
    z.object({
      name: z.string(),
      type: z.string(),
      transform: z.string().describe('e.g. standard_scale, log1p_scale, one_hot, target_encode, tfidf, passthrough'),
      imputation: z.string().describe('e.g. median, most_frequent, constant_missing, none'),
      outliers: z.string().describe('e.g. clip_to_range, winsorize_p01_p99, none'),
      drift_test: z.string().describe('statistical drift test for this feature: ks, psi, chi2, jensen_shannon, wasserstein'),
    }),
  ),
  protected_attributes: z.array(z.string()),
  algorithm: z.object({ family: z.string(), library: z.string(), candidates: z.array(z.string()), rationale: z.string() }),
  primary_metric: z.string(),
  metric_direction: z.enum(['maximize', 'minimize']),
  baseline_metric: z.number().nullable(),
  promotion_threshold: z.number().describe('primary metric value a candidate must reach to be promoted'),
  secondary_metrics: z.array(z.string()),
  training_data: z.object({ window_days: z.number(), min_rows: z.number(), split: z.string() }),
  ab_test: z.object({
    baseline_rate: z.number(),
    absolute_effect: z.number(),
    alpha: z.number(),
    power: z.number(),
    control_n: z.number(),
    treatment_n: z.number(),
    total_n: z.number(),
    duration_days: z.number(),
  }),
  feature_store: z.object({ option: z.string(), online_store: z.string(), offline_store: z.string(), ttl_hours: z.number() }),
});
export type DataScientistDecisions = z.infer<typeof DataScientistDecisions>;
