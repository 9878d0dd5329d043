// The baseline of the tool-call benchmark: a bare MCP SDK server with one tool, `echo`. Without an argument it
// returns its input; with a JSON file (a CallToolResult) it returns that result, so the SDK moves exactly the
// bytes our server's answer has. Over stdio by default; `--http` serves Streamable HTTP on a free port and
// prints the URL on stdout.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';

const http = process.argv.includes('--http');
const payloadFile = process.argv.slice(2).find((a) => !a.startsWith('--'));
const payload = payloadFile ? (JSON.parse(readFileSync(payloadFile, 'utf8')) as CallToolResult) : undefined;

function echoServer(): Server {
  const server = new Server({ name: 'echo', version: '1' }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: [{ name: 'echo', description: 'echo', inputSchema: { type: 'object', properties: { pipeline_id: { type: 'string' } } } }],
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    if (payload) return payload;
    return { content: [{ type: 'text', text: JSON.stringify(request.params.arguments) }], structuredContent: { echo: request.params.arguments } };
  });
  return server;
}

if (!http) {
  await echoServer().connect(new StdioServerTransport());
} else {
  // The SDK's own session handling, without express: the least a Streamable HTTP server can do per call.
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const httpServer = createServer(async (req, res) => {
    const id = req.headers['mcp-session-id'];
    let transport = typeof id === 'string' ? sessions.get(id) : undefined;
    if (!transport) {
      const created: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (sid: string) => {
          sessions.set(sid, created);
        },
      });
      await echoServer().connect(created);
      transport = created;
    }
    await transport.handleRequest(req, res);
  });
  httpServer.listen(0, '127.0.0.1', () => {
    const address = httpServer.address() as { port: number };
    process.stdout.write(`http://127.0.0.1:${address.port}/mcp\n`);
  });
}
