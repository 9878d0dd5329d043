import { join } from 'node:path';
import type { CreateMessageResult } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ENGINE_SETTINGS, type EngineSession } from '../../src/engines/index.js';
import { PipelineService } from '../../src/pipeline/service.js';
import { Store } from '../../src/store/store.js';
import { goodAnswer } from '../helpers/modelAnswers.js';
import { tempDir } from '../helpers/tmp.js';

function setup() {
  const s = new PipelineService(new Store(join(tempDir(), 'g.db')), DEFAULT_ENGINE_SETTINGS);
  const { view } = s.create({ requirements: 'Predict churn for subscribers, p99 under 200 ms' }, 'test');
  return { s, id: view.pipeline.id };
}

/** A client model answering with a proposal to lower p99 by 10 ms from what the spec says when asked. */
function sampling(s: PipelineService, id: string, before?: () => void): EngineSession {
  return {
    channel: 'mcp',
    async createMessage(): Promise<CreateMessageResult> {
      const answer = goodAnswer(s.view(id).spec);
      before?.();
      return { role: 'assistant', model: 'client-model', content: { type: 'text', text: answer } };
    },
  };
}

describe('proposed spec changes', () => {
  it('are superseded by the next model review of their phase, and a superseded one cannot be applied', async () => {
    const { s, id } = setup();
    const first = await s.runPhase(id, 'data_engineer', { actor: 'test', engine: 'sampling', session: sampling(s, id) });
    const second = await s.runPhase(id, 'data_engineer', { actor: 'test', engine: 'sampling', session: sampling(s, id) });
    expect(s.suggestions(id).map((x) => [x.id, x.status])).toEqual([
      [`${first.run.id}.1`, 'superseded'],
      [`${second.run.id}.1`, 'open'],
    ]);
    expect(() => s.resolveSuggestions(id, [`${first.run.id}.1`], 'apply', 'test')).toThrow(/was superseded by a later run of data_engineer.*Open suggestions: run_/);
    // A run without a model review (template) proposes nothing new, so the open proposals stay.
    await s.runPhase(id, 'data_engineer', { actor: 'test', engine: 'template' });
    expect(s.suggestions(id, 'open').map((x) => x.id)).toEqual([`${second.run.id}.1`]);
  });

  it('are refused once a later revision changed what they touch, so an old proposal never undoes a newer edit', async () => {
    const { s, id } = setup();
    const { run } = await s.runPhase(id, 'data_engineer', { actor: 'test', engine: 'sampling', session: sampling(s, id) });
    s.update(id, { slo: { p99_latency_ms: 150 } }, 'teammate');
    expect(() => s.resolveSuggestions(id, [`${run.id}.1`], 'apply', 'test')).toThrow(
      /was proposed against spec revision 1, and slo.p99_latency_ms \(revision 2\) changed since\. Re-run data_engineer/,
    );
    expect(s.view(id).spec.slo.p99_latency_ms).toBe(150);
    s.resolveSuggestions(id, [`${run.id}.1`], 'dismiss', 'test');
    expect(s.suggestions(id)).toEqual([expect.objectContaining({ status: 'dismissed', resolved_by: 'test', resolved_revision: 2 })]);
  });

  it('apply in the order given as one revision, and a proposal the spec already holds is closed without one', async () => {
    const { s, id } = setup();
    const { run } = await s.runPhase(id, 'data_engineer', { actor: 'test', engine: 'sampling', session: sampling(s, id) });
    const target = s.view(id).spec.slo.p99_latency_ms - 10;
    s.update(id, { scale: { peak_rps: 900 } }, 'teammate');
    const applied = s.resolveSuggestions(id, [`${run.id}.1`], 'apply', 'test', 2);
    expect(applied).toMatchObject({ revision: 3, changed: ['slo.p99_latency_ms'] });
    expect(s.view(id).spec).toMatchObject({ slo: { p99_latency_ms: target }, scale: { peak_rps: 900 } });
    expect(s.store.getRevision(id)!.patch).toEqual({ slo: { p99_latency_ms: target } });
  });
});

describe('a run whose inputs change while its model is still reviewing', () => {
  it('finishes stale, not current, when the spec changes meanwhile', async () => {
    const { s, id } = setup();
    const { run } = await s.runPhase(id, 'data_engineer', {
      actor: 'test',
      engine: 'sampling',
      session: sampling(s, id, () => s.update(id, { data: { versioning: 'lakefs' } }, 'teammate')),
    });
    expect(run.status).toBe('succeeded');
    expect(run.stale_reason).toMatch(/spec revision 2 changed data.versioning/);
    expect(s.view(id).phases[0]!.status).toBe('stale');
  });

  it('finishes stale when an upstream phase is re-run meanwhile', async () => {
    const { s, id } = setup();
    await s.runPhase(id, 'data_engineer', { actor: 'test' });
    let upstream = '';
    const { run } = await s.runPhase(id, 'data_scientist', {
      actor: 'test',
      engine: 'sampling',
      session: sampling(s, id, () => void s.runPhase(id, 'data_engineer', { actor: 'teammate' }).then((r) => (upstream = r.run.id))),
    });
    expect(upstream).not.toBe('');
    expect(run.stale_reason).toBe(`upstream data_engineer was re-run (${upstream})`);
  });
});

describe('a default engine that cannot run on this channel', () => {
  it('gives way to the template engine with a note; named in the call, it is an error', async () => {
    const { s, id } = setup();
    s.update(id, { engine: 'sampling' }, 'test');
    const { run } = await s.runPhase(id, 'data_engineer', { actor: 'web:Ann', session: { channel: 'web' } });
    expect(run).toMatchObject({ engine: 'template', model: null });
    expect(run.engine_note).toMatch(/^the pipeline's engine, "sampling", cannot run here, so the template engine ran: .*from the web UI has no MCP client/);
    await expect(s.runPhase(id, 'data_engineer', { actor: 'web:Ann', engine: 'sampling', session: { channel: 'web' } })).rejects.toThrow(/no MCP client to ask/);
  });
});
