import { setUnauthorizedHandler } from './api.js';
import { h, replace } from './dom.js';
import { listPage } from './listPage.js';
import { pipelinePage } from './pipelinePage.js';
import { session } from './session.js';
import type { Meta } from './types.js';

/** What a page returns so the router can stop its live feed when the user navigates away. */
export interface Page {
  dispose(): void;
}

const main = document.getElementById('main')!;
const whoami = document.getElementById('whoami')!;
let meta: Meta;
let current: Page | undefined;

/** Asks for the display name, and for the server token when the server has one. Resolves when both are set. */
function identityDialog(reason?: string): Promise<void> {
  return new Promise((resolve) => {
    const name = h('input', { id: 'display-name', name: 'name', type: 'text', maxlength: meta.display_name_max, required: true, autocomplete: 'nickname', value: session.name });
    const token = meta.auth_required ? h('input', { id: 'token', name: 'token', type: 'password', required: true, autocomplete: 'off' }) : null;
    const error = h('div', { class: 'field-error', role: 'alert' }, reason ?? '');
    const dialog = h(
      'dialog',
      { class: 'identity' },
      h(
        'form',
        {
          method: 'dialog',
          onsubmit: (event: Event) => {
            event.preventDefault();
            const value = name.value.trim();
            if (!value) return void (error.textContent = 'Enter the name teammates will see.');
            if (token && !token.value) return void (error.textContent = 'This server needs its token.');
            session.name = value;
            if (token) session.token = token.value;
            dialog.close();
            dialog.remove();
            renderWhoami();
            resolve();
          },
        },
        h('h2', {}, 'Who is designing?'),
        h('label', { for: 'display-name' }, 'Display name (shown to teammates and recorded with your changes)'),
        name,
        token ? h('label', { for: 'token' }, 'Server token (mlops-mcp serve --token …)') : null,
        token,
        error,
        h('button', { type: 'submit', class: 'primary' }, 'Continue'),
      ),
    );
    document.body.appendChild(dialog);
    dialog.showModal();
  });
}

function renderWhoami(): void {
  replace(whoami, session.name ? h('button', { class: 'link', title: 'Change your display name', onclick: () => void identityDialog().then(route) }, session.name) : null);
}

let navigation = 0;

/**
 * Renders the page of the current address. Pages load asynchronously; when the address changes meanwhile, the
 * older page is disposed as soon as it resolves (its live feed closed) and never shown.
 */
async function route(): Promise<void> {
  const mine = ++navigation;
  current?.dispose();
  current = undefined;
  const match = /^#\/p\/([^/]+)(?:\/([a-z]+))?(?:\/(.*))?$/.exec(location.hash);
  const target = h('div');
  try {
    const page = match
      ? await pipelinePage(target, meta, decodeURIComponent(match[1]!), match[2] ?? 'phases', match[3] ? decodeURIComponent(match[3]) : undefined)
      : await listPage(target, meta);
    if (mine !== navigation) return page.dispose();
    current = page;
  } catch (error) {
    if (mine !== navigation) return;
    replace(target, h('div', { class: 'banner error', role: 'alert' }, (error as Error).message), h('a', { href: '#/' }, 'Back to the pipelines'));
  }
  replace(main, ...target.childNodes);
}

async function start(): Promise<void> {
  meta = await (await fetch('/api/meta')).json();
  setUnauthorizedHandler(() => {
    session.token = '';
    void identityDialog('The server refused the token; enter it again.').then(route);
  });
  if (!session.name || (meta.auth_required && !session.token)) await identityDialog();
  renderWhoami();
  window.addEventListener('hashchange', () => void route());
  await route();
}

void start();
