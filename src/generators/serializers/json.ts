/** The one JSON serializer for artifacts: two-space indent, trailing newline, keys in insertion order. */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
