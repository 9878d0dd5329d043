import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { Artifact } from '../../../src/artifacts/artifact.js';
import { ADAPTER_CLASS, ADAPTER_SDK, storeBackendEnv, type StoreOption } from '../../../src/phases/data_scientist/storePy.js';
import { runAllPhases } from '../../../src/pipeline/runPhases.js';
import type { ResolvedSpec } from '../../../src/spec/resolve.js';
import { PYTHON, artifactAt, runPython, withPath, writeArtifacts } from '../../helpers/phaseHarness.js';
import { defaultSpec, richSpec } from '../../helpers/specs.js';

// The feature-store client (ml/src/<pkg>/features/store.py) and its generated tests: one adapter per
// options.feature_store, an in-memory backend with the same semantics, and the bias tests of protected attributes.

const OPTIONS: StoreOption[] = ['feast', 'tecton', 'databricks', 'custom'];
const PKG = { default: 'detect_fraudulent_card_payments', rich: 'demand_forecast' };

function bundle(spec: ResolvedSpec): { artifacts: Artifact[]; dir: string } {
  const { artifacts } = runAllPhases(spec);
  return { artifacts, dir: writeArtifacts(artifacts) };
}

/** Runs pytest on the generated ml/tests/features with the Debian interpreter; returns the exit code and summary. */
function pytestFeatures(dir: string): { status: number | null; output: string; passed: number } {
  const r = spawnSync(PYTHON, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests/features'], { cwd: join(dir, 'ml'), encoding: 'utf8', timeout: 120_000 });
  const output = `${r.stdout}${r.stderr}`;
  return { status: r.status, output, passed: Number(/(\d+) passed/.exec(output)?.[1] ?? 0) };
}

const storePath = (pkg: string) => `ml/src/${pkg}/features/store.py`;

describe('features/store.py per feature_store option', () => {
  it.each(OPTIONS)('%s: the adapter is the one the option names, and the generated store tests pass', (option) => {
    const spec = withPath(defaultSpec(), 'options.feature_store', option);
    const { artifacts, dir } = bundle(spec);
    const store = artifactAt({ artifacts }, storePath(PKG.default)).content;
    expect(store).toContain(`class ${ADAPTER_CLASS[option]}(`);
    expect(store).toContain('class InMemoryFeatureStore(');
    for (const other of OPTIONS.filter((o) => o !== option)) expect(store).not.toContain(`class ${ADAPTER_CLASS[other]}(`);
    for (const module of ADAPTER_SDK[option]) expect(store).toContain(`_sdk(${JSON.stringify(module)})`);
    for (const module of OPTIONS.filter((o) => o !== option).flatMap((o) => ADAPTER_SDK[o])) expect(store).not.toContain(`_sdk(${JSON.stringify(module)})`);
    // No SDK import at module level: the module imports here, where none of them is installed.
    expect(store).not.toMatch(/^(import|from) (feast|tecton|redis|databricks)\b/m);
    expect(store).toContain(`BACKEND: str = ${JSON.stringify(option)}`);
    expect(store).toContain(`BACKEND_ENV: str = ${JSON.stringify(storeBackendEnv(PKG.default))}`);

    const run = pytestFeatures(dir);
    expect(run.status, run.output).toBe(0);
    // memory contract (4) + online contract (3) + adapter test (+ definitions match where the definitions are importable).
    expect(run.passed).toBeGreaterThanOrEqual(8);
    expect(run.output).not.toMatch(/skipped/);
  });

  it('build_store() gives the spec adapter, "memory" from the env variable gives the in-memory backend', () => {
    const { dir } = bundle(withPath(defaultSpec(), 'options.feature_store', 'custom'));
    const env = storeBackendEnv(PKG.default);
    expect(env).toBe('DETECT_FRAUDULENT_CARD_PAYMENTS_FEATURE_STORE');
    const out = runPython(
      dir,
      `
import json, os
from detect_fraudulent_card_payments.features import store
default = type(store.build_store()).__name__
os.environ[${JSON.stringify(env)}] = "memory"
memory = type(store.build_store()).__name__
print(json.dumps([default, memory]))
`,
    );
    expect(out).toEqual(['RedisFeatureStore', 'InMemoryFeatureStore']);
  });

  it('the client reads the views and entity the definitions declare (one plan for both)', () => {
    for (const option of OPTIONS) {
      const spec = withPath(richSpec(), 'options.feature_store', option);
      const { artifacts, dir } = bundle(spec);
      const ds = runAllPhases(spec, 'data_scientist').outputs.data_scientist!.decisions;
      const client = runPython(dir, 'import json; from demand_forecast.features import store; print(json.dumps([store.ENTITY_KEY, store.EVENT_TIMESTAMP, store.FEATURE_VIEWS]))') as [string, string, { name: string; ttl_hours: number; features: { name: string }[] }[]];
      expect(client[0]).toBe('store_sku');
      expect(client[1]).toBe('sold_at');
      expect(client[2].map((v) => [v.name, v.ttl_hours, v.features.map((f) => f.name)])).toEqual(ds.feature_store.views.map((v) => [v.name, v.ttl_hours, v.features]));
      if (option === 'custom') {
        const yaml = parseYaml(artifactAt({ artifacts }, 'features/custom/feature_store.yaml').content);
        expect(yaml.online.key_template).toBe('demand_forecast:{view}:{entity}');
        expect(yaml.views.map((v: { name: string; ttl_seconds: number }) => [v.name, v.ttl_seconds])).toEqual(client[2].map((v) => [v.name, v.ttl_hours * 3600]));
      } else {
        const file = ds.feature_store.definition_files.find((f) => f.endsWith('.py'))!;
        const mod = file.replace(/\.py$/, '').replace(/\//g, '.');
        const defined = runPython(dir, `import json, importlib; m = importlib.import_module(${JSON.stringify(mod)}); print(json.dumps([m.ENTITY_KEY, m.FEATURE_VIEWS]))`);
        expect(defined).toEqual([client[0], client[2]]);
      }
    }
  });

  it('the generated contract test fails when historical retrieval leaks a later value', () => {
    const { dir } = bundle(withPath(defaultSpec(), 'options.feature_store', 'custom'));
    const file = join(dir, storePath(PKG.default));
    const source = readFileSync(file, 'utf8');
    const correct = 'position = bisect.bisect_right(times, at) - 1';
    expect(source).toContain(correct);
    // Always the newest value, whatever the entity row's time: the look-ahead bias point-in-time joins prevent.
    writeFileSync(file, source.replace(correct, 'position = len(times) - 1'));
    const run = pytestFeatures(dir);
    expect(run.status).not.toBe(0);
    expect(run.output).toContain('FAILED tests/features/test_store.py::test_point_in_time_join_never_returns_a_later_value');
    expect(run.output).toContain('FAILED tests/features/test_store.py::test_point_in_time_join_matches_brute_force_on_random_history');
  });
});

describe('bias tests of protected attributes', () => {
  it('are absent when the spec declares no protected attribute', () => {
    const { artifacts } = runAllPhases(defaultSpec(), 'data_scientist');
    expect(artifacts.map((a) => a.path).filter((p) => p.includes('bias'))).toEqual([]);
  });

  it.each([
    ['forecasting (rich spec, tecton): group error ratio and residual gap', richSpec(), ['group_error_ratio', 'mean_residual_difference_pct']],
    [
      'binary classification: parity, opportunity, four-fifths',
      withPath(defaultSpec(), 'data.features', [...defaultSpec().data.features, { name: 'age_band', type: 'categorical', categories: ['young', 'old'], protected: true }]),
      ['demographic_parity_difference', 'equal_opportunity_difference', 'disparate_impact_ratio'],
    ],
    ['ranking: exposure and recall ratios', withPath(richSpec(), 'problem', { type: 'ranking', target: 'clicked' }), ['exposure_ratio', 'group_metric_ratio']],
  ])('%s: a known disparity is flagged, a fair frame passes', (_name, spec, rules) => {
    const { artifacts, dir } = bundle(spec);
    const test = artifactAt({ artifacts }, 'ml/tests/features/test_feature_bias.py').content;
    for (const rule of rules) expect(test).toContain(JSON.stringify(rule));
    const r = spawnSync(PYTHON, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests/features/test_feature_bias.py'], { cwd: join(dir, 'ml'), encoding: 'utf8', timeout: 60_000 });
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    expect(r.stdout).toContain('4 passed');
    // The frames of the generated test, evaluated here: every rule of every protected attribute.
    const results = runPython(
      dir,
      `
import json, sys
sys.path.insert(0, "ml/tests/features")
import test_feature_bias as t
print(json.dumps({"fair": t.run(False), "biased": t.run(True)}))
`,
    ) as Record<'fair' | 'biased', { attribute: string; metric: string; passed: boolean }[]>;
    const protectedNames = spec.data.features.filter((f) => f.protected).map((f) => f.name);
    expect(results.fair.map((x) => [x.attribute, x.metric])).toEqual(protectedNames.flatMap((a) => rules.map((m) => [a, m])));
    expect(results.fair.filter((x) => !x.passed)).toEqual([]);
    expect(results.biased.filter((x) => x.passed)).toEqual([]);
  });
});

describe('validation.py group metrics beyond classification', () => {
  it('computes error ratios, residual gaps, exposure and recall ratios by hand-checked values', () => {
    const { artifacts } = runAllPhases(richSpec(), 'data_scientist');
    const dir = writeArtifacts(artifacts);
    const out = runPython(
      dir,
      `
import json
from demand_forecast.features import validation as v
g = ["a", "a", "b", "b"]
print(json.dumps({
    "error_ratio": v.group_error_ratio([2, 2, 3, 4], [1, 2, 1, 2], g),
    "residual_pct": v.mean_residual_difference_pct([2, 2, 3, 4], [1, 2, 1, 2], g),
    "exposure_top2": v.exposure_ratio([4, 3, 2, 1], g, top_k=2),
    "exposure_top3": v.exposure_ratio([4, 3, 2, 1], g, top_k=3),
    "recall_top3": v.group_recall_ratio([4, 3, 2, 1], [1, 0, 1, 1], g, top_k=3),
    "rules": [r["metric"] for r in v.check_bias([2, 2, 3, 4], [1, 2, 1, 2], {"store_region": g})],
}))
`,
    ) as Record<string, number | string[]>;
    // MAE a = (1 + 0) / 2 = 0.5, b = (2 + 2) / 2 = 2 → 4; mean residuals 0.5 and 2 over mean |target| 1.5 → 100 %.
    expect(out.error_ratio).toBeCloseTo(4, 12);
    expect(out.residual_pct).toBeCloseTo(100, 12);
    // Top 2 slots both group a → b has no exposure; top 3: (2/3) / 0.5 vs (1/3) / 0.5 → 0.5.
    expect(out.exposure_top2).toBe(0);
    expect(out.exposure_top3).toBeCloseTo(0.5, 12);
    // Relevant: a {0} all in the top 3, b {2, 3} half → 0.5.
    expect(out.recall_top3).toBeCloseTo(0.5, 12);
    expect(out.rules).toEqual(['group_error_ratio', 'mean_residual_difference_pct']);
  });
});
