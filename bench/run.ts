// Benchmarks (npm run bench). Figures, not pass/fail: performance targets live here, never in unit tests.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { bundleFiles } from '../src/pipeline/bundle.js';
import { benchDrift } from './drift.js';
import { formatLatency, latency } from './measure.js';
import { benchServing } from './serving.js';
import { benchToolCalls } from './toolCalls.js';
import { benchWebSockets } from './ws.js';
import { runAllPhases } from '../src/pipeline/runPhases.js';
import { resolveSpec, specFromRequirements } from '../src/spec/resolve.js';
import { ValidatorRegistry, defaultValidators } from '../src/validate/registry.js';

function time<T>(fn: () => T): [T, number] {
  const t = performance.now();
  const r = fn();
  return [r, performance.now() - t];
}

function specWith(features: number, sources: number) {
  const srcs = Array.from({ length: sources }, (_, i) => ({ name: `source_${i}`, kind: (['postgres', 'kafka', 's3', 'snowflake'] as const)[i % 4], rows_per_day: 1_000_000 }));
  const feats = Array.from({ length: features }, (_, i) =>
    i % 3 === 0
      ? { name: `cat_${i}`, type: 'categorical' as const, categories: ['a', 'b', 'c'], source: `source_${i % sources}` }
      : { name: `num_${i}`, type: 'numeric' as const, min: 0, max: 1000, nullable: i % 5 === 0, source: `source_${i % sources}` },
  );
  return resolveSpec({ name: 'bench', requirements: 'Benchmark pipeline', data: { sources: srcs, features: feats } });
}

async function main() {
  const spec = specFromRequirements({ requirements: 'Detect fraudulent card payments in real time' }).spec;
  runAllPhases(spec); // warm-up: module loading and JIT
  const design = Array.from({ length: 20 }, () => time(() => bundleFiles(spec, runAllPhases(spec).artifacts))[1]);
  console.log(`design, default spec, 7 phases + manifest, no validators: ${formatLatency(latency(design))}`);

  const registry = new ValidatorRegistry(defaultValidators());
  await registry.describe();
  const validated = async (files: ReturnType<typeof bundleFiles>) => {
    const t = performance.now();
    const report = await registry.validate(files);
    return { ms: performance.now() - t, failed: report.summary.failed, unchecked: report.summary.unchecked };
  };
  const files = bundleFiles(spec, runAllPhases(spec).artifacts);
  const all = await validated(files);
  console.log(`all validators on the default bundle (${files.length} files, in parallel): ${all.ms.toFixed(0)} ms, ${all.failed} failed, ${all.unchecked} unchecked (target <= 15 s)`);

  for (const [features, sources] of [[10, 1], [100, 1], [1000, 1], [10, 10], [10, 50]] as const) {
    const s = specWith(features, sources);
    const [scaled, ms] = time(() => bundleFiles(s, runAllPhases(s).artifacts));
    // The generated Python suite has cases per feature (and trains on every input): 1,000 features take many
    // minutes of pytest, so that one is opt-in.
    if (features >= 1000 && !process.env.BENCH_LARGE) {
      console.log(`design with ${features} features, ${sources} sources: ${ms.toFixed(0)} ms without validators (${scaled.length} files; BENCH_LARGE=1 adds the validators)`);
      continue;
    }
    const v = await validated(scaled);
    console.log(`design with ${features} features, ${sources} sources: ${ms.toFixed(0)} ms without validators, ${v.ms.toFixed(0)} ms with all (${scaled.length} files, ${v.failed} failed, ${v.unchecked} unchecked)`);
  }

  const dir = mkdtempSync(join(tmpdir(), 'mlops-bench-'));
  try {
    // What a user waits for: the command end to end (process start, 7 phases, files written, every validator).
    const cliStart = performance.now();
    const cli = spawnSync(process.execPath, [join(import.meta.dirname, '../bin/mlops-mcp.js'), 'design', 'Detect fraudulent card payments in real time', '--out', join(dir, 'out'), '--db', join(dir, 'cli.db')], { encoding: 'utf8' });
    console.log(`mlops-mcp design (CLI, end to end, all validators): ${(performance.now() - cliStart).toFixed(0)} ms, exit ${cli.status}; ${cli.stdout.trim().split('\n').at(-1)}`);

    const transport = new StdioClientTransport({ command: process.execPath, args: [join(import.meta.dirname, '../bin/mlops-mcp.js'), 'stdio', '--db', join(dir, 'b.db'), '--export-root', join(dir, 'e')], stderr: 'ignore' });
    const client = new Client({ name: 'bench', version: '1' });
    await client.connect(transport);
    const created = (await client.callTool({ name: 'create_pipeline', arguments: { requirements: 'Detect fraudulent card payments' } })) as unknown as { structuredContent: { pipeline_id: string } };
    const id = created.structuredContent.pipeline_id;
    await client.callTool({ name: 'run_pipeline', arguments: { pipeline_id: id } });
    const phase: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t0 = performance.now();
      await client.callTool({ name: 'observability_engineer', arguments: { pipeline_id: id } });
      phase.push(performance.now() - t0);
    }
    console.log(`observability_engineer (re-run, stored in SQLite) over stdio: ${formatLatency(latency(phase.slice(5)))}`);
    await client.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// BENCH_ONLY=design,calls,drift,serving,ws runs some parts (BENCH_ONLY=http: the calls part, HTTP only).
const PARTS = ['design', 'calls', 'http', 'drift', 'serving', 'ws'];
const only = new Set((process.env.BENCH_ONLY ?? '').split(',').map((p) => p.trim()).filter(Boolean));
const unknown = [...only].filter((p) => !PARTS.includes(p));
if (unknown.length > 0) throw new Error(`BENCH_ONLY: unknown part ${unknown.join(', ')} (parts: ${PARTS.join(', ')})`);
if (only.has('http')) only.add('calls');
const wanted = (part: string) => only.size === 0 || only.has(part);
if (wanted('design')) await main();
if (wanted('calls')) await benchToolCalls();
if (wanted('drift')) await benchDrift();
if (wanted('serving')) await benchServing();
if (wanted('ws')) await benchWebSockets();
