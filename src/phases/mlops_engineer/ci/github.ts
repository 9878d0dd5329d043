import { toYaml } from '../../../generators/serializers/yaml.js';
import type { ResolvedSpec } from '../../../spec/resolve.js';
import { serverDeployed, type MlopsPlan } from '../derive.js';
import {
  CI_SCRIPTS,
  COMMIT_TEST_MARKERS,
  PROD_CONTEXT,
  TOOL_VERSIONS,
  acrName,
  ciCloud,
  dvcRequirement,
  images,
  jobBudget,
  kubeconfigLines,
  needsCloud,
  orchestratorClient,
  previousJobs,
  registryHost,
  retrainCron,
  type CiFile,
  type CiJobId,
  type CiUpstream,
} from './shared.js';

// GitHub Actions workflows as typed objects (the subset of the workflow syntax we emit), serialised with toYaml.

type Permission = 'read' | 'write' | 'none';
export interface GhPermissions {
  contents: Permission;
  'id-token'?: Permission;
  packages?: Permission;
}

export interface GhStep {
  name: string;
  id?: string;
  if?: string;
  uses?: string;
  with?: Record<string, string | number | boolean>;
  run?: string;
  env?: Record<string, string>;
  'working-directory'?: string;
}

export interface GhJob {
  name: string;
  'runs-on': string;
  needs?: string[];
  if?: string;
  'timeout-minutes': number;
  permissions: GhPermissions;
  environment?: { name: string; url?: string };
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  strategy?: { 'fail-fast': boolean; matrix: { include: Record<string, string>[] } };
  env?: Record<string, string>;
  defaults?: { run: { 'working-directory': string } };
  steps: GhStep[];
}

export interface GhWorkflow {
  name: string;
  on: {
    push?: { branches: string[]; 'paths-ignore'?: string[] };
    pull_request?: { branches: string[] };
    schedule?: { cron: string }[];
    workflow_dispatch?: { inputs?: Record<string, { description: string; required: boolean; default: string; type: 'string' }> };
  };
  permissions: GhPermissions;
  concurrency: { group: string; 'cancel-in-progress': boolean };
  env?: Record<string, string>;
  jobs: Record<string, GhJob>;
}

/** Every action, pinned to an exact release (a moving major tag could change what runs under the same workflow). */
export const ACTIONS = {
  checkout: 'actions/checkout@v4.2.2',
  setupPython: 'actions/setup-python@v5.3.0',
  uploadArtifact: 'actions/upload-artifact@v4.4.3',
  awsCredentials: 'aws-actions/configure-aws-credentials@v4.0.2',
  ecrLogin: 'aws-actions/amazon-ecr-login@v2.0.1',
  gcpAuth: 'google-github-actions/auth@v2.1.7',
  gkeCredentials: 'google-github-actions/get-gke-credentials@v2.2.1',
  azureLogin: 'azure/login@v2.2.0',
  setupBuildx: 'docker/setup-buildx-action@v3.7.1',
  dockerLogin: 'docker/login-action@v3.3.0',
  buildPush: 'docker/build-push-action@v6.9.0',
} as const;

export const RUNNER = 'ubuntu-24.04';
export const WORKFLOWS = { ci: '.github/workflows/ci.yml', delivery: '.github/workflows/delivery.yml', retrain: '.github/workflows/retrain.yml' } as const;

const READ: GhPermissions = { contents: 'read' };
const run = (...lines: string[]) => lines.join('\n');

function checkout(): GhStep {
  return { name: 'Check out', uses: ACTIONS.checkout };
}

function setupPython(up: CiUpstream): GhStep {
  return { name: 'Set up Python', uses: ACTIONS.setupPython, with: { 'python-version': up.python_pro.python_version, cache: 'pip', 'cache-dependency-path': 'ml/pyproject.toml' } };
}

/** OIDC login to the cloud: the identity comes from repository variables, never a stored key. */
function cloudAuth(spec: ResolvedSpec, accessToken = false): GhStep[] {
  switch (ciCloud(spec)) {
    case 'aws':
      return [{ name: 'AWS credentials (OIDC)', uses: ACTIONS.awsCredentials, with: { 'role-to-assume': '${{ vars.AWS_ROLE_ARN }}', 'aws-region': '${{ vars.AWS_REGION }}', 'role-session-name': 'gha-${{ github.run_id }}' } }];
    case 'gcp':
      return [
        {
          name: 'Google Cloud credentials (Workload Identity Federation)',
          id: 'auth',
          uses: ACTIONS.gcpAuth,
          with: { workload_identity_provider: '${{ vars.GCP_WORKLOAD_IDENTITY_PROVIDER }}', service_account: '${{ vars.GCP_SERVICE_ACCOUNT }}', ...(accessToken ? { token_format: 'access_token' } : {}) },
        },
      ];
    case 'azure':
      return [{ name: 'Azure login (federated credential)', uses: ACTIONS.azureLogin, with: { 'client-id': '${{ vars.AZURE_CLIENT_ID }}', 'tenant-id': '${{ vars.AZURE_TENANT_ID }}', 'subscription-id': '${{ vars.AZURE_SUBSCRIPTION_ID }}' } }];
  }
}

function registryLogin(spec: ResolvedSpec, plan: MlopsPlan): GhStep[] {
  switch (ciCloud(spec)) {
    case 'aws':
      return [{ name: 'Log in to Amazon ECR', id: 'ecr', uses: ACTIONS.ecrLogin }];
    case 'gcp':
      return [{ name: 'Log in to Artifact Registry', uses: ACTIONS.dockerLogin, with: { registry: registryHost(plan), username: 'oauth2accesstoken', password: '${{ steps.auth.outputs.access_token }}' } }];
    case 'azure':
      return [{ name: 'Log in to Azure Container Registry', run: `az acr login --name ${acrName(plan)}` }];
  }
}

/** Production cluster credentials under the context scripts/deploy.sh uses for the release steps and the shadow. */
function kubeconfig(spec: ResolvedSpec): GhStep[] {
  if (ciCloud(spec) === 'gcp') {
    return [
      { name: 'GKE credentials', uses: ACTIONS.gkeCredentials, with: { cluster_name: '${{ vars.CLUSTER_NAME }}', location: '${{ vars.GKE_LOCATION }}', project_id: '${{ vars.GCP_PROJECT_ID }}' } },
      { name: `Name the context ${PROD_CONTEXT}`, run: `kubectl config rename-context "gke_\${GCP_PROJECT_ID}_\${GKE_LOCATION}_\${CLUSTER_NAME}" ${PROD_CONTEXT}` },
    ];
  }
  return [{ name: 'Cluster credentials', run: run(...kubeconfigLines(spec)) }];
}

/** Pinned deploy CLIs (and kubelogin on Azure), then the cloud login and the production cluster's kubeconfig. */
function clusterAccess(spec: ResolvedSpec, cloud: boolean): GhStep[] {
  return [
    { name: 'Install argocd and kustomize', run: run(`bash ${CI_SCRIPTS.deployTools} "$RUNNER_TEMP/bin"`, 'echo "$RUNNER_TEMP/bin" >> "$GITHUB_PATH"') },
    ...(cloud ? [...cloudAuth(spec), ...kubeconfig(spec)] : []),
  ];
}

/** Identifiers every job may read (repository variables); credentials stay on the steps that use them. */
function workflowEnv(spec: ResolvedSpec, plan: MlopsPlan): Record<string, string> {
  const env: Record<string, string> = { REGISTRY: `\${{ vars.REGISTRY || '${plan.cloud.registry}' }}`, IMAGE_TAG: '${{ github.sha }}' };
  const vars = { aws: ['AWS_REGION'], gcp: ['GCP_PROJECT_ID', 'GKE_LOCATION'], azure: ['AKS_RESOURCE_GROUP'] }[ciCloud(spec)];
  for (const v of [...vars, 'CLUSTER_NAME']) env[v] = `\${{ vars.${v} }}`;
  return env;
}

function permissions(spec: ResolvedSpec, plan: MlopsPlan, up: CiUpstream, job: CiJobId, contents: Permission = 'read'): GhPermissions {
  return needsCloud(spec, plan, up, job) ? { contents, 'id-token': 'write' } : { contents };
}

function pythonJob(name: string, budget: number, up: CiUpstream, install: string, command: string): GhJob {
  return {
    name,
    'runs-on': RUNNER,
    'timeout-minutes': budget,
    permissions: READ,
    defaults: { run: { 'working-directory': 'ml' } },
    steps: [checkout(), setupPython(up), { name: 'Install', run: install }, { name, run: command }],
  };
}

/** The three lint_and_unit_tests jobs (parallel): the same in the PR workflow and in delivery. */
function commitJobs(plan: MlopsPlan, up: CiUpstream): Record<string, GhJob> {
  const dev = 'python -m pip install -e ".[dev]"';
  return {
    lint: pythonJob('ruff', jobBudget(plan, 'lint'), up, `python -m pip install "ruff==${TOOL_VERSIONS.ruff}"`, 'ruff check .'),
    typecheck: pythonJob('mypy', jobBudget(plan, 'typecheck'), up, dev, 'mypy'),
    'unit-tests': pythonJob('pytest (unit + integration)', jobBudget(plan, 'unit-tests'), up, dev, `python -m pytest -m "${COMMIT_TEST_MARKERS}" -q`),
  };
}

function buildJob(spec: ResolvedSpec, plan: MlopsPlan, up: CiUpstream, push: boolean): GhJob {
  const matrix = images(plan).map((i) => ({ image: i.key, dockerfile: i.dockerfile, repository: i.repository }));
  return {
    name: push ? 'build and push ${{ matrix.image }}' : 'build ${{ matrix.image }}',
    'runs-on': RUNNER,
    needs: push ? previousJobs(plan, 'build-images') : undefined,
    'timeout-minutes': jobBudget(plan, 'build-images'),
    permissions: push ? permissions(spec, plan, up, 'build-images') : READ,
    strategy: { 'fail-fast': true, matrix: { include: matrix } },
    steps: [
      checkout(),
      ...(push ? [...cloudAuth(spec, true), ...registryLogin(spec, plan)] : []),
      { name: 'Set up Buildx', uses: ACTIONS.setupBuildx },
      {
        name: push ? 'Build and push' : 'Build',
        uses: ACTIONS.buildPush,
        with: {
          context: '.',
          file: '${{ matrix.dockerfile }}',
          push,
          tags: push ? '${{ env.REGISTRY }}/${{ matrix.repository }}:${{ github.sha }}' : '${{ matrix.repository }}:ci',
          'build-args': 'VCS_REF=${{ github.sha }}',
          // GitHub's cache backend: ECR/ACR tags stay immutable (no mutable cache tag in the registry).
          'cache-from': 'type=gha,scope=${{ matrix.image }}',
          'cache-to': 'type=gha,mode=max,scope=${{ matrix.image }}',
        },
      },
    ],
  };
}

function deployJob(spec: ResolvedSpec, plan: MlopsPlan, up: CiUpstream, job: 'deploy-staging' | 'promote-production'): GhJob {
  const prod = job === 'promote-production';
  const env = prod ? 'production' : 'staging';
  const cloud = needsCloud(spec, plan, up, job);
  return {
    name: prod ? 'promote to production' : 'deploy to staging',
    'runs-on': RUNNER,
    needs: previousJobs(plan, job),
    'timeout-minutes': jobBudget(plan, job),
    // contents: write to commit the image tag into the overlay (the GitOps source of truth).
    permissions: permissions(spec, plan, up, job, 'write'),
    environment: { name: env },
    // Deploys queue, they are never cancelled half-way.
    concurrency: { group: `${spec.name}-deploy-${env}`, 'cancel-in-progress': false },
    steps: [
      checkout(),
      { name: 'Git identity', run: run('git config user.name "github-actions[bot]"', 'git config user.email "41898282+github-actions[bot]@users.noreply.github.com"') },
      ...clusterAccess(spec, cloud),
      {
        name: prod ? 'Promote through Argo CD (release steps and analysis)' : 'Deploy to staging through Argo CD',
        run: `scripts/deploy.sh "$IMAGE_TAG" ${prod ? 'prod' : 'staging'}`,
        env: {
          ARGOCD_SERVER: '${{ vars.ARGOCD_SERVER }}',
          ARGOCD_AUTH_TOKEN: '${{ secrets.ARGOCD_AUTH_TOKEN }}',
          PROD_KUBE_CONTEXT: PROD_CONTEXT,
          ...(prod ? { APPROVED_BY: 'environment production, run ${{ github.run_id }}' } : {}),
        },
      },
    ],
  };
}

function trackingSecrets(spec: ResolvedSpec, plan: MlopsPlan): Record<string, string> {
  const keys = plan.secrets.find((s) => s.name === `${spec.name}-tracking`)?.keys ?? [];
  return Object.fromEntries(keys.map((k) => [k, `\${{ secrets.${k} }}`]));
}

function deliveryWorkflow(spec: ResolvedSpec, plan: MlopsPlan, up: CiUpstream): GhWorkflow {
  const dvc = up.data_engineer.versioning.tool === 'dvc';
  const online = serverDeployed(plan.modes);
  const jobs: Record<string, GhJob> = {
    ...commitJobs(plan, up),
    'build-images': buildJob(spec, plan, up, true),
    'data-validation': {
      name: 'data validation gate',
      'runs-on': RUNNER,
      needs: previousJobs(plan, 'data-validation'),
      'timeout-minutes': jobBudget(plan, 'data-validation'),
      permissions: permissions(spec, plan, up, 'data-validation'),
      steps: [
        checkout(),
        setupPython(up),
        ...(dvc ? [...cloudAuth(spec), { name: 'Install DVC', run: `python -m pip install "${dvcRequirement(spec)}"` }] : []),
        {
          name: 'Validate the latest snapshots against the data contract',
          run: `bash ${CI_SCRIPTS.dataGate}`,
          env: dvc ? undefined : { LAKEFS_ENDPOINT: '${{ vars.LAKEFS_ENDPOINT }}', LAKEFS_ACCESS_KEY_ID: '${{ secrets.LAKEFS_ACCESS_KEY_ID }}', LAKEFS_SECRET_ACCESS_KEY: '${{ secrets.LAKEFS_SECRET_ACCESS_KEY }}' },
        },
        { name: 'Keep the validation reports', if: 'always()', uses: ACTIONS.uploadArtifact, with: { name: 'data-validation-reports', path: 'data/reports/', 'if-no-files-found': 'ignore' } },
      ],
    },
    'model-validation': {
      name: 'model validation gate',
      'runs-on': RUNNER,
      needs: previousJobs(plan, 'model-validation'),
      'timeout-minutes': jobBudget(plan, 'model-validation'),
      permissions: permissions(spec, plan, up, 'model-validation'),
      steps: [
        checkout(),
        setupPython(up),
        ...cloudAuth(spec),
        { name: 'Install the package', run: 'python -m pip install -e "ml[dev]"' },
        {
          name: 'Candidate vs baseline and production (promotion gate)',
          run: `bash ${CI_SCRIPTS.modelGate}`,
          env: { ALLOW_FIRST_RELEASE: "${{ vars.ALLOW_FIRST_RELEASE || 'false' }}", ...trackingSecrets(spec, plan) },
        },
      ],
    },
    'deploy-staging': deployJob(spec, plan, up, 'deploy-staging'),
    'smoke-test': {
      name: online ? 'smoke test and shadow window' : 'smoke test',
      'runs-on': RUNNER,
      needs: previousJobs(plan, 'smoke-test'),
      'timeout-minutes': jobBudget(plan, 'smoke-test'),
      permissions: permissions(spec, plan, up, 'smoke-test'),
      steps: [
        checkout(),
        ...(needsCloud(spec, plan, up, 'smoke-test') ? clusterAccess(spec, true) : []),
        {
          name: 'Smoke test staging',
          run: `bash ${CI_SCRIPTS.smoke}`,
          env: online ? { STAGING_URL: '${{ vars.STAGING_URL }}' } : { STAGING_KUBE_CONTEXT: `\${{ vars.STAGING_KUBE_CONTEXT || '${PROD_CONTEXT}' }}` },
        },
      ],
    },
    'promote-production': deployJob(spec, plan, up, 'promote-production'),
  };
  return {
    name: 'delivery',
    on: {
      // Overlay commits of scripts/deploy.sh do not start another delivery.
      push: { branches: ['main'], 'paths-ignore': ['deploy/k8s/overlays/**', 'docs/**'] },
      workflow_dispatch: {},
    },
    permissions: READ,
    // One delivery per branch at a time; a newer commit waits, a running deploy is never cancelled.
    concurrency: { group: `${spec.name}-delivery-\${{ github.ref }}`, 'cancel-in-progress': false },
    env: workflowEnv(spec, plan),
    jobs,
  };
}

function ciWorkflow(spec: ResolvedSpec, plan: MlopsPlan, up: CiUpstream): GhWorkflow {
  return {
    name: 'ci',
    on: { pull_request: { branches: ['main'] } },
    permissions: READ,
    // A new push to the pull request cancels the previous run: only the latest commit matters.
    concurrency: { group: `${spec.name}-ci-\${{ github.event.pull_request.number }}`, 'cancel-in-progress': true },
    jobs: { ...commitJobs(plan, up), 'build-images': buildJob(spec, plan, up, false) },
  };
}

function retrainWorkflow(spec: ResolvedSpec, up: CiUpstream): GhWorkflow {
  const client = orchestratorClient(spec, up);
  const envByTool: Record<ResolvedSpec['options']['orchestration'], Record<string, string>> = {
    kubeflow: { KFP_ENDPOINT: '${{ vars.KFP_ENDPOINT }}' },
    airflow: { AIRFLOW_API_URL: '${{ vars.AIRFLOW_API_URL }}', AIRFLOW_API_USER: '${{ vars.AIRFLOW_API_USER }}', AIRFLOW_API_PASSWORD: '${{ secrets.AIRFLOW_API_PASSWORD }}' },
    prefect: { PREFECT_API_URL: '${{ vars.PREFECT_API_URL }}', PREFECT_API_KEY: '${{ secrets.PREFECT_API_KEY }}' },
    dagster: { DAGSTER_HOME: '${{ vars.DAGSTER_HOME }}' },
  };
  return {
    name: 'retrain',
    on: {
      schedule: [{ cron: retrainCron(spec) }],
      workflow_dispatch: { inputs: { data_version: { description: 'data version (DVC rev / lakeFS ref) to train on', required: false, default: 'latest', type: 'string' } } },
    },
    permissions: READ,
    concurrency: { group: `${spec.name}-retrain`, 'cancel-in-progress': false },
    jobs: {
      'trigger-retraining': {
        name: `trigger ${spec.options.orchestration} training run`,
        'runs-on': RUNNER,
        // Triggering only: the run itself has the orchestrator's timeout (ml_engineer training.timeout_minutes).
        'timeout-minutes': 10,
        permissions: READ,
        steps: [
          checkout(),
          setupPython(up),
          ...(client.length > 0 ? [{ name: `Install the ${spec.options.orchestration} client`, run: `python -m pip install ${client.map((c) => `"${c}"`).join(' ')}` }] : []),
          {
            name: 'Trigger the training run',
            run: `bash ${CI_SCRIPTS.retrain}`,
            env: { DATA_VERSION: "${{ inputs.data_version || 'latest' }}", GIT_SHA: '${{ github.sha }}', ...envByTool[spec.options.orchestration] },
          },
        ],
      },
    },
  };
}

function withHeader(lines: string[], workflow: GhWorkflow): string {
  return `${lines.map((l) => `# ${l}`).join('\n')}\n${toYaml(workflow)}`;
}

/** The GitHub Actions workflows (ci_platform github). */
export function githubWorkflows(spec: ResolvedSpec, plan: MlopsPlan, up: CiUpstream): CiFile[] {
  const header = (what: string) => [`${what} of pipeline ${spec.name}. Generated by mlops-mcp; variables, secrets and environments: docs/runbooks/ci-cd.md.`];
  return [
    { path: WORKFLOWS.ci, kind: 'github-workflow', content: withHeader(header('Pull-request checks'), ciWorkflow(spec, plan, up)), purpose: 'pull requests: ruff, mypy, pytest unit + integration, image builds without push' },
    {
      path: WORKFLOWS.delivery,
      kind: 'github-workflow',
      content: withHeader(
        [...header('Commit-to-production delivery'), `Job timeouts are the stage budgets: ${plan.ci.total_minutes} min in total of slo.commit_to_prod_minutes = ${plan.ci.slo_minutes}.`],
        deliveryWorkflow(spec, plan, up),
      ),
      purpose: 'main: tests, image build/push (OIDC), data and model gates, Argo CD staging deploy, smoke test, approved production promotion',
    },
    { path: WORKFLOWS.retrain, kind: 'github-workflow', content: withHeader(header('Scheduled retraining'), retrainWorkflow(spec, up)), purpose: `scheduled retraining (${retrainCron(spec)}) through ${spec.options.orchestration}` },
  ];
}
