import type { ResolvedSpec } from '../../spec/resolve.js';
import {
  alertTiming,
  costPlan,
  driftSchedule,
  driftTests,
  importancePlan,
  kpiPlan,
  latencyPlan,
  logsPlan,
  qualityPlan,
  retrainingPlan,
  sloBurnPlan,
  tracingPlan,
  trafficPlan,
  type AlertTiming,
  type CostPlan,
  type DriftSchedulePlan,
  type DriftTestPlan,
  type ImportancePlan,
  type KpiPlan,
  type LatencyPlan,
  type LogsPlan,
  type QualityPlan,
  type RetrainingPlan,
  type SloBurnPlan,
  type TracingPlan,
  type TrafficPlan,
  type Upstream,
} from './derive.js';

/** Everything the document and the artifacts need, derived once. */
export interface MonitoringPlan {
  spec: ResolvedSpec;
  up: Upstream;
  pipeline: string;
  model: string;
  namespaces: { serving: string; training: string; batch: string; monitoring: string };
  servingJob: string;
  traffic: TrafficPlan;
  timing: AlertTiming;
  burn: SloBurnPlan;
  latency: LatencyPlan;
  quality: QualityPlan;
  importance: ImportancePlan;
  kpi: KpiPlan;
  tests: DriftTestPlan[];
  drift: DriftSchedulePlan;
  tracing: TracingPlan;
  logs: LogsPlan;
  cost: CostPlan;
  retraining: RetrainingPlan;
  /** PSI level of the prediction-distribution (label-free concept drift) alert: the data scientist's PSI alert level. */
  predictionPsi: number;
}

export function buildPlan(spec: ResolvedSpec, up: Upstream): MonitoringPlan {
  const traffic = trafficPlan(spec, up);
  const timing = alertTiming(spec);
  const quality = qualityPlan(spec, up, traffic);
  const tests = driftTests(spec, up);
  const drift = driftSchedule(spec, traffic, tests);
  return {
    spec,
    up,
    pipeline: spec.name,
    model: up.ml_engineer.registry.model_name,
    namespaces: up.kubernetes_architect.namespaces,
    servingJob: `${spec.name}-serving`,
    traffic,
    timing,
    burn: sloBurnPlan(spec, timing),
    latency: latencyPlan(spec, up),
    quality,
    importance: importancePlan(up),
    kpi: kpiPlan(spec, up),
    tests,
    drift,
    tracing: tracingPlan(spec, traffic),
    logs: logsPlan(spec, traffic, quality),
    cost: costPlan(spec, up, traffic),
    retraining: retrainingPlan(spec, up, quality, drift),
    predictionPsi: up.data_scientist.drift_policy?.psi_alert ?? 0.25,
  };
}
