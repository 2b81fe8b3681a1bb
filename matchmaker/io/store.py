"""The run store: every run's inputs, campaign, plan and summary in one embedded DuckDB file (docs,
"Run history"). The only code that knows the store's layout.

Safe with several writers and with runs killed mid-write:
- every access holds an exclusive lock on `<store>.lock` (an OS file lock, so a killed process's lock goes
  with it) for as short as one statement batch (a server holds it up to a second: Store.hold), as DuckDB itself
  allows one writing process per file;
- every run is written in one transaction: a run killed before its COMMIT leaves nothing, DuckDB's
  write-ahead log replays only committed transactions.
Validated tables are stored once per content (SHA-256 of their Parquet bytes), however many runs use them.
"""

from __future__ import annotations

import hashlib
import io
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
from filelock import FileLock, Timeout

from ..problems import InputError, Problem, msg

LOCK_SECONDS = 120.0  # how long an access waits for another process's before giving up (StoreBusy)
HOLD_MAX, HOLD_GAP = 1.0, 0.05  # a held store is let go after a second at most, for this long
SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id VARCHAR PRIMARY KEY, created TIMESTAMP, kind VARCHAR, campaign VARCHAR, parent VARCHAR,
    status VARCHAR, objective_kind VARCHAR, objective DOUBLE, bookings INTEGER, budget DOUBLE, spend DOUBLE,
    gmv DOUBLE, gap DOUBLE, version VARCHAR, config VARCHAR, summary VARCHAR, choices VARCHAR);
CREATE TABLE IF NOT EXISTS run_inputs (
    run_id VARCHAR, role VARCHAR, file VARCHAR, source_sha256 VARCHAR, table_sha256 VARCHAR, n_rows BIGINT);
CREATE TABLE IF NOT EXISTS tables (sha256 VARCHAR PRIMARY KEY, dtypes VARCHAR, parquet BLOB);
CREATE TABLE IF NOT EXISTS plans (run_id VARCHAR, booking INTEGER, creator_id VARCHAR, product_id VARCHAR,
    value DOUBLE, fit DOUBLE, style DOUBLE, audience DOUBLE, performance DOUBLE, fee DOUBLE, cash DOUBLE,
    cost DOUBLE, gmv DOUBLE, views DOUBLE, locked BOOLEAN);
ALTER TABLE plans ADD COLUMN IF NOT EXISTS style DOUBLE;
ALTER TABLE plans ADD COLUMN IF NOT EXISTS audience DOUBLE;
ALTER TABLE plans ADD COLUMN IF NOT EXISTS performance DOUBLE;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS tenant VARCHAR;
"""  # columns added since a store was first made come last: every INSERT names its columns
PLAN_COLUMNS = ("creator_id", "product_id", "value", "fit", "style", "audience", "performance", "fee", "cash", "cost",
                "gmv", "views", "locked")
RUN_COLUMNS = ("run_id", "created", "kind", "campaign", "parent", "status", "objective_kind", "objective",
               "bookings", "budget", "spend", "gmv", "gap", "version", "config", "summary", "choices", "tenant")
LIST_COLUMNS = RUN_COLUMNS[:14]
INSERT_RUN = f"INSERT INTO runs ({', '.join(RUN_COLUMNS)}) VALUES ({', '.join('?' * len(RUN_COLUMNS))})"


class StoreBusy(RuntimeError):
    """Another process held the store longer than LOCK_SECONDS."""


@dataclass(frozen=True)
class RunRecord:
    """One run as the store keeps it. `inputs`: role ("creators", ...) -> (file name, source SHA-256 or "",
    the validated table); `choices`: the locks and bans it was planned with."""

    kind: str  # optimize, replan, whatif, demo, batch, api
    campaign: str
    config: str  # the campaign TOML as solved
    summary: dict[str, Any]
    plan: pd.DataFrame  # PLAN_COLUMNS
    inputs: dict[str, tuple[str, str, pd.DataFrame]] = field(default_factory=dict)
    parent: str | None = None  # the run this one re-planned, or the sweep it is a point of
    version: str = ""
    choices: dict[str, Any] = field(default_factory=dict)
    tenant: str = ""  # whose run: an API key's tenant (api.py), "" for this machine's own (CLI, app)


def new_run_id(now: datetime | None = None) -> str:
    """Sortable by time, unique across processes: r-20261124-063337-3f9a1c."""
    now = now or datetime.now(UTC)
    return f"r-{now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def _parquet(frame: pd.DataFrame) -> tuple[bytes, str]:
    """A validated table as Parquet bytes, and its dtypes (restored on reading: tuples, object columns)."""
    out = frame.copy()
    for name in out.columns:
        if out[name].dtype == object and out[name].map(lambda v: isinstance(v, tuple)).any():
            out[name] = out[name].map(lambda v: list(v) if isinstance(v, tuple) else v)
    buffer = io.BytesIO()
    out.to_parquet(buffer, index=False)
    kinds = {name: ("tuple" if out[name].map(lambda v: isinstance(v, list)).any() else str(frame[name].dtype))
             for name in frame.columns}
    return buffer.getvalue(), json.dumps(kinds)


def _frame(parquet: bytes, dtypes: str) -> pd.DataFrame:
    frame = pd.read_parquet(io.BytesIO(parquet))
    for name, kind in json.loads(dtypes).items():
        if kind == "tuple":
            frame[name] = frame[name].map(lambda v: tuple(v) if isinstance(v, (list, np.ndarray)) else ())
        elif kind == "object":
            frame[name] = frame[name].astype(object)
    return frame


class Store:
    """A DuckDB file of runs, opened per access so processes take turns. With `hold` (a server), the connection
    and the lock are kept between accesses and let go after `hold` seconds without one, or after HOLD_MAX seconds
    in any case (then other processes get their turn): opening DuckDB costs about 15 ms an access."""

    def __init__(self, path: str | Path, hold: float = 0.0) -> None:
        self.path = Path(path)
        self.hold = hold
        self._mutex = threading.RLock()  # one access at a time in this process
        self._open: tuple[FileLock, duckdb.DuckDBPyConnection] | None = None
        self._opened = self._used = 0.0

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    def _acquire(self) -> tuple[FileLock, duckdb.DuckDBPyConnection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.path) + ".lock", timeout=LOCK_SECONDS, thread_local=False)
        try:
            lock.acquire()
        except Timeout:
            raise StoreBusy(f"the run store {self.path} was busy for {LOCK_SECONDS:g} s") from None
        try:
            con = duckdb.connect(str(self.path))
            con.execute(SCHEMA)
        except BaseException:
            lock.release()
            raise
        return lock, con

    def _release(self) -> None:
        if self._open is not None:
            lock, con = self._open
            self._open = None
            try:
                con.close()
            finally:
                lock.release()

    @contextmanager
    def _connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._mutex:
            if not self.hold:
                lock, con = self._acquire()
                try:
                    yield con
                finally:
                    con.close()
                    lock.release()
                return
            now = time.monotonic()
            if self._open is not None and now - self._opened > HOLD_MAX:
                self._release()
                time.sleep(HOLD_GAP)  # another process waiting for the lock takes it now
            if self._open is None:
                self._open, self._opened = self._acquire(), time.monotonic()
                threading.Thread(target=self._let_go, daemon=True).start()
            try:
                yield self._open[1]
            finally:
                self._used = time.monotonic()

    def _let_go(self) -> None:
        """Close the held connection once `hold` seconds pass without an access."""
        while True:
            time.sleep(self.hold / 2)
            with self._mutex:
                if self._open is None:
                    return
                if time.monotonic() - self._used > self.hold:
                    self._release()
                    return

    def close(self) -> None:
        with self._mutex:
            self._release()

    def record(self, run: RunRecord, run_id: str | None = None) -> str:
        """Write a run in one transaction; its id."""
        run_id = run_id or new_run_id()
        s, blobs, rows = run.summary, {}, []
        for role, (file, source, frame) in run.inputs.items():
            parquet, dtypes = _parquet(frame)
            digest = hashlib.sha256(parquet).hexdigest()
            blobs[digest] = (dtypes, parquet)
            rows.append((run_id, role, file, source, digest, len(frame)))
        plan = run.plan.reindex(columns=list(PLAN_COLUMNS))
        plan.insert(0, "booking", np.arange(len(plan), dtype=np.int32))
        plan.insert(0, "run_id", run_id)
        plan["locked"] = plan["locked"].eq(True)  # a plan without the column (reindexed: NaN) locks nothing
        expected = s.get("expected") or {}
        own = (s.get("stay_close") or {}).get("plan_value", s.get("objective"))  # without change penalties
        with self._connect() as con:
            con.begin()
            try:
                con.execute(INSERT_RUN, [
                    run_id, datetime.now(UTC).replace(tzinfo=None), run.kind, run.campaign, run.parent,
                    s.get("status"), s.get("objective_kind"), own, s.get("bookings"), s.get("budget"),
                    s.get("budget_used"), expected.get("gmv"), s.get("gap"), run.version, run.config,
                    json.dumps(s, ensure_ascii=False, default=str), json.dumps(run.choices, ensure_ascii=False),
                    run.tenant])
                for digest, (dtypes, parquet) in blobs.items():
                    con.execute("INSERT INTO tables VALUES (?, ?, ?) ON CONFLICT DO NOTHING", [digest, dtypes, parquet])
                if rows:
                    con.executemany("INSERT INTO run_inputs VALUES (?, ?, ?, ?, ?, ?)", rows)
                con.register("plan_rows", plan)
                names = ", ".join(plan.columns)
                con.execute(f"INSERT INTO plans ({names}) SELECT {names} FROM plan_rows")
                con.unregister("plan_rows")
                con.commit()
            except BaseException:
                con.rollback()
                raise
        return run_id

    def runs(self, limit: int | None = None, campaign: str | None = None, kind: str | None = None,
             tenant: str | None = None) -> pd.DataFrame:
        """The runs, newest first (LIST_COLUMNS); with `tenant`, only that tenant's."""
        where, args = [], []
        if tenant is not None:
            where.append("coalesce(tenant, '') = ?")
            args.append(tenant)
        for column, value in (("campaign", campaign), ("kind", kind)):
            if value:
                where.append(f"{column} = ?")
                args.append(value)
        sql = (f"SELECT {', '.join(LIST_COLUMNS)} FROM runs {'WHERE ' + ' AND '.join(where) if where else ''} "
               f"ORDER BY created DESC, run_id DESC {'LIMIT ' + str(int(limit)) if limit else ''}")
        with self._connect() as con:
            return con.execute(sql, args).df()

    def resolve(self, ref: str, tenant: str | None = None) -> str:
        """A run id from its id, a unique prefix of it, or "last" (with `tenant`, among that tenant's runs only);
        InputError naming it otherwise."""
        mine = "" if tenant is None else "AND coalesce(tenant, '') = ? "
        extra = [] if tenant is None else [tenant]
        with self._connect() as con:
            if ref == "last":
                found = [r[0] for r in con.execute(f"SELECT run_id FROM runs WHERE TRUE {mine}"
                                                   "ORDER BY created DESC, run_id DESC LIMIT 1", extra).fetchall()]
            else:
                found = [r[0] for r in con.execute(f"SELECT run_id FROM runs WHERE starts_with(run_id, ?) {mine}"
                                                   "ORDER BY run_id LIMIT 2", [ref, *extra]).fetchall()]
        if len(found) == 1:
            return found[0]
        problem = msg("no run with this id in the store {store} (matchmaker runs list shows them)",
                      store=str(self.path)) if not found else \
            msg("more than one run starts with this; give more of the id")
        raise InputError([Problem("run store", None, None, ref, problem)])

    def run(self, ref: str) -> dict[str, Any]:
        """A run's record: its list columns, config (TOML text), summary, choices and inputs."""
        run_id = self.resolve(ref)
        with self._connect() as con:
            cur = con.execute("SELECT * FROM runs WHERE run_id = ?", [run_id])
            names = [d[0] for d in cur.description]
            row = dict(zip(names, cur.fetchone()))
            inputs = con.execute("SELECT role, file, source_sha256, table_sha256, n_rows FROM run_inputs "
                                 "WHERE run_id = ? ORDER BY role", [run_id]).df()
        row["summary"] = json.loads(row["summary"])
        row["choices"] = json.loads(row["choices"] or "{}")
        row["inputs"] = inputs
        return row

    def plan(self, ref: str) -> pd.DataFrame:
        run_id = self.resolve(ref)
        with self._connect() as con:
            plan = con.execute(f"SELECT {', '.join(PLAN_COLUMNS)} FROM plans WHERE run_id = ? ORDER BY booking",
                               [run_id]).df()
        return plan.astype({"creator_id": object, "product_id": object})

    def tables(self, ref: str) -> dict[str, tuple[str, pd.DataFrame]]:
        """A run's validated input tables: role -> (file name, table)."""
        run_id = self.resolve(ref)
        with self._connect() as con:
            rows = con.execute("SELECT i.role, i.file, t.dtypes, t.parquet FROM run_inputs i JOIN tables t "
                               "ON i.table_sha256 = t.sha256 WHERE i.run_id = ?", [run_id]).fetchall()
        return {role: (file, _frame(parquet, dtypes)) for role, file, dtypes, parquet in rows}

    def prune(self, keep: int | None = None, before: datetime | None = None, campaign: str | None = None,
              dry_run: bool = False) -> list[str]:
        """Remove runs (their plans and input rows, and the stored tables no remaining run uses), in one
        transaction: all but the newest `keep` (of `campaign` when given, else of the store), and those created
        before `before` (UTC). Both given: a run goes when either says so. The ids removed (none with dry_run)."""
        where = "WHERE campaign = ?" if campaign else ""
        args = [campaign] if campaign else []
        cutoff = before.astimezone(UTC).replace(tzinfo=None) if before is not None else None  # as stored: naive UTC
        with self._connect() as con:
            ranked = con.execute(f"SELECT run_id, created FROM runs {where} ORDER BY created DESC, run_id DESC",
                                 args).fetchall()
            gone = [run_id for place, (run_id, created) in enumerate(ranked)
                    if (keep is not None and place >= keep) or (cutoff is not None and created < cutoff)]
            if dry_run or not gone:
                return gone
            con.begin()
            try:
                con.register("gone", pd.DataFrame({"run_id": gone}))
                for table in ("plans", "run_inputs", "runs"):
                    con.execute(f"DELETE FROM {table} WHERE run_id IN (SELECT run_id FROM gone)")
                con.unregister("gone")
                con.execute("DELETE FROM tables WHERE sha256 NOT IN (SELECT table_sha256 FROM run_inputs)")
                con.commit()
            except BaseException:
                con.rollback()
                raise
            con.execute("CHECKPOINT")  # the freed blocks are reused by later runs
        return gone

    def counts(self) -> dict[str, int]:
        """Rows per table (for the tests and `runs list`'s footer)."""
        with self._connect() as con:
            return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                    for t in ("runs", "run_inputs", "tables", "plans")}
