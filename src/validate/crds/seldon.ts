import { MetricSpec, type IMetricSpec } from 'kubernetes-models/autoscaling/v2/MetricSpec';
import { EnvVar, type IEnvVar } from 'kubernetes-models/v1/EnvVar';
import { PodSpec, type IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { ResourceRequirements } from 'kubernetes-models/v1/ResourceRequirements';
import { z } from 'zod';
import { k8sCore, k8sObjectMeta } from './core.js';
import type { CustomResourceSchema } from './types.js';

/**
 * Seldon Core v1 SeldonDeployment (machinelearning.seldon.io/v1), written from the operator's API types
 * (operator/apis/machinelearning.seldon.io/v1/seldondeployment_types.go of seldon-core v1.17: SeldonDeploymentSpec,
 * PredictorSpec, PredictiveUnit, SeldonPodSpec, SeldonHpaSpec, SeldonPdbSpec) and the SeldonDeployment reference.
 * Seldon's own types are z.strictObject (unknown fields rejected); embedded core types (PodSpec, MetricSpec,
 * ResourceRequirements, EnvVar) are checked by kubernetes-models through k8sCore.
 */
export const SELDONDEPLOYMENT_REFERENCE =
  'https://docs.seldon.io/projects/seldon-core/en/v1.17.1/reference/seldon-deployment.html and https://github.com/SeldonIO/seldon-core/blob/v1.17.1/operator/apis/machinelearning.seldon.io/v1/seldondeployment_types.go';

const int32 = z.number().int().min(0).max(2_147_483_647);
const stringMap = z.record(z.string(), z.string());
const intOrString = z.union([int32, z.string().regex(/^\d+%$/)]);

export const PredictiveUnitType = z.enum(['UNKNOWN_TYPE', 'ROUTER', 'COMBINER', 'MODEL', 'TRANSFORMER', 'OUTPUT_TRANSFORMER']);
/** Built-in units and the prepackaged model servers of the default seldon-config ConfigMap (MLServer for protocol v2). */
export const PredictiveUnitImplementation = z.enum([
  'UNKNOWN_IMPLEMENTATION',
  'SIMPLE_MODEL',
  'SIMPLE_ROUTER',
  'RANDOM_ABTEST',
  'AVERAGE_COMBINER',
  'SKLEARN_SERVER',
  'XGBOOST_SERVER',
  'TENSORFLOW_SERVER',
  'MLFLOW_SERVER',
  'TRITON_SERVER',
  'HUGGINGFACE_SERVER',
  'TEMPO_SERVER',
]);
const Method = z.enum(['TRANSFORM_INPUT', 'TRANSFORM_OUTPUT', 'ROUTE', 'AGGREGATE', 'SEND_FEEDBACK']);

const Endpoint = z.strictObject({
  service_host: z.string().optional(),
  service_port: int32.optional(),
  type: z.enum(['REST', 'GRPC']).optional(),
  httpPort: int32.optional(),
  grpcPort: int32.optional(),
});
const Parameter = z.strictObject({ name: z.string(), value: z.string(), type: z.enum(['INT', 'FLOAT', 'DOUBLE', 'STRING', 'BOOL']) });
const Logger = z.strictObject({ url: z.string().optional(), mode: z.enum(['all', 'request', 'response']).optional() });

export const PredictiveUnit = z.strictObject({
  name: z.string().min(1),
  get children() {
    return z.array(PredictiveUnit).optional();
  },
  type: PredictiveUnitType.optional(),
  implementation: PredictiveUnitImplementation.optional(),
  methods: z.array(Method).optional(),
  endpoint: Endpoint.optional(),
  parameters: z.array(Parameter).optional(),
  modelUri: z.string().optional(),
  serviceAccountName: z.string().optional(),
  envSecretRefName: z.string().optional(),
  storageInitializerImage: z.string().optional(),
  logger: Logger.optional(),
});
export type PredictiveUnit = z.infer<typeof PredictiveUnit>;

const SeldonHpaSpec = z.strictObject({
  minReplicas: int32.optional(),
  maxReplicas: int32,
  /** autoscaling/v2beta2 MetricSpec (deprecated with Kubernetes 1.26). */
  metrics: z.array(k8sCore<IMetricSpec>(MetricSpec)).optional(),
  /** autoscaling/v2 MetricSpec (Seldon Core ≥ 1.15). */
  metricsv2: z.array(k8sCore<IMetricSpec>(MetricSpec)).optional(),
});
const SeldonPdbSpec = z.strictObject({ minAvailable: intOrString.optional(), maxUnavailable: intOrString.optional() }).refine((p) => !(p.minAvailable !== undefined && p.maxUnavailable !== undefined), 'minAvailable and maxUnavailable are mutually exclusive');

/** Seldon's copy of ObjectMeta on componentSpecs: name, labels and annotations are what the operator propagates. */
const PodMeta = z.strictObject({ name: z.string().optional(), labels: stringMap.optional(), annotations: stringMap.optional() });

const SeldonPodSpec = z.strictObject({
  metadata: PodMeta.optional(),
  spec: k8sCore<IPodSpec>(PodSpec),
  hpaSpec: SeldonHpaSpec.optional(),
  replicas: int32.optional(),
  pdbSpec: SeldonPdbSpec.optional(),
});

const SvcOrchSpec = z.strictObject({ resources: k8sCore(ResourceRequirements).optional(), env: z.array(k8sCore<IEnvVar>(EnvVar)).optional(), replicas: int32.optional() });

export const SeldonPredictorSpec = z.strictObject({
  name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'predictor name must be a DNS label'),
  graph: PredictiveUnit,
  componentSpecs: z.array(SeldonPodSpec).optional(),
  replicas: int32.optional(),
  annotations: stringMap.optional(),
  engineResources: k8sCore(ResourceRequirements).optional(),
  labels: stringMap.optional(),
  svcOrchSpec: SvcOrchSpec.optional(),
  traffic: z.number().int().min(0).max(100).optional(),
  shadow: z.boolean().optional(),
  ssl: z.strictObject({ certSecretName: z.string().optional() }).optional(),
});
export type SeldonPredictorSpec = z.infer<typeof SeldonPredictorSpec>;

export const SeldonDeployment = z.strictObject({
  apiVersion: z.literal('machinelearning.seldon.io/v1'),
  kind: z.literal('SeldonDeployment'),
  metadata: k8sObjectMeta,
  spec: z
    .strictObject({
      name: z.string().optional(),
      predictors: z.array(SeldonPredictorSpec).min(1),
      oauth_key: z.string().optional(),
      oauth_secret: z.string().optional(),
      annotations: stringMap.optional(),
      protocol: z.enum(['seldon', 'tensorflow', 'kfserving', 'v2']).optional(),
      transport: z.enum(['rest', 'grpc']).optional(),
      replicas: int32.optional(),
      serverType: z.enum(['rpc', 'kafka']).optional(),
    })
    .superRefine((spec, ctx) => {
      // The operator's webhook: traffic of the non-shadow predictors sums to 100 when more than one is declared.
      const live = spec.predictors.filter((p) => !p.shadow);
      if (live.length > 1) {
        const total = live.reduce((s, p) => s + (p.traffic ?? 0), 0);
        if (total !== 100) ctx.addIssue({ code: 'custom', path: ['predictors'], message: `traffic of the non-shadow predictors must sum to 100 (got ${total})` });
      }
      const names = spec.predictors.map((p) => p.name);
      if (new Set(names).size !== names.length) ctx.addIssue({ code: 'custom', path: ['predictors'], message: 'predictor names must be unique' });
    }),
});
export type SeldonDeployment = z.infer<typeof SeldonDeployment>;

export const CUSTOM_RESOURCES: CustomResourceSchema[] = [
  { apiVersion: 'machinelearning.seldon.io/v1', kind: 'SeldonDeployment', reference: SELDONDEPLOYMENT_REFERENCE, schema: SeldonDeployment },
];
