import { describe, expect, it } from 'vitest';
import { ACTIONS, WORKFLOWS, type GhJob, type GhWorkflow } from '../../../../src/phases/mlops_engineer/ci/github.js';
import { GITLAB_CI_PATH, type GitlabCi, type GlJob } from '../../../../src/phases/mlops_engineer/ci/gitlab.js';
import { CI_SCRIPTS, STAGE_JOBS, commitToProdPath } from '../../../../src/phases/mlops_engineer/ci/shared.js';
import { ciEvidence } from '../../../../src/pipeline/ciEvidence.js';
import { richSpec } from '../../../helpers/specs.js';
import { CLOUDS, ORCHESTRATORS, ciCase, file, variant, yamlOf, type CiCase } from './helpers.js';

const github = ciCase(variant('github'));
const gitlab = ciCase(variant('gitlab'));
const delivery = (c: CiCase) => yamlOf<GhWorkflow>(c, WORKFLOWS.delivery);
const gitlabJobs = (c: CiCase): Record<string, GlJob> => {
  const doc = yamlOf<GitlabCi>(c, GITLAB_CI_PATH);
  return Object.fromEntries(Object.entries(doc).filter(([k, v]) => !['workflow', 'stages', 'variables'].includes(k) && typeof v === 'object')) as Record<string, GlJob>;
};
const workflows = (c: CiCase) => c.files.filter((f) => f.kind === 'github-workflow').map((f) => ({ path: f.path, wf: yamlOf<GhWorkflow>(c, f.path) }));
const steps = (wf: GhWorkflow) => Object.values(wf.jobs).flatMap((j) => j.steps);
const uses = (c: CiCase) => workflows(c).flatMap(({ wf }) => steps(wf).flatMap((s) => (s.uses ? [s.uses] : [])));

describe('ci_platform selects the CI files', () => {
  it('github: the three workflows and no .gitlab-ci.yml', () => {
    expect(github.files.filter((f) => f.kind === 'github-workflow').map((f) => f.path)).toEqual([WORKFLOWS.ci, WORKFLOWS.delivery, WORKFLOWS.retrain]);
    expect(github.files.some((f) => f.path === GITLAB_CI_PATH || f.kind === 'gitlab-ci')).toBe(false);
    expect(github.plan.ci.platform).toBe('github-actions');
  });

  it('gitlab: .gitlab-ci.yml (and its OIDC login script) and no GitHub workflow', () => {
    expect(file(gitlab, GITLAB_CI_PATH).kind).toBe('gitlab-ci');
    expect(file(gitlab, CI_SCRIPTS.cloudLogin).kind).toBe('shell');
    expect(gitlab.files.some((f) => f.path.startsWith('.github/'))).toBe(false);
    expect(gitlab.plan.ci.platform).toBe('gitlab-ci');
  });

  it('both platforms call the same gate scripts, with the same stage names and budgets', () => {
    for (const path of [CI_SCRIPTS.dataGate, CI_SCRIPTS.modelGate, CI_SCRIPTS.smoke, CI_SCRIPTS.retrain]) expect(file(github, path).content).toBe(file(gitlab, path).content);
    expect(gitlab.plan.ci.stages.map((s) => [s.name, s.budget_minutes])).toEqual(github.plan.ci.stages.map((s) => [s.name, s.budget_minutes]));
  });

  it('is deterministic: the same spec gives the same bytes', () => {
    expect(ciCase(variant('github')).files).toEqual(github.files);
    expect(ciCase(variant('gitlab')).files).toEqual(gitlab.files);
  });
});

describe('GitHub Actions: stage budgets are job timeouts', () => {
  const wf = delivery(github);

  it('every job of a stage times out at the stage budget, and the stages chain through needs', () => {
    for (const stage of github.plan.ci.stages) {
      for (const job of STAGE_JOBS[stage.name] ?? []) expect(wf.jobs[job]!['timeout-minutes'], job).toBe(stage.budget_minutes);
    }
    expect(wf.jobs['build-images']!.needs).toEqual(['lint', 'typecheck', 'unit-tests']);
    expect(wf.jobs['data-validation']!.needs).toEqual(['build-images']);
    expect(wf.jobs['model-validation']!.needs).toEqual(['data-validation']);
    expect(wf.jobs['deploy-staging']!.needs).toEqual(['model-validation']);
    expect(wf.jobs['smoke-test']!.needs).toEqual(['deploy-staging']);
    expect(wf.jobs['promote-production']!.needs).toEqual(['smoke-test']);
  });

  it('the longest path (the slowest job per stage plus the approval) is the planned total and fits the SLO', () => {
    const path = commitToProdPath(github.plan);
    const byStage = path.steps.map((s) => (s.stage === 'production_approval' ? s.budget_minutes : Math.max(...(STAGE_JOBS[s.stage] ?? []).map((j) => wf.jobs[j]!['timeout-minutes']))));
    expect(byStage.reduce((a, b) => a + b, 0)).toBe(github.plan.ci.total_minutes);
    expect(path.total_minutes).toBeLessThanOrEqual(github.spec.slo.commit_to_prod_minutes);
    expect(path.fits_slo).toBe(true);
    expect(path.steps.find((s) => s.stage === 'promote_production')!.enforced_by).toContain(`timeout-minutes: ${github.plan.ci.stages.at(-1)!.budget_minutes}`);
  });

  it('a heavier runtime image (GPU Triton) raises the build timeout with its budget', () => {
    const rich = ciCase(withCi(richSpec(), 'github'));
    expect(delivery(rich).jobs['build-images']!['timeout-minutes']).toBe(12);
    expect(rich.plan.ci.total_minutes).toBeLessThanOrEqual(rich.spec.slo.commit_to_prod_minutes);
  });
});

function withCi(spec: CiCase['spec'], ci: 'github' | 'gitlab') {
  return variant(ci, {}, spec);
}

describe('the scorecard reads the enforced path from the files (src/pipeline/ciEvidence.ts)', () => {
  for (const c of [github, gitlab]) {
    it(`${c.plan.ci.platform}: the chain to production sums its job limits plus the approval budget to the planned total`, () => {
      const ev = ciEvidence(c.files.filter((f) => f.kind === 'github-workflow' || f.kind === 'gitlab-ci'))!;
      expect(ev).not.toBeNull();
      expect(ev.approval).toBe(true);
      expect(ev.path.at(-1)!.job).toBe('promote-production');
      expect(ev.path.every((p) => p.timeout_minutes !== null)).toBe(true);
      const approval = c.plan.ci.stages.find((s) => s.name === 'production_approval')!.budget_minutes;
      expect(ev.total_minutes + approval).toBe(c.plan.ci.total_minutes);
      expect(ev.total_minutes + approval).toBeLessThanOrEqual(c.spec.slo.commit_to_prod_minutes);
    });
  }
});

describe('GitHub Actions: least privilege and supply chain', () => {
  const all = workflows(github);

  it('every action is pinned to an exact release or a commit SHA', () => {
    expect(uses(github).length).toBeGreaterThan(10);
    for (const u of uses(github)) expect(u).toMatch(/@(v\d+\.\d+\.\d+|[0-9a-f]{40})$/);
    expect(Object.values(ACTIONS).every((a) => /@v\d+\.\d+\.\d+$/.test(a))).toBe(true);
  });

  it('no ${{ }} expression inside run: (values reach scripts through env:)', () => {
    for (const { wf } of all) for (const s of steps(wf)) if (s.run !== undefined) expect(s.run, s.name).not.toContain('${{');
  });

  it('top-level permissions are contents: read; id-token: write only on jobs that log in to the cloud; contents: write only on deploys', () => {
    for (const { path, wf } of all) {
      expect(wf.permissions, path).toEqual({ contents: 'read' });
      for (const [name, job] of Object.entries(wf.jobs)) {
        const logsIn = job.steps.some((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials') || s.uses?.startsWith('google-github-actions/auth') || s.uses?.startsWith('azure/login'));
        expect(job.permissions['id-token'] === 'write', `${path} ${name}`).toBe(logsIn);
        expect(job.permissions.contents === 'write', `${path} ${name}`).toBe(['deploy-staging', 'promote-production'].includes(name));
        expect(job.permissions.packages, `${path} ${name}`).toBeUndefined();
      }
    }
  });

  it('PR CI cancels superseded runs; delivery, retraining and deploys never cancel in progress', () => {
    const byPath = Object.fromEntries(all.map(({ path, wf }) => [path, wf]));
    expect(byPath[WORKFLOWS.ci]!.concurrency['cancel-in-progress']).toBe(true);
    expect(byPath[WORKFLOWS.delivery]!.concurrency['cancel-in-progress']).toBe(false);
    expect(byPath[WORKFLOWS.retrain]!.concurrency['cancel-in-progress']).toBe(false);
    const wf = byPath[WORKFLOWS.delivery]!;
    for (const job of ['deploy-staging', 'promote-production']) expect(wf.jobs[job]!.concurrency?.['cancel-in-progress']).toBe(false);
  });

  it('production promotion waits for the production environment (required reviewers) and goes through Argo CD', () => {
    const wf = delivery(github);
    expect(wf.jobs['promote-production']!.environment).toEqual({ name: 'production' });
    expect(wf.jobs['deploy-staging']!.environment).toEqual({ name: 'staging' });
    const runs = (job: GhJob) => job.steps.map((s) => s.run ?? '').join('\n');
    expect(runs(wf.jobs['deploy-staging']!)).toContain('scripts/deploy.sh "$IMAGE_TAG" staging');
    expect(runs(wf.jobs['promote-production']!)).toContain('scripts/deploy.sh "$IMAGE_TAG" prod');
    expect(file(github, 'docs/runbooks/ci-cd.md').content).toContain('required reviewers');
  });

  it('the workflow files hold no secret values: credentials are ${{ secrets.* }} references, identities ${{ vars.* }}', () => {
    for (const f of github.files.filter((x) => x.kind === 'github-workflow')) {
      expect(f.content).not.toMatch(/AKIA[0-9A-Z]{16}|-----BEGIN|ghp_[A-Za-z0-9]{20}/);
      for (const m of f.content.matchAll(/(TOKEN|PASSWORD|SECRET|API_KEY)[A-Z_]*: (.+)/g)) expect(m[2]).toMatch(/^\$\{\{ secrets\.[A-Z_]+ \}\}$/);
    }
  });
});

describe('each cloud changes the registry login (OIDC identities from repository variables)', () => {
  const login: Record<(typeof CLOUDS)[number], { has: string[]; not: string[] }> = {
    aws: { has: ['aws-actions/configure-aws-credentials', 'aws-actions/amazon-ecr-login'], not: ['google-github-actions', 'azure/login'] },
    gcp: { has: ['google-github-actions/auth', 'docker/login-action'], not: ['aws-actions', 'azure/login'] },
    azure: { has: ['azure/login'], not: ['aws-actions', 'google-github-actions', 'docker/login-action'] },
    'multi-cloud': { has: ['aws-actions/configure-aws-credentials', 'aws-actions/amazon-ecr-login'], not: ['google-github-actions', 'azure/login'] },
  };
  for (const cloud of CLOUDS) {
    it(`${cloud}: GitHub Actions`, () => {
      const c = ciCase(variant('github', { cloud_provider: cloud }));
      const u = uses(c).join('\n');
      for (const h of login[cloud].has) expect(u).toContain(h);
      for (const n of login[cloud].not) expect(u).not.toContain(n);
      const build = delivery(c).jobs['build-images']!;
      const text = JSON.stringify(build);
      if (cloud === 'aws' || cloud === 'multi-cloud') expect(text).toContain('${{ vars.AWS_ROLE_ARN }}');
      if (cloud === 'gcp') expect(text).toContain('${{ vars.GCP_WORKLOAD_IDENTITY_PROVIDER }}');
      if (cloud === 'azure') {
        expect(text).toContain('${{ vars.AZURE_CLIENT_ID }}');
        expect(text).toContain('az acr login --name');
      }
      expect(delivery(c).env!.REGISTRY).toContain(c.plan.cloud.registry);
    });

    it(`${cloud}: GitLab CI id_tokens audience and kaniko credential helper`, () => {
      const c = ciCase(variant('gitlab', { cloud_provider: cloud }));
      const build = gitlabJobs(c)['build-images']!;
      const aud = build.id_tokens!.GITLAB_OIDC_TOKEN!.aud;
      const helper = build.script.join('\n');
      const login = file(c, CI_SCRIPTS.cloudLogin).content;
      if (cloud === 'aws' || cloud === 'multi-cloud') {
        expect(aud).toBe('sts.amazonaws.com');
        expect(helper).toContain('ecr-login');
        expect(login).toContain('AWS_WEB_IDENTITY_TOKEN_FILE');
      } else if (cloud === 'gcp') {
        expect(aud).toContain('iam.googleapis.com');
        expect(helper).toContain('"gcr"');
        expect(login).toContain('external_account');
      } else {
        expect(aud).toBe('api://AzureADTokenExchange');
        expect(helper).toContain('acr-env');
        expect(login).toContain('--federated-token');
      }
      for (const other of ['AWS_WEB_IDENTITY_TOKEN_FILE', 'external_account', 'federated-token'].filter((k) => !login.includes(k))) expect(login).not.toContain(other);
    });
  }

  it('multi-cloud pushes to the primary registry only and documents the replication', () => {
    const c = ciCase(variant('github', { cloud_provider: 'multi-cloud' }));
    expect(c.plan.cloud.registry).toContain('.dkr.ecr.');
    expect(c.plan.cloud.registryService).toContain('replicated');
  });
});

describe('each orchestration changes the retraining trigger', () => {
  const expected: Record<(typeof ORCHESTRATORS)[number], RegExp> = {
    kubeflow: /kfp --endpoint "\$KFP_ENDPOINT" .* run create/,
    airflow: /\/api\/v1\/dags\/[a-z_]+_training\/dagRuns/,
    prefect: /prefect deployment run '[a-z-]+-training\/scheduled-retrain'/,
    dagster: /dagster job launch --job '[a-z_]+_training' --python-file 'ml\/pipelines\/training_dagster.py'/,
  };
  for (const tool of ORCHESTRATORS) {
    it(`${tool}: the script calls its API/CLI, the workflow installs its client and passes its endpoint`, () => {
      const c = ciCase(variant('github', { orchestration: tool }));
      const script = file(c, CI_SCRIPTS.retrain).content;
      expect(script).toMatch(expected[tool]);
      for (const other of ORCHESTRATORS.filter((o) => o !== tool)) expect(script).not.toMatch(expected[other]);
      const retrain = yamlOf<GhWorkflow>(c, WORKFLOWS.retrain);
      const job = retrain.jobs['trigger-retraining']!;
      const installs = job.steps.map((s) => s.run ?? '').join('\n');
      if (tool === 'airflow') expect(installs).not.toContain('pip install');
      else expect(installs).toContain({ kubeflow: 'kfp', prefect: 'prefect', dagster: 'dagster' }[tool]);
      const env = Object.keys(job.steps.at(-1)!.env ?? {});
      expect(env).toContain({ kubeflow: 'KFP_ENDPOINT', airflow: 'AIRFLOW_API_URL', prefect: 'PREFECT_API_URL', dagster: 'DAGSTER_HOME' }[tool]);
    });
  }

  it('the schedule is scale.training_schedule as five-field cron (macros expanded), plus workflow_dispatch', () => {
    const weekly = yamlOf<GhWorkflow>(github, WORKFLOWS.retrain);
    expect(weekly.on.schedule).toEqual([{ cron: github.spec.scale.training_schedule }]);
    expect(weekly.on.workflow_dispatch).toBeDefined();
    for (const [macro, cron] of [
      ['@daily', '0 0 * * *'],
      ['@weekly', '0 0 * * 0'],
      ['@monthly', '0 0 1 * *'],
      ['@hourly', '0 * * * *'],
    ] as const) {
      const c = ciCase(variant('github', {}, undefined, (s) => (s.scale.training_schedule = macro)));
      expect(yamlOf<GhWorkflow>(c, WORKFLOWS.retrain).on.schedule).toEqual([{ cron }]);
      expect(file(ciCase(variant('gitlab', {}, undefined, (s) => (s.scale.training_schedule = macro))), GITLAB_CI_PATH).content).toContain(`cron "${cron}"`);
    }
  });
});

describe('gates call the generated entrypoints', () => {
  it('data gate: the data engineer validator on every source, with the contract issue rate', () => {
    const c = ciCase(variant('github', {}, richSpec()));
    const script = file(c, CI_SCRIPTS.dataGate).content;
    expect(script).toContain(`python -m ${c.up.data_engineer.paths.validation_module}`);
    for (const s of c.up.data_engineer.sources) expect(script).toContain(`'${s.name}'`);
    expect(script).toContain(`MAX_ISSUE_RATE='${c.up.data_engineer.quality.max_issue_rate_pct}'`);
    // lakeFS (rich spec) reads through the S3 gateway with lakeFS keys; DVC (default) pulls the tracked snapshot.
    expect(script).toContain(c.up.data_engineer.versioning.tool === 'lakefs' ? '--endpoint-url "$LAKEFS_ENDPOINT"' : 'dvc pull');
    expect(file(github, CI_SCRIPTS.dataGate).content).toContain('dvc pull');
  });

  it('model gate: quality tests on the candidate, then the promotion gate against the baseline and the production model', () => {
    const script = file(github, CI_SCRIPTS.modelGate).content;
    const pkg = github.plan.pythonPackage;
    expect(script).toContain(`python -m ${pkg}.registry.promotion promote --version "$version" --to 'staging'`);
    expect(script).toContain('--production-metrics');
    expect(script).toContain('--training-output');
    expect(script).toContain(`${pkg.toUpperCase()}_TEST_MODEL=`);
    expect(script).toContain("-m 'quality or performance'");
    expect(script).toContain(`beat the production model by >= ${github.up.ml_engineer.registry.promotion_gate.min_improvement_pct} %`);
    // Without production metrics the gate fails unless the first release is declared.
    expect(script).toMatch(/ALLOW_FIRST_RELEASE:-false\}" == "true"[\s\S]*else\n {2}die/);
  });

  it('experiment_tracking changes the credentials the model gate receives (as secret references)', () => {
    const env = (tracking: 'mlflow' | 'wandb') => delivery(ciCase(variant('github', { experiment_tracking: tracking }))).jobs['model-validation']!.steps.at(-1)!.env!;
    expect(env('mlflow')).toMatchObject({ MLFLOW_TRACKING_USERNAME: '${{ secrets.MLFLOW_TRACKING_USERNAME }}', MLFLOW_TRACKING_PASSWORD: '${{ secrets.MLFLOW_TRACKING_PASSWORD }}' });
    expect(env('wandb')).toMatchObject({ WANDB_API_KEY: '${{ secrets.WANDB_API_KEY }}' });
    expect(Object.keys(env('wandb'))).not.toContain('MLFLOW_TRACKING_PASSWORD');
  });

  it('smoke test: readiness and p99 of the staging server against the SLO (batch-only: the CronJob image)', () => {
    const script = file(github, CI_SCRIPTS.smoke).content;
    expect(script).toContain(`readonly SLO_MS=${github.spec.slo.p99_latency_ms}`);
    expect(script).toContain(github.plan.runtime.readyPath);
    const batch = ciCase(variant('github', { deployment_mode: 'batch' }));
    expect(file(batch, CI_SCRIPTS.smoke).content).toContain(`get cronjob '${batch.plan.names.batchScoring}'`);
  });
});

describe('GitLab CI: the same path with GitLab mechanisms', () => {
  const jobs = gitlabJobs(gitlab);
  const doc = yamlOf<GitlabCi>(gitlab, GITLAB_CI_PATH);

  it('stages are the planned stages; every job times out at its stage budget', () => {
    expect(doc.stages).toEqual([...gitlab.plan.ci.stages.map((s) => s.name).filter((s) => s !== 'production_approval'), 'retrain']);
    for (const stage of gitlab.plan.ci.stages) {
      for (const job of STAGE_JOBS[stage.name] ?? []) {
        expect(jobs[job]!.stage).toBe(stage.name);
        expect(jobs[job]!.timeout).toBe(`${stage.budget_minutes} minutes`);
      }
    }
    expect(commitToProdPath(gitlab.plan).steps.find((s) => s.stage === 'production_approval')!.enforced_by).toContain('when: manual');
  });

  it('CI jobs are interruptible, deploys are not and queue in a resource_group', () => {
    for (const j of ['lint', 'typecheck', 'unit-tests', 'build-images', 'data-validation', 'model-validation']) expect(jobs[j]!.interruptible, j).toBe(true);
    for (const j of ['deploy-staging', 'smoke-test', 'promote-production']) expect(jobs[j]!.interruptible, j).toBe(false);
    expect(jobs['deploy-staging']!.resource_group).toBe(`${gitlab.spec.name}-staging`);
    expect(jobs['promote-production']!.resource_group).toBe(`${gitlab.spec.name}-production`);
  });

  it('production is a manual job on the production environment; retraining runs only in scheduled pipelines', () => {
    const prod = jobs['promote-production']!;
    expect(prod.environment).toEqual({ name: 'production', deployment_tier: 'production' });
    expect(prod.rules.some((r) => r.when === 'manual')).toBe(true);
    expect(prod.allow_failure).toBe(false);
    expect(jobs['trigger-retraining']!.rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "schedule"' }]);
    for (const [name, job] of Object.entries(jobs)) if (name !== 'trigger-retraining') expect(job.rules[0], name).toEqual({ if: '$CI_PIPELINE_SOURCE == "schedule"', when: 'never' });
  });

  it('cloud credentials come from id_tokens on the jobs that need them only', () => {
    for (const [name, job] of Object.entries(jobs)) {
      const logsIn = [...(job.before_script ?? []), ...job.script].some((l) => l.includes(CI_SCRIPTS.cloudLogin));
      expect(job.id_tokens !== undefined, name).toBe(logsIn);
    }
    expect(file(gitlab, GITLAB_CI_PATH).content).not.toContain('${{');
  });
});
