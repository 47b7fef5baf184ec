"""The portfolio endpoints: the dashboard, paged drill-downs and their export, scoped and refused clearly."""

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask.testing import FlaskClient
from openpyxl import load_workbook

from tests.integration.analytics.conftest import Portfolio

APRIL_10_NOON = datetime(2026, 4, 10, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai


def test_the_dashboard_answers_decimal_strings_and_the_drilldown_pages_its_rows(
    app: Any, bearer_client: Callable[..., FlaskClient], make_user: Any, portfolio: Portfolio
) -> None:
    app.extensions["leasekeeper.clock"] = lambda: APRIL_10_NOON
    client = bearer_client(make_user("director"))
    found = client.get("/api/portfolio/dashboard?group_by=region")  # the running month: April
    assert found.status_code == 200, found.json
    assert (found.json["period"], found.json["as_of"]) == ("2026-04", "2026-04-10")
    march = client.get("/api/portfolio/dashboard?period=2026-03&group_by=region").json
    assert march["total"]["kpis"]["occupancy_units"] == {
        "value": "0.5000",
        "numerator": "3",
        "denominator": "6",
        "unit": "ratio",
    }
    assert march["previous"]["period"] == "2026-02"
    assert march["year_ago"]["period"] == "2025-03"
    assert [g["label"] for g in march["groups"]] == ["华东区域", "西南区域"]

    page = client.get("/api/portfolio/drilldown?kpi=occupancy_units&period=2026-03&page_size=4")
    assert page.status_code == 200, page.json
    assert [r["code"] for r in page.json] == ["SH-A-A1", "SH-A-A2", "SH-A-A3", "SH-A-A4"]
    assert '"total": 6' in page.headers["X-Pagination"]
    west = march["groups"][1]["key"]
    cell = client.get(
        f"/api/portfolio/drilldown?kpi=vacancy_loss&period=2026-03&group_by=region&group_key={west}"
    )
    assert [(r["code"], r["numerator"]) for r in cell.json] == [
        ("CD-B-B2", "4000.00")
    ]  # 100 m² at 8,000 / 200 m²


def test_the_drilldown_exports_every_row_in_the_readers_language(
    app: Any, bearer_client: Callable[..., FlaskClient], make_user: Any, portfolio: Portfolio
) -> None:
    app.extensions["leasekeeper.clock"] = lambda: APRIL_10_NOON
    client = bearer_client(make_user("finance"))
    workbook = client.get("/api/portfolio/drilldown/export?kpi=collection_rate&period=2026-03")
    assert workbook.status_code == 200
    sheet = load_workbook(io.BytesIO(workbook.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("类型", "编号", "项目")
    assert len(rows) == 1 + 4  # the four bills due in March
    text = client.get("/api/portfolio/drilldown/export?kpi=collection_rate&period=2026-03&format=csv")
    lines = list(csv.reader(io.StringIO(text.data.decode("utf-8-sig"))))
    assert len(lines) == 5
    assert text.headers["Content-Disposition"].endswith('portfolio-collection_rate-2026-03.csv"')


def test_bad_queries_name_the_field_and_an_inspector_is_refused(
    app: Any, bearer_client: Callable[..., FlaskClient], make_user: Any, portfolio: Portfolio
) -> None:
    app.extensions["leasekeeper.clock"] = lambda: APRIL_10_NOON
    client = bearer_client(make_user("director"))
    for query, field in (
        ("period=2026-13", "period"),
        ("period=2026-05", "period"),
        ("group_by=floor", "group_by"),
    ):
        refused = client.get(f"/api/portfolio/dashboard?{query}")
        assert refused.status_code == 422, query
        assert field in refused.json["errors"]["query"], refused.json
    assert client.get("/api/portfolio/drilldown?kpi=happiness").status_code == 422
    inspector = bearer_client(make_user("inspector", project_id=portfolio.lujiazui.id))
    assert inspector.get("/api/portfolio/dashboard").status_code == 403
