import type { ContentBlock } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import type { AppContext } from '../app.js';
import type { EngineSession } from '../engines/index.js';

export interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

export interface ToolCallContext {
  app: AppContext;
  /** Who made the call, recorded in the event log (e.g. "mcp:claude-ai", "cli"). */
  actor: string;
  signal: AbortSignal;
  /** Sends notifications/progress when the client asked for it (a no-op otherwise). */
  progress(progress: number, total: number | undefined, message: string): Promise<void>;
  /** Whether the caller asked for progress (worth streaming a model's answer for). */
  wantsProgress: boolean;
  /** What LLM engines can use on this call (the client's sampling, the cancellation signal). */
  session: EngineSession;
}

export interface ToolResult<O> {
  structured: O;
  /** The short human-readable result shown in chat clients. */
  text: string;
  /** Extra content after the text (images, embedded resources). */
  content?: ContentBlock[];
}

/** A tool is data: name, schemas, annotations and a handler. The server turns the registry into MCP. */
export interface ToolDefinition<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  input: I;
  output: O;
  annotations: ToolAnnotations;
  handler(args: z.output<I>, ctx: ToolCallContext): Promise<ToolResult<z.input<O>>>;
}

export function defineTool<I extends z.ZodObject, O extends z.ZodObject>(tool: ToolDefinition<I, O>): ToolDefinition {
  return tool as unknown as ToolDefinition;
}

export const READ_ONLY: ToolAnnotations = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };
