import { pyLiteral, type PyValue } from '../../../generators/serializers/python.js';
import type { ResolvedSpec } from '../../../spec/resolve.js';
import type { StreamPlan } from '../derive.js';
import { classifies } from './model.js';

/** Invalid inputs the generated tests send, chosen from the declared features: [what, column, value]. */
export function badInputs(spec: ResolvedSpec): [string, string, PyValue][] {
  const out: [string, string, PyValue][] = [];
  const fs = spec.data.features.filter((f) => !f.protected);
  const numeric = fs.find((f) => f.type === 'numeric' || f.type === 'integer');
  if (numeric) out.push(['wrong type', numeric.name, 'not-a-number']);
  const ranged = fs.find((f) => (f.type === 'numeric' || f.type === 'integer') && (f.min !== undefined || f.max !== undefined));
  if (ranged) out.push(['out of range', ranged.name, ranged.max !== undefined ? ranged.max + 1 : ranged.min! - 1]);
  const categorical = fs.find((f) => f.type === 'categorical' && f.categories && f.categories.length > 0);
  if (categorical) out.push(['unknown category', categorical.name, `${categorical.categories!.join('')}-not-declared`]);
  const required = fs.find((f) => !f.nullable);
  if (required) out.push(['missing required feature', required.name, null]);
  return out;
}

/** tests/serving/serving_stand_in.py: a tiny picklable model honouring the model contract (no training code). */
export function standInPy(spec: ResolvedSpec): string {
  const classes = spec.problem.type === 'multiclass_classification' ? 3 : classifies(spec) ? 2 : 0;
  return String.raw`"""A stand-in model for the serving tests: the model contract without the training code.

predict(frame) over the raw feature columns, predict_proba(frame) for classification, feature_names.
"""

from __future__ import annotations

from typing import Any, List, Sequence

import numpy as np

CLASSES: int = ${classes}


class StandInModel:
    def __init__(self, feature_names: Sequence[str], fail: bool = False) -> None:
        self.feature_names: List[str] = list(feature_names)
        self.fail = fail
        self.seen_columns: List[List[str]] = []

    def _score(self, frame: Any) -> Any:
        if self.fail:
            raise RuntimeError("stand-in model failure")
        self.seen_columns.append(list(frame.columns))
        numbers = frame.select_dtypes(include="number").astype(float).fillna(0.0)
        return numbers.sum(axis=1).to_numpy() if len(numbers.columns) else np.zeros(len(frame))

    def predict(self, frame: Any) -> Any:
        score = self._score(frame)
        if CLASSES:
            return (np.floor(np.abs(score)) % CLASSES).astype(int)
        return score.astype(float)

    def predict_proba(self, frame: Any) -> Any:
        if not CLASSES:
            raise AttributeError("regression-like stand-in has no predict_proba")
        labels = self.predict(frame)
        proba = np.full((len(labels), CLASSES), 0.1 / max(1, CLASSES - 1))
        proba[np.arange(len(labels)), labels] = 0.9
        return proba
`;
}

export const HEADER = (what: string, marker: string) => String.raw`"""${what}"""

from __future__ import annotations

import pickle
from typing import Any, Dict, List

import pytest

from serving_stand_in import StandInModel
from support import ENTITY_KEY, FEATURES, PACKAGE, synthetic_rows

pytestmark = pytest.mark.${marker}

FEATURE_NAMES = [f["name"] for f in FEATURES]


INTEGER_FEATURES = {f["name"] for f in FEATURES if f["type"] == "integer"}


def plain(name: str, value: Any) -> Any:
    """A JSON value: numpy scalars as Python, missing (None, NaN, NA) as None, whole floats of integer features as int."""
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return None
    if isinstance(value, float) and value != value:
        return None
    value = value.item() if hasattr(value, "item") else value
    if name in INTEGER_FEATURES and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def request_row(row: Dict[str, Any]) -> Dict[str, Any]:
    """A synthetic row as a client sends it: the features and the entity key, nothing else."""
    out = {k: plain(k, row[k]) for k in FEATURE_NAMES}
    out.setdefault(ENTITY_KEY, plain(ENTITY_KEY, row[ENTITY_KEY]))
    return out


def stand_in(tmp_path: Any, fail: bool = False) -> Any:
    """The stand-in model pickled to a file, loaded as the server loads models."""
    import importlib

    schema = importlib.import_module(f"{PACKAGE}.serving.schema")
    served = importlib.import_module(f"{PACKAGE}.serving.model")
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(StandInModel(schema.MODEL_INPUTS, fail=fail)))
    return served.load(path)
`;

export function schemaTestPy(spec: ResolvedSpec): string {
  return String.raw`${HEADER('The request schema: declared features accepted, invalid values rejected, the vectorised check agreeing.', 'unit')}
pytest.importorskip("pydantic")
pd = pytest.importorskip("pandas")

BAD_INPUTS: List[Any] = ${pyLiteral(badInputs(spec) as unknown as PyValue)}


def schema() -> Any:
    import importlib

    return importlib.import_module(f"{PACKAGE}.serving.schema")


def test_synthetic_rows_are_valid_records() -> None:
    for row in synthetic_rows(200):
        schema().parse_record(request_row(row))


def test_unknown_field_is_rejected() -> None:
    import pydantic

    with pytest.raises(pydantic.ValidationError):
        schema().parse_record({**request_row(synthetic_rows(1)[0]), "not_a_declared_feature": 1})


@pytest.mark.parametrize(("what", "column", "value"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS] or None)
def test_bad_value_is_rejected_by_the_model_and_the_frame_check(what: str, column: str, value: Any) -> None:
    import pydantic

    row = request_row(synthetic_rows(1)[0])
    row[column] = value
    with pytest.raises(pydantic.ValidationError) as raised:
        schema().parse_record(row)
    assert column in str(raised.value)
    _, valid, reason = schema().check_frame(pd.DataFrame([row]))
    assert not bool(valid.iloc[0])
    assert reason.iloc[0].startswith(column)


def test_frame_check_accepts_what_the_request_model_accepts() -> None:
    rows = [request_row(r) for r in synthetic_rows(300, seed=3)]
    _, valid, reason = schema().check_frame(pd.DataFrame(rows))
    assert bool(valid.all()), list(reason[~valid])
`;
}

export function appTestPy(spec: ResolvedSpec): string {
  return String.raw`${HEADER('The model server over HTTP (FastAPI TestClient): predictions, validation errors, probes and metrics.', 'integration')}
pytest.importorskip("fastapi")
pytest.importorskip("httpx")
pytest.importorskip("prometheus_client")

BAD_INPUTS: List[Any] = ${pyLiteral(badInputs(spec) as unknown as PyValue)}
CLASSIFICATION: bool = ${classifies(spec) ? 'True' : 'False'}


def app_module() -> Any:
    import importlib

    return importlib.import_module(f"{PACKAGE}.serving.app")


@pytest.fixture()
def client(tmp_path: Any) -> Any:
    from fastapi.testclient import TestClient

    with TestClient(app_module().create_app(stand_in(tmp_path))) as test_client:
        yield test_client


def test_predict_one_record(client: Any) -> None:
    answer = client.post("/predict", json=request_row(synthetic_rows(1)[0]))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert "prediction" in body and body["model_version"]
    if CLASSIFICATION:
        assert abs(sum(body["probabilities"]) - 1.0) < 1e-6


def test_predict_batch(client: Any) -> None:
    rows = [request_row(r) for r in synthetic_rows(25)]
    answer = client.post("/predict/batch", json={"records": rows})
    assert answer.status_code == 200, answer.text
    assert len(answer.json()["predictions"]) == 25


def test_batch_size_is_bounded(client: Any) -> None:
    import importlib

    schema_max = importlib.import_module(f"{PACKAGE}.serving.schema").MAX_BATCH
    row = request_row(synthetic_rows(1)[0])
    assert client.post("/predict/batch", json={"records": [row] * (schema_max + 1)}).status_code == 422
    assert client.post("/predict/batch", json={"records": []}).status_code == 422


@pytest.mark.parametrize(("what", "column", "value"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS] or None)
def test_invalid_input_is_a_422_naming_the_field(client: Any, what: str, column: str, value: Any) -> None:
    row = request_row(synthetic_rows(1)[0])
    row[column] = value
    answer = client.post("/predict", json=row)
    assert answer.status_code == 422, what
    assert any(column in [str(p) for p in e["loc"]] for e in answer.json()["detail"]), answer.text


def test_unknown_field_is_a_422(client: Any) -> None:
    answer = client.post("/predict", json={**request_row(synthetic_rows(1)[0]), "not_a_declared_feature": 1})
    assert answer.status_code == 422
    assert any("not_a_declared_feature" in [str(p) for p in e["loc"]] for e in answer.json()["detail"]), answer.text


def test_health_and_ready(client: Any) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    ready = client.get("/ready")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"


def test_without_a_model_only_liveness_answers(tmp_path: Any, monkeypatch: Any) -> None:
    from fastapi.testclient import TestClient

    served = __import__(f"{PACKAGE}.serving.model", fromlist=["PATH_ENV"])
    monkeypatch.setenv(served.PATH_ENV, str(tmp_path / "missing.pkl"))
    with TestClient(app_module().create_app()) as no_model:
        assert no_model.get("/health").status_code == 200
        assert no_model.get("/ready").status_code == 503
        assert no_model.post("/predict", json=request_row(synthetic_rows(1)[0])).status_code == 503


def test_model_loaded_from_the_environment_at_start_up(tmp_path: Any, monkeypatch: Any) -> None:
    from fastapi.testclient import TestClient

    served = __import__(f"{PACKAGE}.serving.model", fromlist=["PATH_ENV"])
    stand_in(tmp_path)
    monkeypatch.setenv(served.PATH_ENV, str(tmp_path / "model.pkl"))
    with TestClient(app_module().create_app()) as loaded:
        assert loaded.get("/ready").status_code == 200
        assert loaded.post("/predict", json=request_row(synthetic_rows(1)[0])).status_code == 200


def test_metrics_use_the_alert_rule_names(client: Any) -> None:
    from prometheus_client.parser import text_string_to_metric_families

    client.post("/predict", json=request_row(synthetic_rows(1)[0]))
    client.post("/predict", json={"not_a_declared_feature": 1})
    answer = client.get("/metrics")
    assert answer.status_code == 200
    samples = [s for family in text_string_to_metric_families(answer.text) for s in family.samples]
    codes = {s.labels.get("code") for s in samples if s.name == "model_requests_total" and s.labels.get("endpoint") == "/predict"}
    assert {"200", "422"} <= codes
    assert any(s.name == "model_request_duration_seconds_bucket" and s.labels.get("endpoint") == "/predict" for s in samples)
    assert any(s.name == "model_predictions_total" and s.labels.get("mode") == "online" and s.value >= 1 for s in samples)


# Open Inference Protocol (v2): the routes KServe and Seldon send requests to.


def oip_module() -> Any:
    import importlib

    return importlib.import_module(f"{PACKAGE}.serving.oip")


def infer_path() -> str:
    return f"/v2/models/{app_module().served_model_name()}/infer"


def test_v2_codec_round_trips_records() -> None:
    oip = oip_module()
    rows = [request_row(r) for r in synthetic_rows(5)]
    decoded = oip.records_from_request(oip.request_from_records(rows))
    assert len(decoded) == 5
    for sent, got in zip(rows, decoded):
        for name, value in sent.items():
            assert got.get(name) == (float(value) if oip.DATATYPES[name] == "FP64" and value is not None else value), name
    scored = [{"prediction": 1, "probabilities": [0.25, 0.75]}, {"prediction": 0, "probabilities": [0.5, 0.5]}]
    assert oip.records_from_response(oip.response("m", "v", scored)) == scored


def test_v2_infer_scores_like_predict_batch(client: Any) -> None:
    rows = [request_row(r) for r in synthetic_rows(12)]
    answer = client.post(infer_path(), json={"id": "req-1", **oip_module().request_from_records(rows)})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["id"] == "req-1" and body["model_version"]
    batch = client.post("/predict/batch", json={"records": rows}).json()["predictions"]
    assert oip_module().records_from_response(body) == [{k: v for k, v in p.items()} for p in batch]


def test_v2_health_metadata_and_model_ready(client: Any) -> None:
    name = app_module().served_model_name()
    assert client.get("/v2/health/live").json() == {"live": True}
    assert client.get("/v2/health/ready").json() == {"ready": True}
    assert client.get(f"/v2/models/{name}/ready").json() == {"name": name, "ready": True}
    meta = client.get(f"/v2/models/{name}").json()
    assert {i["name"] for i in meta["inputs"]} == set(oip_module().DATATYPES)
    assert client.get("/v2/models/not-this-model").status_code == 404
    assert client.post("/v2/models/not-this-model/infer", json={"inputs": []}).status_code == 404


def test_v2_malformed_tensors_are_a_400_naming_the_input(client: Any) -> None:
    oip = oip_module()
    good = oip.request_from_records([request_row(r) for r in synthetic_rows(3)])
    first = good["inputs"][0]
    cases = {
        "not_a_declared_feature": {"inputs": [*good["inputs"], {"name": "not_a_declared_feature", "shape": [3], "datatype": "FP64", "data": [1, 2, 3]}]},
        first["name"]: {"inputs": [{**first, "shape": [4]}, *good["inputs"][1:]]},
        "datatype": {"inputs": [{**first, "datatype": "FP16"}, *good["inputs"][1:]]},
        "inputs": {"inputs": []},
    }
    for expected, body in cases.items():
        answer = client.post(infer_path(), json=body)
        assert answer.status_code == 400, (expected, answer.text)
        assert expected in answer.json()["error"], answer.text


@pytest.mark.parametrize(("what", "column", "value"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS] or None)
def test_v2_invalid_value_is_a_400_naming_the_row_and_field(client: Any, what: str, column: str, value: Any) -> None:
    rows = [request_row(r) for r in synthetic_rows(3)]
    rows[2][column] = value
    answer = client.post(infer_path(), json=oip_module().request_from_records(rows))
    assert answer.status_code == 400, what
    body = answer.json()
    assert body["error"].startswith("row 2") and any(column in e["loc"] for e in body["detail"]), answer.text


def test_v2_requests_are_counted_under_their_endpoint(client: Any) -> None:
    from prometheus_client.parser import text_string_to_metric_families

    client.post(infer_path(), json=oip_module().request_from_records([request_row(synthetic_rows(1)[0])]))
    samples = [s for family in text_string_to_metric_families(client.get("/metrics").text) for s in family.samples]
    assert any(s.name == "model_requests_total" and s.labels.get("endpoint") == infer_path() and s.labels.get("code") == "200" for s in samples)
`;
}

export function batchTestPy(): string {
  return String.raw`${HEADER('The batch scoring job on a small CSV: predictions with entity key and timestamp, rejects, shards.', 'integration')}
pd = pytest.importorskip("pandas")
pytest.importorskip("pydantic")


def batch() -> Any:
    import importlib

    return importlib.import_module(f"{PACKAGE}.serving.batch_score")


def input_csv(tmp_path: Any, n: int = 300) -> Any:
    rows = synthetic_rows(n)
    bad = dict(rows[0])
    required = next((f["name"] for f in FEATURES if not f["nullable"] and not f["protected"]), None)
    if required is not None:
        bad[required] = None
        bad[ENTITY_KEY] = "bad-row"
        rows.append(bad)
    path = tmp_path / "input.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path, required is not None


def test_scores_every_valid_row_with_key_and_timestamp(tmp_path: Any) -> None:
    from support import EVENT_TIMESTAMP

    path, has_bad = input_csv(tmp_path)
    result = batch().run(str(path), str(tmp_path / "out"), loaded=stand_in(tmp_path), chunk_rows=64)
    assert result["scored"] == 300
    assert result["rejected"] == (1 if has_bad else 0)
    out = pd.read_csv(result["output"])
    assert len(out) == 300
    assert {ENTITY_KEY, EVENT_TIMESTAMP, "prediction", "model_version", "scored_at"} <= set(out.columns)
    assert out["prediction"].notna().all()
    if has_bad:
        rejects = pd.read_csv(result["rejects"])
        assert list(rejects[ENTITY_KEY]) == ["bad-row"] and rejects["reason"].iloc[0]


def test_shards_are_disjoint_and_cover_the_input(tmp_path: Any) -> None:
    path, has_bad = input_csv(tmp_path)
    loaded = stand_in(tmp_path)
    keys: List[Any] = []
    total = 0
    for shard in range(3):
        result = batch().run(str(path), str(tmp_path / "out"), shards=3, shard=shard, loaded=loaded)
        total += result["scored"] + result["rejected"]
        keys.append(set(pd.read_csv(result["output"])[ENTITY_KEY].astype(str)))
    assert total == 300 + (1 if has_bad else 0)
    assert not (keys[0] & keys[1]) and not (keys[1] & keys[2]) and not (keys[0] & keys[2])


def test_command_line_as_the_cronjob_runs_it(tmp_path: Any, monkeypatch: Any) -> None:
    path, _ = input_csv(tmp_path, 50)
    stand_in(tmp_path)
    served = __import__(f"{PACKAGE}.serving.model", fromlist=["PATH_ENV"])
    monkeypatch.setenv(served.PATH_ENV, str(tmp_path / "model.pkl"))
    monkeypatch.delenv("PUSHGATEWAY", raising=False)
    assert batch().main(["--input", str(path), "--shards", "1", "--output-uri", str(tmp_path / "cli")]) == 0
    assert (tmp_path / "cli" / "part-00000.csv").is_file()
`;
}

export function streamTestPy(stream: StreamPlan): string {
  return String.raw`${HEADER(`The ${stream.source_kind} stream consumer with the in-memory source: scoring, dead letters, at-least-once.`, 'integration')}
import json

pytest.importorskip("pandas")
pytest.importorskip("pydantic")
pytest.importorskip("prometheus_client")


def consumer_module() -> Any:
    import importlib

    return importlib.import_module(f"{PACKAGE}.serving.stream_consumer")


def messages(n: int) -> List[Any]:
    m = consumer_module()
    good = [m.Message(json.dumps(request_row(r)).encode(), key=str(r[ENTITY_KEY]), position=i) for i, r in enumerate(synthetic_rows(n))]
    not_json = m.Message(b"{not json", position=n)
    unknown = m.Message(json.dumps({**request_row(synthetic_rows(1)[0]), "not_a_declared_feature": 1}).encode(), position=n + 1)
    return [*good, not_json, unknown]


def test_scores_valid_records_and_dead_letters_the_rest(tmp_path: Any) -> None:
    m = consumer_module()
    source, sink = m.InMemorySource(messages(5)), m.InMemorySink()
    counts = m.Consumer(source, sink, stand_in(tmp_path), micro_batch=100).run_once()
    assert counts == {"read": 7, "scored": 5, "dead_letter": 2}
    assert len(sink.sent[m.OUTPUT_TOPIC]) == 5
    assert all("prediction" in s["value"] for s in sink.sent[m.OUTPUT_TOPIC])
    dead = sink.sent[m.DEAD_LETTER_TOPIC]
    assert [d["value"]["reason"] for d in dead] == ["not a JSON object", "schema"]
    assert any("not_a_declared_feature" in e["loc"] for e in dead[1]["value"]["errors"])
    assert source.committed == 7


def test_a_failed_batch_is_not_committed_and_is_redelivered(tmp_path: Any) -> None:
    m = consumer_module()
    source, sink = m.InMemorySource(messages(4)), m.InMemorySink()
    with pytest.raises(RuntimeError):
        m.Consumer(source, sink, stand_in(tmp_path, fail=True), micro_batch=100).run_once()
    assert source.committed == 0
    source.rewind()  # what a restarted consumer sees
    counts = m.Consumer(source, m.InMemorySink(), stand_in(tmp_path), micro_batch=100).run_once()
    assert counts["scored"] == 4 and source.committed == 6


def test_records_are_scored_by_the_model_server_when_one_is_configured(tmp_path: Any) -> None:
    """MODEL_SERVER_URL (kserve, seldon): the micro-batch goes to /v2/models/<name>/infer as one request."""
    import importlib
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    m = consumer_module()
    oip = importlib.import_module(f"{PACKAGE}.serving.oip")
    loaded = stand_in(tmp_path)
    batches: List[int] = []

    class InferHandler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            rows = oip.records_from_request(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            batches.append(len(rows))
            out = json.dumps(oip.response("m", "v7", loaded.score_rows(rows))).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), InferHandler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        client = oip.InferenceClient(f"http://127.0.0.1:{server.server_port}/v2/models/m/infer")
        source, sink = m.InMemorySource(messages(5)), m.InMemorySink()
        counts = m.Consumer(source, sink, client, micro_batch=100).run_once()
    finally:
        server.shutdown()
    assert counts == {"read": 7, "scored": 5, "dead_letter": 2} and batches == [5]
    assert [s["value"]["model_version"] for s in sink.sent[m.OUTPUT_TOPIC]] == ["v7"] * 5
    with pytest.raises(oip.ProtocolError):
        oip.InferenceClient("file:///etc/passwd")


def test_micro_batches_commit_in_order(tmp_path: Any) -> None:
    m = consumer_module()
    source, sink = m.InMemorySource(messages(10)), m.InMemorySink()
    consumer = m.Consumer(source, sink, stand_in(tmp_path), micro_batch=4)
    assert consumer.run_once()["read"] == 4 and source.committed == 4
    consumer.run_once()
    consumer.run_once()
    assert source.committed == 12 and consumer.run_once()["read"] == 0


def test_stream_metrics_are_recorded(tmp_path: Any) -> None:
    import importlib

    from prometheus_client import REGISTRY

    m = consumer_module()
    pipeline = importlib.import_module(f"{PACKAGE}.observability.metrics").PIPELINE
    labels = {"pipeline": pipeline, "topic": m.TOPIC, "result": "dead_letter"}
    before = REGISTRY.get_sample_value("stream_messages_processed_total", labels) or 0.0
    m.Consumer(m.InMemorySource(messages(2)), m.InMemorySink(), stand_in(tmp_path)).run_once()
    assert REGISTRY.get_sample_value("stream_messages_processed_total", labels) == before + 2
    assert REGISTRY.get_sample_value("stream_consumer_lag_seconds", {"pipeline": pipeline, "topic": m.TOPIC, "consumer_group": m.CONSUMER_GROUP}) is not None


# ----------------------------------------------------------------- adapter contracts against recording fakes
# kafka-python and boto3 are not installed here: fakes with their call shapes record what the adapters ask for.


class _Record:
    def __init__(self, value: bytes, key: Any, offset: int, timestamp_ms: int) -> None:
        self.value, self.key, self.offset, self.timestamp = value, key, offset, timestamp_ms


def fake_kafka(monkeypatch: Any) -> Any:
    import sys
    import types
    from collections import namedtuple

    module = types.ModuleType("kafka")
    module.TopicPartition = namedtuple("TopicPartition", "topic partition")
    module.OffsetAndMetadata = namedtuple("OffsetAndMetadata", "offset metadata")
    module.calls = []

    class KafkaConsumer:
        def __init__(self, *topics: str, **config: Any) -> None:
            module.calls.append(("consumer", topics, config))
            self.batches = [{module.TopicPartition("in", 0): [_Record(b"a", b"k1", 5, 1_700_000_000_000), _Record(b"b", None, 6, 1_700_000_001_000)], module.TopicPartition("in", 1): [_Record(b"c", b"k3", 9, 1_700_000_002_000)]}]

        def poll(self, timeout_ms: int, max_records: int) -> Any:
            module.calls.append(("poll", timeout_ms, max_records))
            return self.batches.pop(0) if self.batches else {}

        def commit(self, offsets: Any) -> None:
            module.calls.append(("commit", offsets))

        def close(self) -> None:
            module.calls.append(("close",))

    class KafkaProducer:
        def __init__(self, **config: Any) -> None:
            module.calls.append(("producer", config))

        def send(self, topic: str, key: Any = None, value: Any = None) -> None:
            module.calls.append(("send", topic, key, value))

        def flush(self) -> None:
            module.calls.append(("flush",))

    module.KafkaConsumer, module.KafkaProducer = KafkaConsumer, KafkaProducer
    monkeypatch.setitem(sys.modules, "kafka", module)
    return module


def test_kafka_source_reads_without_auto_commit_and_commits_the_next_offset_per_partition(monkeypatch: Any) -> None:
    kafka = fake_kafka(monkeypatch)
    m = consumer_module()
    source = m.KafkaSource("in", "scorers", "b1:9092,b2:9092")
    _, topics, config = kafka.calls[0]
    assert topics == ("in",) and config["group_id"] == "scorers" and config["enable_auto_commit"] is False
    assert config["bootstrap_servers"] == ["b1:9092", "b2:9092"]
    got = source.poll(100, 0.5)
    assert kafka.calls[1] == ("poll", 500, 100)
    assert [(x.value, x.key, x.partition, x.position) for x in got] == [(b"a", "k1", "in:0", 5), (b"b", None, "in:0", 6), (b"c", "k3", "in:1", 9)]
    assert got[0].timestamp == 1_700_000_000.0
    source.commit(got)
    committed = kafka.calls[-1][1]
    assert {(tp.topic, tp.partition): meta.offset for tp, meta in committed.items()} == {("in", 0): 7, ("in", 1): 10}
    source.close()
    assert kafka.calls[-1] == ("close",)


def test_kafka_sink_waits_for_every_replica_and_encodes_keys(monkeypatch: Any) -> None:
    kafka = fake_kafka(monkeypatch)
    sink = consumer_module().KafkaSink("b1:9092")
    assert kafka.calls[0][1]["acks"] == "all"
    sink.send("out", "k1", b"{}")
    sink.send("out", None, b"{}")
    sink.flush()
    assert kafka.calls[1:] == [("send", "out", b"k1", b"{}"), ("send", "out", None, b"{}"), ("flush",)]


def fake_boto3(monkeypatch: Any) -> Any:
    import sys
    import types
    from datetime import datetime, timezone

    module = types.ModuleType("boto3")
    module.calls = []

    class Kinesis:
        def list_shards(self, **kwargs: Any) -> Any:
            module.calls.append(("list_shards", kwargs))
            return {"Shards": [{"ShardId": "shard-0"}]}

        def get_shard_iterator(self, **kwargs: Any) -> Any:
            module.calls.append(("get_shard_iterator", kwargs))
            return {"ShardIterator": f"it-{len(module.calls)}"}

        def get_records(self, **kwargs: Any) -> Any:
            module.calls.append(("get_records", kwargs))
            at = datetime(2024, 1, 1, tzinfo=timezone.utc)
            return {"NextShardIterator": "it-next", "Records": [{"Data": b"x", "PartitionKey": "k", "SequenceNumber": "101", "ApproximateArrivalTimestamp": at}]}

        def put_records(self, **kwargs: Any) -> Any:
            module.calls.append(("put_records", kwargs))
            return {"FailedRecordCount": 0, "Records": [{} for _ in kwargs["Records"]]}

    module.client = lambda service, **_: Kinesis() if service == "kinesis" else None
    monkeypatch.setitem(sys.modules, "boto3", module)
    return module


def test_kinesis_source_reads_every_shard_and_resumes_after_the_checkpoint(monkeypatch: Any) -> None:
    boto3 = fake_boto3(monkeypatch)
    m = consumer_module()
    arn = "arn:aws:kinesis:us-east-1:000000000000:stream/in"
    source = m.KinesisSource(arn)
    assert boto3.calls[0] == ("list_shards", {"StreamARN": arn})
    assert boto3.calls[1][1] == {"StreamARN": arn, "ShardId": "shard-0", "ShardIteratorType": "TRIM_HORIZON"}
    got = source.poll(10, 1.0)
    assert [(x.value, x.key, x.partition, x.position) for x in got] == [(b"x", "k", "shard-0", "101")]
    assert boto3.calls[2][1]["Limit"] == 10 and source.iterators["shard-0"] == "it-next"
    source.commit(got)
    source._reset("shard-0")
    assert boto3.calls[-1][1] == {"StreamARN": arn, "ShardId": "shard-0", "ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "StartingSequenceNumber": "101"}


def test_kinesis_sink_writes_in_batches_of_500_and_fails_on_a_rejected_record(monkeypatch: Any) -> None:
    boto3 = fake_boto3(monkeypatch)
    sink = consumer_module().KinesisSink()
    for i in range(1200):
        sink.send("out", None if i else "k0", b"{}")
    sink.flush()
    puts = [c[1] for c in boto3.calls if c[0] == "put_records"]
    assert [len(p["Records"]) for p in puts] == [500, 500, 200] and puts[0]["StreamName"] == "out"
    assert puts[0]["Records"][0]["PartitionKey"] == "k0" and puts[0]["Records"][1]["PartitionKey"] == "none"
    assert sink.pending == {}
    monkeypatch.setattr(sink.client, "put_records", lambda **kwargs: {"FailedRecordCount": 1})
    sink.send("out", "k", b"{}")
    with pytest.raises(RuntimeError, match="1 records not written to out"):
        sink.flush()
`;
}
