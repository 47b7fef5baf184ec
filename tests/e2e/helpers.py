"""Steps the end-to-end tests share, written against the UI contract's test ids only."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from backend.config import PROJECT_ROOT
from tests.e2e.live import PASSWORD, Phone

# Screenshots of the main screens (git-ignored, like all of var/).
ARTIFACTS = PROJECT_ROOT / "var" / "e2e-artifacts"
# Playwright's auto-waiting assertions: generous, the app syncs in the background.
WAIT_MS = 20_000
SYNC_WAIT_MS = 45_000
PENDING = re.compile(r"^[1-9][0-9]*$")


def shot(page: Page, name: str) -> Path:
    """A full-page screenshot at the phone's viewport, kept as an artefact of the run."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page: Page, user: Any, screenshot: str | None = None) -> None:
    """Log in on /login as a user; the signed-in header shows."""
    page.goto("/login")
    page.get_by_test_id("login-username").fill(user.username)
    page.get_by_test_id("login-password").fill(PASSWORD)
    if screenshot:
        shot(page, screenshot)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("nav-scan")).to_be_visible(timeout=SYNC_WAIT_MS)
    expect(page.get_by_test_id("outbox-badge")).to_be_attached()


def wait_until_offline_ready(page: Page) -> str:
    """The service worker is active and controls the page (reloading once if need be); its script URL."""
    script_url: str = page.evaluate(
        """timeout => Promise.race([
            navigator.serviceWorker.ready.then(registration => registration.active.scriptURL),
            new Promise((_, reject) => setTimeout(() => reject(new Error("no service worker")), timeout)),
        ])""",
        SYNC_WAIT_MS,
    )
    if not page.evaluate("navigator.serviceWorker.controller !== null"):
        page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=SYNC_WAIT_MS)
    expect(page.get_by_test_id("nav-scan")).to_be_visible()
    return script_url


def open_by_code(page: Page, code: str, timeout_ms: int = WAIT_MS) -> bool:
    """Type an asset code on the scan screen; whether its card opened (else the app refused it)."""
    page.get_by_test_id("nav-scan").click()
    page.get_by_test_id("scan-code").fill(code)
    page.get_by_test_id("scan-code-submit").click()
    card = page.get_by_test_id("asset-card")
    expect(card.or_(page.get_by_test_id("scan-error"))).to_be_visible(timeout=timeout_ms)
    return card.is_visible()


def wait_until_cached(page: Page, codes: Sequence[str]) -> None:
    """The first sync has put these assets in the phone's cache: each card opens by its code."""
    deadline = time.monotonic() + SYNC_WAIT_MS / 1000
    for code in codes:
        while not open_by_code(page, code):
            assert time.monotonic() < deadline, f"asset {code} never reached the phone's cache"
            # The refusal stays until the next attempt; the app syncs meanwhile in the background.
            page.get_by_test_id("scan-error").wait_for(state="visible")
            page.wait_for_timeout(250)
        expect(page.get_by_test_id("asset-code")).to_have_text(code)
    page.get_by_test_id("nav-scan").click()


def expect_pending(page: Page, count: int | None = None) -> None:
    """The outbox badge shows this many pending commands (or any number above zero)."""
    badge = page.get_by_test_id("outbox-badge")
    expect(badge).to_have_attribute("data-count", PENDING if count is None else str(count), timeout=WAIT_MS)


def expect_drained(page: Page) -> None:
    """The outbox empties: every command was answered by the server."""
    expect(page.get_by_test_id("outbox-badge")).to_have_attribute("data-count", "0", timeout=SYNC_WAIT_MS)


def capture_gps(phone: Phone, state: str) -> None:
    """Take a fix on this screen, the GPS reporting each second; the geofence pre-check says `state`."""
    page = phone.page
    page.get_by_test_id("gps-capture").click()
    status = page.get_by_test_id("gps-status")
    deadline = time.monotonic() + SYNC_WAIT_MS / 1000
    while time.monotonic() < deadline:
        phone.gps_tick()
        try:
            expect(status).to_have_attribute("data-state", state, timeout=1000)
        except AssertionError:
            continue
        return
    expect(status).to_have_attribute("data-state", state, timeout=1)


# What the app says on queueing a report, in each language.
QUEUED = {"en": "Queued", "zh-CN": "已加入待发送"}


def report_status(
    phone: Phone,
    code: str,
    target: str,
    reason: str,
    photos: Sequence[Path] = (),
    gps: str | None = "inside",
    screenshot: str | None = None,
    language: str = "en",
) -> None:
    """From the open asset card, report a status change; it is queued and the card shows again."""
    page = phone.page
    page.get_by_test_id("report-status").click()
    expect(page).to_have_url(re.compile(rf"/a/{re.escape(code)}/report$"))
    page.get_by_test_id("status-target").select_option(target)
    page.get_by_test_id("status-reason").fill(reason)
    if photos:
        page.get_by_test_id("photo-input").set_input_files([str(photo) for photo in photos])
        expect(page.get_by_test_id("photo-thumb")).to_have_count(len(photos), timeout=WAIT_MS)
    if gps is not None:
        capture_gps(phone, gps)
        if gps == "outside":
            expect(page.get_by_test_id("gps-status")).to_contain_text(re.compile(r"outside", re.IGNORECASE))
    if screenshot:
        shot(page, screenshot)
    page.get_by_test_id("report-submit").click()
    expect(page.get_by_test_id("toast")).to_contain_text(QUEUED[language])
    expect(page).to_have_url(re.compile(rf"/a/{re.escape(code)}$"))
    expect(page.get_by_test_id("asset-card")).to_be_visible()


def eventually(check: Callable[[], Any], what: str, timeout_ms: int = SYNC_WAIT_MS) -> Any:
    """Poll the server side until `check()` returns something true (the phone syncs in the background)."""
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)
