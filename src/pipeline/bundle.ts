import type { Artifact } from '../artifacts/artifact.js';
import { manifestArtifact } from '../bundle/manifest.js';
import type { ResolvedSpec } from '../spec/resolve.js';

/** The files of a bundle: every phase artifact plus manifest.json, sorted by path. */
export function bundleFiles(spec: ResolvedSpec, artifacts: readonly Artifact[]): Artifact[] {
  const plain = artifacts.map(({ path, kind, phase, content }) => ({ path, kind, phase, content }));
  return [manifestArtifact(spec, plain), ...plain].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
