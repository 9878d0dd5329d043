/**
 * The one protobuf text-format serializer (Triton's config.pbtxt and any other `.pbtxt`). A message is a plain
 * object whose keys are field names; values are scalars, enum symbols (`pbEnum('KIND_GPU')`), nested messages or
 * arrays of either (repeated fields). Strings are always double-quoted with C-style escapes, so user text can
 * never break out of a value; field names must be protobuf identifiers.
 */

export interface PbEnum {
  readonly pbEnum: string;
}
export type PbScalar = string | number | boolean | PbEnum;
export type PbValue = PbScalar | PbMessage | readonly PbScalar[] | readonly PbMessage[];
export interface PbMessage {
  readonly [field: string]: PbValue | undefined;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** An enum value (written bare, e.g. `kind: KIND_GPU`). */
export function pbEnum(name: string): PbEnum {
  if (!IDENTIFIER.test(name)) throw new Error(`invalid protobuf enum value: ${JSON.stringify(name)}`);
  return { pbEnum: name };
}

function isEnum(v: unknown): v is PbEnum {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && typeof (v as PbEnum).pbEnum === 'string';
}

function isMessage(v: unknown): v is PbMessage {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !isEnum(v);
}

/** A double-quoted string literal: backslash, quote and control characters escaped, non-ASCII as UTF-8 octal bytes. */
export function pbString(s: string): string {
  let out = '"';
  for (const byte of Buffer.from(s, 'utf8')) {
    if (byte === 0x22) out += '\\"';
    else if (byte === 0x5c) out += '\\\\';
    else if (byte === 0x0a) out += '\\n';
    else if (byte === 0x0d) out += '\\r';
    else if (byte === 0x09) out += '\\t';
    else if (byte < 0x20 || byte >= 0x7f) out += `\\${byte.toString(8).padStart(3, '0')}`;
    else out += String.fromCharCode(byte);
  }
  return `${out}"`;
}

function scalar(v: PbScalar): string {
  if (isEnum(v)) return v.pbEnum;
  if (typeof v === 'string') return pbString(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (!Number.isFinite(v)) throw new Error(`protobuf text format has no literal for ${v}`);
  return String(v);
}

function body(msg: PbMessage, indent: string): string[] {
  const lines: string[] = [];
  for (const [field, value] of Object.entries(msg)) {
    if (value === undefined) continue;
    if (!IDENTIFIER.test(field)) throw new Error(`invalid protobuf field name: ${JSON.stringify(field)}`);
    if (Array.isArray(value)) {
      if (value.length === 0) continue;
      if (value.every((x) => isMessage(x))) {
        lines.push(`${indent}${field} [`);
        (value as PbMessage[]).forEach((m, i) => {
          lines.push(`${indent}  {`, ...body(m, `${indent}    `), `${indent}  }${i < value.length - 1 ? ',' : ''}`);
        });
        lines.push(`${indent}]`);
      } else if (value.some((x) => isMessage(x))) {
        throw new Error(`repeated field ${field} mixes messages and scalars`);
      } else {
        lines.push(`${indent}${field}: [ ${(value as PbScalar[]).map(scalar).join(', ')} ]`);
      }
    } else if (isMessage(value)) {
      lines.push(`${indent}${field} {`, ...body(value, `${indent}  `), `${indent}}`);
    } else {
      lines.push(`${indent}${field}: ${scalar(value as PbScalar)}`);
    }
  }
  return lines;
}

/** A message as protobuf text format, two-space indented, ending with a newline. */
export function toPbtxt(msg: PbMessage): string {
  return `${body(msg, '').join('\n')}\n`;
}
