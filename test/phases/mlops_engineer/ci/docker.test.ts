import { DockerfileParser } from 'dockerfile-ast';
import { describe, expect, it } from 'vitest';
import { DOCKERIGNORE, IMAGE_USER } from '../../../../src/phases/mlops_engineer/ci/docker.js';
import { DOCKERFILES, PYTHON_PATCH } from '../../../../src/phases/mlops_engineer/ci/shared.js';
import { POD_SECURITY } from '../../../../src/phases/k8s.js';
import { ciCase, file, variant, type CiCase } from './helpers.js';

const PLATFORMS = ['kserve', 'seldon', 'torchserve', 'triton'] as const;

function parsed(c: CiCase, path: string) {
  const df = DockerfileParser.parse(file(c, path).content);
  const instructions = df.getInstructions();
  const of = (keyword: string) => instructions.filter((i) => i.getKeyword() === keyword);
  return { df, instructions, of, text: file(c, path).content };
}

describe('container images', () => {
  const cases = Object.fromEntries(PLATFORMS.map((p) => [p, ciCase(variant('github', { serving_platform: p }))])) as Record<(typeof PLATFORMS)[number], CiCase>;

  for (const platform of PLATFORMS) {
    const c = cases[platform];
    const rt = c.plan.runtime;

    it(`${platform}: the server image is the runtime's pinned image through an ARG, multi-stage, non-root, with a HEALTHCHECK on ${rt.readyPath}`, () => {
      const { df, of, text } = parsed(c, DOCKERFILES.server);
      const froms = df.getFROMs();
      expect(froms.map((f) => f.getBuildStage())).toEqual(['builder', 'runtime']);
      expect(froms.map((f) => f.getImage())).toEqual(['${BUILDER_IMAGE}', '${RUNTIME_IMAGE}']);
      // The ARG defaults before the first FROM pin both bases (no latest, no moving minor).
      expect(text).toContain(`ARG RUNTIME_IMAGE=${rt.baseImage}`);
      expect(text).toContain(`ARG BUILDER_IMAGE=python:${PYTHON_PATCH[c.up.python_pro.python_version]}-slim-bookworm`);
      expect(rt.baseImage).toMatch(/:[^:]*\d[^:]*$/);
      // Wheels come from the builder; the final user is the pod securityContext's numeric UID:GID.
      expect(of('COPY').some((i) => i.getTextContent().includes('--from=builder'))).toBe(true);
      expect(of('USER').at(-1)!.getRawArgumentsContent()!).toBe(IMAGE_USER);
      expect(IMAGE_USER).toBe(`${POD_SECURITY.runAsUser}:${POD_SECURITY.runAsGroup}`);
      const health = of('HEALTHCHECK');
      expect(health).toHaveLength(1);
      expect(health[0]!.getTextContent()).toContain(`http://127.0.0.1:${rt.httpPort}${rt.readyPath}`);
      expect(health[0]!.getTextContent()).toContain(`--start-period=${c.plan.sizing.startup_seconds}s`);
      expect(text).toContain(`EXPOSE ${rt.httpPort}`);
      expect(of('ENTRYPOINT')).toHaveLength(0);
      if (platform === 'kserve' || platform === 'seldon') {
        // Our FastAPI server, with every runtime dependency installed offline from the builder's wheels.
        expect(health[0]!.getTextContent()).toContain('"python"');
        expect(of('RUN').some((i) => i.getTextContent().includes(`--no-index --find-links /tmp/wheels "${c.spec.name}"`))).toBe(true);
        expect(JSON.parse(of('CMD')[0]!.getRawArgumentsContent()!)).toEqual(rt.args);
        expect(rt.args[0]).toBe('uvicorn');
      } else {
        // The runtime's own entrypoint: the manifests pass its args; the package is installed with its dependencies.
        expect(of('CMD')).toHaveLength(0);
        const runs = of('RUN').map((i) => i.getTextContent());
        if (platform === 'torchserve') {
          expect(runs.some((r) => r.includes('openjdk-17-jre-headless'))).toBe(true);
          expect(runs.some((r) => r.includes('torchserve==0.12.0'))).toBe(true);
          expect(runs.some((r) => r.includes(`--no-index --find-links /tmp/wheels "${c.spec.name}"`))).toBe(true);
        } else {
          // Triton's stub Python (3.10): dependencies resolve for it, not for the builder's 3.11.
          expect(health[0]!.getTextContent()).toContain('"python3"');
          expect(runs.some((r) => r.includes('python3 -m pip install --no-cache-dir /tmp/wheels/*.whl'))).toBe(true);
        }
      }
    });
  }

  it('the serving platform changes the base image, the build and the health endpoint', () => {
    const bases = PLATFORMS.map((p) => file(cases[p], DOCKERFILES.server).content.match(/ARG RUNTIME_IMAGE=(.+)/)![1]);
    // kserve, seldon and torchserve (pip-installed) build on the python image; Triton on its own.
    expect(bases[0]).toBe(`python:${PYTHON_PATCH[cases.kserve.up.python_pro.python_version]}-slim-bookworm`);
    expect(bases.slice(0, 3)).toEqual([bases[0], bases[0], bases[0]]);
    expect(bases[3]).toMatch(/^nvcr\.io\/nvidia\/tritonserver:/);
    expect(file(cases.seldon, DOCKERFILES.server).content).toContain("127.0.0.1:9000/v2/health/ready'");
    expect(file(cases.torchserve, DOCKERFILES.server).content).toContain("127.0.0.1:8080/ping'");
    expect(file(cases.triton, DOCKERFILES.server).content).toContain("127.0.0.1:8000/v2/health/ready'");
  });

  it('the jobs image builds wheels with compilers in the builder and installs them offline into a slim, non-root runtime', () => {
    const c = cases.kserve;
    const { df, of, text } = parsed(c, DOCKERFILES.jobs);
    expect(df.getFROMs().map((f) => f.getBuildStage())).toEqual(['builder', 'runtime']);
    expect(text).toContain(`ARG PYTHON_IMAGE=python:${PYTHON_PATCH[c.up.python_pro.python_version]}-slim-bookworm`);
    const runs = of('RUN').map((i) => i.getRawArgumentsContent()!);
    expect(runs[0]).toContain('build-essential');
    expect(runs.some((r) => r.includes('pip wheel --wheel-dir /wheels'))).toBe(true);
    expect(runs.some((r) => r.includes('--no-index --find-links /tmp/wheels'))).toBe(true);
    expect(runs.some((r) => r.includes(`useradd --system --uid ${POD_SECURITY.runAsUser}`))).toBe(true);
    expect(of('USER').at(-1)!.getRawArgumentsContent()!).toBe(IMAGE_USER);
    expect(of('CMD')[0]!.getRawArgumentsContent()!).toContain(`${c.plan.pythonPackage}.training`);
  });

  it('prefect and dagster run their code inside the jobs image, so it installs the orchestration extra', () => {
    for (const [tool, extra] of [
      ['prefect', true],
      ['dagster', true],
      ['kubeflow', false],
      ['airflow', false],
    ] as const) {
      const c = ciCase(variant('github', { orchestration: tool }));
      expect(file(c, DOCKERFILES.jobs).content.includes(`"${c.spec.name}[orchestration]"`), tool).toBe(extra);
    }
  });

  it('no secret reaches a layer: no credential ENV/ARG, no COPY of .env, and .dockerignore excludes secrets, data, models, tests, infrastructure and caches', () => {
    for (const c of Object.values(cases)) {
      for (const path of [DOCKERFILES.server, DOCKERFILES.jobs]) {
        const { of } = parsed(c, path);
        for (const i of [...of('ENV'), ...of('ARG')]) expect(i.getRawArgumentsContent()!).not.toMatch(/KEY|TOKEN|PASSWORD|SECRET/i);
        for (const i of of('COPY')) expect(i.getRawArgumentsContent()!).not.toContain('.env');
      }
    }
    for (const entry of ['.git', '.env', '.env.*', '**/.env', 'data', 'models', '**/tests', 'infra', '**/__pycache__', '**/.pytest_cache', '.oidc-token']) expect(DOCKERIGNORE).toContain(entry);
    expect(file(cases.kserve, '.dockerignore').content.split('\n')).toEqual(expect.arrayContaining(['.git', 'data', 'models']));
    // The package's own data/ module must stay in the context: only the top-level data folder is excluded.
    expect(DOCKERIGNORE).not.toContain('**/data');
  });

  it('OCI labels name the image, its base and its revision', () => {
    const c = cases.kserve;
    const labels = parsed(c, DOCKERFILES.server).of('LABEL')[0]!.getRawArgumentsContent()!;
    expect(labels).toContain(`org.opencontainers.image.title="${c.plan.names.serverImage}"`);
    expect(labels).toContain('org.opencontainers.image.revision="${VCS_REF}"');
    expect(labels).toContain('org.opencontainers.image.base.name="${RUNTIME_IMAGE}"');
    expect(labels).toContain('org.opencontainers.image.mlops-role="serving"');
  });
});
