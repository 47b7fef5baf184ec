"""MT940 statements (SWIFT customer statements) read with the mt-940 library, every problem named by line."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import mt940

from backend.adapters.statements.tables import MAX_ROWS, check_size, too_many_rows
from backend.banking.domain.checks import join_statements
from backend.banking.domain.values import (
    ParsedStatement,
    Problem,
    Problems,
    StatementLine,
    StatementRejected,
    refuse,
)
from backend.core.domain.errors import N_

# Every fix the library offers, among them: reversals signed like the money they move, ?31 as the account.
OPTIONS = mt940.Options.all()
_TAG = re.compile(r"^:(?P<tag>\d{2}|NS)(?P<sub>[A-Z])?:")
# The /KEY/value layout of :86: that Dutch, Belgian and Asian banks use instead of ?20…?33 sub-fields.
_KEYS = re.compile(r"/(NAME|ACCT|IBAN|BIC|REMI|EREF|CNTP|ORDP|BENM|ADDR|TRTP|PURP|CSID|MARF)/")
_CURRENCY = re.compile(r"^[A-Z]{3}$")

NOT_MT940 = N_("This is not an MT940 statement: no line starts with :20:.")
BAD_FIELD = N_("Line %(line)s: the field :%(tag)s: cannot be read.")
NO_TYPE_CODE = N_("Line %(line)s: the :61: line has no transaction type code (such as NTRF).")
NO_CURRENCY = N_("Line %(line)s: the statement states no currency; its :60F: opening balance is missing.")


def read_mt940(data: bytes) -> ParsedStatement:
    """The statements of one account in an MT940 file, several :20: blocks joined in order."""
    check_size(data)
    lines = [_unwrapped(line) for line in _decode(data).splitlines()]
    starts = [index for index, line in enumerate(lines) if line.startswith(":20:")]
    if not starts:
        raise refuse(None, None, NOT_MT940)
    if sum(1 for line in lines if line.startswith(":61:")) > MAX_ROWS:
        raise too_many_rows()
    problems = Problems()
    parts = []
    for start, end in zip(starts, [*starts[1:], len(lines)], strict=True):
        try:
            parts.append(_statement(start + 1, lines[start:end]))
        except StatementRejected as rejected:
            problems.extend(rejected.problems)
    problems.refuse_if_any()
    return join_statements(parts)


def _decode(data: bytes) -> str:
    """UTF-8, else GB18030 (Chinese banks), else Latin-1, which reads any byte."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _unwrapped(line: str) -> str:
    """A line without the SWIFT envelope ({1:…}{2:…}{4: before the fields, -} after); blank if only that."""
    stripped = line.strip()
    if stripped.startswith("{"):
        _, found, rest = stripped.rpartition("{4:")
        return rest if found else ""
    return "" if stripped.startswith("-}") or stripped == "-" else line.rstrip()


def _fields(first_line: int, lines: Sequence[str]) -> list[tuple[int, str, str]]:
    """The block's fields: (line, tag, text through the next field)."""
    fields: list[tuple[int, str, str]] = []
    for offset, line in enumerate(lines):
        match = _TAG.match(line)
        if match:
            fields.append((first_line + offset, match.group("tag") + (match.group("sub") or ""), line))
        elif fields:
            line_no, tag, text = fields[-1]
            fields[-1] = (line_no, tag, f"{text}\n{line}")
    return fields


def _parsed(text: str) -> mt940.models.Transactions:
    transactions = mt940.models.Transactions(options=OPTIONS)
    transactions.parse(text)
    return transactions


def _statement(first_line: int, lines: Sequence[str]) -> ParsedStatement:
    """One :20: block; what the library cannot read is named by the field that fails on its own."""
    fields = _fields(first_line, lines)
    try:
        transactions = _parsed("\n".join(lines))
    except Exception:  # the library raises RuntimeError, ValueError, decimal errors… on malformed fields
        line_no, tag = _failing(fields)
        raise refuse(line_no, None, BAD_FIELD, tag=tag) from None
    statement_lines = [line_no for line_no, tag, _ in fields if tag == "61"]
    if len(statement_lines) != len(transactions):
        raise StatementRejected(
            Problem(line_no, None, NO_TYPE_CODE)
            for line_no, tag, text in fields
            if tag == "61" and not _parsed(text)[0].data.get("id")
        )
    data = transactions.data
    opening = _balance(data, "final_opening_balance", "opening_balance", "intermediate_opening_balance")
    closing = _balance(data, "final_closing_balance", "closing_balance", "intermediate_closing_balance")
    currency = transactions.currency or ""
    if not _CURRENCY.match(currency):
        raise refuse(first_line, None, NO_CURRENCY)
    read = tuple(
        _line(line_no, transaction.data, currency)
        for line_no, transaction in zip(statement_lines, transactions, strict=True)
    )
    opening_line = next((line_no for line_no, tag, _ in fields if tag.startswith("60")), None)
    closing_line = next((line_no for line_no, tag, _ in fields if tag.startswith("62")), None)
    days = [line.booked_on for line in read]
    return ParsedStatement(
        format="mt940",
        account_number=_account(data.get("account_identification")),
        currency=currency,
        opening_balance=opening[0] if opening else None,
        closing_balance=closing[0] if closing else None,
        period_start=min(days) if days else (opening[1] if opening else None),
        period_end=closing[1] if closing else (max(days) if days else None),
        lines=read,
        opening_line=opening_line,
        closing_line=closing_line,
    )


def _failing(fields: Sequence[tuple[int, str, str]]) -> tuple[int | None, str]:
    """The line and tag of the first field the library refuses when given it alone."""
    for line_no, tag, text in fields:
        try:
            _parsed(text)
        except Exception:  # as in _statement
            return line_no, tag
    return (fields[0][0], fields[0][1]) if fields else (None, "20")


def _balance(data: dict[str, Any], *names: str) -> tuple[Decimal, date | None] | None:
    """A balance, signed by its D/C mark, and its date."""
    balance = next((data[name] for name in names if name in data), None)
    if balance is None or not isinstance(balance.amount, mt940.models.Amount):
        return None
    return balance.amount.amount, _day(balance.date)


def _line(line_no: int, data: dict[str, Any], currency: str) -> StatementLine:
    value_on = _day(data["date"])
    booked_on = _day(data.get("entry_date")) or value_on
    assert booked_on is not None  # the :61: pattern requires its value date
    name, account, bank, memo = _details(data)
    amount = data["amount"]
    return StatementLine(
        line_no=line_no,
        booked_on=booked_on,
        value_on=value_on,
        amount=amount.amount,
        currency=amount.currency or currency,
        counterparty_name=name,
        counterparty_account=account,
        counterparty_bank=bank,
        memo=memo,
        bank_reference=_reference(data),
    )


def _day(value: object) -> date | None:
    """A plain date from the library's Date."""
    return date(value.year, value.month, value.day) if isinstance(value, date) else None


def _reference(data: dict[str, Any]) -> str | None:
    for name in ("bank_reference", "customer_reference"):
        value = (data.get(name) or "").strip()
        if value and value.upper() != "NONREF":
            return value
    return None


def _details(data: dict[str, Any]) -> tuple[str | None, str | None, str | None, str | None]:
    """Counterparty name, account, bank and the memo from :86:, structured (?20…?33) or /KEY/value."""
    if "transaction_details" not in data:  # the library took the ?xx sub-fields apart
        return (
            _clean(data.get("applicant_name")),
            _clean(data.get("applicant_iban")),
            _clean(data.get("applicant_bin")),
            _clean(data.get("purpose")) or _clean(data.get("posting_text")),
        )
    details = " ".join((data.get("transaction_details") or "").split("\n")).strip()
    parts = _KEYS.split(details)
    if len(parts) == 1:
        return None, None, None, _clean(details)
    keyed = {
        key: value.strip().strip("/").strip() for key, value in zip(parts[1::2], parts[2::2], strict=True)
    }
    party = keyed.get("CNTP", "").split("/")
    party += [""] * (3 - len(party))
    remittance = keyed.get("REMI", "").removeprefix("USTD//").removeprefix("STRD/")
    return (
        _clean(keyed.get("NAME") or party[2]),
        _clean(keyed.get("ACCT") or keyed.get("IBAN") or party[0]),
        _clean(keyed.get("BIC") or party[1]),
        _clean(remittance) or _clean(parts[0]),
    )


def _account(value: object) -> str | None:
    """An account number without spaces; None when absent."""
    return "".join(str(value or "").split()) or None


def _clean(value: object) -> str | None:
    """Text on one line with single spaces; None when absent or blank."""
    return " ".join(str(value or "").split()) or None
