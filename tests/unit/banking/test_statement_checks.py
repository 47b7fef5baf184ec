"""Statement checks: balances that continue and add up, the running balance either way round, duplicates."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from backend.banking.domain.statements import (
    ParsedStatement,
    Problem,
    StatementLine,
    StatementRejected,
    check_statement,
    chronological,
    duplicate_key,
    find_duplicates_within,
    join_statements,
)


def _line(line_no: int, day: int, amount: str, balance: str | None, **values: object) -> StatementLine:
    return StatementLine(
        line_no=line_no,
        booked_on=date(2026, 3, day),
        amount=Decimal(amount),
        currency="CNY",
        balance_after=Decimal(balance) if balance is not None else None,
        **values,  # type: ignore[arg-type]
    )


LINES = (
    _line(8, 1, "500.00", "1500.00", bank_reference="R1"),
    _line(9, 2, "-200.00", "1300.00", bank_reference="R2"),
    _line(10, 3, "45.50", "1345.50", bank_reference="R3"),
)
STATEMENT = ParsedStatement(
    format="csv",
    profile="ICBC",
    account_number="1001",
    currency="CNY",
    opening_balance=Decimal("1000.00"),
    closing_balance=Decimal("1345.50"),
    lines=LINES,
    opening_line=5,
    closing_line=14,
    column_names={"balance_after": "余额"},
)


def _refusals(statement: ParsedStatement, previous: Decimal | None = None) -> list[str]:
    with pytest.raises(StatementRejected) as rejected:
        check_statement(statement, previous)
    return rejected.value.fields["file"]


def test_a_statement_that_adds_up_and_continues_the_previous_one_passes() -> None:
    check_statement(STATEMENT, previous_closing=Decimal("1000.00"))
    check_statement(replace(STATEMENT, opening_balance=None, closing_balance=None), previous_closing=None)


def test_an_opening_balance_that_does_not_continue_the_previous_closing_is_named_by_its_line() -> None:
    assert _refusals(STATEMENT, Decimal("990.00")) == [
        "Line 5: the opening balance 1000.00 does not continue the previous statement's closing "
        "balance 990.00."
    ]


def test_without_an_opening_balance_the_first_lines_balance_says_where_it_started() -> None:
    unstated = replace(STATEMENT, opening_balance=None, opening_line=None)

    check_statement(unstated, previous_closing=Decimal("1000.00"))
    assert _refusals(unstated, Decimal("900.00")) == [
        "Line 8: the balance before this line, 1000.00, does not continue the previous statement's closing "
        "balance 900.00."
    ]


def test_a_closing_balance_that_is_not_the_opening_plus_the_lines_is_refused() -> None:
    refusals = _refusals(replace(STATEMENT, closing_balance=Decimal("1345.00")))

    assert refusals == [
        "Line 14: the closing balance 1345.00 is not the opening balance 1000.00 plus the lines, 345.50, "
        "which makes 1345.50."
    ]


def test_without_an_opening_balance_the_closing_balance_must_be_the_last_lines_balance() -> None:
    unopened = replace(STATEMENT, opening_balance=None, opening_line=None, closing_balance=Decimal("1345.00"))

    assert _refusals(unopened) == [
        "Line 14: the closing balance 1345.00 differs from the balance after the last line, 1345.50."
    ]


def test_a_gap_in_the_running_balance_is_named_once_by_line_and_column() -> None:
    gapped = (
        LINES[0],
        replace(LINES[1], balance_after=Decimal("1290.00")),
        replace(LINES[2], balance_after=Decimal("1335.50")),
    )

    assert _refusals(replace(STATEMENT, lines=gapped, closing_balance=Decimal("1335.50"))) == [
        "Line 9, column 余额: the balance 1290.00 does not follow from the balance before, 1500.00, and the "
        "amount -200.00; expected 1300.00.",
        "Line 14: the closing balance 1335.50 is not the opening balance 1000.00 plus the lines, 345.50, "
        "which makes 1345.50.",
    ]


def test_the_first_balance_must_follow_from_the_opening_balance() -> None:
    assert _refusals(replace(STATEMENT, opening_balance=Decimal("1100.00"), closing_balance=None)) == [
        "Line 8, column 余额: the balance 1500.00 does not follow from the balance before, 1100.00, and the "
        "amount 500.00; expected 1600.00."
    ]


def test_lines_listed_newest_first_are_checked_oldest_first() -> None:
    newest_first = replace(STATEMENT, lines=tuple(reversed(LINES)))

    check_statement(newest_first, previous_closing=Decimal("1000.00"))
    assert chronological(newest_first) == LINES


def test_lines_of_one_day_are_ordered_by_what_their_balances_follow() -> None:
    same_day = tuple(replace(line, booked_on=date(2026, 3, 1)) for line in reversed(LINES))

    assert chronological(replace(STATEMENT, lines=same_day)) == tuple(reversed(same_day))
    check_statement(replace(STATEMENT, lines=same_day), previous_closing=None)


def test_a_line_in_another_currency_is_refused() -> None:
    mixed = (LINES[0], replace(LINES[1], currency="USD"), LINES[2])

    assert _refusals(replace(STATEMENT, lines=mixed)) == [
        "Line 9: the currency USD differs from the statement's, CNY."
    ]


def test_a_bank_reference_repeated_in_one_file_is_refused_naming_both_lines() -> None:
    repeated = (*LINES, replace(LINES[1], line_no=11))

    with pytest.raises(StatementRejected) as rejected:
        find_duplicates_within(replace(STATEMENT, lines=repeated))

    assert rejected.value.fields["file"] == ["Line 11: the bank reference R2 is also on line 9."]


def test_two_equal_lines_without_a_reference_are_only_pointed_out() -> None:
    payment = _line(8, 1, "50.00", None, counterparty_name="王五")
    statement = replace(STATEMENT, lines=(payment, replace(payment, line_no=9)))

    warnings = find_duplicates_within(statement)

    assert [str(warning) for warning in warnings] == [
        "Line 9 has the same day, amount and counterparty as line 8 and no bank reference; both are kept."
    ]


def test_the_duplicate_key_is_the_bank_reference_else_day_amount_and_counterparty() -> None:
    assert duplicate_key(LINES[0], "1001 2345") == "ref|10012345|R1"
    plain = _line(8, 1, "100.00", None, counterparty_account="6222", counterparty_name="某公司")
    assert duplicate_key(plain, "1001") == "line|1001|2026-03-01|100|6222"
    assert duplicate_key(replace(plain, amount=Decimal("100")), "1001") == duplicate_key(plain, "1001")
    assert (
        duplicate_key(replace(plain, counterparty_account=None), "1001") == "line|1001|2026-03-01|100|某公司"
    )


def test_statements_joined_in_a_file_must_each_add_up_and_follow_on() -> None:
    first = replace(STATEMENT, lines=LINES[:2], closing_balance=Decimal("1300.00"), closing_line=9)
    second = replace(STATEMENT, lines=LINES[2:], opening_balance=Decimal("1300.00"), opening_line=10)

    joined = join_statements([first, second])

    assert (joined.lines, joined.opening_balance, joined.closing_balance) == (
        LINES,
        Decimal("1000.00"),
        Decimal("1345.50"),
    )
    with pytest.raises(StatementRejected) as rejected:
        join_statements(
            [first, replace(second, opening_balance=Decimal("1310.00"), closing_balance=Decimal("1355.50"))]
        )
    assert rejected.value.fields["file"] == [
        "Line 10: the opening balance 1310.00 does not continue the closing balance 1300.00 of the statement "
        "before it in the file."
    ]


def test_a_refusal_keeps_each_problem_and_its_translatable_template() -> None:
    problem = Problem(
        12,
        "贷方发生额",
        "Line %(line)s, column %(column)s: '%(value)s' is not an amount.",
        {"value": "12,3x"},
    )

    rejected = StatementRejected([problem])

    assert (rejected.status, rejected.problems) == (422, [problem])
    (message,) = rejected.fields["file"]
    assert message == "Line 12, column 贷方发生额: '12,3x' is not an amount."
    assert message.template == problem.message  # type: ignore[attr-defined]
    assert message.params == {"line": 12, "column": "贷方发生额", "value": "12,3x"}  # type: ignore[attr-defined]
