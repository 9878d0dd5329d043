import { h } from './dom.js';
import type { Meta, PhaseState, PhaseStatus } from './types.js';

export const STATUS_LABEL: Record<PhaseStatus, string> = {
  not_run: 'not run',
  running: 'running',
  succeeded: 'done',
  stale: 'stale',
  failed: 'failed',
};

export interface GraphActions {
  run(phase: string): void;
  review(phase: string, verdict: 'approved' | 'changes_requested', comment?: string): void;
  open(phase: string): void;
}

/** The seven agents in their four stages, each with its status, its review and what can be done with it. */
export function phaseGraph(meta: Meta, phases: PhaseState[], busy: boolean, actions: GraphActions): HTMLElement {
  const stages = [1, 2, 3, 4].map((stage) => {
    const infos = meta.phases.filter((p) => p.stage === stage);
    return h(
      'div',
      { class: 'stage' },
      h('h3', {}, `Stage ${stage}: ${infos[0]?.stageTitle ?? ''}`),
      infos.map((info) => {
        const state = phases.find((p) => p.phase === info.id)!;
        const review = state.review;
        return h(
          'article',
          { class: `phase ${state.status}`, 'data-phase': info.id, 'data-status': state.status },
          h('header', {}, h('strong', {}, info.agent), h('span', { class: `badge ${state.status}`, 'data-role': 'status' }, STATUS_LABEL[state.status])),
          h('div', { class: 'muted' }, info.title),
          info.upstream.length ? h('div', { class: 'muted small' }, `needs ${info.upstream.map((u) => meta.phases.find((p) => p.id === u)?.agent ?? u).join(', ')}`) : null,
          state.status === 'stale' && state.stale_reason ? h('div', { class: 'small warn' }, state.stale_reason) : null,
          state.status === 'failed' && state.error ? h('div', { class: 'small error' }, state.error) : null,
          state.engine && state.engine !== 'template' && state.status !== 'failed'
            ? h(
                'div',
                { class: 'small muted', 'data-role': 'engine' },
                `${state.engine}${state.model ? ` · ${state.model}` : ''}${state.usage && state.usage.cost_usd !== null ? ` · $${state.usage.cost_usd.toFixed(4)}` : ''}`,
              )
            : null,
          state.engine_note ? h('div', { class: 'small warn', 'data-role': 'engine-note' }, `No model review: ${state.engine_note}`) : null,
          review
            ? h(
                'div',
                { class: `review ${review.verdict}`, 'data-role': 'review' },
                review.verdict === 'approved' ? `✔ approved by ${review.reviewer.replace(/^web:/, '')}` : `✎ changes requested by ${review.reviewer.replace(/^web:/, '')}`,
                review.comment ? h('div', { class: 'small' }, review.comment) : null,
              )
            : null,
          h(
            'div',
            { class: 'actions' },
            h('button', { class: 'small', disabled: busy, 'data-action': 'run', onclick: () => actions.run(info.id) }, state.status === 'not_run' ? 'Run' : 'Re-run'),
            h('button', { class: 'small', disabled: !state.run_id || state.status === 'failed', 'data-action': 'open', onclick: () => actions.open(info.id) }, 'Document'),
            h('button', { class: 'small ok', disabled: !state.run_id || state.status === 'failed' || state.status === 'running', 'data-action': 'approve', onclick: () => actions.review(info.id, 'approved') }, 'Approve'),
            h('button', { class: 'small', disabled: !state.run_id || state.status === 'failed' || state.status === 'running', 'data-action': 'request-changes', onclick: (e: Event) => toggleChangesForm(e, info.id, actions) }, 'Request changes'),
          ),
        );
      }),
    );
  });
  return h('div', { class: 'graph' }, stages);
}

/** "Request changes" opens a small form in the card: what should change is part of the review. */
function toggleChangesForm(event: Event, phase: string, actions: GraphActions): void {
  const card = (event.target as HTMLElement).closest('article.phase')!;
  const open = card.querySelector('form.changes');
  if (open) return void open.remove();
  const text = h('textarea', { name: 'review-comment', rows: 2, placeholder: 'What should change?' });
  const form = h(
    'form',
    {
      class: 'changes',
      onsubmit: (e: Event) => {
        e.preventDefault();
        actions.review(phase, 'changes_requested', text.value.trim() || undefined);
        form.remove();
      },
    },
    text,
    h('button', { type: 'submit', class: 'small primary' }, 'Send review'),
  );
  card.appendChild(form);
  text.focus();
}
