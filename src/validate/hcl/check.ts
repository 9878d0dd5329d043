/**
 * Semantic checks of Terraform configuration on the JSON that HashiCorp's HCL parser gives (hcl2json), the part
 * of `terraform validate` that needs no provider schema:
 *
 * - every reference resolves inside its module: `var.X`, `local.X`, `module.X` (and `module.X.Y` against the
 *   outputs of a module called by a local path), `data.T.N`, `ephemeral.T.N`, resources `T.N`; `each`, `count`,
 *   `self`, `path`, `terraform`, for-expression variables and `dynamic` block iterators (inside their block) are
 *   allowed, and function calls are not references;
 * - every module input is a variable of the called module (local sources) and every variable of the called module
 *   without a default is set;
 * - no two blocks with the same address in one module (all .tf files of a folder), across its files;
 * - every provider a resource, data source or provider block uses is in the module's
 *   `terraform { required_providers { … } }` with a source and a version;
 * - a .tfvars file sets only variables its folder declares, with literal values.
 *
 * A module is a folder: all its `.tf` files together. Problems name the file and the block address.
 */
import { posix } from 'node:path';
import type { HclJson, HclJsonBody, ParsedHcl, ReferenceParts } from './parse.js';

export interface HclProblem {
  path: string;
  /** Terraform address of the block (var.x, module.m, aws_s3_bucket.b, data.T.N, local.x, output.o). */
  address?: string;
  message: string;
}

type ParsedOk = Extract<ParsedHcl, { ok: true }>;

interface Declaration {
  path: string;
  body: HclJsonBody;
}

interface Module {
  dir: string;
  files: ParsedOk[];
  variables: Map<string, Declaration[]>;
  outputs: Map<string, Declaration[]>;
  locals: Map<string, Declaration[]>;
  resources: Map<string, Declaration[]>;
  data: Map<string, Declaration[]>;
  ephemeral: Map<string, Declaration[]>;
  modules: Map<string, Declaration[]>;
  providers: Map<string, Declaration[]>;
  required: Map<string, { path: string; source?: string; version?: string }>;
}

/** Attributes of a module block that are meta-arguments, not inputs of the called module. */
const MODULE_META = new Set(['source', 'version', 'providers', 'count', 'for_each', 'depends_on']);
/** Reference roots that are always defined (each/count/self are only meaningful in some places; Terraform checks that at plan). */
const BUILTIN_ROOTS = new Set(['each', 'count', 'self', 'path', 'terraform']);
/** Resource type prefixes served by Terraform itself (terraform_data, data "terraform_remote_state"). */
const BUILTIN_PROVIDERS = new Set(['terraform']);

const isObject = (v: HclJson | undefined): v is HclJsonBody => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Block instances: hcl2json gives a list of bodies per block (several when a block is repeated). */
function instances(v: HclJson | undefined): HclJsonBody[] {
  if (Array.isArray(v)) return v.filter(isObject);
  return isObject(v) ? [v] : [];
}

/** `"${name}"` → name (a bare identifier written as an expression); a plain string as is. */
function bareName(v: HclJson | undefined): string | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^\$\{\s*([A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*)\s*\}$/.exec(v);
  return m ? m[1] : v;
}

const isLocalSource = (source: string): boolean => source.startsWith('./') || source.startsWith('../');
const isTfvars = (path: string): boolean => path.endsWith('.tfvars');
const isTf = (path: string): boolean => path.endsWith('.tf');

function add(map: Map<string, Declaration[]>, key: string, d: Declaration): void {
  map.set(key, [...(map.get(key) ?? []), d]);
}

function buildModule(dir: string, files: ParsedOk[]): Module {
  const m: Module = {
    dir,
    files,
    variables: new Map(),
    outputs: new Map(),
    locals: new Map(),
    resources: new Map(),
    data: new Map(),
    ephemeral: new Map(),
    modules: new Map(),
    providers: new Map(),
    required: new Map(),
  };
  for (const f of files) {
    const b = f.body;
    for (const [kind, map] of [
      ['variable', m.variables],
      ['output', m.outputs],
      ['module', m.modules],
    ] as const) {
      if (isObject(b[kind])) for (const [name, v] of Object.entries(b[kind])) for (const body of instances(v)) add(map, name, { path: f.path, body });
    }
    for (const [kind, map] of [
      ['resource', m.resources],
      ['data', m.data],
      ['ephemeral', m.ephemeral],
    ] as const) {
      if (!isObject(b[kind])) continue;
      for (const [type, byName] of Object.entries(b[kind])) {
        if (!isObject(byName)) continue;
        for (const [name, v] of Object.entries(byName)) for (const body of instances(v)) add(map, `${type}.${name}`, { path: f.path, body });
      }
    }
    for (const block of instances(b.locals)) for (const name of Object.keys(block)) add(m.locals, name, { path: f.path, body: block });
    if (isObject(b.provider)) {
      for (const [name, v] of Object.entries(b.provider)) {
        for (const body of instances(v)) {
          const alias = bareName(body.alias);
          add(m.providers, alias ? `${name}.${alias}` : name, { path: f.path, body });
        }
      }
    }
    for (const t of instances(b.terraform)) {
      for (const rp of instances(t.required_providers)) {
        for (const [name, v] of Object.entries(rp)) {
          // `aws = "~> 5.0"` (legacy: a version only) or `aws = { source = …, version = … }`.
          const entry = isObject(v) ? { path: f.path, source: typeof v.source === 'string' ? v.source : undefined, version: typeof v.version === 'string' ? v.version : undefined } : { path: f.path, version: typeof v === 'string' ? v : undefined };
          m.required.set(name, entry);
        }
      }
    }
  }
  return m;
}

export interface TerraformCheckInput {
  /** Parsed files of the bundle (every Terraform file: targets and the modules they call). */
  files: readonly ParsedHcl[];
}

/** Every problem of the files, each naming its file (syntax errors included). */
export function checkTerraform({ files }: TerraformCheckInput): HclProblem[] {
  const problems: HclProblem[] = [];
  for (const f of files) if (!f.ok) problems.push({ path: f.path, message: `syntax: ${f.error}` });
  const parsed = files.filter((f): f is ParsedOk => f.ok);

  const byDir = new Map<string, ParsedOk[]>();
  for (const f of parsed) if (isTf(f.path)) byDir.set(posix.dirname(f.path), [...(byDir.get(posix.dirname(f.path)) ?? []), f]);
  const modules = new Map([...byDir].map(([dir, fs]) => [dir, buildModule(dir, fs)]));

  // A module with a file that does not parse is judged on that syntax error alone: checking the rest would
  // report every reference into the broken file as undeclared. Calls into it are not checked either.
  const broken = new Set(files.filter((f) => !f.ok && isTf(f.path)).map((f) => posix.dirname(f.path)));
  for (const dir of broken) modules.delete(dir);
  for (const m of modules.values()) problems.push(...checkModule(m, modules, broken));
  for (const f of parsed) if (isTfvars(f.path) && !broken.has(posix.dirname(f.path))) problems.push(...checkTfvars(f, modules.get(posix.dirname(f.path))));
  return problems;
}

function calledModule(m: Module, source: string, modules: ReadonlyMap<string, Module>): Module | undefined {
  return modules.get(posix.normalize(posix.join(m.dir, source)));
}

function checkModule(m: Module, modules: ReadonlyMap<string, Module>, broken: ReadonlySet<string>): HclProblem[] {
  const problems: HclProblem[] = [];
  const report = (path: string, address: string | undefined, message: string) => problems.push({ path, ...(address ? { address } : {}), message });

  // Duplicate blocks, across the files of the module.
  const duplicates: [string, Map<string, Declaration[]>, (k: string) => string][] = [
    ['variable', m.variables, (k) => `var.${k}`],
    ['output', m.outputs, (k) => `output.${k}`],
    ['local value', m.locals, (k) => `local.${k}`],
    ['resource', m.resources, (k) => k],
    ['data source', m.data, (k) => `data.${k}`],
    ['ephemeral resource', m.ephemeral, (k) => `ephemeral.${k}`],
    ['module call', m.modules, (k) => `module.${k}`],
    ['provider configuration', m.providers, (k) => `provider.${k}`],
  ];
  for (const [what, map, address] of duplicates) {
    for (const [key, decls] of map) {
      if (decls.length < 2) continue;
      const where = [...new Set(decls.map((d) => d.path))];
      for (const path of where) report(path, address(key), `duplicate ${what} "${key}": declared ${decls.length} times in module ${m.dir} (${where.join(', ')})`);
    }
  }

  // References.
  const scopeCheck = (path: string, address: string) => (parts: ReferenceParts, iterators: ReadonlySet<string>) => {
    const problem = unresolved(parts, iterators, m, modules);
    if (problem) report(path, address, problem);
  };
  const walkFile = (f: ParsedOk) => {
    const b = f.body;
    const check = (address: string, value: HclJson | undefined, skip: ReadonlySet<string> = new Set()) =>
      walkBody(value, f, new Set(), scopeCheck(f.path, address), skip, (msg) => report(f.path, address, msg));
    if (isObject(b.variable)) for (const [name, v] of Object.entries(b.variable)) for (const body of instances(v)) check(`var.${name}`, body, new Set(['type']));
    if (isObject(b.output)) for (const [name, v] of Object.entries(b.output)) for (const body of instances(v)) check(`output.${name}`, body);
    for (const block of instances(b.locals)) for (const [name, v] of Object.entries(block)) check(`local.${name}`, v);
    if (isObject(b.module)) for (const [name, v] of Object.entries(b.module)) for (const body of instances(v)) check(`module.${name}`, body, new Set(['source', 'version', 'providers']));
    if (isObject(b.provider)) for (const [name, v] of Object.entries(b.provider)) for (const body of instances(v)) check(`provider.${name}`, body, new Set(['alias']));
    for (const [kind, prefix] of [
      ['resource', ''],
      ['data', 'data.'],
      ['ephemeral', 'ephemeral.'],
    ] as const) {
      if (!isObject(b[kind])) continue;
      for (const [type, byName] of Object.entries(b[kind])) {
        if (!isObject(byName)) continue;
        for (const [name, v] of Object.entries(byName)) for (const body of instances(v)) check(`${prefix}${type}.${name}`, body, new Set(['provider']));
      }
    }
    for (const body of instances(b.import)) check('import', body);
  };
  for (const f of m.files) walkFile(f);

  // Module calls: inputs against the called module's variables.
  for (const [name, decls] of m.modules) {
    for (const d of decls) {
      const source = typeof d.body.source === 'string' ? d.body.source : undefined;
      if (source === undefined) {
        report(d.path, `module.${name}`, 'module call without a literal "source"');
        continue;
      }
      if (!isLocalSource(source)) continue;
      const callee = calledModule(m, source, modules);
      if (!callee && broken.has(posix.normalize(posix.join(m.dir, source)))) continue;
      if (!callee) {
        report(d.path, `module.${name}`, `source "${source}" resolves to ${posix.normalize(posix.join(m.dir, source))}, which holds no .tf file in the bundle`);
        continue;
      }
      const inputs = Object.keys(d.body).filter((k) => !MODULE_META.has(k));
      for (const input of inputs) {
        if (!callee.variables.has(input)) report(d.path, `module.${name}`, `input "${input}" is not a variable of module ${callee.dir} (variables: ${[...callee.variables.keys()].sort().join(', ') || 'none'})`);
      }
      for (const [variable, vdecls] of callee.variables) {
        const required = vdecls.every((v) => !('default' in v.body));
        if (required && !inputs.includes(variable)) report(d.path, `module.${name}`, `required input "${variable}" of module ${callee.dir} is not set (it has no default)`);
      }
    }
  }

  // Required providers.
  const used = new Map<string, { path: string; address: string }>();
  const use = (provider: string, path: string, address: string) => {
    if (!BUILTIN_PROVIDERS.has(provider) && !used.has(provider)) used.set(provider, { path, address });
  };
  for (const [map, prefix] of [
    [m.resources, ''],
    [m.data, 'data.'],
    [m.ephemeral, 'ephemeral.'],
  ] as const) {
    for (const [key, decls] of map) {
      for (const d of decls) {
        // The provider is the type's prefix up to the first "_" (aws_s3_bucket → aws), unless `provider = x.alias` says otherwise.
        const explicit = bareName(d.body.provider);
        use((explicit ?? key).split('.')[0]!.split(explicit ? '.' : '_')[0]!, d.path, `${prefix}${key}`);
      }
    }
  }
  for (const [key, decls] of m.providers) for (const d of decls) use(key.split('.')[0]!, d.path, `provider.${key}`);
  for (const [provider, at] of used) {
    const r = m.required.get(provider);
    if (!r) report(at.path, at.address, `provider "${provider}" is not in required_providers of module ${m.dir} (add ${provider} = { source = "…", version = "…" } to terraform { required_providers { … } })`);
    else {
      if (!r.source) report(r.path, 'terraform', `required provider "${provider}" has no source`);
      if (!r.version) report(r.path, 'terraform', `required provider "${provider}" has no version constraint`);
    }
  }
  return problems;
}

/** Why a reference does not resolve, or undefined when it does. */
function unresolved(parts: ReferenceParts, iterators: ReadonlySet<string>, m: Module, modules: ReadonlyMap<string, Module>): string | undefined {
  const [root, a, b] = parts;
  if (root === undefined || BUILTIN_ROOTS.has(root) || iterators.has(root)) return undefined;
  const ref = parts.join('.');
  switch (root) {
    case 'var':
      return a === undefined ? 'bare "var" reference' : m.variables.has(a) ? undefined : `reference to undeclared variable var.${a} in module ${m.dir}`;
    case 'local':
      return a === undefined ? 'bare "local" reference' : m.locals.has(a) ? undefined : `reference to undeclared local value local.${a} in module ${m.dir}`;
    case 'data':
    case 'ephemeral': {
      if (a === undefined || b === undefined) return `incomplete reference ${ref}`;
      const map = root === 'data' ? m.data : m.ephemeral;
      return map.has(`${a}.${b}`) ? undefined : `reference to undeclared ${root === 'data' ? 'data source' : 'ephemeral resource'} ${root}.${a}.${b} in module ${m.dir}`;
    }
    case 'module': {
      if (a === undefined) return 'bare "module" reference';
      const decls = m.modules.get(a);
      if (!decls) return `reference to undeclared module call module.${a} in module ${m.dir}`;
      if (b === undefined) return undefined;
      const source = decls[0]!.body.source;
      if (typeof source !== 'string' || !isLocalSource(source)) return undefined;
      const callee = calledModule(m, source, modules);
      if (!callee) return undefined; // reported on the module call (or the called module has a syntax error)
      return callee.outputs.has(b) ? undefined : `module.${a}.${b}: module ${callee.dir} has no output "${b}" (outputs: ${[...callee.outputs.keys()].sort().join(', ') || 'none'})`;
    }
    default:
      if (a === undefined) return `unknown name "${root}" (not a variable, local, resource, for-expression or dynamic-block iterator)`;
      return m.resources.has(`${root}.${a}`) ? undefined : `reference to undeclared resource ${root}.${a} in module ${m.dir}`;
  }
}

/**
 * Walks a block body: every template string's references are checked with the iterators in scope. `dynamic`
 * blocks bring their iterator (label, or `iterator = name`) into scope inside their `content`;
 * `lifecycle.ignore_changes` lists attribute names, not references.
 */
function walkBody(
  value: HclJson | undefined,
  file: ParsedOk,
  iterators: ReadonlySet<string>,
  check: (parts: ReferenceParts, iterators: ReadonlySet<string>) => void,
  skip: ReadonlySet<string>,
  fail: (message: string) => void,
): void {
  if (value === undefined || value === null) return;
  if (typeof value === 'string') {
    const refs = file.references.get(value);
    if (refs === undefined) return;
    if ('error' in refs) fail(`cannot parse expression ${JSON.stringify(value.slice(0, 80))}: ${refs.error}`);
    else for (const parts of refs) check(parts, iterators);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) walkBody(v, file, iterators, check, new Set(), fail);
    return;
  }
  if (!isObject(value)) return;
  for (const [key, v] of Object.entries(value)) {
    if (skip.has(key)) continue;
    if (key === 'dynamic' && isObject(v) && Object.values(v).every((x) => Array.isArray(x))) {
      for (const [label, list] of Object.entries(v)) {
        for (const d of instances(list)) {
          const iterator = bareName(d.iterator) ?? label;
          const inner = new Set([...iterators, iterator]);
          walkBody(d.for_each, file, iterators, check, new Set(), fail);
          walkBody(d.labels, file, inner, check, new Set(), fail);
          walkBody(d.content, file, inner, check, new Set(), fail);
        }
      }
      continue;
    }
    if (key === 'lifecycle' && Array.isArray(v)) {
      for (const l of instances(v)) walkBody(l, file, iterators, check, new Set(['ignore_changes']), fail);
      continue;
    }
    walkBody(v, file, iterators, check, new Set(), fail);
  }
}

function checkTfvars(f: ParsedOk, root: Module | undefined): HclProblem[] {
  const problems: HclProblem[] = [];
  for (const [name, value] of Object.entries(f.body)) {
    if (!root || !root.variables.has(name)) problems.push({ path: f.path, address: `var.${name}`, message: `sets "${name}", which no .tf file of ${posix.dirname(f.path)} declares as a variable` });
    if (f.references.size > 0 && containsTemplate(value, f)) problems.push({ path: f.path, address: `var.${name}`, message: `the value of "${name}" is an expression: a .tfvars file takes literal values only` });
  }
  return problems;
}

function containsTemplate(value: HclJson, f: ParsedOk): boolean {
  if (typeof value === 'string') return f.references.has(value);
  if (Array.isArray(value)) return value.some((v) => containsTemplate(v, f));
  return isObject(value) && Object.values(value).some((v) => containsTemplate(v, f));
}
