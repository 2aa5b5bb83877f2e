"""Writing an export to disk: a regular file appears whole or not at all; anything else is left
what it is.

A regular file (new or existing) is written to a temporary file beside it and renamed over it in
one step, keeping the mode an existing file had. A character device or a FIFO (`-o /dev/stdout`,
a pipe to another program) is written through: renaming over it would replace the device node
itself. A symlink is followed, so the file it points at is written and the link stays a link.
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
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


def _fail(output: Path, error: OSError) -> ExportError:
    reason = error.strerror or str(error)
    return ExportError(f"cannot write the export to {output}: {reason}")


def write_export(frame: pd.DataFrame, output: Path, fmt: ExportFormat) -> None:
    """Write `frame` to `output` as CSV or Parquet.

    The bytes are encoded before anything on disk is touched. A regular file is replaced in one
    rename (a failure leaves the old file as it was and no temporary file); a character device
    or FIFO is written to in place, and a write error (a full disk, /dev/full) is reported.
    """
    output = Path(output)
    data = _encode(frame, fmt)
    # Follow a symlink (chains too) to the file it names: the link itself must survive.
    target = output.resolve() if output.is_symlink() else output
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as error:
        raise _fail(output, error) from error
    if mode is not None and stat.S_ISDIR(mode):
        raise ExportError(f"cannot write the export to {output}: it is a directory")
    if mode is not None and (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):
        _write_through(target, output, data)
        return
    if mode is not None and not stat.S_ISREG(mode):
        raise ExportError(
            f"cannot write the export to {output}: not a regular file, a character device or a FIFO"
        )
    _replace_atomically(target, output, data, None if mode is None else stat.S_IMODE(mode))


def _write_through(target: Path, output: Path, data: bytes) -> None:
    try:
        with open(target, "wb", buffering=0) as stream:
            view = memoryview(data)
            while view:
                written = stream.write(view)
                if not written:
                    raise OSError(0, "the device accepted no more bytes")
                view = view[written:]
    except OSError as error:
        raise _fail(output, error) from error


def _new_file_mode() -> int:
    # What open() would give a new file: 0o666 less the umask (read without changing it for good).
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _replace_atomically(target: Path, output: Path, data: bytes, mode: int | None) -> None:
    directory = target.parent
    if not directory.is_dir():
        raise ExportError(f"cannot write the export to {output}: no directory {directory}")
    try:
        handle, temp_name = tempfile.mkstemp(
            dir=directory, prefix=f".{target.name}.", suffix=".tmp"
        )
    except OSError as error:
        raise _fail(output, error) from error
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        # mkstemp makes the file private: an existing file keeps its mode (a 600 export stays
        # private), a new one gets the mode any other new file would.
        temp.chmod(_new_file_mode() if mode is None else mode)
        temp.replace(target)
    except OSError as error:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise _fail(output, error) from error
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
