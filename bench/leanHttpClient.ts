// A load-generating MCP client for Streamable HTTP: the protocol (initialize, then tools/call with the session
// header; the answer as JSON or as an SSE event) on one keep-alive connection, without the SDK Client's
// per-message schema checks. On a 2-core machine 50 SDK clients in one process use a whole core and become the
// bottleneck of the benchmark; this one costs a fraction of that, so the figures are the server's.
import { Agent, request } from 'node:http';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';

interface RpcAnswer {
  id?: number;
  result?: { isError?: boolean };
  error?: { message: string };
}

export class LeanHttpClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  private session = '';
  private nextId = 1;

  constructor(private readonly url: URL) {}

  static async connect(url: string): Promise<LeanHttpClient> {
    const client = new LeanHttpClient(new URL(url));
    await client.rpc('initialize', { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'bench-lean', version: '1' } });
    await client.post({ jsonrpc: '2.0', method: 'notifications/initialized' });
    return client;
  }

  /** Calls a tool; resolves true when the result is a tool error. */
  async callTool(name: string, args: Record<string, unknown>): Promise<boolean> {
    const answer = await this.rpc('tools/call', { name, arguments: args });
    return answer.result?.isError === true;
  }

  close(): void {
    this.agent.destroy();
  }

  private async rpc(method: string, params: unknown): Promise<RpcAnswer> {
    const id = this.nextId++;
    const body = await this.post({ jsonrpc: '2.0', id, method, params });
    // An SSE stream carries the answer in its last `data:` line; a JSON response is the answer itself.
    const json = body.startsWith('{') ? body : body.split('\n').filter((l) => l.startsWith('data: ')).at(-1)?.slice(6);
    if (!json) throw new Error(`no answer to ${method}: ${body.slice(0, 200)}`);
    const answer = JSON.parse(json) as RpcAnswer;
    if (answer.error) throw new Error(`${method}: ${answer.error.message}`);
    return answer;
  }

  private post(message: unknown): Promise<string> {
    const payload = JSON.stringify(message);
    return new Promise((resolve, reject) => {
      const req = request(
        this.url,
        {
          method: 'POST',
          agent: this.agent,
          headers: {
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            'content-length': Buffer.byteLength(payload),
            ...(this.session ? { 'mcp-session-id': this.session, 'mcp-protocol-version': LATEST_PROTOCOL_VERSION } : {}),
          },
        },
        (res) => {
          const session = res.headers['mcp-session-id'];
          if (typeof session === 'string') this.session = session;
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if ((res.statusCode ?? 500) >= 400) reject(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`));
            else resolve(text);
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }
}
