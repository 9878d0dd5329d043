import { sha256, type Artifact } from '../artifacts/artifact.js';
import { UserError } from '../errors.js';
import { PHASE_IDS, type PhaseId } from '../phases/graph.js';
import type { CommentRow, FileVerdictRow, ReviewRow, ReviewVerdict } from '../store/store.js';
import type { ValidationReport, ValidatorRegistry } from '../validate/registry.js';
import type { PipelineService, PipelineView } from './service.js';

export const COMMENT_MAX_CHARS = 4000;

export interface PhaseReviewState {
  /** The latest review of the phase's current run, or null when nobody reviewed it. */
  latest: ReviewRow | null;
  /** Every review of the current run, oldest first. */
  reviews: ReviewRow[];
}

export interface FileVerdictView extends FileVerdictRow {
  /** False when the file changed after it was validated: the verdict describes an older version. */
  current: boolean;
}

/**
 * What teammates add around a pipeline: comments on a phase or on a line of a generated file, reviews of a
 * phase's current run, and the per-file validation verdicts the UI shows in the file tree. Every change is
 * written with its event in one transaction (the store does that), so the web UI and MCP clients see it live.
 */
export class TeamService {
  constructor(
    private readonly pipelines: PipelineService,
    private readonly validators: ValidatorRegistry,
  ) {}

  private get store() {
    return this.pipelines.store;
  }

  comment(pipelineId: string, input: { body: string; phase?: PhaseId; artifact_path?: string; line?: number }, author: string): CommentRow {
    const body = input.body.trim();
    if (!body) throw new UserError('A comment needs some text.', 'invalid_input');
    if (body.length > COMMENT_MAX_CHARS) throw new UserError(`A comment holds at most ${COMMENT_MAX_CHARS} characters; this one has ${body.length}.`, 'invalid_input');
    this.pipelines.get(pipelineId);
    if (input.artifact_path !== undefined) {
      const file = this.pipelines.artifacts(pipelineId).find((a) => a.path === input.artifact_path);
      if (!file) throw new UserError(`No file ${input.artifact_path} in this pipeline's current bundle.`, 'not_found');
      if (input.phase !== undefined && input.phase !== file.phase) throw new UserError(`${input.artifact_path} belongs to ${file.phase}, not ${input.phase}.`, 'invalid_input');
      const lines = file.content.replace(/\n$/, '').split('\n').length;
      if (input.line !== undefined && (input.line < 1 || input.line > lines)) throw new UserError(`${input.artifact_path} has lines 1 to ${lines}; line ${input.line} does not exist.`, 'invalid_input');
      return this.store.addComment({ pipeline_id: pipelineId, phase: file.phase as PhaseId, artifact_path: file.path, line: input.line ?? null, run_id: file.run_id, author, body });
    }
    if (input.line !== undefined) throw new UserError('A line number needs the file it refers to (artifact_path).', 'invalid_input');
    const runId = input.phase === undefined ? null : (this.pipelines.view(pipelineId).phases.find((s) => s.phase === input.phase)?.current?.id ?? null);
    return this.store.addComment({ pipeline_id: pipelineId, phase: input.phase ?? null, artifact_path: null, line: null, run_id: runId, author, body });
  }

  comments(pipelineId: string): CommentRow[] {
    this.pipelines.get(pipelineId);
    return this.store.comments(pipelineId);
  }

  /** Approves or requests changes on the phase's current run; a later run starts without a review. */
  review(pipelineId: string, phase: PhaseId, verdict: ReviewVerdict, reviewer: string, comment?: string): ReviewRow {
    const text = comment?.trim() || null;
    if (text && text.length > COMMENT_MAX_CHARS) throw new UserError(`A review comment holds at most ${COMMENT_MAX_CHARS} characters; this one has ${text.length}.`, 'invalid_input');
    const state = this.pipelines.view(pipelineId).phases.find((s) => s.phase === phase)!;
    if (!state.current) throw new UserError(`${phase} has no finished run to review yet; run it first.`, 'precondition');
    return this.store.addReview({ pipeline_id: pipelineId, phase, run_id: state.current.id, verdict, reviewer, comment: text });
  }

  /** Each phase's reviews of its current run (pass a view already read to save reading it again). */
  reviews(pipelineId: string, view: PipelineView = this.pipelines.view(pipelineId)): Record<PhaseId, PhaseReviewState> {
    const runIds = view.phases.flatMap((s) => (s.current ? [s.current.id] : []));
    const all = this.store.reviewsOfRuns(runIds);
    return Object.fromEntries(
      PHASE_IDS.map((phase) => {
        const runId = view.phases.find((s) => s.phase === phase)!.current?.id;
        const reviews = all.filter((r) => r.run_id === runId);
        return [phase, { latest: reviews.at(-1) ?? null, reviews }];
      }),
    ) as Record<PhaseId, PhaseReviewState>;
  }

  /** Runs the validators on the current bundle (or some of its paths) and stores each file's verdict. */
  async validate(pipelineId: string, actor: string, paths?: readonly string[]): Promise<ValidationReport> {
    const { files } = this.pipelines.bundle(pipelineId);
    const wanted = paths ? new Set(paths) : undefined;
    if (wanted) {
      const unknown = [...wanted].filter((p) => !files.some((f) => f.path === p));
      if (unknown.length) throw new UserError(`No such file in the bundle: ${unknown.slice(0, 5).join(', ')}. get_pipeline and the phase results list the paths.`, 'not_found');
    }
    const report = await this.validators.validate(files, wanted ? (a) => wanted.has(a.path) : undefined);
    const shaByPath = new Map(files.map((f) => [f.path, sha256(f.content)]));
    this.store.recordVerdicts(
      pipelineId,
      report.files.map((f) => ({
        path: f.path,
        sha256: shaByPath.get(f.path)!,
        verdict: f.verdict,
        results: f.results.map(({ validator, verdict, message }) => ({ validator, verdict, message })),
      })),
      actor,
      { ...report.summary, paths: wanted ? [...wanted].slice(0, 50) : 'all' },
    );
    return report;
  }

  /** The stored verdicts, each marked current when the file is unchanged since it was validated (pass the bundle's files if already read). */
  verdicts(pipelineId: string, files: readonly Artifact[] = this.pipelines.bundle(pipelineId).files): FileVerdictView[] {
    const shaByPath = new Map(files.map((f) => [f.path, sha256(f.content)]));
    return this.store
      .verdicts(pipelineId)
      .filter((v) => shaByPath.has(v.path))
      .map((v) => ({ ...v, current: shaByPath.get(v.path) === v.sha256 }));
  }
}
