"""CRUD, filters, sorting, pagination and validation of the organisation and customer resources."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

SHANGHAI_TOWER = {
    "type": "Polygon",
    "coordinates": [
        [
            [121.5005, 31.2335],
            [121.5020, 31.2335],
            [121.5020, 31.2348],
            [121.5005, 31.2348],
            [121.5005, 31.2335],
        ]
    ],
}


@pytest.fixture
def admin(make_user: Any, bearer_client: Any) -> Any:
    return bearer_client(make_user("admin"))


@pytest.fixture
def region(make_region: Any) -> Any:
    return make_region("EAST")


def test_a_project_round_trips_with_its_geofence(admin: Any, region: Any) -> None:
    body = {
        "region_id": region.id, "code": "SH-LJZ", "name": "陆家嘴中心", "city": "上海", "category": "office",
        "latitude": "31.234100", "longitude": "121.501200", "geofence": SHANGHAI_TOWER,
    }  # fmt: skip
    created = admin.post("/api/projects", json=body)
    assert created.status_code == 201, created.json
    fetched = admin.get(f"/api/projects/{created.json['id']}").json
    assert fetched["geofence"] == SHANGHAI_TOWER
    assert fetched["timezone"] == "Asia/Shanghai"
    assert fetched["holiday_calendar"] == "CN"
    assert fetched["latitude"] == "31.234100"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"holiday_calendar": "XX"}, "holiday_calendar"),
        ({"geofence": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}}, "geofence"),
        (
            {"geofence": {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}},
            "geofence",
        ),
        (
            {"geofence": {"type": "Polygon", "coordinates": [[[500, 0], [501, 0], [501, 1], [500, 0]]]}},
            "geofence",
        ),
        ({"geofence": {"type": "Polygon", "coordinates": "nonsense"}}, "geofence"),
        ({"geofence": {"type": "Point", "coordinates": [121.5, 31.2]}}, "geofence_radius_m"),
        ({"geofence_radius_m": "100"}, "geofence_radius_m"),
        ({"latitude": "31.2"}, "longitude"),
        ({"latitude": "91", "longitude": "0"}, "latitude"),
        ({"category": "castle"}, "category"),
        ({"code": "has space"}, "code"),
        ({"name": "bad\x00name"}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"region_id": 999_999}, "region_id"),
        ({"region_id": 2**40}, "region_id"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_project_input_is_refused_with_the_field_named_and_nothing_written(
    admin: Any, region: Any, change: dict[str, Any], field: str
) -> None:
    body = {
        "region_id": region.id,
        "code": "SH-LJZ",
        "name": "陆家嘴中心",
        "city": "上海",
        "category": "office",
    }
    response = admin.post("/api/projects", json=body | change)
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]["json"]
    assert admin.get("/api/projects").json == []


def test_asset_kind_follows_from_type_and_each_kind_needs_its_own_fields(
    admin: Any, region: Any, make_project: Any
) -> None:
    project = make_project(region)
    machine = {"project_id": project.id, "code": "DG-0001", "asset_type": "machinery", "model": "XCMG XE60"}
    missing_serial = admin.post("/api/assets", json=machine)
    assert missing_serial.status_code == 422
    assert "serial_number" in missing_serial.json["errors"]["json"]
    created = admin.post("/api/assets", json=machine | {"serial_number": "XE60-2026-0042"})
    assert created.status_code == 201
    assert created.json["kind"] == "equipment"
    assert created.json["status"] == "vacant"
    assert created.json["status_version"] == 1
    wrong_kind = admin.post(
        "/api/assets",
        json={"project_id": project.id, "code": "U-1", "asset_type": "office", "kind": "equipment"},
    )
    assert wrong_kind.status_code == 422
    assert {"asset_type", "serial_number"} <= set(wrong_kind.json["errors"]["json"])


def test_status_cannot_be_set_through_master_data(
    admin: Any, region: Any, make_project: Any, make_asset: Any
) -> None:
    asset = make_asset(make_project(region))
    response = admin.patch(f"/api/assets/{asset.id}", json={"status": "leased"})
    assert response.status_code == 422
    assert "status" in response.json["errors"]["json"]


def test_asset_codes_are_unique_and_the_field_is_named(
    admin: Any, region: Any, make_project: Any, make_asset: Any
) -> None:
    project = make_project(region)
    make_asset(project, "SH-LJZ-1201")
    duplicate = admin.post(
        "/api/assets",
        json={"project_id": project.id, "code": "SH-LJZ-1201", "asset_type": "office", "area_m2": "80"},
    )
    assert duplicate.status_code == 409
    assert duplicate.json["errors"]["json"] == {"code": ["已被使用。"]}  # users default to zh_CN


def test_asset_lists_filter_sort_and_paginate_with_totals(
    admin: Any, region: Any, make_project: Any, make_asset: Any
) -> None:
    tower, depot = make_project(region, "SH-LJZ"), make_project(region, "DG-01")
    for floor in range(1, 8):
        make_asset(tower, f"SH-LJZ-{floor:02d}01", floor=str(floor), area_m2=Decimal(100 + floor))
    make_asset(depot, "DG-01-0001", asset_type="machinery", serial_number="S-1", area_m2=None, floor=None)
    page = admin.get(f"/api/assets?project_id={tower.id}&sort=-area_m2&page=2&page_size=3")
    assert page.status_code == 200
    assert [a["code"] for a in page.json] == ["SH-LJZ-0401", "SH-LJZ-0301", "SH-LJZ-0201"]
    assert json.loads(page.headers["X-Pagination"])["total"] == 7
    assert [a["code"] for a in admin.get("/api/assets?kind=equipment").json] == ["DG-01-0001"]
    assert len(admin.get("/api/assets?min_area_m2=105&max_area_m2=106.5").json) == 2
    assert [a["code"] for a in admin.get("/api/assets?q=dg-01").json] == ["DG-01-0001"]
    assert len(admin.get("/api/assets?status=vacant&status=leased").json) == 8
    bad_sort = admin.get("/api/assets?sort=password")
    assert bad_sort.status_code == 422
    assert "sort" in bad_sort.json["errors"]["query"]


@pytest.mark.parametrize("page", ["1000001", str(2**64), "9223372036854775807"])
def test_absurd_page_numbers_are_refused_not_overflowed(admin: Any, page: str) -> None:
    response = admin.get(f"/api/assets?page={page}&page_size=500")
    assert response.status_code == 422
    assert "page" in response.json["errors"]["query"]


def test_search_treats_percent_and_underscore_literally(admin: Any, region: Any, make_project: Any) -> None:
    make_project(region, "A_1", name="100% 写字楼")
    make_project(region, "AB1", name="普通写字楼")
    assert [p["code"] for p in admin.get("/api/projects?q=A_1").json] == ["A_1"]
    assert [p["code"] for p in admin.get("/api/projects?q=100%25").json] == ["A_1"]


def test_customers_keep_contacts_bank_accounts_and_payer_names(admin: Any, region: Any) -> None:
    body = {
        "region_id": region.id, "code": "C-0001", "kind": "company", "name": "上海星河科技有限公司",
        "tier": "key_account", "registration_number": "91310115MA1K4XXXX1",
        "contacts": [{"name": "王伟", "phone": "13812345678", "is_primary": True}, {"name": "李娜"}],
        "bank_accounts": [
            {"bank_name": "招商银行", "account_number": "6214830212345678", "account_name": "上海星河科技"}
        ],
        "payer_names": ["星河集团有限公司"],
    }  # fmt: skip
    created = admin.post("/api/customers", json=body)
    assert created.status_code == 201, created.json
    customer_id = created.json["id"]
    assert created.json["payer_names"] == ["星河集团有限公司"]
    assert [c["name"] for c in created.json["contacts"]] == ["王伟", "李娜"]
    by_payer = admin.get("/api/customers?payer=星河集团有限公司").json
    assert [c["id"] for c in by_payer] == [customer_id]
    assert [c["id"] for c in admin.get("/api/customers?payer=6214830212345678").json] == [customer_id]
    changed = admin.patch(
        f"/api/customers/{customer_id}", json={"contacts": [{"name": "赵敏", "is_primary": True}]}
    )
    assert [c["name"] for c in changed.json["contacts"]] == ["赵敏"]
    assert changed.json["bank_accounts"][0]["bank_name"] == "招商银行"
    two_primaries = admin.patch(
        f"/api/customers/{customer_id}", json={"contacts": [{"name": "A", "is_primary": True}] * 2}
    )
    assert two_primaries.status_code == 422
    assert "contacts" in two_primaries.json["errors"]["json"]


def test_regions_with_projects_cannot_be_deleted(admin: Any, region: Any, make_project: Any) -> None:
    make_project(region)
    response = admin.delete(f"/api/regions/{region.id}")
    assert response.status_code == 409
    assert admin.get(f"/api/regions/{region.id}").status_code == 200


def test_an_empty_region_can_be_deleted(admin: Any, make_region: Any) -> None:
    spare = make_region("SPARE")
    assert admin.delete(f"/api/regions/{spare.id}").status_code == 204
    assert admin.get(f"/api/regions/{spare.id}").status_code == 404


def test_ids_beyond_the_database_range_are_simply_not_found(admin: Any) -> None:
    assert admin.get(f"/api/assets/{2**63}").status_code == 404
    assert admin.get("/api/assets/0").status_code == 404


def test_malformed_json_gets_a_4xx_not_a_500(admin: Any) -> None:
    response = admin.post("/api/regions", data="{not json", content_type="application/json")
    assert response.status_code in {400, 422}


def test_user_roles_are_validated_against_their_reach(admin: Any, region: Any) -> None:
    body = {"username": "newbie", "password": "long enough password"}
    no_region = admin.post("/api/users", json=body | {"roles": [{"role": "regional_manager"}]})
    assert no_region.status_code == 422
    assert "roles" in no_region.json["errors"]["json"]
    weak = admin.post("/api/users", json=body | {"password": "short"})
    assert "password" in weak.json["errors"]["json"]
    ok = admin.post(
        "/api/users", json=body | {"roles": [{"role": "regional_manager", "region_id": region.id}]}
    )
    assert ok.status_code == 201
    assert ok.json["roles"] == [{"role": "regional_manager", "region_id": region.id, "project_id": None}]
    assert "password" not in ok.json
