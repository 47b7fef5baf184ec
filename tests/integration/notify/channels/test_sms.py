"""Text messages: 云片 against a local HTTP server, the logging adapter, and choosing between them."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from backend.adapters.channels.sms import LoggingSmsAdapter, SmsSettings, YunpianSmsAdapter, sms_adapter
from backend.notify.domain.channels import Address, ChannelKind, Verdict
from tests.integration.notify.channels.conftest import (
    TITLE_ZH,
    URL,
    assert_secret_free,
    slow,
    wait_until_answered,
)

API_KEY = "yp-0123456789abcdef0123456789abcdef"
PATH = "/v2/sms/single_send.json"
PHONE = Address(ChannelKind.SMS, "+8613800138000")


def yunpian(base_url: str, timeout: float = 2.0, api_key: str | None = API_KEY) -> YunpianSmsAdapter:
    """A Yunpian adapter posting to the given base URL."""
    return YunpianSmsAdapter(
        SmsSettings(
            provider="yunpian",
            yunpian_base_url=base_url.rstrip("/"),
            yunpian_api_key=api_key,
            timeout_seconds=timeout,
        )
    )


def test_a_text_is_posted_as_a_form_and_the_sid_is_the_message_id(
    httpserver: HTTPServer, make_message: Any
) -> None:
    httpserver.expect_oneshot_request(PATH, method="POST").respond_with_json(
        {
            "code": 0,
            "msg": "发送成功",
            "count": 1,
            "fee": 0.05,
            "unit": "RMB",
            "mobile": "13800138000",
            "sid": 3310228982,
        }
    )

    result = yunpian(httpserver.url_for("/")).send(make_message(), PHONE)

    assert result.verdict is Verdict.SENT
    assert result.provider_message_id == "3310228982"
    request = httpserver.log[0][0]
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.form.to_dict() == {
        "apikey": API_KEY,
        "mobile": "13800138000",
        "text": f"【LeaseKeeper】{TITLE_ZH} {URL}",
    }


def test_a_number_outside_the_mainland_keeps_its_plus(httpserver: HTTPServer, make_message: Any) -> None:
    httpserver.expect_oneshot_request(PATH, method="POST").respond_with_json(
        {"code": 0, "msg": "OK", "sid": 7}
    )

    result = yunpian(httpserver.url_for("/")).send(make_message(), Address(ChannelKind.SMS, "+85291234567"))

    assert result.verdict is Verdict.SENT
    assert httpserver.log[0][0].form["mobile"] == "+85291234567"


@pytest.mark.parametrize(
    ("code", "verdict"),
    [
        (8, Verdict.RETRY),  # same text to the same number within 30 s
        (9, Verdict.RETRY),  # same text more than 3 times within 5 minutes
        (17, Verdict.RETRY),  # the number's 24-hour limit
        (22, Verdict.RETRY),  # the number's 1-hour limit
        (33, Verdict.RETRY),  # over the frequency limit
        (-51, Verdict.RETRY),  # system busy
        (-1, Verdict.GIVE_UP),  # invalid apikey
        (1, Verdict.GIVE_UP),  # parameter missing
        (2, Verdict.GIVE_UP),  # parameter malformed (an invalid number among them)
        (3, Verdict.GIVE_UP),  # balance too low
        (10, Verdict.GIVE_UP),  # number blacklisted
        (20, Verdict.GIVE_UP),  # country not supported
        (9999, Verdict.GIVE_UP),  # unknown
    ],
)
def test_codes_map_to_retry_or_give_up(
    code: int, verdict: Verdict, httpserver: HTTPServer, make_message: Any
) -> None:
    httpserver.expect_oneshot_request(PATH, method="POST").respond_with_json(
        {"http_status_code": 400, "code": code, "msg": "参数错误", "detail": f"apikey {API_KEY} 不正确"},
        status=400,
    )

    result = yunpian(httpserver.url_for("/")).send(make_message(), PHONE)

    assert result.verdict is verdict
    assert f"code {code}" in (result.error or "")
    assert_secret_free(result, API_KEY)


def test_a_server_error_without_a_code_is_retried(httpserver: HTTPServer, make_message: Any) -> None:
    httpserver.expect_oneshot_request(PATH, method="POST").respond_with_data("Bad Gateway", status=502)

    result = yunpian(httpserver.url_for("/")).send(make_message(), PHONE)

    assert result.verdict is Verdict.RETRY
    assert "HTTP 502" in (result.error or "")


def test_a_slow_answer_is_retried(httpserver: HTTPServer, make_message: Any) -> None:
    httpserver.expect_oneshot_request(PATH, method="POST").respond_with_handler(slow(1.0, "{}"))

    result = yunpian(httpserver.url_for("/"), timeout=0.5).send(make_message(), PHONE)

    assert result.verdict is Verdict.RETRY
    assert_secret_free(result, API_KEY)
    wait_until_answered(httpserver)


def test_a_reset_connection_is_retried(resetting_port: int, make_message: Any) -> None:
    result = yunpian(f"http://127.0.0.1:{resetting_port}").send(make_message(), PHONE)

    assert result.verdict is Verdict.RETRY
    assert_secret_free(result, API_KEY)


def test_without_an_api_key_nothing_is_sent(httpserver: HTTPServer, make_message: Any) -> None:
    result = yunpian(httpserver.url_for("/"), api_key=None).send(make_message(), PHONE)

    assert result.verdict is Verdict.GIVE_UP
    assert "SMS_YUNPIAN_API_KEY" in (result.error or "")
    assert httpserver.log == []


def test_the_logging_adapter_logs_the_masked_number_and_the_text(
    caplog: pytest.LogCaptureFixture, make_message: Any
) -> None:
    adapter = LoggingSmsAdapter(SmsSettings(signature="租赁管家"))

    with caplog.at_level(logging.INFO, logger="leasekeeper.sms"):
        result = adapter.send(make_message(), PHONE)

    assert result.verdict is Verdict.SENT
    assert (result.provider_message_id or "").startswith("log-")
    [record] = [r for r in caplog.records if r.name == "leasekeeper.sms"]
    assert record.levelno == logging.INFO
    assert record.getMessage() == f"SMS to **********8000: 【租赁管家】{TITLE_ZH} {URL}"
    assert "13800138000" not in caplog.text


def test_the_provider_is_chosen_by_the_configuration() -> None:
    assert isinstance(sms_adapter({}), LoggingSmsAdapter)
    chosen = sms_adapter(
        {"SMS_PROVIDER": "yunpian", "SMS_YUNPIAN_API_KEY": API_KEY, "SMS_SIGNATURE": "租赁管家"}
    )
    assert isinstance(chosen, YunpianSmsAdapter)
    assert chosen.settings.signature == "租赁管家"
    assert API_KEY not in repr(chosen.settings)
    with pytest.raises(RuntimeError, match="SMS_PROVIDER"):
        sms_adapter({"SMS_PROVIDER": "carrier-pigeon"})
