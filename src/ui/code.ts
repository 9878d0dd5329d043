import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import dockerfile from 'highlight.js/lib/languages/dockerfile';
import ini from 'highlight.js/lib/languages/ini';
import json from 'highlight.js/lib/languages/json';
import markdown from 'highlight.js/lib/languages/markdown';
import plaintext from 'highlight.js/lib/languages/plaintext';
import python from 'highlight.js/lib/languages/python';
import yaml from 'highlight.js/lib/languages/yaml';
import type { HLJSApi, Language } from 'highlight.js';

/** HCL (Terraform): highlight.js ships no grammar for it; blocks, strings, interpolation, comments and numbers suffice. */
function hcl(api: HLJSApi): Language {
  return {
    name: 'HCL',
    aliases: ['terraform', 'tf'],
    keywords: { keyword: 'resource data module variable output locals provider terraform for_each count depends_on dynamic content for in if', literal: 'true false null' },
    contains: [
      api.HASH_COMMENT_MODE,
      api.C_LINE_COMMENT_MODE,
      api.C_BLOCK_COMMENT_MODE,
      { className: 'string', begin: '"', end: '"', contains: [api.BACKSLASH_ESCAPE, { className: 'subst', begin: /\$\{/, end: /\}/ }] },
      { className: 'string', begin: /<<-?\s*(\w+)/, end: /^\s*\w+$/, relevance: 0 },
      api.NUMBER_MODE,
      { className: 'attr', begin: /\b[A-Za-z_][\w-]*(?=\s*=)/, relevance: 0 },
    ],
  };
}

for (const [name, grammar] of Object.entries({ bash, dockerfile, ini, json, markdown, plaintext, python, yaml, hcl })) hljs.registerLanguage(name, grammar);

const LANGUAGE_BY_KIND: Record<string, string> = {
  python: 'python',
  shell: 'bash',
  dockerfile: 'dockerfile',
  json: 'json',
  'grafana-dashboard': 'json',
  markdown: 'markdown',
  toml: 'ini',
  'python-project': 'ini',
  terraform: 'hcl',
  text: 'plaintext',
  properties: 'ini',
};

export function languageFor(kind: string, path: string): string {
  if (path.endsWith('.py')) return 'python';
  if (path.endsWith('.sh')) return 'bash';
  if (path.endsWith('.json')) return 'json';
  if (path.endsWith('.tf') || path.endsWith('.tfvars')) return 'hcl';
  if (path.endsWith('.md')) return 'markdown';
  if (path.endsWith('.toml') || path.endsWith('.cfg') || path.endsWith('.ini')) return 'ini';
  if (/Dockerfile/.test(path)) return 'dockerfile';
  if (path.endsWith('.yaml') || path.endsWith('.yml')) return 'yaml';
  return LANGUAGE_BY_KIND[kind] ?? 'plaintext';
}

/**
 * Highlighted HTML split into lines: a token spanning lines (a docstring, a block comment) is closed at each
 * line end and reopened on the next, so every line is well-formed on its own. highlight.js escapes the code.
 */
export function highlightLines(code: string, language: string): string[] {
  const html = hljs.highlight(code, { language, ignoreIllegals: true }).value;
  const lines: string[] = [];
  const open: string[] = [];
  let current = '';
  const tag = /<span[^>]*>|<\/span>|\n/g;
  let last = 0;
  for (let m = tag.exec(html); m; m = tag.exec(html)) {
    current += html.slice(last, m.index);
    last = m.index + m[0].length;
    if (m[0] === '\n') {
      lines.push(current + '</span>'.repeat(open.length));
      current = open.join('');
    } else if (m[0] === '</span>') {
      open.pop();
      current += m[0];
    } else {
      open.push(m[0]);
      current += m[0];
    }
  }
  lines.push(current + html.slice(last) + '</span>'.repeat(open.length));
  return lines;
}
