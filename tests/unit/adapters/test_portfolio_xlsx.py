"""The monthly portfolio report as a workbook: its sheets, figures as numbers in their unit's format, labels
in the reader's language, and "—" where there is no figure."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.workbook import Workbook

from backend.adapters.reports.portfolio_xlsx import TITLE_LENGTH, render_xlsx, sheet_title
from backend.analytics.domain.kpi import UNITS, Kpi, KpiValue
from backend.analytics.domain.report import PortfolioReport, RegionSection
from backend.config import Config
from backend.notify.delivery import Catalogue
from tests.support.portfolio_report import (
    EAST,
    HARBOUR,
    LUJIAZUI,
    ZHANGJIANG,
    east,
    sample_report,
    with_regions,
)

CATALOGUE = Catalogue(Config.BABEL_TRANSLATION_DIRECTORIES)
ODD_TITLE = "South_West_ _Coastal__ region_"


def _workbook(report: PortfolioReport) -> Workbook:
    return load_workbook(io.BytesIO(render_xlsx(report, CATALOGUE.translations)))


def _row(sheet: Any, label: str, after: str | None = None) -> list[Any]:
    """The cells of the first row starting with `label` (below the one starting with `after`, if given),
    up to its last value."""
    rows = list(sheet.iter_rows())
    start = 0 if after is None else next(i for i, row in enumerate(rows) if row[0].value == after)
    cells = list(next(row for row in rows[start:] if row[0].value == label))
    while cells[-1].value is None:
        cells.pop()
    return cells


def _decimal(value: object) -> Decimal:
    assert isinstance(value, int | float)
    return Decimal(repr(value))


def test_the_workbook_has_a_summary_a_sheet_per_region_and_the_definitions() -> None:
    workbook = _workbook(sample_report("en"))
    assert workbook.sheetnames == ["Summary", EAST, ODD_TITLE, "Definitions"]
    assert len(ODD_TITLE) <= TITLE_LENGTH
    assert workbook[ODD_TITLE]["A1"].value == "South/West: [Coastal]* region? of the bay"


def test_the_summary_shows_each_kpi_in_its_unit_with_its_numerator_and_denominator() -> None:
    report = sample_report("en")
    summary = _workbook(report)["Summary"]
    assert summary["A1"].value == "Portfolio report 2026-11"
    assert [summary[f"A{row}"].value for row in range(2, 8)] == [
        "Period",
        "Period start",
        "Period end",
        "As of",
        "Currency",
        "Generated at",
    ]
    assert summary["B5"].value.date() == report.as_of
    assert summary["B5"].number_format == "yyyy-mm-dd"
    assert summary["B7"].value == "2026-12-01 09:30+08:00"
    assert [cell.value for cell in _row(summary, "KPI")] == [
        "KPI",
        "Value",
        "Numerator",
        "Denominator",
        "KPI key",
    ]

    _name, value, numerator, denominator, key = _row(summary, "Occupancy (units)")
    assert (value.value, value.number_format) == (0.85, "0.00%")
    assert (numerator.value, denominator.value, key.value) == (51, 60, "occupancy_units")
    arpu = _row(summary, "Rent per occupied unit")[1]
    assert _decimal(arpu.value) == report.total[Kpi.ARPU].value == Decimal("5294.12")
    assert arpu.number_format == '#,##0.00" CNY"'
    assert _row(summary, "Days sales outstanding")[1].number_format == '#,##0.0" days"'
    assert _row(summary, "Expiring within 90 days")[1].value == 12
    assert _row(summary, "Expiring within 90 days")[1].number_format == "#,##0"


def test_the_summary_has_a_row_per_region_and_a_missing_figure_reads_as_a_dash() -> None:
    summary = _workbook(sample_report("en"))["Summary"]
    header = [cell.value for cell in _row(summary, "Region")]
    assert header[:3] == ["Region", "Occupancy (units)", "Occupancy (area)"]
    east_row = _row(summary, EAST)
    odd_row = _row(summary, "South/West: [Coastal]* region? of the bay")
    arpu = header.index("Rent per occupied unit")
    assert _decimal(east_row[arpu].value) == Decimal("5294.12")
    assert odd_row[arpu].value == "—"


def test_a_region_sheet_lists_its_total_its_projects_its_aging_and_its_trend() -> None:
    sheet = _workbook(sample_report("en"))[EAST]
    header = [cell.value for cell in _row(sheet, "Project")]
    assert header[1] == "Occupancy (units)"
    assert len(header) == 1 + len(Kpi)
    assert [row[0].value for row in sheet.iter_rows(min_row=4, max_row=6)] == [
        "Region total",
        LUJIAZUI,
        ZHANGJIANG,
    ]
    zhangjiang = _row(sheet, ZHANGJIANG)[1]
    assert (zhangjiang.value, zhangjiang.number_format) == (0.9, "0.00%")

    overdue = _row(sheet, "31–60 days overdue")[1]
    assert _decimal(overdue.value) == Decimal("4000.50")
    assert overdue.number_format == '#,##0.00" CNY"'
    assert _row(sheet, "16–30 days overdue")[1].value == 0
    assert _decimal(_row(sheet, "Total", after="Aging bucket")[1].value) == Decimal("30000.00")

    assert [cell.value for cell in _row(sheet, "Month")] == ["Month", "Occupancy (units)", "Collection rate"]
    march = _row(sheet, "2026-03")
    assert (march[1].value, march[1].number_format, march[2].value) == (0.85, "0.00%", "—")


def test_the_definitions_sheet_gives_each_kpis_key_name_and_definition() -> None:
    report = sample_report("en")
    rows = [[cell.value for cell in row] for row in _workbook(report)["Definitions"].iter_rows()]
    assert rows[0] == ["KPI key", "Name", "Definition"]
    assert rows[1:] == [list(definition) for definition in report.definitions]


def test_in_chinese_every_label_and_unit_reads_in_chinese() -> None:
    workbook = _workbook(sample_report("zh_CN"))
    assert workbook.sheetnames == ["概览", EAST, ODD_TITLE, "指标定义"]
    summary = workbook["概览"]
    assert summary["A1"].value == "资产组合月报 2026-11"
    assert [summary[f"A{row}"].value for row in range(2, 8)] == [
        "统计月份",
        "统计期首日",
        "统计期末日",
        "数据截至",
        "币种",
        "生成时间",
    ]
    assert [cell.value for cell in _row(summary, "指标")] == ["指标", "数值", "分子", "分母", "指标代码"]
    assert _row(summary, "出租率（按单元）")[1].number_format == "0.00%"
    assert _row(summary, "应收账款周转天数")[1].number_format == '#,##0.0" 天"'
    region = workbook[EAST]
    assert [row[0].value for row in region.iter_rows(min_row=3, max_row=5)] == ["项目", "区域合计", LUJIAZUI]
    assert [cell.value for cell in _row(region, "账龄区间")] == ["账龄区间", "未收金额"]
    assert _row(region, "未到期")[1].value == 18000
    assert _row(region, "逾期 90 天以上")[1].value == 1999.5
    assert _row(region, "合计", after="账龄区间")[1].value == 30000
    assert [cell.value for cell in _row(workbook["指标定义"], "指标代码")] == ["指标代码", "名称", "定义"]


def test_a_region_without_projects_aging_trend_or_figures_is_written_with_dashes() -> None:
    empty = RegionSection(
        region_id=7,
        region_name="",
        total={kpi.value: KpiValue(None, Decimal(0), Decimal(0), UNITS[kpi]) for kpi in Kpi},
        projects=[],
        aging={},
        trend=[("2026-11", None, None)],
    )
    workbook = _workbook(with_regions(sample_report("en"), empty))
    assert workbook.sheetnames == ["Summary", "Region 7", "Definitions"]
    sheet = workbook["Region 7"]
    assert sheet["A1"].value == "Region 7"
    assert _row(workbook["Summary"], "Region 7")[1].value == "—"
    total = [cell.value for cell in _row(sheet, "Region total")]
    assert total[1:] == ["—"] * len(Kpi)
    assert _row(sheet, "No projects in this region.")
    assert [cell.value for cell in _row(sheet, "Not yet due")] == ["Not yet due", 0]
    assert [cell.value for cell in _row(sheet, "2026-11")] == ["2026-11", "—", "—"]


def test_regions_of_the_same_name_get_sheets_of_their_own_and_names_stay_text() -> None:
    twin = RegionSection(2, EAST, {}, [("=HYPERLINK(1)", {})], {}, [])
    workbook = _workbook(with_regions(sample_report("en"), east(), twin))
    assert workbook.sheetnames == ["Summary", EAST, f"{EAST} (2)", "Definitions"]
    label = _row(workbook[f"{EAST} (2)"], "=HYPERLINK(1)")[0]
    assert label.data_type == "s"


@pytest.mark.parametrize(
    ("name", "taken", "title"),
    [
        ("华东/华南: [一区]", set(), "华东_华南_ _一区_"),
        ("'Quoted'", set(), "Quoted"),
        ("x" * 40, set(), "x" * 31),
        ("Summary", {"summary"}, "Summary (2)"),
        ("x" * 40, {"x" * 31, "x" * 27 + " (2)"}, "x" * 27 + " (3)"),
        ("History", {"history"}, "History (2)"),
        (" ' ", set(), "Region 9"),
    ],
)
def test_a_sheet_title_is_one_excel_accepts_and_unlike_those_taken(
    name: str, taken: set[str], title: str
) -> None:
    names = set(taken)
    assert sheet_title(name, names, "Region 9") == title
    assert names == {*taken, title.casefold()}


def test_a_project_name_is_kept_whole_in_its_cell() -> None:
    workbook = _workbook(sample_report("en"))
    assert _row(workbook[ODD_TITLE], HARBOUR)[0].value == HARBOUR
