import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { findExecutable, firstLines, run } from '../exec.js';
import type { Validator, Verdict } from '../types.js';
import { GITLAB_GLOBAL_KEYWORDS } from './gitlabCi.js';
import { shellcheckValidator } from './shellcheck.js';

/** One shell script of a CI file: a GitHub step's `run:`, or a GitLab job's before_script + script or after_script. */
export interface CiScript {
  /** Where it is, for messages: `jobs.test.steps[2] (Run tests)` or `job train: script`. */
  where: string;
  shell: 'bash' | 'sh';
  /**
   * The options the runner starts the shell with: GitHub runs `bash -e {0}` by default and
   * `bash --noprofile --norc -eo pipefail {0}` for an explicit `shell: bash`; the GitLab runner sets -eo pipefail
   * in bash and -e in sh.
   */
  options: 'set -e' | 'set -eo pipefail';
  /** The script as the runner executes it, `${{ … }}` replaced by underscores of the same length. */
  script: string;
  /** Line in the CI file of each script line (1-based; index 0 is script line 1), where it can be told. */
  fileLines: number[];
}

/**
 * shellcheck codes left out, as actionlint does for run: scripts: the placeholders of `${{ }}` are constant words
 * (SC2050, SC2194, SC2157), variables come from `env:` / CI variables the script cannot see (SC2154), and
 * sourced files are not in the bundle (SC1091).
 */
export const CI_EXCLUDED_CODES = ['SC1091', 'SC2050', 'SC2154', 'SC2157', 'SC2194'] as const;

/** `${{ expr }}` → underscores of the same length, keeping columns (what actionlint does before shellcheck). */
export function neutraliseExpressions(script: string): string {
  return script.replace(/\$\{\{[\s\S]*?\}\}/g, (m) => m.replace(/[^\n]/g, '_'));
}

/** The lines of a scalar in the file: a block scalar (`|`, `>`) starts on the line after its indicator. */
function scalarLines(node: Node, text: string, lc: LineCounter): number[] {
  const start = node.range ? lc.linePos(node.range[0]).line : 0;
  const block = isScalar(node) && (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED');
  const first = block ? start + 1 : start;
  return text.split('\n').map((_, i) => (start === 0 ? 0 : first + i));
}

/** A shell named by GitHub's `shell:` (bash, sh, `bash -e {0}`…) or undefined for pwsh, python, cmd… */
function githubShell(shell: unknown): 'bash' | 'sh' | undefined {
  if (shell === undefined || shell === null) return 'bash';
  if (typeof shell !== 'string') return undefined;
  const program = shell.trim().split(/\s+/)[0]?.replace(/^.*\//, '');
  return program === 'bash' ? 'bash' : program === 'sh' ? 'sh' : undefined;
}

const get = (v: unknown, ...keys: string[]): unknown => keys.reduce<unknown>((o, k) => (o && typeof o === 'object' && !Array.isArray(o) ? (o as Record<string, unknown>)[k] : undefined), v);

function parse(content: string): { doc: Document.Parsed; lc: LineCounter } {
  const lc = new LineCounter();
  const doc = parseDocument(content, { lineCounter: lc, customTags: [{ tag: '!reference', collection: 'seq', resolve: (seq) => seq }] });
  return { doc, lc };
}

/**
 * The run: scripts of a GitHub Actions workflow. The shell is the step's `shell`, else the job's, else the
 * workflow's `defaults.run.shell`, else bash (GitHub runs `bash -e {0}` on Linux runners); steps in other
 * languages (pwsh, python…) are skipped. Scripts get `set -e` first, as the runner runs them.
 */
export function githubScripts(content: string): CiScript[] {
  const { doc, lc } = parse(content);
  const jobs = doc.get('jobs');
  if (!isMap(jobs)) return [];
  const workflowShell = get(doc.toJS(), 'defaults', 'run', 'shell');
  const scripts: CiScript[] = [];
  for (const jobPair of jobs.items) {
    const jobName = isScalar(jobPair.key) ? String(jobPair.key.value) : '?';
    const job = jobPair.value;
    if (!isMap(job)) continue;
    const jobShell = get(job.toJSON(), 'defaults', 'run', 'shell') ?? workflowShell;
    const steps = job.get('steps');
    if (!isSeq(steps)) continue;
    steps.items.forEach((step, i) => {
      if (!isMap(step)) return;
      const runNode = step.get('run', true);
      if (!isScalar(runNode) || typeof runNode.value !== 'string') return;
      const configured = step.get('shell') ?? jobShell;
      const shell = githubShell(configured);
      if (!shell) return;
      const label = step.get('name') ?? step.get('id');
      scripts.push({
        where: `jobs.${jobName}.steps[${i}]${typeof label === 'string' ? ` (${label})` : ''}`,
        shell,
        options: configured === 'bash' ? 'set -eo pipefail' : 'set -e',
        script: neutraliseExpressions(runNode.value),
        fileLines: scalarLines(runNode, runNode.value, lc),
      });
    });
  }
  return scripts;
}


/**
 * Images known to ship bash (Debian/Ubuntu based); a `-alpine` / busybox / distroless tag or an unknown image
 * means sh, which is also what the GitLab runner falls back to.
 */
const BASH_IMAGES = /^(?:docker\.io\/)?(?:library\/)?(python|node|ubuntu|debian|golang|rust|ruby|gcc|openjdk|eclipse-temurin|maven|gradle|buildpack-deps|google\/cloud-sdk|gcr\.io\/google\.com\/cloudsdktool\/(?:google-)?cloud-cli|gcr\.io\/google\.com\/cloudsdktool\/cloud-sdk|mcr\.microsoft\.com\/azure-cli|amazon\/aws-cli|nvidia\/cuda|pytorch\/pytorch)(?::|@|$)/;

export function gitlabShell(image: unknown): 'bash' | 'sh' {
  const name = typeof image === 'string' ? image : typeof get(image, 'name') === 'string' ? (get(image, 'name') as string) : '';
  if (!name || /alpine|busybox|distroless/.test(name)) return 'sh';
  return BASH_IMAGES.test(name) ? 'bash' : 'sh';
}

/**
 * The scripts of every job of a .gitlab-ci.yml (hidden `.templates` included): before_script + script (one shell
 * session) and after_script (a separate one), each line of the lists on its own line, the job's or the default
 * `before_script` / `after_script` when the job has none. `!reference [job, key]` is resolved when it points
 * inside the file.
 */
export function gitlabScripts(content: string): CiScript[] {
  const { doc, lc } = parse(content);
  const root = doc.contents;
  if (!isMap(root)) return [];
  const defaults = doc.get('default');
  const topNode = (key: string): Node | undefined => {
    const d = isMap(defaults) ? (defaults.get(key, true) as Node | undefined) : undefined;
    return d ?? (root.get(key, true) as Node | undefined);
  };
  const lookup = (path: unknown[]): Node | undefined => {
    let node: unknown = root;
    for (const k of path) node = isMap(node) ? node.get(k, true) : isSeq(node) && typeof k === 'number' ? node.get(k, true) : undefined;
    return node as Node | undefined;
  };
  const lines = (node: Node | undefined, depth = 0): { text: string; line: number }[] => {
    if (!node || depth > 5) return [];
    if (isScalar(node)) return typeof node.value === 'string' || typeof node.value === 'number' ? String(node.value).split('\n').map((text, i) => ({ text, line: scalarLines(node, String(node.value), lc)[i] ?? 0 })) : [];
    if (isSeq(node)) {
      if (node.tag === '!reference') return lines(lookup(node.items.map((i) => (isScalar(i) ? i.value : undefined))), depth + 1);
      return node.items.flatMap((i) => lines(i as Node, depth + 1));
    }
    return [];
  };
  const scripts: CiScript[] = [];
  for (const pair of root.items) {
    const name = isScalar(pair.key) ? String(pair.key.value) : '';
    const job = pair.value;
    if (GITLAB_GLOBAL_KEYWORDS.has(name) || !isMap(job)) continue;
    if (!job.has('script') && !job.has('before_script') && !job.has('after_script')) continue;
    const shell = gitlabShell(job.has('image') ? job.toJSON().image : (isMap(defaults) && defaults.has('image') ? defaults.toJSON().image : root.toJSON().image));
    const node = (key: string) => (job.has(key) ? (job.get(key, true) as Node) : topNode(key));
    const main = [...lines(node('before_script')), ...lines(job.get('script', true) as Node | undefined)];
    const after = lines(node('after_script'));
    for (const [part, body] of [
      ['before_script + script', main],
      ['after_script', after],
    ] as const) {
      if (body.length === 0) continue;
      const script = neutraliseExpressions(body.map((l) => l.text).join('\n'));
      scripts.push({ where: `job ${name}: ${part}`, shell, options: shell === 'bash' ? 'set -eo pipefail' : 'set -e', script, fileLines: body.map((l) => l.line) });
    }
  }
  return scripts;
}

interface ShellcheckComment {
  file: string;
  line: number;
  column: number;
  level: string;
  code: number;
  message: string;
}

/** Header of each extracted script: the dialect for shellcheck, and the options the runner sets. */
const header = (s: CiScript) => [`# shellcheck shell=${s.shell}`, s.options];
const HEADER_LINES = 2;

export const ciShellcheckValidator: Validator = {
  name: 'ci-shellcheck',
  description: `shellcheck (every severity) on the shell scripts inside CI files: every run: step of a GitHub workflow (bash unless shell: / defaults.run.shell says otherwise; pwsh/python steps skipped) and every GitLab job's before_script + script and after_script (sh, or bash when the image is known to ship it), with \${{ }} replaced by a neutral placeholder and the runners' set -e / set -eo pipefail; ${CI_EXCLUDED_CODES.join(', ')} left out as actionlint does`,
  kinds: ['github-workflow', 'gitlab-ci'],
  available() {
    return shellcheckValidator.available();
  },
  async validate({ artifacts }) {
    const bin = findExecutable('shellcheck')!;
    const dir = await mkdtemp(join(tmpdir(), 'mlops-mcp-ci-shellcheck-'));
    try {
      const files: { artifact: string; name: string; script: CiScript }[] = [];
      const unreadable = new Map<string, string>();
      artifacts.forEach((a, i) => {
        try {
          const scripts = a.kind === 'gitlab-ci' ? gitlabScripts(a.content) : githubScripts(a.content);
          scripts.forEach((script, j) => files.push({ artifact: a.path, name: `f${i}-s${j}.sh`, script }));
        } catch (error) {
          unreadable.set(a.path, (error as Error).message);
        }
      });
      await Promise.all(files.map((f) => writeFile(join(dir, f.name), [...header(f.script), f.script.script].join('\n') + '\n')));
      let comments: ShellcheckComment[] = [];
      if (files.length > 0) {
        const result = await run(bin, ['-S', 'style', '-f', 'json1', '-e', CI_EXCLUDED_CODES.map((c) => c.slice(2)).join(','), ...files.map((f) => f.name)], { cwd: dir });
        try {
          comments = (JSON.parse(result.stdout) as { comments: ShellcheckComment[] }).comments;
        } catch {
          return artifacts.map((a) => ({ path: a.path, validator: this.name, verdict: 'fail', message: firstLines(result.stderr || result.stdout) }));
        }
      }
      const offset = HEADER_LINES;
      return artifacts.map((a): Verdict => {
        if (unreadable.has(a.path)) return { path: a.path, validator: this.name, verdict: 'fail', message: `cannot read the file: ${unreadable.get(a.path)!}` };
        const mine = files.filter((f) => f.artifact === a.path);
        const findings = mine.flatMap((f) =>
          comments
            .filter((c) => c.file === f.name)
            .map((c) => {
              const scriptLine = c.line - offset;
              const fileLine = f.script.fileLines[scriptLine - 1];
              return `${f.script.where}, script line ${scriptLine}${fileLine ? ` (file line ${fileLine})` : ''}: SC${c.code} (${c.level}) ${c.message}`;
            }),
        );
        if (findings.length > 0) return { path: a.path, validator: this.name, verdict: 'fail', message: firstLines(findings.join('\n'), 12) };
        return { path: a.path, validator: this.name, verdict: 'pass', message: mine.length === 0 ? 'no shell scripts' : `${mine.length} script${mine.length === 1 ? '' : 's'}: no findings` };
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
