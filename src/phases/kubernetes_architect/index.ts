import type { IPeerAuthentication } from '@kubernetes-models/istio/security.istio.io/v1/PeerAuthentication';
import { artifact } from '../../artifacts/artifact.js';
import { toYamlStream } from '../../generators/serializers/yaml.js';
import { LAYOUT } from '../common.js';
import { PHASES } from '../graph.js';
import { deliveryArtifacts } from './delivery.js';
import { componentLabels, workloadNamespaces } from '../mlops_engineer/naming.js';
import type { PhaseDefinition } from '../types.js';
import { hpaObjects, kedaObjects, planKeda, planVpas, vpaObjects } from './autoscaling.js';
import { KubernetesArchitectDecisions } from './decisions.js';
import { planAutoscaling, planGpu, planQuotas, planSpot, planStorage, priorityClasses, type ServingExtras } from './derive.js';
import { kubernetesDocument } from './document.js';
import { GPU_OPERATOR_NAMESPACE, gpuSharingObjects, gpuSharingRef } from './gpu.js';
import { namespaceObjects, priorityClassObjects, quotaObjects } from './manifests.js';
import { endpointsConfigMapName, featureStoreObjects, planFileStorage, planInferenceCache, planModelCache, planOnlineStore, storageObjects } from './storage.js';
import { planTraining, trainingObjects } from './training.js';

const PHASE = 'kubernetes_architect';

/** Mesh retry/outlier policy: one retry fits the timeout of twice the p99; five straight 5xx mean a broken pod, not noise. */
const MESH_RETRIES = 1;
const OUTLIER_CONSECUTIVE_5XX = 5;

export const kubernetesArchitect: PhaseDefinition<'kubernetes_architect'> = {
  info: PHASES.kubernetes_architect as PhaseDefinition<'kubernetes_architect'>['info'],
  reads: [
    'name',
    'requirements',
    'team.namespace',
    'team.owner',
    'options.cloud_provider',
    'options.orchestration',
    'options.deployment_mode',
    'options.feature_store',
    'scale',
    'slo',
    'data.features',
  ],
  decisions: KubernetesArchitectDecisions,
  run({ spec, notes, upstream }) {
    const mlops = upstream.mlops_engineer;
    const ml = upstream.ml_engineer;
    const ds = upstream.data_scientist;
    const de = upstream.data_engineer;
    const namespaces = workloadNamespaces(spec);
    const classes = priorityClasses(spec);
    const spot = planSpot(spec, mlops, ml);
    const gpu = planGpu(spec, mlops);
    const autoscaling = planAutoscaling(spec, mlops);
    const storage = planStorage(spec, de, ds, ml, mlops);
    const file = planFileStorage(spec);
    const modelCache = planModelCache(spec, mlops, file);
    const online = planOnlineStore(spec, ds, storage);
    const cache = planInferenceCache(spec, mlops, storage);
    const extras = servingExtras(online, cache, modelCache.request_gi);
    const quotas = planQuotas(spec, mlops, ml, storage, extras);
    const training = planTraining(spec, ml);
    const shape = training.shape;
    const vpas = planVpas(mlops, ml, training);
    const keda = planKeda(spec, mlops);
    const sharing = gpuSharingRef(gpu);
    const mesh = { timeoutMs: mlops.serving.request_timeout_ms, retries: MESH_RETRIES, outlier5xx: OUTLIER_CONSECUTIVE_5XX };
    const firstSpotLabel = spot.labels[0]!;

    const base = LAYOUT.k8sBase;
    const trainingObjs = trainingObjects(spec, training, ml, mlops, storage);
    const storeObjs = featureStoreObjects(spec, online, cache, storage);
    const files: [string, readonly object[]][] = [
      ['namespaces.yaml', namespaceObjects(spec)],
      ['priority-classes.yaml', priorityClassObjects(spec, classes)],
      ['quotas.yaml', quotaObjects(spec, quotas, storage)],
      ['hpa.yaml', hpaObjects(spec, autoscaling)],
      ['vpa.yaml', vpaObjects(spec, vpas)],
      ['keda.yaml', kedaObjects(spec, mlops, keda)],
      ['storage.yaml', storageObjects(spec, storage, file)],
      ['feature-store.yaml', storeObjs],
      ['gpu-sharing.yaml', gpuSharingObjects(spec, gpu)],
      ['mesh.yaml', meshObjects(spec, mlops.serving.deployed)],
      ['training-job.yaml', trainingObjs],
    ];
    const artifacts = files.filter(([, objects]) => objects.length > 0).map(([name, objects]) => artifact(PHASE, `${base}/${name}`, 'kubernetes', toYamlStream(objects)));
    const pdbs = [...trainingObjs, ...storeObjs].filter((o): o is Extract<typeof o, { kind: 'PodDisruptionBudget' }> => o.kind === 'PodDisruptionBudget');

    const decisions: KubernetesArchitectDecisions = {
      namespaces,
      priority_classes: classes.map((c) => ({ name: c.name, value: c.value })),
      autoscaling: {
        min_replicas: autoscaling.min_replicas,
        max_replicas: autoscaling.max_replicas,
        target_cpu_pct: autoscaling.target_cpu_pct,
        target_rps_per_pod: autoscaling.target_rps_per_pod,
        enabled: autoscaling.enabled,
        hpa_name: autoscaling.name,
        namespace: autoscaling.namespace,
        rps_metric: autoscaling.rps_metric,
        seconds_to_max: autoscaling.seconds_to_max,
        mode: autoscaling.mode,
        target: autoscaling.target,
      },
      spot: {
        node_label: firstSpotLabel.key,
        node_label_value: firstSpotLabel.value,
        share_pct: spot.share_pct,
        toleration_key: spot.taints[0]?.key ?? null,
        labels: spot.labels.map((l) => ({ key: l.key, value: l.value })),
        cluster_spot_pct: spot.weekly.cluster_spot_pct,
      },
      gpu: {
        training: gpu.training,
        serving: gpu.serving,
        sharing: gpu.sharing,
        slices_per_gpu: gpu.slices_per_gpu,
        mig_profile: gpu.mig_profile,
        physical_serving_gpus: gpu.physical_serving_gpus,
        sharing_config: sharing ? { ...sharing, namespace: GPU_OPERATOR_NAMESPACE } : null,
      },
      storage: {
        storage_class: storage.storage_class,
        csi_driver: storage.csi_driver,
        training_pvc_gi: storage.training_pvc_gi,
        model_cache_gi: storage.model_cache_gi,
        training_pvc_name: storage.training_pvc_name,
        per_worker_gi: storage.per_worker_gi,
        online_store_gb: storage.online_store_gb,
        inference_cache_mb: storage.inference_cache_mb,
        file_storage_class: file.storage_class,
        file_csi_driver: file.csi_driver,
        model_cache: { kind: modelCache.kind, pvc_name: modelCache.pvc_name, request_gi: modelCache.request_gi },
        online_store: { feature_store: online.feature_store, store: online.store, mode: online.mode, service: online.service, host: online.host, port: online.port, managed_service: online.managed_service },
        inference_cache: { enabled: cache.enabled, name: cache.name, host: cache.host, port: cache.port, maxmemory_mb: cache.maxmemory_mb, ttl_seconds: cache.ttl_seconds, policy: cache.policy },
        endpoints_configmap: endpointsConfigMapName(spec),
      },
      quotas: quotas.map((q) => ({ namespace: q.namespace, cpu: q.cpu, memory_gi: q.memory_gi, gpus: q.gpus, pods: q.pods })),
      training_job: {
        name: shape.name,
        namespace: namespaces.training,
        workers: shape.workers,
        gpus_per_worker: shape.gpusPerWorker,
        scheduler: spec.options.orchestration,
        api_version: training.api_version,
        kind: training.kind,
        launched_by: training.launcher_tool,
        elastic: training.elastic ? { min: training.elastic.min, max: training.elastic.max, max_restarts: training.elastic.max_restarts } : null,
        active_deadline_seconds: training.active_deadline_seconds,
        pdb: training.pdb_name,
      },
      mesh: { tool: 'istio', request_timeout_ms: mesh.timeoutMs, retries: mesh.retries, outlier_consecutive_5xx: mesh.outlier5xx },
      vpa: vpas.map((v) => ({ name: v.name, namespace: v.namespace, target: v.target, update_mode: v.update_mode, min_allowed: v.min_allowed, max_allowed: v.max_allowed })),
      keda: keda
        ? { scaled_object: keda.name, namespace: keda.namespace, target: keda.target, trigger: keda.trigger, min_replicas: keda.min, max_replicas: keda.max, lag_threshold: keda.lag_threshold, shard_count: keda.shard_count, trigger_authentication: keda.auth_name }
        : null,
      pdbs: pdbs.map((p) => ({ name: p.metadata!.name!, namespace: p.metadata!.namespace!, selects: p.metadata!.labels!['app.kubernetes.io/instance']! })),
      files: artifacts.map((a) => a.path),
    };

    const delivery = deliveryArtifacts({ spec, notes, upstream }, artifacts);
    const document = kubernetesDocument({ info: kubernetesArchitect.info, spec, notes, mlops, ml, ds, namespaces, classes, spot, gpu, autoscaling, storage, quotas, shape, mesh, training, vpas, keda, file, modelCache, online, cache, files: decisions.files, delivery: delivery.section });
    return { document, decisions, artifacts: [...artifacts, ...delivery.artifacts] };
  },
};

function servingExtras(online: ReturnType<typeof planOnlineStore>, cache: ReturnType<typeof planInferenceCache>, modelCacheGi: number): ServingExtras {
  const redisPods = online.mode === 'in-cluster' ? online.replicas : 0;
  const cachePods = cache.enabled ? 1 : 0;
  const parts = [redisPods > 0 ? `${redisPods} online-store Redis pods × 1 CPU / ${online.memory_mi} Mi` : '', cachePods > 0 ? `1 inference-cache pod × 0.5 CPU / ${cache.memory_mi} Mi` : ''].filter(Boolean);
  return {
    pods: redisPods + cachePods,
    cpu: redisPods * 1 + cachePods * 0.5,
    memory_gi: (redisPods * online.memory_mi + cachePods * cache.memory_mi) / 1024,
    largest_memory_gi: Math.max(online.memory_mi, cache.enabled ? cache.memory_mi : 0) / 1024,
    pvcs: redisPods + (modelCacheGi > 0 ? 1 : 0),
    storage_gi: redisPods * online.pvc_gi + modelCacheGi,
    basis: parts.join(' + '),
  };
}

/** Mesh-wide security of the serving namespace: mutual TLS only (a plaintext client is refused). */
function meshObjects(spec: Parameters<typeof workloadNamespaces>[0], deployed: boolean): IPeerAuthentication[] {
  if (!deployed) return [];
  const ns = workloadNamespaces(spec).serving;
  return [{ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: ns, labels: componentLabels(spec, 'mesh', 'default') }, spec: { mtls: { mode: 'STRICT' } } }];
}
