"""Spreadsheets: reading uploads (.xlsx, .csv) into rows within size and row limits; writing tables."""

from __future__ import annotations

import codecs
import csv
import io
import warnings
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from backend.core.domain.errors import N_, DomainError, ValidationFailed

ACCEPTED_TYPES = (".xlsx", ".csv")
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 5000

Row = list[object]


class FileTooLarge(DomainError):
    """An upload over the size or row limit."""

    status = 413


class UnsupportedFileType(DomainError):
    """An upload that is neither a workbook nor a CSV file."""

    status = 415


def read_table(data: bytes, filename: str, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS) -> list[Row]:
    """The rows of the file's first sheet, header first; blank rows dropped."""
    suffix = PurePath(filename or "").suffix.lower()
    if suffix not in ACCEPTED_TYPES:
        raise UnsupportedFileType(
            N_("Files of this type cannot be imported; accepted: %(accepted)s."),
            accepted=", ".join(ACCEPTED_TYPES),
        )
    if len(data) > max_bytes:
        raise FileTooLarge(
            N_("The file is larger than %(limit)s MB."), limit=round(max_bytes / 1024 / 1024, 1)
        )
    rows = _xlsx_rows(data, max_rows) if suffix == ".xlsx" else _csv_rows(data, max_rows)
    if not rows:
        raise ValidationFailed.single("file", N_("The file is empty: it has no header row."))
    return rows


def _too_many(max_rows: int) -> FileTooLarge:
    return FileTooLarge(N_("The file has more than %(limit)s rows; split it."), limit=max_rows)


def _kept(cells: Row, rows: list[Row], max_rows: int) -> None:
    """Append a row unless blank; refuse more rows than allowed (the header counts as one)."""
    if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells):
        return
    if len(rows) > max_rows:
        raise _too_many(max_rows)
    rows.append(cells)


def _cell_value(cell: object) -> object:
    """A cell's value; numbers formatted as a percentage come as text with a % sign (0.05 → "5%")."""
    value = getattr(cell, "value", None)
    number_format = getattr(cell, "number_format", "") or ""
    if isinstance(value, int | float) and not isinstance(value, bool) and "%" in number_format:
        return f"{Decimal(repr(value)) * 100}%"
    return value


def _xlsx_rows(data: bytes, max_rows: int) -> list[Row]:
    rows: list[Row] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it ignores
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = workbook.worksheets[0]
                for cells in sheet.iter_rows():
                    _kept([_cell_value(cell) for cell in cells], rows, max_rows)
            finally:
                workbook.close()
    except FileTooLarge:
        raise
    except Exception:  # a damaged or foreign file fails in many ways inside zipfile and lxml
        raise ValidationFailed.single("file", N_("This is not a readable .xlsx workbook.")) from None
    return rows


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without a BOM), else GB18030, which covers GBK files saved by Chinese Excel."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationFailed.single("file", N_("The text is neither UTF-8 nor GBK; save the CSV as UTF-8."))


def _csv_rows(data: bytes, max_rows: int) -> list[Row]:
    rows: list[Row] = []
    try:
        for cells in csv.reader(io.StringIO(decode_text(data), newline="")):
            _kept(list(cells), rows, max_rows)
    except csv.Error:
        raise ValidationFailed.single("file", N_("This is not a readable CSV file.")) from None
    return rows


def write_xlsx(
    rows: Sequence[Sequence[object]], title: str, number_formats: Mapping[int, str] | None = None
) -> bytes:
    """A one-sheet workbook holding the rows, the first one in bold as the header, frozen.

    Written in openpyxl's streaming mode, so large tables stay small in memory; `number_formats` gives the
    display format of columns (by position from 0), e.g. "#,##0.00". Text starting with "=" stays text.
    """
    formats = dict(number_formats or {})
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    header = list(rows[0]) if rows else []
    for position, name in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = max(12, len(str(name)) * 1.6)
    if header:
        sheet.freeze_panes = "A2"
    for index, row in enumerate(rows):
        sheet.append(
            [_xlsx_cell(sheet, value, index == 0, formats.get(column)) for column, value in enumerate(row)]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(sheet: Any, value: object, bold: bool, number_format: str | None) -> object:
    formula_like = isinstance(value, str) and value.startswith("=")
    if not (bold or number_format or formula_like or isinstance(value, date)):
        return value
    cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]  # the stubs leave out date and Decimal
    if formula_like:
        cell.data_type = "s"
    if bold:
        cell.font = Font(bold=True)
    if isinstance(value, date) and not isinstance(value, datetime):
        cell.number_format = "yyyy-mm-dd"
    if number_format and not bold:
        cell.number_format = number_format
    return cell


# A cell starting with one of these is read as a formula by spreadsheet programs.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def write_csv(rows: Iterable[Sequence[object]]) -> bytes:
    """The rows as CSV in UTF-8 with a byte order mark (so that Excel reads Chinese right); dates in ISO
    form, empty cells for None, text that would read as a formula prefixed with an apostrophe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return "'" + value if value.startswith(_FORMULA_STARTS) else value
    return str(value)
