import { z } from 'zod';
import { OptionsSchema } from '../spec/schema.js';
import { READ_ONLY, defineTool } from './tool.js';

export const ListPipelinesInput = z.strictObject({
  limit: z.number().int().min(1).max(500).default(50).describe('At most this many pipelines'),
  offset: z.number().int().min(0).default(0).describe('Skip this many (for paging)'),
});

export const ListPipelinesOutput = z.object({
  total: z.number(),
  pipelines: z.array(
    z.object({
      pipeline_id: z.string(),
      name: z.string(),
      revision: z.number(),
      updated_at: z.string(),
      updated_by: z.string(),
      options: OptionsSchema,
      phases: z.record(z.string(), z.string()),
    }),
  ),
});

export const listPipelines = defineTool({
  name: 'list_pipelines',
  title: 'List pipelines',
  description: 'Pipelines in this database, most recently changed first, with their options and phase statuses.',
  input: ListPipelinesInput,
  output: ListPipelinesOutput,
  annotations: READ_ONLY,
  async handler(args, { app }) {
    const { rows, total } = app.store.listPipelines(args.limit, args.offset);
    const pipelines = rows.map((row) => {
      const view = app.service.view(row.id);
      return {
        pipeline_id: row.id,
        name: row.name,
        revision: row.current_revision,
        updated_at: row.updated_at,
        updated_by: row.updated_by,
        options: view.spec.options,
        phases: Object.fromEntries(view.phases.map((s) => [s.phase, s.status])),
      };
    });
    const done = (p: (typeof pipelines)[number]) => Object.values(p.phases).filter((s) => s === 'succeeded').length;
    return {
      structured: { total, pipelines },
      text:
        total === 0
          ? 'No pipelines yet. Call create_pipeline with the requirements to start one.'
          : [`${total} pipeline${total === 1 ? '' : 's'}:`, ...pipelines.map((p) => `- ${p.name} (${p.pipeline_id}), revision ${p.revision}, ${done(p)}/7 phases current, changed ${p.updated_at} by ${p.updated_by}`)].join('\n'),
    };
  },
});
