/**
 * The contract between the Terraform generator and the rest of the bundle.
 *
 * Layout (under TERRAFORM_ROOT):
 *   modules/<cloud>-<component>/{versions,variables,main,outputs}.tf   one component of one cloud
 *   modules/platform-<cloud>/{versions,variables,main,outputs}.tf      every component of a cloud behind ONE
 *                                                                       interface: PLATFORM_VARIABLES in,
 *                                                                       PLATFORM_OUTPUTS out, the same for
 *                                                                       aws, gcp and azure
 *   envs/<env>/{versions,providers,variables,main,outputs}.tf + terraform.tfvars
 *                                                                       a root per environment with its own
 *                                                                       remote state; calls platform-<cloud>
 *                                                                       (multi-cloud: platform-aws and
 *                                                                       platform-gcp, plus the shared DNS zone)
 *
 * The env root's output `helm_values` is an object shaped like the Helm chart's values: the chart's
 * `images.<key>.repository` and `infrastructure.<key>` (see InfraValue). `terraform output -json helm_values`
 * is passed to `helm upgrade -f`, and a test proves every leaf it sets exists in the chart's values.yaml.
 */
import type { Environment } from '../kubernetes/parameters.js';

export const TERRAFORM_ROOT = 'infra/terraform';

export type Cloud = 'aws' | 'gcp' | 'azure';
export type CloudOption = Cloud | 'multi-cloud';

/** The data layers that get a bucket (S3, GCS) or container (ADLS Gen2); names come from objectStoreUri. */
// monitoring: the prediction log, label joins and drift/quality reports the observability jobs read and write.
export const DATA_LAYERS = ['raw', 'processed', 'features', 'models', 'monitoring'] as const;
export type DataLayer = (typeof DATA_LAYERS)[number];

export interface BucketPlan {
  layer: DataLayer;
  /** Objects older than this are deleted (raw/processed/features from the retention spec); null keeps them (models). */
  retention_days: number | null;
  /** Days after which objects move to the infrequent-access tier (S3 STANDARD_IA, GCS NEARLINE, Azure cool). */
  cool_after_days: number | null;
  versioned: boolean;
}

/** One node pool, cloud-neutral except for the machine type, which the phase picks per cloud. */
export interface NodePoolPlan {
  /** Short key: serving, training, batch, gpu… (becomes part of resource names). */
  key: string;
  /** Which workloads it is for (priority classes / affinities in the manifests). */
  workload: 'system' | 'serving' | 'training' | 'batch' | 'gpu-training' | 'gpu-serving';
  machine_type: string;
  vcpu_per_node: number;
  memory_gib_per_node: number;
  min_nodes: number;
  max_nodes: number;
  spot: boolean;
  gpus_per_node: number;
  /** Cloud GPU type (e.g. nvidia-tesla-t4 on GKE) or '' for CPU pools. */
  gpu_type: string;
  /** Kubernetes taints `key=value:NoSchedule` the pool carries (spot on GKE, nvidia.com/gpu on GPU pools). */
  taints: { key: string; value: string; effect: 'NoSchedule' }[];
  labels: Record<string, string>;
}

/** A Kubernetes ServiceAccount that gets a cloud identity (IRSA role, Google service account, Azure managed identity). */
export interface WorkloadIdentityPlan {
  /** serving, training, batch, stream, external-secrets… */
  role: string;
  namespace: string;
  service_account: string;
  buckets_read: DataLayer[];
  buckets_write: DataLayer[];
  /** Secret names (SecretPlan.name) it may read: only the External Secrets identity reads secrets. */
  secrets: string[];
  /** Whether it pushes/pulls images beyond the node's pull access (CI uses its own identity; none today). */
  registry_push: boolean;
}

/** A secret container created by Terraform WITHOUT a value; values are written out of band (see the runbook). */
export interface SecretPlan {
  /** Name in the backend: SECRET_NAME(spec name, item). */
  name: string;
  keys: string[];
  description: string;
}

/**
 * A value the plain manifests carry as a placeholder and Terraform knows for real (an IAM role ARN, a
 * Google service account e-mail, a managed identity client id, a file system id). The Helm chart binds the
 * placeholder to `infrastructure.<key>`, and the env root's `helm_values` output sets the same key.
 */
export interface InfraValue {
  key: string;
  placeholder: string;
  description: string;
  /**
   * Where Terraform reads it: a PLATFORM_OUTPUTS output of one cloud's platform module and the map key(s) inside
   * it, or a variable of the env roots for what no cloud resource knows (the address of an existing Vault).
   */
  source: { cloud: Cloud; output: PlatformOutput; path: readonly string[] } | { variable: string };
}

export interface TerraformInput {
  /** spec.name: a slug of at most 40 characters. */
  name: string;
  cloud: CloudOption;
  /** Cost allocation tags/labels on every resource: team, pipeline, environment, managed-by, cost-center. */
  owner: string;
  environments: readonly Environment[];
  /** Default region per cloud (a tfvars value the user edits). */
  regions: Partial<Record<Cloud, string>>;
  kubernetes_version: string;
  buckets: BucketPlan[];
  /** Repository names in the registry, by image key of the Helm values (server, jobs). */
  image_repositories: Record<string, string>;
  node_pools: Partial<Record<Cloud, NodePoolPlan[]>>;
  /** Lowest spot share of interruptible capacity the node pools must give (slo.min_spot_pct). */
  min_spot_pct: number;
  identities: WorkloadIdentityPlan[];
  secrets: SecretPlan[];
  secrets_backend: 'cloud' | 'vault';
  /** Placeholders in the manifests that the env roots' helm_values output replaces. */
  infra_values: InfraValue[];
  /** A ReadWriteMany file system for shared training data (EFS on AWS; Filestore/Azure Files need no Terraform id). */
  rwx_file_system: boolean;
}

/** Variables of every platform-<cloud> module: the one module interface all clouds implement. */
export const PLATFORM_VARIABLES = [
  'name',
  'environment',
  'region',
  'tags',
  'network_cidr',
  'kubernetes_version',
  'node_pools',
  'bucket_prefix',
  'buckets',
  'image_repositories',
  'workload_identities',
  'secrets',
  'rwx_file_system',
] as const;

/** Outputs of every platform-<cloud> module. Maps are keyed like their inputs (layer, image key, identity role). */
export const PLATFORM_OUTPUTS = [
  'cluster_name',
  'cluster_endpoint',
  'kubeconfig_command',
  'image_registry',
  'image_repository_urls',
  'bucket_uris',
  /** role → { annotation key → value } to put on the role's Kubernetes ServiceAccount. */
  'workload_identity_annotations',
  /** The External Secrets provider settings of the cloud (region / project id / vault url). */
  'secret_store',
  /** EFS file system id on AWS, null elsewhere. */
  'rwx_file_system_id',
  /** The cluster's network: VPC id on AWS, VNet id on Azure, VPC name on GCP (what Filestore's StorageClass names). */
  'network',
] as const;
export type PlatformOutput = (typeof PLATFORM_OUTPUTS)[number];

/** Name of a secret in the backend. Slashes group them per pipeline in AWS Secrets Manager and Vault. */
export function secretName(cloud: Cloud | 'vault', pipeline: string, item: string): string {
  return cloud === 'aws' || cloud === 'vault' ? `${pipeline}/${item}` : `${pipeline}-${item}`;
}

export interface TerraformFile {
  path: string;
  content: string;
}
