"""The monthly portfolio report as a workbook: a summary, one sheet per region, and the definitions.

Figures are numbers with a display format for their unit (a ratio as a percentage, money with two places and
the currency, days, counts), so they can be computed with; a figure without a value reads "—".
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from backend.adapters.reports import texts
from backend.adapters.reports.texts import MISSING, Gettext, Translations
from backend.analytics.domain.kpi import Kpi, KpiValue, Unit
from backend.analytics.domain.report import KpiSet, PortfolioReport, RegionSection, kpi_keys

# Excel refuses these in a sheet's name, and names longer than 31 characters; "History" is its own.
_NOT_IN_TITLES = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
TITLE_LENGTH = 31
_RESERVED_TITLES = frozenset({"history"})
DATE_FORMAT = "yyyy-mm-dd"
BOLD = Font(bold=True)


def render_xlsx(report: PortfolioReport, translations: Translations) -> bytes:
    """The workbook of the report, its labels in the report's language."""
    gettext = translations(report.locale).gettext
    workbook = Workbook(write_only=True)
    taken = set(_RESERVED_TITLES)
    summary = workbook.create_sheet(sheet_title(gettext(texts.SUMMARY), taken, "Summary"))
    definitions_title = sheet_title(gettext(texts.DEFINITIONS), taken, "Definitions")
    _Sheet(summary, report, gettext).summary()
    for region in report.regions:
        name = texts.region_name(region, gettext)
        sheet = workbook.create_sheet(sheet_title(region.region_name, taken, name))
        _Sheet(sheet, report, gettext).region(region)
    _Sheet(workbook.create_sheet(definitions_title), report, gettext).definitions()
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sheet_title(name: str, taken: set[str], fallback: str) -> str:
    """A valid sheet name for `name`, unlike every name in `taken` (compared ignoring case; added to it).

    Characters Excel refuses become "_", an apostrophe may not open or close it, it is cut to 31 characters,
    and a name already taken gets " (2)", " (3)"… within those 31; an empty name becomes `fallback`.
    """
    base = _trimmed(_NOT_IN_TITLES.sub("_", name)) or fallback
    title = _trimmed(base[:TITLE_LENGTH])
    copy = 2
    while title.casefold() in taken:
        suffix = f" ({copy})"
        title = _trimmed(base[: TITLE_LENGTH - len(suffix)]) + suffix
        copy += 1
    taken.add(title.casefold())
    return title


def _trimmed(title: str) -> str:
    """Without spaces or apostrophes at either end."""
    return title.strip(" '")


def number_format(unit: Unit, currency: str, gettext: Gettext) -> str:
    """The display format of a figure of the unit, e.g. `0.00%`, `#,##0.00" CNY"`, `0.0" days"`."""
    if unit == Unit.RATIO:
        return "0.00%"
    if unit == Unit.MONEY:
        return f'#,##0.00" {_literal(currency)}"'
    if unit == Unit.DAYS:
        return f'#,##0.0" {_literal(gettext(texts.DAYS))}"'
    return "#,##0"


def _literal(text: str) -> str:
    """Text that may stand between the quotes of a number format."""
    return text.replace('"', "").replace("\\", "")


class _Sheet:
    """Writes one sheet of the report, row by row (the workbook is written in streaming mode)."""

    # Any: the stubs of the streaming worksheet leave out column_dimensions.
    def __init__(self, sheet: Any, report: PortfolioReport, gettext: Gettext) -> None:
        self.sheet = sheet
        self.report = report
        self.gettext = gettext

    def summary(self) -> None:
        """The report's period and time, the portfolio's KPIs with their sums, and each region's KPIs."""
        report, gettext = self.report, self.gettext
        keys = kpi_keys([report.total])
        region_keys = kpi_keys(region.total for region in report.regions)
        self._widths([34, 18, 18, 18, 22, *[18] * max(len(region_keys) - 4, 0)])
        self._title(f"{gettext(texts.TITLE)} {report.period}")
        self._row([gettext(texts.PERIOD), report.period])
        self._row([gettext(texts.PERIOD_START), report.start])
        self._row([gettext(texts.PERIOD_END), report.end])
        self._row([gettext(texts.AS_OF), report.as_of])
        self._row([gettext(texts.CURRENCY), report.currency])
        self._row([gettext(texts.GENERATED_AT), texts.shown_at(report.generated_at)])
        self._row([])
        self._title(gettext(texts.WHOLE_PORTFOLIO))
        header = [texts.KPI, texts.VALUE, texts.NUMERATOR, texts.DENOMINATOR, texts.KPI_KEY]
        self._header([gettext(label) for label in header])
        for key in keys:
            kpi = report.total[key]
            self._row([report.name_of(key), self._figure(kpi), kpi.numerator, kpi.denominator, key])
        self._row([])
        self._title(gettext(texts.REGIONS))
        self._header([gettext(texts.REGION), *(report.name_of(key) for key in region_keys)])
        for region in report.regions:
            self._kpi_row(texts.region_name(region, gettext), region.total, region_keys)

    def region(self, region: RegionSection) -> None:
        """The region's total and projects (a KPI a column), its aging and its twelve months."""
        gettext = self.gettext
        keys = kpi_keys([region.total, *(kpis for _label, kpis in region.projects)])
        self._widths([34, *[18] * max(len(keys), 2)])
        self._title(texts.region_name(region, gettext))
        self._row([])
        self._header([gettext(texts.PROJECT), *(self.report.name_of(key) for key in keys)])
        self._kpi_row(gettext(texts.REGION_TOTAL), region.total, keys, bold=True)
        for label, kpis in region.projects:
            self._kpi_row(label, kpis, keys)
        if not region.projects:
            self._row([gettext(texts.NO_PROJECTS)])
        self._row([])
        self._aging(region)
        self._row([])
        self._trend(region)

    def definitions(self) -> None:
        """Each KPI's key, name and definition."""
        self._widths([22, 30, 100])
        self._header([self.gettext(label) for label in (texts.KPI_KEY, texts.NAME, texts.DEFINITION)])
        for key, name, definition in self.report.definitions:
            self._row([key, name, definition])

    def _aging(self, region: RegionSection) -> None:
        money = number_format(Unit.MONEY, self.report.currency, self.gettext)
        self._header([self.gettext(texts.AGING_BUCKET), self.gettext(texts.OPEN_AMOUNT)])
        rows = texts.aging_rows(region.aging, self.gettext)
        for label, amount in rows:
            self._row([label, self._cell(amount, money)])
        total = sum((amount for _label, amount in rows), Decimal("0.00"))
        self._row([self._cell(self.gettext(texts.TOTAL), bold=True), self._cell(total, money, bold=True)])

    def _trend(self, region: RegionSection) -> None:
        names = [self.report.name_of(Kpi.OCCUPANCY_UNITS), self.report.name_of(Kpi.COLLECTION_RATE)]
        self._header([self.gettext(texts.MONTH), *names])
        ratio = number_format(Unit.RATIO, self.report.currency, self.gettext)
        for period, *ratios in region.trend:
            self._row([period, *(MISSING if value is None else self._cell(value, ratio) for value in ratios)])

    def _kpi_row(self, label: str, kpis: KpiSet, keys: Sequence[str], bold: bool = False) -> None:
        cells = [self._figure(kpis.get(key), bold) for key in keys]
        self._row([self._cell(label, bold=bold), *cells])

    def _figure(self, kpi: KpiValue | None, bold: bool = False) -> Cell:
        """The KPI's value in its unit's format, or "—"."""
        if kpi is None or kpi.value is None:
            return self._cell(MISSING, bold=bold)
        return self._cell(kpi.value, number_format(Unit(kpi.unit), self.report.currency, self.gettext), bold)

    def _title(self, text: str) -> None:
        self._row([self._cell(text, bold=True)])

    def _header(self, labels: Iterable[str]) -> None:
        self._row([self._cell(label, bold=True) for label in labels])

    def _row(self, values: Iterable[object]) -> None:
        self.sheet.append([value if isinstance(value, Cell) else self._cell(value) for value in values])

    def _widths(self, widths: Sequence[float]) -> None:
        for position, width in enumerate(widths, start=1):
            self.sheet.column_dimensions[get_column_letter(position)].width = width

    def _cell(self, value: object, display: str | None = None, bold: bool = False) -> Cell:
        cell = WriteOnlyCell(self.sheet, value=value)  # type: ignore[arg-type]  # the stubs leave out date and Decimal
        if isinstance(value, str) and value.startswith("="):
            cell.data_type = "s"  # a name, never a formula
        if isinstance(value, date) and not isinstance(value, datetime):
            cell.number_format = DATE_FORMAT
        if display:
            cell.number_format = display
        if bold:
            cell.font = BOLD
        return cell
