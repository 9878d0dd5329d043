import type { IAlertmanagerConfig } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1alpha1/AlertmanagerConfig';
import { toYaml } from '../../generators/serializers/yaml.js';
import { ROUTE_BY_SEVERITY, type AlertDefinition, type Severity } from './alerts.js';
import type { MonitoringPlan } from './plan.js';
import { duration, promqlString, regexLiteral } from './promql.js';

/**
 * Alertmanager configuration (monitoring/alertmanager/alertmanager.yml) and its routing tests
 * (route-tests.yaml, checked with `amtool config routes test`).
 *
 * Severity routes: critical → the page receiver (PagerDuty high urgency / Opsgenie P1), warning → the ticket
 * receiver (PagerDuty low urgency / Opsgenie P3), info → the report receiver, which notifies nobody (the alerts
 * stay visible in Alertmanager and the weekly report, as the document and runbooks state). Alerts labelled
 * retraining_trigger="true" also reach the retraining trigger service (webhook, `continue: true`).
 * Secrets are never literal: the on-call key and the webhook token are files of Secrets mounted into the
 * Alertmanager pod (the prometheus-operator convention `spec.secrets` → /etc/alertmanager/secrets/<name>/).
 */

export const ALERTMANAGER_SECRETS_DIR = '/etc/alertmanager/secrets';

/** The Secrets the Alertmanager pod mounts, and the key of each (the deployment must provide them). */
export function alertmanagerSecrets(p: MonitoringPlan): { oncall: { name: string; key: string }; webhook: { name: string; key: string } } {
  return {
    oncall: p.spec.team.oncall === 'pagerduty' ? { name: `${p.pipeline}-pagerduty`, key: 'routing-key' } : { name: `${p.pipeline}-opsgenie`, key: 'api-key' },
    webhook: { name: `${p.pipeline}-retraining-trigger-webhook`, key: 'token' },
  };
}

const secretFile = (s: { name: string; key: string }) => `${ALERTMANAGER_SECRETS_DIR}/${s.name}/${s.key}`;

interface Route {
  receiver?: string;
  group_by?: string[];
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  matchers?: string[];
  continue?: boolean;
  routes?: Route[];
}

interface PagerDutyConfig {
  routing_key_file: string;
  severity: string;
  send_resolved: boolean;
  client: string;
  description: string;
  details: Record<string, string>;
}

interface OpsgenieConfig {
  api_key_file: string;
  priority: string;
  send_resolved: boolean;
  message: string;
  description: string;
  tags: string;
}

interface WebhookConfig {
  url: string;
  send_resolved: boolean;
  max_alerts: number;
  http_config: { authorization: { type: 'Bearer'; credentials_file: string } };
}

interface Receiver {
  name: string;
  pagerduty_configs?: PagerDutyConfig[];
  opsgenie_configs?: OpsgenieConfig[];
  webhook_configs?: WebhookConfig[];
}

interface InhibitRule {
  source_matchers: string[];
  target_matchers: string[];
  equal: string[];
}

export interface AlertmanagerConfig {
  global: { resolve_timeout: string };
  route: Route;
  inhibit_rules: InhibitRule[];
  receivers: Receiver[];
}

type MatcherTuple = readonly [label: string, op: '=' | '=~', value: string];

function matcher(label: string, op: '=' | '=~', value: string): MatcherTuple {
  return [label, op, value];
}

/** An Alertmanager matcher `label="value"` / `label=~"a|b"`; values are quoted and escaped. */
function matcherString([label, op, value]: MatcherTuple): string {
  return `${label}${op}${promqlString(value)}`;
}

/** The routing decisions, rendered as alertmanager.yml and as an AlertmanagerConfig resource. */
interface RoutingModel {
  root: { receiver: string; groupBy: string[]; groupWait: string; groupInterval: string; repeatInterval: string };
  routes: { receiver: string; matchers: MatcherTuple[]; groupBy?: string[]; groupWait: string; groupInterval: string; repeatInterval: string; continue?: true }[];
  inhibit: { source: MatcherTuple[]; target: MatcherTuple[]; equal: string[] }[];
  receivers: Receiver[];
}

/** Receiver names, by route (ROUTE_BY_SEVERITY), plus the retraining webhook. */
export function receiverNames(p: MonitoringPlan): { page: string; ticket: string; report: string; retraining: string } {
  return { page: `${p.pipeline}-page`, ticket: `${p.pipeline}-ticket`, report: `${p.pipeline}-report`, retraining: `${p.pipeline}-retraining-trigger` };
}

export function retrainingWebhookUrl(p: MonitoringPlan): string {
  return `http://${p.pipeline}-retraining-trigger.${p.namespaces.monitoring}.svc:8080/alerts`;
}

/** How often a still-firing group is re-sent, per severity: pages hourly, tickets twice a day, reports daily. */
const REPEAT: Record<Severity, string> = { critical: '1h', warning: '12h', info: '24h' };
const GROUP_INTERVAL: Record<Severity, string> = { critical: '1m', warning: '5m', info: '30m' };

/** Escalation pairs of the catalogue: while the first fires, the second (same pipeline, same `equal` labels) is muted. */
const ESCALATIONS: readonly { source: string; targets: readonly string[]; equal: readonly string[] }[] = [
  { source: 'ModelLatencyP99Critical', targets: ['ModelLatencyP99High'], equal: ['pipeline'] },
  { source: 'ModelQualityDegradationCritical', targets: ['ModelQualityDegraded'], equal: ['pipeline'] },
  { source: 'FeatureDriftHigh', targets: ['FeatureDriftModerate'], equal: ['pipeline', 'feature', 'test'] },
  { source: 'ModelAvailabilityFastBurn', targets: ['ModelAvailabilitySlowBurn', 'ModelErrorBudgetBurn'], equal: ['pipeline'] },
  { source: 'BatchScoringLate', targets: ['BatchScoringFailed'], equal: ['pipeline'] },
];

function routingModel(p: MonitoringPlan, alerts: AlertDefinition[]): RoutingModel {
  const names = receiverNames(p);
  const secrets = alertmanagerSecrets(p);
  const present = new Set(alerts.map((a) => a.name));
  const groupBy = ['alertname', 'pipeline', 'category'];
  const pipelineMatcher = matcher('pipeline', '=', p.pipeline);
  const groupWait = duration(p.timing.groupWaitSeconds);
  const severityRoute = (severity: Severity): RoutingModel['routes'][number] => ({
    receiver: names[ROUTE_BY_SEVERITY[severity]],
    matchers: [pipelineMatcher, matcher('severity', '=', severity)],
    // Drift alerts fire per feature: one notification per drifted feature.
    ...(alerts.some((a) => a.severity === severity && a.seriesLabels?.includes('feature')) ? { groupBy: [...groupBy, 'feature'] } : {}),
    groupWait,
    groupInterval: GROUP_INTERVAL[severity],
    repeatInterval: REPEAT[severity],
  });

  const receivers: Receiver[] = [];
  const oncallReceiver = (name: string, severity: 'critical' | 'warning'): Receiver => {
    if (p.spec.team.oncall === 'pagerduty') {
      return {
        name,
        pagerduty_configs: [
          {
            routing_key_file: secretFile(secrets.oncall),
            // With "dynamic notifications" on the PagerDuty service, critical pages (high urgency), warning opens a low-urgency incident.
            severity,
            send_resolved: true,
            client: `Alertmanager (${p.pipeline})`,
            description: '{{ .CommonLabels.alertname }}: {{ .CommonAnnotations.summary }}',
            details: { runbook: '{{ .CommonAnnotations.runbook_url }}', pipeline: '{{ .CommonLabels.pipeline }}', category: '{{ .CommonLabels.category }}', firing: '{{ .Alerts.Firing | len }}' },
          },
        ],
      };
    }
    return {
      name,
      opsgenie_configs: [
        {
          api_key_file: secretFile(secrets.oncall),
          priority: severity === 'critical' ? 'P1' : 'P3',
          send_resolved: true,
          message: '{{ .CommonLabels.alertname }}: {{ .CommonAnnotations.summary }}',
          description: '{{ .CommonAnnotations.description }} Runbook: {{ .CommonAnnotations.runbook_url }}',
          tags: `${p.pipeline},{{ .CommonLabels.category }},{{ .CommonLabels.severity }}`,
        },
      ],
    };
  };
  receivers.push(oncallReceiver(names.page, 'critical'), oncallReceiver(names.ticket, 'warning'), { name: names.report });
  const retraining = alerts.some((a) => a.retrainingTrigger);
  if (retraining) {
    receivers.push({
      name: names.retraining,
      webhook_configs: [{ url: retrainingWebhookUrl(p), send_resolved: false, max_alerts: 0, http_config: { authorization: { type: 'Bearer', credentials_file: secretFile(secrets.webhook) } } }],
    });
  }

  const routes: RoutingModel['routes'] = [];
  if (retraining) {
    routes.push({
      receiver: names.retraining,
      matchers: [pipelineMatcher, matcher('retraining_trigger', '=', 'true')],
      groupBy: [...groupBy, 'feature'],
      groupWait,
      groupInterval: '5m',
      repeatInterval: '6h',
      continue: true,
    });
  }
  for (const severity of ['critical', 'warning', 'info'] as const) routes.push(severityRoute(severity));

  const inhibit: RoutingModel['inhibit'] = [{ source: [pipelineMatcher, matcher('severity', '=', 'critical')], target: [matcher('severity', '=', 'warning')], equal: ['alertname', 'pipeline'] }];
  const oneOf = (ns: string[]) => (ns.length === 1 ? matcher('alertname', '=', ns[0]!) : matcher('alertname', '=~', ns.map(regexLiteral).join('|')));
  if (present.has('ModelServingDown')) {
    const muted = alerts.filter((a) => a.name !== 'ModelServingDown' && (a.category === 'latency' || a.category === 'availability' || a.category === 'capacity')).map((a) => a.name);
    if (muted.length > 0) inhibit.push({ source: [pipelineMatcher, matcher('alertname', '=', 'ModelServingDown')], target: [oneOf(muted)], equal: ['pipeline'] });
  }
  const budget = p.cost.thresholdsPct.map((pct) => `CostBudget${pct}Pct`).filter((n) => present.has(n));
  for (let i = budget.length - 1; i > 0; i--) {
    inhibit.push({ source: [pipelineMatcher, matcher('alertname', '=', budget[i]!)], target: [oneOf(budget.slice(0, i))], equal: ['pipeline'] });
  }
  for (const e of ESCALATIONS) {
    const targets = e.targets.filter((t) => present.has(t));
    if (present.has(e.source) && targets.length > 0) inhibit.push({ source: [pipelineMatcher, matcher('alertname', '=', e.source)], target: [oneOf(targets)], equal: [...e.equal] });
  }

  return {
    // Anything not matched below (another pipeline's alert, a label typo) still reaches a human as a ticket.
    root: { receiver: names.ticket, groupBy, groupWait, groupInterval: '5m', repeatInterval: '12h' },
    routes,
    inhibit,
    receivers,
  };
}

export function alertmanagerConfigObject(p: MonitoringPlan, alerts: AlertDefinition[]): AlertmanagerConfig {
  const m = routingModel(p, alerts);
  return {
    global: { resolve_timeout: '5m' },
    route: {
      receiver: m.root.receiver,
      group_by: m.root.groupBy,
      group_wait: m.root.groupWait,
      group_interval: m.root.groupInterval,
      repeat_interval: m.root.repeatInterval,
      routes: m.routes.map((r) => ({
        receiver: r.receiver,
        matchers: r.matchers.map(matcherString),
        ...(r.groupBy ? { group_by: r.groupBy } : {}),
        group_wait: r.groupWait,
        group_interval: r.groupInterval,
        repeat_interval: r.repeatInterval,
        ...(r.continue ? { continue: true } : {}),
      })),
    },
    inhibit_rules: m.inhibit.map((i) => ({ source_matchers: i.source.map(matcherString), target_matchers: i.target.map(matcherString), equal: i.equal })),
    receivers: m.receivers,
  };
}

/**
 * The same routing as a prometheus-operator AlertmanagerConfig (monitoring namespace), for an
 * operator-managed Alertmanager. Secrets are SecretKeySelectors of the Secrets `alertmanagerSecrets` names.
 * The operator scopes an AlertmanagerConfig to alerts whose `namespace` label equals its namespace unless the
 * Alertmanager resource sets `alertmanagerConfigMatcherStrategy: {type: None}`; pipeline-level alerts carry no
 * namespace label, so that setting (or Prometheus `enforcedNamespaceLabel`) is required.
 */
export function alertmanagerConfigResource(p: MonitoringPlan, alerts: AlertDefinition[]): IAlertmanagerConfig {
  const m = routingModel(p, alerts);
  const secrets = alertmanagerSecrets(p);
  const crdMatcher = ([name, op, value]: MatcherTuple) => ({ name, value, matchType: op });
  const receiver = (r: Receiver) => ({
    name: r.name,
    ...(r.pagerduty_configs
      ? {
          pagerdutyConfigs: r.pagerduty_configs.map((c) => ({
            routingKey: { name: secrets.oncall.name, key: secrets.oncall.key },
            severity: c.severity,
            sendResolved: c.send_resolved,
            client: c.client,
            description: c.description,
            details: Object.entries(c.details).map(([key, value]) => ({ key, value })),
          })),
        }
      : {}),
    ...(r.opsgenie_configs
      ? {
          opsgenieConfigs: r.opsgenie_configs.map((c) => ({
            apiKey: { name: secrets.oncall.name, key: secrets.oncall.key },
            priority: c.priority,
            sendResolved: c.send_resolved,
            message: c.message,
            description: c.description,
            tags: c.tags,
          })),
        }
      : {}),
    ...(r.webhook_configs
      ? {
          webhookConfigs: r.webhook_configs.map((c) => ({
            url: c.url,
            sendResolved: c.send_resolved,
            maxAlerts: c.max_alerts,
            httpConfig: { authorization: { type: 'Bearer', credentials: { name: secrets.webhook.name, key: secrets.webhook.key } } },
          })),
        }
      : {}),
  });
  return {
    apiVersion: 'monitoring.coreos.com/v1alpha1',
    kind: 'AlertmanagerConfig',
    metadata: { name: `${p.pipeline}-alerting`, namespace: p.namespaces.monitoring, labels: { 'app.kubernetes.io/part-of': p.pipeline } },
    spec: {
      route: {
        receiver: m.root.receiver,
        groupBy: m.root.groupBy,
        groupWait: m.root.groupWait,
        groupInterval: m.root.groupInterval,
        repeatInterval: m.root.repeatInterval,
        routes: m.routes.map((r) => ({
          receiver: r.receiver,
          matchers: r.matchers.map(crdMatcher),
          ...(r.groupBy ? { groupBy: r.groupBy } : {}),
          groupWait: r.groupWait,
          groupInterval: r.groupInterval,
          repeatInterval: r.repeatInterval,
          ...(r.continue ? { continue: true } : {}),
        })),
      },
      inhibitRules: m.inhibit.map((i) => ({ sourceMatch: i.source.map(crdMatcher), targetMatch: i.target.map(crdMatcher), equal: i.equal })),
      receivers: m.receivers.map(receiver),
    },
  };
}

/** monitoring/alertmanager/alertmanager.yml (kind 'alertmanager'). */
export function alertmanagerConfig(p: MonitoringPlan, alerts: AlertDefinition[]): string {
  return toYaml(alertmanagerConfigObject(p, alerts));
}

// ------------------------------------------------------------------ routing tests

export interface RouteTestCase {
  /** What the case proves. */
  name: string;
  labels: Record<string, string>;
  /** The receivers the label set must reach, in routing-tree order. */
  receivers: string[];
}

export interface RouteTests {
  /** The configuration file the cases apply to, relative to this file. */
  config: string;
  tests: RouteTestCase[];
}

export function alertmanagerRouteTestCases(p: MonitoringPlan, alerts: AlertDefinition[]): RouteTests {
  const names = receiverNames(p);
  const labelsOf = (a: AlertDefinition): Record<string, string> => ({
    alertname: a.name,
    severity: a.severity,
    category: a.category,
    pipeline: p.pipeline,
    ...(a.retrainingTrigger ? { retraining_trigger: 'true' } : {}),
    ...(a.seriesLabels?.includes('feature') ? { feature: p.tests.find((t) => !t.protected)?.feature ?? 'feature' } : {}),
  });
  const expected = (a: AlertDefinition) => [...(a.retrainingTrigger ? [names.retraining] : []), names[ROUTE_BY_SEVERITY[a.severity]]];
  const tests: RouteTestCase[] = [];
  const covered = new Set<string>();
  // One alert of the catalogue per severity, every retraining trigger, and every alert of a severity not yet seen.
  for (const a of alerts) {
    const key = `${a.severity}/${a.retrainingTrigger}`;
    if (covered.has(key) && !a.retrainingTrigger) continue;
    covered.add(key);
    tests.push({ name: `${a.name} (${a.severity}${a.retrainingTrigger ? ', retraining trigger' : ''})`, labels: labelsOf(a), receivers: expected(a) });
  }
  tests.push({ name: 'an alert of another pipeline falls back to the ticket receiver', labels: { alertname: 'SomethingElse', severity: 'critical', pipeline: `${p.pipeline}-other` }, receivers: [names.ticket] });
  return { config: 'alertmanager.yml', tests };
}

/** monitoring/alertmanager/route-tests.yaml (kind 'alertmanager-routes-test'). */
export function alertmanagerRouteTests(p: MonitoringPlan, alerts: AlertDefinition[]): string {
  return toYaml(alertmanagerRouteTestCases(p, alerts));
}
