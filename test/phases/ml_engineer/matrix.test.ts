import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Artifact } from '../../../src/artifacts/artifact.js';
import { runAllPhases } from '../../../src/pipeline/runPhases.js';
import type { ResolvedSpec } from '../../../src/spec/resolve.js';
import { PYTHON, writeArtifacts } from '../../helpers/phaseHarness.js';
import { defaultSpec, richSpec, withPatch } from '../../helpers/specs.js';

// Option matrix of the ml_engineer phase: each experiment_tracking and orchestration value (and batch vs realtime
// deployment) changes the generated code as its name promises, and the generated contract tests (recording fakes
// of the SDKs that cannot be installed here) pass against it. No training: only the two contract test files.

const TRACKERS = ['mlflow', 'wandb', 'neptune', 'clearml'] as const;
const ORCHESTRATORS = ['kubeflow', 'airflow', 'prefect', 'dagster'] as const;
const SDKS = /^\s*(?:import|from) (mlflow|wandb|neptune|clearml|kfp|airflow|prefect|dagster)\b/gm;
const CONTRACT_TESTS = ['tests/integration/test_tracking_contract.py', 'tests/integration/test_orchestration_contract.py'];

const hasPytest = spawnSync(PYTHON, ['-c', 'import pytest'], { encoding: 'utf8' }).status === 0;

function generate(spec: ResolvedSpec): Artifact[] {
  return runAllPhases(spec, 'python_pro').artifacts;
}

function file(artifacts: Artifact[], suffix: string): string {
  const found = artifacts.find((a) => a.path.endsWith(suffix));
  if (!found) throw new Error(`no artifact ending in ${suffix}`);
  return found.content;
}

/** The task names of the generated contract test's EXPECTED_TASKS list, in order. */
function expectedTasks(contract: string): string[] {
  const block = /^EXPECTED_TASKS = \[([^\]]*)\]/m.exec(contract);
  if (!block) throw new Error('no EXPECTED_TASKS in the contract test');
  return [...block[1]!.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
}

/** SDK modules the file imports, sorted and de-duplicated. */
function sdkImports(source: string): string[] {
  return [...new Set([...source.matchAll(SDKS)].map((m) => m[1]!))].sort();
}

function runContractTests(artifacts: Artifact[]): { status: number | null; output: string; ms: number } {
  const root = writeArtifacts(artifacts);
  const started = Date.now();
  const r = spawnSync(PYTHON, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', ...CONTRACT_TESTS], { cwd: join(root, 'ml'), encoding: 'utf8' });
  return { status: r.status, output: r.stdout.slice(-4000) + r.stderr.slice(-2000), ms: Date.now() - started };
}

describe('experiment_tracking: the adapter of the chosen backend, exercised against a fake SDK', () => {
  it.each(TRACKERS)('%s: tracking.py imports that SDK only, and the contract tests pass', (backend) => {
    const artifacts = generate(withPatch(defaultSpec(), { options: { experiment_tracking: backend } }));
    const tracking = file(artifacts, '/training/tracking.py');
    expect(sdkImports(tracking)).toEqual([backend]);
    expect(tracking).toContain(`BACKEND: str = "${backend}"`);
    expect(tracking).toContain('class LocalFileTracker');
    const contract = file(artifacts, '/tests/integration/test_tracking_contract.py');
    expect(contract).toContain(`SDK_MODULE = "${backend}"`);
    if (!hasPytest) return;
    const run = runContractTests(artifacts);
    expect(run.status, run.output).toBe(0);
    expect(run.output).toMatch(/\d+ passed/);
    expect(run.output).not.toMatch(/skipped|failed/);
  });
});

const PROMISES: Record<(typeof ORCHESTRATORS)[number], RegExp[]> = {
  kubeflow: [/from kfp import dsl/, /@dsl\.pipeline\(/, /@dsl\.container_component/, /create_recurring_run\(/],
  airflow: [/from airflow import DAG/, /KubernetesPodOperator\(/, /with DAG\(/],
  prefect: [/from prefect import flow, task/, /@flow\(/, /@task\(/, /\.deploy\(/],
  dagster: [/from dagster import .*\bjob\b.*\bop\b/, /@job\(/, /@op\(/, /ScheduleDefinition\(/],
};

const combinations = ORCHESTRATORS.flatMap((tool) => (['batch', 'realtime'] as const).map((mode) => [tool, mode] as const));

describe('orchestration × deployment_mode: the whole flow in the chosen orchestrator', () => {
  it.each(combinations)('%s, %s: the pipeline uses that SDK only, and its task graph passes the contract tests', (tool, mode) => {
    const spec = withPatch(defaultSpec(), { options: { orchestration: tool, deployment_mode: mode } });
    const artifacts = generate(spec);
    const pipeline = file(artifacts, `/pipelines/training_${tool}.py`);
    expect(sdkImports(pipeline)).toEqual([tool === 'kubeflow' ? 'kfp' : tool]);
    for (const promise of PROMISES[tool]) expect(pipeline).toMatch(promise);
    expect(pipeline).toContain(`BATCH_SCORING: bool = ${mode === 'batch' ? 'True' : 'False'}`);
    const contract = file(artifacts, '/tests/integration/test_orchestration_contract.py');
    const validations = spec.data.sources.map((s) => `validate_${s.name}`);
    expect(expectedTasks(contract)).toEqual([...validations, 'train', 'promote', ...(mode === 'batch' ? ['batch_score'] : [])]);
    if (!hasPytest) return;
    const run = runContractTests(artifacts);
    expect(run.status, run.output).toBe(0);
    expect(run.output).not.toMatch(/skipped|failed/);
  });

  it('hybrid deployment also schedules batch scoring after the promotion gate', () => {
    const artifacts = generate(withPatch(defaultSpec(), { options: { deployment_mode: 'hybrid' } }));
    expect(expectedTasks(file(artifacts, '/tests/integration/test_orchestration_contract.py')).slice(-2)).toEqual(['promote', 'batch_score']);
  });
});

describe('another problem type with several sources', () => {
  it('forecasting (three sources): one validation task per source, and the contract tests pass', () => {
    const spec = richSpec();
    const artifacts = generate(spec);
    const contract = file(artifacts, '/tests/integration/test_orchestration_contract.py');
    expect(spec.data.sources.length).toBe(3);
    expect(expectedTasks(contract).filter((t) => t.startsWith('validate_'))).toEqual(spec.data.sources.map((s) => `validate_${s.name}`));
    if (!hasPytest) return;
    const run = runContractTests(artifacts);
    expect(run.status, run.output).toBe(0);
  });
});
