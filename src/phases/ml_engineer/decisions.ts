import { z } from 'zod';

// Hand-off contract of the ml_engineer phase: later phases rely on these fields. Add fields freely; remove none.
export const MlEngineerDecisions = z.object({
  hpo: z.object({
    tool: z.enum(['optuna', 'ray_tune']),
    trials: z.number(),
    timeout_minutes: z.number(),
    parallel_trials: z.number(),
    search_space: z.array(z.object({ name: z.string(), kind: z.enum(['int', 'float', 'categorical']), low: z.number().optional(), high: z.number().optional(), log: z.boolean().optional(), choices: z.array(z.string()).optional() })),
  }),
  cross_validation: z.object({ strategy: z.string(), folds: z.number() }),
  ensemble: z.object({ method: z.string(), members: z.array(z.string()) }),
  distributed: z.object({ enabled: z.boolean(), launcher: z.enum(['none', 'torchrun', 'horovod']), workers: z.number(), gpus_per_worker: z.number() }),
  tracking: z.object({ backend: z.string(), experiment_name: z.string(), tracking_uri: z.string() }),
  registry: z.object({
    model_name: z.string(),
    stages: z.array(z.string()),
    promotion_gate: z.object({ metric: z.string(), direction: z.enum(['maximize', 'minimize']), min_value: z.number(), min_improvement_pct: z.number() }),
  }),
  training: z.object({ expected_minutes: z.number(), cpu: z.string(), memory: z.string(), gpus: z.number(), schedule: z.string() }),
});
export type MlEngineerDecisions = z.infer<typeof MlEngineerDecisions>;
