import type { IScaleTriggers } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaleTriggers';
import type { IScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import type { ITriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication';
import type { IVerticalPodAutoscaler } from '@kubernetes-models/autoscaler/autoscaling.k8s.io/v1/VerticalPodAutoscaler';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { ResolvedSpec } from '../../spec/resolve.js';
import type { MlEngineerDecisions } from '../ml_engineer/decisions.js';
import type { MlopsEngineerDecisions } from '../mlops_engineer/decisions.js';
import { EVENTS_PER_CONSUMER } from '../mlops_engineer/derive.js';
import { ceilTol } from '../mlops_engineer/math.js';
import { componentLabels } from '../mlops_engineer/naming.js';
import type { AutoscalingPlan } from './derive.js';
import { cpuCores, cpuQuantity, memoryGi } from './quantity.js';
import type { TrainingPlan } from './training.js';

// Horizontal (HPA on the serving workload, KEDA on the stream consumer) and vertical (VPA) autoscaling.

/** Region of the AWS account: the same placeholder the image registry uses (an overlay patches both). */
export const AWS_REGION = 'us-east-1';
/** KEDA polls the lag every 15 s; scale-in waits 5 minutes so a brief lull does not drop consumers mid-burst. */
export const KEDA_POLLING_S = 15;
export const KEDA_COOLDOWN_S = 300;

// ---------------------------------------------------------------------------------------------------------------
// HPA

export function hpaObjects(spec: ResolvedSpec, plan: AutoscalingPlan): IHorizontalPodAutoscaler[] {
  if (!plan.enabled || !plan.target) return [];
  return [
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: plan.name, namespace: plan.namespace, labels: componentLabels(spec, 'model-server', plan.name) },
      spec: {
        // The object owning the model-server pods (a Deployment, or an Argo Rollout: both expose the scale subresource).
        scaleTargetRef: { apiVersion: plan.target.api_version, kind: plan.target.kind, name: plan.target.name },
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
// VPA

export interface VpaPlan {
  name: string;
  namespace: string;
  role: 'training' | 'batch' | 'serving';
  target: { api_version: string; kind: string; name: string };
  update_mode: 'Off' | 'Initial';
  controlled: ('cpu' | 'memory')[];
  requests: { cpu: string; memory: string };
  min_allowed: { cpu: string; memory: string };
  max_allowed: { cpu: string; memory: string };
  why: string;
}

function mi(gi: number): string {
  return `${ceilTol(gi * 1024)}Mi`;
}

/** Bounds: half to twice the sized request; memory never above twice the request (the LimitRange max). */
function bounds(cpu: string, memory: string): Pick<VpaPlan, 'requests' | 'min_allowed' | 'max_allowed'> {
  const c = cpuCores(cpu);
  const m = memoryGi(memory);
  return {
    requests: { cpu, memory },
    min_allowed: { cpu: cpuQuantity(Math.max(0.1, c / 2)), memory: mi(Math.max(0.125, m / 2)) },
    max_allowed: { cpu: cpuQuantity(c * 2), memory: mi(m * 2) },
  };
}

export function planVpas(mlops: MlopsEngineerDecisions, ml: MlEngineerDecisions, training: TrainingPlan): VpaPlan[] {
  const plans: VpaPlan[] = [
    {
      name: `${training.name}-vpa`,
      namespace: training.namespace,
      role: 'training',
      target: { api_version: training.api_version, kind: training.kind, name: training.name },
      update_mode: 'Off',
      controlled: ['cpu', 'memory'],
      ...bounds(ml.training.cpu, ml.training.memory),
      why:
        training.shape.gpusPerWorker > 0
          ? 'recommendation only: the worker shape is chosen to fit the GPU node (CPU and memory per GPU), a VPA-changed request could leave GPUs idle or the pod unschedulable'
          : 'recommendation only: the training quota is sized from these requests; the next spec revision adopts the recommendation',
    },
  ];
  if (mlops.batch) {
    plans.push({
      name: `${mlops.batch.cronjob_name}-vpa`,
      namespace: mlops.batch.namespace,
      role: 'batch',
      target: { api_version: 'batch/v1', kind: 'CronJob', name: mlops.batch.cronjob_name },
      // Each run's pods are new: Initial sets the recommended requests at creation and never evicts a running shard.
      update_mode: 'Initial',
      controlled: ['cpu', 'memory'],
      ...bounds(mlops.batch.cpu, mlops.batch.memory),
      why: 'Initial: every scheduled run creates fresh pods, which get the recommended requests at admission; a running shard is never evicted',
    });
  }
  const s = mlops.serving;
  if (s.autoscaler === 'hpa' && s.workload) {
    plans.push({
      name: `${s.workload.name}-vpa`,
      namespace: s.namespace,
      role: 'serving',
      target: s.workload,
      // Never Auto here: the HPA scales on CPU utilisation = usage / request; a VPA moving the request would move
      // the HPA's signal under it, and each VPA update evicts a serving pod (a cold start at p99).
      update_mode: 'Off',
      controlled: ['memory'],
      ...bounds(s.cpu, s.memory),
      why: 'Off, memory only: the HPA scales on CPU utilisation relative to the request, so an acting VPA would fight it; memory recommendations feed the next sizing',
    });
  }
  return plans;
}

export function vpaObjects(spec: ResolvedSpec, plans: VpaPlan[]): IVerticalPodAutoscaler[] {
  return plans.map((p) => ({
    apiVersion: 'autoscaling.k8s.io/v1',
    kind: 'VerticalPodAutoscaler',
    metadata: { name: p.name, namespace: p.namespace, labels: componentLabels(spec, `${p.role}-vpa`, p.target.name), annotations: { 'mlops-mcp/why': p.why } },
    spec: {
      targetRef: { apiVersion: p.target.api_version, kind: p.target.kind, name: p.target.name },
      updatePolicy: { updateMode: p.update_mode },
      resourcePolicy: {
        containerPolicies: [{ containerName: '*', controlledResources: p.controlled, minAllowed: p.min_allowed, maxAllowed: p.max_allowed }],
      },
    },
  }));
}

// ---------------------------------------------------------------------------------------------------------------
// KEDA

export interface KedaPlan {
  name: string;
  namespace: string;
  target: string;
  trigger: 'kafka' | 'aws-kinesis-stream';
  min: number;
  max: number;
  avg_events_per_second: number;
  lag_budget_s: number;
  lag_threshold: number | null;
  shard_count: number | null;
  auth_name: string;
  auth: 'sasl-secret' | 'aws-pod-identity' | 'aws-secret';
  secret: string;
  polling_s: number;
  cooldown_s: number;
}

/** Peak-to-mean ratio of event streams (the same 3:1 mlops_engineer uses). */
const STREAM_PEAK_FACTOR = 3;

export function planKeda(spec: ResolvedSpec, mlops: MlopsEngineerDecisions): KedaPlan | null {
  const st = mlops.stream;
  if (!st) return null;
  const avg = st.peak_events_per_second / STREAM_PEAK_FACTOR;
  // Scale out before the consumer-lag alert fires: the lag one consumer drains in half the alerting time.
  const budget = Math.max(1, Math.round(spec.slo.alert_time_s / 2));
  const kafka = st.source_kind === 'kafka';
  const max = st.partitions;
  const min = Math.min(max, Math.max(1, ceilTol(avg / EVENTS_PER_CONSUMER)));
  const onAws = spec.options.cloud_provider === 'aws' || spec.options.cloud_provider === 'multi-cloud';
  return {
    name: st.deployment_name,
    namespace: mlops.serving.namespace,
    target: st.deployment_name,
    trigger: kafka ? 'kafka' : 'aws-kinesis-stream',
    min,
    max,
    avg_events_per_second: Math.round(avg * 100) / 100,
    lag_budget_s: budget,
    lag_threshold: kafka ? EVENTS_PER_CONSUMER * budget : null,
    // One shard per consumer at max: max = shards, so each replica owns ceil(shards / max) = 1.
    shard_count: kafka ? null : ceilTol(st.partitions / max),
    auth_name: `${st.deployment_name}-keda`,
    auth: kafka ? 'sasl-secret' : onAws ? 'aws-pod-identity' : 'aws-secret',
    secret: `${spec.name}-stream`,
    polling_s: KEDA_POLLING_S,
    cooldown_s: KEDA_COOLDOWN_S,
  };
}

export function kedaObjects(spec: ResolvedSpec, mlops: MlopsEngineerDecisions, plan: KedaPlan | null): (ITriggerAuthentication | IScaledObject)[] {
  if (!plan || !mlops.stream) return [];
  const st = mlops.stream;
  const labels = componentLabels(spec, 'stream-consumer', plan.target);
  const auth: ITriggerAuthentication = {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'TriggerAuthentication',
    metadata: { name: plan.auth_name, namespace: plan.namespace, labels },
    spec:
      plan.auth === 'sasl-secret'
        ? {
            secretTargetRef: [
              { parameter: 'username', name: plan.secret, key: 'KAFKA_SASL_USERNAME' },
              { parameter: 'password', name: plan.secret, key: 'KAFKA_SASL_PASSWORD' },
            ],
          }
        : plan.auth === 'aws-pod-identity'
          ? // EKS Pod Identity / IRSA: KEDA assumes the consumer's IAM role; no keys in the cluster.
            { podIdentity: { provider: 'aws', identityOwner: 'workload' } }
          : {
              // Kinesis read from a non-AWS cluster: no workload identity federation to AWS, so static keys from the stream Secret.
              secretTargetRef: [
                { parameter: 'awsAccessKeyID', name: plan.secret, key: 'AWS_ACCESS_KEY_ID' },
                { parameter: 'awsSecretAccessKey', name: plan.secret, key: 'AWS_SECRET_ACCESS_KEY' },
              ],
            },
  };
  const trigger: IScaleTriggers =
    plan.trigger === 'kafka'
      ? {
          type: 'kafka',
          name: 'consumer-lag',
          metadata: {
            // Resolved from the consumer container's environment (envFrom the stream Secret): no broker list in Git.
            bootstrapServersFromEnv: 'KAFKA_BOOTSTRAP_SERVERS',
            consumerGroup: st.consumer_group,
            topic: st.topic,
            lagThreshold: String(plan.lag_threshold),
            offsetResetPolicy: 'latest',
            allowIdleConsumers: 'false',
            sasl: 'scram_sha512',
            tls: 'enable',
          },
          authenticationRef: { name: plan.auth_name },
        }
      : {
          type: 'aws-kinesis-stream',
          name: 'shard-count',
          metadata: { streamName: st.topic, awsRegion: AWS_REGION, shardCount: String(plan.shard_count) },
          authenticationRef: { name: plan.auth_name },
        };
  const scaled: IScaledObject = {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: plan.name, namespace: plan.namespace, labels },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: plan.target },
      minReplicaCount: plan.min,
      maxReplicaCount: plan.max,
      pollingInterval: plan.polling_s,
      cooldownPeriod: plan.cooldown_s,
      // If the lag cannot be read (broker or API outage), hold the partition count: never scale consumers to the floor blind.
      fallback: { failureThreshold: 3, replicas: plan.max },
      triggers: [trigger],
    },
  };
  return [auth, scaled];
}
