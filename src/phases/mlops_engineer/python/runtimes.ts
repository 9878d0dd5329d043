import { pyLiteral, type PyValue } from '../../../generators/serializers/python.js';
import type { ResolvedSpec } from '../../../spec/resolve.js';
import { APP_METRICS_PORT } from '../platform.js';
import { classifies } from './model.js';
import { HEADER, badInputs } from './tests.js';

/**
 * serving/adapters.py: one request body to one response, with the validation and scoring of POST /predict,
 * for the runtimes whose server is not ours (the TorchServe handler, the Triton Python backend).
 */
export function adaptersPy(): string {
  return String.raw`"""Scoring of one request body for the runtime adapters (TorchServe handler, Triton Python backend).

The body is one record (as POST /predict takes), {"records": [...]} (as POST /predict/batch takes), or an Open
Inference Protocol request (tensors per column). Each is validated by the request model; the answer is a status
code and a JSON-ready payload in the matching shape, so every runtime accepts and answers what the app does.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Mapping, Tuple

from pydantic import ValidationError

from . import oip
from .schema import MAX_BATCH, error_summary, parse_record, record_values


def parse_body(raw: Any) -> Any:
    """A request body as JSON: bytes, bytearray and str are decoded, anything else is taken as already parsed."""
    if isinstance(raw, (bytes, bytearray)):
        raw = raw.decode("utf-8")
    if isinstance(raw, str):
        return json.loads(raw)
    return raw


def rows_of(body: Any) -> Tuple[str, List[Mapping[str, Any]]]:
    """("oip" | "batch" | "record", raw rows) of a body; raises oip.ProtocolError for any other shape."""
    if isinstance(body, Mapping) and "inputs" in body:
        return "oip", oip.records_from_request(body)
    if isinstance(body, Mapping) and set(body) == {"records"}:
        records = body["records"]
        if not isinstance(records, list) or not 1 <= len(records) <= MAX_BATCH or not all(isinstance(r, Mapping) for r in records):
            raise oip.ProtocolError(f"records must be a list of 1 to {MAX_BATCH} JSON objects")
        return "batch", records
    if isinstance(body, Mapping):
        return "record", [body]
    raise oip.ProtocolError("the body must be a JSON object: a record, {records: [...]} or an inference request")


def score_body(loaded: Any, body: Any, model_name: str) -> Tuple[int, Dict[str, Any], int]:
    """(status code, payload, rows scored) for one parsed body; 400 names the input, row and field at fault."""
    try:
        shape, rows = rows_of(body)
    except oip.ProtocolError as error:
        return 400, {"error": str(error)}, 0
    values: List[Dict[str, Any]] = []
    for i, row in enumerate(rows):
        try:
            values.append(record_values(parse_record(row)))
        except ValidationError as error:
            return 400, {"error": f"row {i}: invalid feature values", "detail": error_summary(error)}, 0
    scored = loaded.score_rows(values)
    if shape == "oip":
        request_id = body.get("id") if isinstance(body.get("id"), str) else None
        return 200, oip.response(model_name, loaded.version, scored, request_id), len(scored)
    if shape == "record":
        return 200, {**scored[0], "model_version": loaded.version}, 1
    return 200, {"predictions": scored, "model_version": loaded.version}, len(scored)
`;
}

/**
 * serving/torchserve_handler.py: TorchServe's module-level entry point. torch-model-archiver copies this file into
 * the .mar, so it imports the installed package absolutely (the archive holds only this file and model.pkl).
 */
export function torchserveHandlerPy(pkg: string, modelName: string): string {
  return String.raw`"""TorchServe handler: handle(data, context) scores each request of a batch with the package's scoring.

TorchServe calls handle(None, context) once when it loads the model, then handle(requests, context) per batch;
each request's body is a record, {"records": [...]} or an Open Inference Protocol request (adapters.py). The
model is the archive's serialized file (model.pkl), unpacked into context.system_properties["model_dir"].
A bad request gets its own 400 (context.set_response_status) without failing the rest of the batch.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

# Workers are separate processes: record in prometheus_client's multiprocess files, which the metrics exporter
# serves. The directory must exist before prometheus_client creates the first value.
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

from ${pkg}.observability.instrumentation import observe_request  # noqa: E402
from ${pkg}.serving import adapters  # noqa: E402
from ${pkg}.serving import model as served  # noqa: E402

MODEL_NAME: str = ${pyLiteral(modelName)}
ENDPOINT: str = f"/predictions/{MODEL_NAME}"

_state: Dict[str, Any] = {}


def _loaded(context: Any) -> Any:
    if "model" not in _state:
        model_dir = Path(context.system_properties.get("model_dir", "."))
        _state["model"] = served.load(model_dir / served.MODEL_FILE)
    return _state["model"]


def handle(data: Optional[List[Dict[str, Any]]], context: Any) -> Optional[List[Any]]:
    loaded = _loaded(context)
    if data is None:
        return None
    out: List[Any] = []
    for i, request in enumerate(data):
        started = time.perf_counter()
        raw = request.get("body") if request.get("body") is not None else request.get("data")
        try:
            code, payload, rows = adapters.score_body(loaded, adapters.parse_body(raw), MODEL_NAME)
        except ValueError as error:  # the body is not JSON
            code, payload, rows = 400, {"error": f"the body is not JSON: {error}"}, 0
        if code != 200:
            context.set_response_status(code=code, phrase="Bad Request", idx=i)
        out.append(payload)
        observe_request(ENDPOINT, code, time.perf_counter() - started, loaded.version, rows)
    return out
`;
}


/**
 * serving/metrics_exporter.py: TorchServe and Triton run our scoring in worker processes whose registries no
 * HTTP endpoint serves. The workers record in prometheus_client's multiprocess mode; this exporter serves the
 * merged registry, followed by the runtime's own exposition, on one port (as KServe's queue-proxy aggregates).
 */
export function metricsExporterPy(): string {
  return String.raw`"""Metrics of the runtime adapters: our request metrics from every worker process, plus the runtime's own.

Workers (TorchServe handler, Triton Python backend) write to $PROMETHEUS_MULTIPROC_DIR; GET /metrics here answers
their merged values followed by $RUNTIME_METRICS_URL's exposition, so one scrape sees model_request_duration_seconds
(the alert rules) and the runtime's queue and device metrics.
Run: python -m <package>.serving.metrics_exporter --port ${APP_METRICS_PORT}
"""

from __future__ import annotations

import argparse
import os
import sys
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import List, Optional

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
RUNTIME_ENV = "RUNTIME_METRICS_URL"


def exposition(multiproc_dir: str, runtime_url: Optional[str], timeout_s: float = 2.0) -> bytes:
    """The merged worker metrics, then the runtime's (skipped, with a comment, when it does not answer)."""
    from prometheus_client import CollectorRegistry, generate_latest
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=multiproc_dir)
    parts: List[bytes] = [generate_latest(registry)]
    if runtime_url:
        try:
            with urllib.request.urlopen(runtime_url, timeout=timeout_s) as answer:  # noqa: S310 (pod-local URL from the manifest)
                parts.append(answer.read())
        except OSError as error:
            parts.append(f"# runtime metrics unavailable: {type(error).__name__}\n".encode())
    return b"".join(p if p.endswith(b"\n") or not p else p + b"\n" for p in parts)


def serve(port: int, multiproc_dir: str, runtime_url: Optional[str]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            if self.path.split("?")[0] != "/metrics":
                self.send_error(404)
                return
            body = exposition(multiproc_dir, runtime_url)
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    return ThreadingHTTPServer(("0.0.0.0", port), Handler)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=${APP_METRICS_PORT})
    args = parser.parse_args(argv)
    multiproc_dir = os.environ.get(MULTIPROC_ENV)
    if not multiproc_dir:
        print(f"set {MULTIPROC_ENV} (the directory the workers write to)", file=sys.stderr)
        return 2
    os.makedirs(multiproc_dir, exist_ok=True)
    serve(args.port, multiproc_dir, os.environ.get(RUNTIME_ENV)).serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
`;
}

/** tests/serving/test_serving_runtime.py: the TorchServe / Triton adapters against recording fakes of their APIs, and the metrics exporter. */
export function runtimeTestPy(spec: ResolvedSpec, platform: 'torchserve' | 'triton'): string {
  const header = HEADER(`The ${platform === 'torchserve' ? 'TorchServe handler' : 'Triton Python backend'} against a recording fake of its API, and the metrics exporter next to it.`, 'integration');
  const adapterTests =
    platform === 'torchserve'
      ? String.raw`
import json


class FakeContext:
    """What TorchServe passes: system_properties, and set_response_status per request of the batch."""

    def __init__(self, model_dir: Any) -> None:
        self.system_properties = {"model_dir": str(model_dir)}
        self.statuses: Dict[int, int] = {}

    def set_response_status(self, code: int = 200, phrase: str = "", idx: int = 0) -> None:
        self.statuses[idx] = code


def handler_module() -> Any:
    import importlib

    return importlib.import_module(f"{PACKAGE}.serving.torchserve_handler")


def test_the_handler_scores_each_request_of_a_batch_in_its_own_shape(tmp_path: Any) -> None:
    stand_in(tmp_path)
    handler = handler_module()
    handler._state.clear()
    context = FakeContext(tmp_path)
    assert handler.handle(None, context) is None  # TorchServe's load call
    oip = __import__(f"{PACKAGE}.serving.oip", fromlist=["request_from_records"])
    rows = [request_row(r) for r in synthetic_rows(3)]
    bad = {**rows[0], "not_a_declared_feature": 1}
    out = handler.handle(
        [
            {"body": json.dumps(rows[0]).encode()},
            {"body": {"records": rows}},
            {"data": json.dumps(oip.request_from_records(rows))},
            {"body": b"{not json"},
            {"body": json.dumps(bad).encode()},
        ],
        context,
    )
    assert len(out) == 5
    assert "prediction" in out[0] and out[0]["model_version"]
    assert len(out[1]["predictions"]) == 3
    assert oip.records_from_response(out[2]) == out[1]["predictions"]
    assert context.statuses == {3: 400, 4: 400}
    assert "not JSON" in out[3]["error"]
    assert any("not_a_declared_feature" in e["loc"] for e in out[4]["detail"])
`
      : String.raw`
class FakeTensor:
    def __init__(self, name: str, array: Any) -> None:
        self.name, self.array = name, array

    def as_numpy(self) -> Any:
        return self.array

    def name_(self) -> str:
        return self.name


class FakeResponse:
    def __init__(self, output_tensors: List[Any], error: Any = None) -> None:
        self.output_tensors, self.error = output_tensors, error


class FakeError:
    def __init__(self, message: str) -> None:
        self.message = message


class FakePbUtils:
    """The slice of triton_python_backend_utils the model uses, recording what it is given."""

    Tensor = FakeTensor
    InferenceResponse = FakeResponse
    TritonError = FakeError

    @staticmethod
    def get_input_tensor_by_name(request: Dict[str, Any], name: str) -> Any:
        return request.get(name)


def triton_module(monkeypatch: Any) -> Any:
    import importlib
    import sys

    monkeypatch.setitem(sys.modules, "triton_python_backend_utils", FakePbUtils)
    return importlib.import_module(f"{PACKAGE}.serving.triton_model")


def as_tensors(rows: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Rows as Triton hands them to the backend: one [n, 1] array per input (strings as bytes objects)."""
    import numpy as np

    oip = __import__(f"{PACKAGE}.serving.oip", fromlist=["DATATYPES"])
    out: Dict[str, Any] = {}
    for name, datatype in oip.DATATYPES.items():
        if not any(name in r for r in rows):
            continue
        values = [r.get(name) for r in rows]
        if datatype == "BYTES":
            array = np.array([None if v is None else str(v).encode() for v in values], dtype=object)
        elif datatype == "BOOL":
            array = np.array([bool(v) for v in values], dtype=bool)
        elif datatype == "INT64":
            array = np.array([0 if v is None else v for v in values], dtype=np.int64)
        else:
            array = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
        out[name] = FakeTensor(name, array.reshape(-1, 1))
    return out


def test_the_python_backend_scores_each_request_and_fails_only_the_bad_one(tmp_path: Any, monkeypatch: Any) -> None:
    stand_in(tmp_path)
    served = __import__(f"{PACKAGE}.serving.model", fromlist=["PATH_ENV"])
    monkeypatch.setenv(served.PATH_ENV, str(tmp_path / "model.pkl"))
    backend = triton_module(monkeypatch).TritonPythonModel()
    backend.initialize({"model_name": "m", "model_version": "1", "model_repository": str(tmp_path)})
    numeric_cases = [c for c in BAD_INPUTS if isinstance(c[2], (int, float)) and not isinstance(c[2], bool)]
    if not numeric_cases:
        pytest.skip("no declared range to violate with a numeric tensor")
    rows = [request_row(r) for r in synthetic_rows(4)]
    bad = [dict(r) for r in rows[:2]]
    bad[1][numeric_cases[0][1]] = numeric_cases[0][2]
    good, broken = backend.execute([as_tensors(rows), as_tensors(bad)])
    assert good.error is None
    outputs = {t.name: t.as_numpy() for t in good.output_tensors}
    assert outputs["prediction"].shape == (4, 1)
    if CLASSIFICATION:
        assert outputs["probabilities"].shape[0] == 4
    assert broken.output_tensors == [] and "row 1" in broken.error.message
`;
  return String.raw`${header}
pytest.importorskip("pandas")
pytest.importorskip("pydantic")
pytest.importorskip("prometheus_client")

BAD_INPUTS: List[Any] = ${pyLiteral(badInputs(spec) as unknown as PyValue)}
CLASSIFICATION: bool = ${classifies(spec) ? 'True' : 'False'}
${adapterTests}

def test_the_exporter_merges_worker_processes_and_the_runtime_metrics(tmp_path: Any) -> None:
    import os
    import subprocess
    import sys
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from prometheus_client.parser import text_string_to_metric_families

    multiproc = tmp_path / "multiproc"
    multiproc.mkdir()
    record = f"from {PACKAGE}.observability.instrumentation import observe_request; observe_request('/predictions/m', 200, 0.01, 'v1', 2)"
    for _ in range(2):  # two worker processes
        # The test's sys.path (pytest's pythonpath) so the worker imports the package as the test does.
        env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(multiproc), "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        subprocess.run([sys.executable, "-c", record], check=True, env=env)

    class Runtime(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            body = b"# TYPE ts_inference_requests_total counter\nts_inference_requests_total 3\n"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    runtime = ThreadingHTTPServer(("127.0.0.1", 0), Runtime)
    threading.Thread(target=runtime.serve_forever, daemon=True).start()
    exporter = __import__(f"{PACKAGE}.serving.metrics_exporter", fromlist=["exposition"])
    try:
        text = exporter.exposition(str(multiproc), f"http://127.0.0.1:{runtime.server_port}/metrics").decode()
    finally:
        runtime.shutdown()
    samples = {(s.name, s.labels.get("endpoint")): s.value for f in text_string_to_metric_families(text) for s in f.samples}
    assert samples[("model_requests_total", "/predictions/m")] == 2
    assert samples[("model_predictions_total", None)] == 4
    assert samples[("ts_inference_requests_total", None)] == 3
    down = exporter.exposition(str(multiproc), "http://127.0.0.1:9/metrics").decode()
    assert "runtime metrics unavailable" in down and "model_requests_total" in down
`;
}

/**
 * serving/triton_model.py: the Triton Python backend model. The model repository's <model>/1/model.py (from the
 * ConfigMap) re-exports TritonPythonModel from the installed package.
 */
export function tritonModelPy(modelName: string): string {
  return String.raw`"""Triton Python backend: TritonPythonModel scores each request with the package's validation and scoring.

Inputs are the model's feature columns, one tensor each ([batch, 1]: FP64, INT64, BOOL, or BYTES for text,
categories and timestamps; a missing number is NaN). Outputs: "prediction" ([n, 1]; class labels as BYTES) and,
for classifiers, "probabilities" ([n, classes]). A request with an invalid value gets its own error, the others
in the batch are answered. The model is $MODEL_DIR/model.pkl (serving/model.py), loaded once per instance.
"""

from __future__ import annotations

import math
import os
import time
from typing import Any, Dict, List

# Backend instances are separate processes: see metrics_exporter.py.
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

import numpy as np  # noqa: E402
from pydantic import ValidationError  # noqa: E402

from ..observability.instrumentation import observe_request  # noqa: E402
from . import model as served  # noqa: E402
from .oip import DATATYPES  # noqa: E402
from .schema import MODEL_INPUTS, error_summary, parse_record, record_values  # noqa: E402

MODEL_NAME: str = ${pyLiteral(modelName)}
ENDPOINT: str = f"/v2/models/{MODEL_NAME}/infer"


class BadRequest(ValueError):
    """A request whose tensors or values are invalid: answered with an error, the batch goes on."""


def _pb() -> Any:
    import triton_python_backend_utils as pb_utils  # provided by Triton's Python backend stub

    return pb_utils


def _value(datatype: str, value: Any) -> Any:
    if datatype == "BYTES":
        return value.decode("utf-8") if isinstance(value, (bytes, bytearray)) else (None if value is None else str(value))
    if datatype == "FP64":
        number = float(value)
        return None if math.isnan(number) else number
    if datatype == "INT64":
        return int(value)
    return bool(value)


class TritonPythonModel:
    def initialize(self, args: Dict[str, str]) -> None:
        self.loaded = served.load()

    def _rows(self, request: Any) -> List[Dict[str, Any]]:
        pb = _pb()
        columns: Dict[str, List[Any]] = {}
        for name in MODEL_INPUTS:
            tensor = pb.get_input_tensor_by_name(request, name)
            if tensor is None:
                raise BadRequest(f"input {name!r} is missing")
            columns[name] = [_value(DATATYPES[name], v) for v in tensor.as_numpy().reshape(-1).tolist()]
        sizes = {len(v) for v in columns.values()}
        if len(sizes) != 1:
            raise BadRequest(f"inputs have different row counts: {sorted(sizes)}")
        return [{name: values[i] for name, values in columns.items()} for i in range(sizes.pop())]

    def _outputs(self, scored: List[Dict[str, Any]]) -> List[Any]:
        pb = _pb()
        predictions = [row["prediction"] for row in scored]
        if served.CLASSIFICATION:
            labels = np.array([str(p).encode("utf-8") for p in predictions], dtype=object).reshape(-1, 1)
            out = [pb.Tensor("prediction", labels)]
        else:
            out = [pb.Tensor("prediction", np.array(predictions, dtype=np.float64).reshape(-1, 1))]
        if scored and "probabilities" in scored[0]:
            out.append(pb.Tensor("probabilities", np.array([row["probabilities"] for row in scored], dtype=np.float64)))
        return out

    def execute(self, requests: List[Any]) -> List[Any]:
        pb = _pb()
        responses: List[Any] = []
        for request in requests:
            started = time.perf_counter()
            code, rows = 200, 0
            try:
                records: List[Dict[str, Any]] = []
                for i, row in enumerate(self._rows(request)):
                    try:
                        records.append(record_values(parse_record(row)))
                    except ValidationError as error:
                        raise BadRequest(f"row {i}: invalid feature values {error_summary(error)}") from error
                scored = self.loaded.score_rows(records)
                responses.append(pb.InferenceResponse(output_tensors=self._outputs(scored)))
                rows = len(scored)
            except BadRequest as error:
                code = 400
                responses.append(pb.InferenceResponse(output_tensors=[], error=pb.TritonError(str(error))))
            except Exception as error:  # noqa: BLE001 (one request's failure must not fail the batch)
                code = 500
                responses.append(pb.InferenceResponse(output_tensors=[], error=pb.TritonError(f"{type(error).__name__}: {error}")))
            observe_request(ENDPOINT, code, time.perf_counter() - started, self.loaded.version, rows)
        return responses

    def finalize(self) -> None:
        pass
`;
}

/** <model>/1/model.py of the Triton model repository: Triton loads this file; the code lives in the package. */
export function tritonRepositoryModelPy(pkg: string): string {
  return `"""Triton loads this file from the model repository; the model is the package's (serving/triton_model.py)."""

from ${pkg}.serving.triton_model import TritonPythonModel

__all__ = ["TritonPythonModel"]
`;
}
