import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ENGINE_SETTINGS, type EngineSession } from '../../src/engines/index.js';
import { PHASE_IDS } from '../../src/phases/graph.js';
import { PipelineService } from '../../src/pipeline/service.js';
import { Store } from '../../src/store/store.js';
import { fakeAnthropic } from '../helpers/fakeAnthropic.js';
import { goodAnswer } from '../helpers/modelAnswers.js';
import { tempDir } from '../helpers/tmp.js';

const REQUIREMENTS = 'Detect fraudulent card payments in real time from our Postgres ledger, p99 under 100 ms at 500 rps';
let fake: Awaited<ReturnType<typeof fakeAnthropic>>;
beforeAll(async () => {
  fake = await fakeAnthropic();
});
afterAll(() => fake.close());

/** All seven phases of the same spec with one engine; returns the service and the pipeline id. */
async function designWith(engine: 'template' | 'sampling' | 'anthropic') {
  const s = new PipelineService(new Store(join(tempDir(), `${engine}.db`)), {
    ...DEFAULT_ENGINE_SETTINGS,
    model: 'claude-haiku-4-5',
    anthropic: { apiKey: 'k', baseURL: fake.url, maxRetries: 0 },
  });
  const { view } = s.create({ requirements: REQUIREMENTS, spec: { options: { serving_platform: 'seldon', cloud_provider: 'gcp' } } }, 'test');
  const session: EngineSession = {
    channel: 'mcp',
    createMessage: async () => ({ role: 'assistant', model: 'client-model', content: { type: 'text', text: goodAnswer(view.spec) } }),
  };
  if (engine === 'anthropic') fake.script(...PHASE_IDS.map((p) => ({ kind: 'message' as const, text: goodAnswer(view.spec, p) })));
  await s.runPipeline(view.pipeline.id, { actor: 'test', engine, session });
  return { s, id: view.pipeline.id };
}

describe('determinism whatever the engine', () => {
  it('gives the same files and decisions with template, sampling and anthropic; only the documents gain a review', async () => {
    const runs = [await designWith('template'), await designWith('sampling'), await designWith('anthropic')];
    const files = ({ s, id }: (typeof runs)[number]) =>
      s
        .artifacts(id)
        .filter((a) => !a.path.startsWith('docs/phases/'))
        .map((a) => [a.path, a.sha256]);
    const [template, sampling, anthropic] = runs.map(files);
    expect(template!.length).toBeGreaterThan(150);
    expect(sampling).toEqual(template);
    expect(anthropic).toEqual(template);
    const views = runs.map(({ s, id }) => s.view(id, true));
    for (const [i, phase] of PHASE_IDS.entries()) {
      const [t, ...llm] = views.map((v) => v.phases[i]!.current!);
      expect(t!.engine).toBe('template');
      for (const l of llm) {
        expect(l.engine_note, phase).toBeNull();
        expect(l.decisions, phase).toEqual(t!.decisions);
        expect(l.document!.startsWith(t!.document!.trimEnd()), phase).toBe(true);
        expect(l.document!.slice(t!.document!.trimEnd().length), phase).toMatch(/^\n\n## Model review\n/);
      }
    }
    expect(views.map((v) => v.phases.map((p) => p.current!.engine))).toEqual([PHASE_IDS.map(() => 'template'), PHASE_IDS.map(() => 'sampling'), PHASE_IDS.map(() => 'anthropic')]);
  });
});
