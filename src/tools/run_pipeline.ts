import { z } from 'zod';
import { PHASE_IDS } from '../phases/graph.js';
import { defineTool } from './tool.js';
import { PhaseStateOut, engine, nextStep, notes, phaseId, phaseStates, pipelineId, streamingSession } from './shared.js';

export const RunPipelineInput = z.strictObject({
  pipeline_id: pipelineId,
  phases: z.array(phaseId).max(PHASE_IDS.length).optional().describe('Phases to bring up to date (their upstream phases run too when needed); all when absent'),
  force: z.boolean().default(false).describe('Re-run the requested phases even when they are current'),
  engine,
  notes,
});

export const RunPipelineOutput = z.object({
  pipeline_id: z.string(),
  ran: z.array(phaseId),
  skipped: z.array(phaseId).describe('Phases that were already current'),
  phases: z.array(PhaseStateOut),
  next_step: z.string(),
});

export const runPipeline = defineTool({
  name: 'run_pipeline',
  title: 'Run pipeline phases in order',
  description:
    'Runs the requested phases (default: all seven) and every phase they need, in order, skipping phases that are already current unless force is set. Sends a progress notification per phase.',
  input: RunPipelineInput,
  output: RunPipelineOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler(args, ctx) {
    const { app, actor, progress, signal } = ctx;
    let current: { phase: string; index: number; total: number } = { phase: '', index: 0, total: PHASE_IDS.length };
    // A streamed answer moves the bar within its phase: index + a fraction that approaches but never reaches 1.
    const session = streamingSession(ctx, () => ({ at: (chars) => current.index + chars / (chars + 4000), total: current.total, label: current.phase }));
    const { ran, skipped } = await app.service.runPipeline(
      args.pipeline_id,
      { phases: args.phases, force: args.force, engine: args.engine, notes: args.notes, actor, session },
      async ({ phase, index, total, state }) => {
        if (signal.aborted) throw new Error('cancelled by the client');
        current = { phase, index, total };
        const done = state === 'started' ? index : index + 1;
        await progress(done, total, `${phase}: ${state}`);
      },
    );
    const view = app.service.view(args.pipeline_id);
    return {
      structured: { pipeline_id: args.pipeline_id, ran, skipped, phases: phaseStates(view, app.team.reviews(args.pipeline_id, view)), next_step: nextStep(view) },
      text: [
        ran.length ? `Ran ${ran.join(' → ')}.` : 'Nothing to run: every requested phase is current (pass force: true to re-run).',
        skipped.length ? `Already current: ${skipped.join(', ')}.` : '',
        `Read each document with the resource mlops://pipelines/${args.pipeline_id}/phases/{phase}.`,
        nextStep(view),
      ]
        .filter(Boolean)
        .join('\n'),
    };
  },
});
