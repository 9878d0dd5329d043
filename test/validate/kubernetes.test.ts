import { describe, expect, it } from 'vitest';
import { toYaml, toYamlStream } from '../../src/generators/serializers/yaml.js';
import { MODEL_PACKAGES, modelModule, validateManifest } from '../../src/validate/validators/kubernetes.js';

const meta = { name: 'fraud', namespace: 'ml-serving' };
const podTemplate = { metadata: { labels: { app: 'fraud' } }, spec: { containers: [{ name: 'model', image: 'registry.example/fraud:1.0.0' }] } };

// One good object per API group/kind we emit, each resolved to its own model package.
const good = {
  'argo-cd Application': {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'fraud-prod', namespace: 'argocd' },
    spec: { project: 'default', source: { repoURL: 'https://git.example/ml.git', path: 'deploy/k8s/overlays/prod', targetRevision: 'main' }, destination: { server: 'https://kubernetes.default.svc', namespace: 'ml-serving' } },
  },
  'argo-cd AppProject': { apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: 'ml', namespace: 'argocd' }, spec: { sourceRepos: ['*'] } },
  'argo-rollouts Rollout': {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: meta,
    spec: { replicas: 3, selector: { matchLabels: { app: 'fraud' } }, template: podTemplate, strategy: { canary: { steps: [{ setWeight: 10 }, { pause: { duration: '1m' } }] } } },
  },
  'argo-rollouts AnalysisTemplate': {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: meta,
    spec: { metrics: [{ name: 'error-rate', interval: '30s', failureLimit: 1, successCondition: 'result[0] < 0.01', provider: { prometheus: { address: 'http://prometheus:9090', query: 'sum(rate(errors[1m]))' } } }] },
  },
  'keda ScaledObject': {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: meta,
    spec: { scaleTargetRef: { name: 'fraud-consumer' }, minReplicaCount: 1, maxReplicaCount: 10, triggers: [{ type: 'kafka', metadata: { bootstrapServers: 'kafka:9092', consumerGroup: 'fraud', topic: 'payments', lagThreshold: '100' } }] },
  },
  'keda TriggerAuthentication': { apiVersion: 'keda.sh/v1alpha1', kind: 'TriggerAuthentication', metadata: meta, spec: { secretTargetRef: [{ parameter: 'sasl', name: 'kafka', key: 'sasl' }] } },
  'istio VirtualService v1': {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: meta,
    spec: { hosts: ['fraud'], http: [{ route: [{ destination: { host: 'fraud', subset: 'a' }, weight: 50 }, { destination: { host: 'fraud', subset: 'b' }, weight: 50 }], mirror: { host: 'fraud-shadow' } }] },
  },
  'istio DestinationRule v1beta1': { apiVersion: 'networking.istio.io/v1beta1', kind: 'DestinationRule', metadata: meta, spec: { host: 'fraud', subsets: [{ name: 'a', labels: { version: 'a' } }] } },
  'prometheus-operator ServiceMonitor': { apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: meta, spec: { selector: { matchLabels: { app: 'fraud' } }, endpoints: [{ port: 'http', interval: '30s' }] } },
  'prometheus-operator PodMonitor': { apiVersion: 'monitoring.coreos.com/v1', kind: 'PodMonitor', metadata: meta, spec: { selector: { matchLabels: { app: 'fraud' } }, podMetricsEndpoints: [{ port: 'http' }] } },
  'prometheus-operator PrometheusRule': { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: meta, spec: { groups: [{ name: 'fraud', rules: [{ alert: 'FraudDown', expr: 'up == 0', for: '1m' }] }] } },
  'autoscaler VerticalPodAutoscaler': {
    apiVersion: 'autoscaling.k8s.io/v1',
    kind: 'VerticalPodAutoscaler',
    metadata: meta,
    spec: { targetRef: { apiVersion: 'batch/v1', kind: 'CronJob', name: 'fraud-batch' }, updatePolicy: { updateMode: 'Initial' } },
  },
  'core HorizontalPodAutoscaler': {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: meta,
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'fraud' }, minReplicas: 2, maxReplicas: 8 },
  },
};

// The same kinds, each broken in a way its package's schema must catch.
const broken: Record<string, [object, RegExp]> = {
  'Application without destination': [{ ...good['argo-cd Application'], spec: { project: 'default', source: { repoURL: 'x' } } }, /destination/],
  'Rollout with a string weight': [{ ...good['argo-rollouts Rollout'], spec: { ...good['argo-rollouts Rollout'].spec, strategy: { canary: { steps: [{ setWeight: 'ten' }] } } } }, /strategy\.canary\.steps\.0\.setWeight: must be integer/],
  'AnalysisTemplate metric without name': [{ ...good['argo-rollouts AnalysisTemplate'], spec: { metrics: [{ provider: {} }] } }, /name/],
  'ScaledObject without scaleTargetRef': [{ ...good['keda ScaledObject'], spec: { triggers: [] } }, /scaleTargetRef/],
  'VirtualService with a string weight': [{ ...good['istio VirtualService v1'], spec: { hosts: ['fraud'], http: [{ route: [{ destination: { host: 'fraud' }, weight: 'half' }] }] } }, /http\.0\.route\.0\.weight: must be integer/],
  'ServiceMonitor with endpoints as a map': [{ ...good['prometheus-operator ServiceMonitor'], spec: { selector: {}, endpoints: { port: 'http' } } }, /spec\.endpoints: must be array/],
  'PrometheusRule group without rules name': [{ ...good['prometheus-operator PrometheusRule'], spec: { groups: [{ rules: [] }] } }, /name/],
  'VPA with an unknown update mode': [{ ...good['autoscaler VerticalPodAutoscaler'], spec: { targetRef: { kind: 'CronJob', name: 'b' }, updatePolicy: { updateMode: 'Sometimes' } } }, /spec\.updatePolicy\.updateMode: must be equal to one of the allowed values/],
};

describe('validateManifest: kubernetes-models and the @kubernetes-models CRD packages', () => {
  it('resolves argoproj.io by kind, the other groups by package', () => {
    expect(modelModule('argoproj.io/v1alpha1', 'Application')).toBe('@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application');
    expect(modelModule('argoproj.io/v1alpha1', 'Rollout')).toBe('@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout');
    expect(modelModule('argoproj.io/v1alpha1', 'Workflow')).toBeUndefined();
    expect(modelModule('keda.sh/v1alpha1', 'ScaledObject')).toBe('@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject');
    expect(modelModule('monitoring.coreos.com/v1', 'ServiceMonitor')).toBe('@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor');
    expect(modelModule('autoscaling.k8s.io/v1', 'VerticalPodAutoscaler')).toBe('@kubernetes-models/autoscaler/autoscaling.k8s.io/v1/VerticalPodAutoscaler');
    expect(modelModule('apps/v1', 'Deployment')).toBe('kubernetes-models/apps/v1/Deployment');
    expect(modelModule('v1', 'Service')).toBe('kubernetes-models/v1/Service');
    expect(modelModule('../../etc/v1', 'Passwd')).toBeUndefined();
    expect(MODEL_PACKAGES).toContain('@kubernetes-models/istio');
  });

  it.each(Object.entries(good))('accepts a valid %s', async (_name, obj) => {
    expect(await validateManifest(toYaml(obj))).toEqual([]);
  });

  it.each(Object.entries(broken))('rejects a %s', async (_name, [obj, message]) => {
    const problems = await validateManifest(toYaml(obj));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join('\n')).toMatch(message);
  });

  it('checks every document of a stream and names the object', async () => {
    const problems = await validateManifest(toYamlStream([good['keda ScaledObject'], broken['Rollout with a string weight']![0]]));
    expect(problems).toEqual([expect.stringMatching(/^document 2 \(Rollout fraud\): spec\.strategy\.canary\.steps\.0\.setWeight: must be integer$/)]);
  });

  it('fails kinds no package defines, including embedded types and other groups\' kinds', async () => {
    for (const [apiVersion, kind] of [
      ['v1', 'Gizmo'],
      ['v1', 'Container'], // an embedded type of kubernetes-models, not an API object
      ['keda.sh/v1alpha1', 'Rollout'], // an embedded type of the KEDA package
      ['argoproj.io/v1alpha1', 'Workflow'], // Argo Workflows is not shipped
      ['networking.istio.io/v1', 'Deployment'],
      ['example.com/v1', 'Widget'],
    ]) {
      const problems = await validateManifest(toYaml({ apiVersion, kind, metadata: { name: 'x' } }));
      expect(problems, `${apiVersion} ${kind}`).toEqual([expect.stringMatching(/is not a Kubernetes API type known to kubernetes-models/)]);
    }
  });

  it('reports YAML errors, non-objects and missing names', async () => {
    expect(await validateManifest('a: [\n')).toEqual([expect.stringMatching(/^document 1: YAML: /)]);
    expect(await validateManifest('- a\n')).toEqual([expect.stringMatching(/not a Kubernetes object/)]);
    expect(await validateManifest(toYaml({ apiVersion: 'v1', kind: 'ConfigMap', metadata: {} }))).toEqual([expect.stringMatching(/metadata.name is required/)]);
  });

  it('names the helm template a rendered object came from', async () => {
    const rendered = `---\n# Source: demo/templates/hpa.yaml\n${toYaml({ ...good['core HorizontalPodAutoscaler'], spec: { minReplicas: 'two' } })}`;
    expect((await validateManifest(rendered))[0]).toMatch(/^document 1 from demo\/templates\/hpa.yaml \(HorizontalPodAutoscaler fraud\): /);
  });
});
