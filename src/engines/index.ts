import { UserError } from '../errors.js';
import type { PhaseId } from '../phases/graph.js';
import type { DecisionsByPhase } from '../phases/types.js';
import type { ResolvedSpec } from '../spec/resolve.js';
import { templateEngine } from './template.js';
import type { Artifact } from '../artifacts/artifact.js';

export const ENGINE_NAMES = ['template', 'sampling', 'anthropic'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

export interface EngineRequest {
  phase: PhaseId;
  spec: ResolvedSpec;
  upstream: Partial<DecisionsByPhase>;
  notes?: string;
}

export interface EngineResult {
  document: string;
  decisions: unknown;
  artifacts: Artifact[];
  model: string | null;
  promptVersion: string | null;
}

/** How a phase thinks. Engines may change the document and proposals, never the artifacts (those come from the generators). */
export interface Engine {
  name: EngineName;
  runPhase(request: EngineRequest): Promise<EngineResult>;
}

const AVAILABLE: Partial<Record<EngineName, Engine>> = { template: templateEngine };

export function resolveEngine(name: EngineName): Engine {
  const engine = AVAILABLE[name];
  if (!engine) {
    throw new UserError(
      `The "${name}" engine is not available in this version of mlops-mcp; use engine "template" (the default, offline and deterministic).`,
      'unavailable',
    );
  }
  return engine;
}
