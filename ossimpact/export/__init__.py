"""Ranking, shortlist, members and observation exports: Excel-safe CSV and typed Parquet.

One implementation serves `ossimpact export` and the dashboard's download button.
"""

from __future__ import annotations

from ossimpact.export.columns import EXPORT_COLUMNS_BASE
from ossimpact.export.errors import ExportError
from ossimpact.export.excel_csv import csv_bytes
from ossimpact.export.files import write_export
from ossimpact.export.members import MEMBER_COLUMNS, members_of_run, members_rows
from ossimpact.export.observations import observations_frame
from ossimpact.export.rows import (
    choose_scoring_run,
    export_rows,
    picked_rows,
    shortlist_csv_bytes,
)

__all__ = [
    "EXPORT_COLUMNS_BASE",
    "MEMBER_COLUMNS",
    "ExportError",
    "choose_scoring_run",
    "csv_bytes",
    "export_rows",
    "members_of_run",
    "members_rows",
    "observations_frame",
    "picked_rows",
    "shortlist_csv_bytes",
    "write_export",
]
