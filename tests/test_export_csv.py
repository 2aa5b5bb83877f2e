"""The Excel-safe CSV and the atomic file writer, byte for byte."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pandas as pd
import pytest

from ossimpact.export import ExportError, csv_bytes, write_export
from ossimpact.export.excel_csv import neutralise_cell

BOM = b"\xef\xbb\xbf"


def _frame(**columns: list[object]) -> pd.DataFrame:
    return pd.DataFrame(columns)


def test_bom_header_and_crlf_lines() -> None:
    data = csv_bytes(_frame(rank=[1, 2], product_name=["a", "b"]))
    assert data == BOM + b"rank,product_name\r\n1,a\r\n2,b\r\n"


def test_rfc4180_quoting_of_commas_quotes_and_newlines() -> None:
    data = csv_bytes(_frame(product_name=["a,b", 'say "hi"', "two\nlines"]))
    assert data == BOM + b'product_name\r\n"a,b"\r\n"say ""hi"""\r\n"two\nlines"\r\n'


@pytest.mark.parametrize(
    ("hostile", "expected"),
    [
        ('=HYPERLINK("http://x")', b'"\'=HYPERLINK(""http://x"")"'),
        ("+1", b"'+1"),
        ("-cmd", b"'-cmd"),
        ("@SUM(A1:A2)", b"'@SUM(A1:A2)"),
        ("\tleading tab", b"'\tleading tab"),
        ("\rcarriage", b'"\'\rcarriage"'),
        ("\nnewline", b'"\'\nnewline"'),
        ("\0nul", b"'\0nul"),
    ],
)
def test_formula_injection_is_neutralised(hostile: str, expected: bytes) -> None:
    data = csv_bytes(_frame(note=[hostile]))
    assert data == BOM + b"note\r\n" + expected + b"\r\n"


def test_harmless_text_is_untouched() -> None:
    for text in ["InternLM", "a=b", "1-2", "", "'quoted"]:
        assert neutralise_cell(text) == text


def test_numbers_stay_numbers_even_negative() -> None:
    frame = _frame(score=[-0.25, 1.5], rank=[1, 2], product_name=["-0.25", "x"])
    data = csv_bytes(frame)
    assert data == BOM + b"score,rank,product_name\r\n-0.25,1,'-0.25\r\n1.5,2,x\r\n"
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert back["score"].tolist() == [-0.25, 1.5]


def test_unknown_is_an_empty_cell_never_zero() -> None:
    frame = pd.DataFrame(
        {
            "stars": pd.array([12, None], dtype="Int64"),
            "benchmark_score": pd.array([None, 0.5], dtype="Float64"),
            "note": [None, "ok"],
        }
    )
    assert csv_bytes(frame) == BOM + b"stars,benchmark_score,note\r\n12,,\r\n,0.5,ok\r\n"


def test_booleans_are_true_false() -> None:
    assert csv_bytes(_frame(synthetic=[True, False])) == BOM + b"synthetic\r\ntrue\r\nfalse\r\n"


def test_chinese_names_round_trip_through_excel_encoding() -> None:
    frame = _frame(product_name=["书生·浦语", "上海人工智能实验室", "=张三"])
    data = csv_bytes(frame)
    assert "书生·浦语".encode() in data
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert list(back.columns) == ["product_name"]
    assert back["product_name"].tolist() == ["书生·浦语", "上海人工智能实验室", "'=张三"]


def test_hostile_header_is_neutralised() -> None:
    assert csv_bytes(pd.DataFrame({"=x": [1]})) == BOM + b"'=x\r\n1\r\n"


def test_write_csv_atomically_and_replace(tmp_path: Path) -> None:
    target = tmp_path / "shortlist.csv"
    target.write_bytes(b"old")
    write_export(_frame(rank=[1]), target, "csv")
    assert target.read_bytes() == BOM + b"rank\r\n1\r\n"
    assert os.listdir(tmp_path) == ["shortlist.csv"]


def test_failure_mid_write_leaves_no_file_and_no_temp(tmp_path: Path) -> None:
    # A column pyarrow cannot type fails after the temporary file exists.
    bad = pd.DataFrame({"mixed": pd.Series([1, "one"], dtype=object)})
    target = tmp_path / "out.parquet"
    with pytest.raises(ExportError, match="Parquet"):
        write_export(bad, target, "parquet")
    assert os.listdir(tmp_path) == []


def test_failure_keeps_the_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "out.parquet"
    target.write_bytes(b"previous export")
    bad = pd.DataFrame({"mixed": pd.Series([1, "one"], dtype=object)})
    with pytest.raises(ExportError):
        write_export(bad, target, "parquet")
    assert target.read_bytes() == b"previous export"
    assert os.listdir(tmp_path) == ["out.parquet"]


def test_unwritable_directory_is_an_export_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    # root ignores directory permissions; /proc refuses new files to everyone.
    directory = Path("/proc") if os.geteuid() == 0 else locked
    try:
        with pytest.raises(ExportError, match="cannot write the export"):
            write_export(_frame(rank=[1]), directory / "x.csv", "csv")
    finally:
        locked.chmod(0o700)
    assert os.listdir(locked) == []


def test_missing_directory_is_an_export_error(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="no directory"):
        write_export(_frame(rank=[1]), tmp_path / "nope" / "x.csv", "csv")


def test_directory_as_output_is_an_export_error(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="is a directory"):
        write_export(_frame(rank=[1]), tmp_path, "csv")


def test_unknown_format_is_an_export_error(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="unknown export format"):
        write_export(_frame(rank=[1]), tmp_path / "x.xlsx", "xlsx")  # type: ignore[arg-type]
    assert os.listdir(tmp_path) == []
