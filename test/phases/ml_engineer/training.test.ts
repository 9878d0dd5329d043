import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PYTHON } from '../../helpers/phaseHarness.js';
import { resolveSpec } from '../../../src/spec/resolve.js';
import { HEAVY_TRAINING, bundle, describeTrainingRuns, hasStack, specs } from '../../helpers/trainingRuns.js';

// The generated training code runs for real: sample rows, HPO, CV, ensemble, references, model.pkl + model_card.json.
// The slowest specs run in trainingHeavy.test.ts, so the two test workers share the training runs.
describeTrainingRuns(specs.map(([label]) => label).filter((label) => !HEAVY_TRAINING.includes(label)));

describe.skipIf(!hasStack)('the generated pytest suite trains its own model', () => {
  it.each([specs[1]!, specs[2]!])('%s: every layer passes and no test skips for want of a model', (_label, spec) => {
    const { root } = bundle(spec);
    // The performance layer's wall-clock budgets would measure this (shared, busy) machine: its tests are only
    // collected here; npm run bench measures the serving latency.
    const r = spawnSync(PYTHON, ['-m', 'pytest', '-q', '-rs', '-p', 'no:cacheprovider', 'tests/unit', 'tests/integration', 'tests/quality'], { cwd: join(root, 'ml'), encoding: 'utf8' });
    expect(r.status, r.stdout.slice(-4000) + r.stderr.slice(-2000)).toBe(0);
    const collected = spawnSync(PYTHON, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', '--collect-only', 'tests/performance'], { cwd: join(root, 'ml'), encoding: 'utf8' });
    expect(collected.status, collected.stdout + collected.stderr).toBe(0);
    expect(collected.stdout).toMatch(/test_single_row_predict_p99/);
    expect(r.stdout).toMatch(/test_training_run|passed/);
    expect(r.stdout).not.toMatch(/TEST_MODEL to a pickled model|could not import 'pandas'/);
    expect(r.stdout).not.toMatch(/no recorded direction/);
  }, 180_000);
});

describe.skipIf(!hasStack)('sample rows of a spec with many features', () => {
  it('carry the learnable signal in the first 12 model inputs only, so a sample-trained model can recover each direction the tests check', () => {
    const features = Array.from({ length: 40 }, (_, i) =>
      i === 1 ? { name: 'age_band', type: 'categorical' as const, categories: ['young', 'old'], protected: true } : { name: `num_${i}`, type: 'numeric' as const, min: 0, max: 100 },
    );
    const spec = resolveSpec({ name: 'wide-table', requirements: 'Predict churn from a wide table', data: { features } });
    const { root, pkg } = bundle(spec);
    const r = spawnSync(PYTHON, ['-c', `import json; from ${pkg}.sample_data import directions; print(json.dumps(directions()))`], { cwd: join(root, 'ml', 'src'), encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const directions = JSON.parse(r.stdout) as Record<string, number>;
    const informative = Object.entries(directions).filter(([, sign]) => sign !== 0).map(([name]) => name);
    // The protected attribute carries nothing and does not take one of the 12 places.
    expect(informative).toEqual(['num_0', ...Array.from({ length: 11 }, (_, i) => `num_${i + 2}`)]);
  });
});
