"""Liveness and readiness probes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from backend import create_app
from backend.config import TestConfig


def test_a_migrated_database_is_ready(client: Any) -> None:
    assert client.get("/healthz").json == {"status": "ok", "checks": {}}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json["checks"] == {"database": "current"}


def test_an_unmigrated_database_is_alive_but_not_ready(tmp_path: Path) -> None:
    app = create_app(TestConfig, DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    not_ready = client.get("/readyz")
    assert not_ready.status_code == 503
    assert not_ready.json == {"status": "unavailable", "checks": {"database": "outdated"}}


def test_an_unreachable_database_is_not_ready() -> None:
    app = create_app(
        TestConfig, DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1"
    )
    assert app.test_client().get("/readyz").json["checks"] == {"database": "unreachable"}
