"""The 钉钉 robot adapter against a local HTTP server standing in for oapi.dingtalk.com."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import quote_plus

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from backend.adapters.channels.dingtalk import DingtalkAdapter, DingtalkSettings
from backend.notify.domain.channels import Address, ChannelKind, Verdict
from tests.integration.notify.channels.conftest import (
    BODY_EN,
    BODY_ZH,
    TITLE_EN,
    TITLE_ZH,
    URL,
    assert_secret_free,
    slow,
    wait_until_answered,
)

TOKEN = "9c3e2bd1f0a84b6e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e"
SECRET = "SEC4f1c2b3a4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8"
PATH = "/robot/send"


def adapter(base_url: str, translations: Any, timeout: float = 2.0) -> DingtalkAdapter:
    """An adapter posting to the given base URL."""
    return DingtalkAdapter(
        DingtalkSettings(base_url=base_url.rstrip("/"), timeout_seconds=timeout), translations
    )


def robot(secret: str | None = None) -> Address:
    """A robot's address, signed when given a secret."""
    return Address(ChannelKind.DINGTALK, TOKEN, secret=secret)


def ok(httpserver: HTTPServer) -> None:
    """The next request is answered as DingTalk answers a sent message."""
    httpserver.expect_oneshot_request(PATH, method="POST").respond_with_json({"errcode": 0, "errmsg": "ok"})


def test_an_unsigned_message_is_posted_as_markdown_with_only_the_token(
    httpserver: HTTPServer, translations: Any, make_message: Any
) -> None:
    ok(httpserver)

    result = adapter(httpserver.url_for("/"), translations).send(make_message("zh_CN"), robot())

    assert result.verdict is Verdict.SENT
    request = httpserver.log[0][0]
    assert request.args.to_dict() == {"access_token": TOKEN}
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.get_data()) == {
        "msgtype": "markdown",
        "markdown": {
            "title": TITLE_ZH,
            "text": f"### {TITLE_ZH}\n\n{BODY_ZH}\n\n[在 LeaseKeeper 中打开]({URL})",
        },
    }


def test_a_signed_message_carries_a_timestamp_and_the_documented_signature(
    httpserver: HTTPServer, translations: Any, make_message: Any
) -> None:
    ok(httpserver)
    before = int(time.time() * 1000)

    result = adapter(httpserver.url_for("/"), translations).send(make_message("en"), robot(SECRET))

    assert result.verdict is Verdict.SENT
    request = httpserver.log[0][0]
    args = request.args.to_dict()
    assert set(args) == {"access_token", "timestamp", "sign"}
    assert args["access_token"] == TOKEN
    timestamp = int(args["timestamp"])
    assert before <= timestamp <= int(time.time() * 1000)
    expected = base64.b64encode(
        hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(), hashlib.sha256).digest()
    ).decode()
    assert args["sign"] == expected
    assert f"sign={quote_plus(expected)}" in request.query_string.decode()
    assert json.loads(request.get_data())["markdown"] == {
        "title": TITLE_EN,
        "text": f"### {TITLE_EN}\n\n{BODY_EN}\n\n[Open in LeaseKeeper]({URL})",
    }


@pytest.mark.parametrize(
    ("errcode", "verdict"),
    [
        (-1, Verdict.RETRY),  # system busy
        (130101, Verdict.RETRY),  # sending too fast
        (310000, Verdict.GIVE_UP),  # keyword, signature or IP check failed
        (300001, Verdict.GIVE_UP),  # token invalid
        (400013, Verdict.GIVE_UP),  # group dissolved
        (400101, Verdict.GIVE_UP),  # access token does not exist
        (400102, Verdict.GIVE_UP),  # robot stopped
        (400105, Verdict.GIVE_UP),  # message type not supported
        (400106, Verdict.GIVE_UP),  # robot does not exist
        (88, Verdict.GIVE_UP),  # unknown here
    ],
)
def test_errcodes_map_to_retry_or_give_up(
    errcode: int, verdict: Verdict, httpserver: HTTPServer, translations: Any, make_message: Any
) -> None:
    httpserver.expect_oneshot_request(PATH, method="POST").respond_with_json(
        {"errcode": errcode, "errmsg": f"sign not match, access_token={TOKEN} secret={SECRET}"}
    )

    result = adapter(httpserver.url_for("/"), translations).send(make_message(), robot(SECRET))

    assert result.verdict is verdict
    assert f"errcode {errcode}" in (result.error or "")
    assert_secret_free(result, TOKEN, SECRET)


def test_429_is_retried_after_the_time_asked_for(
    httpserver: HTTPServer, translations: Any, make_message: Any
) -> None:
    httpserver.expect_oneshot_request(PATH, method="POST").respond_with_data(
        "", status=429, headers={"Retry-After": "12"}
    )

    result = adapter(httpserver.url_for("/"), translations).send(make_message(), robot())

    assert (result.verdict, result.retry_after) == (Verdict.RETRY, 12.0)


def test_a_slow_answer_is_retried(httpserver: HTTPServer, translations: Any, make_message: Any) -> None:
    answer = Response(json.dumps({"errcode": 0}), content_type="application/json")
    httpserver.expect_oneshot_request(PATH, method="POST").respond_with_handler(slow(1.0, answer))

    result = adapter(httpserver.url_for("/"), translations, timeout=0.5).send(make_message(), robot(SECRET))

    assert result.verdict is Verdict.RETRY
    assert_secret_free(result, TOKEN, SECRET)
    wait_until_answered(httpserver)


def test_a_reset_connection_is_retried(resetting_port: int, translations: Any, make_message: Any) -> None:
    result = adapter(f"http://127.0.0.1:{resetting_port}", translations).send(make_message(), robot(SECRET))

    assert result.verdict is Verdict.RETRY
    assert_secret_free(result, TOKEN, SECRET)


def test_the_base_url_comes_from_the_configuration() -> None:
    assert DingtalkSettings.from_config({}).base_url == "https://oapi.dingtalk.com"
    assert (
        DingtalkSettings.from_config({"DINGTALK_BASE_URL": "http://127.0.0.1:9"}).base_url
        == "http://127.0.0.1:9"
    )
