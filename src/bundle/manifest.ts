import { sha256, type Artifact } from '../artifacts/artifact.js';
import { toJson } from '../generators/serializers/json.js';
import type { ResolvedSpec } from '../spec/resolve.js';

export const MANIFEST_FORMAT = 'mlops-mcp-bundle/1';

export interface ManifestFile {
  path: string;
  kind: string;
  phase: string;
  sha256: string;
  bytes: number;
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  name: string;
  spec: ResolvedSpec;
  options: ResolvedSpec['options'];
  files: ManifestFile[];
}

/**
 * manifest.json at the bundle root. It holds no pipeline id, revision or time, so the same spec always gives
 * the same bytes (the template engine's determinism promise covers the whole bundle).
 */
export function buildManifest(spec: ResolvedSpec, artifacts: readonly Artifact[]): Manifest {
  const files = [...artifacts]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((a) => ({ path: a.path, kind: a.kind, phase: a.phase, sha256: sha256(a.content), bytes: Buffer.byteLength(a.content) }));
  return { format: MANIFEST_FORMAT, name: spec.name, spec, options: spec.options, files };
}

export function manifestArtifact(spec: ResolvedSpec, artifacts: readonly Artifact[]): Artifact {
  return { path: 'manifest.json', kind: 'json', phase: 'bundle', content: toJson(buildManifest(spec, artifacts)) };
}
