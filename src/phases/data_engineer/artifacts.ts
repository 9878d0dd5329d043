import { artifact, type Artifact } from '../../artifacts/artifact.js';
import { toJson } from '../../generators/serializers/json.js';
import { toYaml } from '../../generators/serializers/yaml.js';
import type { ResolvedSpec } from '../../spec/resolve.js';
import { LAYOUT, pythonPackage } from '../common.js';
import { backfillScript } from './backfill.js';
import { MICRO_BATCH_MINUTES, specFeatures, type DataPlan, type ResolvedFeature, type SourcePlan } from './derive.js';
import { ingestionConfig } from './ingestion.js';
import { profilingModule, validationModule } from './python.js';
import { envPrefix } from '../ml_engineer/artifacts.js';
import { expectedRowsPerRun, initialVolumeBounds } from './python/columns.js';
import { expectationsModule, expectationSuite } from './python/expectations.js';
import { incrementalModule } from './python/incremental.js';
import { lineageModule } from './python/lineage.js';
import { modelsModule } from './python/models.js';
import { dataTestFiles } from './python/tests.js';

const PHASE = 'data_engineer';

type JsonSchema = Record<string, unknown>;

function featureSchema(f: ResolvedFeature): JsonSchema {
  const nullable = (schema: JsonSchema): JsonSchema => (f.nullable ? { anyOf: [schema, { type: 'null' }] } : schema);
  const bounds = { minimum: f.min, maximum: f.max };
  switch (f.type) {
    case 'numeric':
      return nullable({ type: 'number', ...bounds });
    case 'integer':
      return nullable({ type: 'integer', ...bounds });
    case 'boolean':
      return nullable({ type: 'boolean' });
    case 'categorical':
      return nullable(f.categories && f.categories.length > 0 ? { type: 'string', enum: f.categories } : { type: 'string', minLength: 1 });
    case 'text':
      return nullable({ type: 'string' });
    case 'timestamp':
      return nullable({ type: 'string', format: 'date-time' });
  }
}

/** JSON Schema (draft 2020-12) of one source: entity key, event time, its features and, for the first source, the label. */
export function sourceSchema(spec: ResolvedSpec, plan: DataPlan, s: SourcePlan): JsonSchema {
  const properties: Record<string, JsonSchema> = {
    [spec.data.entity_key]: { type: ['string', 'integer'], description: 'entity key' },
    [spec.data.event_timestamp]: { type: 'string', format: 'date-time', description: 'event time (partitioning and watermark column)' },
  };
  const required = [spec.data.entity_key, spec.data.event_timestamp];
  for (const f of specFeatures(spec).filter((x) => x.source === s.name)) {
    properties[f.name] = { ...featureSchema(f), ...(f.protected ? { 'x-protected': true } : {}) };
    if (!f.nullable) required.push(f.name);
  }
  if (plan.label.source === s.name) {
    properties[plan.label.column] = {
      anyOf: [{ type: plan.label.json_type, minimum: plan.label.minimum, enum: plan.label.enum }, { type: 'null' }],
      description: `label; arrives up to ${spec.problem.label_delay_hours} h after the event`,
    };
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `https://schemas.${spec.name}.invalid/${s.name}.schema.json`,
    title: `${s.name} record`,
    description: s.description ?? `Records of source ${s.name} (${s.kind}, ${s.ingestion})`,
    type: 'object',
    properties,
    required,
    additionalProperties: true,
    'x-ingestion': { mode: s.ingestion, connector: s.connector, partitioning: s.partitioning.granularity },
  };
}

function qualityGatesDocument(spec: ResolvedSpec, plan: DataPlan): Record<string, unknown> {
  return {
    version: 1,
    pipeline: spec.name,
    slo: { max_issue_rate_pct: plan.quality.max_issue_rate_pct, min_validation_pass_rate_pct: plan.quality.min_pass_rate_pct },
    sla: {
      validation_runs_per_30d: plan.quality.validation_runs_per_30d,
      allowed_failed_runs_per_30d: plan.quality.allowed_failed_runs_per_30d,
      expected_issue_records_per_day: plan.quality.expected_issue_records_per_day,
    },
    actions: {
      block: 'stop the run before it writes to processed; page the data on-call',
      quarantine: `move failing records to ${plan.layers.raw.uri}/_quarantine and continue`,
      warn: 'record the result and alert without stopping the run',
    },
    validator: { module: plan.paths.validation_module, profiler: plan.paths.profiling_module },
    sources: Object.fromEntries(
      plan.sources.map((s) => {
        const perRun = expectedRowsPerRun(s, MICRO_BATCH_MINUTES);
        return [
          s.name,
          {
            contract: plan.paths.schemas[s.name],
            schedule: s.schedule,
            freshness_minutes: s.freshness_minutes,
            expected_rows_per_run: perRun,
            initial_volume_bounds: initialVolumeBounds(perRun),
          },
        ];
      }),
    ),
    gates: plan.quality.gates.map((g) => ({ name: g.name, scope: g.scope, check: g.check, threshold: g.threshold, action: g.action })),
    anomaly_rules: plan.quality.anomaly_rules,
  };
}

function versioningArtifacts(spec: ResolvedSpec, plan: DataPlan): Artifact[] {
  const pkg = pythonPackage(spec);
  if (plan.versioning.tool === 'dvc') {
    const stages: Record<string, unknown> = {};
    for (const s of plan.sources) {
      stages[`validate_${s.name}`] = {
        desc: `Validate the ${s.name} snapshot (dvc import-url ${s.processed_uri}/<partition> data/snapshots/${s.name}.jsonl)`,
        wdir: '..',
        cmd: `PYTHONPATH=ml/src python3 -m ${pkg}.data.validation ${s.name} data/snapshots/${s.name}.jsonl --max-issue-rate \${quality.max_issue_rate_pct} --report data/reports/validation_${s.name}.json`,
        deps: [`data/snapshots/${s.name}.jsonl`, plan.paths.schemas[s.name], `ml/src/${pkg}/data/validation.py`],
        params: [{ 'data/params.yaml': ['quality.max_issue_rate_pct'] }],
        metrics: [{ [`data/reports/validation_${s.name}.json`]: { cache: false } }],
      };
      stages[`profile_${s.name}`] = {
        desc: `Per-feature statistics of the ${s.name} snapshot`,
        wdir: '..',
        cmd: `PYTHONPATH=ml/src python3 -m ${pkg}.data.profiling ${s.name} data/snapshots/${s.name}.jsonl --out data/reports/profile_${s.name}.json`,
        deps: [`data/snapshots/${s.name}.jsonl`, `ml/src/${pkg}/data/profiling.py`],
        outs: [{ [`data/reports/profile_${s.name}.json`]: { cache: false } }],
      };
    }
    return [
      artifact(PHASE, 'data/dvc.yaml', 'yaml', toYaml({ stages })),
      artifact(PHASE, 'data/params.yaml', 'yaml', toYaml({ quality: { max_issue_rate_pct: plan.quality.max_issue_rate_pct, min_pass_rate_pct: plan.quality.min_pass_rate_pct }, retention_days: { features: plan.layers.features.retention_days } })),
      artifact(PHASE, '.dvc/config', 'text', `[core]\n    remote = storage\n    autostage = true\n['remote "storage"']\n    url = ${plan.versioning.remote}\n`),
    ];
  }
  return [
    artifact(
      PHASE,
      'data/lakefs/repository.yaml',
      'yaml',
      toYaml({
        repository: spec.name,
        storage_namespace: plan.versioning.storage_namespace,
        default_branch: 'main',
        protected_branches: ['main'],
        ingestion_branches: { pattern: 'ingest-<source>-<run id>', merge_into: 'main', merge_when: 'every block gate in data/contracts/quality_gates.yaml passes' },
        tags: { training_snapshot: 'train-<model version>' },
        layers: { raw: plan.layers.raw.uri, processed: plan.layers.processed.uri, features: plan.layers.features.uri },
      }),
    ),
    artifact(
      PHASE,
      'data/lakefs/_lakefs_actions/quality_gates.yaml',
      'yaml',
      toYaml({
        name: 'Quality gates before merging ingestion branches',
        on: { 'pre-merge': { branches: ['main'] } },
        hooks: [
          {
            id: 'quality_gates',
            type: 'webhook',
            description: `Runs the block gates of data/contracts/quality_gates.yaml (max issue rate ${plan.quality.max_issue_rate_pct} %)`,
            properties: {
              url: `http://quality-gates.${spec.team.namespace}.svc.cluster.local:8080/lakefs/pre-merge`,
              timeout: '10m',
              query_params: { contract: plan.paths.quality_gates },
            },
          },
        ],
      }),
    ),
    artifact(
      PHASE,
      'data/lakefs/gc_rules.json',
      'json',
      toJson({ default_retention_days: plan.layers.processed.retention_days, branches: [{ branch_id: 'main', retention_days: plan.layers.features.retention_days }] }),
    ),
  ];
}

export function buildArtifacts(spec: ResolvedSpec, plan: DataPlan): Artifact[] {
  const pkg = pythonPackage(spec);
  const py = `${LAYOUT.pythonRoot}/src/${pkg}/data`;
  return [
    ...plan.sources.map((s) => artifact(PHASE, plan.paths.schemas[s.name]!, 'json', toJson(sourceSchema(spec, plan, s)))),
    artifact(PHASE, plan.paths.quality_gates, 'yaml', toYaml(qualityGatesDocument(spec, plan))),
    ...plan.sources.map((s) => artifact(PHASE, plan.paths.ingestion[s.name]!, 'yaml', toYaml(ingestionConfig(spec, s, plan.paths.schemas[s.name]!, plan.paths.quality_gates)))),
    ...versioningArtifacts(spec, plan),
    artifact(PHASE, `${py}/__init__.py`, 'python', `"""Data contract, models, expectations, incremental loads and lineage of ${spec.name} (generated by the data_engineer phase)."""\n`),
    artifact(PHASE, `${py}/validation.py`, 'python', validationModule(spec, plan)),
    artifact(PHASE, `${py}/profiling.py`, 'python', profilingModule(spec, plan)),
    artifact(PHASE, `${py}/models.py`, 'python', modelsModule(spec, plan)),
    ...plan.sources.map((s) => artifact(PHASE, plan.paths.expectations[s.name]!, 'json', toJson(expectationSuite(spec, plan, s)))),
    artifact(PHASE, `${py}/expectations.py`, 'python', expectationsModule(spec, plan, envPrefix(pkg))),
    artifact(PHASE, `${py}/incremental.py`, 'python', incrementalModule(spec, plan, envPrefix(pkg))),
    artifact(PHASE, `${py}/lineage.py`, 'python', lineageModule(spec, plan, envPrefix(pkg), pkg)),
    ...Object.entries(dataTestFiles(pkg)).map(([path, content]) => artifact(PHASE, `${LAYOUT.pythonRoot}/tests/${path}`, 'python', content)),
    artifact(PHASE, plan.paths.backfill_script, 'shell', backfillScript(spec, plan)),
  ];
}
