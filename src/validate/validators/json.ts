import type { Validator } from '../types.js';

export const jsonValidator: Validator = {
  name: 'json-parse',
  description: 'JSON.parse: the file is one well-formed JSON document',
  kinds: ['json', 'grafana-dashboard'],
  async available() {
    return { ok: true };
  },
  async validate({ artifacts }) {
    return artifacts.map((a) => {
      try {
        JSON.parse(a.content);
        return { path: a.path, validator: this.name, verdict: 'pass', message: 'well-formed JSON' };
      } catch (error) {
        return { path: a.path, validator: this.name, verdict: 'fail', message: (error as Error).message };
      }
    });
  },
};
