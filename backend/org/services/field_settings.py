"""Four-eyes changes of where and how presence on site is judged: an asset's or a project's geofence and a
project's field policy are proposed by one person and take effect when another approves."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from backend.core.domain.access import Permission as P
from backend.core.domain.access import Scope
from backend.core.domain.approvals import ApprovalKind
from backend.core.domain.audit import AuditAction
from backend.core.domain.errors import N_, Conflict
from backend.core.services import approvals, audit
from backend.core.services.context import Actor
from backend.core.services.crud import for_change
from backend.core.services.unit_of_work import UnitOfWork
from backend.org.domain.org import (
    ASSET_FIELD_SETTINGS,
    PROJECT_FIELD_SETTINGS,
    check_field_settings_proposal,
    field_settings_change,
)

DECIMAL_SETTINGS = frozenset({"geofence_radius_m", "gps_max_accuracy_m", "gps_tolerance_m"})


def propose_asset_settings(
    asset_id: int, values: Mapping[str, Any], reason: str | None, actor: Actor, uow: UnitOfWork, now: datetime
) -> Any:
    """Propose a new geofence for an asset; it applies when someone who may approve it agrees."""
    asset = for_change(uow.assets, asset_id, actor, P.ASSET_READ, P.ASSET_WRITE)
    return _propose(("asset", asset), asset.project, ASSET_FIELD_SETTINGS, values, reason, actor, uow, now)


def propose_project_settings(
    project_id: int,
    values: Mapping[str, Any],
    reason: str | None,
    actor: Actor,
    uow: UnitOfWork,
    now: datetime,
) -> Any:
    """Propose a new geofence or field policy for a project; it applies when a second person approves."""
    project = for_change(uow.projects, project_id, actor, P.PROJECT_READ, P.PROJECT_WRITE)
    return _propose(("project", project), project, PROJECT_FIELD_SETTINGS, values, reason, actor, uow, now)


def _propose(
    subject: tuple[str, Any],
    project: Any,
    names: tuple[str, ...],
    values: Mapping[str, Any],
    reason: str | None,
    actor: Actor,
    uow: UnitOfWork,
    now: datetime,
) -> Any:
    subject_type, row = subject
    current = {name: getattr(row, name) for name in names}
    changes = field_settings_change(current, values, names)
    check_field_settings_proposal(changes, current, reason)
    waiting = uow.approvals.pending_for(ApprovalKind.FIELD_SETTINGS, (subject_type, row.id))
    if waiting is not None:
        raise Conflict(
            N_(
                "A change of these settings already waits for approval (approval %(id)s): "
                "decide or withdraw it first."
            ),
            id=waiting.id,
        )
    approval = approvals.request(
        uow,
        actor,
        kind=ApprovalKind.FIELD_SETTINGS,
        subject=(subject_type, row.id),
        project=project,
        summary=f"{row.code}: {', '.join(changes)}",
        reason=(reason or "").strip(),
        now=now,
        details={
            "changes": {
                name: {"before": _json(before), "after": _json(after)}
                for name, (before, after) in changes.items()
            }
        },
    )
    uow.commit()
    return approvals.as_read([approval], now)[0]


def _json(value: Any) -> Any:
    """A setting as the approval's details keep it (decimals as text, so nothing is rounded)."""
    return str(value) if isinstance(value, Decimal) else value


def _stored(name: str, value: Any) -> Any:
    """A setting from the approval's details, as the row holds it."""
    return Decimal(value) if name in DECIMAL_SETTINGS and value is not None else value


def proposed_change(approval: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """An approved proposal's change as (before, after) settings, as the audit log would show them."""
    changes = (approval.details or {}).get("changes", {})
    return (
        {name: change["before"] for name, change in changes.items()},
        {name: change["after"] for name, change in changes.items()},
    )


def _on_approved(approval: Any, actor: Actor, uow: UnitOfWork, now: datetime) -> None:
    """Apply the proposal, unless the settings changed since it was made (then it must be made again)."""
    changes = (approval.details or {}).get("changes", {})
    if approval.subject_type == "asset":
        row = uow.assets.get(approval.subject_id, Scope(everything=True))
        region_id = row.project.region_id
    else:
        row = uow.projects.get(approval.subject_id, Scope(everything=True))
        region_id = row.region_id
    for name, change in changes.items():
        if _stored(name, change["before"]) != getattr(row, name):
            raise Conflict(
                N_("The settings changed after this proposal was made: reject it and propose again."),
            )
    before = row.audit_snapshot()
    for name, change in changes.items():
        setattr(row, name, _stored(name, change["after"]))
    uow.flush()
    audit.record(
        uow,
        actor,
        AuditAction.UPDATE,
        approval.subject_type,
        row.id,
        before=before,
        after=row.audit_snapshot(),
        region_id=region_id,
        project_id=approval.project_id,
    )


def _on_closed(approval: Any, actor: Actor, uow: UnitOfWork, now: datetime) -> None:
    """A rejected, withdrawn or expired proposal leaves the settings as they are."""


approvals.register(
    ApprovalKind.FIELD_SETTINGS,
    approvals.KindRules(permission=P.FIELD_SETTINGS_APPROVE, on_approved=_on_approved, on_closed=_on_closed),
)
