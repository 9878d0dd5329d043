import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Artifact } from '../../../src/artifacts/artifact.js';
import { pythonPackage } from '../../../src/phases/common.js';
import { DRIFT_POLICY_DEFAULTS, driftConfigObject } from '../../../src/phases/observability_engineer/driftConfig.js';
import { METRICS } from '../../../src/phases/observability_engineer/metrics.js';
import { buildPlan, type MonitoringPlan } from '../../../src/phases/observability_engineer/plan.js';
import { driftModule, qualityModule, retrainingTriggerModule } from '../../../src/phases/observability_engineer/python.js';
import { ORCHESTRATOR_REQUESTS, monitoringTestFiles } from '../../../src/phases/observability_engineer/pythonTests.js';
import { runAllPhases } from '../../../src/pipeline/runPhases.js';
import type { ResolvedSpec } from '../../../src/spec/resolve.js';
import { DEFAULT_DRIFT_THRESHOLDS, featureDrift, toColumnData } from '../../../src/stats/drift.js';
import { decisionsOf } from '../../helpers/phaseHarness.js';
import { defaultSpec, richSpec, withPatch } from '../../helpers/specs.js';

/**
 * The drift monitor as generated Python: drift.py (numpy/scipy), quality.py (delayed labels), the retraining
 * trigger and their own pytest suite (ml/tests/monitoring), run with both Python stacks of the machine, plus a
 * cross-check of drift.py against scipy and against the TypeScript twin (src/stats/drift.ts) on one CSV pair.
 */

const run = promisify(execFile);

interface Interpreter {
  bin: string;
  ok: boolean;
  reason: string;
}

/** An interpreter is used when it imports numpy, scipy and pytest; otherwise its tests are skipped, saying why. */
function probe(bin: string): Interpreter {
  const r = spawnSync(bin, ['-c', 'import numpy, scipy, pytest; print(numpy.__version__, scipy.__version__, pytest.__version__)'], { encoding: 'utf8' });
  return r.status === 0 ? { bin, ok: true, reason: `numpy/scipy/pytest ${r.stdout.trim()}` } : { bin, ok: false, reason: `${bin} lacks numpy, scipy or pytest: ${(r.stderr || String(r.error)).trim().split('\n').at(-1)}` };
}

const INTERPRETERS = [probe('/usr/bin/python3'), probe('python3')];

function planOf(spec: ResolvedSpec): { plan: MonitoringPlan; artifacts: Artifact[] } {
  const all = runAllPhases(spec, 'observability_engineer');
  const up = decisionsOf(all.outputs) as Parameters<typeof buildPlan>[1];
  return { plan: buildPlan(spec, up), artifacts: all.artifacts };
}

/** The bundle up to observability, with quality.py and the monitoring tests added until artifacts.ts lists them. */
function monitorBundle(spec: ResolvedSpec): { plan: MonitoringPlan; files: Artifact[] } {
  const { plan, artifacts } = planOf(spec);
  const extra: Artifact[] = [
    { path: `ml/src/${pythonPackage(spec)}/observability/quality.py`, kind: 'python', phase: 'observability_engineer', content: qualityModule(plan) },
    ...monitoringTestFiles(plan),
  ];
  const have = new Set(artifacts.map((a) => a.path));
  return { plan, files: [...artifacts, ...extra.filter((a) => !have.has(a.path))] };
}

/**
 * Writes the files under a fresh folder, runs body, removes the folder. Not the harness's tempDir: its
 * onTestFinished hook is not reliably bound to the right test when tests run concurrently.
 */
async function inBundle<T>(files: readonly Artifact[], body: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'drift-monitor-'));
  try {
    for (const a of files) {
      mkdirSync(dirname(join(dir, a.path)), { recursive: true });
      writeFileSync(join(dir, a.path), a.content);
    }
    return await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const categoricalHeavy = () =>
  withPatch(defaultSpec(), {
    name: 'route-support-tickets',
    options: { orchestration: 'airflow' },
    data: {
      features: [
        { name: 'channel', type: 'categorical', categories: ['web', 'mobile', 'email', 'phone'] },
        { name: 'product', type: 'categorical', categories: ['cards', 'loans', 'savings'] },
        { name: 'country', type: 'categorical' },
        { name: 'is_vip', type: 'boolean' },
        { name: 'customer_region', type: 'categorical', categories: ['north', 'south'], protected: true },
        { name: 'ticket_length', type: 'integer', min: 0, max: 5000 },
      ],
    },
  });

const regression = () =>
  withPatch(defaultSpec(), { name: 'price-estimator', problem: { type: 'regression', target: 'price', label_delay_hours: 72 }, options: { orchestration: 'prefect' } });

const forecasting = () => richSpec({ options: { ...richSpec().options, orchestration: 'dagster' } });

/**
 * Each scenario runs the suite with /usr/bin/python3 (the interpreter of the project's CI and of the pytest
 * validator); the first two also with the PATH python3 (numpy 2 / scipy 1.17), which keeps the file's runtime down.
 */
const SCENARIOS: { name: string; spec: () => ResolvedSpec; orchestrator: string; metric: string; bothStacks: boolean }[] = [
  { name: 'default spec (kubeflow, roc_auc)', spec: defaultSpec, orchestrator: 'kubeflow', metric: 'roc_auc', bothStacks: true },
  { name: 'categorical-heavy spec with a protected attribute (airflow)', spec: categoricalHeavy, orchestrator: 'airflow', metric: 'roc_auc', bothStacks: true },
  { name: 'regression spec (prefect, rmse)', spec: regression, orchestrator: 'prefect', metric: 'rmse', bothStacks: false },
  { name: 'forecasting spec with a protected attribute (dagster, wape)', spec: forecasting, orchestrator: 'dagster', metric: 'wape', bothStacks: false },
];

describe('drift monitor: generated files', () => {
  it('the scenarios cover every orchestrator and the metric kinds they claim', () => {
    for (const s of SCENARIOS) {
      const { plan } = planOf(s.spec());
      expect([plan.retraining.orchestrator, plan.quality.metric]).toEqual([s.orchestrator, s.metric]);
    }
    expect(new Set(SCENARIOS.map((s) => s.orchestrator))).toEqual(new Set(Object.keys(ORCHESTRATOR_REQUESTS)));
  });

  it('drift_config states the policy with the same defaults as the TypeScript check_drift engine', () => {
    const config = driftConfigObject(planOf(defaultSpec()).plan);
    const { ks, chi2, psi, jensen_shannon, min_samples, large_sample } = config.policy;
    expect({ ks, chi2, psi, jensen_shannon, min_samples, large_sample }).toEqual({ ...DEFAULT_DRIFT_THRESHOLDS });
    expect(config.policy).toMatchObject({ ...DRIFT_POLICY_DEFAULTS, bins: 10 });
    expect(config.policy.sources.join(' ')).toMatch(/ks_2samp.*Cochran \(1954\).*Siddiqi \(2006\).*Failing Loudly/s);
  });

  it('per-feature thresholds come from the data scientist, the policy fills the tests it does not name', () => {
    const { plan } = planOf(defaultSpec());
    const config = driftConfigObject(plan);
    expect(config.features.map((f) => f.name)).toEqual([...new Set(plan.tests.map((t) => t.feature))]);
    for (const f of config.features) {
      const tests = plan.tests.filter((t) => t.feature === f.name);
      expect(f.tests).toEqual(tests.map((t) => t.test));
      for (const t of tests) {
        if (t.test === 'ks' || t.test === 'chi2') expect(f.thresholds[t.test]).toEqual({ p_value_max: t.pValueMax ?? 0.01, min_effect: t.critical });
        if (t.test === 'psi' || t.test === 'jensen_shannon') expect(f.thresholds[t.test]).toEqual({ warn: t.warn, critical: t.critical });
      }
      if (!f.tests.includes('jensen_shannon')) expect(f.thresholds.jensen_shannon).toEqual(DRIFT_POLICY_DEFAULTS.jensen_shannon);
      expect(f.kind).toBe(['numeric', 'integer'].includes(f.type) ? 'numeric' : 'categorical');
    }
    // The data scientist's PSI alert level reaches the config (0.2 for the default spec, not the policy's 0.25).
    expect(config.features.find((f) => f.name === 'amount')?.thresholds.psi.critical).toBe(plan.tests.find((t) => t.feature === 'amount' && t.test === 'psi')?.critical);
    expect(config.metrics).toMatchObject({
      score: METRICS.featureDriftScore.name,
      p_value: METRICS.featureDriftPValue.name,
      prediction: METRICS.predictionDriftScore.name,
      null_ratio: METRICS.featureNullRatio.name,
      out_of_range_ratio: METRICS.featureOutOfRangeRatio.name,
      last_success: METRICS.driftJobLastSuccess.name,
      duration: METRICS.driftJobDuration.name,
    });
  });

  it('the jobs import only numpy, scipy, the standard library and each other at module level', () => {
    const { plan } = planOf(defaultSpec());
    const stdlib = new Set(['__future__', 'argparse', 'base64', 'csv', 'json', 'math', 'os', 'random', 're', 'sys', 'time', 'urllib.request', 'dataclasses', 'datetime', 'typing', 'hmac', 'threading', 'http.server']);
    for (const source of [driftModule(plan), qualityModule(plan), retrainingTriggerModule(plan)]) {
      const modules = [...source.matchAll(/^(?:from (\S+) import|import (\S+))/gm)].map((m) => (m[1] ?? m[2])!);
      for (const m of modules) expect(stdlib.has(m) || m === 'numpy' || m.startsWith('scipy') || m === '.metrics' || m === '.drift', m).toBe(true);
    }
  });

  it('the spec visibly changes the jobs: orchestrator, metric, label delay, window and thresholds', () => {
    const base = planOf(defaultSpec()).plan;
    const reg = planOf(regression()).plan;
    expect(qualityModule(reg)).toContain('METRIC = "rmse"');
    expect(qualityModule(reg)).toContain('LABEL_DELAY_HOURS = 72');
    expect(qualityModule(reg)).toContain('DIRECTION = "minimize"');
    expect(qualityModule(base)).toContain(`MIN_LABELLED_SAMPLES = ${base.quality.minLabelledSamples}`);
    for (const s of SCENARIOS) expect(retrainingTriggerModule(planOf(s.spec()).plan)).toContain(`ORCHESTRATOR = "${s.orchestrator}"`);
    const strict = withPatch(defaultSpec(), { slo: { max_degradation_pct: 2 } });
    expect(qualityModule(planOf(strict).plan)).toContain('CRITICAL_DEGRADATION_PCT = 2\n');
  });

  it('is deterministic: the same spec gives the same bytes', () => {
    const a = monitorBundle(defaultSpec()).files.filter((f) => f.path.includes('observability/') || f.path.includes('tests/monitoring') || f.path.includes('drift_config'));
    const b = monitorBundle(defaultSpec()).files.filter((f) => f.path.includes('observability/') || f.path.includes('tests/monitoring') || f.path.includes('drift_config'));
    expect(a.length).toBeGreaterThanOrEqual(9);
    expect(a).toEqual(b);
  });
});

describe.concurrent('drift monitor: the generated pytest suite on both Python stacks', () => {
  for (const scenario of SCENARIOS) {
    it(`${scenario.name}: py_compile and ml/tests/monitoring pass`, async () => {
      const { files } = monitorBundle(scenario.spec());
      await inBundle(files, async (dir) => {
        const ml = join(dir, 'ml');
        const py = files.filter((f) => f.path.endsWith('.py') && (f.path.includes('/observability/') || f.path.includes('tests/monitoring/'))).map((f) => join(dir, f.path));
        const usable = INTERPRETERS.filter((i) => i.ok && (scenario.bothStacks || i.bin === '/usr/bin/python3'));
        expect(usable.length, INTERPRETERS.map((i) => i.reason).join('; ')).toBeGreaterThan(0);
        await run(usable[0]!.bin, ['-m', 'py_compile', ...py], { env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
        const results = await Promise.all(
          usable.map(async (i) => {
            const r = await run(i.bin, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', '-rfEs', 'tests/monitoring'], { cwd: ml, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONHASHSEED: '0' }, maxBuffer: 16 << 20 }).catch((e: { stdout?: string; stderr?: string }) => ({ stdout: `${e.stdout ?? ''}\n${e.stderr ?? ''}`, stderr: 'failed' }));
            return { bin: i.bin, out: r.stdout, failed: r.stderr === 'failed' };
          }),
        );
        for (const r of results) {
          expect(r.failed, `${r.bin}:\n${r.out.slice(-4000)}`).toBe(false);
          const passed = Number(/(\d+) passed/.exec(r.out)?.[1] ?? 0);
          expect(passed, `${r.bin}: ${r.out.slice(-1500)}`).toBeGreaterThanOrEqual(35);
        }
      });
    }, 300_000);
  }
  for (const i of INTERPRETERS.filter((x) => !x.ok)) it.skip(`${i.bin} skipped: ${i.reason}`, () => {});
});

// ------------------------------------------------------------------ cross-check on one CSV pair

/** mulberry32: a small seeded PRNG, so the CSV pair is the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(r: () => number, mean: number, sd: number): number {
  return mean + sd * Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

type Columns = Record<string, string[]>;

/** Large numeric (PSI path), small numeric with ties (exact KS path), categorical with a new value, rare categories, boolean, missing cells. */
function csvPair(): { reference: Columns; current: Columns } {
  const r = rng(7);
  const make = (n: number, shift: number, small: number, catShift: number): Columns => {
    const cols: Columns = { big: [], small: [], colour: [], rare: [], flag: [] };
    for (let i = 0; i < n; i++) {
      cols.big!.push(i % 50 === 7 ? '' : String(normal(r, 100 + shift, 15)));
      cols.small!.push(i < small ? String(Math.round(normal(r, 10 + shift / 5, 3))) : '');
      const u = r();
      cols.colour!.push(u < 0.4 ? 'red' : u < 0.7 + catShift ? 'green' : u < 0.95 ? 'blue' : catShift > 0 ? 'violet' : 'red');
      cols.rare!.push(i % 400 === 0 ? 'zeta' : r() < 0.5 + catShift ? 'alpha' : 'beta');
      cols.flag!.push(r() < 0.3 + catShift ? 'true' : 'false');
    }
    return cols;
  };
  return { reference: make(1500, 0, 200, 0), current: make(1200, 4, 150, 0.1) };
}

function writeCsv(path: string, cols: Columns): string {
  const names = Object.keys(cols);
  const rows = cols[names[0]!]!.map((_, i) => names.map((n) => cols[n]![i]).join(','));
  writeFileSync(path, [names.join(','), ...rows].join('\n') + '\n');
  return path;
}

interface PyResult {
  feature: string;
  kind: string;
  test: string;
  statistic: number | null;
  p_value: number | null;
  level: string;
  samples: { reference: number; current: number };
  missing: { reference: number; current: number };
  statistics: Record<string, number | Record<string, number | string | boolean>>;
}

describe('drift monitor: drift.py agrees with scipy and with the TypeScript twin', () => {
  const usable = INTERPRETERS.filter((i) => i.ok);
  it.skipIf(usable.length === 0)('per-feature statistics on a fixed CSV pair', async () => {
    const spec = defaultSpec();
    const { files, plan } = monitorBundle(spec);
    await inBundle(files, async (dir) => {
      const { reference, current } = csvPair();
      const config = driftConfigObject(plan);
      const features = [
        { name: 'big', type: 'numeric', kind: 'numeric', thresholds: { ...DEFAULT_DRIFT_THRESHOLDS } },
        { name: 'small', type: 'integer', kind: 'numeric', thresholds: { ...DEFAULT_DRIFT_THRESHOLDS } },
        { name: 'colour', type: 'categorical', kind: 'categorical', thresholds: { ...DEFAULT_DRIFT_THRESHOLDS } },
        { name: 'rare', type: 'categorical', kind: 'categorical', thresholds: { ...DEFAULT_DRIFT_THRESHOLDS } },
        { name: 'flag', type: 'boolean', kind: 'categorical', thresholds: { ...DEFAULT_DRIFT_THRESHOLDS } },
      ];
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, features }));
      const ref = writeCsv(join(dir, 'ref.csv'), reference);
      const cur = writeCsv(join(dir, 'cur.csv'), current);
      const env = { ...process.env, PYTHONPATH: join(dir, 'ml/src'), PYTHONDONTWRITEBYTECODE: '1' };
      const module = `${pythonPackage(spec)}.observability.drift`;
      const independent = [
        'import csv, json, sys',
        'import numpy as np',
        'from scipy import stats as sps',
        'from scipy.spatial import distance as spd',
        'def cols(p):',
        '    rows = list(csv.reader(open(p)))',
        '    return {h: [r[i] for r in rows[1:] if r[i] != ""] for i, h in enumerate(rows[0])}',
        'ref, cur = cols(sys.argv[1]), cols(sys.argv[2])',
        'out = {}',
        'for name in ("big", "small"):',
        '    a, b = np.array(ref[name], dtype=float), np.array(cur[name], dtype=float)',
        '    edges = np.unique(np.quantile(a, [i / 10 for i in range(1, 10)]))',
        '    rc = np.bincount(np.searchsorted(edges, a, side="right"), minlength=len(edges) + 1)',
        '    cc = np.bincount(np.searchsorted(edges, b, side="right"), minlength=len(edges) + 1)',
        '    q, p = np.maximum(rc / len(a), 1e-6), np.maximum(cc / len(b), 1e-6)',
        '    ks = sps.ks_2samp(a, b)',
        '    w = sps.wasserstein_distance(a, b)',
        '    out[name] = {"ks": float(ks.statistic), "ks_p": float(ks.pvalue), "psi": float(np.sum((p - q) * np.log(p / q))), "js": float(spd.jensenshannon(rc, cc, base=2)), "w": float(w), "wn": float(w / np.std(a, ddof=1))}',
        'for name in ("colour", "rare", "flag"):',
        '    cats = sorted(set(ref[name]))',
        '    rc = [ref[name].count(c) for c in cats] + [0]',
        '    cc = [cur[name].count(c) for c in cats] + [sum(v not in cats for v in cur[name])]',
        '    t = np.array([rc, cc], dtype=float)',
        '    t = t[:, t.sum(axis=0) > 0]',
        '    chi2, pv, dof, exp = sps.chi2_contingency(t)',
        '    v = (sps.chi2_contingency(t, correction=False)[0] / t.sum()) ** 0.5',
        '    out[name] = {"chi2": float(chi2), "chi2_p": float(pv), "v": float(v), "cochran": bool(exp.min() >= 5), "js": float(spd.jensenshannon(rc, cc, base=2))}',
        'print(json.dumps(out))',
      ].join('\n');
      const py = usable[usable.length - 1]!.bin; // the PATH python3 (numpy 2.4 / scipy 1.17) when available
      const [job, ind] = await Promise.all([
        run(py, ['-m', module, '--config', join(dir, 'config.json'), '--reference', ref, '--current', cur, '--json'], { cwd: dir, env }).catch((e: { code: number; stdout: string }) => ({ stdout: e.stdout, code: e.code })),
        run(py, ['-c', independent, ref, cur], { env }),
      ]);
      const results = (JSON.parse(job.stdout) as { results: PyResult[] }).results;
      const scipy = JSON.parse(ind.stdout) as Record<string, Record<string, number | boolean>>;
      const byName = Object.fromEntries(results.map((r) => [r.feature, r]));

      // drift.py against scipy/numpy computed independently.
      for (const name of ['big', 'small']) {
        const s = byName[name]!.statistics as Record<string, Record<string, number>> & Record<string, number>;
        expect(s.ks!.statistic).toBe(scipy[name]!.ks);
        expect(s.ks!.p_value).toBeCloseTo(scipy[name]!.ks_p as number, 12);
        expect(Math.abs(s.psi! - (scipy[name]!.psi as number))).toBeLessThan(1e-12);
        expect(Math.abs(s.jensen_shannon! - (scipy[name]!.js as number))).toBeLessThan(1e-12);
        expect(Math.abs(s.wasserstein_normalised! - (scipy[name]!.wn as number))).toBeLessThan(1e-12);
      }
      for (const name of ['colour', 'rare', 'flag']) {
        const chi = byName[name]!.statistics.chi2 as Record<string, number | boolean>;
        expect(chi.statistic).toBeCloseTo(scipy[name]!.chi2 as number, 9);
        expect(chi.cramers_v).toBeCloseTo(scipy[name]!.v as number, 12);
        expect(chi.cochran_ok).toBe(scipy[name]!.cochran);
      }
      // The policy's test selection is exercised on every path.
      expect(results.map((r) => [r.feature, r.test])).toEqual([['big', 'psi'], ['small', 'ks'], ['colour', 'chi2'], ['rare', 'jensen_shannon'], ['flag', 'chi2']]);
      expect(byName.big!.missing.reference).toBe(30);
      expect(job).not.toHaveProperty('code', 1);

      // drift.py against the TypeScript twin (check_drift's engine).
      for (const f of features) {
        const kind = f.kind as 'numeric' | 'categorical';
        const ts = featureDrift(f.name, toColumnData(reference[f.name]!, kind), toColumnData(current[f.name]!, kind), DEFAULT_DRIFT_THRESHOLDS);
        const pyr = byName[f.name]!;
        expect([ts.test, ts.level, ts.samples, ts.missing], f.name).toEqual([pyr.test, pyr.level, pyr.samples, pyr.missing]);
        const s = pyr.statistics as Record<string, number> & Record<string, Record<string, number>>;
        if (kind === 'numeric') {
          expect(ts.statistics.ks!.statistic, f.name).toBe(s.ks!.statistic);
          expect(ts.statistics.ks!.method).toBe(s.ks!.method);
          expect(Math.abs(ts.statistics.ks!.p_value - s.ks!.p_value!)).toBeLessThan(1e-9);
          for (const k of ['psi', 'jensen_shannon', 'wasserstein', 'wasserstein_normalised'] as const) expect(Math.abs(ts.statistics[k]! - s[k]!), `${f.name} ${k}`).toBeLessThan(1e-9);
        } else {
          expect(Math.abs(ts.statistics.chi2!.cramers_v - s.chi2!.cramers_v!)).toBeLessThan(1e-9);
          // chi-square p-values are asymptotic: the bound is 1e-6 relative.
          expect(Math.abs(ts.statistics.chi2!.p_value - s.chi2!.p_value!) / s.chi2!.p_value!, `${f.name}: ${ts.statistics.chi2!.p_value} vs ${s.chi2!.p_value}`).toBeLessThan(1e-6);
          expect(ts.statistics.chi2!.cochran_ok).toBe(Boolean(s.chi2!.cochran_ok));
          for (const k of ['psi', 'jensen_shannon'] as const) expect(Math.abs(ts.statistics[k]! - s[k]!), `${f.name} ${k}`).toBeLessThan(1e-9);
        }
      }
    });
  }, 120_000);
});
