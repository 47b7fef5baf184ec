"""Signing in on the web and on phones, device tokens, and who the caller is."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from backend.adapters import passwords
from backend.core.domain.access import Permission, Principal, Scope, principal_from
from backend.core.domain.audit import AuditAction, Origin
from backend.core.domain.errors import N_, AuthenticationRequired, Forbidden, NotFound, RateLimited
from backend.core.domain.listing import ListQuery
from backend.core.domain.login import LoginPolicy
from backend.core.services import audit
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork

TOKEN_PREFIX = "lkd_"  # noqa: S105 - a marker that makes leaked tokens easy to scan for, not a secret
# Refreshing last_seen on every request would turn each read into a write.
LAST_SEEN_RESOLUTION = timedelta(minutes=5)


def principal_of(user: Any) -> Principal:
    """The domain view of a user: id, name and role assignments."""
    return principal_from(user.id, user.username, user.assignments())


def hash_token(token: str) -> str:
    """Device tokens are stored only as their SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()


def _record_failed_sign_in(uow: UnitOfWork) -> None:
    """A refused sign-in is recorded all the same (its attempt and audit entry): throttling counts it."""
    uow.commit()


def check_throttle(username: str, ip: str, policy: LoginPolicy, now: datetime, uow: UnitOfWork) -> None:
    """429 with the wait when this username or this address has failed too often (see LoginPolicy)."""
    since = now - policy.window
    attempts = uow.login_attempts
    counts = [
        (attempts.failures_since(since, username=username, ip=ip), policy.free_failures_per_pair),
        (attempts.failures_since(since, username=username), policy.free_failures_per_account),
    ]
    if not attempts.succeeded_from(username, ip, now - policy.trust_period):
        counts.append((attempts.failures_since(since, ip=ip), policy.free_failures_per_ip))
    waits = [wait for failures, free in counts if (wait := policy.retry_after(failures, free, now))]
    if waits:
        wait = max(waits)
        raise RateLimited(
            N_("Too many failed sign-in attempts; try again in %(seconds)s seconds."),
            retry_after=wait,
            seconds=wait,
        )


def record_attempt(
    username: str, ip: str, succeeded: bool, policy: LoginPolicy, now: datetime, uow: UnitOfWork
) -> None:
    """Count one password check, and forget what no longer counts."""
    uow.login_attempts.record(username, ip, succeeded, now)
    uow.login_attempts.forget_before(now - 4 * policy.window, now - policy.trust_period)


def login(
    username: str, password: str, actor: Actor, policy: LoginPolicy, now: datetime, uow: UnitOfWork
) -> Any:
    """Check a username and password, throttled per account and address; returns the user.

    Every refusal takes the time of one password verification, whatever the account's state (unknown,
    deactivated or a wrong password): the answer's timing tells nothing.
    """
    username = username.strip().lower()
    ip = actor.ip or "unknown"
    check_throttle(username, ip, policy, now, uow)
    user = uow.users.by_username(username)
    if user is None:
        passwords.burn_time(password)
        ok = False
    else:
        ok = passwords.verify_password(user.password_hash, password) and user.is_active
    record_attempt(username, ip, ok, policy, now, uow)
    if user is not None:
        action = AuditAction.LOGIN if ok else AuditAction.LOGIN_FAILED
        audit.record(uow, actor, action, "user", user.id, after={"origin": actor.origin.value})
    if not ok:
        _record_failed_sign_in(uow)
        raise AuthenticationRequired(N_("Wrong username or password, or the account is deactivated."))
    assert user is not None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_login_at = now
    uow.commit()
    return user


@dataclass(frozen=True)
class IssuedDevice:
    """A newly bound device and its token, shown only this once."""

    device: Any
    token: str


def register_device(
    credentials: Mapping[str, Any], actor: Actor, policy: LoginPolicy, now: datetime, uow: UnitOfWork
) -> IssuedDevice:
    """Sign in from a phone: bind a new device to the user and issue its bearer token."""
    user = login(credentials["username"], credentials["password"], actor, policy, now, uow)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    device = uow.devices.create(
        user_id=user.id,
        name=credentials["device_name"],
        platform=credentials.get("platform"),
        app_version=credentials.get("app_version"),
        token_hash=hash_token(token),
        created_at=now,
        last_seen_at=now,
    )
    uow.flush()
    device_actor = Actor(principal_of(user), Origin.DEVICE, actor.ip, device.id, actor.request_id)
    audit.record(uow, device_actor, AuditAction.CREATE, "device", device.id, after=device.audit_snapshot())
    uow.commit()
    return IssuedDevice(device, token)


def authenticate_device(
    token: str, idle_days: int, now: datetime, uow: UnitOfWork, record_use: bool = True
) -> tuple[Any, Any]:
    """The (user, device) behind a bearer token; revoked, idle-expired or unknown tokens are refused.

    `record_use`: the request writes anyway, so it also moves the device's last use (a read never writes;
    a phone's every sync is a write, so a device in use stays fresh).
    """
    device = uow.devices.by_token_hash(hash_token(token))
    if device is None:
        raise AuthenticationRequired(N_("Unknown device token; sign in again."))
    if device.revoked_at is not None:
        raise AuthenticationRequired(N_("This device was revoked; sign in again."))
    if device.last_seen_at + timedelta(days=idle_days) < now:
        raise AuthenticationRequired(N_("This device token expired after a long time unused; sign in again."))
    if not device.user.is_active:
        raise AuthenticationRequired(N_("The account is deactivated."))
    if record_use and now - device.last_seen_at >= LAST_SEEN_RESOLUTION:
        device.last_seen_at = now
        uow.commit()
    return device.user, device


def logout(actor: Actor, uow: UnitOfWork) -> None:
    """Sign out of the web: every web session of the user ends at once, on every API process.

    The cookie is signed, not stored; moving the user's session epoch is what makes a copied cookie worthless.
    """
    principal = require_user(actor)
    user = uow.users.active_by_id(principal.user_id)
    if user is None:
        return
    user.session_epoch += 1
    audit.record(uow, actor, AuditAction.LOGOUT, "user", user.id, after={"origin": actor.origin.value})
    uow.commit()


def authenticate_session(user_id: int, epoch: int, uow: UnitOfWork) -> Any | None:
    """The active user of a web session, unless the session was ended since."""
    user = uow.users.active_by_id(user_id)
    if user is None or user.session_epoch != epoch:
        return None
    return user


def list_devices(query: ListQuery, actor: Actor, uow: UnitOfWork) -> tuple[Sequence[Any], int]:
    """The actor's own devices; device admins may list anybody's (filter by user_id)."""
    if actor.scope_for(Permission.DEVICE_ADMIN).everything:
        return uow.devices.page(actor.scope_for(Permission.DEVICE_ADMIN), query)
    own = dict(query.filters)
    own["user_id"] = actor.user_id
    return uow.devices.page(Scope(everything=True), ListQuery(own, query.sort, query.page, query.page_size))


def revoke_device(device_id: int, actor: Actor, now: datetime, uow: UnitOfWork) -> Any:
    """Revoke a device: its token stops working at once, on every API process."""
    device = uow.devices.find(device_id)
    is_admin = actor.scope_for(Permission.DEVICE_ADMIN).everything
    if device is None or (device.user_id != actor.user_id and not is_admin):
        raise NotFound("Device")
    if device.revoked_at is None:
        before = device.audit_snapshot()
        device.revoked_at = now
        device.revoked_by_id = actor.user_id
        audit.record(
            uow, actor, AuditAction.REVOKE, "device", device.id, before=before, after=device.audit_snapshot()
        )
        uow.commit()
    return device


def require_user(actor: Actor) -> Principal:
    """The signed-in principal; the system actor has none."""
    if actor.principal is None:
        raise Forbidden(N_("This action needs a signed-in user."))
    return actor.principal
