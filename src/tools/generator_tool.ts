import { z } from 'zod';
import type { Artifact } from '../artifacts/artifact.js';
import { sha256 } from '../artifacts/artifact.js';
import { UserError } from '../errors.js';
import { parseManifests } from '../generators/kubernetes/objects.js';
import type { PhaseId } from '../phases/graph.js';
import { runAllPhases } from '../pipeline/runPhases.js';
import { SpecPatchSchema } from '../spec/patch.js';
import { specFromRequirements } from '../spec/resolve.js';
import { defineTool, type ToolDefinition } from './tool.js';
import { phaseId, pipelineId } from './shared.js';

/**
 * Generator tools (generate_kubernetes_manifests, generate_helm_chart…) return a slice of the files the phases
 * generate. With a pipeline they run what is missing or stale and the files are stored with those runs; with an
 * inline spec everything runs in memory and nothing is stored.
 */
export const GeneratorInput = z.strictObject({
  pipeline_id: pipelineId.optional().describe('A stored pipeline: its missing or stale phases run first, and the files stay in its artifacts'),
  requirements: z.string().min(1).max(20_000).optional().describe('Without pipeline_id: free-text requirements of an inline spec (hints are read from it)'),
  spec: SpecPatchSchema.optional().describe('Without pipeline_id: an inline deep-partial spec; defaults fill the rest and nothing is stored'),
});

export const GeneratorOutput = z.object({
  pipeline_id: z.string().nullable().describe('The pipeline the files were stored with; null for an inline spec'),
  name: z.string(),
  phases_run: z.array(phaseId).describe('Phases that ran to produce the files (with a pipeline: only the missing or stale ones)'),
  files: z.array(z.object({ path: z.string(), kind: z.string(), sha256: z.string(), bytes: z.number(), content: z.string() })),
  objects: z
    .array(z.object({ file: z.string(), api_version: z.string(), kind: z.string(), namespace: z.string().nullable(), name: z.string() }))
    .describe('Every Kubernetes object in the returned manifest files'),
});

interface GeneratorToolSpec {
  name: string;
  title: string;
  description: string;
  /** The last phase whose files are needed. */
  phase: PhaseId;
  /** Which bundle files the tool returns. */
  select(path: string): boolean;
  /** One line summing up the files for chat clients. */
  summary(files: readonly Artifact[]): string;
  /** Which validators validate_artifacts runs on these files (told to chat clients). */
  checkedBy: string;
}

export function generatorTool(t: GeneratorToolSpec): ToolDefinition {
  return defineTool({
    name: t.name,
    title: t.title,
    description: t.description,
    input: GeneratorInput,
    output: GeneratorOutput,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    async handler(args, { app, actor, session }) {
      let files: Artifact[];
      let name: string;
      let ran: PhaseId[];
      if (args.pipeline_id !== undefined) {
        if (args.spec !== undefined || args.requirements !== undefined) throw new UserError('Give either pipeline_id or an inline spec/requirements, not both. To change a stored pipeline, call update_pipeline first.');
        // Files are the same whatever the engine: a generator call never spends model tokens on missing phases.
        ({ ran } = await app.service.runPipeline(args.pipeline_id, { phases: [t.phase], actor, session, engine: 'template' }));
        files = app.service.artifacts(args.pipeline_id);
        name = app.service.view(args.pipeline_id).spec.name;
      } else {
        if (args.spec === undefined && args.requirements === undefined) throw new UserError('Give pipeline_id, or an inline spec and/or requirements to generate from.');
        const { spec } = specFromRequirements({ requirements: args.requirements ?? '', spec: args.spec as Record<string, unknown> | undefined });
        const result = runAllPhases(spec, t.phase);
        files = result.artifacts;
        name = spec.name;
        ran = Object.keys(result.outputs) as PhaseId[];
      }
      const selected = files.filter((f) => t.select(f.path)).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      const objects = selected
        .filter((f) => f.kind === 'kubernetes')
        .flatMap((f) => parseManifests(f.content).map((o) => ({ file: f.path, api_version: o.apiVersion, kind: o.kind, namespace: o.metadata.namespace ?? null, name: o.metadata.name })));
      return {
        structured: {
          pipeline_id: args.pipeline_id ?? null,
          name,
          phases_run: ran,
          files: selected.map((f) => ({ path: f.path, kind: f.kind, sha256: sha256(f.content), bytes: Buffer.byteLength(f.content), content: f.content })),
          objects,
        },
        text: [
          `${t.summary(selected)} for ${name}${args.pipeline_id ? ` (pipeline ${args.pipeline_id}; stored with its phase runs)` : ' (inline spec; nothing stored)'}.`,
          ran.length ? `Phases run: ${ran.join(', ')}.` : 'Every needed phase was already current.',
          selected.map((f) => `- ${f.path} (${f.kind})`).join('\n'),
          `validate_artifacts checks them with ${t.checkedBy}.`,
        ].join('\n'),
      };
    },
  });
}
