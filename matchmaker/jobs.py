"""Runs in the background, for the HTTP API (docs, "HTTP API"): each job prepares and solves a campaign on a
worker thread, says its stage and progress, can be cancelled (its best plan so far is kept, "interrupted"), and
is recorded in the run store under the id it was given when queued. Prepared campaigns are kept (a few, the most
recent) so what-if and re-plans on a run do not embed and score again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from .config import Config
from .io.store import Store, new_run_id
from .lifecycle.history import record, reopen
from .outcome import Outcome
from .pipeline import Prepared, prepare
from .plan.result import Progress
from .plan.solve import Interrupt
from .problems import InputError, Problem

log = logging.getLogger(__name__)

FINISHED = ("done", "failed", "cancelled")
T = TypeVar("T")

# What a job does once it runs: given its Job (to report stage and progress, and to be interrupted), the outcome,
# the prepared campaign, the id of the run it re-plans (or None) and extra summary fields.
Work = Callable[["Job"], tuple[Outcome, Prepared, str | None, dict[str, Any]]]


class Kept(Generic[T]):
    """Items kept in memory: the most recently put or used, at most `limit` of them and `limit_bytes` together (the
    least recent forgotten first; the newest is kept whatever its size). Each item's size is given with it."""

    def __init__(self, limit: int, limit_bytes: int) -> None:
        self.limit, self.limit_bytes = limit, limit_bytes
        self._items: OrderedDict[str, tuple[T, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def put(self, key: str, item: T, size: int) -> None:
        with self._lock:
            if key in self._items:
                self._bytes -= self._items.pop(key)[1]
            self._items[key] = (item, size)
            self._bytes += size
            while len(self._items) > 1 and (len(self._items) > self.limit or self._bytes > self.limit_bytes):
                self._bytes -= self._items.popitem(last=False)[1][1]

    def get(self, key: str) -> T | None:
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key][0]

    def __len__(self) -> int:
        return len(self._items)


@dataclass
class Job:
    run_id: str
    kind: str
    tenant: str = ""  # whose run (api.py: an API key's tenant); only its tenant may see or cancel it
    status: str = "queued"  # queued, running, done, failed, cancelled
    stage: str = ""
    progress: dict[str, float] = field(default_factory=dict)
    created: float = field(default_factory=time.time)
    interrupt: Interrupt = field(default_factory=Interrupt)
    problems: list[Problem] = field(default_factory=list)  # why it failed: the inputs (same as the CLI's)
    error: str = ""  # why it failed: an internal error, in one line

    def on_stage(self, name: str) -> None:
        self.stage = name

    def on_progress(self, point: Progress) -> None:
        self.progress = {"seconds": round(point.seconds, 3), "objective": point.objective,
                         "bound": None if point.bound != point.bound else point.bound,
                         "gap": None if point.gap != point.gap else point.gap}

    def view(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "kind": self.kind, "status": self.status, "stage": self.stage,
                "progress": self.progress, "problems": [p.as_dict() for p in self.problems], "error": self.error}


class Runner:
    """A pool of worker threads solving queued jobs; every finished job's outcome is in the store."""

    def __init__(self, store: Store, max_jobs: int = 2, max_prepared: int = 8, max_prepared_mb: int = 4000) -> None:
        self.store = store
        self.jobs: dict[str, Job] = {}
        self._pool = ThreadPoolExecutor(max_workers=max_jobs, thread_name_prefix="matchmaker-job")
        # prepared campaigns, kept for what-if and re-plans (a forgotten one is prepared again from the store)
        self._prepared: Kept[Prepared] = Kept(max_prepared, max_prepared_mb * 2**20)
        self._lock = threading.Lock()

    def submit(self, kind: str, work: Work, tenant: str = "") -> Job:
        job = Job(new_run_id(), kind, tenant)
        with self._lock:
            self.jobs[job.run_id] = job
        self._pool.submit(self._run, job, work)
        return job

    def _run(self, job: Job, work: Work) -> None:
        if job.interrupt.requested:
            job.status = "cancelled"
            return
        job.status = "running"
        try:
            outcome, prepared, parent, extra = work(job)
            record(self.store, outcome, job.kind, parent, extra, run_id=job.run_id, tenant=job.tenant)
            self.keep(job.run_id, prepared)
            job.status, job.stage = "done", "done"
        except InputError as exc:
            job.status, job.problems = "failed", list(exc.problems)
        except Exception as exc:  # a bug: said in one line, logged with its traceback
            log.exception("run %s failed", job.run_id)
            job.status, job.error = "failed", f"internal error: {exc.__class__.__name__}: {exc}"

    def cancel(self, run_id: str) -> Job | None:
        """Stop a queued or running job (a running search keeps its best plan so far)."""
        job = self.jobs.get(run_id)
        if job is not None and job.status not in FINISHED:
            job.interrupt.request()
            if job.status == "queued":
                job.status = "cancelled"
        return job

    def keep(self, run_id: str, prepared: Prepared) -> None:
        self._prepared.put(run_id, prepared, prepared.nbytes())

    def prepared(self, run_id: str, embedder_for: Callable[[Config], Any] | None = None) -> Prepared:
        """The prepared campaign of a stored run: kept from its job, else prepared again from the stored inputs
        (with the embedder `embedder_for` gives for its campaign; None: the campaign's own, loaded now)."""
        kept = self._prepared.get(run_id)
        if kept is not None:
            return kept
        data, config = reopen(self.store, run_id)
        found = prepare(data, config, embedder_for(config) if embedder_for else None, on_stage=lambda name: None)
        self.keep(run_id, found)
        return found

    def wait(self, run_id: str, timeout: float = 60.0) -> Job:
        """For tests and scripts: the job once it has finished (or after timeout)."""
        stop = time.monotonic() + timeout
        job = self.jobs[run_id]
        while job.status not in FINISHED and time.monotonic() < stop:
            time.sleep(0.05)
        return job

    def shutdown(self) -> None:
        for job in list(self.jobs.values()):
            if job.status not in FINISHED:
                job.interrupt.request()
        self._pool.shutdown(wait=True, cancel_futures=True)
