import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { create as createTar } from 'tar';
import type { Artifact } from '../artifacts/artifact.js';
import { UserError } from '../errors.js';
import { MANIFEST_FORMAT } from './manifest.js';

// A fixed timestamp keeps archives byte-identical for the same bundle.
const ARCHIVE_MTIME = new Date('2000-01-01T00:00:00Z');

async function writeTree(dir: string, files: readonly Artifact[]): Promise<number> {
  let bytes = 0;
  for (const f of files) {
    const target = join(dir, f.path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, f.content, { flag: 'wx' });
    bytes += Buffer.byteLength(f.content);
  }
  return bytes;
}

/** Only an empty folder or an earlier bundle (its manifest.json says so) may be replaced: never a user's project. */
function isReplaceable(dir: string): boolean {
  if (!statSync(dir).isDirectory()) return false;
  if (readdirSync(dir).length === 0) return true;
  try {
    return (JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { format?: unknown }).format === MANIFEST_FORMAT;
  } catch {
    return false;
  }
}

export function assertReplaceable(target: string): void {
  if (existsSync(target) && !isReplaceable(target)) {
    throw new UserError(
      `${target} exists and is not an earlier bundle (no mlops-mcp manifest.json), so it is not replaced; choose an empty or new directory`,
      'conflict',
    );
  }
}

/**
 * Writes the bundle as a folder at `target` (an absolute path already checked by resolveUnderRoot). The files
 * go to a hidden sibling first and are renamed into place, so a reader never sees a half-written bundle and a
 * failure leaves the old one untouched.
 */
export async function writeBundleDirectory(target: string, files: readonly Artifact[], overwrite: boolean): Promise<{ bytes: number }> {
  return explainPathErrors(target, 'folder', () => writeDirectory(target, files, overwrite));
}

/**
 * Whether `path` is `target`, a folder on the way to it, or the staging file or folder made beside it: not a
 * file the server writes inside its staging folder.
 */
function onTheWayTo(target: string, path: string | undefined): boolean {
  if (!path) return false;
  const [p, t] = [resolve(path), resolve(target)];
  return p === t || t.startsWith(`${p}${sep}`) || dirname(p) === dirname(t);
}

/**
 * File-system refusals caused by the path a user chose (a file where a folder is needed, a folder where the
 * archive goes, a read-only folder) become tool errors that say what to change. Errors on the server's own
 * staging files, or on anything else, are server faults and stay so.
 */
async function explainPathErrors<T>(target: string, kind: 'folder' | 'archive', write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { dest?: string };
    if (!onTheWayTo(target, e.path) && !onTheWayTo(target, e.dest)) throw error;
    const name = basename(target);
    if (e.code === 'ENOTDIR' || e.code === 'EEXIST') throw new UserError(`A part of the path to ${name} is a file, not a folder; choose another path.`, 'conflict');
    if (e.code === 'EISDIR' && kind === 'archive') throw new UserError(`${name} is a folder; choose another name for the archive.`, 'conflict');
    if (e.code === 'ENOTEMPTY' || e.code === 'EISDIR') throw new UserError(`${name} changed while the bundle was being written (another export to it?); try again.`, 'conflict');
    if (e.code === 'ENAMETOOLONG') throw new UserError(`The path to ${name} is too long for this file system; choose a shorter one.`);
    if (e.code === 'EACCES' || e.code === 'EPERM' || e.code === 'EROFS') throw new UserError(`${name} cannot be written (${e.code}): its folder is not writable.`, 'forbidden');
    throw error;
  }
}

async function writeDirectory(target: string, files: readonly Artifact[], overwrite: boolean): Promise<{ bytes: number }> {
  if (existsSync(target) && !overwrite) {
    throw new UserError(`${basename(target)} already exists; pass overwrite: true to replace it, or choose another directory`, 'conflict');
  }
  assertReplaceable(target);
  await mkdir(dirname(target), { recursive: true });
  const staging = join(dirname(target), `.${basename(target)}.staging-${randomUUID()}`);
  try {
    await mkdir(staging);
    const bytes = await writeTree(staging, files);
    if (existsSync(target)) {
      const old = join(dirname(target), `.${basename(target)}.old-${randomUUID()}`);
      await rename(target, old);
      await rename(staging, target);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(staging, target);
    }
    return { bytes };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** The bundle as a deterministic .tar.gz under one top-level folder, written atomically to `target`. */
export async function writeBundleArchive(target: string, topFolder: string, files: readonly Artifact[], overwrite: boolean): Promise<{ bytes: number; archive: Buffer }> {
  return explainPathErrors(target, 'archive', () => writeArchive(target, topFolder, files, overwrite));
}

/** The archive without the translation of path errors: for a server-chosen target (downloads), where any failure is the server's. */
export async function writeArchive(target: string, topFolder: string, files: readonly Artifact[], overwrite: boolean): Promise<{ bytes: number; archive: Buffer }> {
  if (existsSync(target) && !overwrite) {
    throw new UserError(`${basename(target)} already exists in the export root; pass overwrite: true to replace it, or choose another name`, 'conflict');
  }
  await mkdir(dirname(target), { recursive: true });
  const staging = join(dirname(target), `.${basename(target)}.staging-${randomUUID()}`);
  try {
    await mkdir(join(staging, topFolder), { recursive: true });
    await writeTree(join(staging, topFolder), files);
    const paths = [...files.map((f) => `${topFolder}/${f.path}`)].sort();
    const tmpArchive = `${staging}.tar.gz`;
    await createTar({ gzip: { level: 9 }, file: tmpArchive, cwd: staging, portable: true, mtime: ARCHIVE_MTIME, noDirRecurse: true }, paths);
    await rename(tmpArchive, target);
    const archive = await readFile(target);
    return { bytes: archive.length, archive };
  } finally {
    await rm(staging, { recursive: true, force: true });
    await rm(`${staging}.tar.gz`, { force: true });
  }
}
