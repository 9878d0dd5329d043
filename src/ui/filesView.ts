import { api } from './api.js';
import { highlightLines, languageFor } from './code.js';
import { h, replace } from './dom.js';
import type { Comment, FileContent, FileEntry } from './types.js';

const VERDICT_ICON: Record<string, string> = { pass: '✔', fail: '✘', unchecked: '○' };

interface Folder {
  folders: Map<string, Folder>;
  files: FileEntry[];
}

function tree(files: FileEntry[]): Folder {
  const root: Folder = { folders: new Map(), files: [] };
  for (const f of files) {
    const parts = f.path.split('/');
    let node = root;
    for (const part of parts.slice(0, -1)) {
      if (!node.folders.has(part)) node.folders.set(part, { folders: new Map(), files: [] });
      node = node.folders.get(part)!;
    }
    node.files.push(f);
  }
  return root;
}

function renderFolder(folder: Folder, selected: string | undefined, open: (path: string) => void, prefix = ''): HTMLElement {
  return h(
    'ul',
    { class: 'tree' },
    [...folder.folders.entries()].map(([name, sub]) =>
      h('li', {}, h('details', { open: selected?.startsWith(`${prefix}${name}/`) ?? false }, h('summary', {}, `${name}/`), renderFolder(sub, selected, open, `${prefix}${name}/`))),
    ),
    folder.files.map((f) =>
      h(
        'li',
        { class: f.path === selected ? 'selected' : '', 'data-file': f.path },
        h('button', { class: 'link', onclick: () => open(f.path) }, f.path.split('/').at(-1)!),
        f.verdict ? h('span', { class: `verdict ${f.verdict}`, title: `validation: ${f.verdict}`, 'data-verdict': f.verdict }, VERDICT_ICON[f.verdict]) : null,
      ),
    ),
  );
}

export interface FilesContext {
  pipelineId: string;
  maxComment: number;
  comments: Comment[];
  /** Opens a file by changing the route, so the file is part of the address. */
  navigate(path: string): void;
  flash(message: string, kind?: 'error' | 'info'): void;
}

/** The bundle's files: a tree with validation verdicts, and the selected file highlighted with line comments. */
export async function filesView(target: HTMLElement, ctx: FilesContext, selected: string | undefined): Promise<void> {
  const { files } = await api.get<{ files: FileEntry[] }>(`/pipelines/${encodeURIComponent(ctx.pipelineId)}/files`);
  const viewer = h('div', { class: 'viewer' });
  const counts = { pass: 0, fail: 0, unchecked: 0, none: 0 };
  for (const f of files) counts[f.verdict ?? 'none']++;
  const validateAll = h('button', {
    class: 'small',
    'data-action': 'validate-all',
    onclick: async () => {
      validateAll.disabled = true;
      validateAll.textContent = 'Validating every file…';
      try {
        const { summary } = await api.send<{ summary: { passed: number; failed: number; unchecked: number } }>('POST', `/pipelines/${encodeURIComponent(ctx.pipelineId)}/validate`, {});
        ctx.flash(`Validated: ${summary.passed} passed, ${summary.failed} failed, ${summary.unchecked} unchecked.`);
      } catch (error) {
        ctx.flash((error as Error).message, 'error');
      }
      await filesView(target, ctx, selected);
    },
  }, 'Validate all files');
  replace(
    target,
    h(
      'div',
      { class: 'files' },
      h(
        'aside',
        {},
        h('div', { class: 'muted small' }, `${files.length} files · ✔ ${counts.pass} ✘ ${counts.fail} ○ ${counts.unchecked} · ${counts.none} not validated`),
        h(
          'div',
          { class: 'actions' },
          validateAll,
          h('button', { class: 'small', 'data-action': 'download-zip', onclick: () => void download('zip') }, 'Download .zip'),
          h('button', { class: 'small', 'data-action': 'download-tgz', onclick: () => void download('tar.gz') }, 'Download .tar.gz'),
        ),
        renderFolder(tree(files), selected, ctx.navigate),
      ),
      viewer,
    ),
  );
  async function download(format: 'zip' | 'tar.gz') {
    try {
      await api.download(`/pipelines/${encodeURIComponent(ctx.pipelineId)}/bundle.${format}`, `bundle.${format}`);
    } catch (error) {
      ctx.flash((error as Error).message, 'error');
    }
  }
  if (selected && files.some((f) => f.path === selected)) await showFile(viewer, ctx, selected, () => filesView(target, ctx, selected));
  else replace(viewer, h('p', { class: 'muted' }, 'Pick a file to read it, comment on a line, or validate it.'));
}

async function showFile(viewer: HTMLElement, ctx: FilesContext, path: string, refresh: () => Promise<void>): Promise<void> {
  const file = await api.get<FileContent>(`/pipelines/${encodeURIComponent(ctx.pipelineId)}/file?path=${encodeURIComponent(path)}`);
  const lines = highlightLines(file.content.replace(/\n$/, ''), languageFor(file.kind, file.path));
  const byLine = new Map<number, Comment[]>();
  for (const c of ctx.comments.filter((c) => c.artifact_path === path && c.line !== null)) byLine.set(c.line!, [...(byLine.get(c.line!) ?? []), c]);
  const rows = h('tbody');
  lines.forEach((html, i) => {
    const n = i + 1;
    const code = h('td', { class: 'code' });
    code.innerHTML = html; // highlight.js output: the file's text is escaped
    rows.appendChild(
      h('tr', { 'data-line': n }, h('td', { class: 'ln' }, h('button', { class: 'link', title: 'Comment on this line', 'data-action': 'comment-line', onclick: () => commentForm(rows, n) }, n)), code),
    );
    for (const c of byLine.get(n) ?? []) rows.appendChild(commentRow(c));
  });
  function commentRow(c: Comment): HTMLElement {
    return h('tr', { class: 'line-comment', 'data-comment-line': c.line ?? '' }, h('td', {}), h('td', {}, h('strong', {}, c.author.replace(/^web:/, '')), ' ', h('span', { class: 'muted' }, c.created_at), h('div', { class: 'comment-body' }, c.body)));
  }
  function commentForm(body: HTMLElement, line: number) {
    body.querySelector('.line-comment-form')?.remove();
    const text = h('textarea', { name: 'comment', rows: 2, maxlength: ctx.maxComment, placeholder: `Comment on line ${line}` });
    const error = h('div', { class: 'field-error', role: 'alert' });
    const row = h(
      'tr',
      { class: 'line-comment-form' },
      h('td', {}),
      h(
        'td',
        {},
        h(
          'form',
          {
            onsubmit: async (event: Event) => {
              event.preventDefault();
              try {
                await api.send('POST', `/pipelines/${encodeURIComponent(ctx.pipelineId)}/comments`, { artifact_path: path, line, body: text.value });
                row.remove();
              } catch (e) {
                error.textContent = (e as Error).message;
              }
            },
          },
          text,
          error,
          h('button', { type: 'submit', class: 'small primary' }, 'Comment'),
        ),
      ),
    );
    const anchor = body.querySelector(`tr[data-line="${line}"]`)!;
    let after: Element = anchor;
    while (after.nextElementSibling?.classList.contains('line-comment')) after = after.nextElementSibling;
    after.after(row);
    text.focus();
  }
  const verdict = file.verdict;
  replace(
    viewer,
    h(
      'header',
      {},
      h('h3', {}, file.path),
      h('span', { class: 'muted' }, `${file.kind} · from ${file.phase}`),
      h(
        'div',
        { class: 'actions' },
        h('button', { class: 'small', 'data-action': 'download-file', onclick: () => void api.download(`/pipelines/${encodeURIComponent(ctx.pipelineId)}/file?path=${encodeURIComponent(path)}&download=1`, path.split('/').at(-1)!) }, 'Download'),
        h(
          'button',
          {
            class: 'small',
            'data-action': 'validate-file',
            onclick: async (event: Event) => {
              (event.target as HTMLButtonElement).disabled = true;
              try {
                await api.send('POST', `/pipelines/${encodeURIComponent(ctx.pipelineId)}/validate`, { paths: [path] });
              } catch (error) {
                ctx.flash((error as Error).message, 'error');
              }
              await refresh();
            },
          },
          'Validate this file',
        ),
      ),
    ),
    verdict
      ? h(
          'div',
          { class: `verdict-box ${verdict.verdict}${verdict.current ? '' : ' outdated'}`, 'data-role': 'verdict' },
          h('strong', {}, `${VERDICT_ICON[verdict.verdict] ?? ''} ${verdict.verdict}`, verdict.current ? '' : ' (the file changed since)'),
          h('ul', {}, verdict.results.map((r) => h('li', {}, h('code', {}, r.validator), ` ${r.verdict}: `, r.message.split('\n')[0]!))),
        )
      : h('div', { class: 'muted small' }, 'Not validated yet.'),
    h('table', { class: 'source' }, rows),
  );
}
