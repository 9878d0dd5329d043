import { pyLiteral, type PyValue } from '../../../generators/serializers/python.js';
import type { ResolvedSpec } from '../../../spec/resolve.js';
import { featureContract } from '../../common.js';
import type { MlEngineerDecisions } from '../../ml_engineer/decisions.js';
import type { PyPlan } from '../derive.js';

// ml/tests/: the four test layers. Unit and integration tests need only the standard library and pytest (plus
// pandas where marked); model-quality and performance tests need a trained model and skip without one.

export function supportPy(spec: ResolvedSpec, plan: PyPlan): string {
  const features = spec.data.features.map((f) => ({ name: f.name, ...featureContract(f) }));
  return String.raw`"""Test support shared by every layer: the declared features of this pipeline and its sample rows generator."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

PACKAGE: str = ${pyLiteral(plan.pkg)}
TARGET: str = ${pyLiteral(spec.problem.target)}
ENTITY_KEY: str = ${pyLiteral(spec.data.entity_key)}
EVENT_TIMESTAMP: str = ${pyLiteral(spec.data.event_timestamp)}
FEATURES: list[dict[str, Any]] = ${pyLiteral(features as unknown as PyValue)}
MODEL_ENV: str = ${pyLiteral(`${plan.pkg.toUpperCase()}_TEST_MODEL`)}


def sample_data() -> Any:
    """The package's deterministic sample generator (<pkg>.sample_data): declared features and a learnable target."""
    return importlib.import_module(f"{PACKAGE}.sample_data")


def synthetic_rows(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """Rows with every declared feature inside its declared range or categories and a target the features explain
    (deterministic; timestamps as ISO strings, missing values as None)."""
    return sample_data().rows(n, seed)


def synthetic_frame(n: int, seed: int = 7) -> Any:
    """The same rows as a typed pandas.DataFrame (event time as UTC datetimes)."""
    return sample_data().generate(n, seed)


# What one stacked call may hold: input cells bound the memory of a wide spec, rows that of the encoded matrix
# (a text feature encodes to hundreds of columns).
MAX_STACK_CELLS = 2_000_000
MAX_STACK_ROWS = 20_000


def stacked(fn: Any, blocks: list[Any]) -> list[Any]:
    """fn (a prediction or a transform, one output row per input row) over every block, in as few calls as
    MAX_STACK_CELLS allows, split back into one array per block.

    The blocks are frames with the same columns, typically the sample frame with one feature changed: a check
    over every feature then costs a few calls rather than one per feature, whose cost grows with the width.
    """
    import numpy as np
    import pandas as pd

    out: list[Any] = []
    start = 0
    while start < len(blocks):
        end, cells, count = start + 1, blocks[start].size, len(blocks[start])
        while end < len(blocks) and cells + blocks[end].size <= MAX_STACK_CELLS and count + len(blocks[end]) <= MAX_STACK_ROWS:
            cells += blocks[end].size
            count += len(blocks[end])
            end += 1
        rows = np.asarray(fn(pd.concat(blocks[start:end], ignore_index=True)))
        # One output row per input row, or the split below would hand a block another block's rows.
        assert len(rows) == count, f"{len(rows)} results for {count} rows"
        out.extend(np.split(rows, np.cumsum([len(b) for b in blocks[start:end]])[:-1]))
        start = end
    return out
`;
}

export function conftestPy(): string {
  return String.raw`"""Fixtures: sample rows inside the declared ranges, the model under test and the --record-directions option.

Without the env variable named by MODEL_ENV the model under test is trained once per session on sample rows
(<pkg>.steps.train_sample, a few seconds) in a temporary directory, so quality and performance tests always run.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import os
import pickle
import sys
from pathlib import Path
from typing import Any

import pytest

from support import FEATURES, MODEL_ENV, PACKAGE, sample_data, synthetic_frame

SAMPLE_TRAINING_ROWS = 2000
SAMPLE_TRIALS = 2
# The quality tests score this frame a few times per feature: 2,000 rows up to 50 features, fewer beyond, so that
# the suite grows with the number of features rather than with its square.
SAMPLE_FRAME_ROWS = min(2000, max(200, 100_000 // max(1, len(FEATURES))))
# A directory where sample-trained models are kept between sessions (content-addressed, see _model_key).
MODEL_CACHE_ENV = "ML_TEST_MODEL_CACHE"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--record-directions", action="store_true", default=False, help="record the production model's directions")


@pytest.fixture(scope="session")
def feature_specs() -> list[dict[str, Any]]:
    return FEATURES


@pytest.fixture(scope="session")
def sample_frame() -> Any:
    return synthetic_frame(SAMPLE_FRAME_ROWS)


# Files whose content decides the sample-trained model: a cached model is reused only when all are unchanged.
MODEL_INPUTS = ("steps.py", "sample_data.py", "features/transform.py", "features/validation.py", "training/config.py", "training/hpo.py", "training/interfaces.py", "training/pipeline.py", "training/distributed.py")


def _model_key() -> str:
    package_dir = Path(importlib.import_module(PACKAGE).__file__).parent
    # With torch installed, networks train in torch instead of scikit-learn: a different model.
    torch = importlib.util.find_spec("torch") is not None
    digest = hashlib.sha256(f"{SAMPLE_TRAINING_ROWS}:{SAMPLE_TRIALS}:{sys.version}:torch={torch}".encode())
    for name in MODEL_INPUTS:
        path = package_dir / name
        digest.update(name.encode() + b"\0" + (path.read_bytes() if path.exists() else b"") + b"\0")
    return digest.hexdigest()[:32]


@pytest.fixture(scope="session")
def sample_training(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One end-to-end training run on sample rows: {"dir": output directory, "card": model_card.json}.

    With the directory named by MODEL_CACHE_ENV set, the run is kept there under a hash of the files that decide
    the model (MODEL_INPUTS), so suites of projects with the same training code train once.
    """
    steps = importlib.import_module(f"{PACKAGE}.steps")
    cache = os.environ.get(MODEL_CACHE_ENV)
    if not cache:
        out = tmp_path_factory.mktemp("sample_model")
        steps.train_sample(out, rows=SAMPLE_TRAINING_ROWS, trials=SAMPLE_TRIALS)
    else:
        out = Path(cache) / f"{PACKAGE}-{_model_key()}"
        if not (out / "model_card.json").exists():
            # Trained beside its final place, then renamed: a reader never sees half a model.
            out.parent.mkdir(parents=True, exist_ok=True)
            staging = out.parent / f".{out.name}.{os.getpid()}"
            steps.train_sample(staging, rows=SAMPLE_TRAINING_ROWS, trials=SAMPLE_TRIALS)
            try:
                os.replace(staging, out)
            except OSError:  # another session stored the same model first
                out = out if (out / "model_card.json").exists() else staging
    return {"dir": out, "card": json.loads((out / "model_card.json").read_text(encoding="utf-8"))}


@pytest.fixture(scope="session")
def model_path(request: pytest.FixtureRequest) -> Path:
    """The pickled model under test: the env variable's file, else the sample training run's model.pkl."""
    path = os.environ.get(MODEL_ENV)
    if path:
        return Path(path)
    return Path(request.getfixturevalue("sample_training")["dir"]) / "model.pkl"


@pytest.fixture(scope="session")
def model(model_path: Path) -> Any:
    """The model under test: a pickled object with predict(frame) over the raw feature columns."""
    with open(model_path, "rb") as handle:
        return pickle.load(handle)


@pytest.fixture(scope="session")
def expected_directions() -> dict[str, int]:
    """Directions the sample generator built into the target (only meaningful for a model trained on sample rows)."""
    return {} if os.environ.get(MODEL_ENV) else sample_data().directions()
`;
}

export function unitTransformationsPy(plan: PyPlan, sampleRows: number): string {
  return String.raw`"""Unit tests of the data transformations: dtype plan, downcasting, range clipping, chunk arithmetic."""

from __future__ import annotations

import importlib

import pytest

from support import FEATURES, PACKAGE

dataio = importlib.import_module(f"{PACKAGE}.dataio")
pytestmark = pytest.mark.unit


SAMPLE_ROWS = ${pyLiteral(sampleRows)}
RAW_BYTES_PER_ROW = ${pyLiteral(plan.rawBytesPerRow)}


def test_chunk_size_matches_the_budget() -> None:
    assert dataio.CHUNK_ROWS == min(SAMPLE_ROWS, dataio.rows_per_chunk(dataio.CHUNK_BUDGET_MB, RAW_BYTES_PER_ROW))
    assert dataio.rows_per_chunk(1, 100) == 10_000
    with pytest.raises(ValueError):
        dataio.rows_per_chunk(0, 100)


def test_every_declared_feature_has_a_dtype() -> None:
    for f in FEATURES:
        assert f["name"] in dataio.DTYPES, f["name"]


@pytest.mark.parametrize("feature", [f for f in FEATURES if f["type"] in ("numeric", "integer") and f["max"] is not None], ids=lambda f: f["name"] if isinstance(f, dict) else "none")
def test_clipping_keeps_values_in_the_declared_range(feature: dict) -> None:
    pd = pytest.importorskip("pandas")
    high = feature["max"]
    frame = pd.DataFrame({feature["name"]: [high * 10 + 1, high]})
    clipped = dataio.clip_to_declared_ranges(frame)
    assert clipped[feature["name"]].max() <= high


def test_downcasting_preserves_values_and_shrinks_the_frame(sample_frame) -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    before = dataio.frame_memory_mb(sample_frame)
    frame = dataio.downcast(sample_frame.copy())
    after = dataio.frame_memory_mb(frame)
    assert after <= before
    for f in FEATURES:
        if f["type"] == "integer":
            assert pd.Series(frame[f["name"]]).dropna().astype("int64").tolist() == pd.Series(sample_frame[f["name"]]).dropna().astype("int64").tolist()
`;
}

export function unitUtilitiesPy(): string {
  return String.raw`"""Unit tests of the reusable utilities: errors, JSON logging, content-hash cache, load-once models."""

from __future__ import annotations

import importlib
import io
import json
import logging

import pytest

from support import PACKAGE

errors = importlib.import_module(f"{PACKAGE}.errors")
logging_utils = importlib.import_module(f"{PACKAGE}.logging_utils")
cache = importlib.import_module(f"{PACKAGE}.cache")
pytestmark = pytest.mark.unit


def test_error_hierarchy_keeps_builtin_bases() -> None:
    assert issubclass(errors.ConfigError, ValueError)
    assert issubclass(errors.SchemaError, errors.DataError)
    assert issubclass(errors.PromotionRejected, errors.RegistryError)
    assert errors.exit_code_for(errors.TrainingError("x")) == 4
    assert errors.exit_code_for(KeyError("x")) == 1
    with pytest.raises(errors.SchemaError) as caught:
        errors.require_columns(["a"], ["a", "b", "c"], "frame")
    assert caught.value.context["missing"] == ["b", "c"]


def test_json_formatter_emits_one_object_per_line_with_context() -> None:
    stream = io.StringIO()
    logging_utils.configure_logging("INFO", component="test", stream=stream)
    log = logging.getLogger("unit")
    with logging_utils.bind(run_id="r1", data_version="v9"):
        log.info("hello %s", "world", extra={"rows": 3})
        try:
            raise errors.DataQualityError("bad batch")
        except errors.DataQualityError:
            log.exception("gate failed")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert lines[0]["message"] == "hello world" and lines[0]["run_id"] == "r1" and lines[0]["rows"] == 3
    assert lines[1]["error_type"] == "DataQualityError" and lines[1]["error_code"] == "data_quality_error"
    assert "run_id" not in logging_utils.current_context()


def test_stacked_calls_split_back_into_one_result_per_block(monkeypatch) -> None:
    pd = pytest.importorskip("pandas")
    import support

    blocks = [pd.DataFrame({"a": [i] * (i + 1), "b": range(i + 1)}) for i in range(5)]
    calls: list[int] = []

    def score(frame):
        calls.append(len(frame))
        return frame["a"] * 10 + frame["b"]

    # Blocks of 2, 4, 6, 8 and 10 cells under a cap of 6: four calls, the first holding two blocks.
    monkeypatch.setattr(support, "MAX_STACK_CELLS", 6)
    out = support.stacked(score, blocks)
    assert [list(block) for block in out] == [[i * 10 + j for j in range(i + 1)] for i in range(5)]
    assert calls == [3, 3, 4, 5]
    # A function that drops rows cannot be split back.
    with pytest.raises(AssertionError, match="1 results for 3 rows"):
        support.stacked(lambda frame: frame["a"].head(1), blocks[:2])


def test_cache_key_changes_with_content_and_hits_when_unchanged(tmp_path) -> None:
    store = cache.DiskCache(tmp_path, max_bytes=10_000_000)
    calls = []

    @cache.cached_step(store, "features", lambda version, schema: {"version": version, "schema": schema})
    def build(version: str, schema: str) -> list:
        calls.append(version)
        return [version, schema]

    assert build("v1", "s") == ["v1", "s"]
    assert build("v1", "s") == ["v1", "s"]
    assert build("v2", "s") == ["v2", "s"]
    assert calls == ["v1", "v2"]
    assert store.hits == 1
    assert cache.content_hash("a", 1) != cache.content_hash("a", 2)


def test_model_is_loaded_once_per_version() -> None:
    cache.clear_models()
    loads = []
    loader = lambda uri, version: loads.append(version) or object()  # noqa: E731
    first = cache.load_model_once("models:/m", "3", loader)
    assert cache.load_model_once("models:/m", "3", loader) is first
    cache.load_model_once("models:/m", "4", loader)
    assert loads == ["3", "4"]
`;
}

export function integrationPy(ml: MlEngineerDecisions): string {
  return String.raw`"""Integration tests of pipeline components working together, offline: the training config as shipped, the
local tracker, the promotion gate with the JSON registry (promote dev -> staging -> prod, then roll back), and the
rollback script in dry-run mode.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import shutil
import subprocess

import pytest

from support import PACKAGE, ROOT

config = importlib.import_module(f"{PACKAGE}.training.config")
tracking = importlib.import_module(f"{PACKAGE}.training.tracking")
promotion = importlib.import_module(f"{PACKAGE}.registry.promotion")
pytestmark = pytest.mark.integration


def test_shipped_yaml_config_matches_the_defaults() -> None:
    pytest.importorskip("yaml")
    assert config.load_config(ROOT / "configs" / "training.yaml") == config.load_config()


def test_config_rejects_unknown_keys() -> None:
    with pytest.raises(ValueError, match="unknown keys"):
        config.load_config({**config.DEFAULT_CONFIG, "surprise": True})


def test_local_tracker_records_fold_scores(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(tracking.ENV_SWITCH, "local")
    tracker = tracking.make_tracker(local_dir=str(tmp_path))
    tracker.start_run("it", {"git_sha": "abc"})
    tracking.log_fold_scores(tracker, ${pyLiteral(`m/${ml.registry.promotion_gate.metric}`)}, [0.5] * ${pyLiteral(ml.cross_validation.folds)})
    tracker.end_run()
    events = tracker.events()
    assert events[0]["event"] == "start" and events[-1]["data"]["status"] == "FINISHED"
    assert sum(1 for e in events if e["event"] == "metrics") == ${pyLiteral(ml.cross_validation.folds + 1)}


def _passing_metrics() -> dict:
    """The primary metric comfortably past the threshold, every further criterion exactly at its bound; for a
    relative gate, the baseline model's CV score of the run as the training pipeline records it."""
    gate = promotion.GATE
    reference = gate.min_value if gate.rule == "absolute" else 0.5
    value = reference * (1.5 if gate.direction == "maximize" else 0.5) if reference else (1.0 if gate.direction == "maximize" else 0.0)
    baseline = {gate.baseline_key(): reference} if gate.rule == "relative_to_baseline" else {}
    return {gate.metric: value, **baseline, **{c.name: c.threshold for c in gate.criteria}}


@pytest.mark.parametrize("direction, factor", [("minimize", 0.95), ("maximize", 1.05)])
def test_relative_gate_compares_with_factor_times_the_baseline_score(direction: str, factor: float) -> None:
    gate = dataclasses.replace(promotion.GATE, direction=direction, rule="relative_to_baseline", min_value=None, baseline_factor=factor, baseline_model="reference_model", criteria=())
    baseline = 0.5
    better, worse = (0.9, 0.99) if direction == "minimize" else (1.1, 1.01)
    assert promotion.evaluate_gate(gate, {gate.metric: better * baseline}, None, baseline_score=baseline).passed
    rejected = promotion.evaluate_gate(gate, {gate.metric: worse * baseline}, None, baseline_score=baseline)
    assert not rejected.passed and rejected.checks["threshold"] is False
    # The score the training run records under baseline/<model>/<metric> is used when none is passed.
    assert promotion.evaluate_gate(gate, {gate.metric: better * baseline, gate.baseline_key(): baseline}, None).passed
    # Without a measured baseline a relative gate never passes.
    assert not promotion.evaluate_gate(gate, {gate.metric: better * baseline}, None).passed


def test_a_relative_threshold_on_a_score_bounded_by_one_is_capped_at_one() -> None:
    gate = dataclasses.replace(promotion.GATE, metric="roc_auc", direction="maximize", rule="relative_to_baseline", min_value=None, baseline_factor=1.05, baseline_model="reference_model", criteria=())
    assert gate.threshold(0.5) == pytest.approx(0.525)
    assert gate.threshold(1.0) == 1.0  # a perfect baseline is matched, never exceeded
    assert promotion.evaluate_gate(gate, {"roc_auc": 1.0}, None, baseline_score=1.0).passed
    unbounded = dataclasses.replace(gate, metric="revenue_per_session")
    assert unbounded.threshold(1.0) == pytest.approx(1.05)


def test_absolute_gate_ignores_baseline_scores() -> None:
    gate = dataclasses.replace(promotion.GATE, rule="absolute", min_value=1.0, baseline_factor=None, baseline_model=None, criteria=())
    good = 2.0 if gate.direction == "maximize" else 0.5
    bad = 0.5 if gate.direction == "maximize" else 2.0
    assert promotion.evaluate_gate(gate, {gate.metric: good}, None, baseline_score=100.0).passed
    assert not promotion.evaluate_gate(gate, {gate.metric: bad}, None).passed


def test_promote_and_roll_back_with_the_offline_registry(tmp_path) -> None:
    registry = promotion.LocalRegistry(tmp_path / "registry.json")
    decision = promotion.evaluate_gate(promotion.GATE, _passing_metrics(), None)
    assert decision.passed, decision.reasons
    for version in ("1", "2"):
        promotion.promote(registry, version, "dev", decision)
        promotion.promote(registry, version, "staging", decision)
        promotion.promote(registry, version, "prod", decision)
    assert registry.get_alias(promotion.MODEL_NAME, "prod") == "2"
    assert promotion.rollback(registry, reason="test") == "1"
    assert registry.get_tags(promotion.MODEL_NAME, "2")["rollback_reason"] == "test"


def test_gate_rejects_a_missing_criterion() -> None:
    if not promotion.GATE.criteria:
        pytest.skip("no further criteria for this pipeline")
    metrics = _passing_metrics()
    del metrics[promotion.GATE.criteria[0].name]
    assert not promotion.evaluate_gate(promotion.GATE, metrics, None).passed


def test_gate_rejects_a_candidate_that_does_not_beat_production() -> None:
    metrics = _passing_metrics()
    decision = promotion.evaluate_gate(promotion.GATE, metrics, metrics)
    assert not decision.passed and decision.checks["beats_production"] is False


def test_rollback_script_dry_run() -> None:
    script = ROOT.parent / "scripts" / "rollback_model.sh"
    if not script.exists() or shutil.which("bash") is None:
        pytest.skip("rollback script not in this checkout")
    result = subprocess.run(["bash", str(script), "--dry-run", "--reason", "integration test"], capture_output=True, text=True, check=True)
    assert "rollback" in result.stdout
`;
}

export function qualityPy(spec: ResolvedSpec, plan: PyPlan): string {
  const cases = plan.qualityTests.map((q) => ({ feature: q.feature, kind: q.kind, test: q.test, expectation: q.expectation }));
  const byName = Object.fromEntries(spec.data.features.map((f) => [f.name, { type: f.type, min: f.min ?? null, max: f.max ?? null, categories: f.categories ?? null }]));
  return String.raw`"""Model quality tests (invariance and directional) over every feature of this pipeline.

Each check changes one feature at a time in a copy of the sample frame and scores every copy in a few stacked
prediction calls (support.stacked), so the suite grows with the number of features, not with its square; a
failure lists every feature that broke its expectation.

Directions are recorded from the production model into tests/quality/directions.json (run with
--record-directions) and every candidate must keep them: a flipped sign is a behaviour change to review.
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path
from typing import Any

import pytest

from support import ENTITY_KEY, stacked

CASES: list[dict[str, str]] = ${pyLiteral(cases as unknown as PyValue)}
FEATURES: dict[str, dict[str, Any]] = ${pyLiteral(byName as unknown as PyValue)}
INVARIANCE_TESTS = sorted({c["test"] for c in CASES if c["kind"] == "invariance"})
DIRECTIONAL = [c for c in CASES if c["kind"] == "directional"]
DIRECTIONS = Path(__file__).with_name("directions.json")
TOLERANCE = 0.01
pytestmark = pytest.mark.quality


def _scores(model: Any, frame: Any) -> list[float]:
    """One number per row: P(positive) for binary, the expected class index for multiclass, else predict()."""
    if hasattr(model, "predict_proba"):
        proba = model.predict_proba(frame)
        width = len(proba[0])
        return [float(row[-1]) if width == 2 else float(sum(i * p for i, p in enumerate(row))) for row in proba]
    return [float(v) for v in model.predict(frame)]


def _mean(values: Any) -> float:
    """The mean score of a block; NaN when a score is not finite, which no comparison below accepts."""
    values = [float(v) for v in values]
    return math.fsum(values) / len(values) if all(math.isfinite(v) for v in values) else math.nan


def _means(model: Any, blocks: list[Any]) -> list[float]:
    return [_mean(block) for block in stacked(lambda frame: _scores(model, frame), blocks)]


def _unchanged(mean: float, baseline: float) -> bool:
    """Equal up to rounding: a float32 network may round differently when it scores more rows in one call."""
    return abs(mean - baseline) <= 1e-6 * max(1.0, abs(baseline))


@pytest.fixture(scope="module")
def quality_frame(sample_frame: Any) -> Any:
    """The rows each copy scores: the sample frame, cut to 100,000 cells a copy past 500 features (at least 100 rows)."""
    return sample_frame.head(max(100, min(len(sample_frame), 100_000 // max(1, len(FEATURES)))))


def _assert_kept(cases: list[dict[str, str]], broken: list[str]) -> None:
    assert not broken, f"{len(broken)} of {len(cases)} cases broke their expectation:\n" + "\n".join(broken)


@pytest.mark.parametrize("test", INVARIANCE_TESTS)
def test_invariance(test: str, model: Any, quality_frame: Any) -> None:
    frame = quality_frame
    cases = [c for c in CASES if c["kind"] == "invariance" and c["test"] == test]
    names = [c["feature"] for c in cases]
    if test == "beyond_range_clipped":
        at_max = _means(model, [frame.assign(**{n: FEATURES[n]["max"]}) for n in names])
        beyond = _means(model, [frame.assign(**{n: FEATURES[n]["max"] * 10}) for n in names])
        _assert_kept(cases, [f"{c['expectation']}: mean {b:.6g} beyond, {a:.6g} at max" for c, a, b in zip(cases, at_max, beyond) if not abs(b - a) <= TOLERANCE])
    elif test in ("missing_is_finite", "unseen_category"):
        value = None if test == "missing_is_finite" else "__never_seen__"
        means = _means(model, [frame.assign(**{n: value}) for n in names])
        _assert_kept(cases, [f"{c['expectation']}: a prediction is not finite" for c, m in zip(cases, means) if not math.isfinite(m)])
    elif test in ("whitespace_case", "protected_swap"):
        baseline = _mean(_scores(model, frame))
        if test == "whitespace_case":
            changed = [frame.assign(**{n: frame[n].astype(str).str.upper() + "  "}) for n in names]
        else:
            changed = []
            for n in names:
                values = FEATURES[n]["categories"] or sorted(frame[n].dropna().unique().tolist())
                changed.append(frame.assign(**{n: frame[n].map(lambda v: values[(values.index(v) + 1) % len(values)] if v in values else v)}))
        means = _means(model, changed)
        kept = [abs(m - baseline) <= TOLERANCE if test == "whitespace_case" else _unchanged(m, baseline) for m in means]
        _assert_kept(cases, [f"{c['expectation']}: mean {m:.6g}, unchanged {baseline:.6g}" for c, m, ok in zip(cases, means, kept) if not ok])
    elif test == "row_order_and_key":
        shuffled = frame.sample(frac=1.0, random_state=1).assign(**{ENTITY_KEY: "renamed"})
        assert _unchanged(_mean(_scores(model, shuffled)), _mean(_scores(model, frame))), cases[0]["expectation"]
    else:
        pytest.fail(f"unknown invariance test {test}")


@pytest.mark.skipif(not DIRECTIONAL, reason="no feature of this spec has a directional expectation")
def test_directional(model: Any, quality_frame: Any, expected_directions: dict[str, int], request: pytest.FixtureRequest) -> None:
    frame = quality_frame
    lows, highs = [], []
    for case in DIRECTIONAL:
        name = case["feature"]
        if case["test"] == "flip_sign":
            lows.append(frame.assign(**{name: False}))
            highs.append(frame.assign(**{name: True}))
        else:
            column = frame[name].dropna()
            lows.append(frame.assign(**{name: column.quantile(0.5)}))
            highs.append(frame.assign(**{name: column.quantile(0.95)}))
    signs: dict[str, int] = {}
    for case, low, high in zip(DIRECTIONAL, _means(model, lows), _means(model, highs)):
        delta = high - low
        assert math.isfinite(delta), f"{case['expectation']}: a prediction is not finite"
        signs[case["feature"]] = 0 if abs(delta) <= TOLERANCE else (1 if delta > 0 else -1)
    recorded = json.loads(DIRECTIONS.read_text(encoding="utf-8")) if DIRECTIONS.exists() else {}
    if request.config.getoption("--record-directions", default=False):
        recorded.update(signs)
        DIRECTIONS.write_text(json.dumps(recorded, indent=2, sort_keys=True), encoding="utf-8")
        return
    broken: list[str] = []
    unrecorded: list[str] = []
    built_in, flat = 0, []
    for case in DIRECTIONAL:
        name, sign = case["feature"], signs[case["feature"]]
        if name in recorded:
            if sign not in (recorded[name], 0):
                broken.append(f"{case['expectation']}: sign {sign}, recorded {recorded[name]}")
        elif name in expected_directions:
            # A model trained on sample rows must recover the directions the generator built in: none inverted,
            # and at most a quarter flat (a wide spec's sample model may leave a weak input unused).
            expected = expected_directions[name]
            if expected != 0:
                built_in += 1
                if sign == -expected:
                    broken.append(f"{case['expectation']}: sign {sign}, built into the sample rows {expected}")
                elif sign == 0:
                    flat.append(f"{case['expectation']}: sign 0, built into the sample rows {expected}")
        else:
            unrecorded.append(name)
    if len(flat) * 4 > built_in:
        broken.extend(flat)
    elif flat:
        warnings.warn("flat where the sample rows have a direction: " + "; ".join(flat), stacklevel=1)
    _assert_kept(DIRECTIONAL, broken)
    if unrecorded:
        message = f"no recorded direction for {', '.join(unrecorded)}; run once with --record-directions on the production model"
        if len(unrecorded) == len(DIRECTIONAL):
            pytest.skip(message)
        warnings.warn(message, stacklevel=1)
`;
}

export function performancePy(plan: PyPlan, ml: MlEngineerDecisions): string {
  const b = plan.decisions.budgets;
  return String.raw`"""Performance regression tests against the budgets derived for this pipeline.

predict p99 <= ${b.predict_p99_ms} ms (model inference share of slo.p99_latency_ms), batch >= ${b.batch_rows_per_second} rows/s,
training peak memory <= ${b.training_peak_memory_mb} MB for ${ml.training.sample_rows} rows (checked on a scaled sample).
"""

from __future__ import annotations

import importlib
import statistics
import time
import tracemalloc
from typing import Any

import pytest

from support import PACKAGE, synthetic_rows

PREDICT_P99_MS: float = ${pyLiteral(b.predict_p99_ms)}
BATCH_ROWS_PER_SECOND: int = ${pyLiteral(b.batch_rows_per_second)}
TRAINING_PEAK_MB: int = ${pyLiteral(b.training_peak_memory_mb)}
TRAINING_ROWS: int = ${pyLiteral(ml.training.sample_rows)}
BYTES_PER_ROW: int = ${pyLiteral(plan.bytesPerRow)}
CALLS = 1000
WARMUP = 50

pytestmark = pytest.mark.performance


def p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[98]


def test_p99_helper() -> None:
    assert p99([float(i) for i in range(1, 101)]) == pytest.approx(99.01, abs=0.01)


def test_single_row_predict_p99(model: Any, sample_frame: Any) -> None:
    rows = [sample_frame.iloc[[i % len(sample_frame)]] for i in range(CALLS + WARMUP)]
    timings = []
    for i, row in enumerate(rows):
        started = time.perf_counter()
        model.predict(row)
        if i >= WARMUP:
            timings.append((time.perf_counter() - started) * 1000)
    assert p99(timings) <= PREDICT_P99_MS, f"p99 {p99(timings):.2f} ms > budget {PREDICT_P99_MS} ms"


def test_batch_throughput(model: Any, sample_frame: Any) -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.concat([sample_frame] * max(1, 100_000 // len(sample_frame)), ignore_index=True)
    started = time.perf_counter()
    model.predict(frame)
    rate = len(frame) / (time.perf_counter() - started)
    assert rate >= BATCH_ROWS_PER_SECOND, f"{rate:.0f} rows/s < budget {BATCH_ROWS_PER_SECOND}"


def test_downcast_frame_memory_scales_within_budget() -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    dataio = importlib.import_module(f"{PACKAGE}.dataio")
    rows = 20_000
    tracemalloc.start()
    frame = dataio.downcast(pd.DataFrame(synthetic_rows(rows)))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    per_row = dataio.frame_memory_mb(frame) * 1_000_000 / rows
    # The synthetic key and timestamp strings are longer than production values: allow 2x the planned row size.
    assert per_row <= 2 * BYTES_PER_ROW, f"{per_row:.0f} B/row, plan {BYTES_PER_ROW} B/row"
    assert per_row * TRAINING_ROWS / 1_000_000 <= TRAINING_PEAK_MB
    assert peak > 0
`;
}

/** Unit tests of the sample generator and the ColumnTransformer preprocessor of <pkg>.steps. */
export function unitTrainingStepsPy(): string {
  return String.raw`"""Unit tests of the training steps: the sample generator, the ColumnTransformer preprocessor and the metrics."""

from __future__ import annotations

import importlib
import math

import pytest

from support import ENTITY_KEY, EVENT_TIMESTAMP, FEATURES, PACKAGE, TARGET, stacked

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")
pytest.importorskip("sklearn")
steps = importlib.import_module(f"{PACKAGE}.steps")
sample_data = importlib.import_module(f"{PACKAGE}.sample_data")
pytestmark = pytest.mark.unit

PLAN = steps.feature_plan()
INPUTS = [f for f in FEATURES if not f["protected"]]
# Checked for every such input at once (support.stacked): one transform call per check, not one per feature.
CATEGORICAL = [f for f in PLAN if f["type"] == "categorical"]
CLIPPED = [f for f in PLAN if f["type"] in ("numeric", "integer") and f["outliers"] == "clip_to_range" and f["max"] is not None]


@pytest.fixture(scope="module")
def frame():
    return sample_data.generate(600, seed=11)


@pytest.fixture(scope="module")
def fitted(frame):
    dataset = steps.Dataset(frame=frame, data_version="test")
    return steps.ColumnPreprocessor().fit(dataset)


def test_sample_rows_are_deterministic_and_carry_every_declared_column(frame) -> None:
    again = sample_data.generate(600, seed=11)
    pd.testing.assert_frame_equal(frame, again)
    assert not frame.equals(sample_data.generate(600, seed=12))
    assert {ENTITY_KEY, EVENT_TIMESTAMP, TARGET, *(f["name"] for f in FEATURES)} <= set(frame.columns)
    assert len(sample_data.rows(3)) == 3


@pytest.mark.parametrize("feature", FEATURES, ids=lambda f: f["name"] if isinstance(f, dict) else "none")
def test_sample_values_stay_inside_the_declared_contract(frame, feature: dict) -> None:
    column = frame[feature["name"]]
    present = column.dropna()
    if not feature["nullable"]:
        assert len(present) == len(column)
    if feature["type"] in ("numeric", "integer"):
        values = present.astype(float)
        if feature["min"] is not None:
            assert values.min() >= feature["min"]
        if feature["max"] is not None:
            assert values.max() <= feature["max"]
    if feature["type"] == "categorical" and feature["categories"]:
        assert set(present) <= set(feature["categories"])


def test_sample_target_is_not_constant(frame) -> None:
    assert frame[TARGET].nunique() > 1


def test_one_transformer_per_model_input() -> None:
    transformer = steps.column_transformer(PLAN)
    names = [name for name, _, _ in transformer.transformers]
    assert len([n for n in names if not n.endswith("_missing")]) == len(PLAN) == len(INPUTS)
    assert sum(1 for n in names if n.endswith("_missing")) == sum(1 for f in PLAN if f["missing_indicator"] and f["type"] != "timestamp")


def test_fit_returns_a_new_fitted_step_and_the_unfitted_one_refuses_to_transform(frame, fitted) -> None:
    unfitted = steps.ColumnPreprocessor()
    assert fitted is not unfitted
    with pytest.raises(RuntimeError):
        unfitted.transform(frame)


def test_transform_is_finite_and_keeps_the_raw_rows(frame, fitted) -> None:
    matrix = fitted.transform(frame)
    assert matrix.shape[0] == len(frame) and matrix.shape[1] >= len(PLAN)
    assert np.isfinite(np.asarray(matrix)).all()
    assert matrix.raw is frame


def test_all_missing_inputs_still_encode_to_finite_values(frame, fitted) -> None:
    blank = frame.assign(**{f["name"]: None for f in INPUTS})
    assert np.isfinite(np.asarray(fitted.transform(blank))).all()


@pytest.mark.skipif(not CATEGORICAL, reason="no categorical model input")
def test_unseen_categories_are_ignored_and_case_and_whitespace_do_not_matter(frame, fitted) -> None:
    head = frame.head(50)
    reference = np.asarray(fitted.transform(head))
    unseen = stacked(fitted.transform, [frame.head(5).assign(**{f["name"]: "__never_seen__"}) for f in CATEGORICAL])
    assert [f["name"] for f, m in zip(CATEGORICAL, unseen) if not np.isfinite(m).all()] == []
    shouted = stacked(fitted.transform, [head.assign(**{f["name"]: head[f["name"]].map(lambda v: v if v is None else "  " + str(v).upper() + " ")}) for f in CATEGORICAL])
    assert [f["name"] for f, m in zip(CATEGORICAL, shouted) if not np.allclose(m, reference)] == []


@pytest.mark.skipif(not CLIPPED, reason="no model input is clipped to a declared maximum")
def test_values_beyond_the_declared_range_encode_like_the_bound(frame, fitted) -> None:
    head = frame.head(20)
    at_max = stacked(fitted.transform, [head.assign(**{f["name"]: f["max"]}) for f in CLIPPED])
    beyond = stacked(fitted.transform, [head.assign(**{f["name"]: f["max"] * 10 + 1}) for f in CLIPPED])
    assert [f["name"] for f, a, b in zip(CLIPPED, at_max, beyond) if not np.allclose(a, b)] == []


def test_metrics_score_a_perfect_and_a_constant_prediction() -> None:
    y = np.array([0, 0, 1, 1, 0, 1])
    assert steps.metric_value("roc_auc", "binary_classification", y, y.astype(float)) == 1.0
    assert steps.metric_value("roc_auc", "binary_classification", y, np.full(6, 0.5)) == 0.5
    assert steps.metric_value("rmse", "regression", np.array([1.0, 3.0]), np.array([2.0, 2.0])) == 1.0
    assert math.isclose(steps.metric_value("wape", "forecasting", np.array([10.0, 10.0]), np.array([9.0, 11.0])), 0.1)
    assert steps.metric_value("macro_f1", "multiclass_classification", np.array([0, 1, 2]), np.array([0, 1, 2])) == 1.0
    relevance, scores = np.array([3, 0, 1, 0]), np.array([0.9, 0.1, 0.5, 0.0])
    assert math.isclose(steps.metric_value("ndcg_at_10", "ranking", relevance, scores), 1.0)
    assert steps.metric_value("ndcg_at_10", "ranking", relevance, -scores) < 1.0
    with pytest.raises(steps.UnknownMetric):
        steps.metric_value("no_such_metric", "regression", y, y)
`;
}

/** The end-to-end training run on sample rows (shared with the quality and performance layers through conftest). */
export function integrationTrainingPy(): string {
  return String.raw`"""Integration test of the whole training run on sample rows: HPO, cross-validation, ensemble, references, and
the ONE pickled artifact (model.pkl + model_card.json) that serving loads.
"""

from __future__ import annotations

import importlib
import math
import pickle

import pytest

from support import FEATURES, PACKAGE, ROOT, synthetic_frame

pytestmark = pytest.mark.integration


def test_training_on_sample_rows_beats_the_trivial_baseline(sample_training) -> None:
    card = sample_training["card"]
    metric, baseline = card["metric"], card["baseline"]
    assert baseline["model"] and baseline["value"] is not None, card
    assert math.isfinite(metric["cv_mean"]), card
    if metric["direction"] == "maximize":
        assert metric["cv_mean"] > baseline["value"], card
    else:
        assert metric["cv_mean"] < baseline["value"], card
    assert baseline["beaten"] is True
    assert card["features"] == [f["name"] for f in FEATURES if not f["protected"]]
    assert card["versions"]["scikit-learn"]


def test_the_artifact_predicts_from_raw_feature_columns(sample_training) -> None:
    with open(sample_training["dir"] / "model.pkl", "rb") as handle:
        model = pickle.load(handle)
    frame = synthetic_frame(50, seed=99)
    raw = frame[list(model.feature_names)]
    predictions = model.predict(raw)
    assert len(predictions) == 50
    if sample_training["card"]["problem_type"] in ("binary_classification", "multiclass_classification"):
        proba = model.predict_proba(raw)
        assert proba.shape == (50, len(sample_training["card"]["classes"]))
        assert all(math.isclose(sum(row), 1.0, rel_tol=1e-6) for row in proba)
        assert set(predictions.tolist()) <= set(sample_training["card"]["classes"])
    else:
        assert all(math.isfinite(float(v)) for v in predictions)
    # A pickled round trip predicts the same.
    assert (pickle.loads(pickle.dumps(model)).predict(raw) == predictions).all()


def test_the_run_measures_every_promotion_gate_criterion(sample_training) -> None:
    config = importlib.import_module(f"{PACKAGE}.training.config").load_config(ROOT / "configs" / "training.yaml")
    metrics = sample_training["card"]["metrics"]
    for criterion in config.registry.gate.criteria:
        assert criterion.name in metrics, (criterion.name, sorted(metrics))
        assert math.isfinite(float(metrics[criterion.name])), (criterion.name, metrics[criterion.name])


def test_the_launcher_environment_decides_rank_world_and_shares() -> None:
    distributed = importlib.import_module(f"{PACKAGE}.training.distributed")
    assert not distributed.from_env({}).enabled
    ctx = distributed.from_env({"RANK": "1", "WORLD_SIZE": "4", "LOCAL_RANK": "1"})
    assert (ctx.rank, ctx.world_size, ctx.local_rank, ctx.launcher) == (1, 4, 1, "torchrun")
    assert distributed.from_env({"HOROVOD_RANK": "0", "HOROVOD_SIZE": "2"}).launcher == "horovod"
    with pytest.raises(ValueError, match="outside the world"):
        distributed.from_env({"RANK": "4", "WORLD_SIZE": "4"})
    trials = distributed.DistributedContext(rank=0, world_size=3, mode="trial_parallel")
    shares = [distributed.trial_share(10, distributed.DistributedContext(rank=r, world_size=3, mode="trial_parallel")) for r in range(3)]
    assert shares == [4, 3, 3] and distributed.trial_share(10, trials) == 4
    data = [distributed.row_share(10, distributed.DistributedContext(rank=r, world_size=3, mode="data_parallel")) for r in range(3)]
    assert data == [slice(0, 3), slice(3, 6), slice(6, 9)]  # equal shares: the same optimiser steps everywhere
    assert distributed.mode_for(["gradient_boosting"], 2) == "trial_parallel"
    assert distributed.mode_for(["gradient_boosting", "neural_network"], 2) == "data_parallel"
    assert distributed.mode_for(["neural_network"], 1) == "single"


def test_calibration_error_is_the_weighted_gap_between_score_and_observed_rate() -> None:
    steps = importlib.import_module(f"{PACKAGE}.steps")
    assert steps.expected_calibration_error([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]) == pytest.approx(0.0)
    assert steps.expected_calibration_error([0, 1, 0, 1], [0.9, 0.9, 0.9, 0.9]) == pytest.approx(0.4)
    assert steps.expected_calibration_error([0, 0, 1, 1], [0.05, 0.05, 0.95, 0.95]) == pytest.approx(0.05)


def test_the_worst_slice_is_compared_with_the_whole(monkeypatch) -> None:
    import numpy as np
    import pandas as pd

    steps = importlib.import_module(f"{PACKAGE}.steps")
    monkeypatch.setattr(steps, "slice_columns", lambda: ["segment"])
    frame = pd.DataFrame({"segment": ["a"] * 40 + ["b"] * 40 + ["tiny"] * 5})
    y = np.arange(85, dtype="float64")
    pred = y.copy()
    pred[:40] += 1.0  # slice a is off by 1, slice b by 3, the overall MAE is (40 + 120 + 5) / 85
    pred[40:80] += 3.0
    pred[80:] += 1.0
    ratio, measured = steps.worst_slice_ratio("mae", "regression", "minimize", y, pred, frame)
    assert measured == 2  # "tiny" has fewer rows than a slice needs
    assert ratio == pytest.approx((165 / 85) / 3.0)
    ratio, _ = steps.worst_slice_ratio("mae", "regression", "minimize", y, y, frame)
    assert ratio == 1.0
`;
}
