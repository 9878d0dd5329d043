import { describe, expect, it } from 'vitest';
import type { Artifact } from '../../src/artifacts/artifact.js';
import { dockerfileValidator, imageRuleProblems, isPinned, isServingImage, SERVING_ROLE_LABEL } from '../../src/validate/validators/dockerfile.js';

const SERVER = `# syntax=docker/dockerfile:1
ARG BASE_IMAGE=python:3.11.9-slim@sha256:${'a'.repeat(64)}
ARG BUILDER_IMAGE=python:3.11.9-slim

FROM \${BUILDER_IMAGE} AS builder
WORKDIR /src
COPY pyproject.toml ./
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM \${BASE_IMAGE}
LABEL org.opencontainers.image.title="churn-server"
COPY --from=builder /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER 1000:1000
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/health')"]
CMD ["python", "-m", "server"]
`;

const JOBS = SERVER.replace(/HEALTHCHECK .*\n/, '');

async function verdict(path: string, content: string) {
  const a: Artifact = { path, kind: 'dockerfile', phase: 'test', content };
  return (await dockerfileValidator.validate({ artifacts: [a], bundle: [a], root: '/nonexistent' }))[0]!;
}

describe('dockerfile validator', () => {
  it('is available (dockerfile-utils is a dependency)', async () => {
    expect(await dockerfileValidator.available()).toEqual({ ok: true, version: '0.16.3' });
  });

  it('passes a multi-stage, non-root, ARG-pinned serving image with a HEALTHCHECK, and a job image without one', async () => {
    expect(await verdict('docker/model-server/Dockerfile', SERVER)).toMatchObject({ verdict: 'pass' });
    expect(await verdict('docker/jobs/Dockerfile', JOBS)).toMatchObject({ verdict: 'pass' });
  });

  it('fails on a lint error (an unknown instruction) and lists warnings in a passing verdict', async () => {
    expect(await verdict('docker/jobs/Dockerfile', JOBS.replace('WORKDIR /src', 'WORKDIRR /src'))).toMatchObject({ verdict: 'fail', message: expect.stringMatching(/line 6: Unknown instruction: WORKDIRR/) });
    const warned = await verdict('docker/jobs/Dockerfile', JOBS.replace('CMD ["python", "-m", "server"]', 'CMD ["python", "-m", "server"]\nCMD ["python"]'));
    expect(warned).toMatchObject({ verdict: 'pass', message: expect.stringMatching(/warning: line \d+: .*CMD/) });
  });

  it('requires two stages', () => {
    expect(imageRuleProblems('docker/jobs/Dockerfile', 'ARG BASE=python:3.11.9-slim\nFROM ${BASE}\nUSER 1000\n')).toEqual([expect.stringMatching(/^multi-stage: 1 FROM instruction;/)]);
  });

  it('requires a non-root USER in the final stage', () => {
    expect(imageRuleProblems('docker/jobs/Dockerfile', JOBS.replace('USER 1000:1000\n', ''))).toEqual([expect.stringMatching(/final stage .*no USER instruction/)]);
    expect(imageRuleProblems('docker/jobs/Dockerfile', JOBS.replace('USER 1000:1000', 'USER root'))).toEqual([expect.stringMatching(/line 14: the final stage runs as root/)]);
    expect(imageRuleProblems('docker/jobs/Dockerfile', JOBS.replace('USER 1000:1000', 'USER 0:0'))).toEqual([expect.stringMatching(/runs as 0:0/)]);
    // A USER in the builder stage only does not count.
    expect(imageRuleProblems('docker/jobs/Dockerfile', JOBS.replace('USER 1000:1000\n', '').replace('WORKDIR /src', 'USER 1000\nWORKDIR /src'))).toHaveLength(1);
  });

  it('requires base images through an ARG with a pinned default', () => {
    expect(imageRuleProblems('docker/jobs/Dockerfile', JOBS.replace('FROM ${BASE_IMAGE}', 'FROM python:3.11.9-slim'))).toEqual([expect.stringMatching(/line 10: base image "python:3\.11\.9-slim" is written in FROM/)]);
    expect(imageRuleProblems('docker/jobs/Dockerfile', JOBS.replace('ARG BUILDER_IMAGE=python:3.11.9-slim', 'ARG BUILDER_IMAGE=python:latest'))).toEqual([expect.stringMatching(/line 5: base image default "python:latest" is not pinned/)]);
    expect(imageRuleProblems('docker/jobs/Dockerfile', JOBS.replace('ARG BUILDER_IMAGE=python:3.11.9-slim', 'ARG BUILDER_IMAGE=python'))).toEqual([expect.stringMatching(/"python" is not pinned/)]);
    expect(imageRuleProblems('docker/jobs/Dockerfile', JOBS.replace('ARG BUILDER_IMAGE=python:3.11.9-slim', 'ARG BUILDER_IMAGE'))).toEqual([expect.stringMatching(/ARG BUILDER_IMAGE used in FROM has no default/)]);
    expect(imageRuleProblems('docker/jobs/Dockerfile', JOBS.replace('FROM ${BASE_IMAGE}', 'FROM ${RUNTIME}'))).toEqual([expect.stringMatching(/FROM uses \$RUNTIME, not declared by an ARG before the first FROM/)]);
    // A stage built earlier is not a base image to pin.
    expect(imageRuleProblems('docker/jobs/Dockerfile', `${JOBS}\nFROM builder AS test\nUSER 1000\n`)).toEqual([]);
  });

  it('requires a HEALTHCHECK in serving images, told by their path or label', () => {
    expect(imageRuleProblems('docker/model-server/Dockerfile', JOBS)).toEqual([expect.stringMatching(/serving image without HEALTHCHECK/)]);
    expect(imageRuleProblems('docker/app/Dockerfile', JOBS.replace('LABEL org', `LABEL ${SERVING_ROLE_LABEL}=serving org`))).toEqual([expect.stringMatching(/serving image without HEALTHCHECK/)]);
    expect(imageRuleProblems('docker/model-server/Dockerfile', SERVER.replace(/HEALTHCHECK .*\n/, 'HEALTHCHECK NONE\n'))).toEqual([expect.stringMatching(/HEALTHCHECK NONE in a serving image/)]);
    expect(isServingImage('images/Dockerfile.serving', new Map())).toBe(true);
    expect(isServingImage('docker/jobs/Dockerfile', new Map())).toBe(false);
    expect(isServingImage('docker/observer/Dockerfile', new Map())).toBe(false);
  });

  it('tells pinned references from floating ones', () => {
    expect(isPinned('python:3.11.9-slim')).toBe(true);
    expect(isPinned('registry.example.com:5000/team/python:3.11')).toBe(true);
    expect(isPinned(`python@sha256:${'0'.repeat(64)}`)).toBe(true);
    expect(isPinned('registry.example.com:5000/team/python')).toBe(false);
    expect(isPinned('python:latest')).toBe(false);
  });
});
