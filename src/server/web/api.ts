import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../app.js';
import { bundleArchive } from '../../bundle/archive.js';
import { UserError, formatZodError, type UserErrorCode } from '../../errors.js';
import { PHASES, PHASE_IDS, isPhaseId, type PhaseId } from '../../phases/graph.js';
import { diffRuns, diffSpecRevisions } from '../../pipeline/diff.js';
import { COMMENT_MAX_CHARS } from '../../pipeline/team.js';
import { OPTION_DESCRIPTIONS, OPTION_VALUES } from '../../spec/options.js';
import { ApplySuggestionsInput } from '../../tools/apply_suggestions.js';
import { CreatePipelineInput } from '../../tools/create_pipeline.js';
import { RunPipelineInput } from '../../tools/run_pipeline.js';
import { pipelineDetail } from '../../tools/get_pipeline.js';
import { UpdatePipelineInput } from '../../tools/update_pipeline.js';
import { bearerToken, type AccessPolicy } from '../access.js';
import { SERVER_VERSION } from '../mcpServer.js';
import type { EventFeed } from './eventFeed.js';
import { DISPLAY_NAME_MAX, displayName, webActor } from './identity.js';

/** The header carrying the browser's display name, percent-encoded (header values are Latin-1): the actor recorded for its changes. */
export const ACTOR_HEADER = 'x-mlops-user';

const STATUS_BY_CODE: Record<UserErrorCode, number> = {
  invalid_input: 400,
  not_found: 404,
  precondition: 409,
  conflict: 409,
  unavailable: 503,
  forbidden: 403,
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function parse<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const result = schema.safeParse(value, { reportInput: true });
  if (!result.success) throw new HttpError(400, `Invalid ${what}:\n${formatZodError(result.error)}`);
  return result.data;
}

function safeDecode(header: string | string[] | undefined): string | undefined {
  try {
    return typeof header === 'string' ? decodeURIComponent(header) : undefined;
  } catch {
    return undefined;
  }
}

function actorOf(req: Request): string {
  const header = req.headers[ACTOR_HEADER];
  const decoded = safeDecode(header);
  if (typeof header === 'string' && decoded === undefined) throw new HttpError(400, 'The X-Mlops-User header must be the display name, percent-encoded (encodeURIComponent).');
  const name = displayName(decoded);
  if (!name.ok) throw new HttpError(400, `${name.error} (header X-Mlops-User)`);
  return webActor(name.value);
}

function phaseParam(req: Request): PhaseId {
  const phase = String(req.params.phase);
  if (!isPhaseId(phase)) throw new HttpError(404, `Unknown phase "${phase}"; phases: ${PHASE_IDS.join(', ')}.`);
  return phase;
}

type Handler = (req: Request, res: Response) => unknown;

/** Sends what the handler returns as JSON; errors become `{error}` with the status their kind calls for. */
function route(handler: Handler) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const body = await handler(req, res);
      if (!res.headersSent) res.json(body);
    } catch (error) {
      next(error);
    }
  };
}

const CommentInput = z.strictObject({
  body: z.string().min(1, 'write something').max(COMMENT_MAX_CHARS, `at most ${COMMENT_MAX_CHARS} characters`),
  phase: z.enum(PHASE_IDS).optional(),
  artifact_path: z.string().min(1).max(500).optional(),
  line: z.number().int().min(1).optional(),
});

const ReviewInput = z.strictObject({
  verdict: z.enum(['approved', 'changes_requested']),
  comment: z.string().max(COMMENT_MAX_CHARS, `at most ${COMMENT_MAX_CHARS} characters`).optional(),
});

const ValidateInput = z.strictObject({ paths: z.array(z.string().max(500)).min(1).max(1000).optional() });

const DiffQuery = z.union([
  z.strictObject({ what: z.literal('spec'), from: z.coerce.number().int().min(1), to: z.coerce.number().int().min(1) }),
  z.strictObject({ what: z.literal('run'), from: z.string().min(1).max(100), to: z.string().min(1).max(100) }),
]);

const PageQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(100), offset: z.coerce.number().int().min(0).default(0) });
const EventsQuery = z.union([
  z.strictObject({ after: z.coerce.number().int().min(0).default(0), limit: z.coerce.number().int().min(1).max(1000).default(500) }),
  z.strictObject({ tail: z.coerce.number().int().min(1).max(1000).describe('the newest N events') }),
]);

/**
 * The REST API the web UI uses (/api). Reads and writes go through the same services as the MCP tools, with
 * the same zod schemas, so a change from the browser follows the same rules (staleness, revision checks) and
 * lands in the same event log. Mutations are recorded as `web:<display name>`.
 */
export function apiRouter(app: AppContext, access: AccessPolicy, feed: EventFeed, bodyLimit: string): Router {
  const api = express.Router();

  // Public: the UI needs to know whether to ask for the token before anything else.
  api.get('/meta', (_req, res) => {
    res.json({
      version: SERVER_VERSION,
      auth_required: access.requiresToken,
      comment_max_chars: COMMENT_MAX_CHARS,
      display_name_max: DISPLAY_NAME_MAX,
      phases: PHASE_IDS.map((id) => PHASES[id]),
      options: Object.fromEntries(Object.entries(OPTION_VALUES).map(([name, values]) => [name, { values, description: OPTION_DESCRIPTIONS[name as keyof typeof OPTION_DESCRIPTIONS] }])),
    });
  });

  api.use((req, res, next) => {
    if (access.tokenValid(bearerToken(req.headers.authorization))) return next();
    res.setHeader('WWW-Authenticate', 'Bearer realm="mlops-mcp"');
    res.status(401).json({ error: 'Unauthorized: send the server token as "Authorization: Bearer <token>".' });
  });

  // A browser form cannot send JSON across origins without a preflight, which the Origin check refuses.
  api.use((req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD') return next();
    if (!req.is('application/json')) return res.status(415).json({ error: 'Send the request body as JSON (Content-Type: application/json).' });
    next();
  });
  api.use(express.json({ limit: bodyLimit }));

  const written = <T>(value: T): T => {
    feed.poke();
    return value;
  };

  api.get(
    '/pipelines',
    route((req) => {
      const { limit, offset } = parse(PageQuery, req.query, 'query');
      const { rows, total } = app.store.listPipelines(limit, offset);
      return {
        total,
        last_event_id: app.store.lastEventId(),
        pipelines: rows.map((row) => {
          const view = app.service.view(row.id);
          const reviews = app.team.reviews(row.id, view);
          return {
            id: row.id,
            name: row.name,
            revision: row.current_revision,
            options: view.spec.options,
            phases: view.phases.map((s) => ({ phase: s.phase, status: s.status, review: reviews[s.phase].latest?.verdict ?? null })),
            created_at: row.created_at,
            updated_at: row.updated_at,
            updated_by: row.updated_by,
          };
        }),
      };
    }),
  );

  api.post(
    '/pipelines',
    route((req, res) => {
      const actor = actorOf(req);
      const input = parse(CreatePipelineInput, req.body, 'pipeline');
      const { view, inferred } = app.service.create({ requirements: input.requirements, name: input.name, spec: input.spec as Record<string, unknown> | undefined }, actor);
      res.status(201);
      return written({ pipeline_id: view.pipeline.id, name: view.spec.name, inferred });
    }),
  );

  api.get(
    '/pipelines/:id',
    route((req) => {
      const id = String(req.params.id);
      // Read first: an event committed after this id is replayed to the browser, so it can never be missed.
      const lastEventId = app.store.lastEventId();
      const { detail, reviews } = pipelineDetail(app, id);
      return { ...detail, reviews, last_event_id: lastEventId };
    }),
  );

  api.patch(
    '/pipelines/:id/spec',
    route((req) => {
      const actor = actorOf(req);
      const input = parse(UpdatePipelineInput.omit({ pipeline_id: true }), req.body, 'spec change');
      const result = app.service.update(String(req.params.id), input.patch, actor, input.expected_revision);
      return written({ revision: result.revision, changed: result.changed, staled: result.staled });
    }),
  );

  api.post(
    '/pipelines/:id/suggestions',
    route((req) => {
      const actor = actorOf(req);
      const input = parse(ApplySuggestionsInput.omit({ pipeline_id: true }), req.body, 'suggestions request');
      const result = app.service.resolveSuggestions(String(req.params.id), input.suggestion_ids, input.action, actor, input.expected_revision);
      return written({ revision: result.revision, changed: result.changed, staled: result.staled });
    }),
  );

  api.post(
    '/pipelines/:id/run',
    route(async (req) => {
      const actor = actorOf(req);
      const input = parse(RunPipelineInput.omit({ pipeline_id: true }), req.body, 'run request');
      const id = String(req.params.id);
      app.service.get(id);
      // Each phase's start and end are events: poked, they reach browsers at once rather than at the next poll.
      const result = await app.service.runPipeline(
        id,
        { phases: input.phases, force: input.force, notes: input.notes, engine: input.engine, actor, session: { channel: 'web' } },
        () => feed.poke(),
      );
      return written(result);
    }),
  );

  api.get(
    '/pipelines/:id/runs',
    route((req) => {
      const id = String(req.params.id);
      app.service.get(id);
      return {
        runs: app.store.runHistory(id).map(({ id: runId, phase, status, engine, spec_revision, started_at, finished_at, duration_ms, stale_reason, error }) => ({
          id: runId,
          phase,
          status,
          engine,
          spec_revision,
          started_at,
          finished_at,
          duration_ms,
          stale_reason,
          error,
        })),
      };
    }),
  );

  api.get(
    '/pipelines/:id/phases/:phase/document',
    route((req) => {
      const { run, document } = app.service.document(String(req.params.id), phaseParam(req));
      return { run_id: run.id, spec_revision: run.spec_revision, document };
    }),
  );

  api.post(
    '/pipelines/:id/phases/:phase/review',
    route((req, res) => {
      const actor = actorOf(req);
      const input = parse(ReviewInput, req.body, 'review');
      const review = app.team.review(String(req.params.id), phaseParam(req), input.verdict, actor, input.comment);
      res.status(201);
      return written(review);
    }),
  );

  api.get(
    '/pipelines/:id/files',
    route((req) => {
      const id = String(req.params.id);
      const { files } = app.service.bundle(id);
      const verdicts = new Map(app.team.verdicts(id, files).map((v) => [v.path, v]));
      return {
        files: files.map((f) => {
          const v = verdicts.get(f.path);
          return { path: f.path, kind: f.kind, phase: f.phase, bytes: Buffer.byteLength(f.content), verdict: v?.current ? v.verdict : null };
        }),
      };
    }),
  );

  api.get(
    '/pipelines/:id/file',
    route((req, res) => {
      const id = String(req.params.id);
      const path = parse(z.strictObject({ path: z.string().min(1).max(500), download: z.literal('1').optional() }), req.query, 'query');
      const { files } = app.service.bundle(id);
      const file = files.find((f) => f.path === path.path);
      if (!file) throw new HttpError(404, `No file ${path.path} in this pipeline's current bundle.`);
      if (path.download) {
        res.attachment(file.path.split('/').at(-1)!);
        res.type('application/octet-stream').send(file.content);
        return;
      }
      const verdict = app.team.verdicts(id, files).find((v) => v.path === file.path) ?? null;
      return { path: file.path, kind: file.kind, phase: file.phase, content: file.content, verdict };
    }),
  );

  api.post(
    '/pipelines/:id/validate',
    route(async (req) => {
      const actor = actorOf(req);
      const input = parse(ValidateInput, req.body, 'validation request');
      const report = await app.team.validate(String(req.params.id), actor, input.paths);
      feed.poke();
      return { summary: report.summary, files: report.files.map(({ path, verdict, results }) => ({ path, verdict, results })) };
    }),
  );

  api.get(
    '/pipelines/:id/bundle.:format',
    route(async (req, res) => {
      const format = String(req.params.format);
      if (format !== 'zip' && format !== 'tar.gz') throw new HttpError(404, 'Bundles download as bundle.zip or bundle.tar.gz.');
      const { view, files } = app.service.bundle(String(req.params.id));
      const archive = await bundleArchive(format, view.spec.name, files);
      // Not a change, but who took which bundle belongs in the team's record. Only a request carrying a display
      // name is recorded: a cross-site <img src> can send this GET, never that header.
      const name = displayName(safeDecode(req.headers[ACTOR_HEADER]));
      if (name.ok) {
        app.store.appendEvent(view.pipeline.id, 'bundle.downloaded', webActor(name.value), { format, files: files.length, bytes: archive.length });
        feed.poke();
      }
      res.attachment(`${view.spec.name}.${format}`);
      res.type(format === 'zip' ? 'application/zip' : 'application/gzip').send(archive);
    }),
  );

  api.get(
    '/pipelines/:id/diff',
    route((req) => {
      const id = String(req.params.id);
      app.service.get(id);
      const query = parse(DiffQuery, req.query, 'diff query');
      return query.what === 'spec' ? diffSpecRevisions(app.store, id, query.from, query.to) : diffRuns(app.store, id, query.from, query.to);
    }),
  );

  api.get(
    '/pipelines/:id/scorecard',
    route((req) => ({ criteria: app.service.scorecard(String(req.params.id)) })),
  );

  api.get(
    '/pipelines/:id/comments',
    route((req) => ({ comments: app.team.comments(String(req.params.id)) })),
  );

  api.post(
    '/pipelines/:id/comments',
    route((req, res) => {
      const actor = actorOf(req);
      const input = parse(CommentInput, req.body, 'comment');
      const comment = app.team.comment(String(req.params.id), input, actor);
      res.status(201);
      return written(comment);
    }),
  );

  api.get(
    '/pipelines/:id/events',
    route((req) => {
      const id = String(req.params.id);
      app.service.get(id);
      const query = parse(EventsQuery, req.query, 'query');
      return { events: 'tail' in query ? app.store.latestEvents(id, query.tail) : app.store.eventsSince(query.after, id, query.limit) };
    }),
  );

  api.use((req, res) => {
    res.status(404).json({ error: `No API route ${req.method} ${req.baseUrl}${req.path}.` });
  });

  api.use((error: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof HttpError) return res.status(error.status).json({ error: error.message });
    if (error instanceof UserError) return res.status(STATUS_BY_CODE[error.code]).json({ error: error.message, code: error.code });
    if (error.type === 'entity.too.large') return res.status(413).json({ error: `Request body too large (limit ${bodyLimit}).` });
    if (error.type === 'entity.parse.failed') return res.status(400).json({ error: 'The body is not valid JSON.' });
    app.logger.error({ err: error }, 'API request failed');
    return res.status(500).json({ error: 'Internal server error; the server log has details.' });
  });

  return api;
}
