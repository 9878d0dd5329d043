import pino, { type Logger } from 'pino';

/**
 * Structured JSON logs on stderr (fd 2), never stdout: in stdio mode stdout carries only protocol messages.
 * Synchronous writes so the last lines before a crash are not lost.
 */
export function createLogger(level: string = process.env.MLOPS_MCP_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { service: 'mlops-mcp', pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ fd: 2, sync: true }));
}
