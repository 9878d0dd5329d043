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
    mode: z.enum(['hpa', 'platform', 'none']).describe('hpa: our autoscaling/v2 HPA on `target`; platform: the serving CRD carries min/max and its controller autoscales; none: no model server'),
    target: z.object({ api_version: z.string(), kind: z.string(), name: z.string() }).nullable().describe('scaleTargetRef of the HPA (mlops serving.workload)'),
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
    sharing_config: z
      .object({ configmap: z.string(), namespace: z.string(), node_label: z.string(), node_label_value: z.string() })
      .nullable()
      .describe('NVIDIA GPU operator config (time-slicing or MIG) and the node label the inference pool carries; null without sharing'),
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
    file_storage_class: z.string().describe('ReadWriteMany StorageClass (EFS / Filestore / Azure Files)'),
    file_csi_driver: z.string(),
    model_cache: z.object({
      kind: z.enum(['none', 'emptyDir', 'pvc']),
      pvc_name: z.string().nullable().describe('ReadWriteMany claim in the serving namespace the model server mounts at its model directory (read-only)'),
      request_gi: z.number(),
    }),
    online_store: z.object({
      feature_store: z.string(),
      store: z.string(),
      mode: z.enum(['in-cluster', 'managed']),
      service: z.string().describe('in-cluster: headless Service of the Redis StatefulSet; managed: ExternalName Service (Redis) or the endpoint name'),
      host: z.string(),
      port: z.number(),
      managed_service: z.string().nullable(),
    }),
    inference_cache: z.object({ enabled: z.boolean(), name: z.string(), host: z.string(), port: z.number(), maxmemory_mb: z.number(), ttl_seconds: z.number(), policy: z.string() }),
    endpoints_configmap: z.string().describe('ConfigMap in the serving namespace with ONLINE_STORE_* and INFERENCE_CACHE_* (envFrom for the model server)'),
  }),
  // Added fields below.
  quotas: z.array(z.object({ namespace: z.string(), cpu: z.number(), memory_gi: z.number(), gpus: z.number(), pods: z.number() })),
  training_job: z.object({
    name: z.string(),
    namespace: z.string(),
    workers: z.number(),
    gpus_per_worker: z.number(),
    scheduler: z.string(),
    api_version: z.string().describe('kubeflow.org/v1 (PyTorchJob) or batch/v1 (Job)'),
    kind: z.enum(['PyTorchJob', 'Job']),
    launched_by: z.string().describe('what creates the object per run (Kubeflow Pipelines, Airflow KubernetesJobOperator, Prefect work pool, Dagster k8s executor)'),
    elastic: z.object({ min: z.number(), max: z.number(), max_restarts: z.number() }).nullable(),
    active_deadline_seconds: z.number(),
    pdb: z.string().nullable().describe('PodDisruptionBudget of multi-node workers'),
  }),
  mesh: z.object({ tool: z.string(), request_timeout_ms: z.number(), retries: z.number(), outlier_consecutive_5xx: z.number() }),
  vpa: z.array(
    z.object({
      name: z.string(),
      namespace: z.string(),
      target: z.object({ api_version: z.string(), kind: z.string(), name: z.string() }),
      update_mode: z.enum(['Off', 'Initial']),
      min_allowed: z.object({ cpu: z.string(), memory: z.string() }),
      max_allowed: z.object({ cpu: z.string(), memory: z.string() }),
    }),
  ),
  keda: z
    .object({
      scaled_object: z.string(),
      namespace: z.string(),
      target: z.string().describe('stream consumer Deployment'),
      trigger: z.enum(['kafka', 'aws-kinesis-stream']),
      min_replicas: z.number(),
      max_replicas: z.number(),
      lag_threshold: z.number().nullable(),
      shard_count: z.number().nullable(),
      trigger_authentication: z.string(),
    })
    .nullable(),
  pdbs: z.array(z.object({ name: z.string(), namespace: z.string(), selects: z.string().describe('workload whose pods it selects') })),
  files: z.array(z.string()).describe('deploy/k8s/base files this phase emits'),
});
export type KubernetesArchitectDecisions = z.infer<typeof KubernetesArchitectDecisions>;
