"""Writing an export to disk atomically: the file appears whole or not at all."""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from pathlib import Path
from typing import Literal

import pandas as pd

from ossimpact.export.errors import ExportError
from ossimpact.export.excel_csv import csv_bytes

ExportFormat = Literal["csv", "parquet"]
EXPORT_FORMATS: tuple[str, ...] = ("csv", "parquet")


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as Parquet (pyarrow, typed columns, no index), readable by DuckDB and pandas."""
    buffer = io.BytesIO()
    frame.to_parquet(buffer, engine="pyarrow", index=False)
    return buffer.getvalue()


def _encode(frame: pd.DataFrame, fmt: str) -> bytes:
    if fmt == "csv":
        return csv_bytes(frame)
    if fmt == "parquet":
        try:
            return parquet_bytes(frame)
        except (ValueError, TypeError, ImportError) as error:
            raise ExportError(f"could not encode the export as Parquet: {error}") from error
    raise ExportError(
        f"unknown export format {fmt!r} (expected one of {', '.join(EXPORT_FORMATS)})"
    )


def write_export(frame: pd.DataFrame, output: Path, fmt: ExportFormat) -> None:
    """Write `frame` to `output` as CSV or Parquet, atomically.

    The bytes go to a temporary file in the same directory, then replace `output` in one rename,
    so a reader never sees half a file and a failure leaves neither a partial file nor the
    temporary one (an existing `output` stays as it was).
    """
    output = Path(output)
    directory = output.parent
    if output.is_dir():
        raise ExportError(f"cannot write the export to {output}: it is a directory")
    if not directory.is_dir():
        raise ExportError(f"cannot write the export to {output}: no directory {directory}")
    try:
        handle, temp_name = tempfile.mkstemp(
            dir=directory, prefix=f".{output.name}.", suffix=".tmp"
        )
    except OSError as error:
        raise ExportError(f"cannot write the export to {output}: {error.strerror}") from error
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(_encode(frame, fmt))
            stream.flush()
            os.fsync(stream.fileno())
        # mkstemp makes the file private; an export is meant to be shared like any other file.
        temp.chmod(0o644)
        temp.replace(output)
    except OSError as error:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise ExportError(f"cannot write the export to {output}: {error.strerror}") from error
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
