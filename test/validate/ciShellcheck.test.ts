import { beforeAll, describe, expect, it } from 'vitest';
import type { Artifact, ArtifactKind } from '../../src/artifacts/artifact.js';
import type { Verdict } from '../../src/validate/types.js';
import { ciShellcheckValidator, githubScripts, gitlabScripts, gitlabShell, neutraliseExpressions } from '../../src/validate/validators/ciShellcheck.js';

const file = (path: string, kind: ArtifactKind, content: string): Artifact => ({ path, kind, phase: 'test', content });

const GITHUB_GOOD = `on: push
jobs:
  test:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@v4
      - name: Test
        env:
          IMAGE: app
        run: |
          tag="\${{ github.sha }}"
          echo "building $IMAGE:$tag"
      - name: Report
        shell: python
        run: print("not shell")
`;
const GITHUB_UNQUOTED = GITHUB_GOOD.replace('echo "building $IMAGE:$tag"', 'rm -rf $IMAGE/*');
const GITHUB_SYNTAX = GITHUB_GOOD.replace('echo "building $IMAGE:$tag"', 'if [ -n "$IMAGE" ]; then echo yes');

const GITLAB_GOOD = `stages: [test]
default:
  image: python:3.11-slim
test:
  stage: test
  before_script:
    - pip install -r requirements.txt
  script:
    - export TAG="$CI_COMMIT_SHORT_SHA"
    - |
      echo "testing $TAG"
      python -m pytest -q
lint:
  stage: test
  image: alpine:3.20
  script:
    - echo "$CI_JOB_NAME"
`;
const GITLAB_UNQUOTED = GITLAB_GOOD.replace('echo "$CI_JOB_NAME"', 'cd $CI_PROJECT_DIR');
const GITLAB_SYNTAX = GITLAB_GOOD.replace('      python -m pytest -q\n', '      for f in *.py; do python "$f"\n');

let verdicts: Record<string, Verdict>;
beforeAll(async () => {
  const files = [
    file('.github/workflows/good.yml', 'github-workflow', GITHUB_GOOD),
    file('.github/workflows/unquoted.yml', 'github-workflow', GITHUB_UNQUOTED),
    file('.github/workflows/syntax.yml', 'github-workflow', GITHUB_SYNTAX),
    file('gitlab/good/.gitlab-ci.yml', 'gitlab-ci', GITLAB_GOOD),
    file('gitlab/unquoted/.gitlab-ci.yml', 'gitlab-ci', GITLAB_UNQUOTED),
    file('gitlab/syntax/.gitlab-ci.yml', 'gitlab-ci', GITLAB_SYNTAX),
  ];
  verdicts = Object.fromEntries((await ciShellcheckValidator.validate({ artifacts: files, bundle: files, root: '/nonexistent' })).map((v) => [v.path, v]));
}, 60_000);

describe('extracting CI scripts', () => {
  it('replaces ${{ }} by underscores of the same length, as actionlint does', () => {
    expect(neutraliseExpressions('echo "${{ github.sha }}" ${{ x }}')).toBe(`echo "${'_'.repeat(17)}" ${'_'.repeat(8)}`);
  });

  it('takes GitHub run: steps in bash (the default) and skips other languages, with the file line of each script line', () => {
    const scripts = githubScripts(GITHUB_GOOD);
    expect(scripts).toHaveLength(1);
    expect(scripts[0]).toMatchObject({ where: 'jobs.test.steps[1] (Test)', shell: 'bash', options: 'set -e', fileLines: [11, 12, 13] });
    const sh = githubScripts('defaults:\n  run:\n    shell: sh -e {0}\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo hi\n');
    expect(sh[0]).toMatchObject({ shell: 'sh', options: 'set -e' });
    const bash = githubScripts('jobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo hi\n        shell: bash\n');
    expect(bash[0]).toMatchObject({ shell: 'bash', options: 'set -eo pipefail' });
  });

  it('joins a GitLab job\'s before_script and script into one session, after the default image says bash or sh', () => {
    const scripts = gitlabScripts(GITLAB_GOOD);
    expect(scripts.map((s) => [s.where, s.shell])).toEqual([
      ['job test: before_script + script', 'bash'],
      ['job lint: before_script + script', 'sh'],
    ]);
    expect(scripts[0]!.script).toBe('pip install -r requirements.txt\nexport TAG="$CI_COMMIT_SHORT_SHA"\necho "testing $TAG"\npython -m pytest -q\n');
    expect(scripts[0]!.fileLines.slice(0, 4)).toEqual([7, 9, 11, 12]);
  });

  it('resolves !reference and the default before_script', () => {
    const scripts = gitlabScripts('.setup:\n  script:\n    - echo setup\ndefault:\n  before_script:\n    - echo default\njob:\n  script:\n    - !reference [.setup, script]\n    - echo job\n');
    expect(scripts.find((s) => s.where.startsWith('job job'))!.script).toBe('echo default\necho setup\necho job');
  });

  it('tells bash images from sh ones, sh when unsure', () => {
    expect(gitlabShell('python:3.11-slim')).toBe('bash');
    expect(gitlabShell({ name: 'google/cloud-sdk:slim' })).toBe('bash');
    expect(gitlabShell('python:3.11-alpine')).toBe('sh');
    expect(gitlabShell('registry.example.com/tools:1')).toBe('sh');
    expect(gitlabShell(undefined)).toBe('sh');
  });
});

describe('ci-shellcheck validator', () => {
  it('passes clean scripts on both platforms', () => {
    expect(verdicts['.github/workflows/good.yml']).toMatchObject({ verdict: 'pass', message: '1 script: no findings' });
    expect(verdicts['gitlab/good/.gitlab-ci.yml']).toMatchObject({ verdict: 'pass', message: '2 scripts: no findings' });
  });

  it('catches an unquoted variable (SC2086) in a GitHub step and names the step and file line', () => {
    expect(verdicts['.github/workflows/unquoted.yml']).toMatchObject({ verdict: 'fail', message: expect.stringMatching(/jobs\.test\.steps\[1\] \(Test\), script line 2 \(file line 12\): SC2086/) });
  });

  it('catches a syntax error in a GitHub step', () => {
    expect(verdicts['.github/workflows/syntax.yml']).toMatchObject({ verdict: 'fail', message: expect.stringMatching(/jobs\.test\.steps\[1\] \(Test\).*SC1\d{3} \(error\)/) });
  });

  it('catches an unquoted variable (SC2086) in a GitLab job', () => {
    expect(verdicts['gitlab/unquoted/.gitlab-ci.yml']).toMatchObject({ verdict: 'fail', message: expect.stringMatching(/job lint: before_script \+ script, script line 1 \(file line 17\): SC2086/) });
  });

  it('catches a syntax error in a GitLab job', () => {
    expect(verdicts['gitlab/syntax/.gitlab-ci.yml']).toMatchObject({ verdict: 'fail', message: expect.stringMatching(/job test: before_script \+ script.*SC1\d{3} \(error\)/) });
  });
});
