"""The in-app inbox: notify people, list and read one's own notifications."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import UTC, datetime
from typing import Any

from backend.core.domain.access import Permission
from backend.core.domain.errors import N_, AuthenticationRequired, NotFound
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork
from backend.notify.domain.channels import ChannelKind
from backend.notify.domain.notifications import NotificationKind
from backend.notify.services import outbox
from backend.notify.services.outbox import Lookups

__all__ = ["Lookups", "deliveries_about", "list_mine", "mark_all_read", "mark_read", "notify"]


def notify(
    uow: UnitOfWork,
    user_ids: Iterable[int | None],
    kind: NotificationKind,
    params: dict[str, Any],
    *,
    project_id: int | None = None,
    subject: tuple[str, int] | None = None,
    now: datetime | None = None,
    channels: Collection[str] | None = None,
    shared: bool = True,
    visible: Collection[int] | None = None,
    lookups: Lookups | None = None,
) -> list[int]:
    """Stage one notification per distinct recipient with its deliveries on their channels, and one per
    group robot or webhook of the project (the caller commits; a rollback drops them all).

    About a project, only people who can see that project hear of it, checked now, at sending: whoever
    was named (an account manager of another region, a user moved since) but cannot see it gets nothing.
    Returns the recipients notified, so a caller can turn to someone else when nobody was left.

    `channels` (a reminder tier's): the channels this notification takes besides each recipient's own
    choice for its kind; the shared ones among them (group robots, webhooks) pick the project's endpoints
    of those channels. `shared=False` keeps it off every shared endpoint (the same news went there once).
    `visible`: who may see the project, when the caller has just read it (a run sending many), and
    `lookups`: what staging reads, kept across the run's notifications.
    """
    recipients = sorted({user_id for user_id in user_ids if user_id is not None})
    if project_id is not None and recipients:
        can_see = (
            set(visible)
            if visible is not None
            else set(uow.users.holders(Permission.PROJECT_READ, project_id))
        )
        recipients = [user_id for user_id in recipients if user_id in can_see]
    asked = None if channels is None else frozenset(ChannelKind(c) for c in channels)
    moment = now or datetime.now(UTC)
    outbox.stage(uow, recipients, kind, params, project_id, subject, moment, asked, shared, lookups)
    return recipients


def _own_user(actor: Actor) -> int:
    if actor.user_id is None:
        raise AuthenticationRequired(N_("Sign in to read your notifications."))
    return actor.user_id


def list_mine(
    actor: Actor, uow: UnitOfWork, unread_only: bool, page: int, page_size: int
) -> tuple[list[Any], int]:
    """A page of the actor's own notifications, newest first."""
    return uow.notifications.page(_own_user(actor), unread_only, page_size, (page - 1) * page_size)


def mark_read(notification_id: int, actor: Actor, uow: UnitOfWork, now: datetime) -> Any:
    """Mark one of the actor's notifications read."""
    notification = uow.notifications.get_own(_own_user(actor), notification_id)
    if notification is None:
        raise NotFound("Notification")
    if notification.read_at is None:
        notification.read_at = now
    uow.commit()
    return notification


def mark_all_read(actor: Actor, uow: UnitOfWork, now: datetime) -> int:
    """Mark all of the actor's notifications read; returns how many changed."""
    count = uow.notifications.mark_all_read(_own_user(actor), now)
    uow.commit()
    return count


def deliveries_about(
    uow: UnitOfWork, subject_type: str, subject_ids: Collection[int]
) -> dict[int, list[Any]]:
    """The deliveries of the notifications about some subjects (e.g. reminder tasks), by subject id: each
    with its channel, state and last error."""
    found: dict[int, list[Any]] = {}
    for delivery in uow.deliveries.about(subject_type, sorted(set(subject_ids))):
        found.setdefault(delivery.subject_id, []).append(delivery)
    return found
