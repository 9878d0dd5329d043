import { api } from './api.js';
import { h, replace } from './dom.js';
import type { DiffResult, Pipeline, RunSummary } from './types.js';

function patchView(patch: string): HTMLElement {
  // The first four lines are the ===/---/+++ headers of a two-file patch.
  const lines = patch.split('\n').filter((l, i) => i > 3 || !/^(=+|Index:|---|\+\+\+)/.test(l));
  return h(
    'pre',
    { class: 'diff' },
    lines.map((l) => h('span', { class: l.startsWith('+') ? 'add' : l.startsWith('-') ? 'del' : l.startsWith('@@') ? 'hunk' : '' }, `${l}\n`)),
  );
}

function resultView(result: DiffResult): HTMLElement {
  const changed = result.files.filter((f) => f.change !== 'unchanged');
  return h(
    'div',
    { class: 'diff-result', 'data-role': 'diff-result' },
    h('p', {}, `${result.from} → ${result.to}: ${result.summary.modified ?? 0} modified, ${result.summary.added ?? 0} added, ${result.summary.removed ?? 0} removed, ${result.summary.unchanged ?? 0} unchanged.`),
    changed.length === 0 ? h('p', { class: 'muted' }, 'No differences.') : null,
    changed.map((f) => h('details', { open: changed.length <= 5 }, h('summary', {}, h('span', { class: `change ${f.change}` }, f.change), ' ', f.path), patchView(f.patch))),
  );
}

/** Compare two spec revisions, or two runs of one phase (document and files). */
export async function diffView(target: HTMLElement, pipeline: Pipeline): Promise<void> {
  const id = encodeURIComponent(pipeline.pipeline_id);
  const { runs } = await api.get<{ runs: RunSummary[] }>(`/pipelines/${id}/runs`);
  const output = h('div');
  const revisionSelect = (name: string, chosen: number) =>
    h('select', { name, id: `diff-${name}` }, pipeline.revisions.map((r) => h('option', { value: r.revision, selected: r.revision === chosen }, `revision ${r.revision} · ${r.actor} · ${r.created_at}`)));
  const last = pipeline.revision;
  const specFrom = revisionSelect('spec-from', Math.max(1, last - 1));
  const specTo = revisionSelect('spec-to', last);

  const succeeded = runs.filter((r) => r.status === 'succeeded');
  const phases = [...new Set(succeeded.map((r) => r.phase))];
  const phaseSelect = h('select', { name: 'phase', id: 'diff-phase' }, phases.map((p) => h('option', { value: p }, p)));
  const runFrom = h('select', { name: 'run-from', id: 'diff-run-from' });
  const runTo = h('select', { name: 'run-to', id: 'diff-run-to' });
  const fillRuns = () => {
    const mine = succeeded.filter((r) => r.phase === phaseSelect.value);
    const option = (r: RunSummary, selected: boolean) => h('option', { value: r.id, selected }, `${r.id} · spec revision ${r.spec_revision} · ${r.started_at}`);
    replace(runFrom, mine.map((r, i) => option(r, i === Math.max(0, mine.length - 2))));
    replace(runTo, mine.map((r, i) => option(r, i === mine.length - 1)));
  };
  phaseSelect.addEventListener('change', fillRuns);
  fillRuns();

  const show = async (query: string) => {
    try {
      replace(output, resultView(await api.get<DiffResult>(`/pipelines/${id}/diff?${query}`)));
    } catch (error) {
      replace(output, h('div', { class: 'banner error', role: 'alert' }, (error as Error).message));
    }
  };
  replace(
    target,
    h(
      'div',
      { class: 'diff-forms' },
      h(
        'form',
        { 'data-role': 'diff-spec', onsubmit: (e: Event) => (e.preventDefault(), void show(`what=spec&from=${specFrom.value}&to=${specTo.value}`)) },
        h('h3', {}, 'Spec revisions'),
        specFrom,
        ' → ',
        specTo,
        h('button', { type: 'submit', class: 'small' }, 'Compare'),
      ),
      h(
        'form',
        { 'data-role': 'diff-runs', onsubmit: (e: Event) => (e.preventDefault(), void show(`what=run&from=${encodeURIComponent(runFrom.value)}&to=${encodeURIComponent(runTo.value)}`)) },
        h('h3', {}, 'Phase runs (document and files)'),
        phaseSelect,
        runFrom,
        ' → ',
        runTo,
        h('button', { type: 'submit', class: 'small', disabled: phases.length === 0 }, 'Compare'),
      ),
    ),
    output,
  );
}
