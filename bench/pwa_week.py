"""A week offline, drained: reports and camera photos queued through the field app's screens while offline,
a reload and an app kill in between, then a 2 Mbit/s uplink with a 30 s drop in the middle of the drain.

Build the app first (`make pwa`), then from the repository root:
`.venv/bin/python -m bench.pwa_week` (500 reports, 300 photos of 1.4–2.8 MB: the issue's week; long), or
`.venv/bin/python -m bench.pwa_week --reports 12 --photos 6` for a quick run.

Checks that every report reached the server exactly once (in its database) and prints: the drain time, the
time from the network's return to the first command applied, the bytes stored during the week, and whether
the browser granted persistent storage. Figures only: nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.sync_api import expect, sync_playwright
from sqlalchemy import func, select

from backend.field.db.models import Photo
from qr_tools.fonts import find_cjk_font
from tests.e2e.field_steps import VIEWPORT, open_card, queue_report, stored_photos
from tests.e2e.helpers import sign_in, wait_until_offline_ready
from tests.e2e.live import DIST, INSIDE, PHONE, Phone, Site, launch_chromium, live_site

WAIT_MS = 60_000
DRAIN_WAIT_S = 60 * 60
UPLINK_BYTES_PER_S = 2_000_000 / 8
DROP_S = 30


def camera_photo(path: Path, rng: random.Random) -> Path:
    """A JPEG of 1.4–2.8 MB after the app's own compression (noise keeps JPEG from shrinking it)."""
    side = rng.randint(1250, 1850)
    width, height = side, side * 3 // 4
    Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3)).save(path, quality=85)
    return path


_SESSIONS: dict[int, Any] = {}


def say(*parts: Any) -> None:
    """Progress on stderr, so that a long run shows where it is."""
    print(f"[{time.strftime('%H:%M:%S')}]", *parts, file=sys.stderr, flush=True)


def network(phone: Phone, offline: bool, throttled: bool) -> None:
    """The page's network as DevTools emulates it: offline, or a slow uplink."""
    phone.offline(offline)  # also ends the session a reload offline opened
    # One DevTools session per page: a second one would leave the first one's conditions in force.
    session = _SESSIONS.get(id(phone.page))
    if session is None:
        session = _SESSIONS[id(phone.page)] = phone.context.new_cdp_session(phone.page)
    session.send(
        "Network.emulateNetworkConditions",
        {
            "offline": offline,
            "latency": 80 if throttled else 0,
            "downloadThroughput": 10_000_000 / 8 if throttled else -1,
            "uploadThroughput": UPLINK_BYTES_PER_S if throttled else -1,
        },
    )


def stored_bytes(phone: Phone) -> dict[str, Any]:
    """What the phone keeps: the origin's usage by the browser's estimate, and whether it is persistent."""
    figures: dict[str, Any] = phone.page.evaluate(
        """async () => ({
            usage: (await navigator.storage.estimate()).usage,
            persisted: await navigator.storage.persisted(),
        })"""
    )
    return figures


def reopen(phone: Phone) -> None:
    """The app killed and started again, offline: a new page in the same browser profile."""
    phone.page.close()
    phone._devtools = None  # the closed page's DevTools session went with it
    phone.page = phone.context.new_page()
    phone.page.goto("/")
    network(phone, offline=True, throttled=False)
    expect(phone.page.get_by_test_id("nav-scan")).to_be_visible()


def wait_for_scope(phone: Phone, codes: list[str]) -> None:
    """The first sync has brought these assets to the phone (their cards open offline)."""
    page = phone.page
    deadline = time.monotonic() + WAIT_MS / 1000
    for code in codes:
        while True:
            page.get_by_test_id("nav-scan").click()
            page.get_by_test_id("scan-code").fill(code)
            page.get_by_test_id("scan-code-submit").click()
            card = page.get_by_test_id("asset-card")
            expect(card.or_(page.get_by_test_id("scan-error"))).to_be_visible()
            if card.is_visible():
                break
            assert time.monotonic() < deadline, "the scope never reached the phone"
            page.wait_for_timeout(500)


def photos_received(site: Site) -> int:
    """Photos the server has stored."""
    with site.db.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(Photo)).scalar_one())


def drain(site: Site, phone: Phone, reports: int, photos: int) -> tuple[float | None, float, bool]:
    """Network back on a 2 Mbit/s uplink, off for 30 s once the reports are in and half the photos; the
    time to the first command applied, the time to the last photo received, and whether the drop came."""
    back = time.monotonic()
    network(phone, offline=False, throttled=True)
    first_applied: float | None = None
    dropped = False
    said = back
    while time.monotonic() - back < DRAIN_WAIT_S:
        filed = len(site.requests())
        if filed and first_applied is None:
            first_applied = time.monotonic() - back
        received = photos_received(site)
        if not dropped and filed == reports and received >= photos // 2:
            dropped = True
            network(phone, offline=True, throttled=False)
            time.sleep(DROP_S)
            network(phone, offline=False, throttled=True)
        if filed >= reports and received >= photos:
            break
        if time.monotonic() - said >= 15:
            said = time.monotonic()
            say(f"draining: {filed} of {reports} reports, {received} of {photos} photos on the server")
        time.sleep(0.2)
    return first_applied, time.monotonic() - back, dropped


def week(site: Site, browser: Any, reports: int, photos: list[Path]) -> dict[str, Any]:
    """Queue the week, reload and kill the app on the way, drain on the throttled link; the figures."""
    context = browser.new_context(
        base_url=site.base_url,
        permissions=["geolocation"],
        geolocation=INSIDE,
        **(PHONE | {"viewport": VIEWPORT}),
    )
    context.set_default_timeout(WAIT_MS)
    phone = Phone(context, context.new_page(), INSIDE)
    sign_in(phone.page, site.inspector)
    wait_until_offline_ready(phone.page)
    wait_for_scope(phone, [site.units[0].code, site.units[reports - 1].code])
    say("signed in, the scope is on the phone; offline now")

    network(phone, offline=True, throttled=False)
    # Half the reports carry the photos (some two), the rest none, as in the week.
    with_photos = max(1, reports // 2)
    per_report: list[list[Path]] = [[] for _ in range(reports)]
    for index, photo in enumerate(photos):
        per_report[index % with_photos].append(photo)
    started = time.monotonic()
    for index, unit in enumerate(site.units[:reports]):
        if index == reports // 3:
            phone.reload_offline()
        if index == 2 * reports // 3:
            reopen(phone)
        open_card(phone.page, unit.code)
        queue_report(phone, unit.code, "maintenance", f"Week report {index + 1}", "en", per_report[index])
        if (index + 1) % 25 == 0 or index + 1 == reports:
            say(f"queued {index + 1} of {reports} reports")
    queued_s = time.monotonic() - started
    kept = stored_bytes(phone)

    first_applied, drained_s, dropped = drain(site, phone, reports, len(photos))
    per_asset: dict[int, int] = {}
    for request in site.requests():
        per_asset[request["asset_id"]] = per_asset.get(request["asset_id"], 0) + 1
    phone.page.wait_for_timeout(2000)
    left_on_phone = sum(1 for photo in stored_photos(phone.page) if photo["bytes"])
    context.close()
    return {
        "reports": reports,
        "photos": len(photos),
        "photo_mb": round(sum(photo.stat().st_size for photo in photos) / 1e6, 1),
        "queue_through_ui_s": round(queued_s, 1),
        "stored_during_week_mb": round((kept.get("usage") or 0) / 1e6, 1),
        "persistence_granted": kept.get("persisted"),
        "first_command_applied_s": None if first_applied is None else round(first_applied, 2),
        "drain_s_including_30s_drop": round(drained_s, 1),
        "drop_happened": dropped,
        "reports_on_server": sum(per_asset.values()),
        "every_report_once": sum(per_asset.values()) == reports and set(per_asset.values()) == {1},
        "photo_bytes_left_on_phone": left_on_phone,
    }


def main() -> None:
    """Run the week and print its figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=500)
    parser.add_argument("--photos", type=int, default=300)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        photos_dir = workdir / "camera"
        photos_dir.mkdir()
        photos = [camera_photo(photos_dir / f"IMG_{n:04d}.jpg", rng) for n in range(args.photos)]
        font = find_cjk_font(os.environ.get("CJK_FONT"))
        with (
            live_site(workdir, DIST, font, unit_count=args.reports) as site,
            sync_playwright() as playwright,
        ):
            browser = launch_chromium(playwright)
            try:
                figures = week(site, browser, args.reports, photos)
            finally:
                browser.close()
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
