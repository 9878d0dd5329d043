import { parseAllDocuments } from 'yaml';
import type { Validator, Verdict } from '../types.js';

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: object) => Validatable;

// Where kubernetes-models keeps each API group (core is "v1", the rest by group name).
function modulePath(apiVersion: string, kind: string): string | undefined {
  if (!/^[a-z0-9.-]+(\/[a-z0-9]+)?$/.test(apiVersion) || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) return undefined;
  return `kubernetes-models/${apiVersion}/${kind}`;
}

const cache = new Map<string, ModelClass | null>();

async function modelFor(apiVersion: string, kind: string): Promise<ModelClass | null> {
  const key = `${apiVersion}/${kind}`;
  if (!cache.has(key)) {
    const path = modulePath(apiVersion, kind);
    let cls: ModelClass | null = null;
    if (path) {
      try {
        const mod = (await import(path)) as Record<string, unknown>;
        cls = (mod[kind] as ModelClass | undefined) ?? null;
      } catch {
        cls = null;
      }
    }
    cache.set(key, cls);
  }
  return cache.get(key)!;
}

/** Validates each object of a manifest stream against the Kubernetes OpenAPI schema shipped in kubernetes-models. */
export async function validateManifest(content: string): Promise<string[]> {
  const problems: string[] = [];
  const docs = parseAllDocuments(content);
  const list = Array.isArray(docs) ? docs : [docs];
  for (const [i, doc] of list.entries()) {
    const obj = doc.toJS() as { apiVersion?: string; kind?: string; metadata?: { name?: string } } | null;
    if (obj === null) continue;
    const where = `document ${i + 1}${obj.kind ? ` (${obj.kind} ${obj.metadata?.name ?? '?'})` : ''}`;
    if (!obj.apiVersion || !obj.kind) {
      problems.push(`${where}: apiVersion and kind are required`);
      continue;
    }
    if (!obj.metadata?.name) problems.push(`${where}: metadata.name is required`);
    const Model = await modelFor(obj.apiVersion, obj.kind);
    if (!Model) {
      problems.push(`${where}: ${obj.apiVersion} ${obj.kind} is not a Kubernetes API type known to kubernetes-models (custom resources have their own validator)`);
      continue;
    }
    try {
      new Model(obj).validate();
    } catch (error) {
      problems.push(`${where}: ${(error as Error).message}`);
    }
  }
  return problems;
}

export const kubernetesValidator: Validator = {
  name: 'kubernetes-models',
  description: 'Every object checked against the Kubernetes API schema (kubernetes-models validate())',
  kinds: ['kubernetes'],
  async available() {
    return { ok: true, version: 'kubernetes-models 5.1.0' };
  },
  async validate({ artifacts }) {
    const verdicts: Verdict[] = [];
    for (const a of artifacts) {
      const problems = await validateManifest(a.content);
      verdicts.push(
        problems.length === 0
          ? { path: a.path, validator: this.name, verdict: 'pass', message: 'all objects valid' }
          : { path: a.path, validator: this.name, verdict: 'fail', message: problems.slice(0, 5).join('\n') },
      );
    }
    return verdicts;
  },
};
