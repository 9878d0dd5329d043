import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DRIFT_THRESHOLDS,
  DRIFT_POLICY,
  binCountsSorted,
  categoryCounts,
  driftAll,
  driftWorkerMode,
  featureDrift,
  jensenShannon,
  ksWassersteinSorted,
  populationStabilityIndex,
  quantileEdges,
  sampleStd,
  sharedFloat64Array,
  toColumnData,
  wassersteinSorted,
  type ColumnData,
  type DriftColumn,
  type DriftThresholds,
  type FeatureDrift,
} from '../../src/stats/drift.js';
import { ks2sampSorted } from '../../src/stats/ks.js';
import { SortScratch, radixSortedCopy, sortedCopy } from '../../src/stats/sort.js';
import { uniforms } from '../helpers/random.js';

const ROOT = join(import.meta.dirname, '../..');

// ---- The fixture's sample generators, bit for bit (see scripts/scipy-fixtures/drift.py) ----

type Generator =
  | { kind: 'values'; values: (number | string)[]; numeric?: boolean }
  | { kind: 'irwin'; seed: number; n: number; mu: number; sigma: number }
  | { kind: 'int'; seed: number; n: number; k: number; offset: number; scale: number }
  | { kind: 'cat'; seed: number; n: number; pool: string[] };

function sample(gen: Generator): Float64Array | string[] {
  switch (gen.kind) {
    case 'values':
      return gen.numeric === false ? (gen.values as string[]) : Float64Array.from(gen.values as number[]);
    case 'irwin': {
      const u = uniforms(gen.seed, 4 * gen.n);
      return Float64Array.from({ length: gen.n }, (_, i) => gen.mu + gen.sigma * (u[4 * i]! + u[4 * i + 1]! + (u[4 * i + 2]! + u[4 * i + 3]!) - 2));
    }
    case 'int': {
      const u = uniforms(gen.seed, gen.n);
      return u.map((x) => gen.offset + gen.scale * Math.floor(x * gen.k));
    }
    case 'cat': {
      const u = uniforms(gen.seed, gen.n);
      return Array.from(u, (x) => gen.pool[Math.floor(x * gen.pool.length)]!);
    }
  }
}

function column(gen: Generator): ColumnData {
  const s = sample(gen);
  return s instanceof Float64Array ? { kind: 'numeric', values: s, missing: 0 } : { kind: 'categorical', values: s, missing: 0 };
}

interface NumericExpected {
  ks: { statistic: number; p_value: number; method: 'exact' | 'asymp' };
  edges: number[];
  reference_counts: number[];
  current_counts: number[];
  psi: number;
  jensen_shannon: number;
  wasserstein: number;
  wasserstein_normalised: number;
}
interface CategoricalExpected {
  categories: string[];
  reference_counts: number[];
  current_counts: number[];
  chi2: { statistic: number; p_value: number; dof: number; cramers_v: number; cochran_ok: boolean };
  psi: number;
  jensen_shannon: number;
}
interface Case {
  name: string;
  kind: 'numeric' | 'categorical';
  reference: Generator;
  current: Generator;
  expected?: NumericExpected | CategoricalExpected;
}

/** Relative agreement 1e-9, with an absolute floor of 1e-12 for values that are (close to) zero. */
function expectClose(actual: number | undefined, expected: number, what: string, rel = 1e-9): void {
  expect(actual, what).toBeTypeOf('number');
  const tolerance = Math.max(rel * Math.abs(expected), 1e-12);
  expect(Math.abs(actual! - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance);
}

function sorted(values: Float64Array): Float64Array {
  return values.slice().sort();
}

/** Every figure of the policy, as the engine computes it, against numpy/scipy's. */
function compare(c: Case, expected: NumericExpected | CategoricalExpected): void {
  const ref = sample(c.reference);
  const cur = sample(c.current);
  const drift = featureDrift(c.name, column(c.reference), column(c.current));
  if (c.kind === 'numeric') {
    const e = expected as NumericExpected;
    const edges = quantileEdges(sorted(ref as Float64Array));
    expect(edges, 'edges: numpy.unique(numpy.quantile(..., linear)), bit for bit').toEqual(e.edges);
    expect(binCountsSorted(sorted(ref as Float64Array), edges)).toEqual(e.reference_counts);
    expect(binCountsSorted(sorted(cur as Float64Array), edges)).toEqual(e.current_counts);
    expectClose(drift.statistics.psi, e.psi, 'psi');
    expectClose(drift.statistics.jensen_shannon, e.jensen_shannon, 'jensen_shannon');
    expectClose(drift.statistics.wasserstein, e.wasserstein, 'wasserstein');
    expectClose(drift.statistics.wasserstein_normalised, e.wasserstein_normalised, 'wasserstein_normalised');
    expectClose(drift.statistics.ks?.statistic, e.ks.statistic, 'ks statistic', 1e-12);
    expectClose(drift.statistics.ks?.p_value, e.ks.p_value, 'ks p-value');
    expect(drift.statistics.ks?.method).toBe(e.ks.method);
  } else {
    const e = expected as CategoricalExpected;
    const counts = categoryCounts(ref as string[], cur as string[]);
    expect(counts).toEqual({ categories: e.categories, reference: e.reference_counts, current: e.current_counts });
    expectClose(drift.statistics.psi, e.psi, 'psi');
    expectClose(drift.statistics.jensen_shannon, e.jensen_shannon, 'jensen_shannon');
    const chi = drift.statistics.chi2!;
    expect([chi.dof, chi.cochran_ok]).toEqual([e.chi2.dof, e.chi2.cochran_ok]);
    expectClose(chi.statistic, e.chi2.statistic, 'chi2 statistic');
    expectClose(chi.p_value, e.chi2.p_value, 'chi2 p-value');
    expectClose(chi.cramers_v, e.chi2.cramers_v, "Cramér's V");
  }
}

// ---------------------------------------------------------------------------------------------------------------

/** Index of the first value whose bit pattern differs, -1 when none (typed arrays: toEqual is slow on 60k values). */
function firstDifference(a: Float64Array, b: Float64Array): number {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length * 2);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length * 2);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i >> 1;
  return a.length === b.length ? -1 : Math.min(a.length, b.length);
}

describe('sorting float64 samples (src/stats/sort.ts)', () => {
  const scratch = new SortScratch();
  const samples: [string, Float64Array][] = [
    ['empty', new Float64Array(0)],
    ['one value', Float64Array.of(-0)],
    ['small mixed', Float64Array.of(3, -0, 0, -1, 0, -0, 2, -5e-324, 5e-324, -Number.MAX_VALUE, Number.MAX_VALUE)],
    ['all equal', new Float64Array(5000).fill(2.5)],
    ['all zeros of both signs', Float64Array.from({ length: 5000 }, (_, i) => (i % 3 === 0 ? -0 : 0))],
    ['random with negatives, -0, duplicates', Float64Array.from(uniforms(1, 60_000), (u, i) => (i % 97 === 0 ? (i % 2 ? -0 : 0) : i % 13 === 0 ? 1.25 : (u - 0.4) * 1000))],
    ['only negatives', Float64Array.from(uniforms(2, 20_000), (u) => -u * 1e-3 - 1)],
    ['extreme outlier', Float64Array.from(uniforms(3, 20_000), (u, i) => (i === 7 ? 1e300 : u))],
    ['range overflows (±MAX_VALUE)', Float64Array.from(uniforms(4, 20_000), (u, i) => (i === 1 ? Number.MAX_VALUE : i === 2 ? -Number.MAX_VALUE : u - 0.5))],
    ['heavy ties', Float64Array.from(uniforms(5, 30_000), (u) => Math.floor(u * 4) - 2)],
  ];
  it.each(samples)('radixSortedCopy and sortedCopy order %s exactly like Float64Array.prototype.sort, source untouched', (_, values) => {
    const before = values.slice();
    const expected = values.slice().sort();
    for (const sort of [radixSortedCopy, sortedCopy]) {
      const out = sort(values, undefined, scratch);
      expect(out.length).toBe(values.length);
      expect(firstDifference(out, expected), `${sort.name}: first value differing from .sort() (bit patterns, so -0 ≠ +0)`).toBe(-1);
    }
    expect(firstDifference(values, before), 'source modified').toBe(-1);
  });
});

describe('drift statistics agree with numpy/scipy (test/fixtures/scipy/drift.json)', () => {
  const fixture = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/scipy/drift.json'), 'utf8')) as { numpy: string; scipy: string; cases: Case[] };
  it('the fixture covers every edge case the policy names', () => {
    expect(fixture.cases.map((c) => c.name)).toEqual(
      expect.arrayContaining(['constant reference (one edge after unique)', 'n = 1 on both sides', 'categorical, values only in current', 'booleans, 2 categories (Yates)']),
    );
  });
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_, c) => compare(c, c.expected!));

  it('above 10,000 values KS and Wasserstein share one merge walk, bit-identical to ks2sampSorted and wassersteinSorted', () => {
    const large = fixture.cases.filter((c) => c.name.startsWith('large, ') && (c.expected as NumericExpected).ks.method === 'asymp');
    expect(large.length).toBeGreaterThanOrEqual(2);
    const ties: Case = { name: 'ties', kind: 'numeric', reference: { kind: 'int', seed: 1, n: 15_000, k: 50, offset: 0, scale: 1 }, current: { kind: 'int', seed: 2, n: 12_000, k: 50, offset: 1, scale: 1 } };
    for (const c of [...large, ties]) {
      const ref = sorted(sample(c.reference) as Float64Array);
      const cur = sorted(sample(c.current) as Float64Array);
      const fused = ksWassersteinSorted(ref, cur);
      expect(fused.ks, c.name).toEqual(ks2sampSorted(ref, cur));
      expectClose(fused.wasserstein, wassersteinSorted(ref, cur), c.name, 1e-12);
    }
  });

  it('a constant reference gives one edge, so two bins', () => {
    const c = fixture.cases.find((x) => x.name.startsWith('constant reference'))!;
    expect((c.expected as NumericExpected).edges).toEqual([3]);
    const d = featureDrift('x', column(c.reference), column(c.current));
    expect(d.statistics.wasserstein_normalised).toBe(d.statistics.wasserstein); // std(ref) = 0
  });
});

describe('drift statistics agree with a live numpy/scipy (one python3 run)', () => {
  const python = spawnSync('python3', ['-c', 'import numpy, scipy'], { encoding: 'utf8' });
  const available = python.status === 0;
  it.skipIf(!available)('random cases computed by scripts/scipy-fixtures/drift.py --live match', () => {
    const cases: Case[] = [];
    for (let s = 0; s < 6; s++) {
      const n = [45, 700, 2500, 12_000][s % 4]!;
      cases.push({
        name: `numeric ${s}`,
        kind: 'numeric',
        reference: { kind: 'irwin', seed: 1000 + s, n, mu: s - 2, sigma: 1 + s / 3 },
        current: { kind: 'irwin', seed: 2000 + s, n: n + 17 * s, mu: s - 2 + 0.05 * s, sigma: 1 + s / 4 },
      });
      cases.push({
        name: `categorical ${s}`,
        kind: 'categorical',
        reference: { kind: 'cat', seed: 3000 + s, n: 40 + 300 * s, pool: ['a', 'b', 'b', 'c', 'Z', 'é'].slice(0, 2 + (s % 5)) },
        current: { kind: 'cat', seed: 4000 + s, n: 50 + 250 * s, pool: ['a', 'b', 'c', 'c', 'new', 'Z'].slice(0, 2 + ((s + 1) % 5)) },
      });
    }
    const run = spawnSync('python3', [join(ROOT, 'scripts/scipy-fixtures/drift.py'), '--live'], { input: JSON.stringify(cases), encoding: 'utf8', maxBuffer: 1 << 26 });
    expect(run.status, run.stderr).toBe(0);
    const results = JSON.parse(run.stdout) as (NumericExpected | CategoricalExpected)[];
    cases.forEach((c, i) => compare(c, results[i]!));
  });
  if (!available) it.skip(`python3 with numpy and scipy is not available (${python.error?.message ?? python.stderr.trim()})`, () => {});
});

// ---------------------------------------------------------------------------------------------------------------

const T = DEFAULT_DRIFT_THRESHOLDS;

function numeric(gen: Omit<Extract<Generator, { kind: 'irwin' }>, 'kind'>, missing = 0): ColumnData {
  return { kind: 'numeric', values: sample({ kind: 'irwin', ...gen }) as Float64Array, missing };
}
function categorical(seed: number, n: number, pool: string[], missing = 0): ColumnData {
  return { kind: 'categorical', values: sample({ kind: 'cat', seed, n, pool }) as string[], missing };
}

describe('the policy: which test decides, and the level', () => {
  it('uses the documented defaults', () => {
    expect(T).toEqual({
      psi: { warn: 0.1, critical: 0.25 },
      jensen_shannon: { warn: 0.1, critical: 0.2 },
      ks: { p_value_max: 0.01, min_effect: 0.1 },
      chi2: { p_value_max: 0.01, min_effect: 0.1 },
      min_samples: 30,
      large_sample: 1000,
    });
    expect(DRIFT_POLICY.sources.join(' ')).toMatch(/ks_2samp.*Cochran.*Siddiqi.*Failing Loudly/s);
  });

  it('n < 30 non-missing values: insufficient, no verdict, statistics still reported', () => {
    const d = featureDrift('age', numeric({ seed: 1, n: 500, mu: 0, sigma: 1 }), numeric({ seed: 2, n: 29, mu: 5, sigma: 1 }, 71));
    expect(d).toMatchObject({ test: 'ks', level: 'insufficient', samples: { reference: 500, current: 29 }, missing: { reference: 0, current: 71 } });
    expect(d.reason).toBe('Only 29 non-missing current values (fewer than 30): no verdict.');
    expect(d.statistics.ks?.statistic).toBe(1);
  });

  it('an all-missing column is insufficient with no statistics', () => {
    const empty = toColumnData([null, '', Number.NaN, undefined], 'numeric');
    expect(empty).toEqual({ kind: 'numeric', values: new Float64Array(0), missing: 4 });
    const d = featureDrift('income', numeric({ seed: 1, n: 100, mu: 0, sigma: 1 }), empty);
    expect(d).toMatchObject({ level: 'insufficient', statistic: 0, p_value: null, statistics: {}, missing: { current: 4 } });
    const c = featureDrift('city', toColumnData([null, null], 'categorical'), toColumnData(['a'], 'categorical'));
    expect(c).toMatchObject({ kind: 'categorical', level: 'insufficient', samples: { reference: 0, current: 1 } });
    expect(c.reason).toBe('Only 0 non-missing reference values (fewer than 30): no verdict.');
  });

  it('numeric with n < 1000: KS decides (critical / warn / ok by p-value and D)', () => {
    const ref = numeric({ seed: 3, n: 800, mu: 0, sigma: 1 });
    const critical = featureDrift('x', ref, numeric({ seed: 4, n: 800, mu: 0.4, sigma: 1 }));
    expect(critical).toMatchObject({ test: 'ks', level: 'critical' });
    expect(critical.p_value).toBe(critical.statistics.ks!.p_value);
    expect(critical.reason).toMatch(/^Numeric with n = 800 < 1,000, so KS decides: p = .+ < 0\.01 and D = .+ ≥ 0\.1 → critical\.$/);
    const warn = featureDrift('x', ref, numeric({ seed: 4, n: 800, mu: 0.08, sigma: 1 }));
    expect(warn.statistics.ks!.statistic).toBeGreaterThanOrEqual(0.05);
    expect(warn).toMatchObject({ test: 'ks', level: 'warn' });
    expect(warn.reason).toMatch(/and D = .+ ≥ 0\.05 \(critical from 0\.1\) → warn\.$/);
    const ok = featureDrift('x', ref, numeric({ seed: 5, n: 800, mu: 0, sigma: 1 }));
    expect(ok).toMatchObject({ test: 'ks', level: 'ok' });
    expect(ok.reason).toMatch(/KS decides: p = .+ ≥ 0\.01 → ok\.$/);
  });

  it('numeric with n >= 1000: PSI decides, p_value null (Siddiqi 0.1 / 0.25)', () => {
    const ref = numeric({ seed: 6, n: 4000, mu: 0, sigma: 1 });
    const levels = [0, 0.25, 0.35].map((shift) => featureDrift('x', ref, numeric({ seed: 7, n: 4000, mu: shift, sigma: 1 })));
    expect(levels.map((d) => [d.test, d.level, d.p_value])).toEqual([
      ['psi', 'ok', null],
      ['psi', 'warn', null],
      ['psi', 'critical', null],
    ]);
    expect(levels.map((d) => d.statistic)).toEqual(levels.map((d) => d.statistics.psi));
    expect(levels[2]!.reason).toMatch(/^Numeric with n = 4,000 ≥ 1,000, so PSI decides \(every p-value is tiny at this size\): PSI = .+ ≥ 0\.25 → critical\.$/);
    // a huge sample makes KS significant for a negligible shift, PSI stays ok
    expect(levels[0]!.statistics.ks!.p_value).toBeGreaterThan(0);
  });

  it('categorical with every expected count >= 5: chi-square decides on p and Cramér\'s V', () => {
    const ref = categorical(8, 2000, ['a', 'a', 'b', 'c']);
    const critical = featureDrift('plan', ref, categorical(9, 1500, ['a', 'b', 'b', 'c']));
    expect(critical).toMatchObject({ test: 'chi2', level: 'critical' });
    expect(critical.statistics.chi2).toMatchObject({ dof: 2, cochran_ok: true });
    expect(critical.reason).toMatch(/^Categorical with every expected count ≥ 5 \(Cochran's rule holds\), so chi-square decides: p = .+ < 0\.01 and Cramér's V = .+ ≥ 0\.1 → critical\.$/);
    const ok = featureDrift('plan', ref, categorical(10, 1500, ['a', 'a', 'b', 'c']));
    expect(ok).toMatchObject({ test: 'chi2', level: 'ok' });
  });

  it('categorical with an expected count < 5: Jensen–Shannon decides', () => {
    const d = featureDrift('country', categorical(11, 60, 'abcdefghijklmnop'.split('')), categorical(12, 50, 'abcdefghij'.split('')));
    expect(d).toMatchObject({ test: 'jensen_shannon', p_value: null, statistics: { chi2: { cochran_ok: false } } });
    expect(d.statistic).toBe(d.statistics.jensen_shannon);
    expect(d.level).toBe(d.statistic >= 0.2 ? 'critical' : d.statistic >= 0.1 ? 'warn' : 'ok');
    expect(d.reason).toMatch(/^Categorical with an expected count < 5 \(Cochran's rule fails\), so Jensen–Shannon decides: JS = /);
  });

  it('counts current values outside the reference under "__other__", booleans as "true"/"false"', () => {
    expect(categoryCounts(['b', 'a', 'B', 'a'], ['a', 'c', 'é', 'B'])).toEqual({ categories: ['B', 'a', 'b', '__other__'], reference: [1, 2, 1, 0], current: [1, 1, 0, 2] });
    expect(toColumnData([true, false, null, true, '', 'x', 3], 'categorical')).toEqual({ kind: 'categorical', values: ['true', 'false', 'true', 'x', '3'], missing: 2 });
    expect(toColumnData([1, '2.5', null, Infinity, -0], 'numeric')).toEqual({ kind: 'numeric', values: Float64Array.of(1, 2.5, -0), missing: 2 });
    expect(() => toColumnData(['abc'], 'numeric')).toThrow(/not a number/);
  });

  it('every threshold is a parameter that moves the verdict', () => {
    const ref = numeric({ seed: 6, n: 4000, mu: 0, sigma: 1 });
    const cur = numeric({ seed: 7, n: 4000, mu: 0.25, sigma: 1 });
    const strict: DriftThresholds = { ...T, psi: { warn: 0.01, critical: 0.05 } };
    expect(featureDrift('x', ref, cur).level).toBe('warn');
    expect(featureDrift('x', ref, cur, strict).level).toBe('critical');
    expect(featureDrift('x', ref, cur, { ...T, large_sample: 5000 }).test).toBe('ks');
    expect(featureDrift('x', ref, cur, { ...T, min_samples: 5000 }).level).toBe('insufficient');
    const small = featureDrift('x', numeric({ seed: 3, n: 800, mu: 0, sigma: 1 }), numeric({ seed: 4, n: 800, mu: 0.4, sigma: 1 }), { ...T, ks: { p_value_max: 0.01, min_effect: 0.9 } });
    expect(small.level).toBe('ok');
  });

  it('rejects a numeric reference against a categorical current', () => {
    expect(() => featureDrift('x', numeric({ seed: 1, n: 40, mu: 0, sigma: 1 }), categorical(1, 40, ['a']))).toThrow(/reference is numeric but current is categorical/);
  });
});

describe('statistic helpers', () => {
  it('PSI, Jensen–Shannon, Wasserstein and std on hand-checked inputs', () => {
    expect(populationStabilityIndex([50, 50], [50, 50])).toBe(0);
    // p = 0.8/0.2 vs q = 0.5/0.5: (0.3 ln 1.6) + (-0.3 ln 0.4)
    expect(populationStabilityIndex([5, 5], [8, 2])).toBeCloseTo(0.3 * Math.log(1.6) - 0.3 * Math.log(0.4), 15);
    expect(jensenShannon([1, 0], [0, 1])).toBe(1);
    expect(wassersteinSorted(Float64Array.of(0, 1, 3), Float64Array.of(5, 6, 8))).toBeCloseTo(5, 15);
    expect(sampleStd(Float64Array.of(2, 4, 4, 4, 5, 5, 7, 9))).toBeCloseTo(Math.sqrt(32 / 7), 15);
    expect(sampleStd(Float64Array.of(1))).toBeNaN();
  });
});

describe('driftAll', () => {
  let cached: DriftColumn[] | undefined;
  function columns(): DriftColumn[] {
    if (cached) return cached.map((c) => ({ ...c }));
    const cols: DriftColumn[] = (cached = []);
    for (let i = 0; i < 4; i++) {
      const ref = sharedFloat64Array(20_000);
      ref.set(sample({ kind: 'irwin', seed: 100 + i, n: 20_000, mu: 0, sigma: 1 }) as Float64Array);
      cols.push({ name: `num_${i}`, reference: { kind: 'numeric', values: ref, missing: i }, current: numeric({ seed: 200 + i, n: 15_000 + i, mu: i * 0.15, sigma: 1 }) });
    }
    cols.splice(2, 0, { name: 'plan', reference: categorical(1, 500, ['a', 'b']), current: categorical(2, 400, ['a', 'b', 'b']) });
    cols.push({ name: 'tiny', reference: numeric({ seed: 1, n: 10, mu: 0, sigma: 1 }), current: numeric({ seed: 2, n: 10, mu: 0, sigma: 1 }) });
    cols.push({ name: 'empty', reference: { kind: 'numeric', values: new Float64Array(0), missing: 9 }, current: numeric({ seed: 2, n: 10, mu: 0, sigma: 1 }) });
    return columns();
  }

  it('starts workers from the compiled dist/ file or, from sources, through tsx', () => {
    expect(driftWorkerMode()).toBe('typescript');
  });

  it('worker threads and the in-thread path give the same results, bit for bit, in input order', async () => {
    const cols = columns();
    const inThread = await driftAll(cols, { workers: 1 });
    const parallel = await driftAll(cols, { workers: 2, inThreadBelow: 0 });
    expect(parallel.map((d) => d.feature)).toEqual(['num_0', 'num_1', 'plan', 'num_2', 'num_3', 'tiny', 'empty']);
    expect(parallel).toEqual(inThread);
    const bits = (d: FeatureDrift[]) => JSON.stringify(d, (_, v: unknown) => (typeof v === 'number' ? Array.from(new Uint8Array(Float64Array.of(v).buffer)).join('.') : v));
    expect(bits(parallel)).toBe(bits(inThread));
    expect(inThread.map((d) => d.level)).toEqual(['ok', 'ok', 'critical', 'warn', 'critical', 'insufficient', 'insufficient']);
  });

  it('applies per-column thresholds over the default ones', async () => {
    const cols = columns().slice(0, 2);
    cols[1]!.thresholds = { ...T, psi: { warn: 0.5, critical: 0.9 } };
    const [a, b] = await driftAll(cols, { thresholds: { ...T, psi: { warn: 0.0001, critical: 0.0002 } }, workers: 1 });
    expect([a!.level, b!.level]).toEqual(['critical', 'ok']);
  });
});
