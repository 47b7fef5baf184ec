"""The asset state machine: which status changes are allowed, why, and the event each one records.

Retired is terminal for everyone but an administrator, who may reinstate a retired asset as vacant
(an asset retired by mistake, or brought back into use); every other change is open to anyone allowed
to change the asset's status. Closing maintenance returns the asset to the status it had before, which
the caller names (the work order remembers it), so maintenance may lead back to every working status.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from backend.core.domain.errors import N_, Conflict, Forbidden
from backend.org.domain.org import AssetStatus

S = AssetStatus


class StatusCause(enum.StrEnum):
    """What triggered a status change: a person, or one of the automatic rules."""

    MANUAL = "manual"
    FIELD_CONFIRMED = "field_confirmed"
    LEASE_SIGNED = "lease_signed"
    HANDOVER_CONFIRMED = "handover_confirmed"
    LEASE_ENDED = "lease_ended"
    MAINTENANCE_OPENED = "maintenance_opened"
    MAINTENANCE_CLOSED = "maintenance_closed"


@dataclass(frozen=True)
class Transition:
    """One allowed change, with the business reason it exists."""

    reason: str
    admin_only: bool = False


# from -> {to: why}. Anything not listed here is refused.
TRANSITIONS: dict[AssetStatus, dict[AssetStatus, Transition]] = {
    S.VACANT: {
        S.RESERVED: Transition("held for a prospective tenant"),
        S.PENDING_DELIVERY: Transition("lease signed, waiting for hand-over"),
        S.MAINTENANCE: Transition("repair opened"),
        S.RENOVATION: Transition("refit before the next letting"),
        S.RETIRED: Transition("taken out of the letting stock"),
    },
    S.RESERVED: {
        S.VACANT: Transition("hold released"),
        S.PENDING_DELIVERY: Transition("lease signed, waiting for hand-over"),
        S.MAINTENANCE: Transition("repair opened"),
    },
    S.PENDING_DELIVERY: {
        S.LEASED: Transition("hand-over confirmed"),
        S.VACANT: Transition("lease cancelled before hand-over"),
        S.MAINTENANCE: Transition("defect found before hand-over"),
    },
    S.LEASED: {
        S.VACANT: Transition("lease ended, ready to let"),
        S.RENOVATION: Transition("lease ended, refit needed"),
        S.MAINTENANCE: Transition("repair during the lease"),
    },
    S.MAINTENANCE: {
        S.VACANT: Transition("repair closed"),
        S.RESERVED: Transition("repair closed, back to its hold"),
        S.PENDING_DELIVERY: Transition("repair closed, back to waiting for hand-over"),
        S.LEASED: Transition("repair closed, back to its tenant"),
        S.RENOVATION: Transition("repair turned into a refit"),
        S.RETIRED: Transition("beyond repair"),
    },
    S.RENOVATION: {
        S.VACANT: Transition("refit finished"),
        S.RESERVED: Transition("let in advance while the refit finishes"),
        S.MAINTENANCE: Transition("repair opened during the refit"),
        S.RETIRED: Transition("not worth refitting"),
    },
    S.RETIRED: {
        S.VACANT: Transition("reinstated: retired by mistake or brought back into use", admin_only=True),
    },
}


def allowed_targets(current: AssetStatus, *, as_admin: bool = False) -> list[AssetStatus]:
    """The statuses an asset may move to from `current`, in the enum's order."""
    targets = TRANSITIONS[current]
    return [s for s in AssetStatus if s in targets and (as_admin or not targets[s].admin_only)]


@dataclass(frozen=True)
class StatusChanged:
    """Domain event: an asset's status changed."""

    asset_id: int
    from_status: AssetStatus
    to_status: AssetStatus
    status_version: int
    cause: StatusCause
    reason: str | None = None


@dataclass(frozen=True)
class AssetStatusState:
    """An asset's status and its status version; `change` applies the state machine."""

    asset_id: int
    status: AssetStatus
    version: int

    def can_change(self, to: AssetStatus, *, as_admin: bool = False) -> bool:
        """Whether the table allows moving to `to` (admin-only changes need `as_admin`)."""
        return to in allowed_targets(self.status, as_admin=as_admin)

    def change(
        self,
        to: AssetStatus,
        cause: StatusCause = StatusCause.MANUAL,
        reason: str | None = None,
        *,
        as_admin: bool = False,
    ) -> StatusChanged:
        """The event of moving to `to`, or a Conflict naming the current, target and allowed statuses."""
        if self.can_change(to, as_admin=as_admin):
            return StatusChanged(self.asset_id, self.status, to, self.version + 1, cause, reason)
        transition = TRANSITIONS[self.status].get(to)
        if transition is not None and transition.admin_only:
            raise Forbidden(
                N_("Only an administrator may change an asset from %(current)s to %(target)s."),
                current=self.status.value,
                target=to.value,
            )
        allowed = ", ".join(s.value for s in allowed_targets(self.status)) or "-"
        conflict = Conflict(
            N_("An asset in status %(current)s cannot change to %(target)s; allowed: %(allowed)s."),
            current=self.status.value,
            target=to.value,
            allowed=allowed,
        )
        conflict.fields = {"status": [N_("Not allowed from the current status.")]}
        raise conflict
