import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app.js';
import { dataHome, defaultDataRoot } from '../../src/config.js';
import { DEFAULT_DRIFT_THRESHOLDS } from '../../src/stats/drift.js';
import { CheckDriftInput, CheckDriftOutput, checkDrift } from '../../src/tools/check_drift.js';
import type { ToolResult } from '../../src/tools/tool.js';
import { CLI, call, requireBuild, text } from '../helpers/mcp.js';
import { tempDir } from '../helpers/tmp.js';
import { userError } from '../helpers/expect.js';

type Output = ReturnType<typeof CheckDriftOutput.parse>;

/** Deterministic standard normals (mulberry32 + Box–Muller). */
function normals(seed: number, n: number, mean = 0, sd = 1): number[] {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: n }, () => mean + sd * Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform()));
}
const round = (xs: number[]) => xs.map((x) => Math.round(x * 1000) / 1000);
const cycle = (values: string[], n: number) => Array.from({ length: n }, (_, i) => values[i % values.length]!);

async function run(args: Record<string, unknown>, dataRoot = '/nonexistent-data-root'): Promise<ToolResult<Output> & { structured: Output }> {
  const app = { config: { dataRoot } } as unknown as AppContext;
  const result = await checkDrift.handler(CheckDriftInput.parse(args), { app, actor: 'test', signal: new AbortController().signal, progress: async () => {}, wantsProgress: false, session: { channel: 'cli' } });
  return { ...result, structured: CheckDriftOutput.parse(result.structured) } as ToolResult<Output> & { structured: Output };
}


const byFeature = (out: Output) => Object.fromEntries(out.features.map((f) => [f.feature, f]));

// One inline scenario: a shifted numeric feature, a stable one, a categorical one whose mix changed, a stable one.
const reference = { age: round(normals(1, 300, 40, 10)), income: round(normals(2, 300)), plan: cycle(['free', 'pro', 'team'], 300), country: cycle(['de', 'fr'], 300) };
const current = {
  age: round(normals(3, 250, 50, 10)),
  income: round(normals(4, 250)),
  plan: [...cycle(['free'], 150), ...cycle(['pro', 'team', 'enterprise'], 100)],
  country: cycle(['fr', 'de'], 250),
};

describe('check_drift on inline data', () => {
  it('gives each feature its test, statistic, p-value, level and every statistic, and an overall verdict', async () => {
    const { structured: out, text: summary } = await run({ reference, current });
    const f = byFeature(out);
    expect(out.features.map((x) => x.feature)).toEqual(['age', 'income', 'plan', 'country']);
    // n = 250 < 1000: KS decides for numeric columns.
    expect(f.age).toMatchObject({ kind: 'numeric', test: 'ks', level: 'critical', samples: { reference: 300, current: 250 }, missing: { reference: 0, current: 0 } });
    expect(f.age!.statistic).toBeGreaterThan(0.3);
    expect(f.age!.p_value).toBeLessThan(1e-9);
    expect(Object.keys(f.age!.statistics).sort()).toEqual(['jensen_shannon', 'ks', 'psi', 'wasserstein', 'wasserstein_normalised']);
    expect(f.age!.score).toBeCloseTo(f.age!.statistic! / DEFAULT_DRIFT_THRESHOLDS.ks.min_effect, 12);
    expect(f.income).toMatchObject({ test: 'ks', level: 'ok' });
    expect(f.plan).toMatchObject({ kind: 'categorical', level: 'critical' });
    expect(f.plan!.statistics.chi2).toMatchObject({ dof: 3, cochran_ok: true });
    expect(f.plan!.score).toBeCloseTo(f.plan!.statistics.chi2!.cramers_v! / DEFAULT_DRIFT_THRESHOLDS.chi2.min_effect, 12);
    expect(f.country).toMatchObject({ kind: 'categorical', test: 'chi2', level: 'ok' });
    expect(out.overall).toBe('drift');
    expect(out.counts).toEqual({ critical: 2, warn: 0, ok: 2, insufficient: 0 });
    expect(out.most_drifted.slice(0, 2).sort()).toEqual(['age', 'plan']);
    expect(out.source).toEqual({ form: 'inline', reference: { rows: 300, file: null }, current: { rows: 250, file: null } });
    expect(out.thresholds).toEqual(DEFAULT_DRIFT_THRESHOLDS);
    expect(out.policy.sources.join(' ')).toMatch(/Cochran/);
    expect(summary).toMatch(/^Overall: drift — 2 critical, 0 warn, 2 ok, 0 insufficient of 4 features \(reference 300 rows, current 250 rows\)\./);
    expect(summary).toContain('| feature | level | test | statistic | p-value | score | reason |');
  });

  it('returns the chart of the most drifted features as PNG image content', async () => {
    const result = await run({ reference, current, top: 3 });
    expect(result.content).toHaveLength(1);
    const image = result.content![0] as { type: string; data: string; mimeType: string };
    expect(image).toMatchObject({ type: 'image', mimeType: 'image/png' });
    const png = PNG.sync.read(Buffer.from(image.data, 'base64'));
    expect(png.width).toBe(960);
    // A critical bar (red) is drawn somewhere in the middle column of the plot.
    let red = 0;
    for (let y = 0; y < png.height; y++) {
      const o = (y * png.width + 480) * 4;
      if (png.data[o] === 214 && png.data[o + 1] === 39 && png.data[o + 2] === 40) red++;
    }
    expect(red).toBeGreaterThanOrEqual(2 * 18);
    expect(result.structured.most_drifted).toHaveLength(3);
    expect(result.text.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| feature') && !l.startsWith('| ---'))).toHaveLength(3);
    // Same input, same bytes.
    const again = await run({ reference, current, top: 3 });
    expect((again.content![0] as { data: string }).data).toBe(image.data);
    expect((await run({ reference, current, chart: false })).content).toBeUndefined();
  });

  it('applies partial threshold overrides and reports the thresholds used', async () => {
    const base = byFeature((await run({ reference, current })).structured).age!;
    const minEffect = Math.min(1, base.statistic! * 1.5);
    const { structured } = await run({ reference, current, thresholds: { ks: { min_effect: minEffect } } });
    expect(byFeature(structured).age!.level).toBe('warn');
    expect(structured.thresholds.ks).toEqual({ p_value_max: DEFAULT_DRIFT_THRESHOLDS.ks.p_value_max, min_effect: minEffect });
    expect(structured.thresholds.psi).toEqual(DEFAULT_DRIFT_THRESHOLDS.psi);
    // large_sample 100: PSI now decides for the numeric columns.
    const psi = await run({ reference, current, thresholds: { large_sample: 100 } });
    expect(byFeature(psi.structured).age!.test).toBe('psi');
    expect((await userError(run({ reference, current, thresholds: { psi: { warn: 0.5 } } }))).message).toBe('thresholds.psi: warn (0.5) is above critical (0.25); warn must be at most critical.');
  });

  it('reports a column without values as insufficient, and the whole check as insufficient when no column has enough data', async () => {
    const { structured } = await run({ reference: { a: [1, 2, 3], e: [null, 'NA', ''] }, current: { a: [2, 3, 4], e: [null] } });
    const f = byFeature(structured);
    expect(f.e).toMatchObject({ level: 'insufficient', reason: 'No non-missing values in the reference set (3 cells, all missing) and the current set (1 cell, all missing): no verdict.', score: null });
    expect(f.a).toMatchObject({ level: 'insufficient' });
    expect(structured.overall).toBe('insufficient');
    expect(structured.counts.insufficient).toBe(2);
  });

  it('refuses both forms at once, neither, or half of one', async () => {
    expect((await userError(run({ reference, current, reference_csv: 'a.csv', current_csv: 'b.csv' }))).message).toMatch(/^Give the data one way/);
    expect((await userError(run({}))).message).toMatch(/^No data: give reference \+ current inline/);
    expect((await userError(run({ reference }))).message).toBe('Inline data needs both reference and current; current is missing.');
    expect((await userError(run({ current_csv: 'b.csv' }))).message).toBe('CSV data needs both reference_csv and current_csv; reference_csv is missing.');
  });

  it('rejects oversized inline data in the input schema', () => {
    expect(CheckDriftInput.safeParse({ reference: { a: new Array(100_001).fill(1) }, current: { a: [1] } }).success).toBe(false);
    expect(CheckDriftInput.safeParse({ reference: { a: [{}] }, current: { a: [1] } }).success).toBe(false);
  });
});

describe('check_drift on CSV files under the data root', () => {
  function dataRoot(): string {
    const root = join(tempDir(), 'data');
    mkdirSync(join(root, 'sub'), { recursive: true });
    const ref = reference.age.map((a, i) => `${a},${reference.plan[i]},${i % 3 === 0 ? '1.50' : i % 3 === 1 ? '2' : 'A'}`);
    const cur = current.age.map((a, i) => `${a},"${current.plan[i]}",${i % 2 === 0 ? '1.50' : 'B'}`);
    writeFileSync(join(root, 'ref.csv'), `age,plan,grade\n${ref.join('\n')}\n`);
    writeFileSync(join(root, 'sub', 'cur.csv'), `\uFEFFage,plan,grade\r\n${cur.join('\r\n')}\r\n`);
    writeFileSync(join(root, 'bad.csv'), `age,plan,grade\n41,free,A\n42,pro,A\nforty,free,B\n`);
    writeFileSync(join(root, 'other.csv'), `age,city\n1,x\n`);
    return root;
  }

  it('reads both files and gives the same statistics as the same data inline', async () => {
    const root = dataRoot();
    const { structured: out } = await run({ reference_csv: 'ref.csv', current_csv: 'sub/cur.csv' }, root);
    const { structured: inline } = await run({ reference: { age: reference.age, plan: reference.plan }, current: { age: current.age, plan: current.plan } });
    const f = byFeature(out);
    expect(f.age).toEqual(byFeature(inline).age);
    expect(f.plan).toEqual(byFeature(inline).plan);
    expect(out.source).toEqual({ form: 'csv', reference: { rows: 300, file: 'ref.csv' }, current: { rows: 250, file: 'sub/cur.csv' } });
  });

  it('keeps the exact text of numbers in a column that turns out categorical', async () => {
    const root = dataRoot();
    const { structured } = await run({ reference_csv: 'ref.csv', current_csv: 'sub/cur.csv', features: [{ name: 'grade' }] }, root);
    const grade = byFeature(structured).grade!;
    expect(grade.kind).toBe('categorical');
    // "1.50" is a category of both sets (not "1.5"): only "B" is unseen in the reference.
    expect(grade.samples).toEqual({ reference: 300, current: 250 });
    expect(grade.statistics.chi2?.dof ?? 0).toBeGreaterThan(0);
  });

  it('names file, column, line and value for a non-numeric cell in a declared-numeric column', async () => {
    const root = dataRoot();
    const error = await userError(run({ reference_csv: 'ref.csv', current_csv: 'bad.csv', features: [{ name: 'age', type: 'numeric' }] }, root));
    expect(error.message).toMatch(/^current file "bad\.csv", column "age", line 4: "forty" is not a number, and the column is declared numeric/);
  });

  it('refuses mismatched columns unless features picks common ones', async () => {
    const root = dataRoot();
    expect((await userError(run({ reference_csv: 'ref.csv', current_csv: 'other.csv' }, root))).message).toBe(
      'The two sets have different columns: only in the reference: "plan", "grade"; only in the current set: "city". Fix the data, or pass features naming the columns to compare.',
    );
    const { structured } = await run({ reference_csv: 'ref.csv', current_csv: 'other.csv', features: [{ name: 'age' }] }, root);
    expect(structured.features.map((f) => f.feature)).toEqual(['age']);
  });

  it('refuses paths outside the data root: "..", absolute paths and symlinks that escape', async () => {
    const root = dataRoot();
    const outside = join(root, '..', 'outside.csv');
    writeFileSync(outside, 'age\n1\n');
    symlinkSync(outside, join(root, 'link.csv'));
    const cases: [string, RegExp][] = [
      ['../outside.csv', /reference_csv must not contain "\.\." segments/],
      [outside, /reference_csv must be relative to the data root, not absolute/],
      ['link.csv', /reference_csv resolves outside the data root \(through a symlink\)/],
    ];
    for (const [path, message] of cases) {
      const error = await userError(run({ reference_csv: path, current_csv: 'ref.csv' }, root));
      expect(error.message, path).toMatch(message);
      expect(error.code).toBe('forbidden');
    }
    expect((await userError(run({ reference_csv: 'nope.csv', current_csv: 'ref.csv' }, root))).message).toBe('reference file "nope.csv" does not exist under the data root.');
    // A path through a file, and a symlink loop: the user's path to fix, not a server fault.
    expect((await userError(run({ reference_csv: 'ref.csv/x.csv', current_csv: 'ref.csv' }, root))).message).toBe('reference file "ref.csv/x.csv" does not exist under the data root.');
    symlinkSync('loop-b.csv', join(root, 'loop-a.csv'));
    symlinkSync('loop-a.csv', join(root, 'loop-b.csv'));
    expect((await userError(run({ reference_csv: 'loop-a.csv', current_csv: 'ref.csv' }, root))).message).toBe('reference file "loop-a.csv" goes through a symbolic link loop; name the CSV file itself, under the data root.');
    expect((await userError(run({ reference_csv: 'a.csv', current_csv: 'b.csv' }, join(root, 'missing')))).message).toMatch(/^The data root .* does not exist\. Start the server with --data-root DIR/);
  });
});

describe('the data root', () => {
  it('is MLOPS_MCP_DATA_ROOT when set, else a data folder in the data home', () => {
    expect(defaultDataRoot({ MLOPS_MCP_DATA_ROOT: '/srv/datasets' })).toBe('/srv/datasets');
    expect(defaultDataRoot({ XDG_DATA_HOME: '/x' })).toBe(join(dataHome({ XDG_DATA_HOME: '/x' }), 'data'));
  });
});

describe('check_drift through a real MCP client (stdio, --data-root)', () => {
  it('answers inline and CSV calls with structured content and a PNG, and refuses paths outside the root', async () => {
    requireBuild();
    const dir = tempDir();
    const root = join(dir, 'data');
    mkdirSync(root);
    writeFileSync(join(root, 'ref.csv'), `x,c\n${reference.age.map((a, i) => `${a},${reference.plan[i]}`).join('\n')}\n`);
    writeFileSync(join(root, 'cur.csv'), `x,c\n${current.age.map((a, i) => `${a},${current.plan[i]}`).join('\n')}\nabc,free\n`);
    writeFileSync(join(dir, 'secret.csv'), 'x\n1\n');
    symlinkSync(join(dir, 'secret.csv'), join(root, 'escape.csv'));
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, 'stdio', '--db', join(dir, 'd.db'), '--export-root', join(dir, 'exports'), '--data-root', root],
      stderr: 'pipe',
    });
    const client = new Client({ name: 'e2e-check-drift', version: '1.0.0' });
    await client.connect(transport);
    try {
      const tools = await client.listTools();
      expect(tools.tools.find((t) => t.name === 'check_drift')?.annotations).toMatchObject({ readOnlyHint: true, idempotentHint: true, openWorldHint: false });

      const inline = await call(client, 'check_drift', { reference: { age: reference.age }, current: { age: current.age } });
      expect(inline.isError, text(inline)).toBeFalsy();
      expect(inline.structuredContent).toMatchObject({ overall: 'drift', counts: { critical: 1 } });
      const image = inline.content.find((c) => c.type === 'image') as { data: string; mimeType: string } | undefined;
      expect(image?.mimeType).toBe('image/png');
      expect(PNG.sync.read(Buffer.from(image!.data, 'base64')).width).toBe(960);

      const csv = await call(client, 'check_drift', { reference_csv: 'ref.csv', current_csv: 'cur.csv', features: [{ name: 'c' }] });
      expect(csv.isError, text(csv)).toBeFalsy();
      expect(csv.structuredContent).toMatchObject({ overall: 'drift', source: { form: 'csv', reference: { rows: 300 }, current: { rows: 251 } } });

      const bad = await call(client, 'check_drift', { reference_csv: 'ref.csv', current_csv: 'cur.csv', features: [{ name: 'x', type: 'numeric' }] });
      expect(bad.isError).toBe(true);
      expect(text(bad)).toMatch(/^current file "cur\.csv", column "x", line 252: "abc" is not a number/);

      for (const [path, message] of [
        ['../secret.csv', /must not contain "\.\." segments/],
        [join(dir, 'secret.csv'), /must be relative to the data root/],
        ['escape.csv', /resolves outside the data root/],
      ] as const) {
        const refused = await call(client, 'check_drift', { reference_csv: path, current_csv: 'cur.csv' });
        expect(refused.isError, path).toBe(true);
        expect(text(refused)).toMatch(message);
      }
    } finally {
      await client.close();
    }
  });
});
