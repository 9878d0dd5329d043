import { code, num, pct, text } from '../../generators/serializers/markdown.js';
import type { TerraformInput } from '../../generators/terraform/types.js';
import type { NodePoolSummary } from './infra.js';
import { terraformSection } from './infraDoc.js';
import type { ResolvedSpec } from '../../spec/resolve.js';
import { averageRps, beginDocument } from '../common.js';
import type { DataScientistDecisions } from '../data_scientist/decisions.js';
import type { PhaseInfo } from '../graph.js';
import { gateThresholdText, type MlEngineerDecisions } from '../ml_engineer/decisions.js';
import type { PythonProDecisions } from '../python_pro/decisions.js';
import { modelArtifactUri, modelFetch } from './cloud.js';
import { EVENTS_PER_CONSUMER, FAILURE_LIMIT, MIN_REQUESTS_PER_ANALYSIS, PEAK_HEADROOM, SHADOW_MIN_REQUESTS, STREAM_MICRO_BATCH, serverDeployed, type MlopsPlan } from './derive.js';
import { MODEL_DIR } from './platform.js';
import { ENVIRONMENTS, waitSeconds } from './scripts.js';
import { ceilTol } from './math.js';
import { abSection, batchOrchestratorNote, releaseMechanismSection, servingPlatformSection, shadowSection } from './releaseDoc.js';
import { secretsSection } from './secrets.js';
import { ciWorkflowsSection, dockerParagraph } from './ci/document.js';

interface DocInput {
  info: PhaseInfo;
  spec: ResolvedSpec;
  notes: string | undefined;
  plan: MlopsPlan;
  ds: DataScientistDecisions;
  ml: MlEngineerDecisions;
  pp: PythonProDecisions;
  surge: number;
  /** The Terraform generator's input and the node pool figures behind it. */
  terraform: TerraformInput;
  nodePools: NodePoolSummary[];
}

export function mlopsDocument({ info, spec, notes, plan, ds, ml, pp, surge, terraform, nodePools }: DocInput): string {
  const s = plan.sizing;
  const rt = plan.runtime;
  const r = plan.rollout;
  const online = serverDeployed(plan.modes);
  const doc = beginDocument(info, spec, notes);
  doc.paragraph(
    `Deployment inputs: serving_platform = ${code(spec.options.serving_platform)}, deployment_mode = ${code(spec.options.deployment_mode)} (modes ${plan.modes.map((m) => code(m)).join(' + ')}), orchestration = ${code(spec.options.orchestration)}, cloud_provider = ${code(spec.options.cloud_provider)};`,
    `model ${code(plan.modelName)} (${code(plan.family)} family, from the data scientist's ${text(ds.algorithm.library)}), package ${code(plan.pythonPackage)} on Python ${code(pp.python_version)}.`,
  );

  // 1. Model serving -------------------------------------------------------------------------------------------
  doc.heading(2, '1. Model serving');
  doc.heading(3, 'REST/gRPC API with FastAPI/TorchServe');
  if (online) {
    doc.paragraph(
      `Clients call ${code(rt.runtime)} over ${code(rt.protocol.toUpperCase())} on port ${code(rt.port)} (Service ${code(`${plan.names.modelServer}.${plan.namespaces.serving}`)}).`,
      `Why ${rt.protocol.toUpperCase()}: ${rt.protocolWhy}.`,
    );
    doc.table(
      ['Port', 'Use'],
      [
        [code(rt.httpPort), `HTTP: ${rt.protocol === 'rest' ? 'inference + ' : ''}health (${code(rt.readyPath)}, ${code(rt.livePath)})`],
        ...(rt.grpcPort !== null ? [[code(rt.grpcPort), rt.protocol === 'grpc' ? 'gRPC inference (clients)' : 'gRPC inference (internal callers)']] : []),
        ...(rt.metricsPort !== rt.httpPort ? [[code(rt.metricsPort), `Prometheus metrics ${code(rt.metricsPath)}`]] : [[code(rt.metricsPort), `Prometheus metrics on the HTTP port ${code(rt.metricsPath)}`]]),
      ],
    );
    doc.paragraph(
      `Latency budget: p99 SLO ${code(`${spec.slo.p99_latency_ms} ms`)}; the model call may take ${code(`${s.service_time_ms} ms`)} (python_pro predict p99 budget ${code(`${pp.budgets.predict_p99_ms} ms`)}${s.service_time_clamped ? `, clamped to half the SLO` : ''}), the rest covers network, feature lookup (${text(ds.feature_store.online_store)}) and queueing.`,
      `Request timeout ${code(`${spec.slo.p99_latency_ms * 2} ms`)} (twice the p99 SLO: slower requests fail fast instead of queueing behind healthy ones).`,
      'Pre/post-processing (feature lookup, the data scientist\'s transforms) runs in the same process as the model: a separate FastAPI transformer hop would cost a network round trip of the budget.',
    );
  } else {
    doc.paragraph(
      `deployment_mode ${code('batch')}: no online API is deployed (no long-running server, no idle replicas). Predictions are written by the batch job; an on-demand API can be added by switching to ${code('hybrid')}.`,
    );
  }

  doc.heading(3, 'Batch prediction pipeline (Airflow/Kubeflow)');
  if (plan.batch) {
    const b = plan.batch;
    doc.paragraph(
      `Schedule ${code(b.schedule)}: ${text(b.hour_reason)}. Orchestrator ${code(b.orchestrator)}: ${b.orchestrator_how}; the first version is the CronJob ${code(`${plan.namespaces.batch}/${plan.names.batchScoring}`)} in ${code('deploy/k8s/base/serving.yaml')}.`,
      batchOrchestratorNote(plan),
    );
    doc.table(
      ['Figure', 'Value', 'From'],
      [
        ['Rows per run', num(b.rows_per_run), code('scale.batch_size')],
        ['Rows/s per pod', num(b.rows_per_second_per_pod), 'python_pro batch throughput budget'],
        ['One pod would need', `${num(b.single_pod_minutes, 1)} min`, `${num(b.rows_per_run)} / ${num(b.rows_per_second_per_pod)} / 60`],
        ['Parallel shards (indexed Job)', String(b.parallelism), `ceil(${num(b.single_pod_minutes, 1)} / ${b.window_minutes} min window (python_pro)), at most 50`],
        ['Expected duration', `${b.expected_minutes} min`, `ceil(${num(b.single_pod_minutes, 1)} / ${b.parallelism})`],
        ['Deadline', `${b.deadline_seconds} s`, 'max(window, 2 × expected): one spot restart fits'],
        ['Output', code(b.output_uri), 'one directory per run, consumers read a view'],
      ],
    );
    doc.paragraph(
      `Scoring runs in-process (${code(`python -m ${b.entrypoint}`)}) with the same model artifact as the server: no per-row network call. Spot interruptions (${code('DisruptionTarget')}) are ignored by the Job's pod failure policy and the shard is rescheduled; other failures retry twice per shard.`,
    );
  } else {
    doc.paragraph(`deployment_mode ${code(spec.options.deployment_mode)} has no scheduled batch scoring; orchestration ${code(spec.options.orchestration)} runs training only.`);
  }

  doc.heading(3, 'Stream processing (Kafka/Kinesis)');
  if (plan.stream) {
    const st = plan.stream;
    doc.paragraph(
      st.new_topic
        ? `No Kafka/Kinesis source in the spec: producers publish scoring requests to a new Kafka topic ${code(st.topic)}, sized from ${code('scale.peak_rps')} = ${num(spec.scale.peak_rps)}.`
        : `The consumer reads ${code(st.source_kind)} source ${code(st.topic)} (${num(st.rows_per_day ?? 0)} events/day → ${num(st.peak_events_per_second, 0)} events/s at a 3× peak).`,
      `Consumer group ${code(st.consumer_group)}, predictions to ${code(st.output_topic)}.`,
    );
    doc.table(
      ['Figure', 'Value', 'Derivation'],
      [
        ['Peak events/s', num(st.peak_events_per_second, 0), st.new_topic ? 'scale.peak_rps' : `${num(st.rows_per_day ?? 0)} / 86,400 × 3`],
        [st.source_kind === 'kinesis' ? 'Shards' : 'Partitions', String(st.partitions), `max(3, ceil(peak / ${num(EVENTS_PER_CONSUMER)} events/s per consumer))`],
        ['Consumer replicas', String(st.consumer_replicas), 'one per partition/shard'],
        ['Micro-batch', `${STREAM_MICRO_BATCH} events`, `≈ ${EVENTS_PER_CONSUMER / STREAM_MICRO_BATCH} model-server calls/s per consumer`],
      ],
    );
    doc.paragraph('Offsets are committed after the prediction is produced (at-least-once); downstream de-duplicates on entity key + event time.');
  } else {
    doc.paragraph(`deployment_mode ${code(spec.options.deployment_mode)} does not consume a stream.${spec.data.sources.some((x) => x.kind === 'kafka' || x.kind === 'kinesis') ? ' The Kafka/Kinesis sources feed ingestion only.' : ''}`);
  }

  doc.heading(3, 'Serving platform (KServe/Seldon Core)');
  if (online) {
    doc.paragraph(
      `${code(spec.options.serving_platform)}: ${rt.deployed}. Runtime image ${code(rt.baseImage)} (our ${code(plan.names.serverImage)} image builds FROM it), model format ${rt.modelFormat}.`,
      rt.platform === 'kserve' || rt.platform === 'seldon'
        ? `The platform's storage initializer fetches ${code(modelArtifactUri(spec, plan.modelName))} into ${code(MODEL_DIR)}, so a model change needs no image rebuild.`
        : `The init container fetches ${code(modelArtifactUri(spec, plan.modelName))} into ${code(MODEL_DIR)} with ${modelFetch(spec, plan.modelName, MODEL_DIR).how}, so a model change needs no image rebuild.`,
    );
    servingPlatformSection(doc, spec, plan);
    doc.paragraph(
      `Replica sizing (Little's law: concurrency = throughput × time in system, so one replica serves concurrency / service time). Service time assumption: ${code(`${s.service_time_ms} ms`)} per request (the p99 budget used as the mean: conservative; the load test replaces it).`,
    );
    doc.table(
      ['Figure', 'Value', 'Derivation'],
      [
        ['Peak predictions/s', num(s.peak_prediction_rps, 0), s.peak_source],
        ['Concurrency per replica', String(s.concurrency_per_replica), s.gpus > 0 ? `${s.gpus} GPU × 8 in-flight requests (dynamic batching)` : `${s.workers} workers (one per core; ${spec.scale.peak_rps >= 1000 ? '4 cores at ≥ 1,000 rps' : '2 cores below 1,000 rps'})`],
        ['Capacity per replica', `${num(s.capacity_rps_per_replica, 1)} rps`, `${s.concurrency_per_replica} × 1000 / ${s.service_time_ms} ms`],
        ['Target utilisation ρ', pct(s.target_utilisation * 100, 0), `highest of 75/70/60/50 % with s / (1 − ρ) = ${num(s.mm1_response_ms, 1)} ms ≤ ${spec.slo.p99_latency_ms} ms`],
        ['Load per replica (HPA target)', `${num(s.rps_per_replica, 1)} rps`, `${num(s.capacity_rps_per_replica, 1)} × ${s.target_utilisation}`],
        ['Replicas at peak', String(s.replicas_at_peak), `ceil(${num(s.peak_prediction_rps, 0)} / ${num(s.rps_per_replica, 1)})`],
        ['Min replicas', String(s.min_replicas), s.min_reason],
        ['Max replicas', String(s.max_replicas), `max(min ${s.min_replicas}, N+1 = ${s.replicas_at_peak + 1}, ceil(${num(s.peak_prediction_rps, 0)} × ${PEAK_HEADROOM} headroom / ${num(s.rps_per_replica, 1)}) = ${ceilTol((s.peak_prediction_rps * PEAK_HEADROOM) / s.rps_per_replica)})`],
        ['Requests per replica', `${s.cpu} CPU, ${s.memory}${s.gpus > 0 ? `, ${s.gpus} GPU` : ''}`, s.gpus > 0 ? '4 CPU + 16 Gi per GPU (feeding the GPU, pinned memory)' : `1 Gi base + 1 Gi per worker (one model copy each); no CPU limit (throttling hurts p99)`],
        ['Model cache', `${s.model_cache_gi} Gi emptyDir`, plan.family === 'pytorch' ? 'deep-learning weights/archive' : `${plan.family} tree model + runtime files`],
        ['Startup budget', `${s.startup_seconds} s`, 'startupProbe: fetch + load + warm-up before liveness applies'],
      ],
    );
  } else {
    doc.paragraph(
      `No online server for ${code('batch')}: ${code(spec.options.serving_platform)} matters only for the model format (${rt.modelFormat}) exported next to the batch artifact, so switching to ${code('hybrid')} needs no re-export.`,
    );
  }

  // 2. Deployment strategies ----------------------------------------------------------------------------------
  doc.heading(2, '2. Deployment strategies');
  doc.paragraph(
    `Strategy: ${code(r.strategy)}. Rule: batch-only → blue-green; GPU serving → canary (blue-green doubles the GPU fleet); CPU serving → canary when the first step sees ≥ ${MIN_REQUESTS_PER_ANALYSIS} requests per analysis interval, else blue-green. Here: ${r.strategy_reason}.`,
  );
  doc.paragraph(
    `Rollback arithmetic (slo.rollback_minutes = ${spec.slo.rollback_minutes}): worst_case_rollback_seconds = analysis_interval × failure_limit + scale_back = ${r.analysis_interval_seconds} × ${r.failure_limit} + ${r.scale_back_seconds} = ${code(`${r.worst_case_rollback_seconds} s`)} ${r.fits_rollback_slo ? '≤' : '>'} ${r.rollback_budget_seconds} s.`,
    `The interval is the longest of 300/240/180/120/90/60/45/30/20/15/10 s that fits${r.failure_limit < FAILURE_LIMIT ? ` (failure limit lowered to ${r.failure_limit} because ${FAILURE_LIMIT} did not fit)` : ''}${r.fits_rollback_slo ? '' : '; NOTHING fits: the rollback SLO is shorter than one measurement plus the route switch, raise it'}.`,
  );
  doc.heading(3, 'Zero-downtime blue-green');
  doc.paragraph(
    r.strategy === 'blue_green'
      ? `Chosen. ${online ? `Green (${s.max_replicas > 0 ? `${s.min_replicas}–${s.max_replicas}` : '0'} replicas) starts beside blue; preview analysis ${r.steps[0]?.pause_seconds ?? 0} s, switch the Service selector, post-switch analysis ${r.steps[1]?.pause_seconds ?? 0} s while blue stays up (that is the rollback path, ${r.scale_back_seconds} s).` : `The new model writes to a green output location (${code(`${plan.batch?.output_uri ?? ''}/<run>`)}); consumers' view is switched after the checks, switched back on rollback.`}`
      : `Not the release path: it would hold ${pct(100, 0)} extra capacity (${s.max_replicas} more replicas${s.gpus > 0 ? `, ${s.max_replicas * s.gpus} GPUs` : ''}) during the switch.`,
  );
  if (online && r.strategy === 'blue_green') releaseMechanismSection(doc, spec, plan);
  doc.heading(3, 'Canary releases with traffic splitting');
  if (r.strategy === 'canary') {
    doc.table(
      ['Step', 'Traffic to new version', 'Pause', 'Requests per interval (avg load)'],
      r.steps.map((st, i) => [String(i + 1), pct(st.weight, 0), `${st.pause_seconds} s`, num(Math.floor((averageRps(spec) * st.weight * r.analysis_interval_seconds) / 100))]),
    );
    doc.paragraph(
      `Each step lasts failure_limit × interval = ${r.failure_limit} × ${r.analysis_interval_seconds} s so a bad version is caught inside the step; total ${r.rollout_seconds} s. Peak fleet during a release is ${surge}× the stable fleet.`,
    );
    if (online) releaseMechanismSection(doc, spec, plan);
  } else {
    doc.paragraph(`Not used: ${r.strategy_reason}.`);
  }
  doc.heading(3, 'Shadow deployment for validation');
  doc.paragraph(
    online
      ? `Production mirrors ${code(`${r.shadow_mirror_pct} %`)} of live requests to the candidate while staging deploys and smoke-tests (${r.shadow_window_seconds} s): ≈ ${num(r.shadow_requests)} requests at ${num(averageRps(spec), 1)} average rps, the smallest of 10/25/50/100 % reaching ${num(SHADOW_MIN_REQUESTS)} (enough for a 10-bin PSI of candidate vs production predictions). Responses are discarded; the candidate's error rate and latency are recorded. ${shadowSection(plan)}`
      : `The candidate scores the previous run's ${num(spec.scale.batch_size)} rows into a shadow location; the distribution of its predictions is compared with production's (PSI < 0.2) before the blue-green switch.`,
  );
  doc.heading(3, 'A/B testing infrastructure');
  doc.paragraph(
    `From the data scientist's plan: ${code(`${Math.round(spec.experiment.treatment_share * 100)} %`)} treatment, ${num(ds.ab_test.control_n)} control + ${num(ds.ab_test.treatment_n)} treatment units (α = ${ds.ab_test.alpha}, power ${ds.ab_test.power}), ≈ ${ds.ab_test.duration_days} days.`,
    `Assignment is sticky per ${code(spec.data.entity_key)}: bucket = sha256(salt + ${code(spec.data.entity_key)}) mod 10,000 < ${Math.round(spec.experiment.treatment_share * 10_000)} → treatment; the server logs the arm with every prediction so outcomes join back. The gateway sets an ${code('x-ab-arm')} header and the mesh routes on it (not on random weights, which are per request), so during the test the candidate runs as a second workload held at the treatment share and scaled independently.`,
  );
  if (online) doc.paragraph(abSection(spec, plan));

  // 3. CI/CD ---------------------------------------------------------------------------------------------------
  doc.heading(2, '3. CI/CD');
  doc.heading(3, 'GitHub Actions/GitLab CI workflows');
  ciWorkflowsSection(doc, spec, plan);
  doc.heading(3, 'Automated test gates');
  doc.paragraph(
    `Blocking gates: python_pro test layers ${pp.test_layers.map((l) => code(l)).join(', ')} (ruff, mypy, pytest markers ${code('unit or integration')} on every commit; ${code('quality or performance')} on the candidate model in the model gate); data contract and quality gates in ${code('data_validation_gate')} (${code('ci/scripts/data-validation-gate.sh')}: the data engineer's validator on the latest snapshot of every source); smoke tests (readiness, then p99 of 200 requests ≤ ${spec.slo.p99_latency_ms} ms; ${code('ci/scripts/smoke-test.sh')}) in ${code('smoke_and_shadow')}. A failed gate stops the pipeline; nothing is promoted by hand around it.`,
  );
  doc.heading(3, 'Model validation before deployment');
  {
    const g = ml.registry.promotion_gate;
    doc.paragraph(
      `Gate on ${code(g.metric)} (${g.direction}, rule ${code(g.rule)}): candidate ${gateThresholdText(g, code)} (${
        g.rule === 'absolute'
          ? `absolute threshold${ds.baseline_metric !== null ? `; baseline ${ds.baseline_metric}` : ''}`
          : 'no baseline value is known before training, so the training run measures it and passes it to the gate'
      }) and at least ${code(`${g.min_improvement_pct} %`)} better than the current Production version on the same holdout; plus bias checks on ${ds.protected_attributes.length > 0 ? ds.protected_attributes.map((a) => code(a)).join(', ') : 'no declared protected attribute'} and the invariance/directional tests. Passing versions move to ${code(ml.registry.stages[1] ?? 'staging')} in ${code(ml.tracking.backend)}.`,
      `In CI, ${code('ci/scripts/model-validation-gate.sh')} fetches the latest candidate and the production model's metrics from the models store, runs the quality tests on the candidate and calls ${code(`python -m ${plan.pythonPackage}.registry.promotion promote --to ${ml.registry.stages[1] ?? 'staging'}`)}, which exits non-zero (failing the run) when the candidate misses the threshold or does not beat production.`,
    );
  }
  doc.heading(3, 'ArgoCD for GitOps deployment');
  {
    const w = waitSeconds(plan);
    doc.paragraph(
      `One Argo CD Application per environment (${ENVIRONMENTS.map((e) => code(`${spec.name}-${e}`)).join(', ')}) on the kustomize overlays ${code('deploy/k8s/overlays/<env>')} over ${code('deploy/k8s/base')}. ${code('dev')} and ${code('staging')} auto-sync with self-heal; ${code('prod')} syncs only from ${code('scripts/deploy.sh')} after approval.`,
      `${code('scripts/deploy.sh <tag> [env]')} bumps the image tag in the overlay, commits, and waits for sync + health: ${w.dev} s dev, ${w.staging} s staging, ${w.prod} s prod (the rollout's ${r.rollout_seconds} s of analysis + 120 s).`,
    );
  }

  // 4. Infrastructure as code ---------------------------------------------------------------------------------
  doc.heading(2, '4. Infrastructure as code');
  terraformSection(doc, spec, plan, terraform, nodePools);
  doc.heading(3, 'Helm charts for Kubernetes deployment');
  doc.paragraph(
    `Chart ${code(`charts/${spec.name}`)} (generated from the same objects as ${code('deploy/k8s/base')}): ${code('templates/')} model server (${rt.platform === 'kserve' ? 'InferenceService' : rt.platform === 'seldon' ? 'SeldonDeployment' : 'Rollout'})/Service/PDB${rt.platform === 'torchserve' || rt.platform === 'triton' ? '/HPA' : ''}, release objects${plan.batch ? ', batch CronJob' : ''}${plan.stream ? ', stream consumer' : ''}, ConfigMap, ExternalSecret; ${code('values.yaml')} holds the figures above (replicas ${s.min_replicas}–${s.max_replicas}, ${s.cpu} CPU / ${s.memory}${s.gpus > 0 ? ` / ${s.gpus} GPU` : ''}); ${code('values-dev.yaml')}, ${code('values-staging.yaml')}, ${code('values-prod.yaml')} override replicas and image tags per environment.`,
  );
  doc.heading(3, 'Optimised multi-stage Docker builds');
  dockerParagraph(doc, plan, pp);
  doc.heading(3, 'Secrets management with Vault/Secrets Manager');
  secretsSection(doc, spec, plan);

  // Hand-off --------------------------------------------------------------------------------------------------
  doc.heading(2, 'Hand-off');
  doc.bullets([
    !online
      ? 'kubernetes_architect: no serving workload to autoscale (batch-only).'
      : rt.platform === 'torchserve' || rt.platform === 'triton'
        ? `kubernetes_architect: HPA on the Argo Rollout ${code(`${plan.namespaces.serving}/${plan.names.modelServer}`)} between ${s.min_replicas} and ${s.max_replicas} replicas at ${num(s.rps_per_replica, 1)} rps per pod (ρ = ${s.target_utilisation}); requests ${s.cpu} CPU / ${s.memory}${s.gpus > 0 ? ` / ${s.gpus} GPU` : ''}; release surge ${surge}×; the model server's PodDisruptionBudget is in serving.yaml.`
        : `kubernetes_architect: no HPA, ${code(rt.platform)} autoscales its pods itself (${s.min_replicas}–${s.max_replicas} replicas); requests ${s.cpu} CPU / ${s.memory}${s.gpus > 0 ? ` / ${s.gpus} GPU` : ''}; release surge ${surge}×; the PodDisruptionBudget is in serving.yaml.`,
    plan.batch ? `Batch: ${plan.batch.parallelism} pod(s) × ${plan.batch.cpu} CPU / ${plan.batch.memory} on spot, ${plan.batch.schedule}, ≈ ${plan.batch.expected_minutes} min.` : 'Batch: none.',
    plan.stream ? `Stream: ${plan.stream.consumer_replicas} consumer(s) on ${code(plan.stream.topic)} (${plan.stream.partitions} partitions).` : 'Stream: none.',
    `observability_engineer: scrape ${code(`:${rt.metricsPort}${rt.metricsPath}`)}; rollback must complete within ${r.worst_case_rollback_seconds} s; p99 ${spec.slo.p99_latency_ms} ms; CI ${plan.ci.total_minutes}/${plan.ci.slo_minutes} min.`,
    `Registry ${code(plan.cloud.registry)}, secrets ${code(plan.cloud.secretsBackend)}, GitOps ${code('argocd')} with ${ENVIRONMENTS.map((e) => code(e)).join(', ')}.`,
  ]);
  return doc.toString();
}
