import type { ArtifactKind } from '../../artifacts/artifact.js';

/** A file a delivery generator produces; the phase that calls it turns it into an artifact. */
export interface GeneratedFile {
  path: string;
  kind: ArtifactKind;
  content: string;
}
