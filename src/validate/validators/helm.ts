import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, posix } from 'node:path';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import type { Artifact } from '../../artifacts/artifact.js';
import { firstLines, run, type ExecResult } from '../exec.js';
import { installHint, locateTool } from '../tools.js';
import type { Validator, Verdict } from '../types.js';
import { validateManifest } from './kubernetes.js';

/** The values files `helm lint` / `helm template` are run with, beside Chart.yaml: values-dev.yaml, values-prod.yml… */
export const ENV_VALUES_FILE = /^values-[A-Za-z0-9._-]+\.ya?ml$/;

/** A private HELM_*_HOME (no repositories, plugins or cache of the user's) and no cluster access. */
export async function isolatedEnv(prefix: string): Promise<{ env: NodeJS.ProcessEnv; dispose: () => Promise<void> }> {
  const home = await mkdtemp(join(tmpdir(), prefix));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_DATA_HOME: join(home, 'data'),
    KUBECONFIG: join(home, 'no-kubeconfig'),
  };
  return { env, dispose: () => rm(home, { recursive: true, force: true }) };
}

/** The folder (relative to the bundle root, posix) of the chart holding this file, or undefined. */
export function chartRootOf(a: Artifact, root: string): string | undefined {
  if (a.kind === 'helm-chart') return basename(a.path) === 'Chart.yaml' ? posix.dirname(a.path) : undefined;
  for (let dir = posix.dirname(a.path); ; dir = posix.dirname(dir)) {
    if (existsSync(join(root, dir, 'Chart.yaml'))) return dir;
    if (dir === '.' || dir === '/') return undefined;
  }
}

export function objectCount(manifest: string): number {
  return parseAllDocuments(manifest).filter((d) => d.contents !== null).length;
}

/** The lines of helm's output that say what is wrong (lint prints INFO lines and a summary around them). */
function helmProblems(result: ExecResult): string {
  const out = `${result.stdout}\n${result.stderr}`;
  const lines = out.split('\n').filter((l) => /\[(ERROR|WARNING)\]|^Error|error/i.test(l));
  return firstLines(lines.length > 0 ? lines.join('\n') : out, 8);
}

/** `helm template` needs a DNS-1123 release name of at most 53 characters: the chart's own name when it is one. */
async function releaseName(chartYaml: string): Promise<string> {
  try {
    const name = (parseYaml(await readFile(chartYaml, 'utf8')) as { name?: unknown } | null)?.name;
    if (typeof name === 'string' && name.length <= 53 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) return name;
  } catch {
    // helm lint reports a broken Chart.yaml
  }
  return 'release-name';
}

interface ChartResult {
  ok: boolean;
  message: string;
}

/**
 * Lints and renders one chart: `helm lint --strict CHART`, `helm template NAME CHART`, and for each
 * values-*.yaml beside Chart.yaml `helm lint --strict CHART -f FILE` and `helm template NAME CHART -f FILE`;
 * every rendered object goes through validateManifest (kubernetes-models and the strict CRD schemas).
 */
export async function checkChart(helm: string, root: string, chart: string): Promise<ChartResult> {
  const { env, dispose } = await isolatedEnv('mlops-mcp-helm-');
  try {
    const valuesFiles = (await readdir(join(root, chart))).filter((f) => ENV_VALUES_FILE.test(f)).sort();
    const name = await releaseName(join(root, chart, 'Chart.yaml'));
    const variants: { label: string; args: string[] }[] = [
      { label: 'default values', args: [] },
      ...valuesFiles.map((f) => ({ label: f, args: ['-f', posix.join(chart, f)] })),
    ];
    const failures: string[] = [];
    const counts: string[] = [];
    for (const variant of variants) {
      const lintArgs = ['lint', '--strict', chart, ...variant.args];
      const lint = await run(helm, lintArgs, { cwd: root, env });
      if (lint.code !== 0) failures.push(`$ helm ${lintArgs.join(' ')}\n${helmProblems(lint)}`);
      const templateArgs = ['template', name, chart, ...variant.args];
      const rendered = await run(helm, templateArgs, { cwd: root, env });
      if (rendered.code !== 0) {
        failures.push(`$ helm ${templateArgs.join(' ')}\n${helmProblems(rendered)}`);
        continue;
      }
      const problems = await validateManifest(rendered.stdout);
      if (problems.length > 0) failures.push(`$ helm ${templateArgs.join(' ')}: rendered objects fail validation\n${firstLines(problems.join('\n'), 8)}`);
      counts.push(`${variant.label}: ${objectCount(rendered.stdout)} objects`);
    }
    if (failures.length > 0) {
      return { ok: false, message: failures.slice(0, 3).join('\n') + (failures.length > 3 ? `\n… (${failures.length - 3} more failing commands)` : '') };
    }
    return {
      ok: true,
      message: `helm lint --strict and helm template pass (${counts.join(', ')}), every rendered object valid`,
    };
  } finally {
    await dispose();
  }
}

export const helmValidator: Validator = {
  name: 'helm',
  description: 'helm lint --strict and helm template with the default values and each values-<env>.yaml; every rendered object checked like a Kubernetes manifest',
  kinds: ['helm-chart', 'helm-template'],
  async available() {
    const found = locateTool('helm');
    if (!found.ok) return { ok: false, reason: found.reason, install: installHint('helm') };
    const { env, dispose } = await isolatedEnv('mlops-mcp-helm-');
    try {
      const v = await run(found.path, ['version', '--short'], { env });
      if (v.code !== 0) return { ok: false, reason: `${found.path} does not run: ${firstLines(v.stderr || v.stdout, 2)}`, install: installHint('helm') };
      return { ok: true, version: `helm ${v.stdout.trim()} (${found.path})` };
    } finally {
      await dispose();
    }
  },
  async validate({ artifacts, root }) {
    const found = locateTool('helm');
    if (!found.ok) throw new Error(found.reason);
    const verdicts: Verdict[] = [];
    const charts = new Map<string, Artifact[]>();
    for (const a of artifacts) {
      const chart = chartRootOf(a, root);
      if (chart === undefined) {
        verdicts.push({
          path: a.path,
          validator: this.name,
          verdict: 'fail',
          message: a.kind === 'helm-chart' ? 'kind helm-chart marks a Chart.yaml, not this file' : `not inside a Helm chart: no Chart.yaml in ${dirname(a.path)} or above`,
        });
        continue;
      }
      charts.set(chart, [...(charts.get(chart) ?? []), a]);
    }
    for (const [chart, files] of charts) {
      const result = await checkChart(found.path, root, chart);
      for (const a of files) {
        verdicts.push({ path: a.path, validator: this.name, verdict: result.ok ? 'pass' : 'fail', message: result.ok ? result.message : `chart ${chart}: ${result.message}` });
      }
    }
    return verdicts;
  },
};
