import { z } from 'zod';
import { SpecSchema } from '../spec/schema.js';
import { SpecPatchSchema } from '../spec/patch.js';
import { slug } from '../spec/schema.js';
import { defineTool } from './tool.js';
import { nextStep } from './shared.js';

export const CreatePipelineInput = z.strictObject({
requirements: z.string().min(1).max(20_000).describe('What the ML pipeline is for, in the user\'s words; structured hints (sources, p99, rps, GPUs, tools) are read from it'),
name: slug.optional().describe('Pipeline name (slug); derived from the requirements when absent'),
spec: SpecPatchSchema.optional().describe('Any structured spec fields (deep-partial): they win over what is read from the requirements'),
});

export const CreatePipelineOutput = z.object({
pipeline_id: z.string(),
name: z.string(),
revision: z.number(),
inferred: z.array(z.string()).describe('Spec fields read from the requirements text; correct them with update_pipeline if wrong'),
spec: SpecSchema.describe('The stored spec with every default filled'),
next_step: z.string(),
});

export const createPipeline = defineTool({
  name: 'create_pipeline',
  title: 'Create an ML pipeline design',
  description:
    'Starts a new pipeline design from free-text requirements plus optional structured fields (problem, data sources and features, SLOs, scale, the seven options, team). Missing fields get the source document\'s defaults. Returns pipeline_id for every other tool.',
  input: CreatePipelineInput,
  output: CreatePipelineOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async handler(args, { app, actor }) {
    const { view, inferred } = app.service.create({ requirements: args.requirements, name: args.name, spec: args.spec as Record<string, unknown> | undefined }, actor);
    const o = view.spec.options;
    return {
      structured: { pipeline_id: view.pipeline.id, name: view.spec.name, revision: view.pipeline.current_revision, inferred, spec: view.spec, next_step: nextStep(view) },
      text: [
        `Created pipeline ${view.spec.name} (id ${view.pipeline.id}), revision 1.`,
        `Problem: ${view.spec.problem.type}; sources: ${view.spec.data.sources.map((s) => `${s.name} (${s.kind})`).join(', ')}; ${view.spec.data.features.length} features.`,
        `Options: ${Object.entries(o).map(([k, v]) => `${k}=${v}`).join(', ')}.`,
        inferred.length ? `Read from the requirements: ${inferred.join(', ')}.` : 'Nothing was inferred from the requirements; defaults fill what was not given.',
        nextStep(view),
      ].join('\n'),
    };
  },
});
