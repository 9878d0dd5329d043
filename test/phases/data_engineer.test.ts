import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { DataEngineerDecisions } from '../../src/phases/data_engineer/decisions.js';
import { batchIntervalHours, partitioningFor } from '../../src/phases/data_engineer/derive.js';
import { dataEngineer } from '../../src/phases/data_engineer/index.js';
import { resolveSpec, type ResolvedSpec } from '../../src/spec/resolve.js';
import { HOSTILE_TEXT, checkArtifacts as validateArtifacts, runPhase, runPython, withPath, writeArtifacts as writeBundle } from '../helpers/phaseHarness.js';
import { defaultSpec, richSpec } from '../helpers/specs.js';

const run = (spec: ResolvedSpec, notes?: string) => runPhase('data_engineer', spec, notes);

function fingerprint(spec: ResolvedSpec): string {
  const out = run(spec);
  return JSON.stringify([out.document, out.decisions, out.artifacts]);
}

describe('data_engineer derivations', () => {
  it('derives ingestion, volume, partitioning and retention for the default spec', () => {
    const { decisions } = run(defaultSpec());
    const [tx] = decisions.sources;
    // postgres → CDC through Debezium, continuous.
    expect(tx).toMatchObject({ name: 'transactions', kind: 'postgres', ingestion: 'cdc', ingestion_origin: 'derived', connector: 'debezium-postgres', schedule: 'continuous', batch_interval_hours: null, freshness_minutes: 30 });
    // 64 B overhead + 8 B label + amount 8 + account_age_days 8 + events_last_24h 8 + channel ("mobile" 6 + 1) + is_returning 1 = 104 B.
    expect(tx!.row_bytes).toBe(104);
    // 1 M rows x 104 B x 2 (CDC before/after images) = 0.208 GB/day.
    expect(tx!.gb_per_day).toBe(0.208);
    expect(tx!.partitioning).toEqual({ granularity: 'daily', keys: ['event_date'] });
    expect(decisions.total_gb_per_day).toBe(0.208);
    // < 10 GB/day tier.
    expect(decisions.layers.raw).toEqual({ uri: 's3://detect-fraudulent-card-payments-raw', format: 'avro', retention_days: 365 });
    expect(decisions.layers.processed.retention_days).toBe(730);
    expect(decisions.layers.features.retention_days).toBe(730);
    expect(decisions.versioning).toEqual({ tool: 'dvc', remote: 's3://detect-fraudulent-card-payments-dvc' });
    expect(decisions.lineage).toEqual({ standard: 'OpenLineage', namespace: 'ml-detect-fraudulent-card-payments' });
    expect(decisions.quality.max_issue_rate_pct).toBe(0.1);
    expect(decisions.quality.min_pass_rate_pct).toBe(99.9);
    const gateNames = decisions.quality.gates.map((g) => g.name);
    expect(gateNames).toEqual([
      'schema_transactions',
      'not_null_amount',
      'range_amount',
      'not_null_account_age_days',
      'range_account_age_days',
      'null_rate_events_last_24h',
      'range_events_last_24h',
      'not_null_channel',
      'categories_channel',
      'not_null_is_returning',
      'freshness_transactions',
      'volume_transactions',
      'duplicates_transactions',
    ]);
    expect(decisions.quality.gates.find((g) => g.name === 'null_rate_events_last_24h')).toMatchObject({ threshold: 20, action: 'warn' });
    expect(decisions.quality.gates.find((g) => g.name === 'range_amount')).toMatchObject({ threshold: 0.1, action: 'quarantine', check: 'pct_outside(amount, 0, 100000) <= threshold' });
    expect(decisions.label).toEqual({ column: 'label', source: 'transactions' });
    expect(decisions.paths.validation_module).toBe('detect_fraudulent_card_payments.data.validation');
  });

  it('derives three different ingestion patterns and a larger volume tier for the rich spec', () => {
    const { decisions, document } = run(richSpec());
    const byName = Object.fromEntries(decisions.sources.map((s) => [s.name, s]));
    // snowflake → incremental batch; 40 M rows/day: 1 h runs keep 1.67 M rows ≤ 2 M per run.
    expect(byName.sales).toMatchObject({ ingestion: 'batch', connector: 'incremental-sql', schedule: '15 * * * *', batch_interval_hours: 1, freshness_minutes: 120, watermark_column: 'sold_at' });
    expect(byName.sales!.partitioning).toEqual({ granularity: 'hourly', keys: ['event_date', 'event_hour'] });
    // sales carries lag_7d 8 + lag_28d 8 + promo_type ("discount" 8 + 1) + is_holiday 1 + store_region ("north"/"south" 5 + 1) + label 8 + 64.
    expect(byName.sales!.row_bytes).toBe(104);
    expect(byName.inventory).toMatchObject({ ingestion: 'cdc', connector: 'debezium-mysql', schedule: 'continuous', row_bytes: 72, gb_per_day: 0.288 });
    expect(byName.pos_events).toMatchObject({ ingestion: 'stream', connector: 'kinesis-consumer', row_bytes: 64, gb_per_day: 19.2, freshness_minutes: 15 });
    expect(decisions.total_rows_per_day).toBe(342_000_000);
    expect(decisions.total_gb_per_day).toBe(23.648);
    // 10-100 GB/day tier.
    expect([decisions.layers.raw.retention_days, decisions.layers.processed.retention_days, decisions.layers.features.retention_days]).toEqual([180, 365, 395]);
    expect(decisions.layers.raw.uri).toBe('gs://demand-forecast-raw');
    expect(decisions.versioning).toEqual({ tool: 'lakefs', remote: 'lakefs://demand-forecast/main' });
    expect(decisions.lineage.namespace).toBe('forecasting');
    expect(document).toContain('342 M rows/day ≈ 23.6 GB/day');
    expect(document).toContain('`342,000` of 342 M records/day');
    // 288 batch runs/day... : sales 24 + inventory 288 + pos_events 288 = 600/day → 18,000 per 30 days, 0.1 % → 18.
    expect(document).toContain('`18,000` validation runs per 30 days');
    expect(document).toContain('at most `18` may fail');
  });

  it('picks batch intervals and partition granularity from volume', () => {
    expect(batchIntervalHours(1_000_000)).toBe(24);
    expect(batchIntervalHours(5_000_000)).toBe(8);
    expect(batchIntervalHours(48_000_000)).toBe(1);
    expect(batchIntervalHours(500_000_000)).toBe(1);
    expect(partitioningFor(24_000_000).granularity).toBe('hourly');
    expect(partitioningFor(99_999).granularity).toBe('monthly');
    expect(partitioningFor(100_000).granularity).toBe('daily');
  });

  it('honours spec overrides of ingestion mode, retention and SLOs', () => {
    const spec = richSpec({
      data: {
        ...structuredClone(richSpec().data),
        sources: [{ name: 'sales', kind: 'postgres', ingestion: 'batch', rows_per_day: 50_000 }],
        features: [{ name: 'lag_7d', type: 'numeric', min: 0, max: 10 }],
        retention: { raw_days: 7 },
      },
      slo: { data_quality_issue_pct: 0.5, validation_pass_rate_pct: 99 },
    });
    const { decisions, document } = run(spec);
    expect(decisions.sources[0]).toMatchObject({ ingestion: 'batch', ingestion_origin: 'spec', connector: 'incremental-sql', schedule: '15 1 * * *', batch_interval_hours: 24 });
    expect(decisions.sources[0]!.partitioning.granularity).toBe('monthly');
    expect(decisions.layers.raw.retention_days).toBe(7);
    expect(decisions.quality.max_issue_rate_pct).toBe(0.5);
    expect(decisions.quality.gates.find((g) => g.name === 'range_lag_7d')!.threshold).toBe(0.5);
    expect(document).toContain('`data.retention.raw_days`');
  });
});

describe('data_engineer document', () => {
  const bullets: Record<string, string[]> = {
    '1. Source audit and ingestion strategy': ['Source systems and connection patterns', 'Schema validation with Pydantic/Great Expectations', 'Data versioning with DVC or lakeFS', 'Incremental loads and CDC strategy'],
    '2. Data quality framework': ['Profiling and statistics generation', 'Anomaly detection rules', 'Data lineage tracking', 'Quality gates and SLAs'],
    '3. Storage architecture': ['Raw/processed/feature layers', 'Partitioning strategy', 'Retention policy', 'Cost optimisation'],
  };

  it.each([['default', defaultSpec()], ['rich', richSpec()]])('has every deliverable and bullet in order (%s spec)', (_name, spec) => {
    const { document } = run(spec);
    const headings = document.split('\n').filter((l) => /^#{2,3} /.test(l));
    const expected = Object.entries(bullets).flatMap(([section, subs]) => [`## ${section}`, ...subs.map((s) => `### ${s}`)]);
    expect(headings).toEqual([...expected, '## Hand-off']);
  });

  it('decisions parse with the contract and runs are byte-identical', () => {
    for (const spec of [defaultSpec(), richSpec()]) {
      const a = run(spec);
      expect(() => DataEngineerDecisions.parse(a.decisions)).not.toThrow();
      expect(fingerprint(spec)).toBe(JSON.stringify([a.document, a.decisions, a.artifacts]));
    }
  });

  it('differs between specs', () => {
    expect(run(defaultSpec()).document).not.toBe(run(richSpec()).document);
  });

  it('states the notes of the run', () => {
    expect(run(defaultSpec(), 'prefer <b>hourly</b>').document).toContain('prefer \\<b\\>hourly\\</b\\>');
  });
});

describe('data_engineer reads', () => {
  const base = defaultSpec();
  const variants: [string, unknown[]][] = [
    ['options.cloud_provider', ['azure', 'gcp', 'multi-cloud']],
    ['options.orchestration', ['airflow', 'prefect', 'dagster']],
    ['data.versioning', ['lakefs']],
    ['slo.data_quality_issue_pct', [0.5]],
    ['slo.validation_pass_rate_pct', [99]],
    ['problem.type', ['regression']],
    ['problem.target', ['is_fraud']],
    ['problem.label_delay_hours', [72]],
    ['team.namespace', ['payments-ml']],
    ['data.entity_key', ['card_id']],
  ];
  it.each(variants)('changing %s changes the output', (path, values) => {
    const before = fingerprint(base);
    const seen = new Set([before]);
    for (const v of values) {
      const fp = fingerprint(withPath(base, path, v));
      expect(seen.has(fp), `${path} = ${JSON.stringify(v)}`).toBe(false);
      seen.add(fp);
    }
    expect(dataEngineer.reads.some((r) => path === r || path.startsWith(`${r}.`))).toBe(true);
  });

  it.each([
    ['options.serving_platform', 'seldon'],
    ['options.feature_store', 'tecton'],
    ['options.experiment_tracking', 'wandb'],
    ['options.deployment_mode', 'batch'],
    ['options.monitoring_stack', 'datadog'],
    ['scale.peak_rps', 5000],
    ['slo.p99_latency_ms', 50],
    ['experiment.alpha', 0.01],
    ['team.owner', 'someone else'],
  ])('paths outside reads (%s) leave the output unchanged', (path, value) => {
    expect(dataEngineer.reads.some((r) => path === r || path.startsWith(`${r}.`))).toBe(false);
    expect(fingerprint(withPath(base, path, value))).toBe(fingerprint(base));
  });
});

describe('data_engineer artifacts', () => {
  it.each([
    ['default', defaultSpec()],
    ['rich', richSpec()],
    ['azure + dagster + every source kind', richSpec({
      options: { ...richSpec().options, cloud_provider: 'azure', orchestration: 'dagster' },
      data: {
        ...structuredClone(richSpec().data),
        versioning: 'dvc',
        sources: [
          { name: 'pg', kind: 'postgres' }, { name: 'my', kind: 'mysql' }, { name: 'obj', kind: 's3', rows_per_day: 50 },
          { name: 'gcs_files', kind: 'gcs' }, { name: 'blob', kind: 'azure_blob', ingestion: 'stream' }, { name: 'bq', kind: 'bigquery', ingestion: 'cdc' },
          { name: 'snow', kind: 'snowflake', ingestion: 'cdc' }, { name: 'events', kind: 'kafka', ingestion: 'batch' }, { name: 'kin', kind: 'kinesis', ingestion: 'batch' },
          { name: 'rest', kind: 'api' }, { name: 'hook', kind: 'api', ingestion: 'stream' }, { name: 'drop', kind: 'file' }, { name: 'watch', kind: 'file', ingestion: 'cdc' },
        ],
        features: [
          { name: 'amount', type: 'numeric', min: 0, source: 'pg' },
          { name: 'note', type: 'text', nullable: true, source: 'my' },
          { name: 'seen_at', type: 'timestamp', source: 'events' },
          { name: 'tier', type: 'categorical', source: 'rest' },
        ],
      },
    })],
    ['kubeflow + prefect', withPath(defaultSpec(), 'options.orchestration', 'prefect')],
  ])('every artifact passes its validator (%s)', (_name, spec) => {
    const { artifacts } = run(spec);
    expect(artifacts.length).toBeGreaterThan(5);
    expect(new Set(artifacts.map((a) => a.path)).size).toBe(artifacts.length);
    expect(validateArtifacts(artifacts)).toEqual([]);
  });

  it('emits a JSON Schema per source with key, timestamp, features and label', () => {
    const { artifacts } = run(richSpec());
    const schema = JSON.parse(artifacts.find((a) => a.path === 'data/schemas/sales.schema.json')!.content);
    expect(Object.keys(schema.properties)).toEqual(['store_sku', 'sold_at', 'lag_7d', 'lag_28d', 'promo_type', 'is_holiday', 'store_region', 'units_sold']);
    expect(schema.required).toEqual(['store_sku', 'sold_at', 'lag_7d', 'promo_type', 'is_holiday', 'store_region']);
    expect(schema.properties.lag_7d).toEqual({ type: 'number', minimum: 0, maximum: 100000 });
    expect(schema.properties.store_region['x-protected']).toBe(true);
    const pos = JSON.parse(artifacts.find((a) => a.path === 'data/schemas/pos_events.schema.json')!.content);
    expect(pos.required).toEqual(['store_sku', 'sold_at']);
  });

  it('versioning artifacts follow data.versioning', () => {
    const dvc = run(defaultSpec()).artifacts.map((a) => a.path);
    expect(dvc).toEqual(expect.arrayContaining(['data/dvc.yaml', '.dvc/config']));
    const lakefs = run(richSpec()).artifacts;
    expect(lakefs.map((a) => a.path)).toEqual(expect.arrayContaining(['data/lakefs/repository.yaml', 'data/lakefs/_lakefs_actions/quality_gates.yaml']));
    const hook = parseYaml(lakefs.find((a) => a.path === 'data/lakefs/_lakefs_actions/quality_gates.yaml')!.content);
    expect(Object.keys(hook.on)).toEqual(['pre-merge']);
  });

  it('the generated validator and profiler run on real records', () => {
    const { artifacts } = run(richSpec());
    const dir = writeBundle(artifacts);
    const script = `
import json
from demand_forecast.data.validation import validate_record, validate_batch
from demand_forecast.data.profiling import profile
good = {"store_sku": "s1", "sold_at": "2024-01-01T00:00:00Z", "lag_7d": 5, "lag_28d": None, "promo_type": "none", "is_holiday": False, "store_region": "north", "units_sold": 3}
bad = dict(good, lag_7d=-1, promo_type="zzz", is_holiday=None, store_sku="s2")
rules = sorted(i.rule for i in validate_record(bad, "sales"))
report = validate_batch([good, bad], "sales").to_dict()
prof = profile([good, bad], "sales")["features"]
print(json.dumps({"good": len(validate_record(good, "sales")), "rules": rules, "report": report, "mean": prof["lag_7d"]["mean"], "oor": prof["lag_7d"]["out_of_range"], "top": prof["promo_type"]["top"]}))
`;
    const out = runPython(dir, script) as { good: number; rules: string[]; report: unknown; mean: number; oor: number; top: unknown };
    expect(out.good).toBe(0);
    expect(out.rules).toEqual(['category', 'not_null', 'range']);
    expect(out.report).toMatchObject({ total: 2, failed: 1, issue_rate_pct: 50, passed: false, max_issue_rate_pct: 0.1 });
    expect(out.mean).toBe(2);
    expect(out.oor).toBe(1);
    expect(out.top).toEqual([['none', 1], ['zzz', 1]]);
  });

  it('the backfill script walks partitions in dry-run mode', () => {
    const { artifacts } = run(richSpec());
    const dir = writeBundle(artifacts);
    const out = execFileSync('bash', ['data/ingestion/backfill.sh', '--dry-run', '--source', 'inventory', '2024-02-28', '2024-03-01'], { cwd: dir, encoding: 'utf8' });
    expect(out.match(/dry-run: airflow dags backfill/g)).toHaveLength(3);
    expect(out).toContain('--start-date 2024-02-29 --end-date 2024-02-29');
    const bad = spawnSync('bash', ['data/ingestion/backfill.sh', '2024-13-01', '2024-03-01'], { cwd: dir, encoding: 'utf8' });
    expect(bad.status).toBe(2);
  });

  it('escapes user text in markdown, YAML, JSON and Python', () => {
    const nasty = HOSTILE_TEXT;
    const spec = resolveSpec({
      name: 'nasty-pipeline',
      requirements: nasty,
      data: {
        sources: [{ name: 'events', kind: 'kafka', description: nasty }],
        features: [{ name: 'kind', type: 'categorical', categories: [nasty, 'a|b', '`x`'] }],
      },
    });
    const { document, artifacts } = run(spec);
    expect(document).not.toContain('<script>');
    expect(document).not.toMatch(/^## heading/m);
    expect(document).not.toMatch(/^- item/m);
    expect(validateArtifacts(artifacts)).toEqual([]);
    const schema = JSON.parse(artifacts.find((a) => a.path === 'data/schemas/events.schema.json')!.content);
    expect(schema.description).toBe(nasty);
    expect(schema.properties.kind.enum).toEqual([nasty, 'a|b', '`x`']);
    const dir = writeBundle(artifacts);
    const cats = runPython(dir, 'import json; from nasty_pipeline.data.validation import CONTRACTS; print(json.dumps(CONTRACTS["events"]["columns"]["kind"]["categories"]))');
    expect(cats).toEqual([nasty, 'a|b', '`x`']);
  });
});
