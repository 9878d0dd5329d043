import { PHASES } from '../graph.js';
import type { PhaseDefinition } from '../types.js';
import { MlEngineerDecisions } from './decisions.js';

// Placeholder until the phase is implemented.
export const mlEngineer: PhaseDefinition<'ml_engineer'> = {
  info: PHASES.ml_engineer as PhaseDefinition<'ml_engineer'>['info'],
  reads: [],
  decisions: MlEngineerDecisions,
  run() {
    throw new Error('ml_engineer is not implemented yet');
  },
};
