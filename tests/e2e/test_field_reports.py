"""My reports in a real browser, in Chinese and English: a manager's rejection reaches its author on every
device of theirs, with the reason, a notice on the phone that filed it, and a redo prefilled."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.field_steps import api_as, open_card, open_phone_at, queue_report, ready, speak
from tests.e2e.helpers import SYNC_WAIT_MS, eventually, expect_drained, shot, sign_in
from tests.e2e.live import Site

LANGUAGES = ["zh-CN", "en"]
REJECTED = {"zh-CN": "已驳回", "en": "Rejected"}
NOTE = "照片看不清门锁，请重拍"


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_rejection_reaches_the_author_with_its_reason_on_a_second_device(
    site: Site, browser: Any, language: str
) -> None:
    unit = site.units[0]
    speak(site, site.inspector, language)
    first = ready(open_phone_at(browser, site, language), site, site.inspector)
    second = open_phone_at(browser, site, language)
    try:
        page = first.page
        open_card(page, unit.code)
        queue_report(first, unit.code, "maintenance", "Door lock broken", language)
        expect_drained(page)
        [filed] = eventually(lambda: site.requests(unit.id), "the request on the server")

        api_as(site, site.manager, "POST", f"/api/status-requests/{filed['id']}/reject", {"reason": NOTE})

        # The phone that filed it hears of it from the feed: a notice that opens the report.
        page.get_by_test_id("nav-outbox").click()
        page.get_by_test_id("sync-now").click()
        notice = page.get_by_test_id("decision-notice")
        expect(notice).to_be_visible(timeout=SYNC_WAIT_MS)
        expect(notice).to_contain_text(NOTE)
        expect(notice).to_contain_text(unit.code)
        shot(page, f"reports-notice-{language}")
        notice.get_by_test_id("decision-notice-view").click()
        expect(page).to_have_url(re.compile(rf"/reports\?request={filed['id']}$"))
        highlighted = page.locator('[data-testid="report-item"][data-highlighted="true"]')
        expect(highlighted).to_have_attribute("data-state", "rejected")
        expect(page.get_by_test_id("decision-notice")).to_have_count(0)

        # Another device of the same user, signed in afresh, shows it too.
        sign_in(second.page, site.inspector)
        second.page.get_by_test_id("nav-reports").click()
        item = second.page.locator(f'[data-testid="report-item"][data-report-request="{filed["id"]}"]')
        expect(item).to_have_attribute("data-state", "rejected", timeout=SYNC_WAIT_MS)
        expect(item.get_by_test_id("report-state")).to_have_text(REJECTED[language])
        expect(item.get_by_test_id("report-decision")).to_contain_text(NOTE)
        expect(item.get_by_test_id("report-summary")).to_contain_text(unit.code)
        second.page.get_by_test_id("reports-filter-rejected").click()
        expect(second.page.get_by_test_id("report-item")).to_have_count(1)
        shot(second.page, f"reports-second-device-{language}")
        item.get_by_test_id("report-redo").click()
        expect(second.page).to_have_url(
            re.compile(rf"/a/{unit.code}/report\?to=maintenance&reason=Door\+lock\+broken$")
        )
    finally:
        first.context.close()
        second.context.close()
