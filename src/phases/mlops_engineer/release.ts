import type { IAnalysisRun } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisRun';
import type { IAnalysisTemplate } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate';
import type { IMetric } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Metric';
import type { IMetricProvider } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/MetricProvider';
import type { IRollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout';
import type { IDestinationRule } from '@kubernetes-models/istio/networking.istio.io/v1/DestinationRule';
import type { IVirtualService } from '@kubernetes-models/istio/networking.istio.io/v1/VirtualService';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IService } from 'kubernetes-models/v1/Service';
import type { ResolvedSpec } from '../../spec/resolve.js';
import type { InferenceService } from '../../validate/crds/kserve.js';
import type { SeldonDeployment, SeldonPredictorSpec } from '../../validate/crds/seldon.js';
import type { MlopsPlan } from './derive.js';
import { serverPodTemplate, serverService, servingLabels, servingSelector, variantLabels, variantSelector } from './manifests.js';
import { VARIANT_LABEL, componentLabels } from './naming.js';
import { inferenceService, seldonDeployment, seldonPredictor, seldonWorkloadName } from './platforms.js';
import { servesPackageApp } from './platform.js';

// Release strategies: the Argo Rollout of the model server (torchserve, triton), the AnalysisTemplates every
// platform's release runs, Istio routing (canary subsets, shadow mirroring, A/B split), and the release-time
// objects of the platforms that release natively (kserve canaryTrafficPercent, Seldon predictor traffic).

export type ReleaseObject = IAnalysisTemplate | IVirtualService | IDestinationRule | IService | IDeployment | InferenceService;
export type ExperimentObject = IDeployment | IService | IVirtualService | IDestinationRule | InferenceService | SeldonDeployment;

export const ROLLOUT_ROUTE = 'primary';
export const CANARY_SUBSET = 'canary';
export const STABLE_SUBSET = 'stable';
/** AnalysisTemplate argument naming the candidate's pods: the Rollout's pod-template hash, or the platform's workload. */
export const ARG_CANARY_HASH = 'canary-hash';
export const ARG_CANARY_WORKLOAD = 'canary-workload';
/** Header the gateway sets from the sticky entity hash (see the A/B section of the document). */
export const AB_HEADER = 'x-ab-arm';

function ownsPods(plan: MlopsPlan): boolean {
  return !servesPackageApp(plan.runtime.platform);
}

export function fqdn(plan: MlopsPlan, service: string): string {
  return `${service}.${plan.namespaces.serving}.svc.cluster.local`;
}

export function analysisTemplateNames(plan: MlopsPlan): { errorRate: string; latency: string } {
  return { errorRate: `${plan.names.modelServer}-error-rate`, latency: `${plan.names.modelServer}-p99-latency` };
}

// ---------------------------------------------------------------------------------------------------------------
// Analysis queries per monitoring stack

interface CandidatePods {
  /** PromQL regex on the `pod` label. */
  promRegex: string;
  /** Datadog pod_name tag with wildcard. */
  ddPattern: string;
  /** NRQL LIKE pattern. */
  nrLike: string;
}

function candidatePods(plan: MlopsPlan): CandidatePods {
  // Rollout pods are <rollout>-<pod-template-hash>-<suffix>; platform workloads' pods are <deployment>-<hash>-<suffix>.
  const prefix = ownsPods(plan) ? `${plan.names.modelServer}-{{args.${ARG_CANARY_HASH}}}` : `{{args.${ARG_CANARY_WORKLOAD}}}`;
  return { promRegex: `${prefix}-.*`, ddPattern: `${prefix}-*`, nrLike: `${prefix}-%` };
}

/** The error-rate query: the runtime's own counters where they exist (TorchServe, Triton), else Istio's request metrics. */
export function errorRateQuery(plan: MlopsPlan): { query: string; source: string } {
  const ns = plan.namespaces.serving;
  const a = plan.analysis;
  const w = `${a.window_seconds}s`;
  const pods = candidatePods(plan);
  const sel = `namespace="${ns}", pod=~"${pods.promRegex}"`;
  const istio = `reporter="destination", ${sel}`;
  switch (a.provider) {
    case 'prometheus':
      if (plan.runtime.platform === 'torchserve') {
        return { query: `sum(rate(Requests5XX{${sel}}[${w}])) / sum(rate(ts_inference_requests_total{${sel}}[${w}]))`, source: 'TorchServe frontend counters Requests5XX / ts_inference_requests_total' };
      }
      if (plan.runtime.platform === 'triton') {
        return {
          query: `sum(rate(nv_inference_request_failure{${sel}}[${w}])) / (sum(rate(nv_inference_request_success{${sel}}[${w}])) + sum(rate(nv_inference_request_failure{${sel}}[${w}])))`,
          source: 'Triton counters nv_inference_request_failure / (success + failure)',
        };
      }
      return { query: `sum(rate(istio_requests_total{${istio}, response_code=~"5.."}[${w}])) / sum(rate(istio_requests_total{${istio}}[${w}]))`, source: 'Istio istio_requests_total (reporter=destination), 5xx share' };
    case 'datadog': {
      const tags = `kube_namespace:${ns},pod_name:${pods.ddPattern}`;
      return { query: `sum:istio.mesh.request.count.total{${tags},response_code:5*}.as_count() / sum:istio.mesh.request.count.total{${tags}}.as_count()`, source: 'Datadog Istio integration istio.mesh.request.count.total, 5xx share' };
    }
    case 'newRelic':
      return {
        query: `SELECT filter(sum(istio_requests_total), WHERE response_code LIKE '5%') / sum(istio_requests_total) AS errorRate FROM Metric WHERE reporter = 'destination' AND namespace = '${ns}' AND pod LIKE '${pods.nrLike}' SINCE ${a.window_seconds} seconds ago`,
        source: 'New Relic (Prometheus integration) istio_requests_total, 5xx share',
      };
  }
}

/** The p99 query: Istio's server-side duration histogram, which every platform's pods report through their sidecar. */
export function latencyQuery(plan: MlopsPlan): { query: string; source: string } {
  const ns = plan.namespaces.serving;
  const a = plan.analysis;
  const pods = candidatePods(plan);
  switch (a.provider) {
    case 'prometheus':
      return {
        query: `histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{reporter="destination", namespace="${ns}", pod=~"${pods.promRegex}"}[${a.window_seconds}s])))`,
        source: 'Istio istio_request_duration_milliseconds_bucket (reporter=destination), 99th percentile',
      };
    case 'datadog':
      return { query: `p99:istio.mesh.request.duration.milliseconds{kube_namespace:${ns},pod_name:${pods.ddPattern}}`, source: 'Datadog Istio integration istio.mesh.request.duration.milliseconds (distribution), p99' };
    case 'newRelic':
      return {
        query: `SELECT bucketPercentile(istio_request_duration_milliseconds_bucket, 99) AS p99 FROM Metric WHERE reporter = 'destination' AND namespace = '${ns}' AND pod LIKE '${pods.nrLike}' SINCE ${a.window_seconds} seconds ago`,
        source: 'New Relic (Prometheus integration) istio_request_duration_milliseconds_bucket, bucketPercentile 99',
      };
  }
}

function provider(plan: MlopsPlan, query: string): IMetricProvider {
  const a = plan.analysis;
  switch (a.provider) {
    case 'prometheus':
      return { prometheus: { address: a.address!, query, timeout: 30 } };
    case 'datadog':
      // v2 API with a formula over named queries; the API and application keys come from the `datadog` Secret in the controller's namespace.
      return { datadog: { apiVersion: 'v2', interval: `${a.window_seconds}s`, queries: { a: query }, formula: 'a' } };
    case 'newRelic':
      return { newRelic: { profile: 'newrelic', query, timeout: 30 } };
  }
}

function conditions(plan: MlopsPlan, kind: 'error' | 'latency'): { successCondition: string; failureCondition: string } {
  const bound = kind === 'error' ? plan.analysis.max_error_rate : plan.analysis.max_p99_ms;
  const value = plan.analysis.provider === 'prometheus' ? 'result[0]' : plan.analysis.provider === 'datadog' ? 'result' : kind === 'error' ? 'result.errorRate' : 'result.p99';
  return { successCondition: `${value} <= ${bound}`, failureCondition: `${value} > ${bound}` };
}

export function analysisMetrics(plan: MlopsPlan): IMetric[] {
  const a = plan.analysis;
  const common = { interval: `${plan.rollout.analysis_interval_seconds}s`, count: a.count, failureLimit: a.argo_failure_limit, inconclusiveLimit: 1, consecutiveErrorLimit: 2 };
  return [
    { name: 'error-rate', ...common, ...conditions(plan, 'error'), provider: provider(plan, errorRateQuery(plan).query) },
    { name: 'p99-latency-ms', ...common, ...conditions(plan, 'latency'), provider: provider(plan, latencyQuery(plan).query) },
  ];
}

function templateArgs(plan: MlopsPlan): { name: string }[] {
  return [{ name: ownsPods(plan) ? ARG_CANARY_HASH : ARG_CANARY_WORKLOAD }];
}

export function analysisTemplates(spec: ResolvedSpec, plan: MlopsPlan): IAnalysisTemplate[] {
  const names = analysisTemplateNames(plan);
  const [errorRate, latency] = analysisMetrics(plan);
  const meta = (name: string, what: string) => ({
    name,
    namespace: plan.namespaces.serving,
    labels: componentLabels(spec, 'release-analysis', name),
    annotations: {
      'mlops-mcp/monitoring-stack': plan.analysis.stack,
      'mlops-mcp/metrics-source':
        plan.analysis.stack === 'custom' ? `${what}, collected by the OpenTelemetry Collector and re-exposed to the in-cluster Prometheus` : what,
    },
  });
  return [
    { apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisTemplate', metadata: meta(names.errorRate, errorRateQuery(plan).source), spec: { args: templateArgs(plan), metrics: [errorRate!] } },
    { apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisTemplate', metadata: meta(names.latency, latencyQuery(plan).source), spec: { args: templateArgs(plan), metrics: [latency!] } },
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// The Rollout (torchserve, triton)

function rolloutAnalysis(plan: MlopsPlan) {
  const names = analysisTemplateNames(plan);
  return {
    templates: [{ templateName: names.errorRate }, { templateName: names.latency }],
    args: [{ name: ARG_CANARY_HASH, valueFrom: { podTemplateHashValue: 'Latest' as const } }],
  };
}

export function modelServerRollout(spec: ResolvedSpec, plan: MlopsPlan): IRollout {
  const r = plan.rollout;
  const s = plan.sizing;
  const strategy: IRollout['spec']['strategy'] =
    r.strategy === 'canary'
      ? {
          canary: {
            // Background analysis from the first step to full promotion; a failed run aborts and routes 100 % back to stable.
            analysis: { ...rolloutAnalysis(plan), startingStep: 0 },
            steps: r.steps.filter((st) => st.weight < 100).flatMap((st) => [{ setWeight: st.weight }, { pause: { duration: `${st.pause_seconds}s` } }]),
            trafficRouting: {
              istio: {
                virtualService: { name: plan.names.modelServer, routes: [ROLLOUT_ROUTE] },
                destinationRule: { name: plan.names.modelServer, canarySubsetName: CANARY_SUBSET, stableSubsetName: STABLE_SUBSET },
              },
            },
            // Stable pods stay up during the release; after an abort the canary pods linger only for the route switch.
            abortScaleDownDelaySeconds: r.scale_back_seconds,
            maxSurge: '25%',
            maxUnavailable: 0,
          },
        }
      : {
          blueGreen: {
            activeService: plan.names.modelServer,
            previewService: plan.names.modelPreview,
            autoPromotionEnabled: true,
            prePromotionAnalysis: rolloutAnalysis(plan),
            postPromotionAnalysis: rolloutAnalysis(plan),
            // Blue stays up for the post-switch analysis plus the route switch: that is the rollback path.
            scaleDownDelaySeconds: (r.steps[1]?.pause_seconds ?? 0) + r.scale_back_seconds,
            abortScaleDownDelaySeconds: r.scale_back_seconds,
          },
        };
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: {
      name: plan.names.modelServer,
      namespace: plan.namespaces.serving,
      labels: servingLabels(spec, plan),
      annotations: { 'mlops-mcp/serving-platform': plan.runtime.platform, 'mlops-mcp/strategy': r.strategy },
    },
    spec: {
      // The HPA owns the replica count between min and max; this is the starting (minimum) size.
      replicas: s.min_replicas,
      revisionHistoryLimit: 5,
      // A new pod must stay ready this long before it counts as available (one readiness period past startup).
      minReadySeconds: 5,
      progressDeadlineSeconds: s.startup_seconds + 300,
      progressDeadlineAbort: true,
      selector: { matchLabels: servingSelector(spec, plan) },
      template: serverPodTemplate(spec, plan, 'control'),
      strategy,
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Istio routing

function routeOptions(spec: ResolvedSpec) {
  const timeoutMs = spec.slo.p99_latency_ms * 2;
  return {
    timeout: `${timeoutMs / 1000}s`,
    // One retry on connection-level failures only (never on 5xx from the model: that would double the load of a bad version).
    retries: { attempts: 1, perTryTimeout: `${timeoutMs / 2000}s`, retryOn: 'connect-failure,refused-stream,unavailable,reset' },
  };
}

function mirror(plan: MlopsPlan, host: string) {
  return plan.rollout.shadow && plan.rollout.shadow_mirror_pct > 0 ? { mirror: { host }, mirrorPercentage: { value: plan.rollout.shadow_mirror_pct } } : {};
}

/** Where the shadow mirror goes: the blue-green preview (it then gets real traffic before promotion) or a shadow workload. */
export function shadowTarget(plan: MlopsPlan): { service: string; workload: string | null } {
  if (ownsPods(plan)) return plan.rollout.strategy === 'blue_green' ? { service: plan.names.modelPreview, workload: null } : { service: plan.names.modelShadow, workload: plan.names.modelShadow };
  if (plan.runtime.platform === 'kserve') return { service: `${plan.names.platformShadow}-predictor`, workload: plan.names.platformShadow };
  return { service: `${plan.names.platformObject}-shadow`, workload: seldonWorkloadName(plan, 'shadow') };
}

function rolloutRouting(spec: ResolvedSpec, plan: MlopsPlan): (IVirtualService | IDestinationRule)[] {
  const host = fqdn(plan, plan.names.modelServer);
  const labels = servingLabels(spec, plan);
  const canary = plan.rollout.strategy === 'canary';
  const vs: IVirtualService = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: plan.names.modelServer, namespace: plan.namespaces.serving, labels },
    spec: {
      hosts: [host],
      gateways: ['mesh'],
      http: [
        {
          name: ROLLOUT_ROUTE,
          // Argo Rollouts rewrites these weights at each canary step.
          route: canary
            ? [
                { destination: { host, subset: STABLE_SUBSET }, weight: 100 },
                { destination: { host, subset: CANARY_SUBSET }, weight: 0 },
              ]
            : [{ destination: { host } }],
          ...routeOptions(spec),
          ...(plan.rollout.shadow ? mirror(plan, fqdn(plan, shadowTarget(plan).service)) : {}),
        },
      ],
    },
  };
  if (!canary) return [vs];
  const dr: IDestinationRule = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: plan.names.modelServer, namespace: plan.namespaces.serving, labels },
    spec: {
      host,
      // Argo Rollouts adds rollouts-pod-template-hash to each subset's labels.
      subsets: [
        { name: STABLE_SUBSET, labels: servingSelector(spec, plan) },
        { name: CANARY_SUBSET, labels: servingSelector(spec, plan) },
      ],
      trafficPolicy: { outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 50 } },
    },
  };
  return [vs, dr];
}

/** Mirror to the platform's shadow (kserve): a mesh-side VirtualService on the predictor host (Knative's own routes live on its gateways). */
function kserveShadowRouting(spec: ResolvedSpec, plan: MlopsPlan): IVirtualService {
  const host = fqdn(plan, `${plan.names.platformObject}-predictor`);
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: plan.names.modelShadow, namespace: plan.namespaces.serving, labels: variantLabels(spec, plan, 'shadow') },
    spec: { hosts: [host], gateways: ['mesh'], http: [{ name: 'shadow', route: [{ destination: { host } }], ...routeOptions(spec), ...mirror(plan, fqdn(plan, shadowTarget(plan).service)) }] },
  };
}

function shadowReplicas(plan: MlopsPlan): number {
  return Math.max(1, Math.ceil((plan.sizing.max_replicas * plan.rollout.shadow_mirror_pct) / 100));
}

/**
 * deploy/k8s/base/release.yaml: AnalysisTemplates for every platform; for torchserve/triton the Rollout's
 * VirtualService/DestinationRule (canary) or preview Service (blue-green) and the shadow Deployment + Service;
 * for kserve the shadow InferenceService and its mirror route. (Seldon's shadow is a predictor of the
 * SeldonDeployment itself.)
 */
export function releaseObjects(spec: ResolvedSpec, plan: MlopsPlan): ReleaseObject[] {
  if (plan.sizing.max_replicas === 0) return [];
  const objects: ReleaseObject[] = [...analysisTemplates(spec, plan)];
  if (ownsPods(plan)) {
    if (plan.rollout.strategy === 'blue_green') objects.push(serverService(spec, plan, plan.names.modelPreview, servingSelector(spec, plan)));
    objects.push(...rolloutRouting(spec, plan));
    if (plan.rollout.shadow && plan.rollout.strategy === 'canary') {
      objects.push(
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: plan.names.modelShadow, namespace: plan.namespaces.serving, labels: variantLabels(spec, plan, 'shadow'), annotations: { 'mlops-mcp/role': `shadow: receives ${plan.rollout.shadow_mirror_pct} % of live requests mirrored by the VirtualService; responses are discarded. scripts/deploy.sh points it at the candidate image while staging is tested.` } },
          spec: { replicas: shadowReplicas(plan), selector: { matchLabels: variantSelector(spec, plan, 'shadow') }, template: serverPodTemplate(spec, plan, 'shadow') },
        },
        serverService(spec, plan, plan.names.modelShadow, variantSelector(spec, plan, 'shadow')),
      );
    }
  } else if (plan.runtime.platform === 'kserve' && plan.rollout.shadow) {
    objects.push(inferenceService(spec, plan, 'shadow'), kserveShadowRouting(spec, plan));
  }
  return objects;
}

/** Seldon canary predictor added by the release script (the image is set to the candidate with jq). */
export function seldonCanaryPredictor(spec: ResolvedSpec, plan: MlopsPlan): SeldonPredictorSpec {
  return seldonPredictor(spec, plan, 'canary', 'control', plan.rollout.steps[0]?.weight ?? 0);
}

// ---------------------------------------------------------------------------------------------------------------
// Platform-native releases (kserve, seldon): the AnalysisRun the release script creates between steps

export const ANALYSIS_RUN_PLACEHOLDER = 'set-by-scripts-deploy-sh';

export function analysisRunTemplate(spec: ResolvedSpec, plan: MlopsPlan): IAnalysisRun {
  const a = plan.analysis;
  const [errorRate, latency] = analysisMetrics(plan);
  // One run per step: as many measurements as the step's pause holds, failing on the same limit as the Rollout.
  const perStep = (m: IMetric): IMetric => ({ ...m, count: a.measurements_per_step });
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    metadata: {
      name: `${plan.names.modelServer}-release`,
      namespace: plan.namespaces.serving,
      labels: componentLabels(spec, 'release-analysis', `${plan.names.modelServer}-release`),
      annotations: { 'mlops-mcp/usage': 'scripts/deploy.sh sets metadata.name and the canary-workload argument with jq, then kubectl create' },
    },
    spec: { args: [{ name: ARG_CANARY_WORKLOAD, value: ANALYSIS_RUN_PLACEHOLDER }], metrics: [perStep(errorRate!), perStep(latency!)] },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// A/B experiment (deploy/k8s/experiments/ab-test.yaml)

/** Port the A/B Service reaches on control and treatment pods (the platform's serving port inside the pod). */
export function abTargetPort(plan: MlopsPlan): number {
  // KServe (Knative) user container: 8080; Seldon v1: the executor in each predictor pod listens on 8000.
  if (plan.runtime.platform === 'seldon') return 8000;
  return plan.runtime.port;
}

export function experimentObjects(spec: ResolvedSpec, plan: MlopsPlan): ExperimentObject[] {
  if (plan.sizing.max_replicas === 0) return [];
  const share = spec.experiment.treatment_share;
  const treatmentPct = Math.round(share * 100);
  const host = fqdn(plan, plan.names.modelAb);
  const both = { 'app.kubernetes.io/name': spec.name, 'app.kubernetes.io/component': 'model-server' };
  const labels = componentLabels(spec, 'ab-experiment', plan.names.modelAb);
  const objects: ExperimentObject[] = [];
  const replicas = Math.max(1, Math.ceil(plan.sizing.max_replicas * share));
  switch (plan.runtime.platform) {
    case 'torchserve':
    case 'triton':
      objects.push({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: plan.names.modelTreatment, namespace: plan.namespaces.serving, labels: variantLabels(spec, plan, 'treatment'), annotations: { 'mlops-mcp/role': 'A/B treatment: runs the challenger image; scaled to the treatment share of the max fleet' } },
        spec: { replicas, selector: { matchLabels: variantSelector(spec, plan, 'treatment') }, template: serverPodTemplate(spec, plan, 'treatment') },
      });
      break;
    case 'kserve':
      objects.push(inferenceService(spec, plan, 'treatment'));
      break;
    case 'seldon':
      objects.push(seldonDeployment(spec, plan, 'treatment'));
      break;
  }
  const port = abTargetPort(plan);
  objects.push(
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: plan.names.modelAb, namespace: plan.namespaces.serving, labels },
      spec: { type: 'ClusterIP', selector: both, ports: [{ name: plan.runtime.protocol === 'grpc' ? 'grpc' : 'http', port, targetPort: port, protocol: 'TCP', appProtocol: plan.runtime.protocol === 'grpc' ? 'grpc' : 'http' }] },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: plan.names.modelAb, namespace: plan.namespaces.serving, labels },
      spec: {
        host,
        subsets: [
          { name: 'control', labels: { [VARIANT_LABEL]: 'control' } },
          { name: 'treatment', labels: { [VARIANT_LABEL]: 'treatment' } },
        ],
      },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: plan.names.modelAb, namespace: plan.namespaces.serving, labels, annotations: { 'mlops-mcp/assignment': `the gateway sets ${AB_HEADER} from sha256(salt + ${spec.data.entity_key}); requests without it are split by weight` } },
      spec: {
        hosts: [host],
        gateways: ['mesh'],
        http: [
          { name: 'treatment-arm', match: [{ headers: { [AB_HEADER]: { exact: 'treatment' } } }], route: [{ destination: { host, subset: 'treatment' } }], ...routeOptions(spec) },
          { name: 'control-arm', match: [{ headers: { [AB_HEADER]: { exact: 'control' } } }], route: [{ destination: { host, subset: 'control' } }], ...routeOptions(spec) },
          {
            name: 'unassigned',
            route: [
              { destination: { host, subset: 'control' }, weight: 100 - treatmentPct },
              { destination: { host, subset: 'treatment' }, weight: treatmentPct },
            ],
            ...routeOptions(spec),
          },
        ],
      },
    },
  );
  return objects;
}
