import { describe, expect, it } from 'vitest';
import type { Artifact } from '../../src/artifacts/artifact.js';
import { gitlabCiProblems, gitlabCiValidator, parseGitlabDuration } from '../../src/validate/validators/gitlabCi.js';

const GOOD = `stages: [test, build, deploy]
variables:
  PIP_CACHE_DIR: "$CI_PROJECT_DIR/.cache/pip"
default:
  image: python:3.11.9-slim
  interruptible: true
workflow:
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
.python: &python
  cache:
    key:
      files: [requirements.txt]
    paths: [.cache/pip]
  before_script:
    - pip install -r requirements.txt
test:
  extends: .python
  stage: test
  timeout: 15 minutes
  script:
    - python -m pytest -q --junitxml=report.xml
  artifacts:
    reports:
      junit: report.xml
build:
  stage: build
  image: docker:27.3.1
  services: [docker:27.3.1-dind]
  needs: [test]
  id_tokens:
    AWS_TOKEN:
      aud: sts.amazonaws.com
  timeout: 1h 30m
  script:
    - docker build -t "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA" .
deploy:
  stage: deploy
  needs:
    - job: build
      artifacts: false
  environment:
    name: production
    url: https://example.com
  resource_group: production
  when: manual
  retry:
    max: 2
    when: [runner_system_failure]
  rules:
    - if: $CI_PIPELINE_SOURCE == "schedule"
      when: never
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
  script:
    - !reference [.python, before_script]
    - echo deploy
`;

describe('gitlab-ci validator', () => {
  it('passes a realistic pipeline (extends, anchors, !reference, needs objects, environment, rules, id_tokens)', async () => {
    expect(gitlabCiProblems(GOOD)).toEqual([]);
    const a: Artifact = { path: '.gitlab-ci.yml', kind: 'gitlab-ci', phase: 'test', content: GOOD };
    expect(await gitlabCiValidator.validate({ artifacts: [a], bundle: [a], root: '/x' })).toEqual([
      { path: '.gitlab-ci.yml', validator: 'gitlab-ci', verdict: 'pass', message: 'keywords, stages, needs and extends check out' },
    ]);
  });

  it('rejects an unknown job keyword, also inside a keyword object', () => {
    expect(gitlabCiProblems(GOOD.replace('  timeout: 15 minutes\n', '  timeout: 15 minutes\n  retries: 2\n'))).toEqual(['test: unknown keyword "retries"']);
    expect(gitlabCiProblems(GOOD.replace('      artifacts: false', '      artifact: false'))).toEqual([expect.stringMatching(/^deploy: needs\.0: /)]);
    expect(gitlabCiProblems(GOOD.replace('default:\n', 'default:\n  stage: test\n'))).toEqual(['default: unknown keyword "stage"']);
  });

  it('rejects a stage that is not declared (a job without stage is in "test")', () => {
    expect(gitlabCiProblems(GOOD.replace('  stage: build\n', '  stage: package\n'))).toEqual(['build: stage "package" is not in stages (test, build, deploy)']);
    expect(gitlabCiProblems(GOOD.replace('stages: [test, build, deploy]', 'stages: [build, deploy]').replace('  stage: test\n', ''))).toEqual([
      'test: stage "test" is not in stages (build, deploy) (a job without stage is in "test")',
    ]);
    // .pre and .post always exist; without stages the defaults are build, test, deploy.
    expect(gitlabCiProblems('lint:\n  stage: .pre\n  script: [echo]\ntest:\n  script: [echo]\n')).toEqual([]);
  });

  it('rejects needs and dependencies naming a missing job or a later stage', () => {
    expect(gitlabCiProblems(GOOD.replace('  needs: [test]\n', '  needs: [tests]\n'))).toEqual(['build: needs "tests", which is not a job of this pipeline']);
    expect(gitlabCiProblems(GOOD.replace('  needs: [test]\n', '  needs: [deploy]\n'))).toEqual(['build: needs "deploy", which is in a later stage (deploy)']);
    expect(gitlabCiProblems(GOOD.replace('  needs: [test]\n', '  dependencies: [nope]\n'))).toEqual(['build: dependencies names "nope", which is not a job of this pipeline']);
    // optional needs may be absent.
    expect(gitlabCiProblems(GOOD.replace('  needs: [test]\n', '  needs:\n    - job: lint\n      optional: true\n'))).toEqual([]);
  });

  it('rejects extends of a missing template and extends loops', () => {
    expect(gitlabCiProblems(GOOD.replace('extends: .python', 'extends: .pyhton'))).toEqual(['test: extends ".pyhton", which is not defined in this file']);
    expect(gitlabCiProblems('.a:\n  extends: .b\n.b:\n  extends: .a\njob:\n  extends: .a\n  script: [echo]\n')).toContainEqual(expect.stringMatching(/extends loop/));
  });

  it('requires a name in an environment object, and a duration in timeout', () => {
    expect(gitlabCiProblems(GOOD.replace('    name: production\n', ''))).toEqual([expect.stringMatching(/^deploy: environment: /)]);
    expect(gitlabCiProblems(GOOD.replace('timeout: 1h 30m', 'timeout: soon'))).toEqual(['build: timeout "soon" is not a duration (e.g. "1h 30m", "45 minutes")']);
  });

  it('rejects a job without script, an unresolvable !reference and a file with no visible job', () => {
    expect(gitlabCiProblems('stages: [test]\ntest:\n  stage: test\n  image: python:3.11.9-slim\n')).toEqual(['test: a job needs a script (or trigger, or run)']);
    expect(gitlabCiProblems('test:\n  script:\n')).toEqual([expect.stringMatching(/^test: script: invalid value \(/)]);
    expect(gitlabCiProblems(GOOD.replace('!reference [.python, before_script]', '!reference [.python, script]'))).toEqual(['deploy.script: !reference [.python, script] does not resolve']);
    expect(gitlabCiProblems('.template:\n  script: [echo]\n')).toEqual(['no visible job: a pipeline needs at least one job whose name does not start with "."']);
  });

  it('parses GitLab durations', () => {
    expect(parseGitlabDuration('1h 30m')).toBe(5400);
    expect(parseGitlabDuration('3 hours 30 minutes')).toBe(12600);
    expect(parseGitlabDuration('2 days and 4h')).toBe(187200);
    expect(parseGitlabDuration('45 minutes')).toBe(2700);
    expect(parseGitlabDuration('90')).toBe(90);
    expect(parseGitlabDuration('1 fortnight')).toBeUndefined();
    expect(parseGitlabDuration('soon')).toBeUndefined();
  });
});
