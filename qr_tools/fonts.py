"""Finding a font that draws Chinese project names: a configured path, then the usual Debian packages."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

# fonts-wqy-microhei first (small, one file), then fonts-noto-cjk and the other WenQuanYi face.
DEBIAN_CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Medium.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)


class FontNotFound(RuntimeError):
    """No usable CJK font: labels would print Chinese names as empty boxes."""


def find_cjk_font(configured: str | None = None, candidates: Sequence[str] = DEBIAN_CJK_FONTS) -> Path:
    """The configured font file when given (it must exist), else the first installed Debian CJK font."""
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise FontNotFound(f"LABEL_FONT_PATH points to {configured}, which is not a file")
        return path
    for candidate in candidates:
        if Path(candidate).is_file():
            return Path(candidate)
    raise FontNotFound(
        "no CJK font found for label text; install Debian's fonts-wqy-microhei (or fonts-noto-cjk), "
        "or set LABEL_FONT_PATH to a .ttf/.ttc/.otf file that covers Chinese"
    )


@lru_cache(maxsize=64)
def font_at(path: Path, size_px: int) -> ImageFont.FreeTypeFont:
    """The font at a pixel size (loaded once per size)."""
    return ImageFont.truetype(str(path), size_px)
