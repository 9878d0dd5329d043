// Client side of the WebSocket benchmark: bench/ws.ts forks this file so that N `ws` clients parse their frames in
// their own process and the server process (the parent) only serves. Driven over IPC (advanced serialisation).
// Times are performance.timeOrigin + performance.now() in ms: a high-resolution wall clock that is comparable across
// processes on one machine (bench/ws.ts checks the offset over IPC and reports it).
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';

const PROTOCOL = 'mlops-mcp.v1';
const PRESENCE_PREFIX = '{"type":"presence"';
const VIEWER_MARK = Buffer.from('{"id":');

export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

export type ToClients =
  | { cmd: 'clock'; id: number }
  | {
      cmd: 'connect';
      url: string;
      /** A pipeline id, or '*' (every pipeline: same live events, no presence messages). */
      pipeline: string;
      n: number;
      /** Handshakes in flight at once. */
      concurrency: number;
      /** Stop opening connections after this long, then wait at most `settleMs` more for presence to settle. */
      budgetMs: number;
      settleMs: number;
    }
  | { cmd: 'report' }
  | { cmd: 'close' };

export interface Milestone {
  ready: number;
  ms: number;
  presenceMessages: number;
  presenceBytes: number;
}

export interface ConnectResult {
  kind: 'connected';
  attempted: number;
  ready: number;
  /** From the first handshake to the last 'ready'. */
  readyMs: number;
  /** Until every connected client had been told the full viewer count (NaN: not within the budget). */
  settledMs: number;
  withPresence: boolean;
  presenceMessages: number;
  presenceBytes: number;
  closedEarly: number;
  errors: string[];
  milestones: Milestone[];
  rssBytes: number;
}

export interface ClientReport {
  kind: 'report';
  /** tag → receive time per client (NaN: never received). */
  received: Record<string, Float64Array>;
  duplicates: number;
  closedEarly: number;
  errors: string[];
  /** Presence messages received since the end of the connect phase (should be 0: nobody joins or leaves). */
  presenceSinceConnect: number;
  /** Total time spent inside the 'message' handlers for event messages (client-side parsing cost). */
  eventHandlerMs: number;
  eventMessages: number;
}

export type FromClients = { kind: 'clock'; id: number; t: number } | ConnectResult | ClientReport | { kind: 'closed' };

interface Sim {
  index: number;
  socket: WebSocket;
  ready: boolean;
  /** The viewer count of the last presence message received. */
  viewers: number;
}

interface EventsMessage {
  type: 'events';
  events: { type: string; payload: unknown }[];
}

const sims: Sim[] = [];
const received = new Map<string, Float64Array>();
let n = 0;
let readyCount = 0;
let presenceMessages = 0;
let presenceBytes = 0;
let presenceAtConnectEnd = 0;
let duplicates = 0;
let closedEarly = 0;
let eventHandlerMs = 0;
let eventMessages = 0;
const errors: string[] = [];
let onProgress: () => void = () => undefined;
let closing = false;

function reply(message: FromClients): void {
  process.send?.(message);
}

function noteError(text: string): void {
  if (errors.length < 20) errors.push(text);
}

function viewersListed(data: Buffer): number {
  let count = 0;
  for (let at = data.indexOf(VIEWER_MARK); at !== -1; at = data.indexOf(VIEWER_MARK, at + VIEWER_MARK.length)) count++;
  return count;
}

function onMessage(sim: Sim, data: Buffer): void {
  const t = wallNow();
  // Presence messages can list every viewer (O(n) bytes): not parsed, only the viewer count is read, from a
  // "count" field near the start if there is one, else by counting the listed viewers.
  if (data.length >= PRESENCE_PREFIX.length && data.toString('latin1', 0, PRESENCE_PREFIX.length) === PRESENCE_PREFIX) {
    presenceMessages++;
    presenceBytes += data.length;
    const count = /"count":(\d+)/.exec(data.toString('latin1', 0, Math.min(data.length, 256)))?.[1];
    sim.viewers = count !== undefined ? Number(count) : viewersListed(data);
    onProgress();
    return;
  }
  const message = JSON.parse(data.toString('utf8')) as { type: string; message?: string };
  switch (message.type) {
    case 'events': {
      for (const event of (message as EventsMessage).events) {
        const body = (event.payload as { body?: unknown } | null)?.body;
        if (event.type !== 'comment.added' || typeof body !== 'string') continue;
        let times = received.get(body);
        if (!times) {
          times = new Float64Array(n).fill(NaN);
          received.set(body, times);
        }
        if (Number.isNaN(times[sim.index]!)) times[sim.index] = t;
        else duplicates++;
      }
      eventMessages++;
      eventHandlerMs += wallNow() - t;
      return;
    }
    case 'ready':
      if (!sim.ready) {
        sim.ready = true;
        readyCount++;
        onProgress();
      }
      return;
    case 'error':
      noteError(`client ${sim.index}: ${message.message ?? ''}`);
      return;
    default:
      return; // welcome, pong
  }
}

function connect(c: Extract<ToClients, { cmd: 'connect' }>): Promise<ConnectResult> {
  n = c.n;
  const withPresence = c.pipeline !== '*';
  const start = wallNow();
  const milestones: Milestone[] = [];
  const marks = new Set([100, 250, 500, 750, 1000, n].filter((m) => m <= n));
  let next = 0;
  let inFlight = 0;
  let readyAt = NaN;
  let stopOpening = false;
  return new Promise((resolve) => {
    let finished = false;
    const finish = (settled: boolean) => {
      if (finished) return;
      finished = true;
      clearTimeout(budget);
      clearTimeout(settleTimer);
      onProgress = () => undefined;
      presenceAtConnectEnd = presenceMessages;
      resolve({
        kind: 'connected',
        attempted: next,
        ready: readyCount,
        readyMs: readyAt - start,
        settledMs: settled ? wallNow() - start : NaN,
        withPresence,
        presenceMessages,
        presenceBytes,
        closedEarly,
        errors: [...errors],
        milestones,
        rssBytes: process.memoryUsage().rss,
      });
    };
    let settleTimer: NodeJS.Timeout | undefined;
    const budget = setTimeout(() => {
      stopOpening = true;
      settleTimer = setTimeout(() => finish(false), c.settleMs);
      onProgress();
    }, c.budgetMs);
    const openOne = () => {
      if (stopOpening || next >= n) return;
      const sim: Sim = { index: next++, socket: new WebSocket(c.url, PROTOCOL, { perMessageDeflate: false }), ready: false, viewers: 0 };
      sims.push(sim);
      inFlight++;
      let counted = false;
      const done = () => {
        if (counted) return;
        counted = true;
        inFlight--;
        openOne();
        onProgress();
      };
      sim.socket.on('open', () => {
        sim.socket.send(JSON.stringify({ type: 'hello', name: `bench-${sim.index}` }));
        sim.socket.send(JSON.stringify({ type: 'subscribe', pipeline_id: c.pipeline }));
      });
      sim.socket.on('message', (data, isBinary) => {
        if (!isBinary) onMessage(sim, data as Buffer);
        if (sim.ready) done();
      });
      sim.socket.on('error', (error) => noteError(`client ${sim.index}: ${error.message}`));
      sim.socket.on('close', (code) => {
        if (!closing) {
          closedEarly++;
          noteError(`client ${sim.index} closed by the server (code ${code})`);
        }
        done();
        onProgress();
      });
    };
    onProgress = () => {
      if (marks.has(readyCount) && !milestones.some((m) => m.ready === readyCount)) {
        milestones.push({ ready: readyCount, ms: wallNow() - start, presenceMessages, presenceBytes });
      }
      if (readyCount === n && Number.isNaN(readyAt)) readyAt = wallNow();
      const target = stopOpening ? next : n;
      const allAnswered = readyCount + closedEarly >= target && inFlight === 0;
      if (!allAnswered || closedEarly > 0) return;
      // Settled: every client has been told that all `target` viewers are there (no presence at all for '*').
      if (!withPresence || sims.every((s) => s.viewers === target)) finish(true);
    };
    for (let k = 0; k < Math.min(c.concurrency, n); k++) openOne();
  });
}

function report(): ClientReport {
  return {
    kind: 'report',
    received: Object.fromEntries(received),
    duplicates,
    closedEarly,
    errors: [...errors],
    presenceSinceConnect: presenceMessages - presenceAtConnectEnd,
    eventHandlerMs,
    eventMessages,
  };
}

async function closeAll(): Promise<void> {
  closing = true;
  await Promise.all(
    sims.map(
      (sim) =>
        new Promise<void>((resolve) => {
          if (sim.socket.readyState === WebSocket.CLOSED) return resolve();
          sim.socket.once('close', () => resolve());
          sim.socket.terminate();
        }),
    ),
  );
}

process.on('message', (raw) => {
  const message = raw as ToClients;
  switch (message.cmd) {
    case 'clock':
      return reply({ kind: 'clock', id: message.id, t: wallNow() });
    case 'connect':
      void connect(message).then(reply);
      return;
    case 'report':
      return reply(report());
    case 'close':
      void closeAll().then(() => {
        reply({ kind: 'closed' });
        process.disconnect();
      });
      return;
  }
});
