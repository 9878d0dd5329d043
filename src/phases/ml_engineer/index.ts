import { ALWAYS_READ } from '../common.js';
import { PHASES } from '../graph.js';
import type { PhaseDefinition } from '../types.js';
import { buildArtifacts } from './artifacts.js';
import { buildTrainingConfig } from './config.js';
import { MlEngineerDecisions } from './decisions.js';
import { derivePlan } from './derive.js';
import { buildDocument } from './document.js';

/**
 * ml-engineer (stage 2): training pipeline, experiment tracking and model registry, derived from the data
 * scientist's algorithm, metric and training-data decisions and the data engineer's volumes and storage.
 */
export const mlEngineer: PhaseDefinition<'ml_engineer'> = {
  info: PHASES.ml_engineer as PhaseDefinition<'ml_engineer'>['info'],
  reads: [
    ...ALWAYS_READ,
    'problem.type',
    'problem.target',
    'problem.positive_rate',
    'problem.label_delay_hours',
    'data.entity_key',
    'data.event_timestamp',
    'data.features',
    'slo.p99_latency_ms',
    'slo.max_degradation_pct',
    'slo.rollback_minutes',
    'scale.training_gpus',
    'scale.training_schedule',
    'options.experiment_tracking',
    'options.orchestration',
    'options.deployment_mode',
    'options.cloud_provider',
    'team.namespace',
  ],
  decisions: MlEngineerDecisions,
  run({ spec, notes, upstream }) {
    const plan = derivePlan(spec, upstream);
    const config = buildTrainingConfig(spec, upstream, plan);
    return {
      document: buildDocument(mlEngineer.info, spec, upstream, plan, config, notes),
      decisions: plan.decisions,
      artifacts: buildArtifacts(spec, plan, config),
    };
  },
};
