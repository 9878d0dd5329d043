import { code, num, pct, text } from '../../generators/serializers/markdown.js';
import type { ResolvedSpec } from '../../spec/resolve.js';
import { averageRps, beginDocument } from '../common.js';
import type { DataScientistDecisions } from '../data_scientist/decisions.js';
import type { PhaseInfo } from '../graph.js';
import type { MlEngineerDecisions } from '../ml_engineer/decisions.js';
import type { MlopsEngineerDecisions } from '../mlops_engineer/decisions.js';
import type { WorkloadNamespaces } from '../mlops_engineer/naming.js';
import { EVENTS_PER_CONSUMER } from '../mlops_engineer/derive.js';
import type { KedaPlan, VpaPlan } from './autoscaling.js';
import { COLUMNAR_FRACTION, ISTIO_PROXY, QUOTA_HEADROOM, SCRATCH_FACTOR, type AutoscalingPlan, type GpuPlan, type NamespaceQuota, type PriorityClassPlan, type SpotPlan, type StoragePlan, type TrainingJobShape } from './derive.js';
import { GPU_OPERATOR_NAMESPACE, gpuSharingRef } from './gpu.js';
import type { FileStoragePlan, InferenceCachePlan, ModelCachePlan, OnlineStorePlan } from './storage.js';
import { SPOT_RECLAIMS_PER_NODE_HOUR, type TrainingPlan } from './training.js';

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
  training: TrainingPlan;
  vpas: VpaPlan[];
  keda: KedaPlan | null;
  file: FileStoragePlan;
  modelCache: ModelCachePlan;
  online: OnlineStorePlan;
  cache: InferenceCachePlan;
  files: string[];
  /** The delivery section (kustomize, Argo CD, Helm), placed before the hand-off. */
  delivery: string;
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
  const t = x.training;
  doc.paragraph(
    `Orchestration ${code(spec.options.orchestration)} → ${code(`${t.api_version} ${t.kind}`)} ${code(`${ns.training}/${shape.name}`)}. Launch: ${t.launcher_how}. Schedule ${code(ml.training.schedule)} (≈ ${num(spot.training_runs_per_week, 1)} runs/week) plus drift-triggered runs.`,
  );
  if (t.kind === 'PyTorchJob') {
    doc.bullets([
      `Replicas: ${t.master_replicas > 0 ? `Master × 1 (restartPolicy ${code('ExitCode')}) + Worker × ${t.worker_replicas} (${code(t.elastic ? 'OnFailure' : 'ExitCode')})` : `Worker × 1 (restartPolicy ${code('ExitCode')}: exit codes 128–255, i.e. SIGTERM/SIGKILL from a spot reclaim or OOM, restart the pod; 1–127, a bug, fail at once without burning retries); no Master: one node needs no MASTER_ADDR, and the PyTorchJob scale subresource (which the VPA reads) selects Worker pods`}; container ${code('pytorch')} (the operator injects its environment there), ${code(`nprocPerNode: "${t.nproc_per_node}"`)} (${shape.gpusPerWorker > 0 ? 'one process per GPU of the node' : 'one process: CPU training'}).`,
      t.elastic
        ? `Elastic: ${code('elasticPolicy')} c10d rendezvous, min = max = ${t.elastic.min} nodes (fixed world size keeps the global batch and learning rate valid), ${code(`maxRestarts: ${t.elastic.max_restarts}`)} = max(3, 2 × ${shape.workers} nodes × ${num(t.expected_hours, 2)} h × ${SPOT_RECLAIMS_PER_NODE_HOUR} reclaims per node-hour (assumption) = ${num(t.elastic.expected_reclaims, 2)} expected reclaims): a reclaimed node rejoins and training resumes from the last checkpoint.`
        : 'No elasticPolicy: a single node has no peers to re-form a rendezvous with; a reclaim restarts the pod, which resumes from its checkpoint.',
      `runPolicy: ${code('cleanPodPolicy: Running')} (idle workers are deleted once rank 0 returns), ${code(`activeDeadlineSeconds: ${t.active_deadline_seconds}`)} (ml_engineer timeout ${ml.training.timeout_minutes} min), ${code(`backoffLimit: ${t.backoff_limit}`)}, ${code(`ttlSecondsAfterFinished: ${t.ttl_seconds}`)}; ${code('schedulingPolicy')} priorityClass ${code(x.classes[1]!.name)} and minAvailable ${shape.workers} (read by a gang scheduler; the default scheduler uses the pods' priorityClassName).`,
    ]);
  } else {
    doc.paragraph(
      `${code('deploy/k8s/base/training-job.yaml')}: Job ${code(`${ns.training}/${shape.name}`)} annotated ${code(`mlops-mcp/launched-by: ${t.launcher_tool}`)}, ${shape.workers > 1 ? `Indexed with ${shape.workers} workers and a headless Service (${code(`${shape.name}-0.${shape.name}`)} is torchrun's rendezvous)` : `one pod${shape.launcher === 'torchrun' ? ` running torchrun with ${shape.gpusPerWorker} processes` : shape.launcher === 'horovod' ? ` running horovodrun on ${shape.gpusPerWorker} local GPUs` : ''}`}; deadline ${ml.training.timeout_minutes} min (ml_engineer timeout); spot reclaims (${code('DisruptionTarget')}) are ignored by the pod failure policy and the run resumes from its checkpoint, real failures retry ${t.backoff_limit} times. A Kubeflow PyTorchJob would need the training operator, which orchestration ${code(spec.options.orchestration)} does not install.`,
    );
  }
  doc.paragraph(
    t.pdb_name
      ? `PodDisruptionBudget ${code(t.pdb_name)} (maxUnavailable 0) on the ${shape.workers} workers: one voluntary eviction (drain, Karpenter consolidation, upgrade) stops the whole gang until the rendezvous re-forms, so drains wait for the run, at most its ${t.active_deadline_seconds} s deadline. Spot reclaims are involuntary and ignore PDBs; the restart budget covers them.`
      : 'No PodDisruptionBudget on training: a single pod evicted by a drain loses exactly what a spot reclaim loses (work since the last checkpoint), and a PDB would only hold node maintenance for the length of a run.',
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
  const sharing = gpuSharingRef(gpu);
  if (sharing) {
    doc.paragraph(
      gpu.sharing === 'mig'
        ? `NVIDIA GPU operator with ${code('mig.strategy=single')}: ConfigMap ${code(`${GPU_OPERATOR_NAMESPACE}/${sharing.configmap}`)} (${code('deploy/k8s/base/gpu-sharing.yaml')}, named in the ClusterPolicy's migManager.config) defines ${code(sharing.node_label_value)} = ${gpu.slices_per_gpu} × ${code(gpu.mig_profile ?? '')} per GPU; the inference node pool carries ${code(`${sharing.node_label}=${sharing.node_label_value}`)}. Every slice is advertised as ${code('nvidia.com/gpu')}, so the serving pods keep requesting ${code(`nvidia.com/gpu: ${gpu.serving}`)}.`
        : `Device-plugin time-slicing: ConfigMap ${code(`${GPU_OPERATOR_NAMESPACE}/${sharing.configmap}`)} (${code('deploy/k8s/base/gpu-sharing.yaml')}, named in the ClusterPolicy's devicePlugin.config) with ${code(`replicas: ${gpu.slices_per_gpu}`)} and failRequestsGreaterThanOne, applied only where the node label ${code(`${sharing.node_label}=${sharing.node_label_value}`)} is set: the inference pool, never training nodes. Pods keep requesting ${code('nvidia.com/gpu: 1')}.`,
    );
  }
  if (gpu.training > 0 || gpu.serving > 0) {
    doc.paragraph(`Every GPU container requests = limits (${code('nvidia.com/gpu')} is an extended resource: it cannot be overcommitted) and tolerates ${code('nvidia.com/gpu:NoSchedule')}, the taint of GPU node pools, so CPU pods never occupy GPU nodes.`);
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
  doc.paragraph(
    `ResourceQuota per namespace = computed peak × ${QUOTA_HEADROOM} headroom (GPUs exact). The serving namespace counts every pod it runs — model server at release peak${mlops.rollout.shadow_target?.workload ? ', the shadow for its mirrored share' : ''}${mlops.ab_experiment ? ', the A/B treatment for its traffic share (applied only during an experiment, but admitted by the quota)' : ''}${mlops.stream ? ', stream consumers' : ''}, ${x.online.mode === 'in-cluster' ? 'online-store Redis, ' : ''}${x.cache.enabled ? 'inference cache, ' : ''}and the istio-proxy sidecar of each (${ISTIO_PROXY.cpu} CPU / ${ISTIO_PROXY.memory_gi * 1024} Mi requested, ${ISTIO_PROXY.limit_memory_gi} Gi memory limit, which ${code('limits.memory')} must admit); the 1.2 headroom absorbs what serving controllers add per pod (KServe's storage-initializer runs before the server, so it adds nothing to the pod's effective request). LimitRange sets defaults only for containers that declare nothing, a memory max of twice the largest container, and no CPU limit (throttling would hurt p99).`,
  );
  doc.table(
    ['Namespace', 'CPU', 'Memory', 'GPU', 'Pods', 'Basis'],
    x.quotas.map((q) => [code(q.namespace), String(q.cpu), `${q.memory_gi} Gi`, String(q.gpus), String(q.pods), q.basis]),
  );

  // 2. Serving infrastructure ---------------------------------------------------------------------------------
  doc.heading(2, '2. Serving infrastructure');
  doc.heading(3, 'HPA/VPA autoscaling');
  if (a.enabled && a.target) {
    doc.paragraph(
      `HPA ${code(`${a.namespace}/${a.name}`)} (autoscaling/v2) on ${code(`${a.target.api_version} ${a.target.kind} ${a.target.name}`)} (mlops_engineer's serving workload): ${a.min_replicas}–${a.max_replicas} replicas, CPU target ${code(`${a.target_cpu_pct} %`)}${a.rps_metric ? ` as a backstop and ${code(a.rps_metric)} ≤ ${code(Math.floor(a.target_rps_per_pod))} per pod as the driving metric (GPU serving: CPU does not track GPU load; the metric comes from the monitoring stack's metrics adapter)` : ` (= target utilisation ρ ${mlops.serving.target_utilisation}: with one worker per core, CPU utilisation tracks worker utilisation; ${num(a.target_rps_per_pod, 1)} rps per pod at peak ${num(mlops.serving.peak_prediction_rps, 0)} rps)`}.`,
      `Behaviour: scale up with no stabilisation, +${a.scale_up_pct_per_15s} % or +${a.scale_up_pods_per_15s} pods per 15 s; min→max takes ${a.doublings_to_max} doubling(s) × (15 s + ${mlops.serving.startup_seconds} s startup) = ${code(`${a.seconds_to_max} s`)} worst case. Scale down after a ${a.scale_down_window_seconds} s window, at most ${a.scale_down_pct_per_minute} % per minute.`,
    );
  } else if (a.mode === 'platform') {
    doc.paragraph(
      `No HPA from this phase: serving platform ${code(mlops.serving.platform)} carries min ${mlops.serving.min_replicas} / max ${mlops.serving.max_replicas} replicas and the scaling target in its own resource${a.target ? ` (${code(`${a.target.kind} ${a.target.name}`)})` : ''}, and its controller creates the autoscaler; a second HPA would fight it.`,
    );
  } else {
    doc.paragraph('No HPA: deployment_mode batch runs no long-lived server.');
  }
  doc.table(
    ['VPA', 'Target', 'updateMode', 'Requests (sized)', 'minAllowed', 'maxAllowed', 'Why'],
    x.vpas.map((v) => [code(`${v.namespace}/${v.name}`), code(`${v.target.kind} ${v.target.name}`), code(v.update_mode), `${v.requests.cpu} CPU / ${v.requests.memory}`, `${v.min_allowed.cpu} / ${v.min_allowed.memory}`, `${v.max_allowed.cpu} / ${v.max_allowed.memory}`, v.why]),
  );
  doc.paragraph(`Bounds: half to twice the sized request (the memory maximum equals the LimitRange max of twice the largest container). Never ${code('updateMode: Auto')} on pods an HPA scales on CPU: utilisation is usage ÷ request, so a VPA moving the request moves the HPA's signal, and every VPA update evicts a serving pod.`);
  doc.heading(3, 'KEDA for event-driven scaling');
  if (mlops.stream && x.keda) {
    const s = mlops.stream;
    const k = x.keda;
    doc.paragraph(
      `ScaledObject ${code(`${k.namespace}/${k.name}`)} on Deployment ${code(k.target)} (${code('deploy/k8s/base/keda.yaml')}): ${
        k.trigger === 'kafka'
          ? `${code('kafka')} trigger on topic ${code(s.topic)}, group ${code(s.consumer_group)}, brokers from the consumer's ${code('KAFKA_BOOTSTRAP_SERVERS')}; ${code(`lagThreshold: ${k.lag_threshold}`)} = ${num(EVENTS_PER_CONSUMER)} events/s per consumer × ${k.lag_budget_s} s (half of the ${spec.slo.alert_time_s} s alerting time: consumers are added before the lag alert fires)`
          : `${code('aws-kinesis-stream')} trigger on stream ${code(s.topic)}, ${code(`shardCount: ${k.shard_count}`)} shard(s) per consumer`
      }; min ${k.min} = ⌈${num(k.avg_events_per_second, 1)} average events/s ÷ ${num(EVENTS_PER_CONSUMER)}⌉ (at least 1), max ${k.max} = ${k.trigger === 'kafka' ? 'partitions' : 'shards'} (a consumer beyond that would idle). Polling ${k.polling_s} s, cooldown ${k.cooldown_s} s; if the lag cannot be read, KEDA holds ${k.max} replicas.`,
      `TriggerAuthentication ${code(k.auth_name)}: ${k.auth === 'sasl-secret' ? `SASL/SCRAM-SHA-512 over TLS with the username and password of Secret ${code(k.secret)}` : k.auth === 'aws-pod-identity' ? `${code('podIdentity: {provider: aws}')} (EKS Pod Identity / IRSA of the consumer's service account: no keys in the cluster)` : `static AWS keys from Secret ${code(k.secret)} (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY): a ${spec.options.cloud_provider} cluster has no workload identity federated to AWS`}.`,
    );
  } else if (mlops.batch) {
    doc.paragraph(`No stream to follow. Batch scoring stays a CronJob (${code(mlops.batch.schedule)}); a KEDA ScaledJob on a work queue is the option if scoring becomes request-driven.`);
  } else {
    doc.paragraph(`No stream or queue in deployment_mode ${code(spec.options.deployment_mode)}: HPA covers request-driven scaling; KEDA is not installed.`);
  }
  doc.heading(3, 'Istio service mesh for traffic management');
  doc.paragraph(
    mlops.serving.deployed
      ? `The release routing of ${code(mlops.serving.service_name)} (VirtualService / DestinationRule: ${mlops.rollout.strategy === 'canary' ? `canary weights ${mlops.rollout.steps.map((s) => `${s.weight} %`).join(' → ')}` : 'blue/green subsets switched at once'}, mirror ${code(`${mlops.rollout.shadow_mirror_pct} %`)} for the shadow, header ${code('x-ab-arm')} for the A/B test) ships with mlops_engineer's serving files. Mesh policy for them: timeout ${code(`${x.mesh.timeoutMs} ms`)}, ${x.mesh.retries} retry on connect-failure/refused-stream/unavailable only (predictions are idempotent, one retry still fits the timeout); outlier detection ejects a pod after ${x.mesh.outlier5xx} consecutive 5xx for 30 s. This phase owns ${code('deploy/k8s/base/mesh.yaml')}: PeerAuthentication ${code('default')} with mTLS ${code('STRICT')} in ${code(ns.serving)}, so a client without a mesh identity is refused; Prometheus keeps scraping through Istio's metrics merging (the sidecar serves the merged metrics on port 15020 outside mTLS).${mlops.serving.protocol === 'grpc' ? ' For gRPC the mesh is required, not optional: kube-proxy balances connections, and long-lived HTTP/2 connections would pin each client to one replica; Envoy balances per request.' : ''} The sidecar costs ≈ 1–3 ms per hop of the ${spec.slo.p99_latency_ms} ms p99.`
      : 'No online traffic to route in batch mode; the mesh is not needed for Jobs.',
  );
  doc.heading(3, 'Model caching and warm-up');
  const mc = x.modelCache;
  doc.paragraph(
    mlops.serving.deployed
      ? `${mc.kind === 'pvc' ? `Model cache: PVC ${code(mc.pvc_name ?? '')} (ReadWriteMany, StorageClass ${code(x.file.storage_class)}, ${code(`${mc.request_gi} Gi`)}) in ${code(ns.serving)} — ${mc.why}.` : `Model cache: emptyDir of ${code(`${mc.gi} Gi`)} — ${mc.why}.`} The startupProbe allows ${code(`${mlops.serving.startup_seconds} s`)} for fetch + load + warm-up before liveness applies; readiness only passes once the model answers, so the HPA's new pods take traffic warm. Image pull: ${spec.options.cloud_provider === 'gcp' ? 'GKE image streaming' : spec.options.cloud_provider === 'azure' ? 'AKS artifact streaming' : 'a pre-pull DaemonSet on the serving node group'} keeps the ${code(mlops.serving.runtime_image)} layers on nodes.`
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
  doc.table(
    ['StorageClass', 'CSI driver', 'Parameters', 'Access', 'Used by'],
    [
      [code(st.storage_class), code(st.csi_driver), Object.entries(st.parameters).map(([k, v]) => code(`${k}: ${v}`)).join(', '), 'ReadWriteOnce, WaitForFirstConsumer', `training data${x.online.mode === 'in-cluster' ? ', online-store Redis' : ''}`],
      [code(x.file.storage_class), code(x.file.csi_driver), Object.entries(x.file.parameters).map(([k, v]) => code(`${k}: ${v}`)).join(', '), 'ReadWriteMany, Immediate, Retain', 'shared checkpoints and notebooks (the model cache is per pod)'],
    ],
  );
  doc.paragraph(
    `Block: ${st.disk_kind}${spot.labels.length > 1 && spec.options.cloud_provider === 'multi-cloud' ? ' on EKS; the GKE cluster uses pd.csi.storage.gke.io under the same class name' : ''}${spec.scale.training_gpus > 0 ? ` — GPU training (${spec.scale.training_gpus} GPUs) gets the faster tier so data loading keeps the GPUs busy` : ''}. File: ${x.file.kind}${x.file.min_gi > 1 ? `, minimum ${x.file.min_gi} Gi per volume` : ''}${x.file.parameters.fileSystemId ? ` (${code('fileSystemId')} is the Terraform output, patched in by the environment overlay)` : ''}. Model artifacts themselves live in the registry's object store (${code(mlops.model.artifact_uri)}); volumes hold only working copies, so losing a volume loses no model.`,
  );
  doc.heading(3, 'Distributed storage for the feature store');
  const o = x.online;
  doc.paragraph(
    `Online store of feature_store ${code(spec.options.feature_store)}: ${code(o.store)}, ${code(o.mode)} — ${o.why}. Size: at most ${num(st.online_entities)} entities within the ${ds.feature_store.ttl_hours} h TTL × (${spec.data.features.length} features × 16 B + 64 B) = ${num(o.dataset_gb, 2)} GB per copy.`,
    o.mode === 'in-cluster'
      ? `${code('deploy/k8s/base/feature-store.yaml')}: StatefulSet ${code(o.service)} × ${o.replicas} (ordinal 0 primary, the others replicas) with headless Service ${code(o.service)}, ${code(`maxmemory ${o.maxmemory_mb}mb`)} (data × 1.25), pod memory ${o.memory_mi} Mi (× 1.5 for the fork of an AOF rewrite), ${code('maxmemory-policy noeviction')} (a full store refuses writes instead of dropping features), AOF everysec on a ${o.pvc_gi} Gi ${code(st.storage_class)} volume per pod, one pod per zone, PodDisruptionBudget maxUnavailable 1. Clients write to ${code(o.host)}.`
      : `${code('deploy/k8s/base/feature-store.yaml')}: ${o.port === 6379 ? `ExternalName Service ${code(o.service)} → ${code(o.host)} (${o.managed_service ?? ''}; Terraform creates the private DNS record)` : `endpoint ${code(`${o.host}:${o.port}`)} (${o.managed_service ?? ''})`}; no StatefulSet: durability and failover are the provider's.`,
    `The model server reads ${code('ONLINE_STORE_*')} and ${code('INFERENCE_CACHE_*')} from ConfigMap ${code(`${spec.name}-data-endpoints`)}; reads stay within the ${spec.slo.feature_serving_latency_ms} ms feature-serving SLO.`,
  );
  doc.heading(3, 'Caching layer for inference');
  const c = x.cache;
  doc.paragraph(
    c.enabled
      ? `Redis Deployment ${code(c.name)} (1 replica, Service of the same name): ${c.why}. Key = model version + hash(features), TTL ${c.ttl_seconds} s set per key (a new model version never reads old entries), ${code(`maxmemory ${c.maxmemory_mb}mb`)} with ${code(`maxmemory-policy ${c.policy}`)}, no persistence. Sizing: ${num(averageRps(spec), 1)} average rps × 3,600 s ≤ ${num(st.inference_cache_entries)} entries × 200 B ≈ ${st.inference_cache_mb} MB. One replica and no PDB: the model server fails open (cache miss) while it restarts, and a PDB on a single pod would block every node drain.`
      : 'No online requests to cache; batch output is the cache (consumers read the latest run).',
  );

  doc.raw(x.delivery.trim());

  // Hand-off ---------------------------------------------------------------------------------------------------
  doc.heading(2, 'Hand-off');
  doc.bullets([
    `Namespaces ${Object.values(ns).map((n) => code(n)).join(', ')}; PriorityClasses ${x.classes.map((c) => `${code(c.name)} ${c.value}`).join(', ')}.`,
    a.enabled ? `HPA ${code(`${a.namespace}/${a.name}`)} ${a.min_replicas}–${a.max_replicas}, CPU ${a.target_cpu_pct} %${a.rps_metric ? `, ${code(a.rps_metric)} ${Math.floor(a.target_rps_per_pod)}/pod (metrics adapter must expose it)` : ''}; min→max ${a.seconds_to_max} s.` : 'No HPA (batch-only).',
    `Spot: ${spot.labels.map((l) => code(`${l.key}=${l.value}`)).join(', ')}, target ${spot.share_pct} % of interruptible capacity, cluster-wide ${pct(spot.weekly.cluster_spot_pct)}.`,
    `GPUs: sharing ${code(gpu.sharing)}, ${gpu.physical_serving_gpus} physical serving GPU(s), ${gpu.training} training GPU(s).`,
    `Storage: ${code(st.storage_class)} (${code(st.csi_driver)}) and ${code(x.file.storage_class)} (${code(x.file.csi_driver)}), training ${st.training_pvc_name ? `PVC ${st.training_pvc_gi} Gi` : `${st.workers} × ${st.per_worker_gi ?? 0} Gi ephemeral`}; online store ${code(x.online.mode)} at ${code(`${x.online.host}:${x.online.port}`)}.`,
    `Training: ${code(`${x.training.api_version} ${x.training.kind}`)} ${code(x.training.name)} launched by ${text(x.training.launcher_tool)}.`,
    `Files: ${x.files.map((f) => code(f)).join(', ')}.`,
    'observability_engineer: alert on HPA at max replicas, quota usage above 90 %, spot share below target, pending pods older than the startup budget.',
  ]);
  return doc.toString();
}
