/** Single-quotes a value for POSIX shells: the only safe way to pass user text to a generated script. */
export function shQuote(value: string): string {
  return `'${value.replace(/'/g, `'"'"'`)}'`;
}
