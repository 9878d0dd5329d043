/**
 * What the Terraform generator gets from the mlops_engineer phase: every figure comes from the spec, the plan
 * (serving sizing, batch, stream, secrets) and the upstream decisions (data retention, training resources).
 * Node pools are chosen here per cloud, with the reasoning kept (nodePoolSummary) for the phase document.
 */
import { ENVIRONMENTS } from '../../generators/kubernetes/parameters.js';
import { DEFAULT_REGIONS } from '../../generators/terraform/envs.js';
import { GPU_TAINT, fallbackPool, poolsForEnv, spotShare, type SpotShare } from '../../generators/terraform/nodePools.js';
import { DATA_LAYERS, type BucketPlan, type Cloud, type NodePoolPlan, type SecretPlan, type TerraformInput, type WorkloadIdentityPlan } from '../../generators/terraform/types.js';
import { secretsBackendOf, type ResolvedSpec } from '../../spec/resolve.js';
import type { DataEngineerDecisions } from '../data_engineer/decisions.js';
import { spotTaints } from '../kubernetes_architect/capacity.js';
import { cpuCores, memoryGi } from '../kubernetes_architect/quantity.js';
import type { MlEngineerDecisions } from '../ml_engineer/decisions.js';
import { ceilTol } from './math.js';
import { serverDeployed, type MlopsPlan } from './derive.js';
import { RWX_FILE_SYSTEM_CLOUDS, backendSecretName, clustersOf, workloadIdentities } from './identity.js';
import { pipelineInfraValues } from './secrets.js';

export const KUBERNETES_VERSION = '1.31';

export interface InfraUpstream {
  ml_engineer: MlEngineerDecisions;
  /** Retention per layer; when absent the spec's retention overrides (or none) apply. */
  data_engineer?: Pick<DataEngineerDecisions, 'layers'>;
}

// ---------------------------------------------------------------------------------------------------------------
// Machine catalogues

interface Machine {
  type: string;
  vcpu: number;
  memory_gib: number;
  gpus: number;
  gpu_type: string;
}

const cpuFamily = (name: (n: number) => string, sizes: number[], gibPerVcpu: number): Machine[] => sizes.map((n) => ({ type: name(n), vcpu: n, memory_gib: n * gibPerVcpu, gpus: 0, gpu_type: '' }));

const AWS_SIZE: Record<number, string> = { 2: 'large', 4: 'xlarge', 8: '2xlarge', 16: '4xlarge', 32: '8xlarge', 48: '12xlarge', 64: '16xlarge' };
const SIZES = [2, 4, 8, 16, 32, 48, 64];

/** General-purpose (4 GiB per vCPU) then memory-optimised (8 GiB per vCPU) machines, smallest first. */
const CPU_MACHINES: Record<Cloud, Machine[]> = {
  aws: [...cpuFamily((n) => `m6i.${AWS_SIZE[n]}`, SIZES, 4), ...cpuFamily((n) => `r6i.${AWS_SIZE[n]}`, SIZES, 8)],
  gcp: [...cpuFamily((n) => `n2-standard-${n}`, SIZES, 4), ...cpuFamily((n) => `n2-highmem-${n}`, SIZES, 8)],
  azure: [...cpuFamily((n) => `Standard_D${n}s_v5`, SIZES, 4), ...cpuFamily((n) => `Standard_E${n}s_v5`, SIZES, 8)],
};

/** GPU machines (NVIDIA L4 on AWS and GCP, T4 / A100 on Azure), by GPUs then size. */
const GPU_MACHINES: Record<Cloud, Machine[]> = {
  aws: [
    { type: 'g6.xlarge', vcpu: 4, memory_gib: 16, gpus: 1, gpu_type: 'nvidia-l4' },
    { type: 'g6.2xlarge', vcpu: 8, memory_gib: 32, gpus: 1, gpu_type: 'nvidia-l4' },
    { type: 'g6.4xlarge', vcpu: 16, memory_gib: 64, gpus: 1, gpu_type: 'nvidia-l4' },
    { type: 'g6.8xlarge', vcpu: 32, memory_gib: 128, gpus: 1, gpu_type: 'nvidia-l4' },
    { type: 'g6.12xlarge', vcpu: 48, memory_gib: 192, gpus: 4, gpu_type: 'nvidia-l4' },
    { type: 'g6.48xlarge', vcpu: 192, memory_gib: 768, gpus: 8, gpu_type: 'nvidia-l4' },
  ],
  gcp: [
    { type: 'g2-standard-4', vcpu: 4, memory_gib: 16, gpus: 1, gpu_type: 'nvidia-l4' },
    { type: 'g2-standard-8', vcpu: 8, memory_gib: 32, gpus: 1, gpu_type: 'nvidia-l4' },
    { type: 'g2-standard-16', vcpu: 16, memory_gib: 64, gpus: 1, gpu_type: 'nvidia-l4' },
    { type: 'g2-standard-32', vcpu: 32, memory_gib: 128, gpus: 1, gpu_type: 'nvidia-l4' },
    { type: 'g2-standard-24', vcpu: 24, memory_gib: 96, gpus: 2, gpu_type: 'nvidia-l4' },
    { type: 'g2-standard-48', vcpu: 48, memory_gib: 192, gpus: 4, gpu_type: 'nvidia-l4' },
    { type: 'g2-standard-96', vcpu: 96, memory_gib: 384, gpus: 8, gpu_type: 'nvidia-l4' },
  ],
  azure: [
    { type: 'Standard_NC4as_T4_v3', vcpu: 4, memory_gib: 28, gpus: 1, gpu_type: 'nvidia-t4' },
    { type: 'Standard_NC8as_T4_v3', vcpu: 8, memory_gib: 56, gpus: 1, gpu_type: 'nvidia-t4' },
    { type: 'Standard_NC16as_T4_v3', vcpu: 16, memory_gib: 110, gpus: 1, gpu_type: 'nvidia-t4' },
    { type: 'Standard_NC64as_T4_v3', vcpu: 64, memory_gib: 440, gpus: 4, gpu_type: 'nvidia-t4' },
    { type: 'Standard_ND96asr_v4', vcpu: 96, memory_gib: 900, gpus: 8, gpu_type: 'nvidia-a100' },
  ],
};

/** Share of a node's CPU and memory left to pods after the kubelet, the OS and the DaemonSets (CNI, CSI, log and metric agents). */
export const ALLOCATABLE_SHARE = { cpu: 0.9, memory: 0.85 };
/** The system pool: 4 vCPU nodes for the cluster add-ons (CoreDNS, Argo CD, External Secrets, KEDA, the mesh, monitoring agents). */
const SYSTEM_NODE_VCPU = 4;
/** Stream consumer requests (manifests.ts: 1 CPU, 1 GiB per consumer); they run on the on-demand system pool. */
const STREAM_CONSUMER = { cpu: 1, memory_gib: 1 };

interface PodShape {
  cpu: number;
  memory_gib: number;
  gpus: number;
  count: number;
}

function podsPerNode(m: Machine, pod: PodShape): number {
  const byCpu = Math.floor((m.vcpu * ALLOCATABLE_SHARE.cpu) / pod.cpu + 1e-9);
  const byMem = Math.floor((m.memory_gib * ALLOCATABLE_SHARE.memory) / pod.memory_gib + 1e-9);
  const byGpu = pod.gpus > 0 ? Math.floor(m.gpus / pod.gpus) : Infinity;
  return Math.min(byCpu, byMem, byGpu);
}

/**
 * The machine that packs the pods with the least provisioned vCPU: nodes at the pool's minimum plus nodes at its
 * maximum (both ends are paid for: the floor around the clock, the ceiling at peak), the smaller machine on a tie
 * (more nodes spread better over zones). At least `minVcpu`; the largest machine when no machine holds one pod.
 */
function pickMachine(cloud: Cloud, pod: PodShape, minPods: number, minVcpu = 0): { machine: Machine; fits: boolean; pods_per_node: number; min_nodes: number; max_nodes: number } {
  const candidates = (pod.gpus > 0 ? GPU_MACHINES[cloud] : CPU_MACHINES[cloud]).filter((m) => m.vcpu >= minVcpu);
  const sorted = [...candidates].sort((a, b) => a.vcpu - b.vcpu || a.memory_gib - b.memory_gib || a.gpus - b.gpus);
  let best: { machine: Machine; cost: number; pods_per_node: number; min_nodes: number; max_nodes: number } | null = null;
  for (const m of sorted) {
    const ppn = podsPerNode(m, pod);
    if (ppn < 1) continue;
    const min = ceilTol(minPods / ppn);
    const max = Math.max(min, ceilTol(pod.count / ppn));
    const cost = (min + max) * m.vcpu;
    if (!best || cost < best.cost) best = { machine: m, cost, pods_per_node: ppn, min_nodes: min, max_nodes: max };
  }
  if (best) return { machine: best.machine, fits: true, pods_per_node: best.pods_per_node, min_nodes: best.min_nodes, max_nodes: best.max_nodes };
  const largest = sorted[sorted.length - 1]!;
  return { machine: largest, fits: false, pods_per_node: 1, min_nodes: minPods, max_nodes: Math.max(minPods, pod.count) };
}

// ---------------------------------------------------------------------------------------------------------------
// Node pools

export interface NodePoolFigure {
  pool: NodePoolPlan;
  /** The pod the pool is sized for (null for the system pool and fallbacks). */
  pod: PodShape | null;
  pods_per_node: number;
  why: string;
}

export interface NodePoolSummary {
  cloud: Cloud;
  pools: NodePoolFigure[];
  min_spot_pct: number;
  /** Spot share of the interruptible capacity per environment (prod as designed). */
  spot_share: Record<(typeof ENVIRONMENTS)[number], SpotShare>;
}

function cloudSpec(spec: ResolvedSpec, cloud: Cloud): ResolvedSpec {
  return { ...spec, options: { ...spec.options, cloud_provider: cloud } };
}


function poolOf(key: string, workload: NodePoolPlan['workload'], m: Machine, min: number, max: number, spot: boolean, taints: NodePoolPlan['taints']): NodePoolPlan {
  return { key, workload, machine_type: m.type, vcpu_per_node: m.vcpu, memory_gib_per_node: m.memory_gib, min_nodes: min, max_nodes: Math.max(1, max, min), spot, gpus_per_node: m.gpus, gpu_type: m.gpu_type, taints, labels: {} };
}

/** Node pools of one cloud, each with the figures it came from. */
export function planNodePools(spec: ResolvedSpec, plan: MlopsPlan, ml: MlEngineerDecisions, surge: number, cloud: Cloud): NodePoolFigure[] {
  const out: NodePoolFigure[] = [];
  const spotTaintsOf = spotTaints(cloudSpec(spec, cloud)).map((t) => ({ key: t.key, value: t.value, effect: t.effect }));
  const s = plan.sizing;
  const ha = spec.slo.availability_pct >= 99.95 ? 3 : 2;

  // System: on-demand, one node per zone the availability SLO spreads over, twice that at most; stream consumers run here.
  const consumers = plan.stream ? plan.stream.consumer_replicas : 0;
  const system = CPU_MACHINES[cloud].find((m) => m.vcpu === SYSTEM_NODE_VCPU)!;
  const consumerNodes = consumers > 0 ? ceilTol((consumers * STREAM_CONSUMER.cpu) / (system.vcpu * ALLOCATABLE_SHARE.cpu)) : 0;
  out.push({
    pool: poolOf('system', 'system', system, ha, 2 * ha + consumerNodes, false, []),
    pod: null,
    pods_per_node: 0,
    why: `on-demand ${system.type} for the cluster add-ons: ${ha} nodes (one per zone the ${spec.slo.availability_pct} % availability SLO spreads over), up to ${2 * ha + consumerNodes}${consumers > 0 ? ` including ${consumerNodes} for ${consumers} stream consumers of ${STREAM_CONSUMER.cpu} CPU` : ''}`,
  });

  // Serving: on-demand (never spot: avoidSpotAffinity), sized for the release peak (max replicas × surge).
  if (serverDeployed(plan.modes)) {
    const pod: PodShape = { cpu: s.cpu_cores, memory_gib: s.memory_gi, gpus: s.gpus, count: ceilTol(s.max_replicas * surge) };
    const { machine, fits, pods_per_node: ppn, min_nodes: packedMin } = pickMachine(cloud, pod, s.min_replicas);
    // At least one node per zone the minimum replicas spread over.
    const min = Math.max(packedMin, Math.min(s.min_replicas, 3));
    const max = Math.max(min, ceilTol(pod.count / ppn));
    out.push({
      pool: poolOf(s.gpus > 0 ? 'gpu-serving' : 'serving', s.gpus > 0 ? 'gpu-serving' : 'serving', machine, min, max, false, s.gpus > 0 ? [GPU_TAINT] : []),
      pod,
      pods_per_node: ppn,
      why: `on-demand ${machine.type} (${machine.vcpu} vCPU, ${machine.memory_gib} GiB${machine.gpus ? `, ${machine.gpus}× ${machine.gpu_type}` : ''}) holds ${ppn} model-server pod(s) of ${s.cpu} CPU / ${s.memory}${s.gpus ? ` / ${s.gpus} GPU` : ''} (the machine needing the fewest vCPU at min plus max${fits ? '' : '; no machine holds one pod: the largest is used'}); min ${min} node(s) for ${s.min_replicas} min replicas spread over zones, max ${max} for ${s.max_replicas} max replicas × ${surge} release surge = ${pod.count} pods`,
    });
  }

  // Training: spot, scale to zero between runs; one pod per worker.
  const workers = ml.distributed.enabled ? Math.max(1, ml.distributed.workers) : 1;
  const trainGpus = ml.distributed.enabled ? ml.distributed.gpus_per_worker : ml.training.gpus;
  const trainPod: PodShape = { cpu: cpuCores(ml.training.cpu), memory_gib: memoryGi(ml.training.memory), gpus: trainGpus, count: workers };
  const train = pickMachine(cloud, trainPod, 0);
  const trainPpn = train.pods_per_node;
  const trainNodes = train.max_nodes;
  const trainKey = trainGpus > 0 ? 'gpu-training' : 'training';
  out.push({
    pool: poolOf(trainKey, trainGpus > 0 ? 'gpu-training' : 'training', train.machine, 0, trainNodes, true, [...spotTaintsOf, ...(trainGpus > 0 ? [GPU_TAINT] : [])]),
    pod: trainPod,
    pods_per_node: trainPpn,
    why: `spot ${train.machine.type} (${train.machine.vcpu} vCPU, ${train.machine.memory_gib} GiB${train.machine.gpus ? `, ${train.machine.gpus}× ${train.machine.gpu_type}` : ''}) for ${workers} training worker(s) of ${ml.training.cpu} CPU / ${ml.training.memory}${trainGpus ? ` / ${trainGpus} GPU` : ''}${train.fits ? '' : ' (no machine holds one worker: the largest is used)'}: 0 to ${trainNodes} node(s), scaled to zero between runs`,
  });

  // Batch scoring: spot, one pod per shard.
  if (plan.batch) {
    const b = plan.batch;
    const pod: PodShape = { cpu: cpuCores(b.cpu), memory_gib: memoryGi(b.memory), gpus: 0, count: b.parallelism };
    const { machine, pods_per_node: ppn, max_nodes: nodes } = pickMachine(cloud, pod, 0, SYSTEM_NODE_VCPU);
    out.push({
      pool: poolOf('batch', 'batch', machine, 0, nodes, true, spotTaintsOf),
      pod,
      pods_per_node: ppn,
      why: `spot ${machine.type} holds ${ppn} scoring pod(s) of ${b.cpu} CPU / ${b.memory}: 0 to ${nodes} node(s) for ${b.parallelism} parallel shards`,
    });
  }

  // On-demand fallbacks of the spot pools, no larger than the spot share allows.
  for (const f of [...out]) {
    if (!f.pool.spot) continue;
    const fb = fallbackPool(f.pool, spec.slo.min_spot_pct);
    if (fb) {
      out.push({
        pool: fb,
        pod: f.pod,
        pods_per_node: f.pods_per_node,
        why: `on-demand fallback of ${f.pool.key} when spot is short: at most ${fb.max_nodes} node(s), so spot stays ≥ ${spec.slo.min_spot_pct} % of the interruptible capacity (${f.pool.max_nodes} spot node(s) × (100 − ${spec.slo.min_spot_pct}) / ${spec.slo.min_spot_pct}, rounded down)`,
      });
    }
  }
  return out;
}

export function nodePoolSummary(spec: ResolvedSpec, plan: MlopsPlan, ml: MlEngineerDecisions, surge: number): NodePoolSummary[] {
  return clustersOf(spec).map((cloud) => {
    const pools = planNodePools(spec, plan, ml, surge, cloud);
    const plans = pools.map((p) => p.pool);
    const share = Object.fromEntries(ENVIRONMENTS.map((env) => [env, spotShare(poolsForEnv(plans, env, spec.slo.min_spot_pct))])) as NodePoolSummary['spot_share'];
    return { cloud, pools, min_spot_pct: spec.slo.min_spot_pct, spot_share: share };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Buckets, secrets, identities

/** How long prediction logs and drift/quality reports stay in the monitoring bucket. */
export const MONITORING_RETENTION_DAYS = 90;

/** The retention of each data layer: the data_engineer's decision (spec override or derived from volume), else the spec's override. */
export function bucketPlans(spec: ResolvedSpec, de?: Pick<DataEngineerDecisions, 'layers'>): BucketPlan[] {
  const specDays: Record<string, number | undefined> = { raw: spec.data.retention.raw_days, processed: spec.data.retention.processed_days, features: spec.data.retention.features_days };
  return DATA_LAYERS.map((layer) => {
    if (layer === 'models') {
      // Every promoted model stays (rollback, audit); versioning keeps overwritten artifacts.
      return { layer, retention_days: null, cool_after_days: null, versioned: true };
    }
    if (layer === 'monitoring') {
      // Prediction logs wait for their delayed labels, drift reports are kept 90 days (drift_config.yaml report.keep_days).
      return { layer, retention_days: MONITORING_RETENTION_DAYS, cool_after_days: 30, versioned: false };
    }
    const retention = de?.layers[layer].retention_days ?? specDays[layer] ?? null;
    // The infrequent-access tier after 30 days (data_engineer's storage tiers), when data lives longer than that.
    const cool = retention !== null && retention > 30 ? 30 : null;
    return { layer, retention_days: retention, cool_after_days: cool, versioned: false };
  });
}

/** Secret containers Terraform creates: none when Vault holds the secrets (Vault is configured outside the cloud stack). */
export function secretPlans(spec: ResolvedSpec, plan: MlopsPlan): SecretPlan[] {
  if (secretsBackendOf(spec) === 'vault') return [];
  return plan.secrets.map((s) => ({ name: backendSecretName(spec, s.name), keys: s.keys, description: `Keys ${s.keys.join(', ')}, read by ${s.used_by}` }));
}

function identitiesFor(spec: ResolvedSpec, plan: MlopsPlan): WorkloadIdentityPlan[] {
  const vault = secretsBackendOf(spec) === 'vault';
  return workloadIdentities(spec, plan).map((id) => ({ ...id, secrets: vault ? [] : id.secrets.map((s) => backendSecretName(spec, s)) }));
}

// ---------------------------------------------------------------------------------------------------------------
// Everything together

/** The generator input of the phase. `surge` is the release peak relative to the stable fleet (surgeFactor(plan)). */
export function terraformInput(spec: ResolvedSpec, plan: MlopsPlan, upstream: InfraUpstream, surge: number): TerraformInput {
  const clouds = clustersOf(spec);
  const identities = identitiesFor(spec, plan);
  const rwx = RWX_FILE_SYSTEM_CLOUDS.includes(spec.options.cloud_provider);
  const images: Record<string, string> = {};
  // Repository names under the registry prefix the manifests use (<registry>/<name>/<image>); the server image only where a model server runs.
  if (serverDeployed(plan.modes)) images.server = `${spec.name}/${plan.names.serverImage}`;
  images.jobs = `${spec.name}/${plan.names.jobsImage}`;
  return {
    name: spec.name,
    cloud: spec.options.cloud_provider,
    owner: spec.team.owner,
    environments: ENVIRONMENTS,
    regions: Object.fromEntries(clouds.map((c) => [c, DEFAULT_REGIONS[c]])),
    kubernetes_version: KUBERNETES_VERSION,
    buckets: bucketPlans(spec, upstream.data_engineer),
    image_repositories: images,
    node_pools: Object.fromEntries(clouds.map((c) => [c, planNodePools(spec, plan, upstream.ml_engineer, surge, c).map((f) => f.pool)])),
    min_spot_pct: spec.slo.min_spot_pct,
    identities,
    secrets: secretPlans(spec, plan),
    secrets_backend: secretsBackendOf(spec),
    infra_values: pipelineInfraValues(spec, plan),
    rwx_file_system: rwx,
  };
}
