import { z } from 'zod';
import { READ_ONLY, defineTool } from './tool.js';
import { pipelineId } from './shared.js';

export const ScoreSuccessCriteriaInput = z.strictObject({ pipeline_id: pipelineId });

export const ScoreSuccessCriteriaOutput = z.object({
  pipeline_id: z.string(),
  summary: z.object({ met: z.number(), not_met: z.number(), no_evidence: z.number() }),
  criteria: z.array(
    z.object({
      id: z.string(),
      group: z.string(),
      criterion: z.string(),
      target: z.string(),
      status: z.enum(['met', 'not_met', 'no_evidence']),
      evidence: z.string(),
      phase: z.string().nullable(),
    }),
  ),
});

export const scoreSuccessCriteria = defineTool({
  name: 'score_success_criteria',
  title: 'Score the success criteria',
  description:
    'Each success criterion of the source document (data pipeline, model performance, operational excellence, development velocity, cost efficiency): met, not met, or no evidence yet, with the evidence from the current design.',
  input: ScoreSuccessCriteriaInput,
  output: ScoreSuccessCriteriaOutput,
  annotations: READ_ONLY,
  async handler(args, { app }) {
    const criteria = app.service.scorecard(args.pipeline_id);
    const count = (st: string) => criteria.filter((c) => c.status === st).length;
    const summary = { met: count('met'), not_met: count('not_met'), no_evidence: count('no_evidence') };
    const mark = { met: '✔', not_met: '✘', no_evidence: '…' } as const;
    return {
      structured: { pipeline_id: args.pipeline_id, summary, criteria },
      text: [
        `${summary.met} met, ${summary.not_met} not met, ${summary.no_evidence} without evidence yet (of ${criteria.length}).`,
        ...criteria.map((c) => `${mark[c.status]} [${c.group}] ${c.criterion} (target ${c.target}): ${c.evidence}`),
      ].join('\n'),
    };
  },
});
