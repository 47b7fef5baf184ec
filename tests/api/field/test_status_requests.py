"""Dual confirmation of field status changes: four eyes, on-site evidence, conflicts, expiry, evidence."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask

from backend.core.domain.approvals import ApprovalStatus
from backend.core.domain.audit import Origin
from backend.core.domain.listing import ListQuery
from backend.core.services import approvals
from backend.core.services.context import Actor
from backend.field.domain.requests import RequestState
from backend.field.services import status_requests
from backend.field.services.labels import LabelSettings
from backend.org.domain.org import AssetStatus
from backend.org.services.asset_status import change_asset_status
from qr_tools.payload import build
from tests.conftest import SYSTEM
from tests.support.images import png, sha256

CENTRE = (31.230000, 121.500000)  # lat, lon
FENCE = {"type": "Point", "coordinates": [CENTRE[1], CENTRE[0]]}


@pytest.fixture
def field(make_region: Any, make_project: Any, make_asset: Any, make_user: Any, bearer_client: Any) -> Any:
    """A fenced project with two units, an inspector who reports and a manager who confirms."""
    region = make_region()
    project = make_project(region, geofence=FENCE, geofence_radius_m=Decimal("50"))
    other_project = make_project(make_region())

    class Field:
        pass

    f = Field()
    f.project, f.asset, f.neighbour = project, make_asset(project), make_asset(project)
    f.inspector = make_user("inspector", project_id=project.id)
    f.manager_user = make_user("project_manager", project_id=project.id)
    f.reporter = bearer_client(f.inspector)
    f.manager = bearer_client(f.manager_user)
    f.agent = bearer_client(make_user("leasing_agent", project_id=project.id))
    f.stranger = bearer_client(make_user("project_manager", project_id=other_project.id))
    return f


def fix(offset_m: float = 0.0, accuracy: str = "8.0", when: datetime | None = None) -> dict[str, Any]:
    """A GPS fix `offset_m` metres north of the fence centre."""
    latitude = CENTRE[0] + offset_m / 111_320
    return {
        "latitude": f"{latitude:.6f}",
        "longitude": f"{CENTRE[1]:.6f}",
        "accuracy_m": accuracy,
        "captured_at": (when or datetime.now(UTC)).isoformat(),
    }


def label(app: Flask, asset: Any) -> str:
    settings = LabelSettings.from_config(app.config)
    return build(settings.base_url, asset.code, settings.keyring)


def submit(f: Any, to: str = "maintenance", **changes: Any) -> Any:
    body = {
        "asset_id": f.asset.id,
        "to_status": to,
        "base_version": 1,
        "reason": "水管漏水",
        "gps": fix(),
    } | changes
    return f.reporter.post("/api/status-requests", json=body)


def asset_state(client: Any, asset: Any) -> tuple[str, int]:
    body = client.get(f"/api/assets/{asset.id}").json
    return body["status"], body["status_version"]


def test_a_request_confirmed_on_site_by_a_second_person_changes_the_asset(app: Flask, field: Any) -> None:
    filed = submit(field)
    assert filed.status_code == 201, filed.json
    assert filed.json["state"] == "pending"
    assert filed.json["fence_passed"] is True
    assert asset_state(field.manager, field.asset) == ("vacant", 1)
    waiting = field.manager.get("/api/status-requests?waiting_for_me=true").json
    assert [r["id"] for r in waiting] == [filed.json["id"]]
    inbox = field.manager.get("/api/notifications").json
    assert [n["kind"] for n in inbox] == ["status_request.waiting"]
    body = {"scan": label(app, field.asset), "gps": fix(20)}
    confirmed = field.manager.post(f"/api/status-requests/{filed.json['id']}/confirm", json=body)
    assert confirmed.status_code == 200, confirmed.json
    assert confirmed.json["state"] == "confirmed"
    assert confirmed.json["scan_verified"] is True
    assert confirmed.json["confirm_fence_passed"] is True
    assert "scan_not_from_camera" in confirmed.json["confirm_plausibility_flags"]  # sent without a source
    assert asset_state(field.manager, field.asset) == ("maintenance", 2)
    decided = field.reporter.get("/api/notifications").json
    assert [n["kind"] for n in decided] == ["status_request.decided"]
    approval = field.manager.get(f"/api/approvals/{confirmed.json['approval_id']}")
    assert approval.status_code in {200, 403}  # the four-eyes row exists; listing it needs lease roles


def test_the_applicant_cannot_confirm_their_own_request(app: Flask, field: Any, make_user: Any) -> None:
    filed = field.manager.post(
        "/api/status-requests",
        json={
            "asset_id": field.asset.id,
            "to_status": "maintenance",
            "base_version": 1,
            "reason": "坏了",
            "gps": fix(),
        },
    )
    assert filed.status_code == 201, filed.json
    body = {"scan": label(app, field.asset), "gps": fix()}
    refused = field.manager.post(f"/api/status-requests/{filed.json['id']}/confirm", json=body)
    assert refused.status_code == 403
    assert asset_state(field.manager, field.asset) == ("vacant", 1)
    assert field.manager.get("/api/status-requests?waiting_for_me=true").json == []
    assert [r["id"] for r in field.manager.get("/api/status-requests").json] == [filed.json["id"]]


def test_confirming_needs_authority_over_the_project_and_sight_of_it(app: Flask, field: Any) -> None:
    request_id = submit(field).json["id"]
    body = {"scan": label(app, field.asset), "gps": fix()}
    assert field.agent.post(f"/api/status-requests/{request_id}/confirm", json=body).status_code == 403
    assert field.stranger.post(f"/api/status-requests/{request_id}/confirm", json=body).status_code == 404
    assert field.stranger.get(f"/api/status-requests/{request_id}").status_code == 404


def test_a_label_of_another_asset_or_a_forged_one_is_refused(app: Flask, field: Any) -> None:
    request_id = submit(field).json["id"]
    path = f"/api/status-requests/{request_id}/confirm"
    other = field.manager.post(path, json={"scan": label(app, field.neighbour), "gps": fix()})
    assert other.status_code == 422
    assert len(other.json["errors"]["json"]["scan"]) == 1
    forged = label(app, field.asset)[:-3] + "AAA"
    refused = field.manager.post(path, json={"scan": forged, "gps": fix()})
    assert refused.status_code == 422
    assert "scan" in refused.json["errors"]["json"]
    assert asset_state(field.manager, field.asset) == ("vacant", 1)


def test_a_fix_outside_the_fence_is_refused_with_the_distance_and_an_inaccurate_one_too(
    app: Flask, field: Any
) -> None:
    request_id = submit(field).json["id"]
    path = f"/api/status-requests/{request_id}/confirm"
    outside = field.manager.post(path, json={"scan": label(app, field.asset), "gps": fix(500)})
    assert outside.status_code == 422
    assert re.search(r"\b4[23]\d\.\d\b", outside.json["errors"]["json"]["gps"][0])  # metres beyond the fence
    vague = field.manager.post(path, json={"scan": label(app, field.asset), "gps": fix(0, "80.0")})
    assert vague.status_code == 422
    assert "80.0" in vague.json["errors"]["json"]["gps"][0]
    # A fix claiming perfect accuracy is what a spoofed position reports: refused, not just flagged.
    perfect = field.manager.post(path, json={"scan": label(app, field.asset), "gps": fix(0, "0")})
    assert perfect.status_code == 422
    assert "gps.accuracy_m" in perfect.json["errors"]["json"]
    assert field.manager.get(f"/api/status-requests/{request_id}").json["state"] == "pending"


def test_remote_confirmation_needs_the_projects_leave_and_a_reason(app: Flask, field: Any, run: Any) -> None:
    request_id = submit(field).json["id"]
    path = f"/api/status-requests/{request_id}/confirm"
    assert field.manager.post(path, json={"remote": True, "remote_reason": "视频确认"}).status_code == 403
    admin_change = {"remote_confirmation_allowed": True}
    from backend.org.services import org

    run(org.update_project, field.project.id, admin_change, SYSTEM)
    no_reason = field.manager.post(path, json={"remote": True})
    assert no_reason.status_code == 422
    assert "remote_reason" in no_reason.json["errors"]["json"]
    for token in (".", "ok", "确认", "xxxxxxxxxx"):
        hollow = field.manager.post(path, json={"remote": True, "remote_reason": token})
        assert hollow.status_code == 422, token
        assert "至少 4 个汉字" in hollow.json["errors"]["json"]["remote_reason"][0]
    confirmed = field.manager.post(path, json={"remote": True, "remote_reason": "视频确认"})
    assert confirmed.status_code == 200, confirmed.json
    assert (confirmed.json["remote"], confirmed.json["remote_reason"]) == (True, "视频确认")


def test_an_asset_has_at_most_one_open_request(field: Any) -> None:
    assert submit(field).status_code == 201
    second = submit(field, to="renovation")
    assert second.status_code == 409
    assert "asset_id" in second.json["errors"]["json"]


def test_a_stale_base_version_is_flagged_as_a_conflict_and_nothing_is_applied(
    app: Flask, field: Any, run: Any
) -> None:
    request_id = submit(field).json["id"]
    run(change_asset_status, field.asset.id, AssetStatus.RESERVED, "held", SYSTEM)
    body = {"scan": label(app, field.asset), "gps": fix()}
    refused = field.manager.post(f"/api/status-requests/{request_id}/confirm", json=body)
    assert refused.status_code == 409
    assert set(refused.json["errors"]["json"]) == {"base_version"}
    after = field.manager.get(f"/api/status-requests/{request_id}").json
    assert (after["state"], after["conflict"]) == ("pending", True)
    assert asset_state(field.manager, field.asset) == ("reserved", 2)
    rejected = field.manager.post(f"/api/status-requests/{request_id}/reject", json={"reason": "已变更"})
    assert rejected.json["state"] == "rejected"


def test_a_request_filed_on_an_old_version_is_flagged_at_once(field: Any, run: Any) -> None:
    run(change_asset_status, field.asset.id, AssetStatus.RESERVED, "held", SYSTEM)
    filed = submit(field, to="vacant", base_version=1)
    assert filed.status_code == 201
    assert filed.json["conflict"] is True


def test_an_overdue_request_reads_expired_and_the_job_records_it(field: Any, db: Any, run: Any) -> None:
    filed = submit(field).json
    later = datetime.now(UTC) + timedelta(hours=73)
    with db.unit_of_work() as uow:
        read = status_requests.get_request(filed["id"], SYSTEM, uow, later)
        assert read.state_now.value == "expired"
        assert read.state.value == "pending"
        assert not uow.session.dirty  # reading wrote nothing
        assert not uow.session.new
    with db.unit_of_work() as uow:
        assert uow.status_requests.find(filed["id"]).state.value == "pending"
    job = run(status_requests.expire_overdue, Actor.system(Origin.JOB, "tests"), now=later)
    assert job.details == {"expired": 1, "approvals_expired": 0}
    gone = field.manager.get(f"/api/status-requests/{filed['id']}").json
    assert gone["state"] == "expired"
    assert field.manager.get(f"/api/approvals/{gone['approval_id']}").json["status"] == "expired"
    again = submit(field)
    assert again.status_code == 201, again.json


def test_filtering_by_state_sees_an_overdue_request_as_expired(field: Any, db: Any) -> None:
    filed = submit(field).json
    later = datetime.now(UTC) + timedelta(hours=73)

    def listed(states: list[RequestState], when: datetime) -> list[int]:
        query = ListQuery({"state": states})
        with db.unit_of_work() as uow:
            rows, total = status_requests.list_requests(query, False, SYSTEM, uow, when)
            assert total == len(rows)
            return [row.id for row in rows]

    assert listed([RequestState.PENDING], datetime.now(UTC)) == [filed["id"]]
    assert listed([RequestState.PENDING], later) == []
    assert listed([RequestState.EXPIRED], later) == [filed["id"]]
    assert listed([RequestState.EXPIRED, RequestState.REJECTED], later) == [filed["id"]]
    assert listed([RequestState.CONFIRMED], later) == []
    with db.unit_of_work() as uow:
        pending_approvals, _ = approvals.list_approvals(
            ListQuery({"status": [ApprovalStatus.PENDING]}), SYSTEM, uow, later
        )
        expired_approvals, _ = approvals.list_approvals(
            ListQuery({"status": [ApprovalStatus.EXPIRED]}), SYSTEM, uow, later
        )
        assert pending_approvals == []
        assert [a.subject_id for a in expired_approvals] == [filed["id"]]
        assert expired_approvals[0].status_now is ApprovalStatus.EXPIRED


def test_only_the_applicant_cancels_and_rejection_needs_a_reason(field: Any) -> None:
    request_id = submit(field).json["id"]
    assert field.manager.post(f"/api/status-requests/{request_id}/cancel").status_code == 403
    no_reason = field.manager.post(f"/api/status-requests/{request_id}/reject", json={"reason": " "})
    assert no_reason.status_code == 422
    cancelled = field.reporter.post(f"/api/status-requests/{request_id}/cancel")
    assert cancelled.status_code == 200
    assert cancelled.json["state"] == "cancelled"
    assert field.reporter.post(f"/api/status-requests/{request_id}/cancel").status_code == 409


def test_photo_evidence_shows_pending_until_it_arrives(field: Any) -> None:
    data = png(colour=(9, 9, 9, 255))
    request_id = submit(field, photo_hashes=[sha256(data)]).json["id"]
    assert field.manager.get(f"/api/status-requests/{request_id}").json["evidence_pending"] == [sha256(data)]
    uploaded = field.reporter.put(f"/api/photos/{sha256(data)}?asset_id={field.asset.id}", data=data)
    assert uploaded.status_code == 201
    assert field.manager.get(f"/api/status-requests/{request_id}").json["evidence_pending"] == []


def test_a_photo_stored_for_another_asset_is_no_evidence_here(
    field: Any, make_region: Any, make_project: Any, make_asset: Any, make_user: Any, bearer_client: Any
) -> None:
    far_project = make_project(make_region())  # another region's unit holds the photo
    data = png(colour=(7, 7, 7, 255))
    far_asset = make_asset(far_project)
    far_phone = bearer_client(make_user("inspector", project_id=far_project.id))
    stored = far_phone.put(f"/api/photos/{sha256(data)}?asset_id={far_asset.id}", data=data)
    assert stored.status_code == 201

    request_id = submit(field, photo_hashes=[sha256(data)]).json["id"]
    assert field.manager.get(f"/api/status-requests/{request_id}").json["evidence_pending"] == [sha256(data)]


def test_implausible_fixes_are_flagged_as_evidence(field: Any, run: Any) -> None:
    from backend.org.services import org

    # The jump lands 11 km away, outside the fence: a report from there needs the project's leave.
    run(org.update_project, field.project.id, {"remote_report_allowed": True}, SYSTEM)
    start = datetime.now(UTC) - timedelta(days=3)
    first = submit(field, gps=fix(0, "0", start))
    assert first.json["plausibility_flags"] == ["zero_accuracy", "late_upload"]
    field.reporter.post(f"/api/status-requests/{first.json['id']}/cancel")
    jump = fix(0, "5.0", start + timedelta(seconds=1))
    jump["latitude"] = "31.330000"  # 11 km in one second
    second = submit(field, gps=jump, remote_reason="定位跳到了别处")
    assert "implausible_speed" in second.json["plausibility_flags"]
    field.reporter.post(f"/api/status-requests/{second.json['id']}/cancel")
    third = submit(field, gps=fix(0, "5.0", start + timedelta(hours=5)))
    assert "repeated_coordinates" in third.json["plausibility_flags"]


def test_bad_input_names_the_field(field: Any) -> None:
    response = submit(field, to="flying", photo_hashes=["nope"])
    assert response.status_code == 422
    assert set(response.json["errors"]["json"]) == {"to_status", "photo_hashes"}


def test_the_generic_approval_rejects_a_request_but_never_confirms_it_without_evidence(field: Any) -> None:
    filed = submit(field).json
    approval = f"/api/approvals/{filed['approval_id']}"
    assert field.manager.post(f"{approval}/approve", json={}).status_code == 409
    assert asset_state(field.manager, field.asset) == ("vacant", 1)
    rejected = field.manager.post(f"{approval}/reject", json={"note": "照片不清楚"})
    assert rejected.status_code == 200, rejected.json
    request = field.manager.get(f"/api/status-requests/{filed['id']}").json
    assert (request["state"], request["decision_note"]) == ("rejected", "照片不清楚")


def test_the_field_policy_of_a_project_is_validated_and_shown(
    field: Any, make_user: Any, bearer_client: Any
) -> None:
    admin = bearer_client(make_user("admin"))
    path = f"/api/projects/{field.project.id}"
    shown = admin.get(path).json
    assert (shown["remote_confirmation_allowed"], shown["lease_end_status"]) == (False, "renovation")
    assert (shown["gps_max_accuracy_m"], shown["gps_tolerance_m"], shown["status_request_ttl_hours"]) == (
        "50.0",
        "10.0",
        72,
    )
    refused = admin.patch(path, json={"lease_end_status": "demolished", "status_request_ttl_hours": 0})
    assert refused.status_code == 422
    assert set(refused.json["errors"]["json"]) == {"lease_end_status", "status_request_ttl_hours"}
    changed = admin.patch(path, json={"lease_end_status": "vacant", "status_request_ttl_hours": 24})
    assert changed.status_code == 200, changed.json
    filed = submit(field).json
    submitted = datetime.fromisoformat(filed["submitted_at"])
    assert datetime.fromisoformat(filed["expires_at"]) - submitted == timedelta(hours=24)


def test_a_name_change_is_no_reason_to_stand_aside(app: Flask, field: Any) -> None:
    filed = submit(field).json
    assert field.manager.patch(f"/api/assets/{field.asset.id}", json={"name": "1201 室"}).status_code == 200
    body = {"scan": label(app, field.asset), "gps": fix(20)}
    assert field.manager.post(f"/api/status-requests/{filed['id']}/confirm", json=body).status_code == 200


def test_a_label_read_by_the_camera_is_not_flagged_and_a_typed_one_is(app: Flask, field: Any) -> None:
    camera = submit(field).json
    body = {"scan": label(app, field.asset), "scan_source": "camera", "gps": fix(20)}
    confirmed = field.manager.post(f"/api/status-requests/{camera['id']}/confirm", json=body)
    assert confirmed.status_code == 200, confirmed.json
    assert "scan_not_from_camera" not in confirmed.json["confirm_plausibility_flags"]

    typed = submit(field, to="vacant", base_version=2).json
    body = {"scan": label(app, field.asset), "scan_source": "typed", "gps": fix(25)}
    confirmed = field.manager.post(f"/api/status-requests/{typed['id']}/confirm", json=body)
    assert confirmed.status_code == 200, confirmed.json
    assert "scan_not_from_camera" in confirmed.json["confirm_plausibility_flags"]
    wrong = field.manager.post(
        f"/api/status-requests/{typed['id']}/confirm", json=body | {"scan_source": "x"}
    )
    assert wrong.status_code == 422
    assert set(wrong.json["errors"]["json"]) == {"scan_source"}
