"""P5 — the dashboard in Debian's Chromium: navigation → leaderboard table rendered, product page.

The store is the main run's (the world's tracked artifacts after a refresh), with the world's
daily history backfilled and one scoring run, so every implicit product has scores and series.
Each page is opened once to warm Streamlit's caches, then timed 5 times; the median is reported.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.context import BenchContext
from benchmarks.results import Figure
from dashboard.launch import CHROMIUM, CHROMIUM_ARGS, serving

ROOT = Path(__file__).resolve().parents[1]
LEADERBOARD_TARGET = 2.0
PRODUCT_TARGET = 1.0
TIMED_VISITS = 5
READY = "[data-testid='stApp'][data-test-script-state='notRunning']"


@contextmanager
def dashboard_server(database_url: str) -> Iterator[str]:
    with serving(database_url, timeout=120) as base:
        yield base


def _visit(page: object, url: str, rendered: str) -> float:
    """Seconds from navigation to `rendered` visible with the script finished."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_selector(rendered, state="visible", timeout=180_000)
    page.wait_for_selector(READY, timeout=180_000)
    page.wait_for_selector("[data-testid='stSkeleton']", state="detached", timeout=180_000)
    return time.perf_counter() - started


def _timings(base: str, product_id: str) -> tuple[list[float], list[float]]:
    from playwright.sync_api import sync_playwright

    leaderboard = f"{base}/leaderboard?category=model"
    product = f"{base}/product?product={product_id}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=list(CHROMIUM_ARGS),
        )
        try:
            context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            _visit(page, leaderboard, "[data-testid='stDataFrame']")  # warm the caches
            _visit(page, product, "h2")
            board = [
                _visit(page, leaderboard, "[data-testid='stDataFrame']")
                for _ in range(TIMED_VISITS)
            ]
            detail = [_visit(page, product, "h2") for _ in range(TIMED_VISITS)]
            context.close()
        finally:
            browser.close()
    return board, detail


def measure(ctx: BenchContext) -> list[Figure]:
    if not Path(CHROMIUM).exists():
        return [Figure("P5", "dashboard", None, "s", note=f"{CHROMIUM} missing: make system-deps")]
    prepared = ctx.scored_store()
    store = ctx.main_store()
    rows = store.scores()
    products = len({row.product_id for row in rows})
    top = next((row.product_id for row in rows if row.category == "model"), rows[0].product_id)
    with dashboard_server(store.engine.url.render_as_string(hide_password=False)) as base:
        board, detail = _timings(base, top)
    full = ctx.options.size >= 10_000  # a 10,000 world groups into ~9,600 products
    board_median = statistics.median(board)
    detail_median = statistics.median(detail)
    details = {
        "products": products,
        "leaderboard_seconds": board,
        "product_seconds": detail,
        "product": top,
        **prepared,
    }
    return [
        Figure(
            "P5",
            f"leaderboard rendered, {products:,} products (median of {TIMED_VISITS}, warm)",
            board_median,
            "s",
            target=f"≤ {LEADERBOARD_TARGET:.0f} s" + ("" if full else " (at 10,000)"),
            met=board_median <= LEADERBOARD_TARGET if full else None,
            note="runs: " + ", ".join(f"{s:.2f}" for s in board),
            details=details,
        ),
        Figure(
            "P5",
            f"product page rendered (median of {TIMED_VISITS}, warm)",
            detail_median,
            "s",
            target=f"≤ {PRODUCT_TARGET:.0f} s" + ("" if full else " (at 10,000)"),
            met=detail_median <= PRODUCT_TARGET if full else None,
            note="runs: " + ", ".join(f"{s:.2f}" for s in detail),
        ),
    ]
