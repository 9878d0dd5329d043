import { pyLiteral } from '../../../generators/serializers/python.js';
import type { ResolvedSpec } from '../../../spec/resolve.js';

/** serving/app.py: the FastAPI model server (FastAPI 0.92 / pydantic 1.10 through FastAPI 0.110+ / pydantic 2). */
export function appPy(spec: ResolvedSpec, envPrefix: string): string {
  return String.raw`"""Online model server: POST /predict, POST /predict/batch, GET /health, /ready, /metrics.

Requests are validated against the declared features (schema.py: 422 with the offending fields). The model is
loaded once at start-up (model.py); until it is, /ready and the prediction endpoints answer 503 while /health
stays 200. Request metrics use the observability emitters, so their names are the ones the alert rules read.
Run: uvicorn <package>.serving.app:app --host 0.0.0.0 --port $PORT (one process per worker).
"""

from __future__ import annotations

import contextvars
import logging
import os
import time
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Dict, List, Optional

from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response

from ..logging_utils import configure_logging
from ..observability.instrumentation import timed_request
from . import model as served
from .schema import PredictBatch, PredictRecord, record_values, to_frame

logger = logging.getLogger(__name__)

PREDICT_PATHS = ("/predict", "/predict/batch")
LOG_LEVEL_ENV: str = ${pyLiteral(`${envPrefix}_LOG_LEVEL`)}
SERVICE: str = ${pyLiteral(spec.name)}

# Rows scored by the current request, read by the metrics middleware (a mutable holder per request).
_request_rows: contextvars.ContextVar[Optional[Dict[str, int]]] = contextvars.ContextVar("request_rows", default=None)


class RequestMetrics:
    """ASGI middleware timing the prediction endpoints, 422s and 5xx included (timed_request)."""

    def __init__(self, app: Any, state: Dict[str, Any]) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("path") not in PREDICT_PATHS:
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
    app.add_middleware(RequestMetrics, state=state)

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

    return app


app = create_app()
`;
}
