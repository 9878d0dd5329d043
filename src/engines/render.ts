import { MarkdownDocument, code, fenced, text } from '../generators/serializers/markdown.js';
import type { Advice } from './advice.js';

/**
 * A model's markdown made safe to embed in a phase document: no control characters, no raw HTML (a `<` outside
 * code blocks is escaped), and headings demoted below the section it sits in, so it cannot restructure the
 * document around it.
 */
export function embeddableMarkdown(markdown: string, minHeading = 3): string {
  const lines = markdown
    .replace(/\r\n?/g, '\n')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
    .split('\n');
  let fence: string | null = null;
  return lines
    .map((l) => {
      const opener = /^\s{0,3}(`{3,}|~{3,})/.exec(l)?.[1];
      if (fence) {
        if (opener && opener[0] === fence[0] && opener.length >= fence.length && l.trim() === opener) fence = null;
        return l;
      }
      if (opener) {
        fence = opener;
        return l;
      }
      const heading = /^\s{0,3}(#{1,6})\s+(.*)$/.exec(l);
      const escaped = l.replace(/</g, '&lt;');
      if (!heading) return escaped;
      const level = Math.min(6, Math.max(minHeading, heading[1]!.length + minHeading - 1));
      return `${'#'.repeat(level)} ${heading[2]!.replace(/</g, '&lt;')}`;
    })
    .join('\n')
    .trim();
}

/** The section an engine adds to a phase document: the model's narrative and proposals, or why there are none. */
export function adviceSection(advice: Advice): string {
  const doc = new MarkdownDocument();
  const who = advice.model ? `${advice.engine} engine, model ${code(advice.model)}` : `${advice.engine} engine`;
  doc.heading(2, 'Model review');
  if (advice.status === 'fallback') {
    doc.paragraph(`> **No model review in this run.** ${text(advice.note ?? 'The model gave no usable answer.')} The rest of this document and every file are the template engine's, as they would be without a model.`);
    return doc.toString();
  }
  doc.paragraph(
    `Written by the ${who} (prompt ${code(advice.promptVersion)}). It comments on the design above; the files of this phase come from the generators and are the same whatever the engine. Proposed spec changes are applied only when you ask (apply_suggestions, or update_pipeline with the patch).`,
  );
  doc.raw(embeddableMarkdown(advice.narrative ?? ''));
  if (advice.suggestions.length > 0) {
    doc.heading(3, 'Proposed spec changes');
    for (const s of advice.suggestions) {
      const rationale = text(s.rationale);
      doc.paragraph(`**${code(s.id)}: ${text(s.title)}.** ${rationale}${/[.!?]$/.test(rationale) ? '' : '.'} Changes ${s.changes.map((c) => code(c)).join(', ')}.`);
      doc.raw(fenced('json', JSON.stringify(s.patch, null, 2)));
    }
  }
  if (advice.designDecisions.length > 0) {
    doc.heading(3, 'Design recommendations');
    doc.bullets(advice.designDecisions.map((d) => `**${text(d.topic)}**: ${text(d.decision)}${d.rationale ? ` (${text(d.rationale)})` : ''}`));
  }
  return doc.toString();
}

/** The phase document with the engine's section appended (the template document is unchanged above it). */
export function documentWithAdvice(document: string, advice: Advice | null): string {
  if (!advice) return document;
  return `${document.replace(/\n+$/, '')}\n\n${adviceSection(advice)}`;
}
