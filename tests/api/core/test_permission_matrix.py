"""Every role × every resource × in scope / out of scope gives the expected outcome.

The expectations are written out literally here, independent of the role table in the code,
so a change to who may do what must change this file too.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from backend.core.domain.listing import ListQuery
from backend.field.services import inspections, photos, status_requests
from backend.leasing.services import leases
from backend.org.domain.org import AssetStatus
from tests.conftest import SYSTEM
from tests.support.images import png, sha256

ROLES = (
    "admin", "director", "regional_manager", "project_manager",
    "leasing_agent", "finance", "legal", "inspector",
)  # fmt: skip
GLOBAL = {"admin", "director"}

# (operation, target) -> {role: status}; "in" targets lie in the role's region/project,
# "out" targets in another region. Roles not listed get the `*` entry.
EXPECTED: dict[tuple[str, str], dict[str, int]] = {
    ("GET region", "in"): {"*": 200},
    ("GET region", "out"): {"admin": 200, "director": 200, "*": 404},
    ("PATCH region", "in"): {"admin": 200, "*": 403},
    ("GET project", "in"): {"*": 200},
    ("GET project", "out"): {"admin": 200, "director": 200, "*": 404},
    ("PATCH project", "in"): {"admin": 200, "director": 200, "regional_manager": 200, "*": 403},
    ("PATCH project", "out"): {"admin": 200, "director": 200, "regional_manager": 404, "*": 403},
    ("DELETE project", "in"): {"admin": 409, "*": 403},  # allowed, but the project still has assets
    ("GET asset", "in"): {"*": 200},
    ("GET asset", "out"): {"admin": 200, "director": 200, "*": 404},
    ("PATCH asset", "in"): {
        "admin": 200,
        "director": 200,
        "regional_manager": 200,
        "project_manager": 200,
        "*": 403,
    },
    ("PATCH asset", "out"): {
        "admin": 200,
        "director": 200,
        "regional_manager": 404,
        "project_manager": 404,
        "*": 403,
    },
    # Allowed, but the asset has photo evidence, which is never deleted with it.
    ("DELETE asset", "in"): {"admin": 409, "director": 409, "regional_manager": 409, "*": 403},
    ("GET customer", "in"): {"inspector": 403, "*": 200},
    ("GET customer", "out"): {"admin": 200, "director": 200, "inspector": 403, "*": 404},
    ("PATCH customer", "in"): {"legal": 403, "inspector": 403, "*": 200},
    ("PATCH customer", "out"): {"admin": 200, "director": 200, "legal": 403, "inspector": 403, "*": 404},
    ("DELETE customer", "in"): {"admin": 204, "director": 204, "*": 403},
    ("GET users", "-"): {"admin": 200, "director": 200, "*": 403},
    ("POST users", "-"): {"admin": 201, "*": 403},
    ("POST regions", "-"): {"admin": 201, "*": 403},
    ("GET audit", "-"): {"leasing_agent": 403, "inspector": 403, "*": 200},
    # A checklist is shared by every region: head office alone changes it.
    ("PATCH checklist", "-"): {"admin": 200, "director": 200, "*": 403},
    # LABELS = POST /api/projects/<id>/labels (a printed sheet), LABEL = GET /api/assets/<id>/label?format=svg
    ("LABELS project", "in"): {
        "admin": 200,
        "director": 200,
        "regional_manager": 200,
        "project_manager": 200,
        "*": 403,
    },
    ("LABELS project", "out"): {
        "admin": 200,
        "director": 200,
        "regional_manager": 404,
        "project_manager": 404,
        "*": 403,
    },
    ("LABEL asset", "in"): {
        "admin": 200,
        "director": 200,
        "regional_manager": 200,
        "project_manager": 200,
        "*": 403,
    },
    ("LABEL asset", "out"): {
        "admin": 200,
        "director": 200,
        "regional_manager": 404,
        "project_manager": 404,
        "*": 403,
    },
    ("GET lease", "in"): {"inspector": 403, "*": 200},
    ("GET lease", "out"): {"admin": 200, "director": 200, "inspector": 403, "*": 404},
    ("PATCH lease", "in"): {"finance": 403, "legal": 403, "inspector": 403, "*": 200},
    ("PATCH lease", "out"): {
        "admin": 200,
        "director": 200,
        "regional_manager": 404,
        "project_manager": 404,
        "leasing_agent": 404,
        "*": 403,
    },
    ("PUT photo", "in"): {
        "admin": 201,
        "director": 201,
        "regional_manager": 201,
        "project_manager": 201,
        "inspector": 201,
        "*": 403,
    },
    ("PUT photo", "out"): {
        "admin": 201,
        "director": 201,
        "regional_manager": 404,
        "project_manager": 404,
        "inspector": 404,
        "*": 403,
    },
    ("GET photo", "in"): {"*": 200},
    ("GET photo", "out"): {"admin": 200, "director": 200, "*": 404},
    # BOARD = GET /api/board/projects/<id> (status counts); POST inspection files one on the target asset.
    ("BOARD project", "in"): {"*": 200},
    ("BOARD project", "out"): {"admin": 200, "director": 200, "*": 404},
    ("POST inspection", "in"): {
        "admin": 201,
        "director": 201,
        "regional_manager": 201,
        "project_manager": 201,
        "inspector": 201,
        "*": 403,
    },
    ("POST inspection", "out"): {
        "admin": 201,
        "director": 201,
        "regional_manager": 404,
        "project_manager": 404,
        "inspector": 404,
        "*": 403,
    },
    # Field status change requests, each on a fresh asset of the target's project: file one, reject one.
    ("POST request", "in"): {
        "admin": 201,
        "director": 201,
        "regional_manager": 201,
        "project_manager": 201,
        "inspector": 201,
        "*": 403,
    },
    ("POST request", "out"): {
        "admin": 201,
        "director": 201,
        "regional_manager": 404,
        "project_manager": 404,
        "inspector": 404,
        "*": 403,
    },
    ("REJECT request", "in"): {
        "admin": 200,
        "director": 200,
        "regional_manager": 200,
        "project_manager": 200,
        "*": 403,
    },
    ("REJECT request", "out"): {"admin": 200, "director": 200, "*": 404},
}
LABEL_PATHS = {
    "LABELS": ("POST", "/labels", {"layout": "roll-50x30"}),
    "LABEL": ("GET", "/label?format=svg", None),
}

# What each role's lists hold: (regions, projects, assets, customers).
VISIBLE_COUNTS = {
    "admin": (2, 3, 3, 2),
    "director": (2, 3, 3, 2),
    "regional_manager": (1, 2, 2, 1),
    "project_manager": (1, 1, 1, 1),
    "leasing_agent": (1, 2, 2, 1),
    "finance": (1, 2, 2, 1),
    "legal": (1, 2, 2, 1),
    "inspector": (1, 1, 1, None),  # no customer access at all
}


def expected(operation: str, target: str, role: str) -> int:
    table = EXPECTED[(operation, target)]
    return table.get(role, table["*"])


@pytest.fixture
def world(
    app: Any, make_region: Any, make_project: Any, make_asset: Any, make_customer: Any, run: Any
) -> dict[str, Any]:
    """Two regions (two projects in the first, one in the second): assets, customers, photos, draft leases."""
    east, south = make_region("EAST"), make_region("SOUTH")
    p1, p1b, p2 = make_project(east, "SH-01"), make_project(east, "SZ-01"), make_project(south, "GZ-01")
    assets = {"in": make_asset(p1, "SH-01-0101"), "out": make_asset(p2, "GZ-01-0101")}
    template = run(
        leases.create_template,
        {"code": "T", "name": "模板", "contract_type": "office", "frequency": "monthly", "timing": "prepaid"},
        SYSTEM,
    )
    run(inspections.seed_checklists, SYSTEM)
    checklist_id = run(lambda uow: inspections.list_checklists(ListQuery({}, (), 1, 1), SYSTEM, uow)[0][0].id)
    drafts = {
        target: run(leases.create_lease, {"template_id": template.id, "asset_ids": [asset.id]}, SYSTEM)
        for target, asset in assets.items()
    }
    return {
        "region": {"in": east, "out": south},
        "project": {"in": p1, "out": p2},
        "asset": assets,
        "sibling_asset": make_asset(p1b, "SZ-01-0101"),
        "customer": {"in": make_customer(east, "C-EAST"), "out": make_customer(south, "C-SOUTH")},
        "photo": {"in": arrange_photo(app, assets["in"], 1), "out": arrange_photo(app, assets["out"], 2)},
        "lease": drafts,
        "checklist": {"-": SimpleNamespace(id=checklist_id)},
        "fresh_asset": lambda target: make_asset(p1 if target == "in" else p2),
        "file_request": lambda asset: run(
            status_requests.submit_request,
            {"asset_id": asset.id, "to_status": AssetStatus.MAINTENANCE, "base_version": 1, "reason": "漏水"},
            SYSTEM,
            now=datetime.now(UTC),
        ),
    }


def arrange_photo(app: Any, asset: Any, shade: int) -> str:
    """Upload a photo of the asset through the service, as the system; returns its hash."""
    data = png(colour=(shade, shade, shade, 255))
    config = app.config
    limits = photos.PhotoLimits(config["PHOTO_MAX_BYTES"], config["PHOTO_MAX_PIXELS"])
    with app.extensions["leasekeeper.db"].unit_of_work() as uow:
        photos.upload_photo(
            sha256(data), asset.id, data, limits, app.extensions["leasekeeper.storage"], SYSTEM, uow
        )
    return sha256(data)


def user_for(role: str, world: dict[str, Any], make_user: Any) -> Any:
    if role in GLOBAL:
        return make_user(role, username=role)
    if role in {"project_manager", "inspector"}:
        return make_user(role, username=role, project_id=world["project"]["in"].id)
    return make_user(role, username=role, region_id=world["region"]["in"].id)


def perform(client: Any, operation: str, target: str, world: dict[str, Any]) -> int:
    method, resource = operation.split()
    if resource == "photo":
        return perform_on_photo(client, method, target, world)
    if method == "BOARD" or resource == "inspection":
        return perform_in_the_field(client, method, target, world)
    if resource == "request":
        return perform_on_request(client, method, target, world)
    bodies = {
        "region": {"name": "改名"},
        "project": {"name": "改名"},
        "asset": {"name": "改名"},
        "customer": {"phone": "13800138000"},
        "users": {"username": "newcomer", "password": "long enough password", "roles": []},
        "regions": {"code": "NEW", "name": "新区域"},
        "lease": {"note": "改"},
        "checklist": {"name": "改名"},
    }
    if resource in world and target in world[resource]:
        path = f"/api/{resource}s/{world[resource][target].id}"
    else:
        path = f"/api/{resource}"
    body = bodies.get(resource) if method in {"PATCH", "POST"} else None
    if method in LABEL_PATHS:
        method, suffix, body = LABEL_PATHS[method]
        path += suffix
    response = client.open(path, method=method, json=body)
    return int(response.status_code)


def perform_on_photo(client: Any, method: str, target: str, world: dict[str, Any]) -> int:
    """Upload a fresh photo of the target asset, or read the one arranged for it."""
    if method == "GET":
        return int(client.get(f"/api/photos/{world['photo'][target]}").status_code)
    data = png(colour=(1, 2, 3, 255) if target == "in" else (4, 5, 6, 255))
    path = f"/api/photos/{sha256(data)}?asset_id={world['asset'][target].id}"
    return int(client.put(path, data=data).status_code)


def perform_in_the_field(client: Any, method: str, target: str, world: dict[str, Any]) -> int:
    """Read the target project's board, or file an all-clear inspection of the target office unit."""
    if method == "BOARD":
        return int(client.get(f"/api/board/projects/{world['project'][target].id}").status_code)
    checks = ("lights", "air_conditioning", "doors_locks", "fire_extinguisher", "cleanliness")
    body = {
        "asset_id": world["asset"][target].id,
        "captured_at": "2026-11-23T10:00:00+08:00",
        "answers": {key: {"value": True} for key in checks},
    }
    return int(client.post("/api/inspections", json=body).status_code)


def perform_on_request(client: Any, method: str, target: str, world: dict[str, Any]) -> int:
    """File a request on a fresh asset of the target's project, or reject one filed there by the system."""
    asset = world["fresh_asset"](target)
    if method == "POST":
        body = {"asset_id": asset.id, "to_status": "maintenance", "base_version": 1, "reason": "漏水"}
        return int(client.post("/api/status-requests", json=body).status_code)
    request = world["file_request"](asset)
    path = f"/api/status-requests/{request.id}/reject"
    return int(client.post(path, json={"reason": "不符"}).status_code)


def total(client: Any, path: str) -> int | None:
    response = client.get(path)
    if response.status_code == 403:
        return None
    assert response.status_code == 200, response.json
    return int(json.loads(response.headers["X-Pagination"])["total"])


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_the_expected_outcome_on_every_resource(
    role: str, world: dict[str, Any], make_user: Any, bearer_client: Any
) -> None:
    client = bearer_client(user_for(role, world, make_user))
    mismatches = []
    # Reads and the harmless changes first, deletions last, so earlier checks see every row.
    for operation, target in sorted(EXPECTED, key=lambda key: key[0].startswith("DELETE")):
        got = perform(client, operation, target, world)
        want = expected(operation, target, role)
        if got != want:
            mismatches.append(f"{operation} {target}: got {got}, expected {want}")
    assert mismatches == []


@pytest.mark.parametrize("role", ROLES)
def test_lists_and_counts_hold_only_what_the_role_may_see(
    role: str, world: dict[str, Any], make_user: Any, bearer_client: Any
) -> None:
    client = bearer_client(user_for(role, world, make_user))
    counts = tuple(total(client, f"/api/{name}") for name in ("regions", "projects", "assets", "customers"))
    assert counts == VISIBLE_COUNTS[role]


@pytest.mark.parametrize("role", ["regional_manager", "project_manager", "finance", "legal"])
def test_scoped_audit_readers_never_see_another_regions_entries(
    role: str, world: dict[str, Any], make_user: Any, bearer_client: Any
) -> None:
    client = bearer_client(user_for(role, world, make_user))
    entries = client.get("/api/audit?page_size=500").json
    assert entries, "the arranged changes in the reader's own scope must be visible"
    out_region = world["region"]["out"].id
    assert all(entry["region_id"] != out_region for entry in entries)
    assert all(entry["entity_type"] != "user" for entry in entries)
