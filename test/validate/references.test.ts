import { describe, expect, it } from 'vitest';
import { toYamlStream } from '../../src/generators/serializers/yaml.js';
import { referenceProblems } from '../../src/validate/validators/references.js';

const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'srv' } };
const pc = { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'critical' }, value: 1000 };
const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'model', namespace: 'srv' },
  spec: { selector: { matchLabels: { app: 'model' } }, template: { metadata: { labels: { app: 'model', tier: 'serving' } }, spec: { priorityClassName: 'critical', containers: [{ name: 'c', image: 'i', envFrom: [{ configMapRef: { name: 'cfg' } }] }] } } },
};
const cfg = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'srv' }, data: {} };
const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'model', namespace: 'srv' }, spec: { selector: { app: 'model' }, ports: [{ port: 80 }] } };
const hpa = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'model', namespace: 'srv' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'model' }, maxReplicas: 3 } };
const vs = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'model', namespace: 'srv' }, spec: { hosts: ['model'], http: [{ route: [{ destination: { host: 'model.srv.svc.cluster.local' } }] }] } };
const good = [ns, pc, cfg, deployment, service, hpa, vs];

function problems(objects: object[]): string[] {
  return [...referenceProblems([{ path: 'all.yaml', content: toYamlStream(objects) }]).values()].flat();
}

describe('cross-object references of one manifest set', () => {
  it('accepts a set where every selector, target, host and named dependency exists', () => {
    expect(problems(good)).toEqual([]);
  });

  it.each([
    ['a Service selecting no pod', [ns, pc, cfg, deployment, { ...service, spec: { selector: { app: 'modle' }, ports: [{ port: 80 }] } }], 'Service srv/model: selector {"app":"modle"} matches no pod template in srv'],
    ['an HPA on a missing workload', [ns, pc, cfg, deployment, { ...hpa, spec: { ...hpa.spec, scaleTargetRef: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'model' } } }], 'scale target Rollout model does not exist in srv'],
    ['a VirtualService to a missing host', [ns, pc, cfg, deployment, service, { ...vs, spec: { hosts: ['model'], http: [{ route: [{ destination: { host: 'canary.srv.svc.cluster.local' } }] }] } }], 'host canary.srv.svc.cluster.local is not a Service of these manifests'],
    ['a missing PriorityClass', [ns, cfg, deployment, service], 'PriorityClass critical does not exist'],
    ['a missing ConfigMap', [ns, pc, deployment, service], 'ConfigMap cfg does not exist in srv'],
    ['an object in a namespace nobody creates', [ns, pc, cfg, deployment, { ...service, metadata: { name: 'model', namespace: 'other' } }], 'namespace other is not created by these manifests'],
    ['a ServiceMonitor selecting no Service', [ns, pc, cfg, deployment, service, { apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 'm', namespace: 'srv' }, spec: { selector: { matchLabels: { app: 'nothing' } }, endpoints: [{ port: 'metrics' }] } }], 'ServiceMonitor srv/m: selector {"app":"nothing"} matches no Service in srv'],
    ['a ServiceMonitor on a port the Service does not name', [ns, pc, cfg, deployment, { ...service, metadata: { ...service.metadata, labels: { app: 'model' } } }, { apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 'm', namespace: 'srv' }, spec: { selector: { matchLabels: { app: 'model' } }, endpoints: [{ port: 'metrics' }] } }], 'no selected Service has a port named metrics'],
    ['a PodMonitor selecting no pod', [ns, pc, cfg, deployment, service, { apiVersion: 'monitoring.coreos.com/v1', kind: 'PodMonitor', metadata: { name: 'p', namespace: 'srv' }, spec: { selector: { matchLabels: { app: 'modle' } }, podMetricsEndpoints: [{ port: 'metrics' }] } }], 'PodMonitor srv/p: selector {"app":"modle"} matches no pod template in srv'],
  ])('reports %s', (_what, objects, message) => {
    expect(problems(objects).join('\n')).toContain(message);
  });

  it('knows the objects serving controllers create: KServe predictors, Seldon predictor Services', () => {
    const isvc = { apiVersion: 'serving.kserve.io/v1beta1', kind: 'InferenceService', metadata: { name: 'm', namespace: 'srv' }, spec: { predictor: { labels: { app: 'm' } } } };
    const hpaOnPredictor = { ...hpa, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'm-predictor' }, maxReplicas: 3 } };
    const svc = { ...service, spec: { selector: { app: 'm' }, ports: [{ port: 80 }] } };
    const toPredictor = { ...vs, spec: { hosts: ['m'], http: [{ route: [{ destination: { host: 'm-predictor.srv.svc.cluster.local' } }] }] } };
    // Serverless mode (the default) has no Deployment of a fixed name; RawDeployment mode has <isvc>-predictor.
    expect(problems([ns, isvc, svc, toPredictor])).toEqual([]);
    expect(problems([ns, isvc, hpaOnPredictor, svc]).join('\n')).toContain('scale target Deployment m-predictor does not exist');
    const raw = { ...isvc, metadata: { ...isvc.metadata, annotations: { 'serving.kserve.io/deploymentMode': 'RawDeployment' } } };
    expect(problems([ns, raw, hpaOnPredictor, svc])).toEqual([]);
  });
});
