// WebSocket hub benchmark (team web UI): 1,000 clients subscribed to one pipeline; a comment POSTed through the REST
// API (what a browser does) is broadcast to all of them. Target: p99 < 25 ms from the POST to each client, no drops;
// memory per connection is reported. The clients run in a forked process (bench/wsClients.ts) so the server process
// measured here only serves. Also reported: the connect phase (each join makes the hub send presence to the pipeline's
// viewers) and the path of a write by another process (no poke: the feed's 100 ms poll finds it). A bare `ws` server
// broadcasting to the same client process first gives the floor of this topology on this machine.
// Run: npm run bench (bench/run.ts calls benchWebSockets) or `npx tsc -p tsconfig.build.json && node dist/bench/ws.js`.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { WebSocket, WebSocketServer } from 'ws';
import { createApp, type AppContext } from '../src/app.js';
import { listen } from '../src/server/http.js';
import { createLogger } from '../src/server/logger.js';
import { percentile } from './measure.js';
import type { ClientReport, ConnectResult, FromClients, ToClients } from './wsClients.js';

const CLIENTS = 1000;
const BROADCASTS = 50;
const WARMUP_BROADCASTS = 5;
const SPACING_MS = 100;
const POLL_WRITES = 10;
/** Not a multiple of the feed's 100 ms poll interval, so the writes sample every phase of it. */
const POLL_SPACING_MS = 137;
const CONNECT_CONCURRENCY = 100;
const CONNECT_BUDGET_MS = 15_000;
const SETTLE_BUDGET_MS = 8_000;
const TARGET_P99_MS = 25;
const RSS_SETTLE_MS = 5_000;
const PROTOCOL = 'mlops-mcp.v1';

/** High-resolution wall clock (ms), comparable with the client process's. */
function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

function summary(samples: number[], digits = 2): string {
  if (samples.length === 0) return 'no samples';
  const s = Float64Array.from(samples).sort();
  const f = (v: number) => v.toFixed(digits);
  return `p50 ${f(percentile(s, 50))} ms, p95 ${f(percentile(s, 95))} ms, p99 ${f(percentile(s, 99))} ms, max ${f(s[s.length - 1]!)} ms`;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/** V8's gc() without --expose-gc on the command line (the flag only has to be set before the function is created). */
function gcFunction(): (() => void) | undefined {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

interface Memory {
  rss: number;
  heapUsed: number;
  /** external + arrayBuffers: socket buffers and other off-heap memory. */
  offHeap: number;
}

/**
 * Median of the last three samples taken every 250 ms for `waitMs`, each after a full GC. V8's memory reducer shrinks
 * the heap a few seconds after a burst of allocation (start-up, the warm-up), which moves RSS by tens of MB: the RSS
 * figures wait it out (5 s); heap and off-heap figures do not need to.
 */
async function settledMemory(gc: (() => void) | undefined, waitMs: number): Promise<Memory> {
  const samples: Memory[] = [];
  const start = performance.now();
  while (samples.length < 3 || performance.now() - start < waitMs) {
    gc?.();
    await sleep(250);
    const m = process.memoryUsage();
    samples.push({ rss: m.rss, heapUsed: m.heapUsed, offHeap: m.external + m.arrayBuffers });
  }
  const last = samples.slice(-3);
  const median = (key: keyof Memory) => last.map((s) => s[key]).sort((a, b) => a - b)[1]!;
  return { rss: median('rss'), heapUsed: median('heapUsed'), offHeap: median('offHeap') };
}

/**
 * Times the hub's send loop without touching wsHub.ts: WebSocket.prototype.send (the same `ws` module the hub uses)
 * is wrapped for the length of the bench, and the start of the first and the end of the last `events` send are kept.
 */
function installSendProbe() {
  const proto = WebSocket.prototype as unknown as { send: (...args: unknown[]) => void };
  const original = proto.send;
  const probe = {
    first: NaN,
    last: NaN,
    count: 0,
    reset() {
      probe.first = NaN;
      probe.last = NaN;
      probe.count = 0;
    },
    uninstall() {
      proto.send = original;
    },
  };
  proto.send = function (this: WebSocket, ...args: unknown[]) {
    const data = args[0];
    // The hub sends broadcasts as one pre-encoded Buffer; replies to a single client as strings.
    const head = typeof data === 'string' ? data.slice(0, 16) : Buffer.isBuffer(data) ? data.subarray(0, 16).toString('utf8') : '';
    if (head !== '{"type":"events"') return original.apply(this, args);
    const t = wallNow();
    if (probe.count === 0) probe.first = t;
    original.apply(this, args);
    probe.last = wallNow();
    probe.count++;
  };
  return probe;
}

/** The forked client process and a request/answer helper over its IPC channel. */
function startClients() {
  const script = fileURLToPath(new URL('./wsClients.js', import.meta.url));
  const child: ChildProcess = fork(script, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
  const waiting = new Map<string, (message: FromClients) => void>();
  child.on('message', (raw) => {
    const message = raw as FromClients;
    const resolve = waiting.get(message.kind);
    waiting.delete(message.kind);
    resolve?.(message);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let exitCode: number | null = null;
  void exited.then(() => (exitCode = child.exitCode));
  function request<K extends FromClients['kind']>(message: ToClients, kind: K, timeoutMs: number): Promise<Extract<FromClients, { kind: K }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the client process did not answer ${message.cmd} within ${timeoutMs} ms`)), timeoutMs);
      waiting.set(kind, (answer) => {
        clearTimeout(timer);
        resolve(answer as Extract<FromClients, { kind: K }>);
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`the client process exited (code ${exitCode}) before answering ${message.cmd}`));
      });
      child.send(message);
    });
  }
  return {
    request,
    /** Offset of the client process's clock from ours (ms) and the IPC round trip it was measured with. */
    async clockOffset(): Promise<{ offset: number; rtt: number }> {
      let best = { offset: 0, rtt: Infinity };
      for (let id = 0; id < 30; id++) {
        const t0 = wallNow();
        const { t } = await request({ cmd: 'clock', id }, 'clock', 5_000);
        const t1 = wallNow();
        if (t1 - t0 < best.rtt) best = { offset: t - (t0 + t1) / 2, rtt: t1 - t0 };
      }
      return best;
    },
    async close(): Promise<void> {
      if (child.exitCode === null && child.signalCode === null) {
        await request({ cmd: 'close' }, 'closed', 10_000).catch(() => undefined);
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/** A handful of clients in this process, one broadcast, then closed: loads and warms the code paths before memory is sampled. */
async function warmUp(wsUrl: string, post: (body: string) => Promise<unknown>, pipelineId: string): Promise<void> {
  const sockets = await Promise.all(
    Array.from(
      { length: 5 },
      (_, i) =>
        new Promise<WebSocket>((resolve, reject) => {
          const socket = new WebSocket(wsUrl, PROTOCOL);
          socket.once('error', reject);
          socket.on('open', () => {
            socket.send(JSON.stringify({ type: 'hello', name: `warm-${i}` }));
            socket.send(JSON.stringify({ type: 'subscribe', pipeline_id: pipelineId }));
          });
          socket.on('message', (data) => {
            if ((JSON.parse(String(data)) as { type: string }).type === 'ready') resolve(socket);
          });
        }),
    ),
  );
  const delivered = sockets.map(
    (socket) => new Promise<void>((resolve) => socket.on('message', (data) => String(data).includes('warm-up') && resolve())),
  );
  await post('warm-up');
  await Promise.all(delivered);
  await Promise.all(
    sockets.map(
      (socket) =>
        new Promise<void>((resolve) => {
          socket.once('close', () => resolve());
          socket.close();
        }),
    ),
  );
}

interface Broadcast {
  tag: string;
  sentAt: number;
  /** POST start → its 201 response. */
  ackMs: number;
  /** POST start → the hub's first `events` send. */
  firstSendMs: number;
  /** The hub's first send start → last send end (the delivery loop over every socket). */
  sendLoopMs: number;
  sends: number;
}

function describeConnect(label: string, c: ConnectResult, n: number): string {
  const ready =
    c.ready === n
      ? `${n} ready in ${(c.readyMs / 1000).toFixed(2)} s`
      : `only ${c.ready}/${n} ready (${c.attempted} attempted) when the ${(CONNECT_BUDGET_MS / 1000).toFixed(0)} s budget ran out`;
  const settled = !c.withPresence
    ? 'no presence messages'
    : Number.isNaN(c.settledMs)
      ? `presence NOT settled ${(SETTLE_BUDGET_MS / 1000).toFixed(0)} s after the budget (${c.presenceMessages.toLocaleString('en')} presence messages received)`
      : `every client told the full viewer count at ${(c.settledMs / 1000).toFixed(2)} s (${c.presenceMessages.toLocaleString('en')} presence messages)`;
  const steps = c.milestones.map((m) => `${m.ready} ready at ${(m.ms / 1000).toFixed(2)} s, ${mb(m.presenceBytes)} of presence so far`).join('; ');
  const problems = c.closedEarly || c.errors.length ? `; ${c.closedEarly} closed by the server, errors: ${c.errors.slice(0, 3).join(' | ')}` : '';
  const bytes = c.withPresence ? `, ${mb(c.presenceBytes)} of presence JSON received by the clients` : '';
  return `${label}: ${ready}, ${settled}${bytes}${steps ? ` [${steps}]` : ''}${problems}`;
}

/** One server and one client process: connect, memory, broadcasts; everything closed at the end. */
async function session(
  app: AppContext,
  pipelineId: string,
  probe: ReturnType<typeof installSendProbe>,
  gc: (() => void) | undefined,
  options: { n: number; k: number; subscribe: string; label: string; pollPath: boolean; rss: boolean },
): Promise<ConnectResult> {
  const { n, k } = options;
  const server = await listen(app, { host: '127.0.0.1', port: 0 });
  const clients = startClients();
  const base = server.url.replace(/\/mcp$/, '');
  const wsUrl = `${base.replace(/^http/, 'ws')}/ws`;
  const post = async (body: string) => {
    const response = await fetch(`${base}/api/pipelines/${pipelineId}/comments`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Mlops-User': 'bench' },
      body: JSON.stringify({ body }),
    });
    const text = await response.text();
    if (response.status !== 201) throw new Error(`POST comments answered ${response.status}: ${text}`);
  };
  let connected: ConnectResult | undefined;
  try {
    await warmUp(wsUrl, post, pipelineId);
    const clock = await clients.clockOffset();
    // Both processes read performance.timeOrigin + performance.now(); correct only if the IPC check disagrees.
    const offset = Math.abs(clock.offset) > Math.max(1, clock.rtt) ? clock.offset : 0;
    const before = await settledMemory(gc, options.rss ? RSS_SETTLE_MS : 0);
    const request: ToClients = { cmd: 'connect', url: wsUrl, pipeline: options.subscribe, n, concurrency: CONNECT_CONCURRENCY, budgetMs: CONNECT_BUDGET_MS, settleMs: SETTLE_BUDGET_MS };
    connected = await clients.request(request, 'connected', CONNECT_BUDGET_MS + SETTLE_BUDGET_MS + 30_000);
    console.log(describeConnect(`websocket connect, ${n} clients → ${options.label} (hello+subscribe, ${CONNECT_CONCURRENCY} handshakes in flight)`, connected, n));
    if (connected.ready < n || Number.isNaN(connected.settledMs) || connected.closedEarly > 0) return connected;

    const after = await settledMemory(gc, options.rss ? RSS_SETTLE_MS : 0);
    const per = (key: keyof Memory) => kb((after[key] - before[key]) / n);
    console.log(
      `websocket memory per connection, ${n} clients → ${options.label} (server process, after GC): heap ${per('heapUsed')}, off-heap ${per('offHeap')}` +
        (options.rss ? `, RSS ${per('rss')} (RSS ${mb(before.rss)} → ${mb(after.rss)})` : ' (RSS not comparable after the earlier phase)') +
        `; client process RSS ${mb(connected.rssBytes)}`,
    );

    // Broadcasts through the REST API, as a browser triggers them: POST → comment + event in SQLite → feed.poke() → hub.
    const broadcasts: Broadcast[] = [];
    for (let i = 0; i < WARMUP_BROADCASTS + k; i++) {
      const tag = `broadcast ${i}`;
      probe.reset();
      const sentAt = wallNow();
      await post(tag);
      const ackMs = wallNow() - sentAt;
      await sleep(sentAt + SPACING_MS - wallNow());
      broadcasts.push({ tag, sentAt, ackMs, firstSendMs: probe.first - sentAt, sendLoopMs: probe.last - probe.first, sends: probe.count });
    }
    // A write by another process (MCP stdio client, CLI): nobody pokes the feed, its 100 ms poll picks the event up.
    const polled: { tag: string; sentAt: number }[] = [];
    const commits: number[] = [];
    for (let i = 0; options.pollPath && i < POLL_WRITES; i++) {
      const tag = `poll ${i}`;
      const sentAt = wallNow();
      app.store.addComment({ pipeline_id: pipelineId, phase: null, artifact_path: null, line: null, run_id: null, author: 'bench', body: tag });
      commits.push(wallNow() - sentAt);
      polled.push({ tag, sentAt });
      await sleep(sentAt + POLL_SPACING_MS - wallNow());
    }
    await sleep(500);
    const report: ClientReport = await clients.request({ cmd: 'report' }, 'report', 30_000);

    const latencies = (list: { tag: string; sentAt: number }[]) => {
      const all: number[] = [];
      const lastClient: number[] = [];
      let missing = 0;
      for (const { tag, sentAt } of list) {
        const times = report.received[tag];
        let last = -Infinity;
        for (let c = 0; c < n; c++) {
          const t = times?.[c];
          if (t === undefined || Number.isNaN(t)) {
            missing++;
            continue;
          }
          const latency = t - offset - sentAt;
          all.push(latency);
          last = Math.max(last, latency);
        }
        if (last > -Infinity) lastClient.push(last);
      }
      return { all, lastClient, missing, expected: list.length * n };
    };
    const measured = broadcasts.slice(WARMUP_BROADCASTS);
    const rest = latencies(measured);
    const fromFirstSend = latencies(measured.map((b) => ({ tag: b.tag, sentAt: b.sentAt + b.firstSendMs })));
    const p99 = rest.all.length ? percentile(Float64Array.from(rest.all).sort(), 99) : NaN;
    const verdict = p99 < TARGET_P99_MS && rest.missing === 0 && report.duplicates === 0 ? 'met' : 'MISSED';
    console.log(
      `websocket broadcast, ${k} comments POSTed ${SPACING_MS} ms apart → ${n} clients on ${options.label}: latency per delivery (POST start → client) ${summary(rest.all)}; ` +
        `last client per broadcast ${summary(rest.lastClient)}; deliveries ${rest.all.length.toLocaleString('en')}/${rest.expected.toLocaleString('en')} ` +
        `(${rest.missing} dropped, ${report.duplicates} duplicated, ${report.closedEarly} closed by the server); target p99 < ${TARGET_P99_MS} ms, no drops: ${verdict}`,
    );
    console.log(
      `websocket broadcast, where the time goes: POST → hub's first send ${summary(measured.map((b) => b.firstSendMs))} (HTTP, SQLite commit, poke); ` +
        `hub send loop over ${measured[0]?.sends ?? 0} sockets ${summary(measured.map((b) => b.sendLoopMs))}; hub's first send → client ${summary(fromFirstSend.all)}; ` +
        `POST → 201 ${summary(measured.map((b) => b.ackMs))}; client process ${((report.eventHandlerMs / Math.max(1, report.eventMessages)) * 1000).toFixed(1)} µs per events message; ` +
        `clock offset ${clock.offset.toFixed(3)} ms (IPC round trip ${clock.rtt.toFixed(3)} ms, ${offset ? 'corrected' : 'not corrected'}); load average ${loadavg()[0]!.toFixed(2)}`,
    );
    if (options.pollPath) {
      const poll = latencies(polled);
      console.log(
        `websocket broadcast, ${POLL_WRITES} store writes without poke (another process's write, found by the 100 ms poll) → ${n} clients: ` +
          `${summary(poll.all)}; deliveries ${poll.all.length.toLocaleString('en')}/${poll.expected.toLocaleString('en')}; the store write itself (SQLite commit, synchronous=FULL) ${summary(commits)}`,
      );
    }
    if (report.presenceSinceConnect > 0 || report.errors.length) {
      console.log(`websocket: ${report.presenceSinceConnect} presence messages after the connect phase; client errors: ${report.errors.slice(0, 5).join(' | ') || 'none'}`);
    }
    return connected;
  } finally {
    // Server first: the hub then drops every client at once instead of broadcasting presence for each leave.
    const t = performance.now();
    await server.close();
    await clients.close();
    if (connected && connected.ready < n) console.log(`websocket: closing the server and ${connected.ready} clients after the unfinished connect phase took ${((performance.now() - t) / 1000).toFixed(2)} s`);
  }
}

/**
 * The floor of this topology: a bare `ws` server in this process, no HTTP, no SQLite, no hub, that answers each
 * subscribe with 'ready' and sends every broadcast, encoded once, to all n clients of the same client process.
 * Latency is from just before its send loop to each client. What the hub adds is the difference to this line.
 */
async function bareBaseline(n: number, k: number): Promise<void> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => PROTOCOL });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const address = wss.address() as { port: number };
  wss.on('connection', (socket) => {
    socket.on('message', (data) => {
      if ((JSON.parse(String(data)) as { type: string }).type === 'subscribe') socket.send(JSON.stringify({ type: 'ready', pipeline_id: '*', last_event_id: 0 }));
    });
  });
  const clients = startClients();
  try {
    const connected = await clients.request(
      { cmd: 'connect', url: `ws://127.0.0.1:${address.port}/ws`, pipeline: '*', n, concurrency: CONNECT_CONCURRENCY, budgetMs: CONNECT_BUDGET_MS, settleMs: SETTLE_BUDGET_MS },
      'connected',
      CONNECT_BUDGET_MS + SETTLE_BUDGET_MS + 30_000,
    );
    if (connected.ready < n) {
      console.log(`websocket baseline (bare ws server): only ${connected.ready}/${n} clients connected; not measured`);
      return;
    }
    const sent: { tag: string; at: number }[] = [];
    for (let i = 0; i < WARMUP_BROADCASTS + k; i++) {
      const tag = `bare ${i}`;
      const frame = Buffer.from(JSON.stringify({ type: 'events', events: [{ id: i + 1, pipeline_id: 'bench', type: 'comment.added', actor: 'bench', payload: { body: tag }, created_at: new Date().toISOString() }] }));
      const at = wallNow();
      for (const socket of wss.clients) socket.send(frame, { binary: false });
      sent.push({ tag, at });
      await sleep(at + SPACING_MS - wallNow());
    }
    await sleep(500);
    const report: ClientReport = await clients.request({ cmd: 'report' }, 'report', 30_000);
    const all: number[] = [];
    let missing = 0;
    for (const { tag, at } of sent.slice(WARMUP_BROADCASTS)) {
      const times = report.received[tag];
      for (let c = 0; c < n; c++) {
        const t = times?.[c];
        if (t === undefined || Number.isNaN(t)) missing++;
        else all.push(t - at);
      }
    }
    console.log(
      `websocket baseline, bare ws server (no HTTP, SQLite or hub) → the same ${n} clients, ${k} broadcasts: latency per delivery (send loop start → client) ${summary(all)}; ${missing} missing`,
    );
  } finally {
    await clients.close();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  }
}

/**
 * `n` clients subscribed to the one pipeline, the requirement's scenario: the connect phase is timed (each join makes
 * the hub broadcast presence) within a budget, then memory, broadcast latency and the poll path are measured. If the
 * connect phase does not finish, the broadcasts are measured on `n` clients subscribed to '*' (every pipeline), which
 * receive the same `events` messages through the same delivery loop without presence messages.
 */
export async function benchWebSockets(options: { clients?: number; broadcasts?: number } = {}): Promise<void> {
  const n = options.clients ?? CLIENTS;
  const k = options.broadcasts ?? BROADCASTS;
  const gc = gcFunction();
  const dir = mkdtempSync(join(tmpdir(), 'mlops-bench-ws-'));
  const app = createApp({ dbPath: join(dir, 'ws.db'), exportRoot: join(dir, 'export') }, createLogger('silent'));
  const probe = installSendProbe();
  try {
    const pipelineId = app.service.create({ requirements: 'Detect fraudulent card payments in real time' }, 'bench').view.pipeline.id;
    await bareBaseline(n, k);
    const one = await session(app, pipelineId, probe, gc, { n, k, subscribe: pipelineId, label: 'one pipeline', pollPath: true, rss: true });
    if (one.ready < n || Number.isNaN(one.settledMs) || one.closedEarly > 0) {
      console.log(`websocket: broadcasts to ${n} clients on one pipeline not measured (the connect phase did not finish within ${((CONNECT_BUDGET_MS + SETTLE_BUDGET_MS) / 1000).toFixed(0)} s); substitute: clients subscribed to '*'`);
      await session(app, pipelineId, probe, gc, { n, k, subscribe: '*', label: "'*' (every pipeline: no presence)", pollPath: false, rss: false });
    }
  } finally {
    probe.uninstall();
    app.store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name: string) => {
    const value = process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
    return value === undefined ? undefined : Number(value);
  };
  await benchWebSockets({ clients: arg('clients'), broadcasts: arg('broadcasts') });
}
