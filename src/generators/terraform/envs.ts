/**
 * envs/<env>/: one Terraform root per environment with its own remote state, calling the platform module of
 * its cloud (multi-cloud: both) with the environment's figures in terraform.tfvars, and exposing
 * `helm_values`, the object `terraform output -json helm_values` hands to `helm upgrade -f`.
 */
import { ENVIRONMENTS, type Environment } from '../kubernetes/parameters.js';
import { attr, block, comment, raw, ref, type HclBlock, type HclBody, type HclExpression, type HclValue } from '../serializers/hcl.js';
import { PROVIDERS, output, tfFile, variable, versionsTf, type ProviderName, type VariableSpec } from './blocks.js';
import { MULTI_CLOUD_CALLS, multiCloudVariables, sharedDns, sharedDnsOutputs, type PlatformCall } from './multiCloud.js';
import { poolsForEnv } from './nodePools.js';
import { PLATFORM_OUTPUT_DESCRIPTIONS, platformVariables } from './platformInterface.js';
import { costTags } from './tags.js';
import { PLATFORM_OUTPUTS, PLATFORM_VARIABLES, TERRAFORM_ROOT, type Cloud, type CloudOption, type TerraformFile, type TerraformInput } from './types.js';

export const DEFAULT_REGIONS: Record<Cloud, string> = { aws: 'us-east-1', gcp: 'us-central1', azure: 'eastus' };

/** Second octet of each environment's /16 (dev, staging and prod never overlap, so they can be peered). */
const ENV_OCTET: Record<Environment, number> = { prod: 40, staging: 41, dev: 42 };
/** Multi-cloud: the GCP ranges sit 10 above the AWS ones. */
const SECOND_CLOUD_OFFSET = 10;

export function envDir(env: Environment): string {
  return `${TERRAFORM_ROOT}/envs/${env}`;
}

export function platformCalls(cloud: CloudOption): readonly PlatformCall[] {
  return cloud === 'multi-cloud' ? MULTI_CLOUD_CALLS : [{ module: 'platform', cloud, regionVar: 'region', cidrVar: 'network_cidr', poolsVar: 'node_pools' }];
}

/** Globally unique bucket names: the spec name in prod (what objectStoreUri says), `<name>-<env>` elsewhere. */
export function bucketPrefix(name: string, env: Environment): string {
  if (env === 'prod') return name;
  // bucket_prefix is at most 46 characters (S3/GCS names ≤ 63 with the longest layer suffix).
  return `${name.slice(0, 46 - env.length - 1).replace(/-+$/, '')}-${env}`;
}

export function regionOf(input: TerraformInput, cloud: Cloud): string {
  return input.regions[cloud] ?? DEFAULT_REGIONS[cloud];
}

/** Azure storage account names: 3–24 lowercase letters and digits, globally unique. */
export function stateStorageAccount(name: string): string {
  return `${name.replace(/[^a-z0-9]/g, '').slice(0, 17)}tfstate`;
}

function backend(input: TerraformInput, env: Environment): HclBlock {
  const state = `${input.name}-tfstate`;
  switch (input.cloud) {
    case 'aws':
    case 'multi-cloud':
      // S3-native locking (a .tflock object, conditional writes): no DynamoDB table.
      return block('backend', ['s3'], [attr('bucket', state), attr('key', `${env}/terraform.tfstate`), attr('region', regionOf(input, 'aws')), attr('encrypt', true), attr('use_lockfile', true)]);
    case 'gcp':
      return block('backend', ['gcs'], [attr('bucket', state), attr('prefix', env)]);
    case 'azure':
      return block('backend', ['azurerm'], [
        attr('resource_group_name', state),
        attr('storage_account_name', stateStorageAccount(input.name)),
        attr('container_name', 'tfstate'),
        attr('key', `${env}.terraform.tfstate`),
      ]);
  }
}

function backendComment(input: TerraformInput): string {
  const state = `${input.name}-tfstate`;
  switch (input.cloud) {
    case 'aws':
      return `Remote state in S3 bucket ${state} (versioned, created once before the first init), locked by an S3 lock file.`;
    case 'multi-cloud':
      return `Shared piece: the state of BOTH clouds lives in one S3 bucket (${state}, in the primary cloud), locked by an S3\nlock file, so one plan covers EKS and GKE and a half-applied change is visible in one place.`;
    case 'gcp':
      return `Remote state in GCS bucket ${state} (versioned, created once before the first init); GCS locks it natively.`;
    case 'azure':
      return `Remote state in the ${stateStorageAccount(input.name)} storage account (resource group ${state}), container tfstate; blob leases lock it.`;
  }
}

/** Providers the modules of this configuration declare, read from their versions.tf. */
export function modulesProviders(modules: readonly TerraformFile[]): ProviderName[] {
  const found = new Set<ProviderName>();
  for (const f of modules) {
    if (!f.path.endsWith('/versions.tf')) continue;
    for (const m of f.content.matchAll(/^ {4}([a-z0-9]+)\s+= \{$/gm)) if (m[1]! in PROVIDERS) found.add(m[1] as ProviderName);
  }
  return (Object.keys(PROVIDERS) as ProviderName[]).filter((p) => found.has(p));
}

function providersTf(input: TerraformInput): HclBody {
  const aws = (region: HclExpression) => block('provider', ['aws'], [attr('region', region), comment('Cost-allocation tags on every resource that takes tags.'), block('default_tags', [], [attr('tags', ref('var.tags'))])]);
  const google = (region: HclExpression) =>
    block('provider', ['google'], [attr('project', ref('var.project_id')), attr('region', region), comment('Cost-allocation labels on every resource that takes labels.'), attr('default_labels', ref('var.tags'))]);
  switch (input.cloud) {
    case 'aws':
      return [aws(ref('var.region'))];
    case 'gcp':
      return [google(ref('var.region'))];
    case 'azure':
      return [
        block('provider', ['azurerm'], [
          // The lake account has shared keys off and denies public networks: containers are managed through
          // Resource Manager and blobs with Entra ID, never through the storage data plane with a key.
          block('features', [], [block('storage', [], [attr('data_plane_available', false)])]),
          attr('storage_use_azuread', true),
          comment('null: taken from ARM_SUBSCRIPTION_ID (each environment is its own subscription).'),
          attr('subscription_id', ref('var.subscription_id')),
        ]),
      ];
    case 'multi-cloud':
      return [aws(ref('var.region')), google(ref('var.gcp_region'))];
  }
}

/** Env-root variables behind helm_values entries that no cloud resource knows (e.g. the address of an existing Vault). */
function infraVariables(input: TerraformInput): VariableSpec[] {
  return input.infra_values.flatMap((v) =>
    'variable' in v.source
      ? [
          {
            name: v.source.variable,
            type: raw('string'),
            description: `${v.description} (passed to the Helm chart as infrastructure.${v.key})`,
            validations: [{ condition: raw(`can(regex("^https://[^/]+", var.${v.source.variable}))`), message: `${v.source.variable} must be an https:// URL.` }],
          },
        ]
      : [],
  );
}

function extraVariables(input: TerraformInput): VariableSpec[] {
  const project: VariableSpec = {
    name: 'project_id',
    type: raw('string'),
    description: 'GCP project of this environment (set TF_VAR_project_id or add it to terraform.tfvars)',
    validations: [{ condition: raw('can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))'), message: 'project_id must be a GCP project id (6-30 lowercase letters, digits and hyphens).' }],
  };
  switch (input.cloud) {
    case 'aws':
      return [];
    case 'gcp':
      return [project];
    case 'azure':
      return [
        {
          name: 'subscription_id',
          type: raw('string'),
          description: 'Azure subscription of this environment; null takes ARM_SUBSCRIPTION_ID',
          default: null,
          nullable: true,
          validations: [{ condition: raw('var.subscription_id == null || can(regex("^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$", var.subscription_id))'), message: 'subscription_id must be a subscription UUID.' }],
        },
      ];
    case 'multi-cloud':
      return [project, ...multiCloudVariables()];
  }
}

function mainTf(input: TerraformInput): HclBody {
  const calls = platformCalls(input.cloud).map((c) =>
    block('module', [c.module], [
      attr('source', `../../modules/platform-${c.cloud}`),
      ...PLATFORM_VARIABLES.map((v) => attr(v, ref(`var.${v === 'region' ? c.regionVar : v === 'network_cidr' ? c.cidrVar : v === 'node_pools' ? c.poolsVar : v}`))),
    ]),
  );
  return input.cloud === 'multi-cloud'
    ? [comment('The same platform interface on two clouds, with the same inputs but for the region, address range and machine types.'), ...calls, ...sharedDns()]
    : calls;
}

/** Where helm_values reads an output: the platform module of the cloud (multi-cloud: per cloud). */
function moduleOf(input: TerraformInput, cloud: Cloud): string {
  const call = platformCalls(input.cloud).find((c) => c.cloud === cloud);
  if (!call) throw new Error(`no ${cloud} platform in a ${input.cloud} configuration`);
  return call.module;
}

function indexPath(base: string, path: readonly string[]): HclExpression {
  return ref(`${base}${path.map((p) => `[${JSON.stringify(p)}]`).join('')}`);
}

/** The object of `helm_values`: images.<key>.repository and infrastructure.<key>, as references to the platform outputs. */
export function helmValues(input: TerraformInput): HclValue {
  // Multi-cloud pushes to the primary registry (ECR); GKE pulls the replicated copy under the same repository path.
  const imagesModule = moduleOf(input, input.cloud === 'multi-cloud' ? 'aws' : input.cloud);
  const images = Object.fromEntries(Object.keys(input.image_repositories).map((k) => [k, { repository: indexPath(`module.${imagesModule}.image_repository_urls`, [k]) }]));
  const infrastructure = Object.fromEntries(
    input.infra_values.map((v) => [v.key, 'variable' in v.source ? ref(`var.${v.source.variable}`) : indexPath(`module.${moduleOf(input, v.source.cloud)}.${v.source.output}`, v.source.path)]),
  );
  return { images, infrastructure };
}

/** The leaf paths helm_values sets (for the cross-check against the chart's values.yaml). */
export function helmValueLeaves(input: TerraformInput): string[][] {
  return [...Object.keys(input.image_repositories).map((k) => ['images', k, 'repository']), ...input.infra_values.map((v) => ['infrastructure', v.key])];
}

function outputsTf(input: TerraformInput): HclBody {
  const calls = platformCalls(input.cloud);
  const single = calls.length === 1;
  const platform = calls.flatMap((c) => PLATFORM_OUTPUTS.map((o) => output(single ? o : `${c.cloud}_${o}`, single ? PLATFORM_OUTPUT_DESCRIPTIONS[o] : `${c.cloud.toUpperCase()}: ${PLATFORM_OUTPUT_DESCRIPTIONS[o]}`, ref(`module.${c.module}.${o}`))));
  return [
    ...platform,
    ...(single ? [] : sharedDnsOutputs()),
    comment('terraform output -json helm_values > values-terraform.yaml; helm upgrade -f values-<env>.yaml -f values-terraform.yaml'),
    output('helm_values', 'Helm values only Terraform knows: image repositories and the infrastructure placeholders of the chart', helmValues(input)),
  ];
}

/** Plain data for a tfvars object: the fields of the node_pools variable type, in its order. */
function nodePoolsValue(input: TerraformInput, cloud: Cloud, env: Environment): HclValue {
  const pools = poolsForEnv(input.node_pools[cloud] ?? [], env, input.min_spot_pct);
  return Object.fromEntries(
    pools.map((p) => [
      p.key,
      {
        workload: p.workload,
        machine_type: p.machine_type,
        min_nodes: p.min_nodes,
        max_nodes: p.max_nodes,
        spot: p.spot,
        gpus_per_node: p.gpus_per_node,
        gpu_type: p.gpu_type,
        taints: p.taints.map((t) => ({ key: t.key, value: t.value, effect: t.effect })),
        labels: p.labels,
      },
    ]),
  );
}

function cidr(env: Environment, offset = 0): string {
  return `10.${ENV_OCTET[env] + offset}.0.0/16`;
}

function tfvars(input: TerraformInput, env: Environment): HclBody {
  const calls = platformCalls(input.cloud);
  const primary = calls[0]!.cloud;
  const second = calls[1];
  const body: HclBody = [
    attr('name', input.name),
    attr('environment', env),
    attr('region', regionOf(input, primary)),
    second ? attr('gcp_region', regionOf(input, second.cloud)) : undefined,
    input.cloud === 'gcp' || input.cloud === 'multi-cloud' ? comment('project_id = "…"  # the GCP project of this environment, or TF_VAR_project_id') : undefined,
    attr('tags', costTags(input, env) as unknown as HclValue),
    attr('network_cidr', cidr(env)),
    second ? attr('gcp_network_cidr', cidr(env, SECOND_CLOUD_OFFSET)) : undefined,
    second ? comment('Replace example.com with a domain you delegate to the zone (see the dns_name_servers output).') : undefined,
    second ? attr('dns_zone', env === 'prod' ? `${input.name}.example.com` : `${env}.${input.name}.example.com`) : undefined,
    attr('kubernetes_version', input.kubernetes_version),
    comment(
      env === 'prod'
        ? 'Node pools as designed (see nodePoolSummary in the mlops-engineer document).'
        : env === 'staging'
          ? 'Staging: half the production node bounds (same topology at lower cost); fallbacks keep the spot share.'
          : 'Dev: one node and at most two per pool; fallbacks keep the spot share.',
    ),
    attr('node_pools', nodePoolsValue(input, primary, env)),
    second ? attr('gcp_node_pools', nodePoolsValue(input, second.cloud, env)) : undefined,
    attr('bucket_prefix', bucketPrefix(input.name, env)),
    attr('buckets', Object.fromEntries(input.buckets.map((b) => [b.layer, { retention_days: b.retention_days, cool_after_days: b.cool_after_days, versioned: b.versioned }]))),
    attr('image_repositories', input.image_repositories),
    attr(
      'workload_identities',
      Object.fromEntries(input.identities.map((i) => [i.role, { namespace: i.namespace, service_account: i.service_account, buckets_read: i.buckets_read, buckets_write: i.buckets_write, secrets: i.secrets }])),
    ),
    attr('secrets', Object.fromEntries(input.secrets.map((s) => [s.name, { description: s.description, keys: s.keys }]))),
    attr('rwx_file_system', input.rwx_file_system),
    ...input.infra_values.flatMap((v) => ('variable' in v.source ? [comment(`${v.description}: replace the placeholder.`), attr(v.source.variable, v.placeholder)] : [])),
  ];
  return body;
}

/** envs/<env>/ of every environment of the input. `modules` are the generated modules (their providers are pinned in the roots too). */
export function envRoots(input: TerraformInput, modules: readonly TerraformFile[]): TerraformFile[] {
  const providers = new Set<ProviderName>(modulesProviders(modules));
  if (input.cloud === 'multi-cloud') providers.add('aws');
  const pinned = (Object.keys(PROVIDERS) as ProviderName[]).filter((p) => providers.has(p));
  const variables = [...platformVariables(), ...extraVariables(input), ...infraVariables(input)];
  const files: TerraformFile[] = [];
  for (const env of input.environments.length > 0 ? input.environments : ENVIRONMENTS) {
    const dir = envDir(env);
    files.push(
      tfFile(`${dir}/versions.tf`, [comment(backendComment(input)), ...versionsTf(pinned, backend(input, env))], `${env}: Terraform, providers and remote state`),
      tfFile(`${dir}/providers.tf`, providersTf(input), `${env}: provider configuration`),
      tfFile(`${dir}/variables.tf`, variables.map(variable), `${env}: inputs (values in terraform.tfvars)`),
      tfFile(`${dir}/main.tf`, mainTf(input), `${env}: the platform of ${input.cloud}`),
      tfFile(`${dir}/outputs.tf`, outputsTf(input), `${env}: outputs, including helm_values for the Helm chart`),
      tfFile(`${dir}/terraform.tfvars`, tfvars(input, env), `${env}: the figures of this environment`),
    );
  }
  return files;
}
