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
      // Added by the data_engineer implementation:
      ingestion_origin: z.enum(['spec', 'derived']).describe('whether the spec set the ingestion mode or it was derived from the kind'),
      batch_interval_hours: z.number().nullable().describe('hours between batch runs; null for continuous (CDC/stream) sources'),
      freshness_minutes: z.number().describe('largest acceptable age of the newest record before the freshness gate fires'),
      row_bytes: z.number().describe('assumed uncompressed bytes per row (the volume estimate)'),
      features: z.array(z.string()).describe('features read from this source'),
      offset_tracking: z.string(),
      backfill_method: z.string(),
      raw_uri: z.string(),
      processed_uri: z.string(),
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
    // Added: anomaly rules the monitoring phase can turn into alerts.
    anomaly_rules: z.array(z.object({ name: z.string(), metric: z.string(), rule: z.string(), action: z.enum(['block', 'quarantine', 'warn']) })),
  }),
  versioning: z.object({ tool: z.enum(['dvc', 'lakefs']), remote: z.string() }),
  lineage: z.object({ standard: z.string(), namespace: z.string() }),
  // Added: columns and files later phases reference.
  entity_key: z.string(),
  event_timestamp: z.string(),
  label: z.object({ column: z.string(), source: z.string() }),
  paths: z.object({
    schemas: z.record(z.string(), z.string()).describe('JSON Schema file per source'),
    quality_gates: z.string(),
    validation_module: z.string().describe('dotted Python module validating records against the contract'),
    profiling_module: z.string(),
    backfill_script: z.string(),
    // Added with the data layer's code (issue 6):
    expectations: z.record(z.string(), z.string()).describe('Great Expectations suite file per source'),
    models_module: z.string().describe('dotted Python module with one pydantic model per source'),
    expectations_module: z.string().describe('dotted Python module running the expectation suites'),
    incremental_module: z.string().describe('dotted Python module with the watermark and CDC loaders'),
    lineage_module: z.string().describe('dotted Python module emitting OpenLineage run events'),
  }),
});
export type DataEngineerDecisions = z.infer<typeof DataEngineerDecisions>;
