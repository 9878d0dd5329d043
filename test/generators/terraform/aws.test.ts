import { describe, expect, it } from 'vitest';
import { awsModules } from '../../../src/generators/terraform/aws.js';
import { generateTerraform } from '../../../src/generators/terraform/index.js';
import { PLATFORM_OUTPUTS, PLATFORM_VARIABLES, TERRAFORM_ROOT } from '../../../src/generators/terraform/types.js';
import { blocksOf, checkReferences, contentOf, dirsOf, moduleCalls, namesIn, parseAll, sampleInput } from './parsed.js';

const MODULES = `${TERRAFORM_ROOT}/modules`;

/** AWS resource types that take no `tags` argument (sub-resources of a tagged parent, associations, attachments). */
const NOT_TAGGABLE = new Set([
  'aws_route',
  'aws_route_table_association',
  'aws_iam_role_policy_attachment',
  'aws_iam_role_policy',
  'aws_s3_bucket_public_access_block',
  'aws_s3_bucket_ownership_controls',
  'aws_s3_bucket_server_side_encryption_configuration',
  'aws_s3_bucket_versioning',
  'aws_s3_bucket_lifecycle_configuration',
  'aws_efs_mount_target',
  'aws_ecr_lifecycle_policy',
  'aws_route53_record',
]);

describe('AWS modules', () => {
  const files = awsModules(sampleInput());

  it('lay out modules/aws-<component> and modules/platform-aws, each with versions, variables, main and outputs', () => {
    expect(dirsOf(files).sort()).toEqual(['aws-cluster', 'aws-identity', 'aws-network', 'aws-registry', 'aws-secrets', 'aws-storage', 'platform-aws'].map((d) => `${MODULES}/${d}`));
    for (const dir of dirsOf(files)) expect(files.filter((f) => f.path.startsWith(`${dir}/`)).map((f) => f.path.slice(dir.length + 1))).toEqual(['versions.tf', 'variables.tf', 'main.tf', 'outputs.tf']);
  });

  it('are accepted by HashiCorp\'s HCL parser, and every reference and module input resolves', async () => {
    const parsed = await parseAll(files);
    expect(checkReferences(files, parsed)).toEqual([]);
  });

  it('are read back by the parser in the source order of their variables (the platform interface order)', () => {
    const vars = [...contentOf(files, `${MODULES}/platform-aws/variables.tf`).matchAll(/^variable "([a-z_]+)"/gm)].map((m) => m[1]);
    expect(vars).toEqual([...PLATFORM_VARIABLES]);
    const outs = [...contentOf(files, `${MODULES}/platform-aws/outputs.tf`).matchAll(/^output "([a-z_]+)"/gm)].map((m) => m[1]);
    expect(outs).toEqual([...PLATFORM_OUTPUTS]);
  });

  it('platform-aws declares exactly the platform variables and outputs exactly the platform outputs', async () => {
    const parsed = await parseAll(files);
    expect(namesIn(parsed, `${MODULES}/platform-aws`, 'variable').sort()).toEqual([...PLATFORM_VARIABLES].sort());
    expect(namesIn(parsed, `${MODULES}/platform-aws`, 'output').sort()).toEqual([...PLATFORM_OUTPUTS].sort());
    expect(Object.keys(moduleCalls(parsed, `${MODULES}/platform-aws`)).sort()).toEqual(['cluster', 'identity', 'network', 'registry', 'secrets', 'storage']);
  });

  it('types and describes every variable, and pins the providers every module uses', async () => {
    const parsed = await parseAll(files);
    for (const [path, json] of parsed) {
      for (const [name, bodies] of Object.entries((json.variable ?? {}) as Record<string, Record<string, unknown>[]>)) {
        expect(bodies[0]!.type, `${path} ${name}`).toBeTruthy();
        expect(String(bodies[0]!.description).length, `${path} ${name}`).toBeGreaterThan(10);
      }
    }
    for (const dir of dirsOf(files)) {
      const versions = contentOf(files, `${dir}/versions.tf`);
      expect(versions).toMatch(/required_version = ">= 1\.\d+\.\d+"/);
      expect(versions).toContain('source  = "hashicorp/aws"');
      expect(versions).toMatch(/version = "~> 5\.\d+"/);
    }
    expect(contentOf(files, `${MODULES}/aws-cluster/versions.tf`)).toContain('hashicorp/tls');
  });

  it('puts the cost tags (var.tags) on every AWS resource that takes tags, and on the instances and volumes of every node group', async () => {
    const parsed = await parseAll(files);
    const resources = blocksOf(parsed);
    expect(resources.length).toBeGreaterThan(30);
    for (const r of resources) {
      if (NOT_TAGGABLE.has(r.type)) continue;
      expect(String(r.body.tags), `${r.type}.${r.name} in ${r.path}`).toContain('var.tags');
    }
    const template = resources.find((r) => r.type === 'aws_launch_template')!;
    const specs = template.body.tag_specifications as { resource_type: string; tags: string }[];
    expect(specs.map((s) => s.resource_type)).toEqual(['instance', 'volume']);
    for (const s of specs) expect(s.tags).toContain('var.tags');
  });

  it('creates Secrets Manager containers only: no secret version or value anywhere', () => {
    const all = files.map((f) => f.content).join('\n');
    expect(all).not.toContain('aws_secretsmanager_secret_version');
    expect(all).not.toMatch(/secret_string|secret_binary/);
    const secrets = contentOf(files, `${MODULES}/aws-secrets/main.tf`);
    expect(secrets).toContain('resource "aws_secretsmanager_secret" "this"');
    expect(secrets).toContain('recovery_window_in_days = var.recovery_window_days');
  });

  it('network: a VPC over three zones with private and public subnets tagged for load balancers and Karpenter, NAT and routes', async () => {
    const parsed = await parseAll(files);
    const net = blocksOf(parsed, 'resource', 'aws-network');
    const types = net.map((r) => `${r.type}.${r.name}`);
    expect(types).toEqual(expect.arrayContaining(['aws_vpc.this', 'aws_subnet.private', 'aws_subnet.public', 'aws_internet_gateway.this', 'aws_nat_gateway.this', 'aws_eip.nat', 'aws_route_table.private', 'aws_route.private_nat']));
    const main = contentOf(files, `${MODULES}/aws-network/main.tf`);
    expect(main).toContain('data "aws_availability_zones" "available"');
    expect(main).toContain('"kubernetes.io/role/internal-elb" = "1"');
    expect(main).toContain('"kubernetes.io/role/elb" = "1"');
    expect(main).toContain('"karpenter.sh/discovery"');
    // Production gets a NAT gateway per zone, the others one.
    expect(contentOf(files, `${MODULES}/platform-aws/main.tf`)).toContain('nat_gateway_count    = var.environment == "prod" ? 3 : 1');
  });

  it('cluster: EKS with an OIDC provider for IRSA and one managed node group per pool, spot or on-demand, the NVIDIA AMI on GPU pools', () => {
    const main = contentOf(files, `${MODULES}/aws-cluster/main.tf`);
    expect(main).toContain('resource "aws_eks_cluster" "this"');
    expect(main).toContain('data "tls_certificate" "oidc"');
    expect(main).toContain('thumbprint_list = [data.tls_certificate.oidc.certificates[0].sha1_fingerprint]');
    expect(main).toContain('resource "aws_iam_openid_connect_provider" "this"');
    expect(main).toContain('for_each        = var.node_pools');
    expect(main).toContain('capacity_type   = each.value.spot ? "SPOT" : "ON_DEMAND"');
    expect(main).toContain('"AL2023_x86_64_NVIDIA"');
    // Spot pools list the same size in several families.
    expect(main).toMatch(/m6i = \["m6a", "m5", "m7i"\]/);
    expect(main).toContain('dynamic "taint"');
    expect(main).toContain('encryption_config');
  });

  it('storage: a private, encrypted bucket per layer named <bucket_prefix>-<layer>, lifecycle from retention, EFS when asked', () => {
    const main = contentOf(files, `${MODULES}/aws-storage/main.tf`);
    expect(main).toContain('bucket   = "${var.bucket_prefix}-${each.key}"');
    expect(main).toContain('restrict_public_buckets = true');
    expect(main).toContain('sse_algorithm = "aws:kms"');
    expect(main).toContain('storage_class = "STANDARD_IA"');
    expect(main).toMatch(/dynamic "expiration" \{\n\s+for_each = each.value.retention_days == null \? \[\] : \[each.value.retention_days\]/);
    expect(main).toContain('{ for k, b in var.buckets : k => b if b.versioned }');
    expect(main).toContain('resource "aws_efs_file_system" "shared"');
    expect(main).toContain('resource "aws_efs_mount_target" "shared"');
    expect(main).toContain('from_port         = 2049');
    // S3 refuses STANDARD_IA before 30 days: the variable says so before AWS does.
    expect(contentOf(files, `${MODULES}/aws-storage/variables.tf`)).toContain('b.cool_after_days >= 30');
  });

  it('registry: immutable, scanned ECR repositories with a lifecycle policy built by jsonencode', () => {
    const main = contentOf(files, `${MODULES}/aws-registry/main.tf`);
    expect(main).toContain('image_tag_mutability = "IMMUTABLE"');
    expect(main).toContain('scan_on_push = true');
    expect(main).toMatch(/policy\s+= jsonencode\(\{/);
    expect(main).toContain('countType   = "imageCountMoreThan"');
  });

  it('identity: an IRSA role per identity trusted only by its ServiceAccount, with access to exactly its layers and secrets', () => {
    const main = contentOf(files, `${MODULES}/aws-identity/main.tf`);
    expect(main).toContain('values   = ["system:serviceaccount:${each.value.namespace}:${each.value.service_account}"]');
    expect(main).toContain('variable = "${var.oidc_issuer_host}:aud"');
    expect(main).toContain('resources = [for l in statement.value : "${var.bucket_arns[l]}/*"]');
    expect(main).toContain('resources = [for s in statement.value : var.secret_arns[s]]');
    expect(main).toContain('"secretsmanager:GetSecretValue"');
    expect(main).not.toMatch(/"s3:\*"|"secretsmanager:\*"|"\*"/);
  });

  it('are generic: the same module files for any input (the figures arrive through the env roots)', () => {
    const other = awsModules(sampleInput({ name: 'other-pipeline', owner: 'someone else', min_spot_pct: 90 }));
    expect(other).toEqual(files);
  });
});

describe('generateTerraform (aws)', () => {
  it('is deterministic: the same input gives the same bytes', () => {
    expect(generateTerraform(sampleInput())).toEqual(generateTerraform(sampleInput()));
  });

  it('gives AWS modules and env roots, and nothing of another cloud', () => {
    const files = generateTerraform(sampleInput());
    expect(files.some((f) => f.path.includes('/modules/platform-aws/'))).toBe(true);
    expect(files.some((f) => f.path.includes('/envs/prod/'))).toBe(true);
    const all = files.map((f) => f.content).join('\n');
    expect(all).not.toMatch(/resource "(google|azurerm)_/);
  });

  it('keeps a hostile team.owner as data: ${…}, quotes and newlines never become Terraform syntax', async () => {
    const owner = 'team ${var.secrets} "x"\n%{ for a in b }ml';
    for (const cloud of ['aws', 'azure'] as const) {
      const files = generateTerraform(sampleInput({ owner, cloud, ...(cloud === 'azure' ? { infra_values: [], rwx_file_system: false } : {}) }));
      const parsed = await parseAll(files.filter((f) => f.path.includes('/envs/')));
      const tags = (parsed.get(`${TERRAFORM_ROOT}/envs/prod/terraform.tfvars`)!.tags ?? {}) as Record<string, string>;
      // The parser returns literal text with the template sequences still escaped: no interpolation happened.
      expect(tags.team).not.toMatch(/(^|[^$])\$\{/);
      expect(tags.team).not.toMatch(/(^|[^%])%\{/);
      expect(tags.team).toContain('ml');
    }
  });
});
