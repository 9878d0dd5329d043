import { averageRps } from '../common.js';
import type { PhaseInput } from '../types.js';
import type { ResolvedSpec } from '../../spec/resolve.js';
import { normalQuantile } from '../../stats/normal.js';
import { estimateCost, type CostUpstream } from '../../stats/cost.js';
import { intervalHours, runsPerDay } from './cron.js';

/**
 * Pure derivations of the monitoring plan from the spec and the upstream decisions. Every figure the document
 * states and every threshold the artifacts use comes from here, with the inputs it was computed from.
 */
export type Upstream = PhaseInput<'observability_engineer'>['upstream'];
export type Mode = 'online' | 'batch' | 'stream';

const round = (value: number, digits: number) => Number(value.toFixed(digits));
const sig = (value: number, digits = 4) => Number(value.toPrecision(digits));

// ---------------------------------------------------------------- traffic

export interface TrafficPlan {
  modes: Mode[];
  averageRps: number;
  peakRps: number;
  batchRunsPerDay: number;
  batchRowsPerDay: number;
  /** Predictions per hour across modes (online/stream at the average rate, batch spread over the day). */
  predictionsPerHour: number;
  requestsPerDay: number;
}

export function trafficPlan(spec: ResolvedSpec, up: Upstream): TrafficPlan {
  const modes = [...new Set(up.mlops_engineer.serving.modes)].sort((a, b) => ['online', 'batch', 'stream'].indexOf(a) - ['online', 'batch', 'stream'].indexOf(b));
  const realtime = modes.includes('online') || modes.includes('stream');
  const avg = averageRps(spec);
  const batchRunsPerDay = up.mlops_engineer.batch ? runsPerDay(up.mlops_engineer.batch.schedule) : 0;
  const batchRowsPerDay = modes.includes('batch') ? spec.scale.batch_size * Math.max(batchRunsPerDay, 1) : 0;
  const onlinePerHour = realtime ? avg * 3600 : 0;
  return {
    modes,
    averageRps: sig(avg),
    peakRps: spec.scale.peak_rps,
    batchRunsPerDay: sig(batchRunsPerDay),
    batchRowsPerDay,
    predictionsPerHour: Math.round(onlinePerHour + batchRowsPerDay / 24),
    requestsPerDay: modes.includes('online') ? Math.round(avg * 86_400) : 0,
  };
}

// ---------------------------------------------------------------- alert timing

export interface AlertTiming {
  alertTimeSeconds: number;
  scrapeSeconds: number;
  evaluationSeconds: number;
  groupWaitSeconds: number;
  fastWindowSeconds: number;
  errorBudgetRatio: number;
  spikeThreshold: number;
  /** Seconds a total outage needs to push the fast-window error ratio over the spike threshold. */
  spikeFillSeconds: number;
  fastForSeconds: number;
  spikeDetectionSeconds: number;
  downDetectionSeconds: number;
  meetsAlertTime: boolean;
}

/**
 * The < alert_time_s criterion as a budget: scrape + rule evaluation + window fill + `for` + Alertmanager
 * group_wait. The scrape interval is the largest common step that leaves room for the rest (at most a
 * quarter of the budget).
 */
export function alertTiming(spec: ResolvedSpec): AlertTiming {
  const budget = spec.slo.alert_time_s;
  const scrape = [60, 30, 15, 10, 5].find((s) => s <= budget / 4) ?? 5;
  const groupWait = Math.min(30, Math.max(5, Math.floor(budget / 6)));
  const fastWindow = Math.max(60, 4 * scrape);
  const errorBudget = round(1 - spec.slo.availability_pct / 100, 8);
  const spikeThreshold = round(Math.min(0.5, Math.max(0.01, 50 * errorBudget)), 6);
  const fill = Math.ceil(spikeThreshold * fastWindow);
  const slack = budget - scrape - scrape - groupWait - fill;
  const fastFor = Math.max(0, Math.floor(slack / scrape) * scrape);
  const spikeDetection = scrape + scrape + fill + fastFor + groupWait;
  return {
    alertTimeSeconds: budget,
    scrapeSeconds: scrape,
    evaluationSeconds: scrape,
    groupWaitSeconds: groupWait,
    fastWindowSeconds: fastWindow,
    errorBudgetRatio: errorBudget,
    spikeThreshold,
    spikeFillSeconds: fill,
    fastForSeconds: fastFor,
    spikeDetectionSeconds: spikeDetection,
    downDetectionSeconds: scrape + scrape + fastFor + groupWait,
    meetsAlertTime: spikeDetection <= budget,
  };
}

// ---------------------------------------------------------------- SLO burn rates

export interface BurnWindow {
  burnRate: number;
  longSeconds: number;
  shortSeconds: number;
  severity: 'critical' | 'warning';
  /** Share of the 30-day error budget consumed when the long window fires. */
  budgetConsumedPct: number;
  errorRatioThreshold: number;
  /** Seconds of a total outage before the long window crosses the threshold. */
  outageFillSeconds: number;
  forSeconds: number;
}

export interface SloBurnPlan {
  errorBudgetRatio: number;
  budgetMinutesPer30d: number;
  windows: BurnWindow[];
}

/** Multi-window multi-burn-rate alerts (Google SRE workbook, ch. 5): 14.4 over 1h/5m, 6 over 6h/30m, 1 over 3d/6h. */
export function sloBurnPlan(spec: ResolvedSpec, timing: AlertTiming): SloBurnPlan {
  const e = timing.errorBudgetRatio;
  const month = 30 * 86_400;
  const make = (burnRate: number, longSeconds: number, shortSeconds: number, severity: BurnWindow['severity'], forSeconds: number): BurnWindow => ({
    burnRate,
    longSeconds,
    shortSeconds,
    severity,
    budgetConsumedPct: round((burnRate * longSeconds * 100) / month, 2),
    errorRatioThreshold: sig(burnRate * e, 6),
    outageFillSeconds: round(burnRate * e * longSeconds, 1),
    forSeconds,
  });
  return {
    errorBudgetRatio: e,
    budgetMinutesPer30d: round(e * 30 * 24 * 60, 2),
    windows: [make(14.4, 3_600, 300, 'critical', timing.fastForSeconds), make(6, 21_600, 1_800, 'critical', 120), make(1, 259_200, 21_600, 'warning', 900)],
  };
}

// ---------------------------------------------------------------- latency and capacity

export interface LatencyPlan {
  p99Seconds: number;
  bucketsSeconds: number[];
  predictBudgetMs: number;
  remainingBudgetMs: number;
  featureServingSeconds: number;
  capacityRps: number;
  nearCapacityRps: number;
  peakHeadroom: number;
  minReplicas: number;
  maxReplicas: number;
  rpsPerReplica: number;
}

/** Histogram buckets are multiples of the SLO so that the bucket boundary sits exactly on the threshold. */
export function latencyPlan(spec: ResolvedSpec, up: Upstream): LatencyPlan {
  const slo = spec.slo.p99_latency_ms / 1000;
  const buckets = [...new Set([0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 4, 10].map((f) => sig(f * slo, 4)))];
  const predictBudget = up.python_pro.budgets.predict_p99_ms;
  const rpsPerReplica = up.kubernetes_architect.autoscaling.target_rps_per_pod || up.mlops_engineer.serving.rps_per_replica;
  const maxReplicas = up.kubernetes_architect.autoscaling.max_replicas;
  const capacity = round(maxReplicas * rpsPerReplica, 2);
  return {
    p99Seconds: slo,
    bucketsSeconds: buckets,
    predictBudgetMs: predictBudget,
    remainingBudgetMs: round(spec.slo.p99_latency_ms - predictBudget, 2),
    featureServingSeconds: spec.slo.feature_serving_latency_ms / 1000,
    capacityRps: capacity,
    nearCapacityRps: round(capacity * 0.8, 2),
    peakHeadroom: round(capacity / spec.scale.peak_rps, 2),
    minReplicas: up.kubernetes_architect.autoscaling.min_replicas,
    maxReplicas,
    rpsPerReplica,
  };
}

// ---------------------------------------------------------------- model quality (delayed labels)

export interface QualityPlan {
  metric: string;
  direction: 'maximize' | 'minimize';
  /**
   * The metric value degradation is measured against. Known before training only when the promotion gate is
   * absolute; with a relative gate (threshold = factor × a baseline measured at training) referenceKnown is false,
   * this holds the data scientist's promotion figure unchanged (a factor, not a metric value), and the runtime
   * reference is the promoted version's measured value.
   */
  reference: number;
  referenceKnown: boolean;
  referenceSource: string;
  labelDelayHours: number;
  zScore: number;
  formula: string;
  minLabelledSamples: number;
  windowHours: number;
  evaluationSchedule: string;
  warnDegradationPct: number;
  criticalDegradationPct: number;
  warnThreshold: number;
  criticalThreshold: number;
  labelsStaleAfterHours: number;
  conceptDriftDetectionHours: number;
  alertForMinutes: number;
  secondaryMetrics: string[];
}

/**
 * Labelled predictions needed per evaluation window to see a relative drop of max_degradation_pct at 99 %
 * one-sided confidence against the (fixed) reference: a binomial approximation for scores in (0, 1) that are
 * maximised, the relative standard error of an RMSE-like error metric otherwise.
 */
export function qualityPlan(spec: ResolvedSpec, up: Upstream, traffic: TrafficPlan): QualityPlan {
  const ds = up.data_scientist;
  const gate = up.ml_engineer.registry.promotion_gate;
  // An absolute promotion threshold is what a production version has at least; the promoted version's measured
  // value replaces it at runtime (model_prediction_quality_reference). A relative gate has no metric value before
  // training (its threshold is a factor on a baseline measured in the training run): no static reference then.
  const referenceKnown = gate.rule === 'absolute' && gate.min_value !== null;
  const reference = referenceKnown && gate.min_value !== null ? gate.min_value : ds.promotion_threshold;
  const critPct = ds.retraining_trigger?.relative_drop_pct ?? spec.slo.max_degradation_pct;
  const d = critPct / 100;
  const z = sig(normalQuantile(0.99), 4);
  // The binomial formula needs the metric value m; without a known reference the relative-standard-error formula is used.
  const proportionLike = referenceKnown && ds.metric_direction === 'maximize' && reference > 0 && reference < 1;
  const raw = proportionLike ? (z * z * (1 - reference)) / (reference * d * d) : (z * z) / (2 * d * d);
  const formula = proportionLike ? 'n = z² · (1 − m) / (m · d²)' : 'n = z² / (2 · d²)';
  const minSamples = Math.max(1_000, Math.ceil(raw));
  const windowHours = Math.min(168, Math.max(1, Math.ceil(minSamples / Math.max(1, traffic.predictionsPerHour))));
  const warnPct = round(critPct / 2, 3);
  const factor = (pct: number) => (ds.metric_direction === 'maximize' ? 1 - pct / 100 : 1 + pct / 100);
  const alertForMinutes = 10;
  const evalEveryHours = windowHours >= 24 ? 24 : 1;
  const L = spec.problem.label_delay_hours;
  return {
    metric: ds.primary_metric,
    direction: ds.metric_direction,
    reference,
    referenceKnown,
    referenceSource: referenceKnown
      ? 'promotion threshold of the data-scientist phase; at runtime the promoted version\'s measured value'
      : `no metric value before training: the promotion gate is relative (${gate.metric} ${gate.direction === 'maximize' ? '≥' : '≤'} ${gate.baseline_factor} × the CV ${gate.metric} of ${gate.baseline_model}), so the reference is the promoted version's measured value at runtime`,
    labelDelayHours: L,
    zScore: z,
    formula,
    minLabelledSamples: minSamples,
    windowHours,
    evaluationSchedule: evalEveryHours === 24 ? '20 1 * * *' : '20 * * * *',
    warnDegradationPct: warnPct,
    criticalDegradationPct: critPct,
    warnThreshold: sig(reference * factor(warnPct), 6),
    criticalThreshold: ds.retraining_trigger?.floor ?? sig(reference * factor(critPct), 6),
    labelsStaleAfterHours: Math.ceil(L + windowHours + 2),
    conceptDriftDetectionHours: round(L + windowHours + evalEveryHours + alertForMinutes / 60, 2),
    alertForMinutes,
    secondaryMetrics: ds.secondary_metrics,
  };
}

// ---------------------------------------------------------------- feature importance and business KPI

export interface ImportancePlan {
  method: 'TreeSHAP' | 'permutation importance';
  topK: number;
  sampleRows: number;
  minRankCorrelation: number;
  schedule: string;
}

export function importancePlan(up: Upstream): ImportancePlan {
  const family = `${up.data_scientist.algorithm.family} ${up.data_scientist.algorithm.library}`;
  const tree = /tree|boost|forest|gbm|xgb|lightgbm|catboost/i.test(family);
  const modelFeatures = up.data_scientist.features.filter((f) => !up.data_scientist.protected_attributes.includes(f.name)).length;
  return {
    method: tree ? 'TreeSHAP' : 'permutation importance',
    topK: Math.max(1, Math.min(5, modelFeatures)),
    sampleRows: tree ? 5_000 : 1_000,
    minRankCorrelation: 0.7,
    schedule: '40 2 * * *',
  };
}

const KPI_BY_PROBLEM: Record<ResolvedSpec['problem']['type'], { kpi: string; meaning: string }> = {
  binary_classification: { kpi: 'positive_capture_rate', meaning: 'share of true positive cases the model flags for action' },
  multiclass_classification: { kpi: 'auto_routing_rate', meaning: 'share of items routed without human correction' },
  regression: { kpi: 'estimate_within_tolerance_rate', meaning: 'share of estimates within the business tolerance' },
  ranking: { kpi: 'click_through_rate', meaning: 'clicks per impression of the ranked results' },
  forecasting: { kpi: 'stockout_rate', meaning: 'share of store-days where the forecast-driven plan ran out of stock' },
  anomaly_detection: { kpi: 'alert_precision', meaning: 'share of raised anomalies confirmed by analysts' },
  recommendation: { kpi: 'click_through_rate', meaning: 'clicks per recommendation shown' },
};

export interface KpiPlan {
  kpi: string;
  meaning: string;
  baselineRate: number;
  absoluteEffect: number;
  windowDays: number;
  alpha: number;
  criticalCorrelation: number;
  abTestDays: number;
}

/** Significance of a Pearson correlation over n daily points: r_crit = tanh(z_(1-α/2) / √(n − 3)) (Fisher transform). */
export function kpiPlan(spec: ResolvedSpec, up: Upstream): KpiPlan {
  const ab = up.data_scientist.ab_test;
  const n = 28;
  const zc = normalQuantile(1 - ab.alpha / 2);
  return {
    ...KPI_BY_PROBLEM[spec.problem.type],
    baselineRate: ab.baseline_rate,
    absoluteEffect: ab.absolute_effect,
    windowDays: n,
    alpha: ab.alpha,
    criticalCorrelation: round(Math.tanh(zc / Math.sqrt(n - 3)), 3),
    abTestDays: ab.duration_days,
  };
}

// ---------------------------------------------------------------- drift

export interface DriftTestPlan {
  feature: string;
  type: string;
  test: string;
  /** The feature's primary test (data scientist's drift_test) or a complementary one. */
  primary: boolean;
  statistic: string;
  warn: number;
  critical: number;
  pValueMax: number | null;
  minSamples: number;
  minSamplesFormula: string;
  bins: number;
  protected: boolean;
  range: { min?: number; max?: number };
  categories: string[];
  nullable: boolean;
  /** Where the thresholds came from. */
  origin: 'data_scientist' | 'default';
}

const STATISTIC: Record<string, string> = {
  psi: 'population stability index',
  ks: 'KS statistic D',
  chi2: "Cramér's V",
  jensen_shannon: 'Jensen-Shannon distance (base 2)',
  wasserstein: 'Wasserstein-1 / reference std',
};

/** Conventional levels when the data-scientist phase gives none (warn, critical, p-value gate). */
const DEFAULT_THRESHOLDS: Record<string, { warn: number; critical: number; p: number | null }> = {
  psi: { warn: 0.1, critical: 0.25, p: null },
  ks: { warn: 0.1, critical: 0.2, p: 0.01 },
  chi2: { warn: 0.1, critical: 0.2, p: 0.01 },
  jensen_shannon: { warn: 0.1, critical: 0.2, p: null },
  wasserstein: { warn: 0.1, critical: 0.25, p: null },
};

/** The upstream choice, or the conventional test for the type when upstream named one we do not know. */
function normaliseTest(test: string, type: string): string {
  const t = test.toLowerCase().replace(/[-\s]/g, '_');
  const alias: Record<string, string> = { kolmogorov_smirnov: 'ks', chi_square: 'chi2', chisquare: 'chi2', chi_squared: 'chi2', js: 'jensen_shannon', jsd: 'jensen_shannon' };
  const known = alias[t] ?? t;
  if (known in STATISTIC) return known;
  return type === 'numeric' || type === 'integer' ? 'psi' : 'chi2';
}

const KS_C_ALPHA = 1.628; // c(α) of the two-sample KS test at α = 0.01: sqrt(-ln(α/2) / 2)

type UpstreamDriftTest = Upstream['data_scientist']['features'][number]['drift_tests'][number];

/**
 * Levels of one test. Hypothesis tests (KS, chi-square) alert when p is below the data scientist's per-test
 * level AND the effect size (D, V) reaches min_effect: huge samples make every p tiny. Warning = half the
 * effect. Distance statistics (PSI, JS) take the alert level as critical and the policy's warning level.
 */
function levels(test: string, given: UpstreamDriftTest | undefined, policy: Upstream['data_scientist']['drift_policy'] | undefined) {
  const d = DEFAULT_THRESHOLDS[test]!;
  if (!given) return { ...d, origin: 'default' as const };
  if (given.alert_when === 'p_value_below') {
    const critical = given.min_effect ?? d.critical;
    return { warn: Number((critical / 2).toPrecision(4)), critical, p: given.threshold, origin: 'data_scientist' as const };
  }
  const warn = test === 'psi' && policy ? Math.min(policy.psi_warn, given.threshold) : Number((given.threshold / 2).toPrecision(4));
  return { warn, critical: given.threshold, p: null, origin: 'data_scientist' as const };
}

function minSamplesFor(test: string, warn: number, bins: number, k: number): { n: number; formula: string } {
  switch (test) {
    case 'psi':
      // E[PSI] under no drift ≈ (B − 1)/n; keep that noise floor at a tenth of the warning level.
      return { n: Math.ceil((10 * (bins - 1)) / warn), formula: `10 · (B − 1) / PSI_warn = 10 · ${bins - 1} / ${warn}` };
    case 'ks':
      return { n: Math.ceil((KS_C_ALPHA / warn) ** 2), formula: `(c(0.01) / D_warn)² = (${KS_C_ALPHA} / ${warn})²` };
    case 'chi2':
      // E[V²] under no drift = (k − 1)/n; keep its square root at a third of the warning level.
      return { n: Math.ceil((9 * (k - 1)) / warn ** 2), formula: `9 · (k − 1) / V_warn² = 9 · ${k - 1} / ${warn}²` };
    case 'jensen_shannon':
      return { n: 100 * bins, formula: `100 per bin · ${bins} bins` };
    default:
      return { n: 1_000, formula: '1,000 (quantile resolution of 0.1 %)' };
  }
}

export function driftTests(spec: ResolvedSpec, up: Upstream): DriftTestPlan[] {
  const specFeatures = new Map(spec.data.features.map((f) => [f.name, f]));
  const policy = up.data_scientist.drift_policy;
  const policyMin = policy?.min_samples ?? 0;
  return up.data_scientist.features.flatMap((f) => {
    const sf = specFeatures.get(f.name);
    const categories = sf?.categories ?? (f.type === 'boolean' ? ['false', 'true'] : []);
    const k = Math.max(2, categories.length + (categories.length > 0 ? 1 : 0)); // declared categories + "other"
    const primary = normaliseTest(f.drift_test, f.type);
    const given = (f.drift_tests ?? []).map((t) => ({ ...t, test: normaliseTest(t.test, f.type) }));
    const names = [primary, ...given.map((t) => t.test).filter((t) => t !== primary)];
    return [...new Set(names)].map((test) => {
      const lv = levels(test, given.find((t) => t.test === test), policy);
      const bins = test === 'psi' || test === 'jensen_shannon' ? (categories.length > 0 ? k : 10) : test === 'chi2' ? k : 0;
      const ms = minSamplesFor(test, lv.warn, bins, k);
      return {
        feature: f.name,
        type: f.type,
        test,
        primary: test === primary,
        statistic: STATISTIC[test]!,
        warn: lv.warn,
        critical: lv.critical,
        pValueMax: lv.p,
        minSamples: Math.max(ms.n, policyMin),
        minSamplesFormula: policyMin > ms.n ? `policy minimum ${policyMin}` : ms.formula,
        bins,
        protected: up.data_scientist.protected_attributes.includes(f.name) || f.role === 'protected' || sf?.protected === true,
        range: { ...(sf?.min !== undefined ? { min: sf.min } : {}), ...(sf?.max !== undefined ? { max: sf.max } : {}) },
        categories,
        nullable: sf?.nullable ?? false,
        origin: lv.origin,
      };
    });
  });
}

export interface DriftSchedulePlan {
  windowHours: number;
  intervalMinutes: number;
  schedule: string;
  runtimeMinutes: number;
  alertForMinutes: number;
  worstCaseHours: number;
  worstCaseOneFailedRunHours: number;
  meetsWindow: boolean;
  rowsPerInterval: number;
  sampledRows: number;
  lookbackHours: number;
  staleAfterMinutes: number;
  retrainQuorum: number;
  candidates: { intervalMinutes: number; runtimeMinutes: number; worstCaseMinutes: number; oneFailedMinutes: number; fits: boolean }[];
}

const DRIFT_SAMPLE_CAP = 1_000_000;
const VALUES_PER_MINUTE = 10_000_000;
const JOB_STARTUP_MINUTES = 3;

function cronEvery(minutes: number): string {
  if (minutes < 60) return `*/${minutes} * * * *`;
  if (minutes === 60) return '5 * * * *';
  if (minutes === 1440) return '5 0 * * *';
  return `5 */${minutes / 60} * * *`;
}

/**
 * The longest interval that keeps detection inside the window even when one run fails:
 * 2 · interval + runtime + for ≤ window. The worst case with every run succeeding is interval + runtime + for.
 */
export function driftSchedule(spec: ResolvedSpec, traffic: TrafficPlan, tests: DriftTestPlan[]): DriftSchedulePlan {
  const windowMinutes = spec.slo.drift_detection_window_h * 60;
  const forMinutes = spec.slo.drift_detection_window_h >= 4 ? 15 : 5;
  const features = Math.max(1, new Set(tests.map((t) => t.feature)).size);
  const runtimeFor = (interval: number) => {
    const rows = (traffic.predictionsPerHour * interval) / 60;
    return Math.ceil(JOB_STARTUP_MINUTES + (Math.min(rows, DRIFT_SAMPLE_CAP) * features) / VALUES_PER_MINUTE);
  };
  const candidates = [15, 30, 60, 120, 180, 240, 360, 480, 720, 1440].map((intervalMinutes) => {
    const runtimeMinutes = runtimeFor(intervalMinutes);
    const worstCaseMinutes = intervalMinutes + runtimeMinutes + forMinutes;
    const oneFailedMinutes = 2 * intervalMinutes + runtimeMinutes + forMinutes;
    return { intervalMinutes, runtimeMinutes, worstCaseMinutes, oneFailedMinutes, fits: oneFailedMinutes <= windowMinutes };
  });
  const chosen = [...candidates].reverse().find((c) => c.fits) ?? candidates[0]!;
  const rows = Math.round((traffic.predictionsPerHour * chosen.intervalMinutes) / 60);
  const neededSamples = Math.max(0, ...tests.map((t) => t.minSamples));
  const hoursForSamples = traffic.predictionsPerHour > 0 ? Math.ceil(neededSamples / traffic.predictionsPerHour) : 24;
  const monitored = new Set(tests.filter((t) => !t.protected).map((t) => t.feature)).size;
  return {
    windowHours: spec.slo.drift_detection_window_h,
    intervalMinutes: chosen.intervalMinutes,
    schedule: cronEvery(chosen.intervalMinutes),
    runtimeMinutes: chosen.runtimeMinutes,
    alertForMinutes: forMinutes,
    worstCaseHours: round(chosen.worstCaseMinutes / 60, 2),
    worstCaseOneFailedRunHours: round(chosen.oneFailedMinutes / 60, 2),
    meetsWindow: chosen.worstCaseMinutes <= windowMinutes,
    rowsPerInterval: rows,
    sampledRows: Math.min(rows, DRIFT_SAMPLE_CAP),
    lookbackHours: Math.max(chosen.intervalMinutes / 60, hoursForSamples),
    staleAfterMinutes: 2 * chosen.intervalMinutes + chosen.runtimeMinutes,
    retrainQuorum: Math.max(1, Math.ceil(monitored * 0.1)),
    candidates,
  };
}

// ---------------------------------------------------------------- tracing and logs

export interface TracingPlan {
  /** Where traces go: Jaeger (OTLP) or Zipkin on the self-hosted stacks, the vendor's APM otherwise. */
  backend: 'jaeger' | 'zipkin' | 'datadog-apm' | 'newrelic-apm';
  /** Why that backend, in one sentence. */
  reason: string;
  headSampleRatio: number;
  targetTracesPerSecond: number;
  tailPolicies: string[];
  retainedTracesPerDay: number;
}

/**
 * Zipkin when the requirements name Zipkin and not Jaeger (the team already runs Zipkin or its B3-instrumented
 * services); Jaeger otherwise, including a text naming both ("Jaeger/Zipkin"), because Jaeger ingests OTLP natively.
 */
export function tracingPlan(spec: ResolvedSpec, traffic: TrafficPlan): TracingPlan {
  const target = 10;
  const rps = traffic.modes.includes('online') || traffic.modes.includes('stream') ? traffic.averageRps : 1;
  const ratio = sig(Math.min(1, target / rps), 3);
  const stack = spec.options.monitoring_stack;
  const zipkin = /\bzipkin\b/i.test(spec.requirements) && !/\bjaeger\b/i.test(spec.requirements);
  const backend: TracingPlan['backend'] = stack === 'datadog' ? 'datadog-apm' : stack === 'newrelic' ? 'newrelic-apm' : zipkin ? 'zipkin' : 'jaeger';
  const reason =
    backend === 'datadog-apm'
      ? 'Datadog APM correlates traces with the monitors and logs of the same stack'
      : backend === 'newrelic-apm'
        ? 'New Relic distributed tracing correlates traces with the alert conditions and logs of the same stack'
        : backend === 'zipkin'
          ? 'the requirements name Zipkin: the collector converts OTLP spans with its zipkin exporter, so Zipkin-instrumented (B3) services and the new OTLP ones land in one Zipkin'
          : 'Jaeger ingests OTLP natively (no translating exporter) and its UI compares traces, which separates feature lookup from inference';
  return {
    backend,
    reason,
    headSampleRatio: ratio,
    targetTracesPerSecond: target,
    tailPolicies: ['every trace with an error status', `every trace slower than the p99 SLO (${spec.slo.p99_latency_ms} ms)`, `${ratio * 100 >= 1 ? round(ratio * 100, 2) : sig(ratio * 100, 2)} % of the rest`],
    retainedTracesPerDay: Math.round(rps * ratio * 86_400),
  };
}

export interface LogsPlan {
  backend: 'loki' | 'elk' | 'datadog-logs' | 'newrelic-logs';
  reason: string;
  bytesPerRequest: number;
  gbPerDay: number;
  retentionDays: number;
  predictionLogRetentionDays: number;
}

export function logsPlan(spec: ResolvedSpec, traffic: TrafficPlan, quality: QualityPlan): LogsPlan {
  const textFeatures = spec.data.features.filter((f) => f.type === 'text').map((f) => f.name);
  const bytes = 512;
  const events = traffic.requestsPerDay + (traffic.modes.includes('stream') ? Math.round(traffic.averageRps * 86_400) : 0) + Math.ceil(traffic.batchRowsPerDay / 10_000);
  const stack = spec.options.monitoring_stack;
  let backend: LogsPlan['backend'];
  let reason: string;
  if (stack === 'datadog') {
    backend = 'datadog-logs';
    reason = 'Datadog Log Management keeps logs next to the APM traces and monitors (trace-id correlation out of the box); running Loki or ELK beside it would duplicate storage and on-call tooling';
  } else if (stack === 'newrelic') {
    backend = 'newrelic-logs';
    reason = 'New Relic Logs in context links each log line to its trace and entity; running Loki or ELK beside it would duplicate storage and on-call tooling';
  } else if (textFeatures.length > 0) {
    backend = 'elk';
    reason = `the text feature(s) ${textFeatures.join(', ')} make full-text search over logged inputs the main debugging tool (finding mis-predicted documents by phrase), which Elasticsearch indexes and Loki (label index only, brute-force grep) does not`;
  } else {
    backend = 'loki';
    reason = 'logs are structured JSON queried by the same labels as the metrics (namespace, pod, model); Loki indexes only those labels and keeps chunks in object storage, so it costs a fraction of an Elasticsearch cluster and sits in the same Grafana';
  }
  return {
    backend,
    reason,
    bytesPerRequest: bytes,
    gbPerDay: round((events * bytes) / 1e9, 3),
    retentionDays: 14,
    predictionLogRetentionDays: Math.ceil((quality.labelDelayHours + quality.windowHours) / 24) + 30,
  };
}

// ---------------------------------------------------------------- cost

export interface CostPlan {
  monthlyBudgetUsd: number;
  thresholdsPct: number[];
  thresholdsUsd: number[];
  dailyBudgetUsd: number;
  labels: Record<string, string>;
  teamLabel: string;
  components: string[];
  billingSource: string;
  spotSharePct: number;
  minSpotPct: number;
  spotNodeLabel: string;
  spotNodeLabelValue: string;
  maxWastePct: number;
  idleAtAveragePct: number;
  trainingRunsPerMonth: number;
  trainingGpuHoursPerMonth: number;
  servingGpus: number;
  gpuSharing: string;
  recommendations: string[];
  /** From the cost model (src/stats/cost.ts) on the designed cloud: projected monthly USD and its split. */
  projectedMonthlyUsd: number;
  projectedBudgetSharePct: number;
  budgetVerdict: 'within' | 'near' | 'over';
  projectedByComponent: Record<string, number>;
  projectedSpotSharePct: number;
  priceTableAsOf: string;
}

/** A Kubernetes label value (and Datadog tag) from free text: lowercase, [a-z0-9-_.], at most 63 characters. */
export function labelValue(value: string): string {
  const v = value.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '').slice(0, 63).replace(/[^a-z0-9]+$/, '');
  return v || 'unknown';
}

const BILLING_SOURCE: Record<ResolvedSpec['options']['cloud_provider'], string> = {
  aws: 'AWS Cost and Usage Report 2.0 (CUR) in S3, queried with Athena; resources tagged with the allocation labels',
  gcp: 'Cloud Billing export to BigQuery (detailed usage cost), with GKE cost allocation enabled so namespace and pod labels appear in the export',
  azure: 'Cost Management exports (amortised cost) to a storage account, with AKS cost analysis for namespace-level split',
  'multi-cloud': 'both clouds’ billing exports (AWS CUR and the second cloud’s export) normalised by OpenCost, which prices every namespace with the same model',
};

export function costPlan(spec: ResolvedSpec, up: Upstream, traffic: TrafficPlan): CostPlan {
  const budget = spec.team.budget_usd_per_month;
  const thresholds = [50, 80, 100];
  const team = labelValue(spec.team.owner);
  const k8s = up.kubernetes_architect;
  const ml = up.ml_engineer;
  const rpsPerReplica = k8s.autoscaling.target_rps_per_pod || up.mlops_engineer.serving.rps_per_replica;
  const replicasAtAverage = Math.max(k8s.autoscaling.min_replicas, Math.ceil(traffic.averageRps / rpsPerReplica));
  const idle = traffic.modes.includes('online') ? round(100 * (1 - traffic.averageRps / (replicasAtAverage * rpsPerReplica)), 1) : 0;
  const trainingRunsPerMonth = round(runsPerDay(ml.training.schedule) * 30, 2);
  const estimate = estimateCost(spec, up as CostUpstream, { clouds: [spec.options.cloud_provider] });
  const projected = estimate.scenarios[0]!;
  const gpuHours = round((trainingRunsPerMonth * ml.training.expected_minutes * ml.training.gpus) / 60, 1);
  const components = ['serving', 'training', ...(traffic.modes.includes('batch') ? ['batch'] : []), ...(traffic.modes.includes('stream') ? ['stream'] : []), 'monitoring'];
  const recs: string[] = [];
  if (k8s.spot.share_pct < spec.slo.min_spot_pct) {
    recs.push(`raise the spot share of interruptible workloads from ${k8s.spot.share_pct} % to at least ${spec.slo.min_spot_pct} % (training, HPO trials and batch scoring checkpoint and retry)`);
  } else {
    recs.push(`keep the spot share at ${k8s.spot.share_pct} % (≥ ${spec.slo.min_spot_pct} %); the SpotShareLow alert catches regressions such as a node pool falling back to on-demand`);
  }
  if (idle > spec.slo.max_waste_pct) {
    recs.push(`at the average load (${traffic.averageRps} rps) the ${replicasAtAverage} serving replica(s) are ${idle} % idle, above the ${spec.slo.max_waste_pct} % waste limit: scale on requests per pod (${rpsPerReplica}) with a lower minimum outside peak hours, or pack the model with others on shared nodes`);
  } else if (traffic.modes.includes('online')) {
    recs.push(`serving idles ${idle} % at the average load (${traffic.averageRps} rps on ${replicasAtAverage} replica(s)), within the ${spec.slo.max_waste_pct} % waste limit`);
  }
  if (k8s.gpu.serving > 0 && k8s.gpu.sharing === 'none') {
    recs.push(`each serving replica holds ${k8s.gpu.serving} whole GPU(s) with no sharing: enable time-slicing or MIG when DCGM utilisation stays below ${100 - spec.slo.max_waste_pct} % (ServingGpuUnderutilised)`);
  }
  if (gpuHours > 0) {
    recs.push(`scheduled retraining costs ≈ ${gpuHours} GPU-hours a month (${trainingRunsPerMonth} runs × ${ml.training.expected_minutes} min × ${ml.training.gpus} GPU): drift- and degradation-triggered runs replace a scheduled run instead of adding to it (the trigger service skips the next scheduled run after a triggered one)`);
  } else {
    recs.push(`scheduled retraining runs ${trainingRunsPerMonth} times a month on CPU (${ml.training.expected_minutes} min each): run it on spot nodes only`);
  }
  if (projected.budget.verdict === 'within') {
    recs.push(`the designed platform is projected at ${projected.total_usd} USD/month at list prices (${projected.budget.share_pct} % of the ${budget} USD budget): the 50/80/100 % alerts leave room for unplanned retraining and traffic growth`);
  } else {
    recs.push(`the designed platform is projected at ${projected.total_usd} USD/month at list prices, ${projected.budget.share_pct} % of the ${budget} USD budget (${projected.budget.verdict}): raise the budget, commit to savings plans or committed-use discounts, or shrink the pre-production clusters before the CostBudget alerts fire every month`);
  }
  recs.push(`HPO runs ${ml.hpo.parallel_trials} trial(s) in parallel: every trial pod carries the experiment label (${ml.tracking.experiment_name}) so its cost shows per experiment, and experiments without cost in the last 7 days are reviewed for idle notebooks and volumes`);
  return {
    monthlyBudgetUsd: budget,
    thresholdsPct: thresholds,
    thresholdsUsd: thresholds.map((p) => round((budget * p) / 100, 2)),
    dailyBudgetUsd: round(budget / 30, 2),
    labels: { team, pipeline: spec.name, model: ml.registry.model_name, experiment: ml.tracking.experiment_name },
    teamLabel: team,
    components,
    billingSource: BILLING_SOURCE[spec.options.cloud_provider],
    spotSharePct: k8s.spot.share_pct,
    minSpotPct: spec.slo.min_spot_pct,
    spotNodeLabel: k8s.spot.node_label,
    spotNodeLabelValue: k8s.spot.node_label_value,
    maxWastePct: spec.slo.max_waste_pct,
    idleAtAveragePct: idle,
    trainingRunsPerMonth,
    trainingGpuHoursPerMonth: gpuHours,
    servingGpus: k8s.gpu.serving,
    gpuSharing: k8s.gpu.sharing,
    recommendations: recs,
    projectedMonthlyUsd: projected.total_usd,
    projectedBudgetSharePct: projected.budget.share_pct,
    budgetVerdict: projected.budget.verdict,
    projectedByComponent: projected.by_component,
    projectedSpotSharePct: projected.spot_share_pct,
    priceTableAsOf: estimate.price_table.as_of_newest,
  };
}

// ---------------------------------------------------------------- retraining

export interface RetrainingPlan {
  orchestrator: string;
  how: string;
  cooldownHours: number;
  minNewLabelledRows: number;
  scheduledEveryHours: number;
  triggers: string[];
}

const ORCHESTRATOR_TRIGGER: Record<ResolvedSpec['options']['orchestration'], string> = {
  kubeflow: 'creates a Kubeflow Pipelines run of the training pipeline through the KFP REST API (POST /apis/v2beta1/runs) with the trigger reason as a run parameter',
  airflow: 'triggers the training DAG through the Airflow stable REST API (POST /api/v1/dags/{dag_id}/dagRuns) with the reason in the run conf',
  prefect: 'creates a flow run of the training deployment through the Prefect REST API (POST /api/deployments/{id}/create_flow_run) with the reason as a parameter',
  dagster: 'launches the training job through the Dagster GraphQL API (launchRun mutation) with the reason as a run tag',
};

export function retrainingPlan(spec: ResolvedSpec, up: Upstream, quality: QualityPlan, drift: DriftSchedulePlan): RetrainingPlan {
  const expected = up.ml_engineer.training.expected_minutes;
  const cooldown = Math.max(6, Math.ceil((2 * expected) / 60));
  return {
    orchestrator: spec.options.orchestration,
    how: ORCHESTRATOR_TRIGGER[spec.options.orchestration],
    cooldownHours: cooldown,
    minNewLabelledRows: up.data_scientist.training_data.min_rows,
    scheduledEveryHours: round(intervalHours(up.ml_engineer.training.schedule), 1),
    triggers: [
      `drift: FeatureDriftHigh on at least ${drift.retrainQuorum} non-protected feature(s) (critical level of its test)`,
      quality.referenceKnown
        ? `degradation: ${quality.metric} ${quality.direction === 'maximize' ? 'below' : 'above'} ${quality.criticalThreshold} (ModelQualityDegradationCritical, ${quality.criticalDegradationPct} % relative to ${quality.reference})`
        : `degradation: ${quality.metric} ${quality.criticalDegradationPct} % ${quality.direction === 'maximize' ? 'below' : 'above'} the promoted version's measured value (ModelQualityDegradationCritical)`,
      `schedule: ${up.ml_engineer.training.schedule} (UTC)`,
    ],
  };
}
