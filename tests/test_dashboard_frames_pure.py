"""The dashboard's frames stay pure: no Streamlit, no settings (no environment), no SQL driver.

`dashboard/data.py` is the one place that caches, reads the settings and opens the store; the
frames only turn what it hands them into tables, so tests can call them on any store.
"""

from __future__ import annotations

from pathlib import Path

from tests.test_layers import ROOT, imported_modules

FORBIDDEN = ("streamlit", "ossimpact.settings", "sqlalchemy", "dashboard.data")


def impure_imports(folder: Path, root: Path = ROOT) -> list[str]:
    found = []
    for path in sorted(folder.rglob("*.py")):
        for line, module in sorted(imported_modules(path, root)):
            if any(module == bad or module.startswith(bad + ".") for bad in FORBIDDEN):
                found.append(f"{path.relative_to(root).as_posix()}:{line} imports {module}")
    return found


def test_frames_import_no_streamlit_settings_or_sql() -> None:
    assert impure_imports(ROOT / "dashboard" / "frames") == []


def test_the_check_sees_an_impure_import(tmp_path: Path) -> None:
    (tmp_path / "dashboard" / "frames").mkdir(parents=True)
    (tmp_path / "dashboard" / "frames" / "probe.py").write_text(
        "import pandas as pd\ndef f():\n    from ossimpact.settings import load_settings\n"
        "import streamlit as st\n",
        encoding="utf-8",
    )
    assert impure_imports(tmp_path / "dashboard" / "frames", tmp_path) == [
        "dashboard/frames/probe.py:3 imports ossimpact.settings",
        "dashboard/frames/probe.py:4 imports streamlit",
    ]
