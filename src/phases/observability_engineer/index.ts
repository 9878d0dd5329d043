import { PHASES } from '../graph.js';
import type { PhaseDefinition } from '../types.js';
import { ROUTE_BY_SEVERITY, buildAlerts, runbookPath } from './alerts.js';
import { buildArtifacts } from './artifacts.js';
import { dashboards } from './dashboards.js';
import { ObservabilityEngineerDecisions } from './decisions.js';
import { renderDocument } from './document.js';
import { METRICS } from './metrics.js';
import { buildPlan } from './plan.js';
import { duration } from './promql.js';

export { METRICS } from './metrics.js';

/**
 * Stage 4: monitoring and continuous improvement for the system the MLOps and Kubernetes phases deployed.
 * Everything is derived once (plan.ts), the alert catalogue is built from the plan (alerts.ts), and the
 * document, decisions and files are renderings of those two.
 */
export const observabilityEngineer: PhaseDefinition<'observability_engineer'> = {
  info: PHASES.observability_engineer as PhaseDefinition<'observability_engineer'>['info'],
  // beginDocument prints the name, requirements and every option, so those are read too.
  reads: ['name', 'requirements', 'options', 'problem', 'slo', 'scale', 'team', 'data.features', 'data.entity_key', 'data.event_timestamp'],
  decisions: ObservabilityEngineerDecisions,
  run({ spec, notes, upstream }) {
    const plan = buildPlan(spec, upstream);
    const alerts = buildAlerts(plan);
    const boards = dashboards(plan);
    const document = renderDocument(PHASES.observability_engineer, plan, notes, alerts, boards);
    const decisions: ObservabilityEngineerDecisions = {
      alerts: alerts.map((a) => ({
        name: a.name,
        severity: a.severity,
        for_seconds: a.forSeconds,
        summary: a.summary,
        category: a.category,
        route: ROUTE_BY_SEVERITY[a.severity],
        runbook: runbookPath(a.name),
        detection_seconds: a.detectionSeconds,
        meets_alert_time: a.meetsAlertTime,
        retraining_trigger: a.retrainingTrigger,
      })),
      drift: {
        schedule: plan.drift.schedule,
        window_hours: plan.drift.windowHours,
        worst_case_detection_hours: plan.drift.worstCaseHours,
        tests: plan.tests.map((t) => ({
          feature: t.feature,
          test: t.test,
          threshold: t.critical,
          warn_threshold: t.warn,
          p_value_max: t.pValueMax,
          min_samples: t.minSamples,
          retraining_trigger: !t.protected,
        })),
        interval_minutes: plan.drift.intervalMinutes,
        job_runtime_minutes: plan.drift.runtimeMinutes,
        alert_for_minutes: plan.drift.alertForMinutes,
        worst_case_one_failed_run_hours: plan.drift.worstCaseOneFailedRunHours,
        meets_window: plan.drift.meetsWindow,
        concept_drift_detection_hours: plan.quality.conceptDriftDetectionHours,
      },
      oncall: spec.team.oncall,
      dashboards: boards.map((b) => b.title),
      budget: {
        monthly_usd: plan.cost.monthlyBudgetUsd,
        alert_thresholds_pct: plan.cost.thresholdsPct,
        alert_thresholds_usd: plan.cost.thresholdsUsd,
        cost_allocation_labels: plan.cost.labels,
      },
      retraining_triggers: plan.retraining.triggers,
      metrics: Object.fromEntries(Object.entries(METRICS).map(([k, m]) => [k, { name: m.name, type: m.type, labels: [...m.labels] }])),
      monitoring_stack: spec.options.monitoring_stack,
      scrape_interval_seconds: plan.timing.scrapeSeconds,
      latency_buckets_seconds: plan.latency.bucketsSeconds,
      slo_burn: {
        error_budget_ratio: plan.burn.errorBudgetRatio,
        budget_minutes_per_30d: plan.burn.budgetMinutesPer30d,
        windows: plan.burn.windows.map((w) => ({ burn_rate: w.burnRate, long_window: duration(w.longSeconds), short_window: duration(w.shortSeconds), severity: w.severity })),
      },
      quality: {
        metric: plan.quality.metric,
        direction: plan.quality.direction,
        reference: plan.quality.reference,
        window_hours: plan.quality.windowHours,
        min_labelled_samples: plan.quality.minLabelledSamples,
        warn_degradation_pct: plan.quality.warnDegradationPct,
        critical_degradation_pct: plan.quality.criticalDegradationPct,
      },
      tracing: { backend: plan.tracing.backend, head_sample_ratio: plan.tracing.headSampleRatio },
      logs: { backend: plan.logs.backend, gb_per_day: plan.logs.gbPerDay, retention_days: plan.logs.retentionDays },
    };
    return { document, decisions, artifacts: buildArtifacts(plan, alerts) };
  },
};
