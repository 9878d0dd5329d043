/**
 * The metric names of the platform, in one place. Serving code, batch and drift jobs, rule files, vendor
 * monitors, dashboards and the generated Python `metrics` module all take their names from here, so a
 * renamed metric cannot silently break an alert.
 *
 * Target labels (`namespace`, `pod`, `job`) are added by the scraper; the labels listed here are the ones the
 * emitting code sets. Job-pushed metrics (drift, quality, validation, cost) carry `pipeline`.
 */
export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface MetricDefinition {
  name: string;
  type: MetricType;
  labels: readonly string[];
  help: string;
  /** Which component emits it. */
  emitter: 'serving' | 'evaluation job' | 'drift job' | 'data pipeline' | 'feature client' | 'batch scoring' | 'stream consumer' | 'training' | 'retraining trigger' | 'cost exporter';
}

export const METRICS = {
  requestDuration: {
    name: 'model_request_duration_seconds',
    type: 'histogram',
    labels: ['model', 'version', 'endpoint'],
    help: 'End-to-end prediction request latency seen by the model server (feature lookup + inference + serialisation)',
    emitter: 'serving',
  },
  requests: {
    name: 'model_requests_total',
    type: 'counter',
    labels: ['model', 'version', 'endpoint', 'code'],
    help: 'Prediction requests by HTTP status code (gRPC statuses are mapped to their HTTP equivalent, e.g. UNAVAILABLE -> 503)',
    emitter: 'serving',
  },
  predictions: {
    name: 'model_predictions_total',
    type: 'counter',
    labels: ['model', 'version', 'mode'],
    help: 'Predictions made, by mode (online, batch, stream); one request may carry several rows',
    emitter: 'serving',
  },
  predictionQuality: {
    name: 'model_prediction_quality',
    type: 'gauge',
    labels: ['pipeline', 'model', 'version', 'metric'],
    help: 'Primary and secondary metrics computed on predictions whose delayed labels have arrived',
    emitter: 'evaluation job',
  },
  predictionQualityReference: {
    name: 'model_prediction_quality_reference',
    type: 'gauge',
    labels: ['pipeline', 'model', 'version', 'metric'],
    help: 'Metric value of the production model version at promotion time (the reference for degradation)',
    emitter: 'evaluation job',
  },
  predictionQualitySamples: {
    name: 'model_prediction_quality_samples',
    type: 'gauge',
    labels: ['pipeline', 'model', 'version'],
    help: 'Labelled predictions the last quality evaluation used',
    emitter: 'evaluation job',
  },
  labelsLastJoined: {
    name: 'model_labels_last_joined_timestamp_seconds',
    type: 'gauge',
    labels: ['pipeline', 'model'],
    help: 'Unix time of the newest prediction that got its ground-truth label joined',
    emitter: 'evaluation job',
  },
  featureImportance: {
    name: 'model_feature_importance',
    type: 'gauge',
    labels: ['pipeline', 'model', 'feature'],
    help: 'Normalised importance (mean |SHAP| or permutation importance) of each feature on recent traffic',
    emitter: 'evaluation job',
  },
  featureImportanceRankCorrelation: {
    name: 'model_feature_importance_rank_correlation',
    type: 'gauge',
    labels: ['pipeline', 'model'],
    help: 'Spearman rank correlation between training-time and recent feature importance',
    emitter: 'evaluation job',
  },
  businessKpi: {
    name: 'business_kpi_value',
    type: 'gauge',
    labels: ['pipeline', 'kpi'],
    help: 'Daily value of the business KPI the model is meant to move',
    emitter: 'evaluation job',
  },
  businessKpiCorrelation: {
    name: 'model_business_kpi_correlation',
    type: 'gauge',
    labels: ['pipeline', 'model', 'kpi', 'metric'],
    help: 'Pearson correlation between daily model quality and the business KPI over the correlation window',
    emitter: 'evaluation job',
  },
  featureDriftScore: {
    name: 'feature_drift_score',
    type: 'gauge',
    labels: ['pipeline', 'feature', 'test'],
    help: 'Drift statistic of a feature against the training reference (PSI, KS D, Cramer V, JS distance or normalised Wasserstein)',
    emitter: 'drift job',
  },
  featureDriftPValue: {
    name: 'feature_drift_p_value',
    type: 'gauge',
    labels: ['pipeline', 'feature', 'test'],
    help: 'p-value of the hypothesis test behind the drift statistic (KS and chi-square only)',
    emitter: 'drift job',
  },
  predictionDriftScore: {
    name: 'prediction_drift_score',
    type: 'gauge',
    labels: ['pipeline', 'model', 'test'],
    help: 'PSI of the prediction (score) distribution against the validation-set predictions: the label-free concept drift proxy',
    emitter: 'drift job',
  },
  featureNullRatio: {
    name: 'feature_null_ratio',
    type: 'gauge',
    labels: ['pipeline', 'feature'],
    help: 'Share of missing values of a feature in the last drift window',
    emitter: 'drift job',
  },
  featureOutOfRangeRatio: {
    name: 'feature_out_of_range_ratio',
    type: 'gauge',
    labels: ['pipeline', 'feature'],
    help: 'Share of values outside the declared range (numeric) or category set (categorical) in the last drift window',
    emitter: 'drift job',
  },
  driftJobLastSuccess: {
    name: 'drift_job_last_success_timestamp_seconds',
    type: 'gauge',
    labels: ['pipeline'],
    help: 'Unix time the drift job last completed',
    emitter: 'drift job',
  },
  driftJobDuration: {
    name: 'drift_job_duration_seconds',
    type: 'gauge',
    labels: ['pipeline'],
    help: 'Runtime of the last drift job',
    emitter: 'drift job',
  },
  dataValidationChecks: {
    name: 'data_validation_checks_total',
    type: 'counter',
    labels: ['pipeline', 'dataset', 'check', 'result'],
    help: 'Automated data validation checks by result (pass, fail)',
    emitter: 'data pipeline',
  },
  dataRecords: {
    name: 'data_records_processed_total',
    type: 'counter',
    labels: ['pipeline', 'dataset', 'result'],
    help: 'Records processed by ingestion, by result (valid, quarantined, rejected)',
    emitter: 'data pipeline',
  },
  featureStoreDuration: {
    name: 'feature_store_request_duration_seconds',
    type: 'histogram',
    labels: ['store', 'feature_view'],
    help: 'Online feature retrieval latency measured in the serving process (includes the network hop)',
    emitter: 'feature client',
  },
  batchRuns: {
    name: 'batch_scoring_runs_total',
    type: 'counter',
    labels: ['pipeline', 'result'],
    help: 'Batch scoring runs by result (success, failed)',
    emitter: 'batch scoring',
  },
  batchLastSuccess: {
    name: 'batch_scoring_last_success_timestamp_seconds',
    type: 'gauge',
    labels: ['pipeline'],
    help: 'Unix time the last batch scoring run completed',
    emitter: 'batch scoring',
  },
  streamLag: {
    name: 'stream_consumer_lag_seconds',
    type: 'gauge',
    labels: ['pipeline', 'topic', 'consumer_group'],
    help: 'Age of the oldest unprocessed event of the scoring stream consumer',
    emitter: 'stream consumer',
  },
  streamMessages: {
    name: 'stream_messages_processed_total',
    type: 'counter',
    labels: ['pipeline', 'topic', 'result'],
    help: 'Stream events scored, by result (success, failed, dead_letter)',
    emitter: 'stream consumer',
  },
  trainingRuns: {
    name: 'training_runs_total',
    type: 'counter',
    labels: ['pipeline', 'trigger', 'result'],
    help: 'Training runs by trigger (schedule, drift, degradation, manual) and result (success, failed, rejected)',
    emitter: 'training',
  },
  retrainingTriggers: {
    name: 'retraining_triggers_total',
    type: 'counter',
    labels: ['pipeline', 'reason', 'decision'],
    help: 'Retraining requests received by the trigger service, by reason and decision (started, cooldown, insufficient_labels)',
    emitter: 'retraining trigger',
  },
  cost: {
    name: 'ml_cost_month_to_date_usd',
    type: 'gauge',
    labels: ['pipeline', 'team', 'component'],
    help: 'Month-to-date infrastructure cost allocated to the pipeline by the cost allocation labels',
    emitter: 'cost exporter',
  },
} as const satisfies Record<string, MetricDefinition>;

export type MetricKey = keyof typeof METRICS;

/** Metrics from standard exporters the rules also use (not ours to name). */
export const EXTERNAL_METRICS = {
  up: 'up',
  cpuUsage: 'container_cpu_usage_seconds_total',
  cpuRequests: 'kube_pod_container_resource_requests',
  nodeLabels: 'kube_node_labels',
  gpuUtilisation: 'DCGM_FI_DEV_GPU_UTIL',
} as const;

/** Name of one histogram series (`_bucket`, `_sum`, `_count`). */
export function series(key: MetricKey, suffix: '' | '_bucket' | '_sum' | '_count' = ''): string {
  return `${METRICS[key].name}${suffix}`;
}
