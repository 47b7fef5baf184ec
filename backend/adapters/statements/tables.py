"""Statement tables from files: CSV text in the encodings banks use, and .xlsx workbooks, as numbered rows."""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
import zipfile
from collections import Counter

from openpyxl import load_workbook

from backend.banking.domain.values import refuse
from backend.core.domain.errors import N_, PayloadTooLarge, UnsupportedMediaType

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
MAX_COLUMNS = 200
# What a workbook may unpack to: a 20 MB zip of repeated cells can otherwise fill the memory.
MAX_UNPACKED_BYTES = 400 * 1024 * 1024
DELIMITERS = (",", "\t", ";")
SNIFF_LINES = 100
ACCEPTED_TYPES = (".csv", ".txt", ".xlsx", ".sta", ".mt940", ".940", ".xml")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls (and .doc) container

TOO_LARGE = N_("The statement file is larger than %(limit)s MB.")
TOO_MANY_ROWS = N_("The statement file has more than %(limit)s rows; export a shorter period.")
UNDECODABLE = N_(
    "Line %(line)s: the byte %(byte)s at offset %(offset)s is neither UTF-8 nor GBK/GB18030 text; "
    "save the file as UTF-8 or GBK."
)
NOT_CSV = N_("Line %(line)s: the CSV text cannot be read; a quoted cell may not be closed.")
NOT_XLSX = N_("This is not a readable .xlsx workbook.")
OLD_EXCEL = N_(
    "Old Excel .xls workbooks cannot be read; save the file as .xlsx or CSV (accepted: %(accepted)s)."
)

Row = tuple[int, list[object]]

_EXCEL_TEXT = re.compile(r'^="(.*)"$', re.DOTALL)


def check_size(data: bytes) -> None:
    """Refuse a file over the size limit."""
    if len(data) > MAX_BYTES:
        raise PayloadTooLarge(TOO_LARGE, limit=MAX_BYTES // 1024 // 1024)


def too_many_rows() -> PayloadTooLarge:
    """The refusal of a file over the row limit."""
    return PayloadTooLarge(TOO_MANY_ROWS, limit=MAX_ROWS)


def decode_text(data: bytes) -> str:
    """Text as banks save it: UTF-8 with or without a BOM, else GB18030 (covering GBK); UTF-16 by its BOM."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    failed_at = []
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as error:
            failed_at.append(error.start)
    # The encoding that read further is the file's; its first failure is the byte to name.
    offset = max(failed_at)
    line = data.count(b"\n", 0, offset) + 1
    raise refuse(line, None, UNDECODABLE, byte=f"0x{data[offset]:02X}", offset=offset)


def csv_rows(data: bytes) -> list[Row]:
    """The non-blank rows of a CSV export, numbered by the line they start on; comma, tab or semicolon."""
    check_size(data)
    text = decode_text(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows: list[Row] = []
    start = 1
    try:
        for count, cells in enumerate(reader, start=1):
            line_no, start = start, reader.line_num + 1
            if count > MAX_ROWS:
                raise too_many_rows()
            kept: list[object] = [_text_cell(cell) for cell in cells[:MAX_COLUMNS]]
            if any(kept):
                rows.append((line_no, kept))
    except csv.Error:
        raise refuse(reader.line_num, None, NOT_CSV) from None
    return rows


def _delimiter(text: str) -> str:
    """The separator that splits the most lines into the same number of cells, weighted by that number.

    Weighting matters: in a tab-separated file, amounts such as 12,345.60 split into two or three "cells" by
    comma on many lines, but into a full table row by tab.
    """
    sample = "\n".join(text.splitlines()[:SNIFF_LINES])
    best, best_score = DELIMITERS[0], 0
    for delimiter in DELIMITERS:
        try:
            widths = Counter(len(row) for row in csv.reader(io.StringIO(sample), delimiter=delimiter))
        except csv.Error:
            continue
        score = max((lines * (width - 1) for width, lines in widths.items()), default=0)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _text_cell(cell: str) -> str:
    """A cell without the ="0123" Excel quoting banks use to keep long numbers as text."""
    cell = cell.strip()
    match = _EXCEL_TEXT.match(cell)
    return match.group(1).replace('""', '"').strip() if match else cell


def xlsx_rows(data: bytes) -> list[Row]:
    """The non-blank rows of a workbook's first sheet, numbered as Excel shows them."""
    check_size(data)
    if data.startswith(OLE_MAGIC):
        raise UnsupportedMediaType(OLD_EXCEL, accepted=", ".join(ACCEPTED_TYPES))
    _check_unpacked_size(data)
    rows: list[Row] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it ignores
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # a damaged or foreign file fails in many ways inside zipfile and the XML parser
            raise refuse(None, None, NOT_XLSX) from None
        try:
            sheet = workbook.worksheets[0]
            cells_by_row = sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True)
            for line_no, values in enumerate(cells_by_row, start=1):
                if line_no > MAX_ROWS:
                    raise too_many_rows()
                kept: list[object] = [
                    _text_cell(value) if isinstance(value, str) else value for value in values
                ]
                if any(value is not None and value != "" for value in kept):
                    rows.append((line_no, kept))
        except PayloadTooLarge:
            raise
        except Exception:  # as above: damage shows only once the sheet is read
            raise refuse(None, None, NOT_XLSX) from None
        finally:
            workbook.close()
    return rows


def _check_unpacked_size(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise refuse(None, None, NOT_XLSX) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise PayloadTooLarge(TOO_LARGE, limit=MAX_BYTES // 1024 // 1024)
