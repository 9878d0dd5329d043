import { objectStoreUri } from '../common.js';
import { toYaml } from '../../generators/serializers/yaml.js';
import type { DriftTestPlan } from './derive.js';
import { pushgatewayAddress } from './kubernetes.js';
import { METRICS } from './metrics.js';
import type { MonitoringPlan } from './plan.js';

/**
 * The drift statistics and test-selection policy (shared with the TypeScript check_drift tool): every statistic
 * is computed per feature, the verdict's test is chosen by type and sample size. Defaults below; the features
 * block overrides them per feature with the data scientist's thresholds.
 */
export const DRIFT_POLICY_DEFAULTS = {
  min_samples: 30,
  large_sample: 1000,
  bins: 10,
  epsilon: 1e-6,
  ks: { p_value_max: 0.01, min_effect: 0.1 },
  chi2: { p_value_max: 0.01, min_effect: 0.1 },
  psi: { warn: 0.1, critical: 0.25 },
  jensen_shannon: { warn: 0.1, critical: 0.2 },
} as const;

export const DRIFT_POLICY_SOURCES = [
  'scipy.stats.ks_2samp (method=auto: exact p-value when max(n_ref, n_cur) <= 10000, asymptotic otherwise)',
  'Cochran (1954), Some methods for strengthening the common chi-square tests: every expected count >= 5',
  'Siddiqi (2006), Credit Risk Scorecards: PSI >= 0.1 moderate shift, >= 0.25 significant shift',
  'Rabanser, Guennemann & Lipton (2019), Failing Loudly: univariate KS per feature as a drift detector',
];

const NUMERIC_TYPES = new Set(['numeric', 'integer', 'float', 'double']);

/** numeric features get KS + PSI + Jensen-Shannon + Wasserstein, the others chi-square + Jensen-Shannon + PSI. */
export function driftKind(type: string): 'numeric' | 'categorical' {
  return NUMERIC_TYPES.has(type) ? 'numeric' : 'categorical';
}

/** The thresholds of one feature: the data scientist's where a test of the plan names them, the policy's otherwise. */
function featureThresholds(tests: DriftTestPlan[]) {
  const d = DRIFT_POLICY_DEFAULTS;
  const of = (name: string) => tests.find((t) => t.test === name);
  const hypothesis = (name: 'ks' | 'chi2') => {
    const t = of(name);
    return t ? { p_value_max: t.pValueMax ?? d[name].p_value_max, min_effect: t.critical } : { ...d[name] };
  };
  const distance = (name: 'psi' | 'jensen_shannon') => {
    const t = of(name);
    return t ? { warn: t.warn, critical: t.critical } : { ...d[name] };
  };
  return { ks: hypothesis('ks'), chi2: hypothesis('chi2'), psi: distance('psi'), jensen_shannon: distance('jensen_shannon') };
}

/** monitoring/drift/drift_config.yaml: what the drift job (observability/drift.py) reads. */
export function driftConfigObject(p: MonitoringPlan) {
  const d = p.drift;
  const byFeature = new Map<string, DriftTestPlan[]>();
  for (const t of p.tests) byFeature.set(t.feature, [...(byFeature.get(t.feature) ?? []), t]);
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
    policy: {
      description:
        'every statistic is computed for every feature; the verdict test: n = min(non-missing reference, current) < min_samples -> insufficient; numeric n < large_sample -> KS (critical when p < p_value_max and D >= min_effect, warn at min_effect / 2); numeric n >= large_sample -> PSI; categorical with every expected count >= 5 (Cochran) -> chi-square (p and Cramer V as for KS); categorical otherwise -> Jensen-Shannon distance (base 2)',
      ...DRIFT_POLICY_DEFAULTS,
      sources: DRIFT_POLICY_SOURCES,
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
      sample_seed: 20_240_601,
    },
    retraining: { quorum_features: d.retrainQuorum, exclude_protected: true, cooldown_hours: p.retraining.cooldownHours },
    prediction_drift: { test: 'psi', column: 'prediction', bins: 10, warn: p.up.data_scientist.drift_policy?.psi_warn ?? 0.1, critical: p.predictionPsi },
    features: [...byFeature.entries()].map(([name, tests]) => {
      const t = tests[0]!;
      return {
        name,
        type: t.type,
        kind: driftKind(t.type),
        nullable: t.nullable,
        protected: t.protected,
        ...(t.range.min !== undefined ? { min: t.range.min } : {}),
        ...(t.range.max !== undefined ? { max: t.range.max } : {}),
        ...(t.categories.length > 0 ? { categories: t.categories } : {}),
        // The data scientist's tests of this feature (the alert rules evaluate these), with the sample size each
        // needs for its warning level to stand out of the no-drift noise.
        tests: tests.map((x) => x.test),
        recommended_samples: Object.fromEntries(tests.map((x) => [x.test, x.minSamples])),
        thresholds: featureThresholds(tests),
      };
    }),
    // What the evaluation job (observability/quality.py --config) reads: the concept-drift check on delayed labels.
    quality: {
      metric: p.quality.metric,
      direction: p.quality.direction,
      reference: p.quality.referenceKnown ? p.quality.reference : null,
      reference_source: p.quality.referenceSource,
      label_delay_hours: p.quality.labelDelayHours,
      window_hours: p.quality.windowHours,
      min_labelled_samples: p.quality.minLabelledSamples,
      warn_degradation_pct: p.quality.warnDegradationPct,
      critical_degradation_pct: p.quality.criticalDegradationPct,
      schedule: p.quality.evaluationSchedule,
    },
    metrics: {
      push_gateway: pushgatewayAddress(p),
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

export type DriftConfig = ReturnType<typeof driftConfigObject>;

export function driftConfigYaml(p: MonitoringPlan): string {
  return toYaml(driftConfigObject(p));
}
