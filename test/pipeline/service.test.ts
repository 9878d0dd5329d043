import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PHASE_IDS } from '../../src/phases/graph.js';
import { PipelineService, phasesReading, withDescendants } from '../../src/pipeline/service.js';
import { Store } from '../../src/store/store.js';
import { tempDir } from '../helpers/tmp.js';

function service() {
  return new PipelineService(new Store(join(tempDir(), 's.db')));
}

describe('the pipeline service', () => {
  it('refuses to run a phase before its upstream and names the tool to call', async () => {
    const s = service();
    const { view } = s.create({ requirements: 'Predict churn for subscribers' }, 'test');
    await expect(s.runPhase(view.pipeline.id, 'data_scientist', { actor: 'test' })).rejects.toThrow(/needs the output of data_engineer.*Call the data_engineer tool first/);
  });

  it('records engine, spec revision, upstream run ids, timings and status of each run', async () => {
    const s = service();
    const { view } = s.create({ requirements: 'Predict churn for subscribers' }, 'test');
    const id = view.pipeline.id;
    const de = await s.runPhase(id, 'data_engineer', { actor: 'test' });
    const ds = await s.runPhase(id, 'data_scientist', { actor: 'test', notes: 'prefer interpretable models' });
    expect(de.run).toMatchObject({ engine: 'template', spec_revision: 1, status: 'succeeded', upstream_run_ids: {} });
    expect(ds.run.upstream_run_ids).toEqual({ data_engineer: de.run.id });
    expect(ds.run.duration_ms).toBeGreaterThanOrEqual(0);
    expect(ds.run.document).toContain('prefer interpretable models');
    expect(ds.artifacts.some((a) => a.path === 'docs/phases/02-data-scientist.md')).toBe(true);
  });

  it('runs the whole pipeline in order, then skips current phases', async () => {
    const s = service();
    const { view } = s.create({ requirements: 'Predict churn for subscribers' }, 'test');
    const first = await s.runPipeline(view.pipeline.id, { actor: 'test' });
    expect(first.ran).toEqual([...PHASE_IDS]);
    const second = await s.runPipeline(view.pipeline.id, { actor: 'test' });
    expect(second).toEqual({ ran: [], skipped: [...PHASE_IDS] });
    const forced = await s.runPipeline(view.pipeline.id, { actor: 'test', phases: ['python_pro'], force: true });
    expect(forced.ran).toEqual(['python_pro']);
  });

  it('marks every downstream run stale when a phase is re-run', async () => {
    const s = service();
    const { view } = s.create({ requirements: 'Predict churn for subscribers' }, 'test');
    const id = view.pipeline.id;
    await s.runPipeline(id, { actor: 'test' });
    const { staled } = await s.runPhase(id, 'ml_engineer', { actor: 'test' });
    expect(staled).toEqual(['python_pro', 'mlops_engineer', 'kubernetes_architect', 'observability_engineer']);
    const status = Object.fromEntries(s.view(id).phases.map((p) => [p.phase, p.status]));
    expect(status).toMatchObject({ data_engineer: 'succeeded', ml_engineer: 'succeeded', python_pro: 'stale', observability_engineer: 'stale' });
    await expect(s.runPhase(id, 'mlops_engineer', { actor: 'test' })).rejects.toThrow(/python_pro, which is stale/);
  });

  it('marks stale exactly the phases that read a changed spec field, plus their downstream', async () => {
    const s = service();
    const { view } = s.create({ requirements: 'Predict churn for subscribers' }, 'test');
    const id = view.pipeline.id;
    await s.runPipeline(id, { actor: 'test' });
    const r = s.update(id, { slo: { p99_latency_ms: 90 } }, 'test');
    expect(r.changed).toEqual(['slo.p99_latency_ms']);
    expect(r.staled).toEqual(withDescendants(phasesReading(['slo.p99_latency_ms'])));
    expect(r.staled).not.toContain('data_engineer');
    const all = s.update(id, { requirements: 'Predict churn for mobile subscribers' }, 'test');
    expect(all.staled.length + r.staled.length).toBeGreaterThanOrEqual(7);
  });

  it('treats a patch that changes nothing as no revision', () => {
    const s = service();
    const { view } = s.create({ requirements: 'Predict churn' }, 'test');
    expect(s.update(view.pipeline.id, { slo: { p99_latency_ms: 200 } }, 'test')).toMatchObject({ revision: 1, changed: [] });
  });

  it('refuses an update against an old revision', () => {
    const s = service();
    const { view } = s.create({ requirements: 'Predict churn' }, 'test');
    s.update(view.pipeline.id, { slo: { p99_latency_ms: 150 } }, 'a', 1);
    expect(() => s.update(view.pipeline.id, { slo: { p99_latency_ms: 120 } }, 'b', 1)).toThrow(/at revision 2, not 1/);
  });

  it('keeps a failed run visible and the previous successful output', async () => {
    const s = service();
    const { view } = s.create({ requirements: 'Predict churn' }, 'test');
    const id = view.pipeline.id;
    await s.runPhase(id, 'data_engineer', { actor: 'test' });
    await expect(s.runPhase(id, 'data_engineer', { actor: 'test', engine: 'sampling' })).rejects.toThrow(/sampling.*command line has no MCP client/);
    expect(s.view(id).phases[0]!.status).toBe('succeeded');
  });
});
