import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { ICronJob } from 'kubernetes-models/batch/v1/CronJob';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IIoK8sApiCoreV1Container } from 'kubernetes-models/v1/Container';
import type { IService } from 'kubernetes-models/v1/Service';
import type { ResolvedSpec } from '../../spec/resolve.js';
import { CONTAINER_SECURITY, IGNORE_DISRUPTIONS, POD_SECURITY } from '../k8s.js';
import { GPU_RESOURCE, GPU_TOLERATION, avoidSpotAffinity, preferSpotAffinity, spotTolerations } from '../kubernetes_architect/capacity.js';
import { modelArtifactUri, modelFetch } from './cloud.js';
import type { MlopsPlan } from './derive.js';
import { INITIAL_IMAGE_TAG, componentLabels, componentSelector, priorityClassNames } from './naming.js';
import { MODEL_DIR } from './platform.js';

export type ServingObject = IConfigMap | IDeployment | IService | IPodDisruptionBudget | ICronJob;

export function servingLabels(spec: ResolvedSpec, plan: MlopsPlan): Record<string, string> {
  return componentLabels(spec, 'model-server', plan.names.modelServer);
}
export function servingSelector(spec: ResolvedSpec, plan: MlopsPlan): Record<string, string> {
  return componentSelector(spec, 'model-server', plan.names.modelServer);
}

export function requestTimeoutMs(spec: ResolvedSpec): number {
  // Requests slower than twice the p99 SLO are failed fast instead of queueing behind healthy ones.
  return spec.slo.p99_latency_ms * 2;
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

function modelFetchContainer(spec: ResolvedSpec, plan: MlopsPlan): IIoK8sApiCoreV1Container {
  const fetch = modelFetch(spec, plan.modelName, MODEL_DIR);
  return {
    name: 'model-fetch',
    image: fetch.image,
    command: fetch.command,
    env: Object.entries(fetch.env).map(([name, value]) => ({ name, value })),
    resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '512Mi' } },
    securityContext: CONTAINER_SECURITY,
    volumeMounts: [{ name: 'model', mountPath: MODEL_DIR }],
  };
}

function modelServer(spec: ResolvedSpec, plan: MlopsPlan): IDeployment {
  const s = plan.sizing;
  const rt = plan.runtime;
  const labels = servingLabels(spec, plan);
  const ports = [{ name: 'http', containerPort: rt.httpPort, protocol: 'TCP' as const }];
  if (rt.grpcPort !== null) ports.push({ name: 'grpc', containerPort: rt.grpcPort, protocol: 'TCP' });
  if (rt.metricsPort !== rt.httpPort) ports.push({ name: 'metrics', containerPort: rt.metricsPort, protocol: 'TCP' });
  const resources = {
    requests: { cpu: s.cpu, memory: s.memory, ...(s.gpus > 0 ? { [GPU_RESOURCE]: String(s.gpus) } : {}) },
    // No CPU limit: CFS throttling shows up directly in p99 latency. Memory limit = request (no overcommit).
    limits: { memory: s.memory, ...(s.gpus > 0 ? { [GPU_RESOURCE]: String(s.gpus) } : {}) },
  };
  const periodSeconds = 10;
  const env = [...Object.entries(rt.env).map(([name, value]) => ({ name, value })), ...(s.workers > 0 ? [{ name: 'WEB_CONCURRENCY', value: String(s.workers) }] : [])];
  const isFallback = rt.platform === 'kserve' || rt.platform === 'seldon';
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: plan.names.modelServer,
      namespace: plan.namespaces.serving,
      labels,
      annotations: {
        'mlops-mcp/serving-platform': rt.platform,
        'mlops-mcp/runtime': isFallback ? `plain-deployment-fallback (the ${rt.platform} CRD replaces it in a later issue)` : 'primary',
      },
    },
    spec: {
      // The HPA owns the replica count between min and max; this is the starting (minimum) size.
      replicas: s.min_replicas,
      revisionHistoryLimit: 5,
      selector: { matchLabels: servingSelector(spec, plan) },
      // Zero-downtime rolling update of the fallback runtime: never below the current count while surging one pod.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: {
          labels,
          annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(rt.metricsPort), 'prometheus.io/path': rt.metricsPath },
        },
        spec: {
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
              whenUnsatisfiable: spec.slo.availability_pct >= 99.95 ? 'DoNotSchedule' : 'ScheduleAnyway',
              labelSelector: { matchLabels: servingSelector(spec, plan) },
            },
          ],
          initContainers: [modelFetchContainer(spec, plan)],
          containers: [
            {
              name: 'model-server',
              image: `${plan.cloud.registry}/${plan.names.serverImage}:${INITIAL_IMAGE_TAG}`,
              args: rt.args,
              ports,
              env: env.length > 0 ? env : undefined,
              envFrom: [{ configMapRef: { name: plan.names.servingConfig } }],
              resources,
              securityContext: CONTAINER_SECURITY,
              // Startup covers model fetch-to-load and warm-up; liveness only starts once it succeeded.
              startupProbe: { httpGet: { path: rt.readyPath, port: rt.httpPort }, periodSeconds, failureThreshold: Math.ceil(s.startup_seconds / periodSeconds) },
              readinessProbe: { httpGet: { path: rt.readyPath, port: rt.httpPort }, periodSeconds: 5, failureThreshold: 2 },
              livenessProbe: { httpGet: { path: rt.livePath, port: rt.httpPort }, periodSeconds: 10, failureThreshold: 3 },
              // Let the Service endpoints drop this pod before the server stops accepting requests.
              lifecycle: { preStop: { sleep: { seconds: 5 } } },
              volumeMounts: [
                { name: 'model', mountPath: MODEL_DIR, readOnly: true },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            },
          ],
          volumes: [
            { name: 'model', emptyDir: { sizeLimit: `${s.model_cache_gi}Gi` } },
            { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } },
          ],
        },
      },
    },
  };
}

function modelService(spec: ResolvedSpec, plan: MlopsPlan): IService {
  const rt = plan.runtime;
  const ports = [{ name: 'http', port: rt.httpPort, targetPort: 'http', protocol: 'TCP' as const, appProtocol: 'http' }];
  if (rt.grpcPort !== null) ports.push({ name: 'grpc', port: rt.grpcPort, targetPort: 'grpc', protocol: 'TCP', appProtocol: 'grpc' });
  if (rt.metricsPort !== rt.httpPort) ports.push({ name: 'metrics', port: rt.metricsPort, targetPort: 'metrics', protocol: 'TCP', appProtocol: 'http' });
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: plan.names.modelServer, namespace: plan.namespaces.serving, labels: servingLabels(spec, plan) },
    spec: { type: 'ClusterIP', selector: servingSelector(spec, plan), ports },
  };
}

function modelPdb(spec: ResolvedSpec, plan: MlopsPlan): IPodDisruptionBudget {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: plan.names.modelServer, namespace: plan.namespaces.serving, labels: servingLabels(spec, plan) },
    // Node drains and spot-free upgrades take one replica at a time, at any fleet size the HPA chose.
    spec: { maxUnavailable: 1, selector: { matchLabels: servingSelector(spec, plan) }, unhealthyPodEvictionPolicy: 'AlwaysAllow' },
  };
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
      annotations: { 'mlops-mcp/orchestrator': `${b.orchestrator} takes over this schedule in a later issue (same image and command); set suspend: true then` },
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
            metadata: { labels },
            spec: {
              restartPolicy: 'Never',
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

function streamConsumer(spec: ResolvedSpec, plan: MlopsPlan): IDeployment {
  const st = plan.stream!;
  const labels = componentLabels(spec, 'stream-consumer', plan.names.streamConsumer);
  const selector = componentSelector(spec, 'stream-consumer', plan.names.streamConsumer);
  const scheme = plan.runtime.protocol === 'grpc' ? 'grpc' : 'http';
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: plan.names.streamConsumer, namespace: plan.namespaces.serving, labels },
    spec: {
      // One consumer per partition/shard: more would idle, fewer would lag at peak.
      replicas: st.consumer_replicas,
      selector: { matchLabels: selector },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      template: {
        metadata: { labels },
        spec: {
          priorityClassName: priorityClassNames(spec).serving,
          securityContext: POD_SECURITY,
          terminationGracePeriodSeconds: 60,
          affinity: avoidSpotAffinity(spec),
          containers: [
            {
              name: 'stream-consumer',
              image: `${plan.cloud.registry}/${plan.names.jobsImage}:${INITIAL_IMAGE_TAG}`,
              command: ['python', '-m', st.entrypoint],
              env: [
                { name: 'MODEL_SERVER_URL', value: `${scheme}://${plan.names.modelServer}.${plan.namespaces.serving}.svc.cluster.local:${plan.runtime.port}` },
                { name: 'CONSUMER_REPLICAS', value: String(st.consumer_replicas) },
              ],
              envFrom: [{ configMapRef: { name: plan.names.servingConfig } }, { secretRef: { name: `${spec.name}-stream` } }],
              resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '1Gi' } },
              securityContext: CONTAINER_SECURITY,
            },
          ],
        },
      },
    },
  };
}

/** deploy/k8s/base/serving.yaml: config, model server (+ Service, PDB), batch CronJob and stream consumer as the modes need. */
export function servingObjects(spec: ResolvedSpec, plan: MlopsPlan): ServingObject[] {
  // envFrom cannot cross namespaces: each namespace running a workload gets its own copy of the serving config.
  const objects: ServingObject[] = [];
  if (plan.sizing.max_replicas > 0) objects.push(configMap(spec, plan, plan.namespaces.serving), modelServer(spec, plan), modelService(spec, plan), modelPdb(spec, plan));
  if (plan.batch) objects.push(configMap(spec, plan, plan.namespaces.batch));
  if (plan.stream) objects.push(streamConsumer(spec, plan));
  if (plan.batch) objects.push(batchCronJob(spec, plan));
  return objects;
}
