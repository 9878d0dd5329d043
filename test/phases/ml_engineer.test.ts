import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { mlEngineer } from '../../src/phases/ml_engineer/index.js';
import { MlEngineerDecisions } from '../../src/phases/ml_engineer/decisions.js';
import { schedulePeriod } from '../../src/phases/ml_engineer/schedule.js';
import { classifyFamily } from '../../src/phases/ml_engineer/families.js';
import { rollbackBudget } from '../../src/phases/ml_engineer/rollback.js';
import { resolveSpec, type ResolvedSpec } from '../../src/spec/resolve.js';
import { markdownValidator } from '../../src/validate/validators/markdown.js';
import { PYTHON, checkArtifacts, runPhase, upstreamFor, withSpec, writeArtifacts } from '../helpers/phaseHarness.js';
import { defaultSpec, richSpec } from '../helpers/specs.js';

const run = (spec: ResolvedSpec, notes?: string) => runPhase('ml_engineer', spec, notes);

describe('ml_engineer derivations (default spec)', () => {
  const out = run(defaultSpec());
  const d = out.decisions;

  it('parses with the hand-off schema', () => {
    expect(() => MlEngineerDecisions.parse(d)).not.toThrow();
  });

  it('sizes the training data from the upstream window', () => {
    // 1 M rows/day × 90 days = 90 M rows; CPU training caps one run at 20 M rows.
    expect(d.training.window_rows).toBe(90_000_000);
    expect(d.training.sample_rows).toBe(20_000_000);
    expect(d.training.feature_columns).toBe(9);
    expect(d.training.matrix_gib).toBe(0.75);
    expect(d.training.cpu).toBe('16');
    expect(d.training.memory).toBe('8Gi');
  });

  it('tunes each ensemble member with its own family space on CPU with Optuna', () => {
    expect(d.hpo.tool).toBe('optuna');
    expect(d.hpo.pruner).toBe('median');
    expect(d.hpo.trial_rows).toBe(2_000_000);
    expect(d.hpo.members.map((m) => [m.name, m.family, m.trials])).toEqual([
      ['xgboost', 'gradient_boosting', 70],
      ['logistic_regression', 'linear', 40],
    ]);
    expect(d.hpo.trials).toBe(110);
    expect(d.hpo.parallel_trials).toBe(2);
    // weekly schedule: min(168 h × 25 %, 480 min) = 480 min budget, 60 % for HPO
    expect(d.training.timeout_minutes).toBe(480);
    expect(d.hpo.timeout_minutes).toBe(288);
    const lr = d.hpo.search_space.find((p) => p.name === 'learning_rate');
    expect(lr).toMatchObject({ kind: 'float', log: true, low: 0.005, high: 0.3 });
    expect(d.hpo.members[1]!.search_space.find((p) => p.name === 'C')).toMatchObject({ log: true, low: 0.0001, high: 100 });
    // 35 × 2.06 min + 20 × 0.14 min of HPO, 2.75 min of refits, 5 min overhead
    expect(d.training.expected_minutes).toBe(83);
  });

  it('derives CV, ensemble, distribution, tracking and registry', () => {
    expect(d.cross_validation).toEqual({ strategy: 'stratified_k_fold', folds: 3, gap_days: 0, group_key: null, order_by: null, holdout_days: 9 });
    expect(d.ensemble).toEqual({ method: 'stacking_logistic_oof', members: ['xgboost', 'logistic_regression'], max_members: 3, baselines: [] });
    expect(d.distributed).toMatchObject({ enabled: false, launcher: 'none', workers: 1, gpus_per_worker: 0 });
    expect(d.tracking.backend).toBe('mlflow');
    expect(d.tracking.tracking_uri).toBe('http://mlflow.ml-detect-fraudulent-card-payments.svc.cluster.local:5000');
    expect(d.registry.stages).toEqual(['dev', 'staging', 'prod']);
    expect(d.registry.promotion_gate).toEqual({ metric: 'roc_auc', direction: 'maximize', rule: 'absolute', min_value: 0.65, baseline_factor: null, baseline_model: null, min_improvement_pct: 1 });
    expect(d.registry.rollback_minutes).toBe(5);
    expect(d.orchestration).toMatchObject({ tool: 'kubeflow', name: 'detect-fraudulent-card-payments-training' });
  });

  it('has one section per deliverable and one subsection per bullet', () => {
    const doc = out.document;
    for (const h of ['## 1. Training pipeline', '## 2. Experiment tracking', '## 3. Model registry', '## Hand-off']) expect(doc).toContain(`\n${h}\n`);
    for (const bullet of [
      'Modular training code with clear interfaces',
      'Hyper-parameter optimisation (Optuna/Ray Tune)',
      'Distributed training support (Horovod/PyTorch DDP)',
      'Cross-validation and ensembling',
      'MLflow/Weights & Biases integration',
      'Metric logging and visualisation',
      'Artifact management (models, charts, data samples)',
      'Experiment comparison and analysis tools',
      'Versioning and tagging strategy',
      'Model metadata and lineage',
      'Promotion workflow (dev -> staging -> prod)',
      'Rollback procedure',
    ]) {
      expect(doc).toContain(`\n### ${bullet}\n`);
    }
    expect(doc).toContain('1 M rows/day × 90 days = 90 M rows');
    expect(doc).toContain('300 s');
  });
});

describe('ml_engineer derivations (rich spec)', () => {
  const out = run(richSpec());
  const d = out.decisions;

  it('switches to Ray Tune and torchrun for 4 GPUs', () => {
    expect(d.hpo.tool).toBe('ray_tune');
    expect(d.hpo.pruner).toBe('asha');
    expect(d.hpo.parallel_trials).toBe(4);
    expect(d.distributed).toEqual({ enabled: true, launcher: 'torchrun', workers: 1, gpus_per_worker: 4, backend: 'tree_collective_over_torchrun' });
    expect(d.training).toMatchObject({ sample_rows: 100_000_000, gpus: 4, cpu: '32', memory: '20Gi', expected_minutes: 7 });
  });

  it('uses a time-series split with the label gap and keeps baselines out of the ensemble', () => {
    expect(d.cross_validation).toEqual({ strategy: 'time_series_split', folds: 3, gap_days: 2, group_key: null, order_by: 'sold_at', holdout_days: 40 });
    expect(d.ensemble.members).toEqual(['xgboost']);
    expect(d.ensemble.method).toBe('single_model');
    expect(d.ensemble.baselines).toEqual(['seasonal_naive']);
    expect(d.ensemble.max_members).toBe(2); // p99 80 ms
  });

  it('anomaly detection: the isolation forest is the only member, the robust z-score a reference to beat', () => {
    const spec = resolveSpec({ name: 'network-anomalies', requirements: 'Flag anomalous network traffic', problem: { type: 'anomaly_detection', target: 'is_anomaly' } });
    const anomaly = run(spec).decisions;
    expect(anomaly.ensemble).toMatchObject({ method: 'single_model', baselines: ['robust_zscore'] });
    expect(anomaly.ensemble.members).toHaveLength(1);
    expect(anomaly.hpo.members.map((m) => m.family)).toEqual(['isolation_forest']);
  });

  it('follows the wandb / airflow / gcp options and the tighter rollback SLO', () => {
    expect(d.tracking).toMatchObject({ backend: 'wandb', tracking_uri: 'https://api.wandb.ai', project: 'forecasting/demand-forecast' });
    expect(d.hpo.storage).toBe('gs://demand-forecast-ml-artifacts/ray-results/demand-forecast');
    expect(d.orchestration).toMatchObject({ tool: 'airflow', name: 'demand_forecast_training' });
    expect(d.registry.promotion_gate).toMatchObject({ metric: 'wape', direction: 'minimize', rule: 'absolute', min_value: 0.22, baseline_factor: null, baseline_model: null });
    expect(d.registry.rollback_minutes).toBe(3);
    expect(out.artifacts.map((a) => a.path)).toContain('ml/pipelines/training_airflow.py');
  });
});

describe('ml_engineer promotion gate rules', () => {
  const regression = () => resolveSpec({ name: 'house-prices', requirements: 'Predict the sale price of a house', problem: { type: 'regression', target: 'price' } });

  it('keeps the default (binary, trivial baseline) gate absolute and prints it with ≥', () => {
    const out = run(defaultSpec());
    const gate = out.decisions.registry.promotion_gate;
    expect(gate).toMatchObject({ rule: 'absolute', direction: 'maximize', min_value: 0.65, baseline_factor: null, baseline_model: null });
    expect(out.document).toContain('`roc_auc` ≥ `0.65`');
    const config = parseYaml(out.artifacts.find((a) => a.path === 'ml/configs/training.yaml')!.content) as { registry: { gate: Record<string, unknown> } };
    expect(config.registry.gate).toMatchObject({ rule: 'absolute', min_value: 0.65, baseline_factor: null, baseline_model: null });
  });

  it('makes a regression gate without baseline_metric relative to a measured mean predictor (factor 0.95, minimize)', () => {
    const out = run(regression());
    const d = out.decisions;
    expect(d.registry.promotion_gate).toEqual({ metric: 'rmse', direction: 'minimize', rule: 'relative_to_baseline', min_value: null, baseline_factor: 0.95, baseline_model: 'mean_predictor', min_improvement_pct: 1 });
    expect(() => MlEngineerDecisions.parse(d)).not.toThrow();
    expect(out.document).toContain('`rmse` ≤ `0.95` × the CV `rmse` of the baseline model `mean_predictor` in the same training run');
    expect(out.document).not.toMatch(/rmse` ≤ `0\.95`(?! ×)/);
  });

  it.each([
    ['ranking', 'popularity_ranking', 'maximize'],
    ['forecasting', 'seasonal_naive', 'minimize'],
    ['recommendation', 'popularity', 'maximize'],
    ['multiclass_classification', 'majority_class', 'maximize'],
  ] as const)('%s without baseline: relative to %s', (type, model, direction) => {
    const spec = resolveSpec({ name: 'problem-types', requirements: 'x', problem: { type } });
    const gate = run(spec).decisions.registry.promotion_gate;
    expect(gate).toMatchObject({ rule: 'relative_to_baseline', baseline_model: model, direction, min_value: null, baseline_factor: direction === 'maximize' ? 1.05 : 0.95 });
  });

  it('the generated gate and training pipeline implement the relative rule on a bare interpreter', () => {
    const out = run(regression());
    const root = writeArtifacts(out.artifacts);
    const script = `
import json, os, sys, tempfile
sys.path.insert(0, os.path.join(sys.argv[1], "ml/src"))
from house_prices.training import config, pipeline
from house_prices.registry import promotion
g = promotion.GATE
assert (g.rule, g.direction, g.baseline_factor, g.baseline_model, g.min_value) == ("relative_to_baseline", "minimize", 0.95, "mean_predictor", None), g
c = config.load_config()
assert (c.registry.gate.rule, c.registry.gate.baseline_model) == ("relative_to_baseline", "mean_predictor")
try:
    import yaml  # noqa: F401
    assert config.load_config(os.path.join(sys.argv[1], "ml/configs/training.yaml")) == c
except ImportError:
    pass
extra = {k.name: k.threshold for k in g.criteria}
base = 100.0
assert promotion.evaluate_gate(g, {g.metric: 0.9 * base, **extra}, None, baseline_score=base).passed
rejected = promotion.evaluate_gate(g, {g.metric: 0.99 * base, **extra}, None, baseline_score=base)
assert not rejected.passed and rejected.checks["threshold"] is False, rejected
# the score recorded by the training run (baseline/<model>/<metric>) is what the gate reads
key = pipeline.baseline_metric_key(g.baseline_model, g.metric)
assert key == g.baseline_key()
assert promotion.evaluate_gate(g, {g.metric: 0.9 * base, key: base, **extra}, None).passed
assert not promotion.evaluate_gate(g, {g.metric: 0.9 * base, **extra}, None).passed
# the pipeline always scores the gate's baseline model, with a built-in trainer when the steps give none
refs = pipeline.baseline_trainers(c, {})
assert list(refs) == ["mean_predictor"]
model = refs["mean_predictor"].fit([[0], [0], [0], [0]], [1.0, 2.0, 3.0, 6.0], {})
assert list(model.predict([[1], [2]])) == [3.0, 3.0]
# and the CLI takes the baseline score from the training output
with tempfile.TemporaryDirectory() as d:
    cand = os.path.join(d, "c.json"); run = os.path.join(d, "last_training.json")
    json.dump({g.metric: 0.9 * base, **extra}, open(cand, "w"))
    json.dump({"metrics": {"cv/rmse/mean": 0.9 * base, key: base}}, open(run, "w"))
    reg = "local:" + os.path.join(d, "r.json")
    assert promotion.main(["--registry", reg, "promote", "--version", "1", "--to", "staging", "--candidate-metrics", cand, "--training-output", run]) == 0
    assert promotion.main(["--registry", reg, "promote", "--version", "2", "--to", "staging", "--candidate-metrics", cand]) == 3
print("ok")
`;
    const r = spawnSync(PYTHON, ['-c', script, root], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split('\n').pop()).toBe('ok');
  });
});

describe('ml_engineer helpers', () => {
  it('reads cron periods', () => {
    expect(schedulePeriod('0 3 * * 0').periodHours).toBeCloseTo(168, 6);
    expect(schedulePeriod('@daily').periodHours).toBe(24);
    expect(schedulePeriod('*/15 * * * *').periodHours).toBeCloseTo(0.25, 6);
    expect(schedulePeriod('0 2 1 * *').label).toBe('monthly');
  });
  it('maps upstream algorithm words onto families', () => {
    expect(classifyFamily(['gradient_boosted_trees'], 'regression').family).toBe('gradient_boosting');
    expect(classifyFamily(['isolation_forest'], 'anomaly_detection').family).toBe('isolation_forest');
    expect(classifyFamily(['implicit_als'], 'recommendation').family).toBe('factorization');
    expect(classifyFamily(['two_tower'], 'recommendation').family).toBe('two_tower');
    expect(classifyFamily(['something_new'], 'recommendation')).toEqual({ family: 'factorization', matched: false });
  });
  it('splits the rollback budget', () => {
    expect(rollbackBudget(5)).toEqual({ totalSeconds: 300, aliasSeconds: 30, restartSeconds: 210, verifySeconds: 60 });
  });
});

describe('ml_engineer determinism and sensitivity', () => {
  it('is byte-identical across runs', () => {
    const a = run(defaultSpec());
    const b = run(defaultSpec());
    expect(b.document).toBe(a.document);
    expect(JSON.stringify(b.artifacts)).toBe(JSON.stringify(a.artifacts));
    expect(JSON.stringify(b.decisions)).toBe(JSON.stringify(a.decisions));
  });

  it('gives different documents for different specs', () => {
    expect(run(richSpec()).document).not.toBe(run(defaultSpec()).document);
  });

  const base = defaultSpec();
  const upstream = upstreamFor(base, 'ml_engineer');
  const render = (spec: ResolvedSpec) => {
    const o = mlEngineer.run({ spec, upstream });
    return o.document + JSON.stringify(o.artifacts) + JSON.stringify(o.decisions);
  };

  it.each([
    ['experiment_tracking', ['mlflow', 'wandb', 'neptune', 'clearml']],
    ['orchestration', ['kubeflow', 'airflow', 'prefect', 'dagster']],
    ['cloud_provider', ['aws', 'azure', 'gcp']],
  ] as const)('every value of options.%s changes the output', (option, values) => {
    const outputs = values.map((v) => render(withSpec(base, (s) => ((s.options as Record<string, string>)[option] = v))));
    expect(new Set(outputs).size).toBe(values.length);
  });

  it('options.deployment_mode changes the ensemble cap when latency is tight', () => {
    const tight = withSpec(base, (s) => (s.slo.p99_latency_ms = 40));
    expect(render(withSpec(tight, (s) => (s.options.deployment_mode = 'batch')))).not.toBe(render(tight));
  });

  it('each spec path in reads changes the output, unread paths do not', () => {
    const changes: [string, (s: ResolvedSpec) => void][] = [
      ['scale.training_gpus', (s) => (s.scale.training_gpus = 2)],
      ['scale.training_schedule', (s) => (s.scale.training_schedule = '@hourly')],
      ['slo.rollback_minutes', (s) => (s.slo.rollback_minutes = 2)],
      ['slo.max_degradation_pct', (s) => (s.slo.max_degradation_pct = 10)],
      ['slo.p99_latency_ms', (s) => (s.slo.p99_latency_ms = 30)],
      ['problem.positive_rate', (s) => (s.problem.positive_rate = 0.01)],
      ['problem.target', (s) => (s.problem.target = 'is_fraud')],
      ['data.entity_key', (s) => (s.data.entity_key = 'card_id')],
      ['team.namespace', (s) => (s.team.namespace = 'fraud')],
    ];
    const reference = render(base);
    for (const [path, change] of changes) {
      expect(mlEngineer.reads.some((r) => path === r || path.startsWith(`${r}.`)), path).toBe(true);
      expect(render(withSpec(base, change)), path).not.toBe(reference);
    }
    for (const change of [(s: ResolvedSpec) => (s.options.monitoring_stack = 'datadog'), (s: ResolvedSpec) => (s.team.budget_usd_per_month = 1), (s: ResolvedSpec) => (s.slo.alert_time_s = 5)]) {
      expect(render(withSpec(base, change))).toBe(reference);
    }
  });
});

describe('ml_engineer artifacts pass their validators', () => {
  for (const [label, spec] of [
    ['default', defaultSpec()],
    ['rich', richSpec()],
    ['neptune+prefect', withSpec(defaultSpec(), (s) => ((s.options.experiment_tracking = 'neptune'), (s.options.orchestration = 'prefect')))],
    ['clearml+dagster', withSpec(richSpec(), (s) => ((s.options.experiment_tracking = 'clearml'), (s.options.orchestration = 'dagster'), (s.scale.training_gpus = 1)))],
    ['regression (relative gate)', resolveSpec({ name: 'house-prices', requirements: 'Predict the sale price of a house', problem: { type: 'regression', target: 'price' } })],
  ] as const) {
    it(`${label}: python compiles, shell is shellcheck-clean, yaml/json parse, markdown is safe`, async () => {
      const out = run(spec);
      const root = writeArtifacts(out.artifacts);
      const py = out.artifacts.filter((a) => a.kind === 'python').map((a) => join(root, a.path));
      expect(py.length).toBeGreaterThanOrEqual(10);
      expect(checkArtifacts(out.artifacts, root)).toEqual([]);
      const md = [...out.artifacts.filter((x) => x.kind === 'markdown'), { path: 'doc.md', kind: 'markdown' as const, phase: 'ml_engineer', content: out.document }];
      const verdicts = await markdownValidator.validate({ artifacts: md, root, bundle: md });
      expect(verdicts.filter((v) => v.verdict !== 'pass')).toEqual([]);
    });
  }

  it('the generated config, tracker, gate and registry work on a bare interpreter', () => {
    const out = run(richSpec());
    const root = writeArtifacts(out.artifacts);
    const script = `
import json, os, sys, tempfile
sys.path.insert(0, os.path.join(sys.argv[1], "ml/src"))
from demand_forecast.training import config, tracking, hpo
from demand_forecast.registry import promotion
c = config.load_config()
try:
    import yaml  # noqa: F401
    assert config.load_config(os.path.join(sys.argv[1], "ml/configs/training.yaml")) == c
except ImportError:
    pass
try:
    config.load_config({**config.DEFAULT_CONFIG, "x": 1})
    raise SystemExit("unknown key accepted")
except ValueError:
    pass
spaces = hpo.load_search_spaces(os.path.join(sys.argv[1], "ml/configs/hpo_search_space.json"))
assert list(spaces) == [m.name for m in c.hpo.members]
with tempfile.TemporaryDirectory() as d:
    t = tracking.LocalFileTracker(d, c.tracking.experiment_name)
    t.start_run("r", {"git_sha": "abc"}); tracking.log_fold_scores(t, "wape", [0.2, 0.21, 0.19]); t.end_run()
    assert len(t.events()) == 6
    g = promotion.GATE
    good = {g.metric: 0.1, **{k.name: k.threshold for k in g.criteria}}
    assert promotion.evaluate_gate(g, good, None).passed
    assert not promotion.evaluate_gate(g, {g.metric: 0.3}, None).passed
    assert not promotion.evaluate_gate(g, good, {g.metric: 0.1005}).passed
    reg = promotion.LocalRegistry(os.path.join(d, "r.json"))
    ok = promotion.evaluate_gate(g, good, None)
    for v in ("1", "2"):
        for stage in ("dev", "staging", "prod"):
            promotion.promote(reg, v, stage, ok)
    assert promotion.rollback(reg, reason="drill") == "1"
print("ok")
`;
    const r = spawnSync(PYTHON, ['-c', script, root], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('ok');
    const dry = spawnSync('bash', [join(root, 'scripts/rollback_model.sh'), '--dry-run', '--reason', "it's a drill"], { encoding: 'utf8' });
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain('demand-forecast-model-server');
  });
});

describe('ml_engineer escapes user text', () => {
  it('requirements and notes with markup do not break the document or the code', async () => {
    const nasty = 'Forecast <script>alert(1)</script> | pipes | `ticks` ```fence\nnew line "quotes" \\ backslash';
    const spec = withSpec(richSpec(), (s) => (s.requirements = nasty));
    const out = run(spec, '<img src=x onerror=alert(1)> | `x`');
    const doc = [{ path: 'doc.md', kind: 'markdown' as const, phase: 'ml_engineer', content: out.document }];
    const verdicts = await markdownValidator.validate({ artifacts: doc, root: tmpdir(), bundle: doc });
    expect(verdicts[0]!.verdict).toBe('pass');
    expect(out.document).not.toContain('<script>');
    const root = writeArtifacts(out.artifacts);
    expect(checkArtifacts(out.artifacts.filter((a) => a.kind === 'python'), root)).toEqual([]);
  });
});
