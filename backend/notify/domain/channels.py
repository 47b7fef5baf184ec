"""Delivery channels: where a notification goes besides the in-app inbox, and what a send attempt yields.

A notification is rendered once per recipient language into a `RenderedMessage`; a channel adapter posts it to
one `Address` and answers with a `SendResult` saying whether it arrived, should be tried again later, or can
never arrive as configured (give up). Adapters never raise for a delivery problem.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Protocol


class ChannelKind(enum.StrEnum):
    """Every way a notification can reach someone."""

    INBOX = "inbox"
    WEB_PUSH = "web_push"
    EMAIL = "email"
    SMS = "sms"
    WECOM = "wecom"  # 企业微信 group robot
    DINGTALK = "dingtalk"  # 钉钉 group robot
    WEBHOOK = "webhook"


# Channels configured by an admin for a region or a project (a group robot, a customer's system).
SHARED_CHANNELS = frozenset({ChannelKind.WECOM, ChannelKind.DINGTALK, ChannelKind.WEBHOOK})


class Verdict(enum.StrEnum):
    """What one send attempt tells the outbox."""

    SENT = "sent"
    RETRY = "retry"  # a passing problem: try again after a backoff
    GIVE_UP = "give_up"  # it can never arrive as configured: stop and alert


@dataclass(frozen=True)
class SendResult:
    """The outcome of one attempt: the provider's message id when sent, the error otherwise."""

    verdict: Verdict
    provider_message_id: str | None = None
    error: str | None = None
    # Seconds the provider asked us to wait (HTTP Retry-After), when it said so.
    retry_after: float | None = None

    @classmethod
    def sent(cls, provider_message_id: str | None = None) -> SendResult:
        """It arrived."""
        return cls(Verdict.SENT, provider_message_id)

    @classmethod
    def retry(cls, error: str, retry_after: float | None = None) -> SendResult:
        """A passing problem."""
        return cls(Verdict.RETRY, error=error, retry_after=retry_after)

    @classmethod
    def give_up(cls, error: str) -> SendResult:
        """A lasting problem."""
        return cls(Verdict.GIVE_UP, error=error)


@dataclass(frozen=True)
class RenderedMessage:
    """One notification as text in one language, ready for any channel.

    `delivery_id` identifies the outbox row (a receiver can drop a repeat); `url` is absolute.
    """

    delivery_id: int
    kind: str
    locale: str
    title: str
    body: str
    url: str
    project_id: int | None = None
    subject_type: str | None = None
    subject_id: int | None = None
    params: dict[str, Any] = field(default_factory=dict)
    created_at: str = ""  # ISO 8601, UTC


@dataclass(frozen=True)
class Address:
    """Where one delivery goes on its channel.

    `target`: an e-mail address, a mobile number (E.164), a group robot's key or access token, a webhook URL,
    or a push subscription's id. `secret`: a 钉钉 robot's signing secret or a webhook's HMAC key, if any.
    """

    channel: ChannelKind
    target: str
    secret: str | None = None
    name: str | None = None  # the recipient's display name, for an e-mail's To header


class ChannelAdapter(Protocol):
    """Sends rendered messages on one channel; thread-safe, never raises for a delivery problem."""

    kind: ChannelKind

    def send(self, message: RenderedMessage, address: Address) -> SendResult:
        """Try once to deliver the message to the address."""
