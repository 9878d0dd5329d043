import { z } from 'zod';
import { ENGINE_NAMES } from '../engines/index.js';
import { PHASE_IDS, type PhaseId } from '../phases/graph.js';
import type { PhaseReviewState } from '../pipeline/team.js';
import type { PipelineView } from '../pipeline/service.js';

export const pipelineId = z.string().min(1).max(100).describe('Pipeline id as returned by create_pipeline (e.g. pl_3f2a…)');
export const engine = z.enum(ENGINE_NAMES).optional().describe('How the phase thinks: "template" (default; offline, deterministic). LLM engines come later.');
export const notes = z.string().max(10_000).optional().describe('Extra guidance from the user for this run; shown in the document');
export const phaseId = z.enum(PHASE_IDS);

export const PhaseStateOut = z.object({
  phase: phaseId,
  agent: z.string(),
  tool: z.string().describe('The tool that runs this phase'),
  status: z.enum(['not_run', 'running', 'succeeded', 'failed', 'stale']),
  run_id: z.string().nullable(),
  engine: z.string().nullable(),
  spec_revision: z.number().nullable(),
  stale_reason: z.string().nullable(),
  error: z.string().nullable(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  duration_ms: z.number().nullable(),
  review: z
    .object({
      verdict: z.enum(['approved', 'changes_requested']),
      reviewer: z.string(),
      comment: z.string().nullable(),
      created_at: z.string(),
    })
    .nullable()
    .describe("The latest review of this phase's current run (approve / request changes, from the team web UI); null when nobody reviewed it"),
});

export function phaseStates(view: PipelineView, reviews: Record<PhaseId, PhaseReviewState>): z.input<typeof PhaseStateOut>[] {
  return view.phases.map((s) => {
    const review = reviews[s.phase].latest;
    const run = s.status === 'failed' || s.status === 'running' ? s.run : s.current;
    return {
      phase: s.phase,
      agent: s.agent,
      tool: s.tool,
      status: s.status,
      run_id: run?.id ?? null,
      engine: run?.engine ?? null,
      spec_revision: run?.spec_revision ?? null,
      stale_reason: s.current?.stale_reason ?? null,
      error: s.status === 'failed' ? (s.run?.error ?? null) : null,
      started_at: run?.started_at ?? null,
      finished_at: run?.finished_at ?? null,
      duration_ms: run?.duration_ms ?? null,
      review: review ? { verdict: review.verdict, reviewer: review.reviewer, comment: review.comment, created_at: review.created_at } : null,
    };
  });
}

/** What to do next, so a chat model (or a person) never has to guess the order of calls. */
export function nextStep(view: PipelineView): string {
  const pending = view.phases.find((s) => s.status !== 'succeeded');
  if (!pending) return 'Every phase is current. Next: validate_artifacts, score_success_criteria, export_bundle.';
  if (pending.status === 'running') return `${pending.phase} is running; check again with get_pipeline.`;
  const verb = pending.status === 'stale' ? 're-run' : pending.status === 'failed' ? 'retry' : 'run';
  return `Next: ${verb} ${pending.phase} (call the ${pending.tool} tool), or call run_pipeline to run every remaining phase in order.`;
}

export function statusLine(view: PipelineView): string {
  return view.phases.map((s) => `${s.phase}: ${s.status}`).join(', ');
}

export const ArtifactRef = z.object({
  path: z.string(),
  kind: z.string(),
  sha256: z.string(),
  bytes: z.number(),
});
