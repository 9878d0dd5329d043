import { pyLiteral } from '../../../generators/serializers/python.js';
import type { ResolvedSpec } from '../../../spec/resolve.js';
import { MODEL_DIR, SERVING_MODEL_FILE } from '../platform.js';

/** File name of the pickled model inside MODEL_DIR when <PREFIX>_MODEL_PATH is not set. */
export const MODEL_FILE = SERVING_MODEL_FILE;

/** Problem types whose models return classes and may offer predict_proba. */
export function classifies(spec: ResolvedSpec): boolean {
  return spec.problem.type === 'binary_classification' || spec.problem.type === 'multiclass_classification';
}

/** serving/model.py: where the model comes from, loading it once, and turning its outputs into JSON values. */
export function modelPy(spec: ResolvedSpec, envPrefix: string): string {
  return String.raw`"""The served model: located from the environment, loaded once per process, called on a DataFrame.

Contract: a standard-library pickle of an object with predict(frame) -> numpy array over the raw feature columns,
optionally predict_proba(frame) (classification) and feature_names (the columns it expects, in order).
Path: $${envPrefix}_MODEL_PATH, else $MODEL_DIR/${MODEL_FILE} (MODEL_DIR comes from the serving ConfigMap).
Version: $${envPrefix}_MODEL_VERSION, else the first 12 hex digits of the file's sha256.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from ..cache import content_hash, load_model_once
from ..errors import ConfigError
from .schema import MODEL_INPUTS

PATH_ENV: str = ${pyLiteral(`${envPrefix}_MODEL_PATH`)}
VERSION_ENV: str = ${pyLiteral(`${envPrefix}_MODEL_VERSION`)}
DEFAULT_DIR: str = ${pyLiteral(MODEL_DIR)}
MODEL_FILE: str = ${pyLiteral(MODEL_FILE)}
PROBLEM_TYPE: str = ${pyLiteral(spec.problem.type)}
CLASSIFICATION: bool = ${classifies(spec) ? 'True' : 'False'}


def model_path(environ: Optional[Dict[str, str]] = None) -> Path:
    env = os.environ if environ is None else environ
    explicit = env.get(PATH_ENV)
    if explicit:
        return Path(explicit)
    return Path(env.get("MODEL_DIR", DEFAULT_DIR)) / MODEL_FILE


def model_version(path: Path, environ: Optional[Dict[str, str]] = None) -> str:
    env = os.environ if environ is None else environ
    return env.get(VERSION_ENV) or content_hash(path)[:12]


def _unpickle(uri: str, _version: str) -> Any:
    # The model file comes from our own registry bucket (never user uploads): pickle is the contract.
    with open(uri, "rb") as handle:
        return pickle.load(handle)  # noqa: S301


class LoadedModel:
    """A model with its version and the columns it reads."""

    def __init__(self, model: Any, version: str) -> None:
        if not hasattr(model, "predict"):
            raise ConfigError("the model object has no predict(frame) method")
        self.model = model
        self.version = version
        names = getattr(model, "feature_names", None)
        self.columns: List[str] = list(names) if names is not None else list(MODEL_INPUTS)
        self.has_proba = CLASSIFICATION and hasattr(model, "predict_proba")

    def predict(self, frame: Any) -> List[Any]:
        return [native(v) for v in self.model.predict(frame[self.columns])]

    def predict_proba(self, frame: Any) -> Optional[List[List[float]]]:
        if not self.has_proba:
            return None
        return [[float(p) for p in row] for row in self.model.predict_proba(frame[self.columns])]

    def score_rows(self, rows: Sequence[Dict[str, Any]]) -> List[Dict[str, Any]]:
        """Validated records ({column: value}) to [{"prediction", "probabilities"?}], in process."""
        from .schema import to_frame

        frame = to_frame(rows, self.columns)
        return rows_out(self.predict(frame), self.predict_proba(frame))


def load(path: Optional[Path] = None, environ: Optional[Dict[str, str]] = None) -> LoadedModel:
    """The model at path (default: from the environment), unpickled once per process per (path, version)."""
    where = path or model_path(environ)
    if not where.is_file():
        raise ConfigError(f"no model file at {where} (set {PATH_ENV} or MODEL_DIR)", context={"path": str(where)})
    version = model_version(where, environ)
    return LoadedModel(load_model_once(str(where), version, _unpickle), version)


def native(value: Any) -> Any:
    """numpy scalars to plain Python (JSON-serialisable) values."""
    return value.item() if hasattr(value, "item") else value


def rows_out(predictions: Sequence[Any], probabilities: Optional[Sequence[Sequence[float]]]) -> List[Dict[str, Any]]:
    out: List[Dict[str, Any]] = []
    for i, prediction in enumerate(predictions):
        row: Dict[str, Any] = {"prediction": prediction}
        if probabilities is not None:
            row["probabilities"] = list(probabilities[i])
        out.append(row)
    return out
`;
}
