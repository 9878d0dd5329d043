import { code, type MarkdownDocument } from '../../../generators/serializers/markdown.js';
import type { ResolvedSpec } from '../../../spec/resolve.js';
import type { PythonProDecisions } from '../../python_pro/decisions.js';
import { serverDeployed, type MlopsPlan } from '../derive.js';
import { IMAGE_USER, TORCHSERVE_VERSION, TORCH_VERSION } from './docker.js';
import { ACTIONS, WORKFLOWS } from './github.js';
import { GITLAB_CI_PATH } from './gitlab.js';
import { CI_SCRIPTS, DOCKERFILES, STAGE_JOBS, ciCloud, commitToProdPath, pythonImage, retrainCron } from './shared.js';

/** The "GitHub Actions/GitLab CI workflows" part of section 3 of the phase document, per ci_platform. */
export function ciWorkflowsSection(doc: MarkdownDocument, spec: ResolvedSpec, plan: MlopsPlan): void {
  const github = plan.ci.platform === 'github-actions';
  const path = commitToProdPath(plan);
  const cloud = ciCloud(spec);
  doc.paragraph(
    github
      ? `delivery.ci_platform = ${code('github')}: GitHub Actions, ${code(WORKFLOWS.ci)} (pull requests), ${code(WORKFLOWS.delivery)} (commit to production on ${code('main')}) and ${code(WORKFLOWS.retrain)} (scheduled retraining).`
      : `delivery.ci_platform = ${code('gitlab')}: one ${code(GITLAB_CI_PATH)} with the stages below (merge requests run the first stage only; the default branch runs the whole path; scheduled pipelines run retraining only).`,
    `Every job's ${github ? code('timeout-minutes') : code('timeout')} is its stage budget, so the commit-to-production budget is enforced by the CI platform: stages run one after another (${github ? code('needs') : 'stage order and ' + code('needs')}), the jobs of a stage in parallel, so the path takes at most the sum of the stage budgets, ${code(`${path.total_minutes} min`)} against slo.commit_to_prod_minutes = ${path.slo_minutes}${path.fits_slo ? ` (${path.slack_minutes} min slack)` : ` — ${-path.slack_minutes} min OVER: shorten the canary or raise the SLO`}.`,
  );
  doc.table(
    ['Stage', 'Job(s)', 'Budget (min)', 'What', 'Enforced by'],
    plan.ci.stages.map((st) => {
      const step = path.steps.find((s) => s.stage === st.name)!;
      return [code(st.name), (STAGE_JOBS[st.name] ?? []).map((j) => code(j)).join(', ') || '—', st.budget_minutes, st.what, step.enforced_by];
    }),
  );
  const login = {
    aws: `${code('aws-actions/configure-aws-credentials')} assumes ${code('vars.AWS_ROLE_ARN')}, ${code('aws-actions/amazon-ecr-login')} logs in to ECR`,
    gcp: `${code('google-github-actions/auth')} impersonates ${code('vars.GCP_SERVICE_ACCOUNT')} through ${code('vars.GCP_WORKLOAD_IDENTITY_PROVIDER')}, ${code('docker/login-action')} uses its access token for Artifact Registry`,
    azure: `${code('azure/login')} with ${code('vars.AZURE_CLIENT_ID')} (federated credential), then ${code('az acr login')}`,
  }[cloud];
  const gitlabLogin = {
    aws: `an ${code('id_tokens')} token with audience ${code('sts.amazonaws.com')} read as AWS_WEB_IDENTITY_TOKEN_FILE (role ${code('AWS_ROLE_ARN')}); kaniko pushes with its ecr-login helper`,
    gcp: `an ${code('id_tokens')} token exchanged through Workload Identity Federation (external-account credentials); kaniko pushes with its gcr helper`,
    azure: `an ${code('id_tokens')} token with audience ${code('api://AzureADTokenExchange')} for ${code('az login --federated-token')}; kaniko pushes with its acr-env helper`,
  }[cloud];
  doc.paragraph(
    `Images: ${code(plan.names.serverImage)} and ${code(plan.names.jobsImage)} are built in parallel and pushed to ${plan.cloud.registryService} (${code(plan.cloud.registry)}), tagged with the commit SHA. Authentication is OIDC, never a stored key: ${github ? login : gitlabLogin}. Identities are ${github ? 'repository variables' : 'CI/CD variables'} (identifiers, not secrets); ${code('docs/runbooks/ci-cd.md')} lists them.`,
    ...(spec.options.cloud_provider === 'multi-cloud'
      ? ['multi-cloud: CI pushes to the primary (ECR) only; the GCP Artifact Registry is a remote repository with ECR as upstream, so GKE pulls the same digest in-region on first use and no second push can diverge.']
      : []),
  );
  doc.bullets([
    github
      ? `Least privilege: the workflows grant ${code('contents: read')}; the ${code('id-token')} permission (write) only on the jobs that log in to the cloud (${['build-images', 'model-validation', 'deploy-staging', 'smoke-test', 'promote-production'].filter((j) => jobLogsIn(plan, j)).map((j) => code(j)).join(', ')}, and ${code('data-validation')} when it pulls a DVC snapshot), ${code('contents: write')} only on the two deploy jobs that commit the image tag to the overlay.`
      : `Least privilege: ${code('id_tokens')} only on the jobs that log in to the cloud; deploy jobs push overlay commits with a project access token (write_repository).`,
    github
      ? `Supply chain: every action pinned to an exact release (${Object.values(ACTIONS).length} actions, e.g. ${code(ACTIONS.checkout)}), no ${code('${{ }}')} inside ${code('run:')} (values reach scripts through ${code('env:')}), every script passes shellcheck.`
      : `Supply chain: images pinned (${code(pythonImage('3.11').replace('3.11', '<python>'))} patch releases, kaniko ${code('v1.23.2-debug')}), CLIs pinned, every script passes shellcheck.`,
    github
      ? `Concurrency: pull-request runs cancel superseded ones; ${code('delivery')} queues per branch and never cancels; each environment's deploy has its own group that is never cancelled half-way.`
      : `Concurrency: CI jobs are ${code('interruptible')} (a newer pipeline supersedes them); deploys are not, and ${code('resource_group')} runs one deploy per environment at a time.`,
    github
      ? `Approval: ${code('promote-production')} runs in the ${code('production')} environment, whose required reviewers (release manager, on-call; self-review prevented) are set in the repository settings.`
      : `Approval: ${code('promote-production')} is ${code('when: manual')} on the protected ${code('production')} environment (approval rules: release manager, on-call).`,
    `Scheduled retraining: scale.training_schedule ${code(spec.scale.training_schedule)} → cron ${code(retrainCron(spec))} (UTC, five fields: neither platform takes @-macros)${github ? '' : ', set as a pipeline schedule in the project'}; ${code(CI_SCRIPTS.retrain)} starts a ${code(spec.options.orchestration)} run (${
      { kubeflow: code('kfp run create'), airflow: 'the Airflow REST API (POST dagRuns)', prefect: code('prefect deployment run'), dagster: code('dagster job launch') }[spec.options.orchestration]
    }); the candidate it registers goes through the next delivery's model gate.`,
  ]);
}

/** Jobs that log in to the cloud whatever the data versioning (the data gate also does when it pulls a DVC snapshot). */
function jobLogsIn(plan: MlopsPlan, job: string): boolean {
  if (job === 'build-images' || job === 'model-validation') return true;
  if (job === 'deploy-staging' || job === 'promote-production') return serverDeployed(plan.modes);
  if (job === 'smoke-test') return !serverDeployed(plan.modes);
  return false;
}

/** The "Optimised multi-stage Docker builds" paragraph. */
export function dockerParagraph(doc: MarkdownDocument, plan: MlopsPlan, pp: PythonProDecisions): void {
  const rt = plan.runtime;
  const build = plan.ci.stages.find((s) => s.name === 'build_images')?.budget_minutes ?? 0;
  doc.paragraph(
    `${code(DOCKERFILES.server)} (${code(plan.names.serverImage)}): ${code(`ARG RUNTIME_IMAGE=${rt.baseImage}`)}, ${serverImageText(plan, pythonImage(pp.python_version))}. HEALTHCHECK: ${code(`python3 → http://127.0.0.1:${rt.httpPort}${rt.readyPath}`)} every 30 s with a ${plan.sizing.startup_seconds} s start period (the startup budget: model fetch + load${plan.sizing.gpus > 0 ? ' + CUDA warm-up' : ''}); the images have python but no curl.`,
    `${code(DOCKERFILES.jobs)} (${code(plan.names.jobsImage)}: training, batch, stream): ${code(`ARG PYTHON_IMAGE=${pythonImage(pp.python_version)}`)} (a patch release, not a moving ${code(`${pp.python_version}-slim`)}); the builder installs build-essential and builds wheels of the package and every dependency, the runtime stage installs them offline (${code('--no-index')}) with no compiler, adds user ${code(IMAGE_USER)} and the training configs.`,
    `Both carry OCI labels (title, revision from ${code('VCS_REF')}, base image). ${code('.dockerignore')} keeps VCS, ${code('.env*')}, data, models, tests, infrastructure, manifests and caches out of the context, so no secret or dataset reaches a layer; models are fetched at start, so a model release rebuilds nothing. The build stage budget is ${build} min${build > 8 ? ` (the large ${rt.runtime} base image)` : ''}; ${plan.ci.platform === 'github-actions' ? 'layers are cached between runs in the GitHub Actions cache backend (no mutable cache tag, so registry tags stay immutable)' : 'kaniko builds without a daemon and without a registry layer cache (no mutable cache tag, so registry tags stay immutable)'}.`,
  );
}

/** What docker/model-server/Dockerfile builds, per serving platform. */
function serverImageText(plan: MlopsPlan, builder: string): string {
  const rt = plan.runtime;
  const wheels = `a builder stage on ${code(builder)} builds wheels of the ${code(plan.pythonPackage)} package and every runtime dependency with a pip cache mount, and the runtime stage installs them offline (no compiler)`;
  switch (rt.platform) {
    case 'kserve':
    case 'seldon':
      return `pinned by tag and overridable at build time; ${wheels} and runs ${code(rt.args.join(' '))}, our FastAPI server, as ${code(IMAGE_USER)}, the UID:GID of the pod securityContext`;
    case 'torchserve':
      return `pinned by tag; the runtime stage adds Java 17 (TorchServe's frontend), torch ${TORCH_VERSION}${plan.sizing.gpus > 0 ? '' : ' (CPU wheels)'} and TorchServe ${TORCHSERVE_VERSION} from PyPI, since the pytorch/torchserve images ship an older Python than the package's; ${wheels}; the manifests pass TorchServe's args and the .mar's handler imports the installed package; runs as ${code(IMAGE_USER)}`;
    case 'triton':
      return `the Triton image pinned by tag; a builder stage on ${code(builder)} builds the ${code(plan.pythonPackage)} wheel, which the runtime stage installs into Triton's Python (the Python backend stub's CPython 3.10) with its dependencies resolved for that Python; the manifests pass tritonserver's args; runs as ${code(IMAGE_USER)}`;
  }
}
