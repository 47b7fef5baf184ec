"""Sync push: ordered, idempotent, each command authorised on its own through the back office's services."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError

from backend.core.db.database import Database
from backend.core.db.models import AuditEntry, Device
from backend.core.db.uow import is_transient
from backend.core.domain.audit import Origin
from backend.core.services import auth
from backend.core.services.context import Actor
from backend.field.db.models import StatusChangeRequest
from backend.field.services.labels import LabelSettings
from sync.commands import COMMANDS
from sync.db.models import SyncRejection
from sync.engine import HANDLERS, PushContext, Untranslated, apply_push
from sync.protocol import decode_push
from tests.api.field.test_status_requests import FENCE, fix, label
from tests.conftest import SYSTEM

OFFICE_CHECKLIST = {
    "code": "OFF",
    "name": "办公室巡检",
    "asset_type": "office",
    "items": [{"key": "clean", "label_zh": "整洁", "label_en": "Clean", "kind": "pass_fail"}],
}


class Phone:
    """A signed-in phone with its own command sequence."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.seq = itertools.count(1)

    def command(self, name: str, args: dict[str, Any], seq: int | None = None) -> dict[str, Any]:
        return {
            "op_id": str(uuid.uuid4()),
            "device_seq": next(self.seq) if seq is None else seq,
            "name": name,
            "version": 1,
            "args": args,
            "captured_at": "2026-11-23T10:00:00+08:00",
        }

    def push(self, *commands: dict[str, Any], **extra: Any) -> Any:
        body = {"protocol_version": 1, "commands": list(commands)} | extra
        return self.client.post("/api/sync/push", json=body)

    def one(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
        response = self.push(self.command(name, args))
        assert response.status_code == 200, response.json
        result: dict[str, Any] = response.json["results"][0]
        return result


@pytest.fixture
def site(make_region: Any, make_project: Any, make_asset: Any, make_user: Any, bearer_client: Any) -> Any:
    """A fenced project with a unit, two inspectors and a manager on phones; a unit in another region."""
    project = make_project(make_region(), geofence=FENCE, geofence_radius_m=Decimal("50"))
    far = make_project(make_region())

    class Site:
        pass

    s = Site()
    s.project, s.asset, s.far_asset = project, make_asset(project), make_asset(far)
    s.inspector_user = make_user("inspector", project_id=project.id)
    s.inspector = Phone(bearer_client(s.inspector_user))
    s.colleague = Phone(bearer_client(make_user("inspector", project_id=project.id)))
    s.manager_user = make_user("project_manager", project_id=project.id)
    s.manager = Phone(bearer_client(s.manager_user))
    s.head_office = bearer_client(make_user("director"))
    return s


def request_args(site: Any, base_version: int = 1, to: str = "maintenance") -> dict[str, Any]:
    """A report filed at the unit, with a fix inside its project's fence."""
    return {
        "asset_id": site.asset.id,
        "to_status": to,
        "base_version": base_version,
        "reason": "水管漏水",
        "gps": fix(),
    }


def asset_status(site: Any) -> tuple[str, int]:
    body = site.manager.client.get(f"/api/assets/{site.asset.id}").json
    return body["status"], body["status_version"]


def count(db: Database, model: Any) -> int:
    with db.unit_of_work() as uow:
        assert uow.session is not None
        return uow.session.query(model).count()


def device_of(db: Database, user: Any) -> int:
    with db.unit_of_work() as uow:
        assert uow.session is not None
        return int(uow.session.scalars(select(Device.id).where(Device.user_id == user.id)).one())


def test_every_command_is_applied_through_the_services(app: Flask, site: Any) -> None:
    inspector, manager = site.inspector, site.manager
    filed = inspector.one("status_change.request", request_args(site))
    assert filed["status"] == "applied"
    assert filed["result"]["state"] == "pending"
    photo = {"photo_hash": "a" * 64, "target_type": "status_request", "target_id": filed["result"]["id"]}
    assert inspector.one("photo.attach", photo)["status"] == "applied"
    assert inspector.one("status_change.cancel", {"request_id": filed["result"]["id"]})["result"][
        "state"
    ] == ("cancelled")
    again = inspector.one("status_change.request", request_args(site))
    rejected = manager.one("status_change.reject", {"request_id": again["result"]["id"], "reason": "不需要"})
    assert rejected["result"]["state"] == "rejected"
    third = inspector.one("status_change.request", request_args(site))
    evidence = {"request_id": third["result"]["id"], "scan": label(app, site.asset), "gps": fix()}
    assert manager.one("status_change.confirm", evidence)["result"]["state"] == "confirmed"
    assert asset_status(site) == ("maintenance", 2)

    assert site.head_office.post("/api/checklists", json=OFFICE_CHECKLIST).status_code == 201
    position = {name: fix()[name] for name in ("latitude", "longitude", "accuracy_m")}
    inspection = {"asset_id": site.asset.id, "answers": {"clean": {"value": True}}, "gps": position}
    assert inspector.one("inspection.submit", inspection)["result"]["result"] == "pass"

    order = {
        "kind": "repair",
        "asset_id": site.asset.id,
        "title": "换水管",
        "assignee_id": site.inspector_user.id,
    }
    order_id = manager.client.post("/api/work-orders", json=order).json["id"]
    assert (
        inspector.one("work_order.update", {"work_order_id": order_id, "action": "start"})["status"]
        == "applied"
    )
    done = inspector.one(
        "work_order.update", {"work_order_id": order_id, "action": "complete", "note": "好了"}
    )
    assert done["result"]["state"] == "done"

    meter = {
        "kind": "meter_reading",
        "asset_id": site.asset.id,
        "title": "抄表",
        "assignee_id": site.inspector_user.id,
    }
    meter_id = manager.client.post("/api/work-orders", json=meter).json["id"]
    reading = inspector.one(
        "meter_reading.record", {"asset_id": site.asset.id, "value": "1520.5", "unit": "kWh"}
    )
    assert reading["result"] == {"id": meter_id, "state": "done"}
    assert Decimal(manager.client.get(f"/api/work-orders/{meter_id}").json["meter_value"]) == Decimal(
        "1520.5"
    )
    names = {"status_change.request", "photo.attach", "status_change.cancel", "status_change.reject"}
    names |= {"status_change.confirm", "inspection.submit", "work_order.update", "meter_reading.record"}
    assert names == set(COMMANDS)


def test_a_batch_pushed_again_after_a_lost_response_answers_duplicates_and_changes_nothing(
    db: Database, site: Any
) -> None:
    phone = site.inspector
    batch = [phone.command("status_change.request", request_args(site))]
    first = phone.push(*batch)
    assert first.json["results"][0]["status"] == "applied"
    batch.append(
        phone.command("status_change.cancel", {"request_id": first.json["results"][0]["result"]["id"]})
    )
    assert [r["status"] for r in phone.push(*batch).json["results"]] == ["duplicate", "applied"]
    requests, audit = count(db, StatusChangeRequest), count(db, AuditEntry)

    replay = phone.push(*batch)  # the committed batch's response was lost: the phone sends it again

    assert replay.status_code == 200
    assert [r["status"] for r in replay.json["results"]] == ["duplicate", "duplicate"]
    assert replay.json["last_applied_seq"] == 2
    assert (count(db, StatusChangeRequest), count(db, AuditEntry)) == (requests, audit)


def test_a_gap_stops_the_batch_before_anything_is_looked_at(site: Any) -> None:
    phone = site.inspector
    response = phone.push(phone.command("status_change.request", request_args(site), seq=3))
    assert response.json["results"] == []
    assert response.json["stopped"]["reason"] == "gap"
    assert response.json["stopped"]["waiting_for_seq"] == 1
    assert response.json["last_applied_seq"] == 0
    assert asset_status(site) == ("vacant", 1)


def test_a_permanent_rejection_is_recorded_with_its_reason_and_does_not_block_the_queue(
    db: Database, site: Any
) -> None:
    phone = site.inspector
    elsewhere = request_args(site) | {"asset_id": site.far_asset.id}
    nonsense = {"asset_id": site.asset.id, "to_status": "flying", "base_version": 1, "reason": "x"}
    response = phone.push(
        phone.command("status_change.request", elsewhere),
        phone.command("status_change.request", nonsense),
        phone.command("status_change.teleport", {}),
        phone.command("status_change.request", request_args(site)),
    )
    results = response.json["results"]
    assert [r["status"] for r in results] == ["rejected", "rejected", "rejected", "applied"]
    assert [r.get("code") for r in results[:3]] == ["not_found", "invalid", "unknown_command"]
    assert "to_status" in results[1]["fields"]
    assert results[1]["message"]
    assert response.json["last_applied_seq"] == 4
    assert count(db, SyncRejection) == 3


def test_a_batch_that_applies_whole_takes_no_savepoint_and_one_with_a_refusal_is_answered_the_same(
    db: Database, site: Any, make_asset: Any
) -> None:
    phone = site.inspector
    second, third = make_asset(site.project), make_asset(site.project)
    savepoints: list[str] = []

    def note_savepoint(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("SAVEPOINT"):
            savepoints.append(statement)

    event.listen(db.engine, "before_cursor_execute", note_savepoint)
    try:
        whole = phone.push(
            phone.command("status_change.request", request_args(site)),
            phone.command("status_change.request", request_args(site) | {"asset_id": second.id}),
        )
        assert [r["status"] for r in whole.json["results"]] == ["applied", "applied"]
        assert savepoints == []

        # The second request on the same unit is refused (one open request per asset): the batch runs
        # again command by command, and the first request is filed once.
        mixed = phone.push(
            phone.command("status_change.request", request_args(site) | {"asset_id": third.id}),
            phone.command("status_change.request", request_args(site) | {"asset_id": third.id}),
        )
    finally:
        event.remove(db.engine, "before_cursor_execute", note_savepoint)
    assert [r["status"] for r in mixed.json["results"]] == ["applied", "rejected"]
    assert mixed.json["results"][1]["code"] == "conflict"
    assert mixed.json["last_applied_seq"] == 4
    assert savepoints
    assert (count(db, StatusChangeRequest), count(db, SyncRejection)) == (3, 1)
    with db.unit_of_work() as uow:
        assert uow.session is not None
        filed = select(AuditEntry).where(AuditEntry.entity_type == "status_change_request")
        assert len(uow.session.scalars(filed).all()) == 3


def _outage() -> OperationalError:
    return OperationalError("SELECT 1", {}, ConnectionError("server closed the connection unexpectedly"))


class _CommitFails:
    """A unit of work whose commit finds the database gone (after every command ran)."""

    def __init__(self, db: Database) -> None:
        self.inner = db.unit_of_work()

    def __enter__(self) -> Any:
        uow = self.inner.__enter__()
        uow.commit = self.fail
        return uow

    def __exit__(self, *exc: Any) -> None:
        self.inner.__exit__(*exc)

    @staticmethod
    def fail() -> None:
        raise _outage()


def _push_context(app: Flask, db: Database, site: Any, factory: Any) -> PushContext:
    device_id = device_of(db, site.inspector_user)
    actor = Actor(auth.principal_of(site.inspector_user), Origin.DEVICE, device_id=device_id)
    labels = LabelSettings.from_config(app.config)
    return PushContext(device_id, actor, factory, datetime.now(UTC), labels, Untranslated(), is_transient)


def test_a_transient_failure_in_a_command_keeps_the_ones_before_it_and_the_retry_applies_the_rest(
    app: Flask, db: Database, site: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    phone = site.inspector
    commands = [
        phone.command("status_change.request", request_args(site)),
        phone.command("status_change.cancel", {"request_id": 1}),
    ]

    def database_gone(*_args: Any) -> Any:
        raise _outage()

    with monkeypatch.context() as patched:
        patched.setitem(HANDLERS, "status_change.cancel", database_gone)
        outage = apply_push(
            decode_push({"protocol_version": 1, "commands": commands}),
            _push_context(app, db, site, db.unit_of_work),
        )
    assert [r.status for r in outage.results] == ["applied"]
    assert outage.stopped is not None
    assert outage.stopped.reason == "transient"
    assert outage.stopped.retry_after
    assert outage.last_applied_seq == 1
    assert count(db, StatusChangeRequest) == 1

    request_id = outage.results[0].result["id"]  # type: ignore[index]
    commands[1]["args"] = {"request_id": request_id}
    recovered = apply_push(
        decode_push({"protocol_version": 1, "commands": commands}),
        _push_context(app, db, site, db.unit_of_work),
    )
    assert [r.status for r in recovered.results] == ["duplicate", "applied"]
    assert recovered.last_applied_seq == 2
    assert count(db, StatusChangeRequest) == 1


def test_a_commit_that_fails_applies_nothing_and_the_same_batch_applies_once_on_retry(
    app: Flask, db: Database, site: Any
) -> None:
    phone = site.inspector
    elsewhere = request_args(site) | {"asset_id": site.far_asset.id}
    commands = [
        phone.command("status_change.request", request_args(site)),
        phone.command("status_change.request", elsewhere),
    ]
    batch = decode_push({"protocol_version": 1, "commands": commands})
    audited = count(db, AuditEntry)
    outage = apply_push(batch, _push_context(app, db, site, lambda: _CommitFails(db)))
    assert outage.results == ()
    assert outage.stopped is not None
    assert outage.stopped.reason == "transient"
    assert outage.last_applied_seq == 0
    assert (count(db, StatusChangeRequest), count(db, SyncRejection)) == (0, 0)
    assert count(db, AuditEntry) == audited

    recovered = apply_push(batch, _push_context(app, db, site, db.unit_of_work))
    assert [r.status for r in recovered.results] == ["applied", "rejected"]
    assert recovered.last_applied_seq == 2
    assert (count(db, StatusChangeRequest), count(db, SyncRejection)) == (1, 1)


def test_an_unknown_protocol_version_is_refused_naming_the_accepted_ones(site: Any) -> None:
    response = site.inspector.client.post("/api/sync/push", json={"protocol_version": 7, "commands": []})
    assert response.status_code == 400
    assert "1" in response.json["errors"]["json"]["protocol_version"][0]


def test_a_malformed_command_is_refused_naming_its_path(site: Any) -> None:
    command = site.inspector.command("status_change.cancel", {"request_id": 1}) | {"device_seq": "one"}
    response = site.inspector.push(command)
    assert response.status_code == 422
    # In the user's language (users default to Chinese), the accepted range kept.
    assert response.json["errors"]["json"]["commands.0.device_seq"] == [f"请填写 1 到 {2**53} 之间的整数。"]


def test_commands_out_of_order_are_refused_in_the_users_language(site: Any) -> None:
    phone = site.inspector
    second = phone.command("status_change.cancel", {"request_id": 1}, seq=2)
    first = phone.command("status_change.cancel", {"request_id": 1}, seq=1)
    response = phone.push(second, first)
    assert response.status_code == 422
    assert response.json["errors"]["json"] == {"commands.1.device_seq": ["请按 device_seq 升序排列指令。"]}


def test_a_batch_over_the_limits_is_refused_and_nothing_is_applied(site: Any) -> None:
    phone = site.inspector
    too_many = [phone.command("status_change.cancel", {"request_id": 1}, seq=n) for n in range(1, 102)]
    assert phone.push(*too_many).status_code == 413
    huge = phone.command("status_change.request", request_args(site) | {"note": "x" * 600_000}, seq=1)
    assert phone.push(huge).status_code == 413
    assert phone.push().json["last_applied_seq"] == 0


def test_a_revoked_device_is_refused_with_the_reason_and_nothing_is_applied(
    db: Database, site: Any, run: Any
) -> None:
    run(auth.revoke_device, device_of(db, site.inspector_user), SYSTEM, datetime.now(UTC))

    response = site.inspector.push(site.inspector.command("status_change.request", request_args(site)))

    assert response.status_code == 401
    assert "revoked" in response.json["message"] or "撤销" in response.json["message"]
    assert count(db, StatusChangeRequest) == 0


def test_two_devices_of_different_users_on_one_asset_get_a_conflict_never_last_write_wins(
    app: Flask, site: Any
) -> None:
    first = site.inspector.one("status_change.request", request_args(site, to="maintenance"))
    clash = site.colleague.one("status_change.request", request_args(site, to="renovation"))
    assert clash["status"] == "rejected"
    assert clash["code"] == "conflict"
    evidence = {"request_id": first["result"]["id"], "scan": label(app, site.asset), "gps": fix()}
    assert site.manager.one("status_change.confirm", evidence)["status"] == "applied"

    stale = site.colleague.one("status_change.request", request_args(site, base_version=1, to="renovation"))

    assert stale["status"] == "rejected"
    assert stale["code"] == "stale_version"
    assert "base_version" in stale["fields"]
    assert asset_status(site) == ("maintenance", 2)


def test_telemetry_is_stored_and_shown_in_the_device_list(site: Any) -> None:
    response = site.inspector.push(telemetry={"app_version": "1.4.0", "pending": 12})
    assert response.status_code == 200
    device = site.inspector.client.get("/api/devices").json[0]
    assert (device["app_version"], device["pending_count"]) == ("1.4.0", 12)
    assert device["last_sync_at"] is not None


def test_each_command_is_authorised_for_the_devices_own_user(app: Flask, site: Any) -> None:
    filed = site.inspector.one("status_change.request", request_args(site))["result"]["id"]
    evidence = {"request_id": filed, "scan": label(app, site.asset), "gps": fix()}

    confirm = site.colleague.one("status_change.confirm", evidence)
    cancel = site.colleague.one("status_change.cancel", {"request_id": filed})

    assert (confirm["status"], confirm["code"]) == ("rejected", "forbidden")
    assert (cancel["status"], cancel["code"]) == ("rejected", "forbidden")
    assert asset_status(site) == ("vacant", 1)
