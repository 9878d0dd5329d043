import { runNodeScript } from './child.js';

/** A JSON value as @cdktf/hcl2json gives it: every expression is a string, templates keep their `${…}` source. */
export type HclJson = string | number | boolean | null | HclJson[] | { [key: string]: HclJson };
export type HclJsonBody = { [key: string]: HclJson };

/** Name segments of one reference (`var.tags` → ['var', 'tags']), cut at the first index or splat. */
export type ReferenceParts = readonly string[];

export type ParsedHcl =
  | { path: string; ok: true; body: HclJsonBody; references: ReadonlyMap<string, readonly ReferenceParts[] | { error: string }> }
  | { path: string; ok: false; error: string };

interface ScriptAnswer {
  files: ({ path: string; error: string } | { path: string; body: HclJsonBody; references: Record<string, ReferenceParts[] | { error: string }> })[];
}

/**
 * Parses HCL files with HashiCorp's parser (hcl2json, in a child process: see scripts/validators/hcl2json.mjs)
 * and lists the references of every template string of each body. One child for all the files.
 */
export async function parseHclFiles(files: readonly { path: string; content: string }[]): Promise<ParsedHcl[]> {
  if (files.length === 0) return [];
  const answer = await runNodeScript<ScriptAnswer>('hcl2json', { files: files.map((f) => ({ path: f.path, content: f.content })) });
  return answer.files.map((f): ParsedHcl =>
    'error' in f ? { path: f.path, ok: false, error: f.error } : { path: f.path, ok: true, body: f.body, references: new Map(Object.entries(f.references)) },
  );
}
