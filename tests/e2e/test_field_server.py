"""What the field app's server does for phones on a real network: labels that open where the server is,
compressed and long-cached app files, and the manager's list by state (points 10, 11 and 13 of the field
app's second pass)."""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PIL import Image

from backend.core.domain.audit import Origin
from backend.core.services import auth
from backend.core.services.auth import LoginPolicy
from backend.core.services.context import Actor
from qr_tools.verify import decode_image
from tests.e2e.live import PASSWORD, Phone, Site

SEEDER = Actor.system(Origin.CLI, "e2e-field-server")


def bearer(site: Site, user: Any) -> dict[str, str]:
    credentials = {"username": user.username, "password": PASSWORD, "device_name": "e2e"}
    with site.db.unit_of_work() as uow:
        issued = auth.register_device(credentials, SEEDER, LoginPolicy(), datetime.now(UTC), uow)
        uow.commit()
    return {"Authorization": f"Bearer {issued.token}"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def served(site: Site, tmp_path: Path, port: int) -> Iterator[str]:
    """`leasekeeper serve --port` on the site's database, with no public address configured."""
    environment = {
        key: value for key, value in os.environ.items() if key not in {"PUBLIC_BASE_URL", "HOST", "PORT"}
    } | {
        "DATABASE_URL": str(site.db.engine.url),
        "LEASEKEEPER_VAR_DIR": str(tmp_path / "var"),
        "LABEL_SIGNING_KEYS": site.app.config["LABEL_SIGNING_KEYS"],
    }
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("leasekeeper")), "serve", "--port", str(port), "--threads", "2"],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=1):  # noqa: S310 - loopback
                    break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_a_label_opens_the_port_the_server_is_served_on(site: Site, phones: Any, tmp_path: Path) -> None:
    # Before the fix, labels encoded port 8000 whatever PORT or --port the server was started with.
    port = free_port()
    phone: Phone = phones()
    unit = site.units[0]
    with served(site, tmp_path, port) as base:
        response = phone.page.request.get(
            f"{base}/api/assets/{unit.id}/label?format=png", headers=bearer(site, site.manager)
        )
        assert response.status == 200, response.text()
    decoded = decode_image(Image.open(io.BytesIO(response.body())))
    assert decoded, "no QR code in the label"
    assert decoded[0][0].startswith(f"http://127.0.0.1:{port}/a/{unit.code}?s="), decoded[0][0]


def test_the_app_files_go_compressed_and_hashed_ones_are_cached_for_a_year(site: Site, phones: Any) -> None:
    phone: Phone = phones()
    page = phone.page
    page.goto("/login")
    page.get_by_test_id("login-username").wait_for()
    scripts = page.evaluate(
        """() => performance.getEntriesByType('resource')
              .filter(e => /\\/assets\\/.+\\.js$/.test(new URL(e.name).pathname))
              .map(e => ({url: e.name, encoded: e.encodedBodySize, decoded: e.decodedBodySize}))"""
    )
    assert scripts, "the page loaded no script from /assets/"
    for script in scripts:
        assert script["encoded"] < script["decoded"] * 0.6, script
    first = scripts[0]["url"]
    asset = page.request.get(first, headers={"Accept-Encoding": "gzip"})
    assert asset.headers["content-encoding"] == "gzip"
    assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
    for shell in ("/", "/sw.js", "/manifest.webmanifest", "/a/SH-LJZ-0305"):
        answer = page.request.get(shell, headers={"Accept-Encoding": "gzip"})
        assert answer.status == 200, shell
        assert answer.headers["cache-control"] == "no-cache", shell
    # A file of an older build is gone, not answered with the app's page under a script's name.
    stale = page.request.get(re.sub(r"-[\w-]+\.js$", "-0ld0ld0.js", first))
    assert stale.status == 404


def test_the_managers_list_filters_by_state(site: Site, phones: Any) -> None:
    phone: Phone = phones()
    headers = bearer(site, site.manager)
    for state in ("pending", "confirmed", "rejected", "expired", "cancelled"):
        listed = phone.page.request.get(f"/api/status-requests?state={state}", headers=headers)
        assert listed.status == 200, (state, listed.text())
        assert listed.json() == [], state
