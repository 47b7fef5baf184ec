"""Reading a bank statement file of any accepted kind: the reader chosen by the file's name and content."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePath

from backend.adapters.statements.camt import read_camt053
from backend.adapters.statements.mt940 import read_mt940
from backend.adapters.statements.tables import (
    ACCEPTED_TYPES,
    OLD_EXCEL,
    OLE_MAGIC,
    check_size,
    csv_rows,
    xlsx_rows,
)
from backend.banking.domain.headers import Row, detect_profile
from backend.banking.domain.profiles import BankProfile
from backend.banking.domain.tables import read_table
from backend.banking.domain.values import ParsedStatement, refuse
from backend.core.domain.errors import N_, UnsupportedMediaType

MT940_TYPES = (".sta", ".mt940", ".940")
_MT940_START = re.compile(rb"(?m)^(?::20:|\{1:)")
_SNIFF_BYTES = 4096

NOT_ACCEPTED = N_("Files of this type cannot be read as a bank statement; accepted: %(accepted)s.")
UNKNOWN_PROFILE = N_("There is no bank profile %(code)s; known: %(accepted)s.")


def read_statement(
    data: bytes, filename: str, profiles: Sequence[BankProfile], profile_code: str | None = None
) -> ParsedStatement:
    """The statement in a file: a bank's CSV or XLSX table (read with `profile_code`, else the profile its
    header fits best), MT940 or camt.053; refused naming the line of every problem."""
    check_size(data)
    kind = _kind(data, filename)
    if kind == "mt940":
        return read_mt940(data)
    if kind == "camt053":
        return read_camt053(data)
    rows = xlsx_rows(data) if kind == "xlsx" else csv_rows(data)
    return read_table(rows, _profile(rows, profiles, profile_code), file_format=kind)


def _kind(data: bytes, filename: str) -> str:
    """ "csv", "xlsx", "mt940" or "camt053", by what the file starts with, else by its extension."""
    suffix = PurePath(filename or "").suffix.lower()
    head = data[:_SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(OLE_MAGIC) or suffix == ".xls":
        raise UnsupportedMediaType(OLD_EXCEL, accepted=", ".join(ACCEPTED_TYPES))
    if suffix not in ACCEPTED_TYPES:
        raise UnsupportedMediaType(NOT_ACCEPTED, accepted=", ".join(ACCEPTED_TYPES))
    if head.startswith(b"PK\x03\x04") or suffix == ".xlsx":
        return "xlsx"
    if suffix in MT940_TYPES or _MT940_START.search(head):
        return "mt940"
    if suffix == ".xml" or head.startswith(b"<"):
        return "camt053"
    return "csv"


def _profile(rows: Sequence[Row], profiles: Sequence[BankProfile], code: str | None) -> BankProfile:
    if code is None:
        return detect_profile(rows, profiles)
    found = next((profile for profile in profiles if profile.code.casefold() == code.casefold()), None)
    if found is None:
        accepted = ", ".join(profile.code for profile in profiles)
        raise refuse(None, None, UNKNOWN_PROFILE, code=code, accepted=accepted)
    return found
