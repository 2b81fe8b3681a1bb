"""Where the heavy per-creator steps run (embedding, candidate scoring): in this process (LocalEngine) or
as tasks on a Ray cluster (RayEngine, `--engine ray`).

Both split the creator table into the same partitions of `partition_rows` and run the same pure functions
on each, combining the results in partition order, so a Ray run and a local run give the same
candidates and the same plan. The local engine's partitions also bound the memory of scoring: one
partition's creators x products matrices at a time.

Ray is an optional extra (`pip install "matchmaker[ray]"`): it is imported only when a RayEngine is made.
`address` "" starts a local Ray (or joins the cluster RAY_ADDRESS names), "auto" joins the cluster this
machine is a node of, "ray://host:10001" joins through Ray Client.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Protocol

from ..problems import InputError, Message, Problem, msg

log = logging.getLogger(__name__)

PARTITION_ROWS = 100_000  # creators per partition


class Engine(Protocol):
    kind: str
    partition_rows: int

    def map(self, fn: Callable[..., Any], items: Iterable[tuple], shared: tuple = ()) -> list[Any]:
        """[fn(*item, *shared) for item in items], in order (items may be a generator: taken one by one)."""


def partitions(n: int, rows: int) -> list[slice]:
    """Consecutive slices of at most `rows` covering 0..n (one empty slice when n is 0)."""
    return [slice(start, min(start + rows, n)) for start in range(0, n, rows)] or [slice(0, 0)]


class LocalEngine:
    """Partition after partition, in this process."""

    kind = "local"

    def __init__(self, partition_rows: int = PARTITION_ROWS):
        self.partition_rows = partition_rows

    def map(self, fn: Callable[..., Any], items: Iterable[tuple], shared: tuple = ()) -> list[Any]:
        return [fn(*item, *shared) for item in items]


class RayEngine:
    """One Ray task per partition; what every task needs (`shared`) goes into the object store once."""

    kind = "ray"

    def __init__(self, address: str = "", partition_rows: int = PARTITION_ROWS):
        try:
            import ray  # the optional extra: only here
        except ImportError:
            raise _problem(address, msg("the Ray engine needs the optional extra: pip install "
                                        "\"matchmaker[ray]\" (or choose engine.kind = \"local\")")) from None
        self.partition_rows, self._ray = partition_rows, ray
        if not ray.is_initialized():
            remote = bool(address or os.environ.get("RAY_ADDRESS"))
            # a cluster's nodes get this package's code with the tasks (they need its dependencies installed)
            runtime_env = {"py_modules": [str(Path(__file__).resolve().parent.parent)]} if remote else None
            try:
                ray.init(address=address or None, runtime_env=runtime_env, include_dashboard=False,
                         log_to_driver=False, configure_logging=False)
            except (ConnectionError, ValueError, RuntimeError) as exc:
                raise _problem(address, msg("could not join Ray at this address ({error})",
                                            error=f"{exc.__class__.__name__}: {str(exc)[:200]}")) from exc
            log.info("ray: %s", ray.cluster_resources())

    def map(self, fn: Callable[..., Any], items: Iterable[tuple], shared: tuple = ()) -> list[Any]:
        ray = self._ray
        refs = [ray.put(value) for value in shared]
        task = ray.remote(fn)
        return ray.get([task.remote(*item, *refs) for item in items])


def _problem(address: str, message: Message) -> InputError:
    return InputError([Problem("config", None, "engine.address", address or os.environ.get("RAY_ADDRESS", ""),
                               message)])


def make_engine(kind: str = "local", address: str = "", partition_rows: int = PARTITION_ROWS) -> Engine:
    """The engine a config's [engine] section names."""
    if kind == "local":
        return LocalEngine(partition_rows)
    if kind == "ray":
        return RayEngine(address, partition_rows)
    raise ValueError(f"unknown engine {kind!r}; expected 'local' or 'ray'")
