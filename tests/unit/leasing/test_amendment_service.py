"""Amending a signed lease on an in-memory unit of work: four eyes for a rent cut, billed periods kept."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from backend.core.domain.access import Role
from backend.core.domain.approvals import ApprovalKind, ApprovalStatus, Decision
from backend.core.domain.errors import Conflict, Forbidden
from backend.core.domain.jobs import JobKind, JobStatus
from backend.core.services import approvals
from backend.core.services.context import Actor
from backend.leasing.domain.leases import AmendmentStatus, LeaseStatus
from backend.leasing.domain.schedule import ChargeType, Frequency, Timing
from backend.leasing.services import amendments, schedules
from backend.notify.domain.notifications import NotificationKind
from tests.support.fake_uow import FakeUnitOfWork, Given

NOW = datetime(2026, 4, 10, 2, 0, tzinfo=UTC)
RENT = Decimal("10000.00")
RENT_CUT = {
    "effective_on": date(2026, 2, 1),
    "reason": "市场下行，降租留住租户",
    "charge_lines": [{"charge_type": "rent", "monthly_amount": Decimal("8000.00")}],
}


@dataclass
class Letting:
    """A signed six-month lease billed monthly in advance, its first quarter invoiced; and its people."""

    lease: Any
    manager: Actor
    finance: Actor
    agent: Actor


@pytest.fixture
def letting(uow: FakeUnitOfWork, given: Given) -> Letting:
    region = given.region()
    project = given.project(region)
    lease = given.lease(
        project,
        [given.asset(project)],
        [{"charge_type": ChargeType.RENT, "monthly_amount": RENT}],
        status=LeaseStatus.SIGNED,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 6, 30),
        frequency=Frequency.MONTHLY,
        timing=Timing.PREPAID,
    )
    manager = given.actor(given.user(Role.PROJECT_MANAGER, project=project))
    letting = Letting(
        lease=lease,
        manager=manager,
        finance=given.actor(given.user(Role.FINANCE, region=region)),
        agent=given.actor(given.user(Role.LEASING_AGENT, project=project)),
    )
    schedules.regenerate(lease.id, manager, uow, NOW)
    for item in uow.schedules.of_lease(lease.id)[:3]:
        item.status = "issued"  # as billing does
    uow.commit()
    uow.settle()
    return letting


def rent_by_month(uow: FakeUnitOfWork, lease: Any) -> dict[str, tuple[Decimal, str]]:
    return {
        item.period_start.isoformat(): (item.amount, item.status)
        for item in uow.schedules.of_lease(lease.id)
        if item.charge_type is ChargeType.RENT and item.status != "adjustment"
    }


def adjustments_of(uow: FakeUnitOfWork, lease: Any) -> list[tuple[str, str, Decimal]]:
    return [
        (item.period_start.isoformat(), item.line_key, item.amount)
        for item in uow.schedules.of_lease(lease.id)
        if item.status == "adjustment"
    ]


BEFORE = {
    "2026-01-01": (RENT, "issued"),
    "2026-02-01": (RENT, "issued"),
    "2026-03-01": (RENT, "issued"),
    "2026-04-01": (RENT, "scheduled"),
    "2026-05-01": (RENT, "scheduled"),
    "2026-06-01": (RENT, "scheduled"),
}


def test_a_rent_reduction_waits_for_a_second_persons_approval(uow: FakeUnitOfWork, letting: Letting) -> None:
    assert rent_by_month(uow, letting.lease) == BEFORE

    amendment = amendments.request_amendment(letting.lease.id, RENT_CUT, letting.manager, uow, NOW)

    assert uow.commits == 1
    assert uow.uncommitted() == []
    assert (amendment.status, amendment.kinds, amendment.version) == (
        AmendmentStatus.PENDING_APPROVAL,
        ["rent_reduction"],
        2,
    )
    [approval] = uow.written("approvals")
    assert (approval.kind, approval.status, approval.subject_id, amendment.approval_id) == (
        ApprovalKind.LEASE_AMENDMENT,
        ApprovalStatus.PENDING,
        amendment.id,
        approval.id,
    )
    asked = uow.written("notifications")
    assert [(n.user_id, n.kind) for n in asked] == [
        (letting.finance.user_id, NotificationKind.APPROVAL_REQUESTED)
    ]
    assert rent_by_month(uow, letting.lease) == BEFORE
    assert (letting.lease.version, len(letting.lease.charge_lines)) == (1, 1)
    assert {e.entity_type for e in uow.written("audit_log")} == {"lease_amendment", "approval"}


def test_a_second_person_approving_it_regenerates_only_the_unbilled_periods(
    uow: FakeUnitOfWork, letting: Letting
) -> None:
    amendment = amendments.request_amendment(letting.lease.id, RENT_CUT, letting.manager, uow, NOW)
    uow.settle()
    today = date(2026, 4, 10)
    billed = uow.schedules.kept_of(letting.lease.id, today)

    approval = approvals.decide(amendment.approval_id, Decision.APPROVE, "同意", letting.finance, uow, NOW)

    assert uow.commits == 1
    assert uow.uncommitted() == []
    assert (approval.status, approval.decided_by_id) == (ApprovalStatus.APPROVED, letting.finance.user_id)
    assert (amendment.status, amendment.applied_at) == (AmendmentStatus.APPLIED, NOW)
    # From February the rent is 8,000 a month. January to March were invoiced at 10,000, and April fell
    # due on 1 April, before today (10 April): all four stay as they are. May and June are written
    # again at 8,000; February, March and April are each credited 10,000 − 8,000 = 2,000.
    assert rent_by_month(uow, letting.lease) == {
        "2026-01-01": (RENT, "issued"),
        "2026-02-01": (RENT, "issued"),
        "2026-03-01": (RENT, "issued"),
        "2026-04-01": (RENT, "scheduled"),
        "2026-05-01": (Decimal("8000.00"), "scheduled"),
        "2026-06-01": (Decimal("8000.00"), "scheduled"),
    }
    assert adjustments_of(uow, letting.lease) == [
        ("2026-02-01", "a2", Decimal("-2000.00")),
        ("2026-03-01", "a2", Decimal("-2000.00")),
        ("2026-04-01", "a2", Decimal("-2000.00")),
    ]
    assert [i for i in uow.schedules.kept_of(letting.lease.id, today) if i.status != "adjustment"] == billed
    # 10,000 (January) + 5 × 8,000 = 50,000: the amended terms, to the cent.
    assert sum(i.amount for i in uow.schedules.of_lease(letting.lease.id)) == Decimal("50000.00")
    assert {i.lease_version for i in uow.written("schedule_items")} == {2}
    totals = {"unbilled_difference": "-4000.00", "credit": "6000.00", "debit": "0.00"}
    assert amendment.effect["totals"] == totals
    first, cut = letting.lease.charge_lines
    assert (first.monthly_amount, first.ends_on) == (RENT, date(2026, 1, 31))
    assert (cut.monthly_amount, cut.starts_on, cut.ends_on, cut.created_by_amendment_id) == (
        Decimal("8000.00"),
        date(2026, 2, 1),
        date(2026, 6, 30),
        amendment.id,
    )
    assert letting.lease.version == 2
    [run] = uow.written("job_runs")
    assert (run.kind, run.status, run.details["items"]) == (JobKind.SCHEDULE_GENERATE, JobStatus.SUCCEEDED, 5)
    [told] = uow.written("notifications")
    assert (told.user_id, told.kind) == (letting.manager.user_id, NotificationKind.APPROVAL_DECIDED)


def test_the_requester_may_not_approve_their_own_amendment(uow: FakeUnitOfWork, letting: Letting) -> None:
    amendment = amendments.request_amendment(letting.lease.id, RENT_CUT, letting.manager, uow, NOW)
    uow.settle()
    with pytest.raises(Forbidden):
        approvals.decide(amendment.approval_id, Decision.APPROVE, None, letting.manager, uow, NOW)
    assert uow.commits == 0
    assert uow.uncommitted() == []
    assert amendment.status is AmendmentStatus.PENDING_APPROVAL
    assert rent_by_month(uow, letting.lease) == BEFORE


def test_nobody_amends_a_lease_while_an_amendment_waits(uow: FakeUnitOfWork, letting: Letting) -> None:
    amendments.request_amendment(letting.lease.id, RENT_CUT, letting.manager, uow, NOW)
    uow.settle()
    with pytest.raises(Conflict):
        amendments.request_amendment(letting.lease.id, RENT_CUT, letting.agent, uow, NOW)
    assert uow.commits == 0
    assert uow.uncommitted() == []
