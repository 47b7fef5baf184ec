"""Signing in: cookie sessions with CSRF, device tokens, throttling, revocation, deactivation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from backend.adapters import passwords
from backend.core.domain.errors import Conflict
from backend.core.services import users
from tests.conftest import PASSWORD, SYSTEM


def test_web_login_sets_a_session_and_me_returns_the_user_with_permissions(
    client: Any, make_user: Any
) -> None:
    make_user("finance", username="cashier")
    response = client.post("/api/auth/login", json={"username": "Cashier ", "password": PASSWORD})
    assert response.status_code == 200
    assert response.json["user"]["username"] == "cashier"
    assert response.json["csrf_token"]
    assert "customer:write" in response.json["permissions"]
    assert "user:write" not in response.json["permissions"]
    assert "HttpOnly" in response.headers["Set-Cookie"]
    me = client.get("/api/auth/me")
    assert me.status_code == 200
    assert me.json["user"]["username"] == "cashier"


def test_login_accepts_only_json_so_a_cross_site_form_cannot_sign_anyone_in(
    client: Any, make_user: Any
) -> None:
    make_user("admin", username="root")
    form = client.post("/api/auth/login", data={"username": "root", "password": PASSWORD})
    assert form.status_code == 422
    assert "lk_session" not in form.headers.get("Set-Cookie", "")


def test_wrong_password_and_unknown_user_get_the_same_401(client: Any, make_user: Any) -> None:
    make_user("admin", username="root")
    wrong = client.post("/api/auth/login", json={"username": "root", "password": "nope nope nope"})
    unknown = client.post("/api/auth/login", json={"username": "ghost", "password": "nope nope nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json["message"] == unknown.json["message"]


def _login(client: Any, username: str, password: str, ip: str = "127.0.0.1") -> Any:
    return client.post(
        "/api/auth/login", json={"username": username, "password": password}, environ_base={"REMOTE_ADDR": ip}
    )


def test_a_guesser_is_slowed_down_on_their_address_and_the_owner_still_signs_in(
    client: Any, make_user: Any
) -> None:
    make_user("admin", username="root")
    for _ in range(5):
        assert _login(client, "root", "bad password", "203.0.113.66").status_code == 401
    blocked = _login(client, "root", PASSWORD, "203.0.113.66")
    assert blocked.status_code == 429
    assert 1 <= int(blocked.headers["Retry-After"]) <= 2  # backoff starts at 2 s and doubles
    assert "try again in" in blocked.json["message"]
    # Five failures from somewhere else do not lock the account for its owner.
    assert _login(client, "root", PASSWORD, "198.51.100.7").status_code == 200


def test_spraying_from_one_address_is_slowed_but_colleagues_known_there_sign_in(
    app: Any, make_user: Any
) -> None:
    make_user("finance", username="cashier")
    office = "203.0.113.10"
    assert _login(app.test_client(), "cashier", PASSWORD, office).status_code == 200
    sprayer = app.test_client()
    for n in range(30):
        assert _login(sprayer, f"guess{n}", "bad password", office).status_code == 401
    assert _login(sprayer, "guess-next", "bad password", office).status_code == 429
    assert _login(app.test_client(), "cashier", PASSWORD, office).status_code == 200  # known here


def test_every_refused_sign_in_costs_one_password_check_whatever_the_account(
    client: Any, make_user: Any, bearer_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = bearer_client(make_user("admin"))
    leaver = make_user("finance", username="leaver")
    make_user("finance", username="stayer")
    assert admin.post(f"/api/users/{leaver.id}/deactivate").status_code == 200
    checks: list[str] = []
    real = passwords.verify_password

    def counted(password_hash: str, password: str) -> bool:
        checks.append(password)
        return real(password_hash, password)

    monkeypatch.setattr(passwords, "verify_password", counted)
    for username, password in (("leaver", PASSWORD), ("stayer", "wrong password"), ("nobody", PASSWORD)):
        checks.clear()
        response = _login(client, username, password)
        assert response.status_code == 401
        assert len(checks) == 1, username
    assert _login(client, "leaver", PASSWORD).json["message"] == _login(client, "nobody", "x").json["message"]


def test_cookie_sessions_need_the_csrf_header_for_unsafe_requests(web_client: Any, make_user: Any) -> None:
    browser = web_client(make_user("admin"))
    assert browser.post("/api/regions", json={"code": "EAST", "name": "华东"}).status_code == 201
    del browser.environ_base["HTTP_X_CSRFTOKEN"]
    refused = browser.post("/api/regions", json={"code": "WEST", "name": "华西"})
    assert refused.status_code == 403
    assert "CSRF" in refused.json["message"]
    assert browser.get("/api/regions").status_code == 200


def test_logout_ends_the_web_session(web_client: Any, make_user: Any) -> None:
    browser = web_client(make_user("admin"))
    assert browser.post("/api/auth/logout").status_code == 204
    assert browser.get("/api/auth/me").status_code == 401


def test_a_cookie_copied_before_logout_is_worthless_after_it(
    app: Any, web_client: Any, make_user: Any
) -> None:
    user = make_user("admin")
    browser = web_client(user)
    other_browser = web_client(user)
    cookie = browser.get_cookie("lk_session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("lk_session", cookie.value)
    thief.environ_base["HTTP_X_CSRFTOKEN"] = browser.environ_base["HTTP_X_CSRFTOKEN"]
    assert thief.get("/api/auth/me").status_code == 200

    assert browser.post("/api/auth/logout").status_code == 204

    assert thief.get("/api/auth/me").status_code == 401
    assert thief.post("/api/regions", json={"code": "EAST", "name": "华东"}).status_code in {401, 403}
    assert other_browser.get("/api/auth/me").status_code == 401
    entry = web_client(user).get("/api/audit?entity_type=user&action=logout").json[0]
    assert entry["entity_id"] == str(user.id)


def test_device_tokens_need_no_csrf_and_identify_the_device(client: Any, make_user: Any) -> None:
    make_user("admin", username="walker")
    issued = client.post(
        "/api/auth/device-tokens",
        json={"username": "walker", "password": PASSWORD, "device_name": "Pixel 8", "platform": "android"},
    )
    assert issued.status_code == 201
    token = issued.json["token"]
    assert token.startswith("lkd_")
    headers = {"Authorization": f"Bearer {token}"}
    assert (
        client.post("/api/regions", json={"code": "EAST", "name": "华东"}, headers=headers).status_code == 201
    )
    me = client.get("/api/auth/me", headers=headers).json
    assert me["csrf_token"] is None
    entry = client.get("/api/audit?entity_type=region", headers=headers).json[0]
    assert entry["origin"] == "device"
    assert entry["device_id"] == issued.json["device"]["id"]


def test_a_revoked_device_is_refused_at_once(client: Any, make_user: Any, bearer_client: Any) -> None:
    phone = bearer_client(make_user("admin", username="walker"))
    device_id = phone.get("/api/devices").json[0]["id"]
    assert phone.post(f"/api/devices/{device_id}/revoke").status_code == 200
    refused = phone.get("/api/regions")
    assert refused.status_code == 401
    assert "revoked" in refused.json["message"]


def test_a_device_token_survives_long_offline_periods_but_expires_when_unused_for_too_long(
    app: Any, make_user: Any, bearer_client: Any, db: Any
) -> None:
    phone = bearer_client(make_user("admin"))
    with db.unit_of_work() as uow:
        device = uow.devices.find(1)
        device.last_seen_at = datetime.now(UTC) - timedelta(days=90)
        uow.commit()
    assert phone.get("/api/regions").status_code == 200
    with db.unit_of_work() as uow:
        device = uow.devices.find(1)
        device.last_seen_at = datetime.now(UTC) - timedelta(days=app.config["DEVICE_TOKEN_IDLE_DAYS"] + 1)
        uow.commit()
    assert phone.get("/api/regions").status_code == 401


def test_users_see_only_their_own_devices_and_cannot_revoke_others(
    make_user: Any, bearer_client: Any
) -> None:
    first = bearer_client(make_user("finance"))
    second = bearer_client(make_user("finance"))
    first_device = first.get("/api/devices").json
    assert len(first_device) == 1
    assert second.post(f"/api/devices/{first_device[0]['id']}/revoke").status_code == 404
    assert first.get("/api/regions").status_code == 200


def test_deactivating_a_user_ends_sessions_revokes_devices_and_keeps_history(
    make_user: Any, bearer_client: Any, web_client: Any
) -> None:
    admin = bearer_client(make_user("admin"))
    leaver = make_user("admin", username="leaver")
    leaver_phone = bearer_client(leaver)
    leaver_browser = web_client(leaver)
    assert leaver_browser.post("/api/regions", json={"code": "EAST", "name": "华东"}).status_code == 201
    response = admin.post(f"/api/users/{leaver.id}/deactivate")
    assert response.status_code == 200
    assert response.json["is_active"] is False
    assert leaver_phone.get("/api/regions").status_code == 401
    assert leaver_browser.get("/api/regions").status_code == 401
    history = admin.get(f"/api/audit?actor_user_id={leaver.id}")
    assert history.status_code == 200, history.json
    history = history.json
    assert any(entry["entity_type"] == "region" for entry in history)
    assert admin.get(f"/api/users/{leaver.id}").json["username"] == "leaver"
    relogin = leaver_browser.post("/api/auth/login", json={"username": "leaver", "password": PASSWORD})
    assert relogin.status_code == 401


def test_an_admin_cannot_deactivate_themselves(make_user: Any, bearer_client: Any) -> None:
    me = make_user("admin")
    assert bearer_client(me).post(f"/api/users/{me.id}/deactivate").status_code == 409


def test_changing_ones_password_needs_the_current_one_and_ends_other_sessions(
    make_user: Any, web_client: Any
) -> None:
    user = make_user("finance", username="cashier")
    first, second = web_client(user), web_client(user)
    wrong = first.post(
        "/api/auth/password", json={"current_password": "nope", "new_password": "a new long password"}
    )
    assert wrong.status_code == 422
    assert "current_password" in wrong.json["errors"]["json"]
    ok = first.post(
        "/api/auth/password", json={"current_password": PASSWORD, "new_password": "a new long password"}
    )
    assert ok.status_code == 204
    assert first.get("/api/auth/me").status_code == 200
    assert second.get("/api/auth/me").status_code == 401


@pytest.mark.parametrize(
    ("new_password", "why"),
    [
        ("aaaaaaaaaa", "easy to guess"),
        ("1234567890", "easy to guess"),
        ("Passw0rd2026", "easy to guess"),
        ("my-cashier-account-7", "must not contain the username"),
        (PASSWORD, "differ from the current one"),
        ("short", "at least 10 characters"),
    ],
)
def test_a_new_password_must_be_hard_to_guess_and_new(
    run: Any, web_client: Any, new_password: str, why: str
) -> None:
    cashier = {"username": "cashier", "password": PASSWORD, "locale": "en", "roles": [{"role": "finance"}]}
    browser = web_client(run(users.create_user, cashier, SYSTEM))
    response = browser.post(
        "/api/auth/password", json={"current_password": PASSWORD, "new_password": new_password}
    )
    assert response.status_code == 422
    [message, *_] = response.json["errors"]["json"]["new_password"]
    assert why in message
    assert browser.get("/api/auth/me").status_code == 200  # nothing changed: the session still stands


def test_guessing_the_current_password_through_a_stolen_session_is_throttled(
    make_user: Any, web_client: Any
) -> None:
    browser = web_client(make_user("finance", username="cashier"))
    for n in range(5):
        wrong = browser.post(
            "/api/auth/password",
            json={"current_password": f"guess {n}", "new_password": "a new long password"},
        )
        assert wrong.status_code == 422
    blocked = browser.post(
        "/api/auth/password", json={"current_password": PASSWORD, "new_password": "a new long password"}
    )
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) >= 1


def test_an_admin_cannot_change_their_own_roles_and_the_last_admin_stays(
    make_user: Any, bearer_client: Any, run: Any
) -> None:
    me = make_user("admin")
    admin = bearer_client(me)
    demoted = admin.patch(f"/api/users/{me.id}", json={"roles": [{"role": "director"}]})
    assert demoted.status_code == 403
    assert "另一位管理员" in demoted.json["message"]
    assert admin.patch(f"/api/users/{me.id}", json={"display_name": "管理员"}).status_code == 200
    with pytest.raises(Conflict, match="last active administrator"):
        run(users.update_user, me.id, {"roles": []}, SYSTEM)
    with pytest.raises(Conflict, match="last active administrator"):
        run(users.deactivate_user, me.id, SYSTEM, datetime.now(UTC))

    second = make_user("admin", username="second")
    assert bearer_client(second).patch(f"/api/users/{me.id}", json={"roles": []}).status_code == 200
    assert admin.get("/api/users").status_code == 403  # the change took effect at once


def test_an_unknown_authorization_scheme_is_refused(client: Any) -> None:
    response = client.get("/api/regions", headers={"Authorization": "Basic abc"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
