import { parseAllDocuments } from 'yaml';

/** A Kubernetes API object as plain data: what the delivery generators (Helm, kustomize, Argo CD) work on. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** One manifest file of the kustomize base: its file name (relative to the base folder) and its objects. */
export interface ManifestFile {
  file: string;
  objects: KubeObject[];
}

/** Objects of a multi-document YAML stream, as the phases serialised them. */
export function parseManifests(content: string): KubeObject[] {
  return parseAllDocuments(content)
    .map((doc) => doc.toJS({ maxAliasCount: -1 }) as KubeObject | null)
    .filter((o): o is KubeObject => o !== null && typeof o === 'object');
}

/** group/version/kind/namespace/name: unique within one cluster. */
export function objectKey(o: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>): string {
  return `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

export function groupVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** Visits every key/value pair below `node`, depth first: how checks find fields wherever an object nests them. */
export function walk(node: unknown, visit: (key: string, value: unknown) => void): void {
  if (Array.isArray(node)) return node.forEach((n) => walk(n, visit));
  if (!node || typeof node !== 'object') return;
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    visit(k, v);
    walk(v, visit);
  }
}
