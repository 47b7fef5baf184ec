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

from backend.core.domain.errors import N_, ValidationFailed
from backend.notify.domain.notifications import NotificationKind
from backend.notify.domain.outbound import is_allowed, is_listed_exactly, parse_allowed_hosts, split_url

P256DH_BYTES = 65  # an uncompressed P-256 point: 0x04, x, y
AUTH_BYTES = 16
MAX_ENDPOINT_LENGTH = 2000
_BASE64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


class PushOutcome(enum.StrEnum):
    """What the push service answered for one subscription."""

    DELIVERED = "delivered"
    GONE = "gone"  # 404 or 410: the browser dropped the subscription
    FAILED = "failed"
    REFUSED = "refused"  # not sent: the endpoint is not, or no longer, on an allowed push service


def decode_base64url(value: str) -> bytes | None:
    """The bytes of an unpadded (or padded) base64url string, None when it is not one."""
    text = value.strip().rstrip("=")
    if not text or any(c not in _BASE64URL for c in text):
        return None
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None


def is_push_service(endpoint: str, allowed_hosts: str) -> bool:
    """Whether an endpoint is on an allowed push service: https, a listed host, no user name or password.

    Plain http is accepted only for a loopback address listed by name (a push service stand-in on a test
    machine): the real push services all speak https.
    """
    entries = parse_allowed_hosts(allowed_hosts)
    parts = split_url(endpoint)
    host = (parts.hostname if parts is not None else None) or ""
    if parts is None or not host or parts.username is not None or parts.password is not None:
        return False
    if parts.scheme == "http":
        return is_listed_exactly(host, entries) and _is_loopback(host)
    return parts.scheme == "https" and is_allowed(host, entries)


def _is_loopback(host: str) -> bool:
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
    def checked(cls, endpoint: str, p256dh: str, auth: str, allowed_hosts: str) -> SubscriptionKeys:
        """Validated keys; every bad field is named.

        The endpoint must be an https address on a push service of the allow-list (`PUSH_ALLOWED_HOSTS`):
        a subscription is an address the server will post to, so a user must not be able to choose it.
        """
        problems: dict[str, list[str]] = {}
        endpoint = endpoint.strip()
        if len(endpoint) > MAX_ENDPOINT_LENGTH or not is_push_service(endpoint, allowed_hosts):
            problems["endpoint"] = [
                N_(
                    "Give the https address the browser's push service gave the subscription; "
                    "this server only sends to the push services its administrator allows."
                )
            ]
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
        if self.subject_type == "portfolio_report":
            return "/office/portfolio/reports"
        if self.subject_id is None:
            return "/"
        if (
            self.subject_type == "status_change_request"
            and self.kind is NotificationKind.STATUS_REQUEST_DECIDED
        ):
            return f"/reports?request={self.subject_id}"  # the author's own reports
        pages = {
            "status_change_request": "/approvals/{id}",
            "reminder_task": "/office/tasks?task={id}",
            "iot_flag": "/office/iot/flags?flag={id}",
            "iot_audit_run": "/office/audits/{id}",
            "collection_task": "/office/collections?task={id}",
            "collection_case": "/office/collections/cases/{id}",
            "customer": "/office/collections/customers/{id}",
            "project": "/office/collections?project={id}",
        }
        page = pages.get(self.subject_type or "")
        return page.format(id=self.subject_id) if page else "/"

    @property
    def tag(self) -> str:
        """Pushes about the same subject replace each other on the device."""
        if self.subject_type is not None and self.subject_id is not None:
            return f"{self.subject_type}:{self.subject_id}"
        return str(self.kind.value)


# The line under the title, per kind.
BODIES: dict[NotificationKind, str] = {
    NotificationKind.DUNNING_NOTICE: "%(body)s",
    NotificationKind.COLLECTION_TASK: N_(
        "Call or write to them yourself, then mark the task done in the collections workbench."
    ),
    NotificationKind.COLLECTION_CASE: N_(
        "Open the case: name its owner, add the documents, set the next step."
    ),
    NotificationKind.STATUS_REQUEST_WAITING: N_("Open the request to confirm it on site or reject it."),
    NotificationKind.STATUS_REQUEST_DECIDED: "%(detail)s",
    NotificationKind.PUSH_TEST: N_("Push notifications reach this device."),
    NotificationKind.REMINDER_DUE: N_(
        "Open My tasks to acknowledge it; left open, it goes on to the next tier's recipients on their day."
    ),
    NotificationKind.RENEWAL_DRAFTED: N_("The draft waits under Leases; nothing is signed without you."),
    NotificationKind.IOT_FLAG_RAISED: N_(
        "Open the flag to see its evidence; dismiss it with a reason, or send an inspector."
    ),
    NotificationKind.AUDIT_FINDINGS: N_(
        "Open the audit in the office app: each finding names the rows behind it."
    ),
    NotificationKind.PORTFOLIO_REPORT_READY: N_(
        "Download the workbook (a sheet per region) and the PDF under Portfolio → Reports in the office app."
    ),
}


class PushChannel(Protocol):
    """Where pushes go, outside any transaction: after a commit, or at once for a channel test."""

    def dispatch(self, messages: Sequence[PushMessage]) -> None:
        """Take the messages over to send them; never raises for a delivery problem."""

    def deliver_now(self, messages: Sequence[PushMessage]) -> list[tuple[int, PushOutcome]]:
        """Send every message to its targets now; one outcome per subscription."""
