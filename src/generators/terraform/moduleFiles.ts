/**
 * Small builders shared by the AWS modules, the env roots and multi-cloud: the four files of a module, and
 * `resource` / `data` / `dynamic` blocks. Everything still goes through the one HCL serializer.
 */
import { attr, block, raw, type HclBlock, type HclBody, type HclExpression, type HclValue } from '../serializers/hcl.js';
import { tfFile, variable, versionsTf, type ProviderName, type VariableSpec } from './blocks.js';
import { TERRAFORM_ROOT, type TerraformFile } from './types.js';

export interface ModuleDefinition {
  /** modules/<dir>/ */
  dir: string;
  purpose: string;
  providers: readonly ProviderName[];
  variables: readonly VariableSpec[];
  main: HclBody;
  outputs: readonly HclBlock[];
}

export function modulePath(dir: string, file: string): string {
  return `${TERRAFORM_ROOT}/modules/${dir}/${file}`;
}

/** versions.tf, variables.tf, main.tf and outputs.tf of one module, each with a header naming the module. */
export function moduleFiles(m: ModuleDefinition): TerraformFile[] {
  return [
    tfFile(modulePath(m.dir, 'versions.tf'), versionsTf(m.providers), `${m.dir}: pinned Terraform and provider versions`),
    tfFile(modulePath(m.dir, 'variables.tf'), m.variables.map(variable), `${m.dir}: inputs (typed, described, validated where a value can be wrong)`),
    tfFile(modulePath(m.dir, 'main.tf'), m.main, `${m.dir}: ${m.purpose}`),
    tfFile(modulePath(m.dir, 'outputs.tf'), m.outputs, `${m.dir}: outputs`),
  ];
}

export function resource(type: string, name: string, body: HclBody): HclBlock {
  return block('resource', [type, name], body);
}

export function data(type: string, name: string, body: HclBody): HclBlock {
  return block('data', [type, name], body);
}

/** `dynamic "<name>" { for_each = …; content { … } }`. */
export function dynamic(name: string, forEach: HclExpression, content: HclBody): HclBlock {
  return block('dynamic', [name], [attr('for_each', forEach), block('content', [], content)]);
}

/** `locals { … }` with the entries in the order given. */
export function locals(entries: Record<string, HclValue>): HclBlock {
  return block('locals', [], Object.entries(entries).map(([k, v]) => attr(k, v)));
}

/** `lifecycle { ignore_changes = [...] }` written as raw references (attribute paths, not values). */
export function ignoreChanges(paths: string[]): HclBlock {
  return block('lifecycle', [], [attr('ignore_changes', raw(`[${paths.join(', ')}]`))]);
}

/** `depends_on = [...]` of references. */
export function dependsOn(refs: string[]): ReturnType<typeof attr> {
  return attr('depends_on', raw(`[${refs.join(', ')}]`));
}

/** A plain typed, described variable. */
export function plainVariable(name: string, type: HclExpression, description: string, extra: Partial<VariableSpec> = {}): VariableSpec {
  return { name, type, description, ...extra };
}
