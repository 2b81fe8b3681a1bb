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
    plain = prepare(data, replace_categories(config.override(**{"scoring.category_inference": False}), both),
                    HashEmbedder()).candidates
    aware = prepare(data, replace_categories(config.override(**{"scoring.category_inference": True}), both),
                    HashEmbedder()).candidates

    def style(frame, cid, pid):
        return float(frame[(frame["creator_id"] == cid) & (frame["product_id"] == pid)]["style"].iloc[0])

    # the product texts say little of skincare: a's preference for p1 grows with the category's name as a signal
    assert style(aware, "a", "p1") - style(aware, "a", "p2") > style(plain, "a", "p1") - style(plain, "a", "p2")
    assert ((aware["style"] > 0) & (aware["style"] < 1)).all()


def test_a_category_prototype_is_the_normalised_mean_of_its_products_with_text():
    import pandas as pd

    from matchmaker.fit.score import category_prototypes

    products = pd.DataFrame({"category": ["护肤", " 护肤 ", "", "Snacks", "护肤", "Snacks"]})
    vectors = np.array([[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0], [0.6, 0.8, 0], [0.6, 0, 0.8], [0.0, 0.6, 0.8]])
    blank = np.array([False, False, False, False, True, True])  # no text: not part of its category's
    prototypes, of = category_prototypes(products, vectors, blank)
    assert of[0] == of[1] >= 0 and len(prototypes) == 1  # the same category, written with spaces
    np.testing.assert_allclose(prototypes[of[0]], [2 ** -0.5, 2 ** -0.5, 0])
    assert of[2:].tolist() == [-1, -1, -1, -1]  # no category; alone (with text) in its category; no text


def test_a_product_alone_in_its_category_takes_the_prototype_of_the_narrowest_category_above_it():
    import pandas as pd

    from matchmaker.fit.score import category_prototypes

    products = pd.DataFrame({"category": ["运动>瑜伽", "运动>跑步", "运动 > 瑜伽 > 瑜伽垫", "美妆>口红", "食品"]})
    vectors = np.eye(5)
    prototypes, of = category_prototypes(products, vectors, np.zeros(5, bool))
    assert of[0] == of[2] != of[1]  # yoga: the mat is in it too
    np.testing.assert_allclose(prototypes[of[0]], np.array([1, 0, 1, 0, 0]) / 2 ** 0.5)
    # running is alone: the prototype of sport, all three above; lipstick and food have no company on their path
    np.testing.assert_allclose(prototypes[of[1]], np.array([1, 1, 1, 0, 0]) / 3 ** 0.5)
    assert of[3] == of[4] == -1 and len(prototypes) == 2
    none, of = category_prototypes(products.iloc[:0], np.zeros((0, 5)), np.zeros(0, bool))  # no products
    assert none.shape == (0, 5) and len(of) == 0


def test_category_prototypes_move_style_toward_the_category_whose_products_speak_of_the_creator():
    """p1's own text says little; its category's other product speaks of serums. The serum creator prefers p1 to
    a product of another category that says as little more once the category's prototype is a signal."""
    from matchmaker.pipeline import prepare
    from tests.conftest import quick_config

    creators = [creator("a", bio="serum routines for dry skin", categories="beauty"),
                creator("b", bio="crunchy snack reviews", categories="beauty"),
                creator("c", bio="weekend vlog", categories="beauty")]
    products = [product("p1", category="skincare", name="bottle", description="new"),
                product("p2", category="skincare", name="serum for dry skin", description="hydrating serum routine"),
                product("p3", category="snacks", name="bottle", description="new")]
    config = quick_config(**{"scoring.category_inference": False})
    data = make_data(creators, products, config)
    mapped = {"skincare": ("beauty",), "snacks": ("beauty",)}
    plain, aware = (prepare(data, replace_categories(config.override(**{"scoring.category_prototypes": on}), mapped),
                            HashEmbedder()).candidates for on in (False, True))

    def style(frame, cid, pid):
        return float(frame[(frame["creator_id"] == cid) & (frame["product_id"] == pid)]["style"].iloc[0])

    # the product texts say little of serums: a's preference for p1 over p3 grows with the prototype as a signal
    assert style(aware, "a", "p1") - style(aware, "a", "p3") > style(plain, "a", "p1") - style(plain, "a", "p3") + 0.05
    for cid in "abc":  # p3 is alone in its category: no prototype, its style as it was
        assert style(aware, cid, "p3") == pytest.approx(style(plain, cid, "p3"))
    assert ((aware["style"] > 0) & (aware["style"] < 1)).all()


def replace_categories(config, categories):
    import dataclasses

    return dataclasses.replace(config, categories=categories)


def test_a_creator_text_is_split_into_pieces_each_once():
    import pandas as pd

    from matchmaker.fit.score import MAX_PIECES, creator_pieces, has_text

    creators = pd.DataFrame({"bio": ["parenting tips | pregnancy diary • live shopping every week. Love it!",
                                     "口红试色｜底妆测评", "", "", "a"],
                             "recent_posts": ["mom | baby | mom", "新品开箱\n夏日妆容", "",
                                              " | ".join(map(str, range(99))), ""]})
    pieces = creator_pieces(creators)
    assert pieces[0] == ("parenting tips", "pregnancy diary", "live shopping every week.", "Love it!", "mom", "baby")
    assert pieces[1] == ("口红试色", "底妆测评", "新品开箱", "夏日妆容")
    assert pieces[2] == ("",) and len(pieces[3]) == MAX_PIECES and pieces[4] == ("a",)
    assert has_text(creators).tolist() == [True, True, False, True, True]
    assert creator_pieces(creators.drop(columns="recent_posts"))[0][-1] == "Love it!"  # a table without posts


@pytest.mark.parametrize("top", [1, 2, 3])
def test_the_best_pieces_mean_is_the_brute_force_one_in_any_partition(top):
    """Pieces.best against a loop: ties, creators with one piece, fewer pieces than `top`, and the same rows
    whether scored whole or in partitions."""
    from matchmaker.fit.embed import Shared
    from matchmaker.fit.score import Pieces

    rng = np.random.default_rng(top)
    counts = rng.integers(1, 6, 40)
    starts = np.concatenate([[0], np.cumsum(counts)])
    vectors = rng.normal(size=(starts[-1], 8)).astype(np.float32)
    vectors[starts[3]:starts[4]] = vectors[starts[3]]  # a creator whose pieces are all alike: ties
    products = rng.normal(size=(7, 8)).astype(np.float32)
    pieces = Pieces(vectors, starts, top)
    expected = np.array([[np.sort(vectors[a:b].astype(float) @ q.astype(float))[::-1][:top].mean() for q in products]
                         for a, b in zip(starts[:-1], starts[1:])])
    assert np.allclose(pieces.best(products), expected)
    parts = np.vstack([pieces[slice(a, min(a + 13, 40))].best(products) for a in range(0, 40, 13)])
    assert np.allclose(parts, pieces.best(products), rtol=0, atol=1e-12)
    assert pieces[slice(5, 5)].best(products).shape == (0, 7)
    # kept once per distinct text (fit.embed.Shared): the same scores, and a partition keeps only its own vectors
    distinct, rows = np.unique(vectors, axis=0, return_inverse=True)
    shared = Pieces(Shared(distinct, rows.reshape(-1)), starts, top)
    assert np.allclose(shared.best(products), expected)
    part = shared[slice(13, 26)]
    assert len(part.vectors.vectors) <= starts[26] - starts[13]
    assert np.allclose(part.best(products), expected[13:26])


def test_posts_alone_give_a_creator_its_style_and_the_evaluation_measures_prepares_scores():
    """A creator with no bio but posts (a "captions" column) is scored on them; pipeline.style_matrix, which the
    evaluation measures, gives every eligible pair the style prepare gives it."""
    from matchmaker.pipeline import prepare, style_matrix
    from tests.conftest import quick_config

    creators = [creator("a", bio="", captions="lipstick swatch | matte lips"), creator("b", bio="camping gear"),
                creator("c", bio="", captions="")]
    products = [product("p1", description="matte lipstick"), product("p2", description="camping tent")]
    config = quick_config()
    data = make_data(creators, products, config)
    assert data.creators["recent_posts"].tolist() == ["lipstick swatch | matte lips", "", ""]
    counted = make_data([creator("d", posts="3.3k"), creator("e", posts="1,204")], products, config)
    assert counted.creators["recent_posts"].tolist() == ["", ""]  # a count of posts, as influencer lists have
    texts = make_data([creator("d", posts="morning run | leg day"), creator("e", posts="-"), creator("f", posts="12"),
                       creator("g", posts="new serum!")], products, config)  # a "posts" column of captions
    assert texts.creators["recent_posts"].tolist() == ["morning run | leg day", "", "12", "new serum!"]
    said = [str(p) for p in texts.warnings if p.column == "recent_posts"]
    assert said == ["warning: creators.csv, column 'recent_posts': column 'posts' read as recent_posts: its cells are "
                    "text, not a count of posts"], said
    found = prepare(data, config, HashEmbedder()).candidates
    style = found.set_index(["creator_id", "product_id"])["style"]
    assert style["a", "p1"] > style["a", "p2"] and style["c", "p1"] == 0.5
    matrix = style_matrix(data, config, HashEmbedder())
    assert np.allclose(matrix[found["c"], found["p"]], found["style"])
