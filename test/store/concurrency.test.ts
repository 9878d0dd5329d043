import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../../src/store/store.js';
import { call, stdioClient, text } from '../helpers/mcp.js';
import { tempDir } from '../helpers/tmp.js';
import { apiRequest, webServer } from '../helpers/web.js';

const ROUNDS = 60;

describe('two server processes and the web UI writing one database under load', () => {
  it('never shows SQLITE_BUSY, loses no update (a stale revision gets a clear conflict), and keeps event ids gap-free', async () => {
    const dir = tempDir();
    const web = await webServer({ dir });
    const db = web.dbPath;
    const [a, b] = await Promise.all([stdioClient(db, join(dir, 'ea')), stdioClient(db, join(dir, 'eb'))]);
    try {
      const id = (await call(a.client, 'create_pipeline', { requirements: 'Predict churn for subscribers' })).structuredContent!.pipeline_id as string;
      const outcomes = { applied: 0, conflicts: 0, other: [] as string[] };
      // Each writer reads the revision, then changes the spec at that revision: every applied change must be kept.
      const mcpWriter = async (client: typeof a.client, field: 'p99_latency_ms' | 'availability_pct', values: (i: number) => number) => {
        for (let i = 0; i < ROUNDS; i++) {
          const got = await call(client, 'get_pipeline', { pipeline_id: id });
          const revision = got.structuredContent!.revision as number;
          const r = await call(client, 'update_pipeline', { pipeline_id: id, expected_revision: revision, patch: { slo: { [field]: values(i) } } });
          // A value the spec already holds changes nothing and makes no revision.
          if (!r.isError) outcomes.applied += (r.structuredContent!.changed_paths as string[]).length > 0 ? 1 : 0;
          else if (/is at revision \d+, not \d+: someone changed it meanwhile/.test(text(r))) outcomes.conflicts++;
          else outcomes.other.push(text(r));
          if (i % 10 === 0) await call(client, 'run_pipeline', { pipeline_id: id, phases: ['data_engineer'], force: true });
        }
      };
      const webWriter = async () => {
        for (let i = 0; i < ROUNDS; i++) {
          const got = (await apiRequest(web, 'GET', `/api/pipelines/${id}`)).json<{ revision: number }>();
          const r = await apiRequest(web, 'PATCH', `/api/pipelines/${id}/spec`, { user: 'Ann', body: { expected_revision: got.revision, patch: { scale: { peak_rps: 100 + i } } } });
          if (r.status === 200) outcomes.applied += r.json<{ changed: string[] }>().changed.length > 0 ? 1 : 0;
          else if (r.status === 409) outcomes.conflicts++;
          else outcomes.other.push(`${r.status} ${r.body.toString()}`);
          const c = await apiRequest(web, 'POST', `/api/pipelines/${id}/comments`, { user: 'Ann', body: { body: `note ${i}` } });
          if (c.status !== 201) outcomes.other.push(`${c.status} ${c.body.toString()}`);
        }
      };
      await Promise.all([mcpWriter(a.client, 'p99_latency_ms', (i) => 100 + i), mcpWriter(b.client, 'availability_pct', (i) => 99 + (i % 9) / 10), webWriter()]);

      console.log(`concurrency: ${outcomes.applied} changes applied, ${outcomes.conflicts} refused as conflicts`);
      expect(outcomes.other).toEqual([]);
      expect(outcomes.applied).toBeGreaterThan(ROUNDS);
      // The writers really did collide: otherwise this would prove nothing about lost updates.
      expect(outcomes.conflicts).toBeGreaterThan(0);
      const store = new Store(db);
      try {
        // Every applied change is one revision: nothing was written over.
        expect(store.listRevisions(id)).toHaveLength(outcomes.applied + 1);
        const ids = (store.db.prepare('SELECT id FROM events ORDER BY id').all() as { id: number }[]).map((r) => r.id);
        expect(ids).toEqual(ids.map((_, i) => ids[0]! + i));
        expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
      } finally {
        store.close();
      }
      for (const s of [a, b]) expect(s.stderr()).not.toMatch(/SQLITE_BUSY|database is locked/);
    } finally {
      await Promise.all([a.close(), b.close()]);
      await web.close();
    }
  }, 180_000);
});
