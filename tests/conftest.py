"""Shared fixtures: a freshly migrated database per test, on SQLite and on PostgreSQL."""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, has_request_context, request
from flask.testing import FlaskClient
from sqlalchemy import event

from backend import create_app
from backend.adapters import passwords
from backend.config import TestConfig
from backend.core.db import migrate
from backend.core.db.database import Database
from backend.core.domain.audit import Origin
from backend.core.domain.login import LoginPolicy
from backend.core.services import auth, users
from backend.core.services.context import Actor
from backend.org.domain.org import AssetType, CustomerKind, ProjectCategory
from backend.org.services import customers, org
from tests.support.postgres import PostgresServer, postgres_unavailable_reason

BACKENDS = ("sqlite", "postgresql")
IN_CI = os.environ.get("CI") == "true"
_counter = itertools.count()


def pytest_configure(config: pytest.Config) -> None:
    """Cheap argon2 for every test; the production cost is configured by the app."""
    passwords.configure(1, 1024, 1)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One throwaway PostgreSQL for the whole run; skipped without binaries (never in CI)."""
    reason = postgres_unavailable_reason()
    if reason is not None:
        if IN_CI:
            pytest.fail(f"CI must run the PostgreSQL tests: {reason}")
        pytest.skip(reason)
    server = PostgresServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres_server: PostgresServer) -> str:
    """A migrated PostgreSQL database, cloned for each test."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"lk_template_{worker}"
    migrate.upgrade(postgres_server.create_database(name))
    return name


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Which database engine a test runs on."""
    return str(request.param)


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database for this test."""
    if backend == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    template = request.getfixturevalue("postgres_template")
    name = f"lk_test_{os.getpid()}_{next(_counter)}"
    yield server.create_database(name, template=template)
    server.drop_database(name)


_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


@pytest.fixture
def app_overrides() -> dict[str, Any]:
    """Settings a test module changes for its application (override this fixture)."""
    return {}


@pytest.fixture
def app(database_url: str, app_overrides: dict[str, Any]) -> Iterator[Flask]:
    """The application on this test's database; any statement that writes during a GET fails the test."""
    application = create_app(TestConfig, DATABASE_URL=database_url, **app_overrides)
    written_on_get: list[str] = []

    def no_writes_on_get(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        reading = has_request_context() and request.method in {"GET", "HEAD"}
        if reading and statement.lstrip().upper().startswith(_WRITES):
            first_line = statement.strip().splitlines()[0]
            written_on_get.append(f"{request.method} {request.path}: {first_line}")

    engine = application.extensions["leasekeeper.db"].engine
    event.listen(engine, "before_cursor_execute", no_writes_on_get)
    yield application
    event.remove(engine, "before_cursor_execute", no_writes_on_get)
    application.extensions["leasekeeper.outbox"].shutdown()
    application.extensions["leasekeeper.db"].dispose()
    assert not written_on_get, f"a GET request wrote: {written_on_get[:3]}"


@pytest.fixture
def db(app: Flask) -> Database:
    """The application's database, for arranging data through services."""
    database: Database = app.extensions["leasekeeper.db"]
    return database


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """An anonymous HTTP client."""
    return app.test_client()


@pytest.fixture
def run(db: Database) -> Callable[..., Any]:
    """Run a service function in its own unit of work: run(service, *args) (uow passed last)."""

    def call(service: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with db.unit_of_work() as uow:
            return service(*args, uow=uow, **kwargs)

    return call


SYSTEM = Actor.system(Origin.CLI, "tests")
PASSWORD = "correct horse battery"


@pytest.fixture
def make_region(run: Callable[..., Any]) -> Callable[..., Any]:
    """Create a region: make_region(code="EAST")."""

    def create(code: str | None = None, name: str = "华东区域") -> Any:
        return run(org.create_region, {"code": code or f"R{next(_counter)}", "name": name}, SYSTEM)

    return create


@pytest.fixture
def make_project(run: Callable[..., Any]) -> Callable[..., Any]:
    """Create a project in a region: make_project(region, code="SH-01")."""

    def create(region: Any, code: str | None = None, **values: Any) -> Any:
        data = {
            "region_id": region.id,
            "code": code or f"P{next(_counter)}",
            "name": "陆家嘴中心",
            "city": "上海",
            "category": ProjectCategory.OFFICE,
            "timezone": "Asia/Shanghai",
            "holiday_calendar": "CN",
        } | values
        return run(org.create_project, data, SYSTEM)

    return create


@pytest.fixture
def make_asset(run: Callable[..., Any]) -> Callable[..., Any]:
    """Create an office unit in a project: make_asset(project, code="SH-01-1201")."""

    def create(project: Any, code: str | None = None, **values: Any) -> Any:
        data = {
            "project_id": project.id,
            "code": code or f"A{next(_counter)}",
            "asset_type": AssetType.OFFICE,
            "floor": "12",
            "area_m2": Decimal("120.50"),
        } | values
        return run(org.create_asset, data, SYSTEM)

    return create


@pytest.fixture
def make_customer(run: Callable[..., Any]) -> Callable[..., Any]:
    """Create a company customer in a region: make_customer(region, name="上海某某科技有限公司")."""

    def create(region: Any, code: str | None = None, **values: Any) -> Any:
        data = {
            "region_id": region.id,
            "code": code or f"C{next(_counter)}",
            "kind": CustomerKind.COMPANY,
            "name": "上海星河科技有限公司",
        } | values
        return run(customers.create_customer, data, SYSTEM)

    return create


@pytest.fixture
def make_user(run: Callable[..., Any]) -> Callable[..., Any]:
    """Create a user holding roles: make_user("regional_manager", region_id=3)."""

    def create(role: str | None = None, username: str | None = None, **target: Any) -> Any:
        roles = [{"role": role, **target}] if role else []
        data = {"username": username or f"user{next(_counter)}", "password": PASSWORD, "roles": roles}
        return run(users.create_user, data, SYSTEM)

    return create


@pytest.fixture
def bearer_client(app: Flask, run: Callable[..., Any]) -> Callable[[Any], FlaskClient]:
    """A client signed in as a user through a phone's device token: bearer_client(user)."""

    def sign_in(user: Any) -> FlaskClient:
        credentials = {"username": user.username, "password": PASSWORD, "device_name": "Test phone"}
        issued = run(auth.register_device, credentials, SYSTEM, LoginPolicy(), datetime.now(UTC))
        signed_in = app.test_client()
        signed_in.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {issued.token}"
        return signed_in

    return sign_in


@pytest.fixture
def web_client(app: Flask) -> Callable[[Any], FlaskClient]:
    """A browser-like client signed in with a session cookie; it sends the CSRF header itself."""

    def sign_in(user: Any) -> FlaskClient:
        browser = app.test_client()
        response = browser.post("/api/auth/login", json={"username": user.username, "password": PASSWORD})
        assert response.status_code == 200, response.json
        browser.environ_base["HTTP_X_CSRFTOKEN"] = response.json["csrf_token"]
        return browser

    return sign_in


@pytest.fixture(scope="session")
def cjk_font() -> Path:
    """The CJK font labels are drawn with; skipped without one (never in CI, where .ci/run installs it)."""
    from qr_tools.fonts import FontNotFound, find_cjk_font

    try:
        return find_cjk_font(os.environ.get("LABEL_FONT_PATH"))
    except FontNotFound as exc:
        if IN_CI:
            pytest.fail(f"CI must run the label tests: {exc}")
        pytest.skip(str(exc))


@pytest.fixture(autouse=True)
def _local_storage_in_tmp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Local photo storage of every app made in a test goes to the test's own folder, not ./var/."""
    monkeypatch.setenv("STORAGE_LOCAL_ROOT", str(tmp_path / "files"))


@pytest.fixture(scope="session")
def moto_s3() -> Iterator[Any]:
    """moto's S3 server, started once for the run on a free loopback port."""
    from tests.support.s3 import start_moto_s3  # moto is slow to import; only S3 tests need it

    server = start_moto_s3()
    yield server
    server.server.stop()


@pytest.fixture
def s3_bucket(moto_s3: Any) -> str:
    """A fresh, empty bucket name for this test on the moto server."""
    return f"lk-test-{next(_counter)}"
