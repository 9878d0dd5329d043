import { PHASES } from '../graph.js';
import type { PhaseDefinition } from '../types.js';
import { KubernetesArchitectDecisions } from './decisions.js';

// Placeholder until the phase is implemented.
export const kubernetesArchitect: PhaseDefinition<'kubernetes_architect'> = {
  info: PHASES.kubernetes_architect as PhaseDefinition<'kubernetes_architect'>['info'],
  reads: [],
  decisions: KubernetesArchitectDecisions,
  run() {
    throw new Error('kubernetes_architect is not implemented yet');
  },
};
