import { z } from 'zod';

// Hand-off contract of the mlops_engineer phase: later phases rely on these fields. Add fields freely; remove none.
export const MlopsEngineerDecisions = z.object({
  serving: z.object({
    platform: z.string(),
    modes: z.array(z.enum(['online', 'batch', 'stream'])),
    protocol: z.string(),
    port: z.number(),
    rps_per_replica: z.number(),
    min_replicas: z.number(),
    max_replicas: z.number(),
    cpu: z.string(),
    memory: z.string(),
    gpus: z.number(),
  }),
  rollout: z.object({
    strategy: z.enum(['canary', 'blue_green']),
    steps: z.array(z.object({ weight: z.number(), pause_seconds: z.number() })),
    analysis_interval_seconds: z.number(),
    failure_limit: z.number(),
    worst_case_rollback_seconds: z.number(),
    shadow: z.boolean(),
  }),
  batch: z.object({ schedule: z.string(), orchestrator: z.string() }).nullable(),
  stream: z.object({ source_kind: z.string(), topic: z.string(), consumer_group: z.string() }).nullable(),
  ci: z.object({ platform: z.string(), stages: z.array(z.object({ name: z.string(), budget_minutes: z.number() })), total_minutes: z.number() }),
  gitops: z.object({ tool: z.string(), environments: z.array(z.string()) }),
  image_registry: z.string(),
  secrets_backend: z.string(),
});
export type MlopsEngineerDecisions = z.infer<typeof MlopsEngineerDecisions>;
