import { api } from './api.js';
import { h, relativeTime, replace } from './dom.js';
import { LiveFeed } from './live.js';
import type { Page } from './main.js';
import { STATUS_LABEL } from './phaseGraph.js';
import type { Meta, PipelineSummary } from './types.js';

/** The pipelines list (live: any change by anyone re-reads it) and the form that creates one. */
export async function listPage(main: HTMLElement, meta: Meta): Promise<Page> {
  const table = h('tbody');
  const status = h('span', { class: 'live-state', 'data-state': 'connecting' }, 'connecting');
  const load = async () => {
    const { pipelines, last_event_id } = await api.get<{ pipelines: PipelineSummary[]; last_event_id: number }>('/pipelines?limit=200');
    replace(
      table,
      pipelines.length === 0 ? h('tr', {}, h('td', { colspan: 5, class: 'empty' }, 'No pipelines yet: describe one below.')) : null,
      pipelines.map((p) =>
        h(
          'tr',
          { 'data-pipeline': p.id },
          h('td', {}, h('a', { href: `#/p/${encodeURIComponent(p.id)}` }, p.name), h('div', { class: 'muted' }, `revision ${p.revision}`)),
          h('td', { class: 'options' }, Object.entries(p.options).map(([k, v]) => h('span', { class: 'tag', title: k }, v))),
          h(
            'td',
            { class: 'dots' },
            p.phases.map((s) => h('span', { class: `dot ${s.status}${s.review ? ` ${s.review}` : ''}`, title: `${s.phase}: ${STATUS_LABEL[s.status]}${s.review ? `, ${s.review.replace('_', ' ')}` : ''}` })),
          ),
          h('td', { title: p.updated_at }, relativeTime(p.updated_at)),
          h('td', {}, p.updated_by),
        ),
      ),
    );
    return last_event_id;
  };
  const position = await load();

  const requirements = h('textarea', { id: 'requirements', name: 'requirements', rows: 4, required: true, maxlength: 20000, placeholder: 'e.g. Detect fraudulent card payments in real time from our Postgres ledger, p99 under 100 ms at 500 rps' });
  const name = h('input', { id: 'name', name: 'name', type: 'text', placeholder: 'derived from the requirements' });
  const selects = Object.entries(meta.options).map(([option, { values, description }]) => {
    const select = h('select', { id: `opt-${option}`, name: option }, h('option', { value: '' }, '(default)'), values.map((v) => h('option', { value: v }, v)));
    return { option, select, el: h('div', { class: 'field' }, h('label', { for: `opt-${option}`, title: description }, option.replace(/_/g, ' ')), select) };
  });
  const error = h('div', { class: 'field-error', role: 'alert' });
  const form = h(
    'form',
    {
      class: 'create',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        error.textContent = '';
        const options = Object.fromEntries(selects.filter((s) => s.select.value).map((s) => [s.option, s.select.value]));
        try {
          const created = await api.send<{ pipeline_id: string }>('POST', '/pipelines', {
            requirements: requirements.value,
            ...(name.value.trim() ? { name: name.value.trim() } : {}),
            ...(Object.keys(options).length ? { spec: { options } } : {}),
          });
          location.hash = `#/p/${encodeURIComponent(created.pipeline_id)}`;
        } catch (e) {
          error.textContent = (e as Error).message;
        }
      },
    },
    h('h2', {}, 'New pipeline'),
    h('div', { class: 'field' }, h('label', { for: 'requirements' }, 'Requirements'), requirements),
    h('div', { class: 'field' }, h('label', { for: 'name' }, 'Name (optional slug)'), name),
    h('div', { class: 'option-grid' }, selects.map((s) => s.el)),
    error,
    h('button', { type: 'submit', class: 'primary' }, 'Create pipeline'),
  );

  replace(
    main,
    h('section', {}, h('h1', {}, 'Pipelines ', status), h('table', { class: 'pipelines' }, h('thead', {}, h('tr', {}, ['Name', 'Options', 'Phases', 'Last change', 'By'].map((c) => h('th', {}, c)))), table)),
    h('section', {}, form),
  );

  let pending: number | undefined;
  // Only changes after the list was read matter here.
  const feed = new LiveFeed('*', position, {
    onEvents: () => {
      clearTimeout(pending);
      pending = window.setTimeout(() => void load(), 100);
    },
    onReset: () => void load(),
    onState: (state) => {
      status.dataset.state = state;
      status.textContent = state;
    },
  });
  return { dispose: () => feed.close() };
}
