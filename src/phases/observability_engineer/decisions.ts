import { z } from 'zod';

// Hand-off contract of the observability_engineer phase. Add fields freely; remove none.
export const ObservabilityEngineerDecisions = z.object({
  alerts: z.array(
    z.object({
      name: z.string(),
      severity: z.enum(['critical', 'warning', 'info']),
      for_seconds: z.number(),
      summary: z.string(),
      // Added by the phase implementation (the fields above are the original contract).
      category: z.string().describe('availability, latency, capacity, quality, drift, data, batch, stream, training, cost'),
      route: z.enum(['page', 'ticket', 'report']).describe('page = on-call incident, ticket = low-urgency, report = no notification'),
      runbook: z.string().describe('bundle path of the runbook, docs/runbooks/<alert>.md'),
      detection_seconds: z.number().nullable().describe('worst-case time from a hard failure to the notification; null where the alert time SLO does not apply'),
      meets_alert_time: z.boolean().nullable(),
      retraining_trigger: z.boolean(),
    }),
  ),
  drift: z.object({
    schedule: z.string(),
    window_hours: z.number(),
    worst_case_detection_hours: z.number(),
    tests: z.array(
      z.object({
        feature: z.string(),
        test: z.string(),
        threshold: z.number(),
        // Added: threshold above is the critical level of the test statistic.
        warn_threshold: z.number(),
        p_value_max: z.number().nullable(),
        min_samples: z.number(),
        retraining_trigger: z.boolean(),
      }),
    ),
    interval_minutes: z.number(),
    job_runtime_minutes: z.number(),
    alert_for_minutes: z.number(),
    worst_case_one_failed_run_hours: z.number(),
    meets_window: z.boolean(),
    concept_drift_detection_hours: z.number(),
  }),
  oncall: z.string(),
  dashboards: z.array(z.string()),
  budget: z.object({
    monthly_usd: z.number(),
    alert_thresholds_pct: z.array(z.number()),
    // Added.
    alert_thresholds_usd: z.array(z.number()),
    cost_allocation_labels: z.record(z.string(), z.string()),
  }),
  retraining_triggers: z.array(z.string()),
  // Added: what later issues (serving code, Terraform, dashboards, Alertmanager) need to stay consistent.
  metrics: z.record(z.string(), z.object({ name: z.string(), type: z.enum(['counter', 'gauge', 'histogram']), labels: z.array(z.string()) })),
  monitoring_stack: z.string(),
  scrape_interval_seconds: z.number(),
  latency_buckets_seconds: z.array(z.number()),
  slo_burn: z.object({
    error_budget_ratio: z.number(),
    budget_minutes_per_30d: z.number(),
    windows: z.array(z.object({ burn_rate: z.number(), long_window: z.string(), short_window: z.string(), severity: z.enum(['critical', 'warning']) })),
  }),
  quality: z.object({ metric: z.string(), direction: z.enum(['maximize', 'minimize']), reference: z.number(), window_hours: z.number(), min_labelled_samples: z.number(), warn_degradation_pct: z.number(), critical_degradation_pct: z.number() }),
  tracing: z.object({ backend: z.string(), head_sample_ratio: z.number() }),
  logs: z.object({ backend: z.string(), gb_per_day: z.number(), retention_days: z.number() }),
});
export type ObservabilityEngineerDecisions = z.infer<typeof ObservabilityEngineerDecisions>;
