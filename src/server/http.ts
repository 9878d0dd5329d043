import { randomUUID } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { AppContext } from '../app.js';
import { AccessPolicy, bearerToken, isLoopback } from './access.js';
import { RateLimiter } from './rateLimit.js';
import { DEFAULT_RATE_LIMIT } from '../config.js';
import { createMcpServer } from './mcpServer.js';
import { apiRouter } from './web/api.js';
import { EventFeed } from './web/eventFeed.js';
import { serveUi } from './web/static.js';
import { WsHub } from './web/wsHub.js';

export { isLoopback };

export interface HttpOptions {
  host: string;
  port: number;
  token?: string;
  /** Extra host names (Host and Origin) accepted besides the bind address and the loopback names. */
  allowedHosts?: string[];
  bodyLimit?: string;
  maxSessions?: number;
  /** Sessions without a request for this long are closed (clients that vanished without DELETE). */
  sessionIdleMs?: number;
  /** Tool calls per second per MCP session (and REST calls per client address), with bursts of 4x that; 0 turns it off. */
  rateLimit?: number;
}


/** How many tool calls a JSON-RPC body holds (a single message, or a batch from an older client). */
function toolCalls(body: unknown): number {
  const messages = Array.isArray(body) ? body : [body];
  return messages.filter((m) => typeof m === 'object' && m !== null && (m as { method?: unknown }).method === 'tools/call').length;
}

/** Refuses configurations that would expose an unauthenticated server to the network. */
export function checkBindSafety(options: HttpOptions): void {
  if (!isLoopback(options.host) && !options.token) {
    throw new Error(
      `Refusing to listen on ${options.host} without a token: anyone on the network could use this server. Pass --token or set MLOPS_MCP_TOKEN, or bind 127.0.0.1.`,
    );
  }
  if ((options.host === '0.0.0.0' || options.host === '::') && !(options.allowedHosts ?? []).length) {
    throw new Error(
      `Listening on all interfaces (${options.host}) needs --allowed-host NAME for each host name clients use to reach this server: requests whose Host header names anything else are refused (DNS-rebinding protection).`,
    );
  }
}

function jsonRpcError(res: Response, status: number, message: string, code = -32000): void {
  if (!res.headersSent) res.status(status).json({ jsonrpc: '2.0', error: { code, message }, id: null });
}

export interface HttpApp {
  express: express.Express;
  /** Serves /ws on the HTTP server that runs this application. */
  attachWebSockets(server: HttpServer): void;
  close(): Promise<void>;
}

/** How many sessions' worth of tool calls one client address may make in all. */
const ADDRESS_SESSIONS = 10;

/**
 * The express application: /mcp (Streamable HTTP, one MCP server per session), /api (REST for the web UI),
 * /ws (live events, attached to the HTTP server), / (the web UI), /healthz. Host and Origin are checked on
 * every request (DNS-rebinding protection), bodies are size-limited, and a bearer token is required when one
 * is configured.
 */
export function createHttpApp(app: AppContext, options: HttpOptions): HttpApp {
  const access = new AccessPolicy(options.host, options.allowedHosts, options.token);
  const feed = new EventFeed(app.store, app.logger);
  const hub = new WsHub(app.store, feed, access, app.logger);
  feed.start();
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const lastSeen = new Map<string, number>();
  const maxSessions = options.maxSessions ?? 1000;
  const idleMs = options.sessionIdleMs ?? 30 * 60_000;
  const sweeper = setInterval(() => {
    const cutoff = Date.now() - idleMs;
    for (const [id, seen] of lastSeen) {
      if (seen < cutoff) {
        lastSeen.delete(id);
        const transport = sessions.get(id);
        sessions.delete(id);
        void transport?.close().catch(() => undefined);
        app.logger.info({ session: id }, 'closed an idle MCP session');
      }
    }
  }, Math.min(60_000, idleMs));
  sweeper.unref();
  const perSecond = options.rateLimit ?? DEFAULT_RATE_LIMIT;
  const burst = Math.max(1, perSecond * 4);
  const limiter = perSecond > 0 ? new RateLimiter(perSecond, burst) : undefined;
  // One address opening many sessions gets at most this many calls in all: a team behind one proxy shares it.
  const perAddress = perSecond * ADDRESS_SESSIONS;
  const addressLimiter = perSecond > 0 ? new RateLimiter(perAddress, Math.max(1, perAddress * 4)) : undefined;
  const limiterSweep = setInterval(() => {
    limiter?.sweep();
    addressLimiter?.sweep();
  }, 60_000);
  limiterSweep.unref();
  /**
   * Answers 429 (and returns true) when any of the limits is over its budget; nothing is charged then, so a
   * refused call costs none of the budgets it passed.
   */
  const overLimit = (res: Response, cost: number, jsonRpc: boolean, limits: [RateLimiter | undefined, string][]): boolean => {
    if (cost === 0) return false;
    for (const [bucket, key] of limits) {
      if (!bucket) continue;
      const verdict = bucket.check(key, cost);
      if (verdict.ok) continue;
      const seconds = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
      const message =
        bucket === addressLimiter
          ? `Too many tool calls from this address: at most ${bucket.perSecond} per second (bursts of ${bucket.burst}) across all its sessions. Retry in ${seconds} s.`
          : `Too many requests: at most ${perSecond} per second (bursts of ${burst}) per client. Retry in ${seconds} s.`;
      res.setHeader('Retry-After', String(seconds));
      if (jsonRpc) jsonRpcError(res, 429, message);
      else res.status(429).json({ error: message });
      return true;
    }
    for (const [bucket, key] of limits) bucket?.take(key, cost);
    return false;
  };
  const web = express();
  web.disable('x-powered-by');

  web.use((req: Request, res: Response, next: NextFunction) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    const hostProblem = access.hostProblem(req.headers.host);
    if (hostProblem) {
      app.logger.warn({ host: req.headers.host }, 'rejected request with a foreign Host header');
      return jsonRpcError(res, 403, hostProblem);
    }
    const originProblem = access.originProblem(req.headers.origin, req.headers.host);
    if (originProblem) {
      app.logger.warn({ origin: req.headers.origin }, 'rejected cross-origin request');
      return jsonRpcError(res, 403, originProblem);
    }
    next();
  });

  web.get('/healthz', (_req, res) => {
    res.json({ ok: true, sessions: sessions.size, websockets: hub.size });
  });

  const requireToken = (req: Request, res: Response, next: NextFunction) => {
    if (!access.tokenValid(bearerToken(req.headers.authorization))) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="mlops-mcp"');
      return jsonRpcError(res, 401, 'Unauthorized: send the server token as "Authorization: Bearer <token>".');
    }
    next();
  };

  web.use('/mcp', requireToken, express.json({ limit: options.bodyLimit ?? '1mb' }));

  web.post('/mcp', async (req: Request, res: Response) => {
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const transport = sessions.get(sessionId);
      if (!transport) return jsonRpcError(res, 404, 'Session not found: it expired or the server restarted. Initialize a new session.', -32001);
      const calls = toolCalls(req.body);
      if (overLimit(res, calls, true, [[limiter, `mcp:${sessionId}`], [addressLimiter, `address:${req.socket.remoteAddress ?? '?'}`]])) return;
      lastSeen.set(sessionId, Date.now());
      return transport.handleRequest(req, res, req.body);
    }
    if (!isInitializeRequest(req.body)) return jsonRpcError(res, 400, 'Bad Request: no valid session id; send an initialize request first.');
    if (sessions.size >= maxSessions) return jsonRpcError(res, 503, 'Too many open sessions; close unused clients and retry.');
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, transport);
        lastSeen.set(id, Date.now());
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) {
        sessions.delete(transport.sessionId);
        lastSeen.delete(transport.sessionId);
      }
    };
    const server = createMcpServer(app);
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });

  const sessionRequest = async (req: Request, res: Response) => {
    const sessionId = req.headers['mcp-session-id'];
    const transport = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
    if (!transport) return jsonRpcError(res, typeof sessionId === 'string' ? 404 : 400, typeof sessionId === 'string' ? 'Session not found.' : 'Bad Request: missing Mcp-Session-Id header.');
    lastSeen.set(sessionId as string, Date.now());
    await transport.handleRequest(req, res);
  };
  web.get('/mcp', sessionRequest);
  web.delete('/mcp', sessionRequest);

  // Changes are limited per client address; reads are not, so a team's browsers refreshing after a burst of
  // events never see a 429.
  web.use('/api', (req, res, next) =>
    req.method !== 'GET' && req.method !== 'HEAD' && overLimit(res, 1, false, [[limiter, `api:${req.socket.remoteAddress ?? '?'}`]]) ? undefined : next(),
  );
  web.use('/api', apiRouter(app, access, feed, options.bodyLimit ?? '1mb'));
  web.use(serveUi());

  // Body parser errors (oversized or malformed JSON) become JSON-RPC errors with the right HTTP status.
  web.use((error: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    if (error.type === 'entity.too.large') return jsonRpcError(res, 413, `Request body too large (limit ${options.bodyLimit ?? '1mb'}).`);
    if (error.type === 'entity.parse.failed') return jsonRpcError(res, 400, 'Parse error: the body is not valid JSON.', -32700);
    app.logger.error({ err: error }, 'HTTP request failed');
    return jsonRpcError(res, error.status ?? 500, 'Internal server error', -32603);
  });

  return {
    express: web,
    attachWebSockets: (server) => hub.attach(server),
    async close() {
      clearInterval(sweeper);
      clearInterval(limiterSweep);
      feed.stop();
      await hub.close();
      await Promise.all([...sessions.values()].map((t) => t.close().catch(() => undefined)));
      sessions.clear();
    },
  };
}

export async function listen(app: AppContext, options: HttpOptions): Promise<{ server: HttpServer; url: string; close(): Promise<void> }> {
  checkBindSafety(options);
  const web = createHttpApp(app, options);
  const server = await new Promise<HttpServer>((resolve, reject) => {
    const s = web.express.listen(options.port, options.host, () => resolve(s));
    s.once('error', reject);
  });
  web.attachWebSockets(server);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const hostForUrl = options.host.includes(':') && !options.host.startsWith('[') ? `[${options.host}]` : options.host;
  const url = `http://${hostForUrl}:${port}/mcp`;
  return {
    server,
    url,
    async close() {
      await web.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
