import { pyLiteral, type PyValue } from '../../../generators/serializers/python.js';
import type { ResolvedSpec } from '../../../spec/resolve.js';
import type { MlPlan } from '../derive.js';
import type { TrainingConfigFile } from '../config.js';

// Python sources of ml/src/<pkg>/training/. Every spec value goes through pyLiteral; the code only needs the
// standard library at import time (numpy, scikit-learn, optuna, ray and the tracking SDKs are imported lazily).

export function trainingInitPy(spec: ResolvedSpec): string {
  return String.raw`"""Training pipeline of ${spec.name.replace(/"/g, '')}: interfaces, typed configuration, HPO, tracking and the run loop."""

from .config import TrainingConfig, load_config
from .interfaces import DataLoader, Dataset, Ensembler, EvaluationResult, Evaluator, Model, Preprocessor, Trainer

__all__ = [
    "DataLoader",
    "Dataset",
    "Ensembler",
    "EvaluationResult",
    "Evaluator",
    "Model",
    "Preprocessor",
    "Trainer",
    "TrainingConfig",
    "load_config",
]
`;
}

export function interfacesPy(spec: ResolvedSpec, plan: MlPlan): string {
  const features = plan.volume.features.map((f) => f.name);
  return String.raw`"""Interfaces of the training pipeline: one Protocol per step (load, preprocess, train, evaluate, ensemble).

Each step can be replaced or tested alone; pipeline.run_training only talks to these Protocols.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Protocol, Sequence, runtime_checkable

# A pandas.DataFrame (or pyarrow.Table) at runtime; typed as Any so this module imports without pandas.
Frame = Any
Vector = Any

TARGET: str = ${pyLiteral(spec.problem.target)}
ENTITY_KEY: str = ${pyLiteral(spec.data.entity_key)}
EVENT_TIMESTAMP: str = ${pyLiteral(spec.data.event_timestamp)}
# Model inputs, in order; protected attributes are excluded here and used only by the bias checks.
FEATURES: tuple[str, ...] = tuple(${pyLiteral(features)})


@dataclass(frozen=True)
class Dataset:
    """Rows of one data version with the columns the pipeline needs."""

    frame: Frame
    data_version: str
    target: str = TARGET
    feature_names: tuple[str, ...] = FEATURES
    group_key: str | None = None

    def rows(self) -> int:
        return int(len(self.frame))

    def missing_columns(self) -> list[str]:
        present = set(getattr(self.frame, "columns", ()))
        wanted = [*self.feature_names, self.target]
        return [c for c in wanted if c not in present]


@dataclass(frozen=True)
class EvaluationResult:
    """Metric values of one model on one data split."""

    metrics: Mapping[str, float]
    rows: int = 0
    extras: Mapping[str, Any] = field(default_factory=dict)

    def value(self, name: str) -> float:
        if name not in self.metrics:
            raise KeyError(f"metric {name!r} was not computed; available: {sorted(self.metrics)}")
        return float(self.metrics[name])


@runtime_checkable
class DataLoader(Protocol):
    """Reads the training window of one data version (a DVC revision or lakeFS commit)."""

    def load(self, data_version: str) -> Dataset: ...


@runtime_checkable
class Preprocessor(Protocol):
    """Feature transformations fitted on the training fold only (no leakage into validation folds)."""

    def fit(self, dataset: Dataset) -> "Preprocessor": ...

    def transform(self, frame: Frame) -> Frame: ...


@runtime_checkable
class Model(Protocol):
    def predict(self, features: Frame) -> Vector: ...


@runtime_checkable
class Trainer(Protocol):
    """Fits one algorithm family with given hyper-parameters."""

    name: str

    def fit(self, features: Frame, target: Vector, params: Mapping[str, Any]) -> Model: ...


@runtime_checkable
class Evaluator(Protocol):
    """Computes the primary and secondary metrics of a model on labelled rows."""

    def evaluate(self, model: Model, features: Frame, target: Vector) -> EvaluationResult: ...


@runtime_checkable
class Ensembler(Protocol):
    """Combines the refitted members into one model."""

    method: str

    def combine(self, members: Sequence[tuple[str, Model, EvaluationResult]]) -> Model: ...
`;
}

/** config.py: dataclasses mirroring ml/configs/training.yaml, with a strict loader (unknown keys are errors). */
export function configPy(config: TrainingConfigFile): string {
  return String.raw`"""Typed configuration of the training pipeline (mirrors ml/configs/training.yaml).

load_config() reads JSON with the standard library, YAML when PyYAML is installed, or takes a dict; unknown or
missing keys and wrong types raise ValueError with the dotted path of the offending key.
"""

from __future__ import annotations

import json
import types
import typing
from dataclasses import MISSING, dataclass, fields, is_dataclass
from pathlib import Path
from typing import Any, Mapping, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class ProblemConfig:
    type: str
    target: str
    entity_key: str
    event_timestamp: str
    positive_rate: float | None = None


@dataclass(frozen=True)
class DataConfig:
    features_uri: str
    format: str
    versioning: str
    versioning_remote: str
    window_days: int
    min_rows: int
    sample_rows: int
    trial_rows: int
    features: list[str]
    protected_attributes: list[str]


@dataclass(frozen=True)
class AlgorithmConfig:
    family: str
    upstream_family: str
    library: str
    candidates: list[str]


@dataclass(frozen=True)
class MetricConfig:
    primary: str
    direction: str
    secondary: list[str]
    baseline: float | None = None


@dataclass(frozen=True)
class CrossValidationConfig:
    strategy: str
    folds: int
    gap_days: int = 0
    group_key: str | None = None
    order_by: str | None = None
    holdout_days: int = 0


@dataclass(frozen=True)
class HpoMemberConfig:
    name: str
    family: str
    trials: int
    timeout_minutes: int


@dataclass(frozen=True)
class HpoConfig:
    tool: str
    trials: int
    parallel_trials: int
    timeout_minutes: int
    sampler: str
    pruner: str
    storage: str
    search_space_file: str
    seed: int
    members: list[HpoMemberConfig]


@dataclass(frozen=True)
class EnsembleConfig:
    method: str
    members: list[str]
    baselines: list[str]


@dataclass(frozen=True)
class DistributedConfig:
    enabled: bool
    launcher: str
    workers: int
    gpus_per_worker: int
    backend: str


@dataclass(frozen=True)
class TrackingConfig:
    backend: str
    tracking_uri: str
    experiment_name: str
    project: str
    artifact_uri: str
    local_dir: str


@dataclass(frozen=True)
class CriterionConfig:
    name: str
    threshold: float
    bound: str
    source: str
    rule: str


@dataclass(frozen=True)
class GateConfig:
    metric: str
    direction: str
    # absolute: min_value is the threshold; relative_to_baseline: baseline_factor x the CV score of baseline_model
    # measured in the same training run (pipeline.run_training records it as baseline/<model>/<metric>).
    rule: str
    min_value: float | None
    baseline_factor: float | None
    baseline_model: str | None
    min_improvement_pct: float
    max_secondary_regression_pct: float
    criteria: list[CriterionConfig]


@dataclass(frozen=True)
class RegistryConfig:
    model_name: str
    stages: list[str]
    gate: GateConfig
    rollback_minutes: float
    feature_schema_hash: str


@dataclass(frozen=True)
class ResourcesConfig:
    cpu: str
    memory: str
    gpus: int
    expected_minutes: int
    timeout_minutes: int


@dataclass(frozen=True)
class ScheduleConfig:
    cron: str
    orchestrator: str
    name: str


@dataclass(frozen=True)
class TrainingConfig:
    pipeline: str
    package: str
    problem: ProblemConfig
    data: DataConfig
    algorithm: AlgorithmConfig
    metric: MetricConfig
    cross_validation: CrossValidationConfig
    hpo: HpoConfig
    ensemble: EnsembleConfig
    distributed: DistributedConfig
    tracking: TrackingConfig
    registry: RegistryConfig
    resources: ResourcesConfig
    schedule: ScheduleConfig


# The configuration this pipeline was generated with; ml/configs/training.yaml holds the same values.
DEFAULT_CONFIG: dict[str, Any] = ${pyLiteral(config as unknown as PyValue)}


def _check(value: Any, hint: Any, path: str) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        if value is None and type(None) in options:
            return None
        errors = []
        for option in options:
            if option is type(None):
                continue
            try:
                return _check(value, option, path)
            except ValueError as exc:
                errors.append(str(exc))
        raise ValueError("; ".join(errors))
    if is_dataclass(hint) and isinstance(hint, type):
        return _build(hint, value, path)
    if origin is list:
        if not isinstance(value, list):
            raise ValueError(f"{path}: expected a list, got {type(value).__name__}")
        (item,) = typing.get_args(hint) or (Any,)
        return [_check(v, item, f"{path}[{i}]") for i, v in enumerate(value)]
    if hint is bool:
        if not isinstance(value, bool):
            raise ValueError(f"{path}: expected true/false, got {value!r}")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{path}: expected an integer, got {value!r}")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{path}: expected a number, got {value!r}")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise ValueError(f"{path}: expected a string, got {value!r}")
        return value
    return value


def _build(cls: type[T], raw: Any, path: str) -> T:
    if not isinstance(raw, Mapping):
        raise ValueError(f"{path}: expected a mapping, got {type(raw).__name__}")
    hints = typing.get_type_hints(cls)
    known = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ValueError(f"{path}: unknown keys {unknown}")
    kwargs: dict[str, Any] = {}
    for f in fields(cls):  # type: ignore[arg-type]
        key = f"{path}.{f.name}"
        if f.name not in raw:
            if f.default is MISSING and f.default_factory is MISSING:
                raise ValueError(f"{key}: missing")
            continue
        kwargs[f.name] = _check(raw[f.name], hints[f.name], key)
    return cls(**kwargs)


def config_from_dict(raw: Mapping[str, Any]) -> TrainingConfig:
    return _build(TrainingConfig, raw, "config")


def load_config(source: str | Path | Mapping[str, Any] | None = None) -> TrainingConfig:
    """The generated defaults (None), a dict, or a .json/.yaml file."""
    if source is None:
        return config_from_dict(DEFAULT_CONFIG)
    if isinstance(source, Mapping):
        return config_from_dict(source)
    path = Path(source)
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".yaml", ".yml"):
        try:
            import yaml  # PyYAML, optional
        except ImportError as exc:
            raise ValueError(f"{path}: reading YAML needs PyYAML; pass the JSON form instead") from exc
        raw = yaml.safe_load(text)
    else:
        raw = json.loads(text)
    return config_from_dict(raw)
`;
}

/** hpo.py: search space from JSON, the chosen tool's runner, cross-validated objective with per-fold reporting. */
export function hpoPy(plan: MlPlan): string {
  const d = plan.decisions.hpo;
  const common = String.raw`"""Hyper-parameter optimisation with ${d.tool === 'optuna' ? 'Optuna' : 'Ray Tune'} over ml/configs/hpo_search_space.json.

The objective is cross-validated: it reports the running mean after each fold so the ${d.pruner} pruner can stop a
trial early. Third-party libraries are imported inside the functions that need them.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from .config import HpoConfig, HpoMemberConfig

# Called with (fold index, running mean); returns True when the trial should stop.
FoldReporter = Callable[[int, float], bool]
CrossValidatedScore = Callable[[Mapping[str, Any], FoldReporter], float]


@dataclass(frozen=True)
class Param:
    name: str
    kind: str
    low: float | None = None
    high: float | None = None
    log: bool = False
    choices: tuple[str, ...] = ()

    def validate(self) -> None:
        if self.kind in ("int", "float"):
            if self.low is None or self.high is None or self.low > self.high:
                raise ValueError(f"{self.name}: numeric parameter needs low <= high")
            if self.log and self.low <= 0:
                raise ValueError(f"{self.name}: log scale needs low > 0")
        elif self.kind == "categorical":
            if not self.choices:
                raise ValueError(f"{self.name}: categorical parameter needs choices")
        else:
            raise ValueError(f"{self.name}: unknown kind {self.kind!r}")


def load_search_spaces(path: str | Path) -> dict[str, list[Param]]:
    """Search space per ensemble member, from ml/configs/hpo_search_space.json."""
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    return {member["name"]: _params(member["parameters"]) for member in raw["members"]}


def _params(raw: Sequence[Mapping[str, Any]]) -> list[Param]:
    params = [
        Param(
            name=p["name"],
            kind=p["kind"],
            low=p.get("low"),
            high=p.get("high"),
            log=bool(p.get("log", False)),
            choices=tuple(p.get("choices", ())),
        )
        for p in raw
    ]
    for p in params:
        p.validate()
    return params


def coerce(params: Mapping[str, Any]) -> dict[str, Any]:
    """Categorical choices are stored as strings; turn numeric-looking ones back into numbers and "none" into None."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, str):
            if value == "none":
                value = None
            elif value.isdigit():
                value = int(value)
        out[key] = value
    return out


def direction_sign(direction: str) -> float:
    if direction not in ("maximize", "minimize"):
        raise ValueError(f"direction must be maximize or minimize, got {direction!r}")
    return 1.0 if direction == "maximize" else -1.0


def running_mean(scores: Sequence[float]) -> float:
    finite = [s for s in scores if math.isfinite(s)]
    return sum(finite) / len(finite) if finite else float("nan")


def random_params(space: Sequence[Param], rng: random.Random) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for p in space:
        low, high = float(p.low or 0.0), float(p.high or 0.0)
        if p.kind == "categorical":
            values[p.name] = rng.choice(list(p.choices))
            continue
        value = math.exp(rng.uniform(math.log(low), math.log(high))) if p.log else rng.uniform(low, high)
        values[p.name] = int(round(value)) if p.kind == "int" else value
    return coerce(values)


def local_search(member: HpoMemberConfig, space: Sequence[Param], score: CrossValidatedScore, direction: str, seed: int) -> tuple[dict[str, Any], float, int]:
    """Seeded random search in this process (sample runs without a study storage or a Ray cluster)."""
    rng = random.Random(seed)
    sign = direction_sign(direction)
    best: tuple[dict[str, Any], float] | None = None
    for _ in range(max(1, member.trials)):
        params = random_params(space, rng)
        value = score(params, lambda _fold, _mean: False)
        if best is None or (math.isfinite(value) and (not math.isfinite(best[1]) or sign * value > sign * best[1])):
            best = (params, value)
    assert best is not None
    return best[0], float(best[1]), max(1, member.trials)
`;
  if (d.tool === 'optuna') {
    return `${common}${String.raw`

def suggest(trial: Any, space: Sequence[Param]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for p in space:
        if p.kind == "int":
            values[p.name] = trial.suggest_int(p.name, int(p.low or 0), int(p.high or 0), log=p.log)
        elif p.kind == "float":
            values[p.name] = trial.suggest_float(p.name, float(p.low or 0.0), float(p.high or 0.0), log=p.log)
        else:
            values[p.name] = trial.suggest_categorical(p.name, list(p.choices))
    return coerce(values)


def make_pruner(name: str, startup_trials: int) -> Any:
    import optuna

    if name == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=startup_trials, n_warmup_steps=1)
    if name == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=1, reduction_factor=3)
    raise ValueError(f"unknown pruner {name!r}")


def run_search(cfg: HpoConfig, member: HpoMemberConfig, space: Sequence[Param], score: CrossValidatedScore, direction: str, study_name: str) -> tuple[dict[str, Any], float, int]:
    """Runs the member's study (resuming it from the shared storage if it exists); returns best params, value, trials run."""
    import optuna

    sampler = optuna.samplers.TPESampler(seed=cfg.seed, multivariate=True)
    study = optuna.create_study(
        study_name=study_name,
        storage=cfg.storage or None,  # empty: in-memory study (sample runs, tests)
        load_if_exists=True,
        direction=direction,
        sampler=sampler,
        pruner=make_pruner(cfg.pruner, startup_trials=max(5, cfg.parallel_trials)),
    )

    def objective(trial: Any) -> float:
        params = suggest(trial, space)

        def report(fold: int, mean_so_far: float) -> bool:
            trial.report(mean_so_far, step=fold)
            if trial.should_prune():
                raise optuna.TrialPruned()
            return False

        return score(params, report)

    # Each of the cfg.parallel_trials worker pods runs this loop against the same storage.
    per_worker = math.ceil(member.trials / max(1, cfg.parallel_trials))
    study.optimize(objective, n_trials=per_worker, timeout=member.timeout_minutes * 60, gc_after_trial=True)
    return coerce(study.best_params), float(study.best_value), len(study.trials)
`}`;
  }
  return `${common}${String.raw`

def to_ray_space(space: Sequence[Param]) -> dict[str, Any]:
    from ray import tune

    out: dict[str, Any] = {}
    for p in space:
        if p.kind == "int":
            out[p.name] = tune.lograndint(int(p.low or 1), int(p.high or 1) + 1) if p.log else tune.randint(int(p.low or 0), int(p.high or 0) + 1)
        elif p.kind == "float":
            out[p.name] = tune.loguniform(float(p.low or 0.0), float(p.high or 0.0)) if p.log else tune.uniform(float(p.low or 0.0), float(p.high or 0.0))
        else:
            out[p.name] = tune.choice(list(p.choices))
    return out


def run_search(cfg: HpoConfig, member: HpoMemberConfig, space: Sequence[Param], score: CrossValidatedScore, direction: str, study_name: str) -> tuple[dict[str, Any], float, int]:
    """One trial per GPU (cfg.parallel_trials), ASHA early stopping on the per-fold reports, TPE suggestions.

    Without a results storage (sample runs, tests) the search runs in this process: local_search.
    """
    if not cfg.storage:
        return local_search(member, space, score, direction, cfg.seed)
    from ray import train, tune
    from ray.tune.schedulers import ASHAScheduler
    from ray.tune.search.optuna import OptunaSearch

    mode = "max" if direction == "maximize" else "min"

    def trainable(params: dict[str, Any]) -> None:
        def report(fold: int, mean_so_far: float) -> bool:
            train.report({"score": mean_so_far, "fold": fold})
            return False

        final = score(coerce(params), report)
        train.report({"score": final, "fold": -1})

    tuner = tune.Tuner(
        tune.with_resources(trainable, {"cpu": 8, "gpu": 1}),
        param_space=to_ray_space(space),
        tune_config=tune.TuneConfig(
            metric="score",
            mode=mode,
            num_samples=member.trials,
            max_concurrent_trials=cfg.parallel_trials,
            time_budget_s=member.timeout_minutes * 60,
            search_alg=OptunaSearch(seed=cfg.seed),
            scheduler=ASHAScheduler(grace_period=1, reduction_factor=3),
        ),
        run_config=train.RunConfig(name=study_name, storage_path=cfg.storage),
    )
    results = tuner.fit()
    best = results.get_best_result(metric="score", mode=mode)
    return coerce(best.config), float(best.metrics["score"]), len(results)
`}`;
}

/** pipeline.py: the run loop (load → split → HPO per member → refit → ensemble → evaluate → log). */
export function pipelinePy(plan: MlPlan): string {
  const cv = plan.decisions.cross_validation;
  return String.raw`"""The training run: load, split (${cv.strategy}, ${cv.folds} folds), tune each ensemble member, refit on the
full sample, combine, evaluate and log. Steps are the Protocols of interfaces.py; nothing here knows the algorithm.
"""

from __future__ import annotations

import dataclasses
import math
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping, Sequence

from . import distributed
from .config import CrossValidationConfig, HpoMemberConfig, TrainingConfig
from .hpo import Param, direction_sign, run_search, running_mean
from .interfaces import Dataset, DataLoader, Ensembler, EvaluationResult, Evaluator, Model, Preprocessor, Trainer
from .tracking import Tracker, log_fold_scores


@dataclass
class TrainingResult:
    model: Model
    metrics: dict[str, float]
    best_params: dict[str, dict[str, Any]]
    fold_scores: dict[str, list[float]]
    minutes: float
    tags: dict[str, str] = field(default_factory=dict)
    # CV mean of the primary metric per reference model, on the same folds as the members (also in metrics as
    # baseline/<model>/<metric>): a relative promotion gate compares the candidate with factor x this score.
    baseline_scores: dict[str, float] = field(default_factory=dict)
    # The preprocessor fitted on the full sample (what the served model transforms raw rows with) and the problem
    # type's trivial reference, always scored (also in baseline_scores) so a run shows what "no model" achieves.
    preprocessor: Any = None
    trivial_baseline: str | None = None


# Trivial reference per problem type (a built-in of BUILTIN_BASELINES below).
TRIVIAL_BASELINE: dict[str, str] = {
    "binary_classification": "constant_scorer",
    "multiclass_classification": "majority_class",
    "regression": "mean_predictor",
    "forecasting": "mean_predictor",
    "anomaly_detection": "constant_scorer",
    "ranking": "constant_scorer",
    "recommendation": "constant_scorer",
}


def baseline_metric_key(model: str, metric: str) -> str:
    """Key of a reference model's CV score in the tracker and in TrainingResult.metrics (read by the promotion gate)."""
    return f"baseline/{model}/{metric}"


# ---------------------------------------------------------------- built-in reference models
# Trivial models the pipeline scores itself when the steps factory gives no trainer of that name, so the baseline
# of a relative promotion gate is always measured. numpy is only needed by robust_zscore.


class ConstantModel:
    """Predicts the same value for every row."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def predict(self, features: Any) -> Any:
        rows = int(features.shape[0]) if hasattr(features, "shape") else len(features)
        try:
            import numpy as np
        except ImportError:
            return [self.value] * rows
        return np.full(rows, self.value)


def _values(target: Any) -> list[Any]:
    return list(target.tolist() if hasattr(target, "tolist") else target)


class MeanPredictor:
    """Regression reference: the training-fold mean of the target."""

    name = "mean_predictor"

    def fit(self, features: Any, target: Any, params: Mapping[str, Any]) -> Model:
        values = [float(v) for v in _values(target)]
        if not values:
            raise ValueError("mean_predictor needs at least one training row")
        return ConstantModel(math.fsum(values) / len(values))


class MajorityClass:
    """Classification reference: the most frequent class of the training fold."""

    name = "majority_class"

    def fit(self, features: Any, target: Any, params: Mapping[str, Any]) -> Model:
        counts = Counter(_values(target))
        if not counts:
            raise ValueError("majority_class needs at least one training row")
        return ConstantModel(counts.most_common(1)[0][0])


class ConstantScorer:
    """Binary reference: scores every row with the training-fold positive rate (ROC-AUC 0.5, PR-AUC = prevalence)."""

    name = "constant_scorer"

    def fit(self, features: Any, target: Any, params: Mapping[str, Any]) -> Model:
        values = [float(v) for v in _values(target)]
        if not values:
            raise ValueError("constant_scorer needs at least one training row")
        return ConstantModel(math.fsum(values) / len(values))


class RobustZScoreModel:
    def __init__(self, median: Any, scale: Any) -> None:
        self.median = median
        self.scale = scale

    def predict(self, features: Any) -> Any:
        import numpy as np

        matrix = np.asarray(features.toarray() if hasattr(features, "toarray") else features, dtype=float)
        return np.nanmax(np.abs((matrix - self.median) / self.scale), axis=1)


class RobustZScore:
    """Anomaly reference: the largest robust z-score |x - median| / (1.4826 * MAD) over the encoded columns."""

    name = "robust_zscore"

    def fit(self, features: Any, target: Any, params: Mapping[str, Any]) -> Model:
        import numpy as np

        matrix = np.asarray(features.toarray() if hasattr(features, "toarray") else features, dtype=float)
        median = np.nanmedian(matrix, axis=0)
        scale = 1.4826 * np.nanmedian(np.abs(matrix - median), axis=0)
        scale[~(scale > 0)] = 1.0
        return RobustZScoreModel(median, scale)


BUILTIN_BASELINES: dict[str, type] = {
    "mean_predictor": MeanPredictor,
    "majority_class": MajorityClass,
    "constant_scorer": ConstantScorer,
    "robust_zscore": RobustZScore,
}


def baseline_trainers(cfg: TrainingConfig, trainers: Mapping[str, Trainer]) -> dict[str, Trainer]:
    """Reference models scored every run: the upstream baselines and the promotion gate's baseline model.

    The steps factory's trainer of that name wins; otherwise a built-in one is used. A relative promotion gate whose
    baseline model has neither is a configuration error: the candidate could never be promoted.
    """
    gate = cfg.registry.gate
    names = list(cfg.ensemble.baselines)
    if gate.rule == "relative_to_baseline":
        if not gate.baseline_model or gate.baseline_factor is None:
            raise ValueError("registry.gate: rule relative_to_baseline needs baseline_model and baseline_factor")
        if gate.baseline_model not in names:
            names.append(gate.baseline_model)
    out: dict[str, Trainer] = {}
    for name in names:
        if name in trainers:
            out[name] = trainers[name]
        elif name in BUILTIN_BASELINES:
            out[name] = BUILTIN_BASELINES[name]()
        elif gate.rule == "relative_to_baseline" and name == gate.baseline_model:
            raise ValueError(f"the promotion gate compares with baseline model {name!r}: the steps factory must provide a trainer named {name!r}")
    return out


def fold_indices(dataset: Dataset, cv: CrossValidationConfig, seed: int) -> Iterator[tuple[Any, Any]]:
    """Train/validation row positions per fold, from the strategy chosen for this pipeline."""
    from sklearn import model_selection

    frame = dataset.frame
    target = frame[dataset.target]
    if cv.strategy == "time_series_split":
        order = frame[cv.order_by].argsort(kind="stable").to_numpy() if cv.order_by else None
        rows_per_day = max(1, len(frame) // max(1, int(frame[cv.order_by].dt.normalize().nunique()))) if cv.order_by else 0
        splitter = model_selection.TimeSeriesSplit(n_splits=cv.folds, gap=cv.gap_days * rows_per_day)
        for train_pos, valid_pos in splitter.split(frame):
            yield (order[train_pos], order[valid_pos]) if order is not None else (train_pos, valid_pos)
        return
    if cv.strategy in ("group_k_fold", "stratified_group_k_fold"):
        if not cv.group_key:
            raise ValueError(f"{cv.strategy} needs cross_validation.group_key")
        groups = frame[cv.group_key]
        if cv.strategy == "stratified_group_k_fold":
            yield from model_selection.StratifiedGroupKFold(n_splits=cv.folds, shuffle=True, random_state=seed).split(frame, target, groups)
        else:
            yield from model_selection.GroupKFold(n_splits=cv.folds).split(frame, target, groups)
        return
    if cv.strategy == "stratified_k_fold":
        yield from model_selection.StratifiedKFold(n_splits=cv.folds, shuffle=True, random_state=seed).split(frame, target)
        return
    if cv.strategy == "k_fold":
        yield from model_selection.KFold(n_splits=cv.folds, shuffle=True, random_state=seed).split(frame)
        return
    raise ValueError(f"unknown cross-validation strategy {cv.strategy!r}")


def _subsample(dataset: Dataset, rows: int, seed: int) -> Dataset:
    if dataset.rows() <= rows:
        return dataset
    frame = dataset.frame.sample(n=rows, random_state=seed)
    return Dataset(frame=frame, data_version=dataset.data_version, target=dataset.target, feature_names=dataset.feature_names, group_key=dataset.group_key)


def _rows(dataset: Dataset, positions: Any) -> Dataset:
    return Dataset(frame=dataset.frame.iloc[positions], data_version=dataset.data_version, target=dataset.target, feature_names=dataset.feature_names, group_key=dataset.group_key)


def cross_validated_score(
    dataset: Dataset,
    preprocessor: Preprocessor,
    trainer: Trainer,
    evaluator: Evaluator,
    cfg: TrainingConfig,
    params: Mapping[str, Any],
    report: Any,
    scores_out: list[float] | None = None,
    fits_out: list[FoldFit] | None = None,
) -> float:
    """Mean of the primary metric over the folds; the preprocessor is refitted inside every fold."""
    scores: list[float] = []
    for fold, (train_pos, valid_pos) in enumerate(fold_indices(dataset, cfg.cross_validation, cfg.hpo.seed)):
        train, valid = _rows(dataset, train_pos), _rows(dataset, valid_pos)
        fitted = preprocessor.fit(train)
        model = trainer.fit(fitted.transform(train.frame), train.frame[train.target], params)
        result = evaluator.evaluate(model, fitted.transform(valid.frame), valid.frame[valid.target])
        scores.append(result.value(cfg.metric.primary))
        if fits_out is not None:
            fits_out.append(FoldFit(preprocessor=fitted, model=model, valid=valid, result=result))
        if report(fold, running_mean(scores)):
            break
    if scores_out is not None:
        scores_out.extend(scores)
    return running_mean(scores)


def score_baselines(dataset: Dataset, preprocessor: Preprocessor, references: Mapping[str, Trainer], evaluator: Evaluator, cfg: TrainingConfig) -> dict[str, float]:
    """CV mean of the primary metric of each reference model, on the folds the members are scored on."""
    out: dict[str, float] = {}
    for name, trainer in references.items():
        scores: list[float] = []
        cross_validated_score(dataset, preprocessor, trainer, evaluator, cfg, {}, lambda _f, _m: False, scores)
        out[name] = running_mean(scores)
    return out


@dataclass
class FoldFit:
    """One member fitted on one fold's training rows, with that fold's validation rows and scores."""

    preprocessor: Preprocessor
    model: Model
    valid: Dataset
    result: EvaluationResult


@dataclass
class CandidateFold:
    """The candidate (the ensemble of the members fitted on one fold) and its out-of-fold rows: what the gate
    criteria are measured on. frame holds the raw validation rows (protected attributes and slice columns included),
    features the same rows transformed, predictions what the candidate predicted for them."""

    model: Model
    frame: Any
    features: Any
    target: Any
    predictions: Any
    score: float


def candidate_folds(members: Sequence[tuple[str, EvaluationResult]], fits: Mapping[str, Sequence[FoldFit]], ensembler: Ensembler, evaluator: Evaluator, primary: str) -> list[CandidateFold]:
    """Out-of-fold candidates: per fold, the members fitted on that fold combined as the final model is combined."""
    folds: list[CandidateFold] = []
    count = min(len(fits[name]) for name, _ in members)
    for i in range(count):
        first = fits[members[0][0]][i]
        if len(members) == 1:
            model = first.model
        else:
            model = ensembler.combine([(name, fits[name][i].model, result) for name, result in members])
        features = first.preprocessor.transform(first.valid.frame)
        target = first.valid.frame[first.valid.target]
        score = evaluator.evaluate(model, features, target).value(primary)
        folds.append(CandidateFold(model=model, frame=first.valid.frame, features=features, target=target, predictions=model.predict(features), score=score))
    return folds


def inference_p99_ms(model: Model, preprocessor: Preprocessor, frame: Any, rows: int = 200) -> float:
    """p99 of single-row predictions (transform + predict) in milliseconds: the model's share of serving latency."""
    sample = frame.head(rows)
    timings: list[float] = []
    for i in range(len(sample)):
        row = sample.iloc[i : i + 1]
        started = time.perf_counter()
        model.predict(preprocessor.transform(row))
        timings.append((time.perf_counter() - started) * 1000.0)
    timings = sorted(timings[min(10, len(timings) // 10) :])  # the first calls warm caches
    if not timings:
        return float("nan")
    return timings[min(len(timings) - 1, math.ceil(0.99 * len(timings)) - 1)]


def gate_criteria(cfg: TrainingConfig, folds: Sequence[CandidateFold], evaluator: Evaluator, model: Model, preprocessor: Preprocessor | None, dataset: Dataset) -> dict[str, float]:
    """The data scientist's further promotion criteria, measured on the candidate's out-of-fold predictions.

    <primary>_cv_std is the population standard deviation of the fold scores and <primary>_cv_relative_std that
    over |mean| (the stability criterion: it holds for bounded scores and for errors in the target's unit alike);
    model_inference_p99_ms is timed on
    the refitted model; the evaluator's gate_metrics (when it has one) measures slices, calibration and bias.
    """
    primary = cfg.metric.primary
    wanted = {c.name for c in cfg.registry.gate.criteria}
    scores = [f.score for f in folds if math.isfinite(f.score)]
    std = statistics.pstdev(scores) if len(scores) >= 2 else float("nan")
    mean = statistics.fmean(scores) if scores else float("nan")
    out: dict[str, float] = {f"{primary}_cv_std": std, f"{primary}_cv_relative_std": std / abs(mean) if mean else float("nan")}
    if "model_inference_p99_ms" in wanted and preprocessor is not None:
        out["model_inference_p99_ms"] = inference_p99_ms(model, preprocessor, dataset.frame)
    extra = getattr(evaluator, "gate_metrics", None)
    if callable(extra) and folds:
        out.update(extra(folds, cfg))
    return out


def search(cfg: TrainingConfig, member: HpoMemberConfig, space: Sequence[Param], score: Any) -> tuple[dict[str, Any], float, int]:
    """The member's HPO. Trial parallel: this process runs its share of the trials with its own sampler seed, then
    every process takes the best parameters found by any of them (ties go to the lowest rank)."""
    ctx = distributed.current()
    if not ctx.enabled:
        return run_search(cfg.hpo, member, space, score, cfg.metric.direction, f"{cfg.pipeline}-{member.name}")
    # Under a launcher the process gang is the HPO worker pool: each process searches in memory (no shared study
    # storage, no separate trial workers), one trial at a time.
    gang = dataclasses.replace(cfg.hpo, storage="", parallel_trials=1)
    if ctx.mode == "data_parallel":
        # Every process runs the same trials in the same order (each fit is a collective), with no wall-clock stop,
        # which would end the search after different trials on different processes.
        return run_search(gang, dataclasses.replace(member, timeout_minutes=10**6), space, score, cfg.metric.direction, f"{cfg.pipeline}-{member.name}")
    share = dataclasses.replace(member, trials=distributed.trial_share(member.trials, ctx))
    hpo = dataclasses.replace(gang, seed=cfg.hpo.seed + ctx.rank)
    params, best, trials = run_search(hpo, share, space, score, cfg.metric.direction, f"{cfg.pipeline}-{member.name}")
    results = distributed.gather((params, best, trials))
    sign = direction_sign(cfg.metric.direction)
    finite = [r for r in results if math.isfinite(r[1])] or results
    winner = max(finite, key=lambda r: sign * r[1])
    return winner[0], winner[1], sum(r[2] for r in results)


def run_training(
    cfg: TrainingConfig,
    loader: DataLoader,
    preprocessor: Preprocessor,
    trainers: Mapping[str, Trainer],
    evaluator: Evaluator,
    ensembler: Ensembler,
    tracker: Tracker,
    spaces: Mapping[str, Sequence[Param]],
    data_version: str,
    git_sha: str,
) -> TrainingResult | None:
    """The run; None on the processes other than rank 0 of a trial-parallel run (rank 0 finishes it)."""
    started = time.monotonic()
    ctx = distributed.current()
    dataset = loader.load(data_version)
    missing = dataset.missing_columns()
    if missing:
        raise ValueError(f"data version {data_version} lacks columns {missing}")
    if dataset.rows() < cfg.data.min_rows:
        raise ValueError(f"data version {data_version} has {dataset.rows()} rows; training needs at least {cfg.data.min_rows}")
    references = baseline_trainers(cfg, trainers)
    trivial = TRIVIAL_BASELINE.get(cfg.problem.type)
    if trivial is not None and trivial not in references:
        references = {**references, trivial: trainers.get(trivial) or BUILTIN_BASELINES[trivial]()}
    dataset = _subsample(dataset, cfg.data.sample_rows, cfg.hpo.seed)
    trial_data = _subsample(dataset, cfg.data.trial_rows, cfg.hpo.seed)

    tags = {
        "git_sha": git_sha,
        "data_version": data_version,
        "feature_schema": cfg.registry.feature_schema_hash,
        "algorithm": cfg.algorithm.family,
    }
    tracker.start_run(f"{cfg.algorithm.family}-{data_version[:12]}-{git_sha[:7]}", tags)
    status = "FAILED"
    try:
        tracker.log_params({"data.rows": dataset.rows(), "data.trial_rows": trial_data.rows(), "cv.strategy": cfg.cross_validation.strategy, "cv.folds": cfg.cross_validation.folds})
        members: list[tuple[str, Model, EvaluationResult]] = []
        best_params: dict[str, dict[str, Any]] = {}
        fold_scores: dict[str, list[float]] = {}
        fits: dict[str, list[FoldFit]] = {}
        final_preprocessor: Preprocessor | None = None
        sign = direction_sign(cfg.metric.direction)
        for member in cfg.hpo.members:
            name = member.name
            if name not in trainers or name not in spaces:
                raise ValueError(f"ensemble member {name!r} needs a trainer and a search space")
            trainer = trainers[name]

            def score(params: Mapping[str, Any], report: Any, trainer: Trainer = trainer) -> float:
                return cross_validated_score(trial_data, preprocessor, trainer, evaluator, cfg, params, report)

            params, best, trials = search(cfg, member, spaces[name], score)
            best_params[name] = params
            tracker.log_params({f"{name}.{k}": v for k, v in params.items()})
            tracker.log_metrics({f"hpo/{name}/best": best, f"hpo/{name}/trials": float(trials)})
            if ctx.mode == "trial_parallel" and not ctx.is_primary:
                continue  # rank 0 refits with the gathered best parameters
            # Re-score the winner on the full sample for honest per-fold figures.
            scores: list[float] = []
            fits[name] = []
            cross_validated_score(dataset, preprocessor, trainer, evaluator, cfg, params, lambda _f, _m: False, scores, fits[name])
            fold_scores[name] = scores
            log_fold_scores(tracker, f"{name}/{cfg.metric.primary}", scores)
            fitted = final_preprocessor = preprocessor.fit(dataset)
            model = trainer.fit(fitted.transform(dataset.frame), dataset.frame[dataset.target], params)
            members.append((name, model, EvaluationResult(metrics={cfg.metric.primary: running_mean(scores)}, rows=dataset.rows())))
        if ctx.mode == "trial_parallel" and not ctx.is_primary:
            status = "FINISHED"
            return None
        # Reference models (naive forecasts, trivial predictors) are scored on the same folds, never ensembled; the
        # promotion gate's baseline model is one of them when its rule is relative_to_baseline.
        baseline_scores = score_baselines(dataset, preprocessor, references, evaluator, cfg)
        tracker.log_metrics({baseline_metric_key(name, cfg.metric.primary): value for name, value in baseline_scores.items()})
        members.sort(key=lambda m: sign * m[2].value(cfg.metric.primary), reverse=True)
        model = members[0][1] if len(members) == 1 else ensembler.combine(members)
        # The candidate is scored as it will be served: per fold, the members combined as above.
        folds = candidate_folds([(m[0], m[2]) for m in members], fits, ensembler, evaluator, cfg.metric.primary)
        fold_scores["candidate"] = [f.score for f in folds]
        log_fold_scores(tracker, f"candidate/{cfg.metric.primary}", fold_scores["candidate"])
        mean = running_mean(fold_scores["candidate"])
        criteria = gate_criteria(cfg, folds, evaluator, model, final_preprocessor, dataset)
        del folds, fits
        metrics = {f"cv/{cfg.metric.primary}/mean": mean, **criteria, **{baseline_metric_key(name, cfg.metric.primary): value for name, value in baseline_scores.items()}}
        minutes = (time.monotonic() - started) / 60
        tracker.log_metrics({f"cv/{cfg.metric.primary}/mean": mean, **criteria, "train/minutes": minutes})
        if minutes > cfg.resources.timeout_minutes:
            tracker.log_params({"warning": f"run took {minutes:.0f} min, budget {cfg.resources.timeout_minutes} min"})
        status = "FINISHED"
        return TrainingResult(
            model=model,
            metrics=metrics,
            best_params=best_params,
            fold_scores=fold_scores,
            minutes=minutes,
            tags=tags,
            baseline_scores=baseline_scores,
            preprocessor=final_preprocessor,
            trivial_baseline=trivial,
        )
    finally:
        tracker.end_run(status)


def is_better(candidate: float, reference: float, direction: str) -> bool:
    if math.isnan(candidate):
        return False
    return candidate > reference if direction == "maximize" else candidate < reference
`;
}
