import { artifact } from '../../artifacts/artifact.js';
import { toYamlStream } from '../../generators/serializers/yaml.js';
import { LAYOUT } from '../common.js';
import { PHASES } from '../graph.js';
import { workloadNamespaces } from '../mlops_engineer/naming.js';
import type { PhaseDefinition } from '../types.js';
import { KubernetesArchitectDecisions } from './decisions.js';
import { planAutoscaling, planGpu, planQuotas, planSpot, planStorage, priorityClasses, trainingShape } from './derive.js';
import { kubernetesDocument } from './document.js';
import { hpaObjects, namespaceObjects, priorityClassObjects, quotaObjects, storageObjects, trainingObjects } from './manifests.js';

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
    const quotas = planQuotas(spec, mlops, ml, storage);
    const shape = trainingShape(spec, ml);
    const mesh = { timeoutMs: mlops.serving.request_timeout_ms, retries: MESH_RETRIES, outlier5xx: OUTLIER_CONSECUTIVE_5XX };
    const firstSpotLabel = spot.labels[0]!;

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
      },
      quotas: quotas.map((q) => ({ namespace: q.namespace, cpu: q.cpu, memory_gi: q.memory_gi, gpus: q.gpus, pods: q.pods })),
      training_job: { name: shape.name, namespace: namespaces.training, workers: shape.workers, gpus_per_worker: shape.gpusPerWorker, scheduler: spec.options.orchestration },
      mesh: { tool: 'istio', request_timeout_ms: mesh.timeoutMs, retries: mesh.retries, outlier_consecutive_5xx: mesh.outlier5xx },
    };

    const document = kubernetesDocument({ info: kubernetesArchitect.info, spec, notes, mlops, ml, ds, namespaces, classes, spot, gpu, autoscaling, storage, quotas, shape, mesh });
    const base = LAYOUT.k8sBase;
    const artifacts = [
      artifact(PHASE, `${base}/namespaces.yaml`, 'kubernetes', toYamlStream(namespaceObjects(spec))),
      artifact(PHASE, `${base}/priority-classes.yaml`, 'kubernetes', toYamlStream(priorityClassObjects(spec, classes))),
      artifact(PHASE, `${base}/quotas.yaml`, 'kubernetes', toYamlStream(quotaObjects(spec, quotas, storage))),
      ...(autoscaling.enabled ? [artifact(PHASE, `${base}/hpa.yaml`, 'kubernetes', toYamlStream(hpaObjects(spec, autoscaling)))] : []),
      artifact(PHASE, `${base}/storage.yaml`, 'kubernetes', toYamlStream(storageObjects(spec, storage))),
      artifact(PHASE, `${base}/training-job.yaml`, 'kubernetes', toYamlStream(trainingObjects(spec, ml, mlops, storage))),
    ];
    return { document, decisions, artifacts };
  },
};
