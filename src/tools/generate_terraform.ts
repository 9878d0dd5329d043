import { TERRAFORM_ROOT } from '../generators/terraform/types.js';
import { generatorTool } from './generator_tool.js';

export const generateTerraform = generatorTool({
  name: 'generate_terraform',
  title: 'Generate the Terraform infrastructure',
  description:
    "Returns the Terraform of the ML platform for the spec's cloud_provider: modules/<cloud>-<component> (network, Kubernetes cluster with on-demand, spot and GPU node pools, buckets per data layer with retention lifecycle rules, container registry, workload identities, secrets containers without values) behind one platform-<cloud> module interface, and envs/<env> roots (dev, staging, prod) with a remote state backend, typed and validated variables, tfvars and a helm_values output the Helm chart consumes. multi-cloud gives AWS and GCP behind the same interface plus the shared DNS zone. Give pipeline_id (files stored with the pipeline) or an inline spec/requirements (nothing stored).",
  phase: 'mlops_engineer',
  select: (path) => path.startsWith(`${TERRAFORM_ROOT}/`),
  summary: (files) => `Terraform: ${files.length} files`,
  checkedBy: "HashiCorp's HCL parser (@cdktf/hcl2json) and a reference check (every var., local., module., data. and resource reference resolves, module inputs declared, no duplicate blocks, providers pinned)",
});
