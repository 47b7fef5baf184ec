"""Web Push: a user's subscriptions (subscribe, unsubscribe, list) and a test push, through the outbox."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from backend.core.domain.audit import AuditAction
from backend.core.domain.errors import N_, AuthenticationRequired, NotFound
from backend.core.services import audit
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork
from backend.notify.domain.channels import ChannelKind
from backend.notify.domain.notifications import NotificationKind
from backend.notify.domain.web_push import SubscriptionKeys, endpoint_hash
from backend.notify.services import outbox

ENTITY = "push_subscription"


def _own_user(actor: Actor) -> int:
    if actor.user_id is None:
        raise AuthenticationRequired(N_("Sign in to manage your push subscriptions."))
    return actor.user_id


def _audit(uow: UnitOfWork, actor: Actor, action: AuditAction, subscription: Any, before: Any) -> None:
    after = None if action is AuditAction.DELETE else subscription.audit_snapshot()
    audit.record(uow, actor, action, ENTITY, subscription.id, before=before, after=after)


def subscribe(
    values: Mapping[str, Any], actor: Actor, uow: UnitOfWork, now: datetime, allowed_hosts: str
) -> Any:
    """Register this browser's or phone's subscription for the actor (an endpoint moves to its new user).

    `allowed_hosts`: the push services the server may post to (PUSH_ALLOWED_HOSTS).
    """
    user_id = _own_user(actor)
    keys_given = values.get("keys") or {}
    keys = SubscriptionKeys.checked(
        values.get("endpoint") or "",
        keys_given.get("p256dh") or "",
        keys_given.get("auth") or "",
        allowed_hosts,
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


def send_test(actor: Actor, uow: UnitOfWork, now: datetime) -> dict[str, int]:
    """Queue a test notification to each of the actor's own active subscriptions; how many were queued.

    The worker sends them like any other push. The answer says nothing of how a push service answered:
    a test push must not tell its caller which addresses the server can reach. Each subscription's health
    (last success, failures) shows in the list of subscriptions.
    """
    user_id = _own_user(actor)
    rows = [
        outbox.queue(
            uow,
            ChannelKind.WEB_PUSH,
            NotificationKind.PUSH_TEST,
            target.locale,
            now,
            user_id=user_id,
            subscription_id=target.subscription_id,
        )
        for target in uow.push_subscriptions.targets([user_id])
    ]
    uow.commit()
    return {"queued": len(rows)}
