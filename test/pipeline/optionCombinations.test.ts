import { describe, expect, it } from 'vitest';
import { bundleFiles } from '../../src/pipeline/bundle.js';
import { runAllPhases } from '../../src/pipeline/runPhases.js';
import { OPTION_NAMES, OPTION_VALUES, type OptionName, type Options } from '../../src/spec/options.js';
import type { ResolvedSpec } from '../../src/spec/resolve.js';
import { ValidatorRegistry, defaultValidators } from '../../src/validate/registry.js';
import { ONLINE_OPTIONS, OPTION_COMBINATIONS } from '../helpers/optionCombinations.js';
import { defaultSpec, withPatch } from '../helpers/specs.js';

const validators = new ValidatorRegistry(defaultValidators());
const paths = (spec: ResolvedSpec) => bundleFiles(spec, runAllPhases(spec).artifacts).map((f) => f.path);

describe('whole bundles over a Latin square of the options pass every validator', () => {
  it('the combinations use every value of every option once, online values beside an online mode, and one pair of options moves together', () => {
    for (const option of OPTION_NAMES) expect(OPTION_COMBINATIONS.map((c) => c[option]).sort(), option).toEqual([...OPTION_VALUES[option]].sort());
    const batch = OPTION_COMBINATIONS.find((c) => c.deployment_mode === 'batch')!;
    for (const option of ONLINE_OPTIONS) expect(batch[option], option).toBe(defaultSpec().options[option]);
    const together: string[] = [];
    for (const [i, a] of OPTION_NAMES.entries()) {
      for (const b of OPTION_NAMES.slice(i + 1)) {
        const index = (o: OptionName, c: Options) => (OPTION_VALUES[o] as readonly string[]).indexOf(c[o]);
        const offsets = new Set(OPTION_COMBINATIONS.map((c) => (index(b, c) - index(a, c) + OPTION_VALUES[b].length) % OPTION_VALUES[b].length));
        if (offsets.size === 1) together.push(`${a} + ${b}`);
      }
    }
    expect(together).toEqual(['experiment_tracking + cloud_provider']);
  });

  it('every file a value produces on its own (beside the defaults) is in some combination or the default bundle, so the validators see it', () => {
    const covered = new Set([...paths(defaultSpec()), ...OPTION_COMBINATIONS.flatMap((options) => paths(withPatch(defaultSpec(), { options })))]);
    const missing = OPTION_NAMES.flatMap((option) =>
      OPTION_VALUES[option].flatMap((value) => paths(withPatch(defaultSpec(), { options: { [option]: value } })).filter((p) => !covered.has(p)).map((p) => `${option}=${value}: ${p}`)),
    );
    expect(missing).toEqual([]);
  }, 120_000);

  // Terraform, helm, kustomize, kubectl schemas, promtool check and test, amtool, actionlint, yamllint, shellcheck and
  // pytest on the generated project, on every file of the bundle.
  it.each(OPTION_COMBINATIONS.map((c) => [Object.values(c).join(' + '), c] as const))('%s', async (_name, options) => {
    const spec = withPatch(defaultSpec(), { options });
    const report = await validators.validate(bundleFiles(spec, runAllPhases(spec).artifacts));
    expect(report.files.filter((f) => f.verdict === 'fail').map((f) => `${f.path}: ${f.results.filter((r) => r.verdict === 'fail').map((r) => r.message).join('; ')}`)).toEqual([]);
    // Only plain text (e.g. .dvc/config) has no validator.
    expect(report.files.filter((f) => f.verdict === 'unchecked' && f.kind !== 'text').map((f) => f.path)).toEqual([]);
  }, 300_000);
});
