"""Automatic asset moves from lease and work order events, audited with origin `system`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from backend.org.services import org
from tests.api.leasing import test_leases as lease_tests
from tests.conftest import SYSTEM

Client = Callable[..., FlaskClient]
# The lease tests' site (project, units, agent, manager) and office template.
site = lease_tests.site
template = lease_tests.template


def status_of(client: FlaskClient, asset: Any) -> str:
    return str(client.get(f"/api/assets/{asset.id}").json["status"])


def signed_lease(site: Any, template: Any, bearer_client: Client) -> dict[str, Any]:
    agent = bearer_client(site.agent)
    lease = agent.post("/api/leases", json=lease_tests.draft(site, template)).json
    signed = agent.post(f"/api/leases/{lease['id']}/sign")
    assert signed.status_code == 200, signed.json
    return dict(signed.json)


def test_the_lease_flow_moves_the_asset_from_signing_to_hand_over_to_renovation(
    site: Any,
    template: Any,
    bearer_client: Client,
) -> None:
    manager = bearer_client(site.manager)
    unit = site.units[0]
    lease = signed_lease(site, template, bearer_client)
    assert status_of(manager, unit) == "pending_delivery"
    orders = manager.get(f"/api/work-orders?lease_id={lease['id']}").json
    assert [(o["kind"], o["state"], o["asset_id"]) for o in orders] == [("handover", "open", unit.id)]
    done = manager.post(f"/api/work-orders/{orders[0]['id']}/complete", json={})
    assert done.status_code == 200, done.json
    assert status_of(manager, unit) == "leased"
    agent = bearer_client(site.agent)
    ended = agent.post(
        f"/api/leases/{lease['id']}/terminate", json={"on": "2027-06-30", "reason": "客户搬迁"}
    )
    assert ended.status_code == 200, ended.json
    assert status_of(manager, unit) == "renovation"
    entries = manager.get(f"/api/audit?entity_type=asset&entity_id={unit.id}&page_size=50").json
    automatic = [e for e in entries if "cause" in (e["after"] or {})]
    assert {e["after"]["cause"] for e in automatic} == {"lease_signed", "handover_confirmed", "lease_ended"}
    assert {e["origin"] for e in automatic} == {"system"}


def test_a_project_may_send_ended_leases_straight_back_to_vacant(
    site: Any,
    template: Any,
    bearer_client: Client,
    run: Any,
) -> None:
    run(org.update_project, site.project.id, {"lease_end_status": "vacant"}, SYSTEM)
    manager = bearer_client(site.manager)
    lease = signed_lease(site, template, bearer_client)
    order = manager.get(f"/api/work-orders?lease_id={lease['id']}").json[0]
    manager.post(f"/api/work-orders/{order['id']}/complete", json={})
    bearer_client(site.agent).post(
        f"/api/leases/{lease['id']}/terminate", json={"on": "2027-06-30", "reason": "退租"}
    )
    assert status_of(manager, site.units[0]) == "vacant"


def test_a_lease_ended_before_hand_over_frees_the_asset_and_cancels_the_hand_over(
    site: Any,
    template: Any,
    bearer_client: Client,
) -> None:
    manager = bearer_client(site.manager)
    lease = signed_lease(site, template, bearer_client)
    bearer_client(site.agent).post(
        f"/api/leases/{lease['id']}/terminate", json={"on": "2026-01-31", "reason": "毁约"}
    )
    assert status_of(manager, site.units[0]) == "vacant"
    orders = manager.get(f"/api/work-orders?lease_id={lease['id']}").json
    assert [o["state"] for o in orders] == ["cancelled"]


def test_a_blocking_repair_takes_the_asset_into_maintenance_and_back(
    site: Any, bearer_client: Client
) -> None:
    manager = bearer_client(site.manager)
    unit = site.units[1]
    body = {"kind": "repair", "asset_id": unit.id, "title": "空调维修", "blocks_letting": True}
    opened = manager.post("/api/work-orders", json=body)
    assert opened.status_code == 201, opened.json
    assert opened.json["status_before"] == "vacant"
    assert status_of(manager, unit) == "maintenance"
    assert manager.post(f"/api/work-orders/{opened.json['id']}/start", json={}).json["state"] == "in_progress"
    closed = manager.post(f"/api/work-orders/{opened.json['id']}/complete", json={"note": "已修好"})
    assert closed.json["state"] == "done"
    assert status_of(manager, unit) == "vacant"


def test_a_cancelled_repair_also_returns_the_asset_and_a_plain_one_changes_nothing(
    site: Any, bearer_client: Client
) -> None:
    manager = bearer_client(site.manager)
    unit = site.units[1]
    plain = {"kind": "repair", "asset_id": unit.id, "title": "换灯泡"}
    assert manager.post("/api/work-orders", json=plain).status_code == 201
    assert status_of(manager, unit) == "vacant"
    blocking = manager.post("/api/work-orders", json=plain | {"blocks_letting": True}).json
    assert status_of(manager, unit) == "maintenance"
    manager.post(f"/api/work-orders/{blocking['id']}/cancel", json={})
    assert status_of(manager, unit) == "vacant"


def test_signing_a_lease_on_an_asset_under_repair_succeeds_and_tells_the_managers(
    site: Any,
    template: Any,
    bearer_client: Client,
) -> None:
    manager = bearer_client(site.manager)
    unit = site.units[0]
    body = {"kind": "repair", "asset_id": unit.id, "title": "漏水", "blocks_letting": True}
    manager.post("/api/work-orders", json=body)
    lease = signed_lease(site, template, bearer_client)
    assert lease["status"] == "signed"
    assert status_of(manager, unit) == "maintenance"
    inbox = manager.get("/api/notifications").json
    assert [n["kind"] for n in inbox] == ["automation.skipped"]
    runs = manager.get("/api/job-runs?kind=asset.automation").json
    assert [(r["status"], r["subject_id"]) for r in runs] == [("failed", unit.id)]
    handover = manager.get(f"/api/work-orders?lease_id={lease['id']}").json
    assert [o["kind"] for o in handover] == ["handover"]
    repair = manager.get(f"/api/work-orders?asset_id={unit.id}&kind=repair").json[0]
    manager.post(f"/api/work-orders/{repair['id']}/complete", json={})
    assert status_of(manager, unit) == "pending_delivery"
    manager.post(f"/api/work-orders/{handover[0]['id']}/complete", json={})
    assert status_of(manager, unit) == "leased"


def test_a_meter_reading_is_done_only_with_its_value(site: Any, bearer_client: Client) -> None:
    manager = bearer_client(site.manager)
    body = {"kind": "meter_reading", "asset_id": site.units[2].id, "title": "电表", "meter_unit": "kWh"}
    order = manager.post("/api/work-orders", json=body).json
    missing = manager.post(f"/api/work-orders/{order['id']}/complete", json={})
    assert missing.status_code == 422
    assert "meter_value" in missing.json["errors"]["json"]
    done = manager.post(f"/api/work-orders/{order['id']}/complete", json={"reading": {"value": "1234.500"}})
    assert (done.json["state"], done.json["meter_value"]) == ("done", "1234.500")
    assert manager.post(f"/api/work-orders/{order['id']}/start", json={}).status_code == 409


def test_a_work_order_goes_only_to_someone_who_reports_on_its_project(
    site: Any, bearer_client: Client, make_user: Any
) -> None:
    manager = bearer_client(site.manager)
    body = {"kind": "repair", "asset_id": site.units[1].id, "title": "空调维修"}
    for assignee in (site.outsider.id, 10**6, site.agent.id):  # another region, nobody, no field:report
        refused = manager.post("/api/work-orders", json=body | {"assignee_id": assignee})
        assert refused.status_code == 422
        assert set(refused.json["errors"]["json"]) == {"assignee_id"}
    assert manager.get("/api/work-orders").json == []

    inspector = make_user("inspector", project_id=site.project.id)
    opened = manager.post("/api/work-orders", json=body | {"assignee_id": inspector.id})
    assert opened.status_code == 201, opened.json
    moved = manager.patch(f"/api/work-orders/{opened.json['id']}", json={"assignee_id": site.outsider.id})
    assert moved.status_code == 422
