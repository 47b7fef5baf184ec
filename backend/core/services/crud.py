"""Steps shared by the create/update/delete use cases."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from backend.core.domain.access import Permission
from backend.core.domain.errors import N_, Conflict, Forbidden, NotFound
from backend.core.services.context import Actor
from backend.core.services.ports import Lookup


def ensure_unique(
    repo: Lookup, values: Mapping[str, Any], fields: Iterable[str], exclude_id: int | None = None
) -> None:
    """Refuse values another row already holds, naming each field."""
    errors = {
        field: [N_("Already in use.")]
        for field in fields
        if values.get(field) is not None and repo.taken(field, values[field], exclude_id)
    }
    if errors:
        raise Conflict.on_fields(errors)


def for_change(repo: Lookup, entity_id: int, actor: Actor, read: Permission, write: Permission) -> Any:
    """The row to change: 404 when the actor cannot see it, 403 when they see it but may not change it."""
    write_scope = actor.require(write)
    entity = repo.get(entity_id, actor.scope_for(read))
    try:
        repo.get(entity_id, write_scope)
    except NotFound:
        raise Forbidden(
            N_("You may read this %(entity)s but not change it."), entity=repo.entity_name.lower()
        ) from None
    return entity


def apply_changes(entity: Any, changes: Mapping[str, Any]) -> None:
    """Set the given attributes on a row."""
    for field, value in changes.items():
        setattr(entity, field, value)


def merged(entity: Any, changes: Mapping[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """The row's values after the changes would apply, for whole-record validation."""
    return {field: changes.get(field, getattr(entity, field)) for field in fields}
