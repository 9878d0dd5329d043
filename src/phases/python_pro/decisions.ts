import { z } from 'zod';

// Hand-off contract of the python_pro phase: later phases rely on these fields. Add fields freely; remove none.
export const PythonProDecisions = z.object({
  package_name: z.string().describe('Python import name of the generated package'),
  python_version: z.string(),
  test_layers: z.array(z.string()),
  budgets: z.object({ predict_p99_ms: z.number(), batch_rows_per_second: z.number(), training_peak_memory_mb: z.number() }),
  data_loading: z.object({ chunk_rows: z.number(), format: z.string() }),
  caching: z.array(z.object({ what: z.string(), how: z.string() })),
});
export type PythonProDecisions = z.infer<typeof PythonProDecisions>;
