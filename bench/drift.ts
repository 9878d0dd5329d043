// check_drift benchmark (issue 5): 1,000,000 reference vs 1,000,000 current rows × 20 numeric columns, KS + PSI +
// Wasserstein + Jensen–Shannon, then the same computation with numpy/scipy on the same data.
// Run: npm run bench (bench/run.ts calls benchDrift) or `npx tsc -p tsconfig.build.json && node dist/bench/drift.js`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { driftAll, driftWorkerMode, sharedFloat64Array, type DriftColumn, type FeatureDrift } from '../src/stats/drift.js';

const ROWS = 1_000_000;
const COLUMNS = 20;

/** mulberry32: a small seeded PRNG (the bench must be reproducible). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t = ((t + Math.imul(t ^ (t >>> 7), t | 61)) ^ t) >>> 0;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Normal(mu, sigma) by Box–Muller into `out`. */
function normals(out: Float64Array, seed: number, mu: number, sigma: number): Float64Array {
  const u = prng(seed);
  for (let i = 0; i < out.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - u()));
    const theta = 2 * Math.PI * u();
    out[i] = mu + sigma * r * Math.cos(theta);
    if (i + 1 < out.length) out[i + 1] = mu + sigma * r * Math.sin(theta);
  }
  return out;
}

/** Shifted normals, drift (mean +0.3σ or +0.6σ, scale ×1.1) in every odd column; shared: true puts them in shared memory. */
function generate(shared: boolean): DriftColumn[] {
  const alloc = (n: number) => (shared ? sharedFloat64Array(n) : new Float64Array(n));
  return Array.from({ length: COLUMNS }, (_, i) => {
    const mu = 10 * i - 50;
    const sigma = 1 + i / 4;
    const drifted = i % 2 === 1;
    return {
      name: `num_${i}`,
      reference: { kind: 'numeric' as const, values: normals(alloc(ROWS), 1 + 2 * i, mu, sigma), missing: 0 },
      current: { kind: 'numeric' as const, values: normals(alloc(ROWS), 2 + 2 * i, drifted ? mu + 0.15 * sigma * ((i % 4) + 1) : mu, drifted ? sigma * 1.1 : sigma), missing: 0 },
    };
  });
}

/** Best wall time of `runs`, and the CPU time (all threads) of that run: on a busy machine CPU/threads is the better guide. */
async function bestOf(runs: number, columns: DriftColumn[]): Promise<[number, number, FeatureDrift[]]> {
  let best = Infinity;
  let cpuOfBest = 0;
  let result: FeatureDrift[] = [];
  for (let r = 0; r < runs; r++) {
    const cpu = process.cpuUsage();
    const t = performance.now();
    result = await driftAll(columns);
    const wall = performance.now() - t;
    if (wall < best) {
      best = wall;
      const used = process.cpuUsage(cpu);
      cpuOfBest = (used.user + used.system) / 1e6;
    }
  }
  return [best / 1000, cpuOfBest, result];
}

interface ScipyResult {
  ks: number;
  ks_p: number;
  psi: number;
  jensen_shannon: number;
  wasserstein: number;
  wasserstein_normalised: number;
}

function gb(kilobytes: number): string {
  return `${(kilobytes / 1024 / 1024).toFixed(2)} GB`;
}

/** Writes the columns as raw float64 files, runs bench/drift_scipy.py on them with the PATH python3, compares. */
function scipyComparison(columns: DriftColumn[], ours: FeatureDrift[], seconds: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-drift-bench-'));
  try {
    columns.forEach((c, i) => {
      for (const [side, col] of [['ref', c.reference], ['cur', c.current]] as const) {
        if (col.kind === 'numeric') writeFileSync(join(dir, `${side}_${i}.f64`), new Uint8Array(col.values.buffer, col.values.byteOffset, col.values.byteLength));
      }
    });
    const script = fileURLToPath(new URL('../../bench/drift_scipy.py', import.meta.url));
    const run = spawnSync('python3', [script, dir, String(columns.length)], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (run.status !== 0) return `scipy/numpy same computation: python3 failed (${(run.error?.message ?? run.stderr).trim().split('\n').pop()})`;
    const py = JSON.parse(run.stdout) as { seconds: number; results: ScipyResult[] };
    let worst = 0;
    py.results.forEach((e, i) => {
      const s = ours[i]!.statistics;
      const pairs: [number | undefined, number][] = [
        [s.ks?.statistic, e.ks],
        [s.psi, e.psi],
        [s.jensen_shannon, e.jensen_shannon],
        [s.wasserstein, e.wasserstein],
        [s.wasserstein_normalised, e.wasserstein_normalised],
      ];
      for (const [a, b] of pairs) worst = Math.max(worst, Math.abs(a! - b) / Math.max(Math.abs(b), 1e-12));
    });
    return `scipy/numpy same computation: ${py.seconds.toFixed(1)} s; ratio ${(py.seconds / seconds).toFixed(1)}×; largest relative difference ${worst.toExponential(1)}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** options.scipy = false skips the numpy/scipy comparison (minutes of single-threaded numpy). */
export async function benchDrift(options: { scipy?: boolean } = {}): Promise<void> {
  const columns = generate(true);
  const label = `check_drift 1M vs 1M × ${COLUMNS} numeric (KS+PSI+Wasserstein+JS)`;
  const [seconds, cpu, ours] = await bestOf(3, columns);
  const rss = process.resourceUsage().maxRSS;
  const mode = `${availableParallelism()} workers (${driftWorkerMode()})`;

  const plain = generate(false);
  const [plainSeconds] = await bestOf(1, plain);
  const load = loadavg()[0]!.toFixed(1);
  plain.length = 0;

  const scipyLine = options.scipy === false ? 'scipy/numpy comparison skipped' : scipyComparison(columns, ours, seconds);
  console.log(`${label}: ${seconds.toFixed(2)} s (best of 3, ${mode}, inputs in shared memory; CPU ${cpu.toFixed(2)} s, load average ${load}), peak RSS ${gb(rss)}; ${scipyLine}`);
  console.log(`${label}, inputs in ordinary (non-shared) arrays, copied to shared memory per column: ${plainSeconds.toFixed(2)} s`);
  console.log(`verdicts: ${ours.map((d) => d.level).join(' ')}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchDrift({ scipy: !process.argv.includes('--no-scipy') });
}
