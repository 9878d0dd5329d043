// Tool-call latency of our server against a bare SDK server (stdio), and 50 concurrent clients over Streamable
// HTTP. Each server runs in its own process, as in production; the clients run in this one.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LeanHttpClient } from './leanHttpClient.js';
import { formatLatency, freePort, latency, type Latency } from './measure.js';

const CLI = join(import.meta.dirname, '../bin/mlops-mcp.js');
const ECHO = join(import.meta.dirname, 'echoServer.js');

const ratio = (a: Latency, b: Latency) => `${(a.p50 / b.p50).toFixed(2)}x at p50, ${(a.mean / b.mean).toFixed(2)}x in mean`;

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

async function stdio(args: string[], opened?: Client[]): Promise<Client> {
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(new StdioClientTransport({ command: process.execPath, args, stderr: 'ignore' }));
  opened?.push(client);
  return client;
}

async function httpClient(url: string): Promise<Client> {
  const client = new Client({ name: 'bench-http', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

/** Starts a server process and resolves with its MCP URL once it answers. */
async function serverProcess(args: string[], url?: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  const found =
    url ??
    (await new Promise<string>((resolve, reject) => {
      child.stdout!.once('data', (b: Buffer) => resolve(b.toString().trim()));
      child.once('exit', (code) => reject(new Error(`server exited (${code})`)));
    }));
  for (let i = 0; ; i++) {
    try {
      const health = await fetch(new URL('/healthz', found)).catch(() => undefined);
      if (health || url === undefined) break;
    } catch {
      // not up yet
    }
    if (i > 200) throw new Error(`no server at ${found}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, url: found };
}

/** One MCP client's tool call; resolves true when the result is a tool error. */
type Caller = (name: string, args: Record<string, unknown>) => Promise<boolean>;
const sdkCaller = (client: Client): Caller => async (name, args) => (await client.callTool({ name, arguments: args })).isError === true;

/**
 * Each client makes `total / clients` calls. Without a pace they call back to back (closed loop: the latency each
 * sees while the server is saturated); with `perSecond` they start calls on a fixed schedule that sums to that
 * rate (open loop: the latency at a given load below saturation).
 */
async function drive(clients: Caller[], name: string, args: Record<string, unknown>, total: number, perSecond?: number) {
  const perClient = Math.ceil(total / clients.length);
  const interval = perSecond ? (1000 * clients.length) / perSecond : 0;
  let errors = 0;
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    clients.map(async (c, k) => {
      const start = performance.now() + (k * interval) / clients.length;
      for (let i = 0; i < perClient; i++) {
        const wait = start + i * interval - performance.now();
        if (interval > 0 && wait > 0) await new Promise((r) => setTimeout(r, wait));
        const t = performance.now();
        try {
          if (await c(name, args)) errors++;
        } catch {
          errors++;
        }
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { latency: latency(latencies), errors, perSecond: latencies.length / ((performance.now() - started) / 1000) };
}

export async function benchToolCalls(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-bench-calls-'));
  const children: ChildProcess[] = [];
  const clients: Client[] = [];
  try {
    // --- stdio: our get_pipeline against a bare SDK server answering the same bytes, and a bare echo.
    const stdioRounds = (process.env.BENCH_ONLY ?? '').split(',').map((p) => p.trim()).includes('http') ? 0 : 4;
    const ours = await stdio([CLI, 'stdio', '--db', join(dir, 'b.db'), '--export-root', join(dir, 'e')], clients);
    const created = (await ours.callTool({ name: 'create_pipeline', arguments: { requirements: 'Detect fraudulent card payments' } })) as unknown as { structuredContent: { pipeline_id: string } };
    const id = created.structuredContent.pipeline_id;
    await ours.callTool({ name: 'run_pipeline', arguments: { pipeline_id: id } });
    const answer = await ours.callTool({ name: 'get_pipeline', arguments: { pipeline_id: id } });
    const payloadFile = join(dir, 'get_pipeline.json');
    writeFileSync(payloadFile, JSON.stringify({ content: answer.content, structuredContent: answer.structuredContent }));
    const echo = await stdio([ECHO], clients);
    const same = await stdio([ECHO, payloadFile], clients);
    // Interleaved rounds, so drift in machine load hits every server alike.
    const samples = { echo: [] as number[], same: [] as number[], get: [] as number[] };
    for (let round = 0; round < stdioRounds; round++) {
      const warmup = round === 0 ? 200 : 0;
      samples.echo.push(...(await timeCalls(echo, 'echo', { pipeline_id: id }, 500, warmup)));
      samples.same.push(...(await timeCalls(same, 'echo', { pipeline_id: id }, 500, warmup)));
      samples.get.push(...(await timeCalls(ours, 'get_pipeline', { pipeline_id: id }, 500, warmup)));
    }
    if (stdioRounds > 0) {
    const [e, s, g] = [latency(samples.echo), latency(samples.same), latency(samples.get)];
    const bytes = Buffer.byteLength(JSON.stringify(answer));
    console.log(`tool call over stdio, bare SDK server echoing its input: ${formatLatency(e)}`);
    console.log(`tool call over stdio, bare SDK server returning get_pipeline's answer (${bytes} bytes): ${formatLatency(s)}`);
    console.log(`get_pipeline over stdio: ${formatLatency(g)}; ${ratio(g, s)} the bare server with the same answer (target <= 1.2x); ${ratio(g, e)} the bare echo`);
    const generator = latency(await timeCalls(ours, 'generate_prometheus_rules', { pipeline_id: id }, 2000, 50));
    console.log(`generate_prometheus_rules (stored pipeline) over stdio: ${formatLatency(generator)} (target p99 <= 50 ms)`);
    }
    await Promise.all([echo.close(), same.close(), ours.close()]);

    // --- Streamable HTTP: 50 clients against one `serve` process (rate limit off: this measures the server),
    // beside the bare SDK server returning the same answer.
    const total = Number(process.env.BENCH_HTTP_CALLS ?? 100_000);
    const port = await freePort();
    const serve = await serverProcess([CLI, 'serve', '--port', String(port), '--db', join(dir, 'h.db'), '--export-root', join(dir, 'he'), '--rate-limit', '0'], `http://127.0.0.1:${port}/mcp`);
    children.push(serve.child);
    const bare = await serverProcess([ECHO, payloadFile, '--http']);
    children.push(bare.child);
    const setup = await httpClient(serve.url);
    const hid = ((await setup.callTool({ name: 'create_pipeline', arguments: { requirements: 'Detect fraudulent card payments' } })).structuredContent as { pipeline_id: string }).pipeline_id;
    await setup.callTool({ name: 'run_pipeline', arguments: { pipeline_id: hid } });
    await setup.close();
    const args = { pipeline_id: hid };
    const rate = Number(process.env.BENCH_HTTP_RATE ?? 1000);
    for (const [label, url, tool] of [
      ['bare SDK server (same answer)', bare.url, 'echo'],
      ['get_pipeline', serve.url, 'get_pipeline'],
    ] as const) {
      // The SDK's own Client, for reference: 50 of them in this process saturate a core before the server does.
      const sdk = await Promise.all(Array.from({ length: 50 }, () => httpClient(url)));
      await drive(sdk.map(sdkCaller), tool, args, 2_000);
      const viaSdk = await drive(sdk.map(sdkCaller), tool, args, Math.min(total, 10_000));
      console.log(`${label}, Streamable HTTP, 50 SDK clients back to back: ${formatLatency(viaSdk.latency)}, ${viaSdk.errors} errors, ${viaSdk.perSecond.toFixed(0)} calls/s`);
      await Promise.all(sdk.map((c) => c.close()));

      const lean = await Promise.all(Array.from({ length: 50 }, () => LeanHttpClient.connect(url)));
      const callers: Caller[] = lean.map((c) => (name, a) => c.callTool(name, a));
      await drive(callers, tool, args, 2_000);
      const closed = await drive(callers, tool, args, total);
      console.log(`${label}, Streamable HTTP, 50 lean clients back to back: ${formatLatency(closed.latency)}, ${closed.errors} errors, ${closed.perSecond.toFixed(0)} calls/s`);
      const open = await drive(callers, tool, args, total, rate);
      console.log(`${label}, Streamable HTTP, 50 lean clients at ${rate} calls/s in all: ${formatLatency(open.latency)}, ${open.errors} errors (target mean < 10 ms, 0 errors)`);
      for (const c of lean) c.close();
    }
  } finally {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    for (const child of children) child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === import.meta.filename) await benchToolCalls();
