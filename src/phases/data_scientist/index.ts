import { ALWAYS_READ } from '../common.js';
import { PHASES } from '../graph.js';
import type { PhaseDefinition } from '../types.js';
import { buildArtifacts } from './artifacts.js';
import { DataScientistDecisions } from './decisions.js';
import { derivePlan, type SciencePlan } from './derive.js';
import { buildDocument } from './document.js';

function toDecisions(plan: SciencePlan): DataScientistDecisions {
  const { ab, training, feature_store: fs } = plan;
  return {
    features: plan.features,
    protected_attributes: plan.protected_attributes,
    algorithm: { family: plan.algorithm.family, library: plan.algorithm.library, candidates: plan.algorithm.candidates, rationale: plan.algorithm.rationale },
    primary_metric: plan.primary_metric,
    metric_direction: plan.direction,
    baseline_metric: plan.baseline.value,
    promotion_threshold: plan.baseline.threshold,
    secondary_metrics: plan.secondary_metrics,
    training_data: {
      window_days: training.window_days,
      min_rows: training.min_rows,
      split: training.split,
      holdout_days: training.holdout_days,
      label_cutoff_hours: training.label_cutoff_hours,
      examples_per_day: training.examples_per_day,
    },
    ab_test: {
      baseline_rate: ab.result.control_rate,
      absolute_effect: ab.result.absolute_effect,
      alpha: ab.alpha,
      power: ab.power,
      control_n: ab.result.control_n,
      treatment_n: ab.result.treatment_n,
      total_n: ab.result.total_n,
      duration_days: ab.duration_days,
      treatment_share: ab.treatment_share,
      treatment_rate: ab.result.treatment_rate,
      baseline_origin: ab.baseline_origin,
      traffic_basis: ab.traffic_basis,
      daily_eligible_units: ab.daily_eligible_units,
      guardrails: ab.guardrails,
    },
    feature_store: {
      option: fs.option,
      online_store: fs.online_store,
      offline_store: fs.offline_store,
      ttl_hours: fs.ttl_hours,
      views: fs.views.map((v) => ({ name: v.name, source: v.source, features: v.features, ttl_hours: v.ttl_hours, online: v.online })),
      definition_files: fs.definition_files,
      serving_latency_budget_ms: fs.serving_latency_budget_ms,
    },
    metric_origin: plan.metric_origin,
    baseline_origin: plan.baseline.origin,
    promotion_rule: plan.baseline.rule,
    retraining_trigger: { relative_drop_pct: plan.max_degradation_pct, floor: plan.retraining_floor },
    drift_policy: plan.drift_policy,
    bias: plan.bias,
    evaluation: plan.evaluation,
    paths: plan.paths,
  };
}

export const dataScientist: PhaseDefinition<'data_scientist'> = {
  info: PHASES.data_scientist as PhaseDefinition<'data_scientist'>['info'],
  // Every spec path run() reads directly; source volumes, keys and layers come from the data_engineer decisions.
  reads: [
    ...ALWAYS_READ,
    'data.features',
    'data.entity_key',
    'data.event_timestamp',
    'problem',
    'slo.max_degradation_pct',
    'slo.drift_detection_window_h',
    'slo.p99_latency_ms',
    'slo.feature_serving_latency_ms',
    'slo.availability_pct',
    'scale.peak_rps',
    'scale.average_rps',
    'scale.batch_size',
    'scale.training_gpus',
    'experiment',
    'options.feature_store',
    'options.cloud_provider',
    'options.deployment_mode',
    'team.owner',
  ],
  decisions: DataScientistDecisions,
  run({ spec, notes, upstream }) {
    const de = upstream.data_engineer;
    const plan = derivePlan(spec, de);
    return { document: buildDocument(this.info, spec, de, plan, notes), decisions: toDecisions(plan), artifacts: buildArtifacts(spec, de, plan) };
  },
};
