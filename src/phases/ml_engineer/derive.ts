import { createHash } from 'node:crypto';
import type { ResolvedSpec } from '../../spec/resolve.js';
import type { ProblemType } from '../../spec/schema.js';
import { objectStoreUri, pythonPackage } from '../common.js';
import type { DataEngineerDecisions } from '../data_engineer/decisions.js';
import type { DataScientistDecisions } from '../data_scientist/decisions.js';
import type { MlEngineerDecisions, PromotionGate } from './decisions.js';
import { FAMILIES, classifyFamily, searchSpace, type FamilyId, type FamilyProfile, type SearchParam } from './families.js';
import { schedulePeriod, type SchedulePeriod } from './schedule.js';

// Spec-free rules of this phase, named so the document can quote them.
export const RULES = {
  /** Rows one training run uses at most per CPU node / per GPU: beyond this, sampling beats waiting. */
  cpuSampleCap: 20_000_000,
  gpuSampleCapPerGpu: 25_000_000,
  /** Rows HPO trials train on (stratified/most-recent subsample); the winner is refit on the full sample. */
  hpoRowsCap: 2_000_000,
  /** Share of the schedule interval a run may take, and the hard ceiling (minutes). */
  budgetShareOfPeriod: 0.25,
  budgetCeilingMinutes: 480,
  /** Share of the run budget given to HPO; the rest is the final refit, ensembling and evaluation. */
  hpoShareOfBudget: 0.6,
  /** Fixed overhead per run: data load, evaluation, registration (minutes). */
  overheadMinutes: 5,
  /** vCPU of one CPU HPO trial pod. */
  trialCpus: 4,
  /** GPUs per node: torchrun spreads larger jobs over several nodes. */
  gpusPerNode: 8,
  /** Scaling efficiency per doubling of GPUs in data-parallel training. */
  ddpEfficiencyPerDoubling: 0.9,
  /** Trials per tuned parameter, and the bounds of the trial count. */
  trialsPerParam: 10,
  minTrials: 20,
  maxTrials: 200,
  /** Hashing width of a text feature. */
  textColumns: 256,
  /** Derived columns of a timestamp feature: hour, day of week, day of month, month. */
  timestampColumns: 4,
} as const;

export interface FeatureWidth {
  name: string;
  type: string;
  transform: string;
  columns: number;
  why: string;
}

export interface Volume {
  rowsPerDay: number;
  windowDays: number;
  windowRows: number;
  minRows: number;
  sampleCap: number;
  sampleRows: number;
  sampled: boolean;
  hpoRows: number;
  features: FeatureWidth[];
  featureColumns: number;
  /** float32 training matrix (encoded columns + target), GiB. */
  matrixGib: number;
}

export interface Timing {
  cpus: number;
  parallel: number;
  /** Σ target trials × trial minutes over the members. */
  workTrialMinutes: number;
  /** Share of the target trials the HPO timeout allows (1 = all). */
  trialScale: number;
  trialsTarget: number;
  hpoMinutes: number;
  finalMinutes: number;
  totalMinutes: number;
}

/** HPO and refit figures of one ensemble member. */
export interface MemberPlan {
  name: string;
  family: FamilyId;
  space: SearchParam[];
  trialSpeedup: number;
  finalSpeedup: number;
  fitMinutesHpo: number;
  fitMinutesFull: number;
  trialMinutes: number;
  target: number;
  trials: number;
  hpoMinutes: number;
  timeoutMinutes: number;
}

export interface MlPlan {
  pkg: string;
  family: FamilyId;
  familyMatched: boolean;
  profile: FamilyProfile;
  space: SearchParam[];
  members: MemberPlan[];
  volume: Volume;
  period: SchedulePeriod;
  budgetMinutes: number;
  timing: Timing;
  ensembleMemberCap: number;
  featureSchemaHash: string;
  cvWhy: string;
  hpoWhy: string;
  orchestration: { tool: string; kind: string; name: string; file: string };
  decisions: MlEngineerDecisions;
}

export interface MlUpstream {
  data_engineer: DataEngineerDecisions;
  data_scientist: DataScientistDecisions;
}

const GIB = 1024 ** 3;
const round1 = (v: number) => Math.round(v * 10) / 10;
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** Encoded width of one model feature: the data scientist's output column count, explained from its transform. */
export function featureWidth(f: DataScientistDecisions['features'][number], categories: readonly string[] | undefined): FeatureWidth {
  const t = f.transform.toLowerCase();
  const base = f.output_columns - (f.missing_indicator ? 1 : 0);
  let why: string;
  if (/one[-_ ]?hot|dummy/.test(t)) why = `${categories ? `${categories.length} categories` : 'categories'} → ${base} one-hot column(s)`;
  else if (base > 1) why = `${base} columns from ${f.transform}`;
  else why = 'one column';
  if (f.missing_indicator) why += ' + missing indicator';
  return { name: f.name, type: f.type, transform: f.transform, columns: f.output_columns, why };
}

function volumeOf(spec: ResolvedSpec, up: MlUpstream, hpoRowsFor: (sample: number) => number): Volume {
  const ds = up.data_scientist;
  const rowsPerDay = up.data_engineer.total_rows_per_day;
  const windowDays = ds.training_data.window_days;
  const windowRows = rowsPerDay * windowDays;
  const gpus = spec.scale.training_gpus;
  const cap = gpus > 0 ? RULES.gpuSampleCapPerGpu * gpus : RULES.cpuSampleCap;
  const sampleCap = Math.max(cap, ds.training_data.min_rows);
  const sampleRows = Math.min(windowRows, sampleCap);
  const protectedSet = new Set(ds.protected_attributes);
  const byName = new Map(spec.data.features.map((f) => [f.name, f]));
  const features = ds.features
    .filter((f) => !protectedSet.has(f.name) && f.role !== 'protected')
    .map((f) => featureWidth(f, byName.get(f.name)?.categories));
  const featureColumns = features.reduce((s, f) => s + f.columns, 0);
  return {
    rowsPerDay,
    windowDays,
    windowRows,
    minRows: ds.training_data.min_rows,
    sampleCap,
    sampleRows,
    sampled: windowRows > sampleRows,
    hpoRows: hpoRowsFor(sampleRows),
    features,
    featureColumns,
    matrixGib: (sampleRows * (featureColumns + 1) * 4) / GIB,
  };
}

/** Cross-validation from the upstream split, the problem type and the row count. */
function crossValidation(spec: ResolvedSpec, ds: DataScientistDecisions, rows: number): { cv: MlEngineerDecisions['cross_validation']; why: string } {
  const td = ds.training_data;
  // "<cv>_with_time_holdout": the holdout is the out-of-time test set, the part before it names the folds.
  const split = td.split.toLowerCase().replace(/[-_ ]?with[-_ ].*holdout.*$/, '');
  const type = spec.problem.type;
  const classification = type === 'binary_classification' || type === 'multiclass_classification';
  const folds = rows <= 100_000 ? 10 : rows <= 10_000_000 ? 5 : 3;
  const foldsWhy = `${folds} folds for ${rows.toLocaleString('en-US')} rows (≤ 100 k → 10, ≤ 10 M → 5, more → 3: each fold still holds ≥ ${Math.floor(rows / folds).toLocaleString('en-US')} rows)`;
  const holdout = `the most recent ${td.holdout_days} day(s) stay out of every fold as the out-of-time test set`;
  const common = { holdout_days: td.holdout_days };
  if (/time|temporal|chrono|out[-_ ]of[-_ ]time|forward|rolling|expanding/.test(split) || type === 'forecasting' || type === 'anomaly_detection') {
    const gapDays = Math.ceil(td.label_cutoff_hours / 24);
    return {
      cv: { strategy: 'time_series_split', folds, gap_days: gapDays, group_key: null, order_by: spec.data.event_timestamp, ...common },
      why: `upstream split "${td.split}" on a ${type.replace(/_/g, ' ')} problem: expanding-window folds ordered by ${spec.data.event_timestamp}, with a gap of ${gapDays} day(s) = ceil(label cut-off ${td.label_cutoff_hours} h / 24) so no fold trains on labels that would not have arrived yet; ${holdout}; ${foldsWhy}`,
    };
  }
  if (/group|entity|user|customer|account|session|query/.test(split) || type === 'ranking' || type === 'recommendation') {
    const strategy = classification ? 'stratified_group_k_fold' : 'group_k_fold';
    return {
      cv: { strategy, folds, gap_days: 0, group_key: spec.data.entity_key, order_by: null, ...common },
      why: `rows of one ${spec.data.entity_key} stay in one fold (upstream split "${td.split}", ${type.replace(/_/g, ' ')}), so the score is measured on unseen entities; ${holdout}; ${foldsWhy}`,
    };
  }
  if (classification) {
    return {
      cv: { strategy: 'stratified_k_fold', folds, gap_days: 0, group_key: null, order_by: null, ...common },
      why: `class balance of ${spec.problem.target} kept in every fold (upstream split "${td.split}"); ${holdout}; ${foldsWhy}`,
    };
  }
  return { cv: { strategy: 'k_fold', folds, gap_days: 0, group_key: null, order_by: null, ...common }, why: `shuffled folds (upstream split "${td.split}"); ${holdout}; ${foldsWhy}` };
}

/** Candidates that are references to beat (naive forecasts, majority class…), not models to ensemble. */
export const BASELINE_WORDS = /naive|baseline|heuristic|reference|majority|dummy|last[-_ ]?value|moving[-_ ]?average|popularity|random|z[-_ ]?score/i;

/** Ensembling: members from the upstream candidates, capped by the latency budget; method by problem type. */
function ensemble(spec: ResolvedSpec, ds: DataScientistDecisions, rows: number): { ensemble: MlEngineerDecisions['ensemble']; cap: number } {
  const p99 = spec.slo.p99_latency_ms;
  const batchOnly = spec.options.deployment_mode === 'batch';
  const cap = batchOnly ? 3 : p99 >= 100 ? 3 : p99 >= 50 ? 2 : 1;
  const primary = ds.algorithm.library.trim() || ds.algorithm.family;
  const candidates = ds.algorithm.candidates.map((n) => n.trim()).filter(Boolean);
  const baselines = candidates.filter((c) => BASELINE_WORDS.test(c));
  // A candidate naming the primary library or family (e.g. "xgboost_global_model" for xgboost, "isolation_forest" for
  // a scikit-learn isolation forest) is the primary itself, not a second member.
  const same = (c: string, name: string) => c.toLowerCase().includes(name.toLowerCase()) || name.toLowerCase().includes(c.toLowerCase());
  const others = candidates.filter((c) => !BASELINE_WORDS.test(c) && !same(c, primary) && !same(c, ds.algorithm.family));
  const members = [primary, ...new Set(others)].slice(0, cap);
  if (members.length <= 1) return { ensemble: { method: 'single_model', members, max_members: cap, baselines }, cap };
  const type = spec.problem.type;
  let method: string;
  if (type === 'binary_classification' || type === 'multiclass_classification') method = rows >= 100_000 ? 'stacking_logistic_oof' : 'soft_voting';
  else if (type === 'regression' || type === 'forecasting') method = 'inverse_error_weighted_average';
  else if (type === 'anomaly_detection') method = 'rank_normalised_score_average';
  else method = 'rank_averaging';
  return { ensemble: { method, members, max_members: cap, baselines }, cap };
}

/**
 * Trivial reference models the generated training pipeline implements itself (pipeline.py BUILTIN_BASELINES), so a
 * relative promotion gate always has its baseline score; other baselines need a trainer from the steps factory.
 */
export const BUILTIN_BASELINES: Record<string, string> = {
  mean_predictor: 'predicts the training-fold mean of the target',
  majority_class: 'predicts the most frequent class of the training fold',
  constant_scorer: 'scores every row with the training-fold positive rate',
  robust_zscore: 'scores a row by its largest robust z-score |x − median| / (1.4826 · MAD) over the encoded columns',
};

/** The reference model per problem type when no upstream candidate is a baseline (matches the data scientist's description). */
const DEFAULT_BASELINE: Record<ProblemType, string> = {
  binary_classification: 'constant_scorer',
  multiclass_classification: 'majority_class',
  regression: 'mean_predictor',
  ranking: 'popularity_ranking',
  forecasting: 'seasonal_naive',
  anomaly_detection: 'robust_zscore',
  recommendation: 'popularity',
};


/**
 * The promotion gate from the data scientist's threshold and rule: an absolute threshold is a metric value; a
 * relative one is a factor on the CV score of a baseline model scored in the same training run (the first upstream
 * baseline candidate, else the problem type's trivial model).
 */
export function promotionGate(spec: ResolvedSpec, ds: DataScientistDecisions, baselines: readonly string[], minImprovementPct: number): PromotionGate {
  const common = { metric: ds.primary_metric, direction: ds.metric_direction, min_improvement_pct: minImprovementPct };
  if (ds.promotion_rule === 'absolute') return { ...common, rule: 'absolute', min_value: ds.promotion_threshold, baseline_factor: null, baseline_model: null };
  return { ...common, rule: 'relative_to_baseline', min_value: null, baseline_factor: ds.promotion_threshold, baseline_model: baselines[0] ?? DEFAULT_BASELINE[spec.problem.type] };
}

function trackingOf(spec: ResolvedSpec, modelName: string): MlEngineerDecisions['tracking'] {
  const ns = spec.team.namespace;
  const experiment = `${spec.name}-training`;
  const common = { experiment_name: experiment, local_dir: 'runs/tracking' };
  switch (spec.options.experiment_tracking) {
    case 'mlflow':
      return {
        ...common,
        backend: 'mlflow',
        tracking_uri: `http://mlflow.${ns}.svc.cluster.local:5000`,
        artifact_uri: `${objectStoreUri(spec, 'mlflow-artifacts')}/${experiment}`,
        project: experiment,
        registry: `MLflow Model Registry: registered model ${modelName}, aliases dev/staging/prod`,
        comparison: 'mlflow.search_runs() into a DataFrame ranked by the CV mean, and the MLflow UI run comparison (parallel coordinates, metric history)',
      };
    case 'wandb':
      return {
        ...common,
        backend: 'wandb',
        tracking_uri: 'https://api.wandb.ai',
        artifact_uri: `wandb-artifact://${ns}/${spec.name}/${modelName}`,
        project: `${ns}/${spec.name}`,
        registry: `W&B Registry: artifact collection ${modelName} (type model), aliases dev/staging/prod`,
        comparison: 'W&B sweep and project tables with parallel-coordinates and parameter-importance panels; wandb.Api().runs() for scripted comparison',
      };
    case 'neptune':
      return {
        ...common,
        backend: 'neptune',
        tracking_uri: 'https://app.neptune.ai',
        artifact_uri: `${objectStoreUri(spec, 'neptune-artifacts')}/${experiment}`,
        project: `${ns}/${spec.name}`,
        registry: `Neptune model registry: model ${modelName.toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 10) || 'MODEL'}, stages none/staging/production`,
        comparison: 'Neptune runs table with a saved view grouped by algorithm, and compare-runs charts; neptune fetch_runs_table() for scripted comparison',
      };
    case 'clearml':
      return {
        ...common,
        backend: 'clearml',
        tracking_uri: `http://clearml-apiserver.${ns}.svc.cluster.local:8008`,
        artifact_uri: `${objectStoreUri(spec, 'clearml-artifacts')}/${experiment}`,
        project: `${spec.name}/training`,
        registry: `ClearML model repository: model ${modelName}, stage tags stage:dev/stage:staging/stage:prod`,
        comparison: 'ClearML experiment comparison (scalars, hyper-parameters, artifacts side by side) and Task.get_tasks() for scripted comparison',
      };
  }
}

function orchestrationOf(spec: ResolvedSpec, pkg: string): MlPlan['orchestration'] {
  const name = `${spec.name}-training`;
  switch (spec.options.orchestration) {
    case 'kubeflow':
      return { tool: 'kubeflow', kind: 'Kubeflow Pipelines (KFP v2) pipeline with a recurring run', name, file: 'ml/pipelines/training_kubeflow.py' };
    case 'airflow':
      return { tool: 'airflow', kind: 'Airflow DAG', name: `${pkg}_training`, file: 'ml/pipelines/training_airflow.py' };
    case 'prefect':
      return { tool: 'prefect', kind: 'Prefect deployment on a Kubernetes work pool', name: `${name}/scheduled-retrain`, file: 'ml/pipelines/training_prefect.py' };
    case 'dagster':
      return { tool: 'dagster', kind: 'Dagster job with a ScheduleDefinition', name: `${pkg}_training_schedule`, file: 'ml/pipelines/training_dagster.py' };
  }
}

function roundUpTo(v: number, step: number): number {
  return Math.ceil(v / step) * step;
}

export function derivePlan(spec: ResolvedSpec, up: MlUpstream): MlPlan {
  const ds = up.data_scientist;
  const pkg = pythonPackage(spec);
  const words = [ds.algorithm.family, ds.algorithm.library, ...ds.algorithm.candidates];
  const { family, matched } = classifyFamily(words, spec.problem.type);
  const profile = FAMILIES[family];
  const gpus = spec.scale.training_gpus;

  const volume = volumeOf(spec, up, (sample) => Math.min(sample, RULES.hpoRowsCap));
  const space = searchSpace(family, { problem: spec.problem.type, hpoRows: volume.hpoRows, positiveRate: spec.problem.positive_rate, featureColumns: volume.featureColumns });
  const { cv, why: cvWhy } = crossValidation(spec, ds, volume.sampleRows);

  // Distributed training: data-parallel across every GPU when there is more than one.
  const distributedOn = gpus > 1;
  const workers = distributedOn ? Math.ceil(gpus / RULES.gpusPerNode) : 1;
  const gpusPerWorker = distributedOn ? Math.ceil(gpus / workers) : gpus;
  const distributed: MlEngineerDecisions['distributed'] = {
    enabled: distributedOn,
    launcher: distributedOn ? 'torchrun' : 'none',
    workers,
    gpus_per_worker: gpusPerWorker,
    backend: distributedOn ? (profile.torch ? 'pytorch_ddp_nccl' : 'tree_collective_over_torchrun') : 'none',
  };

  // Resources of the final fit.
  const cpus = gpus > 0 ? 8 * gpusPerWorker : volume.sampleRows > 50_000_000 ? 32 : volume.sampleRows > 5_000_000 ? 16 : 8;
  const memoryGi = roundUpTo(volume.matrixGib * 4 + 4, 4);

  // Time budget from the schedule.
  const period = schedulePeriod(spec.scale.training_schedule);
  const budgetMinutes = Math.max(10, Math.floor(Math.min(period.periodHours * 60 * RULES.budgetShareOfPeriod, RULES.budgetCeilingMinutes)));
  const hpoTimeout = Math.max(5, Math.floor(budgetMinutes * RULES.hpoShareOfBudget));

  const ddpSpeed = (g: number) => g * RULES.ddpEfficiencyPerDoubling ** Math.ceil(Math.log2(Math.max(1, g)));
  const hpoTool: 'optuna' | 'ray_tune' = gpus > 1 ? 'ray_tune' : 'optuna';
  const ens = ensemble(spec, ds, volume.sampleRows);

  // Every ensemble member is tuned with its own family's search space; the HPO timeout is shared.
  const drafts = ens.ensemble.members.map((name, i) => {
    const fam = i === 0 ? family : classifyFamily([name], spec.problem.type).family;
    const prof = FAMILIES[fam];
    const memberGpu = gpus > 0 && prof.gpuSpeedup > 1;
    const fit = (rows: number, speedup: number) => (rows * volume.featureColumns) / (prof.cellsPerMinute * speedup);
    const trialSpeedup = memberGpu ? prof.gpuSpeedup : RULES.trialCpus / 16;
    const finalSpeedup = memberGpu ? prof.gpuSpeedup * ddpSpeed(gpus) : cpus / 16;
    const memberSpace = i === 0 ? space : searchSpace(fam, { problem: spec.problem.type, hpoRows: volume.hpoRows, positiveRate: spec.problem.positive_rate, featureColumns: volume.featureColumns });
    const fitMinutesHpo = fit(volume.hpoRows, trialSpeedup);
    return {
      name,
      family: fam,
      space: memberSpace,
      trialSpeedup,
      finalSpeedup,
      fitMinutesHpo,
      fitMinutesFull: fit(volume.sampleRows, finalSpeedup),
      trialMinutes: Math.max(0.05, (cv.folds - 1) * fitMinutesHpo),
      target: clamp(RULES.trialsPerParam * memberSpace.length, RULES.minTrials, RULES.maxTrials),
    };
  });
  const work = drafts.reduce((s, m) => s + m.target * m.trialMinutes, 0);
  const parallel = gpus > 1 ? gpus : gpus === 1 ? 1 : clamp(Math.ceil(work / hpoTimeout), 2, 8);
  const scale = Math.min(1, (hpoTimeout * parallel) / work);
  const members: MemberPlan[] = drafts.map((m) => {
    const trials = Math.max(Math.min(m.target, parallel), Math.floor(m.target * scale));
    const minutes = Math.ceil(trials / parallel) * m.trialMinutes;
    return { ...m, trials, hpoMinutes: minutes, timeoutMinutes: Math.max(1, Math.floor((hpoTimeout * m.target * m.trialMinutes) / work)) };
  });
  const trials = members.reduce((s, m) => s + m.trials, 0);
  const trialsTarget = members.reduce((s, m) => s + m.target, 0);
  const hpoMinutes = Math.min(hpoTimeout, members.reduce((s, m) => s + m.hpoMinutes, 0));
  const finalMinutes = members.reduce((s, m) => s + m.fitMinutesFull, 0);
  const totalMinutes = Math.ceil(hpoMinutes + finalMinutes + RULES.overheadMinutes);

  const pruner = hpoTool === 'ray_tune' ? 'asha' : profile.iterative && profile.torch ? 'hyperband' : 'median';
  const hpoWhy =
    hpoTool === 'ray_tune'
      ? `${gpus} training GPUs > 1: Ray Tune places one trial per GPU (${gpus} in parallel) and runs the final DDP fit on the same Ray cluster`
      : gpus === 1
        ? 'one training GPU: Optuna runs trials one after the other on it'
        : `CPU training: Optuna with a shared RDB study, ${parallel} trial pods of ${RULES.trialCpus} vCPU in parallel = ceil(${round1(work)} trial-minutes of target work / ${hpoTimeout} min HPO budget), bounded to 2..8`;

  const modelName = spec.name;
  const gateMargin = Math.max(0.5, Math.round((spec.slo.max_degradation_pct / 5) * 10) / 10);
  const featureSchemaHash = createHash('sha256')
    .update(volume.features.map((f) => `${f.name}:${f.type}:${f.transform}`).join('\n'))
    .digest('hex')
    .slice(0, 12);
  const orchestration = orchestrationOf(spec, pkg);
  const tracking = trackingOf(spec, modelName);

  const decisions: MlEngineerDecisions = {
    hpo: {
      tool: hpoTool,
      trials,
      timeout_minutes: hpoTimeout,
      members: members.map((m) => ({ name: m.name, family: m.family, trials: m.trials, timeout_minutes: m.timeoutMinutes, search_space: m.space.map(({ why: _why, ...p }) => p) })),
      parallel_trials: parallel,
      search_space: space.map(({ why: _why, ...p }) => p),
      sampler: hpoTool === 'ray_tune' ? 'optuna_tpe_via_ray_optunasearch' : 'tpe_multivariate',
      pruner,
      trial_rows: volume.hpoRows,
      storage: hpoTool === 'ray_tune' ? `${objectStoreUri(spec, 'ml-artifacts')}/ray-results/${spec.name}` : `postgresql://optuna@optuna-db.${spec.team.namespace}.svc.cluster.local:5432/optuna`,
    },
    cross_validation: cv,
    ensemble: ens.ensemble,
    distributed,
    tracking,
    registry: {
      model_name: modelName,
      stages: ['dev', 'staging', 'prod'],
      promotion_gate: promotionGate(spec, ds, ens.ensemble.baselines, gateMargin),
      versioning: 'semver MAJOR.MINOR.PATCH: MAJOR on a feature-schema change, MINOR on retraining (new data or hyper-parameters), PATCH on metadata-only changes',
      tags: ['git_sha', 'data_version', 'feature_schema', 'training_window', 'algorithm', 'cv_metric', 'hpo_trials', 'config_hash', 'previous_prod_version'],
      feature_schema_hash: featureSchemaHash,
      rollback_minutes: spec.slo.rollback_minutes,
      rollback_script: 'scripts/rollback_model.sh',
      backend: spec.options.experiment_tracking,
    },
    training: {
      expected_minutes: totalMinutes,
      cpu: String(cpus),
      memory: `${memoryGi}Gi`,
      gpus,
      schedule: spec.scale.training_schedule,
      timeout_minutes: budgetMinutes,
      window_rows: volume.windowRows,
      sample_rows: volume.sampleRows,
      feature_columns: volume.featureColumns,
      matrix_gib: Math.round(volume.matrixGib * 100) / 100,
    },
    orchestration: { tool: orchestration.tool, kind: orchestration.kind, name: orchestration.name, schedule: spec.scale.training_schedule },
    code: {
      package: pkg,
      modules: [
        `ml/src/${pkg}/training/interfaces.py`,
        `ml/src/${pkg}/training/config.py`,
        `ml/src/${pkg}/training/hpo.py`,
        `ml/src/${pkg}/training/tracking.py`,
        `ml/src/${pkg}/training/pipeline.py`,
        `ml/src/${pkg}/registry/promotion.py`,
        orchestration.file,
      ],
      config: 'ml/configs/training.yaml',
      search_space: 'ml/configs/hpo_search_space.json',
    },
  };

  return {
    pkg,
    family,
    familyMatched: matched,
    profile,
    space,
    volume,
    period,
    budgetMinutes,
    members,
    timing: {
      cpus,
      parallel,
      workTrialMinutes: work,
      trialScale: scale,
      trialsTarget,
      hpoMinutes,
      finalMinutes,
      totalMinutes,
    },
    ensembleMemberCap: ens.cap,
    featureSchemaHash,
    cvWhy,
    hpoWhy,
    orchestration,
    decisions,
  };
}
