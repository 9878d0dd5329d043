import { artifact, type Artifact } from '../../artifacts/artifact.js';
import { pyIdentifier, pyLiteral } from '../../generators/serializers/python.js';
import { toYaml } from '../../generators/serializers/yaml.js';
import type { ResolvedSpec } from '../../spec/resolve.js';
import { objectStoreUri, pythonPackage } from '../common.js';
import type { DataEngineerDecisions } from '../data_engineer/decisions.js';
import type { SciencePlan } from './derive.js';

// Feature-store definitions per options.feature_store. Vendor SDKs are imported behind a guard so every file
// imports on a bare interpreter (and tests can check the plain-data part); `feast apply` / `tecton apply` /
// the Databricks job run where the SDK is installed.

const PHASE = 'data_scientist';

type FeatureType = SciencePlan['features'][number]['type'];

const FEAST_TYPE: Record<FeatureType, string> = { numeric: 'Float64', integer: 'Int64', categorical: 'String', boolean: 'Bool', text: 'String', timestamp: 'UnixTimestamp' };
const TECTON_TYPE: Record<FeatureType, string> = { numeric: 'Float64', integer: 'Int64', categorical: 'String', boolean: 'Bool', text: 'String', timestamp: 'Timestamp' };

/** One feature view as every definition file and the store client (features/store.py) carry it. */
export type ViewLiteral = {
  name: string;
  source: string;
  path: string;
  ttl_hours: number;
  online: boolean;
  batch_interval_hours: number | null;
  features: { name: string; type: FeatureType }[];
};

export function viewsLiteral(plan: SciencePlan): ViewLiteral[] {
  return plan.feature_store.views.map((v) => ({
    name: v.name,
    source: v.source,
    path: v.source_uri,
    ttl_hours: v.ttl_hours,
    online: v.online,
    batch_interval_hours: v.batch_interval_hours,
    features: v.features.map((f) => ({ name: f, type: plan.features.find((x) => x.name === f)!.type })),
  }));
}

/**
 * The names the definitions (Feast repo, Tecton, Databricks, custom YAML) and the store client share: generated
 * from the same plan so the client reads exactly the views and entities the definitions declare.
 */
export interface StoreBinding {
  option: ResolvedSpec['options']['feature_store'];
  project: string;
  entity_key: string;
  event_timestamp: string;
  views: ViewLiteral[];
  /** Feast / Tecton feature service over the online views. */
  feature_service: string;
  /** Databricks Unity Catalog catalog and schema of the feature tables. */
  catalog: string;
  schema: string;
  /** Databricks Feature Serving endpoint over the online tables. */
  serving_endpoint: string;
  /** Redis key of one entity's values in one view: {view} and {entity} are filled in. */
  key_template: string;
  connection_string_env: string;
  read_timeout_ms: number;
  /** Folder of the Feast repo / Tecton repo, relative to the bundle root. */
  repo_dir: string | null;
  definition_file: string;
}

export function storeBinding(spec: ResolvedSpec, de: DataEngineerDecisions, plan: SciencePlan): StoreBinding {
  const project = pythonPackage(spec);
  const option = spec.options.feature_store;
  return {
    option,
    project,
    entity_key: de.entity_key,
    event_timestamp: de.event_timestamp,
    views: viewsLiteral(plan),
    feature_service: `${project}_model`,
    catalog: project,
    schema: 'features',
    serving_endpoint: `${spec.name}-features`,
    key_template: `${project}:{view}:{entity}`,
    connection_string_env: 'REDIS_CONNECTION_STRING',
    read_timeout_ms: Math.min(plan.feature_store.serving_latency_budget_ms, 50),
    repo_dir: option === 'feast' ? 'features/feature_repo' : option === 'tecton' ? 'features/tecton' : null,
    definition_file: plan.feature_store.definition_files.at(-1)!,
  };
}

function feastStoreYaml(spec: ResolvedSpec, plan: SciencePlan): Record<string, unknown> {
  const fs = plan.feature_store;
  const cloud = spec.options.cloud_provider;
  const online: Record<string, unknown> =
    fs.online_store === 'dynamodb'
      ? { type: 'dynamodb', region: '${AWS_REGION}' }
      : fs.online_store === 'bigtable'
        ? { type: 'bigtable', project_id: '${GCP_PROJECT}', instance: `${spec.name}-features` }
        : { type: 'redis', redis_type: fs.high_throughput ? 'redis_cluster' : 'redis', connection_string: '${REDIS_CONNECTION_STRING}', key_ttl_seconds: fs.ttl_hours * 3600 };
  const offline: Record<string, unknown> =
    fs.offline_store === 'bigquery'
      ? { type: 'bigquery', project_id: '${GCP_PROJECT}', dataset: `${pythonPackage(spec)}_features`, location: 'US' }
      : fs.offline_store === 'spark'
        ? { type: 'spark', spark_conf: { 'spark.sql.session.timeZone': 'UTC', 'spark.sql.parquet.int96RebaseModeInWrite': 'CORRECTED' } }
        : { type: 'file' };
  return {
    project: pythonPackage(spec),
    provider: cloud === 'aws' ? 'aws' : cloud === 'gcp' ? 'gcp' : 'local',
    registry: { path: `${objectStoreUri(spec, 'features')}/_registry/registry.db`, cache_ttl_seconds: 60 },
    online_store: online,
    offline_store: offline,
    entity_key_serialization_version: 2,
  };
}

/** The store's type names of every feature some view serves. */
function viewTypes(plan: SciencePlan, types: Record<FeatureType, string>): string[] {
  return plan.feature_store.views.flatMap((v) => v.features.map((f) => types[plan.features.find((x) => x.name === f)!.type]!));
}

function feastDefinitions(spec: ResolvedSpec, de: DataEngineerDecisions, plan: SciencePlan): string {
  const entity = pyIdentifier(de.entity_key);
  const offline = plan.feature_store.offline_store;
  const sourceExpr = (v: SciencePlan['feature_store']['views'][number]) => {
    const name = pyLiteral(v.name);
    if (offline === 'bigquery') return `BigQuerySource(name=${name}, table=f"{GCP_PROJECT}.${pythonPackage(spec)}_features.${v.name}", timestamp_field=EVENT_TIMESTAMP)`;
    if (offline === 'spark') return `SparkSource(name=${name}, path=${pyLiteral(v.source_uri)}, file_format="parquet", timestamp_field=EVENT_TIMESTAMP)`;
    return `FileSource(name=${name}, path=${pyLiteral(v.source_uri)}, timestamp_field=EVENT_TIMESTAMP)`;
  };
  const sourceImport =
    offline === 'bigquery'
      ? '    from feast import BigQuerySource'
      : offline === 'spark'
        ? '    from feast.infra.offline_stores.contrib.spark_offline_store.spark_source import SparkSource'
        : '    from feast import FileSource';
  const views = plan.feature_store.views
    .map((v) => {
      const id = pyIdentifier(v.name);
      const fields = v.features.map((f) => `            Field(name=${pyLiteral(f)}, dtype=${FEAST_TYPE[plan.features.find((x) => x.name === f)!.type]}),`).join('\n');
      return `    ${id} = FeatureView(
        name=${pyLiteral(v.name)},
        entities=[${entity}],
        ttl=timedelta(hours=${v.ttl_hours}),
        schema=[
${fields}
        ],
        online=${v.online ? 'True' : 'False'},
        source=${sourceExpr(v)},
        tags={"owner": ${pyLiteral(spec.team.owner)}, "source": ${pyLiteral(v.source)}},
    )`;
    })
    .join('\n\n');
  const onlineViews = plan.feature_store.views.filter((v) => v.online).map((v) => pyIdentifier(v.name));
  // Only the Feast types some field uses (an unused import fails ruff's F401 in the generated project).
  const dtypes = [...new Set(viewTypes(plan, FEAST_TYPE))].sort();
  return `"""Feast definitions of ${spec.name} (generated by the data_scientist phase): run \`feast apply\` in this folder."""
from __future__ import annotations

import os
from datetime import timedelta

ENTITY_KEY = ${pyLiteral(de.entity_key)}
EVENT_TIMESTAMP = ${pyLiteral(de.event_timestamp)}
GCP_PROJECT = os.environ.get("GCP_PROJECT", ${pyLiteral(spec.name)})

# Plain description of the feature views (also used by tests and by the serving code to know the columns).
FEATURE_VIEWS = ${pyLiteral(viewsLiteral(plan))}

try:
    from feast import Entity, FeatureService, FeatureView, Field
${dtypes.length > 0 ? `    from feast.types import ${dtypes.join(', ')}\n` : ''}${sourceImport}
except ImportError:  # feast is installed where \`feast apply\` runs, not in the model image
    FEAST_AVAILABLE = False
else:
    FEAST_AVAILABLE = True

if FEAST_AVAILABLE:
    ${entity} = Entity(name=ENTITY_KEY, join_keys=[ENTITY_KEY], description="prediction entity")

${views}

    model_features = FeatureService(name=${pyLiteral(storeBinding(spec, de, plan).feature_service)}, features=[${onlineViews.join(', ')}])


def feature_refs() -> list:
    """Feature references "view:feature" of the online views, in model input order."""
    return [f"{view['name']}:{feature['name']}" for view in FEATURE_VIEWS if view["online"] for feature in view["features"]]
`;
}

function tectonDefinitions(spec: ResolvedSpec, de: DataEngineerDecisions, plan: SciencePlan): string {
  const entity = pyIdentifier(de.entity_key);
  const views = plan.feature_store.views
    .map((v) => {
      const id = pyIdentifier(v.name);
      const sourceId = `${pyIdentifier(v.name)}_source`;
      const cols = [de.entity_key, de.event_timestamp, ...v.features];
      return `    ${sourceId} = BatchSource(
        name=${pyLiteral(`${v.name}_source`)},
        batch_config=FileConfig(uri=${pyLiteral(v.source_uri)}, file_format="parquet", timestamp_field=EVENT_TIMESTAMP),
    )

    @batch_feature_view(
        sources=[${sourceId}],
        entities=[${entity}],
        mode="pandas",
        online=${v.online ? 'True' : 'False'},
        offline=True,
        feature_start_time=FEATURE_START_TIME,
        batch_schedule=timedelta(hours=${v.batch_interval_hours ?? 1}),
        ttl=timedelta(hours=${v.ttl_hours}),
        timestamp_field=EVENT_TIMESTAMP,
        features=[${v.features.map((f) => `Attribute(${pyLiteral(f)}, ${TECTON_TYPE[plan.features.find((x) => x.name === f)!.type]})`).join(', ')}],
        description=${pyLiteral(`Features of ${v.source}; schema ${v.features.join(', ')}`)},
    )
    def ${id}(source):
        return source[${pyLiteral(cols)}]`;
    })
    .join('\n\n');
  const onlineViews = plan.feature_store.views.filter((v) => v.online).map((v) => pyIdentifier(v.name));
  // Field plus the types some attribute uses (an unused import fails ruff's F401 in the generated project).
  const tectonTypes = [...new Set(['Field', ...viewTypes(plan, TECTON_TYPE)])].sort();
  return `"""Tecton definitions of ${spec.name} (generated by the data_scientist phase): run \`tecton apply\` from this folder."""
from __future__ import annotations

import os
from datetime import datetime, timedelta

ENTITY_KEY = ${pyLiteral(de.entity_key)}
EVENT_TIMESTAMP = ${pyLiteral(de.event_timestamp)}
# First day materialised by the backfill; set FEATURE_START_TIME to the start of the training window.
FEATURE_START_TIME = datetime.fromisoformat(os.environ.get("FEATURE_START_TIME", "2025-01-01T00:00:00+00:00"))
ONLINE_STORE = ${pyLiteral(plan.feature_store.online_store)}

FEATURE_VIEWS = ${pyLiteral(viewsLiteral(plan))}

try:
    from tecton import Attribute, BatchSource, Entity, FeatureService, FileConfig, batch_feature_view
    from tecton.types import ${tectonTypes.join(', ')}
except ImportError:  # the Tecton SDK is installed where \`tecton apply\` runs
    TECTON_AVAILABLE = False
else:
    TECTON_AVAILABLE = True

if TECTON_AVAILABLE:
    ${entity} = Entity(name=ENTITY_KEY, join_keys=[Field(ENTITY_KEY, String)])

${views}

    model_service = FeatureService(name=${pyLiteral(storeBinding(spec, de, plan).feature_service)}, features=[${onlineViews.join(', ')}], online_serving_enabled=True)


def feature_columns() -> list:
    return [feature["name"] for view in FEATURE_VIEWS if view["online"] for feature in view["features"]]
`;
}

function databricksDefinitions(spec: ResolvedSpec, de: DataEngineerDecisions, plan: SciencePlan): string {
  return `"""Databricks Feature Engineering tables of ${spec.name} (generated by the data_scientist phase).

Run create_feature_tables(spark) in a Databricks job; publish_online() syncs the online views to Online Tables.
"""
from __future__ import annotations

from typing import Any, Dict, List

CATALOG = ${pyLiteral(storeBinding(spec, de, plan).catalog)}
SCHEMA = ${pyLiteral(storeBinding(spec, de, plan).schema)}
ENTITY_KEY = ${pyLiteral(de.entity_key)}
EVENT_TIMESTAMP = ${pyLiteral(de.event_timestamp)}

FEATURE_VIEWS: List[Dict[str, Any]] = ${pyLiteral(viewsLiteral(plan))}


def table_name(view: Dict[str, Any]) -> str:
    return f"{CATALOG}.{SCHEMA}.{view['name']}"


def create_feature_tables(spark: Any) -> List[str]:
    """Creates (or merges into) one Delta feature table per view, keyed by entity and event time."""
    from databricks.feature_engineering import FeatureEngineeringClient  # available on Databricks runtimes

    client = FeatureEngineeringClient()
    created = []
    for view in FEATURE_VIEWS:
        columns = [ENTITY_KEY, EVENT_TIMESTAMP] + [feature["name"] for feature in view["features"]]
        frame = spark.read.format("parquet").load(view["path"]).select(*columns)
        name = table_name(view)
        if spark.catalog.tableExists(name):
            client.write_table(name=name, df=frame, mode="merge")
        else:
            client.create_table(
                name=name,
                primary_keys=[ENTITY_KEY, EVENT_TIMESTAMP],
                timeseries_columns=EVENT_TIMESTAMP,
                df=frame,
                description=f"{view['name']} from source {view['source']} (TTL {view['ttl_hours']} h)",
            )
        created.append(name)
    return created


def publish_online() -> List[str]:
    """Creates Online Tables for the online views (triggered sync after each materialisation)."""
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.service.catalog import OnlineTableSpec, OnlineTableSpecTriggeredSchedulingPolicy

    workspace = WorkspaceClient()
    published = []
    for view in FEATURE_VIEWS:
        if not view["online"]:
            continue
        spec = OnlineTableSpec(
            primary_key_columns=[ENTITY_KEY],
            source_table_full_name=table_name(view),
            timeseries_key=EVENT_TIMESTAMP,
            run_triggered=OnlineTableSpecTriggeredSchedulingPolicy.from_dict({"triggered": "true"}),
        )
        workspace.online_tables.create(name=f"{table_name(view)}_online", spec=spec)
        published.append(f"{table_name(view)}_online")
    return published
`;
}

function customStoreYaml(spec: ResolvedSpec, de: DataEngineerDecisions, plan: SciencePlan): Record<string, unknown> {
  const binding = storeBinding(spec, de, plan);
  return {
    store: 'custom',
    online: {
      type: 'redis',
      connection_string_env: binding.connection_string_env,
      key_template: binding.key_template,
      value_encoding: 'JSON object {"event_timestamp": ISO-8601 UTC, "features": {name: value}}, written with SET key value EX ttl_seconds of the view',
      reads: 'one pipelined GET per entity and online view',
      read_timeout_ms: binding.read_timeout_ms,
    },
    offline: { type: 'parquet', uri: de.layers.features.uri, point_in_time_join: { entity_key: de.entity_key, event_timestamp: de.event_timestamp } },
    views: plan.feature_store.views.map((v) => ({
      name: v.name,
      source: v.source,
      path: v.source_uri,
      features: v.features,
      ttl_seconds: v.ttl_hours * 3600,
      online: v.online,
      materialise_every_hours: v.batch_interval_hours ?? undefined,
      materialise: v.batch_interval_hours === null ? 'push on every micro-batch' : 'batch upsert after each ingestion run',
    })),
  };
}

export function featureStoreArtifacts(spec: ResolvedSpec, de: DataEngineerDecisions, plan: SciencePlan): Artifact[] {
  switch (spec.options.feature_store) {
    case 'feast':
      return [
        artifact(PHASE, 'features/feature_repo/feature_store.yaml', 'yaml', toYaml(feastStoreYaml(spec, plan))),
        artifact(PHASE, 'features/feature_repo/features.py', 'python', feastDefinitions(spec, de, plan)),
      ];
    case 'tecton':
      return [artifact(PHASE, 'features/tecton/features.py', 'python', tectonDefinitions(spec, de, plan))];
    case 'databricks':
      return [artifact(PHASE, 'features/databricks/feature_tables.py', 'python', databricksDefinitions(spec, de, plan))];
    case 'custom':
      return [artifact(PHASE, 'features/custom/feature_store.yaml', 'yaml', toYaml(customStoreYaml(spec, de, plan)))];
  }
}
