"""The values of a statement read from a file: its lines and balances, and the problems that refuse it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from backend.core.domain.errors import N_, Message, ValidationFailed

# Enough for a person to see what is wrong with a file; past it the rest is usually the same mistake again.
MAX_PROBLEMS = 50

TOO_MANY = N_("More than %(limit)s problems; only the first %(limit)s are listed.")


@dataclass(frozen=True, kw_only=True)
class StatementLine:
    """One booked transaction on the account: + money in (credit), − money out (debit)."""

    line_no: int  # where a person finds it in the file: the row in Excel, the line in a text editor
    booked_on: date
    value_on: date | None = None
    booked_at: datetime | None = None  # naive local time, when the file gives one
    amount: Decimal
    currency: str
    counterparty_name: str | None = None
    counterparty_account: str | None = None
    counterparty_bank: str | None = None
    memo: str | None = None
    bank_reference: str | None = None
    balance_after: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class ParsedStatement:
    """A statement file read in full, not yet checked: account, balances, period and lines in file order."""

    format: str  # "csv", "xlsx", "mt940" or "camt053"
    profile: str | None = None  # the bank profile a table was read with
    account_number: str | None = None
    account_name: str | None = None
    currency: str
    opening_balance: Decimal | None = None
    closing_balance: Decimal | None = None
    period_start: date | None = None
    period_end: date | None = None
    lines: tuple[StatementLine, ...] = ()
    opening_line: int | None = None  # where the file states each balance, for the messages
    closing_line: int | None = None
    column_names: Mapping[str, str] = field(default_factory=dict)  # field → the header text it was read from

    @property
    def total_credits(self) -> Decimal:
        """The money in: the sum of the positive amounts."""
        return sum((line.amount for line in self.lines if line.amount > 0), Decimal(0))

    @property
    def total_debits(self) -> Decimal:
        """The money out, as a positive sum, the way banks state 借方合计."""
        return -sum((line.amount for line in self.lines if line.amount < 0), Decimal(0))

    def column(self, name: str, fallback: str) -> str:
        """The header text a field was read from, or `fallback` for files without headers."""
        return self.column_names.get(name, fallback)


@dataclass(frozen=True)
class Problem:
    """What is wrong at one place of a file; `message` is a template that names the line and column."""

    line: int | None
    column: str | None
    message: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self) -> Message:
        """The message with its place and values filled in, still translatable from its template."""
        return Message(self.message, **{"line": self.line, "column": self.column, **self.params})

    def __str__(self) -> str:
        return str(self.text())


class StatementRejected(ValidationFailed):
    """A statement file refused as a whole; nothing of it is imported."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(
            {"file": [problem.text() for problem in self.problems]},
            N_("The bank statement cannot be imported; nothing of it was saved."),
        )


class Problems:
    """The problems of one file so far; refuses the file at once when there are too many to read."""

    def __init__(self, limit: int = MAX_PROBLEMS) -> None:
        self.found: list[Problem] = []
        self.limit = limit

    def __bool__(self) -> bool:
        return bool(self.found)

    def add(self, problem: Problem) -> None:
        """Note a problem; the one past the limit ends the reading."""
        if len(self.found) == self.limit:
            raise StatementRejected([*self.found, Problem(None, None, TOO_MANY, {"limit": self.limit})])
        self.found.append(problem)

    def at(self, line: int | None, column: str | None, message: str, **params: Any) -> None:
        """Note a problem at a line (and column), with the values its message names."""
        self.add(Problem(line, column, message, params))

    def extend(self, problems: Iterable[Problem]) -> None:
        """Note several problems."""
        for problem in problems:
            self.add(problem)

    def refuse_if_any(self) -> None:
        """Refuse the file when anything was found."""
        if self.found:
            raise StatementRejected(self.found)


def refuse(line: int | None, column: str | None, message: str, **params: Any) -> StatementRejected:
    """A refusal for one problem."""
    return StatementRejected([Problem(line, column, message, params)])
