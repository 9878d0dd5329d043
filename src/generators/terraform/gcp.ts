import { attr, block, call, comment, raw, ref, tpl, type HclBody } from '../serializers/hcl.js';
import { moduleCall, output, t, type VariableSpec } from './blocks.js';
import { moduleFiles } from './moduleFiles.js';
import { ENV_CODE, GPU_TAINT, nodePoolKeyValidation, platformVariable, registryOutputs, roleGrants, simpleVariable, TAINT_EFFECTS_GKE, taintLiteral } from './gcpAzureShared.js';
import { platformOutputs, platformVariables } from './platformInterface.js';
import type { PlatformOutput, TerraformFile, TerraformInput } from './types.js';

/**
 * Terraform for GCP: modules/gcp-<component>/ and modules/platform-gcp/, which composes them behind the one
 * platform interface (PLATFORM_VARIABLES in, PLATFORM_OUTPUTS out).
 *
 * The platform interface has no project variable: every module uses the google provider's project, read with
 * `data "google_client_config"`, so one env root = one provider block = one project.
 */

const GOOGLE = ['google'] as const;
const SPOT_TAINT_GKE = { key: 'cloud.google.com/gke-spot', value: 'true', effect: 'NoSchedule' } as const;

/** GCP label rules: keys start with a lowercase letter; keys and values are lowercase letters, digits, _ and -, at most 63 characters. */
const labelsVariable: VariableSpec = {
  name: 'labels',
  type: t.mapString,
  description: 'Cost-allocation labels put on every resource that takes labels (GCP label rules: lowercase, at most 63 characters)',
  validations: [
    {
      condition: raw('alltrue([for k, v in var.labels : can(regex("^[a-z][a-z0-9_-]{0,62}$", k)) && can(regex("^[a-z0-9_-]{0,63}$", v))])'),
      message: 'labels need lowercase keys starting with a letter and lowercase values, letters, digits, _ and - only, at most 63 characters.',
    },
  ],
};

const regionVariable: VariableSpec = platformVariable('region', 'GCP region (regional cluster, buckets and registry)');

const projectData = block('data', ['google_client_config', 'current'], []);
const projectComment = comment('The project is the google provider\'s (the platform interface has no project variable): one env root, one project.');

function network(): TerraformFile[] {
  const main: HclBody = [
    comment('Address plan inside var.network_cidr (a /16 gives: nodes /20, services /20, pods /17 = 32768 pod IPs,\nwhich at GKE\'s /24 per node (110 pods) is 128 nodes).'),
    block('locals', [], [
      attr('nodes_cidr', call('cidrsubnet', ref('var.network_cidr'), 4, 0)),
      attr('services_cidr', call('cidrsubnet', ref('var.network_cidr'), 4, 1)),
      attr('pods_cidr', call('cidrsubnet', ref('var.network_cidr'), 1, 1)),
    ]),
    block('resource', ['google_compute_network', 'this'], [
      attr('name', tpl`${ref('var.name')}-vpc`),
      attr('auto_create_subnetworks', false),
      attr('routing_mode', 'REGIONAL'),
    ]),
    block('resource', ['google_compute_subnetwork', 'nodes'], [
      attr('name', tpl`${ref('var.name')}-nodes`),
      attr('region', ref('var.region')),
      attr('network', ref('google_compute_network.this.id')),
      attr('ip_cidr_range', ref('local.nodes_cidr')),
      comment('Nodes are private: Google APIs (GCS, Artifact Registry, Secret Manager) are reached without a public IP.'),
      attr('private_ip_google_access', true),
      block('secondary_ip_range', [], [attr('range_name', 'pods'), attr('ip_cidr_range', ref('local.pods_cidr'))]),
      block('secondary_ip_range', [], [attr('range_name', 'services'), attr('ip_cidr_range', ref('local.services_cidr'))]),
    ]),
    comment('Cloud NAT: egress for private nodes (pulling third-party images, pip mirrors) without public node IPs.'),
    block('resource', ['google_compute_router', 'this'], [
      attr('name', tpl`${ref('var.name')}-router`),
      attr('region', ref('var.region')),
      attr('network', ref('google_compute_network.this.id')),
    ]),
    block('resource', ['google_compute_router_nat', 'this'], [
      attr('name', tpl`${ref('var.name')}-nat`),
      attr('router', ref('google_compute_router.this.name')),
      attr('region', ref('var.region')),
      attr('nat_ip_allocate_option', 'AUTO_ONLY'),
      attr('source_subnetwork_ip_ranges_to_nat', 'ALL_SUBNETWORKS_ALL_IP_RANGES'),
      block('log_config', [], [attr('enable', true), attr('filter', 'ERRORS_ONLY')]),
    ]),
  ];
  return moduleFiles({
    dir: 'gcp-network',
    purpose: 'VPC, node subnet with secondary ranges for pods and services, Cloud Router + NAT',
    providers: GOOGLE,
    variables: [
      { name: 'name', type: t.string, description: 'Prefix of the network resource names (<name>-vpc, <name>-nodes…)', validations: [{ condition: raw('can(regex("^[a-z][a-z0-9-]{0,50}$", var.name))'), message: 'name must be a lowercase slug of at most 51 characters.' }] },
      regionVariable,
      {
        ...platformVariable('network_cidr'),
        validations: [
          ...(platformVariable('network_cidr').validations ?? []),
          { condition: raw('can(cidrhost(var.network_cidr, 0)) && tonumber(split("/", var.network_cidr)[1]) <= 16'), message: 'network_cidr must be a /16 or larger: the pod range alone takes half of it.' },
        ],
      },
    ],
    main,
    outputs: [
      output('network_id', 'Id of the VPC', ref('google_compute_network.this.id')),
      output('network_name', 'Name of the VPC (the Filestore StorageClass `network` parameter)', ref('google_compute_network.this.name')),
      output('subnetwork_id', 'Id of the node subnet', ref('google_compute_subnetwork.nodes.id')),
      output('pods_range_name', 'Secondary range of the pods', 'pods'),
      output('services_range_name', 'Secondary range of the Services', 'services'),
    ],
  });
}

function cluster(input: TerraformInput): TerraformFile[] {
  const pools = input.node_pools.gcp ?? [];
  const hasGpu = pools.some((p) => p.gpus_per_node > 0);
  const defaults = [`p.spot ? { "${SPOT_TAINT_GKE.key}" = ${taintLiteral(SPOT_TAINT_GKE)} } : {}`];
  if (hasGpu) defaults.push(`p.gpus_per_node > 0 ? { "${GPU_TAINT.key}" = ${taintLiteral(GPU_TAINT)} } : {}`);
  const nodeConfig: HclBody = [
    attr('machine_type', ref('each.value.machine_type')),
    attr('spot', ref('each.value.spot')),
    attr('service_account', ref('google_service_account.nodes.email')),
    attr('oauth_scopes', ['https://www.googleapis.com/auth/cloud-platform']),
    comment('Kubernetes labels of the pool; GKE sets its own cloud.google.com/* labels (gke-spot, gke-nodepool) and refuses ours.'),
    attr('labels', raw('{ for k, v in each.value.labels : k => v if !startswith(k, "cloud.google.com/") }')),
    comment('Labels of the VMs: cost allocation per pool and workload in the billing export.'),
    attr('resource_labels', call('merge', ref('var.labels'), { node_pool: ref('each.key'), workload: raw('replace(each.value.workload, "/[^a-z0-9_-]/", "_")') })),
    block('workload_metadata_config', [], [attr('mode', 'GKE_METADATA')]),
    block('shielded_instance_config', [], [attr('enable_secure_boot', true), attr('enable_integrity_monitoring', true)]),
    block('dynamic', ['taint'], [
      attr('for_each', raw('local.pool_taints[each.key]')),
      block('content', [], [attr('key', ref('taint.value.key')), attr('value', ref('taint.value.value')), attr('effect', raw('local.taint_effects[taint.value.effect]'))]),
    ]),
    hasGpu &&
      block('dynamic', ['guest_accelerator'], [
        attr('for_each', raw('each.value.gpus_per_node > 0 ? [each.value] : []')),
        block('content', [], [
          attr('type', ref('guest_accelerator.value.gpu_type')),
          attr('count', ref('guest_accelerator.value.gpus_per_node')),
          comment('GKE installs the NVIDIA driver and device plugin itself.'),
          block('gpu_driver_installation_config', [], [attr('gpu_driver_version', 'DEFAULT')]),
        ]),
      ]),
  ];
  const main: HclBody = [
    projectComment,
    projectData,
    block('data', ['google_container_engine_versions', 'this'], [attr('location', ref('var.region')), attr('version_prefix', tpl`${ref('var.kubernetes_version')}.`)]),
    block('locals', [], [
      attr('project', ref('data.google_client_config.current.project')),
      attr('taint_effects', TAINT_EFFECTS_GKE),
      comment(
        `Spot pools carry GKE's spot taint (${SPOT_TAINT_GKE.key}=${SPOT_TAINT_GKE.value}:${SPOT_TAINT_GKE.effect}) so that only workloads that tolerate\ninterruption land there${hasGpu ? `, GPU pools the ${GPU_TAINT.key} taint` : ''}; a taint of the input with the same key replaces the default.`,
      ),
      attr('pool_taints', raw(`{
  for k, p in var.node_pools : k => values(merge(
    ${defaults.join(',\n    ')},
    { for t in p.taints : t.key => t },
  ))
}`)),
    ]),
    comment('Nodes run as their own service account with the one role GKE needs (logs, metrics, metadata), not the\nCompute Engine default account (Editor). Image pulls are granted on the Artifact Registry repository only.'),
    block('resource', ['google_service_account', 'nodes'], [
      comment('6-30 characters: the cluster name cut to 14, then a hash of the whole name so that environments never collide.'),
      attr('account_id', raw('format("%s-%s-nodes", trimsuffix(substr(var.name, 0, 14), "-"), substr(sha1(var.name), 0, 8))')),
      attr('display_name', tpl`GKE nodes of ${ref('var.name')}`),
    ]),
    block('resource', ['google_project_iam_member', 'nodes'], [
      attr('project', ref('local.project')),
      attr('role', 'roles/container.defaultNodeServiceAccount'),
      attr('member', tpl`serviceAccount:${ref('google_service_account.nodes.email')}`),
    ]),
    block('resource', ['google_container_cluster', 'this'], [
      attr('name', ref('var.name')),
      comment('Regional: the control plane and every node pool span the region\'s zones.'),
      attr('location', ref('var.region')),
      attr('network', ref('var.network_id')),
      attr('subnetwork', ref('var.subnetwork_id')),
      attr('networking_mode', 'VPC_NATIVE'),
      attr('min_master_version', ref('data.google_container_engine_versions.this.latest_master_version')),
      comment('Node pools are managed below; GKE needs a default pool to create the cluster, which is removed at once.'),
      attr('remove_default_node_pool', true),
      attr('initial_node_count', 1),
      attr('deletion_protection', ref('var.deletion_protection')),
      attr('enable_shielded_nodes', true),
      attr('resource_labels', ref('var.labels')),
      block('release_channel', [], [attr('channel', ref('var.release_channel'))]),
      comment('Workload Identity: pods authenticate as Google service accounts through their Kubernetes ServiceAccount.'),
      block('workload_identity_config', [], [attr('workload_pool', tpl`${ref('local.project')}.svc.id.goog`)]),
      block('ip_allocation_policy', [], [attr('cluster_secondary_range_name', ref('var.pods_range_name')), attr('services_secondary_range_name', ref('var.services_range_name'))]),
      block('private_cluster_config', [], [attr('enable_private_nodes', true), attr('enable_private_endpoint', false), attr('master_ipv4_cidr_block', ref('var.master_ipv4_cidr_block'))]),
      block('dynamic', ['master_authorized_networks_config'], [
        attr('for_each', raw('length(var.master_authorized_networks) > 0 ? [1] : []')),
        block('content', [], [
          block('dynamic', ['cidr_blocks'], [
            attr('for_each', ref('var.master_authorized_networks')),
            block('content', [], [attr('cidr_block', ref('cidr_blocks.value.cidr_block')), attr('display_name', ref('cidr_blocks.value.display_name'))]),
          ]),
        ]),
      ]),
      block('addons_config', [], [
        comment('The ReadWriteMany StorageClass provisions Filestore instances through this driver.'),
        block('gcp_filestore_csi_driver_config', [], [attr('enabled', ref('var.filestore_csi_driver'))]),
        block('gce_persistent_disk_csi_driver_config', [], [attr('enabled', true)]),
      ]),
      comment('GKE cost allocation: per namespace and label costs in the billing export.'),
      block('cost_management_config', [], [attr('enabled', true)]),
    ]),
    block('resource', ['google_container_node_pool', 'this'], [
      attr('for_each', ref('var.node_pools')),
      attr('name', ref('each.key')),
      attr('cluster', ref('google_container_cluster.this.id')),
      attr('location', ref('var.region')),
      comment('Bounds are totals over the region\'s zones; spot pools may place nodes in any zone with capacity.'),
      block('autoscaling', [], [
        attr('total_min_node_count', ref('each.value.min_nodes')),
        attr('total_max_node_count', ref('each.value.max_nodes')),
        attr('location_policy', raw('each.value.spot ? "ANY" : "BALANCED"')),
      ]),
      block('management', [], [attr('auto_repair', true), attr('auto_upgrade', true)]),
      block('upgrade_settings', [], [attr('max_surge', 1), attr('max_unavailable', 0)]),
      block('node_config', [], nodeConfig),
    ]),
  ];
  const poolsValidations = [...(platformVariable('node_pools').validations ?? []), nodePoolKeyValidation('^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$', 'node pool keys become GKE node pool names: lowercase letters, digits and hyphens, at most 40 characters.')];
  return moduleFiles({
    dir: 'gcp-cluster',
    purpose: 'regional private GKE with Workload Identity, a release channel and one node pool per input pool (Spot pools tainted, GPU pools with accelerators)',
    providers: GOOGLE,
    variables: [
      { name: 'name', type: t.string, description: 'Cluster name', validations: [{ condition: raw('can(regex("^[a-z][a-z0-9-]{0,39}$", var.name))'), message: 'name must be a lowercase slug of at most 40 characters (GKE cluster names).' }] },
      regionVariable,
      platformVariable('kubernetes_version'),
      simpleVariable('network_id', t.string, 'Id of the VPC (gcp-network)'),
      simpleVariable('subnetwork_id', t.string, 'Id of the node subnet (gcp-network)'),
      simpleVariable('pods_range_name', t.string, 'Secondary range of the pods'),
      simpleVariable('services_range_name', t.string, 'Secondary range of the Services'),
      { ...platformVariable('node_pools'), validations: poolsValidations },
      labelsVariable,
      {
        name: 'release_channel',
        type: t.string,
        description: 'GKE release channel: REGULAR gets versions after they are proven on RAPID, STABLE after REGULAR',
        default: 'REGULAR',
        validations: [{ condition: raw('contains(["RAPID", "REGULAR", "STABLE"], var.release_channel)'), message: 'release_channel must be RAPID, REGULAR or STABLE.' }],
      },
      {
        name: 'master_ipv4_cidr_block',
        type: t.string,
        description: 'The /28 of the control plane\'s private endpoint; must not overlap the VPC ranges',
        default: '172.16.0.0/28',
        validations: [{ condition: raw('can(cidrhost(var.master_ipv4_cidr_block, 0)) && endswith(var.master_ipv4_cidr_block, "/28")'), message: 'master_ipv4_cidr_block must be a /28.' }],
      },
      {
        name: 'master_authorized_networks',
        type: t.of('list(object({ cidr_block = string, display_name = string }))'),
        description: 'CIDR blocks allowed to reach the public control plane endpoint (empty: any address, authenticated by Google IAM)',
        default: [],
      },
      simpleVariable('filestore_csi_driver', t.bool, 'Enable the Filestore CSI driver (the ReadWriteMany StorageClass)', false),
      simpleVariable('deletion_protection', t.bool, 'Refuse `terraform destroy` of the cluster', true),
    ],
    main,
    outputs: [
      output('cluster_name', 'Name of the GKE cluster', ref('google_container_cluster.this.name')),
      output('endpoint', 'API server endpoint', tpl`https://${ref('google_container_cluster.this.endpoint')}`),
      output('workload_pool', 'Workload Identity pool of the cluster', tpl`${ref('local.project')}.svc.id.goog`),
      output('project', 'Project of the cluster', ref('local.project')),
      output('node_service_account_email', 'Service account of the nodes (granted image pulls on the registry)', ref('google_service_account.nodes.email')),
      output('kubeconfig_command', 'Writes a kubeconfig entry for the cluster', tpl`gcloud container clusters get-credentials ${ref('google_container_cluster.this.name')} --region ${ref('var.region')} --project ${ref('local.project')}`),
    ],
  });
}

function storage(): TerraformFile[] {
  const main: HclBody = [
    comment(
      'One bucket per data layer: uniform bucket-level access (IAM only, no ACLs), public access prevented.\nLifecycle from the retention spec: Delete at retention_days (on a versioned bucket the live object becomes\nnoncurrent, and the next pass deletes it, its age still above the limit); SetStorageClass NEARLINE at cool_after_days.',
    ),
    block('resource', ['google_storage_bucket', 'layer'], [
      attr('for_each', ref('var.buckets')),
      attr('name', tpl`${ref('var.bucket_prefix')}-${ref('each.key')}`),
      attr('location', ref('var.region')),
      attr('storage_class', 'STANDARD'),
      attr('uniform_bucket_level_access', true),
      attr('public_access_prevention', 'enforced'),
      attr('force_destroy', ref('var.force_destroy')),
      attr('labels', call('merge', ref('var.labels'), { data_layer: ref('each.key') })),
      block('versioning', [], [attr('enabled', ref('each.value.versioned'))]),
      block('dynamic', ['lifecycle_rule'], [
        attr(
          'for_each',
          raw(`concat(
  each.value.retention_days == null ? [] : [{ age = each.value.retention_days, type = "Delete", storage_class = null, matches = [] }],
  each.value.cool_after_days == null ? [] : [{ age = each.value.cool_after_days, type = "SetStorageClass", storage_class = "NEARLINE", matches = ["STANDARD"] }],
)`),
        ),
        block('content', [], [
          block('condition', [], [attr('age', ref('lifecycle_rule.value.age')), attr('matches_storage_class', ref('lifecycle_rule.value.matches'))]),
          block('action', [], [attr('type', ref('lifecycle_rule.value.type')), attr('storage_class', ref('lifecycle_rule.value.storage_class'))]),
        ]),
      ]),
    ]),
  ];
  return moduleFiles({
    dir: 'gcp-storage',
    purpose: 'GCS bucket per data layer with lifecycle rules from the retention spec',
    providers: GOOGLE,
    variables: [
      platformVariable('bucket_prefix'),
      regionVariable,
      {
        ...platformVariable('buckets'),
        validations: [
          ...(platformVariable('buckets').validations ?? []),
          { condition: raw('alltrue([for k in keys(var.buckets) : contains(["raw", "processed", "features", "models"], k)])'), message: 'buckets are keyed by data layer: raw, processed, features, models.' },
          { condition: raw('alltrue([for b in values(var.buckets) : b.cool_after_days == null || b.cool_after_days >= 1])'), message: 'cool_after_days must be null or at least 1.' },
        ],
      },
      labelsVariable,
      simpleVariable('force_destroy', t.bool, 'Let `terraform destroy` delete non-empty buckets (never for prod data)', false),
    ],
    main,
    outputs: [
      output('bucket_names', 'Bucket name per data layer', raw('{ for k, b in google_storage_bucket.layer : k => b.name }')),
      output('bucket_uris', 'gs:// URI per data layer', raw('{ for k, b in google_storage_bucket.layer : k => "gs://${b.name}" }')),
    ],
  });
}

function registry(): TerraformFile[] {
  const main: HclBody = [
    projectComment,
    projectData,
    block('locals', [], [attr('registry', tpl`${ref('var.region')}-docker.pkg.dev/${ref('data.google_client_config.current.project')}/${ref('google_artifact_registry_repository.this.repository_id')}`)]),
    comment('Images are tagged with the commit SHA they were built from: tags are immutable. Cleanup: untagged\nmanifests (superseded layers of multi-arch pushes, failed builds) are deleted; the most recent versions are always kept.'),
    block('resource', ['google_artifact_registry_repository', 'this'], [
      attr('repository_id', ref('var.repository_id')),
      attr('location', ref('var.region')),
      attr('format', 'DOCKER'),
      attr('description', tpl`Container images of ${ref('var.repository_id')}`),
      attr('labels', ref('var.labels')),
      block('docker_config', [], [attr('immutable_tags', true)]),
      attr('cleanup_policy_dry_run', false),
      block('cleanup_policies', [], [
        attr('id', 'delete-untagged'),
        attr('action', 'DELETE'),
        block('condition', [], [attr('tag_state', 'UNTAGGED'), attr('older_than', tpl`${raw('var.untagged_retention_days * 86400')}s`)]),
      ]),
      block('cleanup_policies', [], [attr('id', 'keep-recent'), attr('action', 'KEEP'), block('most_recent_versions', [], [attr('keep_count', ref('var.keep_recent_versions'))])]),
    ]),
    comment('Nodes pull images with their own service account: reader on this repository only.'),
    block('resource', ['google_artifact_registry_repository_iam_member', 'pull'], [
      attr('for_each', call('toset', ref('var.reader_service_accounts'))),
      attr('location', ref('google_artifact_registry_repository.this.location')),
      attr('repository', ref('google_artifact_registry_repository.this.name')),
      attr('role', 'roles/artifactregistry.reader'),
      attr('member', tpl`serviceAccount:${ref('each.value')}`),
    ]),
  ];
  return moduleFiles({
    dir: 'gcp-registry',
    purpose: 'Artifact Registry Docker repository with a cleanup policy',
    providers: GOOGLE,
    variables: [
      { name: 'repository_id', type: t.string, description: 'Repository id (the last path segment of the registry)', validations: [{ condition: raw('can(regex("^[a-z][a-z0-9-]{0,62}$", var.repository_id))'), message: 'repository_id must be lowercase letters, digits and hyphens, at most 63 characters.' }] },
      regionVariable,
      platformVariable('image_repositories'),
      labelsVariable,
      simpleVariable('reader_service_accounts', t.listString, 'Service account e-mails allowed to pull (the GKE nodes)', []),
      { name: 'untagged_retention_days', type: t.number, description: 'Untagged image versions older than this are deleted', default: 7, validations: [{ condition: raw('var.untagged_retention_days >= 1'), message: 'untagged_retention_days must be at least 1.' }] },
      { name: 'keep_recent_versions', type: t.number, description: 'Most recent versions per image always kept (rollback targets)', default: 20, validations: [{ condition: raw('var.keep_recent_versions >= 1'), message: 'keep_recent_versions must be at least 1.' }] },
    ],
    main,
    outputs: registryOutputs(),
  });
}

function identity(input: TerraformInput): TerraformFile[] {
  const withSecrets = input.secrets_backend === 'cloud';
  const member = 'serviceAccount:${google_service_account.workload[each.value.role].email}';
  const main: HclBody = [
    projectComment,
    projectData,
    block('locals', [], [
      attr('project', ref('data.google_client_config.current.project')),
      comment(
        'Service account ids are 6-30 characters: <name cut to fit>-<env code>-<role>, e.g. fraud-det-prd-external-secrets.\nThe environment code keeps dev, staging and prod apart when they share a project.',
      ),
      attr(
        'account_ids',
        raw(`{
  for role, id in var.workload_identities : role => format("%s-%s-%s", trimsuffix(substr(var.name, 0, 30 - length(role) - 5), "-"), ${ENV_CODE.text}, role)
}`),
      ),
      attr('bucket_read', roleGrants('buckets_read', 'layer')),
      attr('bucket_write', roleGrants('buckets_write', 'layer')),
      withSecrets && attr('secret_read', roleGrants('secrets', 'secret')),
    ]),
    block('resource', ['google_service_account', 'workload'], [
      attr('for_each', ref('var.workload_identities')),
      attr('account_id', raw('local.account_ids[each.key]')),
      attr('display_name', tpl`${ref('each.value.namespace')}/${ref('each.value.service_account')}`),
      attr('description', tpl`Workload Identity of the Kubernetes ServiceAccount ${ref('each.value.namespace')}/${ref('each.value.service_account')} (${ref('var.environment')})`),
    ]),
    comment('Only that Kubernetes ServiceAccount may act as the Google service account.'),
    block('resource', ['google_service_account_iam_member', 'workload_identity_user'], [
      attr('for_each', ref('var.workload_identities')),
      attr('service_account_id', raw('google_service_account.workload[each.key].name')),
      attr('role', 'roles/iam.workloadIdentityUser'),
      attr('member', tpl`serviceAccount:${ref('local.project')}.svc.id.goog[${ref('each.value.namespace')}/${ref('each.value.service_account')}]`),
    ]),
    comment('Data access per layer: objectViewer to read, objectUser (read, write, overwrite, delete objects; no IAM) to write.'),
    block('resource', ['google_storage_bucket_iam_member', 'read'], [
      attr('for_each', ref('local.bucket_read')),
      attr('bucket', raw('var.bucket_names[each.value.layer]')),
      attr('role', 'roles/storage.objectViewer'),
      attr('member', raw(`"${member}"`)),
    ]),
    block('resource', ['google_storage_bucket_iam_member', 'write'], [
      attr('for_each', ref('local.bucket_write')),
      attr('bucket', raw('var.bucket_names[each.value.layer]')),
      attr('role', 'roles/storage.objectUser'),
      attr('member', raw(`"${member}"`)),
    ]),
    withSecrets
      ? comment('Secret access on exactly the secrets the identity reads (External Secrets), not on the project.')
      : comment('Secrets live in Vault (secrets_backend = vault): External Secrets reads them through Vault\'s Kubernetes auth,\nso the identities\' `secrets` grant nothing here.'),
    withSecrets &&
      block('resource', ['google_secret_manager_secret_iam_member', 'read'], [
        attr('for_each', ref('local.secret_read')),
        attr('secret_id', raw('var.secret_ids[each.value.secret]')),
        attr('role', 'roles/secretmanager.secretAccessor'),
        attr('member', raw(`"${member}"`)),
      ]),
  ];
  const workloadIdentities = platformVariable('workload_identities');
  return moduleFiles({
    dir: 'gcp-identity',
    purpose: `a Google service account per workload identity, bound to its Kubernetes ServiceAccount (Workload Identity), with bucket${withSecrets ? ' and secret' : ''} access`,
    providers: GOOGLE,
    variables: [
      platformVariable('name'),
      platformVariable('environment'),
      {
        ...workloadIdentities,
        validations: [
          { condition: raw('alltrue([for role in keys(var.workload_identities) : can(regex("^[a-z][a-z0-9-]{0,19}$", role))])'), message: 'identity roles must be lowercase slugs of at most 20 characters (they end the service account id).' },
          { condition: raw('alltrue([for id in values(var.workload_identities) : alltrue([for l in concat(id.buckets_read, id.buckets_write) : contains(["raw", "processed", "features", "models"], l)])])'), message: 'buckets_read and buckets_write name data layers: raw, processed, features, models.' },
        ],
      },
      simpleVariable('bucket_names', t.mapString, 'Bucket name per data layer (gcp-storage)'),
      withSecrets ? simpleVariable('secret_ids', t.mapString, 'Secret Manager id per secret name (gcp-secrets)') : undefined,
    ].filter((v): v is VariableSpec => v !== undefined),
    main,
    outputs: [
      output('emails', 'Google service account e-mail per identity role', raw('{ for role, sa in google_service_account.workload : role => sa.email }')),
      output('annotations', 'Per identity role: the annotation that binds its Kubernetes ServiceAccount', raw('{ for role, sa in google_service_account.workload : role => { "iam.gke.io/gcp-service-account" = sa.email } }')),
    ],
  });
}

function secrets(): TerraformFile[] {
  const main: HclBody = [
    comment(
      'Secret containers only: Terraform creates NO secret version, so no value is ever in the code or the state.\nAn operator adds each value out of band, e.g. `gcloud secrets versions add <name> --data-file=-`, and\nExternal Secrets (provider gcpsm) reads the latest version by the same name (remoteRef.key = <name>).',
    ),
    block('resource', ['google_secret_manager_secret', 'this'], [
      attr('for_each', ref('var.secrets')),
      attr('secret_id', ref('each.key')),
      attr('labels', ref('var.labels')),
      attr('annotations', { description: ref('each.value.description'), keys: call('join', ',', ref('each.value.keys')) }),
      block('replication', [], [block('auto', [], [])]),
    ]),
  ];
  return moduleFiles({
    dir: 'gcp-secrets',
    purpose: 'Secret Manager secrets (containers without a value) read by External Secrets',
    providers: GOOGLE,
    variables: [
      { ...platformVariable('secrets'), validations: [{ condition: raw('alltrue([for k in keys(var.secrets) : can(regex("^[A-Za-z0-9_-]{1,255}$", k))])'), message: 'secret names must be letters, digits, _ and - (Secret Manager ids).' }] },
      labelsVariable,
    ],
    main,
    outputs: [output('secret_ids', 'Secret Manager id per secret name', raw('{ for k, s in google_secret_manager_secret.this : k => s.id }'))],
  });
}

function platform(input: TerraformInput): TerraformFile[] {
  const cloudSecrets = input.secrets_backend === 'cloud';
  const outputs: Record<PlatformOutput, ReturnType<typeof raw> | null> = {
    cluster_name: ref('module.cluster.cluster_name'),
    cluster_endpoint: ref('module.cluster.endpoint'),
    kubeconfig_command: ref('module.cluster.kubeconfig_command'),
    image_registry: ref('module.registry.registry'),
    image_repository_urls: ref('module.registry.repository_urls'),
    bucket_uris: ref('module.storage.bucket_uris'),
    workload_identity_annotations: ref('module.identity.annotations'),
    secret_store: cloudSecrets ? raw('{\n  provider         = "gcpsm"\n  project_id       = module.cluster.project\n  cluster_name     = module.cluster.cluster_name\n  cluster_location = var.region\n}') : null,
    rwx_file_system_id: null,
    network: ref('module.network.network_name'),
  };
  const main: HclBody = [
    block('locals', [], [
      comment('Resource names carry the environment, so that dev, staging and prod can share a project.'),
      attr('prefix', tpl`${ref('var.name')}-${ref('var.environment')}`),
      comment('GKE cluster names are at most 40 characters: the pipeline name is cut to leave room for the environment.'),
      attr('cluster_name', raw('format("%s-%s", trimsuffix(substr(var.name, 0, 39 - length(var.environment)), "-"), var.environment)')),
      comment('The prod repository is named after the pipeline, as the manifests\' image references expect; others add the environment.'),
      attr('repository_id', raw('var.environment == "prod" ? var.name : "${var.name}-${var.environment}"')),
      comment('GCP labels: lowercase keys and values of letters, digits, _ and -, at most 63 characters; keys start with a letter.'),
      attr(
        'labels',
        raw(`{
  for k, v in var.tags : substr(replace(lower(can(regex("^[a-zA-Z]", k)) ? k : "k-\${k}"), "/[^a-z0-9_-]/", "_"), 0, 63) => substr(replace(lower(v), "/[^a-z0-9_-]/", "_"), 0, 63)
}`),
      ),
    ]),
    moduleCall('network', '../gcp-network', { name: ref('local.prefix'), region: ref('var.region'), network_cidr: ref('var.network_cidr') }),
    moduleCall('cluster', '../gcp-cluster', {
      name: ref('local.cluster_name'),
      region: ref('var.region'),
      kubernetes_version: ref('var.kubernetes_version'),
      network_id: ref('module.network.network_id'),
      subnetwork_id: ref('module.network.subnetwork_id'),
      pods_range_name: ref('module.network.pods_range_name'),
      services_range_name: ref('module.network.services_range_name'),
      node_pools: ref('var.node_pools'),
      labels: ref('local.labels'),
      filestore_csi_driver: ref('var.rwx_file_system'),
    }),
    moduleCall('storage', '../gcp-storage', { bucket_prefix: ref('var.bucket_prefix'), region: ref('var.region'), buckets: ref('var.buckets'), labels: ref('local.labels') }),
    moduleCall('registry', '../gcp-registry', {
      repository_id: ref('local.repository_id'),
      region: ref('var.region'),
      image_repositories: ref('var.image_repositories'),
      labels: ref('local.labels'),
      reader_service_accounts: [ref('module.cluster.node_service_account_email')],
    }),
    cloudSecrets
      ? moduleCall('secrets', '../gcp-secrets', { secrets: ref('var.secrets'), labels: ref('local.labels') })
      : comment('Secrets live in Vault (secrets_backend = vault): var.secrets is not created in Secret Manager here.'),
    comment('The Workload Identity pool exists once the cluster does: the bindings wait for it.'),
    moduleCall(
      'identity',
      '../gcp-identity',
      {
        name: ref('var.name'),
        environment: ref('var.environment'),
        workload_identities: ref('var.workload_identities'),
        bucket_names: ref('module.storage.bucket_names'),
        ...(cloudSecrets ? { secret_ids: ref('module.secrets.secret_ids') } : {}),
      },
      [attr('depends_on', [ref('module.cluster')])],
    ),
  ];
  const outputBlocks = platformOutputs(outputs);
  return moduleFiles({
    dir: 'platform-gcp',
    purpose: 'every GCP component behind the platform interface shared by all clouds',
    providers: GOOGLE,
    variables: platformVariables(),
    main: [
      comment(
        `Secrets backend: ${cloudSecrets ? 'Secret Manager (External Secrets provider gcpsm, Workload Identity auth)' : 'Vault; secret_store is null here and var.secrets is not used'}.\nrwx_file_system enables the Filestore CSI driver (Filestore needs no Terraform-made id: rwx_file_system_id is null).`,
      ),
      ...main,
    ],
    outputs: outputBlocks,
  });
}

/** modules/gcp-<component>/ and modules/platform-gcp/ (PLATFORM_VARIABLES in, PLATFORM_OUTPUTS out). */
export function gcpModules(input: TerraformInput): TerraformFile[] {
  return [...network(), ...cluster(input), ...storage(), ...registry(), ...identity(input), ...(input.secrets_backend === 'cloud' ? secrets() : []), ...platform(input)];
}
