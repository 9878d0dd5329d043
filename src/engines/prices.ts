import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { packageRoot } from '../packageRoot.js';

export const LLM_PRICE_TABLE_PATH = 'data/prices/llm-prices.json';

const PriceTable = z.object({
  as_of: z.string(),
  models: z.record(z.string(), z.object({ input: z.number().nonnegative(), output: z.number().nonnegative() })),
});
type PriceTable = z.output<typeof PriceTable>;

/** Tokens one phase run spent on a model, and what they cost when the model has a price on file. */
export interface TokenUsage {
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cost_usd: number | null;
  /** Where the cost came from, or why there is none. */
  cost_basis: string;
}

let cached: PriceTable | undefined;
function table(): PriceTable {
  cached ??= PriceTable.parse(JSON.parse(readFileSync(join(packageRoot(), LLM_PRICE_TABLE_PATH), 'utf8')));
  return cached;
}

/** The price entry for a model id: the id itself, or the longest entry it extends with a suffix (a dated release). */
export function priceOf(model: string, prices: PriceTable = table()): { id: string; input: number; output: number } | undefined {
  if (prices.models[model]) return { id: model, ...prices.models[model]! };
  const base = Object.keys(prices.models)
    .filter((id) => model.startsWith(`${id}-`) && /^\d{8}$/.test(model.slice(id.length + 1)))
    .sort((a, b) => b.length - a.length)[0];
  return base ? { id: base, ...prices.models[base]! } : undefined;
}

export function emptyUsage(): TokenUsage {
  return { requests: 0, input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, cost_usd: null, cost_basis: 'no tokens reported' };
}

/** Adds one response's token counts to a running total and prices the total for `model`. */
export function addUsage(
  total: TokenUsage,
  model: string,
  reply: { input_tokens: number; output_tokens: number; cache_creation_input_tokens?: number | null; cache_read_input_tokens?: number | null },
): TokenUsage {
  const sum: TokenUsage = {
    ...total,
    requests: total.requests + 1,
    input_tokens: total.input_tokens + reply.input_tokens,
    output_tokens: total.output_tokens + reply.output_tokens,
    cache_creation_input_tokens: total.cache_creation_input_tokens + (reply.cache_creation_input_tokens ?? 0),
    cache_read_input_tokens: total.cache_read_input_tokens + (reply.cache_read_input_tokens ?? 0),
  };
  const price = priceOf(model);
  if (!price) return { ...sum, cost_usd: null, cost_basis: `no price on file for ${model} in ${LLM_PRICE_TABLE_PATH}` };
  const dollars =
    (sum.input_tokens * price.input + sum.output_tokens * price.output + sum.cache_creation_input_tokens * price.input * 1.25 + sum.cache_read_input_tokens * price.input * 0.1) / 1e6;
  return { ...sum, cost_usd: Math.round(dollars * 1e6) / 1e6, cost_basis: `${price.id} list price as of ${table().as_of}: $${price.input}/$${price.output} per million input/output tokens` };
}

/** The tokens and cost of several runs' reviews (runs without a review count for nothing). */
export function usageTotals(usages: readonly (TokenUsage | null)[]): { input_tokens: number; output_tokens: number; cost_usd: number; unpriced_runs: number } {
  const used = usages.filter((u): u is TokenUsage => u !== null);
  return {
    input_tokens: used.reduce((n, u) => n + u.input_tokens, 0),
    output_tokens: used.reduce((n, u) => n + u.output_tokens, 0),
    cost_usd: Math.round(used.reduce((n, u) => n + (u.cost_usd ?? 0), 0) * 1e6) / 1e6,
    unpriced_runs: used.filter((u) => u.cost_usd === null).length,
  };
}
