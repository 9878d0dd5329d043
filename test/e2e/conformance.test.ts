import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, httpServer } from '../helpers/mcp.js';

// The generic scenarios of the official conformance suite; the others need the reference server's fixture tools.
const SCENARIOS = ['server-initialize', 'ping', 'tools-list', 'tools-call-error', 'logging-set-level', 'resources-list', 'prompts-list', 'dns-rebinding-protection'];

function conformance(url: string, scenario: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'node_modules/@modelcontextprotocol/conformance/dist/index.js'), 'server', '--url', url, '--scenario', scenario], {
      cwd: tempDirForResults,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('exit', (code) => resolve({ code: code ?? 1, output }));
  });
}

let tempDirForResults = '';
let server: Awaited<ReturnType<typeof httpServer>>;

describe('MCP conformance suite (@modelcontextprotocol/conformance 0.1.13) against the HTTP server', () => {
  beforeAll(async () => {
    tempDirForResults = (await import('node:fs')).mkdtempSync(join((await import('node:os')).tmpdir(), 'conformance-'));
    server = await httpServer(join(tempDirForResults, 'c.db'), join(tempDirForResults, 'exports'));
  });
  afterAll(async () => {
    await server.close();
    (await import('node:fs')).rmSync(tempDirForResults, { recursive: true, force: true });
  });

  for (const scenario of SCENARIOS) {
    it(`passes ${scenario}`, async () => {
      const { code, output } = await conformance(server.url, scenario);
      expect(output, output).toMatch(/Passed: (\d+)\/\1, 0 failed/);
      expect(output, output).not.toMatch(/FAILURE/);
      expect(code, output).toBe(0);
    });
  }
});
