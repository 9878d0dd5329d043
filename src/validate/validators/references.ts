import type { Artifact } from '../../artifacts/artifact.js';
import { parseManifests, walk, type KubeObject } from '../../generators/kubernetes/objects.js';
import type { Validator, Verdict } from '../types.js';

/**
 * Cross-object references of one set of manifests (a kustomize base): every selector, target and host must name
 * something that exists. Schema validators check each object alone; this is what breaks at apply time instead:
 * a Service that selects no pod, an HPA on a renamed Deployment, a VirtualService to a missing host.
 */

type Labels = Record<string, string>;

interface Located {
  file: string;
  obj: KubeObject;
}

/** Objects a controller creates from a custom resource, which other objects may reference by name. */
function controllerCreated(o: KubeObject): { apiVersion: string; kind: string; name: string }[] {
  if (o.kind === 'InferenceService') {
    // KServe creates the Services <isvc> and <isvc>-predictor in both modes; only RawDeployment mode has one
    // Deployment of a fixed name (Serverless makes one per Knative revision, <isvc>-predictor-0000N-deployment).
    const raw = o.metadata.annotations?.['serving.kserve.io/deploymentMode'] === 'RawDeployment';
    return [
      { apiVersion: 'v1', kind: 'Service', name: o.metadata.name },
      { apiVersion: 'v1', kind: 'Service', name: `${o.metadata.name}-predictor` },
      ...(raw ? [{ apiVersion: 'apps/v1', kind: 'Deployment', name: `${o.metadata.name}-predictor` }] : []),
    ];
  }
  if (o.kind === 'SeldonDeployment') {
    // Seldon Core v1 creates a Service per predictor: <sdep>-<predictor>.
    const predictors = ((o.spec as { predictors?: { name?: string }[] } | undefined)?.predictors ?? []).map((p) => p.name ?? '');
    return predictors.map((p) => ({ apiVersion: 'v1', kind: 'Service', name: `${o.metadata.name}-${p}` }));
  }
  return [];
}

/** Label sets of the pods an object creates: every pod template inside it, or a serving CRD's pod labels. */
export function podLabelSets(o: KubeObject): Labels[] {
  const sets: Labels[] = [];
  const visit = (node: unknown, key: string | null) => {
    if (Array.isArray(node)) return node.forEach((n) => visit(n, null));
    if (!node || typeof node !== 'object') return;
    const rec = node as Record<string, unknown>;
    const meta = rec.metadata as { labels?: Labels } | undefined;
    // A pod template (template.metadata.labels), a Seldon componentSpec (metadata.labels), or KServe's predictor `labels`.
    if ((key === 'template' || key === null) && meta?.labels) sets.push(meta.labels);
    if (key === 'predictor' && rec.labels && typeof rec.labels === 'object') sets.push(rec.labels as Labels);
    // Volume claim templates carry labels too, but for volumes, not pods.
    for (const [k, v] of Object.entries(rec)) if (k !== 'metadata' && k !== 'volumeClaimTemplates' && k !== 'volumeClaimTemplate') visit(v, k);
  };
  visit(o.spec, 'spec');
  return sets;
}

/**
 * The Secrets a set of objects provides per namespace, with their keys: Secret objects (data / stringData) and
 * the target Secret of each ExternalSecret (spec.target.name, else its own name). Keys are null when they cannot
 * be known from the manifests (an ExternalSecret with dataFrom or a template).
 */
function providedSecrets(all: readonly Located[]): Map<string, Set<string> | null> {
  const out = new Map<string, Set<string> | null>();
  const add = (ns: string | undefined, name: string, keys: Set<string> | null) => {
    const id = `${ns ?? ''}/${name}`;
    const prev = out.get(id);
    out.set(id, prev === undefined ? keys : prev === null || keys === null ? null : new Set([...prev, ...keys]));
  };
  for (const { obj } of all) {
    const o = obj as KubeObject & { data?: Record<string, unknown>; stringData?: Record<string, unknown> };
    if (o.kind === 'Secret' && o.apiVersion === 'v1') add(o.metadata.namespace, o.metadata.name, new Set([...Object.keys(o.data ?? {}), ...Object.keys(o.stringData ?? {})]));
    if (o.kind === 'ExternalSecret' && o.apiVersion.startsWith('external-secrets.io/')) {
      const spec = (o.spec ?? {}) as { target?: { name?: string; template?: unknown }; data?: { secretKey?: string }[]; dataFrom?: unknown[] };
      const keys = spec.dataFrom?.length || spec.target?.template ? null : new Set((spec.data ?? []).map((d) => d.secretKey ?? ''));
      add(o.metadata.namespace, spec.target?.name ?? o.metadata.name, keys);
    }
  }
  return out;
}

const matches = (selector: Labels, labels: Labels) => Object.entries(selector).every(([k, v]) => labels[k] === v);

function refOf(o: KubeObject): string {
  return `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
}

/** Problems of one set of objects, per file. */
export function referenceProblems(files: readonly { path: string; content: string }[]): Map<string, string[]> {
  const all: Located[] = files.flatMap((f) => parseManifests(f.content).map((obj) => ({ file: f.path, obj })));
  const problems = new Map<string, string[]>(files.map((f) => [f.path, []]));
  const report = (l: Located, message: string) => problems.get(l.file)!.push(`${refOf(l.obj)}: ${message}`);
  const exists = (ns: string | undefined, kind: string, name: string, apiVersion?: string) =>
    all.some(({ obj }) => obj.kind === kind && obj.metadata.name === name && (obj.metadata.namespace ?? undefined) === ns && (!apiVersion || obj.apiVersion === apiVersion)) ||
    all.some(({ obj }) => obj.metadata.namespace === ns && controllerCreated(obj).some((c) => c.kind === kind && c.name === name && (!apiVersion || c.apiVersion === apiVersion)));
  const podsIn = (ns: string | undefined) => all.filter(({ obj }) => obj.metadata.namespace === ns).flatMap(({ obj }) => podLabelSets(obj));
  const namespaces = new Set(all.filter(({ obj }) => obj.kind === 'Namespace').map(({ obj }) => obj.metadata.name));
  const secrets = providedSecrets(all);
  /** A Secret (and key) that no Secret or ExternalSecret of the set provides in the namespace, described; null when it resolves. */
  const missingSecret = (ns: string | undefined, name: string, key?: string): string | null => {
    const id = `${ns ?? ''}/${name}`;
    if (!secrets.has(id)) return `Secret ${name} is neither a Secret nor an ExternalSecret target in ${ns}`;
    const keys = secrets.get(id);
    return key !== undefined && keys && !keys.has(key) ? `Secret ${name} in ${ns} has no key ${key} (it provides ${[...keys].join(', ') || 'none'})` : null;
  };
  const checkSecret = (l: Located, ns: string | undefined, name: string, key?: string) => {
    const problem = missingSecret(ns, name, key);
    if (problem) report(l, problem);
  };
  const serviceHost = (host: string, ns: string | undefined): boolean => {
    const m = /^([a-z0-9-]+)(?:\.([a-z0-9-]+)(?:\.svc(?:\.cluster\.local)?)?)?$/.exec(host);
    return Boolean(m && exists(m[2] ?? ns, 'Service', m[1]!));
  };

  for (const l of all) {
    const { obj } = l;
    const ns = obj.metadata.namespace;
    const spec = (obj.spec ?? {}) as Record<string, unknown>;
    if (ns && namespaces.size > 0 && !namespaces.has(ns)) report(l, `namespace ${ns} is not created by these manifests`);
    switch (obj.kind) {
      case 'Service': {
        const selector = spec.selector as Labels | undefined;
        if (selector && Object.keys(selector).length > 0 && !podsIn(ns).some((labels) => matches(selector, labels))) report(l, `selector ${JSON.stringify(selector)} matches no pod template in ${ns}`);
        break;
      }
      case 'PodDisruptionBudget': {
        const selector = (spec.selector as { matchLabels?: Labels } | undefined)?.matchLabels;
        if (selector && !podsIn(ns).some((labels) => matches(selector, labels))) report(l, `selector ${JSON.stringify(selector)} matches no pod template in ${ns}`);
        break;
      }
      case 'HorizontalPodAutoscaler':
      case 'ScaledObject': {
        const ref = spec.scaleTargetRef as { apiVersion?: string; kind?: string; name: string };
        const kind = ref.kind ?? 'Deployment';
        if (!exists(ns, kind, ref.name, ref.apiVersion ?? (ref.kind ? undefined : 'apps/v1'))) report(l, `scale target ${kind} ${ref.name} does not exist in ${ns}`);
        break;
      }
      case 'VerticalPodAutoscaler': {
        const ref = spec.targetRef as { apiVersion?: string; kind: string; name: string };
        if (!exists(ns, ref.kind, ref.name, ref.apiVersion)) report(l, `target ${ref.kind} ${ref.name} does not exist in ${ns}`);
        break;
      }
      case 'Rollout': {
        const strategy = (spec.strategy ?? {}) as { canary?: Record<string, unknown>; blueGreen?: Record<string, unknown> };
        const services = [strategy.canary?.canaryService, strategy.canary?.stableService, strategy.blueGreen?.activeService, strategy.blueGreen?.previewService].filter((s): s is string => typeof s === 'string');
        for (const s of services) if (!exists(ns, 'Service', s)) report(l, `Service ${s} does not exist in ${ns}`);
        const istio = (strategy.canary?.trafficRouting as { istio?: { virtualService?: { name: string }; virtualServices?: { name: string }[]; destinationRule?: { name: string } } } | undefined)?.istio;
        for (const vs of [istio?.virtualService, ...(istio?.virtualServices ?? [])].filter(Boolean)) if (!exists(ns, 'VirtualService', vs!.name)) report(l, `VirtualService ${vs!.name} does not exist in ${ns}`);
        if (istio?.destinationRule && !exists(ns, 'DestinationRule', istio.destinationRule.name)) report(l, `DestinationRule ${istio.destinationRule.name} does not exist in ${ns}`);
        const templates: string[] = [];
        walk(spec.strategy, (k, v) => {
          if (k === 'templateName' && typeof v === 'string') templates.push(v);
        });
        for (const t of templates) if (!exists(ns, 'AnalysisTemplate', t) && !exists(undefined, 'ClusterAnalysisTemplate', t)) report(l, `AnalysisTemplate ${t} does not exist in ${ns}`);
        const workloadRef = spec.workloadRef as { kind: string; name: string } | undefined;
        if (workloadRef && !exists(ns, workloadRef.kind, workloadRef.name)) report(l, `workloadRef ${workloadRef.kind} ${workloadRef.name} does not exist`);
        break;
      }
      case 'VirtualService': {
        const hosts: string[] = [];
        walk(spec, (k, v) => {
          const host = (v as { host?: unknown } | null)?.host;
          if ((k === 'destination' || k === 'mirror') && typeof host === 'string') hosts.push(host);
        });
        for (const h of [...(spec.hosts as string[] | undefined ?? []).filter((h) => !h.includes('*')), ...hosts]) {
          if (!serviceHost(h, ns)) report(l, `host ${h} is not a Service of these manifests`);
        }
        break;
      }
      case 'DestinationRule': {
        if (typeof spec.host === 'string' && !serviceHost(spec.host, ns)) report(l, `host ${spec.host} is not a Service of these manifests`);
        break;
      }
      case 'TriggerAuthentication': {
        for (const ref of (spec.secretTargetRef as { name?: string; key?: string }[] | undefined) ?? []) if (typeof ref.name === 'string') checkSecret(l, ns, ref.name, ref.key);
        break;
      }
      case 'ServiceMonitor': {
        // Prometheus scrapes the endpoints of the Services the monitor selects, on the named port.
        const selector = (spec.selector as { matchLabels?: Labels } | undefined)?.matchLabels ?? {};
        const where = (spec.namespaceSelector as { matchNames?: string[] } | undefined)?.matchNames ?? [ns];
        const ports = ((spec.endpoints as { port?: string }[] | undefined) ?? []).map((e) => e.port).filter((x): x is string => typeof x === 'string');
        const services = all.filter(({ obj: o }) => o.kind === 'Service' && where.includes(o.metadata.namespace) && matches(selector, o.metadata.labels ?? {}));
        if (services.length === 0) report(l, `selector ${JSON.stringify(selector)} matches no Service in ${where.join(', ')}`);
        for (const port of ports) {
          const named = services.some(({ obj: o }) => ((o.spec as { ports?: { name?: string }[] } | undefined)?.ports ?? []).some((x) => x.name === port));
          if (services.length > 0 && !named) report(l, `no selected Service has a port named ${port}`);
        }
        break;
      }
      case 'PodMonitor': {
        const selector = (spec.selector as { matchLabels?: Labels } | undefined)?.matchLabels ?? {};
        const where = (spec.namespaceSelector as { matchNames?: string[] } | undefined)?.matchNames ?? [ns];
        if (!where.some((w) => podsIn(w).some((labels) => matches(selector, labels)))) report(l, `selector ${JSON.stringify(selector)} matches no pod template in ${where.join(', ')}`);
        break;
      }
      case 'ClusterSecretStore':
      case 'SecretStore': {
        // The identity a store authenticates with (IRSA / Workload Identity / Vault Kubernetes auth).
        walk(spec.provider, (k, v) => {
          const ref = v as { name?: unknown; namespace?: unknown } | null;
          if (k === 'serviceAccountRef' && ref && typeof ref.name === 'string') {
            const refNs = typeof ref.namespace === 'string' ? ref.namespace : ns;
            if (!exists(refNs, 'ServiceAccount', ref.name)) report(l, `ServiceAccount ${ref.name} does not exist in ${refNs}`);
          }
        });
        break;
      }
      case 'ExternalSecret': {
        const store = spec.secretStoreRef as { kind?: string; name?: string } | undefined;
        if (store?.name) {
          const kind = store.kind ?? 'SecretStore';
          if (!exists(kind === 'ClusterSecretStore' ? undefined : ns, kind, store.name)) report(l, `${kind} ${store.name} does not exist${kind === 'ClusterSecretStore' ? '' : ` in ${ns}`}`);
          const store_ = all.find(({ obj: o }) => o.kind === 'ClusterSecretStore' && o.metadata.name === store.name)?.obj;
          const conditions = ((store_?.spec as { conditions?: { namespaces?: string[] }[] } | undefined)?.conditions ?? []).filter((c) => c.namespaces);
          if (kind === 'ClusterSecretStore' && conditions.length > 0 && !conditions.some((c) => c.namespaces!.includes(ns ?? ''))) report(l, `ClusterSecretStore ${store.name} does not admit namespace ${ns} (spec.conditions)`);
        }
        break;
      }
      default:
        break;
    }
    // Pod-level references inside any workload.
    walk(obj.spec, (k, v) => {
      if (k === 'priorityClassName' && typeof v === 'string' && !v.startsWith('system-') && !exists(undefined, 'PriorityClass', v)) report(l, `PriorityClass ${v} does not exist`);
      if (k === 'configMapRef' && v && typeof v === 'object' && !(v as { optional?: boolean }).optional && !exists(ns, 'ConfigMap', (v as { name: string }).name)) report(l, `ConfigMap ${(v as { name: string }).name} does not exist in ${ns}`);
      if (k === 'persistentVolumeClaim' && v && typeof v === 'object' && !exists(ns, 'PersistentVolumeClaim', (v as { claimName: string }).claimName)) report(l, `PersistentVolumeClaim ${(v as { claimName: string }).claimName} does not exist in ${ns}`);
      if (k === 'storageClassName' && typeof v === 'string' && v !== '' && !exists(undefined, 'StorageClass', v)) report(l, `StorageClass ${v} is not created by these manifests`);
      // Pod specs (and KServe's predictor, which inlines one): the ServiceAccount must exist ("default" always does).
      if (k === 'serviceAccountName' && typeof v === 'string' && v !== 'default' && !exists(ns, 'ServiceAccount', v)) report(l, `ServiceAccount ${v} does not exist in ${ns}`);
      if (!ns || !v || typeof v !== 'object') return;
      const ref = v as { name?: unknown; key?: unknown; optional?: unknown; secretName?: unknown };
      if (ref.optional === true) return;
      // envFrom[].secretRef, env[].valueFrom.secretKeyRef, volumes[].secret.
      if (k === 'secretRef' && typeof ref.name === 'string') checkSecret(l, ns, ref.name);
      if (k === 'secretKeyRef' && typeof ref.name === 'string') checkSecret(l, ns, ref.name, typeof ref.key === 'string' ? ref.key : undefined);
      if (k === 'secret' && typeof ref.secretName === 'string') checkSecret(l, ns, ref.secretName);
    });
  }
  return problems;
}

/**
 * The manifest sets of a bundle: the kubernetes files under one `k8s/` folder — the kustomize base and what is
 * applied on top of it (deploy/k8s/experiments/…) — resolve against each other.
 */
function manifestSets(artifacts: readonly Artifact[]): Artifact[][] {
  const sets = new Map<string, Artifact[]>();
  for (const a of artifacts) {
    const root = /^(.*\/k8s)\/[^/]+\//.exec(a.path)?.[1];
    if (!root) continue;
    sets.set(root, [...(sets.get(root) ?? []), a]);
  }
  return [...sets.values()];
}

export const referencesValidator: Validator = {
  name: 'kubernetes-references',
  description:
    'Across the manifests of one deploy/k8s folder (base and experiments): Service/PDB selectors match pod templates; HPA, KEDA, VPA, Rollout, VirtualService and DestinationRule targets exist; namespaces, PriorityClasses, ConfigMaps, PVCs, StorageClasses and ServiceAccounts referenced are created; ServiceMonitors and PodMonitors select a Service (with the named port) or pod template; every Secret (and key) referenced is a Secret or an ExternalSecret target in the namespace, and every ExternalSecret names a store that admits its namespace',
  kinds: ['kubernetes'],
  async available() {
    return { ok: true };
  },
  async validate({ artifacts, bundle }) {
    const verdicts: Verdict[] = [];
    const wanted = new Set(artifacts.map((a) => a.path));
    // The whole set resolves together even when only some of its files are being validated.
    for (const set of manifestSets(bundle.filter((a) => a.kind === 'kubernetes'))) {
      const problems = referenceProblems(set);
      for (const a of set.filter((x) => wanted.has(x.path))) {
        const p = problems.get(a.path) ?? [];
        verdicts.push(p.length === 0 ? { path: a.path, validator: this.name, verdict: 'pass', message: 'every reference resolves' } : { path: a.path, validator: this.name, verdict: 'fail', message: p.slice(0, 8).join('\n') });
      }
    }
    return verdicts;
  },
};
