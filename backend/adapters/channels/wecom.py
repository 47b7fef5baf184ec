"""企业微信 (WeCom) group robots: a markdown message posted to the robot's webhook key.

The error codes are WeCom's global codes (developer.work.weixin.qq.com/document/path/90313) as the group
robot answers them (document/path/91770, which also sets the 4096-byte limit of markdown content).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from backend.adapters.channels.http import ThreadSessions, host_of, post
from backend.adapters.channels.robots import Translations, markdown, open_label, robot_result
from backend.notify.domain.channels import Address, ChannelKind, RenderedMessage, SendResult

DEFAULT_BASE_URL = "https://qyapi.weixin.qq.com"
MAX_CONTENT_BYTES = 4096
# Passing: -1 system busy, 45009 API call frequency over the limit, 45033 too many concurrent calls.
# Everything else lasts, among them 93000 (invalid webhook key, or the robot was removed from the group),
# 40008 (invalid message type), 40058 (invalid parameter) and 44004 (empty content).
RETRIED_ERRCODES = frozenset({-1, 45009, 45033})


@dataclass(frozen=True)
class WecomSettings:
    """Where the WeCom API is, and how long to wait for it."""

    base_url: str = DEFAULT_BASE_URL
    timeout_seconds: float = 10.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> WecomSettings:
        """Read WECOM_BASE_URL and CHANNEL_TIMEOUT_SECONDS."""
        return cls(
            base_url=str(config.get("WECOM_BASE_URL") or DEFAULT_BASE_URL).rstrip("/"),
            timeout_seconds=float(config.get("CHANNEL_TIMEOUT_SECONDS", 10)),
        )


class WecomAdapter:
    """Posts a notification to a 企业微信 group robot; the address's target is the robot's key."""

    kind = ChannelKind.WECOM

    def __init__(self, settings: WecomSettings, translations: Translations) -> None:
        self.settings = settings
        self._translations = translations
        self._sessions = ThreadSessions()

    def send(self, message: RenderedMessage, address: Address) -> SendResult:
        """Post the message once; errcode 0 is sent."""
        url = f"{self.settings.base_url}/cgi-bin/webhook/send"
        what = f"WeCom robot at {host_of(url)}"
        if not address.target:
            return SendResult.give_up(f"{what}: no robot key is configured")
        content = markdown(message, open_label(self._translations, message.locale), MAX_CONTENT_BYTES)
        response = post(
            self._sessions,
            url,
            self.settings.timeout_seconds,
            what,
            params={"key": address.target},
            json={"msgtype": "markdown", "markdown": {"content": content}},
        )
        if isinstance(response, SendResult):
            return response
        return robot_result(response, what, RETRIED_ERRCODES, [address.target])
