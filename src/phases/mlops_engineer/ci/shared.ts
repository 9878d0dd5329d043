import type { ArtifactKind } from '../../../artifacts/artifact.js';
import { shQuote } from '../../../generators/serializers/shell.js';
import type { ResolvedSpec } from '../../../spec/resolve.js';
import { objectStoreUri } from '../../common.js';
import type { DataEngineerDecisions } from '../../data_engineer/decisions.js';
import type { MlEngineerDecisions } from '../../ml_engineer/decisions.js';
import { fiveFieldCron } from '../../ml_engineer/python/orchestration.js';
import type { PythonProDecisions } from '../../python_pro/decisions.js';
import { dependencies } from '../../python_pro/pyproject.js';
import { serverDeployed, type CiPlatformId, type MlopsPlan } from '../derive.js';
import { clustersOf } from '../identity.js';
import type { Cloud } from '../../../generators/terraform/types.js';
import { workloadNamespaces } from '../naming.js';
import { SELDON_UNIT } from '../platforms.js';
import { exampleRecord, oipRequest } from '../python/oip.js';

/**
 * What the GitHub Actions and GitLab CI generators share: the jobs of the commit-to-production path and the
 * stage (budget) each belongs to, the pinned tool versions, the repository variables they read, and the gate
 * scripts both platforms call (so the two platforms run the very same checks).
 */

/** A generated file of the CI/CD and container slice: the lead wraps it with artifact(). */
export interface CiFile {
  path: string;
  kind: ArtifactKind;
  content: string;
  purpose: string;
}

/** The upstream decisions the workflows call into (entrypoints, data sources, registry, test layers). */
export interface CiUpstream {
  data_engineer: DataEngineerDecisions;
  ml_engineer: MlEngineerDecisions;
  python_pro: PythonProDecisions;
}

// ---------------------------------------------------------------------------------------------------------------
// Jobs and stages

export type CiJobId = 'lint' | 'typecheck' | 'unit-tests' | 'build-images' | 'data-validation' | 'model-validation' | 'deploy-staging' | 'smoke-test' | 'promote-production';

/** The jobs of each planCi stage, in order. production_approval has no job: it is the environment gate of promote-production. */
export const STAGE_JOBS: Readonly<Record<string, readonly CiJobId[]>> = {
  lint_and_unit_tests: ['lint', 'typecheck', 'unit-tests'],
  build_images: ['build-images'],
  data_validation_gate: ['data-validation'],
  model_validation_gate: ['model-validation'],
  deploy_staging: ['deploy-staging'],
  smoke_and_shadow: ['smoke-test'],
  production_approval: [],
  promote_production: ['promote-production'],
};

/** The stage budget of a job: its timeout, so the budget is enforced by the CI platform, not only written down. */
export function jobBudget(plan: MlopsPlan, job: CiJobId): number {
  const stage = Object.entries(STAGE_JOBS).find(([, jobs]) => jobs.includes(job))?.[0];
  const budget = plan.ci.stages.find((s) => s.name === stage)?.budget_minutes;
  if (budget === undefined) throw new Error(`no CI stage budget for job ${job}`);
  return budget;
}

/** Jobs a job waits for: the jobs of the previous stage that has any (the stages run one after another). */
export function previousJobs(plan: MlopsPlan, job: CiJobId): CiJobId[] {
  const stages = plan.ci.stages.map((s) => s.name).filter((name) => (STAGE_JOBS[name] ?? []).length > 0);
  const index = stages.findIndex((name) => STAGE_JOBS[name]!.includes(job));
  return index <= 0 ? [] : [...STAGE_JOBS[stages[index - 1]!]!];
}

export interface CommitToProdStep {
  stage: string;
  jobs: string[];
  budget_minutes: number;
  /** How the platform holds the stage to its budget. */
  enforced_by: string;
}

export interface CommitToProdPath {
  platform: CiPlatformId;
  steps: CommitToProdStep[];
  total_minutes: number;
  slo_minutes: number;
  slack_minutes: number;
  fits_slo: boolean;
}

/**
 * The commit-to-production path as the CI platform runs it: stage → job(s) → budget minutes. Each job's timeout
 * is its stage budget; jobs of one stage run in parallel, stages one after another, so the sum of the budgets
 * bounds the path. The approval is a human wait: its budget is a response target of the reviewers.
 */
export function commitToProdPath(plan: MlopsPlan): CommitToProdPath {
  const github = plan.ci.platform === 'github-actions';
  const steps = plan.ci.stages.map((st) => {
    const jobs = [...(STAGE_JOBS[st.name] ?? [])];
    const enforced =
      jobs.length === 0
        ? github
          ? 'environment production: required reviewers (the job waits for them; their response target)'
          : 'when: manual on the protected production environment (the pipeline waits; response target)'
        : github
          ? `timeout-minutes: ${st.budget_minutes} on ${jobs.join(', ')}`
          : `timeout: ${st.budget_minutes} minutes on ${jobs.join(', ')}`;
    return { stage: st.name, jobs: jobs.length === 0 ? ['promote-production (approval)'] : jobs, budget_minutes: st.budget_minutes, enforced_by: enforced };
  });
  return { platform: plan.ci.platform, steps, total_minutes: plan.ci.total_minutes, slo_minutes: plan.ci.slo_minutes, slack_minutes: plan.ci.slack_minutes, fits_slo: plan.ci.fits_slo };
}

/** Scheduled retraining as a five-field cron (GitHub and GitLab schedules take no @daily-style macros). */
export function retrainCron(spec: ResolvedSpec): string {
  return fiveFieldCron(spec.scale.training_schedule);
}

// ---------------------------------------------------------------------------------------------------------------
// Pinned versions

export { PYTHON_PATCH, pythonImage } from '../platform.js';

export const TOOL_VERSIONS = {
  ruff: '0.6.9',
  argocd: 'v2.13.1',
  argoRollouts: 'v1.7.2',
  kustomize: 'v5.5.0',
  dvc: '3.55.2',
  awscli: '1.34.0',
  azureCli: '2.63.0',
  gcloud: '488.0.0',
  kaniko: 'v1.23.2-debug',
  kubelogin: 'v0.1.4',
  kubectl: 'v1.31.2',
} as const;

// ---------------------------------------------------------------------------------------------------------------
// Cloud facts the jobs need

/** The cloud CI pushes to and authenticates against: the primary cluster's (multi-cloud: AWS). */
export function ciCloud(spec: ResolvedSpec): Cloud {
  return clustersOf(spec)[0]!;
}

/** Registry host of the cloud (the part of plan.cloud.registry before the first slash). */
export function registryHost(plan: MlopsPlan): string {
  return plan.cloud.registry.split('/')[0]!;
}

/** Azure Container Registry name (ACR logins take the name, not the host). */
export function acrName(plan: MlopsPlan): string {
  return registryHost(plan).replace(/\.azurecr\.io$/, '');
}

/**
 * Repository variables (not secrets: identifiers only) the workflows read, with what they hold. Secrets are
 * referenced by name for credentials that have no OIDC federation (tracking server, Argo CD, orchestrator API).
 */
export interface CiVariable {
  name: string;
  secret: boolean;
  what: string;
}

export function ciVariables(spec: ResolvedSpec, plan: MlopsPlan, up: CiUpstream): CiVariable[] {
  const cloud = ciCloud(spec);
  const vars: CiVariable[] = [{ name: 'REGISTRY', secret: false, what: `registry prefix the images are pushed to (Terraform output image_registry; default ${plan.cloud.registry})` }];
  if (cloud === 'aws') {
    vars.push(
      { name: 'AWS_ROLE_ARN', secret: false, what: 'IAM role CI assumes through OIDC (trust: this repository, branch main and environments staging/production)' },
      { name: 'AWS_REGION', secret: false, what: 'region of the registry and the cluster' },
    );
  } else if (cloud === 'gcp') {
    vars.push(
      { name: 'GCP_WORKLOAD_IDENTITY_PROVIDER', secret: false, what: 'projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider> trusting this repository' },
      { name: 'GCP_SERVICE_ACCOUNT', secret: false, what: 'service account CI impersonates (Artifact Registry writer, bucket reader, GKE developer)' },
      { name: 'GCP_PROJECT_ID', secret: false, what: 'project of the cluster' },
      { name: 'GKE_LOCATION', secret: false, what: 'region of the GKE cluster' },
    );
  } else {
    vars.push(
      { name: 'AZURE_CLIENT_ID', secret: false, what: 'client id of the managed identity / app registration with a federated credential for this repository' },
      { name: 'AZURE_TENANT_ID', secret: false, what: 'tenant of that identity' },
      { name: 'AZURE_SUBSCRIPTION_ID', secret: false, what: 'subscription of the registry and the cluster' },
      { name: 'AKS_RESOURCE_GROUP', secret: false, what: 'resource group of the AKS cluster' },
    );
  }
  vars.push(
    { name: 'CLUSTER_NAME', secret: false, what: 'cluster the production release steps and the shadow run on (Terraform output cluster_name)' },
    { name: 'ARGOCD_SERVER', secret: false, what: 'Argo CD API host scripts/deploy.sh syncs through' },
    { name: 'ARGOCD_AUTH_TOKEN', secret: true, what: 'Argo CD token of a project role allowed to sync the pipeline applications only' },
  );
  if (serverDeployed(plan.modes)) vars.push({ name: 'STAGING_URL', secret: false, what: 'base URL of the staging model server the smoke test calls' });
  else vars.push({ name: 'STAGING_KUBE_CONTEXT', secret: false, what: 'kubectl context of the staging cluster (batch-only smoke test checks the CronJob image)' });
  if (plan.ci.platform === 'gitlab-ci') vars.push({ name: 'GITLAB_PUSH_TOKEN', secret: true, what: 'project access token (write_repository) scripts/deploy.sh pushes the overlay commits with' });
  vars.push({ name: 'ALLOW_FIRST_RELEASE', secret: false, what: 'true only until a production model exists: the model gate then skips the production comparison' });
  for (const key of plan.secrets.find((s) => s.name === `${spec.name}-tracking`)?.keys ?? []) vars.push({ name: key, secret: true, what: `tracking/registry credential for the model gate (${up.ml_engineer.tracking.backend})` });
  if (up.data_engineer.versioning.tool === 'lakefs') {
    vars.push(
      { name: 'LAKEFS_ENDPOINT', secret: false, what: 'lakeFS S3 gateway URL the data gate reads the snapshot through' },
      { name: 'LAKEFS_ACCESS_KEY_ID', secret: true, what: 'lakeFS read-only access key' },
      { name: 'LAKEFS_SECRET_ACCESS_KEY', secret: true, what: 'lakeFS read-only secret key' },
    );
  }
  vars.push(...orchestratorVariables(spec));
  return vars;
}

function orchestratorVariables(spec: ResolvedSpec): CiVariable[] {
  switch (spec.options.orchestration) {
    case 'kubeflow':
      return [{ name: 'KFP_ENDPOINT', secret: false, what: 'Kubeflow Pipelines API endpoint reachable from the runner' }];
    case 'airflow':
      return [
        { name: 'AIRFLOW_API_URL', secret: false, what: 'Airflow webserver base URL (stable REST API)' },
        { name: 'AIRFLOW_API_USER', secret: false, what: 'Airflow user allowed to trigger the training DAG' },
        { name: 'AIRFLOW_API_PASSWORD', secret: true, what: "that user's password" },
      ];
    case 'prefect':
      return [
        { name: 'PREFECT_API_URL', secret: false, what: 'Prefect API URL (workspace)' },
        { name: 'PREFECT_API_KEY', secret: true, what: 'Prefect API key of a service account' },
      ];
    case 'dagster':
      return [{ name: 'DAGSTER_HOME', secret: false, what: "directory of a dagster.yaml pointing at the production instance's run storage and K8sRunLauncher" }];
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Commands

/** Marker expression of the python_pro layers that run on every commit (quality/performance need a trained model). */
export const COMMIT_TEST_MARKERS = 'unit or integration';
export const MODEL_TEST_MARKERS = 'quality or performance';

export const CI_SCRIPTS = {
  dataGate: 'ci/scripts/data-validation-gate.sh',
  modelGate: 'ci/scripts/model-validation-gate.sh',
  smoke: 'ci/scripts/smoke-test.sh',
  retrain: 'ci/scripts/trigger-retraining.sh',
  deployTools: 'ci/scripts/install-deploy-tools.sh',
  cloudLogin: 'ci/scripts/cloud-login.sh',
} as const;

export const DOCKERFILES = { server: 'docker/model-server/Dockerfile', jobs: 'docker/jobs/Dockerfile' } as const;

/** The images CI builds: key, Dockerfile and repository name (plan.names). */
export function images(plan: MlopsPlan): { key: 'server' | 'jobs'; dockerfile: string; repository: string }[] {
  return [
    { key: 'server', dockerfile: DOCKERFILES.server, repository: plan.names.serverImage },
    { key: 'jobs', dockerfile: DOCKERFILES.jobs, repository: plan.names.jobsImage },
  ];
}

/** pip arguments installing the orchestrator's client (the python_pro `orchestration` extra, same bounds). */
export function orchestratorClient(spec: ResolvedSpec, up: CiUpstream): string[] {
  // Airflow is triggered over its REST API with curl: installing Airflow in CI would take longer than the job.
  if (spec.options.orchestration === 'airflow') return [];
  return dependencies(spec, up.ml_engineer).orchestration;
}

/** dvc with the remote's cloud extra. */
export function dvcRequirement(spec: ResolvedSpec): string {
  const extra = { aws: 's3', gcp: 'gs', azure: 'azure' }[ciCloud(spec)];
  return `dvc[${extra}]==${TOOL_VERSIONS.dvc}`;
}

/** Whether a job needs cloud credentials (OIDC). */
export function needsCloud(spec: ResolvedSpec, plan: MlopsPlan, up: CiUpstream, job: CiJobId | 'retrain'): boolean {
  switch (job) {
    case 'build-images':
    case 'model-validation':
      return true;
    case 'data-validation':
      return up.data_engineer.versioning.tool === 'dvc';
    case 'deploy-staging':
    case 'promote-production':
      // The release steps and the shadow of scripts/deploy.sh talk to the production cluster with kubectl.
      return serverDeployed(plan.modes);
    case 'smoke-test':
      return !serverDeployed(plan.modes);
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Gate scripts (shared by both platforms)

const HEADER = ['#!/usr/bin/env bash', 'set -euo pipefail'];

function die(): string[] {
  return ['die() {', '  echo "$(basename "$0"): $*" >&2', '  exit 1', '}', ''];
}

/** Copy one object of the models store to a local file, with the cloud's CLI (credentials from OIDC). */
function modelStoreCopy(spec: ResolvedSpec, modelName: string): string[] {
  const root = `${objectStoreUri(spec, 'models')}/${modelName}`;
  const lines = [`# fetch <path under ${root}> <local file>`, 'fetch() {', '  mkdir -p "$(dirname "$2")"'];
  switch (ciCloud(spec)) {
    case 'aws':
      lines.push(`  aws s3 cp --only-show-errors ${shQuote(`${root}/`)}"$1" "$2"`);
      break;
    case 'gcp':
      lines.push(`  gcloud storage cp --quiet ${shQuote(`${root}/`)}"$1" "$2"`);
      break;
    case 'azure': {
      const m = /^abfss:\/\/([^@]+)@([^.]+)\.dfs\.core\.windows\.net\/(.+)$/.exec(root);
      lines.push(
        `  az storage blob download --auth-mode login --account-name ${shQuote(m?.[2] ?? 'account')} --container-name ${shQuote(m?.[1] ?? 'models')} --name ${shQuote(`${m?.[3] ?? modelName}/`)}"$1" --file "$2" --only-show-errors --output none`,
      );
      break;
    }
  }
  lines.push('}', '');
  return lines;
}

/** ci/scripts/data-validation-gate.sh: the data engineer's contract validator on the latest snapshot of every source. */
export function dataGateScript(spec: ResolvedSpec, up: CiUpstream): string {
  const de = up.data_engineer;
  const fetch =
    de.versioning.tool === 'dvc'
      ? ['# The snapshot is tracked by DVC (data/dvc.yaml imports it from the processed layer).', 'snapshot() {', '  dvc pull --quiet "data/snapshots/$1.jsonl"', '}']
      : [
          '# lakeFS S3 gateway: bucket = repository, key = branch/path. lakeFS keys, not cloud credentials.',
          'snapshot() {',
          '  [[ -n "${LAKEFS_ENDPOINT:-}" ]] || die "LAKEFS_ENDPOINT is not set"',
          '  mkdir -p data/snapshots',
          `  AWS_ACCESS_KEY_ID="$LAKEFS_ACCESS_KEY_ID" AWS_SECRET_ACCESS_KEY="$LAKEFS_SECRET_ACCESS_KEY" AWS_SESSION_TOKEN='' \\`,
          `    aws s3 cp --only-show-errors --endpoint-url "$LAKEFS_ENDPOINT" ${shQuote(`s3://${spec.name}/main/snapshots/`)}"$1.jsonl" "data/snapshots/$1.jsonl"`,
          '}',
        ];
  const lines = [
    ...HEADER,
    `# Data validation gate of ${spec.name}: every source's latest snapshot against the data contract.`,
    `# Blocks when the share of failing records exceeds ${de.quality.max_issue_rate_pct} % (slo.data_quality_issue_pct).`,
    '',
    ...die(),
    ...fetch,
    '',
    `readonly MAX_ISSUE_RATE=${shQuote(String(de.quality.max_issue_rate_pct))}`,
    `readonly SOURCES=(${de.sources.map((s) => shQuote(s.name)).join(' ')})`,
    'mkdir -p data/reports',
    'failed=0',
    'for source in "${SOURCES[@]}"; do',
    '  snapshot "$source"',
    `  if ! PYTHONPATH=ml/src python -m ${de.paths.validation_module} "$source" "data/snapshots/\${source}.jsonl" --max-issue-rate "$MAX_ISSUE_RATE" --report "data/reports/validation_\${source}.json"; then`,
    '    echo "data gate: ${source} exceeds the ${MAX_ISSUE_RATE} % issue rate (data/reports/validation_${source}.json)" >&2',
    '    failed=1',
    '  fi',
    'done',
    '[[ "$failed" -eq 0 ]] || die "data validation gate failed"',
    'echo "data gate: ${#SOURCES[@]} source(s) within the contract"',
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * ci/scripts/model-validation-gate.sh: the candidate's quality/performance tests and the promotion gate of the
 * ml_engineer (registry.promotion promote --to staging), which compares it with the baseline metric and with the
 * production model's metrics, and exits 3 when the candidate does not qualify.
 */
export function modelGateScript(spec: ResolvedSpec, plan: MlopsPlan, up: CiUpstream): string {
  const gate = up.ml_engineer.registry.promotion_gate;
  const pkg = plan.pythonPackage;
  const stage = up.ml_engineer.registry.stages[1] ?? 'staging';
  const lines = [
    ...HEADER,
    `# Model validation gate of ${plan.modelName}: ${gate.metric} (${gate.direction}, rule ${gate.rule}) must pass the`,
    `# threshold and beat the production model by >= ${gate.min_improvement_pct} %; the gate code is ${pkg}.registry.promotion.`,
    '# Layout in the models store: candidates/LATEST (version), candidates/<version>/{model.pkl,metrics.json,last_training.json},',
    '# production/metrics.json (metrics of the version the registry serves as prod).',
    '',
    ...die(),
    ...modelStoreCopy(spec, plan.modelName),
    'readonly WORK=.gate',
    'rm -rf "$WORK" && mkdir -p "$WORK"',
    'fetch candidates/LATEST "$WORK/LATEST"',
    'version="$(tr -d "[:space:]" <"$WORK/LATEST")"',
    '[[ "$version" =~ ^[A-Za-z0-9._-]+$ ]] || die "invalid candidate version: ${version}"',
    'for file in model.pkl metrics.json last_training.json; do',
    '  fetch "candidates/${version}/${file}" "$WORK/candidate/${file}"',
    'done',
    '',
    'production=()',
    'if fetch production/metrics.json "$WORK/production/metrics.json"; then',
    '  production=(--production-metrics "$WORK/production/metrics.json")',
    'elif [[ "${ALLOW_FIRST_RELEASE:-false}" == "true" ]]; then',
    '  echo "model gate: no production model yet (ALLOW_FIRST_RELEASE=true): threshold checks only" >&2',
    'else',
    '  die "cannot read the production model metrics; set ALLOW_FIRST_RELEASE=true only before the first release"',
    'fi',
    '',
    '# Invariance, directional and budget tests of python_pro on the candidate model.',
    `${pkg.toUpperCase()}_TEST_MODEL="$PWD/$WORK/candidate/model.pkl" python -m pytest ml/tests -m ${shQuote(MODEL_TEST_MARKERS)} -q`,
    '',
    `# Exit code 3: the candidate does not beat the baseline threshold and production; the version stays out of ${stage}.`,
    `PYTHONPATH=ml/src python -m ${pkg}.registry.promotion promote --version "$version" --to ${shQuote(stage)} \\`,
    '  --candidate-metrics "$WORK/candidate/metrics.json" --training-output "$WORK/candidate/last_training.json" "${production[@]}"',
    `echo "model gate: ${plan.modelName} version \${version} promoted to ${stage}"`,
  ];
  return `${lines.join('\n')}\n`;
}

/** Path and JSON body of one inference request to the staging server (zeros of the served input width). */
/** One valid record of the declared features, in the request shape of the platform's server. */
function smokeRequest(spec: ResolvedSpec, plan: MlopsPlan): { path: string; body: unknown } {
  const record = exampleRecord(spec);
  switch (plan.runtime.platform) {
    case 'kserve':
      return { path: `/v2/models/${plan.modelName}/infer`, body: oipRequest(spec, record) };
    case 'seldon':
      return { path: `/seldon/${plan.namespaces.serving}/${plan.names.platformObject}/v2/models/${SELDON_UNIT}/infer`, body: oipRequest(spec, record) };
    case 'torchserve':
      // The handler takes the record as POST /predict does.
      return { path: `/predictions/${plan.modelName}`, body: record };
    case 'triton': {
      // Triton batches on the first dimension: each feature tensor is [1, 1].
      const request = oipRequest(spec, record);
      return { path: `/v2/models/${plan.modelName}/infer`, body: { inputs: request.inputs.map((i) => ({ ...i, shape: [1, 1] })) } };
    }
  }
}

export const SMOKE_REQUESTS = 200;

/** ci/scripts/smoke-test.sh: staging answers health and SMOKE_REQUESTS inference calls within the p99 SLO. */
export function smokeScript(spec: ResolvedSpec, plan: MlopsPlan): string {
  if (!serverDeployed(plan.modes)) {
    const b = plan.batch!;
    const lines = [
      ...HEADER,
      `# Batch-only smoke test: Argo CD applied the new jobs image to the staging CronJob ${plan.names.batchScoring}.`,
      '',
      ...die(),
      '[[ -n "${STAGING_KUBE_CONTEXT:-}" ]] || die "STAGING_KUBE_CONTEXT is not set"',
      '[[ -n "${IMAGE_TAG:-}" ]] || die "IMAGE_TAG is not set"',
      `image="$(kubectl --context "$STAGING_KUBE_CONTEXT" -n ${shQuote(plan.namespaces.batch)} get cronjob ${shQuote(plan.names.batchScoring)} -o jsonpath='{.spec.jobTemplate.spec.template.spec.containers[0].image}')"`,
      '[[ "$image" == *":${IMAGE_TAG}" ]] || die "staging CronJob runs ${image}, expected tag ${IMAGE_TAG}"',
      `echo "smoke: ${b.entrypoint} scheduled ${b.schedule} with \${image}"`,
    ];
    return `${lines.join('\n')}\n`;
  }
  const rt = plan.runtime;
  const req = smokeRequest(spec, plan);
  const p99Index = Math.ceil(SMOKE_REQUESTS * 0.99);
  const lines = [
    ...HEADER,
    `# Smoke test of the staging ${rt.runtime}: readiness, then ${SMOKE_REQUESTS} inference requests whose p99 must stay within`,
    `# slo.p99_latency_ms = ${spec.slo.p99_latency_ms} ms. Production mirrors ${plan.rollout.shadow_mirror_pct} % of its traffic to the candidate meanwhile (shadow).`,
    '',
    ...die(),
    '[[ -n "${STAGING_URL:-}" ]] || die "STAGING_URL is not set"',
    `readonly REQUESTS=${SMOKE_REQUESTS}`,
    `readonly P99_INDEX=${p99Index}`,
    `readonly SLO_MS=${spec.slo.p99_latency_ms}`,
    `readonly BODY=${shQuote(JSON.stringify(req.body))}`,
    '',
    `curl -fsS --max-time 5 -o /dev/null "\${STAGING_URL}${rt.readyPath}" || die "staging is not ready (${rt.readyPath})"`,
    'times="$(mktemp)"',
    'trap \'rm -f "$times"\' EXIT',
    'for ((i = 0; i < REQUESTS; i++)); do',
    `  curl -fsS --max-time 5 -o /dev/null -w '%{time_total}\\n' -H 'Content-Type: application/json' --data "$BODY" "\${STAGING_URL}${req.path}" >>"$times" || die "inference request $i failed"`,
    'done',
    'p99_ms="$(sort -n "$times" | sed -n "${P99_INDEX}p" | awk \'{ printf "%d", $1 * 1000 }\')"',
    '[[ "$p99_ms" -le "$SLO_MS" ]] || die "p99 ${p99_ms} ms over the ${SLO_MS} ms SLO"',
    'echo "smoke: ${REQUESTS} requests, p99 ${p99_ms} ms <= ${SLO_MS} ms"',
  ];
  return `${lines.join('\n')}\n`;
}

/** ci/scripts/trigger-retraining.sh: starts one training run on the orchestrator of options.orchestration. */
export function retrainScript(spec: ResolvedSpec, up: CiUpstream): string {
  const o = up.ml_engineer.orchestration;
  const file = `ml/pipelines/training_${spec.options.orchestration}.py`;
  const head = [
    ...HEADER,
    `# Scheduled retraining of ${spec.name} (${retrainCron(spec)} UTC, scale.training_schedule ${spec.scale.training_schedule}) on ${o.kind}.`,
    '# The run registers a candidate; the delivery pipeline\'s model gate decides whether it is promoted.',
    '',
    ...die(),
    'readonly GIT_SHA="${GIT_SHA:-unknown}"',
    'readonly DATA_VERSION="${DATA_VERSION:-latest}"',
    '[[ "$DATA_VERSION" =~ ^[A-Za-z0-9._/-]+$ ]] || die "invalid data version: ${DATA_VERSION}"',
    '',
  ];
  let body: string[];
  switch (spec.options.orchestration) {
    case 'kubeflow':
      body = [
        '[[ -n "${KFP_ENDPOINT:-}" ]] || die "KFP_ENDPOINT is not set"',
        `# ${file} compiles the KFP v2 pipeline to training_pipeline.yaml.`,
        `python ${file}`,
        `kfp --endpoint "$KFP_ENDPOINT" --namespace ${shQuote(workloadNamespaces(spec).training)} run create \\`,
        `  --experiment-name ${shQuote(o.name)} --run-name "${o.name}-\${GIT_SHA:0:12}" --package-file training_pipeline.yaml \\`,
        '  data_version="$DATA_VERSION" git_sha="$GIT_SHA"',
      ];
      break;
    case 'airflow':
      body = [
        '[[ -n "${AIRFLOW_API_URL:-}" ]] || die "AIRFLOW_API_URL is not set"',
        `# DAG ${o.name} of ${file}; its params data_version and git_sha come from the run's conf.`,
        'conf="$(jq -n --arg v "$DATA_VERSION" --arg s "$GIT_SHA" \'{conf: {data_version: $v, git_sha: $s}}\')"',
        `curl -fsS -X POST "\${AIRFLOW_API_URL}/api/v1/dags/${o.name}/dagRuns" --user "\${AIRFLOW_API_USER}:\${AIRFLOW_API_PASSWORD}" \\`,
        "  -H 'Content-Type: application/json' --data \"$conf\"",
      ];
      break;
    case 'prefect':
      body = [
        '[[ -n "${PREFECT_API_URL:-}" ]] || die "PREFECT_API_URL is not set"',
        `# Deployment ${o.name} of ${file} (flow/deployment) on the Kubernetes work pool.`,
        `prefect deployment run ${shQuote(o.name)} --param data_version="$DATA_VERSION" --param git_sha="$GIT_SHA"`,
      ];
      break;
    case 'dagster':
      body = [
        '[[ -n "${DAGSTER_HOME:-}" ]] || die "DAGSTER_HOME is not set (dagster.yaml of the production instance)"',
        `# Job ${o.name.replace(/_schedule$/, '')} of ${file}; its op reads data_version and git_sha from the run tags.`,
        'tags="$(jq -cn --arg v "$DATA_VERSION" --arg s "$GIT_SHA" \'{data_version: $v, git_sha: $s}\')"',
        `dagster job launch --job ${shQuote(o.name.replace(/_schedule$/, ''))} --python-file ${shQuote(file)} --tags "$tags"`,
      ];
      break;
  }
  return `${[...head, ...body, `echo "retraining of ${spec.name} triggered (data \${DATA_VERSION}, code \${GIT_SHA})"`].join('\n')}\n`;
}

/** ci/scripts/install-deploy-tools.sh: the pinned CLIs scripts/deploy.sh needs that runners lack. */
export function deployToolsScript(spec: ResolvedSpec, plan: MlopsPlan): string {
  const rollouts = plan.runtime.platform === 'torchserve' || plan.runtime.platform === 'triton';
  const azure = ciCloud(spec) === 'azure';
  const lines = [
    ...HEADER,
    '# Installs argocd and kustomize (and the Argo Rollouts kubectl plugin) into the directory given, pinned;',
    '# kubectl only where the image has none (GitHub runners have it).',
    'readonly BIN="${1:?usage: install-deploy-tools.sh <bin-dir>}"',
    'mkdir -p "$BIN"',
    'if ! command -v kubectl >/dev/null 2>&1; then',
    `  curl -fsSL -o "$BIN/kubectl" "https://dl.k8s.io/release/${TOOL_VERSIONS.kubectl}/bin/linux/amd64/kubectl"`,
    '  chmod +x "$BIN/kubectl"',
    'fi',
    `curl -fsSL -o "$BIN/argocd" "https://github.com/argoproj/argo-cd/releases/download/${TOOL_VERSIONS.argocd}/argocd-linux-amd64"`,
    `curl -fsSL "https://github.com/kubernetes-sigs/kustomize/releases/download/kustomize%2F${TOOL_VERSIONS.kustomize}/kustomize_${TOOL_VERSIONS.kustomize}_linux_amd64.tar.gz" | tar -xz -C "$BIN" kustomize`,
    ...(rollouts ? [`curl -fsSL -o "$BIN/kubectl-argo-rollouts" "https://github.com/argoproj/argo-rollouts/releases/download/${TOOL_VERSIONS.argoRollouts}/kubectl-argo-rollouts-linux-amd64"`] : []),
    ...(azure
      ? [
          '# AKS with Entra ID: kubectl authenticates through kubelogin (azurecli mode).',
          `curl -fsSL -o /tmp/kubelogin.zip "https://github.com/Azure/kubelogin/releases/download/${TOOL_VERSIONS.kubelogin}/kubelogin-linux-amd64.zip"`,
          'unzip -o -j -q /tmp/kubelogin.zip bin/linux_amd64/kubelogin -d "$BIN"',
        ]
      : []),
    `chmod +x "$BIN/argocd"${rollouts ? ' "$BIN/kubectl-argo-rollouts"' : ''}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** kubectl context name of the production cluster the release steps use (deploy.sh reads PROD_KUBE_CONTEXT). */
export const PROD_CONTEXT = 'prod';

/** Shell lines writing the production cluster's kubeconfig under context PROD_CONTEXT (cloud CLI logged in). */
export function kubeconfigLines(spec: ResolvedSpec): string[] {
  switch (ciCloud(spec)) {
    case 'aws':
      return [`aws eks update-kubeconfig --name "$CLUSTER_NAME" --region "$AWS_REGION" --alias ${PROD_CONTEXT}`];
    case 'gcp':
      return [
        'gcloud components install gke-gcloud-auth-plugin --quiet',
        'gcloud container clusters get-credentials "$CLUSTER_NAME" --location "$GKE_LOCATION" --project "$GCP_PROJECT_ID"',
        `kubectl config rename-context "gke_\${GCP_PROJECT_ID}_\${GKE_LOCATION}_\${CLUSTER_NAME}" ${PROD_CONTEXT}`,
      ];
    case 'azure':
      return [`az aks get-credentials --name "$CLUSTER_NAME" --resource-group "$AKS_RESOURCE_GROUP" --context ${PROD_CONTEXT} --overwrite-existing`, 'kubelogin convert-kubeconfig -l azurecli'];
  }
}

/** Every script both platforms call, as files. */
export function ciScriptFiles(spec: ResolvedSpec, plan: MlopsPlan, up: CiUpstream): CiFile[] {
  return [
    { path: CI_SCRIPTS.dataGate, kind: 'shell', content: dataGateScript(spec, up), purpose: 'data validation gate: contract validator on the latest snapshot of every source' },
    { path: CI_SCRIPTS.modelGate, kind: 'shell', content: modelGateScript(spec, plan, up), purpose: 'model validation gate: quality tests + promotion gate against the baseline and production' },
    { path: CI_SCRIPTS.smoke, kind: 'shell', content: smokeScript(spec, plan), purpose: 'staging smoke test (readiness, p99 within the SLO)' },
    { path: CI_SCRIPTS.retrain, kind: 'shell', content: retrainScript(spec, up), purpose: `triggers one ${spec.options.orchestration} training run` },
    { path: CI_SCRIPTS.deployTools, kind: 'shell', content: deployToolsScript(spec, plan), purpose: 'pinned argocd / kustomize for scripts/deploy.sh in CI' },
  ];
}
