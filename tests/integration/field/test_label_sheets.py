"""Label sheets round trip through an independent decoder (zxing-cpp), also as a phone would see them."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops

from backend.core.domain.access import Scope
from backend.core.domain.audit import Origin
from backend.core.domain.listing import ListQuery
from backend.core.services import auth
from backend.core.services.context import Actor
from backend.field.services import labels
from qr_tools.fonts import FontNotFound, find_cjk_font, font_at
from qr_tools.payload import Keyring, Rejection, SigningKey, build, parse
from qr_tools.render import LabelContent, draw_label, label_png, label_svg
from qr_tools.sheets import LAYOUTS, Layout, layout_named, write_pdf
from qr_tools.verify import decode_file, decode_image, page_images

BASE = "https://leases.example.com"
KEYS = Keyring((SigningKey("k1", b"sheet-test-secret-1"),))
SYSTEM = Actor.system(Origin.CLI, "tests")


def contents(count: int, project_name: str = "陆家嘴中心") -> list[LabelContent]:
    codes = [f"SH-LJZ-{index:04d}" for index in range(count)]
    return [LabelContent(build(BASE, code, KEYS), code, project_name) for code in codes]


def sheet(tmp_path: Path, layout: Layout, items: list[LabelContent], font: Path) -> Path:
    path = tmp_path / f"{layout.name}.pdf"
    with path.open("wb") as handle:
        assert write_pdf(layout, items, handle, font) == len(items)
    return path


def like_a_phone_photo(page: Image.Image, scale: float, angle: float) -> Image.Image:
    """Scaled down, turned and JPEG-compressed, on a grey background."""
    small = page.convert("L").resize(
        (round(page.width * scale), round(page.height * scale)), Image.Resampling.BILINEAR
    )
    turned = small.rotate(angle, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=200)
    buffer = io.BytesIO()
    turned.save(buffer, format="JPEG", quality=55)
    return Image.open(io.BytesIO(buffer.getvalue()))


@pytest.mark.parametrize("layout_name", list(LAYOUTS))
def test_every_label_of_a_sheet_decodes_back_to_its_asset_with_a_valid_signature(
    layout_name: str, tmp_path: Path, cjk_font: Path
) -> None:
    layout = layout_named(layout_name)
    items = contents(layout.per_page + 3 if layout.per_page > 1 else 3)
    decoded = decode_file(sheet(tmp_path, layout, items, cjk_font))
    scans = [parse(code.text, KEYS, BASE) for code in decoded]
    assert all(scan.verified for scan in scans)
    assert sorted(scan.asset_code or "" for scan in scans) == [item.asset_code for item in items]
    assert max(code.page for code in decoded) == 2 if layout.per_page > 1 else 3


@pytest.mark.parametrize(("layout_name", "scale"), [("a4-3x8", 0.5), ("a4-4x10", 0.6), ("roll-50x30", 0.5)])
@pytest.mark.parametrize("angle", [-8, 15])
def test_labels_still_decode_when_photographed_small_turned_and_jpeg_compressed(
    layout_name: str, scale: float, angle: float, tmp_path: Path, cjk_font: Path
) -> None:
    layout = layout_named(layout_name)
    items = contents(layout.per_page)
    _, page = next(page_images(sheet(tmp_path, layout, items, cjk_font)))
    texts = [text for text, _ in decode_image(like_a_phone_photo(page, scale, angle))]
    assert sorted(parse(text, KEYS, BASE).asset_code or "" for text in texts) == [i.asset_code for i in items]


def test_a_single_label_at_its_real_size_decodes_after_jpeg_compression(cjk_font: Path) -> None:
    item = contents(1)[0]
    png = Image.open(io.BytesIO(label_png(item, (50, 30), cjk_font)))
    assert png.size == (591, 354)
    assert png.info["dpi"] == pytest.approx((300, 300), abs=0.01)
    [(text, _)] = decode_image(like_a_phone_photo(png, 0.5, 5))
    assert parse(text, KEYS, BASE).asset_code == item.asset_code


def test_the_quiet_zone_around_each_code_stays_white(cjk_font: Path) -> None:
    label = draw_label(contents(1)[0], 591, 354, cjk_font).convert("L")
    dark = ImageChops.invert(label).getbbox()
    assert dark is not None
    left, top, right, _ = dark
    # The QR symbol of a version-4 code is 33 modules; four more on each side must be blank.
    module = (right - left) / 33
    assert left >= 4 * module - 1
    assert top >= 4 * module - 1
    assert (591 - right) >= 4 * module - 1


def test_chinese_project_names_render_as_glyphs_not_as_missing_glyph_boxes(cjk_font: Path) -> None:
    font = font_at(cjk_font, 48)
    missing = font.getmask("\uffff")  # a code point no font covers: the missing-glyph box (or nothing)
    glyphs = {char: font.getmask(char) for char in "陆家嘴中心"}
    for char, mask in glyphs.items():
        assert mask.getbbox() is not None, f"{char} renders blank"
        assert bytes(mask) != bytes(missing), f"{char} renders as the missing glyph"
    assert len({bytes(mask) for mask in glyphs.values()}) == len(glyphs)


def test_the_project_name_under_the_code_differs_from_a_name_of_missing_glyphs(cjk_font: Path) -> None:
    real = draw_label(LabelContent(build(BASE, "X1", KEYS), "X1", "陆家嘴中心"), 591, 354, cjk_font)
    boxes = draw_label(LabelContent(build(BASE, "X1", KEYS), "X1", "\uffff" * 5), 591, 354, cjk_font)
    assert ImageChops.difference(real.convert("L"), boxes.convert("L")).getbbox() is not None


def test_an_overlong_project_name_is_shortened_to_fit_the_label(cjk_font: Path) -> None:
    label = draw_label(
        LabelContent(build(BASE, "X1", KEYS), "X1", "上海陆家嘴金融贸易区" * 6), 591, 354, cjk_font
    )
    text_rows = label.convert("L").crop((0, 300, 591, 354))
    left, _, right, _ = ImageChops.invert(text_rows).getbbox() or (0, 0, 0, 0)
    assert left > 0
    assert right < 591


def test_a_configured_font_path_must_exist_and_a_missing_font_is_named(tmp_path: Path) -> None:
    with pytest.raises(FontNotFound, match="LABEL_FONT_PATH"):
        find_cjk_font(str(tmp_path / "nope.ttf"))
    with pytest.raises(FontNotFound, match="fonts-wqy-microhei"):
        find_cjk_font(None, candidates=[str(tmp_path / "missing.ttc")])


def test_an_unknown_layout_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match="a4-3x8"):
        layout_named("letter-2x5")


def test_the_svg_label_holds_the_code_and_the_escaped_texts() -> None:
    svg = label_svg(LabelContent(build(BASE, "X1", KEYS), "X1", "A&B 中心"), (50, 30))
    assert svg.startswith("<svg")
    assert 'width="50mm"' in svg
    assert "A&amp;B 中心" in svg
    assert ">X1<" in svg


# Against the database ------------------------------------------------------------------------


@pytest.fixture
def site(make_region: Any, make_project: Any, make_asset: Any) -> dict[str, Any]:
    """A project with three assets (one leased) and another region's asset."""
    region, other = make_region("EAST"), make_region("SOUTH")
    project = make_project(region, "SH-01", name="陆家嘴中心")
    assets = [make_asset(project, f"SH-01-010{index}") for index in range(3)]
    foreign = make_asset(make_project(other, "GZ-01"), "GZ-01-0101")
    return {"region": region, "project": project, "assets": assets, "foreign": foreign}


def settings(*keys: SigningKey) -> labels.LabelSettings:
    return labels.LabelSettings(BASE, Keyring(keys))


def printed(run: Callable[..., Any], project_id: int, setup: labels.LabelSettings, tmp_path: Path) -> Path:
    path = tmp_path / "sheet.pdf"
    with path.open("wb") as handle:
        run(labels.print_sheet, project_id, [], "a4-3x8", setup, SYSTEM, out=handle)
    return path


def test_a_printed_sheet_verifies_against_the_database(
    site: dict[str, Any], run: Callable[..., Any], tmp_path: Path, cjk_font: Path
) -> None:
    setup = settings(SigningKey("k1", b"database-secret-1"))
    checks = run(
        labels.verify_codes, decode_file(printed(run, site["project"].id, setup, tmp_path)), setup, SYSTEM
    )
    assert [(c.scan.asset_code, c.ok) for c in checks] == [(a.code, True) for a in site["assets"]]


def test_key_rotation_keeps_old_sheets_valid_until_their_key_is_dropped(
    site: dict[str, Any], run: Callable[..., Any], tmp_path: Path, cjk_font: Path
) -> None:
    old, new = SigningKey("2025", b"old-database-secret"), SigningKey("2026", b"new-database-secret")
    codes = decode_file(printed(run, site["project"].id, settings(old), tmp_path))
    rotated = run(labels.verify_codes, codes, settings(new, old), SYSTEM)
    assert {(c.ok, c.scan.key_id) for c in rotated} == {(True, "2025")}
    retired = run(labels.verify_codes, codes, settings(new), SYSTEM)
    assert {c.problem for c in retired} == {Rejection.BAD_SIGNATURE}


def test_verification_reports_unknown_assets_duplicates_and_foreign_codes(
    site: dict[str, Any], run: Callable[..., Any], make_user: Any, tmp_path: Path, cjk_font: Path
) -> None:
    setup = settings(SigningKey("k1", b"database-secret-1"))
    known, foreign = site["assets"][0].code, site["foreign"].code
    items = [
        LabelContent(build(BASE, code, setup.keyring), code, "x")
        for code in (known, known, "NO-SUCH-ASSET", foreign)
    ]
    items.append(LabelContent("wxp://f2f0payment", "PAY", "x"))
    codes = decode_file(sheet(tmp_path, layout_named("a4-3x8"), items, cjk_font))
    manager = make_user("project_manager", project_id=site["project"].id)
    actor = Actor(run(lambda uow: auth.principal_of(uow.users.find(manager.id))), Origin.CLI)
    problems = [c.problem for c in run(labels.verify_codes, codes, setup, actor)]
    assert problems == [None, "duplicate", "unknown_asset", "unknown_asset", "not_a_url"]


def test_printing_a_sheet_is_audited_with_layout_and_count(
    site: dict[str, Any], run: Callable[..., Any], tmp_path: Path, cjk_font: Path
) -> None:
    printed(run, site["project"].id, settings(SigningKey("k1", b"database-secret-1")), tmp_path)
    query = ListQuery({"action": "print_labels"}, (), 1, 10)

    def latest(uow: Any) -> tuple[Any, ...]:
        entry = uow.audit.page(Scope(everything=True), query)[0][0]
        return entry.action, entry.entity_id, entry.project_id, entry.after

    project_id = site["project"].id
    after = {"layout": "a4-3x8", "labels": 3, "statuses": []}
    assert run(latest) == ("print_labels", str(project_id), project_id, after)
