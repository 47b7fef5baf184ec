"""The delivery outbox: stage a notification's deliveries with it, send them from the workers, record them.

Staging happens in the transaction of whatever caused the notification, so a rollback drops its deliveries
too. A worker claims a batch (`claim`), sends it outside any transaction (`backend.notify.delivery`), and
records every outcome (`record`): sent, tried again after a backoff, or given up with an alert to the admins
of that scope. A person may resend any delivery; an admin may send a test message on any channel.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from backend.core.domain.access import Permission as P
from backend.core.domain.audit import AuditAction
from backend.core.domain.errors import N_, AuthenticationRequired, Conflict, NotFound
from backend.core.domain.scheduling import backoff_seconds
from backend.core.services import audit
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork
from backend.notify.domain.channels import SHARED_CHANNELS, ChannelKind, SendResult, Verdict
from backend.notify.domain.notifications import NotificationKind
from backend.notify.domain.outbox import (
    DEFAULT_TIMEZONE,
    SHARED_DEFAULT_KINDS,
    DeliveryState,
    Preferences,
    after_attempt,
)

BATCH = 200
CLAIM_SECONDS = 120
ERROR_LENGTH = 1000
# Kinds whose failure to arrive raises no further alert (an alert about an alert would loop).
NO_ALERT_KINDS = frozenset({NotificationKind.DELIVERY_GAVE_UP, NotificationKind.CHANNEL_TEST})


def preferences_of(row: Any) -> Preferences:
    """A user's stored preferences as the domain reads them (the defaults when none are stored)."""
    if row is None:
        return Preferences({})
    channels = {
        kind: frozenset(ChannelKind(c) for c in chosen) for kind, chosen in (row.channels or {}).items()
    }
    return Preferences(
        channels, row.timezone or DEFAULT_TIMEZONE, _time(row.quiet_start), _time(row.quiet_end), row.mobile
    )


def _time(text: str | None) -> time | None:
    if not text:
        return None
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


@dataclass
class Lookups:
    """What staging reads (recipients' addresses and preferences, a project's shared endpoints), kept for
    a caller staging many notifications in one transaction (a reminder run)."""

    people: dict[int, Any] = field(default_factory=dict)
    shared: dict[int | None, tuple[int | None, list[Any]]] = field(default_factory=dict)

    def recipients(self, uow: UnitOfWork, user_ids: Sequence[int]) -> dict[int, Any]:
        """The recipients named, read once each."""
        missing = [u for u in user_ids if u not in self.people]
        if missing:
            found = uow.deliveries.recipients(missing)
            self.people.update({u: found.get(u) for u in missing})
        return {u: self.people[u] for u in user_ids if self.people.get(u) is not None}

    def endpoints(self, uow: UnitOfWork, project_id: int | None) -> tuple[int | None, list[Any]]:
        """A project's shared endpoints, read once."""
        if project_id not in self.shared:
            self.shared[project_id] = uow.deliveries.shared_endpoints(project_id)
        return self.shared[project_id]


def stage(
    uow: UnitOfWork,
    user_ids: Sequence[int],
    kind: NotificationKind,
    params: Mapping[str, Any],
    project_id: int | None,
    subject: tuple[str, int] | None,
    now: datetime,
    asked: frozenset[ChannelKind] | None = None,
    shared: bool = True,
    lookups: Lookups | None = None,
) -> None:
    """Stage one inbox notification per recipient with its deliveries, and one per shared channel.

    `asked`: channels wanted beyond each recipient's choice for the kind; its shared channels select the
    endpoints (of those channels, accepting the kind) instead of the endpoints' default kinds."""
    subject_type, subject_id = subject if subject else (None, None)
    if lookups is None:
        people = uow.deliveries.recipients(user_ids)
        region_id, endpoints = uow.deliveries.shared_endpoints(project_id)
    else:
        people = lookups.recipients(uow, user_ids)
        region_id, endpoints = lookups.endpoints(uow, project_id)
    common = {
        "kind": kind,
        "params": dict(params),
        "project_id": project_id,
        "subject_type": subject_type,
        "subject_id": subject_id,
    }
    queued = {**common, "region_id": region_id, "state": DeliveryState.QUEUED, "attempts": 0}
    notifications = []
    for user_id in user_ids:
        person = people.get(user_id)
        locale = person.locale if person is not None else "zh_CN"
        inbox = {
            **queued,
            "channel": ChannelKind.INBOX,
            "user_id": user_id,
            "locale": locale,
            "state": DeliveryState.SENT,
            "next_attempt_at": now,
            "sent_at": now,
        }
        deliveries = [inbox] + (_personal(person, kind, queued, now, asked) if person is not None else [])
        notifications.append({**common, "user_id": user_id, "deliveries": deliveries})
    shared_rows = [
        {**queued, "channel": e.channel, "endpoint_id": e.id, "locale": e.locale, "next_attempt_at": now}
        for e in endpoints
        if shared and _takes(e, kind, asked)
    ]
    uow.deliveries.stage(notifications, shared_rows)


def _takes(endpoint: Any, kind: NotificationKind, asked: frozenset[ChannelKind] | None) -> bool:
    """Whether a shared endpoint gets a notification: the kinds it was set up for (or the default ones),
    or, when channels were asked for, an endpoint of one of them that does not exclude the kind."""
    if asked is not None:
        return endpoint.channel in asked and (not endpoint.kinds or kind.value in endpoint.kinds)
    return kind.value in endpoint.kinds if endpoint.kinds else kind in SHARED_DEFAULT_KINDS


def _personal(
    person: Any,
    kind: NotificationKind,
    queued: dict[str, Any],
    now: datetime,
    asked: frozenset[ChannelKind] | None = None,
) -> list[dict[str, Any]]:
    """A recipient's deliveries beyond the inbox: phones and browsers, e-mail, SMS, as they chose (and as
    the caller asked)."""
    preferences = preferences_of(person.preferences)
    rows = []
    base = {**queued, "user_id": person.user_id, "locale": person.locale}
    wanted = preferences.channels_for(kind) | ((asked or frozenset()) - SHARED_CHANNELS)
    for channel in sorted(wanted - {ChannelKind.INBOX}):
        when = preferences.not_before(channel, now)
        row = {**base, "channel": channel, "next_attempt_at": when}
        if channel is ChannelKind.WEB_PUSH:
            rows += [{**row, "subscription_id": sid} for sid in person.subscription_ids]
        elif channel is ChannelKind.EMAIL and person.email:
            rows.append({**row, "target": person.email})
        elif channel is ChannelKind.SMS and preferences.mobile:
            rows.append({**row, "target": preferences.mobile})
    return rows


@dataclass(frozen=True)
class Claimed:
    """A batch of deliveries this worker holds, with what sending them needs."""

    token: str
    deliveries: list[Any]
    addresses: dict[str, dict[int, Any]]


def claim(
    worker: str, uow: UnitOfWork, now: datetime, limit: int = BATCH, only: Sequence[int] | None = None
) -> Claimed:
    """Claim up to `limit` due deliveries for this worker (`only`: just these, if due)."""
    token = secrets.token_hex(16)
    lease_until = now + timedelta(seconds=CLAIM_SECONDS)
    rows = uow.deliveries.claim_due(worker, token, now, lease_until, limit, only)
    addresses = uow.deliveries.addresses(rows) if rows else {}
    uow.commit()
    return Claimed(token, rows, addresses)


def record(
    token: str, results: Sequence[tuple[Any, SendResult]], uow: UnitOfWork, now: datetime
) -> dict[int, tuple[DeliveryState, str | None]]:
    """Record each attempt's outcome; alert the scope's admins of every delivery that gave up.

    Returns each delivery's new state and error. A row whose claim lapsed meanwhile (another worker took it)
    is left alone.
    """
    outcomes = []
    states: dict[int, tuple[DeliveryState, str | None]] = {}
    alerts = []
    for delivery, result in results:
        outcome = after_attempt(result, delivery.attempts, now, backoff_seconds(delivery.attempts))
        error = (result.error or "")[:ERROR_LENGTH] or None
        outcomes.append(
            {
                "id": delivery.id,
                "token": token,
                "state": outcome.state,
                "next_attempt_at": outcome.next_attempt_at or delivery.next_attempt_at,
                "last_error": error,
                "provider_message_id": result.provider_message_id,
                "sent_at": now if outcome.state is DeliveryState.SENT else None,
            }
        )
        states[delivery.id] = (outcome.state, error)
        if outcome.alert and delivery.kind not in NO_ALERT_KINDS and not _gone_push(delivery, result):
            alerts.append((delivery, error or ""))
    uow.deliveries.record(outcomes)
    _stamp_subscriptions(results, uow, now)
    for delivery, error in alerts:
        _alert_gave_up(delivery, error, uow, now)
    uow.commit()
    return states


def _stamp_subscriptions(results: Sequence[tuple[Any, SendResult]], uow: UnitOfWork, now: datetime) -> None:
    """Push subscriptions keep their health: last success, failures counted, disabled once dropped."""
    pushes = [(d.subscription_id, r) for d, r in results if d.subscription_id is not None]
    if not pushes:
        return
    reached = [sid for sid, r in pushes if r.verdict is Verdict.SENT]
    gone = [sid for sid, r in pushes if r.verdict is not Verdict.SENT and (r.error or "").startswith("gone")]
    failed = [sid for sid, r in pushes if r.verdict is not Verdict.SENT and sid not in gone]
    uow.push_subscriptions.record_outcomes(reached, failed, gone, now)


def _gone_push(delivery: Any, result: SendResult) -> bool:
    """A browser that dropped its subscription: nothing to fix, the subscription is disabled."""
    return delivery.channel is ChannelKind.WEB_PUSH and (result.error or "").startswith("gone")


def _alert_gave_up(delivery: Any, error: str, uow: UnitOfWork, now: datetime) -> None:
    """Tell the admins of the delivery's scope that it will not arrive (in their inbox at least)."""
    if delivery.endpoint_id is not None:
        recipient = f"channel {delivery.endpoint_id}"
    else:
        recipient = delivery.target or f"user {delivery.user_id}"
    notify_admins(
        uow,
        NotificationKind.DELIVERY_GAVE_UP,
        {
            "kind": delivery.kind.value,
            "channel": delivery.channel.value,
            "recipient": recipient,
            "error": error[:300],
            "delivery": delivery.id,
        },
        delivery.project_id,
        ("delivery", delivery.id),
        now,
    )


def notify_admins(
    uow: UnitOfWork,
    kind: NotificationKind,
    params: Mapping[str, Any],
    project_id: int | None,
    subject: tuple[str, int] | None,
    now: datetime,
) -> None:
    """Notify the holders of notify:admin over a project (or head office's, without one)."""
    admins = uow.users.holders(P.NOTIFY_ADMIN, project_id)
    stage(uow, sorted(set(admins)), kind, params, project_id, subject, now)


def queue(
    uow: UnitOfWork, channel: ChannelKind, kind: NotificationKind, locale: str, now: datetime, **where: Any
) -> Any:
    """Stage one delivery, due now (a test message; `where`: its recipient, endpoint or subscription)."""
    return uow.deliveries.add(
        channel=channel,
        kind=kind,
        params=where.pop("params", {}),
        locale=locale,
        state=DeliveryState.QUEUED,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        **where,
    )


def resend(delivery_id: int, actor: Actor, uow: UnitOfWork, now: datetime) -> Any:
    """Queue a delivery again as a new row (an admin over its scope, or its own recipient)."""
    original = _visible(delivery_id, actor, uow)
    if original.channel is ChannelKind.INBOX:
        raise Conflict(N_("An inbox notification is always delivered; nothing to resend."))
    if original.state in {DeliveryState.QUEUED, DeliveryState.SENDING}:
        raise Conflict(N_("This delivery is still on its way; wait for it to be sent or to fail."))
    copied = {
        name: getattr(original, name)
        for name in (
            "notification_id", "channel", "user_id", "endpoint_id", "subscription_id", "target", "kind",
            "params", "locale", "project_id", "region_id", "subject_type", "subject_id",
        )
    }  # fmt: skip
    delivery = uow.deliveries.add(
        **copied,
        state=DeliveryState.QUEUED,
        attempts=0,
        next_attempt_at=now,
        resend_of_id=original.id,
        created_at=now,
    )
    uow.flush()
    audit.record(
        uow, actor, AuditAction.CREATE, "delivery", delivery.id, after={"resend_of_id": original.id},
        project_id=original.project_id,
    )  # fmt: skip
    uow.commit()
    return delivery


def _visible(delivery_id: int, actor: Actor, uow: UnitOfWork) -> Any:
    if actor.user_id is None and actor.principal is not None:
        raise AuthenticationRequired(N_("Sign in to see deliveries."))
    scope = actor.scope_for(P.NOTIFY_ADMIN)
    delivery = uow.deliveries.visible(delivery_id, scope, actor.user_id)
    if delivery is None:
        raise NotFound("Delivery")
    return delivery


def get(delivery_id: int, actor: Actor, uow: UnitOfWork) -> Any:
    """One delivery an admin's scope reaches, or one of one's own."""
    return _visible(delivery_id, actor, uow)


def page(
    actor: Actor, uow: UnitOfWork, filters: Mapping[str, Any], mine: bool, page_number: int, page_size: int
) -> tuple[list[Any], int]:
    """Deliveries newest first: one's own, or (for holders of notify:admin) those of one's scope."""
    offset = (page_number - 1) * page_size
    if mine:
        if actor.user_id is None:
            raise AuthenticationRequired(N_("Sign in to see your deliveries."))
        return uow.deliveries.page(None, filters, actor.user_id, page_size, offset)
    return uow.deliveries.page(actor.require(P.NOTIFY_ADMIN), filters, None, page_size, offset)


def counts(uow: UnitOfWork) -> dict[str, int]:
    """How many deliveries stand in each state (for operators)."""
    found = uow.deliveries.counts()
    return {state.value: found.get(state, 0) for state in DeliveryState}


def of_notifications(notification_ids: Iterable[int], uow: UnitOfWork) -> dict[int, list[Any]]:
    """The deliveries of notifications, by notification."""
    grouped: dict[int, list[Any]] = {}
    for delivery in uow.deliveries.of_notification(sorted(set(notification_ids))):
        grouped.setdefault(delivery.notification_id, []).append(delivery)
    return grouped
