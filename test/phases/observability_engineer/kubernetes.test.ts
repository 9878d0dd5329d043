import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { Artifact } from '../../../src/artifacts/artifact.js';
import { MONITORING_K8S_DIR } from '../../../src/phases/observability_engineer/artifacts.js';
import { RETRAINING_TRIGGER_PORT, pushgatewayAddress } from '../../../src/phases/observability_engineer/kubernetes.js';
import { buildPlan } from '../../../src/phases/observability_engineer/plan.js';
import { runAllPhases } from '../../../src/pipeline/runPhases.js';
import type { ResolvedSpec } from '../../../src/spec/resolve.js';
import { kubernetesValidator } from '../../../src/validate/validators/kubernetes.js';
import { referenceProblems } from '../../../src/validate/validators/references.js';
import { upstreamFor, writeArtifacts } from '../../helpers/phaseHarness.js';
import { defaultSpec, withPatch } from '../../helpers/specs.js';

const withOptions = (spec: ResolvedSpec, options: Record<string, string>) => withPatch(spec, { options });

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec?: Record<string, unknown>; data?: Record<string, string> };

function bundle(spec: ResolvedSpec): Artifact[] {
  return runAllPhases(spec).artifacts;
}

function objects(files: readonly Artifact[], prefix: string): Obj[] {
  return files.filter((f) => f.path.startsWith(prefix) && f.kind === 'kubernetes').flatMap((f) => parseAllDocuments(f.content).map((d) => d.toJS() as Obj));
}

describe('the monitoring objects of each cluster (deploy/k8s/monitoring)', () => {
  const spec = defaultSpec();
  const files = bundle(spec);
  const mon = objects(files, `${MONITORING_K8S_DIR}/`);
  const plan = buildPlan(spec, upstreamFor(spec, 'observability_engineer'));

  it('ships the rule file as a PrometheusRule with the very same groups', () => {
    const rule = mon.find((o) => o.kind === 'PrometheusRule')!;
    const file = parseYaml(files.find((f) => f.path === 'monitoring/prometheus/rules.yml')!.content) as { groups: unknown[] };
    expect(rule.spec).toEqual({ groups: file.groups });
    expect(rule.metadata.namespace).toBe(plan.namespaces.monitoring);
  });

  it('has a ServiceMonitor for the model server, the Pushgateway and the retraining trigger, each on a real Service port', () => {
    const monitors = mon.filter((o) => o.kind === 'ServiceMonitor');
    expect(monitors.map((m) => m.metadata.name).sort()).toEqual([`${spec.name}-model-server`, `${spec.name}-pushgateway`, `${spec.name}-retraining-trigger`].sort());
    const serving = monitors.find((m) => m.metadata.name === `${spec.name}-model-server`)!;
    const endpoint = (serving.spec!.endpoints as { port: string; path: string; relabelings: { replacement: string }[] }[])[0]!;
    expect(endpoint.port).toBe('metrics');
    expect(endpoint.path).toBe(plan.up.mlops_engineer.serving.metrics_path);
    // ModelServingDown selects on this job label.
    expect(endpoint.relabelings[0]!.replacement).toBe(plan.servingJob);
    const all = files.filter((f) => f.path.startsWith('deploy/k8s/') && f.kind === 'kubernetes');
    const problems = [...referenceProblems(all).entries()].filter(([, p]) => p.length > 0);
    expect(problems).toEqual([]);
  });

  it('runs the drift monitor on the drift schedule, with its config, pushing to the Pushgateway it deploys', () => {
    const cron = mon.find((o) => o.kind === 'CronJob' && o.metadata.labels?.['app.kubernetes.io/component'] === 'drift-monitor')!;
    // The Job controller appends 11 characters to a CronJob's name: at most 52 for the longest pipeline name (40).
    for (const o of mon.filter((x) => x.kind === 'CronJob')) expect(o.metadata.name.length - spec.name.length + 40, o.metadata.name).toBeLessThanOrEqual(52);
    expect((cron.spec as { schedule: string }).schedule).toBe(plan.drift.schedule);
    const text = JSON.stringify(cron);
    expect(text).toContain('observability.drift');
    expect(text).toContain(pushgatewayAddress(plan));
    const config = mon.find((o) => o.kind === 'ConfigMap' && o.metadata.name.endsWith('-drift-config'))!;
    expect(Object.keys(config.data!)).toEqual(['drift_config.yaml']);
    const trigger = mon.find((o) => o.kind === 'Service' && o.metadata.name.endsWith('-retraining-trigger'))!;
    expect(JSON.stringify(trigger.spec)).toContain(String(RETRAINING_TRIGGER_PORT));
  });

  it('is synced to every environment by Argo CD and rendered by kustomize from its own folder', () => {
    const apps = objects(files, 'deploy/argocd/apps/monitoring.yaml');
    expect(apps.map((a) => a.metadata.name)).toEqual(['dev', 'staging', 'prod'].map((e) => `${spec.name}-monitoring-${e}`));
    const kustomization = parseYaml(files.find((f) => f.path === `${MONITORING_K8S_DIR}/kustomization.yaml`)!.content) as { resources: string[] };
    expect(kustomization.resources.map((r) => `${MONITORING_K8S_DIR}/${r}`).every((p) => files.some((f) => f.path === p))).toBe(true);
  });

  it('every object passes the Kubernetes schema validator', async () => {
    const own = files.filter((f) => f.path.startsWith(`${MONITORING_K8S_DIR}/`) && f.kind === 'kubernetes');
    const verdicts = await kubernetesValidator.validate({ artifacts: own, root: writeArtifacts(own), bundle: files });
    expect(verdicts.filter((v) => v.verdict !== 'pass')).toEqual([]);
  });
});

describe('the monitoring objects follow monitoring_stack and serving_platform', () => {
  it('vendor stacks (datadog, newrelic) get no Prometheus operator objects, but still the drift and quality jobs', () => {
    for (const stack of ['datadog', 'newrelic'] as const) {
      const files = bundle(withOptions(defaultSpec(), { monitoring_stack: stack }));
      const kinds = objects(files, `${MONITORING_K8S_DIR}/`).map((o) => o.kind);
      expect(kinds).not.toContain('PrometheusRule');
      expect(kinds).not.toContain('ServiceMonitor');
      expect(kinds.filter((k) => k === 'CronJob')).toHaveLength(2);
    }
  });

  it('the custom stack keeps the rules and the Pushgateway but scrapes serving through the collector', () => {
    const files = bundle(withOptions(defaultSpec(), { monitoring_stack: 'custom' }));
    const monitors = objects(files, `${MONITORING_K8S_DIR}/`).filter((o) => o.kind === 'ServiceMonitor').map((o) => o.metadata.name);
    expect(monitors.some((m) => m.endsWith('-model-server'))).toBe(false);
    expect(monitors.some((m) => m.endsWith('-pushgateway'))).toBe(true);
  });

  it('scrapes each serving platform on its own metrics path', () => {
    const paths = new Set<string>();
    for (const platform of ['kserve', 'seldon', 'torchserve', 'triton'] as const) {
      const spec = withOptions(defaultSpec(), { serving_platform: platform });
      const files = bundle(spec);
      const serving = objects(files, `${MONITORING_K8S_DIR}/`).find((o) => o.kind === 'ServiceMonitor' && o.metadata.name.endsWith('-model-server'))!;
      paths.add((serving.spec!.endpoints as { path: string }[])[0]!.path);
      const problems = [...referenceProblems(files.filter((f) => f.path.startsWith('deploy/k8s/') && f.kind === 'kubernetes')).values()].flat();
      expect(problems, platform).toEqual([]);
    }
    // Our server (kserve, seldon), TorchServe and Triton all serve Prometheus text on /metrics.
    expect([...paths]).toEqual(['/metrics']);
  });
});
