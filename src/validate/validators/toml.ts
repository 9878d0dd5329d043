import { parse } from 'smol-toml';
import type { Validator } from '../types.js';

export const tomlValidator: Validator = {
  name: 'toml-parse',
  description: 'smol-toml parser (TOML 1.0)',
  kinds: ['toml', 'python-project'],
  async available() {
    return { ok: true };
  },
  async validate({ artifacts }) {
    return artifacts.map((a) => {
      try {
        parse(a.content);
        return { path: a.path, validator: this.name, verdict: 'pass', message: 'well-formed TOML' };
      } catch (error) {
        return { path: a.path, validator: this.name, verdict: 'fail', message: (error as Error).message.split('\n')[0]! };
      }
    });
  },
};
