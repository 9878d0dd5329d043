import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  type CallToolResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { AppContext } from '../app.js';
import { UserError, formatZodError } from '../errors.js';
import { PHASES, PHASE_IDS, isPhaseId } from '../phases/graph.js';
import { fillPrompt, loadPrompts, type PromptTemplate } from '../prompts/catalog.js';
import { TOOLS } from '../tools/index.js';
import type { ToolDefinition } from '../tools/tool.js';
import { delimitReview, phaseStates } from '../tools/shared.js';
import { SERVER_VERSION } from '../version.js';

export const SERVER_NAME = 'mlops-mcp';
export { SERVER_VERSION } from '../version.js';
const RESOURCE_NOT_FOUND = -32002;

const INSTRUCTIONS = [
  'mlops-mcp designs production ML pipelines with seven phase agents (data-engineer → data-scientist → ml-engineer → python-pro → mlops-engineer → kubernetes-architect → observability-engineer).',
  'Start with create_pipeline (requirements text plus any structured fields), then run_pipeline or the phase tools in order, read documents at mlops://pipelines/{id}/phases/{phase},',
  'change the spec with update_pipeline (downstream phases become stale), and finish with validate_artifacts, score_success_criteria and export_bundle.',
].join(' ');

/** JSON Schemas of every tool, computed once: listing tools is on every client's start-up path. */
function toolListing(tools: readonly ToolDefinition[]): Tool[] {
  return tools.map((t) => ({
    name: t.name,
    title: t.title,
    description: t.description,
    inputSchema: z.toJSONSchema(t.input, { io: 'input', unrepresentable: 'any' }) as Tool['inputSchema'],
    outputSchema: z.toJSONSchema(t.output, { io: 'output', unrepresentable: 'any' }) as Tool['outputSchema'],
    annotations: { title: t.title, ...t.annotations },
  }));
}

let cachedListing: Tool[] | undefined;
export function listedTools(): Tool[] {
  cachedListing ??= toolListing(TOOLS);
  return cachedListing;
}

let cachedPrompts: PromptTemplate[] | undefined;
function prompts(): PromptTemplate[] {
  cachedPrompts ??= loadPrompts();
  return cachedPrompts;
}

// A handler may return a cached object (get_pipeline does until the data changes): it is checked once.
const checkedOutputs = new WeakMap<object, { tool: ToolDefinition; checked: Record<string, unknown> }>();
function checkedOutput(tool: ToolDefinition, structured: object): Record<string, unknown> {
  const known = checkedOutputs.get(structured);
  if (known?.tool === tool) return known.checked;
  const checked = tool.output.parse(structured) as Record<string, unknown>;
  checkedOutputs.set(structured, { tool, checked });
  return checked;
}

function errorResult(message: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: message }] };
}

const MIME_BY_KIND: Record<string, string> = {
  json: 'application/json',
  'grafana-dashboard': 'application/json',
  markdown: 'text/markdown',
  python: 'text/x-python',
  shell: 'text/x-shellscript',
  toml: 'application/toml',
  terraform: 'text/plain',
  dockerfile: 'text/plain',
  text: 'text/plain',
};
const mimeFor = (kind: string) => MIME_BY_KIND[kind] ?? (kind === 'python-project' ? 'application/toml' : 'application/yaml');

/**
 * Builds one MCP server (one per client session) on the shared application context. Transports are set up
 * elsewhere (stdio.ts, http.ts); this file only maps MCP requests to tools, resources and prompts.
 */
export function createMcpServer(app: AppContext): Server {
  const server = new Server(
    { name: SERVER_NAME, title: 'MLOps pipeline designer', version: SERVER_VERSION },
    { capabilities: { tools: {}, resources: {}, prompts: {}, logging: {} }, instructions: INSTRUCTIONS },
  );
  const byName = new Map(TOOLS.map((t) => [t.name, t]));
  const actor = () => `mcp:${server.getClientVersion()?.name ?? 'client'}`;

  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: listedTools() }));

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const tool = byName.get(request.params.name);
    // A tool error rather than a protocol error: the model sees the message and can pick an existing tool.
    if (!tool) return errorResult(`Unknown tool "${request.params.name}". Available tools: ${TOOLS.map((t) => t.name).join(', ')}.`);
    const parsed = tool.input.safeParse(request.params.arguments ?? {}, { reportInput: true });
    if (!parsed.success) return errorResult(`Invalid arguments for ${tool.name}:\n${formatZodError(parsed.error)}`);
    const progressToken = request.params._meta?.progressToken;
    const started = performance.now();
    const sampling = server.getClientCapabilities()?.sampling !== undefined;
    let result: Awaited<ReturnType<ToolDefinition['handler']>>;
    try {
      result = await tool.handler(parsed.data, {
        app,
        actor: actor(),
        signal: extra.signal,
        wantsProgress: progressToken !== undefined,
        session: {
          channel: 'mcp',
          signal: extra.signal,
          // Sent as part of this tool call, so that Streamable HTTP carries it on the call's own stream.
          createMessage: sampling ? (params, options) => server.createMessage(params, { ...options, relatedRequestId: extra.requestId }) : undefined,
        },
        async progress(progress, total, message) {
          if (progressToken === undefined) return;
          await extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress, total, message } });
        },
      });
    } catch (error) {
      if (error instanceof UserError) return errorResult(error.message);
      if (extra.signal.aborted) return errorResult('The call was cancelled by the client.');
      if (error instanceof z.ZodError) return errorResult(`Invalid input:\n${formatZodError(error)}`);
      app.logger.error({ tool: tool.name, err: error }, 'tool failed unexpectedly');
      throw new McpError(ErrorCode.InternalError, `${tool.name} failed unexpectedly: ${(error as Error).message}. This is a bug in mlops-mcp; the server log has details.`);
    }
    let structured: Record<string, unknown>;
    try {
      structured = checkedOutput(tool, result.structured);
    } catch (error) {
      // The tool's own answer broke its advertised schema: a server bug, not the caller's input.
      app.logger.error({ tool: tool.name, err: error }, 'tool output does not match its output schema');
      throw new McpError(ErrorCode.InternalError, `${tool.name} produced an answer that does not match its output schema. This is a bug in mlops-mcp; the server log has details.`);
    }
    app.logger.debug({ tool: tool.name, ms: Math.round(performance.now() - started) }, 'tool call');
    return { content: [{ type: 'text', text: result.text }, ...(result.content ?? [])], structuredContent: structured };
  });

  server.setRequestHandler(ListResourcesRequestSchema, async () => {
    const { rows } = app.store.listPipelines(200, 0);
    return {
      resources: rows.flatMap((row) => {
        const view = app.service.view(row.id);
        return [
          { uri: `mlops://pipelines/${row.id}`, name: row.name, title: `Pipeline ${row.name}`, mimeType: 'application/json', description: `Spec revision ${row.current_revision} and phase status` },
          { uri: `mlops://pipelines/${row.id}/reviews`, name: `${row.name}/reviews`, title: `${row.name}: reviews and comments`, mimeType: 'application/json' },
          ...view.phases
            .filter((s) => s.current)
            .map((s) => ({ uri: `mlops://pipelines/${row.id}/phases/${s.phase}`, name: `${row.name}/${s.phase}`, title: `${row.name}: ${PHASES[s.phase].title}`, mimeType: 'text/markdown' })),
        ];
      }),
    };
  });

  server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({
    resourceTemplates: [
      { uriTemplate: 'mlops://pipelines/{id}', name: 'pipeline', title: 'Pipeline', mimeType: 'application/json', description: 'Spec, revision, phase status and file index of a pipeline' },
      { uriTemplate: 'mlops://pipelines/{id}/phases/{phase}', name: 'phase-document', title: 'Phase document', mimeType: 'text/markdown', description: `A phase's design document; phase is one of ${PHASE_IDS.join(', ')}` },
      { uriTemplate: 'mlops://pipelines/{id}/reviews', name: 'reviews', title: 'Reviews and comments', mimeType: 'application/json', description: "Each phase's reviews of its current run (approve / request changes) and the team's comments on phases and file lines" },
      { uriTemplate: 'mlops://pipelines/{id}/artifacts/{+path}', name: 'artifact', title: 'Generated file', description: 'A generated file of the current bundle, by its path' },
    ],
  }));

  server.setRequestHandler(ReadResourceRequestSchema, async (request) => {
    const uri = request.params.uri;
    const m = /^mlops:\/\/pipelines\/([^/]+)(?:\/(reviews)|\/(phases|artifacts)\/(.+))?$/.exec(uri);
    if (!m) throw new McpError(RESOURCE_NOT_FOUND, `Unknown resource ${uri}; see resources/templates/list for the URI forms.`);
    const [, id, reviews, nested, rest] = m as unknown as [string, string, string | undefined, string | undefined, string | undefined];
    const section = reviews ?? nested;
    try {
      if (section === 'reviews') {
        const body = { pipeline_id: id, phases: app.team.reviews(id), comments: app.team.comments(id) };
        return { contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(body, null, 2) }] };
      }
      if (!section) {
        const view = app.service.view(id);
        const files = app.service.artifacts(id).map((a) => ({ path: a.path, kind: a.kind, phase: a.phase, sha256: a.sha256, uri: `mlops://pipelines/${id}/artifacts/${a.path}` }));
        const body = { pipeline_id: id, name: view.spec.name, revision: view.pipeline.current_revision, spec: view.spec, phases: phaseStates(view, app.team.reviews(id, view)), files };
        return { contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(body, null, 2) }] };
      }
      if (section === 'phases') {
        const phase = decodeURIComponent(rest!);
        if (!isPhaseId(phase)) throw new McpError(RESOURCE_NOT_FOUND, `Unknown phase "${phase}"; phases: ${PHASE_IDS.join(', ')}.`);
        const { document } = app.service.document(id, phase);
        return { contents: [{ uri, mimeType: 'text/markdown', text: delimitReview(document) }] };
      }
      const path = decodeURIComponent(rest!);
      const file = app.service.artifacts(id).find((a) => a.path === path);
      if (!file) throw new McpError(RESOURCE_NOT_FOUND, `No file ${path} in pipeline ${id}'s current bundle.`);
      return { contents: [{ uri, mimeType: mimeFor(file.kind), text: file.content }] };
    } catch (error) {
      if (error instanceof UserError) throw new McpError(RESOURCE_NOT_FOUND, error.message);
      throw error;
    }
  });

  server.setRequestHandler(ListPromptsRequestSchema, async () => ({
    prompts: prompts().map((p) => ({ name: p.name, title: p.title, description: p.description, arguments: p.arguments })),
  }));

  server.setRequestHandler(GetPromptRequestSchema, async (request) => {
    const prompt = prompts().find((p) => p.name === request.params.name);
    if (!prompt) throw new McpError(ErrorCode.InvalidParams, `Unknown prompt "${request.params.name}". Prompts: ${prompts().map((p) => p.name).join(', ')}.`);
    const args = request.params.arguments ?? {};
    const missing = prompt.arguments.filter((a) => a.required && !args[a.name]);
    if (missing.length) throw new McpError(ErrorCode.InvalidParams, `Prompt ${prompt.name} needs the argument${missing.length > 1 ? 's' : ''} ${missing.map((a) => a.name).join(', ')}.`);
    const values: Record<string, string> = { $ARGUMENTS: args.requirements ?? '', notes: args.notes ?? '(none)', spec: '(no pipeline given)' };
    if (args.pipeline_id) {
      try {
        const view = app.service.view(args.pipeline_id, true);
        values.spec = JSON.stringify(view.spec, null, 2);
        if (!args.requirements) values.$ARGUMENTS = view.spec.requirements;
        for (const s of view.phases) values[PHASES[s.phase].handoff] = s.current?.document ? delimitReview(s.current.document) : `(${s.phase} has not run yet: call the ${s.phase} tool)`;
      } catch (error) {
        if (error instanceof UserError) throw new McpError(ErrorCode.InvalidParams, error.message);
        throw error;
      }
    }
    return {
      description: prompt.description,
      messages: [{ role: 'user' as const, content: { type: 'text' as const, text: fillPrompt(prompt.body, values) } }],
    };
  });

  return server;
}
