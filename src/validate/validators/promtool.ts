import { findExecutable, firstLines, run } from '../exec.js';
import type { Validator, Verdict } from '../types.js';

export const promtoolValidator: Validator = {
  name: 'promtool',
  description: 'promtool check rules (rule files) and promtool test rules (alert unit tests)',
  kinds: ['prometheus-rules', 'prometheus-rules-test'],
  async available() {
    const bin = findExecutable('promtool');
    if (!bin) return { ok: false, reason: 'promtool is not on PATH', install: 'apt-get install -y prometheus' };
    const v = await run(bin, ['--version']);
    return { ok: true, version: /version (\S+)/.exec(v.stdout + v.stderr)?.[1] };
  },
  async validate({ artifacts, root }) {
    const bin = findExecutable('promtool')!;
    const verdicts: Verdict[] = [];
    for (const a of artifacts) {
      const args = a.kind === 'prometheus-rules' ? ['check', 'rules', a.path] : ['test', 'rules', a.path];
      const result = await run(bin, args, { cwd: root });
      const out = `${result.stdout}\n${result.stderr}`.trim();
      verdicts.push(
        result.code === 0
          ? { path: a.path, validator: this.name, verdict: 'pass', message: firstLines(out.replace(/^Checking .*\n?/m, ''), 3) || 'ok' }
          : { path: a.path, validator: this.name, verdict: 'fail', message: firstLines(out) },
      );
    }
    return verdicts;
  },
};
