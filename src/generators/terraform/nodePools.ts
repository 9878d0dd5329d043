/**
 * Node pools across environments, and the spot share they give.
 *
 * Interruptible work (training, batch) runs on spot pools; each spot pool may have an on-demand fallback pool
 * of the same machine type (key `<spot key>-od`, labelled `mlops-mcp/fallback-for`) that catches the pods when
 * spot capacity is short. The fallback is sized from its spot pool so that spot stays at least the spec's share
 * of the interruptible capacity (max nodes × vCPU per node) in every environment:
 *   fallback_nodes = floor(spot_nodes × (100 − min_spot_pct) / min_spot_pct)   ⇒   spot / (spot + fallback) ≥ min_spot_pct.
 * Other pools scale per environment like the workloads' replica bounds (environmentReplicas): production as
 * designed, staging half, dev one node and at most two.
 */
import { environmentReplicas, type Environment } from '../kubernetes/parameters.js';
import type { NodePoolPlan } from './types.js';

/** The taint every GPU node pool carries (what the NVIDIA device plugin's tolerations and GPU_TOLERATION match). */
export const GPU_TAINT = { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' } as const;

export const FALLBACK_LABEL = 'mlops-mcp/fallback-for';
export const FALLBACK_SUFFIX = '-od';

export function isInterruptible(p: Pick<NodePoolPlan, 'workload'>): boolean {
  return p.workload === 'training' || p.workload === 'batch' || p.workload === 'gpu-training';
}

/** Fallback nodes that keep `spotNodes` at least `minSpotPct` % of the pair. */
export function fallbackNodes(spotNodes: number, minSpotPct: number): number {
  if (minSpotPct >= 100) return 0;
  if (minSpotPct <= 0) return spotNodes;
  return Math.floor((spotNodes * (100 - minSpotPct)) / minSpotPct + 1e-9);
}

/** The on-demand fallback of a spot pool, or null when the spot share leaves room for no node. */
export function fallbackPool(spot: NodePoolPlan, minSpotPct: number): NodePoolPlan | null {
  const max = fallbackNodes(spot.max_nodes, minSpotPct);
  if (max < 1) return null;
  return {
    ...spot,
    key: `${spot.key}${FALLBACK_SUFFIX}`,
    spot: false,
    min_nodes: 0,
    max_nodes: max,
    // Spot taints (GKE, AKS) stay on the spot pool; GPU taints stay on GPU nodes.
    taints: spot.taints.filter((t) => t.key === 'nvidia.com/gpu'),
    labels: { ...spot.labels, [FALLBACK_LABEL]: spot.key },
  };
}

function scaled(base: number, field: 'min' | 'max', env: Environment): number {
  return environmentReplicas({ type: 'int', file: '', object: 0, pointer: [], values: [], field, base }, env);
}

/** The pools of one environment: scaled like the replica bounds, fallbacks recomputed from their scaled spot pool. */
export function poolsForEnv(pools: readonly NodePoolPlan[], env: Environment, minSpotPct: number): NodePoolPlan[] {
  const out: NodePoolPlan[] = [];
  for (const p of pools) {
    if (p.labels[FALLBACK_LABEL] !== undefined) continue;
    const max = Math.max(1, scaled(p.max_nodes, 'max', env));
    const min = Math.min(max, scaled(p.min_nodes, 'min', env));
    const pool = { ...p, min_nodes: min, max_nodes: max };
    out.push(pool);
    const hadFallback = pools.some((f) => f.labels[FALLBACK_LABEL] === p.key);
    if (hadFallback && p.spot) {
      const fb = fallbackPool(pool, minSpotPct);
      if (fb) out.push({ ...fb, labels: { ...pools.find((f) => f.labels[FALLBACK_LABEL] === p.key)!.labels } });
    }
  }
  return out;
}

export interface SpotShare {
  spot_vcpu: number;
  on_demand_vcpu: number;
  /** Spot share of the interruptible capacity, percent (100 when there is none). */
  spot_pct: number;
}

/** Spot share of the interruptible pools' maximum capacity (max nodes × vCPU per node). */
export function spotShare(pools: readonly NodePoolPlan[]): SpotShare {
  const interruptible = pools.filter(isInterruptible);
  const spot = interruptible.filter((p) => p.spot).reduce((s, p) => s + p.max_nodes * p.vcpu_per_node, 0);
  const onDemand = interruptible.filter((p) => !p.spot).reduce((s, p) => s + p.max_nodes * p.vcpu_per_node, 0);
  const total = spot + onDemand;
  return { spot_vcpu: spot, on_demand_vcpu: onDemand, spot_pct: total === 0 ? 100 : Math.round((spot / total) * 10_000) / 100 };
}
