import type { ResolvedSpec } from '../../spec/resolve.js';
import type { MlPlan, MlUpstream } from './derive.js';

/**
 * The one typed configuration of a training run. It is serialized to ml/configs/training.yaml and embedded as
 * DEFAULT_CONFIG in config.py, whose dataclasses mirror this shape key by key (unknown keys are rejected there).
 */
export interface TrainingConfigFile {
  pipeline: string;
  package: string;
  problem: { type: string; target: string; entity_key: string; event_timestamp: string; positive_rate: number | null };
  data: {
    features_uri: string;
    format: string;
    versioning: string;
    versioning_remote: string;
    window_days: number;
    min_rows: number;
    sample_rows: number;
    trial_rows: number;
    features: string[];
    protected_attributes: string[];
  };
  algorithm: { family: string; upstream_family: string; library: string; candidates: string[] };
  metric: { primary: string; direction: string; secondary: string[]; baseline: number | null };
  cross_validation: { strategy: string; folds: number; gap_days: number; group_key: string | null; order_by: string | null; holdout_days: number };
  hpo: {
    tool: string;
    trials: number;
    parallel_trials: number;
    timeout_minutes: number;
    sampler: string;
    pruner: string;
    storage: string;
    search_space_file: string;
    seed: number;
    members: { name: string; family: string; trials: number; timeout_minutes: number }[];
  };
  ensemble: { method: string; members: string[]; baselines: string[] };
  distributed: { enabled: boolean; launcher: string; workers: number; gpus_per_worker: number; backend: string };
  tracking: { backend: string; tracking_uri: string; experiment_name: string; project: string; artifact_uri: string; local_dir: string };
  registry: {
    model_name: string;
    stages: string[];
    gate: {
      metric: string;
      direction: string;
      /** absolute: min_value is the threshold; relative_to_baseline: baseline_factor × the CV score of baseline_model in the same run. */
      rule: 'absolute' | 'relative_to_baseline';
      min_value: number | null;
      baseline_factor: number | null;
      baseline_model: string | null;
      min_improvement_pct: number;
      max_secondary_regression_pct: number;
      criteria: GateCriterion[];
    };
    rollback_minutes: number;
    feature_schema_hash: string;
  };
  resources: { cpu: string; memory: string; gpus: number; expected_minutes: number; timeout_minutes: number };
  schedule: { cron: string; orchestrator: string; name: string };
}

/** One more check of the promotion gate: an upstream evaluation criterion or bias metric with its bound. */
export interface GateCriterion {
  name: string;
  threshold: number;
  bound: 'at_least' | 'at_most';
  source: 'evaluation' | 'bias';
  rule: string;
}

/** The data scientist's evaluation criteria (except the primary metric, which is the threshold) and, when protected groups exist, its bias metrics. */
export function gateCriteria(ds: MlUpstream['data_scientist']): GateCriterion[] {
  const bound = (rule: string): 'at_least' | 'at_most' => (/>=|≥|at least/.test(rule) ? 'at_least' : 'at_most');
  const evaluation = ds.evaluation
    .filter((e) => e.name !== ds.primary_metric)
    .map((e) => ({ name: e.name, threshold: e.threshold, bound: bound(e.rule), source: 'evaluation' as const, rule: e.rule }));
  const bias = ds.bias.groups.length > 0 ? ds.bias.metrics.map((m) => ({ name: m.name, threshold: m.threshold, bound: bound(m.rule), source: 'bias' as const, rule: m.rule })) : [];
  return [...evaluation, ...bias];
}

export function buildTrainingConfig(spec: ResolvedSpec, up: MlUpstream, plan: MlPlan): TrainingConfigFile {
  const d = plan.decisions;
  const ds = up.data_scientist;
  const de = up.data_engineer;
  return {
    pipeline: spec.name,
    package: plan.pkg,
    problem: {
      type: spec.problem.type,
      target: spec.problem.target,
      entity_key: spec.data.entity_key,
      event_timestamp: spec.data.event_timestamp,
      positive_rate: spec.problem.positive_rate ?? null,
    },
    data: {
      features_uri: de.layers.features.uri,
      format: de.layers.features.format,
      versioning: de.versioning.tool,
      versioning_remote: de.versioning.remote,
      window_days: ds.training_data.window_days,
      min_rows: ds.training_data.min_rows,
      sample_rows: plan.volume.sampleRows,
      trial_rows: plan.volume.hpoRows,
      features: plan.volume.features.map((f) => f.name),
      protected_attributes: [...ds.protected_attributes],
    },
    algorithm: { family: plan.family, upstream_family: ds.algorithm.family, library: ds.algorithm.library, candidates: [...ds.algorithm.candidates] },
    metric: { primary: ds.primary_metric, direction: ds.metric_direction, secondary: [...ds.secondary_metrics], baseline: ds.baseline_metric },
    cross_validation: { ...d.cross_validation },
    hpo: {
      tool: d.hpo.tool,
      trials: d.hpo.trials,
      parallel_trials: d.hpo.parallel_trials,
      timeout_minutes: d.hpo.timeout_minutes,
      sampler: d.hpo.sampler,
      pruner: d.hpo.pruner,
      storage: d.hpo.storage,
      search_space_file: 'configs/hpo_search_space.json',
      seed: 42,
      members: d.hpo.members.map((m) => ({ name: m.name, family: m.family, trials: m.trials, timeout_minutes: m.timeout_minutes })),
    },
    ensemble: { method: d.ensemble.method, members: [...d.ensemble.members], baselines: [...d.ensemble.baselines] },
    distributed: { ...d.distributed },
    tracking: {
      backend: d.tracking.backend,
      tracking_uri: d.tracking.tracking_uri,
      experiment_name: d.tracking.experiment_name,
      project: d.tracking.project,
      artifact_uri: d.tracking.artifact_uri,
      local_dir: d.tracking.local_dir,
    },
    registry: {
      model_name: d.registry.model_name,
      stages: [...d.registry.stages],
      gate: {
        ...d.registry.promotion_gate,
        max_secondary_regression_pct: spec.slo.max_degradation_pct,
        criteria: gateCriteria(ds),
      },
      rollback_minutes: spec.slo.rollback_minutes,
      feature_schema_hash: plan.featureSchemaHash,
    },
    resources: {
      cpu: d.training.cpu,
      memory: d.training.memory,
      gpus: d.training.gpus,
      expected_minutes: d.training.expected_minutes,
      timeout_minutes: d.training.timeout_minutes,
    },
    schedule: { cron: spec.scale.training_schedule, orchestrator: plan.orchestration.tool, name: plan.orchestration.name },
  };
}
