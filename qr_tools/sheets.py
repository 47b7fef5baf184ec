"""Label sheets: sticker layouts as data, and a multi-page PDF written one page at a time.

Each page is drawn as one bilevel 300 dpi image (QR codes and text alike) and written to the PDF as
soon as it is complete, so thousands of labels take no more memory than one page.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import BinaryIO

from PIL import Image

from qr_tools.render import DPI, MM_PER_INCH, LabelContent, draw_label, mm_to_px

POINTS_PER_INCH = 72


@dataclass(frozen=True)
class Layout:
    """A sticker sheet or roll: page size, label size, grid, and where the first label sits (mm)."""

    name: str
    description: str
    page_mm: tuple[float, float]
    label_mm: tuple[float, float]
    columns: int
    rows: int
    origin_mm: tuple[float, float] = (0.0, 0.0)
    pitch_mm: tuple[float, float] | None = None

    @property
    def per_page(self) -> int:
        """Labels on one page."""
        return self.columns * self.rows

    def page_px(self, dpi: int = DPI) -> tuple[int, int]:
        """The page size in pixels."""
        return mm_to_px(self.page_mm[0], dpi), mm_to_px(self.page_mm[1], dpi)

    def label_px(self, dpi: int = DPI) -> tuple[int, int]:
        """One label's size in pixels."""
        return mm_to_px(self.label_mm[0], dpi), mm_to_px(self.label_mm[1], dpi)

    def position_px(self, index: int, dpi: int = DPI) -> tuple[int, int]:
        """The top-left corner of the index-th label of a page (row by row)."""
        pitch_x, pitch_y = self.pitch_mm or self.label_mm
        row, column = divmod(index, self.columns)
        return (
            mm_to_px(self.origin_mm[0] + column * pitch_x, dpi),
            mm_to_px(self.origin_mm[1] + row * pitch_y, dpi),
        )


LAYOUTS: dict[str, Layout] = {
    layout.name: layout
    for layout in (
        Layout("a4-3x8", "A4 sheet, 3 × 8 labels of 70 × 37 mm", (210, 297), (70, 37), 3, 8, (0, 0.5)),
        Layout(
            "a4-4x10", "A4 sheet, 4 × 10 labels of 48.5 × 25.4 mm", (210, 297), (48.5, 25.4), 4, 10, (8, 21.5)
        ),
        Layout("roll-50x30", "Thermal roll, one 50 × 30 mm label per page", (50, 30), (50, 30), 1, 1),
    )
}


def layout_named(name: str) -> Layout:
    """A layout by name; ValueError lists the known ones."""
    try:
        return LAYOUTS[name]
    except KeyError:
        raise ValueError(f"unknown layout {name!r}; use one of {', '.join(LAYOUTS)}") from None


def pages(
    layout: Layout, labels: Iterable[LabelContent], font_path: Path
) -> Iterator[tuple[Image.Image, int]]:
    """Each page image with the number of labels on it, drawn lazily."""
    width, height = layout.label_px()
    remaining = iter(labels)
    while chunk := list(islice(remaining, layout.per_page)):
        page = Image.new("1", layout.page_px(), 1)
        for index, content in enumerate(chunk):
            page.paste(draw_label(content, width, height, font_path), layout.position_px(index))
        yield page, len(chunk)


def write_pdf(
    layout: Layout,
    labels: Iterable[LabelContent],
    out: BinaryIO,
    font_path: Path,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the labels as a PDF, page by page; returns how many were written. progress(n) after each page."""
    writer = _PdfWriter(out)
    count = 0
    for page, on_page in pages(layout, labels, font_path):
        writer.add_page(page, layout.page_mm)
        count += on_page
        if progress is not None:
            progress(on_page)
    if count == 0:
        raise ValueError("no labels to write")
    writer.finish()
    return count


class _PdfWriter:
    """A minimal PDF writer: one full-page bilevel image per page, objects streamed as they are made.

    Object 1 is the catalog and object 2 the page tree; both are written last, once every page is known.
    """

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.written = 0
        self.offsets: dict[int, int] = {}
        self.page_ids: list[int] = []
        self.next_id = 3
        self._write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")

    def _write(self, data: bytes) -> None:
        self.out.write(data)
        self.written += len(data)

    def _object(self, body: bytes, stream: bytes | None = None, object_id: int | None = None) -> int:
        if object_id is None:
            object_id, self.next_id = self.next_id, self.next_id + 1
        self.offsets[object_id] = self.written
        self._write(b"%d 0 obj\n" % object_id + body)
        if stream is not None:
            self._write(b"\nstream\n" + stream + b"\nendstream")
        self._write(b"\nendobj\n")
        return object_id

    def add_page(self, image: Image.Image, page_mm: tuple[float, float]) -> None:
        """Append a page showing a bilevel image over the whole page."""
        data = zlib.compress(image.tobytes(), 6)
        image_id = self._object(
            b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
            b"/BitsPerComponent 1 /Filter /FlateDecode /Length %d >>"
            % (image.width, image.height, len(data)),
            data,
        )
        width_pt, height_pt = (round(mm * POINTS_PER_INCH / MM_PER_INCH, 3) for mm in page_mm)
        content = b"q %.3f 0 0 %.3f 0 0 cm /Im0 Do Q" % (width_pt, height_pt)
        content_id = self._object(b"<< /Length %d >>" % len(content), content)
        page_id = self._object(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.3f %.3f] "
            b"/Resources << /XObject << /Im0 %d 0 R >> >> /Contents %d 0 R >>"
            % (width_pt, height_pt, image_id, content_id)
        )
        self.page_ids.append(page_id)

    def finish(self) -> None:
        """Write the page tree, the catalog, the cross-reference table and the trailer."""
        kids = b" ".join(b"%d 0 R" % page_id for page_id in self.page_ids)
        self._object(b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(self.page_ids)), object_id=2)
        self._object(b"<< /Type /Catalog /Pages 2 0 R >>", object_id=1)
        xref_at = self.written
        size = self.next_id
        lines = [b"xref\n0 %d\n" % size, b"0000000000 65535 f \n"]
        lines += [b"%010d 00000 n \n" % self.offsets[object_id] for object_id in range(1, size)]
        self._write(b"".join(lines))
        self._write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref_at))
