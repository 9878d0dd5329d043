import { pyLiteral } from '../../../generators/serializers/python.js';
import type { ResolvedSpec } from '../../../spec/resolve.js';
import type { MlPlan } from '../derive.js';
import { pipelineTasks } from './orchestration.js';

// Contract tests of the adapters whose SDKs are not installed in CI: a recording fake of the SDK goes into
// sys.modules, the adapter runs the call sequence of training/pipeline.py, and the test asserts the SDK calls.

const TRACKING_FAKES: Record<string, { module: string; fake: string; assertions: string }> = {
  mlflow: {
    module: 'mlflow',
    fake: String.raw`def fake_sdk(calls: list[tuple[str, Any]]) -> dict[str, types.ModuleType]:
    # Keyword names as in mlflow's fluent API (mlflow.set_tracking_uri, create_experiment, start_run, ...).
    sdk = types.ModuleType("mlflow")

    def set_tracking_uri(uri: str) -> None:
        calls.append(("set_tracking_uri", uri))

    def get_experiment_by_name(name: str) -> None:
        calls.append(("get_experiment_by_name", name))

    def create_experiment(name: str, artifact_location: str | None = None, tags: dict | None = None) -> str:
        calls.append(("create_experiment", {"name": name, "artifact_location": artifact_location}))
        return "1"

    def set_experiment(experiment_name: str | None = None, experiment_id: str | None = None) -> None:
        calls.append(("set_experiment", experiment_name))

    def start_run(run_id: str | None = None, experiment_id: str | None = None, run_name: str | None = None, nested: bool = False, tags: dict | None = None, description: str | None = None) -> None:
        calls.append(("start_run", {"run_name": run_name, "tags": tags}))

    def log_params(params: dict, synchronous: bool | None = None) -> None:
        calls.append(("log_params", dict(params)))

    def log_metrics(metrics: dict, step: int | None = None, synchronous: bool | None = None) -> None:
        calls.append(("log_metrics", {"metrics": dict(metrics), "step": step}))

    def log_artifact(local_path: str, artifact_path: str | None = None, run_id: str | None = None) -> None:
        calls.append(("log_artifact", {"local_path": local_path, "artifact_path": artifact_path}))

    def end_run(status: str = "FINISHED") -> None:
        calls.append(("end_run", status))

    for fn in (set_tracking_uri, get_experiment_by_name, create_experiment, set_experiment, start_run, log_params, log_metrics, log_artifact, end_run):
        setattr(sdk, fn.__name__, fn)
    return {"mlflow": sdk}
`,
    assertions: String.raw`    assert [name for name, _ in calls[:4]] == ["set_tracking_uri", "get_experiment_by_name", "create_experiment", "set_experiment"]
    assert calls[0][1] == tracking.TRACKING_URI
    assert calls[2][1] == {"name": tracking.EXPERIMENT, "artifact_location": tracking.ARTIFACT_URI}
    assert ("start_run", {"run_name": RUN_NAME, "tags": TAGS}) in calls
    assert ("log_params", {"cv.folds": 5, "xgb.params": '{"depth": 3}'}) in calls
    metrics = [data for name, data in calls if name == "log_metrics"]
    assert {"metrics": {"cv/xgb/auc/fold_0": 0.8}, "step": 0} in metrics
    assert any("cv/xgb/auc/mean" in m["metrics"] and m["step"] is None for m in metrics)
    assert ("log_artifact", {"local_path": ARTIFACT, "artifact_path": "model"}) in calls
    assert calls[-1] == ("end_run", "FINISHED")
`,
  },
  wandb: {
    module: 'wandb',
    fake: String.raw`def fake_sdk(calls: list[tuple[str, Any]]) -> dict[str, types.ModuleType]:
    # wandb.init(...) returns a Run: run.config.update, run.log, run.log_artifact(wandb.Artifact), run.finish.
    sdk = types.ModuleType("wandb")

    class Settings:
        def __init__(self, base_url: str | None = None, **rest: Any) -> None:
            self.base_url = base_url

    class Artifact:
        def __init__(self, name: str, type: str, description: str | None = None, metadata: dict | None = None) -> None:
            self.name, self.type, self.files = name, type, []

        def add_file(self, local_path: str, name: str | None = None, is_tmp: bool = False) -> None:
            self.files.append(local_path)

    class Config:
        def update(self, d: dict, allow_val_change: bool = False) -> None:
            calls.append(("config.update", {"values": dict(d), "allow_val_change": allow_val_change}))

    class Run:
        def __init__(self, name: str | None) -> None:
            self.name = name
            self.config = Config()

        def log(self, data: dict, step: int | None = None, commit: bool | None = None) -> None:
            calls.append(("log", {"data": dict(data), "step": step}))

        def log_artifact(self, artifact_or_path: Any, name: str | None = None, type: str | None = None, aliases: list | None = None) -> None:
            calls.append(("log_artifact", {"name": artifact_or_path.name, "type": artifact_or_path.type, "files": artifact_or_path.files}))

        def finish(self, exit_code: int | None = None, quiet: bool | None = None) -> None:
            calls.append(("finish", exit_code))

    def init(entity: str | None = None, project: str | None = None, name: str | None = None, tags: list | None = None, settings: Any = None, config: dict | None = None, job_type: str | None = None, group: str | None = None, notes: str | None = None, mode: str | None = None) -> Run:
        calls.append(("init", {"entity": entity, "project": project, "name": name, "tags": tags, "base_url": settings.base_url}))
        return Run(name)

    sdk.Settings, sdk.Artifact, sdk.init = Settings, Artifact, init
    return {"wandb": sdk}
`,
    assertions: String.raw`    init = calls[0]
    assert init[0] == "init"
    assert init[1]["name"] == RUN_NAME and init[1]["base_url"] == tracking.TRACKING_URI
    assert sorted(init[1]["tags"]) == sorted(f"{k}:{v}" for k, v in TAGS.items())
    entity, _, project = tracking.EXPERIMENT.partition("/")
    assert (init[1]["entity"], init[1]["project"]) == (entity or None, project or entity)
    assert ("config.update", {"values": {"cv.folds": 5, "xgb.params": '{"depth": 3}'}, "allow_val_change": True}) in calls
    assert ("log", {"data": {"cv/xgb/auc/fold_0": 0.8}, "step": 0}) in calls
    assert ("log_artifact", {"name": f"{RUN_NAME}-model", "type": "model", "files": [ARTIFACT]}) in calls
    assert calls[-1] == ("finish", 0)
`,
  },
  neptune: {
    module: 'neptune',
    fake: String.raw`def fake_sdk(calls: list[tuple[str, Any]]) -> dict[str, types.ModuleType]:
    # neptune.init_run(...) returns a Run: run[key] = value, run[key].append(value, step=...), run[key].upload(path), run.stop().
    sdk = types.ModuleType("neptune")

    class Field:
        def __init__(self, key: str) -> None:
            self.key = key

        def append(self, value: Any, step: float | None = None, timestamp: float | None = None, wait: bool = False) -> None:
            calls.append(("append", {"key": self.key, "value": value, "step": step}))

        def upload(self, value: Any, wait: bool = False) -> None:
            calls.append(("upload", {"key": self.key, "path": value}))

    class Run:
        def __getitem__(self, key: str) -> Field:
            return Field(key)

        def __setitem__(self, key: str, value: Any) -> None:
            calls.append(("assign", {"key": key, "value": value}))

        def stop(self, seconds: float | None = None) -> None:
            calls.append(("stop", None))

    def init_run(project: str | None = None, api_token: str | None = None, with_id: str | None = None, custom_run_id: str | None = None, mode: str | None = None, name: str | None = None, description: str | None = None, tags: list | None = None) -> Run:
        calls.append(("init_run", {"project": project, "name": name, "tags": tags}))
        return Run()

    sdk.init_run = init_run
    return {"neptune": sdk}
`,
    assertions: String.raw`    assert calls[0] == ("init_run", {"project": tracking.EXPERIMENT, "name": RUN_NAME, "tags": [f"{k}:{v}" for k, v in TAGS.items()]})
    assert ("assign", {"key": "parameters/cv.folds", "value": 5}) in calls
    assert ("assign", {"key": "parameters/xgb.params", "value": '{"depth": 3}'}) in calls
    assert ("append", {"key": "metrics/cv/xgb/auc/fold_0", "value": 0.8, "step": 0}) in calls
    assert ("append", {"key": "metrics/hpo/xgb/best", "value": 0.9, "step": None}) in calls
    assert ("upload", {"key": "artifacts/model/model_card.json", "path": ARTIFACT}) in calls
    assert calls[-2:] == [("assign", {"key": "status", "value": "FINISHED"}), ("stop", None)]
`,
  },
  clearml: {
    module: 'clearml',
    fake: String.raw`def fake_sdk(calls: list[tuple[str, Any]]) -> dict[str, types.ModuleType]:
    # clearml.Task.init(...) returns a Task: connect, get_logger().report_scalar, upload_artifact, mark_completed/mark_failed, close.
    sdk = types.ModuleType("clearml")

    class Logger:
        def report_scalar(self, title: str, series: str, value: float, iteration: int) -> None:
            calls.append(("report_scalar", {"title": title, "series": series, "value": value, "iteration": iteration}))

    class Task:
        @classmethod
        def init(cls, project_name: str | None = None, task_name: str | None = None, task_type: Any = None, tags: list | None = None, reuse_last_task_id: bool = True, continue_last_task: bool = False, output_uri: str | None = None, auto_connect_arg_parser: bool = True, auto_connect_frameworks: bool = True) -> "Task":
            calls.append(("init", {"project_name": project_name, "task_name": task_name, "tags": tags, "output_uri": output_uri, "reuse_last_task_id": reuse_last_task_id}))
            return cls()

        def connect(self, mutable: Any, name: str | None = None) -> Any:
            calls.append(("connect", {"values": dict(mutable), "name": name}))
            return mutable

        def get_logger(self) -> Logger:
            return Logger()

        def upload_artifact(self, name: str, artifact_object: Any, metadata: dict | None = None, delete_after_upload: bool = False, wait_on_upload: bool = False) -> bool:
            calls.append(("upload_artifact", {"name": name, "artifact_object": artifact_object}))
            return True

        def mark_completed(self, ignore_errors: bool = True, force: bool = False, status_message: str | None = None) -> None:
            calls.append(("mark_completed", None))

        def mark_failed(self, ignore_errors: bool = True, status_reason: str | None = None, status_message: str | None = None, force: bool = False) -> None:
            calls.append(("mark_failed", status_reason))

        def close(self) -> None:
            calls.append(("close", None))

    sdk.Task = Task
    return {"clearml": sdk}
`,
    assertions: String.raw`    assert calls[0] == ("init", {"project_name": tracking.EXPERIMENT, "task_name": RUN_NAME, "tags": [f"{k}:{v}" for k, v in TAGS.items()], "output_uri": tracking.ARTIFACT_URI, "reuse_last_task_id": False})
    assert ("connect", {"values": {"cv.folds": 5, "xgb.params": '{"depth": 3}'}, "name": "params"}) in calls
    assert ("report_scalar", {"title": "cv/xgb/auc", "series": "fold_0", "value": 0.8, "iteration": 0}) in calls
    assert ("report_scalar", {"title": "score", "series": "score", "value": 0.5, "iteration": 0}) in calls
    assert ("upload_artifact", {"name": "model/model_card.json", "artifact_object": ARTIFACT}) in calls
    assert calls[-2:] == [("mark_completed", None), ("close", None)]
`,
  },
};

const OTHER_SDKS = ['mlflow', 'wandb', 'neptune', 'clearml'];

/** tests/integration/test_tracking_contract.py: the configured adapter against a recording fake SDK, and the local tracker. */
export function trackingContractTestPy(plan: MlPlan): string {
  const backend = plan.decisions.tracking.backend;
  const fake = TRACKING_FAKES[backend];
  if (!fake) throw new Error(`no tracking fake for ${backend}`);
  return String.raw`"""Contract of the ${backend} tracking adapter: the call sequence of training/pipeline.py against a recording fake SDK.

The real SDK is not installed in CI; the fake accepts only the keyword names of its public API, so a misspelt
method or argument fails here. The offline LocalFileTracker runs the same sequence and must write every event.
"""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from ${plan.pkg}.training import tracking

pytestmark = pytest.mark.integration

RUN_NAME = "xgboost-rev1-abc1234"
TAGS = {"git_sha": "abc1234", "data_version": "rev1"}
SDK_MODULE = ${pyLiteral(fake.module)}
OTHER_SDKS = ${pyLiteral(OTHER_SDKS.filter((m) => m !== fake.module))}
ARTIFACT = ""


${fake.fake}

def exercise(tracker: tracking.Tracker, artifact: Path) -> None:
    tracker.start_run(RUN_NAME, TAGS)
    tracker.log_params({"cv.folds": 5, "xgb.params": {"depth": 3}})
    tracker.log_metrics({"hpo/xgb/best": 0.9})
    tracking.log_fold_scores(tracker, "xgb/auc", [0.8, 0.9])
    tracker.log_metrics({"score": 0.5}, step=0)
    tracker.log_artifact(str(artifact), "model")
    tracker.end_run("FINISHED")


@pytest.fixture()
def artifact(tmp_path: Path) -> Path:
    path = tmp_path / "model_card.json"
    path.write_text("{}", encoding="utf-8")
    return path


def test_the_configured_adapter_drives_the_sdk(monkeypatch: pytest.MonkeyPatch, artifact: Path) -> None:
    global ARTIFACT
    ARTIFACT = str(artifact)
    calls: list[tuple[str, Any]] = []
    for name, module in fake_sdk(calls).items():
        monkeypatch.setitem(sys.modules, name, module)
    for other in OTHER_SDKS:
        monkeypatch.setitem(sys.modules, other, None)  # importing another SDK would raise ImportError
    monkeypatch.delenv(tracking.ENV_SWITCH, raising=False)
    tracker = tracking.make_tracker()
    assert isinstance(tracker, tracking.Tracker)
    assert not isinstance(tracker, tracking.LocalFileTracker)
    exercise(tracker, artifact)
${fake.assertions}

def test_a_failed_run_is_reported_as_failed(monkeypatch: pytest.MonkeyPatch, artifact: Path) -> None:
    calls: list[tuple[str, Any]] = []
    for name, module in fake_sdk(calls).items():
        monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.delenv(tracking.ENV_SWITCH, raising=False)
    tracker = tracking.make_tracker()
    tracker.start_run(RUN_NAME, TAGS)
    before = len(calls)
    tracker.end_run("FAILED")
    assert calls[before:], "end_run must reach the SDK"
    assert "FINISHED" not in json.dumps(calls[before:]) and "mark_completed" not in json.dumps(calls[before:])


def test_the_local_tracker_writes_every_event(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, artifact: Path) -> None:
    monkeypatch.setenv(tracking.ENV_SWITCH, "local")
    tracker = tracking.make_tracker(local_dir=str(tmp_path / "tracking"))
    assert isinstance(tracker, tracking.LocalFileTracker)
    exercise(tracker, artifact)
    events = tracker.events()
    assert [e["event"] for e in events] == ["start", "params", "metrics", "metrics", "metrics", "metrics", "metrics", "artifact", "end"]
    assert {e["run"] for e in events} == {RUN_NAME}
    assert events[0]["data"] == {"tags": TAGS}
    assert events[1]["data"] == {"cv.folds": 5, "xgb.params": '{"depth": 3}'}
    assert events[3]["data"] == {"step": 0, "values": {"cv/xgb/auc/fold_0": 0.8}}
    assert events[-2]["data"] == {"path": str(artifact), "kind": "model"}
    assert events[-1]["data"] == {"status": "FINISHED"}
    assert tracker.path.is_file() and tracker.path.is_relative_to(tmp_path)


def test_the_local_tracker_refuses_logging_outside_a_run(tmp_path: Path) -> None:
    tracker = tracking.LocalFileTracker(tmp_path, "exp")
    with pytest.raises(RuntimeError):
        tracker.log_metrics({"x": 1.0})
`;
}

const ORCHESTRATION_FAKES: Record<string, { fake: string; graph: string }> = {
  kubeflow: {
    fake: String.raw`def install_fakes(monkeypatch: pytest.MonkeyPatch, record: Recorder) -> None:
    kfp = types.ModuleType("kfp")
    dsl = types.ModuleType("kfp.dsl")

    class ContainerSpec:
        def __init__(self, image: str, command: list | None = None, args: list | None = None) -> None:
            self.image, self.command, self.args = image, list(command or []), list(args or [])

    class PipelineTask:
        def __init__(self, component: str, spec: ContainerSpec) -> None:
            self.component, self.spec, self.name, self.upstream = component, spec, component, []
            record.tasks.append(self)

        def after(self, *tasks: "PipelineTask") -> "PipelineTask":
            self.upstream.extend(t.name for t in tasks)
            return self

        def set_display_name(self, name: str) -> "PipelineTask":
            self.name = name
            return self

        def _chain(self, *_args: Any) -> "PipelineTask":
            return self

        set_cpu_request = set_cpu_limit = set_memory_request = set_memory_limit = set_accelerator_type = set_accelerator_limit = set_retry = _chain

    def container_component(fn: Any) -> Any:
        def factory(**kwargs: Any) -> PipelineTask:
            return PipelineTask(fn.__name__, fn(**kwargs))

        return factory

    def pipeline(name: str | None = None, description: str | None = None, pipeline_root: str | None = None) -> Any:
        record.meta["pipeline"] = name
        return lambda fn: fn

    dsl.ContainerSpec, dsl.container_component, dsl.pipeline = ContainerSpec, container_component, pipeline
    kfp.dsl = dsl
    monkeypatch.setitem(sys.modules, "kfp", kfp)
    monkeypatch.setitem(sys.modules, "kfp.dsl", dsl)
`,
    graph: String.raw`def task_graph(module: Any, record: Recorder, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, list[str], list[str]]]:
    module.build_pipeline()(data_version=DATA_VERSION, git_sha=GIT_SHA)
    assert record.meta["pipeline"] == module.NAME
    assert {t.spec.image for t in record.tasks} == {module.IMAGE}
    return [(t.name, t.spec.command + t.spec.args, t.upstream) for t in record.tasks]
`,
  },
  airflow: {
    fake: String.raw`def install_fakes(monkeypatch: pytest.MonkeyPatch, record: Recorder) -> None:
    class DAG:
        def __init__(self, dag_id: str, schedule: str | None = None, **kwargs: Any) -> None:
            record.meta.update(dag_id=dag_id, schedule=schedule, **kwargs)

        def __enter__(self) -> "DAG":
            return self

        def __exit__(self, *exc: Any) -> None:
            return None

    class KubernetesPodOperator:
        def __init__(self, task_id: str, cmds: list, arguments: list, image: str, namespace: str, name: str, **kwargs: Any) -> None:
            self.task_id, self.argv, self.image, self.upstream = task_id, [*cmds, *arguments], image, []
            record.tasks.append(self)

        def __rshift__(self, other: "KubernetesPodOperator") -> "KubernetesPodOperator":
            other.upstream.append(self.task_id)
            return other

    modules = {name: types.ModuleType(name) for name in ["airflow", "airflow.providers", "airflow.providers.cncf", "airflow.providers.cncf.kubernetes", "airflow.providers.cncf.kubernetes.operators", "airflow.providers.cncf.kubernetes.operators.pod", "pendulum", "kubernetes", "kubernetes.client", "kubernetes.client.models"]}
    modules["airflow"].DAG = DAG
    modules["airflow.providers.cncf.kubernetes.operators.pod"].KubernetesPodOperator = KubernetesPodOperator
    modules["pendulum"].datetime = lambda *args, **kwargs: args
    modules["kubernetes.client.models"].V1ResourceRequirements = lambda requests=None, limits=None: {"requests": requests, "limits": limits}
    modules["kubernetes.client"].models = modules["kubernetes.client.models"]
    for name, module in modules.items():
        monkeypatch.setitem(sys.modules, name, module)
`,
    graph: String.raw`def task_graph(module: Any, record: Recorder, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, list[str], list[str]]]:
    assert module.dag is not None
    assert record.meta["dag_id"] == module.NAME and record.meta["schedule"] == module.CRON and record.meta["max_active_runs"] == 1
    assert {t.image for t in record.tasks} == {module.IMAGE}
    templated = module.task_arguments("{{ params.data_version }}", "{{ params.git_sha }}")
    for task in record.tasks:
        assert task.argv == templated[task.task_id]
    # The DAG passes Jinja templates; render them like Airflow would for the comparison below.
    render = lambda argv: [a.replace("{{ params.data_version }}", DATA_VERSION).replace("{{ params.git_sha }}", GIT_SHA) for a in argv]
    return [(t.task_id, render(t.argv), t.upstream) for t in record.tasks]
`,
  },
  prefect: {
    fake: String.raw`def install_fakes(monkeypatch: pytest.MonkeyPatch, record: Recorder) -> None:
    prefect = types.ModuleType("prefect")

    def task(retries: int = 0, timeout_seconds: float | None = None, task_run_name: str | None = None, name: str | None = None) -> Any:
        def decorate(fn: Any) -> Any:
            def submit(*args: Any, **kwargs: Any) -> Any:
                bound = inspect.signature(fn).bind(*args, **kwargs).arguments
                record.tasks.append((task_run_name or fn.__name__).format(**bound))
                return fn(*args, **kwargs)

            return submit

        return decorate

    def flow(name: str | None = None, **kwargs: Any) -> Any:
        record.meta["flow"] = name
        return lambda fn: fn

    prefect.task, prefect.flow = task, flow
    monkeypatch.setitem(sys.modules, "prefect", prefect)
`,
    graph: String.raw`def task_graph(module: Any, record: Recorder, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, list[str], list[str]]]:
    executed: list[list[str]] = []
    monkeypatch.setattr(module.subprocess, "run", lambda argv, **kwargs: executed.append(list(argv)))
    module.build_flow()(data_version=DATA_VERSION, git_sha=GIT_SHA)
    assert record.meta["flow"] == module.NAME.split("/")[0]
    assert len(executed) == len(record.tasks)
    # Sequential calls in the flow: each task depends on the one before it.
    return [(name, argv, [record.tasks[i - 1]] if i else []) for i, (name, argv) in enumerate(zip(record.tasks, executed))]
`,
  },
  dagster: {
    fake: String.raw`def install_fakes(monkeypatch: pytest.MonkeyPatch, record: Recorder) -> None:
    dagster = types.ModuleType("dagster")
    Nothing = object()

    class In:
        def __init__(self, dagster_type: Any = None) -> None:
            self.dagster_type = dagster_type

    class Invocation:
        def __init__(self, op: "OpDefinition", upstream: list[str]) -> None:
            self.name, self.upstream, self.op = op.name, upstream, op

    class OpDefinition:
        def __init__(self, name: str, ins: dict, fn: Any) -> None:
            self.name, self.ins, self.fn = name, ins, fn

        def __call__(self, **inputs: "Invocation") -> Invocation:
            assert set(inputs) == set(self.ins), f"{self.name}: inputs {sorted(inputs)} vs declared {sorted(self.ins)}"
            assert all(i.dagster_type is Nothing for i in self.ins.values())
            invocation = Invocation(self, [i.name for i in inputs.values()])
            record.tasks.append(invocation)
            return invocation

    def op(name: str | None = None, ins: dict | None = None, tags: dict | None = None, **kwargs: Any) -> Any:
        return lambda fn: OpDefinition(name or fn.__name__, dict(ins or {}), fn)

    def job(name: str | None = None, **kwargs: Any) -> Any:
        def decorate(fn: Any) -> Any:
            record.meta["job"] = name
            fn()
            return name

        return decorate

    dagster.In, dagster.Nothing, dagster.op, dagster.job = In, Nothing, op, job
    dagster.ScheduleDefinition = lambda **kwargs: record.meta.update(schedule=kwargs) or kwargs
    dagster.Definitions = lambda jobs=None, schedules=None: {"jobs": jobs, "schedules": schedules}
    monkeypatch.setitem(sys.modules, "dagster", dagster)
`,
    graph: String.raw`def task_graph(module: Any, record: Recorder, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, list[str], list[str]]]:
    assert module.defs is not None and module.defs["jobs"] == [record.meta["job"]]
    assert record.meta["schedule"]["cron_schedule"] == module.CRON and record.meta["schedule"]["name"] == module.NAME
    executed: list[list[str]] = []
    monkeypatch.setattr(module.subprocess, "run", lambda argv, **kwargs: executed.append(list(argv)))
    context = types.SimpleNamespace(run=types.SimpleNamespace(tags={"data_version": DATA_VERSION, "git_sha": GIT_SHA}))
    for invocation in record.tasks:
        invocation.op.fn(context)
    return [(i.name, argv, i.upstream) for i, argv in zip(record.tasks, executed)]
`,
  },
};

/** tests/integration/test_orchestration_contract.py: the pipeline file against recording fakes of the orchestrator SDK. */
export function orchestrationContractTestPy(spec: ResolvedSpec, plan: MlPlan): string {
  const tool = plan.orchestration.tool;
  const fake = ORCHESTRATION_FAKES[tool];
  if (!fake) throw new Error(`no orchestration fake for ${tool}`);
  const d = plan.decisions;
  const trainPrefix = d.distributed.enabled
    ? ['torchrun', `--nnodes=${d.distributed.workers}`, `--nproc_per_node=${d.distributed.gpus_per_worker}`, '-m', `${plan.pkg}.training`, '--config', 'configs/training.yaml']
    : ['python', '-m', `${plan.pkg}.training`, '--config', 'configs/training.yaml'];
  const tasks = pipelineTasks(spec);
  const sources = spec.data.sources.map((s) => s.name);
  const pipelineFile = plan.orchestration.file.split('/').slice(1).join('/');
  return String.raw`"""Contract of ${pipelineFile} (${tool}): task graph and command lines, with a recording fake of the SDK.

Expected flow: data validation per source -> training with HPO -> promotion gate${tasks.includes('batch_score') ? ' -> batch scoring' : ''}.
"""

from __future__ import annotations

import importlib.util
${spec.options.orchestration === 'prefect' ? 'import inspect\n' : ''}import sys
import types
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.integration

PIPELINE_FILE = Path(__file__).resolve().parents[2] / ${pyLiteral(pipelineFile)}
PACKAGE = ${pyLiteral(plan.pkg)}
EXPECTED_TASKS = ${pyLiteral(tasks)}
SOURCES = ${pyLiteral(sources)}
TRAIN_PREFIX = ${pyLiteral(trainPrefix)}
DATA_VERSION = "rev-2024-01-01"
GIT_SHA = "abc1234"


class Recorder:
    def __init__(self) -> None:
        self.tasks: list[Any] = []
        self.meta: dict[str, Any] = {}


${fake.fake}

${fake.graph}

def load_pipeline(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, PIPELINE_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture()
def graph(monkeypatch: pytest.MonkeyPatch) -> tuple[Any, list[tuple[str, list[str], list[str]]]]:
    record = Recorder()
    install_fakes(monkeypatch, record)
    module = load_pipeline("pipeline_under_contract")
    return module, task_graph(module, record, monkeypatch)


def test_the_tasks_run_in_the_documented_order(graph: Any) -> None:
    module, tasks = graph
    assert list(module.TASKS) == EXPECTED_TASKS
    assert [name for name, _, _ in tasks] == EXPECTED_TASKS


def test_each_task_waits_for_the_previous_stage(graph: Any) -> None:
    _, tasks = graph
    upstream = {name: set(deps) for name, _, deps in tasks}

    def ancestors(name: str) -> set[str]:
        found: set[str] = set()
        pending = list(upstream[name])
        while pending:
            current = pending.pop()
            if current not in found:
                found.add(current)
                pending.extend(upstream[current])
        return found

    validations = {f"validate_{s}" for s in SOURCES}
    # Validations may run in parallel or one after the other; training waits for all of them, directly or not.
    assert upstream["train"] and upstream["train"] <= validations
    assert ancestors("train") == validations
    assert upstream["promote"] == {"train"}
    if "batch_score" in upstream:
        assert upstream["batch_score"] == {"promote"}


def test_the_commands_match_the_training_job(graph: Any) -> None:
    _, tasks = graph
    argv = {name: command for name, command, _ in tasks}
    train = argv["train"]
    assert train[: len(TRAIN_PREFIX)] == TRAIN_PREFIX
    assert train[train.index("--data-version") + 1] == DATA_VERSION
    assert train[train.index("--git-sha") + 1] == GIT_SHA
    run_dir = f"/data/runs/{DATA_VERSION}-{GIT_SHA}"
    assert train[train.index("--metrics-output") + 1] == f"{run_dir}/metrics.json"
    for source in SOURCES:
        assert argv[f"validate_{source}"][:4] == ["python", "-m", f"{PACKAGE}.data.validation", source]
    promote = argv["promote"]
    assert promote[:4] == ["python", "-m", f"{PACKAGE}.registry.promotion", "promote"]
    assert promote[promote.index("--candidate-metrics") + 1] == f"{run_dir}/metrics.json"
    assert promote[promote.index("--training-output") + 1] == f"{run_dir}/last_training.json"
    assert promote[promote.index("--version") + 1] == f"{DATA_VERSION}-{GIT_SHA}"
    if "batch_score" in argv:
        assert argv["batch_score"] == ["python", "-m", f"{PACKAGE}.serving.batch_score"]


def test_the_file_imports_without_the_sdk() -> None:
    module = load_pipeline("pipeline_without_sdk")
    assert list(module.task_arguments(DATA_VERSION, GIT_SHA)) == EXPECTED_TASKS
`;
}
