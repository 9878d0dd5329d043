import { DeploymentStrategy } from 'kubernetes-models/apps/v1/DeploymentStrategy';
import { Affinity } from 'kubernetes-models/v1/Affinity';
import { Container, type IContainer } from 'kubernetes-models/v1/Container';
import { ContainerPort, type IContainerPort } from 'kubernetes-models/v1/ContainerPort';
import { EnvFromSource } from 'kubernetes-models/v1/EnvFromSource';
import { EnvVar, type IEnvVar } from 'kubernetes-models/v1/EnvVar';
import { HostAlias, type IHostAlias } from 'kubernetes-models/v1/HostAlias';
import { Lifecycle } from 'kubernetes-models/v1/Lifecycle';
import { LocalObjectReference } from 'kubernetes-models/v1/LocalObjectReference';
import { PodDNSConfig } from 'kubernetes-models/v1/PodDNSConfig';
import { PodSecurityContext } from 'kubernetes-models/v1/PodSecurityContext';
import { Probe } from 'kubernetes-models/v1/Probe';
import { ResourceRequirements } from 'kubernetes-models/v1/ResourceRequirements';
import { SecurityContext } from 'kubernetes-models/v1/SecurityContext';
import { Toleration } from 'kubernetes-models/v1/Toleration';
import { TopologySpreadConstraint, type ITopologySpreadConstraint } from 'kubernetes-models/v1/TopologySpreadConstraint';
import { Volume, type IVolume } from 'kubernetes-models/v1/Volume';
import { VolumeMount, type IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import { z } from 'zod';
import { k8sCore, k8sObjectMeta } from './core.js';
import type { CustomResourceSchema } from './types.js';

/**
 * KServe InferenceService (serving.kserve.io/v1beta1), written from the API types of kserve v0.14
 * (pkg/apis/serving/v1beta1: inference_service.go, predictor.go, component.go, podspec.go, predictor_model.go)
 * and the control-plane API reference. Every KServe type is a z.strictObject, so a misspelt or unknown field is
 * rejected; embedded Kubernetes core types (Container pieces, Affinity, Toleration…) are checked by
 * kubernetes-models through k8sCore.
 */
export const INFERENCESERVICE_REFERENCE =
  'https://kserve.github.io/website/latest/reference/api/ (serving.kserve.io/v1beta1 InferenceService) and https://github.com/kserve/kserve/tree/v0.14.1/pkg/apis/serving/v1beta1 (component.go ComponentExtensionSpec, predictor.go PredictorSpec/PredictorExtensionSpec, predictor_model.go ModelSpec, podspec.go PodSpec)';

const int = z.number().int();
const stringMap = z.record(z.string(), z.string());

/** corev1.Container fields inlined into PredictorExtensionSpec (the runtime container overrides). */
const containerFields = {
  name: z.string().optional(),
  image: z.string().optional(),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  workingDir: z.string().optional(),
  ports: z.array(k8sCore<IContainerPort>(ContainerPort)).optional(),
  envFrom: z.array(k8sCore(EnvFromSource)).optional(),
  env: z.array(k8sCore<IEnvVar>(EnvVar)).optional(),
  resources: k8sCore(ResourceRequirements).optional(),
  volumeMounts: z.array(k8sCore<IVolumeMount>(VolumeMount)).optional(),
  livenessProbe: k8sCore(Probe).optional(),
  readinessProbe: k8sCore(Probe).optional(),
  startupProbe: k8sCore(Probe).optional(),
  lifecycle: k8sCore(Lifecycle).optional(),
  terminationMessagePath: z.string().optional(),
  terminationMessagePolicy: z.enum(['File', 'FallbackToLogsOnError']).optional(),
  imagePullPolicy: z.enum(['Always', 'Never', 'IfNotPresent']).optional(),
  securityContext: k8sCore(SecurityContext).optional(),
  stdin: z.boolean().optional(),
  tty: z.boolean().optional(),
};

export const ProtocolVersion = z.enum(['v1', 'v2', 'grpc-v1', 'grpc-v2']);

const StorageSpec = z.strictObject({
  path: z.string().optional(),
  schemaPath: z.string().optional(),
  parameters: stringMap.optional(),
  key: z.string().optional(),
});

/** PredictorExtensionSpec: storageUri, runtimeVersion, protocolVersion, storage + the inlined Container. */
const predictorExtensionFields = {
  storageUri: z.string().min(1).optional(),
  runtimeVersion: z.string().optional(),
  protocolVersion: ProtocolVersion.optional(),
  storage: StorageSpec.optional(),
  ...containerFields,
};

const FrameworkSpec = z.strictObject(predictorExtensionFields);

export const ModelFormat = z.strictObject({ name: z.string().min(1), version: z.string().optional() });

/** predictor.model: any framework served by a (Cluster)ServingRuntime that supports modelFormat. */
const ModelSpec = z.strictObject({ modelFormat: ModelFormat, runtime: z.string().optional(), ...predictorExtensionFields });

/** podspec.go PodSpec: the subset of corev1.PodSpec KServe inlines into every component. */
const podSpecFields = {
  volumes: z.array(k8sCore<IVolume>(Volume)).optional(),
  initContainers: z.array(k8sCore<IContainer>(Container)).optional(),
  containers: z.array(k8sCore<IContainer>(Container)).optional(),
  restartPolicy: z.enum(['Always', 'OnFailure', 'Never']).optional(),
  terminationGracePeriodSeconds: int.min(0).optional(),
  activeDeadlineSeconds: int.min(0).optional(),
  dnsPolicy: z.enum(['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None']).optional(),
  nodeSelector: stringMap.optional(),
  serviceAccountName: z.string().optional(),
  automountServiceAccountToken: z.boolean().optional(),
  nodeName: z.string().optional(),
  hostNetwork: z.boolean().optional(),
  securityContext: k8sCore(PodSecurityContext).optional(),
  imagePullSecrets: z.array(k8sCore(LocalObjectReference)).optional(),
  hostname: z.string().optional(),
  subdomain: z.string().optional(),
  affinity: k8sCore(Affinity).optional(),
  schedulerName: z.string().optional(),
  tolerations: z.array(k8sCore(Toleration)).optional(),
  hostAliases: z.array(k8sCore<IHostAlias>(HostAlias)).optional(),
  priorityClassName: z.string().optional(),
  priority: int.optional(),
  dnsConfig: k8sCore(PodDNSConfig).optional(),
  runtimeClassName: z.string().optional(),
  enableServiceLinks: z.boolean().optional(),
  topologySpreadConstraints: z.array(k8sCore<ITopologySpreadConstraint>(TopologySpreadConstraint)).optional(),
};

export const ScaleMetric = z.enum(['cpu', 'memory', 'concurrency', 'rps']);
const LoggerSpec = z.strictObject({ url: z.string().optional(), mode: z.enum(['all', 'request', 'response']).optional() });
const Batcher = z.strictObject({ maxBatchSize: int.min(1).optional(), maxLatency: int.min(1).optional(), timeout: int.min(1).optional() });

/** component.go ComponentExtensionSpec. */
const componentExtensionFields = {
  minReplicas: int.min(0).optional(),
  maxReplicas: int.min(0).optional(),
  scaleTarget: int.min(1).optional(),
  scaleMetric: ScaleMetric.optional(),
  containerConcurrency: int.min(0).optional(),
  timeout: int.min(1).optional(),
  canaryTrafficPercent: int.min(0).max(100).optional(),
  logger: LoggerSpec.optional(),
  batcher: Batcher.optional(),
  labels: stringMap.optional(),
  annotations: stringMap.optional(),
  deploymentStrategy: k8sCore(DeploymentStrategy).optional(),
};

const FRAMEWORKS = ['sklearn', 'xgboost', 'tensorflow', 'pytorch', 'triton', 'onnx', 'huggingface', 'pmml', 'lightgbm', 'paddle'] as const;

export const PredictorSpec = z
  .strictObject({
    ...Object.fromEntries(FRAMEWORKS.map((f) => [f, FrameworkSpec.optional()])) as Record<(typeof FRAMEWORKS)[number], z.ZodOptional<typeof FrameworkSpec>>,
    model: ModelSpec.optional(),
    ...podSpecFields,
    ...componentExtensionFields,
  })
  .superRefine((p, ctx) => {
    // predictor.go: exactly one implementation (a framework, model, or a custom container).
    const set = [...FRAMEWORKS, 'model' as const].filter((k) => p[k] !== undefined);
    const custom = (p.containers?.length ?? 0) > 0 && set.length === 0;
    if (set.length + (custom ? 1 : 0) !== 1) ctx.addIssue({ code: 'custom', message: `exactly one of [${[...FRAMEWORKS, 'model'].join(', ')}] or a custom container must be specified (got ${set.join(', ') || 'none'})` });
    if (p.minReplicas !== undefined && p.maxReplicas !== undefined && p.maxReplicas !== 0 && p.minReplicas > p.maxReplicas) {
      ctx.addIssue({ code: 'custom', path: ['minReplicas'], message: "'MinReplicas' cannot be greater than MaxReplicas" });
    }
  });

const ComponentSpec = z.strictObject({ ...podSpecFields, ...componentExtensionFields });

export const InferenceService = z.strictObject({
  apiVersion: z.literal('serving.kserve.io/v1beta1'),
  kind: z.literal('InferenceService'),
  metadata: k8sObjectMeta,
  spec: z.strictObject({ predictor: PredictorSpec, transformer: ComponentSpec.optional(), explainer: ComponentSpec.optional() }),
});
export type InferenceService = z.infer<typeof InferenceService>;

export const CUSTOM_RESOURCES: CustomResourceSchema[] = [
  { apiVersion: 'serving.kserve.io/v1beta1', kind: 'InferenceService', reference: INFERENCESERVICE_REFERENCE, schema: InferenceService },
];
