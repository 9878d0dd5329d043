import { findExecutable, firstLines, run } from '../exec.js';
import type { Validator, Verdict } from '../types.js';

interface ShellcheckComment {
  file: string;
  line: number;
  level: string;
  code: number;
  message: string;
}

export const shellcheckValidator: Validator = {
  name: 'shellcheck',
  description: 'shellcheck (bash dialect, every severity) on each shell script',
  kinds: ['shell'],
  async available() {
    const bin = findExecutable('shellcheck');
    if (!bin) return { ok: false, reason: 'shellcheck is not on PATH', install: 'apt-get install -y shellcheck' };
    const v = await run(bin, ['--version']);
    return { ok: true, version: /version: (\S+)/.exec(v.stdout)?.[1] };
  },
  async validate({ artifacts, root }) {
    const bin = findExecutable('shellcheck')!;
    const result = await run(bin, ['-s', 'bash', '-S', 'style', '-f', 'json1', ...artifacts.map((a) => a.path)], { cwd: root });
    let comments: ShellcheckComment[];
    try {
      comments = (JSON.parse(result.stdout) as { comments: ShellcheckComment[] }).comments;
    } catch {
      return artifacts.map((a) => ({ path: a.path, validator: this.name, verdict: 'fail', message: firstLines(result.stderr || result.stdout) }));
    }
    return artifacts.map((a): Verdict => {
      const mine = comments.filter((c) => c.file === a.path);
      return mine.length === 0
        ? { path: a.path, validator: this.name, verdict: 'pass', message: 'no findings' }
        : { path: a.path, validator: this.name, verdict: 'fail', message: firstLines(mine.map((c) => `line ${c.line}: SC${c.code} (${c.level}) ${c.message}`).join('\n')) };
    });
  },
};
