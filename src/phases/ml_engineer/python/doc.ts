/** Text placed inside a generated Python docstring or comment: no quotes or backslashes that could end or escape it. */
export function docText(value: string): string {
  return value.replace(/["\\]/g, '').replace(/[\r\n]+/g, ' ');
}
