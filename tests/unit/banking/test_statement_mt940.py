"""MT940 statements: SWIFT envelopes, several :20: blocks, structured and tagged :86:, broken fields."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from backend.adapters.statements import read_statement
from backend.adapters.statements.mt940 import read_mt940
from backend.banking.domain.statements import BUILTIN_PROFILES, StatementRejected, check_statement
from backend.demo.statement_files import BankTransaction, StatementAccount, write_mt940

TWO_BLOCKS = """{1:F01ICBKCNBJAXXX0000000000}{2:O9400000260302ICBKCNBJAXXX00000000002603020000N}{4:
:20:STMT20260302
:25:CN/1001234567890123456
:28C:00059/001
:60F:C260228CNY100000,00
:61:2603010301C12345,60NTRFNONREF//ICBC0301001
:86:166?00GUTSCHRIFT?20Miete Maerz LK-2026-0031?21 Einheit 12A?30ICBKCNBJ?31CN1234567
8?32Shanghai Canyin?33 Co Ltd
:61:2603020302D200,00NMSCNONREF//ICBC0302001
:86:/NAME/State Grid Shanghai/ACCT/1001290109000012345/REMI/USTD//Electricity March/
:62F:C260302CNY112145,60
-}
{1:F01ICBKCNBJAXXX0000000000}{2:O9400000260303ICBKCNBJAXXX00000000002603030000N}{4:
:20:STMT20260303
:25:CN/1001234567890123456
:28C:00060/001
:60F:C260302CNY112145,60
:61:2603030303D5,50NCHGNONREF//ICBC0303001
:86:跨行汇款手续费
:62F:C260303CNY112140,10
-}
"""


def _line_of(text: str, start: str, occurrence: int = 1) -> int:
    numbers = [number for number, line in enumerate(text.splitlines(), start=1) if line.startswith(start)]
    return numbers[occurrence - 1]


def _rejected(text: str) -> list[str]:
    with pytest.raises(StatementRejected) as rejected:
        read_mt940(text.encode())
    return rejected.value.fields["file"]


def test_two_statement_blocks_in_a_swift_envelope_are_joined_in_order() -> None:
    statement = read_statement(TWO_BLOCKS.encode(), "ICBC_20260303.sta", BUILTIN_PROFILES)

    assert (statement.format, statement.account_number, statement.currency) == (
        "mt940",
        "CN/1001234567890123456",
        "CNY",
    )
    assert (statement.opening_balance, statement.closing_balance) == (
        Decimal("100000.00"),
        Decimal("112140.10"),
    )
    assert (statement.period_start, statement.period_end) == (date(2026, 3, 1), date(2026, 3, 3))
    assert [line.line_no for line in statement.lines] == [
        _line_of(TWO_BLOCKS, ":61:", 1),
        _line_of(TWO_BLOCKS, ":61:", 2),
        _line_of(TWO_BLOCKS, ":61:", 3),
    ]
    assert [line.amount for line in statement.lines] == [
        Decimal("12345.60"),
        Decimal("-200.00"),
        Decimal("-5.50"),
    ]
    assert [line.bank_reference for line in statement.lines] == ["ICBC0301001", "ICBC0302001", "ICBC0303001"]
    check_statement(statement, previous_closing=Decimal("100000.00"))


def test_structured_86_subfields_give_the_counterparty_and_the_purpose() -> None:
    first = read_mt940(TWO_BLOCKS.encode()).lines[0]

    assert (first.booked_on, first.value_on) == (date(2026, 3, 1), date(2026, 3, 1))
    assert first.counterparty_name == "Shanghai Canyin Co Ltd"
    assert (first.counterparty_account, first.counterparty_bank) == ("CN12345678", "ICBKCNBJ")
    assert first.memo == "Miete Maerz LK-2026-0031 Einheit 12A"


def test_tagged_86_and_free_text_86_give_name_account_and_memo() -> None:
    second, third = read_mt940(TWO_BLOCKS.encode()).lines[1:]

    assert (second.counterparty_name, second.counterparty_account, second.memo) == (
        "State Grid Shanghai",
        "1001290109000012345",
        "Electricity March",
    )
    assert (third.counterparty_name, third.memo) == (None, "跨行汇款手续费")


def test_an_ing_style_counterparty_field_is_read_by_position() -> None:
    text = TWO_BLOCKS.replace(
        ":86:跨行汇款手续费", ":86:/EREF/NOTPROVIDED/CNTP/NL12RABO0123456789/RABONL2U/J. Jansen/AMSTERDAM/"
    )
    third = read_mt940(text.encode()).lines[2]

    assert (third.counterparty_account, third.counterparty_bank, third.counterparty_name) == (
        "NL12RABO0123456789",
        "RABONL2U",
        "J. Jansen",
    )


def test_gb18030_and_latin1_files_are_decoded() -> None:
    assert read_mt940(TWO_BLOCKS.encode("gb18030")).lines[2].memo == "跨行汇款手续费"
    latin = TWO_BLOCKS.replace("跨行汇款手续费", "/NAME/Zoë/REMI/frais/").encode("latin-1", errors="strict")
    assert read_mt940(latin).lines[2].counterparty_name == "Zoë"


def test_a_reversal_of_a_credit_takes_money_out() -> None:
    text = TWO_BLOCKS.replace(":61:2603030303D5,50NCHG", ":61:2603030303RC5,50NCHG")

    assert read_mt940(text.encode()).lines[2].amount == Decimal("-5.50")


def test_a_gap_between_two_blocks_is_refused_naming_the_later_opening_balance() -> None:
    text = TWO_BLOCKS.replace(":60F:C260302CNY112145,60", ":60F:C260302CNY112100,00").replace(
        ":62F:C260303CNY112140,10", ":62F:C260303CNY112094,50"
    )

    assert _rejected(text) == [
        f"Line {_line_of(text, ':60F:', 2)}: the opening balance 112100.00 does not continue the closing "
        "balance 112145.60 of the statement before it in the file."
    ]


def test_a_block_that_does_not_add_up_is_refused_naming_its_closing_balance() -> None:
    text = TWO_BLOCKS.replace(":62F:C260303CNY112140,10", ":62F:C260303CNY112150,10")

    assert _rejected(text) == [
        f"Line {_line_of(text, ':62F:', 2)}: the closing balance 112150.10 is not the opening balance "
        "112145.60 plus the lines, -5.50, which makes 112140.10."
    ]


def test_a_field_the_library_cannot_read_is_named_by_its_line() -> None:
    text = TWO_BLOCKS.replace(":61:2603020302D200,00", ":61:26130X0302D200,00")

    assert _rejected(text) == [f"Line {_line_of(text, ':61:', 2)}: the field :61: cannot be read."]


def test_statement_lines_without_a_transaction_type_are_refused_rather_than_merged() -> None:
    text = TWO_BLOCKS.replace("NTRFNONREF//ICBC0301001", "//ICBC0301001").replace(
        "NMSCNONREF//ICBC0302001", "//ICBC0302001"
    )

    assert _rejected(text) == [
        f"Line {_line_of(text, ':61:', 1)}: the :61: line has no transaction type code (such as NTRF).",
        f"Line {_line_of(text, ':61:', 2)}: the :61: line has no transaction type code (such as NTRF).",
    ]


def test_a_file_without_a_20_field_is_not_mt940() -> None:
    assert _rejected("交易日期,金额\n") == ["This is not an MT940 statement: no line starts with :20:."]


def test_the_writer_splits_a_statement_into_chained_blocks_that_read_back() -> None:
    account = StatementAccount(number="NL91ABNA0417164300", name="LeaseKeeper BV", currency="EUR")
    transactions = [
        BankTransaction(
            booked_on=date(2026, 3, day), amount=Decimal(amount), memo=f"Invoice {day}", reference=f"R{day}"
        )
        for day, amount in ((1, "100.00"), (2, "-30.00"), (3, "12.50"), (4, "-0.50"))
    ]

    statement = read_mt940(write_mt940(account, transactions, statements=2, structured=False))

    assert [replace(line, line_no=0, value_on=None) for line in statement.lines] == [
        replace(line, line_no=0, value_on=None)
        for line in read_mt940(write_mt940(account, transactions, statements=1)).lines
    ]
    assert statement.closing_balance == Decimal("82.00")
