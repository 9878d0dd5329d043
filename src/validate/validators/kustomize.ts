import { posix } from 'node:path';
import { firstLines, run } from '../exec.js';
import { installHint, locateTool } from '../tools.js';
import type { Validator, Verdict } from '../types.js';
import { isolatedEnv, objectCount } from './helm.js';
import { validateManifest } from './kubernetes.js';

export const kustomizeValidator: Validator = {
  name: 'kustomize',
  description: 'kubectl kustomize on the folder of each kustomization.yaml (base or overlay); every object of the build checked like a Kubernetes manifest',
  kinds: ['kustomization'],
  async available() {
    const found = locateTool('kubectl');
    if (!found.ok) return { ok: false, reason: found.reason, install: installHint('kubectl') };
    const { env, dispose } = await isolatedEnv('mlops-mcp-kubectl-');
    try {
      const v = await run(found.path, ['version', '--client'], { env });
      const version = /Client Version: (\S+)/.exec(v.stdout)?.[1];
      if (v.code !== 0 || !version) return { ok: false, reason: `${found.path} does not run: ${firstLines(v.stderr || v.stdout, 2)}`, install: installHint('kubectl') };
      return { ok: true, version: `kubectl ${version} kustomize (${found.path})` };
    } finally {
      await dispose();
    }
  },
  async validate({ artifacts, root }) {
    const found = locateTool('kubectl');
    if (!found.ok) throw new Error(found.reason);
    const { env, dispose } = await isolatedEnv('mlops-mcp-kubectl-');
    try {
      const verdicts: Verdict[] = [];
      for (const a of artifacts) {
        const dir = posix.dirname(a.path);
        const build = await run(found.path, ['kustomize', dir], { cwd: root, env });
        if (build.code !== 0) {
          verdicts.push({ path: a.path, validator: this.name, verdict: 'fail', message: `$ kubectl kustomize ${dir}\n${firstLines(`${build.stderr}\n${build.stdout}`, 8)}` });
          continue;
        }
        const problems = await validateManifest(build.stdout);
        verdicts.push(
          problems.length === 0
            ? { path: a.path, validator: this.name, verdict: 'pass', message: `kubectl kustomize ${dir}: ${objectCount(build.stdout)} objects, all valid` }
            : { path: a.path, validator: this.name, verdict: 'fail', message: `$ kubectl kustomize ${dir}: built objects fail validation\n${firstLines(problems.join('\n'), 8)}` },
        );
      }
      return verdicts;
    } finally {
      await dispose();
    }
  },
};
