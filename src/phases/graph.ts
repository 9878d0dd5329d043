/**
 * The seven agents of the source document, in the order they run, with the hand-offs it names
 * ("using {phase1.data-engineer.output}" and so on). `handoff` is the placeholder of the phase's output in the
 * source document's prompts.
 */
export const PHASE_IDS = [
  'data_engineer',
  'data_scientist',
  'ml_engineer',
  'python_pro',
  'mlops_engineer',
  'kubernetes_architect',
  'observability_engineer',
] as const;

export type PhaseId = (typeof PHASE_IDS)[number];

export interface PhaseInfo {
  id: PhaseId;
  agent: string;
  stage: 1 | 2 | 3 | 4;
  stageTitle: string;
  title: string;
  handoff: string;
  upstream: readonly PhaseId[];
}

export const PHASES: Record<PhaseId, PhaseInfo> = {
  data_engineer: { id: 'data_engineer', agent: 'data-engineer', stage: 1, stageTitle: 'Data and requirements analysis', title: 'Data flow design', handoff: 'phase1.data-engineer.output', upstream: [] },
  data_scientist: { id: 'data_scientist', agent: 'data-scientist', stage: 1, stageTitle: 'Data and requirements analysis', title: 'Features and model requirements', handoff: 'phase1.data-scientist.output', upstream: ['data_engineer'] },
  ml_engineer: { id: 'ml_engineer', agent: 'ml-engineer', stage: 2, stageTitle: 'Model development and training', title: 'Training pipeline', handoff: 'phase2.ml-engineer.output', upstream: ['data_scientist', 'data_engineer'] },
  python_pro: { id: 'python_pro', agent: 'python-pro', stage: 2, stageTitle: 'Model development and training', title: 'Production-grade ML code', handoff: 'phase2.python-pro.output', upstream: ['ml_engineer'] },
  mlops_engineer: { id: 'mlops_engineer', agent: 'mlops-engineer', stage: 3, stageTitle: 'Production deployment and serving', title: 'Production deployment', handoff: 'phase3.mlops-engineer.output', upstream: ['ml_engineer', 'python_pro'] },
  kubernetes_architect: { id: 'kubernetes_architect', agent: 'kubernetes-architect', stage: 3, stageTitle: 'Production deployment and serving', title: 'Kubernetes infrastructure', handoff: 'phase3.kubernetes-architect.output', upstream: ['mlops_engineer'] },
  observability_engineer: { id: 'observability_engineer', agent: 'observability-engineer', stage: 4, stageTitle: 'Monitoring and continuous improvement', title: 'Monitoring and continuous improvement', handoff: 'phase4.observability-engineer.output', upstream: ['mlops_engineer', 'kubernetes_architect'] },
};

/** Every phase the given one depends on, directly or not, in run order. */
export function ancestors(phase: PhaseId): PhaseId[] {
  const seen = new Set<PhaseId>();
  const visit = (p: PhaseId) => {
    for (const u of PHASES[p].upstream) {
      if (!seen.has(u)) {
        seen.add(u);
        visit(u);
      }
    }
  };
  visit(phase);
  return PHASE_IDS.filter((p) => seen.has(p));
}

/** Every phase that depends on the given one, directly or not, in run order. */
export function descendants(phase: PhaseId): PhaseId[] {
  return PHASE_IDS.filter((p) => ancestors(p).includes(phase));
}

export function isPhaseId(value: string): value is PhaseId {
  return (PHASE_IDS as readonly string[]).includes(value);
}
