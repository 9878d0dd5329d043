import type { ResolvedSpec } from '../../spec/resolve.js';
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
      { module: 'terraform-aws-modules/vpc/aws', purpose: 'VPC, 3 private subnets (one per zone), NAT' },
      { module: 'terraform-aws-modules/eks/aws', purpose: 'EKS control plane, on-demand node group for serving, Karpenter for spot' },
      { module: 'terraform-aws-modules/karpenter/aws', purpose: 'Karpenter controller IAM + interruption queue (spot notices)' },
      { module: 'terraform-aws-modules/s3-bucket/aws', purpose: 'raw / processed / features / models buckets, versioning on models' },
      { module: 'terraform-aws-modules/ecr/aws', purpose: 'image repositories with lifecycle policy' },
      { module: 'terraform-aws-modules/iam/aws (iam-role-for-service-accounts-eks)', purpose: 'per-workload IRSA roles' },
      { module: 'terraform-aws-modules/secrets-manager/aws', purpose: 'secrets read by External Secrets' },
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
      { module: 'terraform-google-modules/network/google', purpose: 'VPC, subnet with secondary ranges for pods/services' },
      { module: 'terraform-google-modules/kubernetes-engine/google (private-cluster)', purpose: 'regional GKE, on-demand pool for serving, Spot pool (tainted) for training/batch' },
      { module: 'terraform-google-modules/cloud-storage/google', purpose: 'raw / processed / features / models buckets' },
      { module: 'GoogleCloudPlatform/artifact-registry/google', purpose: 'Docker repository' },
      { module: 'terraform-google-modules/kubernetes-engine/google//modules/workload-identity', purpose: 'per-workload service accounts' },
      { module: 'GoogleCloudPlatform/secret-manager/google', purpose: 'secrets read by External Secrets' },
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
      { module: 'Azure/network/azurerm', purpose: 'VNet and subnets' },
      { module: 'Azure/aks/azurerm', purpose: 'AKS, system + on-demand user pool for serving, spot user pool (scalesetpriority) for training/batch' },
      { module: 'Azure/avm-res-storage-storageaccount/azurerm', purpose: 'ADLS Gen2 account with raw / processed / features / models containers' },
      { module: 'Azure/avm-res-containerregistry-registry/azurerm', purpose: 'ACR, AcrPull granted to the kubelet identity' },
      { module: 'Azure/avm-res-keyvault-vault/azurerm', purpose: 'Key Vault read by External Secrets' },
    ],
  };
  switch (spec.options.cloud_provider) {
    case 'aws':
      return aws;
    case 'gcp':
      return gcp;
    case 'azure':
      return azure;
    case 'multi-cloud':
      return {
        cloudLabel: 'AWS (primary) + GCP (secondary)',
        registry: aws.registry,
        registryService: 'Amazon ECR (primary), replicated to GCP Artifact Registry so each cluster pulls in-region',
        secretsBackend: 'HashiCorp Vault',
        esoProvider: 'vault (kubernetes auth per cluster)',
        workloadIdentity: 'IRSA on EKS, Workload Identity on GKE, Vault Kubernetes auth in both',
        terraformModules: [...aws.terraformModules, ...gcp.terraformModules.filter((m) => !m.module.includes('secret-manager')), { module: 'hashicorp/vault (provider) + vault-helm', purpose: 'Vault cluster, KV v2 mount, Kubernetes auth roles per cluster' }],
      };
  }
}

/** The model artifact location: the registry's promoted version is exported under <models bucket>/<model>/production. */
export function modelArtifactUri(spec: ResolvedSpec, modelName: string): string {
  return `${objectStoreUri(spec, 'models')}/${modelName}/production`;
}

/** How an init container copies the promoted model into the pod (the cloud CLI, authenticated by workload identity). */
export function modelFetch(spec: ResolvedSpec, modelName: string, targetDir: string): { image: string; command: string[]; how: string; env: Record<string, string> } {
  // The CLIs write their config under $HOME, which a non-root user cannot write in these images: point it at /tmp.
  const uri = modelArtifactUri(spec, modelName);
  switch (spec.options.cloud_provider) {
    case 'aws':
    case 'multi-cloud':
      return { image: 'amazon/aws-cli:2.17.0', command: ['aws', 's3', 'sync', '--only-show-errors', `${uri}/`, targetDir], how: '`aws s3 sync` with the IRSA role', env: { HOME: '/tmp' } };
    case 'gcp':
      return { image: 'google/cloud-sdk:488.0.0-slim', command: ['gcloud', 'storage', 'rsync', '--recursive', uri, targetDir], how: '`gcloud storage rsync` with Workload Identity', env: { CLOUDSDK_CONFIG: '/tmp/gcloud' } };
    case 'azure': {
      // abfss://models@<account>.dfs.core.windows.net/<model>/production
      const match = /^abfss:\/\/([^@]+)@([^.]+)\.dfs\.core\.windows\.net\/(.+)$/.exec(uri);
      const container = match?.[1] ?? 'models';
      const account = match?.[2] ?? 'account';
      const prefix = match?.[3] ?? `${modelName}/production`;
      const script = [
        'az login --service-principal -u "$AZURE_CLIENT_ID" -t "$AZURE_TENANT_ID" --federated-token "$(cat "$AZURE_FEDERATED_TOKEN_FILE")" --output none',
        `az storage blob download-batch --auth-mode login --account-name ${account} --source ${container} --pattern '${prefix}/*' --destination ${targetDir} --output none`,
      ].join(' && ');
      return { image: 'mcr.microsoft.com/azure-cli:2.63.0', command: ['/bin/sh', '-c', script], how: '`az storage blob download-batch` with Azure AD Workload Identity', env: { AZURE_CONFIG_DIR: '/tmp/azure' } };
    }
  }
}
