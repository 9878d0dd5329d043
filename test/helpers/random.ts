/**
 * Seeded samples for tests: mulberry32 uniforms in [0, 1) (the generator scripts/scipy-fixtures/drift.py mirrors
 * bit for bit) and Box–Muller normals from them.
 */
export function uniforms(seed: number, count: number): Float64Array {
  const out = new Float64Array(count);
  let a = seed >>> 0;
  for (let k = 0; k < count; k++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t = ((t + Math.imul(t ^ (t >>> 7), t | 61)) ^ t) >>> 0;
    out[k] = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  return out;
}

/** count normal(mean, sd) values. */
export function normals(seed: number, count: number, mean = 0, sd = 1): Float64Array {
  const u = uniforms(seed, 2 * count);
  return Float64Array.from({ length: count }, (_, i) => mean + sd * Math.sqrt(-2 * Math.log(1 - u[2 * i]!)) * Math.cos(2 * Math.PI * u[2 * i + 1]!));
}
