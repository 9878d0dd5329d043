import { parseAllDocuments, parse as parseYaml } from 'yaml';

/**
 * What the generated monitoring files themselves show, for the success criteria: which alerts the rule file
 * defines with which `for:`, which of them the promtool tests make fire, the evaluation and scrape intervals,
 * Alertmanager's group_wait and receivers, the drift job's schedule, and which signals (metrics, logs, traces,
 * dashboards, routed alerts) the bundle collects. Unparsable files count as absent: their validators fail them.
 */
export interface ObservabilityEvidence {
  /** Alert name → `for:` in seconds, from the Prometheus rule file (prometheus and custom stacks). */
  ruleAlerts: Map<string, number>;
  /** Alerts a promtool unit test expects to fire. */
  testedAlerts: Set<string>;
  evaluationSeconds: number | null;
  scrapeSeconds: number | null;
  groupWaitSeconds: number | null;
  receivers: string[];
  /** Vendor monitors defined as Terraform (datadog_monitor, newrelic_nrql_alert_condition). */
  vendorMonitors: number;
  driftCron: string | null;
  signals: { metrics: string | null; logs: string | null; traces: string | null; dashboards: string | null; alerting: string | null };
}

type File = { path: string; content: string };

/** "1m30s", "90s", "2h" → seconds (Prometheus duration syntax). */
export function durationSeconds(value: unknown): number | null {
  if (typeof value !== 'string' || !/^(\d+(ms|s|m|h|d|w|y))+$/.test(value)) return null;
  const unit: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, y: 31_536_000 };
  let total = 0;
  for (const [, n, u] of value.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) total += Number(n) * unit[u!]!;
  return total;
}

function yamlOf(file: File | undefined): unknown {
  if (!file) return undefined;
  try {
    return parseYaml(file.content);
  } catch {
    return undefined;
  }
}

function objectsOf(file: File | undefined): { kind?: string; metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Record<string, unknown> }[] {
  if (!file) return [];
  try {
    return parseAllDocuments(file.content).map((d) => d.toJS() as never);
  } catch {
    return [];
  }
}

/** Pipelines of one OpenTelemetry Collector config that export the given signal. */
function collectorPipelines(file: File, signal: 'logs' | 'traces'): string[] {
  const config = yamlOf(file) as { service?: { pipelines?: Record<string, { exporters?: string[] }> } } | undefined;
  return Object.entries(config?.service?.pipelines ?? {})
    .filter(([id, pipe]) => (id === signal || id.startsWith(`${signal}/`)) && (pipe.exporters?.length ?? 0) > 0)
    .flatMap(([, pipe]) => pipe.exporters ?? []);
}

export function observabilityEvidence(files: readonly File[]): ObservabilityEvidence | null {
  const at = (path: string) => files.find((f) => f.path === path);
  const monitoringFiles = files.filter((f) => f.path.startsWith('monitoring/') || f.path.startsWith('deploy/k8s/monitoring/'));
  if (monitoringFiles.length === 0) return null;

  const rules = yamlOf(at('monitoring/prometheus/rules.yml')) as { groups?: { interval?: string; rules?: { alert?: string; for?: string }[] }[] } | undefined;
  const ruleAlerts = new Map<string, number>();
  let evaluationSeconds: number | null = null;
  for (const g of rules?.groups ?? []) {
    evaluationSeconds = Math.max(evaluationSeconds ?? 0, durationSeconds(g.interval) ?? 60);
    for (const r of g.rules ?? []) if (r.alert) ruleAlerts.set(r.alert, durationSeconds(r.for) ?? 0);
  }

  const testedAlerts = new Set<string>();
  for (const f of files.filter((x) => x.path.startsWith('monitoring/prometheus/tests/'))) {
    const tests = yamlOf(f) as { tests?: { alert_rule_test?: { alertname?: string; exp_alerts?: unknown[] }[] }[] } | undefined;
    for (const t of tests?.tests ?? []) for (const a of t.alert_rule_test ?? []) if (a.alertname && (a.exp_alerts?.length ?? 0) > 0) testedAlerts.add(a.alertname);
  }

  const monitors = files.filter((f) => f.path.startsWith('deploy/k8s/monitoring/')).flatMap((f) => objectsOf(f));
  const scrapeIntervals = monitors
    .filter((o) => o.kind === 'ServiceMonitor' || o.kind === 'PodMonitor')
    .flatMap((o) => ((o.spec?.endpoints ?? o.spec?.podMetricsEndpoints ?? []) as { interval?: string }[]).map((e) => durationSeconds(e.interval)))
    .filter((x): x is number => x !== null);
  const promConfig = yamlOf(at('monitoring/prometheus/prometheus.yml')) as { global?: { scrape_interval?: string }; scrape_configs?: unknown[] } | undefined;
  const scrapeSeconds = scrapeIntervals.length > 0 ? Math.max(...scrapeIntervals) : durationSeconds(promConfig?.global?.scrape_interval);

  const alertmanager = yamlOf(files.find((f) => f.path.startsWith('monitoring/alertmanager/') && /alertmanager\.ya?ml$/.test(f.path))) as
    | { route?: { group_wait?: string }; receivers?: { name?: string }[] }
    | undefined;
  const receivers = (alertmanager?.receivers ?? []).map((r) => r.name ?? '').filter(Boolean);

  const terraform = files.filter((f) => /^monitoring\/(datadog|newrelic)\/.*\.tf$/.test(f.path));
  const count = (re: RegExp) => terraform.reduce((n, f) => n + (f.content.match(re)?.length ?? 0), 0);
  const vendorMonitors = count(/^resource\s+"(datadog_monitor|newrelic_nrql_alert_condition)"/gm);
  const vendorDashboards = count(/^resource\s+"(datadog_dashboard(_json)?|newrelic_one_dashboard(_json)?)"/gm);
  const vendorRouting = count(/^resource\s+"(newrelic_workflow|newrelic_notification_channel)"/gm) > 0 || terraform.some((f) => /@(pagerduty|opsgenie)-/.test(f.content));

  const drift = monitors.find((o) => o.kind === 'CronJob' && o.metadata?.labels?.['app.kubernetes.io/component'] === 'drift-monitor');

  const collectors = files.filter((f) => f.path.startsWith('monitoring/otel/'));
  const exportersOf = (signal: 'logs' | 'traces') => [...new Set(collectors.flatMap((f) => collectorPipelines(f, signal)))];
  const logs = exportersOf('logs');
  const traces = exportersOf('traces');
  const dashboards = files.filter((f) => f.path.startsWith('monitoring/grafana/dashboards/') && f.path.endsWith('.json')).length;
  const serviceMonitors = monitors.filter((o) => o.kind === 'ServiceMonitor' || o.kind === 'PodMonitor').length;
  const pushgatewayScraped = monitors.some((o) => o.kind === 'Deployment' && JSON.stringify(o).match(/ad\.datadoghq\.com|prometheus\.io\/scrape/));

  return {
    ruleAlerts,
    testedAlerts,
    evaluationSeconds,
    scrapeSeconds,
    groupWaitSeconds: durationSeconds(alertmanager?.route?.group_wait),
    receivers,
    vendorMonitors,
    driftCron: ((drift?.spec as { schedule?: string } | undefined)?.schedule ?? null),
    signals: {
      metrics: serviceMonitors > 0 ? `${serviceMonitors} ServiceMonitor/PodMonitor object(s)` : promConfig?.scrape_configs?.length ? `prometheus.yml with ${promConfig.scrape_configs.length} scrape job(s)` : pushgatewayScraped ? 'vendor agent scraping annotated pods' : null,
      logs: logs.length > 0 ? `collector logs pipeline to ${logs.join(', ')}` : null,
      traces: traces.length > 0 ? `collector traces pipeline to ${traces.join(', ')}` : null,
      dashboards: dashboards > 0 ? `${dashboards} Grafana dashboard(s)` : vendorDashboards > 0 ? `${vendorDashboards} vendor dashboard(s) in Terraform` : null,
      alerting:
        ruleAlerts.size > 0 && receivers.length > 0
          ? `${ruleAlerts.size} Prometheus alerts routed by Alertmanager to ${receivers.join(', ')}`
          : vendorMonitors > 0 && vendorRouting
            ? `${vendorMonitors} vendor monitors with on-call routing`
            : null,
    },
  };
}
