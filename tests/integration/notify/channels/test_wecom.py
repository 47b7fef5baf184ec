"""The 企业微信 robot adapter against a local HTTP server standing in for qyapi.weixin.qq.com."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from backend.adapters.channels.wecom import MAX_CONTENT_BYTES, WecomAdapter, WecomSettings
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

KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
PATH = "/cgi-bin/webhook/send"
ROBOT = Address(ChannelKind.WECOM, KEY)


def adapter(base_url: str, translations: Any, timeout: float = 2.0) -> WecomAdapter:
    """An adapter posting to the given base URL."""
    return WecomAdapter(WecomSettings(base_url=base_url.rstrip("/"), timeout_seconds=timeout), translations)


def sent_content(httpserver: HTTPServer) -> str:
    """The markdown content of the one request the server received, checking the envelope around it."""
    assert len(httpserver.log) == 1
    request = httpserver.log[0][0]
    assert request.method == "POST"
    assert request.path == PATH
    assert request.args.to_dict() == {"key": KEY}
    assert request.headers["Content-Type"] == "application/json"
    payload = json.loads(request.get_data())
    assert list(payload) == ["msgtype", "markdown"]
    assert payload["msgtype"] == "markdown"
    assert list(payload["markdown"]) == ["content"]
    return str(payload["markdown"]["content"])


def test_a_chinese_message_is_posted_as_markdown_with_a_chinese_link(
    httpserver: HTTPServer, translations: Any, make_message: Any
) -> None:
    httpserver.expect_oneshot_request(PATH, method="POST", query_string={"key": KEY}).respond_with_json(
        {"errcode": 0, "errmsg": "ok"}
    )

    result = adapter(httpserver.url_for("/"), translations).send(make_message("zh_CN"), ROBOT)

    assert result.verdict is Verdict.SENT
    assert sent_content(httpserver) == f"### {TITLE_ZH}\n\n{BODY_ZH}\n\n[在 LeaseKeeper 中打开]({URL})"


def test_an_english_message_links_in_english(
    httpserver: HTTPServer, translations: Any, make_message: Any
) -> None:
    httpserver.expect_oneshot_request(PATH, method="POST").respond_with_json({"errcode": 0, "errmsg": "ok"})

    result = adapter(httpserver.url_for("/"), translations).send(make_message("en"), ROBOT)

    assert result.verdict is Verdict.SENT
    assert sent_content(httpserver) == f"### {TITLE_EN}\n\n{BODY_EN}\n\n[Open in LeaseKeeper]({URL})"


def test_a_long_message_is_cut_to_4096_bytes_keeping_whole_characters_and_the_link(
    httpserver: HTTPServer, translations: Any, make_message: Any
) -> None:
    httpserver.expect_oneshot_request(PATH, method="POST").respond_with_json({"errcode": 0, "errmsg": "ok"})
    long_body = "租" + "约到期提醒。" * 1000  # 3 bytes a character, far past the limit

    result = adapter(httpserver.url_for("/"), translations).send(make_message(body=long_body), ROBOT)

    assert result.verdict is Verdict.SENT
    content = sent_content(httpserver)
    assert MAX_CONTENT_BYTES - 3 < len(content.encode("utf-8")) <= MAX_CONTENT_BYTES
    assert content.startswith(f"### {TITLE_ZH}\n\n租约到期提醒。")
    assert content.endswith(f"…\n\n[在 LeaseKeeper 中打开]({URL})")
    assert "\ufffd" not in content


@pytest.mark.parametrize(
    ("errcode", "verdict"),
    [
        (-1, Verdict.RETRY),  # system busy
        (45009, Verdict.RETRY),  # API call frequency over the limit
        (45033, Verdict.RETRY),  # too many concurrent calls
        (93000, Verdict.GIVE_UP),  # invalid webhook key
        (40008, Verdict.GIVE_UP),  # invalid message type
        (40058, Verdict.GIVE_UP),  # invalid parameter
        (44004, Verdict.GIVE_UP),  # empty content
        (77777, Verdict.GIVE_UP),  # unknown
    ],
)
def test_errcodes_map_to_retry_or_give_up(
    errcode: int, verdict: Verdict, httpserver: HTTPServer, translations: Any, make_message: Any
) -> None:
    errmsg = f"invalid webhook url, hint: [1700000000_key={KEY}], from ip: 127.0.0.1"
    httpserver.expect_oneshot_request(PATH, method="POST").respond_with_json(
        {"errcode": errcode, "errmsg": errmsg}
    )

    result = adapter(httpserver.url_for("/"), translations).send(make_message(), ROBOT)

    assert result.verdict is verdict
    assert f"errcode {errcode}" in (result.error or "")
    assert_secret_free(result, KEY)


@pytest.mark.parametrize(
    ("status", "verdict"),
    [
        (500, Verdict.RETRY),
        (502, Verdict.RETRY),
        (408, Verdict.RETRY),
        (404, Verdict.GIVE_UP),
        (302, Verdict.GIVE_UP),
    ],
)
def test_http_failures_map_by_status(
    status: int, verdict: Verdict, httpserver: HTTPServer, translations: Any, make_message: Any
) -> None:
    httpserver.expect_oneshot_request(PATH, method="POST").respond_with_data(
        "nope", status=status, headers={"Location": "https://elsewhere.example/"}
    )

    result = adapter(httpserver.url_for("/"), translations).send(make_message(), ROBOT)

    assert result.verdict is verdict
    assert f"HTTP {status}" in (result.error or "")
    assert len(httpserver.log) == 1  # a redirect is not followed
    assert_secret_free(result, KEY)


def test_429_is_retried_after_the_time_asked_for(
    httpserver: HTTPServer, translations: Any, make_message: Any
) -> None:
    httpserver.expect_oneshot_request(PATH, method="POST").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "30"}
    )

    result = adapter(httpserver.url_for("/"), translations).send(make_message(), ROBOT)

    assert result.verdict is Verdict.RETRY
    assert result.retry_after == 30.0


def test_an_answer_without_errcode_is_retried(
    httpserver: HTTPServer, translations: Any, make_message: Any
) -> None:
    httpserver.expect_oneshot_request(PATH, method="POST").respond_with_data("<html>gateway</html>")

    result = adapter(httpserver.url_for("/"), translations).send(make_message(), ROBOT)

    assert result.verdict is Verdict.RETRY
    assert "errcode" in (result.error or "")


def test_a_slow_answer_is_retried(httpserver: HTTPServer, translations: Any, make_message: Any) -> None:
    ok = Response(json.dumps({"errcode": 0, "errmsg": "ok"}), content_type="application/json")
    httpserver.expect_oneshot_request(PATH, method="POST").respond_with_handler(slow(1.0, ok))

    result = adapter(httpserver.url_for("/"), translations, timeout=0.5).send(make_message(), ROBOT)

    assert result.verdict is Verdict.RETRY
    assert "0.5 s" in (result.error or "")
    assert_secret_free(result, KEY)
    wait_until_answered(httpserver)


def test_a_reset_connection_is_retried(resetting_port: int, translations: Any, make_message: Any) -> None:
    result = adapter(f"http://127.0.0.1:{resetting_port}", translations).send(make_message(), ROBOT)

    assert result.verdict is Verdict.RETRY
    assert "refused or reset" in (result.error or "")
    assert_secret_free(result, KEY)


def test_a_refused_connection_is_retried(closed_port: int, translations: Any, make_message: Any) -> None:
    result = adapter(f"http://127.0.0.1:{closed_port}", translations).send(make_message(), ROBOT)

    assert result.verdict is Verdict.RETRY
    assert_secret_free(result, KEY)


def test_an_address_without_a_key_gives_up(
    httpserver: HTTPServer, translations: Any, make_message: Any
) -> None:
    result = adapter(httpserver.url_for("/"), translations).send(
        make_message(), Address(ChannelKind.WECOM, "")
    )

    assert result.verdict is Verdict.GIVE_UP
    assert httpserver.log == []


def test_the_base_url_comes_from_the_configuration() -> None:
    assert WecomSettings.from_config({}).base_url == "https://qyapi.weixin.qq.com"
    settings = WecomSettings.from_config(
        {"WECOM_BASE_URL": "http://127.0.0.1:9/", "CHANNEL_TIMEOUT_SECONDS": 3}
    )
    assert (settings.base_url, settings.timeout_seconds) == ("http://127.0.0.1:9", 3.0)
