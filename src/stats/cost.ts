/**
 * Monthly platform cost per cloud, from the price table shipped in data/prices/cloud-prices.json and the node pools
 * the design actually plans (mlops_engineer's planNodePools, the same function the Terraform node pools come from).
 *
 * Pure and deterministic: the same spec, upstream decisions and price table give the same figures. Every line item
 * names the price-table entry it used, so a reader can check (or update) the one figure it rests on.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ENVIRONMENTS, type Environment } from '../generators/kubernetes/parameters.js';
import { ECR_KEEP_IMAGES } from '../generators/terraform/aws.js';
import { DEFAULT_REGIONS } from '../generators/terraform/envs.js';
import { isInterruptible, poolsForEnv, spotShare } from '../generators/terraform/nodePools.js';
import type { Cloud, NodePoolPlan } from '../generators/terraform/types.js';
import { packageRoot } from '../packageRoot.js';
import { averageRps } from '../phases/common.js';
import { derivePlan as planData } from '../phases/data_engineer/derive.js';
import { serverDeployed, planMlops } from '../phases/mlops_engineer/derive.js';
import { bucketPlans, planNodePools, type NodePoolFigure } from '../phases/mlops_engineer/infra.js';
import { runsPerDay } from '../phases/observability_engineer/cron.js';
import type { DecisionsByPhase } from '../phases/types.js';
import type { ResolvedSpec } from '../spec/resolve.js';

// ---------------------------------------------------------------------------------------------------------------
// Price table

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'as_of must be a date, YYYY-MM-DD');
const source = z.url({ protocol: /^https$/ }).describe('page or file the figure was read from (or, with a note saying so, remembered from)');

const PriceEntry = z.strictObject({
  usd: z.number().nonnegative(),
  unit: z.enum(['hour', 'cluster-hour', 'GB-month']),
  source,
  as_of: isoDate,
  note: z.string().min(1),
  min_gb: z.number().nonnegative().optional().describe('smallest billable size (Filestore basic: 1 TiB)'),
  included_gb: z.number().nonnegative().optional(),
  flat_monthly_usd: z.number().nonnegative().optional().describe('a fixed monthly fee (Azure Container Registry Premium)'),
});
export type PriceEntry = z.infer<typeof PriceEntry>;

const MachinePrice = z
  .strictObject({
    on_demand_hourly: z.number().positive(),
    spot_hourly: z.number().positive(),
    source,
    as_of: isoDate,
    note: z.string().min(1),
  })
  .refine((m) => m.spot_hourly <= m.on_demand_hourly, { message: 'spot_hourly must not exceed on_demand_hourly' });
export type MachinePrice = z.infer<typeof MachinePrice>;

const CloudPrices = z.strictObject({
  region: z.string().min(1),
  machines: z.record(z.string().min(1), MachinePrice),
  kubernetes_control_plane: PriceEntry,
  object_storage: PriceEntry,
  object_storage_infrequent: PriceEntry,
  block_storage: PriceEntry,
  file_storage: PriceEntry,
  registry_storage: PriceEntry,
  load_balancer: PriceEntry,
  nat_gateway: PriceEntry,
});
export type CloudPrices = z.infer<typeof CloudPrices>;

export const PriceTableSchema = z.strictObject({
  schema_version: z.literal(1),
  currency: z.literal('USD'),
  hours_per_month: z.number().positive(),
  note: z.string().min(1),
  clouds: z.strictObject({ aws: CloudPrices, gcp: CloudPrices, azure: CloudPrices }),
});
export type PriceTable = z.infer<typeof PriceTableSchema>;

export const PRICE_TABLE_PATH = 'data/prices/cloud-prices.json';

/** Validates a parsed price table; the error lists every bad field. */
export function parsePriceTable(json: unknown): PriceTable {
  const result = PriceTableSchema.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`invalid price table ${PRICE_TABLE_PATH}: ${issues}`);
  }
  return result.data;
}

let cached: PriceTable | undefined;

/** The shipped price table, read from the package root (works from src/ and dist/) and validated once. */
export function loadPriceTable(): PriceTable {
  cached ??= parsePriceTable(JSON.parse(readFileSync(join(packageRoot(), PRICE_TABLE_PATH), 'utf8')) as unknown);
  return cached;
}

// ---------------------------------------------------------------------------------------------------------------
// Model

export const PRICED_CLOUDS = ['aws', 'gcp', 'azure'] as const satisfies readonly Cloud[];
export type PricedCloud = (typeof PRICED_CLOUDS)[number];
export const COST_SCENARIOS = ['aws', 'gcp', 'azure', 'multi-cloud'] as const;
export type CostScenario = (typeof COST_SCENARIOS)[number];
export const COST_COMPONENTS = ['serving', 'training', 'batch', 'stream', 'platform', 'storage', 'monitoring'] as const;
export type CostComponent = (typeof COST_COMPONENTS)[number];

/** Stated assumptions (each appears in the estimate's assumptions list). */
export const ASSUMPTIONS = {
  peakHoursPerDay: 8,
  /** Days in a 730-hour month. */
  daysPerMonth: 730 / 24,
  imageGb: { server: 3, jobs: 1.5 },
  monitoringVolumeGb: { prod: 100, staging: 30, dev: 10 } as Record<Environment, number>,
  /** Data layers without a retention are priced at one year of data. */
  unboundedRetentionDays: 365,
  nearBudgetPct: 80,
} as const;

export type CostUpstream = Pick<DecisionsByPhase, 'data_engineer' | 'data_scientist' | 'ml_engineer' | 'python_pro' | 'mlops_engineer' | 'kubernetes_architect'>;

export interface CostOptions {
  /** Scenarios to price; default: the spec's cloud first, then the other clouds for comparison. */
  clouds?: readonly CostScenario[];
  /** Hours per day the serving fleet runs at its peak size (default ASSUMPTIONS.peakHoursPerDay). */
  peakHoursPerDay?: number;
  prices?: PriceTable;
}

export interface CostLineItem {
  cloud: PricedCloud;
  environment: Environment | 'shared';
  component: CostComponent;
  item: string;
  quantity: number;
  quantity_unit: string;
  hours: number | null;
  unit_price_usd: number;
  price_unit: string;
  pricing: 'on-demand' | 'spot' | 'list';
  monthly_usd: number;
  /** Dotted path of the price-table entry used, e.g. clouds.aws.machines.m6i.xlarge.spot_hourly. */
  price_entry: string;
  gpu_hours: number;
}

export interface ScenarioCost {
  scenario: CostScenario;
  clusters: PricedCloud[];
  regions: Record<string, string>;
  design: boolean;
  line_items: CostLineItem[];
  total_usd: number;
  by_component: Record<CostComponent, number>;
  by_environment: Record<Environment | 'shared', number>;
  compute: { on_demand_usd: number; spot_usd: number };
  /** Interruptible (training, batch) node-hours on spot, percent; the rest runs on the on-demand fallback pools. */
  spot_share_pct: number;
  gpu_hours: { training: number; serving: number };
  serving: { replicas_at_peak: number; replicas_at_average: number; nodes_at_peak: number; nodes_at_average: number; idle_usd: number } | null;
  budget: { monthly_budget_usd: number; share_pct: number; verdict: 'within' | 'near' | 'over'; headroom_usd: number };
}

export interface CostEstimate {
  currency: 'USD';
  hours_per_month: number;
  peak_hours_per_day: number;
  design_scenario: CostScenario;
  scenarios: ScenarioCost[];
  waste: { idle_at_average_pct: number; max_waste_pct: number; within: boolean; average_rps: number; peak_rps: number; rps_per_replica: number };
  spot: { designed_share_pct: number; min_spot_pct: number; meets: boolean };
  price_table: { path: string; as_of_oldest: string; as_of_newest: string; note: string; sources: string[] };
  assumptions: string[];
}

const round2 = (v: number) => Math.round(v * 100) / 100;
const sig = (v: number) => Number(v.toPrecision(6));

export function scenarioClouds(s: CostScenario): PricedCloud[] {
  return s === 'multi-cloud' ? ['aws', 'gcp'] : [s];
}

/** The spec's cloud first, then the single clouds it is compared with. */
export function defaultScenarios(spec: ResolvedSpec): CostScenario[] {
  const own = spec.options.cloud_provider;
  return [own, ...PRICED_CLOUDS.filter((c) => c !== own)];
}

function machinePrice(prices: PriceTable, cloud: PricedCloud, machine: string): MachinePrice {
  const m = prices.clouds[cloud].machines[machine];
  if (!m) throw new Error(`price table ${PRICE_TABLE_PATH} has no price for ${cloud} machine ${machine} (a node pool the design plans)`);
  return m;
}

interface Ctx {
  spec: ResolvedSpec;
  up: CostUpstream;
  prices: PriceTable;
  hours: number;
  peakHours: number;
  items: CostLineItem[];
}

function add(ctx: Ctx, item: Omit<CostLineItem, 'monthly_usd' | 'gpu_hours'> & { gpu_hours?: number }, monthly: number): void {
  ctx.items.push({ ...item, quantity: sig(item.quantity), hours: item.hours === null ? null : sig(item.hours), gpu_hours: sig(item.gpu_hours ?? 0), monthly_usd: round2(monthly) });
}

/** Node-hours of one pool priced on-demand or spot. */
function poolItem(ctx: Ctx, cloud: PricedCloud, env: Environment, component: CostComponent, pool: NodePoolPlan, nodes: number, hours: number, what: string): void {
  if (nodes <= 0 || hours <= 0) return;
  const m = machinePrice(ctx.prices, cloud, pool.machine_type);
  const spot = pool.spot;
  const unit = spot ? m.spot_hourly : m.on_demand_hourly;
  add(
    ctx,
    {
      cloud,
      environment: env,
      component,
      item: `${what}: node pool ${pool.key} (${pool.machine_type}${pool.gpus_per_node ? `, ${pool.gpus_per_node}× ${pool.gpu_type}` : ''}, ${spot ? 'spot' : 'on-demand'})`,
      quantity: nodes,
      quantity_unit: 'nodes',
      hours,
      unit_price_usd: unit,
      price_unit: 'USD per node-hour',
      pricing: spot ? 'spot' : 'on-demand',
      price_entry: `clouds.${cloud}.machines.${pool.machine_type}.${spot ? 'spot_hourly' : 'on_demand_hourly'}`,
      gpu_hours: pool.gpus_per_node * nodes * hours,
    },
    nodes * hours * unit,
  );
}

function listItem(ctx: Ctx, cloud: PricedCloud, env: Environment | 'shared', component: CostComponent, key: Exclude<keyof CloudPrices, 'region' | 'machines'>, item: string, quantity: number, quantityUnit: string, hours: number | null): void {
  const e = ctx.prices.clouds[cloud][key];
  if (quantity <= 0) return;
  let monthly: number;
  let billed = quantity;
  if (e.unit === 'GB-month') {
    billed = Math.max(quantity, e.min_gb ?? 0);
    monthly = (e.flat_monthly_usd ?? 0) + Math.max(0, billed - (e.included_gb ?? 0)) * e.usd;
  } else {
    monthly = quantity * (hours ?? ctx.hours) * e.usd;
  }
  if (monthly <= 0 && !e.flat_monthly_usd) return;
  add(
    ctx,
    {
      cloud,
      environment: env,
      component,
      item: billed !== quantity ? `${item} (billed at the ${billed} GB minimum)` : e.flat_monthly_usd ? `${item} (flat ${e.flat_monthly_usd} USD/month, ${e.included_gb ?? 0} GB included)` : item,
      quantity: billed,
      quantity_unit: quantityUnit,
      hours: e.unit === 'GB-month' ? null : (hours ?? ctx.hours),
      unit_price_usd: e.usd,
      price_unit: e.unit === 'GB-month' ? 'USD per GB-month' : e.unit === 'cluster-hour' ? 'USD per cluster-hour' : 'USD per hour',
      pricing: 'list',
      price_entry: `clouds.${cloud}.${key}`,
    },
    monthly,
  );
}

interface ServingShape {
  peakRps: number;
  averageRps: number;
  rpsPerReplica: number;
  replicasAtPeak: number;
  replicasAtAverage: number;
  idlePct: number;
}

function servingShape(spec: ResolvedSpec, up: CostUpstream): ServingShape | null {
  const s = up.mlops_engineer.serving;
  if (!s.deployed) return null;
  const k8s = up.kubernetes_architect.autoscaling;
  const rpsPerReplica = k8s.target_rps_per_pod || s.rps_per_replica;
  const peakRps = s.peak_prediction_rps;
  const avg = peakRps * (averageRps(spec) / spec.scale.peak_rps);
  const min = Math.max(1, s.min_replicas);
  const replicasAtPeak = Math.min(Math.max(min, s.max_replicas), Math.max(min, Math.ceil(peakRps / rpsPerReplica - 1e-9)));
  const replicasAtAverage = Math.max(min, Math.ceil(avg / rpsPerReplica - 1e-9));
  const idlePct = Math.round(1000 * (1 - avg / (replicasAtAverage * rpsPerReplica))) / 10;
  return { peakRps, averageRps: sig(avg), rpsPerReplica, replicasAtPeak, replicasAtAverage, idlePct: Math.max(0, idlePct) };
}

function priceCluster(ctx: Ctx, cloud: PricedCloud, figures: NodePoolFigure[], shape: ServingShape | null, spotPct: number): { servingNodes: { peak: number; average: number } | null } {
  const { spec, up, hours } = ctx;
  const plans = figures.map((f) => f.pool);
  const ml = up.ml_engineer;
  const monthDays = ASSUMPTIONS.daysPerMonth;
  let servingNodes: { peak: number; average: number } | null = null;
  for (const env of ENVIRONMENTS) {
    const pools = poolsForEnv(plans, env, spec.slo.min_spot_pct);
    const byKey = (key: string) => pools.find((p) => p.key === key);
    for (const pool of pools) {
      const fig = figures.find((f) => f.pool.key === pool.key);
      if (pool.workload === 'system') {
        // The add-ons' floor runs around the clock; in prod the nodes for stream consumers too (max = 2 × floor + consumer nodes).
        const prodSystem = plans.find((p) => p.key === pool.key)!;
        const consumerNodes = env === 'prod' ? Math.max(0, prodSystem.max_nodes - 2 * prodSystem.min_nodes) : 0;
        poolItem(ctx, cloud, env, 'platform', pool, pool.min_nodes, hours, 'cluster add-ons and monitoring agents');
        poolItem(ctx, cloud, env, 'stream', pool, consumerNodes, hours, 'stream consumers');
        continue;
      }
      if (pool.workload === 'serving' || pool.workload === 'gpu-serving') {
        const ppn = Math.max(1, fig?.pods_per_node ?? 1);
        if (env === 'prod' && shape) {
          const peak = Math.max(pool.min_nodes, Math.ceil(shape.replicasAtPeak / ppn - 1e-9));
          const average = Math.max(pool.min_nodes, Math.ceil(shape.replicasAtAverage / ppn - 1e-9));
          servingNodes = { peak, average };
          const peakHours = ctx.peakHours * monthDays;
          poolItem(ctx, cloud, env, 'serving', pool, peak, peakHours, `model servers at peak (${shape.replicasAtPeak} replicas, ${ctx.peakHours} h/day)`);
          poolItem(ctx, cloud, env, 'serving', pool, average, hours - peakHours, `model servers at average load (${shape.replicasAtAverage} replicas, ${24 - ctx.peakHours} h/day)`);
        } else {
          poolItem(ctx, cloud, env, 'serving', pool, pool.min_nodes, hours, 'model servers (pre-production minimum)');
        }
        continue;
      }
      if (!isInterruptible(pool) || env !== 'prod') continue;
      // Interruptible work runs only in prod: scheduled training and batch scoring, on spot at the designed share of
      // node-hours and on the on-demand fallback for the rest (the fallback's bound; conservative).
      const fallbackOf = pool.labels['mlops-mcp/fallback-for'];
      const base = fallbackOf ? byKey(fallbackOf) : pool;
      if (!base) continue;
      const isTraining = base.workload === 'training' || base.workload === 'gpu-training';
      const runs = isTraining ? runsPerDay(ml.training.schedule) * monthDays : up.mlops_engineer.batch ? runsPerDay(up.mlops_engineer.batch.schedule) * monthDays : 0;
      const minutes = isTraining ? ml.training.expected_minutes : (up.mlops_engineer.batch?.expected_minutes ?? 0);
      const runHours = (runs * minutes) / 60;
      const share = fallbackOf ? 1 - spotPct / 100 : spotPct / 100;
      const what = isTraining ? `scheduled training (${sig(runs)} runs × ${minutes} min)` : `batch scoring (${sig(runs)} runs × ${minutes} min)`;
      poolItem(ctx, cloud, env, isTraining ? 'training' : 'batch', pool, base.max_nodes, runHours * share, `${what}, ${Math.round(share * 1000) / 10} % of the node-hours`);
    }
    // Per environment: control plane, NAT, the serving load balancer, monitoring volume.
    listItem(ctx, cloud, env, 'platform', 'kubernetes_control_plane', 'managed Kubernetes control plane', 1, 'clusters', hours);
    listItem(ctx, cloud, env, 'platform', 'nat_gateway', 'NAT gateway', 1, 'gateways', hours);
    if (serverDeployed(up.mlops_engineer.serving.modes)) listItem(ctx, cloud, env, 'serving', 'load_balancer', 'serving ingress load balancer', 1, 'load balancers', hours);
    listItem(ctx, cloud, env, 'monitoring', 'block_storage', 'Prometheus and Loki volumes', ASSUMPTIONS.monitoringVolumeGb[env], 'GB', null);
    const storage = up.kubernetes_architect.storage;
    if (storage.model_cache.kind === 'pvc') listItem(ctx, cloud, env, 'serving', 'file_storage', 'model cache (ReadWriteMany)', storage.model_cache.request_gi, 'GB', null);
    if (env === 'prod') {
      if (storage.training_pvc_name) listItem(ctx, cloud, env, 'training', 'block_storage', 'training data volume', storage.training_pvc_gi, 'GB', null);
      if (storage.online_store.mode === 'in-cluster') listItem(ctx, cloud, env, 'serving', 'block_storage', 'in-cluster online feature store volume', storage.online_store_gb, 'GB', null);
    }
  }
  return { servingNodes };
}

/** The prediction log (served features, prediction, version): one row per prediction, 8 bytes per feature plus ~64 bytes of keys and metadata, uncompressed. */
function predictionLogGbPerDay(spec: ResolvedSpec): number {
  const rowsPerDay = (spec.options.deployment_mode === 'batch' ? 0 : averageRps(spec) * 86_400) + (spec.options.deployment_mode === 'realtime' ? 0 : spec.scale.batch_size);
  return sig((rowsPerDay * (spec.data.features.length * 8 + 64)) / 1e9);
}

function priceStorage(ctx: Ctx, cloud: PricedCloud): void {
  const data = planData(ctx.spec);
  for (const b of bucketPlans(ctx.spec, ctx.up.data_engineer)) {
    if (b.layer === 'models') continue;
    const days = b.retention_days ?? ASSUMPTIONS.unboundedRetentionDays;
    const hotDays = b.cool_after_days === null ? days : Math.min(days, b.cool_after_days);
    const perDay = b.layer === 'monitoring' ? predictionLogGbPerDay(ctx.spec) : data.layers[b.layer as 'raw' | 'processed' | 'features'].gb_per_day_stored;
    listItem(ctx, cloud, 'shared', 'storage', 'object_storage', `${b.layer} layer, first ${hotDays} days (${perDay} GB/day stored)`, sig(perDay * hotDays), 'GB', null);
    if (days > hotDays) listItem(ctx, cloud, 'shared', 'storage', 'object_storage_infrequent', `${b.layer} layer, days ${hotDays + 1}–${days} in the infrequent-access tier`, sig(perDay * (days - hotDays)), 'GB', null);
  }
  const images = (serverDeployed(ctx.up.mlops_engineer.serving.modes) ? ASSUMPTIONS.imageGb.server : 0) + ASSUMPTIONS.imageGb.jobs;
  listItem(ctx, cloud, 'shared', 'platform', 'registry_storage', `container images (${ECR_KEEP_IMAGES} kept per repository)`, images * ECR_KEEP_IMAGES, 'GB', null);
}

function sumBy<K extends string>(items: readonly CostLineItem[], keys: readonly K[], key: (i: CostLineItem) => K): Record<K, number> {
  const out = Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
  for (const i of items) out[key(i)] += i.monthly_usd;
  for (const k of keys) out[k] = round2(out[k]);
  return out;
}

/** Monthly cost of the designed platform on each requested cloud (or cloud pair for multi-cloud). */
export function estimateCost(spec: ResolvedSpec, up: CostUpstream, options: CostOptions = {}): CostEstimate {
  const prices = options.prices ?? loadPriceTable();
  const hours = prices.hours_per_month;
  const peakHours = options.peakHoursPerDay ?? ASSUMPTIONS.peakHoursPerDay;
  if (!(peakHours >= 0 && peakHours <= 24)) throw new Error(`peak_hours_per_day must be between 0 and 24, got ${peakHours}`);
  const scenarios = options.clouds && options.clouds.length > 0 ? [...new Set(options.clouds)] : defaultScenarios(spec);
  const plan = planMlops(spec, up.data_scientist, up.ml_engineer, up.python_pro);
  const surge = up.mlops_engineer.rollout.max_surge_factor;
  const shape = servingShape(spec, up);
  const budget = spec.team.budget_usd_per_month;
  let designedSpot = 100;

  const results: ScenarioCost[] = scenarios.map((scenario) => {
    const ctx: Ctx = { spec, up, prices, hours, peakHours, items: [] };
    const clusters = scenarioClouds(scenario);
    let servingNodes: { peak: number; average: number } | null = null;
    let spotPct = 100;
    for (const cloud of clusters) {
      const figures = planNodePools(spec, plan, up.ml_engineer, surge, cloud);
      spotPct = spotShare(poolsForEnv(figures.map((f) => f.pool), 'prod', spec.slo.min_spot_pct)).spot_pct;
      const r = priceCluster(ctx, cloud, figures, shape, spotPct);
      servingNodes ??= r.servingNodes;
      priceStorage(ctx, cloud);
    }
    if (scenario === spec.options.cloud_provider) designedSpot = spotPct;
    const items = ctx.items;
    const total = round2(items.reduce((s, i) => s + i.monthly_usd, 0));
    const onDemand = items.filter((i) => i.pricing === 'on-demand').reduce((s, i) => s + i.monthly_usd, 0);
    const spot = items.filter((i) => i.pricing === 'spot').reduce((s, i) => s + i.monthly_usd, 0);
    const interruptible = items.filter((i) => (i.component === 'training' || i.component === 'batch') && i.hours !== null && i.pricing !== 'list');
    const intHours = interruptible.reduce((s, i) => s + i.quantity * i.hours!, 0);
    const spotHours = interruptible.filter((i) => i.pricing === 'spot').reduce((s, i) => s + i.quantity * i.hours!, 0);
    const servingCompute = items.filter((i) => i.component === 'serving' && i.environment === 'prod' && i.pricing === 'on-demand').reduce((s, i) => s + i.monthly_usd, 0);
    const share = budget > 0 ? Math.round((1000 * total) / budget) / 10 : 0;
    return {
      scenario,
      clusters,
      regions: Object.fromEntries(clusters.map((c) => [c, prices.clouds[c].region || DEFAULT_REGIONS[c]])),
      design: scenario === spec.options.cloud_provider,
      line_items: items,
      total_usd: total,
      by_component: sumBy(items, COST_COMPONENTS, (i) => i.component),
      by_environment: sumBy(items, [...ENVIRONMENTS, 'shared'] as const, (i) => i.environment),
      compute: { on_demand_usd: round2(onDemand), spot_usd: round2(spot) },
      spot_share_pct: intHours > 0 ? Math.round((1000 * spotHours) / intHours) / 10 : 100,
      gpu_hours: {
        training: sig(items.filter((i) => i.component === 'training').reduce((s, i) => s + i.gpu_hours, 0)),
        serving: sig(items.filter((i) => i.component === 'serving').reduce((s, i) => s + i.gpu_hours, 0)),
      },
      serving: shape && servingNodes ? { replicas_at_peak: shape.replicasAtPeak, replicas_at_average: shape.replicasAtAverage, nodes_at_peak: servingNodes.peak, nodes_at_average: servingNodes.average, idle_usd: round2((servingCompute * shape.idlePct) / 100) } : null,
      budget: { monthly_budget_usd: budget, share_pct: share, verdict: total > budget ? 'over' : share >= ASSUMPTIONS.nearBudgetPct ? 'near' : 'within', headroom_usd: round2(budget - total) },
    };
  });

  const entries = PRICED_CLOUDS.flatMap((c) => {
    const p = prices.clouds[c];
    const { region: _r, machines, ...rest } = p;
    return [...Object.values(machines), ...Object.values(rest)];
  });
  const dates = entries.map((e) => e.as_of).sort();
  const design = spec.options.cloud_provider;
  return {
    currency: 'USD',
    hours_per_month: hours,
    peak_hours_per_day: peakHours,
    design_scenario: design,
    scenarios: results,
    waste: { idle_at_average_pct: shape?.idlePct ?? 0, max_waste_pct: spec.slo.max_waste_pct, within: (shape?.idlePct ?? 0) <= spec.slo.max_waste_pct, average_rps: shape?.averageRps ?? 0, peak_rps: shape?.peakRps ?? 0, rps_per_replica: shape?.rpsPerReplica ?? 0 },
    spot: { designed_share_pct: designedSpot, min_spot_pct: spec.slo.min_spot_pct, meets: designedSpot >= spec.slo.min_spot_pct },
    price_table: { path: PRICE_TABLE_PATH, as_of_oldest: dates[0] ?? '', as_of_newest: dates[dates.length - 1] ?? '', note: prices.note, sources: [...new Set(entries.map((e) => e.source))].sort() },
    assumptions: [
      `${hours} hours a month; list prices of one region per cloud (${PRICED_CLOUDS.map((c) => `${c} ${prices.clouds[c].region}`).join(', ')}), no discounts or free tiers`,
      `three clusters per cloud (dev, staging, prod), node pools scaled per environment as the Terraform env roots do`,
      `serving: ${peakHours} h/day at the replicas the peak needs, the rest at the replicas the average rate needs (never below the minimum); pre-production environments run their minimum`,
      'training and batch scoring run only in prod, on their schedule for the expected duration, with the whole pool; node-hours split spot vs on-demand fallback at the designed spot share (the fallback pool\'s bound, so conservative)',
      `object storage at the steady state of each layer's retention (hot for the first 30 days, then the infrequent tier; layers without retention at ${ASSUMPTIONS.unboundedRetentionDays} days); model artifacts not priced`,
      `container images ${ASSUMPTIONS.imageGb.server} GB (server) and ${ASSUMPTIONS.imageGb.jobs} GB (jobs), ${ECR_KEEP_IMAGES} kept each; monitoring volumes ${ENVIRONMENTS.map((e) => `${e} ${ASSUMPTIONS.monitoringVolumeGb[e]} GB`).join(', ')}`,
      'not priced: egress and data processed by load balancers and NAT, managed online stores (Memorystore, ElastiCache, Azure Cache), vendor monitoring subscriptions, HPO trials beyond the scheduled run',
    ],
  };
}
