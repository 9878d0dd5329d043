import { z } from 'zod';

// Hand-off contract of the python_pro phase: later phases rely on these fields. Add fields freely; remove none.
export const PythonProDecisions = z.object({
  package_name: z.string().describe('Python import name of the generated package'),
  python_version: z.string(),
  test_layers: z.array(z.string()),
  budgets: z.object({
    predict_p99_ms: z.number(),
    batch_rows_per_second: z.number(),
    training_peak_memory_mb: z.number(),
    per_member_p99_ms: z.number().describe('inference budget of one ensemble member (members score one after another)'),
    batch_window_hours: z.number().describe('hours a batch scoring run may take'),
    latency_split: z.array(z.object({ component: z.string(), share_pct: z.number(), ms: z.number() })).describe('how slo.p99_latency_ms is shared'),
    training_memory_request_mb: z.number().describe('memory request of the training pod (from ml_engineer) the peak must fit in'),
  }),
  data_loading: z.object({
    chunk_rows: z.number(),
    format: z.string(),
    chunk_budget_mb: z.number(),
    raw_bytes_per_row: z.number().describe('bytes per row as read with default dtypes'),
    bytes_per_row: z.number().describe('bytes per row after downcasting'),
    dtypes: z.array(z.object({ column: z.string(), dtype: z.string() })),
  }),
  caching: z.array(z.object({ what: z.string(), how: z.string() })),
  logging: z.object({ format: z.string(), fields: z.array(z.string()) }),
  errors: z.array(z.string()).describe('exception classes of errors.py, root first'),
  modules: z.array(z.string()),
  quality_tests: z.array(z.object({ feature: z.string(), kind: z.enum(['invariance', 'directional']), test: z.string() })),
});
export type PythonProDecisions = z.infer<typeof PythonProDecisions>;
