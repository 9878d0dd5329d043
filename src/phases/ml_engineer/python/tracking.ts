import { pyLiteral } from '../../../generators/serializers/python.js';
import type { MlPlan } from '../derive.js';

// tracking.py: a Tracker Protocol, an offline JSON-lines tracker, and the adapter of the chosen backend only
// (its SDK imported lazily), plus the factory that picks one.

const ADAPTERS: Record<string, { cls: string; code: string }> = {
  mlflow: {
    cls: 'MlflowTracker',
    code: String.raw`class MlflowTracker:
    """MLflow: one experiment per pipeline, one run per training run; artifacts go to the experiment's artifact root."""

    def __init__(self, tracking_uri: str, experiment: str, artifact_uri: str) -> None:
        import mlflow

        self._mlflow = mlflow
        mlflow.set_tracking_uri(tracking_uri)
        if mlflow.get_experiment_by_name(experiment) is None:
            mlflow.create_experiment(experiment, artifact_location=artifact_uri)
        mlflow.set_experiment(experiment)

    def start_run(self, run_name: str, tags: Mapping[str, str]) -> None:
        self._mlflow.start_run(run_name=run_name, tags=dict(tags))

    def log_params(self, params: Mapping[str, Any]) -> None:
        self._mlflow.log_params({k: _scalar(v) for k, v in params.items()})

    def log_metrics(self, metrics: Mapping[str, float], step: int | None = None) -> None:
        self._mlflow.log_metrics({_metric_key(k): float(v) for k, v in metrics.items()}, step=step)

    def log_artifact(self, path: str, kind: str) -> None:
        self._mlflow.log_artifact(path, artifact_path=kind)

    def end_run(self, status: str = "FINISHED") -> None:
        self._mlflow.end_run(status=status)
`,
  },
  wandb: {
    cls: 'WandbTracker',
    code: String.raw`class WandbTracker:
    """Weights & Biases: one project per pipeline (entity/project), one run per training run, artifacts as W&B Artifacts."""

    def __init__(self, tracking_uri: str, experiment: str, artifact_uri: str) -> None:
        import wandb

        self._wandb = wandb
        self._project = experiment
        self._base_url = tracking_uri
        self._run: Any = None

    def start_run(self, run_name: str, tags: Mapping[str, str]) -> None:
        entity, _, project = self._project.partition("/")
        self._run = self._wandb.init(
            entity=entity or None,
            project=project or entity,
            name=run_name,
            tags=[f"{k}:{v}" for k, v in tags.items()],
            settings=self._wandb.Settings(base_url=self._base_url),
        )

    def log_params(self, params: Mapping[str, Any]) -> None:
        self._run.config.update({k: _scalar(v) for k, v in params.items()}, allow_val_change=True)

    def log_metrics(self, metrics: Mapping[str, float], step: int | None = None) -> None:
        self._run.log({k: float(v) for k, v in metrics.items()}, step=step)

    def log_artifact(self, path: str, kind: str) -> None:
        artifact = self._wandb.Artifact(name=f"{self._run.name}-{kind}".replace("/", "-"), type=kind)
        artifact.add_file(path)
        self._run.log_artifact(artifact)

    def end_run(self, status: str = "FINISHED") -> None:
        self._run.finish(exit_code=0 if status == "FINISHED" else 1)
`,
  },
  neptune: {
    cls: 'NeptuneTracker',
    code: String.raw`class NeptuneTracker:
    """Neptune: one project per pipeline (workspace/project), one run per training run, files uploaded under artifacts/."""

    def __init__(self, tracking_uri: str, experiment: str, artifact_uri: str) -> None:
        import neptune

        self._neptune = neptune
        self._project = experiment
        self._run: Any = None

    def start_run(self, run_name: str, tags: Mapping[str, str]) -> None:
        self._run = self._neptune.init_run(project=self._project, name=run_name, tags=[f"{k}:{v}" for k, v in tags.items()])

    def log_params(self, params: Mapping[str, Any]) -> None:
        for key, value in params.items():
            self._run[f"parameters/{key}"] = _scalar(value)

    def log_metrics(self, metrics: Mapping[str, float], step: int | None = None) -> None:
        for key, value in metrics.items():
            if step is None:
                self._run[f"metrics/{key}"].append(float(value))
            else:
                self._run[f"metrics/{key}"].append(float(value), step=step)

    def log_artifact(self, path: str, kind: str) -> None:
        self._run[f"artifacts/{kind}/{Path(path).name}"].upload(path)

    def end_run(self, status: str = "FINISHED") -> None:
        self._run["status"] = status
        self._run.stop()
`,
  },
  clearml: {
    cls: 'ClearmlTracker',
    code: String.raw`class ClearmlTracker:
    """ClearML: one project per pipeline, one Task per training run; scalars via the task logger."""

    def __init__(self, tracking_uri: str, experiment: str, artifact_uri: str) -> None:
        from clearml import Task

        self._task_cls = Task
        self._project = experiment
        self._output_uri = artifact_uri
        self._task: Any = None

    def start_run(self, run_name: str, tags: Mapping[str, str]) -> None:
        self._task = self._task_cls.init(
            project_name=self._project,
            task_name=run_name,
            tags=[f"{k}:{v}" for k, v in tags.items()],
            output_uri=self._output_uri,
            reuse_last_task_id=False,
        )

    def log_params(self, params: Mapping[str, Any]) -> None:
        self._task.connect({k: _scalar(v) for k, v in params.items()}, name="params")

    def log_metrics(self, metrics: Mapping[str, float], step: int | None = None) -> None:
        logger = self._task.get_logger()
        for key, value in metrics.items():
            title, _, series = key.rpartition("/")
            logger.report_scalar(title=title or key, series=series or key, value=float(value), iteration=step or 0)

    def log_artifact(self, path: str, kind: str) -> None:
        self._task.upload_artifact(name=f"{kind}/{Path(path).name}", artifact_object=path)

    def end_run(self, status: str = "FINISHED") -> None:
        if status == "FINISHED":
            self._task.mark_completed()
        else:
            self._task.mark_failed(status_reason=status)
        self._task.close()
`,
  },
};

export function trackingPy(plan: MlPlan, envPrefix: string): string {
  const t = plan.decisions.tracking;
  const adapter = ADAPTERS[t.backend];
  if (!adapter) throw new Error(`no tracking adapter for ${t.backend}`);
  return String.raw`"""Experiment tracking for this pipeline: backend ${t.backend} at ${t.tracking_uri}, experiment ${t.experiment_name}.

Set ${envPrefix}_TRACKING=local to write JSON lines under ${t.local_dir}/ instead (offline runs, CI and tests).
"""

from __future__ import annotations

import json
import math
import os
import statistics
import threading
import time
from pathlib import Path
from typing import Any, Mapping, Protocol, Sequence, runtime_checkable

BACKEND: str = ${pyLiteral(t.backend)}
TRACKING_URI: str = ${pyLiteral(t.tracking_uri)}
EXPERIMENT: str = ${pyLiteral(t.backend === 'mlflow' ? t.experiment_name : t.project)}
ARTIFACT_URI: str = ${pyLiteral(t.artifact_uri)}
LOCAL_DIR: str = ${pyLiteral(t.local_dir)}
ENV_SWITCH: str = ${pyLiteral(`${envPrefix}_TRACKING`)}


@runtime_checkable
class Tracker(Protocol):
    def start_run(self, run_name: str, tags: Mapping[str, str]) -> None: ...

    def log_params(self, params: Mapping[str, Any]) -> None: ...

    def log_metrics(self, metrics: Mapping[str, float], step: int | None = None) -> None: ...

    def log_artifact(self, path: str, kind: str) -> None: ...

    def end_run(self, status: str = "FINISHED") -> None: ...


def _scalar(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return json.dumps(value, sort_keys=True, default=str)


def _metric_key(key: str) -> str:
    # MLflow accepts letters, digits, _ - . space / only.
    return "".join(c if c.isalnum() or c in "_-. /" else "_" for c in key)


class LocalFileTracker:
    """One JSON object per event in <directory>/<experiment>/runs.jsonl; needs nothing but the standard library."""

    def __init__(self, directory: str | Path, experiment: str) -> None:
        self.path = Path(directory) / experiment.replace("/", "__") / "runs.jsonl"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._run: str | None = None
        self._lock = threading.Lock()

    def _write(self, event: str, data: Mapping[str, Any]) -> None:
        if self._run is None:
            raise RuntimeError("start_run() must be called before logging")
        line = json.dumps({"ts": time.time(), "run": self._run, "event": event, "data": data}, sort_keys=True, default=str)
        with self._lock, self.path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")

    def start_run(self, run_name: str, tags: Mapping[str, str]) -> None:
        self._run = run_name
        self._write("start", {"tags": dict(tags)})

    def log_params(self, params: Mapping[str, Any]) -> None:
        self._write("params", {k: _scalar(v) for k, v in params.items()})

    def log_metrics(self, metrics: Mapping[str, float], step: int | None = None) -> None:
        self._write("metrics", {"step": step, "values": {k: float(v) for k, v in metrics.items()}})

    def log_artifact(self, path: str, kind: str) -> None:
        self._write("artifact", {"path": str(path), "kind": kind})

    def end_run(self, status: str = "FINISHED") -> None:
        self._write("end", {"status": status})
        self._run = None

    def events(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]


${adapter.code}

class NullTracker:
    """Records nothing: the tracker of every process but rank 0 in a multi-process run (one run per training)."""

    def start_run(self, run_name: str, tags: Mapping[str, str]) -> None:
        return None

    def log_params(self, params: Mapping[str, Any]) -> None:
        return None

    def log_metrics(self, metrics: Mapping[str, float], step: int | None = None) -> None:
        return None

    def log_artifact(self, path: str, kind: str) -> None:
        return None

    def end_run(self, status: str = "FINISHED") -> None:
        return None


def make_tracker(backend: str = BACKEND, tracking_uri: str = TRACKING_URI, experiment: str = EXPERIMENT, artifact_uri: str = ARTIFACT_URI, local_dir: str = LOCAL_DIR) -> Tracker:
    """The configured backend, or the local file tracker when ${envPrefix}_TRACKING=local."""
    if os.environ.get(ENV_SWITCH, "").lower() == "local" or backend == "local":
        return LocalFileTracker(local_dir, experiment)
    if backend != BACKEND:
        raise ValueError(f"this build has adapters for {BACKEND!r} and 'local', not {backend!r}")
    return ${adapter.cls}(tracking_uri, experiment, artifact_uri)


def log_fold_scores(tracker: Tracker, name: str, scores: Sequence[float]) -> None:
    """cv/<name>/fold_<i> per fold, then mean and standard deviation (the spread is what comparisons need)."""
    for fold, score in enumerate(scores):
        tracker.log_metrics({f"cv/{name}/fold_{fold}": score}, step=fold)
    finite = [s for s in scores if math.isfinite(s)]
    if finite:
        summary = {f"cv/{name}/mean": statistics.fmean(finite)}
        if len(finite) > 1:
            summary[f"cv/{name}/std"] = statistics.stdev(finite)
        tracker.log_metrics(summary)
`;
}
