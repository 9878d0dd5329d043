import type Anthropic from '@anthropic-ai/sdk';
import type { Message, MessageCreateParamsNonStreaming } from '@anthropic-ai/sdk/resources/messages/messages.js';
import { ModelCallError, type ModelClient } from './advice.js';
import { addUsage } from './prices.js';

export interface AnthropicSettings {
  apiKey: string;
  /** Another endpoint speaking the Messages API (a proxy, a gateway, a test server). */
  baseURL?: string;
  model: string;
  /** Retries of 429, 5xx and connection errors, with the SDK's exponential backoff (honouring retry-after). */
  maxRetries: number;
  timeoutMs: number;
}

/** The `anthropic` engine's model: the Messages API through @anthropic-ai/sdk, streamed when progress is wanted. */
export function anthropicModel(settings: AnthropicSettings): ModelClient {
  // The SDK is loaded on first use: most servers never call it, and every start-up (a stdio server per chat) pays for an import.
  let sdk: Promise<{ Anthropic: typeof Anthropic; client: Anthropic }> | undefined;
  const load = () =>
    (sdk ??= import('@anthropic-ai/sdk').then(({ default: Anthropic }) => ({
      Anthropic,
      client: new Anthropic({ apiKey: settings.apiKey, baseURL: settings.baseURL, maxRetries: settings.maxRetries, timeout: settings.timeoutMs }),
    })));
  return {
    engine: 'anthropic',
    async complete({ system, messages, maxTokens, signal, onText }) {
      const params: MessageCreateParamsNonStreaming = {
        model: settings.model,
        max_tokens: maxTokens,
        system,
        messages: messages.map((m) => ({ role: m.role, content: m.text })),
      };
      const { Anthropic, client } = await load();
      let message: Message;
      try {
        if (onText) {
          const stream = client.messages.stream(params, { signal });
          stream.on('text', (delta) => onText(delta));
          message = await stream.finalMessage();
        } else {
          message = await client.messages.create(params, { signal });
        }
      } catch (error) {
        if (error instanceof Anthropic.AuthenticationError || error instanceof Anthropic.PermissionDeniedError) {
          throw new ModelCallError(`the Anthropic API refused the key (${error.status}): check ANTHROPIC_API_KEY`);
        }
        if (error instanceof Anthropic.APIError && error.status !== undefined) {
          const retried = error.status === 429 || error.status >= 500 ? ` after ${settings.maxRetries + 1} attempts` : '';
          throw new ModelCallError(`the Anthropic API answered ${error.status}${retried}: ${firstLine(error.message)}`);
        }
        throw new ModelCallError(`the Anthropic API could not be reached or answered malformed data: ${firstLine((error as Error).message)}`);
      }
      const text = message.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
      return { text, model: message.model, stopReason: message.stop_reason ?? null, usage: message.usage };
    },
    account(usage, reply) {
      return reply.usage ? addUsage(usage, reply.model, reply.usage) : { ...usage, requests: usage.requests + 1 };
    },
  };
}

function firstLine(s: string): string {
  const line = s.split('\n')[0]!.trim();
  return line.length > 300 ? `${line.slice(0, 297)}…` : line;
}
