import { describe, expect, it } from 'vitest';
import type { Artifact } from '../../src/artifacts/artifact.js';
import { bundleFiles } from '../../src/pipeline/bundle.js';
import { runAllPhases } from '../../src/pipeline/runPhases.js';
import { OPTION_NAMES, OPTION_VALUES } from '../../src/spec/options.js';
import type { ResolvedSpec } from '../../src/spec/resolve.js';
import { ValidatorRegistry, defaultValidators } from '../../src/validate/registry.js';
import { defaultSpec, withPatch } from '../helpers/specs.js';

function bundle(spec: ResolvedSpec): Artifact[] {
  return bundleFiles(spec, runAllPhases(spec).artifacts);
}

// The tools that take seconds per bundle run on whole bundles in optionCombinations.test.ts (every value once) and
// per value in the phase tests; here, each value's changed files get the in-process and sub-second checks
// (Kubernetes schemas and references, serving configs, collectors, dashboards, Python compile, shellcheck, ...).
const SLOW = new Set(['pytest', 'promtool', 'helm', 'kustomize', 'actionlint', 'yamllint', 'terraform']);
const validators = new ValidatorRegistry(defaultValidators().filter((v) => !SLOW.has(v.name)));

describe('every value of every option changes the output, is named where it is used, and what it changes still validates', () => {
  const defaults = new Map(bundle(defaultSpec()).map((f) => [f.path, f.content]));

  it.each(OPTION_NAMES)('%s', async (option) => {
    const outputs = OPTION_VALUES[option].map((value) => {
      const files = bundle(withPatch(defaultSpec(), { options: { [option]: value } }));
      return { value, files, text: files.filter((f) => f.path !== 'manifest.json').map((f) => f.content).join('\n') };
    });
    for (const [i, a] of outputs.entries()) {
      for (const b of outputs.slice(i + 1)) expect(a.text, `${option}: ${a.value} vs ${b.value}`).not.toBe(b.text);
      // Loosely: "multi-cloud" as multicloud, "newrelic" as New Relic.
      const squashed = a.text.toLowerCase().replace(/[^a-z0-9]/g, '');
      expect(squashed, `${option}=${a.value} is never mentioned`).toContain(a.value.replace(/[^a-z0-9]/g, ''));
    }
    for (const { value, files } of outputs) {
      const report = await validators.validate(files, (f) => defaults.get(f.path) !== f.content);
      expect(report.files.filter((f) => f.verdict === 'fail').map((f) => `${f.path}: ${f.results.filter((r) => r.verdict === 'fail').map((r) => r.message).join('; ')}`), `${option}=${value}`).toEqual([]);
    }
  }, 120_000);
});
