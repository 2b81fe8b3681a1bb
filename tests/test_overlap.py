"""Audience overlaps (fit/overlap.py): given or estimated from what exports carry, the conflicts they induce,
the checker's re-derivation, a simulated population, and the unique reach of a set of creators."""

import numpy as np
import pandas as pd
import pytest

from matchmaker.check.overlap import Overlaps
from matchmaker.fit.overlap import conflict_graph, conflict_threshold, conflicts, overlap_rows
from tests.conftest import creator, make_data, product


def test_threshold_and_table_source():
    data = make_data([creator("a"), creator("b"), creator("c")], [product("p")],
                     overlaps=[("a", "b", 0.5), ("c", "b", 0.31), ("a", "c", 0.2)])
    frame = conflicts(data, 0.3)
    assert sorted(zip(frame["creator_a"], frame["creator_b"])) == [("a", "b"), ("b", "c")]
    graph = conflict_graph(frame)
    assert graph.has_edge("a", "b") and graph["b"]["c"]["overlap"] == pytest.approx(0.31)


def _pairs(*rows):
    return pd.DataFrame(rows, columns=["a", "b", "overlap"]) if rows else pd.DataFrame(columns=["a", "b", "overlap"])


@pytest.mark.parametrize("followers, pairs, reach", [
    ([100, 50], _pairs(), 150),  # disjoint
    ([100, 50], _pairs((0, 1, 0.4)), 130),  # two creators: 100 + 50 - 0.4 * 50
    ([50, 100], _pairs((0, 1, 0.4)), 130),  # the order of the rows does not matter
    ([100, 40], _pairs((0, 1, 1.0)), 100),  # nested: the smaller audience inside the larger
    ([80, 80, 80], _pairs((0, 1, 1.0), (0, 2, 1.0), (1, 2, 1.0)), 80),  # identical audiences
    ([100, 100, 100], _pairs((0, 1, 0.5), (0, 2, 0.5), (1, 2, 0.5)), 175),  # 100 + 50 + 25
    ([100, float("nan")], _pairs((0, 1, 0.5)), 100),  # unknown followers count as 0
    ([], _pairs(), 0),
])
def test_unique_reach_known_answers(followers, pairs, reach):
    from matchmaker.fit.overlap import unique_reach

    assert unique_reach(np.array(followers, float), pairs) == pytest.approx(reach)


def test_unique_reach_never_collapses_below_the_largest_audience_nor_exceeds_the_sum():
    """191 creators with dense overlaps, as in a large plan: the old pairwise subtraction fell to the floor."""
    from matchmaker.fit.overlap import unique_reach

    rng = np.random.default_rng(3)
    followers = rng.lognormal(np.log(60_000), 1.0, 191)
    a, b = np.triu_indices(191, 1)
    keep = rng.random(len(a)) < 0.3
    pairs = pd.DataFrame({"a": a[keep], "b": b[keep], "overlap": rng.uniform(0.05, 0.3, keep.sum())})
    shared = (pairs["overlap"] * np.minimum(followers[pairs["a"]], followers[pairs["b"]])).sum()
    assert followers.sum() - shared < followers.max()  # what made the old estimate collapse to the floor
    reach = unique_reach(followers, pairs)
    assert 2 * followers.max() < reach < followers.sum()


def _overlap(data, a, b, niche_users=5_000_000):
    frame = overlap_rows(data, 0.0, niche_users=niche_users).set_index(["a", "b"])["overlap"]
    return float(frame.get((a, b), 0.0))


def test_two_large_creators_of_one_niche_overlap_more_than_two_small_ones():
    rows = [creator("big1", followers=2_000_000), creator("big2", followers=1_500_000),
            creator("small1", followers=20_000), creator("small2", followers=30_000),
            creator("tech", categories="tech", followers=2_000_000)]
    data = make_data(rows, [product("p")])
    big, small, cross = _overlap(data, 0, 1), _overlap(data, 2, 3), _overlap(data, 0, 4)
    assert big > 10 * small and small > 0
    assert 0 < cross < small  # another niche: small, never zero
    assert big == pytest.approx(2.0 * 2_000_000 * (0.81 / 5_000_000 + 0.01 / 6e8))  # the documented formula
    assert _overlap(data, 2, 3, niche_users=500_000) == pytest.approx(10 * small, rel=1e-3)  # a smaller niche


def test_audiences_of_different_genders_and_ages_share_less():
    ages = {"audience_age_18_24": 0.8, "audience_age_25_34": 0.15, "audience_age_35_plus": 0.05}
    old = {"audience_age_18_24": 0.05, "audience_age_25_34": 0.15, "audience_age_35_plus": 0.8}
    rows = [creator("f", followers=500_000, audience_female=0.9, **ages),
            creator("f2", followers=500_000, audience_female=0.9, **ages),
            creator("m", followers=500_000, audience_female=0.1, **ages),
            creator("f_old", followers=500_000, audience_female=0.9, **old)]
    data = make_data(rows, [product("p")])
    same = _overlap(data, 0, 1)
    assert _overlap(data, 0, 2) < same / 3 and _overlap(data, 0, 3) < same / 3


def test_an_estimate_forbids_a_pair_only_when_confidently_above_max_overlap():
    rows = [creator(f"c{i}", followers=f) for i, f in enumerate((900_000, 800_000, 1_400_000))]
    data = make_data(rows, [product("p")])
    estimates = overlap_rows(data, 0.0, niche_users=5_000_000).set_index(["a", "b"])["overlap"]
    found = conflicts(data, 0.3, niche_users=5_000_000).set_index(["a", "b"])
    for pair, value in estimates.items():
        assert (pair in found.index) == (value > conflict_threshold(0.3))
    assert any(0.3 < v <= conflict_threshold(0.3) for v in estimates)  # above 0.3, yet not forbidden
    table = make_data(rows, [product("p")], overlaps=[("c0", "c1", 0.31)])  # a measured overlap is taken as given
    assert len(conflicts(table, 0.3)) == 1


def test_the_checker_re_derives_every_estimate():
    rng = np.random.default_rng(5)
    rows = [creator(f"c{i}", categories=";".join(rng.choice(["美妆", "护肤", "数码"], size=rng.integers(1, 3),
                                                           replace=False)),
                    followers=int(10 ** rng.uniform(3.5, 7)), audience_female=round(float(rng.random()), 2),
                    tier="top_kol" if i % 7 == 0 else "alliance") for i in range(60)]
    rows[4]["followers"], rows[7]["followers"] = "-", "-"  # filled from the tier's lower quartile, both ways
    data = make_data(rows, [product("p")])
    ids = data.creators["creator_id"].to_numpy()
    check = Overlaps(data)
    frame = overlap_rows(data, 0.0)
    assert len(frame) == 60 * 59 // 2  # up to DENSE_MAX creators, every pair (other niches a little)
    for a, b, value in zip(frame["a"], frame["b"], frame["overlap"]):
        assert check(ids[a], ids[b]) == pytest.approx(value, rel=1e-9, abs=1e-15)


def test_the_blocked_estimate_equals_the_dense_one_above_dense_max(monkeypatch):
    from matchmaker.fit import overlap

    rng = np.random.default_rng(3)
    rows = [creator(f"c{i}", categories=";".join(rng.choice(["美妆", "护肤", "数码", "食品"], size=rng.integers(1, 3),
                                                           replace=False)),
                    followers=int(10 ** rng.uniform(4, 7)), audience_female=round(float(rng.random()), 2))
            for i in range(50)]
    data = make_data(rows, [product("p")])
    dense = overlap_rows(data, 0.01)
    monkeypatch.setattr(overlap, "DENSE_MAX", 10)
    monkeypatch.setattr(overlap, "BLOCK_CELLS", 7)
    blocked = overlap_rows(data, 0.01)
    assert list(zip(blocked["a"], blocked["b"])) == list(zip(dense["a"], dense["b"]))
    np.testing.assert_allclose(blocked["overlap"], dense["overlap"])


def test_on_a_simulated_population_the_estimate_ranks_pairs_as_the_truth_does():
    from matchmaker.eval.population import measure, simulate

    population = simulate(0, users=60_000, creators=60, median_followers=3_000)
    result = measure(population)
    assert result["spearman_same_niche"] > 0.8
    assert result["spearman_same_niche"] > result["old_spearman_same_niche"]
    assert abs(result["log_ratio_median"]) < 0.5  # ACTIVITY is the right scale for this market
