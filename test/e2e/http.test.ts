import { request } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createApp } from '../../src/app.js';
import { DEFAULT_ENGINE_SETTINGS } from '../../src/engines/index.js';
import { checkBindSafety, listen } from '../../src/server/http.js';
import { createLogger } from '../../src/server/logger.js';
import { call, httpClient, httpServer } from '../helpers/mcp.js';
import { tempDir } from '../helpers/tmp.js';
import { userJourney } from './journey.js';

const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

/** A raw HTTP POST: fetch() would not let a test set the Host header. */
function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'content-length': Buffer.byteLength(payload), ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('MCP over Streamable HTTP', () => {
  it('supports the whole journey', async () => {
    const dir = tempDir();
    const server = await httpServer(join(dir, 'h.db'), join(dir, 'exports'));
    const client = await httpClient(server.url);
    await userJourney(client, join(dir, 'exports'));
    await client.close();
    await server.close();
  });

  it('rejects foreign Host and Origin headers with 403 (DNS-rebinding protection)', async () => {
    const dir = tempDir();
    const server = await httpServer(join(dir, 'h.db'), join(dir, 'e'));
    const port = new URL(server.url).port;
    const evilHost = await post(server.url, initialize, { host: `evil.example:${port}` });
    expect(evilHost.status).toBe(403);
    const evilOrigin = await post(server.url, initialize, { origin: 'https://evil.example' });
    expect(evilOrigin.status).toBe(403);
    const local = await post(server.url, initialize, { origin: `http://localhost:${port}` });
    expect(local.status).toBe(200);
    await server.close();
  });

  it('limits the request size (413) and answers unknown sessions with 404', async () => {
    const dir = tempDir();
    const server = await httpServer(join(dir, 'h.db'), join(dir, 'e'));
    const big = await post(server.url, { ...initialize, params: { ...initialize.params, pad: 'x'.repeat(2 * 1024 * 1024) } });
    expect(big.status).toBe(413);
    const unknown = await post(server.url, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { 'mcp-session-id': 'nope' });
    expect(unknown.status).toBe(404);
    const malformed = await post(server.url, '{"jsonrpc":');
    expect(malformed.status).toBe(400);
    await server.close();
  });

  it('requires the bearer token when one is configured', async () => {
    const dir = tempDir();
    const server = await httpServer(join(dir, 'h.db'), join(dir, 'e'), 's3cret-token');
    expect((await post(server.url, initialize)).status).toBe(401);
    expect((await post(server.url, initialize, { authorization: 'Bearer wrong' })).status).toBe(401);
    const client = await httpClient(server.url, 's3cret-token');
    const list = await call(client, 'list_pipelines', {});
    expect(list.isError).toBeFalsy();
    await client.close();
    await server.close();
  });

  it('closes sessions that stay idle, so abandoned clients do not exhaust the session limit', async () => {
    const dir = tempDir();
    const app = createApp({ dbPath: join(dir, 'i.db'), exportRoot: join(dir, 'e') }, createLogger('silent'));
    const http = await listen(app, { host: '127.0.0.1', port: 0, sessionIdleMs: 200 });
    const client = await httpClient(http.url);
    await new Promise((r) => setTimeout(r, 600));
    await expect(client.listTools()).rejects.toThrow(/404|Session not found/);
    await http.close();
    app.store.close();
  });

  it('limits tool calls per session with a clear 429, leaving other sessions and other requests alone', async () => {
    const dir = tempDir();
    const app = createApp({ dbPath: join(dir, 'r.db'), exportRoot: join(dir, 'e'), engines: DEFAULT_ENGINE_SETTINGS }, createLogger('silent'));
    // One call every 4 s, bursts of 1: the second call is refused however slow the machine.
    const http = await listen(app, { host: '127.0.0.1', port: 0, rateLimit: 0.25 });
    try {
      const busy = await httpClient(http.url);
      expect((await call(busy, 'list_pipelines', {})).isError).toBeFalsy();
      await expect(busy.callTool({ name: 'list_pipelines', arguments: {} })).rejects.toThrow(/Too many requests: at most 0.25 per second \(bursts of 1\) per client\. Retry in [1-4] s\./);
      const sessionId = (busy.transport as StreamableHTTPClientTransport).sessionId!;
      const raw = await post(http.url, { jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'list_pipelines', arguments: {} } }, { 'mcp-session-id': sessionId });
      expect(raw.status).toBe(429);
      await expect(busy.listTools()).resolves.toMatchObject({ tools: expect.any(Array) });
      const other = await httpClient(http.url);
      expect((await call(other, 'list_pipelines', {})).isError).toBeFalsy();
      await new Promise((r) => setTimeout(r, 4100));
      expect((await call(busy, 'list_pipelines', {})).isError).toBeFalsy();
    } finally {
      await http.close();
      app.store.close();
    }
  });

  it('caps the tool calls of one address across its sessions, so opening more sessions does not lift the limit', async () => {
    const dir = tempDir();
    const app = createApp({ dbPath: join(dir, 'a.db'), exportRoot: join(dir, 'e'), engines: DEFAULT_ENGINE_SETTINGS }, createLogger('silent'));
    // One call per 10 s per session (bursts of 1); the address as a whole: 1 per second (bursts of 4).
    const http = await listen(app, { host: '127.0.0.1', port: 0, rateLimit: 0.1 });
    try {
      const sessions = await Promise.all(Array.from({ length: 15 }, () => httpClient(http.url)));
      const listCall = { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'list_pipelines', arguments: {} } };
      const answers = [];
      // One call per session: each is within its session's budget, so every refusal is the address's.
      for (const s of sessions) answers.push(await post(http.url, listCall, { 'mcp-session-id': (s.transport as StreamableHTTPClientTransport).sessionId!, 'mcp-protocol-version': '2025-06-18' }));
      const served = answers.filter((a) => a.status === 200).length;
      expect(served).toBeGreaterThanOrEqual(4);
      expect(served).toBeLessThan(15);
      const refused = answers.find((a) => a.status === 429)!;
      expect(refused.body).toMatch(/Too many tool calls from this address: at most 1 per second \(bursts of 4\) across all its sessions\. Retry in \d+ s\./);
    } finally {
      await http.close();
      app.store.close();
    }
  });

  it('refuses to bind a non-loopback address without a token', () => {
    expect(() => checkBindSafety({ host: '0.0.0.0', port: 1 })).toThrow(/without a token/);
    expect(() => checkBindSafety({ host: '0.0.0.0', port: 1, token: 't' })).toThrow(/--allowed-host/);
    expect(() => checkBindSafety({ host: '0.0.0.0', port: 1, token: 't', allowedHosts: ['mlops.internal'] })).not.toThrow();
    expect(() => checkBindSafety({ host: '10.1.2.3', port: 1, token: 't' })).not.toThrow();
    expect(() => checkBindSafety({ host: '127.0.0.1', port: 1 })).not.toThrow();
  });
});
