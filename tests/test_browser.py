"""End to end in a real browser: `streamlit run app.py` on a free local port, Debian's chromium driven
by Playwright. Skipped (with the reason) where chromium is not installed, unless
MATCHMAKER_REQUIRE_BROWSER=1 (set by .ci/run), where a missing browser fails."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import DATA, ROOT

CREATORS_ZH, PRODUCTS_ZH = "达人名单", "商品清单"  # the uploaders' labels in Chinese (report/i18n.py)
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage"]

pytestmark = [pytest.mark.browser, pytest.mark.slow]

if not Path(CHROMIUM).exists():
    if os.environ.get("MATCHMAKER_REQUIRE_BROWSER") == "1":
        raise RuntimeError("chromium is required for the browser tests (apt-get install chromium)")
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import expect, sync_playwright  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = free_port()
    cwd = tmp_path_factory.mktemp("server")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
         "--browser.gatherUsageStats", "false"],
        cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).status == 200:
                    break
            except OSError:
                time.sleep(0.5)
        else:
            raise RuntimeError("streamlit did not start")
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


@pytest.fixture
def page(server, tmp_path):
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(str(tmp_path / "profile"), executable_path=CHROMIUM,
                                                        args=FLAGS, headless=True, accept_downloads=True,
                                                        viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(server)
        yield page
        context.close()


def whole_page(page, tmp_path: Path, name: str, settle_ms: int) -> Path:
    """A screenshot of the whole page (the viewport grown to it) in MATCHMAKER_SCREENSHOTS, else tmp_path."""
    shots = Path(os.environ.get("MATCHMAKER_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    height = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": 1400, "height": min(int(height) + 100, 6000)})
    page.wait_for_timeout(settle_ms)
    page.screenshot(path=str(shots / name), full_page=True)
    return shots / name


def settled(page) -> None:
    """Wait until the app is not running its script (Streamlit's running indicator is gone)."""
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_be_hidden(timeout=120_000)


def uploader(page, label: str):
    """The file input of the uploader with this label (by its label, not its place on the page)."""
    box = page.get_by_test_id("stFileUploader").filter(has=page.get_by_test_id("stWidgetLabel").get_by_text(label))
    return box.get_by_test_id("stFileUploaderDropzoneInput")


def test_upload_optimise_read_download_screenshot(page, tmp_path):
    page.get_by_text("English", exact=True).click()
    expect(page.get_by_text("1. Data")).to_be_visible()
    main = page.get_by_test_id("stMain")
    inputs = main.get_by_test_id("stFileUploaderDropzoneInput")
    inputs.nth(0).set_input_files(str(DATA / "creators.csv"))
    inputs.nth(1).set_input_files(str(DATA / "products.csv"))
    expect(page.get_by_text("320 creators, 24 products ready.")).to_be_visible()

    settled(page)  # the uploads' reruns are over: a form submitted during one can be lost
    budget = page.get_by_label("Total budget (CNY)")
    budget.fill("900000")
    budget.press("Enter")
    page.get_by_role("button", name="Apply").click()
    settled(page)
    page.get_by_role("button", name="Optimize").click()
    expect(page.get_by_text("budget ¥900,000", exact=False).first).to_be_visible(timeout=180_000)

    booked = page.get_by_test_id("stMetric").filter(has_text="Creators booked").get_by_test_id("stMetricValue")
    expect(booked).to_be_visible(timeout=180_000)
    n_creators = int(booked.inner_text())
    used = page.get_by_test_id("stMetric").filter(has_text="Budget used").get_by_test_id("stMetricValue")
    spent = float(used.inner_text().replace("¥", "").replace(",", ""))
    assert 0 < spent <= 900_000 and n_creators > 10

    # the screenshot before the download: a download click reruns the script and redraws the page
    page.get_by_text("Spend and expected GMV by product").scroll_into_view_if_needed()
    assert whole_page(page, tmp_path, "results.png", 1500).stat().st_size > 50_000

    with page.expect_download() as download:
        page.get_by_role("button", name="Plan (.csv)").click()
    path = tmp_path / "plan.csv"
    download.value.save_as(path)
    plan = pd.read_csv(path)
    assert plan["creator_id"].nunique() == n_creators
    assert plan["fee"].sum() == pytest.approx(spent, abs=1)
    assert set(plan["product_id"]) <= set(pd.read_csv(DATA / "products.csv")["product_id"])


# English labels the Chinese results page used to show (axes, legends, tiers, metrics)
ENGLISH = ["CNY", "alliance", "top_kol", "Top-KOL", "pairs", "chosen", "rejected", "Total value", "Creators booked",
           "Budget used", "optimal", "feasible"]


UPLOAD_TEXT = """() => [...document.querySelectorAll('[data-testid=stFileUploaderDropzone]')].map(zone => {
    const shown = el => getComputedStyle(el).fontSize === '0px' ? getComputedStyle(el, '::after').content
                                                                 : JSON.stringify(el.innerText);
    return [shown(zone.querySelector('button p')),
            shown(zone.querySelector('[data-testid=stFileUploaderDropzoneInstructions] span'))];
})"""


def test_the_chinese_results_page_carries_no_english_labels(page, tmp_path):
    expect(page.get_by_test_id("stFileUploaderDropzone")).to_have_count(5)  # campaign, and four tables
    expected = [['"上传文件"', '"每个文件不超过 50MB"']] * 5  # Streamlit's own words, once the style sheet is in
    wanted = json.dumps(json.dumps(expected, ensure_ascii=False, separators=(",", ":")), ensure_ascii=False)
    page.wait_for_function(f"JSON.stringify(({UPLOAD_TEXT})()) === {wanted}")
    assert page.evaluate(UPLOAD_TEXT) == expected
    page.get_by_role("button", name="加载示例数据").click()
    expect(page.get_by_text("320 位达人、24 个商品已就绪。")).to_be_visible()
    settled(page)
    page.get_by_role("button", name="开始优化").click()
    reach = page.get_by_test_id("stMetric").filter(has_text="预估去重覆盖").get_by_test_id("stMetricValue")
    expect(reach).to_have_text(re.compile(r"万$"), timeout=180_000)
    heading = page.get_by_text("同一商品达人之间的粉丝重合")
    expect(heading).to_have_count(1)
    heading.scroll_into_view_if_needed()
    page.wait_for_timeout(1500)  # the charts draw their axes
    text = page.get_by_test_id("stMain").inner_text()
    found = [word for word in ENGLISH if re.search(rf"\b{re.escape(word)}\b", text)]
    assert found == [], found
    assert re.search(r"\btier\b", text) is None
    whole_page(page, tmp_path, "results-zh.png", 1000)


def test_a_run_survives_a_language_switch(page, tmp_path):
    import numpy as np

    from matchmaker.eval.sample import creators, products

    # 2,000 creators whose bios the server has not embedded yet: a run long enough to switch during it
    creators(np.random.default_rng(7), 1800, 200).to_csv(tmp_path / "many.csv", index=False)
    products().to_csv(tmp_path / "products.csv", index=False)
    page.get_by_text("English", exact=True).click()
    expect(page.get_by_text("1. Data")).to_be_visible()
    settled(page)  # the language switch's rerun done before the upload (CI once lost the upload in it)
    inputs = page.get_by_test_id("stMain").get_by_test_id("stFileUploaderDropzoneInput")
    inputs.nth(0).set_input_files(str(tmp_path / "many.csv"))
    expect(page.get_by_text("many.csv", exact=True)).to_be_visible()
    settled(page)  # the upload's rerun (reading 2,000 creators) done before the next upload (CI lost one so)
    inputs.nth(1).set_input_files(str(tmp_path / "products.csv"))
    expect(page.get_by_text("products.csv", exact=True)).to_be_visible()
    expect(page.get_by_text("2000 creators, 24 products ready.")).to_be_visible(timeout=30_000)
    settled(page)
    page.get_by_role("button", name="Optimize").click()
    expect(page.get_by_role("button", name="Cancel (keep the best plan so far)")).to_be_visible()
    page.get_by_text("中文", exact=True).click()  # while the run is going
    booked = page.get_by_test_id("stMetric").filter(has_text="签约达人").get_by_test_id("stMetricValue")
    expect(booked).to_be_visible(timeout=180_000)
    assert int(booked.inner_text()) > 10


def test_a_xingtu_export_goes_through_the_category_table_to_a_downloaded_plan(page, tmp_path):
    from tests.test_read import _xingtu_workbook

    # notes sheet first, title rows, a total row, a "-" quote; the default campaign caps Top-KOLs at 60% of
    # the spend, so the plan is the two Alliance creators
    _xingtu_workbook(tmp_path / "xingtu.xlsx", [("d3", "小雨", "腰部", "35", "护肤", "8000"),
                                                ("d4", "Mia", "尾部达人", "3.2", "美妆-护肤", "3000")])
    pd.DataFrame({"商品ID": ["p1"], "品牌": ["澜樱"], "商品名称": ["修护面霜"], "商品类目": ["护肤品"]}).to_csv(
        tmp_path / "products.csv", index=False)
    uploader(page, CREATORS_ZH).set_input_files(str(tmp_path / "xingtu.xlsx"))
    expect(page.get_by_text("xingtu.xlsx", exact=True)).to_be_visible()  # registered before the next upload
    uploader(page, PRODUCTS_ZH).set_input_files(str(tmp_path / "products.csv"))
    expect(page.get_by_text("products.csv", exact=True)).to_be_visible()
    expect(page.get_by_text("4 位达人、1 个商品已就绪。")).to_be_visible()
    expect(page.get_by_text("xingtu.xlsx 的工作表")).to_be_visible()  # the sheet box, set to 达人列表
    expect(page.get_by_text("1 个商品类目没有符合条件的达人", exact=False)).to_be_visible()
    page.get_by_role("button", name="应用此类目映射").click()
    expect(page.get_by_text("1 个商品类目没有符合条件的达人", exact=False)).to_have_count(0)
    settled(page)
    page.get_by_role("button", name="开始优化").click()
    booked = page.get_by_test_id("stMetric").filter(has_text="签约达人").get_by_test_id("stMetricValue")
    expect(booked).to_have_text("2", timeout=180_000)
    with page.expect_download() as download:
        page.get_by_role("button", name="方案（.csv）").click()
    path = tmp_path / "plan.csv"
    download.value.save_as(path)
    plan = pd.read_csv(path)
    assert sorted(plan[["达人ID", "商品ID", "达人层级"]].values.tolist()) == [["d3", "p1", "联盟达人"],
                                                                          ["d4", "p1", "联盟达人"]]


def test_a_pilot_replan_in_the_browser(page, tmp_path):
    page.get_by_text("English", exact=True).click()
    page.get_by_role("button", name="Load the sample campaign").click()
    expect(page.get_by_text("320 creators, 24 products ready.")).to_be_visible()
    page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").filter(has_text="Maximise").click()
    page.get_by_role("option", name="expected GMV").click()
    page.get_by_role("button", name="Apply").click()
    settled(page)
    page.get_by_role("button", name="Optimize").click()
    booked = page.get_by_test_id("stMetric").filter(has_text="Creators booked").get_by_test_id("stMetricValue")
    expect(booked).to_be_visible(timeout=180_000)
    pilot = pd.DataFrame({"达人抖音号": ["dy10007", "dy10012"], "商品ID": ["P01", "P05"],
                          "视频播放量": [80_000, 120_000], "成交订单数": [600, 40], "成交金额(元)": [59_400, 3_960]})
    pilot.to_csv(tmp_path / "罗盘.csv", index=False)
    uploader(page, "Pilot or wave results (.csv, .xlsx)").set_input_files(str(tmp_path / "罗盘.csv"))
    expect(page.get_by_text("罗盘.csv", exact=True)).to_be_visible()
    settled(page)
    page.get_by_role("button", name="Re-plan the rest of the budget").click()
    done = page.get_by_text("Re-planned after a pilot of 2 bookings", exact=False)
    expect(done).to_be_visible(timeout=180_000)
    expect(page.get_by_text("What changed, and why")).to_be_visible()
    whole_page(page, tmp_path, "replan.png", 1500)


def test_tick_a_ban_re_plan_and_click_a_point_of_the_frontier(page, tmp_path):
    page.get_by_text("English", exact=True).click()
    page.get_by_role("button", name="Load the sample").click()
    settled(page)
    page.get_by_role("button", name="Optimize").click()
    heading = page.get_by_text("The plan: lock a booking, or ban its creator (declined)")
    expect(heading).to_be_visible(timeout=180_000)
    heading.scroll_into_view_if_needed()
    grid = page.get_by_test_id("stElementContainer").filter(has=heading).locator("xpath=following-sibling::*[1]")
    box = grid.bounding_box()
    page.mouse.click(box["x"] + box["width"] - 50, box["y"] + 35 + 17)  # the first booking's "ban" tick box
    expect(page.get_by_text("0 lock(s), 1 ban(s) ticked")).to_be_visible(timeout=30_000)
    settled(page)
    page.get_by_role("button", name="Re-plan close to this plan").click()
    replanned = page.get_by_test_id("stAlert").filter(has_text="Re-planned:")
    expect(replanned).to_be_visible(timeout=120_000)
    assert re.search(r"Re-planned: \d+ of \d+ bookings kept, \d+ added, [1-9]\d* dropped", replanned.inner_text())
    settled(page)
    page.get_by_role("button", name="Sweep the budget").click()
    expect(page.get_by_text("The best plan's value at each budget")).to_be_visible(timeout=180_000)
    chart = page.get_by_test_id("stVegaLiteChart").last
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(1500)
    area = chart.bounding_box()
    page.mouse.click(area["x"] + area["width"] * 0.12, area["y"] + area["height"] * 0.5)  # nearest: the first point
    picked = page.get_by_test_id("stSelectbox").filter(has_text="The plan at the budget")
    expect(picked.get_by_role("combobox")).to_have_value("¥600,000", timeout=30_000)
    whole_page(page, tmp_path, "change-and-what-if.png", 1500)
