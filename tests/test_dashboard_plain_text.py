"""Defect 10: what people and platforms wrote is shown as text, never rendered as Markdown.

A shortlist "saved by" of `![x](http://host/p.png)` used to plant an image that every other
member's browser fetched when the shortlist was loaded.
"""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from ossimpact.store import open_store
from tests.fixtures.dashboard_store import dashboard_store_url

__all__ = ["dashboard_store_url"]

IMAGE = "![x](http://host.invalid/p.png)"
# Markdown an image would be made of, not escaped by a backslash.
_LIVE_IMAGE = re.compile(r"(?<!\\)!(?<!\\)\[[^\]]*(?<!\\)\]\(")


@pytest.fixture
def app_env(dashboard_store_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("OSSIMPACT_DATABASE_URL", dashboard_store_url)
    monkeypatch.delenv("OSSIMPACT_DASHBOARD_PASSWORD", raising=False)
    return dashboard_store_url


def test_a_hostile_saved_by_is_shown_as_text(app_env: str) -> None:
    store = open_store(app_env)
    store.save_shortlist("planted", IMAGE, [("internlm3", "fine")])
    store.close()
    at = AppTest.from_file("../dashboard/app.py", default_timeout=30).run()
    at.switch_page("sections/shortlist.py").run()
    at.selectbox(key="shortlist_load_name").set_value("planted").run()
    at.button(key="shortlist_load").click().run()
    assert not at.exception
    captions = [str(c.value) for c in at.caption]
    shown = [c for c in captions if "x" in c and "host" in c]
    assert shown, captions
    assert not any(_LIVE_IMAGE.search(c) for c in shown), shown


def test_a_hostile_shortlist_name_is_shown_as_text(app_env: str) -> None:
    at = AppTest.from_file("../dashboard/app.py", default_timeout=30).run()
    at.switch_page("sections/shortlist.py").run()
    at.multiselect(key="shortlist_pick").set_value(["internlm3"]).run()
    at.text_input(key="shortlist_name").input(IMAGE)
    at.text_input(key="shortlist_who").input("someone")
    next(b for b in at.button if b.label == "保存").click().run()
    assert not at.exception
    assert at.success
    assert not _LIVE_IMAGE.search(str(at.success[0].value)), at.success[0].value
