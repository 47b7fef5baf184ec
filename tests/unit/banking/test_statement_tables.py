"""Bank statement tables: six banks' CSV and XLSX exports, encodings, header blocks, totals, broken files."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import date, time
from decimal import Decimal

import pytest
from openpyxl import Workbook

from backend.adapters.statements import read_statement
from backend.adapters.statements import tables as table_files
from backend.adapters.statements.tables import csv_rows, decode_text, xlsx_rows
from backend.banking.domain.cells import CellError, amount, day_and_time
from backend.banking.domain.statements import (
    BUILTIN_PROFILES,
    BankProfile,
    StatementLine,
    StatementRejected,
    check_statement,
    detect_profile,
    read_table,
)
from backend.core.domain.errors import PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from backend.demo.statement_files import (
    BankTransaction,
    StatementAccount,
    local_time,
    write_bank_csv,
    write_bank_xlsx,
)

PROFILES = {profile.code: profile for profile in BUILTIN_PROFILES}
ACCOUNT = StatementAccount(
    number="1001 2345 6789 0123 456", name="上海某某物业管理有限公司", opening_balance=Decimal("100000.00")
)
TRANSACTIONS = [
    BankTransaction(
        booked_on=date(2026, 3, 1),
        booked_at=local_time(2026, 3, 1, 10, 22, 31),
        amount=Decimal("12345.60"),
        counterparty_name="上海某某餐饮有限公司",
        counterparty_account="31001234567890",
        counterparty_bank="中国建设银行上海分行",
        memo="3月租金 LK-2026-0031",
        reference="CCB20260301000123",
    ),
    BankTransaction(
        booked_on=date(2026, 3, 2),
        booked_at=local_time(2026, 3, 2, 16, 5, 0),
        amount=Decimal("-200.00"),
        counterparty_name="国网上海市电力公司",
        counterparty_account="1001290109000012345",
        memo="电费",
        reference="CCB20260302000456",
    ),
    BankTransaction(
        booked_on=date(2026, 3, 2),
        amount=Decimal("-5.50"),
        memo="跨行汇款手续费",
        reference="CCB20260302000457",
    ),
]

ICBC_CSV = """中国工商银行 账户明细查询
账号：1001 2345 6789 0123 456,,,,,,,
户名：上海某某物业管理有限公司,,,,,,,
币种：人民币,,,,,,,
起止日期：2026-03-01 至 2026-03-31,,,,,,,
交易日期,摘要,对方户名,对方账号,借方发生额,贷方发生额,余额,币种
2026-03-01,3月租金,上海某某餐饮有限公司,="31001234567890",,"12,345.60","112,345.60",人民币
2026/3/2,电费,国网上海市电力公司,="1001290109000012345",200.00,,"112,145.60",人民币
2026年3月3日,手续费,,,5.50,,"112,140.10",人民币
合计,,,,205.50,"12,345.60",,
共 3 笔,,,,,,,
"""


def _without_numbers(lines: tuple[StatementLine, ...]) -> list[StatementLine]:
    return [replace(line, line_no=0) for line in lines]


def _expected(profile: BankProfile, transactions: list[BankTransaction]) -> list[StatementLine]:
    """The lines a profile's export of the transactions reads back as (what its columns can carry)."""
    has = profile.header_aliases.keys()
    balance = ACCOUNT.opening_balance
    lines = []
    for tx in transactions:
        balance += tx.amount
        lines.append(
            StatementLine(
                line_no=0,
                booked_on=tx.booked_on,
                value_on=(tx.value_on or tx.booked_on) if "value_on" in has else None,
                booked_at=tx.booked_at if "booked_at" in has else None,
                amount=tx.amount,
                currency="CNY",
                counterparty_name=tx.counterparty_name,
                counterparty_account=tx.counterparty_account,
                counterparty_bank=tx.counterparty_bank if {"counterparty_bank", "payer_bank"} & has else None,
                memo=tx.memo,
                bank_reference=tx.reference if "bank_reference" in has else None,
                balance_after=balance,
            )
        )
    return lines


def _rejected(data: bytes, filename: str = "statement.csv", code: str | None = None) -> list[str]:
    with pytest.raises(StatementRejected) as rejected:
        read_statement(data, filename, BUILTIN_PROFILES, code)
    assert rejected.value.status == 422
    return rejected.value.fields["file"]


# Real-shaped exports ---------------------------------------------------------------------------------------


def test_an_icbc_gbk_export_is_read_past_its_title_and_account_block_up_to_its_totals() -> None:
    statement = read_statement(ICBC_CSV.encode("gbk"), "明细.csv", BUILTIN_PROFILES)

    assert (statement.format, statement.profile) == ("csv", "ICBC")
    assert (statement.account_number, statement.account_name) == (
        "1001234567890123456",
        "上海某某物业管理有限公司",
    )
    assert (statement.currency, statement.period_start, statement.period_end) == (
        "CNY",
        date(2026, 3, 1),
        date(2026, 3, 31),
    )
    assert [line.line_no for line in statement.lines] == [7, 8, 9]
    assert [line.booked_on for line in statement.lines] == [
        date(2026, 3, 1),
        date(2026, 3, 2),
        date(2026, 3, 3),
    ]
    assert [line.amount for line in statement.lines] == [
        Decimal("12345.60"),
        Decimal("-200.00"),
        Decimal("-5.50"),
    ]
    assert statement.lines[0].counterparty_account == "31001234567890"
    assert statement.lines[2].balance_after == Decimal("112140.10")
    assert (statement.total_credits, statement.total_debits) == (Decimal("12345.60"), Decimal("205.50"))
    check_statement(statement, previous_closing=Decimal("100000.00"))


def test_a_ccb_utf8_bom_export_newest_first_with_full_width_digits_and_yuan_signs_reads_and_checks() -> None:
    text = (
        "中国建设银行 账户明细\n"
        "账号,6217 0012 3456 7890,账户名称,上海某某物业管理有限公司\n"
        '期初余额：,"¥100,000.00"\n'
        "记账日期,交易时间,借方发生额（支取）,贷方发生额（收入）,余额,币种,对方户名,对方账号,摘要,"
        "账户明细编号-交易流水号\n"
        '20260302,2026-03-02 16:05:00,２００.００,,"¥112,145.60",人民币,国网上海市电力公司,1001,电费,'
        "00002-CCB0002\n"
        '20260301,2026-03-01 10:22:31,,"¥12,345.60","¥112,345.60",人民币,某某餐饮,3100,租金,00001-CCB0001\n'
        '期末余额：,"112,145.60"\n'
    )
    statement = read_statement(text.encode("utf-8-sig"), "ccb.csv", BUILTIN_PROFILES)

    assert statement.profile == "CCB"
    assert (statement.account_number, statement.opening_balance, statement.closing_balance) == (
        "6217001234567890",
        Decimal("100000.00"),
        Decimal("112145.60"),
    )
    assert statement.lines[0].amount == Decimal("-200.00")
    assert statement.lines[1].booked_at == local_time(2026, 3, 1, 10, 22, 31)
    assert statement.lines[1].bank_reference == "00001-CCB0001"
    check_statement(statement, previous_closing=Decimal("100000.00"))


def test_a_tab_separated_gb18030_cmb_export_with_excel_quoted_numbers_reads_as_csv() -> None:
    data = write_bank_csv("CMB", ACCOUNT, TRANSACTIONS, "gb18030", delimiter="\t", excel_text=True)
    assert b'\t="31001234567890"\t' in data

    statement = read_statement(data, "cmb_export.txt", BUILTIN_PROFILES)

    assert statement.profile == "CMB"
    assert _without_numbers(statement.lines) == _expected(PROFILES["CMB"], TRANSACTIONS)


def test_characters_beyond_gbk_survive_a_gb18030_export() -> None:
    rare = [replace(TRANSACTIONS[0], counterparty_name="䶮记商贸有限公司")]
    data = write_bank_csv("ICBC", ACCOUNT, rare, "gb18030")

    assert read_statement(data, "x.csv", BUILTIN_PROFILES).lines[0].counterparty_name == "䶮记商贸有限公司"


def test_boc_bilingual_headers_with_incoming_and_outgoing_flags_name_the_payer_or_payee_as_counterparty() -> (
    None
):
    text = (
        "交易类型[ Transaction Type ],付款人账号[ Debit Account No. ],付款人名称[ Payer's Name ],"
        "收款人账号[ Payee's Account Number ],收款人名称[ Payee's Name ],交易日期[ Transaction Date ],"
        "交易货币[ Trade Currency ],交易金额[ Trade Amount ],交易后余额[ After-transaction balance ],"
        "交易流水号[ Transaction reference number ],摘要[ Reference ]\n"
        "来账,4390001,某某咨询有限公司,4567002,我方公司,20260301,CNY,1000.00,101000.00,BOC001,租金\n"
        "往账,4567002,我方公司,4390003,某某保洁服务有限公司,20260302,CNY,-300.00,100700.00,BOC002,保洁费\n"
    )
    statement = read_statement(text.encode("gbk"), "boc.csv", BUILTIN_PROFILES)

    assert statement.profile == "BOC"
    assert [(line.amount, line.counterparty_name, line.counterparty_account) for line in statement.lines] == [
        (Decimal("1000.00"), "某某咨询有限公司", "4390001"),
        (Decimal("-300.00"), "某某保洁服务有限公司", "4390003"),
    ]
    check_statement(statement, previous_closing=None)


def test_a_workbook_with_a_merged_title_date_cells_and_numbers_reads_with_excel_row_numbers() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet["A1"] = "交通银行对公账户交易明细"
    sheet.merge_cells("A1:F1")
    sheet["A3"] = "账号："
    sheet["B3"] = "310066771018000123456"
    sheet.append([])
    sheet.append(["交易日期", "交易时间", "借贷标志", "发生额", "余额", "摘要"])
    sheet.append([local_time(2026, 3, 1), time(9, 30), "贷", 8000.1, 108000.1, "押金"])
    sheet.append([date(2026, 3, 2), "14:00:05", "借", Decimal("8000.10"), 100000, "退押金"])
    buffer = io.BytesIO()
    workbook.save(buffer)

    statement = read_statement(buffer.getvalue(), "bocom.xlsx", BUILTIN_PROFILES)

    assert (statement.format, statement.profile, statement.account_number) == (
        "xlsx",
        "BoCom",
        "310066771018000123456",
    )
    assert [(line.line_no, line.amount, line.booked_at) for line in statement.lines] == [
        (6, Decimal("8000.1"), local_time(2026, 3, 1, 9, 30)),
        (7, Decimal("-8000.10"), local_time(2026, 3, 2, 14, 0, 5)),
    ]
    check_statement(statement, previous_closing=Decimal("100000.00"))


@pytest.mark.parametrize("code", sorted(PROFILES))
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_each_profiles_export_is_detected_and_reads_back_its_lines(code: str, kind: str) -> None:
    write = write_bank_csv if kind == "csv" else write_bank_xlsx
    data = write(code, ACCOUNT, TRANSACTIONS)

    statement = read_statement(data, f"statement.{kind}", BUILTIN_PROFILES)

    assert (statement.format, statement.profile) == (kind, code)
    assert _without_numbers(statement.lines) == _expected(PROFILES[code], TRANSACTIONS)
    assert (statement.opening_balance, statement.closing_balance) == (
        Decimal("100000.00"),
        Decimal("112140.10"),
    )
    check_statement(statement, previous_closing=Decimal("100000.00"))


def test_both_layouts_are_among_the_builtin_profiles() -> None:
    flagged = {code for code, profile in PROFILES.items() if "direction" in profile.header_aliases}
    split = {
        code for code, profile in PROFILES.items() if {"debit", "credit"} <= profile.header_aliases.keys()
    }
    assert flagged >= {"BOC", "BoCom"}
    assert split >= {"ICBC", "CCB", "ABC", "CMB"}


def test_the_header_repeated_on_every_page_and_a_page_subtotal_do_not_end_the_lines() -> None:
    header = "交易日期,摘要,借方发生额,贷方发生额,余额"
    text = "\n".join(
        [
            header,
            "2026-03-01,a,,10.00,110.00",
            "本页小计,,0.00,10.00,",
            header,
            "2026-03-02,b,,5.00,115.00",
            "合计,,,15.00,",
        ]
    )
    statement = read_statement(text.encode(), "x.csv", BUILTIN_PROFILES, "ICBC")

    assert [line.line_no for line in statement.lines] == [2, 5]


def test_cells_read_as_banks_write_amounts_and_dates() -> None:
    assert amount("(1,234.50)") == Decimal("-1234.50")
    assert amount("1,234.50-") == Decimal("-1234.50")
    assert amount("￥１，２３４．５０") == Decimal("1234.50")
    assert amount("-") is None
    assert amount(1234.56) == Decimal("1234.56")
    with pytest.raises(CellError):
        amount("12,3x")
    formats = PROFILES["GENERIC"].date_formats
    assert day_and_time("2026/3/1 10:22:31", formats) == (
        date(2026, 3, 1),
        local_time(2026, 3, 1, 10, 22, 31),
    )
    assert day_and_time("2026年3月1日", formats) == (date(2026, 3, 1), None)
    assert day_and_time(20260301, formats) == (date(2026, 3, 1), None)
    assert day_and_time(46082, formats) == (date(2026, 3, 1), None)


# Broken files -----------------------------------------------------------------------------------------------


def test_an_unparseable_amount_is_named_by_line_and_column_with_the_other_problems_of_the_file() -> None:
    broken = ICBC_CSV.replace('"12,345.60","112,345.60"', '"12,3x","112,345.60"').replace(
        "2026/3/2", "2026/13/2"
    )

    assert _rejected(broken.encode("gbk")) == [
        "Line 7, column 贷方发生额: '12,3x' is not an amount.",
        "Line 8, column 交易日期: '2026/13/2' is not a date.",
    ]


def test_a_running_balance_that_jumps_is_refused_naming_the_line_and_the_balance_column() -> None:
    statement = read_statement(
        ICBC_CSV.replace('"112,145.60"', '"112,154.60"').encode("gbk"), "x.csv", BUILTIN_PROFILES
    )

    with pytest.raises(StatementRejected) as rejected:
        check_statement(statement, previous_closing=Decimal("100000.00"))

    assert rejected.value.fields["file"] == [
        "Line 8, column 余额: the balance 112154.60 does not follow from the balance before, 112345.60, "
        "and the amount -200.00; expected 112145.60.",
        "Line 9, column 余额: the balance 112140.10 does not follow from the balance before, 112154.60, "
        "and the amount -5.50; expected 112149.10.",
    ]


def test_a_line_with_both_or_neither_amount_is_refused() -> None:
    broken = ICBC_CSV.replace(',200.00,,"112,145.60"', ',200.00,1.00,"112,145.60"').replace(",5.50,,", ",,,")

    assert _rejected(broken.encode("gbk")) == [
        "Line 8: both 借方发生额 and 贷方发生额 hold an amount; a line is one or the other.",
        "Line 9: neither 借方发生额 nor 贷方发生额 holds an amount.",
    ]


def test_totals_that_do_not_add_up_are_refused_naming_the_summary_line() -> None:
    broken = ICBC_CSV.replace("共 3 笔,,,,,,,", "借方合计：300.00,,,,,,,\n共 4 笔,,,,,,,")

    assert _rejected(broken.encode("gbk")) == [
        "Line 11, column 借方合计: the stated total 300.00 differs from the sum of the lines, 205.50.",
        "Line 12, column 共 4 笔: the file states 4 lines, but 3 were read.",
    ]


def test_a_total_row_under_the_amount_columns_is_checked() -> None:
    broken = ICBC_CSV.replace('合计,,,,205.50,"12,345.60"', '合计,,,,205.50,"12,345.00"')

    assert _rejected(broken.encode("gbk")) == [
        "Line 10, column 贷方发生额: the stated total 12345.00 differs from the sum of the lines, 12345.60."
    ]


def test_a_missing_column_is_named_with_the_headers_found() -> None:
    broken = ICBC_CSV.replace("借方发生额,贷方发生额", "借方发生额,发生额")

    assert _rejected(broken.encode("gbk"), code="ICBC") == [
        "Line 6: the column 贷方发生额 is missing; the header row has: "
        "交易日期, 摘要, 对方户名, 对方账号, 借方发生额, 发生额, 余额, 币种."
    ]


def test_a_file_no_profile_explains_is_refused_listing_the_profiles() -> None:
    (message,) = _rejected("日期,备注\n2026-03-01,x\n".encode())

    assert message.startswith("No header row of a known bank export was found in the first 30 lines;")
    assert "ICBC (中国工商银行)" in message
    assert "GENERIC (通用格式)" in message


def test_undecodable_bytes_are_named_by_line_and_offset() -> None:
    data = ICBC_CSV.encode("gbk").replace("电费".encode("gbk"), b"\xff\xff")
    offset = data.index(b"\xff")

    assert _rejected(data) == [
        f"Line 8: the byte 0xFF at offset {offset} is neither UTF-8 nor GBK/GB18030 text; "
        "save the file as UTF-8 or GBK."
    ]


def test_text_is_utf8_with_or_without_bom_else_gb18030_or_utf16_by_its_bom() -> None:
    assert decode_text("\ufeff交易日期".encode()) == "交易日期"
    assert decode_text("交易日期".encode("gbk")) == "交易日期"
    assert decode_text("交易日期".encode("utf-16")) == "交易日期"


def test_an_old_xls_workbook_and_other_file_types_are_refused_naming_the_accepted_ones() -> None:
    with pytest.raises(UnsupportedMediaType, match=r"\.xls workbooks cannot be read.*\.csv, \.txt, \.xlsx"):
        read_statement(table_files.OLE_MAGIC + b"\0" * 100, "明细.xls", BUILTIN_PROFILES)
    with pytest.raises(UnsupportedMediaType, match=r"accepted: \.csv"):
        read_statement(b"%PDF-1.7", "statement.pdf", BUILTIN_PROFILES)
    assert _rejected(b"PK\x03\x04 not a zip", "x.xlsx") == ["This is not a readable .xlsx workbook."]


def test_files_over_the_size_or_row_limit_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(PayloadTooLarge, match="larger than 20 MB"):
        read_statement(b" " * (table_files.MAX_BYTES + 1), "x.csv", BUILTIN_PROFILES)
    monkeypatch.setattr(table_files, "MAX_ROWS", 5)
    with pytest.raises(PayloadTooLarge, match="more than 5 rows"):
        csv_rows(ICBC_CSV.encode())
    with pytest.raises(PayloadTooLarge, match="more than 5 rows"):
        xlsx_rows(write_bank_xlsx("ICBC", ACCOUNT, TRANSACTIONS))


def test_an_unknown_profile_code_is_refused_naming_the_known_ones() -> None:
    (message,) = _rejected(ICBC_CSV.encode(), code="HSBC")

    assert message == "There is no bank profile HSBC; known: ICBC, CCB, BOC, ABC, CMB, BoCom, GENERIC."


def test_more_than_fifty_problems_stop_the_reading_and_say_so() -> None:
    rows = [(1, ["交易日期", "借方发生额", "贷方发生额"])] + [(n, ["x", "1", ""]) for n in range(2, 80)]

    with pytest.raises(StatementRejected) as rejected:
        read_table(rows, PROFILES["ICBC"])

    assert len(rejected.value.problems) == 51
    assert rejected.value.fields["file"][-1] == "More than 50 problems; only the first 50 are listed."


def test_detection_picks_the_profile_that_explains_most_header_cells() -> None:
    rows = [(1, ["某某银行"]), (3, ["交易日", "借方金额", "贷方金额", "余额", "收(付)方名称", "流水号"])]

    assert detect_profile(rows, BUILTIN_PROFILES).code == "CMB"


# Profiles as data -----------------------------------------------------------------------------------------


def test_every_builtin_profile_round_trips_through_json() -> None:
    for profile in BUILTIN_PROFILES:
        assert BankProfile.from_dict(json.loads(json.dumps(profile.to_dict()))) == profile


def test_a_profile_from_bad_data_is_refused_naming_every_bad_key() -> None:
    with pytest.raises(ValidationFailed) as refused:
        BankProfile.from_dict(
            {
                "code": "",
                "name": "某银行",
                "header_aliases": {"booked_on": ["日期"], "colour": ["颜色"], "amount": "金额"},
                "date_formats": ["YYYY-MM-DD"],
                "signed_amounts": "yes",
                "extra": 1,
            }
        )

    assert sorted(refused.value.fields) == [
        "code",
        "date_formats",
        "extra",
        "header_aliases.amount",
        "header_aliases.colour",
        "signed_amounts",
    ]


def test_a_profile_without_amount_columns_or_a_sign_is_refused() -> None:
    with pytest.raises(ValidationFailed) as refused:
        BankProfile.from_dict({"code": "X", "name": "某银行", "header_aliases": {"amount": ["金额"]}})

    assert refused.value.fields == {
        "header_aliases": [
            "Name the headers of the booking date (booked_on).",
            "An amount without a sign needs the headers of the direction and its credit and debit values.",
        ]
    }
