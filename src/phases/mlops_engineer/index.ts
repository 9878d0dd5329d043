import { artifact } from '../../artifacts/artifact.js';
import { toYamlStream } from '../../generators/serializers/yaml.js';
import type { ResolvedSpec } from '../../spec/resolve.js';
import { LAYOUT } from '../common.js';
import { PHASES } from '../graph.js';
import type { PhaseDefinition } from '../types.js';
import { modelArtifactUri } from './cloud.js';
import { MlopsEngineerDecisions } from './decisions.js';
import { planMlops, serverDeployed, type MlopsPlan } from './derive.js';
import { mlopsDocument } from './document.js';
import { requestTimeoutMs, servingLabels, servingObjects, servingSelector } from './manifests.js';
import { INITIAL_IMAGE_TAG } from './naming.js';
import { releaseRunbook, rollbackRunbook } from './runbooks.js';
import { ENVIRONMENTS, deployScript } from './scripts.js';

const PHASE = 'mlops_engineer';

/** Peak replicas during a release relative to the stable fleet: the largest canary step below 100 %, the shadow mirror, or 2× for blue-green. */
export function surgeFactor(plan: MlopsPlan): number {
  if (plan.rollout.strategy === 'blue_green') return 2;
  const largestStep = Math.max(0, ...plan.rollout.steps.filter((s) => s.weight < 100).map((s) => s.weight));
  return 1 + Math.max(largestStep, plan.rollout.shadow_mirror_pct) / 100;
}

function decisionsOf(spec: ResolvedSpec, plan: MlopsPlan, ab: MlopsEngineerDecisions['ab_test']): MlopsEngineerDecisions {
  const s = plan.sizing;
  const rt = plan.runtime;
  const deployed = serverDeployed(plan.modes);
  const workloads: MlopsEngineerDecisions['workloads'] = [];
  if (deployed) {
    workloads.push({ kind: 'Deployment', name: plan.names.modelServer, namespace: plan.namespaces.serving, role: 'model-server', replicas: s.max_replicas, cpu: s.cpu, memory: s.memory, gpus: s.gpus });
  }
  if (plan.stream) {
    workloads.push({ kind: 'Deployment', name: plan.names.streamConsumer, namespace: plan.namespaces.serving, role: 'stream-consumer', replicas: plan.stream.consumer_replicas, cpu: '1', memory: '1Gi', gpus: 0 });
  }
  if (plan.batch) {
    workloads.push({ kind: 'CronJob', name: plan.names.batchScoring, namespace: plan.namespaces.batch, role: 'batch-scoring', replicas: plan.batch.parallelism, cpu: plan.batch.cpu, memory: plan.batch.memory, gpus: 0 });
  }
  return {
    serving: {
      platform: spec.options.serving_platform,
      modes: plan.modes,
      protocol: rt.protocol,
      port: rt.port,
      rps_per_replica: s.rps_per_replica,
      min_replicas: s.min_replicas,
      max_replicas: s.max_replicas,
      cpu: s.cpu,
      memory: s.memory,
      gpus: s.gpus,
      deployed,
      namespace: plan.namespaces.serving,
      deployment_name: plan.names.modelServer,
      service_name: plan.names.modelServer,
      selector: servingSelector(spec, plan),
      runtime_image: rt.baseImage,
      http_port: rt.httpPort,
      grpc_port: rt.grpcPort,
      metrics_port: rt.metricsPort,
      metrics_path: rt.metricsPath,
      capacity_rps_per_replica: s.capacity_rps_per_replica,
      target_utilisation: s.target_utilisation,
      service_time_ms: s.service_time_ms,
      peak_prediction_rps: s.peak_prediction_rps,
      model_cache_gi: s.model_cache_gi,
      startup_seconds: s.startup_seconds,
      request_timeout_ms: requestTimeoutMs(spec),
      workload: deployed ? { api_version: 'apps/v1', kind: 'Deployment', name: plan.names.modelServer } : null,
      autoscaler: deployed ? 'hpa' : 'none',
      pod_labels: servingLabels(spec, plan),
    },
    rollout: {
      strategy: plan.rollout.strategy,
      steps: plan.rollout.steps,
      analysis_interval_seconds: plan.rollout.analysis_interval_seconds,
      failure_limit: plan.rollout.failure_limit,
      worst_case_rollback_seconds: plan.rollout.worst_case_rollback_seconds,
      shadow: plan.rollout.shadow,
      scale_back_seconds: plan.rollout.scale_back_seconds,
      shadow_mirror_pct: plan.rollout.shadow_mirror_pct,
      rollout_seconds: plan.rollout.rollout_seconds,
      max_surge_factor: surgeFactor(plan),
    },
    batch: plan.batch
      ? {
          schedule: plan.batch.schedule,
          orchestrator: plan.batch.orchestrator,
          namespace: plan.namespaces.batch,
          cronjob_name: plan.names.batchScoring,
          parallelism: plan.batch.parallelism,
          expected_minutes: plan.batch.expected_minutes,
          cpu: plan.batch.cpu,
          memory: plan.batch.memory,
          output_uri: plan.batch.output_uri,
          entrypoint: plan.batch.entrypoint,
        }
      : null,
    stream: plan.stream
      ? {
          source_kind: plan.stream.source_kind,
          topic: plan.stream.topic,
          consumer_group: plan.stream.consumer_group,
          new_topic: plan.stream.new_topic,
          partitions: plan.stream.partitions,
          consumer_replicas: plan.stream.consumer_replicas,
          deployment_name: plan.names.streamConsumer,
          output_topic: plan.stream.output_topic,
          peak_events_per_second: plan.stream.peak_events_per_second,
          cpu: '1',
          memory: '1Gi',
          entrypoint: plan.stream.entrypoint,
        }
      : null,
    ci: {
      platform: plan.ci.platform,
      stages: plan.ci.stages.map((st) => ({ name: st.name, budget_minutes: st.budget_minutes })),
      total_minutes: plan.ci.total_minutes,
      fits_slo: plan.ci.fits_slo,
    },
    gitops: { tool: 'argocd', environments: [...ENVIRONMENTS] },
    image_registry: plan.cloud.registry,
    secrets_backend: plan.cloud.secretsBackend,
    images: {
      server: `${plan.cloud.registry}/${plan.names.serverImage}:${INITIAL_IMAGE_TAG}`,
      jobs: `${plan.cloud.registry}/${plan.names.jobsImage}:${INITIAL_IMAGE_TAG}`,
    },
    model: { name: plan.modelName, artifact_uri: modelArtifactUri(spec, plan.modelName), family: plan.family },
    ab_test: ab,
    workloads,
  };
}

export const mlopsEngineer: PhaseDefinition<'mlops_engineer'> = {
  info: PHASES.mlops_engineer as PhaseDefinition<'mlops_engineer'>['info'],
  reads: [
    'name',
    'requirements',
    'options.serving_platform',
    'options.deployment_mode',
    'options.orchestration',
    'options.cloud_provider',
    'scale',
    'slo',
    'experiment.treatment_share',
    'data.sources',
    'data.entity_key',
    'team.namespace',
    'team.owner',
  ],
  decisions: MlopsEngineerDecisions,
  run({ spec, notes, upstream }) {
    const ds = upstream.data_scientist;
    const ml = upstream.ml_engineer;
    const pp = upstream.python_pro;
    const plan = planMlops(spec, ds, ml, pp);
    const ab = {
      treatment_share: spec.experiment.treatment_share,
      control_n: ds.ab_test.control_n,
      treatment_n: ds.ab_test.treatment_n,
      duration_days: ds.ab_test.duration_days,
      assignment: `sha256(salt + ${spec.data.entity_key}) mod 10000 < ${Math.round(spec.experiment.treatment_share * 10_000)}`,
    };
    const decisions = decisionsOf(spec, plan, ab);
    const document = mlopsDocument({ info: mlopsEngineer.info, spec, notes, plan, ds, ml, pp, surge: decisions.rollout.max_surge_factor });
    const artifacts = [
      artifact(PHASE, `${LAYOUT.k8sBase}/serving.yaml`, 'kubernetes', toYamlStream(servingObjects(spec, plan))),
      artifact(PHASE, 'scripts/deploy.sh', 'shell', deployScript(spec, plan)),
      artifact(PHASE, `${LAYOUT.runbooks}/release.md`, 'markdown', releaseRunbook(spec, plan, ds)),
      artifact(PHASE, `${LAYOUT.runbooks}/rollback.md`, 'markdown', rollbackRunbook(spec, plan, ml)),
    ];
    return { document, decisions, artifacts };
  },
};
