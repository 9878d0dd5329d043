import { createRequire } from 'node:module';
import { parseAllDocuments } from 'yaml';
import { dottedPath, schemaErrors } from '../crds/core.js';
import { CUSTOM_RESOURCE_SCHEMAS, customResourceSchema, type CustomResourceSchema } from '../crds/index.js';
import type { Validator, Verdict } from '../types.js';

interface ModelClass {
  new (data: object): { validate(): void };
  /** Set on top-level API objects only (not on embedded types such as Container). */
  apiVersion?: string;
  kind?: string;
}

/**
 * The kubernetes-models packages for custom resources, by API group. argoproj.io is shared by Argo CD and
 * Argo Rollouts (and Argo Workflows, which we do not ship), so that group is resolved by kind.
 */
const GROUP_PACKAGES: Readonly<Record<string, string>> = {
  'keda.sh': '@kubernetes-models/keda',
  'eventing.keda.sh': '@kubernetes-models/keda',
  'networking.istio.io': '@kubernetes-models/istio',
  'security.istio.io': '@kubernetes-models/istio',
  'telemetry.istio.io': '@kubernetes-models/istio',
  'extensions.istio.io': '@kubernetes-models/istio',
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator',
  'autoscaling.k8s.io': '@kubernetes-models/autoscaler',
  'external-secrets.io': '@kubernetes-models/external-secrets',
};
const ARGO_PACKAGES: Readonly<Record<string, string>> = {
  Application: '@kubernetes-models/argo-cd',
  ApplicationSet: '@kubernetes-models/argo-cd',
  AppProject: '@kubernetes-models/argo-cd',
  Rollout: '@kubernetes-models/argo-rollouts',
  AnalysisTemplate: '@kubernetes-models/argo-rollouts',
  ClusterAnalysisTemplate: '@kubernetes-models/argo-rollouts',
  AnalysisRun: '@kubernetes-models/argo-rollouts',
  Experiment: '@kubernetes-models/argo-rollouts',
};
export const MODEL_PACKAGES = ['kubernetes-models', ...new Set([...Object.values(GROUP_PACKAGES), ...Object.values(ARGO_PACKAGES)])].sort();

/** The module that would define apiVersion/kind, e.g. `@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject`. */
export function modelModule(apiVersion: string, kind: string): string | undefined {
  if (!/^([a-z0-9-]+(\.[a-z0-9-]+)*\/)?v[0-9]+((alpha|beta)[0-9]+)?$/.test(apiVersion) || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) return undefined;
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  // Core groups ("v1", "apps/v1", "networking.k8s.io/v1"…) live in kubernetes-models, by group name.
  const pkg = group === 'argoproj.io' ? ARGO_PACKAGES[kind] : (GROUP_PACKAGES[group] ?? 'kubernetes-models');
  return pkg ? `${pkg}/${apiVersion}/${kind}` : undefined;
}

const cache = new Map<string, ModelClass | null>();

async function modelFor(apiVersion: string, kind: string): Promise<ModelClass | null> {
  const key = `${apiVersion}/${kind}`;
  if (!cache.has(key)) {
    const path = modelModule(apiVersion, kind);
    let cls: ModelClass | null = null;
    if (path) {
      try {
        const mod = (await import(path)) as Record<string, unknown>;
        const candidate = mod[kind] as ModelClass | undefined;
        // Only top-level API objects count: `v1 Container` or `keda.sh/v1alpha1 Rollout` are embedded types.
        if (candidate && candidate.apiVersion === apiVersion && candidate.kind === kind) cls = candidate;
      } catch {
        cls = null;
      }
    }
    cache.set(key, cls);
  }
  return cache.get(key)!;
}

export interface ValidateManifestOptions {
  /** Strict custom-resource schemas consulted before the model packages (default: every registered one). */
  customResources?: readonly CustomResourceSchema[];
}

function zodProblems(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string[] {
  return error.issues.map((issue) => `${dottedPath(issue.path)}: ${issue.message}`);
}

/**
 * Validates each object of a manifest stream: a registered strict custom-resource schema when one matches its
 * apiVersion and kind (src/validate/crds), else the OpenAPI schema of the kubernetes-models package for its API
 * group. Objects of any other type fail. A `# Source: chart/templates/x.yaml` comment (helm template output)
 * names the template in each problem.
 */
export async function validateManifest(content: string, options: ValidateManifestOptions = {}): Promise<string[]> {
  const schemas = options.customResources ?? CUSTOM_RESOURCE_SCHEMAS;
  const problems: string[] = [];
  for (const [i, doc] of parseAllDocuments(content).entries()) {
    const source = /Source: (\S+)/.exec(`${doc.commentBefore ?? ''}\n${doc.contents?.commentBefore ?? ''}`)?.[1];
    const at = `document ${i + 1}${source ? ` from ${source}` : ''}`;
    if (doc.errors.length > 0) {
      problems.push(`${at}: YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
      continue;
    }
    const obj = doc.toJS() as unknown;
    if (obj === null || obj === undefined) continue;
    if (typeof obj !== 'object' || Array.isArray(obj)) {
      problems.push(`${at}: not a Kubernetes object (a YAML ${Array.isArray(obj) ? 'sequence' : 'scalar'})`);
      continue;
    }
    const o = obj as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } };
    const where = `${at}${typeof o.kind === 'string' ? ` (${o.kind} ${typeof o.metadata?.name === 'string' ? o.metadata.name : '?'})` : ''}`;
    if (typeof o.apiVersion !== 'string' || typeof o.kind !== 'string') {
      problems.push(`${where}: apiVersion and kind are required`);
      continue;
    }
    if (typeof o.metadata?.name !== 'string' || o.metadata.name === '') problems.push(`${where}: metadata.name is required`);
    const custom = customResourceSchema(o.apiVersion, o.kind, schemas);
    if (custom) {
      const result = custom.schema.safeParse(obj);
      if (!result.success) problems.push(...zodProblems(result.error).map((p) => `${where}: ${p}`));
      continue;
    }
    const Model = await modelFor(o.apiVersion, o.kind);
    if (!Model) {
      problems.push(`${where}: ${o.apiVersion} ${o.kind} is not a Kubernetes API type known to kubernetes-models (${MODEL_PACKAGES.join(', ')}) or to the strict custom-resource schemas`);
      continue;
    }
    try {
      new Model(obj).validate();
    } catch (error) {
      problems.push(...schemaErrors(error).map(({ path, messages }) => `${where}: ${dottedPath(path)}: ${messages.join('; ')}`));
    }
  }
  return problems;
}

function packageVersions(): string {
  const require = createRequire(import.meta.url);
  return MODEL_PACKAGES.map((p) => {
    try {
      return `${p} ${(require(`${p}/package.json`) as { version: string }).version}`;
    } catch {
      return `${p} (missing)`;
    }
  }).join(', ');
}

export const kubernetesValidator: Validator = {
  name: 'kubernetes-models',
  description: 'Every object checked against the Kubernetes API schema (kubernetes-models and the @kubernetes-models CRD packages validate()) or a strict custom-resource schema',
  kinds: ['kubernetes'],
  async available() {
    return { ok: true, version: `${packageVersions()}; ${CUSTOM_RESOURCE_SCHEMAS.length} strict custom-resource schemas` };
  },
  async validate({ artifacts }) {
    const verdicts: Verdict[] = [];
    for (const a of artifacts) {
      const problems = await validateManifest(a.content);
      verdicts.push(
        problems.length === 0
          ? { path: a.path, validator: this.name, verdict: 'pass', message: 'all objects valid' }
          : { path: a.path, validator: this.name, verdict: 'fail', message: problems.slice(0, 5).join('\n') + (problems.length > 5 ? `\n… (${problems.length - 5} more)` : '') },
      );
    }
    return verdicts;
  },
};
