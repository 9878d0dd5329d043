import { METRICS, EXTERNAL_METRICS, series, type MetricKey } from './metrics.js';
import type { MonitoringPlan } from './plan.js';
import { duration, kubeStateLabelName, promNumber, promqlString, regexLiteral, selector, type Matcher } from './promql.js';
import { labelValue } from './derive.js';
import type { ResolvedSpec } from '../../spec/resolve.js';
import { gitRepoUrl } from '../kubernetes_architect/delivery.js';

/**
 * The alert catalogue: one definition per alert, with its PromQL (Prometheus and custom stacks), the vendor
 * signal (Datadog, New Relic), the routing and the runbook facts. Rule files, vendor monitors, runbooks,
 * decisions and the document are all rendered from this list.
 */
export type Severity = 'critical' | 'warning' | 'info';
export type Category = 'availability' | 'latency' | 'capacity' | 'quality' | 'drift' | 'data' | 'batch' | 'stream' | 'training' | 'cost';
export type Comparison = '>' | '>=' | '<' | '<=';
export type Filters = readonly (readonly [label: string, value: string])[];

export type VendorSignal =
  | { kind: 'threshold'; datadog: string; nrql: string; op: Comparison; threshold: number; windowSeconds: number }
  | { kind: 'burn'; burnRate: number; longWindow: string; shortWindow: string }
  | { kind: 'staleness'; metric: MetricKey; filters: Filters; afterSeconds: number };

export interface AlertDefinition {
  name: string;
  severity: Severity;
  category: Category;
  forSeconds: number;
  summary: string;
  /** What the alert means, with the figures behind its threshold. */
  meaning: string;
  expr: string;
  vendor: VendorSignal;
  detectionSeconds: number | null;
  meetsAlertTime: boolean | null;
  retrainingTrigger: boolean;
  /** Labels of the firing series worth naming in the notification (e.g. which feature drifted). */
  seriesLabels?: string[];
}

export const ROUTE_BY_SEVERITY = { critical: 'page', warning: 'ticket', info: 'report' } as const;

export function runbookPath(alert: string): string {
  return `docs/runbooks/${alert}.md`;
}

/** The runbook as a link on the pipeline's Git host (the repository Argo CD reads), for notification annotations. */
export function runbookUrl(spec: ResolvedSpec, alert: string): string {
  return `${gitRepoUrl(spec).replace(/\.git$/, '')}/blob/main/${runbookPath(alert)}`;
}

// ------------------------------------------------------------------ vendor query helpers

/** Datadog metric name of one of our metrics as the OpenMetrics check (namespace "ml") reports it. */
export function datadogMetric(key: MetricKey): string {
  const m = METRICS[key];
  if (m.type === 'counter') return `ml.${m.name.replace(/_total$/, '')}.count`;
  return `ml.${m.name}`;
}

/** Datadog tag filter; tag values are reduced to the tag alphabet, `namespace` is the agent's `kube_namespace`. */
export function datadogTags(filters: Filters): string {
  if (filters.length === 0) return '{*}';
  return `{${filters.map(([k, v]) => `${k === 'namespace' ? 'kube_namespace' : k}:${v.endsWith('*') ? `${labelValue(v.slice(0, -1))}*` : labelValue(v)}`).join(',')}}`;
}

export function nrqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A NRQL attribute name in backticks (names with dots, slashes or dashes need them). */
export function nrqlAttribute(name: string): string {
  return `\`${name.replace(/`/g, '')}\``;
}

export function nrqlWhere(filters: Filters): string {
  return filters.map(([k, v]) => (v.endsWith('*') ? `${k} LIKE ${nrqlString(`${v.slice(0, -1)}%`)}` : `${k} = ${nrqlString(v)}`)).join(' AND ');
}

const ddCount = (key: MetricKey, f: Filters) => `sum:${datadogMetric(key)}${datadogTags(f)}.as_count()`;
const ddGauge = (key: MetricKey, f: Filters, agg = 'max') => `${agg}:${datadogMetric(key)}${datadogTags(f)}`;
const ddP99 = (key: MetricKey, f: Filters) => `p99:${datadogMetric(key)}${datadogTags(f)}`;
const nrFrom = (select: string, f: Filters) => `SELECT ${select} FROM Metric${f.length > 0 ? ` WHERE ${nrqlWhere(f)}` : ''}`;

// ------------------------------------------------------------------ the catalogue

export function buildAlerts(p: MonitoringPlan): AlertDefinition[] {
  const { spec, timing, burn, latency, quality, drift, traffic, cost } = p;
  const servingM: Matcher[] = [
    ['namespace', '=', p.namespaces.serving],
    ['model', '=', p.model],
  ];
  const servingF: Filters = [
    ['namespace', p.namespaces.serving],
    ['model', p.model],
  ];
  const pipeM: Matcher[] = [['pipeline', '=', p.pipeline]];
  const pipeF: Filters = [['pipeline', p.pipeline]];
  const S = selector(servingM);
  const P = selector(pipeM);
  const fast = duration(timing.fastWindowSeconds);
  const alerts: AlertDefinition[] = [];
  const add = (a: Omit<AlertDefinition, 'retrainingTrigger' | 'detectionSeconds' | 'meetsAlertTime'> & Partial<Pick<AlertDefinition, 'retrainingTrigger' | 'detectionSeconds' | 'meetsAlertTime'>>) =>
    alerts.push({
      retrainingTrigger: false,
      detectionSeconds: null,
      meetsAlertTime: null,
      ...a,
      // Thresholds computed from percentages (99.9 / 100) are rounded so vendor queries do not show 0.9990000000000001.
      vendor: a.vendor.kind === 'threshold' ? { ...a.vendor, threshold: Number(a.vendor.threshold.toPrecision(10)) } : a.vendor,
    });
  const overhead = timing.scrapeSeconds + timing.evaluationSeconds + timing.groupWaitSeconds;

  if (traffic.modes.includes('online')) {
    const [fastBurn, slowBurn, ticketBurn] = burn.windows as [(typeof burn.windows)[0], (typeof burn.windows)[0], (typeof burn.windows)[0]];
    const burnAlert = (name: string, w: typeof fastBurn, what: string) =>
      add({
        name,
        severity: w.severity,
        category: 'availability',
        forSeconds: w.forSeconds,
        summary: `${p.model} is burning its ${spec.slo.availability_pct} % availability error budget ${w.burnRate}x too fast (${duration(w.longSeconds)} and ${duration(w.shortSeconds)} windows)`,
        meaning: `${what}: the error ratio exceeds ${w.burnRate} × ${burn.errorBudgetRatio} = ${w.errorRatioThreshold} over both the ${duration(w.longSeconds)} and the ${duration(w.shortSeconds)} window; sustained, this spends ${w.budgetConsumedPct} % of the 30-day budget (${burn.budgetMinutesPer30d} min) in ${duration(w.longSeconds)}. A total outage crosses the long window after ${w.outageFillSeconds} s.`,
        expr: `model:request_errors:ratio_rate${duration(w.longSeconds)}${S} > ${promNumber(w.errorRatioThreshold)} and model:request_errors:ratio_rate${duration(w.shortSeconds)}${S} > ${promNumber(w.errorRatioThreshold)}`,
        vendor: { kind: 'burn', burnRate: w.burnRate, longWindow: duration(w.longSeconds), shortWindow: duration(w.shortSeconds) },
        detectionSeconds: Math.ceil(w.outageFillSeconds + overhead + w.forSeconds),
      });
    burnAlert('ModelAvailabilityFastBurn', fastBurn, 'Page: fast budget burn');
    burnAlert('ModelAvailabilitySlowBurn', slowBurn, 'Page: sustained budget burn');
    burnAlert('ModelErrorBudgetBurn', ticketBurn, 'Ticket: slow budget burn');

    const minRps = Math.min(1, Number((traffic.averageRps / 10).toPrecision(2)));
    add({
      name: 'ModelErrorSpike',
      severity: 'critical',
      category: 'availability',
      forSeconds: timing.fastForSeconds,
      summary: `More than ${promNumber(timing.spikeThreshold * 100)} % of ${p.model} requests fail over ${fast}`,
      meaning: `The fast path of the ${spec.slo.alert_time_s} s alert-time objective: 5xx ratio over ${fast} ≥ 50 × the error budget (${promNumber(timing.spikeThreshold)}, clamped to 1–50 %), with at least ${minRps} request/s so that a handful of errors at night does not page. A total outage fills the window in ${timing.spikeFillSeconds} s.`,
      expr: `model:request_errors:ratio_rate${fast}${S} >= ${promNumber(timing.spikeThreshold)} and model:requests:rate${fast}${S} >= ${promNumber(minRps)}`,
      vendor: {
        kind: 'threshold',
        datadog: `sum(last_${fast}):${ddCount('requests', [...servingF, ['code', '5*']])} / ${ddCount('requests', servingF)}`,
        nrql: nrFrom(`filter(sum(${series('requests')}), WHERE code LIKE '5%') / sum(${series('requests')})`, servingF),
        op: '>=',
        threshold: timing.spikeThreshold,
        windowSeconds: timing.fastWindowSeconds,
      },
      detectionSeconds: timing.spikeDetectionSeconds,
      meetsAlertTime: timing.spikeDetectionSeconds <= spec.slo.alert_time_s,
    });
    add({
      name: 'ModelServingDown',
      severity: 'critical',
      category: 'availability',
      forSeconds: timing.fastForSeconds,
      summary: `No ${p.model} serving target is up in namespace ${p.namespaces.serving}`,
      meaning: `Every scrape target of job ${p.servingJob} is down or gone (crash loop, failed rollout, node loss): no request can be answered. Detection: scrape ${timing.scrapeSeconds} s + evaluation ${timing.evaluationSeconds} s + for ${timing.fastForSeconds} s + group_wait ${timing.groupWaitSeconds} s.`,
      expr: `absent(${EXTERNAL_METRICS.up}${selector([['job', '=', p.servingJob], ['namespace', '=', p.namespaces.serving]])} == 1)`,
      vendor: { kind: 'threshold', datadog: `max(last_${fast}):sum:kubernetes_state.pod.ready${datadogTags([['namespace', p.namespaces.serving], ['condition', 'true']])}`, nrql: nrFrom('uniqueCount(k8s.podName)', [['k8s.namespaceName', p.namespaces.serving], ['k8s.status', 'Running']]), op: '<', threshold: 1, windowSeconds: timing.fastWindowSeconds },
      detectionSeconds: timing.downDetectionSeconds,
      meetsAlertTime: timing.downDetectionSeconds <= spec.slo.alert_time_s,
    });
    const p99 = `model:request_duration_seconds:p99_5m${S}`;
    add({
      name: 'ModelLatencyP99High',
      severity: 'warning',
      category: 'latency',
      forSeconds: 300,
      summary: `${p.model} p99 latency above the ${spec.slo.p99_latency_ms} ms objective for 5 minutes`,
      meaning: `p99 of ${METRICS.requestDuration.name} over 5m > ${latency.p99Seconds} s. The histogram has a bucket boundary exactly at ${latency.p99Seconds} s, so the estimate is exact at the threshold. Of the budget, predict() may use ${latency.predictBudgetMs} ms (python_pro budget), leaving ${latency.remainingBudgetMs} ms for feature lookup, queuing and network.`,
      expr: `${p99} > ${promNumber(latency.p99Seconds)}`,
      vendor: { kind: 'threshold', datadog: `avg(last_5m):${ddP99('requestDuration', servingF)}`, nrql: nrFrom(`bucketPercentile(${series('requestDuration', '_bucket')}, 99)`, servingF), op: '>', threshold: latency.p99Seconds, windowSeconds: 300 },
    });
    add({
      name: 'ModelLatencyP99Critical',
      severity: 'critical',
      category: 'latency',
      forSeconds: 120,
      summary: `${p.model} p99 latency above twice the objective (${2 * spec.slo.p99_latency_ms} ms)`,
      meaning: `p99 over 5m > 2 × ${latency.p99Seconds} s = ${promNumber(2 * latency.p99Seconds)} s for 2 minutes: callers time out or fall back.`,
      expr: `${p99} > ${promNumber(2 * latency.p99Seconds)}`,
      vendor: { kind: 'threshold', datadog: `avg(last_2m):${ddP99('requestDuration', servingF)}`, nrql: nrFrom(`bucketPercentile(${series('requestDuration', '_bucket')}, 99)`, servingF), op: '>', threshold: 2 * latency.p99Seconds, windowSeconds: 120 },
    });
    add({
      name: 'ModelTrafficNearCapacity',
      severity: 'warning',
      category: 'capacity',
      forSeconds: 600,
      summary: `${p.model} traffic above 80 % of the autoscaling ceiling (${latency.nearCapacityRps} of ${latency.capacityRps} rps)`,
      meaning: `Capacity = max replicas ${latency.maxReplicas} × ${latency.rpsPerReplica} rps per replica = ${latency.capacityRps} rps (${latency.peakHeadroom}× the ${spec.scale.peak_rps} rps peak). Above 80 % the HPA has no room left for a spike.`,
      expr: `model:requests:rate5m${S} > ${promNumber(latency.nearCapacityRps)}`,
      vendor: { kind: 'threshold', datadog: `avg(last_10m):sum:${datadogMetric('requests')}${datadogTags(servingF)}.as_rate()`, nrql: nrFrom(`rate(sum(${series('requests')}), 1 second)`, servingF), op: '>', threshold: latency.nearCapacityRps, windowSeconds: 600 },
    });
    add({
      name: 'FeatureServingLatencyHigh',
      severity: 'warning',
      category: 'latency',
      forSeconds: 300,
      summary: `Online feature retrieval p99 above ${spec.slo.feature_serving_latency_ms} ms`,
      meaning: `p99 of ${METRICS.featureStoreDuration.name} (measured in the serving pods, network included) over 5m > ${latency.featureServingSeconds} s, the feature serving objective. Feature store: ${spec.options.feature_store} (online store ${p.up.data_scientist.feature_store.online_store}).`,
      expr: `feature_store:request_duration_seconds:p99_5m${selector([['namespace', '=', p.namespaces.serving]])} > ${promNumber(latency.featureServingSeconds)}`,
      vendor: { kind: 'threshold', datadog: `avg(last_5m):${ddP99('featureStoreDuration', [['namespace', p.namespaces.serving]])}`, nrql: nrFrom(`bucketPercentile(${series('featureStoreDuration', '_bucket')}, 99)`, [['namespace', p.namespaces.serving]]), op: '>', threshold: latency.featureServingSeconds, windowSeconds: 300 },
    });
  }

  if (traffic.modes.includes('batch') && p.up.mlops_engineer.batch) {
    const intervalS = Math.round((24 / Math.max(traffic.batchRunsPerDay, 1 / 30)) * 3600);
    const grace = Math.max(3600, Math.round(intervalS / 4));
    add({
      name: 'BatchScoringLate',
      severity: 'critical',
      category: 'batch',
      forSeconds: 0,
      summary: `No successful batch scoring run of ${p.pipeline} for ${duration(intervalS + grace)}`,
      meaning: `Batch scoring runs on ${p.up.mlops_engineer.batch.schedule} (${traffic.batchRunsPerDay} run(s)/day, ${spec.scale.batch_size} rows each) via ${p.up.mlops_engineer.batch.orchestrator}; the last success is older than one interval (${duration(intervalS)}) plus a grace of ${duration(grace)}, so consumers read stale predictions.`,
      expr: `time() - max by (pipeline) (${series('batchLastSuccess')}${P}) > ${intervalS + grace}`,
      vendor: { kind: 'staleness', metric: 'batchLastSuccess', filters: pipeF, afterSeconds: intervalS + grace },
    });
    add({
      name: 'BatchScoringFailed',
      severity: 'warning',
      category: 'batch',
      forSeconds: 0,
      summary: `A batch scoring run of ${p.pipeline} failed`,
      meaning: `At least one failed run in the last ${duration(intervalS)}; the orchestrator retries, BatchScoringLate pages if no run succeeds in time.`,
      expr: `increase(${series('batchRuns')}${selector([...pipeM, ['result', '=', 'failed']])}[${duration(intervalS)}]) > 0`,
      vendor: { kind: 'threshold', datadog: `sum(last_${duration(Math.min(intervalS, 86_400))}):${ddCount('batchRuns', [...pipeF, ['result', 'failed']])}`, nrql: nrFrom(`sum(${series('batchRuns')})`, [...pipeF, ['result', 'failed']]), op: '>', threshold: 0, windowSeconds: 3600 },
    });
  }

  if (traffic.modes.includes('stream') && p.up.mlops_engineer.stream) {
    const lag = Math.max(60, spec.slo.alert_time_s);
    add({
      name: 'StreamConsumerLagHigh',
      severity: 'critical',
      category: 'stream',
      forSeconds: 120,
      summary: `Scoring consumer ${p.up.mlops_engineer.stream.consumer_group} lags more than ${lag} s behind ${p.up.mlops_engineer.stream.topic}`,
      meaning: `The oldest unscored event on ${p.up.mlops_engineer.stream.source_kind} topic ${p.up.mlops_engineer.stream.topic} is older than max(60 s, alert time ${spec.slo.alert_time_s} s) = ${lag} s for 2 minutes: predictions arrive too late to act on.`,
      expr: `max by (pipeline, topic) (${series('streamLag')}${P}) > ${lag}`,
      vendor: { kind: 'threshold', datadog: `max(last_2m):${ddGauge('streamLag', pipeF)}`, nrql: nrFrom(`max(${series('streamLag')})`, pipeF), op: '>', threshold: lag, windowSeconds: 120 },
    });
    add({
      name: 'StreamProcessingErrors',
      severity: 'warning',
      category: 'stream',
      forSeconds: 300,
      summary: `More than ${promNumber(timing.spikeThreshold * 100)} % of stream events fail scoring`,
      meaning: `Failed or dead-lettered events over 5m ≥ ${promNumber(timing.spikeThreshold)} of all events (same ratio as the online error spike).`,
      expr: `sum by (pipeline) (rate(${series('streamMessages')}${selector([...pipeM, ['result', '!=', 'success']])}[5m])) / sum by (pipeline) (rate(${series('streamMessages')}${P}[5m])) >= ${promNumber(timing.spikeThreshold)}`,
      vendor: { kind: 'threshold', datadog: `sum(last_5m):${ddCount('streamMessages', [...pipeF, ['result', 'failed']])} / ${ddCount('streamMessages', pipeF)}`, nrql: nrFrom(`filter(sum(${series('streamMessages')}), WHERE result != 'success') / sum(${series('streamMessages')})`, pipeF), op: '>=', threshold: timing.spikeThreshold, windowSeconds: 300 },
    });
  }

  // Model quality on delayed labels.
  const qualityF: Filters = [...pipeF, ['metric', quality.metric]];
  const degradation = `model:prediction_quality:relative_degradation${selector([...pipeM, ['metric', '=', quality.metric]])}`;
  const enoughSamples = `on (pipeline, model) max by (pipeline, model) (${series('predictionQualitySamples')}${P}) >= ${quality.minLabelledSamples}`;
  const ddDegradation =
    quality.direction === 'maximize'
      ? `(${ddGauge('predictionQualityReference', qualityF)} - ${ddGauge('predictionQuality', qualityF)}) / ${ddGauge('predictionQualityReference', qualityF)}`
      : `(${ddGauge('predictionQuality', qualityF)} - ${ddGauge('predictionQualityReference', qualityF)}) / ${ddGauge('predictionQualityReference', qualityF)}`;
  const nrDegradation =
    quality.direction === 'maximize'
      ? `(latest(${series('predictionQualityReference')}) - latest(${series('predictionQuality')})) / latest(${series('predictionQualityReference')})`
      : `(latest(${series('predictionQuality')}) - latest(${series('predictionQualityReference')})) / latest(${series('predictionQualityReference')})`;
  const qualityAlert = (name: string, severity: Severity, pct: number, threshold: number, trigger: boolean) =>
    add({
      name,
      severity,
      category: 'quality',
      forSeconds: quality.alertForMinutes * 60,
      summary: `${p.model} ${quality.metric} degraded ${pct} % or more against ${quality.referenceKnown ? `its reference ${quality.reference}` : 'the promoted version\'s measured value'}`,
      meaning: `Relative degradation of ${quality.metric} (${quality.direction}) on predictions whose labels arrived (label delay ${quality.labelDelayHours} h, window ${quality.windowHours} h, ≥ ${quality.minLabelledSamples} labelled predictions) ≥ ${pct} %, i.e. ${quality.referenceKnown ? `${quality.metric} ${quality.direction === 'maximize' ? '≤' : '≥'} ${threshold}` : `${quality.metric} ${pct} % ${quality.direction === 'maximize' ? 'below' : 'above'} the reference recorded at promotion`}. ${trigger ? `This is the ${spec.slo.max_degradation_pct} % retraining limit: the trigger service starts a retraining run.` : 'Half of the retraining limit: investigate before it triggers retraining.'}`,
      expr: `${degradation} >= ${promNumber(pct / 100)} and ${enoughSamples}`,
      vendor: { kind: 'threshold', datadog: `max(last_${quality.alertForMinutes}m):${ddDegradation}`, nrql: nrFrom(nrDegradation, qualityF), op: '>=', threshold: pct / 100, windowSeconds: quality.alertForMinutes * 60 },
      retrainingTrigger: trigger,
    });
  qualityAlert('ModelQualityDegraded', 'warning', quality.warnDegradationPct, quality.warnThreshold, false);
  qualityAlert('ModelQualityDegradationCritical', 'critical', quality.criticalDegradationPct, quality.criticalThreshold, true);
  add({
    name: 'GroundTruthLabelsDelayed',
    severity: 'warning',
    category: 'quality',
    forSeconds: 1800,
    summary: `No ground-truth labels joined for ${p.model} for ${quality.labelsStaleAfterHours} h`,
    meaning: `Labels are expected ${quality.labelDelayHours} h after a prediction; the newest joined prediction is older than label delay + window ${quality.windowHours} h + 2 h grace = ${quality.labelsStaleAfterHours} h. Without labels, quality alerts go blind; the prediction drift alert is the only concept-drift signal left.`,
    expr: `time() - max by (pipeline, model) (${series('labelsLastJoined')}${P}) > ${quality.labelsStaleAfterHours * 3600}`,
    vendor: { kind: 'staleness', metric: 'labelsLastJoined', filters: pipeF, afterSeconds: quality.labelsStaleAfterHours * 3600 },
  });
  add({
    name: 'FeatureImportanceShift',
    severity: 'warning',
    category: 'quality',
    forSeconds: 1800,
    summary: `${p.model} feature importance ranking moved away from training (Spearman < ${p.importance.minRankCorrelation})`,
    meaning: `Daily ${p.importance.method} on ${p.importance.sampleRows} recent rows; the Spearman correlation of feature importance ranks against training time fell below ${p.importance.minRankCorrelation}: the model now relies on different features than it was validated with.`,
    expr: `${series('featureImportanceRankCorrelation')}${P} < ${promNumber(p.importance.minRankCorrelation)}`,
    vendor: { kind: 'threshold', datadog: `min(last_30m):${ddGauge('featureImportanceRankCorrelation', pipeF, 'min')}`, nrql: nrFrom(`latest(${series('featureImportanceRankCorrelation')})`, pipeF), op: '<', threshold: p.importance.minRankCorrelation, windowSeconds: 1800 },
  });

  // Drift.
  const monitored = p.tests.filter((t) => !t.protected);
  const protectedTests = p.tests.filter((t) => t.protected);
  const driftUnion = (tests: typeof p.tests, level: 'warn' | 'critical', below?: 'critical') => {
    const byTest = new Map<string, typeof p.tests>();
    for (const t of tests) {
      const key = `${t.test}|${t.warn}|${t.critical}|${t.pValueMax}`;
      byTest.set(key, [...(byTest.get(key) ?? []), t]);
    }
    return [...byTest.values()]
      .map((ts) => {
        const th = ts[0]!;
        const test = th.test;
        const sel = selector([...pipeM, ['test', '=', test], ['feature', '=~', ts.map((t) => regexLiteral(t.feature)).join('|')]]);
        const score = `${series('featureDriftScore')}${sel} >= ${promNumber(level === 'warn' ? th.warn : th.critical)}${below ? ` < ${promNumber(th.critical)}` : ''}`;
        return th.pValueMax !== null ? `(${score} and on (pipeline, feature, test) ${series('featureDriftPValue')}${sel} < ${promNumber(th.pValueMax)})` : `(${score})`;
      })
      .join(' or ');
  };
  const driftSummary = (ts: typeof p.tests, level: 'warn' | 'critical') =>
    [...new Set(ts.map((t) => `${t.test} ≥ ${level === 'warn' ? t.warn : t.critical}${t.pValueMax !== null ? ` with p < ${t.pValueMax}` : ''}`))].join(', ');
  const driftVendor = (ts: typeof p.tests, level: 'warn' | 'critical'): VendorSignal => ({
    kind: 'threshold',
    datadog: `max(last_${drift.alertForMinutes}m):${ddGauge('featureDriftScore', pipeF)} by {feature}`,
    nrql: `${nrFrom(`max(${series('featureDriftScore')})`, pipeF)} FACET feature`,
    op: '>=',
    threshold: Math.min(...ts.map((t) => (level === 'warn' ? t.warn : t.critical))),
    windowSeconds: drift.alertForMinutes * 60,
  });
  if (monitored.length > 0) {
    add({
      name: 'FeatureDriftHigh',
      severity: 'warning',
      category: 'drift',
      forSeconds: drift.alertForMinutes * 60,
      summary: `A feature of ${p.pipeline} drifted beyond the critical level of its drift test`,
      seriesLabels: ['feature', 'test'],
      meaning: `Drift job every ${drift.intervalMinutes} min (${drift.schedule}); critical levels: ${driftSummary(monitored, 'critical')}. When ${drift.retrainQuorum} or more features fire at once the trigger service starts retraining. Worst-case detection: ${drift.worstCaseHours} h (interval + runtime + for) within the ${drift.windowHours} h window.`,
      expr: driftUnion(monitored, 'critical'),
      vendor: driftVendor(monitored, 'critical'),
      retrainingTrigger: true,
    });
    add({
      name: 'FeatureDriftModerate',
      severity: 'info',
      category: 'drift',
      forSeconds: drift.alertForMinutes * 60,
      summary: `A feature of ${p.pipeline} shows moderate drift`,
      seriesLabels: ['feature', 'test'],
      meaning: `Warning levels: ${driftSummary(monitored, 'warn')} (below critical). Goes to the daily drift report, no notification.`,
      expr: driftUnion(monitored, 'warn', 'critical'),
      vendor: driftVendor(monitored, 'warn'),
    });
  }
  if (protectedTests.length > 0) {
    add({
      name: 'ProtectedAttributeDrift',
      severity: 'info',
      category: 'drift',
      forSeconds: drift.alertForMinutes * 60,
      summary: `The population mix of a protected attribute of ${p.pipeline} changed`,
      seriesLabels: ['feature', 'test'],
      meaning: `Protected attributes (${protectedTests.map((t) => t.feature).join(', ')}) are not model inputs but define the groups of the bias checks; a shift (${driftSummary(protectedTests, 'warn')}) means the fairness evaluation must be re-run on current traffic. Never a retraining trigger on its own.`,
      expr: driftUnion(protectedTests, 'warn'),
      vendor: driftVendor(protectedTests, 'warn'),
    });
  }
  add({
    name: 'PredictionDriftHigh',
    severity: 'warning',
    category: 'drift',
    forSeconds: drift.alertForMinutes * 60,
    summary: `${p.model} prediction distribution shifted (PSI ≥ ${p.predictionPsi})`,
    meaning: `PSI of the prediction distribution against the validation-set predictions ≥ ${p.predictionPsi} (the data scientist's PSI alert level). This is the label-free concept drift signal: labels arrive after ${quality.labelDelayHours} h, so label-based detection takes ${quality.conceptDriftDetectionHours} h${quality.conceptDriftDetectionHours > drift.windowHours ? `, longer than the ${drift.windowHours} h window` : ''}.`,
    expr: `${series('predictionDriftScore')}${selector([...pipeM, ['test', '=', 'psi']])} >= ${promNumber(p.predictionPsi)}`,
    vendor: { kind: 'threshold', datadog: `max(last_${drift.alertForMinutes}m):${ddGauge('predictionDriftScore', pipeF)}`, nrql: nrFrom(`max(${series('predictionDriftScore')})`, pipeF), op: '>=', threshold: p.predictionPsi, windowSeconds: drift.alertForMinutes * 60 },
  });
  add({
    name: 'DriftJobStale',
    severity: 'warning',
    category: 'drift',
    forSeconds: 300,
    summary: `The drift job of ${p.pipeline} has not completed for ${drift.staleAfterMinutes} minutes`,
    meaning: `The schedule tolerates one failed run (2 × ${drift.intervalMinutes} + ${drift.runtimeMinutes} min = ${drift.staleAfterMinutes} min); past that, drift could go undetected longer than ${drift.windowHours} h.`,
    expr: `(time() - max by (pipeline) (${series('driftJobLastSuccess')}${P}) > ${drift.staleAfterMinutes * 60}) or absent(${series('driftJobLastSuccess')}${P})`,
    vendor: { kind: 'staleness', metric: 'driftJobLastSuccess', filters: pipeF, afterSeconds: drift.staleAfterMinutes * 60 },
  });

  // Data.
  add({
    name: 'DataValidationPassRateLow',
    severity: 'warning',
    category: 'data',
    forSeconds: 900,
    summary: `Automated data validation pass rate of ${p.pipeline} below ${spec.slo.validation_pass_rate_pct} %`,
    meaning: `Passed / all checks of ${METRICS.dataValidationChecks.name} over 1h < ${spec.slo.validation_pass_rate_pct} % (data_engineer gates: ${p.up.data_engineer.quality.gates.map((g) => g.name).join(', ') || 'none'}).`,
    expr: `pipeline:data_validation_pass:ratio_rate1h${P} < ${promNumber(spec.slo.validation_pass_rate_pct / 100)}`,
    vendor: { kind: 'threshold', datadog: `sum(last_1h):${ddCount('dataValidationChecks', [...pipeF, ['result', 'pass']])} / ${ddCount('dataValidationChecks', pipeF)}`, nrql: nrFrom(`filter(sum(${series('dataValidationChecks')}), WHERE result = 'pass') / sum(${series('dataValidationChecks')})`, pipeF), op: '<', threshold: spec.slo.validation_pass_rate_pct / 100, windowSeconds: 3600 },
  });
  add({
    name: 'DataQualityIssueRateHigh',
    severity: 'warning',
    category: 'data',
    forSeconds: 900,
    summary: `More than ${spec.slo.data_quality_issue_pct} % of ${p.pipeline} records quarantined or rejected`,
    meaning: `Quarantined + rejected / all records over 1h > ${spec.slo.data_quality_issue_pct} % across ${p.up.data_engineer.sources.length} source(s) (${p.up.data_engineer.total_rows_per_day} rows/day).`,
    expr: `pipeline:data_quality_issue:ratio_rate1h${P} > ${promNumber(spec.slo.data_quality_issue_pct / 100)}`,
    vendor: { kind: 'threshold', datadog: `sum(last_1h):(${ddCount('dataRecords', [...pipeF, ['result', 'quarantined']])} + ${ddCount('dataRecords', [...pipeF, ['result', 'rejected']])}) / ${ddCount('dataRecords', pipeF)}`, nrql: nrFrom(`filter(sum(${series('dataRecords')}), WHERE result != 'valid') / sum(${series('dataRecords')})`, pipeF), op: '>', threshold: spec.slo.data_quality_issue_pct / 100, windowSeconds: 3600 },
  });

  // Training.
  add({
    name: 'RetrainingFailed',
    severity: 'warning',
    category: 'training',
    forSeconds: 0,
    summary: `A training run of ${p.pipeline} failed`,
    meaning: `training_runs_total{result="failed"} increased in the last 6h. A failed triggered run leaves a drifted or degraded model in production: check the cause before the next trigger (cooldown ${p.retraining.cooldownHours} h).`,
    expr: `increase(${series('trainingRuns')}${selector([...pipeM, ['result', '=', 'failed']])}[6h]) > 0`,
    vendor: { kind: 'threshold', datadog: `sum(last_6h):${ddCount('trainingRuns', [...pipeF, ['result', 'failed']])}`, nrql: nrFrom(`sum(${series('trainingRuns')})`, [...pipeF, ['result', 'failed']]), op: '>', threshold: 0, windowSeconds: 3600 },
  });

  // Cost.
  const costSeries = `pipeline:cost_usd:month_to_date${P}`;
  const budgetSeverity: Record<number, Severity> = { 50: 'info', 80: 'warning', 100: 'critical' };
  cost.thresholdsPct.forEach((pctValue, i) => {
    const usd = cost.thresholdsUsd[i]!;
    add({
      name: `CostBudget${pctValue}Pct`,
      severity: budgetSeverity[pctValue] ?? 'warning',
      category: 'cost',
      forSeconds: 0,
      summary: `${p.pipeline} spent ${pctValue} % of its ${cost.monthlyBudgetUsd} USD monthly budget`,
      meaning: `Month-to-date cost allocated by the labels team=${cost.teamLabel}, pipeline=${p.pipeline} ≥ ${usd} USD (${pctValue} % of ${cost.monthlyBudgetUsd}).${pctValue >= 100 ? ' Budget control: non-production training and HPO are suspended until the owner approves more budget.' : ''}`,
      expr: `${costSeries} >= ${promNumber(usd)}`,
      vendor: { kind: 'threshold', datadog: `max(last_1h):sum:${datadogMetric('cost')}${datadogTags(pipeF)}`, nrql: nrFrom(`sum(${series('cost')})`, pipeF), op: '>=', threshold: usd, windowSeconds: 3600 },
    });
  });
  add({
    name: 'CostForecastOverrun',
    severity: 'warning',
    category: 'cost',
    forSeconds: 21_600,
    summary: `${p.pipeline} is on track to exceed its ${cost.monthlyBudgetUsd} USD monthly budget`,
    meaning: `Linear extrapolation of the last 3 days of month-to-date cost to the end of the month exceeds ${cost.monthlyBudgetUsd} USD (daily allowance ${cost.dailyBudgetUsd} USD). Ignored in the first 3 days of the month, when the month-to-date series has just reset.`,
    expr: `predict_linear(${costSeries}[3d], scalar((days_in_month() - day_of_month()) * 86400)) > ${promNumber(cost.monthlyBudgetUsd)} and on () day_of_month() > 3`,
    vendor: { kind: 'threshold', datadog: `max(last_6h):forecast(sum:${datadogMetric('cost')}${datadogTags(pipeF)}, 'linear', 1)`, nrql: `${nrFrom(`sum(${series('cost')})`, pipeF)}`, op: '>', threshold: cost.monthlyBudgetUsd, windowSeconds: 21_600 },
  });
  const interruptible = [...new Set([p.namespaces.training, p.namespaces.batch])];
  add({
    name: 'SpotShareLow',
    severity: 'warning',
    category: 'cost',
    forSeconds: 3600,
    summary: `Less than ${cost.minSpotPct} % of interruptible CPU requests run on spot capacity`,
    meaning: `CPU requests of pods in ${interruptible.join(', ')} on nodes labelled ${cost.spotNodeLabel}=${cost.spotNodeLabelValue} / all their CPU requests < ${cost.minSpotPct} % for 1h (designed share: ${cost.spotSharePct} %). Usually a spot pool out of capacity falling back to on-demand.`,
    expr: `pipeline:spot_cpu_requests:ratio${P} < ${promNumber(cost.minSpotPct / 100)}`,
    vendor: { kind: 'threshold', datadog: `avg(last_1h):sum:kubernetes.cpu.requests${datadogTags([['namespace', p.namespaces.training], [cost.spotNodeLabel.replace(/[^A-Za-z0-9_.-]/g, '_'), cost.spotNodeLabelValue]])} / sum:kubernetes.cpu.requests${datadogTags([['namespace', p.namespaces.training]])}`, nrql: `SELECT filter(sum(cpuRequestedCores), WHERE nodeName IN (SELECT uniques(nodeName) FROM K8sNodeSample WHERE ${nrqlAttribute(`label.${cost.spotNodeLabel}`)} = ${nrqlString(cost.spotNodeLabelValue)})) / sum(cpuRequestedCores) FROM K8sContainerSample WHERE namespaceName IN (${interruptible.map(nrqlString).join(', ')})`, op: '<', threshold: cost.minSpotPct / 100, windowSeconds: 3600 },
  });
  add({
    name: 'InfrastructureWasteHigh',
    severity: 'warning',
    category: 'cost',
    forSeconds: 7200,
    summary: `More than ${cost.maxWastePct} % of requested CPU in ${p.pipeline} namespaces is idle`,
    meaning: `1 − used / requested CPU over 1h in ${[...new Set(Object.values(p.namespaces))].join(', ')} > ${cost.maxWastePct} % for 2h: requests are oversized or replicas idle (at the average load serving idles ${cost.idleAtAveragePct} %).`,
    expr: `pipeline:cpu_waste:ratio_1h${P} > ${promNumber(cost.maxWastePct / 100)}`,
    vendor: { kind: 'threshold', datadog: `avg(last_2h):1 - sum:kubernetes.cpu.usage.total${datadogTags([['namespace', p.namespaces.serving]])} / 1000000000 / sum:kubernetes.cpu.requests${datadogTags([['namespace', p.namespaces.serving]])}`, nrql: `SELECT 1 - sum(cpuUsedCores) / sum(cpuRequestedCores) FROM K8sContainerSample WHERE namespaceName IN (${[...new Set(Object.values(p.namespaces))].map(nrqlString).join(', ')})`, op: '>', threshold: cost.maxWastePct / 100, windowSeconds: 7200 },
  });
  if (cost.servingGpus > 0) {
    add({
      name: 'ServingGpuUnderutilised',
      severity: 'warning',
      category: 'cost',
      forSeconds: 21_600,
      summary: `Serving GPUs of ${p.model} below ${100 - cost.maxWastePct} % utilisation for 6 hours`,
      meaning: `Each replica holds ${cost.servingGpus} GPU(s) (sharing: ${cost.gpuSharing}); mean DCGM utilisation < 100 − ${cost.maxWastePct} % waste limit = ${100 - cost.maxWastePct} %.`,
      expr: `avg(${EXTERNAL_METRICS.gpuUtilisation}${selector([['namespace', '=', p.namespaces.serving]])}) < ${100 - cost.maxWastePct}`,
      vendor: { kind: 'threshold', datadog: `avg(last_6h):avg:dcgm.gpu_utilization${datadogTags([['namespace', p.namespaces.serving]])}`, nrql: nrFrom(`average(${EXTERNAL_METRICS.gpuUtilisation})`, [['namespace', p.namespaces.serving]]), op: '<', threshold: 100 - cost.maxWastePct, windowSeconds: 21_600 },
    });
  }
  return alerts;
}

/** The spot label as kube-state-metrics exposes it, for the recording rule. */
export function spotLabelMatcher(p: MonitoringPlan): Matcher {
  return [kubeStateLabelName(p.cost.spotNodeLabel), '=', p.cost.spotNodeLabelValue];
}

export { promqlString };
