import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IIoK8sApiCoreV1Container } from 'kubernetes-models/v1/Container';
import type { IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IIoK8sApiCoreV1Volume } from 'kubernetes-models/v1/Volume';
import type { ResolvedSpec } from '../../spec/resolve.js';
import type { PyTorchJob, PyTorchReplicaSpec } from '../../validate/crds/kubeflow.js';
import { CONTAINER_SECURITY, IGNORE_DISRUPTIONS, POD_SECURITY } from '../k8s.js';
import type { MlEngineerDecisions } from '../ml_engineer/decisions.js';
import type { MlopsEngineerDecisions } from '../mlops_engineer/decisions.js';
import { ceilTol } from '../mlops_engineer/math.js';
import { componentLabels, componentSelector, priorityClassNames, workloadNamespaces } from '../mlops_engineer/naming.js';
import { podIdentityLabels } from '../mlops_engineer/serviceAccounts.js';
import { GPU_RESOURCE, GPU_TOLERATION, preferSpotAffinity, spotTolerations } from './capacity.js';
import { trainingShape, type StoragePlan, type TrainingJobShape } from './derive.js';
import { memoryGi } from './quantity.js';

// The training workload: a Kubeflow PyTorchJob (orchestration kubeflow) or a batch/v1 Job that the orchestrator launches.

type Orchestration = ResolvedSpec['options']['orchestration'];

/** Who creates the training object per run, and with what. */
export const LAUNCHERS: Record<Orchestration, { tool: string; how: string }> = {
  kubeflow: {
    tool: 'Kubeflow Pipelines',
    how: 'a Kubeflow Pipelines component creates this PyTorchJob per run (kfp-kubernetes / the training-operator SDK) and waits for its Succeeded condition',
  },
  airflow: {
    tool: 'Airflow KubernetesJobOperator',
    how: 'the Airflow DAG runs KubernetesJobOperator (apache-airflow-providers-cncf-kubernetes) with job_template_file pointing at this Job, so the pod spec (spot affinity, GPU limits, priority) stays in this repository rather than in DAG code; a KubernetesPodOperator would lose the Job backoff and pod failure policy',
  },
  prefect: {
    tool: 'Prefect Kubernetes work pool',
    how: 'the Prefect Kubernetes work pool uses this Job as its base job template; each flow run becomes one Job',
  },
  dagster: {
    tool: 'Dagster k8s_job_executor',
    how: 'Dagster launches the training step through dagster-k8s (k8s_job_executor / execute_k8s_job) with this Job as the template of the step Job',
  },
};

/** Pessimistic spot reclaim rate used to size the elastic restart budget (assumption, per node-hour). */
export const SPOT_RECLAIMS_PER_NODE_HOUR = 0.05;
/** torchrun's rendezvous port (c10d) and the PyTorchJob operator's default master port. */
export const RDZV_PORT = 29400;
export const PYTORCHJOB_PORT = 23456;

export interface TrainingPlan {
  shape: TrainingJobShape;
  name: string;
  namespace: string;
  orchestration: Orchestration;
  launcher_tool: string;
  launcher_how: string;
  api_version: 'kubeflow.org/v1' | 'batch/v1';
  kind: 'PyTorchJob' | 'Job';
  /** PyTorchJob: Master replicas (0 or 1) and Worker replicas. */
  master_replicas: number;
  worker_replicas: number;
  elastic: { min: number; max: number; max_restarts: number; expected_reclaims: number } | null;
  nproc_per_node: string;
  backoff_limit: number;
  active_deadline_seconds: number;
  ttl_seconds: number;
  shm_gi: number;
  /** Multi-node runs get a PDB: one voluntary eviction restarts the whole gang. */
  pdb_name: string | null;
  expected_hours: number;
}

export function planTraining(spec: ResolvedSpec, ml: MlEngineerDecisions): TrainingPlan {
  const shape = trainingShape(spec, ml);
  const kubeflow = spec.options.orchestration === 'kubeflow';
  const multiNode = shape.workers > 1;
  const hours = ml.training.expected_minutes / 60;
  // Expected reclaims over one run on spot, doubled; at least 3 restarts for ordinary failures.
  const reclaims = shape.workers * hours * SPOT_RECLAIMS_PER_NODE_HOUR;
  const launcher = LAUNCHERS[spec.options.orchestration];
  return {
    shape,
    name: shape.name,
    namespace: workloadNamespaces(spec).training,
    orchestration: spec.options.orchestration,
    launcher_tool: launcher.tool,
    launcher_how: launcher.how,
    api_version: kubeflow ? 'kubeflow.org/v1' : 'batch/v1',
    kind: kubeflow ? 'PyTorchJob' : 'Job',
    // One node needs no Master: the operator injects MASTER_ADDR/RANK only for multi-node gangs, and the
    // PyTorchJob scale subresource (which VPA reads) selects Worker pods.
    master_replicas: kubeflow && multiNode ? 1 : 0,
    worker_replicas: kubeflow ? (multiNode ? shape.workers - 1 : 1) : 0,
    elastic: kubeflow && multiNode ? { min: shape.workers, max: shape.workers, max_restarts: Math.max(3, ceilTol(2 * reclaims)), expected_reclaims: Math.round(reclaims * 100) / 100 } : null,
    nproc_per_node: String(Math.max(1, shape.gpusPerWorker)),
    backoff_limit: 3,
    active_deadline_seconds: ml.training.timeout_minutes * 60,
    ttl_seconds: 86_400,
    // DataLoader workers pass batches through /dev/shm: 8 GiB, or a quarter of the pod memory when smaller
    // (a memory-backed emptyDir counts against the container's memory limit).
    shm_gi: shape.gpusPerWorker > 0 ? Math.max(1, Math.min(8, Math.floor(memoryGi(ml.training.memory) / 4))) : 0,
    pdb_name: multiNode ? `${shape.name}-workers` : null,
    expected_hours: Math.round(hours * 100) / 100,
  };
}

function trainingCommand(plan: TrainingPlan, ml: MlEngineerDecisions): { command: string[]; args: string[] } {
  const shape = plan.shape;
  const module = `${ml.code.package}.training`;
  // The jobs image runs from /app with ml/configs copied to ./configs (mlops_engineer/ci/docker.ts), so the
  // repository path ml/configs/… is configs/… inside the container.
  const tail = ['--config', ml.code.config.replace(/^ml\//, '')];
  const nproc = `--nproc_per_node=${plan.nproc_per_node}`;
  if (plan.kind === 'PyTorchJob' && shape.launcher === 'torchrun') {
    // The operator sets PET_NNODES, PET_NODE_RANK, PET_MASTER_ADDR/PORT (and PET_RDZV_* under elasticPolicy); torchrun reads them.
    return shape.workers === 1 ? { command: ['torchrun'], args: ['--standalone', '--nnodes=1', nproc, '-m', module, ...tail] } : { command: ['torchrun'], args: [nproc, '-m', module, ...tail] };
  }
  if (shape.launcher === 'torchrun' && shape.workers === 1) {
    return { command: ['torchrun'], args: ['--standalone', '--nnodes=1', nproc, '-m', module, ...tail] };
  }
  if (shape.launcher === 'torchrun') {
    return {
      command: ['torchrun'],
      args: [`--nnodes=${shape.workers}`, nproc, '--node_rank=$(NODE_RANK)', `--master_addr=${shape.name}-0.${shape.name}`, '--master_port=29500', '-m', module, ...tail],
    };
  }
  if (shape.launcher === 'horovod') {
    const n = Math.max(1, shape.gpusPerWorker);
    return { command: ['horovodrun'], args: ['-np', String(n), '-H', `localhost:${n}`, 'python', '-m', module, ...tail] };
  }
  return { command: ['python', '-m', module], args: tail };
}

interface PodPieces {
  labels: Record<string, string>;
  /** The training identity's ServiceAccount (mlops_engineer's identity.yaml): reads/writes the lake, reads the tracking Secret's store. */
  serviceAccountName: string;
  volumes: IIoK8sApiCoreV1Volume[];
  container: IIoK8sApiCoreV1Container;
}

function podPieces(spec: ResolvedSpec, plan: TrainingPlan, ml: MlEngineerDecisions, mlops: MlopsEngineerDecisions, storage: StoragePlan, containerName: string): PodPieces {
  const shape = plan.shape;
  const labels = componentLabels(spec, 'training', shape.name);
  const gpu = shape.gpusPerWorker;
  const { command, args } = trainingCommand(plan, ml);
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
  if (plan.shm_gi > 0) {
    // PyTorch DataLoader workers share tensors through /dev/shm; the container default (64 MiB) is far too small.
    volumes.push({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: `${plan.shm_gi}Gi` } });
    mounts.push({ name: 'dshm', mountPath: '/dev/shm' });
  }
  const multiNodeJob = plan.kind === 'Job' && shape.workers > 1;
  const ports = plan.kind === 'PyTorchJob' && shape.workers > 1 ? [{ name: 'pytorchjob-port', containerPort: PYTORCHJOB_PORT, protocol: 'TCP' as const }] : undefined;
  const container: IIoK8sApiCoreV1Container = {
    name: containerName,
    image: mlops.images.jobs,
    command,
    args,
    ...(ports ? { ports } : {}),
    env: [
      { name: 'DATA_DIR', value: '/data' },
      { name: 'WORLD_NODES', value: String(shape.workers) },
      ...(multiNodeJob ? [{ name: 'NODE_RANK', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } }] : []),
    ],
    // GPUs: requests = limits (extended resources cannot be overcommitted); memory limit = request; no CPU limit.
    resources: {
      requests: { cpu: ml.training.cpu, memory: ml.training.memory, ...(gpu > 0 ? { [GPU_RESOURCE]: String(gpu) } : {}) },
      limits: { memory: ml.training.memory, ...(gpu > 0 ? { [GPU_RESOURCE]: String(gpu) } : {}) },
    },
    // Tracking credentials (MLflow / W&B / Neptune / ClearML) from the Secret External Secrets keeps in sync.
    envFrom: [{ secretRef: { name: trackingSecret(spec) } }],
    securityContext: CONTAINER_SECURITY,
    volumeMounts: mounts,
  };
  return { labels, serviceAccountName: trainingServiceAccount(mlops), volumes, container };
}

/** The tracking Secret mlops_engineer lists (plan.secrets) and delivers into the training namespace. */
function trackingSecret(spec: ResolvedSpec): string {
  return `${spec.name}-tracking`;
}

function trainingServiceAccount(mlops: MlopsEngineerDecisions): string {
  const sa = mlops.service_accounts.find((a) => a.role === 'training');
  if (!sa) throw new Error('mlops_engineer hands off no training ServiceAccount');
  return sa.name;
}

function podTemplate(spec: ResolvedSpec, plan: TrainingPlan, pieces: PodPieces, restartPolicy: 'Never' | 'OnFailure' | undefined): IPodTemplateSpec {
  const gpu = plan.shape.gpusPerWorker;
  const tolerations = [...spotTolerations(spec), ...(gpu > 0 ? [GPU_TOLERATION] : [])];
  return {
    metadata: { labels: { ...pieces.labels, ...podIdentityLabels(spec) } },
    spec: {
      ...(restartPolicy ? { restartPolicy } : {}),
      serviceAccountName: pieces.serviceAccountName,
      priorityClassName: priorityClassNames(spec).training,
      securityContext: POD_SECURITY,
      ...(plan.kind === 'Job' && plan.shape.workers > 1 ? { subdomain: plan.name } : {}),
      // Interruptible: prefer spot, fall back to on-demand (preferred, not required).
      affinity: preferSpotAffinity(spec),
      ...(tolerations.length > 0 ? { tolerations } : {}),
      containers: [pieces.container],
      volumes: pieces.volumes,
    },
  };
}

function launchAnnotations(plan: TrainingPlan): Record<string, string> {
  return { 'mlops-mcp/launched-by': plan.launcher_tool, 'mlops-mcp/launch': plan.launcher_how };
}

export function pytorchJob(spec: ResolvedSpec, plan: TrainingPlan, ml: MlEngineerDecisions, mlops: MlopsEngineerDecisions, storage: StoragePlan): PyTorchJob {
  // The operator injects its environment into the container named "pytorch" (pytorch_validation.go).
  const pieces = podPieces(spec, plan, ml, mlops, storage, 'pytorch');
  // ReplicaSpec.restartPolicy overrides the template's: Master ExitCode (reclaim signals 128-255 restart, code
  // errors 1-127 fail at once without burning retries); elastic Workers OnFailure (torchrun's agent rejoins).
  const replica = (replicas: number, restartPolicy: PyTorchReplicaSpec['restartPolicy']): PyTorchReplicaSpec => ({ replicas, restartPolicy, template: podTemplate(spec, plan, pieces, undefined) });
  const specs: PyTorchJob['spec']['pytorchReplicaSpecs'] = {};
  if (plan.master_replicas > 0) specs.Master = replica(plan.master_replicas, 'ExitCode');
  specs.Worker = replica(plan.worker_replicas, plan.elastic ? 'OnFailure' : 'ExitCode');
  return {
    apiVersion: 'kubeflow.org/v1',
    kind: 'PyTorchJob',
    metadata: { name: plan.name, namespace: plan.namespace, labels: pieces.labels, annotations: launchAnnotations(plan) },
    spec: {
      runPolicy: {
        // Finished: delete pods still running (workers idling after rank 0 returned), keep the failed ones for logs.
        cleanPodPolicy: 'Running',
        ttlSecondsAfterFinished: plan.ttl_seconds,
        activeDeadlineSeconds: plan.active_deadline_seconds,
        backoffLimit: plan.backoff_limit,
        // Read by a gang scheduler (Volcano / scheduler-plugins); the default scheduler uses the pods' priorityClassName.
        schedulingPolicy: { minAvailable: plan.shape.workers, priorityClass: priorityClassNames(spec).training },
      },
      ...(plan.elastic
        ? {
            elasticPolicy: {
              rdzvBackend: 'c10d' as const,
              rdzvPort: RDZV_PORT,
              // Fixed world size: the global batch and learning rate stay valid; elasticity is used for fault tolerance.
              minReplicas: plan.elastic.min,
              maxReplicas: plan.elastic.max,
              maxRestarts: plan.elastic.max_restarts,
            },
          }
        : {}),
      pytorchReplicaSpecs: specs,
      nprocPerNode: plan.nproc_per_node,
    },
  };
}

export function trainingJob(spec: ResolvedSpec, plan: TrainingPlan, ml: MlEngineerDecisions, mlops: MlopsEngineerDecisions, storage: StoragePlan): (IJob | IService)[] {
  const pieces = podPieces(spec, plan, ml, mlops, storage, 'train');
  const multiNode = plan.shape.workers > 1;
  const job: IJob = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: plan.name, namespace: plan.namespace, labels: pieces.labels, annotations: launchAnnotations(plan) },
    spec: {
      ...(multiNode ? { completionMode: 'Indexed' as const, completions: plan.shape.workers, parallelism: plan.shape.workers } : { completions: 1, parallelism: 1 }),
      backoffLimit: plan.backoff_limit,
      activeDeadlineSeconds: plan.active_deadline_seconds,
      ttlSecondsAfterFinished: plan.ttl_seconds,
      // Spot reclaims are not failures: the pod is recreated and resumes from the last checkpoint.
      podFailurePolicy: IGNORE_DISRUPTIONS,
      template: podTemplate(spec, plan, pieces, 'Never'),
    },
  };
  if (!multiNode) return [job];
  const service: IService = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: plan.name, namespace: plan.namespace, labels: pieces.labels },
    // Headless: gives worker 0 the stable DNS name <job>-0.<service> that torchrun's rendezvous uses.
    spec: { clusterIP: 'None', publishNotReadyAddresses: true, selector: componentSelector(spec, 'training', plan.name), ports: [{ name: 'rendezvous', port: 29500, targetPort: 29500, protocol: 'TCP' }] },
  };
  return [service, job];
}

/**
 * Multi-node training: a voluntary eviction (node drain, Karpenter consolidation, cluster upgrade) of one worker
 * stops the whole gang until the rendezvous re-forms, so no worker may be evicted voluntarily while the run lasts
 * (maxUnavailable 0; the run is bounded by activeDeadlineSeconds, so drains wait at most that long). Spot reclaims
 * are involuntary and ignore PDBs: the elastic restart budget covers those.
 */
export function trainingPdb(spec: ResolvedSpec, plan: TrainingPlan): IPodDisruptionBudget[] {
  if (!plan.pdb_name) return [];
  return [
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: plan.pdb_name, namespace: plan.namespace, labels: componentLabels(spec, 'training', plan.name) },
      spec: { maxUnavailable: 0, selector: { matchLabels: componentSelector(spec, 'training', plan.name) } },
    },
  ];
}

/** deploy/k8s/base/training-job.yaml */
export function trainingObjects(spec: ResolvedSpec, plan: TrainingPlan, ml: MlEngineerDecisions, mlops: MlopsEngineerDecisions, storage: StoragePlan): (PyTorchJob | IJob | IService | IPodDisruptionBudget)[] {
  const workload = plan.kind === 'PyTorchJob' ? [pytorchJob(spec, plan, ml, mlops, storage)] : trainingJob(spec, plan, ml, mlops, storage);
  return [...workload, ...trainingPdb(spec, plan)];
}
