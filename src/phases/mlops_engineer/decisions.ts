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
    platform_object: z
      .object({ api_version: z.string(), kind: z.string(), name: z.string() })
      .nullable()
      .describe('the object deploy/k8s/base/serving.yaml declares for the model server (InferenceService, SeldonDeployment or Rollout); null when no model server runs'),
    endpoint: z.string().nullable().describe('URL clients and the stream consumer call (the platform endpoint, where its traffic split applies)'),
    pdb_name: z.string().nullable().describe('PodDisruptionBudget of the model server (emitted by mlops_engineer)'),
    containers: z
      .array(z.object({ api_version: z.string(), kind: z.string(), name: z.string(), containers: z.array(z.string()), init_containers: z.array(z.string()) }))
      .describe('per object with a pod template in serving.yaml / release.yaml / ab-test.yaml: its container names (Helm/kustomize image and resource patches)'),
    platform_autoscaling: z
      .object({ kind: z.enum(['knative-kpa', 'seldon-hpa']), metric: z.string(), target: z.number(), min_replicas: z.number(), max_replicas: z.number() })
      .nullable()
      .describe('autoscaling the serving CRD carries when autoscaler = platform'),
    image_field_specs: z
      .array(z.object({ group: z.string(), kind: z.string(), path: z.string() }))
      .describe('where the server image sits in custom resources, for the kustomize images transformer (configurations: images fieldSpecs); pod templates under containers need none'),
    batching: z.object({ max_delay_ms: z.number(), batch_size: z.number(), max_batch_size: z.number(), headroom_ms: z.number() }),
    runtime_config: z
      .object({ config_map: z.string(), file: z.string(), mount_path: z.string() })
      .nullable()
      .describe('ConfigMap carrying the runtime configuration (TorchServe config.properties, Triton config.pbtxt)'),
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
    mechanism: z.string().describe('how a release moves traffic: argo-rollouts-canary, argo-rollouts-bluegreen, kserve-canary-traffic-percent, seldon-predictor-traffic; none when no model server'),
    analysis: z.object({
      provider: z.enum(['prometheus', 'datadog', 'newRelic']),
      address: z.string().nullable(),
      templates: z.array(z.string()),
      max_error_rate: z.number(),
      max_p99_ms: z.number(),
      interval_seconds: z.number(),
      count: z.number(),
      argo_failure_limit: z.number(),
      error_rate_query: z.string(),
      latency_query: z.string(),
    }),
    virtual_services: z.array(z.object({ name: z.string(), hosts: z.array(z.string()) })).describe('Istio VirtualServices this phase owns (no other phase may route these hosts)'),
    destination_rules: z.array(z.object({ name: z.string(), host: z.string() })),
    shadow_target: z.object({ service: z.string(), workload: z.string().nullable() }).nullable(),
    argocd_ignore_differences: z
      .array(z.object({ group: z.string(), kind: z.string(), name: z.string(), namespace: z.string(), json_pointers: z.array(z.string()) }))
      .describe('fields the release script changes in the cluster; the prod Argo CD Application must ignore them (ignoreDifferences) so self-heal does not undo a release in progress'),
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
  files: z.array(z.object({ path: z.string(), kind: z.string(), purpose: z.string() })).describe('every file this phase emits'),
  manifests: z
    .array(z.object({ path: z.string(), content: z.string() }))
    .describe('the deploy/k8s/base files this phase wrote, verbatim: kubernetes_architect packages them with its own into the overlays, the Argo CD apps and the Helm chart'),
  ab_experiment: z
    .object({ file: z.string(), service: z.string(), virtual_service: z.string(), destination_rule: z.string(), treatment_workload: z.object({ api_version: z.string(), kind: z.string(), name: z.string() }), header: z.string(), treatment_weight_pct: z.number() })
    .nullable()
    .describe('deploy/k8s/experiments/ab-test.yaml: applied only while an experiment runs (not part of the kustomize base)'),
  service_accounts: z
    .array(z.object({ role: z.string(), namespace: z.string(), name: z.string() }))
    .describe('ServiceAccounts bound to a cloud identity (deploy/k8s/base/identity.yaml), by role: serving, training, batch, stream, external-secrets'),
  infrastructure_values: z
    .array(z.object({ key: z.string(), placeholder: z.string(), description: z.string() }))
    .describe('Placeholders in the manifests that only Terraform knows; the Helm chart binds each to infrastructure.<key> and the env roots output helm_values sets them'),
  workloads: z.array(
    z.object({
      kind: z.enum(['Deployment', 'CronJob', 'Rollout', 'InferenceService', 'SeldonDeployment']),
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
