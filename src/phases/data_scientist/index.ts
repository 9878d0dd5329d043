import { PHASES } from '../graph.js';
import type { PhaseDefinition } from '../types.js';
import { DataScientistDecisions } from './decisions.js';

// Placeholder until the phase is implemented.
export const dataScientist: PhaseDefinition<'data_scientist'> = {
  info: PHASES.data_scientist as PhaseDefinition<'data_scientist'>['info'],
  reads: [],
  decisions: DataScientistDecisions,
  run() {
    throw new Error('data_scientist is not implemented yet');
  },
};
