import { MarkdownDocument, code, text } from '../../generators/serializers/markdown.js';
import { gateThresholdText } from '../ml_engineer/decisions.js';
import { ROUTE_BY_SEVERITY, type AlertDefinition, type Category } from './alerts.js';
import { METRICS } from './metrics.js';
import type { MonitoringPlan } from './plan.js';
import { duration, promqlString } from './promql.js';

/** One incident-response runbook per alert (docs/runbooks/<alert>.md), specific to this pipeline's figures. */
interface Playbook {
  impact: string;
  diagnose: string[];
  mitigate: string[];
}

function logQuery(p: MonitoringPlan): string {
  switch (p.logs.backend) {
    case 'loki':
      return `Loki: ${code(`{namespace=${promqlString(p.namespaces.serving)}} | json | level="error"`)}`;
    case 'elk':
      return `Kibana: ${code(`kubernetes.namespace:"${p.namespaces.serving}" and level:error`)}`;
    case 'datadog-logs':
      return `Datadog Logs: ${code(`kube_namespace:${p.namespaces.serving} status:error`)}`;
    case 'newrelic-logs':
      return `New Relic Logs: ${code(`namespace_name:'${p.namespaces.serving}' level:'error'`)}`;
  }
}

function traceHint(p: MonitoringPlan): string {
  switch (p.tracing.backend) {
    case 'jaeger':
      return `Jaeger: service ${code(p.servingJob)}, tag ${code('error=true')}, or min duration ${code(`${p.spec.slo.p99_latency_ms}ms`)}`;
    case 'zipkin':
      return `Zipkin: serviceName ${code(p.servingJob)}, tag ${code('error')}, or minDuration ${code(`${p.spec.slo.p99_latency_ms * 1000}`)} µs`;
    default:
      return `${p.tracing.backend === 'datadog-apm' ? 'Datadog APM' : 'New Relic APM'}: service ${code(p.servingJob)}, errors and slow traces`;
  }
}

function rollbackStep(p: MonitoringPlan): string {
  const r = p.up.mlops_engineer.rollout;
  return `If a rollout is in progress or finished within the last hour, roll back: the ${code(r.strategy)} rollout aborts automatically after ${r.failure_limit} failed analysis run(s) (worst case ${r.worst_case_rollback_seconds} s, objective ${p.spec.slo.rollback_minutes} min); by hand, revert the model version in Git and let ${code(p.up.mlops_engineer.gitops.tool)} sync, or move the previous version of ${code(p.model)} back to the production stage in the registry.`;
}

function playbook(p: MonitoringPlan, category: Category): Playbook {
  const ns = p.namespaces.serving;
  const byVersion = `sum by (version, code) (rate(${METRICS.requests.name}{namespace=${promqlString(ns)},model=${promqlString(p.model)}}[5m]))`;
  switch (category) {
    case 'availability':
      return {
        impact: `Prediction requests fail; callers fall back to their default decision. Every minute at a 100 % error rate spends ${(1 / p.burn.budgetMinutesPer30d * 100).toFixed(1)} % of the 30-day error budget (${p.burn.budgetMinutesPer30d} min).`,
        diagnose: [
          `Pods and events: ${code(`kubectl -n ${ns} get pods -o wide`)}, ${code(`kubectl -n ${ns} get events --sort-by=.lastTimestamp`)}.`,
          `Errors by model version and status: ${code(byVersion)}; one bad version points at the rollout, all versions at a dependency.`,
          `${logQuery(p)}; ${traceHint(p)}.`,
          `Dependencies: online feature store (${code(p.up.data_scientist.feature_store.online_store)}) latency and errors, model artifact download on start-up (init containers), node pressure.`,
        ],
        mitigate: [
          rollbackStep(p),
          `If pods are crash-looping on a dependency, scale the dependency or switch the server to its fallback (default features) rather than restarting pods in a loop.`,
          `If capacity is exhausted, raise the HPA maximum above ${p.latency.maxReplicas} replica(s) temporarily (${code(`kubectl -n ${p.up.kubernetes_architect.autoscaling.namespace || ns} patch hpa ${p.up.kubernetes_architect.autoscaling.hpa_name} -p '{"spec":{"maxReplicas":${2 * p.latency.maxReplicas}}}'`)}) and open a ticket to resize.`,
        ],
      };
    case 'latency':
      return {
        impact: `Callers with timeouts near the ${p.spec.slo.p99_latency_ms} ms objective time out; the p99 budget is ${p.latency.predictBudgetMs} ms for predict() and ${p.latency.remainingBudgetMs} ms for the rest.`,
        diagnose: [
          `Split the time: ${code('model:request_duration_seconds:p99_5m')} against ${code('feature_store:request_duration_seconds:p99_5m')}; the difference is inference + serialisation.`,
          `Saturation: CPU throttling (${code('container_cpu_cfs_throttled_periods_total')}), replicas at ${p.latency.maxReplicas} (HPA maximum), GPU utilisation when serving on GPUs.`,
          `${traceHint(p)}: compare the span breakdown of slow traces with normal ones.`,
          `Recent changes: new model version (bigger model, more features), new node pool, feature view changes.`,
        ],
        mitigate: [rollbackStep(p), `Scale out (HPA maximum ${p.latency.maxReplicas}) if the cause is load; cache hot entities' features if the feature store is the slow part.`],
      };
    case 'capacity':
      return {
        impact: `Traffic is close to the autoscaling ceiling of ${p.latency.capacityRps} rps (${p.latency.maxReplicas} × ${p.latency.rpsPerReplica} rps); a further spike will queue requests and breach the latency objective.`,
        diagnose: [`Request rate per caller and endpoint: ${code(`sum by (endpoint) (rate(${METRICS.requests.name}{namespace=${promqlString(ns)}}[5m]))`)}.`, `Is the growth organic (trend over 7 days) or a retry storm (same callers, many 5xx)?`],
        mitigate: [`Raise the HPA maximum and the namespace quota together; check that the node pool can add nodes.`, `For a retry storm, rate-limit the caller at the gateway.`],
      };
    case 'quality':
      return {
        impact: p.quality.referenceKnown
          ? `Decisions based on ${code(p.model)} are worse than validated: ${code(p.quality.metric)} reference ${p.quality.reference}, retraining limit ${p.quality.criticalDegradationPct} % (${p.quality.criticalThreshold}).`
          : `Decisions based on ${code(p.model)} are worse than validated: ${code(p.quality.metric)} reference is the promoted version's measured value (${code(METRICS.predictionQualityReference.name)}), retraining limit ${p.quality.criticalDegradationPct} % ${p.quality.direction === 'maximize' ? 'below' : 'above'} it.`,
        diagnose: [
          `Are labels complete? Labels arrive after ${p.quality.labelDelayHours} h; a partial join biases the metric (check ${code(METRICS.labelsLastJoined.name)} and ${code(METRICS.predictionQualitySamples.name)} ≥ ${p.quality.minLabelledSamples}).`,
          `Data first: DataValidationPassRateLow, DataQualityIssueRateHigh and FeatureDriftHigh over the same window; a broken upstream source looks like model decay.`,
          `Per segment: recompute ${code(p.quality.metric)} by the categorical features and by model version from the prediction log.`,
          `Feature importance: ${code(METRICS.featureImportanceRankCorrelation.name)} and the daily importance report.`,
        ],
        mitigate: [
          rollbackStep(p),
          `Otherwise let the retraining trigger start a run (cooldown ${p.retraining.cooldownHours} h, needs ≥ ${p.retraining.minNewLabelledRows} newly labelled rows); the candidate must pass the registry gate (${gateThresholdText(p.up.ml_engineer.registry.promotion_gate, code)}) before the canary.`,
          `If a data bug caused it, fix the data first: retraining on broken data bakes the bug in.`,
        ],
      };
    case 'drift':
      return {
        impact: `Inputs no longer look like the training data; quality may degrade before labels (${p.quality.labelDelayHours} h delay) can show it.`,
        diagnose: [
          `Read the latest drift report (${code(`drift-reports/${p.pipeline}`)}) and the per-feature scores ${code(`${METRICS.featureDriftScore.name}{pipeline=${promqlString(p.pipeline)}}`)}.`,
          `Is it a data bug (new null pattern, unit change, new category: ${code(METRICS.featureNullRatio.name)}, ${code(METRICS.featureOutOfRangeRatio.name)}) or a real change in the population (season, campaign, new market)?`,
          `Check the upstream sources (${p.up.data_engineer.sources.map((s) => code(s.name)).join(', ')}) for schema or pipeline changes at the time drift started.`,
          `If the drift job itself is stale, look at the ${code(p.retraining.orchestrator)} run history of the drift job and its runtime (expected ${p.drift.runtimeMinutes} min).`,
        ],
        mitigate: [
          `Data bug: fix or quarantine the source; do not retrain.`,
          `Real shift: retraining starts automatically when ${p.drift.retrainQuorum} or more non-protected features are critical; otherwise start it by hand through ${code(p.retraining.orchestrator)} with reason ${code('drift')}.`,
          `Protected attribute shift: re-run the bias evaluation on current traffic before the next promotion.`,
        ],
      };
    case 'data':
      return {
        impact: `Bad records reach features and training data; objectives: pass rate ≥ ${p.spec.slo.validation_pass_rate_pct} %, issues < ${p.spec.slo.data_quality_issue_pct} %.`,
        diagnose: [
          `Failing checks: ${code(`topk(10, sum by (dataset, check) (increase(${METRICS.dataValidationChecks.name}{pipeline=${promqlString(p.pipeline)},result="fail"}[1h])))`)}.`,
          `Quarantined records in the processed layer (${code(p.up.data_engineer.layers.processed.uri)}); compare with the source's recent schema or volume changes.`,
          `Lineage (${code(p.up.data_engineer.lineage.standard)}, namespace ${code(p.up.data_engineer.lineage.namespace)}) shows which feature views and models read the affected dataset.`,
        ],
        mitigate: [`Keep the quality gate blocking; pause the affected ingestion rather than loosening the check.`, `Backfill the partitions once the source is fixed, then re-run validation.`],
      };
    case 'batch':
      return {
        impact: `Downstream consumers read predictions from the last successful run.`,
        diagnose: [`Run history and task logs in ${code(p.up.mlops_engineer.batch?.orchestrator ?? p.retraining.orchestrator)}; ${code(`kubectl -n ${p.namespaces.batch} get pods`)} for evictions (spot reclaim) and OOM kills.`, `Input availability: did the upstream partitions land?`],
        mitigate: [`Re-run the failed run; a spot-reclaimed run resumes from its last checkpointed chunk.`, `If inputs are missing, run on the previous partition and flag predictions as stale.`],
      };
    case 'stream':
      return {
        impact: `Predictions for stream events arrive late; actions based on them lose value.`,
        diagnose: [`Lag per partition and consumer health: ${code(`kubectl -n ${ns} get pods`)}; rebalancing loops show as repeated partition revocations in the logs.`, `${logQuery(p)}.`],
        mitigate: [`Scale consumers up to the partition count; fix poison messages by routing them to the dead-letter topic.`],
      };
    case 'training':
      return {
        impact: `A triggered or scheduled retraining did not produce a model; production keeps the current one.`,
        diagnose: [`Run logs in ${code(p.retraining.orchestrator)}; ${code(`kubectl -n ${p.namespaces.training} get pods`)} for OOM kills and evictions; experiment ${code(p.up.ml_engineer.tracking.experiment_name)} in ${code(p.up.ml_engineer.tracking.backend)}.`, `Rejected (not failed) runs did not pass the promotion gate: compare their metrics with the gate.`],
        mitigate: [`Fix and re-trigger with the same reason; the cooldown (${p.retraining.cooldownHours} h) only counts started runs.`],
      };
    case 'cost':
      return {
        impact: `Spending against the ${p.cost.monthlyBudgetUsd} USD monthly budget (daily allowance ${p.cost.dailyBudgetUsd} USD) or efficiency objectives (waste < ${p.cost.maxWastePct} %, spot ≥ ${p.cost.minSpotPct} %).`,
        diagnose: [
          `Cost by component: ${code(`sum by (component) (${METRICS.cost.name}{pipeline=${promqlString(p.pipeline)}})`)}; source: ${text(p.cost.billingSource)}.`,
          `Training: runs this month against ${p.cost.trainingRunsPerMonth} scheduled; triggered runs and HPO trials by experiment label.`,
          `Serving: replicas against load (idle share at average load ${p.cost.idleAtAveragePct} %).`,
        ],
        mitigate: p.cost.recommendations.map((r) => `${r[0]!.toUpperCase()}${r.slice(1)}.`),
      };
  }
}

export function runbookMarkdown(p: MonitoringPlan, a: AlertDefinition): string {
  const pb = playbook(p, a.category);
  const route = ROUTE_BY_SEVERITY[a.severity];
  const destination = route === 'report' ? 'no notification; listed in the weekly monitoring report' : `${p.spec.team.oncall === 'pagerduty' ? 'PagerDuty' : 'Opsgenie'} ${route === 'page' ? (p.spec.team.oncall === 'pagerduty' ? 'high-urgency incident' : 'P1 alert') : p.spec.team.oncall === 'pagerduty' ? 'low-urgency incident' : 'P3 alert'}`;
  const doc = new MarkdownDocument()
    .heading(1, `Runbook: ${a.name}`)
    .table(
      ['Field', 'Value'],
      [
        ['Pipeline', code(p.pipeline)],
        ['Model', code(p.model)],
        ['Severity', code(a.severity)],
        ['Route', `${code(route)}: ${destination}`],
        ['Owner', text(p.spec.team.owner)],
        ['Category', code(a.category)],
        ['For', code(duration(a.forSeconds))],
        ['Detection (hard failure to notification)', a.detectionSeconds === null ? 'n/a' : `${a.detectionSeconds} s${a.meetsAlertTime === null ? '' : a.meetsAlertTime ? ` (within the ${p.spec.slo.alert_time_s} s objective)` : ` (over the ${p.spec.slo.alert_time_s} s objective)`}`],
        ['Automated action', a.retrainingTrigger ? 'starts retraining through the trigger service' : a.category === 'availability' || a.category === 'latency' ? (p.up.mlops_engineer.rollout.strategy === 'canary' ? 'rollout analysis aborts a canary in progress' : 'rollout analysis keeps traffic on the blue (previous) stack') : 'none'],
      ],
    )
    .heading(2, 'What fired')
    .paragraph(text(a.summary))
    .paragraph(text(a.meaning));
  if (p.spec.options.monitoring_stack === 'prometheus' || p.spec.options.monitoring_stack === 'custom') {
    doc.heading(2, 'Expression').code('promql', a.expr);
  } else {
    doc.heading(2, 'Monitor').paragraph(`Defined in ${code(p.spec.options.monitoring_stack === 'datadog' ? 'monitoring/datadog/monitors.yaml' : 'monitoring/newrelic/alert_conditions.json')} under ${code(a.name)}.`);
  }
  doc
    .heading(2, 'Impact')
    .paragraph(pb.impact)
    .heading(2, 'Diagnose')
    .numbered(pb.diagnose)
    .heading(2, 'Mitigate')
    .numbered(pb.mitigate)
    .heading(2, 'Escalation and follow-up')
    .bullets([
      route === 'page' ? `Acknowledge within 5 minutes; escalate to the secondary on-call after 15 minutes without mitigation, and to ${text(p.spec.team.owner)} leadership after 60 minutes.` : `Handle within the working day; escalate to a page if it turns into an outage or quality drop.`,
      `Write a short post-incident note (timeline, cause, detection time against the ${p.spec.slo.alert_time_s} s objective, follow-ups) for every page.`,
      `If this alert fired without a real problem, tune its threshold or ${code('for')} in the rules, not by silencing it for good.`,
    ]);
  return doc.toString();
}
