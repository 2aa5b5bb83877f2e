"""`export -o` onto what is already at the path: a FIFO, a symlink, /dev/full, a private file.

The export used to rename a temporary file over any target, turning a device node, a FIFO or a
symlink into a regular file (as root, `-o /dev/null` replaced the machine's /dev/null), reporting
"wrote N rows" for /dev/full and resetting a 600 file to 644.
"""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from ossimpact.cli import app
from ossimpact.export import ExportError, write_export
from tests.test_export_cli import database  # noqa: F401  (fixture)

runner = CliRunner()


def _reader(fifo: Path, received: list[bytes]) -> threading.Thread:
    """Reads the FIFO on a daemon thread: if the export never opens it, the test fails, not hangs."""
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    return reader


FRAME = pd.DataFrame({"product_id": ["internlm", "qwen"], "total": [0.9, 0.8]})


def test_a_fifo_is_written_through_and_stays_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = _reader(fifo, received)
    write_export(FRAME, fifo, "csv")
    reader.join(timeout=10)
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert b"internlm" in received[0]
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]


def test_a_symlink_is_followed_and_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_text("old")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    write_export(FRAME, link, "csv")
    assert link.is_symlink()
    assert os.readlink(link) == str(real)
    assert b"internlm" in real.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.csv", "real.csv"]


def test_a_dangling_symlink_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "link.csv"
    link.symlink_to(tmp_path / "later.csv")
    write_export(FRAME, link, "csv")
    assert link.is_symlink()
    assert b"qwen" in (tmp_path / "later.csv").read_bytes()


def test_a_private_file_keeps_its_mode(tmp_path: Path) -> None:
    out = tmp_path / "private.csv"
    out.write_text("old")
    out.chmod(0o600)
    write_export(FRAME, out, "csv")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert b"internlm" in out.read_bytes()


def test_a_new_file_follows_the_umask(tmp_path: Path) -> None:
    previous = os.umask(0o027)
    try:
        write_export(FRAME, tmp_path / "new.csv", "csv")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "new.csv").stat().st_mode) == 0o640


@pytest.fixture
def dev_full(tmp_path: Path) -> Path:
    """A private twin of /dev/full (same device numbers) in the test's directory.

    Never the machine's own: code with the old bug would replace the node it is given with a
    regular file (as root), and this machine's /dev/full must survive a failing test.
    """
    node = tmp_path / "full"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 7))
        with open(node, "wb", buffering=0) as probe:
            probe.write(b"x")
    except PermissionError:
        pytest.skip("cannot make a device node here (not root, or a nodev mount)")
    except OSError:
        return node  # ENOSPC: it behaves like /dev/full
    pytest.skip("the device node accepted a write: not a /dev/full twin")


def test_a_full_device_reports_the_write_error(dev_full: Path) -> None:
    with pytest.raises(ExportError, match="No space left"):
        write_export(FRAME, dev_full, "csv")
    assert stat.S_ISCHR(dev_full.lstat().st_mode)


def test_cli_export_to_a_full_device_exits_2_without_claiming_rows(
    database: str,  # noqa: F811
    dev_full: Path,
) -> None:
    result = runner.invoke(app, ["export", "--output", str(dev_full)])
    assert result.exit_code == 2, result.output
    assert "wrote" not in result.output
    assert "No space left" in " ".join(result.output.split())


def test_cli_export_through_a_fifo(database: str, tmp_path: Path) -> None:  # noqa: F811
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = _reader(fifo, received)
    result = runner.invoke(app, ["export", "--output", str(fifo)])
    reader.join(timeout=10)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert received
    assert received[0].startswith(b"\xef\xbb\xbfrank,")
