"""The consistency audit as a workbook (a summary sheet and the findings) and as a PDF (A4 landscape).

The report holds only what its reader may see; its texts come translated. Text Helvetica cannot show is set
in reportlab's built-in CID font STSong-Light (no font file needed).
"""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

CJK_FONT = "STSong-Light"


@dataclass(frozen=True)
class AuditReport:
    """What a reader's audit report shows, already in their language."""

    title: str
    subtitle: str
    summary_title: str
    findings_title: str
    summary_header: Sequence[str]
    summary_rows: Sequence[Sequence[str | int]]
    findings_header: Sequence[str]
    findings_rows: Sequence[Sequence[str | int]]


def _sheet(workbook: Workbook, title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    sheet = workbook.create_sheet(title[:31])
    for position, name in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = max(12, min(60, len(str(name)) * 2))
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    cells = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=str(name))
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    for row in rows:
        sheet.append([f"'{v}" if isinstance(v, str) and v.startswith("=") else v for v in row])


def render_xlsx(report: AuditReport) -> bytes:
    """The workbook: the rates by region and project, then every finding with the rows behind it."""
    workbook = Workbook(write_only=True)
    _sheet(workbook, report.summary_title, report.summary_header, report.summary_rows)
    _sheet(workbook, report.findings_title, report.findings_header, report.findings_rows)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@functools.cache
def _register_cjk() -> None:
    pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))


def _font(text: str) -> str:
    return "Helvetica" if text.isascii() else CJK_FONT


def _cell(value: object, size: float = 7.5, bold: bool = False) -> Paragraph:
    text = str(value)
    font = _font(text)
    if bold and font == "Helvetica":
        font = "Helvetica-Bold"
    style = ParagraphStyle("cell", fontName=font, fontSize=size, leading=size * 1.3)
    return Paragraph(escape(text), style)


def _table(header: Sequence[str], rows: Sequence[Sequence[object]], widths: Sequence[float]) -> LongTable:
    data = [[_cell(h, bold=True) for h in header]] + [[_cell(v) for v in row] for row in rows]
    table = LongTable(data, colWidths=list(widths), repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8edf3")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def render_pdf(report: AuditReport) -> bytes:
    """The PDF: title, the rates table, the findings table (running on over pages, header repeated)."""
    _register_cjk()
    buffer = io.BytesIO()
    page = landscape(A4)
    document = SimpleDocTemplate(
        buffer, pagesize=page, leftMargin=12 * mm, rightMargin=12 * mm, topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=report.title,
    )  # fmt: skip
    width = page[0] - 24 * mm
    title = ParagraphStyle("title", fontName=_font(report.title), fontSize=15, leading=19)
    heading = ParagraphStyle("heading", fontName=_font(report.summary_title), fontSize=11, leading=15)
    story = [
        Paragraph(escape(report.title), title),
        _cell(report.subtitle, 9),
        Spacer(1, 5 * mm),
        Paragraph(escape(report.summary_title), heading),
        _table(report.summary_header, report.summary_rows, _widths(len(report.summary_header), width, 3)),
        Spacer(1, 6 * mm),
        Paragraph(escape(report.findings_title), ParagraphStyle("h2", parent=heading,
                                                                fontName=_font(report.findings_title))),
        _table(report.findings_header, report.findings_rows, _widths(len(report.findings_header), width, 4)),
    ]  # fmt: skip
    document.build(story)
    return buffer.getvalue()


def _widths(columns: int, width: float, wide: int) -> list[float]:
    """Column widths: the column at `wide` (a sentence) takes what the others leave."""
    if columns <= wide:
        return [width / columns] * columns
    narrow = width * 0.55 / (columns - 1)
    return [width - narrow * (columns - 1) if i == wide else narrow for i in range(columns)]
