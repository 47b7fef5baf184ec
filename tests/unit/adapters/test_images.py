"""Photo processing on its own: what is accepted, what is refused, and that damage never crashes it."""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image

from backend.adapters.images import process_photo
from backend.core.domain.errors import DomainError, PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from tests.support.images import jpeg_with_gps, png, png_declaring, webp

LIMIT_BYTES = 10 * 1024 * 1024
LIMIT_PIXELS = 40_000_000


def test_a_photo_is_re_encoded_upright_without_metadata_with_a_small_thumbnail() -> None:
    result = process_photo(jpeg_with_gps(1200, 900, orientation=8), LIMIT_BYTES, LIMIT_PIXELS)
    assert (result.width, result.height) == (900, 1200)
    stored = Image.open(io.BytesIO(result.content))
    assert (stored.format, stored.size, dict(stored.getexif())) == ("JPEG", (900, 1200), {})
    thumbnail = Image.open(io.BytesIO(result.thumbnail))
    assert thumbnail.size == (240, 320)


def test_transparency_is_flattened_onto_white() -> None:
    result = process_photo(png(colour=(0, 0, 0, 0)), LIMIT_BYTES, LIMIT_PIXELS)
    pixel = Image.open(io.BytesIO(result.content)).convert("RGB").getpixel((10, 10))
    assert pixel == (255, 255, 255)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"GIF89a" + b"\x00" * 50, UnsupportedMediaType),
        (b"%PDF-1.7\n", UnsupportedMediaType),
        (b"", UnsupportedMediaType),
        (png_declaring(20_000, 20_000), ValidationFailed),
        (b"x" * (LIMIT_BYTES + 1), PayloadTooLarge),
    ],
)
def test_what_is_not_an_accepted_image_is_refused_with_its_own_error(data: bytes, error: type) -> None:
    with pytest.raises(error):
        process_photo(data, LIMIT_BYTES, LIMIT_PIXELS)


# Damaged EXIF makes pillow warn while parsing; the warning is not what is tested here.
@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("original", [jpeg_with_gps(200, 150), png(), webp()], ids=["jpeg", "png", "webp"])
def test_randomly_damaged_images_are_processed_or_refused_but_never_crash(original: bytes) -> None:
    rng = random.Random(11)
    outcomes = {"accepted": 0, "refused": 0}
    for _ in range(150):
        damaged = bytearray(original)
        for _ in range(rng.randint(1, 20)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        if rng.random() < 0.3:
            damaged = damaged[: rng.randrange(len(damaged))]
        try:
            process_photo(bytes(damaged), LIMIT_BYTES, LIMIT_PIXELS)
            outcomes["accepted"] += 1
        except DomainError:
            outcomes["refused"] += 1
    assert outcomes["refused"] > 0
    assert sum(outcomes.values()) == 150


@pytest.mark.parametrize(
    "photo", [jpeg_with_gps(6000, 3000, orientation=1), png(6000, 3000)], ids=["jpeg", "png"]
)
def test_a_photo_larger_than_the_stored_size_is_kept_reduced_with_its_proportions(photo: bytes) -> None:
    result = process_photo(photo, LIMIT_BYTES, LIMIT_PIXELS)
    assert (result.width, result.height) == (4096, 2048)
    assert Image.open(io.BytesIO(result.content)).size == (4096, 2048)
