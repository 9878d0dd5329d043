import { describe, expect, it } from 'vitest';
import { runPhase } from '../../../helpers/phaseHarness.js';
import { variant } from './helpers.js';

/** Section 3 of the phase document explains the CI/CD choices with their figures, per ci_platform. */
function section(doc: string, from: string, to: string): string {
  return doc.slice(doc.indexOf(from), doc.indexOf(to, doc.indexOf(from)));
}

describe('phase document: CI/CD and container images', () => {
  const github = runPhase('mlops_engineer', variant('github'));
  const gitlab = runPhase('mlops_engineer', variant('gitlab', { cloud_provider: 'gcp' }));
  const ci = (out: typeof github) => section(out.document, '### GitHub Actions/GitLab CI workflows', '### Automated test gates');

  it('github: names the workflow files, timeout-minutes per stage budget, OIDC login of the cloud and the environment approval', () => {
    const text = ci(github);
    expect(text).toContain('.github/workflows/delivery.yml');
    expect(text).not.toContain('.gitlab-ci.yml');
    for (const st of github.decisions.ci.stages.filter((s) => s.name !== 'production_approval')) expect(text).toContain(`timeout-minutes: ${st.budget_minutes} on`);
    expect(text).toContain(`\`${github.decisions.ci.total_minutes} min\` against slo.commit_to_prod_minutes = 60`);
    expect(text).toContain('aws-actions/configure-aws-credentials');
    expect(text).toContain('required reviewers');
    expect(text).toContain('cron `0 3 * * 0`');
  });

  it('gitlab: names .gitlab-ci.yml, timeout per job, id_tokens login of the cloud, when: manual and resource_group', () => {
    const text = ci(gitlab);
    expect(text).toContain('.gitlab-ci.yml');
    expect(text).not.toContain('.github/workflows');
    expect(text).toContain('timeout: 5 minutes on lint, typecheck, unit-tests');
    expect(text).toContain('Workload Identity Federation');
    expect(text).toContain('when: manual');
    expect(text).toContain('resource_group');
    expect(gitlab.decisions.ci.platform).toBe('gitlab-ci');
  });

  it('the Docker paragraph gives the pinned bases, the UID and the health endpoint with its start period', () => {
    const text = section(github.document, '### Optimised multi-stage Docker builds', '### Secrets');
    expect(text).toContain(`ARG RUNTIME_IMAGE=${github.decisions.serving.runtime_image}`);
    expect(text).toContain('python:3.11.10-slim-bookworm');
    expect(text).toContain('`1000:1000`');
    expect(text).toContain(`http://127.0.0.1:${github.decisions.serving.http_port}/v2/health/ready`);
    expect(text).toContain(`${github.decisions.serving.startup_seconds} s start period`);
  });
});
