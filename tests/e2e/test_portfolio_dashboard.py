"""The portfolio dashboards in Debian's Chromium at 1400 x 900, in zh-CN: a director's tiles checked against
figures computed by hand, a tile opened into the rows it adds up, a table cell into one project's rows, the
expected vacancies, the language switched once, and a regional manager who sees only their region."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from sqlalchemy import update

from backend.analytics import jobs
from backend.core.domain.listing import ListQuery
from backend.core.services import users
from backend.core.services.scheduler import JobContext
from backend.demo.leasing import TEMPLATES_BY_TYPE
from backend.leasing.domain.leases import ContractType
from backend.leasing.services import leases
from backend.org.db.models import Asset
from backend.org.domain.org import AssetType, CustomerKind, ProjectCategory
from backend.org.services import customers, org
from backend.receivables.services import billing, ledger
from tests.e2e.helpers import shot
from tests.e2e.live import PASSWORD, Site
from tests.e2e.test_office_app import SEEDER, desks, no_serious_violations, sign_in

__all__ = ["desks"]  # the desktop windows fixture of the office tests

MARCH_20 = datetime(2026, 3, 20, tzinfo=UTC)
# The day the tests look from (12:00 in Shanghai): March is closed, April runs.
APRIL_10_NOON = datetime(2026, 4, 10, 4, 0, tzinfo=UTC)


@pytest.fixture
def portfolio(site: Site) -> SimpleNamespace:
    """East (the site's SH-LJZ: units 1201 and 1202) and West (BJ-XS 西山园区: 0101, 0102, 0103), all in the
    register since June 2025. L1 leases SH-LJZ-1201 at ¥10,000.00 a month from March 2026 for a year; L2
    leases BJ-XS-0101 at ¥8,000.00 for March and April 2026. Both billed on 20 March (due 5 March); L1's
    bill paid on 25 March, L2's open. A director, and a regional manager of the West."""
    db = site.db

    def run(service: Any, *args: Any, **kwargs: Any) -> Any:
        with db.unit_of_work() as uow:
            return service(*args, SEEDER, uow, **kwargs)

    west = run(org.create_region, {"code": "WEST", "name": "华北区"})
    xishan = run(
        org.create_project,
        {
            "region_id": west.id,
            "code": "BJ-XS",
            "name": "西山园区",
            "city": "北京",
            "category": ProjectCategory.OFFICE,
            "timezone": "Asia/Shanghai",
            "holiday_calendar": "CN",
        },
    )
    west_units = [
        run(
            org.create_asset,
            {
                "project_id": xishan.id,
                "code": f"BJ-XS-010{number}",
                "name": f"10{number}",
                "asset_type": AssetType.OFFICE,
                "area_m2": area,
            },
        )
        for number, area in ((1, Decimal("88.00")), (2, Decimal("60.00")), (3, Decimal("60.00")))
    ]
    with db.engine.begin() as connection:  # registered June 2025: unconfirmed statuses count from then
        connection.execute(update(Asset).values(created_at=datetime(2025, 6, 1, tzinfo=UTC)))
    xinghe = run(
        customers.create_customer,
        {
            "region_id": site.project.region_id,
            "code": "C-E1",
            "kind": CustomerKind.COMPANY,
            "name": "上海星河科技有限公司",
        },
    )
    westcorp = run(
        customers.create_customer,
        {"region_id": west.id, "code": "C-W1", "kind": CustomerKind.COMPANY, "name": "北京西山贸易有限公司"},
    )
    template = run(
        leases.create_template,
        TEMPLATES_BY_TYPE[ContractType.OFFICE].values()
        | {
            "code": "MONTHLY-5",
            "required_fields": [],
            "frequency": "monthly",
            "timing": "prepaid",
            "due_day": 5,
            "due_offset_days": 0,
            "business_day_rule": "none",
            "billing_lead_days": 15,
        },
    )

    def lease(number: str, asset: Any, customer: Any, ends: date, rent: str) -> Any:
        draft = run(
            leases.create_lease,
            {
                "number": number,
                "template_id": template.id,
                "asset_ids": [asset.id],
                "customer_id": customer.id,
                "starts_on": date(2026, 3, 1),
                "ends_on": ends,
                "charge_lines": [{"charge_type": "rent", "monthly_amount": Decimal(rent)}],
            },
        )
        return run(leases.sign_lease, draft.id, now=datetime(2025, 12, 20, tzinfo=UTC))

    east_lease = lease("SH-LJZ-2026-0001", site.units[0], xinghe, date(2027, 2, 28), "10000.00")
    west_lease = lease("BJ-XS-2026-0001", west_units[0], westcorp, date(2026, 4, 30), "8000.00")
    for project_id in (site.project.id, xishan.id):
        run(billing.run_billing, project_id, now=MARCH_20)
    with db.unit_of_work() as uow:
        charges, _ = ledger.list_charges(ListQuery(page=1, page_size=500), False, SEEDER, uow)
        bills = {charge.lease_id: (charge.id, charge.number, charge.amount) for charge in charges}
    assert sorted(bills) == sorted([east_lease.id, west_lease.id]), bills
    east_bill, west_bill = bills[east_lease.id], bills[west_lease.id]
    run(
        ledger.record_payment,
        {
            "customer_id": xinghe.id,
            "project_id": site.project.id,
            "received_on": date(2026, 3, 25),
            "amount": east_bill[2],
            "allocations": [{"charge_id": east_bill[0], "amount": east_bill[2]}],
        },
        now=datetime(2026, 3, 25, 2, 0, tzinfo=UTC),
    )

    def person(username: str, role: str, **target: Any) -> Any:
        data = {
            "username": username,
            "display_name": username.title(),
            "password": PASSWORD,
            "locale": "zh_CN",
            "roles": [{"role": role, **target}],
        }
        return run(users.create_user, data)

    site.app.extensions["leasekeeper.clock"] = lambda: APRIL_10_NOON
    return SimpleNamespace(
        director=person("director.hq", "director"),
        rm_west=person("rm.west", "regional_manager", region_id=west.id),
        east=site.project,
        west=xishan,
        west_lease=west_lease,
        east_bill=east_bill[1],
        west_bill=west_bill[1],
    )


def open_march(page: Page) -> None:
    """The period picker to March 2026; the tiles follow (April's figures replaced)."""
    page.get_by_test_id("period").fill("2026-03")
    expect(page).to_have_url(re.compile(r"[?&]period=2026-03"))
    expect(page.get_by_test_id("as-of")).to_have_text("统计日：2026年3月31日")


def test_a_director_reads_the_portfolio_and_opens_a_tile_and_a_cell_into_their_rows(
    portfolio: SimpleNamespace, desks: Any, site: Site
) -> None:
    page: Page = desks()
    sign_in(page, portfolio.director)
    # Home: this month's occupancy, 2 of 5 lettable units (L1 and L2 run through April).
    expect(page.get_by_test_id("tile-occupancy").locator(".tile-count")).to_have_text("40.0%")
    page.get_by_test_id("tile-occupancy").click()
    expect(page.get_by_test_id("as-of")).to_have_text("统计日：2026年4月10日")
    open_march(page)

    # March: 2 of 5 units occupied; ¥10,000.00 of the ¥18,000.00 due in March collected within 30 days.
    expect(page.get_by_test_id("kpi-occupancy_units-value")).to_have_text("40.0%")
    expect(page.get_by_test_id("kpi-collection_rate-value")).to_have_text("55.6%")
    expect(page.get_by_test_id("kpi-arpu-value")).to_have_text("¥9,000.00")
    expect(page.get_by_test_id("kpi-expiries_30-value")).to_have_text("1")
    # February and March 2025 had no lease in force (0 %), and nothing due to collect.
    expect(page.get_by_test_id("kpi-occupancy_units-previous")).to_have_text("环比 ▲ 40.0 个百分点")
    expect(page.get_by_test_id("kpi-collection_rate-previous")).to_have_text("环比 —")
    expect(page.get_by_test_id("kpi-occupancy_units-year-ago")).to_have_text("同比 ▲ 40.0 个百分点")
    expect(page.get_by_test_id("kpi-renewal_rate-value")).to_have_text("—")
    # The definition goes with each tile.
    expect(page.get_by_test_id("kpi-collection_rate")).to_have_attribute(
        "title", "本月到期的账单金额中，在到期日后 30 天内收回的比例。"
    )

    table = page.get_by_test_id("portfolio-table")
    east, west = str(portfolio.east.id), str(portfolio.west.id)
    expect(table.get_by_test_id(f"cell-{east}-collection_rate")).to_have_text("100.0%")
    expect(table.get_by_test_id(f"cell-{west}-collection_rate")).to_have_text("0.0%")
    expect(table.get_by_test_id(f"cell-{west}-occupancy_units")).to_have_text("33.3%")
    # Sorted by the collection rate: the highest first, then turned round.
    page.get_by_test_id("sort-collection_rate").click()
    expect(table.locator("tbody tr").first).to_have_attribute("data-testid", f"group-{east}")
    page.get_by_test_id("sort-collection_rate").click()
    expect(table.locator("tbody tr").first).to_have_attribute("data-testid", f"group-{west}")
    for chart in ("chart-trend", "chart-expiries", "chart-aging", "chart-collection"):
        expect(page.get_by_test_id(chart).locator("canvas")).to_have_count(1)
    no_serious_violations(page, "portfolio dashboard")
    page.evaluate("window.scrollTo(0, 0)")  # the sticky top bar where it belongs in the full-page shot
    shot(page, "office-portfolio-dashboard")

    # The tile opens the rows it adds up: the two bills due in March.
    page.get_by_test_id("kpi-collection_rate").click()
    expect(page.get_by_test_id("drill-figure")).to_have_text("55.6% = 10,000.00 ÷ 18,000.00")
    rows = page.get_by_test_id("drill-rows")
    expect(page.get_by_test_id("drill-rows-total")).to_have_attribute("data-total", "2")
    expect(rows.locator("tbody tr")).to_have_count(2)
    paid = rows.locator("tbody tr", has_text=portfolio.east_bill)
    expect(paid).to_contain_text("上海星河科技有限公司")
    expect(paid).to_contain_text("¥10,000.00")
    expect(rows.locator("tbody tr", has_text=portfolio.west_bill)).to_contain_text("8,000.00")
    expect(page.get_by_test_id("drill-page-sums")).to_have_text("本页合计：分子 10,000.00，分母 18,000.00")
    exported = page.request.get(page.get_by_test_id("export-csv").get_attribute("href") or "")
    assert exported.ok, exported.status
    lines = list(csv.reader(io.StringIO(exported.body().decode("utf-8-sig"))))
    assert sorted(line[1] for line in lines[1:]) == sorted([portfolio.east_bill, portfolio.west_bill])
    no_serious_violations(page, "portfolio drill-down")
    shot(page, "office-portfolio-drilldown")

    # A table cell: the West's collection rate, one open bill.
    page.get_by_test_id("drill-back").click()
    page.get_by_test_id("portfolio-table").get_by_test_id(f"cell-{west}-collection_rate").click()
    expect(page.get_by_test_id("drill-figure")).to_have_text("0.0% = 0.00 ÷ 8,000.00")
    expect(page.get_by_test_id("drill-header")).to_contain_text("西山园区")
    expect(page.get_by_test_id("drill-rows").locator("tbody tr")).to_have_count(1)
    expect(page.get_by_test_id("drill-rows")).to_contain_text(portfolio.west_bill)

    # Expected vacancies from 10 April: L2 leaves BJ-XS-0101 on 30 April.
    page.get_by_test_id("menu-/office/portfolio/vacancies").click()
    expect(page.get_by_test_id("assumptions").locator("li").first).to_be_visible()
    expect(page.get_by_test_id(f"vacancy-{west}-30-units")).to_have_text("1")
    expect(page.get_by_test_id(f"vacancy-{east}-90-units")).to_have_text("0")
    no_serious_violations(page, "expected vacancies")
    shot(page, "office-portfolio-vacancies")
    page.get_by_test_id(f"vacancy-{west}").get_by_test_id("vacating-lease").first.click()
    expect(page).to_have_url(re.compile(rf"/office/leases/{portfolio.west_lease.id}$"))

    # Once in English: the same figures, the names in the reader's language.
    page.goto("/office/portfolio?period=2026-03")
    page.get_by_test_id("language").select_option("en")
    expect(page.get_by_test_id("kpi-collection_rate")).to_contain_text("Collection rate")
    expect(page.get_by_test_id("kpi-collection_rate-value")).to_have_text("55.6%")
    expect(page.get_by_test_id("kpi-occupancy_units-previous")).to_have_text("Month on month ▲ 40.0 pp")
    expect(page.get_by_test_id("as-of")).to_have_text("Measured on 31 Mar 2026")
    shot(page, "office-portfolio-dashboard-en")


def test_a_regional_manager_sees_only_their_regions_projects_and_figures_and_report(
    portfolio: SimpleNamespace, desks: Any, site: Site
) -> None:
    page: Page = desks()
    sign_in(page, portfolio.rm_west, "/office/portfolio?period=2026-03")
    table = page.get_by_test_id("portfolio-table")
    expect(table.get_by_test_id(f"group-{portfolio.west.id}")).to_contain_text("西山园区")
    expect(table.locator("tbody tr")).to_have_count(2)  # the project and the total
    expect(table).not_to_contain_text(portfolio.east.name)
    # 1 of the West's 3 units; none of its ¥8,000.00 collected.
    expect(page.get_by_test_id("kpi-occupancy_units-value")).to_have_text("33.3%")
    expect(page.get_by_test_id("kpi-collection_rate-value")).to_have_text("0.0%")
    page.get_by_test_id("kpi-collection_rate").click()
    expect(page.get_by_test_id("drill-rows").locator("tbody tr")).to_have_count(1)
    expect(page.get_by_test_id("drill-rows")).not_to_contain_text(portfolio.east_bill)

    # The monthly report of their region: asked for here, made by the worker, downloaded.
    page.get_by_test_id("menu-/office/portfolio/reports").click()
    page.get_by_test_id("report-period").fill("2026-03")
    page.get_by_test_id("report-generate").click()
    queued = page.get_by_test_id("reports").locator("tbody tr").first
    expect(queued).to_have_attribute("data-state", re.compile("queued|running"))
    outcome = jobs.generate_reports(site.db.unit_of_work, JobContext.by_hand(APRIL_10_NOON))
    assert len(outcome["generated"]) == 1, outcome
    expect(queued).to_have_attribute("data-state", "done", timeout=10_000)
    workbook = page.request.get(queued.get_by_test_id("report-xlsx").get_attribute("href") or "")
    assert workbook.ok, workbook.status
    cells = " ".join(
        str(value)
        for sheet in load_workbook(io.BytesIO(workbook.body())).worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )
    assert "西山园区" in cells
    assert portfolio.east.name not in cells
    pdf = page.request.get(queued.get_by_test_id("report-pdf").get_attribute("href") or "")
    assert pdf.ok
    assert pdf.body().startswith(b"%PDF")
    no_serious_violations(page, "portfolio reports")
    shot(page, "office-portfolio-reports")
