import { describe, expect, it } from 'vitest';
import { awsModules } from '../../../src/generators/terraform/aws.js';
import { envRoots, helmValueLeaves } from '../../../src/generators/terraform/envs.js';
import { generateTerraform } from '../../../src/generators/terraform/index.js';
import { PLATFORM_OUTPUTS, PLATFORM_VARIABLES, TERRAFORM_ROOT, type NodePoolPlan, type TerraformInput } from '../../../src/generators/terraform/types.js';
import { blocksOf, checkReferences, contentOf, moduleCalls, namesIn, parseAll, sampleInput } from './parsed.js';

const PROD = `${TERRAFORM_ROOT}/envs/prod`;

function multiInput(): TerraformInput {
  const base = sampleInput();
  const gcpPools: NodePoolPlan[] = base.node_pools.aws!.map((p) => ({ ...p, machine_type: p.machine_type.replace(/^m6i\.(\w+)$/, 'n2-standard-$1').replace('xlarge', '4') }));
  return {
    ...base,
    cloud: 'multi-cloud',
    owner: 'Payments ML',
    regions: { aws: 'us-east-1', gcp: 'europe-west4' },
    node_pools: { aws: base.node_pools.aws, gcp: gcpPools },
    secrets_backend: 'vault',
    secrets: [],
    identities: base.identities.map((i) => ({ ...i, secrets: [] })),
    infra_values: [
      ...base.infra_values,
      { key: 'servingGcpServiceAccount', placeholder: 'fraud-scoring-serving@project-id.iam.gserviceaccount.com', description: 'GSA of serving', source: { cloud: 'gcp', output: 'workload_identity_annotations', path: ['serving', 'iam.gke.io/gcp-service-account'] } },
    ],
  };
}

describe('multi-cloud env roots', () => {
  const input = multiInput();
  const roots = envRoots(input, awsModules(input));

  it('call platform-aws and platform-gcp with the same inputs, but for region, address range and machine types', async () => {
    const parsed = await parseAll(roots);
    const calls = moduleCalls(parsed, PROD);
    expect(Object.keys(calls).sort()).toEqual(['platform_aws', 'platform_gcp']);
    expect(calls.platform_aws!.source).toBe('../../modules/platform-aws');
    expect(calls.platform_gcp!.source).toBe('../../modules/platform-gcp');
    for (const call of Object.values(calls)) {
      const { source: _source, ...inputs } = call;
      expect(Object.keys(inputs).sort()).toEqual([...PLATFORM_VARIABLES].sort());
    }
    const differing = PLATFORM_VARIABLES.filter((v) => calls.platform_aws![v] !== calls.platform_gcp![v]);
    expect(differing).toEqual(['region', 'network_cidr', 'node_pools']);
    expect(calls.platform_gcp).toMatchObject({ region: '${var.gcp_region}', network_cidr: '${var.gcp_network_cidr}', node_pools: '${var.gcp_node_pools}' });
  });

  it('state the shared pieces: one S3 state for both clouds, one Route 53 zone with a record per cluster', async () => {
    const versions = contentOf(roots, `${PROD}/versions.tf`);
    expect(versions).toContain('# Shared piece: the state of BOTH clouds lives in one S3 bucket');
    expect(versions).toContain('backend "s3" {');
    expect(versions).toContain('use_lockfile = true');
    const main = contentOf(roots, `${PROD}/main.tf`);
    expect(main).toContain('# Shared piece: ONE DNS zone for both clouds');
    const parsed = await parseAll(roots);
    const dns = blocksOf(parsed, 'resource', '/envs/prod/').map((r) => `${r.type}.${r.name}`);
    expect(dns).toEqual(['aws_route53_record.api_aws', 'aws_route53_record.api_gcp', 'aws_route53_zone.shared']);
    expect(main).toContain('records = [trimprefix(module.platform_aws.cluster_endpoint, "https://")]');
    expect(main).toContain('records = [trimprefix(module.platform_gcp.cluster_endpoint, "https://")]');
  });

  it('configure both providers, each cloud in its own region, with the same cost tags (GCP label form, valid on AWS too)', async () => {
    const providers = contentOf(roots, `${PROD}/providers.tf`);
    expect(providers).toContain('provider "aws"');
    expect(providers).toContain('provider "google"');
    expect(providers).toMatch(/region\s+= var.gcp_region/);
    const parsed = await parseAll(roots);
    const vars = parsed.get(`${PROD}/terraform.tfvars`)!;
    expect(vars.region).toBe('us-east-1');
    expect(vars.gcp_region).toBe('europe-west4');
    expect((vars.tags as Record<string, string>).team).toBe('payments_ml');
    expect(vars.network_cidr).not.toBe(vars.gcp_network_cidr);
    expect(Object.values(vars.gcp_node_pools as Record<string, { machine_type: string }>).map((p) => p.machine_type)).not.toContain('m6i.xlarge');
    expect(vars.secrets).toEqual({});
  });

  it('output both clouds\' platform outputs, the shared zone, and helm_values with both clouds\' identities', async () => {
    const parsed = await parseAll(roots);
    const outputs = namesIn(parsed, PROD, 'output');
    for (const o of PLATFORM_OUTPUTS) expect(outputs).toEqual(expect.arrayContaining([`aws_${o}`, `gcp_${o}`]));
    expect(outputs).toEqual(expect.arrayContaining(['dns_zone_id', 'dns_name_servers', 'helm_values']));
    const out = contentOf(roots, `${PROD}/outputs.tf`);
    expect(out).toContain('servingRoleArn           = module.platform_aws.workload_identity_annotations["serving"]["eks.amazonaws.com/role-arn"]');
    expect(out).toContain('servingGcpServiceAccount = module.platform_gcp.workload_identity_annotations["serving"]["iam.gke.io/gcp-service-account"]');
    expect(out).toContain('repository = module.platform_aws.image_repository_urls["server"]');
    expect(helmValueLeaves(input)).toContainEqual(['infrastructure', 'servingGcpServiceAccount']);
  });

  it('validate the second cloud\'s inputs: its range differs from the first, its region is a GCP region', () => {
    const vars = contentOf(roots, `${PROD}/variables.tf`);
    expect(vars).toContain('condition     = var.gcp_network_cidr != var.network_cidr');
    expect(vars).toContain('variable "gcp_node_pools"');
    expect(vars).toContain('alltrue([for p in values(var.gcp_node_pools) : p.min_nodes >= 0 && p.min_nodes <= p.max_nodes])');
  });
});

describe('generateTerraform (multi-cloud)', () => {
  it('gives the AWS and GCP modules and env roots whose every reference resolves', async () => {
    const files = generateTerraform(multiInput());
    expect(files.some((f) => f.path.includes('/modules/platform-aws/'))).toBe(true);
    expect(files.some((f) => f.path.includes('/modules/platform-gcp/'))).toBe(true);
    const parsed = await parseAll(files);
    expect(checkReferences(files, parsed)).toEqual([]);
  });

  it('is deterministic', () => {
    expect(generateTerraform(multiInput())).toEqual(generateTerraform(multiInput()));
  });
});
