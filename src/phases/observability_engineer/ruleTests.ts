import { toYaml } from '../../generators/serializers/yaml.js';
import { spotLabelMatcher, type AlertDefinition, type Comparison } from './alerts.js';
import { EXTERNAL_METRICS, METRICS, series, type MetricKey } from './metrics.js';
import type { MonitoringPlan } from './plan.js';
import { duration, promNumber, selector, type Matcher } from './promql.js';
import { alertingRule, recordingRules } from './rules.js';

/**
 * Generated `promtool test rules` unit tests: for every alert of the catalogue, input series that must fire it
 * (with its exact labels and annotations, at an evaluation time past its `for:`) and series that must not
 * (values just on the safe side of the threshold, a guard that is not met, or firing for less than `for:`).
 *
 * Every input is built from the plan's figures (thresholds, windows, label sets of the metrics the generated
 * code exposes), so the tests keep working for any spec; a new alert without a scenario here is an error.
 *
 * Cost: promtool evaluates every rule of the file at every evaluation step of every test group, so a test
 * group spanning hours at a 15 s evaluation interval takes minutes. Each scenario therefore runs at the
 * coarsest evaluation interval of TIERS that still resolves its window fill + `for:` in at least four steps (never
 * coarser than needed, never finer than the production interval); scenarios of one interval share a file.
 * `for:` semantics do not depend on the interval, and fast alerts are tested at the production interval.
 * Within a file, scenarios of different alerts share one test group when no metric one of them reads (through
 * recording rules) is among another's: each alert then sees exactly its own inputs, and every rule is evaluated
 * once per step for the group instead of once per scenario (about a third fewer evaluations for the default spec).
 */

type Labels = Record<string, string>;

/** A stretch of an input series: a constant gauge value, or a counter growing at `perSecond`. */
type Phase = ({ value: number } | { perSecond: number }) & { seconds?: number };

interface Input {
  series: string;
  /** Consecutive phases; the last one runs until the end of the test. */
  phases: Phase[];
}

interface Scenario {
  /** What the case shows (the test group name). */
  name: string;
  /** Seconds after which the inputs hold the condition (window fill, calendar); 0 for gauges set from the start. */
  settle: number;
  /** Output labels of the alert expression for each alert that must fire; [] = must not fire. */
  fires: Labels[];
  /** Input series, given the evaluation time of the check (staleness tests set timestamps relative to it). */
  inputs: (evalTime: number) => Input[];
}

// ------------------------------------------------------------------ the file format (promtool test rules)

interface PromtoolSeries {
  series: string;
  values: string;
}

interface ExpectedAlert {
  exp_labels: Labels;
  exp_annotations: Labels;
}

interface AlertRuleTest {
  eval_time: string;
  alertname: string;
  exp_alerts: ExpectedAlert[];
}

interface TestGroup {
  name: string;
  interval: string;
  input_series: PromtoolSeries[];
  alert_rule_test: AlertRuleTest[];
}

interface PromtoolTestFile {
  rule_files: string[];
  evaluation_interval: string;
  group_eval_order: string[];
  tests: TestGroup[];
}

export interface PromtoolTestFileOutput {
  /** File name under monitoring/prometheus/tests/. */
  name: string;
  evaluationSeconds: number;
  content: string;
}

/** An alert whose expression no input can make fire for this spec (a defect of the catalogue, reported). */
export class UnfireableAlert extends Error {}

/** Evaluation intervals the scenarios are run at (besides the production one). */
const TIERS = [60, 120, 180, 300, 900, 3600, 21_600];
/** Sample intervals of input series, and the most samples one series may have (promtool limits samples per query). */
const SAMPLE_INTERVALS = [15, 30, 60, 120, 300, 900, 3600];
const MAX_SAMPLES_PER_SERIES = 2000;
/** Labels the scraper adds to a target's series. */
const TARGET_LABELS = ['namespace', 'pod', 'job', 'instance', 'container'];

// ------------------------------------------------------------------ series helpers

/** A number in promtool's series notation: no exponent. */
function num(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`not a finite series value: ${x}`);
  const s = String(x);
  return /e/i.test(s) ? x.toFixed(20).replace(/\.?0+$/, '') : s;
}

function seriesString(name: string, labels: Labels): string {
  return `${name}${selector(Object.entries(labels).map(([k, v]): Matcher => [k, '=', v]))}`;
}

/**
 * A series of one of our metrics. Its labels must be exactly the ones the emitting code sets (METRICS), plus
 * target labels the scraper adds: a test cannot drift away from what the generated code exposes.
 */
function ours(key: MetricKey, labels: Labels, suffix: '' | '_bucket' = ''): string {
  const declared: readonly string[] = METRICS[key].labels;
  const missing = declared.filter((l) => !(l in labels));
  const unknown = Object.keys(labels).filter((l) => !declared.includes(l) && !TARGET_LABELS.includes(l) && !(suffix === '_bucket' && l === 'le'));
  if (missing.length > 0 || unknown.length > 0) throw new Error(`test series of ${METRICS[key].name}: missing labels [${missing.join(', ')}], undeclared labels [${unknown.join(', ')}]`);
  return seriesString(series(key, suffix), labels);
}

/** The expanding notation of promtool ('0+10x60'), one segment per phase, `count` samples after the first. */
function renderValues(phases: Phase[], interval: number, horizon: number): string {
  const total = Math.ceil(horizon / interval);
  const segments: string[] = [];
  let used = -1; // samples written so far minus one (the first sample starts the first segment)
  let last = 0;
  phases.forEach((ph, i) => {
    const isLast = i === phases.length - 1;
    const steps = isLast ? Math.max(0, total - used - 1) : Math.max(1, Math.round((ph.seconds ?? 0) / interval));
    if ('value' in ph) {
      segments.push(`${num(ph.value)}+0x${steps}`);
      last = ph.value;
    } else {
      // Increments rounded to 12 significant digits: ratios keep a margin far larger than that.
      const inc = Number((ph.perSecond * interval).toPrecision(12));
      const start = used < 0 ? 0 : last + inc;
      segments.push(`${num(start)}+${num(inc)}x${steps}`);
      last = start + inc * steps;
    }
    used += steps + 1;
  });
  return segments.join(' ');
}

/** A histogram whose observations all fall into the bucket (buckets[i-1], buckets[i]] at `perSecond`. */
function histogram(key: MetricKey, labels: Labels, buckets: readonly number[], bucketIndex: number, perSecond: number): Input[] {
  return [...buckets.map(num), '+Inf'].map((le, i) => ({ series: ours(key, { ...labels, le }, '_bucket'), phases: [{ perSecond: i >= bucketIndex ? perSecond : 0 }] }));
}

/** The bucket index whose lower bound is at or above `threshold` (p99 lands strictly above it), finite upper bound. */
function bucketAbove(buckets: readonly number[], threshold: number, alert: string): number {
  const i = buckets.findIndex((b, j) => j > 0 && buckets[j - 1]! >= threshold);
  if (i < 0) throw new UnfireableAlert(`${alert} cannot fire: no finite histogram bucket lies above ${threshold} s (histogram_quantile caps at the highest finite bucket)`);
  return i;
}

/** The bucket index whose upper bound is at or below `threshold` (p99 stays at or below it). */
function bucketBelow(buckets: readonly number[], threshold: number): number {
  const below = buckets.map((b, i) => [b, i] as const).filter(([b]) => b <= threshold);
  return below.length > 0 ? below.at(-1)![1] : 0;
}

/** A gauge value that satisfies `value op threshold` (the boundary itself for inclusive comparisons). */
function breaching(op: Comparison, threshold: number): number {
  const margin = Math.max(Math.abs(threshold) * 0.5, 0.001);
  if (op === '>=' || op === '<=') return threshold;
  return op === '>' ? threshold + margin : threshold - margin;
}

/** A gauge value just on the safe side (the threshold itself for strict comparisons, 1 % away otherwise). */
function safe(op: Comparison, threshold: number): number {
  if (op === '>' || op === '<') return threshold;
  const margin = Math.max(Math.abs(threshold) * 0.01, 1e-6);
  return op === '>=' ? threshold - margin : threshold + margin;
}

function vendorThreshold(a: AlertDefinition): { op: Comparison; threshold: number } {
  if (a.vendor.kind !== 'threshold') throw new Error(`${a.name}: expected a threshold alert`);
  return { op: a.vendor.op, threshold: a.vendor.threshold };
}

function staleAfter(a: AlertDefinition): number {
  if (a.vendor.kind !== 'staleness') throw new Error(`${a.name}: expected a staleness alert`);
  return a.vendor.afterSeconds;
}

// ------------------------------------------------------------------ scenarios per alert

function scenarios(p: MonitoringPlan, a: AlertDefinition): Scenario[] {
  const I = p.timing.scrapeSeconds;
  const S: Labels = { namespace: p.namespaces.serving, model: p.model };
  const pipe: Labels = { pipeline: p.pipeline };
  const rps = p.traffic.averageRps > 0 ? p.traffic.averageRps : 1;
  const req = (code: string) => ours('requests', { ...S, version: '1', endpoint: 'predict', code });
  /** Online traffic at `total` rps with `errorFraction` of 5xx, per phase. */
  const traffic = (phases: { total: number; errorFraction: number; seconds?: number }[]): Input[] => [
    { series: req('500'), phases: phases.map((ph) => ({ perSecond: ph.total * ph.errorFraction, seconds: ph.seconds })) },
    { series: req('200'), phases: phases.map((ph) => ({ perSecond: ph.total * (1 - ph.errorFraction), seconds: ph.seconds })) },
  ];
  /** An error fraction above `threshold` (`>` or `>=`), or an error if no fraction ≤ 1 can reach it. */
  const aboveRatio = (threshold: number): number => {
    if (threshold >= 1) throw new UnfireableAlert(`${a.name} cannot fire: its error-ratio threshold ${threshold} is not below 1`);
    return Math.min(1, 2 * threshold, (1 + threshold) / 2) || 0.01;
  };
  const gauge = (series: string, value: number): Input => ({ series, phases: [{ value }] });
  const timestampStale = (seriesName: string, labels: Labels, threshold: number): Scenario[] => [
    {
      name: `${a.name} fires: newest timestamp ${threshold + 1} s old at the start`,
      settle: 0,
      fires: [labels],
      inputs: () => [gauge(seriesName, -(threshold + 1))],
    },
    { name: `${a.name} silent: newest timestamp exactly ${threshold} s old`, settle: 0, fires: [], inputs: (t) => [gauge(seriesName, t - threshold)] },
  ];
  const gaugeThreshold = (seriesName: string, out: Labels, extra: Input[] = []): Scenario[] => {
    const { op, threshold } = vendorThreshold(a);
    return [
      { name: `${a.name} fires: value ${breaching(op, threshold)} ${op} ${threshold}`, settle: 0, fires: [out], inputs: () => [gauge(seriesName, breaching(op, threshold)), ...extra] },
      { name: `${a.name} silent: value ${safe(op, threshold)} just on the safe side of ${op} ${threshold}`, settle: 0, fires: [], inputs: () => [gauge(seriesName, safe(op, threshold)), ...extra] },
    ];
  };

  const burnIndex = ['ModelAvailabilityFastBurn', 'ModelAvailabilitySlowBurn', 'ModelErrorBudgetBurn'].indexOf(a.name);
  if (burnIndex >= 0) {
    const w = p.burn.windows[burnIndex]!;
    const th = w.errorRatioThreshold;
    const high = aboveRatio(th);
    return [
      { name: `${a.name} fires: ${promNumber(high)} of requests fail (threshold ${th})`, settle: I, fires: [S], inputs: () => traffic([{ total: rps, errorFraction: high }]) },
      { name: `${a.name} silent: error ratio 90 % of ${th}`, settle: I, fires: [], inputs: () => traffic([{ total: rps, errorFraction: 0.9 * th }]) },
      {
        name: `${a.name} silent: the ${duration(w.longSeconds)} window still burns but the last ${duration(w.shortSeconds)} are clean`,
        settle: 4 * w.shortSeconds + 2 * I,
        fires: [],
        inputs: () => traffic([
          { total: rps, errorFraction: high, seconds: 3 * w.shortSeconds },
          { total: rps, errorFraction: 0 },
        ]),
      },
    ];
  }

  switch (a.name) {
    case 'ModelErrorSpike': {
      const th = p.timing.spikeThreshold;
      const settle = p.timing.fastWindowSeconds + I;
      return [
        { name: `${a.name} fires: ${promNumber(aboveRatio(th))} of requests fail at ${rps} rps`, settle, fires: [S], inputs: () => traffic([{ total: rps, errorFraction: aboveRatio(th) }]) },
        { name: `${a.name} silent: error ratio 90 % of ${th}`, settle, fires: [], inputs: () => traffic([{ total: rps, errorFraction: 0.9 * th }]) },
      ];
    }
    case 'ModelServingDown': {
      const up = seriesString(EXTERNAL_METRICS.up, { job: p.servingJob, namespace: p.namespaces.serving, instance: '10.0.0.1:8080', pod: `${p.servingJob}-0` });
      return [
        { name: `${a.name} fires: the serving target is down`, settle: 0, fires: [{}], inputs: () => [gauge(up, 0)] },
        { name: `${a.name} silent: the serving target is up`, settle: 0, fires: [], inputs: () => [gauge(up, 1)] },
      ];
    }
    case 'ModelLatencyP99High':
    case 'ModelLatencyP99Critical': {
      const th = a.name === 'ModelLatencyP99High' ? p.latency.p99Seconds : 2 * p.latency.p99Seconds;
      const b = p.latency.bucketsSeconds;
      const labels = { ...S, version: '1', endpoint: 'predict' };
      const above = bucketAbove(b, th, a.name);
      const below = bucketBelow(b, th);
      return [
        { name: `${a.name} fires: every request in the (${b[above - 1]}, ${b[above]}] s bucket`, settle: I, fires: [S], inputs: () => histogram('requestDuration', labels, b, above, rps) },
        { name: `${a.name} silent: every request at or below ${b[below]} s (threshold ${th} s)`, settle: I, fires: [], inputs: () => histogram('requestDuration', labels, b, below, rps) },
      ];
    }
    case 'ModelTrafficNearCapacity': {
      const th = p.latency.nearCapacityRps;
      const settle = 300 + I;
      return [
        { name: `${a.name} fires: ${promNumber(th * 1.25)} rps above ${th}`, settle, fires: [S], inputs: () => traffic([{ total: th * 1.25, errorFraction: 0 }]) },
        { name: `${a.name} silent: ${promNumber(th * 0.95)} rps, 95 % of ${th}`, settle, fires: [], inputs: () => traffic([{ total: th * 0.95, errorFraction: 0 }]) },
      ];
    }
    case 'FeatureServingLatencyHigh': {
      const th = p.latency.featureServingSeconds;
      const b = featureLatencyBuckets(p);
      const labels = { namespace: p.namespaces.serving, store: p.spec.options.feature_store, feature_view: p.up.data_scientist.feature_store.views[0]?.name ?? p.pipeline };
      const above = bucketAbove(b, th, a.name);
      const below = bucketBelow(b, th);
      const out = { namespace: p.namespaces.serving };
      return [
        { name: `${a.name} fires: every lookup in the (${b[above - 1]}, ${b[above]}] s bucket`, settle: I, fires: [out], inputs: () => histogram('featureStoreDuration', labels, b, above, rps) },
        { name: `${a.name} silent: every lookup at or below ${b[below]} s (threshold ${th} s)`, settle: I, fires: [], inputs: () => histogram('featureStoreDuration', labels, b, below, rps) },
      ];
    }
    case 'BatchScoringLate':
      return timestampStale(ours('batchLastSuccess', pipe), pipe, staleAfter(a));
    case 'BatchScoringFailed':
    case 'RetrainingFailed': {
      const key = a.name === 'BatchScoringFailed' ? 'batchRuns' : 'trainingRuns';
      const base: Labels = key === 'batchRuns' ? { ...pipe } : { ...pipe, trigger: 'drift' };
      const failed = ours(key, { ...base, result: 'failed' });
      const success = ours(key, { ...base, result: 'success' });
      return [
        { name: `${a.name} fires: one failed run`, settle: I, fires: [{ ...base, result: 'failed' }], inputs: () => [{ series: failed, phases: [{ value: 0, seconds: I }, { value: 1 }] }, gauge(success, 3)] },
        { name: `${a.name} silent: runs succeed, none failed`, settle: I, fires: [], inputs: () => [gauge(failed, 0), { series: success, phases: [{ value: 3, seconds: I }, { value: 4 }] }] },
      ];
    }
    case 'StreamConsumerLagHigh': {
      const stream = p.up.mlops_engineer.stream!;
      return gaugeThreshold(ours('streamLag', { ...pipe, topic: stream.topic, consumer_group: stream.consumer_group }), { ...pipe, topic: stream.topic });
    }
    case 'StreamProcessingErrors': {
      const th = p.timing.spikeThreshold;
      const topic = p.up.mlops_engineer.stream!.topic;
      const events = (f: number): Input[] => [
        { series: ours('streamMessages', { ...pipe, topic, result: 'failed' }), phases: [{ perSecond: rps * f }] },
        { series: ours('streamMessages', { ...pipe, topic, result: 'success' }), phases: [{ perSecond: rps * (1 - f) }] },
      ];
      return [
        { name: `${a.name} fires: ${promNumber(aboveRatio(th))} of events fail`, settle: I, fires: [pipe], inputs: () => events(aboveRatio(th)) },
        { name: `${a.name} silent: failure ratio 90 % of ${th}`, settle: I, fires: [], inputs: () => events(0.9 * th) },
      ];
    }
    case 'ModelQualityDegraded':
    case 'ModelQualityDegradationCritical': {
      const q = p.quality;
      const pct = a.name === 'ModelQualityDegraded' ? q.warnDegradationPct : q.criticalDegradationPct;
      const ref = q.referenceKnown && q.reference > 0 ? q.reference : 1;
      const degradation = pct / 100;
      if (q.direction === 'maximize' && degradation >= 1) throw new UnfireableAlert(`${a.name} cannot fire: a maximised metric cannot degrade by ${pct} %`);
      const current = (d: number) => (q.direction === 'maximize' ? ref * (1 - d) : ref * (1 + d));
      const labels: Labels = { ...pipe, model: p.model, version: '1' };
      const out: Labels = { ...pipe, model: p.model, metric: q.metric };
      const inputs = (d: number, samples: number) => (): Input[] => [
        gauge(ours('predictionQualityReference', { ...labels, metric: q.metric }), ref),
        gauge(ours('predictionQuality', { ...labels, metric: q.metric }), current(d)),
        gauge(ours('predictionQualitySamples', labels), samples),
      ];
      const fireD = Math.min(degradation * 1.2, q.direction === 'maximize' ? (1 + degradation) / 2 : Infinity);
      return [
        { name: `${a.name} fires: ${q.metric} degraded ${promNumber(fireD * 100)} % on exactly ${q.minLabelledSamples} labelled predictions`, settle: 0, fires: [out], inputs: inputs(fireD, q.minLabelledSamples) },
        { name: `${a.name} silent: degraded ${promNumber(degradation * 90)} %, 90 % of the ${pct} % limit`, settle: 0, fires: [], inputs: inputs(degradation * 0.9, q.minLabelledSamples) },
        ...(q.minLabelledSamples > 0
          ? [{ name: `${a.name} silent: degraded but only ${q.minLabelledSamples - 1} labelled predictions`, settle: 0, fires: [], inputs: inputs(fireD, q.minLabelledSamples - 1) }]
          : []),
      ];
    }
    case 'GroundTruthLabelsDelayed': {
      const labels = { ...pipe, model: p.model };
      return timestampStale(ours('labelsLastJoined', labels), labels, staleAfter(a));
    }
    case 'FeatureImportanceShift': {
      const labels = { ...pipe, model: p.model };
      return gaugeThreshold(ours('featureImportanceRankCorrelation', labels), labels);
    }
    case 'FeatureDriftHigh':
    case 'FeatureDriftModerate':
    case 'ProtectedAttributeDrift':
      return driftScenarios(p, a);
    case 'PredictionDriftHigh': {
      const labels = { ...pipe, model: p.model, test: 'psi' };
      return gaugeThreshold(ours('predictionDriftScore', labels), labels);
    }
    case 'DriftJobStale': {
      const threshold = staleAfter(a);
      const other = ours('driftJobLastSuccess', { pipeline: `${p.pipeline}-other` });
      return [
        ...timestampStale(ours('driftJobLastSuccess', pipe), pipe, threshold),
        { name: `${a.name} fires: the drift job never reported (only another pipeline did)`, settle: 0, fires: [pipe], inputs: (t) => [gauge(other, t)] },
      ];
    }
    case 'DataValidationPassRateLow': {
      const target = p.spec.slo.validation_pass_rate_pct / 100;
      if (target <= 0) throw new UnfireableAlert(`${a.name} cannot fire: the pass-rate objective is 0 %`);
      const failFire = target >= 1 ? 0.01 : Math.min(1, 2 * (1 - target));
      const failSafe = (1 - target) / 2;
      const dataset = p.up.data_engineer.sources[0]?.name ?? p.pipeline;
      const check = p.up.data_engineer.quality.gates[0]?.name ?? 'schema';
      const checks = (fail: number): Input[] => [
        { series: ours('dataValidationChecks', { ...pipe, dataset, check, result: 'fail' }), phases: [{ perSecond: 10 * fail }] },
        { series: ours('dataValidationChecks', { ...pipe, dataset, check, result: 'pass' }), phases: [{ perSecond: 10 * (1 - fail) }] },
      ];
      return [
        { name: `${a.name} fires: ${promNumber(100 * (1 - failFire))} % of checks pass`, settle: I, fires: [pipe], inputs: () => checks(failFire) },
        { name: `${a.name} silent: ${promNumber(100 * (1 - failSafe))} % of checks pass`, settle: I, fires: [], inputs: () => checks(failSafe) },
      ];
    }
    case 'DataQualityIssueRateHigh': {
      const th = p.spec.slo.data_quality_issue_pct / 100;
      const fire = Math.min(1, th > 0 ? 2 * th : 0.01);
      if (fire <= th) throw new UnfireableAlert(`${a.name} cannot fire: the issue threshold ${th} is not below 1`);
      const dataset = p.up.data_engineer.sources[0]?.name ?? p.pipeline;
      const records = (issues: number): Input[] => [
        { series: ours('dataRecords', { ...pipe, dataset, result: 'valid' }), phases: [{ perSecond: 100 * (1 - issues) }] },
        { series: ours('dataRecords', { ...pipe, dataset, result: 'quarantined' }), phases: [{ perSecond: 50 * issues }] },
        { series: ours('dataRecords', { ...pipe, dataset, result: 'rejected' }), phases: [{ perSecond: 50 * issues }] },
      ];
      return [
        { name: `${a.name} fires: ${promNumber(fire * 100)} % of records quarantined or rejected`, settle: I, fires: [pipe], inputs: () => records(fire) },
        { name: `${a.name} silent: ${promNumber(th * 50)} % of records quarantined or rejected`, settle: I, fires: [], inputs: () => records(th / 2) },
      ];
    }
    case 'CostForecastOverrun': {
      const budget = p.cost.monthlyBudgetUsd;
      const month = 31 * 86_400; // promtool's clock starts on 1970-01-01: a 31-day month
      const cost = (factor: number): Input[] => [{ series: ours('cost', { ...pipe, team: p.cost.teamLabel, component: p.cost.components[0] ?? 'serving' }), phases: [{ perSecond: (factor * budget) / month }] }];
      const day4 = 3 * 86_400;
      return [
        { name: `${a.name} fires: on day 4 the month-to-date cost runs at 150 % of the budget pace`, settle: day4, fires: [pipe], inputs: () => cost(1.5) },
        { name: `${a.name} silent: on day 4 the cost runs at 50 % of the budget pace`, settle: day4, fires: [], inputs: () => cost(0.5) },
        { name: `${a.name} silent: in the first 3 days of the month, even at 150 % of the pace`, settle: 0, fires: [], inputs: () => cost(1.5) },
      ];
    }
    case 'SpotShareLow': {
      const { threshold } = vendorThreshold(a);
      if (threshold <= 0) throw new UnfireableAlert(`${a.name} cannot fire: the minimum spot share is 0 %`);
      const [spotLabel, , spotValue] = spotLabelMatcher(p);
      const requests = (node: string, pod: string, cores: number) =>
        gauge(seriesString(EXTERNAL_METRICS.cpuRequests, { namespace: p.namespaces.training, pod, container: 'trainer', node, resource: 'cpu', unit: 'core' }), cores);
      const nodes = [gauge(seriesString(EXTERNAL_METRICS.nodeLabels, { node: 'spot-node', [spotLabel]: spotValue }), 1), gauge(seriesString(EXTERNAL_METRICS.nodeLabels, { node: 'on-demand-node' }), 1)];
      // Integer percentages give an exact ratio, so the boundary itself can be tested.
      const pct = p.cost.minSpotPct;
      const safeSpot = Number.isInteger(pct) ? pct : pct + 0.5;
      return [
        { name: `${a.name} fires: ${promNumber(pct / 2)} % of interruptible CPU requests on spot`, settle: 0, fires: [pipe], inputs: () => [requests('spot-node', 'trainer-0', pct / 2), requests('on-demand-node', 'trainer-1', 100 - pct / 2), ...nodes] },
        { name: `${a.name} silent: exactly ${promNumber(safeSpot)} % on spot`, settle: 0, fires: [], inputs: () => [requests('spot-node', 'trainer-0', safeSpot), requests('on-demand-node', 'trainer-1', 100 - safeSpot), ...nodes] },
      ];
    }
    case 'InfrastructureWasteHigh': {
      const { threshold } = vendorThreshold(a);
      if (threshold >= 1) throw new UnfireableAlert(`${a.name} cannot fire: the waste limit is 100 %`);
      const cores = 4;
      const target = { namespace: p.namespaces.serving, pod: `${p.servingJob}-0`, container: 'server' };
      const usage = (waste: number): Input[] => [
        { series: seriesString(EXTERNAL_METRICS.cpuUsage, target), phases: [{ perSecond: cores * (1 - waste) }] },
        gauge(seriesString(EXTERNAL_METRICS.cpuRequests, { ...target, node: 'node-1', resource: 'cpu', unit: 'core' }), cores),
      ];
      const fire = (1 + threshold) / 2;
      return [
        { name: `${a.name} fires: ${promNumber(fire * 100)} % of requested CPU idle`, settle: 3600 + I, fires: [pipe], inputs: () => usage(fire) },
        { name: `${a.name} silent: ${promNumber(threshold * 90)} % idle, 90 % of the limit`, settle: 3600 + I, fires: [], inputs: () => usage(threshold * 0.9) },
      ];
    }
    case 'ServingGpuUnderutilised': {
      const gpu = seriesString(EXTERNAL_METRICS.gpuUtilisation, { namespace: p.namespaces.serving, pod: `${p.servingJob}-0`, gpu: '0' });
      return gaugeThreshold(gpu, {});
    }
    default: {
      const budget = /^CostBudget(\d+)Pct$/.exec(a.name);
      if (budget) {
        const i = p.cost.thresholdsPct.indexOf(Number(budget[1]));
        const usd = p.cost.thresholdsUsd[i];
        if (usd === undefined || usd <= 0) throw new Error(`${a.name}: no positive budget threshold`);
        const [first, second] = [p.cost.components[0] ?? 'serving', p.cost.components[1] ?? 'training'];
        const cost = (total: number): Input[] => [
          gauge(ours('cost', { ...pipe, team: p.cost.teamLabel, component: first }), total / 2),
          gauge(ours('cost', { ...pipe, team: p.cost.teamLabel, component: second }), total / 2),
        ];
        return [
          { name: `${a.name} fires: month-to-date cost exactly ${usd} USD`, settle: 0, fires: [pipe], inputs: () => cost(usd) },
          { name: `${a.name} silent: month-to-date cost one cent below ${usd} USD`, settle: 0, fires: [], inputs: () => cost(usd - 0.01) },
        ];
      }
      throw new Error(`no promtool scenario for alert ${a.name}: add one in ruleTests.ts`);
    }
  }
}

/** Feature latency buckets of the generated metrics module (python.ts FEATURE_LATENCY_BUCKETS_SECONDS). */
function featureLatencyBuckets(p: MonitoringPlan): number[] {
  return [...new Set([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5].concat([p.latency.featureServingSeconds]))].sort((x, y) => x - y);
}

function driftScenarios(p: MonitoringPlan, a: AlertDefinition): Scenario[] {
  const isProtected = a.name === 'ProtectedAttributeDrift';
  const level = a.name === 'FeatureDriftHigh' ? 'critical' : 'warn';
  const mine = p.tests.filter((t) => t.protected === isProtected);
  const others = p.tests.filter((t) => t.protected !== isProtected);
  const out = (t: (typeof p.tests)[number]): Labels => ({ pipeline: p.pipeline, feature: t.feature, test: t.test });
  const pairInputs = (t: (typeof p.tests)[number], score: number, pValue: number | null): Input[] => [
    { series: ours('featureDriftScore', out(t)), phases: [{ value: score }] },
    ...(t.pValueMax !== null && pValue !== null ? [{ series: ours('featureDriftPValue', out(t)), phases: [{ value: pValue }] }] : []),
  ];
  const significant = (t: (typeof p.tests)[number]) => (t.pValueMax !== null ? t.pValueMax / 2 : null);
  const at = (t: (typeof p.tests)[number]) => (level === 'critical' ? t.critical : t.warn);
  // The other group (protected vs monitored features) drifts hard in every case: it must never fire this alert.
  const noise = () => others.flatMap((t) => pairInputs(t, t.critical, significant(t)));
  const cases: Scenario[] = [
    {
      name: `${a.name} fires: every ${isProtected ? 'protected' : 'monitored'} feature exactly at its ${level} level, significant p-value`,
      settle: 0,
      fires: mine.map(out),
      inputs: () => [...mine.flatMap((t) => pairInputs(t, at(t), significant(t))), ...noise()],
    },
    {
      name: `${a.name} silent: every score 1 % below its ${level} level`,
      settle: 0,
      fires: [],
      inputs: () => [...mine.flatMap((t) => pairInputs(t, at(t) * 0.99, significant(t))), ...noise()],
    },
  ];
  if (mine.some((t) => t.pValueMax !== null)) {
    cases.push({
      name: `${a.name} silent: scores at the ${level} level but p-values not below their limit`,
      settle: 0,
      fires: [],
      inputs: () => [...mine.filter((t) => t.pValueMax !== null).flatMap((t) => pairInputs(t, at(t), t.pValueMax)), ...noise()],
    });
  }
  if (a.name === 'FeatureDriftModerate') {
    cases.push({ name: `${a.name} silent: scores at the critical level belong to FeatureDriftHigh`, settle: 0, fires: [], inputs: () => [...mine.flatMap((t) => pairInputs(t, t.critical, significant(t))), ...noise()] });
  }
  return cases;
}

// ------------------------------------------------------------------ rendering

/** The evaluation interval of a scenario: the coarsest tier that resolves settle + for in at least four steps. */
function tierFor(p: MonitoringPlan, span: number): number {
  const base = p.timing.evaluationSeconds;
  return Math.max(base, ...TIERS.filter((t) => t >= base && t <= span / 4));
}

function expand(template: string, labels: Labels, alert: string): string {
  const out = template.replace(/\{\{ \$labels\.([A-Za-z_][A-Za-z0-9_]*) \}\}/g, (_m, name: string) => labels[name] ?? '<no value>');
  if (out.includes('{{')) throw new Error(`${alert}: annotation template the unit test cannot expand: ${template}`);
  return out;
}

function testGroup(p: MonitoringPlan, a: AlertDefinition, s: Scenario, evaluation: number): TestGroup {
  const rule = alertingRule(p, a);
  // Inputs holding the condition from t = 0 fire exactly when `for:` has elapsed (a tight test of `for:`);
  // inputs that need a window to fill get one more evaluation of margin.
  const sharp = s.settle === 0;
  const evalTime = Math.ceil((s.settle + a.forSeconds) / evaluation) * evaluation + (sharp ? 0 : evaluation);
  const inputs = s.inputs(evalTime);
  // Series are sampled at the scrape interval, coarser for scenarios spanning days so that a range query stays
  // under promtool's sample limit (the windows such scenarios use are hours long).
  const I = [p.timing.scrapeSeconds, ...SAMPLE_INTERVALS].find((i) => i >= p.timing.scrapeSeconds && evalTime / i <= MAX_SAMPLES_PER_SERIES)!;
  const checks: AlertRuleTest[] = [];
  // Firing for less than `for:` is not firing yet: one evaluation earlier (sharp onset) or before `for:` elapsed.
  const pending = sharp ? evalTime - evaluation : a.forSeconds - evaluation;
  if (s.fires.length > 0 && a.forSeconds > 0 && pending > 0) checks.push({ eval_time: duration(pending), alertname: a.name, exp_alerts: [] });
  checks.push({
    eval_time: duration(evalTime),
    alertname: a.name,
    exp_alerts: s.fires.map((labels) => ({
      exp_labels: { ...labels, ...rule.labels },
      exp_annotations: Object.fromEntries(Object.entries(rule.annotations).map(([k, v]) => [k, expand(v, labels, a.name)])),
    })),
  });
  return {
    name: s.name,
    interval: duration(I),
    input_series: inputs.map((i) => ({ series: i.series, values: renderValues(i.phases, I, evalTime) })),
    alert_rule_test: checks,
  };
}

const PROMQL_KEYWORDS = new Set(['and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'inf', 'nan']);

/**
 * The metric names a PromQL expression selects: string literals, label matchers, ranges and grouping label lists
 * removed, then every identifier that is not a function call or a keyword. Anything odd only makes the set larger,
 * which keeps scenarios apart.
 */
export function metricNames(expr: string): Set<string> {
  const noStrings = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  // A name given as a matcher ({__name__="x"}, or Prometheus 3's {"x"}) would be removed with the matchers.
  if (/__name__|\{\s*""/.test(noStrings)) throw new Error(`metricNames: a metric name inside the label matchers is not supported: ${expr}`);
  const bare = noStrings
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const m of bare.matchAll(/(?<![\w:.])([A-Za-z_:][\w:]*)(?![\w:])(?!\s*\()/g)) if (!PROMQL_KEYWORDS.has(m[1]!.toLowerCase())) names.add(m[1]!);
  return names;
}

/** The expressions of each recording rule of the plan, by the series it records. */
function recordedExpressions(p: MonitoringPlan): Map<string, string[]> {
  const recorded = new Map<string, string[]>();
  for (const r of recordingRules(p)) recorded.set(r.record, [...(recorded.get(r.record) ?? []), r.expr]);
  return recorded;
}

/** What an alert reads: the metrics of its expression, through the recording rules it uses. */
export function metricsRead(p: MonitoringPlan, a: AlertDefinition, recorded = recordedExpressions(p)): Set<string> {
  const read = new Set<string>();
  const visit = (expr: string) => {
    for (const name of metricNames(expr)) {
      if (read.has(name)) continue;
      read.add(name);
      for (const source of recorded.get(name) ?? []) visit(source);
    }
  };
  visit(a.expr);
  return read;
}

interface PackedGroup {
  group: TestGroup;
  alerts: Set<string>;
  metrics: Set<string>;
}

/** First-fit packing of scenarios into shared test groups (see the cost note at the top). */
function pack(groups: { group: TestGroup; alert: string; metrics: Set<string> }[]): TestGroup[] {
  const packed: PackedGroup[] = [];
  for (const g of groups) {
    const into = packed.find((q) => q.group.interval === g.group.interval && !q.alerts.has(g.alert) && ![...g.metrics].some((m) => q.metrics.has(m)));
    if (!into) {
      packed.push({ group: { ...g.group }, alerts: new Set([g.alert]), metrics: new Set(g.metrics) });
      continue;
    }
    into.group = {
      name: `${into.group.name} | ${g.group.name}`,
      interval: into.group.interval,
      input_series: [...into.group.input_series, ...g.group.input_series],
      alert_rule_test: [...into.group.alert_rule_test, ...g.group.alert_rule_test],
    };
    into.alerts.add(g.alert);
    for (const m of g.metrics) into.metrics.add(m);
  }
  return packed.map((q) => q.group);
}

/**
 * The promtool unit-test files of the catalogue (monitoring/prometheus/tests/<name>, rule file `../rules.yml`),
 * the production evaluation interval first (`alerts.test.yml`), then one file per coarser interval.
 */
export function promtoolTestFiles(p: MonitoringPlan, alerts: AlertDefinition[]): PromtoolTestFileOutput[] {
  const byInterval = new Map<number, { group: TestGroup; alert: string; metrics: Set<string> }[]>();
  const recorded = recordedExpressions(p);
  for (const a of alerts) {
    let cases: Scenario[];
    try {
      cases = scenarios(p, a);
    } catch (error) {
      // A valid spec must not break the phase: the alert gets no test (untestedAlerts says why).
      if (error instanceof UnfireableAlert) continue;
      throw error;
    }
    const read = metricsRead(p, a, recorded);
    for (const s of cases) {
      const evaluation = tierFor(p, s.settle + a.forSeconds);
      const group = testGroup(p, a, s, evaluation);
      // A scenario's own inputs count too: a series it adds must not reach another alert of the group.
      const metrics = new Set([...read, ...group.input_series.flatMap((i) => [...metricNames(i.series)])]);
      byInterval.set(evaluation, [...(byInterval.get(evaluation) ?? []), { group, alert: a.name, metrics }]);
    }
  }
  const base = p.timing.evaluationSeconds;
  return [...byInterval.entries()]
    .sort(([x], [y]) => x - y)
    .map(([evaluation, tests]) => {
      const file: PromtoolTestFile = {
        rule_files: ['../rules.yml'],
        evaluation_interval: duration(evaluation),
        // Recording rules first, so that alerts see the series recorded at the same evaluation.
        group_eval_order: [`${p.pipeline}.recording`, `${p.pipeline}.alerts`],
        tests: pack(tests),
      };
      return { name: evaluation === base ? 'alerts.test.yml' : `alerts-${duration(evaluation)}.test.yml`, evaluationSeconds: evaluation, content: toYaml(file) };
    });
}

/** Alerts of the catalogue that no input can fire for this spec, with the reason (they get no unit test). */
export function untestedAlerts(p: MonitoringPlan, alerts: AlertDefinition[]): { alert: string; reason: string }[] {
  return alerts.flatMap((a) => {
    try {
      scenarios(p, a);
      return [];
    } catch (error) {
      if (error instanceof UnfireableAlert) return [{ alert: a.name, reason: error.message }];
      throw error;
    }
  });
}
