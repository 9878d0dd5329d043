import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { PriorityClass } from 'kubernetes-models/scheduling.k8s.io/v1/PriorityClass';
import { StorageClass } from 'kubernetes-models/storage.k8s.io/v1/StorageClass';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { LimitRange } from 'kubernetes-models/v1/LimitRange';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { ResourceQuota } from 'kubernetes-models/v1/ResourceQuota';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { Application } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
import { PodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import type { Artifact } from '../../src/artifacts/artifact.js';
import { checkGrafanaDashboard } from '../../src/validate/validators/grafana.js';
import { checkCollectorConfig } from '../../src/validate/validators/otelCollector.js';
import { PHASE_IDS, type PhaseId } from '../../src/phases/graph.js';
import type { DecisionsByPhase, PhaseInput, PhaseOutput } from '../../src/phases/types.js';
import { executePhase, runAllPhases } from '../../src/pipeline/runPhases.js';
import { resolveSpec, type ResolvedSpec } from '../../src/spec/resolve.js';
import { tempDir } from './tmp.js';

/**
 * What the phase tests share: running a phase on the real upstream chain, writing artifacts to a temporary
 * bundle and checking them with the real tools (py_compile, shellcheck, yamllint, promtool, kubernetes-models).
 */

export const PYTHON = '/usr/bin/python3';
export const YAMLLINT_CONFIG = '{extends: default, rules: {document-start: disable, line-length: disable}}';

/** User text with markup, pipes, backticks, quotes, a backslash and a line that would start a heading. */
export const HOSTILE_TEXT = 'x <script>alert(1)</script> | `tick` """ \' \\ \n## heading\n- item';

// ------------------------------------------------------------------ running phases

/** The decisions of every phase that runs before `phase`, from the real phases run in memory. */
export function upstreamFor<P extends PhaseId>(spec: ResolvedSpec, phase: P): PhaseInput<P>['upstream'] {
  const index = PHASE_IDS.indexOf(phase);
  if (index === 0) return {} as PhaseInput<P>['upstream'];
  return decisionsOf(runAllPhases(spec, PHASE_IDS[index - 1]).outputs) as PhaseInput<P>['upstream'];
}

/** The decisions of each phase output of a runAllPhases run. */
export function decisionsOf(outputs: ReturnType<typeof runAllPhases>['outputs']): Partial<DecisionsByPhase> {
  const upstream: Partial<DecisionsByPhase> = {};
  for (const [id, out] of Object.entries(outputs)) (upstream as Record<string, unknown>)[id] = out.decisions;
  return upstream;
}

/** One phase on the real upstream chain (or on the given upstream decisions), its decisions checked by its schema. */
export function runPhase<P extends PhaseId>(phase: P, spec: ResolvedSpec, notes?: string, upstream: Partial<DecisionsByPhase> = upstreamFor(spec, phase)): PhaseOutput<P> {
  return executePhase(phase, spec, upstream, notes);
}

/** Every artifact of the phases up to and including `until`: a bundle the generated code can import from. */
export function bundleUntil(spec: ResolvedSpec, until: PhaseId): Artifact[] {
  return runAllPhases(spec, until).artifacts;
}

/** A resolved spec with one field changed at a dotted path (missing objects created), re-resolved. */
export function withPath(spec: ResolvedSpec, path: string, value: unknown): ResolvedSpec {
  const copy = structuredClone(spec) as unknown as Record<string, unknown>;
  const keys = path.split('.');
  let node = copy;
  for (const k of keys.slice(0, -1)) node = (node[k] ??= {}) as Record<string, unknown>;
  node[keys.at(-1)!] = value;
  return resolveSpec(copy);
}

/** A copy of a resolved spec changed by `patch`, re-resolved (or left as patched, for specs resolve would reject). */
export function withSpec(base: ResolvedSpec, patch: (s: ResolvedSpec) => void, resolve = true): ResolvedSpec {
  const copy = structuredClone(base);
  patch(copy);
  return resolve ? resolveSpec(copy) : copy;
}

export function artifactAt(out: { artifacts: Artifact[] }, path: string): Artifact {
  const found = out.artifacts.find((a) => a.path === path);
  if (!found) throw new Error(`no artifact ${path}; have ${out.artifacts.map((a) => a.path).join(', ')}`);
  return found;
}

// ------------------------------------------------------------------ files and tools

/** Writes the artifacts under a fresh temporary folder (removed when the test finishes); returns the folder. */
export function writeArtifacts(artifacts: readonly Artifact[], dir = tempDir()): string {
  for (const a of artifacts) {
    const file = join(dir, a.path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, a.content);
  }
  return dir;
}

/** Runs a tool; ok when it exits 0, output is its stdout and stderr. */
export function runTool(cmd: string, args: string[], cwd?: string): { ok: boolean; output: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

/** Writes one text to a temporary file and runs shellcheck (bash) on it. */
export function shellcheck(content: string): { ok: boolean; output: string } {
  const file = join(tempDir(), 'script.sh');
  writeFileSync(file, content);
  return runTool('/usr/bin/shellcheck', ['-s', 'bash', file]);
}

/** Writes one text to a temporary file and runs yamllint on it. */
export function yamllint(content: string): { ok: boolean; output: string } {
  const file = join(tempDir(), 'file.yaml');
  writeFileSync(file, content);
  return runTool('/usr/bin/yamllint', ['-s', '-d', YAMLLINT_CONFIG, file]);
}

/**
 * Checks every artifact with the real tool of its kind (written under `dir`); returns failures as readable
 * strings. Python compiles, shell passes shellcheck, YAML parses and passes yamllint, Kubernetes objects also
 * validate with kubernetes-models, rule files pass promtool, JSON and TOML parse, markdown starts with a heading.
 */
export function checkArtifacts(artifacts: readonly Artifact[], dir = writeArtifacts(artifacts)): string[] {
  const failures: string[] = [];
  for (const a of artifacts) {
    const file = join(dir, a.path);
    const fail = (what: string, output: string) => failures.push(`${a.path} (${what}): ${output}`);
    const tool = (what: string, cmd: string, args: string[]) => {
      const r = runTool(cmd, args);
      if (!r.ok) fail(what, r.output);
    };
    try {
      switch (a.kind) {
        case 'python':
          tool('py_compile', PYTHON, ['-m', 'py_compile', file]);
          break;
        case 'shell':
          tool('shellcheck', '/usr/bin/shellcheck', ['-s', 'bash', file]);
          break;
        case 'yaml':
          parseYaml(a.content);
          tool('yamllint', '/usr/bin/yamllint', ['-s', '-d', YAMLLINT_CONFIG, file]);
          break;
        case 'kubernetes':
          for (const obj of k8sObjects(a)) validateK8s(obj);
          tool('yamllint', '/usr/bin/yamllint', ['-s', '-d', YAMLLINT_CONFIG, file]);
          break;
        case 'prometheus-rules':
          tool('promtool', '/usr/bin/promtool', ['check', 'rules', file]);
          break;
        case 'prometheus-rules-test':
          tool('promtool', '/usr/bin/promtool', ['test', 'rules', file]);
          break;
        case 'alertmanager':
          tool('amtool', '/usr/bin/amtool', ['check-config', file]);
          break;
        case 'kustomization': {
          const resources = (parseYaml(a.content) as { resources?: string[] }).resources ?? [];
          const folder = dirname(a.path);
          for (const r of resources) if (!artifacts.some((x) => x.path === join(folder, r)) && !r.startsWith('..')) fail('kustomization', `resource ${r} is not generated`);
          break;
        }
        case 'grafana-dashboard': {
          const problems = checkGrafanaDashboard(a.content);
          if (problems.length > 0) fail('grafana-schema', problems.join('; '));
          break;
        }
        case 'otel-collector': {
          const problems = checkCollectorConfig(a.content);
          if (problems.length > 0) fail('otel-collector', problems.join('; '));
          tool('yamllint', '/usr/bin/yamllint', ['-s', '-d', YAMLLINT_CONFIG, file]);
          break;
        }
        case 'alertmanager-routes-test':
          parseYaml(a.content);
          tool('yamllint', '/usr/bin/yamllint', ['-s', '-d', YAMLLINT_CONFIG, file]);
          break;
        case 'terraform':
          // Parsed and reference-checked by the terraform validator in the vendor tests (a child process per run).
          break;
        case 'json':
          JSON.parse(a.content);
          break;
        case 'python-project':
        case 'toml':
          parseToml(a.content);
          break;
        case 'markdown':
          if (!a.content.startsWith('# ')) fail('markdown', 'does not start with a heading');
          break;
        case 'text':
          break;
        default:
          fail('kind', `unexpected kind ${a.kind}`);
      }
    } catch (error) {
      fail('parse', String(error));
    }
  }
  return failures;
}

/** Runs a Python script in `dir` with ml/src on the path and parses what it prints as JSON. */
export function runPython(dir: string, script: string): unknown {
  return JSON.parse(execFileSync(PYTHON, ['-c', script], { cwd: dir, env: { PYTHONPATH: `${join(dir, 'ml/src')}:${dir}` }, encoding: 'utf8' }));
}

// ------------------------------------------------------------------ Kubernetes objects

export type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> } } & Record<string, unknown>;

/** A phase's files of the kustomize base; its delivery files (overlays, Argo CD, Helm) are tested in test/generators. */
export function baseManifests(output: { artifacts: Artifact[] }): Artifact[] {
  return output.artifacts.filter((a) => a.kind === 'kubernetes' && a.path.startsWith('deploy/k8s/base/'));
}

export function k8sObjects(a: Artifact): K8sObject[] {
  return parseAllDocuments(a.content).map((d) => d.toJS() as K8sObject);
}

const MODELS: Record<string, new (o: never) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment as never,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler as never,
  'batch/v1/CronJob': CronJob as never,
  'batch/v1/Job': Job as never,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget as never,
  'scheduling.k8s.io/v1/PriorityClass': PriorityClass as never,
  'storage.k8s.io/v1/StorageClass': StorageClass as never,
  'v1/ConfigMap': ConfigMap as never,
  'v1/LimitRange': LimitRange as never,
  'v1/Namespace': Namespace as never,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim as never,
  'v1/ResourceQuota': ResourceQuota as never,
  'v1/Service': Service as never,
  'v1/ServiceAccount': ServiceAccount as never,
  'argoproj.io/v1alpha1/Application': Application as never,
  'monitoring.coreos.com/v1/PodMonitor': PodMonitor as never,
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule as never,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor as never,
};

/** Validates one object against its kubernetes-models schema; objects of other kinds are an error. */
export function validateK8s(obj: K8sObject, allowed?: readonly string[]): void {
  const key = `${obj.apiVersion}/${obj.kind}`;
  const Model = MODELS[key];
  if (!Model || (allowed && !allowed.includes(key))) throw new Error(`unexpected object ${key}`);
  new Model(obj as never).validate();
}
