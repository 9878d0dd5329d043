import fc from 'fast-check';

/** The subset of JSON Schema our tools' input schemas use (zod's toJSONSchema output). */
export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  additionalProperties?: boolean | JsonSchema;
}

/** Strings an attacker or a confused model would send: paths, NULs, markup, template syntax, huge and empty. */
const NASTY_STRINGS = [
  '',
  ' ',
  '../../../../etc/passwd',
  '/etc/passwd',
  'a/../../b',
  'x\u0000y',
  '<script>alert(1)</script>',
  '${jndi:ldap://x}',
  '{{ .Values }}',
  "'; DROP TABLE pipelines; --",
  'line1\nline2\r\n---\nkind: Secret',
  '\u202eevil\u202c',
  '🧨'.repeat(50),
  'A'.repeat(70_000),
  'pl_00000000000000000',
  '__proto__',
  'constructor',
];

const nastyString = fc.constantFrom(...NASTY_STRINGS);
const anyString = fc.oneof({ weight: 3, arbitrary: fc.string({ maxLength: 40 }) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) }, { weight: 3, arbitrary: nastyString });
const anyNumber = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, -1, 1e308, -1e308, 0.5, Number.MAX_SAFE_INTEGER + 2));

/** A deeply nested value (objects and arrays 60 levels down). */
const deep = fc.integer({ min: 20, max: 60 }).map((n) => {
  let v: unknown = 'bottom';
  for (let i = 0; i < n; i++) v = i % 2 ? { k: v } : [v];
  return v;
});

/** Any JSON value, including the nasty strings and deep nesting: what a wrong type looks like. */
export const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  anyNumber,
  anyString,
  fc.array(fc.oneof(anyString, anyNumber), { maxLength: 4 }),
  fc.dictionary(anyString, fc.oneof(anyString, anyNumber, fc.boolean()), { maxKeys: 4 }),
  deep,
);

/**
 * Values for a schema: mostly shaped like it (so calls get past the first check and reach the handlers), with
 * adversarial leaves (nasty strings, extreme numbers), sometimes a wrong type, sometimes unknown keys.
 */
export function valueFor(schema: JsonSchema, pools: Record<string, readonly string[]> = {}, depth = 0, key = ''): fc.Arbitrary<unknown> {
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants?.length) return fc.oneof(...variants.map((v) => valueFor(v, pools, depth, key)));
  if (schema.const !== undefined) return fc.oneof({ weight: 4, arbitrary: fc.constant(schema.const) }, { weight: 1, arbitrary: wrongValue });
  if (schema.enum?.length) return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...schema.enum) }, { weight: 1, arbitrary: anyString });
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  const shaped = ((): fc.Arbitrary<unknown> => {
    switch (type) {
      case 'string':
        return pools[key]?.length ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...pools[key]!) }, { weight: 2, arbitrary: anyString }) : anyString;
      case 'integer':
        return fc.oneof(fc.integer({ min: schema.minimum ?? -5, max: Math.min(schema.maximum ?? 1_000, 1_000_000) }), anyNumber);
      case 'number':
        return anyNumber;
      case 'boolean':
        return fc.boolean();
      case 'array':
        return depth > 3 ? fc.constant([]) : fc.array(schema.items ? valueFor(schema.items, pools, depth + 1, key) : wrongValue, { maxLength: 4 });
      case 'object': {
        if (depth > 3 || !schema.properties) return fc.dictionary(anyString, wrongValue, { maxKeys: 3 });
        const props = Object.fromEntries(Object.entries(schema.properties).map(([k, s]) => [k, valueFor(s, pools, depth + 1, k)]));
        const required = (schema.required ?? []).filter((k) => k in props);
        const known = fc.record(props, { requiredKeys: required });
        // The smallest valid-looking call: required fields only, plus at most one optional one.
        const minimal = fc.oneof(...[undefined, ...Object.keys(props).filter((k) => !required.includes(k))].map((extra) => fc.record(Object.fromEntries(Object.entries(props).filter(([k]) => required.includes(k) || k === extra)))));
        return fc.oneof(
          { weight: 4, arbitrary: minimal },
          { weight: 4, arbitrary: known },
          { weight: 1, arbitrary: fc.tuple(known, fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), wrongValue, { minKeys: 1, maxKeys: 2 })).map(([a, b]) => ({ ...b, ...(a as object) })) },
        );
      }
      default:
        return wrongValue;
    }
  })();
  return fc.oneof({ weight: 8, arbitrary: shaped }, { weight: 1, arbitrary: wrongValue });
}
