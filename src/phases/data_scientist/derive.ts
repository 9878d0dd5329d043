import type { ResolvedSpec } from '../../spec/resolve.js';
import type { Feature, ProblemType } from '../../spec/schema.js';
import { twoProportionSampleSize, type SampleSizeResult } from '../../stats/sampleSize.js';
import { averageRps, objectStoreUri, pythonPackage } from '../common.js';
import type { DataEngineerDecisions } from '../data_engineer/decisions.js';
import type { DataScientistDecisions } from './decisions.js';

// Pure derivations of the data_scientist phase from the spec and the data_engineer decisions.

type ResolvedFeature = Feature & { source: string };
type FeatureDecision = DataScientistDecisions['features'][number];
type DriftTest = FeatureDecision['drift_tests'][number];

/** At most this many declared categories are one-hot encoded; more become target or hash encoded. */
export const ONE_HOT_MAX_CATEGORIES = 20;
/** Buckets of the hashing trick for open or very large category sets. */
export const HASH_BUCKETS = 64;
/** Vocabulary size of the TF-IDF transform. */
export const TFIDF_MAX_FEATURES = 5000;
/** A positive range spanning three orders of magnitude or more is log-transformed before scaling. */
export const LOG_RANGE_RATIO = 1000;
/** Family-wise false-alarm rate of one drift check over all features (Bonferroni-corrected per test). */
export const DRIFT_FAMILY_ALPHA = 0.05;
export const PSI_WARN = 0.1;
export const PSI_ALERT = 0.2;
export const JS_ALERT = 0.1;
export const KS_MIN_EFFECT = 0.1;
export const CRAMERS_V_MIN_EFFECT = 0.1;
export const DRIFT_MIN_SAMPLES = 1000;
/** A trivial baseline bounded by 1 must be beaten by this share of the remaining headroom. */
export const SKILL_SHARE = 0.3;
/** Assumed class balance when the spec gives none (the same fallback as the A/B baseline). */
export const DEFAULT_POSITIVE_RATE = 0.1;
export const MIN_TRAINING_ROWS = 100_000;
export const ROWS_PER_INPUT_FEATURE = 1000;
export const MIN_POSITIVES = 1000;

const MINIMIZE = new Set(['rmse', 'mae', 'mse', 'mape', 'wape', 'smape', 'log_loss', 'brier', 'brier_score']);

const SUPERVISED_NUMERIC_TARGET: ReadonlySet<ProblemType> = new Set(['binary_classification', 'regression', 'forecasting']);

/** Minimum history per problem type: enough cycles of the patterns the model must learn. */
export const SEASONAL_FLOOR_DAYS: Record<ProblemType, number> = {
  binary_classification: 90,
  multiclass_classification: 90,
  regression: 90,
  ranking: 28,
  forecasting: 730,
  anomaly_detection: 28,
  recommendation: 28,
};

function isMinimize(metric: string): boolean {
  return MINIMIZE.has(metric) || /(^|_)(rmse|mae|mape|wape|loss|error)($|_)/.test(metric);
}

function numericTransform(f: ResolvedFeature): string {
  if (f.min !== undefined && f.min >= 0 && (f.max === undefined || f.max / Math.max(f.min, 1) >= LOG_RANGE_RATIO)) return 'log1p_scale';
  if (f.min === undefined && f.max === undefined) return 'robust_scale';
  return 'standard_scale';
}

function driftTestsFor(type: Feature['type'], perTestP: number): DriftTest[] {
  switch (type) {
    case 'numeric':
    case 'integer':
      return [
        { test: 'ks', threshold: perTestP, alert_when: 'p_value_below', min_effect: KS_MIN_EFFECT },
        { test: 'psi', threshold: PSI_ALERT, alert_when: 'statistic_above', min_effect: null },
      ];
    case 'timestamp':
      return [{ test: 'psi', threshold: PSI_ALERT, alert_when: 'statistic_above', min_effect: null }];
    case 'text':
      return [
        { test: 'jensen_shannon', threshold: JS_ALERT, alert_when: 'statistic_above', min_effect: null },
        { test: 'psi', threshold: PSI_ALERT, alert_when: 'statistic_above', min_effect: null },
      ];
    case 'categorical':
    case 'boolean':
      return [
        { test: 'chi2', threshold: perTestP, alert_when: 'p_value_below', min_effect: CRAMERS_V_MIN_EFFECT },
        { test: 'jensen_shannon', threshold: JS_ALERT, alert_when: 'statistic_above', min_effect: null },
      ];
  }
}

export function featureDecision(f: ResolvedFeature, problem: ProblemType, perTestP: number): FeatureDecision {
  const drift_tests = driftTestsFor(f.type, perTestP);
  const base = { name: f.name, type: f.type, source: f.source, drift_test: drift_tests[0]!.test, drift_tests };
  if (f.protected) {
    return { ...base, role: 'protected', transform: 'excluded', imputation: 'none', outliers: 'none', missing_indicator: false, output_columns: 0 };
  }
  const indicator = f.nullable;
  const extra = indicator ? 1 : 0;
  switch (f.type) {
    case 'numeric':
    case 'integer':
      return {
        ...base,
        role: 'model_input',
        transform: numericTransform(f),
        imputation: f.nullable ? 'median' : 'none',
        outliers: f.min !== undefined && f.max !== undefined ? 'clip_to_range' : 'winsorize_p01_p99',
        missing_indicator: indicator,
        output_columns: 1 + extra,
      };
    case 'categorical': {
      const n = f.categories?.length ?? 0;
      const oneHot = n > 0 && n <= ONE_HOT_MAX_CATEGORIES;
      const transform = oneHot ? 'one_hot' : SUPERVISED_NUMERIC_TARGET.has(problem) && n > 0 ? 'target_encode' : 'hash_encode';
      return {
        ...base,
        role: 'model_input',
        transform,
        // A missing category is its own level: the absence often carries signal.
        imputation: f.nullable ? 'constant_missing' : 'none',
        outliers: 'unknown_to_other',
        missing_indicator: false,
        output_columns: transform === 'one_hot' ? n + 1 + (f.nullable ? 1 : 0) : transform === 'target_encode' ? 1 : HASH_BUCKETS,
      };
    }
    case 'boolean':
      return { ...base, role: 'model_input', transform: 'binary', imputation: f.nullable ? 'most_frequent' : 'none', outliers: 'none', missing_indicator: indicator, output_columns: 1 + extra };
    case 'text':
      return { ...base, role: 'model_input', transform: 'tfidf', imputation: f.nullable ? 'constant_empty' : 'none', outliers: 'truncate_10000_chars', missing_indicator: false, output_columns: TFIDF_MAX_FEATURES };
    case 'timestamp':
      // hour and weekday as sin/cos pairs plus the age in days relative to the event time.
      return { ...base, role: 'model_input', transform: 'cyclical', imputation: f.nullable ? 'median' : 'none', outliers: 'clip_to_event_time', missing_indicator: indicator, output_columns: 5 + extra };
  }
}

export interface AlgorithmChoice {
  family: string;
  library: string;
  candidates: string[];
  rationale: string;
  objective: string;
}

export function algorithmFor(spec: ResolvedSpec, inputs: FeatureDecision[], rowsPerDay: number): AlgorithmChoice {
  const n = inputs.length;
  const hasText = inputs.some((f) => f.type === 'text');
  const mixed = `${n} input features (${[...new Set(inputs.map((f) => f.type))].join(', ')})`;
  switch (spec.problem.type) {
    case 'binary_classification':
      return {
        family: 'gradient_boosted_trees',
        library: 'xgboost',
        objective: 'binary:logistic',
        candidates: ['logistic_regression', 'xgboost', ...(hasText ? ['tfidf_logistic_regression'] : [])],
        rationale: `Tabular data with ${mixed}: boosted trees capture non-linear interactions, handle missing values natively and train on ${rowsPerDay.toLocaleString('en-US')} rows/day in minutes; logistic regression is the interpretable reference.`,
      };
    case 'multiclass_classification':
      return {
        family: 'gradient_boosted_trees',
        library: 'xgboost',
        objective: 'multi:softprob',
        candidates: ['multinomial_logistic_regression', 'xgboost', ...(hasText ? ['tfidf_linear_svm'] : [])],
        rationale: `${mixed}: a softmax boosted-tree model gives calibrated class probabilities; the linear model on the same features is the reference${hasText ? ' and is strong on TF-IDF text' : ''}.`,
      };
    case 'regression':
      return {
        family: 'gradient_boosted_trees',
        library: 'xgboost',
        objective: 'reg:squarederror',
        candidates: ['ridge_regression', 'xgboost'],
        rationale: `${mixed}: boosted trees fit non-linear effects and interactions without manual feature crosses; ridge regression is the reference.`,
      };
    case 'ranking':
      return {
        family: 'lambdamart',
        library: 'xgboost',
        objective: 'rank:ndcg',
        candidates: ['popularity_ranking', 'xgboost_lambdamart'],
        rationale: `LambdaMART optimises NDCG directly from graded relevance, grouped by query; ${mixed}.`,
      };
    case 'forecasting':
      return {
        family: 'gradient_boosted_trees_on_lag_features',
        library: 'xgboost',
        objective: 'reg:squarederror',
        candidates: ['seasonal_naive', 'xgboost_global_model'],
        rationale: `One global boosted-tree model over all series on lag, calendar and price features (${mixed}) scales to many series and learns shared seasonality; seasonal naive (the value one season ago) is the reference every forecast must beat.`,
      };
    case 'anomaly_detection':
      return {
        family: 'isolation_forest',
        library: 'scikit-learn',
        objective: 'unsupervised',
        candidates: ['robust_zscore', 'isolation_forest'],
        rationale: `Labels are rare and incomplete: an isolation forest scores outliers without labels, on ${mixed}; labelled incidents are used only for evaluation and threshold choice.`,
      };
    case 'recommendation':
      return spec.scale.training_gpus > 0
        ? {
            family: 'two_tower',
            library: 'pytorch',
            objective: 'sampled_softmax',
            candidates: ['popularity', 'implicit_als', 'two_tower'],
            rationale: `${spec.scale.training_gpus} training GPUs: a two-tower retrieval model learns user and item embeddings from implicit feedback and side features (${mixed}); implicit ALS is the reference.`,
          }
        : {
            family: 'implicit_als',
            library: 'implicit',
            objective: 'weighted_matrix_factorisation',
            candidates: ['popularity', 'implicit_als'],
            rationale: `CPU training (scale.training_gpus = 0): implicit ALS factorises the interaction matrix efficiently without GPUs; popularity is the reference.`,
          };
  }
}

export function derivedMetric(spec: ResolvedSpec): string {
  switch (spec.problem.type) {
    case 'binary_classification':
      return spec.problem.positive_rate !== undefined && spec.problem.positive_rate < 0.05 ? 'pr_auc' : 'roc_auc';
    case 'multiclass_classification':
      return 'macro_f1';
    case 'regression':
      return 'rmse';
    case 'ranking':
      return 'ndcg_at_10';
    case 'forecasting':
      return 'wape';
    case 'anomaly_detection':
      return 'pr_auc';
    case 'recommendation':
      return 'recall_at_20';
  }
}

export function secondaryMetrics(type: ProblemType, primary: string): string[] {
  const all: Record<ProblemType, string[]> = {
    binary_classification: ['roc_auc', 'pr_auc', 'log_loss', 'brier_score', 'recall_at_precision_90'],
    multiclass_classification: ['macro_f1', 'accuracy', 'weighted_f1', 'log_loss'],
    regression: ['rmse', 'mae', 'r2', 'mape'],
    ranking: ['ndcg_at_10', 'ndcg_at_5', 'map_at_10', 'mrr'],
    forecasting: ['wape', 'mape', 'rmse', 'bias_pct'],
    anomaly_detection: ['pr_auc', 'precision_at_100', 'recall_at_fpr_1pct'],
    recommendation: ['recall_at_20', 'ndcg_at_20', 'map_at_20', 'catalog_coverage'],
  };
  return all[type].filter((m) => m !== primary);
}

export interface BaselinePlan {
  value: number | null;
  origin: 'spec' | 'trivial_model' | 'measure_first_run';
  description: string;
  threshold: number;
  rule: 'absolute' | 'relative_to_baseline';
}

export function baselineFor(spec: ResolvedSpec, metric: string, direction: 'maximize' | 'minimize'): BaselinePlan {
  const d = spec.slo.max_degradation_pct / 100;
  const round = (v: number) => Math.round(v * 1e6) / 1e6;
  if (spec.problem.baseline_metric !== undefined) {
    return { value: spec.problem.baseline_metric, origin: 'spec', description: 'the current system (problem.baseline_metric)', threshold: spec.problem.baseline_metric, rule: 'absolute' };
  }
  let trivial: { value: number; description: string } | undefined;
  if (metric === 'roc_auc') trivial = { value: 0.5, description: 'a constant or random scorer' };
  if (metric === 'pr_auc' && spec.problem.positive_rate !== undefined) trivial = { value: spec.problem.positive_rate, description: `a constant scorer: PR-AUC equals the positive rate ${spec.problem.positive_rate}` };
  if (trivial) {
    return { value: trivial.value, origin: 'trivial_model', description: trivial.description, threshold: round(trivial.value + SKILL_SHARE * (1 - trivial.value)), rule: 'absolute' };
  }
  const reference: Record<ProblemType, string> = {
    binary_classification: 'a constant scorer',
    multiclass_classification: 'the majority-class predictor',
    regression: 'predicting the training mean',
    ranking: 'popularity ranking',
    forecasting: 'seasonal naive (value one week earlier)',
    anomaly_detection: 'a robust z-score on each numeric feature',
    recommendation: 'most-popular items',
  };
  return {
    value: null,
    origin: 'measure_first_run',
    description: `${reference[spec.problem.type]}, measured on the holdout at the first training run`,
    threshold: round(direction === 'maximize' ? 1 + d : 1 - d),
    rule: 'relative_to_baseline',
  };
}

export interface TrainingPlan {
  window_days: number;
  min_rows: number;
  split: string;
  holdout_days: number;
  label_cutoff_hours: number;
  examples_per_day: number;
  days_for_rows: number;
  floor_days: number;
  capped_by_retention: boolean;
  min_rows_reason: string;
}

export function trainingPlan(spec: ResolvedSpec, de: DataEngineerDecisions, inputs: number): TrainingPlan {
  const type = spec.problem.type;
  const labelSource = de.sources.find((s) => s.name === de.label.source) ?? de.sources[0]!;
  const examplesPerDay = labelSource.rows_per_day;
  const byFeatures = ROWS_PER_INPUT_FEATURE * inputs;
  let minRows = Math.max(MIN_TRAINING_ROWS, byFeatures);
  let reason = `max(${MIN_TRAINING_ROWS.toLocaleString('en-US')}, ${ROWS_PER_INPUT_FEATURE} x ${inputs} input features)`;
  if (type === 'binary_classification') {
    const p = spec.problem.positive_rate ?? DEFAULT_POSITIVE_RATE;
    const forPositives = Math.ceil(MIN_POSITIVES / p);
    minRows = Math.max(minRows, forPositives);
    reason = `max(${MIN_TRAINING_ROWS.toLocaleString('en-US')}, ${ROWS_PER_INPUT_FEATURE} x ${inputs} input features, ${MIN_POSITIVES} positives / ${p}${spec.problem.positive_rate === undefined ? ' (assumed positive rate)' : ''})`;
  }
  const daysForRows = Math.ceil(minRows / examplesPerDay);
  const floor = SEASONAL_FLOOR_DAYS[type];
  const wanted = Math.max(daysForRows, floor);
  const retention = de.layers.features.retention_days;
  const window = Math.min(wanted, retention);
  const split: Record<ProblemType, string> = {
    binary_classification: 'stratified_kfold_with_time_holdout',
    multiclass_classification: 'stratified_kfold_with_time_holdout',
    regression: 'kfold_with_time_holdout',
    ranking: 'group_kfold_by_query_with_time_holdout',
    forecasting: 'rolling_origin_time_split',
    anomaly_detection: 'time_split',
    recommendation: 'leave_last_interactions_out_time_split',
  };
  return {
    window_days: window,
    min_rows: minRows,
    split: split[type],
    holdout_days: Math.max(7, Math.round(window * 0.1)),
    label_cutoff_hours: spec.problem.label_delay_hours,
    examples_per_day: examplesPerDay,
    days_for_rows: daysForRows,
    floor_days: floor,
    capped_by_retention: wanted > retention,
    min_rows_reason: reason,
  };
}

export interface FeatureStorePlan {
  option: string;
  online_store: string;
  offline_store: string;
  ttl_hours: number;
  views: { name: string; source: string; features: string[]; ttl_hours: number; online: boolean; batch_interval_hours: number | null; source_uri: string }[];
  definition_files: string[];
  serving_latency_budget_ms: number;
  high_throughput: boolean;
  rationale: string;
}

export function featureStorePlan(spec: ResolvedSpec, de: DataEngineerDecisions, features: FeatureDecision[]): FeatureStorePlan {
  const cloud = spec.options.cloud_provider;
  const highThroughput = spec.scale.peak_rps >= 5000 || spec.slo.feature_serving_latency_ms <= 10;
  const views = de.sources
    .map((s) => {
      const inputs = features.filter((f) => f.source === s.name && f.role === 'model_input').map((f) => f.name);
      // One missed refresh is tolerated before values expire; continuous sources refresh constantly, a day bounds a stalled stream.
      const ttl = s.batch_interval_hours === null ? 24 : Math.max(24, 2 * s.batch_interval_hours);
      return { name: `${s.name}_features`, source: s.name, features: inputs, ttl_hours: ttl, online: true, batch_interval_hours: s.batch_interval_hours, source_uri: `${de.layers.features.uri}/${s.name}` };
    })
    .filter((v) => v.features.length > 0);
  const protectedNames = features.filter((f) => f.role === 'protected').map((f) => f.name);
  if (protectedNames.length > 0) {
    views.push({ name: 'protected_attributes', source: features.find((f) => f.role === 'protected')!.source, features: protectedNames, ttl_hours: 24 * 30, online: false, batch_interval_hours: 24, source_uri: `${de.layers.features.uri}/protected_attributes` });
  }
  const ttlHours = Math.max(24, ...views.filter((v) => v.online).map((v) => v.ttl_hours));
  let online: string;
  let offline: string;
  let files: string[];
  let rationale: string;
  switch (spec.options.feature_store) {
    case 'feast': {
      online = highThroughput || cloud === 'azure' || cloud === 'multi-cloud' ? 'redis' : cloud === 'aws' ? 'dynamodb' : 'bigtable';
      offline = cloud === 'gcp' ? 'bigquery' : de.total_gb_per_day >= 100 || cloud === 'azure' || cloud === 'multi-cloud' ? 'spark' : 'file';
      files = ['features/feature_repo/feature_store.yaml', 'features/feature_repo/features.py'];
      rationale = `Feast on ${cloud}: ${online === 'redis' ? `Redis for the online store (${highThroughput ? `peak ${spec.scale.peak_rps} rps or a ${spec.slo.feature_serving_latency_ms} ms serving bound needs in-memory reads` : 'the portable choice across clouds / on Azure'})` : `${online === 'dynamodb' ? 'DynamoDB' : 'Bigtable'}, the managed key-value store of ${cloud}, at ${spec.scale.peak_rps} rps peak`}; offline store ${offline === 'file' ? 'Parquet files in the features layer' : offline === 'bigquery' ? 'BigQuery' : 'Spark over the features layer'}.`;
      break;
    }
    case 'tecton':
      // DynamoDB exists only on AWS: Azure (and a tight serving bound anywhere) gets Redis.
      online = highThroughput || cloud === 'azure' ? 'redis' : cloud === 'gcp' ? 'bigtable' : 'dynamodb';
      offline = 'delta';
      files = ['features/tecton/features.py'];
      rationale = `Tecton manages materialisation; online store ${online === 'redis' ? (highThroughput ? 'Redis (high throughput or a tight serving bound)' : 'Redis (Azure Cache for Redis: DynamoDB is AWS-only)') : online === 'bigtable' ? 'Bigtable (Tecton on GCP)' : 'DynamoDB (Tecton default on AWS)'}, offline store Delta on ${de.layers.features.uri}.`;
      break;
    case 'databricks':
      online = 'databricks_online_tables';
      offline = 'delta_unity_catalog';
      files = ['features/databricks/feature_tables.py'];
      rationale = 'Databricks Feature Engineering in Unity Catalog: Delta feature tables with time-series keys for point-in-time joins, published to Online Tables for serving.';
      break;
    default:
      online = 'redis';
      offline = 'parquet_object_store';
      files = ['features/custom/feature_store.yaml'];
      rationale = `A custom store: Redis hashes per entity for online reads, Parquet in ${de.layers.features.uri} offline, point-in-time joins by ${de.event_timestamp}.`;
  }
  return {
    option: spec.options.feature_store,
    online_store: online,
    offline_store: offline,
    ttl_hours: ttlHours,
    views,
    definition_files: files,
    serving_latency_budget_ms: spec.slo.feature_serving_latency_ms,
    high_throughput: highThroughput,
    rationale,
  };
}

export interface AbPlan {
  result: SampleSizeResult;
  alpha: number;
  power: number;
  treatment_share: number;
  baseline_origin: 'experiment.baseline_rate' | 'problem.positive_rate' | 'default';
  traffic_basis: 'online_requests' | 'stream_events' | 'batch_scored_rows';
  daily_eligible_units: number;
  days_needed: number;
  duration_days: number;
  guardrails: { metric: string; limit: number; rule: string }[];
}

export function abTestPlan(spec: ResolvedSpec, de: DataEngineerDecisions): AbPlan {
  const e = spec.experiment;
  const baseline = e.baseline_rate ?? spec.problem.positive_rate ?? DEFAULT_POSITIVE_RATE;
  const origin = e.baseline_rate !== undefined ? 'experiment.baseline_rate' : spec.problem.positive_rate !== undefined ? 'problem.positive_rate' : 'default';
  const raw = twoProportionSampleSize({
    baseline_rate: baseline,
    minimum_detectable_effect: e.minimum_detectable_effect,
    effect_type: e.effect_type,
    alpha: e.alpha,
    power: e.power,
    two_sided: true,
    treatment_share: e.treatment_share,
  });
  // Rates are rounded to 10 decimals so binary floating-point noise (0.11000000000000001) stays out of the artifacts.
  const round10 = (v: number) => Math.round(v * 1e10) / 1e10;
  const result = { ...raw, control_rate: round10(raw.control_rate), treatment_rate: round10(raw.treatment_rate), absolute_effect: round10(raw.absolute_effect) };
  let basis: AbPlan['traffic_basis'];
  let daily: number;
  if (spec.options.deployment_mode === 'batch') {
    basis = 'batch_scored_rows';
    daily = spec.scale.batch_size; // one scoring run per day
  } else if (spec.options.deployment_mode === 'streaming') {
    basis = 'stream_events';
    const streamed = de.sources.filter((s) => s.ingestion === 'stream').reduce((sum, s) => sum + s.rows_per_day, 0);
    daily = streamed > 0 ? streamed : de.total_rows_per_day;
  } else {
    basis = 'online_requests';
    daily = Math.round(averageRps(spec) * 86_400);
  }
  const daysNeeded = result.treatment_n / (daily * e.treatment_share);
  // Whole weeks, at least one, so every weekday is equally represented in both arms.
  const duration = Math.max(7, Math.ceil(Math.ceil(daysNeeded) / 7) * 7);
  const guardrails = [
    { metric: 'p99_latency_ms', limit: spec.slo.p99_latency_ms, rule: 'treatment p99 must stay at or below the SLO' },
    { metric: 'error_rate_pct', limit: Math.round((100 - spec.slo.availability_pct) * 1e6) / 1e6, rule: 'treatment error rate must stay within the availability error budget' },
    { metric: 'sample_ratio_mismatch_p_value', limit: 0.001, rule: `chi-square test of assignment counts against the ${e.treatment_share} split; below the limit the test is invalid` },
  ];
  return { result, alpha: e.alpha, power: e.power, treatment_share: e.treatment_share, baseline_origin: origin, traffic_basis: basis, daily_eligible_units: daily, days_needed: daysNeeded, duration_days: duration, guardrails };
}

export function biasPlan(type: ProblemType, groups: string[]): { groups: string[]; metrics: { name: string; threshold: number; rule: string }[] } {
  const classification = type === 'binary_classification' || type === 'multiclass_classification' || type === 'anomaly_detection';
  const ranking = type === 'ranking' || type === 'recommendation';
  const metrics = classification
    ? [
        { name: 'demographic_parity_difference', threshold: 0.1, rule: 'max - min positive-prediction rate across groups <= threshold' },
        { name: 'equal_opportunity_difference', threshold: 0.1, rule: 'max - min true-positive rate across groups <= threshold' },
        { name: 'disparate_impact_ratio', threshold: 0.8, rule: 'min / max positive-prediction rate across groups >= threshold (four-fifths rule)' },
      ]
    : ranking
      ? [
          { name: 'exposure_ratio', threshold: 0.8, rule: 'min / max share of top-k exposure per group, relative to the group share of candidates, >= threshold' },
          { name: 'group_metric_ratio', threshold: 0.8, rule: 'min / max primary metric across groups >= threshold' },
        ]
      : [
          { name: 'group_error_ratio', threshold: 1.25, rule: 'max / min primary error metric across groups <= threshold' },
          { name: 'mean_residual_difference_pct', threshold: 5, rule: 'max - min mean signed error across groups, as % of the mean target, <= threshold' },
        ];
  return { groups, metrics };
}

export function paths(spec: ResolvedSpec) {
  const pkg = pythonPackage(spec);
  return {
    feature_spec: 'features/feature_spec.yaml',
    transform_module: `${pkg}.features.transform`,
    validation_module: `${pkg}.features.validation`,
    store_module: `${pkg}.features.store`,
    ab_test_plan: 'experiments/ab_test_plan.yaml',
  };
}

export interface SciencePlan {
  features: FeatureDecision[];
  inputs: FeatureDecision[];
  protected_attributes: string[];
  drift_policy: DataScientistDecisions['drift_policy'];
  algorithm: AlgorithmChoice;
  primary_metric: string;
  metric_origin: 'spec' | 'derived';
  direction: 'maximize' | 'minimize';
  secondary_metrics: string[];
  baseline: BaselinePlan;
  retraining_floor: number | null;
  max_degradation_pct: number;
  training: TrainingPlan;
  feature_store: FeatureStorePlan;
  ab: AbPlan;
  bias: ReturnType<typeof biasPlan>;
  evaluation: DataScientistDecisions['evaluation'];
  paths: ReturnType<typeof paths>;
  registry_uri: string;
}

export function derivePlan(spec: ResolvedSpec, de: DataEngineerDecisions): SciencePlan {
  const specFeatures: ResolvedFeature[] = spec.data.features;
  const tested = specFeatures.length;
  const perTestP = Math.round((DRIFT_FAMILY_ALPHA / tested) * 1e8) / 1e8;
  const features = specFeatures.map((f) => featureDecision(f, spec.problem.type, perTestP));
  const inputs = features.filter((f) => f.role === 'model_input');
  const primary = spec.problem.primary_metric ?? derivedMetric(spec);
  const direction = isMinimize(primary) ? 'minimize' : 'maximize';
  const baseline = baselineFor(spec, primary, direction);
  const d = spec.slo.max_degradation_pct / 100;
  const retrainingFloor = baseline.rule === 'absolute' ? Math.round((direction === 'maximize' ? baseline.threshold * (1 - d) : baseline.threshold * (1 + d)) * 1e6) / 1e6 : null;
  const training = trainingPlan(spec, de, inputs.length);
  const online = spec.options.deployment_mode !== 'batch';
  const evaluation: DataScientistDecisions['evaluation'] = [
    { name: primary, rule: baseline.rule === 'absolute' ? `${direction === 'maximize' ? '>=' : '<='} threshold on the out-of-time holdout` : `${direction === 'maximize' ? '>=' : '<='} threshold x measured baseline on the out-of-time holdout`, threshold: baseline.threshold },
    // Stability is relative (std / |mean| of the fold scores) so one threshold holds for bounded scores and for
    // errors in the target's unit (an RMSE in dollars).
    { name: `${primary}_cv_relative_std`, rule: 'standard deviation / |mean| of the cross-validation fold scores <= threshold (stability)', threshold: 0.1 },
    direction === 'maximize'
      ? { name: `${primary}_worst_slice_ratio`, rule: 'worst categorical slice / overall metric >= threshold (no segment scores more than 20 % below the whole)', threshold: 0.8 }
      : { name: `${primary}_worst_slice_ratio`, rule: 'overall metric / worst categorical slice >= threshold (no segment\'s error above 1.5 x the whole)', threshold: 0.67 },
    ...(spec.problem.type === 'binary_classification' ? [{ name: 'expected_calibration_error', rule: '<= threshold (scores are used as probabilities)', threshold: 0.05 }] : []),
    ...(online ? [{ name: 'model_inference_p99_ms', rule: 'model share of the p99 latency budget (the rest is feature fetch and network) <= threshold', threshold: Math.round(spec.slo.p99_latency_ms * 0.5 * 100) / 100 }] : []),
  ];
  const protectedAttributes = features.filter((f) => f.role === 'protected').map((f) => f.name);
  return {
    features,
    inputs,
    protected_attributes: protectedAttributes,
    drift_policy: {
      window_hours: spec.slo.drift_detection_window_h,
      reference: `training window (${training.window_days} days) profiles`,
      family_alpha: DRIFT_FAMILY_ALPHA,
      tested_features: tested,
      per_test_p_value: perTestP,
      psi_alert: PSI_ALERT,
      psi_warn: PSI_WARN,
      js_alert: JS_ALERT,
      min_samples: DRIFT_MIN_SAMPLES,
    },
    algorithm: algorithmFor(spec, inputs, training.examples_per_day),
    primary_metric: primary,
    metric_origin: spec.problem.primary_metric === undefined ? 'derived' : 'spec',
    direction,
    secondary_metrics: secondaryMetrics(spec.problem.type, primary),
    baseline,
    retraining_floor: retrainingFloor,
    max_degradation_pct: spec.slo.max_degradation_pct,
    training,
    feature_store: featureStorePlan(spec, de, features),
    ab: abTestPlan(spec, de),
    bias: biasPlan(spec.problem.type, protectedAttributes),
    evaluation,
    paths: paths(spec),
    registry_uri: `${objectStoreUri(spec, 'features')}/_registry/registry.db`,
  };
}
