import { realpathSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UserError } from '../errors.js';

function inside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** The deepest existing ancestor of a path, resolved through symlinks. */
function realExistingAncestor(path: string): { real: string; rest: string[] } {
  const rest: string[] = [];
  let current = path;
  for (;;) {
    try {
      return { real: realpathSync(current), rest };
    } catch {
      const parent = resolve(current, '..');
      if (parent === current) throw new Error(`no existing ancestor of ${path}`);
      rest.unshift(current.slice(parent.length + (parent.endsWith(sep) ? 0 : 1)));
      current = parent;
    }
  }
}

/**
 * Resolves a user-supplied relative path under a root, refusing anything that could land outside it:
 * absolute paths, `..` segments, NUL bytes, and symlinks (checked on the real path of every existing
 * ancestor, which also rules out sibling-prefix tricks such as /exports-evil for root /exports).
 */
export function resolveUnderRoot(root: string, userPath: string, what: string, rootName = 'export root'): string {
  if (typeof userPath !== 'string' || userPath.length === 0) throw new UserError(`${what} must be a non-empty relative path`);
  if (userPath.includes('\0')) throw new UserError(`${what} must not contain NUL bytes`);
  if (userPath.length > 1024) throw new UserError(`${what} is too long (at most 1024 characters)`);
  if (isAbsolute(userPath) || /^[a-zA-Z]:[\\/]/.test(userPath) || userPath.startsWith('\\')) {
    throw new UserError(`${what} must be relative to the ${rootName}, not absolute ("${userPath}")`, 'forbidden');
  }
  const segments = userPath.split(/[\\/]+/);
  if (segments.some((s) => s === '..')) throw new UserError(`${what} must not contain ".." segments`, 'forbidden');
  if (segments.some((s) => s.length > 255)) throw new UserError(`${what} has a path segment longer than 255 characters`);
  const realRoot = realpathSync(root);
  const target = resolve(realRoot, userPath);
  if (!inside(realRoot, target) || target === realRoot) throw new UserError(`${what} must name a folder or file inside the ${rootName}`, 'forbidden');
  const { real, rest } = realExistingAncestor(target);
  const realTarget = rest.length ? join(real, ...rest) : real;
  if (!inside(realRoot, realTarget)) throw new UserError(`${what} resolves outside the ${rootName} (through a symlink)`, 'forbidden');
  // A symlink back to the root itself would make an overwrite replace the whole export root.
  if (realTarget === realRoot) throw new UserError(`${what} resolves to the ${rootName} itself (through a symlink); name a folder inside it`, 'forbidden');
  return realTarget;
}
