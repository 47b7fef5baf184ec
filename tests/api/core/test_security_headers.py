"""What every response tells the browser, the session cookie's flags, and ids the server chooses itself."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from backend.core.db.session import make_engine
from tests.conftest import PASSWORD


def test_api_and_app_responses_carry_the_security_headers(client: Any) -> None:
    for path in ("/api/health", "/a/SH-01-0101"):
        response = client.get(path)
        headers = response.headers
        response.close()
        policy = headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "script-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "Strict-Transport-Security" not in headers  # plain http: a browser would ignore it


def test_https_responses_ask_for_strict_transport_security(app: Flask) -> None:
    secure = app.test_client().get("/api/health", base_url="https://lease.example.cn")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_the_session_cookie_is_secure_whenever_the_request_is_https(
    app: Flask, make_user: Any, scheme: str
) -> None:
    user = make_user("finance")
    browser = app.test_client()
    response = browser.post(
        "/api/auth/login",
        json={"username": user.username, "password": PASSWORD},
        base_url=f"{scheme}://lease.example.cn",
    )
    assert response.status_code == 200
    cookie = response.headers["Set-Cookie"]
    assert ("; Secure" in cookie) is (scheme == "https")
    assert "HttpOnly" in cookie


def test_a_failed_login_is_audited_under_server_ids_not_the_callers_request_id(
    client: Any, make_user: Any, web_client: Any
) -> None:
    victim = make_user("finance", username="cashier")
    forged = "admin-did-it"
    response = client.post(
        "/api/auth/login",
        json={"username": "cashier", "password": "wrong wrong wrong"},
        headers={"X-Request-ID": forged},
    )
    assert response.status_code == 401
    assert response.headers["X-Request-ID"] != forged
    admin = web_client(make_user("admin"))
    entry = admin.get(f"/api/audit?entity_type=user&entity_id={victim.id}&action=login_failed").json[0]
    assert entry["actor_name"] == "web:anonymous"
    assert entry["request_id"] == response.headers["X-Request-ID"]


def test_the_sqlite_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh" / "lk.sqlite3"
    make_engine(f"sqlite:///{fresh}").dispose()
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
    existing = tmp_path / "old.sqlite3"
    existing.touch(mode=0o644)
    existing.chmod(0o644)
    make_engine(f"sqlite:///{existing}").dispose()
    assert stat.S_IMODE(existing.stat().st_mode) == 0o600
