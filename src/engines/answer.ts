import { z } from 'zod';
import { formatZodError } from '../errors.js';
import { changedPaths, mergePatch } from '../spec/merge.js';
import { SpecPatchSchema } from '../spec/patch.js';
import { resolveSpec, type ResolvedSpec } from '../spec/resolve.js';

/** Fields a proposal may not touch: the user's own words and identity, and how the pipeline is run. */
const NOT_PROPOSABLE = ['name', 'requirements', 'engine'] as const;

const line = (max: number) => z.string().trim().min(1).max(max);

export const ModelAnswerSchema = z.object({
  narrative: line(16_000).describe("Markdown: this phase's analysis of the pipeline, in the agent's voice, citing figures from the spec and the decisions"),
  spec_changes: z
    .array(
      z.object({
        title: line(200).describe('What the change does, in a few words'),
        rationale: line(2_000).describe('Why, with the figures it rests on'),
        patch: z.record(z.string(), z.unknown()).describe('A JSON merge patch of the spec: objects merge, arrays replace whole, null restores a default'),
      }),
    )
    .max(8)
    .default([])
    .describe('Changes to the spec you recommend; the user decides whether to apply them'),
  design_decisions: z
    .array(z.object({ topic: line(200), decision: line(2_000), rationale: line(2_000).optional() }))
    .max(16)
    .default([])
    .describe('Design decisions and recommendations that are not spec changes'),
});
export type ModelAnswer = z.output<typeof ModelAnswerSchema>;

export interface SpecChangeProposal {
  title: string;
  rationale: string;
  patch: Record<string, unknown>;
  /** The spec paths the patch changes. */
  changes: string[];
}

export interface ValidAnswer {
  narrative: string;
  specChanges: SpecChangeProposal[];
  designDecisions: ModelAnswer['design_decisions'];
}

/** The JSON object in a model's reply: the whole reply, a fenced ```json block, or the outermost braces around prose. */
export function extractJson(text: string): { value: unknown } | { error: string } {
  const trimmed = text.trim();
  const fenced = /```(?:json)?\s*\n([\s\S]*?)\n\s*```/.exec(trimmed);
  const candidates = [trimmed, fenced?.[1], trimmed.slice(trimmed.indexOf('{'), trimmed.lastIndexOf('}') + 1)].filter((c): c is string => !!c && c.length > 0);
  let firstError = '';
  for (const candidate of candidates) {
    try {
      return { value: JSON.parse(candidate) };
    } catch (error) {
      firstError ||= (error as Error).message;
    }
  }
  return { error: trimmed.length === 0 ? 'the reply was empty' : `the reply is not a JSON object (${firstError})` };
}

/**
 * Parses and checks a model's reply against the answer schema and the current spec: every proposed patch must be
 * a valid spec patch, leave a valid spec, and change something the model may change. Returns the problems as one
 * message the model can act on when it is asked again.
 */
export function validateAnswer(text: string, spec: ResolvedSpec): { ok: true; answer: ValidAnswer } | { ok: false; error: string } {
  const json = extractJson(text);
  if ('error' in json) return { ok: false, error: json.error };
  const parsed = ModelAnswerSchema.safeParse(json.value);
  if (!parsed.success) return { ok: false, error: `the JSON does not match the answer format:\n${formatZodError(parsed.error)}` };
  const problems: string[] = [];
  const specChanges: SpecChangeProposal[] = [];
  parsed.data.spec_changes.forEach((change, i) => {
    const where = `spec_changes[${i}] ("${change.title.slice(0, 60)}")`;
    const patch = SpecPatchSchema.safeParse(change.patch);
    if (!patch.success) return problems.push(`${where}: the patch is not a valid spec patch:\n${formatZodError(patch.error, 'patch')}`);
    const forbidden = NOT_PROPOSABLE.filter((k) => k in change.patch);
    if (forbidden.length) return problems.push(`${where}: a proposal may not change ${forbidden.join(', ')}; leave ${forbidden.length > 1 ? 'them' : 'it'} out`);
    let next: ResolvedSpec;
    try {
      next = resolveSpec(mergePatch(spec, change.patch), 'spec');
    } catch (error) {
      return problems.push(`${where}: applying the patch leaves an invalid spec: ${(error as Error).message}`);
    }
    const changes = changedPaths(spec, next);
    // A patch that restates the spec proposes nothing; it is dropped rather than argued over.
    if (changes.length > 0) specChanges.push({ title: change.title, rationale: change.rationale, patch: change.patch, changes });
  });
  if (problems.length) return { ok: false, error: problems.join('\n') };
  return { ok: true, answer: { narrative: parsed.data.narrative, specChanges, designDecisions: parsed.data.design_decisions } };
}

/** A JSON Schema of the answer, for the instructions sent to the model. */
export function answerJsonSchema(): unknown {
  return z.toJSONSchema(ModelAnswerSchema, { io: 'input' });
}
