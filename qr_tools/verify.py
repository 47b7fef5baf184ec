"""Decoding every QR code in a label sheet (PDF, PNG or JPEG) with an independent decoder, zxing-cpp."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import zxingcpp
from PIL import Image
from pypdf import PdfReader

PDF_MAGIC = b"%PDF-"


@dataclass(frozen=True)
class DecodedCode:
    """One QR code found in a file: on which page, where (top-left pixel), and the text it holds."""

    page: int
    text: str
    position: tuple[int, int]


def decode_image(image: Image.Image) -> list[tuple[str, tuple[int, int]]]:
    """The text and top-left corner of every QR code in an image."""
    grey = image if image.mode == "L" else image.convert("L")
    found = zxingcpp.read_barcodes(grey, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode))
    return [(code.text, (code.position.top_left.x, code.position.top_left.y)) for code in found if code.valid]


def page_images(path: Path) -> Iterator[tuple[int, Image.Image]]:
    """(page number from 1, image) for each page of an image file, or each image embedded in a PDF page."""
    with path.open("rb") as handle:
        is_pdf = handle.read(len(PDF_MAGIC)) == PDF_MAGIC
    if is_pdf:
        for number, page in enumerate(PdfReader(path).pages, start=1):
            for embedded in page.images:
                if embedded.image is not None:
                    yield number, embedded.image
        return
    with Image.open(path) as image:
        for frame in range(getattr(image, "n_frames", 1)):
            image.seek(frame)
            yield frame + 1, image.copy()


def decode_file(path: Path) -> list[DecodedCode]:
    """Every QR code in the file, page by page, in reading order (top to bottom, left to right)."""
    codes: list[DecodedCode] = []
    for number, image in page_images(path):
        found = sorted(decode_image(image), key=lambda item: (item[1][1] // 50, item[1][0]))
        codes.extend(DecodedCode(number, text, position) for text, position in found)
    return codes
