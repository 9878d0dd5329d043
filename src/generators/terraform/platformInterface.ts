import { raw, type HclBlock, type HclValue } from '../serializers/hcl.js';
import { output, type VariableSpec } from './blocks.js';
import { PLATFORM_OUTPUTS, PLATFORM_VARIABLES, type PlatformOutput } from './types.js';

/**
 * The variables of every modules/platform-<cloud>: the one interface the clouds implement, so that an env
 * root (and multi-cloud, which calls two of them) passes the same inputs whatever the cloud. Each cloud's
 * platform module declares exactly these (platformVariables()) and outputs exactly PLATFORM_OUTPUTS.
 */
export function platformVariables(): VariableSpec[] {
  const specs: VariableSpec[] = [
    {
      name: 'name',
      type: raw('string'),
      description: 'Pipeline name (a slug); prefixes every resource name',
      validations: [{ condition: raw('can(regex("^[a-z][a-z0-9-]{0,39}$", var.name))'), message: 'name must be a lowercase slug of at most 40 characters starting with a letter.' }],
    },
    {
      name: 'environment',
      type: raw('string'),
      description: 'Environment this stack serves',
      validations: [{ condition: raw('contains(["dev", "staging", "prod"], var.environment)'), message: 'environment must be dev, staging or prod.' }],
    },
    { name: 'region', type: raw('string'), description: 'Cloud region of the cluster, buckets and registry', validations: [{ condition: raw('can(regex("^[a-z0-9-]+$", var.region))'), message: 'region must be a cloud region name such as us-east-1, us-central1 or eastus.' }] },
    { name: 'tags', type: raw('map(string)'), description: 'Cost-allocation tags (labels on GCP) put on every resource' },
    { name: 'network_cidr', type: raw('string'), description: 'Address space of the VPC / VNet', validations: [{ condition: raw('can(cidrhost(var.network_cidr, 0))'), message: 'network_cidr must be an IPv4 CIDR block such as 10.40.0.0/16.' }] },
    { name: 'kubernetes_version', type: raw('string'), description: 'Kubernetes minor version of the cluster', validations: [{ condition: raw('can(regex("^1\\\\.[0-9]+$", var.kubernetes_version))'), message: 'kubernetes_version must look like 1.31.' }] },
    {
      name: 'node_pools',
      type: raw(
        'map(object({\n  workload      = string\n  machine_type  = string\n  min_nodes     = number\n  max_nodes     = number\n  spot          = bool\n  gpus_per_node = number\n  gpu_type      = string\n  taints        = list(object({ key = string, value = string, effect = string }))\n  labels        = map(string)\n}))',
      ),
      description: 'Node pools by key: machine type, autoscaling bounds, spot or on-demand, GPUs, taints and labels',
      validations: [
        { condition: raw('alltrue([for p in values(var.node_pools) : p.min_nodes >= 0 && p.min_nodes <= p.max_nodes])'), message: 'every node pool needs 0 <= min_nodes <= max_nodes.' },
        { condition: raw('alltrue([for p in values(var.node_pools) : p.gpus_per_node == 0 || p.gpu_type != ""])'), message: 'a node pool with GPUs must name its gpu_type.' },
      ],
    },
    { name: 'bucket_prefix', type: raw('string'), description: 'Prefix of the data bucket names (<prefix>-<layer>); globally unique names', validations: [{ condition: raw('can(regex("^[a-z0-9][a-z0-9-]{1,45}$", var.bucket_prefix))'), message: 'bucket_prefix must be lowercase letters, digits and hyphens (at most 46 characters).' }] },
    {
      name: 'buckets',
      type: raw('map(object({\n  retention_days  = number\n  cool_after_days = number\n  versioned       = bool\n}))'),
      description: 'Data layers (raw, processed, features, models): retention in days (null keeps objects), days before the cool tier (null: never), versioning',
      validations: [{ condition: raw('alltrue([for b in values(var.buckets) : b.retention_days == null || b.retention_days >= 1])'), message: 'retention_days must be null or at least 1.' }],
    },
    { name: 'image_repositories', type: raw('map(string)'), description: 'Container image repositories by image key (server, jobs) → repository name' },
    {
      name: 'workload_identities',
      type: raw('map(object({\n  namespace       = string\n  service_account = string\n  buckets_read    = list(string)\n  buckets_write   = list(string)\n  secrets         = list(string)\n}))'),
      description: 'Cloud identities of Kubernetes ServiceAccounts by role: data layers they read and write, secrets they read',
    },
    { name: 'secrets', type: raw('map(object({\n  description = string\n  keys        = list(string)\n}))'), description: 'Secret containers created without a value (values are written out of band), by name' },
    { name: 'rwx_file_system', type: raw('bool'), description: 'Create a ReadWriteMany file system for shared training data (EFS on AWS)', default: false },
  ];
  const names = specs.map((s) => s.name);
  if (names.join() !== PLATFORM_VARIABLES.join()) throw new Error('platformVariables() out of step with PLATFORM_VARIABLES');
  return specs;
}

/** What each PLATFORM_OUTPUTS output holds (descriptions shared by every cloud). */
export const PLATFORM_OUTPUT_DESCRIPTIONS: Record<PlatformOutput, string> = {
  cluster_name: 'Name of the Kubernetes cluster',
  cluster_endpoint: 'API server endpoint of the cluster',
  kubeconfig_command: 'Command that writes a kubeconfig entry for the cluster',
  image_registry: 'Registry host and path prefix the images are pushed to',
  image_repository_urls: 'Full repository URL per image key (the Helm values images.<key>.repository)',
  bucket_uris: 'URI per data layer (s3://, gs://, abfss://)',
  workload_identity_annotations: 'Per identity role: the annotations to put on its Kubernetes ServiceAccount',
  secret_store: 'External Secrets provider settings of this cloud',
  rwx_file_system_id: 'Id of the ReadWriteMany file system (EFS), or null where the StorageClass needs none',
  network: "The cluster's network: the VPC id on AWS, the VNet id on Azure, the VPC name on GCP (the Filestore StorageClass parameter)",
};

/** The output blocks of a platform-<cloud> module: every PLATFORM_OUTPUTS entry (the type demands all), in order. */
export function platformOutputs(values: Record<PlatformOutput, HclValue>): HclBlock[] {
  return PLATFORM_OUTPUTS.map((name) => output(name, PLATFORM_OUTPUT_DESCRIPTIONS[name], values[name]));
}
