import type { ResolvedSpec } from '../../spec/resolve.js';

/**
 * Namespaces and workload names shared by the mlops_engineer manifests and the kubernetes_architect ones
 * (namespaces, quotas, HPA targets): both phases derive them here, so the names always match.
 */
export interface WorkloadNamespaces {
  serving: string;
  training: string;
  batch: string;
  monitoring: string;
}

const LONGEST_SUFFIX = '-monitoring';

/** `<team.namespace>-serving` etc.; the prefix is shortened so every name stays a 63-character DNS label. */
export function workloadNamespaces(spec: ResolvedSpec): WorkloadNamespaces {
  const base = spec.team.namespace.slice(0, 63 - LONGEST_SUFFIX.length).replace(/-+$/, '');
  return { serving: `${base}-serving`, training: `${base}-training`, batch: `${base}-batch`, monitoring: `${base}-monitoring` };
}

/** Cluster-scoped PriorityClass names, prefixed like the namespaces so two pipelines on one cluster never collide. */
export function priorityClassNames(spec: ResolvedSpec): { serving: string; training: string; batch: string } {
  const ns = workloadNamespaces(spec);
  return { serving: `${ns.serving}-critical`, training: `${ns.training}-standard`, batch: `${ns.batch}-preemptible` };
}

/** Workload names: the spec name is at most 40 characters, so every name stays within the Kubernetes limits (CronJob: 52). */
export function workloadNames(spec: ResolvedSpec) {
  return {
    modelServer: `${spec.name}-model-server`,
    /** Release and experiment workloads beside the model server (Services: at most 40 + 23 = 63 characters). */
    modelShadow: `${spec.name}-model-server-shadow`,
    modelPreview: `${spec.name}-model-server-preview`,
    modelTreatment: `${spec.name}-model-server-treatment`,
    modelAb: `${spec.name}-model-server-ab`,
    /** Serving-platform objects (InferenceService, SeldonDeployment) use the bare name: KServe/Knative revisions append `-predictor-00001`, Seldon `-<predictor>-0-<container>`, within 63 characters. */
    platformObject: spec.name,
    platformShadow: `${spec.name}-shadow`,
    platformTreatment: `${spec.name}-ab`,
    torchserveConfig: `${spec.name}-torchserve-config`,
    tritonConfig: `${spec.name}-triton-config`,
    servingConfig: `${spec.name}-serving-config`,
    batchScoring: `${spec.name}-batch-score`,
    streamConsumer: `${spec.name}-stream-consumer`,
    training: `${spec.name}-train`,
    serverImage: `${spec.name}-model-server`,
    jobsImage: `${spec.name}-jobs`,
  };
}

/**
 * Recommended labels (app.kubernetes.io/*) of one component plus the cost-allocation labels; selectors use
 * name + component + instance (componentSelector), so the cost labels never enter a selector.
 */
export function componentLabels(spec: ResolvedSpec, component: string, instance: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': spec.name,
    'app.kubernetes.io/instance': instance,
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/part-of': 'mlops-pipeline',
    'app.kubernetes.io/managed-by': 'mlops-mcp',
    ...costLabels(spec, costComponentOf(component)),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Cost allocation

/**
 * Label keys OpenCost and Kubecost allocate cost by: `team` is Kubecost's default team label (its label mapping
 * defaults: owner, team, department, app, env); `pipeline` and `component` are aggregated with OpenCost's
 * `aggregate=label:<key>`. Every workload object and its pod template carry them (pods are what the allocation
 * reads; the workload's own metadata lets kubectl and Argo CD filter by them).
 */
export const COST_LABEL_KEYS = ['team', 'pipeline', 'component'] as const;

/** What a workload's cost is booked to. */
export const COST_COMPONENTS = ['serving', 'training', 'batch', 'stream', 'monitoring', 'platform'] as const;
export type CostAllocationComponent = (typeof COST_COMPONENTS)[number];

const COST_COMPONENT_OF: Record<string, CostAllocationComponent> = {
  'model-server': 'serving',
  'model-shadow': 'serving',
  'serving-config': 'serving',
  'release-analysis': 'serving',
  'ab-experiment': 'serving',
  'inference-cache': 'serving',
  'online-store': 'serving',
  'data-endpoints': 'serving',
  training: 'training',
  'training-data': 'training',
  'batch-scoring': 'batch',
  'stream-consumer': 'stream',
  'drift-monitor': 'monitoring',
  pushgateway: 'monitoring',
  'otel-collector': 'monitoring',
  'cost-exporter': 'monitoring',
  'quality-evaluation': 'monitoring',
  'retraining-trigger': 'monitoring',
  'drift-config': 'monitoring',
  'alert-rules': 'monitoring',
  'model-server-monitor': 'monitoring',
  'pushgateway-monitor': 'monitoring',
  'retraining-trigger-monitor': 'monitoring',
  'grafana-dashboard': 'monitoring',
};

/** The cost component of an app.kubernetes.io/component value (VPAs follow their target; the rest is platform). */
export function costComponentOf(component: string): CostAllocationComponent {
  const direct = COST_COMPONENT_OF[component];
  if (direct) return direct;
  const vpaTarget = component.endsWith('-vpa') ? COST_COMPONENT_OF[component.slice(0, -4)] : undefined;
  if (vpaTarget) return vpaTarget;
  const role = component.replace(/-vpa$/, '');
  return (COST_COMPONENTS as readonly string[]).includes(role) ? (role as CostAllocationComponent) : 'platform';
}

/** A Kubernetes label value from free text: lowercase [a-z0-9._-], starting and ending alphanumeric, at most 63 characters. */
export function costLabelValue(value: string): string {
  const v = value.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '').slice(0, 63).replace(/[^a-z0-9]+$/, '');
  return v || 'unknown';
}

/** The cost-allocation labels of a workload booked to `component`. */
export function costLabels(spec: ResolvedSpec, component: CostAllocationComponent): Record<(typeof COST_LABEL_KEYS)[number], string> {
  return { team: costLabelValue(spec.team.owner), pipeline: costLabelValue(spec.name), component };
}

export function componentSelector(spec: ResolvedSpec, component: string, instance: string): Record<string, string> {
  return { 'app.kubernetes.io/name': spec.name, 'app.kubernetes.io/instance': instance, 'app.kubernetes.io/component': component };
}

/** Pod label that tells the A/B DestinationRule subsets (control, treatment) and the shadow apart. */
export const VARIANT_LABEL = 'mlops-mcp/variant';

/** A first version tag that the deploy script replaces with the commit SHA it promotes. */
export const INITIAL_IMAGE_TAG = '0.1.0';
