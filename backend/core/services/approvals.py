"""Four-eyes approvals: ask, list, approve, reject, cancel; each kind registers what a decision does."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from backend.core.domain.access import Permission as P
from backend.core.domain.approvals import (
    DEFAULT_VALIDITY,
    Approval,
    ApprovalDecided,
    ApprovalKind,
    ApprovalStatus,
    Decision,
)
from backend.core.domain.audit import AuditAction
from backend.core.domain.errors import N_, Forbidden, NotFound
from backend.core.domain.listing import ListQuery
from backend.core.services import audit
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork
from backend.notify.domain.notifications import NotificationKind
from backend.notify.services import notifications

Handler = Callable[[Any, Actor, UnitOfWork, datetime], None]
FailureHandler = Callable[[Any, BaseException, Actor, UnitOfWork], BaseException]


@dataclass(frozen=True)
class KindRules:
    """Who decides an approval of one kind and what each outcome does to its subject."""

    permission: P
    on_approved: Handler
    on_closed: Handler
    # Records a failed approval outcome after the rollback and returns the error to raise.
    on_failed: FailureHandler | None = None


_kinds: dict[ApprovalKind, KindRules] = {}


def register(kind: ApprovalKind, rules: KindRules) -> None:
    """Declare the deciding permission and the outcome handlers of an approval kind."""
    _kinds[kind] = rules


def request(
    uow: UnitOfWork,
    actor: Actor,
    *,
    kind: ApprovalKind,
    subject: tuple[str, int],
    project: Any,
    summary: str,
    reason: str | None,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> Any:
    """Open an approval and notify everyone who may decide it (staged; the caller commits)."""
    approval = uow.approvals.create(
        details=details,
        kind=kind,
        subject_type=subject[0],
        subject_id=subject[1],
        summary=summary,
        project_id=project.id,
        status=ApprovalStatus.PENDING,
        requested_by_id=actor.user_id,
        requested_at=now,
        reason=reason,
        expires_at=now + DEFAULT_VALIDITY,
    )
    uow.flush()
    deciders = [
        user_id
        for user_id in uow.approvals.deciders(_kinds[kind].permission, project.id, project.region_id)
        if user_id != actor.user_id
    ]
    notifications.notify(
        uow,
        deciders,
        NotificationKind.APPROVAL_REQUESTED,
        {"requester": actor.name, "subject": summary, "approval_id": approval.id},
        project_id=project.id,
        subject=("approval", approval.id),
    )
    audit.record(
        uow,
        actor,
        AuditAction.CREATE,
        "approval",
        approval.id,
        after=approval.audit_snapshot(),
        project_id=project.id,
        region_id=project.region_id,
    )
    return approval


def _visible_scope(actor: Actor) -> Any:
    scope = actor.scope_for(P.LEASE_APPROVE).union(actor.scope_for(P.LEASE_READ))
    # Fence and field-policy proposals: those who may make them and those who decide them.
    scope = scope.union(actor.scope_for(P.ASSET_WRITE)).union(actor.scope_for(P.FIELD_SETTINGS_APPROVE))
    if scope.is_empty:
        raise Forbidden(N_("You have no access to approvals."))
    return scope


def lifecycle(approval: Any) -> Approval:
    """The domain lifecycle of a stored approval."""
    return Approval(approval.id, approval.status, approval.requested_by_id, approval.expires_at)


def as_read(approvals: Sequence[Any], now: datetime) -> list[Any]:
    """Mark on each approval its status as read at `now` (an overdue pending one reads expired)."""
    for approval in approvals:
        approval.status_now = lifecycle(approval).status_at(now)
    return list(approvals)


def list_approvals(
    query: ListQuery, actor: Actor, uow: UnitOfWork, now: datetime
) -> tuple[Sequence[Any], int]:
    """Approvals in the actor's projects (to decide, or to follow), with their status as of `now`."""
    statuses = query.filters.get("status")
    if statuses:
        filters = {name: value for name, value in query.filters.items() if name != "status"}
        query = ListQuery(filters | {"status_at": (statuses, now)}, query.sort, query.page, query.page_size)
    rows, total = uow.approvals.page(_visible_scope(actor), query)
    return as_read(rows, now), total


def get_approval(approval_id: int, actor: Actor, uow: UnitOfWork, now: datetime) -> Any:
    """One visible approval, with its status as of `now`."""
    return as_read([uow.approvals.get(approval_id, _visible_scope(actor))], now)[0]


def decide(
    approval_id: int, decision: Decision, note: str | None, actor: Actor, uow: UnitOfWork, now: datetime
) -> Any:
    """Approve, reject or cancel; the outcome handler runs in the same transaction, committed once.

    A refused decision (expired, decided already, the requester deciding) writes nothing. When the outcome
    handler fails, its kind may record the failure on its own path (`on_failed`, after the rollback).
    """
    approval = uow.approvals.get(approval_id, _visible_scope(actor))
    rules = _kinds[approval.kind]
    if decision is not Decision.CANCEL:
        scope = actor.scope_for(rules.permission)
        try:
            uow.approvals.get(approval.id, scope)
        except NotFound:
            raise Forbidden(N_("You may not decide approvals of this project.")) from None
    uow.approvals.lock(approval)
    decided = lifecycle(approval).decide(decision, actor.user_id, now, note)
    subject = (approval.subject_type, approval.subject_id)
    try:
        _apply(approval, decided, rules, actor, uow, now)
    except Exception as exc:
        if rules.on_failed is None:
            raise
        uow.rollback()
        raise rules.on_failed(subject, exc, actor, uow) from exc
    uow.commit()
    return as_read([approval], now)[0]


def stage_expiry(actor: Actor, uow: UnitOfWork, now: datetime) -> int:
    """Stage the expiry of every pending approval whose time ran out (the hourly job commits it)."""
    overdue = uow.approvals.overdue(now)
    for approval in overdue:
        _apply(approval, lifecycle(approval).expire(now), _kinds[approval.kind], actor, uow, now)
    return len(overdue)


def _apply(
    approval: Any,
    decided: ApprovalDecided,
    rules: KindRules,
    actor: Actor,
    uow: UnitOfWork,
    now: datetime,
) -> None:
    """Stage a decision: the approval, its kind's outcome, the audit entry and the requester's notice."""
    before = approval.audit_snapshot()
    approval.status = decided.status
    approval.decided_by_id = decided.decided_by
    approval.decided_at = decided.decided_at
    approval.decision_note = decided.note
    if decided.status is ApprovalStatus.APPROVED:
        rules.on_approved(approval, actor, uow, now)
    else:
        rules.on_closed(approval, actor, uow, now)
    uow.flush()
    audit.record(
        uow,
        actor,
        AuditAction.UPDATE,
        "approval",
        approval.id,
        before=before,
        after=approval.audit_snapshot(),
        project_id=approval.project_id,
    )
    if decided.status is not ApprovalStatus.CANCELLED:
        notifications.notify(
            uow,
            [approval.requested_by_id],
            NotificationKind.APPROVAL_DECIDED,
            {"subject": approval.summary, "outcome": decided.status.value, "approval_id": approval.id},
            project_id=approval.project_id,
            subject=("approval", approval.id),
        )
