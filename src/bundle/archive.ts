import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync, type Zippable } from 'fflate';
import type { Artifact } from '../artifacts/artifact.js';
import { writeArchive } from './export.js';

export type ArchiveFormat = 'zip' | 'tar.gz';

// The same fixed time as the .tar.gz export: the same bundle gives the same bytes.
const ZIP_MTIME = new Date('2000-01-01T00:00:00Z');

/** The bundle as an in-memory archive under one top-level folder, for downloads. */
export async function bundleArchive(format: ArchiveFormat, topFolder: string, files: readonly Artifact[]): Promise<Buffer> {
  if (format === 'zip') {
    const tree: Zippable = {};
    for (const f of files) tree[`${topFolder}/${f.path}`] = [Buffer.from(f.content), { mtime: ZIP_MTIME, level: 9 }];
    return Buffer.from(zipSync(tree));
  }
  const dir = await mkdtemp(join(tmpdir(), 'mlops-mcp-archive-'));
  try {
    return (await writeArchive(join(dir, 'bundle.tar.gz'), topFolder, files, false)).archive;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
