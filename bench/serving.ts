// Serving benchmark (issue 6): the generated project for the README's fraud spec is written to a temp dir, its
// training CLI trains on generated sample rows, uvicorn serves the generated FastAPI app on 127.0.0.1, and 2,000
// sequential /predict requests (keep-alive) measure the latency clients see, against the spec's p99 SLO.
// Needs Debian's Python stack under /usr/bin/python3 (README "Set up"). Run: npm run bench, or
// `npx tsc -p tsconfig.build.json && node dist/bench/serving.js`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { runAllPhases } from '../src/pipeline/runPhases.js';
import { specFromRequirements } from '../src/spec/resolve.js';
import { freePort, percentile } from './measure.js';

const PYTHON = '/usr/bin/python3';
const REQUIREMENTS = 'Detect fraudulent card payments in real time from our Postgres ledger, p99 under 100 ms at 500 rps';
const REQUESTS = 2_000;
const WARMUP = 50;

function python(args: string[], cwd: string, env: Record<string, string> = {}): string {
  const run = spawnSync(PYTHON, args, { cwd, encoding: 'utf8', env: { ...process.env, PYTHONPATH: 'src:tests:tests/serving', ...env }, maxBuffer: 1 << 26 });
  if (run.status !== 0) throw new Error(`${PYTHON} ${args.join(' ')} failed:\n${(run.stderr || run.error?.message || '').slice(-2000)}`);
  return run.stdout;
}

/** Request bodies exactly as the generated serving tests build them (features + entity key of sample rows). */
const BODIES_PY = String.raw`
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("serving_test", "tests/serving/test_serving_app.py")
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
from support import synthetic_rows
print(json.dumps([module.request_row(r) for r in synthetic_rows(int(sys.argv[1]))]))
`;

async function waitReady(url: string, server: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`uvicorn exited with ${server.exitCode}:\n${log().slice(-2000)}`);
    try {
      if ((await fetch(`${url}/ready`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the app was not ready within 60 s:\n${log().slice(-2000)}`);
}

export async function benchServing(): Promise<void> {
  if (spawnSync(PYTHON, ['-c', 'import fastapi, uvicorn, sklearn, pandas'], { encoding: 'utf8' }).status !== 0) {
    console.log(`serving bench skipped: ${PYTHON} lacks fastapi/uvicorn/scikit-learn/pandas (README "Set up")`);
    return;
  }
  const { spec } = specFromRequirements({ requirements: REQUIREMENTS });
  const { artifacts, outputs } = runAllPhases(spec);
  const pkg = (outputs.python_pro!.decisions as { package_name: string }).package_name;
  const dir = mkdtempSync(join(tmpdir(), 'mlops-serving-bench-'));
  let server: ChildProcess | undefined;
  try {
    for (const a of artifacts) {
      mkdirSync(dirname(join(dir, a.path)), { recursive: true });
      writeFileSync(join(dir, a.path), a.content);
    }
    const ml = join(dir, 'ml');
    const modelDir = join(dir, 'model');
    const trainStart = performance.now();
    python(['-m', `${pkg}.training`, '--sample', '2000', '--trials', '2', '--output-dir', modelDir, '--output', join(dir, 'run.json')], ml);
    const trainSeconds = (performance.now() - trainStart) / 1000;
    const card = JSON.parse(readFileSync(join(modelDir, 'model_card.json'), 'utf8')) as Record<string, unknown>;
    const bodies = (JSON.parse(python(['-c', BODIES_PY, '200'], ml)) as unknown[]).map((b) => JSON.stringify(b));

    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    let log = '';
    server = spawn(PYTHON, ['-m', 'uvicorn', `${pkg}.serving.app:app`, '--host', '127.0.0.1', '--port', String(port), '--log-level', 'warning', '--no-access-log'], {
      cwd: ml,
      env: { ...process.env, PYTHONPATH: 'src', [`${pkg.toUpperCase()}_MODEL_PATH`]: join(modelDir, 'model.pkl') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout!.on('data', (d) => (log += String(d)));
    server.stderr!.on('data', (d) => (log += String(d)));
    await waitReady(url, server, () => log);

    const post = async (body: string) => {
      const t = performance.now();
      const response = await fetch(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`/predict answered ${response.status}`);
      return performance.now() - t;
    };
    for (let i = 0; i < WARMUP; i++) await post(bodies[i % bodies.length]!);
    const samples: number[] = [];
    const start = performance.now();
    for (let i = 0; i < REQUESTS; i++) samples.push(await post(bodies[i % bodies.length]!));
    const seconds = (performance.now() - start) / 1000;
    samples.sort((a, b) => a - b);
    const slo = spec.slo.p99_latency_ms;
    const p99 = percentile(samples, 99);
    console.log(
      `serving ${REQUESTS} sequential /predict over loopback (uvicorn, 1 worker, model trained on 2,000 sample rows in ${trainSeconds.toFixed(1)} s, ` +
        `${JSON.stringify(card.members ?? card.model ?? '')}): p50 ${percentile(samples, 50).toFixed(2)} ms, p95 ${percentile(samples, 95).toFixed(2)} ms, ` +
        `p99 ${p99.toFixed(2)} ms, max ${samples[samples.length - 1]!.toFixed(2)} ms, ${(REQUESTS / seconds).toFixed(0)} req/s; SLO p99 ${slo} ms: ${p99 < slo ? 'met' : 'MISSED'}`,
    );
  } finally {
    server?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchServing();
}
