"""The IoT signals and the consistency audit in Debian's Chromium at 1400 x 900, in zh-CN: a project manager's
meters and door sensor on a vacant unit report a surge, the flag job raises its flags, the asset's page
charts the signals and lists the flags, one is dismissed with its reason; the manager runs the audit, follows
it to its end, reads the rates against last month's run and the findings, downloads the report and resolves
their audit task."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from backend.core.services import auth
from backend.core.services.auth import LoginPolicy
from backend.core.services.scheduler import JobContext
from backend.iot import jobs
from backend.iot.services import audit
from tests.e2e.helpers import shot
from tests.e2e.live import PASSWORD, Site
from tests.e2e.test_office_app import SEEDER, desks, no_serious_violations, sign_in

__all__ = ["desks"]  # the desktop windows fixture of the office tests

SHANGHAI = ZoneInfo("Asia/Shanghai")
SURGE_DAYS = 14


@pytest.fixture
def signals(site: Site) -> SimpleNamespace:
    """The site's project manager (in Chinese) registers a gateway with an electricity meter (a register),
    a water meter (what was used each day) and a door sensor on the vacant unit SH-LJZ-1201; the gateway
    sends 60 days of readings: about 1 kWh and 0.02 m³ a day, then 30 kWh and 0.8 m³ a day over the last two
    weeks (none for three days in between), and the door opening three times a day over the last six."""
    db = site.db
    now = datetime.now(UTC)
    today = now.astimezone(SHANGHAI).date()
    unit = site.units[0]
    credentials = {"username": site.manager.username, "password": PASSWORD, "device_name": "seed"}
    with db.unit_of_work() as uow:
        issued = auth.register_device(credentials, SEEDER, LoginPolicy(), now, uow)
    http = site.app.test_client()
    manager = {"Authorization": f"Bearer {issued.token}"}

    def call(method: str, path: str, body: dict[str, Any], headers: dict[str, str] = manager) -> Any:
        response = http.open(path, method=method, json=body, headers=headers)
        assert response.status_code in {200, 201}, (path, response.json)
        return response.json

    call("PATCH", "/api/auth/me", {"locale": "zh_CN"})
    made = call("POST", "/api/iot/gateways", {"name": "12层网关", "project_id": site.project.id})
    gateway = {"Authorization": f"Bearer {made['token']}"}
    link = {"asset_id": unit.id, "project_id": site.project.id, "gateway_id": made["gateway"]["id"]}
    for device in (
        {"code": "EM-1201", "kind": "meter", "meter": "electricity", "mode": "cumulative"},
        {"code": "WM-1201", "kind": "meter", "meter": "water", "mode": "interval", "interval_minutes": 1440},
        {"code": "DR-1201", "kind": "door"},
    ):
        call("POST", "/api/iot/devices", {**device, **link})
    readings: list[dict[str, str]] = []
    doors: list[dict[str, str]] = []
    register = 1000
    for back in range(60, 0, -1):
        day = today - timedelta(days=back)
        noon = datetime.combine(day, time(12), SHANGHAI).astimezone(UTC)
        surge = back <= SURGE_DAYS
        register += 30 if surge else 1
        if not 38 <= back <= 40:
            readings.append({"device": "EM-1201", "at": noon.isoformat(), "value": f"{register}.000"})
        readings.append({"device": "WM-1201", "at": noon.isoformat(), "value": "0.800" if surge else "0.020"})
        if back <= 6:
            for hour in (9, 13, 18):
                opened = datetime.combine(day, time(hour), SHANGHAI).astimezone(UTC)
                doors.append({"device": "DR-1201", "at": opened.isoformat(), "event": "open"})
                closed = opened + timedelta(minutes=20)
                doors.append({"device": "DR-1201", "at": closed.isoformat(), "event": "close"})
    sent = call("POST", "/api/iot/ingest", {"readings": readings, "door_events": doors}, gateway)
    assert (sent["stored"], sent["rejected"]) == (len(readings) + len(doors), 0), sent

    def last_month_audit() -> None:
        """Last month's run, as the worker made it: nothing disagreed then."""
        moment = datetime.combine(today.replace(day=1) - timedelta(days=1), time(12), SHANGHAI)
        with db.unit_of_work() as uow:
            audit.queue_monthly(uow, moment)
        assert len(audit.run_queued(db.unit_of_work, lambda: moment)) == 1

    def flag_job() -> dict[str, Any]:
        """The nightly flag job over every project, run now."""
        return jobs.recompute_flags(db.unit_of_work, JobContext.by_hand(datetime.now(UTC)))

    def worker() -> list[int]:
        """The worker carries out the audits asked for."""
        return audit.run_queued(db.unit_of_work, lambda: datetime.now(UTC))

    return SimpleNamespace(
        unit=unit, today=today, last_month_audit=last_month_audit, flag_job=flag_job, worker=worker
    )


def zh_day(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def test_a_manager_reads_the_signals_dismisses_a_flag_and_follows_the_audit_to_its_findings(
    signals: SimpleNamespace, desks: Callable[[], Page], site: Site
) -> None:
    signals.last_month_audit()
    raised = signals.flag_job()["raised"]
    assert raised.get("vacant_consumption") == 1, raised
    assert raised.get("vacant_door") == 1, raised

    # The flags in the manager's scope, each leading to its asset's page.
    page = desks()
    sign_in(page, site.manager, "/office/iot/flags")
    flags = page.get_by_test_id("flags")
    expect(page.get_by_test_id("flags-total")).to_have_attribute("data-total", "2")
    expect(flags.locator("tbody tr", has_text="空置期间有开门")).to_have_count(1)
    expect(flags.get_by_test_id("flag-state")).to_have_text(["待处理", "待处理"])
    flags.locator("tbody tr", has_text="空置期间有用量").get_by_test_id("flag-asset").click()

    # The asset's page: the chart of the 365 days to yesterday (the last whole day), the flags with their
    # windows, the devices.
    yesterday = signals.today - timedelta(days=1)
    expect(page).to_have_url(f"{site.base_url}/office/assets/{signals.unit.id}#flags")
    expect(page.get_by_test_id("signals-from")).to_have_value(str(yesterday - timedelta(days=364)))
    expect(page.get_by_test_id("signals-to")).to_have_value(str(yesterday))
    chart = page.get_by_test_id("signals-chart")
    expect(chart).to_be_visible()
    expect(chart.locator("canvas")).to_have_count(1)
    period = f"{zh_day(yesterday - timedelta(days=364))}至{zh_day(yesterday)}"
    expect(chart).to_have_attribute(
        "aria-label", f"{period}的每日用量（电（千瓦时）、水（立方米））与开门次数，阴影为租期，红色为预警"
    )
    listed = page.get_by_test_id("asset-flags")
    consumption = listed.locator("tr[data-kind=vacant_consumption]")
    expect(consumption.get_by_test_id("flag-state")).to_have_text("待处理")
    expect(consumption.get_by_test_id("flag-window")).to_contain_text("至")
    expect(consumption.get_by_test_id("flag-summary")).to_contain_text("空置时基线")
    expect(consumption.get_by_test_id("flag-confidence")).to_have_text(re.compile(r"^\d+\.\d%$"))
    devices = page.get_by_test_id("asset-devices")
    expect(devices.get_by_test_id("device-EM-1201")).to_contain_text("电（千瓦时）")
    expect(devices.get_by_test_id("device-WM-1201")).to_contain_text("每 1440 分钟用量")
    expect(devices.get_by_test_id("device-DR-1201")).to_contain_text("门磁")
    no_serious_violations(page, "asset signals")
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "office-iot-asset")

    # Dismissed: refused without a reason (the server's message on the field), then with one.
    consumption.locator("[data-testid^=dismiss-]").click()
    dialog = page.get_by_test_id("dismiss-dialog")
    expect(dialog.get_by_test_id("dismiss-summary")).to_contain_text("SH-LJZ-1201 · 空置期间有用量")
    dialog.get_by_test_id("dismiss-submit").click()
    expect(page.get_by_test_id("error-dismiss-reason")).to_be_visible()
    dialog.get_by_test_id("dismiss-reason").fill("装修单位进场施工，已报备")
    dialog.get_by_test_id("dismiss-submit").click()
    expect(dialog).to_have_count(0)
    expect(consumption.get_by_test_id("flag-state")).to_have_text("已排除")
    expect(consumption).to_contain_text("装修单位进场施工，已报备")
    expect(consumption.locator("[data-testid^=dismiss-]")).to_have_count(0)

    # The audit: run now, followed until done, against last month's run where nothing disagreed.
    page.get_by_test_id("menu-/office/audits").click()
    runs = page.get_by_test_id("audit-runs").locator("tbody tr")
    expect(runs).to_have_count(1)
    expect(runs.first.get_by_test_id("run-state")).to_have_text("完成")
    page.get_by_test_id("audit-run-now").click()
    started = page.get_by_test_id("started-run")
    expect(started).to_have_attribute("data-state", "queued")
    expect(started.get_by_test_id("run-state")).to_have_text("排队中")
    assert len(signals.worker()) == 1
    expect(started).to_have_attribute("data-state", "done")
    expect(runs).to_have_count(2)
    shot(page, "office-iot-audits")
    started.get_by_test_id("started-run-open").click()

    # One unit of two disagrees: its door flag is still open (the other was dismissed).
    detail = page.get_by_test_id("audit-detail")
    expect(detail).to_have_attribute("data-state", "done")
    expect(page.get_by_test_id("overall-rate")).to_have_text("50.0%")
    expect(page.get_by_test_id("overall-change")).to_have_text("▲ 50.0 个百分点 变差")
    expect(page.get_by_test_id("overall-change")).to_have_class(re.compile(r"\bbad\b"))
    expect(page.get_by_test_id("overall-counts")).to_have_text("2 个资产中有 1 个")
    region = page.get_by_test_id(f"audit-regions-{site.project.region_id}")
    expect(region).to_contain_text("East China")
    expect(region.get_by_test_id(f"audit-regions-{site.project.region_id}-change")).to_have_text(
        "▲ 50.0 个百分点 变差"
    )
    expect(page.get_by_test_id("kind-iot_flag_open-count")).to_have_text("1")
    findings = page.get_by_test_id("findings")
    expect(page.get_by_test_id("findings-total")).to_have_attribute("data-total", "1")
    row = findings.locator("tbody tr").first
    expect(row.get_by_test_id("finding-kind")).to_have_text("物联网预警仍未处理")
    expect(row.get_by_test_id("finding-asset")).to_have_text("SH-LJZ-1201")
    behind = row.get_by_test_id("finding-rows").locator("a")
    expect(behind).to_have_text("预警 空置期间有开门")
    expect(behind).to_have_attribute("href", f"/office/assets/{signals.unit.id}#flags")
    # A kind and a region clicked filter the findings, in the address.
    page.get_by_test_id("kind-iot_flag_open").click()
    region.get_by_role("button").click()
    expect(page).to_have_url(re.compile(rf"kind=iot_flag_open&region_id={site.project.region_id}$"))
    expect(page.get_by_test_id("findings-total")).to_have_attribute("data-total", "1")
    page.get_by_test_id("findings-kind").select_option("confirmation_stale")
    expect(page.get_by_test_id("findings-total")).to_have_attribute("data-total", "0")
    page.get_by_test_id("findings-kind").select_option("iot_flag_open")
    no_serious_violations(page, "audit run")
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "office-iot-audit")

    # The report, as a workbook and as a PDF.
    with page.expect_download() as downloading:
        page.get_by_test_id("audit-xlsx").click()
    workbook = downloading.value
    assert workbook.suggested_filename.endswith(".xlsx"), workbook.suggested_filename
    assert Path(workbook.path()).read_bytes()[:2] == b"PK"
    pdf = page.request.get(str(page.get_by_test_id("audit-pdf").get_attribute("href")))
    assert pdf.ok, pdf.status
    assert pdf.body().startswith(b"%PDF")

    # The finding is the manager's task: resolved with a note, it leaves the open ones.
    page.goto("/office/audits?tab=tasks")
    tasks = page.get_by_test_id("audit-task-list")
    expect(page.get_by_test_id("audit-task-list-total")).to_have_attribute("data-total", "1")
    tasks.locator("[data-testid^=resolve-]").click()
    resolving = page.get_by_test_id("resolve-dialog")
    resolving.get_by_test_id("resolve-note").fill("已现场核查：门磁为保洁进出，已安排带看登记")
    resolving.get_by_test_id("resolve-submit").click()
    expect(resolving).to_have_count(0)
    expect(page.get_by_test_id("audit-task-list-total")).to_have_attribute("data-total", "0")
    page.get_by_test_id("audit-task-state").select_option("resolved")
    expect(tasks.get_by_test_id("finding-task-state")).to_have_text("已处理")
    expect(tasks).to_contain_text("已现场核查：门磁为保洁进出，已安排带看登记")
    shot(page, "office-iot-audit-tasks")
