import type { IRollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { ICronJob } from 'kubernetes-models/batch/v1/CronJob';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IIoK8sApiCoreV1Container } from 'kubernetes-models/v1/Container';
import type { IIoK8sApiCoreV1PodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IServicePort } from 'kubernetes-models/v1/ServicePort';
import type { IResourceRequirements } from 'kubernetes-models/v1/ResourceRequirements';
import type { IEnvFromSource } from 'kubernetes-models/v1/EnvFromSource';
import type { IIoK8sApiCoreV1Volume } from 'kubernetes-models/v1/Volume';
import type { IIoK8sApiCoreV1VolumeMount } from 'kubernetes-models/v1/VolumeMount';
import type { ResolvedSpec } from '../../spec/resolve.js';
import type { InferenceService } from '../../validate/crds/kserve.js';
import type { SeldonDeployment } from '../../validate/crds/seldon.js';
import { CONTAINER_SECURITY, IGNORE_DISRUPTIONS, POD_SECURITY } from '../k8s.js';
import { GPU_RESOURCE, GPU_TOLERATION, avoidSpotAffinity, preferSpotAffinity, spotTolerations } from '../kubernetes_architect/capacity.js';
import { modelArtifactUri, modelFetch } from './cloud.js';
import type { MlopsPlan } from './derive.js';
import { INITIAL_IMAGE_TAG, VARIANT_LABEL, componentLabels, componentSelector, priorityClassNames } from './naming.js';
import { endpointsConfigMapName } from '../kubernetes_architect/storage.js';
import { MODEL_DIR, MULTIPROC_DIR, TORCHSERVE_CONFIG_PATH, TRITON_REPOSITORY, servesPackageApp } from './platform.js';
import { inferenceService, seldonDeployment } from './platforms.js';
import { platformConfigMaps, tritonRepositoryItems } from './runtimeConfig.js';
import { modelServerRollout } from './release.js';
import { podIdentityLabels, serviceAccountName } from './serviceAccounts.js';

export type ServingObject = IConfigMap | IDeployment | IService | IPodDisruptionBudget | ICronJob | IRollout | InferenceService | SeldonDeployment;

/** Which copy of the model server a pod belongs to: the live one (A/B control), the A/B treatment, or the release shadow. */
export type Variant = 'control' | 'treatment' | 'shadow';

export const SERVER_CONTAINER = 'model-server';
export const FETCH_CONTAINER = 'model-fetch';
export const METRICS_EXPORTER_CONTAINER = 'metrics-exporter';

/** Instance name and component of each variant: only `control` pods match the main Service, PDB and autoscaler. */
export function variantIdentity(plan: MlopsPlan, variant: Variant): { instance: string; component: string } {
  switch (variant) {
    case 'control':
      return { instance: plan.names.modelServer, component: 'model-server' };
    case 'treatment':
      return { instance: plan.names.modelTreatment, component: 'model-server' };
    case 'shadow':
      return { instance: plan.names.modelShadow, component: 'model-shadow' };
  }
}

export function variantLabels(spec: ResolvedSpec, plan: MlopsPlan, variant: Variant): Record<string, string> {
  const id = variantIdentity(plan, variant);
  return { ...componentLabels(spec, id.component, id.instance), [VARIANT_LABEL]: variant };
}
export function variantSelector(spec: ResolvedSpec, plan: MlopsPlan, variant: Variant): Record<string, string> {
  const id = variantIdentity(plan, variant);
  return componentSelector(spec, id.component, id.instance);
}

export function servingLabels(spec: ResolvedSpec, plan: MlopsPlan): Record<string, string> {
  return variantLabels(spec, plan, 'control');
}
export function servingSelector(spec: ResolvedSpec, plan: MlopsPlan): Record<string, string> {
  return variantSelector(spec, plan, 'control');
}

export function requestTimeoutMs(spec: ResolvedSpec): number {
  // Requests slower than twice the p99 SLO are failed fast instead of queueing behind healthy ones.
  return spec.slo.p99_latency_ms * 2;
}

/** The server image every variant runs (the deploy script and kustomize replace the tag). */
export function serverImage(plan: MlopsPlan): string {
  return `${plan.cloud.registry}/${plan.names.serverImage}:${INITIAL_IMAGE_TAG}`;
}

/** KServe and Seldon storage initializers read s3://, gs:// and https://<account>.blob.core.windows.net/…, not abfss://. */
export function platformStorageUri(spec: ResolvedSpec, plan: MlopsPlan): string {
  const uri = modelArtifactUri(spec, plan.modelName);
  const m = /^abfss:\/\/([^@]+)@([^.]+)\.dfs\.core\.windows\.net\/(.+)$/.exec(uri);
  return m ? `https://${m[2]}.blob.core.windows.net/${m[1]}/${m[3]}` : uri;
}

/**
 * What every model-server container reads, whatever the runtime: the serving config, kubernetes_architect's
 * endpoints ConfigMap (online store, inference cache) and the online store's credentials, which External
 * Secrets keeps in sync (secrets.ts).
 */
export function serverEnvFrom(spec: ResolvedSpec, plan: MlopsPlan): IEnvFromSource[] {
  return [{ configMapRef: { name: plan.names.servingConfig } }, { configMapRef: { name: endpointsConfigMapName(spec) } }, { secretRef: { name: `${spec.name}-online-store` } }];
}

export function serverResources(plan: MlopsPlan): IResourceRequirements {
  const s = plan.sizing;
  const gpu: Record<string, string> = s.gpus > 0 ? { [GPU_RESOURCE]: String(s.gpus) } : {};
  // No CPU limit: CFS throttling shows up directly in p99 latency. Memory limit = request (no overcommit).
  return { requests: { cpu: s.cpu, memory: s.memory, ...gpu }, limits: { memory: s.memory, ...gpu } };
}

function configMap(spec: ResolvedSpec, plan: MlopsPlan, namespace: string): IConfigMap {
  const s = plan.sizing;
  const data: Record<string, string> = {
    MODEL_NAME: plan.modelName,
    MODEL_URI: modelArtifactUri(spec, plan.modelName),
    MODEL_DIR,
    MODEL_FAMILY: plan.family,
    SERVING_PLATFORM: plan.runtime.platform,
    SERVING_MODES: plan.modes.join(','),
    PROTOCOL: plan.runtime.protocol,
    PORT: String(plan.runtime.port),
    P99_LATENCY_BUDGET_MS: String(spec.slo.p99_latency_ms),
    MODEL_CALL_BUDGET_MS: String(s.service_time_ms),
    REQUEST_TIMEOUT_MS: String(requestTimeoutMs(spec)),
    ...(s.workers > 0 ? { WORKERS: String(s.workers) } : { MAX_INFLIGHT_PER_REPLICA: String(s.concurrency_per_replica) }),
    ENTITY_KEY: spec.data.entity_key,
    AB_TREATMENT_SHARE: String(spec.experiment.treatment_share),
  };
  if (plan.batch) {
    data.BATCH_ROWS_PER_RUN = String(plan.batch.rows_per_run);
    data.BATCH_SHARDS = String(plan.batch.parallelism);
    data.BATCH_OUTPUT_URI = plan.batch.output_uri;
  }
  if (plan.stream) {
    data.STREAM_KIND = plan.stream.source_kind;
    data.STREAM_TOPIC = plan.stream.topic;
    data.STREAM_CONSUMER_GROUP = plan.stream.consumer_group;
    data.STREAM_OUTPUT_TOPIC = plan.stream.output_topic;
    data.STREAM_MICRO_BATCH = '100';
  }
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: plan.names.servingConfig, namespace, labels: componentLabels(spec, 'serving-config', plan.names.servingConfig) },
    data,
  };
}

export function modelFetchContainer(spec: ResolvedSpec, plan: MlopsPlan): IIoK8sApiCoreV1Container {
  const fetch = modelFetch(spec, plan.modelName, MODEL_DIR);
  return {
    name: FETCH_CONTAINER,
    image: fetch.image,
    command: fetch.command,
    env: Object.entries(fetch.env).map(([name, value]) => ({ name, value })),
    resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '512Mi' } },
    securityContext: CONTAINER_SECURITY,
    volumeMounts: [{ name: 'model', mountPath: MODEL_DIR }],
  };
}

/** Container ports of the model server: http, grpc (when the runtime has one), metrics (when on its own port). */
export function serverPorts(plan: MlopsPlan): { name: string; containerPort: number; protocol: 'TCP' }[] {
  const rt = plan.runtime;
  const ports: { name: string; containerPort: number; protocol: 'TCP' }[] = [{ name: 'http', containerPort: rt.httpPort, protocol: 'TCP' }];
  if (rt.grpcPort !== null) ports.push({ name: 'grpc', containerPort: rt.grpcPort, protocol: 'TCP' });
  if (rt.metricsPort !== rt.httpPort) ports.push({ name: 'metrics', containerPort: rt.metricsPort, protocol: 'TCP' });
  return ports;
}

/**
 * The pod template of the model server where we own it (torchserve, triton): init container fetching the model,
 * the runtime with its ConfigMap-mounted configuration, probes sized from the startup budget, spot-free
 * scheduling, GPU toleration. Shared by the Rollout and the shadow / treatment Deployments.
 */
export function serverPodTemplate(spec: ResolvedSpec, plan: MlopsPlan, variant: Variant): IIoK8sApiCoreV1PodTemplateSpec {
  const s = plan.sizing;
  const rt = plan.runtime;
  const periodSeconds = 10;
  const env = [...Object.entries(rt.env).map(([name, value]) => ({ name, value })), ...(s.workers > 0 ? [{ name: 'WEB_CONCURRENCY', value: String(s.workers) }] : [])];
  const mounts: IIoK8sApiCoreV1VolumeMount[] = [
    { name: 'model', mountPath: MODEL_DIR, readOnly: true },
    { name: 'tmp', mountPath: '/tmp' },
  ];
  const volumes: IIoK8sApiCoreV1Volume[] = [
    { name: 'model', emptyDir: { sizeLimit: `${s.model_cache_gi}Gi` } },
    { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } },
  ];
  if (rt.platform === 'torchserve') {
    mounts.push({ name: 'runtime-config', mountPath: TORCHSERVE_CONFIG_PATH, subPath: 'config.properties', readOnly: true });
    // TorchServe writes its logs and the unpacked archives under the working directory.
    mounts.push({ name: 'logs', mountPath: '/home/model-server/logs' });
    volumes.push({ name: 'runtime-config', configMap: { name: plan.names.torchserveConfig } }, { name: 'logs', emptyDir: { sizeLimit: '1Gi' } });
  }
  if (rt.platform === 'triton') {
    // The model repository is configuration only (config.pbtxt, 1/model.py); the model stays in MODEL_DIR.
    mounts.push({ name: 'runtime-config', mountPath: TRITON_REPOSITORY, readOnly: true });
    volumes.push({ name: 'runtime-config', configMap: { name: plan.names.tritonConfig, items: tritonRepositoryItems(plan) } });
  }
  // Our scoring runs in the runtime's worker processes: they record metrics in multiprocess files on /tmp,
  // which the exporter container serves together with the runtime's own metrics.
  if (rt.nativeMetrics) env.push({ name: 'PROMETHEUS_MULTIPROC_DIR', value: MULTIPROC_DIR }, { name: 'MODEL_DIR', value: MODEL_DIR });
  return {
    metadata: {
      labels: { ...variantLabels(spec, plan, variant), ...podIdentityLabels(spec) },
      annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(rt.metricsPort), 'prometheus.io/path': rt.metricsPath },
    },
    spec: {
      // The serving identity reads the models bucket: the model-fetch init container authenticates through it.
      serviceAccountName: serviceAccountName(spec, plan, 'serving'),
      priorityClassName: priorityClassNames(spec).serving,
      securityContext: POD_SECURITY,
      terminationGracePeriodSeconds: 30,
      affinity: avoidSpotAffinity(spec),
      tolerations: s.gpus > 0 ? [GPU_TOLERATION] : undefined,
      topologySpreadConstraints: [
        {
          maxSkew: 1,
          topologyKey: 'topology.kubernetes.io/zone',
          // 99.95 % and above: refuse to stack replicas in one zone rather than lose the zone redundancy.
          whenUnsatisfiable: spec.slo.availability_pct >= 99.95 && variant === 'control' ? 'DoNotSchedule' : 'ScheduleAnyway',
          labelSelector: { matchLabels: variantSelector(spec, plan, variant) },
        },
      ],
      initContainers: [modelFetchContainer(spec, plan)],
      containers: [
        {
          name: SERVER_CONTAINER,
          image: serverImage(plan),
          args: rt.args,
          ports: serverPorts(plan).filter((p) => p.name !== 'metrics' || !rt.nativeMetrics),
          env: env.length > 0 ? env : undefined,
          envFrom: serverEnvFrom(spec, plan),
          resources: serverResources(plan),
          securityContext: CONTAINER_SECURITY,
          // Startup covers model fetch-to-load and warm-up; liveness only starts once it succeeded.
          startupProbe: { httpGet: { path: rt.readyPath, port: rt.httpPort }, periodSeconds, failureThreshold: Math.ceil(s.startup_seconds / periodSeconds) },
          readinessProbe: { httpGet: { path: rt.readyPath, port: rt.httpPort }, periodSeconds: 5, failureThreshold: 2 },
          livenessProbe: { httpGet: { path: rt.livePath, port: rt.httpPort }, periodSeconds: 10, failureThreshold: 3 },
          // Let the Service endpoints drop this pod before the server stops accepting requests.
          lifecycle: { preStop: { sleep: { seconds: 5 } } },
          volumeMounts: mounts,
        },
        ...(rt.nativeMetrics ? [metricsExporterContainer(plan)] : []),
      ],
      volumes,
    },
  };
}

/** Next to TorchServe / Triton: serves the workers' request metrics merged with the runtime's own on the metrics port. */
function metricsExporterContainer(plan: MlopsPlan): IIoK8sApiCoreV1Container {
  const rt = plan.runtime;
  return {
    name: METRICS_EXPORTER_CONTAINER,
    image: serverImage(plan),
    command: ['python3', '-m', `${plan.pythonPackage}.serving.metrics_exporter`, '--port', String(rt.metricsPort)],
    ports: [{ name: 'metrics', containerPort: rt.metricsPort, protocol: 'TCP' }],
    env: [
      { name: 'PROMETHEUS_MULTIPROC_DIR', value: MULTIPROC_DIR },
      { name: 'RUNTIME_METRICS_URL', value: `http://127.0.0.1:${rt.nativeMetrics!.port}${rt.nativeMetrics!.path}` },
    ],
    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '128Mi' } },
    securityContext: CONTAINER_SECURITY,
    readinessProbe: { tcpSocket: { port: 'metrics' }, periodSeconds: 10 },
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
  };
}

/** A Service in front of one variant's pods (or, for kserve/seldon, the headless metrics Service of the platform's pods). */
export function serverService(spec: ResolvedSpec, plan: MlopsPlan, name: string, selector: Record<string, string>, headless = false): IService {
  const ports: IServicePort[] = serverPorts(plan).map((p) => ({
    name: p.name,
    port: p.containerPort,
    targetPort: p.name,
    protocol: 'TCP' as const,
    appProtocol: p.name === 'grpc' ? 'grpc' : 'http',
  }));
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: plan.namespaces.serving, labels: { ...componentLabels(spec, selector['app.kubernetes.io/component'] ?? 'model-server', name) } },
    spec: headless ? { clusterIP: 'None', selector, ports } : { type: 'ClusterIP', selector, ports },
  };
}

/** The platform-managed pods (kserve, seldon) expose one container port: metrics and inference share it unless the runtime has a metrics port. */
function platformMetricsService(spec: ResolvedSpec, plan: MlopsPlan): IService {
  const rt = plan.runtime;
  const port = rt.metricsPort;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: plan.names.modelServer,
      namespace: plan.namespaces.serving,
      labels: servingLabels(spec, plan),
      annotations: { 'mlops-mcp/purpose': `headless: per-pod endpoints of the ${rt.platform} predictor for scraping and debugging; clients call the platform's endpoint, where its traffic split applies` },
    },
    spec: { clusterIP: 'None', selector: servingSelector(spec, plan), ports: [{ name: 'metrics', port, targetPort: port, protocol: 'TCP', appProtocol: 'http' }] },
  };
}

function modelPdb(spec: ResolvedSpec, plan: MlopsPlan): IPodDisruptionBudget {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: plan.names.modelServer, namespace: plan.namespaces.serving, labels: servingLabels(spec, plan) },
    // Node drains and spot-free upgrades take one replica at a time, at any fleet size the autoscaler chose.
    spec: { maxUnavailable: 1, selector: { matchLabels: servingSelector(spec, plan) }, unhealthyPodEvictionPolicy: 'AlwaysAllow' },
  };
}

/** How the batch CronJob relates to the orchestrator's scheduled equivalent (named, not emitted). */
export function orchestratorEquivalent(plan: MlopsPlan): string {
  const b = plan.batch!;
  const names: Record<string, string> = {
    kubeflow: `Kubeflow Pipelines recurring run "${plan.names.batchScoring}" (cron ${b.schedule})`,
    airflow: `Airflow DAG "${plan.names.batchScoring}" (schedule ${b.schedule}, KubernetesPodOperator per shard)`,
    prefect: `Prefect deployment "${plan.names.batchScoring}" (cron ${b.schedule}, Kubernetes work pool)`,
    dagster: `Dagster schedule "${plan.names.batchScoring}" (cron ${b.schedule}, k8s_job_executor)`,
  };
  return names[b.orchestrator] ?? b.orchestrator;
}

function batchCronJob(spec: ResolvedSpec, plan: MlopsPlan): ICronJob {
  const b = plan.batch!;
  const labels = componentLabels(spec, 'batch-scoring', plan.names.batchScoring);
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: {
      name: plan.names.batchScoring,
      namespace: plan.namespaces.batch,
      labels,
      annotations: {
        'mlops-mcp/orchestrator': b.orchestrator,
        'mlops-mcp/orchestrator-equivalent': `${orchestratorEquivalent(plan)} runs the same image and command; when the orchestrator owns the schedule, set suspend: true here`,
      },
    },
    spec: {
      schedule: b.schedule,
      timeZone: 'Etc/UTC',
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 1800,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 5,
      jobTemplate: {
        metadata: { labels },
        spec: {
          completionMode: 'Indexed',
          completions: b.parallelism,
          parallelism: b.parallelism,
          backoffLimitPerIndex: 2,
          maxFailedIndexes: 0,
          activeDeadlineSeconds: b.deadline_seconds,
          ttlSecondsAfterFinished: 86_400,
          // Spot reclaims (DisruptionTarget) do not count as failures: the shard is simply rescheduled.
          podFailurePolicy: IGNORE_DISRUPTIONS,
          template: {
            metadata: { labels: { ...labels, ...podIdentityLabels(spec) } },
            spec: {
              restartPolicy: 'Never',
              serviceAccountName: serviceAccountName(spec, plan, 'batch'),
              priorityClassName: priorityClassNames(spec).batch,
              securityContext: POD_SECURITY,
              affinity: preferSpotAffinity(spec),
              tolerations: spotTolerations(spec),
              containers: [
                {
                  name: 'batch-score',
                  image: `${plan.cloud.registry}/${plan.names.jobsImage}:${INITIAL_IMAGE_TAG}`,
                  command: ['python', '-m', b.entrypoint],
                  args: ['--shards', String(b.parallelism), '--output-uri', b.output_uri],
                  envFrom: [{ configMapRef: { name: plan.names.servingConfig } }],
                  resources: { requests: { cpu: b.cpu, memory: b.memory }, limits: { memory: b.memory } },
                  securityContext: CONTAINER_SECURITY,
                },
              ],
            },
          },
        },
      },
    },
  };
}

/** Where clients (and the stream consumer) send inference requests: the platform's endpoint, where its traffic split applies. */
export function inferenceEndpoint(plan: MlopsPlan): string {
  const ns = plan.namespaces.serving;
  switch (plan.runtime.platform) {
    case 'kserve':
      return `http://${plan.names.platformObject}.${ns}.svc.cluster.local/v2/models/${plan.modelName}/infer`;
    case 'seldon':
      return `http://istio-ingressgateway.istio-system.svc.cluster.local/seldon/${ns}/${plan.names.platformObject}/v2/models/model/infer`;
    case 'torchserve':
      return `http://${plan.names.modelServer}.${ns}.svc.cluster.local:${plan.runtime.port}/predictions/${plan.modelName}`;
    case 'triton':
      return `grpc://${plan.names.modelServer}.${ns}.svc.cluster.local:${plan.runtime.port}`;
  }
}

/**
 * The stream consumer scores through the model server when that speaks the Open Inference Protocol with our
 * per-column tensors (kserve, seldon: our own server), so it follows the server's releases; with TorchServe or
 * Triton it loads the promoted model in process, fetched by the same init container as the model server.
 */
function streamConsumer(spec: ResolvedSpec, plan: MlopsPlan): IDeployment {
  const st = plan.stream!;
  const remote = servesPackageApp(plan.runtime.platform);
  const labels = componentLabels(spec, 'stream-consumer', plan.names.streamConsumer);
  const selector = componentSelector(spec, 'stream-consumer', plan.names.streamConsumer);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: plan.names.streamConsumer, namespace: plan.namespaces.serving, labels },
    spec: {
      // No replicas: KEDA's ScaledObject owns the count (one consumer per partition/shard at most: more would idle),
      // and a replicas field here would reset it on every apply.
      selector: { matchLabels: selector },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      template: {
        metadata: { labels: { ...labels, ...podIdentityLabels(spec) } },
        spec: {
          serviceAccountName: serviceAccountName(spec, plan, 'stream'),
          priorityClassName: priorityClassNames(spec).serving,
          securityContext: POD_SECURITY,
          terminationGracePeriodSeconds: 60,
          affinity: avoidSpotAffinity(spec),
          containers: [
            {
              name: 'stream-consumer',
              image: `${plan.cloud.registry}/${plan.names.jobsImage}:${INITIAL_IMAGE_TAG}`,
              command: ['python', '-m', st.entrypoint],
              env: [...(remote ? [{ name: 'MODEL_SERVER_URL', value: inferenceEndpoint(plan) }] : []), { name: 'CONSUMER_REPLICAS', value: String(st.consumer_replicas) }],
              envFrom: [{ configMapRef: { name: plan.names.servingConfig } }, { configMapRef: { name: endpointsConfigMapName(spec) } }, { secretRef: { name: `${spec.name}-stream` } }],
              resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '1Gi' } },
              securityContext: CONTAINER_SECURITY,
              ...(remote ? {} : { volumeMounts: [{ name: 'model', mountPath: MODEL_DIR, readOnly: true }] }),
            },
          ],
          ...(remote ? {} : { initContainers: [modelFetchContainer(spec, plan)], volumes: [{ name: 'model', emptyDir: { sizeLimit: `${plan.sizing.model_cache_gi}Gi` } }] }),
        },
      },
    },
  };
}

/**
 * deploy/k8s/base/serving.yaml: config, the model server of the serving platform (InferenceService,
 * SeldonDeployment, or an Argo Rollout for torchserve/triton with its runtime ConfigMap), its Service and PDB,
 * the stream consumer and the batch CronJob as the modes need.
 */
export function servingObjects(spec: ResolvedSpec, plan: MlopsPlan): ServingObject[] {
  // envFrom cannot cross namespaces: each namespace running a workload gets its own copy of the serving config.
  const objects: ServingObject[] = [];
  if (plan.sizing.max_replicas > 0) {
    objects.push(configMap(spec, plan, plan.namespaces.serving));
    switch (plan.runtime.platform) {
      case 'kserve':
        objects.push(inferenceService(spec, plan, 'control'), platformMetricsService(spec, plan));
        break;
      case 'seldon':
        objects.push(seldonDeployment(spec, plan, 'control'), platformMetricsService(spec, plan));
        break;
      case 'torchserve':
      case 'triton':
        objects.push(...platformConfigMaps(spec, plan), modelServerRollout(spec, plan), serverService(spec, plan, plan.names.modelServer, servingSelector(spec, plan)));
        break;
    }
    objects.push(modelPdb(spec, plan));
  }
  if (plan.batch) objects.push(configMap(spec, plan, plan.namespaces.batch));
  if (plan.stream) objects.push(streamConsumer(spec, plan));
  if (plan.batch) objects.push(batchCronJob(spec, plan));
  return objects;
}
