import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { Artifact } from '../../../src/artifacts/artifact.js';
import { runAllPhases } from '../../../src/pipeline/runPhases.js';
import { OPTION_VALUES } from '../../../src/spec/options.js';
import { ValidatorRegistry } from '../../../src/validate/registry.js';
import { kubernetesValidator } from '../../../src/validate/validators/kubernetes.js';
import { referencesValidator } from '../../../src/validate/validators/references.js';
import { terraformValidator } from '../../../src/validate/validators/terraform.js';
import { defaultSpec, withPatch } from '../../helpers/specs.js';

const CI_PLATFORMS = ['github', 'gitlab'] as const;

function bundleOf(cloud: string, ci: string): Artifact[] {
  return runAllPhases(withPatch(defaultSpec(), { options: { cloud_provider: cloud }, delivery: { ci_platform: ci } }), 'mlops_engineer').artifacts;
}

/** Resource and data source types declared in the Terraform files, e.g. aws_eks_cluster. */
function resourceTypes(files: readonly Artifact[]): Set<string> {
  const types = new Set<string>();
  for (const f of files.filter((a) => a.kind === 'terraform')) for (const m of f.content.matchAll(/^(?:resource|data) "([a-z0-9_]+)"/gm)) types.add(m[1]!);
  return types;
}

const providerOf = (type: string) => type.slice(0, type.indexOf('_'));

/** What each cloud must show in each part of the delivery, and what it must not. */
const EXPECT = {
  aws: { providers: ['aws'], cluster: 'aws_eks_cluster', ciLogin: /configure-aws-credentials|AWS_WEB_IDENTITY_TOKEN_FILE/, eso: 'aws', annotation: 'eks.amazonaws.com/role-arn' },
  gcp: { providers: ['google'], cluster: 'google_container_cluster', ciLogin: /google-github-actions\/auth|gcloud auth/, eso: 'gcpsm', annotation: 'iam.gke.io/gcp-service-account' },
  azure: { providers: ['azurerm'], cluster: 'azurerm_kubernetes_cluster', ciLogin: /azure\/login|az login/, eso: 'azurekv', annotation: 'azure.workload.identity/client-id' },
  'multi-cloud': { providers: ['aws', 'google'], cluster: 'google_container_cluster', ciLogin: /configure-aws-credentials|AWS_WEB_IDENTITY_TOKEN_FILE/, eso: 'vault', annotation: 'iam.gke.io/gcp-service-account' },
} as const;

const CLOUD_PROVIDERS = new Set(['aws', 'google', 'azurerm']);

describe('delivery across every cloud_provider × ci_platform', () => {
  for (const cloud of OPTION_VALUES.cloud_provider) {
    for (const ci of CI_PLATFORMS) {
      it(`${cloud} × ${ci}: each value changes the output as its name says`, () => {
        const files = bundleOf(cloud, ci);
        const e = EXPECT[cloud];
        // Terraform: only the cloud's own provider among the three clouds.
        const types = resourceTypes(files);
        const clouds = [...new Set([...types].map(providerOf).filter((p) => CLOUD_PROVIDERS.has(p)))].sort();
        expect(clouds).toEqual([...e.providers].sort());
        expect(types.has(e.cluster)).toBe(true);
        // CI: one platform's files only, logging in to this cloud.
        const paths = files.map((f) => f.path);
        expect(paths.some((p) => p.startsWith('.github/workflows/'))).toBe(ci === 'github');
        expect(paths.includes('.gitlab-ci.yml')).toBe(ci === 'gitlab');
        const ciText = files.filter((f) => f.kind === 'github-workflow' || f.kind === 'gitlab-ci' || f.path.startsWith('ci/scripts/')).map((f) => f.content).join('\n');
        expect(ciText).toMatch(e.ciLogin);
        // Secrets and identities: the backend's provider and the cloud's identity annotation.
        const secrets = parseAllDocuments(files.find((f) => f.path === 'deploy/k8s/base/secrets.yaml')!.content).map((d) => d.toJS() as { kind: string; spec: { provider?: Record<string, unknown> } });
        expect(Object.keys(secrets.find((o) => o.kind === 'ClusterSecretStore')!.spec.provider!)).toEqual([e.eso]);
        expect(files.find((f) => f.path === 'deploy/k8s/base/identity.yaml')!.content).toContain(e.annotation);
      });
    }
  }

  it('every cloud’s Terraform passes the reference checker, and its ServiceAccounts and secrets pass the Kubernetes checks', async () => {
    const registry = new ValidatorRegistry([terraformValidator, kubernetesValidator, referencesValidator]);
    const reports = await Promise.all(
      OPTION_VALUES.cloud_provider.map(async (cloud) => {
        const files = bundleOf(cloud, 'github');
        return { cloud, report: await registry.validate(files, (a) => a.kind === 'terraform' || a.path.endsWith('/identity.yaml') || a.path.endsWith('/secrets.yaml')) };
      }),
    );
    for (const { cloud, report } of reports) {
      const failed = report.files.filter((f) => f.verdict !== 'pass').map((f) => `${f.path}: ${f.results.map((r) => r.message).join('; ')}`);
      expect(failed, cloud).toEqual([]);
      expect(report.files.filter((f) => f.kind === 'terraform').length, cloud).toBeGreaterThan(30);
    }
  }, 120_000);
});
