import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { openDatabase } from '../../src/store/database.js';
import { Store } from '../../src/store/store.js';
import { defaultSpec } from '../helpers/specs.js';
import { tempDir } from '../helpers/tmp.js';

function runChild(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../helpers/storeWriter.ts'), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => (code === 0 ? resolve(code) : reject(new Error(`child exited ${code}: ${err}`))));
  });
}

describe('the store', () => {
  it('applies the migrations once and records the schema version', () => {
    const path = join(tempDir(), 'a.db');
    openDatabase(path).close();
    const db = openDatabase(path);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)!.version);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    expect(tables).toEqual(expect.arrayContaining(['pipelines', 'spec_revisions', 'phase_runs', 'artifacts', 'events']));
    db.close();
  });

  it('upgrades a database of the first schema in place: its pipelines gain comments, reviews and verdicts', () => {
    const path = join(tempDir(), 'v1.db');
    const old = new Store(openDatabase(path, MIGRATIONS.filter((m) => m.version === 1)));
    const p = old.createPipeline(defaultSpec(), 'test');
    old.close();
    const store = new Store(path);
    expect(store.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)!.version);
    const comment = store.addComment({ pipeline_id: p.id, phase: null, artifact_path: null, line: null, run_id: null, author: 'web:Ann', body: 'still here' });
    expect(store.comments(p.id)).toEqual([comment]);
    expect(store.eventsSince(0, p.id).map((e) => e.type)).toEqual(['pipeline.created', 'comment.added']);
    store.close();
  });

  it('runs in WAL mode with synchronous FULL and a busy timeout, set explicitly', () => {
    const db = openDatabase(join(tempDir(), 'b.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(db.pragma('busy_timeout', { simple: true })).toBe(10000);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
  });

  it('refuses to open a database written by a newer version', () => {
    const path = join(tempDir(), 'c.db');
    const raw = new Database(path);
    raw.pragma('user_version = 999');
    raw.close();
    expect(() => openDatabase(path)).toThrow(/newer than this mlops-mcp/);
  });

  it('keeps the event log append-only', () => {
    const store = new Store(join(tempDir(), 'd.db'));
    const p = store.createPipeline(defaultSpec(), 'test');
    expect(() => store.db.prepare('DELETE FROM events').run()).toThrow(/append-only/);
    expect(() => store.db.prepare("UPDATE events SET type = 'x'").run()).toThrow(/append-only/);
    expect(store.eventsSince(0, p.id).map((e) => e.type)).toEqual(['pipeline.created']);
    store.close();
  });

  it('writes a pipeline, its first revision and its event in one transaction', () => {
    const store = new Store(join(tempDir(), 'e.db'));
    store.db.exec(`CREATE TRIGGER fail_event BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'boom'); END;`);
    expect(() => store.createPipeline(defaultSpec(), 'test')).toThrow(/boom/);
    expect(store.listPipelines(10, 0).total).toBe(0);
    expect(store.db.prepare('SELECT COUNT(*) AS n FROM spec_revisions').get()).toEqual({ n: 0 });
    store.close();
  });

  it('completes a run with its artifacts atomically: a failing artifact insert leaves the run running and no files', () => {
    const store = new Store(join(tempDir(), 'f.db'));
    const p = store.createPipeline(defaultSpec(), 'test');
    const run = store.startRun({ pipelineId: p.id, phase: 'data_engineer', engine: 'template', specRevision: 1, upstreamRunIds: {}, actor: 'test' });
    const dup = { path: 'a.txt', kind: 'text' as const, phase: 'data_engineer', content: 'x\n' };
    expect(() =>
      store.completeRun({ runId: run.id, document: '# d', decisions: {}, artifacts: [dup, dup], durationMs: 1, stale: { phases: [], reason: '' }, actor: 'test' }),
    ).toThrow(/UNIQUE/);
    expect(store.getRun(run.id)!.status).toBe('running');
    expect(store.runArtifacts(run.id)).toEqual([]);
    store.close();
  });

  it('detects a conflicting concurrent update through the expected revision', () => {
    const store = new Store(join(tempDir(), 'g.db'));
    const p = store.createPipeline(defaultSpec(), 'test');
    const spec = defaultSpec();
    const ok = store.addRevision({ pipelineId: p.id, spec, patch: {}, changedPaths: ['x'], actor: 'a', expectedRevision: 1, stale: { phases: [], reason: '' } });
    expect(ok).toEqual({ revision: 2, staled: [] });
    const conflict = store.addRevision({ pipelineId: p.id, spec, patch: {}, changedPaths: ['x'], actor: 'b', expectedRevision: 1, stale: { phases: [], reason: '' } });
    expect(conflict).toEqual({ conflict: 2 });
    store.close();
  });

  it('marks runs of dead processes failed on start-up and leaves live ones alone', () => {
    const store = new Store(join(tempDir(), 'h.db'));
    const p = store.createPipeline(defaultSpec(), 'test');
    const dead = store.startRun({ pipelineId: p.id, phase: 'data_engineer', engine: 'template', specRevision: 1, upstreamRunIds: {}, actor: 'test' });
    const live = store.startRun({ pipelineId: p.id, phase: 'data_scientist', engine: 'template', specRevision: 1, upstreamRunIds: {}, actor: 'test' });
    store.db.prepare('UPDATE phase_runs SET owner_pid = ? WHERE id = ?').run(999_999_999, dead.id);
    store.db.prepare('UPDATE phase_runs SET owner_pid = ? WHERE id = ?').run(1, live.id);
    expect(store.recoverInterruptedRuns((pid) => pid === 1)).toBe(1);
    expect(store.getRun(dead.id)!.status).toBe('failed');
    expect(store.getRun(dead.id)!.error).toMatch(/interrupted/);
    expect(store.getRun(live.id)!.status).toBe('running');
    store.close();
  });

  it('lets two processes write the same database file side by side', async () => {
    const path = join(tempDir(), 'shared.db');
    const store = new Store(path);
    const p = store.createPipeline(defaultSpec(), 'test');
    await Promise.all([runChild([path, p.id, '40', 'proc-a']), runChild([path, p.id, '40', 'proc-b'])]);
    const revisions = store.listRevisions(p.id);
    expect(revisions).toHaveLength(81);
    expect(revisions.map((r) => r.revision)).toEqual(Array.from({ length: 81 }, (_, i) => i + 1));
    const events = store.eventsSince(0, p.id);
    expect(events.filter((e) => e.type === 'test.tick')).toHaveLength(80);
    const ids = events.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    store.close();
  });
});
