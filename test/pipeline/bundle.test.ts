import { describe, expect, it } from 'vitest';
import { bundleFiles } from '../../src/pipeline/bundle.js';
import { runAllPhases } from '../../src/pipeline/runPhases.js';
import { OPTION_NAMES, OPTION_VALUES } from '../../src/spec/options.js';
import { specFromRequirements, type ResolvedSpec } from '../../src/spec/resolve.js';
import { ValidatorRegistry, defaultValidators } from '../../src/validate/registry.js';
import { defaultSpec, richSpec, withPatch } from '../helpers/specs.js';

function bundle(spec: ResolvedSpec) {
  return bundleFiles(spec, runAllPhases(spec).artifacts);
}

const validators = new ValidatorRegistry(defaultValidators());

describe('the bundle of all seven phases', () => {
  it('is byte-identical for the same spec (template engine determinism)', () => {
    const a = bundle(richSpec());
    const b = bundle(richSpec());
    expect(b).toEqual(a);
  });

  it('has a manifest listing every file with kind, phase and sha256', () => {
    const files = bundle(defaultSpec());
    const manifest = JSON.parse(files.find((f) => f.path === 'manifest.json')!.content) as { files: { path: string }[]; options: unknown; spec: unknown };
    expect(manifest.files.map((f) => f.path)).toEqual(files.filter((f) => f.path !== 'manifest.json').map((f) => f.path));
    expect(manifest.options).toEqual(defaultSpec().options);
  });

  it('differs visibly between two different specs', () => {
    const a = bundle(defaultSpec());
    const b = bundle(richSpec());
    for (const phase of ['01-data-engineer', '02-data-scientist', '03-ml-engineer', '04-python-pro', '05-mlops-engineer', '06-kubernetes-architect', '07-observability-engineer']) {
      const docA = a.find((f) => f.path === `docs/phases/${phase}.md`)!.content;
      const docB = b.find((f) => f.path === `docs/phases/${phase}.md`)!.content;
      expect(docA, phase).not.toBe(docB);
    }
  });

  it.each([
    ['the default spec', () => defaultSpec()],
    ['a rich spec', () => richSpec()],
  ])('passes every validator for %s', async (_name, make) => {
    const report = await validators.validate(bundle(make()));
    const failed = report.files.filter((f) => f.verdict === 'fail').map((f) => ({ path: f.path, results: f.results.filter((r) => r.verdict === 'fail') }));
    expect(failed).toEqual([]);
    // Only plain text (e.g. .dvc/config) has no validator; every other kind is checked.
    expect(report.files.filter((f) => f.verdict === 'unchecked' && f.kind !== 'text').map((f) => f.path)).toEqual([]);
  });

  describe('every value of every option changes the output, and every file still passes its validators', () => {
    // Files identical to the default bundle's were validated by the test above, so each value validates only what
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
    for (const option of OPTION_NAMES) {
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

  it('keeps user text as data in every generated language', async () => {
    const hostile = 'Fraud <script>alert(1)</script> | `rm -rf /` $(reboot) "quoted" \'single\'\n---\nkey: {injected: true}\n# heading\n{{ .Values.x }} ${HOME} ]]>';
    const spec = specFromRequirements({ requirements: hostile, spec: { team: { owner: 'Team "X" <y> $(id) `z`' } } }).spec;
    const files = bundle(spec);
    const report = await validators.validate(files);
    expect(report.files.filter((f) => f.verdict === 'fail').map((f) => ({ path: f.path, r: f.results.filter((x) => x.verdict === 'fail') }))).toEqual([]);
    for (const doc of files.filter((f) => f.kind === 'markdown')) expect(doc.content, doc.path).not.toContain('<script>');
  });
});
