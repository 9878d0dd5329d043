import { code, num, pct, text } from '../../generators/serializers/markdown.js';
import type { ResolvedSpec } from '../../spec/resolve.js';
import { averageRps, beginDocument } from '../common.js';
import type { DataScientistDecisions } from '../data_scientist/decisions.js';
import type { PhaseInfo } from '../graph.js';
import type { MlEngineerDecisions } from '../ml_engineer/decisions.js';
import type { MlopsEngineerDecisions } from '../mlops_engineer/decisions.js';
import type { WorkloadNamespaces } from '../mlops_engineer/naming.js';
import { COLUMNAR_FRACTION, QUOTA_HEADROOM, SCRATCH_FACTOR, type AutoscalingPlan, type GpuPlan, type NamespaceQuota, type PriorityClassPlan, type SpotPlan, type StoragePlan, type TrainingJobShape } from './derive.js';

export interface K8sDocInput {
  info: PhaseInfo;
  spec: ResolvedSpec;
  notes: string | undefined;
  mlops: MlopsEngineerDecisions;
  ml: MlEngineerDecisions;
  ds: DataScientistDecisions;
  namespaces: WorkloadNamespaces;
  classes: PriorityClassPlan[];
  spot: SpotPlan;
  gpu: GpuPlan;
  autoscaling: AutoscalingPlan;
  storage: StoragePlan;
  quotas: NamespaceQuota[];
  shape: TrainingJobShape;
  mesh: { timeoutMs: number; retries: number; outlier5xx: number };
}

const SCHEDULERS: Record<ResolvedSpec['options']['orchestration'], string> = {
  kubeflow: 'Kubeflow Pipelines runs the training step as a PyTorchJob of the Kubeflow training operator (CRD in a later issue; the same pod template as the plain Job below), one recurring run at a time',
  airflow: 'the Airflow DAG launches the plain Job below (KubernetesJobOperator), so the pod spec — spot affinity, GPU limits, priority — stays in this repository rather than in DAG code',
  prefect: 'the Prefect Kubernetes work pool uses the plain Job below as its base job template',
  dagster: 'Dagster launches the plain Job below through the k8s_job_executor with this pod spec as its template',
};

const REDIS_SERVICE: Record<ResolvedSpec['options']['cloud_provider'], string> = {
  aws: 'ElastiCache for Redis',
  gcp: 'Memorystore for Redis',
  azure: 'Azure Cache for Redis',
  'multi-cloud': 'ElastiCache on EKS, Memorystore on GKE',
};

function isRedis(store: string): boolean {
  return /redis|elasticache|memorystore/i.test(store);
}

/** How the online store survives a zone failure, by the store the data scientist chose (free text in that contract). */
function zoneRedundancy(store: string): string {
  if (isRedis(store)) return 'Cluster mode with one replica per zone and automatic failover';
  if (/dynamo/i.test(store)) return 'DynamoDB (on-demand capacity, replicated across three AZs by the service)';
  if (/bigtable/i.test(store)) return 'Bigtable with a replicated cluster in a second zone';
  if (/cosmos/i.test(store)) return 'Cosmos DB with zone redundancy';
  if (/datastore|firestore/i.test(store)) return 'Firestore/Datastore (regional, multi-zone by the service)';
  return 'Replication across zones';
}

export function kubernetesDocument(x: K8sDocInput): string {
  const { spec, mlops, ml, ds, namespaces: ns, spot, gpu, autoscaling: a, storage: st, shape } = x;
  const doc = beginDocument(x.info, spec, x.notes);
  doc.paragraph(
    `Platform inputs: cloud_provider = ${code(spec.options.cloud_provider)}, orchestration = ${code(spec.options.orchestration)}; serving ${mlops.serving.deployed ? `${code(mlops.serving.deployment_name)} ${mlops.serving.min_replicas}–${mlops.serving.max_replicas} replicas × ${mlops.serving.cpu} CPU / ${mlops.serving.memory}${mlops.serving.gpus > 0 ? ` / ${mlops.serving.gpus} GPU` : ''}` : 'none (batch-only)'} from mlops_engineer; training ${ml.training.cpu} CPU / ${ml.training.memory}${ml.training.gpus > 0 ? ` / ${ml.training.gpus} GPU` : ''}, ≈ ${ml.training.expected_minutes} min per run from ml_engineer.`,
  );
  doc.table(
    ['Namespace', 'Runs', 'Pod Security', 'Istio sidecar'],
    [
      [code(ns.serving), `model server${mlops.stream ? ', stream consumer' : ''}`, 'restricted', 'yes (istio-cni)'],
      [code(ns.training), 'training Jobs, HPO trials', 'restricted', 'no (would keep finished Jobs alive)'],
      [code(ns.batch), mlops.batch ? 'batch scoring CronJob' : 'ad-hoc jobs', 'restricted', 'no'],
      [code(ns.monitoring), 'Prometheus stack, exporters', 'privileged (node-exporter)', 'no'],
    ],
  );

  // 1. Workload orchestration ---------------------------------------------------------------------------------
  doc.heading(2, '1. Workload orchestration');
  doc.heading(3, 'Training job scheduling with Kubeflow');
  doc.paragraph(
    `Orchestration ${code(spec.options.orchestration)}: ${SCHEDULERS[spec.options.orchestration]}. Schedule ${code(ml.training.schedule)} (≈ ${num(spot.training_runs_per_week, 1)} runs/week) plus drift-triggered runs.`,
    `${code('deploy/k8s/base/training-job.yaml')}: Job ${code(`${ns.training}/${shape.name}`)}, ${shape.workers > 1 ? `Indexed with ${shape.workers} workers and a headless Service (${code(`${shape.name}-0.${shape.name}`)} is torchrun's rendezvous)` : `one pod${shape.launcher === 'torchrun' ? ` running torchrun with ${shape.gpusPerWorker} processes` : shape.launcher === 'horovod' ? ` running horovodrun on ${shape.gpusPerWorker} local GPUs (multi-node Horovod needs the MPIJob CRD, later)` : ''}`}; deadline ${ml.training.timeout_minutes} min (ml_engineer timeout); spot reclaims (${code('DisruptionTarget')}) are ignored by the pod failure policy and the run resumes from its checkpoint, real failures retry 3 times.`,
    'Queueing: Kueue (later issue) admits training and HPO Jobs against the training quota, so a burst of trials waits instead of failing on quota.',
  );
  doc.heading(3, 'GPU allocation and sharing');
  doc.paragraph(`Training ${gpu.training} GPU(s), serving ${gpu.serving} GPU(s) per replica → sharing ${code(gpu.sharing)}: ${gpu.why}.`);
  doc.table(
    ['Use', 'GPU class and nodes', 'Figure'],
    [
      ['Training', gpu.training_class, gpu.training > 0 ? `${shape.workers} worker(s) × ${shape.gpusPerWorker} GPU, whole GPUs` : '—'],
      [
        'Serving',
        gpu.serving_class,
        gpu.serving > 0
          ? `${gpu.serving_gpu_requests} GPU requests at release peak (${mlops.serving.max_replicas} × ${mlops.rollout.max_surge_factor} × ${gpu.serving}) / ${gpu.slices_per_gpu} per GPU = ${gpu.physical_serving_gpus} physical GPU(s)`
          : '—',
      ],
    ],
  );
  if (gpu.sharing !== 'none') {
    doc.paragraph(
      gpu.sharing === 'mig'
        ? `NVIDIA GPU operator with ${code('mig.strategy=single')} and profile ${code(gpu.mig_profile ?? '')}: every slice is advertised as ${code('nvidia.com/gpu')}, so the Deployment keeps requesting ${code(`nvidia.com/gpu: ${gpu.serving}`)}.`
        : `NVIDIA device plugin time-slicing config with ${code(`replicas: ${gpu.slices_per_gpu}`)} on the inference pool only (never on training nodes); pods keep requesting ${code('nvidia.com/gpu: 1')}.`,
    );
  }
  doc.heading(3, 'Spot/preemptible instance integration');
  doc.paragraph(
    `Interruptible workloads (training, batch) prefer spot with on-demand fallback: ${code('preferredDuringSchedulingIgnoredDuringExecution')} weight 100 on ${spot.labels.map((l) => code(`${l.key}: ${l.value}`)).join(' or ')}${spot.taints.length > 0 ? `, tolerating ${spot.taints.map((t) => code(`${t.key}=${t.value}:${t.effect}`)).join(', ')}` : ''}. Serving has a required ${code('NotIn')} on the same labels: never on spot. Capacity: ${spot.mechanism}.`,
    `Target spot share of interruptible capacity: ${code(`${spot.share_pct} %`)} (slo.min_spot_pct ${spec.slo.min_spot_pct} % + 10 points for hours without spot capacity, rounded up to 5).`,
  );
  doc.table(
    ['Workload', 'vCPU-hours / week', 'On spot'],
    [
      ['Serving (avg replicas, on-demand)', num(spot.weekly.serving, 1), '0 %'],
      ['Training', num(spot.weekly.training, 1), pct(spot.share_pct, 0)],
      ['Batch scoring', num(spot.weekly.batch, 1), pct(spot.share_pct, 0)],
      ['Total', num(spot.weekly.total, 1), `${pct(spot.weekly.cluster_spot_pct)} of all vCPU-hours`],
    ],
  );
  doc.paragraph(
    spot.weekly.cluster_spot_pct >= spec.slo.min_spot_pct
      ? `Cluster-wide the spot share also exceeds ${spec.slo.min_spot_pct} %.`
      : `Cluster-wide only ${pct(spot.weekly.cluster_spot_pct)} of vCPU-hours run on spot because always-on serving dominates; the ${spec.slo.min_spot_pct} % criterion applies to interruptible workloads, where it holds. Lowering serving cost is a matter of right-sizing (HPA), not spot.`,
  );
  doc.heading(3, 'Priority classes and resource quotas');
  doc.table(
    ['PriorityClass', 'Value', 'Preemption', 'Why'],
    x.classes.map((c) => [code(c.name), num(c.value), c.preemption, c.why]),
  );
  doc.paragraph(`ResourceQuota per namespace = computed peak × ${QUOTA_HEADROOM} headroom (GPUs exact); LimitRange sets defaults only for containers that declare nothing, a memory max of twice the largest container, and no CPU limit (throttling would hurt p99).`);
  doc.table(
    ['Namespace', 'CPU', 'Memory', 'GPU', 'Pods', 'Basis'],
    x.quotas.map((q) => [code(q.namespace), String(q.cpu), `${q.memory_gi} Gi`, String(q.gpus), String(q.pods), q.basis]),
  );

  // 2. Serving infrastructure ---------------------------------------------------------------------------------
  doc.heading(2, '2. Serving infrastructure');
  doc.heading(3, 'HPA/VPA autoscaling');
  if (a.enabled) {
    doc.paragraph(
      `HPA ${code(`${a.namespace}/${a.name}`)} (autoscaling/v2) on the Deployment of the same name: ${a.min_replicas}–${a.max_replicas} replicas from mlops_engineer, CPU target ${code(`${a.target_cpu_pct} %`)}${a.rps_metric ? ` as a backstop and ${code(a.rps_metric)} ≤ ${code(Math.floor(a.target_rps_per_pod))} per pod as the driving metric (GPU serving: CPU does not track GPU load; the metric comes from the monitoring stack's metrics adapter)` : ` (= target utilisation ρ ${mlops.serving.target_utilisation}: with one worker per core, CPU utilisation tracks worker utilisation; ${num(a.target_rps_per_pod, 1)} rps per pod at peak ${num(mlops.serving.peak_prediction_rps, 0)} rps)`}.`,
      `Behaviour: scale up with no stabilisation, +${a.scale_up_pct_per_15s} % or +${a.scale_up_pods_per_15s} pods per 15 s; min→max takes ${a.doublings_to_max} doubling(s) × (15 s + ${mlops.serving.startup_seconds} s startup) = ${code(`${a.seconds_to_max} s`)} worst case. Scale down after a ${a.scale_down_window_seconds} s window, at most ${a.scale_down_pct_per_minute} % per minute.`,
    );
  } else {
    doc.paragraph('No HPA: deployment_mode batch runs no long-lived server.');
  }
  doc.paragraph(
    `VPA (CRD later) in ${code('updateMode: Off')} for ${code(ns.training)} and ${code(ns.batch)}: its recommendations for ${code(ml.training.cpu)} CPU / ${code(ml.training.memory)} (training)${mlops.batch ? ` and ${code(mlops.batch.cpu)} / ${code(mlops.batch.memory)} (batch)` : ''} feed back into the next spec revision; never on serving, where it would fight the HPA over CPU.`,
  );
  doc.heading(3, 'KEDA for event-driven scaling');
  if (mlops.stream) {
    const s = mlops.stream;
    doc.paragraph(
      `ScaledObject (CRD later) on ${code(s.deployment_name)}: ${s.source_kind === 'kafka' ? `Kafka scaler on group ${code(s.consumer_group)}, lagThreshold ${code(30_000)} (30 s of one consumer's 1,000 events/s)` : `aws-kinesis-stream scaler, shardCount ${code(1)} per replica`}, min 1, max ${s.partitions} (= ${s.source_kind === 'kafka' ? 'partitions' : 'shards'}; more consumers would idle). Until then the Deployment runs ${s.consumer_replicas} replicas.`,
    );
  } else if (mlops.batch) {
    doc.paragraph(`No stream to follow. Batch scoring stays a CronJob (${code(mlops.batch.schedule)}); a KEDA ScaledJob on a work queue is the option if scoring becomes request-driven.`);
  } else {
    doc.paragraph(`No stream or queue in deployment_mode ${code(spec.options.deployment_mode)}: HPA covers request-driven scaling; KEDA is not installed.`);
  }
  doc.heading(3, 'Istio service mesh for traffic management');
  doc.paragraph(
    mlops.serving.deployed
      ? `VirtualService (CRD later) for ${code(mlops.serving.service_name)}: ${mlops.rollout.strategy === 'canary' ? `canary weights ${mlops.rollout.steps.map((s) => `${s.weight} %`).join(' → ')}` : 'blue/green subsets switched at once'}, mirror ${code(`${mlops.rollout.shadow_mirror_pct} %`)} for the shadow, header ${code('x-ab-arm')} for the A/B test; timeout ${code(`${x.mesh.timeoutMs} ms`)}, ${x.mesh.retries} retry on connect-failure/refused-stream/unavailable only (predictions are idempotent, one retry still fits the timeout). DestinationRule: outlier detection ejects a pod after ${x.mesh.outlier5xx} consecutive 5xx for 30 s; mTLS STRICT via PeerAuthentication.${mlops.serving.protocol === 'grpc' ? ' For gRPC the mesh is required, not optional: kube-proxy balances connections, and long-lived HTTP/2 connections would pin each client to one replica; Envoy balances per request.' : ''} The sidecar costs ≈ 1–3 ms per hop of the ${spec.slo.p99_latency_ms} ms p99.`
      : 'No online traffic to route in batch mode; the mesh is not needed for Jobs.',
  );
  doc.heading(3, 'Model caching and warm-up');
  doc.paragraph(
    mlops.serving.deployed
      ? `The init container copies the model into a ${code(`${st.model_cache_gi} Gi`)} emptyDir (node-local: no volume attach on scale-out, which would add 10–30 s per pod); startupProbe allows ${code(`${mlops.serving.startup_seconds} s`)} for fetch + load + warm-up before liveness applies, readiness only passes once the model answers, so the HPA's new pods take traffic warm. Warm-up: the runtime's own (Triton ${code('model_warmup')}, a synthetic request at start for the others). Image pull: ${spec.options.cloud_provider === 'gcp' ? 'GKE image streaming' : spec.options.cloud_provider === 'azure' ? 'AKS artifact streaming' : 'a pre-pull DaemonSet on the serving node group'} keeps the ${code(mlops.serving.runtime_image)} layers on nodes.`
      : `Batch pods load the model once per shard from ${code(mlops.model.artifact_uri)}; nothing stays warm between runs.`,
  );

  // 3. Storage and data access --------------------------------------------------------------------------------
  doc.heading(2, '3. Storage and data access');
  doc.heading(3, 'PVC strategy for training data');
  doc.paragraph(
    `${num(st.gb_per_day, 2)} GB/day (data_engineer) × ${st.window_days} days training window (data_scientist) = ${num(st.window_gb, 1)} GB raw; × ${COLUMNAR_FRACTION} (columnar copy of the model's columns, assumption) × ${SCRATCH_FACTOR} scratch (shuffle, decoded batches, local checkpoints) → ${code(`${st.training_pvc_gi} Gi`)} (rounded up to 10 Gi, at least 20 Gi${st.capped ? ', CAPPED at 16,000 Gi: stream from object storage instead of copying' : ''}).`,
    st.training_pvc_name
      ? `One ReadWriteOnce PVC ${code(st.training_pvc_name)} in ${code(ns.training)} on StorageClass ${code(st.storage_class)}; WaitForFirstConsumer binds it in the zone of the (spot) node the Job lands on.`
      : `${st.workers} workers on different nodes cannot share a ReadWriteOnce disk: each gets a generic ephemeral volume of ${code(`${st.per_worker_gi ?? 0} Gi`)} (its shard × 1.2) that lives and dies with the pod; the canonical data stays in object storage.`,
  );
  doc.heading(3, 'Model artifact storage with CSI drivers');
  doc.paragraph(
    `StorageClass ${code(st.storage_class)}: CSI driver ${code(st.csi_driver)}, ${st.disk_kind}${spec.options.cloud_provider === 'multi-cloud' ? ' on EKS; the GKE cluster uses pd.csi.storage.gke.io pd-balanced under the same class name' : ''}, volume expansion on, reclaim Delete. Model artifacts themselves live in the registry's object store (${code(mlops.model.artifact_uri)}); block volumes hold only working copies (training data, checkpoints), so losing a volume loses no model.`,
  );
  doc.heading(3, 'Distributed storage for the feature store');
  doc.paragraph(
    `Online store ${text(st.online_store)} (feature_store ${code(spec.options.feature_store)}), a managed service provisioned by Terraform rather than a StatefulSet in the cluster (its durability and failover are the provider's job): at most ${num(st.online_entities)} entities within the ${ds.feature_store.ttl_hours} h TTL × (${spec.data.features.length} features × 16 B + 64 B) × 2 copies ≈ ${code(`${num(st.online_store_gb, 2)} GB`)}.`,
    `${zoneRedundancy(st.online_store)} keeps reads inside the ${spec.slo.feature_serving_latency_ms} ms feature-serving SLO when a zone fails.`,
  );
  doc.heading(3, 'Caching layer for inference');
  doc.paragraph(
    mlops.serving.deployed
      ? `Prediction cache in ${isRedis(st.online_store) ? 'the online store\'s Redis, logical database 1' : `a small managed Redis (${REDIS_SERVICE[spec.options.cloud_provider]}), since the online store is not Redis`}, key = model version + hash(features), TTL 1 h (a new model version never reads old entries): at ${num(averageRps(spec), 1)} average rps at most ${num(st.inference_cache_entries)} entries × 200 B ≈ ${code(`${st.inference_cache_mb} MB`)}. Hot entities' feature vectors may additionally be cached in-process for 60 s, which skips the network hop entirely.`
      : 'No online requests to cache; batch output is the cache (consumers read the latest run).',
  );

  // Hand-off ---------------------------------------------------------------------------------------------------
  doc.heading(2, 'Hand-off');
  doc.bullets([
    `Namespaces ${Object.values(ns).map((n) => code(n)).join(', ')}; PriorityClasses ${x.classes.map((c) => `${code(c.name)} ${c.value}`).join(', ')}.`,
    a.enabled ? `HPA ${code(`${a.namespace}/${a.name}`)} ${a.min_replicas}–${a.max_replicas}, CPU ${a.target_cpu_pct} %${a.rps_metric ? `, ${code(a.rps_metric)} ${Math.floor(a.target_rps_per_pod)}/pod (metrics adapter must expose it)` : ''}; min→max ${a.seconds_to_max} s.` : 'No HPA (batch-only).',
    `Spot: ${spot.labels.map((l) => code(`${l.key}=${l.value}`)).join(', ')}, target ${spot.share_pct} % of interruptible capacity, cluster-wide ${pct(spot.weekly.cluster_spot_pct)}.`,
    `GPUs: sharing ${code(gpu.sharing)}, ${gpu.physical_serving_gpus} physical serving GPU(s), ${gpu.training} training GPU(s).`,
    `Storage: ${code(st.storage_class)} (${code(st.csi_driver)}), training ${st.training_pvc_name ? `PVC ${st.training_pvc_gi} Gi` : `${st.workers} × ${st.per_worker_gi ?? 0} Gi ephemeral`}.`,
    'observability_engineer: alert on HPA at max replicas, quota usage above 90 %, spot share below target, pending pods older than the startup budget.',
  ]);
  return doc.toString();
}
