#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_HOST, DEFAULT_PORT, DEFAULT_RATE_LIMIT, defaultDataRoot, defaultDbPath, defaultExportRoot } from './config.js';
import { DEFAULT_ANTHROPIC_MODEL, DEFAULT_ENGINE_SETTINGS, ENGINE_NAMES, engineSettings, type EngineSettings } from './engines/index.js';
import { UserError } from './errors.js';
import { createLogger } from './server/logger.js';
import { SERVER_VERSION } from './version.js';
import { OPTION_NAMES, OPTION_VALUES } from './spec/options.js';

const USAGE = `mlops-mcp ${SERVER_VERSION}: design production ML pipelines with seven phase agents (MCP server)

Usage:
  mlops-mcp serve  [--host 127.0.0.1] [--port ${DEFAULT_PORT}] [--token T] [--allowed-host H]... [--rate-limit N] [--db PATH] [--export-root DIR] [--data-root DIR] [ENGINE]
  mlops-mcp stdio  [--db PATH] [--export-root DIR] [--data-root DIR] [ENGINE]
  mlops-mcp design "<requirements>" --out DIR [--spec FILE] [--name NAME] [--force] [--db PATH] [ENGINE]
${OPTION_NAMES.map((n) => `                   [--${n.replace(/_/g, '-')} ${OPTION_VALUES[n].join('|')}]`).join('\n')}

ENGINE: [--engine ${ENGINE_NAMES.join('|')}] [--model M] [--max-tokens N]
  The default engine of phase runs (a call's engine argument, then the spec's engine, win over it). "template"
  is offline and deterministic; "sampling" asks the MCP client's model; "anthropic" calls the Anthropic API with
  ANTHROPIC_API_KEY (model ${DEFAULT_ANTHROPIC_MODEL} unless --model). Only the phase documents differ: an LLM engine adds its review.

The requirements argument wins over a requirements field in --spec; option flags win over options in --spec.
serve hosts MCP at /mcp and the team web UI at /. On a non-loopback address it needs --token; on all
interfaces (0.0.0.0) also --allowed-host NAME. --rate-limit: tool calls per second per MCP session (10x that per
client address across its sessions), and REST changes per client address, with bursts of 4x (default ${DEFAULT_RATE_LIMIT}; 0 turns it off); over it a 429 says
when to retry.

Environment: MLOPS_MCP_DB (database file, default ${defaultDbPath()}), MLOPS_MCP_EXPORT_ROOT
(default ${defaultExportRoot()}), MLOPS_MCP_DATA_ROOT (CSV files check_drift may read, default ${defaultDataRoot()}),
MLOPS_MCP_TOKEN, MLOPS_MCP_HOST, MLOPS_MCP_PORT, MLOPS_MCP_RATE_LIMIT, MLOPS_MCP_LOG_LEVEL; for engines MLOPS_MCP_ENGINE, MLOPS_MCP_MODEL,
MLOPS_MCP_MAX_TOKENS (default ${DEFAULT_ENGINE_SETTINGS.maxTokens}), MLOPS_MCP_LLM_TIMEOUT_MS (one phase's review, retries included, default
${DEFAULT_ENGINE_SETTINGS.timeoutMs}), MLOPS_MCP_LLM_MAX_RETRIES (429/5xx, default ${DEFAULT_ENGINE_SETTINGS.anthropic.maxRetries}), ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL.
`;

function fail(message: string, code = 2): never {
  process.stderr.write(`mlops-mcp: ${message}\n`);
  process.exit(code);
}

function rateLimit(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 100_000) fail(`--rate-limit must be an integer from 0 (off) to 100000 calls per second, got ${value}`);
  return n;
}

function readSpecFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    fail(`cannot read --spec ${path}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    fail(`--spec ${path} is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message}`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) fail(`--spec ${path} must hold an object (a spec, all fields optional)`);
  return value as Record<string, unknown>;
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const optionFlags = Object.fromEntries(OPTION_NAMES.map((n) => [n.replace(/_/g, '-'), { type: 'string' as const }]));
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    strict: true,
    options: {
      db: { type: 'string' },
      'export-root': { type: 'string' },
      'data-root': { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      token: { type: 'string' },
      'allowed-host': { type: 'string', multiple: true },
      spec: { type: 'string' },
      name: { type: 'string' },
      out: { type: 'string' },
      force: { type: 'boolean' },
      engine: { type: 'string' },
      model: { type: 'string' },
      'max-tokens': { type: 'string' },
      'rate-limit': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      ...optionFlags,
    },
  });
  if (!command || command === 'help' || command === '--help' || command === '-h' || values.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (command === '--version' || command === 'version') {
    process.stdout.write(`${SERVER_VERSION}\n`);
    return;
  }
  let engines: EngineSettings;
  try {
    engines = engineSettings(process.env, { MLOPS_MCP_ENGINE: values.engine, MLOPS_MCP_MODEL: values.model, MLOPS_MCP_MAX_TOKENS: values['max-tokens'] });
  } catch (error) {
    fail((error as Error).message.replace(/MLOPS_MCP_ENGINE/g, '--engine / MLOPS_MCP_ENGINE').replace(/MLOPS_MCP_MAX_TOKENS/g, '--max-tokens / MLOPS_MCP_MAX_TOKENS'));
  }
  const config = {
    dbPath: resolve(values.db ?? defaultDbPath()),
    exportRoot: resolve(values['export-root'] ?? defaultExportRoot()),
    dataRoot: resolve(values['data-root'] ?? defaultDataRoot()),
    engines,
  };
  const logger = createLogger();

  switch (command) {
    case 'stdio': {
      // Each command loads only what it uses: a stdio server starts per chat, and --version or --help should be instant.
      const [{ createApp }, { serveStdio }] = await Promise.all([import('./app.js'), import('./server/stdio.js')]);
      const app = createApp(config, logger);
      await serveStdio(app);
      app.store.close();
      return;
    }
    case 'serve': {
      const port = Number(values.port ?? process.env.MLOPS_MCP_PORT ?? DEFAULT_PORT);
      if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be an integer between 0 and 65535, got ${values.port}`);
      const options = {
        host: values.host ?? process.env.MLOPS_MCP_HOST ?? DEFAULT_HOST,
        port,
        token: values.token ?? process.env.MLOPS_MCP_TOKEN,
        allowedHosts: values['allowed-host'],
        rateLimit: rateLimit(values['rate-limit'] ?? process.env.MLOPS_MCP_RATE_LIMIT),
      };
      const [{ createApp }, { listen }] = await Promise.all([import('./app.js'), import('./server/http.js')]);
      const app = createApp(config, logger);
      const http = await listen(app, options).catch((error: Error) => fail(error.message));
      logger.info({ url: http.url, db: config.dbPath, exportRoot: config.exportRoot, dataRoot: config.dataRoot, auth: options.token ? 'bearer token' : 'none (loopback only)' }, 'mlops-mcp listening');
      process.stderr.write(`mlops-mcp listening on ${http.url} (MCP), team web UI at ${http.url.replace(/\/mcp$/, '/')} (database ${config.dbPath})\n`);
      const stop = async () => {
        await http.close();
        app.store.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      return;
    }
    case 'design': {
      const requirements = positionals[0];
      if (!values.out) fail('design needs --out DIR (where the bundle is written)');
      const specFile = values.spec ? readSpecFile(values.spec) : {};
      if (!requirements && typeof specFile.requirements !== 'string') fail('design needs the requirements as its first argument (or a requirements field in --spec)');
      const options: Record<string, string> = {};
      for (const n of OPTION_NAMES) {
        const v = (values as Record<string, unknown>)[n.replace(/_/g, '-')];
        if (typeof v === 'string') options[n] = v;
      }
      const [{ createApp }, { runDesign }] = await Promise.all([import('./app.js'), import('./design.js')]);
      const app = createApp(config, logger);
      try {
        const result = await runDesign(app, {
          requirements: requirements ?? (specFile.requirements as string),
          name: values.name,
          spec: { ...specFile, ...(Object.keys(options).length ? { options: { ...((specFile.options as object | undefined) ?? {}), ...options } } : {}) },
          out: resolve(values.out),
          force: values.force ?? false,
          // --engine names the engine of this design (a spec file's engine does not override it); validated above.
          engine: values.engine ? engines.defaultEngine : undefined,
        });
        process.stdout.write(result.summary);
        process.exitCode = result.failed > 0 ? 1 : 0;
      } finally {
        app.store.close();
      }
      return;
    }
    default:
      fail(`unknown command "${command}"\n\n${USAGE}`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UserError) fail(error.message, 2);
  if (error instanceof TypeError && (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) fail(`${error.message}\n\n${USAGE}`);
  process.stderr.write(`mlops-mcp: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
