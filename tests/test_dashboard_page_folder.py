"""The page scripts live in `dashboard/sections/`, not `dashboard/pages/`: Streamlit serves a
`pages/` folder beside the entrypoint as legacy multipage pages, and in a fresh server process a
direct link to one of them runs that page alone, without `app.py` (its login, its language, its
data checks). Checked in a fresh interpreter each time: Streamlit decides this once per process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "dashboard" / "app.py"

# First run of a fresh process, straight to a page (a link such as /product): what shows.
_FIRST_VISIT = textwrap.dedent(
    """
    import sys
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(sys.argv[1], default_timeout=60)
    at.switch_page(sys.argv[2])
    at.run()
    print("|".join([e.value for e in at.title] + [e.value for e in at.text]))
    """
)


def _first_visit(app: Path, page: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", _FIRST_VISIT, str(app), page],
        env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.strip()


def test_no_pages_folder_beside_the_entrypoint() -> None:
    assert not (APP.parent / "pages").exists()
    assert sorted(p.name for p in (APP.parent / "sections").glob("*.py"))


def test_a_direct_first_visit_to_a_page_meets_the_login(tmp_path: Path) -> None:
    shown = _first_visit(
        APP,
        "sections/product.py",
        {
            "OSSIMPACT_DASHBOARD_PASSWORD": "s3cret",
            "OSSIMPACT_DATABASE_URL": f"sqlite:///{tmp_path / 'none.db'}",
        },
    )
    assert shown.split("|")[0] == "请登录"


def test_a_pages_folder_beside_an_entrypoint_is_served_without_it(tmp_path: Path) -> None:
    """Why the folder is not called `pages/` (Streamlit 1.67: `PagesManager.uses_pages_directory`
    and `_mpa_v1`): should a Streamlit release stop doing this, this fails and the rename to
    `pages/` can be reconsidered."""
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "home.py").write_text('import streamlit as st\nst.text("home")\n')
    (tmp_path / "pages" / "secret.py").write_text('import streamlit as st\nst.text("secret")\n')
    (tmp_path / "app.py").write_text(
        "import streamlit as st\n"
        'st.text("entrypoint")\n'
        'st.navigation([st.Page("pages/home.py", default=True), st.Page("pages/secret.py")]).run()\n'
    )
    assert _first_visit(tmp_path / "app.py", "pages/secret.py", {}) == "secret"
