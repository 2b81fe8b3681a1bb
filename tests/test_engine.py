"""Engines: scoring partition by partition equals scoring at once, and a Ray run (a local Ray instance,
started here) embeds like this process and gives the same candidates and the same plan."""

import numpy as np
import pandas as pd
import pytest

from matchmaker import load, load_config, prepare, solve
from matchmaker.fit.embed import EngineEmbedder, USEEmbedder
from matchmaker.fit.engine import LocalEngine, RayEngine, partitions
from matchmaker.fit.score import candidates
from matchmaker.problems import InputError
from tests.conftest import DATA, HashEmbedder


def test_partitions_cover_every_row_once():
    assert partitions(7, 3) == [slice(0, 3), slice(3, 6), slice(6, 7)]
    assert partitions(6, 3) == [slice(0, 3), slice(3, 6)]
    assert partitions(0, 3) == [slice(0, 0)]


@pytest.fixture(scope="module")
def sample():
    config = load_config(DATA / "campaign.toml").override(**{"scoring.cache_dir": "", "solver.workers": 1})
    return load(config), config


def _embedded(data):
    embedder = HashEmbedder()
    texts = data.creators["bio"].tolist() + [f"{n} {d}".strip() for n, d in
                                               zip(data.products["name"], data.products["description"])]
    vectors = embedder.encode(texts)
    return vectors[:data.n_creators], vectors[data.n_creators:]


@pytest.mark.parametrize("rows", [1, 37, 100])
def test_scoring_in_partitions_equals_scoring_at_once(sample, rows):
    data, config = sample
    creator_emb, product_emb = _embedded(data)
    whole = candidates(data, config, creator_emb, product_emb, LocalEngine(10 ** 6))
    parted = candidates(data, config, creator_emb, product_emb, LocalEngine(rows))
    assert len(whole) > 100
    scores = ["style", "fit", "value"]  # float sums: equal to the last bits only up to rounding
    pd.testing.assert_frame_equal(parted.drop(columns=scores), whole.drop(columns=scores))
    np.testing.assert_allclose(parted[scores], whole[scores], rtol=1e-12, atol=1e-12)


def test_a_missing_ray_is_a_clear_problem(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_ray(name, *args, **kwargs):
        if name == "ray":
            raise ImportError("No module named 'ray'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ray)
    with pytest.raises(InputError, match=r'pip install "matchmaker\[ray\]"'):
        RayEngine()


@pytest.fixture(scope="module")
def ray_engine():
    ray = pytest.importorskip("ray")  # in requirements.txt: a missing Ray fails the import, not a skip
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        yield RayEngine(partition_rows=100)  # joins the instance started here
    finally:
        ray.shutdown()


@pytest.mark.ray
def test_ray_embeds_like_this_process(ray_engine, sample):
    data, _ = sample
    texts = data.creators["bio"].tolist()[:300]
    local = USEEmbedder()
    remote = EngineEmbedder(local.name, "use", "", ray_engine, rows=64)
    # USE's numbers move in the 7th decimal with the batch a text is encoded in
    np.testing.assert_allclose(remote.encode(texts), local.encode(texts), atol=1e-5)


@pytest.mark.ray
@pytest.mark.slow
def test_a_ray_run_gives_the_candidates_and_the_plan_of_a_local_run(ray_engine, sample, tmp_path):
    data, config = sample
    config = config.override(**{"scoring.cache_dir": str(tmp_path)})  # the Ray run reads the same vectors
    local = solve(prepare(data, config, on_stage=lambda _: None, engine=LocalEngine()))
    on_ray = solve(prepare(data, config, on_stage=lambda _: None, engine=ray_engine))
    assert ray_engine.kind == "ray" and data.n_creators > 3 * ray_engine.partition_rows  # several tasks
    pd.testing.assert_frame_equal(on_ray.candidates, local.candidates)
    assert on_ray.plan[["creator_id", "product_id"]].equals(local.plan[["creator_id", "product_id"]])
    assert on_ray.is_feasible() and on_ray.result.objective == local.result.objective
