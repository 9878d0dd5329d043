import { z } from 'zod';

// Hand-off contract of the ml_engineer phase: later phases rely on these fields. Add fields freely; remove none.
const SearchParam = z.object({ name: z.string(), kind: z.enum(['int', 'float', 'categorical']), low: z.number().optional(), high: z.number().optional(), log: z.boolean().optional(), choices: z.array(z.string()).optional() });

export const MlEngineerDecisions = z.object({
  hpo: z.object({
    tool: z.enum(['optuna', 'ray_tune']),
    trials: z.number(),
    timeout_minutes: z.number(),
    parallel_trials: z.number(),
    search_space: z.array(SearchParam).describe('search space of the primary (first) ensemble member'),
    members: z
      .array(z.object({ name: z.string(), family: z.string(), trials: z.number(), timeout_minutes: z.number(), search_space: z.array(SearchParam) }))
      .describe('per ensemble member: its family, trial share and search space (trials sum to hpo.trials)'),
    sampler: z.string().describe('search algorithm, e.g. tpe_multivariate'),
    pruner: z.enum(['median', 'hyperband', 'asha']).describe('early stopping of unpromising trials'),
    trial_rows: z.number().describe('rows one HPO trial trains on (subsample of the training sample)'),
    storage: z.string().describe('where the study/trial state lives (Optuna RDB URL or Ray results URI)'),
  }),
  cross_validation: z.object({
    strategy: z.string(),
    folds: z.number(),
    gap_days: z.number().describe('days left out between train and validation folds (label delay)'),
    group_key: z.string().nullable().describe('column keeping rows of one entity in one fold'),
    order_by: z.string().nullable().describe('time column ordering the folds (time-series split)'),
    holdout_days: z.number().describe('most recent days kept out of all folds (out-of-time test set, from data_scientist)'),
  }),
  ensemble: z.object({
    method: z.string(),
    members: z.array(z.string()),
    max_members: z.number().describe('cap from the latency budget'),
    baselines: z.array(z.string()).describe('upstream candidates that are references to beat: scored and logged every run, never ensembled'),
  }),
  distributed: z.object({
    enabled: z.boolean(),
    launcher: z.enum(['none', 'torchrun', 'horovod']),
    workers: z.number(),
    gpus_per_worker: z.number(),
    backend: z.string().describe('communication backend, e.g. pytorch_ddp_nccl'),
  }),
  tracking: z.object({
    backend: z.string(),
    experiment_name: z.string(),
    tracking_uri: z.string(),
    artifact_uri: z.string(),
    project: z.string(),
    registry: z.string().describe('registry product and naming of the model and its stages'),
    comparison: z.string(),
    local_dir: z.string().describe('directory of the offline JSON-lines tracker'),
  }),
  registry: z.object({
    model_name: z.string(),
    stages: z.array(z.string()),
    promotion_gate: z.object({
      metric: z.string(),
      direction: z.enum(['maximize', 'minimize']),
      rule: z.enum(['absolute', 'relative_to_baseline']).describe('absolute: compare with min_value; relative_to_baseline: compare with baseline_factor x the CV score of baseline_model in the same training run'),
      min_value: z.number().nullable().describe('absolute threshold on the metric (null when the rule is relative_to_baseline)'),
      baseline_factor: z.number().nullable().describe('factor on the baseline model\'s CV score (null when the rule is absolute): < 1 for minimised metrics, > 1 for maximised ones'),
      baseline_model: z.string().nullable().describe('trivial/reference model whose CV score of the same run the factor applies to (null when the rule is absolute)'),
      min_improvement_pct: z.number(),
    }),
    versioning: z.string(),
    tags: z.array(z.string()),
    feature_schema_hash: z.string().describe('sha256 prefix of the model input schema; a change bumps MAJOR'),
    rollback_minutes: z.number(),
    rollback_script: z.string(),
    backend: z.string(),
  }),
  training: z.object({
    expected_minutes: z.number(),
    cpu: z.string(),
    memory: z.string(),
    gpus: z.number(),
    schedule: z.string(),
    timeout_minutes: z.number().describe('hard limit of one training run'),
    window_rows: z.number().describe('rows in the upstream training window'),
    sample_rows: z.number().describe('rows one training run fits on'),
    feature_columns: z.number().describe('encoded model input width'),
    matrix_gib: z.number().describe('float32 training matrix size, GiB'),
  }),
  orchestration: z.object({ tool: z.string(), kind: z.string(), name: z.string(), schedule: z.string() }),
  code: z.object({ package: z.string(), modules: z.array(z.string()), config: z.string(), search_space: z.string() }),
});
export type MlEngineerDecisions = z.infer<typeof MlEngineerDecisions>;

export type PromotionGate = MlEngineerDecisions['registry']['promotion_gate'];

/**
 * The gate's threshold in words, e.g. "roc_auc ≥ 0.65" or "rmse ≤ 0.95 × the CV rmse of mean_predictor in the same
 * training run". wrap formats identifiers and numbers (e.g. as inline code).
 */
export function gateThresholdText(gate: PromotionGate, wrap: (s: string) => string = (s) => s): string {
  const op = gate.direction === 'maximize' ? '≥' : '≤';
  if (gate.rule === 'absolute') return `${wrap(gate.metric)} ${op} ${wrap(String(gate.min_value))}`;
  return `${wrap(gate.metric)} ${op} ${wrap(String(gate.baseline_factor))} × the CV ${wrap(gate.metric)} of the baseline model ${wrap(String(gate.baseline_model))} in the same training run`;
}
