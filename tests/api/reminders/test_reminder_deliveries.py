"""A reminder reaches the account manager's mailbox (aiosmtpd) and the project's 企业微信 robot (a local
HTTP server) on the channels its tier names, and "why not?" shows each delivery's state."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from flask import Flask
from pytest_httpserver import HTTPServer

from tests.api.reminders.test_reminders import signed_lease, tier
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
        "OUTBOUND_ALLOWED_HOSTS": "127.0.0.1",
        "CHANNEL_TIMEOUT_SECONDS": 2,
    }


def test_a_tier_on_email_and_wecom_reaches_the_mailbox_and_the_group_robot_once(
    app: Flask, site: Any, bearer_client: Any, engine_on: Any, mail: MailServer, robots: HTTPServer
) -> None:
    director, regional = bearer_client(site.director), bearer_client(site.regional)
    tiers = [{"days_before": 30, "roles": ["account_manager"], "channels": ["email", "wecom"]}]
    url = f"/api/reminders/rules/{site.template.id}/lease_end"
    assert director.put(url, json={"tiers": tiers}).status_code == 200
    robot = {
        "channel": "wecom",
        "name": "陆家嘴招商群",
        "project_id": site.project.id,
        "target": f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={ROBOT_KEY}",
    }
    assert regional.post("/api/notification-channels", json=robot).status_code == 201
    robots.expect_request(
        "/cgi-bin/webhook/send", method="POST", query_string={"key": ROBOT_KEY}
    ).respond_with_json({"errcode": 0, "errmsg": "ok"})
    lease_id = signed_lease(bearer_client(site.manager), site)
    number = bearer_client(site.manager).get(f"/api/leases/{lease_id}").json["number"]
    start = len(mail.sink.messages)

    # 30 days before 30 June 2026 is Sunday 31 May: Friday 29 May.
    assert engine_on(date(2026, 5, 29)).sent == 1
    assert engine_on(date(2026, 5, 29)).sent == 0
    assert int(app.extensions["leasekeeper.outbox"].deliver_until_idle()) == 2

    [email] = mail.sink.wait_for(start + 1)[start:]
    assert email["To"].addresses[0].addr_spec == "zhang.wei@example.cn"
    subject = str(email["Subject"])
    expected = f"租约 {number}（上海星河科技有限公司）的租约到期为 2026-06-30，还有 32 天：第 1/1 级提醒"
    assert subject == expected
    [(request, _response)] = robots.log
    content = json.loads(request.data)["markdown"]["content"]
    assert number in content
    assert "租约到期" in content

    story = bearer_client(site.agent).get(f"/api/reminders/explain/{lease_id}?date_kind=lease_end").json
    [recipient] = tier(story, "lease_end", 1)["recipients"]
    # The robot's message went with the tier's first recipient's.
    assert sorted((d["channel"], d["state"]) for d in recipient["deliveries"]) == [
        ("email", "sent"),
        ("inbox", "sent"),
        ("wecom", "sent"),
    ]
