import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One scripted answer of the fake Messages API. */
export type FakeReply =
  | { kind: 'message'; text: string; stopReason?: string; model?: string; usage?: { input_tokens: number; output_tokens: number } }
  | { kind: 'status'; status: number; body?: string; headers?: Record<string, string> }
  | { kind: 'raw'; body: string }
  | { kind: 'hang' };

export interface RecordedRequest {
  headers: IncomingMessage['headers'];
  body: { model: string; max_tokens: number; system?: string; stream?: boolean; messages: { role: string; content: string }[] };
}

/**
 * A local HTTP server that speaks the Anthropic Messages API (POST /v1/messages, JSON or server-sent events when
 * the request streams), answering from a script: the tests run the real SDK against it and never reach the internet.
 */
export async function fakeAnthropic(): Promise<{
  url: string;
  requests: RecordedRequest[];
  script(...replies: FakeReply[]): void;
  /** Forgets the recorded requests and any reply not used yet. */
  reset(): void;
  close(): Promise<void>;
}> {
  const queue: FakeReply[] = [];
  const requests: RecordedRequest[] = [];
  const open = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += String(c)));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/messages') {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: `no route ${req.url}` } }));
        return;
      }
      const body = JSON.parse(raw) as RecordedRequest['body'];
      requests.push({ headers: req.headers, body });
      const reply = queue.shift() ?? { kind: 'status', status: 500, body: JSON.stringify({ type: 'error', error: { type: 'api_error', message: 'the test script ran out of replies' } }) };
      answer(reply, body, res, open);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script: (...replies) => queue.push(...replies),
    reset() {
      queue.length = 0;
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const r of open) r.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function answer(reply: FakeReply, request: RecordedRequest['body'], res: ServerResponse, open: Set<ServerResponse>): void {
  if (reply.kind === 'hang') {
    open.add(res);
    res.on('close', () => open.delete(res));
    return;
  }
  if (reply.kind === 'status') {
    const body = reply.body ?? JSON.stringify({ type: 'error', error: { type: reply.status === 429 ? 'rate_limit_error' : 'api_error', message: `scripted ${reply.status}` } });
    res.writeHead(reply.status, { 'content-type': 'application/json', 'retry-after-ms': '10', ...reply.headers }).end(body);
    return;
  }
  if (reply.kind === 'raw') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(reply.body);
    return;
  }
  const model = reply.model ?? request.model;
  const usage = reply.usage ?? { input_tokens: 1200, output_tokens: 300 };
  const stopReason = reply.stopReason ?? 'end_turn';
  const id = `msg_fake_${Math.random().toString(36).slice(2, 10)}`;
  if (!request.stream) {
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({ id, type: 'message', role: 'assistant', model, content: [{ type: 'text', text: reply.text }], stop_reason: stopReason, stop_sequence: null, usage }),
    );
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const event = (type: string, data: object) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  event('message_start', { message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: usage.input_tokens, output_tokens: 1 } } });
  event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
  for (let i = 0; i < reply.text.length; i += 200) event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: reply.text.slice(i, i + 200) } });
  event('content_block_stop', { index: 0 });
  event('message_delta', { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: usage.output_tokens } });
  event('message_stop', {});
  res.end();
}
