"""Records (dataclasses, or mappings) as frames with fixed columns."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd


def field_of(record: object, name: str) -> Any:
    """A record's field, None when it has none (a mapping's key or an object's attribute)."""
    if isinstance(record, Mapping):
        return record.get(name)
    return getattr(record, name, None)


def records_frame(items: Iterable[object], columns: Sequence[str]) -> pd.DataFrame:
    """One row per record, one column per name (missing fields empty), even with no records."""
    rows = [{column: getattr(item, column, None) for column in columns} for item in items]
    return pd.DataFrame(rows, columns=list(columns))
