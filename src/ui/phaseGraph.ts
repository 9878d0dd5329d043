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
  review(phase: string, verdict: 'approved' | 'changes_requested'): void;
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
            h('button', { class: 'small', disabled: !state.run_id || state.status === 'failed' || state.status === 'running', 'data-action': 'request-changes', onclick: () => actions.review(info.id, 'changes_requested') }, 'Request changes'),
          ),
        );
      }),
    );
  });
  return h('div', { class: 'graph' }, stages);
}
