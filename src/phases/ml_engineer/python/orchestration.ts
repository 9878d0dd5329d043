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
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from .config import load_config
from .hpo import load_search_spaces
from .pipeline import run_training
from .tracking import make_tracker

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
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"metrics": result.metrics, "best_params": result.best_params, "tags": result.tags, "minutes": result.minutes}, indent=2, default=str), encoding="utf-8")
    if "package" in steps:
        from .. import steps as default_steps

        card = default_steps.save_model(result, config, args.output_dir, steps["package"](result))
        print(json.dumps({"model": str(Path(args.output_dir) / "model.pkl"), "baseline": card["baseline"]}))
    print(json.dumps(result.metrics))
    return 0


if __name__ == "__main__":
    sys.exit(main())
`;
}

/** ml/pipelines/training_<tool>.py: how the chosen orchestrator runs the schedule. */
export function orchestrationPy(spec: ResolvedSpec, plan: MlPlan): string {
  const d = plan.decisions;
  const header = String.raw`from __future__ import annotations

import os
import subprocess
from datetime import timedelta

NAME: str = ${pyLiteral(plan.orchestration.name)}
CRON: str = ${pyLiteral(fiveFieldCron(spec.scale.training_schedule))}
NAMESPACE: str = ${pyLiteral(workloadNamespaces(spec).training)}
IMAGE: str = os.environ.get("TRAINING_IMAGE", ${pyLiteral(`${workloadNames(spec).jobsImage}:latest`)})
CPU: str = ${pyLiteral(d.training.cpu)}
MEMORY: str = ${pyLiteral(d.training.memory)}
GPUS: int = ${pyLiteral(d.training.gpus)}
TIMEOUT_MINUTES: int = ${pyLiteral(d.training.timeout_minutes)}
TRAIN_COMMAND: list[str] = ${pyLiteral(d.distributed.enabled
    ? ['torchrun', `--nnodes=${d.distributed.workers}`, `--nproc-per-node=${d.distributed.gpus_per_worker}`, '-m', `${plan.pkg}.training`, '--config', 'configs/training.yaml']
    : ['python', '-m', `${plan.pkg}.training`, '--config', 'configs/training.yaml'])}


def train_arguments(data_version: str, git_sha: str) -> list[str]:
    return [*TRAIN_COMMAND, "--data-version", data_version, "--git-sha", git_sha]


def run_locally(data_version: str = "latest", git_sha: str = "unknown") -> None:
    """What every task below executes, runnable without the orchestrator."""
    subprocess.run(train_arguments(data_version, git_sha), check=True, timeout=TIMEOUT_MINUTES * 60)
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

    @dsl.container_component
    def train(data_version: str, git_sha: str):  # type: ignore[no-untyped-def]
        return dsl.ContainerSpec(image=IMAGE, command=TRAIN_COMMAND, args=["--data-version", data_version, "--git-sha", git_sha])

    @dsl.pipeline(name=NAME, description="Scheduled retraining; drift and degradation alerts trigger ad-hoc runs")
    def training_pipeline(data_version: str = "latest", git_sha: str = "unknown"):  # type: ignore[no-untyped-def]
        task = train(data_version=data_version, git_sha=git_sha)
        task.set_cpu_request(CPU).set_cpu_limit(CPU)
        task.set_memory_request(MEMORY).set_memory_limit(MEMORY)
        if GPUS > 0:
            task.set_accelerator_type("nvidia.com/gpu").set_accelerator_limit(GPUS)
        task.set_retry(1)

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
      return String.raw`"""Airflow DAG ${plan.orchestration.name}: one KubernetesPodOperator task per scheduled retraining, one active run at a time."""

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
        KubernetesPodOperator(
            task_id="train",
            name=NAME.replace("_", "-"),
            namespace=NAMESPACE,
            image=IMAGE,
            cmds=TRAIN_COMMAND[:1],
            arguments=[*TRAIN_COMMAND[1:], "--data-version", "{{ params.data_version }}", "--git-sha", "{{ params.git_sha }}"],
            container_resources=k8s.V1ResourceRequirements(requests=limits, limits=limits),
            execution_timeout=timedelta(minutes=TIMEOUT_MINUTES),
            retries=1,
            get_logs=True,
        )
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

    @task(retries=1, timeout_seconds=TIMEOUT_MINUTES * 60)
    def train(data_version: str, git_sha: str) -> None:
        run_locally(data_version, git_sha)

    @flow(name=NAME.split("/")[0])
    def training_flow(data_version: str = "latest", git_sha: str = "unknown") -> None:
        train(data_version, git_sha)

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
    from dagster import Definitions, ScheduleDefinition, job, op

    @op(tags={"dagster-k8s/config": {"container_config": {"resources": {"limits": {"cpu": CPU, "memory": MEMORY, **({"nvidia.com/gpu": str(GPUS)} if GPUS > 0 else {})}}}}})
    def train(context) -> None:  # type: ignore[no-untyped-def]
        run_locally(str(context.run.tags.get("data_version", "latest")), str(context.run.tags.get("git_sha", "unknown")))

    @job(name=NAME.replace("_schedule", ""))
    def training_job() -> None:
        train()

    schedule = ScheduleDefinition(name=NAME, job=training_job, cron_schedule=CRON, execution_timezone="UTC")
    return Definitions(jobs=[training_job], schedules=[schedule])


try:
    defs = build_definitions()
except ImportError:  # not inside a Dagster environment
    defs = None
`;
  }
}
