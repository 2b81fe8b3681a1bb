"""Ctrl-C and SIGTERM on a real `matchmaker optimize` process: the first stops the search and the best
plan so far is checked and written with status "interrupted" (exit 130); before the search nothing is
written; a second one aborts at once, writing nothing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from matchmaker.eval.synthetic import synthetic_tables
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def campaign(tmp_path_factory):
    """A campaign CP-SAT does not finish within a minute (3,000 creators x 50 products)."""
    folder = tmp_path_factory.mktemp("campaign")
    for name, table in synthetic_tables(3000, 50, seed=1).items():
        table.to_csv(folder / f"{name}.csv", index=False)
    return folder


def start(campaign, out):
    args = [sys.executable, "-m", "matchmaker", "optimize", "--time-limit", "120", "--budget", "3000000",
            "--out", str(out), "--summary-json", str(out.with_suffix(".json"))]
    for name in ("creators", "products", "pairs", "overlaps"):
        args += [f"--{name}", str(campaign / f"{name}.csv")]
    return subprocess.Popen(args, cwd=out.parent, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})


def wait_for(proc, fragment: str, seconds: float = 120) -> list[str]:
    """stderr lines up to the first one containing fragment."""
    lines, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        lines.append(line)
        if fragment in line:
            return lines
    proc.kill()
    raise AssertionError(f"never saw {fragment!r}: {''.join(lines)}")


def finish(proc, seconds: float = 30) -> str:
    try:
        _, err = proc.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    return err


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_first_signal_stops_the_search_and_writes_the_best_plan_so_far(campaign, tmp_path, sig):
    out = tmp_path / "plan.csv"
    proc = start(campaign, out)
    wait_for(proc, "solving (")
    wait_for(proc, "gap")  # CP-SAT has a plan of its own
    sent = time.monotonic()
    proc.send_signal(sig)
    err = finish(proc)
    assert proc.returncode == 130, err
    assert time.monotonic() - sent < 20  # stopped, not run to the 120 s limit
    assert "Traceback" not in err and "Interrupted: the best plan so far written" in err
    summary = json.loads(out.with_suffix(".json").read_text())
    assert summary["status"] == "interrupted" and summary["plan_from"] in ("cp-sat", "greedy")
    assert summary["objective"] >= summary["greedy_value"]
    assert summary["best_bound"] is None or summary["best_bound"] >= summary["objective"]
    assert len(pd.read_csv(out)) == summary["bookings"] > 0


def test_a_signal_before_the_search_writes_nothing(campaign, tmp_path):
    out = tmp_path / "plan.csv"
    proc = start(campaign, out)
    wait_for(proc, "- scoring pairs  [")  # read and validated, handlers in place; the search has not started
    proc.send_signal(signal.SIGINT)
    err = finish(proc)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "written before the interrupt: nothing" in err
    assert list(tmp_path.iterdir()) == []


def test_a_second_signal_aborts_at_once_writing_nothing(campaign, tmp_path):
    out = tmp_path / "plan.csv"
    proc = start(campaign, out)
    wait_for(proc, "solving (")
    proc.send_signal(signal.SIGINT)
    wait_for(proc, "Stopping the search")
    proc.send_signal(signal.SIGINT)
    err = finish(proc, seconds=15)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    # usually the second signal lands while the search stops: nothing is written; if the plan was already
    # being written, the message names exactly the files on disk, each whole; on a busy machine the first
    # signal's plan may even be written in full before the second one lands
    on_disk = sorted(str(p) for p in tmp_path.iterdir())
    if "written before the interrupt: " in err:
        named = err.split("written before the interrupt: ")[1].split(" (no file")[0]
        assert on_disk == ([] if named == "nothing" else sorted(named.split(", ")))
    else:
        assert f"Interrupted: the best plan so far written to {out}" in err, err
        assert on_disk == sorted([str(out), str(out.with_suffix(".json"))])
        json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    if out.exists():
        assert len(pd.read_csv(out)) > 0


@pytest.mark.parametrize("after", [0.3, 0.8, 1.5])
def test_ctrl_c_while_the_command_starts_exits_quietly(campaign, tmp_path, after):
    """Wherever the start-up is (loading the libraries, reading the inputs): exit 130, no traceback, no file.
    (On a fast machine the search may have begun: then the best plan so far is written, whole.)"""
    out = tmp_path / "plan.csv"
    proc = start(campaign, out)
    time.sleep(after)
    proc.send_signal(signal.SIGINT)
    err = finish(proc)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "Interrupted" in err
    on_disk = sorted(tmp_path.iterdir())
    if "the best plan so far written to" in err:
        assert on_disk == sorted([out, out.with_suffix(".json")]) and len(pd.read_csv(out)) > 0
    else:
        assert on_disk == [], err


def test_ctrl_c_while_the_libraries_load_is_noted_and_ends_the_command_once_loaded(monkeypatch, capsys):
    import importlib.abc

    from matchmaker import entry

    class Interrupting(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name == "matchmaker.cli":
                os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C while the command line's imports run
            return None

    monkeypatch.delitem(sys.modules, "matchmaker.cli", raising=False)
    monkeypatch.setattr(sys, "meta_path", [Interrupting(), *sys.meta_path])
    with pytest.raises(SystemExit) as stopped:
        entry.main_exit()
    assert stopped.value.code == 130
    assert "Interrupted while starting; nothing was written." in capsys.readouterr().err
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # Python's own handler is back
