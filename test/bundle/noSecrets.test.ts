import { describe, expect, it } from 'vitest';
import type { Artifact } from '../../src/artifacts/artifact.js';
import { runAllPhases } from '../../src/pipeline/runPhases.js';
import { IDENTITY_FILE, SECRETS_FILE, identityAndSecretFiles } from '../../src/phases/mlops_engineer/secrets.js';
import { planMlops } from '../../src/phases/mlops_engineer/derive.js';
import type { ResolvedSpec } from '../../src/spec/resolve.js';
import { base64Candidate, base64Threshold, noSecretsValidator, scanForSecrets, shannonEntropy } from '../../src/validate/validators/secrets.js';
import { decisionsOf, withSpec } from '../helpers/phaseHarness.js';
import { defaultSpec, richSpec } from '../helpers/specs.js';

/**
 * No secret in any generated file, for bundles designed in memory over every cloud_provider × ci_platform ×
 * secrets_backend and every serving_platform × deployment_mode (which together exercise every generator: each
 * cloud's Terraform, both CI platforms, each secrets provider, each serving platform and mode).
 */

const CLOUDS = ['aws', 'gcp', 'azure', 'multi-cloud'] as const;
const CI = ['github', 'gitlab'] as const;
const BACKENDS = ['cloud', 'vault'] as const;
const PLATFORMS = ['kserve', 'seldon', 'torchserve', 'triton'] as const;
const MODES = ['realtime', 'batch', 'streaming', 'hybrid'] as const;

function variant(base: ResolvedSpec, options: Partial<ResolvedSpec['options']>, delivery: Partial<ResolvedSpec['delivery']>): ResolvedSpec {
  return withSpec(base, (s) => {
    Object.assign(s.options, options);
    Object.assign(s.delivery, delivery);
  });
}

/** Every file of the designed bundle (identity.yaml / secrets.yaml added as the phase emits them, once). */
function bundle(spec: ResolvedSpec): Artifact[] {
  const run = runAllPhases(spec);
  const up = decisionsOf(run.outputs);
  const plan = planMlops(spec, up.data_scientist!, up.ml_engineer!, up.python_pro!);
  const mine = identityAndSecretFiles(spec, plan).map((f): Artifact => ({ path: f.path, kind: f.kind, phase: 'mlops_engineer', content: f.content }));
  return [...run.artifacts.filter((a) => a.path !== IDENTITY_FILE && a.path !== SECRETS_FILE), ...mine];
}

const specs: [string, ResolvedSpec][] = [];
for (const cloud of CLOUDS) {
  for (const ci of CI) {
    for (const backend of BACKENDS) {
      const base = (CLOUDS.indexOf(cloud) + CI.indexOf(ci) + BACKENDS.indexOf(backend)) % 2 === 0 ? defaultSpec() : richSpec();
      specs.push([`${cloud} × ${ci} × ${backend}`, variant(base, { cloud_provider: cloud }, { ci_platform: ci, secrets_backend: backend })]);
    }
  }
}
for (const platform of PLATFORMS) {
  for (const mode of MODES) specs.push([`${platform} × ${mode}`, variant(defaultSpec(), { serving_platform: platform, deployment_mode: mode }, {})]);
}

/** How close the most random-looking run of a bundle comes to the base64 threshold (threshold − entropy, bits/char). */
function closestMargin(artifacts: readonly Artifact[]): { margin: number; where: string } {
  let best = { margin: Infinity, where: '' };
  for (const a of artifacts) {
    for (const m of a.content.matchAll(/[A-Za-z0-9+/=_-]{20,}/g)) {
      const run = m[0].replace(/=+$/, '');
      if (!base64Candidate(run)) continue;
      const margin = base64Threshold(run.length) - shannonEntropy(run);
      if (margin < best.margin) best = { margin, where: `${a.path}: ${run}` };
    }
  }
  return best;
}

describe('no secret in any designed bundle', () => {
  for (const [name, spec] of specs) {
    it(name, async () => {
      const artifacts = bundle(spec);
      const findings = artifacts.flatMap((a) => scanForSecrets(a.content, a.kind).map((f) => `${a.path}:${f.line} ${f.rule} ${f.excerpt}`));
      expect(findings).toEqual([]);
      const verdicts = await noSecretsValidator.validate({ artifacts, root: '/nonexistent', bundle: artifacts });
      expect(verdicts.filter((v) => v.verdict !== 'pass')).toEqual([]);
      expect(verdicts).toHaveLength(artifacts.length);
      // Calibration: the most random-looking name, path or identifier we generate stays clearly below the threshold.
      const { margin, where } = closestMargin(artifacts);
      if (process.env.NO_SECRETS_CALIBRATE) console.log(`${name}: closest margin ${margin.toFixed(3)} at ${where}`);
      expect(margin, where).toBeGreaterThan(0.1);
    });
  }
});
