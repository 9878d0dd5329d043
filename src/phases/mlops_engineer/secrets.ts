import type { IClusterSecretStore } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ClusterSecretStore';
import type { IExternalSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret';
import type { ISecretStoreProvider } from '@kubernetes-models/external-secrets/external-secrets.io/v1/SecretStoreProvider';
import type { Cloud, InfraValue } from '../../generators/terraform/types.js';
import { code, text, type MarkdownDocument } from '../../generators/serializers/markdown.js';
import { toYamlStream } from '../../generators/serializers/yaml.js';
import { secretsBackendOf, type ResolvedSpec } from '../../spec/resolve.js';
import { LAYOUT } from '../common.js';
import { AWS_REGION } from '../kubernetes_architect/autoscaling.js';
import type { MlopsPlan, SecretItem } from './derive.js';
import { IDENTITY_ANNOTATION, RWX_FILE_SYSTEM_CLOUDS, backendSecretName as infraSecretName, clustersOf, infraValues, workloadIdentities } from './identity.js';
import { componentLabels } from './naming.js';
import { EXTERNAL_SECRETS_ROLE, identityObjects, identityOf } from './serviceAccounts.js';

/**
 * deploy/k8s/base/secrets.yaml: External Secrets Operator copies each pipeline secret from the backend (the
 * cloud's secrets manager or Vault) into a Kubernetes Secret of the name the workloads already reference. No
 * value is ever in Git: Terraform creates the backend secrets empty, an operator writes the values out of band,
 * and ESO authenticates with the external-secrets workload identity (no static key in the cluster).
 *
 * One ClusterSecretStore rather than a SecretStore per namespace: a namespaced store may only use a
 * ServiceAccount of its own namespace, so three stores would need three cloud identities (three IRSA trusts /
 * Workload Identity bindings / federated credentials) for the same read access. The cluster-wide store is
 * restricted with `spec.conditions` to the namespaces that hold our ExternalSecrets, so no other team's
 * namespace can read the pipeline's secrets through it.
 */

export type SecretBackend = 'aws' | 'gcp' | 'azure' | 'vault';

/** ESO re-reads the backend this often: a rotated value reaches the Secret within the hour, pods on their next restart. */
export const REFRESH_INTERVAL = '1h';
/** KV v2 secrets engine mount in Vault that holds <pipeline>/<item> (created by Terraform with the Vault provider). */
export const VAULT_KV_MOUNT = 'secret';

/**
 * Where the secrets live. secretsBackendOf(spec) is resolved (vault for multi-cloud when absent); a
 * multi-cloud pipeline that asks for `cloud` keeps them in AWS Secrets Manager (the primary cloud), which the GKE
 * cluster's ESO reaches by web identity federation of its OIDC issuer in IAM.
 */
export function secretBackend(spec: ResolvedSpec): SecretBackend {
  if (secretsBackendOf(spec) === 'vault') return 'vault';
  const cloud = spec.options.cloud_provider;
  return cloud === 'multi-cloud' ? 'aws' : cloud;
}

export const BACKEND_LABEL: Record<SecretBackend, { service: string; provider: string; auth: string }> = {
  aws: { service: 'AWS Secrets Manager', provider: 'aws (service SecretsManager)', auth: 'IRSA: web identity token of the external-secrets ServiceAccount exchanged for its IAM role' },
  gcp: { service: 'GCP Secret Manager', provider: 'gcpsm', auth: 'GKE Workload Identity of the external-secrets ServiceAccount (cluster project, name and location read from the GKE metadata server)' },
  azure: { service: 'Azure Key Vault', provider: 'azurekv', auth: 'Azure AD Workload Identity (authType WorkloadIdentity): the ServiceAccount token federated with the managed identity named by its client-id annotation' },
  vault: { service: 'HashiCorp Vault (KV v2)', provider: 'vault', auth: 'Vault Kubernetes auth: the external-secrets ServiceAccount token reviewed by the cluster, one auth mount and role per cluster' },
};

/** Cluster-scoped, so prefixed like the namespaces (two pipelines on one cluster never share a store); ≤ 52 + 8 characters, a valid label value too. */
export function secretStoreName(plan: MlopsPlan): string {
  return `${plan.namespaces.serving.replace(/-serving$/, '')}-secrets`;
}

/** The item of a pipeline secret (`<spec.name>-tracking` → `tracking`), from which the backend name is made. */
export function secretItem(spec: ResolvedSpec, s: SecretItem): string {
  return s.name.startsWith(`${spec.name}-`) ? s.name.slice(spec.name.length + 1) : s.name;
}

/**
 * Name of a pipeline secret in its backend: the one naming infra.ts gives Terraform (`<name>/<item>` in AWS
 * Secrets Manager and Vault, `<name>-<item>` in GCP Secret Manager, Key Vault and both managers of multi-cloud).
 */
export function backendSecretName(spec: ResolvedSpec, s: SecretItem): string {
  return infraSecretName(spec, s.name);
}

/**
 * The namespaces whose workloads read a secret: tracking credentials in training (the training job logs runs
 * and registers the model); the online store's password in serving (the Redis online store and inference cache
 * require it, the model server's feature lookup presents it); the stream credentials in serving (the consumer's
 * envFrom and KEDA's TriggerAuthentication).
 */
export function consumerNamespaces(spec: ResolvedSpec, plan: MlopsPlan, s: SecretItem): string[] {
  const item = secretItem(spec, s);
  if (item === 'tracking') return [plan.namespaces.training];
  return [plan.namespaces.serving];
}

/** Placeholders of the store settings only Terraform knows; the Helm chart binds them like the identity annotations. */
export function secretStoreInfraValues(spec: ResolvedSpec, plan: MlopsPlan): InfraValue[] {
  switch (secretBackend(spec)) {
    case 'aws':
      return [{ key: 'awsRegion', placeholder: AWS_REGION, description: 'AWS region (Secrets Manager of the ClusterSecretStore; the same region KEDA reads Kinesis in)', source: { cloud: 'aws', output: 'secret_store', path: ['region'] } }];
    case 'gcp':
      return [{ key: 'gcpProjectId', placeholder: 'project-id', description: 'Google Cloud project of Secret Manager', source: { cloud: 'gcp', output: 'secret_store', path: ['project_id'] } }];
    case 'azure':
      return [
        { key: 'azureKeyVaultUrl', placeholder: `https://${keyVaultName(spec)}.vault.azure.net/`, description: 'URL of the Key Vault', source: { cloud: 'azure', output: 'secret_store', path: ['vault_url'] } },
        { key: 'azureTenantId', placeholder: '00000000-0000-0000-0000-000000000000', description: 'Microsoft Entra tenant of the Key Vault and the managed identities', source: { cloud: 'azure', output: 'secret_store', path: ['tenant_id'] } },
      ];
    case 'vault':
      return [{ key: 'vaultAddress', placeholder: `https://vault.${plan.namespaces.serving.replace(/-serving$/, '')}.internal:8200`, description: 'Address of the Vault server', source: { variable: 'vault_address' } }];
  }
}

/** Every placeholder of the manifests that Terraform's helm_values sets: identities, the EFS id, the secret store's settings. */
export function pipelineInfraValues(spec: ResolvedSpec, plan: MlopsPlan): InfraValue[] {
  return [...infraValues(spec, workloadIdentities(spec, plan), RWX_FILE_SYSTEM_CLOUDS.includes(spec.options.cloud_provider)), ...secretStoreInfraValues(spec, plan)];
}

/** Key Vault names: 3–24 letters, digits and single hyphens, starting with a letter. */
export function keyVaultName(spec: ResolvedSpec): string {
  return `${spec.name.replace(/-+/g, '-').slice(0, 21).replace(/-+$/, '')}-kv`;
}

/** Vault's Kubernetes auth mount of a cluster: one per cluster, since each has its own API server and token issuer. */
export function vaultAuthMount(cloud: Cloud): string {
  return `kubernetes-${cloud}`;
}
export function vaultRole(spec: ResolvedSpec): string {
  return `${spec.name}-external-secrets`;
}

function provider(spec: ResolvedSpec, plan: MlopsPlan): ISecretStoreProvider {
  const eso = identityOf(spec, plan, EXTERNAL_SECRETS_ROLE);
  if (!eso) throw new Error('no external-secrets identity');
  const serviceAccountRef = { name: eso.service_account, namespace: eso.namespace };
  const value = (key: string) => secretStoreInfraValues(spec, plan).find((v) => v.key === key)!.placeholder;
  switch (secretBackend(spec)) {
    case 'aws':
      return { aws: { service: 'SecretsManager', region: value('awsRegion'), auth: { jwt: { serviceAccountRef } } } };
    case 'gcp':
      // clusterLocation / clusterName / clusterProjectID omitted: ESO reads them from the GKE metadata server.
      return { gcpsm: { projectID: value('gcpProjectId'), auth: { workloadIdentity: { serviceAccountRef } } } };
    case 'azure':
      return { azurekv: { authType: 'WorkloadIdentity', vaultUrl: value('azureKeyVaultUrl'), tenantId: value('azureTenantId'), serviceAccountRef } };
    case 'vault':
      return {
        vault: {
          server: value('vaultAddress'),
          path: VAULT_KV_MOUNT,
          version: 'v2',
          // The first cluster's mount; a second cluster (multi-cloud) differs only in this mountPath.
          auth: { kubernetes: { mountPath: vaultAuthMount(clustersOf(spec)[0]!), role: vaultRole(spec), serviceAccountRef } },
        },
      };
  }
}

/** The ExternalSecrets: one per secret per namespace that consumes it, target = the Secret name workloads reference. */
export function externalSecrets(spec: ResolvedSpec, plan: MlopsPlan): IExternalSecret[] {
  const store = secretStoreName(plan);
  return plan.secrets.flatMap((s) =>
    consumerNamespaces(spec, plan, s).map(
      (namespace): IExternalSecret => ({
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        metadata: { name: s.name, namespace, labels: componentLabels(spec, 'secrets', s.name), annotations: { 'mlops-mcp/used-by': s.used_by } },
        spec: {
          refreshInterval: REFRESH_INTERVAL,
          secretStoreRef: { kind: 'ClusterSecretStore', name: store },
          // Owner: the Secret is garbage-collected with its ExternalSecret and nobody else may write it.
          target: { name: s.name, creationPolicy: 'Owner' },
          data: s.keys.map((key) => ({ secretKey: key, remoteRef: { key: backendSecretName(spec, s), property: key } })),
        },
      }),
    ),
  );
}

export function secretStore(spec: ResolvedSpec, plan: MlopsPlan): IClusterSecretStore {
  const namespaces = [...new Set(plan.secrets.flatMap((s) => consumerNamespaces(spec, plan, s)))].sort();
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ClusterSecretStore',
    metadata: { name: secretStoreName(plan), labels: componentLabels(spec, 'secrets', secretStoreName(plan)) },
    spec: { provider: provider(spec, plan), conditions: [{ namespaces }] },
  };
}

export function secretObjects(spec: ResolvedSpec, plan: MlopsPlan): (IClusterSecretStore | IExternalSecret)[] {
  return [secretStore(spec, plan), ...externalSecrets(spec, plan)];
}

export const IDENTITY_FILE = `${LAYOUT.k8sBase}/identity.yaml`;
export const SECRETS_FILE = `${LAYOUT.k8sBase}/secrets.yaml`;

/** The two base files, as phase files (`add(path, kind, content, purpose)` in index.ts). */
export function identityAndSecretFiles(spec: ResolvedSpec, plan: MlopsPlan): { path: string; kind: 'kubernetes'; content: string; purpose: string }[] {
  return [
    { path: IDENTITY_FILE, kind: 'kubernetes', content: toYamlStream(identityObjects(spec, plan)), purpose: 'ServiceAccounts bound to cloud identities (IRSA / GKE Workload Identity / Azure AD Workload Identity), one per workload role' },
    { path: SECRETS_FILE, kind: 'kubernetes', content: toYamlStream(secretObjects(spec, plan)), purpose: `External Secrets: ClusterSecretStore for ${BACKEND_LABEL[secretBackend(spec)].service} and one ExternalSecret per secret and consuming namespace (no values in Git)` },
  ];
}

/** The body of the phase document's "Secrets management with Vault/Secrets Manager" section. */
export function secretsSection(doc: MarkdownDocument, spec: ResolvedSpec, plan: MlopsPlan): void {
  const backend = secretBackend(spec);
  const label = BACKEND_LABEL[backend];
  const store = secretStore(spec, plan);
  const namespaces = store.spec?.conditions?.[0]?.namespaces ?? [];
  const why =
    backend === 'vault'
      ? spec.options.cloud_provider === 'multi-cloud'
        ? `${code('multi-cloud')}: both clusters read one Vault (${code(`${VAULT_KV_MOUNT}/`)} KV v2 mount), each through its own Kubernetes auth mount (${clustersOf(spec).map((c) => code(vaultAuthMount(c))).join(', ')}; the base carries the first, the second cluster overrides ${code('mountPath')})`
        : `${code('delivery.secrets_backend: vault')}: KV v2 mount ${code(VAULT_KV_MOUNT)}, Kubernetes auth mount ${code(vaultAuthMount(clustersOf(spec)[0]!))}, role ${code(vaultRole(spec))}`
      : spec.options.cloud_provider === 'multi-cloud'
        ? `${code('delivery.secrets_backend: cloud')} on ${code('multi-cloud')}: AWS Secrets Manager of the primary cloud; the GKE cluster's External Secrets assumes the same IAM role by web identity (its OIDC issuer is trusted in IAM)`
        : `${code('delivery.secrets_backend: cloud')} on ${code(spec.options.cloud_provider)}: the cloud's own secrets manager, no extra service to run`;
  doc.paragraph(
    `Backend: ${label.service} (${why}). External Secrets Operator copies each secret into a Kubernetes Secret of the name the workloads already reference, every ${code(REFRESH_INTERVAL)} (a rotation reaches pods on their next restart), ${code('creationPolicy: Owner')}.`,
    `One ${code('ClusterSecretStore')} ${code(secretStoreName(plan))} (provider ${code(label.provider)}) rather than a SecretStore per namespace: a namespaced store may only use a ServiceAccount of its own namespace, so ${namespaces.length} stores would need ${namespaces.length} cloud identities for the same read access; ${code('spec.conditions')} admits only ${namespaces.map((n) => code(n)).join(', ')}.`,
    `Authentication: ${label.auth}. No value is in Git or Terraform state: ${backend === 'vault' ? `an operator writes each value with ${code(`vault kv put ${VAULT_KV_MOUNT}/<backend name>`)} (Vault, its KV mount and the Kubernetes auth role are run outside the cloud stack)` : 'Terraform creates the secret containers (Key Vault: only the vault) without a value and an operator writes the values out of band'}, and nothing in the bundle holds a key (the ${code('no-secrets')} validator scans every file for key-like strings and high-entropy literals).`,
  );
  doc.table(
    ['Secret', 'Keys', 'Backend name', 'Namespace', 'Used by'],
    plan.secrets.map((x) => [code(x.name), x.keys.map((k) => code(k)).join(', '), code(backendSecretName(spec, x)), consumerNamespaces(spec, plan, x).map((n) => code(n)).join(', '), text(x.used_by)]),
  );
  const clouds = clustersOf(spec);
  doc.paragraph(
    `Workload identities (${code('deploy/k8s/base/identity.yaml')}): one ServiceAccount per role with ${clouds.map((c) => code(IDENTITY_ANNOTATION[c])).join(' and ')} (placeholders until Terraform's ${code('helm_values')} output sets them), ${code('automountServiceAccountToken: false')} (no pod of ours calls the Kubernetes API; the identity webhooks project their own token)${clouds.includes('azure') ? `; pods carry the label ${code('azure.workload.identity/use: "true"')} so the Azure webhook injects the federated token` : ''}.`,
  );
  doc.table(
    ['ServiceAccount', 'Namespace', 'Runs', 'Reads', 'Writes'],
    workloadIdentities(spec, plan).map((i) => [
      code(i.service_account),
      code(i.namespace),
      i.role === 'external-secrets' ? 'no pod: the ClusterSecretStore authenticates as it' : text(i.role),
      [...i.buckets_read.map((b) => `${b} bucket`), ...i.secrets.map((n) => code(n))].join(', ') || '—',
      i.buckets_write.map((b) => `${b} bucket`).join(', ') || '—',
    ]),
  );
}
