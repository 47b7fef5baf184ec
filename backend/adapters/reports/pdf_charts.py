"""The report's charts as reportlab drawings: a trend of percentages, amounts by bucket, a rate per project.

Each returns None when it has nothing to draw (every value missing), so the page says so instead. Every text
is set in the font `font_of` gives for it, so that a Chinese name shows in a report in English too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

FontOf = Callable[[str], str]

SERIES_COLOURS = (colors.HexColor("#1f5fa8"), colors.HexColor("#e07b00"))
AMOUNT_COLOUR = colors.HexColor("#b8412c")
RATE_COLOUR = colors.HexColor("#2e8b57")
LABEL_SIZE = 7
BAR_HEIGHT = 14
LONGEST_LABEL = 200.0  # points; longer category names are cut with "…"


def percent_axis(axis: Any, font_of: FontOf) -> None:
    """A value axis from 0 % to 100 % in steps of 20."""
    axis.valueMin = 0
    axis.valueMax = 100
    axis.valueStep = 20
    axis.labelTextFormat = "%d%%"
    axis.labels.fontSize = LABEL_SIZE
    axis.labels.fontName = font_of("100%")


def trend_chart(
    periods: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    width: float,
    height: float,
    font_of: FontOf,
) -> Drawing | None:
    """Lines of percentages over the periods, one per named series (a series without values is left out)."""
    drawn = [(name, values) for name, values in series if any(value is not None for value in values)]
    if not drawn or not periods:
        return None
    drawing = Drawing(width, height)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 46, 42, width - 60, height - 72
    chart.data = [list(values) for _name, values in drawn]
    chart.joinedLines = 1
    chart.categoryAxis.categoryNames = list(periods)
    chart.categoryAxis.labels.angle = 45
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.categoryAxis.labels.fontSize = LABEL_SIZE
    chart.categoryAxis.labels.fontName = font_of(" ".join(periods))
    percent_axis(chart.valueAxis, font_of)
    for index, _series in enumerate(drawn):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        chart.lines[index].strokeColor = colour
        chart.lines[index].strokeWidth = 1.5
        chart.lines[index].symbol = makeMarker("FilledCircle", size=3, fillColor=colour, strokeColor=colour)
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = chart.x, height - 8
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.fontSize = LABEL_SIZE + 1
    legend.fontName = font_of(" ".join(name for name, _values in drawn))
    legend.colorNamePairs = [
        (SERIES_COLOURS[index % len(SERIES_COLOURS)], name) for index, (name, _values) in enumerate(drawn)
    ]
    drawing.add(legend)
    return drawing


def amounts_chart(
    categories: Sequence[str],
    amounts: Sequence[float],
    width: float,
    height: float,
    font_of: FontOf,
) -> Drawing | None:
    """A column per category with its amount (nothing to draw when every amount is zero)."""
    if not any(amounts):
        return None
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 56, 48, width - 66, height - 62
    chart.data = [list(amounts)]
    chart.bars[0].fillColor = AMOUNT_COLOUR
    chart.categoryAxis.categoryNames = list(categories)
    chart.categoryAxis.labels.angle = 30
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.categoryAxis.labels.fontSize = LABEL_SIZE
    for index, category in enumerate(categories):
        chart.categoryAxis.labels[index].fontName = font_of(category)
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labelTextFormat = _thousands
    chart.valueAxis.labels.fontSize = LABEL_SIZE
    chart.valueAxis.labels.fontName = font_of("0")
    drawing.add(chart)
    return drawing


def rates_chart(
    categories: Sequence[str], rates: Sequence[float | None], width: float, font_of: FontOf
) -> Drawing | None:
    """A horizontal bar per category with its percentage, the first on top (a missing rate draws no bar)."""
    if not any(rate is not None for rate in rates):
        return None
    labels = [_cut(category, font_of(category)) for category in categories]
    label_width = max(stringWidth(label, font_of(label), LABEL_SIZE) for label in labels)
    drawing = Drawing(width, BAR_HEIGHT * len(categories) + 30)
    chart = HorizontalBarChart()
    chart.x, chart.y = label_width + 10, 20
    chart.width, chart.height = width - label_width - 50, BAR_HEIGHT * len(categories)
    chart.data = [list(rates)]
    chart.bars[0].fillColor = RATE_COLOUR
    chart.barLabelFormat = "%.1f%%"
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    chart.barLabels.fontSize = LABEL_SIZE
    chart.barLabels.fontName = font_of("100.0%")
    chart.categoryAxis.categoryNames = labels
    chart.categoryAxis.reverseDirection = 1
    chart.categoryAxis.labels.fontSize = LABEL_SIZE
    for index, label in enumerate(labels):
        chart.categoryAxis.labels[index].fontName = font_of(label)
    percent_axis(chart.valueAxis, font_of)
    drawing.add(chart)
    return drawing


def _thousands(value: float) -> str:
    return f"{value:,.0f}"


def _cut(text: str, font: str) -> str:
    """The text, cut with "…" to fit a category label's room."""
    if stringWidth(text, font, LABEL_SIZE) <= LONGEST_LABEL:
        return text
    while text and stringWidth(text + "…", font, LABEL_SIZE) > LONGEST_LABEL:
        text = text[:-1]
    return text + "…"
