"""Lifecycles as domain methods: status requests, work orders and approvals, each by its transition table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from backend.core.domain.approvals import Approval, ApprovalStatus, Decision
from backend.core.domain.errors import Conflict, Forbidden, ValidationFailed
from backend.field.domain.requests import (
    RequestState,
    StatusRequest,
    WorkOrder,
    WorkOrderKind,
    WorkOrderState,
)

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=80)


def pending(applicant: int | None = 7) -> StatusRequest:
    return StatusRequest(1, 10, RequestState.PENDING, applicant, NOW + timedelta(hours=72))


def test_a_pending_request_reads_expired_once_its_time_ran_out() -> None:
    assert pending().state_at(NOW) is RequestState.PENDING
    assert pending().state_at(LATER) is RequestState.EXPIRED
    closed = StatusRequest(1, 10, RequestState.REJECTED, 7, NOW)
    assert closed.state_at(LATER) is RequestState.REJECTED


def test_a_confirmation_by_a_second_person_closes_the_request_and_names_the_confirmer() -> None:
    event = pending().confirm(8, NOW, "  looked at it  ")
    assert (event.state, event.decided_by, event.confirmer_id, event.note) == (
        RequestState.CONFIRMED,
        8,
        8,
        "looked at it",
    )
    with pytest.raises(Forbidden):
        pending().confirm(7, NOW)


def test_a_closed_or_overdue_request_cannot_be_decided_again() -> None:
    for state in (
        RequestState.CONFIRMED,
        RequestState.REJECTED,
        RequestState.CANCELLED,
        RequestState.EXPIRED,
    ):
        with pytest.raises(Conflict):
            StatusRequest(1, 10, state, 7, NOW + timedelta(hours=1)).reject(8, "no", NOW)
    with pytest.raises(Conflict):
        pending().confirm(8, LATER)


def test_rejecting_needs_a_reason_cancelling_needs_the_applicant_expiry_needs_the_time() -> None:
    with pytest.raises(ValidationFailed):
        pending().reject(8, "  ", NOW)
    with pytest.raises(Forbidden):
        pending().cancel(8, NOW)
    assert pending().cancel(7, NOW).confirmer_id is None
    with pytest.raises(Conflict):
        pending().expire(NOW)
    expired = pending().expire(LATER)
    assert (expired.state, expired.decided_by) == (RequestState.EXPIRED, None)


def test_a_work_order_move_stamps_its_time_and_closing_it_is_an_event() -> None:
    order = WorkOrder(3, 10, WorkOrderKind.REPAIR, WorkOrderState.OPEN, blocks_letting=True)
    started, event = order.move(WorkOrderState.IN_PROGRESS, NOW)
    assert (started.state, started.started_at, started.closed_at, event) == (
        WorkOrderState.IN_PROGRESS,
        NOW,
        None,
        None,
    )
    done, closed = order.move(WorkOrderState.DONE, NOW)
    assert done.closed_at == NOW
    assert closed is not None
    assert (closed.state, closed.blocks_letting) == (WorkOrderState.DONE, True)
    with pytest.raises(Conflict):
        WorkOrder(3, 10, WorkOrderKind.REPAIR, WorkOrderState.DONE, False).move(WorkOrderState.OPEN, NOW)


def test_an_approval_is_decided_once_by_someone_else_and_reads_expired_when_overdue() -> None:
    approval = Approval(5, ApprovalStatus.PENDING, 7, NOW + timedelta(days=14))
    assert approval.decide(Decision.APPROVE, 8, NOW, None).status is ApprovalStatus.APPROVED
    with pytest.raises(Forbidden):
        approval.decide(Decision.APPROVE, 7, NOW, None)
    with pytest.raises(Forbidden):
        approval.decide(Decision.CANCEL, 8, NOW, None)
    assert approval.decide(Decision.CANCEL, 7, NOW, None).status is ApprovalStatus.CANCELLED
    overdue = NOW + timedelta(days=15)
    assert approval.status_at(overdue) is ApprovalStatus.EXPIRED
    with pytest.raises(Conflict):
        approval.decide(Decision.REJECT, 8, overdue, "late")
    assert approval.expire(overdue).status is ApprovalStatus.EXPIRED
    with pytest.raises(Conflict):
        Approval(5, ApprovalStatus.APPROVED, 7, None).expire(overdue)
