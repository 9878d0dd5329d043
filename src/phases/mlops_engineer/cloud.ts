import { secretsBackendOf, type ResolvedSpec } from '../../spec/resolve.js';
import { objectStoreUri } from '../common.js';

/** Per-cloud facts of the delivery platform: registry, secrets backend, Terraform modules, how a pod fetches a model. */
export interface CloudDelivery {
  cloudLabel: string;
  /** Registry repository prefix; ACCOUNT/PROJECT values are placeholders the Terraform outputs replace. */
  registry: string;
  registryService: string;
  secretsBackend: string;
  /** External Secrets Operator provider block name. */
  esoProvider: string;
  workloadIdentity: string;
  terraformModules: { module: string; purpose: string }[];
}

export function cloudDelivery(spec: ResolvedSpec): CloudDelivery {
  const acr = `${spec.name.replace(/-/g, '').slice(0, 40)}acr`;
  const aws: CloudDelivery = {
    cloudLabel: 'AWS',
    registry: `000000000000.dkr.ecr.us-east-1.amazonaws.com/${spec.name}`,
    registryService: 'Amazon ECR (immutable tags, scan on push)',
    secretsBackend: 'AWS Secrets Manager',
    esoProvider: 'aws (service: SecretsManager)',
    workloadIdentity: 'IRSA / EKS Pod Identity',
    terraformModules: [
      { module: 'modules/aws-network', purpose: 'VPC, 3 private + 3 public subnets across zones, NAT, subnet tags for load balancers' },
      { module: 'modules/aws-cluster', purpose: 'EKS, IRSA OIDC provider, managed node groups: on-demand for serving, SPOT (several families) for training/batch with a capped on-demand fallback, GPU groups when asked' },
      { module: 'modules/aws-storage', purpose: 'S3 bucket per data layer (lifecycle: STANDARD_IA then expiry from the retention), EFS for ReadWriteMany' },
      { module: 'modules/aws-registry', purpose: 'ECR repositories: immutable tags, scan on push, lifecycle policy' },
      { module: 'modules/aws-identity', purpose: 'an IRSA role per ServiceAccount, least-privilege S3 and Secrets Manager access' },
      { module: 'modules/aws-secrets', purpose: 'Secrets Manager containers (no values) read by External Secrets' },
      { module: 'modules/platform-aws', purpose: 'the components above behind the platform interface every cloud implements' },
    ],
  };
  const gcp: CloudDelivery = {
    cloudLabel: 'GCP',
    registry: `us-docker.pkg.dev/project-id/${spec.name}`,
    registryService: 'Artifact Registry (Docker format, vulnerability scanning)',
    secretsBackend: 'GCP Secret Manager',
    esoProvider: 'gcpsm',
    workloadIdentity: 'GKE Workload Identity Federation',
    terraformModules: [
      { module: 'modules/gcp-network', purpose: 'VPC, subnet with secondary ranges for pods and services, Cloud Router + NAT' },
      { module: 'modules/gcp-cluster', purpose: 'regional private GKE with Workload Identity, on-demand pools for serving, tainted Spot pools for training/batch, GPU pools when asked' },
      { module: 'modules/gcp-storage', purpose: 'GCS bucket per data layer (lifecycle: NEARLINE then delete from the retention)' },
      { module: 'modules/gcp-registry', purpose: 'Artifact Registry Docker repository with immutable tags and a cleanup policy' },
      { module: 'modules/gcp-identity', purpose: 'a Google service account per ServiceAccount, Workload Identity binding, bucket and secret IAM' },
      { module: 'modules/gcp-secrets', purpose: 'Secret Manager secrets (no versions) read by External Secrets' },
      { module: 'modules/platform-gcp', purpose: 'the components above behind the platform interface every cloud implements' },
    ],
  };
  const azure: CloudDelivery = {
    cloudLabel: 'Azure',
    registry: `${acr}.azurecr.io/${spec.name}`,
    registryService: 'Azure Container Registry (Premium: geo-replication, content trust)',
    secretsBackend: 'Azure Key Vault',
    esoProvider: 'azurekv',
    workloadIdentity: 'Azure AD Workload Identity',
    terraformModules: [
      { module: 'modules/azure-network', purpose: 'VNet and node subnet with Storage and Key Vault service endpoints' },
      { module: 'modules/azure-cluster', purpose: 'AKS with OIDC issuer + workload identity, system pool, on-demand user pool for serving, Spot user pools for training/batch, GPU pools when asked' },
      { module: 'modules/azure-storage', purpose: 'ADLS Gen2 account with a container per data layer (lifecycle: cool tier then delete from the retention)' },
      { module: 'modules/azure-registry', purpose: 'ACR Premium, AcrPull for the kubelet identity' },
      { module: 'modules/azure-identity', purpose: 'a managed identity + federated credential per ServiceAccount, Blob and Key Vault roles' },
      { module: 'modules/azure-secrets', purpose: 'Key Vault with RBAC authorisation and purge protection, read by External Secrets' },
      { module: 'modules/platform-azure', purpose: 'resource group + the components above behind the platform interface every cloud implements' },
    ],
  };
  const multiCloud: CloudDelivery = {
    cloudLabel: 'AWS (primary) + GCP (secondary)',
    registry: aws.registry,
    registryService: 'Amazon ECR (primary), replicated to GCP Artifact Registry so each cluster pulls in-region',
    secretsBackend: 'HashiCorp Vault',
    esoProvider: 'vault (kubernetes auth per cluster)',
    workloadIdentity: 'IRSA on EKS, Workload Identity on GKE, Vault Kubernetes auth in both',
    terraformModules: [
      ...aws.terraformModules,
      ...gcp.terraformModules,
      { module: 'envs/<env> (shared)', purpose: 'one S3 state for both clouds, one Route 53 zone with an API record per cluster; both platform modules called with the same inputs' },
    ],
  };
  const delivery = spec.options.cloud_provider === 'multi-cloud' ? multiCloud : { aws, gcp, azure }[spec.options.cloud_provider];
  // The secrets backend follows delivery.secrets_backend: Vault on any cloud, or the cloud's own manager (multi-cloud: AWS's, read from both clusters).
  if (secretsBackendOf(spec) === 'vault') return { ...delivery, secretsBackend: 'HashiCorp Vault', esoProvider: 'vault (Kubernetes auth per cluster)' };
  if (spec.options.cloud_provider === 'multi-cloud') return { ...delivery, secretsBackend: aws.secretsBackend, esoProvider: aws.esoProvider };
  return delivery;
}

/** The model artifact location: the registry's promoted version is exported under <models bucket>/<model>/production. */
export function modelArtifactUri(spec: ResolvedSpec, modelName: string): string {
  return `${objectStoreUri(spec, 'models')}/${modelName}/production`;
}

/** How an init container copies the promoted model into the pod (the cloud CLI, authenticated by workload identity). */
export function modelFetch(spec: ResolvedSpec, modelName: string, targetDir: string): ObjectFetch {
  return objectFetch(spec, modelArtifactUri(spec, modelName), targetDir);
}

export interface ObjectFetch {
  image: string;
  command: string[];
  how: string;
  env: Record<string, string>;
}

/** How an init container copies everything under an object-store prefix into a local folder (cloud CLI + workload identity). */
export function objectFetch(spec: ResolvedSpec, uri: string, targetDir: string): ObjectFetch {
  // The CLIs write their config under $HOME, which a non-root user cannot write in these images: point it at /tmp.
  switch (spec.options.cloud_provider) {
    case 'aws':
    case 'multi-cloud':
      return { image: 'amazon/aws-cli:2.17.0', command: ['aws', 's3', 'sync', '--only-show-errors', `${uri}/`, targetDir], how: '`aws s3 sync` with the IRSA role', env: { HOME: '/tmp' } };
    case 'gcp':
      return { image: 'google/cloud-sdk:488.0.0-slim', command: ['gcloud', 'storage', 'rsync', '--recursive', uri, targetDir], how: '`gcloud storage rsync` with Workload Identity', env: { CLOUDSDK_CONFIG: '/tmp/gcloud' } };
    case 'azure': {
      // abfss://<container>@<account>.dfs.core.windows.net/<prefix>
      const match = /^abfss:\/\/([^@]+)@([^.]+)\.dfs\.core\.windows\.net\/(.+)$/.exec(uri);
      const container = match?.[1] ?? 'data';
      const account = match?.[2] ?? 'account';
      const prefix = match?.[3] ?? '';
      const script = [
        'az login --service-principal -u "$AZURE_CLIENT_ID" -t "$AZURE_TENANT_ID" --federated-token "$(cat "$AZURE_FEDERATED_TOKEN_FILE")" --output none',
        // download-batch keeps each blob's full name: the files land under <tmp>/<prefix>/, then move up, so the
        // folder holds what the prefix holds (as aws s3 sync and gcloud storage rsync leave it).
        `az storage blob download-batch --auth-mode login --account-name ${account} --source ${container} --pattern '${prefix}/*' --destination /tmp/fetch --output none`,
        `cp -R '/tmp/fetch/${prefix}/.' ${targetDir}/`,
      ].join(' && ');
      return { image: 'mcr.microsoft.com/azure-cli:2.63.0', command: ['/bin/sh', '-c', script], how: '`az storage blob download-batch` with Azure AD Workload Identity', env: { AZURE_CONFIG_DIR: '/tmp/azure' } };
    }
  }
}
