"""The field app in a real browser, at a phone's viewport, against the live server.

An inspector reports offline from a photo of a label; a manager confirms on site by scanning it; the
queue survives a reload offline; a refused command shows its reason and does not block the next one.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import update

from backend.org.db.models import Project
from backend.org.domain.org import AssetStatus
from backend.org.services import asset_status
from tests.conftest import SYSTEM
from tests.e2e.helpers import (
    SYNC_WAIT_MS,
    capture_gps,
    eventually,
    expect_drained,
    expect_pending,
    report_status,
    shot,
    sign_in,
    wait_until_cached,
    wait_until_offline_ready,
)
from tests.e2e.live import INSIDE, OUTSIDE, Site


def site_photo(path: Path) -> Path:
    """A JPEG as a phone camera would take of the damage."""
    image = Image.new("RGB", (1600, 1200), (120, 110, 100))
    image.paste((40, 60, 160), (200, 200, 900, 700))
    image.save(path, format="JPEG", quality=85)
    return path


def ready_phone(
    phones: Any, site: Site, user: Any, position: dict[str, float] = INSIDE, shots: bool = False
) -> Any:
    """A phone signed in as `user`, controlled by the service worker, with both units in its cache."""
    phone = phones(position)
    sign_in(phone.page, user, screenshot="01-login" if shots else None)
    wait_until_offline_ready(phone.page)
    wait_until_cached(phone.page, [unit.code for unit in site.units])
    return phone


def test_an_offline_report_is_confirmed_on_site_by_a_manager(site: Site, phones: Any, tmp_path: Path) -> None:
    unit = site.units[0]
    inspector = ready_phone(phones, site, site.inspector, shots=True)
    page = inspector.page

    inspector.offline()
    expect(page.get_by_test_id("net-status")).to_have_attribute("data-online", "false")
    shot(page, "02-scan")
    page.get_by_test_id("scan-file").set_input_files(site.labels[unit.code])
    expect(page).to_have_url(re.compile(rf"/a/{unit.code}$"), timeout=SYNC_WAIT_MS)
    card = page.get_by_test_id("asset-card")
    expect(card).to_have_attribute("data-asset-id", str(unit.id))
    expect(page.get_by_test_id("asset-code")).to_have_text(unit.code)
    expect(page.get_by_test_id("asset-status")).to_have_attribute("data-status", "vacant")
    shot(page, "03-card")

    photo = site_photo(tmp_path / "leak.jpg")
    report_status(
        inspector, unit.code, "maintenance", "Water leak under the window", [photo], screenshot="04-report"
    )
    expect_pending(page)
    page.get_by_test_id("nav-outbox").click()
    expect(page.get_by_test_id("outbox-item").first).to_have_attribute("data-state", "queued")
    shot(page, "05-outbox")

    inspector.offline(False)
    expect(page.get_by_test_id("net-status")).to_have_attribute("data-online", "true")
    expect_drained(page)
    [filed] = eventually(lambda: site.requests(unit.id), "the request on the server")
    assert (filed["to_status"], filed["state"], filed["fence_passed"]) == ("maintenance", "pending", True)
    assert len(filed["photo_hashes"]) == 1
    assert site.asset_status(unit.id)[0] == "vacant", "nothing is applied before the second person confirms"

    manager = phones(INSIDE)
    desk = manager.page
    sign_in(desk, site.manager)
    desk.get_by_test_id("nav-approvals").click()
    item = desk.locator(f'[data-testid="approval-item"][data-request-id="{filed["id"]}"]')
    expect(item).to_be_visible(timeout=SYNC_WAIT_MS)
    expect(item).to_contain_text(unit.code)
    expect(item).to_contain_text(re.compile("maintenance", re.IGNORECASE))
    shot(desk, "06-approvals")
    item.click()
    expect(desk).to_have_url(re.compile(rf"/approvals/{filed['id']}$"))
    expect(desk.get_by_test_id("evidence-photos").locator("img")).to_have_count(1, timeout=SYNC_WAIT_MS)
    expect(desk.get_by_test_id("evidence-map")).to_be_visible()
    expect(desk.get_by_test_id("evidence-accuracy")).to_contain_text("8")
    expect(desk.locator('[data-testid="evidence-flag"][data-flag="outside_geofence"]')).to_have_count(0)
    desk.get_by_test_id("confirm-scan-file").set_input_files(site.labels[unit.code])
    capture_gps(manager, "inside")
    shot(desk, "07-request-detail")
    desk.get_by_test_id("confirm-submit").click()
    expect(desk).to_have_url(re.compile(r"/approvals$"))
    expect_drained(desk)

    eventually(lambda: site.asset_status(unit.id)[0] == "maintenance", "the confirmed status on the server")
    [decided] = site.requests(unit.id)
    assert (decided["state"], decided["scan_verified"], decided["confirm_fence_passed"]) == (
        "confirmed",
        True,
        True,
    )
    assert decided["confirmer_id"] == site.manager.id
    assert "scan_not_from_camera" not in decided["confirm_plausibility_flags"]  # read from the picture

    desk.get_by_test_id("nav-settings").click()
    expect(desk.get_by_test_id("storage-estimate")).to_be_visible()
    expect(desk.get_by_test_id("logout")).to_be_enabled()
    shot(desk, "08-settings")


def allow_remote_reports(site: Site) -> None:
    """The project lets a status report be filed away from the asset, with a reason (set in the database)."""
    table = Project.__table__
    with site.db.engine.begin() as connection:
        connection.execute(
            update(table).where(table.c.id == site.project.id).values(remote_report_allowed=True)
        )


def test_a_report_from_outside_the_fence_is_flagged_for_the_manager(site: Site, phones: Any) -> None:
    unit = site.units[1]
    allow_remote_reports(site)
    inspector = ready_phone(phones, site, site.inspector, position=OUTSIDE)
    page = inspector.page
    page.get_by_test_id("scan-code").fill(unit.code)
    page.get_by_test_id("scan-code-submit").click()
    expect(page.get_by_test_id("asset-card")).to_have_attribute("data-asset-id", str(unit.id))
    page.get_by_test_id("report-status").click()
    page.get_by_test_id("status-target").select_option("maintenance")
    page.get_by_test_id("status-reason").fill("Broken door lock")
    capture_gps(inspector, "outside")
    # Away from the asset the phone refuses to queue the report, unless it is filed as a remote one.
    expect(page.get_by_test_id("presence-block")).to_be_visible()
    expect(page.get_by_test_id("report-submit")).to_be_disabled()
    page.get_by_test_id("remote-report").check()
    page.get_by_test_id("remote-reason").fill("Seen from the street, the site is closed")
    expect(page.get_by_test_id("report-submit")).to_be_enabled()
    page.get_by_test_id("report-submit").click()
    expect(page).to_have_url(re.compile(rf"/a/{unit.code}$"))
    expect_drained(page)
    [filed] = eventually(lambda: site.requests(unit.id), "the request on the server")
    assert (filed["fence_passed"], filed["fence_reason"]) == (False, "outside")
    assert float(filed["fence_distance_m"]) > 300
    assert "remote_report" in filed["plausibility_flags"]

    manager = phones(INSIDE)
    desk = manager.page
    sign_in(desk, site.manager)
    desk.goto(f"/approvals/{filed['id']}")
    flags = desk.get_by_test_id("evidence-flags")
    # The app shows the server's verdict (fence_passed false, reason "outside") under the contract's name.
    outside = flags.locator('[data-testid="evidence-flag"][data-flag="outside_geofence"]')
    expect(outside).to_have_count(1, timeout=SYNC_WAIT_MS)
    expect(flags.locator('[data-testid="evidence-flag"][data-flag="remote_report"]')).to_have_count(1)
    expect(desk.get_by_test_id("evidence-remote-reason")).to_contain_text("the site is closed")
    expect(desk.get_by_test_id("evidence-distance")).to_contain_text(re.compile(r"[1-9][0-9]{2}"))


def test_the_queue_survives_a_reload_while_offline(site: Site, phones: Any) -> None:
    first, second = site.units
    inspector = ready_phone(phones, site, site.inspector)
    page = inspector.page
    inspector.offline()
    for unit, reason in ((first, "Ceiling tiles down"), (second, "Carpet being replaced")):
        page.get_by_test_id("nav-scan").click()
        page.get_by_test_id("scan-code").fill(unit.code)
        page.get_by_test_id("scan-code-submit").click()
        expect(page.get_by_test_id("asset-card")).to_have_attribute("data-asset-id", str(unit.id))
        report_status(inspector, unit.code, "maintenance", reason)
    badge = page.get_by_test_id("outbox-badge")
    expect_pending(page)
    queued = badge.get_attribute("data-count")
    assert queued is not None
    assert int(queued) >= 2

    inspector.reload_offline()
    expect(page.get_by_test_id("net-status")).to_have_attribute("data-online", "false", timeout=SYNC_WAIT_MS)
    expect_pending(page, int(queued))
    page.get_by_test_id("nav-outbox").click()
    expect(page.get_by_test_id("outbox-item")).to_have_count(int(queued))
    # Signing out would lose the queue: refused while anything is pending.
    page.get_by_test_id("nav-settings").click()
    expect(page.get_by_test_id("logout")).to_be_disabled()
    expect(page.get_by_test_id("logout-blocked")).to_be_visible()

    inspector.offline(False)
    expect_drained(page)
    for unit in (first, second):
        [filed] = eventually(lambda unit=unit: site.requests(unit.id), f"the request on {unit.code}")
        assert filed["to_status"] == "maintenance"


def test_a_refused_command_shows_its_reason_and_the_next_one_applies(site: Site, phones: Any) -> None:
    stale, good = site.units
    inspector = ready_phone(phones, site, site.inspector)
    page = inspector.page
    inspector.offline()
    # Meanwhile the back office moves the first unit: the phone's report is based on an old version.
    with site.db.unit_of_work() as uow:
        asset_status.change_asset_status(stale.id, AssetStatus.RESERVED, "Held for a viewing", SYSTEM, uow)
    for unit in (stale, good):
        page.get_by_test_id("nav-scan").click()
        page.get_by_test_id("scan-code").fill(unit.code)
        page.get_by_test_id("scan-code-submit").click()
        expect(page.get_by_test_id("asset-card")).to_have_attribute("data-asset-id", str(unit.id))
        report_status(inspector, unit.code, "maintenance", "Sprinkler leak")
    page.get_by_test_id("nav-outbox").click()
    expect(page.get_by_test_id("outbox-item")).to_have_count(2)

    inspector.offline(False)
    refused = page.locator('[data-testid="outbox-item"][data-state="refused"]')
    expect(refused).to_have_count(1, timeout=SYNC_WAIT_MS)
    expect(refused.get_by_test_id("outbox-reason")).to_have_text(re.compile(r"\S"))
    expect_drained(page)
    [filed] = eventually(lambda: site.requests(good.id), "the next command applied")
    assert filed["to_status"] == "maintenance"
    assert site.requests(stale.id) == []
    assert site.asset_status(stale.id)[0] == "reserved"


def test_unknown_codes_are_refused_and_a_forged_label_does_not_confirm(site: Site, phones: Any) -> None:
    unit = site.units[0]
    inspector = ready_phone(phones, site, site.inspector)
    page = inspector.page
    for text in ("SH-LJZ-9999", "https://example.com/pay?id=1"):
        page.get_by_test_id("scan-code").fill(text)
        page.get_by_test_id("scan-code-submit").click()
        expect(page.get_by_test_id("scan-error")).to_be_visible()
        expect(page).to_have_url(re.compile(r"/$"))
    page.get_by_test_id("scan-code").fill(unit.code)
    page.get_by_test_id("scan-code-submit").click()
    expect(page.get_by_test_id("asset-card")).to_have_attribute("data-asset-id", str(unit.id))
    report_status(inspector, unit.code, "maintenance", "Lift out of order")
    expect_drained(page)
    [filed] = eventually(lambda: site.requests(unit.id), "the request on the server")

    manager = ready_phone(phones, site, site.manager)
    desk = manager.page
    desk.goto(f"/approvals/{filed['id']}")
    assert site.forged_label is not None
    desk.get_by_test_id("confirm-scan-file").set_input_files(site.forged_label)
    capture_gps(manager, "inside")
    desk.get_by_test_id("confirm-submit").click()
    expect(desk).to_have_url(re.compile(r"/approvals$"))
    desk.get_by_test_id("nav-outbox").click()
    refused = desk.locator('[data-testid="outbox-item"][data-state="refused"]')
    expect(refused).to_have_count(1, timeout=SYNC_WAIT_MS)
    expect(refused.get_by_test_id("outbox-reason")).to_have_text(re.compile(r"\S"))
    [pending] = site.requests(unit.id)
    assert (pending["state"], pending["confirmer_id"]) == ("pending", None)
    assert site.asset_status(unit.id)[0] == "vacant"
