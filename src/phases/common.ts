import { MarkdownDocument, code, text } from '../generators/serializers/markdown.js';
import type { ResolvedSpec } from '../spec/resolve.js';
import type { Feature } from '../spec/schema.js';
import type { PhaseInfo } from './graph.js';

/**
 * The opening every phase document shares: who is speaking, for which pipeline. It reads only `name` and
 * `requirements` (read by every phase, see ALWAYS_READ); options are stated by the sections that use them, so
 * that changing an option makes only the phases that read it stale.
 */
export function beginDocument(info: PhaseInfo, spec: ResolvedSpec, notes?: string): MarkdownDocument {
  const doc = new MarkdownDocument()
    .heading(1, `${info.title}: ${text(spec.name)}`)
    .paragraph(`Stage ${info.stage} (${info.stageTitle}), agent ${code(info.agent)}. Every figure below is derived from the pipeline spec; change the spec and re-run the phase to update it.`)
    .raw(`> ${text(spec.requirements.length > 600 ? `${spec.requirements.slice(0, 600)}…` : spec.requirements)}`);
  if (notes && notes.trim()) doc.paragraph(`Notes from the user for this run: ${text(notes.trim())}`);
  return doc;
}

/** Object storage URI scheme and bucket naming per cloud; multi-cloud keeps the primary copy on AWS. */
export function objectStoreUri(spec: ResolvedSpec, layer: string): string {
  const bucket = `${spec.name}-${layer}`;
  switch (spec.options.cloud_provider) {
    case 'aws':
    case 'multi-cloud':
      return `s3://${bucket}`;
    case 'gcp':
      return `gs://${bucket}`;
    case 'azure':
      return `abfss://${layer}@${spec.name.replace(/-/g, '').slice(0, 20)}lake.dfs.core.windows.net`;
  }
}

/** Average requests per second: the spec's value, or a third of the peak (a common peak-to-mean ratio for daily cycles). */
export function averageRps(spec: ResolvedSpec): number {
  return spec.scale.average_rps ?? spec.scale.peak_rps / 3;
}

/** Import name of the generated Python package (slug names are lowercase letters, digits and -). */
export function pythonPackage(spec: ResolvedSpec): string {
  return spec.name.replace(/-/g, '_');
}

/** Paths in the bundle, shared by every phase so that files written by one phase can be referenced by another. */
export const LAYOUT = {
  docs: 'docs',
  runbooks: 'docs/runbooks',
  data: 'data',
  pythonRoot: 'ml',
  k8sBase: 'deploy/k8s/base',
  monitoring: 'monitoring',
  ci: 'ci',
} as const;

/** Spec paths every phase reads through beginDocument. */
export const ALWAYS_READ = ['name', 'requirements'] as const;

/** A feature's declared contract as a JSON/Python literal (nulls, not missing keys, for absent bounds). */
export function featureContract(f: Feature) {
  return { type: f.type, nullable: f.nullable, min: f.min ?? null, max: f.max ?? null, categories: f.categories ?? null, protected: f.protected };
}
