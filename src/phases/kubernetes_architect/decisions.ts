import { z } from 'zod';

// Hand-off contract of the kubernetes_architect phase: later phases rely on these fields. Add fields freely; remove none.
export const KubernetesArchitectDecisions = z.object({
  namespaces: z.object({ serving: z.string(), training: z.string(), batch: z.string(), monitoring: z.string() }),
  priority_classes: z.array(z.object({ name: z.string(), value: z.number() })),
  autoscaling: z.object({
    min_replicas: z.number(),
    max_replicas: z.number(),
    target_cpu_pct: z.number(),
    target_rps_per_pod: z.number(),
    // Added fields below.
    enabled: z.boolean().describe('false when no model server runs (batch-only)'),
    hpa_name: z.string(),
    namespace: z.string(),
    rps_metric: z.string().nullable().describe('Pods metric the HPA reads (served by the metrics adapter); null when CPU alone drives scaling'),
    seconds_to_max: z.number().describe('worst-case time from min to max replicas (doublings x (15 s + startup))'),
  }),
  spot: z.object({
    node_label: z.string(),
    node_label_value: z.string(),
    share_pct: z.number(),
    toleration_key: z.string().nullable(),
    // Added fields below.
    labels: z.array(z.object({ key: z.string(), value: z.string() })),
    cluster_spot_pct: z.number().describe('share of all weekly vCPU-hours on spot (serving stays on-demand)'),
  }),
  gpu: z.object({
    training: z.number(),
    serving: z.number(),
    sharing: z.enum(['none', 'time-slicing', 'mig']),
    // Added fields below.
    slices_per_gpu: z.number(),
    mig_profile: z.string().nullable(),
    physical_serving_gpus: z.number(),
  }),
  storage: z.object({
    storage_class: z.string(),
    csi_driver: z.string(),
    training_pvc_gi: z.number(),
    model_cache_gi: z.number(),
    // Added fields below.
    training_pvc_name: z.string().nullable().describe('null for multi-node training (per-worker ephemeral volumes)'),
    per_worker_gi: z.number().nullable(),
    online_store_gb: z.number(),
    inference_cache_mb: z.number(),
  }),
  // Added fields below.
  quotas: z.array(z.object({ namespace: z.string(), cpu: z.number(), memory_gi: z.number(), gpus: z.number(), pods: z.number() })),
  training_job: z.object({ name: z.string(), namespace: z.string(), workers: z.number(), gpus_per_worker: z.number(), scheduler: z.string() }),
  mesh: z.object({ tool: z.string(), request_timeout_ms: z.number(), retries: z.number(), outlier_consecutive_5xx: z.number() }),
});
export type KubernetesArchitectDecisions = z.infer<typeof KubernetesArchitectDecisions>;
