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


def test_threshold_and_table_source():
    data = make_data([creator("a"), creator("b"), creator("c")], [product("p")],
                     overlaps=[("a", "b", 0.5), ("c", "b", 0.31), ("a", "c", 0.2)])
    frame = conflicts(data, 0.3)
    assert sorted(zip(frame["creator_a"], frame["creator_b"])) == [("a", "b"), ("b", "c")]
    graph = conflict_graph(frame)
    assert graph.has_edge("a", "b") and graph["b"]["c"]["overlap"] == pytest.approx(0.31)
