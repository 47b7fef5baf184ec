"""Photo processing: recognise the image by its content, refuse bombs, re-encode without EXIF, thumbnail.

Accepted: JPEG, PNG and WebP, told apart by their bytes, never by a file name. HEIC is not accepted:
phones' web cameras hand the browser JPEG, and the PWA compresses to JPEG before upload.

Memory is bounded three ways: the pixel count is checked from the header before anything is decoded; a
process decodes one photo at a time (a burst of uploads waits instead of multiplying the peak); and a JPEG
is decoded straight at the reduced scale it is stored at. What a decode took is handed back to the
operating system afterwards, so a worker does not keep its peak.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import io
import threading
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from backend.core.domain.errors import N_, PayloadTooLarge, UnsupportedMediaType, ValidationFailed

ACCEPTED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
OUTPUT_CONTENT_TYPE = "image/jpeg"
JPEG_QUALITY = 85
THUMBNAIL_QUALITY = 80
THUMBNAIL_MAX_SIDE = 320
STORED_MAX_SIDE = 4096  # the PWA sends at most 1920 px; a bigger photo is stored reduced to this
_ONE_DECODE_AT_A_TIME = threading.Lock()


@functools.cache
def _libc_malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, looked up once (find_library runs ldconfig); None elsewhere."""
    name = ctypes.util.find_library("c")
    trim: Callable[[int], int] | None = getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None
    return trim


def _malloc_trim() -> None:
    """Give freed heap memory back to the operating system, where the C library can."""
    trim = _libc_malloc_trim()
    if trim is not None:
        trim(0)


@dataclass(frozen=True)
class ProcessedImage:
    """A photo re-encoded as JPEG without metadata, its thumbnail, and what was uploaded."""

    content: bytes
    thumbnail: bytes
    width: int
    height: int
    source_content_type: str
    content_type: str = OUTPUT_CONTENT_TYPE


def process_photo(data: bytes, max_bytes: int, max_pixels: int) -> ProcessedImage:
    """Validate an uploaded photo and re-encode it; 413, 415 or 422 naming the problem."""
    check_upload_size(data, max_bytes)
    try:
        image = Image.open(io.BytesIO(data), formats=list(ACCEPTED_FORMATS))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(max_pixels) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise UnsupportedMediaType(N_("The upload is not a JPEG, PNG or WebP image.")) from None
    with image:
        width, height = image.size
        # Checked from the header, before a single pixel is decoded.
        if width * height > max_pixels:
            raise _too_many_pixels(max_pixels)
        source_type = ACCEPTED_FORMATS[image.format or ""]
        with _ONE_DECODE_AT_A_TIME:
            try:
                return _reencoded(image, source_type)
            finally:
                _malloc_trim()


def _reencoded(image: Image.Image, source_type: str) -> ProcessedImage:
    try:
        upright = _upright_rgb(image)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise ValidationFailed.single("image", N_("The image data is damaged or incomplete.")) from None
    width, height = upright.size
    content = _jpeg(upright, JPEG_QUALITY)
    upright.thumbnail((THUMBNAIL_MAX_SIDE, THUMBNAIL_MAX_SIDE))  # in place: no second full-size copy
    return ProcessedImage(
        content=content,
        thumbnail=_jpeg(upright, THUMBNAIL_QUALITY),
        width=width,
        height=height,
        source_content_type=source_type,
    )


def check_upload_size(data: bytes, max_bytes: int) -> None:
    """413 for an upload over the byte limit."""
    if len(data) > max_bytes:
        raise PayloadTooLarge(N_("The photo is larger than %(limit)s."), limit=_readable_size(max_bytes))


def _readable_size(size: int) -> str:
    """A byte count as people read it: 15 MB, 200 KB."""
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.3g} MB"
    return f"{size / 1024:.3g} KB"


def _too_many_pixels(max_pixels: int) -> ValidationFailed:
    error = ValidationFailed(
        {"image": [N_("Too many pixels; this could be a decompression bomb.")]},
        N_("The image has more than %(max_mp)s megapixels."),
    )
    error.params = {"max_mp": max_pixels // 1_000_000}
    return error


def _upright_rgb(image: Image.Image) -> Image.Image:
    """The first frame decoded at most STORED_MAX_SIDE wide and high, turned as its EXIF orientation says,
    on white where it was transparent."""
    image.seek(0)
    if image.format == "JPEG":
        image.draft("RGB", (STORED_MAX_SIDE, STORED_MAX_SIDE))  # decoded at 1/2, 1/4 or 1/8 scale
    image.load()
    if max(image.size) > STORED_MAX_SIDE:
        image.thumbnail((STORED_MAX_SIDE, STORED_MAX_SIDE), reducing_gap=2.0)
    turned = ImageOps.exif_transpose(image) or image
    if turned.mode in {"RGBA", "LA", "P", "PA"}:
        rgba = turned if turned.mode == "RGBA" else turned.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return turned.convert("RGB")


def _jpeg(image: Image.Image, quality: int) -> bytes:
    """Encode as a baseline-optimised JPEG; nothing of the source's metadata is passed on."""
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality, optimize=True)
    return out.getvalue()
