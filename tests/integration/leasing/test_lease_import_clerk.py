"""Importing a clerk's sheet: customers by name, unit numbers, purpose, 付款方式 as the frequency."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from backend.core.db.database import Database
from backend.demo.leasing import TEMPLATES
from backend.leasing.db.models import ScheduleItem
from backend.leasing.domain.leases import LeaseStatus
from backend.leasing.domain.schedule import Frequency
from backend.leasing.services import lease_import, leases
from backend.org.domain.org import AssetStatus
from tests.support.lease_files import NOW, SYSTEM, seed_world, xlsx

CLERK = ["合同编号", "项目编号", "客户名称", "单元编号", "合同模板", "起租日", "到期日", "月租金", "付款方式",
         "客户经理", "用途", "状态"]  # fmt: skip
STANDARD = [template for template in TEMPLATES if template.code in {"OFFICE-STD", "RETAIL-STD", "WH-STD"}]


@pytest.fixture
def world(
    run: Any, make_region: Any, make_project: Any, make_asset: Any, make_customer: Any, make_user: Any
) -> dict[str, Any]:
    """The office world (customer 上海星河科技有限公司), the standard templates, and a leasing manager."""
    seeded = seed_world(run, make_region, make_project, make_asset, make_customer)
    for template in STANDARD:
        run(leases.create_template, template.values(), SYSTEM)
    seeded["manager"] = make_user("leasing_agent", username="zhang.wei", region_id=seeded["region"].id)
    return seeded


def clerk_row(
    number: str, template: str, customer: str = "上海星河科技有限公司", payment: str = "季付"
) -> list[Any]:
    """One row as a clerk types it: the customer by name, the unit number, 付款方式 and 用途."""
    return [number, "SH-01", customer, "SH-01-1201", template, "2026-01-01", "2026-12-31", "12,800", payment,
            "zhang.wei", "办公", "已签约"]  # fmt: skip


@pytest.mark.parametrize("template", [template.code for template in STANDARD])
def test_every_standard_template_is_imported_as_a_signed_lease_from_a_clerks_sheet(
    template: str, world: Any, run: Any, db: Database
) -> None:
    report = run(lease_import.commit, xlsx([CLERK, clerk_row("L-1", template)]), "台账.xlsx", SYSTEM, now=NOW)
    assert report.problems == []
    [lease_id] = report.created_ids
    with db.unit_of_work() as uow:
        lease = uow.leases.find(lease_id)
        assert lease.status is LeaseStatus.SIGNED
        assert lease.customer_id == world["customer"].id
        assert lease.purpose == "办公"
        assert lease.frequency is Frequency.QUARTERLY
        assert lease.account_manager_id == world["manager"].id
        assert lease.deposit_amount is not None
        assert lease.notice_period_days is not None
        assert [asset.code for asset in lease.assets] == ["SH-01-1201"]
        assert uow.assets.find(world["assets"][0].id).status is AssetStatus.PENDING_DELIVERY
        assert uow.session is not None
        items = uow.session.scalar(
            select(func.count()).select_from(ScheduleItem).where(ScheduleItem.lease_id == lease_id)
        )
        assert items == 4  # a year, billed quarterly


def test_a_standard_template_without_purpose_is_refused_on_the_purpose_column(world: Any, run: Any) -> None:
    headers = [header for header in CLERK if header != "用途"]
    cells = clerk_row("L-1", "OFFICE-STD")
    del cells[CLERK.index("用途")]
    report = run(lease_import.preview, xlsx([headers, cells]), "x.xlsx", SYSTEM, now=NOW)
    assert [(p.row, p.column, p.message) for p in report.problems] == [
        (2, "用途/purpose", "Required before the lease can be signed.")
    ]


def test_a_customer_name_matching_none_is_flagged_with_the_nearest_names(
    world: Any, run: Any, make_customer: Any
) -> None:
    make_customer(world["region"], code="C0002", name="星河物流")
    make_customer(world["region"], code="C0003", name="北京天际传媒")  # too far off to be proposed
    cells = clerk_row("L-1", "OFFICE-STD", customer="星河科技")
    report = run(lease_import.preview, xlsx([CLERK, cells]), "x.xlsx", SYSTEM, now=NOW)
    [problem] = report.problems
    assert (problem.row, problem.column) == (2, "客户名称")
    assert problem.message == (
        "No customer is named “星河科技” in your regions; nearest: 上海星河科技有限公司、星河物流."
    )


def test_a_customer_name_is_matched_ignoring_width_and_spaces(world: Any, run: Any) -> None:
    cells = clerk_row("L-1", "OFFICE-STD", customer=" 上海星河科技有限公司 ")
    report = run(lease_import.preview, xlsx([CLERK, cells]), "x.xlsx", SYSTEM, now=NOW)
    assert report.problems == []
    assert report.leases[0].customer == "上海星河科技有限公司"


def test_two_customers_of_one_name_ask_for_the_code(world: Any, run: Any, make_customer: Any) -> None:
    make_customer(world["region"], code="C0002")  # the same default name
    report = run(
        lease_import.preview, xlsx([CLERK, clerk_row("L-1", "OFFICE-STD")]), "x.xlsx", SYSTEM, now=NOW
    )
    [problem] = report.problems
    assert problem.message == "2 customers are named “上海星河科技有限公司”; give the customer code instead."


def test_payment_method_frequencies_reach_the_lease(world: Any, run: Any, db: Database) -> None:
    rows = [clerk_row("L-1", "OFFICE-STD", payment="月付"), clerk_row("L-2", "OFFICE-STD", payment="半年付")]
    rows[1][3] = "SH-01-1202"
    report = run(lease_import.commit, xlsx([CLERK, *rows]), "x.xlsx", SYSTEM, now=NOW)
    with db.unit_of_work() as uow:
        frequencies = [uow.leases.find(lease_id).frequency for lease_id in report.created_ids]
    assert frequencies == [Frequency.MONTHLY, Frequency.SEMIANNUAL]
