import type { z } from 'zod';
import type { Artifact } from '../artifacts/artifact.js';
import type { ResolvedSpec } from '../spec/resolve.js';
import type { DataEngineerDecisions } from './data_engineer/decisions.js';
import type { DataScientistDecisions } from './data_scientist/decisions.js';
import type { PhaseId, PhaseInfo } from './graph.js';
import type { KubernetesArchitectDecisions } from './kubernetes_architect/decisions.js';
import type { MlEngineerDecisions } from './ml_engineer/decisions.js';
import type { MlopsEngineerDecisions } from './mlops_engineer/decisions.js';
import type { ObservabilityEngineerDecisions } from './observability_engineer/decisions.js';
import type { PythonProDecisions } from './python_pro/decisions.js';

export interface DecisionsByPhase {
  data_engineer: DataEngineerDecisions;
  data_scientist: DataScientistDecisions;
  ml_engineer: MlEngineerDecisions;
  python_pro: PythonProDecisions;
  mlops_engineer: MlopsEngineerDecisions;
  kubernetes_architect: KubernetesArchitectDecisions;
  observability_engineer: ObservabilityEngineerDecisions;
}

/** What a phase receives: the spec, the user's notes, and the decisions of every phase upstream of it. */
export interface PhaseInput<P extends PhaseId> {
  spec: ResolvedSpec;
  notes?: string;
  upstream: Pick<DecisionsByPhase, UpstreamOf<P>>;
}

/** What a phase produces. The document has one section per deliverable bullet of the agent in the source document. */
export interface PhaseOutput<P extends PhaseId> {
  document: string;
  decisions: DecisionsByPhase[P];
  artifacts: Artifact[];
}

type Ancestors = {
  data_engineer: never;
  data_scientist: 'data_engineer';
  ml_engineer: 'data_engineer' | 'data_scientist';
  python_pro: 'data_engineer' | 'data_scientist' | 'ml_engineer';
  mlops_engineer: 'data_engineer' | 'data_scientist' | 'ml_engineer' | 'python_pro';
  kubernetes_architect: 'data_engineer' | 'data_scientist' | 'ml_engineer' | 'python_pro' | 'mlops_engineer';
  observability_engineer: Exclude<PhaseId, 'observability_engineer'>;
};
export type UpstreamOf<P extends PhaseId> = Ancestors[P];

export interface PhaseDefinition<P extends PhaseId> {
  info: PhaseInfo & { id: P };
  /**
   * Spec paths (dotted prefixes, e.g. "options.serving_platform", "slo") the phase reads directly. A spec
   * change under one of them makes the phase's run stale (and, through the graph, every later one).
   */
  reads: readonly string[];
  decisions: z.ZodType<DecisionsByPhase[P]>;
  /** Pure and deterministic: the same input gives byte-identical output. */
  run(input: PhaseInput<P>): PhaseOutput<P>;
}
