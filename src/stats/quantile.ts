/**
 * numpy.quantile's default 'linear' method and the drift bins' edges, on a sample given by rank: the sorted
 * path reads a sorted array, the grid path (gridDrift.ts) reads the few order statistics it located. One
 * implementation, so both paths produce the same edges bit for bit.
 */

/** numpy.quantile(sample, q) ('linear'), `at(r)` being the sample's r-th smallest value (0-based). */
export function linearQuantile(n: number, q: number, at: (rank: number) => number): number {
  if (n === 0) throw new RangeError('quantile of an empty sample');
  const virtual = (n - 1) * q;
  if (virtual >= n - 1) return at(n - 1);
  if (virtual < 0) return at(0);
  const previous = Math.floor(virtual);
  const gamma = virtual - previous;
  const a = at(previous);
  const b = at(previous + 1);
  const diff = b - a;
  return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}

/** The ranks linearQuantile reads for q (one or two). */
export function quantileRanks(n: number, q: number): number[] {
  const virtual = (n - 1) * q;
  if (virtual >= n - 1) return [n - 1];
  if (virtual < 0) return [0];
  const previous = Math.floor(virtual);
  return [previous, previous + 1];
}

/** The quantile levels of the inner bin edges: 1/B, …, (B-1)/B. */
export function binLevels(bins: number): number[] {
  return Array.from({ length: bins - 1 }, (_, i) => (i + 1) / bins);
}

/** numpy.unique(numpy.quantile(ref, [1/B, …, (B-1)/B])): the inner bin edges, ascending and distinct. */
export function uniqueQuantileEdges(n: number, bins: number, at: (rank: number) => number): number[] {
  const raw = Float64Array.from(binLevels(bins), (q) => linearQuantile(n, q, at)).sort();
  const edges: number[] = [];
  for (const e of raw) if (edges.length === 0 || edges[edges.length - 1] !== e) edges.push(e);
  return edges;
}
