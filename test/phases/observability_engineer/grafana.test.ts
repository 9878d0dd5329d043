import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Dashboard as GrafanaDashboard, Panel as GrafanaPanel } from '@grafana/schema';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { describe, expect, it } from 'vitest';
import { toYaml } from '../../../src/generators/serializers/yaml.js';
import { buildAlerts } from '../../../src/phases/observability_engineer/alerts.js';
import { dashboards, highIsBad, lowIsBad, promqlMetricNames } from '../../../src/phases/observability_engineer/dashboards.js';
import {
  DATASOURCE_VARIABLE,
  GRAFANA_SCHEMA_VERSION,
  dashboardUid,
  grafanaDashboardConfigMaps,
  grafanaDashboards,
  layout,
  type GrafanaDashboardFile,
} from '../../../src/phases/observability_engineer/grafana.js';
import { EXTERNAL_METRICS, METRICS } from '../../../src/phases/observability_engineer/metrics.js';
import { buildPlan, type MonitoringPlan } from '../../../src/phases/observability_engineer/plan.js';
import { recordingRules } from '../../../src/phases/observability_engineer/rules.js';
import type { ResolvedSpec } from '../../../src/spec/resolve.js';
import { GRAFANA_SCHEMA_FILE, checkGrafanaDashboard } from '../../../src/validate/validators/grafana.js';
import { runTool, upstreamFor } from '../../helpers/phaseHarness.js';
import { defaultSpec, withPatch } from '../../helpers/specs.js';
import { tempDir } from '../../helpers/tmp.js';

// ------------------------------------------------------------------ scenarios: one generated spec each

const planFor = (spec: ResolvedSpec): MonitoringPlan => buildPlan(spec, upstreamFor(spec, 'observability_engineer'));
const base = defaultSpec();
const memo = new Map<string, MonitoringPlan>();
function scenario(name: 'online' | 'batch' | 'stream' | 'custom'): MonitoringPlan {
  const patch = {
    online: { options: { deployment_mode: 'realtime', monitoring_stack: 'prometheus' } },
    batch: { options: { deployment_mode: 'batch', monitoring_stack: 'prometheus' } },
    stream: { options: { deployment_mode: 'streaming', monitoring_stack: 'prometheus' } },
    custom: { options: { deployment_mode: 'hybrid', monitoring_stack: 'custom' } },
  }[name];
  if (!memo.has(name)) memo.set(name, planFor(withPatch(base, patch)));
  return memo.get(name)!;
}
const SCENARIOS = ['online', 'batch', 'stream', 'custom'] as const;

const parse = (f: GrafanaDashboardFile) => JSON.parse(f.json) as GrafanaDashboard;
const panelsOf = (d: GrafanaDashboard) => (d.panels ?? []) as GrafanaPanel[];
const byKey = (p: MonitoringPlan, key: string) => {
  const f = grafanaDashboards(p).find((x) => x.path.endsWith(`/${key}.json`));
  return f ? parse(f) : undefined;
};
const exprs = (panel: GrafanaPanel) => (panel.targets ?? []).map((t) => String(t.expr));
const panelTitled = (d: GrafanaDashboard, re: RegExp) => {
  const found = panelsOf(d).find((x) => re.test(x.title ?? ''));
  if (!found) throw new Error(`no panel matching ${re} in ${d.title}: ${panelsOf(d).map((x) => x.title).join(' | ')}`);
  return found;
};
const steps = (panel: GrafanaPanel) => panel.fieldConfig?.defaults.thresholds?.steps ?? [];
const stepValues = (panel: GrafanaPanel) => steps(panel).map((s) => s.value);

// ------------------------------------------------------------------ files

describe('Grafana dashboard files', () => {
  it.each(SCENARIOS)('%s: one JSON file per dashboard of the list, under monitoring/grafana/dashboards, each passing the grafana-schema validator', (name) => {
    const p = scenario(name);
    const boards = dashboards(p);
    const files = grafanaDashboards(p);
    expect(files.map((f) => f.title)).toEqual(boards.map((b) => b.title));
    for (const f of files) {
      expect(f.path).toMatch(/^monitoring\/grafana\/dashboards\/[a-z-]+\.json$/);
      expect(checkGrafanaDashboard(f.json)).toEqual([]);
      const d = parse(f);
      expect(d.uid).toBe(f.uid);
      expect(d.schemaVersion).toBe(GRAFANA_SCHEMA_VERSION);
      // Every panel of the list, in order, with its title.
      const board = boards.find((b) => b.title === f.title)!;
      expect(panelsOf(d).map((x) => x.title)).toEqual(board.panels.map((x) => x.title));
    }
    expect(new Set(files.map((f) => f.path)).size).toBe(files.length);
    expect(new Set(files.map((f) => f.uid)).size).toBe(files.length);
  });

  it('keeps the contract the Datadog / New Relic renderings use: a title and, per panel, a title and the series it plots', () => {
    const contract: { title: string; panels: { title: string; source: string }[] }[] = dashboards(scenario('online'));
    for (const b of contract) for (const panel of b.panels) expect(panel.source).toMatch(/^[A-Za-z_:][A-Za-z0-9_:]*(, [A-Za-z_:][A-Za-z0-9_:]*)*$/);
  });

  it('is deterministic: the same plan gives the same bytes', () => {
    const p = scenario('custom');
    expect(grafanaDashboards(p)).toEqual(grafanaDashboards(p));
    expect(grafanaDashboards(planFor(withPatch(base, { options: { deployment_mode: 'hybrid', monitoring_stack: 'custom' } })))).toEqual(grafanaDashboards(p));
  });

  it('uids derive from the pipeline name: stable, at most 40 characters of [a-zA-Z0-9-_], distinct per dashboard', () => {
    expect(dashboardUid('demand-forecast', 'serving')).toBe('demand-forecast-serving');
    const long = 'a-very-long-pipeline-name-of-forty-chars';
    expect(long).toHaveLength(40);
    const uids = ['serving', 'model-quality', 'drift', 'data-quality', 'cost', 'batch-stream'].map((k) => dashboardUid(long, k));
    for (const uid of uids) {
      expect(uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
      expect(uid.startsWith('a-very-long')).toBe(true);
    }
    expect(new Set(uids).size).toBe(uids.length);
    // Two long names sharing a prefix still get different uids.
    expect(dashboardUid(`${long.slice(0, 38)}-x`, 'model-quality')).not.toBe(dashboardUid(`${long.slice(0, 38)}-y`, 'model-quality'));
    for (const f of grafanaDashboards(scenario('online'))) expect(f.uid.startsWith(scenario('online').pipeline.slice(0, 10))).toBe(true);
  });

  it('every panel and query uses the ${datasource} variable, a Prometheus data source variable', () => {
    for (const f of grafanaDashboards(scenario('online'))) {
      const d = parse(f);
      expect(d.templating?.list).toEqual([expect.objectContaining({ name: DATASOURCE_VARIABLE, type: 'datasource', query: 'prometheus' })]);
      for (const panel of panelsOf(d)) {
        expect(panel.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
        for (const t of panel.targets ?? []) expect(t.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
      }
    }
  });

  it('lays panels out left to right on the 24-column grid without overlaps or gaps', () => {
    const g = layout([
      { width: 12, height: 8 },
      { width: 6, height: 5 },
      { width: 8, height: 8 },
      { width: 24, height: 4 },
    ]);
    expect(g).toEqual([
      { x: 0, y: 0, w: 12, h: 8 },
      { x: 12, y: 0, w: 12, h: 5 }, // widened to the right edge: the next panel does not fit
      { x: 0, y: 8, w: 24, h: 8 },
      { x: 0, y: 16, w: 24, h: 4 },
    ]);
  });
});

// ------------------------------------------------------------------ content per traffic mode

describe('what each deployment mode gets', () => {
  it('online: a serving dashboard with rps, errors, p50/p95/p99 against the p99 SLO line, availability and burn rates', () => {
    const p = scenario('online');
    const d = byKey(p, 'serving')!;
    const rps = panelTitled(d, /^Throughput/);
    expect(rps.fieldConfig?.defaults.unit).toBe('reqps');
    expect(exprs(rps)).toEqual([expect.stringMatching(/^model:requests:rate5m\{/)]);
    expect(stepValues(rps)).toEqual([null, p.latency.nearCapacityRps, p.latency.capacityRps]);

    const errors = panelTitled(d, /^Error ratio/);
    expect(errors.fieldConfig?.defaults.unit).toBe('percentunit');
    expect(stepValues(errors)).toContain(p.burn.errorBudgetRatio);

    const latency = panelTitled(d, /^Latency p50 \/ p95 \/ p99/);
    expect(latency.fieldConfig?.defaults.unit).toBe('s');
    expect((latency.targets ?? []).map((t) => t.legendFormat)).toEqual(['p50', 'p95', 'p99']);
    expect(exprs(latency)[0]).toContain('histogram_quantile(0.5, sum by (le) (rate(model_request_duration_seconds_bucket{');
    expect(exprs(latency)[2]).toMatch(/^model:request_duration_seconds:p99_5m\{/);
    // The SLO as a threshold line, drawn on the graph.
    expect(stepValues(latency)).toEqual([null, p.spec.slo.p99_latency_ms / 1000]);
    expect(latency.fieldConfig?.defaults.custom).toMatchObject({ thresholdsStyle: { mode: 'dashed' } });

    const availability = panelTitled(d, /^Availability/);
    expect(stepValues(availability)).toEqual([null, Number((p.spec.slo.availability_pct / 100).toPrecision(12))]);
    const burn = panelTitled(d, /^Burn rate/);
    expect(steps(burn)).toEqual([
      { color: 'green', value: null },
      { color: 'yellow', value: 1 },
      { color: 'orange', value: 6 },
      { color: 'red', value: 14.4 },
    ]);
    expect(p.burn.windows.map((w) => w.burnRate)).toEqual([14.4, 6, 1]);
    expect(byKey(p, 'batch-scoring')).toBeUndefined();
    expect(byKey(p, 'stream-scoring')).toBeUndefined();
  });

  it('batch only: no serving dashboard and no serving series anywhere; a batch dashboard whose lateness line is the alert threshold', () => {
    const p = scenario('batch');
    expect(byKey(p, 'serving')).toBeUndefined();
    const all = grafanaDashboards(p).map((f) => f.json).join('\n');
    expect(all).not.toContain(METRICS.requests.name);
    expect(all).not.toContain('model:request');
    const d = byKey(p, 'batch-scoring')!;
    const late = buildAlerts(p).find((a) => a.name === 'BatchScoringLate')!;
    expect(late.vendor.kind).toBe('staleness');
    const lateness = panelTitled(d, /^Time since the last successful batch run/);
    expect(stepValues(lateness)).toEqual([null, late.vendor.kind === 'staleness' ? late.vendor.afterSeconds : NaN]);
    expect(exprs(panelTitled(d, /^Batch runs by result/))[0]).toContain(METRICS.batchRuns.name);
  });

  it('stream: a stream dashboard with consumer lag against the StreamConsumerLagHigh threshold', () => {
    const p = scenario('stream');
    expect(byKey(p, 'serving')).toBeUndefined();
    const d = byKey(p, 'stream-scoring')!;
    const alert = buildAlerts(p).find((a) => a.name === 'StreamConsumerLagHigh')!;
    const lag = panelTitled(d, /^Consumer lag/);
    expect(lag.fieldConfig?.defaults.unit).toBe('s');
    expect(stepValues(lag)).toEqual([null, alert.vendor.kind === 'threshold' ? alert.vendor.threshold : NaN]);
    expect(exprs(panelTitled(d, /^Stream events by result/))[0]).toContain(METRICS.streamMessages.name);
  });

  it('hybrid on the custom stack: serving plus batch, the data source described as the collector-fed Prometheus', () => {
    const custom = scenario('custom');
    expect(grafanaDashboards(custom).map((f) => f.path.split('/').pop())).toEqual(['serving.json', 'model-quality.json', 'drift.json', 'data-quality.json', 'batch-scoring.json', 'cost.json']);
    const c = byKey(custom, 'serving')!;
    expect(c.tags).toContain('custom');
    expect(c.templating?.list?.[0]?.description).toMatch(/OpenTelemetry Collector/);
    const prom = planFor(withPatch(base, { options: { deployment_mode: 'hybrid', monitoring_stack: 'prometheus' } }));
    const pd = byKey(prom, 'serving')!;
    expect(pd.tags).toContain('prometheus');
    expect(pd.templating?.list?.[0]?.description).not.toMatch(/OpenTelemetry/);
    // Same panels and queries on both stacks: custom exposes the same metrics through the collector.
    expect(panelsOf(pd).map(exprs)).toEqual(panelsOf(c).map(exprs));
  });
});

// ------------------------------------------------------------------ real PromQL

describe('queries', () => {
  it('promqlMetricNames finds selected series, not functions, labels, keywords, strings or durations', () => {
    expect(promqlMetricNames('sum by (namespace, le) (rate(foo_bucket{a="b",c=~"x|y"}[5m])) / on (x) group_left () bar:baz:ratio{k="v"}')).toEqual(['foo_bucket', 'bar:baz:ratio']);
    expect(promqlMetricNames('time() - max(last_success{pipeline="a\\"b"}) > 1e-7 and up offset 5m')).toEqual(['last_success', 'up']);
    expect(promqlMetricNames('topk(5, imp{p="x"}) / 100')).toEqual(['imp']);
  });

  it.each(SCENARIOS)('%s: every series a panel selects is one of METRICS (with histogram suffixes), a recording rule or an exporter metric', (name) => {
    const p = scenario(name);
    const records = recordingRules(p).map((r) => r.record);
    const known = new Set([
      ...Object.values(METRICS).flatMap((m) => (m.type === 'histogram' ? ['', '_bucket', '_sum', '_count'].map((s) => `${m.name}${s}`) : [m.name])),
      ...records,
      ...Object.values(EXTERNAL_METRICS),
    ]);
    const used = new Set<string>();
    for (const f of grafanaDashboards(p)) {
      for (const panel of panelsOf(parse(f))) {
        expect(panel.targets?.length).toBeGreaterThan(0);
        for (const e of exprs(panel)) {
          const names = promqlMetricNames(e);
          expect(names.length, e).toBeGreaterThan(0);
          for (const n of names) {
            expect(known.has(n), `${f.path} "${panel.title}": ${n} in ${e}`).toBe(true);
            used.add(n);
          }
        }
      }
    }
    // The recording rules the dashboards exist for are used.
    for (const r of ['pipeline:cost_usd:month_to_date', 'pipeline:data_validation_pass:ratio_rate1h', 'model:prediction_quality:relative_degradation']) expect(used.has(r)).toBe(true);
    // `source` (what the vendor dashboards use) lists exactly the series the queries select.
    for (const b of dashboards(p)) for (const panel of b.panels) expect(panel.source.split(', ')).toEqual([...new Set(panel.queries.flatMap((q) => promqlMetricNames(q.expr)))]);
  });

  it('every query is valid PromQL (promtool check rules on all of them as recording rules)', () => {
    const rules = SCENARIOS.flatMap((s) =>
      grafanaDashboards(scenario(s)).flatMap((f, d) => panelsOf(parse(f)).flatMap((panel) => exprs(panel).map((expr, i) => ({ record: `dashboard:query:${s}_${d}_${panel.id}_${i}`, expr })))),
    );
    const dir = tempDir();
    const file = join(dir, 'queries.yml');
    writeFileSync(file, toYaml({ groups: [{ name: 'dashboard-queries', rules }] }));
    const r = runTool('/usr/bin/promtool', ['check', 'rules', file]);
    expect(r.output).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(r.ok).toBe(true);
  });
});

// ------------------------------------------------------------------ thresholds from the plan

describe('thresholds come from the plan', () => {
  it('drift: one bar gauge per test, coloured at each feature test\'s warn / critical levels; features with other levels get their own', () => {
    const p = scenario('online');
    const d = byKey(p, 'drift')!;
    const tests = [...new Set(p.tests.map((t) => t.test))];
    const gauges = panelsOf(d).filter((x) => x.type === 'bargauge');
    expect(gauges).toHaveLength(tests.length);
    for (const [i, test] of tests.entries()) {
      const g = gauges[i]!;
      expect(exprs(g)).toEqual([`max by (feature) (feature_drift_score{pipeline=${JSON.stringify(p.pipeline)},test="${test}"})`]);
      expect(g.targets?.[0]?.legendFormat).toBe('{{feature}}');
      const levelSets = p.tests.filter((t) => t.test === test).map((t) => [null, ...(t.warn < t.critical ? [t.warn] : []), t.critical]);
      const overrides = g.fieldConfig?.overrides ?? [];
      const perFeature = new Map(overrides.map((o) => [o.matcher.options as string, (o.properties[0]!.value as { steps: { value: number | null }[] }).steps.map((s) => s.value)]));
      for (const [j, t] of p.tests.filter((x) => x.test === test).entries()) expect(perFeature.get(t.feature) ?? stepValues(g)).toEqual(levelSets[j]);
    }
    const series = panelTitled(d, /^Drift score per feature$/);
    expect(series.targets?.[0]?.legendFormat).toBe('{{feature}} ({{test}})');
    expect(stepValues(panelTitled(d, /^Prediction distribution PSI/))).toEqual([null, p.predictionPsi]);
    expect(stepValues(panelTitled(d, /^Drift job freshness/)).at(-1)).toBe(p.drift.staleAfterMinutes * 60);
  });

  it('data quality, model quality and cost follow the SLOs and the budget', () => {
    const p = planFor(withPatch(base, { slo: { validation_pass_rate_pct: 97.5, min_spot_pct: 55, max_waste_pct: 35 }, team: { budget_usd_per_month: 12_345 } }));
    const dq = byKey(p, 'data-quality')!;
    expect(stepValues(panelTitled(dq, /^Validation pass rate vs 97.5 %/))).toEqual([null, 0.975]);
    const cost = byKey(p, 'cost')!;
    const mtd = panelTitled(cost, /^Month-to-date cost vs 12345 USD with 50\/80\/100 % lines/);
    expect(mtd.fieldConfig?.defaults.unit).toBe('currencyUSD');
    expect(steps(mtd)).toEqual([
      { color: 'green', value: null },
      { color: 'yellow', value: 6172.5 },
      { color: 'orange', value: 9876 },
      { color: 'red', value: 12345 },
    ]);
    expect(stepValues(panelTitled(cost, /^Spot share vs 55 %/))).toEqual([null, 0.55]);
    expect(stepValues(panelTitled(cost, /^CPU waste vs 35 %/))).toEqual([null, 0.35]);
    const mq = byKey(p, 'model-quality')!;
    expect(stepValues(panelTitled(mq, /^Relative degradation/))).toEqual([null, p.quality.warnDegradationPct / 100, p.quality.criticalDegradationPct / 100]);
  });

  it('colour helpers: high-is-bad goes green → yellow → red, low-is-bad red → yellow → green, sorted', () => {
    expect(highIsBad(0.1, 0.25)).toEqual({ base: 'green', steps: [{ value: 0.1, color: 'yellow' }, { value: 0.25, color: 'red' }] });
    expect(lowIsBad(0.9, 0.8)).toEqual({ base: 'red', steps: [{ value: 0.8, color: 'yellow' }, { value: 0.9, color: 'green' }] });
    expect(highIsBad(0.3, 0.3)).toEqual({ base: 'green', steps: [{ value: 0.3, color: 'red' }] });
  });
});

// ------------------------------------------------------------------ user strings

describe('user strings', () => {
  it('a pipeline and features named with quotes and backslashes stay data: JSON-escaped titles, PromQL-escaped selectors, raw override matchers', () => {
    const p = structuredClone(scenario('online'));
    const weird = 'fraud "v2" \\ </script>';
    p.pipeline = weird;
    // Two features of one test with different levels: the second gets its own thresholds, matched by its name.
    const [first] = p.tests;
    const quoted = { ...first!, feature: 'amount "usd"\\n', warn: first!.warn * 2, critical: first!.critical * 2 };
    p.tests = [first!, quoted];
    const files = grafanaDashboards(p);
    for (const f of files) {
      expect(checkGrafanaDashboard(f.json)).toEqual([]);
      expect(f.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
      expect(parse(f).title!.startsWith(weird)).toBe(true);
    }
    const drift = parse(files.find((f) => f.path.endsWith('/drift.json'))!);
    const gauge = panelsOf(drift).find((x) => x.type === 'bargauge')!;
    expect(exprs(gauge)[0]).toContain('pipeline="fraud \\"v2\\" \\\\ </script>"');
    expect(gauge.fieldConfig?.overrides.map((o) => o.matcher)).toEqual([{ id: 'byName', options: 'amount "usd"\\n' }]);
  });
});

// ------------------------------------------------------------------ sidecar ConfigMaps

describe('grafanaDashboardConfigMaps', () => {
  it('one ConfigMap per dashboard in the monitoring namespace, labelled for the Grafana chart sidecar, filed in the pipeline folder', () => {
    const p = scenario('custom');
    const files = grafanaDashboards(p);
    const maps = grafanaDashboardConfigMaps(p, files);
    expect(maps).toHaveLength(files.length);
    for (const [i, cm] of maps.entries()) {
      new ConfigMap(cm).validate();
      expect(cm.metadata?.namespace).toBe(p.namespaces.monitoring);
      expect(cm.metadata?.labels).toMatchObject({ grafana_dashboard: '1' });
      expect(cm.metadata?.annotations).toEqual({ grafana_folder: p.pipeline });
      const file = files[i]!.path.split('/').pop()!;
      expect(cm.data).toEqual({ [file]: files[i]!.json });
      expect(cm.metadata?.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    }
    expect(new Set(maps.map((m) => m.metadata?.name)).size).toBe(maps.length);
  });
});

// ------------------------------------------------------------------ the schema and the package it comes from

describe('the committed schema', () => {
  const require = createRequire(import.meta.url);
  const installed = JSON.parse(readFileSync(require.resolve('@grafana/schema/package.json'), 'utf8')) as { version: string };

  it('was generated from the installed @grafana/schema (else run node scripts/grafana-schema.mjs)', () => {
    const schema = JSON.parse(readFileSync(join(process.cwd(), ...GRAFANA_SCHEMA_FILE), 'utf8')) as { 'x-generated-from': { package: string; version: string; type: string } };
    expect(schema['x-generated-from']).toMatchObject({ package: '@grafana/schema', version: installed.version, type: 'Dashboard' });
  });

  it("GRAFANA_SCHEMA_VERSION is the installed package's default dashboard schemaVersion", async () => {
    const raw = (await import('@grafana/schema')) as unknown as { defaultDashboard: { schemaVersion?: number } };
    expect(raw.defaultDashboard.schemaVersion).toBe(GRAFANA_SCHEMA_VERSION);
  });
});
