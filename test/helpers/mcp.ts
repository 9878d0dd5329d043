import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createApp, type AppContext } from '../../src/app.js';
import { DEFAULT_ENGINE_SETTINGS } from '../../src/engines/index.js';
import { listen } from '../../src/server/http.js';
import { createLogger } from '../../src/server/logger.js';

export const ROOT = join(import.meta.dirname, '../..');
export const CLI = join(ROOT, 'dist/bin/mlops-mcp.js');

export function requireBuild(): void {
  if (!existsSync(CLI)) throw new Error('dist/bin/mlops-mcp.js is missing: run `npm run build` first (npm test does it)');
}

/** The test process's environment without engine settings, so that a developer's own API key never reaches a test. */
export function engineFreeEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && !/^(ANTHROPIC_|MLOPS_MCP_(ENGINE|MODEL|MAX_TOKENS|LLM_))/.test(e[0])));
}

/**
 * Spawns the built CLI in stdio mode, as Claude Desktop does, and connects the SDK client to it. `client` may be
 * a client prepared with capabilities and handlers (sampling); `env` adds to an environment without engine settings.
 */
export async function stdioClient(
  dbPath: string,
  exportRoot: string,
  options: { client?: Client; env?: Record<string, string> } = {},
): Promise<{ client: Client; stderr: () => string; pid: number; close(): Promise<void> }> {
  requireBuild();
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, 'stdio', '--db', dbPath, '--export-root', exportRoot],
    stderr: 'pipe',
    env: { ...engineFreeEnv(), MLOPS_MCP_LOG_LEVEL: 'info', ...options.env },
  });
  let stderr = '';
  transport.stderr?.on('data', (d) => (stderr += String(d)));
  const client = options.client ?? new Client({ name: 'e2e-stdio', version: '1.0.0' });
  await client.connect(transport);
  return { client, stderr: () => stderr, pid: transport.pid!, close: () => client.close() };
}

/** Starts the HTTP server in this process on a free port and connects the SDK client over Streamable HTTP. */
export async function httpServer(dbPath: string, exportRoot: string, token?: string): Promise<{ app: AppContext; url: string; close(): Promise<void> }> {
  const app = createApp({ dbPath, exportRoot, engines: DEFAULT_ENGINE_SETTINGS }, createLogger('silent'));
  const http = await listen(app, { host: '127.0.0.1', port: 0, token });
  return {
    app,
    url: http.url,
    async close() {
      await http.close();
      app.store.close();
    },
  };
}

export async function httpClient(url: string, token?: string): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(url), token ? { requestInit: { headers: { Authorization: `Bearer ${token}` } } } : undefined);
  const client = new Client({ name: 'e2e-http', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

export function text(result: CallToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

export async function call(client: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult & { structuredContent?: Record<string, unknown> }> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult & { structuredContent?: Record<string, unknown> };
}

/**
 * Records the progress messages the server sends, as they arrive on the transport. The SDK's own `onprogress`
 * can miss the last one: when the notification and the response arrive in one read, the response retires the
 * token before the notification's handler runs (modelcontextprotocol/typescript-sdk#2580, open), so counting
 * `onprogress` calls would measure that race rather than the server.
 */
export function recordProgressMessages(client: Client): string[] {
  const transport = client.transport;
  if (!transport?.onmessage) throw new Error('connect the client before recording its progress messages');
  const forward = transport.onmessage;
  const messages: string[] = [];
  transport.onmessage = (message, extra) => {
    if ('method' in message && message.method === 'notifications/progress') messages.push(String(message.params?.message));
    forward.call(transport, message, extra);
  };
  return messages;
}
