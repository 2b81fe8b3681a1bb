"""The command line as agencies use it: exit codes, files written (or not), messages without tracebacks."""

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from matchmaker.cli import main
from matchmaker.io import write
from tests.conftest import DATA, ROOT

PAIRS_SETUP = ["--config", str(DATA / "campaign.toml"), "--time-limit", "3"]


def write_csv(path, rows, encoding="utf-8"):
    pd.DataFrame(rows).to_csv(path, index=False, encoding=encoding)
    return str(path)


def tiny_inputs(tmp_path, creator_name="小鹿", fee="￥1,000", encoding="utf-8"):
    creators = write_csv(tmp_path / "creators.csv", [
        {"达人ID": "d1", "达人昵称": creator_name, "带货类目": "美妆", "简介": "口红试色", "报价": fee},
        {"达人ID": "d2", "达人昵称": "阿杰", "带货类目": "美妆", "简介": "底妆测评", "报价": "2000"}], encoding)
    products = write_csv(tmp_path / "products.csv", [
        {"product_id": "p1", "brand": "澜樱", "name": "口红", "category": "美妆", "description": "雾面口红"}])
    return creators, products


def test_demo_runs_end_to_end_as_a_subprocess(tmp_path):
    out = tmp_path / "plan.csv"
    proc = subprocess.run([sys.executable, "-m", "matchmaker", "demo", "--out", str(out), "--time-limit", "3"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    plan = pd.read_csv(out)
    assert len(plan) > 20 and {"creator_id", "product_id", "fee", "value", "style", "audience",
                               "performance"} <= set(plan.columns)
    summary = json.loads(out.with_suffix(".summary.json").read_text())
    assert summary["status"] in ("optimal", "feasible") and summary["budget_used"] <= summary["budget"]
    assert summary["objective"] >= summary["greedy_value"]
    assert "Traceback" not in proc.stderr and "gap" in proc.stderr


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".json"])
def test_optimize_writes_plan_by_extension_and_summary(tmp_path, monkeypatch, suffix):
    monkeypatch.chdir(tmp_path)
    creators, products = tiny_inputs(tmp_path)
    out = tmp_path / f"plan{suffix}"
    code = main(["-q", "optimize", "--creators", creators, "--products", products, "--budget", "5000",
                 "--out", str(out), "--summary-json", str(tmp_path / "s.json")])
    assert code == 0
    plan = {".csv": pd.read_csv, ".xlsx": pd.read_excel, ".json": pd.read_json}[suffix](out)
    assert sorted(plan["creator_id"]) == ["d1", "d2"]
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["budget_used"] == 3000 and summary["spend_by_tier"]["alliance"] == 3000


def test_formulas_in_cells_are_neutralised(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    creators, products = tiny_inputs(tmp_path, creator_name='=HYPERLINK("http://x","y")')
    out = tmp_path / "plan.csv"
    assert main(["-q", "optimize", "--creators", creators, "--products", products, "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text
    assert write.formula_safe(pd.DataFrame({"a": ["+1", "-x", "@sum", "ok"]}))["a"].tolist() == \
        ["'+1", "'-x", "'@sum", "ok"]


BAD_INPUTS = [  # (how to break the inputs, fragment expected in the message)
    ("negative fee", "row 2, column 'fee': must be >= 0"),
    ("unparsable number", "row 2, column 'fee': expected a number"),
    ("duplicate id", "row 3, column 'creator_id': duplicate"),
    ("missing column", "missing required column 'fee'"),
    ("unknown tier", "column 'tier': unknown tier"),
    ("unknown id in pairs", "pairs.csv, row 2, column 'creator_id': no creator with this id"),
    ("missing file", "file not found"),
    ("not a table", "unsupported file type"),
    ("bad config", "key 'campaign.max_overlap': must be in 0..1"),
    ("bad flag", "campaign.budget must be in 0..1,000,000,000,000"),
]


@pytest.mark.parametrize("kind, fragment", BAD_INPUTS)
def test_bad_input_exits_2_names_the_place_and_writes_nothing(tmp_path, monkeypatch, capsys, kind, fragment):
    monkeypatch.chdir(tmp_path)
    creators, products = tiny_inputs(tmp_path, fee={"negative fee": "-5", "unparsable number": "lots"}.get(kind, "100"))
    extra = []
    frame = pd.read_csv(creators)
    if kind == "duplicate id":
        frame.loc[1, "达人ID"] = "d1"
    if kind == "missing column":
        frame = frame.drop(columns=["报价"])
    if kind == "unknown tier":
        frame["层级"] = ["superstar", "头部"]
    frame.to_csv(creators, index=False)
    if kind == "unknown id in pairs":
        ghost = [{"creator_id": "ghost", "product_id": "p1", "value": 1}]
        extra = ["--pairs", write_csv(tmp_path / "pairs.csv", ghost)]
    if kind == "missing file":
        creators = str(tmp_path / "nope.csv")
    if kind == "not a table":
        (tmp_path / "creators.pdf").write_bytes(b"%PDF")
        creators = str(tmp_path / "creators.pdf")
    if kind == "bad config":
        (tmp_path / "c.toml").write_text("[campaign]\nmax_overlap = 3\n")
        extra = ["--config", str(tmp_path / "c.toml")]
    if kind == "bad flag":
        extra = ["--budget", "-10"]
    out = tmp_path / "plan.csv"
    code = main(["optimize", "--creators", creators, "--products", products, "--out", str(out),
                 "--summary-json", str(tmp_path / "s.json"), *extra])
    err = capsys.readouterr().err
    assert code == 2
    assert fragment in err, err
    assert "Traceback" not in err
    assert not out.exists() and not (tmp_path / "s.json").exists()


def test_no_feasible_plan_exits_3_with_reasons_and_no_plan(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    creators, _ = tiny_inputs(tmp_path)
    products = write_csv(tmp_path / "products.csv", [
        {"product_id": "p1", "brand": "b", "category": "美妆", "min_creators": 3}])
    out = tmp_path / "plan.csv"
    code = main(["optimize", "--creators", creators, "--products", products, "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 3 and not out.exists()
    assert "product p1: min 3 creators, but only 2 eligible" in err


def test_validate_lists_every_problem(tmp_path, capsys):
    creators, products = tiny_inputs(tmp_path, fee="-1", encoding="gbk")
    assert main(["validate", "--creators", creators, "--products", products]) == 2
    assert "creators.csv, row 2, column 'fee'" in capsys.readouterr().err
    creators, products = tiny_inputs(tmp_path, encoding="gbk")
    assert main(["validate", "--creators", creators, "--products", products]) == 0


def test_headers_no_alias_knows_are_named_on_the_command_line(tmp_path, capsys):
    """A roster whose headers are its own, under a title line as wide: refused with how to name them; read once
    --column names them (the header row found by the named headers too); a malformed --column is named."""
    (tmp_path / "roster.csv").write_text("Creator roster,exported 2026-11-01,internal,v2\n"
                                         "Handle,Vertical focus,Agreed amount (CNY),Profile blurb\n"
                                         "amy,美妆,3000,口红试色\nbob,美妆,8000,底妆测评\n", encoding="utf-8")
    _, products = tiny_inputs(tmp_path)
    inputs = ["validate", "--creators", str(tmp_path / "roster.csv"), "--products", products]
    assert main(inputs) == 2
    err = capsys.readouterr().err
    assert "missing required column 'categories'" in err and "--column creators:HEADER=categories" in err
    named = ["--column", "creators:Vertical focus=categories", "--column", "creators:agreed amount=fee",
             "--column", "creators:Profile blurb=bio"]
    assert main([*inputs, *named]) == 0
    assert "the header is on row 2" in capsys.readouterr().err
    assert main([*inputs, "--column", "creators-Vertical focus"]) == 2
    assert "expected TABLE:HEADER=COLUMN" in capsys.readouterr().err
    assert main([*inputs, "--column", "sellers:Vertical focus=categories"]) == 2
    assert "unknown table; expected one of creators, products" in capsys.readouterr().err


def test_batch_one_plan_per_campaign_and_a_summary_table(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    creators, products = tiny_inputs(tmp_path)
    campaigns = tmp_path / "campaigns"
    campaigns.mkdir()
    for name, budget in (("brand-a", 5000), ("brand-b", 1500)):
        (campaigns / f"{name}.toml").write_text(
            f'[inputs]\ncreators = "{creators}"\nproducts = "{products}"\n'
            f'[campaign]\nname = "{name}"\nbudget = {budget}\n[scoring]\ncache_dir = ""\n', encoding="utf-8")
    (campaigns / "broken.toml").write_text("[campaign]\nbudget = -1\n")
    code = main(["-q", "batch", str(campaigns), "--out", str(tmp_path / "out"), "--time-limit", "2"])
    table = pd.read_csv(tmp_path / "out" / "batch-summary.csv")
    assert code == 2  # the worst exit code of the batch
    assert list(table["config"]) == ["brand-a.toml", "brand-b.toml", "broken.toml"]
    assert list(table["bookings"].fillna(0)) == [2, 1, 0]
    assert (tmp_path / "out" / "brand-a-plan.csv").exists() and not (tmp_path / "out" / "broken-plan.csv").exists()


def test_atomic_write_leaves_nothing_on_failure(tmp_path, monkeypatch):
    target = tmp_path / "plan.csv"

    def crash(*_):
        raise KeyboardInterrupt

    monkeypatch.setattr(write.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        write.write_atomic(target, b"x" * 1000)
    assert list(tmp_path.iterdir()) == []


def _campaigns(tmp_path, budgets):
    creators, products = tiny_inputs(tmp_path)
    folder = tmp_path / "campaigns"
    folder.mkdir()
    for name, budget in budgets.items():
        (folder / f"{name}.toml").write_text(
            f'[inputs]\ncreators = "{creators}"\nproducts = "{products}"\n'
            f'[campaign]\nname = "{name}"\nbudget = {budget}\n[scoring]\ncache_dir = ""\n', encoding="utf-8")
    return folder


def test_batch_a_failing_campaign_is_a_row_and_the_others_still_get_plans(tmp_path, monkeypatch):
    import matchmaker.cli as cli

    monkeypatch.chdir(tmp_path)
    folder = _campaigns(tmp_path, {"a": 5000, "b-crashes": 5000, "c": 1500})
    real = cli.solve

    def crash_on_b(prepared, *args, **kwargs):
        if prepared.config.campaign.name == "b-crashes":
            raise RuntimeError("a bug in one campaign")
        return real(prepared, *args, **kwargs)

    monkeypatch.setattr(cli, "solve", crash_on_b)
    (folder / "d-bad.toml").write_text('[campaign]\nexclusivity = "no"\n', encoding="utf-8")
    code = main(["-q", "batch", str(folder), "--out", str(tmp_path / "out"), "--time-limit", "2"])
    table = pd.read_csv(tmp_path / "out" / "batch-summary.csv").set_index("config")
    assert code == 1  # internal error is worse than bad input (2), which is worse than no plan (3)
    assert table.loc["b-crashes.toml", "status"] == "internal error"
    assert "a bug in one campaign" in table.loc["b-crashes.toml", "error"]
    assert table.loc["d-bad.toml", "status"] == "bad input"
    assert "campaign.exclusivity" in table.loc["d-bad.toml", "error"]
    assert list(table["exit_code"]) == [0, 1, 0, 2]
    assert (tmp_path / "out" / "a-plan.csv").exists() and (tmp_path / "out" / "c-plan.csv").exists()


def test_batch_summary_is_formula_safe(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = _campaigns(tmp_path, {"x": 5000})
    toml = (folder / "x.toml").read_text().replace('name = "x"', "name = '=HYPERLINK(\"http://evil\",\"x\")'")
    (folder / "x.toml").write_text(toml, encoding="utf-8")
    assert main(["-q", "batch", str(folder), "--out", str(tmp_path / "out"), "--time-limit", "2"]) == 0
    table = pd.read_csv(tmp_path / "out" / "batch-summary.csv")
    assert table.loc[0, "campaign"] == "'=HYPERLINK(\"http://evil\",\"x\")"


def test_batch_exit_code_is_the_worst_campaigns():
    from matchmaker.cli import SEVERITY

    assert max([0, 3, 2], key=SEVERITY.index) == 2 and max([3, 0], key=SEVERITY.index) == 3
    assert max([2, 1, 3], key=SEVERITY.index) == 1 and max([1, 130], key=SEVERITY.index) == 130


def test_output_files_get_the_umask_mode_not_private(tmp_path):
    old = os.umask(0o022)
    try:
        write.write_atomic(tmp_path / "plan.csv", b"a,b\n")
    finally:
        os.umask(old)
    assert (tmp_path / "plan.csv").stat().st_mode & 0o777 == 0o644


def test_control_characters_in_names_do_not_break_the_xlsx_or_the_terminal(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    creators = write_csv(tmp_path / "creators.csv", [
        {"creator_id": "d1", "name": "Bell\x07e\x1b[31m", "categories": "美妆", "bio": "口红", "fee": 1000}])
    products = write_csv(tmp_path / "products.csv", [
        {"product_id": "p1", "brand": "B", "name": "Lip\x01stick\x0b", "category": "美妆", "description": "x"}])
    out = tmp_path / "plan.xlsx"
    assert main(["optimize", "--creators", creators, "--products", products, "--out", str(out)]) == 0
    plan = pd.read_excel(out)
    assert plan.loc[0, "product_name"] == "Lipstick" and plan.loc[0, "creator_name"] == "Belle[31m"
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err


def test_no_eligible_pair_is_exit_3_with_the_products_named(tmp_path, capsys):
    creators = write_csv(tmp_path / "c.csv", [{"creator_id": "d1", "categories": "美妆", "fee": 100}])
    products = write_csv(tmp_path / "p.csv", [{"product_id": "p1", "brand": "B", "category": "数码"}])
    code = main(["optimize", "--creators", creators, "--products", products, "--out", str(tmp_path / "plan.csv"),
                 "--summary-json", str(tmp_path / "s.json")])
    err = capsys.readouterr().err
    assert code == 3 and "No feasible plan (no_eligible_pairs)" in err
    assert "warning: product p1 (category '数码'): no eligible creator" in err
    assert not (tmp_path / "plan.csv").exists()
    assert json.loads((tmp_path / "s.json").read_text())["status"] == "no_eligible_pairs"


def test_a_plan_booking_no_one_is_exit_3_with_why(tmp_path, capsys):
    creators, products = tiny_inputs(tmp_path)
    code = main(["optimize", "--creators", creators, "--products", products, "--budget", "0",
                 "--out", str(tmp_path / "plan.csv")])
    err = capsys.readouterr().err
    assert code == 3 and "The best plan books no one" in err and "below the cheapest eligible" in err
    assert not (tmp_path / "plan.csv").exists()


def test_a_xingtu_export_goes_to_a_plan_without_editing_the_file(tmp_path, capsys):
    from tests.test_read import _xingtu_workbook

    _xingtu_workbook(tmp_path / "xingtu.xlsx")
    products = write_csv(tmp_path / "p.csv", [{"商品ID": "p1", "品牌": "澜樱", "商品名称": "面霜", "商品类目": "护肤"}])
    out = tmp_path / "plan.csv"
    code = main(["optimize", "--creators", str(tmp_path / "xingtu.xlsx"), "--products", products, "--out", str(out),
                 "--budget", "100000", "--summary-json", str(tmp_path / "s.json")])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "a total row, not a record: skipped" in err and "the header is on row 3" in err
    assert "xingtu.xlsx, row 6, column 'fee': no fee (quote): this creator cannot be booked" in err
    plan = pd.read_csv(out)
    assert plan["creator_id"].tolist() == ["d1"] and plan.loc[0, "tier"] == "top_kol"


def test_validate_suggests_a_category_map_and_the_saved_campaign_plans_the_product(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the embedding cache goes here
    creators = write_csv(tmp_path / "c.csv", [
        {"creator_id": "d1", "categories": "美妆-护肤", "fee": 100, "bio": "护肤"},
        {"creator_id": "d2", "categories": "食品", "fee": 100, "bio": "零食"}])
    products = write_csv(tmp_path / "p.csv", [{"product_id": "p1", "brand": "B", "category": "Skincare"},
                                             {"product_id": "p2", "brand": "B", "category": "数码"}])
    saved = tmp_path / "campaign.toml"
    assert main(["validate", "--creators", creators, "--products", products, "--save-categories", str(saved)]) == 0
    err = capsys.readouterr().err
    assert '"Skincare" = ["美妆-护肤"' in err and "# 数码: no creator category is close to it" in err
    out = tmp_path / "plan.csv"
    assert main(["optimize", "--config", str(saved), "--creators", creators, "--products", products,
                 "--out", str(out)]) == 0
    assert pd.read_csv(out)[["creator_id", "product_id"]].values.tolist() == [["d1", "p1"]]


def test_overlaps_writes_every_pair_with_its_source_and_figures(tmp_path, capsys):
    out = tmp_path / "overlaps.csv"
    assert main(["overlaps", "--config", str(DATA / "campaign.toml"), "--out", str(out)]) == 0
    table = pd.read_csv(out, encoding="utf-8-sig")
    assert list(table.columns)[:5] == ["creator_a", "creator_b", "overlap", "source", "kept_apart"]
    assert len(table) and (table["overlap"] > 0.01).all() and set(table["source"]) == {"estimated"}
    assert table["overlap"].is_monotonic_decreasing
    said = "".join(capsys.readouterr())
    assert "estimated (niche_users 20,000,000; not measured)" in said
    assert main(["overlaps", "--config", str(DATA / "campaign.toml"), "--out", str(out), "--min", "2"]) == 2
