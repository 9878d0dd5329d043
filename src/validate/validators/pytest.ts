import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { findExecutable, firstLines, run } from '../exec.js';
import type { Validator, Verdict } from '../types.js';

// Debian's interpreter has the scientific stack the generated projects target (see README, Validators).
const PYTHON = '/usr/bin/python3';

/** The closing summary of pytest, e.g. "14 passed, 16 skipped in 0.27s". */
function summary(output: string): string {
  const lines = output.trim().split('\n');
  return lines.reverse().find((l) => /\b(passed|failed|error|no tests ran)\b/.test(l))?.replace(/=+/g, '').trim() ?? firstLines(output, 3);
}

export const pytestValidator: Validator = {
  name: 'pytest',
  description:
    "Runs the generated Python project's own test suite (pytest, with /usr/bin/python3) from the folder of its pyproject.toml, except the timed performance layer (its budgets hold on the serving hardware, not on a shared validation machine)",
  kinds: ['python-project'],
  async available() {
    const bin = findExecutable(PYTHON);
    if (!bin) return { ok: false, reason: `${PYTHON} not found`, install: 'apt-get install -y python3 python3-pytest python3-yaml' };
    const v = await run(bin, ['-m', 'pytest', '--version']);
    if (v.code !== 0) return { ok: false, reason: 'pytest is not installed for /usr/bin/python3', install: 'apt-get install -y python3-pytest python3-yaml' };
    return { ok: true, version: (v.stdout + v.stderr).trim() };
  },
  async validate({ artifacts, root }) {
    const verdicts: Verdict[] = [];
    for (const a of artifacts) {
      const cwd = join(root, dirname(a.path));
      // -p no:cacheprovider: nothing is written next to the files; a suite that collects no test fails (exit 5).
      // The performance marker holds wall-clock budgets: run on a busy machine they measure the machine.
      const result = await run(PYTHON, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', '-rfE', '-m', 'not performance'], {
        cwd,
        timeoutMs: 300_000,
        // Projects with the same training code (e.g. one spec under different options) train their sample model once.
        env: { PYTHONDONTWRITEBYTECODE: '1', PYTHONHASHSEED: '0', ML_TEST_MODEL_CACHE: join(tmpdir(), 'mlops-mcp-sample-models'), ...process.env },
      });
      const out = `${result.stdout}\n${result.stderr}`;
      verdicts.push(
        result.code === 0
          ? { path: a.path, validator: this.name, verdict: 'pass', message: summary(out) }
          : { path: a.path, validator: this.name, verdict: 'fail', message: result.code === 5 ? 'the project has no tests (pytest exit 5)' : firstLines(out.split('\n').filter((l) => /FAILED|ERROR|Error|passed|failed/.test(l)).join('\n') || out, 12) },
      );
    }
    return verdicts;
  },
};
