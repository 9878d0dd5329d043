import { argocdFiles } from './argocd.js';
import type { GeneratedFile } from './files.js';
import { helmChart, type HelmTestPlan } from './helmChart.js';
import { kustomizeFiles } from './kustomize.js';
import { parseManifests, type ManifestFile } from './objects.js';
import { findBindings, type Binding } from './parameters.js';

export interface DeliveryInput {
  name: string;
  owner: string;
  description: string;
  appVersion: string;
  /** Bundle folder of the plain manifests (the kustomize base). */
  baseDir: string;
  /** Every manifest file of the base, as the phases wrote them. */
  baseFiles: readonly { path: string; content: string }[];
  /** The project's own images by role (server, jobs): their values keys. */
  ownImages: Record<string, string>;
  /** `infrastructure.<key>` → the placeholder the manifests carry until Terraform's helm_values output sets it. */
  infraPlaceholders?: Record<string, string>;
  test: HelmTestPlan;
  notes: string[];
  repoUrl: string;
  labels: Record<string, string>;
  /** Fields the release tooling changes in the cluster; every environment's Argo CD Application ignores them. */
  releaseManaged: readonly { group: string; kind: string; name: string; namespace?: string; jsonPointers: string[] }[];
}

export const DELIVERY_LAYOUT = {
  overlays: 'deploy/k8s/overlays',
  argocd: 'deploy/argocd',
  helm: 'deploy/helm',
} as const;

/**
 * The three ways the same objects reach a cluster: kustomize (base + an overlay per environment), Argo CD (an
 * app of apps syncing those overlays) and a Helm chart whose default values render exactly the base and whose
 * per-environment values render exactly the overlays.
 */
export function deliveryFiles(input: DeliveryInput): { files: GeneratedFile[]; manifests: ManifestFile[]; bindings: Binding[] } {
  const files: ManifestFile[] = [...input.baseFiles]
    .filter((f) => f.path.startsWith(`${input.baseDir}/`) && !f.path.endsWith('/kustomization.yaml'))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((f) => ({ file: f.path.slice(input.baseDir.length + 1), objects: parseManifests(f.content) }));
  const bindings = findBindings(files, input.name, input.ownImages, input.infraPlaceholders);
  const generated = [
    ...kustomizeFiles(input.baseDir, DELIVERY_LAYOUT.overlays, files, bindings),
    ...argocdFiles({ name: input.name, repoUrl: input.repoUrl, argocdDir: DELIVERY_LAYOUT.argocd, overlaysDir: DELIVERY_LAYOUT.overlays, files, bindings, labels: input.labels, releaseManaged: input.releaseManaged }),
    ...helmChart({
      name: input.name,
      dir: `${DELIVERY_LAYOUT.helm}/${input.name}`,
      description: input.description,
      appVersion: input.appVersion,
      maintainer: input.owner,
      files,
      bindings,
      test: input.test,
      notes: input.notes,
    }),
  ];
  return { files: generated, manifests: files, bindings };
}
