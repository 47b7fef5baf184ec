"""The delivery outbox: which channels a notification takes, when it may go, and what an attempt leaves.

Every notification becomes one delivery per (channel, recipient): the in-app inbox (delivered as it commits),
the recipient's phones and browsers, e-mail, SMS, and the group robots and webhooks configured for its
project or region. Workers send the queued ones; a passing failure is tried again after a backoff, a lasting
one gives up and alerts the admins of that scope. Nothing fails silently.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from backend.core.domain.errors import N_, ValidationFailed
from backend.notify.domain.channels import ChannelKind, SendResult, Verdict
from backend.notify.domain.notifications import NotificationKind

MAX_ATTEMPTS = 8
DEFAULT_TIMEZONE = "Asia/Shanghai"
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_MOBILE = re.compile(r"^\+?[1-9]\d{6,14}$")


class DeliveryState(enum.StrEnum):
    """Where one delivery stands."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"  # tried, will be tried again at next_attempt_at
    GAVE_UP = "gave_up"


OPEN_STATES = frozenset({DeliveryState.QUEUED, DeliveryState.FAILED})

# The channels each kind takes besides the inbox unless the user chose otherwise.
DEFAULT_CHANNELS: dict[NotificationKind, frozenset[ChannelKind]] = {
    NotificationKind.STATUS_REQUEST_WAITING: frozenset({ChannelKind.WEB_PUSH}),
    NotificationKind.STATUS_REQUEST_DECIDED: frozenset({ChannelKind.WEB_PUSH}),
    NotificationKind.SCHEDULE_FAILED: frozenset({ChannelKind.EMAIL}),
    NotificationKind.INDEX_AWAITED: frozenset({ChannelKind.EMAIL}),
    NotificationKind.JOB_FAILED: frozenset({ChannelKind.EMAIL}),
    NotificationKind.JOB_GAVE_UP: frozenset({ChannelKind.EMAIL}),
    NotificationKind.DELIVERY_GAVE_UP: frozenset({ChannelKind.EMAIL}),
    NotificationKind.PORTFOLIO_REPORT_READY: frozenset({ChannelKind.EMAIL}),
    NotificationKind.TASK_REASSIGNED: frozenset({ChannelKind.EMAIL}),
    NotificationKind.RENEWAL_DRAFTED: frozenset({ChannelKind.EMAIL}),
    NotificationKind.IOT_FLAG_RAISED: frozenset({ChannelKind.WEB_PUSH}),
    NotificationKind.AUDIT_FINDINGS: frozenset({ChannelKind.EMAIL}),
}
# Channels a user may choose per kind (the inbox is always on).
CHOOSABLE = frozenset({ChannelKind.WEB_PUSH, ChannelKind.EMAIL, ChannelKind.SMS})
CHOOSABLE_VALUES = frozenset(channel.value for channel in CHOOSABLE)
# Kinds that reach the group robots and webhooks of a scope unless those name their own kinds. A delivery
# that gave up is told to the admins themselves, not to the group channels that may be what failed.
SHARED_DEFAULT_KINDS = frozenset(
    {
        NotificationKind.SCHEDULE_FAILED,
        NotificationKind.JOB_FAILED,
        NotificationKind.JOB_GAVE_UP,
        NotificationKind.STATUS_REQUEST_WAITING,
        NotificationKind.AUTOMATION_SKIPPED,
    }
)


@dataclass(frozen=True)
class Preferences:
    """One user's choices: channels per kind (beyond the inbox), quiet hours, time zone, mobile number."""

    channels: Mapping[str, frozenset[ChannelKind]]
    timezone: str = DEFAULT_TIMEZONE
    quiet_start: time | None = None
    quiet_end: time | None = None
    mobile: str | None = None

    def channels_for(self, kind: NotificationKind) -> frozenset[ChannelKind]:
        """The channels a notification of this kind takes for this user, the inbox included."""
        chosen = self.channels.get(kind.value)
        extra = DEFAULT_CHANNELS.get(kind, frozenset()) if chosen is None else chosen
        return frozenset({ChannelKind.INBOX}) | extra

    def not_before(self, channel: ChannelKind, now: datetime) -> datetime:
        """When a delivery on this channel may go: now, or the end of the user's quiet hours.

        The inbox is never held back; quiet hours may span midnight (22:00–07:00).
        """
        if channel is ChannelKind.INBOX or self.quiet_start is None or self.quiet_end is None:
            return now
        if self.quiet_start == self.quiet_end:
            return now
        local = now.astimezone(ZoneInfo(self.timezone))
        start = local.replace(
            hour=self.quiet_start.hour, minute=self.quiet_start.minute, second=0, microsecond=0
        )
        end = local.replace(hour=self.quiet_end.hour, minute=self.quiet_end.minute, second=0, microsecond=0)
        if self.quiet_start < self.quiet_end:  # within one day
            quiet = start <= local < end
        else:  # across midnight
            quiet = local >= start or local < end
            if local >= start:
                end += timedelta(days=1)
        return end.astimezone(now.tzinfo) if quiet else now


def parse_preferences(values: Mapping[str, object]) -> Preferences:
    """Validated preferences from what a user sent; every bad field is named."""
    problems: dict[str, list[str]] = {}
    zone = str(values.get("timezone") or DEFAULT_TIMEZONE)
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        problems["timezone"] = [N_("Give an IANA time zone such as Asia/Shanghai.")]
    bounds: dict[str, time | None] = {}
    for name in ("quiet_start", "quiet_end"):
        raw = values.get(name)
        if raw in (None, ""):
            bounds[name] = None
            continue
        match = _HHMM.match(str(raw))
        if match is None:
            problems[name] = [N_("Give a time of day as HH:MM, 24-hour (22:00).")]
            continue
        bounds[name] = time(int(match.group(1)), int(match.group(2)))
    if (bounds.get("quiet_start") is None) != (bounds.get("quiet_end") is None) and not problems:
        problems["quiet_end"] = [N_("Give both the start and the end of quiet hours, or neither.")]
    mobile = str(values.get("mobile") or "").replace(" ", "").replace("-", "") or None
    if mobile is not None and not _MOBILE.match(mobile):
        problems["mobile"] = [N_("Give a mobile number with its country code, such as +8613800138000.")]
    channels: dict[str, frozenset[ChannelKind]] = {}
    raw_channels = values.get("channels") or {}
    if not isinstance(raw_channels, Mapping):
        raw_channels = {}
        problems["channels"] = [N_("Give the channels per notification kind.")]
    kinds = {kind.value for kind in NotificationKind}
    for kind, chosen in raw_channels.items():
        if kind not in kinds:
            problems[f"channels.{kind}"] = [N_("Unknown notification kind.")]
            continue
        names = list(chosen) if isinstance(chosen, list | tuple) else None
        if names is None or any(name not in CHOOSABLE_VALUES | {ChannelKind.INBOX.value} for name in names):
            problems[f"channels.{kind}"] = [N_("Choose among web_push, email and sms.")]
            continue
        wanted = frozenset(ChannelKind(name) for name in names if name in CHOOSABLE_VALUES)
        if ChannelKind.SMS in wanted and mobile is None:
            problems["mobile"] = [N_("Give a mobile number to receive text messages.")]
        channels[kind] = frozenset(wanted)
    if problems:
        raise ValidationFailed(problems, N_("The notification preferences are not valid."))
    return Preferences(channels, zone, bounds.get("quiet_start"), bounds.get("quiet_end"), mobile)


@dataclass(frozen=True)
class Recipient:
    """What staging a notification needs of one user: language, addresses, choices, phones."""

    user_id: int
    name: str
    locale: str
    email: str | None
    preferences: object  # the stored preferences row, or None for the defaults
    subscription_ids: tuple[int, ...]


@dataclass(frozen=True)
class SharedEndpoint:
    """A group robot or webhook reaching one project (configured for it or for its region)."""

    id: int
    channel: ChannelKind
    kinds: tuple[str, ...]
    locale: str


@dataclass(frozen=True)
class AttemptOutcome:
    """What the outbox row becomes after one attempt."""

    state: DeliveryState
    next_attempt_at: datetime | None
    alert: bool  # gave up for a reason the admins must hear of


def after_attempt(
    result: SendResult, attempt: int, now: datetime, backoff: float, max_attempts: int = MAX_ATTEMPTS
) -> AttemptOutcome:
    """The row's next state: sent; tried again after `backoff` (or the provider's Retry-After); given up."""
    if result.verdict is Verdict.SENT:
        return AttemptOutcome(DeliveryState.SENT, None, alert=False)
    if result.verdict is Verdict.RETRY and attempt < max_attempts:
        wait = max(backoff, result.retry_after or 0.0)
        return AttemptOutcome(DeliveryState.FAILED, now + timedelta(seconds=wait), alert=False)
    return AttemptOutcome(DeliveryState.GAVE_UP, None, alert=True)


class Courier(Protocol):
    """Sends chosen outbox rows at once, outside any transaction (a test message)."""

    def deliver_now(self, delivery_ids: Sequence[int]) -> dict[int, tuple[DeliveryState, str | None]]:
        """Send these deliveries now; each one's new state and error."""
