import { TERRAFORM_VERSION } from '../../generators/terraform/blocks.js';
import { attr, block, ref, tpl, type HclBlock, type HclExpression } from '../../generators/serializers/hcl.js';
import { datadogMetric, datadogTags, nrqlAttribute, nrqlWhere, runbookPath, runbookUrl as runbookLink, type AlertDefinition, type Filters } from './alerts.js';
import type { MonitoringPlan } from './plan.js';
import type { Panel } from './dashboards.js';
import { METRICS, type MetricKey } from './metrics.js';

/**
 * What the Datadog and New Relic Terraform roots share: provider pinning, resource names, runbook links, the
 * translation of a dashboard panel's series into the vendor's query language.
 */

/** Providers of the vendor roots (registry.terraform.io), pinned like the platform's own providers. */
export const VENDOR_PROVIDERS = {
  datadog: { source: 'DataDog/datadog', version: '~> 3.60' },
  newrelic: { source: 'newrelic/newrelic', version: '~> 3.60' },
} as const;

export function vendorVersionsBlock(provider: keyof typeof VENDOR_PROVIDERS): HclBlock {
  return block('terraform', [], [attr('required_version', TERRAFORM_VERSION), block('required_providers', [], [attr(provider, { ...VENDOR_PROVIDERS[provider] })])]);
}

/** ModelAvailabilityFastBurn → model_availability_fast_burn (alert names are generator constants, PascalCase). */
export function resourceName(name: string): string {
  const snake = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toLowerCase()
    .replace(/^_+|_+$/g, '');
  return /^[a-z]/.test(snake) ? snake : `r_${snake}`;
}

/**
 * A string template from literal parts (escaped by tpl) and expressions between them: the programmatic form of
 * tpl`…` for literal parts computed by the generator.
 */
export function template(parts: readonly string[], ...exprs: HclExpression[]): HclExpression {
  if (parts.length !== exprs.length + 1) throw new Error('template: one more literal part than expressions');
  return tpl(Object.assign([...parts], { raw: [...parts] }) as unknown as TemplateStringsArray, ...exprs);
}

/**
 * Default of var.runbook_base_url: the base of the runbook links the Prometheus annotations use (the pipeline's
 * repository on its Git host), so every stack links the same page unless the team overrides it.
 */
export function runbookBaseUrl(p: MonitoringPlan): string {
  const probe = 'Probe';
  return runbookLink(p.spec, probe).slice(0, -(runbookPath(probe).length + 1));
}

/** `<var.runbook_base_url>/docs/runbooks/<Alert>.md`: the runbook of an alert in the team's repository. */
export function runbookUrl(alert: string): HclExpression {
  return template(['', `/${runbookPath(alert)}`], ref('var.runbook_base_url'));
}

/** Catalogue text in a notification: `@` would mention (and notify) a handle in Datadog and New Relic, so it is neutralised. */
export function notificationText(text: string): string {
  return text.replace(/@/g, '(at)');
}

// ------------------------------------------------------------------ dashboard panels → vendor queries

export interface PanelQuery {
  datadog: string;
  nrql: string;
}

const METRIC_BY_NAME = new Map<string, MetricKey>(Object.entries(METRICS).map(([key, m]) => [m.name, key as MetricKey]));

/** The series a panel plots, one per comma-separated entry of its source. */
export function panelSeries(panel: Panel): string[] {
  return panel.source
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * The vendor queries of one series: one of our metrics maps to its vendor name; a Prometheus recording rule maps
 * to the vendor signal of the catalogue alert built on it (the same figure the monitor watches); anything else has
 * no vendor equivalent and is undefined (the dashboard shows a note instead).
 */
export function seriesQuery(series: string, alerts: readonly AlertDefinition[], p: MonitoringPlan): PanelQuery | undefined {
  const key = METRIC_BY_NAME.get(series);
  if (key) {
    const m = METRICS[key];
    const nr = nrqlAttribute(m.name);
    if (m.type === 'counter') return { datadog: `sum:${datadogMetric(key)}{*}.as_rate()`, nrql: `SELECT rate(sum(${nr}), 1 minute) FROM Metric TIMESERIES` };
    if (m.type === 'histogram') return { datadog: `p99:${datadogMetric(key)}{*}`, nrql: `SELECT bucketPercentile(${nrqlAttribute(`${m.name}_bucket`)}, 99) FROM Metric TIMESERIES` };
    return { datadog: `avg:${datadogMetric(key)}{*}`, nrql: `SELECT latest(${nr}) FROM Metric TIMESERIES` };
  }
  const serving: Filters = [
    ['namespace', p.namespaces.serving],
    ['model', p.model],
  ];
  const where = ` WHERE ${nrqlWhere(serving)}`;
  const requests = `sum:${datadogMetric('requests')}`;
  // The serving recording rules: the same ratio / rate / quantile computed from the raw series the vendor stores.
  if (/^model:request_errors:ratio_rate/.test(series)) {
    return {
      datadog: `${requests}${datadogTags([...serving, ['code', '5*']])}.as_count() / ${requests}${datadogTags(serving)}.as_count()`,
      nrql: `SELECT filter(sum(${nrqlAttribute(METRICS.requests.name)}), WHERE code LIKE '5%') / sum(${nrqlAttribute(METRICS.requests.name)}) FROM Metric${where} TIMESERIES`,
    };
  }
  if (/^model:requests:rate/.test(series)) return { datadog: `${requests}${datadogTags(serving)}.as_rate()`, nrql: `SELECT rate(sum(${nrqlAttribute(METRICS.requests.name)}), 1 second) FROM Metric${where} TIMESERIES` };
  const quantile = /^(model|feature_store):request_duration_seconds:p(\d{2})_/.exec(series);
  if (quantile) {
    const metric: MetricKey = quantile[1] === 'model' ? 'requestDuration' : 'featureStoreDuration';
    const filters: Filters = quantile[1] === 'model' ? serving : [['namespace', p.namespaces.serving]];
    return {
      datadog: `p${quantile[2]}:${datadogMetric(metric)}${datadogTags(filters)}`,
      nrql: `SELECT bucketPercentile(${nrqlAttribute(`${METRICS[metric].name}_bucket`)}, ${quantile[2]}) FROM Metric WHERE ${nrqlWhere(filters)} TIMESERIES`,
    };
  }
  const pattern = new RegExp(`(^|[^A-Za-z0-9_:])${series.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^A-Za-z0-9_:])`);
  for (const a of alerts) {
    if (a.vendor.kind !== 'threshold' || !pattern.test(a.expr)) continue;
    // A monitor query starts with its evaluation window (`avg(last_5m):`); a dashboard query is the metric expression alone.
    return { datadog: a.vendor.datadog.replace(/^[a-z0-9_]+\(last_[0-9]+[smhdw]\):/, ''), nrql: `${a.vendor.nrql} TIMESERIES` };
  }
  return undefined;
}
