import type { Artifact } from '../../../src/artifacts/artifact.js';
import type { PhaseOutput } from '../../../src/phases/types.js';
import type { ResolvedSpec } from '../../../src/spec/resolve.js';
import { artifactAt, k8sObjects, runPhase, withSpec, type K8sObject } from '../../helpers/phaseHarness.js';

/** Shared helpers of the mlops_engineer serving and release tests. */

export type Out = PhaseOutput<'mlops_engineer'>;
export const run = (spec: ResolvedSpec): Out => runPhase('mlops_engineer', spec);

export const PLATFORMS = ['kserve', 'seldon', 'torchserve', 'triton'] as const;
export type Platform = (typeof PLATFORMS)[number];

export function withOptions(base: ResolvedSpec, options: Partial<ResolvedSpec['options']>): ResolvedSpec {
  return withSpec(base, (s) => Object.assign(s.options, options));
}

export function objectsAt(out: Out, path: string): K8sObject[] {
  const a = out.artifacts.find((x) => x.path === path);
  return a ? k8sObjects(a) : [];
}

export const SERVING = 'deploy/k8s/base/serving.yaml';
export const RELEASE = 'deploy/k8s/base/release.yaml';
export const AB = 'deploy/k8s/experiments/ab-test.yaml';
export const ANALYSIS_RUN = 'deploy/k8s/release/analysis-run.yaml';

/** Objects of the kustomize base (serving + release). */
export function baseObjects(out: Out): K8sObject[] {
  return [...objectsAt(out, SERVING), ...objectsAt(out, RELEASE)];
}

export function kinds(objects: K8sObject[]): string[] {
  return objects.map((o) => o.kind);
}

export function one(objects: K8sObject[], kind: string, name?: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name ?? ''}, found ${found.length}`);
  return found[0]!;
}

type Labels = Record<string, string>;
const get = (o: unknown, ...path: (string | number)[]): unknown => path.reduce<unknown>((x, k) => (x as Record<string | number, unknown> | undefined)?.[k], o);

/** Pod label sets an object creates: pod templates, KServe predictor labels, Seldon componentSpecs metadata. */
export function podLabels(o: K8sObject): Labels[] {
  switch (o.kind) {
    case 'Deployment':
    case 'Rollout':
      return [get(o, 'spec', 'template', 'metadata', 'labels') as Labels];
    case 'CronJob':
      return [get(o, 'spec', 'jobTemplate', 'spec', 'template', 'metadata', 'labels') as Labels];
    case 'InferenceService':
      return [get(o, 'spec', 'predictor', 'labels') as Labels];
    case 'SeldonDeployment':
      return ((get(o, 'spec', 'predictors') as { componentSpecs: { metadata: { labels: Labels } }[] }[]) ?? []).flatMap((p) => p.componentSpecs.map((c) => c.metadata.labels));
    default:
      return [];
  }
}

export const matches = (selector: Labels, labels: Labels) => Object.entries(selector).every(([k, v]) => labels[k] === v);

/** Services the objects declare or whose controllers create them (KServe <isvc>-predictor, Seldon <sdep>-<predictor>). */
export function serviceHosts(objects: K8sObject[]): Set<string> {
  const hosts = new Set<string>();
  for (const o of objects) {
    const ns = o.metadata.namespace ?? 'default';
    if (o.kind === 'Service') hosts.add(`${o.metadata.name}.${ns}.svc.cluster.local`);
    if (o.kind === 'InferenceService') hosts.add(`${o.metadata.name}-predictor.${ns}.svc.cluster.local`);
    if (o.kind === 'SeldonDeployment') for (const p of get(o, 'spec', 'predictors') as { name: string }[]) hosts.add(`${o.metadata.name}-${p.name}.${ns}.svc.cluster.local`);
  }
  return hosts;
}

export function artifactText(out: Out, path: string): string {
  return artifactAt(out, path).content;
}

export function kubernetesArtifacts(out: Out): Artifact[] {
  return out.artifacts.filter((a) => a.kind === 'kubernetes');
}
