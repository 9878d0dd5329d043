import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Artifact } from '../../src/artifacts/artifact.js';
import { writeBundleArchive, writeBundleDirectory } from '../../src/bundle/export.js';
import { tempDir } from '../helpers/tmp.js';

const files: Artifact[] = [
  { path: 'manifest.json', kind: 'json', phase: 'bundle', content: '{"format":"mlops-mcp-bundle/1"}\n' },
  { path: 'docs/a.md', kind: 'markdown', phase: 'p', content: '# A\n' },
  { path: 'deploy/k8s/base/x.yaml', kind: 'kubernetes', phase: 'p', content: 'a: 1\n' },
];

describe('bundle export', () => {
  it('writes a folder and refuses to replace it unless asked', async () => {
    const root = tempDir();
    const target = join(root, 'b');
    await writeBundleDirectory(target, files, false);
    expect(readFileSync(join(target, 'docs/a.md'), 'utf8')).toBe('# A\n');
    await expect(writeBundleDirectory(target, files, false)).rejects.toThrow(/already exists.*overwrite: true/);
    writeFileSync(join(target, 'stale.txt'), 'old');
    await writeBundleDirectory(target, files, true);
    expect(existsSync(join(target, 'stale.txt'))).toBe(false);
    // No staging folders are left behind.
    expect(readdirSync(root)).toEqual(['b']);
  });

  it("explains refusals caused by the chosen path, and leaves the server's own faults as faults", async () => {
    const root = tempDir();
    writeFileSync(join(root, 'notes.txt'), 'a file\n');
    await expect(writeBundleDirectory(join(root, 'notes.txt', 'bundle'), files, false)).rejects.toMatchObject({
      name: 'UserError',
      message: 'A part of the path to bundle is a file, not a folder; choose another path.',
    });
    mkdirSync(join(root, 'taken.tar.gz'));
    await expect(writeBundleArchive(join(root, 'taken.tar.gz'), 'b', files, true)).rejects.toMatchObject({ name: 'UserError', message: 'taken.tar.gz is a folder; choose another name for the archive.' });
    // Two files at one path is a generator bug inside the staging folder: not the user's path to change.
    const clash = [...files, { path: 'docs/a.md', kind: 'markdown' as const, phase: 'p', content: 'again\n' }];
    const fault = await writeBundleDirectory(join(root, 'fine'), clash, false).catch((e: unknown) => e);
    expect(fault).toMatchObject({ code: 'EEXIST' });
    expect((fault as Error).name).not.toBe('UserError');
    expect(readdirSync(root).sort()).toEqual(['notes.txt', 'taken.tar.gz']);
  });

  it('replaces only an empty folder or an earlier bundle', async () => {
    const root = tempDir();
    const project = join(root, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'main.py'), 'print(1)\n');
    await expect(writeBundleDirectory(project, files, true)).rejects.toThrow(/not an earlier bundle/);
    expect(readFileSync(join(project, 'main.py'), 'utf8')).toBe('print(1)\n');
    const previous = join(root, 'previous');
    await writeBundleDirectory(previous, [{ path: 'manifest.json', kind: 'json', phase: 'bundle', content: '{"format":"mlops-mcp-bundle/1"}\n' }], false);
    await expect(writeBundleDirectory(previous, files, true)).resolves.toBeDefined();
  });

  it('leaves the previous bundle intact when writing fails', async () => {
    const root = tempDir();
    const target = join(root, 'b');
    await writeBundleDirectory(target, files, false);
    const clash: Artifact[] = [...files, { path: 'docs/a.md/child', kind: 'text', phase: 'p', content: 'x' }];
    await expect(writeBundleDirectory(target, clash, true)).rejects.toThrow();
    expect(readFileSync(join(target, 'docs/a.md'), 'utf8')).toBe('# A\n');
    expect(readdirSync(root)).toEqual(['b']);
  });

  it('writes byte-identical .tar.gz archives for the same files, under one top folder', async () => {
    const root = tempDir();
    const a = await writeBundleArchive(join(root, 'a.tar.gz'), 'demo', files, false);
    const b = await writeBundleArchive(join(root, 'b.tar.gz'), 'demo', files, false);
    expect(a.archive.equals(b.archive)).toBe(true);
    const listing = execFileSync('tar', ['-tzf', join(root, 'a.tar.gz')], { encoding: 'utf8' }).trim().split('\n').sort();
    expect(listing).toEqual(['demo/deploy/k8s/base/x.yaml', 'demo/docs/a.md', 'demo/manifest.json']);
    mkdirSync(join(root, 'out'));
    execFileSync('tar', ['-xzf', join(root, 'a.tar.gz'), '-C', join(root, 'out')]);
    expect(readFileSync(join(root, 'out/demo/docs/a.md'), 'utf8')).toBe('# A\n');
  });
});
