"""Two projects in two regions with their people, a gateway with meters and a door sensor, and helpers to
send batches, let units and recompute flags at a chosen time."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient

from backend.core.db.database import Database
from backend.core.services import users
from backend.iot.services import flags
from backend.leasing.db.models import Lease
from backend.leasing.services import leases
from backend.org.db.models import Asset
from backend.org.domain.org import AssetStatus, AssetType
from tests.conftest import PASSWORD, SYSTEM
from tests.support.lease_files import office_template

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 30)
NOW = datetime.combine(TODAY, time(3, 30), SHANGHAI).astimezone(UTC)


def noon(day: date) -> datetime:
    """Noon in Shanghai, in UTC."""
    return datetime.combine(day, time(12), SHANGHAI).astimezone(UTC)


def iso(at: datetime) -> str:
    """A time as a gateway sends it."""
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


class Site:
    """Who and what the tests use."""

    region: Any
    project: Any
    units: list[Any]
    machine: Any
    other_project: Any
    other_unit: Any
    customer: Any
    template: Any
    manager: Any
    regional: Any
    outsider: Any
    outsider_manager: Any
    inspector: Any
    gateway: dict[str, Any]
    token: str


@pytest.fixture
def site(
    run: Callable[..., Any],
    make_region: Any,
    make_project: Any,
    make_asset: Any,
    make_customer: Any,
) -> Site:
    """SH-01 (East) with units SH-01-1201…1204 and excavator SH-01-EX1; GZ-01 (South) with one unit; the
    project manager of each, East's regional manager, an inspector of SH-01."""
    s = Site()
    s.region = make_region(code="EAST", name="华东区域")
    s.project = make_project(s.region, code="SH-01")
    s.units = [make_asset(s.project, code=f"SH-01-{n}") for n in (1201, 1202, 1203, 1204)]
    s.machine = make_asset(
        s.project, code="SH-01-EX1", asset_type=AssetType.MACHINERY, floor=None, area_m2=None,
        serial_number="EX-0001",
    )  # fmt: skip
    south = make_region(code="SOUTH", name="华南区域")
    s.other_project = make_project(south, code="GZ-01", name="天河中心", city="广州")
    s.other_unit = make_asset(s.other_project, code="GZ-01-0301")
    s.customer = make_customer(s.region, code="C0001")
    s.template = run(leases.create_template, office_template(), SYSTEM)

    def person(username: str, role: str, **scope: Any) -> Any:
        values = {"username": username, "display_name": username, "email": f"{username}@example.cn",
                  "password": PASSWORD, "roles": [{"role": role, **scope}]}  # fmt: skip
        return run(users.create_user, values, SYSTEM)

    s.manager = person("chen.pm", "project_manager", project_id=s.project.id)
    s.regional = person("li.rm", "regional_manager", region_id=s.region.id)
    s.outsider = person("zhou.rm", "regional_manager", region_id=south.id)
    s.outsider_manager = person("wu.pm", "project_manager", project_id=s.other_project.id)
    s.inspector = person("liu.insp", "inspector", project_id=s.project.id)
    return s


@pytest.fixture
def manager(site: Site, web_client: Callable[[Any], FlaskClient]) -> FlaskClient:
    """The project manager of SH-01, in a browser."""
    return web_client(site.manager)


@pytest.fixture
def gateway(site: Site, manager: FlaskClient) -> FlaskClient:
    """SH-01's gateway with an electricity and a water meter on each unit, a door sensor on 1201 and 1202 and
    an hour counter on the excavator; a client sending its token."""
    answer = manager.post("/api/iot/gateways", json={"name": "陆家嘴网关", "project_id": site.project.id})
    assert answer.status_code == 201, answer.json
    site.gateway, site.token = answer.json["gateway"], answer.json["token"]
    for unit in site.units:
        for meter in ("electricity", "water"):
            device(manager, site, f"{unit.code}-{meter[0].upper()}", "meter", unit.id, meter=meter)
    for unit in site.units[:2]:
        device(manager, site, f"{unit.code}-D", "door", unit.id)
    device(manager, site, "SH-01-EX1-H", "meter", site.machine.id, meter="runtime", mode="interval",
           interval_minutes=1440)  # fmt: skip
    client = manager.application.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {site.token}"
    return client


def device(client: FlaskClient, site: Site, code: str, kind: str, asset_id: int | None, **values: Any) -> Any:
    """Register a device on the site's gateway."""
    body = {"code": code, "kind": kind, "project_id": site.project.id, "gateway_id": site.gateway["id"],
            "asset_id": asset_id} | values  # fmt: skip
    answer = client.post("/api/iot/devices", json=body)
    assert answer.status_code == 201, answer.json
    return answer.json


def send(gateway: FlaskClient, readings: Iterable[tuple[str, datetime, Any]] = (),
         doors: Iterable[tuple[str, datetime, str]] = ()) -> Any:  # fmt: skip
    """One batch; its answer."""
    body = {
        "readings": [{"device": d, "at": iso(at), "value": str(v)} for d, at, v in readings],
        "door_events": [{"device": d, "at": iso(at), "event": e} for d, at, e in doors],
    }
    answer = gateway.post("/api/iot/ingest", json=body)
    assert answer.status_code == 200, answer.json
    return answer.json


def daily_register(device_code: str, first: date, days: int, per_day: Decimal | Callable[[date], Decimal],
                   start: Decimal = Decimal(1000)) -> list[tuple[str, datetime, Decimal]]:  # fmt: skip
    """A cumulative meter read at noon every day, using `per_day` (an amount, or one per day)."""
    value, found = start, []
    for n in range(days):
        day = first + timedelta(days=n)
        found.append((device_code, noon(day), value))
        value += per_day(day) if callable(per_day) else per_day
    return found


def set_status(db: Database, asset: Any, status: AssetStatus) -> None:
    """Put an asset in a status directly (what a series of confirmed requests would have done)."""
    with db.unit_of_work() as uow:
        row = uow.session.get(Asset, asset.id)
        row.status = status
        uow.commit()


def let(db: Database, run: Callable[..., Any], site: Site, asset: Any, first: date, last: date,
        status: str = "active") -> int:  # fmt: skip
    """A lease of the asset from `first` to `last`, in the given status; its id."""
    values = {
        "customer_id": site.customer.id, "template_id": site.template.id, "asset_ids": [asset.id],
        "starts_on": first, "ends_on": last,
        "charge_lines": [{"charge_type": "rent", "monthly_amount": Decimal("12800.00")}],
    }  # fmt: skip
    lease = run(leases.create_lease, values, SYSTEM)
    with db.unit_of_work() as uow:
        row = uow.session.get(Lease, lease.id)
        row.status = status
        uow.commit()
    return int(lease.id)


@pytest.fixture
def recompute(db: Database, app: Flask) -> Callable[[datetime], flags.FlagRunReport]:
    """Recompute every flag at a moment, with the application's clock there too."""

    def at(moment: datetime = NOW) -> flags.FlagRunReport:
        app.extensions["leasekeeper.clock"] = lambda: moment
        with db.unit_of_work() as uow:
            return flags.recompute(uow, moment)

    return at
