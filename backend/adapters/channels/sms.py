"""Text messages: 云片 (Yunpian) in production, the log in development; `sms_adapter` picks by SMS_PROVIDER.

Yunpian's codes are those of its v2 API (yunpian.com, 返回码总览): 0 is sent; frequency limits and its own
busy states pass; a wrong key, a bad parameter, a blacklisted or invalid number and anything unknown last.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import requests

from backend.adapters.channels.http import (
    ThreadSessions,
    host_of,
    json_object,
    post,
    redact,
    short,
    status_result,
)
from backend.notify.domain.channels import Address, ChannelAdapter, ChannelKind, RenderedMessage, SendResult

log = logging.getLogger("leasekeeper.sms")

DEFAULT_YUNPIAN_BASE_URL = "https://sms.yunpian.com"
# 8: the same text to the same number within 30 s; 9: more than 3 times within 5 minutes; 17, 22: the
# number's 24-hour and 1-hour limits; 33: over the frequency limit; -4, -5: the account's call limits;
# -50 unknown exception, -51 system busy, -53 submitting the message failed.
YUNPIAN_RETRIED_CODES = frozenset({8, 9, 17, 22, 33, -4, -5, -50, -51, -53})
CHINA_PREFIX = "+86"


def sms_text(message: RenderedMessage, signature: str) -> str:
    """`【signature】title url`: the signature first, as Chinese operators require."""
    return f"【{signature}】{message.title} {message.url}".rstrip()


def masked(number: str) -> str:
    """The number with all but its last four digits hidden."""
    return "*" * max(len(number) - 4, 0) + number[-4:]


@dataclass(frozen=True)
class SmsSettings:
    """The provider, its account and the signature every text starts with."""

    provider: str = "log"
    signature: str = "LeaseKeeper"
    yunpian_base_url: str = DEFAULT_YUNPIAN_BASE_URL
    yunpian_api_key: str | None = field(default=None, repr=False)
    timeout_seconds: float = 10.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SmsSettings:
        """Read SMS_PROVIDER, SMS_SIGNATURE, SMS_YUNPIAN_* and CHANNEL_TIMEOUT_SECONDS."""
        return cls(
            provider=str(config.get("SMS_PROVIDER") or "log"),
            signature=str(config.get("SMS_SIGNATURE") or "LeaseKeeper"),
            yunpian_base_url=str(config.get("SMS_YUNPIAN_BASE_URL") or DEFAULT_YUNPIAN_BASE_URL).rstrip("/"),
            yunpian_api_key=config.get("SMS_YUNPIAN_API_KEY") or None,
            timeout_seconds=float(config.get("CHANNEL_TIMEOUT_SECONDS", 10)),
        )


class LoggingSmsAdapter:
    """Development: writes each text to the `leasekeeper.sms` log instead of sending it."""

    kind = ChannelKind.SMS

    def __init__(self, settings: SmsSettings) -> None:
        self.settings = settings

    def send(self, message: RenderedMessage, address: Address) -> SendResult:
        """Log the masked number and the text; always sent."""
        log.info("SMS to %s: %s", masked(address.target), sms_text(message, self.settings.signature))
        return SendResult.sent(f"log-{uuid.uuid4()}")


class YunpianSmsAdapter:
    """Sends one text through 云片's v2 single_send API; the address's target is an E.164 number."""

    kind = ChannelKind.SMS

    def __init__(self, settings: SmsSettings) -> None:
        self.settings = settings
        self._sessions = ThreadSessions()

    def send(self, message: RenderedMessage, address: Address) -> SendResult:
        """Post the text once; code 0 is sent, with Yunpian's sid as the message id."""
        url = f"{self.settings.yunpian_base_url}/v2/sms/single_send.json"
        what = f"Yunpian at {host_of(url)}"
        if not self.settings.yunpian_api_key:
            return SendResult.give_up(f"{what}: SMS_YUNPIAN_API_KEY is not configured")
        form = {
            "apikey": self.settings.yunpian_api_key,
            "mobile": yunpian_mobile(address.target),
            "text": sms_text(message, self.settings.signature),
        }
        response = post(self._sessions, url, self.settings.timeout_seconds, what, data=form)
        if isinstance(response, SendResult):
            return response
        return self._result(response, what)

    def _result(self, response: requests.Response, what: str) -> SendResult:
        """Yunpian answers errors with HTTP 400 and a JSON code, so the code is read before the status."""
        body = json_object(response) or {}
        code = body.get("code")
        if not isinstance(code, int):
            if 200 <= response.status_code < 300:
                return SendResult.retry(f"{what}: the answer carried no code")
            return status_result(response, what)
        if code == 0:
            sid = body.get("sid")
            return SendResult.sent(str(sid) if sid is not None else None)
        detail = " ".join(str(body.get(key) or "") for key in ("msg", "detail"))
        error = short(redact(f"{what}: code {code} {detail}".rstrip(), [self.settings.yunpian_api_key]))
        if code in YUNPIAN_RETRIED_CODES or response.status_code >= 500:
            return SendResult.retry(error)
        return SendResult.give_up(error)


def yunpian_mobile(number: str) -> str:
    """Yunpian takes mainland numbers as 11 digits and others in E.164 with their `+`."""
    return number.removeprefix(CHINA_PREFIX) if number.startswith(CHINA_PREFIX) else number


def sms_adapter(config: Mapping[str, Any]) -> ChannelAdapter:
    """The SMS adapter SMS_PROVIDER names: `log` (the default) or `yunpian`."""
    settings = SmsSettings.from_config(config)
    if settings.provider == "log":
        return LoggingSmsAdapter(settings)
    if settings.provider == "yunpian":
        return YunpianSmsAdapter(settings)
    raise RuntimeError(f"SMS_PROVIDER must be 'log' or 'yunpian', not {settings.provider!r}")
