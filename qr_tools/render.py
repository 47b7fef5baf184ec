"""One label: the QR code with its quiet zone, the asset code and the project name printed under it."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import qrcode
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_M

from qr_tools.fonts import font_at

DPI = 300
MM_PER_INCH = 25.4
QUIET_ZONE_MODULES = 4
# Shares of the label height: the asset code line, the project name line, the margin above the code.
_CODE_SHARE = 0.10
_NAME_SHARE = 0.085
_TOP_SHARE = 0.02
_MIN_TEXT_PX = 12
_LINE_GAP = 1.2


@dataclass(frozen=True)
class LabelContent:
    """What one label shows: the payload URL in the QR code, and two lines of text under it."""

    url: str
    asset_code: str
    project_name: str


def mm_to_px(mm: float, dpi: int = DPI) -> int:
    """Millimetres to whole pixels at a resolution."""
    return round(mm * dpi / MM_PER_INCH)


def qr_matrix(url: str, error_correction: int = ERROR_CORRECT_M) -> list[list[bool]]:
    """The QR modules of a URL, quiet zone included (smallest version that fits)."""
    code = qrcode.QRCode(error_correction=error_correction, border=QUIET_ZONE_MODULES, box_size=1)
    code.add_data(url)
    code.make(fit=True)
    matrix: list[list[bool]] = code.get_matrix()
    return matrix


def qr_version(url: str, error_correction: int = ERROR_CORRECT_M) -> int:
    """The QR version (1-40) a URL needs."""
    return (len(qr_matrix(url, error_correction)) - 2 * QUIET_ZONE_MODULES - 17) // 4


def _qr_image(matrix: list[list[bool]], box: int) -> Image.Image:
    """The matrix scaled by a whole number of pixels per module, as a bilevel image."""
    side = len(matrix)
    pixels = bytes(0 if dark else 255 for row in matrix for dark in row)
    small = Image.frombytes("L", (side, side), pixels)
    return small.resize((side * box, side * box), Image.Resampling.NEAREST).convert("1", dither=None)


def _fitted_text(text: str, font_path: Path, size: int, width: int) -> tuple[ImageFont.FreeTypeFont, str]:
    """The largest font up to `size` in which the text fits the width, shortened with … if need be."""
    while True:
        font = font_at(font_path, size)
        if font.getlength(text) <= width or size <= _MIN_TEXT_PX:
            break
        size -= 1
    if font.getlength(text) <= width:
        return font, text
    while text and font.getlength(text + "…") > width:
        text = text[:-1]
    return font, text + "…"


def draw_label(content: LabelContent, width: int, height: int, font_path: Path) -> Image.Image:
    """A bilevel label image of the given pixel size."""
    label = Image.new("1", (width, height), 1)
    code_px = max(_MIN_TEXT_PX, round(height * _CODE_SHARE))
    name_px = max(_MIN_TEXT_PX, round(height * _NAME_SHARE))
    text_height = round((code_px + name_px) * _LINE_GAP)
    top = round(height * _TOP_SHARE)
    matrix = qr_matrix(content.url)
    box = min(height - text_height - top, width) // len(matrix)
    if box < 1:
        raise ValueError(f"a {width}×{height} px label is too small for this QR code")
    qr = _qr_image(matrix, box)
    label.paste(qr, ((width - qr.width) // 2, top))
    draw = ImageDraw.Draw(label)
    draw.fontmode = "1"
    y = top + qr.height
    margin = round(width * 0.04)
    for text, size in ((content.asset_code, code_px), (content.project_name, name_px)):
        font, shown = _fitted_text(text, font_path, size, width - 2 * margin)
        draw.text((width / 2, y), shown, font=font, fill=0, anchor="mt")
        y += round(size * _LINE_GAP)
    return label


def label_png(content: LabelContent, size_mm: tuple[float, float], font_path: Path, dpi: int = DPI) -> bytes:
    """One label as a PNG at the given physical size and resolution."""
    image = draw_label(content, mm_to_px(size_mm[0], dpi), mm_to_px(size_mm[1], dpi), font_path)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=(dpi, dpi), optimize=True)
    return buffer.getvalue()


def label_svg(content: LabelContent, size_mm: tuple[float, float]) -> str:
    """One label as SVG in millimetres; the viewer's fonts draw the text (sans-serif with CJK fallback)."""
    width, height = size_mm
    matrix = qr_matrix(content.url)
    code_mm, name_mm = height * _CODE_SHARE, height * _NAME_SHARE
    top = height * _TOP_SHARE
    module = min(height - (code_mm + name_mm) * _LINE_GAP - top, width) / len(matrix)
    left = (width - module * len(matrix)) / 2
    path = " ".join(f"M{x},{y}h1v1h-1z" for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark)
    y_code = top + module * len(matrix) + code_mm * 0.85
    y_name = y_code + code_mm * (_LINE_GAP - 0.85) + name_mm * 0.85
    font = 'font-family="sans-serif, Noto Sans CJK SC, WenQuanYi Micro Hei" text-anchor="middle"'
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}mm" height="{height}mm" '
        f'viewBox="0 0 {width} {height}">'
        f'<rect width="{width}" height="{height}" fill="#fff"/>'
        f'<path transform="translate({left:.3f},{top:.3f}) scale({module:.4f})" d="{path}" fill="#000"/>'
        f'<text x="{width / 2}" y="{y_code:.3f}" font-size="{code_mm:.3f}" {font}>'
        f"{escape(content.asset_code)}</text>"
        f'<text x="{width / 2}" y="{y_name:.3f}" font-size="{name_mm:.3f}" {font}>'
        f"{escape(content.project_name)}</text></svg>"
    )
