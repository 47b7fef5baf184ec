"""钉钉 (DingTalk) group robots: a markdown message posted with the robot's access token, signed if set up so.

Signing and error codes as DingTalk documents its custom robots (open.dingtalk.com, 自定义机器人发送群消息
and 自定义机器人安全设置): the signature is base64(HMAC-SHA256(secret, "<timestamp ms>\\n<secret>")).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from backend.adapters.channels.http import ThreadSessions, host_of, post
from backend.adapters.channels.robots import Translations, markdown, open_label, robot_result
from backend.notify.domain.channels import Address, ChannelKind, RenderedMessage, SendResult

DEFAULT_BASE_URL = "https://oapi.dingtalk.com"
# Passing: -1 system busy, 130101 sending too fast (over 20 messages a minute). Everything else lasts, among
# them 310000 (keyword, signature or IP check failed), 300001 (token invalid), 400013 (group dissolved),
# 400101 (access token does not exist), 400102 (robot stopped), 400105 (message type not supported) and
# 400106 (robot does not exist).
RETRIED_ERRCODES = frozenset({-1, 130101})


def sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature of a timestamp: base64 of HMAC-SHA256 keyed by the secret (not yet urlencoded)."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


@dataclass(frozen=True)
class DingtalkSettings:
    """Where the DingTalk API is, and how long to wait for it."""

    base_url: str = DEFAULT_BASE_URL
    timeout_seconds: float = 10.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> DingtalkSettings:
        """Read DINGTALK_BASE_URL and CHANNEL_TIMEOUT_SECONDS."""
        return cls(
            base_url=str(config.get("DINGTALK_BASE_URL") or DEFAULT_BASE_URL).rstrip("/"),
            timeout_seconds=float(config.get("CHANNEL_TIMEOUT_SECONDS", 10)),
        )


class DingtalkAdapter:
    """Posts a notification to a 钉钉 group robot; target: its access token, secret: its signing secret."""

    kind = ChannelKind.DINGTALK

    def __init__(self, settings: DingtalkSettings, translations: Translations) -> None:
        self.settings = settings
        self._translations = translations
        self._sessions = ThreadSessions()

    def send(self, message: RenderedMessage, address: Address) -> SendResult:
        """Post the message once (signed when the address has a secret); errcode 0 is sent."""
        url = f"{self.settings.base_url}/robot/send"
        what = f"DingTalk robot at {host_of(url)}"
        if not address.target:
            return SendResult.give_up(f"{what}: no access token is configured")
        params = {"access_token": address.target}
        if address.secret:
            timestamp = int(time.time() * 1000)
            params |= {"timestamp": str(timestamp), "sign": sign(address.secret, timestamp)}
        text = markdown(message, open_label(self._translations, message.locale))
        response = post(
            self._sessions,
            url,
            self.settings.timeout_seconds,
            what,
            params=params,
            json={"msgtype": "markdown", "markdown": {"title": message.title, "text": text}},
        )
        if isinstance(response, SendResult):
            return response
        return robot_result(response, what, RETRIED_ERRCODES, [address.target, address.secret])
