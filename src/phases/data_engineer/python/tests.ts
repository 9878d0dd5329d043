
// ml/tests/data/*: the tests of the data layer's generated code. They read the sources, columns and suites from
// the generated modules (validation.CONTRACTS, incremental.SOURCES, the suite files), so one file works for
// every spec; a spec with several sources of different kinds runs every case per source.

export function dataConftest(pkg: string): string {
  return String.raw`"""Helpers of the data-layer tests: valid records of every source, built from the data contract."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List

from ${pkg}.data.validation import CONTRACTS

BASE_TIME = datetime(2024, 1, 1, tzinfo=timezone.utc)


def valid_value(column: Dict[str, Any], position: int) -> Any:
    kind = column["type"]
    if kind == "label":
        if column.get("allowed"):
            return column["allowed"][position % len(column["allowed"])]
        kind = {"integer": "integer", "string": "text"}.get(column.get("label_type"), "numeric")
    low, high = column.get("min"), column.get("max")
    if kind == "key":
        return "key-" + str(position)
    if kind == "timestamp":
        return (BASE_TIME + timedelta(minutes=position)).isoformat()
    if kind in ("numeric", "integer"):
        if low is not None and high is not None:
            value = low + (high - low) / 2
        elif low is not None:
            value = low + 1
        elif high is not None:
            value = high - 1
        else:
            value = 1.5
        return int(value) if kind == "integer" else float(value)
    if kind == "boolean":
        return position % 2 == 0
    if kind == "categorical":
        categories = column.get("categories")
        return categories[position % len(categories)] if categories else "category"
    return "some text"


def make_rows(source: str, count: int, start: int = 0) -> List[Dict[str, Any]]:
    columns = CONTRACTS[source]["columns"]
    return [{name: valid_value(column, start + i) for name, column in columns.items()} for i in range(count)]

`;
}

export function modelsTest(pkg: string): string {
  return String.raw`"""The pydantic models accept valid records and reject each kind of contract violation."""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

import pytest

from ${pkg}.data import models
from ${pkg}.data.validation import CONTRACTS
from data_support import make_rows

pytestmark = pytest.mark.unit

SOURCES = sorted(CONTRACTS)


def _columns(predicate: Any) -> List[Tuple[str, str, Dict[str, Any]]]:
    return [(s, name, c) for s in SOURCES for name, c in CONTRACTS[s]["columns"].items() if predicate(c)]


def _kind(column: Dict[str, Any]) -> str:
    if column["type"] != "label":
        return column["type"]
    return {"integer": "integer", "string": "text"}.get(column.get("label_type"), "numeric")


def _rejected(source: str, record: Dict[str, Any]) -> List[Tuple[str, str]]:
    with pytest.raises(models.ValidationError) as caught:
        models.parse_record(source, record)
    return models.error_locations(caught.value)


def test_every_source_has_a_model() -> None:
    assert sorted(models.MODELS) == SOURCES


@pytest.mark.parametrize("source", SOURCES)
def test_valid_records_are_accepted_and_round_trip(source: str) -> None:
    for record in make_rows(source, 5):
        parsed = models.parse_record(source, record)
        dumped = models.to_record(parsed)
        assert sorted(dumped) == sorted(record)


@pytest.mark.parametrize(("source", "name", "column"), _columns(lambda c: not c["nullable"]))
def test_missing_required_column_is_rejected(source: str, name: str, column: Dict[str, Any]) -> None:
    record = make_rows(source, 1)[0]
    del record[name]
    assert name in [loc for loc, _ in _rejected(source, record)]


@pytest.mark.parametrize(("source", "name", "column"), _columns(lambda c: c["nullable"]))
def test_nullable_column_accepts_none(source: str, name: str, column: Dict[str, Any]) -> None:
    record = make_rows(source, 1)[0]
    record[name] = None
    models.parse_record(source, record)


WRONG_TYPE = {
    "key": [1.5, ["k"]],
    "timestamp": ["not a time"],
    "numeric": ["not a number", True],
    "integer": ["seven", 1.5, True],
    "boolean": ["perhaps"],
    "categorical": [{"a": 1}, 7],
    "text": [7, ["x"]],
}


@pytest.mark.parametrize(("source", "name", "column"), _columns(lambda c: True))
def test_wrong_type_is_rejected(source: str, name: str, column: Dict[str, Any]) -> None:
    for bad in WRONG_TYPE[_kind(column)]:
        record = make_rows(source, 1)[0]
        record[name] = bad
        assert name in [loc for loc, _ in _rejected(source, record)], bad


@pytest.mark.parametrize(("source", "name", "column"), _columns(lambda c: (c.get("min") is not None or c.get("max") is not None) and not c.get("allowed")))
def test_out_of_range_is_rejected(source: str, name: str, column: Dict[str, Any]) -> None:
    for bound, delta in ((column.get("min"), -1), (column.get("max"), 1)):
        if bound is None:
            continue
        record = make_rows(source, 1)[0]
        record[name] = bound + delta
        assert name in [loc for loc, _ in _rejected(source, record)]
        record[name] = bound
        models.parse_record(source, record)


@pytest.mark.parametrize(("source", "name", "column"), _columns(lambda c: bool(c.get("categories") or c.get("allowed"))))
def test_value_outside_the_category_set_is_rejected(source: str, name: str, column: Dict[str, Any]) -> None:
    record = make_rows(source, 1)[0]
    record[name] = "__not_a_category__" if column.get("categories") else 987654321
    assert name in [loc for loc, _ in _rejected(source, record)]


@pytest.mark.parametrize("source", SOURCES)
def test_unknown_fields_are_rejected(source: str) -> None:
    record = make_rows(source, 1)[0]
    record["__unexpected_field__"] = 1
    assert "__unexpected_field__" in [loc for loc, _ in _rejected(source, record)]


@pytest.mark.parametrize("source", SOURCES)
def test_validate_records_splits_valid_and_invalid(source: str) -> None:
    records = make_rows(source, 3)
    records[1] = {**records[1], "__unexpected_field__": 1}
    valid, invalid = models.validate_records(source, records)
    assert len(valid) == 2
    assert [position for position, _ in invalid] == [1]
`;
}

export function expectationsTest(pkg: string): string {
  return String.raw`"""The expectation suite files and the runner: every expectation type the suites use passes and fails as GE's would."""

from __future__ import annotations

import copy
import json
from typing import Any, Dict, List

import pytest

pd = pytest.importorskip("pandas")

from ${pkg}.data import expectations, lineage  # noqa: E402
from ${pkg}.data.validation import CONTRACTS  # noqa: E402
from data_support import make_rows  # noqa: E402

pytestmark = pytest.mark.unit

SOURCES = sorted(CONTRACTS)
OLD = "2000-01-01T00:00:00+00:00"
FUTURE = "2999-01-01T00:00:00+00:00"


def suite(source: str) -> Dict[str, Any]:
    return expectations.load_suite(source)


def frame(source: str, n: int = 50) -> Any:
    return pd.DataFrame(make_rows(source, n))


def cases() -> List[Any]:
    """The first expectation of every type in every source's suite."""
    out = []
    for source in SOURCES:
        seen = set()
        for e in suite(source)["expectations"]:
            if e["expectation_type"] not in seen:
                seen.add(e["expectation_type"])
                out.append(pytest.param(source, e, id=source + "-" + e["expectation_type"]))
    return out


def only(expectation: Dict[str, Any], name: str) -> Dict[str, Any]:
    return {"expectation_suite_name": name, "expectations": [expectation]}


class Sized:
    def __init__(self, n: int) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n


def breaking(source: str, e: Dict[str, Any]) -> Any:
    """A frame (or stand-in) violating the expectation."""
    kind, kw = e["expectation_type"], e["kwargs"]
    data = frame(source)
    if kind == "expect_column_to_exist":
        return data.drop(columns=[kw["column"]])
    if kind == "expect_column_values_to_not_be_null":
        data[kw["column"]] = None
        return data
    if kind == "expect_column_values_to_be_in_type_list":
        data[kw["column"]] = [["wrong"]] * len(data)
        return data
    if kind == "expect_column_values_to_be_dateutil_parseable":
        data[kw["column"]] = "not a date"
        return data
    if kind == "expect_column_values_to_be_between":
        data[kw["column"]] = kw["max_value"] + 1 if kw.get("max_value") is not None else kw["min_value"] - 1
        return data
    if kind == "expect_column_values_to_be_in_set":
        data[kw["column"]] = "__not_in_the_set__"
        return data
    if kind == "expect_compound_columns_to_be_unique":
        return pd.concat([data, data], ignore_index=True)
    if kind == "expect_table_row_count_to_be_between":
        return Sized(kw["max_value"] + 1 if kw.get("max_value") is not None else max(kw["min_value"] - 1, 0))
    if kind == "expect_column_max_to_be_between":
        return data
    raise AssertionError(f"no breaking case for {kind}")


def passing(source: str, e: Dict[str, Any]) -> Any:
    if e["expectation_type"] == "expect_table_row_count_to_be_between":
        return Sized(e["kwargs"]["min_value"])
    return frame(source)


@pytest.mark.parametrize("source", SOURCES)
def test_a_suite_file_per_source_with_only_implemented_types(source: str) -> None:
    s = suite(source)
    assert s["expectation_suite_name"].endswith("." + source)
    assert s["expectations"]
    for e in s["expectations"]:
        assert e["expectation_type"] in expectations.IMPLEMENTED
        assert set(e) == {"expectation_type", "kwargs", "meta"}
        assert e["meta"]["action"] in ("block", "quarantine", "warn")


@pytest.mark.parametrize(("source", "expectation"), cases())
def test_each_expectation_type_passes_and_fails(source: str, expectation: Dict[str, Any]) -> None:
    one = only(expectation, "t")
    good = expectations.run_suite(passing(source, expectation), one, {expectations.FRESHNESS_PARAMETER: OLD})
    assert good["success"], json.dumps(good["results"], default=str)
    params = {expectations.FRESHNESS_PARAMETER: FUTURE}
    bad = expectations.run_suite(breaking(source, expectation), one, params)
    assert not bad["success"]
    result = bad["results"][0]
    assert result["exception_info"]["raised_exception"] is False
    if "unexpected_count" in result["result"]:
        assert result["result"]["unexpected_count"] > 0
        assert result["result"]["partial_unexpected_list"]


@pytest.mark.parametrize("source", SOURCES)
def test_valid_records_pass_the_whole_suite_except_volume(source: str) -> None:
    s = copy.deepcopy(suite(source))
    s["expectations"] = [e for e in s["expectations"] if e["expectation_type"] != "expect_table_row_count_to_be_between"]
    result = expectations.run_suite(frame(source), s, {expectations.FRESHNESS_PARAMETER: OLD})
    assert result["success"], [r for r in result["results"] if not r["success"]]
    assert result["statistics"]["evaluated_expectations"] == len(s["expectations"])


def test_unknown_expectation_type_fails_without_raising() -> None:
    source = SOURCES[0]
    result = expectations.run_suite(frame(source), only({"expectation_type": "expect_something_new", "kwargs": {}, "meta": {}}, "t"))
    assert result["success"] is False
    assert result["results"][0]["exception_info"]["raised_exception"] is True


def test_validate_frame_falls_back_to_pandas_and_emits_lineage(tmp_path: Any) -> None:
    try:
        import great_expectations  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("great_expectations is installed: the adapter runs it instead")
    source = SOURCES[0]
    events = tmp_path / "events.jsonl"
    result = expectations.validate_frame(frame(source), source, lineage=lineage.JsonlEmitter(str(events)), parameters={expectations.FRESHNESS_PARAMETER: OLD})
    assert result["meta"]["engine"] == "pandas"
    written = [json.loads(line) for line in events.read_text().splitlines()]
    assert [e["eventType"] for e in written] == ["START", "COMPLETE"]
    assert written[1]["run"]["runId"] == result["meta"]["run_id"]
    assertions = written[1]["inputs"][0]["facets"]["dataQualityAssertions"]["assertions"]
    assert len(assertions) == result["statistics"]["evaluated_expectations"]
`;
}

export function incrementalTest(pkg: string): string {
  return String.raw`"""Incremental loads over two runs: the watermark advances, the overlap is de-duplicated, CDC deletes apply and a
crash between the load and the state write loses nothing."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta
from typing import Any, Dict, List

import pytest

from ${pkg}.data import incremental, lineage
from data_support import BASE_TIME, make_rows

pytestmark = pytest.mark.integration

WATERMARK_SOURCES = sorted(s for s, c in incremental.SOURCES.items() if c["loader"] == "watermark")
CDC_SOURCES = sorted(s for s, c in incremental.SOURCES.items() if c["loader"] == "cdc")
ALL = sorted(incremental.SOURCES)


def at(minutes: float) -> datetime:
    return BASE_TIME + timedelta(minutes=minutes)


def rows_between(source: str, start: int, count: int) -> List[Dict[str, Any]]:
    """Rows whose event time is BASE_TIME + position minutes (the watermark column of every source)."""
    return make_rows(source, count, start=start)


def emitter(tmp_path: Any) -> Any:
    return lineage.JsonlEmitter(str(tmp_path / "lineage.jsonl"))


def watermark_loader(source: str, rows: List[Dict[str, Any]], sink: Any, state: Any, tmp_path: Any) -> Any:
    cfg = incremental.SOURCES[source]
    return incremental.loader_for(source, sink, state, source=incremental.ListSource(rows, cfg["watermark_column"]), lineage=emitter(tmp_path))


class FailingOnce:
    """A state store whose first write fails (the process dies between the load and the state write)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.failed = False

    def get(self, source: str) -> Any:
        return self.inner.get(source)

    def put(self, source: str, state: Any) -> None:
        if not self.failed:
            self.failed = True
            raise RuntimeError("killed before the state write")
        self.inner.put(source, state)


@pytest.mark.skipif(not WATERMARK_SOURCES, reason="no batch or stream source in this spec")
@pytest.mark.parametrize("source", WATERMARK_SOURCES or ["-"])
def test_watermark_advances_and_overlap_is_deduplicated(source: str, tmp_path: Any) -> None:
    cfg = incremental.SOURCES[source]
    sink = incremental.MemorySink()
    state = incremental.LocalStateStore(str(tmp_path / "state.json"))
    first = rows_between(source, 0, 10)
    loader = watermark_loader(source, first, sink, state, tmp_path)
    one = loader.run(until=at(9))
    assert one.rows_written == 10
    assert incremental.to_datetime(state.get(source)["watermark"]) == at(9)

    lookback = cfg["lookback_minutes"]
    late = rows_between(source, 9, 1) if lookback == 0 else [dict(make_rows(source, 1, start=20)[0], **{cfg["watermark_column"]: at(9 - lookback / 2).isoformat()})]
    resent = first[-3:]  # the source re-delivers rows of the overlap window
    newer = rows_between(source, 10, 5)
    loader.source = incremental.ListSource(first + late + resent + newer, cfg["watermark_column"])
    two = loader.run(until=at(30))
    assert incremental.to_datetime(state.get(source)["watermark"]) == at(14)
    assert two.duplicates_dropped >= len(resent)
    keys = cfg["merge_keys"]
    expected = {incremental.key_of(r, keys) for r in first + late + newer}
    assert set(sink.rows) == expected
    assert len(sink.rows) == len(expected)


@pytest.mark.parametrize("source", ALL)
def test_latest_row_per_key_wins(source: str) -> None:
    cfg = incremental.SOURCES[source]
    row = make_rows(source, 1)[0]
    first, second, other = dict(row, version=1), dict(row, version=2), make_rows(source, 1, start=1)[0]
    kept, dropped = incremental.latest_by_key([first, other, second], cfg["merge_keys"], cfg["watermark_column"])
    assert dropped == 1
    assert [r.get("version") for r in kept] == [2, None]


@pytest.mark.skipif(not WATERMARK_SOURCES, reason="no batch or stream source in this spec")
@pytest.mark.parametrize("source", WATERMARK_SOURCES or ["-"])
def test_crash_between_load_and_state_write_loses_nothing(source: str, tmp_path: Any) -> None:
    cfg = incremental.SOURCES[source]
    sink = incremental.JsonFileSink(str(tmp_path / "processed.json"))
    inner = incremental.LocalStateStore(str(tmp_path / "state.json"))
    rows = rows_between(source, 0, 6)
    loader = watermark_loader(source, rows, sink, FailingOnce(inner), tmp_path)
    with pytest.raises(RuntimeError):
        loader.run(until=at(10))
    assert inner.get(source) is None  # the watermark did not move
    restarted = incremental.JsonFileSink(str(tmp_path / "processed.json"))
    loader.sink = restarted
    loader.run(until=at(10))
    assert len(restarted.rows) == 6
    assert incremental.to_datetime(inner.get(source)["watermark"]) == at(5)
    events = [json.loads(line) for line in (tmp_path / "lineage.jsonl").read_text().splitlines()]
    assert [e["eventType"] for e in events] == ["START", "FAIL", "START", "COMPLETE"]
    assert events[0]["job"]["name"] == cfg["lineage_job"]


def debezium(op: str, before: Any, after: Any, ts: int) -> Dict[str, Any]:
    return {"schema": {}, "payload": {"op": op, "before": before, "after": after, "ts_ms": ts, "source": {"connector": "postgresql"}}}


@pytest.mark.skipif(not CDC_SOURCES, reason="no CDC source in this spec")
@pytest.mark.parametrize("source", CDC_SOURCES or ["-"])
def test_cdc_events_upsert_update_and_delete_over_two_runs(source: str, tmp_path: Any) -> None:
    cfg = incremental.SOURCES[source]
    keys = cfg["merge_keys"]
    a, b, c = make_rows(source, 3)
    sink = incremental.MemorySink()
    state = incremental.LocalStateStore(str(tmp_path / "state.json"))
    loader = incremental.loader_for(source, sink, state, lineage=emitter(tmp_path))
    first = [(0, debezium("r", None, a, 1)), (1, debezium("c", None, b, 2)), (2, debezium("c", None, c, 3)), (3, None)]
    loader.run(first)
    assert len(sink.rows) == 3
    assert state.get(source)["offset"] == 3

    b_changed = dict(b)
    second = first + [(4, debezium("u", b, b_changed, 4)), (5, debezium("d", a, None, 5)), (6, None)]
    result = loader.run(second)  # offsets 0..3 are replayed by the consumer and skipped
    assert result.skipped_events == 4
    assert incremental.key_of(a, keys) not in sink.rows
    assert sink.rows[incremental.key_of(b, keys)] == b_changed
    assert len(sink.rows) == 2
    assert state.get(source)["offset"] == 6


@pytest.mark.skipif(not CDC_SOURCES, reason="no CDC source in this spec")
@pytest.mark.parametrize("source", CDC_SOURCES or ["-"])
def test_cdc_crash_before_the_offset_write_replays_idempotently(source: str, tmp_path: Any) -> None:
    a, b = make_rows(source, 2)
    sink = incremental.MemorySink()
    inner = incremental.LocalStateStore(str(tmp_path / "state.json"))
    events = [(0, debezium("c", None, a, 1)), (1, debezium("c", None, b, 2)), (2, debezium("d", a, None, 3))]
    loader = incremental.loader_for(source, sink, FailingOnce(inner), lineage=emitter(tmp_path))
    with pytest.raises(RuntimeError):
        loader.run(events)
    loader.run(events)
    assert len(sink.rows) == 1
    assert inner.get(source)["offset"] == 2


def test_not_a_debezium_event_is_an_error() -> None:
    with pytest.raises(ValueError, match="Debezium"):
        incremental.parse_debezium({"payload": {"op": "x"}})
    assert incremental.parse_debezium(None) is None


def test_state_is_replaced_atomically(tmp_path: Any, monkeypatch: Any) -> None:
    path = tmp_path / "state.json"
    store = incremental.LocalStateStore(str(path))
    store.put("a", {"watermark": "2024-01-01T00:00:00+00:00"})
    original = path.read_text()

    def broken(src: str, dst: str) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(incremental.os, "replace", broken)
    with pytest.raises(OSError):
        store.put("a", {"watermark": "2030-01-01T00:00:00+00:00"})
    assert path.read_text() == original
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def test_sql_source_binds_parameters_and_quotes_identifiers(tmp_path: Any) -> None:
    table, column = 'odd "table"; DROP TABLE x; --', "updated at"
    conn = sqlite3.connect(str(tmp_path / "db.sqlite"))
    conn.execute(f"CREATE TABLE {incremental.quote_identifier(table)} (id TEXT, {incremental.quote_identifier(column)} TEXT)")
    conn.executemany(f"INSERT INTO {incremental.quote_identifier(table)} VALUES (?, ?)", [("a", at(1).isoformat()), ("b", at(2).isoformat()), ("c", at(3).isoformat())])
    source = incremental.SqlSource(conn, table, column, to_param=lambda d: d.isoformat())
    sql, params = source.query(at(1), at(3))
    assert "?" in sql and at(1).isoformat() not in sql
    assert params == [at(1).isoformat(), at(3).isoformat()]
    assert [r["id"] for r in source.read(at(1), at(3))] == ["b", "c"]
    assert [r["id"] for r in source.read(None, at(2))] == ["a", "b"]
    named = incremental.SqlSource(conn, table, column, paramstyle="pyformat")
    sql, params = named.query(at(1), at(2))
    assert "%(watermark_low)s" in sql and set(params) == {"watermark_low", "watermark_high"}
    conn.close()
`;
}

export function lineageTest(pkg: string): string {
  return String.raw`"""OpenLineage events: the JSON Lines fallback, the HTTP transport and the shape the loaders emit."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, Dict, List

import pytest

from ${pkg}.data import lineage
from ${pkg}.data.validation import CONTRACTS

pytestmark = pytest.mark.unit

SOURCES = sorted(CONTRACTS)


def read(path: Any) -> List[Dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.mark.parametrize("source", SOURCES)
def test_run_events_have_the_openlineage_shape(source: str, tmp_path: Any) -> None:
    path = tmp_path / "events.jsonl"
    run = lineage.LineageRun(lineage.JsonlEmitter(str(path)), "ingest_" + source, inputs=[lineage.source_dataset(source)], outputs=[lineage.processed_dataset(source)])
    run.start()
    run.complete()
    start, complete = read(path)
    assert (start["eventType"], complete["eventType"]) == ("START", "COMPLETE")
    for event in (start, complete):
        assert set(event) >= {"eventType", "eventTime", "producer", "schemaURL", "run", "job", "inputs", "outputs"}
        assert event["run"]["runId"] == run.run_id
        assert event["job"] == {"namespace": lineage.JOB_NAMESPACE, "name": "ingest_" + source, "facets": {}}
        assert event["eventTime"].endswith("Z")
    fields = [f["name"] for f in complete["outputs"][0]["facets"]["schema"]["fields"]]
    assert fields == list(CONTRACTS[source]["columns"])
    assert complete["inputs"][0]["namespace"] != complete["outputs"][0]["namespace"]


def test_fail_event_carries_the_error(tmp_path: Any) -> None:
    path = tmp_path / "events.jsonl"
    run = lineage.LineageRun(lineage.JsonlEmitter(str(path)), "job")
    run.start()
    try:
        raise ValueError("boom")
    except ValueError as error:
        run.fail(error)
    fail = read(path)[1]
    assert fail["eventType"] == "FAIL"
    assert fail["run"]["facets"]["errorMessage"]["message"] == "boom"
    assert "ValueError" in fail["run"]["facets"]["errorMessage"]["stackTrace"]


def test_unknown_state_is_rejected() -> None:
    with pytest.raises(ValueError):
        lineage.run_event("DONE", "job", "id", [], [])


def test_default_emitter_is_the_jsonl_file_without_a_url(tmp_path: Any, monkeypatch: Any) -> None:
    for name in ("OPENLINEAGE_URL", "OPENLINEAGE_CONFIG", lineage.ENV_PREFIX + "_OPENLINEAGE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(lineage.ENV_PREFIX + "_LINEAGE_FILE", str(tmp_path / "x.jsonl"))
    chosen = lineage.default_emitter()
    assert isinstance(chosen, lineage.JsonlEmitter)
    assert str(chosen.path) == str(tmp_path / "x.jsonl")


def test_a_broken_transport_never_fails_the_job() -> None:
    class Broken:
        def emit(self, event: Any) -> None:
            raise ConnectionError("down")

    lineage.LineageRun(Broken(), "job").start()


@pytest.mark.integration
def test_http_emitter_posts_to_the_lineage_endpoint() -> None:
    received: List[Any] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.path, json.loads(body)))
            self.send_response(201)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        emitter = lineage.HttpEmitter("http://127.0.0.1:%d" % server.server_port)
        lineage.LineageRun(emitter, "job").start()
    finally:
        server.shutdown()
    assert received[0][0] == "/api/v1/lineage"
    assert received[0][1]["eventType"] == "START"
`;
}

/** Files under ml/tests/data (paths relative to ml/tests). */
export function dataTestFiles(pkg: string): Record<string, string> {
  return {
    'data/data_support.py': dataConftest(pkg),
    'data/test_data_models.py': modelsTest(pkg),
    'data/test_data_expectations.py': expectationsTest(pkg),
    'data/test_data_incremental.py': incrementalTest(pkg),
    'data/test_data_lineage.py': lineageTest(pkg),
    'data/test_data_profiling.py': profilingTest(pkg),
  };
}

export function profilingTest(pkg: string): string {
  return String.raw`"""The profiler's reference sample: bounded, reproducible and in the CSV format the drift job reads."""

from __future__ import annotations

from typing import Any

import pytest

from ${pkg}.data import profiling
from ${pkg}.data.validation import CONTRACTS
from data_support import make_rows

pytestmark = pytest.mark.unit

SOURCES = sorted(CONTRACTS)


@pytest.mark.parametrize("source", SOURCES)
def test_reference_sample_is_bounded_and_reproducible(source: str) -> None:
    rows = make_rows(source, 200)
    columns, first = profiling.reference_sample(rows, source, size=25, seed=7)
    _, again = profiling.reference_sample(rows, source, size=25, seed=7)
    assert len(first) == 25 and first == again
    assert columns == [n for n, c in CONTRACTS[source]["columns"].items() if c["type"] != "key"]


@pytest.mark.parametrize("source", SOURCES)
def test_the_drift_job_reads_the_reference_sample(source: str, tmp_path: Any) -> None:
    drift = pytest.importorskip("${pkg}.observability.drift")
    rows = make_rows(source, 40)
    for name, column in CONTRACTS[source]["columns"].items():
        if column["nullable"]:
            rows[0][name] = None
    path = tmp_path / "reference.csv"
    profiling.write_reference_sample(str(path), *profiling.reference_sample(rows, source))
    table = drift.read_csv_columns(str(path))
    for name, column in CONTRACTS[source]["columns"].items():
        if column["type"] in ("key", "timestamp", "text"):
            continue
        if column["type"] in ("numeric", "integer") or column.get("label_type") in ("integer", "number"):
            values, missing = drift.numeric_column(table[name], name)
        else:
            values, missing = drift.categorical_column(table[name], column["type"] == "boolean")
        assert len(values) + missing == 40
        assert missing == (1 if column["nullable"] else 0)
`;
}
