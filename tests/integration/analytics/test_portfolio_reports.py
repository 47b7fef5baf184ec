"""The monthly report: asked for, made by the worker with its progress, scoped, notified, downloadable."""

import io
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from flask.testing import FlaskClient
from openpyxl import load_workbook
from pypdf import PdfReader

from backend.analytics import jobs
from backend.analytics.services import reports
from backend.core.db.database import Database
from backend.core.services.scheduler import JobContext
from backend.leasing.services.calendars import calendar_of
from tests.integration.analytics.conftest import Portfolio

APRIL_10_NOON = datetime(2026, 4, 10, 4, 0, tzinfo=UTC)


def test_a_regional_manager_asks_for_march_and_downloads_their_region_only(
    app: Any, db: Database, bearer_client: Callable[..., FlaskClient], make_user: Any, portfolio: Portfolio
) -> None:
    app.extensions["leasekeeper.clock"] = lambda: APRIL_10_NOON
    manager = make_user("regional_manager", region_id=portfolio.west.id)
    client = bearer_client(manager)
    asked = client.post("/api/portfolio/reports", json={"period": "2026-03"})
    assert asked.status_code == 202, asked.json
    assert (asked.json["state"], asked.json["files"]) == ("queued", {})
    report_id = asked.json["id"]
    assert client.post("/api/portfolio/reports", json={"period": "2026-13"}).status_code == 422
    assert client.get(f"/api/portfolio/reports/{report_id}/file?format=pdf").status_code == 409  # not yet

    outcome = jobs.generate_reports(db.unit_of_work, JobContext.by_hand(APRIL_10_NOON))
    assert outcome == {"queued": [], "generated": [report_id]}  # 10 April is not a first working day

    done = client.get(f"/api/portfolio/reports/{report_id}").json
    assert (done["state"], done["done"], done["total"]) == ("done", 1, 1)  # one region in their scope
    workbook = load_workbook(io.BytesIO(client.get(done["files"]["xlsx"]).data))
    text = " ".join(
        str(cell)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell
    )
    assert "成都物流园" in text
    assert "陆家嘴中心" not in text
    assert "华东区域" not in text
    pdf = PdfReader(io.BytesIO(client.get(done["files"]["pdf"]).data))
    assert len(pdf.pages) >= 2
    assert "2026-03" in "".join(page.extract_text() for page in pdf.pages)

    inbox = client.get("/api/notifications").json
    assert any(n["kind"] == "portfolio.report_ready" for n in inbox), inbox
    other = bearer_client(make_user("director"))
    assert other.get(f"/api/portfolio/reports/{report_id}").status_code == 404  # not theirs


def test_on_the_first_working_day_each_configured_role_gets_last_months_report_once(
    app: Any, db: Database, make_user: Any, portfolio: Portfolio
) -> None:
    director = make_user("director")
    finance = make_user("finance", region_id=portfolio.east.id)
    make_user("inspector", project_id=portfolio.lujiazui.id)
    # 1 May 2026 is Labour Day: the holiday runs to 5 May, so May's first working day is Wednesday the 6th.
    assert reports.first_working_day(date(2026, 5, 1), calendar_of("CN").is_working_day) == date(2026, 5, 6)
    may_5 = datetime(2026, 5, 5, 1, 0, tzinfo=UTC)
    assert jobs.generate_reports(db.unit_of_work, JobContext.by_hand(may_5)) == {
        "queued": [],
        "generated": [],
    }
    may_6 = datetime(2026, 5, 6, 1, 0, tzinfo=UTC)
    first = jobs.generate_reports(db.unit_of_work, JobContext.by_hand(may_6))
    assert len(first["queued"]) == 2
    assert first["generated"] == first["queued"]
    with db.unit_of_work() as uow:
        made = {
            run.requested_by_id: (run.period, run.state.value, run.emailed)
            for run in (uow.portfolio.report(i) for i in first["queued"])
        }
    assert made == {director.id: ("2026-04", "done", True), finance.id: ("2026-04", "done", True)}
    again = jobs.generate_reports(db.unit_of_work, JobContext.by_hand(may_6))
    assert again == {"queued": [], "generated": []}
