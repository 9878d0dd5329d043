import { describe, expect, it } from 'vitest';
import { PROVIDERS } from '../../../src/generators/terraform/blocks.js';
import { gcpModules } from '../../../src/generators/terraform/gcp.js';
import { PLATFORM_OUTPUT_DESCRIPTIONS } from '../../../src/generators/terraform/platformInterface.js';
import { PLATFORM_OUTPUTS, PLATFORM_VARIABLES, TERRAFORM_ROOT, type NodePoolPlan, type TerraformInput } from '../../../src/generators/terraform/types.js';
import { blockNames, blocksOf, cloudInput, contentOf, nodePool, parseAll, type Parsed } from './parsed.js';

// A TerraformInput built by hand (the phase-side builder is tested with the phase).
const pool = (over: Partial<NodePoolPlan> & Pick<NodePoolPlan, 'key' | 'workload'>): NodePoolPlan => nodePool({ machine_type: 'n2-standard-4', ...over });
const CPU_POOLS: NodePoolPlan[] = [
  pool({ key: 'serving', workload: 'serving', min_nodes: 2, max_nodes: 6 }),
  pool({ key: 'training', workload: 'training', machine_type: 'n2-standard-8', min_nodes: 0, max_nodes: 10, spot: true, taints: [{ key: 'cloud.google.com/gke-spot', value: 'true', effect: 'NoSchedule' }] }),
];
const GPU_POOL = pool({ key: 'gpu-training', workload: 'gpu-training', machine_type: 'n1-standard-8', min_nodes: 0, max_nodes: 2, spot: true, gpus_per_node: 1, gpu_type: 'nvidia-tesla-t4' });

function input(over: Partial<TerraformInput> = {}): TerraformInput {
  return cloudInput('gcp', CPU_POOLS, 'us-central1', over);
}

type Block = Record<string, unknown>;
const MODULES = ['gcp-network', 'gcp-cluster', 'gcp-storage', 'gcp-registry', 'gcp-identity', 'gcp-secrets', 'platform-gcp'];
const dir = (m: string) => `${TERRAFORM_ROOT}/modules/${m}`;

const file = contentOf;
const resources = (parsed: Map<string, Parsed>) => blocksOf(parsed);

describe('gcpModules', () => {
  const files = gcpModules(input());

  it('writes versions, variables, main and outputs for each GCP component and the platform module', async () => {
    const parsed = await parseAll(files);
    expect(parsed.size).toBe(files.length);
    for (const m of MODULES) for (const f of ['versions.tf', 'variables.tf', 'main.tf', 'outputs.tf']) expect(files.map((x) => x.path)).toContain(`${dir(m)}/${f}`);
    for (const m of MODULES) {
      const versions = parsed.get(`${dir(m)}/versions.tf`)!;
      const required = (versions.terraform![0]!.required_providers as Block[])[0]!;
      expect(required, m).toEqual({ google: { source: PROVIDERS.google.source, version: PROVIDERS.google.version } });
    }
  });

  it('declares exactly the platform interface in platform-gcp: PLATFORM_VARIABLES in, PLATFORM_OUTPUTS out', async () => {
    const parsed = await parseAll(files);
    expect(Object.keys(parsed.get(`${dir('platform-gcp')}/variables.tf`)!.variable!).sort()).toEqual([...PLATFORM_VARIABLES].sort());
    const outputs = parsed.get(`${dir('platform-gcp')}/outputs.tf`)!.output!;
    expect(Object.keys(outputs).sort()).toEqual([...PLATFORM_OUTPUTS].sort());
    // …and in the interface's order, so that the platform modules of all clouds read alike.
    expect(blockNames(file(files, `${dir('platform-gcp')}/variables.tf`), 'variable')).toEqual([...PLATFORM_VARIABLES]);
    expect(blockNames(file(files, `${dir('platform-gcp')}/outputs.tf`), 'output')).toEqual([...PLATFORM_OUTPUTS]);
    for (const name of PLATFORM_OUTPUTS) expect(outputs[name]![0]!.description).toBe(PLATFORM_OUTPUT_DESCRIPTIONS[name]);
  });

  it('types, describes and (where a value can be wrong) validates every variable', async () => {
    const parsed = await parseAll(files);
    for (const m of MODULES) {
      for (const [name, [v]] of Object.entries(parsed.get(`${dir(m)}/variables.tf`)!.variable ?? {})) {
        expect(v!.type, `${m}.${name}`).toBeTruthy();
        expect(String(v!.description).length, `${m}.${name}`).toBeGreaterThan(10);
      }
    }
    const cluster = parsed.get(`${dir('gcp-cluster')}/variables.tf`)!.variable!;
    expect(cluster.node_pools![0]!.validation).toHaveLength(3);
    expect(cluster.release_channel![0]!.validation).toBeTruthy();
    expect(parsed.get(`${dir('gcp-identity')}/variables.tf`)!.variable!.workload_identities![0]!.validation).toBeTruthy();
  });

  it('wires the modules consistently: every module input is declared, every required variable given, every module output exists', async () => {
    const parsed = await parseAll(files);
    const declared = (m: string) => parsed.get(`${dir(m)}/variables.tf`)!.variable ?? {};
    const outputsOf = (m: string) => Object.keys(parsed.get(`${dir(m)}/outputs.tf`)!.output ?? {});
    const platform = parsed.get(`${dir('platform-gcp')}/main.tf`)!;
    const calls = Object.entries(platform.module!);
    expect(blockNames(file(files, `${dir('platform-gcp')}/main.tf`), 'module')).toEqual(['network', 'cluster', 'storage', 'registry', 'secrets', 'identity']);
    for (const [name, [call]] of calls) {
      const target = String(call!.source).replace('../', '');
      const inputs = Object.keys(call!).filter((k) => !['source', 'depends_on'].includes(k));
      const vars = declared(target);
      for (const i of inputs) expect(Object.keys(vars), `module.${name} input ${i}`).toContain(i);
      for (const [v, [spec]] of Object.entries(vars)) if (!('default' in spec!)) expect(inputs, `module.${name} misses ${v}`).toContain(v);
    }
    // module.<name>.<output> references anywhere in the platform module name an output of that module.
    const text = file(files, `${dir('platform-gcp')}/main.tf`) + file(files, `${dir('platform-gcp')}/outputs.tf`);
    const modules = Object.fromEntries(calls.map(([n, [c]]) => [n, String(c!.source).replace('../', '')]));
    for (const [, mod, out] of text.matchAll(/module\.([a-z_]+)\.([a-z_]+)/g)) expect(outputsOf(modules[mod!]!), `module.${mod}.${out}`).toContain(out);
  });

  it('references only declared variables and locals inside each module', async () => {
    const parsed = await parseAll(files);
    for (const m of MODULES) {
      const vars = Object.keys(parsed.get(`${dir(m)}/variables.tf`)!.variable ?? {});
      const locals = (parsed.get(`${dir(m)}/main.tf`)!.locals ?? []).flatMap((l) => Object.keys(l));
      const text = ['main.tf', 'outputs.tf'].map((f) => file(files, `${dir(m)}/${f}`)).join('\n');
      for (const [, v] of text.matchAll(/\bvar\.([a-z0-9_]+)/g)) expect(vars, `${m}: var.${v}`).toContain(v);
      for (const [, l] of text.matchAll(/\blocal\.([a-z0-9_]+)/g)) expect(locals, `${m}: local.${l}`).toContain(l);
    }
  });

  it('is GCP only: google resources and data sources, no aws_ or azurerm_ ones', async () => {
    const parsed = await parseAll(files);
    const types = resources(parsed).map((r) => r.type);
    expect(types.length).toBeGreaterThan(10);
    for (const type of types) expect(type).toMatch(/^google_/);
    for (const p of parsed.values()) for (const type of Object.keys(p.data ?? {})) expect(type).toMatch(/^google_/);
    expect(files.map((f) => f.content).join('\n')).not.toMatch(/\b(aws|azurerm)_[a-z_]+/);
  });

  it('puts the cost-allocation labels on every resource that takes labels, after making them valid GCP labels', async () => {
    const parsed = await parseAll(files);
    const labelled: Record<string, (body: Block) => unknown> = {
      google_container_cluster: (b) => b.resource_labels,
      google_container_node_pool: (b) => (b.node_config as Block[])[0]!.resource_labels,
      google_storage_bucket: (b) => b.labels,
      google_artifact_registry_repository: (b) => b.labels,
      google_secret_manager_secret: (b) => b.labels,
    };
    // Resources whose API has no labels: a new resource type must be classified here.
    const unlabelled = [
      'google_compute_network',
      'google_compute_subnetwork',
      'google_compute_router',
      'google_compute_router_nat',
      'google_service_account',
      'google_project_iam_member',
      'google_service_account_iam_member',
      'google_storage_bucket_iam_member',
      'google_secret_manager_secret_iam_member',
      'google_artifact_registry_repository_iam_member',
    ];
    for (const r of resources(parsed)) {
      if (unlabelled.includes(r.type)) continue;
      expect(Object.keys(labelled), `${r.type} is neither labelled nor known to take no labels`).toContain(r.type);
      expect(String(labelled[r.type]!(r.body)), `${r.type}.${r.name}`).toContain('var.labels');
    }
    // The platform module lowercases the tags and replaces what GCP refuses before passing them down as labels.
    const platform = file(files, `${dir('platform-gcp')}/main.tf`);
    expect(platform).toMatch(/labels = \{\n\s+for k, v in var\.tags : substr\(replace\(lower\(/);
    expect(platform).toContain('"/[^a-z0-9_-]/", "_"), 0, 63)');
    expect(platform.match(/labels\s+= local\.labels/g)?.length).toBe(4);
  });

  it('builds a regional private GKE cluster with Workload Identity, a release channel and autoscaled pools', async () => {
    const parsed = await parseAll(files);
    const main = parsed.get(`${dir('gcp-cluster')}/main.tf`)!;
    const cluster = main.resource!.google_container_cluster!.this![0]!;
    expect(cluster.location).toBe('${var.region}');
    expect((cluster.workload_identity_config as Block[])[0]!.workload_pool).toBe('${local.project}.svc.id.goog');
    expect((cluster.private_cluster_config as Block[])[0]!.enable_private_nodes).toBe(true);
    expect((cluster.release_channel as Block[])[0]!.channel).toBe('${var.release_channel}');
    expect(cluster.remove_default_node_pool).toBe(true);
    const nodePool = main.resource!.google_container_node_pool!.this![0]!;
    expect(nodePool.for_each).toBe('${var.node_pools}');
    expect((nodePool.autoscaling as Block[])[0]).toMatchObject({ total_min_node_count: '${each.value.min_nodes}', total_max_node_count: '${each.value.max_nodes}' });
    const config = (nodePool.node_config as Block[])[0]!;
    expect(config.spot).toBe('${each.value.spot}');
    expect(config.service_account).toBe('${google_service_account.nodes.email}');
    expect((config.workload_metadata_config as Block[])[0]!.mode).toBe('GKE_METADATA');
    // The node service account has the one minimal node role, not Editor.
    expect(main.resource!.google_project_iam_member!.nodes![0]!.role).toBe('roles/container.defaultNodeServiceAccount');
    expect(file(files, `${dir('gcp-network')}/main.tf`)).toMatch(/secondary_ip_range \{\n\s+range_name\s+= "pods"/);
  });

  it('taints spot pools cloud.google.com/gke-spot=true:NoSchedule, whatever taints the input gives', () => {
    const main = file(files, `${dir('gcp-cluster')}/main.tf`);
    expect(main).toContain('p.spot ? { "cloud.google.com/gke-spot" = { key = "cloud.google.com/gke-spot", value = "true", effect = "NoSchedule" } } : {}');
    expect(main).toContain('for_each = local.pool_taints[each.key]');
    expect(main).toContain('effect = local.taint_effects[taint.value.effect]');
    expect(main).toContain('NoSchedule = "NO_SCHEDULE"');
  });

  it('adds accelerators and the nvidia.com/gpu taint only when a pool has GPUs', () => {
    const cpuOnly = file(files, `${dir('gcp-cluster')}/main.tf`);
    expect(cpuOnly).not.toContain('guest_accelerator');
    expect(cpuOnly).not.toContain('nvidia.com/gpu');
    const withGpu = file(gcpModules(input({ node_pools: { gcp: [...CPU_POOLS, GPU_POOL] } })), `${dir('gcp-cluster')}/main.tf`);
    expect(withGpu).toContain('dynamic "guest_accelerator" {\n      for_each = each.value.gpus_per_node > 0 ? [each.value] : []');
    expect(withGpu).toContain('type  = guest_accelerator.value.gpu_type');
    expect(withGpu).toContain('p.gpus_per_node > 0 ? { "nvidia.com/gpu" = { key = "nvidia.com/gpu", value = "present", effect = "NoSchedule" } } : {}');
  });

  it('creates a bucket per layer named <bucket_prefix>-<layer> with uniform access, no public access, versioning and retention lifecycle rules', async () => {
    const parsed = await parseAll(files);
    const bucket = parsed.get(`${dir('gcp-storage')}/main.tf`)!.resource!.google_storage_bucket!.layer![0]!;
    expect(bucket).toMatchObject({ for_each: '${var.buckets}', name: '${var.bucket_prefix}-${each.key}', uniform_bucket_level_access: true, public_access_prevention: 'enforced' });
    expect((bucket.versioning as Block[])[0]!.enabled).toBe('${each.value.versioned}');
    const text = file(files, `${dir('gcp-storage')}/main.tf`);
    expect(text).toContain('each.value.retention_days == null ? [] : [{ age = each.value.retention_days, type = "Delete"');
    expect(text).toContain('each.value.cool_after_days == null ? [] : [{ age = each.value.cool_after_days, type = "SetStorageClass", storage_class = "NEARLINE"');
    expect(file(files, `${dir('gcp-storage')}/outputs.tf`)).toContain('k => "gs://${b.name}"');
  });

  it('creates an Artifact Registry Docker repository with immutable tags, a cleanup policy and pull access for the nodes only', async () => {
    const parsed = await parseAll(files);
    const main = parsed.get(`${dir('gcp-registry')}/main.tf`)!;
    const repo = main.resource!.google_artifact_registry_repository!.this![0]!;
    expect(repo.format).toBe('DOCKER');
    expect((repo.docker_config as Block[])[0]!.immutable_tags).toBe(true);
    expect((repo.cleanup_policies as Block[]).map((p) => p.action)).toEqual(['DELETE', 'KEEP']);
    expect(main.resource!.google_artifact_registry_repository_iam_member!.pull![0]!.role).toBe('roles/artifactregistry.reader');
    // The prod repository is the pipeline name, as in the manifests' image references (<region>-docker.pkg.dev/<project>/<name>/<image>).
    expect(file(files, `${dir('platform-gcp')}/main.tf`)).toContain('repository_id = var.environment == "prod" ? var.name : "${var.name}-${var.environment}"');
  });

  it('gives each workload identity a Google service account bound to exactly its Kubernetes ServiceAccount, its layers and its secrets', async () => {
    const parsed = await parseAll(files);
    const main = parsed.get(`${dir('gcp-identity')}/main.tf`)!;
    const r = main.resource!;
    expect(r.google_service_account_iam_member!.workload_identity_user![0]).toMatchObject({
      role: 'roles/iam.workloadIdentityUser',
      member: 'serviceAccount:${local.project}.svc.id.goog[${each.value.namespace}/${each.value.service_account}]',
    });
    expect(r.google_storage_bucket_iam_member!.read![0]!.role).toBe('roles/storage.objectViewer');
    expect(r.google_storage_bucket_iam_member!.write![0]!.role).toBe('roles/storage.objectUser');
    expect(r.google_secret_manager_secret_iam_member!.read![0]).toMatchObject({ role: 'roles/secretmanager.secretAccessor', secret_id: '${var.secret_ids[each.value.secret]}' });
    // Account ids stay within 30 characters: <name cut to 25 - len(role)>-<env code>-<role>.
    expect(file(files, `${dir('gcp-identity')}/main.tf`)).toContain('format("%s-%s-%s", trimsuffix(substr(var.name, 0, 30 - length(role) - 5), "-"), { dev = "dev", staging = "stg", prod = "prd" }[var.environment], role)');
    expect(file(files, `${dir('gcp-identity')}/outputs.tf`)).toContain('{ "iam.gke.io/gcp-service-account" = sa.email }');
  });

  it('creates Secret Manager secrets without any version or value, and nothing in the files looks like a secret', async () => {
    const parsed = await parseAll(files);
    const types = resources(parsed).map((r) => r.type);
    expect(types).toContain('google_secret_manager_secret');
    expect(types).not.toContain('google_secret_manager_secret_version');
    const all = files.map((f) => f.content).join('\n');
    expect(all).not.toMatch(/secret_data|password\s*=|BEGIN [A-Z ]*PRIVATE KEY|AKIA[0-9A-Z]{16}/);
    // No long random-looking literal (keys, tokens): no 20+ character run of letters and digits mixing cases and digits.
    for (const [token] of all.matchAll(/[A-Za-z0-9+/=]{20,}/g)) expect(/[a-z]/.test(token) && /[A-Z]/.test(token) && /[0-9]/.test(token), token).toBe(false);
    expect(file(files, `${dir('gcp-secrets')}/main.tf`)).toContain('gcloud secrets versions add');
  });

  it('uses Vault instead of Secret Manager when the secrets backend is vault', async () => {
    const vault = gcpModules(input({ secrets_backend: 'vault' }));
    expect(vault.some((f) => f.path.includes('gcp-secrets'))).toBe(false);
    const all = vault.map((f) => f.content).join('\n');
    expect(all).not.toContain('google_secret_manager');
    expect(all).not.toContain('module.secrets');
    const parsed = await parseAll(vault);
    const outputs = parsed.get(`${dir('platform-gcp')}/outputs.tf`)!.output!;
    expect(outputs.secret_store![0]!.value).toBeNull();
    expect(blockNames(file(vault, `${dir('platform-gcp')}/outputs.tf`), 'output')).toEqual([...PLATFORM_OUTPUTS]);
    expect(blockNames(file(vault, `${dir('platform-gcp')}/variables.tf`), 'variable')).toEqual([...PLATFORM_VARIABLES]);
  });

  it('turns the Filestore CSI driver on from rwx_file_system and reports no file system id', () => {
    expect(file(files, `${dir('platform-gcp')}/main.tf`)).toContain('filestore_csi_driver = var.rwx_file_system');
    expect(file(files, `${dir('platform-gcp')}/outputs.tf`)).toMatch(/output "rwx_file_system_id" \{\n.*\n\s+value\s+= null/);
  });

  it('carries no user text: the pipeline name and owner reach the modules only as variables', () => {
    const evil = gcpModules(input({ name: 'x"}\nresource "null_resource" "pwn" {', owner: '${file("/etc/passwd")}' }));
    expect(evil.map((f) => f.content)).toEqual(files.map((f) => f.content));
  });

  it('is deterministic: the same input gives the same bytes', () => {
    expect(gcpModules(input())).toEqual(files);
  });
});
