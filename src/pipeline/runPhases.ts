import type { Artifact } from '../artifacts/artifact.js';
import { PHASE_IDS, ancestors, type PhaseId } from '../phases/graph.js';
import { PHASE_DEFINITIONS } from '../phases/registry.js';
import type { DecisionsByPhase, PhaseDefinition, PhaseInput, PhaseOutput } from '../phases/types.js';
import type { ResolvedSpec } from '../spec/resolve.js';

/** Runs one phase definition with the given upstream decisions, checking its decisions against its own schema. */
export function executePhase<P extends PhaseId>(phase: P, spec: ResolvedSpec, upstream: Partial<DecisionsByPhase>, notes?: string): PhaseOutput<P> {
  const def = PHASE_DEFINITIONS[phase] as unknown as PhaseDefinition<P>;
  const needed = ancestors(phase);
  const missing = needed.filter((p) => upstream[p] === undefined);
  if (missing.length > 0) throw new Error(`${phase} needs the decisions of ${missing.join(', ')}`);
  const picked = Object.fromEntries(needed.map((p) => [p, upstream[p]])) as PhaseInput<P>['upstream'];
  const output = def.run({ spec, notes, upstream: picked });
  def.decisions.parse(output.decisions);
  return output;
}

/** Every phase in order, in memory (no store): what `design` and the tests use to get a whole bundle quickly. */
export function runAllPhases(spec: ResolvedSpec, until: PhaseId = 'observability_engineer'): { outputs: Partial<{ [P in PhaseId]: PhaseOutput<P> }>; artifacts: Artifact[] } {
  const upstream: Partial<DecisionsByPhase> = {};
  const outputs: Partial<{ [P in PhaseId]: PhaseOutput<P> }> = {};
  for (const phase of PHASE_IDS.slice(0, PHASE_IDS.indexOf(until) + 1)) {
    const out = executePhase(phase, spec, upstream);
    (outputs as Record<string, unknown>)[phase] = out;
    (upstream as Record<string, unknown>)[phase] = out.decisions;
  }
  return { outputs, artifacts: Object.values(outputs).flatMap((o) => o.artifacts) };
}
