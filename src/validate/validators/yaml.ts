import { parseAllDocuments } from 'yaml';
import type { Validator } from '../types.js';

export const YAML_KINDS = ['yaml', 'kubernetes', 'helm-chart', 'kustomization', 'prometheus-rules', 'prometheus-rules-test', 'alertmanager', 'alertmanager-routes-test', 'otel-collector', 'github-workflow', 'gitlab-ci'] as const;

export const yamlParseValidator: Validator = {
  name: 'yaml-parse',
  description: 'The yaml library in strict mode: well-formed YAML, no duplicate keys',
  kinds: YAML_KINDS,
  async available() {
    return { ok: true };
  },
  async validate({ artifacts }) {
    return artifacts.map((a) => {
      const docs = parseAllDocuments(a.content, { uniqueKeys: true, strict: true, prettyErrors: true });
      const list = Array.isArray(docs) ? docs : [docs];
      const errors = list.flatMap((d) => [...d.errors, ...d.warnings]).map((e) => e.message);
      return errors.length === 0
        ? { path: a.path, validator: this.name, verdict: 'pass', message: `${list.length} document${list.length === 1 ? '' : 's'}` }
        : { path: a.path, validator: this.name, verdict: 'fail', message: errors.slice(0, 5).join('\n') };
    });
  },
};
