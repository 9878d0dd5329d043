import type { IApplication } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
import type { IAppProject } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject';
import { toYaml } from '../serializers/yaml.js';
import type { GeneratedFile } from './files.js';
import { groupVersion, type ManifestFile } from './objects.js';
import { ENVIRONMENTS, type Binding, type Environment } from './parameters.js';

export interface GitOpsInput {
  name: string;
  /** Git repository holding the bundle; the project's Argo CD must be able to read it. */
  repoUrl: string;
  argocdDir: string;
  overlaysDir: string;
  files: readonly ManifestFile[];
  bindings: readonly Binding[];
  labels: Record<string, string>;
  /** Fields a release changes in the cluster (traffic weights, canary predictors): self-heal must not undo them. */
  releaseManaged: readonly { group: string; kind: string; name: string; namespace?: string; jsonPointers: string[] }[];
}

export const ARGOCD_NAMESPACE = 'argocd';
export const IN_CLUSTER = 'https://kubernetes.default.svc';

/** Which branch each environment follows and how it syncs. Production never prunes on its own. */
export const ENVIRONMENT_SYNC: Record<Environment, { revision: string; prune: boolean; why: string }> = {
  dev: { revision: 'main', prune: true, why: 'follows main, prunes and self-heals' },
  staging: { revision: 'main', prune: true, why: 'follows main, prunes and self-heals; the release workflow gates promotion on its checks' },
  prod: { revision: 'production', prune: false, why: 'follows the production branch that the release workflow fast-forwards after staging passes; self-heals but never prunes on its own' },
};

/** The cluster each environment deploys to, as registered in Argo CD. */
export function clusterName(name: string, env: Environment): string {
  return `${name}-${env}`;
}

/**
 * Argo CD: an AppProject that fences the pipeline to its namespaces and cluster-scoped kinds, one Application per
 * environment (its kustomize overlay on its own cluster), and the app of apps that manages them.
 */
export function argocdFiles(input: GitOpsInput): GeneratedFile[] {
  const objects = input.files.flatMap((f) => f.objects);
  const namespaces = [...new Set(objects.map((o) => o.metadata.namespace).filter((n): n is string => Boolean(n)))].sort();
  const clusterScoped = [...new Map(objects.filter((o) => !o.metadata.namespace).map((o) => [`${groupVersion(o.apiVersion).group}/${o.kind}`, { group: groupVersion(o.apiVersion).group, kind: o.kind }])).values()].sort((a, b) =>
    `${a.group}/${a.kind}` < `${b.group}/${b.kind}` ? -1 : 1,
  );
  // The HPA, KEDA or the serving platform's controller owns these counts: Argo CD must not reset them.
  const autoscaled = new Map<string, { group: string; kind: string; name: string; namespace?: string; jsonPointers: string[] }>();
  for (const b of input.bindings) {
    if (b.type !== 'int' || b.pointer.join('/') !== 'spec/replicas') continue;
    const obj = input.files.find((f) => f.file === b.file)!.objects[b.object]!;
    const autoscaledByHpa = objects.some((o) => o.kind === 'HorizontalPodAutoscaler' && (o.spec as { scaleTargetRef?: { name?: string } } | undefined)?.scaleTargetRef?.name === obj.metadata.name);
    const autoscaledByKeda = objects.some((o) => o.kind === 'ScaledObject' && (o.spec as { scaleTargetRef?: { name?: string } } | undefined)?.scaleTargetRef?.name === obj.metadata.name);
    if (!autoscaledByHpa && !autoscaledByKeda) continue;
    autoscaled.set(`${obj.kind}/${obj.metadata.name}`, { group: groupVersion(obj.apiVersion).group, kind: obj.kind, name: obj.metadata.name, ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}), jsonPointers: ['/spec/replicas'] });
  }
  const project: IAppProject = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: { name: input.name, namespace: ARGOCD_NAMESPACE, labels: input.labels },
    spec: {
      description: `ML platform ${input.name}: dev, staging and prod, each on its own cluster`,
      sourceRepos: [input.repoUrl],
      destinations: [
        ...ENVIRONMENTS.flatMap((env) => namespaces.map((namespace) => ({ name: clusterName(input.name, env), namespace }))),
        { server: IN_CLUSTER, namespace: ARGOCD_NAMESPACE },
      ],
      clusterResourceWhitelist: clusterScoped,
      namespaceResourceWhitelist: [{ group: '*', kind: '*' }],
      orphanedResources: { warn: true },
    },
  };
  const apps = ENVIRONMENTS.map((env): IApplication => {
    const sync = ENVIRONMENT_SYNC[env];
    return {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name: `${input.name}-${env}`,
        namespace: ARGOCD_NAMESPACE,
        labels: { ...input.labels, 'mlops-mcp/environment': env },
        finalizers: ['resources-finalizer.argocd.argoproj.io'],
      },
      spec: {
        project: input.name,
        source: { repoURL: input.repoUrl, targetRevision: sync.revision, path: `${input.overlaysDir}/${env}` },
        destination: { name: clusterName(input.name, env) },
        syncPolicy: {
          automated: { prune: sync.prune, selfHeal: true },
          // Server-side apply: CRD objects (Rollouts, InferenceServices) exceed the client-side annotation limit.
          syncOptions: ['ServerSideApply=true', 'RespectIgnoreDifferences=true', 'PruneLast=true'],
          retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } },
        },
        ignoreDifferences: [...autoscaled.values(), ...input.releaseManaged],
      },
    };
  });
  const root: IApplication = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: `${input.name}-root`, namespace: ARGOCD_NAMESPACE, labels: input.labels, finalizers: ['resources-finalizer.argocd.argoproj.io'] },
    spec: {
      project: input.name,
      source: { repoURL: input.repoUrl, targetRevision: 'main', path: `${input.argocdDir}/apps` },
      destination: { server: IN_CLUSTER, namespace: ARGOCD_NAMESPACE },
      syncPolicy: { automated: { prune: true, selfHeal: true } },
    },
  };
  return [
    { path: `${input.argocdDir}/root.yaml`, kind: 'kubernetes', content: toYaml(root) },
    { path: `${input.argocdDir}/apps/project.yaml`, kind: 'kubernetes', content: toYaml(project) },
    ...apps.map((app, i): GeneratedFile => ({ path: `${input.argocdDir}/apps/${ENVIRONMENTS[i]}.yaml`, kind: 'kubernetes', content: toYaml(app) })),
  ];
}
