import { posix } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { findExecutable, firstLines, run } from '../exec.js';
import type { Validator, Verdict } from '../types.js';

/**
 * amtool (Alertmanager 0.25): `amtool check-config` on configurations, and for a routing-test file
 * ({config, tests: [{labels, receivers}]}) `amtool config routes test --config.file=<config>
 * --verify.receivers=<a,b> label=value …` per case. A test file passes when every case reaches exactly its
 * receivers; it fails with the first mismatch.
 */

interface RouteTestFile {
  config: string;
  tests: { name?: string; labels: Record<string, string>; receivers: string[] }[];
}

function parseRouteTests(content: string): RouteTestFile {
  const doc = parseYaml(content) as Partial<RouteTestFile> | null;
  if (!doc || typeof doc.config !== 'string' || !Array.isArray(doc.tests)) throw new Error('expected {config: <file>, tests: [{labels, receivers}]}');
  for (const [i, t] of doc.tests.entries()) {
    if (!t || typeof t.labels !== 'object' || t.labels === null || !Array.isArray(t.receivers) || t.receivers.length === 0) throw new Error(`tests[${i}]: expected {labels: {...}, receivers: [...]}`);
  }
  return doc as RouteTestFile;
}

export const amtoolValidator: Validator = {
  name: 'amtool',
  description: 'amtool check-config (Alertmanager configurations) and amtool config routes test (expected receivers per label set)',
  kinds: ['alertmanager', 'alertmanager-routes-test'],
  async available() {
    const bin = findExecutable('amtool');
    if (!bin) return { ok: false, reason: 'amtool is not on PATH', install: 'apt-get install -y prometheus-alertmanager' };
    const v = await run(bin, ['--version']);
    return { ok: true, version: /version (\S+)/.exec(v.stdout + v.stderr)?.[1] };
  },
  async validate({ artifacts, root }) {
    const bin = findExecutable('amtool')!;
    const verdicts: Verdict[] = [];
    const pass = (path: string, message: string): Verdict => ({ path, validator: this.name, verdict: 'pass', message });
    const fail = (path: string, message: string): Verdict => ({ path, validator: this.name, verdict: 'fail', message });
    for (const a of artifacts) {
      if (a.kind === 'alertmanager') {
        const r = await run(bin, ['check-config', a.path], { cwd: root });
        const out = `${r.stdout}\n${r.stderr}`.trim();
        // amtool exits 0 on some parse failures of older versions; its output says FAILED then.
        verdicts.push(r.code === 0 && !/FAILED/.test(out) ? pass(a.path, firstLines(out, 3) || 'ok') : fail(a.path, firstLines(out)));
        continue;
      }
      let file: RouteTestFile;
      try {
        file = parseRouteTests(a.content);
      } catch (error) {
        verdicts.push(fail(a.path, `not a routing-test file: ${error instanceof Error ? error.message : String(error)}`));
        continue;
      }
      const config = posix.join(posix.dirname(a.path), file.config);
      let failure: string | undefined;
      for (const [i, t] of file.tests.entries()) {
        const labels = Object.entries(t.labels).map(([k, v]) => `${k}=${String(v)}`);
        const r = await run(bin, ['config', 'routes', 'test', `--config.file=${config}`, `--verify.receivers=${t.receivers.join(',')}`, ...labels], { cwd: root });
        if (r.code !== 0) {
          failure = `case ${i + 1}${t.name ? ` (${t.name})` : ''}: {${labels.join(', ')}} expected [${t.receivers.join(', ')}]: ${firstLines(`${r.stdout}\n${r.stderr}`.trim(), 4)}`;
          break;
        }
      }
      verdicts.push(failure ? fail(a.path, failure) : pass(a.path, `${file.tests.length} routing case(s) reach their receivers`));
    }
    return verdicts;
  },
};
