import { stringify } from 'yaml';

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
  return stringify(dropUndefined(value), { version: '1.1', lineWidth: 0, indent: 2, aliasDuplicateObjects: false });
}

/** Several objects as one multi-document YAML stream (Kubernetes manifests). */
export function toYamlStream(values: readonly unknown[]): string {
  return values.map((v) => toYaml(v)).join('---\n');
}
