import { pyLiteral } from '../../generators/serializers/python.js';
import type { StoreBinding } from './featureStore.js';
import type { SciencePlan } from './derive.js';
import { ADAPTER_CLASS } from './storePy.js';

// ml/tests/features/: the contract of the feature-store client (the in-memory backend against the interface, the
// spec's adapter against a fake SDK in sys.modules) and, when the spec declares protected attributes, the bias
// rules on frames with a known disparity and a fair one.

const HEADER = (pkg: string, doc: string, marker: string) => String.raw`"""${doc}"""

from __future__ import annotations

import json
import random
import sys
import types
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List

import pytest

from ${pkg}.errors import ConfigError
from ${pkg}.features import store
from ${pkg}.features.store import ENTITY_KEY, EVENT_TIMESTAMP, FEATURE_VIEWS, InMemoryFeatureStore, build_store, make_key, ttl_seconds

pytestmark = pytest.mark.${marker}
`;

const SHARED = String.raw`
T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
ONLINE_VIEWS = [view for view in FEATURE_VIEWS if view["online"]]


def value(feature: Dict[str, Any], i: int) -> Any:
    """A value of the feature's declared type that identifies write number i."""
    kind = feature["type"]
    if kind == "numeric":
        return i + 0.5
    if kind == "integer":
        return i
    if kind == "boolean":
        return i % 2 == 0
    if kind == "timestamp":
        return (T0 + timedelta(days=i)).isoformat()
    return "v" + str(i)


def features_of(view: Dict[str, Any], i: int) -> Dict[str, Any]:
    return {feature["name"]: value(feature, i) for feature in view["features"]}


def row(view: Dict[str, Any], entity: str, at: datetime, i: int) -> Dict[str, Any]:
    return {ENTITY_KEY: entity, EVENT_TIMESTAMP: at.isoformat(), **features_of(view, i)}


def missing(view: Dict[str, Any]) -> Dict[str, Any]:
    return {feature["name"]: None for feature in view["features"]}


class Clock:
    """Injected time in seconds."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


class Recorder:
    """Calls made on a fake SDK, as (name, keyword arguments)."""

    def __init__(self) -> None:
        self.calls: List[Any] = []

    def __call__(self, call: str, /, **kwargs: Any) -> None:
        self.calls.append((call, kwargs))

    def names(self) -> List[str]:
        return [name for name, _ in self.calls]

    def last(self, name: str) -> Dict[str, Any]:
        return [kwargs for called, kwargs in self.calls if called == name][-1]


def fake_module(monkeypatch: pytest.MonkeyPatch, name: str, **attributes: Any) -> types.ModuleType:
    module = types.ModuleType(name)
    for key, attribute in attributes.items():
        setattr(module, key, attribute)
    monkeypatch.setitem(sys.modules, name, module)
    return module
`;

const MEMORY_CONTRACT = String.raw`

# ---------------------------------------------------------------- the in-memory backend against the interface
def test_build_store_defaults_to_the_spec_adapter_and_memory_by_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(store.BACKEND_ENV, raising=False)
    assert type(build_store()).__name__ == ADAPTER_CLASS
    monkeypatch.setenv(store.BACKEND_ENV, "memory")
    assert isinstance(build_store(), InMemoryFeatureStore)
    with pytest.raises(ConfigError):
        build_store("no-such-store")


def test_point_in_time_join_never_returns_a_later_value() -> None:
    memory = InMemoryFeatureStore(clock=Clock())
    for view in FEATURE_VIEWS:
        memory.write_features(view["name"], [row(view, "e1", T0 + timedelta(hours=h), h) for h in (0, 1, 3)], online=False)
        ttl = timedelta(hours=view["ttl_hours"])
        asked = [T0 - timedelta(minutes=1), T0 + timedelta(minutes=30), T0 + timedelta(hours=1), T0 + timedelta(hours=2), T0 + timedelta(hours=3), T0 + timedelta(hours=3) + ttl + timedelta(seconds=1)]
        expected = [None, 0, 1, 1, 3, None]
        joined = memory.get_historical_features([{ENTITY_KEY: "e1", EVENT_TIMESTAMP: at, "label": n} for n, at in enumerate(asked)], views=[view["name"]])
        assert [r["label"] for r in joined] == list(range(len(asked)))
        for got, want in zip(joined, expected):
            assert {k: got[k] for k in features_of(view, 0)} == (missing(view) if want is None else features_of(view, want))


def test_point_in_time_join_matches_brute_force_on_random_history() -> None:
    rng = random.Random(11)
    view = FEATURE_VIEWS[0]
    memory = InMemoryFeatureStore(clock=Clock())
    history = [(rng.choice(["a", "b", "c"]), T0 + timedelta(minutes=rng.randrange(0, 5000)), i) for i in range(120)]
    memory.write_features(view["name"], [row(view, e, at, i) for e, at, i in history], online=False)
    ttl = timedelta(hours=view["ttl_hours"])
    for _ in range(60):
        entity, at = rng.choice(["a", "b", "c", "d"]), T0 + timedelta(minutes=rng.randrange(-100, 5100))
        earlier = [(t, i) for e, t, i in history if e == entity and t <= at and at - t <= ttl]
        (got,) = memory.get_historical_features([{ENTITY_KEY: entity, EVENT_TIMESTAMP: at}], views=[view["name"]])
        want = features_of(view, max(earlier)[1]) if earlier else missing(view)
        assert {k: got[k] for k in want} == want, (entity, at)


def test_unknown_entities_read_as_missing_values() -> None:
    memory = InMemoryFeatureStore(clock=Clock())
    for view in FEATURE_VIEWS:
        memory.write_features(view["name"], [row(view, "known", T0, 1)])
    (historical,) = memory.get_historical_features([{ENTITY_KEY: "unknown", EVENT_TIMESTAMP: T0 + timedelta(hours=1)}])
    assert all(historical[f["name"]] is None for view in FEATURE_VIEWS for f in view["features"])
    assert memory.get_online_features([]) == []


def test_unknown_views_and_columns_are_errors() -> None:
    memory = InMemoryFeatureStore(clock=Clock())
    with pytest.raises(ConfigError):
        memory.write_features("no_such_view", [])
    view = FEATURE_VIEWS[0]
    with pytest.raises(ConfigError):
        memory.write_features(view["name"], [{**row(view, "e1", T0, 1), "not_a_feature": 1}])
    with pytest.raises(ConfigError):
        memory.write_features(view["name"], [{ENTITY_KEY: "e1", **features_of(view, 1)}])
`;

const MEMORY_ONLINE = String.raw`

def test_write_then_online_read_returns_the_latest_value_per_entity() -> None:
    clock = Clock()
    memory = InMemoryFeatureStore(clock=clock)
    for view in ONLINE_VIEWS:
        # Written out of order: the later event time wins.
        memory.write_features(view["name"], [row(view, "e1", T0 + timedelta(hours=2), 2), row(view, "e1", T0, 1), row(view, "e2", T0, 5)])
    rows = memory.get_online_features(["e1", "e2", "unknown"])
    assert [r[ENTITY_KEY] for r in rows] == ["e1", "e2", "unknown"]
    for view in ONLINE_VIEWS:
        assert {k: rows[0][k] for k in features_of(view, 0)} == features_of(view, 2)
        assert {k: rows[1][k] for k in features_of(view, 0)} == features_of(view, 5)
        assert {k: rows[2][k] for k in features_of(view, 0)} == missing(view)
        key = make_key(view["name"], "e1")
        assert key == store.PROJECT + ":" + view["name"] + ":e1"
        assert memory.ttl(key) == ttl_seconds(view)
        stored = json.loads(memory.data[key][0])
        assert stored == {"event_timestamp": (T0 + timedelta(hours=2)).isoformat(), "features": features_of(view, 2)}


def test_online_values_expire_after_the_view_ttl() -> None:
    clock = Clock()
    memory = InMemoryFeatureStore(clock=clock)
    shortest = min(ttl_seconds(view) for view in ONLINE_VIEWS)
    for view in ONLINE_VIEWS:
        memory.write_features(view["name"], [row(view, "e1", T0, 1)])
    clock.now += shortest - 1
    (fresh,) = memory.get_online_features(["e1"])
    assert all(fresh[f["name"]] is not None for view in ONLINE_VIEWS for f in view["features"])
    clock.now += 2
    for view in ONLINE_VIEWS:
        (read,) = memory.get_online_features(["e1"], views=[view["name"]])
        expired = ttl_seconds(view) == shortest
        assert {k: read[k] for k in features_of(view, 0)} == (missing(view) if expired else features_of(view, 1))
    clock.now += max(ttl_seconds(view) for view in ONLINE_VIEWS)
    (gone,) = memory.get_online_features(["e1"])
    assert all(gone[f["name"]] is None for view in ONLINE_VIEWS for f in view["features"])


def test_materialize_loads_the_offline_range_into_the_online_store() -> None:
    memory = InMemoryFeatureStore(clock=Clock())
    for view in ONLINE_VIEWS:
        memory.write_features(view["name"], [row(view, "e1", T0, 1), row(view, "e1", T0 + timedelta(days=3), 2)], online=False)
    assert memory.get_online_features(["e1"])[0] == {ENTITY_KEY: "e1", **{k: None for view in ONLINE_VIEWS for k in features_of(view, 0)}}
    loaded = memory.materialize(T0 - timedelta(hours=1), T0 + timedelta(days=1))
    assert loaded == {view["name"]: 1 for view in ONLINE_VIEWS}
    (read,) = memory.get_online_features(["e1"])
    for view in ONLINE_VIEWS:
        assert {k: read[k] for k in features_of(view, 0)} == features_of(view, 1)
`;

function feastAdapterTest(): string {
  return String.raw`

# ---------------------------------------------------------------- the Feast adapter against a fake feast module
def test_feast_adapter_calls_the_feast_sdk(monkeypatch: pytest.MonkeyPatch) -> None:
    record = Recorder()
    view = ONLINE_VIEWS[0] if ONLINE_VIEWS else FEATURE_VIEWS[0]

    class Response:
        def to_dict(self) -> Dict[str, List[Any]]:
            return {ENTITY_KEY: ["e1", "e2"], **{name: [v, None] for name, v in features_of(view, 4).items()}}

    class Job:
        def to_df(self) -> Any:
            import pandas

            return pandas.DataFrame([{ENTITY_KEY: "e1", EVENT_TIMESTAMP: T0, **{view["name"] + "__" + k: v for k, v in features_of(view, 4).items()}}])

    class FeatureStore:
        def __init__(self, repo_path: str) -> None:
            record("FeatureStore", repo_path=repo_path)

        def write_to_online_store(self, feature_view_name: str, df: Any) -> None:
            record("write_to_online_store", feature_view_name=feature_view_name, rows=len(df))

        def write_to_offline_store(self, feature_view_name: str, df: Any) -> None:
            record("write_to_offline_store", feature_view_name=feature_view_name, rows=len(df))

        def get_online_features(self, features: List[str], entity_rows: List[Dict[str, Any]]) -> Response:
            record("get_online_features", features=features, entity_rows=entity_rows)
            return Response()

        def get_historical_features(self, entity_df: Any, features: List[str]) -> Job:
            record("get_historical_features", features=features, rows=len(entity_df))
            return Job()

        def materialize(self, start_date: datetime, end_date: datetime) -> None:
            record("materialize", start_date=start_date, end_date=end_date)

    fake_module(monkeypatch, "feast", FeatureStore=FeatureStore)
    monkeypatch.delenv(store.FEAST_REPO_ENV, raising=False)
    adapter = build_store("feast")
    assert isinstance(adapter, store.FeastFeatureStore)
    assert record.calls == []  # the SDK is used on first call, not on construction
    assert adapter.write_features(view["name"], [row(view, "e1", T0, 1)]) == 1
    repo = Path(record.last("FeatureStore")["repo_path"])
    assert (repo / "feature_store.yaml").is_file() and (repo / "features.py").is_file()
    expected_writes = ["write_to_online_store", "write_to_offline_store"] if view["online"] else ["write_to_offline_store"]
    assert [n for n in record.names() if n.startswith("write_")] == expected_writes
    assert record.last("write_to_offline_store") == {"feature_view_name": view["name"], "rows": 1}
    online = adapter.get_online_features(["e1", "e2"], views=[view["name"]] if view["online"] else None)
    if view["online"]:
        assert record.last("get_online_features") == {"features": [view["name"] + ":" + f["name"] for f in view["features"]], "entity_rows": [{ENTITY_KEY: "e1"}, {ENTITY_KEY: "e2"}]}
        assert {k: online[0][k] for k in features_of(view, 0)} == features_of(view, 4)
        assert {k: online[1][k] for k in features_of(view, 0)} == missing(view)
    (historical,) = adapter.get_historical_features([{ENTITY_KEY: "e1", EVENT_TIMESTAMP: T0}], views=[view["name"]])
    assert record.last("get_historical_features")["features"] == [view["name"] + ":" + f["name"] for f in view["features"]]
    assert {k: historical[k] for k in features_of(view, 0)} == features_of(view, 4)
    adapter.materialize(T0, "2024-01-02T00:00:00Z")
    assert record.last("materialize") == {"start_date": T0, "end_date": T0 + timedelta(days=1)}


def test_the_feast_repo_declares_the_views_the_client_reads() -> None:
    import importlib.util

    path = store.feast_repo_path() / "features.py"
    spec = importlib.util.spec_from_file_location("generated_feast_definitions", path)
    assert spec is not None and spec.loader is not None
    definitions = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(definitions)
    assert definitions.FEATURE_VIEWS == FEATURE_VIEWS
    assert (definitions.ENTITY_KEY, definitions.EVENT_TIMESTAMP) == (ENTITY_KEY, EVENT_TIMESTAMP)
    assert definitions.feature_refs() == store.feature_refs(ONLINE_VIEWS)
`;
}

function tectonAdapterTest(): string {
  return String.raw`

# ---------------------------------------------------------------- the Tecton adapter against a fake tecton module
def test_tecton_adapter_calls_the_tecton_sdk(monkeypatch: pytest.MonkeyPatch) -> None:
    record = Recorder()
    view = ONLINE_VIEWS[0] if ONLINE_VIEWS else FEATURE_VIEWS[0]

    class Vector:
        def __init__(self, entity: str) -> None:
            self.entity = entity

        def to_dict(self) -> Dict[str, Any]:
            return {view["name"] + "." + k: v for k, v in features_of(view, 7).items()} if self.entity == "e1" else {}

    class Frame:
        def to_pandas(self) -> Any:
            import pandas

            return pandas.DataFrame([{ENTITY_KEY: "e1", EVENT_TIMESTAMP: T0, **{view["name"] + "__" + k: v for k, v in features_of(view, 7).items()}}])

    class Service:
        def get_online_features(self, join_keys: Dict[str, Any]) -> Vector:
            record("get_online_features", join_keys=join_keys)
            return Vector(join_keys[ENTITY_KEY])

        def get_historical_features(self, spine: Any, timestamp_key: str) -> Frame:
            record("get_historical_features", rows=len(spine), timestamp_key=timestamp_key)
            return Frame()

    class View:
        def __init__(self, name: str) -> None:
            self.name = name

        def trigger_materialization_job(self, start_time: datetime, end_time: datetime, online: bool, offline: bool) -> None:
            record("trigger_materialization_job", view=self.name, start_time=start_time, end_time=end_time, online=online, offline=offline)

    class Workspace:
        def get_feature_service(self, name: str) -> Service:
            record("get_feature_service", name=name)
            return Service()

        def get_feature_view(self, name: str) -> View:
            return View(name)

    def get_workspace(name: str) -> Workspace:
        record("get_workspace", name=name)
        return Workspace()

    fake_module(monkeypatch, "tecton", get_workspace=get_workspace)
    monkeypatch.delenv(store.TECTON_WORKSPACE_ENV, raising=False)
    adapter = build_store("tecton")
    assert isinstance(adapter, store.TectonFeatureStore)
    assert record.calls == []
    with pytest.raises(store.FeatureStoreError):
        adapter.write_features(view["name"], [row(view, "e1", T0, 1)])
    if view["online"]:
        online = adapter.get_online_features(["e1", "e2"], views=[view["name"]])
        assert record.last("get_workspace") == {"name": store.TECTON_DEFAULT_WORKSPACE}
        assert record.last("get_feature_service") == {"name": store.FEATURE_SERVICE}
        assert [kwargs for name, kwargs in record.calls if name == "get_online_features"] == [{"join_keys": {ENTITY_KEY: "e1"}}, {"join_keys": {ENTITY_KEY: "e2"}}]
        assert {k: online[0][k] for k in features_of(view, 0)} == features_of(view, 7)
        assert {k: online[1][k] for k in features_of(view, 0)} == missing(view)
    (historical,) = adapter.get_historical_features([{ENTITY_KEY: "e1", EVENT_TIMESTAMP: T0}], views=[view["name"]])
    assert record.last("get_historical_features") == {"rows": 1, "timestamp_key": EVENT_TIMESTAMP}
    assert {k: historical[k] for k in features_of(view, 0)} == features_of(view, 7)
    assert set(adapter.materialize(T0, T0 + timedelta(days=1))) == {v["name"] for v in FEATURE_VIEWS}
    jobs = [kwargs for name, kwargs in record.calls if name == "trigger_materialization_job"]
    assert [(j["view"], j["online"], j["start_time"], j["end_time"]) for j in jobs] == [(v["name"], v["online"], T0, T0 + timedelta(days=1)) for v in FEATURE_VIEWS]


def test_the_tecton_repo_declares_the_views_the_client_reads() -> None:
    import importlib.util

    path = Path(store.__file__).resolve().parents[4] / "features" / "tecton" / "features.py"
    spec = importlib.util.spec_from_file_location("generated_tecton_definitions", path)
    assert spec is not None and spec.loader is not None
    definitions = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(definitions)
    assert definitions.FEATURE_VIEWS == FEATURE_VIEWS
    assert (definitions.ENTITY_KEY, definitions.EVENT_TIMESTAMP) == (ENTITY_KEY, EVENT_TIMESTAMP)
    assert definitions.feature_columns() == [f["name"] for v in ONLINE_VIEWS for f in v["features"]]
`;
}

function databricksAdapterTest(): string {
  return String.raw`

# ---------------------------------------------------------------- the Databricks adapter against fake SDK modules
def test_databricks_adapter_calls_the_feature_engineering_client(monkeypatch: pytest.MonkeyPatch) -> None:
    record = Recorder()
    view = ONLINE_VIEWS[0] if ONLINE_VIEWS else FEATURE_VIEWS[0]

    class SparkFrame:
        def __init__(self, frame: Any) -> None:
            self.frame = frame

        def toPandas(self) -> Any:  # noqa: N802 - the Spark API
            return self.frame

    class Spark:
        def createDataFrame(self, frame: Any) -> SparkFrame:  # noqa: N802 - the Spark API
            record("createDataFrame", rows=len(frame))
            return SparkFrame(frame)

    class FeatureLookup:
        def __init__(self, **kwargs: Any) -> None:
            record("FeatureLookup", **kwargs)

    class TrainingSet:
        def __init__(self, df: SparkFrame) -> None:
            self.df = df

        def load_df(self) -> SparkFrame:
            import pandas

            joined = self.df.frame.assign(**features_of(view, 3))
            return SparkFrame(pandas.DataFrame(joined))

    class FeatureEngineeringClient:
        def write_table(self, name: str, df: SparkFrame, mode: str) -> None:
            record("write_table", name=name, mode=mode)

        def create_training_set(self, df: SparkFrame, feature_lookups: List[Any], label: Any) -> TrainingSet:
            record("create_training_set", lookups=len(feature_lookups), label=label)
            return TrainingSet(df)

    class Response:
        outputs = [features_of(view, 9)]

    class Endpoints:
        def query(self, name: str, dataframe_records: List[Dict[str, Any]]) -> Response:
            record("query", name=name, dataframe_records=dataframe_records)
            return Response()

    class OnlineTables:
        def get(self, name: str) -> Any:
            record("online_tables.get", name=name)
            return types.SimpleNamespace(spec=types.SimpleNamespace(pipeline_id="pipeline-" + name))

    class Pipelines:
        def start_update(self, pipeline_id: str) -> None:
            record("start_update", pipeline_id=pipeline_id)

    class WorkspaceClient:
        serving_endpoints = Endpoints()
        online_tables = OnlineTables()
        pipelines = Pipelines()

    fake_module(monkeypatch, "databricks")
    fake_module(monkeypatch, "databricks.feature_engineering", FeatureEngineeringClient=FeatureEngineeringClient, FeatureLookup=FeatureLookup)
    fake_module(monkeypatch, "databricks.sdk", WorkspaceClient=WorkspaceClient)
    adapter = build_store("databricks", spark=Spark())
    assert isinstance(adapter, store.DatabricksFeatureStore)
    assert adapter.write_features(view["name"], [row(view, "e1", T0, 1), row(view, "e2", T0, 2)]) == 2
    table = store.CATALOG + "." + store.SCHEMA + "." + view["name"]
    assert record.last("write_table") == {"name": table, "mode": "merge"}
    assert record.last("createDataFrame") == {"rows": 2}
    online = adapter.get_online_features(["e1", "e2"], views=[view["name"]] if view["online"] else None)
    assert record.last("query") == {"name": store.SERVING_ENDPOINT, "dataframe_records": [{ENTITY_KEY: "e1"}, {ENTITY_KEY: "e2"}]}
    if view["online"]:
        assert {k: online[0][k] for k in features_of(view, 0)} == features_of(view, 9)
        assert {k: online[1][k] for k in features_of(view, 0)} == missing(view)
    (historical,) = adapter.get_historical_features([{ENTITY_KEY: "e1", EVENT_TIMESTAMP: T0}], views=[view["name"]])
    assert record.last("FeatureLookup") == {"table_name": table, "lookup_key": ENTITY_KEY, "timestamp_lookup_key": EVENT_TIMESTAMP, "feature_names": [f["name"] for f in view["features"]]}
    assert record.last("create_training_set") == {"lookups": 1, "label": None}
    assert {k: historical[k] for k in features_of(view, 0)} == features_of(view, 3)
    assert set(adapter.materialize(T0, T0 + timedelta(days=1))) == {v["name"] for v in ONLINE_VIEWS}
    assert [kwargs["pipeline_id"] for name, kwargs in record.calls if name == "start_update"] == ["pipeline-" + store.table_name(v["name"]) + "_online" for v in ONLINE_VIEWS]


def test_the_databricks_tables_are_the_views_the_client_reads() -> None:
    import importlib.util

    path = Path(store.__file__).resolve().parents[4] / "features" / "databricks" / "feature_tables.py"
    spec = importlib.util.spec_from_file_location("generated_databricks_tables", path)
    assert spec is not None and spec.loader is not None
    definitions = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(definitions)
    assert definitions.FEATURE_VIEWS == FEATURE_VIEWS
    assert [definitions.table_name(v) for v in FEATURE_VIEWS] == [store.table_name(v["name"]) for v in FEATURE_VIEWS]
`;
}

function redisAdapterTest(): string {
  return String.raw`

# ---------------------------------------------------------------- the Redis store against a fake redis module
class FakeRedis:
    """A redis.Redis stand-in: SET with EX and GET, through pipelines only; records every command."""

    def __init__(self, record: Recorder) -> None:
        self.record = record
        self.data: Dict[str, Any] = {}

    def pipeline(self, transaction: bool = True) -> "FakePipeline":
        self.record("pipeline", transaction=transaction)
        return FakePipeline(self)


class FakePipeline:
    def __init__(self, server: FakeRedis) -> None:
        self.server = server
        self.queued: List[Any] = []

    def set(self, key: str, value: str, ex: int) -> None:
        self.server.record("set", key=key, ex=ex)
        self.queued.append(("set", key, value, ex))

    def get(self, key: str) -> None:
        self.queued.append(("get", key))

    def execute(self) -> List[Any]:
        self.server.record("execute", commands=len(self.queued))
        out: List[Any] = []
        for command in self.queued:
            if command[0] == "set":
                self.server.data[command[1]] = (command[2], command[3])
                out.append(True)
            else:
                entry = self.server.data.get(command[1])
                out.append(entry[0].encode("utf-8") if entry else None)
        return out


def test_redis_store_uses_the_key_ttl_and_pipelined_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    record = Recorder()
    server = FakeRedis(record)

    class Redis:
        @staticmethod
        def from_url(url: str, socket_timeout: float, decode_responses: bool) -> FakeRedis:
            record("from_url", url=url, socket_timeout=socket_timeout)
            return server

    fake_module(monkeypatch, "redis", Redis=Redis)
    monkeypatch.setenv(store.REDIS_URL_ENV, "redis://cache:6379/1")
    adapter = build_store("custom", offline=store.MemoryOfflineLog())
    memory = InMemoryFeatureStore(clock=Clock())
    assert isinstance(adapter, store.RedisFeatureStore)
    assert record.calls == []
    for view in FEATURE_VIEWS:  # offline-only views go to the offline log alone
        batch = [row(view, "e1", T0, 1), row(view, "e2", T0, 2), row(view, "e1", T0 + timedelta(hours=1), 3)]
        adapter.write_features(view["name"], batch)
        memory.write_features(view["name"], batch)
    assert record.calls[:1] == ([("from_url", {"url": "redis://cache:6379/1", "socket_timeout": store.READ_TIMEOUT_SECONDS})] if ONLINE_VIEWS else [])
    sets = [kwargs for name, kwargs in record.calls if name == "set"]
    assert sets == [{"key": make_key(view["name"], e), "ex": ttl_seconds(view)} for view in ONLINE_VIEWS for e in ("e1", "e2")]
    # The same keys, JSON values and TTLs as the in-memory backend.
    assert {key: value for key, (value, _ex) in server.data.items()} == {key: value for key, (value, _expires) in memory.data.items()}
    before = len([n for n in record.names() if n == "execute"])
    rows = adapter.get_online_features(["e1", "e2", "unknown"])
    executes = [kwargs for name, kwargs in record.calls if name == "execute"][before:]
    assert executes == ([{"commands": 3 * len(ONLINE_VIEWS)}] if ONLINE_VIEWS else [])  # one round trip for every entity and view
    assert rows == memory.get_online_features(["e1", "e2", "unknown"])
    for view in ONLINE_VIEWS:
        assert {k: rows[0][k] for k in features_of(view, 0)} == features_of(view, 3)
        assert {k: rows[2][k] for k in features_of(view, 0)} == missing(view)
    entity_rows = [{ENTITY_KEY: "e1", EVENT_TIMESTAMP: T0 + timedelta(minutes=30)}]
    assert adapter.get_historical_features(entity_rows) == memory.get_historical_features(entity_rows)


def test_the_custom_store_yaml_matches_the_client() -> None:
    import yaml

    path = Path(store.__file__).resolve().parents[4] / "features" / "custom" / "feature_store.yaml"
    described = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert described["online"]["key_template"] == store.KEY_TEMPLATE
    assert described["online"]["connection_string_env"] == store.REDIS_URL_ENV
    assert [(v["name"], v["features"], v["ttl_seconds"], v["online"]) for v in described["views"]] == [
        (v["name"], [f["name"] for f in v["features"]], ttl_seconds(v), v["online"]) for v in FEATURE_VIEWS
    ]
`;
}

export function storeTestsModule(pkg: string, b: StoreBinding): string {
  const online = b.views.some((v) => v.online);
  const adapterTest = { feast: feastAdapterTest, tecton: tectonAdapterTest, databricks: databricksAdapterTest, custom: redisAdapterTest }[b.option]();
  return [
    HEADER(pkg, `Contract of the feature-store client: the in-memory backend against the interface (key, TTL, point-in-time joins) and the ${b.option} adapter against a fake SDK.`, 'integration'),
    `ADAPTER_CLASS = ${pyLiteral(ADAPTER_CLASS[b.option])}\n`,
    SHARED,
    MEMORY_CONTRACT,
    online ? MEMORY_ONLINE : '',
    adapterTest,
  ].join('');
}

type BiasKind = 'classification' | 'ranking' | 'regression';

function biasKind(plan: SciencePlan): BiasKind {
  const names = plan.bias.metrics.map((m) => m.name);
  if (names.includes('demographic_parity_difference')) return 'classification';
  if (names.includes('exposure_ratio')) return 'ranking';
  return 'regression';
}

const BIAS_FRAMES: Record<BiasKind, string> = {
  // Half the rows per group, half of each group positive; the fair model predicts the label, the biased one never
  // selects group g1.
  classification: String.raw`
def frame(biased: bool) -> Tuple[List[Any], List[Any], List[str]]:
    groups = ["g0" if i < N // 2 else "g1" for i in range(N)]
    labels = [1 if i % 4 in (0, 1) else 0 for i in range(N)]
    predictions = [0 if biased and g == "g1" else y for y, g in zip(labels, groups)]
    return predictions, labels, groups
`,
  // Every fifth row relevant in both groups; the fair scores interleave the groups, the biased ones push g1 below g0.
  ranking: String.raw`
def frame(biased: bool) -> Tuple[List[Any], List[Any], List[str]]:
    groups = ["g0" if i < N // 2 else "g1" for i in range(N)]
    labels = [1 if i % 5 == 0 else 0 for i in range(N)]
    scores = [10.0 * y + (i % (N // 2)) / 1000.0 - (100.0 if biased and g == "g1" else 0.0) for i, (y, g) in enumerate(zip(labels, groups))]
    return scores, labels, groups
`,
  // The fair model errs by one unit either way in both groups; the biased one over-predicts g1 by 20 units.
  regression: String.raw`
def frame(biased: bool) -> Tuple[List[Any], List[Any], List[str]]:
    groups = ["g0" if i < N // 2 else "g1" for i in range(N)]
    targets = [100.0 + i % 10 for i in range(N)]
    predictions = [t + (20.0 if biased and g == "g1" else (1.0 if i % 2 else -1.0)) for i, (t, g) in enumerate(zip(targets, groups))]
    return predictions, targets, groups
`,
};

/** ml/tests/features/test_feature_bias.py, or null when the spec declares no protected attribute. */
export function biasTestsModule(pkg: string, plan: SciencePlan): string | null {
  if (plan.protected_attributes.length === 0) return null;
  const kind = biasKind(plan);
  return String.raw`"""Bias rules of the protected attributes (${kind} metrics) on a frame with a known disparity and on a fair one."""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

import pytest

from ${pkg}.features.validation import BIAS_RULES, PROTECTED_ATTRIBUTES, check_bias

pytestmark = pytest.mark.unit

N = 200
EXPECTED_ATTRIBUTES = ${pyLiteral(plan.protected_attributes)}
EXPECTED_RULES = ${pyLiteral(plan.bias.metrics.map((m) => m.name))}
${BIAS_FRAMES[kind]}

def run(biased: bool) -> List[Dict[str, Any]]:
    predictions, labels, groups = frame(biased)
    return check_bias(predictions, labels, {name: groups for name in PROTECTED_ATTRIBUTES})


def test_every_protected_attribute_gets_every_rule() -> None:
    assert PROTECTED_ATTRIBUTES == EXPECTED_ATTRIBUTES
    assert [rule["name"] for rule in BIAS_RULES] == EXPECTED_RULES
    results = run(biased=False)
    assert sorted((r["attribute"], r["metric"]) for r in results) == sorted((a, m) for a in EXPECTED_ATTRIBUTES for m in EXPECTED_RULES)


def test_a_fair_model_passes_every_rule() -> None:
    failed = [r for r in run(biased=False) if not r["passed"]]
    assert failed == []


def test_a_known_disparity_is_flagged_by_every_rule() -> None:
    passed = [r for r in run(biased=True) if r["passed"]]
    assert passed == []


def test_groups_must_align_with_predictions() -> None:
    predictions, labels, groups = frame(biased=False)
    with pytest.raises(ValueError):
        check_bias(predictions, labels, {PROTECTED_ATTRIBUTES[0]: groups[:-1]})
`;
}
