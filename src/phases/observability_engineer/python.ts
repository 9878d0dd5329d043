import { pyLiteral } from '../../generators/serializers/python.js';
import { pushgatewayAddress } from './kubernetes.js';
import { METRICS } from './metrics.js';
import type { MonitoringPlan } from './plan.js';

/**
 * Python modules of the monitoring bullets, under ml/src/<package>/observability/:
 * - metrics.py: the metric names (from metrics.ts), Prometheus text exposition, Pushgateway push and the
 *   node-exporter textfile, with the standard library only (prometheus_client is optional everywhere);
 * - drift.py: the drift job (numpy and scipy only) implementing the drift policy of driftConfig.ts, the same
 *   policy the TypeScript check_drift tool implements;
 * - quality.py: the evaluation job on delayed labels (concept drift), numpy only;
 * - retraining_trigger.py: the Alertmanager webhook receiver that starts retraining on the orchestrator.
 * The sources are String.raw templates (Python backslashes stay verbatim); every spec-derived value enters
 * through pyLiteral. The APIs used exist unchanged in numpy 1.24 / scipy 1.10 and numpy 2.4 / scipy 1.17.
 */

export function initModule(p: MonitoringPlan): string {
  return String.raw`"""Monitoring for the ${doc(p)} pipeline: metric names, drift detection, quality evaluation and retraining triggers."""

from .metrics import LATENCY_BUCKETS_SECONDS, METRIC_NAMES

__all__ = ["METRIC_NAMES", "LATENCY_BUCKETS_SECONDS"]
`;
}

/** Docstring-safe text: spec names and metric names are validated identifiers; this keeps the guarantee local. */
function safe(text: string): string {
  return text.replace(/[^A-Za-z0-9_. -]/g, '');
}

function doc(p: MonitoringPlan): string {
  return safe(p.pipeline);
}

export function metricsModule(p: MonitoringPlan): string {
  const names = Object.fromEntries(Object.entries(METRICS).map(([k, m]) => [k, { name: m.name, type: m.type, labels: [...m.labels], help: m.help }]));
  return String.raw`"""Metric names shared by serving, jobs and alert rules (generated from the observability phase).

Renaming a metric here without regenerating the rules breaks alerts: regenerate both. The jobs render the
Prometheus text exposition format themselves (exposition()) and push it over plain HTTP, so prometheus_client is
only needed by the long-running servers that use metric().
"""

from __future__ import annotations

import base64
import math
import os
import urllib.request
from typing import Any, Dict, Iterable, List, Mapping, Tuple

PIPELINE = ${pyLiteral(p.pipeline)}
MODEL = ${pyLiteral(p.model)}

# Bucket boundaries are multiples of the p99 objective (${p.spec.slo.p99_latency_ms} ms), one of them exactly on it.
LATENCY_BUCKETS_SECONDS = ${pyLiteral(p.latency.bucketsSeconds)}
FEATURE_LATENCY_BUCKETS_SECONDS = ${pyLiteral([...new Set([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5].concat([p.latency.featureServingSeconds]))].sort((a, b) => a - b))}

METRIC_NAMES: Dict[str, Dict[str, Any]] = ${pyLiteral(names)}

_REGISTERED: Dict[str, Any] = {}

# (metric name, labels, value)
Sample = Tuple[str, Mapping[str, str], float]


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
    """HTTP status as the ${'`'}code${'`'} label value; gRPC handlers pass the mapped HTTP status."""
    if code < 100 or code > 599:
        raise ValueError(f"not an HTTP status: {code}")
    return str(code)


def metric_by_name(name: str) -> Dict[str, Any]:
    """The definition of a metric by its exposed name; a name that is not one of the platform's is an error."""
    for spec in METRIC_NAMES.values():
        if spec["name"] == name:
            return spec
    raise KeyError(f"{name} is not a metric of this platform (see METRIC_NAMES)")


def _label_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value))


def exposition(samples: Iterable[Sample]) -> str:
    """Prometheus text exposition format (0.0.4) of the samples, HELP and TYPE from METRIC_NAMES."""
    grouped: Dict[str, List[Tuple[Mapping[str, str], float]]] = {}
    for name, labels, value in samples:
        spec = metric_by_name(name)
        unknown = sorted(set(labels) - set(spec["labels"]))
        if unknown:
            raise ValueError(f"{name} has no label(s) {unknown}; declared: {spec['labels']}")
        grouped.setdefault(name, []).append((labels, value))
    lines: List[str] = []
    for name, rows in grouped.items():
        spec = metric_by_name(name)
        lines.append(f"# HELP {name} " + spec["help"].replace("\\", "\\\\").replace("\n", "\\n"))
        lines.append(f"# TYPE {name} {spec['type']}")
        for labels, value in rows:
            text = ",".join(f'{k}="{_label_value(str(v))}"' for k, v in labels.items())
            lines.append(f"{name}{{{text}}} {_number(value)}" if text else f"{name} {_number(value)}")
    return "\n".join(lines) + "\n" if lines else ""


def _b64(value: str) -> str:
    return base64.urlsafe_b64encode(value.encode("utf-8")).decode("ascii") or "="


def push_url(gateway: str, job: str, grouping_key: Mapping[str, str]) -> str:
    """Pushgateway URL of a grouping key; every value base64url-encoded so slashes and spaces are safe."""
    base = gateway if "://" in gateway else f"http://{gateway}"
    path = f"/metrics/job@base64/{_b64(job)}" + "".join(f"/{k}@base64/{_b64(v)}" for k, v in grouping_key.items())
    return base.rstrip("/") + path


def push(gateway: str, job: str, grouping_key: Mapping[str, str], text: str, timeout: float = 10.0) -> int:
    """Replaces the grouping key's metrics on the Pushgateway (HTTP PUT of the text exposition)."""
    request = urllib.request.Request(
        push_url(gateway, job, grouping_key),
        data=text.encode("utf-8"),
        method="PUT",
        headers={"Content-Type": "text/plain; version=0.0.4; charset=utf-8"},
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - URL from configuration
        return int(response.status)


def write_textfile(path: str, text: str) -> None:
    """Atomically writes the exposition for node-exporter's textfile collector (or a test) to read."""
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


def parse_exposition(text: str) -> Dict[str, List[Tuple[Dict[str, str], float]]]:
    """Minimal parser of the text format written by exposition() (for tests and the report)."""
    out: Dict[str, List[Tuple[Dict[str, str], float]]] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        head, _, value = line.rpartition(" ")
        name, _, rest = head.partition("{")
        labels: Dict[str, str] = {}
        body = rest[:-1] if rest.endswith("}") else ""
        i = 0
        while i < len(body):
            eq = body.index("=", i)
            key = body[i:eq]
            j, chars = eq + 2, []
            while body[j] != '"':
                if body[j] == "\\":
                    nxt = body[j + 1]
                    chars.append("\n" if nxt == "n" else nxt)
                    j += 2
                else:
                    chars.append(body[j])
                    j += 1
            labels[key] = "".join(chars)
            i = j + 2 if j + 1 < len(body) and body[j + 1] == "," else j + 1
        out.setdefault(name, []).append((labels, float(value)))
    return out
`;
}

export function driftModule(p: MonitoringPlan): string {
  return String.raw`"""Drift job of the ${doc(p)} pipeline (generated from the observability phase).

numpy and scipy only (plus the standard library; PyYAML for the YAML config, JSON configs work without it).
The policy, the same one the check_drift tool implements in TypeScript:

- missing values (empty, null, NaN) are excluded from every statistic and counted (null ratio);
- numeric features: KS (scipy.stats.ks_2samp, method auto: exact p-value up to 10,000 values per side),
  PSI and Jensen-Shannon distance (base 2) on 10 bins cut at the reference deciles, Wasserstein-1 distance
  (normalised by the reference standard deviation);
- categorical features: chi-square test of homogeneity (scipy.stats.chi2_contingency, Yates when dof = 1) with
  Cramer's V, Jensen-Shannon distance and PSI on the category counts (reference categories + __other__);
- the verdict's test by type and sample size n = min(non-missing reference, current): n < min_samples ->
  insufficient; numeric n < large_sample -> KS; numeric otherwise -> PSI; categorical when every expected count
  is >= 5 (Cochran 1954) -> chi-square; otherwise -> Jensen-Shannon.
Thresholds per feature come from monitoring/drift/drift_config.yaml. Exit code 2 when the retraining quorum of
critical non-protected features is reached, 0 otherwise, 64 on bad usage, 1 on errors.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Mapping, NoReturn, Optional, Sequence, Tuple

import numpy as np
from scipy import stats as sps
from scipy.spatial import distance as spd

from .metrics import Sample, exposition, push, write_textfile

PIPELINE = ${pyLiteral(p.pipeline)}
MODEL = ${pyLiteral(p.model)}
DEFAULT_CONFIG_PATH = "monitoring/drift/drift_config.yaml"
OTHER = "__other__"
NUMERIC_TYPES = ("numeric", "integer", "float", "double")
KS_EXACT_MAX_N = 10000  # scipy's method='auto' switch


class DriftInputError(ValueError):
    """Bad input data (a non-numeric cell in a numeric column, a missing column)."""


# ----------------------------------------------------------------- columns


def is_missing(value: Any) -> bool:
    """The policy's missing values: None, the empty string and NaN (a category named "none" or "NA" is a value)."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and value == ""


def numeric_column(values: Sequence[Any], feature: str = "") -> Tuple[np.ndarray, int]:
    """Non-missing values as float64 and the number missing.

    Documented treatment: blank cells, "NaN" and infinities count as missing (no statistic is defined on them);
    any other text is a DriftInputError naming the feature and the row.
    """
    out: List[float] = []
    missing = 0
    for row, v in enumerate(values):
        if is_missing(v) or (isinstance(v, str) and v.strip() == ""):
            missing += 1
            continue
        try:
            x = float(v)
        except (TypeError, ValueError):
            raise DriftInputError(f"feature {feature!r}: value {str(v)[:40]!r} in row {row + 1} is not a number") from None
        if math.isfinite(x):
            out.append(x)
        else:
            missing += 1
    return np.asarray(out, dtype=np.float64), missing


def categorical_column(values: Sequence[Any], boolean: bool = False) -> Tuple[List[str], int]:
    """Non-missing values as strings (booleans as "true"/"false") and the number missing."""
    out: List[str] = []
    missing = 0
    for v in values:
        if is_missing(v):
            missing += 1
        elif isinstance(v, bool) or (boolean and str(v).strip().lower() in ("true", "false")):
            out.append(str(v).strip().lower())
        else:
            out.append(str(v))
    return out, missing


def js_order(values: Sequence[str]) -> List[str]:
    """Sorted like JavaScript's default sort (UTF-16 code units), the order the TypeScript twin uses."""
    return sorted(values, key=lambda s: s.encode("utf-16-be"))


# ----------------------------------------------------------------- statistics


def quantile_edges(reference: np.ndarray, bins: int = 10) -> np.ndarray:
    """Unique reference quantiles at 1/B .. (B-1)/B (numpy's default linear method)."""
    return np.unique(np.quantile(reference, np.arange(1, bins) / bins))


def bin_counts(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Counts per bin; x falls in bin searchsorted(edges, x, side='right') (len(edges) + 1 bins)."""
    return np.bincount(np.searchsorted(edges, values, side="right"), minlength=len(edges) + 1)


def psi_from_counts(reference: Sequence[float], current: Sequence[float], eps: float = 1e-6) -> float:
    ref = np.asarray(reference, dtype=np.float64)
    cur = np.asarray(current, dtype=np.float64)
    q = np.maximum(ref / ref.sum(), eps)
    p = np.maximum(cur / cur.sum(), eps)
    return float(np.sum((p - q) * np.log(p / q)))


def jensen_shannon(reference: Sequence[float], current: Sequence[float]) -> float:
    """Jensen-Shannon distance (base 2, in [0, 1]) between two count vectors."""
    return float(spd.jensenshannon(np.asarray(reference, dtype=np.float64), np.asarray(current, dtype=np.float64), base=2))


def ks_test(reference: np.ndarray, current: np.ndarray) -> Dict[str, Any]:
    result = sps.ks_2samp(reference, current, method="auto")
    method = "exact" if max(len(reference), len(current)) <= KS_EXACT_MAX_N else "asymp"
    return {"statistic": float(result.statistic), "p_value": float(result.pvalue), "method": method}


def wasserstein(reference: np.ndarray, current: np.ndarray) -> Tuple[float, float]:
    """Wasserstein-1 distance and the same divided by the reference standard deviation (ddof 1) when positive."""
    w = float(sps.wasserstein_distance(reference, current))
    std = float(np.std(reference, ddof=1)) if len(reference) > 1 else 0.0
    return w, (w / std if std > 0 else w)


def chi2_homogeneity(reference: Sequence[int], current: Sequence[int]) -> Dict[str, Any]:
    """Chi-square test of homogeneity on the 2 x k table (empty categories dropped) with Cramer's V and Cochran's rule."""
    table = np.asarray([reference, current], dtype=np.float64)
    table = table[:, table.sum(axis=0) > 0]
    n = float(table.sum())
    if table.shape[1] < 2 or (table.sum(axis=1) == 0).any():
        return {"statistic": 0.0, "p_value": 1.0, "dof": 0, "cramers_v": 0.0, "cochran_ok": False}
    statistic, p_value, dof, expected = sps.chi2_contingency(table)
    uncorrected = sps.chi2_contingency(table, correction=False)[0]
    return {
        "statistic": float(statistic),
        "p_value": float(p_value),
        "dof": int(dof),
        "cramers_v": math.sqrt(float(uncorrected) / n),
        "cochran_ok": bool(np.min(expected) >= 5),
    }


def numeric_statistics(reference: np.ndarray, current: np.ndarray, bins: int = 10, eps: float = 1e-6) -> Dict[str, Any]:
    edges = quantile_edges(reference, bins)
    ref_counts, cur_counts = bin_counts(reference, edges), bin_counts(current, edges)
    w, w_norm = wasserstein(reference, current)
    return {
        "ks": ks_test(reference, current),
        "psi": psi_from_counts(ref_counts, cur_counts, eps),
        "jensen_shannon": jensen_shannon(ref_counts, cur_counts),
        "wasserstein": w,
        "wasserstein_normalised": w_norm,
    }


def category_counts(reference: Sequence[str], current: Sequence[str]) -> Tuple[List[str], List[int], List[int]]:
    """Sorted reference categories + __other__ (current values unseen in the reference), counts of both."""
    categories = js_order(list(set(reference)))
    index = {c: i for i, c in enumerate(categories)}
    ref_counts = [0] * (len(categories) + 1)
    cur_counts = [0] * (len(categories) + 1)
    for v in reference:
        ref_counts[index[v]] += 1
    for v in current:
        cur_counts[index.get(v, len(categories))] += 1
    return categories + [OTHER], ref_counts, cur_counts


def categorical_statistics(reference: Sequence[str], current: Sequence[str], eps: float = 1e-6) -> Dict[str, Any]:
    _, ref_counts, cur_counts = category_counts(reference, current)
    return {
        "chi2": chi2_homogeneity(ref_counts, cur_counts),
        "jensen_shannon": jensen_shannon(ref_counts, cur_counts),
        "psi": psi_from_counts(ref_counts, cur_counts, eps),
    }


# Earlier API, kept for callers of the previous module: (statistic, p-value) tuples on plain lists.
def ks_2samp(reference: Sequence[float], current: Sequence[float]) -> Tuple[float, float]:
    r = ks_test(np.asarray(reference, dtype=np.float64), np.asarray(current, dtype=np.float64))
    return r["statistic"], r["p_value"]


def chi2_test(reference: Sequence[int], current: Sequence[int]) -> Tuple[float, float]:
    r = chi2_homogeneity(reference, current)
    return r["cramers_v"], r["p_value"]


def psi(reference: Sequence[float], current: Sequence[float], bins: int = 10) -> float:
    ref = np.asarray(reference, dtype=np.float64)
    edges = quantile_edges(ref, bins)
    return psi_from_counts(bin_counts(ref, edges), bin_counts(np.asarray(current, dtype=np.float64), edges))


# ----------------------------------------------------------------- the verdict


def thresholds_of(config: Mapping[str, Any], feature: Mapping[str, Any]) -> Dict[str, Any]:
    """The policy defaults overridden by the feature's own thresholds."""
    policy = config.get("policy", {})
    out: Dict[str, Any] = {
        "min_samples": int(policy.get("min_samples", 30)),
        "large_sample": int(policy.get("large_sample", 1000)),
        "bins": int(policy.get("bins", 10)),
        "epsilon": float(policy.get("epsilon", 1e-6)),
    }
    defaults = {"ks": {"p_value_max": 0.01, "min_effect": 0.1}, "chi2": {"p_value_max": 0.01, "min_effect": 0.1}, "psi": {"warn": 0.1, "critical": 0.25}, "jensen_shannon": {"warn": 0.1, "critical": 0.2}}
    for test, values in defaults.items():
        out[test] = {**values, **policy.get(test, {}), **feature.get("thresholds", {}).get(test, {})}
    return out


def _hypothesis_level(p_value: float, effect: float, th: Mapping[str, float]) -> str:
    if p_value < th["p_value_max"] and effect >= th["min_effect"]:
        return "critical"
    if p_value < th["p_value_max"] and effect >= th["min_effect"] / 2:
        return "warn"
    return "ok"


def _distance_level(value: float, th: Mapping[str, float]) -> str:
    return "critical" if value >= th["critical"] else "warn" if value >= th["warn"] else "ok"


def select(kind: str, n: int, statistics: Mapping[str, Any], th: Mapping[str, Any]) -> Tuple[str, float, Optional[float], str, str]:
    """(test, statistic, p-value, level, reason) of the policy for one feature."""
    if n < th["min_samples"]:
        why = f"n = {n} < {th['min_samples']} non-missing values on one side: no verdict"
        if not statistics:
            return ("ks" if kind == "numeric" else "chi2"), float("nan"), None, "insufficient", why
        if kind == "numeric":
            return "ks", statistics["ks"]["statistic"], statistics["ks"]["p_value"], "insufficient", why
        chi = statistics["chi2"]
        if chi["cochran_ok"]:
            return "chi2", chi["cramers_v"], chi["p_value"], "insufficient", why
        return "jensen_shannon", statistics["jensen_shannon"], None, "insufficient", why
    if kind == "numeric":
        if n < th["large_sample"]:
            ks = statistics["ks"]
            level = _hypothesis_level(ks["p_value"], ks["statistic"], th["ks"])
            return "ks", ks["statistic"], ks["p_value"], level, f"numeric, n = {n} < {th['large_sample']}: KS decides (D = {ks['statistic']:.4g}, p = {ks['p_value']:.3g}; p < {th['ks']['p_value_max']} and D >= {th['ks']['min_effect']} is critical)"
        value = statistics["psi"]
        return "psi", value, None, _distance_level(value, th["psi"]), f"numeric, n = {n} >= {th['large_sample']}: PSI decides ({value:.4g}; warn {th['psi']['warn']}, critical {th['psi']['critical']})"
    chi = statistics["chi2"]
    if chi["cochran_ok"]:
        level = _hypothesis_level(chi["p_value"], chi["cramers_v"], th["chi2"])
        return "chi2", chi["cramers_v"], chi["p_value"], level, f"categorical, every expected count >= 5: chi-square decides (V = {chi['cramers_v']:.4g}, p = {chi['p_value']:.3g})"
    value = statistics["jensen_shannon"]
    return "jensen_shannon", value, None, _distance_level(value, th["jensen_shannon"]), f"categorical, an expected count < 5 (Cochran): Jensen-Shannon decides ({value:.4g}; warn {th['jensen_shannon']['warn']}, critical {th['jensen_shannon']['critical']})"


@dataclass
class FeatureResult:
    feature: str
    kind: str
    test: str
    statistic: float
    p_value: Optional[float]
    level: str  # ok, warn, critical, insufficient
    reason: str
    samples: Dict[str, int]
    missing: Dict[str, int]
    null_ratio: float
    out_of_range_ratio: float
    protected: bool
    statistics: Dict[str, Any] = field(default_factory=dict)


def evaluate_feature(config: Mapping[str, Any], feature: Mapping[str, Any], reference: Sequence[Any], current: Sequence[Any]) -> FeatureResult:
    th = thresholds_of(config, feature)
    kind = "numeric" if feature.get("kind", "numeric" if feature["type"] in NUMERIC_TYPES else "categorical") == "numeric" else "categorical"
    name = str(feature["name"])
    if kind == "numeric":
        ref, ref_missing = numeric_column(reference, name)
        cur, cur_missing = numeric_column(current, name)
        low, high = feature.get("min"), feature.get("max")
        outside = (int(np.count_nonzero(cur < low)) if low is not None else 0) + (int(np.count_nonzero(cur > high)) if high is not None else 0)
        n_ref, n_cur = len(ref), len(cur)
        statistics = numeric_statistics(ref, cur, th["bins"], th["epsilon"]) if n_ref > 0 and n_cur > 0 else {}
    else:
        ref_c, ref_missing = categorical_column(reference, feature["type"] == "boolean")
        cur_c, cur_missing = categorical_column(current, feature["type"] == "boolean")
        declared = set(str(c) for c in feature.get("categories", [])) or set(ref_c)
        outside = sum(1 for v in cur_c if v not in declared)
        n_ref, n_cur = len(ref_c), len(cur_c)
        statistics = categorical_statistics(ref_c, cur_c, th["epsilon"]) if n_ref > 0 and n_cur > 0 else {}
    n = min(n_ref, n_cur)
    test, statistic, p_value, level, reason = select(kind, n, statistics, th)
    total_current = n_cur + cur_missing
    return FeatureResult(
        feature=name,
        kind=kind,
        test=test,
        statistic=statistic,
        p_value=p_value,
        level=level,
        reason=reason,
        samples={"reference": n_ref, "current": n_cur},
        missing={"reference": ref_missing, "current": cur_missing},
        null_ratio=cur_missing / total_current if total_current else 0.0,
        out_of_range_ratio=outside / n_cur if n_cur else 0.0,
        protected=bool(feature.get("protected", False)),
        statistics=statistics,
    )


def evaluate(config: Mapping[str, Any], reference: Mapping[str, Sequence[Any]], current: Mapping[str, Sequence[Any]]) -> List[FeatureResult]:
    missing = [f["name"] for f in config["features"] if f["name"] not in reference or f["name"] not in current]
    if missing:
        raise DriftInputError(f"column(s) missing from the reference or current sample: {', '.join(missing)}")
    return [evaluate_feature(config, f, reference[f["name"]], current[f["name"]]) for f in config["features"]]


def prediction_drift(config: Mapping[str, Any], reference: Mapping[str, Sequence[Any]], current: Mapping[str, Sequence[Any]]) -> Optional[float]:
    """PSI of the prediction column against the reference predictions (the label-free concept drift signal)."""
    spec = config.get("prediction_drift", {})
    column = spec.get("column", "prediction")
    if column not in reference or column not in current:
        return None
    ref, _ = numeric_column(reference[column], column)
    cur, _ = numeric_column(current[column], column)
    if len(ref) == 0 or len(cur) == 0:
        return None
    edges = quantile_edges(ref, int(spec.get("bins", 10)))
    return psi_from_counts(bin_counts(ref, edges), bin_counts(cur, edges))


def critical_features(config: Mapping[str, Any], results: Sequence[FeatureResult]) -> List[str]:
    exclude = bool(config["retraining"].get("exclude_protected", True))
    return [r.feature for r in results if r.level == "critical" and not (r.protected and exclude)]


def retraining_quorum_reached(config: Mapping[str, Any], results: Sequence[FeatureResult]) -> bool:
    return len(critical_features(config, results)) >= int(config["retraining"]["quorum_features"])


# ----------------------------------------------------------------- outputs


SCORE_OF = {"ks": ("ks", "statistic"), "chi2": ("chi2", "cramers_v"), "psi": ("psi", None), "jensen_shannon": ("jensen_shannon", None), "wasserstein": ("wasserstein_normalised", None)}


def metric_samples(config: Mapping[str, Any], results: Sequence[FeatureResult], prediction_psi: Optional[float], duration_seconds: float, finished_at: float) -> List[Sample]:
    """Every statistic as feature_drift_score{test}, p-values, null and out-of-range ratios, job health."""
    names = config["metrics"]
    pipeline = str(config["pipeline"])
    out: List[Sample] = []
    for r in results:
        if r.level != "insufficient":
            for test, (key, sub) in SCORE_OF.items():
                if key in r.statistics:
                    value = r.statistics[key] if sub is None else r.statistics[key][sub]
                    out.append((names["score"], {"pipeline": pipeline, "feature": r.feature, "test": test}, float(value)))
            for test in ("ks", "chi2"):
                if test in r.statistics:
                    out.append((names["p_value"], {"pipeline": pipeline, "feature": r.feature, "test": test}, float(r.statistics[test]["p_value"])))
        out.append((names["null_ratio"], {"pipeline": pipeline, "feature": r.feature}, r.null_ratio))
        out.append((names["out_of_range_ratio"], {"pipeline": pipeline, "feature": r.feature}, r.out_of_range_ratio))
    if prediction_psi is not None:
        out.append((names["prediction"], {"pipeline": pipeline, "model": str(config["model"]), "test": "psi"}, prediction_psi))
    out.append((names["duration"], {"pipeline": pipeline}, duration_seconds))
    out.append((names["last_success"], {"pipeline": pipeline}, finished_at))
    return out


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def render_report(config: Mapping[str, Any], results: Sequence[FeatureResult], prediction_psi: Optional[float] = None) -> str:
    lines = [
        f"# Drift report: {_cell(str(config['pipeline']))}",
        "",
        "| feature | test | statistic | p-value | level | n (ref / cur) | null ratio | out of range | why |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        stat = "-" if r.level == "insufficient" or math.isnan(r.statistic) else f"{r.statistic:.4g}"
        p_text = "-" if r.p_value is None else f"{r.p_value:.3g}"
        lines.append(f"| {_cell(r.feature)} | {r.test} | {stat} | {p_text} | {r.level} | {r.samples['reference']} / {r.samples['current']} | {r.null_ratio:.4f} | {r.out_of_range_ratio:.4f} | {_cell(r.reason)} |")
    if prediction_psi is not None:
        lines += ["", f"Prediction drift (PSI of the prediction distribution): {prediction_psi:.4g}"]
    critical = critical_features(config, results)
    lines += ["", f"Critical non-protected features: {', '.join(_cell(c) for c in critical) or 'none'}; retraining quorum {config['retraining']['quorum_features']}: {'reached' if retraining_quorum_reached(config, results) else 'not reached'}."]
    return "\n".join(lines) + "\n"


def trigger_payload(config: Mapping[str, Any], results: Sequence[FeatureResult]) -> Dict[str, Any]:
    """An Alertmanager-shaped webhook body with one firing FeatureDriftHigh alert per critical feature."""
    alerts = [
        {"status": "firing", "labels": {"alertname": "FeatureDriftHigh", "pipeline": str(config["pipeline"]), "feature": r.feature, "test": r.test, "severity": "critical"}, "annotations": {"summary": r.reason}}
        for r in results
        if r.level == "critical"
    ]
    return {"version": "4", "status": "firing" if alerts else "resolved", "receiver": "drift-job", "alerts": alerts}


def call_trigger(url: str, payload: Mapping[str, Any], token: Optional[str], timeout: float = 10.0) -> Dict[str, Any]:
    request = urllib.request.Request(url, data=json.dumps(payload).encode("utf-8"), method="POST", headers={"Content-Type": "application/json"})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - URL from the command line
        return dict(json.loads(response.read().decode("utf-8") or "{}"))


def jsonable(value: Any) -> Any:
    """JSON-ready copy: NaN and infinities become null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


# ----------------------------------------------------------------- inputs


def load_config(path: str) -> Dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    if path.endswith(".json"):
        return dict(json.loads(text))
    import yaml  # PyYAML, optional: JSON configs work without it

    return dict(yaml.safe_load(text))


def read_csv_columns(path: str) -> Dict[str, List[str]]:
    """A CSV file with a header row as columns of strings."""
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise DriftInputError(f"{path} is empty")
        columns: List[List[str]] = [[] for _ in header]
        for line, row in enumerate(reader, start=2):
            if len(row) != len(header):
                raise DriftInputError(f"{path} line {line}: {len(row)} cells, the header has {len(header)}")
            for i, value in enumerate(row):
                columns[i].append(value)
    return dict(zip(header, columns))


def sample_rows(columns: Dict[str, List[Any]], max_rows: int, seed: int) -> Dict[str, List[Any]]:
    """At most max_rows rows, the same rows of every column, drawn with a seeded generator (reproducible runs)."""
    n = max((len(v) for v in columns.values()), default=0)
    if n <= max_rows:
        return columns
    keep = sorted(random.Random(seed).sample(range(n), max_rows))
    return {k: [v[i] for i in keep] for k, v in columns.items()}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        sys.exit(64)  # EX_USAGE: 2 means "retraining quorum reached"


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = _Parser(description=f"Drift check for {PIPELINE}")
    parser.add_argument("--config", default=DEFAULT_CONFIG_PATH, help="drift_config.yaml (or a .json copy)")
    parser.add_argument("--reference", required=True, help="CSV sample of the training reference")
    parser.add_argument("--current", required=True, help="CSV sample of recent served features")
    parser.add_argument("--push", action="store_true", help="push the metrics to the Pushgateway of the config")
    parser.add_argument("--textfile", help="also write the metrics in the text exposition format to this file")
    parser.add_argument("--report", help="write the markdown report to this file")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of the report")
    parser.add_argument("--trigger-url", help="POST the critical features to the retraining trigger (…/alerts) when the quorum is reached")
    parser.add_argument("--trigger-token-env", default="RETRAINING_WEBHOOK_TOKEN", help="environment variable holding the trigger's bearer token")
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        config = load_config(args.config)
        max_rows, seed = int(config["current"]["max_rows"]), int(config["current"].get("sample_seed", 0))
        reference = sample_rows(read_csv_columns(args.reference), max_rows, seed)
        current = sample_rows(read_csv_columns(args.current), max_rows, seed + 1)
        results = evaluate(config, reference, current)
        prediction_psi = prediction_drift(config, reference, current)
    except (OSError, DriftInputError, KeyError) as error:
        sys.stderr.write(f"drift job failed: {error}\n")
        return 1
    text = exposition(metric_samples(config, results, prediction_psi, time.monotonic() - started, time.time()))
    if args.textfile:
        write_textfile(args.textfile, text)
    if args.push:
        push(config["metrics"]["push_gateway"], config["metrics"]["job"], {"pipeline": str(config["pipeline"])}, text)
    report = render_report(config, results, prediction_psi)
    if args.report:
        with open(args.report, "w", encoding="utf-8") as handle:
            handle.write(report)
    out = {"results": [asdict(r) for r in results], "prediction_psi": prediction_psi, "critical": critical_features(config, results)}
    sys.stdout.write(json.dumps(jsonable(out), indent=2, allow_nan=False) + "\n" if args.json else report)
    quorum = retraining_quorum_reached(config, results)
    if quorum and args.trigger_url:
        import os

        answer = call_trigger(args.trigger_url, trigger_payload(config, results), os.environ.get(args.trigger_token_env))
        sys.stderr.write(f"retraining trigger answered: {json.dumps(answer)}\n")
    return 2 if quorum else 0


if __name__ == "__main__":
    sys.exit(main())
`;
}

/** The relative CUSUM parameters of the concept-drift detector (per-window degradation, in fractions). */
export function cusumParameters(p: MonitoringPlan): { allowance: number; threshold: number } {
  return { allowance: Number((p.quality.warnDegradationPct / 200).toPrecision(6)), threshold: Number(((2 * p.quality.criticalDegradationPct) / 100).toPrecision(6)) };
}

export function qualityModule(p: MonitoringPlan): string {
  const q = p.quality;
  const cusum = cusumParameters(p);
  return String.raw`"""Evaluation job of the ${doc(p)} pipeline on delayed labels (generated from the observability phase).

Joins the prediction log with the ground-truth labels that arrive about ${q.labelDelayHours} h later (on the entity key
and the event timestamp), computes the primary metric ${safe(q.metric)} (numpy only) per model version over the
window [now - label delay - ${q.windowHours} h, now - label delay) once at least ${q.minLabelledSamples} labelled predictions are
in it, and compares it with the reference (the promoted version's value): a relative degradation of
${q.warnDegradationPct} % is a warning, ${q.criticalDegradationPct} % critical. A one-sided CUSUM (Page 1954) over the per-window
values flags gradual concept drift that no single window shows. Exit code 2 when a version is critical.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np

# The drift job's readers: one config loader, one strict CSV reader (ragged rows are an error).
from .drift import load_config, read_csv_columns
from .metrics import Sample, exposition, push, write_textfile

PIPELINE = ${pyLiteral(p.pipeline)}
MODEL = ${pyLiteral(p.model)}
PROBLEM_TYPE = ${pyLiteral(p.spec.problem.type)}
METRIC = ${pyLiteral(q.metric)}
SECONDARY_METRICS = ${pyLiteral(q.secondaryMetrics)}
DIRECTION = ${pyLiteral(q.direction)}
# The promotion threshold when the gate is absolute; None: the promoted version's measured value is passed at run time.
REFERENCE: Optional[float] = ${pyLiteral(q.referenceKnown ? q.reference : null)}
CRITICAL_FLOOR: Optional[float] = ${pyLiteral(p.up.data_scientist.retraining_trigger?.floor ?? null)}
LABEL_DELAY_HOURS = ${pyLiteral(q.labelDelayHours)}
WINDOW_HOURS = ${pyLiteral(q.windowHours)}
MIN_LABELLED_SAMPLES = ${pyLiteral(q.minLabelledSamples)}
WARN_DEGRADATION_PCT = ${pyLiteral(q.warnDegradationPct)}
CRITICAL_DEGRADATION_PCT = ${pyLiteral(q.criticalDegradationPct)}
# CUSUM on the relative degradation d_t: S_t = max(0, S_(t-1) + d_t - k), alarm when S_t > h. k is half the warning
# level (noise the detector tolerates), h twice the critical level (three windows at the critical drop, or a slow slide).
CUSUM_ALLOWANCE = ${pyLiteral(cusum.allowance)}
CUSUM_THRESHOLD = ${pyLiteral(cusum.threshold)}
ENTITY_KEY = ${pyLiteral(p.spec.data.entity_key)}
EVENT_TIMESTAMP = ${pyLiteral(p.spec.data.event_timestamp)}
LABEL_COLUMN = ${pyLiteral(p.spec.problem.target)}
PREDICTION_COLUMN = "prediction"
VERSION_COLUMN = "model_version"
PUSH_GATEWAY = ${pyLiteral(pushgatewayAddress(p))}
PUSH_JOB = ${pyLiteral(`${p.pipeline}-quality`)}
QUALITY = ${pyLiteral(METRICS.predictionQuality.name)}
QUALITY_REFERENCE = ${pyLiteral(METRICS.predictionQualityReference.name)}
QUALITY_SAMPLES = ${pyLiteral(METRICS.predictionQualitySamples.name)}
LABELS_LAST_JOINED = ${pyLiteral(METRICS.labelsLastJoined.name)}


class UnsupportedMetric(ValueError):
    """A metric this job cannot compute from (prediction, label) pairs."""


# ----------------------------------------------------------------- metrics (numpy only)

SCORE_METRICS = ("roc_auc", "pr_auc", "average_precision", "log_loss", "brier", "brier_score")
CLASS_METRICS = ("accuracy", "precision", "recall", "f1", "macro_f1", "micro_f1", "weighted_f1")
REGRESSION_METRICS = ("rmse", "mse", "mae", "mape", "smape", "wape", "r2", "bias_pct")
RANKING = re.compile(r"^(ndcg|recall|precision|map|hit_rate)_at_(\d+)$")


def metric_kind(metric: str, problem_type: str = PROBLEM_TYPE) -> str:
    """score (probabilities vs 0/1), class (labels), regression (values) or ranking (scores vs relevance per group)."""
    if RANKING.match(metric) or metric == "mrr":
        return "ranking"
    if metric in SCORE_METRICS:
        if problem_type == "multiclass_classification":
            # The prediction log holds the predicted class, not one probability per class.
            raise UnsupportedMetric(f"{metric} needs class probabilities; the multiclass prediction log holds the predicted class")
        return "score"
    if metric in CLASS_METRICS:
        return "class"
    if metric in REGRESSION_METRICS:
        return "regression"
    raise UnsupportedMetric(f"{metric} cannot be computed from (prediction, label) pairs by this job")


def average_ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks, ties get their average rank."""
    order = np.argsort(values, kind="mergesort")
    _, inverse, counts = np.unique(values[order], return_inverse=True, return_counts=True)
    starts = np.cumsum(counts) - counts
    ranks = np.empty(len(values), dtype=np.float64)
    ranks[order] = (starts + (counts + 1) / 2.0)[inverse]
    return ranks


def roc_auc(y: np.ndarray, score: np.ndarray) -> float:
    """Mann-Whitney U / (n_pos n_neg) on average ranks (ties count one half)."""
    pos = y == 1
    n_pos, n_neg = int(pos.sum()), int((~pos).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = average_ranks(score)
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def average_precision(y: np.ndarray, score: np.ndarray) -> float:
    """Sum over distinct thresholds of (recall step) x precision, the step-wise PR-AUC."""
    if not (y == 1).any():
        return float("nan")
    order = np.argsort(-score, kind="mergesort")
    s, t = score[order], (y[order] == 1).astype(np.float64)
    last = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1]
    tps = np.cumsum(t)[last]
    precision = tps / (last + 1)
    recall = tps / t.sum()
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def log_loss(y: np.ndarray, score: np.ndarray, eps: float = 1e-15) -> float:
    p = np.clip(score, eps, 1 - eps)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def _f1(tp: float, fp: float, fn: float) -> float:
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def class_metric(metric: str, y: Sequence[str], pred: Sequence[str], positive: str = "1") -> float:
    yt, yp = np.asarray(y), np.asarray(pred)
    if metric == "accuracy":
        return float(np.mean(yt == yp))
    if metric in ("precision", "recall", "f1"):
        tp = float(np.sum((yp == positive) & (yt == positive)))
        fp = float(np.sum((yp == positive) & (yt != positive)))
        fn = float(np.sum((yp != positive) & (yt == positive)))
        if metric == "precision":
            return tp / (tp + fp) if tp + fp else 0.0
        if metric == "recall":
            return tp / (tp + fn) if tp + fn else 0.0
        return _f1(tp, fp, fn)
    classes = sorted(set(yt.tolist()) | set(yp.tolist()))
    stats = [(float(np.sum((yp == c) & (yt == c))), float(np.sum((yp == c) & (yt != c))), float(np.sum((yp != c) & (yt == c))), float(np.sum(yt == c))) for c in classes]
    if metric == "micro_f1":
        return _f1(sum(s[0] for s in stats), sum(s[1] for s in stats), sum(s[2] for s in stats))
    f1s = np.asarray([_f1(tp, fp, fn) for tp, fp, fn, _ in stats])
    if metric == "macro_f1":
        return float(f1s.mean())
    support = np.asarray([s[3] for s in stats])
    return float(np.sum(f1s * support) / support.sum())


def regression_metric(metric: str, y: np.ndarray, pred: np.ndarray) -> float:
    err = pred - y
    if metric == "rmse":
        return float(np.sqrt(np.mean(err**2)))
    if metric == "mse":
        return float(np.mean(err**2))
    if metric == "mae":
        return float(np.mean(np.abs(err)))
    if metric == "mape":
        nz = y != 0
        return float(np.mean(np.abs(err[nz]) / np.abs(y[nz]))) if nz.any() else float("nan")
    if metric == "smape":
        den = np.abs(y) + np.abs(pred)
        nz = den != 0
        return float(np.mean(2 * np.abs(err[nz]) / den[nz])) if nz.any() else 0.0
    if metric == "wape":
        return float(np.sum(np.abs(err)) / np.sum(np.abs(y))) if np.sum(np.abs(y)) else float("nan")
    if metric == "bias_pct":
        return float(100 * np.sum(err) / np.sum(y)) if np.sum(y) else float("nan")
    total = float(np.sum((y - y.mean()) ** 2))
    return 1 - float(np.sum(err**2)) / total if total else float("nan")


def ranking_metric(metric: str, relevance: np.ndarray, score: np.ndarray, groups: np.ndarray) -> float:
    """Mean over groups (queries, users) of NDCG@k, recall@k, precision@k, MAP@k, hit rate@k or MRR."""
    m = RANKING.match(metric)
    name, k = (m.group(1), int(m.group(2))) if m else ("mrr", 0)
    _, inverse = np.unique(groups, return_inverse=True)
    values: List[float] = []
    for g in range(int(inverse.max()) + 1 if len(inverse) else 0):
        idx = np.flatnonzero(inverse == g)
        rel = relevance[idx][np.argsort(-score[idx], kind="mergesort")]
        hits = rel > 0
        n_rel = int(hits.sum())
        if n_rel == 0:
            continue
        top = rel[:k] if k else rel
        if name == "ndcg":
            discounts = 1 / np.log2(np.arange(2, len(top) + 2))
            ideal = np.sort(rel)[::-1][:k]
            values.append(float(np.sum((2**top - 1) * discounts) / np.sum((2**ideal - 1) * discounts[: len(ideal)])))
        elif name == "recall":
            values.append(float((top > 0).sum()) / n_rel)
        elif name == "precision":
            values.append(float((top > 0).sum()) / k)
        elif name == "hit_rate":
            values.append(float((top > 0).any()))
        elif name == "map":
            pos = np.flatnonzero(top > 0)
            values.append(float(np.sum((np.arange(len(pos)) + 1) / (pos + 1)) / min(k, n_rel)))
        else:
            values.append(1.0 / (int(np.flatnonzero(hits)[0]) + 1))
    return float(np.mean(values)) if values else float("nan")


def _binary(values: Sequence[str]) -> np.ndarray:
    out = []
    for v in values:
        t = str(v).strip().lower()
        out.append(1.0 if t in ("1", "1.0", "true", "yes") else 0.0 if t in ("0", "0.0", "false", "no") else float(t))
    return np.asarray(out, dtype=np.float64)


def compute(metric: str, labels: Sequence[str], predictions: Sequence[str], groups: Optional[Sequence[str]] = None) -> float:
    """The metric on string cells as read from the logs (scores, classes or values by the metric's kind)."""
    kind = metric_kind(metric)
    if kind == "score":
        y, s = _binary(labels), np.asarray([float(v) for v in predictions], dtype=np.float64)
        if metric == "roc_auc":
            return roc_auc(y, s)
        if metric in ("pr_auc", "average_precision"):
            return average_precision(y, s)
        if metric == "log_loss":
            return log_loss(y, s)
        return float(np.mean((s - y) ** 2))
    if kind == "class":
        if PROBLEM_TYPE in ("binary_classification", "anomaly_detection"):
            y_cls = ["1" if v == 1.0 else "0" for v in _binary(labels)]
            p_cls = ["1" if float(v) >= 0.5 else "0" for v in predictions]
            return class_metric(metric, y_cls, p_cls)
        return class_metric(metric, [str(v) for v in labels], [str(v) for v in predictions])
    if kind == "regression":
        return regression_metric(metric, np.asarray([float(v) for v in labels]), np.asarray([float(v) for v in predictions]))
    g = np.asarray(list(groups) if groups is not None else ["all"] * len(labels))
    return ranking_metric(metric, np.asarray([float(v) for v in labels]), np.asarray([float(v) for v in predictions]), g)


def supported(metric: str) -> bool:
    try:
        metric_kind(metric)
        return True
    except UnsupportedMetric:
        return False


# ----------------------------------------------------------------- joining and windows


def parse_time(value: str) -> float:
    """Unix seconds from a number or an ISO 8601 timestamp (UTC when no offset is given)."""
    text = str(value).strip()
    try:
        return float(text)
    except ValueError:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)).timestamp()


@dataclass
class Joined:
    timestamp: float
    version: str
    prediction: str
    label: str
    group: str


def join(predictions: Mapping[str, Sequence[str]], labels: Mapping[str, Sequence[str]]) -> List[Joined]:
    """Predictions that have a label, matched on (entity key, event time)."""
    by_key = {(e, parse_time(t)): lab for e, t, lab in zip(labels[ENTITY_KEY], labels[EVENT_TIMESTAMP], labels[LABEL_COLUMN]) if str(lab).strip() != ""}
    versions = predictions.get(VERSION_COLUMN) or ["unknown"] * len(predictions[PREDICTION_COLUMN])
    out: List[Joined] = []
    for e, t, pred, version in zip(predictions[ENTITY_KEY], predictions[EVENT_TIMESTAMP], predictions[PREDICTION_COLUMN], versions):
        ts = parse_time(t)
        label = by_key.get((e, ts))
        if label is not None:
            out.append(Joined(ts, str(version), pred, label, str(e)))
    return out


def window_bounds(now: float, index: int = 0) -> Tuple[float, float]:
    """The index-th evaluation window back from now: predictions whose labels are due ([start, end))."""
    end = now - LABEL_DELAY_HOURS * 3600 - index * WINDOW_HOURS * 3600
    return end - WINDOW_HOURS * 3600, end


def degradation_pct(value: float, reference: float) -> float:
    """Relative degradation in percent (positive = worse), whichever direction the metric improves in."""
    if reference == 0 or math.isnan(value):
        return float("nan")
    change = (reference - value) if DIRECTION == "maximize" else (value - reference)
    return 100.0 * change / abs(reference)


def level_of(value: float, reference: Optional[float]) -> str:
    if math.isnan(value):
        return "undefined"
    if CRITICAL_FLOOR is not None and ((DIRECTION == "maximize" and value < CRITICAL_FLOOR) or (DIRECTION == "minimize" and value > CRITICAL_FLOOR)):
        return "critical"
    if reference is None:
        return "no_reference"
    d = degradation_pct(value, reference)
    return "critical" if d >= CRITICAL_DEGRADATION_PCT else "warn" if d >= WARN_DEGRADATION_PCT else "ok"


@dataclass
class QualityResult:
    version: str
    metric: str
    value: Optional[float]
    reference: Optional[float]
    samples: int
    degradation_pct: Optional[float]
    level: str  # ok, warn, critical, insufficient, no_reference, undefined
    secondary: Dict[str, float]


def evaluate(joined: Sequence[Joined], now: float, reference: Optional[float] = REFERENCE, min_samples: int = MIN_LABELLED_SAMPLES) -> List[QualityResult]:
    """The primary (and computable secondary) metrics per model version over the current window."""
    start, end = window_bounds(now)
    rows = [j for j in joined if start <= j.timestamp < end]
    results: List[QualityResult] = []
    for version in sorted({j.version for j in rows}):
        mine = [j for j in rows if j.version == version]
        if len(mine) < min_samples:
            results.append(QualityResult(version, METRIC, None, reference, len(mine), None, "insufficient", {}))
            continue
        args = ([j.label for j in mine], [j.prediction for j in mine], [j.group for j in mine])
        value = compute(METRIC, *args)
        secondary = {m: compute(m, *args) for m in SECONDARY_METRICS if supported(m) and m != METRIC}
        d = degradation_pct(value, reference) if reference is not None else float("nan")
        results.append(QualityResult(version, METRIC, value, reference, len(mine), None if math.isnan(d) else d, level_of(value, reference), secondary))
    return results


def window_series(joined: Sequence[Joined], now: float, windows: int, min_samples: int = MIN_LABELLED_SAMPLES) -> List[Optional[float]]:
    """The primary metric of the last windows (oldest first); None where a window has too few labels."""
    out: List[Optional[float]] = []
    for index in reversed(range(windows)):
        start, end = window_bounds(now, index)
        mine = [j for j in joined if start <= j.timestamp < end]
        out.append(compute(METRIC, [j.label for j in mine], [j.prediction for j in mine], [j.group for j in mine]) if len(mine) >= min_samples else None)
    return out


def cusum(values: Sequence[Optional[float]], reference: float, allowance: float = CUSUM_ALLOWANCE, threshold: float = CUSUM_THRESHOLD) -> Dict[str, Any]:
    """One-sided CUSUM of the relative degradation per window; windows without a value are skipped."""
    s = 0.0
    path: List[float] = []
    alarm: Optional[int] = None
    for i, v in enumerate(values):
        if v is not None and not math.isnan(v):
            s = max(0.0, s + degradation_pct(v, reference) / 100.0 - allowance)
            if alarm is None and s > threshold:
                alarm = i
        path.append(s)
    return {"statistic": path, "alarm_index": alarm, "alarm": alarm is not None, "allowance": allowance, "threshold": threshold}


def metric_samples(results: Sequence[QualityResult], joined: Sequence[Joined]) -> List[Sample]:
    out: List[Sample] = []
    for r in results:
        labels = {"pipeline": PIPELINE, "model": MODEL, "version": r.version}
        out.append((QUALITY_SAMPLES, labels, float(r.samples)))
        if r.value is not None:
            out.append((QUALITY, {**labels, "metric": r.metric}, r.value))
            out.extend((QUALITY, {**labels, "metric": m}, v) for m, v in r.secondary.items())
        if r.reference is not None:
            out.append((QUALITY_REFERENCE, {**labels, "metric": r.metric}, float(r.reference)))
    if joined:
        out.append((LABELS_LAST_JOINED, {"pipeline": PIPELINE, "model": MODEL}, max(j.timestamp for j in joined)))
    return out


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=f"Quality on delayed labels for {PIPELINE}")
    parser.add_argument("--config", help="drift_config.yaml (or .json): its quality block gives the reference value and its metrics block the Pushgateway")
    parser.add_argument("--predictions", required=True, help="CSV prediction log (entity key, event timestamp, prediction, model_version)")
    parser.add_argument("--labels", required=True, help="CSV labels (entity key, event timestamp, label)")
    parser.add_argument("--now", type=float, default=None, help="evaluation time, Unix seconds (default: now)")
    parser.add_argument("--reference-value", type=float, default=None, help="the promoted version's measured metric value (default: the config's, else REFERENCE)")
    parser.add_argument("--history-windows", type=int, default=24, help="windows the CUSUM looks back over")
    parser.add_argument("--push", action="store_true")
    parser.add_argument("--textfile")
    args = parser.parse_args(argv)
    config = load_config(args.config) if args.config else {}
    if args.reference_value is None:
        args.reference_value = config.get("quality", {}).get("reference", REFERENCE)
    gateway = config.get("metrics", {}).get("push_gateway", PUSH_GATEWAY)
    now = time.time() if args.now is None else args.now
    joined = join(read_csv_columns(args.predictions), read_csv_columns(args.labels))
    results = evaluate(joined, now, args.reference_value)
    drift = cusum(window_series(joined, now, args.history_windows), args.reference_value) if args.reference_value is not None else None
    text = exposition(metric_samples(results, joined))
    if args.textfile:
        write_textfile(args.textfile, text)
    if args.push:
        push(gateway, PUSH_JOB, {"pipeline": PIPELINE}, text)
    sys.stdout.write(json.dumps({"results": [asdict(r) for r in results], "concept_drift": drift}, indent=2, default=str) + "\n")
    return 2 if any(r.level == "critical" for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
`;
}

/** In-cluster API of each orchestrator as its standard installation names the service. */
export const ORCHESTRATOR_URLS: Record<string, string> = {
  kubeflow: 'http://ml-pipeline.kubeflow.svc.cluster.local:8888',
  airflow: 'http://airflow-webserver.airflow.svc.cluster.local:8080',
  prefect: 'http://prefect-server.prefect.svc.cluster.local:4200',
  dagster: 'http://dagster-dagster-webserver.dagster.svc.cluster.local:80',
};

/** What the trigger starts: the ml_engineer phase's pipeline, DAG or deployment name; Dagster's job (its schedule minus _schedule). */
function trainingTarget(p: MonitoringPlan): string {
  const name = p.up.ml_engineer.orchestration.name;
  return p.retraining.orchestrator === 'dagster' ? name.replace(/_schedule$/, '') : name;
}

export function retrainingTriggerModule(p: MonitoringPlan): string {
  const triggerAlerts = { FeatureDriftHigh: 'drift', ModelQualityDegradationCritical: 'degradation' };
  const protectedFeatures = [...new Set(p.tests.filter((t) => t.protected).map((t) => t.feature))];
  return String.raw`"""Automated retraining trigger for the ${doc(p)} pipeline (generated from the observability phase).

Receives Alertmanager webhook payloads (or the vendor's webhook in the same shape, or the drift job's
--trigger-url call), decides whether to start a retraining run and starts it through the ${p.retraining.orchestrator} API.
Guards: a drift quorum, a cooldown between triggered runs and a minimum number of newly labelled rows.

    python -m <package>.observability.retraining_trigger serve --port 8080   # POST /alerts, GET /healthz, GET /metrics
    python -m <package>.observability.retraining_trigger decide < payload.json

The orchestrator token is read from $RETRAINING_ORCHESTRATOR_TOKEN; when $RETRAINING_WEBHOOK_TOKEN is set, POST
/alerts requires it as a bearer token (Alertmanager: http_config.authorization).
"""

from __future__ import annotations

import argparse
import hmac
import json
import os
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from .metrics import METRIC_NAMES, exposition

PIPELINE = ${pyLiteral(p.pipeline)}
ORCHESTRATOR = ${pyLiteral(p.retraining.orchestrator)}
TRIGGER_ALERTS: Dict[str, str] = ${pyLiteral(triggerAlerts)}
DRIFT_QUORUM = ${pyLiteral(p.drift.retrainQuorum)}
PROTECTED_FEATURES = ${pyLiteral(protectedFeatures)}
COOLDOWN_SECONDS = ${pyLiteral(p.retraining.cooldownHours * 3600)}
MIN_NEW_LABELLED_ROWS = ${pyLiteral(p.retraining.minNewLabelledRows)}
TRAINING_SCHEDULE = ${pyLiteral(p.up.ml_engineer.training.schedule)}
# The training pipeline / DAG / deployment / job the ml_engineer phase defines (override with $RETRAINING_TARGET:
# Kubeflow and Prefect address pipelines and deployments by id once they are registered).
DEFAULT_TARGET = ${pyLiteral(trainingTarget(p))}
# The orchestrator API inside the cluster, as its standard chart or manifests name the service (override with
# $RETRAINING_ORCHESTRATOR_URL).
DEFAULT_ORCHESTRATOR_URL = ${pyLiteral(ORCHESTRATOR_URLS[p.retraining.orchestrator] ?? '')}
TRIGGERS_METRIC = METRIC_NAMES["retrainingTriggers"]["name"]
ORCHESTRATOR_TOKEN_ENV = "RETRAINING_ORCHESTRATOR_TOKEN"
WEBHOOK_TOKEN_ENV = "RETRAINING_WEBHOOK_TOKEN"
MAX_BODY_BYTES = 1 << 20


@dataclass
class Decision:
    start: bool
    reason: str  # drift, degradation or none
    why: str
    outcome: str = "ignored"  # started, cooldown, insufficient_labels, ignored (failed is set by the service)


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
        return Decision(False, reason, f"cooldown: last triggered run {int(now - last_triggered_at)} s ago (< {COOLDOWN_SECONDS} s)", "cooldown")
    if new_labelled_rows < MIN_NEW_LABELLED_ROWS:
        return Decision(False, reason, f"only {new_labelled_rows} newly labelled rows (< {MIN_NEW_LABELLED_ROWS})", "insufficient_labels")
    return Decision(True, reason, why, "started")


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


class TriggerService:
    """Decisions with the cooldown state in memory (one replica), counted in retraining_triggers_total."""

    def __init__(
        self,
        base_url: str,
        target: str = DEFAULT_TARGET,
        token: Optional[str] = None,
        labelled_rows: Callable[[], int] = lambda: MIN_NEW_LABELLED_ROWS,
        clock: Callable[[], float] = time.time,
        starter: Callable[..., int] = start_run,
    ) -> None:
        self.base_url, self.target, self.token = base_url, target, token
        self.labelled_rows, self.clock, self.starter = labelled_rows, clock, starter
        self.last_triggered_at: Optional[float] = None
        self.counts: Dict[Tuple[str, str], int] = {}
        self._lock = threading.Lock()

    def handle(self, payload: Dict[str, Any]) -> Dict[str, Any]:
        with self._lock:
            now = self.clock()
            decision = decide(payload, self.last_triggered_at, self.labelled_rows(), now)
            outcome, status = decision.outcome, None
            if decision.start:
                try:
                    status = self.starter(self.base_url, self.target, decision.reason, self.token)
                    self.last_triggered_at = now
                except Exception as error:  # noqa: BLE001 - reported to the caller and counted
                    outcome, decision.why = "failed", f"{decision.why}; orchestrator call failed: {error}"
            if decision.reason != "none":
                key = (decision.reason, outcome)
                self.counts[key] = self.counts.get(key, 0) + 1
            return {"start": decision.start and outcome == "started", "reason": decision.reason, "decision": outcome, "why": decision.why, "status": status}

    def metrics_text(self) -> str:
        with self._lock:
            samples = [(TRIGGERS_METRIC, {"pipeline": PIPELINE, "reason": r, "decision": d}, float(n)) for (r, d), n in sorted(self.counts.items())]
        return exposition(samples) if samples else f"# TYPE {TRIGGERS_METRIC} counter\n"


def make_server(service: TriggerService, host: str = "0.0.0.0", port: int = 8080, webhook_token: Optional[str] = None) -> ThreadingHTTPServer:  # noqa: S104 - a pod listens on all interfaces
    class Handler(BaseHTTPRequestHandler):
        server_version = "retraining-trigger"

        def _send(self, code: int, body: bytes, content_type: str = "application/json") -> None:
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _json(self, code: int, value: Dict[str, Any]) -> None:
            self._send(code, json.dumps(value).encode("utf-8"))

        def do_GET(self) -> None:  # noqa: N802 - http.server naming
            if self.path == "/healthz":
                self._json(200, {"status": "ok", "pipeline": PIPELINE, "orchestrator": ORCHESTRATOR})
            elif self.path == "/metrics":
                self._send(200, service.metrics_text().encode("utf-8"), "text/plain; version=0.0.4; charset=utf-8")
            else:
                self._json(404, {"error": "not found"})

        def do_POST(self) -> None:  # noqa: N802 - http.server naming
            if self.path != "/alerts":
                self._json(404, {"error": "not found"})
                return
            if webhook_token and not hmac.compare_digest(self.headers.get("Authorization", ""), f"Bearer {webhook_token}"):
                self._json(401, {"error": "missing or wrong bearer token"})
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length <= 0 or length > MAX_BODY_BYTES:
                self._json(413 if length > 0 else 400, {"error": f"body must be 1 to {MAX_BODY_BYTES} bytes"})
                return
            try:
                payload = json.loads(self.rfile.read(length).decode("utf-8"))
                if not isinstance(payload, dict):
                    raise ValueError("not an object")
            except ValueError as error:
                self._json(400, {"error": f"not an Alertmanager webhook payload: {error}"})
                return
            self._json(200, service.handle(payload))

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            sys.stderr.write(json.dumps({"component": "retraining-trigger", "client": self.client_address[0], "message": format % args}) + "\n")

    return ThreadingHTTPServer((host, port), Handler)


def _labelled_rows_from(path: Optional[str]) -> Callable[[], int]:
    """Newly labelled rows since the last training run, from a file the evaluation job keeps (absent: enough)."""
    if not path:
        return lambda: MIN_NEW_LABELLED_ROWS

    def read() -> int:
        try:
            with open(path, encoding="utf-8") as handle:
                return int(handle.read().strip() or 0)
        except (OSError, ValueError):
            return 0

    return read


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=f"Retraining trigger for {PIPELINE} ({ORCHESTRATOR})")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("decide", help="read one webhook payload on stdin and print the decision")
    serve = sub.add_parser("serve", help="HTTP server: POST /alerts, GET /healthz, GET /metrics")
    serve.add_argument("--host", default="0.0.0.0")  # noqa: S104
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--orchestrator-url", default=os.environ.get("RETRAINING_ORCHESTRATOR_URL", DEFAULT_ORCHESTRATOR_URL))
    serve.add_argument("--target", default=os.environ.get("RETRAINING_TARGET", DEFAULT_TARGET))
    serve.add_argument("--labelled-rows-file", default=os.environ.get("RETRAINING_LABELLED_ROWS_FILE"))
    args = parser.parse_args(argv)
    if args.command == "serve":
        if not args.orchestrator_url:
            parser.error("--orchestrator-url (or RETRAINING_ORCHESTRATOR_URL) is required")
        service = TriggerService(args.orchestrator_url, args.target, os.environ.get(ORCHESTRATOR_TOKEN_ENV), _labelled_rows_from(args.labelled_rows_file))
        server = make_server(service, args.host, args.port, os.environ.get(WEBHOOK_TOKEN_ENV))
        try:
            server.serve_forever()
        finally:
            server.server_close()
        return 0
    payload = json.load(sys.stdin)
    decision = decide(payload, last_triggered_at=None, new_labelled_rows=MIN_NEW_LABELLED_ROWS, now=time.time())
    sys.stdout.write(json.dumps({"start": decision.start, "reason": decision.reason, "decision": decision.outcome, "why": decision.why}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
`;
}
