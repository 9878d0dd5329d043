import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveUnderRoot } from '../../src/bundle/paths.js';
import { tempDir } from '../helpers/tmp.js';

describe('resolveUnderRoot', () => {
  it('accepts relative paths inside the root', () => {
    const root = tempDir();
    expect(resolveUnderRoot(root, 'a/b', 'directory')).toMatch(/a\/b$/);
    expect(resolveUnderRoot(root, 'bundle.tar.gz', 'directory')).toMatch(/bundle\.tar\.gz$/);
  });

  it.each([
    ['..', /\.\./],
    ['../x', /\.\./],
    ['a/../../x', /\.\./],
    ['/etc', /not absolute/],
    ['C:\\x', /not absolute/],
    ['a\0b', /NUL/],
    ['.', /inside the export root/],
    ['', /non-empty/],
    ['x'.repeat(2000), /too long/],
    [`${'y'.repeat(300)}/z`, /longer than 255/],
  ])('refuses %j', (input, message) => {
    const root = tempDir();
    expect(() => resolveUnderRoot(root, input, 'directory')).toThrow(message);
  });

  it('refuses a symlink that leads out of the root, and a sibling with the same prefix', () => {
    const base = tempDir();
    const root = join(base, 'exports');
    const sibling = join(base, 'exports-evil');
    mkdirSync(root);
    mkdirSync(sibling);
    symlinkSync(sibling, join(root, 'link'));
    expect(() => resolveUnderRoot(root, 'link/x', 'directory')).toThrow(/through a symlink/);
    expect(() => resolveUnderRoot(root, 'link', 'directory')).toThrow(/through a symlink/);
    expect(() => resolveUnderRoot(root, '../exports-evil/x', 'directory')).toThrow();
  });

  it('refuses a symlink that leads back to the root itself', () => {
    const root = tempDir();
    symlinkSync(root, join(root, 'self'));
    expect(() => resolveUnderRoot(root, 'self', 'directory')).toThrow(/export root itself/);
  });
});
