"""Four-eyes approvals: a change one person asks for takes effect only when another person decides."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from backend.core.domain.errors import N_, Conflict, Forbidden, ValidationFailed


class ApprovalKind(enum.StrEnum):
    """What is being approved; each kind names the object the decision applies to."""

    LEASE_AMENDMENT = "lease_amendment"
    STATUS_CHANGE = "status_change"
    FIELD_SETTINGS = "field_settings"  # an asset's or project's geofence, a project's field policy
    GRACE_PERIOD = "grace_period"  # days without dunning a customer asked for
    LATE_FEE_WAIVER = "late_fee_waiver"  # part of a bill's late fee forgiven
    DEVICE_LOCK = "device_lock"  # locking a leased machine of an overdue equipment lease


class ApprovalStatus(enum.StrEnum):
    """Where an approval stands; only `pending` can change."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class Decision(enum.StrEnum):
    """What a decider (or the requester, for cancel) does with a pending approval."""

    APPROVE = "approve"
    REJECT = "reject"
    CANCEL = "cancel"


DEFAULT_VALIDITY = timedelta(days=14)
OUTCOME = {
    Decision.APPROVE: ApprovalStatus.APPROVED,
    Decision.REJECT: ApprovalStatus.REJECTED,
    Decision.CANCEL: ApprovalStatus.CANCELLED,
}


def check_decision(
    *,
    status: ApprovalStatus,
    decision: Decision,
    requested_by_id: int | None,
    decider_id: int | None,
    expires_at: datetime | None,
    now: datetime,
    reason: str | None,
) -> ApprovalStatus:
    """The status a decision leads to, or the rule it breaks.

    Deciders other than the requester approve or reject; only the requester cancels. A rejection
    needs a reason so the requester learns why.
    """
    if status is not ApprovalStatus.PENDING:
        raise Conflict(N_("The approval is already %(status)s."), status=status.value)
    if expires_at is not None and now >= expires_at:
        raise Conflict(N_("The approval expired before a decision was made."))
    if decision is Decision.CANCEL:
        if decider_id is None or decider_id != requested_by_id:
            raise Forbidden(N_("Only the person who asked for the approval may cancel it."))
        return ApprovalStatus.CANCELLED
    if decider_id is not None and decider_id == requested_by_id:
        raise Forbidden(N_("A second person must decide: you asked for this approval yourself."))
    if decision is Decision.REJECT and not (reason or "").strip():
        raise ValidationFailed.single("reason", N_("Say why the change is rejected."))
    return OUTCOME[decision]


def is_expired(status: ApprovalStatus, expires_at: datetime | None, now: datetime) -> bool:
    """Whether a pending approval ran out of time."""
    return status is ApprovalStatus.PENDING and expires_at is not None and now >= expires_at


APPROVAL_TRANSITIONS: dict[ApprovalStatus, frozenset[ApprovalStatus]] = {
    ApprovalStatus.PENDING: frozenset(
        {ApprovalStatus.APPROVED, ApprovalStatus.REJECTED, ApprovalStatus.CANCELLED, ApprovalStatus.EXPIRED}
    ),
    ApprovalStatus.APPROVED: frozenset(),
    ApprovalStatus.REJECTED: frozenset(),
    ApprovalStatus.CANCELLED: frozenset(),
    ApprovalStatus.EXPIRED: frozenset(),
}


@dataclass(frozen=True)
class ApprovalDecided:
    """Domain event: an approval was approved, rejected, cancelled or ran out of time."""

    approval_id: int
    status: ApprovalStatus
    decided_by: int | None
    decided_at: datetime
    note: str | None

    name = "approval.decided"


@dataclass(frozen=True)
class Approval:
    """An approval's lifecycle: a pending approval is decided once, by the four-eyes rules, or expires."""

    id: int
    status: ApprovalStatus
    requested_by_id: int | None
    expires_at: datetime | None

    def status_at(self, now: datetime) -> ApprovalStatus:
        """The status as anyone reads it at `now`: a pending approval whose time ran out is expired."""
        return ApprovalStatus.EXPIRED if is_expired(self.status, self.expires_at, now) else self.status

    def decide(self, decision: Decision, by: int | None, now: datetime, note: str | None) -> ApprovalDecided:
        """Approve, reject (with a reason) or cancel (the requester only)."""
        outcome = check_decision(
            status=self.status,
            decision=decision,
            requested_by_id=self.requested_by_id,
            decider_id=by,
            expires_at=self.expires_at,
            now=now,
            reason=note,
        )
        return self._close(outcome, by, now, note)

    def expire(self, now: datetime) -> ApprovalDecided:
        """Time ran out before anyone decided."""
        if not is_expired(self.status, self.expires_at, now):
            raise Conflict(N_("The approval is not overdue."))
        return self._close(ApprovalStatus.EXPIRED, None, now, None)

    def _close(
        self, outcome: ApprovalStatus, by: int | None, now: datetime, note: str | None
    ) -> ApprovalDecided:
        if outcome not in APPROVAL_TRANSITIONS[self.status]:
            raise Conflict(N_("The approval is already %(status)s."), status=self.status.value)
        return ApprovalDecided(self.id, outcome, by, now, (note or "").strip() or None)
