"""The field app's second pass on the server: presence on site, remote reports, evidence for the manager,
"my reports" across devices, refusals in the reader's language, the author told of the decision."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

import flask_babel
import pytest
from flask import Flask
from sqlalchemy import func, select

from backend.core.db.database import Database
from backend.field.db.models import StatusChangeRequest
from backend.notify.domain.notifications import NotificationKind
from backend.notify.domain.web_push import PushMessage
from backend.org.services import org
from tests.api.field import test_status_requests as status_tests
from tests.conftest import SYSTEM
from tests.support.images import png, sha256

field = status_tests.field  # the fenced project, its inspector and manager
fix, submit = status_tests.fix, status_tests.submit
OFFICE_CHECKLIST = {
    "code": "OFF2",
    "name": "办公室巡检",
    "name_en": "Office check",
    "asset_type": "office",
    "items": [{"key": "clean", "label_zh": "整洁", "label_en": "Clean", "kind": "pass_fail"}],
}


def requests_filed(db: Database) -> int:
    with db.unit_of_work() as uow:
        assert uow.session is not None
        return int(uow.session.scalar(select(func.count()).select_from(StatusChangeRequest)) or 0)


def speak(client: Any, locale: str) -> None:
    """The user's language, saved in their profile (it wins over the browser's)."""
    assert client.patch("/api/auth/me", json={"locale": locale}).status_code == 200
    flask_babel.refresh()  # the tests' application context outlives a request: forget its language


def allow_remote_reports(run: Any, project: Any) -> None:
    run(org.update_project, project.id, {"remote_report_allowed": True}, SYSTEM)


def test_a_report_without_a_fix_or_from_outside_the_fence_is_refused_and_nothing_is_written(
    field: Any, db: Database
) -> None:
    speak(field.reporter, "en")
    without = submit(field, gps=None)
    assert without.status_code == 422
    assert "on site only" in without.json["errors"]["json"]["gps"][0]
    outside = submit(field, gps=fix(offset_m=400))
    assert outside.status_code == 422
    assert "outside the asset's geofence" in outside.json["errors"]["json"]["gps"][0]
    assert requests_filed(db) == 0


def test_where_the_project_allows_it_a_remote_report_needs_a_reason_and_is_flagged(
    field: Any, run: Any
) -> None:
    allow_remote_reports(run, field.project)
    no_reason = submit(field, gps=None)
    assert no_reason.status_code == 422
    assert "remote_reason" in no_reason.json["errors"]["json"]
    assert submit(field, gps=None, remote_reason="ok").status_code == 422

    filed = submit(field, gps=None, remote_reason="门禁坏了进不去")
    assert filed.status_code == 201, filed.json
    assert filed.json["plausibility_flags"] == ["no_fix", "remote_report"]
    assert filed.json["report_remote_reason"] == "门禁坏了进不去"

    field.reporter.post(f"/api/status-requests/{filed.json['id']}/cancel")
    away = submit(field, gps=fix(offset_m=400), remote_reason="Locked out of the building")
    assert away.status_code == 201, away.json
    assert away.json["fence_passed"] is False
    assert away.json["plausibility_flags"] == ["remote_report"]


def test_an_inspection_needs_presence_too(field: Any, run: Any, make_user: Any, bearer_client: Any) -> None:
    director = bearer_client(make_user("director"))
    assert director.post("/api/checklists", json=OFFICE_CHECKLIST).status_code == 201
    answers = {"clean": {"value": True}}
    body = {"asset_id": field.asset.id, "captured_at": "2026-12-01T10:00:00+08:00", "answers": answers}
    refused = field.reporter.post("/api/inspections", json=body)
    assert refused.status_code == 422, refused.json
    assert "gps" in refused.json["errors"]["json"]
    allow_remote_reports(run, field.project)
    remote = field.reporter.post("/api/inspections", json=body | {"remote_reason": "设备在封闭机房内"})
    assert remote.status_code == 201, remote.json
    assert remote.json["plausibility_flags"] == ["no_fix", "remote_report"]


def test_the_manager_sees_who_reported_when_each_photo_arrived_and_the_fence(field: Any) -> None:
    data = png(colour=(7, 7, 7, 255))
    filed = submit(field, photo_hashes=[sha256(data)]).json
    detail = field.manager.get(f"/api/status-requests/{filed['id']}").json
    assert detail["applicant_name"] == field.inspector.display_name
    assert detail["photos"] == [{"sha256": sha256(data), "received_at": None, "upload_lag_s": None}]
    assert detail["fence"]["type"] == "Point"
    assert detail["fence_radius_m"] == "50.0"

    first = field.reporter.put(f"/api/photos/{sha256(data)}?asset_id={field.asset.id}", data=data)
    again = field.reporter.put(f"/api/photos/{sha256(data)}?asset_id={field.asset.id}", data=data)
    assert (first.status_code, again.status_code) == (201, 200)
    photo = field.manager.get(f"/api/status-requests/{filed['id']}").json["photos"][0]
    assert photo["received_at"] is not None
    assert photo["upload_lag_s"] >= 0

    rejected = field.manager.post(
        f"/api/status-requests/{filed['id']}/reject", json={"reason": "照片看不清门锁"}
    )
    assert rejected.json["decided_by_name"] == field.manager_user.display_name


def test_my_reports_show_what_became_of_each_report_in_the_readers_language(field: Any) -> None:
    filed = submit(field).json
    mine = field.reporter.get("/api/field/my-reports").json
    assert [(r["kind"], r["id"], r["state"]) for r in mine] == [("status_request", filed["id"], "waiting")]

    field.manager.post(
        f"/api/status-requests/{filed['id']}/reject", json={"reason": "照片看不清门锁，请重拍"}
    )
    speak(field.reporter, "en")
    english = field.reporter.get("/api/field/my-reports").json[0]
    assert (english["state"], english["decision_note"]) == ("rejected", "照片看不清门锁，请重拍")
    assert english["decided_by_name"] == field.manager_user.display_name
    assert english["summary"] == f"{field.asset.code}: Vacant → Maintenance"
    speak(field.reporter, "zh_CN")
    chinese = field.reporter.get("/api/field/my-reports").json[0]
    assert chinese["summary"] == f"{field.asset.code}：空置 → 维修中"

    assert field.reporter.get("/api/field/my-reports?state=waiting").json == []
    assert len(field.reporter.get("/api/field/my-reports?state=rejected").json) == 1
    # Nobody else's reports, not even the manager's view of them.
    assert field.manager.get("/api/field/my-reports").json == []
    bad = field.reporter.get("/api/field/my-reports?state=applied")
    assert bad.status_code == 422
    assert "state" in bad.json["errors"]["query"]


def test_the_author_is_told_of_a_rejection_with_the_reason_and_the_push_opens_my_reports(field: Any) -> None:
    filed = submit(field).json
    field.manager.post(f"/api/status-requests/{filed['id']}/reject", json={"reason": "照片看不清门锁"})
    speak(field.reporter, "en")
    inbox = field.reporter.get("/api/notifications").json
    decided = next(n for n in inbox if n["kind"] == "status_request.decided")
    assert decided["title"] == f"Your status change request for {field.asset.code} was rejected"
    speak(field.reporter, "zh_CN")
    chinese = field.reporter.get("/api/notifications").json
    assert "已驳回" in next(n for n in chinese if n["kind"] == "status_request.decided")["title"]
    message = PushMessage(
        NotificationKind.STATUS_REQUEST_DECIDED, {}, (), "status_change_request", filed["id"]
    )
    assert message.url == f"/reports?request={filed['id']}"
    waiting = PushMessage(
        NotificationKind.STATUS_REQUEST_WAITING, {}, (), "status_change_request", filed["id"]
    )
    assert waiting.url == f"/approvals/{filed['id']}"


@pytest.fixture
def phone(field: Any) -> Any:
    sequence = itertools.count(1)

    def push(args: dict[str, Any], language: str) -> Any:
        command = {
            "op_id": str(uuid.uuid4()),
            "device_seq": next(sequence),
            "name": "status_change.request",
            "version": 1,
            "args": args,
            "captured_at": "2026-12-01T10:00:00+08:00",
        }
        body = {"protocol_version": 1, "commands": [command]}
        return field.reporter.post("/api/sync/push", json=body, headers={"Accept-Language": language})

    return push


def test_a_refusal_is_shown_in_the_language_of_whoever_reads_it(field: Any, phone: Any) -> None:
    args = {"asset_id": field.asset.id, "to_status": "maintenance", "base_version": 1, "reason": "漏水"}
    result = phone(args, "zh-CN").json["results"][0]
    assert result["status"] == "rejected"
    assert "仅接受现场" in result["fields"]["gps"][0], result

    speak(field.reporter, "en")
    pulled = field.reporter.post("/api/sync/pull", json={}).json
    rejection = next(c["data"] for c in pulled["changes"] if c["entity"] == "rejection")
    assert "on site only" in rejection["fields"]["gps"][0]

    refused = field.reporter.get(
        "/api/field/my-reports?state=refused", headers={"Accept-Language": "en"}
    ).json
    assert [(r["kind"], r["asset_code"], r["to_status"], r["reason"]) for r in refused] == [
        ("refused", field.asset.code, "maintenance", "漏水")
    ]
    assert refused[0]["summary"] == f"{field.asset.code}: Status report refused"
    assert "on site only" in refused[0]["fields"]["gps"][0]


def test_checklist_titles_reach_the_phone_in_both_languages(
    app: Flask, field: Any, make_user: Any, bearer_client: Any
) -> None:
    director = bearer_client(make_user("director"))
    assert director.post("/api/checklists", json=OFFICE_CHECKLIST).status_code == 201
    pulled = field.reporter.post("/api/sync/pull", json={}).json
    checklist = next(c["data"] for c in pulled["changes"] if c["entity"] == "checklist")
    assert (checklist["title_zh"], checklist["title_en"]) == ("办公室巡检", "Office check")
    project = next(c["data"] for c in pulled["changes"] if c["entity"] == "project")
    assert project["remote_report_allowed"] is False
