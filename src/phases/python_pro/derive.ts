import type { ResolvedSpec } from '../../spec/resolve.js';
import type { DataScientistDecisions } from '../data_scientist/decisions.js';
import type { MlEngineerDecisions } from '../ml_engineer/decisions.js';
import type { PythonProDecisions } from './decisions.js';

// Spec-free rules of this phase, named so the document can quote them.
export const RULES = {
  /** How the end-to-end p99 is shared between the parts of one online prediction (percent). */
  latencySplit: [
    { component: 'feature retrieval (online store)', share: 35 },
    { component: 'model inference', share: 40 },
    { component: 'pre/post-processing', share: 15 },
    { component: 'network and serialisation', share: 10 },
  ],
  /** Hours a batch scoring run may take, per deployment mode. */
  batchWindowHours: { batch: 4, hybrid: 2, realtime: 1, streaming: 1 } as Record<string, number>,
  /** Throughput target = required rate × headroom (retries, skew between partitions). */
  batchHeadroom: 2,
  /** Share of the training pod's memory one read chunk may use, and its bounds (MB). */
  chunkShareOfMemory: 0.05,
  chunkMinMb: 64,
  chunkMaxMb: 512,
  /** Chunk sizes are rounded down to a multiple of this. */
  chunkRowStep: 10_000,
  /** Runtime overhead of the training process (interpreter, libraries, model), MB. */
  runtimeMb: 1024,
  /** Average bytes of a text value and of an entity key string. */
  textBytes: 256,
  keyBytes: 20,
} as const;

export interface ColumnPlan {
  name: string;
  role: 'feature' | 'protected' | 'entity_key' | 'timestamp' | 'target';
  type: string;
  rawDtype: string;
  rawBytes: number;
  dtype: string;
  bytes: number;
  why: string;
}

export interface QualityTest {
  feature: string;
  kind: 'invariance' | 'directional';
  test: string;
  expectation: string;
}

export interface PyPlan {
  pkg: string;
  columns: ColumnPlan[];
  rawBytesPerRow: number;
  bytesPerRow: number;
  memoryRequestMb: number;
  chunkBudgetMb: number;
  chunkRows: number;
  chunkCount: number;
  frameMb: number;
  matrixMb: number;
  foldCopyMb: number;
  peakMb: number;
  latency: { component: string; share: number; ms: number }[];
  inferenceBudgetOrigin: 'data_scientist' | 'rule';
  perMemberMs: number;
  batchWindowHours: number;
  batchRequiredRps: number;
  qualityTests: QualityTest[];
  decisions: PythonProDecisions;
}

export interface PyUpstream {
  ml_engineer: MlEngineerDecisions;
  data_scientist: DataScientistDecisions;
}

/** Smallest integer dtype holding [min, max]; pandas' nullable variants (capitalised) add a 1-byte mask. */
function intDtype(min: number | undefined, max: number | undefined, nullable: boolean): { dtype: string; bytes: number; why: string } {
  const lo = min ?? -Infinity;
  const hi = max ?? Infinity;
  const options: [string, number, number, number][] = [
    ['int8', 1, -128, 127],
    ['int16', 2, -32_768, 32_767],
    ['int32', 4, -2_147_483_648, 2_147_483_647],
  ];
  const fit = options.find(([, , a, b]) => lo >= a && hi <= b);
  const [name, bytes] = fit ? [fit[0], fit[1]] : ['int64', 8];
  const range = min !== undefined && max !== undefined ? `range ${min}..${max}` : 'no declared range';
  return nullable ? { dtype: name.replace('int', 'Int'), bytes: bytes + 1, why: `${range}, nullable (mask byte)` } : { dtype: name, bytes, why: range };
}

function memoryMb(quantity: string): number {
  const m = /^(\d+(?:\.\d+)?)(Gi|Mi)$/.exec(quantity);
  if (!m) return 8192;
  return Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1);
}

function columnPlans(spec: ResolvedSpec, ds: DataScientistDecisions): ColumnPlan[] {
  const protectedSet = new Set(ds.protected_attributes);
  const cols: ColumnPlan[] = [
    { name: spec.data.entity_key, role: 'entity_key', type: 'key', rawDtype: 'object', rawBytes: 8 + 49 + RULES.keyBytes, dtype: 'string[pyarrow]', bytes: 4 + RULES.keyBytes, why: `Arrow string: 4-byte offset + ~${RULES.keyBytes} B instead of a Python object` },
    { name: spec.data.event_timestamp, role: 'timestamp', type: 'timestamp', rawDtype: 'datetime64[ns]', rawBytes: 8, dtype: 'datetime64[ns, UTC]', bytes: 8, why: 'kept: ordering and time-series folds need it' },
  ];
  for (const f of spec.data.features) {
    const role = protectedSet.has(f.name) ? 'protected' : 'feature';
    switch (f.type) {
      case 'numeric':
        cols.push({ name: f.name, role, type: f.type, rawDtype: 'float64', rawBytes: 8, dtype: 'float32', bytes: 4, why: '7 significant digits are plenty for a model input' });
        break;
      case 'integer': {
        const d = intDtype(f.min, f.max, f.nullable);
        cols.push({ name: f.name, role, type: f.type, rawDtype: f.nullable ? 'float64' : 'int64', rawBytes: 8, dtype: d.dtype, bytes: d.bytes, why: d.why });
        break;
      }
      case 'categorical': {
        const n = f.categories?.length ?? 1000;
        const code = n <= 127 ? 1 : 2;
        cols.push({ name: f.name, role, type: f.type, rawDtype: 'object', rawBytes: 8 + 55, dtype: 'category', bytes: code, why: `${f.categories ? n : 'undeclared'} categories → int${code * 8} codes` });
        break;
      }
      case 'boolean':
        cols.push({ name: f.name, role, type: f.type, rawDtype: f.nullable ? 'object' : 'bool', rawBytes: f.nullable ? 8 : 1, dtype: f.nullable ? 'boolean' : 'bool', bytes: f.nullable ? 2 : 1, why: f.nullable ? 'nullable boolean: value + mask' : 'one byte' });
        break;
      case 'text':
        cols.push({ name: f.name, role, type: f.type, rawDtype: 'object', rawBytes: 8 + 49 + RULES.textBytes, dtype: 'string[pyarrow]', bytes: 4 + RULES.textBytes, why: `Arrow string, ~${RULES.textBytes} B per value` });
        break;
      case 'timestamp':
        cols.push({ name: f.name, role, type: f.type, rawDtype: 'datetime64[ns]', rawBytes: 8, dtype: 'datetime64[ns, UTC]', bytes: 8, why: 'no smaller exact representation' });
        break;
    }
  }
  const classification = spec.problem.type === 'binary_classification' || spec.problem.type === 'multiclass_classification';
  cols.push(
    classification
      ? { name: spec.problem.target, role: 'target', type: 'label', rawDtype: 'int64', rawBytes: 8, dtype: 'int8', bytes: 1, why: 'class index' }
      : { name: spec.problem.target, role: 'target', type: 'label', rawDtype: 'float64', rawBytes: 8, dtype: 'float32', bytes: 4, why: 'continuous target' },
  );
  return cols;
}

/** Invariance and directional tests per feature, named after the features of this spec. */
function qualityTests(spec: ResolvedSpec, ds: DataScientistDecisions): QualityTest[] {
  const tests: QualityTest[] = [];
  const dsByName = new Map(ds.features.map((f) => [f.name, f]));
  const protectedSet = new Set(ds.protected_attributes);
  for (const f of spec.data.features) {
    const up = dsByName.get(f.name);
    if (protectedSet.has(f.name)) {
      tests.push({ feature: f.name, kind: 'invariance', test: 'protected_swap', expectation: `swapping ${f.name} between its values changes no prediction (it is not a model input)` });
      continue;
    }
    if ((f.type === 'numeric' || f.type === 'integer') && f.max !== undefined && up && /clip|winsor/.test(up.outliers)) {
      tests.push({ feature: f.name, kind: 'invariance', test: 'beyond_range_clipped', expectation: `${f.name} = 10 × max (${f.max}) scores like ${f.name} = ${f.max} (outliers ${up.outliers})` });
    }
    if (f.nullable) tests.push({ feature: f.name, kind: 'invariance', test: 'missing_is_finite', expectation: `a missing ${f.name} yields a finite prediction (imputation ${up?.imputation ?? 'declared upstream'})` });
    if (f.type === 'categorical') tests.push({ feature: f.name, kind: 'invariance', test: 'unseen_category', expectation: `an unseen ${f.name} value scores like a missing one and never raises` });
    if (f.type === 'text') tests.push({ feature: f.name, kind: 'invariance', test: 'whitespace_case', expectation: `surrounding whitespace and letter case of ${f.name} do not change the prediction by more than 0.01` });
    if (f.type === 'numeric' || f.type === 'integer') {
      tests.push({ feature: f.name, kind: 'directional', test: 'p50_to_p95_sign', expectation: `raising ${f.name} from its p50 to its p95 moves the mean prediction in the direction recorded for the production model (tests/quality/directions.json)` });
    }
    if (f.type === 'boolean') tests.push({ feature: f.name, kind: 'directional', test: 'flip_sign', expectation: `flipping ${f.name} false → true moves the mean prediction in the recorded direction` });
  }
  tests.push({ feature: spec.data.entity_key, kind: 'invariance', test: 'row_order_and_key', expectation: `shuffling rows or renaming ${spec.data.entity_key} values changes no prediction` });
  return tests;
}

export function derivePyPlan(spec: ResolvedSpec, up: PyUpstream): PyPlan {
  const ml = up.ml_engineer;
  const ds = up.data_scientist;
  const pkg = ml.code.package;
  const columns = columnPlans(spec, ds);
  const rawBytesPerRow = columns.reduce((s, c) => s + c.rawBytes, 0);
  const bytesPerRow = columns.reduce((s, c) => s + c.bytes, 0);
  const memoryRequestMb = memoryMb(ml.training.memory);
  const chunkBudgetMb = Math.round(Math.min(RULES.chunkMaxMb, Math.max(RULES.chunkMinMb, memoryRequestMb * RULES.chunkShareOfMemory)));
  const fitting = Math.floor((chunkBudgetMb * 1e6) / rawBytesPerRow / RULES.chunkRowStep) * RULES.chunkRowStep;
  const chunkRows = Math.min(ml.training.sample_rows, Math.max(RULES.chunkRowStep, fitting));
  const rows = ml.training.sample_rows;
  const folds = ml.cross_validation.folds;
  const frameMb = (rows * bytesPerRow) / 1e6;
  const matrixMb = (rows * (ml.training.feature_columns + 1) * 4) / 1e6;
  const foldCopyMb = (matrixMb * (folds - 1)) / folds;
  // Peak: downcast frame + encoded matrix + the library's own copy (DMatrix/tensor) + the training fold + one chunk in flight + runtime.
  const peakMb = Math.ceil(frameMb + 2 * matrixMb + foldCopyMb + chunkBudgetMb + RULES.runtimeMb);

  // The data scientist may already have set the model's share of the p99 (evaluation criterion
  // model_inference_p99_ms); the other parts then share the rest in the proportions of RULES.latencySplit.
  const p99 = spec.slo.p99_latency_ms;
  const upstreamBudget = ds.evaluation.find((e) => e.name === 'model_inference_p99_ms')?.threshold;
  const defaultShare = RULES.latencySplit.find((l) => l.component === 'model inference')!.share;
  const inferenceShare = upstreamBudget !== undefined ? Math.min(90, Math.max(5, (upstreamBudget / p99) * 100)) : defaultShare;
  const latency = RULES.latencySplit.map((l) => {
    const share = l.component === 'model inference' ? inferenceShare : (l.share * (100 - inferenceShare)) / (100 - defaultShare);
    return { component: l.component, share: Math.round(share * 10) / 10, ms: Math.round(p99 * share) / 100 };
  });
  const predictP99 = latency.find((l) => l.component === 'model inference')!.ms;
  const members = Math.max(1, ml.ensemble.members.length);
  const perMemberMs = Math.round((predictP99 / members) * 100) / 100;
  const windowHours = RULES.batchWindowHours[spec.options.deployment_mode] ?? 2;
  const batchRequiredRps = spec.scale.batch_size / (windowHours * 3600);
  const batchTarget = Math.ceil(batchRequiredRps * RULES.batchHeadroom);

  const quality = qualityTests(spec, ds);
  const modules = ['__init__.py', 'errors.py', 'logging_utils.py', 'cache.py', 'dataio.py'].map((m) => `ml/src/${pkg}/${m}`);
  const decisions: PythonProDecisions = {
    package_name: pkg,
    python_version: '3.11',
    test_layers: ['unit', 'integration', 'model_quality', 'performance'],
    budgets: {
      predict_p99_ms: predictP99,
      batch_rows_per_second: batchTarget,
      training_peak_memory_mb: peakMb,
      per_member_p99_ms: perMemberMs,
      batch_window_hours: windowHours,
      latency_split: latency.map((l) => ({ component: l.component, share_pct: l.share, ms: l.ms })),
      training_memory_request_mb: memoryRequestMb,
    },
    data_loading: {
      chunk_rows: chunkRows,
      format: 'parquet (columnar, pyarrow iter_batches)',
      chunk_budget_mb: chunkBudgetMb,
      raw_bytes_per_row: rawBytesPerRow,
      bytes_per_row: bytesPerRow,
      dtypes: columns.map((c) => ({ column: c.name, dtype: c.dtype })),
    },
    caching: [
      { what: 'encoded feature matrix', how: `Parquet in the cache dir keyed by sha256(data_version, feature schema ${ml.registry.feature_schema_hash}, transform config): computed once per data version, reused by all ${ml.hpo.trials} trials and the refit` },
      { what: 'HPO trial subsample', how: `${ml.hpo.trial_rows.toLocaleString('en-US')} rows materialised once per (data_version, seed), same key scheme` },
      { what: 'model in serving', how: 'loaded once per process by registry alias at start-up (load_model_once, keyed by uri + resolved version); never per request' },
      { what: 'HPO study state', how: `${ml.hpo.tool} storage ${ml.hpo.storage}: a restarted run resumes instead of re-running trials` },
    ],
    logging: {
      format: 'json',
      fields: ['ts', 'level', 'logger', 'message', 'pipeline', 'component', 'run_id', 'data_version', 'model_version', 'git_sha', 'duration_ms', 'error_type', 'error_code'],
    },
    errors: ['PipelineError', 'ConfigError', 'DataError', 'SchemaError', 'DataQualityError', 'InsufficientDataError', 'TrainingError', 'HyperparameterSearchError', 'TrackingError', 'RegistryError', 'PromotionRejected', 'InferenceError', 'LatencyBudgetExceeded'],
    modules,
    quality_tests: quality.map((q) => ({ feature: q.feature, kind: q.kind, test: q.test })),
  };
  return {
    pkg,
    columns,
    rawBytesPerRow,
    bytesPerRow,
    memoryRequestMb,
    chunkBudgetMb,
    chunkRows,
    chunkCount: Math.ceil(rows / chunkRows),
    frameMb,
    matrixMb,
    foldCopyMb,
    peakMb,
    latency,
    inferenceBudgetOrigin: upstreamBudget !== undefined ? 'data_scientist' : 'rule',
    perMemberMs,
    batchWindowHours: windowHours,
    batchRequiredRps,
    qualityTests: quality,
    decisions,
  };
}
