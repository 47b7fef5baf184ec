"""Lease import test material: a contract template, workbooks and CSV files built in memory."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook

from backend.core.domain.audit import Origin
from backend.core.services.context import Actor
from backend.leasing.domain.leases import ContractType
from backend.leasing.domain.schedule import BusinessDayRule, Frequency, PeriodAnchor, RoundingMode, Timing
from backend.leasing.services import leases

SYSTEM = Actor.system(Origin.CLI, "tests")
NOW = datetime(2026, 1, 10, 8, tzinfo=UTC)
EN = ["number", "project", "customer", "assets", "template", "starts_on", "ends_on", "monthly_rent",
      "frequency", "status"]  # fmt: skip
ZH = [
    "合同编号",
    "项目编号",
    "客户编号",
    "资产编号",
    "合同模板",
    "起租日",
    "到期日",
    "月租金",
    "付款周期",
    "状态",
]


def office_template(code: str = "OFFICE") -> dict[str, Any]:
    """Values of a contract template for office leases."""
    return {
        "code": code,
        "name": "写字楼标准合同",
        "contract_type": ContractType.OFFICE,
        "required_fields": ["deposit_amount"],
        "frequency": Frequency.QUARTERLY,
        "timing": Timing.PREPAID,
        "due_day": 5,
        "due_offset_days": 0,
        "business_day_rule": BusinessDayRule.NONE,
        "anchor": PeriodAnchor.LEASE_START,
        "prorate": True,
        "rounding": RoundingMode.HALF_UP,
        "deposit_months": Decimal(2),
        "notice_period_days": 90,
        "reminder_days": [30, 15, 7],
    }


def xlsx(rows: list[list[Any]]) -> bytes:
    """A workbook built with openpyxl holding the rows."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list[Any]], encoding: str = "utf-8") -> bytes:
    """CSV text of the rows in an encoding, as Excel writes it."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def row(
    number: str, asset: str = "SH-01-1201", status: str = "signed", frequency: str = "两月一次"
) -> list[Any]:
    """One data row in the EN/ZH column order."""
    return [
        number,
        "SH-01",
        "C0001",
        asset,
        "OFFICE",
        "2026-01-01",
        "2026/12/31",
        "¥12,800.00",
        frequency,
        status,
    ]


def seed_world(
    run: Callable[..., Any], make_region: Any, make_project: Any, make_asset: Any, make_customer: Any
) -> dict[str, Any]:
    """A region with project SH-01, units SH-01-1201…1203, customer C0001 and template OFFICE."""
    region = make_region()
    project = make_project(region, code="SH-01")
    assets = [make_asset(project, code=f"SH-01-{n}") for n in (1201, 1202, 1203)]
    customer = make_customer(region, code="C0001")
    template = run(leases.create_template, office_template(), SYSTEM)
    return {
        "region": region,
        "project": project,
        "assets": assets,
        "customer": customer,
        "template": template,
    }
