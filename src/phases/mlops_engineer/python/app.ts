import { pyLiteral } from '../../../generators/serializers/python.js';
import type { ResolvedSpec } from '../../../spec/resolve.js';

/** serving/app.py: the FastAPI model server (FastAPI 0.92 / pydantic 1.10 through FastAPI 0.110+ / pydantic 2). */
export function appPy(spec: ResolvedSpec, envPrefix: string, modelName: string): string {
  return String.raw`"""Online model server: POST /predict, POST /predict/batch, GET /health, /ready, /metrics, and the Open
Inference Protocol (KServe v2) routes /v2/health/{live,ready}, /v2/models/<name>[/ready] and POST
/v2/models/<name>/infer, through which KServe and Seldon route requests to this server.

Requests are validated against the declared features (schema.py: 422 with the offending fields). The model is
loaded once at start-up (model.py); until it is, /ready and the prediction endpoints answer 503 while /health
stays 200. Request metrics use the observability emitters, so their names are the ones the alert rules read.
Run: uvicorn <package>.serving.app:app --host 0.0.0.0 --port $PORT (one process per worker). The model name of the
v2 routes is $MODEL_NAME (the serving ConfigMap), else the registry's name.
"""

from __future__ import annotations

import contextvars
import logging
import os
import time
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Dict, List, Optional, Tuple

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from ..logging_utils import configure_logging
from ..observability.instrumentation import timed_request
from . import model as served
from . import oip
from .schema import PredictBatch, PredictRecord, error_summary, parse_record, record_values, to_frame

logger = logging.getLogger(__name__)

LOG_LEVEL_ENV: str = ${pyLiteral(`${envPrefix}_LOG_LEVEL`)}
SERVICE: str = ${pyLiteral(spec.name)}
DEFAULT_MODEL_NAME: str = ${pyLiteral(modelName)}


def served_model_name() -> str:
    return os.environ.get("MODEL_NAME") or DEFAULT_MODEL_NAME


def predict_paths(model_name: str) -> Tuple[str, ...]:
    """The endpoints timed and counted by the request metrics."""
    return ("/predict", "/predict/batch", f"/v2/models/{model_name}/infer")

# Rows scored by the current request, read by the metrics middleware (a mutable holder per request).
_request_rows: contextvars.ContextVar[Optional[Dict[str, int]]] = contextvars.ContextVar("request_rows", default=None)


class RequestMetrics:
    """ASGI middleware timing the prediction endpoints, 422s and 5xx included (timed_request)."""

    def __init__(self, app: Any, state: Dict[str, Any], paths: Tuple[str, ...]) -> None:
        self.app = app
        self.state = state
        self.paths = paths

    async def __call__(self, scope: Dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("path") not in self.paths:
            await self.app(scope, receive, send)
            return
        holder = {"rows": 0}
        token = _request_rows.set(holder)
        status = {"code": 500}

        async def capture(message: Dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status["code"] = int(message["status"])
            await send(message)

        version = self.state["model"].version if self.state.get("model") is not None else "none"
        try:
            with timed_request(scope["path"], version) as measured:
                try:
                    await self.app(scope, receive, capture)
                finally:
                    measured["code"] = status["code"]
                    measured["rows"] = holder["rows"]
        finally:
            _request_rows.reset(token)


def _scored(rows: int) -> None:
    holder = _request_rows.get()
    if holder is not None:
        holder["rows"] = rows


def create_app(loaded: Optional[served.LoadedModel] = None) -> FastAPI:
    """The app; loaded is a ready model (tests), else the model is loaded from the environment at start-up."""
    state: Dict[str, Any] = {"model": loaded, "error": None}
    model_name = served_model_name()

    def startup() -> None:
        configure_logging(os.environ.get(LOG_LEVEL_ENV, "INFO"), component="serving")
        if state["model"] is not None:
            return
        started = time.perf_counter()
        try:
            state["model"] = served.load()
        except Exception as error:  # keep serving /health; /ready reports the failure
            state["error"] = f"{type(error).__name__}: {error}"
            logger.exception("model load failed", extra={"error_code": getattr(error, "code", "unexpected")})
            return
        logger.info("model loaded", extra={"model_version": state["model"].version, "duration_ms": round((time.perf_counter() - started) * 1000, 1)})

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        startup()
        yield

    app = FastAPI(title=SERVICE)
    # Set on the router: the same on FastAPI 0.92 (no lifespan argument yet) and 0.110+ (on_startup deprecated).
    app.router.lifespan_context = lifespan
    app.add_middleware(RequestMetrics, state=state, paths=predict_paths(model_name))

    def unavailable() -> JSONResponse:
        return JSONResponse(status_code=503, content={"detail": "model not loaded", "error": state["error"]})

    def score(records: List[PredictRecord]) -> List[Dict[str, Any]]:
        current: served.LoadedModel = state["model"]
        rows = [record_values(r) for r in records]
        frame = to_frame(rows, current.columns)
        out = served.rows_out(current.predict(frame), current.predict_proba(frame))
        _scored(len(out))
        return out

    @app.get("/health")
    async def health() -> Dict[str, str]:
        """Liveness: the process answers (the model may still be loading)."""
        return {"status": "ok"}

    @app.get("/ready")
    async def ready() -> Any:
        """Readiness: the model is loaded and can score."""
        if state["model"] is None:
            return unavailable()
        return {"status": "ready", "model_version": state["model"].version}

    @app.get("/metrics")
    async def metrics() -> Response:
        from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    @app.post("/predict")
    async def predict(record: PredictRecord) -> Any:
        """Scores one record."""
        if state["model"] is None:
            return unavailable()
        out = score([record])[0]
        return {**out, "model_version": state["model"].version}

    @app.post("/predict/batch")
    async def predict_batch(batch: PredictBatch) -> Any:
        """Scores up to MAX_BATCH records in one model call."""
        if state["model"] is None:
            return unavailable()
        return {"predictions": score(batch.records), "model_version": state["model"].version}

    # Open Inference Protocol (v2): the same validation and scoring, tensors per column instead of records.
    def unknown_model(name: str) -> JSONResponse:
        return JSONResponse(status_code=404, content={"error": f"unknown model {name!r}; this server serves {model_name!r}"})

    @app.get("/v2/health/live")
    async def v2_live() -> Dict[str, bool]:
        return {"live": True}

    @app.get("/v2/health/ready")
    async def v2_ready() -> Any:
        if state["model"] is None:
            return JSONResponse(status_code=503, content={"ready": False, "error": state["error"]})
        return {"ready": True}

    @app.get("/v2/models/{name}")
    async def v2_metadata(name: str) -> Any:
        if name != model_name:
            return unknown_model(name)
        version = state["model"].version if state["model"] is not None else "none"
        return oip.metadata(model_name, version, served.CLASSIFICATION)

    @app.get("/v2/models/{name}/ready")
    async def v2_model_ready(name: str) -> Any:
        if name != model_name:
            return unknown_model(name)
        if state["model"] is None:
            return JSONResponse(status_code=503, content={"name": name, "ready": False})
        return {"name": name, "ready": True}

    @app.post("/v2/models/{name}/infer")
    async def v2_infer(name: str, request: Request) -> Any:
        """Scores the records an inference request carries; a bad tensor or value is a 400 naming it."""
        if name != model_name:
            return unknown_model(name)
        if state["model"] is None:
            return unavailable()
        try:
            payload = await request.json()
        except ValueError:
            return JSONResponse(status_code=400, content={"error": "the body is not JSON"})
        try:
            rows = oip.records_from_request(payload)
        except oip.ProtocolError as error:
            return JSONResponse(status_code=400, content={"error": str(error)})
        records: List[PredictRecord] = []
        for i, row in enumerate(rows):
            try:
                records.append(parse_record(row))
            except ValidationError as error:
                return JSONResponse(status_code=400, content={"error": f"row {i}: invalid feature values", "detail": error_summary(error)})
        request_id = payload.get("id") if isinstance(payload.get("id"), str) else None
        return oip.response(model_name, state["model"].version, score(records), request_id)

    return app


app = create_app()
`;
}
