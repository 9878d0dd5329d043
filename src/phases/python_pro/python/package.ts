import { pyLiteral } from '../../../generators/serializers/python.js';
import type { ResolvedSpec } from '../../../spec/resolve.js';
import type { PyPlan } from '../derive.js';

// Package-level modules of ml/src/<pkg>/: __init__, errors, logging_utils, cache, dataio. Standard library only
// at import time; pandas/pyarrow are imported inside the functions that need them.

export function packageInitPy(spec: ResolvedSpec, plan: PyPlan): string {
  return String.raw`"""${plan.pkg}: training, registry and utilities of the ${spec.name} ML pipeline."""

from .errors import PipelineError

__version__ = "0.1.0"
PIPELINE: str = ${pyLiteral(spec.name)}

__all__ = ["PIPELINE", "PipelineError", "__version__"]
`;
}

export function errorsPy(): string {
  return String.raw`"""Error hierarchy: one root (PipelineError) so callers can catch everything the pipeline raises, one branch
per stage so handlers and exit codes can tell them apart. Branches also derive from the built-in exception the
training code raised before (ValueError, RuntimeError, LookupError), so existing except clauses keep working.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping


class PipelineError(Exception):
    """Root of every error the pipeline raises on purpose."""

    code = "pipeline_error"
    exit_code = 1

    def __init__(self, message: str, *, context: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.context: dict[str, Any] = dict(context or {})

    def to_dict(self) -> dict[str, Any]:
        """What structured logs and API error bodies carry."""
        out: dict[str, Any] = {"error_type": type(self).__name__, "error_code": self.code, "message": str(self)}
        if self.context:
            out["context"] = self.context
        return out


class ConfigError(PipelineError, ValueError):
    code = "config_error"
    exit_code = 2


class DataError(PipelineError):
    code = "data_error"
    exit_code = 3


class SchemaError(DataError, ValueError):
    """Columns missing or of the wrong type."""

    code = "schema_error"


class DataQualityError(DataError):
    """A quality gate failed (the data engineer's thresholds)."""

    code = "data_quality_error"


class InsufficientDataError(DataError, ValueError):
    code = "insufficient_data"


class TrainingError(PipelineError, RuntimeError):
    code = "training_error"
    exit_code = 4


class HyperparameterSearchError(TrainingError):
    code = "hpo_error"


class TrackingError(PipelineError, RuntimeError):
    """The tracking backend is unreachable; training may continue with the local tracker."""

    code = "tracking_error"
    exit_code = 5


class RegistryError(PipelineError, RuntimeError):
    code = "registry_error"
    exit_code = 6


class PromotionRejected(RegistryError, PermissionError):
    """The promotion gate did not pass; reasons lists every failed check."""

    code = "promotion_rejected"

    def __init__(self, message: str, reasons: Iterable[str] = (), *, context: Mapping[str, Any] | None = None) -> None:
        super().__init__(message, context=context)
        self.reasons: tuple[str, ...] = tuple(reasons)


class InferenceError(PipelineError):
    code = "inference_error"
    exit_code = 7


class LatencyBudgetExceeded(InferenceError):
    code = "latency_budget_exceeded"


def require_columns(present: Iterable[str], required: Iterable[str], where: str) -> None:
    """Raises SchemaError naming every missing column (not just the first)."""
    have = set(present)
    missing = [c for c in required if c not in have]
    if missing:
        raise SchemaError(f"{where}: missing columns {missing}", context={"missing": missing})


def exit_code_for(error: BaseException) -> int:
    """Process exit code for an uncaught error: the stage's code for pipeline errors, 1 otherwise."""
    return error.exit_code if isinstance(error, PipelineError) else 1
`;
}

export function loggingPy(plan: PyPlan, spec: ResolvedSpec): string {
  const fields = plan.decisions.logging.fields;
  return String.raw`"""Structured logging: one JSON object per line on stderr, with the fields log aggregation indexes.

Fields: ${fields.join(', ')}. Context such as run_id or data_version is bound once with bind() and added to every
record logged inside the block (contextvars, so threads and asyncio tasks keep their own context).
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import sys
import time
import traceback
from datetime import datetime, timezone
from typing import Any, Iterator, Mapping, TextIO

PIPELINE: str = ${pyLiteral(spec.name)}
FIELDS: tuple[str, ...] = tuple(${pyLiteral(fields)})
_RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}
_context: contextvars.ContextVar[dict[str, Any]] = contextvars.ContextVar("log_context", default={})


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON line: fixed fields first, bound context, then the record's extra fields."""

    def __init__(self, component: str = "training") -> None:
        super().__init__()
        self.component = component

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, tz=timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "pipeline": PIPELINE,
            "component": self.component,
        }
        entry.update(_context.get())
        for key, value in record.__dict__.items():
            if key not in _RESERVED and not key.startswith("_"):
                entry[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            error = record.exc_info[1]
            entry["error_type"] = record.exc_info[0].__name__
            entry["error_code"] = getattr(error, "code", "unexpected")
            entry["stack"] = "".join(traceback.format_exception(*record.exc_info))[-4000:]
        return json.dumps(entry, default=str, ensure_ascii=False)


def configure_logging(level: str = "INFO", component: str = "training", stream: TextIO | None = None) -> logging.Handler:
    """Replaces the root handlers with one JSON handler; returns it (tests attach a StringIO stream)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter(component))
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level.upper())
    return handler


@contextlib.contextmanager
def bind(**fields: Any) -> Iterator[None]:
    """Adds fields (run_id=..., data_version=...) to every record logged inside the block."""
    token = _context.set({**_context.get(), **fields})
    try:
        yield
    finally:
        _context.reset(token)


@contextlib.contextmanager
def timed(logger: logging.Logger, step: str, **fields: Any) -> Iterator[None]:
    """Logs step start and end with duration_ms; on error logs the exception and re-raises."""
    started = time.perf_counter()
    logger.info("%s started", step, extra={"step": step, **fields})
    try:
        yield
    except Exception:
        logger.exception("%s failed", step, extra={"step": step, "duration_ms": round((time.perf_counter() - started) * 1000, 1), **fields})
        raise
    logger.info("%s finished", step, extra={"step": step, "duration_ms": round((time.perf_counter() - started) * 1000, 1), **fields})


def current_context() -> Mapping[str, Any]:
    return dict(_context.get())
`;
}

export function cachePy(plan: PyPlan): string {
  return String.raw`"""Caching keyed by content hash.

- DiskCache: expensive step results (the encoded feature matrix, the HPO subsample) stored under a key derived from
  what they depend on (data version, feature schema, transform config), so a new data version can never hit a
  stale entry and an unchanged one is computed once for all trials.
- load_model_once: a model is loaded once per process per (uri, version), never per request.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import pickle
import tempfile
import threading
from pathlib import Path
from typing import Any, Callable, Mapping, TypeVar

T = TypeVar("T")

DEFAULT_DIR: str = os.environ.get(${pyLiteral(`${plan.pkg.toUpperCase()}_CACHE_DIR`)}, ".cache/${plan.pkg}")
DEFAULT_MAX_BYTES: int = ${pyLiteral(Math.max(1, Math.ceil((plan.frameMb * 2) / 1024)) * 1024 ** 3)}  # two downcast training frames


def content_hash(*parts: Any) -> str:
    """sha256 over canonical JSON of the parts; bytes and files (Path) are hashed by content."""
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, bytes):
            digest.update(b"b:" + part)
        elif isinstance(part, Path):
            digest.update(b"f:")
            with part.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
        else:
            digest.update(b"j:" + json.dumps(part, sort_keys=True, default=str, separators=(",", ":")).encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()


class DiskCache:
    """Pickled values in files named by key; atomic writes; least-recently-used eviction above max_bytes.

    Pickle is safe here because the cache directory is private to the pipeline (never shared or downloaded).
    """

    def __init__(self, directory: str | Path = DEFAULT_DIR, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.max_bytes = max_bytes
        self.hits = 0
        self.misses = 0
        self._lock = threading.Lock()

    def _path(self, key: str) -> Path:
        if not key or any(c not in "0123456789abcdef" for c in key):
            raise ValueError("cache keys are hex digests (use content_hash)")
        return self.directory / key[:2] / f"{key}.pkl"

    def get(self, key: str) -> Any | None:
        path = self._path(key)
        try:
            with path.open("rb") as handle:
                value = pickle.load(handle)
        except FileNotFoundError:
            self.misses += 1
            return None
        os.utime(path)  # mark as recently used
        self.hits += 1
        return value

    def put(self, key: str, value: Any) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            tmp = handle.name
        os.replace(tmp, path)
        self._evict()

    def _evict(self) -> None:
        with self._lock:
            files = sorted(self.directory.glob("*/*.pkl"), key=lambda p: p.stat().st_mtime)
            total = sum(p.stat().st_size for p in files)
            while files and total > self.max_bytes:
                oldest = files.pop(0)
                total -= oldest.stat().st_size
                oldest.unlink(missing_ok=True)

    def get_or_compute(self, key: str, compute: Callable[[], T]) -> T:
        value = self.get(key)
        if value is None:
            value = compute()
            self.put(key, value)
        return value  # type: ignore[return-value]


def cached_step(cache: DiskCache, step: str, depends_on: Callable[..., Mapping[str, Any]]) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Decorator: caches fn(*args) under content_hash(step, depends_on(*args)).

    depends_on names what the result depends on, e.g. lambda data_version, config: {"data": data_version,
    "schema": config.registry.feature_schema_hash}; arguments not named there must not change the result.
    """

    def decorate(fn: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> T:
            key = content_hash(step, depends_on(*args, **kwargs))
            return cache.get_or_compute(key, lambda: fn(*args, **kwargs))

        return wrapper

    return decorate


_models: dict[tuple[str, str], Any] = {}
_models_lock = threading.Lock()


def load_model_once(uri: str, version: str, loader: Callable[[str, str], Any]) -> Any:
    """The model for (uri, version), loaded by loader on first use only; thread-safe."""
    key = (uri, version)
    with _models_lock:
        if key not in _models:
            _models[key] = loader(uri, version)
        return _models[key]


def clear_models() -> None:
    with _models_lock:
        _models.clear()
`;
}

export function dataioPy(plan: PyPlan, spec: ResolvedSpec): string {
  const dtypes = Object.fromEntries(plan.columns.map((c) => [c.name, c.dtype]));
  const ranges = Object.fromEntries(
    spec.data.features.filter((f) => (f.type === 'numeric' || f.type === 'integer') && (f.min !== undefined || f.max !== undefined)).map((f) => [f.name, [f.min ?? null, f.max ?? null]]),
  );
  return String.raw`"""Memory-aware data loading: columnar reads in chunks, dtype downcasting, declared-range clipping.

Chunk size ${plan.chunkRows} rows = chunk budget ${plan.chunkBudgetMb} MB / ${plan.rawBytesPerRow} B per row as read, rounded down to
a multiple of 10,000; after downcasting a row takes ${plan.bytesPerRow} B.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

CHUNK_ROWS: int = ${pyLiteral(plan.chunkRows)}
CHUNK_BUDGET_MB: int = ${pyLiteral(plan.chunkBudgetMb)}
# Target dtype per column (pandas names); see docs/runbooks/performance.md for the bytes per row.
DTYPES: dict[str, str] = ${pyLiteral(dtypes)}
# Declared [min, max] of numeric features (None = open); values outside are clipped before encoding.
RANGES: dict[str, list[float | None]] = ${pyLiteral(ranges)}


def rows_per_chunk(budget_mb: float, bytes_per_row: float, step: int = 10_000) -> int:
    """Rows that fit in budget_mb, rounded down to a multiple of step (at least one step)."""
    if budget_mb <= 0 or bytes_per_row <= 0:
        raise ValueError("budget and row size must be positive")
    return max(step, int(budget_mb * 1_000_000 // bytes_per_row) // step * step)


def downcast(frame: Any, dtypes: dict[str, str] | None = None) -> Any:
    """Casts the known columns to their planned dtypes in place of the originals; unknown columns are left alone."""
    plan = DTYPES if dtypes is None else dtypes
    for column, dtype in plan.items():
        if column in frame.columns:
            if dtype.startswith("datetime64") and "UTC" in dtype:
                import pandas as pd

                frame[column] = pd.to_datetime(frame[column], utc=True)
            else:
                frame[column] = frame[column].astype(dtype)
    return frame


def clip_to_declared_ranges(frame: Any, ranges: dict[str, list[float | None]] | None = None) -> Any:
    for column, (low, high) in (RANGES if ranges is None else ranges).items():
        if column in frame.columns:
            frame[column] = frame[column].clip(lower=low, upper=high)
    return frame


def iter_chunks(path: str | Path, columns: Sequence[str] | None = None, chunk_rows: int = CHUNK_ROWS) -> Iterator[Any]:
    """Reads only the needed columns of a Parquet file or dataset, chunk_rows at a time, downcast."""
    import pyarrow.dataset as ds

    dataset = ds.dataset(str(path), format="parquet")
    wanted = list(columns) if columns is not None else [c for c in DTYPES if c in dataset.schema.names]
    for batch in dataset.to_batches(columns=wanted, batch_size=chunk_rows):
        yield downcast(batch.to_pandas(self_destruct=True, split_blocks=True))


def concat_chunks(chunks: Iterable[Any]) -> Any:
    """One frame from downcast chunks without an intermediate float64 copy."""
    import pandas as pd

    return pd.concat(list(chunks), ignore_index=True, copy=False)


def frame_memory_mb(frame: Any) -> float:
    return float(frame.memory_usage(deep=True).sum()) / 1_000_000
`;
}
