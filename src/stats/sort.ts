/**
 * LSD radix sort of finite float64 values on their IEEE-754 bit patterns.
 *
 * The raw bit patterns of non-negative doubles compare like unsigned integers; negative doubles (sign bit
 * set) sort after them in DEScending value order. So the values are radix-sorted as unsigned 64-bit keys
 * (6 passes of 11/11/10 bits over the low and the high 32-bit word; a pass whose digit is the same for every
 * value is skipped), then the negative block is reversed and moved in front. Moving the values as doubles is
 * safe because finite values never have a NaN bit pattern (no canonicalisation can touch them).
 * Result: the same order as Float64Array.prototype.sort (-0 before +0), several times faster on 1M values.
 *
 * NaN is not supported (callers drop missing values first).
 */

const DIGITS: readonly (readonly [word: 0 | 1, shift: number, mask: number])[] = [
  [0, 0, 0x7ff],
  [0, 11, 0x7ff],
  [0, 22, 0x3ff],
  [1, 0, 0x7ff],
  [1, 11, 0x7ff],
  [1, 22, 0x3ff],
];
const BUCKETS = 2048;

/** Reusable scratch memory, so that sorting many columns in a row allocates once. */
export class SortScratch {
  private a = new Float64Array(0);
  private b = new Float64Array(0);
  private c = new Float64Array(0);
  private idx = new Uint32Array(0);
  private starts = new Uint32Array(0);
  private cursor = new Uint32Array(0);
  readonly histograms = new Uint32Array(DIGITS.length * BUCKETS);

  /** Output memory for a radix sort of a part of an array (never one of `buffers`). */
  spare(n: number): Float64Array {
    if (this.c.length < n) this.c = new Float64Array(n);
    return this.c.subarray(0, n);
  }

  bucketIndex(n: number): Uint32Array {
    if (this.idx.length < n) this.idx = new Uint32Array(n);
    return this.idx.subarray(0, n);
  }

  /** Zeroed counters for `n` buckets. */
  bucketStarts(n: number): Uint32Array {
    if (this.starts.length < n) this.starts = new Uint32Array(n);
    const s = this.starts.subarray(0, n);
    s.fill(0);
    return s;
  }

  bucketCursor(starts: Uint32Array, n: number): Uint32Array {
    if (this.cursor.length < n) this.cursor = new Uint32Array(n);
    const c = this.cursor.subarray(0, n);
    c.set(starts.subarray(0, n));
    return c;
  }

  buffers(n: number): [Float64Array, Float64Array] {
    if (this.a.length < n) {
      this.a = new Float64Array(n);
      this.b = new Float64Array(n);
    }
    return [this.a.subarray(0, n), this.b.subarray(0, n)];
  }
}

/**
 * Sorts `source` (left untouched) into a new array (or `out`, of the same length). `source` may live in a
 * SharedArrayBuffer: it is only read.
 */
export function radixSortedCopy(source: Float64Array, out?: Float64Array, scratch: SortScratch = new SortScratch()): Float64Array {
  const n = source.length;
  const result = out ?? new Float64Array(n);
  if (result.length !== n) throw new RangeError(`radixSortedCopy: out has length ${result.length}, expected ${n}`);
  if (n < 2) {
    result.set(source);
    return result;
  }
  if (n < 256) {
    result.set(source);
    result.sort();
    return result;
  }
  const hist = scratch.histograms;
  hist.fill(0);
  // One read of the input for all six histograms. The source's bytes may not be 8-aligned in a larger buffer
  // (always are for Float64Array), so take a Uint32 view over exactly its bytes.
  const src32 = new Uint32Array(source.buffer, source.byteOffset, n * 2);
  for (let i = 0; i < n; i++) {
    const lo = src32[2 * i]!;
    const hi = src32[2 * i + 1]!;
    hist[lo & 0x7ff]!++;
    hist[BUCKETS + ((lo >>> 11) & 0x7ff)]!++;
    hist[2 * BUCKETS + (lo >>> 22)]!++;
    hist[3 * BUCKETS + (hi & 0x7ff)]!++;
    hist[4 * BUCKETS + ((hi >>> 11) & 0x7ff)]!++;
    hist[5 * BUCKETS + (hi >>> 22)]!++;
  }
  // Passes whose digit is constant move nothing: skip them.
  const passes: number[] = [];
  for (let d = 0; d < DIGITS.length; d++) {
    const base = d * BUCKETS;
    let trivial = false;
    for (let k = 0; k < BUCKETS; k++) {
      const c = hist[base + k]!;
      if (c === n) trivial = true;
      if (c !== 0) break;
    }
    if (!trivial) passes.push(d);
    // prefix sums → start offsets
    let sum = 0;
    for (let k = 0; k < BUCKETS; k++) {
      const c = hist[base + k]!;
      hist[base + k] = sum;
      sum += c;
    }
  }
  const [bufA, bufB] = scratch.buffers(n);
  // Ping-pong so that the last pass writes into a scratch buffer; the sign fix-up then writes `result`.
  let from: Float64Array = source;
  let from32 = src32;
  for (let p = 0; p < passes.length; p++) {
    const d = passes[p]!;
    const to = (passes.length - p) % 2 === 1 ? bufA : bufB;
    const [word, shift, mask] = DIGITS[d]!;
    const base = d * BUCKETS;
    for (let i = 0; i < n; i++) {
      const k = base + ((from32[2 * i + word]! >>> shift) & mask);
      const pos = hist[k]!;
      hist[k] = pos + 1;
      to[pos] = from[i]!;
    }
    from = to;
    from32 = new Uint32Array(to.buffer, to.byteOffset, n * 2);
  }
  // `from` is sorted by unsigned bit pattern: [non-negatives ascending][negatives, value descending].
  let negStart = n;
  {
    // first index whose sign bit is set (binary search: the sign bit is the key's top bit)
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (from32[2 * mid + 1]! >>> 31) hi = mid;
      else lo = mid + 1;
    }
    negStart = lo;
  }
  const negatives = n - negStart;
  if (negatives === 0) {
    result.set(from);
  } else {
    for (let i = 0; i < negatives; i++) result[i] = from[n - 1 - i]!;
    result.set(from.subarray(0, negStart), negatives);
  }
  return result;
}

/**
 * The sort the drift engine uses: a bucket ("spread") sort on the values' position between min and max
 * (monotonic: floor((x - min) · K / (max - min)) never decreases with x), about 6 values per bucket, then an
 * insertion sort inside each bucket while it stays in cache. Three passes over memory instead of the radix
 * sort's seven, measured ~1.6× faster on 1M normal values. A bucket that ends up large (skewed data, extreme
 * outliers) is radix-sorted, so the worst case is the radix sort's. Zeros are re-signed afterwards so the order
 * is exactly Float64Array.prototype.sort's (-0 before +0).
 */
export function sortedCopy(source: Float64Array, out?: Float64Array, scratch: SortScratch = new SortScratch()): Float64Array {
  const n = source.length;
  const result = out ?? new Float64Array(n);
  if (result.length !== n) throw new RangeError(`sortedCopy: out has length ${result.length}, expected ${n}`);
  if (n < 4096) return radixSortedCopy(source, result, scratch);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = source[i]!;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const range = max - min;
  if (!Number.isFinite(range)) return radixSortedCopy(source, result, scratch);
  if (range === 0) {
    result.set(source);
    if (min === 0) fixZeroSigns(result, 0, n);
    return result;
  }
  const buckets = Math.max(1, Math.floor(n / 6));
  const scale = buckets / range;
  const bucketOf = scratch.bucketIndex(n);
  const start = scratch.bucketStarts(buckets + 1);
  for (let i = 0; i < n; i++) {
    const f = (source[i]! - min) * scale;
    const b = f >= buckets ? buckets - 1 : Math.floor(f);
    bucketOf[i] = b;
    start[b + 1]!++;
  }
  for (let k = 0; k < buckets; k++) start[k + 1]! += start[k]!;
  const next = scratch.bucketCursor(start, buckets);
  for (let i = 0; i < n; i++) {
    const b = bucketOf[i]!;
    result[next[b]!++] = source[i]!;
  }
  let zeroBucket = -1;
  for (let k = 0; k < buckets; k++) {
    const s = start[k]!;
    const e = start[k + 1]!;
    if (e - s > 48) {
      const part = result.subarray(s, e);
      part.set(radixSortedCopy(part, scratch.spare(e - s), scratch));
    } else {
      for (let i = s + 1; i < e; i++) {
        const x = result[i]!;
        let j = i - 1;
        while (j >= s && result[j]! > x) {
          result[j + 1] = result[j]!;
          j--;
        }
        result[j + 1] = x;
      }
    }
    if (min <= 0 && max >= 0 && s < e && result[s]! <= 0 && result[e - 1]! >= 0) zeroBucket = k;
  }
  if (zeroBucket >= 0) fixZeroSigns(result, start[zeroBucket]!, start[zeroBucket + 1]!);
  return result;
}

/** Within sorted [from, to), the run of zeros gets its -0s first (the comparison above treats -0 === +0). */
function fixZeroSigns(a: Float64Array, from: number, to: number): void {
  let first = -1;
  let last = -1;
  let negative = 0;
  for (let i = from; i < to; i++) {
    if (a[i] === 0) {
      if (first < 0) first = i;
      last = i;
      if (Object.is(a[i], -0)) negative++;
    }
  }
  if (first < 0 || negative === 0) return;
  for (let i = first; i <= last; i++) a[i] = i - first < negative ? -0 : 0;
}

/** Sorts `values` in place (through scratch memory) and returns it. */
export function radixSort(values: Float64Array, scratch: SortScratch = new SortScratch()): Float64Array {
  if (values.length < 256) return values.sort();
  const sorted = radixSortedCopy(values, undefined, scratch);
  values.set(sorted);
  return values;
}
