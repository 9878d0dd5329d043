import { describe, expect, it } from 'vitest';
import { parseManifests, type KubeObject } from '../../src/generators/kubernetes/objects.js';
import type { DecisionsByPhase } from '../../src/phases/types.js';
import { manifestEvidence } from '../../src/pipeline/manifestEvidence.js';
import { runAllPhases } from '../../src/pipeline/runPhases.js';
import { scoreCriteria } from '../../src/pipeline/scorecard.js';
import type { ResolvedSpec } from '../../src/spec/resolve.js';
import { defaultSpec, richSpec, withPatch } from '../helpers/specs.js';

function design(spec: ResolvedSpec) {
  const { outputs, artifacts } = runAllPhases(spec);
  const decisions = Object.fromEntries(Object.entries(outputs).map(([p, o]) => [p, o!.decisions])) as Partial<DecisionsByPhase>;
  const objects = artifacts.filter((a) => a.kind === 'kubernetes' && a.path.startsWith('deploy/k8s/base/')).flatMap((a) => parseManifests(a.content));
  return { decisions, objects };
}

function score(spec: ResolvedSpec, edit: (objects: KubeObject[]) => KubeObject[] = (o) => o) {
  const { decisions, objects } = design(spec);
  return Object.fromEntries(scoreCriteria(spec, decisions, new Set(), manifestEvidence(edit(objects))).map((c) => [c.id, c]));
}

describe('success criteria judged on the generated Kubernetes objects', () => {
  it.each([
    ['the default spec', defaultSpec()],
    ['a rich spec', richSpec()],
    ['seldon', withPatch(defaultSpec(), { options: { serving_platform: 'seldon' } })],
    ['kserve on gcp', withPatch(defaultSpec(), { options: { serving_platform: 'kserve', cloud_provider: 'gcp' } })],
    ['triton, streaming', withPatch(defaultSpec(), { options: { serving_platform: 'triton', deployment_mode: 'streaming' } })],
  ])('cites the objects that meet uptime, rollback, autoscaling and spot share for %s', (_name, spec) => {
    const c = score(spec);
    for (const id of ['ops.rollback', 'cost.spot_share']) expect(c[id]!.status, `${id}: ${c[id]!.evidence}`).toBe('met');
    if (spec.options.deployment_mode !== 'batch' && spec.options.deployment_mode !== 'streaming') {
      for (const id of ['ops.uptime', 'cost.autoscaling']) expect(c[id]!.status, `${id}: ${c[id]!.evidence}`).toBe('met');
      expect(c['ops.uptime']!.evidence).toMatch(/PodDisruptionBudget \S+/);
      expect(c['ops.rollback']!.evidence).toMatch(/analysis .*p99/i);
    }
    expect(c['cost.spot_share']!.evidence).toMatch(/prefer spot with on-demand fallback/);
  });

  it('is not met when the object that carries the criterion is missing', () => {
    const spec = defaultSpec();
    expect(score(spec, (o) => o.filter((x) => x.kind !== 'PodDisruptionBudget'))['ops.uptime']!.status).toBe('not_met');
    expect(score(spec, (o) => o.filter((x) => x.kind !== 'AnalysisTemplate'))['ops.rollback']!.status).toBe('not_met');
    const noAutoscaler = (o: KubeObject[]) => o.filter((x) => !['HorizontalPodAutoscaler', 'ScaledObject'].includes(x.kind)).map((x) => (x.kind === 'InferenceService' || x.kind === 'SeldonDeployment' ? { ...x, spec: {} } : x));
    expect(score(spec, noAutoscaler)['cost.autoscaling']!.status).toBe('not_met');
    const noSpot = (o: KubeObject[]) => o.map((x) => JSON.parse(JSON.stringify(x).replace(/"preferredDuringSchedulingIgnoredDuringExecution"/g, '"unused"')) as KubeObject);
    expect(score(spec, noSpot)['cost.spot_share']!.status).toBe('not_met');
  });
});
