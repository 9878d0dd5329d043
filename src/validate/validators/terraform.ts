import { firstLines } from '../exec.js';
import { checkTerraform, type HclProblem } from '../hcl/check.js';
import { packageAvailability } from '../hcl/child.js';
import { parseHclFiles } from '../hcl/parse.js';
import type { Validator, Verdict } from '../types.js';

export function formatProblem(p: HclProblem): string {
  return p.address ? `${p.address}: ${p.message}` : p.message;
}

export const terraformValidator: Validator = {
  name: 'terraform',
  description:
    "HashiCorp's HCL parser (@cdktf/hcl2json, in a child process) on every Terraform file, then the checks of terraform validate that need no provider: references resolve (var, local, module outputs, data, resources), module inputs match the called module's variables and set its required ones, no duplicate blocks across a module's files, every provider used is in required_providers with a source and a version, .tfvars set declared variables only",
  kinds: ['terraform'],
  async available() {
    return packageAvailability('@cdktf/hcl2json', 'hcl2json');
  },
  async validate({ artifacts, bundle }) {
    // Parse the whole Terraform part of the bundle: a module's other files and the modules it calls are needed to judge one file.
    const files = new Map<string, { path: string; content: string }>();
    for (const a of [...bundle.filter((b) => b.kind === 'terraform'), ...artifacts]) files.set(a.path, { path: a.path, content: a.content });
    const problems = checkTerraform({ files: await parseHclFiles([...files.values()]) });
    return artifacts.map((a): Verdict => {
      const mine = problems.filter((p) => p.path === a.path);
      return mine.length === 0
        ? { path: a.path, validator: this.name, verdict: 'pass', message: 'parses; references, module inputs, blocks and providers check out' }
        : { path: a.path, validator: this.name, verdict: 'fail', message: firstLines(mine.map(formatProblem).join('\n'), 12) };
    });
  },
};
