import { createTwoFilesPatch } from 'diff';
import { UserError } from '../errors.js';
import { toYaml } from '../generators/serializers/yaml.js';
import type { Store } from '../store/store.js';

export type FileChange = 'added' | 'removed' | 'modified' | 'unchanged';

export interface FileDiff {
  path: string;
  change: FileChange;
  /** A unified diff (3 lines of context); empty when unchanged. */
  patch: string;
}

export interface DiffResult {
  from: string;
  to: string;
  files: FileDiff[];
  summary: Record<FileChange, number>;
}

const CONTEXT_LINES = 3;

function fileDiff(path: string, before: string | undefined, after: string | undefined): FileDiff {
  const change: FileChange = before === undefined ? 'added' : after === undefined ? 'removed' : before === after ? 'unchanged' : 'modified';
  const patch = change === 'unchanged' ? '' : createTwoFilesPatch(`a/${path}`, `b/${path}`, before ?? '', after ?? '', undefined, undefined, { context: CONTEXT_LINES });
  return { path, change, patch };
}

function result(from: string, to: string, files: FileDiff[]): DiffResult {
  const summary: Record<FileChange, number> = { added: 0, removed: 0, modified: 0, unchanged: 0 };
  for (const f of files) summary[f.change]++;
  return { from, to, files, summary };
}

/** The spec at two revisions, as YAML (what a reviewer reads), line by line. */
export function diffSpecRevisions(store: Store, pipelineId: string, from: number, to: number): DiffResult {
  const load = (revision: number) => {
    const row = store.getRevision(pipelineId, revision);
    if (!row) throw new UserError(`Pipeline ${pipelineId} has no spec revision ${revision}.`, 'not_found');
    return toYaml(row.spec);
  };
  return result(`spec revision ${from}`, `spec revision ${to}`, [fileDiff('spec.yaml', load(from), load(to))]);
}

/** Two runs of the same phase: the document and every generated file, added, removed or changed. */
export function diffRuns(store: Store, pipelineId: string, fromRunId: string, toRunId: string): DiffResult {
  const load = (id: string) => {
    const run = store.getRun(id);
    if (!run || run.pipeline_id !== pipelineId) throw new UserError(`Pipeline ${pipelineId} has no phase run ${id}.`, 'not_found');
    if (run.status !== 'succeeded') throw new UserError(`Run ${id} did not succeed (${run.status}): it has no document or files to compare.`, 'precondition');
    return run;
  };
  const a = load(fromRunId);
  const b = load(toRunId);
  if (a.phase !== b.phase) throw new UserError(`Run ${fromRunId} is of ${a.phase} and ${toRunId} of ${b.phase}: compare two runs of the same phase.`, 'invalid_input');
  const before = new Map(store.runArtifacts(a.id).map((f) => [f.path, f.content]));
  const after = new Map(store.runArtifacts(b.id).map((f) => [f.path, f.content]));
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort();
  const files = [fileDiff(`${a.phase}.md (document)`, a.document ?? '', b.document ?? ''), ...paths.map((p) => fileDiff(p, before.get(p), after.get(p)))];
  return result(`${a.phase} run ${a.id} (spec revision ${a.spec_revision})`, `${b.phase} run ${b.id} (spec revision ${b.spec_revision})`, files);
}
