import { z } from 'zod';
import { SpecSchema } from '../spec/schema.js';
import { h } from './dom.js';

/**
 * The spec editor, generated from the same zod schema the server validates with: its JSON Schema gives the
 * fields (enums become selects, objects fieldsets, lists of objects repeatable groups) and SpecSchema itself
 * checks every edit, so the messages under the fields are the server's messages.
 */
interface JsonSchema {
  type?: string | string[];
  enum?: (string | number)[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  description?: string;
  default?: unknown;
  maxLength?: number;
  anyOf?: JsonSchema[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const SPEC_JSON_SCHEMA = z.toJSONSchema(SpecSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;

/** A field reads its value back from the DOM; objects and lists compose their children's readers. */
type Reader = () => Json | undefined;

const label = (key: string) => key.replace(/_/g, ' ');
const pathKey = (path: (string | number)[]) => path.join('.');

function typeOf(schema: JsonSchema): string | undefined {
  if (Array.isArray(schema.type)) return schema.type.find((t) => t !== 'null');
  return schema.type;
}

/**
 * One field. `required` is whether the schema needs a value: an optional field left empty reads as absent, so
 * the patch removes it and the server's default or derivation applies again.
 */
function field(schema: JsonSchema, key: string, path: (string | number)[], value: Json | undefined, onChange: () => void, required = true): { el: HTMLElement; read: Reader } {
  const type = typeOf(schema);
  const id = `f-${pathKey(path).replace(/[^a-zA-Z0-9_-]/g, '-')}`;
  const help = schema.description ? h('small', { class: 'help' }, schema.description) : null;
  const message = h('div', { class: 'field-error', 'data-error-for': pathKey(path) });
  const wrap = (input: HTMLElement, read: Reader) => ({
    el: h('div', { class: 'field', 'data-path': pathKey(path) }, h('label', { for: id }, label(key)), input, help, message),
    read,
  });

  if (schema.enum) {
    const select = h(
      'select',
      { id, name: pathKey(path), onchange: onChange },
      !required || value === undefined ? h('option', { value: '', selected: value === undefined }, schema.default === undefined ? '(derived)' : `(default: ${String(schema.default)})`) : null,
      schema.enum.map((v) => h('option', { value: String(v), selected: v === value }, String(v))),
    );
    return wrap(select, () => (select.value === '' ? undefined : select.value));
  }
  if (type === 'boolean') {
    const box = h('input', { id, name: pathKey(path), type: 'checkbox', checked: value === true, onchange: onChange });
    return wrap(box, () => box.checked);
  }
  if (type === 'number' || type === 'integer') {
    const input = h('input', { id, name: pathKey(path), type: 'number', step: type === 'integer' ? '1' : 'any', value: value === undefined || value === null ? '' : String(value), oninput: onChange });
    return wrap(input, () => (input.value.trim() === '' ? undefined : Number(input.value)));
  }
  if (type === 'object' && schema.properties) {
    const obj = (value ?? {}) as Record<string, Json>;
    const children = Object.entries(schema.properties).map(([k, s]) => [k, field(s, k, [...path, k], obj[k], onChange, schema.required?.includes(k) ?? false)] as const);
    const el = h('fieldset', { class: 'group', 'data-path': pathKey(path) }, h('legend', {}, label(key)), help, children.map(([, c]) => c.el), message);
    return {
      el,
      read: () => {
        const out: Record<string, Json> = {};
        for (const [k, c] of children) {
          const v = c.read();
          if (v !== undefined) out[k] = v;
        }
        return out;
      },
    };
  }
  if (type === 'array' && schema.items && typeOf(schema.items) === 'object') {
    return list(schema, key, path, (value ?? []) as Json[], onChange, help, message);
  }
  if (type === 'array') {
    // Lists of plain values (categories): one per line.
    const area = h('textarea', { id, name: pathKey(path), rows: 3, oninput: onChange });
    area.value = ((value ?? []) as Json[]).map(String).join('\n');
    return wrap(area, () => {
      const items = area.value.split('\n').map((s) => s.trim()).filter(Boolean);
      return items.length ? items : value === undefined ? undefined : [];
    });
  }
  if (type === 'string' || type === undefined) {
    const long = (schema.maxLength ?? 0) > 500;
    const input = long ? h('textarea', { id, name: pathKey(path), rows: 5, oninput: onChange }) : h('input', { id, name: pathKey(path), type: 'text', oninput: onChange });
    input.value = value === undefined || value === null ? '' : String(value);
    return wrap(input, () => (input.value === '' && (!required || value === undefined) ? undefined : input.value));
  }
  const area = h('textarea', { id, name: pathKey(path), rows: 4, oninput: onChange });
  area.value = JSON.stringify(value ?? null, null, 2);
  return wrap(area, () => {
    try {
      return JSON.parse(area.value) as Json;
    } catch {
      return area.value;
    }
  });
}

function list(schema: JsonSchema, key: string, path: (string | number)[], items: Json[], onChange: () => void, help: HTMLElement | null, message: HTMLElement): { el: HTMLElement; read: Reader } {
  const rows = h('div', { class: 'rows' });
  const readers: { row: HTMLElement; read: Reader }[] = [];
  const addRow = (item: Json | undefined) => {
    const index = readers.length;
    const child = field(schema.items!, `${key.replace(/s$/, '')} ${index + 1}`, [...path, index], item ?? {}, onChange);
    const row = h('div', { class: 'row' }, child.el);
    const entry = { row, read: child.read };
    row.appendChild(
      h('button', {
        type: 'button',
        class: 'small',
        onclick: () => {
          readers.splice(readers.indexOf(entry), 1);
          row.remove();
          onChange();
        },
      }, `remove ${key.replace(/s$/, '')}`),
    );
    readers.push(entry);
    rows.appendChild(row);
  };
  items.forEach(addRow);
  const el = h(
    'fieldset',
    { class: 'group list', 'data-path': pathKey(path) },
    h('legend', {}, `${label(key)} (${items.length})`),
    help,
    rows,
    h('button', { type: 'button', class: 'small', onclick: () => (addRow(undefined), onChange()) }, `add ${key.replace(/s$/, '')}`),
    message,
  );
  return { el, read: () => readers.map((r) => r.read() ?? {}) };
}

/** A JSON merge patch turning `before` into `after`: objects recurse, anything else is replaced, a removed key is null. */
export function mergePatchBetween(before: Json, after: Json): Json | undefined {
  if (before && after && typeof before === 'object' && typeof after === 'object' && !Array.isArray(before) && !Array.isArray(after)) {
    const patch: Record<string, Json> = {};
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      if (!(key in after)) patch[key] = null;
      else if (!(key in before)) patch[key] = after[key]!;
      else {
        const sub = mergePatchBetween(before[key]!, after[key]!);
        if (sub !== undefined) patch[key] = sub;
      }
    }
    return Object.keys(patch).length ? patch : undefined;
  }
  return JSON.stringify(before) === JSON.stringify(after) ? undefined : after;
}

export interface SpecForm {
  el: HTMLFormElement;
  /** The edited spec, or the schema's messages keyed by field path. */
  check(): { ok: true; spec: Json } | { ok: false; errors: Map<string, string[]> };
  showErrors(errors: Map<string, string[]>): void;
}

export function specForm(spec: Json, onSubmit: (edited: Json) => void): SpecForm {
  const form = h('form', { class: 'spec-form', novalidate: true }) as HTMLFormElement;
  const summary = h('div', { class: 'form-errors', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Save spec');
  // validate is a hoisted declaration: the fields call it on every edit, and it reads them back through root.
  const root = field(SPEC_JSON_SCHEMA, 'spec', [], spec, () => validate());
  const check: SpecForm['check'] = () => {
    const value = root.read() ?? {};
    const result = SpecSchema.safeParse(value);
    if (result.success) return { ok: true, spec: value };
    const errors = new Map<string, string[]>();
    for (const issue of result.error.issues) {
      const key = pathKey(issue.path as (string | number)[]);
      errors.set(key, [...(errors.get(key) ?? []), issue.message]);
    }
    return { ok: false, errors };
  };
  const showErrors = (errors: Map<string, string[]>) => {
    for (const el of form.querySelectorAll('[data-error-for]')) el.textContent = '';
    for (const el of form.querySelectorAll('.invalid')) el.classList.remove('invalid');
    const lines: string[] = [];
    for (const [path, messages] of errors) {
      const target = form.querySelector(`[data-error-for="${CSS.escape(path)}"]`);
      if (target) {
        target.textContent = messages.join('; ');
        target.parentElement?.classList.add('invalid');
      }
      lines.push(`${path || '(spec)'}: ${messages.join('; ')}`);
    }
    summary.replaceChildren(...lines.map((l) => h('div', {}, l)));
  };
  function validate() {
    const result = check();
    showErrors(result.ok ? new Map() : result.errors);
    submit.disabled = !result.ok;
  }
  form.append(summary, root.el, h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const result = check();
    if (!result.ok) return showErrors(result.errors);
    onSubmit(result.spec);
  });
  return { el: form, check, showErrors };
}
