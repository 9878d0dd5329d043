import { PHASES } from '../graph.js';
import type { PhaseDefinition } from '../types.js';
import { PythonProDecisions } from './decisions.js';

// Placeholder until the phase is implemented.
export const pythonPro: PhaseDefinition<'python_pro'> = {
  info: PHASES.python_pro as PhaseDefinition<'python_pro'>['info'],
  reads: [],
  decisions: PythonProDecisions,
  run() {
    throw new Error('python_pro is not implemented yet');
  },
};
