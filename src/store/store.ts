import { randomUUID } from 'node:crypto';
import type { Artifact, ArtifactKind } from '../artifacts/artifact.js';
import { sha256 } from '../artifacts/artifact.js';
import type { PhaseId } from '../phases/graph.js';
import type { ResolvedSpec } from '../spec/resolve.js';
import type { TokenUsage } from '../engines/prices.js';
import type { Statement } from 'better-sqlite3';
import { openDatabase, type Db } from './database.js';

export interface PipelineRow {
  id: string;
  name: string;
  current_revision: number;
  created_at: string;
  updated_at: string;
  updated_by: string;
}

export interface RevisionRow {
  pipeline_id: string;
  revision: number;
  spec: ResolvedSpec;
  patch: unknown;
  changed_paths: string[];
  actor: string;
  created_at: string;
}

export type RunStatus = 'running' | 'succeeded' | 'failed';

export interface PhaseRun {
  id: string;
  pipeline_id: string;
  phase: PhaseId;
  engine: string;
  model: string | null;
  prompt_version: string | null;
  spec_revision: number;
  upstream_run_ids: Partial<Record<PhaseId, string>>;
  status: RunStatus;
  stale_reason: string | null;
  notes: string | null;
  document: string | null;
  decisions: unknown;
  error: string | null;
  owner_pid: number | null;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
  /** Tokens and cost of an LLM engine's review (null for the template engine). */
  usage: TokenUsage | null;
  /** Why an LLM engine's review is missing (the run fell back to the template document); null otherwise. */
  engine_note: string | null;
  /** The engine's review as stored (narrative, recommendations, status); loaded with the document. */
  advice: unknown;
}

export type SuggestionStatus = 'open' | 'applied' | 'dismissed' | 'superseded';

export interface SuggestionRow {
  id: string;
  pipeline_id: string;
  run_id: string;
  phase: PhaseId;
  seq: number;
  title: string;
  rationale: string;
  patch: Record<string, unknown>;
  changes: string[];
  status: SuggestionStatus;
  resolved_revision: number | null;
  resolved_by: string | null;
  resolved_at: string | null;
  created_at: string;
}

export interface StoredArtifact extends Artifact {
  run_id: string;
  sha256: string;
}

export interface EventRow {
  id: number;
  pipeline_id: string | null;
  type: string;
  actor: string;
  payload: unknown;
  created_at: string;
}

export interface CommentRow {
  id: number;
  pipeline_id: string;
  phase: PhaseId | null;
  artifact_path: string | null;
  line: number | null;
  run_id: string | null;
  author: string;
  body: string;
  created_at: string;
}

export type ReviewVerdict = 'approved' | 'changes_requested';

export interface ReviewRow {
  id: number;
  pipeline_id: string;
  phase: PhaseId;
  run_id: string;
  verdict: ReviewVerdict;
  reviewer: string;
  comment: string | null;
  created_at: string;
}

export type FileVerdict = 'pass' | 'fail' | 'unchecked';

export interface FileVerdictRow {
  path: string;
  sha256: string;
  verdict: FileVerdict;
  results: { validator: string; verdict: string; message: string }[];
  validated_at: string;
}

type RawRun = Omit<PhaseRun, 'upstream_run_ids' | 'decisions' | 'usage' | 'advice'> & {
  upstream_run_ids: string;
  decisions: string | null;
  usage: string | null;
  advice: string | null;
};

// Every column but the document, the decisions and the engine's review, which are read as NULL.
const RUN_META_COLUMNS =
  'id, pipeline_id, phase, engine, model, prompt_version, spec_revision, upstream_run_ids, status, stale_reason, notes, NULL AS document, NULL AS decisions, error, owner_pid, started_at, finished_at, duration_ms, usage, engine_note, NULL AS advice';

const json = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

function toRun(row: RawRun | undefined): PhaseRun | undefined {
  if (!row) return undefined;
  return {
    ...row,
    upstream_run_ids: JSON.parse(row.upstream_run_ids),
    decisions: json(row.decisions),
    usage: json(row.usage) as TokenUsage | null,
    advice: json(row.advice),
  };
}

type RawSuggestion = Omit<SuggestionRow, 'patch' | 'changes'> & { patch: string; changes: string };
const toSuggestion = (r: RawSuggestion): SuggestionRow => ({ ...r, patch: JSON.parse(r.patch), changes: JSON.parse(r.changes) });

/** A proposed spec change as a run records it. */
export interface NewSuggestion {
  id: string;
  title: string;
  rationale: string;
  patch: Record<string, unknown>;
  changes: string[];
}

export interface Clock {
  now(): string;
}
export const systemClock: Clock = { now: () => new Date().toISOString() };

/**
 * All persistence goes through here. Every method that writes more than one row runs in one transaction, and
 * every change appends an event in that same transaction, so the event log never disagrees with the data.
 */
export class Store {
  readonly db: Db;

  constructor(
    dbOrPath: Db | string,
    private readonly clock: Clock = systemClock,
  ) {
    this.db = typeof dbOrPath === 'string' ? openDatabase(dbOrPath) : dbOrPath;
  }

  close(): void {
    this.statements.clear();
    this.db.close();
  }

  // Compiling a statement costs about as much as running a small query; a read such as get_pipeline runs seven.
  private readonly statements = new Map<string, Statement>();
  private statement(sql: string): Statement {
    let prepared = this.statements.get(sql);
    if (!prepared) {
      // Bounded: the only SQL built at run time is an IN list whose length is the number of runs asked about.
      if (this.statements.size >= 500) this.statements.clear();
      prepared = this.db.prepare(sql);
      this.statements.set(sql, prepared);
    }
    return prepared;
  }

  /** Runs fn in a DEFERRED transaction: its reads see one snapshot even while other processes write. */
  readSnapshot<T>(fn: () => T): T {
    return this.db.transaction(fn).deferred();
  }

  /** Runs fn in an IMMEDIATE transaction: the write lock is taken up front, so read-check-write sequences are atomic across processes. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  // --- pipelines and revisions ---------------------------------------------------------------------

  createPipeline(spec: ResolvedSpec, actor: string, extra: Record<string, unknown> = {}): PipelineRow {
    const id = `pl_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
    const now = this.clock.now();
    return this.transaction(() => {
      this.statement('INSERT INTO pipelines (id, name, current_revision, created_at, updated_at, updated_by) VALUES (?, ?, 1, ?, ?, ?)')
        .run(id, spec.name, now, now, actor);
      this.statement('INSERT INTO spec_revisions (pipeline_id, revision, spec, patch, changed_paths, actor, created_at) VALUES (?, 1, ?, NULL, ?, ?, ?)')
        .run(id, JSON.stringify(spec), '[]', actor, now);
      this.appendEvent(id, 'pipeline.created', actor, { name: spec.name, revision: 1, ...extra });
      return this.getPipeline(id)!;
    });
  }

  getPipeline(id: string): PipelineRow | undefined {
    return this.statement('SELECT * FROM pipelines WHERE id = ?').get(id) as PipelineRow | undefined;
  }

  listPipelines(limit: number, offset: number): { rows: PipelineRow[]; total: number } {
    const rows = this.statement('SELECT * FROM pipelines ORDER BY updated_at DESC, id LIMIT ? OFFSET ?').all(limit, offset) as PipelineRow[];
    const { total } = this.statement('SELECT COUNT(*) AS total FROM pipelines').get() as { total: number };
    return { rows, total };
  }

  getRevision(pipelineId: string, revision?: number): RevisionRow | undefined {
    const row = (
      revision === undefined
        ? this.statement('SELECT r.* FROM spec_revisions r JOIN pipelines p ON p.id = r.pipeline_id AND p.current_revision = r.revision WHERE r.pipeline_id = ?').get(pipelineId)
        : this.statement('SELECT * FROM spec_revisions WHERE pipeline_id = ? AND revision = ?').get(pipelineId, revision)
    ) as (Omit<RevisionRow, 'spec' | 'patch' | 'changed_paths'> & { spec: string; patch: string | null; changed_paths: string }) | undefined;
    if (!row) return undefined;
    return { ...row, spec: JSON.parse(row.spec), patch: row.patch === null ? null : JSON.parse(row.patch), changed_paths: JSON.parse(row.changed_paths) };
  }

  listRevisions(pipelineId: string): { revision: number; actor: string; created_at: string; changed_paths: string[] }[] {
    const rows = this.statement('SELECT revision, actor, created_at, changed_paths FROM spec_revisions WHERE pipeline_id = ? ORDER BY revision').all(pipelineId) as {
      revision: number;
      actor: string;
      created_at: string;
      changed_paths: string;
    }[];
    return rows.map((r) => ({ ...r, changed_paths: JSON.parse(r.changed_paths) }));
  }

  /**
   * Stores a new spec revision. `expectedRevision` (when given) must still be the current one: two clients
   * editing the same pipeline cannot overwrite each other silently. Returns undefined on such a conflict.
   */
  addRevision(input: {
    pipelineId: string;
    spec: ResolvedSpec;
    patch: unknown;
    changedPaths: string[];
    actor: string;
    expectedRevision?: number;
    stale: { phases: PhaseId[]; reason: string };
    /** Proposed changes this revision applies: marked applied in the same transaction. */
    suggestions?: string[];
  }): { revision: number; staled: PhaseId[] } | { conflict: number } {
    return this.transaction(() => {
      const current = this.getPipeline(input.pipelineId);
      if (!current) throw new Error(`pipeline ${input.pipelineId} vanished`);
      if (input.expectedRevision !== undefined && input.expectedRevision !== current.current_revision) return { conflict: current.current_revision };
      const revision = current.current_revision + 1;
      const now = this.clock.now();
      this.statement('INSERT INTO spec_revisions (pipeline_id, revision, spec, patch, changed_paths, actor, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(input.pipelineId, revision, JSON.stringify(input.spec), JSON.stringify(input.patch), JSON.stringify(input.changedPaths), input.actor, now);
      this.statement('UPDATE pipelines SET current_revision = ?, name = ?, updated_at = ?, updated_by = ? WHERE id = ?').run(revision, input.spec.name, now, input.actor, input.pipelineId);
      const staled = this.markStale(input.pipelineId, input.stale.phases, input.stale.reason);
      if (input.suggestions?.length) this.setSuggestionStatus(input.pipelineId, input.suggestions, 'applied', revision, input.actor, now);
      this.appendEvent(input.pipelineId, 'spec.updated', input.actor, {
        revision,
        changed_paths: input.changedPaths,
        staled,
        ...(input.suggestions?.length ? { suggestions: input.suggestions } : {}),
      });
      return { revision, staled };
    });
  }

  // --- proposed spec changes ------------------------------------------------------------------------

  suggestions(pipelineId: string, ids?: readonly string[]): SuggestionRow[] {
    const rows = this.statement('SELECT * FROM suggestions WHERE pipeline_id = ? ORDER BY created_at, run_id, seq').all(pipelineId) as RawSuggestion[];
    const wanted = ids ? new Set(ids) : undefined;
    return rows.filter((r) => !wanted || wanted.has(r.id)).map(toSuggestion);
  }

  private setSuggestionStatus(pipelineId: string, ids: readonly string[], status: SuggestionStatus, revision: number, actor: string, now: string): void {
    const update = this.statement(
      `UPDATE suggestions SET status = ?, resolved_revision = ?, resolved_by = ?, resolved_at = ? WHERE pipeline_id = ? AND id = ? AND status = 'open'`,
    );
    for (const id of ids) {
      if (update.run(status, revision, actor, now, pipelineId, id).changes !== 1) throw new Error(`suggestion ${id} is not open`);
    }
  }

  /** Closes open suggestions without a new revision: dismissed, or applied when the spec already says what they propose. */
  resolveSuggestions(pipelineId: string, ids: readonly string[], status: 'applied' | 'dismissed', actor: string): void {
    this.transaction(() => {
      const pipeline = this.getPipeline(pipelineId);
      if (!pipeline) throw new Error(`pipeline ${pipelineId} vanished`);
      const now = this.clock.now();
      this.setSuggestionStatus(pipelineId, ids, status, pipeline.current_revision, actor, now);
      this.touch(pipelineId, actor, now);
      this.appendEvent(pipelineId, `suggestions.${status}`, actor, { suggestions: ids, revision: pipeline.current_revision });
    });
  }

  // --- phase runs ----------------------------------------------------------------------------------

  startRun(input: {
    pipelineId: string;
    phase: PhaseId;
    engine: string;
    specRevision: number;
    upstreamRunIds: Partial<Record<PhaseId, string>>;
    notes?: string;
    actor: string;
  }): PhaseRun {
    const id = `run_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
    const now = this.clock.now();
    return this.transaction(() => {
      this.statement(
          `INSERT INTO phase_runs (id, pipeline_id, phase, engine, spec_revision, upstream_run_ids, status, notes, owner_pid, started_at)
           VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?, ?)`,
        )
        .run(id, input.pipelineId, input.phase, input.engine, input.specRevision, JSON.stringify(input.upstreamRunIds), input.notes ?? null, process.pid, now);
      this.touch(input.pipelineId, input.actor, now);
      this.appendEvent(input.pipelineId, 'phase.started', input.actor, { phase: input.phase, run_id: id, engine: input.engine, spec_revision: input.specRevision });
      return this.getRun(id)!;
    });
  }

  /** Records a finished run, its artifacts, and the staleness of every run downstream, atomically. */
  completeRun(input: {
    runId: string;
    document: string;
    decisions: unknown;
    artifacts: Artifact[];
    durationMs: number;
    model?: string | null;
    promptVersion?: string | null;
    usage?: TokenUsage | null;
    engineNote?: string | null;
    advice?: unknown;
    suggestions?: NewSuggestion[];
    stale: { phases: PhaseId[]; reason: string };
    actor: string;
  }): { run: PhaseRun; staled: PhaseId[] } {
    return this.transaction(() => {
      const run = this.getRun(input.runId);
      if (!run) throw new Error(`run ${input.runId} vanished`);
      const now = this.clock.now();
      this.statement(
          `UPDATE phase_runs SET status = 'succeeded', document = ?, decisions = ?, model = ?, prompt_version = ?, usage = ?, engine_note = ?, advice = ?,
             finished_at = ?, duration_ms = ?
           WHERE id = ?`,
        )
        .run(
          input.document,
          JSON.stringify(input.decisions),
          input.model ?? null,
          input.promptVersion ?? null,
          input.usage ? JSON.stringify(input.usage) : null,
          input.engineNote ?? null,
          input.advice === undefined || input.advice === null ? null : JSON.stringify(input.advice),
          now,
          input.durationMs,
          input.runId,
        );
      const insert = this.statement('INSERT INTO artifacts (run_id, path, kind, phase, sha256, content) VALUES (?, ?, ?, ?, ?, ?)');
      for (const a of input.artifacts) insert.run(input.runId, a.path, a.kind, a.phase, sha256(a.content), a.content);
      const suggest = this.statement(
        `INSERT INTO suggestions (id, pipeline_id, run_id, phase, seq, title, rationale, patch, changes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      // A new model review replaces the phase's earlier proposals; a run without one (template, fallback) leaves them.
      if (input.advice && (input.advice as { status?: string }).status === 'used') this.statement(
          `UPDATE suggestions SET status = 'superseded', resolved_revision = (SELECT current_revision FROM pipelines WHERE id = ?), resolved_by = ?, resolved_at = ?
           WHERE pipeline_id = ? AND phase = ? AND status = 'open'`,
        )
        .run(run.pipeline_id, input.actor, now, run.pipeline_id, run.phase);
      (input.suggestions ?? []).forEach((sg, i) =>
        suggest.run(sg.id, run.pipeline_id, run.id, run.phase, i + 1, sg.title, sg.rationale, JSON.stringify(sg.patch), JSON.stringify(sg.changes), now),
      );
      const staled = this.markStale(run.pipeline_id, input.stale.phases, input.stale.reason);
      this.touch(run.pipeline_id, input.actor, now);
      this.appendEvent(run.pipeline_id, 'phase.completed', input.actor, {
        phase: run.phase,
        run_id: run.id,
        artifacts: input.artifacts.length,
        duration_ms: input.durationMs,
        staled,
        engine: run.engine,
        ...(input.model ? { model: input.model } : {}),
        ...(input.suggestions?.length ? { suggestions: input.suggestions.map((sg) => sg.id) } : {}),
        ...(input.usage ? { usage: { input_tokens: input.usage.input_tokens, output_tokens: input.usage.output_tokens, cost_usd: input.usage.cost_usd } } : {}),
      });
      return { run: this.getRun(input.runId)!, staled };
    });
  }

  failRun(runId: string, error: string, actor: string): PhaseRun {
    return this.transaction(() => {
      const now = this.clock.now();
      this.statement(`UPDATE phase_runs SET status = 'failed', error = ?, finished_at = ? WHERE id = ? AND status = 'running'`).run(error, now, runId);
      const run = this.getRun(runId)!;
      this.touch(run.pipeline_id, actor, now);
      this.appendEvent(run.pipeline_id, 'phase.failed', actor, { phase: run.phase, run_id: runId, error });
      return run;
    });
  }

  /**
   * Runs left 'running' by a process that no longer exists (killed, crashed) are marked failed, so nothing
   * stays "running" forever. Runs of live processes (another server on the same file) are left alone.
   */
  recoverInterruptedRuns(isAlive: (pid: number) => boolean): number {
    return this.transaction(() => {
      const running = this.statement(`SELECT id, owner_pid FROM phase_runs WHERE status = 'running'`).all() as { id: string; owner_pid: number | null }[];
      let n = 0;
      for (const r of running) {
        if (r.owner_pid === process.pid || (r.owner_pid !== null && isAlive(r.owner_pid))) continue;
        this.failRun(r.id, 'interrupted: the process running this phase stopped before it finished; run the phase again', 'system');
        n++;
      }
      return n;
    });
  }

  getRun(id: string): PhaseRun | undefined {
    return toRun(this.statement('SELECT * FROM phase_runs WHERE id = ?').get(id) as RawRun | undefined);
  }

  /**
   * The most recent run of each phase (any status). Documents and decisions are large; they are loaded only
   * with `content` (status views such as get_pipeline do without them).
   */
  latestRuns(pipelineId: string, content = false): Partial<Record<PhaseId, PhaseRun>> {
    const rows = this.statement(
        `SELECT ${content ? '*' : RUN_META_COLUMNS} FROM phase_runs r WHERE pipeline_id = ? AND rowid = (
           SELECT rowid FROM phase_runs WHERE pipeline_id = r.pipeline_id AND phase = r.phase ORDER BY started_at DESC, rowid DESC LIMIT 1)`,
      )
      .all(pipelineId) as RawRun[];
    return Object.fromEntries(rows.map((r) => [r.phase, toRun(r)!]));
  }

  /** The most recent successful run of each phase: what the pipeline's documents and bundle consist of. */
  latestSucceededRuns(pipelineId: string, content = true): Partial<Record<PhaseId, PhaseRun>> {
    const rows = this.statement(
        `SELECT ${content ? '*' : RUN_META_COLUMNS} FROM phase_runs r WHERE pipeline_id = ? AND status = 'succeeded' AND rowid = (
           SELECT rowid FROM phase_runs WHERE pipeline_id = r.pipeline_id AND phase = r.phase AND status = 'succeeded'
           ORDER BY started_at DESC, rowid DESC LIMIT 1)`,
      )
      .all(pipelineId) as RawRun[];
    return Object.fromEntries(rows.map((r) => [r.phase, toRun(r)!]));
  }

  runHistory(pipelineId: string, phase?: PhaseId): PhaseRun[] {
    const rows = (
      phase
        ? this.statement('SELECT * FROM phase_runs WHERE pipeline_id = ? AND phase = ? ORDER BY started_at, rowid').all(pipelineId, phase)
        : this.statement('SELECT * FROM phase_runs WHERE pipeline_id = ? ORDER BY started_at, rowid').all(pipelineId)
    ) as RawRun[];
    return rows.map((r) => toRun(r)!);
  }

  private markStale(pipelineId: string, phases: PhaseId[], reason: string): PhaseId[] {
    if (phases.length === 0) return [];
    const latest = this.latestSucceededRuns(pipelineId, false);
    const update = this.statement('UPDATE phase_runs SET stale_reason = ? WHERE id = ? AND stale_reason IS NULL');
    const staled: PhaseId[] = [];
    for (const phase of phases) {
      const run = latest[phase];
      if (run && update.run(reason, run.id).changes > 0) staled.push(phase);
    }
    // A run still in progress (an LLM engine waiting on its model) read the old spec or upstream too: it must not
    // finish as current. completeRun keeps the reason.
    const running = this.statement(`UPDATE phase_runs SET stale_reason = ? WHERE pipeline_id = ? AND phase = ? AND status = 'running' AND stale_reason IS NULL`);
    for (const phase of phases) running.run(reason, pipelineId, phase);
    return staled;
  }

  private touch(pipelineId: string, actor: string, now: string): void {
    this.statement('UPDATE pipelines SET updated_at = ?, updated_by = ? WHERE id = ?').run(now, actor, pipelineId);
  }

  // --- artifacts -----------------------------------------------------------------------------------

  runArtifacts(runId: string): StoredArtifact[] {
    return this.statement('SELECT * FROM artifacts WHERE run_id = ? ORDER BY path').all(runId) as StoredArtifact[];
  }

  runArtifactIndex(runId: string): { path: string; kind: ArtifactKind; sha256: string; bytes: number }[] {
    return this.statement('SELECT path, kind, sha256, length(CAST(content AS BLOB)) AS bytes FROM artifacts WHERE run_id = ? ORDER BY path').all(runId) as {
      path: string;
      kind: ArtifactKind;
      sha256: string;
      bytes: number;
    }[];
  }

  // --- events --------------------------------------------------------------------------------------

  appendEvent(pipelineId: string | null, type: string, actor: string, payload: unknown): number {
    const info = this.statement('INSERT INTO events (pipeline_id, type, actor, payload, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(pipelineId, type, actor, JSON.stringify(payload), this.clock.now());
    return Number(info.lastInsertRowid);
  }

  eventsSince(afterId: number, pipelineId?: string, limit = 1000): EventRow[] {
    const rows = (
      pipelineId
        ? this.statement('SELECT * FROM events WHERE id > ? AND pipeline_id = ? ORDER BY id LIMIT ?').all(afterId, pipelineId, limit)
        : this.statement('SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?').all(afterId, limit)
    ) as (Omit<EventRow, 'payload'> & { payload: string })[];
    return rows.map((r) => ({ ...r, payload: JSON.parse(r.payload) }));
  }

  /** How many events follow `afterId` (of one pipeline, or all), counting at most `cap`: a bounded index walk. */
  countEventsSince(afterId: number, pipelineId: string | undefined, cap: number): number {
    const row = (
      pipelineId
        ? this.statement('SELECT COUNT(*) AS n FROM (SELECT 1 FROM events WHERE id > ? AND pipeline_id = ? LIMIT ?)').get(afterId, pipelineId, cap)
        : this.statement('SELECT COUNT(*) AS n FROM (SELECT 1 FROM events WHERE id > ? LIMIT ?)').get(afterId, cap)
    ) as { n: number };
    return row.n;
  }

  /** The newest `limit` events of a pipeline, oldest first. */
  latestEvents(pipelineId: string, limit: number): EventRow[] {
    const rows = this.statement('SELECT * FROM events WHERE pipeline_id = ? ORDER BY id DESC LIMIT ?').all(pipelineId, limit) as (Omit<EventRow, 'payload'> & { payload: string })[];
    return rows.reverse().map((r) => ({ ...r, payload: JSON.parse(r.payload) }));
  }

  /** The id of the newest event (0 when the log is empty): where a live feed starts. */
  lastEventId(): number {
    return (this.statement('SELECT COALESCE(MAX(id), 0) AS id FROM events').get() as { id: number }).id;
  }

  // --- team: comments, reviews, validation verdicts ------------------------------------------------

  addComment(input: Omit<CommentRow, 'id' | 'created_at'>): CommentRow {
    return this.transaction(() => {
      const now = this.clock.now();
      const info = this.statement('INSERT INTO comments (pipeline_id, phase, artifact_path, line, run_id, author, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(input.pipeline_id, input.phase, input.artifact_path, input.line, input.run_id, input.author, input.body, now);
      const comment = this.statement('SELECT * FROM comments WHERE id = ?').get(info.lastInsertRowid) as CommentRow;
      this.appendEvent(input.pipeline_id, 'comment.added', input.author, comment);
      return comment;
    });
  }

  comments(pipelineId: string): CommentRow[] {
    return this.statement('SELECT * FROM comments WHERE pipeline_id = ? ORDER BY id').all(pipelineId) as CommentRow[];
  }

  addReview(input: Omit<ReviewRow, 'id' | 'created_at'>): ReviewRow {
    return this.transaction(() => {
      const now = this.clock.now();
      const info = this.statement('INSERT INTO reviews (pipeline_id, phase, run_id, verdict, reviewer, comment, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(input.pipeline_id, input.phase, input.run_id, input.verdict, input.reviewer, input.comment, now);
      const review = this.statement('SELECT * FROM reviews WHERE id = ?').get(info.lastInsertRowid) as ReviewRow;
      this.touch(input.pipeline_id, input.reviewer, now);
      this.appendEvent(input.pipeline_id, 'phase.reviewed', input.reviewer, review);
      return review;
    });
  }

  /** Every review of the given runs, oldest first. */
  reviewsOfRuns(runIds: readonly string[]): ReviewRow[] {
    if (runIds.length === 0) return [];
    return this.statement(`SELECT * FROM reviews WHERE run_id IN (${runIds.map(() => '?').join(', ')}) ORDER BY id`).all(...runIds) as ReviewRow[];
  }

  /** Stores the verdicts of one validation, replacing earlier verdicts of the same paths, and logs the summary. */
  recordVerdicts(pipelineId: string, files: (Omit<FileVerdictRow, 'validated_at'>)[], actor: string, summary: unknown): void {
    this.transaction(() => {
      const now = this.clock.now();
      const upsert = this.statement(
        `INSERT INTO file_verdicts (pipeline_id, path, sha256, verdict, results, validated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (pipeline_id, path) DO UPDATE SET sha256 = excluded.sha256, verdict = excluded.verdict, results = excluded.results, validated_at = excluded.validated_at`,
      );
      for (const f of files) upsert.run(pipelineId, f.path, f.sha256, f.verdict, JSON.stringify(f.results), now);
      this.appendEvent(pipelineId, 'bundle.validated', actor, summary);
    });
  }

  verdicts(pipelineId: string): FileVerdictRow[] {
    const rows = this.statement('SELECT path, sha256, verdict, results, validated_at FROM file_verdicts WHERE pipeline_id = ? ORDER BY path').all(pipelineId) as (Omit<FileVerdictRow, 'results'> & {
      results: string;
    })[];
    return rows.map((r) => ({ ...r, results: JSON.parse(r.results) }));
  }
}
