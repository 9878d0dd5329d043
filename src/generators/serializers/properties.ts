/**
 * The one Java `.properties` serializer (TorchServe's config.properties). Keys must be plain identifiers with
 * dots/underscores/dashes; values are escaped per java.util.Properties: backslash, leading blanks, line breaks and
 * non-printable characters, so a value can never start a new key.
 */

const KEY = /^[A-Za-z0-9_.-]+$/;

function escapeValue(v: string): string {
  let out = '';
  for (const [i, ch] of [...v].entries()) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\f') out += '\\f';
    else if (ch === ' ' && i === 0) out += '\\ ';
    else if (code < 0x20 || code > 0x7e) out += code > 0xffff ? ch.split('').map((u) => `\\u${u.charCodeAt(0).toString(16).padStart(4, '0')}`).join('') : `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out;
}

/** Entries in the given order as `key=value` lines; `comment` lines (if any) come first as `# ...`. */
export function toProperties(entries: readonly (readonly [string, string | number | boolean])[], comment: readonly string[] = []): string {
  const lines = comment.map((c) => `# ${c.replace(/[\r\n]+/g, ' ')}`);
  for (const [key, value] of entries) {
    if (!KEY.test(key)) throw new Error(`invalid properties key: ${JSON.stringify(key)}`);
    lines.push(`${key}=${escapeValue(String(value))}`);
  }
  return `${lines.join('\n')}\n`;
}
