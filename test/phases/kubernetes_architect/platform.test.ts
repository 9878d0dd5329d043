import { describe, expect, it } from 'vitest';
import { PyTorchJobSchema } from '../../../src/validate/crds/kubeflow.js';
import { validateManifest } from '../../../src/validate/validators/kubernetes.js';
import { referenceProblems } from '../../../src/validate/validators/references.js';
import { runAllPhases } from '../../../src/pipeline/runPhases.js';
import type { PhaseOutput } from '../../../src/phases/types.js';
import type { ResolvedSpec } from '../../../src/spec/resolve.js';
import { artifactAt, baseManifests, decisionsOf, k8sObjects, runPhase, withSpec, type K8sObject } from '../../helpers/phaseHarness.js';
import { defaultSpec, richSpec } from '../../helpers/specs.js';

interface Bundle {
  mlops: PhaseOutput<'mlops_engineer'>;
  k8s: PhaseOutput<'kubernetes_architect'>;
}

function run(spec: ResolvedSpec): Bundle {
  const { outputs } = runAllPhases(spec, 'mlops_engineer');
  return { mlops: outputs.mlops_engineer!, k8s: runPhase('kubernetes_architect', spec, undefined, decisionsOf(outputs)) };
}
const file = (b: Bundle, name: string) => `deploy/k8s/base/${name}`;
const has = (b: Bundle, name: string) => b.k8s.artifacts.some((a) => a.path === file(b, name));
const objectsIn = (b: Bundle, name: string) => k8sObjects(artifactAt(b.k8s, file(b, name)));
const ofKind = (objs: K8sObject[], kind: string) => objs.filter((o) => o.kind === kind);
const allObjects = (b: Bundle) => [...baseManifests(b.mlops), ...baseManifests(b.k8s)].flatMap(k8sObjects);
const spec = (o: K8sObject) => o.spec as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const withOptions = (options: Partial<ResolvedSpec['options']>, base = defaultSpec()) => withSpec(base, (s) => Object.assign(s.options, options));
const streaming = (kind: 'kafka' | 'kinesis', cloud: ResolvedSpec['options']['cloud_provider'] = 'aws') =>
  withSpec(defaultSpec(), (s) => {
    s.options.deployment_mode = 'streaming';
    s.options.cloud_provider = cloud;
    s.data.sources[0]!.kind = kind;
    s.data.sources[0]!.rows_per_day = 300_000_000;
  });
/** Recommendation with training GPUs: a PyTorch two-tower model (a large artifact). */
const pytorchModel = (cloud: ResolvedSpec['options']['cloud_provider']) =>
  withSpec(withOptions({ serving_platform: 'torchserve', cloud_provider: cloud }), (s) => {
    s.problem.type = 'recommendation';
    s.scale.training_gpus = 2;
    s.scale.serving_gpus = 1;
  });
const multiNode = (orchestration: ResolvedSpec['options']['orchestration']) => withSpec(withOptions({ orchestration }), (s) => (s.scale.training_gpus = 16));

/** Pod templates of a workload object: Deployment/StatefulSet/Job, CronJob, PyTorchJob replicas. */
function podTemplates(o: K8sObject): { metadata: { labels: Record<string, string> } }[] {
  const s = o.spec as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  if (['Deployment', 'StatefulSet', 'Job', 'Rollout'].includes(o.kind) && s.template) return [s.template];
  if (o.kind === 'CronJob') return [s.jobTemplate.spec.template];
  if (o.kind === 'PyTorchJob') return Object.values(s.pytorchReplicaSpecs as Record<string, { template: never }>).map((r) => r.template);
  return [];
}
const matches = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);

// ---------------------------------------------------------------------------------------------------------------

describe('PyTorchJob strict schema (kubeflow.org/v1)', () => {
  const job = objectsIn(run(defaultSpec()), 'training-job.yaml')[0]!;
  const mutate = (f: (j: any) => void) => { // eslint-disable-line @typescript-eslint/no-explicit-any
    const copy = structuredClone(job);
    f(copy);
    return PyTorchJobSchema.safeParse(copy).success;
  };

  it('accepts the PyTorchJob the phase builds', () => {
    expect(job.kind).toBe('PyTorchJob');
    expect(PyTorchJobSchema.safeParse(job).success).toBe(true);
  });

  it('rejects a misspelt field at any level', () => {
    expect(mutate((j) => (j.spec.runPolicy.cleanPodPolcy = 'All'))).toBe(false);
    expect(mutate((j) => (j.spec.pytorchReplicaSpec = j.spec.pytorchReplicaSpecs))).toBe(false);
    expect(mutate((j) => (j.spec.pytorchReplicaSpecs.Worker.restartpolicy = 'Never'))).toBe(false);
    expect(mutate((j) => (j.spec.runPolicy.schedulingPolicy.priorityClassName = 'x'))).toBe(false);
  });

  it('enforces the operator rules: Master/Worker only, one Master, a container named pytorch, valid restart policy', () => {
    expect(mutate((j) => (j.spec.pytorchReplicaSpecs.Chief = j.spec.pytorchReplicaSpecs.Worker))).toBe(false);
    expect(mutate((j) => (j.spec.pytorchReplicaSpecs.Master = { ...j.spec.pytorchReplicaSpecs.Worker, replicas: 2 }))).toBe(false);
    expect(mutate((j) => (j.spec.pytorchReplicaSpecs.Worker.template.spec.containers[0].name = 'train'))).toBe(false);
    expect(mutate((j) => (j.spec.pytorchReplicaSpecs.Worker.restartPolicy = 'Sometimes'))).toBe(false);
    expect(mutate((j) => (j.metadata.name = 'Train_Job'))).toBe(false);
  });

  it('validates the embedded pod template with kubernetes-models', () => {
    expect(mutate((j) => (j.spec.pytorchReplicaSpecs.Worker.template.spec.containers[0].resources.requests.cpu = 'lots'))).toBe(false);
    expect(mutate((j) => delete j.spec.pytorchReplicaSpecs.Worker.template.spec.containers[0].name)).toBe(false);
  });

  it('validateManifest checks training-job.yaml through the registered schema', async () => {
    const content = artifactAt(run(defaultSpec()).k8s, 'deploy/k8s/base/training-job.yaml').content;
    expect(await validateManifest(content)).toEqual([]);
    expect((await validateManifest(content.replace('cleanPodPolicy', 'cleanPodPolcy'))).join('\n')).toMatch(/cleanPodPolcy/);
  });
});

describe('training per orchestration', () => {
  it('kubeflow: a PyTorchJob and no batch/v1 Job; one node = one Worker, ExitCode, runPolicy from the ml_engineer timeout', () => {
    const b = run(withOptions({ orchestration: 'kubeflow' }));
    const objs = objectsIn(b, 'training-job.yaml');
    expect(objs.map((o) => o.kind)).toEqual(['PyTorchJob']);
    expect(allObjects(b).filter((o) => o.kind === 'Job')).toEqual([]);
    const s = spec(objs[0]!);
    expect(Object.keys(s.pytorchReplicaSpecs)).toEqual(['Worker']);
    expect(s.pytorchReplicaSpecs.Worker).toMatchObject({ replicas: 1, restartPolicy: 'ExitCode' });
    expect(s.runPolicy).toMatchObject({ cleanPodPolicy: 'Running', backoffLimit: 3, activeDeadlineSeconds: b.k8s.decisions.training_job.active_deadline_seconds });
    expect(s.runPolicy.schedulingPolicy.priorityClass).toBe(b.k8s.decisions.priority_classes[1]!.name);
    expect(b.k8s.decisions.training_job).toMatchObject({ kind: 'PyTorchJob', api_version: 'kubeflow.org/v1', launched_by: 'Kubeflow Pipelines', elastic: null, pdb: null });
  });

  it('kubeflow multi-node: Master + Workers under an elastic c10d policy, GPU requests = limits, dshm, PDB on the workers', () => {
    const b = run(multiNode('kubeflow'));
    const d = b.k8s.decisions.training_job;
    if (d.workers === 1) return; // the ml_engineer in use keeps 16 GPUs on one node
    const objs = objectsIn(b, 'training-job.yaml');
    expect(objs.map((o) => o.kind)).toEqual(['PyTorchJob', 'PodDisruptionBudget']);
    const s = spec(objs[0]!);
    expect(s.pytorchReplicaSpecs.Master).toMatchObject({ replicas: 1, restartPolicy: 'ExitCode' });
    expect(s.pytorchReplicaSpecs.Worker).toMatchObject({ replicas: d.workers - 1, restartPolicy: 'OnFailure' });
    expect(s.elasticPolicy).toMatchObject({ rdzvBackend: 'c10d', minReplicas: d.workers, maxReplicas: d.workers });
    expect(s.elasticPolicy.maxRestarts).toBeGreaterThanOrEqual(3);
    expect(s.nprocPerNode).toBe(String(d.gpus_per_worker));
    const pod = s.pytorchReplicaSpecs.Worker.template.spec;
    const res = pod.containers[0].resources;
    expect(res.requests['nvidia.com/gpu']).toBe(String(d.gpus_per_worker));
    expect(res.limits['nvidia.com/gpu']).toBe(res.requests['nvidia.com/gpu']);
    expect(pod.volumes.find((v: { name: string }) => v.name === 'dshm')).toMatchObject({ emptyDir: { medium: 'Memory' } });
    expect(pod.tolerations.map((t: { key: string }) => t.key)).toContain('nvidia.com/gpu');
    expect(JSON.stringify(pod.affinity)).toContain('preferredDuringSchedulingIgnoredDuringExecution');
    expect(spec(objs[1]!)).toMatchObject({ maxUnavailable: 0 });
    expect(d.pdb).toBe(objs[1]!.metadata.name);
    expect(b.k8s.document).toContain('maxRestarts');
  });

  for (const [orchestration, tool] of [
    ['airflow', 'Airflow KubernetesJobOperator'],
    ['prefect', 'Prefect Kubernetes work pool'],
    ['dagster', 'Dagster k8s_job_executor'],
  ] as const) {
    it(`${orchestration}: a batch/v1 Job named for the orchestrator that launches it, no PyTorchJob`, () => {
      const b = run(withOptions({ orchestration }));
      const objs = objectsIn(b, 'training-job.yaml');
      expect(objs.map((o) => o.kind)).toEqual(['Job']);
      expect(objs[0]!.metadata).toMatchObject({ annotations: { 'mlops-mcp/launched-by': tool } });
      expect(allObjects(b).some((o) => o.kind === 'PyTorchJob')).toBe(false);
      expect(b.k8s.decisions.training_job).toMatchObject({ kind: 'Job', api_version: 'batch/v1', launched_by: tool });
      expect(b.k8s.document).toContain(tool);
    });
  }

  it('multi-node batch/v1 Job: Indexed Job + headless Service + PDB selecting its pods', () => {
    const b = run(multiNode('airflow'));
    if (b.k8s.decisions.training_job.workers === 1) return;
    expect(objectsIn(b, 'training-job.yaml').map((o) => o.kind)).toEqual(['Service', 'Job', 'PodDisruptionBudget']);
  });
});

describe('per cloud: storage provisioners and spot labels', () => {
  const cases = [
    ['aws', 'ebs.csi.aws.com', 'efs.csi.aws.com', ['karpenter.sh/capacity-type', 'eks.amazonaws.com/capacityType']],
    ['gcp', 'pd.csi.storage.gke.io', 'filestore.csi.storage.gke.io', ['cloud.google.com/gke-spot']],
    ['azure', 'disk.csi.azure.com', 'file.csi.azure.com', ['kubernetes.azure.com/scalesetpriority']],
    ['multi-cloud', 'ebs.csi.aws.com', 'efs.csi.aws.com', ['karpenter.sh/capacity-type', 'eks.amazonaws.com/capacityType', 'cloud.google.com/gke-spot']],
  ] as const;
  for (const [cloud, block, fileDriver, labels] of cases) {
    it(`${cloud}: ${block} + ${fileDriver}, training prefers ${labels.join(' / ')}`, () => {
      const b = run(withOptions({ cloud_provider: cloud }));
      const classes = ofKind(objectsIn(b, 'storage.yaml'), 'StorageClass');
      expect(classes.map((c) => c.provisioner)).toEqual([block, fileDriver]);
      const job = objectsIn(b, 'training-job.yaml')[0]!;
      const affinity = JSON.stringify(podTemplates(job)[0]);
      for (const l of labels) expect(affinity).toContain(l);
      expect(b.k8s.decisions.storage).toMatchObject({ csi_driver: block, file_csi_driver: fileDriver });
    });
  }

  it('GPU training picks the faster block tier (gp3 6000 IOPS, pd-ssd, Premium_LRS)', () => {
    const params = (cloud: ResolvedSpec['options']['cloud_provider']) =>
      ofKind(objectsIn(run(withSpec(withOptions({ cloud_provider: cloud }), (s) => (s.scale.training_gpus = 2))), 'storage.yaml'), 'StorageClass')[0]!.parameters;
    expect(params('aws')).toMatchObject({ type: 'gp3', iops: '6000', throughput: '250' });
    expect(params('gcp')).toEqual({ type: 'pd-ssd' });
    expect(params('azure')).toEqual({ skuName: 'Premium_LRS' });
  });
});

describe('model cache', () => {
  it('small tree models: node-local emptyDir, no claim', () => {
    expect(run(defaultSpec()).k8s.decisions.storage.model_cache).toMatchObject({ kind: 'emptyDir', pvc_name: null });
  });

  for (const cloud of ['aws', 'gcp', 'azure'] as const) {
    it(`large PyTorch model on ${cloud}: still a per-pod emptyDir (a shared claim would be rewritten by the candidate mid-release), no model-cache claim`, () => {
      const b = run(pytorchModel(cloud));
      expect(b.mlops.decisions.model.family).toBe('pytorch');
      expect(b.k8s.decisions.storage.model_cache).toMatchObject({ kind: 'emptyDir', pvc_name: null });
      expect(ofKind(objectsIn(b, 'storage.yaml'), 'PersistentVolumeClaim').filter((p) => p.metadata.namespace === b.mlops.decisions.serving.namespace)).toEqual([]);
      expect(b.k8s.document).toMatch(/rewritten by the candidate during a release/);
    });
  }
});

describe('feature store online store and inference cache', () => {
  it('feast on aws (DynamoDB): managed endpoint, no StatefulSet', () => {
    const b = run(withOptions({ feature_store: 'feast', cloud_provider: 'aws' }));
    const objs = objectsIn(b, 'feature-store.yaml');
    expect(ofKind(objs, 'StatefulSet')).toEqual([]);
    expect(b.k8s.decisions.storage.online_store).toMatchObject({ store: 'dynamodb', mode: 'managed', port: 443 });
    expect(objs[0]!.data).toMatchObject({ FEATURE_STORE: 'feast', ONLINE_STORE_KIND: 'dynamodb', ONLINE_STORE_MODE: 'managed' });
  });

  it('feast on azure (Redis): an in-cluster Redis StatefulSet with headless Service, PVC template, noeviction and a PDB', () => {
    const b = run(withOptions({ feature_store: 'feast', cloud_provider: 'azure' }));
    const objs = objectsIn(b, 'feature-store.yaml');
    const sts = ofKind(objs, 'StatefulSet')[0]!;
    const s = spec(sts);
    expect(s.replicas).toBe(3);
    const headless = ofKind(objs, 'Service').find((o) => o.metadata.name === s.serviceName)!;
    expect(spec(headless).clusterIP).toBe('None');
    expect(s.volumeClaimTemplates[0].spec.storageClassName).toBe(b.k8s.decisions.storage.storage_class);
    const pdb = ofKind(objs, 'PodDisruptionBudget')[0]!;
    expect(matches(spec(pdb).selector.matchLabels, s.template.metadata.labels)).toBe(true);
    const conf = ofKind(objs, 'ConfigMap').find((c) => c.metadata.name === `${sts.metadata.name}-config`)!;
    expect((conf.data as Record<string, string>)['redis.conf']).toContain('maxmemory-policy noeviction');
    expect(b.k8s.decisions.storage.online_store.mode).toBe('in-cluster');
    expect(b.k8s.decisions.pdbs.map((p) => p.name)).toContain(pdb.metadata.name);
  });

  it('availability ≥ 99.95 % moves a Redis online store to the managed service (ExternalName)', () => {
    const b = run(withSpec(withOptions({ feature_store: 'custom', cloud_provider: 'gcp' }), (s) => (s.slo.availability_pct = 99.95)));
    const svc = ofKind(objectsIn(b, 'feature-store.yaml'), 'Service').find((o) => spec(o).type === 'ExternalName')!;
    expect(spec(svc).externalName).toBe(b.k8s.decisions.storage.online_store.host);
    expect(b.k8s.decisions.storage.online_store.managed_service).toMatch(/Memorystore/);
  });

  it('tecton and databricks reference their managed feature servers', () => {
    expect(run(withOptions({ feature_store: 'tecton' })).k8s.decisions.storage.online_store.host).toMatch(/\.tecton\.ai$/);
    expect(run(withOptions({ feature_store: 'databricks', cloud_provider: 'azure' })).k8s.decisions.storage.online_store.host).toMatch(/azuredatabricks\.net$/);
  });

  it('each feature_store value changes feature-store.yaml', () => {
    const contents = (['feast', 'tecton', 'databricks', 'custom'] as const).map((fs) => artifactAt(run(withOptions({ feature_store: fs })).k8s, 'deploy/k8s/base/feature-store.yaml').content);
    expect(new Set(contents).size).toBe(4);
  });

  it('the inference cache is a separate Redis with allkeys-lru sized from storage.inference_cache_mb', () => {
    const b = run(defaultSpec());
    const c = b.k8s.decisions.storage.inference_cache;
    expect(c).toMatchObject({ enabled: true, policy: 'allkeys-lru', ttl_seconds: 3600 });
    expect(c.maxmemory_mb).toBeGreaterThanOrEqual(b.k8s.decisions.storage.inference_cache_mb);
    const conf = ofKind(objectsIn(b, 'feature-store.yaml'), 'ConfigMap').find((o) => o.metadata.name === `${c.name}-config`)!;
    expect((conf.data as Record<string, string>)['redis.conf']).toContain(`maxmemory ${c.maxmemory_mb}mb\nmaxmemory-policy allkeys-lru`);
    const batchOnly = run(withOptions({ deployment_mode: 'batch' }));
    expect(batchOnly.k8s.decisions.storage.inference_cache.enabled).toBe(false);
  });
});

describe('GPU sharing objects', () => {
  it('no GPUs: no gpu-sharing.yaml', () => {
    expect(has(run(defaultSpec()), 'gpu-sharing.yaml')).toBe(false);
  });

  it('1 serving GPU at p99 ≥ 100 ms: device-plugin time-slicing ConfigMap with replicas = slices', () => {
    const b = run(withSpec(defaultSpec(), (s) => (s.scale.serving_gpus = 1)));
    const cm = ofKind(objectsIn(b, 'gpu-sharing.yaml'), 'ConfigMap')[0]!;
    expect(cm.metadata).toMatchObject({ name: 'time-slicing-config', namespace: 'gpu-operator' });
    expect(Object.values(cm.data as Record<string, string>)[0]).toContain(`replicas: ${b.k8s.decisions.gpu.slices_per_gpu}`);
    expect(b.k8s.decisions.gpu.sharing_config).toMatchObject({ node_label: 'nvidia.com/device-plugin.config' });
  });

  it('p99 < 100 ms: MIG config with the profile and the nvidia.com/mig.config node label', () => {
    const b = run(richSpec());
    const cm = ofKind(objectsIn(b, 'gpu-sharing.yaml'), 'ConfigMap')[0]!;
    const profile = b.k8s.decisions.gpu.mig_profile!;
    expect((cm.data as Record<string, string>)['config.yaml']).toContain(profile);
    expect(b.k8s.decisions.gpu.sharing_config).toMatchObject({ node_label: 'nvidia.com/mig.config', node_label_value: `inference-${profile}` });
  });
});

describe('KEDA on the stream consumer', () => {
  it('kafka: kafka trigger with lagThreshold = events per consumer × half the alert time, SASL TriggerAuthentication', () => {
    const spec0 = streaming('kafka');
    const b = run(spec0);
    const st = b.mlops.decisions.stream!;
    const [auth, so] = objectsIn(b, 'keda.yaml');
    expect(auth!.kind).toBe('TriggerAuthentication');
    expect(spec(auth!).secretTargetRef.map((r: { parameter: string }) => r.parameter)).toEqual(['username', 'password']);
    const s = spec(so!);
    expect(s.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: st.deployment_name });
    expect(s.triggers[0]).toMatchObject({ type: 'kafka', metadata: { consumerGroup: st.consumer_group, topic: st.topic, bootstrapServersFromEnv: 'KAFKA_BOOTSTRAP_SERVERS', lagThreshold: String(1000 * Math.round(spec0.slo.alert_time_s / 2)) }, authenticationRef: { name: auth!.metadata.name } });
    expect(s.maxReplicaCount).toBe(st.partitions);
    expect(s.minReplicaCount).toBeGreaterThanOrEqual(1);
    expect(s.minReplicaCount).toBeLessThanOrEqual(s.maxReplicaCount);
    expect(b.k8s.decisions.keda).toMatchObject({ trigger: 'kafka', max_replicas: st.partitions, target: st.deployment_name });
  });

  it('kinesis on aws: aws-kinesis-stream trigger with shardCount and podIdentity provider aws', () => {
    const b = run(streaming('kinesis'));
    const [auth, so] = objectsIn(b, 'keda.yaml');
    expect(spec(auth!)).toEqual({ podIdentity: { provider: 'aws', identityOwner: 'workload' } });
    expect(spec(so!).triggers[0]).toMatchObject({ type: 'aws-kinesis-stream', metadata: { streamName: b.mlops.decisions.stream!.topic, shardCount: '1' } });
  });

  it('kinesis read from gcp: static keys from the stream Secret (no identity federated to AWS)', () => {
    const [auth] = objectsIn(run(streaming('kinesis', 'gcp')), 'keda.yaml');
    expect(spec(auth!).secretTargetRef.map((r: { parameter: string }) => r.parameter)).toEqual(['awsAccessKeyID', 'awsSecretAccessKey']);
  });

  it('no stream: no keda.yaml', () => {
    expect(has(run(defaultSpec()), 'keda.yaml')).toBe(false);
  });
});

describe('VPA', () => {
  it('platform-autoscaled serving (kserve): no serving VPA', () => {
    const b = run(withOptions({ serving_platform: 'kserve' }));
    expect(b.mlops.decisions.serving.autoscaler).toBe('platform');
    expect(b.k8s.decisions.vpa.map((v) => v.target.kind)).toEqual(['PyTorchJob']);
  });

  it('training Off, batch Initial, serving Off on memory only (never Auto next to a CPU HPA)', () => {
    const b = run(withOptions({ deployment_mode: 'hybrid', serving_platform: 'torchserve' }));
    expect(b.mlops.decisions.serving.autoscaler).toBe('hpa');
    const vpas = objectsIn(b, 'vpa.yaml');
    const modes = Object.fromEntries(vpas.map((v) => [spec(v).targetRef.kind, spec(v).updatePolicy.updateMode]));
    expect(modes).toMatchObject({ PyTorchJob: 'Off', CronJob: 'Initial', [b.mlops.decisions.serving.workload!.kind]: 'Off' });
    for (const v of vpas) expect(spec(v).updatePolicy.updateMode).not.toBe('Auto');
    const serving = vpas.find((v) => spec(v).targetRef.name === b.mlops.decisions.serving.workload!.name)!;
    expect(spec(serving).resourcePolicy.containerPolicies[0].controlledResources).toEqual(['memory']);
  });
});

// ---------------------------------------------------------------------------------------------------------------

const MATRIX: [string, ResolvedSpec][] = [
  ['default', defaultSpec()],
  ['rich', richSpec()],
  ...(['airflow', 'prefect', 'dagster'] as const).map((o): [string, ResolvedSpec] => [`orchestration-${o}`, withOptions({ orchestration: o })]),
  ...(['gcp', 'azure', 'multi-cloud'] as const).map((c): [string, ResolvedSpec] => [`cloud-${c}`, withOptions({ cloud_provider: c, feature_store: 'custom' })]),
  ...(['tecton', 'databricks', 'custom'] as const).map((f): [string, ResolvedSpec] => [`feature-store-${f}`, withOptions({ feature_store: f })]),
  ['stream-kafka-azure', streaming('kafka', 'azure')],
  ['stream-kinesis-aws', streaming('kinesis')],
  ['batch-only', withOptions({ deployment_mode: 'batch' })],
  ['multi-node-kubeflow', multiNode('kubeflow')],
  ['pytorch-model-cache-gcp', pytorchModel('gcp')],
];

describe('every variant: valid objects, existing targets', () => {
  for (const [name, s] of MATRIX) {
    describe(name, () => {
      const b = run(s);
      const objects = allObjects(b);
      const workloads = objects.filter((o) => podTemplates(o).length > 0);

      it('every file of this phase passes validateManifest (kubernetes-models, CRD packages, strict schemas)', async () => {
        for (const a of b.k8s.artifacts.filter((x) => x.kind === 'kubernetes')) expect(await validateManifest(a.content), a.path).toEqual([]);
        expect(b.k8s.decisions.files).toEqual(baseManifests(b.k8s).map((a) => a.path));
      });

      it('the HPA targets the mlops serving workload; none when the platform autoscales', () => {
        const hpas = ofKind(objects, 'HorizontalPodAutoscaler');
        const sv = b.mlops.decisions.serving;
        if (sv.autoscaler !== 'hpa') expect(hpas).toEqual([]);
        for (const h of hpas) {
          expect(spec(h).scaleTargetRef).toEqual({ apiVersion: sv.workload!.api_version, kind: sv.workload!.kind, name: sv.workload!.name });
          expect(h.metadata.namespace).toBe(sv.namespace);
        }
      });

      it('every VPA and ScaledObject targets a workload that exists (or the mlops serving workload)', () => {
        const sv = b.mlops.decisions.serving.workload;
        const exists = (ref: { apiVersion?: string; kind?: string; name: string }, ns: string | undefined) =>
          objects.some((o) => o.kind === ref.kind && o.apiVersion === ref.apiVersion && o.metadata.name === ref.name && o.metadata.namespace === ns) ||
          (sv !== null && sv.kind === ref.kind && sv.api_version === ref.apiVersion && sv.name === ref.name);
        for (const v of ofKind(objects, 'VerticalPodAutoscaler')) expect(exists(spec(v).targetRef, v.metadata.namespace), v.metadata.name).toBe(true);
        for (const so of ofKind(objects, 'ScaledObject')) expect(exists(spec(so).scaleTargetRef, so.metadata.namespace), so.metadata.name).toBe(true);
      });

      it('every PDB of this phase selects the pods of exactly one workload in its namespace', () => {
        const own = baseManifests(b.k8s).flatMap(k8sObjects).filter((o) => o.kind === 'PodDisruptionBudget');
        for (const pdb of own) {
          const hits = workloads.filter((w) => w.metadata.namespace === pdb.metadata.namespace && podTemplates(w).some((t) => matches(spec(pdb).selector.matchLabels, t.metadata.labels)));
          expect(hits.length, pdb.metadata.name).toBe(1);
        }
      });

    });
  }
});

describe('cross-object references of the kustomize base (mlops serving files + this phase)', () => {
  for (const [name, s] of MATRIX) {
    it(`${name}: no broken selector, target, claim, class or namespace in this phase's files`, () => {
      const b = run(s);
      const base = [...baseManifests(b.mlops), ...baseManifests(b.k8s)];
      const problems = referenceProblems(base);
      for (const a of baseManifests(b.k8s)) expect(problems.get(a.path), a.path).toEqual([]);
    });
  }
});
