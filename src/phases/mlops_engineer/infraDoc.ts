import { ENVIRONMENTS } from '../../generators/kubernetes/parameters.js';
import { bucketPrefix, envDir, stateStorageAccount } from '../../generators/terraform/envs.js';
import { helmValueLeaves } from '../../generators/terraform/index.js';
import { TERRAFORM_ROOT, type TerraformInput } from '../../generators/terraform/types.js';
import { code, text, type MarkdownDocument } from '../../generators/serializers/markdown.js';
import { secretsBackendOf, type ResolvedSpec } from '../../spec/resolve.js';
import type { NodePoolSummary } from './infra.js';
import type { MlopsPlan } from './derive.js';

const CLOUD_NAME = { aws: 'AWS', gcp: 'GCP', azure: 'Azure' } as const;

function stateBackend(spec: ResolvedSpec): string {
  const name = spec.name;
  switch (spec.options.cloud_provider) {
    case 'aws':
      return `S3 bucket ${code(`${name}-tfstate`)}, key ${code('<env>/terraform.tfstate')}, encrypted, native lock file (${code('use_lockfile')}, Terraform ≥ 1.10)`;
    case 'gcp':
      return `GCS bucket ${code(`${name}-tfstate`)}, prefix ${code('<env>')} (GCS locks natively)`;
    case 'azure':
      return `azurerm: storage account ${code(stateStorageAccount(name))}, container ${code('tfstate')}, key ${code('<env>.terraform.tfstate')} (blob leases lock)`;
    case 'multi-cloud':
      return `one S3 bucket ${code(`${name}-tfstate`)} for both clouds (a shared piece: one plan sees both clusters), key ${code('<env>/terraform.tfstate')}, native lock file`;
  }
}

/**
 * The "Terraform modules for cloud resources" part of the document: the layout, the figures behind the node
 * pools and the spot share, the buckets' lifecycle, identities and secrets, and the helm_values contract.
 */
export function terraformSection(doc: MarkdownDocument, spec: ResolvedSpec, plan: MlopsPlan, input: TerraformInput, pools: readonly NodePoolSummary[]): void {
  doc.heading(3, 'Terraform modules for cloud resources');
  doc.paragraph(
    `Cloud ${code(spec.options.cloud_provider)} (${plan.cloud.cloudLabel}), in ${code(TERRAFORM_ROOT)}: one module per component (${code('modules/<cloud>-<component>')}) and one ${code('modules/platform-<cloud>')} per cloud that composes them behind the same interface (the same variables in, the same outputs out, whatever the cloud)${spec.options.cloud_provider === 'multi-cloud' ? '; each environment calls both platform modules with the same inputs' : ''}. Each environment is its own root (${ENVIRONMENTS.map((e) => code(envDir(e).slice(TERRAFORM_ROOT.length + 1))).join(', ')}) with its own state: ${stateBackend(spec)}. Terraform ${code('>= 1.10')}, providers pinned to a minor range; every variable is typed, described and validated where a value can be wrong. The state bucket/account is created once by hand (it cannot hold its own state).`,
  );
  doc.table(
    ['Module', 'Purpose'],
    plan.cloud.terraformModules.map((m) => [code(m.module), m.purpose]),
  );
  for (const summary of pools) {
    doc.paragraph(
      `Node pools on ${CLOUD_NAME[summary.cloud]} (production sizes; staging halves the maxima, dev keeps at most 2 nodes per pool, as the replica bounds do). Spot covers interruptible work only (training and batch); serving stays on on-demand nodes, which its affinity requires. A spot pool gets an on-demand fallback pool (for hours without spot capacity) only as large as keeps spot at ${code(`${summary.min_spot_pct} %`)} (slo.min_spot_pct) or more of the interruptible capacity when the fallback is full: floor(spot nodes × (100 − ${summary.min_spot_pct}) / ${summary.min_spot_pct}) nodes, none when that is 0 (the pods then wait for spot).`,
    );
    doc.table(
      ['Pool', 'Machine', 'Nodes (min–max)', 'Capacity', 'Why'],
      summary.pools.map((f) => [
        code(f.pool.key),
        `${code(f.pool.machine_type)}${f.pool.gpus_per_node > 0 ? ` (${f.pool.gpus_per_node} × ${f.pool.gpu_type})` : ''}`,
        `${f.pool.min_nodes}–${f.pool.max_nodes}`,
        f.pool.spot ? 'spot' : 'on-demand',
        text(f.why),
      ]),
    );
    doc.paragraph(
      `Spot share of the interruptible capacity (max nodes × vCPU): ${ENVIRONMENTS.map((e) => `${e} ${summary.spot_share[e].spot_pct} % (${summary.spot_share[e].spot_vcpu} spot / ${summary.spot_share[e].on_demand_vcpu} on-demand vCPU)`).join('; ')}; the criterion asks for > ${summary.min_spot_pct} %.`,
    );
  }
  doc.table(
    ['Data layer', 'Production name', 'Retention', 'Cool tier after', 'Versioning'],
    input.buckets.map((b) => [
      code(b.layer),
      code(spec.options.cloud_provider === 'azure' ? `container ${b.layer}` : `${bucketPrefix(spec.name, 'prod')}-${b.layer}`),
      b.retention_days === null ? 'kept (every promoted model stays for rollback and audit)' : `${b.retention_days} days`,
      b.cool_after_days === null ? '—' : `${b.cool_after_days} days`,
      b.versioned ? 'on' : 'off',
    ]),
  );
  doc.paragraph(
    `Bucket names are global, so dev and staging get their own prefix (${ENVIRONMENTS.filter((e) => e !== 'prod').map((e) => code(bucketPrefix(spec.name, e))).join(', ')}); production's names are the ones the generated code and manifests use. Names that are unique per account (cluster, roles, secrets) repeat across environments: each environment is its own account / project / subscription.`,
    `Workload identities: ${input.identities.map((i) => `${code(i.role)} → ServiceAccount ${code(`${i.namespace}/${i.service_account}`)} (reads ${i.buckets_read.length ? i.buckets_read.join(', ') : 'no bucket'}${i.buckets_write.length ? `, writes ${i.buckets_write.join(', ')}` : ''}${i.secrets.length ? `, reads ${i.secrets.length} secret(s)` : ''})`).join('; ')}. Least privilege: each identity reaches exactly its layers and secrets.`,
    input.secrets.length > 0
      ? `Secrets: Terraform creates ${input.secrets.length} empty container(s) (${input.secrets.map((s) => code(s.name)).join(', ')}) and never a value; values are written out of band (see the secrets section).`
      : `Secrets live in ${secretsBackendOf(spec) === 'vault' ? 'HashiCorp Vault, configured outside the cloud stack' : 'the cloud secrets manager'}; Terraform creates no secret container${spec.options.cloud_provider === 'azure' ? ' (Azure Key Vault cannot hold a secret without a value)' : ''}.`,
    `Cost allocation: every taggable resource carries ${code('team')}, ${code('pipeline')}, ${code('environment')}, ${code('managed-by')} and ${code('cost-center')} (tags on AWS/Azure, labels on GCP).`,
  );
  doc.paragraph(
    `Hand-off to the Helm chart: each root's output ${code('helm_values')} has the shape of the chart's values and sets ${helmValueLeaves(input)
      .map((p) => code(p.join('.')))
      .join(', ')}. ${code(`terraform -chdir=${envDir('prod')} output -json helm_values > values-terraform.yaml`)} (JSON is YAML), then ${code('helm upgrade … -f values-prod.yaml -f values-terraform.yaml')}; the test suite checks that every path it sets exists in the chart's values.`,
  );
}
