import { METRICS } from './metrics.js';
import type { MonitoringPlan } from './plan.js';

/**
 * Dashboards and their panels. The Grafana JSON comes from a later issue (grafana-dashboard kind); this list is
 * the contract it implements: one dashboard per concern, each panel naming the series it plots.
 */
export interface Panel {
  title: string;
  source: string;
}

export interface Dashboard {
  title: string;
  panels: Panel[];
}

export function dashboards(p: MonitoringPlan): Dashboard[] {
  const online = p.traffic.modes.includes('online');
  const list: Dashboard[] = [];
  if (online) {
    list.push({
      title: `${p.pipeline} / Serving SLO`,
      panels: [
        { title: `Availability vs ${p.spec.slo.availability_pct} % and error budget left (30 d)`, source: 'model:request_errors:ratio_rate3d' },
        { title: 'Burn rate, 5m / 1h / 6h windows', source: 'model:request_errors:ratio_rate5m, model:request_errors:ratio_rate1h, model:request_errors:ratio_rate6h' },
        { title: `p99 latency vs ${p.spec.slo.p99_latency_ms} ms`, source: 'model:request_duration_seconds:p99_5m' },
        { title: `Throughput vs capacity ${p.latency.capacityRps} rps`, source: 'model:requests:rate5m' },
        { title: `Feature retrieval p99 vs ${p.spec.slo.feature_serving_latency_ms} ms`, source: 'feature_store:request_duration_seconds:p99_5m' },
      ],
    });
  }
  list.push(
    {
      title: `${p.pipeline} / Model quality`,
      panels: [
        { title: `${p.quality.metric} (window ${p.quality.windowHours} h) vs ${p.quality.referenceKnown ? `reference ${p.quality.reference}` : 'the reference recorded at promotion'}`, source: `${METRICS.predictionQuality.name}, ${METRICS.predictionQualityReference.name}` },
        { title: 'Relative degradation vs warn/critical limits', source: 'model:prediction_quality:relative_degradation' },
        { title: 'Labelled predictions per evaluation and label lag', source: `${METRICS.predictionQualitySamples.name}, ${METRICS.labelsLastJoined.name}` },
        { title: 'Feature importance (top features) and rank correlation', source: `${METRICS.featureImportance.name}, ${METRICS.featureImportanceRankCorrelation.name}` },
        { title: `${p.kpi.kpi} vs ${p.quality.metric} (${p.kpi.windowDays} days)`, source: `${METRICS.businessKpi.name}, ${METRICS.businessKpiCorrelation.name}` },
      ],
    },
    {
      title: `${p.pipeline} / Drift`,
      panels: [
        { title: 'Drift score per feature (heatmap, thresholds per test)', source: METRICS.featureDriftScore.name },
        { title: 'Prediction distribution PSI', source: METRICS.predictionDriftScore.name },
        { title: 'Null and out-of-range ratios per feature', source: `${METRICS.featureNullRatio.name}, ${METRICS.featureOutOfRangeRatio.name}` },
        { title: `Drift job freshness (stale after ${p.drift.staleAfterMinutes} min)`, source: METRICS.driftJobLastSuccess.name },
      ],
    },
    {
      title: `${p.pipeline} / Data quality`,
      panels: [
        { title: `Validation pass rate vs ${p.spec.slo.validation_pass_rate_pct} %`, source: 'pipeline:data_validation_pass:ratio_rate1h' },
        { title: `Quarantined + rejected share vs ${p.spec.slo.data_quality_issue_pct} %`, source: 'pipeline:data_quality_issue:ratio_rate1h' },
        { title: 'Failing checks by dataset', source: METRICS.dataValidationChecks.name },
      ],
    },
  );
  if (p.traffic.modes.includes('batch') || p.traffic.modes.includes('stream')) {
    list.push({
      title: `${p.pipeline} / ${p.traffic.modes.includes('batch') && p.traffic.modes.includes('stream') ? 'Batch and stream' : p.traffic.modes.includes('batch') ? 'Batch scoring' : 'Stream scoring'}`,
      panels: [
        ...(p.traffic.modes.includes('batch') ? [{ title: 'Batch runs by result and last success', source: `${METRICS.batchRuns.name}, ${METRICS.batchLastSuccess.name}` }] : []),
        ...(p.traffic.modes.includes('stream') ? [{ title: 'Consumer lag and failed events', source: `${METRICS.streamLag.name}, ${METRICS.streamMessages.name}` }] : []),
      ],
    });
  }
  list.push({
    title: `${p.pipeline} / Cost`,
    panels: [
      { title: `Month-to-date cost vs ${p.cost.monthlyBudgetUsd} USD with 50/80/100 % lines`, source: 'pipeline:cost_usd:month_to_date' },
      { title: 'Cost by component', source: METRICS.cost.name },
      { title: `Spot share vs ${p.cost.minSpotPct} %`, source: 'pipeline:spot_cpu_requests:ratio' },
      { title: `CPU waste vs ${p.cost.maxWastePct} %`, source: 'pipeline:cpu_waste:ratio_1h' },
      { title: 'Training runs by trigger', source: `${METRICS.trainingRuns.name}, ${METRICS.retrainingTriggers.name}` },
    ],
  });
  return list;
}
