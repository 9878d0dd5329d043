export const DISPLAY_NAME_MAX = 60;

/**
 * A teammate's display name as typed in the browser: shown to others and recorded as the actor of their
 * changes ("web:<name>"). Control characters are refused rather than stripped, so a name cannot forge
 * extra lines in logs or documents.
 */
export function displayName(raw: unknown): { ok: true; value: string } | { ok: false; error: string } {
  if (typeof raw !== 'string') return { ok: false, error: 'Set a display name (a short text) before making changes.' };
  const value = raw.trim();
  if (!value) return { ok: false, error: 'Set a display name (a short text) before making changes.' };
  if (value.length > DISPLAY_NAME_MAX) return { ok: false, error: `A display name has at most ${DISPLAY_NAME_MAX} characters.` };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(value)) return { ok: false, error: 'A display name cannot contain control characters (tabs, line breaks).' };
  return { ok: true, value };
}

export function webActor(name: string): string {
  return `web:${name}`;
}
