import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IPriorityClass } from 'kubernetes-models/scheduling.k8s.io/v1/PriorityClass';
import type { IStorageClass } from 'kubernetes-models/storage.k8s.io/v1/StorageClass';
import type { IIoK8sApiCoreV1Container } from 'kubernetes-models/v1/Container';
import type { ILimitRange } from 'kubernetes-models/v1/LimitRange';
import type { INamespace } from 'kubernetes-models/v1/Namespace';
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import type { IResourceQuota } from 'kubernetes-models/v1/ResourceQuota';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IIoK8sApiCoreV1Volume } from 'kubernetes-models/v1/Volume';
import type { ResolvedSpec } from '../../spec/resolve.js';
import { CONTAINER_SECURITY, IGNORE_DISRUPTIONS, POD_SECURITY } from '../k8s.js';
import type { MlEngineerDecisions } from '../ml_engineer/decisions.js';
import type { MlopsEngineerDecisions } from '../mlops_engineer/decisions.js';
import { componentLabels, componentSelector, priorityClassNames, workloadNamespaces } from '../mlops_engineer/naming.js';
import { GPU_RESOURCE, GPU_TOLERATION, preferSpotAffinity, spotTolerations } from './capacity.js';
import { trainingShape, type AutoscalingPlan, type NamespaceQuota, type PriorityClassPlan, type StoragePlan, type TrainingJobShape } from './derive.js';
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
      // Memory limits equal requests for our containers; the sidecar and defaults add a little on top.
      'limits.memory': gi(q.memory_gi * 1.25),
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

// ---------------------------------------------------------------------------------------------------------------
// hpa.yaml

export function hpaObjects(spec: ResolvedSpec, plan: AutoscalingPlan): IHorizontalPodAutoscaler[] {
  if (!plan.enabled) return [];
  return [
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: plan.name, namespace: plan.namespace, labels: componentLabels(spec, 'model-server', plan.name) },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: plan.name },
        minReplicas: plan.min_replicas,
        maxReplicas: plan.max_replicas,
        metrics: [
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: plan.target_cpu_pct } } },
          ...(plan.rps_metric
            ? [{ type: 'Pods' as const, pods: { metric: { name: plan.rps_metric }, target: { type: 'AverageValue' as const, averageValue: String(Math.floor(plan.target_rps_per_pod)) } } }]
            : []),
        ],
        behavior: {
          // Scale up at once: double or +4 pods every 15 s, whichever adds more.
          scaleUp: {
            stabilizationWindowSeconds: 0,
            selectPolicy: 'Max',
            policies: [
              { type: 'Percent', value: plan.scale_up_pct_per_15s, periodSeconds: 15 },
              { type: 'Pods', value: plan.scale_up_pods_per_15s, periodSeconds: 15 },
            ],
          },
          // Scale down slowly: a 5-minute window and 10 % per minute, so a traffic dip does not cost a cold start.
          scaleDown: {
            stabilizationWindowSeconds: plan.scale_down_window_seconds,
            selectPolicy: 'Max',
            policies: [{ type: 'Percent', value: plan.scale_down_pct_per_minute, periodSeconds: 60 }],
          },
        },
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// storage.yaml

export function storageObjects(spec: ResolvedSpec, plan: StoragePlan): (IStorageClass | IPersistentVolumeClaim)[] {
  const ns = workloadNamespaces(spec);
  const objects: (IStorageClass | IPersistentVolumeClaim)[] = [
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: plan.storage_class, labels: managedLabels(spec) },
      provisioner: plan.csi_driver,
      parameters: plan.parameters,
      // Bind in the zone where the pod is scheduled (spot nodes can be in any zone); grow without re-creating.
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
      reclaimPolicy: 'Delete',
    },
  ];
  if (plan.training_pvc_name) {
    objects.push({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name: plan.training_pvc_name,
        namespace: ns.training,
        labels: componentLabels(spec, 'training-data', plan.training_pvc_name),
        annotations: { 'mlops-mcp/sizing': `${plan.gb_per_day} GB/day × ${plan.window_days} days × ${0.25} columnar × 1.5 scratch` },
      },
      spec: {
        accessModes: ['ReadWriteOnce'],
        storageClassName: plan.storage_class,
        resources: { requests: { storage: `${plan.training_pvc_gi}Gi` } },
      },
    });
  }
  return objects;
}

// ---------------------------------------------------------------------------------------------------------------
// training-job.yaml

function trainingCommand(shape: TrainingJobShape, ml: MlEngineerDecisions, service: string): { command: string[]; args: string[] } {
  const module = `${ml.code.package}.training`;
  const tail = ['--config', ml.code.config];
  if (shape.launcher === 'torchrun' && shape.workers === 1) {
    // One node: torchrun's standalone rendezvous, no Service or node rank needed.
    return { command: ['torchrun'], args: ['--standalone', '--nnodes=1', `--nproc-per-node=${Math.max(1, shape.gpusPerWorker)}`, '-m', module, ...tail] };
  }
  if (shape.launcher === 'torchrun') {
    return {
      command: ['torchrun'],
      args: [
        `--nnodes=${shape.workers}`,
        `--nproc-per-node=${Math.max(1, shape.gpusPerWorker)}`,
        '--node-rank=$(NODE_RANK)',
        `--master-addr=${shape.name}-0.${service}`,
        '--master-port=29500',
        '-m',
        module,
        ...tail,
      ],
    };
  }
  if (shape.launcher === 'horovod') {
    const n = Math.max(1, shape.gpusPerWorker);
    return { command: ['horovodrun'], args: ['-np', String(n), '-H', `localhost:${n}`, 'python', '-m', module, ...tail] };
  }
  return { command: ['python', '-m', module], args: tail };
}

export function trainingObjects(spec: ResolvedSpec, ml: MlEngineerDecisions, mlops: MlopsEngineerDecisions, storage: StoragePlan): (IJob | IService)[] {
  const ns = workloadNamespaces(spec);
  const shape = trainingShape(spec, ml);
  const labels = componentLabels(spec, 'training', shape.name);
  const selector = componentSelector(spec, 'training', shape.name);
  const multiNode = shape.workers > 1;
  const { command, args } = trainingCommand(shape, ml, shape.name);
  const gpu = shape.gpusPerWorker;
  const volumes: IIoK8sApiCoreV1Volume[] = [
    storage.training_pvc_name
      ? { name: 'data', persistentVolumeClaim: { claimName: storage.training_pvc_name } }
      : {
          name: 'data',
          // Each worker caches its own shard: RWO disks cannot be shared across nodes.
          ephemeral: {
            volumeClaimTemplate: {
              metadata: { labels },
              spec: { accessModes: ['ReadWriteOnce'], storageClassName: storage.storage_class, resources: { requests: { storage: `${storage.per_worker_gi ?? 20}Gi` } } },
            },
          },
        },
  ];
  const mounts = [{ name: 'data', mountPath: '/data' }];
  if (gpu > 0) {
    // PyTorch DataLoader workers share tensors through /dev/shm; the container default (64 MiB) is far too small.
    volumes.push({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '8Gi' } });
    mounts.push({ name: 'dshm', mountPath: '/dev/shm' });
  }
  const container: IIoK8sApiCoreV1Container = {
    name: 'train',
    image: mlops.images.jobs,
    command,
    args,
    env: [
      { name: 'DATA_DIR', value: '/data' },
      { name: 'WORLD_NODES', value: String(shape.workers) },
      ...(multiNode ? [{ name: 'NODE_RANK', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } }] : []),
    ],
    resources: {
      requests: { cpu: ml.training.cpu, memory: ml.training.memory, ...(gpu > 0 ? { [GPU_RESOURCE]: String(gpu) } : {}) },
      limits: { memory: ml.training.memory, ...(gpu > 0 ? { [GPU_RESOURCE]: String(gpu) } : {}) },
    },
    securityContext: CONTAINER_SECURITY,
    volumeMounts: mounts,
  };
  const job: IJob = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: shape.name,
      namespace: ns.training,
      labels,
      annotations: { 'mlops-mcp/scheduler': `${spec.options.orchestration} creates this Job per run (Kubeflow PyTorchJob CRD in a later issue)` },
    },
    spec: {
      ...(multiNode ? { completionMode: 'Indexed' as const, completions: shape.workers, parallelism: shape.workers } : { completions: 1, parallelism: 1 }),
      backoffLimit: 3,
      activeDeadlineSeconds: ml.training.timeout_minutes * 60,
      ttlSecondsAfterFinished: 86_400,
      // Spot reclaims are not failures: the pod is recreated and resumes from the last checkpoint.
      podFailurePolicy: IGNORE_DISRUPTIONS,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          priorityClassName: priorityClassNames(spec).training,
          securityContext: POD_SECURITY,
          ...(multiNode ? { subdomain: shape.name } : {}),
          affinity: preferSpotAffinity(spec),
          tolerations: [...spotTolerations(spec), ...(gpu > 0 ? [GPU_TOLERATION] : [])],
          containers: [container],
          volumes,
        },
      },
    },
  };
  if (!multiNode) return [job];
  const service: IService = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: shape.name, namespace: ns.training, labels },
    // Headless: gives worker 0 the stable DNS name <job>-0.<service> that torchrun's rendezvous uses.
    spec: { clusterIP: 'None', publishNotReadyAddresses: true, selector, ports: [{ name: 'rendezvous', port: 29500, targetPort: 29500, protocol: 'TCP' }] },
  };
  return [service, job];
}
