"""The monthly portfolio report as a PDF: A4 landscape, every region and name legible in either language,
tables that run on over pages, and "—" or a note where there is nothing to show."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from decimal import Decimal

from pypdf import PdfReader

from backend.adapters.reports.portfolio_pdf import render_pdf
from backend.analytics.domain.kpi import UNITS, Kpi, KpiValue
from backend.analytics.domain.report import PortfolioReport, RegionSection
from backend.config import Config
from backend.notify.delivery import Catalogue
from tests.support.portfolio_report import (
    EAST,
    HARBOUR,
    LUJIAZUI,
    ODD_REGION,
    ZHANGJIANG,
    kpis,
    sample_report,
    trend,
    with_regions,
)

CATALOGUE = Catalogue(Config.BABEL_TRANSLATION_DIRECTORIES)


def _pages(report: PortfolioReport) -> list[str]:
    """The text of each page of the report's PDF."""
    data = render_pdf(report, CATALOGUE.translations)
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    for page in reader.pages:
        assert float(page.mediabox.width) > float(page.mediabox.height)  # landscape
        assert round(float(page.mediabox.width)) == 842  # A4
    return [page.extract_text() for page in reader.pages]


def test_an_english_report_names_its_period_every_region_and_every_project() -> None:
    pages = _pages(sample_report("en"))
    assert len(pages) >= 2
    text = "\n".join(pages)
    assert pages[0].startswith("Portfolio report 2026-11")
    for expected in ("Whole portfolio", "Period", "2026-11-01", "2026-11-30", "2026-12-01 09:30+08:00"):
        assert expected in pages[0]
    for name in (EAST, ODD_REGION, LUJIAZUI, ZHANGJIANG, HARBOUR):
        assert name in text  # the Chinese names too, set in the CJK font
    assert "Occupancy (units)\n 85.00%\n 51\n 60" in pages[0]
    assert "Rent per occupied unit (CNY)\n 5,294.12" in pages[0]
    assert "Occupancy and collection rate, last 12 months" in text
    assert "Aging of open amounts at 2026-11-30 (CNY)" in text
    assert "Collection rate by project" in text
    assert "Definitions" in pages[-1]
    assert "Definition of stale_share" in pages[-1]
    assert [page.count("Page ") for page in pages] == [1] * len(pages)


def test_a_chinese_report_reads_in_chinese() -> None:
    pages = _pages(sample_report("zh_CN"))
    assert len(pages) >= 2
    text = "\n".join(pages)
    assert pages[0].startswith("资产组合月报 2026-11")
    for expected in ("统计月份", "数据截至", "全部资产组合", "出租率（按单元）\n 85.00%"):
        assert expected in pages[0]
    for expected in (
        EAST,
        ODD_REGION,
        LUJIAZUI,
        ZHANGJIANG,
        "区域合计",
        "近 12 个月出租率与收缴率",
        "各项目收缴率",
    ):
        assert expected in text
    assert "指标定义" in pages[-1]
    assert "第 1 页" in pages[0]


def test_a_figure_without_a_value_reads_as_a_dash() -> None:
    pages = _pages(sample_report("en"))
    odd_region = next(page for page in pages if page.count(ODD_REGION) and HARBOUR in page)
    assert "Harbour Plaza\n 85.00%\n 75.03%\n 90.00%\n —\n 59.98\n —" in odd_region


def test_a_region_with_nothing_in_it_says_so_instead_of_failing() -> None:
    nothing = {kpi.value: KpiValue(None, Decimal(0), Decimal(0), UNITS[kpi]) for kpi in Kpi}
    empty = RegionSection(7, "", nothing, [], {}, [(month, None, None) for month, _o, _c in trend()])
    blank = RegionSection(8, "Blank", {}, [], {}, [])
    report = replace(with_regions(sample_report("en"), empty, blank), total=nothing)
    text = "\n".join(_pages(report))
    assert "Region 7" in text
    assert text.count("No projects in this region.") == 2
    assert text.count("No data for this chart.") == 6
    assert "Occupancy (units)\n —\n 0\n 0" in text


def test_a_long_project_list_runs_on_over_pages_under_its_header() -> None:
    projects = [(f"项目 {number:03d}", kpis()) for number in range(1, 81)]
    region = RegionSection(1, EAST, kpis(80), projects, {"90+": Decimal("10.00")}, trend())
    pages = _pages(with_regions(sample_report("en"), region))
    row = re.compile(r"项目 (\d{3})\n (?:85\.00%|10\.0)\n")  # a project's row in either of its tables
    tables = [page for page in pages if row.search(page)]
    assert len(tables) >= 3
    assert all("\nProject\n" in page for page in tables)  # the header is repeated on each page
    assert row.findall(tables[0])[0] == "001"
    assert {"080"} <= {number for page in tables[1:] for number in row.findall(page)}
    assert sum(page.count("Collection rate by project") for page in pages) == 1
    assert sum(page.count("项目 0") for page in pages if row.search(page) is None) == 80  # the bar charts
