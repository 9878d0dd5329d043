import { pyLiteral, type PyValue } from '../../generators/serializers/python.js';
import type { ResolvedSpec } from '../../spec/resolve.js';
import { envPrefix } from '../ml_engineer/artifacts.js';
import type { StoreBinding } from './featureStore.js';

// ml/src/<pkg>/features/store.py: the feature-store client. One interface (write, online read, point-in-time
// historical read, materialise), the adapter of options.feature_store (Feast, Tecton, Databricks, or Redis for a
// custom store) and an in-memory backend with the same key and TTL semantics, used by tests and local runs.
// Vendor SDKs are imported when an adapter is first used, so the module imports on a bare interpreter.

export type StoreOption = StoreBinding['option'];

/** The adapter class generated for each options.feature_store value. */
export const ADAPTER_CLASS: Record<StoreOption, string> = {
  feast: 'FeastFeatureStore',
  tecton: 'TectonFeatureStore',
  databricks: 'DatabricksFeatureStore',
  custom: 'RedisFeatureStore',
};

/** The SDK module each adapter imports lazily (what the contract tests replace with a fake in sys.modules). */
export const ADAPTER_SDK: Record<StoreOption, string[]> = {
  feast: ['feast'],
  tecton: ['tecton'],
  databricks: ['databricks.feature_engineering', 'databricks.sdk'],
  custom: ['redis'],
};

/** The environment variable that picks the backend (`memory` for the in-memory one). */
export function storeBackendEnv(pkg: string): string {
  return `${envPrefix(pkg)}_FEATURE_STORE`;
}

function feastAdapter(b: StoreBinding, prefix: string): string {
  return String.raw`
# ---------------------------------------------------------------- Feast
FEAST_REPO_ENV = ${pyLiteral(`${prefix}_FEAST_REPO`)}
FEAST_REPO_DIR = ${pyLiteral(b.repo_dir)}


def feast_repo_path() -> Path:
    """The generated Feast repo (feature_store.yaml + features.py): the env variable, else <bundle>/features/feature_repo."""
    configured = os.environ.get(FEAST_REPO_ENV)
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[4] / FEAST_REPO_DIR


class FeastFeatureStore(FeatureStore):
    """Feast: online reads from the configured online store, point-in-time joins by Feast's offline store."""

    name = "feast"

    def __init__(self, repo_path: Optional[str] = None) -> None:
        self.repo_path = Path(repo_path) if repo_path else feast_repo_path()
        self._store: Any = None

    @property
    def store(self) -> Any:
        if self._store is None:
            feast = _sdk("feast")
            self._store = feast.FeatureStore(repo_path=str(self.repo_path))
        return self._store

    def write_features(self, view: str, rows: Rows, *, online: bool = True, offline: bool = True) -> int:
        config = feature_view(view)
        records = _validated(config, rows)
        frame = _frame(records)
        if online and config["online"]:
            self.store.write_to_online_store(feature_view_name=view, df=frame)
        if offline:
            self.store.write_to_offline_store(feature_view_name=view, df=frame)
        return len(records)

    def get_online_features(self, entity_ids: Sequence[Any], views: Optional[Sequence[str]] = None) -> List[Row]:
        selected = _selected(views, online_only=True)
        response = self.store.get_online_features(features=feature_refs(selected), entity_rows=[{ENTITY_KEY: entity} for entity in entity_ids])
        columns = _columns(response.to_dict())
        return [_row_for(entity, selected, {name: values[i] for name, values in columns.items()}) for i, entity in enumerate(entity_ids)]

    def get_historical_features(self, entity_rows: Rows, views: Optional[Sequence[str]] = None) -> List[Row]:
        selected = _selected(views)
        job = self.store.get_historical_features(entity_df=_frame(_records(entity_rows)), features=feature_refs(selected))
        return [_strip_prefixes(row, selected) for row in _records(job.to_df())]

    def materialize(self, start: Any, end: Any) -> Dict[str, int]:
        self.store.materialize(start_date=to_datetime(start), end_date=to_datetime(end))
        return {view["name"]: -1 for view in FEATURE_VIEWS if view["online"]}
`;
}

function tectonAdapter(b: StoreBinding, prefix: string): string {
  return String.raw`
# ---------------------------------------------------------------- Tecton
TECTON_WORKSPACE_ENV = ${pyLiteral(`${prefix}_TECTON_WORKSPACE`)}
TECTON_DEFAULT_WORKSPACE = "prod"


class TectonFeatureStore(FeatureStore):
    """Tecton: batch feature views materialised by Tecton from their sources, read through the feature service."""

    name = "tecton"

    def __init__(self, workspace: Optional[str] = None) -> None:
        self.workspace_name = workspace or os.environ.get(TECTON_WORKSPACE_ENV, TECTON_DEFAULT_WORKSPACE)
        self._workspace: Any = None

    @property
    def workspace(self) -> Any:
        if self._workspace is None:
            self._workspace = _sdk("tecton").get_workspace(self.workspace_name)
        return self._workspace

    def write_features(self, view: str, rows: Rows, *, online: bool = True, offline: bool = True) -> int:
        feature_view(view)
        raise FeatureStoreError(
            "Tecton batch feature views are computed from their sources; write the source table and call materialize()",
            context={"view": view},
        )

    def get_online_features(self, entity_ids: Sequence[Any], views: Optional[Sequence[str]] = None) -> List[Row]:
        selected = _selected(views, online_only=True)
        service = self.workspace.get_feature_service(FEATURE_SERVICE)
        rows = []
        for entity in entity_ids:
            vector = service.get_online_features(join_keys={ENTITY_KEY: entity}).to_dict()
            rows.append(_row_for(entity, selected, _strip_prefixes(dict(vector), selected)))
        return rows

    def get_historical_features(self, entity_rows: Rows, views: Optional[Sequence[str]] = None) -> List[Row]:
        selected = _selected(views)
        service = self.workspace.get_feature_service(FEATURE_SERVICE)
        frame = service.get_historical_features(spine=_frame(_records(entity_rows)), timestamp_key=EVENT_TIMESTAMP)
        return [_strip_prefixes(row, selected) for row in _records(frame.to_pandas())]

    def materialize(self, start: Any, end: Any) -> Dict[str, int]:
        jobs: Dict[str, int] = {}
        for view in FEATURE_VIEWS:
            self.workspace.get_feature_view(view["name"]).trigger_materialization_job(
                start_time=to_datetime(start), end_time=to_datetime(end), online=view["online"], offline=True
            )
            jobs[view["name"]] = -1
        return jobs
`;
}

function databricksAdapter(b: StoreBinding): string {
  return String.raw`
# ---------------------------------------------------------------- Databricks
CATALOG = ${pyLiteral(b.catalog)}
SCHEMA = ${pyLiteral(b.schema)}
SERVING_ENDPOINT = ${pyLiteral(b.serving_endpoint)}


def table_name(view: str) -> str:
    """Unity Catalog table of a view (the same name features/databricks/feature_tables.py creates)."""
    return f"{CATALOG}.{SCHEMA}.{view}"


class DatabricksFeatureStore(FeatureStore):
    """Databricks Feature Engineering: Delta feature tables with a time-series key, served by a Feature Serving endpoint."""

    name = "databricks"

    def __init__(self, spark: Any = None) -> None:
        self._spark = spark
        self._client: Any = None
        self._workspace: Any = None

    @property
    def spark(self) -> Any:
        if self._spark is None:
            self._spark = _sdk("pyspark.sql").SparkSession.builder.getOrCreate()
        return self._spark

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = _sdk("databricks.feature_engineering").FeatureEngineeringClient()
        return self._client

    @property
    def workspace(self) -> Any:
        if self._workspace is None:
            self._workspace = _sdk("databricks.sdk").WorkspaceClient()
        return self._workspace

    def write_features(self, view: str, rows: Rows, *, online: bool = True, offline: bool = True) -> int:
        config = feature_view(view)
        records = _validated(config, rows)
        # One Delta table is both stores: Online Tables sync from it (materialize()).
        self.client.write_table(name=table_name(view), df=self.spark.createDataFrame(_frame(records)), mode="merge")
        return len(records)

    def get_online_features(self, entity_ids: Sequence[Any], views: Optional[Sequence[str]] = None) -> List[Row]:
        selected = _selected(views, online_only=True)
        response = self.workspace.serving_endpoints.query(name=SERVING_ENDPOINT, dataframe_records=[{ENTITY_KEY: entity} for entity in entity_ids])
        outputs = list(response.outputs or [])
        return [_row_for(entity, selected, outputs[i] if i < len(outputs) else {}) for i, entity in enumerate(entity_ids)]

    def get_historical_features(self, entity_rows: Rows, views: Optional[Sequence[str]] = None) -> List[Row]:
        selected = _selected(views)
        sdk = _sdk("databricks.feature_engineering")
        lookups = [
            sdk.FeatureLookup(table_name=table_name(view["name"]), lookup_key=ENTITY_KEY, timestamp_lookup_key=EVENT_TIMESTAMP, feature_names=[f["name"] for f in view["features"]])
            for view in selected
        ]
        spine = self.spark.createDataFrame(_frame(_records(entity_rows)))
        training_set = self.client.create_training_set(df=spine, feature_lookups=lookups, label=None)
        return _records(training_set.load_df().toPandas())

    def materialize(self, start: Any, end: Any) -> Dict[str, int]:
        """Triggers the sync pipeline of each online view's Online Table (the Delta table already holds the range)."""
        started: Dict[str, int] = {}
        for view in FEATURE_VIEWS:
            if not view["online"]:
                continue
            table = self.workspace.online_tables.get(name=table_name(view["name"]) + "_online")
            self.workspace.pipelines.start_update(pipeline_id=table.spec.pipeline_id)
            started[view["name"]] = -1
        return started
`;
}

function redisAdapter(b: StoreBinding): string {
  return String.raw`
# ---------------------------------------------------------------- custom: Redis online, Parquet offline
REDIS_URL_ENV = ${pyLiteral(b.connection_string_env)}
READ_TIMEOUT_SECONDS = ${b.read_timeout_ms / 1000}


class ParquetOfflineLog(OfflineLog):
    """Append-only Parquet files per view under the view's path (pandas and pyarrow, plus s3fs/gcsfs for object stores)."""

    def append(self, view: str, records: List[Row]) -> None:
        folder = feature_view(view)["path"].rstrip("/")
        if "://" not in folder:
            os.makedirs(folder, exist_ok=True)
        _frame(records).to_parquet(f"{folder}/part-{datetime.now(timezone.utc):%Y%m%dT%H%M%S%f}.parquet", index=False)

    def read(self, view: str) -> List[Row]:
        pandas = _sdk("pandas")
        try:
            frame = pandas.read_parquet(feature_view(view)["path"])
        except FileNotFoundError:
            return []
        return _records(frame)


class RedisFeatureStore(KeyValueFeatureStore):
    """The custom store: one Redis string per (view, entity) holding JSON, expiring after the view's TTL; pipelined reads."""

    name = "custom"

    def __init__(self, client: Any = None, url: Optional[str] = None, offline: Optional[OfflineLog] = None, clock: Callable[[], float] = time.time) -> None:
        super().__init__(offline if offline is not None else ParquetOfflineLog(), clock)
        self._client = client
        self.url = url or os.environ.get(REDIS_URL_ENV, "redis://localhost:6379/0")

    @property
    def client(self) -> Any:
        if self._client is None:
            redis = _sdk("redis")
            self._client = redis.Redis.from_url(self.url, socket_timeout=READ_TIMEOUT_SECONDS, decode_responses=True)
        return self._client

    def _set_many(self, items: List[Tuple[str, str, int]]) -> None:
        pipe = self.client.pipeline(transaction=False)
        for key, value, ttl_seconds in items:
            pipe.set(key, value, ex=ttl_seconds)
        pipe.execute()

    def _get_many(self, keys: List[str]) -> List[Optional[str]]:
        pipe = self.client.pipeline(transaction=False)
        for key in keys:
            pipe.get(key)
        return [value.decode("utf-8") if isinstance(value, bytes) else value for value in pipe.execute()]
`;
}

export function storeModule(spec: ResolvedSpec, b: StoreBinding): string {
  const prefix = envPrefix(b.project);
  const adapter = {
    feast: () => feastAdapter(b, prefix),
    tecton: () => tectonAdapter(b, prefix),
    databricks: () => databricksAdapter(b),
    custom: () => redisAdapter(b),
  }[b.option]();
  const adapterClass = ADAPTER_CLASS[b.option];
  return String.raw`"""Feature-store client of ${spec.name}, generated by the data_scientist phase.

One interface, FeatureStore:
- write_features(view, rows): values of one feature view (rows or a DataFrame with the entity key and event time);
- get_online_features(entity_ids): the latest values per entity (None for unknown entities or expired values);
- get_historical_features(entity_rows): point-in-time correct: for each entity row, the latest value whose event
  time is at or before the row's event time and within the view's TTL, never a later one;
- materialize(start, end): loads offline values of the range into the online store (where the backend has one).

Backends: the adapter of the spec's feature store (${adapterClass}) and InMemoryFeatureStore (same key and TTL
semantics, for tests and local runs). build_store() picks the adapter unless the env variable BACKEND_ENV says
"memory". The feature views are the ones of ${b.definition_file} (generated from the same plan).
Vendor SDKs are imported on first use.
"""
from __future__ import annotations

import bisect
import importlib
import json
import math
import os
import time
from abc import ABC, abstractmethod
from datetime import date, datetime, timedelta, timezone
${b.option === 'feast' ? 'from pathlib import Path\n' : ''}from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from ..errors import ConfigError, PipelineError

PROJECT: str = ${pyLiteral(b.project)}
BACKEND: str = ${pyLiteral(b.option)}
BACKEND_ENV: str = ${pyLiteral(storeBackendEnv(b.project))}
ENTITY_KEY: str = ${pyLiteral(b.entity_key)}
EVENT_TIMESTAMP: str = ${pyLiteral(b.event_timestamp)}
FEATURE_SERVICE: str = ${pyLiteral(b.feature_service)}
# Online key of one entity in one view: "<project>:<view>:<entity>".
KEY_TEMPLATE: str = ${pyLiteral(b.key_template)}
FEATURE_VIEWS: List[Dict[str, Any]] = ${pyLiteral(b.views as unknown as PyValue)}

Row = Dict[str, Any]
Rows = Union[Iterable[Mapping[str, Any]], Any]  # rows or a pandas DataFrame


class FeatureStoreError(PipelineError, RuntimeError):
    """A feature-store call failed or is not supported by the backend."""

    code = "feature_store_error"


def _sdk(module: str) -> Any:
    """Imports a backend SDK on first use (tests put a fake module into sys.modules)."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise FeatureStoreError(f"the {module} package is not installed: install it or set {BACKEND_ENV}=memory", context={"module": module}) from error


# ---------------------------------------------------------------- views and values
def feature_view(name: str) -> Dict[str, Any]:
    for view in FEATURE_VIEWS:
        if view["name"] == name:
            return view
    raise ConfigError(f"unknown feature view {name!r}", context={"views": [v["name"] for v in FEATURE_VIEWS]})


def feature_names(view: Mapping[str, Any]) -> List[str]:
    return [feature["name"] for feature in view["features"]]


def ttl_seconds(view: Mapping[str, Any]) -> int:
    return int(view["ttl_hours"] * 3600)


def feature_refs(views: Sequence[Mapping[str, Any]]) -> List[str]:
    """Feast-style references "view:feature"."""
    return [f"{view['name']}:{name}" for view in views for name in feature_names(view)]


def make_key(view: str, entity: Any) -> str:
    return KEY_TEMPLATE.format(view=view, entity=entity)


def to_datetime(value: Any) -> datetime:
    """An aware UTC datetime from a datetime, date, pandas Timestamp, ISO-8601 string or epoch seconds."""
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(float(value), tz=timezone.utc)
    if isinstance(value, str):
        return to_datetime(datetime.fromisoformat(value.strip().replace("Z", "+00:00")))
    raise ConfigError(f"not a timestamp: {value!r}")


def _json_value(value: Any) -> Any:
    if hasattr(value, "item") and not isinstance(value, (list, dict)):
        value = value.item()  # numpy scalars
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (datetime, date)):
        return to_datetime(value).isoformat()
    return value


def _records(rows: Rows) -> List[Row]:
    if hasattr(rows, "to_dict") and not isinstance(rows, Mapping):
        return [dict(r) for r in rows.to_dict(orient="records")]
    return [dict(r) for r in rows]


def _frame(records: List[Row]) -> Any:
    """A pandas DataFrame of the rows, event time as UTC datetimes (what the SDKs join on)."""
    pandas = _sdk("pandas")
    frame = pandas.DataFrame(records)
    if EVENT_TIMESTAMP in frame.columns:
        frame[EVENT_TIMESTAMP] = pandas.to_datetime(frame[EVENT_TIMESTAMP], utc=True)
    return frame


def _columns(data: Mapping[str, Any]) -> Dict[str, List[Any]]:
    return {str(name): list(values) for name, values in data.items()}


def _validated(view: Mapping[str, Any], rows: Rows) -> List[Row]:
    """Rows with the entity key, an event time and only declared features (unknown columns are an error)."""
    allowed = set(feature_names(view)) | {ENTITY_KEY, EVENT_TIMESTAMP}
    records = _records(rows)
    for record in records:
        if record.get(ENTITY_KEY) is None or record.get(EVENT_TIMESTAMP) is None:
            raise ConfigError(f"every row of {view['name']!r} needs {ENTITY_KEY!r} and {EVENT_TIMESTAMP!r}")
        unknown = set(record) - allowed
        if unknown:
            raise ConfigError(f"columns {sorted(unknown)} are not features of {view['name']!r}")
    return records


def _selected(views: Optional[Sequence[str]], online_only: bool = False) -> List[Dict[str, Any]]:
    chosen = [feature_view(name) for name in views] if views is not None else list(FEATURE_VIEWS)
    return [view for view in chosen if view["online"] or not online_only]


def _row_for(entity: Any, views: Sequence[Mapping[str, Any]], values: Mapping[str, Any]) -> Row:
    row: Row = {ENTITY_KEY: entity}
    for view in views:
        for name in feature_names(view):
            row[name] = values.get(name)
    return row


def _strip_prefixes(row: Mapping[str, Any], views: Sequence[Mapping[str, Any]]) -> Row:
    """Maps "view:feature", "view__feature" and "view.feature" column names to the plain feature name."""
    names = {name for view in views for name in feature_names(view)}
    out: Row = {}
    for column, value in row.items():
        plain = str(column)
        for separator in (":", "__", "."):
            tail = plain.rsplit(separator, 1)[-1]
            if tail in names and tail != plain:
                plain = tail
                break
        out[plain] = value
    return out


def point_in_time_join(entity_rows: Rows, history: Mapping[str, Sequence[Mapping[str, Any]]], views: Sequence[Mapping[str, Any]]) -> List[Row]:
    """For each entity row and view: the latest history row of that entity with event time <= the row's event time
    and not older than the view's TTL (later writes win a tie); features None when there is none."""
    index: Dict[str, Dict[str, Tuple[List[datetime], List[Row]]]] = {}
    for view in views:
        by_entity: Dict[str, List[Tuple[datetime, int, Row]]] = {}
        for order, record in enumerate(history.get(view["name"], [])):
            by_entity.setdefault(str(record[ENTITY_KEY]), []).append((to_datetime(record[EVENT_TIMESTAMP]), order, dict(record)))
        index[view["name"]] = {}
        for entity, items in by_entity.items():
            items.sort(key=lambda item: (item[0], item[1]))
            index[view["name"]][entity] = ([item[0] for item in items], [item[2] for item in items])
    joined: List[Row] = []
    for row in _records(entity_rows):
        at = to_datetime(row[EVENT_TIMESTAMP])
        out = dict(row)
        for view in views:
            times, records = index[view["name"]].get(str(row[ENTITY_KEY]), ([], []))
            position = bisect.bisect_right(times, at) - 1
            found = records[position] if position >= 0 and at - times[position] <= timedelta(hours=view["ttl_hours"]) else None
            for name in feature_names(view):
                out[name] = found.get(name) if found else None
        joined.append(out)
    return joined


# ---------------------------------------------------------------- the interface
class FeatureStore(ABC):
    """What training and serving use; every backend implements all four methods."""

    name = "abstract"

    @abstractmethod
    def write_features(self, view: str, rows: Rows, *, online: bool = True, offline: bool = True) -> int:
        """Writes rows of one view (offline history and, for online views, the latest value per entity); returns the row count."""

    @abstractmethod
    def get_online_features(self, entity_ids: Sequence[Any], views: Optional[Sequence[str]] = None) -> List[Row]:
        """One row per entity id, in order: {ENTITY_KEY: id, feature: value or None}."""

    @abstractmethod
    def get_historical_features(self, entity_rows: Rows, views: Optional[Sequence[str]] = None) -> List[Row]:
        """Each entity row (ENTITY_KEY, EVENT_TIMESTAMP, anything else kept) joined point-in-time with the views."""

    @abstractmethod
    def materialize(self, start: Any, end: Any) -> Dict[str, int]:
        """Loads the offline values with event time in [start, end] into the online store; rows per view (-1: unknown)."""


class OfflineLog(ABC):
    """Append-only history of each view: what historical retrieval and materialisation read."""

    @abstractmethod
    def append(self, view: str, records: List[Row]) -> None: ...

    @abstractmethod
    def read(self, view: str) -> List[Row]: ...


class MemoryOfflineLog(OfflineLog):
    def __init__(self) -> None:
        self.rows: Dict[str, List[Row]] = {}

    def append(self, view: str, records: List[Row]) -> None:
        self.rows.setdefault(view, []).extend(dict(r) for r in records)

    def read(self, view: str) -> List[Row]:
        return list(self.rows.get(view, []))


class KeyValueFeatureStore(FeatureStore):
    """Online values as JSON under make_key(view, entity), expiring ttl_seconds(view) after the write; history in an OfflineLog.
    Subclasses provide the key-value calls; the key, value and TTL rules live here once."""

    def __init__(self, offline: OfflineLog, clock: Callable[[], float] = time.time) -> None:
        self.offline = offline
        self.clock = clock

    @abstractmethod
    def _set_many(self, items: List[Tuple[str, str, int]]) -> None:
        """(key, JSON value, TTL seconds) triples."""

    @abstractmethod
    def _get_many(self, keys: List[str]) -> List[Optional[str]]:
        """Values in key order; None for a missing or expired key."""

    def _write_online(self, view: Mapping[str, Any], records: List[Row]) -> int:
        latest: Dict[str, Tuple[datetime, Row]] = {}
        for record in records:
            at = to_datetime(record[EVENT_TIMESTAMP])
            entity = str(record[ENTITY_KEY])
            if entity not in latest or at >= latest[entity][0]:
                latest[entity] = (at, record)
        items = []
        for entity, (at, record) in sorted(latest.items()):
            value = {"event_timestamp": at.isoformat(), "features": {name: _json_value(record.get(name)) for name in feature_names(view)}}
            items.append((make_key(view["name"], entity), json.dumps(value, sort_keys=True), ttl_seconds(view)))
        if items:
            self._set_many(items)
        return len(items)

    def write_features(self, view: str, rows: Rows, *, online: bool = True, offline: bool = True) -> int:
        config = feature_view(view)
        records = [{k: _json_value(v) for k, v in r.items()} for r in _validated(config, rows)]
        if offline:
            self.offline.append(view, records)
        if online and config["online"]:
            self._write_online(config, records)
        return len(records)

    def get_online_features(self, entity_ids: Sequence[Any], views: Optional[Sequence[str]] = None) -> List[Row]:
        selected = _selected(views, online_only=True)
        keys = [make_key(view["name"], entity) for entity in entity_ids for view in selected]
        values = self._get_many(keys) if keys else []
        rows: List[Row] = []
        position = 0
        for entity in entity_ids:
            merged: Dict[str, Any] = {}
            for _view in selected:
                raw = values[position]
                position += 1
                if raw is not None:
                    merged.update(json.loads(raw)["features"])
            rows.append(_row_for(entity, selected, merged))
        return rows

    def get_historical_features(self, entity_rows: Rows, views: Optional[Sequence[str]] = None) -> List[Row]:
        selected = _selected(views)
        return point_in_time_join(entity_rows, {view["name"]: self.offline.read(view["name"]) for view in selected}, selected)

    def materialize(self, start: Any, end: Any) -> Dict[str, int]:
        low, high = to_datetime(start), to_datetime(end)
        loaded: Dict[str, int] = {}
        for view in FEATURE_VIEWS:
            if not view["online"]:
                continue
            in_range = [r for r in self.offline.read(view["name"]) if low <= to_datetime(r[EVENT_TIMESTAMP]) <= high]
            loaded[view["name"]] = self._write_online(view, in_range)
        return loaded


class InMemoryFeatureStore(KeyValueFeatureStore):
    """The same keys, JSON values and TTLs as the Redis store, in a dict; clock() gives the time in seconds (inject one in tests)."""

    name = "memory"

    def __init__(self, clock: Callable[[], float] = time.time, offline: Optional[OfflineLog] = None) -> None:
        super().__init__(offline if offline is not None else MemoryOfflineLog(), clock)
        self.data: Dict[str, Tuple[str, float]] = {}

    def _set_many(self, items: List[Tuple[str, str, int]]) -> None:
        now = self.clock()
        for key, value, ttl in items:
            self.data[key] = (value, now + ttl)

    def _get_many(self, keys: List[str]) -> List[Optional[str]]:
        now = self.clock()
        out: List[Optional[str]] = []
        for key in keys:
            entry = self.data.get(key)
            if entry is not None and entry[1] <= now:
                del self.data[key]
                entry = None
            out.append(entry[0] if entry else None)
        return out

    def ttl(self, key: str) -> Optional[float]:
        """Seconds until the key expires (None when absent or expired), like Redis TTL."""
        entry = self.data.get(key)
        if entry is None or entry[1] <= self.clock():
            return None
        return entry[1] - self.clock()
${adapter}

def build_store(backend: Optional[str] = None, **options: Any) -> FeatureStore:
    """The adapter of the spec's feature store (${b.option}), or the in-memory backend when BACKEND_ENV (or backend) is "memory"."""
    chosen = (backend or os.environ.get(BACKEND_ENV) or BACKEND).strip().lower()
    if chosen == "memory":
        return InMemoryFeatureStore(**options)
    if chosen == BACKEND:
        return ${adapterClass}(**options)
    raise ConfigError(f"unknown feature store backend {chosen!r}: use {BACKEND!r} or 'memory'", context={"env": BACKEND_ENV})
`;
}
