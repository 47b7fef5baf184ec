"""Reading a bank's statement table (CSV or workbook rows) into a statement; problems name line and column."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import TypeVar

from backend.banking.domain import cells
from backend.banking.domain.cells import CellError, header_key, is_blank, shown
from backend.banking.domain.headers import Header, Row, header_for
from backend.banking.domain.labels import Labelled, labelled, summary_values
from backend.banking.domain.profiles import BankProfile
from backend.banking.domain.values import ParsedStatement, Problems, StatementLine
from backend.core.domain.errors import N_

BOTH_SIDES = N_("Line %(line)s: both %(debit)s and %(credit)s hold an amount; a line is one or the other.")
NEITHER_SIDE = N_("Line %(line)s: neither %(debit)s nor %(credit)s holds an amount.")
NO_AMOUNT = N_("Line %(line)s, column %(column)s: the amount is missing.")
NO_DATE = N_("Line %(line)s, column %(column)s: the date is missing.")
UNKNOWN_DIRECTION = N_("Line %(line)s, column %(column)s: '%(value)s' is neither %(credit)s nor %(debit)s.")
SIGN_AGAINST_DIRECTION = N_(
    "Line %(line)s, column %(column)s: the amount %(value)s is negative but the line is marked as money in."
)
TOTAL_DIFFERS = N_(
    "Line %(line)s, column %(column)s: the stated total %(stated)s differs from the sum of the lines, "
    "%(computed)s."
)
COUNT_DIFFERS = N_(
    "Line %(line)s, column %(column)s: the file states %(stated)s lines, but %(counted)s were read."
)

_DAY = re.compile(r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?|\d{8}")
T = TypeVar("T")


def read_table(
    rows: Sequence[Row], profile: BankProfile, *, currency_default: str = "CNY", file_format: str = "csv"
) -> ParsedStatement:
    """The statement in a bank's table: account block, lines and summary; refuses listing every problem.

    `rows` are (line number, cells) as the reader found them, blank rows left out.
    """
    header = header_for(rows, profile)
    problems = Problems()
    account = labelled(rows[: header.position], profile.account_markers)
    body, footer = _split(rows[header.position + 1 :], header, profile)
    known = _Known(problems, profile)
    statement_currency = known.value(account, "currency", cells.currency) or _first_currency(body, header)
    statement_currency = statement_currency or currency_default
    lines = [
        line
        for line_no, row in body
        if (line := _line(_Cells(line_no, row, header, problems), profile, statement_currency)) is not None
    ]
    closing = labelled(footer, {"closing_balance": profile.account_markers.get("closing_balance", ())})
    closing = closing or {key: value for key, value in account.items() if key == "closing_balance"}
    period = _period(account, known)
    statement = ParsedStatement(
        format=file_format,
        profile=profile.code,
        account_number=_account_number(account),
        account_name=cells.text(account["account_name"].value) if "account_name" in account else None,
        currency=statement_currency,
        opening_balance=known.value(account, "opening_balance", cells.amount),
        closing_balance=known.value(closing, "closing_balance", cells.amount),
        period_start=period[0],
        period_end=period[1],
        lines=tuple(lines),
        opening_line=account["opening_balance"].line if "opening_balance" in account else None,
        closing_line=closing["closing_balance"].line if "closing_balance" in closing else None,
        column_names=_column_names(header),
    )
    if not problems:
        _check_totals(statement, summary_values(footer, header, profile.summary_labels), known)
    problems.refuse_if_any()
    return statement


class _Known:
    """Reads labelled values, noting a problem for each that does not parse."""

    def __init__(self, problems: Problems, profile: BankProfile) -> None:
        self.problems = problems
        self.profile = profile

    def value(self, found: dict[str, Labelled], name: str, parse: Callable[[object], T | None]) -> T | None:
        """The parsed value of a labelled field, None when absent or wrong."""
        return self.read(found[name], parse) if name in found else None

    def read(self, labelled_value: Labelled, parse: Callable[[object], T | None]) -> T | None:
        """A labelled value parsed, or None with a problem at its line and label."""
        try:
            return parse(labelled_value.value)
        except CellError as error:
            where, label = labelled_value.line, labelled_value.label
            self.problems.at(where, label, error.message, value=shown(labelled_value.value))
            return None

    def day(self, value: object) -> date | None:
        parsed = cells.day_and_time(value, self.profile.date_formats)
        return parsed[0] if parsed else None


def _split(rows: Sequence[Row], header: Header, profile: BankProfile) -> tuple[list[Row], list[Row]]:
    """The table's lines and the summary rows below it.

    Summary rows start with a marker (合计, 共 … 笔); lines may follow a page's subtotal, so past the first
    marker a row is still a line when it has a date where the table has its dates.
    """
    markers = tuple(header_key(marker) for marker in profile.summary_markers)
    repeated = [header_key(name) for name in header.names]
    body: list[Row] = []
    footer: list[Row] = []
    for line_no, row in rows:
        first = next((header_key(cell) for cell in row if not is_blank(cell)), "")
        if [header_key(cell) for cell in row] == repeated:
            continue  # the header repeated on each page
        if first.startswith(markers) or (footer and not _dated(row, header, profile)):
            footer.append((line_no, row))
        else:
            body.append((line_no, row))
    return body, footer


def _dated(row: Sequence[object], header: Header, profile: BankProfile) -> bool:
    position = header.columns["booked_on"]
    try:
        return position < len(row) and cells.day_and_time(row[position], profile.date_formats) is not None
    except CellError:
        return False


class _Cells:
    """One line's cells by field; a cell that does not parse becomes a problem and marks the line failed."""

    def __init__(self, line_no: int, row: Sequence[object], header: Header, problems: Problems) -> None:
        self.line_no = line_no
        self.row = row
        self.header = header
        self.problems = problems
        self.failed = False

    def raw(self, name: str) -> object:
        position = self.header.columns.get(name)
        return self.row[position] if position is not None and position < len(self.row) else None

    def parse(self, name: str, parse: Callable[[object], T | None]) -> T | None:
        if name not in self.header.columns:
            return None
        try:
            return parse(self.raw(name))
        except CellError as error:
            self.problem(name, error.message, value=shown(self.raw(name)))
            return None

    def text(self, name: str) -> str | None:
        return cells.text(self.raw(name))

    def memo(self) -> str | None:
        parts = (cells.text(self.row[i]) for i in self.header.memo_columns if i < len(self.row))
        return " / ".join(dict.fromkeys(part for part in parts if part)) or None

    def problem(self, name: str | None, message: str, **params: object) -> None:
        self.failed = True
        column = self.header.name(name) if name else None
        self.problems.at(self.line_no, column, message, **params)


def _line(row: _Cells, profile: BankProfile, statement_currency: str) -> StatementLine | None:
    """A line of the table, or None when any of its cells is wrong (each is noted as a problem)."""
    booked = row.parse("booked_on", lambda value: cells.day_and_time(value, profile.date_formats))
    if booked is None and not row.failed:
        row.problem("booked_on", NO_DATE)
    amount = _amount(row, profile)
    value_on = row.parse("value_on", lambda value: cells.day_and_time(value, profile.date_formats))
    moment = _moment(row, profile, booked[0]) if booked else None
    balance = row.parse("balance_after", cells.amount)
    line_currency = row.parse("currency", cells.currency) or statement_currency
    if row.failed or booked is None or amount is None:
        return None
    name, account, bank = _counterparty(row, amount)
    return StatementLine(
        line_no=row.line_no,
        booked_on=booked[0],
        value_on=value_on[0] if value_on else None,
        booked_at=moment or booked[1],
        amount=amount,
        currency=line_currency,
        counterparty_name=name,
        counterparty_account=account,
        counterparty_bank=bank,
        memo=row.memo(),
        bank_reference=row.text("bank_reference"),
        balance_after=balance,
    )


def _amount(row: _Cells, profile: BankProfile) -> Decimal | None:
    """The signed amount, whichever way the bank writes it."""
    if row.header.layout == "split":
        debit = row.parse("debit", cells.amount) or Decimal(0)
        credit = row.parse("credit", cells.amount) or Decimal(0)
        if row.failed:
            return None
        names = {"debit": row.header.name("debit"), "credit": row.header.name("credit")}
        if debit and credit:
            row.problem(None, BOTH_SIDES, **names)
        elif not debit and not credit:
            row.problem(None, NEITHER_SIDE, **names)
        return credit - debit
    magnitude = row.parse("amount", cells.amount)
    if not magnitude:
        if not row.failed:
            row.problem("amount", NO_AMOUNT)
        return None
    if row.header.layout == "signed":
        return magnitude
    return _directed(row, profile, magnitude)


def _directed(row: _Cells, profile: BankProfile, magnitude: Decimal) -> Decimal | None:
    """An amount signed by the line's 借/贷 flag; some banks sign the amount as well, which must agree."""
    flag = header_key(row.raw("direction"))
    if flag in {header_key(value) for value in profile.direction_credit_values}:
        if magnitude < 0:
            row.problem("amount", SIGN_AGAINST_DIRECTION, value=magnitude)
        return magnitude
    if flag in {header_key(value) for value in profile.direction_debit_values}:
        return -abs(magnitude)
    credit, debit = profile.direction_credit_values[:1], profile.direction_debit_values[:1]
    row.problem(
        "direction", UNKNOWN_DIRECTION, value=shown(row.raw("direction")), credit=credit[0], debit=debit[0]
    )
    return None


def _moment(row: _Cells, profile: BankProfile, day: date) -> datetime | None:
    """The booking time from a time column: a full date-time as given, a bare time on the booking day."""
    if "booked_at" not in row.header.columns:
        return None
    value = row.raw("booked_at")
    try:
        parsed = cells.day_and_time(value, profile.date_formats)
        return parsed[1] if parsed else None
    except CellError:
        moment = row.parse("booked_at", cells.time_of_day)
        return datetime.combine(day, moment) if moment else None


def _counterparty(row: _Cells, amount: Decimal) -> tuple[str | None, str | None, str | None]:
    """The other party: its own columns, else the payer of money in and the payee of money out."""
    side = "payer" if amount > 0 else "payee"
    return (
        row.text("counterparty_name") or row.text(f"{side}_name"),
        _compact(row.text("counterparty_account") or row.text(f"{side}_account")),
        row.text("counterparty_bank") or row.text(f"{side}_bank"),
    )


def _compact(account: str | None) -> str | None:
    """An account number without the spaces written between its groups of digits."""
    return account.replace(" ", "") if account else None


def _first_currency(body: Sequence[Row], header: Header) -> str | None:
    """The currency of the first line, for files that state it on each line only."""
    position = header.columns.get("currency")
    if position is None or not body or position >= len(body[0][1]):
        return None
    try:
        return cells.currency(body[0][1][position])
    except CellError:
        return None  # the line itself reports it


def _account_number(account: dict[str, Labelled]) -> str | None:
    return _compact(cells.text(account["account_number"].value)) if "account_number" in account else None


def _period(account: dict[str, Labelled], known: _Known) -> tuple[date | None, date | None]:
    """The statement's period: 起止日期 2026-03-01 至 2026-03-31, or a start and an end of their own."""
    start, end = (
        known.value(account, "period_start", known.day),
        known.value(account, "period_end", known.day),
    )
    if "period" in account and start is None and end is None:
        period = account["period"]
        days = _DAY.findall(cells.plain(period.value))
        if len(days) >= 2:
            start, end = (known.read(replace(period, value=day), known.day) for day in days[:2])
    return start, end


def _column_names(header: Header) -> dict[str, str]:
    names = {name: header.names[position] for name, position in header.columns.items()}
    if header.memo_columns:
        names["memo"] = header.names[header.memo_columns[0]]
    return names


def _check_totals(statement: ParsedStatement, stated: dict[str, Labelled], known: _Known) -> None:
    """The totals and counts the summary states, against the lines read."""
    lines = statement.lines
    computed = {
        "total_debits": statement.total_debits,
        "total_credits": statement.total_credits,
    }
    counted = {
        "line_count": len(lines),
        "debit_count": sum(1 for line in lines if line.amount < 0),
        "credit_count": sum(1 for line in lines if line.amount > 0),
    }
    for name, total in computed.items():
        value = known.value(stated, name, cells.amount)
        if value is not None and abs(value) != total:
            where = stated[name]
            known.problems.at(where.line, where.label, TOTAL_DIFFERS, stated=abs(value), computed=total)
    for name, number in counted.items():
        stated_count = known.value(stated, name, cells.count)
        if stated_count is not None and stated_count != number:
            where = stated[name]
            known.problems.at(where.line, where.label, COUNT_DIFFERS, stated=stated_count, counted=number)
