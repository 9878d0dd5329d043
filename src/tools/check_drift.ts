import { existsSync, statSync } from 'node:fs';
import { z } from 'zod';
import { resolveUnderRoot } from '../bundle/paths.js';
import { combineColumns, inlineColumns, MAX_COLUMNS, MAX_INLINE_VALUES, MISSING_TOKENS, selectColumns, type ColumnPair, type SetSource } from '../data/columns.js';
import { MAX_CSV_BYTES, readCsvColumns, readCsvHeader } from '../data/csv.js';
import { UserError } from '../errors.js';
import { text as mdText } from '../generators/serializers/markdown.js';
import { barChartPng, type Bar, type Rgb } from '../stats/chart.js';
import { DEFAULT_DRIFT_THRESHOLDS, DRIFT_POLICY, driftAll, type DriftThresholds, type FeatureDrift } from '../stats/drift.js';
import { READ_ONLY, defineTool } from './tool.js';

const LEVELS = ['critical', 'warn', 'ok', 'insufficient'] as const;
type Level = (typeof LEVELS)[number];
const TESTS = ['ks', 'psi', 'chi2', 'jensen_shannon'] as const;

const cell = z.union([z.number(), z.string().max(10_000), z.boolean(), z.null()]);
const inlineSet = (which: string) =>
  z
    .record(z.string().min(1).max(256), z.array(cell).max(MAX_INLINE_VALUES))
    .describe(`The ${which} data set inline, by column: { "<column>": [values] }. At most ${MAX_COLUMNS} columns and ${MAX_INLINE_VALUES.toLocaleString('en-US')} values per column; columns may differ in length.`);
const csvPath = (which: string) =>
  z.string().min(1).max(1024).describe(`Path of the ${which} CSV file relative to the server's data root (--data-root / MLOPS_MCP_DATA_ROOT); paths outside it are refused.`);
const warnCritical = (max?: number) => {
  const n = max === undefined ? z.number().positive() : z.number().positive().max(max);
  return z.strictObject({ warn: n.optional(), critical: n.optional() });
};
const pEffect = z.strictObject({
  p_value_max: z.number().gt(0).lt(1).optional().describe('The test must be significant below this p-value'),
  min_effect: z.number().gt(0).max(1).optional().describe('Effect size (KS D, Cramér V) for critical; half of it for warn'),
});

export const CheckDriftInput = z.strictObject({
  reference: inlineSet('reference (training / baseline)').optional(),
  current: inlineSet('current (production)').optional(),
  reference_csv: csvPath('reference (training / baseline)').optional(),
  current_csv: csvPath('current (production)').optional(),
  features: z
    .array(z.strictObject({ name: z.string().min(1).max(256), type: z.enum(['numeric', 'categorical']).optional().describe('Declared type; inferred when absent') }))
    .max(MAX_COLUMNS)
    .optional()
    .describe('The columns to compare (default: all, which must then be in both sets), optionally with their type'),
  thresholds: z
    .strictObject({
      psi: warnCritical().optional(),
      jensen_shannon: warnCritical(1).optional(),
      ks: pEffect.optional(),
      chi2: pEffect.optional(),
      min_samples: z.number().int().min(2).optional().describe('Fewer non-missing values in either set: no verdict (insufficient)'),
      large_sample: z.number().int().min(2).optional().describe('From this many values on, numeric columns are judged by PSI instead of KS'),
    })
    .optional()
    .describe('Overrides of the default thresholds (any subset)'),
  chart: z.boolean().default(true).describe('Return a PNG bar chart of the most drifted features'),
  top: z.number().int().min(1).max(50).default(10).describe('How many features the chart and the text table show'),
});

const Range = z.object({ warn: z.number(), critical: z.number() });
const PEffect = z.object({ p_value_max: z.number(), min_effect: z.number() });
const Pair = z.object({ reference: z.number(), current: z.number() });
/** A computed figure; null when it is not a finite number (JSON has no NaN). */
const Figure = z.number().nullable();

export const CheckDriftOutput = z.object({
  overall: z.enum(['drift', 'warn', 'ok', 'insufficient']).describe('drift when any feature is critical, warn when any is warn, insufficient when no feature had enough data, else ok'),
  counts: z.object({ critical: z.number(), warn: z.number(), ok: z.number(), insufficient: z.number() }),
  features: z.array(
    z.object({
      feature: z.string(),
      kind: z.enum(['numeric', 'categorical']),
      test: z.enum(TESTS).describe('The test that decided the level'),
      statistic: z.number().nullable(),
      p_value: z.number().nullable(),
      level: z.enum(LEVELS),
      reason: z.string(),
      score: z.number().nullable().describe('statistic / its critical threshold (KS: D / min_effect; chi-square: Cramér V / min_effect); null when insufficient'),
      samples: Pair.describe('Non-missing values per set'),
      missing: Pair,
      statistics: z
        .object({
          ks: z.object({ statistic: Figure, p_value: Figure, method: z.string() }).optional(),
          psi: Figure.optional(),
          jensen_shannon: Figure.optional(),
          wasserstein: Figure.optional(),
          wasserstein_normalised: Figure.optional(),
          chi2: z.object({ statistic: Figure, p_value: Figure, dof: z.number(), cramers_v: Figure, cochran_ok: z.boolean() }).optional(),
        })
        .describe('Every statistic computed for the feature (null where it is undefined, e.g. a constant column)'),
    }),
  ),
  most_drifted: z.array(z.string()).describe('Feature names by severity, then score (the chart order), at most `top`'),
  source: z.object({
    form: z.enum(['inline', 'csv']),
    reference: z.object({ rows: z.number(), file: z.string().nullable() }),
    current: z.object({ rows: z.number(), file: z.string().nullable() }),
  }),
  thresholds: z.object({ psi: Range, jensen_shannon: Range, ks: PEffect, chi2: PEffect, min_samples: z.number(), large_sample: z.number() }),
  policy: z.object({ summary: z.string(), sources: z.array(z.string()) }),
});

type Output = z.input<typeof CheckDriftOutput>;
type FeatureOut = Output['features'][number];

/** The defaults with the user's overrides; warn must not exceed critical. */
export function mergeThresholds(overrides: z.output<typeof CheckDriftInput>['thresholds']): DriftThresholds {
  const d = DEFAULT_DRIFT_THRESHOLDS;
  const o = overrides ?? {};
  const t: DriftThresholds = {
    psi: { ...d.psi, ...o.psi },
    jensen_shannon: { ...d.jensen_shannon, ...o.jensen_shannon },
    ks: { ...d.ks, ...o.ks },
    chi2: { ...d.chi2, ...o.chi2 },
    min_samples: o.min_samples ?? d.min_samples,
    large_sample: o.large_sample ?? d.large_sample,
  };
  for (const key of ['psi', 'jensen_shannon'] as const) {
    if (t[key].warn > t[key].critical) throw new UserError(`thresholds.${key}: warn (${t[key].warn}) is above critical (${t[key].critical}); warn must be at most critical.`);
  }
  if (t.large_sample < t.min_samples) throw new UserError(`thresholds.large_sample (${t.large_sample}) is below min_samples (${t.min_samples}).`);
  return t;
}

/** The feature's statistic over its critical threshold, and the warn threshold on the same scale. */
export function normalisedScore(f: FeatureDrift, t: DriftThresholds): { score: number | null; warnAt: number } {
  const ratio = (v: number | undefined, critical: number) => (v === undefined || !Number.isFinite(v) ? null : v / critical);
  if (f.level === 'insufficient') return { score: null, warnAt: 0.5 };
  switch (f.test) {
    case 'ks':
      return { score: ratio(f.statistics.ks?.statistic ?? f.statistic, t.ks.min_effect), warnAt: 0.5 };
    case 'psi':
      return { score: ratio(f.statistics.psi ?? f.statistic, t.psi.critical), warnAt: t.psi.warn / t.psi.critical };
    case 'chi2':
      return { score: ratio(f.statistics.chi2?.cramers_v, t.chi2.min_effect), warnAt: 0.5 };
    case 'jensen_shannon':
      return { score: ratio(f.statistics.jensen_shannon ?? f.statistic, t.jensen_shannon.critical), warnAt: t.jensen_shannon.warn / t.jensen_shannon.critical };
  }
}

const finiteOrNull = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? null : v);

/** A copy with every non-finite number replaced by null, so the result is valid JSON that says what is undefined. */
function finiteFigures(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, finiteFigures(v)]));
  return value;
}

const COLORS: Record<Level, Rgb> = { critical: [214, 39, 40], warn: [245, 159, 0], ok: [47, 158, 68], insufficient: [173, 181, 189] };
const SHORT: Record<(typeof TESTS)[number], string> = { ks: 'D', psi: 'PSI', chi2: 'V', jensen_shannon: 'JS' };

/** The reason for a column with nothing to compare in a set (every cell missing, or no rows). */
function emptyReason(f: FeatureDrift): string {
  const sets = (['reference', 'current'] as const).filter((s) => f.samples[s] === 0);
  const what = sets.map((s) => `the ${s} set (${f.missing[s] === 0 ? 'no cells' : `${f.missing[s].toLocaleString('en-US')} cell${f.missing[s] === 1 ? '' : 's'}, all missing`})`).join(' and ');
  return `No non-missing values in ${what}: no verdict.`;
}

function fmt(v: number | null): string {
  if (v === null) return 'n/a';
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e-3 && a < 1e4 ? String(Number(v.toPrecision(3))) : v.toExponential(2);
}

/** The figure the chart and the table show next to a feature: the decisive effect size. */
function decisive(f: FeatureOut): number | null {
  if (f.test === 'chi2') return f.statistics.chi2?.cramers_v ?? null;
  return f.statistic;
}

function rank(features: readonly FeatureOut[]): FeatureOut[] {
  return [...features].sort((a, b) => LEVELS.indexOf(a.level) - LEVELS.indexOf(b.level) || (b.score ?? -1) - (a.score ?? -1) || (a.feature < b.feature ? -1 : a.feature > b.feature ? 1 : 0));
}

function chartPng(ranked: readonly FeatureOut[], warnAts: ReadonlyMap<string, number>, overall: string, counts: Record<Level, number>, total: number): Buffer {
  const ratios = new Set(ranked.filter((f) => f.level !== 'insufficient').map((f) => warnAts.get(f.feature)!));
  const sharedWarn = ratios.size === 1 ? [...ratios][0]! : null;
  const bars: Bar[] = ranked.map((f) => ({
    label: f.feature,
    value: f.score ?? 0,
    color: COLORS[f.level],
    note: f.level === 'insufficient' ? `n=${Math.min(f.samples.reference, f.samples.current)}` : `${SHORT[f.test]} ${fmt(decisive(f))}`,
    ...(sharedWarn === null && f.level !== 'insufficient' ? { tick: warnAts.get(f.feature)! } : {}),
  }));
  return barChartPng({
    title: `Drift: ${overall} (${counts.critical} critical, ${counts.warn} warn of ${total} feature${total === 1 ? '' : 's'})`,
    subtitle: `bar = statistic / critical threshold; red: critical (1.0); ${sharedWarn === null ? 'ticks: warn' : `dashed: warn (${fmt(sharedWarn)})`}`,
    legend: LEVELS.map((l) => ({ label: l, color: COLORS[l] })),
    bars,
    lines: [{ at: 1, color: COLORS.critical }, ...(sharedWarn !== null ? [{ at: sharedWarn, color: COLORS.warn, dashed: true }] : [])],
    axisCap: 3,
    emptyMessage: 'no features',
  });
}

function dataPath(root: string, userPath: string, field: string): string {
  return resolveUnderRoot(root, userPath, field, 'data root');
}

async function csvColumns(root: string, args: { reference_csv: string; current_csv: string; features?: { name: string; type?: 'numeric' | 'categorical' | undefined }[] | undefined }, signal: AbortSignal) {
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new UserError(`The data root ${root} does not exist. Start the server with --data-root DIR (or MLOPS_MCP_DATA_ROOT) naming the folder that holds the CSV files.`, 'precondition');
  }
  const paths = { reference: dataPath(root, args.reference_csv, 'reference_csv'), current: dataPath(root, args.current_csv, 'current_csv') };
  const sources: Record<'reference' | 'current', SetSource> = { reference: { set: 'reference', file: args.reference_csv }, current: { set: 'current', file: args.current_csv } };
  const [refHeader, curHeader] = await Promise.all([readCsvHeader(paths.reference, `reference file ${JSON.stringify(args.reference_csv)}`, signal), readCsvHeader(paths.current, `current file ${JSON.stringify(args.current_csv)}`, signal)]);
  const { names, declared } = selectColumns(refHeader, curHeader, args.features, sources);
  const ref = await readCsvColumns(paths.reference, sources.reference, names, declared, signal);
  const cur = await readCsvColumns(paths.current, sources.current, names, declared, signal);
  let combined = combineColumns(names, declared, ref.columns, cur.columns);
  if (combined.rebuild.reference.length || combined.rebuild.current.length) {
    // Columns that turned categorical after holding numbers written non-canonically ("1.50"): read their text again.
    const asText = new Map(declared);
    for (const n of [...combined.rebuild.reference, ...combined.rebuild.current]) asText.set(n, 'categorical');
    for (const set of ['reference', 'current'] as const) {
      const redo = combined.rebuild[set];
      if (!redo.length) continue;
      const again = await readCsvColumns(paths[set], sources[set], redo, asText, signal);
      for (const [n, c] of again.columns) (set === 'reference' ? ref : cur).columns.set(n, c);
    }
    combined = combineColumns(names, asText, ref.columns, cur.columns);
  }
  return { pairs: combined.pairs, rows: { reference: ref.rows, current: cur.rows } };
}

export const checkDrift = defineTool({
  name: 'check_drift',
  title: 'Check data drift',
  description: [
    'Compares a reference data set (training, last month) with a current one, column by column, using the same statistics and test-selection policy as the generated drift monitor:',
    'numeric columns get KS (scipy ks_2samp, exact p-value up to 10,000 values), PSI and Jensen-Shannon on 10 reference-quantile bins, and Wasserstein; categorical columns get chi-square (Cramér V) plus Jensen-Shannon and PSI on the categories.',
    'The verdict per feature comes from KS (numeric, fewer than large_sample values), PSI (numeric, larger samples), chi-square (categorical, all expected counts >= 5) or Jensen-Shannon (categorical otherwise); fewer than min_samples values gives "insufficient".',
    `Data: either reference + current inline as { "<column>": [values] } (at most ${MAX_COLUMNS} columns and ${MAX_INLINE_VALUES.toLocaleString('en-US')} values per column; at most ${MAX_COLUMNS} columns are compared per call in either form),`,
    `or reference_csv + current_csv, paths relative to the server's data root (--data-root / MLOPS_MCP_DATA_ROOT): CSV with a header row, comma delimiter, RFC 4180 quoting, UTF-8 with optional BOM, at most ${MAX_CSV_BYTES / 2 ** 20} MiB each; blank lines are skipped, ragged rows are an error.`,
    `Missing: null, empty cells and ${MISSING_TOKENS.filter(Boolean).map((t) => JSON.stringify(t)).join(', ')} are counted as missing and left out of every statistic.`,
    'Types: a column declared in features has that type; otherwise it is numeric when every non-missing cell of both sets is a plain decimal number ("1e3" yes, "0x10" no), else categorical (booleans as "true"/"false").',
    'A non-numeric cell in a declared-numeric column, infinite values, and columns missing from one set (unless features picks common ones) are errors that name the column, file and row.',
    'Returns per feature the test, statistic, p-value, level and every statistic, an overall verdict, and a PNG bar chart of the most drifted features (statistic / critical threshold).',
  ].join(' '),
  input: CheckDriftInput,
  output: CheckDriftOutput,
  annotations: READ_ONLY,
  async handler(args, { app, signal, progress }) {
    const inline = args.reference !== undefined || args.current !== undefined;
    const csv = args.reference_csv !== undefined || args.current_csv !== undefined;
    if (inline && csv) throw new UserError('Give the data one way: reference + current inline, or reference_csv + current_csv files, not both.');
    if (!inline && !csv) throw new UserError('No data: give reference + current inline ({ "<column>": [values] }), or reference_csv + current_csv (CSV paths under the data root).');
    const thresholds = mergeThresholds(args.thresholds);

    let pairs: ColumnPair[];
    let source: Output['source'];
    await progress(0, 2, 'reading the data');
    if (inline) {
      if (args.reference === undefined || args.current === undefined) throw new UserError(`Inline data needs both reference and current; ${args.reference === undefined ? 'reference' : 'current'} is missing.`);
      pairs = inlineColumns(args.reference, args.current, args.features);
      const rows = (set: Record<string, unknown[]>) => Math.max(0, ...pairs.map((p) => set[p.name]!.length));
      source = { form: 'inline', reference: { rows: rows(args.reference), file: null }, current: { rows: rows(args.current), file: null } };
    } else {
      if (args.reference_csv === undefined || args.current_csv === undefined) throw new UserError(`CSV data needs both reference_csv and current_csv; ${args.reference_csv === undefined ? 'reference_csv' : 'current_csv'} is missing.`);
      const read = await csvColumns(app.config.dataRoot, { reference_csv: args.reference_csv, current_csv: args.current_csv, features: args.features }, signal);
      pairs = read.pairs;
      source = { form: 'csv', reference: { rows: read.rows.reference, file: args.reference_csv }, current: { rows: read.rows.current, file: args.current_csv } };
    }

    await progress(1, 2, `computing drift statistics for ${pairs.length} feature${pairs.length === 1 ? '' : 's'}`);
    const drift = await driftAll(pairs, { thresholds });
    const warnAts = new Map<string, number>();
    const features: FeatureOut[] = drift.map((f) => {
      const { score, warnAt } = normalisedScore(f, thresholds);
      warnAts.set(f.feature, warnAt);
      const empty = f.samples.reference === 0 || f.samples.current === 0;
      return {
        feature: f.feature,
        kind: f.kind,
        test: f.test,
        statistic: finiteOrNull(f.statistic),
        p_value: finiteOrNull(f.p_value),
        level: f.level,
        reason: empty && f.level === 'insufficient' ? emptyReason(f) : f.reason,
        score: score === null ? null : finiteOrNull(score),
        samples: f.samples,
        missing: f.missing,
        statistics: finiteFigures(f.statistics) as FeatureOut['statistics'],
      };
    });
    const counts = { critical: 0, warn: 0, ok: 0, insufficient: 0 };
    for (const f of features) counts[f.level]++;
    const overall = counts.critical > 0 ? 'drift' : counts.warn > 0 ? 'warn' : counts.insufficient === features.length ? 'insufficient' : 'ok';
    const ranked = rank(features).slice(0, args.top);

    const structured: Output = {
      overall,
      counts,
      features,
      most_drifted: ranked.map((f) => f.feature),
      source,
      thresholds,
      policy: { summary: DRIFT_POLICY.summary, sources: [...DRIFT_POLICY.sources] },
    };
    const table = [
      '| feature | level | test | statistic | p-value | score | reason |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      ...ranked.map((f) => `| ${mdText(f.feature)} | ${f.level} | ${f.test} | ${fmt(f.statistic)} | ${fmt(f.p_value)} | ${fmt(f.score)} | ${f.reason.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ')} |`),
    ];
    const text = [
      `Overall: ${overall} — ${counts.critical} critical, ${counts.warn} warn, ${counts.ok} ok, ${counts.insufficient} insufficient of ${features.length} feature${features.length === 1 ? '' : 's'} (reference ${source.reference.rows.toLocaleString('en-US')} rows, current ${source.current.rows.toLocaleString('en-US')} rows).`,
      `${ranked.length < features.length ? `Top ${ranked.length}, most drifted first` : 'Most drifted first'} (score = statistic / critical threshold):`,
      ...table,
    ].join('\n');
    const content = args.chart ? [{ type: 'image' as const, data: chartPng(ranked, warnAts, overall, counts, features.length).toString('base64'), mimeType: 'image/png' }] : undefined;
    await progress(2, 2, 'done');
    return { structured, text, content };
  },
});
