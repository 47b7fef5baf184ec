"""Readings in: gateway tokens (not user tokens), a batch's per-item outcomes, replays and reordering that
change nothing, readings taken by hand (a file, a work order), and scope."""

from __future__ import annotations

import io
import itertools
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from backend.core.db.database import Database
from backend.field.services import work_orders
from backend.iot.db.models import DirtyAsset, IotDevice, MeterReading
from backend.iot.domain.signals import ReadingSource
from tests.api.iot.conftest import NOW, TODAY, Site, daily_register, device, iso, noon, send
from tests.conftest import SYSTEM

_EXAMPLES = itertools.count()


def stored(db: Database, device_code: str) -> list[tuple[datetime, Decimal]]:
    with db.unit_of_work() as uow:
        statement = (
            select(MeterReading.read_at, MeterReading.value)
            .join(IotDevice, IotDevice.id == MeterReading.device_id)
            .where(IotDevice.code == device_code)
            .order_by(MeterReading.read_at)
        )
        return [(at, value) for at, value in uow.session.execute(statement)]


def upload(client: FlaskClient, text: str) -> Any:
    """Import a CSV of readings taken by hand."""
    body = {"file": (io.BytesIO(text.encode()), "meters.csv")}
    return client.post("/api/iot/readings/import", data=body, content_type="multipart/form-data")


def test_only_a_gateway_token_sends_and_it_sends_nothing_else(
    site: Site, gateway: FlaskClient, manager: FlaskClient, bearer_client: Callable[[Any], FlaskClient]
) -> None:
    """A user's device token cannot send a batch; a gateway token opens nothing but the ingest; a revoked
    or rotated-away token is refused like an unknown one."""
    phone = bearer_client(site.manager)
    assert phone.post("/api/iot/ingest", json={"readings": []}).status_code == 401
    assert gateway.get("/api/iot/flags").status_code == 401
    assert gateway.get("/api/assets").status_code == 401
    old_token = site.token
    rotated = manager.post(f"/api/iot/gateways/{site.gateway['id']}/rotate")
    assert rotated.status_code == 200
    assert rotated.json["token"] != old_token
    refused = gateway.post("/api/iot/ingest", json={"readings": []})
    assert refused.status_code == 401
    gateway.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {rotated.json['token']}"
    assert gateway.post("/api/iot/ingest", json={"readings": []}).status_code == 200
    assert manager.post(f"/api/iot/gateways/{site.gateway['id']}/revoke").json["revoked_at"] is not None
    assert gateway.post("/api/iot/ingest", json={"readings": []}).status_code == 401
    listed = manager.get("/api/iot/gateways").json
    assert not {"token", "token_hash"} & set(listed[0])


def test_each_item_not_stored_says_why_and_the_rest_is_stored(
    site: Site, gateway: FlaskClient, manager: FlaskClient, db: Database, app: Any
) -> None:
    """One batch with good readings, an unknown device, a reading sent to a door sensor, a device not
    linked to any asset, a time in the future, a register going down and a door event: each refused item is
    named by list and index, in the caller's language; nothing else is lost."""
    app.extensions["leasekeeper.clock"] = lambda: NOW
    device(manager, site, "SH-01-LOOSE", "meter", None, meter="electricity")
    day = TODAY - timedelta(days=3)
    readings = [
        ("SH-01-1201-E", noon(day), "100.5"),  # 0 stored
        ("SH-01-1201-E", noon(day + timedelta(days=1)), "110.5"),  # 1 stored
        ("NOPE-1", noon(day), "1"),  # 2 unknown_device
        ("SH-01-1201-D", noon(day), "1"),  # 3 wrong_kind
        ("SH-01-LOOSE", noon(day), "5"),  # 4 asset_not_linked
        ("SH-01-1201-E", NOW + timedelta(hours=2), "120"),  # 5 future
        ("SH-01-1201-E", noon(day + timedelta(days=2)), "109"),  # 6 backwards
    ]
    answer = send(gateway, readings, [("SH-01-1201-D", noon(day), "open")])
    assert (answer["stored"], answer["duplicates"], answer["rejected"]) == (3, 0, 5)
    codes = [(r["list"], r["index"], r["code"]) for r in answer["results"]]
    assert codes == [
        ("readings", 2, "unknown_device"),
        ("readings", 3, "wrong_kind"),
        ("readings", 4, "asset_not_linked"),
        ("readings", 5, "future"),
        ("readings", 6, "backwards"),
    ]
    assert all(r["message"] for r in answer["results"])
    assert stored(db, "SH-01-1201-E") == [
        (noon(day), Decimal("100.5")),
        (noon(day + timedelta(days=1)), Decimal("110.5")),
    ]
    chinese = gateway.post(
        "/api/iot/ingest",
        json={"readings": [{"device": "NOPE-1", "at": iso(noon(day)), "value": "1"}]},
        headers={"Accept-Language": "zh-CN"},
    )
    assert "网关" in chinese.json["results"][0]["message"]
    with db.unit_of_work() as uow:
        dirty = {row.asset_id for row in uow.session.scalars(select(DirtyAsset))}
    assert dirty == {site.units[0].id}


def test_late_readings_are_checked_against_both_neighbours(
    site: Site, gateway: FlaskClient, db: Database
) -> None:
    """Readings for days 1 and 3 arrive, then day 2 late: accepted between them, refused above day 3's
    value; the same time again with another value is a conflict, with the same value a duplicate."""
    first = TODAY - timedelta(days=10)
    send(
        gateway,
        [("SH-01-1202-E", noon(first), "10"), ("SH-01-1202-E", noon(first + timedelta(days=2)), "30")],
    )
    late = send(
        gateway,
        [
            ("SH-01-1202-E", noon(first + timedelta(days=1)), "31"),
            ("SH-01-1202-E", noon(first + timedelta(days=1)), "20"),
        ],
    )
    assert [(r["index"], r["code"]) for r in late["results"]] == [(0, "backwards")]
    assert late["stored"] == 1
    again = send(
        gateway,
        [
            ("SH-01-1202-E", noon(first + timedelta(days=1)), "20"),
            ("SH-01-1202-E", noon(first + timedelta(days=1)), "21"),
        ],
    )
    assert [(r["index"], r["status"], r["code"]) for r in again["results"]] == [
        (0, "duplicate", None),
        (1, "rejected", "conflict"),
    ]
    assert [v for _, v in stored(db, "SH-01-1202-E")] == [Decimal(10), Decimal(20), Decimal(30)]


def test_a_batch_larger_than_a_thousand_items_is_refused_whole(gateway: FlaskClient) -> None:
    body = {
        "readings": [{"device": "SH-01-1201-E", "at": iso(noon(TODAY - timedelta(days=1))), "value": "1"}]
        * 1001
    }
    answer = gateway.post("/api/iot/ingest", json=body)
    assert answer.status_code == 422
    assert "readings" in answer.json["errors"]["json"]


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 10**6), size=st.integers(1, 12), replays=st.integers(0, 3))
def test_replayed_or_reordered_batches_change_nothing(
    site: Site, gateway: FlaskClient, db: Database, seed: int, size: int, replays: int
) -> None:
    """Thirty days of a register and of a door sensor, shuffled, cut into batches of any size, some sent
    twice: what is stored is the thirty readings and the door events, each once, and the device's newest
    reading is the last one."""
    rng = random.Random(seed)
    code = f"SH-01-1203-E{next(_EXAMPLES)}"
    with db.unit_of_work() as uow:
        gateway_id = uow.session.scalar(select(IotDevice.gateway_id).where(IotDevice.code == "SH-01-1201-E"))
        uow.session.add(
            IotDevice(
                code=code,
                kind="meter",
                meter="electricity",
                mode="cumulative",
                project_id=site.project.id,
                asset_id=site.units[2].id,
                gateway_id=gateway_id,
                active=True,
                created_at=NOW,
            )
        )
        uow.commit()
    readings = daily_register(code, TODAY - timedelta(days=31), 30, lambda d: Decimal(rng.randint(0, 40)))
    items = [("r", item) for item in readings]
    rng.shuffle(items)
    batches = [items[i : i + size] for i in range(0, len(items), size)]
    batches += [rng.choice(batches) for _ in range(replays)]
    rng.shuffle(batches)
    for batch in batches:
        answer = send(gateway, [item for _, item in batch])
        assert answer["rejected"] == 0, answer
    assert stored(db, code) == [(at, value) for _, at, value in readings]
    with db.unit_of_work() as uow:
        meter = uow.session.scalar(select(IotDevice).where(IotDevice.code == code))
        assert (meter.last_at, meter.last_value) == (readings[-1][1], readings[-1][2])


# SQLite lets one batch write at a time, so two cannot race there.
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_meters_newest_reading_never_moves_back_when_two_batches_race(
    site: Site, gateway: FlaskClient, db: Database
) -> None:
    """A batch that commits after another one stored a later reading of the same meter leaves the later one as
    the meter's newest; the devices the batch read show what it wrote, with nothing left to flush."""
    day = TODAY - timedelta(days=5)
    send(gateway, [("SH-01-1201-E", noon(day), "100")])
    with db.unit_of_work() as late:
        meter = late.iot_devices.by_code("SH-01-1201-E")
        assert meter is not None
        with db.unit_of_work() as other:
            other.iot_devices.advance([{"id": meter.id, "at": noon(day + timedelta(days=2)), "value": 120}])
            other.commit()
        late.iot_devices.advance([{"id": meter.id, "at": noon(day + timedelta(days=1)), "value": 110}])
        assert (meter.last_at, meter.last_value) == (noon(day + timedelta(days=1)), 110)
        assert meter not in late.session.dirty
        late.commit()
    with db.unit_of_work() as uow:
        meter = uow.iot_devices.by_code("SH-01-1201-E")
        assert meter is not None
        assert (meter.last_at, meter.last_value) == (noon(day + timedelta(days=2)), Decimal(120))


def test_readings_taken_by_hand_from_a_file_are_all_or_nothing(
    site: Site, gateway: FlaskClient, manager: FlaskClient, db: Database, app: Any
) -> None:
    """A file with one bad row writes nothing and names the row and column; corrected, it stores every
    row on the unit's hand-read register."""
    app.extensions["leasekeeper.clock"] = lambda: NOW
    bad = (
        "asset_code,meter,read_at,value\n"
        "SH-01-1204,electricity,2026-11-01 09:00,1200\n"
        "SH-01-1204,gas,2026-11-02,1\n"
        "GZ-01-0301,water,2026-11-02,5\n"
    )
    answer = upload(manager, bad)
    assert answer.status_code == 422
    assert set(answer.json["errors"]["json"]) == {"rows.3.meter", "rows.4.asset_code"}
    assert stored(db, "manual-SH-01-1204-electricity") == []
    good = (
        "asset_code,meter,read_at,value\n"
        "SH-01-1204,electricity,2026-11-01 09:00,1200\n"
        "SH-01-1204,electricity,2026-11-02 09:00,1230.5\n"
    )
    answer = upload(manager, good)
    assert answer.status_code == 200, answer.json
    assert answer.json["stored"] == 2
    assert stored(db, "manual-SH-01-1204-electricity") == [
        (datetime(2026, 11, 1, 1, tzinfo=UTC), Decimal(1200)),
        (datetime(2026, 11, 2, 1, tzinfo=UTC), Decimal("1230.5")),
    ]
    backwards = "asset_code,meter,read_at,value\nSH-01-1204,electricity,2026-11-03 09:00,1100\n"
    refused = upload(manager, backwards)
    assert refused.status_code == 422
    assert list(refused.json["errors"]["json"]) == ["rows.2.value"]


def test_a_finished_meter_reading_work_order_is_a_reading(
    site: Site, run: Callable[..., Any], db: Database
) -> None:
    """The inspector reads 8,650.2 kWh on SH-01-1204: the unit's register has the reading, from the work
    order, at the time it was done."""
    done_at = datetime(2026, 11, 20, 2, tzinfo=UTC)
    values = {"asset_id": site.units[3].id, "meter_value": Decimal("8650.2"), "meter_unit": "kWh"}
    order = run(work_orders.record_meter_reading, values, SYSTEM, now=done_at)
    [(at, value)] = stored(db, "manual-SH-01-1204-electricity")
    assert (at, value) == (order.closed_at, Decimal("8650.2"))
    with db.unit_of_work() as uow:
        assert uow.session.scalar(select(MeterReading.source)) is ReadingSource.WORK_ORDER


def test_devices_and_gateways_are_seen_only_in_scope(
    site: Site, gateway: FlaskClient, web_client: Callable[[Any], FlaskClient]
) -> None:
    """South's regional manager sees none of East's gateways or devices, and cannot register one there."""
    south = web_client(site.outsider)
    assert south.get("/api/iot/gateways").json == []
    assert south.get("/api/iot/devices").json == []
    refused = south.post("/api/iot/gateways", json={"name": "x", "project_id": site.project.id})
    assert refused.status_code == 404
    east = web_client(site.regional)
    assert {d["code"] for d in east.get("/api/iot/devices?per_page=100").json} >= {
        "SH-01-1201-E",
        "SH-01-EX1-H",
    }
