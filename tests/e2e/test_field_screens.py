"""The field app's screens at 412 x 915, in Chinese and English: taps to the core actions, a rejection that
comes back with its reason and a redo, asset search, presence refused without a location, and a confirmation
by scanning the label with the live camera.
"""

from __future__ import annotations

import base64
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.sync_api import Page, expect
from sqlalchemy import select, update

from backend.core.db.models import User
from backend.field.services import inspections
from backend.org.domain.org import AssetType
from backend.org.services import org
from tests.e2e.helpers import (
    SYNC_WAIT_MS,
    WAIT_MS,
    capture_gps,
    eventually,
    expect_drained,
    report_status,
    shot,
    sign_in,
    wait_until_cached,
    wait_until_offline_ready,
)
from tests.e2e.live import INSIDE, SEEDER, Phone, Site

VIEWPORT = {"width": 412, "height": 915}
# A status report from the card: the button, the status list (open it, pick one), a photo, submit.
MAX_REPORT_TAPS = 6
MAX_CORE_ACTION_TAPS = 3


class Taps:
    """What a user does with a thumb on one screen flow, counted as it is done."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.count = 0

    def tap(self, testid: str) -> None:
        self.page.get_by_test_id(testid).click()
        self.count += 1

    def choose(self, testid: str, value: str) -> None:
        """A native select: one tap opens the list, one picks the value."""
        self.page.get_by_test_id(testid).select_option(value)
        self.count += 2

    def photo(self, testid: str, path: Path) -> None:
        """A photo from the camera or the gallery: one tap on the picker (the shutter is the camera's)."""
        self.page.get_by_test_id(testid).set_input_files(str(path))
        self.count += 1


def site_photo(path: Path) -> Path:
    """A JPEG as a phone camera would take of the damage."""
    image = Image.new("RGB", (1600, 1200), (120, 110, 100))
    image.paste((40, 60, 160), (200, 200, 900, 700))
    image.save(path, format="JPEG", quality=85)
    return path


def speaks(site: Site, user: Any, locale: str) -> None:
    """The user's profile language, as set in the back office."""
    table = User.__table__
    with site.db.engine.begin() as connection:
        connection.execute(update(table).where(table.c.id == user.id).values(locale=locale))


def with_checklists(site: Site) -> None:
    """The default checklists, among them the office's (办公单元巡检 Office unit inspection)."""
    with site.db.unit_of_work() as uow:
        inspections.seed_checklists(SEEDER, uow)


def phone_of(phones: Any, position: dict[str, float] = INSIDE) -> Phone:
    phone: Phone = phones(position)
    phone.page.set_viewport_size(VIEWPORT)
    return phone


def ready(
    phones: Any, site: Site, user: Any, codes: list[str] | None = None, phone: Phone | None = None
) -> Phone:
    """A phone signed in as `user`, controlled by the service worker, with the assets in its cache."""
    phone = phone or phone_of(phones)
    sign_in(phone.page, user)
    wait_until_offline_ready(phone.page)
    wait_until_cached(phone.page, codes or [unit.code for unit in site.units])
    return phone


def open_card(page: Page, text: str, code: str) -> None:
    page.get_by_test_id("nav-scan").click()
    page.get_by_test_id("scan-code").fill(text)
    page.get_by_test_id("scan-code-submit").click()
    expect(page.get_by_test_id("asset-code")).to_have_text(code)


def wait_for_fix(phone: Phone, state: str) -> None:
    """The screen's own capture gets a fix (the GPS reporting each second); no tap needed."""
    status = phone.page.get_by_test_id("gps-status")
    for _ in range(40):
        phone.gps_tick()
        try:
            expect(status).to_have_attribute("data-state", state, timeout=500)
            return
        except AssertionError:
            continue
    expect(status).to_have_attribute("data-state", state, timeout=1)


def feed_camera(phone: Phone, label: Path) -> None:
    """The phone's camera films the label: getUserMedia answers a stream of a canvas holding its picture."""
    image = Image.open(label).convert("RGBA")
    pixels = base64.b64encode(image.tobytes()).decode()
    phone.context.add_init_script(
        f"""(() => {{
        const width = {image.width}, height = {image.height}, pixels = "{pixels}";
        const devices = navigator.mediaDevices;
        if (!devices) return;
        devices.getUserMedia = async () => {{
            const canvas = document.createElement("canvas");
            canvas.width = width;
            canvas.height = height;
            const context = canvas.getContext("2d");
            const bytes = Uint8ClampedArray.from(atob(pixels), (c) => c.charCodeAt(0));
            const frame = new ImageData(bytes, width, height);
            const draw = () => context.putImageData(frame, 0, 0);
            draw();
            setInterval(draw, 100);
            return canvas.captureStream(10);
        }};
    }})();"""
    )


def test_in_chinese_a_status_report_takes_six_taps_at_most_and_each_core_action_three(
    site: Site, phones: Any, tmp_path: Path
) -> None:
    with_checklists(site)
    speaks(site, site.inspector, "zh_CN")
    unit = site.units[0]
    inspector = ready(phones, site, site.inspector)
    page = inspector.page
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    open_card(page, unit.code, unit.code)
    shot(page, "fs-01-card-zh")

    # Inspect: one tap from the card; the checklist speaks Chinese and counts what is answered.
    taps = Taps(page)
    taps.tap("start-inspection")
    expect(page).to_have_url(re.compile(rf"/a/{unit.code}/inspect$"))
    assert taps.count <= MAX_CORE_ACTION_TAPS
    expect(page.get_by_test_id("checklist-title")).to_contain_text("办公单元巡检")
    expect(page.get_by_test_id("checklist-title")).not_to_contain_text("Office")
    progress = page.get_by_test_id("checklist-progress")
    expect(progress).to_have_text("已答 0 / 7 项")
    # N/A only on the two optional items (the overview photo and the remarks).
    expect(page.get_by_test_id("item-na")).to_have_count(2)
    page.locator('[data-key="lights"] input[value="pass"]').check()
    expect(progress).to_have_text("已答 1 / 7 项")
    page.locator('[data-key="remarks"] [data-testid="item-na"]').check()
    expect(progress).to_have_text("已答 2 / 7 项")
    expect(page.get_by_text("其他补充")).to_be_visible()
    expect(page.get_by_text("备注", exact=True)).to_have_count(1)
    shot(page, "fs-02-inspection-zh")
    page.go_back()

    # A status report: at most six taps besides typing the note; GPS needs none.
    photo = site_photo(tmp_path / "leak.jpg")
    taps = Taps(page)
    taps.tap("report-status")
    expect(page).to_have_url(re.compile(rf"/a/{unit.code}/report$"))
    target = page.get_by_test_id("status-target")
    expect(target).to_have_value("")
    expect(page.get_by_test_id("report-submit")).to_be_disabled()
    taps.choose("status-target", "maintenance")
    page.get_by_test_id("status-reason").fill("窗下漏水")
    taps.photo("photo-input", photo)
    expect(page.get_by_test_id("photo-thumb")).to_have_count(1, timeout=WAIT_MS)
    for target in (page.get_by_test_id("outbox-badge"), page.locator(".thumb-remove")):
        box = target.bounding_box()
        assert box is not None
        assert min(box["width"], box["height"]) >= 44, f"a touch target of {box}"
    wait_for_fix(inspector, "inside")
    expect(page.get_by_test_id("gps-status")).to_contain_text("米")
    expect(page.get_by_test_id("gps-status")).not_to_contain_text(re.compile(r"\d m\b"))
    shot(page, "fs-03-report-zh")
    taps.tap("report-submit")
    expect(page.get_by_test_id("toast")).to_contain_text("已加入待发送")
    assert taps.count <= MAX_REPORT_TAPS, f"a status report took {taps.count} taps"

    expect_drained(page)
    [filed] = eventually(lambda: site.requests(unit.id), "the request on the server")
    assert filed["to_status"] == "maintenance"
    waiting = page.get_by_test_id("asset-open-request")
    expect(waiting).to_be_visible(timeout=SYNC_WAIT_MS)
    expect(waiting).to_contain_text("等待审批：空置 → 维修中")
    expect(waiting).to_contain_text("原因：窗下漏水")
    shot(page, "fs-04-card-waiting-zh")
    # A second report of the asset is not possible while the first waits: the phone says so and links to it.
    page.get_by_test_id("report-status").click()
    expect(page.get_by_test_id("report-blocked")).to_be_visible()
    expect(page.get_by_test_id("status-target")).to_have_count(0)
    page.get_by_test_id("report-blocked-view").click()
    expect(page.get_by_test_id("asset-card")).to_be_visible()

    # View and confirm, the manager's core action: one tap from the card.
    manager = ready(phones, site, site.manager)
    desk = manager.page
    open_card(desk, unit.code, unit.code)
    taps = Taps(desk)
    taps.tap("asset-confirm-request")
    expect(desk).to_have_url(re.compile(rf"/approvals/{filed['id']}$"))
    expect(desk.get_by_test_id("confirm-scan-camera")).to_be_visible()
    assert taps.count <= MAX_CORE_ACTION_TAPS


def test_in_english_a_rejected_report_comes_back_with_the_reason_and_a_prefilled_redo(
    site: Site, phones: Any
) -> None:
    unit = site.units[1]
    inspector = ready(phones, site, site.inspector)
    page = inspector.page
    open_card(page, unit.code, unit.code)
    report_status(inspector, unit.code, "maintenance", "Door lock broken")
    expect_drained(page)
    [filed] = eventually(lambda: site.requests(unit.id), "the request on the server")

    manager = ready(phones, site, site.manager)
    desk = manager.page
    desk.goto(f"/approvals/{filed['id']}")
    note = "The photo of the door lock is blurred, please take it again"
    desk.get_by_test_id("reject-reason").fill(note)
    desk.get_by_test_id("reject-submit").click()
    expect(desk).to_have_url(re.compile(r"/approvals$"))
    expect_drained(desk)
    eventually(lambda: site.requests(unit.id)[0]["state"] == "rejected", "the rejection on the server")

    # The inspector's phone pulls the decision: the card shows it with the manager's reason, and a redo.
    page.reload()
    open_card(page, unit.code, unit.code)
    turned_down = page.get_by_test_id("asset-turned-down")
    expect(turned_down).to_have_attribute("data-state", "rejected", timeout=SYNC_WAIT_MS)
    expect(page.get_by_test_id("asset-decision-note")).to_have_text(f"Reason: {note}")
    expect(turned_down).to_contain_text("Rejected: Vacant → Maintenance")
    shot(page, "fs-05-card-rejected-en")
    page.get_by_test_id("asset-redo").click()
    expect(page).to_have_url(re.compile(rf"/a/{unit.code}/report\?to=maintenance&reason="))
    expect(page.get_by_test_id("status-target")).to_have_value("maintenance")
    expect(page.get_by_test_id("status-reason")).to_have_value("Door lock broken")
    shot(page, "fs-06-redo-en")


def test_assets_are_found_by_code_in_any_case_without_the_project_prefix_and_by_floor(
    site: Site, phones: Any
) -> None:
    with site.db.unit_of_work() as uow:
        org.create_asset(
            {
                "project_id": site.project.id,
                "code": "SH-LJZ-0305",
                "name": "Unit 0305",
                "asset_type": AssetType.OFFICE,
                "floor": "3",
                "area_m2": Decimal("80.00"),
            },
            SEEDER,
            uow,
        )
    inspector = ready(phones, site, site.inspector, [*(unit.code for unit in site.units), "SH-LJZ-0305"])
    page = inspector.page
    for text in ("0305", "sh-ljz-0305", "Sh-Ljz-0305 "):
        open_card(page, text, "SH-LJZ-0305")

    twelfth = [unit.code for unit in site.units]
    for text in ("12F", "12楼", "12"):
        page.get_by_test_id("nav-scan").click()
        page.get_by_test_id("scan-code").fill(text)
        page.get_by_test_id("scan-code-submit").click()
        rows = page.get_by_test_id("search-results").get_by_test_id("asset-row")
        expect(rows).to_have_count(len(twelfth))
        assert [rows.nth(i).get_attribute("data-code") for i in range(len(twelfth))] == twelfth
    shot(page, "fs-07-search-en")
    page.get_by_test_id("search-results").get_by_test_id("asset-row").first.click()
    expect(page.get_by_test_id("asset-code")).to_have_text(twelfth[0])

    page.get_by_test_id("nav-scan").click()
    page.get_by_test_id("assets-link").click()
    expect(page).to_have_url(re.compile(r"/assets$"))
    floors = page.get_by_test_id("assets-floor")
    expect(floors).to_have_count(2)
    expect(floors.nth(0)).to_have_attribute("data-floor", "3")
    expect(floors.nth(1).get_by_test_id("asset-row")).to_have_count(2)
    expect(page.locator('[data-testid="status-chip"][data-status="vacant"]')).to_contain_text("3")
    page.get_by_test_id("assets-search").fill("12楼")
    expect(page.get_by_test_id("asset-row")).to_have_count(2)
    shot(page, "fs-08-assets-en")

    # A phone set to dark mode gets dark screens.
    page.emulate_media(color_scheme="dark")
    background = page.evaluate("getComputedStyle(document.querySelector('.card')).backgroundColor")
    red, green, blue = (int(part) for part in re.findall(r"\d+", background)[:3])
    assert red + green + blue < 150, f"the card stays light in dark mode: {background}"
    shot(page, "fs-08b-assets-dark-en")


def test_the_language_chosen_in_settings_is_saved_in_the_profile_even_when_chosen_offline(
    site: Site, phones: Any
) -> None:
    speaks(site, site.inspector, "zh_CN")
    inspector = ready(phones, site, site.inspector)
    page = inspector.page
    expect(page.get_by_test_id("nav-settings")).to_have_text("设置")
    page.get_by_test_id("nav-settings").click()
    inspector.offline()
    page.get_by_test_id("language-select").select_option("en")
    expect(page.get_by_test_id("nav-settings")).to_have_text("Settings")
    expect(page.get_by_test_id("language-state")).to_have_attribute("data-state", "queued")

    def profile_locale() -> str:
        with site.db.engine.connect() as connection:
            table = User.__table__
            row = connection.execute(select(table.c.locale).where(table.c.id == site.inspector.id)).one()
        return str(row.locale)

    assert profile_locale() == "zh_CN"
    inspector.offline(False)
    eventually(lambda: profile_locale() == "en", "the language in the profile")

    # Another phone of the same user starts in the profile's language.
    other = ready(phones, site, site.inspector)
    expect(other.page.get_by_test_id("nav-settings")).to_have_text("Settings")


def test_with_location_refused_the_phone_queues_neither_a_report_nor_an_inspection(
    site: Site, phones: Any
) -> None:
    with_checklists(site)
    speaks(site, site.inspector, "zh_CN")
    unit = site.units[0]
    inspector = ready(phones, site, site.inspector)
    inspector.context.clear_permissions()
    page = inspector.page
    open_card(page, unit.code, unit.code)
    page.get_by_test_id("report-status").click()
    page.get_by_test_id("status-target").select_option("maintenance")
    page.get_by_test_id("status-reason").fill("门锁损坏")
    expect(page.get_by_test_id("gps-status")).to_have_attribute("data-state", "denied", timeout=WAIT_MS)
    block = page.get_by_test_id("presence-block")
    expect(block).to_contain_text("无法加入待发送")
    expect(page.get_by_test_id("gps-status")).to_contain_text("定位权限被拒绝")
    # The project does not allow remote reports: nothing to tick, nothing to queue.
    expect(page.get_by_test_id("remote-report")).to_have_count(0)
    expect(page.get_by_test_id("report-submit")).to_be_disabled()
    shot(page, "fs-09-presence-denied-zh")

    page.go_back()
    page.get_by_test_id("start-inspection").click()
    expect(page.get_by_test_id("gps-status")).to_have_attribute("data-state", "denied", timeout=WAIT_MS)
    expect(page.get_by_test_id("presence-block")).to_be_visible()
    expect(page.get_by_test_id("inspection-submit")).to_be_disabled()
    expect(page.get_by_test_id("outbox-badge")).to_have_attribute("data-count", "0")


def test_a_manager_confirms_on_site_by_scanning_the_label_with_the_live_camera(
    site: Site, phones: Any, tmp_path: Path
) -> None:
    unit = site.units[0]
    inspector = ready(phones, site, site.inspector)
    page = inspector.page
    open_card(page, unit.code, unit.code)
    report_status(inspector, unit.code, "maintenance", "Ceiling leak", [site_photo(tmp_path / "leak.jpg")])
    expect_drained(page)
    [filed] = eventually(lambda: site.requests(unit.id), "the request on the server")

    manager = phone_of(phones)
    feed_camera(manager, site.labels[unit.code])
    ready(phones, site, site.manager, phone=manager)
    desk = manager.page
    desk.goto(f"/approvals/{filed['id']}")
    expect(desk.get_by_test_id("confirm-explain")).to_contain_text("scan its label with the camera")
    expect(desk.get_by_test_id("evidence-legend")).to_contain_text("Site outline")
    expect(desk.get_by_test_id("evidence-flag")).to_have_count(0)
    photo = desk.get_by_test_id("evidence-photo")
    expect(photo).to_have_count(1, timeout=SYNC_WAIT_MS)
    photo.click()
    expect(desk.get_by_test_id("photo-zoom")).to_be_visible()
    shot(desk, "fs-10-photo-zoom-en")
    desk.get_by_test_id("photo-zoom-close").click()
    expect(desk.get_by_test_id("photo-zoom")).to_have_count(0)

    # A bare code typed in is not the label: the phone asks for the label instead of calling it damaged.
    desk.get_by_test_id("confirm-scan-code").fill(unit.code)
    problem = desk.get_by_test_id("confirm-scan-problem")
    expect(problem).to_contain_text("scan the label")
    expect(problem).not_to_contain_text("damaged")

    desk.get_by_test_id("confirm-scan-camera").click()
    expect(desk.get_by_test_id("confirm-scanned")).to_have_attribute(
        "data-code", unit.code, timeout=SYNC_WAIT_MS
    )
    capture_gps(manager, "inside")
    shot(desk, "fs-11-confirm-camera-en")
    desk.get_by_test_id("confirm-submit").click()
    expect(desk).to_have_url(re.compile(r"/approvals$"))
    expect_drained(desk)
    eventually(lambda: site.asset_status(unit.id)[0] == "maintenance", "the confirmed status on the server")
    [decided] = site.requests(unit.id)
    assert (decided["state"], decided["scan_verified"]) == ("confirmed", True)
    assert "scan_not_from_camera" not in decided["confirm_plausibility_flags"]


def test_offline_a_second_report_of_an_asset_waits_for_the_first_to_be_sent(site: Site, phones: Any) -> None:
    unit = site.units[1]
    inspector = ready(phones, site, site.inspector)
    page = inspector.page
    inspector.offline()
    open_card(page, unit.code, unit.code)
    report_status(inspector, unit.code, "maintenance", "Water on the floor")
    unsent = page.get_by_test_id("asset-unsent")
    expect(unsent).to_contain_text("Not sent yet: Vacant → Maintenance")
    page.get_by_test_id("report-status").click()
    blocked = page.get_by_test_id("report-blocked")
    expect(blocked).to_have_attribute("data-kind", "unsent")
    expect(page.get_by_test_id("report-blocked-view")).to_have_attribute("href", "/outbox")
    shot(page, "fs-12-report-blocked-unsent-en")

    inspector.offline(False)
    expect_drained(page)
    eventually(lambda: site.requests(unit.id), "the first report on the server")
    # Filed and pulled, it is now the request waiting for a manager: still no second report.
    expect(blocked).to_have_attribute("data-kind", "pending", timeout=SYNC_WAIT_MS)
