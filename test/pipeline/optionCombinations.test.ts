import { describe, expect, it } from 'vitest';
import { bundleFiles } from '../../src/pipeline/bundle.js';
import { runAllPhases } from '../../src/pipeline/runPhases.js';
import { OPTION_NAMES, OPTION_VALUES } from '../../src/spec/options.js';
import { ValidatorRegistry, defaultValidators } from '../../src/validate/registry.js';
import { optionCombinations } from '../helpers/optionCombinations.js';
import { defaultSpec, withPatch } from '../helpers/specs.js';

const validators = new ValidatorRegistry(defaultValidators());
const combinations = optionCombinations();

describe('whole bundles over a Latin square of the options pass every validator', () => {
  it('the combinations use every value of every option', () => {
    for (const option of OPTION_NAMES) expect(new Set(combinations.map((c) => c[option])), option).toEqual(new Set(OPTION_VALUES[option]));
  });

  // Terraform, helm, kustomize, kubectl schemas, promtool check and test, amtool, actionlint, yamllint, shellcheck and
  // pytest on the generated project, on every file: a value is checked beside unlike values of the other options.
  it.each(combinations.map((c) => [Object.values(c).join(' + '), c] as const))('%s', async (_name, options) => {
    const spec = withPatch(defaultSpec(), { options });
    const report = await validators.validate(bundleFiles(spec, runAllPhases(spec).artifacts));
    expect(report.files.filter((f) => f.verdict === 'fail').map((f) => `${f.path}: ${f.results.filter((r) => r.verdict === 'fail').map((r) => r.message).join('; ')}`)).toEqual([]);
    // Only plain text (e.g. .dvc/config) has no validator.
    expect(report.files.filter((f) => f.verdict === 'unchecked' && f.kind !== 'text').map((f) => f.path)).toEqual([]);
  }, 300_000);
});
