"""Generic webhooks: the notification as JSON posted to a customer's URL, signed with its HMAC key if set.

Only hosts in the outbound allow-list are reached, and a host that resolves to a private, loopback or
link-local address only when it is listed by name: a webhook URL must not turn the server into a way into
its own network.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from backend.adapters.channels.http import ThreadSessions, post, resolves_internally, status_result
from backend.notify.domain.channels import Address, ChannelKind, RenderedMessage, SendResult
from backend.notify.domain.outbound import (
    check_webhook_url,
    is_listed_exactly,
    parse_allowed_hosts,
)

USER_AGENT = "LeaseKeeper-Webhook/1"


def webhook_body(message: RenderedMessage) -> bytes:
    """The JSON a receiver gets: compact, UTF-8, non-ASCII characters as they are."""
    subject = (
        {"type": message.subject_type, "id": message.subject_id}
        if message.subject_type is not None or message.subject_id is not None
        else None
    )
    document = {
        "id": message.delivery_id,
        "kind": message.kind,
        "title": message.title,
        "body": message.body,
        "url": message.url,
        "locale": message.locale,
        "project_id": message.project_id,
        "subject": subject,
        "params": message.params,
        "created_at": message.created_at,
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """`sha256=` and the hex HMAC-SHA256 of `<timestamp>.<body>`, keyed by the webhook's secret."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


@dataclass(frozen=True)
class WebhookSettings:
    """The outbound allow-list and how long to wait for a receiver."""

    allowed_hosts: tuple[str, ...] = ()
    timeout_seconds: float = 10.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> WebhookSettings:
        """Read OUTBOUND_ALLOWED_HOSTS and CHANNEL_TIMEOUT_SECONDS."""
        return cls(
            allowed_hosts=parse_allowed_hosts(str(config.get("OUTBOUND_ALLOWED_HOSTS") or "")),
            timeout_seconds=float(config.get("CHANNEL_TIMEOUT_SECONDS", 10)),
        )


class WebhookAdapter:
    """Posts a notification to the webhook URL of the address (its target), HMAC-signed with its secret."""

    kind = ChannelKind.WEBHOOK

    def __init__(self, settings: WebhookSettings) -> None:
        self.settings = settings
        self._sessions = ThreadSessions(USER_AGENT)

    def send(self, message: RenderedMessage, address: Address) -> SendResult:
        """Check the URL and where it resolves, then post once; any 2xx is sent."""
        refusal = self._refusal(address.target)
        if refusal is not None:
            return refusal
        what = f"webhook at {urlsplit(address.target).hostname}"
        body = webhook_body(message)
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "X-LeaseKeeper-Event": message.kind,
            "X-LeaseKeeper-Delivery": str(message.delivery_id),
            "X-LeaseKeeper-Timestamp": str(timestamp),
        }
        if address.secret:
            headers["X-LeaseKeeper-Signature"] = signature(address.secret, timestamp, body)
        response = post(
            self._sessions, address.target, self.settings.timeout_seconds, what, data=body, headers=headers
        )
        if isinstance(response, SendResult):
            return response
        if 200 <= response.status_code < 300:
            return SendResult.sent(response.headers.get("X-Request-Id"))
        return status_result(response, what)

    def _refusal(self, url: str) -> SendResult | None:
        """Why the URL may not be posted to now, None when it may."""
        return refusal(url, self.settings.allowed_hosts)


def refusal(url: str, allowed_hosts: tuple[str, ...]) -> SendResult | None:
    """Why a webhook URL may not be posted to now (allow-list, where its host resolves), None if it may."""
    problems = check_webhook_url(url, allowed_hosts)
    if problems:
        return SendResult.give_up(problems[0])
    parts = urlsplit(url)
    host = parts.hostname or ""
    if is_listed_exactly(host, allowed_hosts):
        return None
    internal = resolves_internally(host, parts.port or 443)
    if internal is None:
        return SendResult.retry(f"webhook at {host}: the host name could not be resolved")
    if internal:
        return SendResult.give_up(
            f"webhook at {host}: the host resolves to a private or loopback address; "
            "list it by name in OUTBOUND_ALLOWED_HOSTS to allow it"
        )
    return None
