import { toJson } from '../../generators/serializers/json.js';
import { toYaml } from '../../generators/serializers/yaml.js';
import { ROUTE_BY_SEVERITY, datadogMetric, datadogTags, nrqlWhere, runbookPath, type AlertDefinition, type Comparison, type Filters } from './alerts.js';
import { labelValue } from './derive.js';
import { series } from './metrics.js';
import type { MonitoringPlan } from './plan.js';
import { duration } from './promql.js';

/**
 * Vendor monitor definitions for the datadog and newrelic stacks, first versions in the shape of the vendors'
 * APIs (Datadog POST /api/v1/monitor and /api/v1/slo; New Relic NerdGraph NRQL conditions and service levels).
 * IDs that only exist after creation (SLO id, SLI guid) appear as SLO_ID / SLI_GUID tokens that the Terraform
 * issue replaces with resource references.
 */
const PRIORITY = { critical: 1, warning: 3, info: 5 } as const;

function servingFilters(p: MonitoringPlan): Filters {
  return [
    ['namespace', p.namespaces.serving],
    ['model', p.model],
  ];
}

function datadogHandle(p: MonitoringPlan, a: AlertDefinition): string {
  const route = ROUTE_BY_SEVERITY[a.severity];
  if (route === 'report') return '';
  const service = labelValue(`${p.pipeline}-${route === 'page' ? 'high' : 'low'}`);
  return p.spec.team.oncall === 'pagerduty' ? `@pagerduty-${service}` : `@opsgenie-${service}`;
}

export function datadogMonitors(p: MonitoringPlan, alerts: AlertDefinition[]): string {
  const tags = (a: AlertDefinition) => [`pipeline:${labelValue(p.pipeline)}`, `team:${p.cost.teamLabel}`, `severity:${a.severity}`, `category:${a.category}`, `alert:${labelValue(a.name)}`];
  const monitors = alerts.map((a) => {
    const message = [a.summary, '', a.meaning, '', `Runbook: ${runbookPath(a.name)}`, datadogHandle(p, a)].filter((l, i, all) => l !== '' || (i > 0 && all[i - 1] !== '')).join('\n').trim();
    const base = { key: a.name, name: `[${p.pipeline}] ${a.name}`, message, tags: tags(a), priority: PRIORITY[a.severity] };
    const v = a.vendor;
    if (v.kind === 'burn') {
      const query = v.burnRate >= 2 ? `burn_rate("SLO_ID").over("30d").long_window("${v.longWindow}").short_window("${v.shortWindow}") > ${v.burnRate}` : `error_budget("SLO_ID").over("30d") > ${p.burn.windows.find((w) => w.burnRate === v.burnRate)?.budgetConsumedPct ?? 10}`;
      return { ...base, type: 'slo alert', slo: 'availability', query, options: { thresholds: { critical: v.burnRate >= 2 ? v.burnRate : (p.burn.windows.find((w) => w.burnRate === v.burnRate)?.budgetConsumedPct ?? 10) } } };
    }
    if (v.kind === 'staleness') {
      return {
        ...base,
        type: 'query alert',
        query: `max(last_1h):max:${datadogMetric(v.metric)}${datadogTags(v.filters)} < 0`,
        options: { thresholds: { critical: 0 }, notify_no_data: true, no_data_timeframe: Math.ceil(v.afterSeconds / 60), require_full_window: false },
      };
    }
    return {
      ...base,
      type: 'query alert',
      query: `${v.datadog} ${v.op} ${v.threshold}`,
      options: { thresholds: { critical: v.threshold }, notify_no_data: false, require_full_window: false, ...(a.forSeconds > 0 ? { evaluation_delay: 60 } : {}) },
    };
  });
  const total = `sum:${datadogMetric('requests')}${datadogTags(servingFilters(p))}.as_count()`;
  const slos = p.traffic.modes.includes('online')
    ? [
        {
          key: 'availability',
          name: `${p.pipeline} serving availability`,
          type: 'metric',
          description: `Non-5xx share of ${p.model} prediction requests; error budget ${p.burn.errorBudgetRatio} (${p.burn.budgetMinutesPer30d} min per 30 days)`,
          query: { numerator: `${total} - sum:${datadogMetric('requests')}${datadogTags([...servingFilters(p), ['code', '5*']])}.as_count()`, denominator: total },
          thresholds: [{ timeframe: '30d', target: p.spec.slo.availability_pct }],
          tags: [`pipeline:${labelValue(p.pipeline)}`, `team:${p.cost.teamLabel}`],
        },
      ]
    : [];
  return toYaml({
    openmetrics_check: { namespace: 'ml', histogram_buckets_as_distributions: true, send_distribution_counts_as_monotonic: true, metrics: ['model_.*', 'feature_.*', 'prediction_.*', 'drift_.*', 'data_.*', 'batch_.*', 'stream_.*', 'training_.*', 'retraining_.*', 'business_.*', 'ml_cost_.*'] },
    service_level_objectives: slos,
    monitors,
  });
}

const NR_OPERATOR: Record<Comparison, string> = { '>': 'ABOVE', '>=': 'ABOVE_OR_EQUALS', '<': 'BELOW', '<=': 'BELOW_OR_EQUALS' };

export function newRelicConditions(p: MonitoringPlan, alerts: AlertDefinition[]): string {
  const priority = (a: AlertDefinition) => (a.severity === 'critical' ? 'CRITICAL' : 'WARNING');
  const conditions = alerts.map((a) => {
    const base = { name: `[${p.pipeline}] ${a.name}`, enabled: true, description: `${a.summary}. ${a.meaning}`, runbookUrl: runbookPath(a.name), tags: { severity: [a.severity], route: [ROUTE_BY_SEVERITY[a.severity]], category: [a.category], pipeline: [p.pipeline] } };
    const v = a.vendor;
    if (v.kind === 'burn') {
      const w = p.burn.windows.find((x) => x.burnRate === v.burnRate)!;
      // Burn rate = error ratio / error budget; evaluated on the short window, sustained for the long window (capped at 24 h).
      const window = Math.min(w.shortSeconds, 3600);
      return {
        ...base,
        nrql: { query: `SELECT (1 - sum(newrelic.sli.good) / sum(newrelic.sli.valid)) / ${p.burn.errorBudgetRatio} FROM Metric WHERE sli.guid = 'SLI_GUID'` },
        signal: { aggregationWindow: window, aggregationMethod: 'EVENT_FLOW', aggregationDelay: 120 },
        terms: [{ priority: priority(a), operator: 'ABOVE', threshold: v.burnRate, thresholdDuration: Math.min(Math.max(window, Math.floor(w.longSeconds / window) * window), 86_400), thresholdOccurrences: 'ALL' }],
      };
    }
    if (v.kind === 'staleness') {
      return {
        ...base,
        nrql: { query: `SELECT latest(${series(v.metric)}) FROM Metric WHERE ${nrqlWhere(v.filters)}` },
        signal: { aggregationWindow: 300, aggregationMethod: 'EVENT_TIMER', aggregationTimer: 300 },
        expiration: { expirationDuration: v.afterSeconds, openViolationOnExpiration: true, closeViolationsOnExpiration: false },
        terms: [{ priority: priority(a), operator: 'BELOW', threshold: 0, thresholdDuration: 300, thresholdOccurrences: 'ALL' }],
      };
    }
    const window = Math.min(v.windowSeconds, 3600);
    return {
      ...base,
      nrql: { query: v.nrql },
      signal: { aggregationWindow: window, aggregationMethod: 'EVENT_FLOW', aggregationDelay: 120 },
      terms: [{ priority: priority(a), operator: NR_OPERATOR[v.op], threshold: v.threshold, thresholdDuration: Math.max(window, Math.ceil(a.forSeconds / window) * window), thresholdOccurrences: 'ALL' }],
    };
  });
  const serving = servingFilters(p);
  return toJson({
    policy: { name: `${p.pipeline} ML pipeline`, incidentPreference: 'PER_CONDITION_AND_TARGET' },
    serviceLevels: p.traffic.modes.includes('online')
      ? [
          {
            name: `${p.pipeline} serving availability`,
            events: {
              validEvents: { from: 'Metric', where: nrqlWhere(serving), select: { attribute: series('requests'), function: 'SUM' } },
              goodEvents: { from: 'Metric', where: `${nrqlWhere(serving)} AND code NOT LIKE '5%'`, select: { attribute: series('requests'), function: 'SUM' } },
            },
            objectives: [{ target: p.spec.slo.availability_pct, timeWindow: { rolling: { count: 30, unit: 'DAY' } } }],
          },
        ]
      : [],
    conditions,
    routing: {
      destination: p.spec.team.oncall,
      critical: p.spec.team.oncall === 'pagerduty' ? 'PagerDuty service (high urgency)' : 'Opsgenie P1',
      warning: p.spec.team.oncall === 'pagerduty' ? 'PagerDuty service (low urgency)' : 'Opsgenie P3',
      info: 'no notification (weekly report)',
    },
    evaluation_note: `burn-rate conditions evaluate the ${p.burn.windows.map((w) => `${duration(w.shortSeconds)}/${duration(w.longSeconds)}`).join(', ')} windows on the service level's SLI metrics`,
  });
}
