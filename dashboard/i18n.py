"""All on-screen texts, from one catalogue per language (`locales/zh.yaml`, `locales/en.yaml`).

Chinese is the default; the language switch is a widget bound to the `?lang=` query parameter so a
shared link keeps the reader's language.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

LANGUAGES: tuple[str, ...] = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}
LANG_KEY = "lang"

_LOCALES = Path(__file__).resolve().parent / "locales"


class CatalogueError(RuntimeError):
    """A catalogue file is missing, malformed, or lacks a key the code asks for."""


@cache
def catalogue(lang: str) -> dict[str, str]:
    """The flat {key: text} table of one language (nested YAML keys joined with dots)."""
    if lang not in LANGUAGES:
        raise CatalogueError(f"unknown language {lang!r} (expected one of {', '.join(LANGUAGES)})")
    path = _LOCALES / f"{lang}.yaml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogueError(f"cannot read the {lang} catalogue {path}: {exc}") from exc
    if not isinstance(raw, dict):
        raise CatalogueError(f"the {lang} catalogue {path} is not a mapping")
    return _flatten(raw, "")


def _flatten(node: dict[str, Any], prefix: str) -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in node.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{full}."))
        else:
            flat[full] = str(value)
    return flat


def text(key: str, lang: str, **values: object) -> str:
    """The text for `key` in `lang`, with `{name}` placeholders filled from `values`."""
    table = catalogue(lang)
    if key not in table:
        raise CatalogueError(f"the {lang} catalogue has no text for {key!r}")
    template = table[key]
    return template.format(**values) if values else template


def current_language() -> str:
    """The reader's language: the switch's value (bound to ?lang=), Chinese when unset or unknown."""
    import streamlit as st

    lang = st.session_state.get(LANG_KEY)
    if lang in LANGUAGES:
        return str(lang)
    candidate = st.query_params.get(LANG_KEY)
    return candidate if candidate in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, **values: object) -> str:
    """`text` in the reader's current language: what pages call."""
    return text(key, current_language(), **values)


def label(group: str, name: str) -> str:
    """The catalogue's name for a signal, metric, flag... or the raw name when it has none.

    Signals and metrics come from the methodology file and the collectors; a new one must show up
    under its own name rather than break the page.
    """
    return catalogue(current_language()).get(f"{group}.{name}", name)
