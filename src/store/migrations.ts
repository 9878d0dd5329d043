/**
 * Versioned schema migrations. Append new entries; never edit an applied one. Each runs in its own
 * transaction together with the bump of PRAGMA user_version, so a crash leaves the schema at a known version.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'pipelines, spec revisions, phase runs, artifacts, event log',
    sql: `
      CREATE TABLE pipelines (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        current_revision INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        updated_by TEXT NOT NULL
      );
      CREATE INDEX pipelines_updated ON pipelines(updated_at DESC);

      CREATE TABLE spec_revisions (
        pipeline_id TEXT NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
        revision INTEGER NOT NULL,
        spec TEXT NOT NULL,
        patch TEXT,
        changed_paths TEXT NOT NULL,
        actor TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (pipeline_id, revision)
      );

      CREATE TABLE phase_runs (
        id TEXT PRIMARY KEY,
        pipeline_id TEXT NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
        phase TEXT NOT NULL,
        engine TEXT NOT NULL,
        model TEXT,
        prompt_version TEXT,
        spec_revision INTEGER NOT NULL,
        upstream_run_ids TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
        stale_reason TEXT,
        notes TEXT,
        document TEXT,
        decisions TEXT,
        error TEXT,
        owner_pid INTEGER,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        duration_ms REAL
      );
      CREATE INDEX phase_runs_latest ON phase_runs(pipeline_id, phase, started_at DESC);

      CREATE TABLE artifacts (
        run_id TEXT NOT NULL REFERENCES phase_runs(id) ON DELETE CASCADE,
        path TEXT NOT NULL,
        kind TEXT NOT NULL,
        phase TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        content TEXT NOT NULL,
        PRIMARY KEY (run_id, path)
      );

      CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        pipeline_id TEXT,
        type TEXT NOT NULL,
        actor TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX events_pipeline ON events(pipeline_id, id);
      CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
      CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
    `,
  },
  {
    version: 2,
    name: 'team features: comments, phase reviews, per-file validation verdicts',
    sql: `
      CREATE TABLE comments (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        pipeline_id TEXT NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
        phase TEXT,
        artifact_path TEXT,
        line INTEGER,
        run_id TEXT,
        author TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX comments_pipeline ON comments(pipeline_id, id);

      CREATE TABLE reviews (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        pipeline_id TEXT NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
        phase TEXT NOT NULL,
        run_id TEXT NOT NULL REFERENCES phase_runs(id) ON DELETE CASCADE,
        verdict TEXT NOT NULL CHECK (verdict IN ('approved', 'changes_requested')),
        reviewer TEXT NOT NULL,
        comment TEXT,
        created_at TEXT NOT NULL
      );
      CREATE INDEX reviews_run ON reviews(run_id, id);

      CREATE TABLE file_verdicts (
        pipeline_id TEXT NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
        path TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        verdict TEXT NOT NULL CHECK (verdict IN ('pass', 'fail', 'unchecked')),
        results TEXT NOT NULL,
        validated_at TEXT NOT NULL,
        PRIMARY KEY (pipeline_id, path)
      );
    `,
  },
  {
    version: 3,
    name: 'LLM engines: token usage and review of a phase run, proposed spec changes',
    sql: `
      ALTER TABLE phase_runs ADD COLUMN usage TEXT;
      ALTER TABLE phase_runs ADD COLUMN engine_note TEXT;
      ALTER TABLE phase_runs ADD COLUMN advice TEXT;

      CREATE TABLE suggestions (
        id TEXT PRIMARY KEY,
        pipeline_id TEXT NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
        run_id TEXT NOT NULL REFERENCES phase_runs(id) ON DELETE CASCADE,
        phase TEXT NOT NULL,
        seq INTEGER NOT NULL,
        title TEXT NOT NULL,
        rationale TEXT NOT NULL,
        patch TEXT NOT NULL,
        changes TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'applied', 'dismissed', 'superseded')),
        resolved_revision INTEGER,
        resolved_by TEXT,
        resolved_at TEXT,
        created_at TEXT NOT NULL
      );
      CREATE INDEX suggestions_pipeline ON suggestions(pipeline_id, status, created_at);
      CREATE INDEX suggestions_run ON suggestions(run_id);
    `,
  },
];
