/**
 * The Terraform of a pipeline: modules per cloud (modules/<cloud>-<component>, modules/platform-<cloud>) and
 * one root per environment (envs/<env>) under TERRAFORM_ROOT. Deterministic: the same input gives the same
 * files, in the same order, byte for byte.
 */
import { awsModules } from './aws.js';
import { azureModules } from './azure.js';
import { envRoots } from './envs.js';
import { gcpModules } from './gcp.js';
import { TERRAFORM_ROOT, type TerraformFile, type TerraformInput } from './types.js';

export { helmValueLeaves, helmValues } from './envs.js';

export function terraformModules(input: TerraformInput): TerraformFile[] {
  switch (input.cloud) {
    case 'aws':
      return awsModules(input);
    case 'gcp':
      return gcpModules(input);
    case 'azure':
      return azureModules(input);
    case 'multi-cloud':
      return [...awsModules(input), ...gcpModules(input)];
  }
}

export function generateTerraform(input: TerraformInput): TerraformFile[] {
  const modules = terraformModules(input);
  const files = [...modules, ...envRoots(input, modules)];
  const duplicate = files.map((f) => f.path).find((p, i, all) => all.indexOf(p) !== i);
  if (duplicate) throw new Error(`Terraform file generated twice: ${duplicate}`);
  return files;
}

/** What a generated Terraform file is for (the `purpose` of its phase file). */
export function terraformFilePurpose(path: string): string {
  const rel = path.startsWith(`${TERRAFORM_ROOT}/`) ? path.slice(TERRAFORM_ROOT.length + 1) : path;
  const [area, dir, file] = rel.split('/');
  const role: Record<string, string> = {
    'versions.tf': 'pinned Terraform and provider versions',
    'variables.tf': 'typed, described and validated inputs',
    'main.tf': 'resources and module calls',
    'outputs.tf': 'outputs',
    'providers.tf': 'provider configuration with the cost tags',
    'terraform.tfvars': 'the figures of the environment (node pools, buckets, identities, secrets)',
  };
  if (area === 'envs') return `Terraform root of ${dir}: ${file === 'versions.tf' ? 'versions and remote state backend' : file === 'outputs.tf' ? 'outputs, including helm_values for the Helm chart' : (role[file ?? ''] ?? file)}`;
  return `Terraform module ${dir}: ${role[file ?? ''] ?? file}`;
}
