"""Sync pull: a paged snapshot of the user's scope, then changes since a server cursor, with tombstones."""

from __future__ import annotations

import gzip
import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, update

from backend.core.services import users
from backend.org.db.models import Asset
from backend.org.domain.org import AssetType
from backend.org.services import org
from sync import prune as sync_log
from sync.db.models import SyncChange
from tests.api.sync.test_sync_push import Phone, request_args
from tests.conftest import SYSTEM
from tests.support.locks import WAIT, wait_until_busy_waiting


@pytest.fixture
def scope(make_region: Any, make_project: Any, make_asset: Any, make_user: Any, bearer_client: Any) -> Any:
    """An inspector of one region's project with five units; another region's project and unit."""
    region = make_region()
    project = make_project(region)
    far = make_project(make_region())

    class Scope:
        pass

    s = Scope()
    s.project, s.far = project, far
    s.assets = [make_asset(project) for _ in range(5)]
    s.asset = s.assets[0]
    s.far_asset = make_asset(far)
    s.user = make_user("inspector", project_id=project.id)
    s.phone = Phone(bearer_client(s.user))
    s.manager = bearer_client(make_user("admin"))
    return s


def pull_all(phone: Phone, cursor: str = "", limit: int = 500) -> tuple[list[dict[str, Any]], str, int]:
    """Every page from a cursor: the changes, the last cursor, how many pages."""
    changes: list[dict[str, Any]] = []
    pages = 0
    while True:
        response = phone.client.post("/api/sync/pull", json={"cursor": cursor, "limit": limit})
        assert response.status_code == 200, response.json
        pages += 1
        changes.extend(response.json["changes"])
        cursor = response.json["cursor"]
        if not response.json["has_more"]:
            return changes, cursor, pages


def ids(changes: list[dict[str, Any]], entity: str, op: str = "upsert") -> set[int]:
    return {c["id"] for c in changes if c["entity"] == entity and c["op"] == op}


def test_the_snapshot_is_paged_and_holds_the_scope_only(scope: Any) -> None:
    changes, _cursor, pages = pull_all(scope.phone, limit=2)
    assert pages >= 3
    assert ids(changes, "project") == {scope.project.id}
    assert ids(changes, "asset") == {a.id for a in scope.assets}
    assert scope.far_asset.id not in ids(changes, "asset")
    asset = next(c for c in changes if c["entity"] == "asset")
    assert {"status", "status_version", "geofence", "project_id"} <= set(asset["data"])


def test_changes_after_the_cursor_come_as_the_latest_state_once(scope: Any, run: Any) -> None:
    _changes, cursor, _pages = pull_all(scope.phone)
    run(org.update_asset, scope.asset.id, {"name": "一号"}, SYSTEM)
    run(org.update_asset, scope.asset.id, {"name": "二号"}, SYSTEM)
    run(org.update_asset, scope.far_asset.id, {"name": "远方"}, SYSTEM)

    changes, cursor, _pages = pull_all(scope.phone, cursor)

    assert [(c["entity"], c["id"], c["data"]["name"]) for c in changes] == [("asset", scope.asset.id, "二号")]
    assert pull_all(scope.phone, cursor)[0] == []


def test_a_pushed_command_and_its_rejection_reach_the_phone(scope: Any) -> None:
    _changes, cursor, _pages = pull_all(scope.phone)
    scope.phone.one("status_change.request", request_args(scope))
    scope.phone.one("status_change.request", request_args(scope) | {"asset_id": scope.far_asset.id})

    changes, _cursor, _pages = pull_all(scope.phone, cursor)

    assert len(ids(changes, "status_request")) == 1
    rejection = next(c for c in changes if c["entity"] == "rejection")
    assert rejection["data"]["code"] == "not_found"
    assert rejection["data"]["message"]


def test_an_applied_command_reaches_the_phone_when_a_later_one_in_its_batch_is_refused(scope: Any) -> None:
    _changes, cursor, _pages = pull_all(scope.phone)
    phone = scope.phone
    refused = request_args(scope) | {"asset_id": scope.far_asset.id}
    response = phone.push(
        phone.command("status_change.request", request_args(scope)),
        phone.command("status_change.request", refused),
    )
    assert [r["status"] for r in response.json["results"]] == ["applied", "rejected"]

    changes, _cursor, _pages = pull_all(phone, cursor)

    assert ids(changes, "status_request") == {response.json["results"][0]["result"]["id"]}
    assert len(ids(changes, "rejection")) == 1


def test_a_deleted_asset_reaches_the_phone_as_a_tombstone(scope: Any, run: Any) -> None:
    _changes, cursor, _pages = pull_all(scope.phone)
    run(org.delete_asset, scope.assets[4].id, SYSTEM)

    changes, _cursor, _pages = pull_all(scope.phone, cursor)

    assert changes == [{"entity": "asset", "id": scope.assets[4].id, "op": "delete"}]


def test_an_asset_moved_to_a_project_out_of_scope_reaches_the_phone_as_a_delete(scope: Any, run: Any) -> None:
    _changes, cursor, _pages = pull_all(scope.phone)
    moved = scope.assets[3]
    run(org.update_asset, moved.id, {"project_id": scope.far.id}, SYSTEM)

    changes, cursor, _pages = pull_all(scope.phone, cursor)

    assert changes == [{"entity": "asset", "id": moved.id, "op": "delete"}]
    run(org.update_asset, moved.id, {"project_id": scope.project.id}, SYSTEM)  # and back again
    changes, _cursor, _pages = pull_all(scope.phone, cursor)
    assert [(c["entity"], c["id"], c["op"]) for c in changes] == [("asset", moved.id, "upsert")]
    assert changes[0]["data"]["project_id"] == scope.project.id


def test_losing_access_to_a_project_deletes_it_and_everything_of_it(scope: Any, run: Any) -> None:
    scope.phone.one("status_change.request", request_args(scope))
    _changes, cursor, _pages = pull_all(scope.phone)
    run(
        users.update_user,
        scope.user.id,
        {"roles": [{"role": "inspector", "project_id": scope.far.id}]},
        SYSTEM,
    )

    changes, cursor, _pages = pull_all(scope.phone, cursor)

    assert ids(changes, "project", "delete") == {scope.project.id}
    assert ids(changes, "asset", "delete") == {a.id for a in scope.assets}
    assert len(ids(changes, "status_request", "delete")) == 1
    assert ids(changes, "asset") == {scope.far_asset.id}  # the new project comes as a snapshot


def test_a_lost_pull_response_is_answered_again_with_the_same_deletes(scope: Any, run: Any) -> None:
    _changes, cursor, _pages = pull_all(scope.phone)
    run(
        users.update_user,
        scope.user.id,
        {"roles": [{"role": "inspector", "project_id": scope.far.id}]},
        SYSTEM,
    )
    first, _lost_cursor, _pages = pull_all(scope.phone, cursor)

    again, _cursor, _pages = pull_all(scope.phone, cursor)

    assert ids(again, "project", "delete") == ids(first, "project", "delete") == {scope.project.id}


def test_pages_are_gzip_compressed_when_asked(scope: Any) -> None:
    response = scope.phone.client.post("/api/sync/pull", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    body = json.loads(gzip.decompress(response.data))
    assert body["protocol_version"] == 1
    assert ids(body["changes"], "asset") == {a.id for a in scope.assets}


def test_a_cursor_the_server_did_not_issue_is_refused_naming_it(scope: Any) -> None:
    response = scope.phone.client.post("/api/sync/pull", json={"cursor": "bm90LWEtY3Vyc29y"})
    assert response.status_code == 422
    assert "cursor" in response.json["errors"]["json"]


def test_a_cursor_behind_the_pruned_log_is_told_to_download_again(scope: Any, run: Any, db: Any) -> None:
    _changes, cursor, _pages = pull_all(scope.phone)
    run(org.update_asset, scope.asset.id, {"name": "之后"}, SYSTEM)
    run(org.update_asset, scope.assets[1].id, {"name": "最新"}, SYSTEM)
    with db.engine.begin() as connection:
        connection.execute(update(SyncChange).values(changed_at=datetime.now(UTC) - timedelta(days=200)))
    run(sync_log.prune, 90, SYSTEM, now=datetime.now(UTC))

    response = scope.phone.client.post("/api/sync/pull", json={"cursor": cursor})

    assert response.status_code == 410
    assert list(response.json["errors"]["json"]) == ["cursor"]
    again, _cursor, _pages = pull_all(scope.phone)
    assert {c["data"]["name"] for c in again if c["entity"] == "asset"} >= {"之后", "最新"}


def test_pulling_needs_a_device(scope: Any, web_client: Any) -> None:
    assert scope.manager.post("/api/sync/pull").status_code == 200
    assert web_client(scope.user).post("/api/sync/pull").status_code == 401


def test_assets_inserted_in_bulk_reach_the_phone_through_a_fresh_snapshot(scope: Any, db: Any) -> None:
    _changes, cursor, _pages = pull_all(scope.phone)
    now = datetime.now(UTC)
    rows = [
        {"project_id": scope.project.id, "code": f"BULK-{n}", "kind": "space", "asset_type": AssetType.OFFICE}
        | {"status": "vacant", "status_version": 1, "created_at": now, "updated_at": now}
        for n in range(3)
    ]
    with db.unit_of_work() as uow:
        uow.assets.bulk_create(rows)
        uow.commit()

    changes, _cursor, _pages = pull_all(scope.phone, cursor)

    assert {c["data"]["code"] for c in changes if c["entity"] == "asset"} >= {"BULK-0", "BULK-1", "BULK-2"}


def test_a_pull_waits_for_a_writer_that_commits_while_it_runs_instead_of_failing(
    backend: str, scope: Any, db: Any
) -> None:
    _changes, cursor, _pages = pull_all(scope.phone)
    written, pulling, committed = threading.Event(), threading.Event(), threading.Event()
    failures: list[BaseException] = []
    puller = threading.get_native_id()

    def writer() -> None:  # another phone's push, in the middle of its transaction
        try:
            with db.unit_of_work() as uow:
                uow.session.execute(update(Asset).where(Asset.id == scope.asset.id).values(name="renamed"))
                written.set()
                assert pulling.wait(WAIT), "the pull never started"
                if backend == "sqlite":  # commit only once the pull is really waiting for our write lock
                    wait_until_busy_waiting(puller, committed)
                uow.commit()
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)
        finally:
            committed.set()

    def on_statement(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if threading.get_native_id() != puller or pulling.is_set():
            return
        if backend == "sqlite" and statement.startswith("BEGIN"):
            pulling.set()  # from now on it can only sleep waiting for the writer's lock
        elif backend == "postgresql" and "sync_" in statement:
            pulling.set()  # PostgreSQL does not make it wait: the writer commits in the middle of it
            assert committed.wait(WAIT), "the writer never committed"

    thread = threading.Thread(target=writer)
    thread.start()
    assert written.wait(WAIT)
    event.listen(db.engine, "before_cursor_execute", on_statement)
    try:
        response = scope.phone.client.post("/api/sync/pull", json={"cursor": cursor})
    finally:
        event.remove(db.engine, "before_cursor_execute", on_statement)
        committed.wait(WAIT)
    thread.join(WAIT)

    assert failures == []
    assert response.status_code == 200, response.json
    changes, _cursor, _pages = pull_all(scope.phone, cursor)
    assert {c["data"]["name"] for c in changes if c["entity"] == "asset"} == {"renamed"}
