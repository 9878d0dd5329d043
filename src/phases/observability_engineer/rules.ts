import { toYaml } from '../../generators/serializers/yaml.js';
import { ROUTE_BY_SEVERITY, runbookUrl, spotLabelMatcher, type AlertDefinition } from './alerts.js';
import { EXTERNAL_METRICS, series } from './metrics.js';
import type { MonitoringPlan } from './plan.js';
import { duration, promqlString, regexLiteral, selector, type Matcher } from './promql.js';

/** Prometheus rule file (promtool check rules): recording rules the alerts and dashboards share, then the alerts. */
interface RecordingRule {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}

interface AlertingRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface RuleGroup {
  name: string;
  interval?: string;
  rules: (RecordingRule | AlertingRule)[];
}

/** Adds a constant `pipeline` label to an aggregate that lost every label. */
function withPipeline(expr: string, pipeline: string): string {
  return `label_replace(${expr}, "pipeline", ${promqlString(pipeline)}, "", "")`;
}

export function recordingRules(p: MonitoringPlan): RecordingRule[] {
  const servingM: Matcher[] = [
    ['namespace', '=', p.namespaces.serving],
    ['model', '=', p.model],
  ];
  const pipeM: Matcher[] = [['pipeline', '=', p.pipeline]];
  const P = selector(pipeM);
  const rules: RecordingRule[] = [];
  if (p.traffic.modes.includes('online')) {
    const S = selector(servingM);
    const errors = selector([...servingM, ['code', '=~', '5..']]);
    const fast = duration(p.timing.fastWindowSeconds);
    for (const w of [fast, '5m']) rules.push({ record: `model:requests:rate${w}`, expr: `sum by (namespace, model) (rate(${series('requests')}${S}[${w}]))` });
    const windows = [...new Set([fast, ...p.burn.windows.flatMap((b) => [duration(b.shortSeconds), duration(b.longSeconds)])])];
    for (const w of windows) {
      rules.push({
        record: `model:request_errors:ratio_rate${w}`,
        expr: `sum by (namespace, model) (rate(${series('requests')}${errors}[${w}])) / sum by (namespace, model) (rate(${series('requests')}${S}[${w}]))`,
      });
    }
    rules.push({ record: 'model:request_duration_seconds:p99_5m', expr: `histogram_quantile(0.99, sum by (namespace, model, le) (rate(${series('requestDuration', '_bucket')}${S}[5m])))` });
    rules.push({
      record: 'feature_store:request_duration_seconds:p99_5m',
      expr: `histogram_quantile(0.99, sum by (namespace, le) (rate(${series('featureStoreDuration', '_bucket')}${selector([['namespace', '=', p.namespaces.serving]])}[5m])))`,
    });
  }
  rules.push({
    record: 'pipeline:data_validation_pass:ratio_rate1h',
    expr: `sum by (pipeline) (rate(${series('dataValidationChecks')}${selector([...pipeM, ['result', '=', 'pass']])}[1h])) / sum by (pipeline) (rate(${series('dataValidationChecks')}${P}[1h]))`,
  });
  rules.push({
    record: 'pipeline:data_quality_issue:ratio_rate1h',
    expr: `sum by (pipeline) (rate(${series('dataRecords')}${selector([...pipeM, ['result', '=~', 'quarantined|rejected']])}[1h])) / sum by (pipeline) (rate(${series('dataRecords')}${P}[1h]))`,
  });
  const q = selector([...pipeM, ['metric', '=', p.quality.metric]]);
  const ref = `max by (pipeline, model, metric) (${series('predictionQualityReference')}${q})`;
  const cur = `max by (pipeline, model, metric) (${series('predictionQuality')}${q})`;
  rules.push({ record: 'model:prediction_quality:relative_degradation', expr: p.quality.direction === 'maximize' ? `(${ref} - ${cur}) / ${ref}` : `(${cur} - ${ref}) / ${ref}` });
  rules.push({ record: 'pipeline:cost_usd:month_to_date', expr: `sum by (pipeline) (${series('cost')}${P})` });
  const interruptible = [...new Set([p.namespaces.training, p.namespaces.batch])].map(regexLiteral).join('|');
  const requests = `${EXTERNAL_METRICS.cpuRequests}${selector([['namespace', '=~', interruptible], ['resource', '=', 'cpu']])}`;
  rules.push({
    record: 'pipeline:spot_cpu_requests:ratio',
    expr: withPipeline(`sum(${requests} * on (node) group_left () max by (node) (${EXTERNAL_METRICS.nodeLabels}${selector([spotLabelMatcher(p)])})) / sum(${requests})`, p.pipeline),
  });
  const all = [...new Set(Object.values(p.namespaces))].map(regexLiteral).join('|');
  rules.push({
    record: 'pipeline:cpu_waste:ratio_1h',
    expr: withPipeline(
      `1 - sum(rate(${EXTERNAL_METRICS.cpuUsage}${selector([['namespace', '=~', all], ['container', '!=', '']])}[1h])) / sum(${EXTERNAL_METRICS.cpuRequests}${selector([['namespace', '=~', all], ['resource', '=', 'cpu']])})`,
      p.pipeline,
    ),
  });
  return rules;
}

export function alertingRule(p: MonitoringPlan, a: AlertDefinition): AlertingRule {
  const suffix = a.seriesLabels && a.seriesLabels.length > 0 ? ` (${a.seriesLabels.map((l) => `${l} {{ $labels.${l} }}`).join(', ')})` : '';
  return {
    alert: a.name,
    expr: a.expr,
    ...(a.forSeconds > 0 ? { for: duration(a.forSeconds) } : {}),
    labels: {
      severity: a.severity,
      route: ROUTE_BY_SEVERITY[a.severity],
      category: a.category,
      pipeline: p.pipeline,
      team: p.cost.teamLabel,
      oncall: p.spec.team.oncall,
      ...(a.retrainingTrigger ? { retraining_trigger: 'true' } : {}),
    },
    annotations: {
      summary: `${a.summary}${suffix}`,
      description: a.meaning,
      runbook_url: runbookUrl(p.spec, a.name),
    },
  };
}

/** The rule groups, shared by the rule file (monitoring/prometheus/rules.yml) and the PrometheusRule object. */
export function ruleGroups(p: MonitoringPlan, alerts: AlertDefinition[]): RuleGroup[] {
  const evaluation = duration(p.timing.evaluationSeconds);
  return [
    { name: `${p.pipeline}.recording`, interval: evaluation, rules: recordingRules(p) },
    { name: `${p.pipeline}.alerts`, interval: evaluation, rules: alerts.map((a) => alertingRule(p, a)) },
  ];
}

export function prometheusRulesFile(p: MonitoringPlan, alerts: AlertDefinition[]): string {
  return toYaml({ groups: ruleGroups(p, alerts) });
}
