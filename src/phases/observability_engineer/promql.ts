/**
 * PromQL building blocks. Label values that come from the spec or from upstream decisions (namespace, model,
 * pipeline and feature names) go through `promqlString`, so a quote or backslash can never end the string
 * literal early, whatever validation the value passed upstream.
 */

/** A PromQL double-quoted string literal (Go escaping rules). */
export function promqlString(value: string): string {
  const escaped = value.replace(/[\\"\n\r\t]/g, (c) => ({ '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c] ?? c);
  return `"${escaped}"`;
}

export type Matcher = readonly [label: string, op: '=' | '!=' | '=~' | '!~', value: string];

/** `{a="x",b=~"y"}` from label matchers; label names are ours (identifiers), values are escaped. */
export function selector(matchers: readonly Matcher[]): string {
  return `{${matchers.map(([label, op, value]) => `${label}${op}${promqlString(value)}`).join(',')}}`;
}

/** Escapes a literal string for use inside a PromQL regular expression matcher (RE2 syntax). */
export function regexLiteral(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** kube-state-metrics exposes node label `a.b/c-d` as the Prometheus label `label_a_b_c_d`. */
export function kubeStateLabelName(nodeLabel: string): string {
  return `label_${nodeLabel.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** A Prometheus duration ("90s", "5m", "2h", "3d") from seconds, using the largest exact unit. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s === 0) return '0s';
  if (s % 86_400 === 0) return `${s / 86_400}d`;
  if (s % 3_600 === 0) return `${s / 3_600}h`;
  if (s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}

/** A number as PromQL writes it: no exponent for the magnitudes we use, trailing zeros dropped. */
export function promNumber(value: number): string {
  return String(Number(value.toPrecision(10)));
}
