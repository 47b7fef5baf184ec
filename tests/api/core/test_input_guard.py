"""One input guard for the whole API: what used to answer 500 is refused with the field named, or served.

Each case here answered 500 before the guard: bodies nested thousands deep, lone surrogates, times that
overflow once turned into UTC, page numbers past any database integer, and single-value state filters.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from backend.core.domain.access import Role
from tests.api.sync.test_sync_push import Phone

FAR_FUTURE = "9999-12-31T23:59:59-14:00"


@pytest.fixture
def site(make_region: Any, make_project: Any, make_asset: Any, make_user: Any, bearer_client: Any) -> Any:
    region = make_region()
    project = make_project(region)

    class Site:
        pass

    s = Site()
    s.region, s.project, s.asset = region, project, make_asset(project)
    s.admin = bearer_client(make_user(Role.ADMIN.value))
    s.inspector = Phone(bearer_client(make_user(Role.INSPECTOR.value, project_id=project.id)))
    return s


def _deep(levels: int) -> bytes:
    return b'{"username":' + b"[" * levels + b"]" * levels + b',"password":"x"}'


@pytest.mark.parametrize("path", ["/api/auth/login", "/api/auth/device-tokens", "/api/customers"])
def test_a_body_nested_thousands_deep_is_refused_before_it_is_parsed(
    client: Any, site: Any, path: str
) -> None:
    response = client.post(path, data=_deep(5000), content_type="application/json")
    assert response.status_code == 400
    assert "deeper than 32 levels" in response.json["message"]
    assert response.json["errors"]["json"] == {"body": ["Nested too deep."]}
    # Brackets inside strings are text, not nesting.
    fine = {"username": "walker", "password": "[{" * 50}
    assert client.post("/api/auth/login", json=fine).status_code == 401


def test_a_body_over_the_size_limit_is_refused_unread(client: Any) -> None:
    body = json.dumps({"username": "a" * (5 * 1024 * 1024), "password": "x"})
    response = client.post("/api/auth/login", data=body, content_type="application/json")
    assert response.status_code == 413
    assert "larger than 4194304 bytes" in response.json["message"]


def test_lone_surrogates_are_refused_naming_the_field_and_nothing_is_written(client: Any, site: Any) -> None:
    login = client.post(
        "/api/auth/login", data='{"username":"\\udc80admin","password":"x"}', content_type="application/json"
    )
    assert login.status_code == 422
    assert set(login.json["errors"]["json"]) == {"username"}

    body = (
        '{"region_id":%d,"code":"C9","kind":"company","name":"上海\\ud800科技","contacts":[{"n":"\\udfff"}]}'
    )
    created = site.admin.post("/api/customers", data=body % site.region.id, content_type="application/json")
    assert created.status_code == 422
    assert set(created.json["errors"]["json"]) == {"name", "contacts.0.n"}
    assert site.admin.get("/api/customers").json == []
    # A surrogate pair written as escapes is one real character, and fine.
    pair = '{"region_id":%d,"code":"C9","kind":"company","name":"上海\\ud83d\\ude00科技"}'
    ok = site.admin.post("/api/customers", data=pair % site.region.id, content_type="application/json")
    assert ok.status_code == 201, ok.json
    assert ok.json["name"] == "上海😀科技"


def test_a_sync_command_with_an_impossible_time_is_rejected_and_the_queue_moves_on(site: Any) -> None:
    phone = site.inspector
    broken = phone.command(
        "status_change.request",
        {"asset_id": site.asset.id, "to_status": "maintenance", "base_version": 1, "reason": "水管漏水"},
    )
    broken["captured_at"] = FAR_FUTURE
    response = phone.push(broken)
    assert response.status_code == 200, response.json
    [result] = response.json["results"]
    assert result["status"] == "rejected"
    assert result["code"] == "invalid"
    assert "captured_at" in result["fields"]
    assert response.json["last_applied_seq"] == 1

    again = phone.push(broken)  # the phone retries: an answer, not a 500 and not a gap
    assert again.json["results"][0]["status"] == "duplicate"
    good = phone.command(
        "status_change.request",
        {"asset_id": site.asset.id, "to_status": "maintenance", "base_version": 1, "reason": "水管漏水"},
    )
    nxt = phone.push(
        good,
        phone.command("status_change.cancel", {"request_id": 10**6})
        | {"captured_at": "1969-12-31T23:59:59Z"},
    )
    assert [r["status"] for r in nxt.json["results"]] == ["applied", "rejected"]
    assert nxt.json["last_applied_seq"] == 3


@pytest.mark.parametrize("when", [FAR_FUTURE, "0001-01-01T00:00:00+14:00", "1969-12-31T23:59:59Z"])
def test_times_out_of_range_are_refused_naming_the_field(site: Any, when: str) -> None:
    filed = site.inspector.client.post(
        "/api/status-requests",
        json={
            "asset_id": site.asset.id,
            "to_status": "maintenance",
            "base_version": 1,
            "reason": "水管漏水",
            "captured_at": when,
        },
    )
    assert filed.status_code == 422
    assert set(filed.json["errors"]["json"]) == {"captured_at"}
    assert "1970-01-01" in filed.json["errors"]["json"]["captured_at"][0]
    audit = site.admin.get("/api/audit", query_string={"since": when})
    assert audit.status_code == 422
    assert set(audit.json["errors"]["query"]) == {"since"}


def test_page_numbers_past_any_real_list_are_refused(site: Any) -> None:
    for path in ("/api/notifications", "/api/assets", "/api/audit"):
        response = site.admin.get(path, query_string={"page": "100000000000000000000"})
        assert response.status_code == 422, path
        assert set(response.json["errors"]["query"]) == {"page"}
    assert site.admin.get("/api/notifications", query_string={"page": 1_000_000}).status_code == 200


def test_lists_filter_by_a_single_state(site: Any) -> None:
    filed = site.inspector.client.post(
        "/api/status-requests",
        json={"asset_id": site.asset.id, "to_status": "maintenance", "base_version": 1, "reason": "水管漏水"},
    )
    assert filed.status_code == 201, filed.json
    pending = site.admin.get("/api/status-requests", query_string={"state": "pending"})
    assert pending.status_code == 200
    assert [r["id"] for r in pending.json] == [filed.json["id"]]
    assert site.admin.get("/api/status-requests", query_string={"state": "confirmed"}).json == []
    assert site.admin.get("/api/work-orders", query_string={"state": "open"}).status_code == 200
