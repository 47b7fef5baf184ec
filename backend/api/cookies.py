"""The session cookie is marked Secure whenever the request came over https, not only when configured."""

from __future__ import annotations

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface


class HttpsAwareSessionInterface(SecureCookieSessionInterface):
    """Signed cookie sessions whose cookie is Secure on https requests (behind a proxy: ProxyFix)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        """Secure when configured, and always for a request that arrived over https."""
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure
