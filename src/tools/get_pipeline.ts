import { z } from 'zod';
import type { AppContext } from '../app.js';
import { usageTotals } from '../engines/prices.js';
import { SpecSchema } from '../spec/schema.js';
import { READ_ONLY, defineTool } from './tool.js';
import { PhaseStateOut, SuggestionOut, nextStep, phaseStates, pipelineId, suggestionOut } from './shared.js';

export const GetPipelineInput = z.strictObject({ pipeline_id: pipelineId });

export const GetPipelineOutput = z.object({
  pipeline_id: z.string(),
  name: z.string(),
  revision: z.number(),
  created_at: z.string(),
  updated_at: z.string(),
  updated_by: z.string(),
  spec: SpecSchema,
  phases: z.array(PhaseStateOut),
  revisions: z.array(z.object({ revision: z.number(), actor: z.string(), created_at: z.string(), changed_paths: z.array(z.string()) })),
  suggestions: z.array(SuggestionOut).describe('Open spec changes proposed by LLM engines; apply or dismiss them with apply_suggestions'),
  llm_usage: z
    .object({
      input_tokens: z.number(),
      output_tokens: z.number(),
      cost_usd: z.number().describe('Sum of the priced runs'),
      unpriced_runs: z.number().describe('Runs with tokens but no price on file (or billed by the MCP client)'),
    })
    .describe("Tokens and cost of the LLM engines' reviews in the current runs of every phase"),
  next_step: z.string(),
});

export type PipelineDetail = ReturnType<typeof computeDetail>;

/**
 * The pipeline as get_pipeline reports it; the web UI's GET /api/pipelines/:id sends the same body, and more.
 * Cached until the next change to the database; callers must not modify what they get.
 */
export function pipelineDetail(app: AppContext, pipelineId: string): PipelineDetail {
  return app.details.get(pipelineId, () => computeDetail(app, pipelineId));
}

function computeDetail(app: AppContext, pipelineId: string) {
  const view = app.service.view(pipelineId);
  const reviews = app.team.reviews(pipelineId, view);
  return {
    view,
    reviews,
    detail: {
      pipeline_id: view.pipeline.id,
      name: view.spec.name,
      revision: view.pipeline.current_revision,
      created_at: view.pipeline.created_at,
      updated_at: view.pipeline.updated_at,
      updated_by: view.pipeline.updated_by,
      spec: view.spec,
      phases: phaseStates(view, reviews),
      revisions: app.store.listRevisions(view.pipeline.id),
      suggestions: app.service.suggestions(pipelineId, 'open').map(suggestionOut),
      llm_usage: usageTotals(view.phases.map((s) => s.current?.usage ?? null)),
      next_step: nextStep(view),
    },
  };
}

export const getPipeline = defineTool({
  name: 'get_pipeline',
  title: 'Get a pipeline',
  description: 'The current spec, its revision, and each phase\'s status (not_run, running, succeeded, stale, failed) with the run that produced it.',
  input: GetPipelineInput,
  output: GetPipelineOutput,
  annotations: READ_ONLY,
  async handler(args, { app }) {
    const { view, detail } = pipelineDetail(app, args.pipeline_id);
    const { phases, suggestions, llm_usage: usage } = detail;
    return {
      structured: detail,
      text: [
        `Pipeline ${view.spec.name} (id ${view.pipeline.id}), spec revision ${view.pipeline.current_revision}, last change by ${view.pipeline.updated_by} at ${view.pipeline.updated_at}.`,
        ...phases.map(
          (p) =>
            `- ${p.phase}: ${p.status}${p.engine && p.engine !== 'template' ? ` [${p.engine}${p.model ? ` ${p.model}` : ''}${p.usage?.cost_usd ? `, $${p.usage.cost_usd.toFixed(4)}` : ''}]` : ''}` +
            `${p.stale_reason && p.status === 'stale' ? ` (${p.stale_reason})` : ''}${p.error ? ` (${p.error})` : ''}${p.engine_note ? ` (engine note: ${p.engine_note})` : ''}`,
        ),
        usage.input_tokens + usage.output_tokens > 0 ? `LLM usage of the current runs: ${usage.input_tokens} input and ${usage.output_tokens} output tokens, $${usage.cost_usd.toFixed(4)}${usage.unpriced_runs ? ` (+${usage.unpriced_runs} unpriced runs)` : ''}.` : '',
        suggestions.length ? `Open proposed spec changes: ${suggestions.map((s) => `${s.id} (${s.phase})`).join(', ')}; each phase's model review describes them. Apply or dismiss them with apply_suggestions when the user asks.` : '',
        nextStep(view),
      ]
        .filter(Boolean)
        .join('\n'),
    };
  },
});
