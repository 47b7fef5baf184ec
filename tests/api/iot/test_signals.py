"""The asset page's signals: daily use per meter worked out by hand, door openings per day, the lease
periods to shade, viewings and devices; a period to choose, refused when it makes no sense; scope."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from backend.core.db.database import Database
from tests.api.iot.conftest import NOW, SHANGHAI, TODAY, Site, let, noon, send


def test_an_assets_signals_are_its_daily_use_doors_leases_and_viewings(
    site: Site, gateway: FlaskClient, manager: FlaskClient, db: Database, run: Any, app: Flask
) -> None:
    """Read at 18:00 on 1 Nov (100 kWh), 06:00 on 3 Nov (136) and 18:00 on 3 Nov (148): 6, 24 and 6 + 12.
    Two openings on 2 Nov (one at 23:30 UTC on the 1st, which is the 2nd in Shanghai)."""
    app.extensions["leasekeeper.clock"] = lambda: NOW
    unit = site.units[0]
    lease_id = let(db, run, site, unit, date(2026, 6, 1), date(2027, 5, 31))

    def at(day: int, hour: int) -> datetime:
        return datetime.combine(date(2026, 11, day), time(hour), SHANGHAI).astimezone(UTC)

    send(
        gateway,
        [
            ("SH-01-1201-E", at(1, 18), "100"),
            ("SH-01-1201-E", at(3, 6), "136"),
            ("SH-01-1201-E", at(3, 18), "148"),
        ],
        [
            ("SH-01-1201-D", datetime(2026, 11, 1, 23, 30, tzinfo=UTC), "open"),
            ("SH-01-1201-D", at(2, 9), "open"),
            ("SH-01-1201-D", at(2, 9) + timedelta(minutes=2), "close"),
        ],
    )
    booked = manager.post(
        "/api/iot/viewings",
        json={
            "asset_id": unit.id,
            "starts_at": noon(TODAY).isoformat(),
            "ends_at": (noon(TODAY) + timedelta(hours=1)).isoformat(),
        },
    )
    assert booked.status_code == 201, booked.json
    answer = manager.get(
        f"/api/iot/assets/{unit.id}/signals", query_string={"from": "2026-11-01", "to": "2026-11-05"}
    )
    assert answer.status_code == 200, answer.json
    body = answer.json
    [electricity] = [s for s in body["series"] if s["meter"] == "electricity"]
    assert electricity["unit"] == "kWh"
    assert electricity["days"] == [
        {"day": "2026-11-01", "amount": "6.00"},
        {"day": "2026-11-02", "amount": "24.00"},
        {"day": "2026-11-03", "amount": "18.00"},
    ]
    assert body["doors"] == [{"day": "2026-11-02", "opens": 2}]
    assert [(lease["id"], lease["starts_on"]) for lease in body["leases"]] == [(lease_id, "2026-06-01")]
    assert [v["id"] for v in body["viewings"]] == [booked.json["id"]]
    door = next(d for d in body["devices"] if d["code"] == "SH-01-1201-D")
    assert door["last_at"] == "2026-11-02T01:02:00+00:00"
    assert (body["from"], body["to"]) == ("2026-11-01", "2026-11-05")
    default = manager.get(f"/api/iot/assets/{unit.id}/signals").json
    assert (default["from"], default["to"]) == (
        (TODAY - timedelta(days=365)).isoformat(),
        (TODAY - timedelta(days=1)).isoformat(),
    )


def test_a_period_that_makes_no_sense_is_refused_and_other_regions_see_nothing(
    site: Site, gateway: FlaskClient, manager: FlaskClient, web_client: Callable[[Any], FlaskClient]
) -> None:
    unit = site.units[0]
    backwards = manager.get(
        f"/api/iot/assets/{unit.id}/signals", query_string={"from": "2026-11-05", "to": "2026-11-01"}
    )
    assert backwards.status_code == 422
    assert "from" in backwards.json["errors"]["query"]
    long = manager.get(
        f"/api/iot/assets/{unit.id}/signals", query_string={"from": "2024-01-01", "to": "2026-11-01"}
    )
    assert long.status_code == 422
    assert web_client(site.outsider).get(f"/api/iot/assets/{unit.id}/signals").status_code == 404
    late = manager.post(
        "/api/iot/viewings",
        json={"asset_id": unit.id, "starts_at": "2026-11-02T10:00:00Z", "ends_at": "2026-11-02T09:00:00Z"},
    )
    assert late.status_code == 422
    assert "ends_at" in late.json["errors"]["json"]
