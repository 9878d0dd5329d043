import type { KubeObject, ManifestFile } from './objects.js';

/**
 * Which fields of the plain manifests become Helm values (and kustomize patches per environment). The same
 * bindings drive the chart's templates, its values files, values.schema.json and the overlays, so the chart
 * and the overlays cannot disagree about what varies between environments.
 *
 * - every container image → `images.<key>.{repository,tag}` (mirror to a private registry, pin a tag);
 * - every replica bound (replicas, min/max replicas, KEDA min/max replica counts) → `scaling.<workload>.<kind>.<field>`,
 *   scaled down for dev and staging. Training workers (PyTorchJob) and StatefulSets keep their count: their
 *   peers are named in their own configuration.
 * - every field holding a placeholder of a value only Terraform knows (an IAM role ARN on a ServiceAccount, a
 *   file system id) → `infrastructure.<key>`; Terraform's `helm_values` output sets it per environment.
 */
export const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export type ValuePath = readonly string[];

export interface ImageBinding {
  type: 'image';
  file: string;
  object: number;
  pointer: readonly (string | number)[];
  values: ValuePath;
}

export type ReplicaField = 'replicas' | 'min' | 'max';

export interface ReplicaBinding {
  type: 'int';
  file: string;
  object: number;
  pointer: readonly (string | number)[];
  values: ValuePath;
  field: ReplicaField;
  base: number;
}

export interface InfraBinding {
  type: 'infra';
  file: string;
  object: number;
  pointer: readonly (string | number)[];
  values: ValuePath;
  placeholder: string;
}

export type Binding = ImageBinding | ReplicaBinding | InfraBinding;

const REPLICA_FIELDS: Record<string, ReplicaField> = {
  replicas: 'replicas',
  minReplicas: 'min',
  maxReplicas: 'max',
  minReplicaCount: 'min',
  maxReplicaCount: 'max',
};
const FIXED_COUNT_KINDS = new Set(['PyTorchJob', 'StatefulSet']);

function camel(words: string): string {
  const parts = words.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return parts.map((p, i) => (i === 0 ? p.charAt(0).toLowerCase() + p.slice(1) : p.charAt(0).toUpperCase() + p.slice(1))).join('') || 'x';
}

/** The values key of an image: ours by role, third-party ones by image name (aws-cli → awsCli). */
function imageKey(ref: string, ours: Record<string, string>): string {
  const own = Object.entries(ours).find(([, r]) => r === ref);
  if (own) return own[0];
  const repo = splitImage(ref).repository;
  return camel(repo.slice(repo.lastIndexOf('/') + 1));
}

export function splitImage(ref: string): { repository: string; tag: string } {
  const at = ref.lastIndexOf(':');
  const slash = ref.lastIndexOf('/');
  return at > slash ? { repository: ref.slice(0, at), tag: ref.slice(at + 1) } : { repository: ref, tag: 'latest' };
}

function isContainerList(pointer: readonly (string | number)[]): boolean {
  const parent = pointer[pointer.length - 3];
  return parent === 'containers' || parent === 'initContainers';
}

/**
 * Walks every object and returns the bindings. `specName` is stripped from object names for readable keys;
 * `ownImages` names the project's own images by role (server, jobs); `infraPlaceholders` maps an
 * `infrastructure.<key>` to the exact string the manifests carry until Terraform provides the value.
 */
export function findBindings(files: readonly ManifestFile[], specName: string, ownImages: Record<string, string>, infraPlaceholders: Record<string, string> = {}): Binding[] {
  const infraKeys = new Map(Object.entries(infraPlaceholders).map(([k, v]) => [v, k]));
  const bindings: Binding[] = [];
  const imageKeys = new Map<string, string>();
  const usedKeys = new Set<string>();
  for (const f of files) {
    f.objects.forEach((obj, index) => {
      const shortName = obj.metadata.name.startsWith(`${specName}-`) ? obj.metadata.name.slice(specName.length + 1) : obj.metadata.name;
      const workload = camel(shortName);
      const kind = camel(obj.kind);
      const visit = (node: unknown, pointer: (string | number)[]) => {
        if (Array.isArray(node)) {
          node.forEach((v, i) => visit(v, [...pointer, i]));
          return;
        }
        if (!node || typeof node !== 'object') return;
        for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
          const here = [...pointer, key];
          if (typeof value === 'string' && infraKeys.has(value)) {
            bindings.push({ type: 'infra', file: f.file, object: index, pointer: here, values: ['infrastructure', infraKeys.get(value)!], placeholder: value });
            continue;
          }
          // Container images, and our own images wherever a custom resource puts them (KServe predictor.model.image).
          if (key === 'image' && typeof value === 'string' && (isContainerList(here) || Object.values(ownImages).includes(value))) {
            let k = imageKeys.get(value);
            if (!k) {
              k = imageKey(value, ownImages);
              while ([...imageKeys.values()].includes(k)) k = `${k}2`;
              imageKeys.set(value, k);
            }
            bindings.push({ type: 'image', file: f.file, object: index, pointer: here, values: ['images', k] });
          } else if (key in REPLICA_FIELDS && typeof value === 'number' && Number.isInteger(value) && !FIXED_COUNT_KINDS.has(obj.kind) && pointer.length > 0) {
            const nested = pointer.slice(1).map(String).join('-');
            let leaf = nested ? camel(`${nested}-${key}`) : key;
            const base = ['scaling', workload, kind];
            while (usedKeys.has([...base, leaf].join('.'))) leaf = `${leaf}2`;
            usedKeys.add([...base, leaf].join('.'));
            bindings.push({
              type: 'int',
              file: f.file,
              object: index,
              pointer: here,
              values: [...base, leaf],
              field: REPLICA_FIELDS[key]!,
              base: value,
            });
          } else {
            visit(value, here);
          }
        }
      };
      visit(obj, []);
    });
  }
  return bindings;
}

/**
 * Replica bounds per environment. Production runs what the design derived; staging half of it (the same
 * topology at lower cost); dev one replica and at most two, enough to exercise the autoscaler. Both rules keep
 * max ≥ min whenever production does.
 */
export function environmentReplicas(b: ReplicaBinding, env: Environment): number {
  const prod = b.base;
  if (env === 'prod') return prod;
  if (env === 'dev') return b.field === 'max' ? Math.min(prod, 2) : Math.min(prod, 1);
  const half = Math.ceil(prod / 2);
  return b.field === 'min' || b.field === 'replicas' ? (prod === 0 ? 0 : Math.max(1, half)) : Math.max(1, half);
}

/** Sets a value at a path inside a nested plain object, creating objects on the way. */
export function setPath(target: Record<string, unknown>, path: ValuePath, value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (!node[key] || typeof node[key] !== 'object') node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

export function getAt(obj: unknown, pointer: readonly (string | number)[]): unknown {
  let node: unknown = obj;
  for (const key of pointer) node = (node as Record<string | number, unknown> | undefined)?.[key];
  return node;
}

export function setAt(obj: unknown, pointer: readonly (string | number)[], value: unknown): void {
  let node = obj as Record<string | number, unknown>;
  for (const key of pointer.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[pointer[pointer.length - 1]!] = value;
}

/** The values of one environment (or of the base when `env` is prod): images, replica bounds and the Terraform placeholders. */
export function valuesFor(files: readonly ManifestFile[], bindings: readonly Binding[], env: Environment): Record<string, unknown> {
  const values: Record<string, unknown> = { environment: env };
  for (const b of bindings) {
    const obj = files.find((f) => f.file === b.file)!.objects[b.object]!;
    if (b.type === 'image') setPath(values, b.values, splitImage(String(getAt(obj, b.pointer))));
    else if (b.type === 'infra') setPath(values, b.values, b.placeholder);
    else setPath(values, b.values, environmentReplicas(b, env));
  }
  return values;
}

/** The objects as one environment renders them: the plain manifests with that environment's replica bounds. */
export function objectsFor(files: readonly ManifestFile[], bindings: readonly Binding[], env: Environment): ManifestFile[] {
  const copy: ManifestFile[] = structuredClone(files as ManifestFile[]);
  for (const b of bindings) {
    if (b.type === 'int') setAt(copy.find((f) => f.file === b.file)!.objects[b.object], b.pointer, environmentReplicas(b, env));
  }
  return copy;
}

export type { KubeObject };
