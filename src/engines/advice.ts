import { UserError } from '../errors.js';
import type { ResolvedSpec } from '../spec/resolve.js';
import { validateAnswer, type SpecChangeProposal, type ValidAnswer } from './answer.js';
import type { ModelEngineName } from './names.js';
import { emptyUsage, type TokenUsage } from './prices.js';
import type { EnginePrompt } from './prompt.js';

export interface ChatMessage {
  role: 'user' | 'assistant';
  text: string;
}

export interface ModelReply {
  text: string;
  /** The model that answered, as the provider names it. */
  model: string;
  stopReason: string | null;
  /** Token counts when the provider reports them (MCP sampling does not). */
  usage: { input_tokens: number; output_tokens: number; cache_creation_input_tokens?: number | null; cache_read_input_tokens?: number | null } | null;
}

/** Why a model call ended without a reply, in words for the run's note (the run falls back to the template narrative). */
export class ModelCallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelCallError';
  }
}

export interface ModelRequest {
  system: string;
  messages: ChatMessage[];
  maxTokens: number;
  signal: AbortSignal;
  /** Called with each piece of text as it streams in (only when the caller wants progress). */
  onText?: (delta: string) => void;
}

/** One way of asking a model: MCP sampling through the client, or the Anthropic API. */
export interface ModelClient {
  readonly engine: ModelEngineName;
  complete(request: ModelRequest): Promise<ModelReply>;
  /** Adds a reply's tokens to the run's usage (pricing it when the provider bills this server). */
  account(usage: TokenUsage, reply: ModelReply): TokenUsage;
}

export interface Suggestion extends SpecChangeProposal {
  /** `<run id>.<n>`: unique, and says which run proposed it. */
  id: string;
}

/** What an LLM engine added to a phase run. */
export interface Advice {
  engine: ModelEngineName;
  status: 'used' | 'fallback';
  model: string | null;
  promptVersion: string;
  /** Why there is no review (fallback), or what happened on the way (a retry). */
  note: string | null;
  narrative: string | null;
  suggestions: Suggestion[];
  designDecisions: ValidAnswer['designDecisions'];
  attempts: number;
  usage: TokenUsage | null;
}

export interface AdviseOptions {
  spec: ResolvedSpec;
  runId: string;
  maxTokens: number;
  timeoutMs: number;
  /** The caller's cancellation (the MCP request's signal). */
  signal?: AbortSignal;
  onText?: (delta: string) => void;
}

const RETRY = (error: string) =>
  `Your reply could not be used: ${error}\n\nReply again with only the JSON object described in the instructions, fixing these problems. Do not add prose around it.`;

/**
 * Asks the model for its review of a phase: one request, and when the reply does not validate, one more with
 * the validation error. A refusal, a timeout, a provider error or a second bad reply gives a fallback advice
 * (the template document stands, with a note saying why); only the caller's own cancellation is an error.
 */
export async function adviseWithModel(client: ModelClient, prompt: EnginePrompt, options: AdviseOptions): Promise<Advice> {
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  const messages: ChatMessage[] = [{ role: 'user', text: prompt.user }];
  let usage: TokenUsage | null = null;
  let model: string | null = null;
  let retryNote: string | null = null;
  const base = { engine: client.engine, promptVersion: prompt.version, narrative: null, suggestions: [], designDecisions: [] };
  const fallback = (note: string, attempts: number): Advice => ({ ...base, status: 'fallback', model, note, attempts, usage });

  for (let attempt = 1; attempt <= 2; attempt++) {
    let reply: ModelReply;
    try {
      reply = await client.complete({ system: prompt.system, messages, maxTokens: options.maxTokens, signal, onText: options.onText });
    } catch (error) {
      // The caller's own cancellation is not the model's failure: the run ends failed, not with a fallback review.
      if (options.signal?.aborted) throw new UserError('The call was cancelled by the client while the model was reviewing; the phase run is marked failed.', 'precondition');
      if (deadline.aborted) return fallback(`The ${client.engine} engine gave no answer within the time limit of ${options.timeoutMs} ms (attempt ${attempt}).`, attempt);
      const reason = error instanceof ModelCallError ? error.message : `the ${client.engine} engine failed: ${(error as Error).message}`;
      return fallback(`${reason.charAt(0).toUpperCase()}${reason.slice(1)}${/[.!?]$/.test(reason) ? '' : '.'}`, attempt);
    }
    model = reply.model;
    usage = client.account(usage ?? emptyUsage(), reply);
    if (reply.stopReason === 'refusal') return fallback(`The model (${reply.model}) declined to review this phase.`, attempt);
    const checked = reply.stopReason === 'max_tokens' || reply.stopReason === 'maxTokens'
      ? { ok: false as const, error: `the reply was cut off at the limit of ${options.maxTokens} tokens; keep the narrative shorter` }
      : validateAnswer(reply.text, options.spec);
    if (checked.ok) {
      const { narrative, specChanges, designDecisions } = checked.answer;
      return {
        ...base,
        status: 'used',
        model,
        note: retryNote,
        narrative,
        suggestions: specChanges.map((s, i) => ({ ...s, id: `${options.runId}.${i + 1}` })),
        designDecisions,
        attempts: attempt,
        usage,
      };
    }
    if (attempt === 2) return fallback(`The model's answer was unusable twice; the second time: ${checked.error}`, attempt);
    retryNote = `The first answer was unusable (${checked.error.split('\n')[0]!.replace(/:$/, '')}); the model was asked again with the error.`;
    messages.push({ role: 'assistant', text: reply.text.trim() || '(empty reply)' }, { role: 'user', text: RETRY(checked.error) });
  }
  throw new Error('unreachable');
}
