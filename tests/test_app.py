"""The app, headless, with streamlit's AppTest: sample flow, uploads, mapping, problems, infeasible."""

import io

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from matchmaker.config import load_config
from matchmaker.fit.score import eligible_pairs
from matchmaker.pipeline import load
from tests.conftest import DATA, ROOT


@pytest.fixture
def app(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # the embedding cache goes to a fresh folder
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.sidebar.radio(key="lang").set_value("English").run()
    return at


def apply_campaign(at, **numbers):
    form = at.sidebar
    for label, value in numbers.items():
        widget = next(w for w in form.number_input if w.label.startswith(label))
        widget.set_value(value)
    next(b for b in at.sidebar.button if b.label == "Apply").click()
    return at.run()


def plan_of(at):
    return next(df.value for df in at.dataframe if "why" in df.value.columns)


def optimize(at):
    at.button(key="optimize").click()
    return at.run()


def test_sample_flow_gives_a_plan_with_charts_and_downloads(app):
    app.button(key="sample").click().run()
    assert not app.exception
    assert any("320 creators, 24 products ready" in s.value for s in app.success)
    optimize(app)
    assert not app.exception and not app.error
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Creators booked"] and metrics["Budget used"].startswith("¥")
    plan = plan_of(app)
    assert len(plan) > 20 and {"style", "audience", "performance", "why"} <= set(plan.columns)
    assert len(app.get("vega_lite_chart")) == 5  # spend and GMV by product, by tier; ROI; values; overlaps
    assert {b.label for b in app.get("download_button")} >= {"Plan (.csv)", "Plan (.xlsx)", "Summary (.json)",
                                                              "Save campaign (.toml)"}
    assert any("ranked" in m.value for m in app.markdown)  # the per-creator explanation
    app.selectbox(key="net-product").set_value(sorted(plan["product_id"].unique())[1]).run()
    assert app.session_state["outcome"] is not None and len(plan_of(app)) == len(plan)


def upload(at, key, frame, name, encoding="utf-8"):
    buffer = io.BytesIO()
    if name.endswith(".xlsx"):
        frame.to_excel(buffer, index=False)
    else:
        buffer.write(frame.to_csv(index=False).encode(encoding))
    at.file_uploader(key=key).set_value((name, buffer.getvalue(), "application/octet-stream"))


def test_upload_flow_gbk_csv_and_xlsx(app):
    creators = pd.read_csv(DATA / "creators.csv").iloc[::2]
    creators["报价"] = creators["报价"].str.replace("¥", "￥")  # GBK has the full-width yuan sign
    upload(app, "up-creators", creators, "creators.csv", "gbk")
    upload(app, "up-products", pd.read_csv(DATA / "products.csv"), "products.xlsx")
    app.run()
    assert any("160 creators, 24 products ready" in s.value for s in app.success), [e.value for e in app.error]
    apply_campaign(app, **{"Total budget": 600_000.0})
    optimize(app)
    assert not app.exception
    summary_budget = app.metric[0].value
    assert summary_budget.startswith("¥") and int(summary_budget[1:].replace(",", "")) <= 600_000


def test_a_deals_upload_sets_its_pairs_terms_and_a_bad_row_is_named(app):
    creators, products = pd.read_csv(DATA / "creators.csv"), pd.read_csv(DATA / "products.csv")
    upload(app, "up-creators", creators, "creators.csv")
    upload(app, "up-products", products, "products.csv")
    # a creator's terms for the products it may promote: a fee of ¥1, under any list quote
    data, config = load(load_config(DATA / "campaign.toml")), load_config(DATA / "campaign.toml")
    eligible = eligible_pairs(data, config)
    first = next(c for c in range(data.n_creators) if eligible[c].sum() >= 2)
    who, mine = data.creators["creator_id"].iloc[first], data.products["product_id"][eligible[first]].tolist()
    deals = pd.DataFrame({"达人ID": [who] * len(mine), "商品ID": mine, "坑位费": ["1"] * len(mine)})
    upload(app, "up-deals", deals.assign(商品ID=[*mine[:-1], "P99"]), "deals.csv")
    app.run()
    named = pd.concat([df.value for df in app.dataframe if "problem" in df.value.columns])
    assert named[["file", "row"]].values.tolist() == [["deals.csv", len(mine) + 1]]  # the unknown id, last row
    assert "no product with this id" in named["problem"].iloc[0]
    upload(app, "up-deals", deals, "deals.csv")
    app.run()
    assert not app.error and any("320 creators, 24 products ready" in s.value for s in app.success)
    optimize(app)
    pairs = app.session_state["outcome"].candidates
    theirs = pairs[pairs["creator_id"] == who].set_index("product_id")["fee"]
    assert sorted(theirs.index) == sorted(mine) and (theirs == 1).all() and data.creators["fee"].iloc[first] > 1


# creators under headers no alias knows (who, cost, kind), and a products table the aliases read
OWN_HEADERS = pd.DataFrame({"who": ["a", "b"], "cost": ["1000", "2000"], "kind": ["beauty", "beauty"],
                            "about": ["makeup", "lipstick"]})


def upload_own_headers(app, creators=OWN_HEADERS):
    upload(app, "up-creators", creators, "creators.csv")
    upload(app, "up-products", pd.DataFrame({"product_id": ["p"], "brand": ["b"], "category": ["beauty"]}),
           "products.csv")
    return app.run()


def test_unrecognised_headers_open_the_column_mapping(app):
    creators = OWN_HEADERS
    upload_own_headers(app)
    assert app.error  # missing creator_id, categories and fee

    def pick(column: str, header: str):
        return next(s for s in app.selectbox if s.key.startswith("map-creators-") and s.key.endswith(f"-{column}")
                    ).set_value(header)

    pick("creator_id", "who")
    pick("fee", "cost")
    pick("categories", "kind").run()
    assert not app.error
    assert any("2 creators, 1 products ready" in s.value for s in app.success)
    # the same file again keeps the choices; a file with other headers starts from the guesses
    upload(app, "up-creators", creators.assign(cost=["1100", "2100"]), "creators.csv")
    app.run()
    assert any("2 creators, 1 products ready" in s.value for s in app.success)
    upload(app, "up-creators", creators.rename(columns={"who": "creator_id", "cost": "fee", "kind": "categories"}),
           "creators.csv")
    app.run()
    assert not app.error and any("2 creators, 1 products ready" in s.value for s in app.success)


def test_an_uploaded_campaigns_column_map_is_the_mappings_first_guess(app):
    toml = '[columns.creators]\nwho = "creator_id"\ncost = "fee"\nkind = "categories"\n'
    app.sidebar.file_uploader(key="up-toml").set_value(("c.toml", toml.encode(), "application/toml")).run()
    upload_own_headers(app)
    assert not app.error and any("2 creators, 1 products ready" in s.value for s in app.success)
    picked = {s.key.rsplit("-", 1)[1]: s.value for s in app.selectbox if (s.key or "").startswith("map-creators-")}
    assert (picked["creator_id"], picked["fee"], picked["categories"]) == ("who", "cost", "kind")


def test_validation_problems_are_a_table(app):
    creators = pd.DataFrame({"creator_id": ["a", "a"], "categories": ["x", "x"], "fee": ["-5", "lots"]})
    upload(app, "up-creators", creators, "creators.csv")
    upload(app, "up-products", pd.DataFrame({"product_id": ["p"], "brand": ["b"], "category": ["x"]}), "products.csv")
    app.run()
    assert not app.exception
    problems = app.dataframe[0].value
    assert list(problems.columns[:5]) == ["file", "row", "column", "value", "problem"]
    assert {(r.row, r.column) for r in problems.itertuples()} == {(2, "fee"), (3, "fee"), (3, "creator_id")}


def test_non_tabular_file_gets_a_clear_message(app):
    app.file_uploader(key="up-creators").set_value(("creators.csv", b"\x00\x01PK\x00binary", "text/csv"))
    upload(app, "up-products", pd.DataFrame({"product_id": ["p"], "brand": ["b"], "category": ["x"]}), "products.csv")
    app.run()
    assert not app.exception
    assert "binary file" in app.dataframe[0].value.iloc[0]["problem"]


def test_infeasible_campaign_names_the_rules(app):
    app.button(key="sample").click().run()
    apply_campaign(app, **{"Total budget": 1000.0})
    optimize(app)
    assert not app.exception
    assert any("No plan satisfies all the rules" in e.value for e in app.error)
    assert any("budget" in m.value for m in app.markdown)


def test_campaign_toml_loads_into_the_form(app):
    toml = (DATA / "campaign.toml").read_text(encoding="utf-8").replace("1_200_000", "777_000")
    app.sidebar.file_uploader(key="up-toml").set_value(("c.toml", toml.encode(), "application/toml")).run()
    assert not app.exception
    assert app.session_state["config"].campaign.budget == 777_000
    assert next(w for w in app.sidebar.number_input if w.label.startswith("Total budget")).value == 777_000
    assert any("inputs, solver.workers" in w.value for w in app.sidebar.warning)  # the sample names its files


def test_chinese_is_the_default_language():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert "达人" in at.title[0].value


def upload_toml(at, text, name="c.toml"):
    return at.sidebar.file_uploader(key="up-toml").set_value((name, text.encode(), "application/toml")).run()


def test_an_uploaded_campaign_cannot_set_paths_the_model_or_workers(app, tmp_path):
    upload_toml(app, '[scoring]\ncache_dir = "/"\nmodel = "/"\nw_style = 0.7\n[solver]\nworkers = 1000000\n'
                     '[inputs]\ncreators = "/etc/passwd"\n[campaign]\nbudget = 5000\n'
                     '[engine]\nkind = "ray"\naddress = "ray://elsewhere:10001"\n')
    assert not app.exception
    config = app.session_state["config"]
    assert config.campaign.budget == 5000 and config.scoring.w_style == 0.7  # rules and weights are taken
    assert config.scoring.cache_dir == ".matchmaker-cache" and config.scoring.model == ""  # the server's own
    assert config.solver.workers == 2 and config.inputs.creators == "creators.csv"
    assert config.engine.kind == "local" and config.engine.address == ""  # an upload never picks the cluster
    assert any("inputs, scoring.cache_dir, scoring.model, solver.workers, engine" in w.value
               for w in app.sidebar.warning)
    assert not (tmp_path / "etc").exists()


@pytest.mark.parametrize("toml, fragment", [
    ("[solver]\ntime_limit = 3600\n", "key 'solver.time_limit': must be in (0, 600] seconds on this server"),
    ('[campaign]\nexclusivity = "no"\n', "key 'campaign.exclusivity': expected true or false"),
    ("[campaign\nbudget = ", "is not valid TOML"),
])
def test_a_bad_campaign_file_is_a_message_and_the_form_keeps_working(app, toml, fragment):
    upload_toml(app, toml)
    assert not app.exception
    assert any(fragment in e.value for e in app.sidebar.error), [e.value for e in app.sidebar.error]
    assert next(w for w in app.sidebar.number_input if w.label.startswith("Solver time limit")).value == 10


def test_an_internal_error_shows_a_plain_message_never_a_traceback(app, monkeypatch, caplog):
    import matchmaker.report.analysis as analysis

    app.button(key="sample").click().run()
    optimize(app)

    def broken(*_, **__):
        raise RuntimeError("secret detail at /srv/matchmaker/internal.py")

    monkeypatch.setattr(analysis, "spend_by", broken)
    app.run()
    assert not app.exception
    shown = " ".join(e.value for e in app.error)
    assert "Something went wrong on our side" in shown and "/srv" not in shown and "secret" not in shown
    assert "secret detail" in caplog.text  # the detail is in the server log


def test_a_failing_optimize_run_shows_a_plain_message(app, monkeypatch):
    import matchmaker.pipeline as pipeline

    def broken(*_, **__):
        raise RuntimeError("secret detail at /srv/matchmaker/internal.py")

    monkeypatch.setattr(pipeline, "solve", broken)
    app.button(key="sample").click().run()
    optimize(app)
    assert not app.exception
    shown = " ".join(e.value for e in app.error)
    assert "Something went wrong on our side" in shown and "/srv" not in shown


def upload_bytes(at, key, name, content):
    at.file_uploader(key=key).set_value((name, content, "application/octet-stream"))


PRODUCT_CSV = pd.DataFrame({"product_id": ["p"], "brand": ["b"], "category": ["x"]}).to_csv(index=False).encode()


def _bomb() -> bytes:
    buffer = io.BytesIO()
    pd.DataFrame({"creator_id": ["x" * 30_000] * 100}).to_excel(buffer, index=False)
    return buffer.getvalue()


@pytest.mark.parametrize("name, content, env, fragment", [
    ("creators.csv", b"id,name\n" + bytes(range(128, 256)) * 20, {}, "text encoding not recognised"),
    ("creators.csv", b"creator_id,categories,fee\na,x,1e309\n", {}, "finite number"),
    ("creators.xlsx", _bomb(), {"MATCHMAKER_MAX_UNPACKED_MB": "1"}, "unpacked size"),
    ("creators.csv", b"creator_id,categories,fee\n" + b"a,x,1\n" * 30, {"MATCHMAKER_MAX_ROWS": "10"},
     "MATCHMAKER_MAX_ROWS"),
    ("creators.csv", b"\x00\x01binary", {}, "binary file"),
], ids=["unknown encoding", "1e309", "xlsx bomb", "too many rows", "binary"])
def test_hostile_uploads_are_plain_problems(app, monkeypatch, name, content, env, fragment):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    upload_bytes(app, "up-creators", name, content)
    upload_bytes(app, "up-products", "products.csv", PRODUCT_CSV)
    app.run()
    assert not app.exception
    problems = " ".join(app.dataframe[0].value["problem"])
    assert fragment in problems and "Traceback" not in problems


def test_a_latin_1_upload_keeps_its_accents(app):
    creators = "creator_id,name,categories,bio,fee\nc1,José Müller,x,crème,1000\n".encode("latin-1")
    upload_bytes(app, "up-creators", "creators.csv", creators)
    upload_bytes(app, "up-products", "products.csv", PRODUCT_CSV)
    app.run()
    assert not app.exception and any("1 creators, 1 products ready" in s.value for s in app.success)


def test_a_plan_booking_no_one_is_explained_not_a_crash(app):
    creators = pd.DataFrame({"creator_id": ["a", "b"], "categories": ["美妆", "美妆"], "fee": [1000, 2000],
                             "bio": ["口红", "底妆"]})
    upload(app, "up-creators", creators, "creators.csv")
    upload(app, "up-products", pd.DataFrame({"product_id": ["p"], "brand": ["b"], "category": ["美妆"]}),
           "products.csv")
    app.run()
    apply_campaign(app, **{"Total budget": 0.0})
    optimize(app)
    assert not app.exception
    assert any("The best plan books no one" in e.value for e in app.error)
    assert any("raise the budget" in m.value for m in app.markdown)
    assert not any("Something went wrong" in e.value for e in app.error)


def test_the_chinese_results_page_speaks_chinese(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()  # Chinese is the default
    at.button(key="sample").click().run()
    optimize(at)
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["预估去重覆盖"].endswith("万") and metrics["已用预算"].endswith("万")
    plan = next(df.value for df in at.dataframe if "入选理由" in df.value.columns)
    assert {"达人ID", "达人层级", "费用（元）", "匹配价值"} <= set(plan.columns)
    assert set(plan["达人层级"]) <= {"头部达人", "联盟达人"}
    assert plan["入选理由"].str.contains("费用 ¥").all()


def test_problems_and_reasons_are_in_chinese_when_chinese_is_chosen(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()  # Chinese is the default
    creators = pd.DataFrame({"creator_id": ["a", "a"], "categories": ["x", "x"], "fee": ["-5", "lots"]})
    upload(at, "up-creators", creators, "creators.csv")
    upload(at, "up-products", pd.DataFrame({"product_id": ["p"], "brand": ["b"], "category": ["x"]}), "products.csv")
    at.run()
    problems = at.dataframe[0].value
    assert list(problems.columns[:5]) == ["文件", "行", "列", "内容", "问题"]
    assert set(problems["问题"]) == {"不能为负数", "应为数字，例如 12000、1.2万、3.5w、48.5M、¥5,000 或 3.2%",
                                     "达人ID 重复；首次出现在第 2 行"}
    assert set(problems["列"]) == {"费用（元）", "达人ID"}
    creators = pd.DataFrame({"creator_id": ["a", "b"], "categories": ["x", "x"], "fee": [1000, 2000]})
    upload(at, "up-creators", creators, "creators.csv")
    upload(at, "up-products", pd.DataFrame({"product_id": ["p"], "brand": ["b"], "category": ["x"],
                                            "min_creators": [3]}), "products.csv")
    at.run()
    optimize(at)
    assert not at.exception
    assert any("商品 p：至少需要 3 位达人，但只有 2 位符合条件" in m.value for m in at.markdown)


def _own_upload(app):
    creators = pd.DataFrame({"creator_id": ["a", "b"], "categories": ["美妆", "美妆"], "fee": [1000, 2000]})
    upload(app, "up-creators", creators, "mine.csv")
    upload(app, "up-products", pd.DataFrame({"product_id": ["p"], "brand": ["b"], "category": ["美妆"]}), "p.csv")
    app.run()
    assert any("2 creators, 1 products ready" in s.value for s in app.success)


def test_load_sample_asks_before_replacing_uploads_and_keep_mine_keeps_them(app):
    _own_upload(app)
    app.button(key="sample").click().run()
    assert any("replaces your uploaded files and campaign settings" in w.value for w in app.warning)
    assert any("2 creators, 1 products ready" in s.value for s in app.success)  # nothing replaced yet
    app.button(key="sample-no").click().run()
    assert not any("replaces your uploaded" in w.value for w in app.warning)
    assert any("2 creators, 1 products ready" in s.value for s in app.success)


def test_load_sample_replaces_uploads_once_confirmed(app):
    _own_upload(app)
    app.button(key="sample").click().run()
    app.button(key="sample-yes").click().run()
    assert not app.exception
    assert any("320 creators, 24 products ready" in s.value for s in app.success)


def test_results_say_which_inputs_and_settings_made_them(app):
    app.button(key="sample").click().run()
    optimize(app)
    assert any(c.value.startswith("From creators.csv, products.csv; budget ¥1.20M, max overlap 0.3, Top-KOL share "
                                  "at most 60%, time limit 10 s.") for c in app.caption), [c.value for c in app.caption]


def test_the_category_map_suggests_and_applies_a_mapping(app):
    creators = pd.DataFrame({"creator_id": ["a", "b"], "categories": ["美妆-护肤", "食品"], "fee": [1000, 2000],
                             "bio": ["护肤心得", "零食测评"]})
    products = pd.DataFrame({"product_id": ["p1", "p2"], "brand": ["b", "b"], "category": ["护肤品", "食品"]})
    upload(app, "up-creators", creators, "c.csv")
    upload(app, "up-products", products, "p.csv")
    app.run()
    assert any("1 product categories have no eligible creator" in w.value for w in app.warning)
    shown = next(d.value for d in app.dataframe if "product category" in d.value.columns).set_index("product category")
    assert shown.loc["护肤品", "eligible creators"] == 0
    assert shown.loc["护肤品", "creator categories (separated by 、 or ,)"].startswith("美妆-护肤")
    app.button(key="category-apply").click().run()
    assert app.session_state["config"].categories["护肤品"][0] == "美妆-护肤"
    optimize(app)
    assert not app.exception
    assert sorted(plan_of(app)["product_id"]) == ["p1", "p2"]


def test_the_creator_view_filters_and_shows_a_card(app):
    app.button(key="sample").click().run()
    optimize(app)
    view = next(d.value for d in app.dataframe if "booked" in d.value.columns)
    assert len(view) == 320
    app.multiselect(key="cv-tiers").select("top_kol").run()
    view = next(d.value for d in app.dataframe if "booked" in d.value.columns)
    assert 0 < len(view) < 320 and set(view["tier"]) == {"top_kol"}
    app.selectbox(key="cv-product").set_value("P01").run()
    view = next(d.value for d in app.dataframe if "booked" in d.value.columns)
    assert "fit" in view.columns
    assert not app.exception
    lines = " ".join(m.value for m in app.markdown)
    assert "booked; value" in lines or "eligible, value" in lines or "Not eligible for any product" in lines


def test_one_creator_one_booking_and_a_product_without_creators_render(app):
    creators = pd.DataFrame({"creator_id": ["solo"], "categories": ["美妆"], "fee": [1000], "bio": ["口红"],
                             "followers": [12_000]})
    products = pd.DataFrame({"product_id": ["p1", "p2"], "brand": ["b", "b"], "category": ["美妆", "数码"]})
    upload(app, "up-creators", creators, "c.csv")
    upload(app, "up-products", products, "p.csv")
    app.run()
    optimize(app)
    assert not app.exception and not any("Something went wrong" in e.value for e in app.error)
    assert plan_of(app)["creator_id"].tolist() == ["solo"]
    assert any("product p2 (category '数码'): no eligible creator" in w.value for w in app.warning)
    assert {m.label: m.value for m in app.metric}["Creators booked"] == "1"


def maximise(app, objective: str) -> None:
    """Choose what the plan maximises in the campaign form, apply it and optimise."""
    next(s for s in app.sidebar.selectbox if s.label == "Maximise").set_value(objective)
    apply_campaign(app)
    optimize(app)


def test_the_headline_is_in_money_and_the_objective_can_be_chosen(app):
    app.button(key="sample").click().run()
    optimize(app)
    metrics = {m.label: m.value for m in app.metric}
    by_profit = app.session_state["outcome"].summary()
    assert metrics["Expected GMV"].startswith("¥") and float(metrics["Expected ROI"]) > 0
    assert metrics["Maximise"] == "expected profit"  # money first: every product of the sample has a price
    assert float(metrics["Fit score"]) == pytest.approx(by_profit["fit_score"], abs=0.01)
    assert {"expected_gmv", "cost", "roi", "views_from", "conversion_from"} <= set(plan_of(app).columns)
    maximise(app, "fit")
    by_fit = app.session_state["outcome"].summary()
    assert {m.label: m.value for m in app.metric}["Maximise"] == "fit score"
    assert by_fit["fit_score"] > by_profit["fit_score"]
    assert by_fit["expected"]["profit"] < by_profit["expected"]["profit"]
    maximise(app, "gmv")
    by_gmv = app.session_state["outcome"].summary()
    assert {m.label: m.value for m in app.metric}["Maximise"] == "expected GMV"
    assert by_gmv["objective_kind"] == "gmv" and by_gmv["expected"]["gmv"] > by_fit["expected"]["gmv"]


def test_rules_charts_and_a_pilot_replan_in_the_app(app):
    app.button(key="sample").click().run()
    next(s for s in app.sidebar.selectbox if s.label == "Maximise").set_value("gmv")
    apply_campaign(app, **{"Expected ROI at least": 5.0})
    optimize(app)
    assert not app.exception
    first = app.session_state["outcome"]
    assert first.config.campaign.min_roi == 5.0 and first.summary()["expected"]["roi"] >= 5.0
    assert {"Spend and expected GMV by product", "Expected ROI of the bookings"} <= {h.value for h in app.subheader}
    plan = first.plan.head(8)
    pilot = pd.DataFrame({"达人抖音号": plan["creator_id"], "商品ID": plan["product_id"],
                          "播放量": plan["views"].round(), "成交订单数": (plan["orders"] * 3).round()})
    upload(app, "up-pilot", pilot, "罗盘.xlsx")
    app.run()
    app.button(key="replan").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    after = app.session_state["outcome"]
    assert after is not first and after.config.campaign.budget < first.config.campaign.budget
    assert after.violations() == []
    assert any("Re-planned after a pilot of 8 bookings" in s.value for s in app.success)
    changes = next(df.value for df in app.dataframe if "pilot" in df.value.columns)
    assert set(plan["creator_id"]) <= set(changes["creator_id"])
    # the next wave's results add to the pilot's: what the pilot taught is kept
    assert len(app.session_state["results_so_far"]) == 8
    wave = after.plan.head(4)
    more = pd.DataFrame({"达人抖音号": wave["creator_id"], "商品ID": wave["product_id"],
                         "播放量": wave["views"].round(), "成交订单数": wave["orders"].round()})
    upload(app, "up-pilot", more, "wave1.csv")
    app.number_input(key="waves-left").set_value(2)
    app.run()
    app.button(key="replan").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    seen = app.session_state["results_so_far"]
    assert len(seen) == 12 and set(seen["wave"]) == {0.0, 1.0}
    assert any("Results so far: 12 bookings over 2 wave(s)" in c.value for c in app.caption)


def test_a_pilot_is_designed_in_the_app_with_what_each_booking_tests(app):
    app.button(key="sample").click().run()
    optimize(app)
    app.slider(key="pilot-share").set_value(0.1)
    app.button(key="design-pilot").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    assert any(s.value.startswith("Pilot: 10% of the budget") for s in app.success)
    reasons = next(df.value for df in app.dataframe if "learn" in df.value.columns)
    assert len(reasons) and reasons["learn"].str.startswith("tests ").all()


def tick(at, table: str, kind: str, row) -> None:
    """Tick a box of the plan's or the creators' table (AppTest cannot click a data editor's cells): the tick in
    session state, and the table built again from the ticks, as after a reload. A real click: test_browser.py."""
    at.session_state["ticks"][table][kind].add(row)
    at.session_state[f"tick-{table}-base"] = None


def test_ticks_re_plan_close_to_the_plan_and_say_what_changed(app):
    app.button(key="sample").click().run()
    next(s for s in app.sidebar.selectbox if s.label == "Maximise").set_value("fit")  # every product full
    apply_campaign(app)
    optimize(app)
    first = app.session_state["outcome"]
    booked = first.plan
    declined = booked["creator_id"].iloc[0]
    spare = first.candidates[~first.candidates["chosen"] & ~first.candidates["creator_id"].isin(booked["creator_id"])]
    spare = spare.sort_values("fee")  # every product is full: the lock takes the declined creator's place
    pair = (spare[spare["product_id"] == booked["product_id"].iloc[0]]["creator_id"].iloc[0],
            booked["product_id"].iloc[0])
    anywhere = spare[spare["creator_id"] != pair[0]]["creator_id"].iloc[0]
    tick(app, "plan", "ban", (declined, booked["product_id"].iloc[0]))
    tick(app, "plan", "lock", pair)  # not a booking of the plan: as if ticked before a re-plan that dropped it
    tick(app, "creators", "lock", anywhere)
    app.run()
    assert any("2 lock(s), 1 ban(s) ticked" in c.value for c in app.caption)
    app.number_input(key="change-budget").set_value(1_300_000.0)
    app.button(key="replan-close").click().run()
    assert not app.exception and not app.error, [m.value for m in app.markdown][-5:]
    after = app.session_state["outcome"]
    plan = set(zip(after.plan["creator_id"], after.plan["product_id"]))
    assert declined not in set(after.plan["creator_id"]) and pair in plan and anywhere in set(after.plan["creator_id"])
    assert after.violations() == []
    assert any(s.value.startswith("Re-planned:") for s in app.success)
    changes = next(df.value for df in app.dataframe if "value_before" in df.value.columns)
    why = changes.set_index("creator_id")["why"]
    assert why[declined].startswith("banned") and why[pair[0]].startswith(f"locked to {pair[1]}")
    assert len(changes) <= 8  # close to the plan: the three ticks and the few moves they force


def test_what_if_sweeps_the_budget_and_shows_the_plan_of_a_point(app):
    app.button(key="sample").click().run()
    optimize(app)
    app.text_input(key="whatif-shares").set_value("0.75, 1").run()
    app.number_input(key="whatif-sec").set_value(2.0).run()
    app.button(key="whatif-budget").click().run()
    assert not app.exception
    assert "The best plan's value at each budget" in {h.value for h in app.subheader}
    app.selectbox(key="frontier-pick").set_value(0).run()  # as a click on the chart's first point sets it
    point = app.session_state["frontier"][1][0].outcome
    assert point.config.campaign.budget == 900_000 and point.summary()["budget_used"] <= 900_000
    shown = [df.value for df in app.dataframe if {"why", "product_id"} <= set(df.value.columns)]
    # the plan, then the point's
    assert len(shown) == 2 and set(shown[1]["creator_id"]) == set(point.plan["creator_id"])
    app.text_input(key="whatif-thresholds").set_value("0.2, 0.5").run()
    app.button(key="whatif-overlap").click().run()
    assert not app.exception
    assert "The best plan's value at each overlap threshold" in {h.value for h in app.subheader}
    loose = app.session_state["frontier"][1][1].outcome
    assert loose.config.campaign.max_overlap == 0.5 and loose.violations() == []
    app.button(key="whatif-rules").click().run()
    assert not app.exception
    assert "What each rule costs: the value gained with it relaxed" in {h.value for h in app.subheader}


def test_the_history_lists_reopens_and_compares_runs(app):
    app.button(key="sample").click().run()
    optimize(app)
    first = app.session_state["run_id"]
    plan = app.session_state["outcome"].plan
    tick(app, "plan", "ban", (plan["creator_id"].iloc[0], plan["product_id"].iloc[0]))
    app.run()
    app.button(key="replan-close").click().run()
    second = app.session_state["run_id"]
    assert first and second and first != second
    runs = next(df.value for df in app.dataframe if "run_id" in df.value.columns)
    assert {first, second} <= set(runs["run_id"])
    app.selectbox(key="history-pick").set_value(second).run()
    app.selectbox(key="history-other").set_value(first).run()
    assert any(f"From {first} to {second}: 0 creator(s) added, 1 dropped" in c.value or
               f"From {first} to {second}:" in c.value for c in app.caption)
    app.selectbox(key="history-pick").set_value(first).run()
    app.button(key="history-keep").click().run()  # the first run's bookings, ticked to lock
    kept = app.session_state["ticks"]["plan"]["lock"]
    assert len(kept) == len(plan) and any(f"{len(plan)} bookings of {first} are ticked to lock" in s.value
                                          for s in app.success)
    app.button(key="history-reopen").click().run()
    assert not app.exception and not app.error
    reopened = app.session_state["outcome"]
    assert app.session_state["run_id"] == first and reopened.violations() == []
    assert any(f"Run {first}, reopened" in c.value for c in app.caption)


def test_the_campaign_form_sets_category_inference_and_prototypes(app):
    app.button(key="sample").click().run()
    next(c for c in app.sidebar.checkbox if c.label == "Style also from the category each text speaks of").check()
    next(c for c in app.sidebar.checkbox if c.label.startswith("Style also from the catalogue's")).uncheck()
    apply_campaign(app)
    assert app.session_state["config"].scoring.category_inference
    assert not app.session_state["config"].scoring.category_prototypes
    optimize(app)
    assert not app.exception and not app.error
    assert app.session_state["outcome"].config.scoring.category_inference
    assert not app.session_state["outcome"].config.scoring.category_prototypes
    assert app.session_state["outcome"].violations() == []


def test_a_creators_posts_are_scored_and_shown_on_its_card(app):
    creators = pd.DataFrame({"creator_id": ["a", "b"], "categories": ["美妆", "美妆"], "fee": [1000, 1000],
                             "bio": ["", "日常分享"], "视频标题": ["口红试色 | 持妆粉底测评", ""]})
    products = pd.DataFrame({"product_id": ["p1"], "brand": ["b"], "category": ["美妆"], "name": ["丝绒口红"]})
    upload(app, "up-creators", creators, "c.csv")
    upload(app, "up-products", products, "p.csv")
    app.run()
    optimize(app)
    assert not app.exception
    app.selectbox(key="cv-card").set_value("a").run()
    captions = [c.value for c in app.caption]
    assert any(c.startswith("recent_posts: 口红试色 | 持妆粉底测评") for c in captions), captions
