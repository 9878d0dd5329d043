import { findExecutable, firstLines, run } from '../exec.js';
import type { Validator, Verdict } from '../types.js';

// Debian's interpreter is named explicitly: the python3 first on PATH may be another installation (see README).
const PYTHON_CANDIDATES = ['/usr/bin/python3', 'python3'];

const COMPILE_SCRIPT = `
import json, sys
results = {}
for path in sys.argv[1:]:
    try:
        with open(path, "rb") as handle:
            compile(handle.read(), path, "exec", dont_inherit=True)
        results[path] = None
    except SyntaxError as error:
        results[path] = f"{error.msg} (line {error.lineno}, column {error.offset})"
    except Exception as error:
        results[path] = repr(error)
print(json.dumps(results))
`;

export const pythonCompileValidator: Validator = {
  name: 'python-compile',
  description: 'CPython compile() of every module (syntax and compile-time errors), with /usr/bin/python3 when present',
  kinds: ['python'],
  async available() {
    const bin = findExecutable(...PYTHON_CANDIDATES);
    if (!bin) return { ok: false, reason: 'no python3 interpreter found', install: 'apt-get install -y python3' };
    const v = await run(bin, ['--version']);
    return { ok: true, version: `${bin}: ${v.stdout.trim()}` };
  },
  async validate({ artifacts, root }) {
    const bin = findExecutable(...PYTHON_CANDIDATES)!;
    const result = await run(bin, ['-c', COMPILE_SCRIPT, ...artifacts.map((a) => a.path)], { cwd: root });
    let parsed: Record<string, string | null>;
    try {
      parsed = JSON.parse(result.stdout) as Record<string, string | null>;
    } catch {
      return artifacts.map((a) => ({ path: a.path, validator: this.name, verdict: 'fail', message: firstLines(result.stderr || 'python3 did not report') }));
    }
    return artifacts.map((a): Verdict => {
      const error = parsed[a.path];
      return error ? { path: a.path, validator: this.name, verdict: 'fail', message: error } : { path: a.path, validator: this.name, verdict: 'pass', message: 'compiles' };
    });
  },
};
