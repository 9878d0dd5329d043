import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EngineSettings } from '../../src/engines/index.js';
import { PipelineService } from '../../src/pipeline/service.js';
import { Store } from '../../src/store/store.js';
import { fakeAnthropic } from '../helpers/fakeAnthropic.js';
import { MALFORMED, goodAnswer } from '../helpers/modelAnswers.js';
import { tempDir } from '../helpers/tmp.js';

const REQUIREMENTS = 'Detect fraudulent card payments in real time from our Postgres ledger, p99 under 100 ms at 500 rps';
let fake: Awaited<ReturnType<typeof fakeAnthropic>>;
beforeAll(async () => {
  fake = await fakeAnthropic();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

function service(overrides: Partial<EngineSettings> = {}, anthropic: Partial<EngineSettings['anthropic']> = {}) {
  const settings: EngineSettings = {
    defaultEngine: 'template',
    model: 'claude-sonnet-4-6',
    maxTokens: 2000,
    timeoutMs: 5000,
    ...overrides,
    anthropic: { apiKey: 'test-key', baseURL: fake.url, maxRetries: 2, ...anthropic },
  };
  const s = new PipelineService(new Store(join(tempDir(), 'a.db')), settings);
  const { view } = s.create({ requirements: REQUIREMENTS }, 'test');
  return { s, id: view.pipeline.id, spec: view.spec };
}

const run = (s: PipelineService, id: string, extra: { onText?: (d: string) => void } = {}) =>
  s.runPhase(id, 'data_engineer', { actor: 'test', engine: 'anthropic', session: { channel: 'mcp', ...extra } });

describe('the anthropic engine, against a local server that speaks the Messages API', () => {
  it("adds the model's review to the document, records model, prompt version, tokens and cost, and stores the proposals unapplied", async () => {
    const { s, id, spec } = service();
    fake.script({ kind: 'message', text: goodAnswer(spec), usage: { input_tokens: 1200, output_tokens: 300 } });
    const { run: r } = await run(s, id);
    expect(r).toMatchObject({ engine: 'anthropic', model: 'claude-sonnet-4-6', engine_note: null, prompt_version: expect.stringMatching(/^data_engineer@1\+[0-9a-f]{12}$/) });
    expect(r.usage).toMatchObject({ requests: 1, input_tokens: 1200, output_tokens: 300, cost_usd: 0.0081 });
    expect(r.document).toMatch(/## Model review[\s\S]*### Review of data\\_engineer[\s\S]*- \\<b\\>late\\<\/b\\> data/);
    expect(r.document).toContain(`**\`${r.id}.1\`: Tighten the latency objective.**`);
    expect(s.suggestions(id, 'open')).toEqual([expect.objectContaining({ id: `${r.id}.1`, patch: { slo: { p99_latency_ms: 90 } }, status: 'open' })]);
    expect(s.view(id).spec.slo.p99_latency_ms).toBe(100);
    const [request] = fake.requests;
    expect(request!.headers.authorization ?? request!.headers['x-api-key']).toMatch(/^(Bearer )?test-key$/);
    expect(request!.body).toMatchObject({ model: 'claude-sonnet-4-6', max_tokens: 2000 });
    expect(request!.body.stream).toBeFalsy();
    expect(request!.body.system).toMatch(/^You are one of seven specialist agents/);
    expect(request!.body.messages[0]!.content).toContain(`<requirements>\n${REQUIREMENTS}\n</requirements>`);
  });

  it('streams when the caller wants progress, and hands every piece of text to it', async () => {
    const { s, id, spec } = service();
    const answer = goodAnswer(spec);
    fake.script({ kind: 'message', text: answer });
    const pieces: string[] = [];
    const { run: r } = await run(s, id, { onText: (d) => pieces.push(d) });
    expect(fake.requests[0]!.body.stream).toBe(true);
    expect(pieces.join('')).toBe(answer);
    expect(pieces.length).toBeGreaterThan(1);
    expect(r.usage).toMatchObject({ input_tokens: 1200, output_tokens: 300 });
  });

  it('retries a 429 with backoff and succeeds', async () => {
    const { s, id, spec } = service();
    fake.script({ kind: 'status', status: 429 }, { kind: 'message', text: goodAnswer(spec) });
    const { run: r } = await run(s, id);
    expect(fake.requests).toHaveLength(2);
    expect(r.engine_note).toBeNull();
    expect(r.model).toBe('claude-sonnet-4-6');
  });

  it('falls back to the template document, with a note, after 5xx on every attempt; the run and its files stand', async () => {
    const { s, id } = service();
    fake.script({ kind: 'status', status: 500 }, { kind: 'status', status: 503 }, { kind: 'status', status: 500 });
    const { run: r, artifacts } = await run(s, id);
    expect(fake.requests).toHaveLength(3);
    expect(r.status).toBe('succeeded');
    expect(r.engine_note).toMatch(/^The Anthropic API answered 500 after 3 attempts/);
    expect(r.document).toMatch(/No model review in this run\.\*\* The Anthropic API answered 500 after 3 attempts/);
    expect(artifacts.length).toBeGreaterThan(5);
  });

  it('falls back when the API sends a malformed body', async () => {
    const { s, id } = service({}, { maxRetries: 0 });
    fake.script({ kind: 'raw', body: '{"id": "msg_1", "content": [' });
    const { run: r } = await run(s, id);
    expect(r.engine_note).toMatch(/could not be reached or answered malformed data/);
  });

  it('asks once more with the validation error when the text is not the JSON asked for, then uses the second answer', async () => {
    const { s, id, spec } = service();
    fake.script({ kind: 'message', text: MALFORMED }, { kind: 'message', text: goodAnswer(spec) });
    const { run: r } = await run(s, id);
    expect(fake.requests).toHaveLength(2);
    const retry = fake.requests[1]!.body.messages;
    expect(retry.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(retry[1]!.content).toBe(MALFORMED);
    expect(retry[2]!.content).toMatch(/could not be used: the reply is not a JSON object/);
    expect(r.engine_note).toBeNull();
    expect(r.usage).toMatchObject({ requests: 2, input_tokens: 2400, output_tokens: 600 });
    expect((r.advice as { attempts: number; note: string }).attempts).toBe(2);
  });

  it('falls back after two unusable answers', async () => {
    const { s, id } = service();
    fake.script({ kind: 'message', text: MALFORMED }, { kind: 'message', text: '{"narrative": ""}' });
    const { run: r } = await run(s, id);
    expect(r.engine_note).toMatch(/unusable twice; the second time: the JSON does not match the answer format/);
    expect(s.suggestions(id)).toEqual([]);
  });

  it('falls back when the model refuses', async () => {
    const { s, id } = service();
    fake.script({ kind: 'message', text: '', stopReason: 'refusal' });
    const { run: r } = await run(s, id);
    expect(r.engine_note).toBe('The model (claude-sonnet-4-6) declined to review this phase.');
  });

  it('gives up at the time limit when the API is slow, the time of a first, unusable answer included', async () => {
    const { s, id } = service({ timeoutMs: 600 });
    fake.script({ kind: 'message', text: MALFORMED }, { kind: 'hang' });
    const started = Date.now();
    const { run: r } = await run(s, id);
    expect(Date.now() - started).toBeLessThan(4000);
    expect(fake.requests).toHaveLength(2);
    expect(r.engine_note).toMatch(/no answer within the time limit of 600 ms \(attempt 2\)/);
    expect(r.usage).toMatchObject({ requests: 1, input_tokens: 1200 });
  });

  it('ends the run failed, not with a fallback, when the caller cancels while the model works', async () => {
    const { s, id } = service();
    fake.script({ kind: 'hang' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    await expect(s.runPhase(id, 'data_engineer', { actor: 'test', engine: 'anthropic', session: { channel: 'mcp', signal: controller.signal } })).rejects.toThrow(/cancelled by the client/);
    expect(s.view(id).phases[0]).toMatchObject({ status: 'failed' });
  });

  it('is refused up front, with what to do, when the server has no API key', async () => {
    const { s, id } = service({}, { apiKey: undefined });
    await expect(run(s, id)).rejects.toThrow(/"anthropic" engine needs an API key: start the server with ANTHROPIC_API_KEY/);
    expect(s.view(id).phases[0]!.status).toBe('not_run');
  });
});
