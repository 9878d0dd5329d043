import { z } from 'zod';

// Hand-off contract of the observability_engineer phase. Add fields freely; remove none.
export const ObservabilityEngineerDecisions = z.object({
  alerts: z.array(z.object({ name: z.string(), severity: z.enum(['critical', 'warning', 'info']), for_seconds: z.number(), summary: z.string() })),
  drift: z.object({ schedule: z.string(), window_hours: z.number(), worst_case_detection_hours: z.number(), tests: z.array(z.object({ feature: z.string(), test: z.string(), threshold: z.number() })) }),
  oncall: z.string(),
  dashboards: z.array(z.string()),
  budget: z.object({ monthly_usd: z.number(), alert_thresholds_pct: z.array(z.number()) }),
  retraining_triggers: z.array(z.string()),
});
export type ObservabilityEngineerDecisions = z.infer<typeof ObservabilityEngineerDecisions>;
