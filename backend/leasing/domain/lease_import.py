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
from rapidfuzz import fuzz, process

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
from backend.leasing.domain.codes import UNKNOWN_CODE
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
    PAYMENT = "payment"  # a frequency (季付) or a timing (预付), whichever the cell names
    STATUS = "status"
    TAGS = "tags"


class ImportStatus(StrEnum):
    """What an imported row becomes: a draft, or a signed lease with its schedule."""

    DRAFT = "draft"
    SIGNED = "signed"


class ImportState(StrEnum):
    """Where an import run by the worker stands."""

    QUEUED = "queued"
    CHECKING = "checking"  # reading, checking and staging the rows, chunk by chunk
    COMMITTING = "committing"  # moving the staged rows in, in one short transaction
    SUCCEEDED = "succeeded"  # previewed, or committed
    FAILED = "failed"  # the file has problems, or the import broke; nothing of it was kept


FINISHED = frozenset({ImportState.SUCCEEDED, ImportState.FAILED})


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
    """One column of the layout: its Chinese and English headers, other headers clerks write, an example."""

    key: str
    zh: str
    en: str
    kind: Kind
    required: bool
    example: str
    bounds: tuple[int, int] | None = None
    aliases: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """Both headers, as the template file writes them."""
        return f"{self.zh}/{self.en}"

    @property
    def headers(self) -> tuple[str, ...]:
        """Every header that names this column."""
        return (self.zh, self.en, *self.aliases)


COLUMNS = (
    Column("number", "合同编号", "number", Kind.TEXT, True, "SH01-2026-0001",
           aliases=("合同号", "合同编码", "租赁合同编号", "contract no", "contract number", "lease number")),
    Column("project", "项目编号", "project", Kind.CODE, True, "SH-01",
           aliases=("项目代码", "项目", "project code")),
    Column("customer", "客户编号", "customer", Kind.CODE, False, "C0001",
           aliases=("客户代码", "租户编号", "customer code", "tenant code")),
    Column("customer_name", "客户名称", "customer_name", Kind.TEXT, False, "",
           aliases=("客户", "租户", "租户名称", "承租方", "承租人", "tenant", "tenant name", "lessee")),
    Column("assets", "资产编号", "assets", Kind.CODES, True, "SH-01-1201；SH-01-1202",
           aliases=("单元编号", "单元", "房号", "房间号", "铺位号", "库位号", "unit", "units", "unit no",
                    "asset codes")),
    Column("template", "合同模板", "template", Kind.CODE, True, "OFFICE",
           aliases=("模板", "模板编号", "合同类型", "template code")),
    Column("starts_on", "起租日", "starts_on", Kind.DATE, True, "2026-01-01",
           aliases=("起租日期", "开始日期", "租期开始", "计租日", "start date", "commencement date")),
    Column("ends_on", "到期日", "ends_on", Kind.DATE, True, "2028年12月31日",
           aliases=("到期日期", "结束日期", "租期结束", "end date", "expiry date")),
    Column("monthly_rent", "月租金", "monthly_rent", Kind.MONEY, True, "¥12,800.00",
           aliases=("月租", "租金", "月租金(元)", "rent", "monthly rent")),
    Column("service_fee", "物业费", "service_fee", Kind.MONEY, False, "1,500",
           aliases=("物业管理费", "管理费", "service charge", "management fee")),
    Column("parking", "停车费", "parking", Kind.MONEY, False, "", aliases=("车位费", "parking fee")),
    Column("frequency", "付款周期", "frequency", Kind.FREQUENCY, False, "两月一次",
           aliases=("缴费周期", "支付周期", "收租周期", "billing frequency", "payment frequency")),
    Column("payment", "付款方式", "payment", Kind.PAYMENT, False, "",
           aliases=("支付方式", "缴费方式", "payment terms", "payment method")),
    Column("timing", "付款时点", "timing", Kind.TIMING, False, "预付",
           aliases=("预付/后付", "预付后付", "支付时点", "付款时间点", "payment timing", "advance/arrears")),
    Column("due_day", "付款日", "due_day", Kind.INTEGER, False, "5", (1, 31),
           aliases=("缴费日", "每月付款日", "due day")),
    Column("deposit", "押金", "deposit", Kind.MONEY, False, "25,600",
           aliases=("保证金", "租赁保证金", "deposit amount", "security deposit")),
    Column("free_months", "免租期(月)", "free_months", Kind.INTEGER, False, "2", (0, 120),
           aliases=("免租期", "免租月数", "rent free months")),
    Column("escalation_percent", "递增比例(%)", "escalation_percent", Kind.PERCENT, False, "5%",
           aliases=("递增比例", "递增率", "租金递增", "escalation")),
    Column("escalation_every_months", "递增周期(月)", "escalation_every_months", Kind.INTEGER, False, "12",
           (1, 120), aliases=("递增周期", "escalation every")),
    Column("account_manager", "客户经理", "account_manager", Kind.TEXT, False, "zhang.wei",
           aliases=("招商经理", "负责人", "account manager")),
    Column("purpose", "用途", "purpose", Kind.TEXT, False, "办公",
           aliases=("租赁用途", "经营用途", "业态", "use")),
    Column("tags", "标签", "tags", Kind.TAGS, False, "重点客户、no renewal"),
    Column("status", "状态", "status", Kind.STATUS, False, "signed", aliases=("合同状态", "lease status")),
)  # fmt: skip
BY_KEY = {column.key: column for column in COLUMNS}
# A row names its customer by code (客户编号) or by name (客户名称); the code wins when both are given.
CUSTOMER_KEYS = ("customer", "customer_name")


def header_key(text: str) -> str:
    """A header as compared: NFKC, casefolded, without spaces, underscores, hyphens and asterisks."""
    return re.sub(r"[\s_\-*]+", "", unicodedata.normalize("NFKC", text).casefold())


_BY_HEADER = {header_key(name): column for column in COLUMNS for name in column.headers}


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
        """Whether every required column is present (the customer by its code or by its name)."""
        return all(column.key in self.headers for column in COLUMNS if column.required) and any(
            key in self.headers for key in CUSTOMER_KEYS
        )

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
    if not any(key in headers for key in CUSTOMER_KEYS):
        wanted = N_("Name the customer: a column of customer codes or of customer names is required.")
        problems.append(Problem(HEADER_ROW, BY_KEY["customer"].label, wanted))
    return Layout(positions, headers, tuple(problems))


# Rows --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeaseRow:
    """One valid row of the file, its codes still to be resolved against the database."""

    row: int
    number: str
    project: str
    customer: str | None  # the code; None when the row names the customer by name
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
    customer_name: str | None = None
    purpose: str | None = None

    @property
    def signed(self) -> bool:
        """Whether the row is to be signed on import."""
        return self.status is ImportStatus.SIGNED

    @property
    def customer_key(self) -> str:
        """The customer column the row names its customer in."""
        return "customer" if self.customer else "customer_name"


class CodeReader:
    """Free-text codes read through the alias tables, each distinct text once per file."""

    def __init__(self, aliases: Mapping[str, Mapping[str, str]]) -> None:
        self.aliases = aliases
        self._read: dict[tuple[str, str], Any] = {}

    def read(self, value: object, domain: str, accepted: type[StrEnum], table: Mapping[str, str]) -> Any:
        """The member `value` names; CellError (remembered too) otherwise."""
        key = (domain, str(value))
        if key not in self._read:
            try:
                self._read[key] = to_code(value, accepted, table)
            except CellError as exc:
                self._read[key] = exc
        found = self._read[key]
        if isinstance(found, CellError):
            raise found
        return found

    def code(self, value: object, domain: str, accepted: type[StrEnum]) -> Any:
        """A code of one alias domain (frequency, timing)."""
        return self.read(value, domain, accepted, self.aliases.get(domain, {}))

    def payment(self, value: object) -> Frequency | Timing:
        """付款方式: clerks write the frequency there (季付, 月付) or the timing (预付, 后付)."""
        for domain, accepted in (("frequency", Frequency), ("timing", Timing)):
            try:
                found: Frequency | Timing = self.code(value, domain, accepted)
            except CellError:
                continue
            return found
        choices = ", ".join([*(member.value for member in Frequency), *(member.value for member in Timing)])
        raise CellError(Message(UNKNOWN_CODE, value=to_text(value, 100), accepted=choices))


LONG_TEXT = frozenset({"customer_name", "purpose"})  # read up to 200 characters, as the lease stores them
Converter = Callable[[object, Column, CodeReader], Any]
CONVERTERS: dict[Kind, Converter] = {
    Kind.TEXT: lambda value, column, _codes: to_text(value, 200 if column.key in LONG_TEXT else 64),
    Kind.CODE: lambda value, _column, _codes: to_text(value),
    Kind.CODES: lambda value, _column, _codes: to_list(value),
    Kind.TAGS: lambda value, _column, _codes: to_list(value),
    Kind.DATE: lambda value, _column, _codes: to_date(value),
    Kind.MONEY: lambda value, _column, _codes: to_money(value),
    Kind.PERCENT: lambda value, _column, _codes: to_percent(value),
    Kind.INTEGER: lambda value, column, _codes: to_integer(value, column.bounds),
    Kind.FREQUENCY: lambda value, _column, codes: codes.code(value, "frequency", Frequency),
    Kind.TIMING: lambda value, _column, codes: codes.code(value, "timing", Timing),
    Kind.PAYMENT: lambda value, _column, codes: codes.payment(value),
    Kind.STATUS: lambda value, _column, codes: codes.read(value, "status", ImportStatus, STATUS_ALIASES),
}


def parse_row(
    row: int,
    cells: Sequence[object],
    layout: Layout,
    aliases: Mapping[str, Mapping[str, str]] | CodeReader,
) -> tuple[LeaseRow | None, list[Problem]]:
    """Read one data row (`row` as Excel numbers it); every problem is reported, not just the first.

    Pass one `CodeReader` for every row of a file: it reads each distinct code text once.
    """
    codes = aliases if isinstance(aliases, CodeReader) else CodeReader(aliases)
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for position, column in layout.positions.items():
        cell = cells[position] if position < len(cells) else None
        if is_blank(cell):
            continue
        try:
            value = CONVERTERS[column.kind](cell, column, codes)
        except CellError as exc:
            problems.append(Problem(row, layout.header(column.key), exc.message))
            continue
        if value != ():
            values[column.key] = value
    problems.extend(_payment_problems(row, values, layout))
    flawed = {problem.column for problem in problems}
    for column in COLUMNS:
        present = column.key in layout.headers and column.key in values
        if column.required and not present and layout.header(column.key) not in flawed:
            problems.append(Problem(row, layout.header(column.key), N_("Required.")))
    if not any(key in values for key in CUSTOMER_KEYS):
        named = [key for key in CUSTOMER_KEYS if key in layout.headers] or ["customer"]
        if not {layout.header(key) for key in named} & flawed:
            problems.append(Problem(row, layout.header(named[0]), N_("Required.")))
    problems.extend(Problem(row, layout.header(key), message) for key, message in _term_problems(values))
    if problems:
        return None, problems
    values.setdefault("customer", None)
    if values.get("escalation_percent"):
        values.setdefault("escalation_every_months", 12)
    return LeaseRow(row=row, **values), []


def _payment_problems(row: int, values: dict[str, Any], layout: Layout) -> list[Problem]:
    """Fold 付款方式 into the frequency or the timing it names; a clash with that column is a problem."""
    payment = values.pop("payment", None)
    if payment is None:
        return []
    key = "frequency" if isinstance(payment, Frequency) else "timing"
    given = values.setdefault(key, payment)
    if given == payment:
        return []
    message = Message(
        N_("“%(payment)s” contradicts %(other)s in column %(column)s."),
        payment=payment.value,
        other=given.value,
        column=layout.header(key),
    )
    return [Problem(row, layout.header("payment"), message)]


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
        "purpose": lease.purpose,
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
    "purpose": "purpose",
    "tags": "tags",
    "charge_lines": "monthly_rent",
    "concessions": "free_months",
}


def column_of(field: str) -> str | None:
    """The column key behind a field name such as `charge_lines.0.frequency`, if any."""
    return FIELD_COLUMNS.get(field.split(".", 1)[0])


def customer_key(name: str) -> str:
    """A customer name as compared: NFKC (full-width letters and brackets), casefolded, without spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name).casefold())


def nearest_names(name: str, names: Sequence[str], limit: int = 3) -> list[str]:
    """The names most like `name` (best first), for a row whose customer name matches none exactly."""
    keys = [customer_key(candidate) for candidate in names]
    found = process.extract(customer_key(name), keys, scorer=fuzz.WRatio, limit=limit, score_cutoff=50)
    return [names[index] for _key, _score, index in found]


def template_rows() -> list[list[str]]:
    """The header row (both languages) and one example row, for an empty import file."""
    return [[column.label for column in COLUMNS], [column.example for column in COLUMNS]]
