"""A project with the people reminders go to, its office template, and helpers to run the engine."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask

from backend.core.db.database import Database
from backend.core.services import users
from backend.leasing.services import leases
from backend.reminders.services import engine
from tests.conftest import PASSWORD, SYSTEM
from tests.support.lease_files import office_template

SHANGHAI = ZoneInfo("Asia/Shanghai")
IMPORT_HEADER = ["合同编号", "项目编号", "客户编号", "资产编号", "合同模板", "起租日", "到期日", "月租金",
                 "押金", "客户经理", "标签", "状态"]  # fmt: skip


def at_two(day: date) -> datetime:
    """02:00 in Shanghai: when the worker runs the engine for the project."""
    return datetime.combine(day, time(2, 0), SHANGHAI).astimezone(UTC)


class Site:
    """Who and what the tests use."""

    region: Any
    project: Any
    units: list[Any]
    customer: Any
    template: Any
    agent: Any
    regional: Any
    legal: Any
    finance: Any
    director: Any
    manager: Any
    outsider: Any


@pytest.fixture
def site(
    run: Callable[..., Any],
    make_region: Any,
    make_project: Any,
    make_asset: Any,
    make_customer: Any,
) -> Site:
    """Project SH-01 (Shanghai, China's calendar) with units SH-01-1201…1203, customer C0001, the OFFICE
    template (90 days' notice), its account manager 张伟 (a leasing agent reporting to the regional
    manager), legal, finance, the project manager, head office's director and another region's manager."""
    s = Site()
    s.region = make_region()
    s.project = make_project(s.region, code="SH-01")
    s.units = [make_asset(s.project, code=f"SH-01-{n}") for n in (1201, 1202, 1203)]
    s.customer = make_customer(s.region, code="C0001", name="上海星河科技有限公司")
    s.template = run(leases.create_template, office_template(), SYSTEM)

    def person(username: str, name: str, role: str, **scope: Any) -> Any:
        values = {
            "username": username,
            "display_name": name,
            "email": f"{username}@example.cn",
            "password": PASSWORD,
            "roles": [{"role": role, **scope}],
        }
        return run(users.create_user, values, SYSTEM)

    s.regional = person("li.rm", "李区域", "regional_manager", region_id=s.region.id)
    s.agent = person("zhang.wei", "张伟", "leasing_agent", project_id=s.project.id)
    run(users.update_user, s.agent.id, {"manager_id": s.regional.id}, SYSTEM)
    s.legal = person("wang.legal", "王法务", "legal", region_id=s.region.id)
    s.finance = person("zhao.fin", "赵财务", "finance", region_id=s.region.id)
    s.manager = person("chen.pm", "陈经理", "project_manager", project_id=s.project.id)
    s.director = person("sun.dir", "孙总", "director")
    s.outsider = person("zhou.west", "周西区", "regional_manager", region_id=make_region().id)
    return s


def lease_csv(*rows: list[Any]) -> bytes:
    """A lease import file (Chinese headers) of the rows."""
    lines = [",".join(IMPORT_HEADER)] + [",".join(str(v) for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def import_leases(client: Any, data: bytes) -> list[int]:
    """Commit an import through the API; the new leases' ids."""
    body = {"file": (io.BytesIO(data), "leases.csv"), "commit": "true"}
    response = client.post("/api/imports/leases", data=body, content_type="multipart/form-data")
    assert response.status_code == 201, response.json
    return list(response.json["created_ids"])


@pytest.fixture
def engine_on(db: Database, app: Flask) -> Callable[[date], engine.RunReport]:
    """Run the engine at 02:00 of a day, with the application's clock there too."""

    def run_on(day: date) -> engine.RunReport:
        moment = at_two(day)
        app.extensions["leasekeeper.clock"] = lambda: moment
        with db.unit_of_work() as uow:
            return engine.run(uow, moment)

    return run_on
