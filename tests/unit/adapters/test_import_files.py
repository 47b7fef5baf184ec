"""Reading uploaded spreadsheets: types, encodings, limits and damaged files."""

from __future__ import annotations

import pytest

from backend.adapters.spreadsheets import FileTooLarge, UnsupportedFileType, decode_text, read_table
from backend.core.domain.errors import ValidationFailed


def test_blank_rows_are_dropped_and_the_header_comes_first() -> None:
    assert read_table(b"a,b\r\n,\r\n1,2\r\n", "x.CSV") == [["a", "b"], ["1", "2"]]


def test_text_is_utf8_with_or_without_bom_else_gbk() -> None:
    assert decode_text("\ufeff合同编号".encode()) == "合同编号"
    assert decode_text("合同编号".encode("gbk")) == "合同编号"


def test_more_rows_than_the_limit_are_refused_naming_the_limit() -> None:
    with pytest.raises(FileTooLarge, match="more than 2 rows"):
        read_table(b"h\n1\n2\n3\n", "x.csv", max_rows=2)
    assert len(read_table(b"h\n1\n2\n", "x.csv", max_rows=2)) == 3


def test_damaged_workbooks_empty_files_and_other_types_get_clear_errors() -> None:
    with pytest.raises(ValidationFailed) as damaged:
        read_table(b"PK\x03\x04 not really a zip", "x.xlsx")
    assert damaged.value.fields == {"file": ["This is not a readable .xlsx workbook."]}
    with pytest.raises(ValidationFailed, match="Invalid input"):
        read_table(b"", "x.csv")
    with pytest.raises(UnsupportedFileType):
        read_table(b"a,b", "x.xls")
    with pytest.raises(FileTooLarge):
        read_table(b"a,b", "x.csv", max_bytes=2)
