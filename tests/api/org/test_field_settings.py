"""Fences and field policies change with four eyes: one person proposes, another approves, and neither
confirms field requests there for a while afterwards."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Flask

from backend.org.services import org
from tests.api.field.test_status_requests import CENTRE, asset_state, field, fix, label, submit  # noqa: F401
from tests.conftest import SYSTEM

KM_NORTH = CENTRE[0] + 1000 / 111_320  # where a confirmer stands, a kilometre from the fence
MOVED = {"geofence": {"type": "Point", "coordinates": [CENTRE[1], KM_NORTH]}, "geofence_radius_m": "50"}
WHY = "门禁位置调整后重新划定围栏"


def regional(field: Any, make_user: Any, bearer_client: Any) -> Any:  # noqa: F811
    """A regional manager over the field project: may approve fence and policy changes there."""
    return bearer_client(make_user("regional_manager", region_id=field.project.region_id))


def test_a_patch_cannot_move_a_fence_or_change_the_policy_and_writes_nothing(
    field: Any,  # noqa: F811
    make_user: Any,
    bearer_client: Any,
) -> None:
    path = f"/api/assets/{field.asset.id}"
    refused = field.manager.patch(path, json=MOVED | {"name": "1201 室"})
    assert refused.status_code == 422
    assert set(refused.json["errors"]["json"]) == {"geofence", "geofence_radius_m"}
    assert "第二个人批准" in refused.json["errors"]["json"]["geofence"][0]
    assert field.manager.get(path).json["name"] != "1201 室"

    boss = regional(field, make_user, bearer_client)
    policy = boss.patch(f"/api/projects/{field.project.id}", json={"remote_confirmation_allowed": True})
    assert policy.status_code == 422
    assert set(policy.json["errors"]["json"]) == {"remote_confirmation_allowed"}
    assert boss.get(f"/api/projects/{field.project.id}").json["remote_confirmation_allowed"] is False
    assert field.manager.patch(path, json={"name": "1201 室"}).status_code == 200


def test_a_fence_moves_only_when_someone_above_the_project_approves(
    field: Any,  # noqa: F811
    make_user: Any,
    bearer_client: Any,
) -> None:
    boss_user = make_user("regional_manager", region_id=field.project.region_id)
    proposed = field.manager.post(
        f"/api/assets/{field.asset.id}/field-settings", json=MOVED | {"reason": WHY}
    )
    assert proposed.status_code == 201, proposed.json
    approval = proposed.json
    assert (approval["kind"], approval["status"], approval["reason"]) == ("field_settings", "pending", WHY)
    assert approval["details"]["changes"]["geofence_radius_m"] == {"before": None, "after": "50.0"}
    assert approval["details"]["changes"]["geofence"]["after"] == MOVED["geofence"]
    assert field.manager.get(f"/api/assets/{field.asset.id}").json["geofence"] is None

    again = field.manager.post(f"/api/assets/{field.asset.id}/field-settings", json=MOVED | {"reason": WHY})
    assert again.status_code == 409
    for decider in (field.manager, bearer_client(make_user("project_manager", project_id=field.project.id))):
        assert decider.post(f"/api/approvals/{approval['id']}/approve", json={}).status_code == 403

    boss = bearer_client(boss_user)
    asked = [n for n in boss.get("/api/notifications").json if n["kind"] == "approval.requested"]
    assert [n["params"]["approval_id"] for n in asked] == [approval["id"]]
    approved = boss.post(f"/api/approvals/{approval['id']}/approve", json={"note": "核对过平面图"})
    assert approved.status_code == 200, approved.json
    asset = field.manager.get(f"/api/assets/{field.asset.id}").json
    assert (asset["geofence"], asset["geofence_radius_m"]) == (MOVED["geofence"], "50.0")
    trail = boss.get("/api/audit", query_string={"entity_type": "asset", "entity_id": field.asset.id}).json
    update = next(entry for entry in trail if entry["action"] == "update")
    assert (update["actor_user_id"], update["after"]["geofence_radius_m"]) == (boss_user.id, "50.0")


def test_a_proposal_needs_a_reason_a_change_and_a_valid_fence_and_a_refusal_writes_nothing(
    field: Any,  # noqa: F811
) -> None:
    path = f"/api/assets/{field.asset.id}/field-settings"
    hollow = field.manager.post(path, json=MOVED | {"reason": "ok"})
    assert hollow.status_code == 422
    assert set(hollow.json["errors"]["json"]) == {"reason"}
    same = field.manager.post(path, json={"geofence": None, "reason": WHY})
    assert same.status_code == 422
    assert "没有改变任何设置" in same.json["message"]
    bad = field.manager.post(path, json={"geofence": {"type": "Point", "coordinates": [0, 0]}, "reason": WHY})
    assert bad.status_code == 422
    assert set(bad.json["errors"]["json"]) == {"geofence_radius_m"}
    unknown = field.manager.post(path, json={"gps_tolerance_m": "5", "reason": WHY})
    assert unknown.status_code == 422  # a field policy belongs to the project, not the asset
    assert field.manager.get("/api/approvals", query_string={"kind": "field_settings"}).json == []
    assert field.reporter.post(path, json=MOVED | {"reason": WHY}).status_code == 403
    assert field.stranger.post(path, json=MOVED | {"reason": WHY}).status_code == 404


def test_an_approval_on_settings_changed_since_the_proposal_is_refused_and_writes_nothing(
    field: Any,  # noqa: F811
    make_user: Any,
    bearer_client: Any,
    run: Any,
) -> None:
    proposal = field.manager.post(
        f"/api/assets/{field.asset.id}/field-settings", json=MOVED | {"reason": WHY}
    )
    run(
        org.update_asset,
        field.asset.id,
        {"geofence_radius_m": Decimal("80"), "geofence": MOVED["geofence"]},
        SYSTEM,
    )
    boss = regional(field, make_user, bearer_client)
    stale = boss.post(f"/api/approvals/{proposal.json['id']}/approve", json={})
    assert stale.status_code == 409
    assert "提议之后" in stale.json["message"]
    assert boss.get(f"/api/approvals/{proposal.json['id']}").json["status"] == "pending"
    assert field.manager.get(f"/api/assets/{field.asset.id}").json["geofence_radius_m"] == "80.0"


def test_who_proposed_or_approved_a_fence_does_not_confirm_there_and_a_third_manager_does(
    app: Flask,
    field: Any,  # noqa: F811
    make_user: Any,
    bearer_client: Any,
) -> None:
    filed = submit(field).json
    proposal = field.manager.post(
        f"/api/assets/{field.asset.id}/field-settings", json=MOVED | {"reason": WHY}
    )
    boss_user = make_user("regional_manager", region_id=field.project.region_id)
    boss = bearer_client(boss_user)
    assert boss.post(f"/api/approvals/{proposal.json['id']}/approve", json={}).status_code == 200

    body = {"scan": label(app, field.asset), "gps": fix(1000)}
    for party in (field.manager, boss):
        refused = party.post(f"/api/status-requests/{filed['id']}/confirm", json=body)
        assert refused.status_code == 403
        assert "72 小时" in refused.json["message"]
    assert asset_state(field.manager, field.asset) == ("vacant", 1)

    colleague = bearer_client(make_user("project_manager", project_id=field.project.id))
    confirmed = colleague.post(f"/api/status-requests/{filed['id']}/confirm", json=body)
    assert confirmed.status_code == 200, confirmed.json


def test_remote_confirmation_is_switched_on_by_two_people_and_neither_confirms_remotely(
    field: Any,  # noqa: F811
    make_user: Any,
    bearer_client: Any,
) -> None:
    boss = regional(field, make_user, bearer_client)
    director = bearer_client(make_user("director"))
    path = f"/api/projects/{field.project.id}/field-settings"
    proposal = boss.post(path, json={"remote_confirmation_allowed": True, "reason": "该项目夜间无法到场确认"})
    assert proposal.status_code == 201, proposal.json
    assert proposal.json["details"]["changes"] == {
        "remote_confirmation_allowed": {"before": False, "after": True}
    }
    assert boss.post(f"/api/approvals/{proposal.json['id']}/approve", json={}).status_code == 403
    assert director.post(f"/api/approvals/{proposal.json['id']}/approve", json={}).status_code == 200
    assert field.manager.get(f"/api/projects/{field.project.id}").json["remote_confirmation_allowed"] is True

    filed = submit(field).json
    body = {"remote": True, "remote_reason": "业主已电话确认漏水情况"}
    for party in (boss, director):
        assert party.post(f"/api/status-requests/{filed['id']}/confirm", json=body).status_code == 403
    assert field.manager.post(f"/api/status-requests/{filed['id']}/confirm", json=body).status_code == 200


def test_a_rejected_proposal_leaves_the_fence_tells_the_proposer_and_does_not_hold_them_back(
    app: Flask,
    field: Any,  # noqa: F811
    make_user: Any,
    bearer_client: Any,
) -> None:
    proposal = field.manager.post(
        f"/api/assets/{field.asset.id}/field-settings", json=MOVED | {"reason": WHY}
    )
    boss = regional(field, make_user, bearer_client)
    rejected = boss.post(f"/api/approvals/{proposal.json['id']}/reject", json={"note": "新围栏在马路对面"})
    assert rejected.status_code == 200
    assert field.manager.get(f"/api/assets/{field.asset.id}").json["geofence"] is None
    told = [n for n in field.manager.get("/api/notifications").json if n["kind"] == "approval.decided"]
    assert [n["params"]["outcome"] for n in told] == ["rejected"]
    redone = field.manager.post(
        f"/api/assets/{field.asset.id}/field-settings", json=MOVED | {"reason": WHY + "，已改到大门内侧"}
    )
    assert redone.status_code == 201, redone.json
    filed = submit(field).json
    body = {"scan": label(app, field.asset), "gps": fix(20)}
    assert field.manager.post(f"/api/status-requests/{filed['id']}/confirm", json=body).status_code == 200
