import type { MonitoringPlan } from './plan.js';

/**
 * observability/instrumentation.py: the functions serving, feature lookups, data pipelines, batch and stream
 * scoring, training and the cost exporter call to emit the metrics the alert rules read. Names and label sets
 * come from metrics.py (generated from METRICS); a test runs every function and checks the exposition against
 * the rule files, so a renamed metric or label cannot silently break an alert.
 */
export function instrumentationModule(p: MonitoringPlan): string {
  return `"""Metric emitters of the ${p.pipeline} pipeline (generated from the observability phase).

Online code (model server, stream consumer) records into the process registry that /metrics serves; jobs (data
validation, batch scoring, training, cost export) record the same way and call push() before they exit, so the
Pushgateway keeps their last values for Prometheus.
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from typing import Dict, Iterator, Optional

from .metrics import MODEL, PIPELINE, metric, status_class

PUSHGATEWAY_ENV = "PUSHGATEWAY"


def observe_request(endpoint: str, code: int, seconds: float, version: str, rows: int = 1, mode: str = "online") -> None:
    """One prediction request as the model server saw it: status, latency and the predictions it returned."""
    metric("requests").labels(MODEL, version, endpoint, status_class(code)).inc()
    metric("requestDuration").labels(MODEL, version, endpoint).observe(max(0.0, seconds))
    if 200 <= code < 300 and rows > 0:
        metric("predictions").labels(MODEL, version, mode).inc(rows)


@contextmanager
def timed_request(endpoint: str, version: str) -> Iterator[Dict[str, int]]:
    """Times a request handler; set state["code"] and state["rows"] inside, an exception counts as a 500."""
    state = {"code": 200, "rows": 1}
    started = time.perf_counter()
    try:
        yield state
    except Exception:
        state["code"] = 500
        raise
    finally:
        observe_request(endpoint, int(state["code"]), time.perf_counter() - started, version, int(state["rows"]))


@contextmanager
def timed_feature_lookup(store: str, feature_view: str) -> Iterator[None]:
    """Times one online feature retrieval, network included (the feature serving latency objective)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        metric("featureStoreDuration").labels(store, feature_view).observe(time.perf_counter() - started)


def record_validation(dataset: str, check: str, passed: bool) -> None:
    metric("dataValidationChecks").labels(PIPELINE, dataset, check, "pass" if passed else "fail").inc()


def record_records(dataset: str, valid: int, quarantined: int = 0, rejected: int = 0) -> None:
    for result, count in (("valid", valid), ("quarantined", quarantined), ("rejected", rejected)):
        if count < 0:
            raise ValueError(f"negative record count for {result}: {count}")
        metric("dataRecords").labels(PIPELINE, dataset, result).inc(count)


def record_batch_run(success: bool, finished_at: Optional[float] = None) -> None:
    metric("batchRuns").labels(PIPELINE, "success" if success else "failed").inc()
    if success:
        metric("batchLastSuccess").labels(PIPELINE).set(time.time() if finished_at is None else finished_at)


def record_stream(topic: str, consumer_group: str, lag_seconds: float, result: str = "success", events: int = 1) -> None:
    if result not in ("success", "failed", "dead_letter"):
        raise ValueError(f"unknown stream result {result!r}")
    metric("streamLag").labels(PIPELINE, topic, consumer_group).set(max(0.0, lag_seconds))
    metric("streamMessages").labels(PIPELINE, topic, result).inc(events)


def record_training_run(trigger: str, result: str) -> None:
    if trigger not in ("schedule", "drift", "degradation", "manual"):
        raise ValueError(f"unknown training trigger {trigger!r}")
    if result not in ("success", "failed", "rejected"):
        raise ValueError(f"unknown training result {result!r}")
    metric("trainingRuns").labels(PIPELINE, trigger, result).inc()


def record_feature_importance(importances: Dict[str, float], rank_correlation: float) -> None:
    """Normalised importance per feature on recent traffic and its Spearman correlation with training time."""
    for feature, value in importances.items():
        metric("featureImportance").labels(PIPELINE, MODEL, feature).set(value)
    metric("featureImportanceRankCorrelation").labels(PIPELINE, MODEL).set(rank_correlation)


def record_business_kpi(kpi: str, value: float, quality_metric: str, correlation: Optional[float] = None) -> None:
    metric("businessKpi").labels(PIPELINE, kpi).set(value)
    if correlation is not None:
        metric("businessKpiCorrelation").labels(PIPELINE, MODEL, kpi, quality_metric).set(correlation)


def set_month_to_date_cost(team: str, component: str, usd: float) -> None:
    """Month-to-date cost of one component, as the cost exporter reads it from OpenCost's allocation API."""
    metric("cost").labels(PIPELINE, team, component).set(usd)


def push(job: str, address: Optional[str] = None) -> None:
    """Pushes this process's metrics to the Pushgateway under the pipeline's grouping key (jobs only)."""
    from prometheus_client import REGISTRY, push_to_gateway  # optional at import time

    target = address or os.environ.get(PUSHGATEWAY_ENV)
    if not target:
        raise RuntimeError(f"set {PUSHGATEWAY_ENV} to the Pushgateway address (host:port)")
    push_to_gateway(target, job=job, registry=REGISTRY, grouping_key={"pipeline": PIPELINE})
`;
}
