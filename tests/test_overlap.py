import numpy as np
import pandas as pd
import pytest

from matchmaker.fit.overlap import ESTIMATE_SCALE, UNKNOWN_SIMILARITY, conflict_graph, conflicts
from tests.conftest import creator, make_data, product


def test_estimate_follows_the_documented_formula():
    rows = [creator("a", categories="beauty;skincare", audience_female=0.9, audience_region="华东"),
            creator("b", categories="beauty", audience_female=0.7, audience_region="华东"),
            creator("c", categories="beauty"), creator("d", categories="beauty"),
            creator("e", categories="tech")]
    frame = conflicts(make_data(rows, [product("p")]), 0.0).set_index(["creator_a", "creator_b"])
    assert frame.at[("a", "b"), "overlap"] == pytest.approx(ESTIMATE_SCALE * 0.5 * (0.8 + 1.0) / 2)
    assert frame.at[("c", "d"), "overlap"] == pytest.approx(ESTIMATE_SCALE * UNKNOWN_SIMILARITY)
    assert ("a", "e") not in frame.index  # no shared category, no overlap
    assert set(frame["source"]) == {"estimated"}


@pytest.mark.parametrize("cells", [1, 7, 4_000_000])  # one pair at a time, small chunks, one chunk
def test_the_blocked_estimate_equals_the_dense_all_pairs_estimate(monkeypatch, cells):
    from matchmaker.fit import overlap

    rng = np.random.default_rng(3)
    rows = [creator(f"c{i}", categories=";".join(rng.choice(["美妆", "护肤", "数码", "食品", "母婴"],
                                                           size=rng.integers(1, 3), replace=False)),
                    audience_female=round(float(rng.random()), 2),
                    audience_region=str(rng.choice(["华东", "华南", ""]))) for i in range(60)]
    creators = make_data(rows, [product("p")]).creators
    arrays = overlap._similarity(creators)
    every = np.arange(len(creators))
    dense = overlap._estimate(every, every, arrays)  # every pair of creators, the way it was done before
    monkeypatch.setattr(overlap, "BLOCK_CELLS", cells)
    for threshold in (0.0, 0.1, 0.2):
        blocked = overlap.estimate_overlaps(creators, threshold)
        a, b = np.nonzero(np.triu(dense > threshold, k=1))
        assert list(zip(blocked["a"], blocked["b"])) == list(zip(a, b))
        np.testing.assert_allclose(blocked["overlap"], dense[a, b])


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
