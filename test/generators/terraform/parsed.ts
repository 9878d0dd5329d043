import { parse } from '@cdktf/hcl2json';
import { expect } from 'vitest';
import type { NodePoolPlan, TerraformFile, TerraformInput } from '../../../src/generators/terraform/types.js';

/**
 * Test helpers for the Terraform generator: a hand-written input (every field visible), and the generated
 * files parsed by HashiCorp's HCL parser (@cdktf/hcl2json, WASM). Only this process loads hcl2json.
 */

type Block = Record<string, unknown>;
type Blocks = Record<string, Record<string, Block[]>>;
/** One file as hcl2json returns it: top-level block kinds, each keyed by its labels. */
export type Parsed = {
  terraform?: Block[];
  variable?: Record<string, Block[]>;
  output?: Record<string, Block[]>;
  locals?: Block[];
  module?: Record<string, Block[]>;
  resource?: Blocks;
  data?: Blocks;
} & Record<string, unknown>;

const parsedOnce = new WeakMap<readonly TerraformFile[], Promise<Map<string, Parsed>>>();

/** Every file through HashiCorp's parser, once per generated set (the WASM parser is slow). */
export function parseAll(files: readonly TerraformFile[]): Promise<Map<string, Parsed>> {
  let parsed = parsedOnce.get(files);
  if (!parsed) {
    parsed = (async () => {
      const out = new Map<string, Parsed>();
      for (const f of files) {
        expect(f.path.endsWith('.tf') || f.path.endsWith('.tfvars'), f.path).toBe(true);
        out.set(f.path, (await parse(f.path.slice(f.path.lastIndexOf('/') + 1), f.content)) as Parsed);
      }
      return out;
    })();
    parsedOnce.set(files, parsed);
  }
  return parsed;
}

/** Names of the top-level blocks of a kind in one file's text, in file order (hcl2json sorts them). */
export function blockNames(text: string, kind: string): string[] {
  return [...text.matchAll(new RegExp(`^${kind} "([^"]+)"`, 'gm'))].map((m) => m[1]!);
}

/** Every `resource` (or `data`) block of the parsed files: type, name and body. */
export function blocksOf(parsed: Map<string, Parsed>, kind: 'resource' | 'data' = 'resource', under = ''): { path: string; type: string; name: string; body: Record<string, unknown> }[] {
  const found: { path: string; type: string; name: string; body: Record<string, unknown> }[] = [];
  for (const [path, json] of parsed) {
    if (!path.includes(under)) continue;
    const blocks = (json[kind] ?? {}) as Blocks;
    for (const [type, byName] of Object.entries(blocks)) for (const [name, bodies] of Object.entries(byName)) for (const body of bodies) found.push({ path, type, name, body });
  }
  return found;
}

/** Names of the top-level `variable` / `output` / `module` blocks of one module directory. */
export function namesIn(parsed: Map<string, Parsed>, dir: string, kind: 'variable' | 'output' | 'module'): string[] {
  const names: string[] = [];
  for (const [path, json] of parsed) if (path.startsWith(`${dir}/`) && !path.slice(dir.length + 1).includes('/')) names.push(...Object.keys((json[kind] ?? {}) as object));
  return names;
}

export function moduleCalls(parsed: Map<string, Parsed>, dir: string): Record<string, Record<string, unknown>> {
  const calls: Record<string, Record<string, unknown>> = {};
  for (const [path, json] of parsed) {
    if (!path.startsWith(`${dir}/`) || path.slice(dir.length + 1).includes('/')) continue;
    for (const [name, bodies] of Object.entries((json.module ?? {}) as Record<string, Record<string, unknown>[]>)) calls[name] = bodies[0]!;
  }
  return calls;
}

export function contentOf(files: readonly TerraformFile[], path: string): string {
  const f = files.find((x) => x.path === path);
  if (!f) throw new Error(`no ${path} among ${files.map((x) => x.path).join(', ')}`);
  return f.content;
}

/** Directories that hold .tf files. */
export function dirsOf(files: readonly TerraformFile[]): string[] {
  return [...new Set(files.map((f) => f.path.slice(0, f.path.lastIndexOf('/'))))];
}

/**
 * Within each directory: every `var.X` used is declared, every `local.X` is defined, every `module.X` is called
 * and every `module.X.Y` is an output of the called module (local sources). A light reference check; the
 * terraform validator (src/validate/validators/terraform.ts) does the full one.
 */
export function checkReferences(files: readonly TerraformFile[], parsed: Map<string, Parsed>): string[] {
  const problems: string[] = [];
  for (const dir of dirsOf(files)) {
    const inDir = files.filter((f) => f.path.startsWith(`${dir}/`) && !f.path.slice(dir.length + 1).includes('/') && f.path.endsWith('.tf'));
    const text = inDir.map((f) => f.content.replace(/^\s*#.*$/gm, '')).join('\n');
    const vars = new Set(namesIn(parsed, dir, 'variable'));
    const localNames = new Set<string>();
    for (const f of inDir) for (const l of ((parsed.get(f.path)!.locals ?? []) as Record<string, unknown>[])) for (const k of Object.keys(l)) localNames.add(k);
    const calls = moduleCalls(parsed, dir);
    for (const m of text.matchAll(/(?<![\w.])var\.([A-Za-z_][\w-]*)/g)) if (!vars.has(m[1]!)) problems.push(`${dir}: var.${m[1]} is not declared`);
    for (const m of text.matchAll(/(?<![\w.])local\.([A-Za-z_][\w-]*)/g)) if (!localNames.has(m[1]!)) problems.push(`${dir}: local.${m[1]} is not defined`);
    for (const m of text.matchAll(/(?<![\w.])module\.([A-Za-z_][\w-]*)\.([A-Za-z_][\w-]*)/g)) {
      const call = calls[m[1]!];
      if (!call) {
        problems.push(`${dir}: module.${m[1]} is not called`);
        continue;
      }
      const target = resolveSource(dir, String(call.source));
      if (!namesIn(parsed, target, 'output').includes(m[2]!)) problems.push(`${dir}: module.${m[1]}.${m[2]} is not an output of ${target}`);
    }
    // Module inputs: declared by the called module, and every variable without a default is given.
    for (const [name, call] of Object.entries(calls)) {
      const target = resolveSource(dir, String(call.source));
      const declared = namesIn(parsed, target, 'variable');
      if (declared.length === 0) problems.push(`${dir}: module ${name} calls ${target}, which declares no variables`);
      const inputs = Object.keys(call).filter((k) => !['source', 'depends_on', 'providers', 'count', 'for_each'].includes(k));
      for (const i of inputs) if (!declared.includes(i)) problems.push(`${dir}: module ${name} passes ${i}, not a variable of ${target}`);
      for (const [path, json] of parsed) {
        if (!path.startsWith(`${target}/`)) continue;
        for (const [v, bodies] of Object.entries((json.variable ?? {}) as Record<string, Record<string, unknown>[]>)) if (!('default' in bodies[0]!) && !inputs.includes(v)) problems.push(`${dir}: module ${name} misses required ${v} of ${target}`);
      }
    }
  }
  return problems;
}

function resolveSource(dir: string, source: string): string {
  const parts = dir.split('/');
  for (const seg of source.split('/')) {
    if (seg === '..') parts.pop();
    else if (seg !== '.') parts.push(seg);
  }
  return parts.join('/');
}

function pool(p: Partial<NodePoolPlan> & Pick<NodePoolPlan, 'key' | 'workload' | 'machine_type'>): NodePoolPlan {
  return { vcpu_per_node: 4, memory_gib_per_node: 16, min_nodes: 0, max_nodes: 4, spot: false, gpus_per_node: 0, gpu_type: '', taints: [], labels: {}, ...p };
}

/** A hand-written input: AWS, serving + training + batch pools, a fallback, two secrets, an EFS file system. */
export function sampleInput(overrides: Partial<TerraformInput> = {}): TerraformInput {
  return {
    name: 'fraud-scoring',
    cloud: 'aws',
    owner: 'payments-ml',
    environments: ['dev', 'staging', 'prod'],
    regions: { aws: 'eu-west-1' },
    kubernetes_version: '1.31',
    buckets: [
      { layer: 'raw', retention_days: 180, cool_after_days: 30, versioned: false },
      { layer: 'processed', retention_days: 365, cool_after_days: 30, versioned: false },
      { layer: 'features', retention_days: 395, cool_after_days: 30, versioned: false },
      { layer: 'models', retention_days: null, cool_after_days: null, versioned: true },
    ],
    image_repositories: { server: 'fraud-scoring/fraud-scoring-model-server', jobs: 'fraud-scoring/fraud-scoring-jobs' },
    node_pools: {
      aws: [
        pool({ key: 'system', workload: 'system', machine_type: 'm6i.xlarge', min_nodes: 2, max_nodes: 4 }),
        pool({ key: 'serving', workload: 'serving', machine_type: 'm6i.2xlarge', vcpu_per_node: 8, memory_gib_per_node: 32, min_nodes: 2, max_nodes: 6 }),
        pool({ key: 'training', workload: 'training', machine_type: 'm6i.4xlarge', vcpu_per_node: 16, memory_gib_per_node: 64, min_nodes: 0, max_nodes: 6, spot: true }),
        pool({ key: 'training-od', workload: 'training', machine_type: 'm6i.4xlarge', vcpu_per_node: 16, memory_gib_per_node: 64, min_nodes: 0, max_nodes: 4, spot: false, labels: { 'mlops-mcp/fallback-for': 'training' } }),
        pool({ key: 'batch', workload: 'batch', machine_type: 'm6i.xlarge', min_nodes: 0, max_nodes: 5, spot: true }),
      ],
    },
    min_spot_pct: 60,
    identities: [
      { role: 'serving', namespace: 'fraud-serving', service_account: 'fraud-scoring-serving', buckets_read: ['models'], buckets_write: [], secrets: [], registry_push: false },
      { role: 'training', namespace: 'fraud-training', service_account: 'fraud-scoring-training', buckets_read: ['processed', 'features', 'models'], buckets_write: ['features', 'models'], secrets: [], registry_push: false },
      { role: 'external-secrets', namespace: 'fraud-serving', service_account: 'fraud-scoring-external-secrets', buckets_read: [], buckets_write: [], secrets: ['fraud-scoring/tracking', 'fraud-scoring/online-store'], registry_push: false },
    ],
    secrets: [
      { name: 'fraud-scoring/tracking', keys: ['MLFLOW_TRACKING_USERNAME', 'MLFLOW_TRACKING_PASSWORD'], description: 'Experiment tracking credentials' },
      { name: 'fraud-scoring/online-store', keys: ['ONLINE_STORE_URL', 'ONLINE_STORE_PASSWORD'], description: 'Online feature store' },
    ],
    secrets_backend: 'cloud',
    infra_values: [
      { key: 'servingRoleArn', placeholder: 'arn:aws:iam::000000000000:role/fraud-scoring-serving', description: 'IRSA role of serving', source: { cloud: 'aws', output: 'workload_identity_annotations', path: ['serving', 'eks.amazonaws.com/role-arn'] } },
      { key: 'rwxFileSystemId', placeholder: 'fs-terraform-output', description: 'EFS id', source: { cloud: 'aws', output: 'rwx_file_system_id', path: [] } },
    ],
    rwx_file_system: true,
    ...overrides,
  };
}

/**
 * A hand-written input for one of the clouds whose modules are tested on their own (gcp, azure): serving and a
 * spot training pool, a serving and an external-secrets identity, one secret. The phase-side builder is tested
 * with the phase.
 */
export function cloudInput(cloud: 'gcp' | 'azure', pools: NodePoolPlan[], region: string, overrides: Partial<TerraformInput> = {}): TerraformInput {
  return {
    name: 'fraud-detection',
    cloud,
    owner: 'ml-platform',
    environments: ['dev', 'staging', 'prod'],
    regions: { [cloud]: region },
    kubernetes_version: '1.31',
    buckets: [
      { layer: 'raw', retention_days: 90, cool_after_days: 30, versioned: false },
      { layer: 'processed', retention_days: 180, cool_after_days: 30, versioned: false },
      { layer: 'features', retention_days: 365, cool_after_days: 90, versioned: false },
      { layer: 'models', retention_days: null, cool_after_days: null, versioned: true },
    ],
    image_repositories: { server: 'fraud-detection-model-server', jobs: 'fraud-detection-jobs' },
    node_pools: { [cloud]: pools },
    min_spot_pct: 60,
    identities: [
      { role: 'serving', namespace: 'fraud-serving', service_account: 'fraud-detection-serving', buckets_read: ['models'], buckets_write: [], secrets: [], registry_push: false },
      { role: 'external-secrets', namespace: 'fraud-serving', service_account: 'fraud-detection-external-secrets', buckets_read: [], buckets_write: [], secrets: ['fraud-detection-db'], registry_push: false },
    ],
    secrets: [{ name: 'fraud-detection-db', keys: ['password'], description: 'Feature store database' }],
    secrets_backend: 'cloud',
    infra_values: [],
    rwx_file_system: false,
    ...overrides,
  };
}

/** A node pool with the fields a test does not care about filled in. */
export function nodePool(p: Partial<NodePoolPlan> & Pick<NodePoolPlan, 'key' | 'workload' | 'machine_type'>): NodePoolPlan {
  return pool({ min_nodes: 1, ...p });
}
