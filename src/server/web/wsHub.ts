import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocket, WebSocketServer } from 'ws';
import { z } from 'zod';
import { formatZodError } from '../../errors.js';
import type { EventRow, Store } from '../../store/store.js';
import { bearerToken, type AccessPolicy } from '../access.js';
import { displayName } from './identity.js';
import type { EventFeed } from './eventFeed.js';

export const WS_PATH = '/ws';
export const WS_PROTOCOL = 'mlops-mcp.v1';
/** Browsers cannot set headers on a WebSocket: the token travels as a second subprotocol, base64url-encoded. */
export const TOKEN_PROTOCOL_PREFIX = 'bearer.';
const MAX_MESSAGE_BYTES = 16 * 1024;
/** A client this far behind is cut off (it reconnects and catches up from the log) rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
const BACKLOG_BATCH = 500;
/** More missed events than this and the client is told to reload its state rather than replay them. */
export const MAX_REPLAY = 5_000;
/** Each subscribe may replay up to MAX_REPLAY events synchronously: a client gets a few per window. */
export const MAX_SUBSCRIBES_PER_WINDOW = 5;
const SUBSCRIBE_WINDOW_MS = 10_000;
const ALL_PIPELINES = '*';
const PRESENCE_COALESCE_MS = 50;
/** Presence lists this many viewers by name and counts the rest. */
const MAX_LISTED_VIEWERS = 100;

const ClientMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('hello'), name: z.string() }),
  z.strictObject({
    type: z.literal('subscribe'),
    pipeline_id: z.string().min(1).max(100).describe(`a pipeline id, or "${ALL_PIPELINES}" for every pipeline`),
    after: z.number().int().min(0).optional().describe('the last event id this client has; events after it are replayed'),
  }),
  z.strictObject({ type: z.literal('unsubscribe') }),
  z.strictObject({ type: z.literal('ping'), id: z.union([z.string().max(100), z.number()]).optional() }),
]);

export type ServerMessage =
  | { type: 'welcome'; client_id: string; last_event_id: number }
  | { type: 'events'; events: EventRow[] }
  | { type: 'ready'; pipeline_id: string; last_event_id: number }
  | { type: 'reset'; pipeline_id: string; last_event_id: number }
  | { type: 'presence'; pipeline_id: string; count: number; viewers: { id: string; name: string }[] }
  | { type: 'error'; message: string }
  | { type: 'pong'; id?: string | number };

interface Client {
  id: string;
  socket: WebSocket;
  name: string;
  pipelineId: string | undefined;
  /** Id of the newest event sent: later deliveries skip anything at or below it, so nothing is sent twice. */
  lastSent: number;
  alive: boolean;
  /** When its recent subscribe messages arrived (ms). */
  subscribes: number[];
}

function reject(socket: Duplex, status: number, reason: string, message: string): void {
  const body = JSON.stringify({ error: message });
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

function tokenFromProtocols(header: string | undefined): string | undefined {
  const offered = (header ?? '').split(',').map((p) => p.trim());
  const encoded = offered.find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX));
  return encoded ? Buffer.from(encoded.slice(TOKEN_PROTOCOL_PREFIX.length), 'base64url').toString('utf8') : undefined;
}

/**
 * The /ws endpoint: each browser subscribes to one pipeline (or to all, for the list page), first receives
 * every event after the id it already has, then live events as the feed sees them, plus who else is viewing.
 */
export class WsHub {
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });
  private readonly clients = new Set<Client>();
  private readonly presenceTimers = new Map<string, NodeJS.Timeout>();
  private readonly unsubscribeFeed: () => void;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly store: Store,
    private readonly feed: EventFeed,
    private readonly access: AccessPolicy,
    private readonly logger: Logger,
  ) {
    this.unsubscribeFeed = feed.subscribe((events) => this.deliver(events));
    this.heartbeat = setInterval(() => this.checkAlive(), 30_000);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  attach(server: HttpServer): void {
    server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? '').split('?')[0];
    if (path !== WS_PATH) return reject(socket, 404, 'Not Found', `No WebSocket endpoint at ${path}; use ${WS_PATH}.`);
    const problem = this.access.hostProblem(req.headers.host) ?? this.access.originProblem(req.headers.origin, req.headers.host);
    if (problem) {
      this.logger.warn({ host: req.headers.host, origin: req.headers.origin }, 'rejected WebSocket upgrade');
      return reject(socket, 403, 'Forbidden', problem);
    }
    const token = bearerToken(req.headers.authorization) ?? tokenFromProtocols(req.headers['sec-websocket-protocol']);
    if (!this.access.tokenValid(token)) return reject(socket, 401, 'Unauthorized', 'Unauthorized: this server needs its token, as an "Authorization: Bearer <token>" header or, from a browser, a second subprotocol "bearer.<token in base64url>".');
    const protocols = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    if (!protocols.includes(WS_PROTOCOL)) return reject(socket, 400, 'Bad Request', `Offer the subprotocol ${WS_PROTOCOL}.`);
    this.wss.handleUpgrade(req, socket, head, (ws) => this.connected(ws));
  }

  private connected(socket: WebSocket): void {
    const client: Client = { id: randomUUID(), socket, name: 'anonymous', pipelineId: undefined, lastSent: 0, alive: true, subscribes: [] };
    this.clients.add(client);
    socket.on('pong', () => (client.alive = true));
    socket.on('message', (data, isBinary) => this.received(client, data.toString(), isBinary));
    socket.on('close', () => this.leave(client));
    socket.on('error', (error) => this.logger.debug({ err: error, client: client.id }, 'WebSocket error'));
    this.send(client, { type: 'welcome', client_id: client.id, last_event_id: this.store.lastEventId() });
  }

  private received(client: Client, text: string, isBinary: boolean): void {
    let value: unknown;
    try {
      value = isBinary ? undefined : JSON.parse(text);
    } catch {
      value = undefined;
    }
    if (value === undefined) return this.send(client, { type: 'error', message: 'Messages are JSON text: {"type":"hello"|"subscribe"|"unsubscribe"|"ping", …}.' });
    const parsed = ClientMessage.safeParse(value);
    if (!parsed.success) return this.send(client, { type: 'error', message: `Invalid message:\n${formatZodError(parsed.error)}` });
    const message = parsed.data;
    switch (message.type) {
      case 'hello': {
        const name = displayName(message.name);
        if (!name.ok) return this.send(client, { type: 'error', message: name.error });
        client.name = name.value;
        if (client.pipelineId) this.broadcastPresence(client.pipelineId);
        return;
      }
      case 'subscribe':
        return this.subscribe(client, message.pipeline_id, message.after);
      case 'unsubscribe': {
        const previous = client.pipelineId;
        client.pipelineId = undefined;
        if (previous) this.broadcastPresence(previous);
        return;
      }
      case 'ping':
        return this.send(client, { type: 'pong', id: message.id });
    }
  }

  private subscribe(client: Client, pipelineId: string, after: number | undefined): void {
    if (pipelineId !== ALL_PIPELINES && !this.store.getPipeline(pipelineId)) {
      return this.send(client, { type: 'error', message: `No pipeline with id "${pipelineId}".` });
    }
    const previous = client.pipelineId;
    client.pipelineId = pipelineId;
    if (previous && previous !== pipelineId) this.broadcastPresence(previous);
    const only = pipelineId === ALL_PIPELINES ? undefined : pipelineId;
    const now = Date.now();
    client.subscribes = client.subscribes.filter((t) => t > now - SUBSCRIBE_WINDOW_MS);
    if (client.subscribes.length >= MAX_SUBSCRIBES_PER_WINDOW) {
      return this.send(client, { type: 'error', message: `Too many subscribe messages: at most ${MAX_SUBSCRIBES_PER_WINDOW} per ${SUBSCRIBE_WINDOW_MS / 1000} s.` });
    }
    client.subscribes.push(now);
    // A client this far behind, or ahead of the log (it knew another database), reloads its state instead:
    // replaying would hold the event loop for everyone, and an id from the future would filter out every event.
    const newest = this.store.lastEventId();
    if (after !== undefined && (after > newest || this.store.countEventsSince(after, only, MAX_REPLAY + 1) > MAX_REPLAY)) {
      client.lastSent = Math.max(newest, this.feed.position);
      this.send(client, { type: 'reset', pipeline_id: pipelineId, last_event_id: client.lastSent });
      if (only) this.broadcastPresence(only);
      return;
    }
    // Replay synchronously: no feed delivery can interleave, and lastSent makes the feed skip what was replayed.
    client.lastSent = after ?? this.store.lastEventId();
    for (;;) {
      const events = this.store.eventsSince(client.lastSent, only, BACKLOG_BATCH);
      if (events.length === 0) break;
      this.send(client, { type: 'events', events });
      client.lastSent = events.at(-1)!.id;
      if (events.length < BACKLOG_BATCH) break;
    }
    // Events of other pipelines may be newer than the last one replayed; nothing of this pipeline is.
    client.lastSent = Math.max(client.lastSent, this.feed.position);
    this.send(client, { type: 'ready', pipeline_id: pipelineId, last_event_id: client.lastSent });
    if (only) this.broadcastPresence(only);
  }

  /** Sends a batch from the feed to every subscriber, serialising each pipeline's share once. */
  private deliver(events: readonly EventRow[]): void {
    const byPipeline = new Map<string, EventRow[]>();
    for (const e of events) {
      const key = e.pipeline_id ?? '';
      const list = byPipeline.get(key);
      if (list) list.push(e);
      else byPipeline.set(key, [e]);
    }
    const encoded = new Map<string, Buffer>();
    const encodedAll = Buffer.from(JSON.stringify({ type: 'events', events }));
    for (const client of this.clients) {
      if (!client.pipelineId) continue;
      const mine = client.pipelineId === ALL_PIPELINES ? events : (byPipeline.get(client.pipelineId) ?? []);
      const fresh = mine.filter((e) => e.id > client.lastSent);
      if (fresh.length > 0) {
        let text: string | Buffer;
        if (fresh.length === events.length) text = encodedAll;
        else if (fresh.length === mine.length) {
          text = encoded.get(client.pipelineId) ?? Buffer.from(JSON.stringify({ type: 'events', events: mine }));
          encoded.set(client.pipelineId, text);
        } else text = JSON.stringify({ type: 'events', events: fresh });
        this.sendText(client, text);
      }
      client.lastSent = Math.max(client.lastSent, events.at(-1)!.id);
    }
  }

  /**
   * Presence changes are coalesced per pipeline: when many viewers arrive at once (a team opening a link, a
   * server restart), each of n joins would otherwise send an O(n) list to n clients.
   */
  private broadcastPresence(pipelineId: string): void {
    if (this.presenceTimers.has(pipelineId)) return;
    const timer = setTimeout(() => {
      this.presenceTimers.delete(pipelineId);
      const viewers = [...this.clients].filter((c) => c.pipelineId === pipelineId);
      const text = Buffer.from(JSON.stringify({
        type: 'presence',
        pipeline_id: pipelineId,
        count: viewers.length,
        viewers: viewers.slice(0, MAX_LISTED_VIEWERS).map((c) => ({ id: c.id, name: c.name })),
      } satisfies ServerMessage));
      for (const c of viewers) this.sendText(c, text);
    }, PRESENCE_COALESCE_MS);
    timer.unref();
    this.presenceTimers.set(pipelineId, timer);
  }

  private leave(client: Client): void {
    this.clients.delete(client);
    if (client.pipelineId && client.pipelineId !== ALL_PIPELINES) this.broadcastPresence(client.pipelineId);
  }

  private send(client: Client, message: ServerMessage): void {
    this.sendText(client, JSON.stringify(message));
  }

  /** A broadcast is encoded once: a Buffer is sent as is, where a string would be re-encoded for every socket. */
  private sendText(client: Client, text: string | Buffer): void {
    if (client.socket.readyState !== WebSocket.OPEN) return;
    if (client.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.logger.warn({ client: client.id }, 'closing a WebSocket client that stopped reading');
      client.socket.terminate();
      return;
    }
    client.socket.send(text, { binary: false });
  }

  private checkAlive(): void {
    for (const c of this.clients) {
      if (!c.alive) {
        c.socket.terminate();
        continue;
      }
      c.alive = false;
      c.socket.ping();
    }
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    for (const timer of this.presenceTimers.values()) clearTimeout(timer);
    this.presenceTimers.clear();
    this.unsubscribeFeed();
    for (const c of this.clients) c.socket.terminate();
    this.clients.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
