"""The delivery outbox end to end: a notification reaches e-mail and the project's group robots through real
local servers, a refusal gives up and alerts the admins, a passing failure is retried, secrets stay secret."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from pytest_httpserver import HTTPServer
from sqlalchemy import select

from backend.core.db.database import Database
from backend.core.db.models import AuditEntry
from backend.core.services import users
from backend.notify.db.models import ChannelEndpoint, Delivery
from tests.conftest import PASSWORD, SYSTEM
from tests.support.mail import MailServer

ROBOT_KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"


@pytest.fixture(scope="module")
def mail() -> Iterator[MailServer]:
    server = MailServer().start()
    yield server
    server.stop()


@pytest.fixture
def robots() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture
def app_overrides(mail: MailServer, robots: HTTPServer) -> dict[str, Any]:
    base = robots.url_for("").rstrip("/")
    return {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": mail.port,
        "WECOM_BASE_URL": base,
        "DINGTALK_BASE_URL": base,
        "OUTBOUND_ALLOWED_HOSTS": "127.0.0.1",
        "CHANNEL_TIMEOUT_SECONDS": 2,
    }


@pytest.fixture
def site(
    make_region: Any, make_project: Any, make_asset: Any, make_user: Any, bearer_client: Any, run: Any
) -> Any:
    """A project with a unit, its inspector, a Chinese-reading manager with an e-mail address, head office's
    admin, and the regional manager of another region."""
    region = make_region()
    project = make_project(region)

    class Site:
        pass

    s = Site()
    s.region, s.project, s.asset = region, project, make_asset(project)
    s.inspector = bearer_client(make_user("inspector", project_id=project.id))
    manager = run(
        users.create_user,
        {
            "username": "wang.manager",
            "display_name": "王经理",
            "email": "wang@example.cn",
            "password": PASSWORD,
            "roles": [{"role": "project_manager", "project_id": project.id}],
        },
        SYSTEM,
    )
    s.manager_user, s.manager = manager, bearer_client(manager)
    s.admin_user = make_user("admin")
    s.admin = bearer_client(s.admin_user)
    s.other_admin = bearer_client(make_user("regional_manager", region_id=make_region().id))
    return s


def file_request(s: Any) -> None:
    body = {"asset_id": s.asset.id, "to_status": "maintenance", "base_version": 1, "reason": "水管漏水"}
    response = s.inspector.post("/api/status-requests", json=body)
    assert response.status_code == 201, response.json


def deliver(app: Flask) -> int:
    return int(app.extensions["leasekeeper.outbox"].deliver_until_idle())


def rows(db: Database, model: type[Any]) -> list[Any]:
    with db.unit_of_work() as uow:
        assert uow.session is not None
        found = list(uow.session.scalars(select(model).order_by(model.id)))
        uow.session.expunge_all()
        return found


def add_robot(client: Any, project_id: int, channel: str = "wecom", **extra: Any) -> Any:
    target = (
        f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={ROBOT_KEY}"
        if channel == "wecom"
        else "a" * 64
    )
    body = {"channel": channel, "name": "陆家嘴物业群", "project_id": project_id, "target": target} | extra
    return client.post("/api/notification-channels", json=body)


def test_a_waiting_request_reaches_the_managers_email_and_the_projects_wecom_robot(
    app: Flask, site: Any, mail: MailServer, robots: HTTPServer
) -> None:
    start = len(mail.sink.messages)
    chosen = site.manager.put(
        "/api/notification-preferences", json={"channels": {"status_request.waiting": ["email"]}}
    )
    assert chosen.status_code == 200, chosen.json
    created = add_robot(site.admin, site.project.id)
    assert created.status_code == 201, created.json
    assert created.json["target_hint"] == "…5aaa"
    assert "target" not in created.json
    robots.expect_request(
        "/cgi-bin/webhook/send", method="POST", query_string={"key": ROBOT_KEY}
    ).respond_with_json({"errcode": 0, "errmsg": "ok"})

    file_request(site)
    attempted = deliver(app)

    assert attempted == 2  # the e-mail and the robot; the inbox is delivered as the request commits
    [email] = mail.sink.wait_for(start + 1)[start:]
    assert email["To"].addresses[0].addr_spec == "wang@example.cn"
    assert email["Content-Language"] == "zh-CN"
    assert site.asset.code in str(email["Subject"])
    [(request, _response)] = robots.log
    content = json.loads(request.data)["markdown"]["content"]
    assert site.asset.code in content
    listed = site.manager.get("/api/deliveries?mine=true")
    assert listed.status_code == 200, listed.json
    mine = listed.json
    assert sorted((d["channel"], d["state"]) for d in mine) == [("email", "sent"), ("inbox", "sent")]
    assert next(d for d in mine if d["channel"] == "email")["provider_message_id"] == email["Message-ID"]


def test_a_robot_that_refuses_gives_up_alerts_the_admins_and_can_be_resent_once_fixed(
    app: Flask, site: Any, robots: HTTPServer
) -> None:
    assert add_robot(site.admin, site.project.id, channel="dingtalk").status_code == 201
    robots.expect_oneshot_request("/robot/send").respond_with_json(
        {"errcode": 310000, "errmsg": "keywords not in content"}
    )

    file_request(site)
    deliver(app)

    [robot] = [d for d in site.admin.get("/api/deliveries").json if d["channel"] == "dingtalk"]
    assert robot["state"] == "gave_up"
    assert robot["attempts"] == 1
    alerts = [n for n in site.admin.get("/api/notifications").json if n["kind"] == "delivery.gave_up"]
    assert len(alerts) == 1
    assert "dingtalk" in alerts[0]["title"]
    assert site.other_admin.get(f"/api/deliveries/{robot['id']}").status_code == 404  # another region's

    robots.expect_oneshot_request("/robot/send").respond_with_json({"errcode": 0, "errmsg": "ok"})
    resent = site.admin.post(f"/api/deliveries/{robot['id']}/resend")
    assert resent.status_code == 201, resent.json
    assert (resent.json["state"], resent.json["resend_of_id"]) == ("queued", robot["id"])
    deliver(app)
    assert site.admin.get(f"/api/deliveries/{resent.json['id']}").json["state"] == "sent"
    audited = site.admin.get("/api/audit", query_string={"entity_type": "delivery"}).json
    assert [(e["action"], e["entity_id"]) for e in audited] == [("create", str(resent.json["id"]))]


def test_a_passing_failure_is_tried_again_after_its_backoff_not_before(
    app: Flask, site: Any, robots: HTTPServer
) -> None:
    assert add_robot(site.admin, site.project.id).status_code == 201
    robots.expect_oneshot_request("/cgi-bin/webhook/send").respond_with_json(
        {"errcode": -1, "errmsg": "busy"}
    )
    robots.expect_oneshot_request("/cgi-bin/webhook/send").respond_with_json({"errcode": 0, "errmsg": "ok"})
    outbox = app.extensions["leasekeeper.outbox"]

    file_request(site)
    deliver(app)
    [robot] = [d for d in site.admin.get("/api/deliveries").json if d["channel"] == "wecom"]
    retry_at = datetime.fromisoformat(robot["next_attempt_at"])
    too_soon = deliver(app)
    outbox.clock = lambda: retry_at + timedelta(seconds=1)
    later = deliver(app)

    assert (robot["state"], robot["attempts"]) == ("failed", 1)
    assert "busy" in robot["last_error"] or "-1" in robot["last_error"]
    assert retry_at > datetime.now(UTC)
    assert too_soon == 0
    assert later == 1
    again = site.admin.get(f"/api/deliveries/{robot['id']}").json
    assert (again["state"], again["attempts"]) == ("sent", 2)


def test_channel_secrets_are_write_only_encrypted_and_never_audited(site: Any, db: Database) -> None:
    secret = "SEC" + "f" * 61
    token = "b" * 64
    created = site.admin.post(
        "/api/notification-channels",
        json={
            "channel": "dingtalk",
            "name": "华东运营群",
            "region_id": site.region.id,
            "target": token,
            "secret": secret,
        },
    )
    assert created.status_code == 201, created.json
    read = site.admin.get(f"/api/notification-channels/{created.json['id']}").json

    assert read["has_secret"] is True
    assert secret not in json.dumps(read)
    assert token not in json.dumps(read)
    [stored] = rows(db, ChannelEndpoint)
    assert secret not in stored.secret_encrypted
    assert token not in stored.target_encrypted
    audit = json.dumps(
        [(e.before, e.after) for e in rows(db, AuditEntry) if e.entity_type == "channel_endpoint"]
    )
    assert secret not in audit
    assert token not in audit
    assert '"secret_set": "yes"' in audit
    assert site.other_admin.get(f"/api/notification-channels/{created.json['id']}").status_code == 404


def test_bad_channels_are_refused_naming_each_field(site: Any) -> None:
    outside = site.admin.post(
        "/api/notification-channels",
        json={
            "channel": "webhook",
            "name": "ERP",
            "project_id": site.project.id,
            "target": "https://erp.evil.example/h",
        },
    )
    bad_secret = add_robot(site.admin, site.project.id, channel="dingtalk", secret="not-a-sign-secret")
    bad_key = site.admin.post(
        "/api/notification-channels",
        json={"channel": "wecom", "name": "群", "project_id": site.project.id, "target": "no key here!"},
    )
    foreign = add_robot(site.other_admin, site.project.id)

    assert outside.status_code == 422
    assert "erp.evil.example" in " ".join(outside.json["errors"]["json"]["target"])
    assert bad_secret.status_code == 422
    assert "secret" in bad_secret.json["errors"]["json"]
    assert bad_key.status_code == 422
    assert "target" in bad_key.json["errors"]["json"]
    assert foreign.status_code == 404  # another region's project does not exist for them


def test_quiet_hours_hold_an_email_until_they_end_but_not_the_inbox(
    app: Flask, site: Any, db: Database
) -> None:
    quiet = site.manager.put(
        "/api/notification-preferences",
        json={
            "channels": {"status_request.waiting": ["email"]},
            "timezone": "Asia/Shanghai",
            "quiet_start": "00:00",
            "quiet_end": "23:59",
        },
    )
    assert quiet.status_code == 200, quiet.json

    file_request(site)

    assert deliver(app) == 0
    email = next(d for d in rows(db, Delivery) if d.channel.value == "email")
    assert email.state.value == "queued"
    assert email.next_attempt_at > datetime.now(UTC)
    assert [n["kind"] for n in site.manager.get("/api/notifications").json] == ["status_request.waiting"]


def test_a_user_who_switches_to_english_gets_english_e_mail(app: Flask, site: Any, mail: MailServer) -> None:
    start = len(mail.sink.messages)
    saved = site.manager.put(
        "/api/notification-preferences",
        json={"channels": {"status_request.waiting": ["email"]}, "locale": "en"},
    )
    assert saved.status_code == 200, saved.json
    assert saved.json["locale"] == "en"

    file_request(site)
    deliver(app)

    [email] = mail.sink.wait_for(start + 1)[start:]
    assert email["Content-Language"] == "en"
    assert "asks you to confirm" in str(email["Subject"])
    assert "Open in LeaseKeeper" in email.get_body(("plain",)).get_content()


def test_bad_preferences_are_refused_naming_each_field(site: Any) -> None:
    refused = site.manager.put(
        "/api/notification-preferences",
        json={
            "channels": {"status_request.waiting": ["sms"]},
            "timezone": "Mars/Olympus",
            "quiet_start": "25:00",
        },
    )

    assert refused.status_code == 422
    assert set(refused.json["errors"]["json"]) >= {"timezone", "quiet_start", "mobile"}
    assert site.manager.get("/api/notification-preferences").json["timezone"] == "Asia/Shanghai"


def test_a_channel_test_posts_now_and_says_whether_it_arrived(site: Any, robots: HTTPServer) -> None:
    created = add_robot(site.admin, site.project.id, locale="en")
    robots.expect_oneshot_request("/cgi-bin/webhook/send").respond_with_json({"errcode": 0, "errmsg": "ok"})
    robots.expect_oneshot_request("/cgi-bin/webhook/send").respond_with_json(
        {"errcode": 93000, "errmsg": "invalid webhook url"}
    )

    works = site.admin.post(f"/api/notification-channels/{created.json['id']}/test")
    broken = site.admin.post(f"/api/notification-channels/{created.json['id']}/test")

    assert (works.status_code, works.json["state"], works.json["kind"]) == (200, "sent", "channel.test")
    assert "this channel works" in json.loads(robots.log[0][0].data)["markdown"]["content"]
    assert broken.json["state"] == "gave_up"
    assert "93000" in broken.json["last_error"]
    alerts = [n for n in site.admin.get("/api/notifications").json if n["kind"] == "delivery.gave_up"]
    assert alerts == []  # a failed test is its own answer, not an alert


def test_a_channel_patch_without_fields_is_refused(site: Any) -> None:
    created = add_robot(site.admin, site.project.id)
    assert created.status_code == 201, created.json
    for sent in ({}, None):
        refused = site.admin.patch(f"/api/notification-channels/{created.json['id']}", json=sent)
        assert refused.status_code == 422
        assert refused.json["errors"]["json"] == {"_schema": ["请至少提交一个要修改的字段。"]}
