"""The offline demo: sandbox → collect → score → dashboard on a fresh SQLite file.

Everything it shows is synthetic and labelled so. The real collectors run unchanged against the
fake servers; only the endpoints differ.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from ossimpact.console_progress import RichPipelineProgress
from ossimpact.domain import CATEGORIES
from ossimpact.pipeline import EXIT_FAILURE, EXIT_OK, RefreshOutcome, collect, score
from ossimpact.registry import load_registry
from ossimpact.sandbox.backfill import BACKFILL_SOURCE, history_observations
from ossimpact.sandbox.runner import start_sandbox, world_for_registry
from ossimpact.settings import Settings, load_settings, mask_url_password
from ossimpact.store import Store, open_store


class DemoRefused(Exception):
    """The demo's directory holds a store that is not the demo's: it is left alone."""


def _is_demo_store(database: Path) -> bool:
    """True for a store an earlier demo made (store_meta synthetic=true), read without writing."""
    import sqlite3

    try:
        connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        try:
            row = connection.execute(
                "SELECT value FROM store_meta WHERE key = 'synthetic'"
            ).fetchone()
        finally:
            connection.close()
    except sqlite3.Error:  # not a database, no store_meta table: not the demo's
        return False
    return row is not None and row[0] == "true"


def _fresh_database(data_dir: Path) -> Path:
    if data_dir.exists() and not data_dir.is_dir():
        raise DemoRefused(f"--data-dir {data_dir} is a file, not a directory")
    data_dir.mkdir(parents=True, exist_ok=True)
    database = data_dir / "ossimpact.db"
    # The demo starts from scratch, but only over its own earlier data: a real store (its
    # observations cannot be collected again for past days) is never replaced by synthetic data.
    if database.exists() and database.stat().st_size > 0 and not _is_demo_store(database):
        raise DemoRefused(
            f"{database} holds a store that is not a demo's (real observations?); the demo "
            "will not delete it: choose another --data-dir"
        )
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    return database


def _backfill(store: Store, world_history: object) -> int:
    from ossimpact.domain import CollectionResult

    assert isinstance(world_history, CollectionResult)
    run_id = store.start_run("collect", BACKFILL_SOURCE)
    store.record_collection(run_id, world_history)
    store.finish_run(run_id, "succeeded", message="synthetic daily history of the sandbox world")
    return len(world_history.observations)


def _summary(store: Store, console: Console, top: int = 5) -> None:
    from ossimpact.scoring_service import recorded_products

    rows = store.scores()
    # names as the scoring run recorded them: release families and artifacts alone included
    recorded = recorded_products(store.products(), store.scoring_members())
    products = {product.id: product for product in recorded}
    for category in CATEGORIES:
        in_category = [row for row in rows if row.category == category]
        table = Table(
            "rank",
            "interval",
            "product",
            "score",
            "flags",
            title=f"{category}: {len(in_category)} products (synthetic data) — top {top}",
        )
        for row in in_category[:top]:
            name = products[row.product_id].name if row.product_id in products else row.product_id
            table.add_row(
                str(row.rank),
                f"{row.rank_low}–{row.rank_high}",
                name,
                f"{row.total:.3f}",
                ";".join(sorted({flag.kind for flag in row.flags})),
            )
        console.print(table)


def run_demo(
    *,
    data_dir: Path,
    size: int = 600,
    seed: int = 20251,
    dashboard: bool = True,
    port: int = 8501,
    console: Console | None = None,
    database_url: str | None = None,
) -> int:
    """The demo on a fresh SQLite file in `data_dir`, or on `database_url` (an empty database)."""
    console = console or Console()
    base = load_settings()
    registry = load_registry(base.registry_path)
    if database_url is None:
        database = _fresh_database(data_dir)
        database_url, shown = f"sqlite:///{database.resolve()}", str(database)
    else:
        shown = mask_url_password(database_url)
    today = datetime.now(UTC).date()
    console.print(
        f"[bold]ossimpact demo[/] — synthetic world (seed {seed}, ~{size} artifacts), database {shown}"
    )
    world = world_for_registry(registry, size=size, seed=seed, today=today)
    with start_sandbox(world) as sandbox:
        for name, server in sandbox.servers.items():
            console.print(f"  fake {name:12} {server.url}")
        settings = Settings(
            data_dir=data_dir,
            database_url_override=database_url,
            registry_path=base.registry_path,
            methodology_path=base.methodology_path,
            **sandbox.settings_overrides(),
        )
        store = open_store(settings.database_url)
        store.sync_registry(
            registry.organizations.values(), registry.products.values(), str(registry.source)
        )
        store.set_meta("synthetic", "true")
        backfilled = _backfill(store, history_observations(world))
        console.print(
            f"  backfilled {backfilled} daily observations of the world's history (synthetic)"
        )
        with RichPipelineProgress(console) as progress:
            outcomes = collect(settings, store=store, registry=registry, progress=progress)
    outcome = RefreshOutcome(sources=outcomes)
    if not any(o.status in ("succeeded", "partial") for o in outcomes):
        console.print("[red]no source collected anything; see the messages above[/]")
        return EXIT_FAILURE
    try:
        scoring_run_id = score(settings, store=store, registry=registry)
        console.print(f"scoring run {scoring_run_id} recorded")
        _summary(store, console)
    except ImportError as exc:
        console.print(f"[yellow]scoring is not available yet: {exc}[/]")
    failures = sum(o.failures for o in outcomes)
    if failures:
        console.print(
            f"{failures} artifact(s) failed on purpose (renamed, gated, empty, legal holds in the "
            "synthetic world): see Data health"
        )
    if not dashboard:
        return EXIT_OK if outcome.exit_code in (EXIT_OK, 3) else outcome.exit_code
    from dashboard.launch import launch

    console.print(f"dashboard: http://127.0.0.1:{port}  (Ctrl-C stops)")
    return launch(settings.database_url, port=port)
