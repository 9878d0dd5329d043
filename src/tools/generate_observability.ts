import { generatorTool } from './generator_tool.js';

/**
 * The observability generators: each returns one concern of the observability_engineer phase's files. The
 * monitoring stack decides which files exist (Prometheus rules and Grafana JSON, or Datadog / New Relic Terraform).
 */
const VENDOR = /^monitoring\/(datadog|newrelic)\//;
const isDashboardFile = (path: string) => /(^|\/)dashboards?[^/]*$/.test(path) || path.includes('/dashboards/');

export function isAlertingFile(path: string): boolean {
  return (
    path.startsWith('monitoring/prometheus/') ||
    path.startsWith('monitoring/alertmanager/') ||
    path === 'deploy/k8s/monitoring/prometheus-rules.yaml' ||
    path === 'deploy/k8s/monitoring/service-monitors.yaml' ||
    // Alert runbooks are named after their alert (CamelCase); the other runbooks are lower-case topics.
    /^docs\/runbooks\/[A-Z][A-Za-z0-9]*\.md$/.test(path) ||
    (VENDOR.test(path) && !isDashboardFile(path))
  );
}

export function isDashboardArtifact(path: string): boolean {
  return path.startsWith('monitoring/grafana/') || path === 'deploy/k8s/monitoring/grafana-dashboards.yaml' || (VENDOR.test(path) && isDashboardFile(path));
}

export function isDriftMonitorFile(path: string): boolean {
  return path.startsWith('monitoring/drift/') || /^ml\/src\/[^/]+\/observability\//.test(path) || path.startsWith('ml/tests/monitoring/') || path === 'deploy/k8s/monitoring/jobs.yaml';
}

export const generatePrometheusRules = generatorTool({
  name: 'generate_prometheus_rules',
  title: 'Generate the alert rules and their routing',
  description:
    "Returns the alerting of the pipeline for its monitoring_stack. prometheus/custom: recording and alerting rules (multi-window multi-burn-rate availability alerts, p99 latency against the SLO, error spikes with for: durations inside the alert-time budget, model quality drop, drift, data validation pass rate, feature serving latency, budget burn), the same rules as a PrometheusRule, ServiceMonitors for every component that exposes metrics, generated promtool unit tests (series that must fire each alert and series that must not), the Alertmanager configuration routing severities to PagerDuty or Opsgenie with grouping and inhibition, and its route tests. datadog/newrelic: the equivalent monitors, SLOs and notification routing as Terraform. Always: one runbook per alert. Give pipeline_id (files stored with the pipeline) or an inline spec/requirements (nothing stored).",
  phase: 'observability_engineer',
  select: isAlertingFile,
  summary: (files) => `Alerting: ${files.length} files`,
  checkedBy: 'promtool check rules and promtool test rules, amtool check-config and amtool config routes test, the Kubernetes schemas of the prometheus-operator objects, or the HCL parser and reference check for vendor Terraform',
});

export const generateGrafanaDashboard = generatorTool({
  name: 'generate_grafana_dashboard',
  title: 'Generate the dashboards',
  description:
    'Returns the dashboards of the pipeline: for prometheus/custom, Grafana dashboard JSON (serving rps, errors and p50/p95/p99 against the SLO; model quality; drift per feature; data quality; cost against the budget) plus ConfigMaps for the Grafana sidecar; for datadog/newrelic, the same dashboards as Terraform. Give pipeline_id (files stored with the pipeline) or an inline spec/requirements (nothing stored).',
  phase: 'observability_engineer',
  select: isDashboardArtifact,
  summary: (files) => `Dashboards: ${files.length} files`,
  checkedBy: 'a JSON schema derived from @grafana/schema plus panel layout and datasource checks, or the HCL parser for vendor Terraform',
});

export const generateDriftMonitor = generatorTool({
  name: 'generate_drift_monitor',
  title: 'Generate the drift monitor',
  description:
    "Returns the drift monitor of the pipeline: drift_config.yaml (per-feature test, thresholds from the spec, the schedule that keeps undetected drift inside the detection window), the Python job (numpy and scipy only: KS, chi-square, PSI, Jensen-Shannon, Wasserstein chosen per feature by type and sample size), the delayed-label quality evaluation for concept drift, the retraining trigger service that starts the orchestrator's training run, their pytest suite, and the CronJobs that run them. Give pipeline_id (files stored with the pipeline) or an inline spec/requirements (nothing stored).",
  phase: 'observability_engineer',
  select: isDriftMonitorFile,
  summary: (files) => `Drift monitor: ${files.length} files`,
  checkedBy: 'py_compile and the project\'s own pytest suite, yamllint, and the Kubernetes schemas of the CronJobs',
});
