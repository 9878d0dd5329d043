import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EstimateCostOutput } from '../../src/tools/estimate_cost.js';
import { TOOLS } from '../../src/tools/index.js';
import { call, stdioClient, text } from '../helpers/mcp.js';
import { tempDir } from '../helpers/tmp.js';

type Estimate = ReturnType<typeof EstimateCostOutput.parse>;

describe('estimate_cost', () => {
  it('is registered after calculate_sample_size and is read-only', () => {
    const names = TOOLS.map((t) => t.name);
    expect(names.indexOf('estimate_cost')).toBe(names.indexOf('calculate_sample_size') + 1);
    expect(TOOLS.find((t) => t.name === 'estimate_cost')!.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false, idempotentHint: true });
  });

  it('through a real MCP client (stdio): an inline spec prices every cloud and stores nothing; a pipeline runs what is missing; bad input is a tool error', async () => {
    const dir = tempDir();
    const { client, close } = await stdioClient(join(dir, 'c.db'), join(dir, 'exports'));
    try {
      const inline = await call(client, 'estimate_cost', { requirements: 'Detect fraudulent card payments in real time', spec: { options: { cloud_provider: 'gcp' }, team: { budget_usd_per_month: 1000 } } });
      expect(inline.isError, text(inline)).toBeFalsy();
      const e = EstimateCostOutput.parse(inline.structuredContent) as Estimate;
      expect(e.pipeline_id).toBeNull();
      expect(e.scenarios.map((s) => s.scenario)).toEqual(['gcp', 'aws', 'azure']);
      expect(e.scenarios[0]!.design).toBe(true);
      expect(e.scenarios[0]!.budget.verdict).toBe('over');
      expect(e.scenarios[0]!.line_items.length).toBeGreaterThan(10);
      expect(e.scenarios[0]!.line_items.every((i) => i.price_entry.startsWith('clouds.gcp.'))).toBe(true);
      expect(e.price_table.path).toBe('data/prices/cloud-prices.json');
      expect(text(inline)).toMatch(/gcp \(designed\): [\d,]+ USD/);
      expect(text(inline)).toMatch(/over/);
      const listed = await call(client, 'list_pipelines', {});
      expect((listed.structuredContent as { pipelines: unknown[] }).pipelines).toEqual([]);

      const created = await call(client, 'create_pipeline', { requirements: 'Score churn risk nightly from Snowflake', spec: { options: { deployment_mode: 'batch', cloud_provider: 'azure' } } });
      const id = (created.structuredContent as { pipeline_id: string }).pipeline_id;
      const stored = await call(client, 'estimate_cost', { pipeline_id: id, clouds: ['azure', 'multi-cloud'], peak_hours_per_day: 4 });
      expect(stored.isError, text(stored)).toBeFalsy();
      const s = EstimateCostOutput.parse(stored.structuredContent) as Estimate;
      expect(s.phases_run).toEqual(['data_engineer', 'data_scientist', 'ml_engineer', 'python_pro', 'mlops_engineer', 'kubernetes_architect']);
      expect(s.scenarios.map((x) => x.scenario)).toEqual(['azure', 'multi-cloud']);
      expect(s.scenarios[1]!.clusters).toEqual(['aws', 'gcp']);
      expect(s.peak_hours_per_day).toBe(4);
      expect(s.scenarios[0]!.serving).toBeNull();
      expect(s.scenarios[0]!.by_component.batch).toBeGreaterThan(0);
      const again = EstimateCostOutput.parse((await call(client, 'estimate_cost', { pipeline_id: id, clouds: ['azure', 'multi-cloud'], peak_hours_per_day: 4 })).structuredContent);
      expect(again.phases_run).toEqual([]);
      expect(again.scenarios).toEqual(s.scenarios);

      const both = await call(client, 'estimate_cost', { pipeline_id: id, requirements: 'x' });
      expect(both.isError).toBe(true);
      expect(text(both)).toMatch(/either pipeline_id or an inline spec/);
      const neither = await call(client, 'estimate_cost', {});
      expect(neither.isError).toBe(true);
      const badCloud = await call(client, 'estimate_cost', { requirements: 'x', clouds: ['oracle'] });
      expect(badCloud.isError).toBe(true);
      expect(text(badCloud)).toMatch(/clouds/);
      const badHours = await call(client, 'estimate_cost', { requirements: 'x', peak_hours_per_day: 30 });
      expect(badHours.isError).toBe(true);
    } finally {
      await close();
    }
  }, 120_000);
});
