import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVER_VERSION } from '../../src/version.js';
import { CLI, ROOT, requireBuild } from '../helpers/mcp.js';

const BIN = join(ROOT, 'dist/bin');

describe('the bundled command (dist/bin/mlops-mcp.js, what package.json bin and the README run)', () => {
  it('is the package bin, runs as a script, and reports the version', () => {
    requireBuild();
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(join(ROOT, pkg.bin['mlops-mcp']!)).toBe(CLI);
    expect(readFileSync(CLI, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(execFileSync(process.execPath, [CLI, '--version'], { encoding: 'utf8' }).trim()).toContain(SERVER_VERSION);
  });

  it('keeps the drift worker next to the chunk that starts it by file name (else drift silently runs in one thread)', () => {
    const files = readdirSync(BIN).filter((f) => f.endsWith('.js'));
    expect(files).toContain('driftWorker.js');
    const starters = files.filter((f) => readFileSync(join(BIN, f), 'utf8').includes('new URL("./driftWorker.js", import.meta.url)'));
    expect(starters).toHaveLength(1);
  });
});
