import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/packageRoot.js';
import { decisionsOf } from '../helpers/phaseHarness.js';
import { runAllPhases } from '../../src/pipeline/runPhases.js';
import type { ResolvedSpec } from '../../src/spec/resolve.js';
import { ASSUMPTIONS, PRICE_TABLE_PATH, estimateCost, loadPriceTable, parsePriceTable, type CostEstimate, type CostUpstream, type PriceTable, type ScenarioCost } from '../../src/stats/cost.js';
import { defaultSpec, richSpec, withPatch } from '../helpers/specs.js';

/** The decisions the cost model reads, from the real phases run in memory (memoised per spec object). */
const upstreams = new WeakMap<ResolvedSpec, CostUpstream>();
function upstream(spec: ResolvedSpec): CostUpstream {
  let up = upstreams.get(spec);
  if (!up) {
    up = decisionsOf(runAllPhases(spec, 'kubernetes_architect').outputs) as CostUpstream;
    upstreams.set(spec, up);
  }
  return up;
}
const estimate = (spec: ResolvedSpec, options: Parameters<typeof estimateCost>[2] = {}) => estimateCost(spec, upstream(spec), options);
const scenario = (e: CostEstimate, s: string): ScenarioCost => e.scenarios.find((x) => x.scenario === s)!;
const raw = (): PriceTable => JSON.parse(readFileSync(join(packageRoot(), PRICE_TABLE_PATH), 'utf8')) as PriceTable;
/** The value a dotted price_entry path points at in the table. */
function entryValue(table: PriceTable, path: string): number {
  const parts = path.split('.');
  // machine names contain dots: clouds.<cloud>.machines.<machine>.<field>
  if (parts[2] === 'machines') {
    const field = parts[parts.length - 1] as 'spot_hourly' | 'on_demand_hourly';
    const machine = parts.slice(3, -1).join('.');
    return table.clouds[parts[1] as 'aws'][`machines`][machine]![field];
  }
  return (table.clouds[parts[1] as 'aws'] as unknown as Record<string, { usd: number }>)[parts[2]!]!.usd;
}

const DEFAULT = defaultSpec();
const RICH = richSpec();

describe('the shipped price table', () => {
  it('loads from the package root and validates: every entry has an https source, an as_of date and a note', () => {
    const t = loadPriceTable();
    expect(t.hours_per_month).toBe(730);
    expect(t.note).toMatch(/spot/i);
    expect(t.note).toMatch(/representative/i);
    for (const cloud of ['aws', 'gcp', 'azure'] as const) {
      const c = t.clouds[cloud];
      expect(Object.keys(c.machines).length).toBeGreaterThan(10);
      for (const m of Object.values(c.machines)) {
        expect(m.source).toMatch(/^https:\/\//);
        expect(m.as_of).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(m.spot_hourly).toBeLessThanOrEqual(m.on_demand_hourly);
      }
    }
  });

  it('the regions are the ones the Terraform defaults to', () => {
    const t = loadPriceTable();
    expect([t.clouds.aws.region, t.clouds.gcp.region, t.clouds.azure.region]).toEqual(['us-east-1', 'us-central1', 'eastus']);
  });

  it.each([
    ['a missing as_of', (t: PriceTable) => delete (t.clouds.aws.machines['m6i.large'] as Partial<PriceTable['clouds']['aws']['machines'][string]>).as_of, /clouds\.aws\.machines\.m6i\.large\.as_of/],
    ['an http source', (t: PriceTable) => (t.clouds.gcp.object_storage.source = 'http://example.com/prices'), /clouds\.gcp\.object_storage\.source/],
    ['a spot price above on-demand', (t: PriceTable) => (t.clouds.azure.machines['Standard_D4s_v5']!.spot_hourly = 9), /spot_hourly must not exceed/],
    ['a missing cloud', (t: PriceTable) => delete (t.clouds as Partial<PriceTable['clouds']>).gcp, /clouds\.gcp/],
    ['an unknown field', (t: PriceTable) => ((t.clouds.aws.block_storage as Record<string, unknown>).discount = 0.1), /clouds\.aws\.block_storage/],
    ['a negative price', (t: PriceTable) => (t.clouds.aws.load_balancer.usd = -1), /clouds\.aws\.load_balancer\.usd/],
  ])('rejects a table with %s, naming the field', (_what, breakIt, message) => {
    const t = raw();
    breakIt(t);
    expect(() => parsePriceTable(t)).toThrow(message);
  });

  it('prices every machine the node-pool planner picks, on every cloud, for small, GPU and large designs', () => {
    const specs = [DEFAULT, RICH, withPatch(DEFAULT, { scale: { peak_rps: 20_000, serving_gpus: 2, training_gpus: 8 } }), withPatch(RICH, { scale: { serving_gpus: 4, training_gpus: 16 } })];
    for (const spec of specs) expect(() => estimate(spec, { clouds: ['aws', 'gcp', 'azure'] })).not.toThrow();
  });
});

describe('estimateCost on the default spec', () => {
  const e = estimate(DEFAULT);
  const aws = scenario(e, 'aws');

  it('prices the spec cloud first, then the other two for comparison', () => {
    expect(e.scenarios.map((s) => s.scenario)).toEqual(['aws', 'gcp', 'azure']);
    expect(e.scenarios.map((s) => s.design)).toEqual([true, false, false]);
    expect(e.design_scenario).toBe('aws');
  });

  it('every line item uses the price-table entry it names, and the items add up to the total', () => {
    const t = loadPriceTable();
    for (const s of e.scenarios) {
      for (const i of s.line_items) {
        expect(entryValue(t, i.price_entry), i.price_entry).toBe(i.unit_price_usd);
        if (i.hours !== null && i.pricing !== 'list') expect(i.monthly_usd).toBeCloseTo(i.quantity * i.hours * i.unit_price_usd, 1);
      }
      expect(s.total_usd).toBeCloseTo(s.line_items.reduce((sum, i) => sum + i.monthly_usd, 0), 1);
      expect(Object.values(s.by_component).reduce((a, b) => a + b, 0)).toBeCloseTo(s.total_usd, 1);
      expect(Object.values(s.by_environment).reduce((a, b) => a + b, 0)).toBeCloseTo(s.total_usd, 1);
    }
  });

  it('one control plane per environment, 730 h each at the table price', () => {
    const cp = aws.line_items.filter((i) => i.price_entry === 'clouds.aws.kubernetes_control_plane');
    expect(cp.map((i) => i.environment)).toEqual(['dev', 'staging', 'prod']);
    expect(cp.reduce((s, i) => s + i.monthly_usd, 0)).toBeCloseTo(3 * 730 * loadPriceTable().clouds.aws.kubernetes_control_plane.usd, 2);
  });

  it('serving: more nodes during the peak hours than at the average load, and the hours add up to the month', () => {
    const serving = aws.line_items.filter((i) => i.environment === 'prod' && i.component === 'serving' && i.quantity_unit === 'nodes');
    expect(serving).toHaveLength(2);
    const [peak, average] = serving;
    expect(peak!.hours! + average!.hours!).toBeCloseTo(730, 2);
    expect(peak!.hours).toBeCloseTo(ASSUMPTIONS.peakHoursPerDay * ASSUMPTIONS.daysPerMonth, 2);
    expect(aws.serving!.replicas_at_peak).toBeGreaterThan(aws.serving!.replicas_at_average);
    expect(aws.serving!.nodes_at_peak).toBeGreaterThanOrEqual(aws.serving!.nodes_at_average);
  });

  it('states the waste and the spot share against the SLOs, and the budget verdict', () => {
    // Average = peak / 3 by default: 33.3 rps on replicas of 10 rps need 4 replicas, 1/6 idle.
    expect(e.waste).toMatchObject({ idle_at_average_pct: 16.7, max_waste_pct: 20, within: true });
    expect(e.spot).toMatchObject({ min_spot_pct: 60, meets: true });
    expect(aws.budget).toMatchObject({ monthly_budget_usd: 20_000, verdict: 'within' });
    expect(aws.budget.share_pct).toBeCloseTo((100 * aws.total_usd) / 20_000, 1);
  });

  it('names the price table, its dates and its sources, and lists the assumptions', () => {
    expect(e.price_table.path).toBe('data/prices/cloud-prices.json');
    expect(e.price_table.as_of_newest).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(e.price_table.sources.length).toBeGreaterThan(5);
    expect(e.assumptions.join('\n')).toMatch(/730 hours/);
    expect(e.assumptions.join('\n')).toMatch(/not priced/);
  });

  it('is deterministic', () => {
    expect(estimate(DEFAULT)).toEqual(e);
  });
});

describe('what changes the estimate', () => {
  const base = estimate(DEFAULT, { clouds: ['aws'] });
  const total = (e: CostEstimate) => e.scenarios[0]!.total_usd;

  it('cloud_provider: the design scenario and its price list', () => {
    for (const cloud of ['gcp', 'azure'] as const) {
      const e = estimate(withPatch(DEFAULT, { options: { cloud_provider: cloud } }));
      expect(e.scenarios[0]!.scenario).toBe(cloud);
      expect(e.scenarios[0]!.line_items.every((i) => i.cloud === cloud)).toBe(true);
      expect(e.scenarios[0]!.line_items.some((i) => i.price_entry.startsWith(`clouds.${cloud}.machines.`))).toBe(true);
    }
  });

  it('multi-cloud is the sum of its AWS and GCP clusters', () => {
    const e = estimate(withPatch(DEFAULT, { options: { cloud_provider: 'multi-cloud' } }), { clouds: ['multi-cloud', 'aws', 'gcp'] });
    expect(scenario(e, 'multi-cloud').clusters).toEqual(['aws', 'gcp']);
    expect(scenario(e, 'multi-cloud').total_usd).toBeCloseTo(scenario(e, 'aws').total_usd + scenario(e, 'gcp').total_usd, 1);
    expect(e.scenarios.map((s) => s.scenario)).toEqual(['multi-cloud', 'aws', 'gcp']);
  });

  it('deployment_mode: batch-only has no serving fleet, hybrid adds batch scoring', () => {
    const batch = estimate(withPatch(DEFAULT, { options: { deployment_mode: 'batch' } }), { clouds: ['aws'] }).scenarios[0]!;
    expect(batch.serving).toBeNull();
    expect(batch.by_component.batch).toBeGreaterThan(0);
    expect(batch.line_items.some((i) => i.price_entry.endsWith('load_balancer'))).toBe(false);
    const hybrid = estimate(withPatch(DEFAULT, { options: { deployment_mode: 'hybrid' } }), { clouds: ['aws'] }).scenarios[0]!;
    expect(hybrid.by_component.batch).toBeGreaterThan(0);
    expect(hybrid.by_component.serving).toBeGreaterThan(0);
  });

  it('peak_hours_per_day: longer peaks cost more', () => {
    const short = total(estimate(DEFAULT, { clouds: ['aws'], peakHoursPerDay: 2 }));
    const long = total(estimate(DEFAULT, { clouds: ['aws'], peakHoursPerDay: 20 }));
    expect(short).toBeLessThan(total(base));
    expect(long).toBeGreaterThan(total(base));
    expect(() => estimate(DEFAULT, { peakHoursPerDay: 25 })).toThrow(/between 0 and 24/);
  });

  it('slo.min_spot_pct: a lower minimum leaves room for an on-demand fallback, which costs more and lowers the spot share', () => {
    const high = estimate(RICH, { clouds: ['gcp'] });
    const low = estimate(withPatch(RICH, { slo: { min_spot_pct: 40 } }), { clouds: ['gcp'] });
    expect(low.scenarios[0]!.spot_share_pct).toBeLessThan(high.scenarios[0]!.spot_share_pct);
    expect(low.scenarios[0]!.line_items.some((i) => i.item.includes('-od'))).toBe(true);
    expect(total(low)).toBeGreaterThan(total(high));
    expect(low.spot.min_spot_pct).toBe(40);
  });

  it('slo.max_waste_pct and team.budget_usd_per_month move the verdicts', () => {
    expect(estimate(withPatch(DEFAULT, { slo: { max_waste_pct: 10 } }), { clouds: ['aws'] }).waste.within).toBe(false);
    const t = total(base);
    expect(estimate(withPatch(DEFAULT, { team: { budget_usd_per_month: Math.floor(t / 2) } }), { clouds: ['aws'] }).scenarios[0]!.budget.verdict).toBe('over');
    expect(estimate(withPatch(DEFAULT, { team: { budget_usd_per_month: Math.ceil(t / 0.9) } }), { clouds: ['aws'] }).scenarios[0]!.budget.verdict).toBe('near');
  });

  it('GPUs: the rich spec books GPU hours to training and serving, on GPU machines', () => {
    const s = estimate(RICH, { clouds: ['gcp'] }).scenarios[0]!;
    expect(s.gpu_hours.training).toBeGreaterThan(0);
    expect(s.gpu_hours.serving).toBeGreaterThan(0);
    expect(s.line_items.filter((i) => i.gpu_hours > 0).every((i) => i.price_entry.includes('g2-standard'))).toBe(true);
  });

  it('retention: longer raw retention stores more', () => {
    const a = estimate(withPatch(RICH, { data: { retention: { raw_days: 30 } } }), { clouds: ['gcp'] }).scenarios[0]!.by_component.storage;
    const b = estimate(withPatch(RICH, { data: { retention: { raw_days: 365 } } }), { clouds: ['gcp'] }).scenarios[0]!.by_component.storage;
    expect(b).toBeGreaterThan(a);
  });
});
