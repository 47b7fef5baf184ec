"""The field app without service workers or IndexedDB (as in WeChat's built-in browser, which its label
scanner opens): online only, with a banner, sign-in, the card from the API and a report sent directly."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from qr_tools.payload import build, parse_keyring
from tests.e2e.field_steps import open_phone_at, speak
from tests.e2e.helpers import SYNC_WAIT_MS, capture_gps, eventually, shot
from tests.e2e.live import PASSWORD, Site

LANGUAGES = ["zh-CN", "en"]
BANNER = {
    "zh-CN": "在线模式：离线功能不可用，请在浏览器中打开以离线使用",
    "en": "Online mode: offline features are unavailable. Open in a browser to use offline.",
}
SENT = {"zh-CN": "报告已发送", "en": "Report sent"}
# What WeChat's browser lacks: no IndexedDB, no service worker.
NO_STORAGE = """
    delete window.indexedDB;
    Object.defineProperty(window, "indexedDB", { value: undefined, configurable: true });
    Object.defineProperty(Navigator.prototype, "serviceWorker", { get: () => undefined, configurable: true });
    delete Navigator.prototype.serviceWorker;
"""


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_label_opened_in_wechats_browser_shows_a_usable_card_online_only(
    site: Site, browser: Any, language: str
) -> None:
    unit = site.units[0]
    speak(site, site.inspector, language)
    phone = open_phone_at(browser, site, language, service_workers="block")
    phone.context.add_init_script(NO_STORAGE)
    page = phone.page
    try:
        keyring = parse_keyring(site.app.config["LABEL_SIGNING_KEYS"])
        label = build(site.base_url, unit.code, keyring)
        page.goto(label)
        # Signing in keeps the label's address and opens it afterwards.
        expect(page).to_have_url(re.compile(r"/login$"))
        page.get_by_test_id("login-username").fill(site.inspector.username)
        page.get_by_test_id("login-password").fill(PASSWORD)
        page.get_by_test_id("login-submit").click()
        assert page.evaluate("typeof indexedDB") == "undefined"
        expect(page.get_by_test_id("online-only-banner")).to_have_text(BANNER[language])
        expect(page.get_by_test_id("outbox-badge")).to_have_count(0)
        expect(page).to_have_url(re.compile(rf"/a/{unit.code}\?s="))
        card = page.get_by_test_id("asset-card")
        expect(card).to_have_attribute("data-mode", "online-only", timeout=SYNC_WAIT_MS)
        expect(page.get_by_test_id("asset-code")).to_have_text(unit.code)
        expect(page.get_by_test_id("asset-status")).to_have_attribute("data-status", "vacant")
        shot(page, f"wechat-card-{language}")

        page.get_by_test_id("report-status").click()
        expect(page).to_have_url(re.compile(rf"/a/{unit.code}/report$"))
        page.get_by_test_id("status-target").select_option("maintenance")
        page.get_by_test_id("status-reason").fill("Lift out of order")
        capture_gps(phone, "inside")
        page.get_by_test_id("report-submit").click()
        expect(page.get_by_test_id("toast")).to_have_text(SENT[language])
        [filed] = eventually(lambda: site.requests(unit.id), "the request on the server")
        assert (filed["to_status"], filed["state"]) == ("maintenance", "pending")
    finally:
        phone.context.close()
