import type { IPod } from 'kubernetes-models/v1/Pod';
import { toYaml, toYamlStream } from '../serializers/yaml.js';
import type { GeneratedFile } from './files.js';
import type { ManifestFile } from './objects.js';
import { ENVIRONMENTS, getAt, setAt, setPath, splitImage, valuesFor, type Binding, type Environment } from './parameters.js';

/** What the chart's `helm test` checks once the release is installed. */
export type HelmTestPlan =
  | { kind: 'http'; namespace: string; url: string; image: string }
  | { kind: 'command'; namespace: string; image: string; command: string[] };

export interface ChartInput {
  /** Chart name: the pipeline name (a DNS-label slug). */
  name: string;
  /** Folder of the chart inside the bundle, e.g. deploy/helm/<name>. */
  dir: string;
  description: string;
  appVersion: string;
  maintainer: string;
  /** The plain manifests (the kustomize base): the chart renders exactly these with its default values. */
  files: readonly ManifestFile[];
  bindings: readonly Binding[];
  test: HelmTestPlan;
  /** Lines of NOTES.txt after the heading (printed literally). */
  notes: string[];
}

/** Oldest Kubernetes the objects need: Job podFailurePolicy and PDB unhealthyPodEvictionPolicy are GA in 1.31. */
export const KUBE_VERSION = '>=1.31.0-0';

const TOKEN = (n: number) => `HELMVALUE${n}X`;
const TOKEN_RE = /HELMVALUE(\d+)X/g;

function valueRef(path: readonly string[]): string {
  return `.Values.${path.join('.')}`;
}

/**
 * Helm renders every template file as a Go template: a "{{" that came from data (an owner's name in an
 * annotation) must print itself, so it becomes the action {{ "{{" }}.
 */
export function literal(text: string): string {
  return text.replace(/\{\{/g, '{{ "{{" }}');
}

/**
 * Serialises objects with the bound fields replaced by Helm expressions. The objects go through the one YAML
 * serializer with a plain-scalar token in each bound field; the tokens are then swapped for the expressions.
 */
function templateOf(name: string, objects: readonly object[], bindings: readonly Pick<Binding, 'object' | 'pointer' | 'values' | 'type'>[]): string {
  const copy = structuredClone(objects as object[]);
  const expressions: string[] = [];
  for (const b of bindings) {
    if (getAt(copy[b.object], b.pointer) === undefined) throw new Error(`binding ${b.values.join('.')} points nowhere`);
    setAt(copy[b.object], b.pointer, TOKEN(expressions.length));
    expressions.push(
      b.type === 'image' ? `{{ include "${name}.image" ${valueRef(b.values)} | quote }}` : b.type === 'infra' ? `{{ ${valueRef(b.values)} | quote }}` : `{{ ${valueRef(b.values)} | int }}`,
    );
  }
  return literal(toYamlStream(copy)).replace(TOKEN_RE, (_m, n: string) => expressions[Number(n)]!);
}

function helpers(name: string): string {
  return [
    `{{/* The reference of one images.* value: <repository>:<tag>. Every container image of the chart goes through it. */}}`,
    `{{- define "${name}.image" -}}`,
    `{{- printf "%s:%s" .repository .tag -}}`,
    `{{- end -}}`,
    '',
  ].join('\n');
}

type JsonSchema = Record<string, unknown>;

function schemaOf(value: unknown, path: string[]): JsonSchema {
  if (path.length === 1 && path[0] === 'environment') return { type: 'string', enum: [...ENVIRONMENTS], description: 'Which environment this release is (shown by NOTES.txt and the test)' };
  if (typeof value === 'number') return { type: 'integer', minimum: 0, description: `replica bound ${path.slice(1).join('.')}` };
  if (typeof value === 'string') {
    if (path[path.length - 1] === 'tag') return { type: 'string', pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$', description: 'image tag' };
    if (path[path.length - 1] === 'repository') return { type: 'string', pattern: '^[a-z0-9]+([._/:-][a-z0-9]+)*$', description: 'image repository (registry host and path)' };
    return { type: 'string', minLength: 1 };
  }
  const entries = Object.entries(value as Record<string, unknown>);
  const description =
    path.length !== 1
      ? undefined
      : path[0] === 'images'
        ? 'Container images, by role'
        : path[0] === 'scaling'
          ? 'Replica bounds per workload and object kind'
          : path[0] === 'infrastructure'
            ? "Values only Terraform knows (identities, file system ids): set them from `terraform output -json helm_values`"
            : undefined;
  return {
    type: 'object',
    ...(description ? { description } : {}),
    additionalProperties: false,
    required: entries.map(([k]) => k),
    properties: Object.fromEntries(entries.map(([k, v]) => [k, schemaOf(v, [...path, k])])),
  };
}

function testPod(input: ChartInput): { pod: IPod; imageBinding: Pick<Binding, 'object' | 'pointer' | 'values' | 'type'> } {
  const t = input.test;
  const command = t.kind === 'http' ? ['wget', '-q', '-T', '10', '-O', '/dev/null', t.url] : t.command;
  const pod: IPod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${input.name}-helm-test`,
      namespace: t.namespace,
      labels: { 'app.kubernetes.io/name': input.name, 'app.kubernetes.io/component': 'helm-test', 'app.kubernetes.io/managed-by': 'mlops-mcp' },
      annotations: { 'helm.sh/hook': 'test', 'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded', 'sidecar.istio.io/inject': 'false' },
    },
    spec: {
      restartPolicy: 'Never',
      securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'check',
          image: t.image,
          command,
          resources: { requests: { cpu: '50m', memory: '32Mi' }, limits: { memory: '64Mi' } },
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
        },
      ],
    },
  };
  return { pod, imageBinding: { type: 'image', object: 0, pointer: ['spec', 'containers', 0, 'image'], values: ['images', 'helmTest'] } };
}

/** The chart: Chart.yaml, values (default + one file per environment), values.schema.json, templates, NOTES and a test. */
export function helmChart(input: ChartInput): GeneratedFile[] {
  const { name, dir } = input;
  const { pod, imageBinding } = testPod(input);
  const valuesByEnv = Object.fromEntries(
    ENVIRONMENTS.map((env) => {
      const v = valuesFor(input.files, input.bindings, env);
      setPath(v, ['images', 'helmTest'], splitImage(input.test.image));
      return [env, v];
    }),
  ) as Record<Environment, Record<string, unknown>>;
  const chart = {
    apiVersion: 'v2',
    name,
    description: input.description,
    type: 'application',
    version: '0.1.0',
    appVersion: input.appVersion,
    kubeVersion: KUBE_VERSION,
    keywords: ['mlops', 'machine-learning', 'model-serving'],
    maintainers: [{ name: input.maintainer }],
  };
  const files: GeneratedFile[] = [
    { path: `${dir}/Chart.yaml`, kind: 'helm-chart', content: toYaml(chart) },
    // The defaults are production's: `helm template` without -f renders exactly the plain manifests.
    { path: `${dir}/values.yaml`, kind: 'yaml', content: toYaml(valuesByEnv.prod) },
    ...ENVIRONMENTS.map((env): GeneratedFile => ({ path: `${dir}/values-${env}.yaml`, kind: 'yaml', content: toYaml(valuesByEnv[env]) })),
    {
      path: `${dir}/values.schema.json`,
      kind: 'json',
      content: `${JSON.stringify({ $schema: 'https://json-schema.org/draft-07/schema#', title: `${name} values`, ...schemaOf(valuesByEnv.prod, []) }, null, 2)}\n`,
    },
    { path: `${dir}/templates/_helpers.tpl`, kind: 'helm-template', content: helpers(name) },
    ...input.files.map(
      (f): GeneratedFile => ({
        path: `${dir}/templates/${f.file}`,
        kind: 'helm-template',
        content: templateOf(
          name,
          f.objects,
          input.bindings.filter((b) => b.file === f.file),
        ),
      }),
    ),
    { path: `${dir}/templates/tests/test-${input.test.kind === 'http' ? 'model-server' : 'jobs-image'}.yaml`, kind: 'helm-template', content: templateOf(name, [pod], [imageBinding]) },
    {
      path: `${dir}/templates/NOTES.txt`,
      kind: 'helm-template',
      content: [`{{ .Chart.Name }} {{ .Chart.AppVersion }} is installed as release {{ .Release.Name }} ({{ .Values.environment }}).`, '', ...input.notes.map(literal), '', `Check it: helm test {{ .Release.Name }}`, ''].join('\n'),
    },
  ];
  return files;
}
