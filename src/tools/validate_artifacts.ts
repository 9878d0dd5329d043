import { z } from 'zod';
import { defineTool } from './tool.js';
import { pipelineId } from './shared.js';

export const ValidateArtifactsInput = z.strictObject({
  pipeline_id: pipelineId,
  paths: z.array(z.string().max(500)).max(1000).optional().describe('Only these bundle paths; all files when absent'),
});

export const ValidationReportOut = z.object({
  summary: z.object({ files: z.number(), passed: z.number(), failed: z.number(), unchecked: z.number() }),
  files: z.array(
    z.object({
      path: z.string(),
      kind: z.string(),
      phase: z.string(),
      verdict: z.enum(['pass', 'fail', 'unchecked']),
      results: z.array(z.object({ validator: z.string(), verdict: z.enum(['pass', 'fail', 'skipped']), message: z.string() })),
    }),
  ),
  validators: z.array(
    z.object({
      name: z.string(),
      description: z.string(),
      kinds: z.array(z.string()),
      available: z.boolean(),
      version: z.string().optional(),
      reason: z.string().optional(),
      install: z.string().optional(),
    }),
  ),
});

export const ValidateArtifactsOutput = ValidationReportOut.extend({ pipeline_id: z.string() });

export const validateArtifacts = defineTool({
  name: 'validate_artifacts',
  title: 'Validate generated files',
  description:
    'Runs the real validators (kubernetes-models, promtool, yamllint, shellcheck, Python compile, parsers) on the pipeline\'s current files and reports per file which validator ran, its verdict and message, and which validators are not installed.',
  input: ValidateArtifactsInput,
  output: ValidateArtifactsOutput,
  // It writes nothing the user made, but it does store the verdicts (shown in the web UI's file tree).
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler(args, { app, actor }) {
    const report = await app.team.validate(args.pipeline_id, actor, args.paths);
    const missing = report.validators.filter((v) => !v.available);
    const failed = report.files.filter((f) => f.verdict === 'fail');
    return {
      structured: {
        pipeline_id: args.pipeline_id,
        summary: report.summary,
        files: report.files.map((f) => ({ ...f, results: f.results.map(({ validator, verdict, message }) => ({ validator, verdict, message })) })),
        validators: report.validators,
      },
      text: [
        `${report.summary.files} files: ${report.summary.passed} passed, ${report.summary.failed} failed, ${report.summary.unchecked} unchecked.`,
        ...failed.slice(0, 20).map((f) => `✘ ${f.path}: ${f.results.filter((r) => r.verdict === 'fail').map((r) => `${r.validator}: ${r.message.split('\n')[0]}`).join('; ')}`),
        missing.length ? `Not installed: ${missing.map((v) => `${v.name} (${v.install})`).join(', ')}.` : 'Every validator is installed.',
      ].join('\n'),
    };
  },
});
