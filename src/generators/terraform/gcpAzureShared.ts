/**
 * Pieces the GCP and Azure module generators share: variables taken from the platform interface, the naming
 * locals that keep dev / staging / prod apart in one project or subscription, and the taint literals.
 */
import { raw, ref, type HclBlock, type HclExpression } from '../serializers/hcl.js';
import { output, type VariableSpec } from './blocks.js';
import { plainVariable } from './moduleFiles.js';
import { platformVariables } from './platformInterface.js';

/** A variable spec of platformVariables() by name: component modules take the same shapes as the platform interface. */
export function platformVariable(name: string, description?: string): VariableSpec {
  const spec = platformVariables().find((v) => v.name === name);
  if (!spec) throw new Error(`no platform variable ${name}`);
  return description ? { ...spec, description } : spec;
}

/** A plain typed variable without a validation. */
export function simpleVariable(name: string, type: HclExpression, description: string, defaultValue?: VariableSpec['default']): VariableSpec {
  return plainVariable(name, type, description, defaultValue === undefined ? {} : { default: defaultValue });
}

/**
 * Three-letter environment codes for names with a tight length limit (GCP service account ids, Azure storage
 * accounts, Key Vaults), so that two environments in one project / subscription never share a name.
 */
export const ENV_CODE = raw('{ dev = "dev", staging = "stg", prod = "prd" }[var.environment]');

/** Kubernetes taint effects as the cloud APIs spell them (GKE: NO_SCHEDULE…). */
export const TAINT_EFFECTS_GKE = raw('{ NoSchedule = "NO_SCHEDULE", PreferNoSchedule = "PREFER_NO_SCHEDULE", NoExecute = "NO_EXECUTE" }');

/** The taint GPU pools carry on both clouds (GKE also sets it itself; the manifests tolerate `nvidia.com/gpu` Exists). */
export { GPU_TAINT } from './nodePools.js';

/** `{ key = ..., value = ..., effect = ... }` literal text of a taint, for the taint merge expressions. */
export function taintLiteral(t: { key: string; value: string; effect: string }): string {
  return `{ key = "${t.key}", value = "${t.value}", effect = "${t.effect}" }`;
}

/** Validation shared by the cluster modules: node pool keys become cloud resource names. */
export function nodePoolKeyValidation(pattern: string, message: string): { condition: HclExpression; message: string } {
  return { condition: raw(`alltrue([for k in keys(var.node_pools) : can(regex("${pattern}", k))])`), message };
}

/**
 * One map entry per (identity role, item it may access) for `for_each` on role bindings: `list` is the identity
 * attribute holding the items (buckets_read, buckets_write, secrets) and `item` the name of the item field.
 */
export function roleGrants(list: 'buckets_read' | 'buckets_write' | 'secrets', item: 'layer' | 'secret'): HclExpression {
  return raw(`{ for g in flatten([for role, id in var.workload_identities : [for x in id.${list} : { role = role, ${item} = x }]]) : "\${g.role}/\${g.${item}}" => g }`);
}

/** The registry module's outputs: host + prefix (local.registry) and the full URL of every image repository. */
export function registryOutputs(): HclBlock[] {
  return [
    output('registry', 'Registry host and path prefix the images are pushed to', ref('local.registry')),
    output('repository_urls', 'Full repository URL per image key', raw('{ for k, image in var.image_repositories : k => "${local.registry}/${image}" }')),
  ];
}
