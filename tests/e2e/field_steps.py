"""Steps of the field app's drain, "my reports" and online-only tests: a 412 x 915 phone, either language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image
from playwright.sync_api import Page, expect
from sqlalchemy import update

from backend.core.db.models import User
from tests.e2e.helpers import (
    WAIT_MS,
    report_status,
    sign_in,
    wait_until_cached,
    wait_until_offline_ready,
)
from tests.e2e.live import INSIDE, PASSWORD, PHONE, Phone, Site

# A larger phone held upright (the measurements were taken at this size).
VIEWPORT = {"width": 412, "height": 915}


def speak(site: Site, user: Any, language: str) -> None:
    """The user's profile language (the app follows it after sign-in)."""
    with site.db.engine.begin() as connection:
        connection.execute(
            update(User).where(User.id == user.id).values(locale="zh_CN" if language == "zh-CN" else "en")
        )


def open_phone_at(
    browser: Any, site: Site, language: str, position: dict[str, float] = INSIDE, **options: Any
) -> Phone:
    """A browser context at 412 x 915 in `language`, location granted (and closed with the test)."""
    settings = PHONE | {"viewport": VIEWPORT, "locale": language} | options
    context = browser.new_context(
        base_url=site.base_url, permissions=["geolocation"], geolocation=position, **settings
    )
    context.set_default_timeout(WAIT_MS)
    return Phone(context, context.new_page(), position)


def ready(phone: Phone, site: Site, user: Any) -> Phone:
    """Signed in, controlled by the service worker, every unit in the cache."""
    sign_in(phone.page, user)
    wait_until_offline_ready(phone.page)
    wait_until_cached(phone.page, [unit.code for unit in site.units])
    return phone


def open_card(page: Page, code: str) -> None:
    """The asset's card, opened by typing its code on the scan screen."""
    page.get_by_test_id("nav-scan").click()
    page.get_by_test_id("scan-code").fill(code)
    page.get_by_test_id("scan-code-submit").click()
    expect(page.get_by_test_id("asset-code")).to_have_text(code)


def queue_report(
    phone: Phone, code: str, target: str, reason: str, language: str, photos: list[Path] | None = None
) -> None:
    """From the open card: report a status change with a fix inside the fence; it is queued."""
    report_status(phone, code, target, reason, photos or (), gps="inside", language=language)


def site_photo(path: Path, shade: int = 100) -> Path:
    """A JPEG as a phone camera would take it."""
    image = Image.new("RGB", (1600, 1200), (120, 110, shade))
    image.paste((40, 60, 160), (200, 200, 900, 700))
    image.save(path, format="JPEG", quality=85)
    return path


def api_as(site: Site, user: Any, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """Call the API as `user` with a phone token of their own, as another device of theirs would."""
    client = site.app.test_client()
    issued = client.post(
        "/api/auth/device-tokens",
        json={"username": user.username, "password": PASSWORD, "device_name": "desk", "platform": "web"},
    )
    assert issued.status_code == 201, issued.get_json()
    headers = {"Authorization": f"Bearer {issued.get_json()['token']}"}
    response = client.open(path, method=method, json=body, headers=headers)
    assert response.status_code < 300, response.get_json()
    return response.get_json()


def stored_photos(page: Page) -> list[dict[str, Any]]:
    """The photos the phone's IndexedDB holds: hash, state and whether its bytes are still there."""
    result: list[dict[str, Any]] = page.evaluate(
        """() => new Promise((resolve, reject) => {
            const open = indexedDB.open("leasekeeper");
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
                const all = open.result.transaction("photos").objectStore("photos").getAll();
                all.onsuccess = () => {
                    resolve(all.result.map(p => ({ sha256: p.sha256, state: p.state, bytes: !!p.blob })));
                    open.result.close();
                };
            };
        })"""
    )
    return result
