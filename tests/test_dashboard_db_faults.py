"""The dashboard says in its own words that it cannot read the database (no traceback box)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (bytes(range(256)) * 16, "file is not a database"),
        (None, "no SQLite database"),
    ],
    ids=["random bytes", "missing file"],
)
def test_an_unreadable_database_is_one_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes | None, expected: str
) -> None:
    database = tmp_path / "ossimpact.db"
    if content is not None:
        database.write_bytes(content)
    monkeypatch.setenv("OSSIMPACT_DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.delenv("OSSIMPACT_DASHBOARD_PASSWORD", raising=False)
    at = AppTest.from_file("../dashboard/app.py", default_timeout=30).run()
    assert not at.exception, at.exception
    assert at.error
    assert "无法读取数据库" in at.error[0].value
    assert expected in at.error[0].value.replace("\\", "")
