/**
 * The one HCL (Terraform) serializer. Configuration is built as typed blocks and attributes; values are
 * literals (escaped here) or expressions. An expression is made only from references and function calls
 * the generator writes (`ref`, `call`, `tpl`), never from user text, so a spec string can never become
 * Terraform syntax: strings are escaped, including the template sequences `${` and `%{`.
 */

/** A Terraform expression written verbatim: a reference (`var.name`), a call, a conditional, a for expression. */
export class HclExpression {
  constructor(readonly text: string) {}
}

export type HclValue = string | number | boolean | null | HclExpression | readonly HclValue[] | { readonly [key: string]: HclValue | undefined };

export interface HclAttribute {
  type: 'attribute';
  name: string;
  value: HclValue;
}

export interface HclBlock {
  type: 'block';
  name: string;
  labels: readonly string[];
  body: HclBody;
}

export interface HclComment {
  type: 'comment';
  text: string;
}

export type HclBodyItem = HclAttribute | HclBlock | HclComment;
export type HclBody = readonly (HclBodyItem | undefined | false)[];

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const REFERENCE = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*|\[("[^"\\]*"|\d+|\*)\])*(\.\*)?$/;

/** A reference such as `var.region`, `module.network.vpc_id`, `aws_s3_bucket.data["raw"].arn`. */
export function ref(path: string): HclExpression {
  if (!REFERENCE.test(path)) throw new Error(`not a Terraform reference: ${JSON.stringify(path)}`);
  return new HclExpression(path);
}

/** A function call with literal or expression arguments: call('merge', ref('var.tags'), { Name: 'x' }). */
export function call(fn: string, ...args: HclValue[]): HclExpression {
  if (!/^[a-z][a-z0-9_]*(::[a-z][a-z0-9_]*)*$/.test(fn)) throw new Error(`not a Terraform function name: ${fn}`);
  return new HclExpression(`${fn}(${args.map((a) => hclValue(a, 0)).join(', ')})`);
}

/**
 * A string template: literal parts are escaped, expressions are interpolated. Use as a tagged template:
 * tpl`${ref('var.name')}-raw` → "${var.name}-raw".
 */
export function tpl(strings: TemplateStringsArray, ...exprs: HclExpression[]): HclExpression {
  let out = '"';
  strings.forEach((s, i) => {
    out += escapeString(s);
    if (i < exprs.length) out += `\${${exprs[i]!.text}}`;
  });
  return new HclExpression(`${out}"`);
}

/** An expression the generator composes from other expressions (conditionals, for expressions, operators). */
export function raw(text: string): HclExpression {
  return new HclExpression(text);
}

export function attr(name: string, value: HclValue | undefined): HclAttribute | undefined {
  if (value === undefined) return undefined;
  if (!IDENTIFIER.test(name)) throw new Error(`not an HCL attribute name: ${JSON.stringify(name)}`);
  return { type: 'attribute', name, value };
}

export function block(name: string, labels: readonly string[], body: HclBody): HclBlock {
  if (!IDENTIFIER.test(name)) throw new Error(`not an HCL block type: ${JSON.stringify(name)}`);
  return { type: 'block', name, labels, body };
}

export function comment(text: string): HclComment {
  return { type: 'comment', text };
}

/** Escapes a string for a quoted HCL string literal (which is a template: `${` and `%{` must be doubled). */
export function escapeString(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f || code === 0x2028 || code === 0x2029) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}

function objectKey(key: string): string {
  return IDENTIFIER.test(key) ? key : `"${escapeString(key)}"`;
}

function hclValue(value: HclValue, indent: number): string {
  // Expressions are composed at indent 0 (call arguments, for expressions): nested lines follow the caller's indent.
  if (value instanceof HclExpression) return value.text.replace(/\n/g, `\n${'  '.repeat(indent)}`);
  if (value === null) return 'null';
  if (typeof value === 'string') return `"${escapeString(value)}"`;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`HCL has no literal for ${value}`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const pad = '  '.repeat(indent + 1);
  const end = '  '.repeat(indent);
  if (Array.isArray(value)) {
    const items = value as readonly HclValue[];
    if (items.length === 0) return '[]';
    const inline = items.map((v) => hclValue(v, indent + 1));
    if (inline.every((s) => !s.includes('\n')) && inline.join(', ').length <= 80) return `[${inline.join(', ')}]`;
    return `[\n${inline.map((s) => `${pad}${s},`).join('\n')}\n${end}]`;
  }
  const entries = Object.entries(value as Record<string, HclValue | undefined>).filter((e): e is [string, HclValue] => e[1] !== undefined);
  if (entries.length === 0) return '{}';
  const width = Math.max(...entries.map(([k]) => objectKey(k).length));
  return `{\n${entries.map(([k, v]) => `${pad}${objectKey(k).padEnd(width)} = ${hclValue(v, indent + 1)}`).join('\n')}\n${end}}`;
}

function bodyText(body: HclBody, indent: number): string {
  const pad = '  '.repeat(indent);
  const items = body.filter((i): i is HclBodyItem => Boolean(i));
  const lines: string[] = [];
  // Consecutive attributes align their `=` like `terraform fmt` does.
  let run: HclAttribute[] = [];
  const flush = () => {
    const width = Math.max(0, ...run.map((a) => a.name.length));
    for (const a of run) lines.push(`${pad}${a.name.padEnd(width)} = ${hclValue(a.value, indent)}`);
    run = [];
  };
  items.forEach((item, i) => {
    if (item.type === 'attribute') {
      run.push(item);
      return;
    }
    flush();
    if (item.type === 'comment') {
      for (const line of item.text.split('\n')) lines.push(`${pad}# ${line}`.trimEnd());
      return;
    }
    if (i > 0 && lines.length > 0 && lines[lines.length - 1] !== '' && !lines[lines.length - 1]!.trimStart().startsWith('#')) lines.push('');
    const labels = item.labels.map((l) => ` "${escapeString(l)}"`).join('');
    const inner = bodyText(item.body, indent + 1);
    lines.push(inner ? `${pad}${item.name}${labels} {\n${inner}\n${pad}}` : `${pad}${item.name}${labels} {}`);
    if (i < items.length - 1) lines.push('');
  });
  flush();
  return lines.join('\n');
}

/** One .tf file from a body of top-level blocks and attributes. */
export function toHcl(body: HclBody): string {
  return `${bodyText(body, 0)}\n`;
}
