import { z } from 'zod';
import type { AppContext } from '../app.js';
import { SpecSchema } from '../spec/schema.js';
import { READ_ONLY, defineTool } from './tool.js';
import { PhaseStateOut, nextStep, phaseStates, pipelineId } from './shared.js';

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
  next_step: z.string(),
});

/** The pipeline as get_pipeline reports it; the web UI's GET /api/pipelines/:id sends the same body, and more. */
export function pipelineDetail(app: AppContext, pipelineId: string) {
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
    const phases = detail.phases;
    return {
      structured: detail,
      text: [
        `Pipeline ${view.spec.name} (id ${view.pipeline.id}), spec revision ${view.pipeline.current_revision}, last change by ${view.pipeline.updated_by} at ${view.pipeline.updated_at}.`,
        ...phases.map((p) => `- ${p.phase}: ${p.status}${p.stale_reason && p.status === 'stale' ? ` (${p.stale_reason})` : ''}${p.error ? ` (${p.error})` : ''}`),
        nextStep(view),
      ].join('\n'),
    };
  },
});
