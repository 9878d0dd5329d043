import { AlertmanagerConfig } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1alpha1/AlertmanagerConfig';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { artifact, type Artifact } from '../../../src/artifacts/artifact.js';
import {
  alertmanagerConfig,
  alertmanagerConfigObject,
  alertmanagerConfigResource,
  alertmanagerRouteTestCases,
  alertmanagerRouteTests,
  alertmanagerSecrets,
  receiverNames,
  retrainingWebhookUrl,
} from '../../../src/phases/observability_engineer/alertmanager.js';
import { buildAlerts } from '../../../src/phases/observability_engineer/alerts.js';
import { buildPlan, type MonitoringPlan } from '../../../src/phases/observability_engineer/plan.js';
import type { ResolvedSpec } from '../../../src/spec/resolve.js';
import { amtoolValidator } from '../../../src/validate/validators/amtool.js';
import { upstreamFor, writeArtifacts } from '../../helpers/phaseHarness.js';
import { defaultSpec, richSpec, withPatch } from '../../helpers/specs.js';

function planOf(spec: ResolvedSpec): { p: MonitoringPlan; alerts: ReturnType<typeof buildAlerts> } {
  const p = buildPlan(spec, upstreamFor(spec, 'observability_engineer'));
  return { p, alerts: buildAlerts(p) };
}

function files(spec: ResolvedSpec): Artifact[] {
  const { p, alerts } = planOf(spec);
  return [
    artifact('observability_engineer', 'monitoring/alertmanager/alertmanager.yml', 'alertmanager', alertmanagerConfig(p, alerts)),
    artifact('observability_engineer', 'monitoring/alertmanager/route-tests.yaml', 'alertmanager-routes-test', alertmanagerRouteTests(p, alerts)),
  ];
}

const pagerduty = defaultSpec();
const opsgenie = withPatch(pagerduty, { team: { oncall: 'opsgenie' } });
const batch = withPatch(pagerduty, { options: { deployment_mode: 'batch' } });
const hybrid = withPatch(richSpec(), { options: { monitoring_stack: 'prometheus' } });

describe('Alertmanager configuration', () => {
  it.each([
    ['pagerduty', pagerduty],
    ['opsgenie', opsgenie],
    ['batch only', batch],
    ['hybrid with GPUs', hybrid],
  ] as const)('%s: amtool check-config passes and every routing case reaches its receivers', async (_label, spec) => {
    const bundle = files(spec);
    const root = writeArtifacts(bundle);
    const verdicts = await amtoolValidator.validate({ artifacts: bundle, root, bundle });
    expect(verdicts.map((v) => [v.path, v.verdict, v.message])).toEqual(bundle.map((a) => [a.path, 'pass', expect.any(String)]));
  });

  it('routes critical to the page receiver, warning to the ticket receiver and info to the report receiver, grouped by alertname, pipeline and category', () => {
    const { p, alerts } = planOf(pagerduty);
    const config = alertmanagerConfigObject(p, alerts);
    const names = receiverNames(p);
    expect(config.route.group_by).toEqual(['alertname', 'pipeline', 'category']);
    const bySeverity = Object.fromEntries(config.route.routes!.filter((r) => !r.continue).map((r) => [r.matchers!.find((m) => m.startsWith('severity='))!, r.receiver]));
    expect(bySeverity).toEqual({ 'severity="critical"': names.page, 'severity="warning"': names.ticket, 'severity="info"': names.report });
    // Drift alerts fire per feature: their routes group by feature too.
    expect(config.route.routes!.find((r) => r.receiver === names.ticket)!.group_by).toContain('feature');
    // info notifies nobody, as the document and runbooks say.
    expect(config.receivers.find((r) => r.name === names.report)).toEqual({ name: names.report });
  });

  it('group_wait is the alert-time budget share of the plan, and changes with alert_time_s', () => {
    const a = planOf(pagerduty);
    const b = planOf(withPatch(pagerduty, { slo: { alert_time_s: 30 } }));
    expect(alertmanagerConfigObject(a.p, a.alerts).route.group_wait).toBe(`${a.p.timing.groupWaitSeconds}s`);
    expect(alertmanagerConfigObject(b.p, b.alerts).route.group_wait).toBe(`${b.p.timing.groupWaitSeconds}s`);
    expect(a.p.timing.groupWaitSeconds).not.toBe(b.p.timing.groupWaitSeconds);
  });

  it('pagerduty: routing key from a mounted Secret file, severity per receiver; opsgenie: API key file, priority P1/P3', () => {
    const pd = planOf(pagerduty);
    const og = planOf(opsgenie);
    const pdConfig = alertmanagerConfigObject(pd.p, pd.alerts);
    const ogConfig = alertmanagerConfigObject(og.p, og.alerts);
    const key = alertmanagerSecrets(pd.p).oncall;
    const page = pdConfig.receivers.find((r) => r.name === receiverNames(pd.p).page)!;
    const ticket = pdConfig.receivers.find((r) => r.name === receiverNames(pd.p).ticket)!;
    expect(page.pagerduty_configs![0]).toMatchObject({ routing_key_file: `/etc/alertmanager/secrets/${key.name}/${key.key}`, severity: 'critical' });
    expect(ticket.pagerduty_configs![0]).toMatchObject({ severity: 'warning' });
    expect(ogConfig.receivers.find((r) => r.name === receiverNames(og.p).page)!.opsgenie_configs![0]).toMatchObject({ api_key_file: expect.stringMatching(/^\/etc\/alertmanager\/secrets\/.+\/api-key$/), priority: 'P1' });
    expect(ogConfig.receivers.find((r) => r.name === receiverNames(og.p).ticket)!.opsgenie_configs![0]!.priority).toBe('P3');
    // Never a literal key.
    for (const text of [alertmanagerConfig(pd.p, pd.alerts), alertmanagerConfig(og.p, og.alerts)]) expect(text).not.toMatch(/\b(routing_key|service_key|api_key|credentials):/);
    expect(alertmanagerConfig(og.p, og.alerts)).not.toContain('pagerduty');
  });

  it('retraining triggers also go to the trigger service webhook (continue: true), with a bearer token file', () => {
    const { p, alerts } = planOf(pagerduty);
    const config = alertmanagerConfigObject(p, alerts);
    const first = config.route.routes![0]!;
    expect(first).toMatchObject({ receiver: receiverNames(p).retraining, continue: true });
    expect(first.matchers).toContain('retraining_trigger="true"');
    const hook = config.receivers.find((r) => r.name === receiverNames(p).retraining)!.webhook_configs![0]!;
    expect(hook.url).toBe(`http://${p.pipeline}-retraining-trigger.${p.namespaces.monitoring}.svc:8080/alerts`);
    expect(hook.url).toBe(retrainingWebhookUrl(p));
    expect(hook.http_config.authorization.credentials_file).toMatch(/^\/etc\/alertmanager\/secrets\//);
  });

  it('inhibits: critical over warning of the same alert, ModelServingDown over latency/error alerts, the 100 % budget alert over 50/80 %', () => {
    const { p, alerts } = planOf(pagerduty);
    const rules = alertmanagerConfigObject(p, alerts).inhibit_rules;
    expect(rules).toContainEqual({ source_matchers: [`pipeline="${p.pipeline}"`, 'severity="critical"'], target_matchers: ['severity="warning"'], equal: ['alertname', 'pipeline'] });
    const down = rules.find((r) => r.source_matchers.includes('alertname="ModelServingDown"'))!;
    for (const name of ['ModelLatencyP99High', 'ModelLatencyP99Critical', 'ModelErrorSpike', 'ModelAvailabilityFastBurn']) expect(down.target_matchers[0]).toContain(name);
    const budget = rules.find((r) => r.source_matchers.includes('alertname="CostBudget100Pct"'))!;
    expect(budget.target_matchers).toEqual(['alertname=~"CostBudget50Pct|CostBudget80Pct"']);
    // Without online serving there is no ModelServingDown, and no rule naming it.
    const b = planOf(batch);
    expect(JSON.stringify(alertmanagerConfigObject(b.p, b.alerts).inhibit_rules)).not.toContain('ModelServingDown');
  });

  it('the routing tests cover each severity, the retraining webhook and the info route, against alertmanager.yml', () => {
    const { p, alerts } = planOf(pagerduty);
    const cases = alertmanagerRouteTestCases(p, alerts);
    const names = receiverNames(p);
    expect(cases.config).toBe('alertmanager.yml');
    const reached = new Set(cases.tests.flatMap((t) => t.receivers));
    for (const r of [names.page, names.ticket, names.report, names.retraining]) expect(reached).toContain(r);
    expect(new Set(cases.tests.map((t) => t.labels.severity))).toEqual(new Set(['critical', 'warning', 'info']));
    expect(cases.tests.find((t) => t.labels.retraining_trigger === 'true')!.receivers[0]).toBe(names.retraining);
    expect(parseYaml(alertmanagerRouteTests(p, alerts))).toEqual(cases);
  });

  it.each([
    ['pagerduty', pagerduty],
    ['opsgenie', opsgenie],
  ] as const)('%s: the same routing ships as a valid AlertmanagerConfig resource with Secret references', (_label, spec) => {
    const { p, alerts } = planOf(spec);
    const resource = alertmanagerConfigResource(p, alerts);
    expect(() => new AlertmanagerConfig(resource).validate()).not.toThrow();
    const plain = alertmanagerConfigObject(p, alerts);
    expect(resource.metadata!.namespace).toBe(p.namespaces.monitoring);
    expect(resource.spec!.route!.routes!.map((r) => (r as { receiver: string }).receiver)).toEqual(plain.route.routes!.map((r) => r.receiver));
    expect(resource.spec!.receivers!.map((r) => r.name)).toEqual(plain.receivers.map((r) => r.name));
    expect(resource.spec!.inhibitRules).toHaveLength(plain.inhibit_rules.length);
    const key = alertmanagerSecrets(p).oncall;
    const page = resource.spec!.receivers![0]!;
    expect(page.pagerdutyConfigs?.[0]?.routingKey ?? page.opsgenieConfigs?.[0]?.apiKey).toEqual({ name: key.name, key: key.key });
  });

  it('is deterministic', () => {
    expect(files(hybrid)).toEqual(files(hybrid));
  });
});
