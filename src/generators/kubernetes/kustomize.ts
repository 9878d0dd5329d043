import { toYaml } from '../serializers/yaml.js';
import type { GeneratedFile } from './files.js';
import { groupVersion, type ManifestFile } from './objects.js';
import { ENVIRONMENTS, environmentReplicas, type Binding, type ReplicaBinding } from './parameters.js';

/** RFC 6901 pointer of a path inside an object. */
export function jsonPointer(pointer: readonly (string | number)[]): string {
  return pointer.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/**
 * kustomize: a base listing every manifest file, and one overlay per environment that patches the replica
 * bounds the environment changes (RFC 6902 patches addressed by group/version/kind/namespace/name, which work
 * on custom resources too). Images are the same in every environment: CI pins the tag it promotes.
 */
export function kustomizeFiles(baseDir: string, overlaysDir: string, files: readonly ManifestFile[], bindings: readonly Binding[]): GeneratedFile[] {
  const base = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: files.map((f) => f.file),
  };
  const out: GeneratedFile[] = [{ path: `${baseDir}/kustomization.yaml`, kind: 'kustomization', content: toYaml(base) }];
  const relativeBase = relative(`${overlaysDir}/dev`, baseDir);
  for (const env of ENVIRONMENTS) {
    const replicas = bindings.filter((b): b is ReplicaBinding => b.type === 'int' && environmentReplicas(b, env) !== b.base);
    const byObject = new Map<string, ReplicaBinding[]>();
    for (const b of replicas) byObject.set(`${b.file}#${b.object}`, [...(byObject.get(`${b.file}#${b.object}`) ?? []), b]);
    const patches = [...byObject.values()].map((group) => {
      const obj = files.find((f) => f.file === group[0]!.file)!.objects[group[0]!.object]!;
      const { group: apiGroup, version } = groupVersion(obj.apiVersion);
      return {
        target: { group: apiGroup, version, kind: obj.kind, name: obj.metadata.name, ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}) },
        patch: toYaml(group.map((b) => ({ op: 'replace', path: jsonPointer(b.pointer), value: environmentReplicas(b, env) }))),
      };
    });
    const overlay = {
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: [relativeBase],
      ...(patches.length ? { patches } : {}),
    };
    out.push({ path: `${overlaysDir}/${env}/kustomization.yaml`, kind: 'kustomization', content: toYaml(overlay) });
  }
  return out;
}

/** Relative path from one bundle folder to another (both relative to the bundle root, no "..", no trailing slash). */
export function relative(from: string, to: string): string {
  const a = from.split('/');
  const b = to.split('/');
  let common = 0;
  while (common < a.length && common < b.length && a[common] === b[common]) common++;
  return [...a.slice(common).map(() => '..'), ...b.slice(common)].join('/') || '.';
}
