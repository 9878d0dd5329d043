import { z } from 'zod';
import { UserError, formatZodError } from '../errors.js';
import type { PhaseId } from '../phases/graph.js';
import type { DecisionsByPhase } from '../phases/types.js';
import type { ResolvedSpec } from '../spec/resolve.js';
import { adviseWithModel, type Advice, type ModelClient } from './advice.js';
import { anthropicModel } from './anthropic.js';
import { ENGINE_NAMES, type EngineName } from './names.js';
import { enginePrompt } from './prompt.js';
import { samplingModel, type CreateMessage } from './sampling.js';

export { ENGINE_NAMES, type EngineName } from './names.js';

export const DEFAULT_ANTHROPIC_MODEL = 'claude-sonnet-5-5';

/** How this server runs LLM engines: set once per process, from flags and the environment. */
export interface EngineSettings {
  /** The engine used when neither the call nor the pipeline's spec names one. */
  defaultEngine: EngineName;
  /** The Anthropic model; for sampling, a hint the client may follow. */
  model: string | null;
  maxTokens: number;
  /** The time limit of one phase's model review, retries included. */
  timeoutMs: number;
  anthropic: { apiKey?: string; baseURL?: string; maxRetries: number };
}

export const DEFAULT_ENGINE_SETTINGS: EngineSettings = { defaultEngine: 'template', model: null, maxTokens: 4096, timeoutMs: 120_000, anthropic: { maxRetries: 2 } };

const EnvSettings = z.object({
  MLOPS_MCP_ENGINE: z.enum(ENGINE_NAMES).optional(),
  MLOPS_MCP_MODEL: z.string().trim().min(1).max(200).optional(),
  MLOPS_MCP_MAX_TOKENS: z.coerce.number().int().min(256).max(64_000).optional(),
  MLOPS_MCP_LLM_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).optional(),
  MLOPS_MCP_LLM_MAX_RETRIES: z.coerce.number().int().min(0).max(10).optional(),
  ANTHROPIC_API_KEY: z.string().trim().min(1).optional(),
  ANTHROPIC_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
});

/** Engine settings from the environment, with explicit values (command-line flags) winning. Bad values are a UserError naming the variable. */
export function engineSettings(env: NodeJS.ProcessEnv = process.env, flags: Partial<Record<keyof z.input<typeof EnvSettings>, string>> = {}): EngineSettings {
  const raw = Object.fromEntries(
    Object.keys(EnvSettings.shape).map((k) => [k, flags[k as keyof typeof flags] ?? (env[k] === '' ? undefined : env[k])]),
  );
  const parsed = EnvSettings.safeParse(raw);
  if (!parsed.success) throw new UserError(`Invalid engine setting:\n${formatZodError(parsed.error)}`);
  const v = parsed.data;
  return {
    defaultEngine: v.MLOPS_MCP_ENGINE ?? DEFAULT_ENGINE_SETTINGS.defaultEngine,
    model: v.MLOPS_MCP_MODEL ?? null,
    maxTokens: v.MLOPS_MCP_MAX_TOKENS ?? DEFAULT_ENGINE_SETTINGS.maxTokens,
    timeoutMs: v.MLOPS_MCP_LLM_TIMEOUT_MS ?? DEFAULT_ENGINE_SETTINGS.timeoutMs,
    anthropic: { apiKey: v.ANTHROPIC_API_KEY, baseURL: v.ANTHROPIC_BASE_URL, maxRetries: v.MLOPS_MCP_LLM_MAX_RETRIES ?? DEFAULT_ENGINE_SETTINGS.anthropic.maxRetries },
  };
}

/** What the caller's channel offers an engine for one call. */
export interface EngineSession {
  /** Where the call came from; sampling exists only for MCP clients that declared it. */
  channel: 'mcp' | 'web' | 'cli';
  /** sampling/createMessage towards the calling MCP client, when it declared the sampling capability. */
  createMessage?: CreateMessage;
  signal?: AbortSignal;
  /** Text as the model streams it (the anthropic engine streams only when this is set). */
  onText?: (delta: string) => void;
}

export interface AdviceRequest {
  phase: PhaseId;
  spec: ResolvedSpec;
  upstream: Partial<DecisionsByPhase>;
  notes?: string;
  /** The decisions the generators made for this phase: what the model reviews. */
  decisions: unknown;
  runId: string;
}

/**
 * How a phase thinks. Every engine runs the same deterministic generators for decisions and files; an LLM engine
 * then adds a review (narrative, proposed spec changes, recommendations) to the document. Nothing a model writes
 * reaches a generated file.
 */
export interface Engine {
  name: EngineName;
  advise(request: AdviceRequest): Promise<Advice | null>;
}

const templateEngine: Engine = { name: 'template', advise: async () => null };

function modelEngine(client: ModelClient, settings: EngineSettings, session: EngineSession): Engine {
  return {
    name: client.engine,
    advise: (request) =>
      adviseWithModel(client, enginePrompt(request), {
        spec: request.spec,
        runId: request.runId,
        maxTokens: settings.maxTokens,
        timeoutMs: settings.timeoutMs,
        signal: session.signal,
        onText: session.onText,
      }),
  };
}

/** The engine for a call: the call's choice, else the pipeline's, else the server's. */
export function chooseEngine(settings: EngineSettings, call?: EngineName, pipeline?: EngineName): EngineName {
  return call ?? pipeline ?? settings.defaultEngine;
}

/** The engine by name, or a UserError saying why it cannot run here and what to use instead. */
export function resolveEngine(name: EngineName, settings: EngineSettings, session: EngineSession): Engine {
  if (name === 'template') return templateEngine;
  if (name === 'sampling') {
    if (!session.createMessage) {
      const why =
        session.channel === 'mcp'
          ? 'this MCP client did not declare the sampling capability'
          : `a call from the ${session.channel === 'web' ? 'web UI' : 'command line'} has no MCP client to ask`;
      throw new UserError(
        `The "sampling" engine asks the calling MCP client's own model, but ${why}. Use engine "template" (offline, the default), or "anthropic" with ANTHROPIC_API_KEY set on the server.`,
        'unavailable',
      );
    }
    return modelEngine(samplingModel(session.createMessage, { modelHint: settings.model, timeoutMs: settings.timeoutMs }), settings, session);
  }
  if (!settings.anthropic.apiKey) {
    throw new UserError(
      'The "anthropic" engine needs an API key: start the server with ANTHROPIC_API_KEY set (optionally MLOPS_MCP_MODEL and MLOPS_MCP_MAX_TOKENS). Or use engine "template" (offline, the default), or "sampling" from an MCP client that supports it.',
      'unavailable',
    );
  }
  const client = anthropicModel({
    apiKey: settings.anthropic.apiKey,
    baseURL: settings.anthropic.baseURL,
    model: settings.model ?? DEFAULT_ANTHROPIC_MODEL,
    maxRetries: settings.anthropic.maxRetries,
    timeoutMs: settings.timeoutMs,
  });
  return modelEngine(client, settings, session);
}
