import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { getAt } from '../../../src/generators/kubernetes/parameters.js';
import { helmValueLeaves } from '../../../src/generators/terraform/index.js';
import { terraformInput } from '../../../src/phases/mlops_engineer/infra.js';
import { surgeFactor } from '../../../src/phases/mlops_engineer/index.js';
import { planMlops } from '../../../src/phases/mlops_engineer/derive.js';
import { runAllPhases } from '../../../src/pipeline/runPhases.js';
import { OPTION_VALUES } from '../../../src/spec/options.js';
import { defaultSpec, withPatch } from '../../helpers/specs.js';

/** Leaf paths of a plain object (arrays are leaves). */
function leaves(value: unknown, path: string[] = []): string[][] {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return [path];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => leaves(v, [...path, k]));
}

// Terraform's helm_values output is passed to `helm upgrade -f`: every path it sets must be a value the chart
// reads (else it is silently ignored), and every value only Terraform knows must be set by it (else the
// placeholder reaches the cluster).
describe('the Terraform → Helm values contract', () => {
  const cases = [...OPTION_VALUES.cloud_provider.map((cloud) => ({ cloud, secrets: undefined })), { cloud: 'aws' as const, secrets: 'vault' as const }];
  for (const { cloud, secrets } of cases) {
    it(`${cloud}${secrets ? ` with ${secrets}` : ''}: helm_values sets exactly the chart's infrastructure values and existing image repositories`, () => {
      const spec = withPatch(defaultSpec(), { options: { cloud_provider: cloud }, ...(secrets ? { delivery: { secrets_backend: secrets } } : {}) });
      const run = runAllPhases(spec, 'kubernetes_architect');
      const values = parse(run.artifacts.find((a) => a.path === `deploy/helm/${spec.name}/values.yaml`)!.content) as Record<string, unknown>;
      const d = run.outputs;
      const plan = planMlops(spec, d.data_scientist!.decisions, d.ml_engineer!.decisions, d.python_pro!.decisions);
      const tf = terraformInput(spec, plan, { ml_engineer: d.ml_engineer!.decisions, data_engineer: d.data_engineer!.decisions }, surgeFactor(plan));
      const set = helmValueLeaves(tf);
      for (const path of set) expect(getAt(values, path), `${path.join('.')} is not a value of the chart`).toBeTypeOf('string');
      const infra = leaves(values.infrastructure ?? {}).map((p) => ['infrastructure', ...p].join('.'));
      expect(infra.length).toBeGreaterThan(0);
      expect(set.map((p) => p.join('.')).filter((p) => p.startsWith('infrastructure.')).sort()).toEqual(infra.sort());
      // The Terraform root really outputs those paths.
      const outputs = run.artifacts.find((a) => a.path === 'infra/terraform/envs/prod/outputs.tf')!.content;
      const helmValues = outputs.slice(outputs.indexOf('output "helm_values"'));
      for (const path of set) expect(helmValues, path.join('.')).toMatch(new RegExp(`\\n\\s+${path[path.length - 1]!}\\s+= (module|var)\\.`));
    });
  }
});
