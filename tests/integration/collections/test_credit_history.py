"""Credit profile and lease health on a real ledger: settled days from live allocations, scope, the counts."""

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from backend.collections.domain.credit import ReasonCode
from backend.collections.domain.health import Colour, Renewal, Signal
from backend.collections.services import credit, health
from backend.core.db.database import Database
from backend.core.domain.access import Assignment, Permission, Role, principal_from
from backend.core.domain.audit import Origin
from backend.core.domain.errors import NotFound
from backend.core.services.context import Actor
from backend.demo.leasing import TEMPLATES_BY_TYPE
from backend.field.domain.requests import WorkOrderKind, WorkOrderState
from backend.leasing.domain.leases import AmendmentStatus, ContractType
from backend.leasing.services import leases
from backend.receivables.services import billing, ledger
from tests.conftest import SYSTEM

# 20 May 2026, noon in Shanghai.
NOW = datetime(2026, 5, 20, 4, 0, tzinfo=UTC)
RENT = Decimal("10000.00")
EVERYWHERE = SYSTEM.scope_for(Permission.RECEIVABLE_READ)


def _actor(role: Role, region_id: int) -> Actor:
    return Actor(principal_from(9001, "reader", [Assignment(role, region_id=region_id)]), Origin.WEB)


@pytest.fixture
def tenancy(
    run: Callable[..., Any], make_region: Any, make_project: Any, make_asset: Any, make_customer: Any
) -> Any:
    """A 2026 lease of 10,000.00 a month due on the 5th, billed January to May on 21 April."""
    region = make_region()
    project = make_project(region, code="SH-CR")
    customer = make_customer(region, name="上海守信科技有限公司")
    asset = make_asset(project)
    values = TEMPLATES_BY_TYPE[ContractType.OFFICE].values() | {
        "code": "M5-CREDIT",
        "required_fields": [],
        "frequency": "monthly",
        "timing": "prepaid",
        "due_day": 5,
        "due_offset_days": 0,
        "business_day_rule": "none",
        "billing_lead_days": 15,
    }
    template = run(leases.create_template, values, SYSTEM)
    draft = run(
        leases.create_lease,
        {
            "template_id": template.id,
            "asset_ids": [asset.id],
            "customer_id": customer.id,
            "starts_on": date(2026, 1, 1),
            "ends_on": date(2026, 12, 31),
            "charge_lines": [{"charge_type": "rent", "monthly_amount": RENT}],
        },
        SYSTEM,
    )
    lease = run(leases.sign_lease, draft.id, SYSTEM, now=datetime(2025, 12, 20, tzinfo=UTC))
    run(billing.run_billing, project.id, SYSTEM, now=datetime(2026, 4, 21, 4, 0, tzinfo=UTC))
    return {"region": region, "project": project, "customer": customer, "asset": asset, "lease": lease}


def _pay(db: Database, tenancy: Any, charge_id: int, on: date, amount: Decimal) -> int:
    with db.unit_of_work() as uow:
        payment = ledger.record_payment(
            {
                "customer_id": tenancy["customer"].id,
                "project_id": tenancy["project"].id,
                "received_on": on,
                "amount": amount,
                "allocations": [{"charge_id": charge_id, "amount": amount}],
            },
            SYSTEM,
            uow,
            NOW,
        )
        return int(payment.id)


@pytest.fixture
def ledger_history(db: Database, tenancy: Any) -> dict[int, int]:
    """January on time; February 20 days late; March paid a day late after a credit note; April in two parts,
    the last 25 days late; May paid on the 6th but the allocation undone: open."""
    with db.unit_of_work() as uow:
        rows = uow.charges.settlement_history([tenancy["customer"].id], EVERYWHERE, NOW.date())
    by_month = {row[4].month: row[0] for row in rows}
    assert sorted(by_month) == [1, 2, 3, 4, 5]
    _pay(db, tenancy, by_month[1], date(2026, 1, 5), RENT)
    _pay(db, tenancy, by_month[2], date(2026, 2, 25), RENT)
    with db.unit_of_work() as uow:
        ledger.issue_credit_note(
            {
                "charge_id": by_month[3],
                "amount": Decimal("1000.00"),
                "reason": "空调故障减免",
                "issued_on": date(2026, 3, 4),
            },
            SYSTEM,
            uow,
            NOW,
        )
    _pay(db, tenancy, by_month[3], date(2026, 3, 6), Decimal("9000.00"))
    _pay(db, tenancy, by_month[4], date(2026, 4, 3), Decimal("5000.00"))
    _pay(db, tenancy, by_month[4], date(2026, 4, 30), Decimal("5000.00"))
    undone = _pay(db, tenancy, by_month[5], date(2026, 5, 6), RENT)
    with db.unit_of_work() as uow:
        (allocation,) = uow.allocations.live_of(payment_id=undone)
        ledger.unallocate(allocation.id, SYSTEM, uow, NOW)
    return by_month


def test_the_settlement_history_gives_each_bill_the_day_its_live_allocations_covered_it(
    db: Database, tenancy: Any, ledger_history: dict[int, int]
) -> None:
    with db.unit_of_work() as uow:
        rows = uow.charges.settlement_history([tenancy["customer"].id], EVERYWHERE, date(2026, 5, 20))
        before_april_30 = uow.charges.settlement_history(
            [tenancy["customer"].id], EVERYWHERE, date(2026, 4, 29)
        )

    assert [(row[4], row[5], row[6], row[7]) for row in rows] == [
        (date(2026, 1, 5), RENT, "CNY", date(2026, 1, 5)),
        (date(2026, 2, 5), RENT, "CNY", date(2026, 2, 25)),
        (date(2026, 3, 5), RENT, "CNY", date(2026, 3, 6)),  # the credit note of 4 March and 6 March's money
        (date(2026, 4, 5), RENT, "CNY", date(2026, 4, 30)),  # the second half completed it
        (date(2026, 5, 5), RENT, "CNY", None),  # its allocation was undone
    ]
    assert {row[2] for row in rows} == {tenancy["lease"].id}
    # On 29 April only half of April is paid: open then.
    assert [row[7] for row in before_april_30] == [
        date(2026, 1, 5),
        date(2026, 2, 25),
        date(2026, 3, 6),
        None,
        None,
    ]


def test_the_credit_profile_is_computed_from_the_ledger_as_by_hand(
    db: Database, tenancy: Any, ledger_history: dict[int, int]
) -> None:
    reader = _actor(Role.FINANCE, tenancy["region"].id)
    with db.unit_of_work() as uow:
        result = credit.credit_profile(tenancy["customer"].id, reader, uow, NOW)

    features = result.features
    # Late: February 20 days, March 1, April 25, May open 15 days on 20 May (as dunning counts it that
    # morning: booked through the 19th); January on time.
    assert (features.bills, features.late_bills, features.on_time_rate) == (5, 4, pytest.approx(0.2))
    assert features.average_days_late == 15.25  # (20 + 1 + 25 + 15) / 4
    assert features.open_overdue == {"CNY": RENT}
    # Beta (4 + 4 × 0.25) / (5 + 4) = 5/9; logit ln 1.25 = 0.22314, days late 61/30/5 = 0.40667 → 0.65245.
    assert result.probability_late == pytest.approx(0.65245, abs=1e-5)
    assert result.score == 35
    assert [r.code for r in result.reasons] == list(ReasonCode)


def test_a_reader_of_another_region_gets_not_found_for_the_customer_and_the_lease(
    db: Database, make_region: Any, tenancy: Any, ledger_history: dict[int, int]
) -> None:
    stranger = _actor(Role.REGIONAL_MANAGER, make_region().id)

    with db.unit_of_work() as uow, pytest.raises(NotFound):
        credit.credit_profile(tenancy["customer"].id, stranger, uow, NOW)
    with db.unit_of_work() as uow, pytest.raises(NotFound):
        health.lease_health(tenancy["lease"].id, stranger, uow, NOW)


def test_lease_health_counts_deviations_change_requests_and_work_orders_as_by_hand(
    db: Database, tenancy: Any, ledger_history: dict[int, int]
) -> None:
    lease, asset = tenancy["lease"], tenancy["asset"]
    with db.unit_of_work() as uow:
        # Six repairs in April count (one a day before midnight in Shanghai, 16:30 UTC on 30 April, is May);
        # a cancelled repair and a cleaning do not.
        for day in (1, 3, 8, 14, 22, 29):
            _work(uow, asset, lease, WorkOrderKind.REPAIR, datetime(2026, 4, day, 2, 0, tzinfo=UTC))
        _work(uow, asset, lease, WorkOrderKind.REPAIR, datetime(2026, 4, 30, 16, 30, tzinfo=UTC))
        _work(
            uow,
            asset,
            lease,
            WorkOrderKind.REPAIR,
            datetime(2026, 4, 9, tzinfo=UTC),
            WorkOrderState.CANCELLED,
        )
        _work(uow, asset, lease, WorkOrderKind.CLEANING, datetime(2026, 4, 10, tzinfo=UTC))
        # Two change requests in 2026 and a cancelled third: under the red threshold of three.
        for version, (month, status) in enumerate(
            [(2, AmendmentStatus.APPLIED), (3, AmendmentStatus.REJECTED), (4, AmendmentStatus.CANCELLED)],
            start=2,
        ):
            uow.amendments.create(
                lease_id=lease.id,
                version=version,
                kinds=["rent"],
                status=status,
                effective_on=date(2026, month, 1),
                reason="租金调整",
                changes={},
                created_at=datetime(2026, month, 1, tzinfo=UTC),
            )
        uow.commit()

    reader = _actor(Role.FINANCE, tenancy["region"].id)
    with db.unit_of_work() as uow:
        result = health.lease_health(lease.id, reader, uow, NOW)

    assert [(q.quarter, q.colour) for q in result.quarters] == [
        ("2025-Q3", Colour.GREEN),
        ("2025-Q4", Colour.GREEN),
        ("2026-Q1", Colour.GREEN),
        ("2026-Q2", Colour.ORANGE),
    ]
    counts = {(c.signal, c.period): c.count for c in result.current.counts}
    # Deviations over five business days: April (30 April) and May (open past its fifth business day);
    # February's (25 February) is in the first quarter, March's (a day late) is none.
    assert counts[(Signal.PAYMENT_DEVIATIONS, "2026-Q2")] == 2
    assert {(c.signal, c.period): c.count for c in result.quarters[2].counts}[
        (Signal.PAYMENT_DEVIATIONS, "2026-Q1")
    ] == 1
    assert counts[(Signal.WORK_ORDERS, "2026-04")] == 6
    assert counts[(Signal.WORK_ORDERS, "2026-05")] == 1
    assert counts[(Signal.CHANGE_REQUESTS, "2026")] == 2
    assert result.current.actions == (
        "Send an engineer to survey on site whether the premises suit the tenant's use.",
    )

    with db.unit_of_work() as uow:
        advice = health.renewal_advice(lease.id, reader, uow, NOW)
    # A 65 % chance of a late bill is past the release threshold of 60 %.
    assert advice.recommendation is Renewal.PREPARE_TO_RELEASE
    assert [r.code for r in advice.reasons] == ["late_probability_high", "health_orange"]


def _work(
    uow: Any,
    asset: Any,
    lease: Any,
    kind: WorkOrderKind,
    at: datetime,
    state: WorkOrderState = WorkOrderState.OPEN,
) -> None:
    uow.work_orders.create(
        kind=kind,
        state=state,
        asset_id=asset.id,
        project_id=asset.project_id,
        title="空调维修",
        created_at=at,
    )
