"""Labelled values around a statement table: 账号：…, 期初余额 | 1,000.00, 借方合计：…, 共 12 笔."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from backend.banking.domain.cells import header_key, is_blank, plain
from backend.banking.domain.headers import Header, Row

# Several labelled values in one cell are set apart by wide gaps: "账号：6222…    户名：某某公司".
_SEGMENTS = re.compile(r"\s{2,}|\t")
_COLON = re.compile(r"[:：]")
_LINE_COUNT = re.compile(r"共\s*(\d+)\s*笔")
# The first cell of a row of totals over the whole table (a page's subtotal does not count).
TOTAL_ROWS = ("合计", "总计")


@dataclass(frozen=True)
class Labelled:
    """A value found by its label, with the line and the label as the file writes them."""

    value: object
    line: int
    label: str


def labelled(rows: Sequence[Row], markers: Mapping[str, tuple[str, ...]]) -> dict[str, Labelled]:
    """The first value of each labelled field in the rows: "label: value" in a cell, or the next cell."""
    fields = {header_key(label): name for name, labels in markers.items() for label in labels}
    found: dict[str, Labelled] = {}
    for line_no, cells in rows:
        for label, value in _pairs(cells):
            name = fields.get(header_key(label))
            if name and name not in found and not is_blank(value):
                found[name] = Labelled(value, line_no, label)
    return found


def _pairs(cells: Sequence[object]) -> Iterator[tuple[str, object]]:
    """Every (label, value) a row may hold; a label without its value takes the next cell's."""
    for position, cell in enumerate(cells):
        if not isinstance(cell, str):
            continue
        # Split at a colon of either width but keep the value as written: 户名：某某（上海）有限公司.
        for segment in _SEGMENTS.split(cell.replace("\u3000", "  ").strip()):
            parts = _COLON.split(segment, maxsplit=1)
            if len(parts) == 2:
                yield parts[0].strip(), _bare(parts[1]) or _following(cells, position)
                continue
            yield segment, _following(cells, position)
            first, _, rest = segment.partition(" ")
            if rest:
                yield first, _bare(rest)


def _bare(value: str) -> str:
    """A value without the brackets some banks put around it: 起始日期:[2026-03-01]."""
    return value.strip().strip("[]【】").strip()


def _following(cells: Sequence[object], position: int) -> object:
    return next((cell for cell in cells[position + 1 :] if not is_blank(cell)), None)


def summary_values(
    footer: Sequence[Row], header: Header, labels: Mapping[str, tuple[str, ...]]
) -> dict[str, Labelled]:
    """The totals stated below the table: by label, in a 合计 row under the amount columns, or as 共 N 笔."""
    found = labelled(footer, labels)
    for line_no, cells in footer:
        first = next((header_key(cell) for cell in cells if not is_blank(cell)), "")
        if header.layout == "split" and first.startswith(TOTAL_ROWS):
            for name, field in (("total_debits", "debit"), ("total_credits", "credit")):
                position = header.columns[field]
                if position < len(cells) and not is_blank(cells[position]) and name not in found:
                    found[name] = Labelled(cells[position], line_no, header.name(field))
        for cell in cells:
            match = _LINE_COUNT.search(plain(cell)) if isinstance(cell, str) else None
            if match and "line_count" not in found:
                found["line_count"] = Labelled(match.group(1), line_no, match.group(0))
    return found
