import type { ResolvedSpec } from '../../../spec/resolve.js';
import { POD_SECURITY } from '../../k8s.js';
import type { MlopsPlan } from '../derive.js';
import { MODEL_DIR } from '../platform.js';
import { DOCKERFILES, pythonImage, type CiFile, type CiUpstream } from './shared.js';

// Dockerfiles as typed instruction lists, rendered by one function: exec forms and values through JSON.stringify.

export type Instruction =
  | { op: 'COMMENT'; text: string }
  | { op: 'ARG'; name: string; default?: string }
  | { op: 'FROM'; image: string; as: string }
  | { op: 'WORKDIR'; path: string }
  | { op: 'COPY'; from?: string; chown?: string; src: string[]; dest: string }
  | { op: 'RUN'; mounts?: string[]; command: string }
  | { op: 'ENV'; vars: Record<string, string> }
  | { op: 'LABEL'; labels: Record<string, string> }
  | { op: 'USER'; user: string }
  | { op: 'EXPOSE'; ports: number[] }
  | { op: 'HEALTHCHECK'; interval: string; timeout: string; startPeriod: string; retries: number; cmd: string[] }
  | { op: 'HEALTHCHECK_NONE' }
  | { op: 'CMD'; args: string[] };

/** BuildKit frontend, pinned (cache mounts need it). */
export const DOCKERFILE_SYNTAX = 'docker/dockerfile:1.10';

const pairs = (m: Record<string, string>) =>
  Object.entries(m)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(' ');

export function renderDockerfile(instructions: readonly Instruction[]): string {
  const out = [`# syntax=${DOCKERFILE_SYNTAX}`];
  for (const i of instructions) {
    switch (i.op) {
      case 'COMMENT':
        out.push(`# ${i.text}`);
        break;
      case 'ARG':
        out.push(i.default === undefined ? `ARG ${i.name}` : `ARG ${i.name}=${i.default}`);
        break;
      case 'FROM':
        out.push('', `FROM ${i.image} AS ${i.as}`);
        break;
      case 'WORKDIR':
        out.push(`WORKDIR ${i.path}`);
        break;
      case 'COPY':
        out.push(`COPY ${i.from ? `--from=${i.from} ` : ''}${i.chown ? `--chown=${i.chown} ` : ''}${JSON.stringify([...i.src, i.dest])}`);
        break;
      case 'RUN':
        out.push(`RUN ${(i.mounts ?? []).map((m) => `--mount=${m} `).join('')}${i.command}`);
        break;
      case 'ENV':
        out.push(`ENV ${pairs(i.vars)}`);
        break;
      case 'LABEL':
        out.push(`LABEL ${pairs(i.labels)}`);
        break;
      case 'USER':
        out.push(`USER ${i.user}`);
        break;
      case 'EXPOSE':
        out.push(`EXPOSE ${i.ports.join(' ')}`);
        break;
      case 'HEALTHCHECK':
        out.push(`HEALTHCHECK --interval=${i.interval} --timeout=${i.timeout} --start-period=${i.startPeriod} --retries=${i.retries} CMD ${JSON.stringify(i.cmd)}`);
        break;
      case 'HEALTHCHECK_NONE':
        out.push('HEALTHCHECK NONE');
        break;
      case 'CMD':
        out.push(`CMD ${JSON.stringify(i.args)}`);
        break;
    }
  }
  return `${out.join('\n')}\n`;
}

/** UID:GID of the pod securityContext (src/phases/k8s.ts): the image runs as the same numeric user. */
export const IMAGE_USER = `${POD_SECURITY.runAsUser}:${POD_SECURITY.runAsGroup}`;
const PIP_CACHE = 'type=cache,target=/root/.cache/pip';
const PY_ENV: Record<string, string> = { PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1', PIP_DISABLE_PIP_VERSION_CHECK: '1' };

function ociLabels(spec: ResolvedSpec, title: string, description: string, baseArg: string, role: 'serving' | 'jobs'): Instruction {
  return {
    op: 'LABEL',
    labels: {
      'org.opencontainers.image.title': title,
      'org.opencontainers.image.description': description,
      'org.opencontainers.image.revision': '${VCS_REF}',
      'org.opencontainers.image.base.name': `\${${baseArg}}`,
      'org.opencontainers.image.vendor': 'mlops-mcp',
      'io.mlops-mcp.pipeline': spec.name,
      // Read by the dockerfile validator: a serving image must have a HEALTHCHECK.
      'org.opencontainers.image.mlops-role': role,
    },
  };
}

/** Builder stage: the package's sources only (ml/tests, data and models are excluded by .dockerignore). */
function builderStage(argName: string, wheel: string, compilers: boolean): Instruction[] {
  return [
    { op: 'FROM', image: `\${${argName}}`, as: 'builder' },
    ...(compilers ? [{ op: 'RUN' as const, command: 'apt-get update && apt-get install -y --no-install-recommends build-essential && rm -rf /var/lib/apt/lists/*' }] : []),
    { op: 'WORKDIR', path: '/build' },
    { op: 'COPY', src: ['ml/pyproject.toml'], dest: './' },
    { op: 'COPY', src: ['ml/src'], dest: './src' },
    { op: 'RUN', mounts: [PIP_CACHE], command: wheel },
  ];
}

function serverHealthcheck(plan: MlopsPlan, python: string): Instruction {
  const rt = plan.runtime;
  const health = `http://127.0.0.1:${rt.httpPort}${rt.readyPath}`;
  // The readiness endpoint, probed with the image's own python (no curl in these images).
  return {
    op: 'HEALTHCHECK',
    interval: '30s',
    timeout: '5s',
    startPeriod: `${plan.sizing.startup_seconds}s`,
    retries: 3,
    cmd: [python, '-c', `import urllib.request; urllib.request.urlopen(${JSON.stringify(health).replace(/"/g, "'")}, timeout=4)`],
  };
}

/** TorchServe installed from PyPI (it needs Java 17 and torch) on the package's Python. */
export const TORCHSERVE_VERSION = '0.12.0';
export const TORCH_VERSION = '2.5.1';

/**
 * docker/model-server/Dockerfile: the package with its dependencies, plus what the platform runs it in.
 * kserve and seldon: our FastAPI server on the python image. torchserve: TorchServe (pip, Java 17, torch) on the
 * same python image, running the package's handler. triton: the Triton image (its Python backend stub is CPython
 * 3.10, so the package is installed from its wheel with dependencies resolved for that Python).
 */
export function serverDockerfile(spec: ResolvedSpec, plan: MlopsPlan, up: CiUpstream): Instruction[] {
  const rt = plan.runtime;
  const ports = [...new Set([rt.httpPort, rt.grpcPort, rt.metricsPort].filter((p): p is number => p !== null))];
  const user = { op: 'RUN' as const, command: `groupadd --system --gid ${POD_SECURITY.runAsGroup} app && useradd --system --uid ${POD_SECURITY.runAsUser} --gid ${POD_SECURITY.runAsGroup} --home-dir ${rt.platform === 'torchserve' ? '/home/model-server' : '/app'} --create-home --shell /usr/sbin/nologin app` };
  const head: Instruction[] = [
    { op: 'COMMENT', text: `${plan.names.serverImage}: ${rt.runtime} (serving_platform ${rt.platform}) with the ${plan.pythonPackage} package.` },
    { op: 'COMMENT', text: 'Build from the repository root: docker build -f docker/model-server/Dockerfile .' },
    { op: 'ARG', name: 'RUNTIME_IMAGE', default: rt.baseImage },
    { op: 'ARG', name: 'BUILDER_IMAGE', default: pythonImage(up.python_pro.python_version) },
  ];
  const runtimeStage: Instruction[] = [
    { op: 'FROM', image: '${RUNTIME_IMAGE}', as: 'runtime' },
    { op: 'ARG', name: 'RUNTIME_IMAGE' },
    { op: 'ARG', name: 'VCS_REF', default: 'unknown' },
    ociLabels(spec, plan.names.serverImage, `${rt.runtime} serving ${plan.modelName}`, 'RUNTIME_IMAGE', 'serving'),
  ];
  const offlineInstall: Instruction[] = [
    { op: 'COPY', from: 'builder', src: ['/wheels'], dest: '/tmp/wheels' },
    { op: 'RUN', command: `python -m pip install --no-cache-dir --no-index --find-links /tmp/wheels ${JSON.stringify(spec.name)} && rm -rf /tmp/wheels` },
  ];
  const tail = (python: string, workdir: string): Instruction[] => [
    { op: 'WORKDIR', path: workdir },
    { op: 'ENV', vars: { ...PY_ENV, MODEL_DIR } },
    { op: 'USER', user: IMAGE_USER },
    { op: 'EXPOSE', ports },
    serverHealthcheck(plan, python),
  ];
  switch (rt.platform) {
    case 'kserve':
    case 'seldon':
      return [
        ...head,
        ...builderStage('BUILDER_IMAGE', `python -m pip wheel --wheel-dir /wheels ${JSON.stringify('.')}`, true),
        ...runtimeStage,
        user,
        ...offlineInstall,
        ...tail('python', '/app'),
        { op: 'CMD', args: rt.args },
      ];
    case 'torchserve': {
      const torchIndex = plan.sizing.gpus > 0 ? '' : ' --index-url https://download.pytorch.org/whl/cpu';
      return [
        ...head,
        ...builderStage('BUILDER_IMAGE', `python -m pip wheel --wheel-dir /wheels ${JSON.stringify('.')}`, true),
        ...runtimeStage,
        // TorchServe's frontend is Java; its Python worker imports torch.
        { op: 'RUN', command: 'apt-get update && apt-get install -y --no-install-recommends openjdk-17-jre-headless && rm -rf /var/lib/apt/lists/*' },
        { op: 'RUN', command: `python -m pip install --no-cache-dir torch==${TORCH_VERSION}${torchIndex} && python -m pip install --no-cache-dir torchserve==${TORCHSERVE_VERSION} torch-model-archiver==${TORCHSERVE_VERSION}` },
        user,
        ...offlineInstall,
        ...tail('python', '/home/model-server'),
      ];
    }
    case 'triton':
      return [
        ...head,
        ...builderStage('BUILDER_IMAGE', 'python -m pip wheel --no-deps --wheel-dir /wheels .', false),
        ...runtimeStage,
        { op: 'USER', user: 'root' },
        { op: 'COPY', from: 'builder', src: ['/wheels'], dest: '/tmp/wheels' },
        // Dependencies resolve for the stub's Python (3.10), not the builder's: they come from the index here.
        { op: 'RUN', command: 'python3 -m pip install --no-cache-dir /tmp/wheels/*.whl && rm -rf /tmp/wheels' },
        ...tail('python3', '/opt/tritonserver'),
      ];
  }
}

/**
 * docker/jobs/Dockerfile: training, batch scoring and the stream consumer. Builder compiles wheels of the
 * package and every dependency; the runtime stage installs them offline, with no compiler.
 */
export function jobsDockerfile(spec: ResolvedSpec, plan: MlopsPlan, up: CiUpstream): Instruction[] {
  // Prefect and Dagster run the flow/op code inside this image; Kubeflow and Airflow only run its command.
  const inImage = spec.options.orchestration === 'prefect' || spec.options.orchestration === 'dagster';
  const target = inImage ? '.[orchestration]' : '.';
  const requirement = inImage ? `${spec.name}[orchestration]` : spec.name;
  return [
    { op: 'COMMENT', text: `${plan.names.jobsImage}: training (${up.ml_engineer.orchestration.kind}), batch scoring and stream consumer of ${spec.name}.` },
    { op: 'COMMENT', text: 'Build from the repository root: docker build -f docker/jobs/Dockerfile .' },
    { op: 'ARG', name: 'PYTHON_IMAGE', default: pythonImage(up.python_pro.python_version) },
    ...builderStage('PYTHON_IMAGE', `python -m pip wheel --wheel-dir /wheels ${JSON.stringify(target)}`, true),
    { op: 'FROM', image: '${PYTHON_IMAGE}', as: 'runtime' },
    { op: 'ARG', name: 'PYTHON_IMAGE' },
    { op: 'ARG', name: 'VCS_REF', default: 'unknown' },
    ociLabels(spec, plan.names.jobsImage, `training and batch jobs of ${spec.name}`, 'PYTHON_IMAGE', 'jobs'),
    { op: 'RUN', command: `groupadd --system --gid ${POD_SECURITY.runAsGroup} app && useradd --system --uid ${POD_SECURITY.runAsUser} --gid ${POD_SECURITY.runAsGroup} --home-dir /app --shell /usr/sbin/nologin app` },
    { op: 'COPY', from: 'builder', src: ['/wheels'], dest: '/tmp/wheels' },
    { op: 'RUN', command: `python -m pip install --no-cache-dir --no-index --find-links /tmp/wheels ${JSON.stringify(requirement)} && rm -rf /tmp/wheels` },
    { op: 'WORKDIR', path: '/app' },
    // training/__main__.py reads configs/training.yaml and the HPO search space next to it.
    { op: 'COPY', chown: IMAGE_USER, src: ['ml/configs'], dest: './configs' },
    { op: 'ENV', vars: PY_ENV },
    { op: 'USER', user: IMAGE_USER },
    { op: 'HEALTHCHECK_NONE' },
    { op: 'CMD', args: ['python', '-m', `${plan.pythonPackage}.training`, '--config', 'configs/training.yaml'] },
  ];
}

/** Build context exclusions: nothing secret, large or irrelevant reaches the builder. */
export const DOCKERIGNORE = [
  '# Version control and CI',
  '.git',
  '.github',
  '.gitlab-ci.yml',
  'ci',
  '# Secrets and local environments',
  '.env',
  '.env.*',
  '**/.env',
  '**/.env.*',
  '.venv',
  '.oidc-token',
  '.gcp-credentials.json',
  '**/.venv',
  '# Data, models and run outputs (fetched at run time, never baked in)',
  'data',
  'models',
  'ml/runs',
  '.gate',
  '# Tests, infrastructure, manifests and docs',
  '**/tests',
  'infra',
  'deploy',
  'charts',
  'monitoring',
  'docs',
  'serving',
  'scripts',
  '# Caches',
  '**/__pycache__',
  '**/*.py[cod]',
  '**/.pytest_cache',
  '**/.mypy_cache',
  '**/.ruff_cache',
  '.cache',
];

/** The two Dockerfiles and the .dockerignore. */
export function containerFiles(spec: ResolvedSpec, plan: MlopsPlan, up: CiUpstream): CiFile[] {
  return [
    { path: DOCKERFILES.server, kind: 'dockerfile', content: renderDockerfile(serverDockerfile(spec, plan, up)), purpose: `model server image: ${plan.runtime.baseImage} + the package, non-root, HEALTHCHECK on ${plan.runtime.readyPath}` },
    { path: DOCKERFILES.jobs, kind: 'dockerfile', content: renderDockerfile(jobsDockerfile(spec, plan, up)), purpose: 'training / batch / stream image: wheels built in a builder stage, slim non-root runtime' },
    { path: '.dockerignore', kind: 'text', content: `${DOCKERIGNORE.join('\n')}\n`, purpose: 'build context exclusions (VCS, secrets, data, models, tests, infrastructure, caches)' },
  ];
}
