import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { INamespace } from 'kubernetes-models/v1/Namespace';
import { toYaml } from '../../generators/serializers/yaml.js';
import type { ResolvedSpec } from '../../spec/resolve.js';
import { GPU_RESOURCE } from './capacity.js';
import type { GpuPlan } from './derive.js';

/**
 * GPU sharing objects for the NVIDIA GPU operator (installed by its Helm chart in its own namespace, like on
 * GKE/AKS/EKS GPU node pools):
 * - time-slicing: a device-plugin config ConfigMap; the ClusterPolicy names it (devicePlugin.config.name) and
 *   the inference node pool carries the node label `nvidia.com/device-plugin.config=<key>`, so only those
 *   nodes advertise each GPU N times; training nodes keep whole GPUs.
 * - MIG: a mig-parted config ConfigMap (migManager.config.name); the inference pool carries
 *   `nvidia.com/mig.config=<key>` and the MIG manager repartitions its GPUs.
 */
export const GPU_OPERATOR_NAMESPACE = 'gpu-operator';

export interface GpuSharingObject {
  configmap: string;
  node_label: string;
  node_label_value: string;
}

export function gpuSharingRef(gpu: GpuPlan): GpuSharingObject | null {
  if (gpu.sharing === 'time-slicing') return { configmap: 'time-slicing-config', node_label: 'nvidia.com/device-plugin.config', node_label_value: 'inference' };
  if (gpu.sharing === 'mig') return { configmap: 'custom-mig-config', node_label: 'nvidia.com/mig.config', node_label_value: `inference-${gpu.mig_profile}` };
  return null;
}

export function gpuSharingObjects(spec: ResolvedSpec, gpu: GpuPlan): (INamespace | IConfigMap)[] {
  const ref = gpuSharingRef(gpu);
  if (!ref) return [];
  const labels = { 'app.kubernetes.io/part-of': 'mlops-pipeline', 'app.kubernetes.io/managed-by': 'mlops-mcp', 'app.kubernetes.io/name': spec.name };
  const annotations = { 'mlops-mcp/node-label': `${ref.node_label}=${ref.node_label_value} on the inference GPU node pool only` };
  const config =
    gpu.sharing === 'time-slicing'
      ? {
          version: 'v1',
          flags: { migStrategy: 'none' },
          sharing: {
            timeSlicing: {
              renameByDefault: false,
              // A pod asking for 2 slices would get 2 time shares of one GPU, not 2 GPUs: refuse it.
              failRequestsGreaterThanOne: true,
              resources: [{ name: GPU_RESOURCE, replicas: gpu.slices_per_gpu }],
            },
          },
        }
      : {
          version: 'v1',
          'mig-configs': {
            'all-disabled': [{ devices: 'all', 'mig-enabled': false }],
            [ref.node_label_value]: [{ devices: 'all', 'mig-enabled': true, 'mig-devices': { [gpu.mig_profile ?? '1g.5gb']: gpu.slices_per_gpu } }],
          },
        };
  return [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      // The operator's namespace (its Helm release installs into it): driver and device-plugin DaemonSets need host access.
      metadata: { name: GPU_OPERATOR_NAMESPACE, labels: { ...labels, 'pod-security.kubernetes.io/enforce': 'privileged' } },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: ref.configmap, namespace: GPU_OPERATOR_NAMESPACE, labels, annotations },
      data: gpu.sharing === 'time-slicing' ? { [ref.node_label_value]: toYaml(config) } : { 'config.yaml': toYaml(config) },
    },
  ];
}
