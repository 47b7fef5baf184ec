"""Ids in the IoT lists' query strings are digits, as in every other list of the API."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.api.iot.conftest import Site


def test_the_lists_filter_by_ids_written_in_the_query_string(
    site: Site, gateway: FlaskClient, manager: FlaskClient
) -> None:
    """The field app asks for an asset's open flags, the office app for a project's."""
    unit = site.units[0]
    devices = manager.get(f"/api/iot/devices?asset_id={unit.id}")
    assert devices.status_code == 200, devices.json
    assert {row["code"] for row in devices.json} == {f"{unit.code}-E", f"{unit.code}-W", f"{unit.code}-D"}
    for path in (
        f"/api/iot/flags?asset_id={unit.id}&state=open",
        f"/api/iot/flags?project_id={site.project.id}",
        f"/api/iot/viewings?asset_id={unit.id}",
        f"/api/iot/gateways?project_id={site.project.id}",
        f"/api/iot/devices?project_id={site.project.id}&gateway_id={site.gateway['id']}",
    ):
        answer = manager.get(path)
        assert answer.status_code == 200, (path, answer.json)
    refused = manager.get("/api/iot/flags?asset_id=twelve")
    assert refused.status_code == 422
    assert "asset_id" in refused.json["errors"]["query"]
