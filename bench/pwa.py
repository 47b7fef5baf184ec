"""Field app figures: bundle sizes (and the office app's initial JS), the first load on a slow phone and
network (JS over the wire, compressed), scan-to-card time offline, and how long a full outbox takes to drain.

Build the app first (`make pwa`, or `cd pwa && npm ci && npm run build`), then from the repository root:
`.venv/bin/python -m bench.pwa --runs 15 --commands 200 --photos 50`.

Everything goes through the app's own screens (the UI contract's test ids), in Debian's Chromium at a
phone's viewport, against the real server on loopback (SQLite). Results: bench/results/pwa.json.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.sync_api import expect, sync_playwright

from qr_tools.fonts import find_cjk_font
from tests.e2e.bundle import gzipped_size, initial_js
from tests.e2e.helpers import (
    open_by_code,
    report_status,
    sign_in,
    wait_until_cached,
    wait_until_offline_ready,
)
from tests.e2e.live import DIST, INSIDE, PHONE, Site, launch_chromium, live_site, open_phone

RESULTS = Path(__file__).parent / "results" / "pwa.json"
WAIT_MS = 60_000
DRAIN_WAIT_MS = 15 * 60_000

# In-page timing without any hook in the app: from the file input's change event (capture phase, before the
# app sees it) to the asset card appearing in the DOM, both by performance.now().
WATCH_SCAN = """() => {
  const marks = (window.__benchScan = { start: null, end: null });
  const start = () => { marks.start = performance.now(); };
  document.addEventListener('change', start, { capture: true, once: true });
  const observer = new MutationObserver(() => {
    if (marks.start !== null && document.querySelector('[data-testid="asset-card"]')) {
      marks.end = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document.body, { childList: true, subtree: true });
}"""


def bundle(dist: Path) -> dict[str, Any]:
    """Each JS, CSS and wasm file of the build, raw and gzipped (level 9), and the initial JS total."""
    files = {
        path.relative_to(dist).as_posix(): {"raw": path.stat().st_size, "gzip": gzipped_size(path)}
        for path in sorted(dist.rglob("*"))
        if path.suffix in {".js", ".mjs", ".css", ".wasm"}
    }
    initial = [path.relative_to(dist).as_posix() for path in initial_js(dist)]
    office = [path.relative_to(dist).as_posix() for path in initial_js(dist, "office/index.html")]
    return {
        "files": files,
        "initial_js": initial,
        "initial_js_raw": sum(files[name]["raw"] for name in initial),
        "initial_js_gzip": sum(files[name]["gzip"] for name in initial),
        "office_initial_js": office,
        "office_initial_js_raw": sum(files[name]["raw"] for name in office),
        "office_initial_js_gzip": sum(files[name]["gzip"] for name in office),
    }


def photos(count: int, folder: Path) -> list[Path]:
    """Distinct camera-sized JPEGs (each its own hash)."""
    folder.mkdir(exist_ok=True)
    made = []
    for number in range(count):
        image = Image.new("RGB", (1600, 1200), (number * 5 % 256, 90, 200 - number % 200))
        image.paste((250, 250 - number, 40), (100 + number * 7, 100, 500 + number * 7, 600))
        path = folder / f"photo-{number:03}.jpg"
        image.save(path, format="JPEG", quality=85)
        made.append(path)
    return made


def scan_to_card(page: Any, site: Site, runs: int) -> dict[str, Any]:
    """Offline: from a photo of a label to its card, `runs` times, alternating between two units."""
    wall, in_page = [], []
    for run in range(runs):
        unit = site.units[run % 2]
        page.get_by_test_id("nav-scan").click()
        picker = page.get_by_test_id("scan-file")
        expect(picker).to_be_attached()
        page.evaluate(WATCH_SCAN)
        started = time.perf_counter()
        picker.set_input_files(site.labels[unit.code])
        expect(page.get_by_test_id("asset-card")).to_have_attribute(
            "data-asset-id", str(unit.id), timeout=WAIT_MS
        )
        wall.append((time.perf_counter() - started) * 1000)
        marks = page.evaluate("window.__benchScan")
        if marks["start"] is not None and marks["end"] is not None:
            in_page.append(marks["end"] - marks["start"])
    return {
        "runs": runs,
        "first_ms": round(wall[0], 1),
        "median_ms": round(statistics.median(wall[1:] or wall), 1),
        "max_ms": round(max(wall[1:] or wall), 1),
        "in_page_first_ms": round(in_page[0], 1) if in_page else None,
        "in_page_median_ms": round(statistics.median(in_page[1:] or in_page), 1) if in_page else None,
        "measured": "wall: set_input_files until the card shows; "
        "in page: the change event until the card is in the DOM",
    }


def drain(page: Any, phone: Any, site: Site, commands: int, photo_files: list[Path]) -> dict[str, Any]:
    """Queue `commands` status reports offline through the report screen (photos on the first ones), then
    go online and time until the outbox badge reads 0."""
    started = time.perf_counter()
    for number, unit in enumerate(site.units[:commands]):
        assert open_by_code(page, unit.code), f"{unit.code} is not in the phone's cache"
        attached = [photo_files[number]] if number < len(photo_files) else []
        report_status(phone, unit.code, "maintenance", f"Bench report {number}", attached, gps=None)
    queued_in = time.perf_counter() - started
    badge = page.get_by_test_id("outbox-badge")
    queued = int(badge.get_attribute("data-count") or 0)
    phone.offline(False)
    started = time.perf_counter()
    expect(badge).to_have_attribute("data-count", "0", timeout=DRAIN_WAIT_MS)
    seconds = time.perf_counter() - started
    filed = site.requests()
    return {
        "commands": commands,
        "photos": len(photo_files),
        "badge_when_queued": queued,
        "queueing_through_ui_s": round(queued_in, 1),
        "drain_s": round(seconds, 2),
        "requests_on_server": len(filed),
        "photo_hashes_on_server": sum(len(request["photo_hashes"]) for request in filed),
    }


# Chrome DevTools' "Fast 3G" profile: 1.44 Mbit/s down, 675 kbit/s up, 562.5 ms round trips; with the CPU
# slowed four times, roughly a mid-range phone on a poor mobile network.
FAST_3G = {
    "offline": False,
    "latency": 562.5,
    "downloadThroughput": 1_440_000 / 8,
    "uploadThroughput": 675_000 / 8,
}
CPU_SLOWDOWN = 4
# What the phone received to show the sign-in screen: every response's bytes over the wire, by type.
LOAD_FIGURES = """() => {
  const entries = performance.getEntriesByType('resource');
  const nav = performance.getEntriesByType('navigation')[0];
  const script = entries.filter(e => e.initiatorType === 'script' || e.name.endsWith('.js'));
  return {
    js_transfer: script.reduce((sum, e) => sum + e.transferSize, 0),
    js_decoded: script.reduce((sum, e) => sum + e.decodedBodySize, 0),
    all_transfer: entries.reduce((sum, e) => sum + e.transferSize, 0) + (nav ? nav.transferSize : 0),
    requests: entries.length + 1,
  };
}"""


def first_load(browser: Any, base_url: str, throttled: bool, ready: str) -> dict[str, Any]:
    """A first visit (empty cache, no service worker) until `ready` shows, optionally on fast 3G with a 4×
    slower CPU; what went over the wire."""
    context = browser.new_context(base_url=base_url, service_workers="block", **PHONE)
    page = context.new_page()
    if throttled:
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", FAST_3G)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    started = time.perf_counter()
    page.goto(ready.split(" ", 1)[0], wait_until="commit", timeout=WAIT_MS * 2)
    if " " in ready:
        expect(page.get_by_test_id(ready.split(" ", 1)[1])).to_be_visible(timeout=WAIT_MS * 2)
    else:
        page.wait_for_load_state("load", timeout=WAIT_MS * 2)
    seconds = time.perf_counter() - started
    figures = page.evaluate(LOAD_FIGURES)
    context.close()
    return {"seconds": round(seconds, 2), **figures}


def first_loads(browser: Any, base_url: str) -> dict[str, Any]:
    """The field app's sign-in screen on a first visit, throttled and not, beside the same server's
    smallest file under the same throttling: the floor any page of this server has on that network."""
    app = "/login login-username"
    floor = "/manifest.webmanifest"
    return {
        "profile": f"fast 3G (1.44 Mbit/s, 562.5 ms RTT), CPU slowed {CPU_SLOWDOWN}x",
        "app_throttled": first_load(browser, base_url, True, app),
        "app_unthrottled": first_load(browser, base_url, False, app),
        "floor_throttled": first_load(browser, base_url, True, floor),
    }


def main() -> None:
    """Measure and print; save the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="scans of a label photo, offline")
    parser.add_argument("--commands", type=int, default=200, help="status reports queued offline")
    parser.add_argument("--photos", type=int, default=50, help="of those, how many carry a photo")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    if not (DIST / "index.html").is_file():
        raise SystemExit("the field app is not built: run `make pwa` first")

    results: dict[str, Any] = {"bundle": bundle(DIST)}
    sizes = results["bundle"]
    for name, size in sizes["files"].items():
        print(f"{name:60} {size['raw'] / 1024:9.1f} KB {size['gzip'] / 1024:8.1f} KB gzip")
    print(
        f"initial JS: {sizes['initial_js_raw'] / 1024:.1f} KB, {sizes['initial_js_gzip'] / 1024:.1f} KB gzip"
        " (budget 150 KB gzip)"
    )
    print(
        f"office app initial JS: {sizes['office_initial_js_raw'] / 1024:.1f} KB, "
        f"{sizes['office_initial_js_gzip'] / 1024:.1f} KB gzip (budget 250 KB gzip)"
    )

    with tempfile.TemporaryDirectory() as workdir, sync_playwright() as playwright:
        work = Path(workdir)
        with live_site(work, DIST, find_cjk_font(None), unit_count=max(args.commands, 2)) as site:
            browser = launch_chromium(playwright)
            loads = results["first_load"] = first_loads(browser, site.base_url)
            app, floor = loads["app_throttled"], loads["floor_throttled"]
            print(
                f"first load of the sign-in screen, {loads['profile']}: {app['seconds']:.2f} s "
                f"(unthrottled {loads['app_unthrottled']['seconds']:.2f} s; this server's smallest file "
                f"on the same network: {floor['seconds']:.2f} s); initial JS over the wire "
                f"{app['js_transfer'] / 1024:.1f} KB ({app['js_decoded'] / 1024:.1f} KB decoded), "
                f"{app['all_transfer'] / 1024:.1f} KB in {app['requests']} requests"
            )
            phone = open_phone(browser, site.base_url, INSIDE, WAIT_MS)
            page = phone.page
            sign_in(page, site.inspector)
            wait_until_offline_ready(page)
            wait_until_cached(page, [site.units[0].code, site.units[-1].code])
            phone.offline()
            results["scan_to_card_offline"] = scan_to_card(page, site, args.runs)
            print("scan to card, offline:", results["scan_to_card_offline"])
            results["outbox_drain"] = drain(
                page, phone, site, args.commands, photos(args.photos, work / "photos")
            )
            print("outbox drain:", results["outbox_drain"])
            results["environment"] = {
                "browser": f"Chromium {browser.version}",
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "server": "werkzeug threaded, SQLite",
            }
            browser.close()

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"saved {args.out}")


if __name__ == "__main__":
    main()
