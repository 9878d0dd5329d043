import type { PhaseId } from '../phases/graph.js';
import { gateThresholdText } from '../phases/ml_engineer/decisions.js';
import type { DecisionsByPhase } from '../phases/types.js';
import type { ResolvedSpec } from '../spec/resolve.js';
import type { CiEvidence } from './ciEvidence.js';
import type { ManifestEvidence } from './manifestEvidence.js';
import { intervalHours } from '../phases/observability_engineer/cron.js';
import type { ObservabilityEvidence } from './observabilityEvidence.js';
import { estimateCost, type CostUpstream } from '../stats/cost.js';

export type CriterionStatus = 'met' | 'not_met' | 'no_evidence';

export interface CriterionResult {
  id: string;
  group: string;
  criterion: string;
  target: string;
  status: CriterionStatus;
  evidence: string;
  phase: PhaseId | null;
}

type Current = Partial<DecisionsByPhase>;

interface Criterion {
  id: string;
  group: string;
  criterion: string;
  phase: PhaseId | null;
  target(spec: ResolvedSpec): string;
  /**
   * Judges the design; returns undefined when the phase that would give evidence has not run (or is stale).
   * `m` is what the current Kubernetes manifests show (null before the Kubernetes phases ran); `ci` the
   * commit-to-production path of the current CI files (null when there are none).
   */
  judge(spec: ResolvedSpec, d: Current, m: ManifestEvidence | null, ci: CiEvidence | null, o: ObservabilityEvidence | null): { status: CriterionStatus; evidence: string } | undefined;
}

const met = (evidence: string) => ({ status: 'met' as const, evidence });
const notMet = (evidence: string) => ({ status: 'not_met' as const, evidence });
const none = (evidence: string) => ({ status: 'no_evidence' as const, evidence });

/** Online-serving criteria have nothing to measure when the design has no online endpoint (batch or stream only). */
function withoutOnlineEndpoint(s: ResolvedSpec, d: Current) {
  const modes = d.mlops_engineer?.serving.modes;
  return modes && !modes.includes('online')
    ? none(`deployment_mode ${s.options.deployment_mode} has no online endpoint (${modes.join(' + ')} only), so this online-serving criterion has nothing to measure`)
    : undefined;
}

/** A spec target looser than the source document's criterion fails the criterion whatever the design does. */
function looser(what: string, value: number, limit: number, unit: string, higherIsLooser: boolean) {
  const bad = higherIsLooser ? value > limit : value < limit;
  return bad ? notMet(`the spec's ${what} (${value} ${unit}) is looser than the criterion (${limit} ${unit}); tighten it with update_pipeline`) : undefined;
}

// The success criteria of the source document ("Success criteria", groups 1-5), each with the evidence the
// current design gives. Later issues add evidence from generated artifacts and measurements.
const CRITERIA: Criterion[] = [
  {
    id: 'data.quality_issues',
    group: 'Data pipeline',
    criterion: '< 0.1% data quality issues in production',
    phase: 'data_engineer',
    target: (s) => `≤ ${s.slo.data_quality_issue_pct} % of records`,
    judge(s, d) {
      const q = d.data_engineer?.quality;
      if (!q) return undefined;
      const blocking = q.gates.filter((g) => g.action !== 'warn').length;
      return (
        looser('data quality issue rate', s.slo.data_quality_issue_pct, 0.1, '%', true) ??
        (q.max_issue_rate_pct <= s.slo.data_quality_issue_pct && blocking > 0
          ? met(`${q.gates.length} quality gates (${blocking} blocking or quarantining) hold the issue rate at ≤ ${q.max_issue_rate_pct} %`)
          : notMet(`quality gates allow ${q.max_issue_rate_pct} % issues with ${blocking} blocking gates`))
      );
    },
  },
  {
    id: 'data.validation_pass_rate',
    group: 'Data pipeline',
    criterion: '99.9% automated validation pass rate',
    phase: 'data_engineer',
    target: (s) => `≥ ${s.slo.validation_pass_rate_pct} %`,
    judge(s, d) {
      const q = d.data_engineer?.quality;
      if (!q) return undefined;
      return (
        looser('validation pass rate', s.slo.validation_pass_rate_pct, 99.9, '%', false) ??
        (q.min_pass_rate_pct >= s.slo.validation_pass_rate_pct ? met(`validation gates require a pass rate of ${q.min_pass_rate_pct} %`) : notMet(`gates require only ${q.min_pass_rate_pct} %`))
      );
    },
  },
  {
    id: 'data.lineage',
    group: 'Data pipeline',
    criterion: 'Complete data lineage',
    phase: 'data_engineer',
    target: () => 'every source and layer emits lineage',
    judge(s, d) {
      const de = d.data_engineer;
      if (!de) return undefined;
      return de.lineage.standard && de.sources.length === s.data.sources.length
        ? met(`${de.lineage.standard} lineage in namespace ${de.lineage.namespace} for all ${de.sources.length} sources; data versioned with ${de.versioning.tool}`)
        : notMet('some sources have no lineage');
    },
  },
  {
    id: 'data.feature_serving_latency',
    group: 'Data pipeline',
    criterion: 'Sub-second feature serving latency',
    phase: 'data_scientist',
    target: (s) => `< ${s.slo.feature_serving_latency_ms} ms`,
    judge(s, d) {
      const fs = d.data_scientist?.feature_store;
      if (!fs) return undefined;
      return looser('feature serving latency', s.slo.feature_serving_latency_ms, 1000, 'ms', true) ?? met(`online features from ${fs.online_store} (${fs.option}), bound ${s.slo.feature_serving_latency_ms} ms`);
    },
  },
  {
    id: 'model.beats_baseline',
    group: 'Model performance',
    criterion: 'Meets or beats baseline metrics',
    phase: 'ml_engineer',
    target: (s) => (s.problem.baseline_metric !== undefined ? `${s.problem.primary_metric ?? 'primary metric'} vs baseline ${s.problem.baseline_metric}` : 'primary metric vs baseline'),
    judge(_s, d) {
      const gate = d.ml_engineer?.registry.promotion_gate;
      if (!gate) return undefined;
      return none(`the promotion gate requires ${gateThresholdText(gate)}; evidence needs a training run on data`);
    },
  },
  {
    id: 'model.degradation_before_retraining',
    group: 'Model performance',
    criterion: '< 5% performance degradation before retraining',
    phase: 'observability_engineer',
    target: (s) => `retrain at ${s.slo.max_degradation_pct} % degradation`,
    judge(s, d) {
      const o = d.observability_engineer;
      if (!o) return undefined;
      return (
        looser('allowed degradation', s.slo.max_degradation_pct, 5, '%', true) ??
        (o.retraining_triggers.length > 0 ? met(`retraining triggers: ${o.retraining_triggers.join('; ')}`) : notMet('no retraining trigger'))
      );
    },
  },
  {
    id: 'model.ab_significance',
    group: 'Model performance',
    criterion: 'Statistically significant successful A/B tests',
    phase: 'data_scientist',
    target: (s) => `alpha ${s.experiment.alpha}, power ${s.experiment.power}`,
    judge(_s, d) {
      const ab = d.data_scientist?.ab_test;
      if (!ab) return undefined;
      return met(`A/B plan sized for alpha ${ab.alpha} and power ${ab.power}: ${ab.total_n.toLocaleString('en-US')} units over ${ab.duration_days} days`);
    },
  },
  {
    id: 'model.drift_detection',
    group: 'Model performance',
    criterion: 'No model drift undetected for > 24 hours',
    phase: 'observability_engineer',
    target: (s) => `≤ ${s.slo.drift_detection_window_h} h`,
    judge(s, d, _m, _ci, o) {
      const drift = d.observability_engineer?.drift;
      if (!drift) return undefined;
      const loose = looser('drift detection window', s.slo.drift_detection_window_h, 24, 'h', true);
      if (loose) return loose;
      if (drift.worst_case_detection_hours > s.slo.drift_detection_window_h) return notMet(`worst-case detection ${drift.worst_case_detection_hours} h exceeds ${s.slo.drift_detection_window_h} h`);
      const designed = `drift checks (${drift.schedule}) detect drift within ${drift.worst_case_detection_hours} h in the worst case (${drift.worst_case_one_failed_run_hours} h if one run fails)`;
      if (!o) return met(designed);
      if (!o.driftCron) return notMet(`${designed}, but no drift-monitor CronJob in deploy/k8s/monitoring runs it`);
      // What the CronJob really does: one interval between runs + the job's runtime + the alert's for:.
      const worst = intervalHours(o.driftCron) + drift.job_runtime_minutes / 60 + (o.ruleAlerts.get('FeatureDriftHigh') ?? drift.alert_for_minutes * 60) / 3600;
      const figure = Math.round(worst * 100) / 100;
      return figure <= s.slo.drift_detection_window_h
        ? met(`CronJob schedule ${o.driftCron}: worst case ${figure} h from drift to FeatureDriftHigh (interval + ${drift.job_runtime_minutes} min run + for:)${o.testedAlerts.has('FeatureDriftHigh') ? '; a promtool test makes FeatureDriftHigh fire' : ''}`)
        : notMet(`the drift CronJob runs on ${o.driftCron}: worst case ${figure} h exceeds ${s.slo.drift_detection_window_h} h`);
    },
  },
  {
    id: 'ops.uptime',
    group: 'Operational excellence',
    criterion: '99.9% serving uptime',
    phase: 'mlops_engineer',
    target: (s) => `${s.slo.availability_pct} %`,
    judge(s, d, m) {
      const serving = d.mlops_engineer?.serving;
      if (!serving) return undefined;
      const offline = withoutOnlineEndpoint(s, d);
      if (offline) return offline;
      const loose = looser('availability', s.slo.availability_pct, 99.9, '%', false);
      if (loose) return loose;
      if (serving.min_replicas < 2) return notMet(`only ${serving.min_replicas} replica`);
      const designed = `${serving.min_replicas}+ replicas with zero-downtime ${d.mlops_engineer!.rollout.strategy} releases`;
      if (!m) return met(designed);
      const server = m.servers[0];
      if (!server) return notMet(`${designed}, but no object in deploy/k8s/base runs the model server`);
      if (m.pdbs.length === 0) return notMet(`${designed}, but no PodDisruptionBudget protects ${server.kind} ${server.name} from draining several replicas at once`);
      return met(`${designed}: ${server.kind} ${server.name}${server.readiness ? ' with readiness probes' : ''}${server.zoneSpread ? ', spread across zones' : ''}, PodDisruptionBudget ${m.pdbs.join(', ')}`);
    },
  },
  {
    id: 'ops.p99_latency',
    group: 'Operational excellence',
    criterion: '< 200 ms p99 inference latency',
    phase: 'python_pro',
    target: (s) => `< ${s.slo.p99_latency_ms} ms`,
    judge(s, d, m) {
      const budgets = d.python_pro?.budgets;
      if (!budgets) return undefined;
      const offline = withoutOnlineEndpoint(s, d);
      if (offline) return offline;
      const guard = m?.analysis.find((a) => /p99|latency/.test(a.metric));
      return (
        looser('p99 latency', s.slo.p99_latency_ms, 200, 'ms', true) ??
        (budgets.predict_p99_ms <= s.slo.p99_latency_ms
          ? met(`model inference budget ${budgets.predict_p99_ms} ms within the ${s.slo.p99_latency_ms} ms SLO${guard ? `; releases abort when ${guard.metric} fails (${guard.condition}, AnalysisTemplate ${guard.name})` : ''}; measured once serving code exists`)
          : notMet(`budget ${budgets.predict_p99_ms} ms exceeds the SLO`))
      );
    },
  },
  {
    id: 'ops.rollback',
    group: 'Operational excellence',
    criterion: 'Automated rollback within 5 minutes',
    phase: 'mlops_engineer',
    target: (s) => `≤ ${s.slo.rollback_minutes} min`,
    judge(s, d, m) {
      const r = d.mlops_engineer?.rollout;
      if (!r) return undefined;
      const loose = looser('rollback time', s.slo.rollback_minutes, 5, 'min', true);
      if (loose) return loose;
      if (r.worst_case_rollback_seconds > s.slo.rollback_minutes * 60) return notMet(`worst-case rollback ${r.worst_case_rollback_seconds} s exceeds ${s.slo.rollback_minutes * 60} s`);
      const designed = `${r.strategy} analysis every ${r.analysis_interval_seconds} s, abort after ${r.failure_limit} failures: worst case ${r.worst_case_rollback_seconds} s`;
      if (!m || m.servers.length === 0) return met(designed);
      if (m.analysis.length === 0) return notMet(`${designed}, but no AnalysisTemplate in deploy/k8s/base measures the new version`);
      const rollouts = m.rollouts.map((x) => `Rollout ${x.name} (${x.strategy}, ${x.analysisSteps} analysis step${x.analysisSteps === 1 ? '' : 's'})`);
      return met(`${designed}; ${[...rollouts, `analysis ${m.analysis.map((a) => `${a.metric} (${a.condition})`).join(', ')}`].join('; ')}`);
    },
  },
  {
    id: 'ops.alert_time',
    group: 'Operational excellence',
    criterion: 'Full observability with < 1 minute alert time',
    phase: 'observability_engineer',
    target: (s) => `≤ ${s.slo.alert_time_s} s`,
    judge(s, d, _m, _ci, o) {
      const alerts = d.observability_engineer?.alerts;
      if (!alerts) return undefined;
      const offline = withoutOnlineEndpoint(s, d);
      if (offline) return offline;
      const loose = looser('alert time', s.slo.alert_time_s, 60, 's', true);
      if (loose) return loose;
      // The criterion is about hard failures (outage, error spike); quality, drift and cost alerts need longer
      // windows by nature and carry meets_alert_time = null.
      const applicable = alerts.filter((a) => a.meets_alert_time !== null && a.meets_alert_time !== undefined);
      const late = applicable.filter((a) => !a.meets_alert_time);
      const timing = applicable.map((a) => `${a.name} ${a.detection_seconds} s`).join(', ');
      if (applicable.length === 0) return notMet('no alert is designed to notify within the alert time');
      if (late.length > 0) return notMet(`${late.map((a) => a.name).join(', ')} notify too late (${timing})`);
      const designed = `worst case from failure to notification (scrape, evaluation, for:, group_wait): ${timing}`;
      if (!o) return met(designed);
      // "Full observability": every signal is collected and alerts reach someone.
      const missing = Object.entries(o.signals).filter(([, v]) => v === null).map(([k]) => k);
      if (missing.length > 0) return notMet(`${designed}; but the monitoring files collect no ${missing.join(', ')}`);
      if (o.ruleAlerts.size > 0) {
        // The rule file must carry the for: the timing assumed, and a unit test must make each alert fire.
        const drifted = applicable.filter((a) => (o.ruleAlerts.get(a.name) ?? Infinity) > a.for_seconds);
        if (drifted.length > 0) return notMet(`rules.yml lacks or lengthens ${drifted.map((a) => `${a.name} (for: ${o.ruleAlerts.get(a.name) ?? 'missing'} s, designed ${a.for_seconds} s)`).join(', ')}`);
        const untested = applicable.filter((a) => !o.testedAlerts.has(a.name));
        if (untested.length > 0) return notMet(`${designed}; but no promtool test makes ${untested.map((a) => a.name).join(', ')} fire`);
      }
      const files = [
        o.ruleAlerts.size > 0 ? `rules.yml evaluated every ${o.evaluationSeconds} s, scraped every ${o.scrapeSeconds} s, each alert fired by a promtool test` : `${o.vendorMonitors} vendor monitors`,
        o.groupWaitSeconds !== null ? `Alertmanager group_wait ${o.groupWaitSeconds} s` : null,
        ...Object.values(o.signals),
      ].filter(Boolean);
      return met(`${designed}; ${files.join('; ')}`);
    },
  },
  {
    id: 'velocity.commit_to_prod',
    group: 'Development velocity',
    criterion: '< 1 hour from commit to production',
    phase: 'mlops_engineer',
    target: (s) => `≤ ${s.slo.commit_to_prod_minutes} min`,
    judge(s, d, _m, ev) {
      const ci = d.mlops_engineer?.ci;
      if (!ci) return undefined;
      const tooLoose = looser('commit-to-production time', s.slo.commit_to_prod_minutes, 60, 'min', true);
      if (tooLoose) return tooLoose;
      if (!ev) return notMet(`no CI job deploys production, so nothing bounds the ${ci.total_minutes} min the stages are budgeted at`);
      const unbounded = ev.path.filter((p) => p.timeout_minutes === null).map((p) => p.job);
      if (unbounded.length > 0) return notMet(`${ev.file}: ${unbounded.join(', ')} on the path to production ${unbounded.length === 1 ? 'has' : 'have'} no time limit`);
      // The approval wait is not bounded by any job limit: it counts at the budget the design gives it.
      const approval = ev.approval ? (ci.stages.find((st) => st.name === 'production_approval')?.budget_minutes ?? 0) : 0;
      const total = ev.total_minutes + approval;
      const path = `${ev.path.map((p) => `${p.job} ≤ ${p.timeout_minutes} min`).join(' → ')}${ev.approval ? ` + approval ${approval} min` : ''}`;
      return total <= s.slo.commit_to_prod_minutes
        ? met(`${ev.file} enforces ${total} min from commit to production: ${path}`)
        : notMet(`${ev.file} allows ${total} min from commit to production (${path})`);
    },
  },
  {
    id: 'velocity.parallel_experiments',
    group: 'Development velocity',
    criterion: 'Parallel experiment execution',
    phase: 'ml_engineer',
    target: () => 'more than one trial at a time',
    judge(_s, d) {
      const hpo = d.ml_engineer?.hpo;
      if (!hpo) return undefined;
      return hpo.parallel_trials > 1 ? met(`${hpo.tool} runs ${hpo.parallel_trials} trials in parallel`) : notMet('trials run one at a time');
    },
  },
  {
    id: 'velocity.reproducible_training',
    group: 'Development velocity',
    criterion: 'Reproducible training runs',
    phase: 'ml_engineer',
    target: () => 'data, code, config and model versioned together',
    judge(_s, d) {
      const ml = d.ml_engineer;
      const de = d.data_engineer;
      if (!ml || !de) return undefined;
      return met(`data versioned with ${de.versioning.tool}, runs tracked in ${ml.tracking.backend}, models registered as ${ml.registry.model_name}`);
    },
  },
  {
    id: 'velocity.self_service_deployment',
    group: 'Development velocity',
    criterion: 'Self-service model deployment',
    phase: 'mlops_engineer',
    target: () => 'GitOps promotion without tickets',
    judge(_s, d) {
      const g = d.mlops_engineer?.gitops;
      if (!g) return undefined;
      return met(`${g.tool} promotes through ${g.environments.join(' → ')}`);
    },
  },
  {
    id: 'cost.waste',
    group: 'Cost efficiency',
    criterion: '< 20% infrastructure waste',
    phase: 'kubernetes_architect',
    target: (s) => `≤ ${s.slo.max_waste_pct} %`,
    judge(s, d) {
      const loose = looser('waste', s.slo.max_waste_pct, 20, '%', true);
      if (loose) return loose;
      const up = { data_engineer: d.data_engineer, data_scientist: d.data_scientist, ml_engineer: d.ml_engineer, python_pro: d.python_pro, mlops_engineer: d.mlops_engineer, kubernetes_architect: d.kubernetes_architect };
      if (Object.values(up).some((x) => x === undefined)) return undefined;
      // The same cost model as estimate_cost, on the designed cloud only.
      const estimate = estimateCost(s, up as CostUpstream, { clouds: [s.options.cloud_provider] });
      const w = estimate.waste;
      const design = estimate.scenarios[0]!;
      const idle = design.serving ? `, ${design.serving.idle_usd.toLocaleString('en-US')} USD/month of idle serving capacity` : '';
      const figures = `serving ${w.idle_at_average_pct} % idle at the average load (${w.average_rps} rps on replicas sized for ${w.rps_per_replica} rps each)${idle}; projected ${design.total_usd.toLocaleString('en-US')} USD/month, ${design.budget.share_pct} % of the ${design.budget.monthly_budget_usd.toLocaleString('en-US')} USD budget (estimate_cost, list prices as of ${estimate.price_table.as_of_newest})`;
      if (!w.within) return notMet(figures);
      if (design.budget.verdict === 'over') return notMet(`${figures}: over budget`);
      return met(figures);
    },
  },
  {
    id: 'cost.resource_allocation',
    group: 'Cost efficiency',
    criterion: 'Optimised resource allocation',
    phase: 'kubernetes_architect',
    target: () => 'requests, limits and quotas per namespace',
    judge(_s, d) {
      const k = d.kubernetes_architect;
      if (!k) return undefined;
      return met(`quotas and limit ranges for namespaces ${Object.values(k.namespaces).join(', ')}; priority classes ${k.priority_classes.map((p) => p.name).join(' > ')}`);
    },
  },
  {
    id: 'cost.autoscaling',
    group: 'Cost efficiency',
    criterion: 'Autoscaling with load',
    phase: 'kubernetes_architect',
    target: () => 'replicas follow traffic',
    judge(s, d, m) {
      const a = d.kubernetes_architect?.autoscaling;
      if (!a) return undefined;
      const offline = withoutOnlineEndpoint(s, d);
      if (offline) return offline;
      if (a.max_replicas <= a.min_replicas) return notMet('min and max replicas are equal');
      const designed = `${a.min_replicas}–${a.max_replicas} replicas at ${a.target_cpu_pct} % CPU`;
      if (!m) return met(designed);
      const scaling = m.autoscalers.filter((x) => x.max !== null && x.min !== null && x.max > x.min);
      if (scaling.length === 0) return notMet(`${designed} designed, but no autoscaler in deploy/k8s/base (HPA, KEDA ScaledObject or the serving resource's bounds)`);
      return met(scaling.map((x) => `${x.kind} ${x.name} ${x.min}–${x.max} on ${x.signals.join(', ')}`).join('; '));
    },
  },
  {
    id: 'cost.spot_share',
    group: 'Cost efficiency',
    criterion: 'Spot instance usage > 60%',
    phase: 'kubernetes_architect',
    target: (s) => `≥ ${s.slo.min_spot_pct} %`,
    judge(s, d, m) {
      const spot = d.kubernetes_architect?.spot;
      if (!spot) return undefined;
      return (
        looser('spot share', s.slo.min_spot_pct, 60, '%', false) ??
        (spot.share_pct < s.slo.min_spot_pct
          ? notMet(`spot share ${spot.share_pct} %`)
          : !m
            ? met(`${spot.share_pct} % of interruptible capacity on spot (${spot.node_label}=${spot.node_label_value})`)
            : m.spot.preferring.length === 0
              ? notMet(`${spot.share_pct} % planned, but no pod in deploy/k8s/base prefers spot nodes`)
              : met(`${spot.share_pct} % of interruptible capacity on spot (${spot.node_label}=${spot.node_label_value}): pods of ${m.spot.preferring.join(', ')} prefer spot with on-demand fallback${m.spot.avoiding.length ? `; pods of ${m.spot.avoiding.join(', ')} never run there` : ''}`))
      );
    },
  },
];

export const CRITERIA_COUNT = CRITERIA.length;

export function scoreCriteria(spec: ResolvedSpec, current: Current, stale: ReadonlySet<PhaseId>, manifests: ManifestEvidence | null = null, ci: CiEvidence | null = null, observability: ObservabilityEvidence | null = null): CriterionResult[] {
  return CRITERIA.map((c) => {
    const base = { id: c.id, group: c.group, criterion: c.criterion, target: c.target(spec), phase: c.phase };
    if (c.phase && stale.has(c.phase)) return { ...base, status: 'no_evidence', evidence: `${c.phase} is stale; re-run it to re-assess` };
    const verdict = c.judge(spec, current, manifests, ci, observability);
    return { ...base, ...(verdict ?? none(c.phase ? `${c.phase} has not run yet` : 'no evidence yet')) };
  });
}
