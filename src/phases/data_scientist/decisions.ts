import { z } from 'zod';

const DriftTest = z.object({
  test: z.string().describe('ks, psi, chi2, jensen_shannon'),
  threshold: z.number(),
  alert_when: z.enum(['p_value_below', 'statistic_above']),
  min_effect: z.number().nullable().describe('effect size that must also be exceeded (KS D, Cramér V) so huge samples do not alert on trivial shifts'),
});

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
      // Added by the data_scientist implementation:
      role: z.enum(['model_input', 'protected']).describe('protected attributes are never model inputs; they drive bias checks'),
      source: z.string(),
      missing_indicator: z.boolean(),
      output_columns: z.number().describe('columns the transform produces (0 for protected attributes)'),
      drift_tests: z.array(DriftTest),
    }),
  ),
  protected_attributes: z.array(z.string()),
  algorithm: z.object({ family: z.string(), library: z.string(), candidates: z.array(z.string()), rationale: z.string() }),
  primary_metric: z.string(),
  metric_direction: z.enum(['maximize', 'minimize']),
  baseline_metric: z.number().nullable(),
  promotion_threshold: z.number().describe('primary metric value a candidate must reach to be promoted; when promotion_rule is relative_to_baseline, a factor on the baseline measured at the first training run'),
  secondary_metrics: z.array(z.string()),
  training_data: z.object({ window_days: z.number(), min_rows: z.number(), split: z.string() }).extend({
    holdout_days: z.number().describe('most recent days kept out of training as the out-of-time test set'),
    label_cutoff_hours: z.number().describe('newest hours excluded because their labels have not arrived'),
    examples_per_day: z.number(),
  }),
  ab_test: z.object({
    baseline_rate: z.number(),
    absolute_effect: z.number(),
    alpha: z.number(),
    power: z.number(),
    control_n: z.number(),
    treatment_n: z.number(),
    total_n: z.number(),
    duration_days: z.number(),
  }).extend({
    treatment_share: z.number(),
    treatment_rate: z.number(),
    baseline_origin: z.enum(['experiment.baseline_rate', 'problem.positive_rate', 'default']),
    traffic_basis: z.enum(['online_requests', 'stream_events', 'batch_scored_rows']),
    daily_eligible_units: z.number(),
    guardrails: z.array(z.object({ metric: z.string(), limit: z.number(), rule: z.string() })),
  }),
  feature_store: z.object({ option: z.string(), online_store: z.string(), offline_store: z.string(), ttl_hours: z.number() }).extend({
    views: z.array(z.object({ name: z.string(), source: z.string(), features: z.array(z.string()), ttl_hours: z.number(), online: z.boolean() })),
    definition_files: z.array(z.string()),
    serving_latency_budget_ms: z.number(),
  }),
  // Added: what the metric and promotion numbers mean, drift and bias policies, generated modules.
  metric_origin: z.enum(['spec', 'derived']),
  baseline_origin: z.enum(['spec', 'trivial_model', 'measure_first_run']),
  promotion_rule: z.enum(['absolute', 'relative_to_baseline']).describe('relative: the candidate must reach promotion_threshold x the baseline measured at the first training run'),
  retraining_trigger: z.object({ relative_drop_pct: z.number(), floor: z.number().nullable() }),
  drift_policy: z.object({
    window_hours: z.number(),
    reference: z.string(),
    family_alpha: z.number(),
    tested_features: z.number(),
    per_test_p_value: z.number(),
    psi_alert: z.number(),
    psi_warn: z.number(),
    js_alert: z.number(),
    min_samples: z.number(),
  }),
  bias: z.object({ groups: z.array(z.string()), metrics: z.array(z.object({ name: z.string(), threshold: z.number(), rule: z.string() })) }),
  evaluation: z.array(z.object({ name: z.string(), rule: z.string(), threshold: z.number() })),
  paths: z.object({ feature_spec: z.string(), transform_module: z.string(), validation_module: z.string(), store_module: z.string(), ab_test_plan: z.string() }),
});
export type DataScientistDecisions = z.infer<typeof DataScientistDecisions>;
