"""The dashboard in Debian's Chromium: leaderboard, product, language switch, shortlist CSV.

One Streamlit server for the module, against the dashboard fixture store. Screenshots of each page
go to test-artifacts/screenshots/ (not committed).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from dashboard.i18n import catalogue
from dashboard.launch import CHROMIUM, CHROMIUM_ARGS, serving
from tests.fixtures.dashboard_store import build_dashboard_store

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-artifacts" / "screenshots"
TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def server(module_database_url: str) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} missing: run `make system-deps`")
    url = build_dashboard_store(module_database_url)
    with serving(url, timeout=60) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=list(CHROMIUM_ARGS),
        )
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def warmed(server: str, browser: Browser) -> str:
    """The first script run imports pandas, altair and scoring and reads the store: give it time
    once, so every later wait can use the ordinary 30 s."""
    context = browser.new_context()
    first = context.new_page()
    first.goto(server)
    first.wait_for_selector(
        "[data-testid='stApp'][data-test-script-state='notRunning']", timeout=180_000
    )
    context.close()
    return server


@pytest.fixture
def page(browser: Browser, warmed: str) -> Iterator[Page]:
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 1400, "height": 1000}, accept_downloads=True
    )
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


def _ready(page: Page) -> None:
    page.wait_for_selector("[data-testid='stAppViewContainer']")
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']")
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']")
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=TIMEOUT_MS)


def _open(page: Page, url: str) -> None:
    page.goto(url)
    _ready(page)


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


PAGES = (
    ("overview", "总览"),
    ("leaderboard", "排行榜"),
    ("product?product=internlm3", "产品详情"),
    ("compare?products=internlm3,minimax-m1", "产品对比"),
    ("what-if?category=model&weights=spaces:1", "权重模拟"),
    ("shortlist", "入围名单"),
    ("methodology", "评分方法"),
    ("data-health", "数据健康"),
)
# What Streamlit itself writes in English unless told otherwise (widget placeholders, empty states).
STREAMLIT_ENGLISH = ("Choose options", "Choose an option", "No results", "Press Enter", "None")


def test_every_page_loads_and_is_screenshotted(server: str, page: Page) -> None:
    for path, title in PAGES:
        _open(page, f"{server}/{path}")
        expect(page.locator("h1").first).to_contain_text(title)
        expect(page.get_by_test_id("stException")).to_have_count(0)
        expect(page.get_by_text("演示数据").first).to_be_visible()
        _shot(page, path.split("?")[0])


def test_chinese_pages_in_an_english_browser_show_no_english(browser: Browser, warmed: str) -> None:
    """A committee member whose browser speaks English still reads every page in Chinese."""
    zh = catalogue("zh")
    # English texts of the catalogue, as whole words; a proper noun the Chinese text keeps
    # ("OpenDigger" in "OpenDigger（开源指标）") is no leak
    english = {
        value: re.compile(rf"(?<![A-Za-z]){re.escape(value)}(?![A-Za-z])")
        for key, value in catalogue("en").items()
        if value not in zh[key] and len(value) > 3 and "{" not in value
    }
    context = browser.new_context(locale="en-US", viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        for path, _title in PAGES:
            _open(page, f"{warmed}/{path}")
            shown = page.inner_text("[data-testid='stMain']")
            leaks = [s for s in STREAMLIT_ENGLISH if s in shown]
            leaks += sorted(s for s, word in english.items() if word.search(shown))
            assert leaks == [], f"English on the Chinese {path}: {leaks}"
    finally:
        context.close()


def test_leaderboard_row_opens_the_product(server: str, page: Page) -> None:
    _open(page, f"{server}/leaderboard?category=model")
    table = page.get_by_test_id("stDataFrame")
    expect(table).to_be_visible()
    table.click(position={"x": 15, "y": 2 * 35 + 17})  # second data row: MiniMax-M1
    page.wait_for_url("**/product?**")
    _ready(page)
    expect(page.locator("h2").first).to_contain_text("MiniMax-M1")
    expect(page).to_have_url(re.compile(r"product=minimax-m1"))
    _shot(page, "product-from-leaderboard")
    # its eligibility block: a non-commercial, gated release
    page.get_by_role("tab", name="资格", exact=True).click()
    _ready(page)
    expect(page.get_by_text("开放程度：仅限非商业").first).to_be_visible()
    _shot(page, "product-eligibility")


def test_switch_language_to_english(server: str, page: Page) -> None:
    _open(page, f"{server}/leaderboard")
    page.locator(".st-key-lang").get_by_text("English").click()
    _ready(page)
    expect(page.locator("h1").first).to_contain_text("Leaderboard")
    expect(page).to_have_url(re.compile(r"lang=en"))
    _shot(page, "leaderboard-en")
    _open(page, f"{server}/overview?lang=en")
    expect(page.locator("h1").first).to_contain_text("Overview")


def test_download_shortlist_csv(server: str, page: Page) -> None:
    _open(page, f"{server}/product?product=internlm3")
    page.locator(".st-key-add_to_shortlist button").click()
    _ready(page)
    page.get_by_role("link", name="入围名单").first.click()
    _ready(page)
    with page.expect_download() as download_info:
        page.locator(".st-key-shortlist_download button").click()
    data = Path(download_info.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    header, first = text.splitlines()[:2]
    assert header.startswith("rank,rank_low,rank_high,product_id,product_name")
    assert ",internlm3,InternLM3," in first
    columns = header.split(",")
    assert "note" in columns  # the export's own builder: note after the mandated columns
    assert columns.index("note") > columns.index("synthetic")
    _shot(page, "shortlist-with-product")
