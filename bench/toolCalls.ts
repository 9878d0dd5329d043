// Tool-call latency against a bare SDK server (stdio), and many concurrent clients over Streamable HTTP.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createApp } from '../src/app.js';
import { DEFAULT_ENGINE_SETTINGS } from '../src/engines/index.js';
import { listen } from '../src/server/http.js';
import { createLogger } from '../src/server/logger.js';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const summary = (samples: number[]) => {
  const s = [...samples].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p99: percentile(s, 99), mean: s.reduce((a, b) => a + b, 0) / s.length, n: s.length };
};
const fmt = (x: ReturnType<typeof summary>) => `p50 ${x.p50.toFixed(2)} ms, p99 ${x.p99.toFixed(2)} ms, mean ${x.mean.toFixed(2)} ms (n=${x.n})`;

async function timeCalls(client: Client, name: string, args: Record<string, unknown>, n: number, warmup = 100): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await client.callTool({ name, arguments: args });
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const r = await client.callTool({ name, arguments: args });
    out.push(performance.now() - t);
    if (r.isError) throw new Error(`${name} failed: ${JSON.stringify(r.content)}`);
  }
  return out;
}

async function stdio(args: string[], env: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(new StdioClientTransport({ command: process.execPath, args, stderr: 'ignore', env: { ...(process.env as Record<string, string>), ...env } }));
  return client;
}

export async function benchToolCalls(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-bench-calls-'));
  try {
    const echo = await stdio([join(import.meta.dirname, 'echoServer.js')]);
    const ours = await stdio([join(import.meta.dirname, '../bin/mlops-mcp.js'), 'stdio', '--db', join(dir, 'b.db'), '--export-root', join(dir, 'e')]);
    const created = (await ours.callTool({ name: 'create_pipeline', arguments: { requirements: 'Detect fraudulent card payments' } })) as unknown as { structuredContent: { pipeline_id: string } };
    const id = created.structuredContent.pipeline_id;
    await ours.callTool({ name: 'run_pipeline', arguments: { pipeline_id: id } });
    // Interleaved rounds, so drift in machine load hits both servers alike.
    const bare: number[] = [];
    const get: number[] = [];
    for (let round = 0; round < 4; round++) {
      bare.push(...(await timeCalls(echo, 'echo', { pipeline_id: id }, 500, round === 0 ? 200 : 0)));
      get.push(...(await timeCalls(ours, 'get_pipeline', { pipeline_id: id }, 500, round === 0 ? 200 : 0)));
    }
    const [b, g] = [summary(bare), summary(get)];
    console.log(`tool call over stdio, bare SDK echo server: ${fmt(b)}`);
    console.log(`get_pipeline over stdio: ${fmt(g)}; ${(g.p50 / b.p50).toFixed(2)}x the bare server at p50, ${(g.mean / b.mean).toFixed(2)}x in mean (target <= 1.2x)`);
    const generator = summary(await timeCalls(ours, 'generate_prometheus_rules', { pipeline_id: id }, 2000, 50));
    console.log(`generate_prometheus_rules (stored pipeline) over stdio: ${fmt(generator)} (target p99 <= 50 ms)`);
    await Promise.all([echo.close(), ours.close()]);

    // 50 clients over Streamable HTTP against one serve process (rate limit off: this measures throughput).
    const app = createApp({ dbPath: join(dir, 'h.db'), exportRoot: join(dir, 'he'), engines: DEFAULT_ENGINE_SETTINGS }, createLogger('silent'));
    const http = await listen(app, { host: '127.0.0.1', port: 0, rateLimit: 0 });
    const { view } = app.service.create({ requirements: 'Detect fraudulent card payments' }, 'bench');
    await app.service.runPipeline(view.pipeline.id, { actor: 'bench' });
    const clients = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const c = new Client({ name: 'bench-http', version: '1' });
        await c.connect(new StreamableHTTPClientTransport(new URL(http.url)));
        return c;
      }),
    );
    const total = Number(process.env.BENCH_HTTP_CALLS ?? 100_000);
    const perClient = Math.ceil(total / clients.length);
    let errors = 0;
    const latencies: number[] = [];
    const started = performance.now();
    await Promise.all(
      clients.map(async (c) => {
        for (let i = 0; i < perClient; i++) {
          const t = performance.now();
          try {
            const r = await c.callTool({ name: 'get_pipeline', arguments: { pipeline_id: view.pipeline.id } });
            if (r.isError) errors++;
          } catch {
            errors++;
          }
          latencies.push(performance.now() - t);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `get_pipeline over Streamable HTTP, 50 concurrent clients, ${latencies.length} calls: ${fmt(summary(latencies))}, ${errors} errors, ${(latencies.length / seconds).toFixed(0)} calls/s (target mean < 10 ms, 0 errors)`,
    );
    await Promise.all(clients.map((c) => c.close()));
    await http.close();
    app.store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
