import { api } from './api.js';
import { diffView } from './diffView.js';
import { h, relativeTime, replace } from './dom.js';
import { filesView } from './filesView.js';
import { LiveFeed, type LiveEvent, type Viewer } from './live.js';
import type { Page } from './main.js';
import { renderMarkdown } from './markdown.js';
import { STATUS_LABEL, phaseGraph } from './phaseGraph.js';
import { mergePatchBetween, specForm } from './specForm.js';
import type { Comment, Criterion, Meta, Pipeline, Suggestion } from './types.js';

const TABS = ['phases', 'spec', 'files', 'diff', 'scorecard', 'activity'] as const;
type Tab = (typeof TABS)[number];
const TAB_LABEL: Record<Tab, string> = { phases: 'Documents', spec: 'Spec', files: 'Files', diff: 'Diff', scorecard: 'Scorecard', activity: 'Activity' };

/** Which events make a tab's content out of date (the header and the phase graph follow every event). */
const REFRESH_ON: Record<Tab, RegExp> = {
  phases: /^(phase\.|comment\.|suggestions\.|spec\.)/,
  spec: /^spec\./,
  files: /^(phase\.completed|bundle\.validated|comment\.)/,
  // A comparison on screen stays until its reader asks for another.
  diff: /^$/,
  scorecard: /^(phase\.completed|spec\.)/,
  activity: /./,
};

function describe(e: LiveEvent): string {
  const p = e.payload;
  switch (e.type) {
    case 'pipeline.created':
      return `created the pipeline ${String(p.name)}`;
    case 'spec.updated':
      return `changed the spec to revision ${String(p.revision)} (${(p.changed_paths as string[]).slice(0, 4).join(', ')})${Array.isArray(p.suggestions) ? `, applying ${p.suggestions.join(', ')}` : ''}`;
    case 'phase.started':
      return `started ${String(p.phase)}`;
    case 'phase.completed':
      return `finished ${String(p.phase)}: ${String(p.artifacts)} files in ${Math.round(Number(p.duration_ms))} ms${p.model ? ` (${String(p.engine)}, ${String(p.model)})` : ''}`;
    case 'phase.failed':
      return `${String(p.phase)} failed: ${String(p.error)}`;
    case 'phase.reviewed':
      return `${p.verdict === 'approved' ? 'approved' : 'requested changes on'} ${String(p.phase)}${p.comment ? `: ${String(p.comment)}` : ''}`;
    case 'comment.added':
      return `commented on ${p.artifact_path ? `${String(p.artifact_path)}${p.line ? `:${String(p.line)}` : ''}` : p.phase ? String(p.phase) : 'the pipeline'}: ${String(p.body)}`;
    case 'suggestions.applied':
      return `marked ${(p.suggestions as string[]).join(', ')} applied (already in the spec)`;
    case 'suggestions.dismissed':
      return `dismissed the proposed spec change${(p.suggestions as string[]).length > 1 ? 's' : ''} ${(p.suggestions as string[]).join(', ')}`;
    case 'bundle.validated':
      return `validated ${String(p.files)} files: ${String(p.passed)} passed, ${String(p.failed)} failed`;
    case 'bundle.exported':
      return `exported the bundle (${String(p.format)})`;
    case 'bundle.downloaded':
      return `downloaded the bundle (.${String(p.format)}, ${String(p.files)} files)`;
    default:
      return e.type;
  }
}

export async function pipelinePage(main: HTMLElement, meta: Meta, pipelineId: string, tabName: string, subpath: string | undefined): Promise<Page> {
  const tab: Tab = (TABS as readonly string[]).includes(tabName) ? (tabName as Tab) : 'phases';
  const id = encodeURIComponent(pipelineId);
  let pipeline = await api.get<Pipeline>(`/pipelines/${id}`);
  let comments = (await api.get<{ comments: Comment[] }>(`/pipelines/${id}/comments`)).comments;
  let running = false;
  let progress = { done: 0, total: 0 };
  let specDirty = false;
  /** While our own save is in flight, its spec event is not a teammate's change. */
  let savingSpec = false;

  const header = h('header', { class: 'pipeline-header' });
  const graph = h('div', { 'data-role': 'graph' });
  const flashBox = h('div', { class: 'flash', role: 'status' });
  const content = h('section', { class: 'tab-content', 'data-tab': tab });
  const activity = h('ol', { class: 'activity', reversed: true });
  let viewers: Viewer[] = [];
  let viewerCount = 0;
  let liveState = 'connecting';

  const flash = (message: string, kind: 'error' | 'info' = 'info') => {
    replace(flashBox, h('div', { class: `banner ${kind}` }, message));
    if (kind === 'info') setTimeout(() => flashBox.replaceChildren(), 6000);
  };
  const guard = async (what: () => Promise<unknown>) => {
    try {
      await what();
    } catch (error) {
      flash((error as Error).message, 'error');
    }
  };

  const renderHeader = () => {
    const names = [...new Set(viewers.map((v) => v.name))];
    replace(
      header,
      h('div', {}, h('a', { href: '#/', class: 'back' }, '← Pipelines'), ' ', h('h1', {}, pipeline.name), h('span', { class: 'muted' }, `revision ${pipeline.revision} · last change by ${pipeline.updated_by} ${relativeTime(pipeline.updated_at)}`)),
      h('div', { class: 'presence', 'data-role': 'presence' }, h('span', { class: 'live-state', 'data-state': liveState }, liveState), ' Viewing: ', names.map((n) => h('span', { class: 'viewer' }, n)), viewerCount > viewers.length ? h('span', { class: 'muted' }, ` and ${viewerCount - viewers.length} more`) : null),
      h(
        'div',
        { class: 'run-all' },
        h('button', { class: 'primary', disabled: running, 'data-action': 'run-all', onclick: () => void runPhases(undefined) }, 'Run all phases'),
        running ? h('progress', { max: progress.total || 1, value: progress.done, 'data-role': 'progress' }) : null,
        running ? h('span', { class: 'muted' }, `${progress.done} of ${progress.total} phases`) : h('span', { class: 'muted small' }, pipeline.next_step),
      ),
    );
  };
  const renderGraph = () =>
    replace(
      graph,
      phaseGraph(meta, pipeline.phases, running, {
        run: (phase) => void runPhases([phase]),
        open: (phase) => (location.hash = `#/p/${id}/phases/${phase}`),
        review: (phase, verdict, comment) => void guard(() => api.send('POST', `/pipelines/${id}/phases/${phase}/review`, { verdict, ...(comment ? { comment } : {}) })),
      }),
    );

  async function runPhases(phases: string[] | undefined) {
    running = true;
    progress = { done: 0, total: phases ? phases.length : pipeline.phases.filter((p) => p.status !== 'succeeded').length };
    renderHeader();
    renderGraph();
    await guard(async () => {
      const result = await api.send<{ ran: string[]; skipped: string[] }>('POST', `/pipelines/${id}/run`, { ...(phases ? { phases, force: true } : {}) });
      flash(`Ran ${result.ran.length} phase${result.ran.length === 1 ? '' : 's'}${result.skipped.length ? `, ${result.skipped.length} already current` : ''}.`);
    });
    running = false;
    await reload();
  }

  const tabs = h(
    'nav',
    { class: 'tabs' },
    TABS.map((t) => h('a', { href: `#/p/${id}/${t}`, class: t === tab ? 'active' : '', 'data-tab': t }, TAB_LABEL[t])),
  );

  /** A tab that cannot render (no files yet, a phase without a document) says why inside the tab. */
  async function renderTab(): Promise<void> {
    try {
      await renderTabContent();
    } catch (error) {
      replace(content, h('div', { class: 'banner info', role: 'status' }, (error as Error).message));
    }
  }

  async function renderTabContent(): Promise<void> {
    switch (tab) {
      case 'phases':
        return renderDocuments();
      case 'spec':
        return renderSpec();
      case 'files':
        return filesView(content, { pipelineId, maxComment: meta.comment_max_chars, comments, flash, navigate: (path) => (location.hash = `#/p/${id}/files/${encodeURIComponent(path)}`) }, subpath);
      case 'diff':
        return diffView(content, pipeline);
      case 'scorecard':
        return renderScorecard();
      case 'activity':
        return renderComments();
    }
  }

  async function renderDocuments(): Promise<void> {
    const phase = subpath && meta.phases.some((p) => p.id === subpath) ? subpath : (pipeline.phases.find((p) => p.run_id)?.phase ?? meta.phases[0]!.id);
    const picker = h('nav', { class: 'subtabs' }, meta.phases.map((p) => h('a', { href: `#/p/${id}/phases/${p.id}`, class: p.id === phase ? 'active' : '' }, p.agent)));
    const doc = h('article', { class: 'markdown', 'data-role': 'document' });
    const state = pipeline.phases.find((p) => p.phase === phase)!;
    if (state.run_id && state.status !== 'failed') {
      const { document } = await api.get<{ document: string }>(`/pipelines/${id}/phases/${phase}/document`);
      renderMarkdown(doc, document);
    } else doc.textContent = `${phase} has no document yet (${STATUS_LABEL[state.status]}). Run it from the graph above.`;
    replace(content, picker, suggestionsPanel(pipeline.suggestions.filter((s) => s.phase === phase)), doc, commentThread(comments.filter((c) => c.phase === phase && !c.artifact_path), { phase }));
  }

  /** The open spec changes a model proposed for this phase, each with Apply and Dismiss (nothing applies itself). */
  function suggestionsPanel(list: Suggestion[]): HTMLElement | null {
    if (list.length === 0) return null;
    const resolve = (s: Suggestion, action: 'apply' | 'dismiss') =>
      void guard(async () => {
        const result = await api.send<{ revision: number; changed: string[] }>('POST', `/pipelines/${id}/suggestions`, {
          suggestion_ids: [s.id],
          action,
          expected_revision: pipeline.revision,
        });
        flash(action === 'apply' ? `Applied ${s.id}: spec revision ${result.revision}${result.changed.length ? ` changed ${result.changed.join(', ')}` : ''}.` : `Dismissed ${s.id}.`);
      });
    return h(
      'section',
      { class: 'suggestions', 'data-role': 'suggestions' },
      h('h3', {}, `Proposed spec changes (${list.length})`),
      list.map((s) =>
        h(
          'div',
          { class: 'suggestion', 'data-suggestion': s.id },
          h('strong', {}, s.title),
          ' ',
          h('span', { class: 'muted small' }, `${s.id} · changes ${s.changes.join(', ')}`),
          h('div', { class: 'small' }, s.rationale),
          h('pre', { class: 'small' }, JSON.stringify(s.patch, null, 2)),
          h(
            'div',
            { class: 'actions' },
            h('button', { class: 'small ok', 'data-action': 'apply-suggestion', onclick: () => resolve(s, 'apply') }, 'Apply'),
            h('button', { class: 'small', 'data-action': 'dismiss-suggestion', onclick: () => resolve(s, 'dismiss') }, 'Dismiss'),
          ),
        ),
      ),
    );
  }

  function commentThread(list: Comment[], target: { phase?: string }): HTMLElement {
    const text = h('textarea', { name: 'comment', rows: 3, maxlength: meta.comment_max_chars, placeholder: 'Comment for the team' });
    const error = h('div', { class: 'field-error', role: 'alert' });
    return h(
      'section',
      { class: 'comments', 'data-role': 'comments' },
      h('h3', {}, `Comments (${list.length})`),
      list.map((c) =>
        h(
          'div',
          { class: 'comment', 'data-comment': c.id },
          h('strong', {}, c.author.replace(/^web:/, '')),
          ' ',
          h('span', { class: 'muted' }, c.artifact_path ? `${c.artifact_path}${c.line ? `:${c.line}` : ''} · ` : '', c.created_at),
          h('div', { class: 'comment-body' }, c.body),
        ),
      ),
      h(
        'form',
        {
          onsubmit: async (event: Event) => {
            event.preventDefault();
            error.textContent = '';
            try {
              await api.send('POST', `/pipelines/${id}/comments`, { body: text.value, ...target });
              text.value = '';
            } catch (e) {
              error.textContent = (e as Error).message;
            }
          },
        },
        text,
        error,
        h('button', { type: 'submit', class: 'small primary' }, 'Comment'),
      ),
    );
  }

  function renderSpec(): void {
    specDirty = false;
    // The edit is against what the form shows: a teammate's newer revision makes the save a conflict, not a revert.
    const shown = { spec: pipeline.spec, revision: pipeline.revision };
    const form = specForm(shown.spec as never, async (edited) => {
      const patch = mergePatchBetween(shown.spec as never, edited);
      if (patch === undefined) return flash('Nothing changed.');
      savingSpec = true;
      await guard(async () => {
        const result = await api.send<{ revision: number; staled: string[] }>('PATCH', `/pipelines/${id}/spec`, { patch, expected_revision: shown.revision });
        // The form now shows the saved revision, so the next save is checked against it.
        await reload();
        renderSpec();
        flash(`Saved revision ${result.revision}${result.staled.length ? `; now stale: ${result.staled.join(', ')}` : ''}.`);
      });
      savingSpec = false;
    });
    form.el.addEventListener('input', () => (specDirty = true));
    form.el.addEventListener('change', () => (specDirty = true));
    replace(content, form.el);
  }

  async function renderScorecard(): Promise<void> {
    const { criteria } = await api.get<{ criteria: Criterion[] }>(`/pipelines/${id}/scorecard`);
    const count = (s: string) => criteria.filter((c) => c.status === s).length;
    replace(
      content,
      h('p', { 'data-role': 'score' }, `${count('met')} met, ${count('not_met')} not met, ${count('no_evidence')} without evidence (of ${criteria.length}).`),
      h(
        'table',
        { class: 'scorecard' },
        h('thead', {}, h('tr', {}, ['Criterion', 'Target', 'Status', 'Evidence'].map((c) => h('th', {}, c)))),
        h('tbody', {}, criteria.map((c) => h('tr', { class: c.status }, h('td', {}, h('div', { class: 'muted small' }, c.group), c.criterion), h('td', {}, c.target), h('td', { class: `status ${c.status}` }, c.status.replace('_', ' ')), h('td', { class: 'small' }, c.evidence)))),
      ),
    );
  }

  function renderComments(): void {
    replace(content, h('h3', {}, 'Event log'), activity, commentThread(comments, {}));
  }

  const addActivity = (events: LiveEvent[]) => {
    for (const e of events) {
      activity.prepend(h('li', { 'data-event': e.id }, h('span', { class: 'muted' }, `#${e.id} ${e.created_at} `), h('strong', {}, e.actor.replace(/^web:/, '')), ' ', describe(e)));
    }
  };
  const history = await api.get<{ events: LiveEvent[] }>(`/pipelines/${id}/events?tail=500`);
  addActivity(history.events.filter((e) => e.id <= pipeline.last_event_id));

  async function reload(tabToo = false): Promise<void> {
    pipeline = await api.get<Pipeline>(`/pipelines/${id}`);
    comments = (await api.get<{ comments: Comment[] }>(`/pipelines/${id}/comments`)).comments;
    renderHeader();
    // Nor a change request being written in a phase card: the graph follows once it is sent.
    if (![...graph.querySelectorAll<HTMLTextAreaElement>('form.changes textarea')].some((t) => t.value.trim() !== '')) renderGraph();
    // Never throw away a comment being written: the tab refreshes after it is sent (its own event).
    const typing = [...content.querySelectorAll<HTMLTextAreaElement>('textarea[name=comment]')].some((t) => t.value.trim() !== '');
    if (tabToo && !typing) await renderTab();
  }

  renderHeader();
  renderGraph();
  replace(main, header, flashBox, graph, tabs, content);
  await renderTab();

  let pending: number | undefined;
  let refreshTab = false;
  const feed = new LiveFeed(pipelineId, pipeline.last_event_id, {
    onEvents(events) {
      addActivity(events);
      for (const e of events) {
        if (running && e.type === 'phase.completed') progress.done++;
        if (REFRESH_ON[tab].test(e.type)) refreshTab = true;
      }
      // Someone else's spec change must not wipe edits in progress: the form says so instead.
      if (tab === 'spec' && refreshTab && savingSpec) refreshTab = false;
      if (tab === 'spec' && specDirty && refreshTab) {
        refreshTab = false;
        flash('Someone changed the spec meanwhile; saving now will be refused. Reload the tab to see their version.', 'error');
      }
      clearTimeout(pending);
      pending = window.setTimeout(() => {
        const tabToo = refreshTab;
        refreshTab = false;
        void guard(() => reload(tabToo));
      }, 50);
    },
    onPresence(list, count) {
      viewers = list;
      viewerCount = count;
      renderHeader();
    },
    onState(state) {
      liveState = state;
      renderHeader();
    },
    onError: (message) => flash(message, 'error'),
    onReset: () => {
      flash('You missed too many changes to replay them one by one: the page shows the current state; the activity log restarts here.');
      activity.replaceChildren();
      void guard(() => reload(true));
    },
  });
  // The reconnect test drops the socket as a network failure would.
  (window as unknown as { __mlopsLive?: LiveFeed }).__mlopsLive = feed;
  return { dispose: () => feed.close() };
}
