"""A live LeaseKeeper serving the built field app, seeded through the services, and Chromium to drive it.

Used by the end-to-end tests (tests/e2e) and by the front-end benchmark (bench/pwa.py).
"""

from __future__ import annotations

import io
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask import Flask
from PIL import Image
from sqlalchemy import select
from werkzeug.serving import make_server

from backend import create_app
from backend.config import PROJECT_ROOT, TestConfig
from backend.core.db import migrate
from backend.core.db.database import Database
from backend.core.domain.audit import Origin
from backend.core.services import users
from backend.core.services.context import Actor
from backend.field.db.models import StatusChangeRequest
from backend.org.db.models import Asset
from backend.org.domain.org import AssetType, ProjectCategory
from backend.org.services import org
from qr_tools.payload import build, parse_keyring
from qr_tools.render import LabelContent, label_png

DIST = PROJECT_ROOT / "pwa" / "dist"
CHROMIUM = Path("/usr/bin/chromium")
# Never a downloaded browser: Debian's Chromium, headless, quiet on the network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# A mid-range phone held upright.
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
    "locale": "en-US",
    "timezone_id": "Asia/Shanghai",
}
# A block in Lujiazui, Shanghai (GeoJSON: longitude, latitude), about 240 m x 220 m.
FENCE = {
    "type": "Polygon",
    "coordinates": [
        [
            [121.5040, 31.2325],
            [121.5065, 31.2325],
            [121.5065, 31.2345],
            [121.5040, 31.2345],
            [121.5040, 31.2325],
        ]
    ],
}
INSIDE = {"latitude": 31.23352, "longitude": 121.50521, "accuracy": 8}
# About 430 m east of the block's eastern edge.
OUTSIDE = {"latitude": 31.23350, "longitude": 121.51100, "accuracy": 8}
PASSWORD = "correct horse battery"
SEEDER = Actor.system(Origin.CLI, "e2e")


@dataclass
class Site:
    """The app served on loopback with a seeded project, and label images of its units."""

    base_url: str
    app: Flask
    db: Database
    project: Any
    units: list[Any]
    inspector: Any
    manager: Any
    labels: dict[str, Path] = field(default_factory=dict)
    forged_label: Path | None = None

    def asset_status(self, asset_id: int) -> tuple[str, int]:
        """An asset's status and status version as the database holds them now."""
        with self.db.engine.connect() as connection:
            row = connection.execute(
                select(Asset.status, Asset.status_version).where(Asset.id == asset_id)
            ).one()
        return str(row.status), int(row.status_version)

    def requests(self, asset_id: int | None = None) -> list[dict[str, Any]]:
        """Status change requests (of one asset, or all) as the database holds them now, oldest first."""
        table = StatusChangeRequest.__table__
        query = select(table).order_by(table.c.id)
        if asset_id is not None:
            query = query.where(table.c.asset_id == asset_id)
        with self.db.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [dict(row._mapping) for row in rows]


def seed(db: Database, unit_count: int = 2) -> dict[str, Any]:
    """A region, a fenced project without remote confirmation, its units, an inspector and a manager."""

    def run(service: Callable[..., Any], *args: Any) -> Any:
        with db.unit_of_work() as uow:
            return service(*args, SEEDER, uow)

    region = run(org.create_region, {"code": "EAST", "name": "East China"})
    project = run(
        org.create_project,
        {
            "region_id": region.id,
            "code": "SH-LJZ",
            "name": "Lujiazui Centre",
            "city": "Shanghai",
            "category": ProjectCategory.OFFICE,
            "timezone": "Asia/Shanghai",
            "holiday_calendar": "CN",
            "latitude": Decimal("31.2335"),
            "longitude": Decimal("121.50525"),
            "geofence": FENCE,
        },
    )
    units = [
        run(
            org.create_asset,
            {
                "project_id": project.id,
                "code": f"SH-LJZ-{1201 + number}",
                "name": f"Unit {1201 + number}",
                "asset_type": AssetType.OFFICE,
                "floor": "12",
                "area_m2": Decimal("120.50"),
            },
        )
        for number in range(unit_count)
    ]

    def person(username: str, role: str) -> Any:
        data = {
            "username": username,
            "display_name": username.title(),
            "password": PASSWORD,
            "locale": "en",
            "roles": [{"role": role, "project_id": project.id}],
        }
        return run(users.create_user, data)

    return {
        "project": project,
        "units": units,
        "inspector": person("inspector", "inspector"),
        "manager": person("manager", "project_manager"),
    }


def label_photo(url: str, code: str, project_name: str, font: Path, path: Path) -> Path:
    """A 50 x 30 mm label at 300 dpi as a photo of it would be: an RGB PNG with a margin round it."""
    label = Image.open(io.BytesIO(label_png(LabelContent(url, code, project_name), (50.0, 30.0), font)))
    photo = Image.new("RGB", (label.width + 120, label.height + 120), (235, 235, 230))
    photo.paste(label.convert("RGB"), (60, 60))
    photo.save(path, format="PNG")
    return path


@contextmanager
def live_site(
    workdir: Path,
    dist: Path,
    font: Path,
    template: Path | None = None,
    unit_count: int = 2,
) -> Iterator[Site]:
    """A fresh SQLite database in `workdir` (a copy of `template`, or migrated now), seeded, served by
    werkzeug (threaded) on 127.0.0.1 with the built app in `dist`; labels of every unit and a forged one."""
    database = workdir / "site.sqlite3"
    if template is not None:
        shutil.copyfile(template, database)
    else:
        migrate.upgrade(f"sqlite:///{database}")
    app = create_app(TestConfig, DATABASE_URL=f"sqlite:///{database}", PWA_DIST_DIR=str(dist))
    db: Database = app.extensions["leasekeeper.db"]
    seeded = seed(db, unit_count)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    # Labels point at this server, so it takes them for its own.
    app.config["PUBLIC_BASE_URL"] = base_url
    keyring = parse_keyring(app.config["LABEL_SIGNING_KEYS"])
    labels_dir = workdir / "labels"
    labels_dir.mkdir(exist_ok=True)
    name = seeded["project"].name
    labels = {
        unit.code: label_photo(
            build(base_url, unit.code, keyring), unit.code, name, font, labels_dir / f"{unit.code}.png"
        )
        for unit in seeded["units"]
    }
    code = seeded["units"][0].code
    forger = parse_keyring("forged:not-the-real-key")
    forged = label_photo(build(base_url, code, forger), code, name, font, labels_dir / "forged.png")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(base_url, app, db, labels=labels, forged_label=forged, **seeded)
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
        db.dispose()


@dataclass
class Phone:
    """One browser context (one phone): its page, and every URL it requested."""

    context: Any
    page: Any
    position: dict[str, float]
    requests: list[str] = field(default_factory=list)
    # What the browser refused to load or run because of our Content-Security-Policy.
    csp_violations: list[str] = field(default_factory=list)
    _devtools: Any = None

    def offline(self, offline: bool = True) -> None:
        """Lose (or regain) the network."""
        self.context.set_offline(offline)
        if not offline and self._devtools is not None:
            self._devtools.send("Network.emulateNetworkConditions", _network(offline=False))
            self._devtools.detach()
            self._devtools = None

    def reload_offline(self) -> None:
        """Reload the app while offline, as a phone in airplane mode would.

        Chromium keeps failing the new document's requests, but its navigator.onLine says true again after a
        reload under emulation; a real phone says false. So the page's own DevTools session emulates offline
        once more (until `offline(False)`).
        """
        self.page.reload()
        self._devtools = self.context.new_cdp_session(self.page)
        self._devtools.send("Network.emulateNetworkConditions", _network(offline=True))

    def gps_tick(self) -> None:
        """The GPS reports the position again, as a real one does every second or so. (Chromium's emulated
        position reaches a page's watchers once; a later watchPosition hears nothing until it is set anew.)"""
        self.context.set_geolocation(self.position)


def _network(offline: bool) -> dict[str, Any]:
    return {"offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}


def open_phone(browser: Any, base_url: str, position: dict[str, float], timeout_ms: int) -> Phone:
    """A new browser context at a phone's viewport, location granted and set, recording its requests."""
    context = browser.new_context(
        base_url=base_url, permissions=["geolocation"], geolocation=position, **PHONE
    )
    context.set_default_timeout(timeout_ms)
    phone = Phone(context, context.new_page(), position)
    context.on("request", lambda request: phone.requests.append(request.url))
    context.on("console", lambda message: _note_csp_violation(phone, message.text))
    return phone


def _note_csp_violation(phone: Phone, text: str) -> None:
    if "Content Security Policy" in text:
        phone.csp_violations.append(text)


def launch_chromium(playwright: Any) -> Any:
    """Debian's Chromium, headless."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
