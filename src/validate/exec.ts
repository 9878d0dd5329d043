import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a validator binary without a shell (arguments are never parsed), with a time limit. */
export function run(file: string, args: readonly string[], options: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<ExecResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      [...args],
      { cwd: options.cwd, timeout: options.timeoutMs ?? 60_000, maxBuffer: 32 * 1024 * 1024, env: options.env ?? process.env },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        const timedOut = error && (error as { killed?: boolean }).killed;
        resolve({ code, stdout: String(stdout), stderr: timedOut ? `timed out after ${options.timeoutMs ?? 60_000} ms\n${String(stderr)}` : String(stderr) });
      },
    );
  });
}

/** Absolute path of an executable: an absolute candidate as is, or the first match on PATH. */
export function findExecutable(...candidates: string[]): string | undefined {
  for (const c of candidates) {
    const paths = c.includes('/') ? [c] : (process.env.PATH ?? '').split(delimiter).map((d) => join(d, c));
    for (const p of paths) {
      try {
        accessSync(p, constants.X_OK);
        return p;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

export function firstLines(text: string, n = 8): string {
  const lines = text.trim().split('\n');
  return lines.slice(0, n).join('\n') + (lines.length > n ? `\n… (${lines.length - n} more lines)` : '');
}
