/**
 * Ceiling that ignores floating-point dust (100 / 33.333… × 0.333… must not become 4 instead of 3) and never
 * returns -0 (which would serialise as "-0" in a manifest).
 */
export function ceilTol(x: number): number {
  return Math.ceil(x - 1e-9) + 0;
}

export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
