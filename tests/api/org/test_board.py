"""The asset board: status counts within scope, assets with lease and last inspection, the asset card."""

from __future__ import annotations

from typing import Any

import pytest

from backend.core.services import users
from backend.field.services import inspections
from backend.leasing.services import leases
from backend.org.domain.org import AssetStatus
from backend.org.services import asset_status
from tests.conftest import SYSTEM

TEMPLATE = {"code": "T", "name": "标准写字楼租赁合同", "contract_type": "office", "frequency": "monthly",
            "timing": "prepaid"}  # fmt: skip
ALL_CLEAR = {
    key: {"value": True}
    for key in ("lights", "air_conditioning", "doors_locks", "fire_extinguisher", "cleanliness")
}


@pytest.fixture
def site(
    make_region: Any,
    make_project: Any,
    make_asset: Any,
    make_customer: Any,
    make_user: Any,
    bearer_client: Any,
    run: Any,
) -> Any:
    """Shanghai: four units (one let, one in maintenance); Guangzhou: two units; default checklists."""
    east, south = make_region("EAST"), make_region("SOUTH")
    project = make_project(east, "SH-01")

    class Site:
        pass

    site = Site()
    site.project, site.other_project = project, make_project(south, "GZ-01")
    floors = ("10", "11", "12", "12")
    site.units = [make_asset(project, f"SH-01-{n}", floor=floor) for n, floor in enumerate(floors)]
    site.far_units = [make_asset(site.other_project, f"GZ-01-0{n}01") for n in (1, 2)]
    site.customer = make_customer(east, "C-1", name="上海星河科技有限公司")
    run(asset_status.change_asset_status, site.units[3].id, AssetStatus.MAINTENANCE, "漏水", SYSTEM)
    run(inspections.seed_checklists, SYSTEM)

    def english(user: Any) -> Any:
        run(users.update_user, user.id, {"locale": "en"}, SYSTEM)
        return bearer_client(user)

    site.agent = english(make_user("leasing_agent", project_id=project.id))
    site.manager = english(make_user("regional_manager", region_id=east.id))
    site.inspector = english(make_user("inspector", project_id=project.id))
    site.admin = english(make_user("admin"))
    return site


def let_first_unit(site: Any, run: Any) -> dict[str, Any]:
    """Draft and sign a lease of the first unit to the customer, as the leasing agent."""
    template = run(leases.create_template, dict(TEMPLATE), SYSTEM)
    body = {
        "template_id": template.id,
        "customer_id": site.customer.id,
        "asset_ids": [site.units[0].id],
        "starts_on": "2026-01-01",
        "ends_on": "2028-12-31",
        "charge_lines": [{"charge_type": "rent", "monthly_amount": "30000.00"}],
    }
    lease = site.agent.post("/api/leases", json=body)
    assert lease.status_code == 201, lease.json
    signed = site.agent.post(f"/api/leases/{lease.json['id']}/sign")
    assert signed.status_code == 200, signed.json
    return dict(signed.json)


def inspect(site: Any, asset: Any, **answers: Any) -> dict[str, Any]:
    body = {"asset_id": asset.id, "captured_at": "2026-11-23T10:00:00+08:00", "answers": ALL_CLEAR | answers}
    filed = site.inspector.post("/api/inspections", json=body)
    assert filed.status_code == 201, filed.json
    return dict(filed.json)


def test_a_project_board_counts_every_status_of_the_projects_assets(site: Any) -> None:
    board = site.manager.get(f"/api/board/projects/{site.project.id}")
    assert board.status_code == 200, board.json
    assert board.json["total"] == 4
    assert board.json["counts"] == {
        "vacant": 3, "reserved": 0, "pending_delivery": 0, "leased": 0,
        "maintenance": 1, "renovation": 0, "retired": 0,
    }  # fmt: skip


def test_another_regions_project_is_not_found_and_its_assets_are_never_listed(site: Any) -> None:
    assert site.manager.get(f"/api/board/projects/{site.other_project.id}").status_code == 404
    codes = [row["code"] for row in site.manager.get("/api/board/assets").json]
    assert codes == [unit.code for unit in site.units]
    assert site.admin.get(f"/api/board/projects/{site.other_project.id}").json["total"] == 2
    assert site.inspector.get(f"/api/board/assets/{site.far_units[0].id}").status_code == 404


def test_board_rows_carry_the_current_lease_and_the_last_inspection(site: Any, run: Any) -> None:
    lease = let_first_unit(site, run)
    inspect(site, site.units[0])
    latest = inspect(site, site.units[0], lights={"value": False})
    rows = site.manager.get(f"/api/board/assets?project_id={site.project.id}&floor=10").json
    assert len(rows) == 1
    row = rows[0]
    # Signing moved the unit to pending delivery (the automatic hand-over rule).
    assert (row["status"], row["status_version"]) == ("pending_delivery", 2)
    assert row["lease"] == {
        "lease_id": lease["id"],
        "number": lease["number"],
        "customer_name": "上海星河科技有限公司",
        "starts_on": "2026-01-01",
        "ends_on": "2028-12-31",
    }
    assert (row["last_inspection"]["id"], row["last_inspection"]["result"]) == (latest["id"], "fail")
    assert row["open_request"] is None


def test_the_lease_stays_hidden_from_those_who_may_not_read_leases(site: Any, run: Any) -> None:
    let_first_unit(site, run)
    row = site.inspector.get(f"/api/board/assets?q={site.units[0].code}").json[0]
    assert row["lease"] is None


def test_the_board_filters_by_status_and_type(site: Any) -> None:
    rows = site.manager.get("/api/board/assets?status=maintenance&asset_type=office").json
    assert [row["code"] for row in rows] == [site.units[3].code]
    assert site.manager.get("/api/board/assets?status=leased").json == []


def test_the_asset_card_pages_the_assets_history_newest_first(site: Any, run: Any) -> None:
    unit = site.units[1]
    run(asset_status.change_asset_status, unit.id, AssetStatus.RESERVED, "意向客户", SYSTEM)
    run(asset_status.change_asset_status, unit.id, AssetStatus.VACANT, "客户放弃", SYSTEM)
    filed = inspect(site, unit)
    card = site.inspector.get(f"/api/board/assets/{unit.id}?history_page_size=2")
    assert card.status_code == 200, card.json
    body = card.json
    assert (body["status"], body["status_version"], body["history_total"]) == ("vacant", 3, 3)
    assert [entry["after"].get("status") for entry in body["history"]] == ["vacant", "reserved"]
    assert body["history"][0]["after"]["reason"] == "客户放弃"
    assert [i["id"] for i in body["inspections"]] == [filed["id"]]
    assert (body["lease"], body["open_request"]) == (None, None)
    assert "reserved" in body["allowed_statuses"]
    last_page = site.inspector.get(f"/api/board/assets/{unit.id}?history_page=2&history_page_size=2").json
    assert [entry["action"] for entry in last_page["history"]] == ["create"]


def test_the_seeded_checklists_are_installed_once(site: Any, run: Any) -> None:
    again = run(inspections.seed_checklists, SYSTEM)
    assert again.installed == ()
    listed = site.manager.get("/api/checklists?active=true&page_size=100")
    assert listed.status_code == 200
    assert len(listed.json) == len(again.skipped) == 9


def test_the_board_shows_an_assets_open_request_with_its_pending_evidence(site: Any) -> None:
    unit = site.units[1]
    photo = "ab" * 32  # referenced by the phone, not uploaded yet
    body = {
        "asset_id": unit.id,
        "to_status": "maintenance",
        "base_version": 1,
        "reason": "天花板漏水",
        "photo_hashes": [photo],
    }
    filed = site.inspector.post("/api/status-requests", json=body)
    assert filed.status_code == 201, filed.json
    rows = site.manager.get(f"/api/board/assets?project_id={site.project.id}&q={unit.code}").json
    request = next(row for row in rows if row["code"] == unit.code)["open_request"]
    assert (request["id"], request["to_status"], request["evidence_pending"]) == (
        filed.json["id"],
        "maintenance",
        [photo],
    )
    card = site.manager.get(f"/api/board/assets/{unit.id}").json
    assert card["open_request"]["id"] == filed.json["id"]
