"""Real image files for upload tests, made with pillow (and one hand-built PNG header)."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib

from PIL import ExifTags, Image

# Lujiazui, Shanghai, as a camera would write it into the GPS block.
GPS_LUJIAZUI = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (31.0, 14.0, 0.24),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (121.0, 30.0, 19.2),
}


def jpeg_with_gps(width: int = 640, height: int = 480, orientation: int = 6) -> bytes:
    """A JPEG with camera EXIF: make, model, orientation and a GPS position."""
    image = Image.new("RGB", (width, height), (180, 40, 40))
    image.paste((30, 90, 200), (0, 0, width // 2, height // 3))  # so orientation is visible
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Huawei"
    exif[ExifTags.Base.Model] = "Mate 60"
    exif[ExifTags.Base.Orientation] = orientation
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(GPS_LUJIAZUI)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90, exif=exif)
    return out.getvalue()


def png(width: int = 200, height: int = 100, colour: tuple[int, int, int, int] = (0, 128, 0, 128)) -> bytes:
    """A PNG with transparency."""
    out = io.BytesIO()
    Image.new("RGBA", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


def webp(width: int = 120, height: int = 90) -> bytes:
    """A WebP image."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 20, 30)).save(out, format="WEBP")
    return out.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims huge dimensions: a decompression bomb's calling card."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", pixels) + _chunk(b"IEND", b"")


def sha256(data: bytes) -> str:
    """The hex SHA-256 of bytes, as the phone computes it."""
    return hashlib.sha256(data).hexdigest()
