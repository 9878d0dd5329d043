import { objectStoreUri } from '../common.js';
import { toYaml } from '../../generators/serializers/yaml.js';
import { METRICS } from './metrics.js';
import type { MonitoringPlan } from './plan.js';

/** monitoring/drift/drift_config.yaml: what the drift job (observability/drift.py) reads. */
export function driftConfigObject(p: MonitoringPlan) {
  const d = p.drift;
  return {
    pipeline: p.pipeline,
    model: p.model,
    schedule: {
      cron: d.schedule,
      interval_minutes: d.intervalMinutes,
      expected_runtime_minutes: d.runtimeMinutes,
      alert_for_minutes: d.alertForMinutes,
      detection_window_hours: d.windowHours,
      worst_case_detection_hours: d.worstCaseHours,
      worst_case_one_failed_run_hours: d.worstCaseOneFailedRunHours,
      lookback_hours: d.lookbackHours,
    },
    reference: {
      description: 'training snapshot of the production model version; replaced on every promotion',
      uri: `${p.up.data_engineer.layers.features.uri}/reference/${p.model}/production`,
    },
    current: {
      description: 'prediction log (features as served, prediction, model version)',
      uri: `${objectStoreUri(p.spec, 'monitoring')}/prediction-log/${p.model}`,
      entity_key: p.spec.data.entity_key,
      event_timestamp: p.spec.data.event_timestamp,
      max_rows: 1_000_000,
    },
    retraining: { quorum_features: d.retrainQuorum, exclude_protected: true, cooldown_hours: p.retraining.cooldownHours },
    prediction_drift: { test: 'psi', bins: 10, warn: p.up.data_scientist.drift_policy?.psi_warn ?? 0.1, critical: p.predictionPsi },
    features: p.tests.map((t) => ({
      name: t.feature,
      type: t.type,
      test: t.test,
      statistic: t.statistic,
      warn: t.warn,
      critical: t.critical,
      p_value_max: t.pValueMax,
      min_samples: t.minSamples,
      bins: t.bins,
      nullable: t.nullable,
      protected: t.protected,
      ...(t.range.min !== undefined ? { min: t.range.min } : {}),
      ...(t.range.max !== undefined ? { max: t.range.max } : {}),
      ...(t.categories.length > 0 ? { categories: t.categories } : {}),
    })),
    metrics: {
      push_gateway: `pushgateway.${p.namespaces.monitoring}.svc:9091`,
      job: `${p.pipeline}-drift`,
      score: METRICS.featureDriftScore.name,
      p_value: METRICS.featureDriftPValue.name,
      prediction: METRICS.predictionDriftScore.name,
      null_ratio: METRICS.featureNullRatio.name,
      out_of_range_ratio: METRICS.featureOutOfRangeRatio.name,
      last_success: METRICS.driftJobLastSuccess.name,
      duration: METRICS.driftJobDuration.name,
    },
    report: { uri: `${objectStoreUri(p.spec, 'monitoring')}/drift-reports/${p.pipeline}`, format: 'markdown', daily_at: '06:00 UTC', keep_days: 90 },
  };
}

export function driftConfigYaml(p: MonitoringPlan): string {
  return toYaml(driftConfigObject(p));
}
