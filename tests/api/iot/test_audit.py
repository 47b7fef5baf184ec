"""The consistency audit over a hand-built site: each kind of disagreement found with the rows behind it,
rates against last month, scope (nothing of another region), the reports, and the manager's tasks."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from backend.core.db.database import Database
from backend.field.db.models import StatusChangeRequest, WorkOrder
from backend.iot.db.models import IotFlag
from backend.iot.domain.flags import FlagKind, FlagState
from backend.iot.services import audit
from backend.notify.db.models import Notification
from backend.org.db.models import Asset
from backend.org.domain.org import AssetStatus as S
from tests.api.iot.conftest import NOW, TODAY, Site, let, set_status

OCTOBER = datetime(2026, 10, 31, 4, tzinfo=UTC)


def run_audit(client: FlaskClient, db: Database, app: Flask, at: datetime) -> int:
    """Ask for an audit at a moment and let the worker carry it out; the run's id."""
    app.extensions["leasekeeper.clock"] = lambda: at
    asked = client.post("/api/iot/audits")
    assert asked.status_code == 202, asked.json
    assert audit.run_queued(db.unit_of_work, lambda: at) == [asked.json["id"]]
    return int(asked.json["id"])


def findings(client: FlaskClient, run_id: int, **query: Any) -> list[dict[str, Any]]:
    answer = client.get(f"/api/iot/audits/{run_id}/findings", query_string={"page_size": 500} | query)
    assert answer.status_code == 200, answer.json
    return list(answer.json)


@pytest.fixture
def disagreeing(site: Site, db: Database, run: Any) -> dict[str, Any]:
    """One asset per kind of disagreement in SH-01, one in GZ-01, and the machine in agreement."""
    u1201, u1202, u1203, u1204 = site.units
    set_status(db, u1201, S.LEASED)  # its only lease ended in October
    ended = let(db, run, site, u1201, date(2025, 11, 1), date(2026, 10, 31), status="ended")
    set_status(db, u1202, S.VACANT)  # a lease in force
    in_force = let(db, run, site, u1202, date(2026, 3, 1), date(2027, 2, 28))
    set_status(db, u1203, S.PENDING_DELIVERY)  # started a month ago
    late = let(db, run, site, u1203, date(2026, 10, 31), date(2027, 10, 30), status="signed")
    set_status(db, u1204, S.MAINTENANCE)  # no work order
    set_status(db, site.machine, S.LEASED)
    let(db, run, site, site.machine, date(2026, 1, 1), date(2027, 12, 31))
    set_status(db, site.other_unit, S.LEASED)  # GZ-01: leased, no lease at all
    with db.unit_of_work() as uow:
        retired = Asset(project_id=site.project.id, code="SH-01-9901", kind="space", asset_type="office",
                        status=S.RETIRED, created_at=NOW - timedelta(days=30))  # fmt: skip
        uow.session.add(retired)
        uow.session.flush()
        order = WorkOrder(kind="cleaning", state="open", asset_id=retired.id, project_id=site.project.id,
                          title="退租保洁")  # fmt: skip
        stale = StatusChangeRequest(
            asset_id=u1202.id, project_id=site.project.id, from_status=S.RESERVED, to_status=S.LEASED,
            reason="tenant moved in", base_version=1, captured_at=NOW - timedelta(days=9),
            submitted_at=NOW - timedelta(days=9), expires_at=NOW + timedelta(days=1),
        )  # fmt: skip
        flag = IotFlag(
            asset_id=u1204.id, project_id=site.project.id, kind=FlagKind.VACANT_DOOR, state=FlagState.OPEN,
            confidence=Decimal("0.8"), window_from=TODAY - timedelta(days=14),
            window_to=TODAY - timedelta(days=1), evidence={}, raised_at=NOW, updated_at=NOW,
        )  # fmt: skip
        uow.session.add_all([order, stale, flag])
        # Created 200 days ago and never confirmed on site.
        uow.session.get(Asset, site.machine.id).created_at = NOW - timedelta(days=200)
        uow.commit()
        ids = {"order": order.id, "stale": stale.id, "flag": flag.id, "retired": retired.id}
    return ids | {"ended": ended, "in_force": in_force, "late": late}


def test_every_kind_of_disagreement_is_found_with_its_rows(
    site: Site, disagreeing: dict[str, Any], manager: FlaskClient, db: Database, app: Flask
) -> None:
    run_id = run_audit(manager, db, app, NOW)
    found = {(f["asset_code"], f["kind"]): f for f in findings(manager, run_id)}
    rows = {key: [(r["type"], r["id"]) for r in f["rows"]] for key, f in found.items()}
    assert rows == {
        ("SH-01-1201", "leased_without_lease"): [("lease", disagreeing["ended"])],
        ("SH-01-1202", "vacant_with_lease"): [("lease", disagreeing["in_force"])],
        ("SH-01-1202", "request_stale"): [("status_request", disagreeing["stale"])],
        ("SH-01-1202", "request_overdue"): [("status_request", disagreeing["stale"])],
        ("SH-01-1203", "delivery_overdue"): [("lease", disagreeing["late"])],
        ("SH-01-1204", "maintenance_without_work_order"): [],
        ("SH-01-1204", "iot_flag_open"): [("iot_flag", disagreeing["flag"])],
        ("SH-01-9901", "work_order_on_retired"): [("work_order", disagreeing["order"])],
        ("SH-01-EX1", "confirmation_stale"): [],
    }
    assert found[("SH-01-1203", "delivery_overdue")]["summary"] == "租约起租已久，仍为待交付：30 天"
    assert found[("SH-01-EX1", "confirmation_stale")]["params"] == {"days": 200, "never": True}
    assert {f["assignee_id"] for f in found.values()} == {site.manager.id}
    view = manager.get(f"/api/iot/audits/{run_id}").json
    assert view["run"]["state"] == "done"
    # Six assets in SH-01, all disagreeing (the machine only by its stale confirmation).
    [project] = view["projects"]
    assert (project["project_code"], project["assets"], project["disagreeing"], project["rate"]) == (
        "SH-01", 6, 6, "1.0000",
    )  # fmt: skip
    assert view["overall"]["kinds"]["request_stale"] == 1


def test_the_rate_is_compared_with_last_months_run(
    site: Site, manager: FlaskClient, db: Database, app: Flask, run: Any
) -> None:
    """October: every SH-01 asset agrees (0 %); November: two of its five disagree: 40 %, up 40 points."""
    october = run_audit(manager, db, app, OCTOBER)
    assert manager.get(f"/api/iot/audits/{october}").json["overall"]["rate"] == "0.0000"
    set_status(db, site.units[0], S.LEASED)
    set_status(db, site.units[1], S.MAINTENANCE)
    november = run_audit(manager, db, app, NOW)
    view = manager.get(f"/api/iot/audits/{november}").json
    assert view["previous_run_id"] == october
    assert (view["overall"]["rate"], view["overall"]["previous_rate"], view["overall"]["change"]) == (
        "0.4000", "0.0000", "0.4000",
    )  # fmt: skip
    assert view["regions"][0]["region_name"] == "华东区域"


def test_nothing_of_another_region_is_seen_or_counted(
    site: Site,
    disagreeing: dict[str, Any],
    manager: FlaskClient,
    db: Database,
    app: Flask,
    web_client: Callable[[Any], FlaskClient],
) -> None:
    """South's regional manager sees GZ-01's one finding and rate, none of SH-01's; East's sees no GZ-01."""
    run_id = run_audit(manager, db, app, NOW)
    south = web_client(site.outsider)
    theirs = findings(south, run_id)
    assert [(f["asset_code"], f["kind"]) for f in theirs] == [("GZ-01-0301", "leased_without_lease")]
    view = south.get(f"/api/iot/audits/{run_id}").json
    assert [p["project_code"] for p in view["projects"]] == ["GZ-01"]
    assert (view["overall"]["assets"], view["overall"]["disagreeing"]) == (1, 1)
    east = web_client(site.regional)
    assert "GZ-01-0301" not in {f["asset_code"] for f in findings(east, run_id)}
    assert findings(east, run_id, region_id=view["regions"][0]["region_id"]) == []
    workbook = openpyxl.load_workbook(
        io.BytesIO(south.get(f"/api/iot/audits/{run_id}/report?format=xlsx").data)
    )
    texts = {str(cell.value) for sheet in workbook for row in sheet.iter_rows() for cell in row}
    assert "GZ-01-0301" in texts
    assert not any("SH-01" in text for text in texts)
    with db.unit_of_work() as uow:
        told = set(
            uow.session.scalars(select(Notification.user_id).where(Notification.kind == "audit.findings"))
        )
    assert told == {site.manager.id, site.outsider_manager.id}


def test_the_reports_hold_the_readers_findings_in_their_language(
    site: Site, disagreeing: dict[str, Any], manager: FlaskClient, db: Database, app: Flask
) -> None:
    run_id = run_audit(manager, db, app, NOW)
    xlsx = manager.get(f"/api/iot/audits/{run_id}/report?format=xlsx")
    assert xlsx.status_code == 200
    assert "consistency-audit-2026-11" in xlsx.headers["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx.data))
    assert workbook.sheetnames == ["差异率", "差异明细"]
    details = list(workbook["差异明细"].iter_rows(values_only=True))
    assert details[0] == ("项目", "资产", "状态", "差异", "相关记录", "任务")
    assert ("SH-01", "SH-01-1204", "维修中", "维修中，但没有未关闭的工单", None, "待处理") in details
    flag_row = f"物联网预警 #{disagreeing['flag']} 空置单元有开门记录"
    assert ("SH-01", "SH-01-1204", "维修中", "有未处理的物联网预警", flag_row, "待处理") in details
    pdf = manager.get(f"/api/iot/audits/{run_id}/report?format=pdf")
    assert (pdf.status_code, pdf.data[:5]) == (200, b"%PDF-")
    assert manager.get(f"/api/iot/audits/{run_id}/report?format=doc").status_code == 422


def test_a_managers_findings_are_tasks_resolved_with_a_note(
    site: Site,
    disagreeing: dict[str, Any],
    manager: FlaskClient,
    db: Database,
    app: Flask,
    web_client: Callable[[Any], FlaskClient],
) -> None:
    run_id = run_audit(manager, db, app, NOW)
    tasks = manager.get("/api/iot/audit-tasks").json
    assert len(tasks) == 9
    task = next(t for t in tasks if t["kind"] == "maintenance_without_work_order")
    assert manager.post(f"/api/iot/audit-tasks/{task['id']}/resolve", json={"note": " "}).status_code == 422
    other = web_client(site.outsider_manager)
    assert (
        other.post(f"/api/iot/audit-tasks/{task['id']}/resolve", json={"note": "看过了"}).status_code == 404
    )
    done = manager.post(f"/api/iot/audit-tasks/{task['id']}/resolve", json={"note": "已补开维修工单 WO-88"})
    assert done.status_code == 200, done.json
    assert (done.json["task_state"], done.json["resolved_note"]) == ("resolved", "已补开维修工单 WO-88")
    assert len(manager.get("/api/iot/audit-tasks").json) == 8
    assert [t["id"] for t in manager.get("/api/iot/audit-tasks?state=resolved").json] == [task["id"]]
    assert (
        manager.post(f"/api/iot/audit-tasks/{task['id']}/resolve", json={"note": "再次"}).status_code == 409
    )
    assert findings(manager, run_id, kind="maintenance_without_work_order")[0]["task_state"] == "resolved"


def test_a_second_audit_waits_for_the_first(manager: FlaskClient, app: Flask, site: Site) -> None:
    app.extensions["leasekeeper.clock"] = lambda: NOW
    assert manager.post("/api/iot/audits").status_code == 202
    assert manager.post("/api/iot/audits").status_code == 409
