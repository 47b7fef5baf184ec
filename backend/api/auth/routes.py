"""Signing in and out: cookie sessions for the web, device tokens for phones."""

from typing import Any

from flask import session
from flask.views import MethodView
from flask_smorest import Blueprint
from flask_wtf.csrf import generate_csrf

from backend.api.auth.schemas import (
    DeviceLoginSchema,
    DeviceTokenSchema,
    LoginSchema,
    OwnProfileSchema,
    PasswordChangeSchema,
    SessionSchema,
)
from backend.api.common import errors
from backend.api.context import actor, anonymous_actor, login_policy, now, start_web_session, uow
from backend.core.domain.access import Permission
from backend.core.domain.audit import Origin
from backend.core.services import auth, users

blp = Blueprint("auth", __name__, url_prefix="/api/auth", description="Sign-in for the web and for phones.")


def _session_view(user: Any, csrf_token: str | None) -> dict[str, Any]:
    principal = auth.principal_of(user)
    permissions = sorted(p.value for p in Permission if principal.can(p))
    return {"user": user, "permissions": permissions, "csrf_token": csrf_token}


@blp.route("/login")
class LoginViews(MethodView):
    """Web sign-in."""

    @blp.doc(security=[])
    @blp.arguments(LoginSchema)
    @blp.response(200, SessionSchema)
    @errors(blp, 400, 401, 429)
    def post(self, credentials: dict[str, Any]) -> Any:
        """Sign in with a session cookie; returns the CSRF token for later unsafe requests"""
        user = auth.login(
            credentials["username"], credentials["password"], anonymous_actor(), login_policy(), now(), uow()
        )
        start_web_session(user)
        return _session_view(user, generate_csrf())


@blp.route("/logout")
class LogoutViews(MethodView):
    """Web sign-out."""

    @blp.response(204)
    @errors(blp, 401, 403)
    def post(self) -> None:
        """Sign out: the session cookie stops working everywhere, copies included"""
        current = actor()
        if current.origin is Origin.WEB:
            auth.logout(current, uow())
        session.clear()


@blp.route("/me")
class MeViews(MethodView):
    """The caller."""

    @blp.response(200, SessionSchema)
    @errors(blp, 401)
    def get(self) -> Any:
        """Who am I, what may I do, and my CSRF token"""
        current = actor()
        user = uow().users.active_by_id(current.user_id or 0)
        token = generate_csrf() if current.origin is Origin.WEB else None
        return _session_view(user, token)

    @blp.arguments(OwnProfileSchema)
    @blp.response(200, SessionSchema)
    @errors(blp, 400, 401, 403, 422)
    def patch(self, changes: dict[str, Any]) -> Any:
        """Change your own display name or language; returns the session as GET does"""
        current = actor()
        user = users.update_own_profile(changes, current, uow())
        token = generate_csrf() if current.origin is Origin.WEB else None
        return _session_view(user, token)


@blp.route("/password")
class PasswordViews(MethodView):
    """Changing one's own password."""

    @blp.arguments(PasswordChangeSchema)
    @blp.response(204)
    @errors(blp, 400, 401, 403, 422, 429)
    def post(self, values: dict[str, Any]) -> None:
        """Change your password; your other web sessions end (a wrong current password is throttled)"""
        user = users.change_own_password(
            values["current_password"], values["new_password"], actor(), login_policy(), now(), uow()
        )
        if actor().origin is Origin.WEB:
            start_web_session(user)


@blp.route("/device-tokens")
class DeviceTokenViews(MethodView):
    """Phone sign-in."""

    @blp.doc(security=[])
    @blp.arguments(DeviceLoginSchema)
    @blp.response(201, DeviceTokenSchema)
    @errors(blp, 400, 401, 429)
    def post(self, credentials: dict[str, Any]) -> Any:
        """Sign in from a phone: binds a device and returns its bearer token once"""
        issued = auth.register_device(credentials, anonymous_actor(), login_policy(), now(), uow())
        return {"device": issued.device, "token": issued.token}
