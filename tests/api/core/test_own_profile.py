"""Changing one's own profile: the display name and the language, nothing else."""

from __future__ import annotations

from typing import Any

UNKNOWN_REGION = {"region_id": 12345, "code": "X", "name": "x", "city": "上海", "category": "office"}


def test_a_user_switches_to_english_and_keeps_it_across_sign_ins(
    app: Any, web_client: Any, make_user: Any
) -> None:
    user = make_user("admin", username="linwei")
    browser = web_client(user)
    response = browser.patch("/api/auth/me", json={"locale": "en", "display_name": " Lin Wei "})
    assert response.status_code == 200, response.json
    assert response.json["user"]["locale"] == "en"
    assert response.json["user"]["display_name"] == "Lin Wei"
    assert response.json["csrf_token"]
    assert "user:write" in response.json["permissions"]
    assert browser.post("/api/auth/logout").status_code == 204

    again = web_client(user)
    me = again.get("/api/auth/me")
    assert me.json["user"]["locale"] == "en"
    assert me.json["user"]["display_name"] == "Lin Wei"
    refused = again.post("/api/projects", json=UNKNOWN_REGION)
    assert refused.status_code == 422
    assert refused.json["message"] == "Invalid input."
    assert refused.json["errors"]["json"] == {
        "region_id": ["Unknown region, or one you may not add projects to."]
    }


def test_a_phone_changes_its_users_language_and_gets_no_csrf_token(
    make_user: Any, bearer_client: Any
) -> None:
    phone = bearer_client(make_user("finance"))
    response = phone.patch("/api/auth/me", json={"locale": "en"})
    assert response.status_code == 200, response.json
    assert response.json["user"]["locale"] == "en"
    assert response.json["csrf_token"] is None
    assert phone.get("/api/regions/999999").json["message"] == "Region not found."


def test_an_unknown_locale_is_refused_naming_the_field_and_the_accepted_values(
    make_user: Any, bearer_client: Any
) -> None:
    phone = bearer_client(make_user("finance"))  # users default to zh_CN
    response = phone.patch("/api/auth/me", json={"locale": "fr"})
    assert response.status_code == 422
    assert response.json["errors"]["json"] == {"locale": ["必须是以下之一：zh_CN, en。"]}
    assert phone.get("/api/auth/me").json["user"]["locale"] == "zh_CN"


def test_nothing_but_name_and_language_changes_this_way(make_user: Any, bearer_client: Any) -> None:
    user = make_user("finance")
    phone = bearer_client(user)
    response = phone.patch("/api/auth/me", json={"locale": "en", "email": "me@example.com", "roles": []})
    assert response.status_code == 422
    assert sorted(response.json["errors"]["json"]) == ["email", "roles"]
    assert response.json["errors"]["json"]["email"] == ["未知字段。"]
    assert phone.patch("/api/auth/me", json={}).status_code == 422
    blank = phone.patch("/api/auth/me", json={"display_name": "   "})
    assert blank.status_code == 422
    assert blank.json["errors"]["json"] == {"display_name": ["显示名称不能为空。"]}
    me = phone.get("/api/auth/me").json["user"]
    assert (me["locale"], me["display_name"], me["email"]) == ("zh_CN", user.username, None)


def test_the_change_is_audited_as_the_users_own(make_user: Any, bearer_client: Any) -> None:
    user = make_user("finance", username="cashier")
    phone = bearer_client(user)
    assert phone.patch("/api/auth/me", json={"display_name": "出纳 王"}).status_code == 200
    admin = bearer_client(make_user("admin"))
    entries = admin.get(f"/api/audit?entity_type=user&entity_id={user.id}&action=update").json
    assert len(entries) == 1
    assert entries[0]["actor_name"] == "cashier"
    assert entries[0]["before"]["display_name"] == "cashier"
    assert entries[0]["after"]["display_name"] == "出纳 王"
    assert "locale" not in entries[0]["after"]


def test_signed_out_callers_get_401(client: Any) -> None:
    response = client.patch("/api/auth/me", json={"locale": "en"})
    assert response.status_code == 401


def test_a_cookie_session_needs_the_csrf_header(web_client: Any, make_user: Any) -> None:
    user = make_user("finance")
    browser = web_client(user)
    del browser.environ_base["HTTP_X_CSRFTOKEN"]
    refused = browser.patch("/api/auth/me", json={"locale": "en"})
    assert refused.status_code == 403
    assert "CSRF" in refused.json["message"]
    assert browser.get("/api/auth/me").json["user"]["locale"] == "zh_CN"
