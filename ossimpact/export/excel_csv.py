"""CSV for Excel: UTF-8 with BOM, RFC 4180 quoting, formula injection neutralised.

Product names, descriptions and notes come from the platforms and from people, so every text cell
is hostile: a cell starting with = + - @ tab CR LF or NUL would run as a formula in a spreadsheet
(OWASP "CSV Injection", ASVS 5.0 1.2.10, CWE-1236). Such a cell gets a leading apostrophe. Only
text cells are touched: a negative score stays a number.
"""

from __future__ import annotations

import csv

import pandas as pd
from pandas.api.types import is_bool_dtype, is_numeric_dtype

FORMULA_TRIGGERS = frozenset("=+-@\t\r\n\0")
BOM = "\ufeff".encode()


def neutralise_cell(text: str) -> str:
    """`text` with a leading `'` when a spreadsheet would read it as a formula."""
    return "'" + text if text and text[0] in FORMULA_TRIGGERS else text


def _text_for_excel(column: pd.Series) -> pd.Series:
    if is_bool_dtype(column):
        # Lowercase like the rest of the project's outputs (and JSON); Excel shows TRUE/FALSE.
        return column.map(lambda value: "" if pd.isna(value) else str(bool(value)).lower())
    if is_numeric_dtype(column):
        return column
    return column.map(lambda value: value if pd.isna(value) else neutralise_cell(str(value)))


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as Excel-safe CSV bytes: BOM, one header row, CRLF lines, quoted where needed.

    Missing values become empty cells (never 0). Header names are neutralised like any text.
    """
    safe = frame.copy()
    for name in safe.columns:
        safe[name] = _text_for_excel(safe[name])
    safe.columns = pd.Index([neutralise_cell(str(name)) for name in safe.columns])
    text = safe.to_csv(index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n", na_rep="")
    return BOM + text.encode("utf-8")
