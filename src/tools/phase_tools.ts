import { z } from 'zod';
import { PHASES, PHASE_IDS, ancestors, type PhaseId } from '../phases/graph.js';
import { defineTool, type ToolDefinition } from './tool.js';
import { ArtifactRef, SuggestionOut, TokenUsageOut, delimitReview, engine, nextStep, notes, phaseId, pipelineId, streamingSession, suggestionOut } from './shared.js';

const DELIVERABLES: Record<PhaseId, string> = {
  data_engineer: 'source audit and ingestion strategy (ingestion mode per source, schema validation, data versioning, incremental loads and CDC), data quality framework (profiling, anomaly rules, lineage, quality gates and SLAs) and storage architecture (raw/processed/feature layers, partitioning, retention, cost)',
  data_scientist: 'feature engineering pipeline (transformations, feature store, statistical validation, missing data and outliers), model requirements (algorithm, metrics and baselines, training data, evaluation thresholds) and experiment design (hypotheses, A/B methodology, sample size, bias detection)',
  ml_engineer: 'training pipeline (modular code, Optuna/Ray Tune HPO, distributed training, cross-validation and ensembling), experiment tracking and model registry (versioning, lineage, promotion dev → staging → prod, rollback)',
  python_pro: 'production code quality (structure, error handling, structured logging, reusable utilities), performance (profiling, caching, data loading, memory) and the test framework (unit, integration, model quality, performance regression)',
  mlops_engineer: 'model serving (REST/gRPC, batch, streaming, serving platform), deployment strategies (blue-green, canary, shadow, A/B), CI/CD (workflows, test and model gates, GitOps) and infrastructure as code (Terraform, Helm, Docker, secrets)',
  kubernetes_architect: 'workload orchestration (training jobs, GPU sharing, spot capacity, priorities and quotas), serving infrastructure (HPA/VPA, KEDA, Istio, model warm-up) and storage (PVCs, CSI model storage, feature store storage, inference cache)',
  observability_engineer: 'model performance tracking, data and model drift detection, system observability (metrics, dashboards, tracing, logs), alerting and automation (on-call routing, retraining triggers, runbooks) and cost tracking (allocation, budget alerts)',
};

export const PhaseToolInput = z.strictObject({ pipeline_id: pipelineId, engine, notes });

export const PhaseToolOutput = z.object({
pipeline_id: z.string(),
phase: phaseId,
run_id: z.string(),
status: z.literal('succeeded'),
engine: z.string(),
model: z.string().nullable().describe('The model that wrote the review (LLM engines); null for the template engine'),
prompt_version: z.string().nullable(),
usage: TokenUsageOut.nullable(),
engine_note: z.string().nullable().describe("Why the LLM engine's review is missing: the run fell back to the template narrative (code, manifests and configuration are the same either way)"),
suggestions: z.array(SuggestionOut).describe('Spec changes the model proposes; nothing is applied until you call apply_suggestions (or update_pipeline with the patch)'),
spec_revision: z.number(),
upstream_run_ids: z.record(z.string(), z.string()),
duration_ms: z.number(),
document: z.string().describe('The phase\'s design document (markdown)'),
document_uri: z.string(),
decisions: z.record(z.string(), z.unknown()).describe('Structured decisions handed to later phases'),
artifacts: z.array(ArtifactRef),
stale_phases: z.array(phaseId).describe('Downstream phases whose runs this run made stale'),
next_step: z.string(),
});

function phaseTool(phase: PhaseId): ToolDefinition {
  const info = PHASES[phase];
  const needs = ancestors(phase);
  return defineTool({
    name: phase,
    title: `Stage ${info.stage}: ${info.agent}`,
    description:
      `Runs the ${info.agent} agent (stage ${info.stage}, ${info.stageTitle.toLowerCase()}): ${DELIVERABLES[phase]}. ` +
      (needs.length ? `Needs current runs of ${needs.join(', ')}. ` : 'Needs only the spec. ') +
      'Returns the design document, the decisions handed to later phases and the generated files; re-running marks downstream phases stale.',
    input: PhaseToolInput,
    output: PhaseToolOutput,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    async handler(args, ctx) {
      const { app, actor } = ctx;
      const session = streamingSession(ctx, () => ({ at: (chars) => chars, label: phase }));
      const { run, staled, artifacts } = await app.service.runPhase(args.pipeline_id, phase, { engine: args.engine, notes: args.notes, actor, session });
      const view = app.service.view(args.pipeline_id);
      const suggestions = app.store.suggestions(args.pipeline_id).filter((s) => s.run_id === run.id);
      return {
        structured: {
          pipeline_id: args.pipeline_id,
          phase,
          run_id: run.id,
          status: 'succeeded' as const,
          engine: run.engine,
          model: run.model,
          prompt_version: run.prompt_version,
          usage: run.usage,
          engine_note: run.engine_note,
          suggestions: suggestions.map(suggestionOut),
          spec_revision: run.spec_revision,
          upstream_run_ids: run.upstream_run_ids as Record<string, string>,
          duration_ms: run.duration_ms ?? 0,
          document: run.document ?? '',
          document_uri: `mlops://pipelines/${args.pipeline_id}/phases/${phase}`,
          decisions: run.decisions as Record<string, unknown>,
          artifacts: artifacts.map((a) => ({ path: a.path, kind: a.kind, sha256: a.sha256, bytes: Buffer.byteLength(a.content) })),
          stale_phases: staled,
          next_step: nextStep(view),
        },
        text: [
          delimitReview(run.document ?? ''),
          '---',
          `${phase} run ${run.id} (engine ${run.engine}${run.model ? `, model ${run.model}` : ''}, spec revision ${run.spec_revision}) wrote ${artifacts.length} files: ${artifacts.map((a) => a.path).join(', ')}.`,
          run.engine_note ? `Engine note: ${run.engine_note}` : '',
          run.usage ? `Model usage: ${run.usage.input_tokens} input and ${run.usage.output_tokens} output tokens${run.usage.cost_usd !== null ? `, $${run.usage.cost_usd.toFixed(4)}` : ''}.` : '',
          suggestions.length
            ? `Proposed spec changes, not applied: ${suggestions.map((s) => s.id).join(', ')} (described in the model review). Apply or dismiss them with apply_suggestions when the user asks.`
            : '',
          staled.length ? `Now stale: ${staled.join(', ')}.` : '',
          nextStep(view),
        ]
          .filter(Boolean)
          .join('\n'),
      };
    },
  });
}

export const phaseTools: ToolDefinition[] = PHASE_IDS.map(phaseTool);
