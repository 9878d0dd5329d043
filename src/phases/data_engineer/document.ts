import { code, num, text } from '../../generators/serializers/markdown.js';
import type { ResolvedSpec } from '../../spec/resolve.js';
import { beginDocument } from '../common.js';
import type { PhaseInfo } from '../graph.js';
import {
  CDC_ENVELOPE_FACTOR,
  COLUMNAR_COMPRESSION,
  HOURLY_PARTITION_MIN_ROWS,
  MAX_ROWS_PER_BATCH_RUN,
  MICRO_BATCH_MINUTES,
  MONTHLY_PARTITION_MAX_ROWS,
  NULLABLE_NULL_CEILING_PCT,
  RAW_COMPRESSION,
  RETENTION_TIERS,
  ROW_OVERHEAD_BYTES,
  UNKNOWN_CATEGORY_BYTES,
  VALUE_BYTES,
  specFeatures,
  storageTiers,
  type DataPlan,
} from './derive.js';

function gb(value: number): string {
  if (value >= 1000) return `${num(value / 1000, 2)} TB`;
  if (value >= 1) return `${num(value, 1)} GB`;
  return `${num(value * 1000, 1)} MB`;
}

function rows(value: number): string {
  if (value >= 1e9) return `${num(value / 1e9, 2)} B`;
  if (value >= 1e6) return `${num(value / 1e6, value >= 1e7 ? 0 : 1)} M`;
  if (value >= 1e3) return `${num(value / 1e3, value >= 1e4 ? 0 : 1)} k`;
  return num(value);
}

export function buildDocument(info: PhaseInfo, spec: ResolvedSpec, plan: DataPlan, notes?: string): string {
  const doc = beginDocument(info, spec, notes);
  const { data } = spec;
  const n = plan.sources.length;
  const cdc = plan.sources.filter((s) => s.ingestion === 'cdc').length;
  const streams = plan.sources.filter((s) => s.ingestion === 'stream').length;
  const batches = n - cdc - streams;

  doc.paragraph(
    `In short: ${num(n)} source${n === 1 ? '' : 's'} (${num(cdc)} CDC, ${num(streams)} stream, ${num(batches)} batch), ${rows(plan.total_rows_per_day)} rows/day ≈ ${gb(plan.total_gb_per_day)}/day landing in the raw layer,`,
    `${num(data.features.length)} feature${data.features.length === 1 ? '' : 's'} keyed by ${code(data.entity_key)} at ${code(data.event_timestamp)}, ${num(plan.quality.gates.length)} quality gates, data versioned with ${code(plan.versioning.tool)} on cloud ${code(spec.options.cloud_provider)}.`,
  );

  // 1 ───────────────────────────────────────────────────────────────
  doc.heading(2, '1. Source audit and ingestion strategy');
  doc.heading(3, 'Source systems and connection patterns');
  doc.paragraph(
    'The ingestion mode follows the source kind unless the spec sets it: OLTP databases (postgres, mysql) are read through change data capture from their log, Kafka and Kinesis are consumed as streams, and warehouses, object stores, APIs and files are loaded in incremental batches over a watermark.',
    `A batch source runs at the longest interval (a divisor of 24 h) that keeps one run at or under ${code(num(MAX_ROWS_PER_BATCH_RUN))} rows, so a failed run is cheap to retry.`,
  );
  doc.table(
    ['Source', 'Kind', 'Mode', 'Connector', 'Schedule (UTC)', 'Rows/day', 'Rows/run'],
    plan.sources.map((s) => [
      code(s.name),
      code(s.kind),
      `${code(s.ingestion)} (${s.ingestion_origin === 'spec' ? 'set in spec' : `derived from ${s.kind}`})`,
      code(s.connector),
      s.batch_interval_hours === null ? 'continuous' : `${code(s.schedule)} (every ${num(s.batch_interval_hours)} h)`,
      rows(s.rows_per_day),
      s.rows_per_run === null ? `micro-batches of ${num(MICRO_BATCH_MINUTES)} min ≈ ${rows(Math.ceil((s.rows_per_day * MICRO_BATCH_MINUTES) / 1440))}` : rows(s.rows_per_run),
    ]),
  );
  const described = plan.sources.filter((s) => s.description);
  if (described.length > 0) doc.bullets(described.map((s) => `${code(s.name)}: ${text(s.description ?? '')}`));
  doc.paragraph(
    `Volume estimate: bytes/row = ${num(ROW_OVERHEAD_BYTES)} B of key, timestamp and ingestion metadata + 8 B label (first source) + the features of the source`,
    `(numeric/integer/timestamp ${num(VALUE_BYTES.numeric)} B, boolean ${num(VALUE_BYTES.boolean)} B, text ${num(VALUE_BYTES.text)} B assumed, categorical = longest category + 1 B or ${num(UNKNOWN_CATEGORY_BYTES)} B when no set is declared);`,
    `CDC events carry before and after images (x${num(CDC_ENVELOPE_FACTOR)}). The profiler replaces these assumptions with measured sizes after the first week.`,
  );
  doc.table(
    ['Source', 'Features', 'Bytes/row', 'Formula', 'Raw volume/day'],
    plan.sources.map((s) => [
      code(s.name),
      s.features.length > 0 ? s.features.map((f) => code(f)).join(', ') : '(none: keys and events only)',
      num(s.row_bytes),
      `${rows(s.rows_per_day)} x ${num(s.row_bytes)} B${s.ingestion === 'cdc' ? ` x ${num(CDC_ENVELOPE_FACTOR)}` : ''}`,
      gb(s.gb_per_day),
    ]),
  );
  doc.paragraph(`Total: ${code(num(plan.total_rows_per_day))} rows/day ≈ ${code(gb(plan.total_gb_per_day))}/day uncompressed.`);

  doc.heading(3, 'Schema validation with Pydantic/Great Expectations');
  doc.paragraph(
    `Each source has a data contract: a JSON Schema (${plan.sources.map((s) => code(plan.paths.schemas[s.name] ?? '')).join(', ')}) with the entity key ${code(data.entity_key)}, the event time ${code(data.event_timestamp)} and the source's features; the label ${code(plan.label.column)} (${code(plan.label.json_type)}) belongs to ${code(plan.label.source)} and is nullable because labels arrive up to ${num(spec.problem.label_delay_hours)} h later.`,
    `Records are checked at ingestion by ${code(plan.paths.validation_module)}: a dependency-free validator (standard library only, so it runs inside any connector or orchestrator task without Pydantic or Great Expectations installed) implementing the same rules as the contract: types, required columns, null policy, ranges and category sets.`,
    `The same typed contract yields one Pydantic model per source (${code(plan.paths.models_module)}: types, ranges, category sets, nullability, unknown fields rejected; pydantic 1.10 and 2.x) and one Great Expectations suite per source (${plan.sources.map((s) => code(plan.paths.expectations[s.name] ?? '')).join(', ')}), the gates below as expectations; ${code(plan.paths.expectations_module)} runs the suites with Great Expectations when installed and with its own pandas implementation of the same expectation types otherwise. The JSON Schema stays the single source of truth.`,
  );
  doc.table(
    ['Feature', 'Source', 'Type', 'Null policy', 'Range / allowed values'],
    specFeatures(spec).map((f) => [
      code(f.name),
      code(f.source),
      code(f.type),
      f.nullable ? `nullable (≤ ${num(NULLABLE_NULL_CEILING_PCT)} % until profiled)` : 'required',
      f.type === 'categorical'
        ? f.categories && f.categories.length > 0
          ? `${num(f.categories.length)} values: ${f.categories.slice(0, 8).map((c) => text(c)).join(', ')}${f.categories.length > 8 ? ', …' : ''}`
          : 'open set (hash-bucketed downstream)'
        : f.min !== undefined || f.max !== undefined
          ? `[${f.min ?? '-inf'}, ${f.max ?? '+inf'}]`
          : '—',
    ]),
  );
  if (data.features.some((f) => f.protected)) {
    doc.paragraph(`Protected attributes (${data.features.filter((f) => f.protected).map((f) => code(f.name)).join(', ')}) are validated like any column but tagged in the contract so that they are never read as model inputs.`);
  }

  doc.heading(3, 'Data versioning with DVC or lakeFS');
  if (plan.versioning.tool === 'dvc') {
    doc.paragraph(
      `${code('data.versioning')} = ${code('dvc')}: the DVC pipeline ${code('data/dvc.yaml')} has one ingest stage per source, a validation stage and a profiling stage; every training run pins the ${code('dvc.lock')} hash of its snapshot.`,
      `Remote: ${code(plan.versioning.remote)} (the ${code(spec.options.cloud_provider)} object store). DVC versions the training snapshots extracted from the processed layer, not the raw stream (${gb(plan.total_gb_per_day)}/day would make every commit a copy).`,
    );
  } else {
    doc.paragraph(
      `${code('data.versioning')} = ${code('lakefs')}: a lakeFS repository ${code(spec.name)} over ${code(plan.versioning.storage_namespace)} gives the lake Git semantics without copying data.`,
      `Each ingestion run writes to a branch ${code('ingest-<source>-<run id>')}; a pre-merge hook (${code('data/lakefs/_lakefs_actions/quality_gates.yaml')}) runs the quality gates, and only passing runs merge into ${code('main')}. Training reads a commit id, which is the snapshot's version.`,
    );
  }

  doc.heading(3, 'Incremental loads and CDC strategy');
  doc.table(
    ['Source', 'Position kept as', 'Watermark / overlap', 'Backfill'],
    plan.sources.map((s) => [
      code(s.name),
      s.offset_tracking,
      s.batch_interval_hours === null ? `event time ${code(s.watermark_column)}, continuous` : `${code(`${s.watermark_column} > last_watermark - ${s.late_overlap_minutes} min`)}`,
      s.backfill_method,
    ]),
  );
  doc.paragraph(
    `Writes are idempotent: the processed layer merges on (${code(data.entity_key)}, ${code(data.event_timestamp)}), so overlapping windows and replays never duplicate rows. ${code(plan.paths.backfill_script)} re-ingests a date range partition by partition through the ${code(spec.options.orchestration)} jobs ${code('ingest_<source>')}.`,
  );
  if (cdc > 0) {
    doc.paragraph('CDC sources start with a consistent snapshot, then stream changes; deletes become tombstones in raw and soft-deletes in processed; replication slots and binlog retention are monitored because a stalled connector makes the database keep its log.');
  }

  // 2 ───────────────────────────────────────────────────────────────
  doc.heading(2, '2. Data quality framework');
  doc.heading(3, 'Profiling and statistics generation');
  doc.paragraph(
    `${code(plan.paths.profiling_module)} computes per-feature statistics for every partition (${plan.sources.map((s) => `${code(s.name)}: ${s.partitioning.granularity}`).join(', ')}) and stores them next to the partition; the 28-day history of these profiles is the baseline of the anomaly rules below and of the drift tests of the data scientist.`,
  );
  doc.table(
    ['Feature type', 'Statistics', 'Features'],
    (['numeric', 'integer', 'categorical', 'boolean', 'text', 'timestamp'] as const)
      .map((t) => [t, data.features.filter((f) => f.type === t)] as const)
      .filter(([, fs]) => fs.length > 0)
      .map(([t, fs]) => [
        code(t),
        t === 'numeric' || t === 'integer'
          ? 'count, nulls, min, max, mean, std, p01/p50/p99, out-of-range count'
          : t === 'categorical'
            ? 'count, nulls, distinct, top values with frequencies, unknown-category count'
            : t === 'boolean'
              ? 'count, nulls, true share'
              : t === 'text'
                ? 'count, nulls, empty, mean/max length'
                : 'count, nulls, min, max, future-dated count',
        fs.map((f) => code(f.name)).join(', '),
      ]),
  );

  doc.heading(3, 'Anomaly detection rules');
  doc.table(
    ['Rule', 'Metric', 'Fires when', 'Action'],
    plan.quality.anomaly_rules.map((r) => [code(r.name), r.metric, r.rule, code(r.action)]),
  );
  doc.paragraph(
    `Expected volume per run: ${plan.sources.map((s) => `${code(s.name)} ${rows(s.rows_per_run ?? Math.ceil((s.rows_per_day * MICRO_BATCH_MINUTES) / 1440))}`).join(', ')}; the bounds learn the daily cycle once 28 days of profiles exist.`,
  );

  doc.heading(3, 'Data lineage tracking');
  doc.paragraph(
    `${plan.lineage.standard} events (job namespace ${code(plan.lineage.namespace)}) go to ${plan.lineage.backend}; emitter for ${code(spec.options.orchestration)}: ${plan.lineage.emitter}.`,
    'Each ingestion, validation, profiling and feature job emits START/COMPLETE/FAIL run events with input and output datasets, the schema facet from the contract and a data-quality facet with the gate results, so a model version can be traced to the source partitions it was trained on.',
    `${code(plan.paths.lineage_module)} sends them through the openlineage-python client when installed and configured, else as an HTTP POST to ${code('OPENLINEAGE_URL')}, else to a local JSON Lines file; the loaders of ${code(plan.paths.incremental_module)} (high-watermark with lookback and de-duplication by key for batch and stream sources, Debezium change events for CDC sources, watermark state replaced atomically) and the suite runner emit them.`,
  );
  doc.table(
    ['Source', 'Input dataset (namespace / name)', 'Outputs'],
    plan.lineage.datasets.map((d) => {
      const s = plan.sources.find((x) => x.name === d.source)!;
      return [code(d.source), `${code(d.namespace)} / ${code(d.name)}`, `${code(s.raw_uri)}, ${code(s.processed_uri)}`];
    }),
  );

  doc.heading(3, 'Quality gates and SLAs');
  doc.paragraph(
    `From ${code('slo.data_quality_issue_pct')} = ${code(plan.quality.max_issue_rate_pct)} %: a record-level check (schema, non-null, range, category, duplicate) may fail on at most ${code(plan.quality.max_issue_rate_pct)} % of a run's records, i.e. ${code(num(plan.quality.expected_issue_records_per_day))} of ${rows(plan.total_rows_per_day)} records/day; failing records are quarantined, and a ${code('block')} gate over its threshold stops the run before it reaches processed.`,
    `From ${code('slo.validation_pass_rate_pct')} = ${code(plan.quality.min_pass_rate_pct)} %: with ${code(num(plan.quality.validation_runs_per_30d))} validation runs per 30 days (batch runs plus ${num(MICRO_BATCH_MINUTES)}-minute micro-batches for continuous sources), at most ${code(num(plan.quality.allowed_failed_runs_per_30d))} may fail before the SLA is breached.`,
  );
  doc.table(
    ['Gate', 'Check', 'Threshold', 'Action'],
    plan.quality.gates.map((g) => [code(g.name), code(g.check), g.name.startsWith('freshness_') ? `${num(g.threshold)} min` : g.name.startsWith('volume_') ? `|z| ≤ ${num(g.threshold)}` : `${g.threshold} %`, code(g.action)]),
  );
  doc.paragraph(`Freshness bounds: streams 15 min (three micro-batches), CDC 30 min (replication lag plus a connector restart), batch twice the run interval (one missed run tolerated). The gates live in ${code(plan.paths.quality_gates)}.`);

  // 3 ───────────────────────────────────────────────────────────────
  const { raw, processed, features } = plan.layers;
  doc.heading(2, '3. Storage architecture');
  doc.heading(3, 'Raw/processed/feature layers');
  doc.table(
    ['Layer', 'URI', 'Format', 'Holds', 'Stored/day'],
    [
      ['raw', code(raw.uri), `${code(raw.format)} + ${code(raw.compression)}`, 'records as received (CDC envelopes, stream payloads), append-only, schema-on-read', gb(raw.gb_per_day_stored)],
      ['processed', code(processed.uri), `${code(processed.format)} + ${code(processed.compression)}`, `validated, deduplicated, typed rows merged on (${code(data.entity_key)}, ${code(data.event_timestamp)})`, gb(processed.gb_per_day_stored)],
      ['features', code(features.uri), `${code(features.format)} + ${code(features.compression)}`, 'feature values per entity and timestamp: the offline store of the feature store', gb(features.gb_per_day_stored)],
    ],
  );
  doc.paragraph(`Compression assumed: ${num(RAW_COMPRESSION)}:1 for raw (row-oriented Avro + zstd), ${num(COLUMNAR_COMPRESSION)}:1 for processed and features (Parquet + zstd with dictionary encoding). Buckets follow ${code(spec.options.cloud_provider)}${spec.options.cloud_provider === 'multi-cloud' ? ' (primary copy on AWS S3, replicated to the second cloud)' : ''}.`);

  doc.heading(3, 'Partitioning strategy');
  doc.paragraph(
    `Granularity per source from its volume: hourly at ≥ ${rows(HOURLY_PARTITION_MIN_ROWS)} rows/day (≥ 1 M rows per partition), monthly under ${rows(MONTHLY_PARTITION_MAX_ROWS)} rows/day (daily files would be tiny), daily otherwise. Partition keys are derived from ${code(data.event_timestamp)} (event time, not ingestion time, so late records land where queries look for them).`,
  );
  doc.table(
    ['Source', 'Rows/day', 'Granularity', 'Keys', 'Rows/partition', 'Path'],
    plan.sources.map((s) => [
      code(s.name),
      rows(s.rows_per_day),
      code(s.partitioning.granularity),
      s.partitioning.keys.map((k) => code(k)).join(', '),
      rows(s.partitioning.rows_per_partition),
      code(`${s.processed_uri}/${s.partitioning.keys.map((k) => `${k}=…`).join('/')}`),
    ]),
  );

  doc.heading(3, 'Retention policy');
  doc.paragraph(`Volume tier ${code(plan.volume_tier)} (${gb(plan.total_gb_per_day)}/day). Tiers: ${RETENTION_TIERS.map((t) => `${t.label} → raw ${t.raw} d / processed ${t.processed} d / features ${t.features} d`).join('; ')}. ${code('data.retention')} overrides a layer.`);
  doc.table(
    ['Layer', 'Retention', 'Origin', 'Steady-state size'],
    [raw, processed, features].map((l) => [l.name, `${num(l.retention_days)} days`, l.retention_origin === 'spec' ? `${code(`data.retention.${l.name === 'features' ? 'features' : l.name}_days`)}` : `derived (${plan.volume_tier})`, gb(l.steady_state_tb * 1000)]),
  );
  doc.paragraph('Deletion requests (right to erasure) are applied on processed and features by entity key; raw expires by age.');

  doc.heading(3, 'Cost optimisation');
  const tiers = storageTiers(spec.options.cloud_provider);
  doc.bullets([
    `Lifecycle transitions on ${code(spec.options.cloud_provider)}: ${tiers.hot} → ${tiers.warm} after 30 days → ${tiers.cold} after 90 days, expiry at the retention: ${[raw, processed, features].map((l) => `${l.name} ${l.transitions.length > 0 ? l.transitions.map((t) => `${t.tier} at ${t.after_days} d`).join(', ') : 'stays hot'}, deleted at ${l.retention_days} d`).join('; ')}.`,
    `Columnar Parquet + zstd downstream of raw: ${gb(plan.total_gb_per_day)}/day becomes ${gb(processed.gb_per_day_stored)}/day processed; queries read only the columns and partitions they need.`,
    `Total steady-state footprint ≈ ${gb((raw.steady_state_tb + processed.steady_state_tb + features.steady_state_tb) * 1000)} (raw ${gb(raw.steady_state_tb * 1000)}, processed ${gb(processed.steady_state_tb * 1000)}, features ${gb(features.steady_state_tb * 1000)}).`,
    `Small-file compaction after each ${plan.sources.some((s) => s.partitioning.granularity === 'hourly') ? 'hour' : 'day'} targets 256 MB-1 GB Parquet files; ${plan.versioning.tool === 'lakefs' ? 'lakeFS garbage collection removes objects unreachable from retained commits' : 'DVC snapshots are garbage-collected (dvc gc --cloud) after the features retention'}.`,
  ]);

  doc.heading(2, 'Hand-off');
  doc.bullets([
    `Sources: ${plan.sources.map((s) => `${code(s.name)} ${code(s.ingestion)} via ${code(s.connector)}, ${s.schedule === 'continuous' ? 'continuous' : `every ${s.batch_interval_hours} h`}, ${rows(s.rows_per_day)} rows/day, ${code(s.partitioning.granularity)} partitions`).join('; ')}.`,
    `Keys: entity ${code(data.entity_key)}, event time ${code(data.event_timestamp)}, label ${code(plan.label.column)} in ${code(plan.label.source)}.`,
    `Layers: raw ${code(raw.uri)} (${raw.retention_days} d), processed ${code(processed.uri)} (${processed.retention_days} d), features ${code(features.uri)} (${features.retention_days} d) — the training window cannot exceed ${features.retention_days} days.`,
    `Quality: issues ≤ ${plan.quality.max_issue_rate_pct} %, pass rate ≥ ${plan.quality.min_pass_rate_pct} %, ${plan.quality.gates.length} gates in ${code(plan.paths.quality_gates)}, validator ${code(plan.paths.validation_module)}.`,
    `Versioning ${code(plan.versioning.tool)} at ${code(plan.versioning.remote)}; lineage ${plan.lineage.standard} namespace ${code(plan.lineage.namespace)}.`,
  ]);
  return doc.toString();
}
