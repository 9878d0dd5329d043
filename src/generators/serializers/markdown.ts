/**
 * Markdown for phase documents and runbooks. User text (requirements, names, notes) goes through `text()` so
 * it cannot open HTML tags, links, emphasis or table cells; figures and identifiers the generators make are
 * passed through `code()`.
 */
export function text(value: string): string {
  return value
    .replace(/\r\n?/g, '\n')
    .replace(/[\\`*_{}[\]<>()#+!|~]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/\n/g, ' ');
}

/** Inline code span that survives backticks in the value. */
export function code(value: string | number): string {
  const s = String(value).replace(/\r?\n/g, ' ');
  const longest = Math.max(0, ...(s.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${s}${pad}${fence}`;
}

export function fenced(lang: string, body: string): string {
  const longest = Math.max(2, ...(body.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${lang}\n${body.replace(/\n$/, '')}\n${fence}`;
}

/** A fixed-point figure with thousands separators, for prose ("1,234,567"). */
export function num(value: number, digits = 0): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function pct(value: number, digits = 1): string {
  return `${num(value, digits)} %`;
}

function cell(value: string): string {
  return value.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export class MarkdownDocument {
  private readonly blocks: string[] = [];

  heading(level: 1 | 2 | 3 | 4, title: string): this {
    this.blocks.push(`${'#'.repeat(level)} ${title}`);
    return this;
  }

  paragraph(...sentences: string[]): this {
    const p = sentences.filter(Boolean).join(' ');
    if (p) this.blocks.push(p);
    return this;
  }

  bullets(items: readonly string[]): this {
    if (items.length > 0) this.blocks.push(items.map((i) => `- ${i}`).join('\n'));
    return this;
  }

  numbered(items: readonly string[]): this {
    if (items.length > 0) this.blocks.push(items.map((i, n) => `${n + 1}. ${i}`).join('\n'));
    return this;
  }

  /** Cells are markdown already (wrap user text with text() or code()); pipes are escaped here. */
  table(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): this {
    const head = `| ${headers.map(cell).join(' | ')} |`;
    const rule = `| ${headers.map(() => '---').join(' | ')} |`;
    const body = rows.map((r) => `| ${r.map((c) => cell(String(c))).join(' | ')} |`);
    this.blocks.push([head, rule, ...body].join('\n'));
    return this;
  }

  code(lang: string, body: string): this {
    this.blocks.push(fenced(lang, body));
    return this;
  }

  raw(block: string): this {
    this.blocks.push(block.replace(/\n+$/, ''));
    return this;
  }

  toString(): string {
    return `${this.blocks.join('\n\n')}\n`;
  }
}
