import { PHASES } from '../graph.js';
import type { PhaseDefinition } from '../types.js';
import { DataEngineerDecisions } from './decisions.js';

// Placeholder until the phase is implemented.
export const dataEngineer: PhaseDefinition<'data_engineer'> = {
  info: PHASES.data_engineer as PhaseDefinition<'data_engineer'>['info'],
  reads: [],
  decisions: DataEngineerDecisions,
  run() {
    throw new Error('data_engineer is not implemented yet');
  },
};
