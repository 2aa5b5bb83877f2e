"""No English UI text on a Chinese page: every page walked in Chinese, every visible string read.

What a page shows is read from the messages Streamlit sends the browser: titles, texts, labels,
placeholders, help, options, table headers and chart titles. Words that come from the data
(product and organisation names, ids, licences) and proper nouns are allowed; any other word of
three or more Latin letters is English UI text that reached a Chinese page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.i18n import catalogue
from ossimpact.store import open_store
from tests.fixtures.dashboard_store import dashboard_store_url
from tests.test_dashboard_app import PAGES, app_env

__all__ = ["app_env", "dashboard_store_url"]

# Fields of Streamlit's messages that a reader sees (the rest are ids, keys, data and styling).
SHOWN_FIELDS = frozenset(
    {"label", "body", "placeholder", "help", "options", "text", "caption", "value", "title"}
)
SKIPPED_ELEMENTS = frozenset({"code", "json"})  # the file as written / a share link
PROPER_NOUNS = frozenset(
    {
        "GitHub",
        "Hugging",
        "Face",
        "ModelScope",
        "OpenDataLab",
        "OpenDigger",
        "OpenCompass",
        "Spaces",
        "Language",  # the language switch says 语言 / Language on purpose
        "English",
        "UTC",
        "SPDX",
        "OpenRank",
        "Parquet",
        "CSV",
        "Excel",
        "Vega",
    }
)
WORD = re.compile(r"[A-Za-z]{3,}")
URL = re.compile(r"https?://\S+")


def _is_message(value: object) -> bool:
    return hasattr(value, "ListFields")


def _strings(message: Any, element: str) -> Iterator[str]:
    for field, value in message.ListFields():
        values = list(value) if isinstance(value, list | tuple) or _repeated(value) else [value]
        for item in values:
            if _is_message(item):
                yield from _strings(item, element)
            elif isinstance(item, str) and field.name in SHOWN_FIELDS:
                yield item
            elif isinstance(item, str) and field.name == "columns":
                # a table's column configuration: only its headers are shown
                yield from (
                    str(c["label"])
                    for c in json.loads(item or "{}").values()
                    if isinstance(c, dict) and c.get("label")
                )
            elif isinstance(item, str) and field.name == "spec":
                yield from _chart_titles(json.loads(item))


def _repeated(value: object) -> bool:
    return (
        hasattr(value, "__len__") and not isinstance(value, str | bytes) and not _is_message(value)
    )


def _chart_titles(spec: object) -> Iterator[str]:
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key == "title" and isinstance(value, str):
                yield value
            else:
                yield from _chart_titles(value)
    elif isinstance(spec, list):
        for item in spec:
            yield from _chart_titles(item)


def _shown(node: object) -> Iterator[str]:
    proto = getattr(node, "proto", None)
    kind = getattr(node, "type", "")
    if _is_message(proto) and kind not in SKIPPED_ELEMENTS:
        yield from _strings(proto, kind)
    for child in getattr(node, "children", {}).values():
        yield from _shown(child)


def _data_words(url: str) -> set[str]:
    """Words the data itself brings: names, ids, handles, licences, sources."""
    store = open_store(url, read_only=True, migrate=False)
    try:
        texts = [p.name for p in store.products()] + [p.id for p in store.products()]
        for org in store.organizations():
            texts += [org.id, org.name, *org.huggingface, *org.github, *org.evidence]
        for record in store.artifacts():
            texts += [str(record.id), record.license or "", record.pipeline_tag or ""]
    finally:
        store.close()
    return {w.casefold() for text in texts for w in WORD.findall(text)}


def _english(texts: Iterator[str], allowed: set[str]) -> set[str]:
    found: set[str] = set()
    for text in texts:
        for word in WORD.findall(URL.sub(" ", text)):
            if word not in PROPER_NOUNS and word.casefold() not in allowed:
                found.add(word)
    return found


@pytest.mark.parametrize("page", PAGES)
def test_a_chinese_page_shows_no_english_ui_text(app_env: str, page: str) -> None:
    at = AppTest.from_file("../dashboard/app.py", default_timeout=30).run()
    at.switch_page(page)
    if page.endswith("product.py"):
        at.query_params["product"] = "internlm3"
    if page.endswith("compare.py"):
        at.query_params["products"] = "internlm3,minimax-m1"
    at.run()
    assert not at.exception, at.exception
    english = _english(_shown(at._tree), _data_words(app_env))
    assert english == set(), f"English words on the Chinese {page}: {sorted(english)}"


def test_both_catalogues_have_the_same_texts_and_chinese_is_chinese() -> None:
    zh, en = catalogue("zh"), catalogue("en")
    assert sorted(set(zh) ^ set(en)) == []
    english_in_chinese = {
        key: value
        for key, value in zh.items()
        if _english(iter([value]), set()) and value == en[key]
    }
    assert english_in_chinese == {}
