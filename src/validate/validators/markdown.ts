import type { Validator } from '../types.js';

// Phase documents carry user text; it must reach a renderer as text. Raw HTML outside code is the sign that
// escaping failed somewhere (the web UI sanitises too, but a bundle is also read on GitHub and elsewhere).
const RAW_HTML = /(?<!\\)<\/?[a-z][a-z0-9-]*(\s[^>]*)?(?<!\\)>|\]\(\s*javascript:|(?<!\\)!\[[^\]\n]*\]\(/i;

function stripCode(markdown: string): string {
  // Escaped backticks (from text()) are literal characters, not code span delimiters.
  return markdown
    .replace(/\\`/g, '')
    // CommonMark: a backtick fence's info string has no backtick, and up to 3 spaces (not tabs) may indent it.
    .replace(/^ {0,3}(`{3,})[^`\n]*\n[\s\S]*?^ {0,3}\1[ \t]*$/gm, '')
    .replace(/^ {0,3}(~{3,})[^\n]*\n[\s\S]*?^ {0,3}\1[ \t]*$/gm, '')
    .replace(/(`+)[\s\S]*?\1/g, '');
}

export const markdownValidator: Validator = {
  name: 'markdown-safety',
  description: 'No raw HTML (script, links, event handlers), javascript: links or images outside code spans and fences; every fence closed',
  kinds: ['markdown'],
  async available() {
    return { ok: true };
  },
  async validate({ artifacts }) {
    return artifacts.map((a) => {
      const fences = (a.content.match(/^```/gm) ?? []).length;
      if (fences % 2 !== 0) return { path: a.path, validator: this.name, verdict: 'fail', message: 'unclosed code fence' };
      const html = RAW_HTML.exec(stripCode(a.content));
      return html
        ? { path: a.path, validator: this.name, verdict: 'fail', message: `raw HTML, javascript: link or image outside code: ${html[0].slice(0, 60)}` }
        : { path: a.path, validator: this.name, verdict: 'pass', message: 'no raw HTML, fences closed' };
    });
  },
};
