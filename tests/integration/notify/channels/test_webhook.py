"""The webhook adapter against a local HTTP server: the body, the headers, the signature, the allow-list."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import time
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from backend.adapters.channels.webhook import WebhookAdapter, WebhookSettings
from backend.notify.domain.channels import Address, ChannelKind, Verdict
from backend.notify.domain.outbound import parse_allowed_hosts
from tests.integration.notify.channels.conftest import (
    BODY_ZH,
    TITLE_ZH,
    URL,
    assert_secret_free,
    slow,
    wait_until_answered,
)

SECRET = "whsec_5bd0c1e2f3a4b5c6d7e8f9"
PATH = "/hooks/leasekeeper/tok_8f7e6d5c"


def adapter(allowed: str = "localhost,127.0.0.1", timeout: float = 2.0) -> WebhookAdapter:
    """An adapter whose allow-list is the given setting (the local test servers by default)."""
    return WebhookAdapter(WebhookSettings(parse_allowed_hosts(allowed), timeout))


def hook(url: str, secret: str | None = SECRET) -> Address:
    """A webhook address."""
    return Address(ChannelKind.WEBHOOK, url, secret=secret)


def test_the_notification_is_posted_as_compact_utf8_json_and_signed(
    httpserver: HTTPServer, make_message: Any
) -> None:
    httpserver.expect_oneshot_request(PATH, method="POST").respond_with_data(
        "", status=202, headers={"X-Request-Id": "req-42"}
    )
    before = int(time.time())

    result = adapter().send(make_message("zh_CN"), hook(httpserver.url_for(PATH)))

    assert result.verdict is Verdict.SENT
    assert result.provider_message_id == "req-42"
    request = httpserver.log[0][0]
    raw = request.get_data()
    assert json.loads(raw) == {
        "id": 4711,
        "kind": "lease.expiring",
        "title": TITLE_ZH,
        "body": BODY_ZH,
        "url": URL,
        "locale": "zh_CN",
        "project_id": 3,
        "subject": {"type": "lease", "id": 101},
        "params": {"code": "SH-LJZ-0101", "days": 30},
        "created_at": "2027-01-01T01:02:03Z",
    }
    assert TITLE_ZH.encode("utf-8") in raw  # not \u-escaped
    assert b": " not in raw
    assert b", " not in raw.replace(BODY_ZH.encode(), b"")
    headers = request.headers
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert headers["User-Agent"] == "LeaseKeeper-Webhook/1"
    assert headers["X-LeaseKeeper-Event"] == "lease.expiring"
    assert headers["X-LeaseKeeper-Delivery"] == "4711"
    timestamp = int(headers["X-LeaseKeeper-Timestamp"])
    assert before <= timestamp <= int(time.time())
    expected = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + raw, hashlib.sha256).hexdigest()
    assert headers["X-LeaseKeeper-Signature"] == f"sha256={expected}"


def test_without_a_secret_nothing_is_signed_and_no_subject_is_null(
    httpserver: HTTPServer, make_message: Any
) -> None:
    httpserver.expect_oneshot_request(PATH, method="POST").respond_with_data("", status=204)

    message = make_message("en", subject_type=None, subject_id=None)
    result = adapter().send(message, hook(httpserver.url_for(PATH), secret=None))

    assert result.verdict is Verdict.SENT
    assert result.provider_message_id is None
    request = httpserver.log[0][0]
    assert "X-LeaseKeeper-Signature" not in request.headers
    assert json.loads(request.get_data())["subject"] is None


@pytest.mark.parametrize(
    ("status", "verdict"),
    [
        (408, Verdict.RETRY),
        (500, Verdict.RETRY),
        (503, Verdict.RETRY),
        (400, Verdict.GIVE_UP),
        (401, Verdict.GIVE_UP),
        (410, Verdict.GIVE_UP),
        (301, Verdict.GIVE_UP),
    ],
)
def test_answers_map_by_status_and_redirects_are_not_followed(
    status: int, verdict: Verdict, httpserver: HTTPServer, make_message: Any
) -> None:
    httpserver.expect_oneshot_request(PATH, method="POST").respond_with_data(
        "no", status=status, headers={"Location": httpserver.url_for("/elsewhere")}
    )

    result = adapter().send(make_message(), hook(httpserver.url_for(PATH)))

    assert result.verdict is verdict
    assert f"HTTP {status}" in (result.error or "")
    assert [entry[0].path for entry in httpserver.log] == [PATH]
    assert_secret_free(result, SECRET, "tok_8f7e6d5c")


def test_429_is_retried_after_the_time_asked_for(httpserver: HTTPServer, make_message: Any) -> None:
    httpserver.expect_oneshot_request(PATH, method="POST").respond_with_data(
        "", status=429, headers={"Retry-After": "7"}
    )

    result = adapter().send(make_message(), hook(httpserver.url_for(PATH)))

    assert (result.verdict, result.retry_after) == (Verdict.RETRY, 7.0)


def test_a_slow_receiver_is_retried(httpserver: HTTPServer, make_message: Any) -> None:
    httpserver.expect_oneshot_request(PATH, method="POST").respond_with_handler(slow(1.0, Response("", 200)))

    result = adapter(timeout=0.5).send(make_message(), hook(httpserver.url_for(PATH)))

    assert result.verdict is Verdict.RETRY
    assert "0.5 s" in (result.error or "")
    wait_until_answered(httpserver)


def test_a_reset_connection_is_retried(resetting_port: int, make_message: Any) -> None:
    result = adapter().send(make_message(), hook(f"http://127.0.0.1:{resetting_port}{PATH}?token=t0ps3cret"))

    assert result.verdict is Verdict.RETRY
    assert_secret_free(result, "t0ps3cret", "tok_8f7e6d5c", SECRET)


def test_a_host_outside_the_allow_list_is_refused_without_a_request(
    httpserver: HTTPServer, make_message: Any
) -> None:
    result = adapter(allowed="hooks.example.com").send(make_message(), hook(httpserver.url_for(PATH)))

    assert result.verdict is Verdict.GIVE_UP
    assert "localhost" in (result.error or "")
    assert httpserver.log == []


def test_an_empty_allow_list_allows_nothing(httpserver: HTTPServer, make_message: Any) -> None:
    result = adapter(allowed="").send(make_message(), hook(httpserver.url_for(PATH)))

    assert result.verdict is Verdict.GIVE_UP
    assert httpserver.log == []


def test_a_pattern_host_resolving_to_a_private_address_is_refused(
    monkeypatch: pytest.MonkeyPatch, make_message: Any
) -> None:
    looked_up: list[str] = []

    def resolve(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        looked_up.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", 443))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)

    result = adapter(allowed="*.tenant.example").send(make_message(), hook("https://hooks.tenant.example/in"))

    assert result.verdict is Verdict.GIVE_UP
    assert "private or loopback" in (result.error or "")
    assert looked_up == ["hooks.tenant.example"]


def test_plain_http_needs_the_host_listed_by_name(make_message: Any) -> None:
    result = adapter(allowed="*.tenant.example").send(make_message(), hook("http://hooks.tenant.example/in"))

    assert result.verdict is Verdict.GIVE_UP
    assert "https" in (result.error or "")


def test_settings_come_from_the_configuration() -> None:
    settings = WebhookSettings.from_config(
        {"OUTBOUND_ALLOWED_HOSTS": " Hooks.Example.com, *.tenant.example ,", "CHANNEL_TIMEOUT_SECONDS": 4}
    )
    assert settings == WebhookSettings(("hooks.example.com", "*.tenant.example"), 4.0)
    assert WebhookSettings.from_config({}).allowed_hosts == ()
