import { attr, block, comment, raw, ref, tpl, type HclBody, type HclExpression } from '../serializers/hcl.js';
import { moduleCall, output, t, type VariableSpec } from './blocks.js';
import { moduleFiles } from './moduleFiles.js';
import { ENV_CODE, GPU_TAINT, nodePoolKeyValidation, platformVariable, registryOutputs, roleGrants, simpleVariable, taintLiteral } from './gcpAzureShared.js';
import { platformOutputs, platformVariables } from './platformInterface.js';
import type { PlatformOutput, TerraformFile, TerraformInput } from './types.js';

/**
 * Terraform for Azure: modules/azure-<component>/ and modules/platform-azure/, which creates the resource group
 * and composes the components behind the one platform interface (PLATFORM_VARIABLES in, PLATFORM_OUTPUTS out).
 */

const AZURERM = ['azurerm'] as const;
/** The label and taint AKS puts on spot pools itself (see kubernetes_architect/capacity.ts). */
const SPOT_TAINT_KEY = 'kubernetes.azure.com/scalesetpriority';

const tagsVariable: VariableSpec = {
  name: 'tags',
  type: t.mapString,
  description: 'Cost-allocation tags put on every resource that takes tags',
  validations: [
    { condition: raw('alltrue([for k, v in var.tags : length(k) <= 512 && length(v) <= 256 && !can(regex("[<>%&\\\\\\\\?/]", k))])'), message: 'Azure tag names are at most 512 characters without < > % & \\ ? /, values at most 256.' },
  ],
};
const locationVariable: VariableSpec = platformVariable('region', 'Azure region of the resources');
const location = (): VariableSpec => ({ ...locationVariable, name: 'location', validations: [{ condition: raw('can(regex("^[a-z0-9-]+$", var.location))'), message: 'location must be an Azure region name such as eastus.' }] });
const resourceGroupVariable = simpleVariable('resource_group_name', t.string, 'Resource group of the resources (created by platform-azure)');
const prefixVariable = (what: string): VariableSpec => ({
  name: 'name',
  type: t.string,
  description: `Prefix of the ${what} names`,
  validations: [{ condition: raw('can(regex("^[a-z][a-z0-9-]{0,50}$", var.name))'), message: 'name must be a lowercase slug of at most 51 characters.' }],
});
const common = (): HclExpression[] => [ref('var.location'), ref('var.resource_group_name')];
const placed = (): HclBody => {
  const [loc, rg] = common();
  return [attr('location', loc), attr('resource_group_name', rg)];
};

function network(): TerraformFile[] {
  const main: HclBody = [
    block('resource', ['azurerm_virtual_network', 'this'], [
      attr('name', tpl`${ref('var.name')}-vnet`),
      ...placed(),
      attr('address_space', [ref('var.network_cidr')]),
      attr('tags', ref('var.tags')),
    ]),
    comment(
      'Node subnet: the first /20 of the VNet (4096 addresses). Pods take their IPs from the overlay range of the\ncluster (Azure CNI overlay), not from the VNet. Service endpoints let the lake and the Key Vault deny every\nnetwork but this subnet.',
    ),
    block('resource', ['azurerm_subnet', 'nodes'], [
      attr('name', tpl`${ref('var.name')}-nodes`),
      attr('resource_group_name', ref('var.resource_group_name')),
      attr('virtual_network_name', ref('azurerm_virtual_network.this.name')),
      attr('address_prefixes', [raw('cidrsubnet(var.network_cidr, 4, 0)')]),
      attr('service_endpoints', ['Microsoft.KeyVault', 'Microsoft.Storage']),
    ]),
  ];
  return moduleFiles({
    dir: 'azure-network',
    purpose: 'VNet and the node subnet',
    providers: AZURERM,
    variables: [
      prefixVariable('network'),
      location(),
      resourceGroupVariable,
      { ...platformVariable('network_cidr'), validations: [...(platformVariable('network_cidr').validations ?? []), { condition: raw('can(cidrhost(var.network_cidr, 0)) && tonumber(split("/", var.network_cidr)[1]) <= 20'), message: 'network_cidr must be a /20 or larger.' }] },
      tagsVariable,
    ],
    main,
    outputs: [output('vnet_id', 'Id of the VNet', ref('azurerm_virtual_network.this.id')), output('subnet_id', 'Id of the node subnet', ref('azurerm_subnet.nodes.id'))],
  });
}

function cluster(input: TerraformInput): TerraformFile[] {
  const pools = input.node_pools.azure ?? [];
  const hasGpu = pools.some((p) => p.gpus_per_node > 0);
  const taintSources = [`{ for t in p.taints : t.key => t if t.key != "${SPOT_TAINT_KEY}" }`];
  if (hasGpu) taintSources.unshift(`p.gpus_per_node > 0 ? { "${GPU_TAINT.key}" = ${taintLiteral(GPU_TAINT)} } : {}`);
  const labelFilter = (expr: string) => raw(`{ for k, v in ${expr} : k => v if !startswith(k, "kubernetes.azure.com/") }`);
  const main: HclBody = [
    block('data', ['azurerm_client_config', 'current'], []),
    block('locals', [], [
      attr('system_key', raw('try([for k, p in var.node_pools : k if p.workload == "system"][0], null)')),
      attr('user_pools', raw('{ for k, p in var.node_pools : k => p if k != local.system_key }')),
      comment('AKS pool names: lowercase letters and digits, at most 12 characters.'),
      attr('pool_names', raw('{ for k in keys(var.node_pools) : k => substr(replace(lower(k), "/[^a-z0-9]/", ""), 0, 12) }')),
      comment(
        `AKS taints spot pools ${SPOT_TAINT_KEY}=spot:NoSchedule itself (and reports it back), so that taint is never\ndeclared here${hasGpu ? `; GPU pools carry ${GPU_TAINT.key}=${GPU_TAINT.value}:${GPU_TAINT.effect} unless the input gives that key` : ''}.`,
      ),
      attr(
        'pool_taints',
        raw(`{
  for k, p in local.user_pools : k => [for t in values(merge(
    ${taintSources.join(',\n    ')},
  )) : "\${t.key}=\${t.value}:\${t.effect}"]
}`),
      ),
    ]),
    block('resource', ['azurerm_kubernetes_cluster', 'this'], [
      attr('name', tpl`${ref('var.name')}-aks`),
      ...placed(),
      attr('dns_prefix', ref('var.name')),
      attr('node_resource_group', tpl`${ref('var.name')}-aks-nodes-rg`),
      attr('kubernetes_version', ref('var.kubernetes_version')),
      attr('sku_tier', ref('var.sku_tier')),
      comment('Azure AD Workload Identity: the OIDC issuer signs ServiceAccount tokens that the managed identities trust.'),
      attr('oidc_issuer_enabled', true),
      attr('workload_identity_enabled', true),
      attr('automatic_upgrade_channel', 'patch'),
      attr('node_os_upgrade_channel', 'NodeImage'),
      comment('Entra ID sign-in with Azure RBAC; no local admin kubeconfig.'),
      attr('local_account_disabled', true),
      attr('role_based_access_control_enabled', true),
      block('azure_active_directory_role_based_access_control', [], [
        attr('azure_rbac_enabled', true),
        attr('tenant_id', ref('data.azurerm_client_config.current.tenant_id')),
        attr('admin_group_object_ids', ref('var.admin_group_object_ids')),
      ]),
      block('dynamic', ['api_server_access_profile'], [
        attr('for_each', raw('length(var.authorized_ip_ranges) > 0 ? [1] : []')),
        block('content', [], [attr('authorized_ip_ranges', ref('var.authorized_ip_ranges'))]),
      ]),
      comment('Cost analysis: namespace and deployment costs in Azure Cost Management (Standard or Premium tier).'),
      attr('cost_analysis_enabled', raw('var.sku_tier != "Free"')),
      comment(
        'System pool: the input pool whose workload is "system", or var.system_vm_size. It also runs the platform\nadd-ons (External Secrets, Argo CD), so it is not restricted to critical add-ons.',
      ),
      block('default_node_pool', [], [
        attr('name', 'system'),
        attr('vm_size', raw('try(var.node_pools[local.system_key].machine_type, var.system_vm_size)')),
        attr('vnet_subnet_id', ref('var.subnet_id')),
        attr('orchestrator_version', ref('var.kubernetes_version')),
        attr('auto_scaling_enabled', true),
        attr('min_count', raw('max(1, try(var.node_pools[local.system_key].min_nodes, var.system_min_nodes))')),
        attr('max_count', raw('max(1, try(var.node_pools[local.system_key].max_nodes, var.system_max_nodes))')),
        attr('temporary_name_for_rotation', 'systemtmp'),
        attr('node_labels', labelFilter('try(var.node_pools[local.system_key].labels, {})')),
        attr('tags', ref('var.tags')),
        comment('AKS\'s default surge, declared so that plans stay empty.'),
        block('upgrade_settings', [], [attr('max_surge', '10%')]),
      ]),
      block('identity', [], [attr('type', 'SystemAssigned')]),
      block('network_profile', [], [
        attr('network_plugin', 'azure'),
        attr('network_plugin_mode', 'overlay'),
        attr('network_data_plane', 'cilium'),
        attr('network_policy', 'cilium'),
        attr('pod_cidr', ref('var.pod_cidr')),
        attr('service_cidr', ref('var.service_cidr')),
        attr('dns_service_ip', ref('var.dns_service_ip')),
        attr('load_balancer_sku', 'standard'),
      ]),
      attr('tags', ref('var.tags')),
      block('lifecycle', [], [comment('The autoscaler owns the node count.'), attr('ignore_changes', [raw('default_node_pool[0].node_count')])]),
    ]),
    comment(`User pools: one per input pool. Spot pools: priority Spot, eviction Delete, spot_max_price -1 (pay at most the\non-demand price, so capacity, not price, evicts).${hasGpu ? ' GPU pools: a GPU VM size (AKS installs the NVIDIA driver; the\nNVIDIA device plugin DaemonSet advertises nvidia.com/gpu).' : ''}`),
    block('resource', ['azurerm_kubernetes_cluster_node_pool', 'user'], [
      attr('for_each', ref('local.user_pools')),
      attr('name', raw('local.pool_names[each.key]')),
      attr('kubernetes_cluster_id', ref('azurerm_kubernetes_cluster.this.id')),
      attr('mode', 'User'),
      attr('vm_size', ref('each.value.machine_type')),
      attr('vnet_subnet_id', ref('var.subnet_id')),
      attr('orchestrator_version', ref('var.kubernetes_version')),
      attr('auto_scaling_enabled', true),
      attr('min_count', ref('each.value.min_nodes')),
      attr('max_count', ref('each.value.max_nodes')),
      attr('priority', raw('each.value.spot ? "Spot" : "Regular"')),
      attr('eviction_policy', raw('each.value.spot ? "Delete" : null')),
      attr('spot_max_price', raw('each.value.spot ? -1 : null')),
      attr('node_labels', labelFilter('each.value.labels')),
      comment('null, not [], when a pool has no taint of ours: AKS reports its own spot taint back, which an empty list would fight.'),
      attr('node_taints', raw('length(local.pool_taints[each.key]) > 0 ? local.pool_taints[each.key] : null')),
      attr('tags', raw('merge(var.tags, { node_pool = each.key, workload = each.value.workload })')),
      block('lifecycle', [], [attr('ignore_changes', [ref('node_count')])]),
    ]),
  ];
  return moduleFiles({
    dir: 'azure-cluster',
    purpose: 'AKS with OIDC issuer and workload identity, a system pool and one user pool per input pool (Spot pools, GPU pools)',
    providers: AZURERM,
    variables: [
      prefixVariable('cluster (<name>-aks, DNS prefix <name>)'),
      location(),
      resourceGroupVariable,
      platformVariable('kubernetes_version'),
      simpleVariable('subnet_id', t.string, 'Node subnet (azure-network)'),
      {
        ...platformVariable('node_pools'),
        validations: [
          ...(platformVariable('node_pools').validations ?? []),
          nodePoolKeyValidation('^[a-z][a-z0-9-]*$', 'node pool keys must be lowercase slugs starting with a letter (AKS pool names).'),
          { condition: raw('length(distinct([for k in keys(var.node_pools) : substr(replace(lower(k), "/[^a-z0-9]/", ""), 0, 12)])) == length(var.node_pools)'), message: 'node pool keys must stay distinct once cut to AKS pool names (12 letters and digits).' },
          { condition: raw('length([for p in values(var.node_pools) : p if p.workload == "system"]) <= 1'), message: 'at most one node pool is the system pool.' },
        ],
      },
      tagsVariable,
      { name: 'sku_tier', type: t.string, description: 'AKS tier: Standard gives the API server an uptime SLA', default: 'Standard', validations: [{ condition: raw('contains(["Free", "Standard", "Premium"], var.sku_tier)'), message: 'sku_tier must be Free, Standard or Premium.' }] },
      simpleVariable('system_vm_size', t.string, 'VM size of the system pool when no input pool has the system workload', 'Standard_D4ds_v5'),
      { name: 'system_min_nodes', type: t.number, description: 'Fewest system nodes when no input pool has the system workload (two: an upgrade never stops cluster DNS)', default: 2, validations: [{ condition: raw('var.system_min_nodes >= 1'), message: 'system_min_nodes must be at least 1.' }] },
      simpleVariable('system_max_nodes', t.number, 'Most system nodes when no input pool has the system workload', 3),
      { name: 'pod_cidr', type: t.string, description: 'Overlay range of the pods (outside the VNet)', default: '192.168.0.0/16', validations: [{ condition: raw('can(cidrhost(var.pod_cidr, 0))'), message: 'pod_cidr must be a CIDR block.' }] },
      { name: 'service_cidr', type: t.string, description: 'Range of the Services (outside the VNet and the pod range)', default: '172.20.0.0/16', validations: [{ condition: raw('can(cidrhost(var.service_cidr, 0))'), message: 'service_cidr must be a CIDR block.' }] },
      simpleVariable('dns_service_ip', t.string, 'Cluster DNS address, inside service_cidr', '172.20.0.10'),
      simpleVariable('admin_group_object_ids', t.listString, 'Entra ID groups that administer the cluster', []),
      simpleVariable('authorized_ip_ranges', t.listString, 'CIDR blocks allowed to reach the API server (empty: any address, Entra ID sign-in still required)', []),
    ],
    main,
    outputs: [
      output('cluster_name', 'Name of the AKS cluster', ref('azurerm_kubernetes_cluster.this.name')),
      output('endpoint', 'API server endpoint', tpl`https://${ref('azurerm_kubernetes_cluster.this.fqdn')}`),
      output('oidc_issuer_url', 'OIDC issuer the federated identity credentials trust', ref('azurerm_kubernetes_cluster.this.oidc_issuer_url')),
      output('kubelet_object_id', 'Object id of the kubelet identity (pulls images)', raw('azurerm_kubernetes_cluster.this.kubelet_identity[0].object_id')),
      output('kubeconfig_command', 'Writes a kubeconfig entry for the cluster (Entra ID sign-in through kubelogin)', tpl`az aks get-credentials --resource-group ${ref('var.resource_group_name')} --name ${ref('azurerm_kubernetes_cluster.this.name')} && kubelogin convert-kubeconfig -l azurecli`),
    ],
  });
}

function storage(): TerraformFile[] {
  const main: HclBody = [
    comment(
      'ADLS Gen2 (hierarchical namespace) account with one container per data layer, the abfss://<layer>@<account>\nURIs of the manifests. Entra ID only (no shared keys), TLS 1.2, no public blobs, reachable from the node subnet.\nADLS Gen2 has no blob versioning: the versioned layers (models) are protected by blob and container soft delete.',
    ),
    block('resource', ['azurerm_storage_account', 'lake'], [
      attr('name', ref('var.account_name')),
      ...placed(),
      attr('account_kind', 'StorageV2'),
      attr('account_tier', 'Standard'),
      attr('account_replication_type', ref('var.replication_type')),
      attr('is_hns_enabled', true),
      attr('min_tls_version', 'TLS1_2'),
      attr('https_traffic_only_enabled', true),
      attr('allow_nested_items_to_be_public', false),
      attr('shared_access_key_enabled', false),
      attr('default_to_oauth_authentication', true),
      attr('cross_tenant_replication_enabled', false),
      block('network_rules', [], [attr('default_action', 'Deny'), attr('bypass', ['AzureServices']), attr('virtual_network_subnet_ids', ref('var.subnet_ids')), attr('ip_rules', ref('var.allowed_ip_ranges'))]),
      block('blob_properties', [], [
        block('delete_retention_policy', [], [attr('days', ref('var.soft_delete_days'))]),
        block('container_delete_retention_policy', [], [attr('days', ref('var.soft_delete_days'))]),
      ]),
      attr('tags', ref('var.tags')),
    ]),
    comment('Containers through the Resource Manager API (storage_account_id): no data-plane access needed to create them.'),
    block('resource', ['azurerm_storage_container', 'layer'], [
      attr('for_each', ref('var.buckets')),
      attr('name', ref('each.key')),
      attr('storage_account_id', ref('azurerm_storage_account.lake.id')),
      attr('container_access_type', 'private'),
    ]),
    block('locals', [], [
      comment('Lifecycle from the retention spec: delete at retention_days, tier to cool at cool_after_days (layers with neither get no rule).'),
      attr('lifecycle_rules', raw('{ for layer, b in var.buckets : layer => b if b.retention_days != null || b.cool_after_days != null }')),
    ]),
    block('resource', ['azurerm_storage_management_policy', 'lake'], [
      attr('count', raw('length(local.lifecycle_rules) > 0 ? 1 : 0')),
      attr('storage_account_id', ref('azurerm_storage_account.lake.id')),
      block('dynamic', ['rule'], [
        attr('for_each', ref('local.lifecycle_rules')),
        block('content', [], [
          attr('name', tpl`${ref('rule.key')}-lifecycle`),
          attr('enabled', true),
          block('filters', [], [attr('prefix_match', [tpl`${ref('rule.key')}/`]), attr('blob_types', ['blockBlob'])]),
          block('actions', [], [
            block('base_blob', [], [
              attr('tier_to_cool_after_days_since_modification_greater_than', ref('rule.value.cool_after_days')),
              attr('delete_after_days_since_modification_greater_than', ref('rule.value.retention_days')),
            ]),
          ]),
        ]),
      ]),
    ]),
  ];
  return moduleFiles({
    dir: 'azure-storage',
    purpose: 'ADLS Gen2 storage account, a container per data layer and the lifecycle management policy',
    providers: AZURERM,
    variables: [
      { name: 'account_name', type: t.string, description: 'Storage account name (globally unique)', validations: [{ condition: raw('can(regex("^[a-z0-9]{3,24}$", var.account_name))'), message: 'account_name must be 3-24 lowercase letters and digits.' }] },
      location(),
      resourceGroupVariable,
      {
        ...platformVariable('buckets'),
        validations: [
          ...(platformVariable('buckets').validations ?? []),
          { condition: raw('alltrue([for k in keys(var.buckets) : contains(["raw", "processed", "features", "models"], k)])'), message: 'buckets are keyed by data layer: raw, processed, features, models.' },
          { condition: raw('alltrue([for b in values(var.buckets) : b.cool_after_days == null || b.cool_after_days >= 1])'), message: 'cool_after_days must be null or at least 1.' },
        ],
      },
      tagsVariable,
      simpleVariable('subnet_ids', t.listString, 'Subnets allowed through the account firewall (the AKS nodes)'),
      simpleVariable('allowed_ip_ranges', t.listString, 'Public IP ranges allowed through the account firewall (data producers outside Azure)', []),
      { name: 'replication_type', type: t.string, description: 'Redundancy: ZRS keeps a copy in each zone of the region', default: 'ZRS', validations: [{ condition: raw('contains(["LRS", "ZRS", "GRS", "GZRS", "RAGRS", "RAGZRS"], var.replication_type)'), message: 'replication_type must be LRS, ZRS, GRS, GZRS, RAGRS or RAGZRS.' }] },
      { name: 'soft_delete_days', type: t.number, description: 'Days deleted blobs and containers stay recoverable', default: 7, validations: [{ condition: raw('var.soft_delete_days >= 1 && var.soft_delete_days <= 365'), message: 'soft_delete_days must be between 1 and 365.' }] },
    ],
    main,
    outputs: [
      output('account_name', 'Storage account name', ref('azurerm_storage_account.lake.name')),
      output('account_id', 'Storage account id', ref('azurerm_storage_account.lake.id')),
      output('container_ids', 'Resource Manager id per data layer container (role assignment scopes)', raw('{ for k, c in azurerm_storage_container.layer : k => c.resource_manager_id }')),
      output('bucket_uris', 'abfss:// URI per data layer', raw('{ for k, c in azurerm_storage_container.layer : k => "abfss://${c.name}@${azurerm_storage_account.lake.name}.dfs.core.windows.net" }')),
    ],
  });
}

function registry(): TerraformFile[] {
  const main: HclBody = [
    comment('Premium: geo-replication, private endpoints, and the retention of untagged manifests. No admin user: pushes\nuse Entra ID, pulls the kubelet identity (AcrPull on this registry only).'),
    block('resource', ['azurerm_container_registry', 'this'], [
      attr('name', ref('var.registry_name')),
      ...placed(),
      attr('sku', 'Premium'),
      attr('admin_enabled', false),
      attr('anonymous_pull_enabled', false),
      attr('retention_policy_in_days', ref('var.untagged_retention_days')),
      attr('tags', ref('var.tags')),
    ]),
    block('resource', ['azurerm_role_assignment', 'kubelet_pull'], [
      attr('scope', ref('azurerm_container_registry.this.id')),
      attr('role_definition_name', 'AcrPull'),
      attr('principal_id', ref('var.kubelet_object_id')),
      attr('principal_type', 'ServicePrincipal'),
      attr('skip_service_principal_aad_check', true),
    ]),
    block('locals', [], [attr('registry', tpl`${ref('azurerm_container_registry.this.login_server')}/${ref('var.path_prefix')}`)]),
  ];
  return moduleFiles({
    dir: 'azure-registry',
    purpose: 'Azure Container Registry (Premium) with AcrPull for the kubelet identity',
    providers: AZURERM,
    variables: [
      { name: 'registry_name', type: t.string, description: 'Registry name (globally unique; <name>.azurecr.io)', validations: [{ condition: raw('can(regex("^[a-zA-Z0-9]{5,50}$", var.registry_name))'), message: 'registry_name must be 5-50 letters and digits.' }] },
      location(),
      resourceGroupVariable,
      { name: 'path_prefix', type: t.string, description: 'Repository path prefix of the images (the pipeline name)', validations: [{ condition: raw('can(regex("^[a-z0-9][a-z0-9-]*$", var.path_prefix))'), message: 'path_prefix must be lowercase letters, digits and hyphens.' }] },
      platformVariable('image_repositories'),
      simpleVariable('kubelet_object_id', t.string, 'Object id of the AKS kubelet identity'),
      tagsVariable,
      { name: 'untagged_retention_days', type: t.number, description: 'Untagged manifests older than this are purged', default: 7, validations: [{ condition: raw('var.untagged_retention_days >= 0 && var.untagged_retention_days <= 365'), message: 'untagged_retention_days must be between 0 and 365.' }] },
    ],
    main,
    outputs: registryOutputs(),
  });
}

function identity(input: TerraformInput): TerraformFile[] {
  const withSecrets = input.secrets_backend === 'cloud';
  const main: HclBody = [
    block('locals', [], [
      attr('blob_read', roleGrants('buckets_read', 'layer')),
      attr('blob_write', roleGrants('buckets_write', 'layer')),
      withSecrets && attr('secret_readers', raw('{ for role, id in var.workload_identities : role => id if length(id.secrets) > 0 }')),
    ]),
    block('resource', ['azurerm_user_assigned_identity', 'workload'], [
      attr('for_each', ref('var.workload_identities')),
      attr('name', tpl`${ref('var.name')}-${ref('each.key')}`),
      ...placed(),
      attr('tags', ref('var.tags')),
    ]),
    comment('Only that Kubernetes ServiceAccount, with a token of this cluster\'s OIDC issuer, may sign in as the identity.'),
    block('resource', ['azurerm_federated_identity_credential', 'workload'], [
      attr('for_each', ref('var.workload_identities')),
      attr('name', tpl`${ref('each.value.namespace')}-${ref('each.value.service_account')}`),
      attr('resource_group_name', ref('var.resource_group_name')),
      attr('parent_id', raw('azurerm_user_assigned_identity.workload[each.key].id')),
      attr('audience', ['api://AzureADTokenExchange']),
      attr('issuer', ref('var.oidc_issuer_url')),
      attr('subject', tpl`system:serviceaccount:${ref('each.value.namespace')}:${ref('each.value.service_account')}`),
    ]),
    comment('Data access scoped to exactly the layer containers: Storage Blob Data Reader to read, Contributor to write.'),
    block('resource', ['azurerm_role_assignment', 'blob_read'], [
      attr('for_each', ref('local.blob_read')),
      attr('scope', raw('var.container_ids[each.value.layer]')),
      attr('role_definition_name', 'Storage Blob Data Reader'),
      attr('principal_id', raw('azurerm_user_assigned_identity.workload[each.value.role].principal_id')),
      attr('principal_type', 'ServicePrincipal'),
    ]),
    block('resource', ['azurerm_role_assignment', 'blob_write'], [
      attr('for_each', ref('local.blob_write')),
      attr('scope', raw('var.container_ids[each.value.layer]')),
      attr('role_definition_name', 'Storage Blob Data Contributor'),
      attr('principal_id', raw('azurerm_user_assigned_identity.workload[each.value.role].principal_id')),
      attr('principal_type', 'ServicePrincipal'),
    ]),
    !withSecrets && comment('Secrets live in Vault (secrets_backend = vault): External Secrets reads them through Vault\'s Kubernetes auth,\nso the identities\' `secrets` grant nothing here.'),
    withSecrets &&
      comment('The secrets reader (External Secrets) gets Key Vault Secrets User on the pipeline\'s own vault: the secrets\ndo not exist until an operator sets them, so the vault (which holds only this pipeline\'s secrets) is the scope.'),
    withSecrets &&
      block('resource', ['azurerm_role_assignment', 'secrets_user'], [
        attr('for_each', ref('local.secret_readers')),
        attr('scope', ref('var.key_vault_id')),
        attr('role_definition_name', 'Key Vault Secrets User'),
        attr('principal_id', raw('azurerm_user_assigned_identity.workload[each.key].principal_id')),
        attr('principal_type', 'ServicePrincipal'),
      ]),
  ];
  const variables: (VariableSpec | undefined)[] = [
    prefixVariable('managed identity'),
    location(),
    resourceGroupVariable,
    simpleVariable('oidc_issuer_url', t.string, 'OIDC issuer of the AKS cluster'),
    {
      ...platformVariable('workload_identities'),
      validations: [
        { condition: raw('alltrue([for role in keys(var.workload_identities) : can(regex("^[a-z][a-z0-9-]{0,39}$", role))])'), message: 'identity roles must be lowercase slugs of at most 40 characters.' },
        { condition: raw('alltrue([for id in values(var.workload_identities) : alltrue([for l in concat(id.buckets_read, id.buckets_write) : contains(["raw", "processed", "features", "models"], l)])])'), message: 'buckets_read and buckets_write name data layers: raw, processed, features, models.' },
      ],
    },
    simpleVariable('container_ids', t.mapString, 'Resource Manager id per data layer container (azure-storage)'),
    withSecrets ? simpleVariable('key_vault_id', t.string, 'Key Vault of the pipeline\'s secrets (azure-secrets)') : undefined,
    tagsVariable,
  ];
  return moduleFiles({
    dir: 'azure-identity',
    purpose: 'a user-assigned managed identity per workload identity, federated with its Kubernetes ServiceAccount, and its data and secret roles',
    providers: AZURERM,
    variables: variables.filter((v): v is VariableSpec => v !== undefined),
    main,
    outputs: [
      output('client_ids', 'Client id per identity role', raw('{ for role, id in azurerm_user_assigned_identity.workload : role => id.client_id }')),
      output('annotations', 'Per identity role: the annotation that binds its Kubernetes ServiceAccount', raw('{ for role, id in azurerm_user_assigned_identity.workload : role => { "azure.workload.identity/client-id" = id.client_id } }')),
    ],
  });
}

function secrets(): TerraformFile[] {
  const main: HclBody = [
    block('data', ['azurerm_client_config', 'current'], []),
    comment(
      'The vault only: Azure needs a value to create a secret, and no value may be in the code or the state, so\nTerraform creates NO secret. An operator sets each one out of band (from an allowed network), e.g.\n`az keyvault secret set --vault-name <vault> --name <secret name> --file <file>`, and External Secrets\n(provider azurekv, workload identity auth) finds it by that name (remoteRef.key = <secret name>).\nThe names it expects are the keys of var.secrets (output secret_names).',
    ),
    block('resource', ['azurerm_key_vault', 'this'], [
      attr('name', ref('var.vault_name')),
      ...placed(),
      attr('tenant_id', ref('data.azurerm_client_config.current.tenant_id')),
      attr('sku_name', 'standard'),
      comment('Access through Azure RBAC role assignments (Key Vault Secrets User), not vault access policies.'),
      attr('enable_rbac_authorization', true),
      attr('purge_protection_enabled', true),
      attr('soft_delete_retention_days', ref('var.soft_delete_retention_days')),
      block('network_acls', [], [attr('default_action', 'Deny'), attr('bypass', 'AzureServices'), attr('virtual_network_subnet_ids', ref('var.subnet_ids')), attr('ip_rules', ref('var.allowed_ip_ranges'))]),
      attr('tags', ref('var.tags')),
    ]),
  ];
  return moduleFiles({
    dir: 'azure-secrets',
    purpose: 'Key Vault (RBAC, purge protection, network deny by default) read by External Secrets',
    providers: AZURERM,
    variables: [
      { name: 'vault_name', type: t.string, description: 'Key Vault name (globally unique)', validations: [{ condition: raw('can(regex("^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$", var.vault_name)) && !strcontains(var.vault_name, "--")'), message: 'vault_name must be 3-24 letters, digits and single hyphens, starting with a letter.' }] },
      location(),
      resourceGroupVariable,
      { ...platformVariable('secrets'), validations: [{ condition: raw('alltrue([for k in keys(var.secrets) : can(regex("^[0-9a-zA-Z-]{1,127}$", k))])'), message: 'secret names must be letters, digits and hyphens (Key Vault names).' }] },
      simpleVariable('subnet_ids', t.listString, 'Subnets allowed through the vault firewall (the AKS nodes)'),
      simpleVariable('allowed_ip_ranges', t.listString, 'Public IP ranges allowed through the vault firewall (where operators set the values)', []),
      { name: 'soft_delete_retention_days', type: t.number, description: 'Days a deleted secret stays recoverable', default: 90, validations: [{ condition: raw('var.soft_delete_retention_days >= 7 && var.soft_delete_retention_days <= 90'), message: 'soft_delete_retention_days must be between 7 and 90.' }] },
      tagsVariable,
    ],
    main,
    outputs: [
      output('vault_id', 'Key Vault id', ref('azurerm_key_vault.this.id')),
      output('vault_uri', 'Key Vault URI (the External Secrets vaultUrl)', ref('azurerm_key_vault.this.vault_uri')),
      output('tenant_id', 'Entra ID tenant of the vault', ref('data.azurerm_client_config.current.tenant_id')),
      output('secret_names', 'Names the secrets must be set under', raw('keys(var.secrets)')),
    ],
  });
}

function platform(input: TerraformInput): TerraformFile[] {
  const cloudSecrets = input.secrets_backend === 'cloud';
  const values: Record<PlatformOutput, HclExpression | null> = {
    cluster_name: ref('module.cluster.cluster_name'),
    cluster_endpoint: ref('module.cluster.endpoint'),
    kubeconfig_command: ref('module.cluster.kubeconfig_command'),
    image_registry: ref('module.registry.registry'),
    image_repository_urls: ref('module.registry.repository_urls'),
    bucket_uris: ref('module.storage.bucket_uris'),
    workload_identity_annotations: ref('module.identity.annotations'),
    secret_store: cloudSecrets ? raw('{\n  provider  = "azurekv"\n  vault_url = module.secrets.vault_uri\n  tenant_id = module.secrets.tenant_id\n}') : null,
    rwx_file_system_id: null,
    network: ref('module.network.vnet_id'),
  };
  const main: HclBody = [
    comment(
      `Secrets backend: ${cloudSecrets ? 'Key Vault (External Secrets provider azurekv, workload identity auth)' : 'Vault; secret_store is null here and var.secrets is not used'}.\nThe ReadWriteMany StorageClass (Azure Files) is provisioned by AKS's built-in CSI driver: rwx_file_system_id is\nnull and rwx_file_system needs nothing here. bucket_prefix is not used: on Azure the layers are containers of\none ADLS Gen2 account, named below.`,
    ),
    block('locals', [], [
      attr('prefix', tpl`${ref('var.name')}-${ref('var.environment')}`),
      attr('env_code', ENV_CODE),
      attr('compact', raw('replace(var.name, "-", "")')),
      comment(
        'Globally unique names with tight limits. prod: exactly the names the manifests use (<name without hyphens,\nfirst 20>lake and <name without hyphens>acr); dev and staging insert their code (dev, stg) and stay within\nthe limits (storage account 24, registry 50, Key Vault 24 characters).',
      ),
      attr('storage_account_name', raw('var.environment == "prod" ? "${substr(local.compact, 0, 20)}lake" : "${substr(local.compact, 0, 17)}${local.env_code}lake"')),
      attr('registry_name', raw('var.environment == "prod" ? "${substr(local.compact, 0, 40)}acr" : "${substr(local.compact, 0, 40)}${local.env_code}acr"')),
      attr('key_vault_name', raw('format("%s-%s-kv", trimsuffix(substr(replace(var.name, "/-+/", "-"), 0, 17), "-"), local.env_code)')),
    ]),
    comment('One resource group per pipeline and environment holds everything but the AKS node resources.'),
    block('resource', ['azurerm_resource_group', 'this'], [attr('name', tpl`${ref('local.prefix')}-rg`), attr('location', ref('var.region')), attr('tags', ref('var.tags'))]),
    moduleCall('network', '../azure-network', { name: ref('local.prefix'), location: ref('azurerm_resource_group.this.location'), resource_group_name: ref('azurerm_resource_group.this.name'), network_cidr: ref('var.network_cidr'), tags: ref('var.tags') }),
    moduleCall('cluster', '../azure-cluster', {
      name: ref('local.prefix'),
      location: ref('azurerm_resource_group.this.location'),
      resource_group_name: ref('azurerm_resource_group.this.name'),
      kubernetes_version: ref('var.kubernetes_version'),
      subnet_id: ref('module.network.subnet_id'),
      node_pools: ref('var.node_pools'),
      tags: ref('var.tags'),
    }),
    moduleCall('storage', '../azure-storage', {
      account_name: ref('local.storage_account_name'),
      location: ref('azurerm_resource_group.this.location'),
      resource_group_name: ref('azurerm_resource_group.this.name'),
      buckets: ref('var.buckets'),
      subnet_ids: [ref('module.network.subnet_id')],
      tags: ref('var.tags'),
    }),
    moduleCall('registry', '../azure-registry', {
      registry_name: ref('local.registry_name'),
      location: ref('azurerm_resource_group.this.location'),
      resource_group_name: ref('azurerm_resource_group.this.name'),
      path_prefix: ref('var.name'),
      image_repositories: ref('var.image_repositories'),
      kubelet_object_id: ref('module.cluster.kubelet_object_id'),
      tags: ref('var.tags'),
    }),
    cloudSecrets
      ? moduleCall('secrets', '../azure-secrets', {
          vault_name: ref('local.key_vault_name'),
          location: ref('azurerm_resource_group.this.location'),
          resource_group_name: ref('azurerm_resource_group.this.name'),
          secrets: ref('var.secrets'),
          subnet_ids: [ref('module.network.subnet_id')],
          tags: ref('var.tags'),
        })
      : comment('Secrets live in Vault (secrets_backend = vault): no Key Vault here.'),
    moduleCall('identity', '../azure-identity', {
      name: ref('local.prefix'),
      location: ref('azurerm_resource_group.this.location'),
      resource_group_name: ref('azurerm_resource_group.this.name'),
      oidc_issuer_url: ref('module.cluster.oidc_issuer_url'),
      workload_identities: ref('var.workload_identities'),
      container_ids: ref('module.storage.container_ids'),
      ...(cloudSecrets ? { key_vault_id: ref('module.secrets.vault_id') } : {}),
      tags: ref('var.tags'),
    }),
  ];
  return moduleFiles({
    dir: 'platform-azure',
    purpose: 'the resource group and every Azure component behind the platform interface shared by all clouds',
    providers: AZURERM,
    variables: platformVariables(),
    main,
    outputs: platformOutputs(values),
  });
}

/** modules/azure-<component>/ and modules/platform-azure/ (PLATFORM_VARIABLES in, PLATFORM_OUTPUTS out). */
export function azureModules(input: TerraformInput): TerraformFile[] {
  return [...network(), ...cluster(input), ...storage(), ...registry(), ...identity(input), ...(input.secrets_backend === 'cloud' ? secrets() : []), ...platform(input)];
}
