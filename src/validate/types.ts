import type { Artifact, ArtifactKind } from '../artifacts/artifact.js';

export type VerdictStatus = 'pass' | 'fail' | 'skipped';

export interface Verdict {
  path: string;
  validator: string;
  verdict: VerdictStatus;
  message: string;
}

export type Availability = { ok: true; version?: string } | { ok: false; reason: string; install: string };

/** What a validator gets: the artifacts of its kinds, and the folder where the whole bundle has been written. */
export interface ValidationInput {
  artifacts: Artifact[];
  /** Every artifact of the bundle is on disk under this folder, at its path (tools like promtool follow relative references). */
  root: string;
  /** Every artifact of the bundle, also those not being validated: context for checks across files. */
  bundle: readonly Artifact[];
}

export interface Validator {
  name: string;
  description: string;
  kinds: readonly ArtifactKind[];
  /** A policy check over every kind (no-secrets): its failures fail a file, its passes alone do not make a file count as validated. */
  policy?: boolean;
  available(): Promise<Availability>;
  /** One verdict per artifact it was given. */
  validate(input: ValidationInput): Promise<Verdict[]>;
}
