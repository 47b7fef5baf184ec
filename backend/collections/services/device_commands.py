"""Sending agreed lock and unlock commands to the device platform, outside any transaction, and recording what
it answered: claimed in one transaction, posted, recorded in another.

The platform is the webhook set up on the project (else its region) for `collections.device_lock`; its address
and signing secret are stored encrypted like every webhook's. A command without an answer is tried again after
1, 2, 4, 8 minutes, and fails after `MAX_ATTEMPTS`; a refusal fails at once. A person may send a failed one
again (`locks.retry_command`).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from backend.collections.domain.locks import (
    COMMAND_NAMES,
    DeviceCommand,
    DeviceControl,
    LockCommand,
    LockState,
    PlatformReply,
    next_attempt_at,
    outcome,
)
from backend.core.domain.access import Permission as P
from backend.core.domain.access import Scope
from backend.core.domain.audit import AuditAction, Origin
from backend.core.services import audit
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork
from backend.notify.domain.notifications import NotificationKind
from backend.notify.services import notifications

ENTITY = "device_lock"
EVERYWHERE = Scope(everything=True)
SENDER = Actor.system(Origin.JOB, "collections-device-commands")
BATCH = 50
NO_PLATFORM = (
    "no device platform is set up for the project: add a webhook for collections.device_lock to the project "
    "or its region, then send the command again"
)
UnitOfWorkFactory = Callable[[], AbstractContextManager[UnitOfWork]]


class Opener(Protocol):
    """Decrypts a stored secret."""

    def open(self, sealed: str) -> str:
        """The secret in clear; raises ValueError when it cannot be read."""


@dataclass(frozen=True)
class DeviceTools:
    """What sending needs from outside: the platform's client and the key to the stored webhook secrets."""

    control: DeviceControl
    secrets: Opener


class _Bound:
    tools: DeviceTools | None = None


def bind(tools: DeviceTools | None) -> None:
    """Give the sending job its tools (the application does at start)."""
    _Bound.tools = tools


def tools() -> DeviceTools:
    """The bound tools; a clear failure when the application did not bind them."""
    if _Bound.tools is None:
        raise RuntimeError("device commands are not configured: create the application first")
    return _Bound.tools


@dataclass(frozen=True)
class _Claimed:
    lock_id: int
    command: DeviceCommand
    url: str
    secret: str | None


@dataclass
class SendingReport:
    """What one sending did, by the commands' new state."""

    attempted: int = 0
    by_state: dict[str, int] = field(default_factory=dict)

    def as_details(self) -> dict[str, Any]:
        """The report as a job run's details."""
        return {"attempted": self.attempted, "by_state": dict(sorted(self.by_state.items()))}


def send_due(unit_of_work: UnitOfWorkFactory, clock: Callable[[], datetime]) -> SendingReport:
    """Claim the agreed commands that are due, post each to its platform, record every answer."""
    report = SendingReport()
    with unit_of_work() as uow:
        claimed = _claim(uow, clock(), report)
        uow.commit()
    control = tools().control
    replies = [(item, control.send(item.url, item.secret, item.command)) for item in claimed]
    if replies:
        with unit_of_work() as uow:
            for item, reply in replies:
                _record(item, reply, uow, clock(), report)
            uow.commit()
    report.attempted = len(replies)
    return report


def _claim(uow: UnitOfWork, now: datetime, report: SendingReport) -> list[_Claimed]:
    """Count an attempt on each due command and read where it goes; a lock an unlock of the same machine
    follows is dropped (paid up before it went out), and a command with no platform to go to fails."""
    agreed = uow.device_locks.agreed(BATCH)
    newest_unlock = {row.asset_id: row.id for row in agreed if LockCommand(row.command) is LockCommand.UNLOCK}
    facts = uow.device_locks.command_facts([row.id for row in agreed])
    devices = uow.device_locks.devices_of({row.asset_id for row in agreed})
    claimed: list[_Claimed] = []
    waiting: set[int] = set()
    for row in agreed:
        if row.asset_id in waiting:
            continue  # an older command of the machine waits for its next attempt: keep the order
        if LockCommand(row.command) is LockCommand.LOCK and newest_unlock.get(row.asset_id, 0) > row.id:
            _close(
                row, LockState.FAILED, "not sent: the lease was paid up before the lock went out", uow, now
            )
            _count(report, LockState.FAILED)
            continue
        due_at = next_attempt_at(row.sent_at, row.attempts)
        if due_at is not None and due_at > now:
            waiting.add(row.asset_id)
            continue
        fact = facts[row.id]
        endpoint = _endpoint(uow, row.project_id, fact.region_id)
        if endpoint is None:
            _close(row, LockState.FAILED, NO_PLATFORM, uow, now)
            _count(report, LockState.FAILED)
            continue
        try:
            url = tools().secrets.open(endpoint.target_encrypted)
            secret = tools().secrets.open(endpoint.secret_encrypted) if endpoint.secret_encrypted else None
        except ValueError:
            error = "the device platform's webhook secret cannot be read: enter it again"
            _close(row, LockState.FAILED, error, uow, now)
            _count(report, LockState.FAILED)
            continue
        row.attempts, row.sent_at = row.attempts + 1, now
        claimed.append(_Claimed(row.id, _command(row, fact, devices.get(row.asset_id, [])), url, secret))
    return claimed


def _endpoint(uow: UnitOfWork, project_id: int, region_id: int | None) -> Any:
    found = uow.device_locks.control_endpoints(project_id, region_id, NotificationKind.DEVICE_CONTROL.value)
    return found[0] if found else None


def _command(row: Any, fact: Any, devices: list[str]) -> DeviceCommand:
    return DeviceCommand(
        id=row.id,
        command=LockCommand(row.command),
        project_id=row.project_id,
        lease=fact.lease,
        asset=fact.asset,
        asset_name=fact.asset_name or "",
        customer=fact.customer,
        devices=tuple(devices),
        overdue_days=row.overdue_days,
        amount=Decimal(row.amount),
        currency=row.currency,
        requested_at=row.requested_at,
    )


def _record(
    item: _Claimed, reply: PlatformReply, uow: UnitOfWork, now: datetime, report: SendingReport
) -> None:
    """Keep the platform's answer and what it makes of the command."""
    row = uow.device_locks.get(item.lock_id, EVERYWHERE)
    judged = outcome(item.command.command, reply, row.attempts)
    before = row.audit_snapshot()
    row.state, row.error = judged.state.value, judged.error
    if reply.answered or reply.body:
        row.answer, row.answered_at = dict(judged.answer), now
    _count(report, judged.state)
    _audit_and_tell(row, before, item.command, uow, now)


def _close(row: Any, state: LockState, error: str, uow: UnitOfWork, now: datetime) -> None:
    before = row.audit_snapshot()
    row.state, row.error = state.value, error
    facts = uow.device_locks.command_facts([row.id])[row.id]
    _audit_and_tell(row, before, _command(row, facts, []), uow, now)


def _audit_and_tell(row: Any, before: Any, command: DeviceCommand, uow: UnitOfWork, now: datetime) -> None:
    """The change in the audit log; the deciders hear when the platform confirmed or the command failed."""
    project = uow.projects.get(row.project_id, EVERYWHERE)
    audit.record(
        uow,
        SENDER,
        AuditAction.UPDATE,
        ENTITY,
        row.id,
        before=before,
        after=row.audit_snapshot(),
        project_id=project.id,
        region_id=project.region_id,
    )
    state = LockState(row.state)
    if state not in (LockState.CONFIRMED, LockState.FAILED):
        return
    params: dict[str, Any] = {
        "command": {"message": COMMAND_NAMES[command.command]},
        "asset": command.asset,
        "lease": command.lease,
        "customer": command.customer,
    }
    if state is LockState.FAILED:
        params["error"] = row.error or ""
    notifications.notify(
        uow,
        [row.decided_by_id, *uow.users.holders(P.COLLECTIONS_APPROVE, project.id)],
        NotificationKind.DEVICE_COMMAND_DONE
        if state is LockState.CONFIRMED
        else NotificationKind.DEVICE_COMMAND_FAILED,
        params,
        project_id=project.id,
        subject=(ENTITY, row.id),
        now=now,
    )


def _count(report: SendingReport, state: LockState) -> None:
    report.by_state[state.value] = report.by_state.get(state.value, 0) + 1
