"""The device platform behind a webhook: a lock or unlock command posted as JSON, signed as every webhook is.

The same headers and signature as the channels' webhooks (`X-LeaseKeeper-Signature`: HMAC-SHA256 over
`<timestamp>.<body>`), the same outbound allow-list; `X-LeaseKeeper-Delivery` is the command's id, the same
on every attempt, so the platform can drop a repeat. A 2xx answer is the platform's; its JSON says whether the
machine is locked (`{"status": "locked"}`), the command was refused, or only taken.
"""

from __future__ import annotations

import json
import time
from urllib.parse import urlsplit

from backend.adapters.channels.http import ThreadSessions, json_object, post, short, status_result
from backend.adapters.channels.webhook import WebhookSettings, refusal, signature
from backend.collections.domain.locks import DeviceCommand, PlatformReply
from backend.notify.domain.channels import SendResult, Verdict
from backend.notify.domain.notifications import NotificationKind

USER_AGENT = "LeaseKeeper-Devices/1"


def command_body(command: DeviceCommand) -> bytes:
    """The JSON the platform gets: compact, UTF-8, non-ASCII characters as they are."""
    return json.dumps(command.document(), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _failed(result: SendResult) -> PlatformReply:
    return PlatformReply(False, error=result.error, passing=result.verdict is Verdict.RETRY)


class WebhookDeviceControl:
    """Posts commands to the device platform's webhook, checked against the allow-list before every post."""

    def __init__(self, settings: WebhookSettings) -> None:
        self.settings = settings
        self._sessions = ThreadSessions(USER_AGENT)

    def send(self, url: str, secret: str | None, command: DeviceCommand) -> PlatformReply:
        """Check the URL and where it resolves, post once, and read the answer."""
        refused = refusal(url, self.settings.allowed_hosts)
        if refused is not None:
            return _failed(refused)
        what = f"device platform at {urlsplit(url).hostname}"
        body = command_body(command)
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "X-LeaseKeeper-Event": NotificationKind.DEVICE_CONTROL.value,
            "X-LeaseKeeper-Delivery": f"device-lock-{command.id}",
            "X-LeaseKeeper-Timestamp": str(timestamp),
        }
        if secret:
            headers["X-LeaseKeeper-Signature"] = signature(secret, timestamp, body)
        response = post(self._sessions, url, self.settings.timeout_seconds, what, data=body, headers=headers)
        if isinstance(response, SendResult):
            return _failed(response)
        answer = json_object(response) or {}
        if 200 <= response.status_code < 300:
            return PlatformReply(True, response.status_code, answer)
        result = status_result(response, what)
        said = answer.get("message")
        error = f"{result.error}: {short(str(said))}" if said else result.error
        return PlatformReply(
            False, response.status_code, answer, error, passing=result.verdict is Verdict.RETRY
        )
