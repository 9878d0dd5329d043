import { existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { expect } from 'vitest';
import { PHASE_IDS } from '../../src/phases/graph.js';
import { call, recordProgressMessages, text } from '../helpers/mcp.js';

/**
 * The user journey both transports must support: create → wrong order refused → run all with progress →
 * read resources → change the spec → see what went stale → re-run → export → validate → score.
 */
export async function userJourney(client: Client, exportRoot: string): Promise<string> {
  const created = await call(client, 'create_pipeline', {
    requirements: 'Detect fraudulent card payments from our Postgres ledger in real time, p99 under 120 ms at 800 rps',
    spec: { options: { serving_platform: 'seldon', cloud_provider: 'azure' }, team: { oncall: 'opsgenie' } },
  });
  expect(created.isError).toBeFalsy();
  const id = created.structuredContent!.pipeline_id as string;
  expect(id).toMatch(/^pl_[0-9a-f]{16}$/);
  expect(created.structuredContent!.inferred).toEqual(expect.arrayContaining(['problem.type', 'data.sources', 'slo.p99_latency_ms', 'scale.peak_rps']));

  const early = await call(client, 'ml_engineer', { pipeline_id: id });
  expect(early.isError).toBe(true);
  expect(text(early)).toMatch(/needs the output of data_engineer.*Call the data_engineer tool first, or run_pipeline/);

  const progress = recordProgressMessages(client);
  const ran = (await client.callTool({ name: 'run_pipeline', arguments: { pipeline_id: id } }, undefined, {
    onprogress: () => undefined,
  })) as { isError?: boolean; structuredContent?: Record<string, unknown> };
  expect(ran.isError).toBeFalsy();
  expect(ran.structuredContent!.ran).toEqual([...PHASE_IDS]);
  expect(progress.filter((m) => m.endsWith('succeeded'))).toHaveLength(7);

  const pipeline = await client.readResource({ uri: `mlops://pipelines/${id}` });
  const body = JSON.parse((pipeline.contents[0] as { text: string }).text) as { phases: { status: string }[]; files: { path: string; uri: string }[] };
  expect(body.phases.every((p) => p.status === 'succeeded')).toBe(true);
  const doc = await client.readResource({ uri: `mlops://pipelines/${id}/phases/data_engineer` });
  expect((doc.contents[0] as { text: string }).text).toMatch(/^# /);
  const someFile = body.files.find((f) => f.path.endsWith('.yaml'))!;
  const file = await client.readResource({ uri: someFile.uri });
  expect((file.contents[0] as { text: string }).text.length).toBeGreaterThan(0);

  const updated = await call(client, 'update_pipeline', { pipeline_id: id, patch: { options: { monitoring_stack: 'datadog' } } });
  expect(updated.isError).toBeFalsy();
  expect(updated.structuredContent!.changed_paths).toEqual(['options.monitoring_stack']);
  expect(updated.structuredContent!.stale_phases).toContain('observability_engineer');
  expect(updated.structuredContent!.stale_phases).not.toContain('data_engineer');

  const state = await call(client, 'get_pipeline', { pipeline_id: id });
  const phases = state.structuredContent!.phases as { phase: string; status: string }[];
  expect(phases.find((p) => p.phase === 'observability_engineer')!.status).toBe('stale');
  expect(phases.find((p) => p.phase === 'data_engineer')!.status).toBe('succeeded');

  const rerun = await call(client, 'run_pipeline', { pipeline_id: id });
  expect(rerun.structuredContent!.ran).toContain('observability_engineer');
  expect(rerun.structuredContent!.skipped).toContain('data_engineer');

  const exported = await call(client, 'export_bundle', { pipeline_id: id, directory: 'journey' });
  expect(exported.isError).toBeFalsy();
  const dir = join(exportRoot, 'journey');
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { files: { path: string; sha256: string; kind: string }[]; options: Record<string, string> };
  expect(manifest.options.monitoring_stack).toBe('datadog');
  for (const f of manifest.files) {
    expect(existsSync(join(dir, f.path))).toBe(true);
    expect(createHash('sha256').update(readFileSync(join(dir, f.path))).digest('hex')).toBe(f.sha256);
  }
  const escape = await call(client, 'export_bundle', { pipeline_id: id, directory: '../outside' });
  expect(escape.isError).toBe(true);
  expect(text(escape)).toMatch(/\.\./);

  const validated = await call(client, 'validate_artifacts', { pipeline_id: id });
  const summary = validated.structuredContent!.summary as { failed: number; passed: number };
  const failures = (validated.structuredContent!.files as { path: string; verdict: string; results: unknown }[]).filter((f) => f.verdict === 'fail');
  expect(failures).toEqual([]);
  expect(summary.passed).toBeGreaterThan(10);

  const score = await call(client, 'score_success_criteria', { pipeline_id: id });
  const criteria = score.structuredContent!.criteria as { status: string }[];
  expect(criteria.length).toBe(20);
  expect(criteria.filter((c) => c.status === 'met').length).toBeGreaterThan(10);
  return id;
}
