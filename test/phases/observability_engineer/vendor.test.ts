import { beforeAll, describe, expect, it } from 'vitest';
import type { Artifact } from '../../../src/artifacts/artifact.js';
import { ROUTE_BY_SEVERITY, buildAlerts, runbookUrl, type AlertDefinition } from '../../../src/phases/observability_engineer/alerts.js';
import { dashboards } from '../../../src/phases/observability_engineer/dashboards.js';
import { buildPlan, type MonitoringPlan } from '../../../src/phases/observability_engineer/plan.js';
import { vendorFiles } from '../../../src/phases/observability_engineer/vendor.js';
import { resourceName } from '../../../src/phases/observability_engineer/vendorTerraform.js';
import type { ResolvedSpec } from '../../../src/spec/resolve.js';
import { parseHclFiles, type HclJsonBody } from '../../../src/validate/hcl/parse.js';
import { scanForSecrets } from '../../../src/validate/validators/secrets.js';
import { terraformValidator } from '../../../src/validate/validators/terraform.js';
import { HOSTILE_TEXT, upstreamFor, withSpec } from '../../helpers/phaseHarness.js';
import { defaultSpec } from '../../helpers/specs.js';

/**
 * datadog and newrelic stacks: the alert catalogue, the availability SLO, the routing to the on-call tool and the
 * dashboards as Terraform roots built with the HCL serializer, checked by the project's terraform validator
 * (references resolve, providers pinned, blocks unique) and read back with HashiCorp's parser.
 */
type Stack = 'datadog' | 'newrelic';
type Oncall = 'pagerduty' | 'opsgenie';

interface Scenario {
  name: string;
  stack: Stack;
  oncall: Oncall;
  online: boolean;
  p: MonitoringPlan;
  alerts: AlertDefinition[];
  files: ReturnType<typeof vendorFiles>;
}

const UPSTREAM: Partial<Record<string, ReturnType<typeof upstreamFor>>> = {};

function scenario(stack: Stack, oncall: Oncall, mode: 'realtime' | 'batch' = 'realtime', owner?: string): Scenario {
  const spec = withSpec(defaultSpec(), (s: ResolvedSpec) => {
    s.options.monitoring_stack = stack;
    s.options.deployment_mode = mode;
    s.team.oncall = oncall;
    if (owner) s.team.owner = owner;
  });
  // The vendor roots read the stack, on-call and team from the spec itself: one upstream chain per deployment mode.
  const up = (UPSTREAM[mode] ??= upstreamFor(withSpec(defaultSpec(), (s: ResolvedSpec) => void (s.options.deployment_mode = mode)), 'observability_engineer'));
  const p = buildPlan(spec, up as never);
  const alerts = buildAlerts(p);
  return { name: `${stack}-${oncall}-${mode}${owner ? '-hostile' : ''}`, stack, oncall, online: mode === 'realtime', p, alerts, files: vendorFiles(p, alerts) };
}

const SCENARIOS: Scenario[] = [
  scenario('datadog', 'pagerduty'),
  scenario('datadog', 'opsgenie'),
  scenario('newrelic', 'pagerduty'),
  scenario('newrelic', 'opsgenie'),
  scenario('datadog', 'pagerduty', 'batch'),
  scenario('newrelic', 'opsgenie', 'batch'),
  scenario('newrelic', 'pagerduty', 'realtime', `${HOSTILE_TEXT} @oncall-everyone \${var.api_key}`),
];
const by = (name: string) => SCENARIOS.find((s) => s.name === name)!;

/** Every scenario's files under its own prefix: one validator run and one parser run for all. */
const prefixed = (s: Scenario): Artifact[] => s.files.map((f) => ({ path: `${s.name}/${f.path}`, kind: f.kind, phase: 'observability_engineer', content: f.content }));
let verdicts: { path: string; verdict: string; message: string }[];
let parsed: Map<string, HclJsonBody>;

beforeAll(async () => {
  const all = SCENARIOS.flatMap(prefixed);
  const tf = all.filter((a) => a.kind === 'terraform');
  verdicts = await terraformValidator.validate({ artifacts: tf, bundle: all, root: '/nonexistent' });
  parsed = new Map((await parseHclFiles(tf)).flatMap((f) => (f.ok ? [[f.path, f.body] as const] : [])));
}, 120_000);

/** resource "<type>" blocks of one file, by resource name. */
function resources(s: Scenario, file: string, type: string): Record<string, Record<string, unknown>> {
  const body = parsed.get(`${s.name}/${file}`);
  expect(body, file).toBeDefined();
  const byType = (body!.resource as Record<string, Record<string, unknown[]>> | undefined)?.[type] ?? {};
  return Object.fromEntries(Object.entries(byType).map(([name, v]) => [name, (Array.isArray(v) ? v[0] : v) as Record<string, unknown>]));
}
const first = (v: unknown) => (Array.isArray(v) ? v[0] : v) as Record<string, unknown>;

describe('vendorFiles', () => {
  it('lays out the Terraform roots named in the design, for datadog and newrelic only', () => {
    expect(by('datadog-pagerduty-realtime').files.map((f) => [f.path, f.kind])).toEqual([
      ['monitoring/datadog/versions.tf', 'terraform'],
      ['monitoring/datadog/variables.tf', 'terraform'],
      ['monitoring/datadog/monitors.tf', 'terraform'],
      ['monitoring/datadog/slos.tf', 'terraform'],
      ['monitoring/datadog/dashboards.tf', 'terraform'],
      ['monitoring/datadog/openmetrics.yaml', 'yaml'],
    ]);
    expect(by('newrelic-pagerduty-realtime').files.map((f) => f.path)).toEqual(['versions.tf', 'variables.tf', 'policy.tf', 'conditions.tf', 'service_levels.tf', 'notifications.tf', 'dashboards.tf'].map((f) => `monitoring/newrelic/${f}`));
    const other = by('datadog-pagerduty-realtime');
    for (const stack of ['prometheus', 'custom'] as const) expect(vendorFiles({ ...other.p, spec: { ...other.p.spec, options: { ...other.p.spec.options, monitoring_stack: stack } } }, other.alerts)).toEqual([]);
  });

  it('passes the terraform validator in every scenario: references resolve, providers pinned with source and version', () => {
    expect(verdicts.length).toBe(SCENARIOS.reduce((n, s) => n + s.files.filter((f) => f.kind === 'terraform').length, 0));
    expect(verdicts.filter((v) => v.verdict !== 'pass').map((v) => `${v.path}: ${v.message}`)).toEqual([]);
    expect(parsed.size).toBe(verdicts.length);
  });

  it('keeps secrets in sensitive variables: no literal key, nothing the no-secrets scan flags', () => {
    for (const s of SCENARIOS) {
      const vars = parsed.get(`${s.name}/monitoring/${s.stack}/variables.tf`)!.variable as Record<string, unknown>;
      const secret = Object.keys(vars).filter((n) => /key/.test(n) && n !== 'service_entity_guid');
      expect(secret.length, s.name).toBeGreaterThanOrEqual(s.stack === 'datadog' ? 3 : 2);
      for (const n of secret) expect(first(vars[n]).sensitive, `${s.name} var.${n}`).toBe(true);
      for (const f of s.files) expect(scanForSecrets(f.content, f.kind), `${s.name} ${f.path}`).toEqual([]);
    }
  });

  it('links each runbook at the same URL as the Prometheus annotations unless var.runbook_base_url is overridden', () => {
    for (const s of SCENARIOS.slice(0, 4)) {
      const vars = parsed.get(`${s.name}/monitoring/${s.stack}/variables.tf`)!.variable as Record<string, unknown>;
      const base = String(first(vars.runbook_base_url).default);
      for (const a of s.alerts) expect(`${base}/docs/runbooks/${a.name}.md`).toBe(runbookUrl(s.p.spec, a.name));
    }
  });

  it('is deterministic', () => {
    const s = by('newrelic-opsgenie-realtime');
    expect(JSON.stringify(vendorFiles(s.p, buildAlerts(s.p)))).toBe(JSON.stringify(s.files));
  });
});

describe('datadog', () => {
  for (const name of ['datadog-pagerduty-realtime', 'datadog-opsgenie-realtime', 'datadog-pagerduty-batch']) {
    it(`${name}: one datadog_monitor per alert of the catalogue, with runbook link, priority, tags and thresholds`, () => {
      const s = by(name);
      const monitors = resources(s, 'monitoring/datadog/monitors.tf', 'datadog_monitor');
      expect(Object.keys(monitors).sort()).toEqual(s.alerts.map((a) => resourceName(a.name)).sort());
      for (const a of s.alerts) {
        const m = monitors[resourceName(a.name)]!;
        expect(m.name).toBe(`[${s.p.pipeline}] ${a.name}`);
        expect(m.message).toContain(`\${var.runbook_base_url}/docs/runbooks/${a.name}.md`);
        expect(m.priority).toBe({ critical: '1', warning: '3', info: '5' }[a.severity]);
        expect(m.tags).toEqual(expect.arrayContaining([`severity:${a.severity}`, `category:${a.category}`]));
        const critical = Number(first(m.monitor_thresholds).critical);
        if (a.vendor.kind === 'threshold') expect(m.query).toBe(`${a.vendor.datadog} ${a.vendor.op} ${a.vendor.threshold}`);
        if (a.vendor.kind === 'threshold') expect(critical).toBe(a.vendor.threshold);
        // Staleness alerts fire on missing data, everything else does not.
        expect(m.notify_no_data, a.name).toBe(a.vendor.kind === 'staleness');
        if (a.vendor.kind === 'staleness') expect(m.no_data_timeframe).toBe(Math.max(2, Math.ceil(a.vendor.afterSeconds / 60)));
      }
    });
  }

  it('routes by severity to the on-call tool: critical pages, warning opens a ticket, info notifies nobody', () => {
    for (const [name, service, prefix] of [
      ['datadog-pagerduty-realtime', 'datadog_integration_pagerduty_service_object', '@pagerduty-'],
      ['datadog-opsgenie-realtime', 'datadog_integration_opsgenie_service_object', '@opsgenie-'],
    ] as const) {
      const s = by(name);
      const monitors = resources(s, 'monitoring/datadog/monitors.tf', 'datadog_monitor');
      expect(Object.keys(resources(s, 'monitoring/datadog/monitors.tf', service)).sort()).toEqual(['page', 'ticket']);
      for (const a of s.alerts) {
        const route = ROUTE_BY_SEVERITY[a.severity];
        const message = String(monitors[resourceName(a.name)]!.message);
        if (route === 'report') expect(message, a.name).not.toContain('@');
        else expect(message, a.name).toContain(`${prefix}\${${service}.${route}.${service.includes('pagerduty') ? 'service_name' : 'name'}}`);
      }
      expect(s.alerts.some((a) => a.severity === 'critical') && s.alerts.some((a) => a.severity === 'warning')).toBe(true);
    }
  });

  it('burn-rate monitors reference the availability SLO by id (no placeholder token); the SLO carries the spec target', () => {
    const s = by('datadog-pagerduty-realtime');
    const text = s.files.map((f) => f.content).join('\n');
    expect(text).not.toMatch(/SLO_ID|SLI_GUID/);
    const burns = s.alerts.filter((a) => a.vendor.kind === 'burn');
    expect(burns.length).toBe(3);
    const monitors = resources(s, 'monitoring/datadog/monitors.tf', 'datadog_monitor');
    for (const a of burns) {
      expect(monitors[resourceName(a.name)]!.type).toBe('slo alert');
      expect(monitors[resourceName(a.name)]!.query).toMatch(/^(burn_rate|error_budget)\("\$\{datadog_service_level_objective\.availability\.id\}"\)\.over\("30d"\)/);
    }
    const slo = resources(s, 'monitoring/datadog/slos.tf', 'datadog_service_level_objective').availability!;
    expect(first(slo.thresholds)).toEqual({ timeframe: '30d', target: s.p.spec.slo.availability_pct });
    expect(first(slo.query).denominator).toMatch(/^sum:ml\.model_requests\.count\{.*\}\.as_count\(\)$/);
    // No online serving: no SLO and no burn-rate monitor.
    const batch = by('datadog-pagerduty-batch');
    expect(resources(batch, 'monitoring/datadog/slos.tf', 'datadog_service_level_objective')).toEqual({});
    expect(batch.alerts.some((a) => a.vendor.kind === 'burn')).toBe(false);
  });

  it('one datadog_dashboard_json per dashboard, jsonencoded, with the panel titles as widgets', () => {
    const s = by('datadog-opsgenie-realtime');
    const boards = dashboards(s.p);
    const dash = resources(s, 'monitoring/datadog/dashboards.tf', 'datadog_dashboard_json');
    expect(Object.keys(dash)).toHaveLength(boards.length);
    const tf = s.files.find((f) => f.path.endsWith('dashboards.tf'))!.content;
    for (const b of boards) {
      expect(tf).toContain(`title       = ${JSON.stringify(b.title)}`);
      for (const panel of b.panels) expect(tf).toContain(JSON.stringify(panel.title).slice(1, -1));
    }
    expect(Object.values(dash).every((d) => /^\$\{jsonencode\(/.test(String(d.dashboard)))).toBe(true);
    // The serving panels translate the recording rules into Datadog queries on the raw series.
    expect(tf).toMatch(/q += "sum:ml\.model_requests\.count\{[^"]*code:5\*\}\.as_count\(\) \/ sum:ml\.model_requests\.count/);
  });

  it('ships the agent OpenMetrics check that produces the ml.* metrics the monitors query', () => {
    const check = by('datadog-pagerduty-realtime').files.find((f) => f.path.endsWith('openmetrics.yaml'))!.content;
    expect(check).toContain('namespace: ml');
    expect(check).toContain('openmetrics_endpoint: http://%%host%%:%%port_metrics%%/metrics');
  });
});

describe('newrelic', () => {
  for (const name of ['newrelic-pagerduty-realtime', 'newrelic-opsgenie-batch']) {
    it(`${name}: one NRQL condition per alert, a critical or warning term by severity, windows the provider accepts`, () => {
      const s = by(name);
      const conditions = resources(s, 'monitoring/newrelic/conditions.tf', 'newrelic_nrql_alert_condition');
      expect(Object.keys(conditions).sort()).toEqual(s.alerts.map((a) => resourceName(a.name)).sort());
      for (const a of s.alerts) {
        const c = conditions[resourceName(a.name)]!;
        expect(c.policy_id).toBe(a.severity === 'info' ? '${newrelic_alert_policy.reports.id}' : '${newrelic_alert_policy.alerts.id}');
        expect(c.runbook_url).toBe(`\${var.runbook_base_url}/docs/runbooks/${a.name}.md`);
        const term = first(c[a.severity === 'critical' ? 'critical' : 'warning']);
        expect(c[a.severity === 'critical' ? 'warning' : 'critical'], a.name).toBeUndefined();
        const window = Number(c.aggregation_window);
        const held = Number(term.threshold_duration);
        expect(window).toBeGreaterThanOrEqual(30);
        expect(window).toBeLessThanOrEqual(21_600);
        expect(held % window, a.name).toBe(0);
        expect(held).toBeGreaterThanOrEqual(60);
        expect(held).toBeLessThanOrEqual(86_400);
        if (a.vendor.kind === 'threshold') {
          expect(first(c.nrql).query).toBe(a.vendor.nrql);
          expect(term.threshold).toBe(a.vendor.threshold);
          expect(term.operator).toBe({ '>': 'above', '>=': 'above_or_equals', '<': 'below', '<=': 'below_or_equals' }[a.vendor.op]);
          expect(held).toBeGreaterThanOrEqual(Math.min(a.forSeconds, 86_400));
        }
        if (a.vendor.kind === 'staleness') {
          expect(c).toMatchObject({ expiration_duration: Math.min(172_800, a.vendor.afterSeconds), open_violation_on_expiration: true, aggregation_method: 'event_timer' });
        } else expect(c.expiration_duration).toBeUndefined();
      }
    });
  }

  it('burn-rate conditions query the service level SLI by its guid; the service level carries the spec target over 28 days', () => {
    const s = by('newrelic-pagerduty-realtime');
    const conditions = resources(s, 'monitoring/newrelic/conditions.tf', 'newrelic_nrql_alert_condition');
    for (const a of s.alerts.filter((x) => x.vendor.kind === 'burn')) {
      expect(first(conditions[resourceName(a.name)]!.nrql).query).toContain("WHERE sli.guid = '${newrelic_service_level.availability.sli_guid}'");
    }
    const sl = resources(s, 'monitoring/newrelic/service_levels.tf', 'newrelic_service_level').availability!;
    expect(sl.guid).toBe('${var.service_entity_guid}');
    expect(first(sl.objective).target).toBe(s.p.spec.slo.availability_pct);
    expect(first(first(first(sl.objective).time_window).rolling)).toEqual({ count: 28, unit: 'DAY' });
    const events = first(sl.events);
    expect(first(events.good_events).where).toMatch(/code NOT LIKE '5%'$/);
    expect(resources(by('newrelic-opsgenie-batch'), 'monitoring/newrelic/service_levels.tf', 'newrelic_service_level')).toEqual({});
  });

  it('pagerduty: a service-integration destination, channel and workflow per route, keyed by sensitive integration keys', () => {
    const s = by('newrelic-pagerduty-realtime');
    const file = 'monitoring/newrelic/notifications.tf';
    const destinations = resources(s, file, 'newrelic_notification_destination');
    expect(Object.keys(destinations).sort()).toEqual(['page', 'ticket']);
    expect(destinations.page).toMatchObject({ type: 'PAGERDUTY_SERVICE_INTEGRATION' });
    expect(first(destinations.page!.auth_token)).toEqual({ prefix: 'Token token=', token: '${var.pagerduty_integration_key_page}' });
    expect(resources(s, file, 'newrelic_notification_channel').ticket).toMatchObject({ type: 'PAGERDUTY_SERVICE_INTEGRATION', product: 'IINT', destination_id: '${newrelic_notification_destination.ticket.id}' });
    const workflows = resources(s, file, 'newrelic_workflow');
    const predicates = (w: Record<string, unknown>) => (first(w.issues_filter).predicate as Record<string, unknown>[]).map((x) => [x.attribute, x.values]);
    expect(predicates(workflows.page!)).toEqual([
      ['labels.policyIds', ['${newrelic_alert_policy.alerts.id}']],
      ['priority', ['CRITICAL']],
    ]);
    expect(predicates(workflows.ticket!)[1]).toEqual(['priority', ['HIGH']]);
    expect(first(workflows.page!.destination).channel_id).toBe('${newrelic_notification_channel.page.id}');
  });

  it('opsgenie: a webhook destination on the Alert API with the GenieKey header, P1 / P3 payload templates per route', () => {
    const s = by('newrelic-opsgenie-realtime');
    const file = 'monitoring/newrelic/notifications.tf';
    const dest = resources(s, file, 'newrelic_notification_destination').opsgenie!;
    expect(dest.type).toBe('WEBHOOK');
    expect(first(dest.property)).toEqual({ key: 'url', value: '${var.opsgenie_api_url}/v2/alerts' });
    expect(first(dest.auth_custom_header)).toEqual({ key: 'Authorization', value: 'GenieKey ${var.opsgenie_api_key}' });
    const channels = resources(s, file, 'newrelic_notification_channel');
    const payload = (route: string) => String(first(channels[route]!.property).value);
    expect(payload('page')).toContain('"priority": "P1"');
    expect(payload('ticket')).toContain('"priority": "P3"');
    expect(payload('page')).toContain('"message": {{json annotations.title.[0]}}');
  });

  it('one newrelic_one_dashboard_json per dashboard, its NRQL widgets scoped to var.account_id', () => {
    const s = by('newrelic-opsgenie-realtime');
    const dash = resources(s, 'monitoring/newrelic/dashboards.tf', 'newrelic_one_dashboard_json');
    expect(Object.keys(dash)).toHaveLength(dashboards(s.p).length);
    const tf = s.files.find((f) => f.path.endsWith('dashboards.tf'))!.content;
    expect(tf).toContain('accountIds = [var.account_id]');
    expect(tf).toMatch(/query += "SELECT filter\(sum\(`model_requests_total`\), WHERE code LIKE '5%'\) \/ sum\(`model_requests_total`\) FROM Metric WHERE .* TIMESERIES"/);
  });
});

describe('user text', () => {
  it('a hostile team owner cannot inject Terraform, mention a handle or break the roots', () => {
    const s = by('newrelic-pagerduty-realtime-hostile');
    const text = s.files.map((f) => f.content).join('\n');
    expect(text).not.toContain('@oncall-everyone');
    expect(text).not.toMatch(/\$\{var\.api_key\}"/);
    expect(verdicts.filter((v) => v.path.startsWith(`${s.name}/`)).every((v) => v.verdict === 'pass')).toBe(true);
  });

  it('the on-call integration visibly changes both roots', () => {
    expect(by('datadog-pagerduty-realtime').files.find((f) => f.path.endsWith('monitors.tf'))!.content).not.toBe(by('datadog-opsgenie-realtime').files.find((f) => f.path.endsWith('monitors.tf'))!.content);
    expect(by('newrelic-pagerduty-realtime').files.find((f) => f.path.endsWith('notifications.tf'))!.content).not.toBe(by('newrelic-opsgenie-realtime').files.find((f) => f.path.endsWith('notifications.tf'))!.content);
  });
});
