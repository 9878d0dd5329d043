import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { packageRoot } from '../packageRoot.js';

const FrontMatter = z.object({
  name: z.string().regex(/^[a-z_]+$/),
  title: z.string(),
  description: z.string(),
  version: z.union([z.number(), z.string()]).transform(String),
  arguments: z.array(z.object({ name: z.string(), description: z.string(), required: z.boolean().default(false) })).default([]),
});

export interface PromptTemplate {
  name: string;
  title: string;
  description: string;
  version: string;
  arguments: { name: string; description: string; required: boolean }[];
  body: string;
}

/** Reads prompts/*.md: YAML front matter (name, title, description, version, arguments) and a markdown body with placeholders. */
export function loadPrompts(dir = join(packageRoot(), 'prompts')): PromptTemplate[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((file) => {
      const raw = readFileSync(join(dir, file), 'utf8');
      const match = /^---\n([\s\S]*?)\n---\n?([\s\S]*)$/.exec(raw);
      if (!match) throw new Error(`prompts/${file} has no YAML front matter`);
      const meta = FrontMatter.parse(parse(match[1]!));
      return { ...meta, body: match[2]!.trim() };
    });
}

/**
 * Fills `$ARGUMENTS`, `{spec}`, `{notes}` and `{phaseN.agent.output}` placeholders. Values are inserted once,
 * left to right, so text inside a value that looks like a placeholder is never expanded.
 */
export function fillPrompt(body: string, values: Record<string, string>): string {
  return body.replace(/\$ARGUMENTS|\{(spec|notes|phase\d\.[a-z-]+\.output)\}/g, (m, key: string | undefined) => {
    const k = key ?? '$ARGUMENTS';
    const value = values[k];
    return value === undefined ? m : neutralizeTags(value);
  });
}

// Prompts wrap inserted text in these tags and declare it data; a value must not be able to close (or open)
// such a tag and step outside it.
const DATA_TAGS = /<(\/?)(requirements|spec|upstream|notes|generated)\b/gi;
function neutralizeTags(value: string): string {
  return value.replace(DATA_TAGS, '&lt;$1$2');
}

/** A data block for a prompt: `<tag attr="…">value</tag>`, with the value unable to leave the tag. */
export function dataBlock(tag: 'generated', attributes: Record<string, string>, value: string): string {
  const attrs = Object.entries(attributes).map(([k, v]) => ` ${k}="${v.replace(/[^a-z0-9_-]/gi, '')}"`).join('');
  return `<${tag}${attrs}>\n${neutralizeTags(value)}\n</${tag}>`;
}
