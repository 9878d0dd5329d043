import { describe, expect, it } from 'vitest';
import { parseManifests, type KubeObject } from '../../src/generators/kubernetes/objects.js';
import { COST_COMPONENTS, COST_LABEL_KEYS, componentSelector, costComponentOf, costLabelValue } from '../../src/phases/mlops_engineer/naming.js';
import { labelValue } from '../../src/phases/observability_engineer/derive.js';
import { runAllPhases } from '../../src/pipeline/runPhases.js';
import type { ResolvedSpec } from '../../src/spec/resolve.js';
import { defaultSpec, richSpec, withPatch } from '../helpers/specs.js';

/**
 * OpenCost / Kubecost allocation labels: every workload object the mlops_engineer and kubernetes_architect phases
 * generate, and every pod template inside it, carries team, pipeline and component with valid label values.
 */

const LABEL_VALUE = /^(?:[a-z0-9](?:[a-z0-9._-]{0,61}[a-z0-9])?)$/;
const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Rollout', 'PyTorchJob', 'InferenceService', 'SeldonDeployment']);

interface Found {
  where: string;
  labels: Record<string, string> | undefined;
}

/** Every pod template in an object: any node with metadata and spec.containers, plus KServe's predictor (its labels go to the pods). */
function podTemplates(o: KubeObject): Found[] {
  const out: Found[] = [];
  const visit = (node: unknown, path: string) => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach((n, i) => visit(n, `${path}[${i}]`));
    const rec = node as Record<string, unknown>;
    const spec = rec.spec as Record<string, unknown> | undefined;
    if (path !== '' && spec && Array.isArray(spec.containers)) out.push({ where: path, labels: (rec.metadata as { labels?: Record<string, string> } | undefined)?.labels });
    for (const [k, v] of Object.entries(rec)) visit(v, `${path}.${k}`);
  };
  visit(o, '');
  if (o.kind === 'InferenceService') out.push({ where: '.spec.predictor', labels: (o.spec as { predictor: { labels?: Record<string, string> } }).predictor.labels });
  return out;
}

function generatedObjects(spec: ResolvedSpec): { file: string; object: KubeObject }[] {
  return runAllPhases(spec, 'kubernetes_architect')
    .artifacts.filter((a) => a.kind === 'kubernetes')
    .flatMap((a) => parseManifests(a.content).map((object) => ({ file: a.path, object })));
}

function problems(spec: ResolvedSpec): { problems: string[]; kinds: Set<string>; templates: number } {
  const out: string[] = [];
  const kinds = new Set<string>();
  let templates = 0;
  for (const { file, object } of generatedObjects(spec)) {
    if (!WORKLOAD_KINDS.has(object.kind)) continue;
    kinds.add(object.kind);
    const targets: Found[] = [{ where: '.metadata', labels: object.metadata.labels }, ...podTemplates(object)];
    templates += targets.length - 1;
    for (const t of targets) {
      const at = `${file} ${object.kind}/${object.metadata.name}${t.where}`;
      for (const key of COST_LABEL_KEYS) {
        const value = t.labels?.[key];
        if (value === undefined) out.push(`${at}: no ${key} label`);
        else if (!LABEL_VALUE.test(value)) out.push(`${at}: ${key}=${value} is not a valid label value`);
      }
      if (t.labels?.team !== undefined && t.labels.team !== costLabelValue(spec.team.owner)) out.push(`${at}: team=${t.labels.team}`);
      if (t.labels?.component !== undefined && !(COST_COMPONENTS as readonly string[]).includes(t.labels.component)) out.push(`${at}: component=${t.labels.component}`);
    }
  }
  return { problems: out, kinds, templates };
}

const HOSTILE_OWNER = '  Data Science & ML (EMEA) / Fraud — Team #7, whose name runs past sixty-three characters ';

const SPECS: [string, () => ResolvedSpec][] = [
  ['the default spec with a hostile owner', () => withPatch(defaultSpec(), { team: { owner: HOSTILE_OWNER } })],
  ['kserve, batch and stream', () => withPatch(defaultSpec(), { options: { serving_platform: 'kserve', deployment_mode: 'hybrid' } })],
  ['seldon', () => withPatch(defaultSpec(), { options: { serving_platform: 'seldon' } })],
  ['torchserve on azure', () => withPatch(defaultSpec(), { options: { serving_platform: 'torchserve', cloud_provider: 'azure' } })],
  ['triton with GPUs, distributed training and batch (the rich spec)', () => richSpec()],
];

describe('cost-allocation labels on every workload', () => {
  const seen = new Set<string>();
  it.each(SPECS)('%s: every workload and pod template carries team, pipeline and component', (_what, make) => {
    const r = problems(make());
    expect(r.problems).toEqual([]);
    expect(r.templates).toBeGreaterThan(0);
    for (const k of r.kinds) seen.add(k);
  });

  it('the specs above cover every workload kind the phases generate', () => {
    for (const kind of ['Deployment', 'CronJob', 'StatefulSet', 'SeldonDeployment', 'InferenceService']) expect(seen, kind).toContain(kind);
    expect(seen.has('PyTorchJob') || seen.has('Job')).toBe(true);
  });
});

describe('cost label values', () => {
  it('the team label is the one the observability phase allocates by (same rule as labelValue)', () => {
    for (const owner of ['ml-platform', HOSTILE_OWNER, 'ÄÖÜ', '---', 'a'.repeat(80), 'Team.Name_1']) {
      expect(costLabelValue(owner)).toBe(labelValue(owner));
      expect(costLabelValue(owner)).toMatch(LABEL_VALUE);
    }
  });

  it('maps components to what their cost is booked to', () => {
    expect(costComponentOf('model-server')).toBe('serving');
    expect(costComponentOf('model-shadow')).toBe('serving');
    expect(costComponentOf('online-store')).toBe('serving');
    expect(costComponentOf('training')).toBe('training');
    expect(costComponentOf('batch-scoring')).toBe('batch');
    expect(costComponentOf('stream-consumer')).toBe('stream');
    expect(costComponentOf('batch-vpa')).toBe('batch');
    expect(costComponentOf('serving-vpa')).toBe('serving');
    expect(costComponentOf('secrets')).toBe('platform');
    expect(costComponentOf('drift-monitor')).toBe('monitoring');
  });

  it('never enters a selector (changing the owner keeps every selector)', () => {
    const a = defaultSpec();
    const b = withPatch(a, { team: { owner: 'someone-else' } });
    expect(componentSelector(a, 'model-server', 'x')).toEqual(componentSelector(b, 'model-server', 'x'));
    expect(Object.keys(componentSelector(a, 'model-server', 'x'))).not.toContain('team');
  });
});
