import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where mlops-mcp keeps its data unless told otherwise: $XDG_DATA_HOME/mlops-mcp, else ~/.local/share/mlops-mcp. */
export function dataHome(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'mlops-mcp');
}

export function defaultDbPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.MLOPS_MCP_DB || join(dataHome(env), 'mlops-mcp.db');
}

export function defaultExportRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.MLOPS_MCP_EXPORT_ROOT || join(dataHome(env), 'exports');
}

/** Where check_drift reads CSV files from (paths are relative to it; nothing outside it is read). */
export function defaultDataRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.MLOPS_MCP_DATA_ROOT || join(dataHome(env), 'data');
}

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8765;
/** Tool calls per second per MCP session (and REST calls per client address) before a 429; bursts of 4x. */
export const DEFAULT_RATE_LIMIT = 50;
