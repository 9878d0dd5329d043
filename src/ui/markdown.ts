import DOMPurify from 'dompurify';
import { Marked } from 'marked';

const marked = new Marked({ gfm: true, async: false });

/**
 * A phase document as HTML. Documents quote user text (requirements, notes, names); the generator escapes it,
 * and DOMPurify removes anything executable that could still get through, before the HTML reaches the page.
 */
export function renderMarkdown(target: HTMLElement, markdown: string): void {
  const html = marked.parse(markdown) as string;
  target.innerHTML = DOMPurify.sanitize(html, { USE_PROFILES: { html: true }, FORBID_TAGS: ['style', 'form', 'input', 'button'], FORBID_ATTR: ['style'] });
  for (const a of target.querySelectorAll('a')) {
    a.setAttribute('rel', 'noopener noreferrer');
    a.setAttribute('target', '_blank');
  }
}
