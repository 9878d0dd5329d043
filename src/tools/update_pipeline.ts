import { z } from 'zod';
import { SpecPatchSchema } from '../spec/patch.js';
import { SpecSchema } from '../spec/schema.js';
import { defineTool } from './tool.js';
import { nextStep, pipelineId, phaseId } from './shared.js';

export const UpdatePipelineInput = z.strictObject({
  pipeline_id: pipelineId,
  patch: SpecPatchSchema,
  expected_revision: z.number().int().min(1).optional().describe('Refuse the change unless the spec is still at this revision (protects against concurrent edits)'),
});

export const UpdatePipelineOutput = z.object({
  pipeline_id: z.string(),
  revision: z.number(),
  changed_paths: z.array(z.string()),
  stale_phases: z.array(phaseId),
  spec: SpecSchema,
  next_step: z.string(),
});

export const updatePipeline = defineTool({
  name: 'update_pipeline',
  title: 'Change a pipeline spec',
  description:
    'Applies a deep-partial patch to the spec (objects merge, arrays replace whole, null restores the default) and stores a new revision. Phases that read a changed field, and every phase downstream of them, become stale.',
  input: UpdatePipelineInput,
  output: UpdatePipelineOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler(args, { app, actor }) {
    const result = app.service.update(args.pipeline_id, args.patch, actor, args.expected_revision);
    const view = app.service.view(args.pipeline_id);
    return {
      structured: { pipeline_id: args.pipeline_id, revision: result.revision, changed_paths: result.changed, stale_phases: result.staled, spec: result.spec, next_step: nextStep(view) },
      text:
        result.changed.length === 0
          ? `Nothing changed: the patch leaves the spec as it is (revision ${result.revision}).`
          : [
              `Spec revision ${result.revision}: changed ${result.changed.join(', ')}.`,
              result.staled.length ? `Now stale: ${result.staled.join(', ')}.` : 'No phase output depended on these fields.',
              nextStep(view),
            ].join('\n'),
    };
  },
});
