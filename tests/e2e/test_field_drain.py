"""The field app's outbox and drain in a real browser, in Chinese and English.

A sent report waits for a manager (it is not "applied"); the last sync survives an offline reload; commands
go before photos, each photo in one PUT, its bytes gone from the phone once uploaded; a refused report can
be sent again, redone or discarded.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from backend.org.domain.org import AssetStatus
from backend.org.services import asset_status
from tests.conftest import SYSTEM
from tests.e2e.field_steps import (
    open_card,
    open_phone_at,
    queue_report,
    ready,
    site_photo,
    speak,
    stored_photos,
)
from tests.e2e.helpers import SYNC_WAIT_MS, eventually, expect_drained, expect_pending, shot
from tests.e2e.live import Site

LANGUAGES = ["zh-CN", "en"]
WAITING = {"zh-CN": "已发送 – 等待确认", "en": "Sent – waiting for confirmation"}
NEVER = {"zh-CN": "从未", "en": "never"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_sent_report_waits_for_a_manager_and_the_last_sync_survives_an_offline_reload(
    site: Site, browser: Any, language: str
) -> None:
    unit = site.units[0]
    speak(site, site.inspector, language)
    phone = ready(open_phone_at(browser, site, language), site, site.inspector)
    page = phone.page
    try:
        open_card(page, unit.code)
        queue_report(phone, unit.code, "maintenance", "Water leak under the window", language)
        expect_drained(page)
        page.get_by_test_id("nav-outbox").click()
        item = page.get_by_test_id("outbox-item").first
        expect(item).to_have_attribute("data-state", "waiting", timeout=SYNC_WAIT_MS)
        expect(item.get_by_test_id("outbox-state")).to_have_text(WAITING[language])
        summary = item.get_by_test_id("outbox-summary")
        expect(summary).to_contain_text(unit.code)
        expect(item).not_to_contain_text("status_change")
        if language == "zh-CN":
            expect(summary).to_have_text(f"{unit.code}：空置 → 维修中")
        expect(page.get_by_test_id("last-sync")).not_to_contain_text(NEVER[language])
        shot(page, f"drain-outbox-waiting-{language}")

        phone.offline()
        phone.reload_offline()
        expect(page.get_by_test_id("net-status")).to_have_attribute("data-online", "false")
        page.get_by_test_id("nav-outbox").click()
        expect(page.get_by_test_id("last-sync")).to_have_attribute("data-at", re.compile(r"^\d+$"))
        expect(page.get_by_test_id("last-sync")).not_to_contain_text(NEVER[language])
        expect(page.get_by_test_id("outbox-item").first).to_have_attribute("data-state", "waiting")
    finally:
        phone.context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_commands_drain_before_photos_and_each_photo_is_one_put_then_leaves_the_phone(
    site: Site, browser: Any, language: str, tmp_path: Path
) -> None:
    speak(site, site.inspector, language)
    phone = ready(open_phone_at(browser, site, language), site, site.inspector)
    page = phone.page
    sent: list[tuple[str, str]] = []
    page.on("request", lambda request: sent.append((request.method, request.url)))
    try:
        phone.offline()
        photos = [site_photo(tmp_path / f"damage-{n}.jpg", shade=40 * n) for n in range(1, 3)]
        for unit, photo in zip(site.units, photos, strict=True):
            open_card(page, unit.code)
            queue_report(phone, unit.code, "maintenance", "Cracked glass", language, photos=[photo])
        expect_pending(page, 2)
        page.get_by_test_id("nav-outbox").click()
        expect(page.get_by_test_id("outbox-item")).to_have_count(2)
        offline_calls = [url for _method, url in sent if "/api/" in url]
        assert offline_calls == [], f"the app tried to sync offline: {offline_calls}"

        phone.offline(False)
        expect_drained(page)
        for unit in site.units:
            eventually(lambda unit=unit: site.requests(unit.id), f"the request on {unit.code}")
        eventually(
            lambda: (
                all(not photo["bytes"] for photo in stored_photos(page)) and len(stored_photos(page)) == 2
            ),
            "the photos' bytes gone from the phone",
        )
        shot(page, f"drain-outbox-sent-{language}")
    finally:
        phone.context.close()

    api = [(method, url.split("?")[0]) for method, url in sent if "/api/" in url]
    pushes = [i for i, (method, url) in enumerate(api) if method == "POST" and url.endswith("/api/sync/push")]
    puts = [i for i, (method, url) in enumerate(api) if method == "PUT" and "/api/photos/" in url]
    probes = [
        url
        for method, url in api
        if method in ("GET", "HEAD") and re.search(r"/api/photos/[0-9a-f]{64}$", url)
    ]
    assert pushes, "no command was pushed"
    assert puts, "no photo was uploaded"
    assert pushes[0] < puts[0], "a photo went before the first command"
    assert len({api[i][1] for i in puts}) == len(puts) == 2, "one PUT per photo"
    assert probes == [], "no probe before a PUT"
    for unit in site.units:
        [filed] = site.requests(unit.id)
        assert len(filed["photo_hashes"]) == 1


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_refused_report_can_be_sent_again_redone_or_discarded(
    site: Site, browser: Any, language: str
) -> None:
    unit = site.units[0]
    speak(site, site.inspector, language)
    phone = ready(open_phone_at(browser, site, language), site, site.inspector)
    page = phone.page
    try:
        phone.offline()
        open_card(page, unit.code)
        queue_report(phone, unit.code, "maintenance", "Sprinkler leak", language)
        # Meanwhile the back office moves the unit: the phone's report is based on an old version.
        with site.db.unit_of_work() as uow:
            asset_status.change_asset_status(unit.id, AssetStatus.RESERVED, "Held for a viewing", SYSTEM, uow)
        phone.offline(False)
        page.get_by_test_id("nav-outbox").click()
        refused = page.locator('[data-testid="outbox-item"][data-state="refused"]')
        expect(refused).to_have_count(1, timeout=SYNC_WAIT_MS)
        first_seq = refused.get_attribute("data-seq")
        expect(refused.get_by_test_id("outbox-reason")).to_have_text(re.compile(r"\S"))
        expect(page.get_by_test_id("outbox-group").first).to_have_attribute("data-group", "attention")
        shot(page, f"drain-refused-{language}")

        refused.get_by_test_id("outbox-retry").click()
        # Sent again as a new command (a new seq), refused again for the same reason.
        expect(refused).to_have_count(1, timeout=SYNC_WAIT_MS)
        expect(refused).not_to_have_attribute("data-seq", first_seq or "")
        assert site.requests(unit.id) == []

        refused.get_by_test_id("outbox-edit").click()
        expect(page).to_have_url(re.compile(rf"/a/{unit.code}/report\?to=maintenance&reason=Sprinkler"))
        page.go_back()
        page.get_by_test_id("outbox-filter-attention").click()
        refused.get_by_test_id("outbox-discard").click()
        expect(page.get_by_test_id("outbox-item")).to_have_count(0)
    finally:
        phone.context.close()
