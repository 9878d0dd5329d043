import { parse as parseYaml } from 'yaml';
import { deliveryFiles } from '../../../../src/phases/mlops_engineer/ci/index.js';
import type { CiFile, CiUpstream } from '../../../../src/phases/mlops_engineer/ci/shared.js';
import { planMlops, type MlopsPlan } from '../../../../src/phases/mlops_engineer/derive.js';
import type { ResolvedSpec } from '../../../../src/spec/resolve.js';
import { upstreamFor, withSpec } from '../../../helpers/phaseHarness.js';
import { defaultSpec } from '../../../helpers/specs.js';

/** Shared by the CI/CD and container tests: the plan and upstream decisions of a spec, and its delivery files. */

export interface CiCase {
  spec: ResolvedSpec;
  plan: MlopsPlan;
  up: CiUpstream;
  files: CiFile[];
}

export function ciCase(spec: ResolvedSpec): CiCase {
  const up = upstreamFor(spec, 'mlops_engineer');
  const plan = planMlops(spec, up.data_scientist, up.ml_engineer, up.python_pro);
  const ciUp: CiUpstream = { data_engineer: up.data_engineer, ml_engineer: up.ml_engineer, python_pro: up.python_pro };
  return { spec, plan, up: ciUp, files: deliveryFiles(spec, plan, ciUp) };
}

type Options = ResolvedSpec['options'];

/** The default spec with delivery / options changed. */
export function variant(ci: 'github' | 'gitlab', options: Partial<Options> = {}, base: ResolvedSpec = defaultSpec(), patch: (s: ResolvedSpec) => void = () => {}): ResolvedSpec {
  return withSpec(base, (s) => {
    s.delivery.ci_platform = ci;
    Object.assign(s.options, options);
    patch(s);
  });
}

export function file(c: CiCase, path: string): CiFile {
  const f = c.files.find((x) => x.path === path);
  if (!f) throw new Error(`no file ${path} among ${c.files.map((x) => x.path).join(', ')}`);
  return f;
}

export function yamlOf<T = Record<string, unknown>>(c: CiCase, path: string): T {
  return parseYaml(file(c, path).content) as T;
}

export const CLOUDS = ['aws', 'gcp', 'azure', 'multi-cloud'] as const;
export const ORCHESTRATORS = ['kubeflow', 'airflow', 'prefect', 'dagster'] as const;
