"""The dashboard opens a store on a read-only mount (SQLite cannot create the WAL index there).

Simulated with an immutable directory (`chattr +i`, root only): nothing can be created in it,
as on a read-only filesystem. The read-only open used to fail with "unable to open database file".
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.frames.snapshot import load_snapshot
from ossimpact.store import open_store
from tests.test_export_rows import _fill


@pytest.fixture
def frozen_directory(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "mount"
    folder.mkdir()
    store = open_store(f"sqlite:///{folder / 'ossimpact.db'}")
    _fill(store)
    store.close()
    made = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, check=False)
    if made.returncode != 0:
        pytest.skip("chattr +i is not possible here")
    try:
        yield folder
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=False)


def test_a_store_on_a_read_only_place_opens_read_only(frozen_directory: Path) -> None:
    store = open_store(f"sqlite:///{frozen_directory / 'ossimpact.db'}", read_only=True)
    assert {row.product_id for row in store.scores()} >= {"internlm"}
    assert load_snapshot(store).scoring_run["id"] == store.official_scoring_run_id()
    store.close()


def test_a_read_only_store_in_a_writable_place_still_sees_new_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ossimpact.db'}"
    writer = open_store(url)
    reader = open_store(url, read_only=True)
    assert reader.runs(10) == []
    writer.finish_run(writer.start_run("collect", "github"), "succeeded")
    assert len(reader.runs(10)) == 1  # not opened as immutable: a live store stays live
    reader.close()
    writer.close()
