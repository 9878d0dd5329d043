import type { MlPlan } from '../derive.js';

/**
 * ml/src/<pkg>/steps.py: the concrete steps the training entrypoint loads by default (<pkg>.steps:build_steps):
 * loader, ColumnTransformer preprocessor from the data scientist's feature decisions, one trainer per algorithm
 * family, evaluator of the primary metric, averaging ensembler, and the one pickled serving artifact
 * (model.pkl + model_card.json). Nothing spec-specific is interpolated: it reads training.config,
 * training.interfaces, features.transform and sample_data at runtime.
 */
export function stepsPy(plan: MlPlan): string {
  return String.raw`"""Concrete training steps of ${plan.pkg} (the default --steps ${plan.pkg}.steps:build_steps).

- loader: data.features_uri as CSV/parquet, or generated rows when it is sample[:ROWS] (sample_data.generate);
- preprocessor: a scikit-learn ColumnTransformer per declared feature, as features/transform.py decided (numeric:
  impute median, clip to the declared range or winsorize, log1p, standard/robust scale; categorical: one-hot with
  unknown values ignored, target or learned encoding; boolean 0/1; text TF-IDF; timestamps hour/weekday cycles);
- trainers per family: gradient_boosting (xgboost, else HistGradientBoosting), random_forest, linear,
  isolation_forest, factorization (TruncatedSVD factors + linear head), neural_network/two_tower (scikit-learn MLP),
  statistical_forecast (ridge on features + weekday/trend terms); reference models seasonal_naive and popularity;
- evaluator: the primary metric by the data scientist's name, secondaries where computable;
- ensembler: the average of the members' predictions;
- package/save_model: ONE pickled ServingModel with predict(frame) over raw feature columns (predict_proba for
  classification) and model_card.json.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import platform
import re
import sys
import time
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from . import sample_data
from .training.config import TrainingConfig
from .training.hpo import Param
from .training.interfaces import ENTITY_KEY, EVENT_TIMESTAMP, FEATURES, TARGET, Dataset, EvaluationResult

try:  # the data scientist's per-feature decisions (transform, imputation, outliers, missing indicator)
    from .features.transform import FEATURES as FEATURE_DECISIONS
except ImportError:  # pragma: no cover - the bundle always ships it; a bare package falls back to the types
    FEATURE_DECISIONS = []

log = logging.getLogger(__name__)

MISSING = "__missing__"
TEXT_MAX_FEATURES = 300
TARGET_SMOOTHING = 20.0
CLASSIFICATION = ("binary_classification", "multiclass_classification")
# Problem types whose member models predict one score per row where higher means "more positive / more relevant".
SCORING = ("binary_classification", "anomaly_detection", "recommendation")
GROUPED = ("ranking", "recommendation")
DEFAULT_METRIC = {
    "binary_classification": "roc_auc",
    "multiclass_classification": "macro_f1",
    "regression": "rmse",
    "ranking": "ndcg_at_10",
    "forecasting": "wape",
    "anomaly_detection": "pr_auc",
    "recommendation": "recall_at_20",
}
DEFAULT_TRANSFORM = {"numeric": "standard_scale", "integer": "standard_scale", "categorical": "one_hot", "boolean": "binary", "text": "tfidf", "timestamp": "cyclical"}
TIME_PARTS = ("hour_sin", "hour_cos", "dow_sin", "dow_cos", "age_days")
# Sample runs (tests, demo): search ranges capped so a trial fits in a fraction of a second on a laptop.
QUICK_SOLVER_EPOCHS = 100
QUICK_CAPS = {"n_estimators": 80, "iterations": 10, "factors": 16, "max_samples": 512, "hidden_units": 64, "embedding_dim": 32, "num_layers": 2, "max_depth": 6}


# ---------------------------------------------------------------- feature plan and frame preparation


def feature_plan() -> list[dict[str, Any]]:
    """One entry per model input: its declared type and range with the data scientist's transform decisions."""
    declared = {f["name"]: f for f in sample_data.FEATURES}
    decided = {f["name"]: f for f in FEATURE_DECISIONS}
    plan = []
    for name in FEATURES:
        spec = declared.get(name, {"type": "numeric"})
        decision = decided.get(name, {})
        kind = spec.get("type", "numeric")
        plan.append(
            {
                "name": name,
                "type": kind,
                "min": spec.get("min"),
                "max": spec.get("max"),
                "categories": spec.get("categories"),
                "transform": decision.get("transform", DEFAULT_TRANSFORM.get(kind, "standard_scale")),
                "imputation": decision.get("imputation", "none"),
                "outliers": decision.get("outliers", "none"),
                "missing_indicator": bool(decision.get("missing_indicator", False)),
            }
        )
    return plan


def normalise_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT:
        return MISSING
    return " ".join(str(value).split()).lower()


def _to_flag(value: Any) -> float:
    if isinstance(value, (bool, np.bool_)):
        return float(value)
    if isinstance(value, (int, float, np.integer, np.floating)) and not (isinstance(value, float) and math.isnan(value)):
        return 1.0 if value else 0.0
    text = normalise_text(value)
    if text in ("true", "1", "yes", "y", "t"):
        return 1.0
    if text in ("false", "0", "no", "n", "f"):
        return 0.0
    return float("nan")


def prepare_frame(frame: Any, plan: Sequence[Mapping[str, Any]]) -> Any:
    """Raw rows -> typed columns the ColumnTransformer encodes: numbers as float (declared range clipped when the
    outlier strategy is clip_to_range), categories and text normalised (case, whitespace, missing), booleans as 0/1,
    timestamps as hour / day-of-week cycles and age in days before the event."""
    out: dict[str, Any] = {}
    rows = len(frame)
    timed = any(f["type"] == "timestamp" for f in plan)
    event = pd.to_datetime(frame[EVENT_TIMESTAMP], utc=True, errors="coerce") if timed and EVENT_TIMESTAMP in frame else None
    for f in plan:
        name, kind = f["name"], f["type"]
        column = frame[name] if name in frame else pd.Series([None] * rows, index=frame.index, dtype=object)
        if kind in ("numeric", "integer"):
            try:
                values = np.asarray(column, dtype="float64")  # fast path: numbers, None and NaN
            except (TypeError, ValueError):
                values = pd.to_numeric(column.astype(object).where(column.notna(), np.nan), errors="coerce").to_numpy(dtype="float64")
            if f["outliers"] == "clip_to_range" and f["min"] is not None and f["max"] is not None:
                values = np.clip(values, float(f["min"]), float(f["max"]))
            elif f["min"] is not None and f["transform"] == "log1p_scale":
                values = np.maximum(values, float(f["min"]))
            out[name] = values
        elif kind == "boolean":
            out[name] = np.array([_to_flag(v) for v in column], dtype="float64")
        elif kind == "timestamp":
            moments = pd.to_datetime(column, utc=True, errors="coerce")
            hours = (moments.dt.hour + moments.dt.minute / 60.0).to_numpy(dtype="float64")
            weekday = moments.dt.dayofweek.to_numpy(dtype="float64")
            out[f"{name}__hour_sin"] = np.sin(2 * np.pi * hours / 24.0)
            out[f"{name}__hour_cos"] = np.cos(2 * np.pi * hours / 24.0)
            out[f"{name}__dow_sin"] = np.sin(2 * np.pi * weekday / 7.0)
            out[f"{name}__dow_cos"] = np.cos(2 * np.pi * weekday / 7.0)
            age = ((event - moments).dt.total_seconds() / 86_400.0).clip(lower=0.0) if event is not None else pd.Series(np.nan, index=frame.index)
            out[f"{name}__age_days"] = age.to_numpy(dtype="float64")
        elif kind == "text":
            out[name] = np.array(["" if normalise_text(v) == MISSING else normalise_text(v) for v in column], dtype=object)
        else:
            out[name] = np.array([normalise_text(v) for v in column], dtype=object)
    return pd.DataFrame(out, index=frame.index)


# ---------------------------------------------------------------- small fitted transformers (picklable, version-proof)


try:
    from sklearn.base import BaseEstimator, TransformerMixin
except ImportError:  # pragma: no cover
    BaseEstimator = TransformerMixin = object  # type: ignore[assignment,misc]


class MedianImputer(BaseEstimator, TransformerMixin):
    """Median per column; an all-missing column gets 0 instead of being dropped (shape stays stable)."""

    def fit(self, X: Any, y: Any = None) -> "MedianImputer":
        matrix = np.asarray(X, dtype="float64")
        with np.errstate(all="ignore"):
            medians = np.nanmedian(np.where(np.isnan(matrix).all(axis=0), 0.0, matrix), axis=0) if matrix.size else np.zeros(matrix.shape[1])
        self.medians_ = np.nan_to_num(np.atleast_1d(medians))
        return self

    def transform(self, X: Any) -> Any:
        matrix = np.array(X, dtype="float64")
        mask = np.isnan(matrix)
        matrix[mask] = np.take(self.medians_, np.nonzero(mask)[1])
        return matrix


class MissingFlag(BaseEstimator, TransformerMixin):
    """1.0 where the value is missing (the missing_indicator decision), 0.0 elsewhere."""

    def fit(self, X: Any, y: Any = None) -> "MissingFlag":
        return self

    def transform(self, X: Any) -> Any:
        return np.isnan(np.asarray(X, dtype="float64")).astype("float64")


class QuantileClipper(BaseEstimator, TransformerMixin):
    """Winsorises each column to its fitted [low, high] quantiles (outlier strategy winsorize_p01_p99)."""

    def __init__(self, low: float = 0.01, high: float = 0.99) -> None:
        self.low = low
        self.high = high

    def fit(self, X: Any, y: Any = None) -> "QuantileClipper":
        matrix = np.asarray(X, dtype="float64")
        self.bounds_ = np.nanquantile(matrix, [self.low, self.high], axis=0)
        return self

    def transform(self, X: Any) -> Any:
        return np.clip(np.asarray(X, dtype="float64"), self.bounds_[0], self.bounds_[1])


class Log1p(BaseEstimator, TransformerMixin):
    def fit(self, X: Any, y: Any = None) -> "Log1p":
        return self

    def transform(self, X: Any) -> Any:
        return np.log1p(np.maximum(np.asarray(X, dtype="float64"), 0.0))


class TargetMeanEncoder(BaseEstimator, TransformerMixin):
    """Smoothed mean of the (numeric) target per category; unseen and missing values get the prior."""

    def __init__(self, smoothing: float = TARGET_SMOOTHING) -> None:
        self.smoothing = smoothing

    def fit(self, X: Any, y: Any = None) -> "TargetMeanEncoder":
        values = np.asarray(X, dtype=object).reshape(len(X), -1)[:, 0]
        target = pd.to_numeric(pd.Series(np.asarray(y if y is not None else np.zeros(len(values)))), errors="coerce").fillna(0.0).to_numpy()
        self.prior_ = float(target.mean()) if len(target) else 0.0
        stats = pd.DataFrame({"v": values, "y": target}).groupby("v")["y"].agg(["sum", "count"])
        self.encoding_ = {k: (s + self.prior_ * self.smoothing) / (c + self.smoothing) for k, s, c in zip(stats.index, stats["sum"], stats["count"])}
        return self

    def transform(self, X: Any) -> Any:
        values = np.asarray(X, dtype=object).reshape(len(X), -1)[:, 0]
        return np.array([[self.encoding_.get(v, self.prior_)] for v in values], dtype="float64")


def one_hot(categories: Any = "auto") -> Any:
    """OneHotEncoder with unknown values ignored and dense output (sparse vs sparse_output by scikit-learn version)."""
    from sklearn.preprocessing import OneHotEncoder

    try:
        return OneHotEncoder(categories=categories, handle_unknown="ignore", sparse_output=False)
    except TypeError:  # scikit-learn < 1.2
        return OneHotEncoder(categories=categories, handle_unknown="ignore", sparse=False)


def column_transformer(plan: Sequence[Mapping[str, Any]]) -> Any:
    """The ColumnTransformer over prepare_frame() columns, one entry per feature as the data scientist decided."""
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import RobustScaler, StandardScaler

    entries: list[tuple[str, Any, Any]] = []
    for index, f in enumerate(plan):
        name, kind, transform = f["name"], f["type"], f["transform"]
        label = f"{index}_" + re.sub("_+", "_", name)  # ColumnTransformer names must not contain "__"
        if f["missing_indicator"] and kind != "timestamp":
            entries.append((f"{label}_missing", MissingFlag(), [name]))
        if kind in ("numeric", "integer"):
            steps: list[tuple[str, Any]] = [("impute", MedianImputer())]
            if "winsor" in str(f["outliers"]):
                steps.append(("clip", QuantileClipper()))
            if transform == "log1p_scale":
                steps.append(("log1p", Log1p()))
            steps.append(("scale", RobustScaler() if transform == "robust_scale" else StandardScaler()))
            entries.append((label, Pipeline(steps), [name]))
        elif kind == "boolean":
            entries.append((label, MedianImputer(), [name]))
        elif kind == "timestamp":
            entries.append((label, Pipeline([("impute", MedianImputer()), ("scale", StandardScaler())]), [f"{name}__{part}" for part in TIME_PARTS]))
        elif kind == "text":
            entries.append((label, TfidfVectorizer(max_features=TEXT_MAX_FEATURES, ngram_range=(1, 2), lowercase=True, dtype=np.float64), name))
        elif transform == "target_encode":
            entries.append((label, TargetMeanEncoder(), [name]))
        else:  # one_hot with the declared categories (plus missing), hash_encode / undeclared: categories learned
            declared = [normalise_text(c) for c in (f["categories"] or [])]
            categories: Any = [sorted(set(declared + [MISSING]))] if declared else "auto"
            entries.append((label, one_hot(categories), [name]))
    return ColumnTransformer(entries, remainder="drop", sparse_threshold=0.0)


class Encoded(np.ndarray):
    """The encoded matrix; .raw keeps the raw rows (entity key, event time) for grouped metrics and seasonal models."""

    raw: Any = None

    def __array_finalize__(self, obj: Any) -> None:
        self.raw = getattr(obj, "raw", None)


def encoded(matrix: Any, frame: Any) -> Encoded:
    dense = matrix.toarray() if hasattr(matrix, "toarray") else matrix
    out = np.asarray(dense, dtype="float64").view(Encoded)
    out.raw = frame
    return out


class FittedPreprocessor:
    """prepare_frame + the fitted ColumnTransformer; transform() takes raw rows."""

    def __init__(self, plan: Sequence[Mapping[str, Any]], transformer: Any) -> None:
        self.plan = list(plan)
        self.transformer = transformer

    def fit(self, dataset: Dataset) -> "FittedPreprocessor":
        return ColumnPreprocessor(self.plan).fit(dataset)

    def transform(self, frame: Any) -> Encoded:
        return encoded(self.apply(prepare_frame(frame, self.plan)), frame)

    def apply(self, prepared: Any) -> Any:
        """ColumnTransformer.transform without its per-call dispatch overhead (single-row latency): the fitted
        transformers in order, outputs stacked exactly as ColumnTransformer would."""
        parts = []
        for name, transformer, columns in self.transformer.transformers_:
            if name == "remainder" or transformer == "drop":
                continue
            block = prepared[columns].to_numpy(dtype="float64") if transformer == "passthrough" else transformer.transform(prepared[columns])
            block = block.toarray() if hasattr(block, "toarray") else np.asarray(block, dtype="float64")
            parts.append(block.reshape(len(prepared), -1))
        return np.hstack(parts) if parts else np.zeros((len(prepared), 0))

    def output_names(self) -> list[str]:
        try:
            return [str(n) for n in self.transformer.get_feature_names_out()]
        except Exception:  # noqa: BLE001 - custom transformers without names on old scikit-learn
            return []


class ColumnPreprocessor:
    """Preprocessor step: fit() returns a new FittedPreprocessor (fold-safe: the unfitted step is never mutated)."""

    def __init__(self, plan: Sequence[Mapping[str, Any]] | None = None) -> None:
        self.plan = list(plan) if plan is not None else feature_plan()

    def fit(self, dataset: Dataset) -> FittedPreprocessor:
        frame = dataset.frame
        target = frame[dataset.target] if dataset.target in frame else None
        transformer = column_transformer(self.plan)
        transformer.fit(prepare_frame(frame, self.plan), None if target is None else _numeric_target(target))
        return FittedPreprocessor(self.plan, transformer)

    def transform(self, frame: Any) -> Any:
        raise RuntimeError("fit the preprocessor first: ColumnPreprocessor.fit(dataset) returns the fitted one")


def _numeric_target(target: Any) -> Any:
    values = pd.Series(np.asarray(target))
    numeric = pd.to_numeric(values, errors="coerce")
    if numeric.notna().all():
        return numeric.to_numpy(dtype="float64")
    return pd.Series(pd.factorize(values, sort=True)[0], dtype="float64").to_numpy()


# ---------------------------------------------------------------- member models


def _labels(target: Any) -> tuple[Any, Any]:
    classes, codes = np.unique(np.asarray(target), return_inverse=True)
    return classes, codes


class MemberModel:
    """A fitted estimator with the prediction the evaluator scores: P(positive) for binary and recommendation, an
    anomaly score for anomaly detection, the class label for multiclass, the value for regression and forecasting,
    a relevance score for ranking."""

    def __init__(self, estimator: Any, problem: str, classes: Any = None, kind: str = "supervised", calendar: bool = False, log_target: bool = False) -> None:
        self.estimator = estimator
        self.problem = problem
        self.classes_ = classes
        self.kind = kind
        self.calendar = calendar
        self.log_target = log_target

    def _inputs(self, features: Any) -> Any:
        matrix = np.asarray(features, dtype="float64")
        return np.hstack([matrix, calendar_features(getattr(features, "raw", None), len(matrix))]) if self.calendar else matrix

    def predict_proba(self, features: Any) -> Any:
        matrix = self._inputs(features)
        proba = self.estimator.predict_proba(matrix)
        fitted = list(getattr(self.estimator, "classes_", range(proba.shape[1])))
        out = np.zeros((len(matrix), len(self.classes_)))
        for column, code in enumerate(fitted):
            out[:, int(code)] = proba[:, column]
        return out

    def predict(self, features: Any) -> Any:
        if self.kind == "isolation":
            return -self.estimator.score_samples(self._inputs(features))
        if self.problem == "multiclass_classification":
            return self.classes_[np.argmax(self.predict_proba(features), axis=1)]
        if self.classes_ is not None:
            return self.predict_proba(features)[:, -1]
        values = self.estimator.predict(self._inputs(features))
        return np.expm1(values) if self.log_target else values


def calendar_features(raw: Any, rows: int) -> Any:
    """Day-of-week one-hot and a linear trend (days since 2000-01-01) from the event time, zeros without it."""
    out = np.zeros((rows, 8))
    if raw is None or EVENT_TIMESTAMP not in raw:
        return out
    moments = pd.to_datetime(raw[EVENT_TIMESTAMP], utc=True, errors="coerce")
    weekday = moments.dt.dayofweek.fillna(0).to_numpy(dtype=int)
    out[np.arange(rows), weekday] = 1.0
    out[:, 7] = ((moments - pd.Timestamp("2000-01-01", tz="UTC")).dt.days.fillna(0).to_numpy(dtype="float64")) / 365.0
    return out


def _xgboost() -> Any:
    try:
        import xgboost
    except ImportError:
        return None
    return xgboost


def make_estimator(family: str, problem: str, params: Mapping[str, Any], rows: int, seed: int) -> tuple[Any, str]:
    """The estimator of one algorithm family with tuned parameters; returns (estimator, kind)."""
    p = dict(params)
    classify = problem in CLASSIFICATION or problem in ("recommendation", "anomaly_detection")
    if family == "isolation_forest":
        from sklearn.ensemble import IsolationForest

        return IsolationForest(
            n_estimators=int(p.get("n_estimators", 100)),
            max_samples=max(2, min(int(p.get("max_samples", 256)), rows)),
            contamination=float(p.get("contamination", 0.05)),
            max_features=float(p.get("max_features", 1.0)),
            random_state=seed,
            n_jobs=1,
        ), "isolation"
    if family == "gradient_boosting":
        xgb = _xgboost()
        if xgb is not None:
            keep = {k: p[k] for k in ("learning_rate", "max_depth", "n_estimators", "subsample", "colsample_bytree", "min_child_weight", "reg_lambda") if k in p}
            if problem == "binary_classification" and "scale_pos_weight" in p:
                keep["scale_pos_weight"] = p["scale_pos_weight"]
            cls = xgb.XGBClassifier if classify else xgb.XGBRegressor
            return cls(**keep, tree_method="hist", random_state=seed, n_jobs=1, verbosity=0), "supervised"
        from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

        cls = HistGradientBoostingClassifier if classify else HistGradientBoostingRegressor
        return cls(
            learning_rate=float(p.get("learning_rate", 0.1)),
            max_depth=int(p["max_depth"]) if "max_depth" in p else None,
            max_iter=int(p.get("n_estimators", 100)),
            l2_regularization=float(p.get("reg_lambda", 0.0)),
            min_samples_leaf=max(1, int(float(p.get("min_child_weight", 20)))),
            random_state=seed,
        ), "supervised"
    if family == "random_forest":
        from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

        cls = RandomForestClassifier if classify else RandomForestRegressor
        return cls(
            n_estimators=int(p.get("n_estimators", 100)),
            max_depth=int(p["max_depth"]) if "max_depth" in p else None,
            min_samples_leaf=int(p.get("min_samples_leaf", 1)),
            max_features=float(p.get("max_features", 1.0)),
            random_state=seed,
            n_jobs=1,
        ), "supervised"
    if family == "linear":
        from sklearn.linear_model import ElasticNet, Lasso, LogisticRegression, Ridge

        c = float(p.get("C", 1.0))
        penalty = str(p.get("penalty", "l2"))
        if classify:
            extra = {"l1_ratio": float(p.get("l1_ratio", 0.5))} if penalty == "elasticnet" else {}
            return LogisticRegression(C=c, penalty=penalty, solver="saga", max_iter=int(p.get("max_iter", 1000)), class_weight=p.get("class_weight"), random_state=seed, **extra), "supervised"
        if penalty == "l1":
            return Lasso(alpha=1.0 / c, max_iter=5000, random_state=seed), "supervised"
        if penalty == "elasticnet":
            return ElasticNet(alpha=1.0 / c, l1_ratio=float(p.get("l1_ratio", 0.5)), max_iter=5000, random_state=seed), "supervised"
        return Ridge(alpha=1.0 / c), "supervised"
    if family == "factorization":
        # Low-rank latent factors of the encoded user/item features (TruncatedSVD), then a linear model on them.
        from sklearn.linear_model import LogisticRegression, Ridge
        from sklearn.pipeline import Pipeline

        reg = float(p.get("regularization", 0.01))
        head = LogisticRegression(C=1.0 / reg, max_iter=2000, class_weight={0: 1.0, 1: 1.0 + math.log(float(p.get("alpha", 1.0)))} if problem != "multiclass_classification" else None) if classify else Ridge(alpha=reg)
        return Pipeline([("factors", FactorSvd(int(p.get("factors", 16)), int(p.get("iterations", 5)), seed)), ("head", head)]), "supervised"
    if family in ("neural_network", "two_tower") and _torch_available():
        return TorchMLP(
            width=int(p.get("hidden_units", p.get("embedding_dim", 64))),
            depth=int(p.get("num_layers", 2)),
            learning_rate=float(p.get("learning_rate", 0.001)),
            weight_decay=float(p.get("weight_decay", p.get("regularization", 0.0001))),
            batch_size=min(int(p.get("batch_size", 256)), max(1, rows)),
            epochs=int(p.get("epochs", TORCH_EPOCHS)),
            classify=classify,
            seed=seed,
        ), "supervised"
    if family in ("neural_network", "two_tower"):
        # Without torch: a scikit-learn MLP with the tuned width, depth and decay (single process only).
        from sklearn.compose import TransformedTargetRegressor
        from sklearn.neural_network import MLPClassifier, MLPRegressor
        from sklearn.preprocessing import StandardScaler

        width = int(p.get("hidden_units", p.get("embedding_dim", 64)))
        depth = int(p.get("num_layers", 2))
        args = {
            "hidden_layer_sizes": (width,) * max(1, depth),
            "learning_rate_init": float(p.get("learning_rate", 0.001)),
            "alpha": float(p.get("weight_decay", p.get("regularization", 0.0001))),
            "batch_size": min(int(p.get("batch_size", 256)), max(1, rows)),
            "max_iter": 80,
            "random_state": seed,
        }
        if classify:
            return MLPClassifier(**args), "supervised"
        return TransformedTargetRegressor(regressor=MLPRegressor(**args), transformer=StandardScaler()), "supervised"
    if family == "statistical_forecast":
        from sklearn.linear_model import Ridge

        return Ridge(alpha=1.0 / max(1e-6, float(p.get("seasonality_prior_scale", 1.0)))), "calendar"
    raise ValueError(f"no trainer for algorithm family {family!r}")


TORCH_EPOCHS = 30


def _torch_available() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


class TorchMLP:
    """Feed-forward network in torch with a scikit-learn face (fit, predict, predict_proba, classes_).

    In a data-parallel run (torchrun, training/distributed.py) each process fits on its equal share of the rows
    inside DistributedDataParallel: gradients are averaged every step and the replicas stay identical. Classification
    learns class codes 0..k-1 (cross-entropy), regression a standardised target (mean squared error).
    """

    def __init__(self, width: int = 64, depth: int = 2, learning_rate: float = 0.001, weight_decay: float = 0.0001, batch_size: int = 256, epochs: int = TORCH_EPOCHS, classify: bool = False, seed: int = 42) -> None:
        self.width, self.depth, self.learning_rate, self.weight_decay = width, depth, learning_rate, weight_decay
        self.batch_size, self.epochs, self.classify, self.seed = batch_size, epochs, classify, seed

    def _network(self, inputs: int, outputs: int) -> Any:
        from torch import nn

        layers: list[Any] = []
        width = inputs
        for _ in range(max(1, self.depth)):
            layers += [nn.Linear(width, self.width), nn.ReLU()]
            width = self.width
        layers.append(nn.Linear(width, outputs))
        return nn.Sequential(*layers)

    def fit(self, X: Any, y: Any) -> "TorchMLP":
        import torch

        from .training import distributed

        torch.manual_seed(self.seed)
        matrix = torch.as_tensor(np.asarray(X, dtype="float32"))
        if self.classify:
            self.classes_ = np.unique(np.asarray(y))
            target = torch.as_tensor(np.searchsorted(self.classes_, np.asarray(y)), dtype=torch.long)
            outputs = len(self.classes_)
            loss_fn: Any = torch.nn.CrossEntropyLoss()
        else:
            values = np.asarray(y, dtype="float64")
            self.mean_, self.scale_ = float(values.mean()), float(values.std() or 1.0)
            target = torch.as_tensor(((values - self.mean_) / self.scale_).astype("float32")).unsqueeze(1)
            outputs = 1
            loss_fn = torch.nn.MSELoss()
        self.network_ = self._network(matrix.shape[1], outputs)
        model = distributed.wrap(self.network_)
        optimiser = torch.optim.Adam(model.parameters(), lr=self.learning_rate, weight_decay=self.weight_decay)
        generator = torch.Generator().manual_seed(self.seed)
        rows = distributed.row_share(len(matrix))
        for _ in range(self.epochs):
            # The same permutation in every process; each takes its own equal slice of it.
            order = torch.randperm(len(matrix), generator=generator)[rows]
            for start in range(0, len(order), self.batch_size):
                batch = order[start : start + self.batch_size]
                optimiser.zero_grad()
                loss = loss_fn(model(matrix[batch]), target[batch])
                loss.backward()
                optimiser.step()
        self.network_.eval()
        return self

    def _forward(self, X: Any) -> Any:
        import torch

        with torch.no_grad():
            return self.network_(torch.as_tensor(np.asarray(X, dtype="float32"))).numpy()

    def predict_proba(self, X: Any) -> Any:
        import torch

        return torch.softmax(torch.as_tensor(self._forward(X)), dim=1).numpy().astype("float64")

    def predict(self, X: Any) -> Any:
        if self.classify:
            return self.classes_[np.argmax(self._forward(X), axis=1)]
        return self._forward(X)[:, 0].astype("float64") * self.scale_ + self.mean_


class FactorSvd(BaseEstimator, TransformerMixin):
    """TruncatedSVD that tolerates narrow inputs (fewer columns than factors)."""

    def __init__(self, factors: int = 16, iterations: int = 5, seed: int = 42) -> None:
        self.factors = factors
        self.iterations = iterations
        self.seed = seed

    def fit(self, X: Any, y: Any = None) -> "FactorSvd":
        from sklearn.decomposition import TruncatedSVD

        width = np.asarray(X).shape[1]
        self.svd_ = TruncatedSVD(n_components=min(self.factors, width - 1), n_iter=max(1, self.iterations), random_state=self.seed).fit(X) if width > 2 else None
        return self

    def transform(self, X: Any) -> Any:
        return self.svd_.transform(X) if self.svd_ is not None else np.asarray(X, dtype="float64")


class FamilyTrainer:
    """Trainer step of one ensemble member (its family from training.yaml)."""

    def __init__(self, name: str, family: str, problem: str, seed: int = 42) -> None:
        self.name = name
        self.family = family
        self.problem = problem
        self.seed = seed

    def fit(self, features: Any, target: Any, params: Mapping[str, Any]) -> MemberModel:
        matrix = np.asarray(features, dtype="float64")
        y = np.asarray(target)
        estimator, kind = make_estimator(self.family, self.problem, params, len(matrix), self.seed)
        classify = kind == "supervised" and (self.problem in CLASSIFICATION or self.problem in ("recommendation", "anomaly_detection"))
        if kind == "isolation":
            estimator.fit(matrix)
            return MemberModel(estimator, self.problem, kind=kind)
        if kind == "calendar":
            multiplicative = params.get("seasonality_mode") == "multiplicative"
            values = pd.to_numeric(pd.Series(y), errors="coerce").fillna(0.0).to_numpy()
            inputs = np.hstack([matrix, calendar_features(getattr(features, "raw", None), len(matrix))])
            estimator.fit(inputs, np.log1p(np.maximum(values, 0.0)) if multiplicative else values)
            return MemberModel(estimator, self.problem, kind=kind, calendar=True, log_target=multiplicative)
        if classify:
            classes, codes = _labels(y)
            if len(classes) < 2:
                from sklearn.dummy import DummyClassifier

                estimator = DummyClassifier(strategy="prior")
            estimator.fit(matrix, codes)
            return MemberModel(estimator, self.problem, classes=classes)
        estimator.fit(matrix, pd.to_numeric(pd.Series(y), errors="coerce").fillna(0.0).to_numpy())
        return MemberModel(estimator, self.problem)


# ---------------------------------------------------------------- reference models that need the raw rows


class LookupModel:
    def __init__(self, table: Mapping[Any, float], by_entity: Mapping[Any, float], default: float, key: str) -> None:
        self.table = dict(table)
        self.by_entity = dict(by_entity)
        self.default = default
        self.key = key

    def predict(self, features: Any) -> Any:
        raw = getattr(features, "raw", None)
        rows = len(features)
        if raw is None:
            return np.full(rows, self.default)
        keys = _keys(raw, self.key)
        entities = raw[ENTITY_KEY].tolist() if ENTITY_KEY in raw else [None] * rows
        return np.array([self.table.get(k, self.by_entity.get(e, self.default)) for k, e in zip(keys, entities)], dtype="float64")


def _keys(raw: Any, key: str) -> list[Any]:
    if key == "seasonal":
        moments = pd.to_datetime(raw[EVENT_TIMESTAMP], utc=True, errors="coerce") if EVENT_TIMESTAMP in raw else None
        entities = raw[ENTITY_KEY].tolist() if ENTITY_KEY in raw else [None] * len(raw)
        weekdays = moments.dt.dayofweek.tolist() if moments is not None else [None] * len(raw)
        return list(zip(entities, weekdays))
    return [normalise_text(v) for v in raw[key]] if key in raw else [None] * len(raw)


class SeasonalNaive:
    """Forecasting reference: the last training value of the same entity on the same weekday."""

    name = "seasonal_naive"

    def fit(self, features: Any, target: Any, params: Mapping[str, Any]) -> LookupModel:
        raw = getattr(features, "raw", None)
        values = pd.to_numeric(pd.Series(np.asarray(target)), errors="coerce").to_numpy(dtype="float64")
        default = float(np.nanmean(values)) if len(values) else 0.0
        if raw is None:
            return LookupModel({}, {}, default, "seasonal")
        order = np.argsort(pd.to_datetime(raw[EVENT_TIMESTAMP], utc=True, errors="coerce").to_numpy(), kind="stable") if EVENT_TIMESTAMP in raw else np.arange(len(values))
        keys = _keys(raw, "seasonal")
        table = {keys[i]: values[i] for i in order}
        entities = raw[ENTITY_KEY].tolist() if ENTITY_KEY in raw else [None] * len(values)
        by_entity = pd.Series(values).groupby(pd.Series(entities)).mean().to_dict()
        return LookupModel(table, by_entity, default, "seasonal")


class Popularity:
    """Ranking / recommendation reference: mean target of the row's value of the first categorical input (how popular
    the item's category is); a constant without categorical inputs."""

    def __init__(self, name: str = "popularity") -> None:
        self.name = name

    def fit(self, features: Any, target: Any, params: Mapping[str, Any]) -> LookupModel:
        values = _numeric_target(target)
        default = float(values.mean()) if len(values) else 0.0
        column = next((f["name"] for f in feature_plan() if f["type"] == "categorical"), None)
        raw = getattr(features, "raw", None)
        if column is None or raw is None:
            return LookupModel({}, {}, default, "")
        table = pd.Series(values).groupby(pd.Series(_keys(raw, column))).mean().to_dict()
        return LookupModel(table, {}, default, column)


class RandomScores:
    name = "random"

    def fit(self, features: Any, target: Any, params: Mapping[str, Any]) -> Any:
        return RandomModel()


class RandomModel:
    def predict(self, features: Any) -> Any:
        return np.random.default_rng(0).random(len(features))


def reference_trainer(name: str, problem: str) -> Any:
    """A trainer for an upstream baseline candidate named in free words."""
    words = name.lower()
    if re.search(r"seasonal|naive|last[-_ ]?value|moving[-_ ]?average", words):
        return SeasonalNaive()
    if re.search(r"popular", words):
        return Popularity(name)
    if re.search(r"random", words):
        return RandomScores()
    return None


# ---------------------------------------------------------------- metrics and evaluator


def _binary_truth(y: Any) -> Any:
    values = pd.Series(np.asarray(y))
    numeric = pd.to_numeric(values, errors="coerce")
    if numeric.notna().all():
        return (numeric.to_numpy(dtype="float64") > 0.5).astype(int)
    top = sorted(values.astype(str).unique())[-1]
    return (values.astype(str) == top).to_numpy().astype(int)


def _groups(features: Any, rows: int) -> Any:
    raw = getattr(features, "raw", None)
    if raw is not None and ENTITY_KEY in raw:
        return raw[ENTITY_KEY].to_numpy()
    return np.zeros(rows)


def _per_group(y: Any, scores: Any, groups: Any, fn: Any) -> float:
    values = []
    for g in pd.unique(groups):
        mask = groups == g
        value = fn(np.asarray(y, dtype="float64")[mask], np.asarray(scores, dtype="float64")[mask])
        if value is not None and math.isfinite(value):
            values.append(value)
    return float(np.mean(values)) if values else float("nan")


def _ndcg(k: int) -> Any:
    def fn(rel: Any, scores: Any) -> float | None:
        order = np.argsort(-scores, kind="stable")[:k]
        discounts = 1.0 / np.log2(np.arange(2, len(order) + 2))
        ideal = np.sort(rel)[::-1][:k]
        best = float(((2**ideal - 1) * discounts[: len(ideal)]).sum())
        return None if best <= 0 else float(((2 ** rel[order] - 1) * discounts).sum()) / best

    return fn


def _recall(k: int) -> Any:
    def fn(rel: Any, scores: Any) -> float | None:
        positives = (rel > 0).sum()
        return None if positives == 0 else float((rel[np.argsort(-scores, kind="stable")[:k]] > 0).sum() / positives)

    return fn


def _precision(k: int) -> Any:
    def fn(rel: Any, scores: Any) -> float | None:
        top = rel[np.argsort(-scores, kind="stable")[:k]]
        return float((top > 0).mean()) if len(top) else None

    return fn


def _average_precision(k: int) -> Any:
    def fn(rel: Any, scores: Any) -> float | None:
        hits = (rel[np.argsort(-scores, kind="stable")[:k]] > 0).astype(float)
        positives = min(int((rel > 0).sum()), k)
        if positives == 0:
            return None
        return float((np.cumsum(hits) / np.arange(1, len(hits) + 1) * hits).sum() / positives)

    return fn


def _mrr(rel: Any, scores: Any) -> float | None:
    hits = np.nonzero(rel[np.argsort(-scores, kind="stable")] > 0)[0]
    return None if len(hits) == 0 else 1.0 / (hits[0] + 1)


class UnknownMetric(KeyError):
    pass


def metric_value(name: str, problem: str, y: Any, predictions: Any, features: Any = None, model: Any = None) -> float:
    """One metric by the name the data scientist used (roc_auc, pr_auc, macro_f1, rmse, wape, ndcg_at_10, ...)."""
    from sklearn import metrics

    pred = np.asarray(predictions)
    if name in ("rmse", "mse", "mae", "r2", "mape", "wape", "bias_pct", "smape"):
        truth = pd.to_numeric(pd.Series(np.asarray(y)), errors="coerce").to_numpy(dtype="float64")
        p = pred.astype("float64")
        error = p - truth
        if name == "rmse":
            return float(np.sqrt(np.mean(error**2)))
        if name == "mse":
            return float(np.mean(error**2))
        if name == "mae":
            return float(np.mean(np.abs(error)))
        if name == "r2":
            return float(metrics.r2_score(truth, p))
        if name == "mape":
            nonzero = truth != 0
            return float(np.mean(np.abs(error[nonzero] / truth[nonzero]))) if nonzero.any() else float("nan")
        if name == "smape":
            return float(np.mean(2 * np.abs(error) / np.maximum(np.abs(truth) + np.abs(p), 1e-12)))
        total = float(np.abs(truth).sum()) or 1.0
        return float(np.abs(error).sum() / total) if name == "wape" else float(100.0 * error.sum() / total)
    if name in ("accuracy", "macro_f1", "weighted_f1", "micro_f1", "balanced_accuracy"):
        truth = np.asarray(y)
        labels = pred if problem == "multiclass_classification" else (pred >= 0.5).astype(int)
        if problem != "multiclass_classification":
            truth = _binary_truth(truth)
        elif truth.dtype != labels.dtype:
            truth, labels = truth.astype(str), labels.astype(str)
        if name == "accuracy":
            return float(metrics.accuracy_score(truth, labels))
        if name == "balanced_accuracy":
            return float(metrics.balanced_accuracy_score(truth, labels))
        return float(metrics.f1_score(truth, labels, average=name.split("_")[0], zero_division=0))
    if name == "log_loss" and problem == "multiclass_classification":
        if model is None or not hasattr(model, "predict_proba"):
            raise UnknownMetric(name)
        proba = model.predict_proba(features)
        classes = list(getattr(model, "classes_", range(proba.shape[1])))
        return float(metrics.log_loss(np.asarray(y), np.clip(proba, 1e-7, 1 - 1e-7), labels=classes))
    grouped = problem in GROUPED
    match = re.fullmatch(r"(ndcg|map|recall|precision|hit_rate)_at_(\d+)", name)
    if match and (grouped or match.group(1) in ("precision", "recall")) and not name.startswith("recall_at_precision") and not name.startswith("recall_at_fpr"):
        kind, k = match.group(1), int(match.group(2))
        rel = pd.to_numeric(pd.Series(np.asarray(y)), errors="coerce").fillna(0.0).to_numpy()
        fn = {"ndcg": _ndcg, "map": _average_precision, "recall": _recall, "precision": _precision, "hit_rate": _recall}[kind](k)
        groups = _groups(features, len(rel)) if grouped else np.zeros(len(rel))
        if kind == "hit_rate":
            return _per_group(rel, pred, groups, lambda r, s: None if (r > 0).sum() == 0 else float((r[np.argsort(-s, kind="stable")[:k]] > 0).any()))
        return _per_group(rel, pred, groups, fn)
    if name == "mrr":
        rel = pd.to_numeric(pd.Series(np.asarray(y)), errors="coerce").fillna(0.0).to_numpy()
        return _per_group(rel, pred, _groups(features, len(rel)) if grouped else np.zeros(len(rel)), _mrr)
    truth = _binary_truth(y)
    scores = pred.astype("float64")
    if len(np.unique(truth)) < 2 and name in ("roc_auc", "pr_auc", "recall_at_fpr_1pct"):
        return float("nan")
    if name in ("roc_auc", "auc"):
        return float(metrics.roc_auc_score(truth, scores))
    if name in ("pr_auc", "average_precision"):
        return float(metrics.average_precision_score(truth, scores))
    if name == "log_loss":
        return float(metrics.log_loss(truth, np.clip(scores, 1e-7, 1 - 1e-7), labels=[0, 1]))
    if name in ("brier_score", "brier"):
        return float(np.mean((np.clip(scores, 0, 1) - truth) ** 2))
    match = re.fullmatch(r"recall_at_precision_(\d+)", name)
    if match:
        precision, recall, _ = metrics.precision_recall_curve(truth, scores)
        ok = precision >= int(match.group(1)) / 100.0
        return float(recall[ok].max()) if ok.any() else 0.0
    match = re.fullmatch(r"recall_at_fpr_(\d+)pct", name)
    if match:
        fpr, tpr, _ = metrics.roc_curve(truth, scores)
        ok = fpr <= int(match.group(1)) / 100.0
        return float(tpr[ok].max()) if ok.any() else 0.0
    raise UnknownMetric(name)


class MetricEvaluator:
    """Evaluator step: the primary metric (under its configured name) and every secondary metric it can compute."""

    def __init__(self, problem: str, primary: str, secondary: Sequence[str] = ()) -> None:
        self.problem = problem
        self.primary = primary
        self.secondary = [m for m in secondary if m != primary]

    def evaluate(self, model: Any, features: Any, target: Any) -> EvaluationResult:
        predictions = model.predict(features)
        y = np.asarray(target)
        out: dict[str, float] = {}
        try:
            out[self.primary] = metric_value(self.primary, self.problem, y, predictions, features, model)
        except UnknownMetric:
            fallback = DEFAULT_METRIC.get(self.problem, "rmse")
            log.warning("metric %s is not implemented; scoring %s under its name", self.primary, fallback)
            out[self.primary] = metric_value(fallback, self.problem, y, predictions, features, model)
        for name in self.secondary:
            try:
                out[name] = metric_value(name, self.problem, y, predictions, features, model)
            except (UnknownMetric, ValueError, TypeError):
                continue
        return EvaluationResult(metrics=out, rows=len(y))

    def gate_metrics(self, folds: Sequence[Any], config: TrainingConfig) -> dict[str, float]:
        """The promotion gate's slice, calibration and bias criteria on the candidate's pooled out-of-fold rows."""
        wanted = {c.name: c for c in config.registry.gate.criteria}
        frame = pd.concat([f.frame for f in folds], ignore_index=True)
        y = np.concatenate([np.asarray(f.target) for f in folds])
        pred = np.concatenate([np.asarray(f.predictions) for f in folds])
        out: dict[str, float] = {}
        ratio = f"{self.primary}_worst_slice_ratio"
        if ratio in wanted:
            value, measured = worst_slice_ratio(self.primary, self.problem, config.metric.direction, y, pred, frame)
            out[ratio] = value
            out[f"{self.primary}_slices_measured"] = float(measured)
        if "expected_calibration_error" in wanted and self.problem == "binary_classification":
            out["expected_calibration_error"] = expected_calibration_error(_binary_truth(y), pred)
        bias = [c for c in config.registry.gate.criteria if c.source == "bias"]
        if bias and config.data.protected_attributes:
            out.update(bias_metrics(bias, self.problem, y, pred, frame, config.data.protected_attributes, config.problem.positive_rate))
        return out


class _Rows:
    """Raw rows where metric_value expects encoded features (it only reads .raw, for per-query grouping)."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw


# A slice is measured when it has this many rows and, for ranking-type binary metrics, this many of each class.
SLICE_MIN_ROWS = 30
SLICE_MIN_CLASS = 10
PAIRWISE_METRICS = ("roc_auc", "auc", "pr_auc", "average_precision")


def slice_columns() -> list[str]:
    return [f["name"] for f in feature_plan() if f["type"] in ("categorical", "boolean")]


def worst_slice_ratio(metric: str, problem: str, direction: str, y: Any, pred: Any, frame: Any) -> tuple[float, int]:
    """min over the values of every categorical/boolean input of slice metric / overall metric (overall / slice for
    metrics where lower is better), so 1.0 means no segment is worse than the whole. Slices too small to measure are
    left out; with none measured the ratio is 1.0 and the count says so. Average precision depends on the share of
    positives, which differs between slices, so it is compared as (AP - share) / (1 - share)."""

    def value_of(truth: Any, scores: Any, rows: Any) -> float:
        value = metric_value(metric, problem, truth, scores, _Rows(rows))
        if metric in ("pr_auc", "average_precision"):
            share = float(_binary_truth(truth).mean())
            return (value - share) / (1.0 - share) if share < 1.0 else float("nan")
        return value

    try:
        overall = value_of(y, pred, frame)
    except (UnknownMetric, ValueError, TypeError):
        return float("nan"), 0
    if not math.isfinite(overall):
        return float("nan"), 0
    worst, measured = 1.0, 0
    truth = _binary_truth(y) if metric in PAIRWISE_METRICS else None
    for column in slice_columns():
        if column not in frame:
            continue
        keys = frame[column].astype(str).where(frame[column].notna(), MISSING).to_numpy()
        for key in pd.unique(keys):
            mask = keys == key
            if mask.sum() < SLICE_MIN_ROWS:
                continue
            if truth is not None and min(int(truth[mask].sum()), int((1 - truth[mask]).sum())) < SLICE_MIN_CLASS:
                continue
            try:
                value = value_of(y[mask], pred[mask], frame[mask])
            except (UnknownMetric, ValueError, TypeError):
                continue
            if not math.isfinite(value):
                continue
            if direction == "maximize":
                ratio = value / overall if overall > 0 else 1.0
            else:
                ratio = overall / value if value > 0 else 1.0
            worst = min(worst, ratio)
            measured += 1
    return float(worst), measured


def expected_calibration_error(truth: Any, scores: Any, bins: int = 10) -> float:
    """Weighted mean |observed rate - mean score| over equal-width score bins (scores clipped to [0, 1])."""
    p = np.clip(np.asarray(scores, dtype="float64"), 0.0, 1.0)
    t = np.asarray(truth, dtype="float64")
    if len(p) == 0:
        return float("nan")
    index = np.minimum((p * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        mask = index == b
        if mask.any():
            total += abs(float(t[mask].mean()) - float(p[mask].mean())) * int(mask.sum())
    return total / len(p)


def bias_metrics(criteria: Sequence[Any], problem: str, y: Any, pred: Any, frame: Any, attributes: Sequence[str], positive_rate: float | None) -> dict[str, float]:
    """Worst value over the protected attributes of each bias criterion (features/validation.py's check_bias).

    Decisions: binary at the served 0.5 threshold; anomaly detection flags the top positive_rate share (1 % when
    unset); multiclass is measured one class against the rest, keeping the worst class."""
    from .features.validation import check_bias

    groups = {a: frame[a].tolist() for a in attributes if a in frame}
    if not groups:
        return {}
    runs: list[tuple[Any, Any]] = []
    if problem == "binary_classification":
        runs.append(((np.asarray(pred, dtype="float64") >= 0.5).astype(int), _binary_truth(y)))
    elif problem == "anomaly_detection":
        scores = np.asarray(pred, dtype="float64")
        cut = np.quantile(scores, 1.0 - (positive_rate or 0.01))
        runs.append(((scores >= cut).astype(int), _binary_truth(y)))
    elif problem == "multiclass_classification":
        labels, truth = np.asarray(pred).astype(str), np.asarray(y).astype(str)
        for cls in sorted(set(truth)):
            runs.append(((labels == cls).astype(int), (truth == cls).astype(int)))
    else:
        runs.append((np.asarray(pred, dtype="float64"), pd.to_numeric(pd.Series(np.asarray(y)), errors="coerce").fillna(0.0).to_numpy()))
    worst: dict[str, float] = {}
    bounds = {c.name: c.bound for c in criteria}
    for predictions, labels in runs:
        for row in check_bias(list(predictions), list(labels), groups):
            name = row["metric"]
            if name not in bounds:
                continue
            value = float(row["value"])
            if name not in worst:
                worst[name] = value
            else:
                worst[name] = min(worst[name], value) if bounds[name] == "at_least" else max(worst[name], value)
    return worst


# ---------------------------------------------------------------- ensemble and the served artifact


class AverageEnsemble:
    """Ensembler output: the mean of the members' predictions (class probabilities for multiclass)."""

    def __init__(self, members: Sequence[Any], problem: str) -> None:
        self.members = list(members)
        self.problem = problem
        self.classes_ = getattr(self.members[0], "classes_", None)

    def predict_proba(self, features: Any) -> Any:
        return np.mean([m.predict_proba(features) for m in self.members], axis=0)

    def predict(self, features: Any) -> Any:
        if self.problem == "multiclass_classification":
            return self.classes_[np.argmax(self.predict_proba(features), axis=1)]
        return np.mean([np.asarray(m.predict(features), dtype="float64") for m in self.members], axis=0)


class MeanEnsembler:
    """Ensembler step. Whatever method training.yaml names (stacking, voting, weighted), the sample build averages."""

    def __init__(self, method: str, problem: str) -> None:
        self.method = method
        self.problem = problem

    def combine(self, members: Sequence[tuple[str, Any, EvaluationResult]]) -> AverageEnsemble:
        return AverageEnsemble([m for _, m, _ in members], self.problem)


class ServingModel:
    """The one pickled artifact: predict(frame) over the RAW feature columns (all transformations inside).

    feature_names lists the input columns; ENTITY_KEY and EVENT_TIMESTAMP are optional context (seasonal models and
    timestamp ages use the event time when present). predict returns values for regression and forecasting, a
    relevance or interaction score for ranking and recommendation, an anomaly score (higher = more anomalous).
    """

    def __init__(self, preprocessor: FittedPreprocessor, model: Any, problem_type: str, metadata: Mapping[str, Any]) -> None:
        self.preprocessor = preprocessor
        self.model = model
        self.problem_type = problem_type
        self.feature_names = list(FEATURES)
        self.target = TARGET
        self.metadata = dict(metadata)

    def _encode(self, frame: Any) -> Encoded:
        if not isinstance(frame, pd.DataFrame):
            frame = pd.DataFrame(frame)
        return self.preprocessor.transform(frame)

    def predict(self, frame: Any) -> Any:
        return np.asarray(self.model.predict(self._encode(frame)))


class ServingClassifier(ServingModel):
    """Classification artifact: predict() returns class labels, predict_proba() one column per class in classes_."""

    @property
    def classes_(self) -> Any:
        return self.model.classes_

    def predict_proba(self, frame: Any) -> Any:
        encoded_rows = self._encode(frame)
        if self.problem_type == "multiclass_classification":
            return np.asarray(self.model.predict_proba(encoded_rows))
        positive = np.clip(np.asarray(self.model.predict(encoded_rows), dtype="float64"), 0.0, 1.0)
        return np.column_stack([1.0 - positive, positive])

    def predict(self, frame: Any) -> Any:
        proba = self.predict_proba(frame)
        return np.asarray(self.classes_)[np.argmax(proba, axis=1)]


# ---------------------------------------------------------------- the steps factory and the sample run


def build_steps(config: TrainingConfig, rows: int | None = None, seed: int = 7) -> dict[str, Any]:
    """Loader, preprocessor, trainers (members and references), evaluator, ensembler and package(result)."""
    problem = config.problem.type
    trainers: dict[str, Any] = {m.name: FamilyTrainer(m.name, m.family, problem, config.hpo.seed) for m in config.hpo.members}
    references = list(config.ensemble.baselines) + ([config.registry.gate.baseline_model] if config.registry.gate.baseline_model else [])
    for name in references:
        if name not in trainers:
            trainer = reference_trainer(name, problem)
            if trainer is not None:
                trainers[name] = trainer
    return {
        "loader": FrameLoader(config, rows=rows, seed=seed),
        "preprocessor": ColumnPreprocessor(),
        "trainers": trainers,
        "evaluator": MetricEvaluator(problem, config.metric.primary, config.metric.secondary),
        "ensembler": MeanEnsembler(config.ensemble.method, problem),
        "package": lambda result: package(result, config),
    }


class FrameLoader:
    """Loader step: a CSV or parquet file/URI from data.features_uri, or the sample generator when it is sample[:ROWS]."""

    def __init__(self, config: TrainingConfig, rows: int | None = None, seed: int = 7) -> None:
        self.config = config
        self.rows = rows
        self.seed = seed

    def load(self, data_version: str) -> Dataset:
        uri = self.config.data.features_uri
        if uri == "sample" or uri.startswith("sample:"):
            count = int(uri.partition(":")[2] or self.rows or 2000)
            frame = sample_data.generate(count, self.seed)
        elif uri.endswith(".csv") or self.config.data.format == "csv":
            frame = pd.read_csv(uri)
        else:
            frame = pd.read_parquet(uri)
        if EVENT_TIMESTAMP in frame:
            frame[EVENT_TIMESTAMP] = pd.to_datetime(frame[EVENT_TIMESTAMP], utc=True, errors="coerce")
        return Dataset(frame=frame.reset_index(drop=True), data_version=data_version, group_key=self.config.cross_validation.group_key)


def sample_config(config: TrainingConfig, rows: int = 2000, trials: int = 3, folds: int = 3) -> TrainingConfig:
    """The configuration shrunk to a sample run: generated rows, few trials, in-memory HPO storage, few folds."""
    replace = dataclasses.replace
    return replace(
        config,
        data=replace(config.data, features_uri=f"sample:{rows}", format="sample", min_rows=min(config.data.min_rows, rows), sample_rows=rows, trial_rows=rows),
        cross_validation=replace(config.cross_validation, folds=max(2, min(folds, config.cross_validation.folds))),
        hpo=replace(
            config.hpo,
            storage="",
            parallel_trials=1,
            trials=trials * len(config.hpo.members),
            members=[replace(m, trials=max(1, min(trials, m.trials)), timeout_minutes=2) for m in config.hpo.members],
        ),
        tracking=replace(config.tracking, backend="local"),
    )


def quick_spaces(spaces: Mapping[str, Sequence[Param]]) -> dict[str, list[Param]]:
    """Search spaces with the costliest ranges capped (QUICK_CAPS) for sample runs."""
    out: dict[str, list[Param]] = {}
    for member, params in spaces.items():
        capped = []
        for p in params:
            cap = QUICK_CAPS.get(p.name)
            if cap is not None and p.high is not None and p.low is not None and p.high > cap:
                p = dataclasses.replace(p, high=float(max(p.low, cap)))
            capped.append(p)
        # saga on sparse TF-IDF runs to its 1,000-epoch limit on weakly regularised trials; sample rows need far fewer.
        if any(p.name == "C" for p in capped) and all(p.name != "max_iter" for p in capped):
            capped.append(Param("max_iter", "int", low=QUICK_SOLVER_EPOCHS, high=QUICK_SOLVER_EPOCHS))
        out[member] = capped
    return out


def trivial_value(result: Any) -> tuple[str | None, float | None]:
    name = getattr(result, "trivial_baseline", None)
    if name is None or name not in result.baseline_scores:
        return None, None
    return name, float(result.baseline_scores[name])


def package(result: Any, config: TrainingConfig) -> ServingModel:
    cls = ServingClassifier if config.problem.type in CLASSIFICATION else ServingModel
    metadata = {"metric": config.metric.primary, "direction": config.metric.direction, "metrics": dict(result.metrics), "best_params": dict(result.best_params)}
    return cls(result.preprocessor, result.model, config.problem.type, metadata)


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in ("numpy", "pandas", "sklearn", "xgboost", "optuna"):
        module = sys.modules.get(name)
        if module is None:
            try:
                module = __import__(name)
            except ImportError:
                continue
        out["scikit-learn" if name == "sklearn" else name] = str(getattr(module, "__version__", "unknown"))
    return out


def model_card(result: Any, config: TrainingConfig, model: ServingModel) -> dict[str, Any]:
    primary = config.metric.primary
    value = float(result.metrics[f"cv/{primary}/mean"])
    baseline_name, baseline = trivial_value(result)
    better = None
    if baseline is not None and math.isfinite(value) and math.isfinite(baseline):
        better = value > baseline if config.metric.direction == "maximize" else value < baseline
    return {
        "model_name": config.registry.model_name,
        "problem_type": config.problem.type,
        "target": config.problem.target,
        "features": list(model.feature_names),
        "context_columns": [ENTITY_KEY, EVENT_TIMESTAMP],
        "encoded_columns": model.preprocessor.output_names(),
        "classes": [c.item() if hasattr(c, "item") else c for c in getattr(model, "classes_", [])] if config.problem.type in CLASSIFICATION else None,
        "metric": {"name": primary, "direction": config.metric.direction, "cv_mean": value, "folds": config.cross_validation.folds},
        "baseline": {"model": baseline_name, "value": baseline, "beaten": better},
        "reference_scores": dict(result.baseline_scores),
        "members": [m.name for m in config.hpo.members],
        "best_params": result.best_params,
        "metrics": result.metrics,
        "tags": result.tags,
        "minutes": result.minutes,
        "versions": _versions(),
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def save_model(result: Any, config: TrainingConfig, output_dir: str | Path, model: ServingModel | None = None) -> dict[str, Any]:
    """Writes <output_dir>/model.pkl (one pickled ServingModel) and <output_dir>/model_card.json; returns the card."""
    import pickle

    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    model = model if model is not None else package(result, config)
    with open(out / "model.pkl", "wb") as handle:
        pickle.dump(model, handle, protocol=pickle.HIGHEST_PROTOCOL)
    card = model_card(result, config, model)
    (out / "model_card.json").write_text(json.dumps(card, indent=2, sort_keys=True, default=str), encoding="utf-8")
    return card


def train_sample(output_dir: str | Path, rows: int = 2000, trials: int = 3, folds: int = 3, seed: int = 7, config: TrainingConfig | None = None) -> dict[str, Any]:
    """End to end on generated rows: sample config, quick search spaces, local tracker; returns the model card."""
    from .training.config import load_config
    from .training.hpo import load_search_spaces
    from .training.pipeline import run_training
    from .training.tracking import make_tracker

    try:
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
    except ImportError:  # pragma: no cover
        pass
    cfg = sample_config(config or load_config(), rows=rows, trials=trials, folds=folds)
    steps = build_steps(cfg, rows=rows, seed=seed)
    spaces = quick_spaces(load_search_spaces(Path(__file__).resolve().parents[2] / cfg.hpo.search_space_file))
    tracker = make_tracker(backend="local", local_dir=str(Path(output_dir) / "tracking"))
    result = run_training(cfg, steps["loader"], steps["preprocessor"], steps["trainers"], steps["evaluator"], steps["ensembler"], tracker, spaces, f"sample-{rows}-{seed}", "sample")
    return save_model(result, cfg, output_dir)
`;
}
