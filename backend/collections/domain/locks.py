"""Equipment locks: when an equipment lease is overdue long enough its machines are locked through the device
platform once a second person agrees, and unlocked as soon as the lease is paid up.

A lock is asked for once per overdue spell: while one is waiting, approved or in force nothing new is asked,
and one that was rejected or failed is not asked again until a bill that fell due after it is late.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

from backend.collections.domain.plan import Action, Decision, OverdueBill
from backend.collections.domain.tiers import Thresholds, overdue_days
from backend.core.domain.errors import N_, Conflict

ZERO = Decimal("0.00")
MAX_ATTEMPTS = 5
# The device platform's answer status that confirms each command.
DONE = {"lock": "locked", "unlock": "unlocked"}
REFUSED = frozenset({"refused", "rejected", "failed", "error"})


class LockCommand(enum.StrEnum):
    """What the device platform is asked to do with a machine."""

    LOCK = "lock"
    UNLOCK = "unlock"


class LockState(enum.StrEnum):
    """Where one command stands: asked, agreed (waiting to go out), refused by a person, out, done, failed."""

    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    SENT = "sent"  # the platform took it and has not said it is done
    CONFIRMED = "confirmed"
    FAILED = "failed"


# A lock in one of these states stands: nothing new is asked for the machine.
STANDING = frozenset({LockState.REQUESTED, LockState.APPROVED, LockState.SENT, LockState.CONFIRMED})
# A lock in one of these states may have reached the machine: paying up unlocks it.
MAY_BE_LOCKED = frozenset({LockState.APPROVED, LockState.SENT, LockState.CONFIRMED})
COMMAND_NAMES = {LockCommand.LOCK: N_("lock"), LockCommand.UNLOCK: N_("unlock")}


@dataclass(frozen=True)
class LastCommand:
    """The newest command of one machine: which, where it stands, the day it was asked."""

    command: LockCommand
    state: LockState
    requested_on: date


@dataclass(frozen=True)
class LockDue:
    """A machine of an overdue equipment lease to lock, with the lease's overdue days and amount."""

    lease_id: int
    asset_id: int
    overdue_days: int
    amount: Decimal
    currency: str
    bills: tuple[str, ...]


def lease_spells(
    bills: Sequence[OverdueBill], today: date, thresholds: Thresholds
) -> dict[int, list[OverdueBill]]:
    """The chased bills of each lease (undisputed, open, overdue), oldest first."""
    found: dict[int, list[OverdueBill]] = {}
    for bill in sorted(bills, key=lambda b: (b.due_date, b.charge_id)):
        if bill.lease_id is None or bill.disputed or bill.open_amount <= 0:
            continue
        if overdue_days(bill.due_date, today, thresholds) > 0:
            found.setdefault(bill.lease_id, []).append(bill)
    return found


def stands_in_the_way(last: LastCommand | None, oldest_due: date) -> bool:
    """Whether a machine's newest command keeps a new lock from being asked for in this overdue spell."""
    if last is None or last.command is LockCommand.UNLOCK:
        return False
    if last.state in STANDING:
        return True
    # Rejected or failed: the same spell is not asked again; a bill late since then starts a new one.
    return last.requested_on >= oldest_due


def locks_due(
    decision: Decision,
    today: date,
    thresholds: Thresholds,
    equipment_assets: Mapping[int, Sequence[int]],
    last: Mapping[int, LastCommand],
) -> list[LockDue]:
    """The machines one run locks for one customer: those of each equipment lease whose oldest chased bill
    reached `lock_from` days, unless the customer is held (money waits unmatched) or paused, or a command
    of the machine stands in the way. `equipment_assets`: the customer's equipment leases' machines."""
    if decision.action in (Action.HELD, Action.PAUSED):
        return []
    due: list[LockDue] = []
    for lease_id, bills in sorted(lease_spells(decision.bills, today, thresholds).items()):
        days = overdue_days(bills[0].due_date, today, thresholds)
        if lease_id not in equipment_assets or days < thresholds.lock_from:
            continue
        currency = bills[0].currency
        amount = sum((b.open_amount for b in bills if b.currency == currency), ZERO)
        for asset_id in sorted(equipment_assets[lease_id]):
            if stands_in_the_way(last.get(asset_id), bills[0].due_date):
                continue
            due.append(LockDue(lease_id, asset_id, days, amount, currency, tuple(b.number for b in bills)))
    return due


def needs_unlock(last: LastCommand | None) -> bool:
    """Whether a machine may be locked (a lock agreed, out or done; or an unlock that failed)."""
    if last is None:
        return False
    if last.command is LockCommand.LOCK:
        return last.state in MAY_BE_LOCKED
    return last.state is LockState.FAILED


def unlocks_due(
    lease_assets: Mapping[int, Sequence[int]],
    last: Mapping[int, LastCommand],
    overdue_leases: Collection[int],
) -> list[tuple[int, int]]:
    """(lease, machine) pairs to unlock: machines that may be locked on leases with nothing chased left."""
    return [
        (lease_id, asset_id)
        for lease_id, assets in sorted(lease_assets.items())
        if lease_id not in overdue_leases
        for asset_id in sorted(assets)
        if needs_unlock(last.get(asset_id))
    ]


def check_decidable(state: LockState) -> None:
    """Only a requested lock can be agreed or refused."""
    if state is not LockState.REQUESTED:
        raise Conflict(N_("This lock request was decided already."))


def check_retry(state: LockState) -> None:
    """Only a failed command can be sent again."""
    if state is not LockState.FAILED:
        raise Conflict(N_("Only a failed command can be sent again."))


# --- the device platform -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DeviceCommand:
    """One command as the device platform receives it; `id` lets it drop a repeat."""

    id: int
    command: LockCommand
    project_id: int
    lease: str
    asset: str
    asset_name: str
    customer: str
    devices: tuple[str, ...]
    overdue_days: int
    amount: Decimal
    currency: str
    requested_at: datetime

    def document(self) -> dict[str, Any]:
        """The JSON object posted."""
        return {
            "id": self.id,
            "command": self.command.value,
            "project_id": self.project_id,
            "lease": self.lease,
            "asset": {"code": self.asset, "name": self.asset_name, "devices": list(self.devices)},
            "customer": self.customer,
            "overdue_days": self.overdue_days,
            "amount": str(self.amount),
            "currency": self.currency,
            "requested_at": self.requested_at.isoformat(),
        }


@dataclass(frozen=True)
class PlatformReply:
    """What one attempt yielded: a 2xx answer with its JSON body, or the problem and whether it passes."""

    answered: bool
    status_code: int | None = None
    body: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    passing: bool = False  # a timeout, a refused connection, HTTP 408/429/5xx: worth another attempt


class DeviceControl(Protocol):
    """Posts commands to the device platform; never raises for a delivery problem."""

    def send(self, url: str, secret: str | None, command: DeviceCommand) -> PlatformReply:
        """Try once to hand the command to the platform at `url`, signed with `secret`."""


@dataclass(frozen=True)
class Outcome:
    """What an attempt makes of the command: its new state, the error to keep, the answer to keep."""

    state: LockState
    error: str | None
    answer: dict[str, Any]


def outcome(command: LockCommand, reply: PlatformReply, attempts: int) -> Outcome:
    """The platform confirmed (`status` locked/unlocked), refused, only took it; or, without an answer,
    another attempt later unless the problem lasts or `MAX_ATTEMPTS` are spent."""
    if reply.answered:
        status = str(reply.body.get("status") or "").lower()
        if status == DONE[command.value]:
            return Outcome(LockState.CONFIRMED, None, reply.body)
        if status in REFUSED:
            said = str(reply.body.get("message") or status)
            return Outcome(LockState.FAILED, f"the device platform refused: {said}", reply.body)
        return Outcome(LockState.SENT, None, reply.body)
    error = reply.error or "the device platform did not answer"
    if reply.passing and attempts < MAX_ATTEMPTS:
        return Outcome(LockState.APPROVED, error, reply.body)
    if reply.passing:
        error = f"{error} (gave up after {attempts} attempts)"
    return Outcome(LockState.FAILED, error, reply.body)


def next_attempt_at(last_attempt_at: datetime | None, attempts: int) -> datetime | None:
    """When an agreed command that was tried `attempts` times goes out again: 1, 2, 4, 8 minutes apart."""
    if last_attempt_at is None or attempts == 0:
        return None
    return last_attempt_at + timedelta(minutes=2 ** min(attempts - 1, 6))
