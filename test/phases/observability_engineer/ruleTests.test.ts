import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { buildAlerts, type AlertDefinition } from '../../../src/phases/observability_engineer/alerts.js';
import { buildPlan, type MonitoringPlan } from '../../../src/phases/observability_engineer/plan.js';
import { prometheusRulesFile } from '../../../src/phases/observability_engineer/rules.js';
import { metricNames, metricsRead, promtoolTestFiles, untestedAlerts, type PromtoolTestFileOutput } from '../../../src/phases/observability_engineer/ruleTests.js';
import type { ResolvedSpec } from '../../../src/spec/resolve.js';
import { upstreamFor, withSpec } from '../../helpers/phaseHarness.js';
import { defaultSpec, richSpec, withPatch } from '../../helpers/specs.js';
import { tempDir } from '../../helpers/tmp.js';

const PROMTOOL = '/usr/bin/promtool';

interface Built {
  label: string;
  plan: MonitoringPlan;
  alerts: AlertDefinition[];
  files: PromtoolTestFileOutput[];
}

function build(label: string, spec: ResolvedSpec): Built {
  const plan = buildPlan(spec, upstreamFor(spec, 'observability_engineer'));
  const alerts = buildAlerts(plan);
  return { label, plan, alerts, files: promtoolTestFiles(plan, alerts) };
}

/** Diverse specs: every deployment mode, GPUs, both Prometheus-based stacks, odd feature names, strict SLOs. */
function diverseSpecs(): [string, ResolvedSpec][] {
  const base = defaultSpec();
  const rich = richSpec();
  return [
    ['default (realtime, prometheus, pagerduty)', base],
    ['batch', withPatch(base, { options: { deployment_mode: 'batch' } })],
    ['streaming', withPatch(base, { options: { deployment_mode: 'streaming' } })],
    ['hybrid with GPUs, protected attribute, opsgenie', withPatch(rich, { options: { monitoring_stack: 'prometheus' } })],
    ['custom stack, 2 h drift window, loose SLOs', withPatch(base, { options: { monitoring_stack: 'custom' }, slo: { drift_detection_window_h: 2, availability_pct: 99, validation_pass_rate_pct: 95 } })],
    [
      'odd feature names (YAML 1.1 words, label names, prefixes of each other, 63 characters)',
      withSpec(base, (s) => {
        s.data.features = [
          { name: 'yes', type: 'categorical', categories: ['on', 'off'] },
          { name: 'le', type: 'numeric', min: 0 },
          { name: 'amount', type: 'numeric' },
          { name: 'amount_2', type: 'numeric' },
          { name: 'null', type: 'boolean' },
          { name: `a${'b'.repeat(62)}`, type: 'integer' },
        ] as ResolvedSpec['data']['features'];
      }),
    ],
    ['availability 99.99 % and alert_time_s 30', withPatch(base, { slo: { availability_pct: 99.99, alert_time_s: 30 } })],
  ];
}

interface TestFile {
  rule_files: string[];
  evaluation_interval: string;
  tests: { name: string; alert_rule_test: { alertname: string; eval_time: string; exp_alerts: { exp_labels: Record<string, string> }[] }[] }[];
}

const parsed = (b: Built): TestFile[] => b.files.map((f) => parseYaml(f.content) as TestFile);

function promtool(args: string[], cwd: string): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile(PROMTOOL, args, { cwd, maxBuffer: 32 * 1024 * 1024, timeout: 240_000 }, (error, stdout, stderr) => resolve({ ok: !error, output: `${stdout}${stderr}` }));
  });
}

/** Writes rules.yml and the test files as the bundle lays them out; returns the folder of the rule file. */
function writeBundle(b: Built, rules = prometheusRulesFile(b.plan, b.alerts)): string {
  const dir = join(tempDir(), 'monitoring/prometheus');
  mkdirSync(join(dir, 'tests'), { recursive: true });
  writeFileSync(join(dir, 'rules.yml'), rules);
  for (const f of b.files) writeFileSync(join(dir, 'tests', f.name), f.content);
  return dir;
}

const testPaths = (b: Built) => b.files.map((f) => `tests/${f.name}`);

describe('promtool unit tests of the alert catalogue', () => {
  const built = diverseSpecs().map(([label, spec]) => build(label, spec));

  it('the specs cover every deployment mode, GPUs, protected attributes and both on-call integrations', () => {
    const names = new Set(built.flatMap((b) => b.alerts.map((a) => a.name)));
    for (const n of ['BatchScoringLate', 'StreamConsumerLagHigh', 'ServingGpuUnderutilised', 'ProtectedAttributeDrift', 'ModelErrorSpike', 'CostForecastOverrun']) expect(names).toContain(n);
    expect(new Set(built.map((b) => b.plan.spec.team.oncall))).toEqual(new Set(['pagerduty', 'opsgenie']));
  });

  it.each(built.map((b) => [b.label, b] as const))('%s: every alert has a firing case with its labels and a non-firing case', (_label, b) => {
    const cases = parsed(b).flatMap((f) => f.tests.flatMap((t) => t.alert_rule_test));
    for (const a of b.alerts) {
      const mine = cases.filter((c) => c.alertname === a.name);
      const firing = mine.filter((c) => c.exp_alerts.length > 0);
      expect(firing.length, `${a.name} has no firing case`).toBeGreaterThan(0);
      expect(mine.some((c) => c.exp_alerts.length === 0), `${a.name} has no non-firing case`).toBe(true);
      for (const e of firing.flatMap((c) => c.exp_alerts)) {
        expect(e.exp_labels).toMatchObject({ severity: a.severity, category: a.category, pipeline: b.plan.pipeline });
        for (const l of a.seriesLabels ?? []) expect(e.exp_labels[l], `${a.name} names its ${l}`).toBeTruthy();
      }
    }
    // Each file points at the rule file beside the tests folder and runs at one evaluation interval.
    for (const f of parsed(b)) expect(f.rule_files).toEqual(['../rules.yml']);
    expect(b.files[0]!.name).toBe('alerts.test.yml');
    expect(b.files[0]!.evaluationSeconds).toBe(b.plan.timing.evaluationSeconds);
  });

  it('every monitored feature fires FeatureDriftHigh, and protected features never do', () => {
    const hybrid = built.find((b) => b.label.startsWith('hybrid'))!;
    const drift = parsed(hybrid)
      .flatMap((f) => f.tests.flatMap((t) => t.alert_rule_test))
      .find((c) => c.alertname === 'FeatureDriftHigh' && c.exp_alerts.length > 0)!;
    const fired = drift.exp_alerts.map((e) => `${e.exp_labels.feature}/${e.exp_labels.test}`).sort();
    expect(fired).toEqual(hybrid.plan.tests.filter((t) => !t.protected).map((t) => `${t.feature}/${t.test}`).sort());
    expect(hybrid.plan.tests.some((t) => t.protected)).toBe(true);
  });

  it('shares a test group only between scenarios of different alerts that read no metric in common', () => {
    for (const b of built) {
      const reads = new Map(b.alerts.map((a) => [a.name, metricsRead(b.plan, a)]));
      const groups = parsed(b).flatMap((f) => f.tests);
      for (const g of groups) {
        const alerts = [...new Set(g.alert_rule_test.map((t) => t.alertname))];
        // One scenario per alert: a scenario's checks are its alert's (a pending check and the verdict).
        expect(g.name.split(' | ').map((n) => n.split(' ')[0]).sort(), `${b.label}: ${g.name}`).toEqual(alerts.sort());
        for (const [i, x] of alerts.entries()) {
          for (const y of alerts.slice(i + 1)) expect([...reads.get(x)!].filter((m) => reads.get(y)!.has(m)), `${b.label}: ${x} and ${y} share a group`).toEqual([]);
        }
      }
      // Sharing is what makes the files cheaper: fewer groups than scenarios.
      expect(groups.length, b.label).toBeLessThan(groups.reduce((n, g) => n + g.name.split(' | ').length, 0));
    }
  });

  it('reads the metric names of an expression, through string literals, matchers, ranges and grouping labels', () => {
    expect([...metricNames('absent(up{job="a{b}",x=~"sum(c)"} == 1)')]).toEqual(['up']);
    expect([...metricNames('histogram_quantile(0.99, sum by (namespace, le) (rate(http_seconds_bucket{a="b"}[5m] offset 1h)))')]).toEqual(['http_seconds_bucket']);
    expect([...metricNames('model:ratio_rate1h > 1e-3 AND on (pipeline) group_left (team) max without (pod) (info) or vector(1)')]).toEqual(['model:ratio_rate1h', 'info']);
    expect([...metricNames('predict_linear(cost[3d], scalar((days_in_month() - day_of_month()) * 86400)) > 2 and on () day_of_month() > 3')]).toEqual(['cost']);
    // A name it would not see is refused rather than missed (missing one could let two scenarios share inputs).
    expect(() => metricNames('rate({__name__="x_total"}[5m])')).toThrow(/not supported/);
    expect(() => metricNames('{"x.total", job="a"}')).toThrow(/not supported/);
  });

  it('is deterministic', () => {
    const [label, spec] = diverseSpecs()[3]!;
    expect(build(label, spec).files).toEqual(built[3]!.files);
  });

  it('`promtool test rules` passes on the generated files of every spec', async () => {
    const dirs = built.map((b) => ({ b, dir: writeBundle(b) }));
    // Two promtool processes at a time (the machine has two cores); each runs every file of one spec.
    const results: { label: string; ok: boolean; output: string }[] = [];
    const queue = [...dirs];
    await Promise.all(
      [0, 1].map(async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          const r = await promtool(['test', 'rules', ...testPaths(next.b)], next.dir);
          results.push({ label: next.b.label, ...r });
        }
      }),
    );
    for (const r of results) expect(r.ok, `${r.label}:\n${r.output.slice(0, 4000)}`).toBe(true);
  }, 300_000);

  it('the tests catch a wrong threshold, a wrong for: and a missing guard', async () => {
    const b = built[0]!;
    const budget = b.plan.cost.thresholdsUsd[0]!;
    const mutated = prometheusRulesFile(b.plan, b.alerts)
      .replace(`>= ${budget}\n`, `> ${budget}\n`)
      .replace(` >= ${b.plan.quality.minLabelledSamples}`, ' >= 0')
      .replaceAll(`for: ${b.plan.drift.alertForMinutes}m`, `for: ${b.plan.drift.alertForMinutes + 1}m`);
    const names = ['CostBudget50Pct', 'ModelQualityDegraded', 'FeatureDriftHigh'];
    const concerned = b.files.filter((f) => names.some((n) => f.content.includes(`alertname: ${n}\n`))).map((f) => `tests/${f.name}`);
    const r = await promtool(['test', 'rules', ...concerned], writeBundle(b, mutated));
    expect(r.ok).toBe(false);
    for (const name of names) expect(r.output).toContain(`alertname: ${name}`);
  }, 120_000);

  it('names the alerts no input can fire instead of breaking the phase (availability 90 %: the 14.4x burn needs an error ratio of 1.44)', () => {
    const b = build('availability 90 %', withPatch(defaultSpec(), { slo: { availability_pct: 90 } }));
    expect(untestedAlerts(b.plan, b.alerts)).toEqual([{ alert: 'ModelAvailabilityFastBurn', reason: expect.stringContaining('cannot fire') }]);
    expect(b.files.some((f) => f.content.includes('alertname: ModelAvailabilityFastBurn'))).toBe(false);
    expect(built.flatMap((x) => untestedAlerts(x.plan, x.alerts))).toEqual([]);
  });

  it('an alert without a scenario is an error, not a silently untested alert', () => {
    const b = built[0]!;
    const alien: AlertDefinition = { ...b.alerts[0]!, name: 'SomethingNew' };
    expect(() => promtoolTestFiles(b.plan, [...b.alerts, alien])).toThrow(/no promtool scenario for alert SomethingNew/);
  });
});
