/**
 * Python literals from JSON-like values. JSON string escapes are a subset of Python's, so a JSON string is a
 * valid Python str literal with the same value; the helper exists so generated Python never splices raw text.
 */
export type PyValue = null | boolean | number | string | PyValue[] | { [key: string]: PyValue } | undefined;

export function pyLiteral(value: PyValue, indent = 0): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'float("nan")';
    if (!Number.isFinite(value)) return value > 0 ? 'float("inf")' : 'float("-inf")';
    return Number.isInteger(value) ? String(value) : String(value);
  }
  if (typeof value === 'string') return JSON.stringify(value).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  const pad = ' '.repeat(indent + 4);
  const end = ' '.repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => `${pad}${pyLiteral(v, indent + 4)},`).join('\n')}\n${end}]`;
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${pad}${pyLiteral(k)}: ${pyLiteral(v, indent + 4)},`).join('\n')}\n${end}}`;
}

/** A Python identifier from a validated lower_snake_case name (keywords get a trailing underscore). */
const PY_KEYWORDS = new Set(['False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try', 'while', 'with', 'yield', 'match', 'case', 'type']);
export function pyIdentifier(name: string): string {
  const id = name.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(\d)/, '_$1');
  return PY_KEYWORDS.has(id) ? `${id}_` : id;
}
