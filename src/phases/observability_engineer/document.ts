import { beginDocument } from '../common.js';
import { gateThresholdText } from '../ml_engineer/decisions.js';
import type { PhaseInfo } from '../graph.js';
import { MarkdownDocument, code, num, pct, text } from '../../generators/serializers/markdown.js';
import { ROUTE_BY_SEVERITY, runbookPath, type AlertDefinition } from './alerts.js';
import type { Dashboard } from './dashboards.js';
import { METRICS } from './metrics.js';
import type { MonitoringPlan } from './plan.js';
import { duration } from './promql.js';

/** The phase document: five deliverables, four bullets each, every statement carrying the figures it came from. */
const STACK_NAME = { prometheus: 'Prometheus + Grafana', datadog: 'Datadog', newrelic: 'New Relic', custom: 'OpenTelemetry Collector + Prometheus exposition + Grafana' } as const;

const TRACKING_REFERENCE: Record<MonitoringPlan['spec']['options']['experiment_tracking'], string> = {
  mlflow: 'read from the metrics of the run behind the production model version in the MLflow registry; drift and quality reports are logged as artifacts of a monitoring run in the same experiment',
  wandb: 'read from the metadata of the model artifact with the `production` alias in W&B; drift and quality reports are logged as W&B Tables so they can be compared across model versions',
  neptune: 'read from the production-stage model version in the Neptune model registry; reports are uploaded to that model version’s namespace',
  clearml: 'read from the ClearML model tagged `production`; reports are attached as artifacts and plots of a ClearML monitoring task',
};

const SERVING_NATIVE: Record<MonitoringPlan['spec']['options']['serving_platform'], string> = {
  kserve: 'KServe’s model server also exposes `request_preprocess_seconds`, `request_predict_seconds` and `request_postprocess_seconds` histograms, scraped alongside for the per-stage breakdown',
  seldon: 'Seldon Core’s executor exposes `seldon_api_executor_server_requests_seconds`, scraped alongside for the per-graph-node breakdown',
  torchserve: 'TorchServe exposes `ts_inference_latency_microseconds` and `ts_queue_latency_microseconds`; the queue latency shows batching delay that the end-to-end histogram hides',
  triton: 'Triton exposes `nv_inference_request_duration_us`, `nv_inference_queue_duration_us` and `nv_gpu_utilization`; queue time against compute time tells dynamic-batching delay from slow models',
};

const FEATURE_CLIENT: Record<MonitoringPlan['spec']['options']['feature_store'], string> = {
  feast: 'the serving code times each `get_online_features` call of the Feast SDK',
  tecton: 'the serving code times each call to Tecton’s HTTP `get-features` API (Tecton’s own console reports server-side latency only)',
  databricks: 'the serving code times each call to the Databricks Feature Serving endpoint',
  custom: 'the in-house feature service exposes the same histogram server-side, and the serving code times the call client-side',
};

function alertTable(alerts: AlertDefinition[]): (string | number)[][] {
  return alerts.map((a) => [code(a.name), code(a.severity), code(ROUTE_BY_SEVERITY[a.severity]), code(duration(a.forSeconds)), a.detectionSeconds === null ? '–' : `${a.detectionSeconds} s${a.meetsAlertTime === true ? ' ✓' : a.meetsAlertTime === false ? ' ✗' : ''}`, a.retrainingTrigger ? 'yes' : '', text(a.summary)]);
}

export function renderDocument(info: PhaseInfo, p: MonitoringPlan, notes: string | undefined, alerts: AlertDefinition[], boards: Dashboard[]): string {
  const { spec, traffic, timing, burn, latency, quality, importance, kpi, tests, drift, tracing, logs, cost, retraining } = p;
  const stack = spec.options.monitoring_stack;
  const promLike = stack === 'prometheus' || stack === 'custom';
  const doc: MarkdownDocument = beginDocument(info, spec, notes);
  doc.paragraph(
    `Monitoring stack: ${code(stack)} (${STACK_NAME[stack]}). Serving modes from the MLOps phase: ${traffic.modes.map((m) => code(m)).join(', ')}; model ${code(p.model)} in namespace ${code(p.namespaces.serving)}; ${num(traffic.averageRps, 1)} rps on average (${num(traffic.peakRps)} peak), ${num(traffic.predictionsPerHour)} predictions per hour across modes.`,
  );

  // ------------------------------------------------------------ 1
  doc.heading(2, '1. Model performance');
  doc.heading(3, 'Prediction accuracy tracking');
  doc.paragraph(
    `Ground truth arrives ${code(`${quality.labelDelayHours} h`)} after a prediction (${code('problem.label_delay_hours')}). The prediction log keeps the served features, the prediction and the model version per ${code(spec.data.entity_key)} and ${code(spec.data.event_timestamp)}; an evaluation job joins labels as they land and computes ${code(quality.metric)} (${quality.direction}) over predictions made between ${quality.labelDelayHours + quality.windowHours} h and ${quality.labelDelayHours} h ago, on schedule ${code(quality.evaluationSchedule)}.`,
  );
  doc.paragraph(
    `Window size: to see a relative drop d = ${pct(spec.slo.max_degradation_pct, 1)} at 99 % confidence (z = ${quality.zScore}) ${
      quality.referenceKnown
        ? `against m = ${quality.reference} (${quality.referenceSource}),`
        : `with no metric value m known before training (${quality.referenceSource}), the proportion formula cannot be used and the relative-standard-error formula`
    } ${code(quality.formula)} gives ${num(quality.minLabelledSamples)} labelled predictions (floor 1,000). At ${num(traffic.predictionsPerHour)} predictions/hour that takes ${code(`${quality.windowHours} h`)}.`,
  );
  doc.table(
    ['Metric', 'Reference', 'Warn (−' + pct(quality.warnDegradationPct, 1) + ')', 'Critical (−' + pct(quality.criticalDegradationPct, 1) + ')', 'Min labelled', 'Window'],
    [
      quality.referenceKnown
        ? [code(quality.metric), String(quality.reference), String(quality.warnThreshold), String(quality.criticalThreshold), num(quality.minLabelledSamples), `${quality.windowHours} h`]
        : [code(quality.metric), 'promoted version\'s measured value', `${quality.direction === 'maximize' ? '−' : '+'}${pct(quality.warnDegradationPct, 1)} of it`, `${quality.direction === 'maximize' ? '−' : '+'}${pct(quality.criticalDegradationPct, 1)} of it`, num(quality.minLabelledSamples), `${quality.windowHours} h`],
    ],
  );
  doc.paragraph(`Secondary metrics tracked on the same window (no alerts): ${quality.secondaryMetrics.length > 0 ? quality.secondaryMetrics.map((m) => code(m)).join(', ') : 'none'}. The reference is ${TRACKING_REFERENCE[spec.options.experiment_tracking]} (${code(spec.options.experiment_tracking)}), and exported as ${code(METRICS.predictionQualityReference.name)} when a version is promoted.`);

  doc.heading(3, 'Latency and throughput metrics');
  doc.paragraph(
    `${code(METRICS.requestDuration.name)} is a histogram with buckets at multiples of the ${spec.slo.p99_latency_ms} ms objective: ${latency.bucketsSeconds.map((b) => code(b)).join(', ')} s, so the p99 estimate is exact at the threshold. Of the p99 budget, ${code(`predict()`)} may use ${latency.predictBudgetMs} ms (python-pro budget), leaving ${latency.remainingBudgetMs} ms for feature lookup (objective ${spec.slo.feature_serving_latency_ms} ms${spec.slo.feature_serving_latency_ms > latency.remainingBudgetMs ? ', looser than what is left of the request budget: the request objective is the binding one' : ''}), queuing and network.`,
  );
  const batch = p.up.mlops_engineer.batch;
  if (traffic.modes.includes('online') || traffic.modes.includes('stream')) {
    const what = traffic.modes.includes('online') ? `${code(METRICS.requests.name)} (by ${code('code')}) and ${code(METRICS.predictions.name)} (by ${code('mode')})` : `${code(METRICS.streamMessages.name)} (by ${code('result')}), ${code(METRICS.streamLag.name)} and ${code(METRICS.predictions.name)}`;
    doc.paragraph(
      `Throughput: ${what}. Capacity = max replicas ${latency.maxReplicas} × ${latency.rpsPerReplica} rps per replica = ${num(latency.capacityRps, 1)} rps, ${latency.peakHeadroom}× the ${num(spec.scale.peak_rps)} rps peak${traffic.modes.includes('online') ? `; ${code('ModelTrafficNearCapacity')} fires at 80 % (${num(latency.nearCapacityRps, 1)} rps)` : ''}. ${SERVING_NATIVE[spec.options.serving_platform]} (${code(spec.options.serving_platform)}).`,
    );
  }
  if (traffic.modes.includes('batch') && batch) {
    const rowsPerSecond = batch.expected_minutes > 0 ? Math.round(spec.scale.batch_size / (batch.expected_minutes * 60)) : 0;
    doc.paragraph(
      `Batch scoring: ${num(spec.scale.batch_size)} rows per run, ${num(traffic.batchRunsPerDay, 2)} run(s)/day on ${code(batch.schedule)} via ${code(batch.orchestrator)}, expected ${batch.expected_minutes} min per run → ${num(rowsPerSecond)} rows/s; tracked by ${code(METRICS.batchRuns.name)}, ${code(METRICS.batchLastSuccess.name)} and ${code(`${METRICS.predictions.name}{mode="batch"}`)}; the latency histogram applies per scored chunk.`,
    );
  }

  doc.heading(3, 'Feature importance shifts');
  doc.paragraph(
    `Daily (${code(importance.schedule)}) ${importance.method} on ${num(importance.sampleRows)} recent rows (chosen from the ${text(p.up.data_scientist.algorithm.family)} model family), normalised per feature into ${code(METRICS.featureImportance.name)}. The shift signal is the Spearman rank correlation with the training-time importances (${code(METRICS.featureImportanceRankCorrelation.name)}); below ${importance.minRankCorrelation}, or a change in the top ${importance.topK} features, ${code('FeatureImportanceShift')} opens a ticket.${p.up.data_scientist.protected_attributes.length > 0 ? ` Protected attributes (${p.up.data_scientist.protected_attributes.map((f) => code(f)).join(', ')}) are not model inputs and have no importance.` : ''}`,
  );

  doc.heading(3, 'Business KPI correlation');
  doc.paragraph(
    `KPI ${code(kpi.kpi)} (${kpi.meaning}) is exported daily as ${code(METRICS.businessKpi.name)}. The A/B design of the data-scientist phase (baseline ${kpi.baselineRate}, minimum detectable effect ${kpi.absoluteEffect} absolute, ${kpi.abTestDays} days) measures the causal effect of each new version; between experiments, the Pearson correlation of daily ${code(quality.metric)} with the KPI over ${kpi.windowDays} days is tracked (${code(METRICS.businessKpiCorrelation.name)}).`,
    `With n = ${kpi.windowDays} and α = ${kpi.alpha}, a correlation is significant when |r| ≥ tanh(z₁₋α/₂ / √(n − 3)) = ${kpi.criticalCorrelation}; below that the model metric is not evidence of business impact, and the next promotion needs an A/B test rather than offline metrics alone.`,
  );

  // ------------------------------------------------------------ 2
  doc.heading(2, '2. Data and model drift');
  doc.heading(3, 'Statistical drift detection (KS test, PSI)');
  doc.paragraph(`Per feature, the primary test chosen by the data-scientist phase (KS or PSI for numeric features, chi-square or Jensen-Shannon for categorical ones) plus its complementary test, at the levels of its drift policy (family α ${p.up.data_scientist.drift_policy?.family_alpha ?? 0.05} over ${p.up.data_scientist.drift_policy?.tested_features ?? new Set(tests.map((t) => t.feature)).size} features → per-test p < ${p.up.data_scientist.drift_policy?.per_test_p_value ?? 0.01}). Critical = retraining-relevant; hypothesis tests also need the effect size (D, V) so that huge samples do not flag negligible shifts; warning = half the critical effect. Minimum samples keep each statistic's noise floor well under its warning level.`);
  doc.table(
    ['Feature', 'Type', 'Test', 'Statistic', 'Warn', 'Critical', 'p <', 'Min samples', 'Min samples from', 'Levels from'],
    tests.map((t) => [code(t.feature), code(t.type), `${code(t.test)}${t.primary ? ' (primary)' : ''}`, t.statistic, String(t.warn), String(t.critical), t.pValueMax === null ? '–' : String(t.pValueMax), num(t.minSamples), code(t.minSamplesFormula), t.origin === 'data_scientist' ? 'data-scientist drift policy' : 'default']),
  );
  doc.paragraph(
    `Schedule: worst-case undetected drift = schedule interval + job runtime + alert ${code('for')}. The job runtime is 3 min start-up + sampled rows (≤ 1,000,000) × ${new Set(tests.map((t) => t.feature)).size} feature(s) / 10 M values per minute. The interval is the longest that still meets the ${drift.windowHours} h window (${code('slo.drift_detection_window_h')}) with one failed run: 2 × interval + runtime + for ≤ window.`,
  );
  doc.table(
    ['Interval', 'Runtime', 'Worst case', 'One failed run', 'Fits'],
    drift.candidates.map((c) => [`${c.intervalMinutes} min`, `${c.runtimeMinutes} min`, `${(c.worstCaseMinutes / 60).toFixed(2)} h`, `${(c.oneFailedMinutes / 60).toFixed(2)} h`, c.intervalMinutes === drift.intervalMinutes ? '**chosen**' : c.fits ? 'yes' : 'no']),
  );
  doc.paragraph(
    `Chosen: every ${drift.intervalMinutes} min (${code(drift.schedule)}), ${num(drift.rowsPerInterval)} rows per interval (${num(drift.sampledRows)} sampled), runtime ${drift.runtimeMinutes} min, ${code('for')} ${drift.alertForMinutes} min → worst case ${code(`${drift.intervalMinutes} min + ${drift.runtimeMinutes} min + ${drift.alertForMinutes} min = ${drift.worstCaseHours} h`)} ${drift.meetsWindow ? '≤' : '>'} ${drift.windowHours} h${drift.meetsWindow ? '' : ' — the window cannot be met; widen it or add streaming drift detection'}; ${drift.worstCaseOneFailedRunHours} h with one failed run. Each run compares the last ${drift.lookbackHours} h (enough for the largest minimum sample) against the training reference.`,
  );

  doc.paragraph(
    `Which statistic decides at run time (${code('monitoring/drift/drift_config.yaml')} ${code('policy')}, the same rule as the ${code('check_drift')} tool): every statistic is computed (KS exactly as ${code('scipy.stats.ks_2samp')} — exact p-values up to 10,000 values per side, asymptotic above; PSI and Jensen–Shannon on 10 reference-quantile bins; Wasserstein-1 over the reference standard deviation; chi-square with Cramér's V), then the verdict comes from KS when fewer than 1,000 values are compared, from PSI above (large samples make every p-value tiny: the effect size decides, Siddiqi 2006), from chi-square when every expected count is at least 5 (Cochran 1954), else from Jensen–Shannon; fewer than 30 values give no verdict. The job (${code(`observability/drift.py`)}) uses numpy and scipy only and runs as the CronJob in ${code('deploy/k8s/monitoring/jobs.yaml')}; its pytest suite is ${code('ml/tests/monitoring/')}.`,
  );

  doc.heading(3, 'Concept drift monitoring');
  const labelLate = quality.conceptDriftDetectionHours > drift.windowHours;
  doc.paragraph(
    `Label-based: the relative degradation of ${code(quality.metric)} (section 1) is the direct concept-drift signal, detected after label delay ${quality.labelDelayHours} h + window ${quality.windowHours} h + evaluation every ${quality.evaluationSchedule.startsWith('20 *') ? '1 h' : '24 h'} + ${quality.alertForMinutes} min ${code('for')} = ${code(`${quality.conceptDriftDetectionHours} h`)}${labelLate ? `, which exceeds the ${drift.windowHours} h window` : `, inside the ${drift.windowHours} h window`}.`,
    labelLate
      ? `So the label-free proxy carries the window: the PSI of the prediction distribution against the validation-set predictions (${code(METRICS.predictionDriftScore.name)}) runs with the feature tests every ${drift.intervalMinutes} min, and ${code('PredictionDriftHigh')} fires at PSI ≥ ${p.predictionPsi}.`
      : `The prediction-distribution PSI (${code(METRICS.predictionDriftScore.name)}, ${code('PredictionDriftHigh')} at ≥ ${p.predictionPsi}) runs with the feature tests every ${drift.intervalMinutes} min as the earlier warning.`,
    `${code('GroundTruthLabelsDelayed')} fires when no labels were joined for ${quality.labelsStaleAfterHours} h, because then the quality alerts are blind.`,
  );

  doc.heading(3, 'Feature distribution tracking');
  doc.paragraph(`Each drift run also publishes ${code(METRICS.featureNullRatio.name)} and ${code(METRICS.featureOutOfRangeRatio.name)} per feature, against the bounds declared in the spec:`);
  doc.table(
    ['Feature', 'Nulls expected', 'Declared range / categories', 'Bins'],
    tests.filter((t, i) => tests.findIndex((u) => u.feature === t.feature) === i).map((t) => [
      code(t.feature),
      t.nullable ? 'yes' : 'no (any null is an issue)',
      t.categories.length > 0 ? t.categories.map((c) => text(c)).join(', ') : t.range.min !== undefined || t.range.max !== undefined ? `${t.range.min ?? '−∞'} … ${t.range.max ?? '+∞'}` : 'unbounded',
      t.bins > 0 ? String(t.bins) : '–',
    ]),
  );

  doc.heading(3, 'Automated drift alerts and reports');
  doc.bullets([
    `${code('FeatureDriftHigh')} (warning, ticket) at the critical level of a feature's test; when ${drift.retrainQuorum} or more non-protected features fire together, the retraining trigger starts a run (quorum = 10 % of ${new Set(tests.filter((t) => !t.protected).map((t) => t.feature)).size} monitored features, at least 1).`,
    `${code('FeatureDriftModerate')} (info) between warning and critical: listed in the report only.`,
    ...(tests.some((t) => t.protected) ? [`${code('ProtectedAttributeDrift')} (info): ${tests.filter((t) => t.protected).map((t) => code(t.feature)).join(', ')} — a fairness re-evaluation, never a retraining trigger.`] : []),
    `${code('DriftJobStale')} when the job has not succeeded for ${drift.staleAfterMinutes} min (2 × interval + runtime), so a dead job cannot hide drift past the window.`,
    `A markdown drift report per run is written to the monitoring bucket and logged to ${code(spec.options.experiment_tracking)}; a daily digest at 06:00 UTC, kept 90 days. Config: ${code('monitoring/drift/drift_config.yaml')}.`,
  ]);

  // ------------------------------------------------------------ 3
  doc.heading(2, '3. System observability');
  doc.heading(3, 'Prometheus metrics for all components');
  doc.paragraph(
    promLike
      ? stack === 'prometheus'
        ? `Every component exposes Prometheus metrics on a container port named ${code('metrics')}; Prometheus discovers the serving pods in ${code(p.namespaces.serving)}, and batch and drift jobs push to a Pushgateway (they do not live long enough to be scraped). Rules: ${code('monitoring/prometheus/rules.yml')}.`
        : `Components send OTLP (traces, logs, and metrics from the SDK) to an OpenTelemetry Collector, which also scrapes the ${code('metrics')} ports and re-exposes everything in Prometheus exposition format on :8889; Prometheus scrapes only the collector and evaluates ${code('monitoring/prometheus/rules.yml')}. Config: ${code('monitoring/otel/collector-gateway.yaml')} (with the agent in ${code('monitoring/otel/collector-agent.yaml')}).`
      : stack === 'datadog'
        ? `Components expose the same Prometheus metrics; the Datadog Agent's OpenMetrics check (namespace ${code('ml')}) collects them, turning counters into ${code('ml.<name>.count')} and histograms into distributions so that ${code('p99:')} queries are exact. Monitors: ${code('monitoring/datadog/monitors.yaml')}.`
        : `Components expose the same Prometheus metrics; New Relic's Prometheus integration (remote write) stores them under the same names, so NRQL reads ${code('FROM Metric')} with ${code('bucketPercentile()')} for histograms. Conditions: ${code('monitoring/newrelic/alert_conditions.json')}.`,
    `Scrape and rule evaluation every ${timing.scrapeSeconds} s: the largest standard step ≤ a quarter of the ${spec.slo.alert_time_s} s alert-time objective.`,
  );
  doc.table(
    ['Metric', 'Type', 'Labels', 'Emitted by'],
    Object.values(METRICS).map((m) => [code(m.name), m.type, m.labels.map((l) => code(l)).join(', '), m.emitter]),
  );
  doc.paragraph(`Feature retrieval latency is measured where it matters, in the serving process: ${FEATURE_CLIENT[spec.options.feature_store]} (${code(spec.options.feature_store)}). Names live in one constant map (${code('METRICS')} in the observability phase, ${code('observability/metrics.py')} in the Python package), so serving code and rules cannot diverge.`);

  doc.heading(3, 'Grafana dashboards');
  doc.paragraph(
    stack === 'datadog' || stack === 'newrelic'
      ? `With ${code(stack)} the same dashboards are built in ${stack === 'datadog' ? 'Datadog' : 'New Relic'} (Grafana is not deployed: one tool for on-call). Panels:`
      : `Grafana on ${stack === 'custom' ? 'the Prometheus fed by the collector' : 'Prometheus'}, one dashboard per concern, each a JSON file in ${code('monitoring/grafana/dashboards/')} checked against the schema of @grafana/schema and shipped as a Grafana sidecar ConfigMap (${code('deploy/k8s/monitoring/grafana-dashboards.yaml')}):`,
  );
  for (const b of boards) {
    doc.paragraph(`**${text(b.title)}**`).bullets(b.panels.map((panel) => `${text(panel.title)}: ${code(panel.source)}`));
  }

  doc.heading(3, 'Distributed tracing with Jaeger/Zipkin');
  doc.paragraph(
    `Decision: ${code(tracing.backend)}, because ${text(tracing.reason)}. Applications send OTLP to the collector agent on their node (${code('monitoring/otel/collector-agent.yaml')}, a DaemonSet that also tails pod logs), which load-balances by trace id to the gateway (${code('monitoring/otel/collector-gateway.yaml')}) so tail sampling sees whole traces before export. W3C trace context is the propagation format.`,
    `Spans: gateway → ${code(p.servingJob)} → feature lookup (${code(spec.options.feature_store)}) → model inference → response; batch and drift jobs emit one trace per run chunk.`,
    `Sampling: ${tracing.targetTracesPerSecond} baseline traces/s at ${num(traffic.averageRps, 1)} rps average → head ratio ${tracing.headSampleRatio} (${tracing.tailPolicies.join('; ')} kept by tail sampling in the collector) ≈ ${num(tracing.retainedTracesPerDay)} baseline traces/day.`,
  );

  doc.heading(3, 'Log aggregation with ELK/Loki');
  doc.paragraph(
    `Decision: ${code(logs.backend)}, because ${text(logs.reason)}.`,
    `Volume: (${[
      ...(traffic.modes.includes('online') ? [`${num(traffic.requestsPerDay)} requests/day`] : []),
      ...(traffic.modes.includes('stream') ? [`${num(Math.round(traffic.averageRps * 86_400))} stream events/day`] : []),
      ...(traffic.modes.includes('batch') ? [`${num(Math.ceil(traffic.batchRowsPerDay / 10_000))} batch chunk lines/day (one per 10,000 rows)`] : []),
    ].join(' + ')}) × ${logs.bytesPerRequest} B per structured line ≈ ${num(logs.gbPerDay, 3)} GB/day; kept ${logs.retentionDays} days hot for incident work.`,
    `The prediction log (features, prediction, version) is not an operational log: it goes to object storage for ${logs.predictionLogRetentionDays} days = label delay + quality window (rounded up to days) + 30 days for re-evaluation.`,
  );

  // ------------------------------------------------------------ 4
  doc.heading(2, '4. Alerting and automation');
  doc.heading(3, 'PagerDuty/Opsgenie integration');
  const oncallName = spec.team.oncall === 'pagerduty' ? 'PagerDuty' : 'Opsgenie';
  doc.paragraph(
    `On-call: ${code(spec.team.oncall)}. Routing by severity: ${code('critical')} → ${oncallName} ${spec.team.oncall === 'pagerduty' ? 'high-urgency incident (Events API v2)' : 'P1 alert'}; ${code('warning')} → ${spec.team.oncall === 'pagerduty' ? 'low-urgency incident' : 'P3 alert'} (working hours); ${code('info')} → no notification, weekly report. Alerts carry ${code('pipeline')}, ${code('team')} (${code(cost.teamLabel)}), ${code('category')} and ${code('route')} labels; grouping by ${code('alertname, pipeline')}, group_wait ${timing.groupWaitSeconds} s.`,
  );
  doc.paragraph(
    `Alert time (${spec.slo.alert_time_s} s objective) = scrape ${timing.scrapeSeconds} s + evaluation ${timing.evaluationSeconds} s + window fill + ${code('for')} + group_wait ${timing.groupWaitSeconds} s. The SLO burn alerts use the multi-window multi-burn-rate scheme on an error budget of ${burn.errorBudgetRatio} (${spec.slo.availability_pct} % → ${burn.budgetMinutesPer30d} min per 30 days):`,
  );
  doc.table(
    ['Burn rate', 'Long / short window', 'Error ratio >', 'Budget spent', 'Severity', 'Total outage detected after'],
    burn.windows.map((w) => [String(w.burnRate), `${duration(w.longSeconds)} / ${duration(w.shortSeconds)}`, String(w.errorRatioThreshold), pct(w.budgetConsumedPct, 1), code(w.severity), `${w.outageFillSeconds} s + ${timing.scrapeSeconds + timing.evaluationSeconds + timing.groupWaitSeconds + w.forSeconds} s`]),
  );
  if (traffic.modes.includes('online')) {
    doc.paragraph(
      `A total outage needs ${burn.windows[0]!.outageFillSeconds} s to move the 1 h ratio over ${burn.windows[0]!.errorRatioThreshold}, so the fast path is separate: ${code('ModelErrorSpike')} (error ratio over ${duration(timing.fastWindowSeconds)} ≥ ${timing.spikeThreshold}, filled in ${timing.spikeFillSeconds} s, ${code('for')} ${timing.fastForSeconds} s) notifies after ${timing.spikeDetectionSeconds} s and ${code('ModelServingDown')} after ${timing.downDetectionSeconds} s — ${timing.meetsAlertTime ? `within the ${spec.slo.alert_time_s} s objective` : `over the ${spec.slo.alert_time_s} s objective, which cannot be met with a scrape interval of ${timing.scrapeSeconds} s`}.`,
    );
  }
  doc.table(['Alert', 'Severity', 'Route', 'For', 'Detection', 'Retrains', 'Summary'], alertTable(alerts));
  if (stack === 'prometheus' || stack === 'custom') {
    doc.paragraph(
      `Proof: ${code('monitoring/prometheus/tests/')} holds ${code('promtool test rules')} cases for every alert — input series that must fire it (at its threshold, after its ${code('for')}) and series that must not (just on the safe side, or not long enough). ${code('monitoring/alertmanager/alertmanager.yml')} routes by severity with inhibition (a critical alert mutes its warning twin, ${code('ModelServingDown')} mutes the latency and error alerts); ${code('route-tests.yaml')} is checked with ${code('amtool config routes test')}. Keys are read from files mounted from Secrets, never written into the config. The rules also ship as a PrometheusRule, with ServiceMonitors for the model server, the Pushgateway and the retraining trigger (${code('deploy/k8s/monitoring/')}).`,
    );
  } else {
    doc.paragraph(`The same catalogue is Terraform in ${code(`monitoring/${stack}/`)} (one monitor per alert, the availability SLO the burn-rate monitors reference, notification routing per severity), checked by HashiCorp's HCL parser and a reference check.`);
  }

  doc.heading(3, 'Automated retraining triggers');
  doc.bullets(retraining.triggers.map((t) => text(t)));
  doc.paragraph(
    `${promLike ? 'Alertmanager' : `The ${stack === 'datadog' ? 'Datadog' : 'New Relic'} webhook notification`} posts alerts labelled ${code('retraining_trigger="true"')} to the trigger service (${code('observability/retraining_trigger.py')}), which ${retraining.how} (${code(retraining.orchestrator)}).`,
    `Guards: cooldown ${retraining.cooldownHours} h between triggered runs (max(6 h, 2 × expected training time ${p.up.ml_engineer.training.expected_minutes} min)), at least ${num(retraining.minNewLabelledRows)} newly labelled rows (the training data minimum), protected attributes never count towards the drift quorum. The scheduled run (${code(p.up.ml_engineer.training.schedule)}, every ${retraining.scheduledEveryHours} h) is skipped when a triggered run finished less than a cooldown before it.`,
  );

  doc.heading(3, 'Performance degradation workflows');
  doc.numbered([
    `${code('ModelQualityDegraded')} (−${pct(quality.warnDegradationPct, 1)}, ${code(quality.metric)} ${quality.direction === 'maximize' ? '≤' : '≥'} ${quality.referenceKnown ? quality.warnThreshold : `the promoted version's value ${quality.direction === 'maximize' ? '−' : '+'} ${pct(quality.warnDegradationPct, 1)}`}): ticket; check data validation, drift and label completeness for the same window.`,
    `${code('ModelQualityDegradationCritical')} (−${pct(quality.criticalDegradationPct, 1)}${quality.referenceKnown ? `, ${quality.criticalThreshold}` : ''}): page and trigger. If a new version went live within the last ${quality.labelDelayHours + quality.windowHours} h (label delay + window), the regression is the release: roll back (${code(p.up.mlops_engineer.rollout.strategy)}, worst case ${p.up.mlops_engineer.rollout.worst_case_rollback_seconds} s vs the ${spec.slo.rollback_minutes} min objective). Otherwise retrain.`,
    `The retrained candidate must pass the registry gate (${gateThresholdText(p.up.ml_engineer.registry.promotion_gate, code)}, +${p.up.ml_engineer.registry.promotion_gate.min_improvement_pct} % over production), then ${p.up.mlops_engineer.rollout.shadow ? 'shadow traffic and ' : ''}the ${code(p.up.mlops_engineer.rollout.strategy)} rollout (${p.up.mlops_engineer.rollout.steps.map((s) => `${s.weight} %`).join(' → ')}).`,
    `After promotion, the new reference is exported and the alert resolves once the next ${quality.windowHours} h window is labelled (${quality.labelDelayHours + quality.windowHours} h after the rollout at the earliest).`,
  ]);

  doc.heading(3, 'Incident response runbooks');
  doc.paragraph(`One runbook per alert (${alerts.length} in ${code('docs/runbooks/')}), linked from each alert's ${code('runbook_url')}: what fired with its threshold arithmetic, impact, diagnosis commands for ${code(p.namespaces.serving)}, mitigation (rollback via ${code(p.up.mlops_engineer.gitops.tool)}, retraining via ${code(retraining.orchestrator)}), escalation. Pages: acknowledge within 5 min, escalate after 15 min without mitigation, post-incident note for every page.`);
  doc.bullets(alerts.map((a) => `${code(runbookPath(a.name))} (${a.severity})`));

  // ------------------------------------------------------------ 5
  doc.heading(2, '5. Cost tracking');
  doc.heading(3, 'Resource usage metrics');
  doc.paragraph(
    `CPU and memory usage from cAdvisor (${code('container_cpu_usage_seconds_total')}) against requests from kube-state-metrics (${code('kube_pod_container_resource_requests')}) per namespace (${[...new Set(Object.values(p.namespaces))].map((n) => code(n)).join(', ')}); ${cost.servingGpus > 0 || p.up.kubernetes_architect.gpu.training > 0 ? `GPU utilisation from the DCGM exporter (${p.up.kubernetes_architect.gpu.training} training GPU(s), ${cost.servingGpus} per serving replica, sharing ${code(cost.gpuSharing)}); ` : 'no GPUs to meter; '}node prices from OpenCost.`,
    `Recorded: ${code('pipeline:cpu_waste:ratio_1h')} (1 − used / requested) and ${code('pipeline:spot_cpu_requests:ratio')} (share of training and batch CPU requests on nodes labelled ${code(`${cost.spotNodeLabel}=${cost.spotNodeLabelValue}`)}).`,
  );

  doc.heading(3, 'Cost allocation per model/experiment');
  doc.table(
    ['Label', 'Value', 'On'],
    [
      [code('team'), `${code(cost.labels.team!)} (from owner ${text(spec.team.owner)})`, 'every resource'],
      [code('pipeline'), code(cost.labels.pipeline!), 'every resource'],
      [code('model'), code(cost.labels.model!), 'serving, batch, training'],
      [code('experiment'), code(cost.labels.experiment!), 'training and HPO pods, tracking runs'],
      [code('component'), cost.components.map((c) => code(c)).join(', '), 'every workload'],
    ],
  );
  doc.paragraph(`Projected at list prices (${code('estimate_cost')}, price table as of ${cost.priceTableAsOf}): ${num(cost.projectedMonthlyUsd, 0)} USD/month on ${code(spec.options.cloud_provider)}, ${cost.projectedBudgetSharePct} % of the ${num(cost.monthlyBudgetUsd)} USD budget (${cost.budgetVerdict}). Every workload and pod template carries the allocation labels ${code('team')}, ${code('pipeline')} and ${code('component')} (OpenCost ${code('aggregate=label:<key>')}, Kubecost's default ${code('team')} mapping).`);
  doc.paragraph(`Billing data: ${text(cost.billingSource)} (${code(spec.options.cloud_provider)}). A cost exporter joins it with OpenCost's per-pod allocation by these labels into ${code(METRICS.cost.name)}{pipeline, team, component}.`);

  doc.heading(3, 'Optimisation recommendations');
  doc.numbered(cost.recommendations.map((r) => text(`${r[0]!.toUpperCase()}${r.slice(1)}.`)));

  doc.heading(3, 'Budget alerts and controls');
  doc.table(
    ['Threshold', 'USD', 'Alert', 'Severity', 'Control'],
    cost.thresholdsPct.map((t, i) => [
      pct(t, 0),
      num(cost.thresholdsUsd[i]!, 2),
      code(`CostBudget${t}Pct`),
      code(t >= 100 ? 'critical' : t >= 80 ? 'warning' : 'info'),
      t >= 100 ? 'suspend non-production training and HPO; owner approval to continue' : t >= 80 ? 'review triggered retraining and HPO trials; no new experiments without approval' : 'report only',
    ]),
  );
  doc.paragraph(`Plus ${code('CostForecastOverrun')}: linear forecast of the last 3 days to month end above ${num(cost.monthlyBudgetUsd)} USD (daily allowance ${num(cost.dailyBudgetUsd, 2)} USD); ${code('SpotShareLow')} below ${cost.minSpotPct} % (designed ${cost.spotSharePct} %); ${code('InfrastructureWasteHigh')} above ${cost.maxWastePct} % idle CPU.`);

  // ------------------------------------------------------------ hand-off
  doc.heading(2, 'Hand-off');
  doc.bullets([
    `Metric names: the ${code('METRICS')} map (${Object.keys(METRICS).length} metrics); serving code must emit ${code(METRICS.requestDuration.name)} with buckets ${latency.bucketsSeconds.join(', ')} s and ${code(METRICS.requests.name)} with a ${code('code')} label on a port named ${code('metrics')}.`,
    `Alerts: ${alerts.length} (${alerts.filter((a) => a.severity === 'critical').length} critical, ${alerts.filter((a) => a.severity === 'warning').length} warning, ${alerts.filter((a) => a.severity === 'info').length} info), routed to ${code(spec.team.oncall)}; runbooks in ${code('docs/runbooks/')}.`,
    `Drift: ${code(drift.schedule)}, worst case ${drift.worstCaseHours} h ≤ ${drift.windowHours} h; ${tests.length} feature test(s); retraining quorum ${drift.retrainQuorum}.`,
    `Quality: ${code(quality.metric)} over ${quality.windowHours} h windows, warn −${pct(quality.warnDegradationPct, 1)}, retrain −${pct(quality.criticalDegradationPct, 1)}.`,
    `Dashboards for the dashboard issue: ${boards.map((b) => text(b.title)).join('; ')}.`,
    `Budget: ${num(cost.monthlyBudgetUsd)} USD/month, alerts at ${cost.thresholdsUsd.map((u) => num(u, 0)).join(' / ')} USD; allocation labels ${Object.keys(cost.labels).map((k) => code(k)).join(', ')}.`,
    `Alertmanager/Terraform issues: route ${code('route="page"')} to the high-urgency ${oncallName} service, ${code('route="ticket"')} to low urgency, ${code('route="report"')} nowhere; ${code('retraining_trigger="true"')} also to the trigger service webhook.`,
  ]);
  return doc.toString();
}
