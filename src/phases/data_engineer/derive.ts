import type { Feature, FeatureType, ProblemType, SourceKind } from '../../spec/schema.js';
import type { ResolvedSpec } from '../../spec/resolve.js';
import { objectStoreUri, pythonPackage } from '../common.js';

// Pure derivations of the data_engineer phase: every figure the document states and the artifacts use is
// computed here once, from the spec, so the document, the decisions and the files cannot disagree.

export type IngestionMode = 'batch' | 'cdc' | 'stream';
export type Granularity = 'hourly' | 'daily' | 'monthly';
export type GateAction = 'block' | 'quarantine' | 'warn';
export type ResolvedFeature = Feature & { source: string };

/** The spec's features with their source resolved (the intersection type of ResolvedSpec confuses Array.filter's overloads). */
export function specFeatures(spec: ResolvedSpec): ResolvedFeature[] {
  return spec.data.features;
}

/** Bytes per value by feature type, uncompressed (the per-row byte assumption of the volume estimate). */
export const VALUE_BYTES: Record<Exclude<FeatureType, 'categorical'>, number> = {
  numeric: 8, // float64
  integer: 8, // int64
  boolean: 1,
  timestamp: 8, // epoch micros
  text: 256, // assumed mean length of free text; the profiler measures the real one
};
/** Categorical values without a declared category set are assumed to average this many bytes. */
export const UNKNOWN_CATEGORY_BYTES = 16;
/** Entity key (~16 B), event timestamp (8 B) and ingestion metadata (~40 B: ingestion time, source offset, operation, batch id). */
export const ROW_OVERHEAD_BYTES = 64;
/** Debezium change events carry the before and the after image of a row. */
export const CDC_ENVELOPE_FACTOR = 2;
/** A batch run should move at most this many rows, so a failed run is cheap to retry. */
export const MAX_ROWS_PER_BATCH_RUN = 2_000_000;
const BATCH_INTERVALS_H = [24, 12, 8, 6, 4, 3, 2, 1] as const;
/** Partition granularity thresholds (rows per day of one source). */
export const HOURLY_PARTITION_MIN_ROWS = 24_000_000; // ≥ 1 M rows in every hourly partition
export const MONTHLY_PARTITION_MAX_ROWS = 100_000; // < 3 M rows in a whole month: daily partitions would be tiny files
/** Compression assumptions: row-oriented Avro + zstd for raw, columnar Parquet + zstd (dictionary encoding) downstream. */
export const RAW_COMPRESSION = 3;
export const COLUMNAR_COMPRESSION = 5;
/** Until profiling has learned a baseline, a nullable feature may be missing in up to this share of records. */
export const NULLABLE_NULL_CEILING_PCT = 20;
/** Volume anomaly: |z| above this versus the same hour/weekday of the last 28 days. */
export const VOLUME_Z_LIMIT = 3;
/** Stream and CDC data is validated in micro-batches of this many minutes. */
export const MICRO_BATCH_MINUTES = 5;

export interface ConnectorChoice {
  connector: string;
  /** How the connector remembers where it stopped. */
  offset: string;
  /** How a date range is re-ingested (backfill). */
  backfill: string;
}

export interface SourcePlan {
  name: string;
  kind: SourceKind;
  description: string | undefined;
  ingestion: IngestionMode;
  ingestion_origin: 'spec' | 'derived';
  connector: string;
  offset_tracking: string;
  backfill_method: string;
  schedule: string;
  batch_interval_hours: number | null;
  rows_per_run: number | null;
  watermark_column: string;
  late_overlap_minutes: number;
  features: string[];
  row_bytes: number;
  rows_per_day: number;
  gb_per_day: number;
  partitioning: { granularity: Granularity; keys: string[]; rows_per_partition: number };
  freshness_minutes: number;
  validation_runs_per_day: number;
  raw_uri: string;
  processed_uri: string;
}

export interface LayerPlan {
  name: 'raw' | 'processed' | 'features';
  uri: string;
  format: string;
  compression: string;
  retention_days: number;
  retention_origin: 'spec' | 'derived';
  gb_per_day_stored: number;
  steady_state_tb: number;
  transitions: { after_days: number; tier: string }[];
}

export interface Gate {
  name: string;
  check: string;
  threshold: number;
  action: GateAction;
  scope: string;
}

export interface AnomalyRule {
  name: string;
  metric: string;
  rule: string;
  action: GateAction;
}

export interface DataPlan {
  entity_key: string;
  event_timestamp: string;
  sources: SourcePlan[];
  total_rows_per_day: number;
  total_gb_per_day: number;
  label: { column: string; source: string; json_type: string; minimum: number | undefined; enum: number[] | undefined };
  layers: { raw: LayerPlan; processed: LayerPlan; features: LayerPlan };
  volume_tier: string;
  quality: {
    max_issue_rate_pct: number;
    min_pass_rate_pct: number;
    expected_issue_records_per_day: number;
    validation_runs_per_30d: number;
    allowed_failed_runs_per_30d: number;
    gates: Gate[];
    anomaly_rules: AnomalyRule[];
  };
  versioning: { tool: 'dvc' | 'lakefs'; remote: string; storage_namespace: string; detail: string };
  lineage: { standard: string; namespace: string; backend: string; emitter: string; datasets: { source: string; namespace: string; name: string }[] };
  paths: {
    schemas: Record<string, string>;
    ingestion: Record<string, string>;
    expectations: Record<string, string>;
    quality_gates: string;
    validation_module: string;
    profiling_module: string;
    models_module: string;
    expectations_module: string;
    incremental_module: string;
    lineage_module: string;
    backfill_script: string;
  };
}

export function defaultIngestion(kind: SourceKind): IngestionMode {
  switch (kind) {
    case 'postgres':
    case 'mysql':
      return 'cdc'; // OLTP databases: read the write-ahead log / binlog instead of polling tables
    case 'kafka':
    case 'kinesis':
      return 'stream';
    default:
      return 'batch'; // warehouses, object stores, APIs and files: incremental batch with a watermark
  }
}

/** The connector for a (kind, mode) pair: what runs, how it keeps its position, how it re-reads a range. */
export function connectorFor(kind: SourceKind, mode: IngestionMode): ConnectorChoice {
  if (mode === 'cdc' || mode === 'stream') {
    switch (kind) {
      case 'postgres':
        return { connector: 'debezium-postgres', offset: 'WAL LSN (logical replication slot, pgoutput)', backfill: 'debezium incremental snapshot (signal table) for the range' };
      case 'mysql':
        return { connector: 'debezium-mysql', offset: 'binlog GTID set', backfill: 'debezium incremental snapshot (signal table) for the range' };
      case 'kafka':
        return { connector: 'kafka-consumer', offset: 'committed consumer-group offsets', backfill: 'seek offsets by timestamp (offsetsForTimes) and re-consume the range' };
      case 'kinesis':
        return { connector: 'kinesis-consumer', offset: 'KCL lease table checkpoints (sequence numbers)', backfill: 'AT_TIMESTAMP shard iterators for the range' };
      case 'snowflake':
        return { connector: 'snowflake-stream', offset: 'Snowflake STREAM offset on the source table', backfill: 'incremental SQL over the range' };
      case 'bigquery':
        return { connector: 'bigquery-change-history', offset: 'last read commit timestamp (CHANGES table function)', backfill: 'incremental SQL over the range' };
      case 's3':
      case 'gcs':
      case 'azure_blob':
        return { connector: 'object-event-notifications', offset: 'acknowledged notification messages', backfill: 'list objects by last-modified time for the range' };
      case 'api':
        return { connector: 'webhook-receiver', offset: 'acknowledged delivery ids', backfill: 'paged API reads filtered by the range' };
      case 'file':
        return { connector: 'file-watcher', offset: 'processed-file manifest', backfill: 're-process files whose names fall in the range' };
    }
  }
  switch (kind) {
    case 'postgres':
    case 'mysql':
    case 'snowflake':
    case 'bigquery':
      return { connector: 'incremental-sql', offset: 'high-water mark on the watermark column', backfill: 'incremental SQL over the range' };
    case 's3':
    case 'gcs':
    case 'azure_blob':
      return { connector: 'object-listing', offset: 'high-water mark on object last-modified time', backfill: 'list objects by last-modified time for the range' };
    case 'kafka':
      return { connector: 'kafka-batch-consumer', offset: 'consumer-group offsets committed at the end of each run', backfill: 'seek offsets by timestamp (offsetsForTimes) and re-consume the range' };
    case 'kinesis':
      return { connector: 'kinesis-batch-consumer', offset: 'checkpointed sequence numbers per shard', backfill: 'AT_TIMESTAMP shard iterators for the range' };
    case 'api':
      return { connector: 'incremental-api', offset: 'high-water mark on the updated-since parameter', backfill: 'paged API reads filtered by the range' };
    case 'file':
      return { connector: 'file-drop', offset: 'processed-file manifest', backfill: 're-process files whose names fall in the range' };
  }
}

/** Largest interval (a divisor of 24 h) keeping a run at or under MAX_ROWS_PER_BATCH_RUN rows. */
export function batchIntervalHours(rowsPerDay: number): number {
  return BATCH_INTERVALS_H.find((h) => (rowsPerDay * h) / 24 <= MAX_ROWS_PER_BATCH_RUN) ?? 1;
}

export function batchCron(intervalHours: number): string {
  // Minute 15 leaves the source a quarter hour to commit the closing interval; daily runs start at 01:15 UTC.
  if (intervalHours === 24) return '15 1 * * *';
  if (intervalHours === 1) return '15 * * * *';
  return `15 */${intervalHours} * * *`;
}

export function valueBytes(feature: Pick<Feature, 'type' | 'categories'>): number {
  if (feature.type === 'categorical') {
    const cats = feature.categories ?? [];
    return cats.length > 0 ? Math.max(...cats.map((c) => Buffer.byteLength(c, 'utf8'))) + 1 : UNKNOWN_CATEGORY_BYTES;
  }
  return VALUE_BYTES[feature.type];
}

export function partitioningFor(rowsPerDay: number): { granularity: Granularity; keys: string[]; rows_per_partition: number } {
  if (rowsPerDay >= HOURLY_PARTITION_MIN_ROWS) return { granularity: 'hourly', keys: ['event_date', 'event_hour'], rows_per_partition: Math.round(rowsPerDay / 24) };
  if (rowsPerDay < MONTHLY_PARTITION_MAX_ROWS) return { granularity: 'monthly', keys: ['event_month'], rows_per_partition: rowsPerDay * 30 };
  return { granularity: 'daily', keys: ['event_date'], rows_per_partition: rowsPerDay };
}

/** Retention per layer by total raw volume: the more data per day, the shorter the expensive raw history. */
export const RETENTION_TIERS: { maxGbPerDay: number; label: string; raw: number; processed: number; features: number }[] = [
  { maxGbPerDay: 10, label: '< 10 GB/day', raw: 365, processed: 730, features: 730 },
  { maxGbPerDay: 100, label: '10-100 GB/day', raw: 180, processed: 365, features: 395 },
  { maxGbPerDay: 1000, label: '100-1,000 GB/day', raw: 90, processed: 365, features: 395 },
  { maxGbPerDay: Infinity, label: '≥ 1,000 GB/day', raw: 30, processed: 180, features: 395 },
];

/** Storage classes per cloud, by age: hot storage first, then infrequent access at 30 days, cold at 90 days. */
export function storageTiers(cloud: ResolvedSpec['options']['cloud_provider']): { hot: string; warm: string; cold: string } {
  switch (cloud) {
    case 'aws':
    case 'multi-cloud':
      return { hot: 'S3 Standard', warm: 'S3 Standard-IA', cold: 'S3 Glacier Instant Retrieval' };
    case 'gcp':
      return { hot: 'Standard', warm: 'Nearline', cold: 'Coldline' };
    case 'azure':
      return { hot: 'Hot', warm: 'Cool', cold: 'Cold' };
  }
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** JSON Schema type of the label column by problem type. */
function labelShape(type: ProblemType): { json_type: string; minimum: number | undefined; enum: number[] | undefined } {
  switch (type) {
    case 'binary_classification':
    case 'anomaly_detection':
      return { json_type: 'integer', minimum: undefined, enum: [0, 1] };
    case 'multiclass_classification':
      return { json_type: 'string', minimum: undefined, enum: undefined };
    case 'ranking':
    case 'recommendation':
      return { json_type: 'number', minimum: 0, enum: undefined }; // relevance grade / interaction strength
    case 'regression':
    case 'forecasting':
      return { json_type: 'number', minimum: undefined, enum: undefined };
  }
}

function freshnessMinutes(mode: IngestionMode, intervalHours: number | null): number {
  if (mode === 'stream') return 15; // three micro-batches
  if (mode === 'cdc') return 30; // replication lag plus connector restarts
  return 2 * (intervalHours ?? 24) * 60; // one missed run is tolerated, the second one pages
}

function sourceFeatures(spec: ResolvedSpec, source: string): ResolvedFeature[] {
  return specFeatures(spec).filter((f) => f.source === source);
}

function lineageNamespace(kind: SourceKind, name: string): string {
  switch (kind) {
    case 'postgres':
      return `postgres://${name}-db:5432`;
    case 'mysql':
      return `mysql://${name}-db:3306`;
    case 'kafka':
      return 'kafka://kafka-bootstrap:9092';
    case 'kinesis':
      return 'kinesis://stream';
    case 'snowflake':
      return 'snowflake://account';
    case 'bigquery':
      return 'bigquery';
    case 's3':
      return `s3://${name}`;
    case 'gcs':
      return `gs://${name}`;
    case 'azure_blob':
      return `wasbs://${name}`;
    case 'api':
      return `https://${name}.api`;
    case 'file':
      return 'file://landing';
  }
}

function lineageEmitter(orchestration: ResolvedSpec['options']['orchestration']): string {
  switch (orchestration) {
    case 'airflow':
      return 'apache-airflow-providers-openlineage (automatic for SQL/S3 operators, manual facets for Python tasks)';
    case 'dagster':
      return 'openlineage-dagster sensor reading the Dagster event log';
    case 'prefect':
      return 'openlineage-python client called from a Prefect task hook (on_completion / on_failure)';
    case 'kubeflow':
      return 'openlineage-python client emitted by each Kubeflow component (START/COMPLETE/FAIL run events)';
  }
}

export function derivePlan(spec: ResolvedSpec): DataPlan {
  const { data } = spec;
  const firstSource = data.sources[0]!.name;
  const sources: SourcePlan[] = data.sources.map((s) => {
    const ingestion = s.ingestion ?? defaultIngestion(s.kind);
    const conn = connectorFor(s.kind, ingestion);
    const features = sourceFeatures(spec, s.name);
    const labelBytes = s.name === firstSource ? 8 : 0;
    const rowBytes = ROW_OVERHEAD_BYTES + labelBytes + features.reduce((sum, f) => sum + valueBytes(f), 0);
    const envelope = ingestion === 'cdc' ? CDC_ENVELOPE_FACTOR : 1;
    const continuous = ingestion !== 'batch';
    const interval = continuous ? null : batchIntervalHours(s.rows_per_day);
    return {
      name: s.name,
      kind: s.kind,
      description: s.description,
      ingestion,
      ingestion_origin: s.ingestion === undefined ? 'derived' : 'spec',
      connector: conn.connector,
      offset_tracking: conn.offset,
      backfill_method: conn.backfill,
      schedule: interval === null ? 'continuous' : batchCron(interval),
      batch_interval_hours: interval,
      rows_per_run: interval === null ? null : Math.ceil((s.rows_per_day * interval) / 24),
      watermark_column: data.event_timestamp,
      late_overlap_minutes: interval === null ? 0 : Math.min(60, interval * 15),
      features: features.map((f) => f.name),
      row_bytes: rowBytes,
      rows_per_day: s.rows_per_day,
      gb_per_day: round((s.rows_per_day * rowBytes * envelope) / 1e9, 3),
      partitioning: partitioningFor(s.rows_per_day),
      freshness_minutes: freshnessMinutes(ingestion, interval),
      validation_runs_per_day: interval === null ? (24 * 60) / MICRO_BATCH_MINUTES : 24 / interval,
      raw_uri: `${objectStoreUri(spec, 'raw')}/${s.name}`,
      processed_uri: `${objectStoreUri(spec, 'processed')}/${s.name}`,
    };
  });

  const totalRows = sources.reduce((sum, s) => sum + s.rows_per_day, 0);
  const totalGb = round(sources.reduce((sum, s) => sum + s.gb_per_day, 0), 3);
  const tier = RETENTION_TIERS.find((t) => totalGb < t.maxGbPerDay)!;
  const tiers = storageTiers(spec.options.cloud_provider);
  const logicalGb = sources.reduce((sum, s) => sum + (s.rows_per_day * s.row_bytes) / 1e9, 0);
  // Feature rows hold the feature values plus key and timestamp (24 B); sources without features add nothing.
  const featureGb = sources.reduce((sum, s) => sum + (s.features.length === 0 ? 0 : (s.rows_per_day * (s.row_bytes - ROW_OVERHEAD_BYTES + 24)) / 1e9), 0);
  const layer = (name: LayerPlan['name'], format: string, compression: string, ratio: number, gbPerDay: number, days: number, override: number | undefined): LayerPlan => {
    const retention = override ?? days;
    const stored = gbPerDay / ratio;
    return {
      name,
      uri: objectStoreUri(spec, name),
      format,
      compression,
      retention_days: retention,
      retention_origin: override === undefined ? 'derived' : 'spec',
      gb_per_day_stored: round(stored, 3),
      steady_state_tb: round((stored * retention) / 1000, 3),
      transitions: [
        { after_days: 30, tier: tiers.warm },
        { after_days: 90, tier: tiers.cold },
      ].filter((t) => t.after_days < retention),
    };
  };
  const layers = {
    raw: layer('raw', 'avro', 'zstd', RAW_COMPRESSION, totalGb, tier.raw, data.retention.raw_days),
    processed: layer('processed', 'parquet', 'zstd', COLUMNAR_COMPRESSION, logicalGb, tier.processed, data.retention.processed_days),
    features: layer('features', 'parquet', 'zstd', COLUMNAR_COMPRESSION, featureGb, tier.features, data.retention.features_days),
  };

  const issuePct = spec.slo.data_quality_issue_pct;
  const gates: Gate[] = [];
  for (const s of sources) {
    gates.push({ name: `schema_${s.name}`, check: `pct_records_failing_schema(${s.name}) <= threshold`, threshold: issuePct, action: 'block', scope: s.name });
  }
  for (const f of data.features) {
    if (f.nullable) {
      gates.push({ name: `null_rate_${f.name}`, check: `pct_null(${f.name}) <= threshold`, threshold: NULLABLE_NULL_CEILING_PCT, action: 'warn', scope: f.source });
    } else {
      gates.push({ name: `not_null_${f.name}`, check: `pct_null(${f.name}) <= threshold`, threshold: issuePct, action: 'block', scope: f.source });
    }
    if ((f.type === 'numeric' || f.type === 'integer') && (f.min !== undefined || f.max !== undefined)) {
      gates.push({ name: `range_${f.name}`, check: `pct_outside(${f.name}, ${f.min ?? '-inf'}, ${f.max ?? '+inf'}) <= threshold`, threshold: issuePct, action: 'quarantine', scope: f.source });
    }
    if (f.type === 'categorical' && f.categories && f.categories.length > 0) {
      gates.push({ name: `categories_${f.name}`, check: `pct_not_in_category_set(${f.name}) <= threshold`, threshold: issuePct, action: 'quarantine', scope: f.source });
    }
  }
  for (const s of sources) {
    gates.push({ name: `freshness_${s.name}`, check: `minutes_since_last_event(${s.name}) <= threshold`, threshold: s.freshness_minutes, action: 'warn', scope: s.name });
    gates.push({ name: `volume_${s.name}`, check: `abs(zscore(rows_per_run(${s.name}), same hour and weekday, 28 days)) <= threshold`, threshold: VOLUME_Z_LIMIT, action: 'quarantine', scope: s.name });
    gates.push({ name: `duplicates_${s.name}`, check: `pct_duplicate(${data.entity_key}, ${data.event_timestamp}) <= threshold`, threshold: issuePct, action: 'quarantine', scope: s.name });
  }

  const anomalyRules: AnomalyRule[] = [
    { name: 'volume_zscore', metric: 'rows per run and source', rule: `|z| > ${VOLUME_Z_LIMIT} against the same hour and weekday of the last 28 days (first 28 days: outside 0.5x-2x of the expected rows per run)`, action: 'quarantine' },
    { name: 'null_spike', metric: 'null rate per feature', rule: 'null rate > 3 x its 28-day median + 1 percentage point', action: 'warn' },
    { name: 'mean_shift', metric: 'daily mean per numeric feature', rule: '|mean - 28-day mean| > 4 x the standard deviation of the daily means', action: 'warn' },
    { name: 'new_category_share', metric: 'share of unseen categories per categorical feature', rule: `> ${issuePct} % of records`, action: 'quarantine' },
    { name: 'late_arrivals', metric: `share of records whose ${data.event_timestamp} is older than the freshness bound`, rule: `> ${issuePct} % of records in a run`, action: 'warn' },
  ];

  const runsPer30d = sources.reduce((sum, s) => sum + s.validation_runs_per_day, 0) * 30;
  const label = { column: spec.problem.target, source: firstSource, ...labelShape(spec.problem.type) };

  const versioning =
    data.versioning === 'dvc'
      ? { tool: 'dvc' as const, remote: objectStoreUri(spec, 'dvc'), storage_namespace: objectStoreUri(spec, 'dvc'), detail: 'DVC pipeline (data/dvc.yaml) versions the training snapshots; the remote holds content-addressed copies' }
      : { tool: 'lakefs' as const, remote: `lakefs://${spec.name}/main`, storage_namespace: objectStoreUri(spec, 'lakefs'), detail: 'lakeFS repository over the lake: each ingestion run writes to its own branch and merges into main only after the quality gates pass (pre-merge hook)' };

  const pkg = pythonPackage(spec);
  return {
    entity_key: data.entity_key,
    event_timestamp: data.event_timestamp,
    sources,
    total_rows_per_day: totalRows,
    total_gb_per_day: totalGb,
    label,
    layers,
    volume_tier: tier.label,
    quality: {
      max_issue_rate_pct: issuePct,
      min_pass_rate_pct: spec.slo.validation_pass_rate_pct,
      expected_issue_records_per_day: Math.floor((totalRows * issuePct) / 100),
      validation_runs_per_30d: runsPer30d,
      allowed_failed_runs_per_30d: Math.floor((runsPer30d * (100 - spec.slo.validation_pass_rate_pct)) / 100 + 1e-9),
      gates,
      anomaly_rules: anomalyRules,
    },
    versioning,
    lineage: {
      standard: 'OpenLineage',
      namespace: spec.team.namespace,
      backend: 'Marquez',
      emitter: lineageEmitter(spec.options.orchestration),
      datasets: sources.map((s) => ({ source: s.name, namespace: lineageNamespace(s.kind, s.name), name: s.name })),
    },
    paths: {
      schemas: Object.fromEntries(sources.map((s) => [s.name, `data/schemas/${s.name}.schema.json`])),
      ingestion: Object.fromEntries(sources.map((s) => [s.name, `data/ingestion/${s.name}.yaml`])),
      expectations: Object.fromEntries(sources.map((s) => [s.name, `data/expectations/${s.name}.json`])),
      quality_gates: 'data/contracts/quality_gates.yaml',
      validation_module: `${pkg}.data.validation`,
      profiling_module: `${pkg}.data.profiling`,
      models_module: `${pkg}.data.models`,
      expectations_module: `${pkg}.data.expectations`,
      incremental_module: `${pkg}.data.incremental`,
      lineage_module: `${pkg}.data.lineage`,
      backfill_script: 'data/ingestion/backfill.sh',
    },
  };
}
