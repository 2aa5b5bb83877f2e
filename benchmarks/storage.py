"""P6 — SQLite bytes per artifact per daily refresh, extrapolated to a year at 10,000 artifacts.

A world at a moderate size (bytes per artifact do not depend on the size): a first refresh of the
daily sources, a second on the unchanged world, then a third after a day of changes (every 30-day
download count moves, some likes, stars and forks grow). The file is measured after a WAL
checkpoint (TRUNCATE), so the bytes are all in the main file.
"""

from __future__ import annotations

import random
from pathlib import Path

from sqlalchemy import text

from benchmarks.context import DAILY_SOURCES, BenchContext, sandbox_settings, timed_collect
from benchmarks.results import Figure
from benchmarks.traffic import Traffic
from ossimpact.sandbox.model import HfDataset, HfModel, World
from ossimpact.sandbox.runner import start_sandbox, world_for_registry
from ossimpact.store import Store, open_store

YEAR_TARGET_BYTES = 1_000_000_000
ARTIFACTS = 10_000
STORAGE_SIZE = 2_000


def database_bytes(store: Store, database: Path) -> int:
    with store.engine.connect() as connection:
        connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    total = 0
    for suffix in ("", "-wal"):
        path = Path(f"{database}{suffix}")
        if path.exists():
            total += path.stat().st_size
    return total


def advance_a_day(world: World, seed: int = 1) -> None:
    """A day of ordinary change, in place: what the next daily refresh would see."""
    rng = random.Random(seed)
    items: list[HfModel | HfDataset] = [*world.models.values(), *world.datasets.values()]
    for item in items:
        item.downloads_30d = max(0, round(item.downloads_30d * rng.uniform(0.97, 1.05)))
        item.downloads_all_time += max(0, item.downloads_30d // 30)
        if rng.random() < 0.1:
            item.likes += 1
    for repo in world.repos.values():
        if rng.random() < 0.3:
            repo.stars += rng.randint(1, 5)
        if rng.random() < 0.1:
            repo.forks += 1


def measure(ctx: BenchContext) -> list[Figure]:
    size = min(ctx.options.size, 300 if ctx.options.quick else STORAGE_SIZE)
    world = world_for_registry(ctx.registry, size=size, seed=ctx.options.seed)
    database = ctx.workdir / "storage" / "ossimpact.db"
    database.parent.mkdir(parents=True, exist_ok=True)
    traffic = Traffic()
    with start_sandbox(world) as sandbox:
        traffic.attach(sandbox)
        settings = sandbox_settings(sandbox, database.parent, database)
        store = open_store(settings.database_url)
        timed_collect(settings, store, ctx.registry, traffic, DAILY_SOURCES)
        after_first = database_bytes(store, database)
        timed_collect(settings, store, ctx.registry, traffic, DAILY_SOURCES)
        after_unchanged = database_bytes(store, database)
        advance_a_day(world)
        for server in sandbox.servers.values():
            server.reload()
        timed_collect(settings, store, ctx.registry, traffic, DAILY_SOURCES)
        after_changed = database_bytes(store, database)
        tracked = len(store.artifacts(tracked_only=True))
        store.engine.dispose()
    unchanged = (after_unchanged - after_first) / tracked
    changed = (after_changed - after_unchanged) / tracked
    year = changed * ARTIFACTS * 365
    details = {
        "world_size": size,
        "tracked_artifacts": tracked,
        "bytes_after_first": after_first,
        "bytes_after_unchanged": after_unchanged,
        "bytes_after_changed": after_changed,
        "bytes_per_artifact_first": after_first / tracked,
        "bytes_per_artifact_unchanged_refresh": unchanged,
        "bytes_per_artifact_changed_refresh": changed,
        "year_at_10000_bytes": year,
    }
    return [
        Figure(
            "P6",
            "SQLite bytes/artifact per daily refresh (a day of changes)",
            changed,
            "B",
            note=f"{tracked} tracked artifacts; unchanged refresh: {unchanged:.0f} B/artifact; "
            f"first refresh: {after_first / tracked:.0f} B/artifact",
            details=details,
        ),
        Figure(
            "P6",
            "a year of daily refreshes at 10,000 artifacts",
            year / 1e9,
            "GB",
            target="≤ 1 GB",
            met=year <= YEAR_TARGET_BYTES,
        ),
    ]
