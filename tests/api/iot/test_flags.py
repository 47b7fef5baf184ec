"""Flags from real readings: raised with evidence, told to the project's manager only, seen in scope,
dismissed for good with a reason, resolved when the evidence stops, answered by an inspection."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from backend.core.db.database import Database
from backend.core.services import users
from backend.field.services import inspections
from backend.iot.domain.flags import FlagState
from backend.iot.services import flags
from backend.leasing.services.calendars import calendar_of
from backend.notify.db.models import Notification
from backend.org.domain.org import AssetStatus
from tests.api.iot.conftest import NOW, TODAY, Site, daily_register, let, noon, send, set_status
from tests.conftest import SYSTEM

FIRST = TODAY - timedelta(days=150)


def sublet(gateway: FlaskClient, device_code: str, since: date) -> None:
    """A unit at 0.5 kWh a day standing empty, at 22 kWh a day from `since`."""
    readings = daily_register(
        device_code, FIRST, 151, lambda d: Decimal(22) if d >= since else Decimal("0.5")
    )
    for start in range(0, len(readings), 200):
        send(gateway, readings[start : start + 200])


def flags_of(client: FlaskClient, **query: Any) -> list[dict[str, Any]]:
    answer = client.get("/api/iot/flags", query_string=query)
    assert answer.status_code == 200, answer.json
    return list(answer.json)


def test_a_sublet_vacant_unit_is_flagged_and_only_its_managers_hear_of_it(
    site: Site,
    gateway: FlaskClient,
    manager: FlaskClient,
    db: Database,
    run: Any,
    recompute: Callable[..., Any],
    web_client: Callable[[Any], FlaskClient],
) -> None:
    """Vacant SH-01-1201 uses 22 kWh a day for three weeks against 0.5 standing empty: one flag (confidence
    1 − 2.00 / 22 = 0.91, the line being 0.5 + 1.5), its evidence in the reader's language; SH-01's manager
    is told, GZ-01's is not and sees nothing."""
    set_status(db, site.units[0], AssetStatus.VACANT)
    sublet(gateway, "SH-01-1201-E", TODAY - timedelta(days=21))
    report = recompute(NOW)
    assert report.raised == {"vacant_consumption": 1}
    [flag] = flags_of(manager, state="open")
    assert (flag["kind"], flag["asset_code"], flag["confidence"]) == (
        "vacant_consumption",
        "SH-01-1201",
        "0.91",
    )
    assert flag["evidence"]["baseline"] == "0.50"
    assert (
        flag["summary"] == "电：近 14 天日均 22.00 千瓦时，空置时基线为 0.50 千瓦时（14 天超过 2.00 千瓦时）"
    )
    assert flag["kind_name"] == "空置单元有用量"
    run(users.update_user, site.manager.id, {"locale": "en"}, SYSTEM)
    english = manager.get(f"/api/iot/flags/{flag['id']}").json
    assert english["summary"] == (
        "electricity: 22.00 kWh a day over 14 days, against 0.50 kWh standing empty (14 days above 2.00 kWh)"
    )
    with db.unit_of_work() as uow:
        told = uow.session.scalars(
            select(Notification.user_id).where(Notification.kind == "iot.flag_raised")
        ).all()
    assert told == [site.manager.id]
    south = web_client(site.outsider_manager)
    assert flags_of(south) == []
    assert south.get(f"/api/iot/flags/{flag['id']}").status_code == 404
    assert recompute(NOW + timedelta(days=1)).raised == {}
    assert flags_of(manager)[0]["updated_at"] > flag["updated_at"]


def test_a_dismissed_flag_needs_a_reason_and_stays_dismissed(
    site: Site, gateway: FlaskClient, manager: FlaskClient, db: Database, recompute: Callable[..., Any]
) -> None:
    """Without a reason the dismissal is refused; with one, recomputing the same evidence raises nothing."""
    set_status(db, site.units[0], AssetStatus.VACANT)
    sublet(gateway, "SH-01-1201-E", TODAY - timedelta(days=21))
    recompute(NOW)
    [flag] = flags_of(manager)
    refused = manager.post(f"/api/iot/flags/{flag['id']}/dismiss", json={"reason": "   "})
    assert refused.status_code == 422
    assert "reason" in refused.json["errors"]["json"]
    done = manager.post(f"/api/iot/flags/{flag['id']}/dismiss", json={"reason": "装修队施工用电，已报备"})
    assert done.status_code == 200, done.json
    assert (done.json["state"], done.json["dismissed_by_id"]) == ("dismissed", site.manager.id)
    assert recompute(NOW).raised == {}
    assert [f["state"] for f in flags_of(manager)] == ["dismissed"]
    assert manager.post(f"/api/iot/flags/{flag['id']}/dismiss", json={"reason": "again"}).status_code == 409


def test_a_quiet_let_unit_is_flagged_and_resolves_when_use_returns(
    site: Site,
    gateway: FlaskClient,
    manager: FlaskClient,
    db: Database,
    run: Any,
    app: Any,
    recompute: Callable[..., Any],
) -> None:
    """SH-01-1202, let since June, read at noon, stopped using power at noon 40 days ago (that day still used
    some): 39 quiet days, flagged with its lease; a week of use again resolves it."""
    unit = site.units[1]
    lease_id = let(db, run, site, unit, date(2026, 6, 1), date(2027, 5, 31))
    set_status(db, unit, AssetStatus.LEASED)
    stopped = TODAY - timedelta(days=40)
    readings = daily_register(
        "SH-01-1202-E", FIRST, 151, lambda d: Decimal(30) if d < stopped else Decimal(0)
    )
    send(gateway, readings[:100])
    send(gateway, readings[100:])
    recompute(NOW)
    [flag] = flags_of(manager, kind="no_consumption")
    assert (flag["lease_id"], flag["evidence"]["quiet_days"], flag["evidence"]["reporting"]) == (
        lease_id,
        39,
        "flat",
    )
    value = readings[-1][2]
    later = [("SH-01-1202-E", noon(TODAY + timedelta(days=n)), value + 25 * n) for n in range(1, 8)]
    app.extensions["leasekeeper.clock"] = lambda: NOW + timedelta(days=8)
    assert send(gateway, later)["stored"] == 7
    assert recompute(NOW + timedelta(days=8)).resolved == 1
    assert flags_of(manager, kind="no_consumption")[0]["state"] == "resolved"


def test_a_machine_working_less_is_flagged(
    site: Site,
    gateway: FlaskClient,
    manager: FlaskClient,
    db: Database,
    run: Any,
    recompute: Callable[..., Any],
) -> None:
    """The excavator, let all year, worked 8 h every working day of China's calendar (National Day off, its
    make-up Saturday worked) and 3 h over the last two weeks: down 62 %."""
    working = calendar_of("CN").is_working_day
    let(db, run, site, site.machine, date(2026, 1, 1), date(2027, 12, 31))
    set_status(db, site.machine, AssetStatus.LEASED)
    hours = []
    for n in range(120):
        day = TODAY - timedelta(days=120 - n)
        worked = Decimal(3) if day >= TODAY - timedelta(days=14) else Decimal(8)
        # The counter reports each day's hours at midnight after it (an interval of a day).
        hours.append(("SH-01-EX1-H", noon(day) + timedelta(hours=12), worked if working(day) else Decimal(0)))
    send(gateway, hours)
    recompute(NOW)
    [flag] = flags_of(manager, kind="utilisation_drop")
    assert (flag["evidence"]["reference_hours"], flag["evidence"]["recent_hours"]) == ("8.00", "3.00")
    assert flag["evidence"]["drop"] == "0.62"


def answers(checklist: dict[str, Any]) -> dict[str, Any]:
    """A passing answer to every required item of a checklist (no photos)."""
    found: dict[str, Any] = {}
    for item in checklist["items"]:
        if item["kind"] == "pass_fail":
            found[item["key"]] = {"value": True}
        elif item["kind"] == "number":
            found[item["key"]] = {"value": str(item.get("number_min") or "1")}
        elif item["kind"] == "text":
            found[item["key"]] = {"value": "正常"}
    return found


def test_an_inspection_answers_a_flag(
    site: Site,
    gateway: FlaskClient,
    manager: FlaskClient,
    db: Database,
    run: Any,
    recompute: Callable[..., Any],
    web_client: Callable[[Any], FlaskClient],
) -> None:
    """The inspector inspects the flagged unit naming the flag: the flag shows the inspection and waits for
    the manager; naming it on another asset is refused and files nothing."""
    set_status(db, site.units[0], AssetStatus.VACANT)
    sublet(gateway, "SH-01-1201-E", TODAY - timedelta(days=21))
    recompute(NOW)
    [flag] = flags_of(manager)
    run(inspections.seed_checklists, SYSTEM)
    inspector = web_client(site.inspector)
    checklist = inspector.get(f"/api/checklists/for-asset/{site.units[0].id}").json
    body = {"asset_id": site.units[1].id, "captured_at": NOW.isoformat(), "answers": answers(checklist),
            "flag_id": flag["id"], "note": "门锁完好，室内有人办公"}  # fmt: skip
    wrong = inspector.post("/api/inspections", json=body)
    assert wrong.status_code == 422
    assert "flag_id" in wrong.json["errors"]["json"]
    assert inspector.get(f"/api/inspections?asset_id={site.units[1].id}").json == []
    filed = inspector.post("/api/inspections", json=body | {"asset_id": site.units[0].id})
    assert filed.status_code == 201, filed.json
    answered = manager.get(f"/api/iot/flags/{flag['id']}").json
    assert (answered["state"], answered["inspection_id"]) == (FlagState.ANSWERED.value, filed.json["id"])
    assert recompute(NOW).raised == {}
    assert flags_of(manager)[0]["state"] == "answered"


def test_flags_of_assets_whose_data_just_arrived_are_recomputed_and_they_are_then_clean(
    site: Site, gateway: FlaskClient, manager: FlaskClient, db: Database, app: Any
) -> None:
    """The five-minute job takes the assets the batches marked, raises their flags and clears the marks; with
    nothing new it does nothing."""
    app.extensions["leasekeeper.clock"] = lambda: NOW
    set_status(db, site.units[0], AssetStatus.VACANT)
    sublet(gateway, "SH-01-1201-E", TODAY - timedelta(days=21))
    with db.unit_of_work() as uow:
        report = flags.recompute_dirty(uow, NOW)
    assert (report.assets, report.raised) == (1, {"vacant_consumption": 1})
    with db.unit_of_work() as uow:
        assert uow.iot_readings.dirty(10) == []
        assert flags.recompute_dirty(uow, NOW).assets == 0
    assert [f["asset_code"] for f in flags_of(manager)] == ["SH-01-1201"]
