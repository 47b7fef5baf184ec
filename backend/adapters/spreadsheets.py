"""Reading uploaded spreadsheets (.xlsx, .csv) into rows of cells, within size and row limits."""

from __future__ import annotations

import codecs
import csv
import io
import warnings
from decimal import Decimal
from pathlib import PurePath

from openpyxl import Workbook, load_workbook
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


def write_xlsx(rows: list[list[str]], title: str) -> bytes:
    """A one-sheet workbook holding the rows, the first one in bold as the header."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for position, header in enumerate(rows[0] if rows else [], start=1):
        sheet.cell(row=1, column=position).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(position)].width = max(12, len(header) * 1.6)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
