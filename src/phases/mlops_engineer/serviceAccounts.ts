import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import type { Cloud, InfraValue, WorkloadIdentityPlan } from '../../generators/terraform/types.js';
import type { ResolvedSpec } from '../../spec/resolve.js';
import type { MlopsPlan } from './derive.js';
import { IDENTITY_ANNOTATION, RWX_FILE_SYSTEM_CLOUDS, clustersOf, infraValues, workloadIdentities } from './identity.js';
import { componentLabels } from './naming.js';

/**
 * deploy/k8s/base/identity.yaml: one ServiceAccount per workload identity (identity.ts), annotated for the cloud
 * of every cluster that runs it (IRSA role ARN, Google service account, managed identity client id). The
 * annotation values are the infraValues() placeholders: the Helm chart binds each to `infrastructure.<key>`, and
 * Terraform's `helm_values` output sets the real value per environment.
 */

/** Roles of workloadIdentities() that run pods (every one but the External Secrets identity, which only authenticates the store). */
export type PodRole = 'serving' | 'training' | 'batch' | 'stream';
export const EXTERNAL_SECRETS_ROLE = 'external-secrets';

/** Pod label Azure AD Workload Identity's mutating webhook looks for before it projects the federated token into a pod. */
export const AZURE_WORKLOAD_IDENTITY_LABEL = 'azure.workload.identity/use';

/** The identity of one role, or undefined when the plan has no such workload (e.g. no serving in batch-only mode). */
export function identityOf(spec: ResolvedSpec, plan: MlopsPlan, role: PodRole | typeof EXTERNAL_SECRETS_ROLE): WorkloadIdentityPlan | undefined {
  return workloadIdentities(spec, plan).find((i) => i.role === role);
}

/** The ServiceAccount name a pod of `role` runs as (the same function the ServiceAccounts are named by). */
export function serviceAccountName(spec: ResolvedSpec, plan: MlopsPlan, role: PodRole): string {
  const id = identityOf(spec, plan, role);
  if (!id) throw new Error(`no workload identity for role ${role}`);
  return id.service_account;
}

/** Labels a pod template needs for its cloud identity: Azure's webhook only mutates pods labelled azure.workload.identity/use. */
export function podIdentityLabels(spec: ResolvedSpec): Record<string, string> {
  return clustersOf(spec).includes('azure') ? { [AZURE_WORKLOAD_IDENTITY_LABEL]: 'true' } : {};
}

/** The infraValues() placeholder of one identity on one cloud. */
function placeholderOf(values: readonly InfraValue[], cloud: Cloud, role: string): string {
  const v = values.find((x) => 'cloud' in x.source && x.source.cloud === cloud && x.source.output === 'workload_identity_annotations' && x.source.path[0] === role);
  if (!v) throw new Error(`no infrastructure placeholder for ${role} on ${cloud}`);
  return v.placeholder;
}

export function identityObjects(spec: ResolvedSpec, plan: MlopsPlan): IServiceAccount[] {
  const identities = workloadIdentities(spec, plan);
  const values = infraValues(spec, identities, RWX_FILE_SYSTEM_CLOUDS.includes(spec.options.cloud_provider));
  return identities.map((id) => ({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: {
      name: id.service_account,
      namespace: id.namespace,
      labels: componentLabels(spec, 'identity', id.service_account),
      annotations: Object.fromEntries(clustersOf(spec).map((cloud) => [IDENTITY_ANNOTATION[cloud], placeholderOf(values, cloud, id.role)])),
    },
    // No pod of ours calls the Kubernetes API: the cloud credentials come from the identity webhooks' own projected
    // token (IRSA, Azure) or the GKE metadata server, and External Secrets requests its token through TokenRequest.
    automountServiceAccountToken: false,
  }));
}
