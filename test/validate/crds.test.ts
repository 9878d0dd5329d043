import { Container } from 'kubernetes-models/v1/Container';
import { ResourceRequirements } from 'kubernetes-models/v1/ResourceRequirements';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { toYaml } from '../../src/generators/serializers/yaml.js';
import { CUSTOM_RESOURCE_SCHEMAS, customResourceSchema, k8sCore, k8sObjectMeta, type CustomResourceSchema } from '../../src/validate/crds/index.js';
import { validateManifest } from '../../src/validate/validators/kubernetes.js';

// A made-up CRD written the way kserve.ts, seldon.ts and kubeflow.ts write theirs: strict objects for the
// CRD's own types, k8sCore for the embedded Kubernetes types.
const Widget: CustomResourceSchema = {
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  reference: 'https://example.com/api-reference/v1',
  schema: z.strictObject({
    apiVersion: z.literal('example.com/v1'),
    kind: z.literal('Widget'),
    metadata: k8sObjectMeta,
    spec: z.strictObject({
      replicas: z.number().int().min(1),
      containers: z.array(k8sCore(Container)).min(1),
      resources: k8sCore(ResourceRequirements).optional(),
    }),
  }),
};

const good = {
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  metadata: { name: 'w', labels: { app: 'w' } },
  spec: { replicas: 2, containers: [{ name: 'model', image: 'registry.example/w:1', ports: [{ containerPort: 8080 }] }], resources: { requests: { cpu: '500m' } } },
};

async function check(obj: object): Promise<string[]> {
  return validateManifest(toYaml(obj), { customResources: [Widget] });
}

describe('strict custom-resource schemas', () => {
  it('accepts a valid object through validateManifest', async () => {
    expect(await check(good)).toEqual([]);
  });

  it('rejects unknown fields, wrong types and missing fields, each as path: message', async () => {
    expect(await check({ ...good, spec: { ...good.spec, replica: 2 } })).toEqual(['document 1 (Widget w): spec: Unrecognized key: "replica"']);
    expect(await check({ ...good, spec: { ...good.spec, replicas: 0 } })).toEqual([expect.stringMatching(/^document 1 \(Widget w\): spec\.replicas: /)]);
    expect(await check({ ...good, spec: { replicas: 1 } })).toEqual([expect.stringMatching(/spec\.containers: /)]);
    expect(await check({ ...good, status: {} })).toEqual([expect.stringMatching(/\(root\): Unrecognized key: "status"/)]);
  });

  it('checks embedded core types with kubernetes-models, at their own path', async () => {
    const badContainer = { ...good, spec: { ...good.spec, containers: [{ image: 'x', ports: [{ containerPort: 'http' }] }] } };
    const problems = await check(badContainer);
    expect(problems).toContain('document 1 (Widget w): spec.containers.0: Container: must have required property name');
    expect(problems).toContain('document 1 (Widget w): spec.containers.0.ports.0.containerPort: Container: must be integer');
    expect(await check({ ...good, spec: { ...good.spec, resources: { requests: { cpu: 'lots' } } } })).toEqual([
      expect.stringMatching(/spec\.resources\.requests\.cpu: ResourceRequirements: .*quantity/),
    ]);
    expect(await check({ ...good, spec: { ...good.spec, containers: ['model'] } })).toEqual([expect.stringMatching(/spec\.containers\.0: expected a Container object/)]);
    expect(await check({ ...good, metadata: { name: 'w', labels: { app: 3 } } })).toEqual([expect.stringMatching(/metadata\.labels\.app: ObjectMeta: must be string/)]);
  });

  it('is consulted before the model packages, and only for its apiVersion and kind', async () => {
    // Without the schema the made-up kind is unknown; with it, another version is still unknown.
    expect(await validateManifest(toYaml(good), { customResources: [] })).toEqual([expect.stringMatching(/not a Kubernetes API type/)]);
    expect(await check({ ...good, apiVersion: 'example.com/v2' })).toEqual([expect.stringMatching(/not a Kubernetes API type/)]);
    expect(customResourceSchema('example.com/v1', 'Widget', [Widget])).toBe(Widget);
  });

  it('the registered schemas are unique per apiVersion/kind and cite their API reference', () => {
    const keys = CUSTOM_RESOURCE_SCHEMAS.map((s) => `${s.apiVersion} ${s.kind}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const s of CUSTOM_RESOURCE_SCHEMAS) expect(s.reference, `${s.apiVersion} ${s.kind}`).toMatch(/^https:\/\//);
  });
});
