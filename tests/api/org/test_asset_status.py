"""An administrator's override of an asset's status through the API: four-eyes for everyone else, the state
machine, versions, permissions, audit."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def project(make_region: Any, make_project: Any) -> Any:
    return make_project(make_region("EAST"), "SH-01")


@pytest.fixture
def manager(project: Any, make_user: Any, bearer_client: Any) -> Any:
    return bearer_client(make_user("project_manager", project_id=project.id))


@pytest.fixture
def admin(make_user: Any, bearer_client: Any) -> Any:
    return bearer_client(make_user("admin"))


def change(client: Any, asset: Any, status: str, **extra: Any) -> Any:
    body = {"status": status, "reason": "客户确认预留"} | extra
    return client.post(f"/api/assets/{asset.id}/status", json=body)


def test_a_manager_cannot_change_a_status_alone_but_files_a_request(
    manager: Any, project: Any, make_asset: Any
) -> None:
    asset = make_asset(project)
    refused = change(manager, asset, "reserved", expected_version=1)
    assert refused.status_code == 403
    assert "状态变更申请" in refused.json["message"]
    assert manager.get(f"/api/assets/{asset.id}").json["status_version"] == 1
    body = {"asset_id": asset.id, "to_status": "reserved", "base_version": 1, "reason": "客户确认预留"}
    filed = manager.post("/api/status-requests", json=body)
    assert (filed.status_code, filed.json["state"]) == (201, "pending")
    assert manager.get(f"/api/assets/{asset.id}").json["status"] == "vacant"


def test_an_override_needs_a_reason_that_says_something(admin: Any, project: Any, make_asset: Any) -> None:
    asset = make_asset(project)
    for hollow in (".", "ok", "改"):
        refused = change(admin, asset, "reserved", reason=hollow)
        assert refused.status_code == 422
        assert "reason" in refused.json["errors"]["json"]
    assert admin.get(f"/api/assets/{asset.id}").json["status_version"] == 1


def test_an_allowed_override_moves_the_status_bumps_the_version_and_is_flagged_in_the_audit(
    admin: Any, project: Any, make_asset: Any
) -> None:
    asset = make_asset(project)
    response = change(admin, asset, "reserved", expected_version=1)
    assert response.status_code == 200, response.json
    assert (response.json["status"], response.json["status_version"]) == ("reserved", 2)
    entries = admin.get(f"/api/audit?entity_type=asset&entity_id={asset.id}").json
    latest = next(e for e in entries if e["after"] and e["after"].get("status") == "reserved")
    assert (latest["before"]["status"], latest["before"]["status_version"]) == ("vacant", 1)
    assert latest["after"]["reason"] == "客户确认预留"
    assert latest["after"]["cause"] == "manual"
    assert latest["after"]["override"] is True


def test_a_refused_change_names_the_current_status_the_target_and_the_allowed_ones(
    admin: Any, project: Any, make_asset: Any
) -> None:
    asset = make_asset(project)
    response = change(admin, asset, "leased")
    assert response.status_code == 409
    assert "vacant" in response.json["message"]
    assert "leased" in response.json["message"]
    assert "reserved, pending_delivery" in response.json["message"]
    assert "status" in response.json["errors"]["json"]
    assert admin.get(f"/api/assets/{asset.id}").json["status_version"] == 1


def test_a_stale_expected_version_is_a_conflict_naming_status_version(
    admin: Any, project: Any, make_asset: Any
) -> None:
    asset = make_asset(project)
    assert change(admin, asset, "reserved", expected_version=1).status_code == 200
    stale = change(admin, asset, "vacant", expected_version=1)
    assert stale.status_code == 409
    assert "status_version" in stale.json["errors"]["json"]
    assert admin.get(f"/api/assets/{asset.id}").json["status"] == "reserved"


def test_an_administrator_retires_and_reinstates_an_asset(admin: Any, project: Any, make_asset: Any) -> None:
    asset = make_asset(project)
    assert change(admin, asset, "retired").status_code == 200
    reinstated = change(admin, asset, "vacant")
    assert reinstated.status_code == 200
    assert reinstated.json["status_version"] == 3


def test_readers_may_not_change_status_and_outsiders_do_not_see_the_asset(
    project: Any, make_asset: Any, make_user: Any, make_region: Any, make_project: Any, bearer_client: Any
) -> None:
    asset = make_asset(project)
    inspector = bearer_client(make_user("inspector", project_id=project.id))
    assert change(inspector, asset, "reserved").status_code == 403
    other = make_project(make_region("SOUTH"), "GZ-01")
    outsider = bearer_client(make_user("project_manager", project_id=other.id))
    assert change(outsider, asset, "reserved").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "castle", "reason": "x"}, "status"),
        ({"status": "reserved"}, "reason"),
        ({"status": "reserved", "reason": "x", "expected_version": 0}, "expected_version"),
        ({"status": "reserved", "reason": "x", "expected_version": "1"}, "expected_version"),
    ],
)
def test_bad_status_change_input_names_the_field(
    admin: Any, project: Any, make_asset: Any, body: dict[str, Any], field: str
) -> None:
    asset = make_asset(project)
    response = admin.post(f"/api/assets/{asset.id}/status", json=body)
    assert response.status_code == 422
    assert field in response.json["errors"]["json"]
