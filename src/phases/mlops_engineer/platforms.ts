import type { ResolvedSpec } from '../../spec/resolve.js';
import type { InferenceService } from '../../validate/crds/kserve.js';
import type { SeldonDeployment, SeldonPredictorSpec } from '../../validate/crds/seldon.js';
import { CONTAINER_SECURITY, POD_SECURITY } from '../k8s.js';
import { GPU_TOLERATION, avoidSpotAffinity } from '../kubernetes_architect/capacity.js';
import type { MlopsPlan } from './derive.js';
import { modelFetchContainer, platformStorageUri, serverEnvFrom, serverImage, serverResources, variantLabels, type Variant } from './manifests.js';
import { priorityClassNames } from './naming.js';
import { MODEL_DIR } from './platform.js';
import { podIdentityLabels, serviceAccountName } from './serviceAccounts.js';

// The model server where the serving platform owns the pods: a KServe InferenceService or a Seldon Core v1
// SeldonDeployment, typed by the zod-inferred types of our strict CRD schemas.

/**
 * KServe autoscaling: Knative's KPA scales on in-flight requests (concurrency) for GPU predictors, whose
 * dynamic batching is driven by in-flight requests, and on requests per second for CPU predictors, whose
 * capacity is per-request (the sizing's rps per replica at the target utilisation).
 */
export function kserveScaling(plan: MlopsPlan): { metric: 'concurrency' | 'rps'; target: number; why: string } {
  const s = plan.sizing;
  if (s.gpus > 0) {
    const target = Math.max(1, Math.floor(s.concurrency_per_replica * s.target_utilisation));
    return { metric: 'concurrency', target, why: `${s.concurrency_per_replica} in-flight requests per replica × ρ ${s.target_utilisation} = ${target}` };
  }
  const target = Math.max(1, Math.floor(s.rps_per_replica));
  return { metric: 'rps', target, why: `capacity ${s.capacity_rps_per_replica} rps × ρ ${s.target_utilisation} = ${s.rps_per_replica} rps per replica, floored` };
}

export const KSERVE_DEPLOYMENT_MODE = 'Serverless';
/** The container name KServe's webhook looks for (storage initializer, queue-proxy port). */
export const KSERVE_CONTAINER = 'kserve-container';

/** Names of the platform object per variant (the bare pipeline name for control: Knative/Seldon append suffixes). */
export function platformObjectName(plan: MlopsPlan, variant: Variant): string {
  return variant === 'control' ? plan.names.platformObject : variant === 'shadow' ? plan.names.platformShadow : plan.names.platformTreatment;
}

function podPlacement(spec: ResolvedSpec, plan: MlopsPlan) {
  return {
    // The serving identity reads the models bucket: the platform's storage initializer authenticates through it.
    serviceAccountName: serviceAccountName(spec, plan, 'serving'),
    affinity: avoidSpotAffinity(spec),
    ...(plan.sizing.gpus > 0 ? { tolerations: [GPU_TOLERATION] } : {}),
    priorityClassName: priorityClassNames(spec).serving,
    securityContext: POD_SECURITY,
  };
}

export function inferenceService(spec: ResolvedSpec, plan: MlopsPlan, variant: Variant): InferenceService {
  const s = plan.sizing;
  const scaling = kserveScaling(plan);
  const live = variant === 'control';
  return {
    apiVersion: 'serving.kserve.io/v1beta1',
    kind: 'InferenceService',
    metadata: {
      name: platformObjectName(plan, variant),
      namespace: plan.namespaces.serving,
      labels: variantLabels(spec, plan, variant),
      annotations: {
        'serving.kserve.io/deploymentMode': KSERVE_DEPLOYMENT_MODE,
        // KServe's queue-proxy merges the runtime's metrics with its own on one scrape port.
        'serving.kserve.io/enable-prometheus-scraping': 'true',
        'serving.kserve.io/enable-metric-aggregation': 'true',
        // Where queue-proxy reads the server's own metrics (model_request_duration_seconds and the other request metrics).
        'prometheus.kserve.io/port': String(plan.runtime.httpPort),
        'prometheus.kserve.io/path': plan.runtime.metricsPath,
        // The previous revision keeps a URL (prev-<name>) during a canary: the rollback target stays addressable.
        'serving.kserve.io/enable-tag-routing': 'true',
        'sidecar.istio.io/inject': 'true',
      },
    },
    spec: {
      predictor: {
        // A custom predictor: our server loads the pickle the training run registered (preprocessing included),
        // which no prepackaged runtime can. STORAGE_URI on kserve-container makes KServe inject its storage
        // initializer, which downloads the model into /mnt/models before the server starts.
        containers: [
          {
            name: KSERVE_CONTAINER,
            image: serverImage(plan),
            command: plan.runtime.args,
            ports: [{ containerPort: plan.runtime.httpPort, protocol: 'TCP' }],
            env: [
              { name: 'STORAGE_URI', value: platformStorageUri(spec, plan) },
              { name: 'MODEL_DIR', value: MODEL_DIR },
              ...(s.workers > 0 ? [{ name: 'WEB_CONCURRENCY', value: String(s.workers) }] : []),
            ],
            envFrom: serverEnvFrom(spec, plan),
            resources: serverResources(plan),
            securityContext: CONTAINER_SECURITY,
            readinessProbe: { httpGet: { path: plan.runtime.readyPath, port: plan.runtime.httpPort }, periodSeconds: 5, failureThreshold: 2 },
          },
        ],
        minReplicas: live ? s.min_replicas : 1,
        maxReplicas: live ? s.max_replicas : Math.max(1, Math.ceil((s.max_replicas * (variant === 'treatment' ? spec.experiment.treatment_share : plan.rollout.shadow_mirror_pct / 100)))),
        scaleMetric: scaling.metric,
        scaleTarget: scaling.target,
        // Seconds before the request is failed: twice the p99 SLO, rounded up.
        timeout: Math.max(1, Math.ceil((spec.slo.p99_latency_ms * 2) / 1000)),
        labels: { ...variantLabels(spec, plan, variant), ...podIdentityLabels(spec) },
        ...podPlacement(spec, plan),
      },
    },
  };
}

/** Seldon's deployment of one predictor: <sdep>-<predictor>-0-<container> (what Istio reports as destination_workload). */
export const SELDON_UNIT = 'model';
export function seldonWorkloadName(plan: MlopsPlan, predictor: string, variant: Variant = 'control'): string {
  return `${platformObjectName(plan, variant)}-${predictor}-0-${SELDON_UNIT}`;
}

/**
 * One predictor: a one-node graph whose MODEL unit is our server (a custom unit: no prepackaged implementation, so
 * the orchestrator calls the container on its unit port), the model-fetch init container, our pod labels,
 * placement, resources and hpaSpec.
 */
export function seldonPredictor(spec: ResolvedSpec, plan: MlopsPlan, name: string, variant: Variant, traffic: number | undefined, shadow = false): SeldonPredictorSpec {
  const s = plan.sizing;
  const rt = plan.runtime;
  const live = variant === 'control' && !shadow;
  const maxReplicas = live ? s.max_replicas : Math.max(1, Math.ceil(s.max_replicas * (variant === 'treatment' ? spec.experiment.treatment_share : plan.rollout.shadow_mirror_pct / 100)));
  return {
    name,
    ...(traffic !== undefined ? { traffic } : {}),
    ...(shadow ? { shadow: true } : {}),
    labels: variantLabels(spec, plan, variant),
    graph: { name: SELDON_UNIT, type: 'MODEL', endpoint: { type: 'REST', httpPort: rt.httpPort }, children: [] },
    componentSpecs: [
      {
        metadata: { labels: { ...variantLabels(spec, plan, variant), ...podIdentityLabels(spec) }, annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(rt.metricsPort), 'prometheus.io/path': rt.metricsPath } },
        spec: {
          initContainers: [modelFetchContainer(spec, plan)],
          containers: [
            {
              name: SELDON_UNIT,
              image: serverImage(plan),
              command: rt.args,
              ports: [{ name: 'http', containerPort: rt.httpPort, protocol: 'TCP' }],
              // The orchestrator forwards /v2/models/<unit>/infer: the server answers under the unit's name.
              env: [{ name: 'MODEL_NAME', value: SELDON_UNIT }, { name: 'MODEL_DIR', value: MODEL_DIR }, ...(s.workers > 0 ? [{ name: 'WEB_CONCURRENCY', value: String(s.workers) }] : [])],
              envFrom: serverEnvFrom(spec, plan),
              resources: serverResources(plan),
              securityContext: CONTAINER_SECURITY,
              readinessProbe: { httpGet: { path: rt.readyPath, port: rt.httpPort }, periodSeconds: 5, failureThreshold: 2 },
              livenessProbe: { httpGet: { path: rt.livePath, port: rt.httpPort }, periodSeconds: 10, failureThreshold: 3 },
              volumeMounts: [
                { name: 'model', mountPath: MODEL_DIR, readOnly: true },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            },
          ],
          volumes: [
            { name: 'model', emptyDir: { sizeLimit: `${s.model_cache_gi}Gi` } },
            { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } },
          ],
          ...podPlacement(spec, plan),
        },
        hpaSpec: {
          minReplicas: live ? s.min_replicas : 1,
          maxReplicas,
          metricsv2: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: Math.round(s.target_utilisation * 100) } } }],
        },
      },
    ],
  };
}

export function seldonDeployment(spec: ResolvedSpec, plan: MlopsPlan, variant: Variant): SeldonDeployment {
  return {
    apiVersion: 'machinelearning.seldon.io/v1',
    kind: 'SeldonDeployment',
    metadata: { name: platformObjectName(plan, variant), namespace: plan.namespaces.serving, labels: variantLabels(spec, plan, variant) },
    spec: {
      protocol: 'v2',
      transport: 'rest',
      // Requests slower than twice the p99 SLO fail fast at the Seldon executor.
      annotations: { 'seldon.io/rest-timeout': String(spec.slo.p99_latency_ms * 2) },
      predictors: [
        seldonPredictor(spec, plan, variant === 'treatment' ? 'treatment' : 'stable', variant, 100),
        // The shadow predictor receives a mirrored share of live requests (Istio mirrorPercentage = its traffic); its responses are dropped.
        ...(variant === 'control' && plan.rollout.shadow && plan.rollout.shadow_mirror_pct > 0 ? [seldonPredictor(spec, plan, 'shadow', 'shadow', plan.rollout.shadow_mirror_pct, true)] : []),
      ],
    },
  };
}
