import { toYaml } from '../../../generators/serializers/yaml.js';
import type { ResolvedSpec } from '../../../spec/resolve.js';
import { serverDeployed, type MlopsPlan } from '../derive.js';
import {
  CI_SCRIPTS,
  STAGE_JOBS,
  COMMIT_TEST_MARKERS,
  PROD_CONTEXT,
  TOOL_VERSIONS,
  ciCloud,
  dvcRequirement,
  images,
  jobBudget,
  kubeconfigLines,
  needsCloud,
  orchestratorClient,
  previousJobs,
  pythonImage,
  retrainCron,
  type CiFile,
  type CiJobId,
  type CiUpstream,
} from './shared.js';

// .gitlab-ci.yml as a typed object (the subset of the GitLab CI syntax we emit), serialised with toYaml.

export interface GlRule {
  if: string;
  when?: 'manual' | 'never' | 'on_success';
}

export interface GlJob {
  stage: string;
  image: string | { name: string; entrypoint: string[] };
  needs: string[];
  rules: GlRule[];
  timeout: string;
  interruptible: boolean;
  variables?: Record<string, string>;
  id_tokens?: Record<string, { aud: string }>;
  parallel?: { matrix: Record<string, string>[] };
  cache?: { key: string; paths: string[] };
  before_script?: string[];
  script: string[];
  artifacts?: { paths: string[]; when: 'always' | 'on_success'; expire_in: string; reports?: { junit: string } };
  environment?: { name: string; deployment_tier: 'staging' | 'production' };
  resource_group?: string;
  allow_failure?: boolean;
}

export interface GitlabCi {
  workflow: { rules: GlRule[] };
  stages: string[];
  variables: Record<string, string>;
  [job: string]: GlJob | GitlabCi['workflow'] | string[] | Record<string, string>;
}

export const GITLAB_CI_PATH = '.gitlab-ci.yml';
export const OIDC_TOKEN = 'GITLAB_OIDC_TOKEN';
export const KANIKO_IMAGE = `gcr.io/kaniko-project/executor:${TOOL_VERSIONS.kaniko}`;
export const RETRAIN_STAGE = 'retrain';

const SCHEDULE = '$CI_PIPELINE_SOURCE == "schedule"';
const DEFAULT_BRANCH = '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH';
const MERGE_REQUEST = '$CI_PIPELINE_SOURCE == "merge_request_event"';
const minutes = (n: number) => `${n} minutes`;

/** Audience of the job's OIDC token, per cloud (what the cloud's federation trusts). */
export function oidcAudience(spec: ResolvedSpec): string {
  switch (ciCloud(spec)) {
    case 'aws':
      return 'sts.amazonaws.com';
    case 'gcp':
      return 'https://iam.googleapis.com/${GCP_WORKLOAD_IDENTITY_PROVIDER}';
    case 'azure':
      return 'api://AzureADTokenExchange';
  }
}

/** Installs the cloud CLI in the python image (pinned), for the jobs that copy from the models store or talk to the cluster. */
function cloudCli(spec: ResolvedSpec): string[] {
  switch (ciCloud(spec)) {
    case 'aws':
      return [`python -m pip install "awscli==${TOOL_VERSIONS.awscli}"`];
    case 'azure':
      return [`python -m pip install "azure-cli==${TOOL_VERSIONS.azureCli}"`];
    case 'gcp':
      return [
        `curl -fsSL "https://dl.google.com/dl/cloudsdk/channels/rapid/downloads/google-cloud-cli-${TOOL_VERSIONS.gcloud}-linux-x86_64.tar.gz" | tar -xz -C /opt`,
        'export PATH="/opt/google-cloud-sdk/bin:$PATH"',
      ];
  }
}

const APT = 'apt-get update -qq && apt-get install -y -qq --no-install-recommends curl git jq unzip >/dev/null';

/** Kaniko's credential helper per registry (ecr-login, gcr, acr-env ship in the executor image). */
function kanikoHelper(spec: ResolvedSpec): string {
  return { aws: 'ecr-login', gcp: 'gcr', azure: 'acr-env' }[ciCloud(spec)];
}

function oidc(spec: ResolvedSpec): Record<string, { aud: string }> {
  return { [OIDC_TOKEN]: { aud: oidcAudience(spec) } };
}

function ciRules(): GlRule[] {
  return [{ if: SCHEDULE, when: 'never' }, { if: MERGE_REQUEST }, { if: DEFAULT_BRANCH }];
}

function deliveryRules(manual = false): GlRule[] {
  return [{ if: SCHEDULE, when: 'never' }, manual ? { if: DEFAULT_BRANCH, when: 'manual' } : { if: DEFAULT_BRANCH }];
}

function stageOf(job: CiJobId): string {
  return Object.entries(STAGE_JOBS).find(([, jobs]) => jobs.includes(job))![0];
}

function pythonJob(plan: MlopsPlan, up: CiUpstream, job: CiJobId, script: string[], extra: Partial<GlJob> = {}): GlJob {
  return {
    stage: stageOf(job),
    image: pythonImage(up.python_pro.python_version),
    needs: previousJobs(plan, job),
    rules: ciRules(),
    timeout: minutes(jobBudget(plan, job)),
    interruptible: true,
    cache: { key: 'pip', paths: ['.cache/pip'] },
    script,
    ...extra,
  };
}

function deployJob(spec: ResolvedSpec, plan: MlopsPlan, up: CiUpstream, job: 'deploy-staging' | 'promote-production'): GlJob {
  const prod = job === 'promote-production';
  const cloud = needsCloud(spec, plan, up, job);
  return {
    stage: stageOf(job),
    image: pythonImage(up.python_pro.python_version),
    needs: previousJobs(plan, job),
    rules: deliveryRules(prod),
    timeout: minutes(jobBudget(plan, job)),
    // A deploy is never interrupted half-way by a newer pipeline; resource_group queues deploys one at a time.
    interruptible: false,
    resource_group: `${spec.name}-${prod ? 'production' : 'staging'}`,
    environment: { name: prod ? 'production' : 'staging', deployment_tier: prod ? 'production' : 'staging' },
    ...(prod ? { allow_failure: false } : {}),
    ...(cloud ? { id_tokens: oidc(spec) } : {}),
    variables: { PROD_KUBE_CONTEXT: PROD_CONTEXT, ...(prod ? { APPROVED_BY: 'gitlab-environment-production-$GITLAB_USER_LOGIN' } : {}) },
    before_script: [
      APT,
      `bash ${CI_SCRIPTS.deployTools} /usr/local/bin`,
      ...(cloud ? [...cloudCli(spec), `. ${CI_SCRIPTS.cloudLogin}`, ...kubeconfigLines(spec)] : []),
      // deploy.sh commits the tag to the overlay: a branch (not the detached checkout) and a token that may push.
      'git config user.name "gitlab-ci" && git config user.email "gitlab-ci@$CI_SERVER_HOST"',
      'git remote set-url origin "https://oauth2:${GITLAB_PUSH_TOKEN}@${CI_SERVER_HOST}/${CI_PROJECT_PATH}.git"',
      'git fetch --quiet origin "$CI_COMMIT_BRANCH" && git checkout -B "$CI_COMMIT_BRANCH" "origin/$CI_COMMIT_BRANCH"',
    ],
    script: [`scripts/deploy.sh "$IMAGE_TAG" ${prod ? 'prod' : 'staging'}`],
  };
}

/** The .gitlab-ci.yml (ci_platform gitlab): the same stages, gates and budgets as the GitHub workflows. */
export function gitlabCi(spec: ResolvedSpec, plan: MlopsPlan, up: CiUpstream): GitlabCi {
  const dvc = up.data_engineer.versioning.tool === 'dvc';
  const online = serverDeployed(plan.modes);
  const client = orchestratorClient(spec, up);
  const stages = [...plan.ci.stages.map((s) => s.name).filter((s) => s !== 'production_approval'), RETRAIN_STAGE];
  const jobs: Record<string, GlJob> = {
    lint: pythonJob(plan, up, 'lint', ['cd ml', `python -m pip install "ruff==${TOOL_VERSIONS.ruff}"`, 'ruff check .']),
    typecheck: pythonJob(plan, up, 'typecheck', ['cd ml', 'python -m pip install -e ".[dev]"', 'mypy']),
    'unit-tests': pythonJob(plan, up, 'unit-tests', ['cd ml', 'python -m pip install -e ".[dev]"', `python -m pytest -m "${COMMIT_TEST_MARKERS}" -q --junitxml=report.xml`], {
      artifacts: { paths: ['ml/report.xml'], when: 'always', expire_in: '7 days', reports: { junit: 'ml/report.xml' } },
    }),
    'build-images': {
      stage: stageOf('build-images'),
      image: { name: KANIKO_IMAGE, entrypoint: [''] },
      needs: previousJobs(plan, 'build-images'),
      rules: deliveryRules(),
      timeout: minutes(jobBudget(plan, 'build-images')),
      interruptible: true,
      id_tokens: oidc(spec),
      parallel: { matrix: images(plan).map((i) => ({ IMAGE: i.key, DOCKERFILE: i.dockerfile, REPOSITORY: i.repository })) },
      script: [
        `. ${CI_SCRIPTS.cloudLogin}`,
        `printf '{"credHelpers":{"%s":"%s"}}' "\${REGISTRY%%/*}" "${kanikoHelper(spec)}" >/kaniko/.docker/config.json`,
        '/kaniko/executor --context "$CI_PROJECT_DIR" --dockerfile "$CI_PROJECT_DIR/$DOCKERFILE" --destination "$REGISTRY/$REPOSITORY:$IMAGE_TAG" --build-arg "VCS_REF=$CI_COMMIT_SHA"',
      ],
    },
    'data-validation': pythonJob(plan, up, 'data-validation', [`bash ${CI_SCRIPTS.dataGate}`], {
      rules: deliveryRules(),
      ...(dvc ? { id_tokens: oidc(spec) } : {}),
      before_script: dvc ? [`python -m pip install "${dvcRequirement(spec)}"`, `. ${CI_SCRIPTS.cloudLogin}`] : [`python -m pip install "awscli==${TOOL_VERSIONS.awscli}"`],
      artifacts: { paths: ['data/reports/'], when: 'always', expire_in: '30 days' },
    }),
    'model-validation': pythonJob(plan, up, 'model-validation', [`bash ${CI_SCRIPTS.modelGate}`], {
      rules: deliveryRules(),
      id_tokens: oidc(spec),
      before_script: [...(ciCloud(spec) === 'gcp' ? [APT] : []), ...cloudCli(spec), `. ${CI_SCRIPTS.cloudLogin}`, 'python -m pip install -e "ml[dev]"'],
    }),
    'deploy-staging': deployJob(spec, plan, up, 'deploy-staging'),
    'smoke-test': {
      stage: stageOf('smoke-test'),
      image: pythonImage(up.python_pro.python_version),
      needs: previousJobs(plan, 'smoke-test'),
      rules: deliveryRules(),
      timeout: minutes(jobBudget(plan, 'smoke-test')),
      interruptible: false,
      ...(online
        ? { before_script: [APT] }
        : {
            id_tokens: oidc(spec),
            variables: { STAGING_KUBE_CONTEXT: PROD_CONTEXT },
            before_script: [APT, `bash ${CI_SCRIPTS.deployTools} /usr/local/bin`, ...cloudCli(spec), `. ${CI_SCRIPTS.cloudLogin}`, ...kubeconfigLines(spec)],
          }),
      script: [`bash ${CI_SCRIPTS.smoke}`],
    },
    'promote-production': deployJob(spec, plan, up, 'promote-production'),
    'trigger-retraining': {
      stage: RETRAIN_STAGE,
      image: pythonImage(up.python_pro.python_version),
      needs: [],
      // The schedule itself lives in the project (Build > Pipeline schedules), cron below in the header.
      rules: [{ if: SCHEDULE }],
      timeout: minutes(10),
      interruptible: true,
      variables: { GIT_SHA: '$CI_COMMIT_SHA' },
      before_script: [APT, ...(client.length > 0 ? [`python -m pip install ${client.map((c) => `"${c}"`).join(' ')}`] : [])],
      script: [`bash ${CI_SCRIPTS.retrain}`],
    },
  };
  return {
    workflow: {
      rules: [
        // Overlay commits of scripts/deploy.sh ("deploy(<env>): ...") do not start another pipeline.
        { if: '$CI_COMMIT_MESSAGE =~ /^deploy\\(/', when: 'never' },
        { if: MERGE_REQUEST },
        { if: SCHEDULE },
        { if: DEFAULT_BRANCH },
      ],
    },
    stages,
    variables: { PIP_CACHE_DIR: '$CI_PROJECT_DIR/.cache/pip', REGISTRY: plan.cloud.registry, IMAGE_TAG: '$CI_COMMIT_SHA' },
    ...jobs,
  };
}

/** ci/scripts/cloud-login.sh: sourced by GitLab jobs; POSIX sh, because the kaniko image has no bash. */
export function cloudLoginScript(spec: ResolvedSpec): string {
  const common = [
    '# shellcheck shell=sh',
    `# Sourced by GitLab jobs: turns the job's OIDC token (${OIDC_TOKEN}, id_tokens) into cloud credentials. No stored keys.`,
    `if [ -z "\${${OIDC_TOKEN}-}" ]; then`,
    `  echo "cloud-login: ${OIDC_TOKEN} is not set (id_tokens)" >&2`,
    '  exit 1',
    'fi',
    '# Outside the build context; under /kaniko in the kaniko image (never snapshotted into a layer).',
    'OIDC_DIR=/tmp',
    'if [ -d /kaniko ]; then OIDC_DIR=/kaniko; fi',
    'OIDC_TOKEN_FILE="$OIDC_DIR/.oidc-token"',
    `printf '%s' "$${OIDC_TOKEN}" >"$OIDC_TOKEN_FILE"`,
  ];
  let cloud: string[];
  switch (ciCloud(spec)) {
    case 'aws':
      cloud = [
        '# The AWS SDKs and CLI assume AWS_ROLE_ARN with this web identity token themselves.',
        'AWS_WEB_IDENTITY_TOKEN_FILE="$OIDC_TOKEN_FILE"',
        'AWS_ROLE_SESSION_NAME="gitlab-${CI_JOB_ID:-local}"',
        'export AWS_WEB_IDENTITY_TOKEN_FILE AWS_ROLE_SESSION_NAME AWS_ROLE_ARN AWS_REGION',
      ];
      break;
    case 'gcp':
      cloud = [
        '# External-account credentials (Workload Identity Federation) read by gcloud, the client libraries and kaniko.',
        'GOOGLE_APPLICATION_CREDENTIALS="$OIDC_DIR/.gcp-credentials.json"',
        'printf \'{"type":"external_account","audience":"//iam.googleapis.com/%s","subject_token_type":"urn:ietf:params:oauth:token-type:jwt","token_url":"https://sts.googleapis.com/v1/token","service_account_impersonation_url":"https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/%s:generateAccessToken","credential_source":{"file":"%s"}}\' \\',
        '  "$GCP_WORKLOAD_IDENTITY_PROVIDER" "$GCP_SERVICE_ACCOUNT" "$OIDC_TOKEN_FILE" >"$GOOGLE_APPLICATION_CREDENTIALS"',
        'export GOOGLE_APPLICATION_CREDENTIALS',
        'if command -v gcloud >/dev/null 2>&1; then',
        '  gcloud auth login --cred-file="$GOOGLE_APPLICATION_CREDENTIALS" --quiet',
        '  gcloud config set project "$GCP_PROJECT_ID" --quiet',
        'fi',
      ];
      break;
    case 'azure':
      cloud = [
        '# Workload identity variables read by the Azure SDKs (DefaultAzureCredential) and kaniko acr-env.',
        'AZURE_FEDERATED_TOKEN_FILE="$OIDC_TOKEN_FILE"',
        'export AZURE_FEDERATED_TOKEN_FILE AZURE_CLIENT_ID AZURE_TENANT_ID',
        'if command -v az >/dev/null 2>&1; then',
        `  az login --service-principal --username "$AZURE_CLIENT_ID" --tenant "$AZURE_TENANT_ID" --federated-token "$${OIDC_TOKEN}" --output none`,
        '  az account set --subscription "$AZURE_SUBSCRIPTION_ID"',
        'fi',
      ];
      break;
  }
  return `${[...common, ...cloud].join('\n')}\n`;
}

/** The GitLab CI files (ci_platform gitlab). */
export function gitlabFiles(spec: ResolvedSpec, plan: MlopsPlan, up: CiUpstream): CiFile[] {
  const header = [
    `# CI/CD of pipeline ${spec.name}. Generated by mlops-mcp; variables, environments and the schedule: docs/runbooks/ci-cd.md.`,
    `# Job timeouts are the stage budgets: ${plan.ci.total_minutes} min in total of slo.commit_to_prod_minutes = ${plan.ci.slo_minutes}.`,
    `# Retraining: create a pipeline schedule with cron "${retrainCron(spec)}" (UTC) on the default branch; trigger-retraining runs only then.`,
  ];
  return [
    { path: GITLAB_CI_PATH, kind: 'gitlab-ci', content: `${header.join('\n')}\n${toYaml(gitlabCi(spec, plan, up))}`, purpose: 'GitLab CI: tests, image build/push (OIDC), data and model gates, Argo CD staging deploy, smoke test, manual production promotion, scheduled retraining' },
    { path: CI_SCRIPTS.cloudLogin, kind: 'shell', content: cloudLoginScript(spec), purpose: "GitLab jobs: the job's OIDC token exchanged for cloud credentials" },
  ];
}
