import { pyLiteral } from '../../../generators/serializers/python.js';
import type { MlPlan } from '../derive.js';
import type { TrainingConfigFile } from '../config.js';
import { docText } from './doc.js';

// registry/promotion.py: the promotion gate as code, the registry clients (an offline JSON registry and the
// chosen backend), promote and rollback, and the CLI scripts/rollback_model.sh calls.

const CLIENTS: Record<string, { cls: string; code: string }> = {
  mlflow: {
    cls: 'MlflowRegistry',
    code: String.raw`class MlflowRegistry:
    """MLflow Model Registry: the stages are registered-model aliases (dev, staging, prod) and version tags."""

    def __init__(self, tracking_uri: str) -> None:
        from mlflow.tracking import MlflowClient

        self._client = MlflowClient(tracking_uri=tracking_uri)

    def get_alias(self, model: str, alias: str) -> str | None:
        try:
            return str(self._client.get_model_version_by_alias(model, alias).version)
        except Exception as exc:  # the SDK raises MlflowException for a missing alias
            if "not found" in str(exc).lower() or "RESOURCE_DOES_NOT_EXIST" in str(exc):
                return None
            raise

    def set_alias(self, model: str, alias: str, version: str) -> None:
        self._client.set_registered_model_alias(model, alias, version)

    def get_tags(self, model: str, version: str) -> dict[str, str]:
        return dict(self._client.get_model_version(model, version).tags)

    def set_tag(self, model: str, version: str, key: str, value: str) -> None:
        self._client.set_model_version_tag(model, version, key, value)
`,
  },
  wandb: {
    cls: 'WandbRegistry',
    code: String.raw`class WandbRegistry:
    """W&B Registry: versions are artifact versions (v0, v1, ...) of one collection; stages are artifact aliases."""

    def __init__(self, tracking_uri: str) -> None:
        import wandb

        self._api = wandb.Api(overrides={"base_url": tracking_uri})

    def _artifact(self, model: str, ref: str) -> Any:
        return self._api.artifact(f"{REGISTRY_PATH}/{model}:{ref}", type="model")

    def get_alias(self, model: str, alias: str) -> str | None:
        try:
            return str(self._artifact(model, alias).version)
        except Exception as exc:  # wandb.errors.CommError when the alias does not exist
            if "not found" in str(exc).lower() or "does not contain" in str(exc).lower():
                return None
            raise

    def set_alias(self, model: str, alias: str, version: str) -> None:
        previous = self.get_alias(model, alias)
        if previous is not None and previous != version:
            old = self._artifact(model, previous)
            old.aliases = [a for a in old.aliases if a != alias]
            old.save()
        artifact = self._artifact(model, version)
        if alias not in artifact.aliases:
            artifact.aliases.append(alias)
        artifact.save()

    def get_tags(self, model: str, version: str) -> dict[str, str]:
        return {k: str(v) for k, v in self._artifact(model, version).metadata.items()}

    def set_tag(self, model: str, version: str, key: str, value: str) -> None:
        artifact = self._artifact(model, version)
        artifact.metadata[key] = value
        artifact.save()
`,
  },
  neptune: {
    cls: 'NeptuneRegistry',
    code: String.raw`class NeptuneRegistry:
    """Neptune model registry: versions are model-version ids; stages map to none/staging/production."""

    STAGES = {"dev": "none", "staging": "staging", "prod": "production"}

    def __init__(self, tracking_uri: str) -> None:
        import neptune

        self._neptune = neptune

    def get_alias(self, model: str, alias: str) -> str | None:
        handle = self._neptune.init_model(with_id=model, project=REGISTRY_PATH, mode="read-only")
        try:
            table = handle.fetch_model_versions_table().to_pandas()
        finally:
            handle.stop()
        rows = table[table["sys/stage"] == self.STAGES[alias]].sort_values("sys/creation_time")
        return None if rows.empty else str(rows.iloc[-1]["sys/id"])

    def set_alias(self, model: str, alias: str, version: str) -> None:
        previous = self.get_alias(model, alias)
        if previous is not None and previous != version and alias == "prod":
            self._with_version(previous, lambda v: v.change_stage("archived"))
        self._with_version(version, lambda v: v.change_stage(self.STAGES[alias]))

    def get_tags(self, model: str, version: str) -> dict[str, str]:
        handle = self._neptune.init_model_version(with_id=version, project=REGISTRY_PATH, mode="read-only")
        try:
            structure = handle.get_structure().get("tags", {})
            return {k: str(handle[f"tags/{k}"].fetch()) for k in structure}
        finally:
            handle.stop()

    def set_tag(self, model: str, version: str, key: str, value: str) -> None:
        self._with_version(version, lambda v: v.__setitem__(f"tags/{key}", value))

    def _with_version(self, version: str, action: Any) -> None:
        handle = self._neptune.init_model_version(with_id=version, project=REGISTRY_PATH)
        try:
            action(handle)
        finally:
            handle.stop()
`,
  },
  clearml: {
    cls: 'ClearmlRegistry',
    code: String.raw`class ClearmlRegistry:
    """ClearML model repository: versions are model ids; a stage is the tag stage:<name>; metadata holds the tags."""

    def __init__(self, tracking_uri: str) -> None:
        from clearml import Model

        self._model_cls = Model

    def get_alias(self, model: str, alias: str) -> str | None:
        found = self._model_cls.query_models(project_name=REGISTRY_PATH, model_name=model, tags=[f"stage:{alias}"])
        return None if not found else str(found[0].id)

    def set_alias(self, model: str, alias: str, version: str) -> None:
        tag = f"stage:{alias}"
        previous = self.get_alias(model, alias)
        if previous is not None and previous != version:
            old = self._model_cls(model_id=previous)
            old.tags = [t for t in old.tags if t != tag]
        new = self._model_cls(model_id=version)
        new.tags = [*new.tags, tag]

    def get_tags(self, model: str, version: str) -> dict[str, str]:
        metadata = self._model_cls(model_id=version).get_all_metadata()
        return {k: str(v.get("value")) for k, v in metadata.items()}

    def set_tag(self, model: str, version: str, key: str, value: str) -> None:
        self._model_cls(model_id=version).set_metadata(key, value, v_type="str")
`,
  },
};

export function registryInitPy(): string {
  return String.raw`"""Model registry: promotion gate, promote and rollback."""

from typing import Any

__all__ = ["Gate", "GateDecision", "LocalRegistry", "evaluate_gate", "promote", "rollback"]


def __getattr__(name: str) -> Any:
    # Imported on first use, so "python -m <package>.registry.promotion" does not load the module twice.
    if name in __all__:
        from . import promotion

        return getattr(promotion, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
`;
}

export function promotionPy(plan: MlPlan, config: TrainingConfigFile, envPrefix: string): string {
  const backend = plan.decisions.registry.backend;
  const client = CLIENTS[backend];
  if (!client) throw new Error(`no registry client for ${backend}`);
  const gate = config.registry.gate;
  const op = gate.direction === 'maximize' ? '>=' : '<=';
  const thresholdLine =
    gate.rule === 'absolute'
      ? `the candidate's ${docText(gate.metric)} must be ${op} ${gate.min_value} (${gate.direction}, absolute threshold);`
      : `the candidate's ${docText(gate.metric)} must be ${op} ${gate.baseline_factor} x the CV ${docText(gate.metric)} of the baseline model
    ${docText(gate.baseline_model ?? '')} in the same training run (${gate.direction}, relative_to_baseline; the training pipeline
    records that score as baseline/${docText(gate.baseline_model ?? '')}/${docText(gate.metric)});`;
  return String.raw`"""Promotion workflow dev -> staging -> prod for model ${docText(plan.decisions.registry.model_name)}, and rollback.

Gate (generated from the pipeline spec):
  - ${thresholdLine}
  - it must beat the current production model by at least ${gate.min_improvement_pct} % (relative);
  - no secondary metric may regress by more than ${gate.max_secondary_regression_pct} % against production;
  - ${gate.criteria.length} further criteria from the data scientist (evaluation${gate.criteria.some((c) => c.source === 'bias') ? ' and bias' : ''}): ${docText(gate.criteria.map((c) => `${c.name} ${c.bound === 'at_least' ? '>=' : '<='} ${c.threshold}`).join(', ')) || 'none'}.
Rollback re-points the prod alias to the version recorded in the previous_prod_version tag; the whole procedure
(alias switch, serving restart, verification) has ${config.registry.rollback_minutes} minute(s).

CLI:  python -m ${plan.pkg}.registry.promotion promote --version V --to staging --candidate-metrics c.json [--production-metrics p.json]
          [--training-output runs/last_training.json]  (the run's metrics: baseline scores for a relative gate)
      python -m ${plan.pkg}.registry.promotion rollback [--to V] [--reason TEXT]
Set ${envPrefix}_REGISTRY=local:<file.json> to use the offline JSON registry (tests, drills).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Protocol, Sequence

MODEL_NAME: str = ${pyLiteral(plan.decisions.registry.model_name)}
STAGES: tuple[str, ...] = tuple(${pyLiteral(plan.decisions.registry.stages)})
TRACKING_URI: str = ${pyLiteral(plan.decisions.tracking.tracking_uri)}
REGISTRY_PATH: str = ${pyLiteral(plan.decisions.tracking.project)}
ROLLBACK_MINUTES: float = ${pyLiteral(config.registry.rollback_minutes)}
ENV_SWITCH: str = ${pyLiteral(`${envPrefix}_REGISTRY`)}
# Secondary metrics whose names say "lower is better"; every other metric is higher-is-better.
_LOWER_IS_BETTER = ("loss", "error", "rmse", "mae", "mse", "mape", "wape", "smape", "brier", "latency")


@dataclass(frozen=True)
class Criterion:
    """A named metric the candidate must report, with its bound (at_least / at_most)."""

    name: str
    threshold: float
    bound: str
    source: str

    def passes(self, value: float) -> bool:
        if not math.isfinite(value):
            return False
        return value >= self.threshold if self.bound == "at_least" else value <= self.threshold


@dataclass(frozen=True)
class Gate:
    """rule "absolute": the primary metric is compared with min_value. rule "relative_to_baseline": it is compared
    with baseline_factor x the CV score of baseline_model measured in the same training run."""

    metric: str
    direction: str
    min_value: float | None
    min_improvement_pct: float
    max_secondary_regression_pct: float
    criteria: tuple[Criterion, ...] = ()
    secondary: tuple[str, ...] = ()
    rule: str = "absolute"
    baseline_factor: float | None = None
    baseline_model: str | None = None

    def __post_init__(self) -> None:
        if self.rule == "absolute":
            if self.min_value is None:
                raise ValueError("an absolute gate needs min_value")
        elif self.rule == "relative_to_baseline":
            if self.baseline_factor is None or not self.baseline_model:
                raise ValueError("a relative_to_baseline gate needs baseline_factor and baseline_model")
        else:
            raise ValueError(f"gate rule must be absolute or relative_to_baseline, got {self.rule!r}")

    def baseline_key(self) -> str | None:
        """Where the baseline model's CV score sits in the training run's metrics (pipeline.baseline_metric_key)."""
        return f"baseline/{self.baseline_model}/{self.metric}" if self.rule == "relative_to_baseline" else None

    def threshold(self, baseline_score: float | None = None) -> float | None:
        """The value the primary metric must reach; None when a relative gate has no (finite) baseline score.

        Relative: baseline_factor x baseline_score, written as score + (factor - 1) x |score| so that a negative
        score (e.g. r2) still moves the threshold in the better direction. For a score bounded by 1 (AUC, F1, recall,
        NDCG...) the threshold is capped at 1: a baseline that is already perfect must be matched, not exceeded.
        """
        if self.rule == "absolute":
            return self.min_value
        if baseline_score is None or not math.isfinite(baseline_score) or self.baseline_factor is None:
            return None
        raised = baseline_score + (self.baseline_factor - 1.0) * abs(baseline_score)
        if self.direction == "maximize" and bounded_by_one(self.metric):
            return min(raised, 1.0)
        return raised


GATE = Gate(
    metric=${pyLiteral(gate.metric)},
    direction=${pyLiteral(gate.direction)},
    rule=${pyLiteral(gate.rule)},
    min_value=${pyLiteral(gate.min_value)},
    baseline_factor=${pyLiteral(gate.baseline_factor)},
    baseline_model=${pyLiteral(gate.baseline_model)},
    min_improvement_pct=${pyLiteral(gate.min_improvement_pct)},
    max_secondary_regression_pct=${pyLiteral(gate.max_secondary_regression_pct)},
    criteria=tuple(Criterion(c["name"], float(c["threshold"]), c["bound"], c["source"]) for c in ${pyLiteral(gate.criteria.map((c) => ({ name: c.name, threshold: c.threshold, bound: c.bound, source: c.source })))}),
    secondary=tuple(${pyLiteral(config.metric.secondary)}),
)


@dataclass(frozen=True)
class GateDecision:
    passed: bool
    reasons: tuple[str, ...]
    checks: Mapping[str, bool] = field(default_factory=dict)


_BOUNDED_BY_ONE = re.compile(r"(roc_auc|auc|pr_auc|average_precision|accuracy|balanced_accuracy|f1|precision|recall|ndcg|map|mrr|hit_rate|r2)(_at_\d+|_at_precision_\d+|_at_fpr_\d+pct)?", re.IGNORECASE)


def bounded_by_one(metric: str) -> bool:
    """Scores that cannot exceed 1, so a relative threshold above 1 could never be met."""
    return _BOUNDED_BY_ONE.fullmatch(metric.strip()) is not None or metric.lower().endswith("_f1")


def lower_is_better(metric: str) -> bool:
    name = metric.lower()
    return any(token in name for token in _LOWER_IS_BETTER)


def relative_change_pct(candidate: float, reference: float, direction: str) -> float:
    """Improvement of candidate over reference in percent (positive = better), for either direction."""
    if reference == 0:
        return math.inf if candidate != reference else 0.0
    change = (candidate - reference) / abs(reference) * 100.0
    return change if direction == "maximize" else -change


def evaluate_gate(gate: Gate, candidate: Mapping[str, float], production: Mapping[str, float] | None, baseline_score: float | None = None) -> GateDecision:
    """Every check the candidate must pass to move to staging (and later prod). production=None on first release.

    candidate holds the primary metric, the secondary metrics and every criterion's metric (evaluation and bias).
    For a relative_to_baseline gate, baseline_score is the baseline model's CV score of the same training run; when
    None it is read from candidate[gate.baseline_key()] (the key the training pipeline records). Without it the
    threshold check fails: a relative gate never passes unmeasured.
    """
    if gate.direction not in ("maximize", "minimize"):
        raise ValueError(f"gate direction must be maximize or minimize, got {gate.direction!r}")
    if gate.metric not in candidate:
        return GateDecision(False, (f"candidate has no {gate.metric}",), {"metric_present": False})
    value = float(candidate[gate.metric])
    reasons: list[str] = []
    checks: dict[str, bool] = {}

    key = gate.baseline_key()
    if baseline_score is None and key is not None and key in candidate:
        baseline_score = float(candidate[key])
    threshold = gate.threshold(baseline_score)
    op = ">=" if gate.direction == "maximize" else "<="
    if threshold is None:
        checks["threshold"] = False
        reasons.append(f"no finite CV {gate.metric} of baseline model {gate.baseline_model!r} from the same training run ({key}): the relative threshold cannot be computed")
    else:
        meets = value >= threshold if gate.direction == "maximize" else value <= threshold
        checks["threshold"] = meets and math.isfinite(value)
        if not checks["threshold"]:
            origin = "" if gate.rule == "absolute" else f" = {gate.baseline_factor} x {gate.baseline_model} {baseline_score:.6g}"
            reasons.append(f"{gate.metric}={value:.6g} is not {op} the threshold {threshold:.6g}{origin} ({gate.direction})")

    if production is not None and gate.metric in production:
        improvement = relative_change_pct(value, float(production[gate.metric]), gate.direction)
        checks["beats_production"] = improvement >= gate.min_improvement_pct
        if not checks["beats_production"]:
            reasons.append(f"{gate.metric} improves on production by {improvement:.2f} %, the gate needs {gate.min_improvement_pct} %")
        for name in gate.secondary:
            if name in candidate and name in production:
                direction = "minimize" if lower_is_better(name) else "maximize"
                change = relative_change_pct(float(candidate[name]), float(production[name]), direction)
                ok = change >= -gate.max_secondary_regression_pct
                checks[f"secondary:{name}"] = ok
                if not ok:
                    reasons.append(f"{name} regresses by {-change:.2f} % (limit {gate.max_secondary_regression_pct} %)")
    else:
        checks["beats_production"] = True

    for criterion in gate.criteria:
        key = f"{criterion.source}:{criterion.name}"
        if criterion.name not in candidate:
            checks[key] = False
            reasons.append(f"{criterion.name} was not computed for the candidate ({criterion.source} criterion)")
            continue
        observed = float(candidate[criterion.name])
        checks[key] = criterion.passes(observed)
        if not checks[key]:
            bound = ">=" if criterion.bound == "at_least" else "<="
            reasons.append(f"{criterion.name}={observed:.6g} violates {bound} {criterion.threshold:.6g} ({criterion.source})")

    passed = all(checks.values())
    return GateDecision(passed, tuple(reasons) if reasons else ("all checks passed",), checks)


class RegistryClient(Protocol):
    def get_alias(self, model: str, alias: str) -> str | None: ...

    def set_alias(self, model: str, alias: str, version: str) -> None: ...

    def get_tags(self, model: str, version: str) -> dict[str, str]: ...

    def set_tag(self, model: str, version: str, key: str, value: str) -> None: ...


class LocalRegistry:
    """A JSON file holding aliases and tags per model: for tests, CI and rollback drills without a server."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def _load(self) -> dict[str, Any]:
        if not self.path.exists():
            return {}
        return json.loads(self.path.read_text(encoding="utf-8"))

    def _save(self, data: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(self.path.suffix + ".tmp")
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
        os.replace(tmp, self.path)

    def _model(self, data: dict[str, Any], model: str) -> dict[str, Any]:
        return data.setdefault(model, {"aliases": {}, "versions": {}})

    def get_alias(self, model: str, alias: str) -> str | None:
        return self._load().get(model, {}).get("aliases", {}).get(alias)

    def set_alias(self, model: str, alias: str, version: str) -> None:
        data = self._load()
        entry = self._model(data, model)
        entry["versions"].setdefault(version, {})
        entry["aliases"][alias] = version
        self._save(data)

    def get_tags(self, model: str, version: str) -> dict[str, str]:
        return dict(self._load().get(model, {}).get("versions", {}).get(version, {}))

    def set_tag(self, model: str, version: str, key: str, value: str) -> None:
        data = self._load()
        self._model(data, model)["versions"].setdefault(version, {})[key] = value
        self._save(data)


${client.code}

def make_registry(spec: str | None = None) -> RegistryClient:
    """local:<file.json> for the offline registry, otherwise the ${backend} registry at TRACKING_URI."""
    spec = spec if spec is not None else os.environ.get(ENV_SWITCH, "")
    if spec.startswith("local:"):
        return LocalRegistry(spec[len("local:"):])
    return ${client.cls}(TRACKING_URI)


def promote(
    client: RegistryClient,
    version: str,
    to_stage: str,
    decision: GateDecision,
    model: str = MODEL_NAME,
    clock: Callable[[], float] = time.time,
) -> None:
    """Moves a version one stage up. dev needs nothing; staging and prod need a passed gate decision."""
    if to_stage not in STAGES:
        raise ValueError(f"unknown stage {to_stage!r}; stages are {STAGES}")
    if to_stage != STAGES[0] and not decision.passed:
        raise PermissionError(f"version {version} may not enter {to_stage}: " + "; ".join(decision.reasons))
    if to_stage == "prod":
        if client.get_alias(model, "staging") != version:
            raise PermissionError(f"version {version} must be in staging before prod")
        current = client.get_alias(model, "prod")
        if current is not None and current != version:
            client.set_tag(model, version, "previous_prod_version", current)
    client.set_alias(model, to_stage, version)
    client.set_tag(model, version, f"promoted_to_{to_stage}_at", str(int(clock())))


def rollback(client: RegistryClient, to_version: str | None = None, reason: str = "", model: str = MODEL_NAME, clock: Callable[[], float] = time.time) -> str:
    """Re-points prod to to_version, or to the previous_prod_version tag of the current prod version."""
    current = client.get_alias(model, "prod")
    if current is None:
        raise LookupError(f"{model} has no prod version to roll back")
    target = to_version or client.get_tags(model, current).get("previous_prod_version")
    if not target:
        raise LookupError(f"{model} version {current} has no previous_prod_version tag; pass --to VERSION")
    if target == current:
        raise ValueError(f"{model} prod is already version {target}")
    client.set_alias(model, "prod", target)
    client.set_tag(model, current, "rolled_back_at", str(int(clock())))
    client.set_tag(model, current, "rollback_reason", reason or "unspecified")
    client.set_tag(model, target, "restored_from", current)
    return target


def _read_metrics(path: str | None) -> dict[str, float] | None:
    if path is None:
        return None
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    return {str(k): float(v) for k, v in raw.items()}


def _read_training_metrics(path: str | None) -> dict[str, float]:
    """The metrics block of training/__main__.py's output (CV mean and baseline/<model>/<metric> scores)."""
    if path is None:
        return {}
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    metrics = raw.get("metrics", raw) if isinstance(raw, dict) else {}
    return {str(k): float(v) for k, v in metrics.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="promotion", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--model", default=MODEL_NAME)
    parser.add_argument("--registry", default=None, help="local:<file.json> for the offline registry")
    sub = parser.add_subparsers(dest="command", required=True)
    p_promote = sub.add_parser("promote")
    p_promote.add_argument("--version", required=True)
    p_promote.add_argument("--to", required=True, choices=STAGES)
    p_promote.add_argument("--candidate-metrics", required=True)
    p_promote.add_argument("--production-metrics")
    p_promote.add_argument("--training-output", default=None, help="the training run's output JSON (its metrics hold the baseline scores)")
    p_rollback = sub.add_parser("rollback")
    p_rollback.add_argument("--to", default=None)
    p_rollback.add_argument("--reason", default="")
    args = parser.parse_args(argv)

    client = make_registry(args.registry)
    if args.command == "promote":
        candidate = {**_read_training_metrics(args.training_output), **(_read_metrics(args.candidate_metrics) or {})}
        decision = evaluate_gate(GATE, candidate, _read_metrics(args.production_metrics))
        print(json.dumps({"passed": decision.passed, "reasons": decision.reasons, "checks": decision.checks}))
        if args.to != STAGES[0] and not decision.passed:
            return 3
        promote(client, args.version, args.to, decision, model=args.model)
        return 0
    try:
        restored = rollback(client, args.to, args.reason, model=args.model)
    except (LookupError, ValueError) as exc:
        print(f"rollback failed: {exc}", file=sys.stderr)
        return 4
    print(restored)
    return 0


if __name__ == "__main__":
    sys.exit(main())
`;
}
