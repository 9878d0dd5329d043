import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { deliveryFiles } from '../../../src/generators/kubernetes/delivery.js';
import { parseManifests, type ManifestFile } from '../../../src/generators/kubernetes/objects.js';
import { ENVIRONMENTS, environmentReplicas, findBindings, type ReplicaBinding } from '../../../src/generators/kubernetes/parameters.js';
import { toYamlStream } from '../../../src/generators/serializers/yaml.js';

const SERVER = 'registry.example.com/shop/shop-model-server:0.1.0';
const pod = (image: string, labels: Record<string, string>) => ({ metadata: { labels }, spec: { containers: [{ name: 'c', image }] } });
const FILES: ManifestFile[] = [
  {
    file: 'serving.yaml',
    objects: [
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'shop-model-server', namespace: 'shop-serving' }, spec: { replicas: 3, selector: { matchLabels: { app: 's' } }, template: pod(SERVER, { app: 's' }) } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'shop-model-server', namespace: 'shop-serving' }, spec: { selector: { app: 's' }, ports: [{ port: 80 }] } },
    ],
  },
  {
    file: 'hpa.yaml',
    objects: [
      {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: 'shop-model-server', namespace: 'shop-serving' },
        spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'shop-model-server' }, minReplicas: 3, maxReplicas: 9 },
      },
    ],
  },
  {
    file: 'training.yaml',
    objects: [
      {
        apiVersion: 'kubeflow.org/v1',
        kind: 'PyTorchJob',
        metadata: { name: 'shop-train', namespace: 'shop-training' },
        spec: { pytorchReplicaSpecs: { Worker: { replicas: 4, template: pod('amazon/aws-cli:2.17.0', { app: 't' }) } } },
      },
    ],
  },
];

function delivery(files: ManifestFile[] = FILES) {
  return deliveryFiles({
    name: 'shop',
    owner: 'ML team "Shop" <ml@example.com>',
    description: 'test chart',
    appVersion: '0.1.0',
    baseDir: 'deploy/k8s/base',
    baseFiles: files.map((f) => ({ path: `deploy/k8s/base/${f.file}`, content: toYamlStream(f.objects) })),
    ownImages: { server: SERVER },
    test: { kind: 'http', namespace: 'shop-serving', url: 'http://shop-model-server.shop-serving.svc.cluster.local:80/metrics', image: 'busybox:1.36.1' },
    notes: ['a note'],
    repoUrl: 'https://git.example.com/shop.git',
    labels: { 'app.kubernetes.io/name': 'shop' },
    releaseManaged: [{ group: 'networking.istio.io', kind: 'VirtualService', name: 'shop-model-server', namespace: 'shop-serving', jsonPointers: ['/spec/http/0/route'] }],
  }).files;
}

const file = (path: string) => delivery().find((f) => f.path === path)!;

describe('what varies between environments', () => {
  it('binds every container image and every replica bound, but not the count of training workers', () => {
    const bindings = findBindings(FILES, 'shop', { server: SERVER });
    expect(bindings.map((b) => b.values.join('.'))).toEqual([
      'scaling.modelServer.deployment.replicas',
      'images.server',
      'scaling.modelServer.horizontalPodAutoscaler.minReplicas',
      'scaling.modelServer.horizontalPodAutoscaler.maxReplicas',
      'images.awsCli',
    ]);
  });

  it("binds our own image wherever a custom resource puts it (KServe predictor.model.image), not only in containers", () => {
    const isvc: ManifestFile = { file: 'isvc.yaml', objects: [{ apiVersion: 'serving.kserve.io/v1beta1', kind: 'InferenceService', metadata: { name: 'shop', namespace: 'shop-serving' }, spec: { predictor: { model: { image: SERVER, storageUri: 's3://b/m' }, minReplicas: 2, maxReplicas: 5 } } }] };
    expect(findBindings([isvc], 'shop', { server: SERVER }).map((b) => b.values.join('.'))).toEqual(['images.server', 'scaling.shop.inferenceService.predictorMinReplicas', 'scaling.shop.inferenceService.predictorMaxReplicas']);
  });

  it('keeps production as designed, halves staging, and gives dev one replica and at most two, never max < min', () => {
    for (let min = 0; min <= 12; min++) {
      for (let max = Math.max(1, min); max <= 14; max++) {
        const b = (field: ReplicaBinding['field'], base: number): ReplicaBinding => ({ type: 'int', file: 'f', object: 0, pointer: [], values: [], field, base });
        for (const env of ENVIRONMENTS) {
          const lo = environmentReplicas(b('min', min), env);
          const hi = environmentReplicas(b('max', max), env);
          expect(hi, `${env} ${min}-${max}`).toBeGreaterThanOrEqual(lo);
          expect(lo).toBeGreaterThanOrEqual(0);
          if (env === 'prod') expect([lo, hi]).toEqual([min, max]);
          if (env === 'dev') expect(hi).toBeLessThanOrEqual(2);
        }
      }
    }
  });
});

describe('kustomize', () => {
  it('lists every base file, and patches only what an environment changes', () => {
    expect(parse(file('deploy/k8s/base/kustomization.yaml').content).resources).toEqual(['hpa.yaml', 'serving.yaml', 'training.yaml']);
    const prod = parse(file('deploy/k8s/overlays/prod/kustomization.yaml').content);
    expect(prod).toEqual({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['../../base'] });
    const dev = parse(file('deploy/k8s/overlays/dev/kustomization.yaml').content);
    expect(dev.patches).toHaveLength(2);
    const hpa = dev.patches.find((p: { target: { kind: string } }) => p.target.kind === 'HorizontalPodAutoscaler');
    expect(hpa.target).toEqual({ group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler', name: 'shop-model-server', namespace: 'shop-serving' });
    expect(parse(hpa.patch)).toEqual([
      { op: 'replace', path: '/spec/minReplicas', value: 1 },
      { op: 'replace', path: '/spec/maxReplicas', value: 2 },
    ]);
  });
});

describe('the Helm chart', () => {
  const dir = 'deploy/helm/shop';

  it('templates every bound field through .Values and the image helper, and nothing else', () => {
    const serving = file(`${dir}/templates/serving.yaml`).content;
    expect(serving).toContain('replicas: {{ .Values.scaling.modelServer.deployment.replicas | int }}');
    expect(serving).toContain('image: {{ include "shop.image" .Values.images.server | quote }}');
    expect(file(`${dir}/templates/_helpers.tpl`).content).toContain('{{- define "shop.image" -}}');
    const all = delivery().filter((f) => f.path.startsWith(`${dir}/templates/`));
    expect(all.map((f) => f.content).join('')).not.toMatch(/HELMVALUE/);
  });

  it('has a value for every .Values reference, a schema that types each value, and one values file per environment', () => {
    const values = parse(file(`${dir}/values.yaml`).content);
    const refs = delivery()
      .filter((f) => f.path.startsWith(`${dir}/templates/`))
      .flatMap((f) => [...f.content.matchAll(/\.Values((?:\.[A-Za-z0-9]+)+)/g)].map((m) => m[1]!.slice(1)));
    expect(refs.length).toBeGreaterThan(4);
    for (const ref of refs) expect(ref.split('.').reduce((o: Record<string, unknown>, k) => o?.[k] as Record<string, unknown>, values), ref).toBeDefined();
    const schema = JSON.parse(file(`${dir}/values.schema.json`).content);
    const conforms = (value: unknown, s: Record<string, unknown>, at: string): void => {
      if (s.type === 'object') {
        const props = s.properties as Record<string, Record<string, unknown>>;
        expect(Object.keys(value as object).sort(), at).toEqual(Object.keys(props).sort());
        expect(s.additionalProperties, at).toBe(false);
        for (const [k, v] of Object.entries(value as object)) conforms(v, props[k]!, `${at}.${k}`);
      } else if (s.type === 'integer') expect(Number.isInteger(value), at).toBe(true);
      else expect(typeof value, at).toBe(s.type);
    };
    for (const env of ['dev', 'staging', 'prod']) conforms(parse(file(`${dir}/values-${env}.yaml`).content), schema, env);
    expect(parse(file(`${dir}/values-prod.yaml`).content)).toEqual(values);
    expect(parse(file(`${dir}/values-dev.yaml`).content).scaling.modelServer.horizontalPodAutoscaler).toEqual({ minReplicas: 1, maxReplicas: 2 });
  });

  it('escapes the maintainer through the YAML serializer and ships NOTES.txt and a helm test hook', () => {
    expect(parse(file(`${dir}/Chart.yaml`).content).maintainers).toEqual([{ name: 'ML team "Shop" <ml@example.com>' }]);
    const test = file(`${dir}/templates/tests/test-model-server.yaml`).content;
    expect(test).toContain("helm.sh/hook: test");
    expect(test).toContain('http://shop-model-server.shop-serving.svc.cluster.local:80/metrics');
    expect(file(`${dir}/templates/NOTES.txt`).content).toContain('a note');
  });
});

describe('Argo CD', () => {
  it('syncs each environment overlay to its own cluster from an app of apps, leaving autoscaled replicas and release traffic weights alone', () => {
    const dev = parseManifests(file('deploy/argocd/apps/dev.yaml').content)[0]!;
    expect(dev.spec).toMatchObject({
      project: 'shop',
      source: { path: 'deploy/k8s/overlays/dev', targetRevision: 'main' },
      destination: { name: 'shop-dev' },
      ignoreDifferences: [
        { group: 'apps', kind: 'Deployment', name: 'shop-model-server', namespace: 'shop-serving', jsonPointers: ['/spec/replicas'] },
        { group: 'networking.istio.io', kind: 'VirtualService', name: 'shop-model-server', namespace: 'shop-serving', jsonPointers: ['/spec/http/0/route'] },
      ],
    });
    const prod = parseManifests(file('deploy/argocd/apps/prod.yaml').content)[0]!;
    expect(prod.spec).toMatchObject({ source: { targetRevision: 'production' }, syncPolicy: { automated: { prune: false, selfHeal: true } } });
    const root = parseManifests(file('deploy/argocd/root.yaml').content)[0]!;
    expect(root.spec).toMatchObject({ source: { path: 'deploy/argocd/apps' } });
    const project = parseManifests(file('deploy/argocd/apps/project.yaml').content)[0]!;
    expect((project.spec as { destinations: { namespace: string }[] }).destinations.map((d) => d.namespace)).toContain('shop-training');
  });
});
