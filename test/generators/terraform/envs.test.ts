import { describe, expect, it } from 'vitest';
import { awsModules } from '../../../src/generators/terraform/aws.js';
import { bucketPrefix, envRoots, helmValueLeaves, stateStorageAccount } from '../../../src/generators/terraform/envs.js';
import { generateTerraform, terraformFilePurpose } from '../../../src/generators/terraform/index.js';
import { poolsForEnv, spotShare } from '../../../src/generators/terraform/nodePools.js';
import { awsTagValue, azureTagValue, costTags, gcpLabelValue } from '../../../src/generators/terraform/tags.js';
import { PLATFORM_OUTPUTS, PLATFORM_VARIABLES, TERRAFORM_ROOT, type CloudOption, type NodePoolPlan } from '../../../src/generators/terraform/types.js';
import { checkReferences, contentOf, moduleCalls, namesIn, parseAll, sampleInput, type Parsed } from './parsed.js';

const ENVS = `${TERRAFORM_ROOT}/envs`;

/** Env roots alone (no modules), for clouds whose modules another generator writes. */
function rootsFor(cloud: CloudOption) {
  const input = sampleInput({ cloud, regions: {}, infra_values: cloud === 'azure' || cloud === 'gcp' ? [] : sampleInput().infra_values, node_pools: { aws: sampleInput().node_pools.aws, gcp: sampleInput().node_pools.aws, azure: sampleInput().node_pools.aws } });
  return envRoots(input, []);
}

/** Leaf paths of a parsed object (a string is a leaf). */
function leavesOf(value: unknown, path: string[] = []): string[][] {
  if (value && typeof value === 'object' && !Array.isArray(value)) return Object.entries(value).flatMap(([k, v]) => leavesOf(v, [...path, k]));
  return [path];
}

function tfvars(parsed: Map<string, Parsed>, env: string): Record<string, unknown> {
  return parsed.get(`${ENVS}/${env}/terraform.tfvars`)!;
}

describe('env roots', () => {
  const input = sampleInput();
  const files = generateTerraform(input);

  it('give each environment versions, providers, variables, main, outputs and terraform.tfvars', () => {
    for (const env of ['dev', 'staging', 'prod']) {
      expect(files.filter((f) => f.path.startsWith(`${ENVS}/${env}/`)).map((f) => f.path.slice(`${ENVS}/${env}/`.length))).toEqual(['versions.tf', 'providers.tf', 'variables.tf', 'main.tf', 'outputs.tf', 'terraform.tfvars']);
    }
  });

  it('call platform-aws with exactly the platform variables, each from the root variable of the same name', async () => {
    const parsed = await parseAll(files);
    expect(checkReferences(files, parsed)).toEqual([]);
    for (const env of ['dev', 'staging', 'prod']) {
      const calls = moduleCalls(parsed, `${ENVS}/${env}`);
      expect(Object.keys(calls)).toEqual(['platform']);
      const { source, ...inputs } = calls.platform!;
      expect(source).toBe('../../modules/platform-aws');
      expect(Object.keys(inputs).sort()).toEqual([...PLATFORM_VARIABLES].sort());
      for (const [k, v] of Object.entries(inputs)) expect(v).toBe(`\${var.${k}}`);
    }
  });

  it('set every root variable without a default in terraform.tfvars, and only declared ones', async () => {
    const parsed = await parseAll(files);
    for (const env of ['dev', 'staging', 'prod']) {
      const declared = namesIn(parsed, `${ENVS}/${env}`, 'variable');
      const values = Object.keys(tfvars(parsed, env));
      expect(values.every((v) => declared.includes(v))).toBe(true);
      expect(values.sort()).toEqual([...PLATFORM_VARIABLES].sort());
    }
  });

  it('keep state in S3 per environment, encrypted and locked by an S3 lock file', () => {
    const versions = contentOf(files, `${ENVS}/staging/versions.tf`);
    expect(versions).toContain('backend "s3" {');
    expect(versions).toContain('bucket       = "fraud-scoring-tfstate"');
    expect(versions).toContain('key          = "staging/terraform.tfstate"');
    expect(versions).toContain('region       = "eu-west-1"');
    expect(versions).toContain('encrypt      = true');
    expect(versions).toContain('use_lockfile = true');
    // The root pins every provider its modules use.
    expect(versions).toContain('source  = "hashicorp/aws"');
    expect(versions).toContain('source  = "hashicorp/tls"');
  });

  it('tag every AWS resource through the provider default_tags with the cost tags of the environment', async () => {
    expect(contentOf(files, `${ENVS}/prod/providers.tf`)).toMatch(/provider "aws" \{\n\s+region = var.region\n[\s\S]*default_tags \{\n\s+tags = var.tags/);
    const parsed = await parseAll(files);
    expect(tfvars(parsed, 'dev').tags).toEqual({ team: 'payments-ml', pipeline: 'fraud-scoring', environment: 'dev', 'managed-by': 'terraform', 'cost-center': 'fraud-scoring-ml' });
    expect((tfvars(parsed, 'prod').tags as Record<string, string>).environment).toBe('prod');
  });

  it('name buckets <name>-<layer> in prod, as the rest of the bundle does, and <name>-<env>-<layer> elsewhere', async () => {
    const parsed = await parseAll(files);
    expect(tfvars(parsed, 'prod').bucket_prefix).toBe('fraud-scoring');
    expect(tfvars(parsed, 'staging').bucket_prefix).toBe('fraud-scoring-staging');
    expect(tfvars(parsed, 'dev').bucket_prefix).toBe('fraud-scoring-dev');
    const long = 'a'.repeat(40);
    for (const env of ['dev', 'staging', 'prod'] as const) expect(bucketPrefix(long, env)).toMatch(/^[a-z0-9][a-z0-9-]{1,45}$/);
    expect(tfvars(parsed, 'prod').buckets).toEqual({
      raw: { retention_days: 180, cool_after_days: 30, versioned: false },
      processed: { retention_days: 365, cool_after_days: 30, versioned: false },
      features: { retention_days: 395, cool_after_days: 30, versioned: false },
      models: { retention_days: null, cool_after_days: null, versioned: true },
    });
  });

  it('size node pools per environment: prod as designed, staging half, dev at most two nodes, spot share kept', async () => {
    const parsed = await parseAll(files);
    const pools = (env: string) => tfvars(parsed, env).node_pools as Record<string, { min_nodes: number; max_nodes: number; spot: boolean }>;
    expect(pools('prod').serving).toMatchObject({ min_nodes: 2, max_nodes: 6 });
    expect(pools('staging').serving).toMatchObject({ min_nodes: 1, max_nodes: 3 });
    expect(pools('dev').serving).toMatchObject({ min_nodes: 1, max_nodes: 2 });
    expect(pools('prod')['training-od']).toMatchObject({ spot: false, max_nodes: 4 });
    for (const env of ['dev', 'staging', 'prod'] as const) {
      const share = spotShare(poolsForEnv(input.node_pools.aws!, env, input.min_spot_pct));
      expect(share.spot_pct, env).toBeGreaterThanOrEqual(input.min_spot_pct);
      expect(Object.keys(pools(env)).sort()).toEqual(poolsForEnv(input.node_pools.aws!, env, input.min_spot_pct).map((p) => p.key).sort());
    }
  });

  it('say what each file is for', () => {
    expect(terraformFilePurpose(`${ENVS}/prod/versions.tf`)).toBe('Terraform root of prod: versions and remote state backend');
    expect(terraformFilePurpose(`${TERRAFORM_ROOT}/modules/aws-storage/main.tf`)).toBe('Terraform module aws-storage: resources and module calls');
    for (const f of files) expect(terraformFilePurpose(f.path)).not.toMatch(/undefined/);
  });

  it('give distinct, non-overlapping address ranges per environment', async () => {
    const parsed = await parseAll(files);
    expect(['dev', 'staging', 'prod'].map((e) => tfvars(parsed, e).network_cidr)).toEqual(['10.42.0.0/16', '10.41.0.0/16', '10.40.0.0/16']);
  });

  it('output every platform output and helm_values: images.<key>.repository and infrastructure.<key> from the platform outputs', async () => {
    const parsed = await parseAll(files);
    const outputs = namesIn(parsed, `${ENVS}/prod`, 'output');
    expect(outputs.sort()).toEqual([...PLATFORM_OUTPUTS, 'helm_values'].sort());
    const out = contentOf(files, `${ENVS}/prod/outputs.tf`);
    expect(out).toContain('repository = module.platform.image_repository_urls["server"]');
    expect(out).toContain('servingRoleArn  = module.platform.workload_identity_annotations["serving"]["eks.amazonaws.com/role-arn"]');
    expect(out).toContain('rwxFileSystemId = module.platform.rwx_file_system_id');
    expect(helmValueLeaves(input)).toEqual([
      ['images', 'server', 'repository'],
      ['images', 'jobs', 'repository'],
      ['infrastructure', 'servingRoleArn'],
      ['infrastructure', 'rwxFileSystemId'],
    ]);
    // helm_values' own leaves, read from the parsed output, are exactly helmValueLeaves.
    const value = (parsed.get(`${ENVS}/prod/outputs.tf`)!.output as Record<string, { value: unknown }[]>).helm_values![0]!.value;
    const key = (l: string[]) => l.join('.');
    expect(leavesOf(value).map(key).sort()).toEqual(helmValueLeaves(input).map(key).sort());
  });

  it('leave the platform modules alone: every module input is declared (checked with the AWS modules)', async () => {
    const parsed = await parseAll([...awsModules(input), ...envRoots(input, awsModules(input))]);
    expect(checkReferences([...awsModules(input), ...envRoots(input, awsModules(input))], parsed)).toEqual([]);
  });
});

describe('env roots per cloud', () => {
  it('gcp: GCS state per environment, the google provider with default_labels and a validated project_id', async () => {
    const files = rootsFor('gcp');
    await parseAll(files);
    const versions = contentOf(files, `${ENVS}/prod/versions.tf`);
    expect(versions).toContain('backend "gcs" {');
    expect(versions).toContain('bucket = "fraud-scoring-tfstate"');
    expect(versions).toContain('prefix = "prod"');
    const providers = contentOf(files, `${ENVS}/prod/providers.tf`);
    expect(providers).toContain('provider "google"');
    expect(providers).toContain('default_labels = var.tags');
    expect(contentOf(files, `${ENVS}/prod/variables.tf`)).toContain('variable "project_id"');
    expect(contentOf(files, `${ENVS}/prod/main.tf`)).toContain('source              = "../../modules/platform-gcp"');
    expect(contentOf(files, `${ENVS}/prod/terraform.tfvars`)).toMatch(/^region\s+= "us-central1"$/m);
  });

  it('azure: azurerm state in a ≤ 24-character storage account, storage through Resource Manager and Entra ID, and an optional subscription', async () => {
    const files = rootsFor('azure');
    await parseAll(files);
    const versions = contentOf(files, `${ENVS}/dev/versions.tf`);
    expect(versions).toContain('backend "azurerm" {');
    expect(versions).toContain('resource_group_name  = "fraud-scoring-tfstate"');
    expect(versions).toContain(`storage_account_name = "${stateStorageAccount('fraud-scoring')}"`);
    expect(versions).toContain('key                  = "dev.terraform.tfstate"');
    expect(stateStorageAccount('a'.repeat(40))).toMatch(/^[a-z0-9]{3,24}$/);
    expect(stateStorageAccount('fraud-scoring')).toBe('fraudscoringtfstate');
    expect(contentOf(files, `${ENVS}/dev/providers.tf`)).toMatch(/provider "azurerm" \{\n\s+features \{\n\s+storage \{\n\s+data_plane_available = false/);
    expect(contentOf(files, `${ENVS}/dev/providers.tf`)).toContain('storage_use_azuread = true');
    expect(contentOf(files, `${ENVS}/dev/terraform.tfvars`)).toMatch(/^region\s+= "eastus"$/m);
  });

  it('each cloud option changes the backend and provider', () => {
    const backends = (['aws', 'gcp', 'azure', 'multi-cloud'] as const).map((c) => /backend "([a-z0-9]+)"/.exec(contentOf(rootsFor(c), `${ENVS}/prod/versions.tf`))![1]);
    expect(backends).toEqual(['s3', 'gcs', 'azurerm', 's3']);
  });
});

describe('cost tags', () => {
  it('carry team, pipeline, environment, managed-by and cost-center', () => {
    expect(costTags({ name: 'churn', owner: 'Growth ML', cloud: 'aws' }, 'staging')).toEqual({ team: 'Growth ML', pipeline: 'churn', environment: 'staging', 'managed-by': 'terraform', 'cost-center': 'churn-ml' });
  });

  it('are valid for each cloud: GCP labels lowercase [a-z0-9_-] ≤ 63, AWS and Azure without refused characters', () => {
    const owner = 'Équipe ${x} "ML"\n<team>/%&?';
    expect(gcpLabelValue(owner)).toMatch(/^[a-z0-9_-]{1,63}$/);
    expect(gcpLabelValue('x'.repeat(100))).toHaveLength(63);
    expect(awsTagValue(owner)).toMatch(/^[\p{L}\p{N} +\-=._:/@]{1,256}$/u);
    expect(azureTagValue(owner)).not.toMatch(/[<>%&\\?/\n]/);
    // Multi-cloud passes one map to both clouds: the GCP form.
    expect(costTags({ name: 'churn', owner: 'Growth ML', cloud: 'multi-cloud' }, 'prod').team).toBe('growth_ml');
  });

  it('keep what AWS accepts unchanged', () => {
    expect(awsTagValue('payments-ml@corp.example/team:a=b+c d')).toBe('payments-ml@corp.example/team:a=b+c d');
  });
});

describe('node pools across environments', () => {
  const spot: NodePoolPlan = { key: 'training', workload: 'training', machine_type: 'm6i.4xlarge', vcpu_per_node: 16, memory_gib_per_node: 64, min_nodes: 0, max_nodes: 10, spot: true, gpus_per_node: 0, gpu_type: '', taints: [], labels: {} };
  const fallback: NodePoolPlan = { ...spot, key: 'training-od', spot: false, max_nodes: 6, labels: { 'mlops-mcp/fallback-for': 'training' } };

  it('recompute the on-demand fallback from the scaled spot pool so spot stays ≥ min_spot_pct', () => {
    for (const pct of [50, 60, 75, 90, 100]) {
      for (const env of ['dev', 'staging', 'prod'] as const) {
        const pools = poolsForEnv([spot, fallback], env, pct);
        expect(spotShare(pools).spot_pct, `${pct} % ${env}`).toBeGreaterThanOrEqual(pct);
      }
    }
    expect(poolsForEnv([spot, fallback], 'prod', 60).map((p) => [p.key, p.max_nodes])).toEqual([
      ['training', 10],
      ['training-od', 6],
    ]);
    expect(poolsForEnv([spot, fallback], 'staging', 60).map((p) => [p.key, p.max_nodes])).toEqual([
      ['training', 5],
      ['training-od', 3],
    ]);
    expect(poolsForEnv([spot, fallback], 'dev', 60).map((p) => [p.key, p.max_nodes])).toEqual([
      ['training', 2],
      ['training-od', 1],
    ]);
  });
});
