import type { IPriorityClass } from 'kubernetes-models/scheduling.k8s.io/v1/PriorityClass';
import type { ILimitRange } from 'kubernetes-models/v1/LimitRange';
import type { INamespace } from 'kubernetes-models/v1/Namespace';
import type { IResourceQuota } from 'kubernetes-models/v1/ResourceQuota';
import type { ResolvedSpec } from '../../spec/resolve.js';
import { workloadNamespaces } from '../mlops_engineer/naming.js';
import { GPU_RESOURCE } from './capacity.js';
import type { NamespaceQuota, PriorityClassPlan, StoragePlan } from './derive.js';
import { ceilTol } from '../mlops_engineer/math.js';

function managedLabels(spec: ResolvedSpec): Record<string, string> {
  return { 'app.kubernetes.io/part-of': 'mlops-pipeline', 'app.kubernetes.io/managed-by': 'mlops-mcp', 'app.kubernetes.io/name': spec.name };
}

// ---------------------------------------------------------------------------------------------------------------
// namespaces.yaml

export function namespaceObjects(spec: ResolvedSpec): INamespace[] {
  const ns = workloadNamespaces(spec);
  // Serving gets the Istio sidecar (requires istio-cni, so the restricted profile holds); Jobs do not (a sidecar
  // keeps a finished Job's pod alive). Monitoring runs node-exporter (host network/PID/paths): privileged.
  const profiles: [keyof typeof ns, 'restricted' | 'privileged', boolean][] = [
    ['serving', 'restricted', true],
    ['training', 'restricted', false],
    ['batch', 'restricted', false],
    ['monitoring', 'privileged', false],
  ];
  return profiles.map(([role, profile, mesh]) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: ns[role],
      labels: {
        ...managedLabels(spec),
        'mlops-mcp/workload': role,
        'pod-security.kubernetes.io/enforce': profile,
        'pod-security.kubernetes.io/warn': 'restricted',
        'pod-security.kubernetes.io/audit': 'restricted',
        'istio-injection': mesh ? 'enabled' : 'disabled',
      },
      // Free text (the owner) goes into annotations, which accept any string; labels would reject it.
      annotations: { 'mlops-mcp/owner': spec.team.owner, 'mlops-mcp/cost-center': spec.name },
    },
  }));
}

// ---------------------------------------------------------------------------------------------------------------
// priority-classes.yaml

export function priorityClassObjects(spec: ResolvedSpec, classes: PriorityClassPlan[]): IPriorityClass[] {
  return classes.map((c) => ({
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: { name: c.name, labels: managedLabels(spec) },
    value: c.value,
    globalDefault: false,
    preemptionPolicy: c.preemption,
    description: `${c.role}: ${c.why}`,
  }));
}

// ---------------------------------------------------------------------------------------------------------------
// quotas.yaml

function gi(x: number): string {
  return `${ceilTol(x)}Gi`;
}

export function quotaObjects(spec: ResolvedSpec, quotas: NamespaceQuota[], storage: StoragePlan): (IResourceQuota | ILimitRange)[] {
  const objects: (IResourceQuota | ILimitRange)[] = [];
  for (const q of quotas) {
    const hard: Record<string, string> = {
      'requests.cpu': String(q.cpu),
      'requests.memory': gi(q.memory_gi),
      // Memory limits equal requests for our containers; sidecars (serving: istio-proxy's 1 Gi limit) and defaults add on top.
      'limits.memory': gi(q.limits_memory_gi),
      pods: String(q.pods),
      persistentvolumeclaims: String(q.pvcs),
      'requests.storage': gi(q.storage_gi),
      [`requests.${GPU_RESOURCE}`]: String(q.gpus),
    };
    objects.push({
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: `${q.role}-quota`, namespace: q.namespace, labels: managedLabels(spec), annotations: { 'mlops-mcp/basis': q.basis } },
      spec: { hard },
    });
    const maxMemory = gi(Math.max(2, q.largest_container_memory_gi * 2));
    objects.push({
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: { name: `${q.role}-limits`, namespace: q.namespace, labels: managedLabels(spec) },
      spec: {
        limits: [
          {
            type: 'Container',
            // Defaults only for containers that set nothing (sidecars, debug pods). No default CPU limit and no CPU
            // max: a max would force every container to declare a CPU limit, and CPU limits throttle serving p99.
            defaultRequest: { cpu: '100m', memory: '128Mi' },
            default: { memory: '512Mi' },
            max: { memory: maxMemory },
          },
          ...(q.role === 'training' ? [{ type: 'PersistentVolumeClaim', max: { storage: gi(Math.max(storage.training_pvc_gi, storage.per_worker_gi ?? 0) * 2) } }] : []),
        ],
      },
    });
  }
  return objects;
}
