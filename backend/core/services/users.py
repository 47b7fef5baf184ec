"""Use cases for users: accounts, role assignments, deactivation, passwords, one's own profile."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from backend.adapters import passwords
from backend.core.domain.access import Assignment, Permission, Role, validate_assignment
from backend.core.domain.audit import AuditAction
from backend.core.domain.errors import N_, Conflict, Forbidden, ValidationFailed
from backend.core.domain.listing import ListQuery
from backend.core.domain.login import LoginPolicy
from backend.core.services import audit
from backend.core.services.auth import check_throttle, record_attempt, require_user
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork

LOCALES = ("zh_CN", "en")
OWN_PROFILE_FIELDS = ("display_name", "locale")


def list_users(query: ListQuery, actor: Actor, uow: UnitOfWork) -> tuple[Sequence[Any], int]:
    """Users holding roles inside the actor's scope."""
    return uow.users.page(actor.require(Permission.USER_READ), query)


def get_user(user_id: int, actor: Actor, uow: UnitOfWork) -> Any:
    """One visible user."""
    return uow.users.get(user_id, actor.require(Permission.USER_READ))


def _require_user_admin(actor: Actor) -> None:
    # The refusal is about reach, not role: whoever gets here holds user:write, only not company-wide.
    if not actor.require(Permission.USER_WRITE).everything:
        raise Forbidden(
            N_("Only head office manages user accounts; your roles cover only some regions or projects.")
        )


def _assignments(raw: Sequence[Mapping[str, Any]], uow: UnitOfWork) -> list[Assignment]:
    """Validated role assignments pointing at existing regions and projects."""
    result = []
    for item in raw:
        assignment = Assignment(Role(item["role"]), item.get("region_id"), item.get("project_id"))
        validate_assignment(assignment)
        if assignment.region_id is not None and uow.regions.find(assignment.region_id) is None:
            raise ValidationFailed.single("roles", N_("A role refers to an unknown region_id."))
        if assignment.project_id is not None and uow.projects.find(assignment.project_id) is None:
            raise ValidationFailed.single("roles", N_("A role refers to an unknown project_id."))
        if assignment in result:
            raise ValidationFailed.single("roles", N_("The same role is listed twice."))
        result.append(assignment)
    return result


def _check_password(
    password: str,
    username: str,
    *,
    field: str = "password",
    also_avoid: Sequence[str] = (),
    current: Any = None,
) -> None:
    """The password policy; `current`: the user whose present password the new one must differ from."""
    problems = passwords.password_problems(password, username, also_avoid)
    if current is not None and passwords.verify_password(current.password_hash, password):
        problems.append(N_("The new password must differ from the current one."))
    if problems:
        raise ValidationFailed({field: problems})


def _holds_admin(assignments: Sequence[Assignment]) -> bool:
    return any(assignment.role is Role.ADMIN for assignment in assignments)


def _check_role_change(user: Any, new: Sequence[Assignment], actor: Actor, uow: UnitOfWork) -> None:
    """Nobody changes their own roles (a second administrator does), and the last administrator stays one."""
    current = user.assignments()
    if set(current) == set(new):
        return
    if user.id == actor.user_id:
        raise Forbidden(N_("Your own roles are changed by another administrator, not by yourself."))
    losing_admin = _holds_admin(current) and not _holds_admin(new) and user.is_active
    if losing_admin and uow.users.active_admin_count() <= 1:
        raise Conflict(N_("This is the last active administrator; make someone else one first."))


def _check_manager(manager_id: int | None, user_id: int | None, uow: UnitOfWork) -> None:
    if manager_id is None:
        return
    if manager_id == user_id or uow.users.find(manager_id) is None:
        raise ValidationFailed.single("manager_id", N_("Unknown manager, or the user themselves."))


def _snapshot(user: Any) -> dict[str, Any]:
    snapshot: dict[str, Any] = user.audit_snapshot()
    snapshot["roles"] = [
        {"role": a.role.value, "region_id": a.region_id, "project_id": a.project_id}
        for a in user.assignments()
    ]
    return snapshot


def create_user(values: Mapping[str, Any], actor: Actor, uow: UnitOfWork) -> Any:
    """Open an account with its roles."""
    _require_user_admin(actor)
    username = values["username"].strip().lower()
    _check_password(values["password"], username, also_avoid=[values.get("display_name") or ""])
    assignments = _assignments(values.get("roles", []), uow)
    _check_manager(values.get("manager_id"), None, uow)
    if uow.users.taken("username", username):
        raise Conflict.on_fields({"username": [N_("Already in use.")]})
    user = uow.users.create(
        username=username,
        display_name=values.get("display_name") or username,
        email=values.get("email"),
        locale=values.get("locale", "zh_CN"),
        manager_id=values.get("manager_id"),
        password_hash=passwords.hash_password(values["password"]),
    )
    uow.users.set_assignments(user, assignments)
    uow.flush()
    audit.record(uow, actor, AuditAction.CREATE, "user", user.id, after=_snapshot(user))
    uow.commit()
    return user


def update_user(user_id: int, changes: Mapping[str, Any], actor: Actor, uow: UnitOfWork) -> Any:
    """Change profile, roles or manager; a new password ends the user's web sessions."""
    _require_user_admin(actor)
    user = uow.users.get(user_id, actor.require(Permission.USER_READ))
    if "manager_id" in changes:
        _check_manager(changes["manager_id"], user.id, uow)
    before = _snapshot(user)
    for field in ("display_name", "email", "locale", "manager_id"):
        if field in changes:
            setattr(user, field, changes[field])
    if "roles" in changes:
        assignments = _assignments(changes["roles"], uow)
        _check_role_change(user, assignments, actor, uow)
        uow.users.set_assignments(user, assignments)
    if "password" in changes:
        _check_password(changes["password"], user.username, also_avoid=[user.display_name], current=user)
        user.password_hash = passwords.hash_password(changes["password"])
        user.session_epoch += 1
    uow.flush()
    audit.record(uow, actor, AuditAction.UPDATE, "user", user.id, before=before, after=_snapshot(user))
    uow.commit()
    return user


def deactivate_user(user_id: int, actor: Actor, now: datetime, uow: UnitOfWork) -> Any:
    """Lock an account: sessions end, devices are revoked; the user and their history stay."""
    _require_user_admin(actor)
    user = uow.users.get(user_id, actor.require(Permission.USER_READ))
    if user.id == actor.user_id:
        raise Conflict(N_("You cannot deactivate your own account."))
    if not user.is_active:
        return user
    if _holds_admin(user.assignments()) and uow.users.active_admin_count() <= 1:
        raise Conflict(N_("This is the last active administrator; make someone else one first."))
    before = _snapshot(user)
    user.is_active = False
    user.deactivated_at = now
    user.session_epoch += 1
    revoked = uow.devices.revoke_all_of(user.id, now, actor.user_id)
    after = _snapshot(user) | {"revoked_device_ids": [device.id for device in revoked]}
    audit.record(uow, actor, AuditAction.DEACTIVATE, "user", user.id, before=before, after=after)
    uow.commit()
    return user


def reactivate_user(user_id: int, actor: Actor, uow: UnitOfWork) -> Any:
    """Let a deactivated user sign in again (phones must sign in anew)."""
    _require_user_admin(actor)
    user = uow.users.get(user_id, actor.require(Permission.USER_READ))
    if user.is_active:
        return user
    before = _snapshot(user)
    user.is_active = True
    user.deactivated_at = None
    audit.record(uow, actor, AuditAction.REACTIVATE, "user", user.id, before=before, after=_snapshot(user))
    uow.commit()
    return user


def change_own_password(
    current: str, new: str, actor: Actor, policy: LoginPolicy, now: datetime, uow: UnitOfWork
) -> Any:
    """A user changes their password; other web sessions end.

    A wrong current password counts as a failed sign-in and is throttled like one: a stolen session must
    not become a way to guess the password at full speed.
    """
    principal = require_user(actor)
    user = uow.users.active_by_id(principal.user_id)
    if user is None:
        raise Forbidden(N_("This action needs a signed-in user."))
    ip = actor.ip or "unknown"
    check_throttle(user.username, ip, policy, now, uow)
    if not passwords.verify_password(user.password_hash, current):
        record_attempt(user.username, ip, False, policy, now, uow)
        uow.commit()  # the failure counts, although the request is refused
        raise ValidationFailed.single("current_password", N_("The current password is wrong."))
    _check_password(new, user.username, field="new_password", also_avoid=[user.display_name], current=user)
    user.password_hash = passwords.hash_password(new)
    user.session_epoch += 1
    audit.record(uow, actor, AuditAction.UPDATE, "user", user.id, after={"password": "changed"})
    uow.commit()
    return user


def update_own_profile(changes: Mapping[str, Any], actor: Actor, uow: UnitOfWork) -> Any:
    """A signed-in user changes their own display name or language; nothing else changes this way."""
    principal = require_user(actor)
    user = uow.users.active_by_id(principal.user_id)
    if user is None:
        raise Forbidden(N_("This action needs a signed-in user."))
    problems: dict[str, list[str]] = {
        name: [N_("Unknown field.")] for name in changes if name not in OWN_PROFILE_FIELDS
    }
    values = dict(changes)
    if "display_name" in values:
        values["display_name"] = (values["display_name"] or "").strip()
        if not values["display_name"]:
            problems["display_name"] = [N_("A display name cannot be blank.")]
    if "locale" in values and values["locale"] not in LOCALES:
        problems["locale"] = [N_("Choose zh_CN or en.")]
    if problems:
        raise ValidationFailed(problems)
    before = _snapshot(user)
    for name in OWN_PROFILE_FIELDS:
        if name in values:
            setattr(user, name, values[name])
    uow.flush()
    audit.record(uow, actor, AuditAction.UPDATE, "user", user.id, before=before, after=_snapshot(user))
    uow.commit()
    return user
