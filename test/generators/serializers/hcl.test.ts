import { parse } from '@cdktf/hcl2json';
import { describe, expect, it } from 'vitest';
import { attr, block, call, comment, escapeString, raw, ref, toHcl, tpl } from '../../../src/generators/serializers/hcl.js';

type Parsed = Record<string, Record<string, Record<string, Record<string, unknown>[]>>>;

async function roundTrip(src: string): Promise<Parsed> {
  return (await parse('test.tf', src)) as Parsed;
}

describe('the HCL serializer', () => {
  it('writes blocks with labels, aligned attributes and nested blocks that HashiCorp’s parser reads back', async () => {
    const src = toHcl([
      block('resource', ['aws_s3_bucket', 'data'], [
        attr('bucket', 'lake-raw'),
        attr('force_destroy', false),
        attr('tags', { Team: 'ml', 'kubernetes.io/role': 'data' }),
        block('lifecycle', [], [attr('prevent_destroy', true)]),
      ]),
    ]);
    expect(src).toContain('resource "aws_s3_bucket" "data" {\n  bucket        = "lake-raw"\n  force_destroy = false');
    const parsed = await roundTrip(src);
    const bucket = parsed.resource!.aws_s3_bucket!.data![0]!;
    expect(bucket.bucket).toBe('lake-raw');
    expect(bucket.tags).toEqual({ Team: 'ml', 'kubernetes.io/role': 'data' });
  });

  it('keeps user text as data: quotes, backslashes, newlines and template sequences are escaped', async () => {
    const evil = 'x" }\nresource "null_resource" "pwn" {\n ${file("/etc/passwd")} %{ if true }\\';
    const src = toHcl([block('variable', ['owner'], [attr('type', raw('string')), attr('default', evil), attr('description', evil)])]);
    const parsed = (await parse('test.tf', src)) as { variable: Record<string, { default: string }[]>; resource?: unknown };
    expect(parsed.resource).toBeUndefined();
    // hcl2json shows the literal after HCL's own unescaping of quotes/newlines; template sequences stay doubled,
    // which Terraform reads as the literal `${` and `%{`.
    expect(parsed.variable.owner![0]!.default).toBe(evil.replace('${', () => '$${').replace('%{', () => '%%{'));
    expect(escapeString('${a}')).toBe('$${a}');
    expect(escapeString('%{a}')).toBe('%%{a}');
  });

  it('writes references, calls and templates as expressions, and refuses anything that is not a reference', async () => {
    const src = toHcl([
      block('resource', ['aws_s3_bucket', 'layer'], [
        attr('for_each', call('toset', ['raw', 'models'])),
        attr('bucket', tpl`${ref('var.bucket_prefix')}-${ref('each.key')}`),
        attr('tags', call('merge', ref('var.tags'), { Layer: ref('each.key') })),
      ]),
    ]);
    expect(src).toContain('bucket   = "${var.bucket_prefix}-${each.key}"');
    expect(src).toContain('tags     = merge(var.tags, {\n    Layer = each.key\n  })');
    await expect(roundTrip(src)).resolves.toBeTruthy();
    expect(() => ref('var.x; rm -rf /')).toThrow(/not a Terraform reference/);
    expect(() => ref('module.net.ids["a"]')).not.toThrow();
    expect(() => call('evil("x")', 1)).toThrow(/function name/);
  });

  it('rejects names that would not be HCL identifiers and numbers HCL cannot write', () => {
    expect(() => attr('bad name', 1)).toThrow(/attribute name/);
    expect(() => block('bad-"', [], [])).toThrow(/block type/);
    expect(() => toHcl([attr('x', Number.NaN)])).toThrow(/no literal/);
  });

  it('quotes object keys that are not identifiers, writes comments and skips undefined attributes', async () => {
    const src = toHcl([comment('why this exists\nsecond line'), attr('labels', { 'app.kubernetes.io/name': 'x', ok_key: 1, gone: undefined }), attr('absent', undefined)]);
    expect(src).toBe('# why this exists\n# second line\nlabels = {\n  "app.kubernetes.io/name" = "x"\n  ok_key                   = 1\n}\n');
    await expect(roundTrip(src)).resolves.toBeTruthy();
  });

  it('writes short lists inline and long ones one item per line', () => {
    expect(toHcl([attr('zones', ['a', 'b'])])).toBe('zones = ["a", "b"]\n');
    const long = Array.from({ length: 12 }, (_, i) => `subnet-${i}-abcdef`);
    expect(toHcl([attr('subnets', long)])).toContain('subnets = [\n  "subnet-0-abcdef",\n');
  });
});
