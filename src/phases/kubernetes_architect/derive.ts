import type { ResolvedSpec } from '../../spec/resolve.js';
import { averageRps } from '../common.js';
import type { DataEngineerDecisions } from '../data_engineer/decisions.js';
import type { DataScientistDecisions } from '../data_scientist/decisions.js';
import type { MlEngineerDecisions } from '../ml_engineer/decisions.js';
import type { MlopsEngineerDecisions } from '../mlops_engineer/decisions.js';
import { priorityClassNames, workloadNames, workloadNamespaces, type WorkloadNamespaces } from '../mlops_engineer/naming.js';
import { spotLabels, spotTaints, type SpotLabel, type SpotTaint } from './capacity.js';
import { cpuCores, memoryGi } from './quantity.js';
import { ceilTol } from '../mlops_engineer/math.js';

// Every figure of the kubernetes_architect phase: pure functions of the spec and upstream decisions.

// ---------------------------------------------------------------------------------------------------------------
// Priority classes

export interface PriorityClassPlan {
  role: 'serving' | 'training' | 'batch';
  name: string;
  value: number;
  preemption: 'PreemptLowerPriority' | 'Never';
  why: string;
}

export function priorityClasses(spec: ResolvedSpec): PriorityClassPlan[] {
  const names = priorityClassNames(spec);
  return [
    { role: 'serving', name: names.serving, value: 100_000, preemption: 'PreemptLowerPriority', why: 'user-facing latency SLO: may evict training and batch pods when the HPA needs room' },
    { role: 'training', name: names.training, value: 10_000, preemption: 'PreemptLowerPriority', why: 'checkpointed retraining: may evict batch scoring, never serving' },
    { role: 'batch', name: names.batch, value: 1_000, preemption: 'Never', why: 'batch scoring waits for room instead of evicting anything; it has hours of slack' },
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Spot capacity

export interface WeeklyCpuHours {
  serving: number;
  training: number;
  batch: number;
  total: number;
  spot: number;
  cluster_spot_pct: number;
}

export interface SpotPlan {
  labels: SpotLabel[];
  taints: SpotTaint[];
  share_pct: number;
  weekly: WeeklyCpuHours;
  training_runs_per_week: number;
  mechanism: string;
}

/** How many times a five-field cron (or @macro) fires in a week; lists, ranges and steps are counted. */
export function runsPerWeek(cron: string): number {
  const macros: Record<string, number> = { '@hourly': 168, '@daily': 7, '@weekly': 1, '@monthly': 7 / 30 };
  if (cron in macros) return macros[cron]!;
  const [minute = '*', hour = '*', dom = '*', , dow = '*'] = cron.trim().split(/\s+/);
  const count = (field: string, lo: number, hi: number): number => {
    let n = 0;
    for (const part of field.split(',')) {
      const [range = '*', stepText] = part.split('/');
      const step = stepText ? Math.max(1, Number(stepText)) : 1;
      const [a, b] = range === '*' ? [lo, hi] : range.includes('-') ? range.split('-').map(Number) : [Number(range), stepText ? hi : Number(range)];
      if (a === undefined || b === undefined || Number.isNaN(a) || Number.isNaN(b)) return hi - lo + 1;
      n += Math.floor((b - a) / step) + 1;
    }
    return n;
  };
  const days = dow !== '*' ? Math.min(7, count(dow, 0, 6)) : dom !== '*' ? (count(dom, 1, 31) * 7) / 30 : 7;
  return count(minute, 0, 59) * count(hour, 0, 23) * days;
}

export function planSpot(spec: ResolvedSpec, mlops: MlopsEngineerDecisions, ml: MlEngineerDecisions): SpotPlan {
  // Target the SLO plus 10 points, rounded up to 5: spot capacity is sometimes unavailable and those hours fall back to on-demand.
  const share = Math.min(100, Math.ceil((spec.slo.min_spot_pct + 10) / 5) * 5);
  const s = mlops.serving;
  const avgReplicas = s.deployed ? Math.min(s.max_replicas, Math.max(s.min_replicas, Math.ceil(averageRps(spec) / Math.max(s.rps_per_replica, 1e-9)))) : 0;
  const consumers = mlops.stream ? mlops.stream.consumer_replicas * cpuCores(mlops.stream.cpu) : 0;
  const serving = (avgReplicas * cpuCores(s.cpu) + consumers) * 168;
  const runs = runsPerWeek(spec.scale.training_schedule);
  const workers = ml.distributed.enabled ? Math.max(1, ml.distributed.workers) : 1;
  const training = runs * (ml.training.expected_minutes / 60) * workers * cpuCores(ml.training.cpu);
  const batch = mlops.batch ? 7 * (mlops.batch.expected_minutes / 60) * mlops.batch.parallelism * cpuCores(mlops.batch.cpu) : 0;
  const total = serving + training + batch;
  const spot = ((training + batch) * share) / 100;
  const mechanism: Record<ResolvedSpec['options']['cloud_provider'], string> = {
    aws: 'an EKS managed SPOT node group per interruptible pool (several instance families of one size, so one spot market running dry does not stop scale-up) with a capped on-demand fallback group; serving stays on an on-demand managed node group',
    gcp: 'a tainted GKE Spot node pool and an on-demand pool, both autoscaled; the cluster autoscaler scales the spot pool first for pods that prefer it',
    azure: 'an AKS spot user pool (eviction policy Delete, max price -1 = pay up to on-demand) next to an on-demand user pool; the autoscaler priority expander grows the spot pool first',
    'multi-cloud': 'EKS managed SPOT node groups and a tainted GKE Spot pool, each with a capped on-demand fallback; the same preferred affinity carries both label sets',
  };
  return {
    labels: spotLabels(spec),
    taints: spotTaints(spec),
    share_pct: share,
    weekly: { serving: round1(serving), training: round1(training), batch: round1(batch), total: round1(total), spot: round1(spot), cluster_spot_pct: total > 0 ? round1((spot / total) * 100) : 0 },
    training_runs_per_week: round1(runs),
    mechanism: mechanism[spec.options.cloud_provider],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// GPUs

export interface GpuPlan {
  training: number;
  serving: number;
  sharing: 'none' | 'time-slicing' | 'mig';
  why: string;
  serving_class: string;
  training_class: string;
  slices_per_gpu: number;
  mig_profile: string | null;
  /** Peak GPU requests of serving during a release (max replicas x surge x GPUs per replica). */
  serving_gpu_requests: number;
  physical_serving_gpus: number;
}

const GPU_NODES: Record<ResolvedSpec['options']['cloud_provider'], { small: string; large: string }> = {
  aws: { small: 'g6.xlarge (1× L4) / g4dn.xlarge (1× T4)', large: 'p4d.24xlarge (8× A100 40 GB) / p5.48xlarge (8× H100)' },
  gcp: { small: 'g2-standard-8 (1× L4) / n1-standard-8 + 1× T4', large: 'a2-highgpu-1g … a2-highgpu-8g (A100 40 GB) / a3-highgpu-8g (H100)' },
  azure: { small: 'Standard_NC4as_T4_v3 (1× T4)', large: 'Standard_NC24ads_A100_v4 (1× A100 80 GB) / ND96isr_H100_v5' },
  'multi-cloud': { small: 'g6.xlarge (EKS) / g2-standard-8 (GKE), 1× L4', large: 'p4d.24xlarge (EKS) / a2-highgpu-8g (GKE), A100' },
};

export function planGpu(spec: ResolvedSpec, mlops: MlopsEngineerDecisions): GpuPlan {
  const serving = spec.scale.serving_gpus;
  const training = spec.scale.training_gpus;
  const nodes = GPU_NODES[spec.options.cloud_provider];
  const requests = ceilTol(mlops.serving.max_replicas * mlops.rollout.max_surge_factor * serving);
  let sharing: GpuPlan['sharing'];
  let why: string;
  let slices = 1;
  let profile: string | null = null;
  if (serving === 0) {
    sharing = 'none';
    why = training > 0 ? 'no inference GPUs; training GPUs are never shared (DDP keeps them saturated and needs the whole memory)' : 'no GPUs requested: CPU-only node pools';
  } else if (serving >= 2 || spec.slo.p99_latency_ms < 100) {
    sharing = 'mig';
    // Tree models or small nets fit a 1g slice; deep-learning weights need a 3g slice.
    const dl = mlops.model.family === 'pytorch';
    slices = dl ? 2 : 7;
    profile = dl ? '3g.20gb' : '1g.5gb';
    why = `${serving >= 2 ? `${serving} GPUs per replica` : `p99 ${spec.slo.p99_latency_ms} ms < 100 ms`}: MIG slices of A100/H100-class GPUs are hardware-isolated (own memory and SMs), so a neighbour cannot add latency jitter the way time-slicing does`;
  } else {
    sharing = 'time-slicing';
    slices = 4;
    why = `1 GPU per replica and p99 ${spec.slo.p99_latency_ms} ms ≥ 100 ms: a small inference GPU (L4/T4) time-sliced 4 ways serves 4 replicas; context switches add jitter the latency budget can absorb`;
  }
  return {
    training,
    serving,
    sharing,
    why,
    serving_class: serving === 0 ? 'none' : sharing === 'mig' ? `A100/H100 class, MIG ${profile} (${slices} per GPU): ${nodes.large}` : `L4/T4 class, time-sliced ×${slices}: ${nodes.small}`,
    training_class: training === 0 ? 'none (CPU training)' : training >= 4 ? `A100/H100 class (NVLink for ${training}-GPU all-reduce): ${nodes.large}` : `L4/A10G class: ${nodes.small}`,
    slices_per_gpu: slices,
    mig_profile: profile,
    serving_gpu_requests: requests,
    physical_serving_gpus: serving === 0 ? 0 : ceilTol(requests / slices),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Autoscaling

export interface AutoscalingPlan {
  enabled: boolean;
  /** hpa: our HPA on `target`; platform: the serving CRD's controller autoscales; none: no model server. */
  mode: 'hpa' | 'platform' | 'none';
  target: { api_version: string; kind: string; name: string } | null;
  name: string;
  namespace: string;
  min_replicas: number;
  max_replicas: number;
  target_cpu_pct: number;
  target_rps_per_pod: number;
  rps_metric: string | null;
  scale_up_pct_per_15s: number;
  scale_up_pods_per_15s: number;
  scale_down_window_seconds: number;
  scale_down_pct_per_minute: number;
  doublings_to_max: number;
  seconds_to_max: number;
}

export const RPS_METRIC = 'inference_requests_per_second';

export function planAutoscaling(spec: ResolvedSpec, mlops: MlopsEngineerDecisions): AutoscalingPlan {
  const s = mlops.serving;
  const doublings = s.deployed && s.max_replicas > s.min_replicas ? ceilTol(Math.log2(s.max_replicas / Math.max(1, s.min_replicas))) : 0;
  const mode = s.deployed ? s.autoscaler : 'none';
  return {
    enabled: mode === 'hpa' && s.workload !== null,
    mode,
    target: s.workload,
    name: s.workload?.name ?? s.deployment_name,
    namespace: s.namespace,
    min_replicas: s.min_replicas,
    max_replicas: s.max_replicas,
    // CPU-bound Python workers: CPU utilisation of the request tracks the worker utilisation, so target ρ directly.
    // GPU serving: CPU is only a backstop at 80 %; the per-pod request rate is the real signal.
    target_cpu_pct: s.gpus > 0 ? 80 : Math.round(s.target_utilisation * 100),
    target_rps_per_pod: s.rps_per_replica,
    rps_metric: s.gpus > 0 ? RPS_METRIC : null,
    scale_up_pct_per_15s: 100,
    scale_up_pods_per_15s: 4,
    scale_down_window_seconds: 300,
    scale_down_pct_per_minute: 10,
    doublings_to_max: doublings,
    // Each doubling is one 15 s HPA period plus the pod startup budget (fetch + load + warm-up).
    seconds_to_max: doublings * (15 + s.startup_seconds),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Storage

export interface StoragePlan {
  storage_class: string;
  csi_driver: string;
  parameters: Record<string, string>;
  disk_kind: string;
  window_days: number;
  gb_per_day: number;
  window_gb: number;
  training_pvc_gi: number;
  training_pvc_name: string | null;
  per_worker_gi: number | null;
  workers: number;
  model_cache_gi: number;
  online_store: string;
  online_entities: number;
  online_store_gb: number;
  inference_cache_entries: number;
  inference_cache_mb: number;
  capped: boolean;
}

/** Columnar (parquet, compressed) copy of only the model's columns, relative to the raw volume: assumption. */
export const COLUMNAR_FRACTION = 0.25;
/** Scratch space on top of the dataset: shuffle files, decoded batches, local checkpoints. */
export const SCRATCH_FACTOR = 1.5;
const MAX_DISK_GI = 16_000;

function roundUp(x: number, step: number): number {
  return ceilTol(x / step) * step;
}

export function planStorage(spec: ResolvedSpec, de: DataEngineerDecisions, ds: DataScientistDecisions, ml: MlEngineerDecisions, mlops: MlopsEngineerDecisions): StoragePlan {
  const cloud = spec.options.cloud_provider;
  const gpuTraining = spec.scale.training_gpus > 0;
  const base = workloadNamespaces(spec).serving.replace(/-serving$/, '');
  let driver: string;
  let parameters: Record<string, string>;
  let kind: string;
  if (cloud === 'gcp') {
    driver = 'pd.csi.storage.gke.io';
    // GPU training needs pd-ssd's higher throughput per GB; pd-balanced is enough for CPU training.
    parameters = { type: gpuTraining ? 'pd-ssd' : 'pd-balanced' };
    kind = `Persistent Disk ${parameters.type}`;
  } else if (cloud === 'azure') {
    driver = 'disk.csi.azure.com';
    // GPU training reads fast enough to starve on StandardSSD's throughput: Premium for GPU nodes.
    parameters = { skuName: gpuTraining ? 'Premium_LRS' : 'StandardSSD_LRS' };
    kind = `Azure Disk ${parameters.skuName}`;
  } else {
    driver = 'ebs.csi.aws.com';
    // gp3 baseline is 3,000 IOPS / 125 MB/s; GPU training doubles both so data loading keeps the GPUs busy.
    parameters = { type: 'gp3', iops: gpuTraining ? '6000' : '3000', throughput: gpuTraining ? '250' : '125', encrypted: 'true' };
    kind = `EBS gp3 (${parameters.iops} IOPS, ${parameters.throughput} MB/s)`;
  }
  const windowDays = ds.training_data.window_days;
  const windowGb = de.total_gb_per_day * windowDays;
  const raw = windowGb * COLUMNAR_FRACTION * SCRATCH_FACTOR;
  const capped = raw > MAX_DISK_GI;
  const pvc = Math.min(MAX_DISK_GI, Math.max(20, roundUp(raw, 10)));
  const workers = ml.distributed.enabled ? Math.max(1, ml.distributed.workers) : 1;
  const distributed = workers > 1 && ml.distributed.launcher === 'torchrun';
  const names = workloadNames(spec);
  // Online store: at most one row per entity seen within the TTL; ~16 bytes per feature value + key and overhead, x2 for replicas.
  const featureCount = spec.data.features.length;
  const entities = Math.ceil((de.total_rows_per_day * Math.min(ds.feature_store.ttl_hours, 24 * 30)) / 24);
  const bytesPerEntity = featureCount * 16 + 64;
  const onlineGb = Math.round(((entities * bytesPerEntity * 2) / 1e9) * 100) / 100;
  // Inference cache: one entry per distinct request in the last hour (upper bound: every request distinct), ~200 bytes each.
  const cacheEntries = mlops.serving.deployed ? Math.ceil(averageRps(spec) * 3600) : 0;
  return {
    storage_class: `${base}-ssd`,
    csi_driver: driver,
    parameters,
    disk_kind: kind,
    window_days: windowDays,
    gb_per_day: de.total_gb_per_day,
    window_gb: Math.round(windowGb * 100) / 100,
    training_pvc_gi: pvc,
    training_pvc_name: distributed ? null : `${names.training}-data`,
    per_worker_gi: distributed ? Math.max(20, roundUp((pvc / workers) * 1.2, 10)) : null,
    workers: distributed ? workers : 1,
    model_cache_gi: mlops.serving.model_cache_gi,
    online_store: ds.feature_store.online_store,
    online_entities: entities,
    online_store_gb: onlineGb,
    inference_cache_entries: cacheEntries,
    inference_cache_mb: Math.ceil((cacheEntries * 200) / 1e6),
    capped,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Training job

export interface TrainingJobShape {
  name: string;
  workers: number;
  gpusPerWorker: number;
  launcher: 'none' | 'torchrun' | 'horovod';
}

export function trainingShape(spec: ResolvedSpec, ml: MlEngineerDecisions): TrainingJobShape {
  const d = ml.distributed;
  // Multi-node torchrun runs as an Indexed Job; Horovod needs MPI (the MPIJob CRD comes later), so it runs on one node.
  const multiNode = d.enabled && d.launcher === 'torchrun' && d.workers > 1;
  const gpus = d.enabled && d.launcher === 'torchrun' ? d.gpus_per_worker : ml.training.gpus;
  return { name: workloadNames(spec).training, workers: multiNode ? d.workers : 1, gpusPerWorker: gpus, launcher: d.enabled ? d.launcher : 'none' };
}

// ---------------------------------------------------------------------------------------------------------------
// Quotas

export interface NamespaceQuota {
  namespace: string;
  role: keyof WorkloadNamespaces;
  cpu: number;
  memory_gi: number;
  gpus: number;
  pods: number;
  pvcs: number;
  storage_gi: number;
  largest_container_memory_gi: number;
  /** limits.memory: our containers' limits (= requests) plus the sidecars' limits, with headroom. */
  limits_memory_gi: number;
  basis: string;
}

/** Quota headroom over the computed peak: a retried pod or one extra replica never hits the ceiling. */
export const QUOTA_HEADROOM = 1.2;
/** Istio's injected istio-proxy (serving namespace only): default requests 100m CPU / 128 Mi, memory limit 1 Gi. */
export const ISTIO_PROXY = { cpu: 0.1, memory_gi: 0.125, limit_memory_gi: 1 };

/** Pods of the serving namespace's data tier (online store Redis, inference cache) and its volumes. */
export interface ServingExtras {
  pods: number;
  cpu: number;
  memory_gi: number;
  largest_memory_gi: number;
  pvcs: number;
  storage_gi: number;
  basis: string;
}

export const NO_EXTRAS: ServingExtras = { pods: 0, cpu: 0, memory_gi: 0, largest_memory_gi: 0, pvcs: 0, storage_gi: 0, basis: '' };

export function planQuotas(spec: ResolvedSpec, mlops: MlopsEngineerDecisions, ml: MlEngineerDecisions, storage: StoragePlan, extras: ServingExtras = NO_EXTRAS): NamespaceQuota[] {
  const ns = workloadNamespaces(spec);
  const h = (x: number) => ceilTol(x * QUOTA_HEADROOM);
  const s = mlops.serving;
  const surge = mlops.rollout.max_surge_factor;
  const serverPods = s.deployed ? ceilTol(s.max_replicas * surge) : 0;
  const consumers = mlops.stream?.consumer_replicas ?? 0;
  const consumerCpu = mlops.stream ? cpuCores(mlops.stream.cpu) : 0;
  const consumerMem = mlops.stream ? memoryGi(mlops.stream.memory) : 0;
  // Other long-running workloads mlops_engineer lists in the serving namespace (e.g. a shadow Deployment), at their
  // replicas; a shadow it does not list is sized like the model server for its mirrored share of the peak.
  const known: readonly string[] = ['model-server', 'stream-consumer', 'batch-scoring'];
  const others: { name: string; replicas: number; cpu: string; memory: string; gpus: number }[] = mlops.workloads.filter((w) => w.namespace === ns.serving && !known.includes(w.role));
  const shadow = mlops.rollout.shadow_target?.workload;
  if (s.deployed && shadow && !others.some((w) => w.name === shadow)) {
    others.push({ name: shadow, replicas: Math.max(1, ceilTol((s.max_replicas * mlops.rollout.shadow_mirror_pct) / 100)), cpu: s.cpu, memory: s.memory, gpus: s.gpus });
  }
  // The A/B treatment (deploy/k8s/experiments) is applied only while an experiment runs, but the quota must admit it.
  const treatment = mlops.ab_experiment?.treatment_workload.name;
  if (s.deployed && treatment && !others.some((w) => w.name === treatment)) {
    others.push({ name: treatment, replicas: Math.max(1, ceilTol((s.max_replicas * (mlops.ab_experiment?.treatment_weight_pct ?? 0)) / 100)), cpu: s.cpu, memory: s.memory, gpus: s.gpus });
  }
  const otherPods = others.reduce((n, w) => n + w.replicas, 0);
  const otherCpu = others.reduce((n, w) => n + w.replicas * cpuCores(w.cpu), 0);
  const otherMem = others.reduce((n, w) => n + w.replicas * memoryGi(w.memory), 0);
  const otherGpus = others.reduce((n, w) => n + w.replicas * w.gpus, 0);
  // Every pod of the serving namespace carries the Istio sidecar: its requests and memory limit count against the quota.
  const servingPods = serverPods + consumers + otherPods + extras.pods;
  const servingCpu = serverPods * cpuCores(s.cpu) + consumers * consumerCpu + otherCpu + extras.cpu + servingPods * ISTIO_PROXY.cpu;
  const servingMem = serverPods * memoryGi(s.memory) + consumers * consumerMem + otherMem + extras.memory_gi + servingPods * ISTIO_PROXY.memory_gi;
  const servingLimits = servingMem - servingPods * ISTIO_PROXY.memory_gi + servingPods * ISTIO_PROXY.limit_memory_gi;

  const shape = trainingShape(spec, ml);
  const workers = shape.workers;
  const trainingPods = Math.max(workers, ml.hpo.parallel_trials);
  const gpusPerPod = shape.gpusPerWorker;
  const trainingCpu = trainingPods * cpuCores(ml.training.cpu);
  const trainingMem = trainingPods * memoryGi(ml.training.memory);
  const trainingStorage = storage.training_pvc_name ? storage.training_pvc_gi : (storage.per_worker_gi ?? 0) * workers;

  const b = mlops.batch;
  const batchCpu = b ? b.parallelism * cpuCores(b.cpu) : 0;
  const batchMem = b ? b.parallelism * memoryGi(b.memory) : 0;

  // Monitoring grows with the scrape targets: Prometheus needs about 2 GiB per 50 targets on top of a 4 GiB base.
  const targets = serverPods + consumers + trainingPods + (b?.parallelism ?? 0);
  const monCpu = 2 + Math.ceil(targets / 100);
  const monMem = 4 + Math.ceil(targets / 50) * 2;

  return [
    {
      namespace: ns.serving,
      role: 'serving',
      cpu: Math.max(1, h(servingCpu)),
      memory_gi: Math.max(1, h(servingMem)),
      gpus: (s.deployed ? ceilTol(s.max_replicas * surge * s.gpus) : 0) + otherGpus,
      pods: Math.max(2, h(servingPods)),
      pvcs: extras.pvcs,
      storage_gi: extras.storage_gi,
      largest_container_memory_gi: Math.max(s.deployed ? memoryGi(s.memory) : 0, consumerMem, extras.largest_memory_gi, 1),
      limits_memory_gi: Math.max(1, h(servingLimits)),
      basis: `${serverPods} server pods (${s.max_replicas} max × ${surge} release surge) × ${s.cpu} CPU / ${s.memory}${s.gpus > 0 ? ` / ${s.gpus} GPU` : ''}${consumers > 0 ? ` + ${consumers} consumers × ${mlops.stream?.cpu} CPU / ${mlops.stream?.memory}` : ''}${others.map((w) => ` + ${w.name} ${w.replicas} × ${w.cpu} CPU / ${w.memory}${w.gpus > 0 ? ` / ${w.gpus} GPU` : ''}`).join('')}${extras.basis ? ` + ${extras.basis}` : ''}; each of the ${servingPods} pods + istio-proxy ${ISTIO_PROXY.cpu} CPU / ${ISTIO_PROXY.memory_gi * 1024} Mi (limit ${ISTIO_PROXY.limit_memory_gi} Gi)`,
    },
    {
      namespace: ns.training,
      role: 'training',
      cpu: Math.max(1, h(trainingCpu)),
      memory_gi: Math.max(1, h(trainingMem)),
      gpus: trainingPods * gpusPerPod,
      pods: Math.max(2, h(trainingPods)),
      pvcs: storage.training_pvc_name ? 1 : workers,
      storage_gi: Math.max(1, h(trainingStorage)),
      largest_container_memory_gi: memoryGi(ml.training.memory),
      limits_memory_gi: Math.max(1, h(trainingMem)) * 1.25,
      basis: `${trainingPods} concurrent pods (max of ${workers} worker(s) and ${ml.hpo.parallel_trials} parallel HPO trials) × ${ml.training.cpu} CPU / ${ml.training.memory}${gpusPerPod > 0 ? `, ${workers} × ${gpusPerPod} GPU` : ''}`,
    },
    {
      namespace: ns.batch,
      role: 'batch',
      cpu: Math.max(1, h(batchCpu)),
      memory_gi: Math.max(1, h(batchMem)),
      gpus: 0,
      pods: Math.max(2, h(b?.parallelism ?? 0)),
      pvcs: 0,
      storage_gi: 0,
      largest_container_memory_gi: b ? memoryGi(b.memory) : 1,
      limits_memory_gi: Math.max(1, h(batchMem)) * 1.25,
      basis: b ? `${b.parallelism} shard pod(s) × ${b.cpu} CPU / ${b.memory}` : 'no batch scoring: a floor for ad-hoc jobs',
    },
    {
      namespace: ns.monitoring,
      role: 'monitoring',
      cpu: h(monCpu),
      memory_gi: h(monMem),
      gpus: 0,
      pods: 30,
      pvcs: 4,
      storage_gi: 200,
      largest_container_memory_gi: monMem,
      limits_memory_gi: h(monMem) * 1.25,
      basis: `${targets} scrape targets at peak: 2 CPU + 1 per 100 targets, 4 GiB + 2 GiB per 50 targets (Prometheus)`,
    },
  ];
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
