"""Changing an asset's status through the asset state machine."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from backend.core.domain.access import Permission as P
from backend.core.domain.access import Role
from backend.core.domain.audit import AuditAction
from backend.core.domain.errors import N_, Conflict, Forbidden, ValidationFailed
from backend.core.domain.reasons import says_something
from backend.core.services import audit
from backend.core.services.context import Actor
from backend.core.services.crud import for_change
from backend.core.services.unit_of_work import UnitOfWork
from backend.org.domain.asset_status import AssetStatusState, StatusCause, StatusChanged
from backend.org.domain.org import AssetStatus


@dataclass(frozen=True)
class StatusChangeOutcome:
    """The asset after the change, and the event the change recorded."""

    asset: Any
    event: StatusChanged


def _stale() -> Conflict:
    conflict = Conflict(N_("The asset's status changed meanwhile; reload it and decide again."))
    conflict.fields = {"status_version": [N_("Not the asset's current status version.")]}
    return conflict


def _is_admin(actor: Actor) -> bool:
    return actor.principal is None or Role.ADMIN in actor.principal.roles


def change_asset_status(
    asset_id: int,
    target: AssetStatus,
    reason: str | None,
    actor: Actor,
    uow: UnitOfWork,
    expected_version: int | None = None,
    cause: StatusCause = StatusCause.MANUAL,
) -> StatusChangeOutcome:
    """Move an asset to another status (an automatic rule, or an administrator's override); bumps its status
    version.

    A person's change of a space's use takes two people: an applicant's status change request and another
    person's confirmation on site. Only an administrator may override that, with a reason that says
    something; the audit entry is flagged `override`.
    """
    asset = for_change(uow.assets, asset_id, actor, P.ASSET_READ, P.ASSET_WRITE)
    override = cause is StatusCause.MANUAL and actor.principal is not None
    if override and not _is_admin(actor):
        raise Forbidden(
            N_(
                "A status change takes a second person: file a status change request, which a manager "
                "confirms on site. Only an administrator may change a status directly, with a reason."
            )
        )
    if override and not says_something(reason):
        raise ValidationFailed.single(
            "reason",
            N_("An override needs a reason that says why (at least 4 Chinese characters or 8 letters)."),
        )
    if expected_version is not None and expected_version != asset.status_version:
        raise _stale()
    try:
        event = stage_status_change(asset, target, reason, actor, uow, cause, override=override)
    except StaleStatus:
        raise _stale() from None
    uow.commit()
    return StatusChangeOutcome(asset, event)


class StaleStatus(Exception):
    """The compare-and-set found another status version: someone changed the asset meanwhile."""


def stage_status_change(
    asset: Any,
    target: AssetStatus,
    reason: str | None,
    actor: Actor,
    uow: UnitOfWork,
    cause: StatusCause,
    *,
    override: bool = False,
) -> StatusChanged:
    """Apply the state machine and the compare-and-set, and audit it, without committing.

    For use cases that change the status as one step of a larger change (a confirmed field request,
    an automatic move); the caller has checked the actor's reach and commits. StaleStatus when the
    asset's status version moved since it was read.
    """
    state = AssetStatusState(asset.id, asset.status, asset.status_version)
    event = state.change(target, cause, reason, as_admin=_is_admin(actor))
    before = {"status": state.status.value, "status_version": state.version}
    if not uow.assets.set_status(asset, target, state.version):
        raise StaleStatus(asset.id)
    after = {
        "status": event.to_status.value,
        "status_version": event.status_version,
        "cause": event.cause.value,
        "reason": reason,
    }
    if override:
        after["override"] = True  # one person changed it, without the four-eyes request
    audit.record(
        uow,
        actor,
        AuditAction.UPDATE,
        "asset",
        asset.id,
        before=before,
        after=after,
        region_id=asset.project.region_id,
        project_id=asset.project_id,
    )
    return event
