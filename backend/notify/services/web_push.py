"""Web Push: a user's subscriptions (subscribe, unsubscribe, list), pushes staged for after the commit."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from backend.core.domain.audit import AuditAction
from backend.core.domain.errors import N_, AuthenticationRequired, NotFound
from backend.core.services import audit
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork
from backend.notify.domain.notifications import NotificationKind
from backend.notify.domain.web_push import (
    PUSHED_KINDS,
    PushChannel,
    PushMessage,
    PushOutcome,
    SubscriptionKeys,
    endpoint_hash,
)

ENTITY = "push_subscription"


def _own_user(actor: Actor) -> int:
    if actor.user_id is None:
        raise AuthenticationRequired(N_("Sign in to manage your push subscriptions."))
    return actor.user_id


def _audit(uow: UnitOfWork, actor: Actor, action: AuditAction, subscription: Any, before: Any) -> None:
    after = None if action is AuditAction.DELETE else subscription.audit_snapshot()
    audit.record(uow, actor, action, ENTITY, subscription.id, before=before, after=after)


def subscribe(values: Mapping[str, Any], actor: Actor, uow: UnitOfWork, now: datetime) -> Any:
    """Register this browser's or phone's subscription for the actor (an endpoint moves to its new user)."""
    user_id = _own_user(actor)
    keys_given = values.get("keys") or {}
    keys = SubscriptionKeys.checked(
        values.get("endpoint") or "", keys_given.get("p256dh") or "", keys_given.get("auth") or ""
    )
    fields = {
        "user_id": user_id,
        "device_id": actor.device_id,
        "endpoint": keys.endpoint,
        "p256dh": keys.p256dh,
        "auth": keys.auth,
        "user_agent": (values.get("user_agent") or "").strip() or None,
    }
    subscription = uow.push_subscriptions.by_endpoint_hash(keys.endpoint_hash)
    if subscription is None:
        subscription = uow.push_subscriptions.add(
            endpoint_hash=keys.endpoint_hash, created_at=now, failure_count=0, **fields
        )
        uow.flush()
        _audit(uow, actor, AuditAction.CREATE, subscription, None)
    else:
        before = subscription.audit_snapshot()
        for name, value in fields.items():
            setattr(subscription, name, value)
        subscription.disabled_at = None
        subscription.failure_count = 0
        uow.flush()
        _audit(uow, actor, AuditAction.UPDATE, subscription, before)
    uow.commit()
    return subscription


def unsubscribe(endpoint: str, actor: Actor, uow: UnitOfWork) -> None:
    """Remove one of the actor's own subscriptions; another user's endpoint is not found."""
    user_id = _own_user(actor)
    subscription = uow.push_subscriptions.by_endpoint_hash(endpoint_hash(endpoint))
    if subscription is None or subscription.user_id != user_id:
        raise NotFound("Push subscription")
    before = subscription.audit_snapshot()
    _audit(uow, actor, AuditAction.DELETE, subscription, before)
    uow.push_subscriptions.delete(subscription)
    uow.commit()


def list_mine(actor: Actor, uow: UnitOfWork) -> list[Any]:
    """The actor's own subscriptions, newest first, disabled ones included."""
    return uow.push_subscriptions.of_user(_own_user(actor))


def stage_pushes(
    uow: UnitOfWork,
    user_ids: Iterable[int],
    kind: NotificationKind,
    params: Mapping[str, Any],
    subject: tuple[str, int] | None = None,
) -> None:
    """Stage a push of a notification to the users' active subscriptions; it goes out after the commit."""
    if kind not in PUSHED_KINDS:
        return
    subject_type, subject_id = subject if subject else (None, None)
    targets = tuple(uow.push_subscriptions.targets(user_ids))
    uow.push_outbox.stage(PushMessage(kind, dict(params), targets, subject_type, subject_id))


def send_test(actor: Actor, uow: UnitOfWork, delivery: PushChannel) -> dict[str, int]:
    """Push a test notification to the actor's own active subscriptions now; counts by outcome."""
    user_id = _own_user(actor)
    targets = tuple(uow.push_subscriptions.targets([user_id]))
    uow.commit()  # nothing to keep: end the read transaction before talking to the push services
    outcomes = delivery.deliver_now([PushMessage(NotificationKind.PUSH_TEST, {}, targets)]) if targets else []
    counts = {"sent": len(outcomes)} | {outcome.value: 0 for outcome in PushOutcome}
    for _subscription_id, outcome in outcomes:
        counts[outcome.value] += 1
    return counts


def record_outcomes(outcomes: Sequence[tuple[int, PushOutcome]], uow: UnitOfWork, now: datetime) -> None:
    """Stamp each subscription: success time, or a failure counted; a gone one is disabled for good."""
    subscriptions = {row.id: row for row in uow.push_subscriptions.find_many([sid for sid, _ in outcomes])}
    for subscription_id, outcome in outcomes:
        subscription = subscriptions.get(subscription_id)
        if subscription is None:
            continue
        if outcome is PushOutcome.DELIVERED:
            subscription.last_success_at = now
            continue
        subscription.last_failure_at = now
        subscription.failure_count += 1
        if outcome is PushOutcome.GONE and subscription.disabled_at is None:
            subscription.disabled_at = now
    uow.commit()
