import numpy as np
import pytest

from matchmaker.config import Config
from matchmaker.fit.score import audience_scores, candidates, category_eligible, performance_scores, style_scores
from tests.conftest import HashEmbedder, creator, make_data, product


def test_style_is_hubness_corrected_and_neutral_for_blank_text():
    creators = np.eye(3, dtype=np.float32)
    products = np.array([[0.9, 0.1, 0.1], [0.5, 0.5, 0.5]], dtype=np.float32)
    style = style_scores(creators, products, np.array([False, False, True]), np.array([False, False]))
    assert style[0, 0] > 0.5 > style[1, 0]
    assert np.all(style[2] == 0.5)
    assert np.allclose(style[:2, 1], 0.5)  # a product equally close to everyone: no one stands out


def test_audience_match_components():
    data = make_data([creator("a", audience_female=0.9, audience_age_18_24=0.6, audience_age_25_34=0.3,
                              audience_age_35_plus=0.1, audience_region="华东"),
                      creator("b")],
                     [product("p", target_gender="女", target_age="18-24", target_region="华东"),
                      product("q", target_gender="male")])
    got = audience_scores(data.creators, data.products, np.array([0, 0, 1]), np.array([0, 1, 0]))
    assert got[0] == pytest.approx((0.9 + 0.6 + 1.0) / 3)
    assert got[1] == pytest.approx(0.1)
    assert got[2] == 0.5  # nothing known


def test_performance_prefers_reach_and_engagement():
    data = make_data([creator("a", avg_views=1_000_000, engagement_rate="8%", experience_score=5),
                      creator("b", avg_views=1_000, engagement_rate="1%", experience_score=3),
                      creator("c", followers=None)], [product("p")])
    perf = performance_scores(data.creators)
    assert perf[0] > perf[1] and 0 <= perf.min() and perf.max() <= 1


def test_candidates_show_each_component_and_weights_from_config():
    config = Config().override(**{"scoring.w_style": 1.0, "scoring.w_audience": 0.0,
                                  "scoring.w_performance": 0.0})
    data = make_data([creator("a", bio="lipstick makeup"), creator("b", bio="phone review", categories="beauty")],
                     [product("p", description="matte lipstick")], config)
    emb = HashEmbedder()
    c_emb, p_emb = emb.encode(list(data.creators["bio"])), emb.encode(["p matte lipstick"])
    frame = candidates(data, config, c_emb, p_emb)
    assert list(frame.columns[:4]) == ["c", "p", "creator_id", "product_id"]
    assert np.allclose(frame["value"], frame["style"])
    assert frame.set_index("creator_id").at["a", "style"] > frame.set_index("creator_id").at["b", "style"]


def test_pairs_table_replaces_eligibility_and_values():
    data = make_data([creator("a", categories="tech")], [product("p", category="beauty")],
                     pairs=[("a", "p", 0.77)])
    frame = candidates(data, Config())
    assert list(frame["value"]) == [0.77] and frame["style"].isna().all()


def test_mean_of_the_known_parts():
    from matchmaker.fit.known import mean_known

    nan = np.nan
    parts = np.array([[0.2, nan, nan, 1.0], [0.4, 0.6, nan, nan], [nan, nan, nan, 0.0]])
    np.testing.assert_allclose(mean_known(parts, 0.5), [0.3, 0.6, 0.5, 0.5])


def test_hierarchical_categories_match_at_parent_and_leaf():
    creators = [creator("leaf", categories="护肤"), creator("parent", categories="美妆"),
                creator("path", categories="个护美妆>护肤"), creator("sibling", categories="美妆-彩妆"),
                creator("other", categories="食品")]
    data = make_data(creators, [product("p", category="美妆-护肤"), product("q", category="彩妆"),
                                product("r", category="个护美妆/护肤")])  # a product's "/" is a level
    eligible = category_eligible(data, Config())
    assert eligible[:, 0].tolist() == [True, True, True, False, False]
    assert eligible[:, 1].tolist() == [False, False, False, True, False]
    assert eligible[:, 2].tolist() == [True, False, True, False, False]


def test_category_inference_moves_style_toward_the_product_category_the_bio_speaks_of():
    """Two beauty products whose texts say little; the creator whose bio names one's category prefers it more
    once the category's name is a signal ([scoring] category_inference)."""
    from matchmaker.pipeline import prepare
    from tests.conftest import HashEmbedder, creator, make_data, product, quick_config

    creators = [creator("a", bio="skincare routines and serums"), creator("b", bio="lipstick swatches daily"),
                creator("c", bio="weekend vlog")]
    products = [product("p1", category="skincare", description="new bottle"),
                product("p2", category="lipstick", description="new tube")]
    config = quick_config()
    data = make_data(creators, products, config)
    both = {"skincare": ("beauty",), "lipstick": ("beauty",)}
    plain = prepare(data, replace_categories(config, both), HashEmbedder()).candidates
    aware = prepare(data, replace_categories(config.override(**{"scoring.category_inference": True}), both),
                    HashEmbedder()).candidates

    def style(frame, cid, pid):
        return float(frame[(frame["creator_id"] == cid) & (frame["product_id"] == pid)]["style"].iloc[0])

    # the product texts say nothing of skincare: a's preference for p1 comes from the category's name
    assert style(aware, "a", "p1") - style(aware, "a", "p2") > style(plain, "a", "p1") - style(plain, "a", "p2")
    assert ((aware["style"] > 0) & (aware["style"] < 1)).all()


def replace_categories(config, categories):
    import dataclasses

    return dataclasses.replace(config, categories=categories)
