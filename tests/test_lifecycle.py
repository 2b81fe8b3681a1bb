"""A plan's lifecycle from the command line, on the sample: runs recorded and listed, shown, diffed and exported;
locks and bans from a table and from an old run; re-plans that stay close; what-if sweeps; and in the library,
the diff, the sweeps and minimal change on hand-checkable campaigns."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import DATA, creator, make_data, product, quick_config

from matchmaker.cli import main
from matchmaker.io.store import Store
from matchmaker.lifecycle.diff import plan_diff
from matchmaker.lifecycle.history import plan_rows
from matchmaker.lifecycle.replan import stay_close
from matchmaker.lifecycle.whatif import budget_sweep, overlap_sweep, points_table, rule_costs
from matchmaker.pipeline import prepare, solve

SAMPLE = ["--config", str(DATA / "campaign.toml"), "--time-limit", "3", "--objective", "fit"]  # penalties in fit units


@pytest.fixture
def store(tmp_path):
    return tmp_path / "runs.duckdb"


def _optimize(tmp_path, store, name: str, *flags: str) -> str:
    code = main(["-q", "optimize", *SAMPLE, "--store", str(store), "--out", str(tmp_path / f"{name}.csv"), *flags])
    assert code == 0
    return Store(store).resolve("last")


def test_runs_are_listed_shown_diffed_and_exported(tmp_path, store, capsys):
    first = _optimize(tmp_path, store, "a")
    second = _optimize(tmp_path, store, "b", "--budget", "1000000", "--ban", "dy10011")
    capsys.readouterr()
    assert main(["runs", "list", "--store", str(store)]) == 0
    listed = capsys.readouterr().out
    assert first in listed and second in listed and listed.index(second) < listed.index(first)  # newest first
    assert main(["runs", "show", first[:14] if Store(store).runs()["run_id"].str.startswith(first[:14]).sum() == 1
                 else first, "--store", str(store)]) == 0
    shown = capsys.readouterr().out
    assert "creators.csv (320 rows, sha256" in shown and "111 bookings" in shown
    assert main(["runs", "diff", first, second, "--store", str(store), "--out", str(tmp_path / "d.csv")]) == 0
    said = capsys.readouterr().out
    assert "setting campaign.budget: 1200000.0 -> 1000000.0" in said
    changes = pd.read_csv(tmp_path / "d.csv")
    banned = changes[changes["creator_id"] == "dy10011"].iloc[0]
    assert banned["change"] == "dropped" and banned["why"].startswith("banned; the budget went from")
    plan_a, plan_b = pd.read_csv(tmp_path / "a.csv"), pd.read_csv(tmp_path / "b.csv")
    was = plan_a.groupby("creator_id")["product_id"].apply(lambda s: ", ".join(sorted(s)))
    now = plan_b.groupby("creator_id")["product_id"].apply(lambda s: ", ".join(sorted(s)))
    differ = {c for c in set(was.index) | set(now.index) if was.get(c) != now.get(c)}
    assert set(changes["creator_id"]) == differ  # exactly the creators whose bookings differ
    assert main(["runs", "export", second, "--store", str(store), "--out", str(tmp_path / "e.json"),
                 "--summary-json", str(tmp_path / "e-summary.json"), "--campaign-toml", str(tmp_path / "e.toml"),
                 "--inputs-dir", str(tmp_path / "inputs")]) == 0
    exported = pd.read_json(tmp_path / "e.json")
    assert sorted(zip(exported["creator_id"], exported["product_id"])) == \
        sorted(zip(plan_b["creator_id"], plan_b["product_id"]))
    assert json.loads((tmp_path / "e-summary.json").read_text())["budget"] == 1_000_000
    assert "budget = 1000000.0" in (tmp_path / "e.toml").read_text()
    assert len(pd.read_csv(tmp_path / "inputs" / "creators.csv")) == 320


def test_history_survives_a_restart_of_the_command(tmp_path, store):
    run_id = _optimize(tmp_path, store, "a")
    assert Store(store).run(run_id)["summary"]["bookings"] == 111  # a new process, a new Store: all there


def test_an_unknown_run_is_named_and_nothing_is_written(tmp_path, store, capsys):
    code = main(["-q", "optimize", *SAMPLE, "--store", str(store), "--near", "r-1999", "--out",
                 str(tmp_path / "x.csv")])
    assert code == 2 and not (tmp_path / "x.csv").exists()
    assert "no run with this id in the store" in capsys.readouterr().err


def test_locks_and_bans_from_a_table_and_bookings_kept_from_a_run(tmp_path, store):
    choices = tmp_path / "choices.csv"
    pd.DataFrame({"达人ID": ["dy10002", "dy10011"], "商品ID": ["P18", ""], "操作": ["锁定", "排除"]}).to_csv(
        choices, index=False)
    _optimize(tmp_path, store, "a", "--choices", str(choices))
    plan = pd.read_csv(tmp_path / "a.csv")
    assert ("dy10002", "P18") in set(zip(plan["creator_id"], plan["product_id"]))
    assert "dy10011" not in set(plan["creator_id"])
    first = Store(store).resolve("last")
    _optimize(tmp_path, store, "b", "--keep-from", first, "--budget", "1300000")
    kept = pd.read_csv(tmp_path / "b.csv")
    assert set(zip(plan["creator_id"], plan["product_id"])) <= set(zip(kept["creator_id"], kept["product_id"]))
    assert Store(store).plan("last")["locked"].sum() == len(plan)


def test_a_bad_choices_table_is_named_with_row_and_column(tmp_path, store, capsys):
    choices = tmp_path / "choices.csv"
    pd.DataFrame({"creator_id": ["dy10000", "nobody"], "product_id": ["", "P01"], "action": ["maybe", "lock"]}
                 ).to_csv(choices, index=False)
    code = main(["-q", "optimize", *SAMPLE, "--store", str(store), "--choices", str(choices), "--out",
                 str(tmp_path / "x.csv")])
    err = capsys.readouterr().err
    assert code == 2 and not (tmp_path / "x.csv").exists()
    assert "choices.csv, row 2, column 'action': expected lock (锁定) or ban (排除) (got 'maybe')" in err
    assert "choices.csv, row 3, column 'creator_id': no creator with this id" in err


def test_near_keeps_more_of_the_old_plan_than_a_fresh_plan_does(tmp_path, store):
    first = _optimize(tmp_path, store, "a")
    _optimize(tmp_path, store, "fresh", "--budget", "900000")
    _optimize(tmp_path, store, "near", "--budget", "900000", "--near", first, "--change-penalty", "0.3")
    old = set(zip(*pd.read_csv(tmp_path / "a.csv")[["creator_id", "product_id"]].T.values))
    fresh = set(zip(*pd.read_csv(tmp_path / "fresh.csv")[["creator_id", "product_id"]].T.values))
    near = set(zip(*pd.read_csv(tmp_path / "near.csv")[["creator_id", "product_id"]].T.values))
    assert len(old ^ near) < len(old ^ fresh)
    close = Store(store).run("last")["summary"]["stay_close"]
    assert close["previous_run"] == first and close["kept"] == len(old & near)
    assert close["added"] + close["kept"] == len(near)


def test_whatif_writes_one_row_per_point_and_each_plan(tmp_path, store, capsys):
    code = main(["-q", "whatif", *SAMPLE, "--store", str(store), "--budgets", "600000,1200000",
                 "--thresholds", "0.2,0.5", "--rules", "--out", str(tmp_path / "w.csv"), "--plans",
                 str(tmp_path / "plans")])
    assert code == 0
    table = pd.read_csv(tmp_path / "w.csv")
    assert list(table["sweep"][:4]) == ["budget", "budget", "overlap", "overlap"]
    budget = table[table["sweep"] == "budget"]
    assert budget["value"].is_monotonic_increasing and (budget["spend"] <= budget["setting"].astype(float)).all()
    rules = table[table["sweep"] == "rules"].set_index("setting")
    assert rules.loc["(none)", "rule_cost"] == 0 and (rules["rule_cost"] >= -1e-6).all()
    assert {"overlap rule", "per-product minimums", "per-product maximums"} <= set(rules.index)
    assert len(list((tmp_path / "plans").glob("*.csv"))) == len(table)
    assert table["run_id"].notna().all()  # each point is a run that can be shown and diffed


def test_whatif_without_a_sweep_is_named(tmp_path, store, capsys):
    assert main(["-q", "whatif", *SAMPLE, "--store", str(store), "--out", str(tmp_path / "w.csv")]) == 2
    assert "nothing to sweep" in capsys.readouterr().err


# The library, on campaigns small enough to check by hand.

def _campaign(**flags):
    """Four creators whose fit is their reach alone (no style weight): b > d > a = c; budgets of a few fees, so
    no cap on one booking's share of them."""
    creators = [creator("a", 100, tier="alliance"), creator("b", 100, followers=200_000),
                creator("c", 300), creator("d", 200, followers=50_000)]
    data = make_data(creators, [product("P1", min_creators=1), product("P2")])
    return prepare(data, quick_config(**{"campaign.budget": 300.0, "scoring.w_style": 0.0,
                                         "campaign.max_booking_share": 1.0, **flags}))


def test_the_budget_sweep_is_the_best_plan_at_each_budget():
    prepared = _campaign()
    points = budget_sweep(prepared, [100, 300, 700], on_stage=lambda s: None)
    for point in points:
        alone = solve(prepared, {"campaign.budget": float(point.setting)}, on_stage=lambda s: None)
        assert point.outcome.result.objective == pytest.approx(alone.result.objective)
    # one slot each: ¥100 books a or b; ¥300 both (c at 300, d at 200 no longer fit); ¥700 all four
    assert points_table(points)["bookings"].tolist() == [1, 2, 4]


def test_an_overlap_threshold_below_the_prepared_one_finds_the_new_conflicts():
    prepared = _campaign(**{"campaign.max_overlap": 1.0})
    assert not len(prepared.conflicts)
    low = overlap_sweep(prepared, [0.0], on_stage=lambda s: None)[0].outcome
    assert len(low.conflicts) > 0 and low.config.campaign.max_overlap == 0.0
    assert low.is_feasible()  # the checker, told the threshold, finds no two overlapping creators on a product


def test_rule_costs_relax_only_active_rules_and_never_lose_value():
    prepared = _campaign(**{"campaign.top_kol_max_share": 0.5})
    table = points_table(rule_costs(prepared, on_stage=lambda s: None)).set_index("setting")
    assert "Top-KOL share cap" in table.index and "exclusivity" not in table.index
    assert (table["rule_cost"] >= -1e-9).all()


def test_the_diff_names_each_change_and_its_reason():
    before = pd.DataFrame({"creator_id": ["a", "b", "c"], "product_id": ["P1", "P1", "P2"], "value": [1, 1, 1.0],
                           "cash": [100, 100, 300.0], "gmv": 0.0})
    after = pd.DataFrame({"creator_id": ["a", "b", "d"], "product_id": ["P1", "P2", "P2"], "value": [1, 1, 1.0],
                          "cash": [100, 100, 200.0], "gmv": 0.0})
    config = quick_config()
    found = plan_diff(before, after, config, config.override(**{"campaign.budget": 400.0}), None,
                      {"locks": [["d", "P2"]], "bans": ["c"]})
    rows = found.changes.set_index("creator_id")
    assert rows["change"].to_dict() == {"d": "added", "c": "dropped", "b": "moved"}
    assert rows.at["c", "why"].startswith("banned; the budget went from ¥100,000 to ¥400")
    assert rows.at["d", "why"].startswith("locked to P2")
    assert found.counts() == {"added": 1, "dropped": 1, "moved": 1}
    assert found.totals.at["spend", "change"] == -100


def test_stay_close_with_a_large_penalty_keeps_what_it_can_and_adds_nothing():
    prepared = _campaign()
    previous = plan_rows(solve(prepared, on_stage=lambda s: None))
    assert sorted(previous["creator_id"]) == ["b", "d"]  # b for 100 and d for 200 of the 300
    # at 200 both cannot stay: b (the better) is kept; a would fill the rest, but adding it costs a change
    outcome, figures = stay_close(prepared, previous, 100.0, {"campaign.budget": 200.0}, on_stage=lambda s: None)
    assert list(outcome.plan["creator_id"]) == ["b"]
    assert figures == {**figures, "kept": 1, "added": 0, "dropped": 1}
    free, figures = stay_close(prepared, previous, 0.0, {"campaign.budget": 200.0}, on_stage=lambda s: None)
    assert sorted(free.plan["creator_id"]) == ["a", "b"] and figures["added"] == 1
    assert free.result.objective == pytest.approx(solve(prepared, {"campaign.budget": 200.0},
                                                        on_stage=lambda s: None).result.objective)
    assert outcome.is_feasible()
