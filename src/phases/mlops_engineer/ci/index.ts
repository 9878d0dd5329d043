import { code, MarkdownDocument, text } from '../../../generators/serializers/markdown.js';
import type { ResolvedSpec } from '../../../spec/resolve.js';
import { LAYOUT } from '../../common.js';
import type { MlopsPlan } from '../derive.js';
import { containerFiles } from './docker.js';
import { githubWorkflows, ACTIONS } from './github.js';
import { gitlabFiles } from './gitlab.js';
import { ciScriptFiles, ciVariables, commitToProdPath, retrainCron, type CiFile, type CiUpstream } from './shared.js';

export { containerFiles } from './docker.js';
export { commitToProdPath, type CiFile, type CiUpstream, type CommitToProdPath } from './shared.js';

export const CI_RUNBOOK = `${LAYOUT.runbooks}/ci-cd.md`;

/** docs/runbooks/ci-cd.md: what the repository settings must hold for the generated pipeline to run. */
export function ciRunbook(spec: ResolvedSpec, plan: MlopsPlan, up: CiUpstream): string {
  const github = plan.ci.platform === 'github-actions';
  const path = commitToProdPath(plan);
  const vars = ciVariables(spec, plan, up);
  const doc = new MarkdownDocument()
    .heading(1, `CI/CD of ${code(spec.name)} (${github ? 'GitHub Actions' : 'GitLab CI'})`)
    .paragraph(
      `Commit to production in ${code(`${path.total_minutes} min`)} of budget against slo.commit_to_prod_minutes = ${path.slo_minutes} (${path.fits_slo ? `${path.slack_minutes} min slack` : `${-path.slack_minutes} min OVER`}). Every job's timeout is its stage budget, so a stage that overruns fails the run instead of silently eating the SLO.`,
    )
    .table(
      ['Stage', 'Job(s)', 'Budget (min)', 'Enforced by'],
      path.steps.map((s) => [code(s.stage), s.jobs.map((j) => code(j)).join(', '), s.budget_minutes, text(s.enforced_by)]),
    )
    .heading(2, github ? 'Repository variables and secrets' : 'CI/CD variables')
    .paragraph(
      github
        ? `Settings → Secrets and variables → Actions. Variables hold identifiers only; cloud access is OIDC federation (the ${code('id-token')} permission is granted only to the jobs that log in), so no cloud key is stored anywhere.`
        : `Settings → CI/CD → Variables (protected, masked for secrets). Cloud access is the job's ${code('id_tokens')} OIDC token exchanged by ${code('ci/scripts/cloud-login.sh')}; add ${code('GITLAB_PUSH_TOKEN')} (project access token, write_repository) for the overlay commits of ${code('scripts/deploy.sh')}.`,
    )
    .table(
      ['Name', 'Kind', 'What'],
      vars.map((v) => [code(v.name), v.secret ? 'secret' : 'variable', text(v.what)]),
    )
    .heading(2, 'Environments and approval')
    .bullets(
      github
        ? [
            `${code('staging')}: deployment branch ${code('main')} only.`,
            `${code('scripts/deploy.sh')} commits the image tag to ${code('deploy/k8s/overlays/<env>')} on ${code('main')} with the workflow's own token. If ${code('main')} is protected, allow GitHub Actions to bypass the rule for those commits (the delivery workflow ignores overlay-only pushes).`,
            `${code('production')}: required reviewers (release manager, on-call), deployment branch ${code('main')}, prevent self-review. ${code('promote-production')} waits for them; the approval budget is ${plan.ci.stages.find((s) => s.name === 'production_approval')?.budget_minutes ?? 0} min.`,
            `Actions are pinned to exact releases (${Object.values(ACTIONS).map((a) => code(a)).join(', ')}); Dependabot (github-actions ecosystem) proposes upgrades.`,
          ]
        : [
            `${code('staging')} and ${code('production')} are protected environments; ${code('production')} has approval rules (release manager, on-call) and ${code('promote-production')} is ${code('when: manual')}.`,
            `${code('resource_group')} serialises deploys per environment; deploy jobs are not interruptible.`,
          ],
    )
    .heading(2, 'Scheduled retraining')
    .paragraph(
      github
        ? `${code('.github/workflows/retrain.yml')} runs on cron ${code(retrainCron(spec))} (UTC, from scale.training_schedule ${code(spec.scale.training_schedule)}) and on demand, and triggers the ${code(spec.options.orchestration)} training run with ${code('ci/scripts/trigger-retraining.sh')}.`
        : `Create a pipeline schedule (Build → Pipeline schedules) with cron ${code(retrainCron(spec))}, timezone UTC, on the default branch (from scale.training_schedule ${code(spec.scale.training_schedule)}); only ${code('trigger-retraining')} runs in scheduled pipelines and starts the ${code(spec.options.orchestration)} training run.`,
      `The run registers a candidate under ${code('candidates/')} of the models store; the next delivery run's model gate decides on it.`,
    );
  return doc.toString();
}

/**
 * Every CI/CD file of ci_platform: the workflows (github) or .gitlab-ci.yml (gitlab), the shared gate scripts
 * and the runbook. Call: `ciFiles(spec, plan, { data_engineer, ml_engineer, python_pro })` with the upstream decisions.
 */
export function ciFiles(spec: ResolvedSpec, plan: MlopsPlan, up: CiUpstream): CiFile[] {
  const platform = plan.ci.platform === 'gitlab-ci' ? gitlabFiles(spec, plan, up) : githubWorkflows(spec, plan, up);
  return [...platform, ...ciScriptFiles(spec, plan, up), { path: CI_RUNBOOK, kind: 'markdown', content: ciRunbook(spec, plan, up), purpose: 'CI/CD settings: variables, secrets, environments, approval, schedule, stage budgets' }];
}

/** Both slices together (what phaseFiles adds). */
export function deliveryFiles(spec: ResolvedSpec, plan: MlopsPlan, up: CiUpstream): CiFile[] {
  return [...ciFiles(spec, plan, up), ...containerFiles(spec, plan, up)];
}
