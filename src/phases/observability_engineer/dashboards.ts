import { buildAlerts } from './alerts.js';
import { EXTERNAL_METRICS, METRICS, series } from './metrics.js';
import type { MonitoringPlan } from './plan.js';
import { duration, promNumber, selector, type Matcher } from './promql.js';

/**
 * Dashboards and their panels: one dashboard per concern, each panel naming the series it plots (`source`, what
 * the Datadog / New Relic renderings use) and, for Grafana on Prometheus (grafana.ts), its PromQL queries, unit,
 * visualisation and threshold colours. Every query uses the recording rules of rules.ts or the metric names of
 * metrics.ts; every threshold is a figure of the plan (or of the alert it mirrors).
 */
export type PanelKind = 'timeseries' | 'stat' | 'bargauge';

/** Grafana unit ids (packages/grafana-data/src/valueFormats/categories.ts). */
export type PanelUnit = 'reqps' | 'percentunit' | 's' | 'currencyUSD' | 'short' | 'none' | 'ops';

export type ThresholdColor = 'green' | 'yellow' | 'orange' | 'red' | 'blue';

/** Colour steps: `base` applies below the first step; steps are sorted by value. */
export interface Thresholds {
  base: ThresholdColor;
  steps: { value: number; color: ThresholdColor }[];
}

export interface PanelQuery {
  expr: string;
  /** Legend template (`{{label}}`) naming each series. */
  legend: string;
}

export interface Panel {
  title: string;
  /** The series the panel plots (metric and recording-rule names, comma-separated), derived from the queries. */
  source: string;
  description: string;
  kind: PanelKind;
  unit: PanelUnit;
  queries: PanelQuery[];
  thresholds?: Thresholds;
  /** Thresholds of individual series (by legend), e.g. each feature's levels of its drift test. */
  seriesThresholds?: { series: string; thresholds: Thresholds }[];
  min?: number;
  max?: number;
  /** Grid columns out of 24. */
  width: number;
  /** Grid rows. */
  height: number;
}

export interface Dashboard {
  /** Stable short name: the file name and uid suffix of the Grafana dashboard. */
  key: string;
  title: string;
  description: string;
  panels: Panel[];
}

// ------------------------------------------------------------------ PromQL names

const PROMQL_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);
const GROUPING = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

/**
 * Metric and recording-rule names an expression selects, in order of appearance: identifiers outside label
 * matchers, strings, ranges and grouping clauses that are not function calls or keywords.
 */
export function promqlMetricNames(expr: string): string[] {
  const names: string[] = [];
  let i = 0;
  let pendingGrouping = false;
  while (i < expr.length) {
    const c = expr[i]!;
    if (c === '"' || c === "'" || c === '`') {
      i += 1;
      while (i < expr.length && expr[i] !== c) i += expr[i] === '\\' && c !== '`' ? 2 : 1;
      i += 1;
    } else if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i += 1;
      while (i < expr.length && expr[i] !== close) {
        if (expr[i] === '"' || expr[i] === "'") {
          const q = expr[i]!;
          i += 1;
          while (i < expr.length && expr[i] !== q) i += expr[i] === '\\' ? 2 : 1;
        }
        i += 1;
      }
      i += 1;
    } else if (c === '(' && pendingGrouping) {
      i = expr.indexOf(')', i) + 1 || expr.length;
      pendingGrouping = false;
    } else if (/[A-Za-z_:]/.test(c)) {
      const m = /^[A-Za-z_:][A-Za-z0-9_:]*/.exec(expr.slice(i))![0];
      i += m.length;
      const rest = expr.slice(i).trimStart();
      if (GROUPING.has(m)) pendingGrouping = true;
      // A function call, or an aggregation with its grouping before the parenthesis: `sum by (le) (...)`.
      else if (PROMQL_KEYWORDS.has(m.toLowerCase()) || rest.startsWith('(') || /^(by|without)\s*\(/.test(rest)) continue;
      else if (!names.includes(m)) names.push(m);
    } else if (/[0-9.]/.test(c)) {
      i += /^[0-9.eE+-]*[0-9a-zA-Z]*/.exec(expr.slice(i))![0].length || 1;
    } else {
      i += 1;
    }
  }
  return names;
}

function sourceOf(queries: PanelQuery[]): string {
  return [...new Set(queries.flatMap((q) => promqlMetricNames(q.expr)))].join(', ');
}

type PanelInput = Omit<Panel, 'source' | 'width' | 'height'> & { width?: number; height?: number };

function panel(input: PanelInput): Panel {
  const { width = 12, height = input.kind === 'stat' ? 5 : 8, ...rest } = input;
  return { ...rest, source: sourceOf(input.queries), width, height };
}

// ------------------------------------------------------------------ thresholds

/** A percentage as a ratio without binary noise (99.9 → 0.999, not 0.9990000000000001). */
const ratio = (pct: number) => Number((pct / 100).toPrecision(12));

const sortSteps = (t: Thresholds): Thresholds => {
  const steps = [...t.steps].sort((a, b) => a.value - b.value).filter((s, i, all) => i === 0 || s.value !== all[i - 1]!.value);
  return { base: t.base, steps };
};

/** Bad when high: green, then yellow from `warn`, red from `critical`. */
export function highIsBad(warn: number | null, critical: number): Thresholds {
  return sortSteps({ base: 'green', steps: [...(warn !== null && warn < critical ? [{ value: warn, color: 'yellow' as const }] : []), { value: critical, color: 'red' }] });
}

/** Bad when low: red below `critical`, yellow up to `warn`, green from there. */
export function lowIsBad(warn: number | null, critical: number): Thresholds {
  return sortSteps({ base: 'red', steps: [{ value: critical, color: warn !== null && warn > critical ? 'yellow' : 'green' }, ...(warn !== null && warn > critical ? [{ value: warn, color: 'green' as const }] : [])] });
}

/** The budget lines: green, then one colour per threshold percentage (50/80/100 % by default). */
function budgetLines(p: MonitoringPlan): Thresholds {
  const colors: ThresholdColor[] = ['yellow', 'orange', 'red'];
  return sortSteps({ base: 'green', steps: p.cost.thresholdsUsd.map((value, i) => ({ value, color: colors[Math.min(i, colors.length - 1)]! })) });
}

// ------------------------------------------------------------------ dashboards

/** Figures of the alert catalogue the dashboards mirror (batch lateness, stream lag), so a line sits where its alert fires. */
function alertFigures(p: MonitoringPlan) {
  const alerts = buildAlerts(p);
  const figure = (name: string): number | null => {
    const v = alerts.find((a) => a.name === name)?.vendor;
    if (!v) return null;
    if (v.kind === 'threshold') return v.threshold;
    if (v.kind === 'staleness') return v.afterSeconds;
    return null;
  };
  return { batchLateSeconds: figure('BatchScoringLate'), streamLagSeconds: figure('StreamConsumerLagHigh') };
}

function servingDashboard(p: MonitoringPlan): Dashboard {
  const slo = p.spec.slo;
  const servingM: Matcher[] = [
    ['namespace', '=', p.namespaces.serving],
    ['model', '=', p.model],
  ];
  const S = selector(servingM);
  const rule = (name: string) => `${name}${S}`;
  const quantile = (q: number) => `histogram_quantile(${q}, sum by (le) (rate(${series('requestDuration', '_bucket')}${S}[5m])))`;
  const e = p.burn.errorBudgetRatio;
  const burnSeries = [...new Set(p.burn.windows.map((w) => duration(w.longSeconds)))];
  return {
    key: 'serving',
    title: `${p.pipeline} / Serving SLO`,
    description: `Online serving of ${p.model} in ${p.namespaces.serving}: availability ${slo.availability_pct} %, p99 ${slo.p99_latency_ms} ms, capacity ${p.latency.capacityRps} rps.`,
    panels: [
      panel({
        title: `Throughput vs capacity ${p.latency.capacityRps} rps`,
        description: `Requests per second (5m rate); yellow at 80 % of capacity (${p.latency.nearCapacityRps} rps), red at ${p.latency.maxReplicas} replicas × ${p.latency.rpsPerReplica} rps. Peak expected: ${p.traffic.peakRps} rps.`,
        kind: 'timeseries',
        unit: 'reqps',
        queries: [{ expr: rule('model:requests:rate5m'), legend: '{{model}}' }],
        thresholds: highIsBad(p.latency.nearCapacityRps, p.latency.capacityRps),
        min: 0,
      }),
      panel({
        title: 'Error ratio (5xx, 5m)',
        description: `Share of requests answered with a 5xx code; yellow at the error budget ${e} (1 − ${slo.availability_pct} %), red at the spike threshold ${p.timing.spikeThreshold}.`,
        kind: 'timeseries',
        unit: 'percentunit',
        queries: [{ expr: rule('model:request_errors:ratio_rate5m'), legend: '{{model}}' }],
        thresholds: highIsBad(e, Math.max(e, p.timing.spikeThreshold)),
        min: 0,
      }),
      panel({
        title: `Latency p50 / p95 / p99 vs ${slo.p99_latency_ms} ms`,
        description: `Quantiles of ${series('requestDuration')} over 5m; the red line is the p99 SLO. Buckets are multiples of the SLO so the line sits on a bucket boundary.`,
        kind: 'timeseries',
        unit: 's',
        queries: [
          { expr: quantile(0.5), legend: 'p50' },
          { expr: quantile(0.95), legend: 'p95' },
          { expr: rule('model:request_duration_seconds:p99_5m'), legend: 'p99' },
        ],
        thresholds: highIsBad(null, p.latency.p99Seconds),
        min: 0,
      }),
      panel({
        title: `Availability vs ${slo.availability_pct} % (3 d)`,
        description: `1 − 5xx ratio over the longest burn window (3 d); red below the ${slo.availability_pct} % target.`,
        kind: 'stat',
        unit: 'percentunit',
        queries: [{ expr: `1 - ${rule('model:request_errors:ratio_rate3d')}`, legend: '{{model}}' }],
        thresholds: lowIsBad(null, ratio(slo.availability_pct)),
        width: 6,
        height: 8,
      }),
      panel({
        title: `Burn rate, ${burnSeries.join(' / ')} windows`,
        description: `Error ratio / error budget (${e}). Multi-window alerts fire at ${p.burn.windows.map((w) => `${w.burnRate}× over ${duration(w.longSeconds)}`).join(', ')}.`,
        kind: 'timeseries',
        unit: 'none',
        queries: burnSeries.map((w) => ({ expr: `${rule(`model:request_errors:ratio_rate${w}`)} / ${promNumber(e)}`, legend: w })),
        thresholds: sortSteps({ base: 'green', steps: [...new Set(p.burn.windows.map((w) => w.burnRate))].sort((a, b) => a - b).map((value, i, all) => ({ value, color: (['red', 'orange', 'yellow'] as const)[Math.min(2, all.length - 1 - i)] ?? 'red' })) }),
        min: 0,
        width: 18,
      }),
      panel({
        title: `Feature retrieval p99 vs ${slo.feature_serving_latency_ms} ms`,
        description: `Online feature lookup latency measured in the model server (includes the network hop); red at the feature serving SLO.`,
        kind: 'timeseries',
        unit: 's',
        queries: [{ expr: `feature_store:request_duration_seconds:p99_5m${selector([['namespace', '=', p.namespaces.serving]])}`, legend: 'p99' }],
        thresholds: highIsBad(null, p.latency.featureServingSeconds),
        min: 0,
        width: 24,
      }),
    ],
  };
}

function qualityDashboard(p: MonitoringPlan): Dashboard {
  const q = p.quality;
  const pipeM: Matcher[] = [['pipeline', '=', p.pipeline]];
  const P = selector(pipeM);
  const metricSel = selector([...pipeM, ['metric', '=', q.metric]]);
  const levels = q.referenceKnown ? (q.direction === 'maximize' ? lowIsBad(q.warnThreshold, q.criticalThreshold) : highIsBad(q.warnThreshold, q.criticalThreshold)) : undefined;
  const kpiSel = selector([...pipeM, ['kpi', '=', p.kpi.kpi]]);
  return {
    key: 'model-quality',
    title: `${p.pipeline} / Model quality`,
    description: `${q.metric} of ${p.model} on predictions whose labels arrived (label delay ${q.labelDelayHours} h, window ${q.windowHours} h, at least ${q.minLabelledSamples} labelled predictions).`,
    panels: [
      panel({
        title: `${q.metric} (window ${q.windowHours} h) vs ${q.referenceKnown ? `reference ${q.reference}` : 'the reference recorded at promotion'}`,
        description: q.referenceKnown
          ? `Current value and the promoted version's reference; yellow/red lines at the warning (${q.warnThreshold}) and critical (${q.criticalThreshold}) levels (${q.warnDegradationPct} % / ${q.criticalDegradationPct} % relative to ${q.reference}).`
          : `Current value and the promoted version's reference (the promotion gate is relative, so the levels are relative: see the degradation panel).`,
        kind: 'timeseries',
        unit: 'none',
        queries: [
          { expr: `${series('predictionQuality')}${metricSel}`, legend: '{{version}} {{metric}}' },
          { expr: `${series('predictionQualityReference')}${metricSel}`, legend: 'reference {{version}}' },
        ],
        ...(levels ? { thresholds: levels } : {}),
      }),
      panel({
        title: 'Relative degradation vs warn/critical limits',
        description: `Relative drop of ${q.metric} against the reference (${q.direction === 'maximize' ? '(reference − current) / reference' : '(current − reference) / reference'}); yellow at ${q.warnDegradationPct} %, red at ${q.criticalDegradationPct} % (the retraining trigger).`,
        kind: 'timeseries',
        unit: 'percentunit',
        queries: [{ expr: `model:prediction_quality:relative_degradation${metricSel}`, legend: '{{model}}' }],
        thresholds: highIsBad(ratio(q.warnDegradationPct), ratio(q.criticalDegradationPct)),
      }),
      panel({
        title: 'Labelled predictions per evaluation',
        description: `Predictions with a joined label in the last evaluation; red below the ${q.minLabelledSamples} needed to see a ${q.criticalDegradationPct} % drop (${q.formula}).`,
        kind: 'stat',
        unit: 'short',
        queries: [{ expr: `${series('predictionQualitySamples')}${P}`, legend: '{{version}}' }],
        thresholds: lowIsBad(null, q.minLabelledSamples),
        width: 6,
        height: 8,
      }),
      panel({
        title: `Label lag vs ${q.labelsStaleAfterHours} h`,
        description: `Age of the newest prediction whose label was joined; red after label delay + window + 2 h grace = ${q.labelsStaleAfterHours} h.`,
        kind: 'stat',
        unit: 's',
        queries: [{ expr: `time() - max by (model) (${series('labelsLastJoined')}${P})`, legend: '{{model}}' }],
        thresholds: highIsBad(null, q.labelsStaleAfterHours * 3600),
        width: 6,
        height: 8,
      }),
      panel({
        title: `Feature importance (top ${p.importance.topK}, ${p.importance.method})`,
        description: `Normalised importance of each feature on recent traffic (${p.importance.sampleRows} rows, ${p.importance.schedule}).`,
        kind: 'bargauge',
        unit: 'percentunit',
        queries: [{ expr: `topk(${p.importance.topK}, ${series('featureImportance')}${P})`, legend: '{{feature}}' }],
        thresholds: { base: 'blue', steps: [] },
        min: 0,
        max: 1,
      }),
      panel({
        title: `Importance rank correlation vs ${p.importance.minRankCorrelation}`,
        description: `Spearman correlation of importance ranks against training; red below ${p.importance.minRankCorrelation} (FeatureImportanceShift).`,
        kind: 'timeseries',
        unit: 'none',
        queries: [{ expr: `${series('featureImportanceRankCorrelation')}${P}`, legend: '{{model}}' }],
        thresholds: lowIsBad(null, p.importance.minRankCorrelation),
        min: -1,
        max: 1,
      }),
      panel({
        title: `${p.kpi.kpi} (daily)`,
        description: `The business KPI the model is meant to move: ${p.kpi.meaning}.`,
        kind: 'timeseries',
        unit: 'none',
        queries: [{ expr: `${series('businessKpi')}${kpiSel}`, legend: '{{kpi}}' }],
      }),
      panel({
        title: `${p.kpi.kpi} vs ${q.metric} (${p.kpi.windowDays} days)`,
        description: `Pearson correlation of daily ${q.metric} with ${p.kpi.kpi} over ${p.kpi.windowDays} days; below ${p.kpi.criticalCorrelation} it is not significant at α = ${p.kpi.alpha}.`,
        kind: 'timeseries',
        unit: 'none',
        queries: [{ expr: `${series('businessKpiCorrelation')}${kpiSel}`, legend: 'correlation with {{metric}}' }],
        thresholds: lowIsBad(null, p.kpi.criticalCorrelation),
        min: -1,
        max: 1,
      }),
    ],
  };
}

/** One bar gauge per drift test, each feature coloured by its own warn / critical levels. */
function driftDashboard(p: MonitoringPlan): Dashboard {
  const pipeM: Matcher[] = [['pipeline', '=', p.pipeline]];
  const P = selector(pipeM);
  const testNames = [...new Set(p.tests.map((t) => t.test))];
  const perTest = testNames.map((test) => {
    const ts = p.tests.filter((t) => t.test === test);
    const th = (t: (typeof ts)[number]) => highIsBad(t.warn, t.critical);
    // The levels most features share colour the panel; features with other levels get their own.
    const counts = new Map<string, { t: (typeof ts)[number]; n: number }>();
    for (const t of ts) {
      const k = `${t.warn}|${t.critical}`;
      counts.set(k, { t: counts.get(k)?.t ?? t, n: (counts.get(k)?.n ?? 0) + 1 });
    }
    const common = [...counts.values()].sort((a, b) => b.n - a.n)[0]!.t;
    const overrides = ts.filter((t) => t.warn !== common.warn || t.critical !== common.critical);
    return panel({
      title: `${ts[0]!.statistic} per feature (${test})`,
      description: `Latest ${test} statistic of ${ts.length} feature(s) against the training reference; yellow at the warning level, red at the critical level of each feature's test (${[...counts.keys()].map((k) => k.replace('|', ' / ')).join(', ')}).`,
      kind: 'bargauge',
      unit: 'none',
      queries: [{ expr: `max by (feature) (${series('featureDriftScore')}${selector([...pipeM, ['test', '=', test]])})`, legend: '{{feature}}' }],
      thresholds: th(common),
      ...(overrides.length > 0 ? { seriesThresholds: overrides.map((t) => ({ series: t.feature, thresholds: th(t) })) } : {}),
      min: 0,
      width: 8,
    });
  });
  const gated = p.tests.filter((t) => t.pValueMax !== null);
  const pMax = Math.max(...gated.map((t) => t.pValueMax ?? 0));
  return {
    key: 'drift',
    title: `${p.pipeline} / Drift`,
    description: `Drift job every ${p.drift.intervalMinutes} min (${p.drift.schedule}) over ${p.tests.length} feature test(s); worst-case detection ${p.drift.worstCaseHours} h within the ${p.drift.windowHours} h window.`,
    panels: [
      panel({
        title: 'Drift score per feature',
        description: 'Every feature test over time (one series per feature and test).',
        kind: 'timeseries',
        unit: 'none',
        queries: [{ expr: `${series('featureDriftScore')}${P}`, legend: '{{feature}} ({{test}})' }],
        min: 0,
        width: 24,
      }),
      ...perTest,
      ...(gated.length > 0
        ? [
            panel({
              title: `Hypothesis test p-values (alert below ${pMax})`,
              description: `KS and chi-square p-values; the drift alerts need p below the test's level (${[...new Set(gated.map((t) => `${t.test} p < ${t.pValueMax}`))].join(', ')}) and the effect size above its level.`,
              kind: 'timeseries',
              unit: 'none',
              queries: [{ expr: `${series('featureDriftPValue')}${P}`, legend: '{{feature}} ({{test}})' }],
              thresholds: lowIsBad(null, pMax),
              min: 0,
              max: 1,
            }),
          ]
        : []),
      panel({
        title: `Prediction distribution PSI vs ${p.predictionPsi}`,
        description: `PSI of the prediction distribution against the validation-set predictions: the label-free concept drift signal (PredictionDriftHigh at ${p.predictionPsi}).`,
        kind: 'timeseries',
        unit: 'none',
        queries: [{ expr: `${series('predictionDriftScore')}${selector([...pipeM, ['test', '=', 'psi']])}`, legend: '{{model}}' }],
        thresholds: highIsBad(null, p.predictionPsi),
        min: 0,
      }),
      panel({
        title: 'Null and out-of-range ratios per feature',
        description: `Share of missing and out-of-range (or unknown category) values in the last drift window; red at the data quality issue limit ${p.spec.slo.data_quality_issue_pct} %.`,
        kind: 'timeseries',
        unit: 'percentunit',
        queries: [
          { expr: `${series('featureNullRatio')}${P}`, legend: 'null {{feature}}' },
          { expr: `${series('featureOutOfRangeRatio')}${P}`, legend: 'out of range {{feature}}' },
        ],
        thresholds: highIsBad(null, ratio(p.spec.slo.data_quality_issue_pct)),
        min: 0,
      }),
      panel({
        title: `Drift job freshness (stale after ${p.drift.staleAfterMinutes} min)`,
        description: `Time since the drift job last completed; red after 2 × ${p.drift.intervalMinutes} + ${p.drift.runtimeMinutes} min (one failed run tolerated).`,
        kind: 'stat',
        unit: 's',
        queries: [{ expr: `time() - max(${series('driftJobLastSuccess')}${P})`, legend: 'since last success' }],
        thresholds: highIsBad(p.drift.intervalMinutes * 60 + p.drift.runtimeMinutes * 60, p.drift.staleAfterMinutes * 60),
      }),
    ],
  };
}

function dataQualityDashboard(p: MonitoringPlan): Dashboard {
  const slo = p.spec.slo;
  const pipeM: Matcher[] = [['pipeline', '=', p.pipeline]];
  const P = selector(pipeM);
  return {
    key: 'data-quality',
    title: `${p.pipeline} / Data quality`,
    description: `Automated validation of the ingested data: pass rate target ${slo.validation_pass_rate_pct} %, quarantined + rejected below ${slo.data_quality_issue_pct} %.`,
    panels: [
      panel({
        title: `Validation pass rate vs ${slo.validation_pass_rate_pct} %`,
        description: `Passed checks / all checks over 1h; red below the ${slo.validation_pass_rate_pct} % target.`,
        kind: 'timeseries',
        unit: 'percentunit',
        queries: [{ expr: `pipeline:data_validation_pass:ratio_rate1h${P}`, legend: 'pass rate' }],
        thresholds: lowIsBad(null, ratio(slo.validation_pass_rate_pct)),
        max: 1,
      }),
      panel({
        title: `Quarantined + rejected share vs ${slo.data_quality_issue_pct} %`,
        description: `Records quarantined or rejected / all records over 1h; red at ${slo.data_quality_issue_pct} %.`,
        kind: 'timeseries',
        unit: 'percentunit',
        queries: [{ expr: `pipeline:data_quality_issue:ratio_rate1h${P}`, legend: 'issue share' }],
        thresholds: highIsBad(null, ratio(slo.data_quality_issue_pct)),
        min: 0,
      }),
      panel({
        title: 'Failing checks by dataset (1h)',
        description: 'Failed validation checks in the last hour, by dataset and check.',
        kind: 'bargauge',
        unit: 'short',
        queries: [{ expr: `sum by (dataset, check) (increase(${series('dataValidationChecks')}${selector([...pipeM, ['result', '=', 'fail']])}[1h]))`, legend: '{{dataset}} {{check}}' }],
        thresholds: highIsBad(null, 1),
        min: 0,
      }),
      panel({
        title: 'Records processed by result',
        description: 'Ingestion throughput by dataset and result (valid, quarantined, rejected).',
        kind: 'timeseries',
        unit: 'ops',
        queries: [{ expr: `sum by (dataset, result) (rate(${series('dataRecords')}${P}[5m]))`, legend: '{{dataset}} {{result}}' }],
        min: 0,
      }),
    ],
  };
}

function scoringDashboard(p: MonitoringPlan): Dashboard | null {
  const batch = p.traffic.modes.includes('batch');
  const stream = p.traffic.modes.includes('stream');
  if (!batch && !stream) return null;
  const pipeM: Matcher[] = [['pipeline', '=', p.pipeline]];
  const P = selector(pipeM);
  const figures = alertFigures(p);
  const panels: Panel[] = [];
  if (batch) {
    panels.push(
      panel({
        title: 'Batch runs by result (1d)',
        description: 'Batch scoring runs finished in the last day, by result.',
        kind: 'bargauge',
        unit: 'short',
        queries: [{ expr: `sum by (result) (increase(${series('batchRuns')}${P}[1d]))`, legend: '{{result}}' }],
        min: 0,
      }),
      panel({
        title: `Time since the last successful batch run${figures.batchLateSeconds !== null ? ` (late after ${duration(figures.batchLateSeconds)})` : ''}`,
        description: 'Age of the newest successful batch scoring run; red where BatchScoringLate fires.',
        kind: 'stat',
        unit: 's',
        queries: [{ expr: `time() - max(${series('batchLastSuccess')}${P})`, legend: 'since last success' }],
        ...(figures.batchLateSeconds !== null ? { thresholds: highIsBad(null, figures.batchLateSeconds) } : {}),
        height: 8,
      }),
    );
  }
  if (stream) {
    panels.push(
      panel({
        title: `Consumer lag${figures.streamLagSeconds !== null ? ` vs ${figures.streamLagSeconds} s` : ''}`,
        description: 'Age of the oldest unscored event per topic; red where StreamConsumerLagHigh fires.',
        kind: 'timeseries',
        unit: 's',
        queries: [{ expr: `max by (topic) (${series('streamLag')}${P})`, legend: '{{topic}}' }],
        ...(figures.streamLagSeconds !== null ? { thresholds: highIsBad(null, figures.streamLagSeconds) } : {}),
        min: 0,
      }),
      panel({
        title: 'Stream events by result',
        description: 'Events scored per second by result (success, failed, dead_letter).',
        kind: 'timeseries',
        unit: 'ops',
        queries: [{ expr: `sum by (result) (rate(${series('streamMessages')}${P}[5m]))`, legend: '{{result}}' }],
        min: 0,
      }),
    );
  }
  return {
    key: batch && stream ? 'batch-stream' : batch ? 'batch-scoring' : 'stream-scoring',
    title: `${p.pipeline} / ${batch && stream ? 'Batch and stream' : batch ? 'Batch scoring' : 'Stream scoring'}`,
    description: `Offline scoring of ${p.model}: ${[batch ? `batch ${p.traffic.batchRunsPerDay} run(s)/day` : '', stream ? 'stream consumer' : ''].filter(Boolean).join(', ')}.`,
    panels,
  };
}

function costDashboard(p: MonitoringPlan): Dashboard {
  const c = p.cost;
  const pipeM: Matcher[] = [['pipeline', '=', p.pipeline]];
  const P = selector(pipeM);
  const panels: Panel[] = [
    panel({
      title: `Month-to-date cost vs ${c.monthlyBudgetUsd} USD with ${c.thresholdsPct.join('/')} % lines`,
      description: `Allocated month-to-date cost; lines at ${c.thresholdsPct.map((pct, i) => `${pct} % = ${c.thresholdsUsd[i]} USD`).join(', ')} of the monthly budget.`,
      kind: 'timeseries',
      unit: 'currencyUSD',
      queries: [{ expr: `pipeline:cost_usd:month_to_date${P}`, legend: 'month to date' }],
      thresholds: budgetLines(p),
      min: 0,
    }),
    panel({
      title: 'Cost by component',
      description: `Month-to-date cost by component (${c.components.join(', ')}), from the cost allocation labels.`,
      kind: 'bargauge',
      unit: 'currencyUSD',
      queries: [{ expr: `sum by (component) (${series('cost')}${P})`, legend: '{{component}}' }],
      thresholds: budgetLines(p),
      min: 0,
    }),
    panel({
      title: `Spot share vs ${c.minSpotPct} %`,
      description: `CPU requests of interruptible workloads on ${c.spotNodeLabel}=${c.spotNodeLabelValue} nodes / all their CPU requests; red below ${c.minSpotPct} % (designed: ${c.spotSharePct} %).`,
      kind: 'timeseries',
      unit: 'percentunit',
      queries: [{ expr: `pipeline:spot_cpu_requests:ratio${P}`, legend: 'spot share' }],
      thresholds: lowIsBad(null, ratio(c.minSpotPct)),
      min: 0,
      max: 1,
    }),
    panel({
      title: `CPU waste vs ${c.maxWastePct} %`,
      description: `1 − used / requested CPU over 1h in the pipeline's namespaces; red above ${c.maxWastePct} %.`,
      kind: 'timeseries',
      unit: 'percentunit',
      queries: [{ expr: `pipeline:cpu_waste:ratio_1h${P}`, legend: 'idle share of requested CPU' }],
      thresholds: highIsBad(null, ratio(c.maxWastePct)),
      min: 0,
      max: 1,
    }),
  ];
  if (c.servingGpus > 0) {
    panels.push(
      panel({
        title: `Serving GPU utilisation vs ${100 - c.maxWastePct} %`,
        description: `Mean DCGM utilisation of the serving GPUs (${c.servingGpus} per replica, sharing: ${c.gpuSharing}); red below 100 − ${c.maxWastePct} % waste limit.`,
        kind: 'timeseries',
        unit: 'percentunit',
        queries: [{ expr: `avg(${EXTERNAL_METRICS.gpuUtilisation}${selector([['namespace', '=', p.namespaces.serving]])}) / 100`, legend: 'GPU utilisation' }],
        thresholds: lowIsBad(null, ratio(100 - c.maxWastePct)),
        min: 0,
        max: 1,
      }),
    );
  }
  panels.push(
    panel({
      title: 'Training runs by trigger (1d)',
      description: `Training runs by trigger and result, and retraining requests by decision (cooldown ${p.retraining.cooldownHours} h).`,
      kind: 'timeseries',
      unit: 'short',
      queries: [
        { expr: `sum by (trigger, result) (increase(${series('trainingRuns')}${P}[1d]))`, legend: 'run {{trigger}} {{result}}' },
        { expr: `sum by (reason, decision) (increase(${series('retrainingTriggers')}${P}[1d]))`, legend: 'request {{reason}} {{decision}}' },
      ],
      min: 0,
      width: c.servingGpus > 0 ? 12 : 24,
    }),
  );
  return {
    key: 'cost',
    title: `${p.pipeline} / Cost`,
    description: `Cost of ${p.pipeline} against its ${c.monthlyBudgetUsd} USD monthly budget (team ${c.teamLabel}); billing source: ${c.billingSource}.`,
    panels,
  };
}

export function dashboards(p: MonitoringPlan): Dashboard[] {
  const list: Dashboard[] = [];
  if (p.traffic.modes.includes('online')) list.push(servingDashboard(p));
  list.push(qualityDashboard(p), driftDashboard(p), dataQualityDashboard(p));
  const scoring = scoringDashboard(p);
  if (scoring) list.push(scoring);
  list.push(costDashboard(p));
  return list;
}

/** Every metric name a dashboard may select: our metrics (with histogram suffixes), recording rules, exporters'. */
export function knownSeriesNames(recordingRuleNames: readonly string[]): Set<string> {
  const ours = Object.values(METRICS).flatMap((m) => (m.type === 'histogram' ? [m.name, `${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`] : [m.name]));
  return new Set([...ours, ...recordingRuleNames, ...Object.values(EXTERNAL_METRICS)]);
}

