import { artifact, type Artifact } from '../artifacts/artifact.js';
import { PHASES, PHASE_IDS, ancestors, type PhaseId } from '../phases/graph.js';
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

/** Where a phase's document lives in the bundle; numbered in run order so docs/phases reads top to bottom. */
export function documentPath(phase: PhaseId): string {
  return `docs/phases/${String(PHASE_IDS.indexOf(phase) + 1).padStart(2, '0')}-${PHASES[phase].agent}.md`;
}

/** The files a phase run contributes to the bundle: its document, then its artifacts. */
export function phaseFiles(phase: PhaseId, output: { document: string; artifacts: Artifact[] }): Artifact[] {
  const files = [artifact(phase, documentPath(phase), 'markdown', output.document), ...output.artifacts];
  const duplicate = files.map((a) => a.path).find((p, i, all) => all.indexOf(p) !== i);
  if (duplicate) throw new Error(`${phase} produced ${duplicate} twice`);
  return files;
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
  return { outputs, artifacts: PHASE_IDS.flatMap((p) => (outputs[p] ? phaseFiles(p, outputs[p]!) : [])) };
}
