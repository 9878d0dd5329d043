import { artifact } from '../../artifacts/artifact.js';
import { toYamlStream } from '../../generators/serializers/yaml.js';
import type { ResolvedSpec } from '../../spec/resolve.js';
import { LAYOUT } from '../common.js';
import { PHASES } from '../graph.js';
import type { PhaseDefinition, PhaseInput } from '../types.js';
import { generateTerraform, terraformFilePurpose } from '../../generators/terraform/index.js';
import type { TerraformInput } from '../../generators/terraform/types.js';
import { modelArtifactUri } from './cloud.js';
import { MlopsEngineerDecisions } from './decisions.js';
import { planMlops, serverDeployed, type MlopsPlan } from './derive.js';
import { mlopsDocument } from './document.js';
import { FETCH_CONTAINER, METRICS_EXPORTER_CONTAINER, SERVER_CONTAINER, inferenceEndpoint, requestTimeoutMs, servingLabels, servingObjects, servingSelector } from './manifests.js';
import { workloadIdentities } from './identity.js';
import { nodePoolSummary, terraformInput } from './infra.js';
import { INITIAL_IMAGE_TAG } from './naming.js';
import { identityAndSecretFiles, pipelineInfraValues } from './secrets.js';
import { deliveryFiles as ciDeliveryFiles } from './ci/index.js';
import { TORCHSERVE_CONFIG_PATH, MODEL_DIR, servesPackageApp } from './platform.js';
import { SELDON_UNIT, kserveScaling, seldonWorkloadName } from './platforms.js';
import { AB_HEADER, analysisRunTemplate, analysisTemplateNames, errorRateQuery, experimentObjects, fqdn, latencyQuery, releaseObjects, seldonCanaryPredictor, shadowTarget } from './release.js';
import { modelArchiveScript, runtimeLayoutReadme, torchserveConfig, tritonConfig } from './runtimeConfig.js';
import { releaseRunbook, rollbackRunbook } from './runbooks.js';
import { servingPythonFiles } from './python/index.js';
import { ENVIRONMENTS, deployScript } from './scripts.js';
import type { Artifact, ArtifactKind } from '../../artifacts/artifact.js';

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
  const identities = workloadIdentities(spec, plan);
  const workloads: MlopsEngineerDecisions['workloads'] = [];
  const platform = spec.options.serving_platform;
  const platformObject = !deployed
    ? null
    : platform === 'kserve'
      ? { api_version: 'serving.kserve.io/v1beta1', kind: 'InferenceService' as const, name: plan.names.platformObject }
      : platform === 'seldon'
        ? { api_version: 'machinelearning.seldon.io/v1', kind: 'SeldonDeployment' as const, name: plan.names.platformObject }
        : { api_version: 'argoproj.io/v1alpha1', kind: 'Rollout' as const, name: plan.names.modelServer };
  if (platformObject) {
    workloads.push({ kind: platformObject.kind, name: platformObject.name, namespace: plan.namespaces.serving, role: 'model-server', replicas: s.max_replicas, cpu: s.cpu, memory: s.memory, gpus: s.gpus });
  }
  // The object owning the model-server pods: the Rollout (we own the pod template), Seldon's stable predictor
  // Deployment (stable name), or none for KServe Serverless (one Deployment per Knative revision).
  const workload = !deployed
    ? null
    : platform === 'kserve'
      ? null
      : platform === 'seldon'
        ? { api_version: 'apps/v1', kind: 'Deployment', name: seldonWorkloadName(plan, 'stable') }
        : { api_version: 'argoproj.io/v1alpha1', kind: 'Rollout', name: plan.names.modelServer };
  const autoscaler: MlopsEngineerDecisions['serving']['autoscaler'] = !deployed ? 'none' : servesPackageApp(platform) ? 'platform' : 'hpa';
  const scaling = kserveScaling(plan);
  const ownsPods = !servesPackageApp(platform);
  const containers: MlopsEngineerDecisions['serving']['containers'] = [];
  // TorchServe / Triton pods carry the metrics exporter next to the runtime.
  const podContainers = plan.runtime.nativeMetrics ? [SERVER_CONTAINER, METRICS_EXPORTER_CONTAINER] : [SERVER_CONTAINER];
  if (deployed) {
    if (ownsPods) {
      containers.push({ api_version: 'argoproj.io/v1alpha1', kind: 'Rollout', name: plan.names.modelServer, containers: podContainers, init_containers: [FETCH_CONTAINER] });
      if (plan.rollout.shadow && plan.rollout.strategy === 'canary') containers.push({ api_version: 'apps/v1', kind: 'Deployment', name: plan.names.modelShadow, containers: podContainers, init_containers: [FETCH_CONTAINER] });
      containers.push({ api_version: 'apps/v1', kind: 'Deployment', name: plan.names.modelTreatment, containers: podContainers, init_containers: [FETCH_CONTAINER] });
    } else if (platform === 'kserve') {
      // KServe names the predictor container kserve-container and injects storage-initializer and queue-proxy.
      for (const name of [plan.names.platformObject, ...(plan.rollout.shadow ? [plan.names.platformShadow] : []), plan.names.platformTreatment]) {
        containers.push({ api_version: 'serving.kserve.io/v1beta1', kind: 'InferenceService', name, containers: ['kserve-container'], init_containers: ['storage-initializer'] });
      }
    } else {
      for (const name of [plan.names.platformObject, plan.names.platformTreatment]) {
        containers.push({ api_version: 'machinelearning.seldon.io/v1', kind: 'SeldonDeployment', name, containers: [SELDON_UNIT], init_containers: [FETCH_CONTAINER] });
      }
    }
  }
  if (plan.stream) containers.push({ api_version: 'apps/v1', kind: 'Deployment', name: plan.names.streamConsumer, containers: ['stream-consumer'], init_containers: ownsPods ? [FETCH_CONTAINER] : [] });
  if (plan.batch) containers.push({ api_version: 'batch/v1', kind: 'CronJob', name: plan.names.batchScoring, containers: ['batch-score'], init_containers: [] });
  const templates = analysisTemplateNames(plan);
  const canaryRollout = ownsPods && plan.rollout.strategy === 'canary';
  const virtualServices: MlopsEngineerDecisions['rollout']['virtual_services'] = [];
  const destinationRules: MlopsEngineerDecisions['rollout']['destination_rules'] = [];
  if (deployed && ownsPods) {
    virtualServices.push({ name: plan.names.modelServer, hosts: [fqdn(plan, plan.names.modelServer)] });
    if (canaryRollout) destinationRules.push({ name: plan.names.modelServer, host: fqdn(plan, plan.names.modelServer) });
  }
  if (deployed && platform === 'kserve' && plan.rollout.shadow) virtualServices.push({ name: plan.names.modelShadow, hosts: [fqdn(plan, `${plan.names.platformObject}-predictor`)] });
  const ignore: MlopsEngineerDecisions['rollout']['argocd_ignore_differences'] = [];
  if (deployed) {
    const ns = plan.namespaces.serving;
    if (platform === 'kserve') {
      ignore.push({ group: 'serving.kserve.io', kind: 'InferenceService', name: plan.names.platformObject, namespace: ns, json_pointers: ['/spec/predictor/canaryTrafficPercent'] });
      if (plan.rollout.shadow) ignore.push({ group: 'serving.kserve.io', kind: 'InferenceService', name: plan.names.platformShadow, namespace: ns, json_pointers: ['/spec/predictor/model/image'] });
    } else if (platform === 'seldon') {
      ignore.push({ group: 'machinelearning.seldon.io', kind: 'SeldonDeployment', name: plan.names.platformObject, namespace: ns, json_pointers: ['/spec/predictors'] });
    } else {
      // Argo Rollouts rewrites the VirtualService weights and the DestinationRule subset hashes.
      ignore.push({ group: 'networking.istio.io', kind: 'VirtualService', name: plan.names.modelServer, namespace: ns, json_pointers: ['/spec/http/0/route'] });
      if (canaryRollout) ignore.push({ group: 'networking.istio.io', kind: 'DestinationRule', name: plan.names.modelServer, namespace: ns, json_pointers: ['/spec/subsets'] });
      if (plan.rollout.shadow && plan.rollout.strategy === 'canary') ignore.push({ group: 'apps', kind: 'Deployment', name: plan.names.modelShadow, namespace: ns, json_pointers: ['/spec/template/spec/containers/0/image'] });
    }
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
      workload,
      autoscaler,
      pod_labels: servingLabels(spec, plan),
      platform_object: platformObject,
      endpoint: deployed ? inferenceEndpoint(plan) : null,
      pdb_name: deployed ? plan.names.modelServer : null,
      containers,
      platform_autoscaling:
        !deployed || ownsPods
          ? null
          : platform === 'kserve'
            ? { kind: 'knative-kpa', metric: scaling.metric, target: scaling.target, min_replicas: s.min_replicas, max_replicas: s.max_replicas }
            : { kind: 'seldon-hpa', metric: 'cpu-utilization', target: Math.round(s.target_utilisation * 100), min_replicas: s.min_replicas, max_replicas: s.max_replicas },
      image_field_specs:
        deployed && platform === 'kserve'
          ? [{ group: 'serving.kserve.io', kind: 'InferenceService', path: 'spec/predictor/model/image' }]
          : deployed && platform === 'seldon'
            ? [{ group: 'machinelearning.seldon.io', kind: 'SeldonDeployment', path: 'spec/predictors/componentSpecs/spec/containers/image' }]
            : [],
      batching: { ...plan.batching },
      runtime_config:
        deployed && platform === 'torchserve'
          ? { config_map: plan.names.torchserveConfig, file: 'config.properties', mount_path: TORCHSERVE_CONFIG_PATH }
          : deployed && platform === 'triton'
            ? { config_map: plan.names.tritonConfig, file: 'config.pbtxt', mount_path: `${MODEL_DIR}/${plan.modelName}/config.pbtxt` }
            : null,
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
      mechanism: !deployed
        ? 'none'
        : ownsPods
          ? plan.rollout.strategy === 'canary'
            ? 'argo-rollouts-canary'
            : 'argo-rollouts-bluegreen'
          : platform === 'kserve'
            ? 'kserve-canary-traffic-percent'
            : 'seldon-predictor-traffic',
      analysis: {
        provider: plan.analysis.provider,
        address: plan.analysis.address,
        templates: deployed ? [templates.errorRate, templates.latency] : [],
        max_error_rate: plan.analysis.max_error_rate,
        max_p99_ms: plan.analysis.max_p99_ms,
        interval_seconds: plan.rollout.analysis_interval_seconds,
        count: plan.analysis.count,
        argo_failure_limit: plan.analysis.argo_failure_limit,
        error_rate_query: errorRateQuery(plan).query,
        latency_query: latencyQuery(plan).query,
      },
      virtual_services: virtualServices,
      destination_rules: destinationRules,
      shadow_target: deployed && plan.rollout.shadow ? shadowTarget(plan) : null,
      argocd_ignore_differences: ignore,
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
    files: [],
    manifests: [],
    service_accounts: identities.map((i) => ({ role: i.role, namespace: i.namespace, name: i.service_account })),
    infrastructure_values: pipelineInfraValues(spec, plan).map((v) => ({ key: v.key, placeholder: v.placeholder, description: v.description })),
    ab_experiment: deployed
      ? {
          file: `${LAYOUT.k8sBase.replace(/\/base$/, '')}/experiments/ab-test.yaml`,
          service: plan.names.modelAb,
          virtual_service: plan.names.modelAb,
          destination_rule: plan.names.modelAb,
          treatment_workload:
            platform === 'kserve'
              ? { api_version: 'serving.kserve.io/v1beta1', kind: 'InferenceService', name: plan.names.platformTreatment }
              : platform === 'seldon'
                ? { api_version: 'machinelearning.seldon.io/v1', kind: 'SeldonDeployment', name: plan.names.platformTreatment }
                : { api_version: 'apps/v1', kind: 'Deployment', name: plan.names.modelTreatment },
          header: AB_HEADER,
          treatment_weight_pct: Math.round(spec.experiment.treatment_share * 100),
        }
      : null,
    workloads,
  };
}

const K8S_ROOT = LAYOUT.k8sBase.replace(/\/base$/, '');

/** Every file of the phase, with what it is for (the list is also handed off in decisions.files). */
function phaseFiles(spec: ResolvedSpec, plan: MlopsPlan, upstream: PhaseInput<'mlops_engineer'>['upstream'], tf: TerraformInput): { artifact: Artifact; purpose: string }[] {
  const ds = upstream.data_scientist;
  const ml = upstream.ml_engineer;
  const files: { artifact: Artifact; purpose: string }[] = [];
  const add = (path: string, kind: ArtifactKind, content: string, purpose: string) => files.push({ artifact: artifact(PHASE, path, kind, content), purpose });
  const deployed = serverDeployed(plan.modes);
  const platform = plan.runtime.platform;
  add(`${LAYOUT.k8sBase}/serving.yaml`, 'kubernetes', toYamlStream(servingObjects(spec, plan)), 'serving objects: config, model server, Service, PDB, stream consumer, batch CronJob');
  for (const f of identityAndSecretFiles(spec, plan)) add(f.path, f.kind, f.content, f.purpose);
  const release = releaseObjects(spec, plan);
  if (release.length > 0) add(`${LAYOUT.k8sBase}/release.yaml`, 'kubernetes', toYamlStream(release), 'release objects: AnalysisTemplates, Istio routing, preview/shadow workloads');
  if (deployed) {
    add(`${K8S_ROOT}/experiments/ab-test.yaml`, 'kubernetes', toYamlStream(experimentObjects(spec, plan)), 'A/B experiment: treatment workload, Service, DestinationRule subsets, VirtualService split (applied only during an experiment)');
    if (platform === 'kserve' || platform === 'seldon') {
      add(`${K8S_ROOT}/release/analysis-run.yaml`, 'kubernetes', toYamlStream([analysisRunTemplate(spec, plan)]), 'AnalysisRun the deploy script creates between native release steps');
    }
    if (platform === 'seldon') {
      add(`${K8S_ROOT}/release/seldon-canary-predictor.json`, 'json', `${JSON.stringify(seldonCanaryPredictor(spec, plan), null, 2)}\n`, 'canary predictor the deploy script adds to the SeldonDeployment (image set to the candidate)');
    }
    if (platform === 'torchserve') {
      add('serving/torchserve/config.properties', 'torchserve-config', torchserveConfig(plan), 'TorchServe configuration (also in the ConfigMap)');
      add('serving/torchserve/README.md', 'markdown', runtimeLayoutReadme(spec, plan), 'model archive layout and how it reaches the pod');
      add('scripts/build-model-archive.sh', 'shell', modelArchiveScript(spec, plan), 'torch-model-archiver build and upload of the .mar');
    }
    if (platform === 'triton') {
      add(`serving/triton/${plan.modelName}/config.pbtxt`, 'triton-config', tritonConfig(spec, plan), 'Triton model configuration (also in the ConfigMap)');
      add('serving/triton/README.md', 'markdown', runtimeLayoutReadme(spec, plan), 'model repository layout');
    }
  }
  for (const f of servingPythonFiles(spec, plan)) add(f.path, f.kind, f.content, f.purpose);
  add('scripts/deploy.sh', 'shell', deployScript(spec, plan), 'GitOps promotion dev → staging → prod with the release steps of the platform');
  for (const f of ciDeliveryFiles(spec, plan, { data_engineer: upstream.data_engineer, ml_engineer: ml, python_pro: upstream.python_pro })) add(f.path, f.kind, f.content, f.purpose);
  for (const f of generateTerraform(tf)) add(f.path, 'terraform', f.content, terraformFilePurpose(f.path));
  add(`${LAYOUT.runbooks}/release.md`, 'markdown', releaseRunbook(spec, plan, ds), 'release checklist');
  add(`${LAYOUT.runbooks}/rollback.md`, 'markdown', rollbackRunbook(spec, plan, ml), 'rollback runbook');
  return files;
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
    'options.monitoring_stack',
    'problem.type',
    'data.sources',
    'data.entity_key',
    'data.event_timestamp',
    'data.features',
    'team.namespace',
    'team.owner',
    'data.retention',
    'delivery.ci_platform',
    'delivery.secrets_backend',
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
    const surge = surgeFactor(plan);
    const tf = terraformInput(spec, plan, { ml_engineer: ml, data_engineer: upstream.data_engineer }, surge);
    const files = phaseFiles(spec, plan, upstream, tf);
    const decisions = {
      ...decisionsOf(spec, plan, ab),
      files: files.map((f) => ({ path: f.artifact.path, kind: f.artifact.kind, purpose: f.purpose })),
      manifests: files.filter((f) => f.artifact.kind === 'kubernetes' && f.artifact.path.startsWith(`${LAYOUT.k8sBase}/`)).map((f) => ({ path: f.artifact.path, content: f.artifact.content })),
    };
    const document = mlopsDocument({ info: mlopsEngineer.info, spec, notes, plan, ds, ml, pp, surge, terraform: tf, nodePools: nodePoolSummary(spec, plan, ml, surge) });
    return { document, decisions, artifacts: files.map((f) => f.artifact) };
  },
};
