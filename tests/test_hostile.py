"""Hostile and broken inputs through the command line, generated here (no large files stored). Each case
asserts the exit code, that the problem names its location (file, row, column, or config key), that no
traceback is shown, and that nothing is left behind, or exactly the documented output."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile

import pandas as pd
import pytest

from matchmaker.cli import main
from tests.conftest import ROOT

CREATORS = [{"creator_id": "d1", "name": "小鹿", "categories": "美妆", "bio": "口红试色", "fee": "1000"},
            {"creator_id": "d2", "name": "阿杰", "categories": "美妆", "bio": "底妆测评", "fee": "2000"}]
PRODUCTS = [{"product_id": "p1", "brand": "澜樱", "name": "口红", "category": "美妆", "description": "雾面口红"}]


def csv_bytes(rows, encoding="utf-8") -> bytes:
    return pd.DataFrame(rows).to_csv(index=False).encode(encoding)


def with_cell(rows, index, **cells):
    return [{**row, **cells} if i == index else row for i, row in enumerate(rows)]


def run_cli(tmp_path, capsys, *, creators=None, products=None, pairs=None, overlaps=None, toml=None,
            flags=(), creators_name="creators.csv", out="plan.csv", env=None, monkeypatch=None):
    """Write the inputs, run `matchmaker optimize`, return (exit code, stderr, files in out/)."""
    inputs = tmp_path / "in"
    inputs.mkdir(exist_ok=True)
    files = {creators_name: creators if creators is not None else csv_bytes(CREATORS),
             "products.csv": products if products is not None else csv_bytes(PRODUCTS)}
    if pairs is not None:
        files["pairs.csv"] = pairs
    if overlaps is not None:
        files["overlaps.csv"] = overlaps
    for name, content in files.items():
        (inputs / name).write_bytes(content)
    args = ["optimize", "--creators", str(inputs / creators_name), "--products", str(inputs / "products.csv"),
            "--out", str(tmp_path / "out" / out), "--summary-json", str(tmp_path / "out" / "summary.json"),
            "--time-limit", "5", *flags]
    for name in ("pairs", "overlaps"):
        if f"{name}.csv" in files:
            args += [f"--{name}", str(inputs / f"{name}.csv")]
    if toml is not None:
        (inputs / "campaign.toml").write_text(toml, encoding="utf-8")
        args += ["--config", str(inputs / "campaign.toml")]
    for key, value in (env or {}).items():
        monkeypatch.setenv(key, value)
    code = main(args)
    err = capsys.readouterr().err
    out_dir = tmp_path / "out"
    written = sorted(p.name for p in out_dir.iterdir()) if out_dir.exists() else []
    return code, err, written


def xlsx_bomb() -> bytes:
    buffer = io.BytesIO()
    pd.DataFrame({"creator_id": ["x" * 30_000] * 100}).to_excel(buffer, index=False)
    return buffer.getvalue()


def not_a_zip_but_named_xlsx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return buffer.getvalue()


BAD = [  # (id, run_cli keyword arguments, fragments the message must hold: file, row/key, column, what)
    # numbers that overflow or are out of range
    ("fee 1e309", {"creators": csv_bytes(with_cell(CREATORS, 1, fee="1e309"))},
     ["creators.csv, row 3, column 'fee'", "finite number"]),
    ("fee inf", {"creators": csv_bytes(with_cell(CREATORS, 0, fee="inf"))}, ["row 2, column 'fee'", "expected a number"]),
    ("fee 1e308万", {"creators": csv_bytes(with_cell(CREATORS, 1, fee="1e308万"))}, ["row 3, column 'fee'", "finite"]),
    ("fee above maximum", {"creators": csv_bytes(with_cell(CREATORS, 1, fee="5e9"))},
     ["row 3, column 'fee'", "at most 1,000,000,000"]),
    ("followers 1e11", {"creators": csv_bytes(with_cell(CREATORS, 0, followers="1e11"))},
     ["row 2, column 'followers'", "at most"]),
    ("max_products 1e7", {"creators": csv_bytes(with_cell(CREATORS, 0, max_products="1e7"))},
     ["column 'max_products'", "at most 10,000"]),
    ("negative fee", {"creators": csv_bytes(with_cell(CREATORS, 1, fee="-5"))}, ["row 3, column 'fee'", ">= 0"]),
    ("engagement 130%", {"creators": csv_bytes(with_cell(CREATORS, 0, engagement_rate="130%"))},
     ["column 'engagement_rate'", "share"]),
    ("product budget 1e17", {"products": csv_bytes(with_cell(PRODUCTS, 0, budget="1e17"))},
     ["products.csv, row 2, column 'budget'", "at most"]),
    ("price 1e300", {"products": csv_bytes(with_cell(PRODUCTS, 0, price="1e300"))}, ["column 'price'", "at most"]),
    ("pair value 1e300", {"pairs": csv_bytes([{"creator_id": "d1", "product_id": "p1", "value": "1e300"}])},
     ["pairs.csv, row 2, column 'value'", "at most"]),
    ("overlap 1.5", {"overlaps": csv_bytes([{"creator_a": "d1", "creator_b": "d2", "overlap": "150%"}])},
     ["overlaps.csv, row 2, column 'overlap'"]),
    ("fee text", {"creators": csv_bytes(with_cell(CREATORS, 1, fee="lots"))}, ["row 3, column 'fee'", "expected a number"]),
    # the campaign file: types and ranges
    ("exclusivity no", {"toml": '[campaign]\nexclusivity = "no"\n'}, ["campaign.toml, key 'campaign.exclusivity'", "true or false"]),
    ("exclusivity false string", {"toml": '[campaign]\nexclusivity = "false"\n'}, ["key 'campaign.exclusivity'"]),
    ("seed 1.5", {"toml": "[solver]\nseed = 1.5\n"}, ["key 'solver.seed'", "whole number"]),
    ("seed too large", {"toml": "[solver]\nseed = 10000000000\n"}, ["key 'solver.seed'", "0..2147483647"]),
    ("workers huge", {"toml": "[solver]\nworkers = 1000000\n"}, ["key 'solver.workers'", "1..64"]),
    ("workers bool", {"toml": "[solver]\nworkers = true\n"}, ["key 'solver.workers'", "got bool"]),
    ("budget text", {"toml": '[campaign]\nbudget = "lots"\n'}, ["key 'campaign.budget'", "expected a number"]),
    ("budget 1e17", {"toml": "[campaign]\nbudget = 1e17\n"}, ["key 'campaign.budget'", "0..1,000,000,000,000"]),
    ("time limit inf", {"toml": "[solver]\ntime_limit = inf\n"}, ["key 'solver.time_limit'"]),
    ("max overlap nan", {"toml": "[campaign]\nmax_overlap = nan\n"}, ["key 'campaign.max_overlap'"]),
    ("categories number", {"toml": '[categories]\n"美妆" = 5\n'}, ["key 'categories.美妆'", "list of category names"]),
    ("path as number", {"toml": "[inputs]\novercaps = 5\n"}, ["key 'inputs.overcaps'", "unknown key"]),
    ("creators path number", {"toml": "[inputs]\ncreators = 5\n"}, ["key 'inputs.creators'", "text in quotes"]),
    ("unknown section", {"toml": "[campain]\nbudget = 5\n"}, ["key 'campain'", "unknown section"]),
    ("toml syntax", {"toml": "[campaign\nbudget = "}, ["campaign.toml", "not valid TOML"]),
    # command-line flags
    ("flag budget 1e17", {"flags": ["--budget", "1e17"]}, ["command line", "campaign.budget"]),
    ("flag budget negative", {"flags": ["--budget", "-1"]}, ["command line", "campaign.budget"]),
    ("flag time limit 0", {"flags": ["--time-limit", "0"]}, ["command line", "solver.time_limit"]),
    ("flag seed negative", {"flags": ["--seed", "-1"]}, ["command line", "solver.seed"]),
    ("flag overlap 2", {"flags": ["--max-overlap", "2"]}, ["command line", "campaign.max_overlap"]),
    ("out suffix", {"out": "plan.pdf"}, ["command line", "--out", ".csv, .xlsx, .json"]),
    # encodings and file kinds
    ("unknown encoding", {"creators": b"id,name\n" + bytes(range(128, 256)) * 20},
     ["creators.csv", "text encoding not recognised", "UTF-8"]),
    ("binary", {"creators": b"\x00\x01\x02\x03binary"}, ["creators.csv", "binary file"]),
    ("bad utf-8 after a BOM", {"creators": b"\xef\xbb\xbfcreator_id,fee\nd1,\xff\xfe\n"}, ["is not valid UTF-8"]),
    ("xlsx not a workbook", {"creators": not_a_zip_but_named_xlsx(), "creators_name": "creators.xlsx"},
     ["creators.xlsx", "could not be read"]),
    ("xlsx garbage", {"creators": b"not a zip at all", "creators_name": "creators.xlsx"}, ["creators.xlsx"]),
    ("unsupported type", {"creators": b"%PDF-1.4", "creators_name": "creators.pdf"}, ["unsupported file type"]),
    # limits
    ("xlsx bomb", {"creators": xlsx_bomb(), "creators_name": "creators.xlsx", "env": {"MATCHMAKER_MAX_UNPACKED_MB": "1"}},
     ["creators.xlsx", "unpacked size", "MATCHMAKER_MAX_UNPACKED_MB"]),
    ("too many rows", {"creators": csv_bytes(CREATORS * 10), "env": {"MATCHMAKER_MAX_ROWS": "5"}},
     ["creators.csv", "above the limit of 5", "MATCHMAKER_MAX_ROWS"]),
    ("cell too long", {"creators": csv_bytes(with_cell(CREATORS, 1, bio="x" * 20_000))},
     ["creators.csv, row 3, column 'bio'", "10,000"]),
    ("too many columns", {"creators": csv_bytes([{**CREATORS[0], **{f"c{i}": i for i in range(600)}}])},
     ["number of columns", "MATCHMAKER_MAX_COLUMNS"]),
    ("file too large", {"creators": csv_bytes(CREATORS) + "d9,x,美妆,y,1\n".encode() * 200_000,
                        "env": {"MATCHMAKER_MAX_INPUT_MB": "1"}}, ["creators.csv", "MATCHMAKER_MAX_INPUT_MB"]),
    ("bad limit variable", {"env": {"MATCHMAKER_MAX_ROWS": "lots"}}, ["MATCHMAKER_MAX_ROWS", "whole number"]),
    # structure
    ("missing fee column", {"creators": csv_bytes([{k: v for k, v in r.items() if k != "fee"} for r in CREATORS])},
     ["creators.csv, column 'fee'", "missing required column"]),
    ("duplicate id", {"creators": csv_bytes(with_cell(CREATORS, 1, creator_id="d1"))},
     ["row 3, column 'creator_id'", "duplicate"]),
    ("unknown id in pairs", {"pairs": csv_bytes([{"creator_id": "ghost", "product_id": "p1", "value": 1}])},
     ["pairs.csv, row 2, column 'creator_id'", "no creator with this id"]),
    ("self overlap", {"overlaps": csv_bytes([{"creator_a": "d1", "creator_b": "d1", "overlap": 0.5}])},
     ["overlaps.csv, row 2, column 'creator_b'", "itself"]),
    ("header only", {"creators": b"creator_id,categories,fee\n"}, ["creators.csv", "no rows"]),
    ("empty file", {"creators": b""}, ["creators.csv"]),
    ("min above max", {"products": csv_bytes(with_cell(PRODUCTS, 0, min_creators=5, max_creators=2))},
     ["products.csv, row 2, column 'min_creators'", "above max_creators"]),
]


@pytest.mark.parametrize("kwargs, fragments", [case[1:] for case in BAD], ids=[case[0] for case in BAD])
def test_bad_input_is_exit_2_naming_the_place_with_nothing_written(tmp_path, capsys, monkeypatch, kwargs,
                                                                   fragments):
    code, err, written = run_cli(tmp_path, capsys, monkeypatch=monkeypatch, **kwargs)
    assert code == 2, err
    assert "Traceback" not in err and "Internal error" not in err
    for fragment in fragments:
        assert fragment in err, (fragment, err)
    assert written == []


def test_at_least_forty_hostile_cases():
    assert len(BAD) >= 40


def test_a_latin_1_file_is_read_with_its_accents(tmp_path, capsys, monkeypatch):
    rows = [{"creator_id": "c1", "name": "José Müller", "categories": "Beauté", "bio": "maquillage élégant",
             "fee": 1000}, {"creator_id": "c2", "name": "Zoë", "categories": "Beauté", "bio": "crème", "fee": 900}]
    products = [{"product_id": "p1", "brand": "Société", "name": "Crème", "category": "Beauté", "description": "à"}]
    code, err, written = run_cli(tmp_path, capsys, creators=csv_bytes(rows, "latin-1"),
                                 products=csv_bytes(products, "latin-1"), monkeypatch=monkeypatch)
    assert code == 0, err
    plan = pd.read_csv(tmp_path / "out" / "plan.csv")
    assert "José Müller" in set(plan["creator_name"]) and set(plan["product_name"]) == {"Crème"}


def test_control_characters_reach_neither_the_xlsx_writer_nor_the_terminal(tmp_path, capsys, monkeypatch):
    code, err, written = run_cli(tmp_path, capsys, out="plan.xlsx", monkeypatch=monkeypatch,
                                 products=csv_bytes(with_cell(PRODUCTS, 0, name="口\x01红\x1b[2J")))
    assert code == 0 and written == ["plan.xlsx", "summary.json"]
    assert pd.read_excel(tmp_path / "out" / "plan.xlsx").loc[0, "product_name"] == "口红[2J"
    assert "\x1b" not in err


def test_a_corrupt_cache_is_a_warning_and_the_plan_is_written(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".matchmaker-cache").mkdir()
    (tmp_path / ".matchmaker-cache" / "embeddings.sqlite").write_bytes(b"garbage" * 1000)
    code, err, written = run_cli(tmp_path, capsys, monkeypatch=monkeypatch)
    assert code == 0 and written == ["plan.csv", "summary.json"]
    assert any(".broken-" in p.name for p in (tmp_path / ".matchmaker-cache").iterdir())


def test_a_cut_short_solve_reports_no_false_gap(tmp_path):
    """A large campaign with almost no time: a plan (greedy's, improved by local search, or CP-SAT's when its
    1 s minimum was enough to beat it), labelled so, and no bound claimed: the LP had no time, so the pruned search proves nothing
    for the full campaign."""
    from matchmaker.eval.synthetic import synthetic_tables

    args = [sys.executable, "-m", "matchmaker", "optimize", "--time-limit", "0.01", "--budget", "2237000",
            "--out", str(tmp_path / "p.csv"), "--summary-json", str(tmp_path / "s.json")]
    for name, table in synthetic_tables(3000, 50, seed=0).items():
        table.to_csv(tmp_path / f"{name}.csv", index=False)
        args += [f"--{name}", str(tmp_path / f"{name}.csv")]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["plan_from"] in ("greedy", "local-search", "cp-sat") and summary["status"] == "feasible"
    assert summary["objective"] >= summary["greedy_value"] - 1e-9
    assert summary["best_bound"] is None and summary["gap"] is None
    assert "no bound proved (gap unknown)" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("args, code, fragment", [
    (["optimize", "--creators", "nope.csv", "--products", "nope.csv", "--out", "p.csv"], 2, "file not found"),
    (["batch", "no-such-folder", "--out", "o"], 2, "no campaign .toml files"),
    (["validate", "--config", "missing.toml"], 2, "config file not found"),
])
def test_as_a_real_process_no_traceback(tmp_path, args, code, fragment):
    proc = subprocess.run([sys.executable, "-m", "matchmaker", *args], capture_output=True, text=True, cwd=tmp_path,
                          timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == code and fragment in proc.stderr
    assert "Traceback" not in proc.stderr and list(tmp_path.iterdir()) == []
