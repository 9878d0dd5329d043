import { z } from 'zod';

// Hand-off contract of the data_engineer phase: later phases rely on these fields. Add fields freely; remove none.
export const DataEngineerDecisions = z.object({
  sources: z.array(
    z.object({
      name: z.string(),
      kind: z.string(),
      ingestion: z.enum(['batch', 'cdc', 'stream']),
      connector: z.string().describe('e.g. debezium-postgres, kafka-consumer, incremental-sql, object-listing'),
      schedule: z.string().describe('cron expression, or "continuous" for CDC and streams'),
      watermark_column: z.string(),
      rows_per_day: z.number(),
      gb_per_day: z.number(),
      partitioning: z.object({ granularity: z.enum(['hourly', 'daily', 'monthly']), keys: z.array(z.string()) }),
    }),
  ),
  total_rows_per_day: z.number(),
  total_gb_per_day: z.number(),
  layers: z.object({
    raw: z.object({ uri: z.string(), format: z.string(), retention_days: z.number() }),
    processed: z.object({ uri: z.string(), format: z.string(), retention_days: z.number() }),
    features: z.object({ uri: z.string(), format: z.string(), retention_days: z.number() }),
  }),
  quality: z.object({
    max_issue_rate_pct: z.number(),
    min_pass_rate_pct: z.number(),
    gates: z.array(z.object({ name: z.string(), check: z.string(), threshold: z.number(), action: z.enum(['block', 'quarantine', 'warn']) })),
  }),
  versioning: z.object({ tool: z.enum(['dvc', 'lakefs']), remote: z.string() }),
  lineage: z.object({ standard: z.string(), namespace: z.string() }),
});
export type DataEngineerDecisions = z.infer<typeof DataEngineerDecisions>;
