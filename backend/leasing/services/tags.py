"""Tags with authority: who put each tag on a lease, and whether a tag that stops reminders may do so.

A "no renewal" tag silences a lease's renewal reminders only when a person holding lease:approve over the
lease's project set it, approved the amendment that set it, or confirmed it afterwards. A tag from an import,
or from anyone else, is kept and shown, flagged for review, and the reminders keep firing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from backend.core.domain.access import Permission as P
from backend.core.domain.audit import AuditAction
from backend.core.domain.errors import N_, Conflict, Message, ValidationFailed
from backend.core.services import audit
from backend.core.services.context import Actor
from backend.core.services.crud import for_change
from backend.core.services.unit_of_work import UnitOfWork
from backend.leasing.domain.tags import TagSource, changed, is_no_renewal


def may_authorise(actor: Actor, project_id: int, region_id: int) -> bool:
    """Whether the actor's word is enough for a tag that stops reminders on this project's leases."""
    return actor.scope_for(P.LEASE_APPROVE).covers_project(project_id, region_id)


def record(
    uow: UnitOfWork,
    lease: Any,
    before: Iterable[str],
    after: Iterable[str],
    actor: Actor,
    source: TagSource,
    now: datetime | None = None,
) -> None:
    """Trace the tags added to a lease (by whom, how, with what authority) and drop those removed."""
    added, removed = changed(before, after)
    if not added and not removed:
        return
    authorised = source is not TagSource.IMPORT and may_authorise(
        actor, lease.project_id, lease.project.region_id
    )
    marks = {mark.tag: mark for mark in uow.lease_tags.of_lease(lease.id)}
    for tag in removed:
        if tag in marks:
            uow.lease_tags.delete(marks.pop(tag))
    for tag in added:
        if tag in marks:
            uow.lease_tags.delete(marks.pop(tag))
            uow.flush()
        uow.lease_tags.add(
            lease_id=lease.id,
            tag=tag,
            source=source,
            set_by_id=actor.user_id,
            set_at=now or datetime.now(UTC),
            authorised=authorised,
        )


def import_rows(
    lease_ids: Sequence[int], tag_lists: Sequence[Sequence[str]], actor: Actor, now: datetime
) -> list[dict[str, Any]]:
    """The marks of leases created by an import: every tag traced, none with authority."""
    return [
        {
            "lease_id": lease_id,
            "tag": tag,
            "source": TagSource.IMPORT,
            "set_by_id": actor.user_id,
            "set_at": now,
            "authorised": False,
            "confirmed_by_id": None,
            "confirmed_at": None,
        }
        for lease_id, tags in zip(lease_ids, tag_lists, strict=True)
        for tag in dict.fromkeys(tags)
    ]


def copy_marks(uow: UnitOfWork, source_lease_id: int, target: Any) -> None:
    """A renewal carries its predecessor's tags with the authority they had."""
    for mark in uow.lease_tags.of_lease(target.id):
        uow.lease_tags.delete(mark)
    uow.flush()
    for mark in uow.lease_tags.of_lease(source_lease_id):
        if mark.tag in (target.tags or []):
            uow.lease_tags.add(
                lease_id=target.id,
                tag=mark.tag,
                source=mark.source,
                set_by_id=mark.set_by_id,
                set_at=mark.set_at,
                authorised=mark.authorised,
                confirmed_by_id=mark.confirmed_by_id,
                confirmed_at=mark.confirmed_at,
            )


def marks(uow: UnitOfWork, lease: Any) -> list[dict[str, Any]]:
    """Every tag of a lease with where it came from and whether it carries authority (a tag on the lease
    that was never traced — set before tags were — reads as of unknown source, without authority)."""
    traced = {mark.tag: mark for mark in uow.lease_tags.of_lease(lease.id)}
    found = []
    for tag in dict.fromkeys(lease.tags or []):
        mark = traced.get(tag)
        found.append(
            {
                "tag": tag,
                "source": mark.source if mark is not None else TagSource.UNKNOWN,
                "set_by_id": mark.set_by_id if mark is not None else None,
                "set_at": mark.set_at if mark is not None else None,
                "authorised": bool(mark is not None and mark.authorised),
                "confirmed_by_id": mark.confirmed_by_id if mark is not None else None,
                "confirmed_at": mark.confirmed_at if mark is not None else None,
                "stops_renewal": is_no_renewal(tag),
            }
        )
    return found


def confirm(lease_id: int, tag: str, actor: Actor, uow: UnitOfWork, now: datetime) -> list[dict[str, Any]]:
    """An authorised person confirms a lease's tag: from now on it does what it says (a "no renewal" tag
    silences the renewal reminders). Audited; refused for a tag the lease does not carry."""
    lease = for_change(uow.leases, lease_id, actor, P.LEASE_READ, P.LEASE_APPROVE)
    tag = (tag or "").strip()
    if tag not in (lease.tags or []):
        raise ValidationFailed.single("tag", Message(N_("The lease carries no tag %(tag)s."), tag=tag or "—"))
    traced = {mark.tag: mark for mark in uow.lease_tags.of_lease(lease.id)}
    mark = traced.get(tag)
    if mark is not None and mark.authorised:
        raise Conflict(N_("This tag already carries authority; nothing to confirm."))
    before = {"tag": tag, "authorised": False, "source": (mark.source if mark else TagSource.UNKNOWN).value}
    if mark is None:
        mark = uow.lease_tags.add(
            lease_id=lease.id, tag=tag, source=TagSource.UNKNOWN, set_by_id=None, set_at=now, authorised=False
        )
    mark.authorised = True
    mark.confirmed_by_id = actor.user_id
    mark.confirmed_at = now
    uow.flush()
    audit.record(
        uow,
        actor,
        AuditAction.UPDATE,
        "lease_tag",
        lease.id,
        before=before,
        after={"tag": tag, "authorised": True, "source": mark.source.value},
        project_id=lease.project_id,
        region_id=lease.project.region_id,
    )
    uow.commit()
    return marks(uow, lease)
