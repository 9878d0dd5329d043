import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type AppContext } from '../../src/app.js';
import { DEFAULT_ENGINE_SETTINGS } from '../../src/engines/index.js';
import { PHASE_IDS } from '../../src/phases/graph.js';
import { createLogger } from '../../src/server/logger.js';
import { createMcpServer } from '../../src/server/mcpServer.js';
import { valueFor, type JsonSchema } from '../helpers/schemaArbitrary.js';

// A secret outside every root: no tool may ever read it or show it.
const SENTINEL = 'sentinel_column_outside_the_roots';
const TRAVERSALS = ['../outside/secret.csv', '../data-evil/x.csv', 'link-out/secret.csv', 'link-file.csv', '/etc/passwd', '..', '.', 'a/../../outside/secret.csv', 'x\u0000.csv', `${'d/'.repeat(200)}x.csv`, 'ok.csv'];

// Fixed seeds keep CI reproducible; FUZZ_SEED=<n> (and FUZZ_RUNS=<factor>) explores other inputs locally. A failure
// prints its seed and path for fast-check to replay.
const SEED = Number(process.env.FUZZ_SEED ?? 20261127);
const RUNS = Number(process.env.FUZZ_RUNS ?? 1);

let dir: string;
let app: AppContext;
let client: Client;
let pipelineId: string;
let tools: { name: string; inputSchema: JsonSchema }[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mlops-fuzz-'));
  for (const d of ['exports', 'exports-evil', 'data', 'data-evil', 'outside']) mkdirSync(join(dir, d));
  writeFileSync(join(dir, 'outside', 'secret.csv'), `${SENTINEL}\n1\n2\n`);
  writeFileSync(join(dir, 'data', 'ok.csv'), 'amount\n1\n2\n3\n');
  symlinkSync(join(dir, 'outside'), join(dir, 'data', 'link-out'));
  symlinkSync(join(dir, 'outside', 'secret.csv'), join(dir, 'data', 'link-file.csv'));
  symlinkSync(join(dir, 'outside'), join(dir, 'exports', 'link-out'));
  app = createApp({ dbPath: join(dir, 'fuzz.db'), exportRoot: join(dir, 'exports'), dataRoot: join(dir, 'data'), engines: DEFAULT_ENGINE_SETTINGS }, createLogger('silent'));
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await createMcpServer(app).connect(serverSide);
  client = new Client({ name: 'fuzz', version: '1' });
  await client.connect(clientSide);
  const created = app.service.create({ requirements: 'Predict churn for subscribers' }, 'fuzz');
  pipelineId = created.view.pipeline.id;
  await app.service.runPipeline(pipelineId, { actor: 'fuzz', phases: ['data_scientist'] });
  tools = (await client.listTools()).tools as typeof tools;
}, 60_000);

afterAll(async () => {
  await client?.close();
  app?.store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Values that lead somewhere real, mixed with the adversarial ones. */
const pools = () => ({
  pipeline_id: [pipelineId, 'pl_missing', ''],
  phase: [...PHASE_IDS],
  directory: TRAVERSALS,
  reference_csv: TRAVERSALS,
  current_csv: TRAVERSALS,
  suggestion_ids: [`${pipelineId}.1`],
});

// Heavy tools (they may generate or validate a whole bundle) get fewer runs so the suite stays quick.
const HEAVY = /^(run_pipeline|validate_artifacts|export_bundle|estimate_cost|score_success_criteria|generate_)/;

describe('every tool, called through an MCP client with arbitrary and adversarial arguments', () => {
  it('answers with a result or a tool error that says what to fix; never a crash, a hang, or a read or write outside its roots', async () => {
    const calls: { tool: string; ms: number; ok: boolean }[] = [];
    for (const tool of tools) {
      const args = valueFor(tool.inputSchema, pools()).filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v));
      await fc.assert(
        fc.asyncProperty(args, async (input) => {
          const started = performance.now();
          let result: CallToolResult;
          try {
            result = (await client.callTool({ name: tool.name, arguments: input }, undefined, { timeout: 60_000 })) as CallToolResult;
          } catch (error) {
            throw new Error(`${tool.name} failed at the protocol level (a bug, or a hang) with ${JSON.stringify(input).slice(0, 300)}: ${(error as Error).message}`);
          }
          calls.push({ tool: tool.name, ms: performance.now() - started, ok: !result.isError });
          const text = result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
          expect(JSON.stringify(result), tool.name).not.toContain(SENTINEL);
          if (result.isError) {
            expect(text.length, `${tool.name}: ${text}`).toBeGreaterThan(15);
            expect(text, tool.name).not.toMatch(/\n\s+at \S+ \(|TypeError|ReferenceError|SQLITE_|undefined is not|Cannot read properties/);
          }
        }),
        { numRuns: (HEAVY.test(tool.name) ? 8 : 30) * RUNS, seed: SEED, endOnFailure: true },
      );
    }
    expect(calls.length).toBeGreaterThan(tools.length * 10);
    expect(app.store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    // Nothing was written beside the export root, nor through the symlink out of it.
    for (const d of ['exports-evil', 'outside', 'data-evil']) expect(readdirSync(join(dir, d)).sort(), d).toEqual(d === 'outside' ? ['secret.csv'] : []);
    expect(readdirSync(dir).sort()).toEqual(['data', 'data-evil', 'exports', 'exports-evil', 'fuzz.db', 'fuzz.db-shm', 'fuzz.db-wal', 'outside'].filter((f) => readdirSync(dir).includes(f) || !f.startsWith('fuzz.db-')));
    // Some calls must get past validation into the handlers, or the fuzz would only test zod.
    const succeeded = new Set(calls.filter((c) => c.ok).map((c) => c.tool));
    expect(succeeded.size, [...succeeded].join(", ")).toBeGreaterThanOrEqual(8);
    const slowest = calls.sort((a, b) => b.ms - a.ms)[0]!;
    console.log(`fuzz: ${calls.length} calls over ${tools.length} tools, ${calls.filter((c) => c.ok).length} succeeded (${[...succeeded].join(', ')}); slowest ${slowest.tool} ${slowest.ms.toFixed(0)} ms`);
  }, 600_000);

  it('keeps export_bundle and check_drift inside their roots for any path: traversal, absolute, symlinks, sibling prefixes, NUL, very long', async () => {
    const segment = fc.constantFrom('..', '.', 'link-out', 'exports-evil', 'data-evil', 'outside', 'x', '', 'secret.csv', 'ok.csv', '\u0000', 'a'.repeat(300));
    const path = fc.oneof(fc.constantFrom(...TRAVERSALS), fc.array(segment, { minLength: 1, maxLength: 6 }).map((p) => p.join('/')), fc.array(segment, { minLength: 1, maxLength: 4 }).map((p) => `/${p.join('/')}`), fc.string({ maxLength: 30 }));
    let exported = 0;
    await fc.assert(
      fc.asyncProperty(path, fc.constantFrom('directory', 'tar.gz'), path, async (directory, format, csv) => {
        const out = (await client.callTool({ name: 'export_bundle', arguments: { pipeline_id: pipelineId, directory, format, overwrite: true } })) as CallToolResult;
        if (!out.isError) exported++;
        else expect((out.content[0] as { text: string }).text).not.toMatch(/Cannot read|TypeError/);
        const drift = (await client.callTool({ name: 'check_drift', arguments: { reference_csv: csv, current_csv: 'ok.csv' } })) as CallToolResult;
        expect(JSON.stringify(drift)).not.toContain(SENTINEL);
      }),
      { numRuns: 40 * RUNS, seed: SEED + 7, endOnFailure: true },
    );
    expect(exported).toBeGreaterThan(5);
    for (const d of ['exports-evil', 'data-evil']) expect(readdirSync(join(dir, d)), d).toEqual([]);
    expect(readdirSync(join(dir, 'outside'))).toEqual(['secret.csv']);
    expect(readdirSync(join(dir, 'data')).sort()).toEqual(['link-file.csv', 'link-out', 'ok.csv']);
  }, 300_000);
});
