import { beforeAll, describe, expect, it } from 'vitest';
import type { Artifact } from '../../src/artifacts/artifact.js';
import { terraformValidator } from '../../src/validate/validators/terraform.js';

const tf = (path: string, content: string): Artifact => ({ path, kind: 'terraform', phase: 'test', content });

async function check(...files: Artifact[]) {
  const result = await terraformValidator.validate({ artifacts: files, bundle: files, root: '/nonexistent' });
  return Object.fromEntries(result.map((v) => [v.path, v]));
}

const VERSIONS = `terraform {
  required_version = ">= 1.9.0"
  required_providers {
    aws    = { source = "hashicorp/aws", version = "~> 5.80" }
    random = { source = "hashicorp/random", version = "~> 3.6" }
  }
}
`;

/** A small but realistic module: variables, locals, for expressions, a dynamic block, count/each, outputs. */
const MODULE = {
  'infra/modules/storage/versions.tf': VERSIONS,
  'infra/modules/storage/variables.tf': `variable "name" {
  type        = string
  description = "Pipeline name"
  validation {
    condition     = length(var.name) <= 40
    error_message = "At most 40 characters; $\${not_a_ref} stays text."
  }
}

variable "buckets" {
  type = map(object({
    retention_days = optional(number)
    versioned      = bool
  }))
}

variable "tags" {
  type    = map(string)
  default = {}
}
`,
  'infra/modules/storage/main.tf': `locals {
  prefix = "\${var.name}-\${random_id.suffix.hex}"
  tags   = merge(var.tags, { module = "storage" })
  expiring = { for layer, b in var.buckets : layer => b if b.retention_days != null }
}

resource "random_id" "suffix" {
  byte_length = 4
}

resource "aws_s3_bucket" "data" {
  for_each = var.buckets
  bucket   = "\${local.prefix}-\${each.key}"
  tags     = local.tags
}

resource "aws_s3_bucket_lifecycle_configuration" "data" {
  for_each = local.expiring
  bucket   = aws_s3_bucket.data[each.key].id
  dynamic "rule" {
    for_each = each.value.retention_days == null ? [] : [each.value.retention_days]
    content {
      id     = "expire-\${rule.key}"
      status = "Enabled"
      expiration {
        days = rule.value
      }
    }
  }
  lifecycle {
    ignore_changes = [rule]
  }
}

data "aws_iam_policy_document" "read" {
  statement {
    actions   = ["s3:GetObject"]
    resources = [for b in aws_s3_bucket.data : "\${b.arn}/*"]
  }
}
`,
  'infra/modules/storage/outputs.tf': `output "bucket_arns" {
  value = { for k, b in aws_s3_bucket.data : k => b.arn }
}

output "read_policy" {
  value = data.aws_iam_policy_document.read.json
}
`,
};

const ROOT = {
  'infra/envs/prod/versions.tf': VERSIONS,
  'infra/envs/prod/providers.tf': `provider "aws" {
  region = var.region
  default_tags {
    tags = { managed-by = "terraform" }
  }
}
`,
  'infra/envs/prod/variables.tf': `variable "region" {
  type = string
}
`,
  'infra/envs/prod/main.tf': `module "storage" {
  source  = "../../modules/storage"
  name    = "churn"
  buckets = { raw = { retention_days = 30, versioned = false } }
}
`,
  'infra/envs/prod/outputs.tf': `output "buckets" {
  value = module.storage.bucket_arns
}
`,
  'infra/envs/prod/terraform.tfvars': `region = "eu-west-1"
`,
};

const good = (prefix = '') => Object.entries({ ...MODULE, ...ROOT }).map(([p, c]) => tf(prefix + p, c));

/**
 * Every case is the good configuration under cases/<name>/ with one file replaced or added; all cases go through
 * the validator in one run (one hcl2json child process), as a bundle would.
 */
const CASES: Record<string, [path: string, content: string]> = {
  syntax: ['infra/modules/storage/main.tf', 'resource "aws_s3_bucket" "x" {\n  bucket = \n}\n'],
  unknownVar: ['infra/envs/prod/providers.tf', 'provider "aws" {\n  region = var.regoin\n}\n'],
  unknownLocal: ['infra/modules/storage/outputs.tf', 'output "x" {\n  value = [for b in aws_s3_bucket.data : "${local.prefx}-${b.id}"]\n}\n'],
  unknownOutput: ['infra/envs/prod/outputs.tf', 'output "buckets" {\n  value = module.storage.bucket_names\n}\n'],
  moduleInputs: ['infra/envs/prod/main.tf', 'module "storage" {\n  source = "../../modules/storage"\n  name   = "churn"\n  bucket = {}\n}\n'],
  moduleSource: ['infra/envs/prod/main.tf', 'module "storage" {\n  source = "../../modules/storag"\n}\n'],
  duplicateResource: ['infra/modules/storage/extra.tf', 'resource "random_id" "suffix" {\n  byte_length = 8\n}\n'],
  duplicateVariable: ['infra/envs/prod/variables.tf', 'variable "region" {\n  type = string\n}\nvariable "region" {\n  type = string\n}\n'],
  providerVersion: ['infra/modules/storage/versions.tf', VERSIONS.replace('random = { source = "hashicorp/random", version = "~> 3.6" }', 'random = { source = "hashicorp/random" }')],
  providerMissing: ['infra/modules/storage/extra.tf', 'resource "tls_private_key" "k" {\n  algorithm = "ED25519"\n}\n'],
  undeclaredResource: ['infra/modules/storage/extra.tf', 'output "a" {\n  value = aws_s3_bucket.models.arn\n}\noutput "b" {\n  value = data.aws_caller_identity.me.account_id\n}\n'],
  iteratorOutside: ['infra/modules/storage/extra.tf', 'resource "aws_s3_bucket" "x" {\n  bucket = rule.value\n  tags = { a = suffix }\n}\n'],
  tfvars: ['infra/envs/prod/terraform.tfvars', 'region = "eu-west-1"\nzone = "a"\nname = "${var.region}"\n'],
  escaped: ['infra/envs/prod/outputs.tf', 'output "buckets" {\n  value = module.storage.bucket_arns\n}\noutput "doc" {\n  value = "use $${var.nothing} and %%{ if x } literally"\n}\n'],
};

let verdicts: Record<string, { verdict: string; message: string }>;
beforeAll(async () => {
  const files = [...good('good/')];
  for (const [name, [path, content]] of Object.entries(CASES)) {
    const prefix = `cases/${name}/`;
    files.push(...good(prefix).filter((f) => f.path !== prefix + path), tf(prefix + path, content));
  }
  verdicts = await check(...files);
}, 120_000);

/** Verdicts of one case (or of the good configuration), by path inside the case. */
function of(name: string): Record<string, { verdict: string; message: string }> {
  const prefix = name === 'good' ? 'good/' : `cases/${name}/`;
  return Object.fromEntries(Object.entries(verdicts).filter(([p]) => p.startsWith(prefix)).map(([p, v]) => [p.slice(prefix.length), v]));
}

function failures(r: Record<string, { verdict: string; message: string }>) {
  return Object.entries(r).filter(([, v]) => v.verdict !== 'pass').map(([p, v]) => `${p}: ${v.message}`);
}

describe('terraform validator', () => {
  it('is available (hcl2json is a dependency)', async () => {
    expect(await terraformValidator.available()).toMatchObject({ ok: true, version: '0.21.0' });
  });

  it('passes a realistic module and the root that calls it; escaped $${…} is text, not a reference', async () => {
    expect(failures(of('good'))).toEqual([]);
    expect(Object.keys(of('good'))).toHaveLength(10);
  });

  it('rejects a syntax error with file, line and column', async () => {
    const r = of('syntax');
    expect(r['infra/modules/storage/main.tf']!.verdict).toBe('fail');
    expect(r['infra/modules/storage/main.tf']!.message).toMatch(/syntax: .*main\.tf:2,/);
    // Only the broken file fails: references into it from the module's other files, and calls into the module, are not judged.
    expect(failures(r)).toHaveLength(1);
  });

  it('rejects an unknown variable', async () => {
    const r = of('unknownVar');
    expect(r['infra/envs/prod/providers.tf']!.message).toMatch(/provider\.aws: reference to undeclared variable var\.regoin/);
  });

  it('rejects an unknown local, also inside a for expression', async () => {
    const r = of('unknownLocal');
    expect(r['infra/modules/storage/outputs.tf']!.message).toMatch(/output\.x: reference to undeclared local value local\.prefx/);
    expect(r['infra/modules/storage/outputs.tf']!.message).not.toMatch(/\bb\b.*unknown/);
  });

  it('rejects an output the called module does not have', async () => {
    const r = of('unknownOutput');
    expect(r['infra/envs/prod/outputs.tf']!.message).toMatch(/module\.storage\.bucket_names: module \S*infra\/modules\/storage has no output "bucket_names" \(outputs: bucket_arns, read_policy\)/);
  });

  it('rejects a module input the called module does not declare, and a missing required input', async () => {
    const r = of('moduleInputs');
    const message = r['infra/envs/prod/main.tf']!.message;
    expect(message).toMatch(/module\.storage: input "bucket" is not a variable of module \S*infra\/modules\/storage/);
    expect(message).toMatch(/module\.storage: required input "buckets" of module \S*infra\/modules\/storage is not set/);
    // tags has a default: not required.
    expect(message).not.toMatch(/"tags"/);
  });

  it('rejects a module source with no files in the bundle', async () => {
    const r = of('moduleSource');
    expect(r['infra/envs/prod/main.tf']!.message).toMatch(/resolves to \S*infra\/modules\/storag, which holds no \.tf file/);
  });

  it('rejects a resource declared twice across two files of one module, on both files', async () => {
    const r = of('duplicateResource');
    for (const path of ['infra/modules/storage/extra.tf', 'infra/modules/storage/main.tf']) {
      expect(r[path]!.message).toMatch(/random_id\.suffix: duplicate resource "random_id\.suffix": declared 2 times/);
    }
  });

  it('rejects a duplicate variable inside one file', async () => {
    const r = of('duplicateVariable');
    expect(r['infra/envs/prod/variables.tf']!.message).toMatch(/duplicate variable "region"/);
  });

  it('rejects a provider without a version, and a provider missing from required_providers', async () => {
    const r = of('providerVersion');
    expect(r['infra/modules/storage/versions.tf']!.message).toMatch(/required provider "random" has no version constraint/);
    const r2 = of('providerMissing');
    expect(r2['infra/modules/storage/extra.tf']!.message).toMatch(/tls_private_key\.k: provider "tls" is not in required_providers of module \S*infra\/modules\/storage/);
  });

  it('rejects a reference to an undeclared resource or data source', async () => {
    const r = of('undeclaredResource');
    expect(r['infra/modules/storage/extra.tf']!.message).toMatch(/output\.a: reference to undeclared resource aws_s3_bucket\.models/);
    expect(r['infra/modules/storage/extra.tf']!.message).toMatch(/output\.b: reference to undeclared data source data\.aws_caller_identity\.me/);
  });

  it('rejects a dynamic block iterator used outside its block, and a bare unknown name', async () => {
    const r = of('iteratorOutside');
    const message = r['infra/modules/storage/extra.tf']!.message;
    expect(message).toMatch(/reference to undeclared resource rule\.value/);
    expect(message).toMatch(/unknown name "suffix"/);
  });

  it('checks a .tfvars file against its folder\'s variables and rejects expressions in it', async () => {
    const r = of('tfvars');
    const message = r['infra/envs/prod/terraform.tfvars']!.message;
    expect(message).toMatch(/sets "zone", which no \.tf file of \S*infra\/envs\/prod declares/);
    expect(message).toMatch(/the value of "name" is an expression/);
  });

  it('escaped template sequences are never references', async () => {
    const r = of('escaped');
    expect(failures(r)).toEqual([]);
  });
});
