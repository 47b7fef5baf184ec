"""The built field app is installable, small at start, and never leaves its own origin."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from PIL import Image
from playwright.sync_api import expect

from tests.e2e.bundle import (
    INITIAL_JS_BUDGET,
    INLINED_WASM,
    OFFICE_INITIAL_JS_BUDGET,
    gzipped_size,
    in_dist,
    initial_js,
    manifest_of,
)
from tests.e2e.helpers import SYNC_WAIT_MS, sign_in, wait_until_offline_ready
from tests.e2e.live import Phone, Site


def test_the_manifest_makes_the_app_installable(dist: Path) -> None:
    path, manifest = manifest_of(dist)
    assert manifest.get("name"), "the manifest has no name"
    assert manifest.get("display") == "standalone"
    assert manifest.get("start_url"), "the manifest has no start_url"
    sizes = []
    for icon in manifest.get("icons", []):
        icon_path = in_dist(dist, icon["src"], "/" + path.relative_to(dist).as_posix())
        assert icon_path.is_file(), f"manifest icon {icon['src']} is not in the build"
        with Image.open(icon_path) as image:
            width, height = image.size
        declared = icon.get("sizes", "")
        assert f"{width}x{height}" in declared.split(), (
            f"{icon['src']} is {width}x{height}, declared {declared}"
        )
        sizes.append(min(width, height))
    assert any(size >= 192 for size in sizes), f"no icon of at least 192 px: {sizes}"
    assert any(size >= 512 for size in sizes), f"no icon of at least 512 px: {sizes}"


def test_a_service_worker_is_built(dist: Path) -> None:
    workers = [name for name in ("sw.js", "service-worker.js") if (dist / name).is_file()]
    assert workers, f"no service worker (sw.js or service-worker.js) at the root of {dist}"


def test_the_initial_javascript_is_small_and_holds_no_decoder(dist: Path) -> None:
    files = initial_js(dist)
    assert files, "index.html loads no script"
    sizes = {path.relative_to(dist).as_posix(): gzipped_size(path) for path in files}
    listing = ", ".join(f"{name} {size / 1024:.1f} KB" for name, size in sizes.items())
    total = sum(sizes.values())
    assert total <= INITIAL_JS_BUDGET, (
        f"initial JS is {total / 1024:.1f} KB gzipped (budget 150 KB): {listing}"
    )
    for path in files:
        assert path.suffix != ".wasm"
        assert INLINED_WASM not in path.read_text(encoding="utf-8", errors="replace"), (
            f"{path.name} inlines a WebAssembly module; the decoder must load on demand"
        )
    wasm = sorted(path.relative_to(dist).as_posix() for path in dist.rglob("*.wasm"))
    assert wasm, "the build ships no .wasm: the ZXing decoder must be served from our own origin"


def test_the_office_app_loads_little_and_stays_out_of_the_field_apps_precache(dist: Path) -> None:
    files = initial_js(dist, "office/index.html")
    assert files, "office/index.html loads no script"
    total = sum(gzipped_size(path) for path in files)
    assert total <= OFFICE_INITIAL_JS_BUDGET, f"office initial JS: {total / 1024:.1f} KB gzip (budget 250 KB)"
    # Its screens, the grid, the date picker and Swagger UI are never in the phone's offline cache.
    precache = (dist / "sw.js").read_text(encoding="utf-8")
    assert "office/" not in precache
    assert "api-docs/" not in precache
    field = {path.name for path in initial_js(dist)}
    assert not field & {path.name for path in files}, "the two apps share no start-up file"


def test_the_service_worker_controls_the_app_and_nothing_leaves_the_origin(
    site: Site, phones: Any, dist: Path
) -> None:
    phone: Phone = phones()
    page = phone.page
    sign_in(page, site.inspector)
    script_url = wait_until_offline_ready(page)
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=SYNC_WAIT_MS)
    assert in_dist(dist, script_url).is_file(), (
        f"the registered service worker {script_url} is not in the build"
    )
    # The photo-of-a-label path loads the decoder (Chromium on Linux has no native BarcodeDetector).
    unit = site.units[0]
    page.get_by_test_id("nav-scan").click()
    page.get_by_test_id("scan-file").set_input_files(site.labels[unit.code])
    expect(page.get_by_test_id("asset-card")).to_have_attribute(
        "data-asset-id", str(unit.id), timeout=SYNC_WAIT_MS
    )
    origin = site.base_url
    foreign = [url for url in phone.requests if not url.startswith((origin + "/", "blob:", "data:"))]
    assert not foreign, f"requests left {origin}: {foreign}"
    wasm = [url for url in phone.requests if urlsplit(url).path.endswith(".wasm")]
    assert all(url.startswith(origin + "/") for url in wasm), wasm
