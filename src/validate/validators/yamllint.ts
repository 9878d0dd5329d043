import { join } from 'node:path';
import { toYaml } from '../../generators/serializers/yaml.js';
import { findExecutable, firstLines, run } from '../exec.js';
import type { Validator, Verdict } from '../types.js';
import { YAML_KINDS } from './yaml.js';
import { writeFile } from 'node:fs/promises';

/**
 * yamllint's default rules, minus two that do not fit generated files: a leading `---` is optional, and long
 * lines (PromQL, shell) are not wrapped. `truthy` keys are not checked because GitHub's `on:` is a key.
 */
export const YAMLLINT_CONFIG = {
  extends: 'default',
  rules: {
    'document-start': 'disable',
    'line-length': 'disable',
    truthy: { 'allowed-values': ['true', 'false'], 'check-keys': false },
  },
};

export const yamllintValidator: Validator = {
  name: 'yamllint',
  description: 'yamllint (strict) with the default rules except document-start and line-length',
  kinds: YAML_KINDS,
  async available() {
    const bin = findExecutable('yamllint');
    if (!bin) return { ok: false, reason: 'yamllint is not on PATH', install: 'apt-get install -y yamllint' };
    const v = await run(bin, ['--version']);
    return { ok: true, version: v.stdout.trim() };
  },
  async validate({ artifacts, root }) {
    const bin = findExecutable('yamllint')!;
    const configPath = join(root, '.yamllint-mlops-mcp.yaml');
    await writeFile(configPath, toYaml(YAMLLINT_CONFIG));
    const result = await run(bin, ['-s', '-f', 'parsable', '-c', configPath, ...artifacts.map((a) => a.path)], { cwd: root });
    const byFile = new Map<string, string[]>();
    for (const line of result.stdout.split('\n').filter(Boolean)) {
      const file = line.split(':')[0]!;
      byFile.set(file, [...(byFile.get(file) ?? []), line]);
    }
    return artifacts.map((a): Verdict => {
      const problems = byFile.get(a.path) ?? [];
      if (problems.length > 0) return { path: a.path, validator: this.name, verdict: 'fail', message: firstLines(problems.join('\n')) };
      if (result.code !== 0 && byFile.size === 0) return { path: a.path, validator: this.name, verdict: 'fail', message: firstLines(result.stderr || result.stdout) };
      return { path: a.path, validator: this.name, verdict: 'pass', message: 'no problems' };
    });
  },
};
