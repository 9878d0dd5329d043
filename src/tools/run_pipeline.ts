import { z } from 'zod';
import { usageTotals } from '../engines/prices.js';
import { PHASE_IDS } from '../phases/graph.js';
import { defineTool } from './tool.js';
import { PhaseStateOut, SuggestionOut, engine, nextStep, notes, phaseId, phaseStates, pipelineId, streamingSession, suggestionOut } from './shared.js';

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
  suggestions: z.array(SuggestionOut).describe('Spec changes the LLM engine proposed in the runs of this call; nothing is applied until apply_suggestions'),
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
    const runs = view.phases.filter((s) => ran.includes(s.phase) && s.current).map((s) => s.current!);
    const runIds = new Set(runs.map((r) => r.id));
    const suggestions = app.service.suggestions(args.pipeline_id, 'open').filter((s) => runIds.has(s.run_id));
    const usage = usageTotals(runs.map((r) => r.usage));
    const tokens = usage.input_tokens + usage.output_tokens;
    return {
      structured: {
        pipeline_id: args.pipeline_id,
        ran,
        skipped,
        phases: phaseStates(view, app.team.reviews(args.pipeline_id, view)),
        suggestions: suggestions.map(suggestionOut),
        next_step: nextStep(view),
      },
      text: [
        ran.length ? `Ran ${ran.join(' → ')}.` : 'Nothing to run: every requested phase is current (pass force: true to re-run).',
        skipped.length ? `Already current: ${skipped.join(', ')}.` : '',
        ...runs.filter((r) => r.engine_note).map((r) => `No model review for ${r.phase}: ${r.engine_note}`),
        tokens > 0 ? `Model usage: ${tokens} tokens, $${usage.cost_usd.toFixed(4)} at list price.` : '',
        suggestions.length
          ? `Proposed spec changes, not applied: ${suggestions.map((s) => `${s.id} (${s.phase})`).join(', ')}; each phase's model review describes them. Apply or dismiss them with apply_suggestions when the user asks.`
          : '',
        `Read each document with the resource mlops://pipelines/${args.pipeline_id}/phases/{phase}.`,
        nextStep(view),
      ]
        .filter(Boolean)
        .join('\n'),
    };
  },
});
