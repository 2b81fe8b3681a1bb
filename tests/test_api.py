"""The HTTP API over real HTTP on localhost (uvicorn in a thread, httpx clients): keys, the whole lifecycle on the
sample, cancel, size limits, several clients at once, schemathesis against the OpenAPI schema, a bounded load."""

from __future__ import annotations

import io
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pandas as pd
import pytest
import schemathesis
import uvicorn
from conftest import DATA, ROOT
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import (
    ignored_auth,
    negative_data_rejection,
    positive_data_acceptance,
    use_after_free,
)

from matchmaker.api import create_app
from matchmaker.cli import main
from matchmaker.config import load_config
from matchmaker.io.store import Store
from matchmaker.problems import InputError

KEY = "test-key-1"
AUTH = {"X-API-Key": KEY}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    """An app served by uvicorn on a free localhost port, in a thread."""

    def __init__(self, app) -> None:
        self.app = app
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        stop = time.monotonic() + 30
        while not self.server.started and time.monotonic() < stop:
            time.sleep(0.05)
        assert self.server.started

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=60)


def _config(tmp_path, **flags):
    base = load_config(DATA / "campaign.toml")
    return base.override(**{"solver.time_limit": 3.0, "store.path": str(tmp_path / "runs.duckdb"),
                            "server.api_keys": KEY, "scoring.cache_dir": str(tmp_path / "cache"), **flags})


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("api")
    config = _config(tmp)
    served = Served(create_app(config, store=Store(tmp / "runs.duckdb")))
    yield served
    served.close()


@pytest.fixture(scope="module")
def client(served):
    with httpx.Client(base_url=served.url, headers=AUTH, timeout=120) as client:
        yield client


def _upload(client, path_or_bytes, name: str) -> dict:
    content = path_or_bytes if isinstance(path_or_bytes, bytes) else path_or_bytes.read_bytes()
    reply = client.post("/uploads", files={"file": (name, content)})
    assert reply.status_code == 201, reply.text
    return reply.json()


def _sample(client) -> dict[str, str]:
    return {"creators": _upload(client, DATA / "creators.csv", "creators.csv")["upload_id"],
            "products": _upload(client, DATA / "products.csv", "products.csv")["upload_id"]}


def _finished(client, run_id: str, timeout: float = 120) -> dict:
    stop = time.monotonic() + timeout
    while time.monotonic() < stop:
        view = client.get(f"/runs/{run_id}").json()
        if view["status"] in ("done", "failed", "cancelled"):
            return view
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} did not finish: {view}")


def test_every_route_but_health_needs_a_key(served):
    with httpx.Client(base_url=served.url) as bare:
        assert bare.get("/health").status_code == 200
        assert bare.get("/runs").status_code == 401
        assert bare.get("/runs", headers={"X-API-Key": "wrong"}).status_code == 401
        assert bare.get("/runs", headers={"Authorization": f"Bearer {KEY}"}).status_code == 200
        assert bare.post("/uploads", files={"file": ("a.csv", b"x")}).status_code == 401


def test_without_keys_the_server_starts_only_when_allowed_and_answers_only_this_machine(tmp_path):
    config = _config(tmp_path, **{"server.api_keys": ""})
    with pytest.raises(InputError, match="no API key"):
        create_app(config)
    app = create_app(config, allow_local=True)
    with TestClient(app) as remote:  # the test client's address is "testclient", not this machine's
        assert remote.get("/runs").status_code == 403
    served = Served(app)
    try:
        assert httpx.get(f"{served.url}/runs").status_code == 200  # from 127.0.0.1
    finally:
        served.close()
    assert main(["serve", "--host", "0.0.0.0", "--store", str(tmp_path / "s.duckdb")]) == 2  # never elsewhere


def test_validation_problems_are_the_command_lines(client):
    bad = pd.DataFrame({"达人ID": ["d1", "d1"], "粉丝数": ["很多", "100"], "报价": ["1000", "2000"],
                        "带货类目": ["美妆", "美妆"]}).to_csv(index=False).encode()
    ids = _sample(client)
    reply = client.post("/validate", json={**ids, "creators": _upload(client, bad, "达人.csv")["upload_id"]})
    assert reply.status_code == 422
    texts = [p["text"] for p in reply.json()["problems"]]
    assert any(t.startswith("error: 达人.csv, row 3, column 'creator_id'") for t in texts), texts
    assert any("row 2, column 'followers'" in t for t in texts), texts
    assert client.post("/validate", json=ids).json()["creators"] == 320
    reply = client.post("/validate", json={**ids, "settings": {"store.path": "/etc"}})
    assert reply.status_code == 422 and "not a setting a request may change" in reply.text
    reply = client.post("/validate", json={**ids, "settings": {"scoring.pieces": 99}})
    assert reply.status_code == 422 and "scoring.pieces" in reply.text  # how style is scored: within its range
    assert client.post("/validate", json={**ids, "settings": {"scoring.pieces": 0,
                                                              "scoring.category_inference": False,
                                                              "scoring.category_prototypes": False}}).status_code == 200
    reply = client.post("/validate", json={"creators": "u-nothing", "products": ids["products"]})
    assert reply.status_code == 422 and "no upload with this id" in reply.text
    # a list under its own headers: named by the campaign's [columns]
    own = pd.DataFrame({"Account": ["d1"], "Vertical focus": ["美妆"], "Agreed amount": ["1000"]})
    own_ids = {**ids, "creators": _upload(client, own.to_csv(index=False).encode(), "own.csv")["upload_id"]}
    assert client.post("/validate", json=own_ids).status_code == 422
    campaign = '[columns.creators]\n"Vertical focus" = "categories"\n"Agreed amount" = "fee"\n'
    assert client.post("/validate", json={**own_ids, "campaign": campaign}).json()["creators"] == 1


def test_an_upload_above_the_limit_is_refused(tmp_path):
    app = create_app(_config(tmp_path, **{"server.max_upload_mb": 1}))
    served = Served(app)
    try:
        reply = httpx.post(f"{served.url}/uploads", headers=AUTH, files={"file": ("big.csv", b"x" * (2 * 2**20))})
        assert reply.status_code == 413
    finally:
        served.close()


def test_the_lifecycle_on_the_sample(client):
    ids = _sample(client)
    started = client.post("/runs", json={**ids, "settings": {"campaign.budget": 1_000_000}})
    assert started.status_code == 202 and started.json()["status"] in ("queued", "running")
    first = started.json()["run_id"]
    view = _finished(client, first)
    assert view["status"] == "done" and view["summary"]["budget"] == 1_000_000
    plan = client.get(f"/runs/{first}/plan").json()["bookings"]
    assert len(plan) == view["summary"]["bookings"] > 0
    assert sum(b["cash"] for b in plan) == pytest.approx(view["summary"]["budget_used"])
    csv = client.get(f"/runs/{first}/plan", params={"format": "csv"})
    assert len(pd.read_csv(io.StringIO(csv.text))) == len(plan)
    why = client.get(f"/runs/{first}/explanations", params={"lang": "zh"}).json()["bookings"]
    assert len(why) == len(plan) and "费用" in why[0]["why"]
    assert client.get(f"/runs/{first}/summary").json()["bookings"] == len(plan)
    # what-if on the prepared campaign: the frontier's points and what each rule costs
    points = client.post(f"/runs/{first}/whatif", json={"budgets": [700_000, 1_000_000], "rules": True}).json()
    frontier = [p for p in points["points"] if p["sweep"] == "budget"]
    assert [p["setting"] for p in frontier] == ["700000", "1e+06"] and frontier[0]["value"] < frontier[1]["value"]
    assert frontier[1]["value"] == pytest.approx(view["summary"]["objective"], rel=1e-3)
    assert all(p["bookings_list"] for p in points["points"]), [(p["setting"], p["status"]) for p in points["points"]]
    # a creator declines: re-plan close to the plan, then diff
    gone = plan[0]["creator_id"]
    again = client.post(f"/runs/{first}/replan", json={"bans": [gone], "change_penalty": 0.3}).json()
    view = _finished(client, again["run_id"])
    assert view["status"] == "done" and view["parent"] == first
    close = view["summary"]["stay_close"]
    assert close["previous_run"] == first and close["dropped"] >= 1 and close["kept"] >= len(plan) - 10
    diff = client.get("/diff", params={"before": first, "after": again["run_id"]}).json()
    dropped = [c for c in diff["changes"] if c["creator_id"] == gone]
    assert dropped and dropped[0]["change"] == "dropped" and dropped[0]["why"].startswith("banned")
    listed = client.get("/runs").json()["runs"]
    assert {first, again["run_id"]} <= {r["run_id"] for r in listed}
    assert client.get("/runs/r-nothing").status_code == 404


def test_a_run_can_be_cancelled_and_keeps_its_best_plan(client):
    ids = _sample(client)
    started = client.post("/runs", json={**ids, "settings": {"economics.objective": "reach",
                                                             "solver.time_limit": 120}}).json()
    stop = time.monotonic() + 120
    while client.get(f"/runs/{started['run_id']}").json()["stage"].startswith("solving") is False:
        assert time.monotonic() < stop
        time.sleep(0.2)
    time.sleep(1.0)
    assert client.post(f"/runs/{started['run_id']}/cancel").status_code == 202
    view = _finished(client, started["run_id"], timeout=60)
    assert view["status"] == "done" and view["summary"]["status"] == "interrupted"
    assert view["summary"]["bookings"] > 0
    assert client.post("/runs/r-nothing/cancel").status_code == 404


def test_several_clients_at_once_get_their_own_runs_and_nothing_is_lost(served):
    sample = pd.read_csv(DATA / "creators.csv")

    def one(k: int) -> tuple[str, str, int]:
        with httpx.Client(base_url=served.url, headers=AUTH, timeout=120) as own:
            content = sample.drop(index=k).to_csv(index=False).encode()  # each client's list lacks one creator
            creators = _upload(own, content, f"creators-{k}.csv")
            products = _upload(own, DATA / "products.csv", "products.csv")
            budget = 900_000 + 10_000 * k
            run_id = own.post("/runs", json={"creators": creators["upload_id"], "products": products["upload_id"],
                                             "settings": {"campaign.budget": budget}}).json()["run_id"]
            view = _finished(own, run_id)
            assert view["status"] == "done" and view["summary"]["budget"] == budget
            return run_id, creators["sha256"], k

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(one, range(4)))
    store = served.app.state.server.store
    for run_id, sha, k in results:
        stored = store.run(run_id)
        inputs = stored["inputs"].set_index("role")
        assert inputs.at["creators", "source_sha256"] == sha and inputs.at["creators", "n_rows"] == 319
        assert inputs.at["creators", "file"] == f"creators-{k}.csv"
        assert sample["达人ID"].iloc[k] not in set(store.plan(run_id)["creator_id"])
    assert len({r for r, _, _ in results}) == 4


def test_the_api_keeps_its_openapi_schema(served):
    """For every operation of the OpenAPI schema, generated requests never make a server error and every answer
    keeps the documented schema. (Random ids are rightly refused, so "valid data is accepted" and "freed ids" do
    not apply; the key check is our own test's.)"""
    api = schemathesis.openapi.from_url(f"{served.url}/openapi.json")
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) >= 12
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def generated(case):
            case.call_and_validate(base_url=served.url, headers=AUTH,
                                   excluded_checks=[positive_data_acceptance, use_after_free, ignored_auth,
                                                    negative_data_rejection])

        generated()


def test_a_bounded_load_reports_requests_per_second_and_latency(served, client, record_property):
    ids = _sample(client)
    run_id = _finished(client, client.post("/runs", json=ids).json()["run_id"])["run_id"]
    paths = ["/health", "/runs?limit=5", f"/runs/{run_id}/summary", f"/runs/{run_id}/plan"]
    latencies: list[float] = []

    def worker(k: int) -> list[int]:
        codes = []
        with httpx.Client(base_url=served.url, headers=AUTH, timeout=60) as own:
            for i in range(40):
                start = time.perf_counter()
                codes.append(own.get(paths[(k + i) % len(paths)]).status_code)
                latencies.append(time.perf_counter() - start)
        return codes

    began = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        codes = [c for part in pool.map(worker, range(8)) for c in part]
    seconds = time.perf_counter() - began
    assert codes == [200] * 320
    figures = {"requests": len(codes), "rps": len(codes) / seconds,
               "p50_ms": 1000 * statistics.median(latencies),
               "p95_ms": 1000 * statistics.quantiles(latencies, n=20)[18]}
    record_property("load", figures)
    print(f"\nAPI load: {figures['requests']} requests by 8 clients, {figures['rps']:.0f} requests/s, "
          f"p50 {figures['p50_ms']:.1f} ms, p95 {figures['p95_ms']:.1f} ms")


def _serve(tmp_path, port: int) -> subprocess.Popen:
    env = {**os.environ, "MATCHMAKER_API_KEYS": KEY, "MATCHMAKER_STORE": str(tmp_path / "runs.duckdb"),
           "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "matchmaker", "serve", "--port", str(port), "--config",
                             str(DATA / "campaign.toml")], cwd=tmp_path, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    stop = time.monotonic() + 120
    while time.monotonic() < stop:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.3)
    raise AssertionError(proc.stderr.read() if proc.poll() is not None else "the server did not start")


def test_history_survives_a_server_killed_mid_run(tmp_path):
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = _serve(tmp_path, port)
    with httpx.Client(base_url=url, headers=AUTH, timeout=120) as client:
        ids = _sample(client)
        done = _finished(client, client.post("/runs", json=ids).json()["run_id"])
        plan = client.get(f"/runs/{done['run_id']}/plan").json()["bookings"]
        long = client.post("/runs", json={**ids, "settings": {"economics.objective": "reach",
                                                              "solver.time_limit": 120}}).json()["run_id"]
        while not client.get(f"/runs/{long}").json()["stage"].startswith("solving"):
            time.sleep(0.2)
    os.killpg(server.pid, signal.SIGKILL)  # mid-run: its plan is never recorded, the store stays whole
    server.wait(timeout=30)
    server = _serve(tmp_path, port)  # restarted on the same store
    try:
        with httpx.Client(base_url=url, headers=AUTH, timeout=300) as client:
            listed = {r["run_id"] for r in client.get("/runs").json()["runs"]}
            assert done["run_id"] in listed and long not in listed
            assert client.get(f"/runs/{done['run_id']}/plan").json()["bookings"] == plan
            assert client.get(f"/runs/{long}").status_code == 404
            # the prepared campaign was lost with the process: prepared again from the stored inputs
            points = client.post(f"/runs/{done['run_id']}/whatif", json={"budgets": [1_200_000], "time_limit": 5})
            assert points.status_code == 200
            assert points.json()["points"][0]["value"] == pytest.approx(done["summary"]["objective"], rel=1e-3)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)


def test_uploads_kept_in_memory_are_bounded_in_number_and_size():
    from matchmaker.api import Uploads

    kept = Uploads(limit=3, limit_mb=1)
    ids = [kept.add(b"x" * 400_000, f"{k}.csv", "t") for k in range(4)]
    with pytest.raises(InputError, match="no upload with this id"):
        kept.get(ids[0], "creators", "t")  # 1.6 MB together: the oldest are forgotten first
    with pytest.raises(InputError):
        kept.get(ids[1], "creators", "t")
    assert kept.get(ids[3], "creators", "t")[1] == "3.csv"
    with pytest.raises(InputError, match="no upload with this id"):
        kept.get(ids[3], "creators", "another tenant")


def test_kept_items_are_bounded_in_number_and_size_least_recently_used_first():
    from matchmaker.jobs import Kept

    kept = Kept(limit=3, limit_bytes=100)
    for key in "abc":
        kept.put(key, key.upper(), 30)
    assert kept.get("a") == "A"  # used: now the most recent
    kept.put("d", "D", 30)  # 120 bytes: the least recently used (b) goes
    assert (kept.get("b"), kept.get("a"), len(kept)) == (None, "A", 3)
    kept.put("e", "E", 1)  # four items: one more goes (c)
    assert [kept.get(k) for k in "acde"] == ["A", None, "D", "E"]
    kept.put("big", "BIG", 500)  # above the size alone: kept, the others forgotten
    assert (kept.get("big"), len(kept)) == ("BIG", 1)
    kept.put("big", "SMALL", 10)  # put again: its new size counts, not both
    kept.put("f", "F", 80)
    assert (kept.get("big"), kept.get("f")) == ("SMALL", "F")


def test_prepared_campaigns_are_kept_by_their_size_text_counted(tmp_path):
    from matchmaker.io.store import Store
    from matchmaker.jobs import Runner
    from matchmaker.pipeline import prepare
    from tests.conftest import HashEmbedder, creator, make_data, product, quick_config

    config = quick_config()

    def prepared(bio: str):
        creators = [creator(f"d{i}", bio=f"{bio} {i}") for i in range(120)]
        return prepare(make_data(creators, [product("p1"), product("p2")], config), config, HashEmbedder())

    short, long = prepared("short bio"), prepared("a long bio " * 800)
    assert long.nbytes() - short.nbytes() > 120 * 8_000  # each bio's characters are counted
    runner = Runner(Store(tmp_path / "runs.duckdb"), max_prepared=8, max_prepared_mb=1)
    runner.keep("r-short", short)
    assert runner.prepared("r-short") is short
    runner.keep("r-long", long)  # above 1 MB with it: the other is forgotten
    assert runner._prepared.get("r-short") is None and runner.prepared("r-long") is long
    runner.shutdown()


def test_each_api_key_sees_only_its_own_runs_and_uploads(tmp_path):
    """Two agencies on one server: with key B, nothing of A's is there (listed, read, cancelled, re-planned,
    diffed, kept from, or its uploads used); a run made on the command line is neither's."""
    config = _config(tmp_path, **{"server.api_keys": "agency-a-key,agency-b-key"})
    main(["-q", "optimize", "--config", str(DATA / "campaign.toml"), "--time-limit", "2", "--store",
          str(tmp_path / "runs.duckdb"), "--out", str(tmp_path / "cli.csv")])
    served = Served(create_app(config, store=Store(tmp_path / "runs.duckdb")))
    try:
        with httpx.Client(base_url=served.url, headers={"X-API-Key": "agency-a-key"}, timeout=120) as a, \
                httpx.Client(base_url=served.url, headers={"X-API-Key": "agency-b-key"}, timeout=120) as b:
            ids = _sample(a)
            first = a.post("/runs", json=ids).json()["run_id"]
            assert _finished(a, first)["status"] == "done"
            assert [r["run_id"] for r in a.get("/runs").json()["runs"]] == [first]  # not the command line's
            assert b.get("/runs").json() == {"pending": [], "runs": []}
            for path in (f"/runs/{first}", f"/runs/{first}/plan", f"/runs/{first}/summary",
                         f"/runs/{first}/explanations"):
                assert b.get(path).status_code == 404, path
            assert b.post(f"/runs/{first}/cancel").status_code == 404
            assert b.post(f"/runs/{first}/replan", json={"bans": []}).status_code == 404
            assert b.post(f"/runs/{first}/whatif", json={"budgets": [500_000]}).status_code == 404
            assert b.get("/diff", params={"before": first, "after": first}).status_code == 404
            assert b.get(f"/runs/{first[:12]}").status_code == 404  # nor by a prefix of its id
            used = b.post("/runs", json=ids)  # A's upload ids
            assert used.status_code == 422 and "no upload with this id" in used.text
            mine = _sample(b)
            kept = b.post("/runs", json={**mine, "keep_from": first})
            assert kept.status_code == 404
            assert a.get(f"/runs/{first}/plan").status_code == 200  # A still has it all
    finally:
        served.close()


def test_bodies_are_refused_before_they_are_read(tmp_path):
    """No key: 401 before the body is read; a body above the limit: 413 from its Content-Length, or while it
    streams (chunked, no length), never spooled whole."""
    config = _config(tmp_path, **{"server.max_upload_mb": 1})
    served = Served(create_app(config, store=Store(tmp_path / "runs.duckdb")))
    big = b"x" * (3 * 2**20)
    try:
        with httpx.Client(base_url=served.url, timeout=60) as anonymous:
            started = time.monotonic()
            refused = anonymous.post("/uploads", files={"file": ("big.csv", big)})
            assert refused.status_code == 401 and time.monotonic() - started < 10
        with httpx.Client(base_url=served.url, headers=AUTH, timeout=60) as client:
            assert client.post("/uploads", files={"file": ("big.csv", big)}).status_code == 413
            assert client.post("/validate", content=big, headers={"Content-Type": "application/json"}
                               ).status_code == 413

            def chunks():
                for _ in range(3):
                    yield b"x" * 2**20

            streamed = client.post("/validate", content=chunks(), headers={"Content-Type": "application/json"})
            assert streamed.status_code == 413
            assert client.get("/health").status_code == 200
            assert client.post("/uploads", files={"file": ("ok.csv", b"a,b\n1,2\n")}).status_code == 201
    finally:
        served.close()


def test_a_keyless_server_answers_no_page_of_another_site(tmp_path):
    """DNS rebinding (a foreign Host header) and a cross-site form (a foreign Origin) are refused by a keyless
    local server; its own clients still get through."""
    served = Served(create_app(_config(tmp_path, **{"server.api_keys": ""}), allow_local=True,
                               store=Store(tmp_path / "runs.duckdb")))
    try:
        url = f"{served.url}/runs"
        assert httpx.get(url).status_code == 200
        assert httpx.get(url, headers={"Host": f"localhost:{served.port}"}).status_code == 200
        assert httpx.get(url, headers={"Host": "evil.example:80"}).status_code == 403
        assert httpx.get(url, headers={"Origin": "https://evil.example"}).status_code == 403
        assert httpx.get(url, headers={"Origin": f"http://127.0.0.1:{served.port}"}).status_code == 200
        form = httpx.post(f"{served.url}/uploads", files={"file": ("a.csv", b"a\n1\n")},
                          headers={"Origin": "https://evil.example"})
        assert form.status_code == 403
    finally:
        served.close()


def test_a_pilot_then_a_wave_through_the_api(client):
    first = client.post("/runs", json={**_sample(client), "settings": {"economics.objective": "gmv"}}).json()["run_id"]
    assert _finished(client, first)["status"] == "done"
    pilot = client.post(f"/runs/{first}/pilot", json={"share": 0.1}).json()
    view = _finished(client, pilot["run_id"])
    assert view["status"] == "done" and view["parent"] == first, view
    assert view["summary"]["pilot"]["share"] == 0.1 and view["summary"]["pilot"]["learn"]
    booked = client.get(f"/runs/{pilot['run_id']}/plan").json()["bookings"]
    rows = [{"达人id": b["creator_id"], "商品id": b["product_id"], "播放量": 40_000, "成交订单数": 90,
             "退款订单数": 5, "发布日期": "2026-11-20"} for b in booked]
    results = _upload(client, pd.DataFrame(rows).to_csv(index=False).encode(), "罗盘.csv")["upload_id"]
    early = client.post(f"/runs/{first}/learn", json={"results": results, "as_of": "2026-11-23"})
    assert early.status_code == 422 and "T+7" in early.text  # unsettled: refused with the day to read them
    wave = client.post(f"/runs/{first}/learn", json={"results": results, "waves": 3, "as_of": "2026-12-07"}).json()
    view = _finished(client, wave["run_id"])
    assert view["status"] == "done" and view["summary"]["pilot"]["waves_left"] == 3, view
    assert view["summary"]["budget_used"] <= view["summary"]["pilot"]["wave_budget"] + 1
