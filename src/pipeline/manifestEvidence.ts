import { walk, type KubeObject } from '../generators/kubernetes/objects.js';
import { podLabelSets } from '../validate/validators/references.js';

/**
 * What the generated Kubernetes objects themselves show about the operational success criteria: the scorecard
 * cites these objects (not only the decisions behind them), and a criterion whose object is missing is not met.
 */
export interface ManifestEvidence {
  /** Objects that run model-server pods (Deployment, Rollout, InferenceService, SeldonDeployment). */
  servers: { kind: string; name: string; zoneSpread: boolean; readiness: boolean }[];
  pdbs: string[];
  autoscalers: { kind: string; name: string; min: number | null; max: number | null; signals: string[] }[];
  analysis: { name: string; metric: string; condition: string }[];
  rollouts: { name: string; strategy: 'canary' | 'blueGreen'; analysisSteps: number }[];
  /** Workloads whose pods prefer spot nodes, and those that refuse them. */
  spot: { preferring: string[]; avoiding: string[] };
}

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (v && typeof v === 'object' ? (v as Rec) : {});
const SERVER_COMPONENT = 'model-server';

export function manifestEvidence(objects: readonly KubeObject[]): ManifestEvidence {
  const ev: ManifestEvidence = { servers: [], pdbs: [], autoscalers: [], analysis: [], rollouts: [], spot: { preferring: [], avoiding: [] } };
  const serverLabels: Record<string, string>[] = [];
  for (const o of objects) {
    const spec = rec(o.spec);
    const labels = podLabelSets(o);
    if (labels.some((l) => l['app.kubernetes.io/component'] === SERVER_COMPONENT) && o.kind !== 'Service' && !o.kind.endsWith('Autoscaler')) {
      let zoneSpread = false;
      let readiness = false;
      walk(spec, (k, v) => {
        if (k === 'topologyKey' && v === 'topology.kubernetes.io/zone') zoneSpread = true;
        if (k === 'readinessProbe') readiness = true;
      });
      ev.servers.push({ kind: o.kind, name: o.metadata.name, zoneSpread, readiness });
      serverLabels.push(...labels.filter((l) => l['app.kubernetes.io/component'] === SERVER_COMPONENT));
    }
    let prefers = false;
    let avoids = false;
    walk(spec, (k, v) => {
      if (k === 'preferredDuringSchedulingIgnoredDuringExecution' && JSON.stringify(v).match(/capacity-type|capacityType|gke-spot|scalesetpriority/)) prefers = true;
      if (k === 'requiredDuringSchedulingIgnoredDuringExecution' && JSON.stringify(v).includes('"NotIn"') && JSON.stringify(v).match(/capacity-type|capacityType|gke-spot|scalesetpriority/)) avoids = true;
    });
    if (prefers) ev.spot.preferring.push(`${o.kind} ${o.metadata.name}`);
    if (avoids) ev.spot.avoiding.push(`${o.kind} ${o.metadata.name}`);
    switch (o.kind) {
      case 'HorizontalPodAutoscaler':
        ev.autoscalers.push({
          kind: o.kind,
          name: o.metadata.name,
          min: (spec.minReplicas as number | undefined) ?? 1,
          max: spec.maxReplicas as number,
          signals: ((spec.metrics as Rec[] | undefined) ?? []).map((m) => String(rec(m.resource).name ?? rec(rec(m.pods).metric).name ?? rec(rec(m.external).metric).name ?? m.type)),
        });
        break;
      case 'ScaledObject':
        ev.autoscalers.push({
          kind: o.kind,
          name: o.metadata.name,
          min: (spec.minReplicaCount as number | undefined) ?? 0,
          max: (spec.maxReplicaCount as number | undefined) ?? 100,
          signals: ((spec.triggers as Rec[] | undefined) ?? []).map((t) => String(t.type)),
        });
        break;
      case 'InferenceService': {
        const p = rec(spec.predictor);
        if (p.maxReplicas !== undefined) ev.autoscalers.push({ kind: o.kind, name: o.metadata.name, min: (p.minReplicas as number | undefined) ?? 1, max: p.maxReplicas as number, signals: [String(p.scaleMetric ?? 'concurrency')] });
        break;
      }
      case 'SeldonDeployment':
        walk(spec, (k, v) => {
          if (k === 'hpaSpec') {
            const h = rec(v);
            ev.autoscalers.push({ kind: o.kind, name: o.metadata.name, min: (h.minReplicas as number | undefined) ?? 1, max: h.maxReplicas as number, signals: ((h.metricsv2 as Rec[] | undefined) ?? []).map((m) => String(rec(m.resource).name ?? m.type)) });
          }
        });
        break;
      case 'AnalysisTemplate':
        for (const m of (spec.metrics as Rec[] | undefined) ?? []) ev.analysis.push({ name: o.metadata.name, metric: String(m.name), condition: String(m.failureCondition ?? m.successCondition ?? '') });
        break;
      case 'Rollout': {
        const strategy = rec(spec.strategy);
        const canary = strategy.canary ? rec(strategy.canary) : null;
        ev.rollouts.push({
          name: o.metadata.name,
          strategy: canary ? 'canary' : 'blueGreen',
          analysisSteps: canary ? ((canary.steps as Rec[] | undefined) ?? []).filter((s) => s.analysis).length + (canary.analysis ? 1 : 0) : rec(strategy.blueGreen).prePromotionAnalysis ? 1 : 0,
        });
        break;
      }
      default:
        break;
    }
  }
  for (const o of objects.filter((x) => x.kind === 'PodDisruptionBudget')) {
    const selector = rec(rec(o.spec).selector).matchLabels as Record<string, string> | undefined;
    if (selector && serverLabels.some((l) => Object.entries(selector).every(([k, v]) => l[k] === v))) ev.pdbs.push(o.metadata.name);
  }
  return ev;
}
