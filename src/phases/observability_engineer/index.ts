import { PHASES } from '../graph.js';
import type { PhaseDefinition } from '../types.js';
import { ObservabilityEngineerDecisions } from './decisions.js';

// Placeholder until the phase is implemented.
export const observabilityEngineer: PhaseDefinition<'observability_engineer'> = {
  info: PHASES.observability_engineer as PhaseDefinition<'observability_engineer'>['info'],
  reads: [],
  decisions: ObservabilityEngineerDecisions,
  run() {
    throw new Error('observability_engineer is not implemented yet');
  },
};
