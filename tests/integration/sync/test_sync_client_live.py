"""The reference sync client against the real app served over loopback HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, update
from werkzeug.serving import make_server

from backend.core.db.database import Database
from backend.core.domain.login import LoginPolicy
from backend.core.services import auth
from backend.field.db.models import StatusChangeRequest
from backend.org.services import org
from sync import prune as sync_log
from sync.client import DeviceRevoked, HttpResponse, SyncClient, urllib_transport
from sync.db.models import SyncChange
from tests.conftest import PASSWORD, SYSTEM

CAPTURED = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


@pytest.fixture
def base_url(app: Flask) -> Iterator[str]:
    """The test app served by werkzeug on a free loopback port, in a thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def field(make_region: Any, make_project: Any, make_asset: Any, make_user: Any) -> dict[str, Any]:
    """A project with two office units and an inspector of it."""
    project = make_project(make_region())
    units = [make_asset(project), make_asset(project)]
    inspector = make_user("inspector", project_id=project.id)
    return {"project": project, "units": units, "inspector": inspector}


@pytest.fixture
def device(run: Callable[..., Any], field: dict[str, Any]) -> Any:
    """The inspector's phone, registered as the auth API would."""
    credentials = {"username": field["inspector"].username, "password": PASSWORD, "device_name": "Live phone"}
    return run(auth.register_device, credentials, SYSTEM, LoginPolicy(), datetime.now(UTC))


class LosesResponses:
    """A transport that lets the server commit the next `count` pushes and then drops their answers."""

    def __init__(self, count: int) -> None:
        """Lose the next `count` push answers."""
        self.count = count

    def __call__(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | None, timeout: float
    ) -> HttpResponse:
        """Send for real; maybe lose the answer."""
        answer = urllib_transport(method, url, headers, body, timeout)
        if method == "POST" and self.count:
            self.count -= 1
            raise ConnectionResetError("answer lost")
        return answer


def requests_on(db: Database, asset_id: int) -> int:
    """How many status change requests exist for an asset."""
    with db.engine.connect() as connection:
        count: int = connection.execute(
            select(func.count()).where(StatusChangeRequest.asset_id == asset_id)
        ).scalar_one()
    return count


def request_args(unit: Any) -> dict[str, Any]:
    """Valid args of a status change request for a unit as it is now."""
    return {
        "asset_id": unit.id,
        "to_status": "maintenance",
        "base_version": unit.status_version,
        "reason": "漏水",
    }


def test_a_request_whose_answer_was_lost_is_applied_exactly_once(
    base_url: str, device: Any, field: dict[str, Any], db: Database, tmp_path: Path
) -> None:
    unit = field["units"][0]
    client = SyncClient(base_url, device.token, tmp_path / "phone.sqlite3", transport=LosesResponses(1))
    op_id = client.enqueue("status_change.request", request_args(unit), CAPTURED)
    with pytest.raises(ConnectionResetError):
        client.push()
    assert client.pending() == 1
    report = client.push()
    assert (report.duplicate, report.pending) == (1, 0)
    assert client.acknowledgement(op_id) == ("duplicate", None)
    assert requests_on(db, unit.id) == 1


def test_a_refused_command_is_kept_with_its_reason_and_the_next_one_applies(
    base_url: str, device: Any, field: dict[str, Any], db: Database, tmp_path: Path
) -> None:
    stale, good = field["units"]
    client = SyncClient(base_url, device.token, tmp_path / "phone.sqlite3")
    refused = client.enqueue("status_change.request", request_args(stale) | {"base_version": 99}, CAPTURED)
    applied = client.enqueue("status_change.request", request_args(good), CAPTURED)
    report = client.push()
    assert (report.applied, report.rejected, report.pending) == (1, 1, 0)
    [rejection] = client.rejected()
    assert (rejection.op_id, rejection.code) == (refused, "stale_version")
    assert rejection.message
    status, result = client.acknowledgement(applied) or ("", None)
    assert status == "applied"
    assert result is not None
    assert result["id"] > 0
    assert (requests_on(db, stale.id), requests_on(db, good.id)) == (0, 1)


def test_pull_caches_the_users_scope_and_then_only_what_changed(
    base_url: str, device: Any, field: dict[str, Any], tmp_path: Path
) -> None:
    client = SyncClient(base_url, device.token, tmp_path / "phone.sqlite3")
    snapshot = client.pull(limit=1)
    assert snapshot.pages >= 3
    assert set(client.entities("asset")) == {unit.id for unit in field["units"]}
    assert field["project"].id in client.entities("project")
    assert client.cursor
    client.enqueue("status_change.request", request_args(field["units"][0]), CAPTURED)
    client.push()
    changes = client.pull()
    assert changes.changes < snapshot.changes
    [request] = client.entities("status_request").values()
    assert request["asset_id"] == field["units"][0].id


def test_a_revoked_phone_gets_a_clear_refusal_and_keeps_its_queue(
    base_url: str, device: Any, field: dict[str, Any], run: Callable[..., Any], tmp_path: Path
) -> None:
    client = SyncClient(base_url, device.token, tmp_path / "phone.sqlite3")
    client.enqueue("status_change.request", request_args(field["units"][0]), CAPTURED)
    run(auth.revoke_device, device.device.id, SYSTEM, datetime.now(UTC))
    with pytest.raises(DeviceRevoked, match="revoked"):
        client.push()
    assert client.pending() == 1


def test_an_answer_cut_off_half_way_counts_as_a_dropped_connection() -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:

        def answer_half() -> None:
            connection, _ = listener.accept()
            with connection:
                # Read the whole request first: closing with unread bytes would reset the connection
                # instead of cutting the answer off, which is the case under test.
                received = b""
                while not received.endswith(b"{}"):
                    chunk = connection.recv(65536)
                    if not chunk:
                        break
                    received += chunk
                connection.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 104\r\n\r\n{")

        thread = threading.Thread(target=answer_half)
        thread.start()
        port = listener.getsockname()[1]
        with pytest.raises(ConnectionError, match="IncompleteRead"):
            urllib_transport("POST", f"http://127.0.0.1:{port}/api/sync/push", {}, b"{}", 5)
        thread.join()


def test_a_phone_behind_the_pruned_log_drops_its_cache_and_downloads_its_scope_again(
    base_url: str, device: Any, field: dict[str, Any], db: Database, run: Callable[..., Any], tmp_path: Path
) -> None:
    client = SyncClient(base_url, device.token, tmp_path / "phone.sqlite3")
    client.pull()
    gone, kept = field["units"]
    run(org.delete_asset, gone.id, SYSTEM)
    run(org.update_asset, kept.id, {"name": "改名"}, SYSTEM)
    with db.engine.begin() as connection:
        connection.execute(update(SyncChange).values(changed_at=datetime.now(UTC) - timedelta(days=200)))
    run(sync_log.prune, 90, SYSTEM, now=datetime.now(UTC))

    report = client.pull()

    assert report.resets == 1
    assert set(client.entities("asset")) == {kept.id}
    assert client.entity("asset", kept.id)["name"] == "改名"  # type: ignore[index]
    assert client.pull().changes == 0
