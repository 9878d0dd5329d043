import { dataEngineer } from './data_engineer/index.js';
import { dataScientist } from './data_scientist/index.js';
import type { PhaseId } from './graph.js';
import { kubernetesArchitect } from './kubernetes_architect/index.js';
import { mlEngineer } from './ml_engineer/index.js';
import { mlopsEngineer } from './mlops_engineer/index.js';
import { observabilityEngineer } from './observability_engineer/index.js';
import { pythonPro } from './python_pro/index.js';
import type { PhaseDefinition } from './types.js';

export const PHASE_DEFINITIONS: { [P in PhaseId]: PhaseDefinition<P> } = {
  data_engineer: dataEngineer,
  data_scientist: dataScientist,
  ml_engineer: mlEngineer,
  python_pro: pythonPro,
  mlops_engineer: mlopsEngineer,
  kubernetes_architect: kubernetesArchitect,
  observability_engineer: observabilityEngineer,
};
