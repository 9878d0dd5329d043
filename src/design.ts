import { existsSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppContext } from './app.js';
import { resolveEngine, type EngineName } from './engines/index.js';
import { usageTotals } from './engines/prices.js';
import { assertReplaceable, writeBundleDirectory } from './bundle/export.js';
import { UserError } from './errors.js';
import { toJson } from './generators/serializers/json.js';

export interface DesignInput {
  requirements: string;
  name?: string;
  spec: Record<string, unknown>;
  out: string;
  force: boolean;
  /** The engine for every phase (default: the spec's, else the server's). */
  engine?: EngineName;
}

/**
 * The one-command demo of the main job: create a pipeline in the database, run the seven phases (template engine
 * unless told otherwise), write the bundle to `out` with validation-report.json beside manifest.json.
 */
function byNote<R extends { engine_note: string | null }>(runs: R[]): Map<string, R[]> {
  const groups = new Map<string, R[]>();
  for (const r of runs) groups.set(r.engine_note!, [...(groups.get(r.engine_note!) ?? []), r]);
  return groups;
}

export async function runDesign(app: AppContext, input: DesignInput): Promise<{ summary: string; failed: number; pipelineId: string }> {
  if (existsSync(input.out) && readdirSync(input.out).length > 0 && !input.force) {
    throw new UserError(`${input.out} exists and is not empty; pass --force to replace an earlier bundle there`);
  }
  assertReplaceable(input.out);
  // An engine asked for that cannot run here is refused before anything is stored.
  if (input.engine) resolveEngine(input.engine, app.config.engines, { channel: 'cli' });
  const { view } = app.service.create({ requirements: input.requirements, name: input.name, spec: input.spec }, 'cli');
  const id = view.pipeline.id;
  await app.service.runPipeline(id, { actor: 'cli', engine: input.engine, session: { channel: 'cli' } });
  const { view: current, files } = app.service.bundle(id);
  const report = await app.validators.validate(files);
  await writeBundleDirectory(input.out, files, true);
  await writeFile(join(input.out, 'validation-report.json'), toJson(report));
  const criteria = app.service.scorecard(id);
  const count = (s: string) => criteria.filter((c) => c.status === s).length;
  const missing = report.validators.filter((v) => !v.available);
  const runs = current.phases.map((s) => s.current).filter((r) => r !== undefined);
  const reviewed = runs.filter((r) => r.engine !== 'template' || r.engine_note !== null);
  const usage = usageTotals(reviewed.map((r) => r.usage));
  const tokens = usage.input_tokens + usage.output_tokens;
  const fallbacks = reviewed.filter((r) => r.engine_note !== null);
  const open = app.service.suggestions(id, 'open');
  const failedFiles = report.files.filter((f) => f.verdict === 'fail');
  const summary = [
    `Pipeline ${current.spec.name} (${id}) designed: 7 phases, ${files.length} files written to ${input.out}`,
    `Validation: ${report.summary.passed} passed, ${report.summary.failed} failed, ${report.summary.unchecked} unchecked (validation-report.json)`,
    ...failedFiles.map((f) => `  FAIL ${f.path}: ${f.results.filter((r) => r.verdict === 'fail').map((r) => `${r.validator}: ${r.message.split('\n')[0]}`).join('; ')}`),
    missing.length ? `Validators not installed: ${missing.map((v) => `${v.name} (${v.install})`).join(', ')}` : '',
    `Success criteria: ${count('met')} met, ${count('not_met')} not met, ${count('no_evidence')} without evidence yet`,
    reviewed.length > fallbacks.length
      ? `Engine ${reviewed.find((r) => r.engine_note === null)!.engine}: ${reviewed.length - fallbacks.length} of ${runs.length} phases reviewed by ${[...new Set(reviewed.map((r) => r.model).filter(Boolean))].join(', ')}, ${tokens} tokens, $${usage.cost_usd.toFixed(4)}; ${open.length} proposed spec changes to apply or dismiss (apply_suggestions)`
      : '',
    // The same reason (a default engine that cannot run here) is said once, not once per phase.
    ...[...byNote(fallbacks)].map(([note, list]) => `No model review for ${list.length === runs.length ? 'any phase' : list.map((r) => r.phase).join(', ')}: ${note}`),
    `Continue in an MCP client with pipeline_id ${id} (database ${app.config.dbPath}).`,
    '',
  ]
    .filter((l) => l !== '')
    .join('\n');
  return { summary: `${summary}\n`, failed: report.summary.failed, pipelineId: id };
}
