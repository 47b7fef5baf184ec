"""Label downloads: a project's sheet as PDF, one asset's label as PNG or SVG; scope and errors."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from qr_tools.payload import parse, parse_keyring
from qr_tools.verify import decode_file, decode_image

KEYS = parse_keyring("test:test-only-label-signing-key")
BASE = "http://127.0.0.1:8000"


@pytest.fixture
def site(make_region: Any, make_project: Any, make_asset: Any) -> dict[str, Any]:
    """Two assets in a Shanghai project (one under maintenance) and one in another region."""
    east, south = make_region("EAST"), make_region("SOUTH")
    project = make_project(east, "SH-01", name="陆家嘴中心")
    vacant = make_asset(project, "SH-01-0101")
    repaired = make_asset(project, "SH-01-0102")
    other = make_project(south, "GZ-01")
    return {"project": project, "other": other, "vacant": vacant, "repaired": repaired, "region": east}


def test_a_manager_downloads_the_sheet_and_every_code_on_it_is_signed(
    site: dict[str, Any], make_user: Any, bearer_client: Any, tmp_path: Path, cjk_font: Path
) -> None:
    client = bearer_client(make_user("regional_manager", region_id=site["region"].id))
    response = client.post(f"/api/projects/{site['project'].id}/labels", json={"layout": "a4-4x10"})
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "labels-" in response.headers["Content-Disposition"]
    path = tmp_path / "sheet.pdf"
    path.write_bytes(response.data)
    scans = [parse(code.text, KEYS, BASE) for code in decode_file(path)]
    assert [(s.asset_code, s.verified) for s in scans] == [("SH-01-0101", True), ("SH-01-0102", True)]


def test_the_status_filter_selects_the_assets_to_label(
    site: dict[str, Any], make_user: Any, bearer_client: Any, tmp_path: Path, cjk_font: Path
) -> None:
    client = bearer_client(make_user("admin"))
    refused = client.post(f"/api/projects/{site['project'].id}/labels", json={"status": ["leased"]})
    assert refused.status_code == 422
    assert "status" in refused.json["errors"]["json"]
    response = client.post(
        f"/api/projects/{site['project'].id}/labels", json={"status": ["vacant", "leased"]}
    )
    assert response.status_code == 200


def test_unknown_layouts_and_statuses_are_refused_naming_the_field(
    site: dict[str, Any], make_user: Any, bearer_client: Any
) -> None:
    client = bearer_client(make_user("admin"))
    bad_layout = client.post(f"/api/projects/{site['project'].id}/labels", json={"layout": "letter"})
    assert bad_layout.status_code == 422
    assert "layout" in bad_layout.json["errors"]["json"]
    bad_status = client.post(f"/api/projects/{site['project'].id}/labels", json={"status": ["sold"]})
    assert bad_status.status_code == 422
    assert "status" in bad_status.json["errors"]["json"]


def test_another_regions_project_is_not_found_and_roles_without_printing_are_forbidden(
    site: dict[str, Any], make_user: Any, bearer_client: Any
) -> None:
    manager = bearer_client(make_user("project_manager", project_id=site["project"].id))
    assert manager.post(f"/api/projects/{site['other'].id}/labels", json={}).status_code == 404
    agent = bearer_client(make_user("leasing_agent", region_id=site["region"].id))
    assert agent.post(f"/api/projects/{site['project'].id}/labels", json={}).status_code == 403
    assert agent.get(f"/api/assets/{site['vacant'].id}/label").status_code == 403


def test_one_asset_label_as_png_decodes_and_as_svg_holds_the_code(
    site: dict[str, Any], make_user: Any, bearer_client: Any, cjk_font: Path
) -> None:
    client = bearer_client(make_user("project_manager", project_id=site["project"].id))
    png = client.get(f"/api/assets/{site['vacant'].id}/label")
    assert png.mimetype == "image/png"
    [(text, _)] = decode_image(Image.open(io.BytesIO(png.data)))
    assert parse(text, KEYS, BASE).asset_code == "SH-01-0101"
    svg = client.get(f"/api/assets/{site['vacant'].id}/label?format=svg")
    assert svg.mimetype == "image/svg+xml"
    assert b"SH-01-0101" in svg.data
    assert client.get(f"/api/assets/{site['vacant'].id}/label?format=gif").status_code == 422


def test_printing_a_sheet_leaves_an_audit_entry(
    site: dict[str, Any], make_user: Any, bearer_client: Any, cjk_font: Path
) -> None:
    client = bearer_client(make_user("admin"))
    client.post(f"/api/projects/{site['project'].id}/labels", json={"layout": "roll-50x30"})
    [entry] = client.get("/api/audit?action=print_labels").json
    assert entry["after"] == {"layout": "roll-50x30", "labels": 2, "statuses": []}
    assert entry["project_id"] == site["project"].id


def test_the_sheet_is_documented_as_a_pdf_download(app: Any, client: Any) -> None:
    document = client.get("/api/openapi.json").json
    operation = document["paths"]["/api/projects/{project_id}/labels"]["post"]
    assert operation["responses"]["200"]["content"]["application/pdf"]["schema"]["format"] == "binary"
    assert {"401", "403", "404", "422"} <= set(operation["responses"])
    label = document["paths"]["/api/assets/{asset_id}/label"]["get"]["responses"]["200"]["content"]
    assert {"image/png", "image/svg+xml"} <= set(label)
