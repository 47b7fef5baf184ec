"""The four-eyes, remote-confirmation and expiry rules of field requests, and the work order lifecycle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from backend.core.domain.errors import Conflict, Forbidden, ValidationFailed
from backend.field.domain.requests import (
    FieldPolicy,
    RequestState,
    WorkOrderState,
    check_confirmation_accuracy,
    check_open,
    check_remote,
    check_second_person,
    check_work_order_move,
    is_overdue,
)

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def test_the_applicant_is_never_the_second_person() -> None:
    with pytest.raises(Forbidden):
        check_second_person(7, 7)
    check_second_person(7, 8)
    check_second_person(None, 8)  # filed by the system: any person with authority decides


def test_remote_confirmation_needs_the_policy_and_a_reason() -> None:
    with pytest.raises(Forbidden):
        check_remote(FieldPolicy(), "视频确认")
    with pytest.raises(ValidationFailed) as missing:
        check_remote(FieldPolicy(remote_confirmation_allowed=True), "  ")
    assert set(missing.value.fields) == {"remote_reason"}
    check_remote(FieldPolicy(remote_confirmation_allowed=True), "视频确认")
    check_remote(FieldPolicy(remote_confirmation_allowed=True), "tenant on the phone")
    for hollow in (".", "。。。。", "ok", "确认", "aaaaaaaaaa", "1-2-3"):
        with pytest.raises(ValidationFailed):
            check_remote(FieldPolicy(remote_confirmation_allowed=True), hollow)


def test_a_confirmation_fix_must_state_a_real_accuracy() -> None:
    for accuracy in (None, 0.0, -1.0):
        with pytest.raises(ValidationFailed) as refused:
            check_confirmation_accuracy(accuracy)
        assert set(refused.value.fields) == {"gps.accuracy_m"}
    check_confirmation_accuracy(0.5)


def test_a_request_expires_after_the_policys_hours_and_is_closed_from_then_on() -> None:
    expires = FieldPolicy().expires_at(NOW)
    assert expires - NOW == timedelta(hours=72)
    assert not is_overdue(RequestState.PENDING, expires, expires - timedelta(seconds=1))
    assert is_overdue(RequestState.PENDING, expires, expires)
    assert not is_overdue(RequestState.CONFIRMED, expires, expires)
    with pytest.raises(Conflict):
        check_open(RequestState.PENDING, expires, expires)
    with pytest.raises(Conflict):
        check_open(RequestState.REJECTED, expires, NOW)
    check_open(RequestState.PENDING, expires, NOW)


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        (WorkOrderState.OPEN, WorkOrderState.IN_PROGRESS, True),
        (WorkOrderState.OPEN, WorkOrderState.DONE, True),
        (WorkOrderState.IN_PROGRESS, WorkOrderState.CANCELLED, True),
        (WorkOrderState.IN_PROGRESS, WorkOrderState.OPEN, False),
        (WorkOrderState.DONE, WorkOrderState.CANCELLED, False),
        (WorkOrderState.CANCELLED, WorkOrderState.IN_PROGRESS, False),
    ],
)
def test_work_orders_move_only_forward(
    current: WorkOrderState, target: WorkOrderState, allowed: bool
) -> None:
    if allowed:
        check_work_order_move(current, target)
    else:
        with pytest.raises(Conflict):
            check_work_order_move(current, target)
