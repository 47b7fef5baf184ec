"""The monthly portfolio report as a PDF (A4 landscape): the portfolio, each region with charts, definitions.

Text Helvetica can show is set in Helvetica, any other in reportlab's built-in CID font STSong-Light (no font
file needed): the Chinese of a zh_CN report, and a Chinese name in an English one. Tables run on over pages
with their header repeated; a figure without a value reads "—".
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, TypeVar
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    LongTable,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from backend.adapters.reports import pdf_charts, texts
from backend.adapters.reports.texts import Gettext, Translations
from backend.analytics.domain.kpi import Kpi
from backend.analytics.domain.report import KpiSet, PortfolioReport, RegionSection, kpi_keys

CJK_FONT = "STSong-Light"
LATIN_FONT = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"
PAGE_SIZE = landscape(A4)
MARGIN = 14 * mm
WIDTH = PAGE_SIZE[0] - 2 * MARGIN
LABEL_COLUMN = 150.0
KPIS_ACROSS = 8  # KPI columns of one table; the others follow in a table below
BARS_PER_CHART = 20  # projects in one bar chart; more go to the next
CHART_HEIGHT = 200.0
TEXT_SIZE = 7.5
GRID = colors.HexColor("#c3c8cf")
HEADER_FILL = colors.HexColor("#e8ecf1")
Row = tuple[str, KpiSet, bool]  # label, KPIs, in bold
T = TypeVar("T")


def render_pdf(report: PortfolioReport, translations: Translations) -> bytes:
    """The PDF of the report, its labels in the report's language."""
    story = _Story(report, translations(report.locale).gettext)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=PAGE_SIZE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,
        title=story.title,
        author="LeaseKeeper",
        lang="zh-CN" if report.locale.startswith("zh") else "en",
    )
    document.build(story.flowables(), onFirstPage=story.footer, onLaterPages=story.footer)
    return buffer.getvalue()


@functools.cache
def _cjk_font() -> str:
    """The CID font for Chinese, registered with reportlab on first use."""
    pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    return CJK_FONT


def _latin(text: str) -> bool:
    """Whether Helvetica shows every character of the text (it has those of Windows-1252)."""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def font_for(text: str, bold: bool = False) -> str:
    """Helvetica for text it can show, STSong-Light for any other (Chinese; it has no bold)."""
    if _latin(text):
        return LATIN_BOLD if bold else LATIN_FONT
    return _cjk_font()


class _Story:
    """The report's flowables, in order, and the footer of its pages."""

    def __init__(self, report: PortfolioReport, gettext: Gettext) -> None:
        self.report = report
        self.gettext = gettext
        self.title = f"{gettext(texts.TITLE)} {report.period}"
        self._styles: dict[tuple[str, float, int], ParagraphStyle] = {}

    def flowables(self) -> list[Flowable]:
        """The title block and the portfolio's KPIs, each region on pages of its own, the definitions."""
        flow = self._opening()
        for region in self.report.regions:
            flow += self._region(region)
        return flow + self._definitions()

    def footer(self, canvas: Any, document: Any) -> None:
        """The report's title on the left of each page, its number on the right."""
        page = self.gettext(texts.PAGE) % {"page": document.page}
        canvas.saveState()
        canvas.setFont(font_for(self.title), 7)
        canvas.drawString(MARGIN, MARGIN / 2, self.title)
        canvas.setFont(font_for(page), 7)
        canvas.drawRightString(PAGE_SIZE[0] - MARGIN, MARGIN / 2, page)
        canvas.restoreState()

    def _opening(self) -> list[Flowable]:
        report, gettext = self.report, self.gettext
        facts = [
            (texts.PERIOD, report.period),
            (texts.PERIOD_START, report.start.isoformat()),
            (texts.PERIOD_END, report.end.isoformat()),
            (texts.AS_OF, report.as_of.isoformat()),
            (texts.CURRENCY, report.currency),
            (texts.GENERATED_AT, texts.shown_at(report.generated_at)),
        ]
        flow: list[Flowable] = [
            self._text(self.title, size=18, bold=True),
            Spacer(1, 4 * mm),
            Table(
                [[self._text(gettext(label), bold=True), self._text(value)] for label, value in facts],
                colWidths=[LABEL_COLUMN, WIDTH - LABEL_COLUMN],
                hAlign="LEFT",
            ),
            Spacer(1, 6 * mm),
            self._heading(gettext(texts.WHOLE_PORTFOLIO)),
            self._portfolio_table(),
        ]
        if report.regions:
            rows = [
                (texts.region_name(region, self.gettext), region.total, False) for region in report.regions
            ]
            flow += [Spacer(1, 6 * mm), self._heading(gettext(texts.REGIONS))]
            flow += self._kpi_tables(gettext(texts.REGION), rows)
        return flow

    def _portfolio_table(self) -> Flowable:
        report, gettext = self.report, self.gettext
        labels = (texts.KPI, texts.VALUE, texts.NUMERATOR, texts.DENOMINATOR)
        header = [
            self._text(gettext(label), bold=True, right=index > 0) for index, label in enumerate(labels)
        ]
        rows = [
            [
                self._text(self._kpi_heading(key, [report.total])),
                self._text(texts.figure(kpi), right=True),
                self._text(texts.number(kpi.numerator), right=True),
                self._text(texts.number(kpi.denominator), right=True),
            ]
            for key, kpi in ((key, report.total[key]) for key in kpi_keys([report.total]))
        ]
        other = (WIDTH - 280) / 3
        return self._table([header, *rows], [280, other, other, other])

    def _region(self, region: RegionSection) -> list[Flowable]:
        gettext = self.gettext
        rows: list[Row] = [(gettext(texts.REGION_TOTAL), region.total, True)]
        rows += [(label, kpis, False) for label, kpis in region.projects]
        flow: list[Flowable] = [PageBreak(), self._heading(texts.region_name(region, self.gettext))]
        flow += self._kpi_tables(gettext(texts.PROJECT), rows)
        if not region.projects:
            flow += [self._text(gettext(texts.NO_PROJECTS)), Spacer(1, 4 * mm)]
        half = WIDTH / 2
        charts = [[self._trend_block(region, half - 10), self._aging_block(region, half - 10)]]
        flow.append(Table(charts, colWidths=[half, half], style=[("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return flow + self._rates_blocks(region)

    def _kpi_tables(self, label_heading: str, rows: Sequence[Row]) -> list[Flowable]:
        """The rows' KPIs as tables of at most KPIS_ACROSS columns, one under the other."""
        sets = [kpis for _label, kpis, _bold in rows]
        keys = kpi_keys(sets)
        width = (WIDTH - LABEL_COLUMN) / KPIS_ACROSS
        flow: list[Flowable] = []
        for columns in _chunks(keys, KPIS_ACROSS):
            header = [self._text(label_heading, bold=True)]
            header += [self._text(self._kpi_heading(key, sets), bold=True, right=True) for key in columns]
            body = [
                [
                    self._text(label, bold=bold),
                    *(self._text(texts.figure(kpis.get(key)), bold=bold, right=True) for key in columns),
                ]
                for label, kpis, bold in rows
            ]
            flow += [self._table([header, *body], [LABEL_COLUMN, *[width] * len(columns)]), Spacer(1, 4 * mm)]
        return flow

    def _trend_block(self, region: RegionSection, width: float) -> list[Flowable]:
        names = (self.report.name_of(Kpi.OCCUPANCY_UNITS), self.report.name_of(Kpi.COLLECTION_RATE))
        periods = [period for period, _occupancy, _collection in region.trend]
        occupancy = [_percent(value) for _period, value, _collection in region.trend]
        collection = [_percent(value) for _period, _occupancy, value in region.trend]
        series = [(names[0], occupancy), (names[1], collection)]
        chart = pdf_charts.trend_chart(periods, series, width, CHART_HEIGHT, font_for)
        return self._chart_block(self.gettext(texts.TREND_CHART), chart)

    def _aging_block(self, region: RegionSection, width: float) -> list[Flowable]:
        rows = texts.aging_rows(region.aging, self.gettext)
        title = self.gettext(texts.AGING_CHART) % {"as_of": self.report.as_of.isoformat()}
        amounts = [float(amount) for _label, amount in rows]
        chart = pdf_charts.amounts_chart(
            [label for label, _amount in rows], amounts, width, CHART_HEIGHT, font_for
        )
        return self._chart_block(f"{title} ({self.report.currency})", chart)

    def _rates_blocks(self, region: RegionSection) -> list[Flowable]:
        """The collection rate of each project, BARS_PER_CHART to a chart, each chart kept on one page."""
        title = self.gettext(texts.COLLECTION_CHART)
        if not region.projects:
            return [KeepTogether(self._chart_block(title, None))]
        flow: list[Flowable] = []
        for projects in _chunks(region.projects, BARS_PER_CHART):
            labels = [label for label, _kpis in projects]
            rates = [_percent(_value(kpis, Kpi.COLLECTION_RATE)) for _label, kpis in projects]
            chart = pdf_charts.rates_chart(labels, rates, WIDTH, font_for)
            flow.append(KeepTogether(self._chart_block("" if flow else title, chart)))
        return flow

    def _chart_block(self, title: str, chart: Flowable | None) -> list[Flowable]:
        """The chart under its title (or a line saying there is nothing to draw)."""
        block: list[Flowable] = [Spacer(1, 3 * mm)]
        if title:
            block.append(self._text(title, bold=True))
        block.append(chart if chart is not None else self._text(self.gettext(texts.NO_DATA)))
        return block

    def _definitions(self) -> list[Flowable]:
        gettext = self.gettext
        labels = (texts.KPI_KEY, texts.NAME, texts.DEFINITION)
        header = [self._text(gettext(label), bold=True) for label in labels]
        rows = [[self._text(item) for item in definition] for definition in self.report.definitions]
        table = self._table([header, *rows], [120, 170, WIDTH - 290])
        return [PageBreak(), self._heading(gettext(texts.DEFINITIONS)), table]

    def _kpi_heading(self, key: str, sets: Iterable[KpiSet]) -> str:
        note = texts.unit_note(texts.unit_of(key, sets), self.report.currency, self.gettext)
        name = self.report.name_of(key)
        return f"{name} ({note})" if note else name

    def _heading(self, text: str) -> Paragraph:
        return self._text(text, size=13, bold=True, space_after=3 * mm)

    def _table(self, rows: list[list[Flowable]], widths: Sequence[float]) -> LongTable:
        style = TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, GRID),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
        return LongTable(rows, colWidths=list(widths), repeatRows=1, style=style, hAlign="LEFT")

    def _text(
        self,
        text: str,
        size: float = TEXT_SIZE,
        bold: bool = False,
        right: bool = False,
        space_after: float = 0,
    ) -> Paragraph:
        font = font_for(text, bold)
        key = (font, size, TA_RIGHT if right else TA_LEFT)
        if key not in self._styles:
            self._styles[key] = ParagraphStyle(
                f"{font}-{size}-{key[2]}", fontName=font, fontSize=size, leading=size * 1.25, alignment=key[2]
            )
        style = self._styles[key]
        if space_after:
            style = ParagraphStyle(f"{style.name}-spaced", parent=style, spaceAfter=space_after)
        return Paragraph(escape(text), style)


def _value(kpis: KpiSet, kpi: Kpi) -> Decimal | None:
    """The KPI's figure in the set, if it is there and has one."""
    found = kpis.get(kpi.value)
    return None if found is None else found.value


def _percent(value: Decimal | None) -> float | None:
    """A ratio as a percentage for a chart (charts draw floats)."""
    return None if value is None else float(value * 100)


def _chunks(items: Sequence[T], size: int) -> Iterable[Sequence[T]]:
    """The items in runs of `size` (the last may be shorter)."""
    return (items[start : start + size] for start in range(0, len(items), size))
