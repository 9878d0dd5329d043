import { describe, expect, it } from 'vitest';
import { artifact, type Artifact } from '../../../src/artifacts/artifact.js';
import { runAllPhases } from '../../../src/pipeline/runPhases.js';
import { planMlops, type MlopsPlan } from '../../../src/phases/mlops_engineer/derive.js';
import { IDENTITY_ANNOTATION, infraValues, workloadIdentities } from '../../../src/phases/mlops_engineer/identity.js';
import { IDENTITY_FILE, SECRETS_FILE, identityAndSecretFiles, secretBackend, secretObjects } from '../../../src/phases/mlops_engineer/secrets.js';
import { AZURE_WORKLOAD_IDENTITY_LABEL, identityObjects } from '../../../src/phases/mlops_engineer/serviceAccounts.js';
import type { ResolvedSpec } from '../../../src/spec/resolve.js';
import { validateManifest } from '../../../src/validate/validators/kubernetes.js';
import { referenceProblems } from '../../../src/validate/validators/references.js';
import { k8sObjects, runPhase, upstreamFor, withSpec, type K8sObject } from '../../helpers/phaseHarness.js';
import { defaultSpec, richSpec } from '../../helpers/specs.js';

const CLOUDS = ['aws', 'gcp', 'azure', 'multi-cloud'] as const;
type ProviderBlock = 'aws' | 'gcpsm' | 'azurekv' | 'vault';

function planOf(spec: ResolvedSpec): MlopsPlan {
  const up = upstreamFor(spec, 'mlops_engineer');
  return planMlops(spec, up.data_scientist!, up.ml_engineer!, up.python_pro!);
}

function variant(base: ResolvedSpec, options: Partial<ResolvedSpec['options']>, secretsBackend?: 'cloud' | 'vault'): ResolvedSpec {
  return withSpec(base, (s) => {
    Object.assign(s.options, options);
    const d = s.delivery as { secrets_backend?: string };
    if (secretsBackend) d.secrets_backend = secretsBackend;
    else delete d.secrets_backend;
  });
}

/** The bundle's manifests with identity.yaml and secrets.yaml added as the phase will add them. */
function bundleWithSecrets(spec: ResolvedSpec): Artifact[] {
  const artifacts = runAllPhases(spec).artifacts.filter((a) => a.path !== IDENTITY_FILE && a.path !== SECRETS_FILE);
  return [...artifacts, ...identityAndSecretFiles(spec, planOf(spec)).map((f) => artifact('mlops_engineer', f.path, f.kind, f.content))];
}

function k8sSet(bundle: Artifact[]): Artifact[] {
  return bundle.filter((a) => a.kind === 'kubernetes' && a.path.startsWith('deploy/k8s/'));
}

const get = (o: unknown, ...path: (string | number)[]): unknown => path.reduce<unknown>((x, k) => (x as Record<string | number, unknown> | undefined)?.[k], o);

/** Pod specs of an object with the labels of their pods: pod templates, KServe predictors, Seldon componentSpecs. */
function podSpecs(o: K8sObject): { labels: Record<string, string>; spec: Record<string, unknown> }[] {
  const out: { labels: Record<string, string>; spec: Record<string, unknown> }[] = [];
  const visit = (n: unknown, key: string | null) => {
    if (Array.isArray(n)) return n.forEach((x) => visit(x, key));
    if (!n || typeof n !== 'object') return;
    const r = n as Record<string, unknown>;
    if ((key === 'template' || key === 'componentSpecs') && r.spec && (r.spec as Record<string, unknown>).containers) out.push({ labels: (get(r, 'metadata', 'labels') ?? {}) as Record<string, string>, spec: r.spec as Record<string, unknown> });
    if (key === 'predictor') out.push({ labels: (r.labels ?? {}) as Record<string, string>, spec: r });
    for (const [k, v] of Object.entries(r)) visit(v, k);
  };
  visit(o.spec, 'spec');
  return out;
}

describe('secrets: one ClusterSecretStore per backend, with that provider block and no other', () => {
  const cases: [string, ResolvedSpec, ProviderBlock][] = [
    ['aws', variant(defaultSpec(), { cloud_provider: 'aws' }), 'aws'],
    ['gcp', variant(defaultSpec(), { cloud_provider: 'gcp' }), 'gcpsm'],
    ['azure', variant(defaultSpec(), { cloud_provider: 'azure' }), 'azurekv'],
    ['multi-cloud (vault by default)', variant(defaultSpec(), { cloud_provider: 'multi-cloud' }), 'vault'],
    ['aws with secrets_backend vault', variant(defaultSpec(), { cloud_provider: 'aws' }, 'vault'), 'vault'],
    ['gcp with secrets_backend vault', variant(richSpec(), { cloud_provider: 'gcp' }, 'vault'), 'vault'],
    ['multi-cloud with secrets_backend cloud (AWS Secrets Manager, the primary)', variant(defaultSpec(), { cloud_provider: 'multi-cloud' }, 'cloud'), 'aws'],
  ];
  for (const [name, spec, block] of cases) {
    it(name, async () => {
      const objects = secretObjects(spec, planOf(spec)) as K8sObject[];
      const stores = objects.filter((o) => o.kind === 'ClusterSecretStore');
      expect(stores).toHaveLength(1);
      const provider = get(stores[0], 'spec', 'provider') as Record<string, unknown>;
      expect(Object.keys(provider)).toEqual([block]);
      for (const f of identityAndSecretFiles(spec, planOf(spec))) expect(await validateManifest(f.content), f.path).toEqual([]);
    });
  }

  it('authenticates each provider through the external-secrets identity, never a static key', () => {
    for (const [cloud, backend] of [['aws', undefined], ['gcp', undefined], ['azure', undefined], ['aws', 'vault']] as const) {
      const spec = variant(defaultSpec(), { cloud_provider: cloud }, backend);
      const plan = planOf(spec);
      const store = secretObjects(spec, plan)[0] as K8sObject;
      const provider = get(store, 'spec', 'provider') as Record<string, Record<string, unknown>>;
      const eso = workloadIdentities(spec, plan).find((i) => i.role === 'external-secrets')!;
      const ref = { name: eso.service_account, namespace: eso.namespace };
      if (secretBackend(spec) === 'aws') expect(provider.aws).toEqual({ service: 'SecretsManager', region: 'us-east-1', auth: { jwt: { serviceAccountRef: ref } } });
      if (secretBackend(spec) === 'gcp') expect(provider.gcpsm).toEqual({ projectID: 'project-id', auth: { workloadIdentity: { serviceAccountRef: ref } } });
      if (secretBackend(spec) === 'azure') expect(provider.azurekv).toMatchObject({ authType: 'WorkloadIdentity', vaultUrl: 'https://detect-fraudulent-car-kv.vault.azure.net/', serviceAccountRef: ref });
      if (secretBackend(spec) === 'vault') expect(provider.vault).toMatchObject({ path: 'secret', version: 'v2', auth: { kubernetes: { mountPath: 'kubernetes-aws', role: `${spec.name}-external-secrets`, serviceAccountRef: ref } } });
      expect(JSON.stringify(provider)).not.toMatch(/secretRef|accessKeyID|clientSecret|tokenSecretRef/);
    }
  });

  it('restricts the cluster-wide store to the namespaces holding our ExternalSecrets', () => {
    const spec = variant(defaultSpec(), { cloud_provider: 'aws' });
    const plan = planOf(spec);
    const [store, ...external] = secretObjects(spec, plan) as K8sObject[];
    const namespaces = [...new Set(external.map((e) => e.metadata.namespace))].sort();
    expect(get(store, 'spec', 'conditions')).toEqual([{ namespaces }]);
    expect(namespaces).toEqual([plan.namespaces.serving, plan.namespaces.training].sort());
  });
});

describe('secrets: one ExternalSecret per secret and consuming namespace', () => {
  it('targets the Secret the workloads reference, refreshes hourly, owns it, and maps every key to a property of the backend secret', () => {
    for (const [cloud, backend, remote] of [
      ['aws', undefined, (item: string) => `${defaultSpec().name}/${item}`],
      ['gcp', undefined, (item: string) => `${defaultSpec().name}-${item}`],
      ['azure', undefined, (item: string) => `${defaultSpec().name}-${item}`],
      ['gcp', 'vault', (item: string) => `${defaultSpec().name}/${item}`],
      // Both clouds' managers hold the secrets under a name valid in each.
      ['multi-cloud', 'cloud', (item: string) => `${defaultSpec().name}-${item}`],
    ] as const) {
      const spec = variant(defaultSpec(), { cloud_provider: cloud }, backend);
      const plan = planOf(spec);
      const external = (secretObjects(spec, plan) as K8sObject[]).filter((o) => o.kind === 'ExternalSecret');
      expect(external.map((e) => e.metadata.name).sort()).toEqual(plan.secrets.map((s) => s.name).sort());
      for (const e of external) {
        const item = plan.secrets.find((s) => s.name === e.metadata.name)!;
        expect(get(e, 'spec', 'refreshInterval')).toBe('1h');
        expect(get(e, 'spec', 'target')).toEqual({ name: item.name, creationPolicy: 'Owner' });
        expect(get(e, 'spec', 'data')).toEqual(item.keys.map((k) => ({ secretKey: k, remoteRef: { key: remote(item.name.slice(spec.name.length + 1)), property: k } })));
      }
    }
  });

  it('delivers the tracking secret to training, the online-store and stream secrets to serving', () => {
    const spec = variant(defaultSpec(), { cloud_provider: 'aws', deployment_mode: 'streaming' });
    const plan = planOf(spec);
    const where = Object.fromEntries((secretObjects(spec, plan) as K8sObject[]).filter((o) => o.kind === 'ExternalSecret').map((e) => [e.metadata.name, e.metadata.namespace]));
    expect(where).toEqual({ [`${spec.name}-tracking`]: plan.namespaces.training, [`${spec.name}-online-store`]: plan.namespaces.serving, [`${spec.name}-stream`]: plan.namespaces.serving });
  });
});

describe('identity: one ServiceAccount per workload identity, annotated for each cluster cloud', () => {
  for (const cloud of CLOUDS) {
    it(cloud, () => {
      const spec = variant(richSpec(), { cloud_provider: cloud, deployment_mode: 'hybrid' });
      const plan = planOf(spec);
      const identities = workloadIdentities(spec, plan);
      const values = infraValues(spec, identities, false);
      const accounts = identityObjects(spec, plan);
      expect(accounts.map((a) => [a.metadata!.namespace, a.metadata!.name])).toEqual(identities.map((i) => [i.namespace, i.service_account]));
      const clouds = cloud === 'multi-cloud' ? (['aws', 'gcp'] as const) : [cloud];
      for (const [a, id] of accounts.map((a, i) => [a, identities[i]!] as const)) {
        expect(Object.keys(a.metadata!.annotations!).sort()).toEqual(clouds.map((c) => IDENTITY_ANNOTATION[c]).sort());
        for (const c of clouds) {
          const v = values.find((x) => 'cloud' in x.source && x.source.cloud === c && x.source.path[0] === id.role)!;
          expect(a.metadata!.annotations![IDENTITY_ANNOTATION[c]]).toBe(v.placeholder);
        }
        expect(a.automountServiceAccountToken).toBe(false);
      }
    });
  }
});

describe('pods run as their role\'s ServiceAccount, and every reference resolves', () => {
  const specs: [string, ResolvedSpec][] = [];
  for (const platform of ['kserve', 'seldon', 'torchserve', 'triton'] as const) {
    for (const mode of ['realtime', 'batch', 'streaming', 'hybrid'] as const) specs.push([`${platform} ${mode}`, variant(defaultSpec(), { serving_platform: platform, deployment_mode: mode, cloud_provider: 'azure' })]);
  }
  specs.push(
    ['rich gcp triton hybrid GPU', richSpec()],
    ['kubeflow multi-cloud', variant(richSpec(), { orchestration: 'kubeflow', cloud_provider: 'multi-cloud' })],
    // Kinesis read from GKE: KEDA's TriggerAuthentication takes static AWS keys from the stream Secret.
    ['kinesis stream on gcp', variant(richSpec(), { deployment_mode: 'streaming', cloud_provider: 'gcp' })],
    ['kinesis stream on aws', variant(richSpec(), { deployment_mode: 'streaming', cloud_provider: 'aws' })],
  );

  for (const [name, spec] of specs) {
    it(name, () => {
      const bundle = bundleWithSecrets(spec);
      const set = k8sSet(bundle);
      const problems = [...referenceProblems(set).entries()].filter(([, p]) => p.length > 0);
      expect(problems).toEqual([]);
      const plan = planOf(spec);
      const accounts = new Set(identityObjects(spec, plan).map((a) => `${a.metadata!.namespace}/${a.metadata!.name}`));
      const ours = set.filter((a) => a.path !== 'deploy/k8s/base/feature-store.yaml').flatMap((a) => k8sObjects(a));
      const pods = ours.flatMap((o) => podSpecs(o).map((p) => ({ o, ...p })));
      expect(pods.length).toBeGreaterThan(0);
      for (const p of pods) {
        const sa = p.spec.serviceAccountName as string | undefined;
        expect(sa, `${p.o.kind} ${p.o.metadata.name}`).toBeDefined();
        expect(accounts.has(`${p.o.metadata.namespace}/${sa}`), `${p.o.kind} ${p.o.metadata.name} → ${sa}`).toBe(true);
        if (spec.options.cloud_provider === 'azure') expect(p.labels[AZURE_WORKLOAD_IDENTITY_LABEL], `${p.o.kind} ${p.o.metadata.name}`).toBe('true');
        else expect(p.labels[AZURE_WORKLOAD_IDENTITY_LABEL]).toBeUndefined();
      }
    });
  }
});

describe('the phase document explains the secrets backend with its figures', () => {
  const section = (spec: ResolvedSpec) => {
    const doc = runPhase('mlops_engineer', spec).document;
    const start = doc.indexOf('### Secrets management with Vault/Secrets Manager');
    return doc.slice(start, doc.indexOf('\n## ', start));
  };
  it.each([
    ['aws', undefined, 'AWS Secrets Manager', '`aws (service SecretsManager)`'],
    ['gcp', undefined, 'GCP Secret Manager', '`gcpsm`'],
    ['azure', undefined, 'Azure Key Vault', '`azurekv`'],
    ['aws', 'vault', 'HashiCorp Vault (KV v2)', '`vault`'],
    ['multi-cloud', undefined, 'HashiCorp Vault (KV v2)', '`kubernetes-gcp`'],
  ] as const)('%s (%s)', (cloud, backend, service, detail) => {
    const spec = variant(defaultSpec(), { cloud_provider: cloud }, backend);
    const plan = planOf(spec);
    const text = section(spec);
    expect(text).toContain(`Backend: ${service}`);
    expect(text).toContain(detail);
    expect(text).toContain('`ClusterSecretStore`');
    // Every secret with its backend name and namespace, every ServiceAccount.
    for (const s of plan.secrets) expect(text).toContain(`\`${s.name}\``);
    for (const i of workloadIdentities(spec, plan)) expect(text).toContain(`\`${i.service_account}\``);
  });
});

describe('names stay within Kubernetes limits at the longest spec name and namespace', () => {
  it('every name and label value of identity.yaml and secrets.yaml is ≤ 63 characters', () => {
    const spec = withSpec(defaultSpec(), (s) => {
      s.name = `a${'b'.repeat(38)}c`;
      s.team.namespace = `n${'m'.repeat(61)}o`;
    });
    for (const f of identityAndSecretFiles(spec, planOf(spec))) {
      for (const o of k8sObjects(artifact('mlops_engineer', f.path, f.kind, f.content))) {
        expect(o.metadata.name.length, o.metadata.name).toBeLessThanOrEqual(63);
        for (const v of Object.values(o.metadata.labels ?? {})) expect(v.length, v).toBeLessThanOrEqual(63);
      }
    }
  });
});
