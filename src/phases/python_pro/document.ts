import { code, MarkdownDocument, num, pct, text } from '../../generators/serializers/markdown.js';
import type { ResolvedSpec } from '../../spec/resolve.js';
import { beginDocument } from '../common.js';
import type { PhaseInfo } from '../graph.js';
import { RULES, type PyPlan, type PyUpstream } from './derive.js';
import { dependencies, oldestPython } from './pyproject.js';

const inferenceShare = (plan: PyPlan) => plan.latency.find((l) => l.component === 'model inference')!.share;
const mb = (v: number) => `${num(v, v < 10 ? 1 : 0)} MB`;
const rows = (v: number) => (v >= 1e6 ? `${num(v / 1e6, v % 1e6 === 0 ? 0 : 1)} M` : num(v));

/** Profiling plan: what to measure, with which tool, and which bottleneck this pipeline is expected to have. */
function profilingRows(spec: ResolvedSpec, up: PyUpstream, plan: PyPlan): string[][] {
  const ml = up.ml_engineer;
  const wide = ml.training.feature_columns > 200;
  const text = spec.data.features.some((f) => f.type === 'text');
  return [
    ['one HPO trial', code(`python -m cProfile -o trial.prof -m ${plan.pkg}.training`), `on the ${rows(ml.hpo.trial_rows)}-row trial sample: the ${ml.cross_validation.folds - 1} fits per trial × ${ml.hpo.trials} trials dominate; a hotspot outside ${code('Trainer.fit')} (encoding, fold slicing) is waste multiplied ${ml.hpo.trials}×`],
    ['the training job in the cluster', code('py-spy record --pid PID --duration 120 -o flame.svg'), 'sampling, no restart, works on the scheduled run; look for I/O wait while reading the window'],
    ['memory of load → encode → fit', code('tracemalloc snapshots (logging_utils.timed around each step)'), `peak must stay under ${mb(plan.peakMb)}; a float64 column or an object column left after ${code('dataio.downcast')} shows up as a step jump`],
    ['encoding', code('cProfile of Preprocessor.transform'), text ? 'text hashing dominates encoding: vectorise per chunk, never per row' : wide ? `${ml.training.feature_columns} encoded columns: prefer sparse one-hot output` : `${ml.training.feature_columns} encoded columns: encoding should be under 10 % of a fit`],
    ['online predict', code('tests/performance (p99 over 1,000 calls)'), `budget ${ml.ensemble.members.length} member(s) × ${plan.perMemberMs} ms; per-request pandas construction is the usual hotspot: build a NumPy row directly`],
  ];
}

export function buildDocument(info: PhaseInfo, spec: ResolvedSpec, up: PyUpstream, plan: PyPlan, notes?: string): string {
  const ml = up.ml_engineer;
  const d = plan.decisions;
  const b = d.budgets;
  const doc = beginDocument(info, spec, notes);
  doc.paragraph(
    `Inputs from the ML engineer: package ${code(plan.pkg)}, ${rows(ml.training.sample_rows)} training rows × ${ml.training.feature_columns} encoded columns, pod ${code(`${ml.training.cpu} vCPU`)} / ${code(ml.training.memory)}, ${ml.ensemble.members.length} ensemble member(s) (${ml.ensemble.members.map((m) => code(m)).join(', ')}), HPO ${code(ml.hpo.tool)} with ${ml.hpo.trials} trials, tracking ${code(ml.tracking.backend)}.`,
  );

  doc.heading(2, '1. Code quality and structure');
  doc.heading(3, 'Refactor to production standards');
  doc.paragraph(`Layout ${code(`ml/src/${plan.pkg}`)} (src layout: tests import the installed package, never the working tree by accident), Python ${code(d.python_version)}${oldestPython(spec, d.python_version) !== d.python_version ? ` (the package still supports ${code(oldestPython(spec, d.python_version))}, which requires-python, ruff and mypy target: Triton's Python backend runs it in that stub interpreter)` : ''}, ${code('mypy --strict')} and ruff configured in ${code('ml/pyproject.toml')}. Module boundaries:`);
  doc.table(
    ['Module', 'Owns', 'May import'],
    [
      [code('errors.py'), 'the exception hierarchy', 'standard library only'],
      [code('logging_utils.py'), 'JSON log formatting, context binding, step timing', 'standard library only'],
      [code('cache.py'), 'content-hash disk cache, load-once models', 'standard library only'],
      [code('dataio.py'), 'chunked columnar reads, downcasting, range clipping', 'pandas/pyarrow, lazily'],
      [code('training/'), 'interfaces, config, HPO, tracking, run loop (ML engineer)', 'the utilities above; ML libraries lazily'],
      [code('registry/'), 'promotion gate, promote, rollback (ML engineer)', 'the utilities above; the registry SDK lazily'],
      [code('steps.py'), `the concrete loader, preprocessor, trainers (${ml.ensemble.members.map((m) => code(m)).join(', ')}), evaluator, ensembler`, 'everything; nothing imports it except the entrypoint'],
    ],
  );
  doc.paragraph(`Rule: nothing in ${code('training/')} or ${code('registry/')} imports a third-party library at module level, so ${code(`python -c "import ${plan.pkg}"`)} works on a bare interpreter and CLI start-up stays fast. Runtime dependencies from the upstream choices:`);
  const deps = dependencies(spec, ml);
  doc.table(
    ['Requirement', 'Why'],
    deps.runtime.map((x) => [code(x.requirement), text(x.why)]),
  );
  doc.paragraph(`Optional ${code('orchestration')} extra for ${code(spec.options.orchestration)}: ${deps.orchestration.map((x) => code(x)).join(', ')}.`);

  doc.heading(3, 'Comprehensive error handling');
  doc.paragraph(`${code('errors.py')} has one root, ${code('PipelineError')}, and one branch per stage; each branch also derives from the built-in exception the ML engineer's code raises today (${code('ValueError')}, ${code('RuntimeError')}, ${code('PermissionError')}), so existing handlers keep working while new code catches precisely. Each class carries a stable ${code('code')} (logged as ${code('error_code')}) and a process exit code for the orchestrator:`);
  doc.table(
    ['Class', 'Raised when', 'Exit code'],
    [
      [code('ConfigError'), `${code('configs/training.yaml')} has unknown/missing keys or wrong types`, 2],
      [code('SchemaError') + ', ' + code('DataQualityError') + ', ' + code('InsufficientDataError'), `columns missing, a quality gate fails, fewer rows than the minimum`, 3],
      [code('TrainingError') + ', ' + code('HyperparameterSearchError'), `a fit fails, or no ${ml.hpo.tool} trial completes within ${ml.hpo.timeout_minutes} min`, 4],
      [code('TrackingError'), `${code(ml.tracking.backend)} unreachable: the run continues on the local JSON-lines tracker and says so`, 5],
      [code('RegistryError') + ', ' + code('PromotionRejected'), 'registry calls fail; the gate rejects a candidate (reasons attached)', 6],
      [code('InferenceError') + ', ' + code('LatencyBudgetExceeded'), `prediction fails or exceeds ${b.predict_p99_ms} ms`, 7],
    ],
  );
  doc.heading(3, 'Proper logging in a structured format');
  doc.paragraph(`${code('logging_utils.JsonFormatter')} (standard library ${code('logging')}) writes one JSON object per line to stderr, which the log aggregation of the observability phase indexes without parsing rules. Fields: ${d.logging.fields.map((f) => code(f)).join(', ')}; ${code('bind(run_id=…, data_version=…)')} adds context to every record in a block (contextvars, safe across threads and asyncio), ${code('timed(logger, step)')} logs ${code('duration_ms')} per step and the exception with its ${code('error_code')} on failure. ${code('pipeline')} is always ${code(spec.name)}.`);
  doc.heading(3, 'Reusable components and utilities');
  doc.bullets([
    `${code('cache.content_hash(*parts)')}: canonical-JSON/bytes/file sha256, the one way to build cache keys.`,
    `${code('cache.DiskCache')} + ${code('cached_step')}: atomic writes, LRU eviction above ${mb(Math.max(1, Math.ceil((plan.frameMb * 2) / 1024)) * 1024)} (two downcast training frames).`,
    `${code('cache.load_model_once(uri, version, loader)')}: thread-safe, one load per process.`,
    `${code('dataio.iter_chunks / downcast / clip_to_declared_ranges')}: the memory plan below as code.`,
    `${code('errors.require_columns')}: names every missing column at once.`,
  ]);

  doc.heading(2, '2. Performance');
  doc.heading(3, 'Profile and optimise bottlenecks');
  doc.table(['What', 'Tool', 'What to look for here'], profilingRows(spec, up, plan));
  doc.paragraph(`Budgets the profiling is held to (also asserted by the performance tests):`);
  doc.table(
    ['Part of one online prediction', 'Share', 'Budget'],
    plan.latency.map((l) => [l.component, `${l.share} %`, `${num(l.ms, 1)} ms`]),
  );
  doc.paragraph(
    `Model inference gets ${pct(inferenceShare(plan), 1)} of ${code(`slo.p99_latency_ms = ${spec.slo.p99_latency_ms}`)} → ${code(`predict p99 ≤ ${b.predict_p99_ms} ms`)} (${plan.inferenceBudgetOrigin === 'data_scientist' ? `the data scientist's ${code('model_inference_p99_ms')} criterion; the other parts share the rest 35 : 15 : 10` : 'rule: 40 % to the model, 35 % feature retrieval, 15 % processing, 10 % network'}); members score one after another, so each has ${b.predict_p99_ms} / ${ml.ensemble.members.length} = ${code(`${b.per_member_p99_ms} ms`)}. Batch: ${code(`scale.batch_size = ${num(spec.scale.batch_size)}`)} rows in a ${b.batch_window_hours}-hour window (deployment mode ${code(spec.options.deployment_mode)}) need ${num(plan.batchRequiredRps, 1)} rows/s; with ${RULES.batchHeadroom}× headroom for retries and skew the target is ${code(`${num(b.batch_rows_per_second)} rows/s`)}.`,
  );

  doc.heading(3, 'Caching strategy');
  doc.table(['What', 'How'], d.caching.map((c) => [c.what, text(c.how)]));
  doc.paragraph(`Keys never include timestamps or paths: a key is ${code('content_hash(step, data_version, feature_schema, config)')}, so a new ${code('data_version')} misses and an unchanged one hits across all ${ml.hpo.trials} trials.`);

  doc.heading(3, 'Optimised data loading and preprocessing');
  doc.paragraph(`Columnar Parquet reads of only the ${plan.columns.length} needed columns (${code('pyarrow.dataset')} ${code('to_batches')}), downcast per chunk so the float64/object form never exists for the whole window. Bytes per row, as read vs. after ${code('dataio.downcast')}:`);
  doc.table(
    ['Column', 'Role', 'As read', 'B', 'Planned dtype', 'B', 'Why'],
    plan.columns.map((c) => [code(c.name), c.role, code(c.rawDtype), c.rawBytes, code(c.dtype), c.bytes, c.why]),
  );
  doc.paragraph(
    `Chunk budget = ${Math.round(RULES.chunkShareOfMemory * 100)} % of the ${code(ml.training.memory)} training pod (${num(plan.memoryRequestMb)} MB), bounded ${RULES.chunkMinMb}..${RULES.chunkMaxMb} MB → ${code(`${plan.chunkBudgetMb} MB`)}; ${plan.chunkBudgetMb} MB / ${plan.rawBytesPerRow} B per row as read = ${num(Math.floor((plan.chunkBudgetMb * 1e6) / plan.rawBytesPerRow))} rows, rounded down to a multiple of ${num(RULES.chunkRowStep)} (and at most the ${rows(ml.training.sample_rows)}-row sample) → ${code(`chunk_rows = ${num(plan.chunkRows)}`)}, ${num(plan.chunkCount)} chunk(s) per run. Downcasting shrinks a row from ${plan.rawBytesPerRow} B to ${plan.bytesPerRow} B (${num((1 - plan.bytesPerRow / plan.rawBytesPerRow) * 100)} % less).`,
  );

  doc.heading(3, 'Memory management for large-scale training');
  doc.table(
    ['Term', 'Arithmetic', 'MB'],
    [
      ['downcast frame', `${rows(ml.training.sample_rows)} rows × ${plan.bytesPerRow} B`, num(plan.frameMb)],
      ['encoded matrix (float32)', `${rows(ml.training.sample_rows)} × (${ml.training.feature_columns} + 1) × 4 B`, num(plan.matrixMb)],
      ['library copy (DMatrix / tensor)', 'same as the matrix', num(plan.matrixMb)],
      ['training fold', `matrix × (${ml.cross_validation.folds} − 1) / ${ml.cross_validation.folds}`, num(plan.foldCopyMb)],
      ['chunk in flight', 'chunk budget', num(plan.chunkBudgetMb)],
      ['runtime', 'interpreter, libraries, model', num(RULES.runtimeMb)],
      ['**peak**', 'sum', `**${num(plan.peakMb)}**`],
    ],
  );
  const fits = plan.peakMb <= plan.memoryRequestMb;
  doc.paragraph(
    `${code(`training peak ≤ ${num(plan.peakMb)} MB`)} against the ML engineer's request of ${num(plan.memoryRequestMb)} MB: ${fits ? `fits with ${num(plan.memoryRequestMb - plan.peakMb)} MB to spare` : `does NOT fit (${num(plan.peakMb - plan.memoryRequestMb)} MB short): raise the request or lower sample_rows`}. Measures: float32 everywhere (halves the matrix), category codes instead of strings, ${code('del')} + ${code('gc.collect()')} of the raw frame once encoded, ${code('split_blocks=True, self_destruct=True')} when converting Arrow batches so Arrow and pandas copies do not coexist, and folds as index arrays into one matrix instead of copied frames.`,
  );

  doc.heading(2, '3. Test framework');
  doc.paragraph(`${code('ml/tests/')}, four layers (${d.test_layers.map((l) => code(l)).join(', ')}) selected with the pytest markers ${['unit', 'integration', 'quality', 'performance'].map((l) => code(l)).join(', ')} (strict markers). Unit and integration tests run on every commit with the standard library, pytest and pandas; quality and performance tests need a trained model (${code(`${plan.pkg.toUpperCase()}_TEST_MODEL`)}) and run in the training pipeline before registration.`);
  doc.heading(3, 'Unit tests for data transformations');
  doc.bullets([
    `${code('tests/unit/test_transformations.py')}: chunk arithmetic (${num(plan.chunkRows)} rows), every declared feature has a dtype, clipping to the declared range for ${spec.data.features.filter((f) => (f.type === 'numeric' || f.type === 'integer') && f.max !== undefined).map((f) => code(f.name)).join(', ') || 'no bounded feature'}, downcasting preserves integer values and shrinks the frame.`,
    `${code('tests/unit/test_utilities.py')}: error hierarchy and exit codes, JSON log lines with bound context and error codes, cache hits/misses by content, load-once models.`,
  ]);
  doc.heading(3, 'Integration tests for pipeline components');
  doc.bullets([
    `${code('configs/training.yaml')} loads into the typed config and equals the generated defaults; unknown keys are rejected.`,
    `The local tracker records ${ml.cross_validation.folds} fold metrics + the summary for ${code(ml.registry.promotion_gate.metric)}.`,
    `Promotion ${ml.registry.stages.map((s) => code(s)).join(' → ')} twice with the offline registry, then rollback restores the first version; a candidate equal to production is rejected (needs +${ml.registry.promotion_gate.min_improvement_pct} %).`,
    `${code('scripts/rollback_model.sh --dry-run')} runs.`,
  ]);
  doc.heading(3, 'Model quality tests (invariance, directional)');
  doc.table(
    ['Feature', 'Kind', 'Test', 'Expectation'],
    plan.qualityTests.map((q) => [code(q.feature), q.kind, code(q.test), text(q.expectation)]),
  );
  doc.paragraph(`Directions are not guessed: the first run on the production model records them (${code('--record-directions')}) into ${code('tests/quality/directions.json')}, and every candidate must keep each sign or be flat; a flip goes to review.`);
  doc.heading(3, 'Performance regression tests');
  doc.table(
    ['Test', 'Budget', 'From'],
    [
      ['single-row predict p99 (1,000 calls after 50 warm-up)', `${b.predict_p99_ms} ms`, `${pct(inferenceShare(plan), 1)} of slo.p99_latency_ms ${spec.slo.p99_latency_ms}`],
      ['batch throughput (frame of 100,000 rows)', `${num(b.batch_rows_per_second)} rows/s`, `scale.batch_size ${num(spec.scale.batch_size)} / ${b.batch_window_hours} h × ${RULES.batchHeadroom}`],
      ['downcast bytes per row (20,000 synthetic rows)', `≤ 2 × ${plan.bytesPerRow} B`, 'dtype plan'],
      ['projected training frame', `≤ ${num(b.training_peak_memory_mb)} MB`, 'memory arithmetic above'],
    ],
  );

  doc.heading(2, 'Hand-off');
  doc.bullets([
    `Package ${code(plan.pkg)} (Python ${d.python_version}), project file ${code('ml/pyproject.toml')}, console scripts ${code(`${spec.name}-train`)} and ${code(`${spec.name}-promote`)}.`,
    `Serving budgets: predict p99 ${code(`${b.predict_p99_ms} ms`)} (${b.per_member_p99_ms} ms per member), batch ${code(`${num(b.batch_rows_per_second)} rows/s`)} over ${b.batch_window_hours} h; load the model once per process by the ${code('prod')} alias.`,
    `Training pod: peak ${num(b.training_peak_memory_mb)} MB of the ${num(plan.memoryRequestMb)} MB request; chunks of ${num(plan.chunkRows)} rows.`,
    `CI gates: ${code('ruff check')}, ${code('mypy --strict')}, ${code('pytest -m "unit or integration"')} on every commit; ${code('pytest -m "quality or performance"')} with the candidate model before registration.`,
    `Logs: JSON lines with ${d.logging.fields.slice(0, 8).map((f) => code(f)).join(', ')}, …`,
  ]);
  return doc.toString();
}

export function performanceRunbook(spec: ResolvedSpec, up: PyUpstream, plan: PyPlan): string {
  const b = plan.decisions.budgets;
  return new MarkdownDocument()
    .heading(1, `Performance runbook: ${text(spec.name)}`)
    .heading(2, 'Budgets')
    .table(
      ['Budget', 'Value', 'Test'],
      [
        ['predict p99', `${b.predict_p99_ms} ms (${b.per_member_p99_ms} ms per member)`, code('tests/performance/test_budgets.py::test_single_row_predict_p99')],
        ['batch throughput', `${num(b.batch_rows_per_second)} rows/s`, code('test_batch_throughput')],
        ['training peak memory', `${num(b.training_peak_memory_mb)} MB of ${num(plan.memoryRequestMb)} MB`, code('test_downcast_frame_memory_scales_within_budget')],
        ['read chunk', `${num(plan.chunkRows)} rows ≈ ${plan.chunkBudgetMb} MB`, code('tests/unit/test_transformations.py::test_chunk_size_matches_the_budget')],
      ],
    )
    .heading(2, 'When a budget test fails')
    .numbered([
      `Reproduce locally: ${code(`${plan.pkg.toUpperCase()}_TEST_MODEL=model.pkl pytest -m performance -x`)}.`,
      `Profile the failing path: ${code('py-spy record -o flame.svg -- python -m pytest -m performance -x')}, or ${code('python -X importtime')} for slow start-up.`,
      `Memory: run the training entrypoint on the trial sample (${num(up.ml_engineer.hpo.trial_rows)} rows) with ${code('PYTHONTRACEMALLOC=5')}; compare the step jumps logged by ${code('logging_utils.timed')} with the dtype plan in the phase document.`,
      'Fix, then re-run the whole performance layer: budgets are regression tests, never relaxed to make a release pass.',
    ])
    .toString();
}
