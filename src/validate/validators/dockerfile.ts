import { Arg, DockerfileParser, From, Label, type Instruction } from 'dockerfile-ast';
import { validate as lintDockerfile } from 'dockerfile-utils';
import { firstLines } from '../exec.js';
import { installedVersion } from '../hcl/child.js';
import type { Validator, Verdict } from '../types.js';

/**
 * A Dockerfile is a serving image (which must have a HEALTHCHECK) when its final stage carries this label with
 * the value "serving", or when its path names a server: "server" or "serving" as a word of a folder or file name
 * (docker/model-server/Dockerfile, docker/server/Dockerfile, Dockerfile.serving; not docker/observer/Dockerfile).
 */
export const SERVING_ROLE_LABEL = 'org.opencontainers.image.mlops-role';
const SERVING_PATH = /(^|[/._-])serv(er|ing)([/._-]|$)/i;

export function isServingImage(path: string, labels: ReadonlyMap<string, string>): boolean {
  return labels.get(SERVING_ROLE_LABEL) === 'serving' || SERVING_PATH.test(path);
}

/** A pinned image reference: a digest, or a tag other than latest (and not made of variables). */
export function isPinned(image: string): boolean {
  if (/\$/.test(image)) return false;
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return true;
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastSegment.indexOf(':');
  if (colon < 0) return false;
  const tag = lastSegment.slice(colon + 1);
  return tag !== '' && tag !== 'latest';
}

interface Stage {
  from: From;
  instructions: Instruction[];
}

/** `${NAME}`, `$NAME`, `${NAME:-default}` → their names. */
function variablesOf(text: string): string[] {
  return [...text.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!);
}

function expand(text: string, values: ReadonlyMap<string, string | null>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-+][^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (m, a: string | undefined, b: string | undefined) => values.get((a ?? b)!) ?? m);
}

/** LSP DiagnosticSeverity.Error (dockerfile-utils reports Language Server Protocol diagnostics). */
const LSP_ERROR = 1;

const line = (i: Instruction) => i.getRange().start.line + 1;

/**
 * The rules the issue asks of our images that the lint does not check: multi-stage (at least two FROM), a
 * non-root USER in the final stage, every external base image given through an ARG whose default is pinned (a
 * tag other than latest, or a digest), and a HEALTHCHECK in serving images (see SERVING_ROLE_LABEL).
 */
export function imageRuleProblems(path: string, content: string): string[] {
  const problems: string[] = [];
  const dockerfile = DockerfileParser.parse(content);
  const stages: Stage[] = [];
  for (const i of dockerfile.getInstructions()) {
    if (i instanceof From) stages.push({ from: i, instructions: [] });
    else stages.at(-1)?.instructions.push(i);
  }
  if (stages.length < 2) problems.push(`multi-stage: ${stages.length} FROM instruction${stages.length === 1 ? '' : 's'}; build in one stage and copy the result into a slim final stage (at least two FROM)`);

  // Base images through a global ARG with a pinned default.
  const globalArgs = new Map<string, string | null>();
  for (const a of dockerfile.getInitialARGs()) {
    const p = a instanceof Arg ? a.getProperty() : null;
    if (p) globalArgs.set(p.getName(), p.getUnescapedValue());
  }
  const stageNames = new Set<string>();
  for (const { from } of stages) {
    const image = from.getImage() ?? '';
    const stage = from.getBuildStage();
    if (stageNames.has(image) || image === 'scratch') {
      if (stage) stageNames.add(stage);
      continue;
    }
    if (stage) stageNames.add(stage);
    const vars = variablesOf(image);
    if (vars.length === 0) {
      problems.push(`line ${line(from)}: base image "${image}" is written in FROM; give it through an ARG with a pinned default (ARG BASE_IMAGE=${isPinned(image) ? image : 'name:tag'} before the first FROM, then FROM \${BASE_IMAGE})`);
      continue;
    }
    const missing = vars.filter((v) => !globalArgs.has(v));
    const noDefault = vars.filter((v) => globalArgs.has(v) && !globalArgs.get(v));
    if (missing.length > 0) problems.push(`line ${line(from)}: FROM uses ${missing.map((v) => `$${v}`).join(', ')}, not declared by an ARG before the first FROM`);
    else if (noDefault.length > 0) problems.push(`line ${line(from)}: ARG ${noDefault.join(', ')} used in FROM has no default; give a pinned default`);
    else {
      const expanded = expand(image, globalArgs);
      if (!isPinned(expanded)) problems.push(`line ${line(from)}: base image default "${expanded}" is not pinned (use a tag other than latest, or a digest)`);
    }
  }

  const final = stages.at(-1);
  if (final) {
    const users = final.instructions.filter((i) => i.getKeyword() === 'USER');
    const last = users.at(-1);
    const user = last?.getArgumentsContent()?.trim() ?? '';
    const name = user.split(':')[0]!;
    if (!last) problems.push(`final stage (line ${line(final.from)}): no USER instruction, so it runs as root; add USER with a non-root user (e.g. USER 1000:1000)`);
    else if (name === 'root' || name === '0') problems.push(`line ${line(last)}: the final stage runs as ${user}; use a non-root user`);

    const labels = new Map<string, string>();
    for (const i of final.instructions) if (i instanceof Label) for (const p of i.getProperties()) labels.set(p.getName(), p.getUnescapedValue() ?? '');
    if (isServingImage(path, labels)) {
      const healthchecks = final.instructions.filter((i) => i.getKeyword() === 'HEALTHCHECK');
      const h = healthchecks.at(-1);
      if (!h) problems.push(`serving image without HEALTHCHECK in its final stage (serving: path names a server, or LABEL ${SERVING_ROLE_LABEL}=serving)`);
      else if (/^NONE$/i.test(h.getArgumentsContent()?.trim() ?? '')) problems.push(`line ${line(h)}: HEALTHCHECK NONE in a serving image`);
    }
  }
  return problems;
}

export const dockerfileValidator: Validator = {
  name: 'dockerfile',
  description: `dockerfile-utils (the Docker language server's validator): errors fail, warnings are listed; plus our image rules: multi-stage (at least two FROM), a non-root USER in the final stage, every external base image through an ARG with a pinned default (tag other than latest, or digest), and a HEALTHCHECK in serving images — a serving image is one whose final stage has LABEL ${SERVING_ROLE_LABEL}=serving or whose path has "server" or "serving" as a word of a folder or file name (docker/model-server/Dockerfile)`,
  kinds: ['dockerfile'],
  async available() {
    const version = installedVersion('dockerfile-utils');
    return version ? { ok: true, version } : { ok: false, reason: 'dockerfile-utils is not installed', install: 'npm ci (dockerfile-utils is a dependency of mlops-mcp)' };
  },
  async validate({ artifacts }) {
    return artifacts.map((a): Verdict => {
      const diagnostics = lintDockerfile(a.content);
      const format = (d: (typeof diagnostics)[number]) => `line ${d.range.start.line + 1}: ${d.message}`;
      const errors = diagnostics.filter((d) => d.severity === LSP_ERROR).map(format);
      const warnings = diagnostics.filter((d) => d.severity !== LSP_ERROR).map(format);
      const problems = [...errors, ...imageRuleProblems(a.path, a.content)];
      if (problems.length > 0) return { path: a.path, validator: this.name, verdict: 'fail', message: firstLines([...problems, ...warnings.map((w) => `warning: ${w}`)].join('\n'), 12) };
      return { path: a.path, validator: this.name, verdict: 'pass', message: warnings.length === 0 ? 'no findings' : firstLines(warnings.map((w) => `warning: ${w}`).join('\n')) };
    });
  },
};
