import { code, num, pct, type MarkdownDocument } from '../../generators/serializers/markdown.js';
import type { ResolvedSpec } from '../../spec/resolve.js';
import type { MlopsPlan } from './derive.js';
import { inferenceEndpoint, orchestratorEquivalent } from './manifests.js';
import { KSERVE_DEPLOYMENT_MODE, kserveScaling, seldonWorkloadName } from './platforms.js';
import { AB_HEADER, analysisTemplateNames, errorRateQuery, latencyQuery, shadowTarget } from './release.js';
import { TORCHSERVE_MODEL_VERSION, torchserveSettings } from './runtimeConfig.js';
import { MODEL_DIR, SERVING_MODEL_FILE, TRITON_REPOSITORY } from './platform.js';

// Document paragraphs on the serving platform objects and the release machinery, each with its figures.

const PROVIDER_NAME = { prometheus: 'Prometheus', datadog: 'Datadog', newRelic: 'New Relic' } as const;

export function servingPlatformSection(doc: MarkdownDocument, spec: ResolvedSpec, plan: MlopsPlan): void {
  const s = plan.sizing;
  const b = plan.batching;
  const ns = plan.namespaces.serving;
  switch (plan.runtime.platform) {
    case 'kserve': {
      const k = kserveScaling(plan);
      doc.paragraph(
        `Object: InferenceService ${code(`${ns}/${plan.names.platformObject}`)} (serving.kserve.io/v1beta1) in ${code(KSERVE_DEPLOYMENT_MODE)} mode, custom predictor ${code('kserve-container')} running our server image (${code(plan.runtime.args.join(' '))}), whose ${code('STORAGE_URI')} makes KServe's storage initializer download the promoted ${code(SERVING_MODEL_FILE)} into ${code(MODEL_DIR)}. A prepackaged runtime (sklearnserver, xgbserver) cannot load it: the pickle holds the feature preprocessing and the ensemble the training run fitted, so serving applies exactly the training-time transforms.`,
        `Why Serverless and not RawDeployment: with Istio already in the mesh, Knative revisions give a native canary (${code('canaryTrafficPercent')} splits between the new and the last rolled-out revision, rollback = 0 %) without Argo Rollouts, and Knative's autoscaler scales on requests rather than CPU; RawDeployment would only offer a rolling update and a CPU HPA, so a canary would need a second InferenceService and our own VirtualService.`,
        `Autoscaling (Knative KPA): ${code(`scaleMetric: ${k.metric}`)}, ${code(`scaleTarget: ${k.target}`)} (${k.why}), ${code(`minReplicas: ${s.min_replicas}`)}, ${code(`maxReplicas: ${s.max_replicas}`)}; the platform scales itself, so kubernetes_architect emits no HPA (autoscaler = platform) and the PodDisruptionBudget selects the predictor pods by our labels.`,
        `Prerequisite on the cluster: Knative ${code('config-features')} enables ${code('kubernetes.podspec-affinity')}, ${code('kubernetes.podspec-tolerations')}, ${code('kubernetes.podspec-priorityclassname')} and ${code('kubernetes.podspec-securitycontext')}, which the spot-free affinity${s.gpus > 0 ? ', the GPU toleration' : ''}, the priority class and the restricted security context need. Clients call ${code(inferenceEndpoint(plan))}.`,
      );
      break;
    }
    case 'seldon': {
      doc.paragraph(
        `Object: SeldonDeployment ${code(`${ns}/${plan.names.platformObject}`)} (machinelearning.seldon.io/v1, Seldon Core v1), protocol v2: predictor ${code('stable')} with a one-node graph ${code('model')}, a custom MODEL unit (no prepackaged implementation: none can load the pickle, which holds the feature preprocessing and the ensemble) whose container runs our server on port ${code(plan.runtime.httpPort)} (${code(plan.runtime.args.join(' '))}, ${code('MODEL_NAME=model')} so it answers ${code('/v2/models/model/infer')} as the orchestrator forwards it). The ${code('model-fetch')} init container copies the promoted ${code(SERVING_MODEL_FILE)} into ${code(MODEL_DIR)}; the componentSpec carries our pod labels, spot-free affinity${s.gpus > 0 ? ', GPU toleration' : ''}, priority class and resources.`,
        `Autoscaling: the componentSpec's ${code('hpaSpec')} (autoscaling/v2 ${code('metricsv2')}) keeps ${s.min_replicas}–${s.max_replicas} replicas at ${code(`${Math.round(s.target_utilisation * 100)} %`)} CPU (= ρ ${s.target_utilisation}: one worker per core, CPU utilisation tracks worker utilisation); Seldon creates that HPA on Deployment ${code(seldonWorkloadName(plan, 'stable'))}, so kubernetes_architect emits none (autoscaler = platform). Clients call ${code(inferenceEndpoint(plan))} through the Istio ingress gateway, where Seldon's predictor traffic weights apply.`,
      );
      break;
    }
    case 'torchserve': {
      const settings = Object.fromEntries(torchserveSettings(plan));
      doc.paragraph(
        `Object: Argo Rollout ${code(`${ns}/${plan.names.modelServer}`)} running TorchServe; ${code('config.properties')} (ConfigMap ${code(plan.names.torchserveConfig)}, also ${code('serving/torchserve/config.properties')}) sets inference ${code(String(settings.inference_address))}, management ${code(String(settings.management_address))} (pod-local), metrics ${code(String(settings.metrics_address))} with ${code('metrics_mode=prometheus')}, ${code(`number_of_netty_threads=${String(settings.number_of_netty_threads)}`)}, ${code(`default_workers_per_model=${String(settings.default_workers_per_model)}`)}, ${code(`job_queue_size=${String(settings.job_queue_size)}`)} (what one replica absorbs in 4 service times at ${num(s.rps_per_replica, 1)} rps), ${code(`model_store=${String(settings.model_store)}`)}, ${code(`load_models=${String(settings.load_models)}`)}.`,
        `Batching: ${code(`maxBatchDelay=${b.max_delay_ms} ms`)} (5 % of the p99 SLO ${spec.slo.p99_latency_ms} ms: the wait replaces part of the queueing the M/M/1 check already counts), ${code(`batchSize=${b.batch_size}`)} (${s.gpus > 0 ? `the ${s.concurrency_per_replica} in-flight requests one GPU replica serves` : `requests one replica receives in that window at ${num(s.rps_per_replica, 1)} rps${b.batch_size === 1 ? ': one, so batching is effectively off at this load' : ''}`}). The model archive ${code(`${plan.modelName}.mar`)} (version ${TORCHSERVE_MODEL_VERSION}) is built by ${code('scripts/build-model-archive.sh')}; its layout is in ${code('serving/torchserve/README.md')}.`,
        `Autoscaling: kubernetes_architect's HPA targets the Rollout (autoscaler = hpa), ${s.min_replicas}–${s.max_replicas} replicas.`,
      );
      break;
    }
    case 'triton': {
      doc.paragraph(
        `Object: Argo Rollout ${code(`${ns}/${plan.names.modelServer}`)} running Triton with the model repository ${code(`${TRITON_REPOSITORY}/${plan.modelName}/{config.pbtxt, 1/model.py}`)}, projected from ConfigMap ${code(plan.names.tritonConfig)} (also ${code(`serving/triton/${plan.modelName}/config.pbtxt`)}): ${code('backend: "python"')}, whose ${code('TritonPythonModel')} (${code(`${plan.pythonPackage}.serving.triton_model`)}) scores the promoted ${code(SERVING_MODEL_FILE)} from ${code(MODEL_DIR)} with the same validation as POST /predict. A FIL or TorchScript export would drop the preprocessing and the ensemble the pickle holds. One input per model feature, ${code(`max_batch_size: ${b.max_batch_size}`)}, instance_group ${code(`KIND_CPU × ${Math.max(1, s.workers)}`)} (the pickle is a CPU model).`,
        `Dynamic batching: ${code(`max_queue_delay_microseconds: ${b.max_delay_ms * 1000}`)} (5 % of the p99 SLO ${spec.slo.p99_latency_ms} ms: the wait replaces part of the queueing the M/M/1 check already counts)${b.batch_size > 1 ? `, ${code(`preferred_batch_size: [ ${b.batch_size} ]`)} (${s.gpus > 0 ? `the ${s.concurrency_per_replica} in-flight requests of one GPU` : `requests per replica in that window at ${num(s.rps_per_replica, 1)} rps`})` : ''}.`,
        `Autoscaling: kubernetes_architect's HPA targets the Rollout (autoscaler = hpa), ${s.min_replicas}–${s.max_replicas} replicas.`,
      );
      break;
    }
  }
}

export function batchOrchestratorNote(plan: MlopsPlan): string {
  return `The orchestrator's equivalent, named in the CronJob's ${code('mlops-mcp/orchestrator-equivalent')} annotation: ${orchestratorEquivalent(plan)}.`;
}

export function releaseMechanismSection(doc: MarkdownDocument, spec: ResolvedSpec, plan: MlopsPlan): void {
  const r = plan.rollout;
  const a = plan.analysis;
  const t = analysisTemplateNames(plan);
  const mech: Record<typeof plan.runtime.platform, string> = {
    torchserve: r.strategy === 'canary'
      ? `the Argo Rollout's canary with Istio subset routing (VirtualService ${code(plan.names.modelServer)} route ${code('primary')}, DestinationRule subsets ${code('stable')}/${code('canary')}): steps ${r.steps.filter((x) => x.weight < 100).map((x) => `setWeight ${x.weight} + pause ${x.pause_seconds} s`).join(', ')}, then full promotion; background analysis from the first step; ${code('kubectl argo rollouts abort')} returns all traffic to stable`
      : `the Argo Rollout's blue-green (activeService ${code(plan.names.modelServer)}, previewService ${code(plan.names.modelPreview)}), pre- and post-promotion analysis, ${code(`scaleDownDelaySeconds: ${(r.steps[1]?.pause_seconds ?? 0) + r.scale_back_seconds}`)}`,
    triton: '',
    kserve: `KServe's ${code('canaryTrafficPercent')} on the InferenceService: ${code('scripts/deploy.sh')} sets ${r.steps[0]?.weight ?? 0} % before Argo CD syncs the new image (the new revision gets that share), then raises it ${r.steps.map((x) => `${x.weight} %`).join(' → ')} with an AnalysisRun (${code('deploy/k8s/release/analysis-run.yaml')}) of ${a.measurements_per_step} measurement(s) every ${r.analysis_interval_seconds} s between steps; a failed run sets it to 0 % (all traffic to the previous revision)`,
    seldon: `Seldon predictor traffic: ${code('scripts/deploy.sh')} adds predictor ${code('canary')} (${code('deploy/k8s/release/seldon-canary-predictor.json')}, candidate image) at ${r.steps[0]?.weight ?? 0} % beside ${code('stable')}, then moves the weights ${r.steps.map((x) => `${x.weight} %`).join(' → ')} with an AnalysisRun between steps on Deployment ${code(seldonWorkloadName(plan, 'canary'))}; promotion writes the candidate image into ${code('stable')} and removes ${code('canary')}, a failed run removes ${code('canary')}`,
  };
  mech.triton = mech.torchserve;
  doc.paragraph(`Mechanism (${code(plan.runtime.platform)}): ${mech[plan.runtime.platform]}.`);
  doc.paragraph(
    `Analysis (monitoring_stack ${code(a.stack)} → Argo Rollouts ${code(a.provider)} provider${a.address ? ` at ${code(a.address)}` : a.provider === 'datadog' ? ', API keys in the controller\'s datadog Secret' : ', account in the newrelic Secret'}${a.stack === 'custom' ? '; the custom stack\'s OpenTelemetry Collector re-exposes the runtime and Istio metrics to that Prometheus' : ''}): AnalysisTemplates ${code(t.errorRate)} and ${code(t.latency)}, every ${r.analysis_interval_seconds} s over a ${a.window_seconds} s window, ${plan.runtime.platform === 'kserve' || plan.runtime.platform === 'seldon' ? `${a.measurements_per_step} measurement(s) per step (one AnalysisRun per step)` : `${a.count} measurement(s) per run`}, Argo ${code(`failureLimit: ${a.argo_failure_limit}`)} (the run fails at the ${r.failure_limit}${r.failure_limit === 1 ? 'st' : 'nd'} failed measurement).`,
  );
  doc.table(
    ['Check', 'Bound', 'From', 'Query (' + PROVIDER_NAME[a.provider] + ')'],
    [
      ['Error rate', pct(a.max_error_rate * 100, 2), a.error_rate_reason, code(errorRateQuery(plan).query)],
      ['p99 latency', `${a.max_p99_ms} ms`, 'slo.p99_latency_ms', code(latencyQuery(plan).query)],
    ],
  );
}

export function shadowSection(plan: MlopsPlan): string {
  const r = plan.rollout;
  const target = shadowTarget(plan);
  switch (plan.runtime.platform) {
    case 'torchserve':
    case 'triton':
      return r.strategy === 'canary'
        ? `Mechanism: the Rollout's VirtualService mirrors ${code(`mirrorPercentage ${r.shadow_mirror_pct}`)} % to Service ${code(target.service)} in front of Deployment ${code(target.workload ?? '')} (${Math.max(1, Math.ceil((plan.sizing.max_replicas * r.shadow_mirror_pct) / 100))} replica(s) = max fleet × mirror share), which ${code('scripts/deploy.sh')} points at the candidate image while staging is tested.`
        : `Mechanism: the VirtualService mirrors ${code(`${r.shadow_mirror_pct} %`)} to the blue-green preview Service ${code(target.service)}, so the preview analysis measures real (mirrored) requests before promotion.`;
    case 'kserve':
      return `Mechanism: InferenceService ${code(plan.names.platformShadow)} runs the candidate; a mesh-side VirtualService on ${code(`${plan.names.platformObject}-predictor`)} mirrors ${code(`${r.shadow_mirror_pct} %`)} of requests to ${code(target.service)} (Knative's own routes live on its gateways, so they do not conflict).`;
    case 'seldon':
      return `Mechanism: Seldon's native shadow predictor ${code('shadow')} (${code('shadow: true')}, traffic ${r.shadow_mirror_pct}: Seldon Core ≥ 1.12 turns a shadow predictor's traffic into Istio's mirrorPercentage, older releases mirror 100 %) in the same SeldonDeployment; ${code('scripts/deploy.sh')} sets its image to the candidate while staging is tested.`;
  }
}

export function abSection(spec: ResolvedSpec, plan: MlopsPlan): string {
  const share = Math.round(spec.experiment.treatment_share * 100);
  const treatment = plan.runtime.platform === 'kserve' ? `InferenceService ${code(plan.names.platformTreatment)}` : plan.runtime.platform === 'seldon' ? `SeldonDeployment ${code(plan.names.platformTreatment)}` : `Deployment ${code(plan.names.modelTreatment)}`;
  return `Objects (${code('deploy/k8s/experiments/ab-test.yaml')}, applied only while an experiment runs and deleted after the decision; not part of the kustomize base): the treatment ${treatment} running the challenger (${Math.max(1, Math.ceil(plan.sizing.max_replicas * spec.experiment.treatment_share))} max replica(s) = max fleet × ${spec.experiment.treatment_share}), Service ${code(plan.names.modelAb)} over control and treatment pods, DestinationRule subsets ${code('control')}/${code('treatment')} on the ${code('mlops-mcp/variant')} pod label, and a VirtualService routing ${code(`${AB_HEADER}: treatment`)} → treatment, ${code(`${AB_HEADER}: control`)} → control, and requests without the header ${100 - share}/${share} by weight. It uses its own host, so it never overlaps the release routing; releases are frozen while an experiment runs (the candidate of a release would otherwise change the control arm).`;
}
