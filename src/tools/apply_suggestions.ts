import { z } from 'zod';
import { SpecSchema } from '../spec/schema.js';
import { defineTool } from './tool.js';
import { SuggestionOut, nextStep, phaseId, pipelineId, suggestionOut } from './shared.js';

export const ApplySuggestionsInput = z.strictObject({
  pipeline_id: pipelineId,
  suggestion_ids: z
    .array(z.string().min(1).max(100))
    .min(1)
    .max(50)
    .describe('Ids of proposed spec changes (get_pipeline lists the open ones), applied in this order as one new revision'),
  action: z.enum(['apply', 'dismiss']).default('apply').describe('"apply" merges the patches into the spec; "dismiss" closes them without a change'),
  expected_revision: z.number().int().min(1).optional().describe('Refuse the change unless the spec is still at this revision'),
});

export const ApplySuggestionsOutput = z.object({
  pipeline_id: z.string(),
  action: z.enum(['apply', 'dismiss']),
  revision: z.number(),
  changed_paths: z.array(z.string()),
  stale_phases: z.array(phaseId),
  resolved: z.array(SuggestionOut),
  open: z.array(SuggestionOut).describe('Suggestions still open'),
  spec: SpecSchema,
  next_step: z.string(),
});

export const applySuggestions = defineTool({
  name: 'apply_suggestions',
  title: 'Apply or dismiss proposed spec changes',
  description:
    'Applies spec changes that an LLM engine proposed in a phase run (engine "sampling" or "anthropic"), as one new spec revision, or dismisses them. Nothing a model proposes changes the spec until this is called; call it only when the user asks for specific proposals. A proposal whose fields changed after it was made is refused. Phases that read a changed field become stale, as with update_pipeline.',
  input: ApplySuggestionsInput,
  output: ApplySuggestionsOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async handler(args, { app, actor }) {
    const result = app.service.resolveSuggestions(args.pipeline_id, args.suggestion_ids, args.action, actor, args.expected_revision);
    const view = app.service.view(args.pipeline_id);
    const all = app.service.suggestions(args.pipeline_id);
    const wanted = new Set(args.suggestion_ids);
    const resolved = all.filter((s) => wanted.has(s.id));
    const open = all.filter((s) => s.status === 'open');
    return {
      structured: {
        pipeline_id: args.pipeline_id,
        action: args.action,
        revision: result.revision,
        changed_paths: result.changed,
        stale_phases: result.staled,
        resolved: resolved.map(suggestionOut),
        open: open.map(suggestionOut),
        spec: result.spec,
        next_step: nextStep(view),
      },
      text: [
        args.action === 'dismiss'
          ? `Dismissed ${resolved.map((s) => s.id).join(', ')}; the spec is unchanged (revision ${result.revision}).`
          : result.changed.length
            ? `Applied ${resolved.map((s) => s.id).join(', ')} as spec revision ${result.revision}: changed ${result.changed.join(', ')}.`
            : `The spec already holds what ${resolved.map((s) => s.id).join(', ')} propose${resolved.length > 1 ? '' : 's'}; marked applied at revision ${result.revision}.`,
        result.staled.length ? `Now stale: ${result.staled.join(', ')}.` : '',
        open.length ? `Still open: ${open.map((s) => s.id).join(', ')}.` : '',
        nextStep(view),
      ]
        .filter(Boolean)
        .join('\n'),
    };
  },
});
