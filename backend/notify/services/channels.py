"""Shared notification channels (企业微信 / 钉钉 group robots, webhooks) an admin sets up for a region or
project, and each user's own preferences; a test message on any of them.

Robot keys, webhook addresses and signing secrets are write-only: stored encrypted, audited as "changed"
without their value, never returned. A webhook may only point at a host of the outbound allow-list.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

from backend.core.domain.access import Permission as P
from backend.core.domain.audit import AuditAction
from backend.core.domain.errors import N_, AuthenticationRequired, Forbidden, Message, ValidationFailed
from backend.core.domain.listing import ListQuery
from backend.core.services import audit
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork
from backend.notify.domain.channels import SHARED_CHANNELS, ChannelKind
from backend.notify.domain.notifications import NotificationKind
from backend.notify.domain.outbound import check_webhook_url
from backend.notify.domain.outbox import Courier, parse_preferences
from backend.notify.services import outbox

ENTITY = "channel_endpoint"
PREFERENCES = "notification_preferences"
LOCALES = frozenset({"zh_CN", "en"})
_WECOM_KEY = re.compile(r"^[A-Za-z0-9-]{8,128}$")
_DINGTALK_TOKEN = re.compile(r"^[A-Za-z0-9]{16,128}$")


class Sealer(Protocol):
    """Encrypts a secret for storage."""

    def seal(self, plain: str) -> str:
        """The secret, encrypted."""


def _robot_target(channel: ChannelKind, given: str) -> str | None:
    """The robot's key or access token, also when the whole robot address was pasted; None if invalid."""
    text = given.strip()
    if text.startswith(("https://", "http://")):
        query = parse_qs(urlsplit(text).query)
        text = (query.get("key" if channel is ChannelKind.WECOM else "access_token") or [""])[0]
    pattern = _WECOM_KEY if channel is ChannelKind.WECOM else _DINGTALK_TOKEN
    return text if pattern.match(text) else None


def _hint(channel: ChannelKind, target: str) -> str:
    """How an endpoint is told apart without its secret: the webhook's host, the key's last four."""
    if channel is ChannelKind.WEBHOOK:
        return urlsplit(target).hostname or "?"
    return f"…{target[-4:]}"


def _checked(values: Mapping[str, Any], channel: ChannelKind, allowed_hosts: str) -> dict[str, Any]:
    """The target, secret, kinds and language checked for the channel; every bad field named."""
    problems: dict[str, list[str]] = {}
    checked = _checked_target(values, channel, allowed_hosts, problems)
    kinds = values.get("kinds")
    if kinds is not None:
        unknown = [kind for kind in kinds if kind not in {k.value for k in NotificationKind}]
        if unknown:
            problems["kinds"] = [N_("Unknown notification kind.")]
        checked["kinds"] = sorted(set(kinds))
    if "locale" in values and values["locale"] not in LOCALES:
        problems["locale"] = [N_("Choose zh_CN or en.")]
    if problems:
        raise ValidationFailed(problems, N_("The notification channel is not valid."))
    return checked


def _checked_target(
    values: Mapping[str, Any], channel: ChannelKind, allowed_hosts: str, problems: dict[str, list[str]]
) -> dict[str, Any]:
    """Where the channel posts and its signing secret, as given; problems are added to `problems`."""
    checked: dict[str, Any] = {}
    if "target" in values:
        given = str(values.get("target") or "")
        if channel is ChannelKind.WEBHOOK:
            found = check_webhook_url(given.strip(), allowed_hosts)
            if found:
                problems["target"] = found
            else:
                checked["target"] = given.strip()
        else:
            target = _robot_target(channel, given)
            if target is None:
                problems["target"] = [
                    N_("Give the robot's key (企业微信) or access token (钉钉), or paste its whole address.")
                ]
            else:
                checked["target"] = target
    if values.get("secret"):
        secret = str(values["secret"]).strip()
        if channel is ChannelKind.DINGTALK and not secret.startswith("SEC"):
            problems["secret"] = [N_("A 钉钉 robot's signing secret starts with SEC.")]
        elif channel is ChannelKind.WECOM:
            problems["secret"] = [N_("企业微信 group robots have no signing secret; leave it empty.")]
        checked["secret"] = secret
    return checked


def _reach(values: Mapping[str, Any], actor: Actor, uow: UnitOfWork) -> tuple[int | None, int | None]:
    """The region or project the channel serves, which the actor must administer."""
    scope = actor.require(P.NOTIFY_ADMIN)
    region_id, project_id = values.get("region_id"), values.get("project_id")
    if region_id is not None and project_id is not None:
        raise ValidationFailed.single("project_id", N_("Give a region or a project, not both."))
    if project_id is not None:
        project = uow.projects.get(project_id, actor.scope_for(P.PROJECT_READ))
        if not scope.covers_project(project.id, project.region_id):
            raise Forbidden(N_("You do not administer notifications of this project."))
        return None, project.id
    if region_id is not None:
        region = uow.regions.get(region_id, actor.scope_for(P.REGION_READ))
        if not scope.covers_region(region.id):
            raise Forbidden(N_("You do not administer notifications of this region."))
        return region.id, None
    if not scope.everything:
        raise Forbidden(N_("Only head office sets up channels for the whole company."))
    return None, None


def _audit(
    uow: UnitOfWork, actor: Actor, action: AuditAction, endpoint: Any, before: Any, secrets: Any
) -> None:
    after = None if action is AuditAction.DELETE else endpoint.audit_snapshot() | secrets
    audit.record(uow, actor, action, ENTITY, endpoint.id, before=before, after=after)


def create(
    values: Mapping[str, Any],
    actor: Actor,
    uow: UnitOfWork,
    sealer: Sealer,
    allowed_hosts: str,
    now: datetime,
) -> Any:
    """Set up a group robot or webhook for a region, a project or (head office) the whole company."""
    channel = ChannelKind(values["channel"])
    if channel not in SHARED_CHANNELS:
        raise ValidationFailed.single("channel", N_("Choose wecom, dingtalk or webhook."))
    if not values.get("target"):
        raise ValidationFailed.single("target", N_("Give where the channel posts."))
    region_id, project_id = _reach(values, actor, uow)
    checked = _checked(values, channel, allowed_hosts)
    endpoint = uow.channel_endpoints.create(
        channel=channel,
        name=str(values["name"]).strip(),
        region_id=region_id,
        project_id=project_id,
        target_encrypted=sealer.seal(checked["target"]),
        secret_encrypted=sealer.seal(checked["secret"]) if checked.get("secret") else None,
        target_hint=_hint(channel, checked["target"]),
        kinds=checked.get("kinds", []),
        locale=values.get("locale") or "zh_CN",
        enabled=values.get("enabled", True),
        created_at=now,
        updated_at=now,
    )
    uow.flush()
    _audit(uow, actor, AuditAction.CREATE, endpoint, None, _secret_marks(checked))
    uow.commit()
    return endpoint


def _secret_marks(checked: Mapping[str, Any]) -> dict[str, str]:
    """What the audit log says of the secrets: that they were set, never their value."""
    return {f"{name}_set": "yes" for name in ("target", "secret") if checked.get(name)}


def _scope(actor: Actor) -> Any:
    return actor.require(P.NOTIFY_ADMIN)


def update(
    endpoint_id: int,
    values: Mapping[str, Any],
    actor: Actor,
    uow: UnitOfWork,
    sealer: Sealer,
    allowed_hosts: str,
    now: datetime,
) -> Any:
    """Change a channel; a secret is only replaced when a new one is given."""
    endpoint = uow.channel_endpoints.get(endpoint_id, _scope(actor))
    checked = _checked(values, endpoint.channel, allowed_hosts)
    before = endpoint.audit_snapshot()
    for name in ("name", "locale", "enabled"):
        if name in values:
            setattr(endpoint, name, values[name].strip() if name == "name" else values[name])
    if "kinds" in checked:
        endpoint.kinds = checked["kinds"]
    if checked.get("target"):
        endpoint.target_encrypted = sealer.seal(checked["target"])
        endpoint.target_hint = _hint(endpoint.channel, checked["target"])
    if checked.get("secret"):
        endpoint.secret_encrypted = sealer.seal(checked["secret"])
    elif values.get("clear_secret"):
        endpoint.secret_encrypted = None
    endpoint.updated_at = now
    uow.flush()
    _audit(uow, actor, AuditAction.UPDATE, endpoint, before, _secret_marks(checked))
    uow.commit()
    return endpoint


def delete(endpoint_id: int, actor: Actor, uow: UnitOfWork) -> None:
    """Remove a channel (its queued deliveries go with it)."""
    endpoint = uow.channel_endpoints.get(endpoint_id, _scope(actor))
    _audit(uow, actor, AuditAction.DELETE, endpoint, endpoint.audit_snapshot(), {})
    uow.channel_endpoints.delete(endpoint)
    uow.commit()


def get(endpoint_id: int, actor: Actor, uow: UnitOfWork) -> Any:
    """One channel the actor administers."""
    return uow.channel_endpoints.get(endpoint_id, _scope(actor))


def page(query: ListQuery, actor: Actor, uow: UnitOfWork) -> tuple[Any, int]:
    """The channels of the regions and projects the actor administers."""
    return uow.channel_endpoints.page(_scope(actor), query)


def send_test(endpoint_id: int, actor: Actor, uow: UnitOfWork, courier: Courier, now: datetime) -> Any:
    """Post a test message on a channel now; the delivery says whether it arrived and, if not, why."""
    endpoint = uow.channel_endpoints.get(endpoint_id, _scope(actor))
    delivery = outbox.queue(
        uow,
        endpoint.channel,
        NotificationKind.CHANNEL_TEST,
        endpoint.locale,
        now,
        endpoint_id=endpoint.id,
        project_id=endpoint.project_id,
        region_id=endpoint.region_id,
    )
    uow.commit()
    return _sent_now(delivery.id, uow, courier)


def _sent_now(delivery_id: int, uow: UnitOfWork, courier: Courier) -> Any:
    courier.deliver_now([delivery_id])
    uow.rollback()  # read what the courier recorded in its own transaction
    return uow.deliveries.find(delivery_id)


# A user's own preferences -------------------------------------------------------------------------


def _own_user(actor: Actor) -> int:
    if actor.user_id is None:
        raise AuthenticationRequired(N_("Sign in to manage your notifications."))
    return actor.user_id


def preferences(actor: Actor, uow: UnitOfWork) -> dict[str, Any]:
    """The actor's preferences as they apply (the defaults until they save their own)."""
    user_id = _own_user(actor)
    row = uow.notification_preferences.of_user(user_id)
    applied = outbox.preferences_of(row)
    user = uow.users.find(user_id)
    return {
        "locale": user.locale if user is not None else None,
        "channels": {
            kind.value: sorted(c.value for c in applied.channels_for(kind) if c is not ChannelKind.INBOX)
            for kind in NotificationKind
        },
        "timezone": applied.timezone,
        "quiet_start": applied.quiet_start.strftime("%H:%M") if applied.quiet_start else None,
        "quiet_end": applied.quiet_end.strftime("%H:%M") if applied.quiet_end else None,
        "mobile": applied.mobile,
    }


def save_preferences(
    values: Mapping[str, Any], actor: Actor, uow: UnitOfWork, now: datetime
) -> dict[str, Any]:
    """Save the actor's preferences, whole (every field as given; kinds left out keep their defaults)."""
    user_id = _own_user(actor)
    parsed = parse_preferences(values)
    if values.get("locale") is not None:
        if values["locale"] not in LOCALES:
            raise ValidationFailed.single("locale", N_("Choose zh_CN or en."))
        user = uow.users.find(user_id)
        if user is not None and user.locale != values["locale"]:
            snapshot_user = user.audit_snapshot()
            user.locale = values["locale"]
            uow.flush()
            audit.record(
                uow,
                actor,
                AuditAction.UPDATE,
                "user",
                user_id,
                before=snapshot_user,
                after=user.audit_snapshot(),
            )
    before = uow.notification_preferences.of_user(user_id)
    snapshot = before.audit_snapshot() if before is not None else None
    row = uow.notification_preferences.save(
        user_id,
        channels={kind: sorted(c.value for c in chosen) for kind, chosen in parsed.channels.items()},
        timezone=parsed.timezone,
        quiet_start=parsed.quiet_start.strftime("%H:%M") if parsed.quiet_start else None,
        quiet_end=parsed.quiet_end.strftime("%H:%M") if parsed.quiet_end else None,
        mobile=parsed.mobile,
        updated_at=now,
    )
    uow.flush()
    action = AuditAction.CREATE if before is None else AuditAction.UPDATE
    audit.record(uow, actor, action, PREFERENCES, user_id, before=snapshot, after=row.audit_snapshot())
    uow.commit()
    return preferences(actor, uow)


def send_test_to_me(
    channel: ChannelKind, actor: Actor, uow: UnitOfWork, courier: Courier, now: datetime
) -> Any:
    """Send a test message to oneself on e-mail or SMS now; the delivery says how it went."""
    user_id = _own_user(actor)
    if channel not in {ChannelKind.EMAIL, ChannelKind.SMS}:
        raise ValidationFailed.single(
            "channel", N_("Choose email or sms (test pushes have their own action).")
        )
    user = uow.users.find(user_id)
    if user is None:
        raise AuthenticationRequired(N_("Sign in to manage your notifications."))
    target = (
        user.email
        if channel is ChannelKind.EMAIL
        else outbox.preferences_of(uow.notification_preferences.of_user(user_id)).mobile
    )
    if not target:
        field = "email" if channel is ChannelKind.EMAIL else "mobile"
        raise ValidationFailed.single(field, Message(N_("Add your %(field)s first."), field=field))
    delivery = outbox.queue(
        uow, channel, NotificationKind.CHANNEL_TEST, user.locale, now, user_id=user_id, target=target
    )
    uow.commit()
    return _sent_now(delivery.id, uow, courier)
