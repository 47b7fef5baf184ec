"""Field-originated status change requests and work orders: states, project policy and the four-eyes rules."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from backend.core.domain.errors import N_, Conflict, Forbidden, ValidationFailed
from backend.core.domain.reasons import says_something
from backend.org.domain.org import PROJECT_FIELD_SETTINGS, LeaseEndStatus

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
    remote_report_allowed: bool = False
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
    """A remote confirmation needs the project's leave and a reason of real length."""
    if not policy.remote_confirmation_allowed:
        raise Forbidden(N_("This project requires confirmation on site: scan the asset's label there."))
    reason = (remote_reason or "").strip()
    if not reason:
        raise ValidationFailed.single("remote_reason", N_("Say why you confirm without being on site."))
    if not says_something(reason):
        raise ValidationFailed.single(
            "remote_reason",
            N_(
                "Say in a few words why you confirm without being on site (at least 4 Chinese characters "
                "or 8 letters)."
            ),
        )


class ReportFlag(enum.StrEnum):
    """How a report's presence was judged, shown to the manager beside the fix's plausibility flags."""

    REMOTE_REPORT = "remote_report"  # filed away from the asset where the project allows it, with a reason
    NO_FIX = "no_fix"  # no GPS fix at all


def presence_flags(
    policy: FieldPolicy,
    fenced: bool,
    has_fix: bool,
    fence_passed: bool | None,
    remote_reason: str | None,
    fence_reason: str | None = None,
) -> list[str]:
    """Whether a report (status change or inspection) may be filed from where it was made, and its flags.

    Where the asset (or its project) has a fence, a report is made inside it: a fix that passes the fence,
    or, only where the project allows remote reports, with a reason and flagged `remote_report`. Without a
    fence there is no place to prove, and any fix will do. A report without a fix is always flagged `no_fix`.
    """
    if has_fix and fence_passed is not False:
        return []
    if not fenced:
        return [ReportFlag.NO_FIX.value]
    if not policy.remote_report_allowed:
        if not has_fix:
            raise ValidationFailed.single(
                "gps", N_("Take a GPS fix at the asset: this project accepts reports made on site only.")
            )
        if fence_reason == "too_inaccurate":
            raise ValidationFailed.single(
                "gps", N_("The GPS fix is too inaccurate to prove presence at the asset: take a new fix.")
            )
        raise ValidationFailed.single(
            "gps",
            N_(
                "The GPS fix is outside the asset's geofence: this project accepts reports made on site only."
            ),
        )
    reason = (remote_reason or "").strip()
    if not says_something(reason):
        raise ValidationFailed.single(
            "remote_reason",
            N_(
                "Say in a few words why you report without being at the asset (at least 4 Chinese "
                "characters or 8 letters)."
            ),
        )
    flags = [ReportFlag.REMOTE_REPORT.value]
    return flags if has_fix else [ReportFlag.NO_FIX.value, *flags]


def check_confirmation_accuracy(accuracy_m: float | None) -> None:
    """A confirmation's fix must state a real accuracy: 0 or none is what a faked position reports."""
    if accuracy_m is None or accuracy_m <= 0:
        raise ValidationFailed.single(
            "gps.accuracy_m",
            N_("The fix states no accuracy (0 or missing), so it cannot prove presence: take a new fix."),
        )


REQUEST_TRANSITIONS: dict[RequestState, frozenset[RequestState]] = {
    RequestState.PENDING: frozenset(
        {RequestState.CONFIRMED, RequestState.REJECTED, RequestState.CANCELLED, RequestState.EXPIRED}
    ),
    RequestState.CONFIRMED: frozenset(),
    RequestState.REJECTED: frozenset(),
    RequestState.EXPIRED: frozenset(),
    RequestState.CANCELLED: frozenset(),
}
# Who the closing decision is recorded against: the confirmer or rejecter; nobody for a cancel or an expiry.
DECIDED_BY_CONFIRMER = frozenset({RequestState.CONFIRMED, RequestState.REJECTED})


@dataclass(frozen=True)
class RequestClosed:
    """Domain event: a status change request was confirmed, rejected, cancelled or expired."""

    request_id: int
    asset_id: int
    state: RequestState
    decided_by: int | None
    decided_at: datetime
    note: str | None

    name = "status_request.closed"

    @property
    def confirmer_id(self) -> int | None:
        """Who decided, for a confirmation or rejection (the applicant cancels; time expires)."""
        return self.decided_by if self.state in DECIDED_BY_CONFIRMER else None


@dataclass(frozen=True)
class StatusRequest:
    """A status change request's lifecycle: only a pending one changes, once, under the four-eyes rules."""

    id: int
    asset_id: int
    state: RequestState
    applicant_id: int | None
    expires_at: datetime

    def state_at(self, now: datetime) -> RequestState:
        """The state as anyone reads it at `now`: a pending request whose time ran out is expired."""
        return RequestState.EXPIRED if is_overdue(self.state, self.expires_at, now) else self.state

    def confirm(self, by: int | None, now: datetime, note: str | None = None) -> RequestClosed:
        """A second person confirms (the evidence was checked by the caller)."""
        check_open(self.state, self.expires_at, now)
        check_second_person(self.applicant_id, by)
        return self._close(RequestState.CONFIRMED, by, now, note)

    def reject(self, by: int | None, reason: str | None, now: datetime) -> RequestClosed:
        """A second person rejects, saying why."""
        if not (reason or "").strip():
            raise ValidationFailed.single("reason", N_("Say why the change is rejected."))
        check_open(self.state, self.expires_at, now)
        check_second_person(self.applicant_id, by)
        return self._close(RequestState.REJECTED, by, now, reason)

    def cancel(self, by: int | None, now: datetime) -> RequestClosed:
        """The applicant withdraws their own request."""
        if by is None or by != self.applicant_id:
            raise Forbidden(N_("Only the person who filed the request may cancel it."))
        check_open(self.state, self.expires_at, now)
        return self._close(RequestState.CANCELLED, by, now, None)

    def expire(self, now: datetime) -> RequestClosed:
        """Time ran out before anyone decided."""
        if not is_overdue(self.state, self.expires_at, now):
            raise Conflict(N_("The request is not overdue."))
        return self._close(RequestState.EXPIRED, None, now, None)

    def _close(self, target: RequestState, by: int | None, now: datetime, note: str | None) -> RequestClosed:
        if target not in REQUEST_TRANSITIONS[self.state]:
            raise Conflict(N_("The request is already %(state)s."), state=self.state.value)
        return RequestClosed(self.id, self.asset_id, target, by, now, (note or "").strip() or None)


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


@dataclass(frozen=True)
class WorkOrderMoved:
    """What a work order move sets: its new state and which of its times it stamps."""

    state: WorkOrderState
    started_at: datetime | None
    closed_at: datetime | None


@dataclass(frozen=True)
class WorkOrder:
    """A work order's lifecycle: open -> in_progress -> done, cancellable until it is done."""

    id: int
    asset_id: int
    kind: WorkOrderKind
    state: WorkOrderState
    blocks_letting: bool

    def move(self, target: WorkOrderState, now: datetime) -> tuple[WorkOrderMoved, WorkOrderClosed | None]:
        """The move and, when it closes the order, the `work_order.closed` event."""
        check_work_order_move(self.state, target)
        if target is WorkOrderState.IN_PROGRESS:
            return WorkOrderMoved(target, now, None), None
        closed = WorkOrderClosed(self.id, self.asset_id, self.kind, target, self.blocks_letting)
        return WorkOrderMoved(target, None, now), closed


DEFAULT_CONFIRM_COOLDOWN = timedelta(hours=72)


def moved_the_goalposts(changes: Iterable[tuple[Mapping[str, Any] | None, Mapping[str, Any] | None]]) -> bool:
    """Whether any of these changes (before, after) moved a fence or changed the field policy: what decides
    whether a confirmation proves anything."""
    watched = PROJECT_FIELD_SETTINGS
    for before, after in changes:
        old, new = before or {}, after or {}
        if any(name in new and new.get(name) != old.get(name) for name in watched):
            return True
    return False


def check_not_own_goalposts(
    changes: Iterable[tuple[Mapping[str, Any] | None, Mapping[str, Any] | None]], cooldown: timedelta
) -> None:
    """Whoever changed the asset's or project's fence or field policy lately (their audited updates and the
    approved proposals they made, within the cooldown, before and after) does not confirm there."""
    if moved_the_goalposts(changes):
        raise Forbidden(
            N_(
                "You changed this asset's or its project's geofence or field policy in the last %(hours)s "
                "hours: another manager confirms this request."
            ),
            hours=int(cooldown.total_seconds() // 3600),
        )


# How a confirmer read the label: a picture taken in the field app, or text typed or pasted (a label image
# downloaded and its URL pasted reads the same as a genuine scan, so it is told apart for the record).
SCAN_SOURCES = ("camera", "typed")
SCAN_NOT_FROM_CAMERA = "scan_not_from_camera"


def scan_flags(source: str | None) -> list[str]:
    """The flag for a label not read by the camera: typed, pasted, or from an app that does not say."""
    return [] if source == "camera" else [SCAN_NOT_FROM_CAMERA]
