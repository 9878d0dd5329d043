import { describe, expect, it } from 'vitest';
import { highlightLines, languageFor } from '../../src/ui/code.js';

describe('the file viewer highlighting', () => {
  it('splits highlighted code into lines that each close what they open', () => {
    const lines = highlightLines('def f():\n    """two\n    lines"""\n    return 1\n', 'python');
    expect(lines).toHaveLength(5);
    for (const line of lines) {
      expect(line.match(/<span/g)?.length ?? 0).toBe(line.match(/<\/span>/g)?.length ?? 0);
    }
    // The docstring's second line is still a string token.
    expect(lines[2]).toBe('<span class="hljs-string">    lines&quot;&quot;&quot;</span>');
  });

  it('escapes the text of the file: markup in a file is shown, never parsed', () => {
    const html = highlightLines('name: "<script>alert(1)</script>" # <img src=x onerror=y>', 'yaml').join('\n');
    expect(html).not.toMatch(/<script|<img/);
    expect(html).toContain('&lt;script&gt;');
  });

  it('picks a grammar per file, HCL for Terraform included', () => {
    expect(languageFor('terraform', 'infra/main.tf')).toBe('hcl');
    expect(languageFor('kubernetes', 'deploy/k8s/base/serving.yaml')).toBe('yaml');
    expect(languageFor('dockerfile', 'docker/serving.Dockerfile')).toBe('dockerfile');
    expect(highlightLines('resource "aws_s3_bucket" "raw" {\n  bucket = "x-${var.env}"\n}', 'hcl').join('\n')).toContain('hljs-keyword');
  });
});
