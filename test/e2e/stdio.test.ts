import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { call, stdioClient, text } from '../helpers/mcp.js';
import { tempDir } from '../helpers/tmp.js';
import { userJourney } from './journey.js';

describe('MCP over stdio (the built CLI, as Claude Desktop runs it)', () => {
  it('supports the whole journey, and finds everything again after a restart', async () => {
    const dir = tempDir();
    const db = join(dir, 'state.db');
    const exports = join(dir, 'exports');
    const first = await stdioClient(db, exports);
    const id = await userJourney(first.client, exports);
    const before = await call(first.client, 'get_pipeline', { pipeline_id: id });
    await first.close();
    // stdout carries only protocol; logs are JSON lines on stderr.
    const lines = first.stderr().trim().split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();

    const second = await stdioClient(db, exports);
    const after = await call(second.client, 'get_pipeline', { pipeline_id: id });
    expect(after.structuredContent).toEqual(before.structuredContent);
    const doc = await second.client.readResource({ uri: `mlops://pipelines/${id}/phases/observability_engineer` });
    expect((doc.contents[0] as { text: string }).text.length).toBeGreaterThan(500);
    await second.close();
  });

  it('answers bad input with a tool error that names the field and the allowed values', async () => {
    const dir = tempDir();
    const { client, close } = await stdioClient(join(dir, 'a.db'), join(dir, 'x'));
    const bad = await call(client, 'create_pipeline', { requirements: 'x', spec: { options: { serving_platform: 'kubeflow' } } });
    expect(bad.isError).toBe(true);
    expect(text(bad)).toContain('spec.options.serving_platform: invalid value "kubeflow"; allowed: "kserve", "seldon", "torchserve", "triton"');
    const missing = await call(client, 'get_pipeline', { pipeline_id: 'pl_nope' });
    expect(missing.isError).toBe(true);
    expect(text(missing)).toMatch(/list_pipelines/);
    const engine = await call(client, 'create_pipeline', { requirements: 'Predict churn' });
    const id = engine.structuredContent!.pipeline_id as string;
    const llm = await call(client, 'data_engineer', { pipeline_id: id, engine: 'anthropic' });
    expect(llm.isError).toBe(true);
    expect(text(llm)).toMatch(/"anthropic" engine needs an API key: start the server with ANTHROPIC_API_KEY.*use engine "template"/);
    const unknown = await call(client, 'no_such_tool', {});
    expect(unknown.isError).toBe(true);
    expect(text(unknown)).toMatch(/Unknown tool "no_such_tool". Available tools: create_pipeline/);
    await close();
  });
});
