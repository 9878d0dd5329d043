import { stringify } from 'smol-toml';

/** The one TOML serializer (pyproject.toml, config files). */
export function toToml(value: Record<string, unknown>): string {
  return `${stringify(value)}\n`;
}
