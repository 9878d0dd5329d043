import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stdioClient } from '../../helpers/mcp.js';
import { tempDir } from '../../helpers/tmp.js';
import { MAX_REPLAY, MAX_SUBSCRIBES_PER_WINDOW } from '../../../src/server/web/wsHub.js';
import { WsProbe, apiRequest, webServer, type WebServer } from '../../helpers/web.js';

let server: WebServer;
const probes: WsProbe[] = [];
afterEach(async () => {
  await Promise.all(probes.splice(0).map((p) => p.close()));
  await server?.close();
});

async function connect(options: Parameters<typeof WsProbe.connect>[1] = {}): Promise<WsProbe> {
  const probe = await WsProbe.connect(server, options);
  probes.push(probe);
  return probe;
}

async function createPipeline(): Promise<string> {
  const res = await apiRequest(server, 'POST', '/api/pipelines', { user: 'Ann', body: { requirements: 'Forecast daily demand per store from our Snowflake sales table' } });
  return res.json<{ pipeline_id: string }>().pipeline_id;
}

const comment = (id: string, body: string) => apiRequest(server, 'POST', `/api/pipelines/${id}/comments`, { user: 'Ann', body: { body } });

async function refused(options: Parameters<typeof WsProbe.connect>[1]): Promise<number | undefined> {
  try {
    await connect(options);
    return undefined;
  } catch (error) {
    return (error as { status?: number }).status;
  }
}

describe('WebSocket event stream (/ws)', () => {
  it('replays what a client missed and then streams live events: no gap, no duplicate, across reconnects', async () => {
    server = await webServer();
    const id = await createPipeline();
    const first = await connect();
    first.send({ type: 'hello', name: 'Ann' });
    first.send({ type: 'subscribe', pipeline_id: id, after: 0 });
    await first.waitFor((m) => m.type === 'ready');
    for (let i = 0; i < 5; i++) await comment(id, `live ${i}`);
    await first.waitFor((m) => m.type === 'events' && m.events!.some((e) => e.payload.body === 'live 4'));
    const seen = first.eventIds();
    await first.close();

    // Changes while the browser is away, some of another pipeline (whose events it must not get).
    const other = await createPipeline();
    for (let i = 0; i < 30; i++) await comment(i % 3 === 0 ? other : id, `away ${i}`);

    const second = await connect();
    second.send({ type: 'subscribe', pipeline_id: id, after: seen.at(-1) });
    await second.waitFor((m) => m.type === 'ready');
    await comment(id, 'after reconnect');
    await second.waitFor((m) => m.type === 'events' && m.events!.some((e) => e.payload.body === 'after reconnect'));

    const all = [...seen, ...second.eventIds()];
    const expected = server.app.store.eventsSince(0, id).map((e) => e.id);
    expect(all).toEqual(expected);
    expect(expected).toHaveLength(1 + 5 + 20 + 1);
    expect(second.messages.filter((m) => m.type === 'events').flatMap((m) => m.events!).every((e) => e.pipeline_id === id)).toBe(true);
  });

  it('tells a client too far behind, or ahead of the log, to reload rather than replay', async () => {
    server = await webServer();
    const id = await createPipeline();
    const store = server.app.store;
    store.transaction(() => {
      for (let i = 0; i <= MAX_REPLAY; i++) store.appendEvent(id, 'test.bulk', 'test', { i });
    });
    const probe = await connect();
    probe.send({ type: 'subscribe', pipeline_id: id, after: 0 });
    const reset = await probe.waitFor((m) => m.type === 'reset');
    expect(reset).toMatchObject({ pipeline_id: id, last_event_id: store.lastEventId() });
    expect(probe.eventIds()).toEqual([]);
    // From there on it is live as usual.
    await comment(id, 'after the reset');
    const live = await probe.waitFor((m) => m.type === 'events');
    expect(live.events!.map((e) => e.payload.body)).toEqual(['after the reset']);

    // An id the log has not reached (the browser knew another database): reset too, never a silent filter.
    const ahead = await connect();
    ahead.send({ type: 'subscribe', pipeline_id: id, after: store.lastEventId() + 1000 });
    expect(await ahead.waitFor((m) => m.type === 'reset')).toMatchObject({ last_event_id: store.lastEventId() });
    await comment(id, 'seen by the one from the future');
    expect((await ahead.waitFor((m) => m.type === 'events')).events!.map((e) => e.payload.body)).toEqual(['seen by the one from the future']);
  });

  it('delivers a change made by a separate `mlops-mcp stdio` process on the same database within a second', async () => {
    const dir = tempDir();
    server = await webServer({ dir });
    const id = await createPipeline();
    const probe = await connect();
    probe.send({ type: 'subscribe', pipeline_id: id });
    await probe.waitFor((m) => m.type === 'ready');

    const stdio = await stdioClient(server.dbPath, join(dir, 'stdio-exports'));
    try {
      const before = probe.messages.length;
      const sent = performance.now();
      const result = await stdio.client.callTool({ name: 'update_pipeline', arguments: { pipeline_id: id, patch: { scale: { peak_rps: 750 } } } });
      expect(result.isError).toBeFalsy();
      const message = await probe.waitFor((m) => m.type === 'events' && m.events!.some((e) => e.type === 'spec.updated'), 1000, before);
      const elapsed = performance.now() - sent;
      expect(elapsed).toBeLessThan(1000);
      expect(message.events![0]).toMatchObject({ type: 'spec.updated', actor: 'mcp:e2e-stdio', payload: { revision: 2, changed_paths: ['scale.peak_rps'] } });
    } finally {
      await stdio.close();
    }
  });

  it('shows who is viewing a pipeline, and updates when viewers come, rename and leave', async () => {
    server = await webServer();
    const id = await createPipeline();
    const ann = await connect();
    ann.send({ type: 'hello', name: 'Ann' });
    ann.send({ type: 'subscribe', pipeline_id: id });
    await ann.waitFor((m) => m.type === 'presence' && m.viewers!.length === 1);
    const bo = await connect();
    bo.send({ type: 'hello', name: 'Bo' });
    bo.send({ type: 'subscribe', pipeline_id: id });
    const both = await ann.waitFor((m) => m.type === 'presence' && m.viewers!.length === 2);
    expect(both.viewers!.map((v) => v.name).sort()).toEqual(['Ann', 'Bo']);
    expect(both.count).toBe(2);
    bo.send({ type: 'hello', name: 'Bo B.' });
    await ann.waitFor((m) => m.type === 'presence' && m.viewers!.some((v) => v.name === 'Bo B.'));
    await bo.close();
    const alone = await ann.waitFor((m) => m.type === 'presence' && m.viewers!.length === 1 && m.viewers![0]!.name === 'Ann', 5000, ann.messages.length - 1);
    expect(alone.pipeline_id).toBe(id);
  });

  it('answers malformed messages with an error and keeps the connection; closes on oversized ones', async () => {
    server = await webServer();
    const probe = await connect();
    await probe.waitFor((m) => m.type === 'welcome');
    probe.send('not json');
    expect((await probe.waitFor((m) => m.type === 'error')).message).toMatch(/Messages are JSON text/);
    const cases: [unknown, RegExp][] = [
      [{ type: 'shout' }, /type: Invalid discriminator value. Expected 'hello' \| 'subscribe'/],
      [{ type: 'subscribe' }, /pipeline_id: required/],
      [{ type: 'subscribe', pipeline_id: 'pl_missing' }, /No pipeline with id "pl_missing"/],
      [{ type: 'subscribe', pipeline_id: '*', after: -1 }, /after/],
      [{ type: 'hello', name: '' }, /display name/],
      [{ type: 'hello', name: 'x'.repeat(61) }, /at most 60 characters/],
      [[1, 2], /Invalid message/],
    ];
    for (const [message, pattern] of cases) {
      const from = probe.messages.length;
      probe.send(message);
      expect((await probe.waitFor((m) => m.type === 'error', 2000, from)).message).toMatch(pattern);
    }
    // Each subscribe may replay thousands of events: a client gets five per ten seconds.
    const id = await createPipeline();
    const before = probe.messages.length;
    for (let i = 0; i < MAX_SUBSCRIBES_PER_WINDOW + 1; i++) probe.send({ type: 'subscribe', pipeline_id: id, after: 0 });
    expect((await probe.waitFor((m) => m.type === 'error', 2000, before)).message).toMatch(/Too many subscribe messages: at most 5 per 10 s/);
    expect(probe.messages.slice(before).filter((m) => m.type === 'ready')).toHaveLength(MAX_SUBSCRIBES_PER_WINDOW);
    probe.send({ type: 'ping', id: 7 });
    expect(await probe.waitFor((m) => m.type === 'pong')).toEqual({ type: 'pong', id: 7 });

    probe.send(JSON.stringify({ type: 'hello', name: 'x'.repeat(20_000) }));
    await new Promise((resolve) => probe.socket.once('close', resolve));
    expect(probe.closeCode).toBe(1009);
  });

  it('refuses upgrades without the token, from foreign origins or hosts, and without the subprotocol', async () => {
    server = await webServer({ token: 'tok-123' });
    expect(await refused({})).toBe(401);
    expect(await refused({ token: 'wrong' })).toBe(401);
    expect(await refused({ token: 'tok-123', origin: 'https://evil.example' })).toBe(403);
    // Another server on this machine is another origin: its pages must not read our events.
    expect(await refused({ token: 'tok-123', origin: `http://localhost:${server.port + 1}` })).toBe(403);
    expect(await refused({ token: 'tok-123', origin: `http://127.0.0.1` })).toBe(403);
    expect(await refused({ token: 'tok-123', protocols: ['other'] })).toBe(400);
    // Browsers cannot set headers on a WebSocket: the token may come as a subprotocol.
    const viaProtocol = await connect({ protocols: ['mlops-mcp.v1', `bearer.${Buffer.from('tok-123').toString('base64url')}`], origin: server.base });
    expect((await viaProtocol.waitFor((m) => m.type === 'welcome')).type).toBe('welcome');
    expect(viaProtocol.socket.protocol).toBe('mlops-mcp.v1');
    const viaHeader = await connect({ token: 'tok-123' });
    await viaHeader.waitFor((m) => m.type === 'welcome');
  });

  it('refuses an upgrade whose Host header names another server', async () => {
    server = await webServer();
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${server.base}/ws`, {
        headers: { host: `evil.example:${server.port}`, connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-protocol': 'mlops-mcp.v1' },
      });
      req.on('response', (res) => resolve(res.statusCode ?? 0));
      req.on('upgrade', () => resolve(101));
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });
});
