import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '../../../src/generators/kubernetes/parameters.js';
import { objectKey, parseManifests, type KubeObject } from '../../../src/generators/kubernetes/objects.js';
import { runAllPhases } from '../../../src/pipeline/runPhases.js';
import { specFromRequirements, type ResolvedSpec } from '../../../src/spec/resolve.js';
import { locateTool } from '../../../src/validate/tools.js';
import { defaultSpec, richSpec, withPatch } from '../../helpers/specs.js';
import { tempDir } from '../../helpers/tmp.js';

const helm = locateTool('helm');
const kubectl = locateTool('kubectl');
// In CI a missing binary is a failure (the install step fetches both); locally the test says why it skipped.
const needsTools = process.env.CI ? it : it.skipIf(!helm.ok || !kubectl.ok);

function byKey(objects: KubeObject[]): Map<string, KubeObject> {
  return new Map(objects.filter((o) => !o.metadata.annotations?.['helm.sh/hook']).map((o) => [objectKey(o), o]));
}

function rendered(stdout: string): KubeObject[] {
  return parseAllDocuments(stdout)
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null);
}

const CASES: [string, () => ResolvedSpec][] = [
  ['the default spec', () => defaultSpec()],
  ['a rich spec (triton, hybrid, airflow, gcp, GPUs)', () => richSpec()],
  ['seldon, batch, kubeflow, azure', () => withPatch(defaultSpec(), { options: { serving_platform: 'seldon', deployment_mode: 'batch', orchestration: 'kubeflow', cloud_provider: 'azure' } })],
  ['kserve, streaming, prefect, aws', () => withPatch(defaultSpec(), { options: { serving_platform: 'kserve', deployment_mode: 'streaming', orchestration: 'prefect', cloud_provider: 'aws' } })],
  ['torchserve, hybrid, dagster, multi-cloud', () => withPatch(defaultSpec(), { options: { serving_platform: 'torchserve', deployment_mode: 'hybrid', orchestration: 'dagster', cloud_provider: 'multi-cloud' } })],
  ['template delimiters in user text', () => specFromRequirements({ requirements: 'Churn {{ .Values.x }} scoring', spec: { team: { owner: '{{ fail "boom" }} team' } } }).spec],
];

describe('the Helm chart renders the plain manifests', () => {
  needsTools.each(CASES)('for %s: default values = the kustomize base, values-<env>.yaml = overlays/<env>', (_name, make) => {
    const spec = make();
    const files = runAllPhases(spec, 'kubernetes_architect').artifacts;
    const root = tempDir();
    for (const f of files) {
      mkdirSync(dirname(join(root, f.path)), { recursive: true });
      writeFileSync(join(root, f.path), f.content);
    }
    const chart = join(root, 'deploy/helm', spec.name);
    const env = { ...process.env, HELM_CACHE_HOME: join(root, '.helm'), HELM_CONFIG_HOME: join(root, '.helm'), HELM_DATA_HOME: join(root, '.helm') };
    const template = (...args: string[]) => rendered(execFileSync(helm.ok ? helm.path : 'helm', ['template', spec.name, chart, ...args], { env, encoding: 'utf8', maxBuffer: 64 << 20 }));
    const base = files.filter((f) => f.path.startsWith('deploy/k8s/base/') && f.kind === 'kubernetes').flatMap((f) => parseManifests(f.content));
    expect(base.length).toBeGreaterThan(5);

    const defaults = byKey(template());
    expect([...defaults.keys()].sort()).toEqual([...byKey(base).keys()].sort());
    for (const [key, obj] of byKey(base)) expect(defaults.get(key), key).toEqual(obj);

    for (const e of ENVIRONMENTS) {
      const overlay = byKey(rendered(execFileSync(kubectl.ok ? kubectl.path : 'kubectl', ['kustomize', join(root, 'deploy/k8s/overlays', e)], { encoding: 'utf8', maxBuffer: 64 << 20 })));
      const chartEnv = byKey(template('-f', join(chart, `values-${e}.yaml`)));
      expect([...chartEnv.keys()].sort(), e).toEqual([...overlay.keys()].sort());
      for (const [key, obj] of overlay) expect(chartEnv.get(key), `${e} ${key}`).toEqual(obj);
    }
  });
});
