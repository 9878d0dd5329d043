import { describe, expect, it } from 'vitest';
import { MlopsEngineerDecisions } from '../../../src/phases/mlops_engineer/decisions.js';
import { costLabelValue } from '../../../src/phases/mlops_engineer/naming.js';
import { InferenceService } from '../../../src/validate/crds/kserve.js';
import { SeldonDeployment } from '../../../src/validate/crds/seldon.js';
import { validateManifest } from '../../../src/validate/validators/kubernetes.js';
import { toYaml } from '../../../src/generators/serializers/yaml.js';
import { runPhase, shellcheck, upstreamFor, withSpec, yamllint } from '../../helpers/phaseHarness.js';
import { defaultSpec, richSpec } from '../../helpers/specs.js';
import { AB, PLATFORMS, RELEASE, SERVING, artifactText, baseObjects, kinds, kubernetesArtifacts, matches, objectsAt, one, podLabels, run, serviceHosts, withOptions, type Out } from './objects.js';

/** config.properties as key → value (java.util.Properties subset our serializer writes). */
function properties(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

const PLATFORM_KIND = { kserve: 'InferenceService', seldon: 'SeldonDeployment', torchserve: 'Rollout', triton: 'Rollout' } as const;
const SERVING_CRDS = ['InferenceService', 'SeldonDeployment', 'Rollout'];

describe('mlops_engineer serving: each serving_platform gives its own kind and not the others', () => {
  for (const platform of PLATFORMS) {
    for (const [name, base] of [
      ['default', defaultSpec()],
      ['rich (GPU, hybrid)', richSpec()],
    ] as const) {
      it(`${platform} (${name})`, async () => {
        const out = run(withOptions(base, { serving_platform: platform }));
        const serving = objectsAt(out, SERVING);
        const want = PLATFORM_KIND[platform];
        expect(kinds(serving).filter((k) => SERVING_CRDS.includes(k))).toEqual([want]);
        // No plain Deployment runs the model server any more.
        expect(serving.filter((o) => o.kind === 'Deployment' && o.metadata.name === out.decisions.serving.deployment_name)).toEqual([]);
        expect(out.decisions.serving.platform_object?.kind).toBe(want);
        for (const a of kubernetesArtifacts(out)) expect(await validateManifest(a.content), a.path).toEqual([]);
        for (const a of kubernetesArtifacts(out)) expect(yamllint(a.content), a.path).toEqual({ ok: true, output: '' });
        expect(() => MlopsEngineerDecisions.parse(out.decisions)).not.toThrow();
      });
    }
  }

  it('the hand-off names the workload and autoscaler per platform', () => {
    const d = (p: (typeof PLATFORMS)[number]) => run(withOptions(defaultSpec(), { serving_platform: p })).decisions.serving;
    expect(d('kserve')).toMatchObject({ workload: null, autoscaler: 'platform', platform_autoscaling: { kind: 'knative-kpa', metric: 'rps' } });
    expect(d('seldon')).toMatchObject({ workload: { api_version: 'apps/v1', kind: 'Deployment', name: 'detect-fraudulent-card-payments-stable-0-model' }, autoscaler: 'platform', platform_autoscaling: { kind: 'seldon-hpa' } });
    for (const p of ['torchserve', 'triton'] as const) {
      expect(d(p)).toMatchObject({ workload: { api_version: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'detect-fraudulent-card-payments-model-server' }, autoscaler: 'hpa', platform_autoscaling: null });
    }
    const batch = run(withOptions(defaultSpec(), { deployment_mode: 'batch' })).decisions.serving;
    expect(batch).toMatchObject({ workload: null, autoscaler: 'none', platform_object: null, endpoint: null });
  });

  it('lists every emitted file with its kind in decisions.files', () => {
    for (const p of PLATFORMS) {
      const out = run(withOptions(richSpec(), { serving_platform: p }));
      expect(out.decisions.files.map((f) => [f.path, f.kind])).toEqual(out.artifacts.map((a) => [a.path, a.kind]));
    }
  });
});

describe('mlops_engineer serving: KServe InferenceService', () => {
  const spec = defaultSpec();
  const out = run(spec);
  const isvc = one(objectsAt(out, SERVING), 'InferenceService') as unknown as InferenceService;
  const p = isvc.spec.predictor;
  const s = out.decisions.serving;

  it('is Serverless with the mode-correct annotations and passes the strict schema', () => {
    expect(InferenceService.safeParse(isvc).success).toBe(true);
    expect(isvc.metadata.annotations).toMatchObject({ 'serving.kserve.io/deploymentMode': 'Serverless', 'serving.kserve.io/enable-prometheus-scraping': 'true' });
    expect(out.document).toContain('Why Serverless and not RawDeployment');
  });

  it('serves the promoted pickle from a custom predictor running our server, fetched by the storage initializer, sized from the sizing', () => {
    // No prepackaged runtime: none can load the pickle, which holds the preprocessing and the ensemble.
    expect(p.model).toBeUndefined();
    const c = p.containers![0]!;
    expect(c.name).toBe('kserve-container');
    expect(c.command).toEqual(['uvicorn', 'detect_fraudulent_card_payments.serving.app:app', '--host', '0.0.0.0', '--port', '8080', '--no-access-log']);
    // STORAGE_URI on kserve-container is what makes KServe inject its storage initializer (into /mnt/models).
    expect(c.env).toEqual(expect.arrayContaining([{ name: 'STORAGE_URI', value: out.decisions.model.artifact_uri }, { name: 'MODEL_DIR', value: '/mnt/models' }]));
    expect(c.readinessProbe?.httpGet).toMatchObject({ path: '/v2/health/ready', port: 8080 });
    expect(isvc.metadata.annotations).toMatchObject({ 'prometheus.kserve.io/port': '8080', 'prometheus.kserve.io/path': '/metrics' });
    expect(c.resources).toEqual({ requests: { cpu: s.cpu, memory: s.memory }, limits: { memory: s.memory } });
    expect([p.minReplicas, p.maxReplicas]).toEqual([s.min_replicas, s.max_replicas]);
    // CPU predictor: Knative scales on rps, target = rps per replica at the target utilisation.
    expect(p.scaleMetric).toBe('rps');
    expect(p.scaleTarget).toBe(Math.floor(s.rps_per_replica));
  });

  it('puts our component labels on the pods and keeps them off spot nodes', () => {
    expect(p.labels).toEqual(s.pod_labels);
    expect(matches(s.selector, p.labels!)).toBe(true);
    const terms = p.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms[0]?.matchExpressions;
    expect(terms).toEqual([
      { key: 'karpenter.sh/capacity-type', operator: 'NotIn', values: ['spot'] },
      { key: 'eks.amazonaws.com/capacityType', operator: 'NotIn', values: ['SPOT'] },
    ]);
    expect(p.tolerations).toBeUndefined();
  });

  it('GPU serving: concurrency scaling and the GPU toleration', () => {
    const gpu = run(withOptions(richSpec(), { serving_platform: 'kserve' }));
    const gp = (one(objectsAt(gpu, SERVING), 'InferenceService') as unknown as InferenceService).spec.predictor;
    expect(gp.scaleMetric).toBe('concurrency');
    expect(gp.scaleTarget).toBe(Math.floor(8 * gpu.decisions.serving.target_utilisation));
    expect(gp.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(gp.containers![0]!.resources?.limits).toMatchObject({ 'nvidia.com/gpu': '1' });
  });

  it('Azure: the storage initializer gets an https blob URI, not abfss', () => {
    const az = run(withOptions(spec, { cloud_provider: 'azure' }));
    const uri = (one(objectsAt(az, SERVING), 'InferenceService') as unknown as InferenceService).spec.predictor.containers![0]!.env!.find((e) => e.name === 'STORAGE_URI')?.value;
    expect(uri).toMatch(/^https:\/\/[a-z0-9]+\.blob\.core\.windows\.net\//);
  });

  it('every model family runs the same server: the pickle, not a framework runtime, defines the model', () => {
    for (const library of ['scikit-learn', 'lightgbm', 'pytorch']) {
      const upstream = upstreamFor(spec, 'mlops_engineer');
      const ds = { ...upstream.data_scientist!, algorithm: { ...upstream.data_scientist!.algorithm, library } };
      const o = runPhase('mlops_engineer', spec, undefined, { ...upstream, data_scientist: ds });
      const predictor = (one(objectsAt(o, SERVING), 'InferenceService') as unknown as InferenceService).spec.predictor;
      expect(predictor.containers![0]!.command, library).toEqual(p.containers![0]!.command);
    }
  });
});

describe('mlops_engineer serving: Seldon Core v1 SeldonDeployment', () => {
  const out = run(withOptions(defaultSpec(), { serving_platform: 'seldon' }));
  const sdep = one(objectsAt(out, SERVING), 'SeldonDeployment') as unknown as SeldonDeployment;
  const s = out.decisions.serving;

  it('runs our server as a custom model unit (protocol v2) with the model-fetch init container, our pod template pieces and hpaSpec metricsv2', () => {
    expect(SeldonDeployment.safeParse(sdep).success).toBe(true);
    expect(sdep.spec.protocol).toBe('v2');
    const stable = sdep.spec.predictors[0]!;
    // A custom unit: no prepackaged implementation (none can load the pickle) and no modelUri (our init container fetches it).
    expect(stable).toMatchObject({ name: 'stable', traffic: 100, graph: { name: 'model', type: 'MODEL', endpoint: { type: 'REST', httpPort: 9000 } } });
    expect(stable.graph.implementation).toBeUndefined();
    expect(stable.graph.modelUri).toBeUndefined();
    const c = stable.componentSpecs![0]!;
    expect(c.metadata?.labels).toEqual(s.pod_labels);
    expect(c.spec.initContainers?.map((i) => i.name)).toEqual(['model-fetch']);
    expect(c.spec.containers[0]).toMatchObject({ name: 'model', ports: [{ name: 'http', containerPort: 9000, protocol: 'TCP' }], resources: { requests: { cpu: s.cpu, memory: s.memory } } });
    // The orchestrator forwards /v2/models/model/infer: the server answers under the unit's name.
    expect(c.spec.containers[0]!.env).toEqual(expect.arrayContaining([{ name: 'MODEL_NAME', value: 'model' }]));
    expect(c.spec.containers[0]!.command?.slice(0, 2)).toEqual(['uvicorn', expect.stringMatching(/\.serving\.app:app$/)]);
    expect(c.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution).toBeDefined();
    expect(c.hpaSpec).toEqual({
      minReplicas: s.min_replicas,
      maxReplicas: s.max_replicas,
      metricsv2: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: Math.round(s.target_utilisation * 100) } } }],
    });
  });

  it('has a native shadow predictor at the mirror share', () => {
    const shadow = sdep.spec.predictors.find((p) => p.shadow);
    expect(shadow).toMatchObject({ name: 'shadow', shadow: true, traffic: out.decisions.rollout.shadow_mirror_pct });
    expect(shadow!.componentSpecs![0]!.metadata?.labels?.['mlops-mcp/variant']).toBe('shadow');
  });
});

describe('mlops_engineer serving: strict CRD schemas reject misspelt fields', () => {
  const isvc = one(objectsAt(run(defaultSpec()), SERVING), 'InferenceService');
  const sdep = one(objectsAt(run(withOptions(defaultSpec(), { serving_platform: 'seldon' })), SERVING), 'SeldonDeployment');

  it('InferenceService: predictor.minReplica, predictor.storageURI', async () => {
    const bad = structuredClone(isvc) as unknown as { spec: { predictor: Record<string, unknown> & { model: Record<string, unknown> } } };
    bad.spec.predictor.minReplica = 2;
    expect((await validateManifest(toYaml(bad))).join('\n')).toContain('Unrecognized key: "minReplica"');
    const bad2 = structuredClone(isvc) as unknown as { spec: { predictor: Record<string, unknown> } };
    bad2.spec.predictor.storageURI = 's3://x';
    expect((await validateManifest(toYaml(bad2))).join('\n')).toContain('Unrecognized key: "storageURI"');
  });

  it('SeldonDeployment: predictor "trafic", graph "modelURI", traffic not summing to 100', async () => {
    const bad = structuredClone(sdep) as unknown as { spec: { predictors: Record<string, unknown>[] } };
    bad.spec.predictors[0]!.trafic = 100;
    expect((await validateManifest(toYaml(bad))).join('\n')).toContain('Unrecognized key: "trafic"');
    const bad2 = structuredClone(sdep) as unknown as { spec: { predictors: { graph: Record<string, unknown> }[] } };
    bad2.spec.predictors[0]!.graph.modelURI = 's3://x';
    expect((await validateManifest(toYaml(bad2))).join('\n')).toContain('Unrecognized key: "modelURI"');
    const bad3 = structuredClone(sdep) as unknown as { spec: { predictors: Record<string, unknown>[] } };
    bad3.spec.predictors.push({ ...bad3.spec.predictors[0], name: 'canary', traffic: 10, shadow: undefined });
    expect(SeldonDeployment.safeParse(bad3).success).toBe(false);
  });
});

describe('mlops_engineer serving: TorchServe', () => {
  const out = run(withOptions(defaultSpec(), { serving_platform: 'torchserve' }));
  const serving = objectsAt(out, SERVING);
  const cm = one(serving, 'ConfigMap', out.decisions.serving.runtime_config!.config_map) as unknown as { data: Record<string, string> };
  const props = properties(cm.data['config.properties']!);

  it('ships a real config.properties in a ConfigMap mounted into the container', () => {
    expect(props).toMatchObject({
      inference_address: 'http://0.0.0.0:8080',
      management_address: 'http://127.0.0.1:8081',
      // Pod-local: the metrics exporter merges it with the handler's request metrics on the metrics port.
      metrics_address: 'http://127.0.0.1:8082',
      metrics_mode: 'prometheus',
      model_store: '/mnt/models',
      load_models: `${out.decisions.model.name}.mar`,
      default_workers_per_model: '2',
    });
    expect(Number(props.number_of_netty_threads)).toBeGreaterThanOrEqual(2);
    expect(Number(props.job_queue_size)).toBeGreaterThanOrEqual(10);
    const models = JSON.parse(props.models!) as Record<string, Record<string, { batchSize: number; maxBatchDelay: number }>>;
    const b = out.decisions.serving.batching;
    expect(models[out.decisions.model.name]!['1.0']).toMatchObject({ batchSize: b.batch_size, maxBatchDelay: b.max_delay_ms });
    expect(artifactText(out, 'serving/torchserve/config.properties')).toBe(cm.data['config.properties']);
    const rollout = one(serving, 'Rollout') as unknown as { spec: { template: { spec: { containers: { args: string[]; volumeMounts: { mountPath: string; subPath?: string }[] }[]; volumes: { name: string; configMap?: { name: string } }[] } } } };
    const c = rollout.spec.template.spec.containers[0]!;
    expect(c.args).toEqual(['torchserve', '--start', '--foreground', '--ts-config', '/home/model-server/config.properties']);
    expect(c.volumeMounts).toContainEqual({ name: 'runtime-config', mountPath: '/home/model-server/config.properties', subPath: 'config.properties', readOnly: true });
    expect(rollout.spec.template.spec.volumes).toContainEqual({ name: 'runtime-config', configMap: { name: out.decisions.serving.runtime_config!.config_map } });
  });

  it('runs the metrics exporter next to TorchServe: the workers write multiprocess metrics, one port serves them with TorchServe\'s own', () => {
    const rollout = one(serving, 'Rollout') as unknown as { spec: { template: { spec: { containers: { name: string; env?: { name: string; value: string }[]; ports?: { name: string; containerPort: number }[]; command?: string[] }[] } } } };
    const [server, exporter] = rollout.spec.template.spec.containers;
    expect(server!.env).toContainEqual({ name: 'PROMETHEUS_MULTIPROC_DIR', value: '/tmp/prometheus-multiproc' });
    expect(server!.ports!.map((p) => p.name)).not.toContain('metrics');
    expect(exporter).toMatchObject({ name: 'metrics-exporter', command: ['python3', '-m', 'detect_fraudulent_card_payments.serving.metrics_exporter', '--port', '9091'], ports: [{ name: 'metrics', containerPort: 9091 }] });
    expect(exporter!.env).toEqual([
      { name: 'PROMETHEUS_MULTIPROC_DIR', value: '/tmp/prometheus-multiproc' },
      { name: 'RUNTIME_METRICS_URL', value: 'http://127.0.0.1:8082/metrics' },
    ]);
  });

  it('batching: the delay is 5 % of the p99 SLO, the batch what one replica receives in it', () => {
    const b = out.decisions.serving.batching;
    const s = out.decisions.serving;
    expect(b.max_delay_ms).toBe(10); // 5 % of 200 ms
    expect(b.batch_size).toBe(Math.max(1, Math.ceil((s.rps_per_replica * 10) / 1000 - 1e-9)));
    // GPU replicas batch their in-flight requests.
    const gpu = run(withOptions(richSpec(), { serving_platform: 'torchserve' })).decisions.serving.batching;
    expect(gpu).toMatchObject({ max_delay_ms: 4, batch_size: 8 });
  });

  it('documents the model archive and builds it with torch-model-archiver', () => {
    const readme = artifactText(out, 'serving/torchserve/README.md');
    expect(readme).toContain('torch-model-archiver --model-name');
    expect(readme).toContain('--serialized-file');
    expect(readme).toContain('--handler ml/src/detect_fraudulent_card_payments/serving/torchserve_handler.py');
    expect(readme).toContain('--serialized-file artifacts/model.pkl');
    const script = artifactText(out, 'scripts/build-model-archive.sh');
    // The promoted pickle is downloaded when not already there, archived with the handler, and uploaded next to it.
    expect(script).toContain("[[ -f artifacts/model.pkl ]] || aws s3 cp 's3://");
    expect(script).toContain("torch-model-archiver '--model-name'");
    expect(shellcheck(script)).toEqual({ ok: true, output: '' });
  });
});

describe('mlops_engineer serving: Triton', () => {
  const gpu = run(withOptions(richSpec(), { serving_platform: 'triton' }));
  const cpu = run(withOptions(defaultSpec(), { serving_platform: 'triton' }));
  const pbtxt = (o: Out) => (one(objectsAt(o, SERVING), 'ConfigMap', o.decisions.serving.runtime_config!.config_map) as unknown as { data: Record<string, string> }).data['config.pbtxt']!;
  const upstream = upstreamFor(richSpec(), 'mlops_engineer');

  it('config.pbtxt: the Python backend with one input per model feature, typed from the declared feature', () => {
    const text = pbtxt(gpu);
    expect(text).toContain(`name: "${gpu.decisions.model.name}"`);
    expect(text).toContain('backend: "python"');
    const features = richSpec().data.features.filter((f) => !f.protected);
    const inputs = text.slice(text.indexOf('input ['), text.indexOf('output ['));
    const declared = [...inputs.matchAll(/\{\n {4}name: "([^"]+)"\n {4}data_type: (TYPE_\w+)\n {4}dims: \[ 1 \]/g)].map((m) => [m[1], m[2]]);
    const types = { numeric: 'TYPE_FP64', integer: 'TYPE_INT64', boolean: 'TYPE_BOOL' } as Record<string, string>;
    expect(declared).toEqual(features.map((f) => [f.name, types[f.type] ?? 'TYPE_STRING']));
    // The pickle is a CPU model, GPU node or not: instances are CPU processes.
    expect(text).toMatch(/instance_group \[\n {2}\{\n {4}count: \d+\n {4}kind: KIND_CPU/);
    expect(artifactText(gpu, `serving/triton/${gpu.decisions.model.name}/config.pbtxt`)).toBe(text);
  });

  it('CPU serving: KIND_CPU, one instance per worker; dynamic batching delay from the p99 SLO', () => {
    const text = pbtxt(cpu);
    expect(text).toContain('kind: KIND_CPU');
    expect(text).toContain(`count: ${cpu.decisions.serving.cpu}`);
    expect(text).toContain('max_queue_delay_microseconds: 10000'); // 5 % of 200 ms
    expect(pbtxt(gpu)).toMatch(/dynamic_batching \{\n {2}preferred_batch_size: \[ 8 \]\n {2}max_queue_delay_microseconds: 4000\n\}/);
  });

  it('classifiers return the label and the class probabilities; regression the value', () => {
    expect(pbtxt(cpu)).toMatch(/name: "prediction"\n {4}data_type: TYPE_STRING\n {4}dims: \[ 1 \]/);
    expect(pbtxt(cpu)).toMatch(/name: "probabilities"\n {4}data_type: TYPE_FP64\n {4}dims: \[ -1 \]/);
    const o = run(withSpec(withOptions(defaultSpec(), { serving_platform: 'triton' }), (s) => (s.problem.type = 'regression')));
    expect(pbtxt(o)).toMatch(/name: "prediction"\n {4}data_type: TYPE_FP64\n {4}dims: \[ 1 \]/);
    expect(pbtxt(o)).not.toContain('probabilities');
  });

  it('every model family runs on the same Python backend: the pickle holds the preprocessing and the ensemble', () => {
    const spec = withOptions(richSpec(), { serving_platform: 'triton' });
    const ds = { ...upstream.data_scientist!, algorithm: { ...upstream.data_scientist!.algorithm, library: 'pytorch' } };
    const o = runPhase('mlops_engineer', spec, undefined, { ...upstream, data_scientist: ds });
    expect(pbtxt(o)).toBe(pbtxt(gpu));
  });

  it('projects the repository (config.pbtxt, 1/model.py) from the ConfigMap; the model stays in the fetched MODEL_DIR', () => {
    const rollout = one(objectsAt(gpu, SERVING), 'Rollout') as unknown as { spec: { template: { spec: { containers: { args: string[]; volumeMounts: { name: string; mountPath: string }[] }[]; volumes: { name: string; configMap?: { items?: { key: string; path: string }[] } }[] } } } };
    const t = rollout.spec.template.spec;
    const name = gpu.decisions.model.name;
    expect(t.containers[0]!.args).toContain('--model-repository=/opt/triton/models');
    expect(t.containers[0]!.volumeMounts).toContainEqual({ name: 'runtime-config', mountPath: '/opt/triton/models', readOnly: true });
    expect(t.volumes.find((v) => v.name === 'runtime-config')!.configMap!.items).toEqual([
      { key: 'config.pbtxt', path: `${name}/config.pbtxt` },
      { key: 'model.py', path: `${name}/1/model.py` },
    ]);
    const cm = one(objectsAt(gpu, SERVING), 'ConfigMap', gpu.decisions.serving.runtime_config!.config_map) as unknown as { data: Record<string, string> };
    expect(cm.data['model.py']).toContain('from demand_forecast.serving.triton_model import TritonPythonModel');
    expect(artifactText(gpu, 'serving/triton/README.md')).toContain('model.py        (ConfigMap key model.py');
  });
});

describe('mlops_engineer serving: deployment modes', () => {
  for (const platform of PLATFORMS) {
    it(`${platform}: realtime online only; batch a CronJob only; streaming a consumer; hybrid both`, () => {
      const k = (mode: 'realtime' | 'batch' | 'streaming' | 'hybrid') => kinds(objectsAt(run(withOptions(defaultSpec(), { serving_platform: platform, deployment_mode: mode })), SERVING));
      const server = PLATFORM_KIND[platform];
      expect(k('realtime')).toContain(server);
      expect(k('realtime')).not.toContain('CronJob');
      expect(k('batch')).toEqual(['ConfigMap', 'CronJob']);
      expect(k('streaming')).toContain(server);
      expect(k('streaming')).toContain('Deployment');
      expect(k('hybrid')).toContain(server);
      expect(k('hybrid')).toContain('CronJob');
    });
  }

  it('the stream consumer calls our server (kserve, seldon) or scores in process (torchserve, triton); the CronJob names the orchestrator equivalent', () => {
    const out = run(withOptions(defaultSpec(), { serving_platform: 'seldon', deployment_mode: 'streaming' }));
    const consumer = one(objectsAt(out, SERVING), 'Deployment', out.decisions.stream!.deployment_name) as unknown as { spec: { template: { spec: { containers: { env: { name: string; value: string }[] }[] } } } };
    expect(consumer.spec.template.spec.containers[0]!.env).toContainEqual({ name: 'MODEL_SERVER_URL', value: out.decisions.serving.endpoint });
    // TorchServe and Triton do not speak our per-column protocol: the consumer fetches the model and scores in process.
    const ts = run(withOptions(defaultSpec(), { serving_platform: 'triton', deployment_mode: 'streaming' }));
    const local = one(objectsAt(ts, SERVING), 'Deployment', ts.decisions.stream!.deployment_name) as unknown as { spec: { template: { spec: { initContainers?: { name: string }[]; containers: { env: { name: string }[]; volumeMounts?: { mountPath: string }[] }[] } } } };
    expect(local.spec.template.spec.containers[0]!.env.map((e) => e.name)).not.toContain('MODEL_SERVER_URL');
    expect(local.spec.template.spec.initContainers?.map((c) => c.name)).toEqual(['model-fetch']);
    expect(local.spec.template.spec.containers[0]!.volumeMounts).toEqual([{ name: 'model', mountPath: '/mnt/models', readOnly: true }]);
    for (const orch of ['kubeflow', 'airflow', 'prefect', 'dagster'] as const) {
      const o = run(withOptions(defaultSpec(), { deployment_mode: 'hybrid', orchestration: orch }));
      const annotations = (one(objectsAt(o, SERVING), 'CronJob').metadata as unknown as { annotations: Record<string, string> }).annotations;
      expect(annotations['mlops-mcp/orchestrator']).toBe(orch);
      expect(annotations['mlops-mcp/orchestrator-equivalent']).toMatch(/same image and command/);
    }
  });
});

describe('mlops_engineer serving: names, labels and hosts are consistent', () => {
  const variants = PLATFORMS.flatMap((p) => [withOptions(defaultSpec(), { serving_platform: p }), withOptions(richSpec(), { serving_platform: p }), withOptions(defaultSpec(), { serving_platform: p, deployment_mode: 'streaming', cloud_provider: 'gcp' })]);

  it('every Service and PDB selector matches pod labels of a workload in its file set', () => {
    for (const spec of variants) {
      const out = run(spec);
      for (const set of [baseObjects(out), [...baseObjects(out), ...objectsAt(out, AB)]]) {
        const pods = set.flatMap((o) => podLabels(o).map((labels) => ({ ns: o.metadata.namespace, labels })));
        for (const o of set.filter((x) => x.kind === 'Service' || x.kind === 'PodDisruptionBudget')) {
          const spec2 = o.spec as { selector: Record<string, string> & { matchLabels?: Record<string, string> } };
          const selector = o.kind === 'Service' ? spec2.selector : spec2.selector.matchLabels!;
          expect(pods.some((p) => p.ns === o.metadata.namespace && matches(selector, p.labels)), `${o.kind} ${o.metadata.name}`).toBe(true);
        }
      }
    }
  });

  it('every VirtualService host, destination and mirror, and DestinationRule host resolves to a Service', () => {
    for (const spec of variants) {
      const out = run(spec);
      for (const set of [baseObjects(out), [...baseObjects(out), ...objectsAt(out, AB)]]) {
        const hosts = serviceHosts(set);
        for (const o of set.filter((x) => x.kind === 'VirtualService' || x.kind === 'DestinationRule')) {
          const s = o.spec as { hosts?: string[]; host?: string; http?: { route: { destination: { host: string } }[]; mirror?: { host: string } }[] };
          const all = [...(s.hosts ?? []), ...(s.host ? [s.host] : []), ...(s.http ?? []).flatMap((h) => [...h.route.map((r) => r.destination.host), ...(h.mirror ? [h.mirror.host] : [])])];
          for (const h of all) expect(hosts.has(h), `${o.kind} ${o.metadata.name} → ${h}`).toBe(true);
        }
      }
    }
  });

  it('the Rollout, PDB and Service of torchserve/triton share the decisions selector; the HPA target is the Rollout', () => {
    const out = run(withOptions(defaultSpec(), { serving_platform: 'triton' }));
    const objects = baseObjects(out);
    const rollout = one(objects, 'Rollout');
    expect((rollout.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels).toEqual(out.decisions.serving.selector);
    expect(podLabels(rollout)[0]).toEqual(out.decisions.serving.pod_labels);
    expect(out.decisions.serving.workload).toEqual({ api_version: rollout.apiVersion, kind: 'Rollout', name: rollout.metadata.name });
    expect(one(objects, 'PodDisruptionBudget').metadata.name).toBe(out.decisions.serving.pdb_name);
    expect(one(objects, 'Service', out.decisions.serving.service_name).metadata.namespace).toBe(out.decisions.serving.namespace);
  });

  it('the decisions list the containers of every pod-owning object', () => {
    const out = run(withOptions(richSpec(), { serving_platform: 'torchserve' }));
    const objects = [...baseObjects(out), ...objectsAt(out, AB)];
    for (const entry of out.decisions.serving.containers) {
      const obj = objects.find((o) => o.kind === entry.kind && o.metadata.name === entry.name);
      expect(obj, entry.name).toBeDefined();
      if (obj?.kind === 'Deployment' || obj?.kind === 'Rollout') {
        const t = (obj.spec as { template: { spec: { containers: { name: string }[]; initContainers?: { name: string }[] } } }).template.spec;
        expect(t.containers.map((c) => c.name)).toEqual(entry.containers);
        expect((t.initContainers ?? []).map((c) => c.name)).toEqual(entry.init_containers);
      }
    }
  });

  it('serving.yaml has only objects validateManifest checks, across the option matrix', async () => {
    for (const spec of variants) {
      const out = run(spec);
      for (const a of kubernetesArtifacts(out)) expect(await validateManifest(a.content), a.path).toEqual([]);
      expect(kinds(objectsAt(out, RELEASE)).every((k) => ['AnalysisTemplate', 'VirtualService', 'DestinationRule', 'Service', 'Deployment', 'InferenceService'].includes(k))).toBe(true);
    }
  });
});

describe('mlops_engineer serving: user text stays in escaped places', () => {
  it('a hostile owner and requirements reach the manifests only as the sanitised team label', () => {
    const base = run(withOptions(defaultSpec(), { serving_platform: 'triton' }));
    const hostile = run(withSpec(withOptions(defaultSpec(), { serving_platform: 'triton' }), (s) => { s.team.owner = 'x <b> "q" \n y'; s.requirements = 'a: b\n- c'; }));
    const team = (owner: string) => `team: ${costLabelValue(owner)}\n`;
    for (const a of kubernetesArtifacts(base)) expect(hostile.artifacts.find((x) => x.path === a.path)!.content).toBe(a.content.replaceAll(team(defaultSpec().team.owner), team('x <b> "q" \n y')));
  });
});
