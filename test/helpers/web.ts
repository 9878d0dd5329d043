import { request } from 'node:http';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { createApp, type AppContext } from '../../src/app.js';
import { DEFAULT_ENGINE_SETTINGS, type EngineSettings } from '../../src/engines/index.js';
import { listen } from '../../src/server/http.js';
import { createLogger } from '../../src/server/logger.js';
import { tempDir } from './tmp.js';

export interface WebServer {
  app: AppContext;
  /** http://127.0.0.1:<port> */
  base: string;
  port: number;
  dbPath: string;
  close(): Promise<void>;
}

/** `mlops-mcp serve` in this process: /mcp, /api, /ws and the UI on a free loopback port. */
export async function webServer(options: { token?: string; dir?: string; engines?: EngineSettings } = {}): Promise<WebServer> {
  const dir = options.dir ?? tempDir();
  const dbPath = join(dir, 'web.db');
  const app = createApp({ dbPath, exportRoot: join(dir, 'exports'), engines: options.engines ?? DEFAULT_ENGINE_SETTINGS }, createLogger('silent'));
  const http = await listen(app, { host: '127.0.0.1', port: 0, token: options.token });
  const port = Number(new URL(http.url).port);
  return {
    app,
    base: `http://127.0.0.1:${port}`,
    port,
    dbPath,
    async close() {
      await http.close();
      app.store.close();
    },
  };
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  json<T = Record<string, unknown>>(): T;
}

/**
 * A raw HTTP request to the server (fetch would not let a test set Host or Origin). `user` is the display name
 * sent as X-Mlops-User, percent-encoded as the UI sends it.
 */
export function apiRequest(
  server: Pick<WebServer, 'base'>,
  method: string,
  path: string,
  options: { body?: unknown; user?: string; token?: string; headers?: Record<string, string> } = {},
): Promise<ApiResponse> {
  const payload = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const headers: Record<string, string | number> = {
    ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
    ...(options.user !== undefined ? { 'x-mlops-user': encodeURIComponent(options.user) } : {}),
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    ...options.headers,
  };
  return new Promise((resolve, reject) => {
    const req = request(`${server.base}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: <T>() => JSON.parse(body.toString('utf8')) as T });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

export interface WsMessage {
  type: string;
  events?: { id: number; type: string; pipeline_id: string | null; actor: string; payload: Record<string, unknown> }[];
  viewers?: { id: string; name: string }[];
  message?: string;
  last_event_id?: number;
  [key: string]: unknown;
}

/** A WebSocket client of /ws that keeps every message it receives and can wait for one matching a predicate. */
export class WsProbe {
  readonly messages: WsMessage[] = [];
  private waiters: { match: (m: WsMessage) => boolean; resolve: (m: WsMessage) => void }[] = [];
  closeCode: number | undefined;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as WsMessage;
      this.messages.push(message);
      for (const w of [...this.waiters]) {
        if (w.match(message)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(message);
        }
      }
    });
    socket.on('close', (code) => (this.closeCode = code));
  }

  static connect(server: Pick<WebServer, 'base'>, options: { token?: string; origin?: string; protocols?: string[] } = {}): Promise<WsProbe> {
    const socket = new WebSocket(`${server.base.replace('http', 'ws')}/ws`, options.protocols ?? ['mlops-mcp.v1'], {
      headers: { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...(options.origin ? { origin: options.origin } : {}) },
    });
    const probe = new WsProbe(socket);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(probe));
      socket.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode })));
      socket.once('error', reject);
    });
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Resolves with the first message (already received or coming) that matches; fails after `ms`. */
  waitFor(match: (m: WsMessage) => boolean, ms = 5000, from = 0): Promise<WsMessage> {
    const seen = this.messages.slice(from).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching WebSocket message within ${ms} ms; got ${JSON.stringify(this.messages.map((m) => m.type))}`)), ms);
      this.waiters.push({ match, resolve: (m) => (clearTimeout(timer), resolve(m)) });
    });
  }

  /** Ids of every event received, in arrival order. */
  eventIds(): number[] {
    return this.messages.flatMap((m) => (m.type === 'events' ? m.events!.map((e) => e.id) : []));
  }

  close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}
