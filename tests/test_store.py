"""The run store: runs round-trip, several writing processes at once, and writers killed mid-write."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, creator, make_data, product, quick_config

from matchmaker.io.store import RunRecord, Store
from matchmaker.lifecycle.history import plan_rows, record, reopen
from matchmaker.pipeline import run
from matchmaker.problems import InputError

# A child process that records runs into the store given as argv[1], forever or argv[2] times, each with
# argv[3] bookings; with argv[4] == "hold" it stops inside the transaction after the first insert.
WRITER = r"""
import sys, time
import numpy as np, pandas as pd
from matchmaker.io.store import RunRecord, Store

store, times, n = Store(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
hold = len(sys.argv) > 4 and sys.argv[4] == "hold"
creators = pd.DataFrame({"creator_id": [f"c{i}" for i in range(n)], "categories": [("beauty",)] * n})
i = 0
while times == 0 or i < times:
    plan = pd.DataFrame({"creator_id": [f"c{k}" for k in range(n)], "product_id": ["P1"] * n,
                         "value": np.ones(n), "cash": np.full(n, 10.0)})
    summary = {"status": "optimal", "bookings": n, "objective": float(n), "budget": 100.0}
    if hold:
        with store._connect() as con:
            con.begin()
            con.execute("INSERT INTO runs (run_id, kind, bookings) VALUES ('r-held', 'test', 1)")
            print("inside", flush=True)
            time.sleep(60)
    store.record(RunRecord("test", f"writer-{sys.argv[5] if len(sys.argv) > 5 else 0}", "", summary, plan,
                           {"creators": ("creators.csv", "abc", creators)}))
    i += 1
    print("wrote", i, flush=True)
"""


def _writer(path, times: int, n: int, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(times), str(n), *extra], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _consistent(store: Store) -> pd.DataFrame:
    """Every run in the store is whole: its plan has as many rows as it has bookings, its inputs are there."""
    runs = store.runs()
    for run_id, bookings in zip(runs["run_id"], runs["bookings"]):
        assert len(store.plan(run_id)) == bookings
        assert len(store.run(run_id)["inputs"]) == 1
    return runs


@pytest.fixture
def tiny():
    data = make_data([creator("a", 100, tier="alliance"), creator("b", 200), creator("c", 150, categories="food")],
                     [product("P1"), product("P2", category="food")])
    return data, quick_config(**{"campaign.budget": 400.0})


def test_a_run_round_trips_its_data_campaign_plan_and_summary(tmp_path, tiny):
    data, config = tiny
    outcome = run(data, config)
    store = Store(tmp_path / "runs.duckdb")
    run_id = record(store, outcome, "optimize")
    assert store.resolve("last") == run_id and store.resolve(run_id[:12]) == run_id
    stored = store.run(run_id)
    assert stored["summary"]["bookings"] == len(outcome.plan) > 0
    assert stored["objective"] == pytest.approx(outcome.result.objective)
    pd.testing.assert_frame_equal(store.plan(run_id), plan_rows(outcome), check_dtype=False)
    again, campaign = reopen(store, run_id)
    pd.testing.assert_frame_equal(again.creators, data.creators)
    pd.testing.assert_frame_equal(again.products, data.products)
    assert campaign.campaign.budget == 400.0
    assert run(again, campaign).result.objective == pytest.approx(outcome.result.objective)


def test_tables_are_stored_once_whatever_the_number_of_runs(tmp_path, tiny):
    data, config = tiny
    store = Store(tmp_path / "runs.duckdb")
    outcome = run(data, config)
    for _ in range(3):
        record(store, outcome, "optimize")
    counts = store.counts()
    assert counts["runs"] == 3 and counts["run_inputs"] == 6 and counts["tables"] == 2


def test_unknown_and_ambiguous_runs_are_named(tmp_path, tiny):
    data, config = tiny
    store = Store(tmp_path / "runs.duckdb")
    with pytest.raises(InputError, match="no run with this id"):
        store.resolve("last")
    outcome = run(data, config)
    record(store, outcome, "optimize")
    record(store, outcome, "optimize")
    with pytest.raises(InputError, match="more than one run"):
        store.resolve("r-")
    with pytest.raises(InputError, match="no run with this id"):
        store.plan("r-1999")


def test_several_processes_write_at_once_and_nothing_is_lost(tmp_path):
    path = tmp_path / "runs.duckdb"
    writers = [_writer(path, 5, 3 + k, "once", str(k)) for k in range(4)]
    for w in writers:
        out, err = w.communicate(timeout=240)
        assert w.returncode == 0, err
    runs = _consistent(Store(path))
    assert len(runs) == 20
    assert sorted(runs.groupby("campaign").size()) == [5, 5, 5, 5]
    assert runs["run_id"].is_unique


def test_a_writer_killed_inside_its_transaction_leaves_nothing(tmp_path):
    path = tmp_path / "runs.duckdb"
    Store(path).record(RunRecord("test", "before", "", {"bookings": 0}, pd.DataFrame()))
    held = _writer(path, 1, 2, "hold")
    assert held.stdout.readline().strip() == "inside"
    held.send_signal(signal.SIGKILL)
    held.wait(timeout=30)
    store = Store(path)
    assert list(store.runs()["campaign"]) == ["before"]  # the killed run's row was never committed
    store.record(RunRecord("test", "after", "", {"bookings": 0}, pd.DataFrame()))
    assert sorted(store.runs()["campaign"]) == ["after", "before"]


def test_writers_killed_at_random_moments_never_corrupt_the_store(tmp_path):
    path = tmp_path / "runs.duckdb"
    rng = np.random.default_rng(0)
    for _ in range(4):
        writer = _writer(path, 0, 40)
        assert writer.stdout.readline().startswith("wrote")  # started writing
        time.sleep(float(rng.uniform(0.0, 0.5)))
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
        runs = _consistent(Store(path))
        assert len(runs) >= 1


def test_a_server_holding_the_store_lets_other_processes_write_in_turn(tmp_path):
    path = tmp_path / "runs.duckdb"
    held = Store(path, hold=2.0)  # as the HTTP API keeps it
    held.record(RunRecord("test", "server", "", {"bookings": 0}, pd.DataFrame()))
    writer = _writer(path, 2, 3)
    stop = time.monotonic() + 60
    while writer.poll() is None:  # the server keeps reading all along; the writer still gets its turns
        assert time.monotonic() < stop
        held.runs()
    assert writer.returncode == 0, writer.stderr.read()
    assert sorted(held.runs()["campaign"]) == ["server", "writer-0", "writer-0"]
    held.close()


def test_prune_keeps_the_newest_runs_and_the_tables_they_use(tmp_path, capsys):
    from matchmaker.cli import main

    path = tmp_path / "runs.duckdb"
    store = Store(path)
    shared = pd.DataFrame({"creator_id": ["c0", "c1"]})  # one input table all runs use, stored once
    ids = [store.record(RunRecord("test", campaign, "", {"bookings": 1}, pd.DataFrame({"creator_id": ["c0"]}),
                                  inputs={"creators": ("c.csv", "", shared),
                                          "products": ("p.csv", "", pd.DataFrame({"product_id": [f"p{i}"]}))}))
           for i, campaign in enumerate(["a", "b", "a", "b", "a"])]
    assert store.counts()["tables"] == 6
    assert main(["runs", "prune", "--keep", "2", "--dry-run", "--store", str(path)]) == 0
    assert "Would remove 3 run(s)" in capsys.readouterr().err and store.counts()["runs"] == 5
    assert main(["runs", "prune", "--keep", "1", "--campaign", "a", "--store", str(path)]) == 0
    assert sorted(store.runs()["run_id"]) == sorted([ids[1], ids[3], ids[4]])  # b's runs are not a's to prune
    assert main(["runs", "prune", "--keep", "1", "--store", str(path)]) == 0
    assert list(store.runs()["run_id"]) == [ids[4]] and "1 run(s) left" in capsys.readouterr().err
    assert store.counts() == {"runs": 1, "run_inputs": 2, "tables": 2, "plans": 1}  # what the last run uses
    assert store.tables(ids[4])["creators"][1].equals(shared)
    assert main(["runs", "prune", "--older-than", "0", "--store", str(path)]) == 2  # named, nothing removed
    assert main(["runs", "prune", "--store", str(path)]) == 2
    assert "say which runs go" in capsys.readouterr().err and store.counts()["runs"] == 1
    assert main(["runs", "prune", "--older-than", "1e-9", "--store", str(path)]) == 0  # 86 microseconds
    assert store.counts() == {"runs": 0, "run_inputs": 0, "tables": 0, "plans": 0}
