import { pyLiteral } from '../../generators/serializers/python.js';
import { METRICS } from './metrics.js';
import type { MonitoringPlan } from './plan.js';

/**
 * Python modules of the monitoring bullets, under ml/src/<package>/observability/. They use the standard
 * library only (the statistical tests come from ml/src/<package>/stats.py, emitted by the data_scientist phase
 * for every spec), so they import and run on a bare interpreter; prometheus_client
 * and PyYAML are imported inside the functions that need them. Spec values enter through pyLiteral.
 */

export function initModule(p: MonitoringPlan): string {
  return `"""Monitoring for the ${p.pipeline} pipeline: metric names, drift detection and retraining triggers."""

from .metrics import METRIC_NAMES, LATENCY_BUCKETS_SECONDS

__all__ = ["METRIC_NAMES", "LATENCY_BUCKETS_SECONDS"]
`;
}

export function metricsModule(p: MonitoringPlan): string {
  const names = Object.fromEntries(Object.entries(METRICS).map(([k, m]) => [k, { name: m.name, type: m.type, labels: [...m.labels], help: m.help }]));
  return `"""Metric names shared by serving, jobs and alert rules (generated from the observability phase).

Renaming a metric here without regenerating the rules breaks alerts: regenerate both.
"""

from __future__ import annotations

from typing import Any, Dict

PIPELINE = ${pyLiteral(p.pipeline)}
MODEL = ${pyLiteral(p.model)}

# Bucket boundaries are multiples of the p99 objective (${p.spec.slo.p99_latency_ms} ms), one of them exactly on it.
LATENCY_BUCKETS_SECONDS = ${pyLiteral(p.latency.bucketsSeconds)}
FEATURE_LATENCY_BUCKETS_SECONDS = ${pyLiteral([...new Set([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5].concat([p.latency.featureServingSeconds]))].sort((a, b) => a - b))}

METRIC_NAMES: Dict[str, Dict[str, Any]] = ${pyLiteral(names)}

_REGISTERED: Dict[str, Any] = {}


def metric(key: str) -> Any:
    """Returns the prometheus_client collector for a metric key, creating it once per process."""
    if key in _REGISTERED:
        return _REGISTERED[key]
    from prometheus_client import Counter, Gauge, Histogram  # imported lazily: optional at import time

    spec = METRIC_NAMES[key]
    labels = list(spec["labels"])
    if spec["type"] == "counter":
        name = spec["name"][: -len("_total")] if spec["name"].endswith("_total") else spec["name"]
        collector = Counter(name, spec["help"], labels)
    elif spec["type"] == "histogram":
        buckets = FEATURE_LATENCY_BUCKETS_SECONDS if key == "featureStoreDuration" else LATENCY_BUCKETS_SECONDS
        collector = Histogram(spec["name"], spec["help"], labels, buckets=buckets)
    else:
        collector = Gauge(spec["name"], spec["help"], labels)
    _REGISTERED[key] = collector
    return collector


def status_class(code: int) -> str:
    """HTTP status as the \`code\` label value; gRPC handlers pass the mapped HTTP status."""
    if code < 100 or code > 599:
        raise ValueError(f"not an HTTP status: {code}")
    return str(code)
`;
}

export function driftModule(p: MonitoringPlan): string {
  return `"""Statistical drift detection for the ${p.pipeline} pipeline (generated from the observability phase).

Tests per feature come from monitoring/drift/drift_config.yaml: PSI and KS for numeric features, chi-square
(Cramer's V) and Jensen-Shannon for categorical ones, Wasserstein distance in units of the reference standard
deviation. Everything is plain Python so the job runs anywhere; inputs are sampled to at most
\`current.max_rows\` rows per run.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
import time
from dataclasses import asdict, dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ..stats import binned_counts, chi2_homogeneity, jensen_shannon, ks_2samp, psi_from_counts, quantile_edges

PIPELINE = ${pyLiteral(p.pipeline)}
DEFAULT_CONFIG_PATH = "monitoring/drift/drift_config.yaml"
OTHER = "__other__"


# ----------------------------------------------------------------- statistics
# KS, chi-square, PSI and Jensen-Shannon come from the package's stats module (emitted by the data_scientist
# phase, shared with features/validation.py).


def category_counts(values: Sequence[str], categories: Sequence[str]) -> List[int]:
    index = {c: i for i, c in enumerate(categories)}
    counts = [0] * (len(categories) + 1)
    for v in values:
        counts[index.get(v, len(categories))] += 1
    return counts


def psi(reference: Sequence[float], current: Sequence[float], bins: int = 10) -> float:
    edges = quantile_edges(reference, bins)
    return psi_from_counts(binned_counts(reference, edges), binned_counts(current, edges))


def chi2_test(reference: Sequence[int], current: Sequence[int]) -> Tuple[float, float]:
    """Chi-square test of homogeneity on a 2 x k table: returns (Cramer's V, p-value)."""
    _, _, p_value, cramers_v = chi2_homogeneity(reference, current)
    return cramers_v, p_value


def wasserstein_normalised(reference: Sequence[float], current: Sequence[float], points: int = 1000) -> float:
    """Wasserstein-1 distance between the two samples, in units of the reference standard deviation."""
    a, b = sorted(reference), sorted(current)
    if len(a) < 2 or not b:
        raise ValueError("need at least two reference and one current values")
    mean = sum(a) / len(a)
    std = math.sqrt(sum((x - mean) ** 2 for x in a) / (len(a) - 1)) or 1.0
    total = 0.0
    for k in range(points):
        u = (k + 0.5) / points
        total += abs(a[min(len(a) - 1, int(u * len(a)))] - b[min(len(b) - 1, int(u * len(b)))])
    return total / points / std


# ----------------------------------------------------------------- per-feature evaluation


@dataclass
class FeatureResult:
    feature: str
    test: str
    score: float
    p_value: Optional[float]
    level: str  # ok, warn, critical, insufficient
    samples: int
    null_ratio: float
    out_of_range_ratio: float
    protected: bool


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "") or (isinstance(value, float) and math.isnan(value))


def _numeric(values: Sequence[Any]) -> List[float]:
    return [float(v) for v in values if not _is_missing(v)]


def _categorical(values: Sequence[Any]) -> List[str]:
    return [str(v).strip().lower() if isinstance(v, bool) or str(v).lower() in ("true", "false") else str(v) for v in values if not _is_missing(v)]


def classify(score: float, p_value: Optional[float], cfg: Dict[str, Any]) -> str:
    if cfg.get("p_value_max") is not None and p_value is not None and p_value >= cfg["p_value_max"]:
        return "ok"
    if score >= cfg["critical"]:
        return "critical"
    if score >= cfg["warn"]:
        return "warn"
    return "ok"


def evaluate_feature(cfg: Dict[str, Any], reference: Sequence[Any], current: Sequence[Any]) -> FeatureResult:
    """Runs the configured test of one feature; fewer than min_samples current values gives 'insufficient'."""
    test = cfg["test"]
    nulls = sum(1 for v in current if _is_missing(v))
    null_ratio = nulls / len(current) if current else 0.0
    categorical = cfg["type"] in ("categorical", "boolean", "text") or "categories" in cfg
    p_value: Optional[float] = None
    if categorical:
        ref_values, cur_values = _categorical(reference), _categorical(current)
        categories = [str(c) for c in cfg.get("categories", [])] or sorted(set(ref_values))
        out_of_range = sum(1 for v in cur_values if v not in categories)
        ref_counts, cur_counts = category_counts(ref_values, categories), category_counts(cur_values, categories)
        if test == "chi2":
            score, p_value = chi2_test(ref_counts, cur_counts)
        elif test == "jensen_shannon":
            score = jensen_shannon(ref_counts, cur_counts)
        else:
            score = psi_from_counts(ref_counts, cur_counts)
    else:
        ref_num, cur_num = _numeric(reference), _numeric(current)
        low, high = cfg.get("min"), cfg.get("max")
        out_of_range = sum(1 for v in cur_num if (low is not None and v < low) or (high is not None and v > high))
        cur_values = cur_num
        if test == "ks":
            score, p_value = ks_2samp(ref_num, cur_num)
        elif test == "wasserstein":
            score = wasserstein_normalised(ref_num, cur_num)
        elif test == "jensen_shannon":
            edges = quantile_edges(ref_num, int(cfg.get("bins") or 10))
            score = jensen_shannon(binned_counts(ref_num, edges), binned_counts(cur_num, edges))
        else:
            score = psi(ref_num, cur_num, int(cfg.get("bins") or 10))
    samples = len(cur_values)
    level = "insufficient" if samples < int(cfg["min_samples"]) else classify(score, p_value, cfg)
    return FeatureResult(
        feature=cfg["name"],
        test=test,
        score=round(score, 6),
        p_value=None if p_value is None else round(p_value, 8),
        level=level,
        samples=samples,
        null_ratio=round(null_ratio, 6),
        out_of_range_ratio=round(out_of_range / samples, 6) if samples else 0.0,
        protected=bool(cfg.get("protected", False)),
    )


def evaluate(config: Dict[str, Any], reference: Dict[str, Sequence[Any]], current: Dict[str, Sequence[Any]]) -> List[FeatureResult]:
    return [evaluate_feature(f, reference.get(f["name"], []), current.get(f["name"], [])) for f in config["features"]]


def retraining_quorum_reached(config: Dict[str, Any], results: Sequence[FeatureResult]) -> bool:
    critical = [r for r in results if r.level == "critical" and not (r.protected and config["retraining"].get("exclude_protected", True))]
    return len(critical) >= int(config["retraining"]["quorum_features"])


# ----------------------------------------------------------------- outputs


def render_report(config: Dict[str, Any], results: Sequence[FeatureResult]) -> str:
    lines = [f"# Drift report: {config['pipeline']}", "", "| feature | test | score | p-value | level | samples | null ratio |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in results:
        p_text = "-" if r.p_value is None else f"{r.p_value:.3g}"
        lines.append(f"| {r.feature} | {r.test} | {r.score:.4f} | {p_text} | {r.level} | {r.samples} | {r.null_ratio:.4f} |")
    lines += ["", f"Retraining quorum reached: {'yes' if retraining_quorum_reached(config, results) else 'no'}"]
    return "\\n".join(lines) + "\\n"


def push_metrics(config: Dict[str, Any], results: Sequence[FeatureResult], duration_seconds: float) -> None:
    """Pushes the scores to the Pushgateway under the pipeline's grouping key."""
    from prometheus_client import CollectorRegistry, Gauge, push_to_gateway  # optional dependency

    names = config["metrics"]
    registry = CollectorRegistry()
    score = Gauge(names["score"], "drift statistic", ["pipeline", "feature", "test"], registry=registry)
    p_value = Gauge(names["p_value"], "drift p-value", ["pipeline", "feature", "test"], registry=registry)
    nulls = Gauge(names["null_ratio"], "null ratio", ["pipeline", "feature"], registry=registry)
    out = Gauge(names["out_of_range_ratio"], "out of range ratio", ["pipeline", "feature"], registry=registry)
    for r in results:
        if r.level == "insufficient":
            continue
        score.labels(config["pipeline"], r.feature, r.test).set(r.score)
        if r.p_value is not None:
            p_value.labels(config["pipeline"], r.feature, r.test).set(r.p_value)
        nulls.labels(config["pipeline"], r.feature).set(r.null_ratio)
        out.labels(config["pipeline"], r.feature).set(r.out_of_range_ratio)
    Gauge(names["duration"], "drift job runtime", ["pipeline"], registry=registry).labels(config["pipeline"]).set(duration_seconds)
    Gauge(names["last_success"], "drift job last success", ["pipeline"], registry=registry).labels(config["pipeline"]).set(time.time())
    push_to_gateway(names["push_gateway"], job=names["job"], registry=registry, grouping_key={"pipeline": config["pipeline"]})


def load_config(path: str) -> Dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    if path.endswith(".json"):
        return json.loads(text)
    import yaml  # PyYAML, optional: JSON configs work without it

    return yaml.safe_load(text)


def read_csv_columns(path: str) -> Dict[str, List[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    columns: Dict[str, List[str]] = {}
    for row in rows:
        for key, value in row.items():
            columns.setdefault(key, []).append(value)
    return columns


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=f"Drift check for {PIPELINE}")
    parser.add_argument("--config", default=DEFAULT_CONFIG_PATH)
    parser.add_argument("--reference", required=True, help="CSV sample of the training reference")
    parser.add_argument("--current", required=True, help="CSV sample of recent served features")
    parser.add_argument("--push", action="store_true", help="push metrics to the Pushgateway")
    parser.add_argument("--json", action="store_true", help="print results as JSON instead of a report")
    args = parser.parse_args(argv)
    started = time.monotonic()
    config = load_config(args.config)
    results = evaluate(config, read_csv_columns(args.reference), read_csv_columns(args.current))
    if args.push:
        push_metrics(config, results, time.monotonic() - started)
    sys.stdout.write(json.dumps([asdict(r) for r in results], indent=2) + "\\n" if args.json else render_report(config, results))
    return 2 if retraining_quorum_reached(config, results) else 0


if __name__ == "__main__":
    sys.exit(main())
`;
}

export function retrainingTriggerModule(p: MonitoringPlan): string {
  const triggerAlerts = { FeatureDriftHigh: 'drift', ModelQualityDegradationCritical: 'degradation' };
  const protectedFeatures = p.tests.filter((t) => t.protected).map((t) => t.feature);
  return `"""Automated retraining trigger for the ${p.pipeline} pipeline (generated from the observability phase).

Receives Alertmanager webhook payloads (or the vendor's webhook in the same shape), decides whether to start a
retraining run and starts it through the ${p.retraining.orchestrator} API. Guards: a drift quorum, a cooldown
between triggered runs and a minimum number of newly labelled rows.
"""

from __future__ import annotations

import json
import sys
import time
import urllib.request
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

PIPELINE = ${pyLiteral(p.pipeline)}
ORCHESTRATOR = ${pyLiteral(p.retraining.orchestrator)}
TRIGGER_ALERTS: Dict[str, str] = ${pyLiteral(triggerAlerts)}
DRIFT_QUORUM = ${p.drift.retrainQuorum}
PROTECTED_FEATURES = ${pyLiteral(protectedFeatures)}
COOLDOWN_SECONDS = ${p.retraining.cooldownHours * 3600}
MIN_NEW_LABELLED_ROWS = ${p.retraining.minNewLabelledRows}
TRAINING_SCHEDULE = ${pyLiteral(p.up.ml_engineer.training.schedule)}


@dataclass
class Decision:
    start: bool
    reason: str
    why: str


def firing_alerts(payload: Dict[str, Any]) -> List[Dict[str, Any]]:
    return [a for a in payload.get("alerts", []) if a.get("status") == "firing" and a.get("labels", {}).get("pipeline") == PIPELINE]


def decide(payload: Dict[str, Any], last_triggered_at: Optional[float], new_labelled_rows: int, now: float) -> Decision:
    alerts = firing_alerts(payload)
    degradation = [a for a in alerts if TRIGGER_ALERTS.get(a["labels"].get("alertname", "")) == "degradation"]
    drifted = sorted({a["labels"].get("feature", "") for a in alerts if TRIGGER_ALERTS.get(a["labels"].get("alertname", "")) == "drift"} - set(PROTECTED_FEATURES) - {""})
    if degradation:
        reason, why = "degradation", "model quality dropped beyond the retraining limit"
    elif len(drifted) >= DRIFT_QUORUM:
        reason, why = "drift", "drift on " + ", ".join(drifted)
    else:
        return Decision(False, "none", f"{len(drifted)} drifted feature(s), quorum {DRIFT_QUORUM}")
    if last_triggered_at is not None and now - last_triggered_at < COOLDOWN_SECONDS:
        return Decision(False, reason, f"cooldown: last triggered run {int(now - last_triggered_at)} s ago (< {COOLDOWN_SECONDS} s)")
    if new_labelled_rows < MIN_NEW_LABELLED_ROWS:
        return Decision(False, reason, f"only {new_labelled_rows} newly labelled rows (< {MIN_NEW_LABELLED_ROWS})")
    return Decision(True, reason, why)


def build_request(base_url: str, target: str, reason: str) -> Tuple[str, Dict[str, Any]]:
    """URL and JSON body that start a training run; target is the pipeline/DAG/deployment/job id."""
    base = base_url.rstrip("/")
    if ORCHESTRATOR == "kubeflow":
        return f"{base}/apis/v2beta1/runs", {"display_name": f"{PIPELINE}-{reason}", "pipeline_version_reference": {"pipeline_id": target}, "runtime_config": {"parameters": {"trigger_reason": reason}}}
    if ORCHESTRATOR == "airflow":
        return f"{base}/api/v1/dags/{target}/dagRuns", {"conf": {"trigger_reason": reason}}
    if ORCHESTRATOR == "prefect":
        return f"{base}/api/deployments/{target}/create_flow_run", {"parameters": {"trigger_reason": reason}, "tags": [f"trigger:{reason}"]}
    if ORCHESTRATOR == "dagster":
        query = "mutation Launch($params: ExecutionParams!) { launchRun(executionParams: $params) { __typename } }"
        return f"{base}/graphql", {"query": query, "variables": {"params": {"selector": {"jobName": target}, "executionMetadata": {"tags": [{"key": "trigger_reason", "value": reason}]}}}}
    raise ValueError(f"unknown orchestrator {ORCHESTRATOR}")


def start_run(base_url: str, target: str, reason: str, token: Optional[str] = None, timeout: float = 10.0) -> int:
    url, body = build_request(base_url, target, reason)
    request = urllib.request.Request(url, data=json.dumps(body).encode("utf-8"), method="POST", headers={"Content-Type": "application/json"})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - URL comes from configuration
        return int(response.status)


def main() -> int:
    payload = json.load(sys.stdin)
    decision = decide(payload, last_triggered_at=None, new_labelled_rows=MIN_NEW_LABELLED_ROWS, now=time.time())
    sys.stdout.write(json.dumps({"start": decision.start, "reason": decision.reason, "why": decision.why}) + "\\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
`;
}
