import { describe, expect, it } from 'vitest';
import { bundleFiles } from '../../src/pipeline/bundle.js';
import { parseAllDocuments } from 'yaml';
import { PHASE_IDS } from '../../src/phases/graph.js';
import { executePhase, phaseFiles, runAllPhases } from '../../src/pipeline/runPhases.js';
import { specFromRequirements, type ResolvedSpec } from '../../src/spec/resolve.js';
import { ValidatorRegistry, defaultValidators } from '../../src/validate/registry.js';
import { defaultSpec, richSpec } from '../helpers/specs.js';

function bundle(spec: ResolvedSpec) {
  return bundleFiles(spec, runAllPhases(spec).artifacts);
}

const validators = new ValidatorRegistry(defaultValidators());

// Each option's values: optionValues.test.ts (output differs, per value) and optionCombinations.test.ts (whole bundles).
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

  it('keeps user text as data in every generated language: every validator passes, and no user string adds a key, a resource or a script', async () => {
    // Metacharacters of YAML, HCL, Python, shell, Markdown, HTML and PromQL, newlines and unicode, in every free-text field.
    const hostile = 'Fraud <script>alert(1)</script> | `rm -rf /` $(reboot) "quoted" \'single\'\n---\ninjected: {key: true}\n# heading\n{{ .Values.x }} ${HOME} ]]> \\ \u202e ünïcødé 🧨 =~ "}[5m] or vector(1) """ \'\'\' %{x} <<EOF';
    const category = (i: number) => `${i}: ${hostile.slice(0, 60).replace(/\n/g, ' ')} ${'"}'.repeat(i)}`;
    const spec = specFromRequirements({
      requirements: hostile,
      spec: {
        team: { owner: 'Team "X" <y> $(id) `z` \n injected: true' },
        data: {
          sources: [{ name: 'ledger', kind: 'postgres', description: hostile }],
          features: [
            { name: 'amount', type: 'numeric' },
            { name: 'merchant_type', type: 'categorical', categories: [category(1), category(2), "'; DROP TABLE x; --", 'a\nb: c'] },
          ],
        },
      },
    }).spec;
    const upstream: Record<string, unknown> = {};
    const artifacts = PHASE_IDS.flatMap((phase) => {
      const out = executePhase(phase, spec, upstream as never, hostile);
      upstream[phase] = out.decisions;
      return phaseFiles(phase, out);
    });
    const files = bundleFiles(spec, artifacts);
    const report = await validators.validate(files);
    expect(report.files.filter((f) => f.verdict === 'fail').map((f) => ({ path: f.path, r: f.results.filter((x) => x.verdict === 'fail') }))).toEqual([]);
    for (const doc of files.filter((f) => f.kind === 'markdown')) expect(doc.content, doc.path).not.toMatch(/<script>|^injected:/m);
    // No YAML document gained a key from the text.
    const keys = (v: unknown): string[] => (Array.isArray(v) ? v.flatMap(keys) : v && typeof v === 'object' ? Object.entries(v).flatMap(([k, x]) => [k, ...keys(x)]) : []);
    for (const f of files.filter((x) => /\.ya?ml$/.test(x.path))) {
      for (const doc of parseAllDocuments(f.content)) expect(keys(doc.toJS()), f.path).not.toContain('injected');
    }
    // Identifiers are refused with a message that says what to write instead.
    expect(() => specFromRequirements({ requirements: 'x', spec: { data: { features: [{ name: 'a; rm -rf /', type: 'numeric' }] } } })).toThrow(/data\.features\[0\]\.name: use lower_snake_case/);
  
});
});
