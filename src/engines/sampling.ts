import { McpError, type CreateMessageRequest, type CreateMessageResult } from '@modelcontextprotocol/sdk/types.js';
import { ModelCallError, type ModelClient } from './advice.js';

export type CreateMessage = (params: CreateMessageRequest['params'], options: { signal: AbortSignal; timeout: number }) => Promise<CreateMessageResult>;

/**
 * The `sampling` engine's model: the MCP client's own, asked with sampling/createMessage. The client chooses and
 * bills the model (the hint is only a preference) and reports no token counts.
 */
export function samplingModel(createMessage: CreateMessage, options: { modelHint: string | null; timeoutMs: number }): ModelClient {
  return {
    engine: 'sampling',
    async complete({ system, messages, maxTokens, signal }) {
      let result: CreateMessageResult;
      try {
        result = await createMessage(
          {
            systemPrompt: system,
            messages: messages.map((m) => ({ role: m.role, content: { type: 'text' as const, text: m.text } })),
            maxTokens,
            includeContext: 'none',
            temperature: 0.2,
            modelPreferences: {
              ...(options.modelHint ? { hints: [{ name: options.modelHint }] } : {}),
              intelligencePriority: 0.8,
              speedPriority: 0.3,
              costPriority: 0.3,
            },
          },
          { signal, timeout: options.timeoutMs },
        );
      } catch (error) {
        const message = (error as Error).message;
        // MCP clients answer -1 when their user declines a sampling request.
        if (error instanceof McpError && error.code === -1) throw new ModelCallError(`the client declined the sampling request (${message})`);
        throw new ModelCallError(`the client's sampling request failed (${message})`);
      }
      const blocks = (Array.isArray(result.content) ? result.content : [result.content]) as { type: string; text?: string }[];
      const text = blocks.filter((b) => b.type === 'text').map((b) => b.text ?? '').join('');
      if (!text && blocks.length > 0) throw new ModelCallError(`the client answered with ${blocks.map((b) => b.type).join(', ')} content, not text`);
      return { text, model: result.model, stopReason: result.stopReason ?? null, usage: null };
    },
    account(usage) {
      return { ...usage, requests: usage.requests + 1, cost_basis: 'MCP sampling: the client runs and bills the model and reports no token counts' };
    },
  };
}
