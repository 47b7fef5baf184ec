"""Field-originated status change requests and work orders: states, project policy and the four-eyes rules."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from backend.core.domain.errors import N_, Conflict, Forbidden, ValidationFailed
from backend.org.domain.org import LeaseEndStatus

DEFAULT_REQUEST_TTL_HOURS = 72


class RequestState(enum.StrEnum):
    """Where a status change request stands; only `pending` can change."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class FieldPolicy:
    """A project's rules for field evidence and automatic moves."""

    remote_confirmation_allowed: bool = False
    gps_max_accuracy_m: float = 50.0
    gps_tolerance_m: float = 10.0
    lease_end_status: LeaseEndStatus = LeaseEndStatus.RENOVATION
    status_request_ttl_hours: int = DEFAULT_REQUEST_TTL_HOURS

    def expires_at(self, submitted_at: datetime) -> datetime:
        """When a request submitted at `submitted_at` runs out of time."""
        return submitted_at + timedelta(hours=self.status_request_ttl_hours)


def check_open(state: RequestState, expires_at: datetime, now: datetime) -> None:
    """Refuse acting on a request that is decided already or ran out of time."""
    if state is not RequestState.PENDING:
        raise Conflict(N_("The request is already %(state)s."), state=state.value)
    if now >= expires_at:
        raise Conflict(N_("The request expired before anyone confirmed it."))


def is_overdue(state: RequestState, expires_at: datetime, now: datetime) -> bool:
    """Whether a pending request ran out of time."""
    return state is RequestState.PENDING and now >= expires_at


def check_second_person(applicant_id: int | None, decider_id: int | None) -> None:
    """Four eyes: the applicant never confirms or rejects their own request."""
    if decider_id is not None and decider_id == applicant_id:
        raise Forbidden(N_("A second person must decide: you filed this request yourself."))


def check_remote(policy: FieldPolicy, remote_reason: str | None) -> None:
    """A remote confirmation needs the project's leave and a reason."""
    if not policy.remote_confirmation_allowed:
        raise Forbidden(N_("This project requires confirmation on site: scan the asset's label there."))
    if not (remote_reason or "").strip():
        raise ValidationFailed.single("remote_reason", N_("Say why you confirm without being on site."))


class WorkOrderKind(enum.StrEnum):
    """What a work order is for."""

    HANDOVER = "handover"
    CLEANING = "cleaning"
    REPAIR = "repair"
    INSPECTION = "inspection"
    METER_READING = "meter_reading"


class WorkOrderState(enum.StrEnum):
    """open -> in_progress -> done; open or in progress may be cancelled."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


WORK_ORDER_TRANSITIONS: dict[WorkOrderState, frozenset[WorkOrderState]] = {
    WorkOrderState.OPEN: frozenset(
        {WorkOrderState.IN_PROGRESS, WorkOrderState.DONE, WorkOrderState.CANCELLED}
    ),
    WorkOrderState.IN_PROGRESS: frozenset({WorkOrderState.DONE, WorkOrderState.CANCELLED}),
    WorkOrderState.DONE: frozenset(),
    WorkOrderState.CANCELLED: frozenset(),
}
CLOSED_WORK_ORDER_STATES = frozenset({WorkOrderState.DONE, WorkOrderState.CANCELLED})


def check_work_order_move(current: WorkOrderState, target: WorkOrderState) -> None:
    """Refuse a work order move the lifecycle does not allow."""
    if target not in WORK_ORDER_TRANSITIONS[current]:
        raise Conflict(
            N_("A work order that is %(current)s cannot become %(target)s."),
            current=current.value,
            target=target.value,
        )


@dataclass(frozen=True)
class WorkOrderOpened:
    """Domain event: a work order was opened."""

    work_order_id: int
    asset_id: int
    kind: WorkOrderKind
    blocks_letting: bool

    name = "work_order.opened"


@dataclass(frozen=True)
class WorkOrderClosed:
    """Domain event: a work order was done or cancelled."""

    work_order_id: int
    asset_id: int
    kind: WorkOrderKind
    state: WorkOrderState
    blocks_letting: bool

    name = "work_order.closed"
