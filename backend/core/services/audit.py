"""Recording business changes in the audit log, and reading it back within scope."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from backend.core.domain.access import Permission
from backend.core.domain.audit import AuditAction, changed_fields, json_safe
from backend.core.domain.listing import ListQuery, SortKey
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork


def entry(
    actor: Actor,
    action: AuditAction,
    entity_type: str,
    entity_id: int | str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    region_id: int | None = None,
    project_id: int | None = None,
) -> dict[str, Any]:
    """The column values of one audit entry; updates keep only the fields that changed."""
    if action is AuditAction.UPDATE and before is not None and after is not None:
        before, after = changed_fields(before, after)
    return {
        "actor_user_id": actor.user_id,
        "actor_name": actor.name,
        "origin": actor.origin,
        "ip": actor.ip,
        "device_id": actor.device_id,
        "request_id": actor.request_id,
        "action": action,
        "entity_type": entity_type,
        "entity_id": str(entity_id),
        "region_id": region_id,
        "project_id": project_id,
        "before": json_safe(before),
        "after": json_safe(after),
    }


def record(
    uow: UnitOfWork,
    actor: Actor,
    action: AuditAction,
    entity_type: str,
    entity_id: int | str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    region_id: int | None = None,
    project_id: int | None = None,
) -> None:
    """Append one entry to the audit log."""
    values = entry(
        actor,
        action,
        entity_type,
        entity_id,
        before=before,
        after=after,
        region_id=region_id,
        project_id=project_id,
    )
    uow.audit.append(values)


def list_entries(query: ListQuery, actor: Actor, uow: UnitOfWork) -> tuple[Sequence[Any], int]:
    """A page of audit entries the actor may read, newest first unless asked otherwise."""
    scope = actor.require(Permission.AUDIT_READ)
    if not query.sort:
        query = ListQuery(
            query.filters, (SortKey("occurred_at", descending=True),), query.page, query.page_size
        )
    return uow.audit.page(scope, query)
