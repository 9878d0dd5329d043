import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { PythonProDecisions } from '../../src/phases/python_pro/decisions.js';
import { pythonPro } from '../../src/phases/python_pro/index.js';
import type { PhaseInput } from '../../src/phases/types.js';
import { runAllPhases } from '../../src/pipeline/runPhases.js';
import { resolveSpec, type ResolvedSpec } from '../../src/spec/resolve.js';
import { markdownValidator } from '../../src/validate/validators/markdown.js';
import { PYTHON, checkArtifacts, decisionsOf, runPhase, withSpec, writeArtifacts } from '../helpers/phaseHarness.js';
import { defaultSpec, richSpec } from '../helpers/specs.js';

function chain(spec: ResolvedSpec) {
  const { outputs, artifacts } = runAllPhases(spec, 'ml_engineer');
  return { upstream: decisionsOf(outputs) as PhaseInput<'python_pro'>['upstream'], upstreamArtifacts: artifacts };
}

const run = (spec: ResolvedSpec, notes?: string) => runPhase('python_pro', spec, notes);

describe('python_pro derivations (default spec)', () => {
  const out = run(defaultSpec());
  const d = out.decisions;

  it('parses with the hand-off schema', () => {
    expect(() => PythonProDecisions.parse(d)).not.toThrow();
    expect(d.package_name).toBe('detect_fraudulent_card_payments');
    expect(d.python_version).toBe('3.11');
    expect(d.test_layers).toEqual(['unit', 'integration', 'model_quality', 'performance']);
  });

  it('derives the budgets', () => {
    // The data scientist's model_inference_p99_ms criterion (100 ms = 50 % of 200 ms); 2 members score in sequence.
    expect(d.budgets.predict_p99_ms).toBe(100);
    expect(d.budgets.per_member_p99_ms).toBe(50);
    // 1,000,000 rows in a 1-hour window (realtime mode) = 277.8 rows/s, × 2 headroom
    expect(d.budgets.batch_window_hours).toBe(1);
    expect(d.budgets.batch_rows_per_second).toBe(556);
    // 20 M × 44 B + 2 × 800 MB + 533 MB fold + 410 MB chunk + 1,024 MB runtime
    expect(d.budgets.training_peak_memory_mb).toBe(4448);
    expect(d.budgets.training_memory_request_mb).toBe(8192);
    expect(d.budgets.latency_split.reduce((s, l) => s + l.ms, 0)).toBeCloseTo(200, 0);
  });

  it('sizes chunks from the memory budget and the bytes per row', () => {
    // 5 % of 8,192 MB = 410 MB; 410 MB / 181 B = 2,265,193 rows → 2,260,000
    expect(d.data_loading).toMatchObject({ chunk_budget_mb: 410, raw_bytes_per_row: 181, bytes_per_row: 44, chunk_rows: 2_260_000 });
    expect(d.data_loading.dtypes).toContainEqual({ column: 'account_age_days', dtype: 'int16' });
    expect(d.data_loading.dtypes).toContainEqual({ column: 'events_last_24h', dtype: 'Int16' });
    expect(d.data_loading.dtypes).toContainEqual({ column: 'channel', dtype: 'category' });
  });

  it('names quality tests after the features of the spec', () => {
    expect(d.quality_tests).toContainEqual({ feature: 'amount', kind: 'invariance', test: 'beyond_range_clipped' });
    expect(d.quality_tests).toContainEqual({ feature: 'events_last_24h', kind: 'invariance', test: 'missing_is_finite' });
    expect(d.quality_tests).toContainEqual({ feature: 'channel', kind: 'invariance', test: 'unseen_category' });
    expect(d.quality_tests).toContainEqual({ feature: 'is_returning', kind: 'directional', test: 'flip_sign' });
  });

  it('has one section per deliverable and one subsection per bullet', () => {
    for (const h of ['## 1. Code quality and structure', '## 2. Performance', '## 3. Test framework', '## Hand-off']) expect(out.document).toContain(`\n${h}\n`);
    for (const bullet of [
      'Refactor to production standards',
      'Comprehensive error handling',
      'Proper logging in a structured format',
      'Reusable components and utilities',
      'Profile and optimise bottlenecks',
      'Caching strategy',
      'Optimised data loading and preprocessing',
      'Memory management for large-scale training',
      'Unit tests for data transformations',
      'Integration tests for pipeline components',
      'Model quality tests (invariance, directional)',
      'Performance regression tests',
    ]) {
      expect(out.document).toContain(`\n### ${bullet}\n`);
    }
    expect(out.document).toContain('410 MB / 181 B per row as read = 2,265,193 rows');
  });
});

describe('python_pro derivations (rich spec)', () => {
  const d = run(richSpec()).decisions;
  it('follows the tighter latency, the hybrid batch window and the bigger pod', () => {
    expect(d.budgets.predict_p99_ms).toBe(40);
    expect(d.budgets.batch_window_hours).toBe(2);
    expect(d.budgets.batch_rows_per_second).toBe(13_889);
    expect(d.budgets.training_memory_request_mb).toBe(20_480);
    expect(d.budgets.training_peak_memory_mb).toBe(17_703);
    expect(d.data_loading).toMatchObject({ chunk_budget_mb: 512, chunk_rows: 2_090_000 });
    expect(d.quality_tests).toContainEqual({ feature: 'store_region', kind: 'invariance', test: 'protected_swap' });
    expect(d.budgets.training_peak_memory_mb).toBeLessThanOrEqual(d.budgets.training_memory_request_mb);
  });
});

describe('python_pro determinism and sensitivity', () => {
  it('is byte-identical across runs and differs between specs', () => {
    const a = run(defaultSpec());
    const b = run(defaultSpec());
    expect(b.document).toBe(a.document);
    expect(JSON.stringify(b.artifacts)).toBe(JSON.stringify(a.artifacts));
    expect(run(richSpec()).document).not.toBe(a.document);
  });

  const base = defaultSpec();
  const { upstream } = chain(base);
  const render = (spec: ResolvedSpec) => {
    const o = pythonPro.run({ spec, upstream });
    return o.document + JSON.stringify(o.artifacts) + JSON.stringify(o.decisions);
  };

  it.each([
    ['deployment_mode', ['realtime', 'batch', 'hybrid']],
    ['experiment_tracking', ['mlflow', 'wandb', 'neptune', 'clearml']],
    ['orchestration', ['kubeflow', 'airflow', 'prefect', 'dagster']],
  ] as const)('every value of options.%s changes the output', (option, values) => {
    const outputs = values.map((v) => render(withSpec(base, (s) => ((s.options as Record<string, string>)[option] = v))));
    expect(new Set(outputs).size).toBe(values.length);
  });

  it('read spec paths change the output, unread ones do not', () => {
    const reference = render(base);
    const changes: [string, (s: ResolvedSpec) => void][] = [
      ['slo.p99_latency_ms', (s) => (s.slo.p99_latency_ms = 500)],
      ['scale.batch_size', (s) => (s.scale.batch_size = 9_000_000)],
      ['team.owner', (s) => (s.team.owner = 'risk-ml')],
      ['problem.target', (s) => (s.problem.target = 'is_fraud')],
      ['data.entity_key', (s) => (s.data.entity_key = 'card_id')],
    ];
    for (const [path, change] of changes) {
      expect(pythonPro.reads.some((r) => path === r || path.startsWith(`${r}.`)), path).toBe(true);
      expect(render(withSpec(base, change)), path).not.toBe(reference);
    }
    for (const change of [(s: ResolvedSpec) => (s.options.monitoring_stack = 'newrelic'), (s: ResolvedSpec) => (s.slo.rollback_minutes = 1), (s: ResolvedSpec) => (s.options.cloud_provider = 'azure')]) {
      expect(render(withSpec(base, change))).toBe(reference);
    }
  });
});

describe('python_pro artifacts pass their validators', () => {
  for (const [label, spec] of [
    ['default', defaultSpec()],
    ['rich', richSpec()],
  ] as const) {
    it(`${label}: python compiles, toml parses, markdown is safe`, async () => {
      const out = run(spec);
      const root = writeArtifacts(out.artifacts);
      const py = out.artifacts.filter((a) => a.kind === 'python').map((a) => join(root, a.path));
      expect(py.length).toBeGreaterThanOrEqual(10);
      expect(checkArtifacts(out.artifacts, root)).toEqual([]);
      const toml = out.artifacts.find((a) => a.path === 'ml/pyproject.toml')!;
      expect(toml.kind).toBe('python-project');
      const project = parseToml(toml.content) as { project: { name: string; dependencies: string[] }; tool: { pytest: { ini_options: { markers: string[] } } } };
      expect(project.project.name).toBe(spec.name);
      expect(project.tool.pytest.ini_options.markers.map((m) => m.split(':')[0])).toEqual(['unit', 'integration', 'quality', 'performance']);
      const md = [...out.artifacts.filter((x) => x.kind === 'markdown'), { path: 'doc.md', kind: 'markdown' as const, phase: 'python_pro', content: out.document }];
      const verdicts = await markdownValidator.validate({ artifacts: md, root, bundle: md });
      expect(verdicts.filter((v) => v.verdict !== 'pass')).toEqual([]);
    });
  }

  it('the utilities work on a bare interpreter (JSON logs, errors, cache)', () => {
    const out = run(defaultSpec());
    const root = writeArtifacts(out.artifacts);
    const script = `
import io, json, logging, os, sys, tempfile
sys.path.insert(0, os.path.join(sys.argv[1], "ml/src"))
from detect_fraudulent_card_payments import errors, logging_utils, cache, dataio
stream = io.StringIO()
logging_utils.configure_logging(stream=stream)
with logging_utils.bind(run_id="r1"):
    logging.getLogger("t").info("hi", extra={"rows": 2})
line = json.loads(stream.getvalue())
assert line["run_id"] == "r1" and line["rows"] == 2 and line["pipeline"] == "detect-fraudulent-card-payments", line
assert issubclass(errors.ConfigError, ValueError) and errors.exit_code_for(errors.RegistryError("x")) == 6
with tempfile.TemporaryDirectory() as d:
    c = cache.DiskCache(d)
    k = cache.content_hash("features", {"v": 1})
    assert c.get_or_compute(k, lambda: [1, 2]) == [1, 2] and c.get(k) == [1, 2]
assert dataio.CHUNK_ROWS == 2260000 and dataio.DTYPES["channel"] == "category"
print("ok")
`;
    const r = spawnSync(PYTHON, ['-c', script, root], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('ok');
  });

  // The generated test suite itself, with the whole stage 1-2 bundle; needs pytest for /usr/bin/python3.
  const hasPytest = spawnSync(PYTHON, ['-c', 'import pytest'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!hasPytest)('the generated unit and integration layers pass', () => {
    const spec = richSpec();
    const out = pythonPro.run({ spec, upstream: chain(spec).upstream });
    const root = writeArtifacts([...chain(spec).upstreamArtifacts, ...out.artifacts]);
    const r = spawnSync(PYTHON, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', '-m', 'unit or integration'], { cwd: join(root, 'ml'), encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  }, 180_000);

  it.skipIf(!hasPytest)('the generated integration layer passes with a relative promotion gate (regression, no baseline)', () => {
    const spec = resolveSpec({ name: 'house-prices', requirements: 'Predict the sale price of a house', problem: { type: 'regression', target: 'price' } });
    const { upstream, upstreamArtifacts } = chain(spec);
    expect(upstream.ml_engineer.registry.promotion_gate).toMatchObject({ rule: 'relative_to_baseline', baseline_factor: 0.95, baseline_model: 'mean_predictor' });
    const out = pythonPro.run({ spec, upstream });
    const integration = out.artifacts.find((a) => a.path.endsWith('tests/integration/test_pipeline_components.py'));
    expect(integration?.content).toContain('def test_relative_gate_compares_with_factor_times_the_baseline_score');
    const root = writeArtifacts([...upstreamArtifacts, ...out.artifacts]);
    const r = spawnSync(PYTHON, ['-m', 'pytest', '-v', '-p', 'no:cacheprovider', '-m', 'integration'], { cwd: join(root, 'ml'), encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    for (const t of ['test_relative_gate_compares_with_factor_times_the_baseline_score[minimize-0.95]', 'test_relative_gate_compares_with_factor_times_the_baseline_score[maximize-1.05]', 'test_absolute_gate_ignores_baseline_scores', 'test_promote_and_roll_back_with_the_offline_registry']) {
      expect(r.stdout).toMatch(new RegExp(`${t.replace(/[[\].]/g, '\\$&')} PASSED`));
    }
    // The integration layer trains on sample rows and beats the measured mean predictor.
    expect(r.stdout).toMatch(/test_training_on_sample_rows_beats_the_trivial_baseline PASSED/);
  }, 180_000);
});

describe.skipIf(spawnSync(PYTHON, ['-c', 'import pytest, pandas'], { encoding: 'utf8' }).status !== 0)('the generated quality layer', () => {
  it('fails a model that ignores the declared ranges, naming every feature it broke in one failure', () => {
    const spec = defaultSpec();
    const { upstreamArtifacts, upstream } = chain(spec);
    const out = pythonPro.run({ spec, upstream });
    const root = writeArtifacts([...upstreamArtifacts, ...out.artifacts]);
    // A model scoring raw numeric columns: 10 x max scores unlike max for every clipped input.
    const models = join(root, 'models');
    mkdirSync(models);
    writeFileSync(join(models, 'raw_model.py'), 'class RawModel:\n    def predict(self, frame):\n        return frame.select_dtypes("number").fillna(0).sum(axis=1).to_numpy() / 1e6\n');
    const env = { ...process.env, PYTHONPATH: models };
    const pickled = spawnSync(PYTHON, ['-c', 'import pickle, sys, raw_model; pickle.dump(raw_model.RawModel(), open(sys.argv[1], "wb"))', join(models, 'raw.pkl')], { env, encoding: 'utf8' });
    expect(pickled.status, pickled.stderr).toBe(0);
    const modelEnv = /^MODEL_ENV: str = "([A-Z0-9_]+)"$/m.exec(readFileSync(join(root, 'ml/tests/support.py'), 'utf8'))![1]!;
    const r = spawnSync(PYTHON, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests/quality', '-k', 'beyond_range_clipped'], { cwd: join(root, 'ml'), env: { ...env, [modelEnv]: join(models, 'raw.pkl') }, encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(1);
    const clipped = out.decisions.quality_tests.filter((q) => q.test === 'beyond_range_clipped').map((q) => q.feature);
    expect(clipped.length).toBeGreaterThan(1);
    expect(r.stdout).toContain(`${clipped.length} of ${clipped.length} cases broke their expectation`);
    for (const name of clipped) expect(r.stdout).toMatch(new RegExp(`^E +${name} = 10 × max \\(`, 'm'));
  }, 120_000);
});

describe('python_pro escapes user text', () => {
  it('requirements, notes and owner with markup or quotes break nothing', async () => {
    const nasty = 'Detect <script>alert(1)</script> | `ticks` \n "quotes" \\ backslash';
    const spec = withSpec(defaultSpec(), (s) => ((s.requirements = nasty), (s.team.owner = 'ML "core" team\\ <x>')));
    const out = run(spec, '<b>bold</b> | `x`');
    const doc = [{ path: 'doc.md', kind: 'markdown' as const, phase: 'python_pro', content: out.document }];
    const verdicts = await markdownValidator.validate({ artifacts: doc, root: tmpdir(), bundle: doc });
    expect(verdicts[0]!.verdict).toBe('pass');
    const toml = parseToml(out.artifacts.find((a) => a.path === 'ml/pyproject.toml')!.content) as { project: { authors: { name: string }[] } };
    expect(toml.project.authors[0]!.name).toBe('ML "core" team\\ <x>');
    const root = writeArtifacts(out.artifacts);
    expect(checkArtifacts(out.artifacts.filter((a) => a.kind === 'python'), root)).toEqual([]);
  });
});
