"""Shortlist and ranking exports: Excel-safe CSV and typed Parquet.

One implementation serves `ossimpact export` and the dashboard's download button.
"""

from __future__ import annotations

from ossimpact.export.columns import EXPORT_COLUMNS_BASE
from ossimpact.export.errors import ExportError
from ossimpact.export.excel_csv import csv_bytes
from ossimpact.export.files import write_export

__all__ = ["EXPORT_COLUMNS_BASE", "ExportError", "csv_bytes", "write_export"]
