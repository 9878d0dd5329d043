import { code, num, text } from '../../generators/serializers/markdown.js';
import type { ResolvedSpec } from '../../spec/resolve.js';
import { averageRps, beginDocument, pythonPackage } from '../common.js';
import type { DataEngineerDecisions } from '../data_engineer/decisions.js';
import type { PhaseInfo } from '../graph.js';
import { ADAPTER_CLASS, storeBackendEnv } from './storePy.js';
import { DEFAULT_POSITIVE_RATE, HASH_BUCKETS, LOG_RANGE_RATIO, ONE_HOT_MAX_CATEGORIES, SKILL_SHARE, TFIDF_MAX_FEATURES, type SciencePlan } from './derive.js';

const TRANSFORM_WHY: Record<string, string> = {
  standard_scale: 'bounded range: z-score with the training mean and standard deviation',
  log1p_scale: `non-negative range spanning ≥ ${num(LOG_RANGE_RATIO)}x: log1p compresses the long tail, then z-score`,
  robust_scale: 'no declared range: median and IQR scaling is insensitive to unseen extremes',
  one_hot: `≤ ${ONE_HOT_MAX_CATEGORIES} declared categories: one column per category plus "other"`,
  target_encode: `> ${ONE_HOT_MAX_CATEGORIES} categories: smoothed target mean per category (fitted out-of-fold)`,
  hash_encode: `open or large category set: hashing trick into ${HASH_BUCKETS} buckets`,
  binary: 'boolean as 0/1',
  tfidf: `TF-IDF over unigrams and bigrams, vocabulary ${num(TFIDF_MAX_FEATURES)}`,
  cyclical: 'hour and weekday as sin/cos pairs plus age in days relative to the event time',
  excluded: 'protected attribute: not a model input, kept for bias checks',
};

function fmt(value: number): string {
  return Number.isInteger(value) ? num(value) : String(Math.round(value * 1e6) / 1e6);
}

export function buildDocument(info: PhaseInfo, spec: ResolvedSpec, de: DataEngineerDecisions, plan: SciencePlan, notes?: string): string {
  const doc = beginDocument(info, spec, notes);
  const { ab, training, baseline, feature_store: fs } = plan;
  const outputs = plan.inputs.reduce((sum, f) => sum + f.output_columns, 0);
  doc.paragraph(
    `In short: a ${code(spec.problem.type)} problem on target ${code(spec.problem.target)}, ${num(plan.inputs.length)} model inputs (${num(outputs)} columns after transformation)${plan.protected_attributes.length > 0 ? ` and ${num(plan.protected_attributes.length)} protected attribute${plan.protected_attributes.length === 1 ? '' : 's'} kept out of the model` : ''};`,
    `${code(plan.algorithm.family)} optimising ${code(plan.primary_metric)} (${plan.direction}); an A/B test of ${code(num(ab.result.total_n))} units over ${num(ab.duration_days)} days; features served by ${code(fs.option)} (${code(fs.online_store)} online).`,
  );

  // 1 ───────────────────────────────────────────────────────────────
  doc.heading(2, '1. Feature engineering pipeline');
  doc.heading(3, 'Transformation specs');
  doc.paragraph(`Each transform follows the feature's type, range and nullability in the spec; the data engineer's contract (${code(de.paths.quality_gates)}) guarantees the ranges upstream, so the transforms can rely on them. Fit on the training window only, then frozen with the model (${code(plan.paths.transform_module)}).`);
  doc.table(
    ['Feature', 'Type', 'Range / categories', 'Transform', 'Why', 'Columns'],
    plan.features.map((f) => {
      const sf = spec.data.features.find((x) => x.name === f.name)!;
      const range = sf.type === 'categorical' ? (sf.categories ? `${num(sf.categories.length)} categories` : 'open set') : sf.min !== undefined || sf.max !== undefined ? `[${sf.min ?? '-inf'}, ${sf.max ?? '+inf'}]` : '—';
      return [code(f.name), code(f.type), range, code(f.transform), TRANSFORM_WHY[f.transform] ?? '', num(f.output_columns)];
    }),
  );
  if (plan.algorithm.family.includes('trees') || plan.algorithm.family === 'lambdamart' || plan.algorithm.family === 'isolation_forest') {
    const references = plan.algorithm.candidates.filter((c) => !c.includes(plan.algorithm.library) && c !== 'isolation_forest');
    doc.paragraph(`Tree models are insensitive to monotone scaling; the scaling is kept so that the reference model (${references.map((c) => code(c)).join(', ')}) and the drift statistics see the same inputs as the model.`);
  }

  doc.heading(3, 'Feature store patterns (Feast/Tecton)');
  doc.paragraph(`${code('options.feature_store')} = ${code(fs.option)} on ${code(spec.options.cloud_provider)}. ${fs.rationale}`);
  doc.table(
    ['Feature view', 'Source', 'Features', 'Refresh', 'TTL', 'Online'],
    fs.views.map((v) => [code(v.name), code(v.source), v.features.map((f) => code(f)).join(', '), v.batch_interval_hours === null ? 'continuous (push)' : `every ${num(v.batch_interval_hours)} h`, `${num(v.ttl_hours)} h`, v.online ? 'yes' : 'no (offline only)']),
  );
  doc.paragraph(
    `TTL = 2 x the refresh interval (one missed refresh tolerated), at least 24 h; continuous sources 24 h, which bounds the staleness served when a stream stalls.`,
    `Training reads point-in-time correct joins on (${code(de.entity_key)}, ${code(de.event_timestamp)}) from the offline store (${code(fs.offline_store)}); serving reads the online store (${code(fs.online_store)}) within the ${code(`${num(fs.serving_latency_budget_ms)} ms`)} feature-serving bound (${code('slo.feature_serving_latency_ms')}).`,
    `Definitions: ${fs.definition_files.map((f) => code(f)).join(', ')}.`,
  );
  doc.paragraph(
    `Client: ${code(`${plan.paths.store_module}.build_store()`)} returns the ${code(ADAPTER_CLASS[spec.options.feature_store])} adapter (SDK imported on first use) behind one interface: ${code('write_features')}, ${code('get_online_features')}, ${code('get_historical_features')} (point-in-time: never a value later than the row's event time, none older than the view TTL) and ${code('materialize')}.`,
    `${code(`${storeBackendEnv(pythonPackage(spec))}=memory`)} selects the in-memory backend with the same keys (${code('<project>:<view>:<entity>')}), JSON values and TTLs; the generated contract tests (${code('ml/tests/features/test_store.py')}) run it and the adapter against a fake SDK.`,
  );

  doc.heading(3, 'Statistical validation rules');
  const dp = plan.drift_policy;
  doc.paragraph(
    `Drift of every feature (inputs and protected attributes, m = ${num(dp.tested_features)}) is tested over windows of ${code(`${fmt(dp.window_hours)} h`)} (${code('slo.drift_detection_window_h')}) against the ${dp.reference}, with at least ${num(dp.min_samples)} values per window.`,
    `Hypothesis tests use a Bonferroni-corrected p-value of ${code(dp.family_alpha)} / ${num(dp.tested_features)} = ${code(fmt(dp.per_test_p_value))} and must also exceed an effect size (KS D or Cramér's V ≥ 0.1), because at production volumes every p-value is tiny; PSI ≥ ${code(dp.psi_alert)} alerts (≥ ${code(dp.psi_warn)} warns), Jensen–Shannon distance ≥ ${code(dp.js_alert)} alerts.`,
  );
  doc.table(
    ['Feature', 'Tests', 'Alert when'],
    plan.features.map((f) => [
      code(f.name),
      f.drift_tests.map((t) => code(t.test)).join(' + '),
      f.drift_tests.map((t) => (t.alert_when === 'p_value_below' ? `p < ${fmt(t.threshold)} and effect ≥ ${t.min_effect}` : `${t.test} ≥ ${t.threshold}`)).join('; '),
    ]),
  );
  doc.paragraph(`Before training, ${code(plan.paths.validation_module)} also checks the training frame: row count ≥ ${code(num(training.min_rows))}, label present for every row older than ${num(training.label_cutoff_hours)} h, and the training-serving skew of each feature (PSI between the offline and online samples of the same entities) below ${code(dp.psi_warn)}.`);

  doc.heading(3, 'Strategies for missing data and outliers');
  doc.table(
    ['Feature', 'Nullable', 'Imputation', 'Missing indicator', 'Outliers'],
    plan.features.map((f) => {
      const sf = spec.data.features.find((x) => x.name === f.name)!;
      return [code(f.name), sf.nullable ? 'yes' : 'no', code(f.imputation), f.missing_indicator ? 'yes' : 'no', code(f.outliers)];
    }),
  );
  doc.paragraph(
    'Imputation statistics (median, most frequent) are fitted on the training window and stored with the transformer; a missing-value indicator keeps the information that a value was absent. Non-nullable features are guaranteed by the data contract (records with nulls are blocked), so they get no imputation; at serving time an online-store miss falls back to the training median and is counted as a skew metric.',
    'Outliers: features with both bounds are clipped to the declared range (values outside it are quarantined upstream anyway), open ranges are winsorised at the training 1st/99th percentiles, unseen categories map to "other", text is truncated to 10,000 characters, timestamps later than the event time are clipped to it.',
  );

  // 2 ───────────────────────────────────────────────────────────────
  doc.heading(2, '2. Model requirements');
  doc.heading(3, 'Algorithm choice and rationale');
  doc.paragraph(`${code(plan.algorithm.family)} with ${code(plan.algorithm.library)} (objective ${code(plan.algorithm.objective)}). ${text(plan.algorithm.rationale)}`);
  doc.paragraph(`Candidates compared on the same split: ${plan.algorithm.candidates.map((c) => code(c)).join(', ')}. The simplest candidate that reaches the promotion threshold within 1 % of the best wins (cheaper to serve and to explain).`);

  doc.heading(3, 'Performance metrics and baselines');
  doc.paragraph(
    `Primary metric ${code(plan.primary_metric)} (${plan.direction}), ${plan.metric_origin === 'spec' ? `set by ${code('problem.primary_metric')}` : `derived from ${code('problem.type')} = ${code(spec.problem.type)}${spec.problem.type === 'binary_classification' ? ` and ${spec.problem.positive_rate === undefined ? 'no declared positive rate' : `positive rate ${spec.problem.positive_rate}`} (PR-AUC below 5 % positives, ROC-AUC otherwise)` : ''}`}.`,
    `Secondary metrics: ${plan.secondary_metrics.map((m) => code(m)).join(', ')}.`,
  );
  const baselineText =
    baseline.origin === 'spec'
      ? `Baseline ${code(fmt(baseline.value!))} from ${baseline.description}: the candidate must meet or beat it, so the promotion threshold is ${code(fmt(baseline.threshold))}.`
      : baseline.origin === 'trivial_model'
        ? `No baseline in the spec; the trivial-model baseline is ${code(fmt(baseline.value!))} (${baseline.description}). A model must recover ${num(SKILL_SHARE * 100)} % of the headroom above it: threshold = ${fmt(baseline.value!)} + ${SKILL_SHARE} x (1 - ${fmt(baseline.value!)}) = ${code(fmt(baseline.threshold))}.`
        : `No baseline in the spec and no closed form for ${code(plan.primary_metric)}: the baseline is ${baseline.description}. The candidate must be better by more than the degradation that triggers retraining: threshold = ${code(fmt(baseline.threshold))} x baseline (${code('slo.max_degradation_pct')} = ${spec.slo.max_degradation_pct} %).`;
  doc.paragraph(baselineText);
  doc.paragraph(
    plan.retraining_floor !== null
      ? `Retraining triggers when the production ${code(plan.primary_metric)} ${plan.direction === 'maximize' ? 'drops' : 'rises'} ${spec.slo.max_degradation_pct} % ${plan.direction === 'maximize' ? 'below' : 'above'} the promoted model's value (${code('slo.max_degradation_pct')}), and at the latest when it crosses ${code(fmt(plan.retraining_floor))} (threshold ${plan.direction === 'maximize' ? '-' : '+'} ${spec.slo.max_degradation_pct} %).`
      : `Retraining triggers when the production ${code(plan.primary_metric)} degrades ${spec.slo.max_degradation_pct} % relative to the promoted model's holdout value.`,
  );

  doc.heading(3, 'Training data requirements');
  doc.table(
    ['Requirement', 'Value', 'Derivation'],
    [
      ['Minimum rows', code(num(training.min_rows)), training.min_rows_reason],
      ['Examples per day', num(training.examples_per_day), `rows/day of ${code(de.label.source)}, the source holding the label ${code(de.label.column)}`],
      ['Days for the minimum rows', num(training.days_for_rows), `ceil(${num(training.min_rows)} / ${num(training.examples_per_day)})`],
      ['History floor', `${num(training.floor_days)} days`, `cycles ${code(spec.problem.type)} must see`],
      ['Training window', code(`${num(training.window_days)} days`), `max(days for rows, floor)${training.capped_by_retention ? `, capped by the features retention of ${num(de.layers.features.retention_days)} days (data_engineer)` : `, within the features retention of ${num(de.layers.features.retention_days)} days`}`],
      ['Label cut-off', `${num(training.label_cutoff_hours)} h`, `${code('problem.label_delay_hours')}: newer rows have no label yet`],
      ['Split', code(training.split), spec.problem.type === 'forecasting' ? 'time-ordered backtests: every fold trains on the past and tests on the following period' : 'cross-validation inside the window, plus an out-of-time holdout'],
      ['Out-of-time holdout', `${num(training.holdout_days)} days`, `max(7, 10 % of ${num(training.window_days)} days)`],
    ],
  );
  if (training.capped_by_retention) {
    doc.paragraph(`The window is shorter than the ${num(training.floor_days)} days the problem type wants: raise ${code('data.retention.features_days')} to at least ${num(Math.max(training.days_for_rows, training.floor_days))} to train on full seasonal cycles.`);
  }

  doc.heading(3, 'Evaluation criteria and thresholds');
  doc.table(
    ['Criterion', 'Rule', 'Threshold'],
    [...plan.evaluation.map((c) => [code(c.name), c.rule, code(fmt(c.threshold))]), ...plan.bias.metrics.filter(() => plan.bias.groups.length > 0).map((m) => [code(m.name), m.rule, code(fmt(m.threshold))])],
  );

  // 3 ───────────────────────────────────────────────────────────────
  doc.heading(2, '3. Experiment design');
  doc.heading(3, 'Hypotheses and success metrics');
  const effect = ab.result.absolute_effect;
  doc.bullets([
    `H0: the business success rate with the candidate model equals the control's (${fmt(ab.result.control_rate)}). H1 (two-sided): it differs by at least ${code(fmt(effect))} absolute (${spec.experiment.effect_type === 'relative' ? `${fmt(spec.experiment.minimum_detectable_effect * 100)} % relative` : 'absolute effect from the spec'}), i.e. reaches ${code(fmt(ab.result.treatment_rate))}.`,
    `Primary success metric: the success rate (baseline ${fmt(ab.result.control_rate)}, from ${code(ab.baseline_origin)}${ab.baseline_origin === 'default' ? ` = ${DEFAULT_POSITIVE_RATE}` : ''}); secondary: the online ${code(plan.primary_metric)} once labels arrive (${num(spec.problem.label_delay_hours)} h delay).`,
    `Guardrails: ${ab.guardrails.map((g) => `${code(g.metric)} ≤ ${code(fmt(g.limit))}`).join(', ')}.`,
    'Success = significant at alpha in the favourable direction, no guardrail breached, no bias threshold breached.',
  ]);

  doc.heading(3, 'A/B testing methodology');
  const basisText =
    ab.traffic_basis === 'online_requests'
      ? `online requests: average ${num(averageRps(spec), 1)} rps${spec.scale.average_rps === undefined ? ` (a third of the ${num(spec.scale.peak_rps)} rps peak)` : ''} x 86,400 s = ${num(ab.daily_eligible_units)} per day`
      : ab.traffic_basis === 'stream_events'
        ? `stream events scored per day: ${num(ab.daily_eligible_units)} (stream sources of the data engineer)`
        : `batch-scored rows: ${code('scale.batch_size')} = ${num(ab.daily_eligible_units)} per daily run`;
  doc.paragraph(
    `${code('options.deployment_mode')} = ${code(spec.options.deployment_mode)}, so the eligible traffic is ${basisText}. Randomisation unit: ${code(de.entity_key)} (hash of the key modulo 10,000 buckets), so an entity always sees the same arm; ${fmt(spec.experiment.treatment_share * 100)} % of units go to the treatment (${code('experiment.treatment_share')}).`,
    `Fixed horizon: no peeking at significance before the planned sample is reached; a sample-ratio-mismatch check runs daily. Analysis: two-proportion z-test (pooled variance), 95 % confidence interval of the difference reported with the p-value.`,
  );

  doc.heading(3, 'Sample size calculation');
  doc.paragraph(`Formula: ${code(ab.result.formula)}.`);
  doc.table(
    ['Input', 'Value'],
    [
      ['baseline rate p1', fmt(ab.result.control_rate)],
      ['treatment rate p2', fmt(ab.result.treatment_rate)],
      ['alpha (two-sided)', fmt(spec.experiment.alpha)],
      ['power', fmt(spec.experiment.power)],
      ['z_alpha / z_beta', `${ab.result.z_alpha.toFixed(4)} / ${ab.result.z_beta.toFixed(4)}`],
      ['treatment share', fmt(spec.experiment.treatment_share)],
      ['n control', code(num(ab.result.control_n))],
      ['n treatment', code(num(ab.result.treatment_n))],
      ['n total', code(num(ab.result.total_n))],
      ['eligible units/day', num(ab.daily_eligible_units)],
      ['days to reach n', `${num(ab.result.treatment_n)} / (${num(ab.daily_eligible_units)} x ${fmt(spec.experiment.treatment_share)}) = ${ab.days_needed < 0.01 ? ab.days_needed.toExponential(2) : ab.days_needed.toFixed(2)}`],
      ['planned duration', `${code(`${num(ab.duration_days)} days`)} (whole weeks, at least one, so every weekday is in both arms)`],
    ],
  );

  doc.heading(3, 'Bias detection methods');
  if (plan.bias.groups.length > 0) {
    doc.paragraph(`Protected attributes ${plan.bias.groups.map((g) => code(g)).join(', ')} are excluded from the model inputs and stored offline only (feature view ${code('protected_attributes')}); every evaluation and every A/B analysis is sliced by them.`);
  } else {
    doc.paragraph(`The spec declares no protected attribute, so group fairness cannot be measured yet: mark the relevant features ${code('protected: true')} (they are then removed from the inputs and used here). Until then the checks below run on proxy segments (${plan.inputs.filter((f) => f.type === 'categorical').map((f) => code(f.name)).join(', ') || 'none available'}) to catch disparate performance.`);
  }
  doc.table(['Metric', 'Rule', 'Threshold'], plan.bias.metrics.map((m) => [code(m.name), m.rule, code(fmt(m.threshold))]));
  doc.paragraph(`Implemented in ${code(plan.paths.validation_module)}; a breach blocks promotion like a failed metric threshold.`);

  doc.heading(2, 'Hand-off');
  doc.bullets([
    `Features: ${plan.inputs.map((f) => `${code(f.name)} → ${code(f.transform)}`).join(', ')}${plan.protected_attributes.length > 0 ? `; protected (excluded): ${plan.protected_attributes.map((p) => code(p)).join(', ')}` : ''}. Spec in ${code(plan.paths.feature_spec)}, code in ${code(plan.paths.transform_module)}.`,
    `Model: ${code(plan.algorithm.family)} (${code(plan.algorithm.library)}), primary ${code(plan.primary_metric)} ${plan.direction}, promotion ${baseline.rule === 'absolute' ? `at ${code(fmt(baseline.threshold))}` : `at ${code(fmt(baseline.threshold))} x the measured baseline`}.`,
    `Training: ${num(training.window_days)}-day window, ≥ ${num(training.min_rows)} rows, split ${code(training.split)}, holdout ${num(training.holdout_days)} days.`,
    `Drift: ${plan.features.map((f) => `${code(f.name)} ${f.drift_tests.map((t) => t.test).join('+')}`).join(', ')} over ${fmt(dp.window_hours)} h windows.`,
    `A/B: ${num(ab.result.control_n)} control + ${num(ab.result.treatment_n)} treatment, ${num(ab.duration_days)} days; feature store ${code(fs.option)} (${code(fs.online_store)} / ${code(fs.offline_store)}, TTL ${num(fs.ttl_hours)} h).`,
  ]);
  return doc.toString();
}
