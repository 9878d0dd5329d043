/**
 * ml/src/<pkg>/training/distributed.py: what a training process does when a launcher (torchrun or horovodrun)
 * starts several of them. Nothing spec-specific: the launcher's environment decides; one process is a no-op.
 */
export function distributedPy(): string {
  return String.raw`"""Multi-process training under torchrun (PyTorch DDP) or horovodrun, over torch.distributed (NCCL or gloo).

Two modes, chosen by the ensemble's families:
- data parallel (a member is a torch network): every process runs the same steps with the same seeds; each fit of a
  torch member trains on the process's equal share of the rows inside DistributedDataParallel, so gradients are
  averaged across processes and the replicas stay identical; the other members are fitted identically everywhere;
- trial parallel (tree, linear and forest members): each process runs its share of the HPO trials with its own
  sampler seed, the best parameters over all processes are gathered, and rank 0 alone refits, evaluates and writes
  the artifacts.
In both modes only rank 0 writes files (model, card, metrics, tracking). One process (no launcher) is the plain run.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

log = logging.getLogger(__name__)

# Environment of each launcher: rank, world size, local rank.
LAUNCHER_ENV: dict[str, tuple[str, str, str]] = {
    "torchrun": ("RANK", "WORLD_SIZE", "LOCAL_RANK"),
    "horovod": ("HOROVOD_RANK", "HOROVOD_SIZE", "HOROVOD_LOCAL_RANK"),
    "mpi": ("OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_RANK"),
}
TORCH_FAMILIES = ("neural_network", "two_tower")


@dataclass(frozen=True)
class DistributedContext:
    rank: int = 0
    world_size: int = 1
    local_rank: int = 0
    launcher: str = "none"
    mode: str = "single"  # single | data_parallel | trial_parallel

    @property
    def enabled(self) -> bool:
        return self.world_size > 1

    @property
    def is_primary(self) -> bool:
        return self.rank == 0


_current = DistributedContext()


def current() -> DistributedContext:
    """The context set up by setup() in this process (single process until then)."""
    return _current


def from_env(env: Mapping[str, str] | None = None) -> DistributedContext:
    """Rank, world size and local rank from whichever launcher started this process."""
    env = os.environ if env is None else env
    for launcher, (rank, size, local) in LAUNCHER_ENV.items():
        if size in env:
            world = int(env[size])
            if world < 1:
                raise ValueError(f"{size}={env[size]}: the world size must be at least 1")
            ctx = DistributedContext(rank=int(env.get(rank, "0")), world_size=world, local_rank=int(env.get(local, "0")), launcher=launcher)
            if not 0 <= ctx.rank < world:
                raise ValueError(f"{rank}={ctx.rank} is outside the world of {world} processes")
            return ctx
    return DistributedContext()


def mode_for(families: Sequence[str], world_size: int) -> str:
    if world_size <= 1:
        return "single"
    return "data_parallel" if any(f in TORCH_FAMILIES for f in families) else "trial_parallel"


def setup(families: Sequence[str], env: Mapping[str, str] | None = None) -> DistributedContext:
    """Reads the launcher's environment and joins the process group (NCCL on GPUs, gloo on CPUs)."""
    global _current
    ctx = from_env(env)
    ctx = DistributedContext(ctx.rank, ctx.world_size, ctx.local_rank, ctx.launcher, mode_for(families, ctx.world_size))
    if ctx.enabled:
        try:
            import torch
            import torch.distributed as dist
        except ImportError as error:
            raise RuntimeError(f"{ctx.world_size} training processes ({ctx.launcher}) need torch.distributed: install torch in the training image") from error

        gpu = torch.cuda.is_available()
        if gpu:
            torch.cuda.set_device(ctx.local_rank)
        if not dist.is_initialized():
            # torchrun sets MASTER_ADDR/MASTER_PORT. horovodrun and mpirun are used here as process launchers on one
            # node (the training manifests run them with -H localhost:N): the group meets on the loopback address.
            os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
            os.environ.setdefault("MASTER_PORT", "29500")
            dist.init_process_group(backend="nccl" if gpu else "gloo", rank=ctx.rank, world_size=ctx.world_size)
        log.info("joined process group", extra={"rank": ctx.rank, "world_size": ctx.world_size, "mode": ctx.mode, "backend": dist.get_backend()})
    _current = ctx
    return ctx


def teardown() -> None:
    ctx = current()
    if ctx.enabled:
        import torch.distributed as dist

        if dist.is_initialized():
            dist.barrier()
            dist.destroy_process_group()


def gather(value: Any) -> list[Any]:
    """value from every process, in rank order (a one-element list in a single process)."""
    ctx = current()
    if not ctx.enabled:
        return [value]
    import torch.distributed as dist

    out: list[Any] = [None] * ctx.world_size
    dist.all_gather_object(out, value)
    return out


def trial_share(trials: int, ctx: DistributedContext | None = None) -> int:
    """This process's share of trials HPO trials (at least one, so every process reports a result)."""
    ctx = ctx or current()
    if ctx.mode != "trial_parallel":
        return trials
    return max(1, trials // ctx.world_size + (1 if ctx.rank < trials % ctx.world_size else 0))


def row_share(rows: int, ctx: DistributedContext | None = None) -> slice:
    """This process's rows of a data-parallel fit: equal shares (the remainder is dropped), so every process takes
    the same number of optimiser steps and DDP's gradient all-reduce never waits on a missing peer."""
    ctx = ctx or current()
    if ctx.mode != "data_parallel":
        return slice(0, rows)
    share = rows // ctx.world_size
    if share < 1:
        raise ValueError(f"{rows} rows cannot be shared by {ctx.world_size} processes")
    return slice(ctx.rank * share, (ctx.rank + 1) * share)


def wrap(module: Any) -> Any:
    """The torch module inside DistributedDataParallel in data-parallel mode, else unchanged."""
    ctx = current()
    if ctx.mode != "data_parallel":
        return module
    import torch
    from torch.nn.parallel import DistributedDataParallel

    return DistributedDataParallel(module, device_ids=[ctx.local_rank] if torch.cuda.is_available() else None)
`;
}
