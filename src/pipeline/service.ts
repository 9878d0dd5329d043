import { performance } from 'node:perf_hooks';
import { DEFAULT_ENGINE_SETTINGS, chooseEngine, resolveEngine, type Engine, type EngineName, type EngineSession, type EngineSettings } from '../engines/index.js';
import { documentWithAdvice } from '../engines/render.js';
import { UserError, parseOrThrow } from '../errors.js';
import { ALWAYS_READ } from '../phases/common.js';
import { PHASES, PHASE_IDS, ancestors, descendants, type PhaseId } from '../phases/graph.js';
import { PHASE_DEFINITIONS } from '../phases/registry.js';
import type { DecisionsByPhase } from '../phases/types.js';
import { canonical, changedPaths, mergePatch } from '../spec/merge.js';
import { resolveSpec, specFromRequirements, type CreateSpecInput, type ResolvedSpec } from '../spec/resolve.js';
import { SpecPatchSchema } from '../spec/patch.js';
import type { Artifact } from '../artifacts/artifact.js';
import { bundleFiles } from './bundle.js';
import { executePhase, phaseFiles } from './runPhases.js';
import { scoreCriteria, type CriterionResult } from './scorecard.js';
import { ciEvidence } from './ciEvidence.js';
import { manifestEvidence } from './manifestEvidence.js';
import { observabilityEvidence } from './observabilityEvidence.js';
import { parseManifests } from '../generators/kubernetes/objects.js';
import { LAYOUT } from '../phases/common.js';
import type { PhaseRun, PipelineRow, Store, StoredArtifact, SuggestionRow } from '../store/store.js';

export type PhaseStatus = 'not_run' | 'running' | 'succeeded' | 'failed' | 'stale';

export interface PhaseState {
  phase: PhaseId;
  agent: string;
  tool: PhaseId;
  status: PhaseStatus;
  run: PhaseRun | undefined;
  /** The run whose document and artifacts are current (the latest successful one). */
  current: PhaseRun | undefined;
}

export interface PipelineView {
  pipeline: PipelineRow;
  spec: ResolvedSpec;
  phases: PhaseState[];
}


function conflictError(current: number, expected: number): UserError {
  return new UserError(
    `The pipeline is at revision ${current}, not ${expected}: someone changed it meanwhile. Read it again with get_pipeline and re-apply your patch.`,
    'conflict',
  );
}

/** A merge patch that turns `a` into `b` (objects recursively; arrays and scalars whole; removed keys as null). */
function diffPatch(a: unknown, b: unknown): Record<string, unknown> {
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const out: Record<string, unknown> = {};
  const left = isObj(a) ? a : {};
  const right = isObj(b) ? b : {};
  for (const key of new Set([...Object.keys(left), ...Object.keys(right)])) {
    if (!(key in right)) out[key] = null;
    else if (isObj(left[key]) && isObj(right[key])) {
      const inner = diffPatch(left[key], right[key]);
      if (Object.keys(inner).length) out[key] = inner;
    } else if (canonical(left[key]) !== canonical(right[key])) out[key] = right[key];
  }
  return out;
}

/** Phases whose declared reads cover one of the changed spec paths (a read of "slo" covers "slo.p99_latency_ms" and vice versa). */
export function phasesReading(paths: readonly string[]): PhaseId[] {
  const covers = (read: string, path: string) => path === read || path.startsWith(`${read}.`) || read.startsWith(`${path}.`);
  return PHASE_IDS.filter((p) => {
    const reads = [...ALWAYS_READ, ...PHASE_DEFINITIONS[p].reads];
    return paths.some((path) => reads.some((r) => covers(r, path)));
  });
}

/** The phases directly affected plus every phase downstream of them, in run order. */
export function withDescendants(phases: readonly PhaseId[]): PhaseId[] {
  const all = new Set<PhaseId>();
  for (const p of phases) {
    all.add(p);
    for (const d of descendants(p)) all.add(d);
  }
  return PHASE_IDS.filter((p) => all.has(p));
}

export interface SpecUpdate {
  revision: number;
  changed: string[];
  staled: PhaseId[];
  spec: ResolvedSpec;
}

export interface RunPhaseOptions {
  /** The call's engine; else the spec's `engine`, else the server's default. */
  engine?: EngineName;
  notes?: string;
  actor: string;
  /** What the caller's channel offers LLM engines (the MCP client's sampling, cancellation, streaming). */
  session?: EngineSession;
}

const NO_SESSION: EngineSession = { channel: 'cli' };

/**
 * The application layer: everything the MCP tools, the CLI and (later) the web UI do to pipelines goes
 * through here, so rules such as "upstream must be current" and "a spec change stales what read it" live in
 * one place.
 */
export class PipelineService {
  constructor(
    readonly store: Store,
    readonly engines: EngineSettings = DEFAULT_ENGINE_SETTINGS,
  ) {}

  create(input: CreateSpecInput, actor: string): { view: PipelineView; inferred: string[] } {
    const { spec, inferred } = specFromRequirements(input);
    const row = this.store.createPipeline(spec, actor, { inferred });
    return { view: this.view(row.id), inferred };
  }

  get(pipelineId: string): PipelineRow {
    const row = this.store.getPipeline(pipelineId);
    if (!row) {
      throw new UserError(`No pipeline with id "${pipelineId}". Call list_pipelines to see the ids, or create_pipeline to make one.`, 'not_found');
    }
    return row;
  }

  /** The pipeline, its spec and each phase's state; `content` also loads documents and decisions of the runs. */
  view(pipelineId: string, content = false): PipelineView {
    const pipeline = this.get(pipelineId);
    const spec = this.store.getRevision(pipelineId)!.spec;
    const latest = this.store.latestRuns(pipelineId, content);
    const succeeded = this.store.latestSucceededRuns(pipelineId, content);
    const phases = PHASE_IDS.map((phase): PhaseState => {
      const run = latest[phase];
      const current = succeeded[phase];
      let status: PhaseStatus = 'not_run';
      if (run?.status === 'running') status = 'running';
      else if (run?.status === 'failed') status = 'failed';
      else if (current) status = current.stale_reason ? 'stale' : 'succeeded';
      return { phase, agent: PHASES[phase].agent, tool: phase, status, run, current };
    });
    return { pipeline, spec, phases };
  }

  update(pipelineId: string, patch: unknown, actor: string, expectedRevision?: number, suggestions?: string[]): SpecUpdate {
    this.get(pipelineId);
    const validPatch = parseOrThrow(SpecPatchSchema, patch, 'patch', 'patch');
    const before = this.store.getRevision(pipelineId)!;
    if (expectedRevision !== undefined && expectedRevision !== before.revision) throw conflictError(before.revision, expectedRevision);
    const spec = resolveSpec(mergePatch(before.spec, validPatch), 'spec');
    const paths = changedPaths(before.spec, spec);
    if (paths.length === 0) return { revision: before.revision, changed: [], staled: [] as PhaseId[], spec };
    const affected = withDescendants(phasesReading(paths));
    const result = this.store.addRevision({
      pipelineId,
      spec,
      patch: validPatch,
      changedPaths: paths,
      actor,
      // Without an expected revision the patch still applies to the revision it was merged with.
      expectedRevision: expectedRevision ?? before.revision,
      stale: { phases: affected, reason: `spec revision ${before.revision + 1} changed ${paths.slice(0, 5).join(', ')}${paths.length > 5 ? ', …' : ''}` },
      suggestions,
    });
    if ('conflict' in result) {
      if (expectedRevision !== undefined) throw conflictError(result.conflict, expectedRevision);
      return this.update(pipelineId, patch, actor, undefined, suggestions);
    }
    return { revision: result.revision, changed: paths, staled: result.staled, spec };
  }

  /** The proposed spec changes of a pipeline's runs, newest last; `open` are those neither applied nor dismissed. */
  suggestions(pipelineId: string, status?: SuggestionRow['status']): SuggestionRow[] {
    this.get(pipelineId);
    return this.store.suggestions(pipelineId).filter((s) => !status || s.status === status);
  }

  /**
   * Applies proposed spec changes, in the order given, as one new revision (or dismisses them). Patches are
   * merged into the current spec one after the other and the result is validated as a whole; a proposal whose
   * change the spec already holds is closed as applied without a revision of its own.
   */
  resolveSuggestions(pipelineId: string, ids: string[], action: 'apply' | 'dismiss', actor: string, expectedRevision?: number): SpecUpdate {
    const all = this.suggestions(pipelineId);
    const byId = new Map(all.map((s) => [s.id, s]));
    const unknown = ids.filter((id) => !byId.has(id));
    const open = all.filter((s) => s.status === 'open').map((s) => s.id);
    if (unknown.length) {
      throw new UserError(
        `No suggestion ${unknown.map((id) => `"${id}"`).join(', ')} in this pipeline. ${open.length ? `Open suggestions: ${open.join(', ')}.` : 'It has no open suggestions: run a phase with engine "sampling" or "anthropic" to get some.'}`,
        'not_found',
      );
    }
    const closed = ids.map((id) => byId.get(id)!).filter((s) => s.status !== 'open');
    if (closed.length) {
      throw new UserError(
        closed
          .map((s) =>
            s.status === 'superseded'
              ? `${s.id} was superseded by a later run of ${s.phase} (at revision ${s.resolved_revision})`
              : `${s.id} was already ${s.status} (revision ${s.resolved_revision}, by ${s.resolved_by})`,
          )
          .join('; ') + `. ${open.length ? `Open suggestions: ${open.join(', ')}.` : 'No suggestion is open.'}`,
        'precondition',
      );
    }
    const unique = [...new Set(ids)];
    if (action === 'dismiss') {
      this.store.resolveSuggestions(pipelineId, unique, 'dismissed', actor);
      return { revision: this.get(pipelineId).current_revision, changed: [] as string[], staled: [] as PhaseId[], spec: this.store.getRevision(pipelineId)!.spec };
    }
    // A proposal was made against the spec its run read; if a later revision changed what it touches, applying
    // it now could undo that change (arrays replace whole). The user decides again, with the current spec.
    const revisions = this.store.listRevisions(pipelineId);
    for (const id of unique) {
      const s = byId.get(id)!;
      const since = this.store.getRun(s.run_id)!.spec_revision;
      const overlap = revisions
        .filter((r) => r.revision > since)
        .flatMap((r) => r.changed_paths.filter((p) => s.changes.some((c) => c === p || c.startsWith(`${p}.`) || p.startsWith(`${c}.`))).map((p) => `${p} (revision ${r.revision})`));
      if (overlap.length) {
        throw new UserError(
          `${s.id} was proposed against spec revision ${since}, and ${[...new Set(overlap)].join(', ')} changed since. Re-run ${s.phase} for a fresh proposal, or apply the change you want with update_pipeline.`,
          'conflict',
        );
      }
    }
    const before = this.store.getRevision(pipelineId)!;
    const merged = unique.reduce<unknown>((spec, id) => mergePatch(spec, byId.get(id)!.patch), before.spec);
    // One patch whose application equals applying each in turn: the whole merged spec's differences.
    const patch = diffPatch(before.spec, resolveSpec(merged, 'spec'));
    const result = this.update(pipelineId, patch, actor, expectedRevision, unique);
    if (result.changed.length === 0) this.store.resolveSuggestions(pipelineId, unique, 'applied', actor);
    return result;
  }

  /** Checks that every upstream phase has a current (successful, not stale) run and returns those runs. */
  private upstreamRuns(view: PipelineView, phase: PhaseId): Partial<Record<PhaseId, PhaseRun>> {
    const runs: Partial<Record<PhaseId, PhaseRun>> = {};
    for (const up of ancestors(phase)) {
      const state = view.phases.find((s) => s.phase === up)!;
      if (state.status === 'not_run' || state.status === 'failed' || state.status === 'running') {
        throw new UserError(
          `${phase} needs the output of ${up}, which ${state.status === 'not_run' ? 'has not run yet' : state.status === 'running' ? 'is still running' : 'failed last time'}. ` +
            `Call the ${up} tool first, or run_pipeline to run every missing phase in order.`,
          'precondition',
        );
      }
      if (state.status === 'stale') {
        throw new UserError(
          `${phase} needs the output of ${up}, which is stale (${state.current!.stale_reason}). Re-run ${up} first, or call run_pipeline to refresh every stale phase in order.`,
          'precondition',
        );
      }
      runs[up] = state.current!;
    }
    return runs;
  }

  /**
   * The engine of a run. One the call names must be able to run (else a UserError); a default (the spec's or the
   * server's) that cannot run on this channel, such as sampling from the web UI, gives way to the template
   * engine with a note, so that a pipeline's default never blocks teammates who run it elsewhere.
   */
  private engineFor(options: RunPhaseOptions, specEngine: EngineName | undefined): { engine: Engine; note: string | null } {
    const session = options.session ?? NO_SESSION;
    const chosen = chooseEngine(this.engines, options.engine, specEngine);
    try {
      return { engine: resolveEngine(chosen, this.engines, session), note: null };
    } catch (error) {
      if (options.engine !== undefined || !(error instanceof UserError)) throw error;
      const source = specEngine !== undefined ? "the pipeline's engine" : "the server's default engine";
      return { engine: resolveEngine('template', this.engines, session), note: `${source}, "${chosen}", cannot run here, so the template engine ran: ${error.message}` };
    }
  }

  async runPhase(pipelineId: string, phase: PhaseId, options: RunPhaseOptions): Promise<{ run: PhaseRun; staled: PhaseId[]; artifacts: StoredArtifact[] }> {
    const view = this.view(pipelineId, true);
    const { engine, note: engineChoiceNote } = this.engineFor(options, view.spec.engine);
    const upstreamRuns = this.upstreamRuns(view, phase);
    const upstream = Object.fromEntries(Object.entries(upstreamRuns).map(([p, r]) => [p, r!.decisions])) as Partial<DecisionsByPhase>;
    const run = this.store.startRun({
      pipelineId,
      phase,
      engine: engine.name,
      specRevision: view.pipeline.current_revision,
      upstreamRunIds: Object.fromEntries(Object.entries(upstreamRuns).map(([p, r]) => [p, r!.id])),
      notes: options.notes,
      actor: options.actor,
    });
    const started = performance.now();
    try {
      // Decisions and files always come from the generators; an LLM engine only adds its review to the document.
      const output = executePhase(phase, view.spec, upstream, options.notes);
      const advice = await engine.advise({ phase, spec: view.spec, upstream, notes: options.notes, decisions: output.decisions, runId: run.id });
      const document = documentWithAdvice(output.document, advice);
      const artifacts = phaseFiles(phase, { document, artifacts: output.artifacts });
      const { run: done, staled } = this.store.completeRun({
        runId: run.id,
        document,
        decisions: output.decisions,
        artifacts,
        durationMs: Math.round((performance.now() - started) * 1000) / 1000,
        model: advice?.model ?? null,
        promptVersion: advice?.promptVersion ?? null,
        usage: advice?.usage ?? null,
        engineNote: engineChoiceNote ?? (advice?.status === 'fallback' ? advice.note : null),
        advice: advice && {
          status: advice.status,
          note: advice.note,
          attempts: advice.attempts,
          narrative: advice.narrative,
          design_decisions: advice.designDecisions,
          suggestions: advice.suggestions.map((s) => s.id),
        },
        suggestions: advice?.suggestions,
        stale: { phases: descendants(phase), reason: `upstream ${phase} was re-run (${run.id})` },
        actor: options.actor,
      });
      return { run: done, staled, artifacts: this.store.runArtifacts(run.id) };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.store.failRun(run.id, message, options.actor);
      throw error;
    }
  }

  /**
   * Runs the requested phases (default: all) and whatever they need, in order, skipping phases whose current
   * run is fresh unless `force`.
   */
  async runPipeline(
    pipelineId: string,
    options: RunPhaseOptions & { phases?: PhaseId[]; force?: boolean },
    onPhase?: (event: { phase: PhaseId; index: number; total: number; state: 'started' | 'skipped' | 'succeeded' }) => void | Promise<void>,
  ): Promise<{ ran: PhaseId[]; skipped: PhaseId[] }> {
    const requested = options.phases && options.phases.length > 0 ? options.phases : [...PHASE_IDS];
    const wanted = new Set<PhaseId>();
    for (const p of requested) {
      wanted.add(p);
      for (const a of ancestors(p)) wanted.add(a);
    }
    const plan = PHASE_IDS.filter((p) => wanted.has(p));
    const ran: PhaseId[] = [];
    const skipped: PhaseId[] = [];
    for (const [index, phase] of plan.entries()) {
      const state = this.view(pipelineId).phases.find((s) => s.phase === phase)!;
      const forced = options.force && requested.includes(phase);
      if (state.status === 'succeeded' && !forced) {
        skipped.push(phase);
        await onPhase?.({ phase, index, total: plan.length, state: 'skipped' });
        continue;
      }
      await onPhase?.({ phase, index, total: plan.length, state: 'started' });
      await this.runPhase(pipelineId, phase, { ...options, notes: requested.includes(phase) ? options.notes : undefined });
      ran.push(phase);
      await onPhase?.({ phase, index, total: plan.length, state: 'succeeded' });
      // The template engine never waits on I/O: without a turn of the event loop, a whole run would hold it, and
      // a serving process's other work (the web UI's event feed, other clients' calls) would wait until the end.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return { ran, skipped };
  }

  /** Artifacts of the current run of every phase, sorted by path. */
  artifacts(pipelineId: string): StoredArtifact[] {
    this.get(pipelineId);
    const runs = this.store.latestSucceededRuns(pipelineId);
    return PHASE_IDS.flatMap((p) => (runs[p] ? this.store.runArtifacts(runs[p]!.id) : [])).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** The current bundle: every current phase file plus manifest.json. A pipeline without files is a user error. */
  bundle(pipelineId: string): { view: PipelineView; files: Artifact[] } {
    const view = this.view(pipelineId);
    const artifacts = this.artifacts(pipelineId);
    if (artifacts.length === 0) throw new UserError('This pipeline has no files yet. Run its phases first (run_pipeline).', 'precondition');
    return { view, files: bundleFiles(view.spec, artifacts) };
  }

  /** The success criteria judged on the current decisions; a stale phase gives no evidence. */
  scorecard(pipelineId: string): CriterionResult[] {
    const view = this.view(pipelineId, true);
    const current: Partial<DecisionsByPhase> = {};
    const stale = new Set<PhaseId>();
    for (const s of view.phases) {
      if (s.current) (current as Record<string, unknown>)[s.phase] = s.current.decisions;
      if (s.status === 'stale') stale.add(s.phase);
    }
    // Only current, fresh Kubernetes manifests count as evidence: a stale phase's files describe an older spec.
    const manifests = this.artifacts(pipelineId)
      .filter((a) => a.kind === 'kubernetes' && a.path.startsWith(`${LAYOUT.k8sBase}/`) && !stale.has(a.phase as PhaseId))
      .flatMap((a) => parseManifests(a.content));
    const ciFiles = this.artifacts(pipelineId).filter((a) => (a.kind === 'github-workflow' || a.kind === 'gitlab-ci') && !stale.has(a.phase as PhaseId));
    const monitoring = stale.has('observability_engineer') ? [] : this.artifacts(pipelineId).filter((a) => a.phase === 'observability_engineer');
    return scoreCriteria(view.spec, current, stale, manifests.length > 0 ? manifestEvidence(manifests) : null, ciEvidence(ciFiles), observabilityEvidence(monitoring));
  }

  document(pipelineId: string, phase: PhaseId): { run: PhaseRun; document: string } {
    const view = this.view(pipelineId, true);
    const state = view.phases.find((s) => s.phase === phase)!;
    if (!state.current) {
      throw new UserError(`${phase} has not produced a document for this pipeline yet. Call the ${phase} tool (or run_pipeline) first.`, 'precondition');
    }
    return { run: state.current, document: state.current.document ?? '' };
  }
}
