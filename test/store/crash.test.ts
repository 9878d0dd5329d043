import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PHASE_IDS } from '../../src/phases/graph.js';
import { Store } from '../../src/store/store.js';
import { call, stdioClient } from '../helpers/mcp.js';
import { uniforms } from '../helpers/random.js';
import { tempDir } from '../helpers/tmp.js';

// 4 lanes x 25 kills: 100 SIGKILLs, each followed by a server start (the bundled command starts in ~0.35 s;
// 100 kills take ~40 s alone on our 2-core machine).
const LANES = Number(process.env.CRASH_LANES ?? 4);
const KILLS_PER_LANE = Number(process.env.CRASH_KILLS ?? 25);

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * One database, killed again and again: a stdio server is started, updates and runs are sent to it back to back,
 * and SIGKILL lands at a random moment. After each kill the database is opened as a restarting server would.
 */
async function lane(dir: string, seed: number): Promise<{ kills: number; acked: number; interrupted: number }> {
  const db = join(dir, `lane-${seed}.db`);
  const exports = join(dir, `exports-${seed}`);
  const random = uniforms(seed, KILLS_PER_LANE * 3);
  const first = await stdioClient(db, exports);
  const id = (await call(first.client, 'create_pipeline', { requirements: 'Predict churn for subscribers' })).structuredContent!.pipeline_id as string;
  await first.close();
  let latency = 200;
  let acked = 0;
  let interrupted = 0;
  for (let k = 0; k < KILLS_PER_LANE; k++) {
    const server = await stdioClient(db, exports);
    // Requests back to back until the kill: every answered update is an acknowledged change that must survive.
    const work = (async () => {
      for (let n = 0; ; n++) {
        if (n % 2 === 0) {
          const wanted = latency + 1;
          const r = await call(server.client, 'update_pipeline', { pipeline_id: id, patch: { slo: { p99_latency_ms: wanted } } });
          if (!r.isError) {
            latency = wanted;
            acked++;
          }
        } else {
          const phase = PHASE_IDS[Math.floor(random[3 * k + 2]! * PHASE_IDS.length)]!;
          await call(server.client, 'run_pipeline', { pipeline_id: id, phases: [phase], force: true });
        }
      }
    })().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 30 + random[3 * k]! * 400));
    process.kill(server.pid, 'SIGKILL');
    await work;
    await server.close().catch(() => undefined);
    while (alive(server.pid)) await new Promise((r) => setTimeout(r, 5));

    const store = new Store(db);
    try {
      expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
      interrupted += store.recoverInterruptedRuns(alive);
      expect(store.db.prepare(`SELECT COUNT(*) AS n FROM phase_runs WHERE status = 'running'`).get()).toEqual({ n: 0 });
      // No acknowledged change is lost: the spec holds the last latency a response confirmed (or a later write
      // whose response the kill cut off).
      const spec = store.getRevision(id)!.spec;
      expect(spec.slo.p99_latency_ms).toBeGreaterThanOrEqual(latency);
      latency = spec.slo.p99_latency_ms;
      // Each acknowledged update is a revision of its own (a kill may add one more whose answer was lost).
      expect(store.listRevisions(id).length).toBeGreaterThanOrEqual(1 + acked);
      const failed = store.db.prepare(`SELECT error FROM phase_runs WHERE status = 'failed'`).all() as { error: string }[];
      for (const f of failed) expect(f.error).toMatch(/interrupted: the process running this phase stopped/);
    } finally {
      store.close();
    }
  }
  // Afterwards the pipeline runs to the end as if nothing had happened.
  const last = await stdioClient(db, exports);
  const ran = await call(last.client, 'run_pipeline', { pipeline_id: id });
  expect(ran.isError).toBeFalsy();
  const phases = (await call(last.client, 'get_pipeline', { pipeline_id: id })).structuredContent!.phases as { status: string }[];
  expect(phases.map((p) => p.status)).toEqual(PHASE_IDS.map(() => 'succeeded'));
  await last.close();
  return { kills: KILLS_PER_LANE, acked, interrupted };
}

describe('crash safety', () => {
  it(`survives ${LANES * KILLS_PER_LANE} SIGKILLs during run_pipeline and update_pipeline: database intact, no acknowledged change lost, no run left running`, async () => {
    const dir = tempDir();
    const results = await Promise.all(Array.from({ length: LANES }, (_, i) => lane(dir, 101 + i)));
    const total = results.reduce((a, r) => ({ kills: a.kills + r.kills, acked: a.acked + r.acked, interrupted: a.interrupted + r.interrupted }), { kills: 0, acked: 0, interrupted: 0 });
    console.log(`crash: ${total.kills} kills, ${total.acked} acknowledged updates kept, ${total.interrupted} interrupted runs marked failed`);
    expect(total.kills).toBe(LANES * KILLS_PER_LANE);
    // The kills must land mid-work for this to mean anything.
    expect(total.interrupted).toBeGreaterThan(total.kills / 4);
    expect(total.acked).toBeGreaterThan(total.kills / 2);
  }, 600_000);
});
