"""Checks of a statement read from a file: balances that add up and continue, one currency, no repeats."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from itertools import pairwise

from backend.banking.domain.values import ParsedStatement, Problem, Problems, StatementLine
from backend.core.domain.errors import N_

NOT_CONTINUING = N_(
    "Line %(line)s: the opening balance %(opening)s does not continue the previous statement's closing "
    "balance %(previous)s."
)
NOT_CONTINUING_ANYWHERE = N_(
    "The opening balance %(opening)s does not continue the previous statement's closing balance %(previous)s."
)
DERIVED_NOT_CONTINUING = N_(
    "Line %(line)s: the balance before this line, %(opening)s, does not continue the previous statement's "
    "closing balance %(previous)s."
)
CLOSING_DIFFERS = N_(
    "Line %(line)s: the closing balance %(closing)s is not the opening balance %(opening)s plus the lines, "
    "%(total)s, which makes %(expected)s."
)
CLOSING_DIFFERS_ANYWHERE = N_(
    "The closing balance %(closing)s is not the opening balance %(opening)s plus the lines, %(total)s, "
    "which makes %(expected)s."
)
RUNNING_GAP = N_(
    "Line %(line)s, column %(column)s: the balance %(stated)s does not follow from the balance before, "
    "%(previous)s, and the amount %(amount)s; expected %(expected)s."
)
LAST_BALANCE_DIFFERS = N_(
    "Line %(line)s: the closing balance %(closing)s differs from the balance after the last line, %(last)s."
)
OTHER_CURRENCY = N_("Line %(line)s: the currency %(found)s differs from the statement's, %(expected)s.")
OTHER_ACCOUNT = N_(
    "Line %(line)s: this statement is of account %(found)s, the one before of %(expected)s; "
    "a file holds the statements of one account."
)
BALANCE_GAP = N_(
    "Line %(line)s: the opening balance %(opening)s does not continue the closing balance %(closing)s "
    "of the statement before it in the file."
)
REPEATED_REFERENCE = N_("Line %(line)s: the bank reference %(reference)s is also on line %(first)s.")
LOOKS_REPEATED = N_(
    "Line %(line)s has the same day, amount and counterparty as line %(first)s and no bank reference; "
    "both are kept."
)


def check_statement(statement: ParsedStatement, previous_closing: Decimal | None) -> None:
    """Refuse a statement whose balances do not add up or continue the one before, or mixing currencies."""
    problems = Problems()
    lines = chronological(statement)
    _check_continues(statement, lines, previous_closing, problems)
    _check_running(statement, lines, problems)
    _check_closing(statement, problems)
    for line in statement.lines:
        if line.currency != statement.currency:
            problems.at(line.line_no, None, OTHER_CURRENCY, found=line.currency, expected=statement.currency)
    problems.refuse_if_any()


def chronological(statement: ParsedStatement) -> tuple[StatementLine, ...]:
    """The lines oldest first: files list them either way; the dates tell which, or else the balances."""
    lines = statement.lines
    days = [line.booked_on for line in lines]
    if len(lines) > 1 and days[0] != days[-1]:
        if days == sorted(days):
            return lines
        if days == sorted(days, reverse=True):
            return tuple(reversed(lines))
    # All on one day, or the dates out of order: the order the balances follow in is the one.
    backward = tuple(reversed(lines))
    return backward if _gaps(backward) < _gaps(lines) else lines


def _gaps(lines: Sequence[StatementLine]) -> int:
    """How many consecutive balances do not follow from each other, read in this order."""
    return sum(
        1
        for before, after in pairwise(lines)
        if before.balance_after is not None
        and after.balance_after is not None
        and before.balance_after + after.amount != after.balance_after
    )


def _opening(statement: ParsedStatement, lines: Sequence[StatementLine]) -> tuple[Decimal | None, int | None]:
    """The stated opening balance, or the one the first line's balance implies, with its line."""
    if statement.opening_balance is not None:
        return statement.opening_balance, statement.opening_line
    first = lines[0] if lines else None
    if first is not None and first.balance_after is not None:
        return first.balance_after - first.amount, first.line_no
    return None, None


def _check_continues(
    statement: ParsedStatement,
    lines: Sequence[StatementLine],
    previous_closing: Decimal | None,
    problems: Problems,
) -> None:
    opening, line = _opening(statement, lines)
    if previous_closing is None or opening is None or opening == previous_closing:
        return
    if statement.opening_balance is None:
        problems.at(line, None, DERIVED_NOT_CONTINUING, opening=opening, previous=previous_closing)
    elif line is None:
        problems.at(None, None, NOT_CONTINUING_ANYWHERE, opening=opening, previous=previous_closing)
    else:
        problems.at(line, None, NOT_CONTINUING, opening=opening, previous=previous_closing)


def _adds_up(statement: ParsedStatement) -> bool | None:
    """Whether the opening balance plus the lines is the closing balance; None when either is not stated."""
    opening, closing = statement.opening_balance, statement.closing_balance
    if opening is None or closing is None:
        return None
    return opening + statement.total_credits - statement.total_debits == closing


def _check_closing(statement: ParsedStatement, problems: Problems) -> None:
    if _adds_up(statement) is not False:
        return
    opening, closing = statement.opening_balance or Decimal(0), statement.closing_balance
    total = statement.total_credits - statement.total_debits
    where = statement.closing_line or statement.opening_line
    message = CLOSING_DIFFERS if where is not None else CLOSING_DIFFERS_ANYWHERE
    problems.at(where, None, message, closing=closing, opening=opening, total=total, expected=opening + total)


def _check_running(statement: ParsedStatement, lines: Sequence[StatementLine], problems: Problems) -> None:
    """Each stated balance is the one before plus the line's amount; a gap is named once, then read on."""
    column = statement.column("balance_after", "balance")
    running = statement.opening_balance
    stated_any = False
    for line in lines:
        expected = running + line.amount if running is not None else None
        stated = line.balance_after
        if stated is not None and expected is not None and stated != expected:
            problems.at(
                line.line_no,
                column,
                RUNNING_GAP,
                stated=stated,
                previous=running,
                amount=line.amount,
                expected=expected,
            )
        running = stated if stated is not None else expected
        stated_any = stated_any or stated is not None
    closing = statement.closing_balance
    # A closing balance that does not add up is named once, by _check_closing.
    off = stated_any and running is not None and closing is not None and running != closing
    if off and _adds_up(statement) is not False:
        where = statement.closing_line or lines[-1].line_no
        problems.at(where, None, LAST_BALANCE_DIFFERS, closing=closing, last=running)


def join_statements(parts: Sequence[ParsedStatement]) -> ParsedStatement:
    """Consecutive statements of one account in one file as one: each adds up and opens where the last closed.

    Each is checked on its own, so that a gap between two cannot hide in their sum.
    """
    problems = Problems()
    for part in parts:
        _check_closing(part, problems)
    for before, after in pairwise(parts):
        line = after.opening_line
        if after.account_number != before.account_number:
            problems.at(line, None, OTHER_ACCOUNT, found=after.account_number, expected=before.account_number)
        closing, opening = before.closing_balance, after.opening_balance
        if closing is not None and opening is not None and closing != opening:
            problems.at(line, None, BALANCE_GAP, opening=opening, closing=closing)
    problems.refuse_if_any()
    first, last = parts[0], parts[-1]
    return replace(
        first,
        closing_balance=last.closing_balance,
        closing_line=last.closing_line,
        period_end=last.period_end,
        lines=tuple(line for part in parts for line in part.lines),
    )


def duplicate_key(line: StatementLine, account: str) -> str:
    """What makes a line one imported before: its bank reference, else day, amount and counterparty."""
    account = "".join(account.split())
    if line.bank_reference:
        return f"ref|{account}|{line.bank_reference}"
    amount = f"{line.amount.normalize():f}"
    who = line.counterparty_account or line.counterparty_name or ""
    return f"line|{account}|{line.booked_on.isoformat()}|{amount}|{who}"


def find_duplicates_within(statement: ParsedStatement) -> list[Problem]:
    """Refuse a bank reference repeated in one file; lines alike without one come back as warnings.

    Two equal small payments on one day without a reference can both be real, so they are only pointed out.
    """
    account = statement.account_number or ""
    first_with: dict[str, StatementLine] = {}
    problems = Problems()
    warnings: list[Problem] = []
    for line in statement.lines:
        key = duplicate_key(line, account)
        first = first_with.setdefault(key, line)
        if first is line:
            continue
        if line.bank_reference:
            problems.at(
                line.line_no, None, REPEATED_REFERENCE, reference=line.bank_reference, first=first.line_no
            )
        else:
            warnings.append(Problem(line.line_no, None, LOOKS_REPEATED, {"first": first.line_no}))
    problems.refuse_if_any()
    return warnings
