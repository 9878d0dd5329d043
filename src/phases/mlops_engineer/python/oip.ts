import { pyLiteral } from '../../../generators/serializers/python.js';
import type { ResolvedSpec } from '../../../spec/resolve.js';

/** Open Inference Protocol datatype of each declared feature's column tensor. */
export function oipDatatype(type: ResolvedSpec['data']['features'][number]['type']): 'FP64' | 'INT64' | 'BOOL' | 'BYTES' {
  switch (type) {
    case 'numeric':
      return 'FP64';
    case 'integer':
      return 'INT64';
    case 'boolean':
      return 'BOOL';
    default:
      return 'BYTES';
  }
}

/**
 * serving/oip.py: the Open Inference Protocol (KServe v2) REST codec for tabular records, shared by the FastAPI
 * server (KServe, Seldon), the TorchServe handler and the Triton Python backend, so every runtime validates and
 * scores a record the same way.
 */
export function oipPy(spec: ResolvedSpec): string {
  const datatypes = Object.fromEntries(spec.data.features.map((f) => [f.name, oipDatatype(f.type)]));
  const entityIsFeature = spec.data.features.some((f) => f.name === spec.data.entity_key);
  if (!entityIsFeature) datatypes[spec.data.entity_key] = 'BYTES';
  return String.raw`"""Open Inference Protocol (KServe v2 / Triton / MLServer) codec for tabular records.

A request carries one input tensor per column, named by the column, with shape [n] (or [n, 1]) and the column's
datatype (FP64, INT64, BOOL or BYTES; timestamps and categories are BYTES strings). The n records it describes are
then validated by the same pydantic model as POST /predict. The response has the output "prediction" ([n]) and,
for classifiers, "probabilities" ([n, classes], row-major).
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence

from .schema import MAX_BATCH

# Column name -> Open Inference Protocol datatype of its tensor (the entity key is accepted but not required).
DATATYPES: Dict[str, str] = ${pyLiteral(datatypes)}
OPTIONAL_COLUMNS = frozenset(${pyLiteral(entityIsFeature ? [] : [spec.data.entity_key])})


class ProtocolError(ValueError):
    """A request that is not a valid inference request; the message says which input and why."""


def _size(shape: Sequence[Any]) -> int:
    total = 1
    for dim in shape:
        if not isinstance(dim, int) or isinstance(dim, bool) or dim < 0:
            raise ProtocolError(f"shape {list(shape)!r} must be non-negative integers")
        total *= dim
    return total


def _flatten(data: Any) -> List[Any]:
    if not isinstance(data, list):
        raise ProtocolError("data must be a JSON array")
    out: List[Any] = []
    for item in data:
        out.extend(_flatten(item) if isinstance(item, list) else [item])
    return out


def _value(datatype: str, value: Any) -> Any:
    """One element as the request model expects it (JSON numbers of an FP64 tensor as float, whole INT64 floats as int)."""
    if value is None:
        return None
    if datatype == "FP64" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if datatype == "INT64" and isinstance(value, float) and value.is_integer():
        return int(value)
    if datatype == "BYTES" and isinstance(value, bytes):
        return value.decode("utf-8")
    return value


def records_from_request(payload: Any) -> List[Dict[str, Any]]:
    """The records an inference request describes, column by column; raises ProtocolError."""
    if not isinstance(payload, Mapping):
        raise ProtocolError("the request body must be a JSON object with an inputs array")
    inputs = payload.get("inputs")
    if not isinstance(inputs, list) or not inputs:
        raise ProtocolError("inputs must be a non-empty array with one tensor per feature column")
    columns: Dict[str, List[Any]] = {}
    rows: Optional[int] = None
    for tensor in inputs:
        if not isinstance(tensor, Mapping) or not isinstance(tensor.get("name"), str):
            raise ProtocolError("every input needs a name")
        name = tensor["name"]
        if name not in DATATYPES:
            raise ProtocolError(f"input {name!r} is not a declared feature (expected: {', '.join(sorted(DATATYPES))})")
        if name in columns:
            raise ProtocolError(f"input {name!r} is sent twice")
        datatype = tensor.get("datatype")
        if datatype != DATATYPES[name]:
            raise ProtocolError(f"input {name!r} has datatype {datatype!r}; expected {DATATYPES[name]}")
        shape = tensor.get("shape")
        if not isinstance(shape, list) or not shape or len(shape) > 2 or (len(shape) == 2 and shape[1] != 1):
            raise ProtocolError(f"input {name!r} must have shape [n] or [n, 1]")
        data = _flatten(tensor.get("data"))
        if len(data) != _size(shape):
            raise ProtocolError(f"input {name!r} has {len(data)} elements for shape {shape}")
        if rows is not None and shape[0] != rows:
            raise ProtocolError(f"input {name!r} has {shape[0]} rows; the other inputs have {rows}")
        rows = shape[0]
        columns[name] = [_value(datatype, v) for v in data]
    if rows is None or rows < 1 or rows > MAX_BATCH:
        raise ProtocolError(f"a request carries 1 to {MAX_BATCH} rows")
    return [{name: values[i] for name, values in columns.items()} for i in range(rows)]


def request_from_records(records: Sequence[Mapping[str, Any]]) -> Dict[str, Any]:
    """The inference request of records (the client side: stream consumer, smoke tests)."""
    names = [n for n in DATATYPES if any(n in r for r in records)]
    return {"inputs": [{"name": n, "shape": [len(records)], "datatype": DATATYPES[n], "data": [r.get(n) for r in records]} for n in names]}


def _datatype_of(values: Sequence[Any]) -> str:
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return "BOOL"
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return "INT64"
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return "FP64"
    return "BYTES"


def response(model_name: str, version: str, scored: Sequence[Mapping[str, Any]], request_id: Optional[str] = None) -> Dict[str, Any]:
    """The inference response of scored rows ({"prediction", "probabilities"?} each)."""
    predictions = [row["prediction"] for row in scored]
    datatype = _datatype_of(predictions)
    outputs: List[Dict[str, Any]] = [
        {"name": "prediction", "shape": [len(predictions)], "datatype": datatype, "data": [str(p) if datatype == "BYTES" and p is not None else p for p in predictions]}
    ]
    if scored and "probabilities" in scored[0]:
        width = len(scored[0]["probabilities"])
        flat = [float(p) for row in scored for p in row["probabilities"]]
        outputs.append({"name": "probabilities", "shape": [len(scored), width], "datatype": "FP64", "data": flat})
    body: Dict[str, Any] = {"model_name": model_name, "model_version": version, "outputs": outputs}
    if request_id is not None:
        body["id"] = request_id
    return body


def records_from_response(body: Mapping[str, Any]) -> List[Dict[str, Any]]:
    """Scored rows back from an inference response (the client side)."""
    outputs = {o["name"]: o for o in body.get("outputs", [])}
    if "prediction" not in outputs:
        raise ProtocolError("the response has no prediction output")
    predictions = _flatten(outputs["prediction"]["data"])
    rows: List[Dict[str, Any]] = [{"prediction": p} for p in predictions]
    if "probabilities" in outputs:
        flat = _flatten(outputs["probabilities"]["data"])
        width = len(flat) // max(1, len(rows))
        for i, row in enumerate(rows):
            row["probabilities"] = flat[i * width:(i + 1) * width]
    return rows


class InferenceClient:
    """Scores records on a model server's /v2/models/<name>/infer (the stream consumer's remote scorer).

    Duck-types serving.model.LoadedModel's score_rows() and version, so callers need not know where the model runs.
    """

    def __init__(self, url: str, timeout_s: float = 5.0) -> None:
        if not url.startswith(("http://", "https://")) or not url.rstrip("/").endswith("/infer"):
            raise ProtocolError(f"MODEL_SERVER_URL {url!r} is not an http(s) .../v2/models/<name>/infer URL")
        self.url = url
        self.timeout_s = timeout_s
        self.version = "unknown"

    def score_rows(self, rows: Sequence[Mapping[str, Any]]) -> List[Dict[str, Any]]:
        import json
        import urllib.request

        body = json.dumps(request_from_records(rows), default=str).encode("utf-8")
        request = urllib.request.Request(self.url, data=body, headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(request, timeout=self.timeout_s) as answer:  # noqa: S310 (scheme checked above)
            payload = json.loads(answer.read())
        self.version = str(payload.get("model_version", self.version))
        scored = records_from_response(payload)
        if len(scored) != len(rows):
            raise ProtocolError(f"the server returned {len(scored)} predictions for {len(rows)} records")
        return scored


def metadata(model_name: str, version: str, classifier: bool) -> Dict[str, Any]:
    """GET /v2/models/<name>: the tensors a request and a response carry."""
    outputs = [{"name": "prediction", "datatype": "BYTES" if classifier else "FP64", "shape": [-1]}]
    if classifier:
        outputs.append({"name": "probabilities", "datatype": "FP64", "shape": [-1, -1]})
    return {
        "name": model_name,
        "versions": [version],
        "platform": "python-fastapi",
        "inputs": [{"name": n, "datatype": d, "shape": [-1], "optional": n in OPTIONAL_COLUMNS} for n, d in DATATYPES.items()],
        "outputs": outputs,
    }
`;
}

/** A valid record of the declared features (mid-range values, first category): smoke tests and examples. */
export function exampleRecord(spec: ResolvedSpec): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const f of spec.data.features) {
    if (f.protected) continue;
    const lo = f.min ?? (f.max !== undefined ? Math.min(0, f.max) : 0);
    const hi = f.max ?? Math.max(lo, 1);
    switch (f.type) {
      case 'numeric':
        out[f.name] = (lo + hi) / 2;
        break;
      case 'integer':
        out[f.name] = Math.ceil((lo + hi) / 2);
        break;
      case 'boolean':
        out[f.name] = false;
        break;
      case 'timestamp':
        out[f.name] = '2026-01-01T00:00:00Z';
        break;
      case 'categorical':
        out[f.name] = f.categories?.[0] ?? 'example';
        break;
      default:
        out[f.name] = 'example';
    }
  }
  return out;
}

/** The Open Inference Protocol request of one record (the shape oip.records_from_request reads). */
export function oipRequest(spec: ResolvedSpec, record: Record<string, string | number | boolean>): { inputs: { name: string; shape: number[]; datatype: string; data: (string | number | boolean)[] }[] } {
  const types = new Map(spec.data.features.map((f) => [f.name, oipDatatype(f.type)]));
  return { inputs: Object.entries(record).map(([name, value]) => ({ name, shape: [1], datatype: types.get(name) ?? 'BYTES', data: [value] })) };
}
