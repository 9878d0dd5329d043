import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../packageRoot.js';
import { findExecutable } from './exec.js';

/** The external binaries that scripts/fetch-tools.mjs installs into <package root>/.tools/bin at `npm ci`. */
export const FETCHED_TOOLS = {
  helm: { env: 'MLOPS_MCP_HELM', version: 'v3.17.2' },
  kubectl: { env: 'MLOPS_MCP_KUBECTL', version: 'v1.32.3' },
} as const;
export type FetchedTool = keyof typeof FETCHED_TOOLS;

export type ToolLocation = { ok: true; path: string; from: 'env' | 'tools' | 'path' } | { ok: false; reason: string };

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Where to find helm or kubectl: the env variable (MLOPS_MCP_HELM / MLOPS_MCP_KUBECTL) when set — and then
 * only there, so a wrong setting is reported rather than silently replaced —, else `.tools/bin/` of this
 * package (fetched by `npm ci`), else the PATH.
 */
export function locateTool(name: FetchedTool, env: NodeJS.ProcessEnv = process.env): ToolLocation {
  const { env: variable } = FETCHED_TOOLS[name];
  const configured = env[variable];
  if (configured) {
    return executable(configured) ? { ok: true, path: configured, from: 'env' } : { ok: false, reason: `${variable}=${configured} is not an executable file` };
  }
  const fetched = join(packageRoot(), '.tools', 'bin', name);
  if (executable(fetched)) return { ok: true, path: fetched, from: 'tools' };
  const onPath = findExecutable(name);
  if (onPath) return { ok: true, path: onPath, from: 'path' };
  return { ok: false, reason: `${name} is not in ${join(packageRoot(), '.tools', 'bin')} nor on PATH, and ${variable} is not set` };
}

/** How to get the tool, for "not installed" verdicts. */
export function installHint(name: FetchedTool): string {
  return `npm ci (or: node scripts/fetch-tools.mjs) fetches ${name} ${FETCHED_TOOLS[name].version} into .tools/bin; or set ${FETCHED_TOOLS[name].env}=/path/to/${name}`;
}
