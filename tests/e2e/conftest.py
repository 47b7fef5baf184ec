"""End-to-end fixtures: the real app on loopback serving the built field app (pwa/dist), and Chromium.

Outside CI a missing Chromium or a missing build skips these tests with the reason; under CI=true it fails
them instead (.ci/run installs Chromium and `make test` builds the app first).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import IN_CI
from tests.e2e.helpers import ARTIFACTS, WAIT_MS
from tests.e2e.live import CHROMIUM, DIST, INSIDE, Phone, Site, launch_chromium, live_site, open_phone


def pytest_configure(config: pytest.Config) -> None:
    """Known to pytest also when xdist (which defines it) is disabled with -p no:xdist."""
    config.addinivalue_line("markers", "xdist_group(name): run these tests on the same xdist worker")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every e2e test is marked `e2e` and runs on one xdist worker (with --dist loadgroup): one at a time."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.xdist_group("e2e"))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say where the screenshots are."""
    if ARTIFACTS.is_dir() and any(ARTIFACTS.glob("*.png")):
        terminalreporter.write_line(f"e2e screenshots: {ARTIFACTS}")


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI must run the end-to-end tests: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the built field app, so a rebuild during the run changes nothing under the tests; skipped
    without a build (never in CI)."""
    if not (DIST / "index.html").is_file():
        _unavailable(f"the field app is not built ({DIST / 'index.html'} is missing): run `make pwa`")
    copy = tmp_path_factory.mktemp("pwa") / "dist"
    shutil.copytree(DIST, copy)
    return copy


@pytest.fixture
def site(dist: Path, sqlite_template: Path, cjk_font: Path, tmp_path: Path) -> Iterator[Site]:
    """A fresh database seeded through the services, served on 127.0.0.1, with label images of its units."""
    with live_site(tmp_path, dist, cjk_font, template=sqlite_template) as live:
        yield live


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright; skipped without it (never in CI)."""
    if not CHROMIUM.is_file():
        _unavailable(f"{CHROMIUM} is missing: install Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def phones(browser: Any, site: Site) -> Iterator[Callable[..., Phone]]:
    """Open phones (browser contexts at a phone's viewport, location granted): phones(position)."""
    opened: list[Phone] = []

    def open_one(position: dict[str, float] = INSIDE) -> Phone:
        phone = open_phone(browser, site.base_url, position, WAIT_MS)
        opened.append(phone)
        return phone

    yield open_one
    for phone in opened:
        phone.context.close()
    refused = [text for phone in opened for text in phone.csp_violations]
    assert not refused, f"the app broke its Content-Security-Policy: {refused[:3]}"
