import { ALWAYS_READ } from '../common.js';
import { PHASES } from '../graph.js';
import type { PhaseDefinition } from '../types.js';
import { buildArtifacts } from './artifacts.js';
import { DataEngineerDecisions } from './decisions.js';
import { derivePlan, type DataPlan } from './derive.js';
import { buildDocument } from './document.js';

function toDecisions(plan: DataPlan): DataEngineerDecisions {
  const layer = (l: DataPlan['layers']['raw']) => ({ uri: l.uri, format: l.format, retention_days: l.retention_days });
  return {
    sources: plan.sources.map((s) => ({
      name: s.name,
      kind: s.kind,
      ingestion: s.ingestion,
      connector: s.connector,
      schedule: s.schedule,
      watermark_column: s.watermark_column,
      rows_per_day: s.rows_per_day,
      gb_per_day: s.gb_per_day,
      partitioning: { granularity: s.partitioning.granularity, keys: s.partitioning.keys },
      ingestion_origin: s.ingestion_origin,
      batch_interval_hours: s.batch_interval_hours,
      freshness_minutes: s.freshness_minutes,
      row_bytes: s.row_bytes,
      features: s.features,
      offset_tracking: s.offset_tracking,
      backfill_method: s.backfill_method,
      raw_uri: s.raw_uri,
      processed_uri: s.processed_uri,
    })),
    total_rows_per_day: plan.total_rows_per_day,
    total_gb_per_day: plan.total_gb_per_day,
    layers: { raw: layer(plan.layers.raw), processed: layer(plan.layers.processed), features: layer(plan.layers.features) },
    quality: {
      max_issue_rate_pct: plan.quality.max_issue_rate_pct,
      min_pass_rate_pct: plan.quality.min_pass_rate_pct,
      gates: plan.quality.gates.map((g) => ({ name: g.name, check: g.check, threshold: g.threshold, action: g.action })),
      anomaly_rules: plan.quality.anomaly_rules,
    },
    versioning: { tool: plan.versioning.tool, remote: plan.versioning.remote },
    lineage: { standard: plan.lineage.standard, namespace: plan.lineage.namespace },
    entity_key: plan.entity_key,
    event_timestamp: plan.event_timestamp,
    label: { column: plan.label.column, source: plan.label.source },
    paths: {
      schemas: plan.paths.schemas,
      quality_gates: plan.paths.quality_gates,
      validation_module: plan.paths.validation_module,
      profiling_module: plan.paths.profiling_module,
      backfill_script: plan.paths.backfill_script,
      expectations: plan.paths.expectations,
      models_module: plan.paths.models_module,
      expectations_module: plan.paths.expectations_module,
      incremental_module: plan.paths.incremental_module,
      lineage_module: plan.paths.lineage_module,
    },
  };
}

export const dataEngineer: PhaseDefinition<'data_engineer'> = {
  info: PHASES.data_engineer as PhaseDefinition<'data_engineer'>['info'],
  // Every spec path run() reads (directly or through derivePlan, the document and the artifacts).
  reads: [
    ...ALWAYS_READ,
    'data',
    'problem.type',
    'problem.target',
    'problem.label_delay_hours',
    'slo.data_quality_issue_pct',
    'slo.validation_pass_rate_pct',
    'options.cloud_provider',
    'options.orchestration',
    'team.namespace',
  ],
  decisions: DataEngineerDecisions,
  run({ spec, notes }) {
    const plan = derivePlan(spec);
    return { document: buildDocument(this.info, spec, plan, notes), decisions: toDecisions(plan), artifacts: buildArtifacts(spec, plan) };
  },
};
