import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS, type Migration } from './migrations.js';

export type Db = Database.Database;

/**
 * Opens (creating if needed) the database and brings its schema up to date.
 *
 * WAL lets several processes (a `serve` and a Claude Desktop `stdio`) share one file: readers never block the
 * writer. synchronous=FULL is set explicitly (better-sqlite3 12 reports FULL under WAL by default, but the
 * durability choice must not depend on a library default): an acknowledged write survives power loss, at the
 * cost of one fsync per commit, which our write rate (a few per tool call) easily affords. The busy timeout
 * makes a second writer wait for the lock instead of failing with SQLITE_BUSY.
 */
export function openDatabase(path: string, migrations: readonly Migration[] = MIGRATIONS): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('busy_timeout = 10000');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  migrate(db, migrations);
  return db;
}

export function migrate(db: Db, migrations: readonly Migration[]): void {
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    // IMMEDIATE takes the write lock before reading user_version, so two processes starting together
    // cannot both apply the same migration.
    db.transaction(() => {
      const current = db.pragma('user_version', { simple: true }) as number;
      if (current >= m.version) return;
      if (current !== m.version - 1) throw new Error(`database schema is at version ${current}, cannot apply migration ${m.version}`);
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
  const latest = Math.max(0, ...migrations.map((m) => m.version));
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > latest) throw new Error(`database schema version ${current} is newer than this mlops-mcp (${latest}); upgrade mlops-mcp`);
}
