"""The audit log records every business change; messages speak the user's language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

import backend
from tests.conftest import PASSWORD


@pytest.fixture
def admin(make_user: Any, bearer_client: Any) -> Any:
    return bearer_client(make_user("admin", username="boss"))


def test_create_update_delete_leave_entries_with_actor_origin_and_changed_fields(admin: Any) -> None:
    region_id = admin.post("/api/regions", json={"code": "EAST", "name": "华东"}).json["id"]
    admin.patch(f"/api/regions/{region_id}", json={"name": "华东区域"})
    admin.delete(f"/api/regions/{region_id}")
    entries = admin.get(f"/api/audit?entity_type=region&entity_id={region_id}&sort=occurred_at").json
    assert [entry["action"] for entry in entries] == ["create", "update", "delete"]
    created, updated, deleted = entries
    assert created["before"] is None
    assert created["after"]["name"] == "华东"
    assert updated["before"] == {"name": "华东", "updated_at": updated["before"]["updated_at"]}
    assert updated["after"]["name"] == "华东区域"
    assert deleted["before"]["code"] == "EAST"
    assert deleted["after"] is None
    assert {entry["actor_name"] for entry in entries} == {"boss"}
    assert {entry["origin"] for entry in entries} == {"device"}
    assert all(entry["region_id"] == region_id for entry in entries)


def test_password_hashes_never_reach_the_audit_log(admin: Any) -> None:
    admin.post("/api/users", json={"username": "newbie", "password": "long enough password", "roles": []})
    entry = admin.get("/api/audit?entity_type=user&action=create").json[0]
    assert "password_hash" not in entry["after"]
    assert "long enough password" not in str(entry)


def test_a_refused_change_writes_nothing_to_the_audit_log(admin: Any) -> None:
    before = len(admin.get("/api/audit").json)
    assert admin.post("/api/projects", json={"region_id": 1, "code": "X"}).status_code == 422
    assert len(admin.get("/api/audit").json) == before


def test_sign_ins_are_recorded_with_their_address(client: Any, make_user: Any, admin: Any) -> None:
    user = make_user("finance", username="cashier")
    client.post("/api/auth/login", json={"username": "cashier", "password": "wrong password"})
    client.post("/api/auth/login", json={"username": "cashier", "password": PASSWORD})
    entries = admin.get(f"/api/audit?entity_type=user&entity_id={user.id}&sort=occurred_at").json
    actions = [entry["action"] for entry in entries]
    assert actions[-2:] == ["login_failed", "login"]


def test_errors_follow_the_browsers_language_before_sign_in(client: Any) -> None:
    english = client.get("/api/regions")
    chinese = client.get("/api/regions", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert english.json["message"] == "Sign in first (session cookie or device bearer token)."
    assert chinese.json["message"] == "请先登录（会话 Cookie 或设备令牌）。"


def test_errors_follow_the_users_own_language_once_signed_in(make_user: Any, bearer_client: Any) -> None:
    phone = bearer_client(make_user("admin"))  # users default to zh_CN
    body = {"region_id": 12345, "code": "X", "name": "x", "city": "上海", "category": "office"}
    response = phone.post("/api/projects", json=body)
    assert response.status_code == 422
    assert response.json["errors"]["json"]["region_id"] == ["区域不存在，或您无权在该区域中添加项目。"]


def test_every_catalogue_message_is_translated() -> None:
    catalogue = Path(backend.__file__).parent / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"
    with catalogue.open("rb") as handle:
        messages = [message for message in read_po(handle) if message.id]
    assert messages
    assert [message.id for message in messages if not message.string or message.fuzzy] == []


def test_every_message_the_code_marks_is_in_the_catalogue() -> None:
    root = Path(backend.__file__).parent.parent
    with (root / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    marked = {
        message
        for package in ("backend", "sync")
        for _file, _line, message, _comments, _context in extract_from_dir(
            root / package, method_map, options_map, keywords={**DEFAULT_KEYWORDS, "N_": None}
        )
        if isinstance(message, str)
    }
    catalogue = root / "backend" / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"
    with catalogue.open("rb") as handle:
        translated = {message.id for message in read_po(handle) if message.id and message.string}
    assert len(marked) > 400
    assert sorted(marked - translated) == []


def test_field_messages_of_the_schema_layer_are_translated_with_their_values(client: Any) -> None:
    body = {"username": "x" * 151}
    response = client.post("/api/auth/login", json=body, headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 422
    assert response.json["errors"]["json"] == {
        "username": ["长度必须在 1 到 150 之间。"],
        "password": ["缺少必填字段。"],
    }
