"""The in-app inbox, the Web Push subscriptions, and the outbox that hands pushes over after a commit."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, func, insert, or_, select, true, update
from sqlalchemy.orm import Session

from backend.core.db import deferred
from backend.core.db.base import utcnow
from backend.core.db.models import User
from backend.core.db.repositories import Repository, equals
from backend.core.db.scoping import projects_in
from backend.core.domain.access import Scope
from backend.notify.db.models import (
    ChannelEndpoint,
    Delivery,
    Notification,
    NotificationPreference,
    PushSubscription,
)
from backend.notify.domain.outbox import OPEN_STATES as OPEN_DELIVERY_STATES
from backend.notify.domain.outbox import DeliveryState, Recipient, SharedEndpoint
from backend.notify.domain.web_push import PushTarget
from backend.org.db.models import Project


class NotificationRepository:
    """Each user's in-app inbox."""

    def __init__(self, session: Session) -> None:
        self.session = session

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

    def record_outcomes(
        self, reached: Sequence[int], failed: Sequence[int], gone: Sequence[int], when: datetime
    ) -> None:
        """Stamp subscriptions after pushes: a success time, a failure counted, a dropped one disabled."""
        subscription = PushSubscription
        changes: list[tuple[Sequence[int], dict[str, Any]]] = [
            (reached, {"last_success_at": when}),
            (failed, {"last_failure_at": when, "failure_count": subscription.failure_count + 1}),
            (
                gone,
                {
                    "last_failure_at": when,
                    "failure_count": subscription.failure_count + 1,
                    "disabled_at": when,
                },
            ),
        ]
        for ids, values in changes:
            if ids:
                self.session.execute(
                    update(subscription)
                    .where(subscription.id.in_(sorted(set(ids))))
                    .values(**values)
                    .execution_options(synchronize_session=False)
                )

    def find_many(self, ids: Sequence[int]) -> list[PushSubscription]:
        """Subscriptions by id (those still there)."""
        if not ids:
            return []
        statement = select(PushSubscription).where(PushSubscription.id.in_(sorted(set(ids))))
        return list(self.session.scalars(statement))


class DeliveryRepository:
    """The delivery outbox: rows staged with their notification, claimed and recorded by the workers."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._recipients: dict[int, Recipient | None] = {}
        self._shared: dict[int, tuple[int | None, list[SharedEndpoint]]] = {}

    def recipients(self, user_ids: Sequence[int]) -> dict[int, Recipient]:
        """The active users among the ids with their preferences and active push subscriptions."""
        missing = [user_id for user_id in user_ids if user_id not in self._recipients]
        if missing:
            found: dict[int, Recipient | None] = dict.fromkeys(missing)
            users = self.session.execute(
                select(User, NotificationPreference)
                .outerjoin(NotificationPreference, NotificationPreference.user_id == User.id)
                .where(User.id.in_(missing), User.is_active.is_(True))
            )
            subscriptions: dict[int, list[int]] = {}
            for user_id, subscription_id in self.session.execute(
                select(PushSubscription.user_id, PushSubscription.id)
                .where(PushSubscription.user_id.in_(missing), PushSubscription.disabled_at.is_(None))
                .order_by(PushSubscription.id)
            ):
                subscriptions.setdefault(user_id, []).append(subscription_id)
            for user, preference in users:
                found[user.id] = Recipient(
                    user.id,
                    user.display_name,
                    user.locale,
                    user.email,
                    preference,
                    tuple(subscriptions.get(user.id, ())),
                )
            self._recipients.update(found)
        return {uid: row for uid in user_ids if (row := self._recipients.get(uid)) is not None}

    def shared_endpoints(self, project_id: int | None) -> tuple[int | None, list[SharedEndpoint]]:
        """The project's region and the enabled robots and webhooks of the project or its region.

        Without a project: those configured for the whole installation (neither region nor project).
        """
        key = project_id or 0
        if key not in self._shared:
            region_id = None
            if project_id is None:
                reach = ChannelEndpoint.region_id.is_(None) & ChannelEndpoint.project_id.is_(None)
            else:
                region_id = self.session.scalar(select(Project.region_id).where(Project.id == project_id))
                reach = (ChannelEndpoint.project_id == project_id) | (
                    ChannelEndpoint.region_id.is_not(None) & (ChannelEndpoint.region_id == region_id)
                )
            rows = self.session.scalars(
                select(ChannelEndpoint)
                .where(ChannelEndpoint.enabled.is_(True), reach)
                .order_by(ChannelEndpoint.id)
            )
            endpoints = [SharedEndpoint(e.id, e.channel, tuple(e.kinds or ()), e.locale) for e in rows]
            self._shared[key] = (region_id, endpoints)
        return self._shared[key]

    def stage(
        self, notification_rows: Sequence[Mapping[str, Any]], shared: Sequence[Mapping[str, Any]]
    ) -> None:
        """Collect notifications (each with its deliveries under "deliveries") and shared deliveries.

        Written as the transaction commits: the notifications in one statement returning their ids, then
        every delivery in one more.
        """
        now = utcnow()
        if notification_rows:
            deferred.add(
                self.session, NOTIFICATION_ROWS, [{"created_at": now, **row} for row in notification_rows]
            )
        if shared:
            deferred.add(self.session, DELIVERY_ROWS, [{"created_at": now, **row} for row in shared])

    def add(self, **values: Any) -> Delivery:
        """Stage one delivery now (a resend, a channel test)."""
        delivery = Delivery(**values)
        self.session.add(delivery)
        return delivery

    def claim_due(
        self,
        worker: str,
        token: str,
        now: datetime,
        lease_until: datetime,
        limit: int,
        only: Sequence[int] | None = None,
    ) -> list[Delivery]:
        """Claim up to `limit` deliveries due now (or whose claim lapsed), oldest first.

        On PostgreSQL rows other workers hold are skipped; on both databases the claim is a conditional
        update, so each row goes to one worker.
        """
        claimable = or_(
            and_(Delivery.state.in_(sorted(OPEN_DELIVERY_STATES)), Delivery.next_attempt_at <= now),
            and_(Delivery.state == DeliveryState.SENDING, Delivery.lease_until < now),
        )
        if only is not None:
            claimable = and_(claimable, Delivery.id.in_(sorted(set(only))))
        ids = list(
            self.session.scalars(
                select(Delivery.id)
                .where(claimable)
                .order_by(Delivery.next_attempt_at, Delivery.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        if not ids:
            return []
        self.session.execute(
            update(Delivery)
            .where(Delivery.id.in_(ids), claimable)
            .values(
                state=DeliveryState.SENDING,
                claimed_by=worker,
                claim_token=token,
                lease_until=lease_until,
                attempts=Delivery.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
        statement = select(Delivery).where(Delivery.claim_token == token).order_by(Delivery.id)
        return list(self.session.scalars(statement.execution_options(populate_existing=True)))

    def addresses(self, deliveries: Sequence[Delivery]) -> dict[str, dict[int, Any]]:
        """What sending needs besides the row: the users, the shared endpoints, the push subscriptions."""
        user_ids = {d.user_id for d in deliveries if d.user_id is not None}
        endpoint_ids = {d.endpoint_id for d in deliveries if d.endpoint_id is not None}
        subscription_ids = {d.subscription_id for d in deliveries if d.subscription_id is not None}
        return {
            "users": self._by_id(User, user_ids),
            "endpoints": self._by_id(ChannelEndpoint, endpoint_ids),
            "subscriptions": self._by_id(PushSubscription, subscription_ids),
        }

    def _by_id(self, model: type[Any], ids: set[int]) -> dict[int, Any]:
        if not ids:
            return {}
        return {row.id: row for row in self.session.scalars(select(model).where(model.id.in_(sorted(ids))))}

    def record(self, outcomes: Sequence[Mapping[str, Any]]) -> int:
        """Write each attempt's outcome where this worker still holds the claim; returns rows written.

        Each outcome names `id`, `token` and the new `state`, `next_attempt_at`, `last_error`,
        `provider_message_id` and `sent_at`.
        """
        if not outcomes:
            return 0
        statement = (
            update(Delivery)
            .where(Delivery.id == bindparam("b_id"), Delivery.claim_token == bindparam("b_token"))
            .values(
                state=bindparam("b_state"),
                next_attempt_at=bindparam("b_next"),
                last_error=bindparam("b_error"),
                provider_message_id=bindparam("b_provider"),
                sent_at=bindparam("b_sent"),
                lease_until=None,
                claim_token=None,
            )
            .execution_options(synchronize_session=False)
        )
        rows = [
            {
                "b_id": o["id"],
                "b_token": o["token"],
                "b_state": o["state"],
                "b_next": o["next_attempt_at"],
                "b_error": o.get("last_error"),
                "b_provider": o.get("provider_message_id"),
                "b_sent": o.get("sent_at"),
            }
            for o in outcomes
        ]
        result = self.session.connection().execute(statement, rows)
        return int(result.rowcount or 0)

    def about(self, subject_type: str, subject_ids: Sequence[int]) -> list[Delivery]:
        """The deliveries about some subjects, oldest first."""
        found: list[Delivery] = []
        for start in range(0, len(subject_ids), 1000):
            statement = select(Delivery).where(
                Delivery.subject_type == subject_type,
                Delivery.subject_id.in_(subject_ids[start : start + 1000]),
            )
            found += self.session.scalars(statement.order_by(Delivery.id))
        return found

    def find(self, delivery_id: int) -> Delivery | None:
        """One delivery by id, as stored now (another transaction may have just recorded it)."""
        return self.session.get(Delivery, delivery_id, populate_existing=True)

    def page(
        self, scope: Any, filters: Mapping[str, Any], user_id: int | None, limit: int, offset: int
    ) -> tuple[list[Delivery], int]:
        """A page of deliveries, newest first: the admin's scope, or (with `user_id`) one's own."""
        statement = select(Delivery)
        if user_id is not None:
            statement = statement.where(Delivery.user_id == user_id)
        else:
            statement = statement.where(_delivery_scope(scope))
        for name in ("state", "channel", "kind", "notification_id", "project_id"):
            if filters.get(name) is not None:
                statement = statement.where(getattr(Delivery, name) == filters[name])
        total = self.session.scalar(select(func.count()).select_from(statement.subquery())) or 0
        rows = self.session.scalars(statement.order_by(Delivery.id.desc()).limit(limit).offset(offset))
        return list(rows), total

    def visible(self, delivery_id: int, scope: Any, user_id: int | None) -> Delivery | None:
        """One delivery the admin's scope reaches, or one's own."""
        reach = _delivery_scope(scope)
        if user_id is not None:
            reach = or_(reach, Delivery.user_id == user_id)
        return self.session.scalars(select(Delivery).where(Delivery.id == delivery_id, reach)).first()

    def counts(self) -> dict[DeliveryState, int]:
        """How many deliveries stand in each state."""
        statement = select(Delivery.state, func.count()).group_by(Delivery.state)
        return {state: count for state, count in self.session.execute(statement)}  # noqa: C416 - rows, not pairs

    def of_notification(self, notification_ids: Sequence[int]) -> list[Delivery]:
        """The deliveries of these notifications."""
        if not notification_ids:
            return []
        statement = select(Delivery).where(Delivery.notification_id.in_(sorted(set(notification_ids))))
        return list(self.session.scalars(statement.order_by(Delivery.id)))


def _delivery_scope(scope: Any) -> ColumnElement[bool]:
    """Deliveries an admin's scope reaches: of its projects, or (head office) every one."""
    if scope.everything:
        return true()
    return Delivery.project_id.in_(select(Project.id).where(projects_in(scope)))


def _write_notifications(session: Session, rows: list[Any]) -> None:
    """Insert the notifications returning their ids, then their deliveries (the inbox one already sent)."""
    plain = [{key: value for key, value in row.items() if key != "deliveries"} for row in rows]
    result = session.execute(
        insert(Notification).returning(Notification.id, sort_by_parameter_order=True), plain
    )
    deliveries = [
        {"notification_id": notification_id, "created_at": row["created_at"], **delivery}
        for (notification_id,), row in zip(result.all(), rows, strict=True)
        for delivery in row.get("deliveries", ())
    ]
    if deliveries:
        session.connection().execute(insert(Delivery), _complete(deliveries))


def _write_deliveries(session: Session, rows: list[Any]) -> None:
    session.connection().execute(insert(Delivery), _complete(rows))


DELIVERY_COLUMNS = (
    "notification_id", "channel", "user_id", "endpoint_id", "subscription_id", "target", "kind", "params",
    "locale", "project_id", "region_id", "subject_type", "subject_id", "state", "attempts", "next_attempt_at",
    "last_error", "provider_message_id", "sent_at", "created_at",
)  # fmt: skip


def _complete(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every row with every column, so one executemany statement fits them all."""
    return [
        {column: row.get(column) for column in DELIVERY_COLUMNS} | {"attempts": row.get("attempts", 0)}
        for row in rows
    ]


DELIVERY_ROWS = "deliveries"
deferred.writer(NOTIFICATION_ROWS, _write_notifications)
deferred.writer(DELIVERY_ROWS, _write_deliveries)


class ChannelEndpointRepository(Repository[ChannelEndpoint]):
    """Shared channels: seen and changed by holders of notify:admin over their region or project."""

    model = ChannelEndpoint
    entity_name = "Notification channel"
    filters = {"channel": equals(ChannelEndpoint.channel), "project_id": equals(ChannelEndpoint.project_id)}
    sortable = {"name": ChannelEndpoint.name, "created_at": ChannelEndpoint.created_at}

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        if scope.everything:
            return true()
        return or_(
            ChannelEndpoint.region_id.in_(scope.region_ids),
            ChannelEndpoint.project_id.in_(select(Project.id).where(projects_in(scope))),
        )


class PreferenceRepository:
    """Each user's notification preferences (one row, made on first save)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def of_user(self, user_id: int) -> NotificationPreference | None:
        """The user's stored preferences, None while they use the defaults."""
        return self.session.get(NotificationPreference, user_id)

    def save(self, user_id: int, **values: Any) -> NotificationPreference:
        """Stage the user's preferences (made on first save)."""
        row = self.session.get(NotificationPreference, user_id)
        if row is None:
            row = NotificationPreference(user_id=user_id, **values)
            self.session.add(row)
        else:
            for name, value in values.items():
                setattr(row, name, value)
        return row
