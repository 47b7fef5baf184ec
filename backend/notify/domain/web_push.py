"""Web Push subscriptions and messages: what a browser hands over, and what is sent to it."""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

from backend.core.domain.errors import N_, ValidationFailed
from backend.notify.domain.notifications import NotificationKind

P256DH_BYTES = 65  # an uncompressed P-256 point: 0x04, x, y
AUTH_BYTES = 16
MAX_ENDPOINT_LENGTH = 2000
LOOPBACK_NAMES = frozenset({"localhost"})
_BASE64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


class PushOutcome(enum.StrEnum):
    """What the push service answered for one subscription."""

    DELIVERED = "delivered"
    GONE = "gone"  # 404 or 410: the browser dropped the subscription
    FAILED = "failed"


def decode_base64url(value: str) -> bytes | None:
    """The bytes of an unpadded (or padded) base64url string, None when it is not one."""
    text = value.strip().rstrip("=")
    if not text or any(c not in _BASE64URL for c in text):
        return None
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None


def _is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class SubscriptionKeys:
    """A browser's push subscription: where to post, and the keys to encrypt for it."""

    endpoint: str
    p256dh: str
    auth: str

    @classmethod
    def checked(cls, endpoint: str, p256dh: str, auth: str) -> SubscriptionKeys:
        """Validated keys; every bad field is named (https only, but http on loopback for local tests)."""
        problems: dict[str, list[str]] = {}
        endpoint = endpoint.strip()
        try:
            parts = urlsplit(endpoint)
        except ValueError:  # a malformed address, e.g. an unclosed IPv6 bracket
            parts = urlsplit("")
        host = parts.hostname or ""
        secure = parts.scheme == "https" or (parts.scheme == "http" and _is_loopback(host))
        if len(endpoint) > MAX_ENDPOINT_LENGTH or not host or not secure:
            problems["endpoint"] = [N_("Give the push service's https address of the subscription.")]
        key = decode_base64url(p256dh)
        if key is None or len(key) != P256DH_BYTES or key[0] != 0x04:
            problems["keys.p256dh"] = [
                N_("Give the browser's P-256 public key: 65 bytes, base64url-encoded.")
            ]
        secret = decode_base64url(auth)
        if secret is None or len(secret) != AUTH_BYTES:
            problems["keys.auth"] = [N_("Give the subscription's auth secret: 16 bytes, base64url-encoded.")]
        if problems:
            raise ValidationFailed(problems, N_("The push subscription is not valid."))
        return cls(endpoint, p256dh.strip(), auth.strip())

    @property
    def endpoint_hash(self) -> str:
        """The endpoint's SHA-256 (hex): the unique key, as endpoints are too long to index everywhere."""
        return endpoint_hash(self.endpoint)


def endpoint_hash(endpoint: str) -> str:
    """The SHA-256 (hex) of a subscription endpoint."""
    return hashlib.sha256(endpoint.strip().encode()).hexdigest()


@dataclass(frozen=True)
class PushTarget:
    """One subscription to push to, with its owner's language."""

    subscription_id: int
    endpoint: str
    p256dh: str
    auth: str
    locale: str


@dataclass(frozen=True)
class PushMessage:
    """A notification to push to each target; the text is rendered per target's language on sending."""

    kind: NotificationKind
    params: dict[str, Any]
    targets: tuple[PushTarget, ...]
    subject_type: str | None = None
    subject_id: int | None = None

    @property
    def url(self) -> str:
        """The app page the notification opens."""
        if self.subject_type == "status_change_request" and self.subject_id is not None:
            return f"/approvals/{self.subject_id}"
        return "/"

    @property
    def tag(self) -> str:
        """Pushes about the same subject replace each other on the device."""
        if self.subject_type is not None and self.subject_id is not None:
            return f"{self.subject_type}:{self.subject_id}"
        return str(self.kind.value)


# The line under the title, per kind.
BODIES: dict[NotificationKind, str] = {
    NotificationKind.STATUS_REQUEST_WAITING: N_("Open the request to confirm it on site or reject it."),
    NotificationKind.PUSH_TEST: N_("Push notifications reach this device."),
}


class PushChannel(Protocol):
    """Where pushes go, outside any transaction: after a commit, or at once for a channel test."""

    def dispatch(self, messages: Sequence[PushMessage]) -> None:
        """Take the messages over to send them; never raises for a delivery problem."""

    def deliver_now(self, messages: Sequence[PushMessage]) -> list[tuple[int, PushOutcome]]:
        """Send every message to its targets now; one outcome per subscription."""
