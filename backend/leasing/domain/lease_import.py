"""Lease import files: the column layout, header matching, row and cross-row checks (pure)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from dateutil.relativedelta import relativedelta

from backend.core.domain.errors import N_, Message
from backend.leasing.domain.cells import (
    CellError,
    is_blank,
    to_code,
    to_date,
    to_integer,
    to_list,
    to_money,
    to_percent,
    to_text,
)
from backend.leasing.domain.leases import overlaps
from backend.leasing.domain.schedule import ChargeType, EscalationKind, Frequency, Timing

HEADER_ROW = 1


class Kind(StrEnum):
    """How a column's cells are read."""

    TEXT = "text"
    CODE = "code"
    CODES = "codes"
    DATE = "date"
    MONEY = "money"
    INTEGER = "integer"
    PERCENT = "percent"
    FREQUENCY = "frequency"
    TIMING = "timing"
    STATUS = "status"
    TAGS = "tags"


class ImportStatus(StrEnum):
    """What an imported row becomes: a draft, or a signed lease with its schedule."""

    DRAFT = "draft"
    SIGNED = "signed"


STATUS_ALIASES = {
    "草稿": "draft",
    "未签": "draft",
    "未签约": "draft",
    "签约": "signed",
    "已签": "signed",
    "已签约": "signed",
    "已签订": "signed",
    "生效": "signed",
}


@dataclass(frozen=True)
class Column:
    """One column of the layout: its Chinese and English headers, cell kind and an example."""

    key: str
    zh: str
    en: str
    kind: Kind
    required: bool
    example: str
    bounds: tuple[int, int] | None = None

    @property
    def label(self) -> str:
        """Both headers, as the template file writes them."""
        return f"{self.zh}/{self.en}"


COLUMNS = (
    Column("number", "合同编号", "number", Kind.TEXT, True, "SH01-2026-0001"),
    Column("project", "项目编号", "project", Kind.CODE, True, "SH-01"),
    Column("customer", "客户编号", "customer", Kind.CODE, True, "C0001"),
    Column("assets", "资产编号", "assets", Kind.CODES, True, "SH-01-1201；SH-01-1202"),
    Column("template", "合同模板", "template", Kind.CODE, True, "OFFICE"),
    Column("starts_on", "起租日", "starts_on", Kind.DATE, True, "2026-01-01"),
    Column("ends_on", "到期日", "ends_on", Kind.DATE, True, "2028年12月31日"),
    Column("monthly_rent", "月租金", "monthly_rent", Kind.MONEY, True, "¥12,800.00"),
    Column("service_fee", "物业费", "service_fee", Kind.MONEY, False, "1,500"),
    Column("parking", "停车费", "parking", Kind.MONEY, False, ""),
    Column("frequency", "付款周期", "frequency", Kind.FREQUENCY, False, "两月一次"),
    Column("timing", "付款方式", "timing", Kind.TIMING, False, "预付"),
    Column("due_day", "付款日", "due_day", Kind.INTEGER, False, "5", (1, 31)),
    Column("deposit", "押金", "deposit", Kind.MONEY, False, "25,600"),
    Column("free_months", "免租期(月)", "free_months", Kind.INTEGER, False, "2", (0, 120)),
    Column("escalation_percent", "递增比例(%)", "escalation_percent", Kind.PERCENT, False, "5%"),
    Column(
        "escalation_every_months",
        "递增周期(月)",
        "escalation_every_months",
        Kind.INTEGER,
        False,
        "12",
        (1, 120),
    ),
    Column("account_manager", "客户经理", "account_manager", Kind.TEXT, False, "zhang.wei"),
    Column("tags", "标签", "tags", Kind.TAGS, False, "重点客户、no renewal"),
    Column("status", "状态", "status", Kind.STATUS, False, "signed"),
)
BY_KEY = {column.key: column for column in COLUMNS}


def header_key(text: str) -> str:
    """A header as compared: NFKC, casefolded, without spaces, underscores, hyphens and asterisks."""
    return re.sub(r"[\s_\-*]+", "", unicodedata.normalize("NFKC", text).casefold())


_BY_HEADER = {header_key(name): column for column in COLUMNS for name in (column.zh, column.en)}


def find_column(header: str) -> Column | None:
    """The column a header names: Chinese, English, or both joined by a slash as the template writes."""
    column = _BY_HEADER.get(header_key(header))
    if column is None and "/" in header:
        named = {_BY_HEADER.get(header_key(part)) for part in header.split("/")} - {None}
        column = named.pop() if len(named) == 1 else None
    return column


@dataclass(frozen=True)
class Problem:
    """Something wrong in the file: its row as Excel numbers it, the column header as written, and why."""

    row: int
    column: str
    message: str


@dataclass(frozen=True)
class Layout:
    """Which column each position holds, the headers as written, and problems with the header row."""

    positions: Mapping[int, Column]
    headers: Mapping[str, str]
    problems: tuple[Problem, ...]

    @property
    def complete(self) -> bool:
        """Whether every required column is present."""
        return all(column.key in self.headers for column in COLUMNS if column.required)

    def header(self, key: str) -> str:
        """The header of a column as the file writes it (the bilingual label when absent)."""
        return self.headers.get(key) or BY_KEY[key].label


def match_headers(cells: Sequence[object]) -> Layout:
    """Match a header row to the layout: any order, either language; unknown and missing columns reported."""
    positions: dict[int, Column] = {}
    headers: dict[str, str] = {}
    problems: list[Problem] = []
    accepted = ", ".join(column.label for column in COLUMNS)
    for position, cell in enumerate(cells):
        text = "" if cell is None else str(cell).strip()
        if not text:
            continue
        column = find_column(text)
        if column is None:
            problems.append(
                Problem(
                    HEADER_ROW,
                    text,
                    Message(N_("Unknown column; accepted: %(accepted)s."), accepted=accepted),
                )
            )
        elif column.key in headers:
            message = Message(
                N_("The column appears twice (also as “%(other)s”)."), other=headers[column.key]
            )
            problems.append(Problem(HEADER_ROW, text, message))
        else:
            positions[position] = column
            headers[column.key] = text
    for column in COLUMNS:
        if column.required and column.key not in headers:
            problems.append(Problem(HEADER_ROW, column.label, N_("This required column is missing.")))
    return Layout(positions, headers, tuple(problems))


# Rows --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeaseRow:
    """One valid row of the file, its codes still to be resolved against the database."""

    row: int
    number: str
    project: str
    customer: str
    assets: tuple[str, ...]
    template: str
    starts_on: date
    ends_on: date
    monthly_rent: Decimal
    service_fee: Decimal | None = None
    parking: Decimal | None = None
    frequency: Frequency | None = None
    timing: Timing | None = None
    due_day: int | None = None
    deposit: Decimal | None = None
    free_months: int | None = None
    escalation_percent: Decimal | None = None
    escalation_every_months: int | None = None
    account_manager: str | None = None
    tags: tuple[str, ...] = ()
    status: ImportStatus = ImportStatus.DRAFT

    @property
    def signed(self) -> bool:
        """Whether the row is to be signed on import."""
        return self.status is ImportStatus.SIGNED


Converter = Callable[[object, Column, Mapping[str, Mapping[str, str]]], Any]
CONVERTERS: dict[Kind, Converter] = {
    Kind.TEXT: lambda value, _column, _aliases: to_text(value),
    Kind.CODE: lambda value, _column, _aliases: to_text(value),
    Kind.CODES: lambda value, _column, _aliases: to_list(value),
    Kind.TAGS: lambda value, _column, _aliases: to_list(value),
    Kind.DATE: lambda value, _column, _aliases: to_date(value),
    Kind.MONEY: lambda value, _column, _aliases: to_money(value),
    Kind.PERCENT: lambda value, _column, _aliases: to_percent(value),
    Kind.INTEGER: lambda value, column, _aliases: to_integer(value, column.bounds),
    Kind.FREQUENCY: lambda value, _column, aliases: to_code(value, Frequency, aliases.get("frequency", {})),
    Kind.TIMING: lambda value, _column, aliases: to_code(value, Timing, aliases.get("timing", {})),
    Kind.STATUS: lambda value, _column, _aliases: to_code(value, ImportStatus, STATUS_ALIASES),
}


def parse_row(
    row: int, cells: Sequence[object], layout: Layout, aliases: Mapping[str, Mapping[str, str]]
) -> tuple[LeaseRow | None, list[Problem]]:
    """Read one data row (`row` as Excel numbers it); every problem is reported, not just the first."""
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for position, column in layout.positions.items():
        cell = cells[position] if position < len(cells) else None
        if is_blank(cell):
            continue
        try:
            value = CONVERTERS[column.kind](cell, column, aliases)
        except CellError as exc:
            problems.append(Problem(row, layout.header(column.key), exc.message))
            continue
        if value != ():
            values[column.key] = value
    flawed = {problem.column for problem in problems}
    for column in COLUMNS:
        present = column.key in layout.headers and column.key in values
        if column.required and not present and layout.header(column.key) not in flawed:
            problems.append(Problem(row, layout.header(column.key), N_("Required.")))
    problems.extend(Problem(row, layout.header(key), message) for key, message in _term_problems(values))
    if problems:
        return None, problems
    if values.get("escalation_percent"):
        values.setdefault("escalation_every_months", 12)
    return LeaseRow(row=row, **values), []


def _term_problems(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Rules between cells of one row: the term, the rent-free months, the escalation."""
    found = []
    starts_on, ends_on, free = values.get("starts_on"), values.get("ends_on"), values.get("free_months")
    if starts_on and ends_on and ends_on < starts_on:
        found.append(("ends_on", N_("The end date lies before the start date.")))
    elif (
        starts_on
        and ends_on
        and free
        and starts_on + relativedelta(months=free) > ends_on + timedelta(days=1)
    ):
        found.append(("free_months", N_("The rent-free months run past the end of the lease.")))
    if "escalation_every_months" in values and not values.get("escalation_percent"):
        found.append(
            ("escalation_percent", N_("Give the step in percent, or leave the escalation period empty."))
        )
    return found


def cross_row_problems(rows: Sequence[LeaseRow], layout: Layout) -> list[Problem]:
    """Numbers used twice in the file, and one asset let by two signed rows for overlapping dates."""
    problems: list[Problem] = []
    first_row: dict[str, int] = {}
    for lease in rows:
        if lease.number in first_row:
            message = Message(
                N_("Lease number %(number)s is also used on row %(other)s."),
                number=lease.number,
                other=first_row[lease.number],
            )
            problems.append(Problem(lease.row, layout.header("number"), message))
        else:
            first_row[lease.number] = lease.row
    holders: dict[str, list[LeaseRow]] = {}
    for lease in rows:
        if not lease.signed:
            continue
        for asset in lease.assets:
            for other in holders.get(asset, []):
                if overlaps(lease.starts_on, lease.ends_on, other.starts_on, other.ends_on):
                    message = Message(
                        N_("Asset %(asset)s is also let on row %(other)s for overlapping dates."),
                        asset=asset,
                        other=other.row,
                    )
                    problems.append(Problem(lease.row, layout.header("assets"), message))
            holders.setdefault(asset, []).append(lease)
    return problems


def lease_terms(lease: LeaseRow) -> dict[str, Any]:
    """The row's terms as a draft lease takes them (codes not yet resolved to ids)."""
    escalation = None
    if lease.escalation_percent:
        escalation = {
            "kind": EscalationKind.PERCENT,
            "every_months": lease.escalation_every_months,
            "value": lease.escalation_percent,
        }
    lines: list[dict[str, Any]] = [
        {"charge_type": ChargeType.RENT, "monthly_amount": lease.monthly_rent, "escalation": escalation}
    ]
    for charge_type, amount in (
        (ChargeType.SERVICE_FEE, lease.service_fee),
        (ChargeType.PARKING, lease.parking),
    ):
        if amount:
            lines.append({"charge_type": charge_type, "monthly_amount": amount})
    concessions = []
    if lease.free_months:
        concessions.append(
            {
                "charge_type": ChargeType.RENT,
                "starts_on": lease.starts_on,
                "ends_on": lease.starts_on + relativedelta(months=lease.free_months) - timedelta(days=1),
                "percent": Decimal(100),
                "note": "rent-free months (imported)",
            }
        )
    return {
        "number": lease.number,
        "starts_on": lease.starts_on,
        "ends_on": lease.ends_on,
        "frequency": lease.frequency,
        "timing": lease.timing,
        "due_day": lease.due_day,
        "deposit_amount": lease.deposit,
        "tags": list(lease.tags),
        "charge_lines": lines,
        "concessions": concessions,
    }


# Which column a field named by a lease use case comes from.
FIELD_COLUMNS = {
    "number": "number",
    "project_id": "project",
    "customer_id": "customer",
    "asset_ids": "assets",
    "template_id": "template",
    "starts_on": "starts_on",
    "ends_on": "ends_on",
    "frequency": "frequency",
    "timing": "timing",
    "due_day": "due_day",
    "deposit_amount": "deposit",
    "account_manager_id": "account_manager",
    "tags": "tags",
    "charge_lines": "monthly_rent",
    "concessions": "free_months",
}


def column_of(field: str) -> str | None:
    """The column key behind a field name such as `charge_lines.0.frequency`, if any."""
    return FIELD_COLUMNS.get(field.split(".", 1)[0])


def template_rows() -> list[list[str]]:
    """The header row (both languages) and one example row, for an empty import file."""
    return [[column.label for column in COLUMNS], [column.example for column in COLUMNS]]
