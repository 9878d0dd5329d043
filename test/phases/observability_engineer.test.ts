import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { Artifact } from '../../src/artifacts/artifact.js';
import { pythonPackage } from '../../src/phases/common.js';
import { buildAlerts } from '../../src/phases/observability_engineer/alerts.js';
import { runsPerDay } from '../../src/phases/observability_engineer/cron.js';
import { ObservabilityEngineerDecisions } from '../../src/phases/observability_engineer/decisions.js';
import { observabilityEngineer, METRICS } from '../../src/phases/observability_engineer/index.js';
import { buildPlan } from '../../src/phases/observability_engineer/plan.js';
import { promqlString, selector } from '../../src/phases/observability_engineer/promql.js';
import type { PhaseOutput } from '../../src/phases/types.js';
import { OPTION_NAMES, OPTION_VALUES } from '../../src/spec/options.js';
import { resolveSpec, type ResolvedSpec } from '../../src/spec/resolve.js';
import { bundleUntil, checkArtifacts, runPhase, runPython, runTool, upstreamFor as upstreamOf, writeArtifacts } from '../helpers/phaseHarness.js';
import { defaultSpec, richSpec } from '../helpers/specs.js';

type Upstream = Parameters<typeof observabilityEngineer.run>[0]['upstream'];

// ------------------------------------------------------------------ upstream: the real chain

const upstreamFor = (spec: ResolvedSpec): Upstream => upstreamOf(spec, 'observability_engineer');

function run(spec: ResolvedSpec, notes?: string, upstream = upstreamFor(spec)): PhaseOutput<'observability_engineer'> {
  return runPhase('observability_engineer', spec, notes, upstream);
}

/** Everything the phase itself wrote: the document after the shared opening, and every artifact. */
function ownOutput(out: PhaseOutput<'observability_engineer'>): string {
  return [out.document.slice(out.document.indexOf('\n## ')), ...out.artifacts.map((a) => `${a.path}\n${a.content}`)].join('\n');
}

// ------------------------------------------------------------------ validators

/** Every artifact with its tool, plus promtool on prometheus.yml. */
function validateAll(files: readonly Artifact[]): string[] {
  const dir = writeArtifacts(files);
  const failures = checkArtifacts(files, dir);
  const config = files.find((f) => f.path === 'monitoring/prometheus/prometheus.yml');
  if (config) {
    // Debian's promtool is built without Kubernetes service discovery, so it rejects `kubernetes_sd_configs`;
    // the rest of the file is checked on a copy without those blocks (and the real rules file beside it).
    const parsed = parseYaml(config.content) as { scrape_configs: Record<string, unknown>[] };
    // Service-account files only exist in a pod: point them at local stand-ins.
    writeFileSync(join(dir, 'token'), 'token');
    writeFileSync(join(dir, 'ca.crt'), '');
    for (const job of parsed.scrape_configs) {
      delete job.kubernetes_sd_configs;
      if (job.authorization) job.authorization = { credentials_file: join(dir, 'token') };
      if (job.tls_config) job.tls_config = { ca_file: join(dir, 'ca.crt') };
    }
    const copy = join(dir, 'monitoring/prometheus/prometheus-no-k8s-sd.yml');
    writeFileSync(copy, JSON.stringify(parsed));
    const r = runTool('/usr/bin/promtool', ['check', 'config', copy]);
    if (!r.ok) failures.push(`${config.path} (promtool check config): ${r.output}`);
  }
  return failures;
}

function withOption(spec: ResolvedSpec, name: string, value: string): ResolvedSpec {
  return { ...spec, options: { ...spec.options, [name]: value } } as ResolvedSpec;
}

const SECTION_TITLES: Record<string, string[]> = {
  '1. Model performance': ['Prediction accuracy tracking', 'Latency and throughput metrics', 'Feature importance shifts', 'Business KPI correlation'],
  '2. Data and model drift': ['Statistical drift detection (KS test, PSI)', 'Concept drift monitoring', 'Feature distribution tracking', 'Automated drift alerts and reports'],
  '3. System observability': ['Prometheus metrics for all components', 'Grafana dashboards', 'Distributed tracing with Jaeger/Zipkin', 'Log aggregation with ELK/Loki'],
  '4. Alerting and automation': ['PagerDuty/Opsgenie integration', 'Automated retraining triggers', 'Performance degradation workflows', 'Incident response runbooks'],
  '5. Cost tracking': ['Resource usage metrics', 'Cost allocation per model/experiment', 'Optimisation recommendations', 'Budget alerts and controls'],
};

// ------------------------------------------------------------------ tests

describe('observability_engineer derivations', () => {
  it('derives the alert-time budget, burn rates, quality window and drift schedule of the default spec', () => {
    const spec = defaultSpec();
    const plan = buildPlan(spec, upstreamFor(spec));
    expect(plan.timing).toMatchObject({ scrapeSeconds: 15, evaluationSeconds: 15, groupWaitSeconds: 10, fastWindowSeconds: 60, errorBudgetRatio: 0.001, spikeThreshold: 0.05, spikeFillSeconds: 3, fastForSeconds: 15, spikeDetectionSeconds: 58, downDetectionSeconds: 55, meetsAlertTime: true });
    expect(plan.burn.budgetMinutesPer30d).toBe(43.2);
    expect(plan.burn.windows.map((w) => [w.burnRate, w.errorRatioThreshold, w.budgetConsumedPct, w.outageFillSeconds])).toEqual([
      [14.4, 0.0144, 2, 51.8],
      [6, 0.006, 5, 129.6],
      [1, 0.001, 10, 259.2],
    ]);
    // 100 rps peak / 3 = 33.33 rps average -> 120,000 predictions per hour.
    expect(plan.traffic.predictionsPerHour).toBe(120_000);
    expect(plan.latency.bucketsSeconds).toEqual([0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.8, 2]);
    // roc_auc, reference = promotion threshold 0.65, d = 5 %: n = 2.326² · 0.35 / (0.65 · 0.05²) = 1165.3 -> 1166.
    expect(plan.quality).toMatchObject({ metric: 'roc_auc', direction: 'maximize', reference: 0.65, minLabelledSamples: 1166, windowHours: 1, warnDegradationPct: 2.5, criticalDegradationPct: 5, labelDelayHours: 24, conceptDriftDetectionHours: 26.17 });
    // 8 h interval: 2 · 480 + 4 + 15 = 979 min ≤ 1,440 min; 12 h would need 1,459 min.
    expect(plan.drift).toMatchObject({ intervalMinutes: 480, schedule: '5 */8 * * *', runtimeMinutes: 4, alertForMinutes: 15, worstCaseHours: 8.32, worstCaseOneFailedRunHours: 16.32, meetsWindow: true, staleAfterMinutes: 964, retrainQuorum: 1 });
    expect(plan.cost.thresholdsUsd).toEqual([10_000, 16_000, 20_000]);
    expect(plan.logs.backend).toBe('loki');
    expect(plan.tracing).toMatchObject({ backend: 'jaeger', headSampleRatio: 0.3 });
  });

  it('derives different figures for the rich spec (99.95 %, forecasting, hybrid, datadog, opsgenie)', () => {
    const spec = richSpec();
    const plan = buildPlan(spec, upstreamFor(spec));
    expect(plan.timing).toMatchObject({ errorBudgetRatio: 0.0005, spikeThreshold: 0.025, spikeFillSeconds: 2, fastForSeconds: 15, spikeDetectionSeconds: 57 });
    expect(plan.burn.budgetMinutesPer30d).toBe(21.6);
    expect(plan.burn.windows[0]!.outageFillSeconds).toBe(25.9);
    expect(plan.traffic.modes).toEqual(['online', 'batch']);
    expect(plan.latency.bucketsSeconds[4]).toBe(0.08);
    // wape (minimize): n = 2.326² / (2 · 0.05²) = 1082.1 -> 1083; critical at the data scientist's floor 0.231.
    expect(plan.quality).toMatchObject({ metric: 'wape', direction: 'minimize', reference: 0.22, minLabelledSamples: 1083, criticalThreshold: 0.231, labelDelayHours: 48 });
    expect(plan.quality.conceptDriftDetectionHours).toBeGreaterThan(48);
    expect(plan.cost.thresholdsUsd).toEqual([22_500, 36_000, 45_000]);
    expect(plan.cost.teamLabel).toBe('supply-chain-ml');
    expect(plan.logs.backend).toBe('datadog-logs');
    expect(plan.tracing.backend).toBe('datadog-apm');
    // The protected attribute is tracked but never counts towards retraining.
    expect(plan.tests.filter((t) => t.feature === 'store_region').every((t) => t.protected)).toBe(true);
  });

  it('shortens the drift interval when the detection window shrinks and flags windows that cannot be met', () => {
    const six = richSpec({ slo: { p99_latency_ms: 80, availability_pct: 99.95, rollback_minutes: 3, min_spot_pct: 75, drift_detection_window_h: 6 } });
    const plan6 = buildPlan(six, upstreamFor(six));
    expect(plan6.drift.intervalMinutes).toBe(120);
    expect(plan6.drift.schedule).toBe('5 */2 * * *');
    expect(plan6.drift.worstCaseHours).toBeLessThanOrEqual(6);
    const tiny = richSpec({ slo: { drift_detection_window_h: 0.25 } });
    const planTiny = buildPlan(tiny, upstreamFor(tiny));
    expect(planTiny.drift.intervalMinutes).toBe(15);
    expect(planTiny.drift.meetsWindow).toBe(false);
  });

  it('takes per-feature tests and levels from the data scientist (KS/PSI numeric, chi-square/JS categorical)', () => {
    const spec = defaultSpec();
    const up = upstreamFor(spec);
    const plan = buildPlan(spec, up);
    for (const f of up.data_scientist.features) {
      const tests = plan.tests.filter((t) => t.feature === f.name);
      expect(tests.find((t) => t.primary)?.test).toBe(f.drift_test);
      expect(tests.map((t) => t.test).sort()).toEqual([...new Set([f.drift_test, ...f.drift_tests.map((t) => t.test)])].sort());
    }
    const amountKs = plan.tests.find((t) => t.feature === 'amount' && t.test === 'ks')!;
    expect(amountKs).toMatchObject({ pValueMax: up.data_scientist.drift_policy.per_test_p_value, critical: 0.1, warn: 0.05, origin: 'data_scientist' });
    const amountPsi = plan.tests.find((t) => t.feature === 'amount' && t.test === 'psi')!;
    expect(amountPsi).toMatchObject({ warn: 0.1, critical: up.data_scientist.drift_policy.psi_alert, pValueMax: null });
  });

  it('counts cron runs per day', () => {
    expect(runsPerDay('0 3 * * 0')).toBeCloseTo(1 / 7);
    expect(runsPerDay('5 */8 * * *')).toBe(3);
    expect(runsPerDay('*/15 * * * *')).toBe(96);
    expect(runsPerDay('@daily')).toBe(1);
    expect(runsPerDay('0 2 * * 1-5')).toBeCloseTo(5 / 7);
  });
});

describe('observability_engineer document and decisions', () => {
  const spec = defaultSpec();
  const out = run(spec);

  it('has one section per deliverable, one subsection per bullet, and a hand-off', () => {
    for (const [section, bullets] of Object.entries(SECTION_TITLES)) {
      expect(out.document).toContain(`\n## ${section}\n`);
      for (const b of bullets) expect(out.document).toContain(`\n### ${b}\n`);
    }
    expect(out.document).toContain('\n## Hand-off\n');
    expect(out.document.match(/^### /gm)).toHaveLength(20);
  });

  it('states the derived figures', () => {
    expect(out.document).toContain('8.32 h');
    expect(out.document).toContain('1,166 labelled predictions');
    expect(out.document).toContain('14.4');
    expect(out.document).toContain('43.2 min');
    expect(out.document).toContain('`pagerduty`');
  });

  it('produces decisions that parse and match the alert list', () => {
    const d = ObservabilityEngineerDecisions.parse(out.decisions);
    expect(d.oncall).toBe('pagerduty');
    expect(d.budget.alert_thresholds_pct).toEqual([50, 80, 100]);
    expect(d.drift.worst_case_detection_hours).toBeLessThanOrEqual(d.drift.window_hours);
    expect(d.alerts.map((a) => a.name)).toEqual(expect.arrayContaining(['ModelAvailabilityFastBurn', 'ModelErrorSpike', 'ModelLatencyP99High', 'ModelQualityDegradationCritical', 'FeatureDriftHigh', 'DataValidationPassRateLow', 'FeatureServingLatencyHigh', 'CostBudget80Pct']));
    expect(d.alerts.filter((a) => a.meets_alert_time !== null).every((a) => a.meets_alert_time)).toBe(true);
    expect(d.retraining_triggers).toHaveLength(3);
    for (const a of d.alerts) expect(out.artifacts.some((f) => f.path === a.runbook)).toBe(true);
    expect(d.metrics.requests!.name).toBe('model_requests_total');
  });

  it('is deterministic', () => {
    const again = run(spec);
    expect(again.document).toBe(out.document);
    expect(JSON.stringify(again.artifacts)).toBe(JSON.stringify(out.artifacts));
    expect(JSON.stringify(again.decisions)).toBe(JSON.stringify(out.decisions));
  });

  it('gives different documents for different specs', () => {
    const rich = run(richSpec());
    expect(rich.document).not.toBe(out.document);
    expect(rich.document).toContain('opsgenie');
    expect(rich.document).toContain('`wape`');
    expect(rich.artifacts.map((a) => a.path)).toContain('monitoring/datadog/monitors.tf');
    expect(rich.artifacts.map((a) => a.path)).not.toContain('monitoring/prometheus/rules.yml');
  });
});

describe('observability_engineer options and spec paths', () => {
  const base = defaultSpec();
  const baseOwn = ownOutput(run(base));

  for (const name of OPTION_NAMES) {
    for (const value of OPTION_VALUES[name]) {
      if (value === base.options[name]) continue;
      it(`options.${name} = ${value} changes the phase's own output`, () => {
        expect(ownOutput(run(withOption(base, name, value)))).not.toBe(baseOwn);
      });
    }
  }

  it('every spec path whose change alters the output is covered by reads', () => {
    const upstream = upstreamFor(base);
    const own = ownOutput(run(base, undefined, upstream));
    const mutations: [string, ResolvedSpec][] = [
      ['slo.alert_time_s', { ...base, slo: { ...base.slo, alert_time_s: 30 } }],
      ['slo.drift_detection_window_h', { ...base, slo: { ...base.slo, drift_detection_window_h: 6 } }],
      ['slo.max_waste_pct', { ...base, slo: { ...base.slo, max_waste_pct: 10 } }],
      ['problem.label_delay_hours', { ...base, problem: { ...base.problem, label_delay_hours: 2 } }],
      ['team.budget_usd_per_month', { ...base, team: { ...base.team, budget_usd_per_month: 1234 } }],
      ['team.oncall', { ...base, team: { ...base.team, oncall: 'opsgenie' } }],
      ['team.owner', { ...base, team: { ...base.team, owner: 'risk-ml' } }],
      ['scale.peak_rps', { ...base, scale: { ...base.scale, peak_rps: 5000 } }],
      ['data.entity_key', { ...base, data: { ...base.data, entity_key: 'card_id' } }],
    ];
    for (const [path, spec] of mutations) {
      // Same upstream decisions: only this phase's direct reads can change the output.
      expect(ownOutput(run(spec, undefined, upstream)), path).not.toBe(own);
      expect(observabilityEngineer.reads.some((r) => path === r || path.startsWith(`${r}.`)), path).toBe(true);
    }
  });
});

describe('observability_engineer artifacts pass their validators', () => {
  for (const stack of OPTION_VALUES.monitoring_stack) {
    it(`monitoring_stack = ${stack}`, () => {
      const out = run(withOption(defaultSpec(), 'monitoring_stack', stack));
      const paths = out.artifacts.map((a) => a.path);
      expect(paths).toContain('monitoring/drift/drift_config.yaml');
      if (stack === 'prometheus' || stack === 'custom') expect(paths).toContain('monitoring/prometheus/rules.yml');
      expect(paths).toEqual(expect.arrayContaining(['monitoring/otel/collector-agent.yaml', 'monitoring/otel/collector-gateway.yaml']));
      if (stack === 'prometheus' || stack === 'custom') expect(paths).toEqual(expect.arrayContaining(['monitoring/prometheus/tests/alerts.test.yml', 'monitoring/alertmanager/alertmanager.yml']));
      if (stack === 'datadog') expect(paths).toEqual(expect.arrayContaining(['monitoring/datadog/monitors.tf', 'monitoring/datadog/slos.tf', 'monitoring/datadog/dashboards.tf']));
      if (stack === 'newrelic') expect(paths).toEqual(expect.arrayContaining(['monitoring/newrelic/conditions.tf', 'monitoring/newrelic/service_levels.tf', 'monitoring/newrelic/notifications.tf']));
      expect(validateAll(out.artifacts)).toEqual([]);
    });
  }

  it('the rich spec (hybrid, GPUs, protected attribute) under prometheus', () => {
    const out = run(withOption(richSpec(), 'monitoring_stack', 'prometheus'));
    expect(validateAll(out.artifacts)).toEqual([]);
    const rules = parseYaml(out.artifacts.find((a) => a.kind === 'prometheus-rules')!.content) as { groups: { rules: { alert?: string; annotations?: Record<string, string> }[] }[] };
    const alerts = rules.groups.flatMap((g) => g.rules).filter((r) => r.alert);
    expect(alerts.map((a) => a.alert)).toEqual(expect.arrayContaining(['BatchScoringLate', 'ProtectedAttributeDrift', 'ServingGpuUnderutilised']));
    for (const a of alerts) expect(a.annotations!.runbook_url).toBe(`https://git.example.com/forecasting/demand-forecast/blob/main/docs/runbooks/${a.alert}.md`);
  });

  it('every streaming-mode file validates too', () => {
    const out = run(withOption(defaultSpec(), 'deployment_mode', 'streaming'));
    expect(validateAll(out.artifacts)).toEqual([]);
  });

  it('rules use only metric names from the METRICS map, exporters and their own recording rules', () => {
    const out = run(defaultSpec());
    const rules = parseYaml(out.artifacts.find((a) => a.kind === 'prometheus-rules')!.content) as { groups: { rules: { record?: string; expr: string }[] }[] };
    const records = new Set(rules.groups.flatMap((g) => g.rules).flatMap((r) => (r.record ? [r.record] : [])));
    const ours = new Set(Object.values(METRICS).flatMap((m) => [m.name, `${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`]));
    const external = new Set(['up', 'container_cpu_usage_seconds_total', 'kube_pod_container_resource_requests', 'kube_node_labels', 'DCGM_FI_DEV_GPU_UTIL']);
    const functions = new Set(['sum', 'max', 'min', 'avg', 'rate', 'increase', 'histogram_quantile', 'label_replace', 'time', 'absent', 'predict_linear', 'scalar', 'days_in_month', 'day_of_month', 'and', 'or', 'on', 'by', 'group_left', 'count', 'unless']);
    for (const r of rules.groups.flatMap((g) => g.rules)) {
      const names = r.expr.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\{[^}]*\}/g, '{}').match(/[A-Za-z_:][A-Za-z0-9_:]*(?=\s*[{[(]|\s*$|\s*[<>=!]|\s+(?:and|or|unless|\*|\/|-|\+))/g) ?? [];
      for (const n of names) {
        if (functions.has(n) || /^\d/.test(n)) continue;
        expect(ours.has(n) || records.has(n) || external.has(n), `${n} in ${r.expr}`).toBe(true);
      }
    }
  });

  it('the drift statistics are correct on a bare interpreter', () => {
    const spec = defaultSpec();
    const dir = writeArtifacts(bundleUntil(spec, 'observability_engineer'));
    const script = [
      'import json',
      `from ${pythonPackage(spec)}.observability import drift, retraining_trigger as rt`,
      'd, p = drift.ks_2samp(list(range(1, 101)), list(range(51, 151)))',
      'v, pc = drift.chi2_test([10, 20], [20, 10])',
      'same = drift.psi([float(i) for i in range(1000)], [float(i) for i in range(1000)])',
      'shifted = drift.psi([float(i) for i in range(1000)], [float(i) + 300 for i in range(1000)])',
      'js = drift.jensen_shannon([100, 0], [0, 100])',
      "payload = {'alerts': [{'status': 'firing', 'labels': {'alertname': 'FeatureDriftHigh', 'pipeline': rt.PIPELINE, 'feature': 'amount'}}]}",
      'dec = rt.decide(payload, None, rt.MIN_NEW_LABELLED_ROWS, 0.0)',
      'cool = rt.decide(payload, 0.0, rt.MIN_NEW_LABELLED_ROWS, 60.0)',
      'url, body = rt.build_request("http://orchestrator", "train", "drift")',
      'print(json.dumps({"d": d, "p": p, "v": v, "pc": pc, "same": same, "shifted": shifted, "js": js, "start": dec.start, "reason": dec.reason, "cool": cool.start, "url": url}))',
    ].join('\n');
    const result = runPython(dir, script) as Record<string, number | string | boolean>;
    expect(result.d).toBeCloseTo(0.5, 10);
    expect(result.p as number).toBeLessThan(1e-9);
    // 2x2 table [[10,20],[20,10]]: Yates chi2 = 5.4, df = 1 -> p = 0.0201 (scipy's default correction);
    // V from the uncorrected chi2 6.667: sqrt(6.667/60) = 0.3333.
    expect(result.v).toBeCloseTo(0.33333, 4);
    expect(result.pc).toBeCloseTo(0.0201368, 6);
    expect(result.same).toBeCloseTo(0, 10);
    expect(result.shifted as number).toBeGreaterThan(0.25);
    expect(result.js as number).toBeGreaterThan(0.99);
    expect(result).toMatchObject({ start: true, reason: 'drift', cool: false, url: 'http://orchestrator/apis/v2beta1/runs' });
  });
});

describe('observability_engineer escaping', () => {
  it('escapes PromQL label values', () => {
    expect(promqlString('a"b\\c\nd')).toBe('"a\\"b\\\\c\\nd"');
    expect(selector([['model', '=', 'x"} or vector(1) #']])).toBe('{model="x\\"} or vector(1) #"}');
  });

  it('an upstream model name with quotes and backslashes still gives valid rules', () => {
    const spec = defaultSpec();
    const up = upstreamFor(spec);
    const hostile = { ...up, ml_engineer: { ...up.ml_engineer, registry: { ...up.ml_engineer.registry, model_name: 'fraud"model\\x' } } };
    const out = run(spec, undefined, hostile);
    const rules = out.artifacts.find((a) => a.kind === 'prometheus-rules')!;
    expect(rules.content).toContain('fraud\\"model\\\\x');
    expect(validateAll([rules])).toEqual([]);
  });

  it('user text with markup, pipes, backticks and newlines does not break markdown, YAML or Python', () => {
    const nasty = 'Score <script>alert(1)</script> | col | `rm -rf` ``` and\nnew line {{ $labels }} "quoted" \'single\'';
    const base = defaultSpec();
    const spec = { ...base, requirements: nasty, team: { ...base.team, owner: 'Risk | <b>ML</b> `team` "x"' } } as ResolvedSpec;
    const out = run(spec, 'notes with <img src=x> | and ``` fences');
    expect(out.document).not.toMatch(/(?<!\\)<script/);
    expect(out.document).not.toMatch(/(?<!\\)<img/);
    expect(out.document).not.toMatch(/(?<!\\)<b>/);
    for (const line of out.document.split('\n').filter((l) => l.startsWith('|'))) {
      const cells = line.replace(/\\\|/g, '').split('|').length;
      expect(cells).toBeGreaterThan(2);
    }
    for (const r of out.artifacts.filter((a) => a.path.startsWith('docs/runbooks/'))) {
      expect(r.content).not.toMatch(/(?<!\\)<b>/);
    }
    expect(validateAll(out.artifacts)).toEqual([]);
    const rules = out.artifacts.find((a) => a.kind === 'prometheus-rules')!.content;
    expect(rules).toContain('team: risk-b-ml-b-team-x');
  });
});

describe('observability_engineer alert catalogue', () => {
  it('has unique alert names, each with a runbook path', () => {
    const spec = defaultSpec();
    const alerts = buildAlerts(buildPlan(spec, upstreamFor(spec)));
    expect(new Set(alerts.map((a) => a.name)).size).toBe(alerts.length);
    for (const a of alerts) expect(a.name).toMatch(/^[A-Z][A-Za-z0-9]+$/);
  });
});

describe('observability_engineer and the promotion gate rule', () => {
  const runbook = (out: PhaseOutput<'observability_engineer'>) => out.artifacts.find((a) => a.path === 'docs/runbooks/ModelQualityDegradationCritical.md')!.content;

  it('default spec: absolute gate, the threshold is the metric reference of the proportion formula (≥)', () => {
    const spec = defaultSpec();
    const plan = buildPlan(spec, upstreamFor(spec));
    expect(plan.quality).toMatchObject({ reference: 0.65, referenceKnown: true, formula: 'n = z² · (1 − m) / (m · d²)' });
    const out = run(spec);
    expect(out.document).toContain('registry gate (`roc_auc` ≥ `0.65`, +1 % over production)');
    expect(runbook(out)).toContain('registry gate (`roc_auc` ≥ `0.65`) before the canary');
  });

  it('regression without baseline: relative gate, no static reference, non-proportion formula, ≤ in documents', () => {
    const spec = resolveSpec({ name: 'house-prices', requirements: 'Predict the sale price of a house', problem: { type: 'regression', target: 'price' } });
    const plan = buildPlan(spec, upstreamFor(spec));
    // n = 2.326² / (2 · 0.05²) = 1082.1 -> 1083: no metric value m is known before training.
    expect(plan.quality).toMatchObject({ metric: 'rmse', direction: 'minimize', referenceKnown: false, formula: 'n = z² / (2 · d²)', minLabelledSamples: 1083 });
    const out = run(spec);
    const gate = '`rmse` ≤ `0.95` × the CV `rmse` of the baseline model `mean_predictor` in the same training run';
    expect(out.document).toContain(`registry gate (${gate}, +1 % over production)`);
    expect(out.document).toContain('the proportion formula cannot be used');
    expect(out.document).not.toContain('against m = 0.95');
    expect(runbook(out)).toContain(`registry gate (${gate}) before the canary`);
    expect(runbook(out)).toContain("`rmse` reference is the promoted version's measured value");
    expect(out.decisions.retraining_triggers.join(' ')).toContain("5 % above the promoted version's measured value");
  });
});
