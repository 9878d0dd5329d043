import type { IIoK8sApiCoreV1Affinity } from 'kubernetes-models/v1/Affinity';
import type { IIoK8sApiCoreV1Toleration } from 'kubernetes-models/v1/Toleration';
import type { ResolvedSpec } from '../../spec/resolve.js';

/**
 * Spot / preemptible capacity as each cloud labels and taints it. These are the labels the node provisioners
 * really set, so affinities written against them work without custom node labelling:
 * - AWS: Karpenter sets `karpenter.sh/capacity-type: spot`; EKS managed node groups set `eks.amazonaws.com/capacityType: SPOT`.
 * - GCP: GKE Spot VMs carry `cloud.google.com/gke-spot: "true"` (GKE recommends tainting spot pools with the same key).
 * - Azure: AKS spot pools carry `kubernetes.azure.com/scalesetpriority: spot` and are always tainted
 *   `kubernetes.azure.com/scalesetpriority=spot:NoSchedule`.
 * Multi-cloud runs on AWS (primary) and GCP, so it carries the labels of both.
 */
export interface SpotLabel {
  key: string;
  value: string;
  provisioner: string;
}

export interface SpotTaint {
  key: string;
  value: string;
  effect: 'NoSchedule';
  provisioner: string;
}

const AWS_LABELS: SpotLabel[] = [
  { key: 'karpenter.sh/capacity-type', value: 'spot', provisioner: 'Karpenter NodePool' },
  { key: 'eks.amazonaws.com/capacityType', value: 'SPOT', provisioner: 'EKS managed node group' },
];
const GCP_LABELS: SpotLabel[] = [{ key: 'cloud.google.com/gke-spot', value: 'true', provisioner: 'GKE Spot node pool' }];
const AZURE_LABELS: SpotLabel[] = [{ key: 'kubernetes.azure.com/scalesetpriority', value: 'spot', provisioner: 'AKS spot node pool' }];

export function spotLabels(spec: ResolvedSpec): SpotLabel[] {
  switch (spec.options.cloud_provider) {
    case 'aws':
      return AWS_LABELS;
    case 'gcp':
      return GCP_LABELS;
    case 'azure':
      return AZURE_LABELS;
    case 'multi-cloud':
      return [...AWS_LABELS, ...GCP_LABELS];
  }
}

/** Taints on spot nodes: AKS always sets one; on GKE we taint spot pools (GKE's recommendation) so serving never lands there. */
export function spotTaints(spec: ResolvedSpec): SpotTaint[] {
  const gke: SpotTaint = { key: 'cloud.google.com/gke-spot', value: 'true', effect: 'NoSchedule', provisioner: 'GKE Spot node pool (taint set by our node-pool module)' };
  switch (spec.options.cloud_provider) {
    case 'aws':
      return [];
    case 'gcp':
      return [gke];
    case 'azure':
      return [{ key: 'kubernetes.azure.com/scalesetpriority', value: 'spot', effect: 'NoSchedule', provisioner: 'AKS spot node pool (set by AKS)' }];
    case 'multi-cloud':
      return [gke];
  }
}

export function spotTolerations(spec: ResolvedSpec): IIoK8sApiCoreV1Toleration[] {
  return spotTaints(spec).map((t) => ({ key: t.key, operator: 'Equal', value: t.value, effect: t.effect }));
}

/**
 * Interruptible workloads (training, batch) PREFER spot nodes and fall back to on-demand when no spot capacity
 * is available: preferred, not required, affinity. One term per label, so the preference holds on every
 * provisioner of the cloud.
 */
export function preferSpotAffinity(spec: ResolvedSpec): IIoK8sApiCoreV1Affinity {
  return {
    nodeAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: spotLabels(spec).map((l) => ({
        weight: 100,
        preference: { matchExpressions: [{ key: l.key, operator: 'In', values: [l.value] }] },
      })),
    },
  };
}

/**
 * Latency-critical workloads (the model server) must never run on spot: a required NotIn term on every spot
 * label of the cloud. NotIn also matches nodes without the label, so on-demand nodes of any provisioner qualify.
 */
export function avoidSpotAffinity(spec: ResolvedSpec): IIoK8sApiCoreV1Affinity {
  return {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchExpressions: spotLabels(spec).map((l) => ({ key: l.key, operator: 'NotIn', values: [l.value] })) }],
      },
    },
  };
}

/** Toleration for the taint the NVIDIA GPU operator / cloud GPU pools put on GPU nodes. */
export const GPU_TOLERATION: IIoK8sApiCoreV1Toleration = { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' };
export const GPU_RESOURCE = 'nvidia.com/gpu';
