import { Document, Scalar, visit } from 'yaml';

function dropUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropUndefined);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, dropUndefined(v)]),
    );
  }
  return value;
}

/**
 * The one YAML serializer. It writes with the YAML 1.1 schema so that strings such as "yes", "on", "010" or
 * "1:30" are quoted: Kubernetes (go-yaml), PyYAML and yamllint read 1.1 and would otherwise see booleans and
 * numbers. No line folding, so long PromQL and shell lines stay intact.
 */
export function toYaml(value: unknown): string {
  const doc = new Document(dropUndefined(value), { version: '1.1', aliasDuplicateObjects: false });
  // A block scalar keeps trailing blanks of a line verbatim, which yamllint rejects (trailing-spaces); such
  // strings are written double-quoted instead, on one line with \n escapes: folded over several lines, a
  // double-quoted string would still end a line with an escaped blank.
  visit(doc, {
    Scalar(_key, node: Scalar) {
      if (typeof node.value === 'string' && /[ \t]$/m.test(node.value) && node.value.includes('\n')) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  return doc.toString({ lineWidth: 0, indent: 2, doubleQuotedMinMultiLineLength: Number.MAX_SAFE_INTEGER });
}

/** Several objects as one multi-document YAML stream (Kubernetes manifests). */
export function toYamlStream(values: readonly unknown[]): string {
  return values.map((v) => toYaml(v)).join('---\n');
}
