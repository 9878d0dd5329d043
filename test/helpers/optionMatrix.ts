import { describe, expect, it } from 'vitest';
import { bundleFiles } from '../../src/pipeline/bundle.js';
import { runAllPhases } from '../../src/pipeline/runPhases.js';
import { OPTION_VALUES, type OptionName } from '../../src/spec/options.js';
import type { ResolvedSpec } from '../../src/spec/resolve.js';
import { ValidatorRegistry, defaultValidators } from '../../src/validate/registry.js';
import { defaultSpec, withPatch } from './specs.js';

function bundle(spec: ResolvedSpec) {
  return bundleFiles(spec, runAllPhases(spec).artifacts);
}

/** The option groups of the optionMatrix*.test.ts files; bundle.test.ts checks they cover every option. */
export const OPTION_GROUPS = {
  trackingStoreServing: ['experiment_tracking', 'feature_store', 'serving_platform'],
  orchestrationCloud: ['orchestration', 'cloud_provider'],
  modeMonitoring: ['deployment_mode', 'monitoring_stack'],
} as const satisfies Record<string, readonly OptionName[]>;

/**
 * For each option: every value changes the output, is named where it is used, and every file it changes still
 * passes its validators (Terraform, helm, kubectl, promtool, amtool, pytest on the generated project).
 */
export function describeOptionMatrix(options: readonly OptionName[]): void {
  describe('every value of every option changes the output, and every file still passes its validators', () => {
    const validators = new ValidatorRegistry(defaultValidators());

    // Files identical to the default bundle's are validated by bundle.test.ts, so each value validates only what
    // it changes; roots whose checks read the files around them (the Python project's test suite, a chart, an
    // overlay, promtool tests) are validated again when a file they read changed.
    const ROOT_KINDS = new Set(['python-project', 'helm-chart', 'kustomization', 'prometheus-rules-test']);
    const defaults = new Map(bundle(defaultSpec()).map((f) => [f.path, f.content]));
    /** The folders whose files a root's check reads. */
    const readsFrom = (a: { path: string; kind: string }): string[] => {
      const dir = `${a.path.slice(0, a.path.lastIndexOf('/'))}/`;
      switch (a.kind) {
        case 'python-project':
          return [dir, 'monitoring/drift/'];
        case 'kustomization':
          return ['deploy/k8s/'];
        case 'prometheus-rules-test':
          return ['monitoring/prometheus/'];
        default:
          return [dir];
      }
    };
    const selection = (files: readonly { path: string; kind: string; content: string }[]) => {
      const changed = files.filter((f) => defaults.get(f.path) !== f.content).map((f) => f.path);
      const set = new Set(changed);
      return (a: { path: string; kind: string }) => set.has(a.path) || (ROOT_KINDS.has(a.kind) && readsFrom(a).some((d) => changed.some((c) => c.startsWith(d))));
    };
    for (const option of options) {
      it(option, async () => {
        const base = defaultSpec();
        const outputs = OPTION_VALUES[option].map((value) => {
          const files = bundle(withPatch(base, { options: { [option]: value } }));
          return { value, files, text: files.filter((f) => f.path !== 'manifest.json').map((f) => f.content).join('\n') };
        });
        for (const { value, files } of outputs) {
          const report = await validators.validate(files, selection(files));
          expect(report.files.filter((f) => f.verdict === 'fail').map((f) => `${f.path}: ${f.results.map((r) => r.message).join('; ')}`), `${option}=${value}`).toEqual([]);
        }
        for (const [i, a] of outputs.entries()) {
          for (const b of outputs.slice(i + 1)) expect(a.text, `${option}: ${a.value} vs ${b.value}`).not.toBe(b.text);
          // The value is named where it is used (loosely: "multi-cloud" as multicloud, "newrelic" as New Relic).
          const squashed = a.text.toLowerCase().replace(/[^a-z0-9]/g, '');
          expect(squashed, `${option}=${a.value} is never mentioned`).toContain(a.value.replace(/[^a-z0-9]/g, ''));
        }
        // Each value runs the real validators (Terraform, helm, kubectl, promtool, amtool, pytest) on what it changed.
      }, 300_000);
    }
  });
}
