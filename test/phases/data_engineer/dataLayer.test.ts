import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { derivePlan } from '../../../src/phases/data_engineer/derive.js';
import { expectationSuite, EXPECTATION_TYPES, FRESHNESS_PARAMETER } from '../../../src/phases/data_engineer/python/expectations.js';
import { identifierQuote, loaderConfig, quoteIdentifier } from '../../../src/phases/data_engineer/python/incremental.js';
import { fieldAttributes, modelClassName } from '../../../src/phases/data_engineer/python/models.js';
import { sourceColumns } from '../../../src/phases/data_engineer/python/columns.js';
import type { ResolvedSpec } from '../../../src/spec/resolve.js';
import { artifactAt, bundleUntil, checkArtifacts, PYTHON, runPhase, writeArtifacts } from '../../helpers/phaseHarness.js';
import { defaultSpec, richSpec } from '../../helpers/specs.js';
import { hostileNamesSpec } from './specs.js';

// The data layer's generated code (models, expectation suites and runner, incremental loads, lineage): the
// derivations from the spec, then the generated tests run with /usr/bin/python3 for three quite different specs.

const suiteOf = (spec: ResolvedSpec, source: string) => {
  const plan = derivePlan(spec);
  return expectationSuite(spec, plan, plan.sources.find((s) => s.name === source)!);
};
const brief = (suite: ReturnType<typeof suiteOf>) => suite.expectations.map((e) => [e.expectation_type, e.kwargs.column ?? e.kwargs.column_list ?? null, e.meta.action]);

describe('data layer derivations', () => {
  it('derives the columns of a source from the spec: key, event time, its features, the label on the first source', () => {
    const spec = richSpec();
    const plan = derivePlan(spec);
    const [sales, inventory] = plan.sources;
    expect(sourceColumns(spec, plan, sales!).map((c) => [c.name, c.kind, c.nullable])).toEqual([
      ['store_sku', 'key', false],
      ['sold_at', 'timestamp', false],
      ['lag_7d', 'numeric', false],
      ['lag_28d', 'numeric', true],
      ['promo_type', 'categorical', false],
      ['is_holiday', 'boolean', false],
      ['store_region', 'categorical', false],
      ['units_sold', 'label', true],
    ]);
    expect(sourceColumns(spec, plan, inventory!).map((c) => c.name)).toEqual(['store_sku', 'sold_at', 'on_hand']);
  });

  it('turns the quality gates of the default spec into one GE suite per source', () => {
    const suite = suiteOf(defaultSpec(), 'transactions');
    expect(suite.expectation_suite_name).toBe('detect-fraudulent-card-payments.transactions');
    expect(brief(suite)).toEqual([
      ...['entity_id', 'event_timestamp', 'amount', 'account_age_days', 'events_last_24h', 'channel', 'is_returning', 'label'].map((c) => ['expect_column_to_exist', c, 'block']),
      ['expect_column_values_to_not_be_null', 'entity_id', 'block'],
      ['expect_column_values_to_not_be_null', 'event_timestamp', 'block'],
      ['expect_column_values_to_not_be_null', 'amount', 'block'],
      ['expect_column_values_to_not_be_null', 'account_age_days', 'block'],
      ['expect_column_values_to_not_be_null', 'events_last_24h', 'warn'],
      ['expect_column_values_to_not_be_null', 'channel', 'block'],
      ['expect_column_values_to_not_be_null', 'is_returning', 'block'],
      ['expect_column_values_to_be_in_type_list', 'entity_id', 'block'],
      ['expect_column_values_to_be_dateutil_parseable', 'event_timestamp', 'block'],
      ['expect_column_values_to_be_in_type_list', 'amount', 'block'],
      ['expect_column_values_to_be_in_type_list', 'account_age_days', 'block'],
      ['expect_column_values_to_be_in_type_list', 'events_last_24h', 'block'],
      ['expect_column_values_to_be_in_type_list', 'is_returning', 'block'],
      ['expect_column_values_to_be_between', 'amount', 'quarantine'],
      ['expect_column_values_to_be_between', 'account_age_days', 'quarantine'],
      ['expect_column_values_to_be_between', 'events_last_24h', 'quarantine'],
      ['expect_column_values_to_be_in_set', 'channel', 'quarantine'],
      ['expect_column_values_to_be_in_set', 'label', 'block'],
      ['expect_compound_columns_to_be_unique', ['entity_id', 'event_timestamp'], 'quarantine'],
      ['expect_table_row_count_to_be_between', null, 'quarantine'],
      ['expect_column_max_to_be_between', 'event_timestamp', 'warn'],
    ]);
    const byGate = Object.fromEntries(suite.expectations.map((e) => [`${e.expectation_type}:${String(e.kwargs.column)}`, e]));
    // The issue-rate SLO (0.1 %) is the tolerance of the record checks; a nullable feature may be 20 % null.
    expect(byGate['expect_column_values_to_not_be_null:amount']!.kwargs).toEqual({ column: 'amount', mostly: 0.999 });
    expect(byGate['expect_column_values_to_not_be_null:events_last_24h']!.kwargs).toEqual({ column: 'events_last_24h', mostly: 0.8 });
    expect(byGate['expect_column_values_to_be_between:amount']!.kwargs).toEqual({ column: 'amount', min_value: 0, max_value: 100000, mostly: 0.999 });
    expect(byGate['expect_column_values_to_be_in_set:label']!.kwargs.value_set).toEqual([0, 1]);
    expect(byGate['expect_column_values_to_be_in_type_list:events_last_24h']!.kwargs.type_list).toContain('float64'); // nullable integer
    expect(byGate['expect_column_values_to_be_in_type_list:account_age_days']!.kwargs.type_list).not.toContain('float64');
    expect(byGate['expect_column_max_to_be_between:event_timestamp']).toMatchObject({ kwargs: { min_value: { $PARAMETER: FRESHNESS_PARAMETER } }, meta: { freshness_minutes: 30 } });
  });

  it('takes volume and freshness bounds from the same figures as data/contracts/quality_gates.yaml', () => {
    const spec = richSpec();
    const out = runPhase('data_engineer', spec);
    const gates = parseYaml(artifactAt(out, 'data/contracts/quality_gates.yaml').content) as { sources: Record<string, { freshness_minutes: number; initial_volume_bounds: { min: number; max: number } }> };
    for (const source of ['sales', 'inventory', 'pos_events']) {
      const suite = JSON.parse(artifactAt(out, `data/expectations/${source}.json`).content) as ReturnType<typeof suiteOf>;
      const rows = suite.expectations.find((e) => e.expectation_type === 'expect_table_row_count_to_be_between')!;
      expect(rows.kwargs).toEqual({ min_value: gates.sources[source]!.initial_volume_bounds.min, max_value: gates.sources[source]!.initial_volume_bounds.max });
      const fresh = suite.expectations.find((e) => e.expectation_type === 'expect_column_max_to_be_between')!;
      expect(fresh.meta.freshness_minutes).toBe(gates.sources[source]!.freshness_minutes);
      expect(fresh.kwargs.column).toBe('sold_at');
    }
    // 40 M rows/day in hourly runs: 1,666,667 rows per run, 0.5x-2x.
    expect(JSON.parse(artifactAt(out, 'data/expectations/sales.json').content).expectations.find((e: { expectation_type: string }) => e.expectation_type === 'expect_table_row_count_to_be_between').kwargs).toEqual({ min_value: 833_333, max_value: 3_333_334 });
  });

  it('emits only expectation types the generated runner implements', () => {
    const out = runPhase('data_engineer', hostileNamesSpec());
    const runner = artifactAt(out, 'ml/src/hostile_names/data/expectations.py').content;
    const implemented = [...runner.slice(runner.indexOf('IMPLEMENTED:')).matchAll(/^ {4}"(expect_[a-z_]+)":/gm)].map((m) => m[1]);
    expect(implemented).toEqual([...EXPECTATION_TYPES]);
    for (const a of out.artifacts.filter((x) => x.path.startsWith('data/expectations/'))) {
      for (const e of (JSON.parse(a.content) as ReturnType<typeof suiteOf>).expectations) expect(EXPECTATION_TYPES).toContain(e.expectation_type);
    }
  });

  it('aliases columns that are keywords, BaseModel attributes or names the module binds', () => {
    const attrs = fieldAttributes(['amount', 'class', 'json', 'model_config', 'float', 'schema', 'json_field']);
    expect(Object.fromEntries(attrs)).toEqual({ amount: 'amount', class: 'class_', json: 'json_field_', model_config: 'model_config_field', float: 'float_field', schema: 'schema_field', json_field: 'json_field' });
    expect(new Set(attrs.values()).size).toBe(7);
    expect(modelClassName('pos_events')).toBe('PosEventsRecord');
  });

  it('quotes SQL identifiers per engine and keeps watermark bounds as parameters', () => {
    expect(quoteIdentifier('order', identifierQuote('postgres'))).toBe('"order"');
    expect(quoteIdentifier('a`b', identifierQuote('mysql'))).toBe('`a``b`');
    const out = runPhase('data_engineer', hostileNamesSpec());
    const ingestion = parseYaml(artifactAt(out, 'data/ingestion/class.yaml').content) as { connector: { settings: { query: string } } };
    expect(ingestion.connector.settings.query).toBe('SELECT * FROM "class" WHERE "model_time" > @watermark_low AND "model_time" <= @watermark_high');
  });

  it('picks the loader and its lookback from the ingestion mode', () => {
    const spec = richSpec();
    const config = loaderConfig(spec, derivePlan(spec));
    expect(config.sales).toMatchObject({ loader: 'watermark', lookback_minutes: 15, identifier_quote: '"', merge_keys: ['store_sku', 'sold_at'], lineage_job: 'ingest_sales' });
    expect(config.inventory).toMatchObject({ loader: 'cdc', identifier_quote: '`' });
    expect(config.pos_events).toMatchObject({ loader: 'watermark', lookback_minutes: 5 });
  });
});

// ------------------------------------------------------------------ the generated tests, run

const hasPytest = spawnSync(PYTHON, ['-c', 'import pytest, pydantic, pandas'], { encoding: 'utf8' }).status === 0;

function runDataTests(spec: ResolvedSpec, mutate?: (dir: string) => void): { status: number | null; output: string; passed: number; skipped: number } {
  const artifacts = bundleUntil(spec, 'observability_engineer');
  const dir = writeArtifacts(artifacts);
  mutate?.(dir);
  const r = spawnSync(PYTHON, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests/data'], { cwd: join(dir, 'ml'), encoding: 'utf8' });
  const output = `${r.stdout}${r.stderr}`;
  const count = (word: string) => Number(new RegExp(`(\\d+) ${word}`).exec(output)?.[1] ?? 0);
  return { status: r.status, output, passed: count('passed'), skipped: count('skipped') };
}

describe.skipIf(!hasPytest)('the generated data tests', () => {
  it('pass for the default spec (one CDC source: the two watermark-loader cases skip)', () => {
    const r = runDataTests(defaultSpec());
    expect(r.status, r.output).toBe(0);
    expect(r.passed).toBeGreaterThanOrEqual(45);
    expect(r.skipped).toBe(2);
  }, 120_000);

  it('pass for a spec with batch, CDC and stream sources', () => {
    const r = runDataTests(richSpec());
    expect(r.status, r.output).toBe(0);
    expect(r.output).not.toContain('failed');
    expect(r.skipped).toBe(0);
    expect(r.passed).toBeGreaterThanOrEqual(85);
  }, 120_000);

  it('pass when column and source names are keywords or BaseModel attributes and categories hold quotes', () => {
    const spec = hostileNamesSpec();
    expect(checkArtifacts(runPhase('data_engineer', spec).artifacts)).toEqual([]);
    const r = runDataTests(spec);
    expect(r.status, r.output).toBe(0);
    expect(r.skipped).toBe(0);
  }, 120_000);

  it('fail when the runner stops enforcing an expectation type the suites use', () => {
    const r = runDataTests(defaultSpec(), (dir) => {
      const file = join(dir, 'ml/src/detect_fraudulent_card_payments/data/expectations.py');
      const broken = readFileSync(file, 'utf8').replace('"expect_column_values_to_be_in_set": expect_column_values_to_be_in_set,', '"expect_column_values_to_be_in_set": expect_column_to_exist,');
      writeFileSync(file, broken);
    });
    expect(r.status).toBe(1);
    expect(r.output).toMatch(/FAILED tests\/data\/test_data_expectations\.py::test_each_expectation_type_passes_and_fails\[transactions-expect_column_values_to_be_in_set\]/);
  }, 120_000);
});

describe('data layer hand-off', () => {
  it('names the new modules and suite files in the decisions and the document', () => {
    const out = runPhase('data_engineer', richSpec());
    expect(out.decisions.paths).toMatchObject({
      expectations: { sales: 'data/expectations/sales.json', inventory: 'data/expectations/inventory.json', pos_events: 'data/expectations/pos_events.json' },
      models_module: 'demand_forecast.data.models',
      expectations_module: 'demand_forecast.data.expectations',
      incremental_module: 'demand_forecast.data.incremental',
      lineage_module: 'demand_forecast.data.lineage',
    });
    for (const path of Object.values(out.decisions.paths.expectations)) artifactAt(out, path);
    expect(out.document).toContain('`demand_forecast.data.models`');
    expect(out.document).toContain('`data/expectations/pos_events.json`');
  });
});
