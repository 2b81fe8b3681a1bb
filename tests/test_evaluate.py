"""Evaluation metrics, labelled pairs, fine-tuning and the plan measurements, on tiny inputs."""

import numpy as np
import pandas as pd
import pytest

from matchmaker.cli import main
from matchmaker.config import Config, load_config
from matchmaker.eval import bench, evaluate
from matchmaker.fit.embed import SentenceTransformerEmbedder
from matchmaker.pipeline import load, run
from tests.conftest import DATA, ROOT


def toy_pairs():
    return pd.DataFrame({"product": ["p"] * 4 + ["q"] * 4, "label": [1, 0, 0, 1, 0, 1, 0, 0],
                         "languages": ["zh-zh"] * 8})


def test_metrics_perfect_reversed_and_intervals():
    pairs = toy_pairs()
    perfect = evaluate.fit_metrics(pairs, pairs["label"].to_numpy(float), k=2, n_boot=20)
    assert perfect["auc"] == 1 and perfect["precision@2"] == 0.75 and perfect["ndcg@2"] == pytest.approx(1)
    worst = evaluate.fit_metrics(pairs, -pairs["label"].to_numpy(float), k=2, n_boot=20)
    assert worst["auc"] == 0 and worst["auc_lo"] <= worst["auc"] <= worst["auc_hi"]


def test_sample_pairs_labels_follow_the_category_map():
    config = load_config(DATA / "campaign.toml")
    pairs = evaluate.sample_pairs(load(config), config)
    assert set(pairs["languages"]) == {"zh-zh", "zh-en", "en-zh", "en-en"}
    row = pairs[(pairs["creator_categories"].map(lambda cs: "Beauty" in cs)) & (pairs["product_category"] == "美妆")]
    assert len(row) and row["label"].eq(1).all()  # English "Beauty" creators match 美妆 through the map
    assert evaluate.category_scorer(row).max() == 0  # ... which a bare category match misses


def test_real_pairs_when_the_datasets_are_here():
    folder = ROOT.parent / "shared" / "datasets"
    if not folder.is_dir():
        pytest.skip("../shared/datasets is not here")
    pairs = evaluate.real_pairs(folder, products_per_group=3)
    assert 0 < pairs["label"].mean() < 0.5 and pairs["creator_text"].str.len().min() > 0
    assert pairs["creator_posts"].map(len).max() > 2  # hashtags are posts
    assert pairs["product_text"].str.contains("Sports & Outdoors").any()  # a category path is product text


def test_eval_fit_measures_matchmakers_score_on_a_labelled_set_without_fees(tmp_path, capsys):
    """A held-out set as someone else would hand it over: creators (no fees) with a category and posts, products
    with a category; eval-fit reports matchmaker's score against the score before and random, with intervals."""
    config = load_config(DATA / "campaign.toml")
    data = load(config)
    creators = data.creators.iloc[::10]
    pd.DataFrame({"达人ID": creators["creator_id"], "简介": creators["bio"],
                  "视频标题": ["新品试色 | 日常分享"] * len(creators),
                  "类目": creators["categories"].map("、".join)}).to_csv(tmp_path / "c.csv", index=False)
    data.products[["product_id", "brand", "name", "category", "description"]].to_csv(tmp_path / "p.csv", index=False)
    data.products[["product_id", "name", "category", "description"]].to_csv(tmp_path / "listings.csv", index=False)
    assert main(["eval-fit", "--creators", str(tmp_path / "c.csv"), "--products", str(tmp_path / "listings.csv"),
                 "--config", str(DATA / "campaign.toml"), "--boot", "50"]) == 0  # no brands either: not used
    out = tmp_path / "fit.csv"
    code = main(["eval-fit", "--creators", str(tmp_path / "c.csv"), "--products", str(tmp_path / "p.csv"),
                 "--config", str(DATA / "campaign.toml"), "--boot", "50", "--out", str(out)])
    assert code == 0
    table = pd.read_csv(out)
    mine = table[(table["scorer"] == "matchmaker") & (table["by"] == "creator")].iloc[0]
    before = table[(table["scorer"] == "before") & (table["by"] == "creator")].iloc[0]
    assert mine["auc_lo"] <= mine["auc"] <= mine["auc_hi"] and mine["auc"] > 0.8
    assert mine["auc_gain"] == pytest.approx(mine["auc"] - before["auc"])
    assert set(table["scorer"]) == {"matchmaker", "before", "random"} and set(table["by"]) == {"creator", "product"}
    assert "per creator" in capsys.readouterr().err
    code = main(["eval-fit", "--creators", str(tmp_path / "p.csv"), "--products", str(tmp_path / "p.csv")])
    assert code == 2  # a products table given as the creators: named, nothing written
    pd.DataFrame({"creator_id": ["a", "b"], "bio": ["口红", "露营"], "categories": ["Beauty", "Outdoor"]}).to_csv(
        tmp_path / "other.csv", index=False)
    capsys.readouterr()
    assert main(["eval-fit", "--creators", str(tmp_path / "other.csv"), "--products", str(tmp_path / "p.csv")]) == 2
    assert "no creator has both a matching and a non-matching product (0 of 48 pairs" in capsys.readouterr().err


def test_eval_fit_takes_a_captions_table_with_a_row_per_post_as_one_row_per_creator(tmp_path, capsys):
    """A scraped captions table (a row per post, the posts under a bare "posts" header, no bio, no fee) is measured
    as the same creators with their posts joined would be, and the joining is said."""
    config = load_config(DATA / "campaign.toml")
    data = load(config)
    creators = data.creators.iloc[::8]
    posts = {cid: [p for p in bio.replace("，", "|").split("|") if p.strip()] or ["日常"]
             for cid, bio in zip(creators["creator_id"], creators["bio"])}
    niche = dict(zip(creators["creator_id"], creators["categories"].map("、".join)))
    long = pd.DataFrame([(cid, post.strip(), niche[cid]) for cid, own in posts.items() for post in own],
                        columns=["creator_id", "posts", "niche"])
    long.to_csv(tmp_path / "long.csv", index=False)
    wide = pd.DataFrame({"creator_id": list(posts), "recent_posts": [" | ".join(p.strip() for p in own)
                                                                     for own in posts.values()],
                         "niche": [niche[c] for c in posts]})
    wide.to_csv(tmp_path / "wide.csv", index=False)
    # the same rows under headers no alias knows, named on the command line
    long.set_axis(["Influencer", "Caption text", "Segment"], axis=1).to_csv(tmp_path / "mapped.csv", index=False)
    mapped = ["--column", "creators:Influencer=creator_id", "--column", "creators:caption text=recent_posts",
              "--column", "creators:Segment=categories"]
    data.products[["product_id", "brand", "name", "category", "description"]].to_csv(tmp_path / "p.csv", index=False)
    tables = []
    for name, flags in (("long", []), ("wide", []), ("mapped", mapped)):
        out = tmp_path / f"{name}-fit.csv"
        assert main(["eval-fit", "--creators", str(tmp_path / f"{name}.csv"), "--products", str(tmp_path / "p.csv"),
                     "--config", str(DATA / "campaign.toml"), "--boot", "50", "--out", str(out), *flags]) == 0
        tables.append(pd.read_csv(out))
    assert len(long) > len(wide) and tables[0].equals(tables[1]) and tables[0].equals(tables[2])
    said = capsys.readouterr().err
    assert said.count(f"{len(long)} rows for {len(wide)} creators, a row per post") == 2  # long and mapped
    assert "column 'posts' read as recent_posts" in said
    assert said.count("read as recent_posts") == 1  # said once, by the validator

    from matchmaker.inputs.validate import one_row_per_creator

    table = pd.DataFrame({"creator_id": ["a", "a", "b", "b"], "followers": ["1w", "1w", "x", "2w"],
                          "caption": ["run", "gym", "lip", "glow"]})
    one, notes = one_row_per_creator(table, "c.csv", Config())
    assert one["caption"].tolist() == ["run | gym", "lip | glow"] and len(notes) == 1
    assert one.index.tolist() == [0, 2] and one.columns.tolist() == table.columns.tolist()  # each one's first row
    assert one["followers"].tolist() == ["1w", "x"]  # b's bad cell stays, for the validator to name at b's row
    same, notes = one_row_per_creator(table.iloc[[0, 2]], "c.csv", Config())
    assert same.equals(table.iloc[[0, 2]]) and notes == []  # no id repeats: as it was


def test_train_fit_cli_writes_a_model_the_config_can_select(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    history = tmp_path / "history.csv"
    pd.DataFrame({"达人ID": ["dy10002", "dy10003", "dy10001", "dy10000"],
                  "商品ID": ["P17", "P07", "P09", "P12"]}).to_csv(history, index=False)
    code = main(["-q", "train-fit", "--history", str(history), "--config", str(DATA / "campaign.toml"),
                 "--out", str(tmp_path / "models" / "brand")])
    assert code == 0
    config = load_config(DATA / "campaign.toml").override(
        **{"scoring.backend": "sentence-transformers", "scoring.model": str(tmp_path / "models" / "brand"),
           "solver.time_limit": 3.0, "scoring.cache_dir": ""})
    tuned = SentenceTransformerEmbedder(config.resolved_model())
    assert tuned.encode(["口红"]).shape == (1, 384)
    assert run(load(config), config, on_stage=lambda s: None).result.has_plan


def test_train_fit_names_unknown_ids(tmp_path, capsys):
    history = tmp_path / "h.csv"
    history.write_text("creator_id,product_id\nghost,P17\n")
    assert main(["train-fit", "--history", str(history), "--config", str(DATA / "campaign.toml"),
                 "--out", str(tmp_path / "m")]) == 2
    assert "h.csv, row 2, column 'creator_id'" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()


def test_second_opinion_agrees_and_relaxing_a_rule_never_loses_value():
    data, config = bench.synthetic_problem(150, 6, seed=0)
    config = config.override(**{"solver.time_limit": 5.0})
    out = run(data, config, on_stage=lambda s: None)
    assert out.result.status == "optimal"
    assert bench.second_opinion(out.instance, "HIGHS") == pytest.approx(out.result.objective, abs=1e-6)
    costs = bench.constraint_costs(data, config)
    assert (costs["value_lost"] >= -1e-6).all()


def test_per_creator_metrics_and_a_paired_gain_with_its_interval():
    pairs = pd.DataFrame({"creator": ["a"] * 4 + ["b"] * 4, "product": list("pqrs") * 2,
                          "label": [1, 0, 0, 0, 0, 1, 0, 0]})
    right = pairs["label"].to_numpy(float)
    wrong = np.array([0, 1, 0, 0, 1, 0, 0, 0], dtype=float)  # each creator's true product ranked below another
    assert evaluate.fit_metrics(pairs, right, k=1, n_boot=20, by="creator")["auc"] == 1
    assert evaluate.fit_metrics(pairs, right, k=1, n_boot=20, by="creator")["creators"] == 2
    gain = evaluate.paired_gain(pairs, right, wrong, k=1, n_boot=50)
    # per creator: AUC 1 against 1/3 (the true product is 2nd of 4, below one negative and above two)
    assert gain["auc_gain"] == pytest.approx(2 / 3) and gain["auc_gain_lo"] == pytest.approx(2 / 3)
    assert gain["precision@1_gain"] == 1
    assert evaluate.paired_gain(pairs, right, right, k=1, n_boot=50)["auc_gain_hi"] == 0
