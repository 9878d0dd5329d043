import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Artifact, ArtifactKind } from '../artifacts/artifact.js';
import type { Availability, Validator, Verdict } from './types.js';
import { actionlintValidator } from './validators/actionlint.js';
import { ciShellcheckValidator } from './validators/ciShellcheck.js';
import { dockerfileValidator } from './validators/dockerfile.js';
import { gitlabCiValidator } from './validators/gitlabCi.js';
import { grafanaValidator } from './validators/grafana.js';
import { helmValidator } from './validators/helm.js';
import { jsonValidator } from './validators/json.js';
import { kubernetesValidator } from './validators/kubernetes.js';
import { kustomizeValidator } from './validators/kustomize.js';
import { markdownValidator } from './validators/markdown.js';
import { promtoolValidator } from './validators/promtool.js';
import { amtoolValidator } from './validators/amtool.js';
import { otelCollectorValidator } from './validators/otelCollector.js';
import { pythonCompileValidator } from './validators/python.js';
import { pytestValidator } from './validators/pytest.js';
import { referencesValidator } from './validators/references.js';
import { noSecretsValidator } from './validators/secrets.js';
import { servingConfigValidator } from './validators/servingConfig.js';
import { shellcheckValidator } from './validators/shellcheck.js';
import { terraformValidator } from './validators/terraform.js';
import { tomlValidator } from './validators/toml.js';
import { yamlParseValidator } from './validators/yaml.js';
import { yamllintValidator } from './validators/yamllint.js';

/** The validators this build ships. To add one: implement Validator in validators/, list it here. */
export function defaultValidators(): Validator[] {
  return [
    jsonValidator,
    grafanaValidator,
    yamlParseValidator,
    yamllintValidator,
    kubernetesValidator,
    referencesValidator,
    helmValidator,
    kustomizeValidator,
    servingConfigValidator,
    promtoolValidator,
    amtoolValidator,
    otelCollectorValidator,
    pythonCompileValidator,
    pytestValidator,
    shellcheckValidator,
    terraformValidator,
    actionlintValidator,
    ciShellcheckValidator,
    gitlabCiValidator,
    dockerfileValidator,
    tomlValidator,
    markdownValidator,
    noSecretsValidator,
  ];
}

export type FileVerdict = 'pass' | 'fail' | 'unchecked';

export interface FileReport {
  path: string;
  kind: ArtifactKind;
  phase: string;
  verdict: FileVerdict;
  results: Verdict[];
}

export interface ValidatorInfo {
  name: string;
  description: string;
  kinds: ArtifactKind[];
  available: boolean;
  version?: string;
  reason?: string;
  install?: string;
}

export interface ValidationReport {
  summary: { files: number; passed: number; failed: number; unchecked: number };
  files: FileReport[];
  validators: ValidatorInfo[];
}

export class ValidatorRegistry {
  private readonly availability = new Map<string, Promise<Availability>>();

  constructor(private readonly validators: Validator[]) {}

  list(): readonly Validator[] {
    return this.validators;
  }

  /** Availability is probed once per process: tools do not appear or vanish while a server runs. */
  private probe(v: Validator): Promise<Availability> {
    if (!this.availability.has(v.name)) this.availability.set(v.name, v.available().catch((e: unknown) => ({ ok: false, reason: String(e), install: '' })));
    return this.availability.get(v.name)!;
  }

  async describe(): Promise<ValidatorInfo[]> {
    return Promise.all(
      this.validators.map(async (v) => {
        const a = await this.probe(v);
        return {
          name: v.name,
          description: v.description,
          kinds: [...v.kinds],
          available: a.ok,
          ...(a.ok ? (a.version ? { version: a.version } : {}) : { reason: a.reason, install: a.install }),
        };
      }),
    );
  }

  /**
   * Validates a bundle. Everything is written to a private temporary folder first, because several tools
   * (promtool test rules, shellcheck source=) resolve files relative to each other.
   */
  async validate(bundle: readonly Artifact[], only?: (a: Artifact) => boolean): Promise<ValidationReport> {
    const targets = only ? bundle.filter(only) : [...bundle];
    const root = await mkdtemp(join(tmpdir(), 'mlops-mcp-validate-'));
    try {
      for (const a of bundle) {
        const file = join(root, a.path);
        await mkdir(dirname(file), { recursive: true });
        await writeFile(file, a.content);
      }
      const infos = await this.describe();
      const verdicts = await Promise.all(
        this.validators.map(async (v, i): Promise<Verdict[]> => {
          const mine = targets.filter((a) => v.kinds.includes(a.kind));
          if (mine.length === 0) return [];
          const info = infos[i]!;
          if (!info.available) {
            return mine.map((a) => ({ path: a.path, validator: v.name, verdict: 'skipped', message: `not installed: ${info.reason} (install: ${info.install})` }));
          }
          try {
            return await v.validate({ artifacts: mine, root, bundle });
          } catch (error) {
            return mine.map((a) => ({ path: a.path, validator: v.name, verdict: 'fail', message: `validator crashed: ${(error as Error).message}` }));
          }
        }),
      );
      const byPath = new Map<string, Verdict[]>();
      for (const v of verdicts.flat()) byPath.set(v.path, [...(byPath.get(v.path) ?? []), v]);
      const policies = new Set(this.validators.filter((v) => v.policy).map((v) => v.name));
      const files = targets.map((a): FileReport => {
        const results = byPath.get(a.path) ?? [];
        // Policy checks (no-secrets) run on every kind: a file is validated only when a format validator passed it.
        const format = results.filter((r) => !policies.has(r.validator));
        const verdict: FileVerdict = results.some((r) => r.verdict === 'fail') ? 'fail' : format.some((r) => r.verdict === 'pass') ? 'pass' : 'unchecked';
        if (format.length === 0) results.push({ path: a.path, validator: 'none', verdict: 'skipped', message: `no validator checks kind "${a.kind}"` });
        return { path: a.path, kind: a.kind, phase: a.phase, verdict, results };
      });
      return {
        summary: {
          files: files.length,
          passed: files.filter((f) => f.verdict === 'pass').length,
          failed: files.filter((f) => f.verdict === 'fail').length,
          unchecked: files.filter((f) => f.verdict === 'unchecked').length,
        },
        files,
        validators: infos,
      };
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }
}
