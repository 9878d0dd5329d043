import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { AppContext } from '../app.js';
import { createMcpServer } from './mcpServer.js';

/** MCP over stdin/stdout for Claude Desktop and other local clients. Nothing but protocol goes to stdout. */
export async function serveStdio(app: AppContext): Promise<void> {
  const server = createMcpServer(app);
  const transport = new StdioServerTransport();
  await server.connect(transport);
  app.logger.info({ db: app.config.dbPath }, 'mlops-mcp ready on stdio');
  await new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.on('end', () => resolve());
  });
  await server.close();
}
