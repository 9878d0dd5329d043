import { z } from 'zod';

// Hand-off contract of the mlops_engineer phase: later phases rely on these fields. Add fields freely; remove none.
export const MlopsEngineerDecisions = z.object({
  serving: z.object({
    platform: z.string(),
    modes: z.array(z.enum(['online', 'batch', 'stream'])),
    protocol: z.string(),
    port: z.number(),
    rps_per_replica: z.number().describe('sustainable requests/s per replica at the target utilisation (capacity x target utilisation)'),
    min_replicas: z.number().describe('0 when no model server runs (batch-only)'),
    max_replicas: z.number().describe('0 when no model server runs (batch-only)'),
    cpu: z.string(),
    memory: z.string(),
    gpus: z.number(),
    // Added fields below.
    deployed: z.boolean().describe('whether a long-running model server Deployment exists (online or stream modes)'),
    namespace: z.string(),
    deployment_name: z.string(),
    service_name: z.string(),
    selector: z.record(z.string(), z.string()).describe('pod labels the Service, PDB and HPA select on'),
    runtime_image: z.string(),
    http_port: z.number(),
    grpc_port: z.number().nullable(),
    metrics_port: z.number(),
    metrics_path: z.string(),
    capacity_rps_per_replica: z.number(),
    target_utilisation: z.number(),
    service_time_ms: z.number(),
    peak_prediction_rps: z.number(),
    model_cache_gi: z.number(),
    startup_seconds: z.number(),
    request_timeout_ms: z.number(),
    workload: z
      .object({ api_version: z.string(), kind: z.string(), name: z.string() })
      .nullable()
      .describe('the object that owns the model-server pods (Deployment, Argo Rollout, or the Deployment a serving CRD creates); the HPA, VPA and PDB target it; null when no model server runs'),
    autoscaler: z
      .enum(['hpa', 'platform', 'none'])
      .describe('hpa: kubernetes_architect emits an autoscaling/v2 HPA on `workload`; platform: the serving CRD carries the autoscaling fields and its controller creates the autoscaler; none: no model server'),
    pod_labels: z.record(z.string(), z.string()).describe('labels every model-server pod carries (a superset of `selector`)'),
  }),
  rollout: z.object({
    strategy: z.enum(['canary', 'blue_green']),
    steps: z.array(z.object({ weight: z.number(), pause_seconds: z.number() })),
    analysis_interval_seconds: z.number(),
    failure_limit: z.number(),
    worst_case_rollback_seconds: z.number(),
    shadow: z.boolean(),
    // Added fields below.
    scale_back_seconds: z.number(),
    shadow_mirror_pct: z.number(),
    rollout_seconds: z.number(),
    max_surge_factor: z.number().describe('peak replicas during a release relative to the stable fleet (1.5 for a canary at 50 %, 2 for blue-green)'),
  }),
  batch: z
    .object({
      schedule: z.string(),
      orchestrator: z.string(),
      // Added fields below.
      namespace: z.string(),
      cronjob_name: z.string(),
      parallelism: z.number(),
      expected_minutes: z.number(),
      cpu: z.string(),
      memory: z.string(),
      output_uri: z.string(),
      entrypoint: z.string(),
    })
    .nullable(),
  stream: z
    .object({
      source_kind: z.string(),
      topic: z.string(),
      consumer_group: z.string(),
      // Added fields below.
      new_topic: z.boolean(),
      partitions: z.number(),
      consumer_replicas: z.number(),
      deployment_name: z.string(),
      output_topic: z.string(),
      peak_events_per_second: z.number(),
      cpu: z.string(),
      memory: z.string(),
      entrypoint: z.string(),
    })
    .nullable(),
  ci: z.object({ platform: z.string(), stages: z.array(z.object({ name: z.string(), budget_minutes: z.number() })), total_minutes: z.number(), fits_slo: z.boolean() }),
  gitops: z.object({ tool: z.string(), environments: z.array(z.string()) }),
  image_registry: z.string(),
  secrets_backend: z.string(),
  // Added fields below.
  images: z.object({ server: z.string(), jobs: z.string() }),
  model: z.object({ name: z.string(), artifact_uri: z.string(), family: z.string() }),
  ab_test: z.object({ treatment_share: z.number(), control_n: z.number(), treatment_n: z.number(), duration_days: z.number(), assignment: z.string() }),
  workloads: z.array(
    z.object({
      kind: z.enum(['Deployment', 'CronJob']),
      name: z.string(),
      namespace: z.string(),
      role: z.enum(['model-server', 'stream-consumer', 'batch-scoring']),
      replicas: z.number().describe('Deployment: max replicas; CronJob: pods per run'),
      cpu: z.string(),
      memory: z.string(),
      gpus: z.number(),
    }),
  ),
});
export type MlopsEngineerDecisions = z.infer<typeof MlopsEngineerDecisions>;
