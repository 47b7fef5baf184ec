"""Amendments that keep the money right, on a real database: escalations re-based, billed periods settled.

The amounts are worked out by hand in each test.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from backend.core.db.database import Database
from backend.core.domain.access import Assignment, Role, Scope, principal_from
from backend.core.domain.approvals import Decision
from backend.core.domain.audit import Origin
from backend.core.domain.errors import ValidationFailed
from backend.core.services import approvals
from backend.core.services.context import Actor
from backend.demo.leasing import TEMPLATES_BY_TYPE
from backend.leasing.domain.leases import ContractType
from backend.leasing.services import amendments, codes, leases, schedules
from backend.receivables.db.models import CreditNote
from backend.receivables.services import billing
from tests.conftest import SYSTEM

SIGNED_AT = datetime(2025, 12, 20, tzinfo=UTC)
EVERYTHING = Scope(everything=True)


@pytest.fixture
def people(make_region: Any, make_project: Any, make_user: Any) -> Any:
    """A project with a leasing agent who asks and a finance manager who approves."""
    region = make_region()
    project = make_project(region, code="SH-LJZ")
    agent = make_user("leasing_agent", project_id=project.id)
    finance = make_user("finance", region_id=region.id)

    class People:
        pass

    found = People()
    found.region, found.project = region, project
    found.agent = _actor(agent, Assignment(Role.LEASING_AGENT, project_id=project.id))
    found.finance = _actor(finance, Assignment(Role.FINANCE, region_id=region.id))
    return found


def _actor(user: Any, assignment: Assignment) -> Actor:
    return Actor(principal_from(user.id, user.username, [assignment]), Origin.WEB, None, None, None)


@pytest.fixture
def quarterly(run: Callable[..., Any]) -> Any:
    """Quarterly in advance, due on the first day of each quarter, no business-day shift, 15 days' lead."""
    values = TEMPLATES_BY_TYPE[ContractType.OFFICE].values() | {
        "code": "QUARTERLY-1",
        "required_fields": [],
        "frequency": "quarterly",
        "timing": "prepaid",
        "due_day": 1,
        "due_offset_days": 0,
        "business_day_rule": "none",
        "billing_lead_days": 15,
    }
    return run(leases.create_template, values, SYSTEM)


def _lease(
    run: Callable[..., Any],
    people: Any,
    template: Any,
    make_asset: Any,
    make_customer: Any,
    ends_on: date,
    line: dict[str, Any],
) -> Any:
    draft = run(
        leases.create_lease,
        {
            "template_id": template.id,
            "asset_ids": [make_asset(people.project).id],
            "customer_id": make_customer(people.region, name="上海星河科技有限公司").id,
            "starts_on": date(2026, 1, 1),
            "ends_on": ends_on,
            "charge_lines": [line],
            "concessions": [],
        },
        SYSTEM,
    )
    return run(leases.sign_lease, draft.id, SYSTEM, now=SIGNED_AT)


def _amend(run: Callable[..., Any], people: Any, lease: Any, values: dict[str, Any], now: datetime) -> Any:
    amendment = run(
        amendments.request_amendment, lease.id, {"reason": "租金调整", **values}, people.agent, now=now
    )
    if amendment.approval_id is not None:
        run(approvals.decide, amendment.approval_id, Decision.APPROVE, "同意", people.finance, now=now)
    return amendment


def _rent(db: Database, lease_id: int) -> dict[str, Decimal]:
    with db.unit_of_work() as uow:
        return {
            item.period_start.isoformat(): item.amount
            for item in uow.schedules.of_lease(lease_id)
            if item.status != "adjustment"
        }


def _adjustments(db: Database, lease_id: int) -> list[tuple[str, str, Decimal]]:
    with db.unit_of_work() as uow:
        return [
            (item.period_start.isoformat(), item.period_end.isoformat(), item.amount)
            for item in uow.schedules.of_lease(lease_id)
            if item.status == "adjustment"
        ]


def test_a_rent_reduction_re_bases_the_step_ups_and_leaves_past_periods_alone(
    run: Callable[..., Any], db: Database, people: Any, quarterly: Any, make_asset: Any, make_customer: Any
) -> None:
    """30,000 a month stepping up 5 % every January; from July 2026 the rent is 27,000."""
    lease = _lease(
        run,
        people,
        quarterly,
        make_asset,
        make_customer,
        date(2028, 12, 31),
        {
            "charge_type": "rent",
            "monthly_amount": Decimal("30000.00"),
            "escalation": {"kind": "percent", "every_months": 12, "value": Decimal(5)},
        },
    )
    assert _rent(db, lease.id)["2027-01-01"] == Decimal("94500.00")  # 3 × 31,500
    assert _rent(db, lease.id)["2028-01-01"] == Decimal("99225.00")  # 3 × 33,075

    april_10 = datetime(2026, 4, 10, 2, tzinfo=UTC)
    amendment = _amend(
        run,
        people,
        lease,
        {
            "effective_on": date(2026, 7, 1),
            "charge_lines": [{"charge_type": "rent", "monthly_amount": Decimal("27000.00")}],
        },
        april_10,
    )

    # Q1 and Q2 fell due on 1 January and 1 April, before 10 April: billed, kept at 90,000. From July
    # 27,000 a month is the new base: 2027 is 27,000 × 1.05 = 28,350 (a quarter 85,050), 2028 is
    # 28,350 × 1.05 = 29,767.50 (a quarter 89,302.50).
    rent = _rent(db, lease.id)
    assert rent == {
        "2026-01-01": Decimal("90000.00"),
        "2026-04-01": Decimal("90000.00"),
        "2026-07-01": Decimal("81000.00"),
        "2026-10-01": Decimal("81000.00"),
        "2027-01-01": Decimal("85050.00"),
        "2027-04-01": Decimal("85050.00"),
        "2027-07-01": Decimal("85050.00"),
        "2027-10-01": Decimal("85050.00"),
        "2028-01-01": Decimal("89302.50"),
        "2028-04-01": Decimal("89302.50"),
        "2028-07-01": Decimal("89302.50"),
        "2028-10-01": Decimal("89302.50"),
    }
    assert _adjustments(db, lease.id) == []
    with db.unit_of_work() as uow:
        applied = uow.amendments.get(amendment.id, EVERYTHING)
        periods = {(p["period_start"], p["before"], p["after"]) for p in applied.effect["periods"]}
        # The preview shows each quarter's change: July 90,000 → 81,000 … 2028 99,225 → 89,302.50.
        assert ("2026-07-01", "90000.00", "81000.00") in periods
        assert ("2027-01-01", "94500.00", "85050.00") in periods
        assert ("2028-10-01", "99225.00", "89302.50") in periods
        assert applied.effect["totals"]["unbilled_difference"] == str(
            2 * Decimal(-9000) + 4 * Decimal("-9450.00") + 4 * Decimal("-9922.50")
        )

    # The next thing a user does on an escalating lease: extend it a year. 2029 steps once more:
    # 29,767.50 × 1.05 = 31,255.875, rounded to 31,255.88 a month, 93,767.64 a quarter.
    _amend(run, people, lease, {"effective_on": date(2028, 12, 31), "ends_on": date(2029, 12, 31)}, april_10)
    rent = _rent(db, lease.id)
    assert [rent[f"2029-{m}-01"] for m in ("01", "04", "07", "10")] == [Decimal("93767.64")] * 4
    assert rent["2028-10-01"] == Decimal("89302.50")


def test_a_backdated_reduction_into_billed_quarters_is_credited_at_the_next_billing_run(
    run: Callable[..., Any], db: Database, people: Any, quarterly: Any, make_asset: Any, make_customer: Any
) -> None:
    """40,000 a month for 2026; the first two quarters are billed; from 15 March the rent is 30,000."""
    lease = _lease(
        run,
        people,
        quarterly,
        make_asset,
        make_customer,
        date(2026, 12, 31),
        {"charge_type": "rent", "monthly_amount": Decimal("40000.00")},
    )
    march_20 = datetime(2026, 3, 20, 2, tzinfo=UTC)
    billed = run(billing.run_billing, lease.project_id, SYSTEM, now=march_20)
    assert billed.numbers == ("SH-LJZ-202603-0001", "SH-LJZ-202603-0002")  # Q1 and Q2, 120,000 each

    amendment = _amend(
        run,
        people,
        lease,
        {
            "effective_on": date(2026, 3, 15),
            "charge_lines": [{"charge_type": "rent", "monthly_amount": Decimal("30000.00")}],
        },
        march_20,
    )

    # Q1 is now 2 months + 14/31 of March at 40,000 (98,064.52) and 17/31 of March at 30,000
    # (16,451.61): 114,516.13, 5,483.87 less than billed. Q2 is 3 × 30,000 = 90,000, 30,000 less.
    # Together 35,483.87 = 10,000 × (17/31 + 3).
    assert _adjustments(db, lease.id) == [
        ("2026-01-01", "2026-03-31", Decimal("-5483.87")),
        ("2026-04-01", "2026-06-30", Decimal("-30000.00")),
    ]
    assert _rent(db, lease.id)["2026-07-01"] == Decimal("90000.00")
    with db.unit_of_work() as uow:
        approval = uow.approvals.get(amendment.approval_id, EVERYTHING)
        # The approver saw the credit before deciding.
        assert approval.details["effect"]["totals"]["credit"] == "35483.87"

    report = run(billing.run_billing, lease.project_id, SYSTEM, now=datetime(2026, 3, 21, 2, tzinfo=UTC))
    assert report.credit_notes == 2
    with db.unit_of_work() as uow:
        notes = uow.session.scalars(
            select(CreditNote).where(CreditNote.lease_id == lease.id).order_by(CreditNote.number)
        ).all()
        assert [(n.number, n.amount) for n in notes] == [
            ("CN-SH-LJZ-202603-0001", Decimal("5483.87")),
            ("CN-SH-LJZ-202603-0002", Decimal("30000.00")),
        ]
        open_amounts = [amount for _c, amount in uow.charges.open_of_customer(lease.customer_id, "CNY")]
        # 240,000 billed − 35,483.87 credited = 204,516.13 still owed for the two quarters.
        assert sum(open_amounts) == Decimal("204516.13")
    again = run(billing.run_billing, lease.project_id, SYSTEM, now=datetime(2026, 3, 22, 2, tzinfo=UTC))
    assert again.credit_notes == 0


def test_a_rent_increase_into_a_billed_quarter_is_billed_as_an_adjustment_charge(
    run: Callable[..., Any], db: Database, people: Any, quarterly: Any, make_asset: Any, make_customer: Any
) -> None:
    lease = _lease(
        run,
        people,
        quarterly,
        make_asset,
        make_customer,
        date(2026, 12, 31),
        {"charge_type": "rent", "monthly_amount": Decimal("10000.00")},
    )
    march_20 = datetime(2026, 3, 20, 2, tzinfo=UTC)
    run(billing.run_billing, lease.project_id, SYSTEM, now=march_20)
    _amend(
        run,
        people,
        lease,
        {
            "effective_on": date(2026, 5, 1),
            "charge_lines": [{"charge_type": "rent", "monthly_amount": Decimal("12000.00")}],
        },
        march_20,
    )
    # Q2 was billed at 30,000; May and June at 12,000 make it 34,000: a debit of 4,000.
    assert _adjustments(db, lease.id) == [("2026-04-01", "2026-06-30", Decimal("4000.00"))]

    report = run(billing.run_billing, lease.project_id, SYSTEM, now=datetime(2026, 3, 21, 2, tzinfo=UTC))
    assert report.numbers == ("SH-LJZ-202603-0003",)
    assert report.amount == Decimal("4000.00")
    with db.unit_of_work() as uow:
        [charge] = [
            c for c, _ in uow.charges.open_of_customer(lease.customer_id, "CNY") if c.kind == "adjustment"
        ]
        assert (charge.period_start, charge.period_end, charge.amount) == (
            date(2026, 4, 1),
            date(2026, 6, 30),
            Decimal("4000.00"),
        )


CPI_LINE = {
    "charge_type": "rent",
    "monthly_amount": Decimal("20000.00"),
    "escalation": {"kind": "cpi", "every_months": 12, "index": "CN-CPI", "floor_percent": Decimal(0)},
}


def test_a_cpi_lease_is_generated_to_the_last_published_month_and_extended_as_values_arrive(
    run: Callable[..., Any], db: Database, people: Any, quarterly: Any, make_asset: Any, make_customer: Any
) -> None:
    run(
        codes.set_index_values,
        "CN-CPI",
        [{"month": date(2025, 12, 1), "value": Decimal("100.0")}],
        SYSTEM,
        now=SIGNED_AT,
    )
    lease = _lease(run, people, quarterly, make_asset, make_customer, date(2027, 12, 31), CPI_LINE)
    # The 2027 step needs December 2026's index, not yet published: the schedule stops at 2026.
    assert list(_rent(db, lease.id)) == ["2026-01-01", "2026-04-01", "2026-07-01", "2026-10-01"]

    # 45 days after the step the account manager is told; the daily job finds nothing to extend yet.
    late = run(schedules.follow_indexes, SYSTEM, now=datetime(2027, 2, 15, 2, tzinfo=UTC))
    assert [(w.number, w.month, w.step, w.days_late) for w in late.waiting] == [
        (lease.number, date(2026, 12, 1), date(2027, 1, 1), 0)
    ]
    assert (late.regenerated, late.alerted) == ((), 1)

    # December's CPI arrives at 102.3: +2.3 %, 20,000 → 20,460 a month, 61,380 a quarter.
    arrived = [{"month": date(2026, 12, 1), "value": Decimal("102.3")}]
    run(codes.set_index_values, "CN-CPI", arrived, SYSTEM, now=datetime(2027, 2, 16, 2, tzinfo=UTC))
    rent = _rent(db, lease.id)
    assert [rent[f"2027-{m}-01"] for m in ("01", "04", "07", "10")] == [Decimal("61380.00")] * 4
    quiet = run(schedules.follow_indexes, SYSTEM, now=datetime(2027, 2, 17, 2, tzinfo=UTC))
    assert (quiet.regenerated, quiet.waiting, quiet.alerted) == ((), (), 0)

    # A correction to 102.0 (+2 %: 20,400 a month) after Q1 2027 fell due on 1 January: Q1 stays billed
    # at 61,380 and is credited 3 × 60 = 180; the later quarters become 61,200.
    corrected = [{"month": date(2026, 12, 1), "value": Decimal("102.0")}]
    run(codes.set_index_values, "CN-CPI", corrected, SYSTEM, now=datetime(2027, 2, 20, 2, tzinfo=UTC))
    rent = _rent(db, lease.id)
    assert rent["2027-01-01"] == Decimal("61380.00")
    assert [rent[f"2027-{m}-01"] for m in ("04", "07", "10")] == [Decimal("61200.00")] * 3
    assert _adjustments(db, lease.id) == [("2027-01-01", "2027-03-31", Decimal("-180.00"))]


@pytest.mark.parametrize("value", [Decimal(0), Decimal("-1.5")])
def test_an_index_value_at_or_below_zero_is_refused(
    run: Callable[..., Any], db: Database, value: Decimal
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        run(
            codes.set_index_values,
            "CN-CPI",
            [{"month": date(2026, 1, 1), "value": Decimal(101)}, {"month": date(2026, 2, 1), "value": value}],
            SYSTEM,
            now=SIGNED_AT,
        )
    assert list(refused.value.fields) == ["values.1.value"]
    with db.unit_of_work() as uow:
        assert uow.price_indexes.series("CN-CPI") == {}
