import { pyLiteral } from '../../../generators/serializers/python.js';
import type { ResolvedSpec } from '../../../spec/resolve.js';
import { workloadNames, workloadNamespaces } from '../../mlops_engineer/naming.js';
import type { MlPlan } from '../derive.js';

const MACRO_CRON: Record<string, string> = { '@hourly': '0 * * * *', '@daily': '0 0 * * *', '@weekly': '0 0 * * 0', '@monthly': '0 0 1 * *' };

/** Five-field cron (macros expanded: not every scheduler accepts them). */
export function fiveFieldCron(cron: string): string {
  return MACRO_CRON[cron] ?? cron;
}

/** training/__main__.py: the container entrypoint every orchestrator runs. */
export function trainingMainPy(plan: MlPlan, envPrefix: string): string {
  return String.raw`"""Entrypoint of one training run: python -m ${plan.pkg}.training --config configs/training.yaml --data-version REV.

The concrete steps (loader, preprocessor, trainers, evaluator, ensembler) come from a factory named by --steps
(module:function, default ${plan.pkg}.steps:build_steps) returning a mapping with those keys; this keeps the run loop
independent of the algorithm and lets tests pass fakes. When the steps also provide "package", the served model is
written to --output-dir as model.pkl (one pickled object) with model_card.json.

--sample ROWS trains on generated rows (${plan.pkg}.sample_data) with a shrunk configuration: few trials and folds,
in-memory HPO storage, the local tracker. A demo: python -m ${plan.pkg}.training --sample 2000 --output-dir runs/sample

Under torchrun (or horovodrun) each process runs this module: torch members train data parallel (DDP), other
members share the HPO trials, and rank 0 alone writes (training/distributed.py). Locally, on CPUs:
torchrun --standalone --nproc_per_node 2 -m ${plan.pkg}.training --sample 2000
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from . import distributed
from .config import load_config
from .hpo import load_search_spaces
from .pipeline import run_training
from .tracking import NullTracker, make_tracker

DEFAULT_STEPS = ${pyLiteral(`${plan.pkg}.steps:build_steps`)}
REQUIRED_STEPS = ("loader", "preprocessor", "trainers", "evaluator", "ensembler")


def resolve_steps(ref: str, config: Any) -> Mapping[str, Any]:
    module_name, _, attr = ref.partition(":")
    if not module_name or not attr:
        raise ValueError(f"--steps must be module:function, got {ref!r}")
    factory: Callable[[Any], Mapping[str, Any]] = getattr(importlib.import_module(module_name), attr)
    steps = factory(config)
    missing = [k for k in REQUIRED_STEPS if k not in steps]
    if missing:
        raise ValueError(f"{ref} did not provide {missing}")
    return steps


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="${plan.pkg}.training")
    parser.add_argument("--config", default="configs/training.yaml")
    parser.add_argument("--data-version", default=os.environ.get(${pyLiteral(`${envPrefix}_DATA_VERSION`)}, "latest"))
    parser.add_argument("--git-sha", default=os.environ.get("GIT_SHA", "unknown"))
    parser.add_argument("--steps", default=DEFAULT_STEPS)
    parser.add_argument("--output", default="runs/last_training.json", help="where the run's metrics and tags are written")
    parser.add_argument("--output-dir", default="runs/model", help="where model.pkl and model_card.json are written")
    parser.add_argument("--metrics-output", default=None, help="also write the flat metrics here (the promotion gate's --candidate-metrics)")
    parser.add_argument("--sample", type=int, default=0, metavar="ROWS", help="train on ROWS generated rows with a shrunk configuration")
    parser.add_argument("--trials", type=int, default=3, help="HPO trials per member with --sample")
    args = parser.parse_args(argv)

    config = load_config(args.config)
    space_path = Path(args.config).resolve().parent.parent / config.hpo.search_space_file
    spaces = load_search_spaces(space_path)
    tracker = None
    if args.sample:
        from .. import steps as sample_steps

        config = sample_steps.sample_config(config, rows=args.sample, trials=args.trials)
        spaces = sample_steps.quick_spaces(spaces)
        tracker = make_tracker(backend="local", local_dir=str(Path(args.output_dir) / "tracking"))
    # Under torchrun/horovodrun every process runs this; only rank 0 tracks and writes (training/distributed.py).
    ctx = distributed.setup([m.family for m in config.hpo.members])
    if not ctx.is_primary:
        tracker = NullTracker()
    try:
        steps = resolve_steps(args.steps, config)
        result = run_training(
            config,
            steps["loader"],
            steps["preprocessor"],
            steps["trainers"],
            steps["evaluator"],
            steps["ensembler"],
            tracker or make_tracker(),
            spaces,
            args.data_version,
            args.git_sha,
        )
        if result is None or not ctx.is_primary:
            return 0
        write_outputs(args, config, steps, result, ctx)
    finally:
        distributed.teardown()
    return 0


def write_outputs(args: argparse.Namespace, config: Any, steps: Mapping[str, Any], result: Any, ctx: distributed.DistributedContext) -> None:
    result.tags["world_size"] = str(ctx.world_size)
    result.tags["distributed_mode"] = ctx.mode
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"metrics": result.metrics, "best_params": result.best_params, "tags": result.tags, "minutes": result.minutes}, indent=2, default=str), encoding="utf-8")
    if args.metrics_output:
        flat = Path(args.metrics_output)
        flat.parent.mkdir(parents=True, exist_ok=True)
        # The promotion gate reads the primary metric by its bare name (the CV mean), next to the baseline scores.
        metrics = {k: float(v) for k, v in result.metrics.items()}
        metrics[config.metric.primary] = metrics[f"cv/{config.metric.primary}/mean"]
        flat.write_text(json.dumps(metrics, indent=2, sort_keys=True), encoding="utf-8")
    if "package" in steps:
        from .. import steps as default_steps

        card = default_steps.save_model(result, config, args.output_dir, steps["package"](result))
        print(json.dumps({"model": str(Path(args.output_dir) / "model.pkl"), "baseline": card["baseline"]}))
    print(json.dumps(result.metrics))


if __name__ == "__main__":
    sys.exit(main())
`;
}

/** Ordered task names of the pipeline: one validation per source, training (with HPO), the promotion gate, batch scoring. */
export function pipelineTasks(spec: ResolvedSpec): string[] {
  return [...spec.data.sources.map((s) => `validate_${s.name}`), 'train', 'promote', ...(hasBatchScoring(spec) ? ['batch_score'] : [])];
}

export function hasBatchScoring(spec: ResolvedSpec): boolean {
  return spec.options.deployment_mode === 'batch' || spec.options.deployment_mode === 'hybrid';
}

/** ml/pipelines/training_<tool>.py: how the chosen orchestrator runs the schedule. */
export function orchestrationPy(spec: ResolvedSpec, plan: MlPlan): string {
  const d = plan.decisions;
  const batch = hasBatchScoring(spec);
  const header = String.raw`from __future__ import annotations

import os
import subprocess
${spec.options.orchestration === 'airflow' ? 'from datetime import timedelta\n' : ''}
NAME: str = ${pyLiteral(plan.orchestration.name)}
CRON: str = ${pyLiteral(fiveFieldCron(spec.scale.training_schedule))}
NAMESPACE: str = ${pyLiteral(workloadNamespaces(spec).training)}
IMAGE: str = os.environ.get("TRAINING_IMAGE", ${pyLiteral(`${workloadNames(spec).jobsImage}:latest`)})
CPU: str = ${pyLiteral(d.training.cpu)}
MEMORY: str = ${pyLiteral(d.training.memory)}
GPUS: int = ${pyLiteral(d.training.gpus)}
TIMEOUT_MINUTES: int = ${pyLiteral(d.training.timeout_minutes)}
PACKAGE: str = ${pyLiteral(plan.pkg)}
# The jobs image's working directory holds configs/ (docker/jobs/Dockerfile); the training PVC is mounted at /data.
TRAIN_COMMAND: list[str] = ${pyLiteral(d.distributed.enabled
    ? ['torchrun', `--nnodes=${d.distributed.workers}`, `--nproc_per_node=${d.distributed.gpus_per_worker}`, '-m', `${plan.pkg}.training`, '--config', 'configs/training.yaml']
    : ['python', '-m', `${plan.pkg}.training`, '--config', 'configs/training.yaml'])}
DATA_DIR: str = "/data"
SOURCES: tuple[str, ...] = tuple(${pyLiteral(spec.data.sources.map((s) => s.name))})
PROMOTE_TO: str = ${pyLiteral(d.registry.stages[1] ?? 'staging')}
BATCH_SCORING: bool = ${batch ? 'True' : 'False'}
# Task order: data validation (one task per source) -> training with HPO -> promotion gate${batch ? ' -> batch scoring' : ''}.
TASKS: tuple[str, ...] = (*[f"validate_{source}" for source in SOURCES], "train", "promote", *(["batch_score"] if BATCH_SCORING else []))


def run_dir(data_version: str, git_sha: str) -> str:
    return f"{DATA_DIR}/runs/{data_version}-{git_sha}"


def model_version(data_version: str, git_sha: str) -> str:
    return f"{data_version}-{git_sha}"


def validate_arguments(source: str) -> list[str]:
    return ["python", "-m", f"{PACKAGE}.data.validation", source, f"{DATA_DIR}/snapshots/{source}.jsonl", "--report", f"{DATA_DIR}/reports/validation_{source}.json"]


def train_arguments(data_version: str, git_sha: str) -> list[str]:
    out = run_dir(data_version, git_sha)
    return [*TRAIN_COMMAND, "--data-version", data_version, "--git-sha", git_sha, "--output", f"{out}/last_training.json", "--output-dir", f"{out}/model", "--metrics-output", f"{out}/metrics.json"]


def promote_arguments(data_version: str, git_sha: str) -> list[str]:
    """The promotion gate: exits 3 (failing the pipeline) when the candidate misses the threshold or the baseline."""
    out = run_dir(data_version, git_sha)
    return [
        "python", "-m", f"{PACKAGE}.registry.promotion", "promote",
        "--version", model_version(data_version, git_sha), "--to", PROMOTE_TO,
        "--candidate-metrics", f"{out}/metrics.json", "--training-output", f"{out}/last_training.json",
    ]


def batch_score_arguments() -> list[str]:
    """Batch scoring with the promoted model; input and output locations come from the environment (serving ConfigMap)."""
    return ["python", "-m", f"{PACKAGE}.serving.batch_score"]


def task_arguments(data_version: str = "latest", git_sha: str = "unknown") -> dict[str, list[str]]:
    """Every task's full command line, in execution order."""
    argv: dict[str, list[str]] = {f"validate_{source}": validate_arguments(source) for source in SOURCES}
    argv["train"] = train_arguments(data_version, git_sha)
    argv["promote"] = promote_arguments(data_version, git_sha)
    if BATCH_SCORING:
        argv["batch_score"] = batch_score_arguments()
    return argv


def split_command(argv: list[str]) -> tuple[list[str], list[str]]:
    """Container command and args, split like the Kubernetes Jobs: python -m MODULE | ARGS, or LAUNCHER | ARGS."""
    cut = 3 if argv[:2] == ["python", "-m"] else 1
    return argv[:cut], argv[cut:]


def run_locally(data_version: str = "latest", git_sha: str = "unknown") -> None:
    """What the tasks below execute, in order, runnable without the orchestrator."""
    for argv in task_arguments(data_version, git_sha).values():
        subprocess.run(argv, check=True, timeout=TIMEOUT_MINUTES * 60)
`;
  switch (plan.orchestration.tool) {
    case 'kubeflow':
      return String.raw`"""Kubeflow Pipelines (KFP v2) training pipeline ${plan.orchestration.name}, scheduled by a recurring run.

python training_kubeflow.py compile  -> training_pipeline.yaml
python training_kubeflow.py schedule --host URL  -> recurring run (max one concurrent run)
"""

${header}
# KFP cron expressions carry a leading seconds field.
KFP_CRON: str = "0 " + CRON


def build_pipeline():  # type: ignore[no-untyped-def]
    from kfp import dsl

    def step(argv: list[str]):  # type: ignore[no-untyped-def]
        command, args = split_command(argv)
        return dsl.ContainerSpec(image=IMAGE, command=command, args=args)

    @dsl.container_component
    def validate(source: str):  # type: ignore[no-untyped-def]
        return step(validate_arguments(source))

    @dsl.container_component
    def train(data_version: str, git_sha: str):  # type: ignore[no-untyped-def]
        return step(train_arguments(data_version, git_sha))

    @dsl.container_component
    def promote(data_version: str, git_sha: str):  # type: ignore[no-untyped-def]
        return step(promote_arguments(data_version, git_sha))

    @dsl.container_component
    def batch_score():  # type: ignore[no-untyped-def]
        return step(batch_score_arguments())

    @dsl.pipeline(name=NAME, description="Data validation, training with HPO, promotion gate and batch scoring; alerts trigger ad-hoc runs")
    def training_pipeline(data_version: str = "latest", git_sha: str = "unknown"):  # type: ignore[no-untyped-def]
        checks = []
        for source in SOURCES:
            check = validate(source=source)
            check.set_display_name(f"validate_{source}")
            checks.append(check)
        training = train(data_version=data_version, git_sha=git_sha).after(*checks)
        training.set_display_name("train")
        training.set_cpu_request(CPU).set_cpu_limit(CPU)
        training.set_memory_request(MEMORY).set_memory_limit(MEMORY)
        if GPUS > 0:
            training.set_accelerator_type("nvidia.com/gpu").set_accelerator_limit(GPUS)
        training.set_retry(1)
        gate = promote(data_version=data_version, git_sha=git_sha).after(training)
        gate.set_display_name("promote")
        if BATCH_SCORING:
            batch_score().after(gate).set_display_name("batch_score")

    return training_pipeline


def compile_pipeline(path: str = "training_pipeline.yaml") -> str:
    from kfp import compiler

    compiler.Compiler().compile(build_pipeline(), package_path=path)
    return path


def schedule(host: str, path: str = "training_pipeline.yaml") -> str:
    import kfp

    client = kfp.Client(host=host, namespace=NAMESPACE)
    experiment = client.create_experiment(NAME, namespace=NAMESPACE)
    run = client.create_recurring_run(
        experiment_id=experiment.experiment_id,
        job_name=NAME,
        cron_expression=KFP_CRON,
        pipeline_package_path=compile_pipeline(path),
        max_concurrency=1,
        no_catchup=True,
    )
    return str(run.recurring_run_id)


if __name__ == "__main__":
    import sys

    if len(sys.argv) > 2 and sys.argv[1] == "schedule":
        print(schedule(sys.argv[-1]))
    else:
        print(compile_pipeline())
`;
    case 'airflow':
      return String.raw`"""Airflow DAG ${plan.orchestration.name}: one KubernetesPodOperator per step (validation, training, promotion gate${batch ? ', batch scoring' : ''}), one active run at a time."""

${header}

def build_dag():  # type: ignore[no-untyped-def]
    import pendulum
    from airflow import DAG
    from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
    from kubernetes.client import models as k8s

    limits = {"cpu": CPU, "memory": MEMORY, **({"nvidia.com/gpu": str(GPUS)} if GPUS > 0 else {})}
    with DAG(
        dag_id=NAME,
        schedule=CRON,
        start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
        catchup=False,
        max_active_runs=1,
        dagrun_timeout=timedelta(minutes=TIMEOUT_MINUTES),
        tags=["training", NAMESPACE],
        params={"data_version": "latest", "git_sha": "unknown"},
    ) as dag:
        tasks = {}
        for task_id, argv in task_arguments("{{ params.data_version }}", "{{ params.git_sha }}").items():
            command, args = split_command(argv)
            tasks[task_id] = KubernetesPodOperator(
                task_id=task_id,
                name=f"{NAME}-{task_id}".replace("_", "-"),
                namespace=NAMESPACE,
                image=IMAGE,
                cmds=command,
                arguments=args,
                container_resources=k8s.V1ResourceRequirements(requests=limits, limits=limits) if task_id == "train" else None,
                execution_timeout=timedelta(minutes=TIMEOUT_MINUTES),
                retries=1 if task_id == "train" else 0,
                get_logs=True,
            )
        for source in SOURCES:
            tasks[f"validate_{source}"] >> tasks["train"]
        tasks["train"] >> tasks["promote"]
        if BATCH_SCORING:
            tasks["promote"] >> tasks["batch_score"]
    return dag


try:
    dag = build_dag()
except ImportError:  # not inside an Airflow environment
    dag = None
`;
    case 'prefect':
      return String.raw`"""Prefect flow and deployment ${plan.orchestration.name} on a Kubernetes work pool, on the training cron."""

${header}
WORK_POOL: str = NAMESPACE + "-k8s"


def build_flow():  # type: ignore[no-untyped-def]
    from prefect import flow, task

    @task(retries=1, timeout_seconds=TIMEOUT_MINUTES * 60, task_run_name="{name}")
    def step(name: str, argv: list[str]) -> None:
        subprocess.run(argv, check=True, timeout=TIMEOUT_MINUTES * 60)

    @flow(name=NAME.split("/")[0])
    def training_flow(data_version: str = "latest", git_sha: str = "unknown") -> None:
        # Sequential calls: each step starts once the previous one succeeded; a failure stops the flow.
        for name, argv in task_arguments(data_version, git_sha).items():
            step(name, argv)

    return training_flow


def deploy() -> None:
    build_flow().deploy(
        name=NAME.split("/")[-1],
        work_pool_name=WORK_POOL,
        image=IMAGE,
        cron=CRON,
        build=False,
        push=False,
        job_variables={"cpu": CPU, "memory": MEMORY, "gpus": GPUS, "namespace": NAMESPACE},
    )


if __name__ == "__main__":
    deploy()
`;
    default:
      return String.raw`"""Dagster job and ScheduleDefinition ${plan.orchestration.name} for scheduled retraining (dagster-k8s runs each op in a pod)."""

${header}

def build_definitions():  # type: ignore[no-untyped-def]
    from dagster import Definitions, In, Nothing, ScheduleDefinition, job, op

    resources = {"limits": {"cpu": CPU, "memory": MEMORY, **({"nvidia.com/gpu": str(GPUS)} if GPUS > 0 else {})}}

    def step_op(name: str, first: bool):  # type: ignore[no-untyped-def]
        tags = {"dagster-k8s/config": {"container_config": {"resources": resources}}} if name == "train" else {}

        @op(name=name, ins={} if first else {"after": In(Nothing)}, tags=tags)
        def run_step(context) -> None:  # type: ignore[no-untyped-def]
            run_tags = context.run.tags
            argv = task_arguments(str(run_tags.get("data_version", "latest")), str(run_tags.get("git_sha", "unknown")))[name]
            subprocess.run(argv, check=True, timeout=TIMEOUT_MINUTES * 60)

        return run_step

    ops = [step_op(name, index == 0) for index, name in enumerate(TASKS)]

    @job(name=NAME.replace("_schedule", ""))
    def training_job() -> None:
        # A chain through Nothing inputs: validation -> train -> promote${batch ? ' -> batch_score' : ''}.
        previous = ops[0]()
        for step in ops[1:]:
            previous = step(after=previous)

    schedule = ScheduleDefinition(name=NAME, job=training_job, cron_schedule=CRON, execution_timezone="UTC")
    return Definitions(jobs=[training_job], schedules=[schedule])


try:
    defs = build_definitions()
except ImportError:  # not inside a Dagster environment
    defs = None
`;
  }
}
