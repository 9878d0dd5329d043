import { describe, expect, it } from 'vitest';
import { PROVIDERS } from '../../../src/generators/terraform/blocks.js';
import { azureModules } from '../../../src/generators/terraform/azure.js';
import { PLATFORM_OUTPUT_DESCRIPTIONS } from '../../../src/generators/terraform/platformInterface.js';
import { PLATFORM_OUTPUTS, PLATFORM_VARIABLES, TERRAFORM_ROOT, type NodePoolPlan, type TerraformInput } from '../../../src/generators/terraform/types.js';
import { blockNames, blocksOf, cloudInput, contentOf, nodePool, parseAll, type Parsed } from './parsed.js';
import { objectStoreUri } from '../../../src/phases/common.js';
import type { ResolvedSpec } from '../../../src/spec/resolve.js';

// A TerraformInput built by hand (the phase-side builder is tested with the phase).
const pool = (over: Partial<NodePoolPlan> & Pick<NodePoolPlan, 'key' | 'workload'>): NodePoolPlan => nodePool({ machine_type: 'Standard_D4s_v5', ...over });
const CPU_POOLS: NodePoolPlan[] = [
  pool({ key: 'serving', workload: 'serving', min_nodes: 2, max_nodes: 6 }),
  pool({ key: 'training', workload: 'training', machine_type: 'Standard_D8s_v5', min_nodes: 0, max_nodes: 10, spot: true, taints: [{ key: 'kubernetes.azure.com/scalesetpriority', value: 'spot', effect: 'NoSchedule' }] }),
];
const GPU_POOL = pool({ key: 'gpu-training', workload: 'gpu-training', machine_type: 'Standard_NC4as_T4_v3', min_nodes: 0, max_nodes: 2, spot: true, gpus_per_node: 1, gpu_type: 'nvidia-t4' });

function input(over: Partial<TerraformInput> = {}): TerraformInput {
  return cloudInput('azure', CPU_POOLS, 'eastus', over);
}

type Block = Record<string, unknown>;
const MODULES = ['azure-network', 'azure-cluster', 'azure-storage', 'azure-registry', 'azure-identity', 'azure-secrets', 'platform-azure'];
const dir = (m: string) => `${TERRAFORM_ROOT}/modules/${m}`;

const file = contentOf;
const resources = (parsed: Map<string, Parsed>) => blocksOf(parsed);

describe('azureModules', () => {
  const files = azureModules(input());

  it('writes versions, variables, main and outputs for each Azure component and the platform module', async () => {
    const parsed = await parseAll(files);
    expect(parsed.size).toBe(files.length);
    for (const m of MODULES) for (const f of ['versions.tf', 'variables.tf', 'main.tf', 'outputs.tf']) expect(files.map((x) => x.path)).toContain(`${dir(m)}/${f}`);
    for (const m of MODULES) {
      const required = (parsed.get(`${dir(m)}/versions.tf`)!.terraform![0]!.required_providers as Block[])[0]!;
      expect(required, m).toEqual({ azurerm: { source: PROVIDERS.azurerm.source, version: PROVIDERS.azurerm.version } });
    }
  });

  it('declares exactly the platform interface in platform-azure: PLATFORM_VARIABLES in, PLATFORM_OUTPUTS out', async () => {
    const parsed = await parseAll(files);
    expect(blockNames(file(files, `${dir('platform-azure')}/variables.tf`), 'variable')).toEqual([...PLATFORM_VARIABLES]);
    expect(blockNames(file(files, `${dir('platform-azure')}/outputs.tf`), 'output')).toEqual([...PLATFORM_OUTPUTS]);
    const outputs = parsed.get(`${dir('platform-azure')}/outputs.tf`)!.output!;
    for (const name of PLATFORM_OUTPUTS) expect(outputs[name]![0]!.description).toBe(PLATFORM_OUTPUT_DESCRIPTIONS[name]);
  });

  it('types and describes every variable, and validates the names Azure restricts', async () => {
    const parsed = await parseAll(files);
    for (const m of MODULES) {
      for (const [name, [v]] of Object.entries(parsed.get(`${dir(m)}/variables.tf`)!.variable ?? {})) {
        expect(v!.type, `${m}.${name}`).toBeTruthy();
        expect(String(v!.description).length, `${m}.${name}`).toBeGreaterThan(10);
      }
    }
    const v = (m: string, name: string) => parsed.get(`${dir(m)}/variables.tf`)!.variable![name]![0]!;
    expect(JSON.stringify(v('azure-storage', 'account_name').validation)).toContain('^[a-z0-9]{3,24}$');
    expect(JSON.stringify(v('azure-registry', 'registry_name').validation)).toContain('{5,50}');
    expect(JSON.stringify(v('azure-secrets', 'vault_name').validation)).toContain('{1,22}');
    expect(v('azure-cluster', 'node_pools').validation).toHaveLength(5);
  });

  it('wires the modules consistently: every module input is declared, every required variable given, every module output exists', async () => {
    const parsed = await parseAll(files);
    const declared = (m: string) => parsed.get(`${dir(m)}/variables.tf`)!.variable ?? {};
    const outputsOf = (m: string) => Object.keys(parsed.get(`${dir(m)}/outputs.tf`)!.output ?? {});
    const calls = Object.entries(parsed.get(`${dir('platform-azure')}/main.tf`)!.module!);
    expect(blockNames(file(files, `${dir('platform-azure')}/main.tf`), 'module')).toEqual(['network', 'cluster', 'storage', 'registry', 'secrets', 'identity']);
    for (const [name, [call]] of calls) {
      const target = String(call!.source).replace('../', '');
      const inputs = Object.keys(call!).filter((k) => !['source', 'depends_on'].includes(k));
      const vars = declared(target);
      for (const i of inputs) expect(Object.keys(vars), `module.${name} input ${i}`).toContain(i);
      for (const [v, [spec]] of Object.entries(vars)) if (!('default' in spec!)) expect(inputs, `module.${name} misses ${v}`).toContain(v);
    }
    const text = file(files, `${dir('platform-azure')}/main.tf`) + file(files, `${dir('platform-azure')}/outputs.tf`);
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

  it('is Azure only: azurerm resources and data sources, no aws_ or google_ ones', async () => {
    const parsed = await parseAll(files);
    const types = resources(parsed).map((r) => r.type);
    expect(types.length).toBeGreaterThan(10);
    for (const type of types) expect(type).toMatch(/^azurerm_/);
    for (const p of parsed.values()) for (const type of Object.keys(p.data ?? {})) expect(type).toMatch(/^azurerm_/);
    expect(files.map((f) => f.content).join('\n')).not.toMatch(/\b(aws|google)_[a-z_]+/);
  });

  it('puts the cost-allocation tags on every resource that takes tags', async () => {
    const parsed = await parseAll(files);
    const tagged = [
      'azurerm_resource_group',
      'azurerm_virtual_network',
      'azurerm_kubernetes_cluster',
      'azurerm_kubernetes_cluster_node_pool',
      'azurerm_storage_account',
      'azurerm_container_registry',
      'azurerm_user_assigned_identity',
      'azurerm_key_vault',
    ];
    // Resources whose API has no tags: a new resource type must be classified here.
    const untagged = ['azurerm_subnet', 'azurerm_storage_container', 'azurerm_storage_management_policy', 'azurerm_role_assignment', 'azurerm_federated_identity_credential'];
    for (const r of resources(parsed)) {
      if (untagged.includes(r.type)) continue;
      expect(tagged, `${r.type} is neither tagged nor known to take no tags`).toContain(r.type);
      expect(String(r.body.tags), `${r.type}.${r.name}`).toContain('var.tags');
    }
    const aks = parsed.get(`${dir('azure-cluster')}/main.tf`)!.resource!.azurerm_kubernetes_cluster!.this![0]!;
    expect((aks.default_node_pool as Block[])[0]!.tags).toBe('${var.tags}');
  });

  it('builds AKS with the OIDC issuer and workload identity, autoscaled pools and no local admin account', async () => {
    const parsed = await parseAll(files);
    const aks = parsed.get(`${dir('azure-cluster')}/main.tf`)!.resource!.azurerm_kubernetes_cluster!.this![0]!;
    expect(aks).toMatchObject({ oidc_issuer_enabled: true, workload_identity_enabled: true, local_account_disabled: true });
    expect((aks.network_profile as Block[])[0]).toMatchObject({ network_plugin: 'azure', network_plugin_mode: 'overlay' });
    expect((aks.default_node_pool as Block[])[0]!.auto_scaling_enabled).toBe(true);
    const pools = parsed.get(`${dir('azure-cluster')}/main.tf`)!.resource!.azurerm_kubernetes_cluster_node_pool!.user![0]!;
    expect(pools).toMatchObject({ for_each: '${local.user_pools}', mode: 'User', auto_scaling_enabled: true, min_count: '${each.value.min_nodes}', max_count: '${each.value.max_nodes}' });
  });

  it('makes spot pools Spot with eviction Delete and spot_max_price -1, and leaves the scalesetpriority taint to AKS', async () => {
    const parsed = await parseAll(files);
    const pools = parsed.get(`${dir('azure-cluster')}/main.tf`)!.resource!.azurerm_kubernetes_cluster_node_pool!.user![0]!;
    expect(pools.priority).toBe('${each.value.spot ? "Spot" : "Regular"}');
    expect(pools.eviction_policy).toBe('${each.value.spot ? "Delete" : null}');
    expect(pools.spot_max_price).toBe('${each.value.spot ? -1 : null}');
    // The input's spot taint is dropped (AKS sets it), never written as a taint of ours.
    const main = file(files, `${dir('azure-cluster')}/main.tf`);
    expect(main).toContain('{ for t in p.taints : t.key => t if t.key != "kubernetes.azure.com/scalesetpriority" }');
    expect(main).not.toMatch(/"kubernetes\.azure\.com\/scalesetpriority=spot/);
  });

  it('taints GPU pools nvidia.com/gpu only when a pool has GPUs', () => {
    expect(file(files, `${dir('azure-cluster')}/main.tf`)).not.toContain('nvidia.com/gpu');
    const withGpu = file(azureModules(input({ node_pools: { azure: [...CPU_POOLS, GPU_POOL] } })), `${dir('azure-cluster')}/main.tf`);
    expect(withGpu).toContain('p.gpus_per_node > 0 ? { "nvidia.com/gpu" = { key = "nvidia.com/gpu", value = "present", effect = "NoSchedule" } } : {}');
  });

  it('creates an ADLS Gen2 account with a container per layer and lifecycle rules from the retention spec', async () => {
    const parsed = await parseAll(files);
    const main = parsed.get(`${dir('azure-storage')}/main.tf`)!;
    const account = main.resource!.azurerm_storage_account!.lake![0]!;
    expect(account).toMatchObject({ is_hns_enabled: true, shared_access_key_enabled: false, allow_nested_items_to_be_public: false, min_tls_version: 'TLS1_2' });
    expect(main.resource!.azurerm_storage_container!.layer![0]).toMatchObject({ for_each: '${var.buckets}', name: '${each.key}', storage_account_id: '${azurerm_storage_account.lake.id}' });
    const text = file(files, `${dir('azure-storage')}/main.tf`);
    expect(text).toContain('tier_to_cool_after_days_since_modification_greater_than = rule.value.cool_after_days');
    expect(text).toContain('delete_after_days_since_modification_greater_than       = rule.value.retention_days');
    expect(text).toContain('prefix_match = ["${rule.key}/"]');
    expect(file(files, `${dir('azure-storage')}/outputs.tf`)).toContain('"abfss://${c.name}@${azurerm_storage_account.lake.name}.dfs.core.windows.net"');
  });

  it('names the prod storage account exactly as the manifests\' abfss:// URIs, and dev/staging differently within 24 characters', () => {
    const platform = file(files, `${dir('platform-azure')}/main.tf`);
    const m = /storage_account_name = var\.environment == "prod" \? "\$\{substr\(local\.compact, 0, (\d+)\)\}lake" : "\$\{substr\(local\.compact, 0, (\d+)\)\}\$\{local\.env_code\}lake"/.exec(platform);
    expect(m, 'storage account expression').toBeTruthy();
    expect(platform).toContain('compact  = replace(var.name, "-", "")');
    const [prodCut, otherCut] = [Number(m![1]), Number(m![2])];
    for (const name of ['fraud-detection', 'a-very-long-pipeline-name-of-forty-char', 'x']) {
      const compact = name.replace(/-/g, '');
      const spec = { name, options: { cloud_provider: 'azure' } } as unknown as ResolvedSpec;
      const manifestAccount = /@([^.]+)\.dfs/.exec(objectStoreUri(spec, 'raw'))![1];
      expect(`${compact.slice(0, prodCut)}lake`).toBe(manifestAccount);
      const names = ['dev', 'stg'].map((code) => `${compact.slice(0, otherCut)}${code}lake`);
      for (const n of names) expect(n).toMatch(/^[a-z0-9]{3,24}$/);
      expect(new Set([...names, manifestAccount]).size).toBe(3);
    }
  });

  it('creates ACR Premium without an admin user and grants AcrPull to the kubelet identity', async () => {
    const parsed = await parseAll(files);
    const main = parsed.get(`${dir('azure-registry')}/main.tf`)!;
    expect(main.resource!.azurerm_container_registry!.this![0]).toMatchObject({ sku: 'Premium', admin_enabled: false });
    expect(main.resource!.azurerm_role_assignment!.kubelet_pull![0]).toMatchObject({ role_definition_name: 'AcrPull', principal_id: '${var.kubelet_object_id}' });
    expect(file(files, `${dir('platform-azure')}/main.tf`)).toContain('kubelet_object_id   = module.cluster.kubelet_object_id');
  });

  it('gives each workload identity a managed identity federated with exactly its ServiceAccount, scoped to its containers and the vault', async () => {
    const parsed = await parseAll(files);
    const r = parsed.get(`${dir('azure-identity')}/main.tf`)!.resource!;
    expect(r.azurerm_federated_identity_credential!.workload![0]).toMatchObject({
      issuer: '${var.oidc_issuer_url}',
      subject: 'system:serviceaccount:${each.value.namespace}:${each.value.service_account}',
      audience: ['api://AzureADTokenExchange'],
    });
    expect(r.azurerm_role_assignment!.blob_read![0]).toMatchObject({ scope: '${var.container_ids[each.value.layer]}', role_definition_name: 'Storage Blob Data Reader' });
    expect(r.azurerm_role_assignment!.blob_write![0]).toMatchObject({ scope: '${var.container_ids[each.value.layer]}', role_definition_name: 'Storage Blob Data Contributor' });
    expect(r.azurerm_role_assignment!.secrets_user![0]).toMatchObject({ scope: '${var.key_vault_id}', role_definition_name: 'Key Vault Secrets User', for_each: '${local.secret_readers}' });
    expect(file(files, `${dir('azure-identity')}/outputs.tf`)).toContain('{ "azure.workload.identity/client-id" = id.client_id }');
  });

  it('creates a Key Vault with RBAC, purge protection and a deny-by-default network, and no secret at all', async () => {
    const parsed = await parseAll(files);
    const vault = parsed.get(`${dir('azure-secrets')}/main.tf`)!.resource!.azurerm_key_vault!.this![0]!;
    expect(vault).toMatchObject({ enable_rbac_authorization: true, purge_protection_enabled: true });
    expect((vault.network_acls as Block[])[0]!.default_action).toBe('Deny');
    const types = resources(parsed).map((r) => r.type);
    expect(types).not.toContain('azurerm_key_vault_secret');
    const all = files.map((f) => f.content).join('\n');
    expect(all).not.toMatch(/secret_data|password\s*=|BEGIN [A-Z ]*PRIVATE KEY|AccountKey=/);
    for (const [token] of all.matchAll(/[A-Za-z0-9+/=]{20,}/g)) expect(/[a-z]/.test(token) && /[A-Z]/.test(token) && /[0-9]/.test(token), token).toBe(false);
    expect(file(files, `${dir('azure-secrets')}/main.tf`)).toContain('az keyvault secret set');
  });

  it('has no Key Vault when the secrets backend is vault, and keeps the interface', async () => {
    const vault = azureModules(input({ secrets_backend: 'vault' }));
    expect(vault.some((f) => f.path.includes('azure-secrets'))).toBe(false);
    const all = vault.map((f) => f.content).join('\n');
    expect(all).not.toContain('azurerm_key_vault');
    expect(all).not.toContain('Key Vault Secrets User');
    const parsed = await parseAll(vault);
    expect(parsed.get(`${dir('platform-azure')}/outputs.tf`)!.output!.secret_store![0]!.value).toBeNull();
    expect(blockNames(file(vault, `${dir('platform-azure')}/outputs.tf`), 'output')).toEqual([...PLATFORM_OUTPUTS]);
    expect(blockNames(file(vault, `${dir('platform-azure')}/variables.tf`), 'variable')).toEqual([...PLATFORM_VARIABLES]);
  });

  it('creates the resource group in the platform module, named from the pipeline and environment', async () => {
    const parsed = await parseAll(files);
    expect(parsed.get(`${dir('platform-azure')}/main.tf`)!.resource!.azurerm_resource_group!.this![0]).toMatchObject({ name: '${local.prefix}-rg', location: '${var.region}', tags: '${var.tags}' });
    expect(file(files, `${dir('platform-azure')}/main.tf`)).toContain('prefix   = "${var.name}-${var.environment}"');
  });

  it('carries no user text: the pipeline name and owner reach the modules only as variables', () => {
    const evil = azureModules(input({ name: 'x"}\nresource "null_resource" "pwn" {', owner: '${file("/etc/passwd")}' }));
    expect(evil.map((f) => f.content)).toEqual(files.map((f) => f.content));
  });

  it('is deterministic: the same input gives the same bytes', () => {
    expect(azureModules(input())).toEqual(files);
  });
});
