import { secretName, type Cloud, type InfraValue, type WorkloadIdentityPlan } from '../../generators/terraform/types.js';
import { secretsBackendOf, type ResolvedSpec } from '../../spec/resolve.js';
import type { MlopsPlan } from './derive.js';
import { serverDeployed } from './derive.js';

/**
 * Which workloads get a cloud identity, under which ServiceAccount, with which data access. Pods authenticate
 * to buckets, registries and secret backends through these (IRSA, GKE Workload Identity, Azure AD Workload
 * Identity): no static cloud key is ever stored in the cluster or in Git.
 */
export function workloadIdentities(spec: ResolvedSpec, plan: MlopsPlan): WorkloadIdentityPlan[] {
  const ns = plan.namespaces;
  const sa = (role: string) => `${spec.name}-${role}`;
  const out: WorkloadIdentityPlan[] = [];
  // The model server reads the promoted model (init container) and appends to the prediction log (monitoring), nothing else.
  if (serverDeployed(plan.modes)) out.push({ role: 'serving', namespace: ns.serving, service_account: sa('serving'), buckets_read: ['models'], buckets_write: ['monitoring'], secrets: [], registry_push: false });
  out.push({ role: 'training', namespace: ns.training, service_account: sa('training'), buckets_read: ['processed', 'features', 'models'], buckets_write: ['features', 'models'], secrets: [], registry_push: false });
  if (plan.batch) out.push({ role: 'batch', namespace: ns.batch, service_account: sa('batch'), buckets_read: ['features', 'models'], buckets_write: ['processed', 'monitoring'], secrets: [], registry_push: false });
  if (plan.stream) out.push({ role: 'stream', namespace: ns.serving, service_account: sa('stream'), buckets_read: ['models'], buckets_write: ['monitoring'], secrets: [], registry_push: false });
  // The drift, quality and retraining-trigger jobs: the training reference sample, the prediction log and labels; they write reports.
  out.push({ role: 'monitoring', namespace: ns.monitoring, service_account: sa('monitoring'), buckets_read: ['features', 'monitoring'], buckets_write: ['monitoring'], secrets: [], registry_push: false });
  // External Secrets Operator reads the pipeline's secrets through one identity, used by a ClusterSecretStore
  // that only our namespaces may use.
  out.push({ role: 'external-secrets', namespace: ns.serving, service_account: sa('external-secrets'), buckets_read: [], buckets_write: [], secrets: plan.secrets.map((s) => s.name), registry_push: false });
  return out;
}

/** What the AWS ReadWriteMany StorageClass carries until Terraform's EFS file system id replaces it. */
export const RWX_FILE_SYSTEM_PLACEHOLDER = 'fs-terraform-output';

/** What the GKE Filestore StorageClass names as its network until Terraform's VPC name replaces it. */
export function gcpNetworkPlaceholder(spec: ResolvedSpec): string {
  return `${spec.name}-vpc`;
}

/** Clouds whose ReadWriteMany StorageClass needs a Terraform-made file system (EFS); Filestore and Azure Files provision on demand. */
export const RWX_FILE_SYSTEM_CLOUDS: readonly string[] = ['aws', 'multi-cloud'];

/** The clouds whose clusters run the workloads (multi-cloud: both). */
export function clustersOf(spec: ResolvedSpec): Cloud[] {
  return spec.options.cloud_provider === 'multi-cloud' ? ['aws', 'gcp'] : [spec.options.cloud_provider];
}

/** The ServiceAccount annotation that binds a pod to its cloud identity, per cloud. */
export const IDENTITY_ANNOTATION: Record<Cloud, string> = {
  aws: 'eks.amazonaws.com/role-arn',
  gcp: 'iam.gke.io/gcp-service-account',
  azure: 'azure.workload.identity/client-id',
};

function camel(words: string): string {
  return words
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((p, i) => (i === 0 ? p : p.charAt(0).toUpperCase() + p.slice(1)))
    .join('');
}

/**
 * Placeholders for what only Terraform knows, one per identity and cloud, unique so that the Helm chart can
 * bind each one to `infrastructure.<key>`. AWS and GCP placeholders have the real shape with the account /
 * project left as zeros / `project-id`; Azure client ids are random UUIDs, so the placeholder is a nil UUID
 * numbered per identity.
 */
export function infraValues(spec: ResolvedSpec, identities: readonly WorkloadIdentityPlan[], rwxFileSystem: boolean): InfraValue[] {
  const values: InfraValue[] = [];
  for (const cloud of clustersOf(spec)) {
    identities.forEach((id, i) => {
      const role = camel(id.role);
      if (cloud === 'aws') {
        values.push({ key: `${role}RoleArn`, placeholder: `arn:aws:iam::000000000000:role/${spec.name}-${id.role}`, description: `IAM role (IRSA) of the ${id.role} ServiceAccount`, source: { cloud, output: 'workload_identity_annotations', path: [id.role, IDENTITY_ANNOTATION.aws] } });
      } else if (cloud === 'gcp') {
        values.push({ key: `${role}GcpServiceAccount`, placeholder: `${spec.name.slice(0, 20)}-${id.role}@project-id.iam.gserviceaccount.com`, description: `Google service account (Workload Identity) of the ${id.role} ServiceAccount`, source: { cloud, output: 'workload_identity_annotations', path: [id.role, IDENTITY_ANNOTATION.gcp] } });
      } else {
        values.push({ key: `${role}ClientId`, placeholder: `00000000-0000-0000-0000-${String(i + 1).padStart(12, '0')}`, description: `Client id of the managed identity (Azure AD Workload Identity) of the ${id.role} ServiceAccount`, source: { cloud, output: 'workload_identity_annotations', path: [id.role, IDENTITY_ANNOTATION.azure] } });
      }
    });
  }
  // Filestore instances must be on the cluster's VPC, which Terraform names per environment.
  if (spec.options.cloud_provider === 'gcp') values.push({ key: 'gcpNetwork', placeholder: gcpNetworkPlaceholder(spec), description: 'VPC of the GKE cluster (the Filestore StorageClass network)', source: { cloud: 'gcp', output: 'network', path: [] } });
  if (rwxFileSystem) values.push({ key: 'rwxFileSystemId', placeholder: RWX_FILE_SYSTEM_PLACEHOLDER, description: 'EFS file system id of the ReadWriteMany StorageClass', source: { cloud: 'aws', output: 'rwx_file_system_id', path: [] } });
  return values;
}

/** The naming cloud of the secret backend: Vault and AWS group with `/`; multi-cloud on cloud managers uses `-`, valid on both. */
function secretNaming(spec: ResolvedSpec): Cloud | 'vault' {
  if (secretsBackendOf(spec) === 'vault') return 'vault';
  return spec.options.cloud_provider === 'multi-cloud' ? 'gcp' : spec.options.cloud_provider;
}

/** Backend name of a plan secret (`<name>-tracking` → `<name>/tracking` on AWS / Vault, `<name>-tracking` on GCP / Azure). */
export function backendSecretName(spec: ResolvedSpec, planSecret: string): string {
  const item = planSecret.startsWith(`${spec.name}-`) ? planSecret.slice(spec.name.length + 1) : planSecret;
  return secretName(secretNaming(spec), spec.name, item);
}
