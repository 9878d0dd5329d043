import type { ResolvedSpec } from '../../spec/resolve.js';
import { averageRps, objectStoreUri } from '../common.js';
import type { DataScientistDecisions } from '../data_scientist/decisions.js';
import { gateThresholdText, type MlEngineerDecisions } from '../ml_engineer/decisions.js';
import type { PythonProDecisions } from '../python_pro/decisions.js';
import { cloudDelivery, type CloudDelivery } from './cloud.js';
import { workloadNames, workloadNamespaces } from './naming.js';
import { modelFamily, servingRuntime, type ModelFamily, type ServingRuntime } from './platform.js';
import { ceilTol, round2 } from './math.js';

// Every figure of the mlops_engineer phase comes from here: pure functions of the spec and upstream decisions.

export type ServingMode = 'online' | 'batch' | 'stream';

export function servingModes(spec: ResolvedSpec): ServingMode[] {
  switch (spec.options.deployment_mode) {
    case 'realtime':
      return ['online'];
    case 'batch':
      return ['batch'];
    case 'streaming':
      return ['stream'];
    case 'hybrid':
      return ['online', 'batch'];
  }
}

/** The model server runs for online and stream modes (the stream consumer calls it); a batch-only pipeline scores in-process. */
export function serverDeployed(modes: readonly ServingMode[]): boolean {
  return modes.includes('online') || modes.includes('stream');
}

// ---------------------------------------------------------------------------------------------------------------
// Stream source

/** One consumer handles this many events/s: micro-batches of 100 events, about 10 model-server calls per second. */
export const EVENTS_PER_CONSUMER = 1000;
export const STREAM_MICRO_BATCH = 100;
/** Peak-to-mean ratio assumed for event streams (the same 3:1 as requests, see averageRps). */
const STREAM_PEAK_FACTOR = 3;

export interface StreamPlan {
  source_kind: 'kafka' | 'kinesis';
  source_name: string | null;
  topic: string;
  new_topic: boolean;
  consumer_group: string;
  output_topic: string;
  rows_per_day: number | null;
  peak_events_per_second: number;
  partitions: number;
  consumer_replicas: number;
  entrypoint: string;
}

export function planStream(spec: ResolvedSpec, pythonPackage: string): StreamPlan {
  const source = spec.data.sources.find((s) => s.kind === 'kafka' || s.kind === 'kinesis');
  const peak = source ? (source.rows_per_day / 86_400) * STREAM_PEAK_FACTOR : spec.scale.peak_rps;
  // Partitions (Kafka) / shards (Kinesis: 1,000 records/s of writes each) bound consumer parallelism: one consumer
  // per partition, at least 3 so that losing a consumer rebalances onto two survivors.
  const partitions = Math.max(3, Math.ceil(peak / EVENTS_PER_CONSUMER));
  return {
    source_kind: source ? (source.kind as 'kafka' | 'kinesis') : 'kafka',
    source_name: source?.name ?? null,
    topic: source ? source.name : `${spec.name}-scoring-requests`,
    new_topic: !source,
    consumer_group: `${spec.name}-scorer`,
    output_topic: `${spec.name}-predictions`,
    rows_per_day: source?.rows_per_day ?? null,
    peak_events_per_second: round2(peak),
    partitions,
    consumer_replicas: partitions,
    entrypoint: `${pythonPackage}.serving.stream_consumer`,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Replica sizing

export const TARGET_UTILISATION_CANDIDATES = [0.75, 0.7, 0.6, 0.5] as const;
/** Peak traffic above the stated peak that max replicas still absorb (forecast error). */
export const PEAK_HEADROOM = 1.25;
/** In-flight requests one GPU serves with dynamic batching (assumption until the load test measures it). */
export const GPU_CONCURRENCY_PER_GPU = 8;

export interface ServingSizing {
  peak_prediction_rps: number;
  peak_source: string;
  service_time_ms: number;
  service_time_clamped: boolean;
  concurrency_per_replica: number;
  workers: number;
  capacity_rps_per_replica: number;
  target_utilisation: number;
  mm1_response_ms: number;
  rps_per_replica: number;
  replicas_at_peak: number;
  min_replicas: number;
  min_reason: string;
  max_replicas: number;
  cpu: string;
  cpu_cores: number;
  memory: string;
  memory_gi: number;
  gpus: number;
  model_cache_gi: number;
  startup_seconds: number;
}

export function sizeServing(spec: ResolvedSpec, pp: PythonProDecisions, modes: readonly ServingMode[], stream: StreamPlan | null, family: ModelFamily): ServingSizing {
  const gpus = spec.scale.serving_gpus;
  const peak = modes.includes('stream') && stream && !modes.includes('online') ? stream.peak_events_per_second : spec.scale.peak_rps;
  const peakSource = modes.includes('stream') && stream && !modes.includes('online') ? (stream.source_name ? `peak events/s of stream ${stream.source_name}` : 'scale.peak_rps (events published to the new topic)') : 'scale.peak_rps';
  // The model call may use at most half of the p99 SLO; the rest is network, feature lookup and queueing.
  const halfSlo = spec.slo.p99_latency_ms / 2;
  const serviceTime = Math.min(pp.budgets.predict_p99_ms, halfSlo);
  const workers = gpus > 0 ? 0 : spec.scale.peak_rps >= 1000 ? 4 : 2;
  const concurrency = gpus > 0 ? GPU_CONCURRENCY_PER_GPU * gpus : workers;
  // Little's law: concurrency = throughput x time in system, so one replica completes concurrency / service time requests per second.
  const capacity = (concurrency * 1000) / serviceTime;
  // Highest utilisation whose M/M/1 mean response time s / (1 - rho) still fits in the p99 SLO (always true at 0.5 since s <= SLO/2).
  const rho = TARGET_UTILISATION_CANDIDATES.find((r) => serviceTime / (1 - r) <= spec.slo.p99_latency_ms) ?? 0.5;
  const perReplica = capacity * rho;
  const deployed = serverDeployed(modes);
  const atPeak = deployed ? ceilTol(peak / perReplica) : 0;
  const minReplicas = !deployed ? 0 : spec.slo.availability_pct >= 99.95 ? 3 : 2;
  const minReason = !deployed
    ? 'batch-only: no long-running model server; the batch job loads the model in-process'
    : spec.slo.availability_pct >= 99.95
      ? `availability ${spec.slo.availability_pct} % ≥ 99.95 %: one replica per zone in 3 zones, a zone can fail`
      : `availability ${spec.slo.availability_pct} %: 2 replicas in different zones, one can be drained or lost`;
  // N+1 at peak: losing one replica at peak must not push the others past the target utilisation.
  const maxReplicas = deployed ? Math.max(minReplicas, atPeak + 1, ceilTol((peak * PEAK_HEADROOM) / perReplica)) : 0;
  const cpuCores = gpus > 0 ? 4 * gpus : workers;
  const memoryGi = gpus > 0 ? 16 * gpus : 1 + workers;
  // Deep-learning artifacts (TorchServe archives, weights) are an order of magnitude larger than tree ensembles.
  const modelCacheGi = family === 'pytorch' ? 20 : 2;
  // Startup budget: fetch + load the model; GPU runtimes also compile/warm CUDA kernels.
  const startupSeconds = gpus > 0 ? 300 : 120;
  return {
    peak_prediction_rps: round2(peak),
    peak_source: peakSource,
    service_time_ms: round2(serviceTime),
    service_time_clamped: pp.budgets.predict_p99_ms > halfSlo,
    concurrency_per_replica: concurrency,
    workers,
    capacity_rps_per_replica: round2(capacity),
    target_utilisation: rho,
    mm1_response_ms: round2(serviceTime / (1 - rho)),
    rps_per_replica: round2(perReplica),
    replicas_at_peak: atPeak,
    min_replicas: minReplicas,
    min_reason: minReason,
    max_replicas: maxReplicas,
    cpu: String(cpuCores),
    cpu_cores: cpuCores,
    memory: `${memoryGi}Gi`,
    memory_gi: memoryGi,
    gpus,
    model_cache_gi: modelCacheGi,
    startup_seconds: startupSeconds,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Batch scoring

export interface BatchPlan {
  schedule: string;
  orchestrator: string;
  orchestrator_how: string;
  rows_per_run: number;
  rows_per_second_per_pod: number;
  single_pod_minutes: number;
  parallelism: number;
  expected_minutes: number;
  window_minutes: number;
  deadline_seconds: number;
  output_uri: string;
  entrypoint: string;
  cpu: string;
  memory: string;
  hour_reason: string;
}

/** The hour of a five-field cron, when it is a plain number. */
function cronHour(cron: string): number | null {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) return cron === '@daily' || cron === '@weekly' || cron === '@monthly' ? 0 : null;
  const h = Number(fields[1]);
  return Number.isInteger(h) && h >= 0 && h < 24 ? h : null;
}

export function planBatch(spec: ResolvedSpec, pp: PythonProDecisions, pythonPackage: string): BatchPlan {
  const rows = spec.scale.batch_size;
  const rate = Math.max(1, pp.budgets.batch_rows_per_second);
  const singleMinutes = rows / rate / 60;
  // python_pro's batch window: how long one scoring run may take.
  const windowMinutes = Math.max(1, Math.round(pp.budgets.batch_window_hours * 60));
  // Enough indexed pods that the run finishes within the window; each pod scores one shard (JOB_COMPLETION_INDEX).
  const parallelism = Math.min(50, Math.max(1, ceilTol(singleMinutes / windowMinutes)));
  const expected = Math.max(1, ceilTol(singleMinutes / parallelism));
  const trainingHour = cronHour(spec.scale.training_schedule);
  // Score daily and finish (window + 1 h slack) before retraining starts, so batch and training peaks never share the spot pool.
  const hoursBefore = Math.max(2, Math.ceil(windowMinutes / 60) + 1);
  const hour = trainingHour === null ? 1 : (((trainingHour - hoursBefore) % 24) + 24) % 24;
  const hourReason =
    trainingHour === null
      ? 'daily at 01:30 UTC (the training schedule has no fixed hour)'
      : `daily at ${String(hour).padStart(2, '0')}:30 UTC, ${hoursBefore} h before retraining (${spec.scale.training_schedule}): the ${windowMinutes} min window plus slack, so the two never compete for the spot pool`;
  const orchestration = spec.options.orchestration;
  const how: Record<typeof orchestration, string> = {
    kubeflow: 'a Kubeflow Pipelines recurring run whose single component runs the same container as the CronJob',
    airflow: 'an Airflow DAG with a KubernetesPodOperator per shard (same image, same command as the CronJob)',
    prefect: 'a Prefect deployment with a cron schedule on a Kubernetes work pool (same image and command)',
    dagster: 'a Dagster schedule launching the job with the k8s_job_executor (same image and command)',
  };
  return {
    schedule: `30 ${hour} * * *`,
    orchestrator: orchestration,
    orchestrator_how: how[orchestration],
    rows_per_run: rows,
    rows_per_second_per_pod: rate,
    single_pod_minutes: round2(singleMinutes),
    parallelism,
    expected_minutes: expected,
    // Twice the expected time, at least the window: a spot interruption can restart a shard once.
    window_minutes: windowMinutes,
    deadline_seconds: Math.max(windowMinutes, expected * 2) * 60,
    output_uri: `${objectStoreUri(spec, 'predictions')}/batch`,
    entrypoint: `${pythonPackage}.serving.batch_score`,
    cpu: '2',
    memory: '4Gi',
    hour_reason: hourReason,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Rollout

/** Failed analysis measurements that trigger the rollback (one noisy measurement is tolerated). */
export const FAILURE_LIMIT = 2;
/** Route update (mesh / Service selector) plus draining in-flight requests from the bad version. */
export const SCALE_BACK_SECONDS = 30;
export const INTERVAL_CANDIDATES = [300, 240, 180, 120, 90, 60, 45, 30, 20, 15, 10] as const;
/** With 300 requests a 1 % error rate shows at least one error with probability 1 - 0.99^300 ≈ 95 %. */
export const MIN_REQUESTS_PER_ANALYSIS = 300;
export const FIRST_STEP_CANDIDATES = [5, 10, 25] as const;
export const SHADOW_MIN_REQUESTS = 5000;
export const SHADOW_SHARES = [10, 25, 50, 100] as const;

export interface RolloutPlan {
  strategy: 'canary' | 'blue_green';
  strategy_reason: string;
  steps: { weight: number; pause_seconds: number }[];
  analysis_interval_seconds: number;
  failure_limit: number;
  scale_back_seconds: number;
  worst_case_rollback_seconds: number;
  rollback_budget_seconds: number;
  fits_rollback_slo: boolean;
  first_step_requests: number;
  rollout_seconds: number;
  shadow: boolean;
  shadow_mirror_pct: number;
  shadow_window_seconds: number;
  shadow_requests: number;
}

export function planRollout(spec: ResolvedSpec, modes: readonly ServingMode[], shadowWindowSeconds: number): RolloutPlan {
  const budget = spec.slo.rollback_minutes * 60;
  let interval: number = INTERVAL_CANDIDATES[INTERVAL_CANDIDATES.length - 1]!;
  let failureLimit = FAILURE_LIMIT;
  let fits = false;
  for (const limit of [FAILURE_LIMIT, 1]) {
    const found = INTERVAL_CANDIDATES.find((c) => c * limit + SCALE_BACK_SECONDS <= budget);
    if (found !== undefined) {
      interval = found;
      failureLimit = limit;
      fits = true;
      break;
    }
  }
  const worst = interval * failureLimit + SCALE_BACK_SECONDS;
  const avg = averageRps(spec);
  const requestsAt = (weight: number) => Math.floor((avg * weight * interval) / 100);
  const first = FIRST_STEP_CANDIDATES.find((w) => requestsAt(w) >= MIN_REQUESTS_PER_ANALYSIS);
  const online = serverDeployed(modes);

  let strategy: 'canary' | 'blue_green';
  let reason: string;
  if (!online) {
    strategy = 'blue_green';
    reason = 'batch-only: there is no live traffic to split; the new model scores into a "green" output location and the consumers\' view is switched once its checks pass (switching back is the rollback)';
  } else if (spec.scale.serving_gpus > 0) {
    strategy = 'canary';
    reason = `serving uses ${spec.scale.serving_gpus} GPU(s) per replica: blue-green would double the GPU fleet for the whole switch, a canary adds only the canary step's share`;
  } else if (first === undefined) {
    strategy = 'blue_green';
    reason = `at ${round2(avg)} average rps even a 25 % canary sees only ${requestsAt(25)} requests per ${interval} s analysis interval (< ${MIN_REQUESTS_PER_ANALYSIS} needed to see a 1 % error rate with 95 % probability): the canary would be statistically blind, so the full fleet is switched after a preview analysis`;
  } else {
    strategy = 'canary';
    reason = `at ${round2(avg)} average rps a ${first} % canary step sees ${requestsAt(first)} requests per ${interval} s interval (≥ ${MIN_REQUESTS_PER_ANALYSIS} needed to see a 1 % error rate with 95 % probability), and a canary needs only ${first} % extra capacity where blue-green doubles the fleet`;
  }
  const stepPause = interval * failureLimit;
  const steps =
    strategy === 'canary'
      ? [...new Set([first ?? 25, 25, 50, 100])].map((w) => ({ weight: w, pause_seconds: w === 100 ? 0 : stepPause }))
      : [
          { weight: 0, pause_seconds: stepPause },
          { weight: 100, pause_seconds: stepPause },
        ];
  const rolloutSeconds = steps.reduce((s, x) => s + x.pause_seconds, 0);

  // Shadow: mirror the smallest share of live traffic that yields enough requests to compare prediction
  // distributions while staging deploys and smoke-tests (the mirror runs in that window, so it costs no CI time).
  const shadowShare = SHADOW_SHARES.find((s) => avg * (s / 100) * shadowWindowSeconds >= SHADOW_MIN_REQUESTS) ?? 100;
  return {
    strategy,
    strategy_reason: reason,
    steps,
    analysis_interval_seconds: interval,
    failure_limit: failureLimit,
    scale_back_seconds: SCALE_BACK_SECONDS,
    worst_case_rollback_seconds: worst,
    rollback_budget_seconds: budget,
    fits_rollback_slo: fits,
    first_step_requests: first === undefined ? requestsAt(25) : requestsAt(first),
    rollout_seconds: rolloutSeconds,
    shadow: true,
    shadow_mirror_pct: online ? shadowShare : 0,
    shadow_window_seconds: shadowWindowSeconds,
    shadow_requests: online ? Math.floor(avg * (shadowShare / 100) * shadowWindowSeconds) : spec.scale.batch_size,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// CI/CD

/** CI budgets of the two stages during which production mirrors traffic to the candidate (the shadow window). */
export const DEPLOY_STAGING_MINUTES = 5;
/** Argo CD sync plus image pull after the overlay commit, before the rollout's first step. */
export const SYNC_SECONDS = 120;
export const SMOKE_MINUTES = 5;

export interface CiStage {
  name: string;
  budget_minutes: number;
  what: string;
}

/** The CI/CD platform of spec.delivery.ci_platform, by the name the decisions and documents use. */
export type CiPlatformId = 'github-actions' | 'gitlab-ci';

export function ciPlatformOf(spec: ResolvedSpec): CiPlatformId {
  return spec.delivery.ci_platform === 'gitlab' ? 'gitlab-ci' : 'github-actions';
}

export interface CiPlan {
  platform: CiPlatformId;
  stages: CiStage[];
  total_minutes: number;
  slo_minutes: number;
  slack_minutes: number;
  fits_slo: boolean;
}

export function planCi(spec: ResolvedSpec, ml: MlEngineerDecisions, rollout: RolloutPlan, runtime: ServingRuntime, modes: readonly ServingMode[]): CiPlan {
  const platform = ciPlatformOf(spec);
  const heavyImage = spec.scale.serving_gpus > 0 || runtime.platform === 'triton' || runtime.platform === 'torchserve';
  const gate = ml.registry.promotion_gate;
  // deploy.sh waits for the whole rollout plus SYNC_SECONDS of sync and image pull; the job gets one more minute
  // for checkout, tools and the overlay commit, so its time limit never cuts a healthy rollout short.
  const promoteMinutes = ceilTol((rollout.rollout_seconds + SYNC_SECONDS) / 60) + 1;
  const stages: CiStage[] = [
    { name: 'lint_and_unit_tests', budget_minutes: 5, what: 'ruff + mypy + pytest unit and integration layers (python_pro test layers), in parallel jobs' },
    {
      name: 'build_images',
      budget_minutes: heavyImage ? 12 : 8,
      what: `multi-stage builds of ${workloadNames(spec).serverImage} (FROM ${runtime.baseImage}) and ${workloadNames(spec).jobsImage}, ${platform === 'gitlab-ci' ? 'kaniko' : 'Buildx with the GitHub Actions layer cache'}${heavyImage ? '; the large runtime base image (GPU/Triton/TorchServe) needs the longer budget' : ''}`,
    },
    { name: 'data_validation_gate', budget_minutes: 5, what: 'data contract + quality gates on the latest training snapshot (data_engineer gates); blocks on failure' },
    {
      name: 'model_validation_gate',
      budget_minutes: 8,
      what: `candidate ${gateThresholdText(gate)} (${gate.rule === 'absolute' ? 'absolute threshold' : 'relative to the baseline'}) and beat production by ≥ ${gate.min_improvement_pct} %; package as ${runtime.modelFormat}`,
    },
    { name: 'deploy_staging', budget_minutes: DEPLOY_STAGING_MINUTES, what: 'Argo CD syncs the staging overlay with the new image tag; wait for healthy' },
    {
      name: 'smoke_and_shadow',
      budget_minutes: SMOKE_MINUTES,
      what: serverDeployed(modes)
        ? `smoke tests against staging while production mirrors ${rollout.shadow_mirror_pct} % of traffic to the candidate (shadow)`
        : 'smoke test: score a 1,000-row sample in staging and compare with production predictions',
    },
    {
      name: 'production_approval',
      budget_minutes: 5,
      what:
        platform === 'gitlab-ci'
          ? 'manual job on the protected production environment (approval rules: release manager or on-call)'
          : 'required reviewer on the production GitHub environment (release manager or on-call)',
    },
    {
      name: 'promote_production',
      budget_minutes: promoteMinutes,
      what: `${rollout.strategy === 'canary' ? `canary ${rollout.steps.map((s) => `${s.weight} %`).join(' → ')}` : 'blue-green preview analysis then switch'}: ${Math.round(rollout.rollout_seconds)} s of analysis pauses + ${SYNC_SECONDS / 60} min sync, + 1 min for the job's checkout and overlay commit`,
    },
  ];
  const total = stages.reduce((s, x) => s + x.budget_minutes, 0);
  const slo = spec.slo.commit_to_prod_minutes;
  return { platform, stages, total_minutes: total, slo_minutes: slo, slack_minutes: slo - total, fits_slo: total <= slo };
}

// ---------------------------------------------------------------------------------------------------------------
// Secrets

export interface SecretItem {
  name: string;
  keys: string[];
  used_by: string;
}

export function secretsNeeded(spec: ResolvedSpec, ml: MlEngineerDecisions, ds: DataScientistDecisions, modes: readonly ServingMode[], stream: StreamPlan | null): SecretItem[] {
  const backend = ml.tracking.backend.toLowerCase();
  const trackingKeys: string[] = backend.includes('wandb')
    ? ['WANDB_API_KEY']
    : backend.includes('neptune')
      ? ['NEPTUNE_API_TOKEN']
      : backend.includes('clearml')
        ? ['CLEARML_API_ACCESS_KEY', 'CLEARML_API_SECRET_KEY']
        : ['MLFLOW_TRACKING_USERNAME', 'MLFLOW_TRACKING_PASSWORD'];
  const items: SecretItem[] = [
    { name: `${spec.name}-tracking`, keys: trackingKeys, used_by: `training, model validation gate (${ml.tracking.backend})` },
    { name: `${spec.name}-online-store`, keys: ['ONLINE_STORE_URL', 'ONLINE_STORE_PASSWORD'], used_by: `model server feature lookup (${ds.feature_store.online_store})` },
  ];
  if (modes.includes('stream') && stream) {
    items.push({
      name: `${spec.name}-stream`,
      // Kinesis from a cluster outside AWS has no web identity federated to AWS: KEDA and the consumer use static keys.
      keys:
        stream.source_kind === 'kafka'
          ? ['KAFKA_BOOTSTRAP_SERVERS', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD']
          : spec.options.cloud_provider === 'aws' || spec.options.cloud_provider === 'multi-cloud'
            ? ['KINESIS_STREAM_ARN']
            : ['KINESIS_STREAM_ARN', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'],
      used_by: 'stream consumer',
    });
  }
  return items;
}

// ---------------------------------------------------------------------------------------------------------------
// Request batching (TorchServe batchSize/maxBatchDelay, Triton dynamic_batching)

export interface BatchingPlan {
  /** Latency left under the p99 SLO after the M/M/1 response time at the target utilisation (informational). */
  headroom_ms: number;
  /** How long the server may hold a request to fill a batch: 5 % of the p99 SLO, at least 1 ms, at most 100 ms. */
  max_delay_ms: number;
  /** Preferred batch: the in-flight requests of one GPU replica, or what one CPU replica receives at its target load during one delay window (1–64). */
  batch_size: number;
  /** Triton max_batch_size: the next power of two covering the batch and the in-flight requests of one replica (at least 8). */
  max_batch_size: number;
}

export const BATCH_DELAY_SHARE = 0.05;

function nextPow2(n: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, n)));
}

/**
 * A request waits at most max_delay_ms for a batch to fill. The wait replaces part of the FIFO queueing the
 * M/M/1 check already counts (waiting requests become one call), so it is bounded by a small share of the SLO
 * rather than added on top.
 */
export function planBatching(spec: ResolvedSpec, s: ServingSizing): BatchingPlan {
  const headroom = Math.max(0, spec.slo.p99_latency_ms - s.mm1_response_ms);
  const delay = Math.min(100, Math.max(1, Math.floor(spec.slo.p99_latency_ms * BATCH_DELAY_SHARE)));
  const arriving = ceilTol((s.rps_per_replica * delay) / 1000);
  const batch = Math.min(64, Math.max(1, s.gpus > 0 ? s.concurrency_per_replica : arriving));
  return { headroom_ms: round2(headroom), max_delay_ms: delay, batch_size: batch, max_batch_size: Math.max(8, nextPow2(Math.max(batch, s.concurrency_per_replica))) };
}

// ---------------------------------------------------------------------------------------------------------------
// Release analysis (Argo Rollouts AnalysisTemplates)

export type AnalysisProviderKind = 'prometheus' | 'datadog' | 'newRelic';

export interface AnalysisPlan {
  stack: ResolvedSpec['options']['monitoring_stack'];
  provider: AnalysisProviderKind;
  /** Prometheus HTTP API the prometheus provider queries (null for SaaS providers, which use their secret). */
  address: string | null;
  /** Error-rate bound per measurement (fraction). */
  max_error_rate: number;
  error_rate_reason: string;
  /** p99 latency bound per measurement (ms) = the SLO. */
  max_p99_ms: number;
  /** Query window: the analysis interval, at least 60 s (four 15 s scrapes) so rate() has samples. */
  window_seconds: number;
  /** Argo's failureLimit: the run fails when failures exceed it, so our failure_limit − 1. */
  argo_failure_limit: number;
  /** Measurements per AnalysisRun: the whole canary (rollout_seconds / interval), or failure_limit for each blue-green phase. */
  count: number;
  /** Measurements per step of a platform-native release (kserve, seldon): pause / interval. */
  measurements_per_step: number;
}

export function planAnalysis(spec: ResolvedSpec, rollout: RolloutPlan, monitoringNamespace: string): AnalysisPlan {
  const stack = spec.options.monitoring_stack;
  const provider: AnalysisProviderKind = stack === 'datadog' ? 'datadog' : stack === 'newrelic' ? 'newRelic' : 'prometheus';
  const sloErrorBudget = 1 - spec.slo.availability_pct / 100;
  // 300 requests per interval see a 1 % error rate with 95 % probability; a tighter bound would pass on no evidence.
  const detectable = 1 / 100;
  const maxError = Math.max(detectable, sloErrorBudget);
  const reason =
    sloErrorBudget >= detectable
      ? `1 − availability ${spec.slo.availability_pct} % = ${round2(sloErrorBudget * 100)} %`
      : `the availability SLO's error budget (${round2(sloErrorBudget * 100)} %) is below what one interval of ≥ ${MIN_REQUESTS_PER_ANALYSIS} requests can detect, so the bound is 1 % (the smallest rate seen with 95 % probability); the SLO burn-rate alerts guard the budget itself`;
  const interval = rollout.analysis_interval_seconds;
  const perStep = Math.max(1, Math.round((rollout.steps[0]?.pause_seconds ?? interval) / interval));
  return {
    stack,
    provider,
    address: provider === 'prometheus' ? `http://prometheus.${monitoringNamespace}.svc.cluster.local:9090` : null,
    max_error_rate: round2(maxError * 10_000) / 10_000,
    error_rate_reason: reason,
    max_p99_ms: spec.slo.p99_latency_ms,
    window_seconds: Math.max(60, interval),
    argo_failure_limit: Math.max(0, rollout.failure_limit - 1),
    count: rollout.strategy === 'canary' ? Math.max(1, Math.ceil(rollout.rollout_seconds / interval)) : rollout.failure_limit,
    measurements_per_step: perStep,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Everything together

export interface MlopsPlan {
  modes: ServingMode[];
  family: ModelFamily;
  runtime: ServingRuntime;
  sizing: ServingSizing;
  stream: StreamPlan | null;
  batch: BatchPlan | null;
  rollout: RolloutPlan;
  batching: BatchingPlan;
  analysis: AnalysisPlan;
  ci: CiPlan;
  cloud: CloudDelivery;
  secrets: SecretItem[];
  pythonPackage: string;
  modelName: string;
  names: ReturnType<typeof workloadNames>;
  namespaces: ReturnType<typeof workloadNamespaces>;
  classification: boolean;
  /** Binary classification: the served model returns both class probabilities. */
  binary: boolean;
}

export function planMlops(spec: ResolvedSpec, ds: DataScientistDecisions, ml: MlEngineerDecisions, pp: PythonProDecisions): MlopsPlan {
  const modes = servingModes(spec);
  const family = modelFamily(ds.algorithm.library);
  const modelName = ml.registry.model_name;
  const runtime = servingRuntime(spec, family, modelName, pp.package_name);
  const stream = modes.includes('stream') ? planStream(spec, pp.package_name) : null;
  const batch = modes.includes('batch') ? planBatch(spec, pp, pp.package_name) : null;
  const sizing = sizeServing(spec, pp, modes, stream, family);
  // Shadow traffic runs while staging deploys and smoke-tests (the two CI stages before approval).
  const rollout = planRollout(spec, modes, (DEPLOY_STAGING_MINUTES + SMOKE_MINUTES) * 60);
  const ci = planCi(spec, ml, rollout, runtime, modes);
  const namespaces = workloadNamespaces(spec);
  return {
    modes,
    family,
    runtime,
    sizing,
    stream,
    batch,
    rollout,
    batching: planBatching(spec, sizing),
    analysis: planAnalysis(spec, rollout, namespaces.monitoring),
    ci,
    cloud: cloudDelivery(spec),
    secrets: secretsNeeded(spec, ml, ds, modes, stream),
    pythonPackage: pp.package_name,
    modelName,
    names: workloadNames(spec),
    namespaces,
    classification: spec.problem.type !== 'regression',
    binary: spec.problem.type === 'binary_classification',
  };
}
