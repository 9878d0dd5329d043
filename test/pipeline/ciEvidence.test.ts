import { describe, expect, it } from 'vitest';
import { toYaml } from '../../src/generators/serializers/yaml.js';
import { ciEvidence, gitlabMinutes } from '../../src/pipeline/ciEvidence.js';

const workflow = (jobs: Record<string, unknown>) => ({ path: '.github/workflows/release.yml', content: toYaml({ on: { push: { branches: ['main'] } }, jobs }) });

describe('commit-to-production evidence from the CI files', () => {
  it('follows the longest chain of needs to the job deploying production and sums the enforced limits', () => {
    const ev = ciEvidence([
      workflow({
        lint: { 'timeout-minutes': 5 },
        build: { 'timeout-minutes': 8 },
        'model-gate': { needs: ['build'], 'timeout-minutes': 8 },
        staging: { needs: ['lint', 'model-gate'], 'timeout-minutes': 4 },
        production: { needs: 'staging', environment: { name: 'production' }, 'timeout-minutes': 10 },
      }),
    ]);
    expect(ev).toMatchObject({ platform: 'github-actions', file: '.github/workflows/release.yml', total_minutes: 30, approval: true });
    expect(ev!.path.map((p) => p.job)).toEqual(['build', 'model-gate', 'staging', 'production']);
  });

  it('counts a job without a time limit as unbounded', () => {
    const ev = ciEvidence([workflow({ build: {}, deploy: { needs: ['build'], environment: 'prod', 'timeout-minutes': 5 } })]);
    expect(ev!.total_minutes).toBe(Number.POSITIVE_INFINITY);
    expect(ev!.path[0]).toEqual({ job: 'build', timeout_minutes: null });
  });

  it('gives nothing when no job deploys production', () => {
    expect(ciEvidence([workflow({ test: { 'timeout-minutes': 5 } })])).toBeNull();
    expect(ciEvidence([{ path: '.github/workflows/x.yml', content: ': not yaml : [' }])).toBeNull();
  });

  it('reads GitLab stages as implicit needs, job timeouts, and a manual production job as the approval', () => {
    const ev = ciEvidence([
      {
        path: '.gitlab-ci.yml',
        content: toYaml({
          stages: ['test', 'build', 'deploy'],
          default: { timeout: '10 minutes' },
          '.base': { image: 'python:3.11' },
          unit: { stage: 'test', timeout: '5m' },
          'build-image': { stage: 'build', timeout: '12 minutes', script: ['make'] },
          staging: { stage: 'deploy', needs: ['build-image'], environment: { name: 'staging' }, timeout: '4m' },
          production: { stage: 'deploy', needs: [{ job: 'staging' }], environment: { name: 'production' }, when: 'manual', timeout: '1h' },
        }),
      },
    ]);
    expect(ev).toMatchObject({ platform: 'gitlab-ci', total_minutes: 5 + 12 + 4 + 60, approval: true });
    expect(ev!.path.map((p) => p.job)).toEqual(['unit', 'build-image', 'staging', 'production']);
  });

  it('parses GitLab durations', () => {
    expect(gitlabMinutes('1h 30m')).toBe(90);
    expect(gitlabMinutes('45 minutes')).toBe(45);
    expect(gitlabMinutes('2 hours')).toBe(120);
    expect(gitlabMinutes('soon')).toBeNull();
  });
});
