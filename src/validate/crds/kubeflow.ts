import { PodTemplateSpec, type IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import { z } from 'zod';
import { k8sCore } from './core.js';
import type { CustomResourceSchema } from './types.js';

/**
 * Kubeflow training operator v1 (kubeflow.org/v1) PyTorchJob, written from the operator's API types
 * (pkg/apis/kubeflow.org/v1/pytorch_types.go and common_types.go of kubeflow/training-operator v1.8) and its
 * validation (pytorch_validation.go). Every object is z.strictObject: an unknown or misspelt field is rejected.
 * The embedded pod templates are checked with kubernetes-models (the Kubernetes OpenAPI schema).
 */
export const PYTORCHJOB_REFERENCE =
  'https://github.com/kubeflow/training-operator/blob/v1.8.1/pkg/apis/kubeflow.org/v1/pytorch_types.go (PyTorchJobSpec, ElasticPolicy) and common_types.go (ReplicaSpec, RunPolicy, SchedulingPolicy); rules from pytorch_validation.go; API reference https://www.kubeflow.org/docs/components/trainer/legacy-v1/reference/training-operator/';

const int32 = z.number().int().min(0).max(2_147_483_647);
const quantity = z.union([z.string().regex(/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|[KMGTPE]i?|[mkMGTPE]|)$/), z.number()]);
/** RFC 1123 label values and keys are checked by the API server; here only their types. */
const stringMap = z.record(z.string(), z.string());

/** An embedded PodTemplateSpec, validated by kubernetes-models (types, enums, quantities, required fields). */
export const podTemplateSpec = k8sCore<IPodTemplateSpec>(PodTemplateSpec);

const objectMeta = z.strictObject({
  name: z.string().regex(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/, 'PyTorchJob name must be a DNS-1035 label'),
  namespace: z.string().optional(),
  labels: stringMap.optional(),
  annotations: stringMap.optional(),
});

/** common_types.go RestartPolicy: ExitCode restarts on exit codes 128-255 (signals) and fails on 1-127. */
export const RestartPolicy = z.enum(['Always', 'OnFailure', 'Never', 'ExitCode']);
export const CleanPodPolicy = z.enum(['All', 'Running', 'None']);

const ReplicaSpec = z.strictObject({
  replicas: int32.optional(),
  template: podTemplateSpec,
  restartPolicy: RestartPolicy.optional(),
});

const SchedulingPolicy = z.strictObject({
  minAvailable: int32.optional(),
  queue: z.string().optional(),
  minResources: z.record(z.string(), quantity).optional(),
  priorityClass: z.string().optional(),
  scheduleTimeoutSeconds: int32.optional(),
});

const RunPolicy = z.strictObject({
  cleanPodPolicy: CleanPodPolicy.optional(),
  ttlSecondsAfterFinished: int32.optional(),
  activeDeadlineSeconds: z.number().int().positive().optional(),
  backoffLimit: int32.optional(),
  schedulingPolicy: SchedulingPolicy.optional(),
  suspend: z.boolean().optional(),
  managedBy: z.string().optional(),
});

const ElasticPolicy = z.strictObject({
  minReplicas: int32.optional(),
  maxReplicas: int32.optional(),
  rdzvBackend: z.enum(['c10d', 'etcd', 'etcd-v2']).optional(),
  rdzvPort: int32.optional(),
  rdzvHost: z.string().optional(),
  rdzvId: z.string().optional(),
  rdzvConf: z.array(z.strictObject({ key: z.string().optional(), value: z.string().optional() })).optional(),
  standalone: z.boolean().optional(),
  /** Deprecated since v1.7 in favour of spec.nprocPerNode. */
  nProcPerNode: int32.optional(),
  maxRestarts: int32.optional(),
  /** autoscaling/v2 MetricSpec list for the HPA the operator creates; not emitted by us, so kept loose in its items. */
  metrics: z.array(z.record(z.string(), z.unknown())).optional(),
});

const PyTorchJobSpec = z
  .strictObject({
    runPolicy: RunPolicy.optional(),
    elasticPolicy: ElasticPolicy.optional(),
    pytorchReplicaSpecs: z.strictObject({ Master: ReplicaSpec.optional(), Worker: ReplicaSpec.optional() }),
    nprocPerNode: z.string().regex(/^(auto|cpu|gpu|[1-9]\d*)$/, 'nprocPerNode is auto, cpu, gpu or a positive integer').optional(),
  })
  .superRefine((spec, ctx) => {
    const replicas = Object.entries(spec.pytorchReplicaSpecs).filter(([, r]) => r !== undefined);
    if (replicas.length === 0) ctx.addIssue({ code: 'custom', message: 'pytorchReplicaSpecs needs a Master or a Worker', path: ['pytorchReplicaSpecs'] });
    for (const [type, r] of replicas) {
      const containers = r!.template.spec?.containers ?? [];
      // pytorch_validation.go: the operator injects its environment into the container named "pytorch".
      if (!containers.some((c) => c.name === 'pytorch')) ctx.addIssue({ code: 'custom', message: `no container named pytorch in ${type}`, path: ['pytorchReplicaSpecs', type, 'template'] });
      if (containers.some((c) => !c.image)) ctx.addIssue({ code: 'custom', message: `image undefined in a container of ${type}`, path: ['pytorchReplicaSpecs', type, 'template'] });
    }
    const master = spec.pytorchReplicaSpecs.Master;
    if (master?.replicas !== undefined && master.replicas !== 1) ctx.addIssue({ code: 'custom', message: 'there must be only 1 master replica', path: ['pytorchReplicaSpecs', 'Master', 'replicas'] });
    if (spec.nprocPerNode !== undefined && spec.elasticPolicy?.nProcPerNode !== undefined) ctx.addIssue({ code: 'custom', message: '.spec.elasticPolicy.nProcPerNode is deprecated, use .spec.nprocPerNode instead', path: ['elasticPolicy', 'nProcPerNode'] });
    const e = spec.elasticPolicy;
    if (e?.minReplicas !== undefined && e.maxReplicas !== undefined && e.maxReplicas < e.minReplicas) ctx.addIssue({ code: 'custom', message: 'elasticPolicy.maxReplicas < minReplicas', path: ['elasticPolicy'] });
  });

export const PyTorchJobSchema = z.strictObject({
  apiVersion: z.literal('kubeflow.org/v1'),
  kind: z.literal('PyTorchJob'),
  metadata: objectMeta,
  spec: PyTorchJobSpec,
});
/** The PyTorchJob we build: typed by the schema that validates it. */
export type PyTorchJob = z.infer<typeof PyTorchJobSchema>;
export type PyTorchReplicaSpec = z.infer<typeof ReplicaSpec>;

export const CUSTOM_RESOURCES: CustomResourceSchema[] = [{ apiVersion: 'kubeflow.org/v1', kind: 'PyTorchJob', reference: PYTORCHJOB_REFERENCE, schema: PyTorchJobSchema }];
