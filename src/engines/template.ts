import { executePhase } from '../pipeline/runPhases.js';
import type { Engine } from './index.js';

/** The default engine: the phase modules' own deterministic derivations, no model involved. */
export const templateEngine: Engine = {
  name: 'template',
  async runPhase({ phase, spec, upstream, notes }) {
    const output = executePhase(phase, spec, upstream, notes);
    return { ...output, model: null, promptVersion: null };
  },
};
