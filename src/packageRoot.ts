import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding package.json, prompts/ and data/, whether running from src/ (tsx), dist/src/ or the bundle in dist/bin/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'prompts'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the mlops-mcp package root (package.json next to prompts/)');
    dir = parent;
  }
  return dir;
}
