"""The lease import layout: headers in either language, cells of every kind, row and cross-row rules."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from backend.leasing.domain import codes
from backend.leasing.domain.cells import CellError, to_date, to_integer, to_list, to_money, to_percent
from backend.leasing.domain.lease_import import (
    COLUMNS,
    ImportStatus,
    LeaseRow,
    cross_row_problems,
    find_column,
    lease_terms,
    match_headers,
    nearest_names,
    parse_row,
    template_rows,
)
from backend.leasing.domain.schedule import Frequency, Timing

ALIASES = {"frequency": codes.DEFAULT_ALIASES["frequency"], "timing": codes.DEFAULT_ALIASES["timing"]}
HEADERS = ["合同编号", "项目编号", "客户编号", "资产编号", "合同模板", "起租日", "到期日", "月租金"]
CELLS = ["L-1", "SH-01", "C0001", "SH-01-1201；SH-01-1202", "OFFICE", "2026-01-01", "2026-12-31", "12800"]


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("合同编号", "number"),
        ("Number", "number"),
        (" STARTS ON ", "starts_on"),
        ("免租期（月）", "free_months"),
        ("递增比例(%)/escalation_percent", "escalation_percent"),
        ("Escalation-Every-Months", "escalation_every_months"),
        ("月租金*", "monthly_rent"),
    ],
)
def test_headers_match_in_either_language_ignoring_case_spaces_and_width(header: str, key: str) -> None:
    column = find_column(header)
    assert column is not None
    assert column.key == key


def test_unknown_duplicate_and_missing_columns_are_reported_on_row_one() -> None:
    layout = match_headers(["number", "合同编号", "备注", None, "资产编号"])
    problems = {(p.row, p.column): p.message for p in layout.problems}
    assert "Unknown column" in problems[(1, "备注")]
    assert problems[(1, "合同编号")] == "The column appears twice (also as “number”)."
    assert (1, "项目编号/project") in problems
    assert not layout.complete


def test_columns_may_come_in_any_order() -> None:
    layout = match_headers(list(reversed(HEADERS)))
    lease, problems = parse_row(2, list(reversed(CELLS)), layout, ALIASES)
    assert problems == []
    assert lease is not None
    assert lease.assets == ("SH-01-1201", "SH-01-1202")


@pytest.mark.parametrize(
    "value",
    [date(2026, 1, 31), datetime(2026, 1, 31, tzinfo=UTC), 46053, 46053.0, "2026-01-31", "2026/1/31",
     "2026年1月31日", "2026-01-31 00:00:00", " 2026.1.31 "],
)  # fmt: skip
def test_dates_are_read_from_excel_dates_serials_iso_slashes_and_chinese(value: object) -> None:
    assert to_date(value) == date(2026, 1, 31)


@pytest.mark.parametrize("value", ["2026-02-30", "31/01/2026", "next month", 46053.5, True])
def test_anything_else_is_not_a_date(value: object) -> None:
    with pytest.raises(CellError, match="Not a date"):
        to_date(value)


@pytest.mark.parametrize(
    ("value", "amount"),
    [
        ("¥12,800.00", Decimal("12800.00")),
        ("￥1，500元", Decimal("1500.00")),
        ("RMB 3 000.5", Decimal("3000.50")),
        (12800, Decimal("12800.00")),
        (0.1, Decimal("0.10")),
        (1234.56, Decimal("1234.56")),
    ],
)
def test_amounts_accept_currency_signs_and_thousands_separators_and_stay_decimal(
    value: object, amount: Decimal
) -> None:
    parsed = to_money(value)
    assert parsed == amount
    assert isinstance(parsed, Decimal)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("12.345", "two decimal places"),
        ("-5", "between"),
        ("NaN", "number"),
        ("1e3", "number"),
        (True, "number"),
    ],
)
def test_bad_amounts_are_refused_with_a_reason(value: object, message: str) -> None:
    with pytest.raises(CellError, match=message):
        to_money(value)


def test_percentages_integers_and_lists() -> None:
    assert to_percent("5%") == to_percent(5) == to_percent("5") == Decimal(5)
    assert to_integer(12.0, (1, 120)) == 12
    with pytest.raises(CellError, match="between 1 and 31"):
        to_integer(32, (1, 31))
    with pytest.raises(CellError, match="integer"):
        to_integer("1.5")
    assert to_list("A; B；C,D，E、F、A") == ("A", "B", "C", "D", "E", "F")


def test_free_text_codes_go_through_the_alias_table() -> None:
    layout = match_headers([*HEADERS, "付款周期", "付款方式", "状态"])
    for text in ("两月一次", "每两个月", "bi-monthly", "every 2 months", "BIMONTHLY"):
        lease, problems = parse_row(2, [*CELLS, text, "后付", "已签约"], layout, ALIASES)
        assert problems == []
        assert lease is not None
        assert (lease.frequency, lease.timing, lease.status) == (
            Frequency.BIMONTHLY,
            Timing.ARREARS,
            ImportStatus.SIGNED,
        )


def test_an_unknown_code_names_the_value_and_the_accepted_values() -> None:
    layout = match_headers([*HEADERS, "frequency"])
    _, [problem] = parse_row(7, [*CELLS, "每周"], layout, ALIASES)
    assert (problem.row, problem.column) == (7, "frequency")
    assert problem.message == (
        "Unknown value “每周”; accepted values: monthly, bimonthly, quarterly, semiannual, annual, one_off."
    )


def test_every_problem_of_a_row_is_reported_at_once() -> None:
    layout = match_headers([*HEADERS, "免租期(月)", "递增周期(月)"])
    cells = ["", "SH-01", "C0001", "A", "OFFICE", "2026-03-01", "2026-01-31", "abc", "2", "12"]
    _, problems = parse_row(3, cells, layout, ALIASES)
    assert {(p.column, p.message) for p in problems} == {
        ("合同编号", "Required."),
        ("月租金", "Not a valid number."),
        ("到期日", "The end date lies before the start date."),
        ("递增比例(%)/escalation_percent", "Give the step in percent, or leave the escalation period empty."),
    }


def test_numbers_used_twice_and_assets_let_twice_at_once_are_cross_row_problems() -> None:
    layout = match_headers(HEADERS)

    def lease(row: int, number: str, asset: str, starts: date, signed: bool = True) -> LeaseRow:
        status = ImportStatus.SIGNED if signed else ImportStatus.DRAFT
        return LeaseRow(
            row, number, "P", "C", (asset,), "T", starts, date(2026, 12, 31), Decimal(1), status=status
        )

    rows = [
        lease(2, "L-1", "A", date(2026, 1, 1)),
        lease(3, "L-1", "B", date(2026, 1, 1)),
        lease(4, "L-3", "A", date(2026, 6, 1)),
        lease(5, "L-4", "A", date(2026, 6, 1), signed=False),
    ]
    problems = [(p.row, p.column, p.message) for p in cross_row_problems(rows, layout)]
    assert problems == [
        (3, "合同编号", "Lease number L-1 is also used on row 2."),
        (4, "资产编号", "Asset A is also let on row 2 for overlapping dates."),
    ]


def test_rent_free_months_escalation_and_extra_charges_become_lease_terms() -> None:
    row = LeaseRow(
        2, "L-1", "P", "C", ("A",), "T", date(2026, 1, 15), date(2027, 1, 14), Decimal(100),
        service_fee=Decimal(20), free_months=2, escalation_percent=Decimal(5), escalation_every_months=12,
    )  # fmt: skip
    terms = lease_terms(row)
    assert [line["charge_type"].value for line in terms["charge_lines"]] == ["rent", "service_fee"]
    assert terms["charge_lines"][0]["escalation"]["value"] == Decimal(5)
    assert terms["concessions"][0]["ends_on"] == date(2026, 3, 14)


def test_the_template_rows_hold_every_column_in_both_languages() -> None:
    headers, example = template_rows()
    assert len(headers) == len(example) == len(COLUMNS)
    assert all(find_column(header) is column for header, column in zip(headers, COLUMNS, strict=True))


# A clerk's sheet: customer names, unit numbers, purpose, 付款方式 as frequency -----------------------


CLERK = ["合同编号", "项目编号", "客户名称", "单元编号", "合同模板", "起租日", "到期日", "月租金", "付款方式",
         "付款时点", "用途", "状态"]  # fmt: skip
CLERK_CELLS = ["L-1", "SH-01", "星河科技有限公司", "SH-01-1201", "OFFICE-STD", "2026-01-01", "2027-12-31",
               "12800", "季付", "预付", "办公", "已签约"]  # fmt: skip


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("客户名称", "customer_name"),
        ("Tenant", "customer_name"),
        ("单元编号", "assets"),
        ("Unit No", "assets"),
        ("用途", "purpose"),
        ("Purpose", "purpose"),
        ("付款方式", "payment"),
        ("付款时点", "timing"),
        ("预付/后付", "timing"),
        ("Payment Frequency", "frequency"),
        ("保证金", "deposit"),
        ("合同号", "number"),
    ],
)
def test_the_headers_a_clerk_writes_name_their_columns(header: str, key: str) -> None:
    column = find_column(header)
    assert column is not None
    assert column.key == key


def test_a_sheet_naming_customers_by_name_and_paying_quarterly_is_read() -> None:
    layout = match_headers(CLERK)
    assert layout.problems == ()
    assert layout.complete
    row, problems = parse_row(2, CLERK_CELLS, layout, ALIASES)
    assert problems == []
    assert row is not None
    assert (row.customer, row.customer_name) == (None, "星河科技有限公司")
    assert row.assets == ("SH-01-1201",)
    assert (row.frequency, row.timing) == (Frequency.QUARTERLY, Timing.PREPAID)
    assert row.purpose == "办公"
    assert lease_terms(row)["purpose"] == "办公"


@pytest.mark.parametrize(
    ("cell", "frequency", "timing"),
    [
        ("季付", Frequency.QUARTERLY, None),
        ("月付", Frequency.MONTHLY, None),
        ("半年付", Frequency.SEMIANNUAL, None),
        ("年付", Frequency.ANNUAL, None),
        ("预付", None, Timing.PREPAID),
        ("后付", None, Timing.ARREARS),
    ],
)
def test_payment_method_cells_are_a_frequency_or_a_timing_by_their_value(
    cell: str, frequency: Frequency | None, timing: Timing | None
) -> None:
    layout = match_headers([*HEADERS, "付款方式"])
    row, problems = parse_row(2, [*CELLS, cell], layout, ALIASES)
    assert problems == []
    assert row is not None
    assert (row.frequency, row.timing) == (frequency, timing)


def test_a_payment_method_that_is_neither_names_both_kinds_of_accepted_value() -> None:
    layout = match_headers([*HEADERS, "付款方式"])
    _row, [problem] = parse_row(2, [*CELLS, "每周"], layout, ALIASES)
    assert problem.column == "付款方式"
    assert "每周" in problem.message
    assert "monthly, bimonthly" in problem.message
    assert "prepaid, arrears" in problem.message


def test_a_payment_method_contradicting_the_frequency_column_is_a_problem() -> None:
    layout = match_headers([*HEADERS, "付款周期", "付款方式"])
    _row, [problem] = parse_row(2, [*CELLS, "月付", "季付"], layout, ALIASES)
    assert (problem.column, problem.message) == (
        "付款方式",
        "“quarterly” contradicts monthly in column 付款周期.",
    )


def test_a_sheet_without_customer_code_or_name_misses_the_customer() -> None:
    headers = [header for header in HEADERS if header != "客户编号"]
    layout = match_headers(headers)
    assert not layout.complete
    assert [(p.column, p.message) for p in layout.problems] == [
        (
            "客户编号/customer",
            "Name the customer: a column of customer codes or of customer names is required.",
        )
    ]


def test_a_row_with_neither_customer_code_nor_name_needs_one() -> None:
    layout = match_headers([*HEADERS, "客户名称"])
    cells = [*CELLS, ""]
    cells[2] = ""
    _row, problems = parse_row(2, cells, layout, ALIASES)
    assert [(p.column, p.message) for p in problems] == [("客户编号", "Required.")]


def test_the_nearest_customer_names_come_best_first() -> None:
    names = ["星河科技有限公司", "银河数码", "北京天际传媒", "星河科技（上海）有限公司"]
    assert nearest_names("星河科技", names) == ["星河科技有限公司", "星河科技（上海）有限公司"]
    assert nearest_names("ＡＢＣ  Trading", ["abc trading", "xyz"]) == ["abc trading"]
