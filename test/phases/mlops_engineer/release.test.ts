import { describe, expect, it } from 'vitest';
import type { IRollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout';
import type { IAnalysisTemplate } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate';
import type { IVirtualService } from '@kubernetes-models/istio/networking.istio.io/v1/VirtualService';
import { SeldonPredictorSpec } from '../../../src/validate/crds/seldon.js';
import { validateManifest } from '../../../src/validate/validators/kubernetes.js';
import { shellcheck, withSpec } from '../../helpers/phaseHarness.js';
import { defaultSpec, richSpec } from '../../helpers/specs.js';
import { AB, ANALYSIS_RUN, PLATFORMS, RELEASE, SERVING, artifactText, baseObjects, kinds, objectsAt, one, run, withOptions, type Out } from './objects.js';

const rolloutOf = (out: Out) => one(objectsAt(out, SERVING), 'Rollout') as unknown as IRollout;
const templates = (out: Out) => objectsAt(out, RELEASE).filter((o) => o.kind === 'AnalysisTemplate') as unknown as IAnalysisTemplate[];
const lowTraffic = (platform: (typeof PLATFORMS)[number]) => withSpec(withOptions(defaultSpec(), { serving_platform: platform }), (s) => (s.scale.peak_rps = 3));

describe('mlops_engineer release: Argo Rollout canary (torchserve, triton)', () => {
  for (const platform of ['torchserve', 'triton'] as const) {
    const out = run(withOptions(defaultSpec(), { serving_platform: platform }));
    const r = out.decisions.rollout;
    const rollout = rolloutOf(out);

    it(`${platform}: steps, Istio subset routing and background analysis come from rollout.*`, () => {
      const canary = rollout.spec.strategy!.canary!;
      expect(r.strategy).toBe('canary');
      expect(canary.steps).toEqual(r.steps.filter((s) => s.weight < 100).flatMap((s) => [{ setWeight: s.weight }, { pause: { duration: `${s.pause_seconds}s` } }]));
      expect(canary.trafficRouting?.istio).toEqual({
        virtualService: { name: out.decisions.serving.service_name, routes: ['primary'] },
        destinationRule: { name: out.decisions.serving.service_name, canarySubsetName: 'canary', stableSubsetName: 'stable' },
      });
      expect(canary.analysis?.templates?.map((t) => t.templateName)).toEqual(r.analysis.templates);
      expect(canary.analysis?.args).toEqual([{ name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } }]);
      expect(canary.abortScaleDownDelaySeconds).toBe(r.scale_back_seconds);
      const vs = one(objectsAt(out, RELEASE), 'VirtualService') as unknown as IVirtualService;
      expect(vs.spec!.http![0]!.route!.map((x) => [x.destination?.subset, x.weight])).toEqual([
        ['stable', 100],
        ['canary', 0],
      ]);
      expect(kinds(objectsAt(out, RELEASE))).toContain('DestinationRule');
    });

    it(`${platform}: rollback fits the SLO: interval × (failureLimit + 1) + abort scale-down ≤ rollback budget`, () => {
      for (const t of templates(out)) {
        const m = t.spec.metrics![0]!;
        expect(m.interval).toBe(`${r.analysis_interval_seconds}s`);
        const worst = r.analysis_interval_seconds * (Number(m.failureLimit) + 1) + rollout.spec.strategy!.canary!.abortScaleDownDelaySeconds!;
        expect(worst).toBe(r.worst_case_rollback_seconds);
        expect(worst).toBeLessThanOrEqual(defaultSpec().slo.rollback_minutes * 60);
        // The background run covers the whole canary.
        expect(Number(m.count) * r.analysis_interval_seconds).toBeGreaterThanOrEqual(r.rollout_seconds);
      }
    });
  }

  it('a tight rollback SLO shortens the interval the AnalysisTemplates use', () => {
    const out = run(withSpec(withOptions(defaultSpec(), { serving_platform: 'triton' }), (s) => (s.slo.rollback_minutes = 1)));
    for (const t of templates(out)) expect(t.spec.metrics![0]!.interval).toBe('15s');
    expect(out.decisions.rollout.worst_case_rollback_seconds).toBeLessThanOrEqual(60);
  });
});

describe('mlops_engineer release: blue-green (low traffic)', () => {
  for (const platform of ['torchserve', 'triton'] as const) {
    it(`${platform}: active/preview Services, pre- and post-promotion analysis, blue kept for the post-switch window`, () => {
      const out = run(lowTraffic(platform));
      const r = out.decisions.rollout;
      expect(r.strategy).toBe('blue_green');
      const bg = rolloutOf(out).spec.strategy!.blueGreen!;
      expect(bg).toMatchObject({ activeService: out.decisions.serving.service_name, previewService: `${out.decisions.serving.service_name.replace(/-model-server$/, '')}-model-server-preview`, autoPromotionEnabled: true });
      expect(bg.prePromotionAnalysis?.templates?.length).toBe(2);
      expect(bg.postPromotionAnalysis?.templates?.length).toBe(2);
      expect(bg.scaleDownDelaySeconds).toBe(r.steps[1]!.pause_seconds + r.scale_back_seconds);
      const release = objectsAt(out, RELEASE);
      expect(release.filter((o) => o.kind === 'Service').map((o) => o.metadata.name)).toEqual([bg.previewService]);
      expect(kinds(release)).not.toContain('DestinationRule');
      // The preview gets the shadow mirror, so its analysis sees real requests.
      const vs = one(release, 'VirtualService') as unknown as IVirtualService;
      expect(vs.spec!.http![0]!.mirror?.host).toMatch(new RegExp(`^${bg.previewService}\\.`));
      for (const t of templates(out)) expect(t.spec.metrics![0]!.count).toBe(r.failure_limit);
    });
  }
});

describe('mlops_engineer release: platform-native releases (kserve, seldon)', () => {
  it('kserve: canaryTrafficPercent steps with an AnalysisRun between them; ignoreDifferences for the field', async () => {
    const out = run(defaultSpec());
    const r = out.decisions.rollout;
    expect(r.mechanism).toBe('kserve-canary-traffic-percent');
    const script = artifactText(out, 'scripts/deploy.sh');
    for (const w of r.steps.map((s) => s.weight)) expect(script).toContain(`"canaryTrafficPercent":${w}`);
    expect(script.match(/run_analysis \d/g)).toHaveLength(r.steps.filter((s) => s.pause_seconds > 0 && s.weight > 0).length);
    expect(script).toContain('"canaryTrafficPercent":0');
    expect(shellcheck(script)).toEqual({ ok: true, output: '' });
    const ar = one(objectsAt(out, ANALYSIS_RUN), 'AnalysisRun');
    expect(await validateManifest(artifactText(out, ANALYSIS_RUN))).toEqual([]);
    expect((ar.spec as { args: { name: string }[] }).args.map((a) => a.name)).toEqual(['canary-workload']);
    expect(r.argocd_ignore_differences).toContainEqual(expect.objectContaining({ kind: 'InferenceService', json_pointers: ['/spec/predictor/canaryTrafficPercent'] }));
  });

  it('seldon: a canary predictor is added, traffic moved, stable promoted; the canary JSON passes the strict schema', () => {
    const out = run(withOptions(defaultSpec(), { serving_platform: 'seldon' }));
    expect(out.decisions.rollout.mechanism).toBe('seldon-predictor-traffic');
    const canary = JSON.parse(artifactText(out, 'deploy/k8s/release/seldon-canary-predictor.json')) as unknown;
    expect(SeldonPredictorSpec.parse(canary)).toMatchObject({ name: 'canary', traffic: out.decisions.rollout.steps[0]!.weight });
    const script = artifactText(out, 'scripts/deploy.sh');
    expect(script).toContain('seldon_weight 25');
    expect(script).toContain("'detect-fraudulent-card-payments-canary-0-model'");
    expect(script).toContain('"op":"remove","path":"/spec/predictors/2"');
    expect(shellcheck(script)).toEqual({ ok: true, output: '' });
  });

  it('blue-green on a native platform waits out the 0 % preview instead of analysing no traffic', () => {
    const out = run(lowTraffic('kserve'));
    const script = artifactText(out, 'scripts/deploy.sh');
    expect(script).toMatch(/# step 1: 0 % for \d+ s\n {2}sleep \d+/);
    expect(script).toMatch(/# step 2: 100 % for \d+ s\n {2}run_analysis 2/);
  });

  it('torchserve/triton delegate the steps to the Rollout and watch it with kubectl argo rollouts', () => {
    const out = run(withOptions(defaultSpec(), { serving_platform: 'torchserve' }));
    const script = artifactText(out, 'scripts/deploy.sh');
    expect(script).toContain("kubectl argo rollouts --context \"$PROD_CONTEXT\" -n \"$NAMESPACE\" status 'detect-fraudulent-card-payments-model-server'");
    expect(artifactText(out, 'docs/runbooks/rollback.md')).toContain('kubectl argo rollouts abort detect-fraudulent-card-payments-model-server');
    expect(artifactText(out, 'docs/runbooks/rollback.md')).toContain('kubectl argo rollouts undo detect-fraudulent-card-payments-model-server');
  });

  it('each platform has its own abort command in the rollback runbook', () => {
    const rb = (p: (typeof PLATFORMS)[number]) => artifactText(run(withOptions(defaultSpec(), { serving_platform: p })), 'docs/runbooks/rollback.md');
    expect(rb('kserve')).toContain('kubectl patch inferenceservice detect-fraudulent-card-payments');
    expect(rb('seldon')).toContain('kubectl patch seldondeployment detect-fraudulent-card-payments');
  });
});

describe('mlops_engineer release: analysis per monitoring_stack', () => {
  const stacks = ['prometheus', 'datadog', 'newrelic', 'custom'] as const;
  const outs = Object.fromEntries(stacks.map((s) => [s, run(withOptions(defaultSpec(), { monitoring_stack: s, serving_platform: 'triton' }))])) as Record<(typeof stacks)[number], Out>;
  const provider = (o: Out) => templates(o)[0]!.spec.metrics![0]!.provider;

  it('prometheus: in-cluster Prometheus, Triton counters for errors, Istio histogram for p99', () => {
    const p = provider(outs.prometheus).prometheus!;
    expect(p.address).toBe('http://prometheus.ml-detect-fraudulent-card-payments-monitoring.svc.cluster.local:9090');
    expect(p.query).toContain('nv_inference_request_failure');
    expect(p.query).toContain('nv_inference_request_success');
    expect(templates(outs.prometheus)[1]!.spec.metrics![0]!.provider.prometheus!.query).toContain('histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{reporter="destination"');
  });

  it('datadog and newrelic use their Argo Rollouts providers', () => {
    expect(provider(outs.datadog).datadog).toMatchObject({ apiVersion: 'v2', formula: 'a' });
    expect(provider(outs.datadog).datadog!.queries!.a).toContain('istio.mesh.request.count.total');
    expect(provider(outs.newrelic).newRelic!.query).toMatch(/^SELECT .* AS errorRate FROM Metric/);
    expect(templates(outs.newrelic)[0]!.spec.metrics![0]!.successCondition).toBe('result.errorRate <= 0.01');
  });

  it('every stack changes the AnalysisTemplates (custom: Prometheus fed by the OpenTelemetry Collector)', () => {
    const texts = stacks.map((s) => artifactText(outs[s], RELEASE));
    expect(new Set(texts).size).toBe(stacks.length);
    expect(templates(outs.custom)[0]!.metadata?.annotations?.['mlops-mcp/metrics-source']).toContain('OpenTelemetry Collector');
    expect(stacks.map((s) => outs[s].decisions.rollout.analysis.provider)).toEqual(['prometheus', 'datadog', 'newRelic', 'prometheus']);
  });

  it('thresholds come from the SLO: p99 ≤ slo.p99_latency_ms, error rate ≤ max(1 %, 1 − availability)', () => {
    const [err, lat] = templates(outs.prometheus).map((t) => t.spec.metrics![0]!);
    expect(err!.successCondition).toBe('result[0] <= 0.01');
    expect(lat!.successCondition).toBe('result[0] <= 200');
    const loose = run(withSpec(withOptions(defaultSpec(), { serving_platform: 'triton' }), (s) => (s.slo.availability_pct = 95)));
    expect(templates(loose)[0]!.spec.metrics![0]!.successCondition).toBe('result[0] <= 0.05');
  });

  it('kserve and seldon select the candidate workload; torchserve/triton the Rollout pod-template hash', () => {
    const q = (p: (typeof PLATFORMS)[number]) => templates(run(withOptions(defaultSpec(), { serving_platform: p })))[0]!.spec.metrics![0]!.provider.prometheus!.query!;
    expect(q('kserve')).toContain('pod=~"{{args.canary-workload}}-.*"');
    expect(q('kserve')).toContain('istio_requests_total');
    expect(q('torchserve')).toContain('Requests5XX');
    expect(q('torchserve')).toContain('ts_inference_requests_total');
    expect(q('torchserve')).toContain('pod=~"detect-fraudulent-card-payments-model-server-{{args.canary-hash}}-.*"');
  });
});

describe('mlops_engineer release: shadow traffic', () => {
  it('online: the mirror share of rollout.shadow_mirror_pct reaches a shadow workload on every platform', () => {
    for (const platform of PLATFORMS) {
      const out = run(withOptions(defaultSpec(), { serving_platform: platform }));
      const pct = out.decisions.rollout.shadow_mirror_pct;
      expect(out.decisions.rollout.shadow_target).not.toBeNull();
      if (platform === 'seldon') {
        const sdep = one(objectsAt(out, SERVING), 'SeldonDeployment') as unknown as { spec: { predictors: { shadow?: boolean; traffic?: number }[] } };
        expect(sdep.spec.predictors.filter((p) => p.shadow).map((p) => p.traffic)).toEqual([pct]);
      } else {
        const vs = objectsAt(out, RELEASE).filter((o) => o.kind === 'VirtualService') as unknown as IVirtualService[];
        const mirrored = vs.flatMap((v) => v.spec!.http!).filter((h) => h.mirror);
        expect(mirrored.map((h) => h.mirrorPercentage?.value)).toEqual([pct]);
        expect(mirrored[0]!.mirror!.host).toContain(out.decisions.rollout.shadow_target!.service);
      }
    }
  });

  it('batch-only: no shadow, no release objects, no experiment', () => {
    for (const platform of PLATFORMS) {
      const out = run(withOptions(defaultSpec(), { serving_platform: platform, deployment_mode: 'batch' }));
      expect(out.decisions.rollout.shadow_target).toBeNull();
      expect(out.artifacts.map((a) => a.path)).not.toContain(RELEASE);
      expect(out.artifacts.map((a) => a.path)).not.toContain(AB);
    }
  });
});

describe('mlops_engineer release: A/B experiment', () => {
  for (const platform of PLATFORMS) {
    it(`${platform}: treatment workload, subsets by variant label, weights = experiment.treatment_share`, async () => {
      const spec = withSpec(withOptions(richSpec(), { serving_platform: platform }), (s) => (s.experiment.treatment_share = 0.2));
      const out = run(spec);
      const ab = objectsAt(out, AB);
      expect(await validateManifest(artifactText(out, AB))).toEqual([]);
      const e = out.decisions.ab_experiment!;
      expect(e.treatment_weight_pct).toBe(20);
      one(ab, e.treatment_workload.kind, e.treatment_workload.name);
      const dr = one(ab, 'DestinationRule') as unknown as { spec: { subsets: { name: string; labels: Record<string, string> }[] } };
      expect(dr.spec.subsets).toEqual([
        { name: 'control', labels: { 'mlops-mcp/variant': 'control' } },
        { name: 'treatment', labels: { 'mlops-mcp/variant': 'treatment' } },
      ]);
      const vs = one(ab, 'VirtualService') as unknown as IVirtualService;
      const fallback = vs.spec!.http!.find((h) => !h.match)!;
      expect(fallback.route!.map((r) => [r.destination?.subset, r.weight])).toEqual([
        ['control', 80],
        ['treatment', 20],
      ]);
      expect(vs.spec!.http!.filter((h) => h.match).map((h) => h.match![0]!.headers!['x-ab-arm']!.exact)).toEqual(['treatment', 'control']);
      // Control pods of the kustomize base carry the control variant label.
      expect(out.decisions.serving.pod_labels['mlops-mcp/variant']).toBe('control');
      expect(baseObjects(out).length).toBeGreaterThan(0);
    });
  }
});
