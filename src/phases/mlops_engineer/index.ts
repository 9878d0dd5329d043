import { PHASES } from '../graph.js';
import type { PhaseDefinition } from '../types.js';
import { MlopsEngineerDecisions } from './decisions.js';

// Placeholder until the phase is implemented.
export const mlopsEngineer: PhaseDefinition<'mlops_engineer'> = {
  info: PHASES.mlops_engineer as PhaseDefinition<'mlops_engineer'>['info'],
  reads: [],
  decisions: MlopsEngineerDecisions,
  run() {
    throw new Error('mlops_engineer is not implemented yet');
  },
};
