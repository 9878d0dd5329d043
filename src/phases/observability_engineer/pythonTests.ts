import { artifact, type Artifact } from '../../artifacts/artifact.js';
import { pyLiteral, type PyValue } from '../../generators/serializers/python.js';
import { pythonPackage } from '../common.js';
import { driftConfigObject } from './driftConfig.js';
import type { MonitoringPlan } from './plan.js';

/**
 * The monitoring jobs' own pytest suite, under ml/tests/monitoring/ (the project's pytest config has
 * testpaths = tests and pythonpath = src, tests). Seeded synthetic data, no network (the HTTP tests use servers
 * on 127.0.0.1), numpy and scipy only, marked `unit` so the CI's `pytest -m "unit or integration"` runs them.
 * The drift config is embedded (a copy of monitoring/drift/drift_config.yaml; one test checks the two agree).
 */

const PHASE = 'observability_engineer';

/** The request each orchestrator's API expects (path with {target}, top-level body keys). */
export const ORCHESTRATOR_REQUESTS: Record<string, { path: string; keys: string[] }> = {
  kubeflow: { path: '/apis/v2beta1/runs', keys: ['display_name', 'pipeline_version_reference', 'runtime_config'] },
  airflow: { path: '/api/v1/dags/{target}/dagRuns', keys: ['conf'] },
  prefect: { path: '/api/deployments/{target}/create_flow_run', keys: ['parameters', 'tags'] },
  dagster: { path: '/graphql', keys: ['query', 'variables'] },
};

export function monitoringTestFiles(p: MonitoringPlan): Artifact[] {
  const dir = 'ml/tests/monitoring';
  return [
    artifact(PHASE, `${dir}/test_drift.py`, 'python', testDrift(p)),
    artifact(PHASE, `${dir}/test_quality.py`, 'python', testQuality(p)),
    artifact(PHASE, `${dir}/test_retraining_trigger.py`, 'python', testTrigger(p)),
  ];
}

const HEADER = (what: string) => String.raw`"""${what} (generated from the observability phase: regenerate, do not edit)."""

from __future__ import annotations
`;

const HTTP_HELPERS = String.raw`

class _Recorder(BaseHTTPRequestHandler):
    """A fake orchestrator: records each request, answers 200 (or the status in server.status)."""

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.requests.append({"path": self.path, "headers": dict(self.headers), "body": json.loads(body or b"{}")})  # type: ignore[attr-defined]
        data = b"{}"
        self.send_response(self.server.status)  # type: ignore[attr-defined]
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@contextlib.contextmanager
def serving(server: Any) -> Iterator[str]:
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def fake_orchestrator(status: int = 200) -> Any:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.requests = []  # type: ignore[attr-defined]
    server.status = status  # type: ignore[attr-defined]
    return server


def http(method: str, url: str, body: Optional[Dict[str, Any]] = None, token: Optional[str] = None, raw: Optional[bytes] = None) -> Tuple[int, bytes]:
    data = raw if raw is not None else (json.dumps(body).encode("utf-8") if body is not None else None)
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status), response.read()
    except urllib.error.HTTPError as error:
        return int(error.code), error.read()
`;

function testDrift(p: MonitoringPlan): string {
  const pkg = pythonPackage(p.spec);
  return `${HEADER('Drift job tests: the policy on seeded synthetic data, thresholds from the config, metric names, exit codes')}
import contextlib
import copy
import csv
import json
import math
import secrets
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import numpy as np
import pytest
from scipy import stats as sps
from scipy.spatial import distance as spd

from ${pkg}.observability import drift, metrics
from ${pkg}.observability import retraining_trigger as rt

pytestmark = pytest.mark.unit

# Throwaway bearer token of the local trigger server, made per run (no credential-like literal in the repository).
DRIFT_TOKEN = secrets.token_hex(8)

CONFIG: Dict[str, Any] = ${pyLiteral(driftConfigObject(p) as unknown as PyValue)}
NUMERIC = [f for f in CONFIG["features"] if f["kind"] == "numeric"]
CATEGORICAL = [f for f in CONFIG["features"] if f["kind"] == "categorical"]
CONFIG_FILE = Path(__file__).resolve().parents[3] / "monitoring" / "drift" / "drift_config.yaml"
${HTTP_HELPERS}` + String.raw`

def config_copy() -> Dict[str, Any]:
    return copy.deepcopy(CONFIG)


def feature_named(config: Dict[str, Any], name: str) -> Dict[str, Any]:
    return next(f for f in config["features"] if f["name"] == name)


def categories_of(feature: Dict[str, Any]) -> List[str]:
    return [str(c) for c in feature.get("categories", [])] or ["alpha", "beta", "gamma"]


def numeric_scale(feature: Dict[str, Any]) -> Tuple[float, float]:
    """A centre and a standard deviation that keep +-5 sd inside the declared range."""
    low, high = feature.get("min"), feature.get("max")
    if low is not None and high is not None:
        # No floor on the spread: a [0, 1] feature with sd 1 would put a third of the rows out of range.
        return (low + high) / 2.0, (high - low) / 10.0 if high > low else 1.0
    if low is not None:
        return low + 100.0, 10.0
    if high is not None:
        return high - 100.0, 10.0
    return 0.0, 10.0


def column(feature: Dict[str, Any], n: int, rng: np.random.Generator, shift: float = 0.0) -> List[str]:
    """n values of a feature; shift moves a numeric feature by that many standard deviations."""
    if feature["kind"] == "numeric":
        centre, sd = numeric_scale(feature)
        values = rng.normal(centre + shift * sd, sd, n)
        if feature["type"] == "integer":
            values = np.round(values)
        return [repr(float(v)) for v in values]
    return [str(v) for v in rng.choice(categories_of(feature), n)]


def frame(n: int, seed: int, shifts: Optional[Dict[str, float]] = None) -> Dict[str, List[str]]:
    rng = np.random.default_rng(seed)
    cols = {f["name"]: column(f, n, rng, (shifts or {}).get(f["name"], 0.0)) for f in CONFIG["features"]}
    cols["prediction"] = [repr(float(v)) for v in rng.beta(2, 5, n)]
    return cols


def with_new_category(values: List[str], share: float, seed: int) -> List[str]:
    rng = np.random.default_rng(seed)
    return ["__unseen_category__" if u < share else v for v, u in zip(values, rng.uniform(0, 1, len(values)))]


def by_name(results: List[drift.FeatureResult]) -> Dict[str, drift.FeatureResult]:
    return {r.feature: r for r in results}


def write_csv(path: Path, columns: Dict[str, List[str]]) -> str:
    names = list(columns)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(names)
        writer.writerows(zip(*(columns[c] for c in names)))
    return str(path)


def expected_distance_level(value: float, th: Dict[str, float]) -> str:
    return "critical" if value >= th["critical"] else "warn" if value >= th["warn"] else "ok"


# ----------------------------------------------------------------- the config


def test_embedded_config_is_the_shipped_drift_config() -> None:
    yaml = pytest.importorskip("yaml")
    if not CONFIG_FILE.exists():
        pytest.skip(f"{CONFIG_FILE} not in this checkout")
    assert yaml.safe_load(CONFIG_FILE.read_text(encoding="utf-8")) == CONFIG


def test_every_feature_has_thresholds_for_every_verdict_test() -> None:
    for feature in CONFIG["features"]:
        th = drift.thresholds_of(CONFIG, feature)
        assert th["min_samples"] == CONFIG["policy"]["min_samples"] and th["large_sample"] == CONFIG["policy"]["large_sample"]
        for test, keys in {"ks": ("p_value_max", "min_effect"), "chi2": ("p_value_max", "min_effect"), "psi": ("warn", "critical"), "jensen_shannon": ("warn", "critical")}.items():
            assert all(th[test][k] == feature["thresholds"][test][k] for k in keys), (feature["name"], test)


# ----------------------------------------------------------------- the policy


def test_no_drift_is_ok_for_every_feature() -> None:
    results = drift.evaluate(CONFIG, frame(5000, 1), frame(5000, 2))
    for r in results:
        assert r.level == "ok", (r.feature, r.reason)
        if r.kind == "numeric":
            assert r.test == "psi"  # n >= large_sample
        else:
            assert r.test == ("chi2" if r.statistics["chi2"]["cochran_ok"] else "jensen_shannon")
    assert not drift.retraining_quorum_reached(CONFIG, results)


@pytest.mark.skipif(not NUMERIC, reason="the spec has no numeric feature")
def test_a_shifted_numeric_feature_is_critical_on_psi() -> None:
    name = NUMERIC[0]["name"]
    results = by_name(drift.evaluate(CONFIG, frame(5000, 1), frame(5000, 2, {name: 1.0})))
    shifted = results[name]
    assert (shifted.test, shifted.level) == ("psi", "critical"), shifted.reason
    assert shifted.statistic >= feature_named(CONFIG, name)["thresholds"]["psi"]["critical"]
    assert all(r.level == "ok" for n, r in results.items() if n != name)


@pytest.mark.skipif(not NUMERIC, reason="the spec has no numeric feature")
def test_a_small_sample_is_judged_by_ks_with_scipys_statistic() -> None:
    name = NUMERIC[0]["name"]
    ref, cur = frame(200, 3), frame(200, 4, {name: 1.5})
    r = by_name(drift.evaluate(CONFIG, ref, cur))[name]
    expected = sps.ks_2samp(np.asarray(ref[name], dtype=float), np.asarray(cur[name], dtype=float))
    assert r.test == "ks" and r.statistic == float(expected.statistic) and r.p_value == pytest.approx(float(expected.pvalue), rel=1e-12)
    assert r.statistics["ks"]["method"] == "exact"
    th = feature_named(CONFIG, name)["thresholds"]["ks"]
    assert r.level == ("critical" if r.statistic >= th["min_effect"] and r.p_value < th["p_value_max"] else "warn")


def test_fewer_than_min_samples_is_insufficient() -> None:
    n = CONFIG["policy"]["min_samples"] - 1
    results = drift.evaluate(CONFIG, frame(n, 5), frame(n, 6))
    assert [r.level for r in results] == ["insufficient"] * len(results)
    # The test the policy would use is named and its statistic kept, but there is no verdict.
    assert all(r.test == ("ks" if r.kind == "numeric" else "chi2" if r.statistics["chi2"]["cochran_ok"] else "jensen_shannon") for r in results)
    empty = drift.evaluate(CONFIG, {k: [""] * 40 for k in frame(1, 0)}, frame(40, 6))
    assert all(r.level == "insufficient" and r.samples["reference"] == 0 and math.isnan(r.statistic) for r in empty)


@pytest.mark.skipif(not CATEGORICAL, reason="the spec has no categorical feature")
def test_a_new_category_is_critical_on_chi_square() -> None:
    name = CATEGORICAL[0]["name"]
    ref, cur = frame(5000, 7), frame(5000, 8)
    cur[name] = with_new_category(cur[name], 0.3, 9)
    r = by_name(drift.evaluate(CONFIG, ref, cur))[name]
    assert (r.test, r.level) == ("chi2", "critical"), r.reason
    # Cramer's V on the uncorrected statistic of the same 2 x k table (reference categories + __other__).
    cats = sorted(set(ref[name]))
    table = np.asarray([[ref[name].count(c) for c in cats] + [0], [cur[name].count(c) for c in cats] + [sum(v not in cats for v in cur[name])]], dtype=float)
    assert r.statistic == pytest.approx(math.sqrt(sps.chi2_contingency(table, correction=False)[0] / table.sum()), rel=1e-12)
    assert r.out_of_range_ratio == pytest.approx(sum(v not in set(categories_of(feature_named(CONFIG, name))) for v in cur[name]) / 5000)


@pytest.mark.skipif(not CATEGORICAL, reason="the spec has no categorical feature")
def test_rare_categories_fail_cochrans_rule_and_jensen_shannon_decides() -> None:
    name = CATEGORICAL[0]["name"]
    ref, cur = frame(1000, 10), frame(1000, 11)
    ref[name] = ["alpha"] * 600 + ["beta"] * 398 + ["rare"] * 2
    cur[name] = ["alpha"] * 200 + ["beta"] * 798 + ["rare"] * 2
    r = by_name(drift.evaluate(CONFIG, ref, cur))[name]
    assert r.statistics["chi2"]["cochran_ok"] is False and r.test == "jensen_shannon"
    js = float(spd.jensenshannon([600, 398, 2, 0], [200, 798, 2, 0], base=2))
    assert r.statistic == pytest.approx(js, abs=1e-12)
    assert r.level == expected_distance_level(js, feature_named(CONFIG, name)["thresholds"]["jensen_shannon"])


@pytest.mark.skipif(not NUMERIC, reason="the spec has no numeric feature")
def test_the_features_own_thresholds_decide() -> None:
    name = NUMERIC[0]["name"]
    ref, cur = frame(5000, 1), frame(5000, 2, {name: 0.5})
    value = by_name(drift.evaluate(CONFIG, ref, cur))[name].statistics["psi"]
    for warn, critical, level in ((value / 2, value * 2, "warn"), (value / 4, value / 2, "critical"), (value * 2, value * 3, "ok")):
        config = config_copy()
        feature_named(config, name)["thresholds"]["psi"] = {"warn": warn, "critical": critical}
        assert by_name(drift.evaluate(config, ref, cur))[name].level == level
    config = config_copy()
    config["policy"]["large_sample"] = 2_000  # now KS decides at n = 1500
    feature_named(config, name)["thresholds"]["ks"] = {"p_value_max": 0.01, "min_effect": 1.0}
    ref, cur = frame(1500, 1), frame(1500, 2, {name: 0.5})
    d = by_name(drift.evaluate(config, ref, cur))[name]
    assert d.test == "ks" and d.p_value is not None and d.p_value < 0.01
    for min_effect, level in ((d.statistic / 2, "critical"), (d.statistic * 1.5, "warn"), (d.statistic * 3, "ok")):
        feature_named(config, name)["thresholds"]["ks"] = {"p_value_max": 0.01, "min_effect": min_effect}
        assert by_name(drift.evaluate(config, ref, cur))[name].level == level, min_effect
    feature_named(config, name)["thresholds"]["ks"] = {"p_value_max": d.p_value / 2, "min_effect": d.statistic / 2}
    assert by_name(drift.evaluate(config, ref, cur))[name].level == "ok"  # significant only below p_value_max


def test_chi_square_uses_yates_for_the_p_value_of_a_2x2_table_but_not_for_cramers_v() -> None:
    r = drift.chi2_homogeneity([10, 20, 0], [20, 10, 0])  # the empty third category is dropped
    assert r["dof"] == 1 and r["cramers_v"] == pytest.approx(1 / 3, rel=1e-12)
    assert r["p_value"] == pytest.approx(float(sps.chi2_contingency([[10, 20], [20, 10]])[1]), rel=1e-12)
    assert r["p_value"] == pytest.approx(0.0201367515503, rel=1e-9)  # Yates: chi2 = 5.4 (6.667 uncorrected)
    assert r["cochran_ok"] is True and drift.chi2_homogeneity([1, 20], [2, 10])["cochran_ok"] is False


@pytest.mark.skipif(not NUMERIC, reason="the spec has no numeric feature")
def test_numeric_statistics_match_numpy_and_scipy() -> None:
    name = NUMERIC[0]["name"]
    ref, cur = (np.asarray(c[name], dtype=float) for c in (frame(3000, 12), frame(2500, 13, {name: 0.3})))
    stats = drift.numeric_statistics(ref, cur)
    edges = np.unique(np.quantile(ref, [i / 10 for i in range(1, 10)]))
    rc = np.bincount(np.searchsorted(edges, ref, side="right"), minlength=len(edges) + 1)
    cc = np.bincount(np.searchsorted(edges, cur, side="right"), minlength=len(edges) + 1)
    q, p = np.maximum(rc / len(ref), 1e-6), np.maximum(cc / len(cur), 1e-6)
    assert stats["psi"] == pytest.approx(float(np.sum((p - q) * np.log(p / q))), abs=1e-12)
    assert stats["jensen_shannon"] == pytest.approx(float(spd.jensenshannon(rc, cc, base=2)), abs=1e-12)
    w = float(sps.wasserstein_distance(ref, cur))
    assert stats["wasserstein"] == pytest.approx(w, abs=1e-12)
    assert stats["wasserstein_normalised"] == pytest.approx(w / float(np.std(ref, ddof=1)), abs=1e-12)


@pytest.mark.skipif(not NUMERIC, reason="the spec has no numeric feature")
def test_missing_values_are_counted_and_left_out() -> None:
    name = NUMERIC[0]["name"]
    ref, cur = frame(2000, 14), frame(2000, 15)
    holed = dict(cur)
    holed[name] = ["" if i % 10 == 0 else "NaN" if i % 10 == 1 else v for i, v in enumerate(cur[name])]
    holed[name][2] = "  "
    r = by_name(drift.evaluate(CONFIG, ref, holed))[name]
    kept = [v for i, v in enumerate(cur[name]) if i % 10 > 1 and i != 2]
    assert r.missing["current"] == 401 and r.null_ratio == pytest.approx(0.2005) and r.samples["current"] == 1599
    assert r.statistics["ks"]["statistic"] == float(sps.ks_2samp(np.asarray(ref[name], dtype=float), np.asarray(kept, dtype=float)).statistic)


@pytest.mark.skipif(not NUMERIC, reason="the spec has no numeric feature")
def test_text_in_a_numeric_column_is_a_clear_error() -> None:
    name = NUMERIC[0]["name"]
    cur = frame(100, 16)
    cur[name][7] = "twelve"
    with pytest.raises(drift.DriftInputError, match=f"{name}.*row 8"):
        drift.evaluate(CONFIG, frame(100, 17), cur)


RANGED = [f for f in NUMERIC if f.get("min") is not None or f.get("max") is not None]


@pytest.mark.skipif(not RANGED, reason="no numeric feature with a declared range")
def test_values_outside_the_declared_range_are_counted() -> None:
    f = RANGED[0]
    beyond = f["max"] + 1 if f.get("max") is not None else f["min"] - 1
    cur = frame(1000, 33)
    cur[f["name"]] = [repr(float(beyond)) if i < 50 else v for i, v in enumerate(cur[f["name"]])]
    assert by_name(drift.evaluate(CONFIG, frame(1000, 34), cur))[f["name"]].out_of_range_ratio == pytest.approx(50 / 1000)
    assert by_name(drift.evaluate(CONFIG, frame(1000, 34), frame(1000, 33)))[f["name"]].out_of_range_ratio == 0.0


def test_only_empty_cells_are_missing_categories() -> None:
    values, missing = drift.categorical_column(["none", "NA", "", "null", "x"])
    assert (values, missing) == (["none", "NA", "null", "x"], 1)
    assert drift.categorical_column(["TRUE", "False", "yes"], boolean=True) == (["true", "false", "yes"], 0)


def test_a_missing_column_is_a_clear_error() -> None:
    cur = frame(100, 18)
    del cur[CONFIG["features"][0]["name"]]
    with pytest.raises(drift.DriftInputError, match="missing"):
        drift.evaluate(CONFIG, frame(100, 19), cur)


def test_sampling_is_seeded_and_keeps_rows_together() -> None:
    cols = {"a": [str(i) for i in range(3000)], "b": [str(-i) for i in range(3000)]}
    one, two = drift.sample_rows(cols, 500, 7), drift.sample_rows(cols, 500, 7)
    assert one == two and len(one["a"]) == 500
    assert all(a == str(-int(b)) for a, b in zip(one["a"], one["b"]))
    assert drift.sample_rows(cols, 500, 8) != one and drift.sample_rows(cols, 5000, 7) is cols


def test_protected_features_never_reach_the_quorum() -> None:
    config = config_copy()
    for f in config["features"]:
        f["protected"] = True
    shifts = {f["name"]: 2.0 for f in NUMERIC}
    cur = frame(5000, 2, shifts)
    for f in CATEGORICAL:
        cur[f["name"]] = with_new_category(cur[f["name"]], 0.5, 3)
    results = drift.evaluate(config, frame(5000, 1), cur)
    assert any(r.level == "critical" for r in results)
    assert not drift.retraining_quorum_reached(config, results)


# ----------------------------------------------------------------- metrics


def test_the_exposition_uses_exactly_the_configured_metric_names() -> None:
    ref, cur = frame(2000, 20), frame(2000, 21)
    results = drift.evaluate(CONFIG, ref, cur)
    text = metrics.exposition(drift.metric_samples(CONFIG, results, drift.prediction_drift(CONFIG, ref, cur), 1.5, 1_700_000_000.0))
    parsed = metrics.parse_exposition(text)
    names = CONFIG["metrics"]
    assert set(parsed) == {names[k] for k in ("score", "p_value", "prediction", "null_ratio", "out_of_range_ratio", "last_success", "duration")}
    declared = {m["name"]: set(m["labels"]) for m in metrics.METRIC_NAMES.values()}
    for name, samples in parsed.items():
        assert all(set(labels) <= declared[name] for labels, _ in samples), name
    tests = {labels["test"] for labels, _ in parsed[names["score"]]}
    assert tests == ({"ks", "psi", "jensen_shannon", "wasserstein"} if NUMERIC else set()) | ({"chi2", "jensen_shannon", "psi"} if CATEGORICAL else set())
    assert {labels["feature"] for labels, _ in parsed[names["null_ratio"]]} == {f["name"] for f in CONFIG["features"]}
    try:
        from prometheus_client.parser import text_string_to_metric_families
    except ImportError:
        return
    assert {family.name for family in text_string_to_metric_families(text)} == set(parsed)


def test_insufficient_features_export_only_their_null_and_range_ratios() -> None:
    results = drift.evaluate(CONFIG, frame(10, 22), frame(10, 23))
    parsed = metrics.parse_exposition(metrics.exposition(drift.metric_samples(CONFIG, results, None, 0.1, 1.0)))
    assert CONFIG["metrics"]["score"] not in parsed and CONFIG["metrics"]["null_ratio"] in parsed


def test_push_replaces_the_pipeline_group_on_the_pushgateway(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: List[Any] = []

    class Response:
        status = 200

        def __enter__(self) -> "Response":
            return self

        def __exit__(self, *args: Any) -> None:
            return None

    monkeypatch.setattr(metrics.urllib.request, "urlopen", lambda request, timeout: sent.append(request) or Response())
    text = metrics.exposition(drift.metric_samples(CONFIG, drift.evaluate(CONFIG, frame(500, 24), frame(500, 25)), None, 1.0, 2.0))
    assert metrics.push(CONFIG["metrics"]["push_gateway"], CONFIG["metrics"]["job"], {"pipeline": CONFIG["pipeline"]}, text) == 200
    request = sent[0]
    assert request.get_method() == "PUT" and request.data == text.encode("utf-8")
    assert request.full_url == metrics.push_url(CONFIG["metrics"]["push_gateway"], CONFIG["metrics"]["job"], {"pipeline": CONFIG["pipeline"]})
    assert "/metrics/job@base64/" in request.full_url and "/pipeline@base64/" in request.full_url


# ----------------------------------------------------------------- the command line


def run_job(tmp_path: Path, reference: Dict[str, List[str]], current: Dict[str, List[str]], *extra: str) -> Tuple[int, Path]:
    config = tmp_path / "drift_config.json"
    config.write_text(json.dumps(CONFIG), encoding="utf-8")
    textfile = tmp_path / "drift.prom"
    code = drift.main(["--config", str(config), "--reference", write_csv(tmp_path / "ref.csv", reference), "--current", write_csv(tmp_path / "cur.csv", current), "--textfile", str(textfile), "--report", str(tmp_path / "report.md"), *extra])
    return code, textfile


def drifted_frame(n: int, seed: int) -> Dict[str, List[str]]:
    cur = frame(n, seed, {f["name"]: 2.0 for f in NUMERIC})
    for f in CATEGORICAL:
        cur[f["name"]] = with_new_category(cur[f["name"]], 0.5, seed)
    return cur


def test_exit_code_is_0_without_drift_and_2_when_the_quorum_is_reached(tmp_path: Path) -> None:
    code, textfile = run_job(tmp_path, frame(3000, 26), frame(3000, 27))
    assert code == 0
    assert set(metrics.parse_exposition(textfile.read_text(encoding="utf-8"))) >= {CONFIG["metrics"]["score"], CONFIG["metrics"]["last_success"]}
    code, _ = run_job(tmp_path, frame(3000, 26), drifted_frame(3000, 28))
    monitored = [f for f in CONFIG["features"] if not f["protected"]]
    assert code == (2 if len(monitored) >= CONFIG["retraining"]["quorum_features"] else 0)
    assert "| critical |" in (tmp_path / "report.md").read_text(encoding="utf-8")


def test_bad_input_exits_1_and_bad_usage_64(tmp_path: Path) -> None:
    broken = frame(100, 29)
    del broken[CONFIG["features"][0]["name"]]
    assert run_job(tmp_path, frame(100, 30), broken)[0] == 1
    with pytest.raises(SystemExit) as usage:
        drift.main(["--config", "x.json"])
    assert usage.value.code == 64


def test_the_job_calls_the_retraining_trigger_when_the_quorum_is_reached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not [f for f in CONFIG["features"] if not f["protected"]]:
        pytest.skip("every feature is protected: drift never triggers retraining")
    monkeypatch.setenv("RETRAINING_WEBHOOK_TOKEN", DRIFT_TOKEN)
    orchestrator = fake_orchestrator()
    with serving(orchestrator) as orchestrator_url:
        service = rt.TriggerService(orchestrator_url, "train")
        with serving(rt.make_server(service, "127.0.0.1", 0, webhook_token=DRIFT_TOKEN)) as trigger_url:
            code, _ = run_job(tmp_path, frame(3000, 31), drifted_frame(3000, 32), "--trigger-url", f"{trigger_url}/alerts")
    assert code == 2
    assert len(orchestrator.requests) == 1 and service.counts == {("drift", "started"): 1}
`;
}

function testQuality(p: MonitoringPlan): string {
  const pkg = pythonPackage(p.spec);
  return `${HEADER('Evaluation job tests: metrics, the label join and window, degradation levels, the CUSUM concept-drift detector')}
import csv
import json
import math
import re
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import numpy as np
import pytest
from scipy import stats as sps

from ${pkg}.observability import metrics
from ${pkg}.observability import quality as q

pytestmark = pytest.mark.unit

KIND: Optional[str] = q.metric_kind(q.METRIC) if q.supported(q.METRIC) else None
NOW = 1_700_000_000.0
` + String.raw`

# ----------------------------------------------------------------- metric implementations


def test_roc_auc_by_ranks_matches_the_mann_whitney_statistic() -> None:
    assert q.roc_auc(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8])) == 0.75
    assert q.roc_auc(np.array([0, 1, 0, 1]), np.array([0.5, 0.5, 0.5, 0.5])) == 0.5  # ties count one half
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 500)
    s = np.round(rng.normal(y, 1.0), 1)  # many ties
    u = sps.mannwhitneyu(s[y == 1], s[y == 0]).statistic
    assert q.roc_auc(y, s) == pytest.approx(float(u) / ((y == 1).sum() * (y == 0).sum()), rel=1e-12)


def test_the_other_metrics_on_hand_computed_examples() -> None:
    y, s = np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8])
    assert q.average_precision(y, s) == pytest.approx(0.8333333333333333)
    assert q.log_loss(np.array([1, 0]), np.array([0.8, 0.3])) == pytest.approx(-(math.log(0.8) + math.log(0.7)) / 2)
    assert q.class_metric("accuracy", ["a", "b", "c", "a"], ["a", "b", "a", "a"]) == 0.75
    assert q.class_metric("macro_f1", ["a", "b", "c", "a"], ["a", "b", "a", "a"]) == pytest.approx((0.8 + 1.0 + 0.0) / 3)
    assert q.class_metric("f1", ["1", "0", "1", "1"], ["1", "1", "0", "1"]) == pytest.approx(2 / 3)
    yt, yp = np.array([1.0, 2.0, 4.0]), np.array([1.0, 3.0, 2.0])
    assert q.regression_metric("rmse", yt, yp) == pytest.approx(math.sqrt(5 / 3))
    assert q.regression_metric("mae", yt, yp) == pytest.approx(1.0)
    assert q.regression_metric("mape", yt, yp) == pytest.approx((0 + 0.5 + 0.5) / 3)
    assert q.regression_metric("wape", yt, yp) == pytest.approx(3 / 7)
    rel, score = np.array([1.0, 0.0, 1.0]), np.array([0.9, 0.8, 0.1])
    ideal = 1 + 1 / math.log2(3)
    assert q.ranking_metric("ndcg_at_3", rel, score, np.zeros(3)) == pytest.approx((1 + 1 / math.log2(4)) / ideal)
    assert q.ranking_metric("recall_at_2", rel, score, np.zeros(3)) == 0.5


# ----------------------------------------------------------------- synthetic prediction logs


def synthetic(n: int, rng: np.random.Generator, broken: bool) -> Tuple[List[str], List[str]]:
    """(labels, predictions) of the metric's kind; broken predictions carry no signal."""
    if KIND in ("score", "ranking") or (KIND == "class" and q.PROBLEM_TYPE in ("binary_classification", "anomaly_detection")):
        y = (rng.uniform(0, 1, n) < 0.3).astype(int)
        s = rng.uniform(0, 1, n) if broken else np.clip(0.2 + 0.6 * y + rng.normal(0, 0.15, n), 0.001, 0.999)
        return [str(v) for v in y], [repr(float(v)) for v in s]
    if KIND == "class":
        y = rng.choice(["a", "b", "c"], n)
        pred = rng.choice(["a", "b", "c"], n) if broken else np.where(rng.uniform(0, 1, n) < 0.9, y, rng.choice(["a", "b", "c"], n))
        return [str(v) for v in y], [str(v) for v in pred]
    y = rng.normal(100, 20, n)
    pred = y + rng.normal(0, 60 if broken else 5, n)
    return [repr(float(v)) for v in y], [repr(float(v)) for v in pred]


def log(n: int, seed: int, start: float, end: float, broken: bool = False, version: str = "3") -> Tuple[Dict[str, List[str]], Dict[str, List[str]]]:
    """A prediction log of n rows between start and end and its labels table."""
    rng = np.random.default_rng(seed)
    labels, predictions = synthetic(n, rng, broken)
    times = np.sort(rng.uniform(start, end, n))
    # A ranking metric at k needs queries with more than k rows, or every query scores perfectly, broken or not.
    at_k = re.search(r"_at_(\d+)$", q.METRIC) if KIND == "ranking" else None
    groups = max(1, n // (3 * int(at_k.group(1)))) if at_k else 97
    entities = [f"e{seed}-{i % groups}" for i in range(n)]
    stamps = [repr(float(t)) for t in times]
    preds = {q.ENTITY_KEY: entities, q.EVENT_TIMESTAMP: stamps, q.PREDICTION_COLUMN: predictions, q.VERSION_COLUMN: [version] * n}
    labs = {q.ENTITY_KEY: entities, q.EVENT_TIMESTAMP: stamps, q.LABEL_COLUMN: labels}
    return preds, labs


def window(index: int = 0) -> Tuple[float, float]:
    return q.window_bounds(NOW, index)


needs_metric = pytest.mark.skipif(KIND is None, reason=f"{q.METRIC} is not computable from (prediction, label) pairs")


@needs_metric
def test_the_join_uses_only_predictions_whose_labels_are_due() -> None:
    n = q.MIN_LABELLED_SAMPLES + 50
    start, end = window()
    assert (start, end) == (NOW - (q.LABEL_DELAY_HOURS + q.WINDOW_HOURS) * 3600, NOW - q.LABEL_DELAY_HOURS * 3600)
    in_window = log(n, 1, start, end)
    too_new = log(40, 2, end, NOW)  # labels not due yet: outside the window even when present
    too_old = log(30, 3, start - 3600 * q.WINDOW_HOURS, start)
    preds = {k: in_window[0][k] + too_new[0][k] + too_old[0][k] for k in in_window[0]}
    labs = {k: in_window[1][k] + too_new[1][k] + too_old[1][k] for k in in_window[1]}
    labs[q.LABEL_COLUMN][0] = ""  # a label that has not arrived
    joined = q.join(preds, labs)
    assert len(joined) == n + 40 + 30 - 1
    [result] = q.evaluate(joined, NOW, reference=0.5)
    assert result.samples == n - 1 and result.version == "3"
    samples = metrics.parse_exposition(metrics.exposition(q.metric_samples([result], joined)))
    assert samples[q.LABELS_LAST_JOINED][0][1] == max(j.timestamp for j in joined)


@needs_metric
def test_quality_at_the_reference_is_ok_and_a_broken_model_is_critical() -> None:
    start, end = window()
    n = q.MIN_LABELLED_SAMPLES * 2
    good = log(n, 4, start, end)
    joined = q.join(*good)
    reference = q.compute(q.METRIC, [j.label for j in joined], [j.prediction for j in joined], [j.group for j in joined])
    [same] = q.evaluate(joined, NOW, reference=reference)
    assert same.level == "ok" and same.degradation_pct == pytest.approx(0.0, abs=1e-9)
    [bad] = q.evaluate(q.join(*log(n, 5, start, end, broken=True)), NOW, reference=reference)
    assert bad.level == "critical" and bad.degradation_pct >= q.CRITICAL_DEGRADATION_PCT


@needs_metric
def test_too_few_labels_is_insufficient_and_no_reference_is_reported() -> None:
    start, end = window()
    [few] = q.evaluate(q.join(*log(q.MIN_LABELLED_SAMPLES - 1, 6, start, end)), NOW, reference=0.5)
    assert few.level == "insufficient" and few.value is None
    [unreferenced] = q.evaluate(q.join(*log(q.MIN_LABELLED_SAMPLES, 7, start, end)), NOW, reference=None)
    assert unreferenced.level in ("no_reference", "critical")  # critical only below the absolute floor


def test_levels_follow_the_relative_degradation_limits() -> None:
    ref = 0.8 if q.DIRECTION == "maximize" else 10.0
    sign = -1 if q.DIRECTION == "maximize" else 1

    def at(pct: float) -> float:
        return ref * (1 + sign * pct / 100)

    floor_hit = lambda v: q.CRITICAL_FLOOR is not None and (v < q.CRITICAL_FLOOR if q.DIRECTION == "maximize" else v > q.CRITICAL_FLOOR)  # noqa: E731
    for pct, level in ((0.0, "ok"), (q.WARN_DEGRADATION_PCT * 0.99, "ok"), (q.WARN_DEGRADATION_PCT * 1.01, "warn"), (q.CRITICAL_DEGRADATION_PCT * 1.01, "critical")):
        assert q.level_of(at(pct), ref) == ("critical" if floor_hit(at(pct)) else level), pct


def series(reference: float, degradations: List[float]) -> List[Optional[float]]:
    sign = -1 if q.DIRECTION == "maximize" else 1
    return [reference * (1 + sign * d / 100) for d in degradations]


def test_cusum_stays_quiet_on_a_stable_model_and_flags_abrupt_and_gradual_drift() -> None:
    ref = 0.8 if q.DIRECTION == "maximize" else 10.0
    noise = np.random.default_rng(8).normal(0, q.WARN_DEGRADATION_PCT / 4, 48)
    assert not q.cusum(series(ref, list(noise)), ref)["alarm"]
    abrupt = q.cusum(series(ref, [0.0] * 12 + [q.CRITICAL_DEGRADATION_PCT] * 12), ref)
    assert abrupt["alarm"] and 12 <= abrupt["alarm_index"] <= 15
    # A slide to 75 % of the critical drop: no window is critical, the CUSUM still fires.
    ramp = [q.WARN_DEGRADATION_PCT * i / 12 for i in range(12)] + [0.75 * q.CRITICAL_DEGRADATION_PCT] * 24
    values = series(ref, ramp)
    assert all(q.level_of(v, ref) != "critical" for v in values if v is not None) or q.CRITICAL_FLOOR is not None
    assert q.cusum(values, ref)["alarm"]
    assert q.cusum([None] * 10, ref)["statistic"] == [0.0] * 10


@needs_metric
def test_the_per_window_series_feeds_the_detector() -> None:
    n = q.MIN_LABELLED_SAMPLES
    parts = [log(n, 10 + i, *window(i), broken=i < 2) for i in range(4)]  # the two newest windows broken
    preds = {k: sum((p[0][k] for p in parts), []) for k in parts[0][0]}
    labs = {k: sum((p[1][k] for p in parts), []) for k in parts[0][1]}
    joined = q.join(preds, labs)
    values = q.window_series(joined, NOW, 5)
    assert values[0] is None and all(v is not None for v in values[1:])
    reference = values[1]
    assert reference is not None
    assert [q.level_of(v, reference) for v in values[1:] if v is not None][-1] == "critical"


def test_the_exposition_uses_the_evaluation_jobs_metric_names() -> None:
    expected = {metrics.METRIC_NAMES[k]["name"] for k in ("predictionQuality", "predictionQualityReference", "predictionQualitySamples", "labelsLastJoined")}
    assert {q.QUALITY, q.QUALITY_REFERENCE, q.QUALITY_SAMPLES, q.LABELS_LAST_JOINED} == expected
    result = q.QualityResult("3", q.METRIC, 0.7, 0.8, 1200, 12.5, "critical", {})
    joined = [q.Joined(NOW - 90_000, "3", "0.5", "1", "e")]
    parsed = metrics.parse_exposition(metrics.exposition(q.metric_samples([result], joined)))
    assert set(parsed) == expected
    assert parsed[q.QUALITY][0][0] == {"pipeline": q.PIPELINE, "model": q.MODEL, "version": "3", "metric": q.METRIC}


@needs_metric
def test_the_command_line_exits_2_on_critical_degradation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def write(name: str, cols: Dict[str, List[str]]) -> str:
        path = tmp_path / name
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(list(cols))
            writer.writerows(zip(*cols.values()))
        return str(path)

    start, end = window()
    good = log(q.MIN_LABELLED_SAMPLES * 2, 20, start, end)
    joined = q.join(*good)
    reference = q.compute(q.METRIC, [j.label for j in joined], [j.prediction for j in joined], [j.group for j in joined])
    args = ["--now", str(NOW), "--reference-value", repr(reference), "--history-windows", "3", "--textfile", str(tmp_path / "q.prom")]
    assert q.main(["--predictions", write("p.csv", good[0]), "--labels", write("l.csv", good[1]), *args]) == 0
    bad = log(q.MIN_LABELLED_SAMPLES * 2, 21, start, end, broken=True)
    assert q.main(["--predictions", write("p.csv", bad[0]), "--labels", write("l.csv", bad[1]), *args]) == 2
    # The reference can come from the config's quality block (the CronJob passes drift_config.yaml).
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"quality": {"reference": reference}}), encoding="utf-8")
    from_config = ["--config", str(config), "--now", str(NOW), "--history-windows", "3"]
    assert q.main(["--predictions", write("p.csv", bad[0]), "--labels", write("l.csv", bad[1]), *from_config]) == 2
    assert q.main(["--predictions", write("p.csv", good[0]), "--labels", write("l.csv", good[1]), *from_config]) == 0
    assert q.QUALITY in metrics.parse_exposition((tmp_path / "q.prom").read_text(encoding="utf-8"))
    capsys.readouterr()
`;
}

function testTrigger(p: MonitoringPlan): string {
  const pkg = pythonPackage(p.spec);
  const features = [...new Set(p.tests.filter((t) => !t.protected).map((t) => t.feature))];
  const protectedFeatures = [...new Set(p.tests.filter((t) => t.protected).map((t) => t.feature))];
  return `${HEADER('Retraining trigger tests: decisions, the orchestrator request, the webhook server')}
import contextlib
import json
import secrets
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest

from ${pkg}.observability import metrics
from ${pkg}.observability import retraining_trigger as rt

pytestmark = pytest.mark.unit

# Throwaway bearer tokens of the local test servers, made per run (no credential-like literal in the repository).
ORCHESTRATOR_TOKEN = secrets.token_hex(8)
HOOK_TOKEN = secrets.token_hex(8)

ORCHESTRATOR = ${pyLiteral(p.retraining.orchestrator)}
EXPECTED_REQUESTS: Dict[str, Dict[str, Any]] = ${pyLiteral(ORCHESTRATOR_REQUESTS as unknown as PyValue)}
MONITORED = ${pyLiteral(features)}
PROTECTED = ${pyLiteral(protectedFeatures)}
${HTTP_HELPERS}` + String.raw`

def drift_alerts(features: List[str], pipeline: str = rt.PIPELINE, status: str = "firing") -> Dict[str, Any]:
    return {"alerts": [{"status": status, "labels": {"alertname": "FeatureDriftHigh", "pipeline": pipeline, "feature": f}} for f in features]}


DEGRADATION = {"alerts": [{"status": "firing", "labels": {"alertname": "ModelQualityDegradationCritical", "pipeline": rt.PIPELINE}}]}
QUORUM = MONITORED[: rt.DRIFT_QUORUM]
needs_quorum = pytest.mark.skipif(len(MONITORED) < rt.DRIFT_QUORUM, reason="fewer monitored features than the quorum")


def test_the_generated_trigger_targets_the_specs_orchestrator() -> None:
    assert rt.ORCHESTRATOR == ORCHESTRATOR and sorted(rt.PROTECTED_FEATURES) == sorted(PROTECTED)
    assert rt.DEFAULT_ORCHESTRATOR_URL.startswith("http://") and rt.DEFAULT_TARGET


@needs_quorum
def test_a_drift_quorum_starts_retraining_and_fewer_features_do_not() -> None:
    decision = rt.decide(drift_alerts(QUORUM), None, rt.MIN_NEW_LABELLED_ROWS, 0.0)
    assert (decision.start, decision.reason, decision.outcome) == (True, "drift", "started")
    assert not rt.decide(drift_alerts(QUORUM[:-1]), None, rt.MIN_NEW_LABELLED_ROWS, 0.0).start
    assert not rt.decide(drift_alerts(QUORUM, pipeline="another-pipeline"), None, rt.MIN_NEW_LABELLED_ROWS, 0.0).start
    assert not rt.decide(drift_alerts(QUORUM, status="resolved"), None, rt.MIN_NEW_LABELLED_ROWS, 0.0).start


def test_protected_features_never_start_retraining(monkeypatch: pytest.MonkeyPatch) -> None:
    decision = rt.decide(drift_alerts(PROTECTED), None, rt.MIN_NEW_LABELLED_ROWS, 0.0)
    assert not decision.start and decision.outcome == "ignored"
    monkeypatch.setattr(rt, "PROTECTED_FEATURES", ["region"])
    monkeypatch.setattr(rt, "DRIFT_QUORUM", 1)
    assert not rt.decide(drift_alerts(["region"]), None, rt.MIN_NEW_LABELLED_ROWS, 0.0).start
    assert rt.decide(drift_alerts(["region", "amount"]), None, rt.MIN_NEW_LABELLED_ROWS, 0.0).why == "drift on amount"


def test_degradation_starts_retraining_within_the_guards() -> None:
    assert rt.decide(DEGRADATION, None, rt.MIN_NEW_LABELLED_ROWS, 0.0).reason == "degradation"
    cooling = rt.decide(DEGRADATION, 0.0, rt.MIN_NEW_LABELLED_ROWS, rt.COOLDOWN_SECONDS - 1.0)
    assert (cooling.start, cooling.outcome) == (False, "cooldown")
    assert rt.decide(DEGRADATION, 0.0, rt.MIN_NEW_LABELLED_ROWS, rt.COOLDOWN_SECONDS + 1.0).start
    starved = rt.decide(DEGRADATION, None, rt.MIN_NEW_LABELLED_ROWS - 1, 0.0)
    assert (starved.start, starved.outcome) == (False, "insufficient_labels")


def test_the_request_has_the_orchestrators_shape() -> None:
    url, body = rt.build_request("http://orchestrator:8080/", "train-job", "drift")
    expected = EXPECTED_REQUESTS[ORCHESTRATOR]
    assert url == "http://orchestrator:8080" + expected["path"].replace("{target}", "train-job")
    assert sorted(body) == sorted(expected["keys"])
    assert "drift" in json.dumps(body) and "train-job" in url + json.dumps(body)


def test_the_webhook_server_starts_one_run_then_cools_down(monkeypatch: pytest.MonkeyPatch) -> None:
    orchestrator = fake_orchestrator()
    with serving(orchestrator) as orchestrator_url:
        service = rt.TriggerService(orchestrator_url, "train-job", token=ORCHESTRATOR_TOKEN)
        with serving(rt.make_server(service, "127.0.0.1", 0, webhook_token=HOOK_TOKEN)) as url:
            assert http("GET", f"{url}/healthz")[0] == 200
            assert http("POST", f"{url}/alerts", DEGRADATION)[0] == 401
            assert http("POST", f"{url}/alerts", DEGRADATION, token=HOOK_TOKEN[::-1])[0] == 401
            assert http("POST", f"{url}/alerts", raw=b"{not json", token=HOOK_TOKEN)[0] == 400
            assert http("POST", f"{url}/nowhere", DEGRADATION, token=HOOK_TOKEN)[0] == 404
            status, body = http("POST", f"{url}/alerts", DEGRADATION, token=HOOK_TOKEN)
            assert status == 200 and json.loads(body)["decision"] == "started"
            status, body = http("POST", f"{url}/alerts", DEGRADATION, token=HOOK_TOKEN)
            assert json.loads(body)["decision"] == "cooldown"
            status, text = http("GET", f"{url}/metrics")
    assert len(orchestrator.requests) == 1
    sent = orchestrator.requests[0]
    assert sent["path"] == EXPECTED_REQUESTS[ORCHESTRATOR]["path"].replace("{target}", "train-job")
    assert sent["headers"]["Authorization"] == f"Bearer {ORCHESTRATOR_TOKEN}"
    assert sorted(sent["body"]) == sorted(EXPECTED_REQUESTS[ORCHESTRATOR]["keys"])
    counters = metrics.parse_exposition(text.decode("utf-8"))[rt.TRIGGERS_METRIC]
    assert {(labels["reason"], labels["decision"]): value for labels, value in counters} == {("degradation", "started"): 1.0, ("degradation", "cooldown"): 1.0}
    assert rt.TRIGGERS_METRIC == metrics.METRIC_NAMES["retrainingTriggers"]["name"]


def test_an_orchestrator_error_is_reported_and_does_not_start_the_cooldown() -> None:
    orchestrator = fake_orchestrator(status=503)
    with serving(orchestrator) as orchestrator_url:
        service = rt.TriggerService(orchestrator_url, "train-job")
        first = service.handle(DEGRADATION)
        second = service.handle(DEGRADATION)
    assert first["decision"] == "failed" and not first["start"] and second["decision"] == "failed"
    assert service.last_triggered_at is None and service.counts == {("degradation", "failed"): 2}
`;
}
