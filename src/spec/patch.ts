import { z } from 'zod';
import { SpecSchema } from './schema.js';

function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  while (s instanceof z.ZodDefault || s instanceof z.ZodPrefault || s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
  return s;
}

/**
 * Deep-partial, strict version of an object schema for merge patches: every field optional, `null` allowed to
 * remove a value (its default or derived value comes back). Arrays are replaced whole, so their items keep
 * the full item schema. Unknown keys are rejected here, before merging, so a typo never reaches the store.
 */
function deepPartial(schema: z.ZodType): z.ZodType {
  const inner = unwrap(schema);
  if (!(inner instanceof z.ZodObject)) return inner;
  const shape = Object.fromEntries(
    Object.entries(inner.shape as Record<string, z.ZodType>).map(([key, field]) => {
      const partial = deepPartial(field);
      const described = field.description ? partial.describe(field.description) : partial;
      return [key, described.nullable().optional()];
    }),
  );
  const obj = z.strictObject(shape);
  return inner.description ? obj.describe(inner.description) : obj;
}

export const SpecPatchSchema = (deepPartial(SpecSchema) as z.ZodObject).describe(
  'Deep-partial spec (JSON merge patch): objects merge, arrays replace whole, null removes a value so its default comes back',
);
export type SpecPatch = z.output<typeof SpecPatchSchema>;
