"""Checklists and inspections over the API: versions, answers named by field, GPS, pending evidence, scope."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from backend.core.domain.access import Scope
from backend.core.domain.listing import ListQuery
from backend.core.services import users
from backend.field.services import inspections
from backend.org.domain.org import AssetType
from backend.org.services import org
from tests.conftest import SYSTEM
from tests.support.images import png, sha256

# A 50 m circle around a point in Lujiazui; 0.001° of latitude is about 111 m.
CENTRE = (31.2341, 121.5012)
FENCE = {"type": "Point", "coordinates": [CENTRE[1], CENTRE[0]]}
MACHINE_CHECKLIST = {
    "code": "MACH",
    "name": "机械设备巡检",
    "asset_type": "machinery",
    "items": [
        {"key": "hour_meter", "label_zh": "小时表读数", "label_en": "Hour meter", "kind": "number",
         "number_min": "0", "number_max": "20000", "number_unit": "h"},
        {"key": "hydraulic_leaks", "label_zh": "液压系统无泄漏", "label_en": "No hydraulic leaks",
         "kind": "pass_fail"},
        {"key": "nameplate", "label_zh": "铭牌照片", "label_en": "Nameplate photo", "kind": "photo"},
        {"key": "remarks", "label_zh": "备注", "label_en": "Remarks", "kind": "text", "required": False},
    ],
}  # fmt: skip
NAMEPLATE = png(colour=(9, 9, 9, 255))


@pytest.fixture
def site(
    make_region: Any, make_project: Any, make_asset: Any, make_user: Any, bearer_client: Any, run: Any
) -> Any:
    """An equipment depot with a fence, one machine, an inspector and a manager; another region's machine."""
    project = make_project(
        make_region("EAST"), "SH-DEPOT", geofence=FENCE, geofence_radius_m=50, category="equipment_depot"
    )
    other = make_project(make_region("SOUTH"), "GZ-DEPOT", category="equipment_depot")
    machine = {
        "kind": "equipment",
        "asset_type": AssetType.MACHINERY,
        "area_m2": None,
        "serial_number": "SN-1",
    }

    class Site:
        pass

    site = Site()
    site.project, site.other_project = project, other
    site.machine = make_asset(project, "SH-DEPOT-FL01", **machine)
    site.far_machine = make_asset(other, "GZ-DEPOT-FL01", **machine)

    def english_speaking(role: str) -> Any:
        user = make_user(role, project_id=project.id)
        run(users.update_user, user.id, {"locale": "en"}, SYSTEM)
        return bearer_client(user)

    site.inspector = english_speaking("inspector")
    site.manager = english_speaking("project_manager")
    site.head_office = bearer_client(make_user("director"))
    site.chinese_inspector = bearer_client(make_user("inspector", project_id=project.id))
    site.agent = bearer_client(make_user("leasing_agent", project_id=project.id))
    return site


@pytest.fixture
def checklist(site: Any) -> dict[str, Any]:
    created = site.head_office.post("/api/checklists", json=MACHINE_CHECKLIST)
    assert created.status_code == 201, created.json
    return dict(created.json)


def position(**changes: Any) -> dict[str, Any]:
    """The phone's fix at the centre of the circle, 8 m accurate."""
    return {"latitude": f"{CENTRE[0]:.6f}", "longitude": f"{CENTRE[1]:.6f}", "accuracy_m": "8.0"} | changes


def report(asset: Any, **changes: Any) -> dict[str, Any]:
    """A complete inspection of a machine, on site, with the nameplate photo cited by hash."""
    return {
        "asset_id": asset.id,
        # Half an hour before it reaches the server: a capture long before the upload is flagged.
        "captured_at": (datetime.now(UTC) - timedelta(minutes=30)).isoformat(),
        "gps": position(),
        "answers": {
            "hour_meter": {"value": "1520.5"},
            "hydraulic_leaks": {"value": True},
            "nameplate": {"photos": [sha256(NAMEPLATE)]},
        },
    } | changes


def test_a_used_checklist_is_replaced_by_a_new_version_and_the_old_one_stays_as_filled_in(
    site: Any, checklist: dict[str, Any]
) -> None:
    renamed = site.head_office.patch(f"/api/checklists/{checklist['id']}", json={"name": "设备巡检（试行）"})
    assert (renamed.status_code, renamed.json["id"], renamed.json["version"]) == (200, checklist["id"], 1)
    assert site.inspector.post("/api/inspections", json=report(site.machine)).status_code == 201

    items = [*MACHINE_CHECKLIST["items"], {"key": "guards", "label_zh": "防护罩", "label_en": "Guards",
                                           "kind": "pass_fail"}]  # fmt: skip
    changed = site.head_office.patch(f"/api/checklists/{checklist['id']}", json={"items": items})
    assert changed.status_code == 200, changed.json
    assert (changed.json["code"], changed.json["version"], changed.json["active"]) == ("MACH", 2, True)
    assert [item["key"] for item in changed.json["items"]][-1] == "guards"
    old = site.manager.get(f"/api/checklists/{checklist['id']}").json
    assert (old["active"], len(old["items"])) == (False, 4)
    current = site.inspector.get(f"/api/checklists/for-asset/{site.machine.id}").json
    assert current["id"] == changed.json["id"]

    # A phone still holding version 1 may file against it; the answers are checked against that version.
    offline = site.inspector.post("/api/inspections", json=report(site.machine, checklist_id=checklist["id"]))
    assert (offline.status_code, offline.json["checklist_version"]) == (201, 1)
    missing_guards = site.inspector.post("/api/inspections", json=report(site.machine))
    assert missing_guards.json["errors"]["json"] == {"answers.guards": ["This item must be answered."]}


def test_only_head_office_changes_the_checklists_every_region_shares(
    site: Any, checklist: dict[str, Any]
) -> None:
    url = f"/api/checklists/{checklist['id']}"
    for change in ({"active": False}, {"name": "停用"}):
        refused = site.manager.patch(url, json=change)
        assert refused.status_code == 403
        assert "head office" in refused.json["message"]
    assert site.manager.post("/api/checklists", json=MACHINE_CHECKLIST | {"code": "LOCAL"}).status_code == 403
    assert site.inspector.get(f"/api/checklists/for-asset/{site.machine.id}").json["id"] == checklist["id"]
    assert site.head_office.get(url).json["active"] is True


def test_a_second_active_checklist_for_the_same_asset_type_is_refused(
    site: Any, checklist: dict[str, Any]
) -> None:
    clash = site.head_office.post("/api/checklists", json=MACHINE_CHECKLIST | {"code": "MACH-2"})
    assert clash.status_code == 409
    assert "asset_type" in clash.json["errors"]["json"]
    inactive = site.head_office.post(
        "/api/checklists", json=MACHINE_CHECKLIST | {"code": "MACH-2", "active": False}
    )
    assert inactive.status_code == 201
    assert site.agent.post("/api/checklists", json=MACHINE_CHECKLIST | {"code": "X"}).status_code == 403


def test_each_problem_of_a_submission_is_named_by_its_answer_field_and_nothing_is_written(
    site: Any, checklist: dict[str, Any], db: Any
) -> None:
    answers = {
        "hour_meter": {"value": "lots"},
        "hydraulic_leaks": {"value": "ok"},
        "nameplate": {"value": 3},
        "colour": {"value": "red"},
    }
    refused = site.inspector.post("/api/inspections", json=report(site.machine, answers=answers))
    assert refused.status_code == 422
    assert refused.json["errors"]["json"] == {
        "answers.hour_meter": ["Answer with a number, e.g. 1234.5."],
        "answers.hydraulic_leaks": ["Answer true (passed) or false (failed)."],
        "answers.nameplate": ["A photo item takes photos only, no value."],
        "answers.colour": ["Not an item of this checklist."],
    }
    half = {name: part for name, part in position().items() if name != "accuracy_m"}
    half_fix = site.inspector.post("/api/inspections", json=report(site.machine, gps=half))
    assert half_fix.json["errors"]["json"] == {"gps": {"accuracy_m": ["Missing data for required field."]}}
    with db.unit_of_work() as uow:
        assert not uow.inspections.any_rows()


def test_problems_are_told_in_the_inspectors_own_language(site: Any, checklist: dict[str, Any]) -> None:
    refused = site.chinese_inspector.post("/api/inspections", json=report(site.machine, answers={}))
    assert refused.json["errors"]["json"]["answers.nameplate"] == ["此项必须填写。"]


def test_the_server_rechecks_the_fix_and_stores_result_distance_and_flags(
    site: Any, checklist: dict[str, Any], run: Any
) -> None:
    on_site = site.inspector.post("/api/inspections", json=report(site.machine))
    assert on_site.status_code == 201, on_site.json
    assert (on_site.json["fence_passed"], on_site.json["fence_distance_m"], on_site.json["fence_reason"]) == (
        True, "0.0", None,
    )  # fmt: skip
    assert on_site.json["plausibility_flags"] == []
    assert on_site.json["result"] == "pass"

    # 0.002° north is about 222 m from the centre: 172 m beyond the 50 m circle. Same coordinates would be
    # a replay; here the device also jumped 222 m in no time, and the reading is out of range.
    away = report(
        site.machine,
        gps=position(latitude=f"{CENTRE[0] + 0.002:.6f}", accuracy_m="0"),
        answers=report(site.machine)["answers"] | {"hour_meter": {"value": 99999}},
    )
    refused = site.inspector.post("/api/inspections", json=away)
    assert refused.status_code == 422, refused.json
    assert "gps" in refused.json["errors"]["json"]
    # Where the project allows remote reports, the same inspection is filed with a reason and flagged.
    run(org.update_project, site.project.id, {"remote_report_allowed": True}, SYSTEM)
    outside = site.inspector.post("/api/inspections", json=away | {"remote_reason": "在隔壁仓库远程查看"})
    assert outside.status_code == 201, outside.json
    body = outside.json
    assert (body["fence_passed"], body["fence_reason"]) == (False, "outside")
    assert 170 < float(body["fence_distance_m"]) < 175
    assert set(body["plausibility_flags"]) == {"zero_accuracy", "implausible_speed", "remote_report"}
    assert body["result"] == "fail"
    assert [a["passed"] for a in body["answers"] if a["item_key"] == "hour_meter"] == [False]
    stored = site.manager.get(f"/api/inspections/{body['id']}").json
    assert (stored["fence_distance_m"], stored["latitude"]) == (body["fence_distance_m"], "31.236100")


def test_cited_photos_show_as_pending_until_they_are_uploaded(site: Any, checklist: dict[str, Any]) -> None:
    filed = site.inspector.post("/api/inspections", json=report(site.machine))
    assert filed.json["evidence_pending"] == [sha256(NAMEPLATE)]
    upload = site.inspector.put(f"/api/photos/{sha256(NAMEPLATE)}?asset_id={site.machine.id}", data=NAMEPLATE)
    assert upload.status_code == 201, upload.json
    assert site.manager.get(f"/api/inspections/{filed.json['id']}").json["evidence_pending"] == []
    listed = site.manager.get(f"/api/inspections?asset_id={site.machine.id}").json
    assert [i["evidence_pending"] for i in listed] == [[]]


def test_inspections_elsewhere_are_invisible_and_cannot_be_filed(
    site: Any, checklist: dict[str, Any], run: Any, db: Any
) -> None:
    no_fix = report(site.far_machine)
    del no_fix["gps"]
    no_fix["captured_at"] = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
    far_id = run(inspections.submit_inspection, no_fix, SYSTEM, now=datetime.now(UTC)).id
    with db.unit_of_work() as uow:
        far = uow.inspections.find(far_id)
        assert far is not None
        assert (far.fence_passed, far.fence_distance_m, far.latitude) == (None, None, None)
    assert site.manager.get(f"/api/inspections/{far_id}").status_code == 404
    assert site.manager.get("/api/inspections").json == []
    assert site.inspector.post("/api/inspections", json=report(site.far_machine)).status_code == 404
    assert site.agent.post("/api/inspections", json=report(site.machine)).status_code == 403


def test_each_filed_inspection_leaves_one_audit_entry_in_its_project(
    site: Any, checklist: dict[str, Any], db: Any
) -> None:
    filed = site.inspector.post("/api/inspections", json=report(site.machine)).json
    with db.unit_of_work() as uow:
        entries, total = uow.audit.page(Scope(everything=True), ListQuery({"entity_type": "inspection"}))
        assert total == 1
        assert (entries[0].entity_id, entries[0].project_id) == (str(filed["id"]), site.project.id)
        assert entries[0].after["answers"][0]["item_key"] == "hour_meter"


def test_an_unused_checklist_is_edited_in_place_and_may_reuse_its_item_keys(
    site: Any, checklist: dict[str, Any]
) -> None:
    items = [item | {"label_en": item["label_en"].upper()} for item in MACHINE_CHECKLIST["items"]]
    edited = site.head_office.patch(f"/api/checklists/{checklist['id']}", json={"items": items[:2]})
    assert edited.status_code == 200, edited.json
    assert (edited.json["id"], edited.json["version"]) == (checklist["id"], 1)
    assert [item["label_en"] for item in edited.json["items"]] == ["HOUR METER", "NO HYDRAULIC LEAKS"]
    assert [item["position"] for item in edited.json["items"]] == [1, 2]


def test_without_an_active_checklist_there_is_nothing_to_fill_in(
    site: Any, checklist: dict[str, Any]
) -> None:
    off = site.head_office.patch(f"/api/checklists/{checklist['id']}", json={"active": False})
    assert (off.status_code, off.json["active"]) == (200, False)
    assert site.inspector.get(f"/api/checklists/for-asset/{site.machine.id}").status_code == 404
    refused = site.inspector.post("/api/inspections", json=report(site.machine))
    assert refused.json["errors"]["json"] == {"checklist_id": ["No checklist is active for this asset type."]}
    assert site.head_office.patch(f"/api/checklists/{checklist['id']}", json={}).status_code == 422
