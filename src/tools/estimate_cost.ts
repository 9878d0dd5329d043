import { z } from 'zod';
import { UserError } from '../errors.js';
import type { PhaseId } from '../phases/graph.js';
import type { DecisionsByPhase } from '../phases/types.js';
import { runAllPhases } from '../pipeline/runPhases.js';
import { SpecPatchSchema } from '../spec/patch.js';
import { specFromRequirements, type ResolvedSpec } from '../spec/resolve.js';
import { COST_COMPONENTS, COST_SCENARIOS, estimateCost as estimatePlatformCost, type CostUpstream } from '../stats/cost.js';
import { defineTool } from './tool.js';
import { phaseId, pipelineId } from './shared.js';

/** The last phase whose decisions the cost model reads (node pools, storage, serving sizing). */
const LAST_PHASE: PhaseId = 'kubernetes_architect';
const NEEDED: readonly (keyof CostUpstream)[] = ['data_engineer', 'data_scientist', 'ml_engineer', 'python_pro', 'mlops_engineer', 'kubernetes_architect'];

export const EstimateCostInput = z.strictObject({
  pipeline_id: pipelineId.optional().describe('A stored pipeline: its missing or stale phases up to kubernetes_architect run first (and are stored)'),
  requirements: z.string().min(1).max(20_000).optional().describe('Without pipeline_id: free-text requirements of an inline spec (hints are read from it)'),
  spec: SpecPatchSchema.optional().describe('Without pipeline_id: an inline deep-partial spec; defaults fill the rest and nothing is stored'),
  clouds: z
    .array(z.enum(COST_SCENARIOS))
    .min(1)
    .max(COST_SCENARIOS.length)
    .optional()
    .describe("Clouds to price the same design on; default: the spec's cloud first, then the other clouds for comparison. multi-cloud = the AWS and GCP clusters together"),
  peak_hours_per_day: z.number().min(0).max(24).optional().describe('Hours a day the serving fleet runs at its peak size (default 8); the rest of the day at the size the average rate needs'),
});

const LineItem = z.object({
  cloud: z.string(),
  environment: z.string(),
  component: z.enum(COST_COMPONENTS),
  item: z.string(),
  quantity: z.number(),
  quantity_unit: z.string(),
  hours: z.number().nullable(),
  unit_price_usd: z.number(),
  price_unit: z.string(),
  pricing: z.enum(['on-demand', 'spot', 'list']),
  monthly_usd: z.number(),
  price_entry: z.string().describe('the price-table entry used (dotted path in data/prices/cloud-prices.json)'),
  gpu_hours: z.number(),
});

const usdBy = (keys: readonly string[]) => z.object(Object.fromEntries(keys.map((k) => [k, z.number()])) as Record<string, z.ZodNumber>);

export const EstimateCostOutput = z.object({
  pipeline_id: z.string().nullable(),
  name: z.string(),
  phases_run: z.array(phaseId),
  currency: z.literal('USD'),
  hours_per_month: z.number(),
  peak_hours_per_day: z.number(),
  design_scenario: z.enum(COST_SCENARIOS),
  scenarios: z.array(
    z.object({
      scenario: z.enum(COST_SCENARIOS),
      clusters: z.array(z.string()),
      regions: z.record(z.string(), z.string()),
      design: z.boolean().describe("true for the spec's own cloud"),
      total_usd: z.number(),
      by_component: usdBy(COST_COMPONENTS),
      by_environment: usdBy(['dev', 'staging', 'prod', 'shared']),
      compute: z.object({ on_demand_usd: z.number(), spot_usd: z.number() }),
      spot_share_pct: z.number().describe('interruptible (training, batch) node-hours on spot'),
      gpu_hours: z.object({ training: z.number(), serving: z.number() }),
      serving: z.object({ replicas_at_peak: z.number(), replicas_at_average: z.number(), nodes_at_peak: z.number(), nodes_at_average: z.number(), idle_usd: z.number() }).nullable(),
      budget: z.object({ monthly_budget_usd: z.number(), share_pct: z.number(), verdict: z.enum(['within', 'near', 'over']), headroom_usd: z.number() }),
      line_items: z.array(LineItem),
    }),
  ),
  waste: z.object({ idle_at_average_pct: z.number(), max_waste_pct: z.number(), within: z.boolean(), average_rps: z.number(), peak_rps: z.number(), rps_per_replica: z.number() }),
  spot: z.object({ designed_share_pct: z.number(), min_spot_pct: z.number(), meets: z.boolean() }),
  price_table: z.object({ path: z.string(), as_of_oldest: z.string(), as_of_newest: z.string(), note: z.string(), sources: z.array(z.string()) }),
  assumptions: z.array(z.string()),
});

const usd = (v: number) => `${v.toLocaleString('en-US', { maximumFractionDigits: 0 })} USD`;

export const estimateCost = defineTool({
  name: 'estimate_cost',
  title: 'Estimate the monthly platform cost per cloud',
  description:
    "Monthly cost (730 h) of the designed platform per cloud, from the price table shipped with the server (its sources and dates are returned): every node pool the design plans (on-demand, spot, on-demand fallback, GPU), serving replicas at peak and at average load, scheduled training and batch scoring, control planes of the dev/staging/prod clusters, object storage per data layer with its retention and tiering, block and shared file storage, registry, load balancer, NAT. Each line item states quantity, hours, unit price and the price-table entry used. Also the total against team.budget_usd_per_month, the idle share at average load against slo.max_waste_pct and the spot share against slo.min_spot_pct. Give pipeline_id (its missing phases run and are stored) or an inline spec/requirements (nothing stored). Read-only estimate: list prices, no discounts.",
  input: EstimateCostInput,
  output: EstimateCostOutput,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler(args, { app, actor, session }) {
    let spec: ResolvedSpec;
    let upstream: Partial<DecisionsByPhase>;
    let ran: PhaseId[];
    if (args.pipeline_id !== undefined) {
      if (args.spec !== undefined || args.requirements !== undefined) throw new UserError('Give either pipeline_id or an inline spec/requirements, not both. To change a stored pipeline, call update_pipeline first.');
      // The cost comes from decisions, which are the same whatever the engine: no model call for missing phases.
      ({ ran } = await app.service.runPipeline(args.pipeline_id, { phases: [LAST_PHASE], actor, session, engine: 'template' }));
      const view = app.service.view(args.pipeline_id, true);
      spec = view.spec;
      upstream = Object.fromEntries(view.phases.filter((s) => s.current).map((s) => [s.phase, s.current!.decisions])) as Partial<DecisionsByPhase>;
    } else {
      if (args.spec === undefined && args.requirements === undefined) throw new UserError('Give pipeline_id, or an inline spec and/or requirements to price.');
      ({ spec } = specFromRequirements({ requirements: args.requirements ?? '', spec: args.spec as Record<string, unknown> | undefined }));
      const result = runAllPhases(spec, LAST_PHASE);
      upstream = Object.fromEntries(Object.entries(result.outputs).map(([p, o]) => [p, o!.decisions])) as Partial<DecisionsByPhase>;
      ran = Object.keys(result.outputs) as PhaseId[];
    }
    const missing = NEEDED.filter((p) => upstream[p] === undefined);
    if (missing.length > 0) throw new UserError(`The cost model needs the decisions of ${missing.join(', ')}; run them first (run_pipeline).`, 'precondition');
    let estimate;
    try {
      estimate = estimatePlatformCost(spec, upstream as CostUpstream, { clouds: args.clouds, peakHoursPerDay: args.peak_hours_per_day });
    } catch (error) {
      throw new UserError((error as Error).message);
    }
    const design = estimate.scenarios.find((s) => s.design) ?? estimate.scenarios[0]!;
    return {
      structured: { pipeline_id: args.pipeline_id ?? null, name: spec.name, phases_run: ran, ...estimate },
      text: [
        `Estimated monthly cost of ${spec.name} (${estimate.hours_per_month} h, list prices, price table as of ${estimate.price_table.as_of_newest}):`,
        ...estimate.scenarios.map(
          (s) =>
            `- ${s.scenario}${s.design ? ' (designed)' : ''}: ${usd(s.total_usd)} = ${s.budget.share_pct} % of the ${usd(s.budget.monthly_budget_usd)} budget (${s.budget.verdict}); serving ${usd(s.by_component.serving)}, training ${usd(s.by_component.training)}, batch ${usd(s.by_component.batch)}, platform ${usd(s.by_component.platform)}, storage ${usd(s.by_component.storage)}`,
        ),
        `Serving idles ${estimate.waste.idle_at_average_pct} % at the average load (limit ${estimate.waste.max_waste_pct} %: ${estimate.waste.within ? 'within' : 'above'}); designed spot share ${estimate.spot.designed_share_pct} % (minimum ${estimate.spot.min_spot_pct} %: ${estimate.spot.meets ? 'met' : 'not met'}).`,
        `Cheapest: ${[...estimate.scenarios].sort((a, b) => a.total_usd - b.total_usd)[0]!.scenario}. ${design.line_items.length} line items per cloud in the structured result, each naming its price-table entry.`,
      ].join('\n'),
    };
  },
});
