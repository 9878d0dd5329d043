import { MarkdownDocument, code, fenced, text } from '../generators/serializers/markdown.js';
import type { Advice } from './advice.js';

/** Inline text with only bold and code spans kept; everything else is escaped (no links, images or HTML). */
function inline(line: string): string {
  return line
    .split(/(\*\*[^*\n]+\*\*|`[^`\n]+`)/)
    .map((part) => (/^\*\*[^*]+\*\*$/.test(part) ? `**${text(part.slice(2, -2))}**` : /^`[^`]+`$/.test(part) ? code(part.slice(1, -1)) : text(part)))
    .join('');
}

/**
 * A model's markdown rebuilt from a safe subset: headings (demoted below the section they sit in), bullet and
 * numbered items, paragraphs, fenced code, bold and code spans. Every other character is escaped by `text()`,
 * so raw HTML, links, images, setext headings or an unclosed fence cannot survive: the output is written by our
 * own serializer, never passed through.
 */
export function embeddableMarkdown(markdown: string, minHeading = 3): string {
  // eslint-disable-next-line no-control-regex
  const lines = markdown.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '').split('\n');
  const blocks: string[] = [];
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length) blocks.push(inline(paragraph.join(' ')));
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = /^ {0,3}(`{3,}|~{3,})\s*([A-Za-z0-9_+-]*)/.exec(line);
    if (fence) {
      flush();
      const body: string[] = [];
      for (i++; i < lines.length && !lines[i]!.trim().startsWith(fence[1]!); i++) body.push(lines[i]!);
      blocks.push(fenced(fence[2]!.toLowerCase(), body.join('\n')));
      continue;
    }
    const heading = /^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$/.exec(line);
    const item = /^\s{0,6}([-*+]|\d{1,3}[.)])\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      blocks.push(`${'#'.repeat(Math.min(6, heading[1]!.length + minHeading - 1))} ${inline(heading[2]!)}`);
    } else if (item) {
      flush();
      const bullet = /\d/.test(item[1]!) ? `${item[1]!.replace(/\D/g, '')}.` : '-';
      const previous = blocks[blocks.length - 1];
      const entry = `${bullet} ${inline(item[2]!)}`;
      // Consecutive items form one list.
      if (previous !== undefined && /^(-|\d+\.) /.test(previous) && lines[i - 1]?.trim() !== '') blocks[blocks.length - 1] = `${previous}\n${entry}`;
      else blocks.push(entry);
    } else if (line.trim() === '') flush();
    else paragraph.push(line.trim());
  }
  flush();
  return blocks.join('\n\n');
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
    `Written by the ${who} (prompt ${code(advice.promptVersion)}). It comments on the design above; this phase's code, manifests and configuration come from the generators and are the same whatever the engine. Proposed spec changes are applied only when you ask (apply_suggestions, or update_pipeline with the patch).`,
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
