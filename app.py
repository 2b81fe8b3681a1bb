"""matchmaker's Streamlit app: layout and calls into the package, nothing else.

Run: .venv/bin/streamlit run app.py
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import threading
import time

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from matchmaker.config import (
    OBJECTIVES,
    Config,
    dump_config,
    load_config,
    parse_config,
    parse_shared_config,
    sample_campaign,
)
from matchmaker.fit.categories import suggest_categories
from matchmaker.fit.embed import make_embedder
from matchmaker.fit.score import eligible_pairs
from matchmaker.inputs.parse import parse_list
from matchmaker.inputs.schema import TABLES, declared_over, suggest_mapping
from matchmaker.inputs.validate import MATURITY_DAYS, validate, validate_results, with_locks
from matchmaker.io.read import Table
from matchmaker.io.write import json_bytes, table_bytes
from matchmaker.lifecycle.diff import plan_diff
from matchmaker.lifecycle.history import plan_rows, record, reopened, store_of
from matchmaker.lifecycle.pilot import design
from matchmaker.lifecycle.replan import MODES, replan, stay_close
from matchmaker.lifecycle.whatif import budget_sweep, overlap_sweep, points_table, rule_costs
from matchmaker.outcome import Outcome
from matchmaker.pipeline import prepare, read_source, solve, text_encoder
from matchmaker.plan.solve import Interrupt
from matchmaker.problems import InputError, problems_frame
from matchmaker.report import analysis
from matchmaker.report.i18n import column, count, gap, label, money, say, t
from matchmaker.report.tables import PROBLEM_HEADERS_ZH, for_people, plan_table

SAMPLE = load_config(sample_campaign())
# The server's cap on one solve, in seconds (the form's maximum; an uploaded campaign cannot exceed it)
MAX_SECONDS = float(os.environ.get("MATCHMAKER_APP_MAX_SECONDS", "600"))
log = logging.getLogger("matchmaker.app")
TABULAR = ["csv", "txt", "tsv", "xlsx", "parquet"]
NOT_IN_FILE = "—"
STORE = store_of(SAMPLE)  # the run history: MATCHMAKER_STORE, else [store] path (the server's, never an upload's)


@st.cache_resource(show_spinner=False)
def embedder(backend: str, model: str):
    return make_embedder(backend, model)


@st.cache_data(show_spinner=False, max_entries=20)
def read_upload(content: bytes, name: str, table: str, sheet: str | None, declared: tuple[str, ...] = ()) -> Table:
    """An upload as `table`; `declared`: the campaign's [columns] headers, which count when the header row is found."""
    return read_source((content, name), name, table, sheet, declared)[1]


def language_ui() -> str:
    choice = st.sidebar.radio(t("zh", "language"), ["中文", "English"], horizontal=True, key="lang")
    return "zh" if choice == "中文" else "en"


def widget_text_ui(lang: str) -> None:
    """Streamlit's own file-uploader text ("Upload", "50MB per file") in Chinese: Streamlit has no setting
    for it, so a style sheet hides the English and shows the Chinese in its place."""
    if lang != "zh":
        return
    limit = st.get_option("server.maxUploadSize")
    st.html(f"""<style>
    [data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {{font-size: 0;}}
    [data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {{
        content: "{t(lang, "upload_button")}"; font-size: 0.875rem;}}
    [data-testid="stFileUploaderDropzoneInstructions"] span {{font-size: 0;}}
    [data-testid="stFileUploaderDropzoneInstructions"] span::after {{
        content: "{t(lang, "upload_limit", mb=limit)}"; font-size: 0.75rem;}}
    </style>""")


def show_problems(lang: str, exc: InputError) -> None:
    st.error(t(lang, "problems"))
    st.dataframe(for_people(problems_frame(exc.problems), lang, PROBLEM_HEADERS_ZH), hide_index=True,
                 width="stretch")


def mapping_ui(lang: str, table: str, file: str, frame: pd.DataFrame, declared: dict[str, str]) -> dict[str, str]:
    """Header -> canonical column, pre-filled from the aliases and the campaign's [columns] (`declared`); shown open
    when something is missing."""
    headers = [str(c) for c in frame.columns]
    guess = {v: k for k, v in declared_over(suggest_mapping(headers, table), headers, declared).items()}
    missing = any(c.required and c.name not in guess for c in TABLES[table])
    mapping = {}
    # the user's choices are kept per file and header row: a re-upload with other headers starts from the guess
    shape = hashlib.sha256("\x1f".join(headers).encode()).hexdigest()[:12]
    with st.expander(t(lang, "mapping", file=file), expanded=missing):
        if missing:
            st.info(t(lang, "mapping_help"))
        cols = st.columns(3)
        for i, col in enumerate(TABLES[table]):
            options = [NOT_IN_FILE, *headers]
            picked = cols[i % 3].selectbox(f"{column(lang, col.name, table)}{' *' if col.required else ''}", options,
                                           index=options.index(guess.get(col.name, NOT_IN_FILE)),
                                           key=f"map-{table}-{file}-{shape}-{col.name}")
            if picked != NOT_IN_FILE:
                mapping[picked] = col.name
    return mapping


def sample_ui(lang: str, has_own: bool) -> None:
    """Load the sample; when the user has uploads or settings of their own, ask before replacing them."""
    if st.button(t(lang, "use_sample"), key="sample", width="stretch"):
        if not has_own:
            _use_sample()
        else:
            st.session_state["confirm-sample"] = True
    if st.session_state.get("confirm-sample"):
        st.warning(t(lang, "sample_replace"))
        if st.button(t(lang, "sample_yes"), key="sample-yes", width="stretch"):
            _use_sample()
            st.rerun()
        if st.button(t(lang, "sample_no"), key="sample-no", width="stretch"):
            st.session_state["confirm-sample"] = False
            st.rerun()


def _use_sample() -> None:
    st.session_state.update({"source": "sample", "config": SAMPLE, "confirm-sample": False})


def data_ui(lang: str) -> tuple[object | None, str]:
    """Validated ProblemData (or None) and a fingerprint of the inputs."""
    st.header(t(lang, "data"))
    left, right = st.columns([3, 1])
    with left:
        c1, c2, c3, c4 = st.columns(4)
        uploads = {"creators": c1.file_uploader(t(lang, "creators_file"), type=TABULAR, key="up-creators"),
                   "products": c2.file_uploader(t(lang, "products_file"), type=TABULAR, key="up-products"),
                   "overlaps": c3.file_uploader(t(lang, "overlaps_file"), type=TABULAR, key="up-overlaps"),
                   "deals": c4.file_uploader(t(lang, "deals_file"), type=TABULAR, key="up-deals",
                                             help=t(lang, "deals_help"))}
    ids = tuple(u.file_id for u in uploads.values() if u is not None)
    if ids and ids != st.session_state.get("upload-ids"):  # new uploads: they are the data now
        st.session_state["source"] = "uploads"
    st.session_state["upload-ids"] = ids
    with right:
        sample_ui(lang, has_own=bool(ids) or st.session_state.get("config", SAMPLE) != SAMPLE)
    raw, problems, digest = {}, [], hashlib.sha256()
    if st.session_state.get("source") == "sample":
        sources = {k: (SAMPLE.input_path(k).read_bytes(), SAMPLE.input_path(k).name) for k in ("creators", "products")}
    else:
        sources = {k: (u.getvalue(), u.name) for k, u in uploads.items() if u is not None}
        if "creators" not in sources or "products" not in sources:
            st.info(t(lang, "upload_hint"))
            return None, ""
    notes: list = []
    config = st.session_state.get("config", Config())  # its [columns] read the uploads
    for table, (content, name) in sources.items():
        sheet = st.session_state.get(f"sheet-{table}-{name}")
        digest.update(table.encode() + content + str(sheet).encode())
        try:
            read = read_upload(content, name, table, sheet, tuple(config.columns.get(table, {})))
        except InputError as exc:
            problems += exc.problems
            continue
        if len(read.sheets) > 1:  # a workbook: which sheet is the table (the reader's choice first)
            st.selectbox(t(lang, "sheet", file=name), read.sheets, index=read.sheets.index(read.sheet),
                         key=f"sheet-{table}-{name}")
        raw[table] = (name, read.frame)
        notes += read.notes
    if problems:
        show_problems(lang, InputError(problems))
        return None, ""
    mappings = {table: mapping_ui(lang, table, name, frame, config.columns.get(table, {}))
                for table, (name, frame) in raw.items()}
    digest.update(repr(mappings).encode())
    try:
        data = validate(raw, config, mappings, tuple(notes))
    except InputError as exc:
        show_problems(lang, exc)
        return None, ""
    st.success(t(lang, "loaded", creators=data.n_creators, products=data.n_products))
    if data.warnings:
        with st.expander(t(lang, "warnings", n=len(data.warnings))):
            st.dataframe(for_people(problems_frame(list(data.warnings)), lang, PROBLEM_HEADERS_ZH),
                         hide_index=True, width="stretch")
    return data, digest.hexdigest()


def campaign_ui(lang: str) -> Config:
    """The campaign in a sidebar form; load and save as TOML."""
    config: Config = st.session_state.get("config", SAMPLE)
    uploaded = st.sidebar.file_uploader(t(lang, "load_toml"), type=["toml"], key="up-toml")
    if uploaded is not None and st.session_state.get("toml-seen") != uploaded.file_id:
        st.session_state["toml-seen"] = uploaded.file_id
        try:
            config, ignored = parse_shared_config(uploaded.getvalue().decode("utf-8-sig"), uploaded.name, SAMPLE,
                                                  MAX_SECONDS)
            st.session_state["config"] = config
            if ignored:
                st.sidebar.warning(t(lang, "toml_ignored", keys=", ".join(ignored)))
        except InputError as exc:
            st.sidebar.error(str(exc))
        except UnicodeDecodeError:
            st.sidebar.error(t(lang, "toml_not_utf8", file=uploaded.name))
    c, s = config.campaign, config.scoring
    with st.sidebar.form("campaign"):
        st.subheader(t(lang, "campaign"))
        budget = st.number_input(t(lang, "budget"), min_value=0.0, value=float(c.budget), step=10_000.0, format="%.0f")
        overlap = st.slider(t(lang, "max_overlap"), 0.0, 1.0, float(c.max_overlap), 0.05)
        share = st.slider(t(lang, "top_share"), 0.0, 1.0, float(c.top_kol_max_share), 0.05)
        experience = st.slider(t(lang, "min_experience"), 0.0, 5.0, float(c.min_experience), 0.1)
        exclusive = st.checkbox(t(lang, "exclusivity"), value=c.exclusivity)
        objective = st.selectbox(t(lang, "objective"), OBJECTIVES, index=OBJECTIVES.index(config.economics.objective),
                                 format_func=lambda o: t(lang, f"obj_{o}"))
        conservative = st.checkbox(t(lang, "conservative"), value=config.economics.conservative)
        rules = {name: st.number_input(t(lang, name), min_value=0.0, value=float(getattr(c, name)), step=step,
                                       format=shown)
                 for name, step, shown in (("min_roi", 0.5, "%.2f"), ("max_cpm", 10.0, "%.0f"),
                                           ("max_commission", 10_000.0, "%.0f"))}
        inference = st.checkbox(t(lang, "category_inference"), value=s.category_inference,
                                help=t(lang, "category_inference_help"))
        prototypes = st.checkbox(t(lang, "category_prototypes"), value=s.category_prototypes,
                                 help=t(lang, "category_prototypes_help"))
        st.caption(t(lang, "weights"))
        w = [st.slider(t(lang, k), 0.0, 1.0, float(getattr(s, k)), 0.05)
             for k in ("w_style", "w_audience", "w_performance")]
        limit = st.number_input(t(lang, "time_limit"), 1.0, MAX_SECONDS,
                                min(float(config.solver.time_limit), MAX_SECONDS), 1.0)
        if st.form_submit_button(t(lang, "apply"), width="stretch"):
            try:
                config = config.override(**{
                    "campaign.budget": budget, "campaign.max_overlap": overlap, "campaign.top_kol_max_share": share,
                    "campaign.min_experience": experience, "campaign.exclusivity": exclusive,
                    "economics.objective": objective, "economics.conservative": conservative,
                    **{f"campaign.{name}": value for name, value in rules.items()},
                    "scoring.w_style": w[0], "scoring.w_audience": w[1], "scoring.w_performance": w[2],
                    "scoring.category_inference": inference, "scoring.category_prototypes": prototypes,
                    "solver.time_limit": limit})
                st.session_state["config"] = config
            except ValueError as exc:
                st.error(say(lang, exc.args[0]))
    st.sidebar.download_button(t(lang, "save_toml"), dump_config(config, shared=True).encode(), "campaign.toml",
                               "application/toml", width="stretch")
    return config


def category_ui(lang: str, data, config: Config) -> Config:
    """The category map as an editable table: each product category, how many creators may promote it,
    and the creator categories mapped to it (suggested where none may); "use" puts it in the campaign."""
    if data.pairs is not None:
        return config
    eligible = eligible_pairs(data, config)
    matched = set(np.nonzero(eligible.any(axis=0))[0])
    encode = text_encoder(config, embedder(config.scoring.backend, config.resolved_model()))
    suggested = suggest_categories(data, matched, encode)
    categories = data.products["category"]
    rows = [{"product_category": cat, "products": int((categories == cat).sum()),
             "eligible": int(eligible[:, (categories == cat).to_numpy()].any(axis=1).sum()),
             "creator_categories": "、".join(config.categories.get(cat) or suggested.get(cat) or [])}
            for cat in dict.fromkeys(c for c in categories if c)]
    missing = sum(1 for r in rows if not r["eligible"])
    with st.expander(t(lang, "category_map"), expanded=bool(missing)):
        if missing:
            st.warning(t(lang, "category_unmatched", n=missing))
        frame = pd.DataFrame(rows, columns=["product_category", "products", "eligible", "creator_categories"])
        edited = st.data_editor(frame.rename(columns=lambda c: t(lang, f"cm_{c}")), hide_index=True, width="stretch",
                                disabled=[t(lang, f"cm_{c}") for c in ("product_category", "products", "eligible")],
                                key="category-map")
        if st.button(t(lang, "category_apply"), key="category-apply"):
            mapped = {cat: tuple(parse_list(value)) for cat, value in
                      zip(edited[t(lang, "cm_product_category")], edited[t(lang, "cm_creator_categories")])}
            config = dataclasses.replace(config, categories={**config.categories,
                                                             **{k: v for k, v in mapped.items() if v}})
            st.session_state["config"] = config
            st.rerun()
    return config


def rules_ui(lang: str, data):
    with st.expander(t(lang, "rules")):
        edited = st.data_editor(analysis.product_rules(data), disabled=["product_id"], hide_index=True,
                                width="stretch", key="rules")
    try:
        return analysis.with_product_rules(data, edited), repr(edited.to_dict())
    except InputError as exc:
        show_problems(lang, exc)
        return None, ""


class Run:
    """An optimize run in a worker thread, kept in session state: a rerun (a language switch, any click)
    follows it instead of dropping it, and Cancel stops the search keeping the best plan so far."""

    def __init__(self, data, config: Config, key: str, made_from: str):
        self.key, self.made_from, self.config = key, made_from, config
        self.stage, self.progress, self.outcome, self.failed, self.collected = "embed", None, None, False, False
        self.prepared, self.run_id = None, None
        self.interrupt, self.start = Interrupt(), time.perf_counter()
        self.thread = threading.Thread(target=self._work, args=(data,), daemon=True)
        self.thread.start()

    def _work(self, data) -> None:
        try:
            self.prepared = prepare(data, self.config, embedder(self.config.scoring.backend,
                                                                self.config.resolved_model()), on_stage=self._on_stage)
            self.outcome = solve(self.prepared, on_stage=self._on_stage, on_progress=self._on_progress,
                                 interrupt=self.interrupt, started=self.start)
            self.run_id = remember(self.outcome)
        except Exception:  # a plain message in the page; the detail in the server log
            log.exception("the optimize run failed")
            self.failed = True

    def _on_stage(self, name: str) -> None:
        self.stage = "solve" if name.startswith("solv") else self.stage

    def _on_progress(self, point) -> None:
        self.progress = point

    @property
    def done(self) -> bool:
        return not self.thread.is_alive()


def made_from(data, config: Config, lang: str) -> str:
    """Which inputs and settings a plan comes from, in a line."""
    c = config.campaign
    files = ", ".join(data.files.get(k, "") for k in ("creators", "products", "overlaps") if data.files.get(k))
    return t(lang, "made_from", files=files, budget=money(lang, c.budget), overlap=c.max_overlap,
             share=c.top_kol_max_share, seconds=config.solver.time_limit)


def optimize_ui(lang: str, data, config: Config, key: str) -> None:
    """Start a run (in a worker thread), follow it across reruns, keep its outcome in session state."""
    current: Run | None = st.session_state.get("run")
    busy = current is not None and not current.done
    if st.button(t(lang, "optimize"), type="primary", key="optimize", disabled=busy):
        current = st.session_state["run"] = Run(data, config, key, made_from(data, config, lang))
    if current is None:
        return
    if not current.done:
        if st.button(t(lang, "cancel"), key="cancel"):
            current.interrupt.request()
        with st.status(t(lang, "stage_embed"), expanded=True) as status:
            line = st.empty()
            while not current.done:
                current.thread.join(0.25)
                status.update(label=t(lang, "stage_embed" if current.stage == "embed" else "stage_solve"))
                if current.progress is not None:
                    line.write(t(lang, "solver_progress", value=current.progress.objective,
                                 gap=gap(lang, current.progress.gap)))
            status.update(label=t(lang, "done", seconds=time.perf_counter() - current.start), state="complete",
                          expanded=False)
    if current.done and not current.collected:
        current.collected = True
        if current.failed:
            st.error(t(lang, "error_generic"))
            return
        st.session_state.update({"outcome": current.outcome, "outcome_key": current.key,
                                 "outcome_from": current.made_from, "prepared": current.prepared,
                                 "run_id": current.run_id})


def results_ui(lang: str, outcome: Outcome) -> None:
    st.header(t(lang, "results"))
    if st.session_state.get("outcome_from"):
        st.caption(st.session_state["outcome_from"])
    for note in outcome.notes:  # products no creator may promote, with the closest categories
        st.warning(say(lang, note))
    r = outcome.result
    if not r.has_plan or outcome.plan.empty:
        st.error(t(lang, "no_plan" if not r.has_plan else "empty_plan"))
        st.markdown(t(lang, "no_plan_help"))
        for reason in outcome.reasons:
            st.markdown(f"- {say(lang, reason)}")
        return
    info = outcome.summary()
    e = info["expected"]
    for caution in info["cautions"]:  # a plan expected to lose money, stand-ins for data: said in words
        (st.error if caution.template.startswith("the plan is expected to lose money") else st.warning)(
            say(lang, caution))
    cols = st.columns(4)
    cols[0].metric(t(lang, "m_budget"), money(lang, info["budget_used"]), f"{info['budget_used_share']:.0%}",
                   delta_color="off", delta_arrow="off", border=True)
    priced = e["priced"]  # with no price for a booked product, GMV and ROI are unknown
    gmv_range = t(lang, "m_range", low=money(lang, e["gmv_low"]), high=money(lang, e["gmv_high"]))
    cols[1].metric(t(lang, "m_gmv"), money(lang, e["gmv"]) if priced else "—", gmv_range if priced else None,
                   delta_color="off", delta_arrow="off", border=True)
    known = priced and e["roi"] is not None
    cols[2].metric(t(lang, "m_roi"), f"{e['roi']:.2f}" if known else "—",
                   t(lang, "m_range", low=f"{e['roi_low']:.2f}", high=f"{e['roi_high']:.2f}") if known else None,
                   delta_color="off", delta_arrow="off", border=True)
    cols[3].metric(t(lang, "m_status"), t(lang, f"status_{r.status}"), gap(lang, r.gap),
                   delta_color="off", delta_arrow="off", border=True)
    cols = st.columns(4)
    cols[0].metric(t(lang, "m_value"), f"{info['fit_score']:.2f}", border=True)
    cols[1].metric(t(lang, "m_creators"), info["creators_booked"], border=True)
    cols[2].metric(t(lang, "m_reach"), count(lang, info["estimated_unique_reach"]), border=True)
    cols[3].metric(t(lang, "objective"), t(lang, f"obj_{info['objective_kind']}"), border=True)
    changes_ui(lang, outcome)
    charts_ui(lang, outcome)
    st.subheader(t(lang, "plan_table"))
    table = plan_table(outcome, lang)
    st.dataframe(for_people(table, lang), hide_index=True, width="stretch")
    why_ui(lang, outcome, table)
    downloads_ui(lang, info, for_people(table, lang))
    creators_ui(lang, outcome)


def _spend_and_gmv(lang: str, frame: pd.DataFrame, key: str, keys: dict[str, str]) -> alt.Chart:
    """Bars of spend and expected GMV side by side, one pair per product or tier."""
    spend, gmv = column(lang, "spend"), column(lang, "gmv")
    long = frame.rename(columns={"spend": spend, "gmv": gmv}).melt(
        id_vars=[key, "bookings", "roi"], value_vars=[spend, gmv], var_name="figure", value_name="amount")
    return alt.Chart(long).mark_bar().encode(
        x=alt.X(f"{key}:N", title=None), xOffset="figure:N", y=alt.Y("amount:Q", title=column(lang, "amount")),
        color=alt.Color("figure:N", title=None, scale=alt.Scale(domain=[spend, gmv], range=["#9e9e9e", "#fe2c55"])),
        tooltip=[alt.Tooltip(f"{key}:N", title=keys[key]), alt.Tooltip("figure:N", title=column(lang, "figure")),
                 alt.Tooltip("amount:Q", title=column(lang, "amount"), format=",.0f"),
                 alt.Tooltip("roi:Q", title="ROI", format=".2f"),
                 alt.Tooltip("bookings:Q", title=column(lang, "bookings"))])


def charts_ui(lang: str, outcome: Outcome) -> None:
    left, right = st.columns([2, 1])
    title = {name: column(lang, name) for name in ("product_id", "spend", "bookings", "tier", "value", "pairs",
                                                    "status", "name", "creator_id", "followers", "roi")}
    left.subheader(t(lang, "spend_product"))
    left.altair_chart(_spend_and_gmv(lang, analysis.spend_by(outcome, "product_id"), "product_id", title),
                      width="stretch")
    right.subheader(t(lang, "spend_tier"))
    tier_colours = alt.Scale(domain=[label(lang, "alliance"), label(lang, "top_kol")], range=["#25f4ee", "#fe2c55"])
    by_tier = analysis.spend_by(outcome, "tier").assign(tier=lambda f: [label(lang, v) for v in f["tier"]])
    right.altair_chart(_spend_and_gmv(lang, by_tier, "tier", title), width="stretch")
    left, right = st.columns(2)
    left.subheader(t(lang, "roi_dist"))
    rois = analysis.roi_distribution(outcome).assign(tier=lambda f: [label(lang, v) for v in f["tier"]])
    left.altair_chart(alt.Chart(rois).mark_bar(opacity=0.7).encode(
        x=alt.X("roi:Q", bin=alt.Bin(maxbins=30), title=title["roi"]),
        y=alt.Y("count():Q", stack=None, title=t(lang, "bookings_n")),
        color=alt.Color("tier:N", title=title["tier"], scale=tier_colours)), width="stretch")
    right.subheader(t(lang, "fit_dist"))
    scores = analysis.score_distribution(outcome).assign(status=lambda f: [label(lang, v) for v in f["status"]])
    right.altair_chart(alt.Chart(scores).mark_bar(opacity=0.6).encode(
        x=alt.X("value:Q", bin=alt.Bin(maxbins=30), title=title["value"]),
        y=alt.Y("count():Q", stack=None, title=title["pairs"]),
        color=alt.Color("status:N", title=title["status"], scale=alt.Scale(range=["#fe2c55", "#9e9e9e"]))),
        width="stretch")
    right, _ = st.columns(2)
    right.subheader(t(lang, "network"))
    product = right.selectbox(t(lang, "network_product"), sorted(outcome.plan["product_id"].unique()),
                              key="net-product")
    nodes, edges = analysis.overlap_network(outcome, product)
    if len(nodes):
        nodes = nodes.assign(tier=[label(lang, v) for v in nodes["tier"]])
    axis = {"axis": None, "scale": alt.Scale(domain=[-1.3, 1.3])}
    edge_chart = alt.Chart(edges).mark_rule(color="#bbbbbb").encode(
        x=alt.X("x:Q", **axis), y=alt.Y("y:Q", **axis), x2="x2:Q", y2="y2:Q",
        strokeWidth=alt.StrokeWidth("overlap:Q", legend=None, scale=alt.Scale(range=[1, 6])))
    node_chart = alt.Chart(nodes).mark_circle(size=300, opacity=0.9).encode(
        x=alt.X("x:Q", **axis), y=alt.Y("y:Q", **axis),
        color=alt.Color("tier:N", title=title["tier"], scale=tier_colours),
        tooltip=[alt.Tooltip(f, title=title[f]) for f in ("name", "creator_id", "followers")])
    labels = alt.Chart(nodes).mark_text(dy=-16, fontSize=11).encode(x="x:Q", y="y:Q", text="name:N")
    layers = [edge_chart, node_chart, labels] if len(edges) else [node_chart, labels]
    right.altair_chart(alt.layer(*layers).properties(height=340), width="stretch")


def why_ui(lang: str, outcome: Outcome, table: pd.DataFrame) -> None:
    st.subheader(t(lang, "why"))
    labels = {f"{n} ({c})": c for c, n in zip(table["creator_id"], table["creator_name"])}
    picked = st.selectbox(t(lang, "why_creator"), list(labels), key="why-creator")
    for _, r in analysis.booking_reasons(outcome, labels[picked]).iterrows():
        key = "why_pairs" if pd.isna(r["style"]) else "why_line"
        st.markdown(t(lang, key, product=r["product_id"], **{k: v for k, v in r.items() if k != "product_id"}))


def creators_ui(lang: str, outcome: Outcome) -> None:
    """Every creator: search, filter, sort (click a column), fit to a product, and one creator's card."""
    st.subheader(t(lang, "creators_view"))
    creators = outcome.data.creators
    c1, c2, c3 = st.columns(3)
    text = c1.text_input(t(lang, "f_search"), key="cv-search")
    cats = c2.multiselect(t(lang, "f_categories"), sorted({c for cs in creators["categories"] for c in cs}),
                          key="cv-cats", placeholder=t(lang, "f_any"))
    tiers = c3.multiselect(t(lang, "f_tiers"), ["top_kol", "alliance"], format_func=lambda v: label(lang, v),
                           key="cv-tiers", placeholder=t(lang, "f_any"))
    c4, c5, c6 = st.columns(3)
    fees = creators["fee"].dropna()
    low, high = (float(fees.min()), float(fees.max())) if len(fees) else (0.0, 0.0)
    fee = c4.slider(t(lang, "f_fee"), low, max(high, low + 1), (low, max(high, low + 1)), key="cv-fee",
                    format="¥%.0f")
    followers = c5.number_input(t(lang, "f_followers"), 0.0, value=0.0, step=10_000.0, key="cv-followers",
                                format="%.0f")
    product = c6.selectbox(t(lang, "f_fit"), [None, *outcome.data.products["product_id"]], key="cv-product",
                           format_func=lambda v: "—" if v is None else v)
    frame = analysis.filter_creators(analysis.creator_table(outcome, product), text, cats, tiers, fee, followers)
    frame = frame.sort_values("fit" if product else "followers", ascending=False, na_position="last")
    st.caption(t(lang, "cv_count", n=len(frame), total=len(creators)))
    st.dataframe(for_people(frame, lang), hide_index=True, width="stretch", key="cv-table")
    if frame.empty:
        return
    picked = st.selectbox(t(lang, "card_pick"), frame["creator_id"].head(500).tolist(), key="cv-card",
                          format_func=lambda cid: f"{creators.set_index('creator_id').at[cid, 'name']} ({cid})")
    card = analysis.creator_card(outcome, picked)
    with st.container(border=True):
        st.markdown(f"**{card['name']}** · {label(lang, card['tier'])} · {'、'.join(card['categories'])}")
        st.write(card["bio"] or "—")
        if card["recent_posts"]:
            st.caption(f"{column(lang, 'recent_posts')}: {card['recent_posts'][:600]}")
        m1, m2, m3 = st.columns(3)
        m1.metric(column(lang, "followers"), "—" if pd.isna(card["followers"]) else count(lang, card["followers"]))
        m2.metric(column(lang, "fee"), "—" if pd.isna(card["fee"]) else money(lang, card["fee"]))
        m3.metric(t(lang, "card_engagement"), "—" if pd.isna(card["engagement_rate"])
                  else f"{card['engagement_rate']:.1%}")
        if not card["products"]:
            st.markdown(t(lang, "card_not_eligible"))
        for item in card["products"]:
            why = t(lang, f"blocked_{item['blocked_by']}") if item["blocked_by"] else ""
            st.markdown(t(lang, "card_booked" if item["booked"] else "card_not_booked", why=why, **item))


def pilot_ui(lang: str, outcome: Outcome) -> None:
    """Design a pilot (matchmaker.lifecycle.pilot); upload its results and each wave's; re-plan the next wave or
    the rest of the budget with everything learned so far (matchmaker.lifecycle.replan). The results read so far
    are kept across re-plans; every pilot and wave is a run in the history."""
    st.header(t(lang, "pilot"))
    st.caption(t(lang, "pilot_help"))
    design_ui(lang, outcome)
    upload = st.file_uploader(t(lang, "pilot_upload"), type=["csv", "xlsx", "xls"], key="up-pilot")
    seen = st.session_state.get("results_so_far")
    if seen is not None:
        st.caption(t(lang, "results_kept", n=len(seen), waves=int(seen["wave"].max()) + 1))
    c1, c2 = st.columns(2)
    mode = c1.radio(t(lang, "pilot_mode"), MODES, index=MODES.index("extend"), key="pilot-mode", horizontal=True,
                    format_func=lambda m: t(lang, f"mode_{m}"))
    waves = c2.number_input(t(lang, "waves_left"), min_value=1, max_value=6, value=1, step=1, key="waves-left")
    if upload is None or not st.button(t(lang, "replan"), key="replan"):
        return
    try:
        results = validate_results(read_upload(upload.getvalue(), upload.name, "results", None).frame, upload.name,
                                   outcome.data, MATURITY_DAYS)
    except InputError as exc:
        show_problems(lang, exc)
        return
    if seen is not None:  # a new file is the next wave's, unless it says which wave it is
        if not (results["wave"] > 0).any():
            results = results.assign(wave=float(seen["wave"].max()) + 1)
        results = pd.concat([seen, results], ignore_index=True)
    config = outcome.config
    with st.spinner(t(lang, "stage_solve")):
        prepared = prepare(outcome.data, config, embedder(config.scoring.backend, config.resolved_model()))
        again = replan(prepared, results, mode, waves=int(waves))
    before = money(lang, again.before_gmv)
    run_id = remember(again.outcome, st.session_state.get("run_id"),
                      {"pilot": {"spent": round(again.pilot_spend, 2), "waves_left": int(waves), "mode": mode}})
    st.session_state.update({"outcome": again.outcome, "changes": again.changes, "changes_for": again.outcome,
                             "results_so_far": results, "run_id": run_id or st.session_state.get("run_id"),
                             "replanned": t(lang, "replanned", n=len(results), spent=again.pilot_spend,
                                            after=money(lang, again.outcome.summary()["expected"]["gmv"]),
                                            before=before)})
    st.rerun()


def design_ui(lang: str, outcome: Outcome) -> None:
    """Design a pilot for this campaign: what to test before the scale-up, and why each booking."""
    share = st.slider(t(lang, "pilot_share"), 0.0, 0.3, 0.0, 0.01, key="pilot-share", help=t(lang, "pilot_share_help"))
    if st.button(t(lang, "design_pilot"), key="design-pilot"):
        config = outcome.config
        with st.spinner(t(lang, "stage_solve")):
            prepared = prepare(outcome.data, config, embedder(config.scoring.backend, config.resolved_model()))
            test = design(prepared, share or None)
        remember(test.outcome, st.session_state.get("run_id"), {"pilot": {"share": round(test.share, 4)}})
        st.session_state["pilot_design"] = (outcome.data, test)
    data, test = st.session_state.get("pilot_design", (None, None))
    if test is None or data is not outcome.data:  # designed for another campaign
        return
    st.success(t(lang, "pilot_designed", share=test.share, n=len(test.reasons),
                 of=int(test.scale_up.plan["c"].nunique()), spent=float(test.outcome.plan["cash"].sum())))
    shown = test.reasons.assign(learn=[say(lang, v) for v in test.reasons["learn"]])
    st.dataframe(for_people(shown, lang), hide_index=True, width="stretch", key="pilot-reasons")
    if len(test.untested):
        st.caption(t(lang, "pilot_untested"))
        untested = test.untested.head(10).assign(why=[say(lang, v) for v in test.untested["why"].head(10)])
        st.dataframe(for_people(untested, lang), hide_index=True, width="stretch", key="pilot-untested")
    st.download_button(t(lang, "dl_pilot"), table_bytes(plan_table(test.outcome, lang), ".xlsx"), "pilot.xlsx",
                       key="dl-pilot")


def changes_ui(lang: str, outcome: Outcome) -> None:
    """After a re-plan: what it says and what changed, per creator."""
    if st.session_state.get("changes_for") is not outcome:
        return
    st.success(st.session_state["replanned"])
    st.subheader(t(lang, "changes"))
    changes_table(lang, st.session_state["changes"], "changes")


def changes_table(lang: str, changes: pd.DataFrame, key: str) -> None:
    """Per creator, what changed and why (a re-plan's, or a diff of two plans), in lang."""
    changes = changes.copy()
    changes["change"] = [label(lang, v) for v in changes["change"]]
    for name in ("pilot", "why"):
        if name in changes:
            changes[name] = [say(lang, v) for v in changes[name]]
    st.dataframe(for_people(changes, lang, {"why": "原因"}), hide_index=True, width="stretch", key=key)


def remember(outcome: Outcome, parent: str | None = None, extra: dict | None = None) -> str | None:
    """Record a run in the history (when there is a store); its id. A failure to is logged, never shown."""
    if STORE is None:
        return None
    try:
        return record(STORE, outcome, "app", parent, extra)
    except Exception:
        log.exception("the run was not recorded")
        return None


def ticks_ui(frame: pd.DataFrame, key: str, ticks: dict[str, set], ids: list[str], lang: str) -> None:
    """A table with a tick box column per set in `ticks` (name -> the row ids ticked, kept in session state
    whatever rows a filter shows; `ids` are the columns that make a row's id). The table given to the editor is
    kept as first built for these rows: a changed one would reset the editor and lose a click."""
    row_ids = list(zip(*(frame[c].astype(str) for c in ids))) if len(ids) > 1 else list(frame[ids[0]].astype(str))
    signature = hashlib.sha256(repr(row_ids).encode()).hexdigest()[:12]
    built = st.session_state.get(f"{key}-base")
    if built is None or built[0] != signature:
        shown = frame.assign(**{name: [r in chosen for r in row_ids] for name, chosen in ticks.items()})
        built = st.session_state[f"{key}-base"] = (signature, for_people(shown, lang))
    edited = st.data_editor(
        built[1], hide_index=True, width="stretch", key=f"{key}-{signature}",
        disabled=[column(lang, c) for c in frame.columns],
        column_config={column(lang, name): st.column_config.CheckboxColumn(t(lang, f"tick_{name}")) for name in ticks})
    for name in ticks:
        on = edited[column(lang, name)].to_numpy(bool)
        ticks[name] -= set(row_ids)
        ticks[name] |= {r for r, tick in zip(row_ids, on) if tick}


def change_ui(lang: str, outcome: Outcome, prepared) -> None:
    """5. Change the plan: tick bookings to lock or creators to drop, lock or ban; re-plan close to the plan."""
    st.header(t(lang, "change"))
    st.caption(t(lang, "change_help"))
    # each table's own ticks: the plan's bookings (creator, product) and the creators (for any product)
    ticks = st.session_state.setdefault("ticks", {"plan": {"lock": set(), "ban": set()},
                                                  "creators": {"lock": set(), "ban": set()}})
    table = plan_table(outcome)
    st.subheader(t(lang, "tick_plan"))
    ticks_ui(table[["creator_id", "creator_name", "product_id", "product_name", "fee", "value"]], "tick-plan",
             ticks["plan"], ["creator_id", "product_id"], lang)
    st.subheader(t(lang, "tick_creators"))
    creators = outcome.data.creators
    text = st.text_input(t(lang, "f_search"), key="tick-search")
    frame = analysis.filter_creators(analysis.creator_table(outcome), text, [], [], None, 0.0)
    ticks_ui(frame[["creator_id", "name", "tier", "followers", "fee"]].head(300), "tick-creators", ticks["creators"],
             ["creator_id"], lang)
    locks = sorted(f"{c}:{p}" for c, p in ticks["plan"]["lock"]) + sorted(ticks["creators"]["lock"])
    bans = sorted({cid for cid, _ in ticks["plan"]["ban"]} | ticks["creators"]["ban"])
    st.caption(t(lang, "ticked", locks=len(locks), bans=len(bans)))
    plan = plan_rows(outcome)
    own = plan["value"].mean() if len(plan) else 0.0
    c1, c2 = st.columns(2)
    budget = c1.number_input(t(lang, "budget"), min_value=0.0, value=float(outcome.config.campaign.budget),
                             step=10_000.0, format="%.0f", key="change-budget")
    penalty = c2.number_input(t(lang, "change_penalty"), min_value=0.0, value=float(round(0.1 * own, 4)),
                              format="%.4f", key="change-penalty")
    if not st.button(t(lang, "replan_close"), key="replan-close"):
        return
    try:
        data = with_locks(prepared.data, locks, [b for b in bans if b in set(creators["creator_id"])], source="app")
    except InputError as exc:
        show_problems(lang, exc)
        return
    with st.spinner(t(lang, "stage_solve")):
        ready = dataclasses.replace(prepared, data=data)
        after, figures = stay_close(ready, plan, penalty, {"campaign.budget": budget})
    run_id = remember(after, st.session_state.get("run_id"), {"stay_close": {**figures, "previous_run":
                                                                           st.session_state.get("run_id")}})
    diff = plan_diff(plan, plan_rows(after), outcome.config, after.config, choices_of(outcome.data),
                     choices_of(data))
    st.session_state.update({"outcome": after, "prepared": ready, "run_id": run_id, "changes": diff.changes,
                             "changes_for": after, "replanned": t(lang, "replanned_close", **figures)})
    st.rerun()


def choices_of(data) -> dict:
    locks = [] if data.locks is None else data.locks[["creator_id", "product_id"]].astype(str).values.tolist()
    return {"locks": locks, "bans": list(data.bans)}


def whatif_ui(lang: str, outcome: Outcome, prepared) -> None:
    """6. What if: the value/budget frontier (click a point: its plan) and what each rule costs, on the prepared
    campaign (nothing is embedded or scored again)."""
    st.header(t(lang, "whatif"))
    st.caption(t(lang, "whatif_help"))
    budget = outcome.config.campaign.budget
    c1, c2 = st.columns(2)
    shares = c1.text_input(t(lang, "whatif_shares"), "0.5, 0.75, 1, 1.25, 1.5", key="whatif-shares")
    seconds = c2.number_input(t(lang, "whatif_seconds"), 1.0, MAX_SECONDS, min(5.0, MAX_SECONDS), key="whatif-sec")
    quick = dataclasses.replace(prepared, config=prepared.config.override(**{"solver.time_limit": seconds}))
    thresholds = c1.text_input(t(lang, "whatif_thresholds"), "0.1, 0.2, 0.3, 0.5, 1", key="whatif-thresholds")
    b1, b2, b3 = st.columns(3)
    try:
        budgets = [budget * float(x) for x in shares.split(",") if x.strip()]
        overlaps = sorted({min(1.0, max(0.0, float(x))) for x in thresholds.split(",") if x.strip()})
    except ValueError:
        st.error(t(lang, "whatif_bad", value=f"{shares} / {thresholds}"))
        return
    for button, key, sweep, values in ((b1, "whatif-budget", budget_sweep, budgets),
                                       (b2, "whatif-overlap", overlap_sweep, overlaps)):
        if button.button(t(lang, key.replace("-", "_")), key=key):
            with st.spinner(t(lang, "stage_solve")):
                st.session_state["frontier"] = (outcome, sweep(quick, values[:20]))
    if b3.button(t(lang, "whatif_rules"), key="whatif-rules"):
        with st.spinner(t(lang, "stage_solve")):
            st.session_state["rule_costs"] = (outcome, rule_costs(quick))
    frontier = st.session_state.get("frontier")
    if frontier and frontier[0] is outcome and frontier[1]:
        frontier_ui(lang, frontier[1])
    costs = st.session_state.get("rule_costs")
    if costs and costs[0] is outcome:
        table = points_table(costs[1])
        table = table[table["setting"] != "(none)"]
        st.subheader(t(lang, "rule_costs"))
        st.altair_chart(alt.Chart(table).mark_bar(color="#fe2c55").encode(
            x=alt.X("rule_cost:Q", title=t(lang, "rule_cost")), y=alt.Y("setting:N", title=None, sort="-x"),
            tooltip=[alt.Tooltip("setting:N"), alt.Tooltip("rule_cost:Q", format=",.3f")]), width="stretch")


def frontier_ui(lang: str, points) -> None:
    """The sweep's points, value against the budget or the overlap threshold; the clicked point's plan."""
    by_budget = points[0].sweep == "budget"
    x, shown = ("budget", lambda v: money(lang, v)) if by_budget else ("max_overlap", lambda v: f"{v:g}")
    table = points_table(points).assign(**{x: [float(p.setting) for p in points]})
    st.subheader(t(lang, "frontier" if by_budget else "frontier_overlap"))
    pick = alt.selection_point(name="point", fields=[x], on="click", nearest=True)
    base = alt.Chart(table).encode(x=alt.X(f"{x}:Q", title=column(lang, x), axis=alt.Axis(format=",.0f" if by_budget
                                                                                          else ".2f")),
                                   y=alt.Y("value:Q", title=t(lang, "m_value"), scale=alt.Scale(zero=False)))
    chart = base.mark_line(color="#9e9e9e") + base.mark_circle(size=220, color="#fe2c55").encode(
        tooltip=[alt.Tooltip(f"{x}:Q", format=",.2f"), alt.Tooltip("value:Q", format=",.3f"),
                 alt.Tooltip("spend:Q", format=",.0f"), alt.Tooltip("gmv:Q", format=",.0f"), "status:N"],
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.5))).add_params(pick)
    event = st.altair_chart(chart, on_select="rerun", key=f"frontier-chart-{x}", width="stretch")
    clicked = (event.selection.get("point") or [{}])[0].get(x) if event else None
    options = list(range(len(points)))
    if clicked is not None:
        st.session_state["frontier-pick"] = int(np.argmin(np.abs(table[x].to_numpy() - float(clicked))))
    if st.session_state.get("frontier-pick", 0) >= len(options):
        st.session_state["frontier-pick"] = 0
    index = st.selectbox(t(lang, "frontier_pick" if by_budget else "frontier_pick_overlap"), options,
                         key="frontier-pick", format_func=lambda i: shown(table[x].iat[i]))
    point = points[index].outcome
    if not point.result.has_plan:
        st.info(t(lang, "no_plan"))
        return
    st.dataframe(for_people(plan_table(point, lang), lang), hide_index=True, width="stretch", key="frontier-plan")


def history_ui(lang: str) -> None:
    """7. Run history: every run recorded (this app's, the command line's, the API's); reopen one, compare two."""
    st.header(t(lang, "history"))
    if STORE is None:
        st.info(t(lang, "history_off"))
        return
    runs = STORE.runs(limit=50)
    if not len(runs):
        st.info(t(lang, "history_empty"))
        return
    shown = runs.drop(columns=["version"]).assign(
        parent=runs["parent"].fillna(""), status=[t(lang, f"status_{s}") if s else "" for s in runs["status"]],
        objective_kind=[t(lang, f"obj_{k}") if k else "" for k in runs["objective_kind"]])
    st.dataframe(for_people(shown, lang), hide_index=True, width="stretch", key="runs")
    ids = list(runs["run_id"])
    names = {r: f"{r} · {k} · {c}" for r, k, c in zip(runs["run_id"], runs["kind"], runs["campaign"])}
    c1, c2 = st.columns(2)
    chosen = c1.selectbox(t(lang, "history_pick"), ids, format_func=names.get, key="history-pick")
    if c1.button(t(lang, "history_keep"), key="history-keep"):  # its bookings become locks of the next re-plan
        ticks = st.session_state.setdefault("ticks", {"plan": {"lock": set(), "ban": set()},
                                                      "creators": {"lock": set(), "ban": set()}})
        kept = STORE.plan(chosen)
        ticks["plan"]["lock"] |= set(zip(kept["creator_id"].astype(str), kept["product_id"].astype(str)))
        st.session_state["tick-plan-base"] = None
        st.success(t(lang, "history_kept", n=len(kept), run=chosen))
    if c1.button(t(lang, "history_reopen"), key="history-reopen"):
        with st.spinner(t(lang, "stage_embed")):
            config = parse_config(STORE.run(chosen)["config"])
            outcome, prepared = reopened(STORE, chosen, embedder(config.scoring.backend, config.resolved_model()))
        st.session_state.update({"outcome": outcome, "prepared": prepared, "run_id": chosen, "outcome_key": None,
                                 "outcome_from": t(lang, "reopened", run=chosen)})
        st.rerun()
    other = c2.selectbox(t(lang, "history_other"), ids, index=min(1, len(ids) - 1), format_func=names.get,
                         key="history-other")
    if chosen != other:
        a, b = STORE.run(other), STORE.run(chosen)
        diff = plan_diff(STORE.plan(other), STORE.plan(chosen), parse_config(a["config"]), parse_config(b["config"]),
                         a["choices"], b["choices"])
        st.caption(t(lang, "history_diff", before=other, after=chosen, **diff.counts()))
        changes_table(lang, diff.changes, "history-diff")



def downloads_ui(lang: str, info: dict, table: pd.DataFrame) -> None:
    st.subheader(t(lang, "downloads"))
    c1, c2, c3 = st.columns(3)
    c1.download_button(t(lang, "dl_csv"), table_bytes(table, ".csv"), "plan.csv", "text/csv", key="dl-csv")
    c2.download_button(t(lang, "dl_xlsx"), table_bytes(table, ".xlsx"), "plan.xlsx", key="dl-xlsx")
    c3.download_button(t(lang, "dl_json"), json_bytes(info), "summary.json", "application/json", key="dl-json")


def main() -> None:
    st.set_page_config(page_title="matchmaker", page_icon="🤝", layout="wide")
    lang = language_ui()
    widget_text_ui(lang)
    try:
        page(lang)
    except Exception:  # never a traceback in the page: a plain message, the detail in the server log
        log.exception("the app failed")
        st.error(t(lang, "error_generic"))


def page(lang: str) -> None:
    st.title(t(lang, "title"))
    st.caption(t(lang, "subtitle"))
    config = campaign_ui(lang)
    data, data_key = data_ui(lang)
    if data is not None:
        config = category_ui(lang, data, config)
        data, rules_key = rules_ui(lang, data)
        if data is not None:
            key = hashlib.sha256((data_key + rules_key + repr(config)).encode()).hexdigest()
            optimize_ui(lang, data, config, key)
            if st.session_state.get("outcome") is not None and st.session_state.get("outcome_key") != key:
                st.warning(t(lang, "stale"))
    if st.session_state.get("outcome") is not None:
        results_ui(lang, st.session_state["outcome"])
        outcome = st.session_state["outcome"]
        if outcome.result.has_plan and len(outcome.plan):
            pilot_ui(lang, outcome)
            if st.session_state.get("prepared") is not None:
                change_ui(lang, outcome, st.session_state["prepared"])
                whatif_ui(lang, outcome, st.session_state["prepared"])
    history_ui(lang)


main()
