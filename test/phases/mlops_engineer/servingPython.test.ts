import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requestFields } from '../../../src/phases/mlops_engineer/python/schema.js';
import { badInputs } from '../../../src/phases/mlops_engineer/python/tests.js';
import { runAllPhases } from '../../../src/pipeline/runPhases.js';
import type { ResolvedSpec } from '../../../src/spec/resolve.js';
import { PYTHON, withSpec, writeArtifacts } from '../../helpers/phaseHarness.js';
import { defaultSpec, richSpec, withPatch } from '../../helpers/specs.js';

const SERVING = 'ml/src/detect_fraudulent_card_payments/serving';

function servingFiles(spec: ResolvedSpec): string[] {
  return runAllPhases(spec)
    .artifacts.filter((a) => a.path.includes('/serving/'))
    .map((a) => a.path.slice(a.path.lastIndexOf('/') + 1))
    .sort();
}

/** Generates the project and runs its tests/serving with /usr/bin/python3; returns pytest's summary line. */
function runServingTests(spec: ResolvedSpec): { status: number | null; summary: string; output: string } {
  const dir = writeArtifacts(runAllPhases(spec).artifacts.filter((a) => a.path.startsWith('ml/')));
  const r = spawnSync(PYTHON, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', '-rs', 'tests/serving'], { cwd: join(dir, 'ml'), encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
  const output = `${r.stdout}${r.stderr}`;
  return { status: r.status, summary: output.trim().split('\n').at(-1) ?? '', output };
}

describe('serving request schema: derived from the declared features', () => {
  it('maps each feature type, range, category list and nullability to a pydantic field', () => {
    const fields = requestFields(defaultSpec());
    const byColumn = Object.fromEntries(fields.map((f) => [f.column, f]));
    expect(byColumn.amount).toMatchObject({ attribute: 'feature_amount', pyType: 'float', required: true, ge: 0, le: 100000 });
    expect(byColumn.account_age_days).toMatchObject({ pyType: 'conint(strict=True, ge=0, le=20000)', required: true, ge: null });
    expect(byColumn.events_last_24h).toMatchObject({ required: false });
    expect(byColumn.channel).toMatchObject({ pyType: 'Literal["web", "mobile", "store"]' });
    expect(byColumn.is_returning).toMatchObject({ pyType: 'StrictBool' });
  });

  it('accepts protected attributes but never requires them or feeds them to the model', () => {
    const region = requestFields(richSpec()).find((f) => f.column === 'store_region')!;
    expect(region).toMatchObject({ required: false, modelInput: false });
  });

  it('quotes hostile category values as Python literals', () => {
    const spec = withSpec(defaultSpec(), (s) => {
      s.data.features = [{ name: 'kind', type: 'categorical', nullable: false, protected: false, categories: ['a"b', "c'd\\"], source: s.data.sources[0]!.name }];
    });
    expect(requestFields(spec)[0]!.pyType).toBe(String.raw`Literal["a\"b", "c'd\\"]`);
  });

  it('picks invalid inputs only for the checks the features declare', () => {
    expect(badInputs(defaultSpec()).map((b) => b[0])).toEqual(['wrong type', 'out of range', 'unknown category', 'missing required feature']);
    const textOnly = withSpec(defaultSpec(), (s) => {
      s.data.features = [{ name: 'note', type: 'text', nullable: true, protected: false, source: s.data.sources[0]!.name }];
    });
    expect(badInputs(textOnly)).toEqual([]);
  });
});

describe('serving code per deployment_mode', () => {
  it('realtime: the model server only; batch: the batch job only; streaming: server and consumer; hybrid: server and batch job', () => {
    const mode = (m: string) => servingFiles(withPatch(defaultSpec(), { options: { deployment_mode: m } }));
    const common = ['__init__.py', 'model.py', 'oip.py', 'schema.py', 'serving_stand_in.py', 'test_serving_schema.py'];
    expect(mode('realtime')).toEqual([...common, 'app.py', 'test_serving_app.py'].sort());
    expect(mode('batch')).toEqual([...common, 'batch_score.py', 'test_serving_batch.py'].sort());
    expect(mode('streaming')).toEqual([...common, 'app.py', 'stream_consumer.py', 'test_serving_app.py', 'test_serving_stream.py'].sort());
    expect(mode('hybrid')).toEqual([...common, 'app.py', 'batch_score.py', 'test_serving_app.py', 'test_serving_batch.py'].sort());
  });

  it('the modules are the ones the manifests run', () => {
    const out = runAllPhases(withPatch(defaultSpec(), { options: { deployment_mode: 'hybrid' } }));
    const serving = out.artifacts.find((a) => a.path === 'deploy/k8s/base/serving.yaml')!.content;
    expect(serving).toContain('detect_fraudulent_card_payments.serving.batch_score');
    expect(out.artifacts.some((a) => a.path === `${SERVING}/batch_score.py`)).toBe(true);
  });

  it('the stream consumer reads the platform of the stream source (kinesis when the spec has one)', () => {
    const kinesis = withPatch(richSpec(), { options: { deployment_mode: 'streaming' } });
    const consumer = runAllPhases(kinesis).artifacts.find((a) => a.path.endsWith('/serving/stream_consumer.py'))!.content;
    expect(consumer).toContain('SOURCE_KIND: str = "kinesis"');
    const kafka = runAllPhases(withPatch(defaultSpec(), { options: { deployment_mode: 'streaming' } })).artifacts.find((a) => a.path.endsWith('/serving/stream_consumer.py'))!.content;
    expect(kafka).toContain('SOURCE_KIND: str = "kafka"');
  });
});

describe('the generated serving tests pass with /usr/bin/python3', () => {
  it.each([
    ['default (binary classification, realtime)', defaultSpec(), 28],
    ['forecasting, batch', withPatch(richSpec(), { options: { deployment_mode: 'batch' } }), 10],
    ['multiclass, streaming', withPatch(defaultSpec(), { problem: { type: 'multiclass_classification' }, options: { deployment_mode: 'streaming' } }), 37],
  ])('%s', (_what, spec, expected) => {
    const r = runServingTests(spec);
    expect(r.status, r.output).toBe(0);
    expect(r.summary).toMatch(new RegExp(`^${expected} passed in `));
  }, 120_000);
});
