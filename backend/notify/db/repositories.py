"""The in-app inbox, the Web Push subscriptions, and the outbox that hands pushes over after a commit."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from backend.core.db import deferred
from backend.core.db.base import utcnow
from backend.core.db.models import User
from backend.notify.db.models import Notification, PushSubscription
from backend.notify.domain.web_push import PushChannel, PushMessage, PushTarget


class NotificationRepository:
    """Each user's in-app inbox."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add_many(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Collect notifications (one per recipient); written in one statement as the transaction commits."""
        now = utcnow()
        deferred.add(self.session, NOTIFICATION_ROWS, [{"created_at": now, **row} for row in rows])

    def page(
        self, user_id: int, unread_only: bool, limit: int, offset: int
    ) -> tuple[list[Notification], int]:
        """A page of one user's notifications, newest first, and the total."""
        statement = select(Notification).where(Notification.user_id == user_id)
        if unread_only:
            statement = statement.where(Notification.read_at.is_(None))
        total = self.session.scalar(select(func.count()).select_from(statement.subquery())) or 0
        rows = self.session.scalars(
            statement.order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return list(rows), total

    def get_own(self, user_id: int, notification_id: int) -> Notification | None:
        """One of the user's notifications."""
        statement = select(Notification).where(
            Notification.id == notification_id, Notification.user_id == user_id
        )
        return self.session.scalars(statement).first()

    def mark_all_read(self, user_id: int, when: datetime) -> int:
        """Mark every unread notification of a user read; returns how many."""
        result = self.session.execute(
            update(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
            .values(read_at=when)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


NOTIFICATION_ROWS = "notifications"
deferred.writer(NOTIFICATION_ROWS, deferred.inserts(Notification))
log = logging.getLogger("leasekeeper.push")


class PushSubscriptionRepository:
    """Each user's push endpoints."""

    def __init__(self, session: Session) -> None:
        self.session = session
        # Each user's active targets, looked up once a transaction (a push notifies the same people often).
        self._targets: dict[int, list[PushTarget]] = {}

    def by_endpoint_hash(self, endpoint_hash: str) -> PushSubscription | None:
        """The subscription of an endpoint, whoever holds it, locked for the upsert."""
        statement = select(PushSubscription).where(PushSubscription.endpoint_hash == endpoint_hash)
        return self.session.scalars(statement.with_for_update()).first()

    def add(self, **values: object) -> PushSubscription:
        """Stage a new subscription."""
        subscription = PushSubscription(**values)
        self.session.add(subscription)
        self._targets.clear()
        return subscription

    def delete(self, subscription: PushSubscription) -> None:
        """Stage a subscription's removal."""
        self.session.delete(subscription)
        self._targets.clear()

    def of_user(self, user_id: int) -> list[PushSubscription]:
        """A user's subscriptions, newest first (disabled ones included)."""
        statement = (
            select(PushSubscription)
            .where(PushSubscription.user_id == user_id)
            .order_by(PushSubscription.created_at.desc(), PushSubscription.id.desc())
        )
        return list(self.session.scalars(statement))

    def targets(self, user_ids: Iterable[int]) -> list[PushTarget]:
        """The active subscriptions of these active users, each with its owner's language."""
        wanted = sorted(set(user_ids))
        missing = [user_id for user_id in wanted if user_id not in self._targets]
        if missing:
            statement = (
                select(PushSubscription, User.locale)
                .join(User, User.id == PushSubscription.user_id)
                .where(
                    PushSubscription.user_id.in_(missing),
                    PushSubscription.disabled_at.is_(None),
                    User.is_active.is_(True),
                )
                .order_by(PushSubscription.id)
            )
            found: dict[int, list[PushTarget]] = {user_id: [] for user_id in missing}
            for row, locale in self.session.execute(statement):
                found[row.user_id].append(PushTarget(row.id, row.endpoint, row.p256dh, row.auth, locale))
            self._targets.update(found)
        return sorted(
            (target for user_id in wanted for target in self._targets[user_id]),
            key=lambda t: t.subscription_id,
        )

    def find_many(self, ids: Sequence[int]) -> list[PushSubscription]:
        """Subscriptions by id (those still there)."""
        if not ids:
            return []
        statement = select(PushSubscription).where(PushSubscription.id.in_(sorted(set(ids))))
        return list(self.session.scalars(statement))


class PushOutbox:
    """Pushes staged in a transaction: handed to the dispatcher after the commit, dropped on rollback."""

    def __init__(self, dispatcher: PushChannel | None) -> None:
        self._dispatcher = dispatcher
        self._staged: list[PushMessage] = []

    def stage(self, message: PushMessage) -> None:
        """Send this once the transaction commits."""
        if message.targets:
            self._staged.append(message)

    def mark(self) -> int:
        """A point to drop back to (a savepoint's start)."""
        return len(self._staged)

    def drop_after(self, mark: int) -> None:
        """Forget what was staged after a mark (its savepoint rolled back)."""
        del self._staged[mark:]

    def clear(self) -> None:
        """Forget everything staged (the transaction rolled back)."""
        self._staged.clear()

    def release(self) -> None:
        """Hand the staged pushes to the dispatcher (the transaction committed)."""
        messages, self._staged = self._staged, []
        if not messages or self._dispatcher is None:
            return
        try:
            self._dispatcher.dispatch(messages)
        except Exception:
            log.exception("handing %d push message(s) to the dispatcher failed", len(messages))
