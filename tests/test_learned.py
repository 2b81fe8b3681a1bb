"""The fit model learned from a brand's history (train-fit --kind linear, [scoring] learned): it learns what the
brand booked for, its lift is measured on creators it never saw, and the pipeline then scores with it."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from matchmaker.cli import main
from matchmaker.config import load_config
from matchmaker.fit.learned import FEATURES, predict
from matchmaker.pipeline import load, prepare, run
from matchmaker.problems import InputError
from tests.conftest import DATA


@pytest.fixture(scope="module")
def sample():
    config = load_config(DATA / "campaign.toml").override(**{"solver.time_limit": 3})
    data = load(config)
    return data, config, prepare(data, config)


def audience_history(prepared, n: int, seed: int = 0) -> pd.DataFrame:
    """A brand that books for the audience: each of n creators' eligible product with the best audience match."""
    pairs = prepared.candidates
    creators = np.random.default_rng(seed).choice(pairs["creator_id"].unique(), n, replace=False)
    mine = pairs[pairs["creator_id"].isin(creators)]
    return mine.loc[mine.groupby("creator_id")["audience"].idxmax(), ["creator_id", "product_id"]]


def trained_linear(tmp_path, flag: str, name: str) -> tuple[dict, dict]:
    """train-fit --kind linear on tmp_path/name given as `flag`: the model file written and its weights by feature."""
    code = main(["train-fit", "--kind", "linear", flag, str(tmp_path / name), "--config", str(DATA / "campaign.toml"),
                 "--out", str(tmp_path / "model")])
    assert code == 0
    weights = json.loads((tmp_path / "model" / "fit-linear.json").read_text())
    return weights, dict(zip(weights["features"], weights["coef"]))


def test_a_linear_model_learns_what_the_brand_books_for_and_its_held_out_lift(sample, tmp_path, capsys):
    data, config, prepared = sample
    audience_history(prepared, 120).to_csv(tmp_path / "history.csv", index=False)
    weights, coef = trained_linear(tmp_path, "--history", "history.csv")
    assert coef["audience"] > 3 * max(abs(coef["style"]), abs(coef["performance"]))
    lift, low, high = weights["held_out"]["auc_gain_over_style"]
    assert low > 0 and weights["held_out"]["held_out_auc"] > 0.8  # held out by creator
    assert "Held out by creator" in capsys.readouterr().err


def test_the_config_selects_the_learned_model_as_the_fit_score(sample, tmp_path):
    data, config, prepared = sample
    weights = {"features": list(FEATURES), "coef": [0.5, 6.0, 0.5], "intercept": -5.0}
    (tmp_path / "fit-linear.json").write_text(json.dumps(weights))
    learned = config.override(**{"scoring.learned": str(tmp_path / "fit-linear.json")})
    outcome = run(data, learned)
    pairs = outcome.candidates
    assert np.allclose(pairs["fit"], predict(weights, pairs)) and outcome.violations() == []
    assert outcome.result.has_plan


def test_a_wrong_model_file_and_too_small_a_history_are_named(sample, tmp_path, capsys):
    data, config, prepared = sample
    (tmp_path / "bad.json").write_text('{"features": ["cosine"], "coef": [1]}')
    with pytest.raises(InputError, match="expected a fit model written by matchmaker train-fit"):
        prepare(data, config.override(**{"scoring.learned": str(tmp_path / "bad.json")}))
    audience_history(prepared, 3).to_csv(tmp_path / "few.csv", index=False)
    assert main(["train-fit", "--kind", "linear", "--history", str(tmp_path / "few.csv"), "--config",
                 str(DATA / "campaign.toml"), "--out", str(tmp_path / "m")]) == 2
    assert "needs at least 5 good matches" in capsys.readouterr().err
    assert main(["train-fit", "--kind", "embedding", "--results", str(tmp_path / "few.csv"), "--out", "m"]) == 2
    assert "train-fit needs --history" in capsys.readouterr().err


def test_a_pilot_s_results_teach_the_model_which_bookings_convert(sample, tmp_path):
    """A pilot whose bookings convert with their audience match: train-fit --results labels each booking by
    whether it converted at least at the median, and the model puts its weight on audience, held out by creator."""
    data, config, prepared = sample
    pairs = prepared.candidates
    rng = np.random.default_rng(1)
    booked = pairs.iloc[rng.choice(len(pairs), 300, replace=False)]
    views = rng.integers(5_000, 50_000, len(booked))
    rate = 0.002 * np.exp(4 * (booked["audience"].to_numpy() - 0.5))
    pd.DataFrame({"达人ID": booked["creator_id"], "商品ID": booked["product_id"], "播放量": views,
                  "成交订单数": rng.poisson(views * rate)}).to_csv(tmp_path / "pilot.csv", index=False)
    weights, coef = trained_linear(tmp_path, "--results", "pilot.csv")
    assert coef["audience"] > 2 * max(abs(coef["style"]), abs(coef["performance"]))
    assert weights["pairs"] <= 300 and weights["held_out"]["auc_gain_over_style"][1] > 0
