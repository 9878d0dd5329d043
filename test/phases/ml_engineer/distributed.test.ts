import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAllPhases } from '../../../src/pipeline/runPhases.js';
import { resolveSpec, type ResolvedSpec } from '../../../src/spec/resolve.js';
import { PYTHON, writeArtifacts } from '../../helpers/phaseHarness.js';

// Multi-GPU specs train in several processes (training/distributed.py). The launcher's contract is its environment
// (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT); this test is the launcher, with two CPU processes over
// gloo. (Debian's torchrun 1.13 itself cannot start workers under Python 3.11: its Std enum check fails.)
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch.distributed, sklearn, optuna'], { encoding: 'utf8' }).status === 0;

interface Card {
  tags: Record<string, string>;
  metric: { cv_mean: number };
  baseline: { beaten: boolean | null };
}

interface Rank {
  code: number | null;
  stdout: string;
  stderr: string;
}

function launch(ml: string, pkg: string, out: string, port: number, world = 2): Promise<Rank[]> {
  const ranks = Array.from({ length: world }, (_, rank) =>
    new Promise<Rank>((resolve) => {
      const child = spawn(PYTHON, ['-W', 'ignore', '-m', `${pkg}.training`, '--sample', '1200', '--trials', '2', '--output-dir', out, '--output', join(out, 'last.json'), '--metrics-output', join(out, 'metrics.json')], {
        cwd: ml,
        env: { ...process.env, PYTHONPATH: join(ml, 'src'), RANK: String(rank), LOCAL_RANK: String(rank), WORLD_SIZE: String(world), MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port) },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 150_000); // a rank waiting on a lost peer never ends
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    }),
  );
  return Promise.all(ranks);
}

function project(spec: ResolvedSpec): { ml: string; pkg: string } {
  const { artifacts } = runAllPhases(spec, 'python_pro');
  const root = writeArtifacts(artifacts);
  return { ml: join(root, 'ml'), pkg: artifacts.find((a) => a.path.endsWith('/training/distributed.py'))!.path.split('/')[2]! };
}

const cases: [string, ResolvedSpec, string, number][] = [
  [
    'a torch member (two-tower recommender): data parallel under DDP',
    resolveSpec({ name: 'shop-recs', requirements: 'Recommend products to users', problem: { type: 'recommendation', target: 'clicked' }, scale: { training_gpus: 2 } }),
    'data_parallel',
    29631,
  ],
  ['tree and linear members (fraud): the HPO trials shared between the processes', resolveSpec({ name: 'fraud-gpu', requirements: 'Detect fraudulent card payments', scale: { training_gpus: 2 } }), 'trial_parallel', 29632],
];

describe.skipIf(!hasTorch)('training in two processes, as torchrun starts it on a 2-GPU spec', () => {
  it.each(cases)('%s', async (_label, spec, mode, port) => {
    const { ml, pkg } = project(spec);
    const out = join(ml, 'runs', 'distributed');
    const ranks = await launch(ml, pkg, out, port);
    for (const [rank, r] of ranks.entries()) expect(r.code, `rank ${rank}: ${r.stderr.slice(-3000)}`).toBe(0);
    // Rank 0 alone writes the run: the model, its card and the metrics; rank 1 prints no result.
    expect(existsSync(join(out, 'model.pkl'))).toBe(true);
    const card = JSON.parse(readFileSync(join(out, 'model_card.json'), 'utf8')) as Card;
    expect(card.tags).toMatchObject({ world_size: '2', distributed_mode: mode });
    expect(card.baseline.beaten).toBe(true);
    expect(ranks[0]!.stdout).toContain('"model"');
    expect(ranks[1]!.stdout.trim()).toBe('');
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as Record<string, number>;
    expect(Number.isFinite(Object.values(metrics)[0])).toBe(true);
  }, 180_000);

  it('a launcher world the process is not part of is a clear error', () => {
    const { ml, pkg } = project(cases[1]![1]);
    const r = spawnSync(PYTHON, ['-m', `${pkg}.training`, '--sample', '300'], { cwd: ml, encoding: 'utf8', env: { ...process.env, PYTHONPATH: join(ml, 'src'), RANK: '2', WORLD_SIZE: '2' } });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/RANK=2 is outside the world of 2 processes/);
  }, 60_000);
});
