/**
 * Single-quotes a value for POSIX shells: the only safe way to pass user text to a generated script. `$` and
 * backticks are already inert inside single quotes, but shellcheck (SC2016) reads them as a quoting mistake, so
 * they are written as escaped characters in a double-quoted piece instead.
 */
export function shQuote(value: string): string {
  const body = value.replace(/'/g, `'"'"'`).replace(/[$`]/g, (c) => `'"\\${c}"'`);
  return `'${body}'`.replace(/^''(?=.)/, '').replace(/(?<=.)''$/, '');
}
